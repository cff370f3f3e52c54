//! 三步走约谈 (issue 18 scope 8): the list with the open talks first and the form to open one,
//! a talk's page with its steps and the form for what comes next, and the same under
//! `/api/v1/talks`. The operations are `ops::talks`; the page says why "先罚后返" is not offered
//! (`domain::talks::NO_REFUND_ZH`).

use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::talks::{NO_REFUND_ZH, OpenTalkInput, ReinspectionInput, TalkStep, TalkStepInput};
use crate::domain::time::civil_date;
use crate::ops::talks as ops;
use crate::store::org::Unit;
use crate::store::talks::{Talk, TalkFilter};
use crate::web::body::JsonObject;
use crate::web::common::{RecordedDto, VersionDto, form_version};
use crate::web::error::{ApiResult, AppError, PageResult};
use crate::web::guard::{Caller, Principal, RequestInfo};
use crate::web::pages::{Chrome, Lang, render_status};

/// `?party=ID&open=1`
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct TalkQuery {
    /// One party's talks (the party's file links here).
    #[param(max_length = 64)]
    pub party: String,
    /// `1`: only talks still open.
    #[param(pattern = "^[01]?$")]
    pub open: String,
}

impl TalkQuery {
    /// The filter, or the field that is malformed (a party id is at most 64 characters, `open`
    /// is `1`, `0` or empty), so that a bad parameter is refused rather than ignored.
    fn filter(&self) -> Result<TalkFilter, AppError> {
        let party = self.party.trim();
        if party.chars().count() > 64 {
            return Err(AppError::Invalid(FieldErrors::single(
                "party",
                "invalid_value",
                "当事人档案编号不超过 64 个字符",
            )));
        }
        let open_only = match self.open.trim() {
            "1" => true,
            "0" | "" => false,
            _ => {
                return Err(AppError::Invalid(FieldErrors::single(
                    "open",
                    "invalid_value",
                    "open 为 1 或 0",
                )));
            }
        };
        Ok(TalkFilter { party_id: party.to_owned(), open_only })
    }
}

#[utoipa::path(get, path = "/api/v1/talks", tag = "intake", params(TalkQuery),
    responses((status = 200, body = Vec<Talk>), (status = 403, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_list(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<TalkQuery>,
) -> ApiResult<Json<Vec<Talk>>> {
    Ok(Json(ops::list(&state, &principal.actor(&info), &query.filter()?).await?))
}

#[utoipa::path(get, path = "/api/v1/talks/{id}", tag = "intake", params(("id" = String, Path)),
    responses((status = 200, body = Talk), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_get(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Talk>> {
    Ok(Json(ops::get(&state, &principal.actor(&info), &id).await?))
}

#[utoipa::path(post, path = "/api/v1/talks", tag = "intake", request_body = OpenTalkInput,
    responses((status = 201, body = RecordedDto), (status = 403, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_open(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<OpenTalkInput>,
) -> ApiResult<(StatusCode, Json<RecordedDto>)> {
    let id = ops::open(&state, &principal.actor(&info), &body).await?;
    Ok((StatusCode::CREATED, Json(RecordedDto { id })))
}

/// Step two over the version read.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct InterviewBody {
    pub version: i64,
    #[serde(flatten)]
    pub step: TalkStepInput,
}

#[utoipa::path(post, path = "/api/v1/talks/{id}/interview", tag = "intake", params(("id" = String, Path)),
    request_body = InterviewBody,
    responses((status = 200, body = VersionDto), (status = 404, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_interview(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<InterviewBody>,
) -> ApiResult<Json<VersionDto>> {
    let version = ops::interview(&state, &principal.actor(&info), &id, body.version, &body.step).await?;
    Ok(Json(VersionDto { version }))
}

/// A re-inspection over the version read.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ReinspectionBody {
    pub version: i64,
    #[serde(flatten)]
    pub input: ReinspectionInput,
}

#[utoipa::path(post, path = "/api/v1/talks/{id}/reinspection", tag = "intake", params(("id" = String, Path)),
    request_body = ReinspectionBody,
    responses((status = 200, body = VersionDto), (status = 404, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_reinspection(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<ReinspectionBody>,
) -> ApiResult<Json<VersionDto>> {
    let version = ops::reinspect(&state, &principal.actor(&info), &id, body.version, &body.input).await?;
    Ok(Json(VersionDto { version }))
}

/// Step three: the case opened on the act, over the version read.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CaseBody {
    pub version: i64,
    #[schema(max_length = 64)]
    pub case_id: String,
}

#[utoipa::path(post, path = "/api/v1/talks/{id}/case", tag = "intake", params(("id" = String, Path)),
    request_body = CaseBody,
    responses((status = 200, body = VersionDto), (status = 404, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_case(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<CaseBody>,
) -> ApiResult<Json<VersionDto>> {
    let version = ops::link_case(&state, &principal.actor(&info), &id, body.version, &body.case_id).await?;
    Ok(Json(VersionDto { version }))
}

// ---- Pages ----

#[derive(Template)]
#[template(path = "talks.html")]
struct ListPage {
    chrome: Chrome,
    talks: Vec<Talk>,
    today: chrono::NaiveDate,
    can_record: bool,
    units: Vec<Unit>,
    input: OpenTalkInput,
    errors: FieldErrors,
    message: Option<String>,
    no_refund: &'static str,
    open_only: bool,
    party: String,
}

impl ListPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
    fn step_input(&self) -> &TalkStepInput {
        &self.input.step
    }
}

#[allow(clippy::too_many_arguments)] // the page's parts, each needed to redraw it after a form
async fn list_with(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    query: &TalkQuery,
    input: OpenTalkInput,
    errors: FieldErrors,
    message: Option<String>,
) -> PageResult {
    let actor = principal.actor(info);
    let talks = ops::list(state, &actor, &query.filter()?).await?;
    let all_units = state.db.units().await?;
    let visibility = actor.visibility(Action::TalkRecord);
    let units = all_units
        .iter()
        .filter(|u| crate::ops::people::unit_visible(&all_units, &visibility, &u.id))
        .cloned()
        .collect();
    let chrome = Chrome::new(state, principal, headers, "talks", "三步走约谈", "Three-step talks").await?;
    let status = if errors.is_empty() && message.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ListPage {
        chrome,
        talks,
        today: civil_date(state.now()),
        can_record: principal.has(Action::TalkRecord),
        units,
        input,
        errors,
        message,
        no_refund: NO_REFUND_ZH,
        open_only: query.open.trim() == "1",
        party: query.party.trim().to_owned(),
    };
    render_status(&page, status)
}

pub async fn list_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Query(query): Query<TalkQuery>,
) -> PageResult {
    let input = OpenTalkInput { party_id: query.party.trim().to_owned(), ..Default::default() };
    list_with(&state, &principal, &info, &headers, &query, input, FieldErrors::default(), None).await
}

pub async fn open_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(input): Form<OpenTalkInput>,
) -> PageResult {
    match ops::open(&state, &principal.actor(&info), &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/talks/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            list_with(&state, &principal, &info, &headers, &TalkQuery::default(), input, errors, None).await
        }
        Err(AppError::Refused { message, .. }) => {
            let no_errors = FieldErrors::default();
            list_with(
                &state,
                &principal,
                &info,
                &headers,
                &TalkQuery::default(),
                input,
                no_errors,
                Some(message),
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Template)]
#[template(path = "talk.html")]
struct TalkPage {
    chrome: Chrome,
    talk: Talk,
    today: chrono::NaiveDate,
    can_record: bool,
    /// What the forms offer now: a re-inspection, step two, or step three.
    awaiting: bool,
    next: Option<TalkStep>,
    /// The party's cases the reader may see, for step three: (id, number and title).
    party_cases: Vec<(String, String)>,
    step: TalkStepInput,
    errors: FieldErrors,
    message: Option<String>,
    no_refund: &'static str,
}

impl TalkPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
    fn step_input(&self) -> &TalkStepInput {
        &self.step
    }
}

#[allow(clippy::too_many_arguments)] // the page's parts, each needed to redraw it after a form
async fn talk_with(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    id: &str,
    step: TalkStepInput,
    errors: FieldErrors,
    message: Option<String>,
) -> PageResult {
    let talk = ops::get(state, &principal.actor(info), id).await?;
    let party_cases = if talk.state.next_step() == Some(TalkStep::Case) && principal.has(Action::CaseView) {
        let filter = crate::store::cases::CaseFilter {
            party_id: talk.party_id.clone(),
            page: 1,
            page_size: 50,
            ..Default::default()
        };
        let (cases, _) = state.db.cases(&principal.visibility(Action::CaseView), &filter).await?;
        cases.into_iter().map(|c| (c.id, format!("{} {}", c.number, c.title))).collect()
    } else {
        Vec::new()
    };
    let chrome = Chrome::new(state, principal, headers, "talks", "三步走约谈", "Three-step talk").await?;
    let status = if errors.is_empty() && message.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = TalkPage {
        chrome,
        today: civil_date(state.now()),
        can_record: principal.has(Action::TalkRecord),
        awaiting: talk.state.due().is_some(),
        next: talk.state.next_step(),
        party_cases,
        talk,
        step,
        errors,
        message,
        no_refund: NO_REFUND_ZH,
    };
    render_status(&page, status)
}

pub async fn talk_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    talk_with(
        &state,
        &principal,
        &info,
        &headers,
        &id,
        TalkStepInput::default(),
        FieldErrors::default(),
        None,
    )
    .await
}

#[allow(clippy::too_many_arguments)] // as `talk_with`
async fn after(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    id: &str,
    step: TalkStepInput,
    result: Result<i64, AppError>,
) -> PageResult {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/talks/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            talk_with(state, principal, info, headers, id, step, errors, None).await
        }
        Err(AppError::Refused { message, .. } | AppError::Conflict { message, .. }) => {
            talk_with(state, principal, info, headers, id, step, FieldErrors::default(), Some(message)).await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct InterviewForm {
    #[serde(default)]
    version: String,
    #[serde(flatten)]
    step: TalkStepInput,
}

pub async fn interview_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<InterviewForm>,
) -> PageResult {
    let result =
        ops::interview(&state, &principal.actor(&info), &id, form_version(&form.version), &form.step).await;
    after(&state, &principal, &info, &headers, &id, form.step, result).await
}

#[derive(Debug, Deserialize)]
pub struct ReinspectionForm {
    #[serde(default)]
    version: String,
    #[serde(flatten)]
    input: ReinspectionInput,
}

pub async fn reinspection_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<ReinspectionForm>,
) -> PageResult {
    let result =
        ops::reinspect(&state, &principal.actor(&info), &id, form_version(&form.version), &form.input).await;
    after(&state, &principal, &info, &headers, &id, TalkStepInput::default(), result).await
}

#[derive(Debug, Deserialize)]
pub struct CaseForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    case_id: String,
}

pub async fn case_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<CaseForm>,
) -> PageResult {
    let result =
        ops::link_case(&state, &principal.actor(&info), &id, form_version(&form.version), &form.case_id)
            .await;
    after(&state, &principal, &info, &headers, &id, TalkStepInput::default(), result).await
}
