//! The security policy, the 安全管理员's power: read it, change it (versioned and audited).

use askama::Template;
use axum::Json;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::domain::fields::FieldErrors;
use crate::domain::security::SecurityPolicy;
use crate::web::body::JsonObject;
use crate::web::error::{ApiResult, AppError, PageResult};
use crate::web::guard::Caller;
use crate::web::pages::{Chrome, Lang, render};

/// One editable field: name, Chinese label, unit, basis, value.
pub struct PolicyField {
    pub name: &'static str,
    pub label: &'static str,
    pub unit: &'static str,
    pub basis: &'static str,
    pub value: String,
}

fn fields(policy: &SecurityPolicy, raw: Option<&PolicyForm>) -> Vec<PolicyField> {
    let v = |n: i64, r: Option<&String>| r.cloned().unwrap_or_else(|| n.to_string());
    let p = policy;
    vec![
        PolicyField {
            name: "password_min_length",
            label: "密码最小长度",
            unit: "位",
            basis: "L3-CES1-01 鉴别信息复杂度",
            value: v(p.password_min_length, raw.map(|r| &r.password_min_length)),
        },
        PolicyField {
            name: "password_min_classes",
            label: "密码字符类别数",
            unit: "类",
            basis: "L3-CES1-01",
            value: v(p.password_min_classes, raw.map(|r| &r.password_min_classes)),
        },
        PolicyField {
            name: "lockout_threshold",
            label: "连续失败锁定阈值",
            unit: "次",
            basis: "L3-CES1-02 登录失败处理",
            value: v(p.lockout_threshold, raw.map(|r| &r.lockout_threshold)),
        },
        PolicyField {
            name: "lockout_window_minutes",
            label: "失败计数时间窗",
            unit: "分钟",
            basis: "L3-CES1-02",
            value: v(p.lockout_window_minutes, raw.map(|r| &r.lockout_window_minutes)),
        },
        PolicyField {
            name: "lockout_minutes",
            label: "锁定时长",
            unit: "分钟",
            basis: "L3-CES1-02",
            value: v(p.lockout_minutes, raw.map(|r| &r.lockout_minutes)),
        },
        PolicyField {
            name: "idle_timeout_minutes",
            label: "业务用户空闲超时",
            unit: "分钟",
            basis: "L3-CES1-02 连接超时自动退出",
            value: v(p.idle_timeout_minutes, raw.map(|r| &r.idle_timeout_minutes)),
        },
        PolicyField {
            name: "admin_idle_timeout_minutes",
            label: "管理员空闲超时",
            unit: "分钟",
            basis: "L3-CES1-02",
            value: v(p.admin_idle_timeout_minutes, raw.map(|r| &r.admin_idle_timeout_minutes)),
        },
        PolicyField {
            name: "session_max_hours",
            label: "会话最长有效期",
            unit: "小时",
            basis: "ASVS V7.3.2",
            value: v(p.session_max_hours, raw.map(|r| &r.session_max_hours)),
        },
        PolicyField {
            name: "mfa_for_all",
            label: "所有用户须使用动态口令",
            unit: "（1 是，0 仅管理员）",
            basis: "L3-CES1-04 双因素鉴别",
            value: v(p.mfa_for_all, raw.map(|r| &r.mfa_for_all)),
        },
    ]
}

#[derive(Template)]
#[template(path = "security_policy.html")]
struct PolicyPage {
    chrome: Chrome,
    fields: Vec<PolicyField>,
    version: i64,
    errors: FieldErrors,
    conflict: bool,
    saved: bool,
}

impl PolicyPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    saved: String,
}

pub async fn page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<PageQuery>,
) -> PageResult {
    let chrome = Chrome::new(&state, &principal, &headers, "security", "安全策略", "Security policy").await?;
    let (policy, version) = state.db.security_policy().await?;
    render(&PolicyPage {
        chrome,
        fields: fields(&policy, None),
        version,
        errors: FieldErrors::default(),
        conflict: false,
        saved: query.saved == "1",
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct PolicyForm {
    #[serde(default)]
    password_min_length: String,
    #[serde(default)]
    password_min_classes: String,
    #[serde(default)]
    lockout_threshold: String,
    #[serde(default)]
    lockout_window_minutes: String,
    #[serde(default)]
    lockout_minutes: String,
    #[serde(default)]
    idle_timeout_minutes: String,
    #[serde(default)]
    admin_idle_timeout_minutes: String,
    #[serde(default)]
    session_max_hours: String,
    #[serde(default)]
    mfa_for_all: String,
    #[serde(default)]
    version: String,
}

impl PolicyForm {
    fn parse(&self) -> Result<SecurityPolicy, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut number = |field: &'static str, raw: &str| -> i64 {
            raw.trim().parse::<i64>().unwrap_or_else(|_| {
                errors.add(field, "not_a_number", "请输入整数");
                0
            })
        };
        let policy = SecurityPolicy {
            password_min_length: number("password_min_length", &self.password_min_length),
            password_min_classes: number("password_min_classes", &self.password_min_classes),
            lockout_threshold: number("lockout_threshold", &self.lockout_threshold),
            lockout_window_minutes: number("lockout_window_minutes", &self.lockout_window_minutes),
            lockout_minutes: number("lockout_minutes", &self.lockout_minutes),
            idle_timeout_minutes: number("idle_timeout_minutes", &self.idle_timeout_minutes),
            admin_idle_timeout_minutes: number(
                "admin_idle_timeout_minutes",
                &self.admin_idle_timeout_minutes,
            ),
            session_max_hours: number("session_max_hours", &self.session_max_hours),
            mfa_for_all: number("mfa_for_all", &self.mfa_for_all),
        };
        errors.into_result()?;
        policy.validate()?;
        Ok(policy)
    }
}

pub async fn submit(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(form): Form<PolicyForm>,
) -> PageResult {
    let version = crate::web::common::form_version(&form.version);
    let outcome = match form.parse() {
        Ok(policy) => {
            crate::ops::settings::save_security_policy(&state, &principal.actor(&info), &policy, version)
                .await
        }
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    let (errors, conflict) = match outcome {
        Ok(_) => return Ok(Redirect::to("/security/policy?saved=1").into_response()),
        Err(AppError::Invalid(errors)) => (errors, false),
        Err(AppError::Conflict { .. }) => (FieldErrors::default(), true),
        Err(error) => return Err(error.into()),
    };
    let chrome = Chrome::new(&state, &principal, &headers, "security", "安全策略", "Security policy").await?;
    let (current, current_version) = state.db.security_policy().await?;
    let status = if conflict { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut response = render(&PolicyPage {
        chrome,
        fields: fields(&current, Some(&form)),
        version: if conflict { current_version } else { version },
        errors,
        conflict,
        saved: false,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PolicyDto {
    pub password_min_length: i64,
    pub password_min_classes: i64,
    pub lockout_threshold: i64,
    pub lockout_window_minutes: i64,
    pub lockout_minutes: i64,
    pub idle_timeout_minutes: i64,
    pub admin_idle_timeout_minutes: i64,
    pub session_max_hours: i64,
    /// 1: every internal user must log in with a TOTP second factor; 0: the administrators.
    #[serde(default)]
    pub mfa_for_all: i64,
    /// The version read; send it back with a change. 0 means the built-in defaults are in force.
    pub version: i64,
}

#[utoipa::path(get, path = "/api/v1/security-policy", tag = "security", responses((status = 200, body = PolicyDto), (status = 403, body = crate::web::error::ErrorBody)))]
pub async fn api_get(State(state): State<AppState>) -> ApiResult<Json<PolicyDto>> {
    let (p, version) = state.db.security_policy().await?;
    Ok(Json(PolicyDto {
        password_min_length: p.password_min_length,
        password_min_classes: p.password_min_classes,
        lockout_threshold: p.lockout_threshold,
        lockout_window_minutes: p.lockout_window_minutes,
        lockout_minutes: p.lockout_minutes,
        idle_timeout_minutes: p.idle_timeout_minutes,
        admin_idle_timeout_minutes: p.admin_idle_timeout_minutes,
        session_max_hours: p.session_max_hours,
        mfa_for_all: p.mfa_for_all,
        version,
    }))
}

#[utoipa::path(put, path = "/api/v1/security-policy", tag = "security", request_body = PolicyDto,
    responses((status = 200, body = PolicyDto), (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_put(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<PolicyDto>,
) -> ApiResult<Json<PolicyDto>> {
    let policy = SecurityPolicy {
        password_min_length: body.password_min_length,
        password_min_classes: body.password_min_classes,
        lockout_threshold: body.lockout_threshold,
        lockout_window_minutes: body.lockout_window_minutes,
        lockout_minutes: body.lockout_minutes,
        idle_timeout_minutes: body.idle_timeout_minutes,
        admin_idle_timeout_minutes: body.admin_idle_timeout_minutes,
        session_max_hours: body.session_max_hours,
        mfa_for_all: body.mfa_for_all,
    };
    let version =
        crate::ops::settings::save_security_policy(&state, &principal.actor(&info), &policy, body.version)
            .await?;
    Ok(Json(PolicyDto { version, ..body }))
}
