//! Joint work with other departments (issue 17 scope 4): the 联席会议 of a year with the tasks
//! agreed and where each stands, a meeting's page (record tasks, report them done), and the
//! catalogue page where the office edits the matter classes and the partner departments. The
//! operations are `ops::joint` and `ops::intake::save_category`.

use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::intake::Category;
use crate::domain::intake::catalogue::CategoryInput;
use crate::domain::intake::joint::{
    Department, DepartmentInput, DoneInput, MeetingInput, TaskInput, TaskState,
};
use crate::domain::time::civil_date;
use crate::ops::joint::{self as ops, MeetingView};
use crate::store::joint::{MeetingRecord, TaskRecord};
use crate::web::body::JsonObject;
use crate::web::common::{VersionDto, YearQuery, year_of};
use crate::web::error::{ApiResult, AppError, PageResult};
use crate::web::guard::{Caller, Principal, RequestInfo};
use crate::web::pages::{Chrome, Lang, render_status};

/// How many task rows the meeting form offers (more are added on the meeting's page).
const FORM_TASKS: usize = 5;

// ----- API -----

/// A meeting with its tasks, each with where it stands today.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MeetingDto {
    #[serde(flatten)]
    pub meeting: MeetingRecord,
    pub tasks: Vec<TaskDto>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TaskDto {
    #[serde(flatten)]
    pub task: TaskRecord,
    /// `open`, `overdue`, `done_on_time` or `done_late`.
    pub state: &'static str,
}

fn state_code(state: TaskState) -> &'static str {
    match state {
        TaskState::Open => "open",
        TaskState::Overdue => "overdue",
        TaskState::Done { on_time: true } => "done_on_time",
        TaskState::Done { on_time: false } => "done_late",
    }
}

fn meeting_dto(view: MeetingView) -> MeetingDto {
    MeetingDto {
        meeting: view.meeting,
        tasks: view
            .tasks
            .into_iter()
            .map(|(task, state)| TaskDto { task, state: state_code(state) })
            .collect(),
    }
}

#[utoipa::path(get, path = "/api/v1/joint-meetings", tag = "intake", params(YearQuery),
    responses((status = 200, body = Vec<MeetingDto>), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_meetings(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<YearQuery>,
) -> ApiResult<Json<Vec<MeetingDto>>> {
    let year = year_of(&state, &query.year)?;
    let views = ops::meetings(&state, &principal.actor(&info), year).await?;
    Ok(Json(views.into_iter().map(meeting_dto).collect()))
}

#[utoipa::path(get, path = "/api/v1/joint-meetings/{id}", tag = "intake", params(("id" = String, Path)),
    responses((status = 200, body = MeetingDto), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_meeting(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<MeetingDto>> {
    Ok(Json(meeting_dto(ops::meeting(&state, &principal.actor(&info), &id).await?)))
}

/// A meeting held, with the tasks agreed at it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MeetingBody {
    #[serde(flatten)]
    pub meeting: MeetingInput,
    #[serde(default)]
    pub tasks: Vec<TaskInput>,
}

/// The id of what was recorded.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IdDto {
    pub id: String,
}

#[utoipa::path(post, path = "/api/v1/joint-meetings", tag = "intake", request_body = MeetingBody,
    responses((status = 201, body = IdDto), (status = 403, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_record(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<MeetingBody>,
) -> ApiResult<(StatusCode, Json<IdDto>)> {
    let id = ops::record_meeting(&state, &principal.actor(&info), &body.meeting, &body.tasks).await?;
    Ok((StatusCode::CREATED, Json(IdDto { id })))
}

#[utoipa::path(post, path = "/api/v1/joint-meetings/{id}/tasks", tag = "intake", params(("id" = String, Path)),
    request_body = TaskInput,
    responses((status = 201, body = IdDto), (status = 404, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_add_task(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<TaskInput>,
) -> ApiResult<(StatusCode, Json<IdDto>)> {
    let id = ops::add_task(&state, &principal.actor(&info), &id, &body).await?;
    Ok((StatusCode::CREATED, Json(IdDto { id })))
}

/// A task reported done over the version read.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DoneBody {
    pub version: i64,
    #[serde(flatten)]
    pub done: DoneInput,
}

#[utoipa::path(post, path = "/api/v1/joint-tasks/{id}/done", tag = "intake", params(("id" = String, Path)),
    request_body = DoneBody,
    responses((status = 200, body = IdDto, description = "the meeting's id"),
        (status = 404, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody, description = "`version_conflict`"),
        (status = 422, body = crate::web::error::ErrorBody, description = "a field, or `task_done`")))]
pub async fn api_done(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<DoneBody>,
) -> ApiResult<Json<IdDto>> {
    let meeting = ops::complete_task(&state, &principal.actor(&info), &id, body.version, &body.done).await?;
    Ok(Json(IdDto { id: meeting }))
}

#[utoipa::path(get, path = "/api/v1/partner-departments", tag = "intake",
    responses((status = 200, body = Vec<Department>)))]
pub async fn api_departments(
    State(state): State<AppState>,
    _caller: Caller,
) -> ApiResult<Json<Vec<Department>>> {
    Ok(Json(state.db.departments().await?))
}

/// A department with the version read (`0` for a new one).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct DepartmentBody {
    #[serde(default)]
    pub version: i64,
    #[serde(flatten)]
    pub department: DepartmentInput,
}

#[utoipa::path(post, path = "/api/v1/partner-departments", tag = "intake", request_body = DepartmentBody,
    responses((status = 200, body = VersionDto), (status = 409, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_save_department(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<DepartmentBody>,
) -> ApiResult<Json<VersionDto>> {
    let version =
        ops::save_department(&state, &principal.actor(&info), &body.department, body.version).await?;
    Ok(Json(VersionDto { version }))
}

// ----- Pages: the meetings -----

#[derive(Template)]
#[template(path = "joint_meetings.html")]
struct MeetingsPage {
    chrome: Chrome,
    year: i32,
    meetings: Vec<MeetingView>,
    /// Tasks agreed, done by their day, overdue now.
    summary: (usize, usize, usize),
    can_record: bool,
    input: MeetingInput,
    tasks: Vec<TaskInput>,
    departments: Vec<(String, String)>,
    errors: FieldErrors,
}

impl MeetingsPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

async fn meetings_with(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    year: i32,
    form: Option<(MeetingInput, Vec<TaskInput>, FieldErrors)>,
) -> PageResult {
    let chrome = Chrome::new(state, principal, headers, "joint", "联席会议", "Joint meetings").await?;
    let meetings = ops::meetings(state, &principal.actor(info), year).await?;
    let today = civil_date(state.now()).to_string();
    let (input, mut tasks, errors) = form.unwrap_or_else(|| {
        (MeetingInput { held_on: today, ..MeetingInput::default() }, Vec::new(), FieldErrors::default())
    });
    tasks.resize(FORM_TASKS, TaskInput::default());
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = MeetingsPage {
        chrome,
        year,
        summary: ops::year_summary(&meetings),
        meetings,
        can_record: principal.has(Action::JointWork),
        input,
        tasks,
        departments: state.db.partner_departments().await?,
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
    meetings_with(&state, &principal, &info, &headers, year, None).await
}

/// The meeting form: the meeting's fields and [`FORM_TASKS`] task rows (`task_1`, `owner_1`,
/// `due_on_1`, …), empty rows ignored.
pub async fn record_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let get = |name: &str| field(&pairs, name);
    let input = MeetingInput {
        held_on: get("held_on"),
        topic: get("topic"),
        place: get("place"),
        departments: pairs
            .iter()
            .filter(|(k, _)| k == "departments")
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
            .join("、"),
        attendees: get("attendees"),
        minutes: get("minutes"),
    };
    let tasks: Vec<TaskInput> = (1..=FORM_TASKS)
        .map(|n| TaskInput {
            task: get(&format!("task_{n}")),
            owner: get(&format!("owner_{n}")),
            due_on: get(&format!("due_on_{n}")),
        })
        .collect();
    // A row left empty (no task, no owner) is not a task.
    let filled: Vec<TaskInput> =
        tasks.iter().filter(|t| !(t.task.trim().is_empty() && t.owner.trim().is_empty())).cloned().collect();
    match ops::record_meeting(&state, &principal.actor(&info), &input, &filled).await {
        Ok(id) => Ok(Redirect::to(&format!("/matters/meetings/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let year = chrono::Datelike::year(&civil_date(state.now()));
            meetings_with(&state, &principal, &info, &headers, year, Some((input, tasks, errors))).await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Template)]
#[template(path = "joint_meeting.html")]
struct MeetingPage {
    chrome: Chrome,
    view: MeetingView,
    can_record: bool,
    today: String,
    message: Option<String>,
    errors: FieldErrors,
}

async fn meeting_with(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    id: &str,
    message: Option<String>,
    errors: FieldErrors,
) -> PageResult {
    let view = ops::meeting(state, &principal.actor(info), id).await?;
    let chrome =
        Chrome::new(state, principal, headers, "joint", &view.meeting.topic, "Joint meeting").await?;
    let status = if errors.is_empty() && message.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = MeetingPage {
        chrome,
        view,
        can_record: principal.has(Action::JointWork),
        today: civil_date(state.now()).to_string(),
        message,
        errors,
    };
    render_status(&page, status)
}

pub async fn meeting_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    meeting_with(&state, &principal, &info, &headers, &id, None, FieldErrors::default()).await
}

/// The answer to a form on a meeting's page: back to the page, or the page with what went wrong.
async fn after(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    meeting_id: &str,
    result: Result<(), AppError>,
) -> PageResult {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/matters/meetings/{meeting_id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            meeting_with(state, principal, info, headers, meeting_id, None, errors).await
        }
        Err(AppError::Refused { message, .. } | AppError::Conflict { message, .. }) => {
            meeting_with(state, principal, info, headers, meeting_id, Some(message), FieldErrors::default())
                .await
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn add_task_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(input): Form<TaskInput>,
) -> PageResult {
    let result = ops::add_task(&state, &principal.actor(&info), &id, &input).await.map(|_| ());
    after(&state, &principal, &info, &headers, &id, result).await
}

/// The done form: the version read, the day and what was done.
#[derive(Debug, Deserialize)]
pub struct DoneForm {
    #[serde(default)]
    version: String,
    #[serde(flatten)]
    done: DoneInput,
}

pub async fn done_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<DoneForm>,
) -> PageResult {
    let task = state.db.joint_task(&id).await?.ok_or(AppError::NotFound)?;
    let version = crate::web::common::form_version(&form.version);
    let result =
        ops::complete_task(&state, &principal.actor(&info), &id, version, &form.done).await.map(|_| ());
    after(&state, &principal, &info, &headers, &task.meeting_id, result).await
}

// ----- Pages: the catalogue and the partner departments -----

#[derive(Template)]
#[template(path = "matter_catalogue.html")]
struct CataloguePage {
    chrome: Chrome,
    classes: Vec<Category>,
    departments: Vec<Department>,
    can_edit: bool,
    message: Option<String>,
    errors: FieldErrors,
}

async fn catalogue_with(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    message: Option<String>,
    errors: FieldErrors,
) -> PageResult {
    let chrome =
        Chrome::new(state, principal, headers, "catalogue", "事项目录与协作部门", "Catalogue").await?;
    let status = if errors.is_empty() && message.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = CataloguePage {
        chrome,
        classes: state.db.matter_categories().await?,
        departments: state.db.departments().await?,
        can_edit: principal.has(Action::MatterCatalogueEdit),
        message,
        errors,
    };
    render_status(&page, status)
}

pub async fn catalogue_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
) -> PageResult {
    catalogue_with(&state, &principal, &headers, None, FieldErrors::default()).await
}

/// A form's checkbox: present (`on`) or absent.
fn checked(pairs: &[(String, String)], name: &str) -> bool {
    pairs.iter().any(|(k, v)| k == name && matches!(v.as_str(), "on" | "true" | "1"))
}

fn field(pairs: &[(String, String)], name: &str) -> String {
    pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
}

async fn catalogue_after(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    result: Result<i64, AppError>,
) -> PageResult {
    match result {
        Ok(_) => Ok(Redirect::to("/matters/catalogue").into_response()),
        Err(AppError::Invalid(errors)) => catalogue_with(state, principal, headers, None, errors).await,
        Err(AppError::Conflict { message, .. } | AppError::Refused { message, .. }) => {
            catalogue_with(state, principal, headers, Some(message), FieldErrors::default()).await
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn class_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let input = CategoryInput {
        code: field(&pairs, "code"),
        name: field(&pairs, "name"),
        kind: field(&pairs, "kind"),
        group: field(&pairs, "group"),
        public: checked(&pairs, "public"),
        handle_normal: field(&pairs, "handle_normal"),
        handle_urgent: field(&pairs, "handle_urgent"),
        active: checked(&pairs, "active"),
    };
    let version = field(&pairs, "version").trim().parse::<i64>().unwrap_or(0);
    let result = crate::ops::intake::save_category(&state, &principal.actor(&info), &input, version).await;
    catalogue_after(&state, &principal, &headers, result).await
}

pub async fn department_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let input = DepartmentInput {
        id: field(&pairs, "id"),
        name: field(&pairs, "name"),
        active: checked(&pairs, "active"),
    };
    let version = field(&pairs, "version").trim().parse::<i64>().unwrap_or(0);
    let result = ops::save_department(&state, &principal.actor(&info), &input, version).await;
    catalogue_after(&state, &principal, &headers, result).await
}

impl CataloguePage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

impl MeetingPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }

    fn recorded(&self, meeting: &MeetingRecord) -> String {
        crate::domain::time::display(meeting.recorded_at)
    }
}
