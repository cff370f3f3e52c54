//! The acceptance centre's intake (issue 17): the matter list (a squad's task list on the
//! phone), the intake desk that files a call, a matter's page with the loop's steps, and the
//! JSON API of the same. The operations are `ops::intake`.

use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::intake::catalogue::CategoryInput;
use crate::domain::intake::flow::{StepInput, offered, step_name_zh};
use crate::domain::intake::{
    Category, Matter, Measure, ReportInput, Resolution, Satisfaction, Source, Status, TimeRequestKind,
};
use crate::domain::org::UnitKind;
use crate::domain::time::display;
use crate::ops::intake::{self as ops, Filer, MatterDetail, ReporterView};
use crate::store::intake::{MatterEntry, MatterFilter};
use crate::web::body::JsonObject;
use crate::web::common::VersionDto;
use crate::web::error::{ApiResult, AppError, PageResult};
use crate::web::guard::{Caller, Principal};
use crate::web::pages::{Chrome, Lang, render_status};

/// The sources staff file for (the public's two ways in have their own entry points).
const STAFF_SOURCES: [Source; 4] = [Source::Hotline, Source::Patrol, Source::Supervisor, Source::Media];

/// A matter as the API gives it. No reporter is in it: they are a separate, masked read.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MatterDto {
    pub id: String,
    pub number: String,
    pub source: String,
    pub category: String,
    pub urgency: String,
    pub status: String,
    pub status_zh: String,
    pub title: String,
    pub description: String,
    pub address: String,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub reported_at: String,
    pub unit_id: Option<String>,
    /// When the current step is due (RFC 3339, UTC).
    pub due_at: Option<String>,
    pub overdue: bool,
    pub handle_due_at: Option<String>,
    pub close_due_at: Option<String>,
    pub rework_count: u32,
    pub extension_count: u32,
    /// `service`, `management` or `enforcement` (721).
    pub resolution: Option<String>,
    pub measures: Vec<String>,
    pub result: String,
    pub case_id: Option<String>,
    pub referral_department: Option<String>,
    pub merged_into: Option<String>,
    pub satisfaction: Option<String>,
    pub public_note: String,
    pub pending_request: Option<String>,
    pub version: i64,
}

impl MatterDto {
    fn new(m: &Matter, now: chrono::DateTime<chrono::Utc>) -> MatterDto {
        MatterDto {
            id: m.id.clone(),
            number: m.number.clone(),
            source: m.source.code().to_owned(),
            category: m.category.clone(),
            urgency: m.urgency.code().to_owned(),
            status: m.status.code().to_owned(),
            status_zh: m.status.name_zh().to_owned(),
            title: m.title.clone(),
            description: m.description.clone(),
            address: m.address.clone(),
            lat: m.point.map(|p| p.lat),
            long: m.point.map(|p| p.long),
            reported_at: m.reported_at.to_rfc3339(),
            unit_id: m.unit_id.clone(),
            due_at: m.due_at.map(|t| t.to_rfc3339()),
            overdue: m.is_overdue(now),
            handle_due_at: m.handle_due_at.map(|t| t.to_rfc3339()),
            close_due_at: m.close_due_at.map(|t| t.to_rfc3339()),
            rework_count: m.rework_count,
            extension_count: m.extension_count,
            resolution: m.resolution.map(|r| r.code().to_owned()),
            measures: m.measures.iter().map(|x| x.code().to_owned()).collect(),
            result: m.result.clone(),
            case_id: m.case_id.clone(),
            referral_department: m.referral.as_ref().map(|r| r.department.clone()),
            merged_into: m.merged_into.clone(),
            satisfaction: m.satisfaction.map(|s| s.code().to_owned()),
            public_note: m.public_note.clone(),
            pending_request: m.pending_request.as_ref().map(|r| r.kind.code().to_owned()),
            version: m.version,
        }
    }
}

/// `?status=&unit=&overdue=1&page=`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct MatterQuery {
    /// A status code (`reported`, `accepted`, `dispatched`, …); empty: all.
    #[param(
        pattern = "^(reported|rejected|accepted|dispatched|awaiting_case|handled|verified|referred|closed|merged)?$"
    )]
    pub status: String,
    /// A unit id: matters dispatched to it.
    pub unit: String,
    /// `1`: only matters whose current step is past due.
    #[param(pattern = "^[01]?$")]
    pub overdue: String,
    /// From 1.
    #[param(pattern = "^[0-9]{0,4}$")]
    pub page: String,
}

const PAGE_SIZE: i64 = 50;

impl MatterQuery {
    fn filter(&self, now: chrono::DateTime<chrono::Utc>) -> Result<MatterFilter, AppError> {
        let status = match self.status.as_str() {
            "" => None,
            raw => Some(Status::ALL.iter().copied().find(|s| s.code() == raw).ok_or_else(|| {
                AppError::Invalid(FieldErrors::single("status", "invalid_value", "状态的取值不正确"))
            })?),
        };
        let invalid = |field: &'static str, message: &str| {
            AppError::Invalid(FieldErrors::single(field, "invalid_value", message))
        };
        let page = match self.page.as_str() {
            "" => 1,
            raw if raw.len() <= 4 && raw.bytes().all(|b| b.is_ascii_digit()) => {
                raw.parse::<i64>().unwrap_or(1).max(1)
            }
            _ => return Err(invalid("page", "页码为不超过四位的数字")),
        };
        let overdue = match self.overdue.as_str() {
            "" | "0" => false,
            "1" => true,
            _ => return Err(invalid("overdue", "只看超时为 1 或 0")),
        };
        Ok(MatterFilter {
            status,
            unit_id: Some(self.unit.trim().to_owned()).filter(|u| !u.is_empty()),
            overdue_at: overdue.then_some(now),
            // Overdue ones the longest overdue first: the list is a to-do list then.
            by_due: overdue,
            limit: PAGE_SIZE,
            offset: (page - 1) * PAGE_SIZE,
        })
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MattersPageDto {
    pub total: i64,
    pub items: Vec<MatterDto>,
}

#[utoipa::path(get, path = "/api/v1/matters", tag = "intake", params(MatterQuery),
    responses((status = 200, body = MattersPageDto), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_list(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<MatterQuery>,
) -> ApiResult<Json<MattersPageDto>> {
    let (items, total) = ops::list(&state, &principal.actor(&info), &query.filter(state.now())?).await?;
    let now = state.now();
    Ok(Json(MattersPageDto { total, items: items.iter().map(|m| MatterDto::new(m, now)).collect() }))
}

/// A matter filed by staff: `source` (`hotline`, `patrol`, `supervisor` or `media`) and the report.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct FileBody {
    #[schema(pattern = "^(hotline|patrol|supervisor|media)$")]
    pub source: String,
    #[serde(flatten)]
    pub report: ReportInput,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FiledDto {
    pub id: String,
    pub number: String,
}

fn staff_source(raw: &str) -> Result<Source, AppError> {
    Source::parse(raw).filter(|s| STAFF_SOURCES.contains(s)).ok_or_else(|| {
        AppError::Invalid(FieldErrors::single(
            "source",
            "invalid_value",
            "来源为 hotline（热线）、patrol（巡查）、supervisor（监督员）或 media（媒体）",
        ))
    })
}

#[utoipa::path(post, path = "/api/v1/matters", tag = "intake", request_body = FileBody,
    responses((status = 201, body = FiledDto), (status = 422, body = crate::web::error::ErrorBody,
        description = "a field error: `category_unknown`, `description_required`, `location_required`, `outside_district`, `phone_invalid` …")))]
pub async fn api_file(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<FileBody>,
) -> ApiResult<(StatusCode, Json<FiledDto>)> {
    let source = staff_source(&body.source)?;
    let actor = principal.actor(&info);
    let matter = ops::file_matter(&state, Filer::Staff(&actor, source), &body.report).await?;
    Ok((StatusCode::CREATED, Json(FiledDto { id: matter.id, number: matter.number })))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MatterTimelineDto {
    pub at: String,
    pub actor: String,
    pub step: String,
    pub summary: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MatterDetailDto {
    pub matter: MatterDto,
    pub category_name: String,
    pub unit_name: Option<String>,
    pub timeline: Vec<MatterTimelineDto>,
    /// Names and masked phones.
    pub reporters: Vec<ReporterDto>,
    /// Open matters of the same class nearby (while this one can still be merged).
    pub duplicates: Vec<MatterDto>,
    /// The steps the caller may take now (`action` codes).
    pub offered: Vec<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ReporterDto {
    pub name: String,
    pub phone: String,
    pub merged_from: Option<String>,
}

impl From<ReporterView> for ReporterDto {
    fn from(r: ReporterView) -> Self {
        ReporterDto { name: r.name, phone: r.phone, merged_from: r.merged_from }
    }
}

#[utoipa::path(get, path = "/api/v1/matters/{id}", tag = "intake", params(("id" = String, Path)),
    responses((status = 200, body = MatterDetailDto), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_detail(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<MatterDetailDto>> {
    let detail = ops::matter_detail(&state, &principal.actor(&info), &id).await?;
    let now = state.now();
    let steps = allowed_steps(&principal, &detail);
    Ok(Json(MatterDetailDto {
        matter: MatterDto::new(&detail.matter, now),
        category_name: detail.category.name.clone(),
        unit_name: detail.unit_name.clone(),
        timeline: detail
            .timeline
            .iter()
            .map(|e| MatterTimelineDto {
                at: e.at.to_rfc3339(),
                actor: e.actor.clone(),
                step: e.code.clone(),
                summary: e.summary.clone(),
            })
            .collect(),
        reporters: detail.reporters.into_iter().map(ReporterDto::from).collect(),
        duplicates: detail.duplicates.iter().map(|m| MatterDto::new(m, now)).collect(),
        offered: steps.iter().map(|s| (*s).to_owned()).collect(),
    }))
}

fn allowed_steps(principal: &Principal, detail: &MatterDetail) -> Vec<&'static str> {
    if !principal.has(Action::MatterAct) {
        return Vec::new();
    }
    offered(&detail.matter, &principal.roles, detail.in_assigned_unit, detail.case_concluded)
}

/// A step: `version` and `action` with the step's fields, all as text — for example
/// `{"version": 3, "action": "handle", "result": "已劝离", "measures": "persuasion"}`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MatterStepBody {
    pub version: i64,
    /// `accept`, `reject`, `dispatch`, `return`, `handle`, `request_time`, `decide_time`,
    /// `check`, `close`, `visit`, `refer`, `answer_referral` or `merge` (`link_case`, when
    /// offered, is `POST /api/v1/matters/{id}/case`).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub step: serde_json::Value,
}

#[utoipa::path(post, path = "/api/v1/matters/{id}/steps", tag = "intake", params(("id" = String, Path)), request_body = MatterStepBody,
    responses((status = 200, body = MatterDto), (status = 404, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody, description = "`version_conflict`"),
        (status = 422, body = crate::web::error::ErrorBody,
            description = "a field error, or refused by the loop: `status_invalid`, `centre_only`, `squad_only`, `request_pending`, `no_request`, `until_too_early`, `no_contact`, `merge_self`, `case_pending`, `referral_state`, `due_in_past`")))]
pub async fn api_step(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<MatterStepBody>,
) -> ApiResult<Json<MatterDto>> {
    let input: StepInput = serde_json::from_value(body.step).map_err(|_| {
        AppError::Invalid(FieldErrors::single("action", "invalid_value", "办理环节的内容格式不正确"))
    })?;
    let matter = ops::take_step(&state, &principal.actor(&info), &id, body.version, &input).await?;
    Ok(Json(MatterDto::new(&matter, state.now())))
}

/// 立案查处 on a matter: the lead's fields (`/api/v1/cases`) with the matter's `version`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct MatterCaseBody {
    pub version: i64,
    #[serde(flatten)]
    pub case: crate::ops::cases::OpenInput,
}

/// The case opened from a matter, and the matter now waiting for it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MatterCaseDto {
    pub case_id: String,
    pub case_number: String,
    pub matter: MatterDto,
}

/// Opens a penalty case from a dispatched matter (the squad's officers): the case keeps the
/// link and the matter waits for the case's outcome before the squad reports it handled.
#[utoipa::path(post, path = "/api/v1/matters/{id}/case", tag = "intake", params(("id" = String, Path)),
    request_body = MatterCaseBody,
    responses((status = 201, body = MatterCaseDto),
        (status = 403, body = crate::web::error::ErrorBody), (status = 404, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody, description = "`version_conflict`"),
        (status = 422, body = crate::web::error::ErrorBody,
            description = "a field of the lead, or refused by the loop: `status_invalid`, `squad_only`, `case_open_forbidden`")))]
pub async fn api_open_case(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<MatterCaseBody>,
) -> ApiResult<(StatusCode, Json<MatterCaseDto>)> {
    let (matter, opened) =
        ops::open_case(&state, &principal.actor(&info), &id, body.version, &body.case).await?;
    Ok((
        StatusCode::CREATED,
        Json(MatterCaseDto {
            case_id: opened.id,
            case_number: opened.number,
            matter: MatterDto::new(&matter, state.now()),
        }),
    ))
}

#[utoipa::path(post, path = "/api/v1/matters/{id}/reporters/reveal", tag = "intake", params(("id" = String, Path)),
    responses((status = 200, body = Vec<ReporterDto>), (status = 403, body = crate::web::error::ErrorBody), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_reveal(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<ReporterDto>>> {
    let reporters = ops::reveal_reporters(&state, &principal.actor(&info), &id).await?;
    Ok(Json(reporters.into_iter().map(ReporterDto::from).collect()))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CategoryDto {
    pub code: String,
    pub name: String,
    /// `event` (事件) or `component` (部件).
    pub kind: String,
    pub group: String,
    pub public: bool,
    /// `wh:4` (working hours), `wd:3` (working days) or `h:2` (clock hours).
    pub handle_normal: String,
    pub handle_urgent: String,
    pub active: bool,
    pub version: i64,
}

impl From<&Category> for CategoryDto {
    fn from(c: &Category) -> Self {
        CategoryDto {
            code: c.code.clone(),
            name: c.name.clone(),
            kind: c.kind.code().to_owned(),
            group: c.group.clone(),
            public: c.public,
            handle_normal: c.handle_normal.code(),
            handle_urgent: c.handle_urgent.code(),
            active: c.active,
            version: c.version,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/matter-categories", tag = "intake", responses((status = 200, body = Vec<CategoryDto>)))]
pub async fn api_categories(
    State(state): State<AppState>,
    _caller: Caller,
) -> ApiResult<Json<Vec<CategoryDto>>> {
    Ok(Json(state.db.matter_categories().await?.iter().map(CategoryDto::from).collect()))
}

/// A class with the version read (`0` for a new one).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CategoryBody {
    #[serde(default)]
    pub version: i64,
    #[serde(flatten)]
    pub class: CategoryInput,
}

#[utoipa::path(post, path = "/api/v1/matter-categories", tag = "intake", request_body = CategoryBody,
    responses((status = 200, body = VersionDto), (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_save_category(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<CategoryBody>,
) -> ApiResult<Json<VersionDto>> {
    let version = ops::save_category(&state, &principal.actor(&info), &body.class, body.version).await?;
    Ok(Json(VersionDto { version }))
}

// ----- Pages -----

#[derive(Template)]
#[template(path = "matters_list.html")]
struct ListPage {
    chrome: Chrome,
    items: Vec<Matter>,
    total: i64,
    query: MatterQuery,
    statuses: &'static [Status],
    can_file: bool,
    now: chrono::DateTime<chrono::Utc>,
}

impl ListPage {
    fn overdue(&self, m: &Matter) -> bool {
        m.is_overdue(self.now)
    }

    fn due(&self, m: &Matter) -> String {
        m.due_at.map(|t| display(t)[5..16].to_owned()).unwrap_or_default()
    }
}

pub async fn list_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Query(query): Query<MatterQuery>,
) -> PageResult {
    let chrome = Chrome::new(&state, &principal, &headers, "matters", "事项受理", "Matters").await?;
    let (items, total) = ops::list(&state, &principal.actor(&info), &query.filter(state.now())?).await?;
    let page = ListPage {
        chrome,
        items,
        total,
        query,
        statuses: Status::ALL,
        can_file: principal.has(Action::MatterFile),
        now: state.now(),
    };
    render_status(&page, StatusCode::OK)
}

#[derive(Template)]
#[template(path = "matter_new.html")]
struct NewPage {
    chrome: Chrome,
    categories: Vec<Category>,
    sources: [Source; 4],
    source: String,
    input: ReportInput,
    errors: FieldErrors,
}

async fn new_page_with(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    source: String,
    input: ReportInput,
    errors: FieldErrors,
) -> PageResult {
    let chrome = Chrome::new(state, principal, headers, "matters", "登记事项", "File a matter").await?;
    let categories = state.db.matter_categories().await?.into_iter().filter(|c| c.active).collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    render_status(&NewPage { chrome, categories, sources: STAFF_SOURCES, source, input, errors }, status)
}

pub async fn new_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
) -> PageResult {
    // The centre files calls; a squad's people file what they find on patrol.
    let source = if principal.has(Action::MatterReporterReveal) { "hotline" } else { "patrol" };
    new_page_with(
        &state,
        &principal,
        &headers,
        source.to_owned(),
        ReportInput::default(),
        FieldErrors::default(),
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct FileForm {
    #[serde(default)]
    source: String,
    #[serde(flatten)]
    report: ReportInput,
}

pub async fn file_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(form): Form<FileForm>,
) -> PageResult {
    let result = match staff_source(&form.source) {
        Ok(source) => {
            let actor = principal.actor(&info);
            ops::file_matter(&state, Filer::Staff(&actor, source), &form.report).await
        }
        Err(error) => Err(error),
    };
    match result {
        Ok(matter) => Ok(Redirect::to(&format!("/matters/{}", matter.id)).into_response()),
        Err(AppError::Invalid(errors)) => {
            new_page_with(&state, &principal, &headers, form.source, form.report, errors).await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Template)]
#[template(path = "matter_detail.html")]
struct DetailPage {
    chrome: Chrome,
    detail: MatterDetail,
    steps: Vec<&'static str>,
    squads: Vec<(String, String)>,
    departments: Vec<(String, String)>,
    measures: &'static [Measure],
    resolutions: &'static [Resolution],
    satisfactions: &'static [Satisfaction],
    request_kinds: &'static [TimeRequestKind],
    can_reveal: bool,
    /// The squad handling it may add photos of its work (处置反馈).
    can_photo: bool,
    revealed: Option<Vec<ReporterView>>,
    message: Option<String>,
    errors: FieldErrors,
    now: chrono::DateTime<chrono::Utc>,
}

impl DetailPage {
    fn overdue(&self, m: &Matter) -> bool {
        m.is_overdue(self.now)
    }

    fn offers(&self, step: &str) -> bool {
        self.steps.contains(&step)
    }

    fn time(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        display(*t)[..16].to_owned()
    }

    fn step_name(&self, entry: &MatterEntry) -> &'static str {
        if entry.code == "file" { "登记" } else { step_name_zh(&entry.code) }
    }
}

/// A photo of the matter's handling, inline, for whoever may read the matter.
pub async fn photo(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path((id, photo_id)): Path<(String, String)>,
) -> PageResult {
    use axum::http::{HeaderValue, header};
    let item =
        ops::matter_photo(&state, &principal.actor(&info), &id, &photo_id, principal.view_key(&photo_id))
            .await?;
    let stream = state.blobs.read(&item.sha256, None).await.map_err(AppError::from)?;
    let mut response = axum::body::Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(item.mime));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(item.size as u64));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=3600"));
    Ok(response)
}

#[allow(clippy::too_many_arguments)]
async fn detail_with(
    state: &AppState,
    principal: &Principal,
    info: &crate::web::guard::RequestInfo,
    headers: &HeaderMap,
    id: &str,
    revealed: Option<Vec<ReporterView>>,
    message: Option<String>,
    errors: FieldErrors,
) -> PageResult {
    let detail = ops::matter_detail(state, &principal.actor(info), id).await?;
    let chrome = Chrome::new(state, principal, headers, "matters", &detail.matter.number, "Matter").await?;
    let steps = allowed_steps(principal, &detail);
    let squads = state
        .db
        .units()
        .await?
        .into_iter()
        .filter(|u| matches!(u.kind, UnitKind::Squad | UnitKind::Brigade))
        .map(|u| (u.id, u.name))
        .collect();
    let departments = state.db.partner_departments().await?;
    let status = if errors.is_empty() && message.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let can_photo = principal.has(Action::EvidenceUpload)
        && crate::domain::intake::flow::may_add_photo(
            &detail.matter,
            &principal.roles,
            detail.in_assigned_unit,
        );
    let page = DetailPage {
        can_photo,
        chrome,
        detail,
        steps,
        squads,
        departments,
        measures: Measure::ALL,
        resolutions: Resolution::ALL,
        satisfactions: Satisfaction::ALL,
        request_kinds: TimeRequestKind::ALL,
        can_reveal: principal.has(Action::MatterReporterReveal),
        revealed,
        message,
        errors,
        now: state.now(),
    };
    render_status(&page, status)
}

pub async fn detail_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    detail_with(&state, &principal, &info, &headers, &id, None, None, FieldErrors::default()).await
}

/// The step forms send the step's fields with `version`; measures as repeated checkboxes.
pub async fn step_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let mut object = serde_json::Map::new();
    let mut measures = Vec::new();
    for (key, value) in &pairs {
        match key.as_str() {
            "measures" => measures.push(value.clone()),
            "_csrf" => {}
            _ => {
                object.insert(key.clone(), serde_json::Value::String(value.clone()));
            }
        }
    }
    object.insert("measures".to_owned(), serde_json::Value::String(measures.join(",")));
    let version =
        object.get("version").and_then(|v| v.as_str()).and_then(|v| v.parse::<i64>().ok()).unwrap_or(-1);
    let input: StepInput = serde_json::from_value(serde_json::Value::Object(object)).unwrap_or_default();
    match ops::take_step(&state, &principal.actor(&info), &id, version, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/matters/{id}")).into_response()),
        Err(AppError::Refused { message, .. } | AppError::Conflict { message, .. }) => {
            detail_with(&state, &principal, &info, &headers, &id, None, Some(message), FieldErrors::default())
                .await
        }
        Err(AppError::Invalid(errors)) => {
            detail_with(&state, &principal, &info, &headers, &id, None, None, errors).await
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
    let reporters = ops::reveal_reporters(&state, &principal.actor(&info), &id).await?;
    detail_with(&state, &principal, &info, &headers, &id, Some(reporters), None, FieldErrors::default()).await
}
