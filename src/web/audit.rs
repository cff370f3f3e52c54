//! The audit log viewer and its verification, the 审计管理员's power.

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::domain::time::{beijing, display};
use crate::store::AuditEvent;
use crate::store::audit::{AuditFilter, AuditRecord, Verification};
use crate::web::error::{ApiResult, AppError, PageResult};
use crate::web::guard::{Caller, Principal, RequestInfo};
use crate::web::pages::{Chrome, Lang, Pager, page_number, page_size, render};

#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// Exact username.
    #[serde(default)]
    pub actor: String,
    /// Action prefix, e.g. `login` or `person.update`.
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub object_id: String,
    /// `success`, `failure` or `denied`.
    #[serde(default)]
    pub result: String,
    /// Civil date (Beijing), `YYYY-MM-DD`, inclusive.
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub page: String,
    #[serde(default)]
    pub size: String,
}

/// Turns civil dates into the stored UTC bounds; a date that does not parse is ignored.
fn filter_from(query: &AuditQuery) -> AuditFilter {
    let bound = |date: &str, end: bool| -> String {
        chrono::NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
            .ok()
            .and_then(|d| if end { d.and_hms_micro_opt(23, 59, 59, 999_999) } else { d.and_hms_opt(0, 0, 0) })
            .and_then(|t| t.and_local_timezone(beijing()).single())
            .map(|t| crate::store::ts(t.with_timezone(&chrono::Utc)))
            .unwrap_or_default()
    };
    AuditFilter {
        actor: query.actor.trim().to_owned(),
        action: query.action.trim().to_owned(),
        object_id: query.object_id.trim().to_owned(),
        result: match query.result.as_str() {
            "success" | "failure" | "denied" => query.result.clone(),
            _ => String::new(),
        },
        from: bound(&query.from, false),
        to: bound(&query.to, true),
        page: page_number(&query.page),
        page_size: page_size(&query.size),
    }
}

/// Reading the audit log is itself audited, with the filter used (等保 §8.1.5.2).
async fn record_query(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    query: &AuditQuery,
) -> Result<(), AppError> {
    let details = serde_json::json!({
        "actor": query.actor, "action": query.action, "object_id": query.object_id,
        "result": query.result, "from": query.from, "to": query.to, "page": query.page,
    });
    state
        .db
        .audit_only(
            &info.audit_ctx(Some(principal), ""),
            state.now(),
            AuditEvent::new("audit.query", "audit_log", "").details(details),
        )
        .await?;
    Ok(())
}

async fn verify(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
) -> Result<Verification, AppError> {
    let (verification, _) =
        crate::anchor::verify(&state.db, &state.blobs, &state.keys).await.map_err(|e| match e {
            crate::anchor::AnchorError::Db(e) => AppError::from(e),
            crate::anchor::AnchorError::Store(e) => e.into(),
        })?;
    let details = match &verification {
        Verification::Intact { checked } => {
            serde_json::json!({ "intact": true, "checked": checked })
        }
        Verification::Broken { checked, fault } => {
            serde_json::json!({ "intact": false, "checked": checked, "seq": fault.seq(), "fault": fault.code() })
        }
    };
    let event = AuditEvent::new("audit.verify", "audit_log", "").details(details);
    state.db.audit_only(&info.audit_ctx(Some(principal), ""), state.now(), event).await?;
    Ok(verification)
}

pub struct RecordRow {
    pub r: AuditRecord,
    pub at: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Chrome,
    rows: Vec<RecordRow>,
    pager: Pager,
    query: AuditQuery,
    head_seq: i64,
}

pub async fn page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Query(query): Query<AuditQuery>,
) -> PageResult {
    record_query(&state, &principal, &info, &query).await?;
    let chrome = Chrome::new(&state, &principal, &headers, "audit", "审计日志", "Audit log").await?;
    let filter = filter_from(&query);
    let (records, total) = state.db.audit_records(&filter).await?;
    let (head_seq, _) = state.db.audit_head().await?;
    let q = serde_urlencoded::to_string([
        ("actor", query.actor.as_str()),
        ("action", query.action.as_str()),
        ("object_id", query.object_id.as_str()),
        ("result", query.result.as_str()),
        ("from", query.from.as_str()),
        ("to", query.to.as_str()),
        ("size", query.size.as_str()),
    ])
    .unwrap_or_default();
    let pager = Pager::new(filter.page, filter.page_size, total, q);
    let rows = records.into_iter().map(|r| RecordRow { at: display(r.at), r }).collect();
    render(&AuditPage { chrome, rows, pager, query, head_seq })
}

/// The htmx fragment with the verification result.
pub async fn verify_fragment(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
) -> PageResult {
    let html = match verify(&state, &principal, &info).await? {
        Verification::Intact { checked } => format!(
            "<div class=\"alert alert-success\" role=\"status\">校验通过：{checked} 条记录的哈希链完整，未发现篡改、缺失或乱序。</div>"
        ),
        Verification::Broken { checked, fault } => format!(
            "<div class=\"alert alert-danger\" role=\"alert\">校验失败：第 {} 条记录异常（{}）。此前 {checked} 条完好。请立即报告安全管理员并保全数据库。<br><small>{}</small></div>",
            fault.seq(),
            match fault.code() {
                "content_changed" => "内容被修改",
                "record_missing" => "记录缺失",
                "order_broken" => "顺序被打乱",
                "checkpoint_diverged" => "与库外签名检查点不一致：其后的记录被删除或改写",
                "checkpoint_forged" => "库外检查点签名无效",
                _ => "日志头不一致",
            },
            fault
        ),
    };
    Ok(Html(html).into_response())
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditRecordDto {
    pub seq: i64,
    /// UTC, RFC 3339.
    pub at: String,
    pub actor: String,
    pub role: String,
    pub source: String,
    pub request_id: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub result: String,
    /// JSON object.
    pub details: String,
    pub hash: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditPageDto {
    pub total: i64,
    pub items: Vec<AuditRecordDto>,
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery), responses((status = 200, body = AuditPageDto), (status = 403, body = crate::web::error::ErrorBody)))]
pub async fn api_list(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<AuditQuery>,
) -> ApiResult<Json<AuditPageDto>> {
    record_query(&state, &principal, &info, &query).await?;
    let (records, total) = state.db.audit_records(&filter_from(&query)).await?;
    let items = records
        .into_iter()
        .map(|r| {
            let c = r.content;
            AuditRecordDto {
                seq: r.seq,
                at: c.at,
                actor: c.actor,
                role: c.role,
                source: c.source,
                request_id: c.request_id,
                action: c.action,
                object_type: c.object_type,
                object_id: c.object_id,
                result: c.result,
                details: c.details,
                hash: r.hash,
            }
        })
        .collect();
    Ok(Json(AuditPageDto { total, items }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VerificationDto {
    pub intact: bool,
    pub checked: u64,
    /// The first bad record, when not intact.
    pub seq: Option<i64>,
    /// `content_changed`, `record_missing`, `order_broken`, `head_mismatch`,
    /// `checkpoint_diverged` (records cut or rewritten after a signed checkpoint) or
    /// `checkpoint_forged`.
    pub fault: Option<String>,
    pub message: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/audit/verify", tag = "audit", responses((status = 200, body = VerificationDto), (status = 403, body = crate::web::error::ErrorBody)))]
pub async fn api_verify(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
) -> ApiResult<Json<VerificationDto>> {
    Ok(Json(match verify(&state, &principal, &info).await? {
        Verification::Intact { checked } => {
            VerificationDto { intact: true, checked, seq: None, fault: None, message: None }
        }
        Verification::Broken { checked, fault } => VerificationDto {
            intact: false,
            checked,
            seq: Some(fault.seq()),
            fault: Some(fault.code().to_owned()),
            message: Some(fault.to_string()),
        },
    }))
}
