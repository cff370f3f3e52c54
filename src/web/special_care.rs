//! The special-care archive (issue 18 scope 7): the counts page and its workbook (counts only),
//! the purpose form that opens the list, an entry with its help, the grants, and the same
//! under `/api/v1`. Every reading passes `ops::special_care`, which checks the grant and
//! writes the purpose; a page carries the purpose from one reading to the next in its links.

use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::special_care::{
    CareCategory, CareCounts, CareEntryInput, GrantInput, HelpInput, HelpKind, MAX_GRANT_DAYS,
};
use crate::domain::time::civil_date;
use crate::ops::special_care as ops;
use crate::store::AuditEvent;
use crate::store::org::Unit;
use crate::store::special_care::{CareEntry, Grant, HelpRecord};
use crate::web::body::JsonObject;
use crate::web::common::{RecordedDto, VersionDto, YearQuery, query_encoded, year_of};
use crate::web::error::{ApiResult, AppError, PageResult};
use crate::web::guard::{Caller, Principal, RequestInfo};
use crate::web::pages::{Chrome, Lang, render_status};

/// `?purpose=`: why the archive is read this time (6–100 characters), written with the reading.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct PurposeQuery {
    #[param(min_length = 6, max_length = 100)]
    pub purpose: String,
}

/// The list page's query: the purpose, and a party to take into the archive (the party page
/// links here with it).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EntriesQuery {
    pub purpose: String,
    pub party: String,
}

// ---- API ----

#[utoipa::path(get, path = "/api/v1/special-care/counts", tag = "disclosure", params(YearQuery),
    responses((status = 200, body = CareCounts), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_counts(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<YearQuery>,
) -> ApiResult<Json<CareCounts>> {
    let year = year_of(&state, query.year.trim())?;
    Ok(Json(ops::counts(&state, &principal.actor(&info), year).await?))
}

#[utoipa::path(get, path = "/api/v1/special-care", tag = "disclosure", params(PurposeQuery),
    responses((status = 200, body = Vec<CareEntry>), (status = 403, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_list(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<PurposeQuery>,
) -> ApiResult<Json<Vec<CareEntry>>> {
    Ok(Json(ops::list(&state, &principal.actor(&info), &query.purpose).await?))
}

/// An entry with the help given.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CareEntryDto {
    #[serde(flatten)]
    pub entry: CareEntry,
    pub help: Vec<HelpRecord>,
}

#[utoipa::path(get, path = "/api/v1/special-care/{id}", tag = "disclosure",
    params(("id" = String, Path), PurposeQuery),
    responses((status = 200, body = CareEntryDto), (status = 403, body = crate::web::error::ErrorBody),
        (status = 404, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_entry(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    Query(query): Query<PurposeQuery>,
) -> ApiResult<Json<CareEntryDto>> {
    let (entry, help) = ops::entry(&state, &principal.actor(&info), &id, &query.purpose).await?;
    Ok(Json(CareEntryDto { entry, help }))
}

#[utoipa::path(post, path = "/api/v1/special-care", tag = "disclosure", request_body = CareEntryInput,
    responses((status = 201, body = RecordedDto), (status = 403, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_open(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<CareEntryInput>,
) -> ApiResult<(StatusCode, Json<RecordedDto>)> {
    let id = ops::open_entry(&state, &principal.actor(&info), &body).await?;
    Ok((StatusCode::CREATED, Json(RecordedDto { id })))
}

#[utoipa::path(post, path = "/api/v1/special-care/{id}/help", tag = "disclosure",
    params(("id" = String, Path)), request_body = HelpInput,
    responses((status = 201, body = RecordedDto), (status = 403, body = crate::web::error::ErrorBody),
        (status = 404, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_help(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<HelpInput>,
) -> ApiResult<(StatusCode, Json<RecordedDto>)> {
    let id = ops::record_help(&state, &principal.actor(&info), &id, &body).await?;
    Ok((StatusCode::CREATED, Json(RecordedDto { id })))
}

/// Ends an entry over the version read.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CloseBody {
    pub version: i64,
    /// Why the care ends (e.g. 已脱困, 迁出辖区).
    #[schema(max_length = 200, pattern = "\\S")]
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/special-care/{id}/close", tag = "disclosure",
    params(("id" = String, Path)), request_body = CloseBody,
    responses((status = 200, body = VersionDto), (status = 403, body = crate::web::error::ErrorBody),
        (status = 404, body = crate::web::error::ErrorBody), (status = 409, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_close(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<CloseBody>,
) -> ApiResult<Json<VersionDto>> {
    let version = ops::close_entry(&state, &principal.actor(&info), &id, body.version, &body.reason).await?;
    Ok(Json(VersionDto { version }))
}

#[utoipa::path(get, path = "/api/v1/special-care-grants", tag = "disclosure",
    responses((status = 200, body = Vec<Grant>), (status = 403, body = crate::web::error::ErrorBody)))]
pub async fn api_grants(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
) -> ApiResult<Json<Vec<Grant>>> {
    Ok(Json(ops::grants(&state, &principal.actor(&info)).await?))
}

#[utoipa::path(post, path = "/api/v1/special-care-grants", tag = "disclosure", request_body = GrantInput,
    responses((status = 201, body = RecordedDto), (status = 403, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_grant(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<GrantInput>,
) -> ApiResult<(StatusCode, Json<RecordedDto>)> {
    let id = ops::grant(&state, &principal.actor(&info), &body).await?;
    Ok((StatusCode::CREATED, Json(RecordedDto { id })))
}

#[utoipa::path(post, path = "/api/v1/special-care-grants/{id}/revoke", tag = "disclosure",
    params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = crate::web::error::ErrorBody),
        (status = 404, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_revoke(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    ops::revoke(&state, &principal.actor(&info), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- Pages ----

#[derive(Template)]
#[template(path = "care_counts.html")]
struct CountsPage {
    chrome: Chrome,
    counts: CareCounts,
    can_keep: bool,
}

pub async fn counts_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Query(query): Query<YearQuery>,
) -> PageResult {
    let year = year_of(&state, query.year.trim())?;
    let counts = ops::counts(&state, &principal.actor(&info), year).await?;
    let chrome =
        Chrome::new(&state, &principal, &headers, "special_care", "关怀档案统计", "Special care: counts")
            .await?;
    render_status(
        &CountsPage { chrome, counts, can_keep: principal.has(Action::SpecialCare) },
        StatusCode::OK,
    )
}

/// `导出Excel`: counts only (个人信息保护法 Art. 28: nothing that names a party leaves the archive).
pub async fn export(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<YearQuery>,
) -> PageResult {
    let year = year_of(&state, query.year.trim())?;
    let actor = principal.actor(&info);
    let counts = ops::counts(&state, &actor, year).await?;
    let bytes = workbook(&counts).map_err(|e| AppError::Internal(anyhow::anyhow!("the workbook: {e}")))?;
    state
        .db
        .audit_only(
            &actor.audit_ctx(),
            state.now(),
            AuditEvent::new("special_care.export", "care_counts", year.to_string()),
        )
        .await?;
    Ok(crate::web::common::xlsx_response(
        bytes,
        &format!("special_care_counts_{year}.xlsx"),
        &format!("关怀档案统计_{year}.xlsx"),
    ))
}

fn workbook(counts: &CareCounts) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#E8EEF7");
    let sheet = workbook.add_worksheet();
    sheet.set_name("在档人数")?;
    sheet.write_with_format(0, 0, "类别", &bold)?;
    sheet.write_with_format(0, 1, "在档", &bold)?;
    for (r, c) in counts.open_by_category.iter().enumerate() {
        sheet.write(r as u32 + 1, 0, c.category.name_zh())?;
        sheet.write(r as u32 + 1, 1, f64::from(c.count))?;
    }
    let sheet = workbook.add_worksheet();
    sheet.set_name("帮扶次数")?;
    sheet.write_with_format(0, 0, "月份", &bold)?;
    sheet.write_with_format(0, 1, "帮扶次数", &bold)?;
    for (m, n) in counts.help_by_month.iter().enumerate() {
        sheet.write(m as u32 + 1, 0, format!("{}-{:02}", counts.year, m + 1))?;
        sheet.write(m as u32 + 1, 1, f64::from(*n))?;
    }
    sheet.write_with_format(0, 3, "帮扶方式", &bold)?;
    sheet.write_with_format(0, 4, "次数", &bold)?;
    for (r, k) in counts.help_by_kind.iter().enumerate() {
        sheet.write(r as u32 + 1, 3, k.kind.name_zh())?;
        sheet.write(r as u32 + 1, 4, f64::from(k.count))?;
    }
    workbook.save_to_buffer()
}

#[derive(Template)]
#[template(path = "care_entries.html")]
struct EntriesPage {
    chrome: Chrome,
    grant: Option<Grant>,
    purpose: String,
    purpose_q: String,
    /// Read only once a purpose was accepted.
    entries: Option<Vec<CareEntry>>,
    units: Vec<Unit>,
    categories: Vec<CareCategory>,
    input: CareEntryInput,
    errors: FieldErrors,
    message: Option<String>,
    can_count: bool,
    can_grant: bool,
}

impl EntriesPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

#[allow(clippy::too_many_arguments)] // the page's parts, each needed to redraw it after a form
async fn entries_with(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    purpose: String,
    input: CareEntryInput,
    mut errors: FieldErrors,
    mut message: Option<String>,
) -> PageResult {
    let actor = principal.actor(info);
    let grant = ops::own_grant(state, &actor).await?;
    let mut entries = None;
    if grant.is_some() && !purpose.trim().is_empty() {
        match ops::list(state, &actor, &purpose).await {
            Ok(list) => entries = Some(list),
            Err(AppError::Invalid(e)) => errors = e,
            Err(AppError::Refused { message: m, .. }) => message = Some(m),
            Err(e) => return Err(e.into()),
        }
    }
    let all_units = state.db.units().await?;
    let visibility = actor.visibility(Action::SpecialCare);
    let units = all_units
        .iter()
        .filter(|u| crate::ops::people::unit_visible(&all_units, &visibility, &u.id))
        .cloned()
        .collect();
    let chrome = Chrome::new(state, principal, headers, "special_care", "关怀档案", "Special care").await?;
    let status = if errors.is_empty() && message.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = EntriesPage {
        chrome,
        grant,
        purpose_q: query_encoded(purpose.trim()),
        purpose,
        entries,
        units,
        categories: CareCategory::ALL.to_vec(),
        input,
        errors,
        message,
        can_count: principal.has(Action::SpecialCareCounts),
        can_grant: principal.has(Action::SpecialCareGrant),
    };
    render_status(&page, status)
}

pub async fn entries_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Query(query): Query<EntriesQuery>,
) -> PageResult {
    let input =
        CareEntryInput { party_id: query.party.trim().chars().take(64).collect(), ..Default::default() };
    entries_with(&state, &principal, &info, &headers, query.purpose, input, FieldErrors::default(), None)
        .await
}

#[derive(Debug, Deserialize)]
pub struct OpenForm {
    #[serde(default)]
    purpose: String,
    #[serde(flatten)]
    input: CareEntryInput,
}

pub async fn open_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(form): Form<OpenForm>,
) -> PageResult {
    match ops::open_entry(&state, &principal.actor(&info), &form.input).await {
        Ok(id) => Ok(Redirect::to(&format!("/care/entries/{id}?purpose={}", query_encoded(&form.purpose)))
            .into_response()),
        Err(AppError::Invalid(errors)) => {
            entries_with(&state, &principal, &info, &headers, form.purpose, form.input, errors, None).await
        }
        Err(AppError::Refused { message, .. } | AppError::Conflict { message, .. }) => {
            entries_with(
                &state,
                &principal,
                &info,
                &headers,
                form.purpose,
                form.input,
                FieldErrors::default(),
                Some(message),
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Template)]
#[template(path = "care_entry.html")]
struct EntryPage {
    chrome: Chrome,
    entry: CareEntry,
    help: Vec<HelpRecord>,
    purpose: String,
    purpose_q: String,
    kinds: Vec<HelpKind>,
    today: String,
    input: HelpInput,
    reason: String,
    errors: FieldErrors,
    message: Option<String>,
}

impl EntryPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

#[allow(clippy::too_many_arguments)] // the page's parts, each needed to redraw it after a form
async fn entry_with(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    id: &str,
    purpose: String,
    input: HelpInput,
    reason: String,
    errors: FieldErrors,
    message: Option<String>,
) -> PageResult {
    let actor = principal.actor(info);
    let (entry, help) = match ops::entry(state, &actor, id, &purpose).await {
        Ok(found) => found,
        // Without a purpose (or a grant), the list page asks for one and says why.
        Err(AppError::Invalid(errors)) => {
            return entries_with(
                state,
                principal,
                info,
                headers,
                purpose,
                CareEntryInput::default(),
                errors,
                None,
            )
            .await;
        }
        Err(AppError::Refused { message, .. }) => {
            return entries_with(
                state,
                principal,
                info,
                headers,
                purpose,
                CareEntryInput::default(),
                FieldErrors::default(),
                Some(message),
            )
            .await;
        }
        Err(error) => return Err(error.into()),
    };
    let chrome = Chrome::new(state, principal, headers, "special_care", "关怀档案", "Special care").await?;
    let status = if errors.is_empty() && message.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = EntryPage {
        chrome,
        entry,
        help,
        purpose_q: query_encoded(purpose.trim()),
        purpose,
        kinds: HelpKind::ALL.to_vec(),
        today: civil_date(state.now()).to_string(),
        input,
        reason,
        errors,
        message,
    };
    render_status(&page, status)
}

pub async fn entry_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<PurposeQuery>,
) -> PageResult {
    entry_with(
        &state,
        &principal,
        &info,
        &headers,
        &id,
        query.purpose,
        HelpInput::default(),
        String::new(),
        FieldErrors::default(),
        None,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct HelpForm {
    #[serde(default)]
    purpose: String,
    #[serde(flatten)]
    input: HelpInput,
}

pub async fn help_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<HelpForm>,
) -> PageResult {
    let result = ops::record_help(&state, &principal.actor(&info), &id, &form.input).await.map(|_| ());
    match result {
        Ok(()) => {
            Ok(Redirect::to(&format!("/care/entries/{id}?purpose={}#help", query_encoded(&form.purpose)))
                .into_response())
        }
        Err(AppError::Invalid(errors)) => {
            entry_with(
                &state,
                &principal,
                &info,
                &headers,
                &id,
                form.purpose,
                form.input,
                String::new(),
                errors,
                None,
            )
            .await
        }
        Err(AppError::Refused { message, .. }) => {
            let no_errors = FieldErrors::default();
            entry_with(
                &state,
                &principal,
                &info,
                &headers,
                &id,
                form.purpose,
                form.input,
                String::new(),
                no_errors,
                Some(message),
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct CloseForm {
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    reason: String,
}

pub async fn close_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<CloseForm>,
) -> PageResult {
    let version = crate::web::common::form_version(&form.version);
    match ops::close_entry(&state, &principal.actor(&info), &id, version, &form.reason).await {
        Ok(_) => Ok(Redirect::to(&format!("/care/entries/{id}?purpose={}", query_encoded(&form.purpose)))
            .into_response()),
        Err(AppError::Invalid(errors)) => {
            entry_with(
                &state,
                &principal,
                &info,
                &headers,
                &id,
                form.purpose,
                HelpInput::default(),
                form.reason,
                errors,
                None,
            )
            .await
        }
        Err(AppError::Refused { message, .. } | AppError::Conflict { message, .. }) => {
            let no_errors = FieldErrors::default();
            entry_with(
                &state,
                &principal,
                &info,
                &headers,
                &id,
                form.purpose,
                HelpInput::default(),
                form.reason,
                no_errors,
                Some(message),
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Template)]
#[template(path = "care_grants.html")]
struct GrantsPage {
    chrome: Chrome,
    grants: Vec<Grant>,
    today: chrono::NaiveDate,
    max_days: i64,
    input: GrantInput,
    errors: FieldErrors,
    message: Option<String>,
}

impl GrantsPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

async fn grants_with(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    input: GrantInput,
    errors: FieldErrors,
    message: Option<String>,
) -> PageResult {
    let grants = ops::grants(state, &principal.actor(info)).await?;
    let chrome =
        Chrome::new(state, principal, headers, "special_care", "关怀档案授权", "Special care grants").await?;
    let status = if errors.is_empty() && message.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = GrantsPage {
        chrome,
        grants,
        today: civil_date(state.now()),
        max_days: MAX_GRANT_DAYS,
        input,
        errors,
        message,
    };
    render_status(&page, status)
}

pub async fn grants_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
) -> PageResult {
    grants_with(&state, &principal, &info, &headers, GrantInput::default(), FieldErrors::default(), None)
        .await
}

pub async fn grant_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(input): Form<GrantInput>,
) -> PageResult {
    match ops::grant(&state, &principal.actor(&info), &input).await {
        Ok(_) => Ok(Redirect::to("/care/grants").into_response()),
        Err(AppError::Invalid(errors)) => {
            grants_with(&state, &principal, &info, &headers, input, errors, None).await
        }
        Err(AppError::Refused { message, .. }) => {
            grants_with(&state, &principal, &info, &headers, input, FieldErrors::default(), Some(message))
                .await
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn revoke_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    match ops::revoke(&state, &principal.actor(&info), &id).await {
        Ok(()) => Ok(Redirect::to("/care/grants").into_response()),
        Err(AppError::Refused { message, .. } | AppError::Conflict { message, .. }) => {
            grants_with(
                &state,
                &principal,
                &info,
                &headers,
                GrantInput::default(),
                FieldErrors::default(),
                Some(message),
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}
