//! The province's case rules ([M] values the law leaves to each province or bureau: hearing and
//! major-case thresholds, the statement period, any decision extension), kept with their
//! sources and changed only by the legal office or the leadership, each change audited.

use askama::Template;
use axum::Json;
use axum::extract::{Form, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use crate::app::AppState;
use crate::domain::case::rules::CaseRulesInput;
use crate::domain::fields::FieldErrors;
use crate::web::body::JsonObject;
use crate::web::common::CaseRulesDto;
use crate::web::error::{ApiResult, AppError, PageResult};
use crate::web::guard::{Caller, Principal};
use crate::web::pages::{Chrome, Lang, render};

#[derive(Template)]
#[template(path = "case_rules.html")]
struct RulesPage {
    chrome: Chrome,
    input: CaseRulesInput,
    version: i64,
    errors: FieldErrors,
    conflict: Option<String>,
}

impl RulesPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

async fn page(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    input: CaseRulesInput,
    version: i64,
    errors: FieldErrors,
    conflict: Option<String>,
) -> PageResult {
    let chrome =
        Chrome::new(state, principal, headers, "items", "本省办案规则", "Provincial case rules").await?;
    let status = crate::web::pages::form_status(conflict.is_some(), &errors);
    let mut response = render(&RulesPage { chrome, input, version, errors, conflict })?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn edit_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
) -> PageResult {
    let (rules, version) = state.db.case_rules().await?;
    page(&state, &principal, &headers, CaseRulesInput::of(&rules), version, FieldErrors::default(), None)
        .await
}

/// The form: every value arrives as text (a flattened struct cannot read a number from a form).
#[derive(Debug, Deserialize)]
pub struct RulesForm {
    #[serde(default)]
    version: String,
    #[serde(flatten)]
    input: CaseRulesInput,
}

pub async fn save_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(form): Form<RulesForm>,
) -> PageResult {
    // A version that does not parse matches no row: answered as a conflict.
    let version = form.version.trim().parse().unwrap_or(-1);
    match crate::ops::settings::save_case_rules(&state, &principal.actor(&info), version, &form.input).await {
        Ok(_) => Ok(Redirect::to("/responsibility-list?saved=1").into_response()),
        Err(AppError::Invalid(errors)) => {
            page(&state, &principal, &headers, form.input, version, errors, None).await
        }
        Err(AppError::Conflict { message, .. }) => {
            let (rules, version) = state.db.case_rules().await?;
            page(
                &state,
                &principal,
                &headers,
                CaseRulesInput::of(&rules),
                version,
                FieldErrors::default(),
                Some(message),
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}

/// The rules to save, with the version read.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RulesBody {
    /// The version read from `GET /api/v1/case-rules` (0 while the shipped defaults apply).
    pub version: i64,
    #[serde(flatten)]
    pub rules: CaseRulesInput,
}

#[utoipa::path(put, path = "/api/v1/case-rules", tag = "cases", request_body = RulesBody,
    responses((status = 200, body = CaseRulesDto), (status = 409, body = crate::web::error::ErrorBody, description = "`version_conflict`"),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_put(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<RulesBody>,
) -> ApiResult<Json<CaseRulesDto>> {
    let (rules, version) =
        crate::ops::settings::save_case_rules(&state, &principal.actor(&info), body.version, &body.rules)
            .await?;
    Ok(Json(CaseRulesDto { version, rules: serde_json::to_value(rules).unwrap_or_default() }))
}
