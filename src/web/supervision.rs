//! 督察 (issue 16 scope 3): the overview (the year's meeting targets and the opinion tracker),
//! the register, the meetings with their files, one opinion with its steps and forms, a
//! supervisor's own page, the workbook, and the same under `/api/v1`. The operations are
//! `ops::supervision`.

use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::supervision::{
    AnswerInput, AssignInput, OpinionInput, OpinionKind, OpinionState, Progress, ReviewInput,
    SupervisorInput, SupervisorKind, SupervisorMeetingInput, TargetInput,
};
use crate::domain::time::civil_date;
use crate::ops::supervision::{
    self as ops, OpinionFilter, OpinionView, OwnOpinion, SupervisorMeetingView, SupervisorView,
};
use crate::store::AuditEvent;
use crate::store::org::Unit;
use crate::store::supervision::SupervisorMeeting;
use crate::web::body::JsonObject;
use crate::web::common::{CreatedDto, VersionDto, YearQuery, form_version, year_of};
use crate::web::error::{ApiResult, AppError, PageResult};
use crate::web::guard::{Caller, Principal, RequestInfo};
use crate::web::pages::{Chrome, Lang, render_status};

/// The largest meeting file: a scanned set of minutes or a short video of the meeting.
pub const FILE_MAX_BYTES: u64 = 512 * 1024 * 1024;

/// A supervisor as written through the API: the register's fields and the login to link.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct SupervisorBody {
    #[serde(flatten)]
    pub supervisor: SupervisorInput,
    /// The username of a 监督员 login to link (empty: none).
    #[serde(default)]
    pub account: String,
    /// The version read (a change); absent for a new supervisor.
    #[serde(default)]
    pub version: i64,
}

/// `?state=` of the opinion list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct OpinionQuery {
    /// `received`, `assigned`, `answered`, `accepted`, `returned` or `overdue`; empty: all.
    #[param(pattern = r"^(received|assigned|answered|accepted|returned|overdue)?$")]
    pub state: String,
}

fn filter_of(raw: &str) -> Result<OpinionFilter, AppError> {
    OpinionFilter::parse(raw)
        .ok_or_else(|| FieldErrors::single("state", "invalid_value", "办理状态不正确").into())
}

#[utoipa::path(get, path = "/api/v1/supervision/supervisors", tag = "assessment",
    responses((status = 200, body = [SupervisorView])))]
pub async fn api_register(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
) -> ApiResult<Json<Vec<SupervisorView>>> {
    Ok(Json(ops::register(&state, &principal.actor(&info)).await?))
}

#[utoipa::path(post, path = "/api/v1/supervision/supervisors", tag = "assessment", request_body = SupervisorBody,
    responses((status = 201, body = CreatedDto), (status = 403, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_add_supervisor(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<SupervisorBody>,
) -> ApiResult<(StatusCode, Json<CreatedDto>)> {
    let (id, _) =
        ops::save_supervisor(&state, &principal.actor(&info), None, &body.supervisor, &body.account, 0)
            .await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

#[utoipa::path(put, path = "/api/v1/supervision/supervisors/{id}", tag = "assessment", request_body = SupervisorBody,
    params(("id" = String, Path)),
    responses((status = 200, body = VersionDto), (status = 404, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_save_supervisor(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<SupervisorBody>,
) -> ApiResult<Json<VersionDto>> {
    let version = body.version.max(1);
    let (_, version) = ops::save_supervisor(
        &state,
        &principal.actor(&info),
        Some(&id),
        &body.supervisor,
        &body.account,
        version,
    )
    .await?;
    Ok(Json(VersionDto { version }))
}

#[utoipa::path(get, path = "/api/v1/supervision/progress", tag = "assessment", params(YearQuery),
    responses((status = 200, body = [Progress]), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_progress(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<YearQuery>,
) -> ApiResult<Json<Vec<Progress>>> {
    let year = year_of(&state, &query.year)?;
    Ok(Json(ops::year_progress(&state, &principal.actor(&info), year).await?))
}

#[utoipa::path(put, path = "/api/v1/supervision/targets/{year}", tag = "assessment", request_body = TargetInput,
    params(("year" = i32, Path, minimum = 2000, maximum = 2100)),
    responses((status = 204), (status = 403, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_set_target(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(year): Path<String>,
    JsonObject(body): JsonObject<TargetInput>,
) -> ApiResult<StatusCode> {
    let year = year_of(&state, &year)?;
    ops::set_target(&state, &principal.actor(&info), year, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/supervision/meetings", tag = "assessment", params(YearQuery),
    responses((status = 200, body = [SupervisorMeeting]), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_meetings(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<YearQuery>,
) -> ApiResult<Json<Vec<SupervisorMeeting>>> {
    let year = year_of(&state, &query.year)?;
    Ok(Json(ops::meetings(&state, &principal.actor(&info), year).await?))
}

#[utoipa::path(post, path = "/api/v1/supervision/meetings", tag = "assessment", request_body = SupervisorMeetingInput,
    responses((status = 201, body = CreatedDto), (status = 403, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_record_meeting(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<SupervisorMeetingInput>,
) -> ApiResult<(StatusCode, Json<CreatedDto>)> {
    let id = ops::record_meeting(&state, &principal.actor(&info), &body).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

#[utoipa::path(get, path = "/api/v1/supervision/meetings/{id}", tag = "assessment", params(("id" = String, Path)),
    responses((status = 200, body = SupervisorMeetingView), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_meeting(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<SupervisorMeetingView>> {
    Ok(Json(ops::meeting(&state, &principal.actor(&info), &id).await?))
}

#[utoipa::path(get, path = "/api/v1/supervision/opinions", tag = "assessment", params(OpinionQuery),
    responses((status = 200, body = [OpinionView]), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_opinions(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<OpinionQuery>,
) -> ApiResult<Json<Vec<OpinionView>>> {
    let filter = filter_of(&query.state)?;
    Ok(Json(ops::opinions(&state, &principal.actor(&info), filter).await?))
}

#[utoipa::path(post, path = "/api/v1/supervision/opinions", tag = "assessment", request_body = OpinionInput,
    responses((status = 201, body = CreatedDto), (status = 403, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_raise(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<OpinionInput>,
) -> ApiResult<(StatusCode, Json<CreatedDto>)> {
    let id = ops::raise(&state, &principal.actor(&info), &body).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

#[utoipa::path(get, path = "/api/v1/supervision/opinions/{id}", tag = "assessment", params(("id" = String, Path)),
    responses((status = 200, body = OpinionView), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_opinion(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<OpinionView>> {
    Ok(Json(ops::opinion(&state, &principal.actor(&info), &id).await?))
}

#[utoipa::path(post, path = "/api/v1/supervision/opinions/{id}/assign", tag = "assessment", request_body = AssignInput,
    params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_assign(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<AssignInput>,
) -> ApiResult<StatusCode> {
    ops::assign(&state, &principal.actor(&info), &id, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/supervision/opinions/{id}/answer", tag = "assessment", request_body = AnswerInput,
    params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_answer(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<AnswerInput>,
) -> ApiResult<StatusCode> {
    ops::answer(&state, &principal.actor(&info), &id, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/supervision/opinions/{id}/review", tag = "assessment", request_body = ReviewInput,
    params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_review(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<ReviewInput>,
) -> ApiResult<StatusCode> {
    ops::review(&state, &principal.actor(&info), &id, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/supervision/mine", tag = "assessment",
    responses((status = 200, body = [OwnOpinion])))]
pub async fn api_mine(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
) -> ApiResult<Json<Vec<OwnOpinion>>> {
    Ok(Json(ops::mine(&state, &principal.actor(&info)).await?))
}

#[utoipa::path(post, path = "/api/v1/supervision/mine", tag = "assessment", request_body = OpinionInput,
    responses((status = 201, body = CreatedDto), (status = 403, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_raise_own(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<OpinionInput>,
) -> ApiResult<(StatusCode, Json<CreatedDto>)> {
    let id = ops::raise(&state, &principal.actor(&info), &body).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

// ---- Pages ----

fn this_year(state: &AppState) -> i32 {
    chrono::Datelike::year(&civil_date(state.now()))
}

fn state_tag(state: OpinionState, overdue: bool) -> &'static str {
    match (state, overdue) {
        (_, true) => "tag tag-danger",
        (OpinionState::Accepted, _) => "tag tag-success",
        (OpinionState::Answered, _) => "tag tag-info",
        (OpinionState::Returned, _) => "tag tag-warning",
        _ => "tag",
    }
}

#[derive(Template)]
#[template(path = "supervision.html")]
struct OverviewPage {
    chrome: Chrome,
    year: i32,
    progress: Vec<Progress>,
    opinions: Vec<OpinionView>,
    filter: String,
    can_manage: bool,
    supervisors: Vec<SupervisorView>,
    meetings: Vec<SupervisorMeeting>,
    opinion: OpinionInput,
    target: TargetInput,
    errors: FieldErrors,
}

impl OverviewPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
    fn tag(&self, o: &OpinionView) -> &'static str {
        state_tag(o.standing.state, o.standing.overdue)
    }
    fn kinds(&self) -> &'static [SupervisorKind] {
        SupervisorKind::ALL
    }
    fn opinion_kinds(&self) -> &'static [OpinionKind] {
        OpinionKind::ALL
    }
    fn states(&self) -> &'static [OpinionState] {
        OpinionState::ALL
    }
    fn count(&self, state: &OpinionState) -> usize {
        self.opinions.iter().filter(|o| o.standing.state == *state).count()
    }
    fn overdue(&self) -> usize {
        self.opinions.iter().filter(|o| o.standing.overdue).count()
    }
    fn shown(&self) -> Vec<&OpinionView> {
        let filter = OpinionFilter::parse(&self.filter).unwrap_or_default();
        self.opinions.iter().filter(|o| filter.admits(&o.standing)).collect()
    }
}

async fn overview_with(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    (year, filter): (i32, String),
    forms: (OpinionInput, TargetInput),
    errors: FieldErrors,
) -> PageResult {
    let actor = principal.actor(info);
    filter_of(&filter)?;
    let can_manage = principal.has(Action::SupervisionManage);
    let (supervisors, meetings) = if can_manage {
        (ops::register(state, &actor).await?, ops::meetings(state, &actor, year).await?)
    } else {
        (Vec::new(), Vec::new())
    };
    let chrome = Chrome::new(state, principal, headers, "supervision", "督察", "Supervision").await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = OverviewPage {
        chrome,
        year,
        progress: ops::year_progress(state, &actor, year).await?,
        // The year's opinions, and the ones from earlier years still open.
        opinions: ops::opinions(state, &actor, OpinionFilter::All)
            .await?
            .into_iter()
            .filter(|o| {
                chrono::Datelike::year(&o.received_on) == year
                    || (chrono::Datelike::year(&o.received_on) < year
                        && o.standing.state != OpinionState::Accepted)
            })
            .collect(),
        filter,
        can_manage,
        supervisors: supervisors.into_iter().filter(|s| s.in_term).collect(),
        meetings,
        opinion: forms.0,
        target: forms.1,
        errors,
    };
    render_status(&page, status)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OverviewQuery {
    year: String,
    state: String,
}

pub async fn overview(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Query(query): Query<OverviewQuery>,
) -> PageResult {
    let year = year_of(&state, &query.year)?;
    overview_with(
        &state,
        &principal,
        &info,
        &headers,
        (year, query.state),
        Default::default(),
        FieldErrors::default(),
    )
    .await
}

pub async fn raise_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(input): Form<OpinionInput>,
) -> PageResult {
    match ops::raise(&state, &principal.actor(&info), &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/supervision/opinions/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = (this_year(&state), String::new());
            overview_with(&state, &principal, &info, &headers, page, (input, TargetInput::default()), errors)
                .await
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn target_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(input): Form<TargetInput>,
) -> PageResult {
    let year = this_year(&state);
    match ops::set_target(&state, &principal.actor(&info), year, &input).await {
        Ok(()) => Ok(Redirect::to("/supervision#progress").into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = (year, String::new());
            overview_with(&state, &principal, &info, &headers, page, (OpinionInput::default(), input), errors)
                .await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Template)]
#[template(path = "supervision_register.html")]
struct RegisterPage {
    chrome: Chrome,
    supervisors: Vec<SupervisorView>,
    can_manage: bool,
    /// The supervisor being edited (empty: a new one) and the version read.
    editing: String,
    version: i64,
    form: SupervisorInput,
    account: String,
    /// A phone the office revealed, with whose it is.
    revealed: Option<(String, String)>,
    errors: FieldErrors,
}

impl RegisterPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
    fn kinds(&self) -> &'static [SupervisorKind] {
        SupervisorKind::ALL
    }
    fn phone_of(&self, s: &SupervisorView) -> String {
        match &self.revealed {
            Some((id, phone)) if *id == s.id => phone.clone(),
            _ => s.phone_masked.clone(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RegisterQuery {
    edit: String,
}

struct RegisterForm {
    editing: String,
    version: i64,
    form: SupervisorInput,
    account: String,
}

async fn register_with(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    form: RegisterForm,
    revealed: Option<(String, String)>,
    errors: FieldErrors,
) -> PageResult {
    let actor = principal.actor(info);
    let supervisors = ops::register(state, &actor).await?;
    let chrome =
        Chrome::new(state, principal, headers, "supervision", "监督员名册", "Supervisors' register").await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = RegisterPage {
        chrome,
        supervisors,
        can_manage: principal.has(Action::SupervisionManage),
        editing: form.editing,
        version: form.version,
        form: form.form,
        account: form.account,
        revealed,
        errors,
    };
    render_status(&page, status)
}

pub async fn register_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Query(query): Query<RegisterQuery>,
) -> PageResult {
    let form = if query.edit.is_empty() {
        RegisterForm {
            editing: String::new(),
            version: 0,
            form: SupervisorInput::default(),
            account: String::new(),
        }
    } else {
        let s = ops::supervisor(&state, &principal.actor(&info), &query.edit).await?;
        RegisterForm {
            editing: s.id.clone(),
            version: s.version,
            form: SupervisorInput {
                kind: s.kind.code().to_owned(),
                name: s.name,
                affiliation: s.affiliation,
                // The phone is never put back into a form unmasked: left empty, it is kept.
                phone: String::new(),
                term_from: s.term_from.to_string(),
                term_to: s.term_to.to_string(),
            },
            account: s.account.unwrap_or_default(),
        }
    };
    register_with(&state, &principal, &info, &headers, form, None, FieldErrors::default()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SupervisorForm {
    id: String,
    version: String,
    account: String,
    #[serde(flatten)]
    supervisor: SupervisorInput,
}

pub async fn supervisor_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(form): Form<SupervisorForm>,
) -> PageResult {
    let actor = principal.actor(&info);
    let editing = (!form.id.is_empty()).then_some(form.id.as_str());
    let version = if editing.is_some() { form_version(&form.version) } else { 0 };
    match ops::save_supervisor(&state, &actor, editing, &form.supervisor, &form.account, version).await {
        Ok(_) => Ok(Redirect::to("/supervision/supervisors").into_response()),
        Err(AppError::Invalid(errors)) => {
            let back =
                RegisterForm { editing: form.id, version, form: form.supervisor, account: form.account };
            register_with(&state, &principal, &info, &headers, back, None, errors).await
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn reveal_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    let phone = ops::reveal_phone(&state, &principal.actor(&info), &id).await?;
    let form = RegisterForm {
        editing: String::new(),
        version: 0,
        form: SupervisorInput::default(),
        account: String::new(),
    };
    register_with(&state, &principal, &info, &headers, form, Some((id, phone)), FieldErrors::default()).await
}

#[derive(Template)]
#[template(path = "supervision_meetings.html")]
struct MeetingsPage {
    chrome: Chrome,
    year: i32,
    meetings: Vec<SupervisorMeeting>,
    can_manage: bool,
    supervisors: Vec<SupervisorView>,
    today: String,
    form: SupervisorMeetingInput,
    errors: FieldErrors,
}

impl MeetingsPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
    fn kinds(&self) -> &'static [SupervisorKind] {
        SupervisorKind::ALL
    }
    fn chosen(&self, id: &str) -> bool {
        self.form.attendees.iter().any(|a| a == id)
    }
}

async fn meetings_with(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    year: i32,
    form: SupervisorMeetingInput,
    errors: FieldErrors,
) -> PageResult {
    let actor = principal.actor(info);
    let can_manage = principal.has(Action::SupervisionManage);
    let supervisors = if can_manage { ops::register(state, &actor).await? } else { Vec::new() };
    let chrome =
        Chrome::new(state, principal, headers, "supervision", "监督员座谈会", "Supervisors' meetings")
            .await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = MeetingsPage {
        chrome,
        year,
        meetings: ops::meetings(state, &actor, year).await?,
        can_manage,
        supervisors,
        today: civil_date(state.now()).to_string(),
        form,
        errors,
    };
    render_status(&page, status)
}

pub async fn meetings_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Query(query): Query<YearQuery>,
) -> PageResult {
    let year = year_of(&state, &query.year)?;
    meetings_with(
        &state,
        &principal,
        &info,
        &headers,
        year,
        SupervisorMeetingInput::default(),
        FieldErrors::default(),
    )
    .await
}

/// The meeting form: repeated `attendees` fields, read as pairs.
pub async fn meeting_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let value = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default();
    let input = SupervisorMeetingInput {
        kind: value("kind"),
        held_on: value("held_on"),
        place: value("place"),
        agenda: value("agenda"),
        minutes: value("minutes"),
        attendees: pairs.iter().filter(|(k, _)| k == "attendees").map(|(_, v)| v.clone()).collect(),
    };
    match ops::record_meeting(&state, &principal.actor(&info), &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/supervision/meetings/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            meetings_with(&state, &principal, &info, &headers, this_year(&state), input, errors).await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Template)]
#[template(path = "supervision_meeting.html")]
struct MeetingPage {
    chrome: Chrome,
    view: SupervisorMeetingView,
    can_manage: bool,
}

impl MeetingPage {
    fn tag(&self, o: &OpinionView) -> &'static str {
        state_tag(o.standing.state, o.standing.overdue)
    }
    fn size_of(&self, bytes: &i64) -> String {
        crate::web::common::human_size(*bytes)
    }
}

pub async fn meeting_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    let view = ops::meeting(&state, &principal.actor(&info), &id).await?;
    let chrome = Chrome::new(&state, &principal, &headers, "supervision", "座谈会", "Meeting").await?;
    let page = MeetingPage { chrome, view, can_manage: principal.has(Action::SupervisionManage) };
    render_status(&page, StatusCode::OK)
}

/// A file for the meeting (multipart: `file` and `title`).
pub async fn file_upload(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    multipart: axum::extract::Multipart,
) -> PageResult {
    let upload = crate::web::common::read_upload(&state, multipart, FILE_MAX_BYTES).await?;
    ops::add_meeting_file(
        &state,
        &principal.actor(&info),
        &id,
        &upload.title,
        &upload.file_name,
        upload.ingested,
    )
    .await?;
    Ok(Redirect::to(&format!("/supervision/meetings/{id}#files")).into_response())
}

/// A meeting's file, to whoever reads the meetings.
pub async fn file_download(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> PageResult {
    let file = state.db.attachment(&id).await?.ok_or(AppError::NotFound)?;
    if file.owner_kind != ops::MEETING_FILES || !principal.has(Action::SupervisionView) {
        return Err(AppError::NotFound.into());
    }
    let stored = (file.id.as_str(), file.sha256.as_str(), file.size, file.media_type.as_str());
    Ok(crate::web::common::stored_file_response(&state, stored, "file_damaged").await?)
}

#[derive(Template)]
#[template(path = "supervision_opinion.html")]
struct OpinionPage {
    chrome: Chrome,
    view: OpinionView,
    units: Vec<Unit>,
    can_manage: bool,
    can_answer: bool,
    assign: AssignInput,
    answer: AnswerInput,
    review: ReviewInput,
    errors: FieldErrors,
}

impl OpinionPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
    fn tag(&self) -> &'static str {
        state_tag(self.view.standing.state, self.view.standing.overdue)
    }
    fn seen(&self) -> usize {
        self.view.steps.len()
    }
    fn unit_name(&self, id: &Option<String>) -> String {
        let id = id.as_deref().unwrap_or_default();
        self.units.iter().find(|u| u.id == id).map(|u| u.name.clone()).unwrap_or_default()
    }
    fn may_assign(&self) -> bool {
        self.can_manage
            && self.view.standing.state.after(crate::domain::supervision::StepKind::Assigned).is_ok()
    }
    fn may_answer(&self) -> bool {
        self.can_answer
            && self.view.standing.state.after(crate::domain::supervision::StepKind::Answered).is_ok()
    }
    fn may_review(&self) -> bool {
        self.can_manage && self.view.standing.state == OpinionState::Answered
    }
}

async fn opinion_with(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    id: &str,
    forms: (AssignInput, AnswerInput, ReviewInput),
    errors: FieldErrors,
) -> PageResult {
    let actor = principal.actor(info);
    let view = ops::opinion(state, &actor, id).await?;
    let units = state.db.units().await?;
    let can_answer = principal.has(Action::SupervisionAnswer)
        && view.standing.unit_id.as_deref().is_some_and(|u| {
            crate::ops::people::unit_visible(&units, &principal.visibility(Action::SupervisionAnswer), u)
        });
    let chrome =
        Chrome::new(state, principal, headers, "supervision", "督察意见", "Supervisor's opinion").await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = OpinionPage {
        chrome,
        view,
        units,
        can_manage: principal.has(Action::SupervisionManage),
        can_answer,
        assign: forms.0,
        answer: forms.1,
        review: forms.2,
        errors,
    };
    render_status(&page, status)
}

pub async fn opinion_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    opinion_with(&state, &principal, &info, &headers, &id, Default::default(), FieldErrors::default()).await
}

/// What the step forms send: the form's fields and how many steps the page showed.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StepForm {
    unit_id: String,
    due_on: String,
    answer: String,
    decision: String,
    reason: String,
    seen_steps: String,
}

impl StepForm {
    fn seen(&self) -> Option<i64> {
        Some(form_version(&self.seen_steps))
    }
}

pub async fn step_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path((id, step)): Path<(String, String)>,
    Form(form): Form<StepForm>,
) -> PageResult {
    let actor = principal.actor(&info);
    let assign =
        AssignInput { unit_id: form.unit_id.clone(), due_on: form.due_on.clone(), seen_steps: form.seen() };
    let answer = AnswerInput { answer: form.answer.clone(), seen_steps: form.seen() };
    let review = ReviewInput {
        accept: form.decision == "accept",
        reason: form.reason.clone(),
        seen_steps: form.seen(),
    };
    let done = match step.as_str() {
        "assign" => ops::assign(&state, &actor, &id, &assign).await,
        "answer" => ops::answer(&state, &actor, &id, &answer).await,
        "review" => ops::review(&state, &actor, &id, &review).await,
        _ => Err(AppError::NotFound),
    };
    match done {
        Ok(()) => Ok(Redirect::to(&format!("/supervision/opinions/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            opinion_with(&state, &principal, &info, &headers, &id, (assign, answer, review), errors).await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Template)]
#[template(path = "supervision_mine.html")]
struct MinePage {
    chrome: Chrome,
    opinions: Vec<OwnOpinion>,
    form: OpinionInput,
    errors: FieldErrors,
}

impl MinePage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
    fn opinion_kinds(&self) -> &'static [OpinionKind] {
        OpinionKind::ALL
    }
    fn tag(&self, o: &OwnOpinion) -> &'static str {
        state_tag(o.state, false)
    }
}

async fn mine_with(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    form: OpinionInput,
    errors: FieldErrors,
) -> PageResult {
    let opinions = ops::mine(state, &principal.actor(info)).await?;
    let chrome =
        Chrome::new(state, principal, headers, "supervision_mine", "我的意见", "My opinions").await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    render_status(&MinePage { chrome, opinions, form, errors }, status)
}

pub async fn mine_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
) -> PageResult {
    mine_with(&state, &principal, &info, &headers, OpinionInput::default(), FieldErrors::default()).await
}

pub async fn mine_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(input): Form<OpinionInput>,
) -> PageResult {
    match ops::raise(&state, &principal.actor(&info), &input).await {
        Ok(_) => Ok(Redirect::to("/supervision/mine").into_response()),
        Err(AppError::Invalid(errors)) => mine_with(&state, &principal, &info, &headers, input, errors).await,
        Err(error) => Err(error.into()),
    }
}

fn workbook(
    year: i32,
    progress: &[Progress],
    opinions: &[OpinionView],
    meetings: &[SupervisorMeeting],
    supervisors: &[SupervisorView],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#E8EEF7");
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();

    let sheet = workbook.add_worksheet();
    sheet.set_name("意见办理")?;
    let heads = [
        "收到日期",
        "监督员",
        "类别",
        "类型",
        "内容",
        "承办单位",
        "答复期限",
        "状态",
        "超期",
        "答复日期",
        "答复",
    ];
    for (c, h) in heads.iter().enumerate() {
        sheet.write_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, o) in opinions.iter().enumerate() {
        let row = (r + 1) as u32;
        let s = &o.standing;
        sheet.write(row, 0, o.received_on.to_string())?;
        sheet.write(row, 1, o.supervisor_name.as_str())?;
        sheet.write(row, 2, o.supervisor_kind.name_zh())?;
        sheet.write(row, 3, o.kind.name_zh())?;
        sheet.write(row, 4, o.content.as_str())?;
        sheet.write(row, 5, o.unit_name.as_str())?;
        sheet.write(row, 6, date(s.due_on))?;
        sheet.write(row, 7, s.state.name_zh())?;
        sheet.write(row, 8, if s.overdue { "超期" } else { "" })?;
        sheet.write(row, 9, date(s.answered_on))?;
        sheet.write(row, 10, s.answer.clone().unwrap_or_default())?;
    }

    let sheet = workbook.add_worksheet();
    sheet.set_name("座谈会")?;
    for (c, h) in ["日期", "类别", "地点", "议程", "出席人数"].iter().enumerate() {
        sheet.write_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, m) in meetings.iter().enumerate() {
        let row = (r + 1) as u32;
        sheet.write(row, 0, m.held_on.to_string())?;
        sheet.write(row, 1, m.kind.name_zh())?;
        sheet.write(row, 2, m.place.as_str())?;
        sheet.write(row, 3, m.agenda.as_str())?;
        sheet.write(row, 4, m.attendees.len() as f64)?;
    }

    let sheet = workbook.add_worksheet();
    sheet.set_name("目标进度")?;
    for (c, h) in
        ["年度", "类别", "年度目标（次）", "应完成（次）", "已召开（次）", "是否落后"].iter().enumerate()
    {
        sheet.write_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, p) in progress.iter().enumerate() {
        let row = (r + 1) as u32;
        sheet.write(row, 0, f64::from(year))?;
        sheet.write(row, 1, p.kind.name_zh())?;
        sheet.write(row, 2, f64::from(p.target))?;
        sheet.write(row, 3, f64::from(p.expected))?;
        sheet.write(row, 4, f64::from(p.held))?;
        sheet.write(row, 5, if p.behind { "落后" } else { "" })?;
    }

    let sheet = workbook.add_worksheet();
    sheet.set_name("监督员名册")?;
    for (c, h) in ["姓名", "类别", "单位/身份", "联系电话", "任期开始", "任期结束", "在任"].iter().enumerate()
    {
        sheet.write_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, s) in supervisors.iter().enumerate() {
        let row = (r + 1) as u32;
        sheet.write(row, 0, s.name.as_str())?;
        sheet.write(row, 1, s.kind.name_zh())?;
        sheet.write(row, 2, s.affiliation.as_str())?;
        // The workbook leaves the system: phones stay masked in it.
        sheet.write(row, 3, s.phone_masked.as_str())?;
        sheet.write(row, 4, s.term_from.to_string())?;
        sheet.write(row, 5, s.term_to.to_string())?;
        sheet.write(row, 6, if s.in_term { "是" } else { "否" })?;
    }
    workbook.save_to_buffer()
}

/// `导出Excel`: the opinions (the reader's scope), the year's meetings, the progress and — for
/// the office and the leaders — the register with phones masked; audited.
pub async fn export(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<YearQuery>,
) -> PageResult {
    let year = year_of(&state, &query.year)?;
    let actor = principal.actor(&info);
    let progress = ops::year_progress(&state, &actor, year).await?;
    let opinions: Vec<OpinionView> = ops::opinions(&state, &actor, OpinionFilter::All)
        .await?
        .into_iter()
        .filter(|o| chrono::Datelike::year(&o.received_on) == year)
        .collect();
    let meetings = ops::meetings(&state, &actor, year).await?;
    let supervisors = if principal.visibility(Action::SupervisionView) == crate::store::org::Visibility::All {
        ops::register(&state, &actor).await?
    } else {
        Vec::new()
    };
    let bytes = workbook(year, &progress, &opinions, &meetings, &supervisors)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the workbook: {e}")))?;
    state
        .db
        .audit_only(
            &actor.audit_ctx(),
            state.now(),
            AuditEvent::new("supervision.export", "supervision", year.to_string())
                .details(serde_json::json!({ "opinions": opinions.len(), "supervisors": supervisors.len() })),
        )
        .await?;
    Ok(crate::web::common::xlsx_response(
        bytes,
        &format!("supervision_{year}.xlsx"),
        &format!("督察_{year}.xlsx"),
    ))
}
