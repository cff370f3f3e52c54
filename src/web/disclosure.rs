//! Publishing penalty decisions (issue 18 scope 2): the register with its clocks, an entry's
//! page where the publisher reads the decision and its redaction side by side and publishes,
//! withholds, records a ruling or withdraws; and the same under `/api/v1/disclosures`. The
//! portal's pages of published decisions are `web::portal`; the operations `ops::disclosure`.

use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::disclosure::{
    DisclosureState, RulingInput, WithdrawGround, WithdrawInput, WithholdBasis, WithholdInput,
};
use crate::domain::fields::FieldErrors;
use crate::domain::time::civil_date;
use crate::ops::disclosure::{self as ops, Entry, EntryView};
use crate::store::disclosure::{DisclosureFilter, DisclosureRecord};
use crate::web::body::JsonObject;
use crate::web::common::{VersionDto, form_version, page_of, year_of};
use crate::web::error::{ApiResult, AppError, PageResult};
use crate::web::guard::{Caller, Principal, RequestInfo};
use crate::web::pages::{Chrome, Lang, render_status};

/// Entries per page of the register and of the portal's list.
const PAGE_SIZE: i64 = 50;

/// `?state=&year=&page=` on the register.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct RegisterQuery {
    /// `pending`, `published`, `withheld`, `withdrawn` or empty for all.
    #[param(pattern = r"^(pending|published|withheld|withdrawn)?$")]
    pub state: String,
    /// The year decided (empty: this year).
    #[param(pattern = r"^(20[0-9]{2})?$")]
    pub year: String,
    /// From 1.
    #[param(pattern = r"^[0-9]{0,4}$")]
    pub page: String,
}

struct Parsed {
    filter: DisclosureFilter,
    year: i32,
    page: i64,
}

fn parse_query(state: &AppState, query: &RegisterQuery) -> Result<Parsed, AppError> {
    let year = year_of(state, query.year.trim())?;
    let wanted = match query.state.trim() {
        "" => None,
        code => Some(DisclosureState::parse(code).ok_or_else(|| {
            AppError::Invalid(FieldErrors::single(
                "state",
                "invalid_value",
                "状态为 pending、published、withheld 或 withdrawn",
            ))
        })?),
    };
    let page = page_of(&query.page)?;
    Ok(Parsed {
        filter: DisclosureFilter {
            state: wanted,
            year: Some(year),
            limit: PAGE_SIZE,
            offset: (page - 1) * PAGE_SIZE,
        },
        year,
        page,
    })
}

// ----- API -----

/// An entry of the register with its clock.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EntryDto {
    #[serde(flatten)]
    pub record: DisclosureRecord,
    /// `publish` or `withdraw`; absent once withheld.
    pub duty: Option<crate::domain::disclosure::Duty>,
    /// The duty's last day (the earliest possible one while the year's holidays are not loaded).
    pub due_on: Option<chrono::NaiveDate>,
    /// `met`, `met_late`, `running`, `due_soon` or `overdue`.
    pub clock: Option<&'static str>,
}

fn entry_dto(entry: Entry) -> EntryDto {
    EntryDto {
        duty: entry.clock.map(|c| c.duty),
        due_on: entry.clock.map(|c| c.due.date()),
        clock: entry.clock.map(|c| c.status.code()),
        record: entry.record,
    }
}

/// A page of the register.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RegisterDto {
    pub total: i64,
    pub entries: Vec<EntryDto>,
}

#[utoipa::path(get, path = "/api/v1/disclosures", tag = "disclosure", params(RegisterQuery),
    responses((status = 200, body = RegisterDto), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_register(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<RegisterQuery>,
) -> ApiResult<Json<RegisterDto>> {
    let parsed = parse_query(&state, &query)?;
    let (entries, total) = ops::register(&state, &principal.actor(&info), &parsed.filter).await?;
    Ok(Json(RegisterDto { total, entries: entries.into_iter().map(entry_dto).collect() }))
}

/// An entry, and for one waiting its draft: the redacted text and each removal's rule.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EntryDetailDto {
    #[serde(flatten)]
    pub entry: EntryDto,
    /// The text as it would be published (absent until the decision's document is issued).
    pub draft_text: Option<String>,
    /// The rules that took something out of the draft, in order.
    pub draft_rules: Vec<&'static str>,
}

#[utoipa::path(get, path = "/api/v1/disclosures/{id}", tag = "disclosure", params(("id" = String, Path)),
    responses((status = 200, body = EntryDetailDto), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_entry(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<EntryDetailDto>> {
    let view = ops::entry(&state, &principal.actor(&info), &id, false).await?;
    let draft_rules = view
        .draft
        .as_ref()
        .map_or_else(Vec::new, |d| d.redacted.removals.iter().map(|r| r.rule.code()).collect());
    Ok(Json(EntryDetailDto {
        draft_text: view.draft.map(|d| d.redacted.text),
        draft_rules,
        entry: entry_dto(view.entry),
    }))
}

/// Publication over the version read: the text as the publisher read it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PublishBody {
    pub version: i64,
    #[schema(max_length = 20000, pattern = "\\S")]
    pub text: String,
}

#[utoipa::path(post, path = "/api/v1/disclosures/{id}/publish", tag = "disclosure", params(("id" = String, Path)),
    request_body = PublishBody,
    responses((status = 200, body = VersionDto), (status = 403, body = crate::web::error::ErrorBody),
        (status = 404, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody, description = "`version_conflict`"),
        (status = 422, body = crate::web::error::ErrorBody,
            description = "`text`: `personal_data_left`; or `not_pending`, `decision_document_missing`")))]
pub async fn api_publish(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<PublishBody>,
) -> ApiResult<Json<VersionDto>> {
    let version = ops::publish(&state, &principal.actor(&info), &id, body.version, &body.text).await?;
    Ok(Json(VersionDto { version }))
}

/// 不予公开 over the version read.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct WithholdBody {
    pub version: i64,
    #[serde(flatten)]
    pub input: WithholdInput,
}

#[utoipa::path(post, path = "/api/v1/disclosures/{id}/withhold", tag = "disclosure", params(("id" = String, Path)),
    request_body = WithholdBody,
    responses((status = 200, body = VersionDto), (status = 403, body = crate::web::error::ErrorBody),
        (status = 404, body = crate::web::error::ErrorBody), (status = 409, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_withhold(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<WithholdBody>,
) -> ApiResult<Json<VersionDto>> {
    let version = ops::withhold(&state, &principal.actor(&info), &id, body.version, &body.input).await?;
    Ok(Json(VersionDto { version }))
}

/// The ruling that obliges a withdrawal, over the version read.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct RulingBody {
    pub version: i64,
    #[serde(flatten)]
    pub input: RulingInput,
}

#[utoipa::path(post, path = "/api/v1/disclosures/{id}/ruling", tag = "disclosure", params(("id" = String, Path)),
    request_body = RulingBody,
    responses((status = 200, body = VersionDto), (status = 403, body = crate::web::error::ErrorBody),
        (status = 404, body = crate::web::error::ErrorBody), (status = 409, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody, description = "a field, or `not_published`")))]
pub async fn api_ruling(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<RulingBody>,
) -> ApiResult<Json<VersionDto>> {
    let version = ops::record_ruling(&state, &principal.actor(&info), &id, body.version, &body.input).await?;
    Ok(Json(VersionDto { version }))
}

/// A withdrawal over the version read, with its public explanation.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct WithdrawBody {
    pub version: i64,
    #[serde(flatten)]
    pub input: WithdrawInput,
}

#[utoipa::path(post, path = "/api/v1/disclosures/{id}/withdraw", tag = "disclosure", params(("id" = String, Path)),
    request_body = WithdrawBody,
    responses((status = 200, body = VersionDto), (status = 403, body = crate::web::error::ErrorBody),
        (status = 404, body = crate::web::error::ErrorBody), (status = 409, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody, description = "a field, or `ruling_required`")))]
pub async fn api_withdraw(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<WithdrawBody>,
) -> ApiResult<Json<VersionDto>> {
    let version = ops::withdraw(&state, &principal.actor(&info), &id, body.version, &body.input).await?;
    Ok(Json(VersionDto { version }))
}

// ----- Pages: the register and an entry -----

#[derive(Template)]
#[template(path = "disclosures.html")]
struct RegisterPage {
    chrome: Chrome,
    entries: Vec<Entry>,
    total: i64,
    year: i32,
    page: i64,
    pages: i64,
    state: String,
    states: Vec<(&'static str, &'static str)>,
}

pub async fn register_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Query(query): Query<RegisterQuery>,
) -> PageResult {
    let parsed = parse_query(&state, &query)?;
    let (entries, total) = ops::register(&state, &principal.actor(&info), &parsed.filter).await?;
    let chrome = Chrome::new(&state, &principal, &headers, "disclosures", "决定公开", "Publication").await?;
    let page = RegisterPage {
        chrome,
        entries,
        total,
        year: parsed.year,
        page: parsed.page,
        pages: ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1),
        state: query.state.trim().to_owned(),
        states: DisclosureState::ALL.iter().map(|s| (s.code(), s.name_zh())).collect(),
    };
    render_status(&page, StatusCode::OK)
}

#[derive(Template)]
#[template(path = "disclosure.html")]
struct EntryPage {
    chrome: Chrome,
    view: EntryView,
    can_publish: bool,
    today: String,
    grounds: Vec<(&'static str, &'static str)>,
    bases: Vec<(&'static str, &'static str)>,
    /// The text in the publish form: the draft, or what the publisher sent back.
    text: String,
    message: Option<String>,
    errors: FieldErrors,
}

impl EntryPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }

    fn ground_zh(&self, code: &str) -> &'static str {
        WithdrawGround::parse(code).map_or("", WithdrawGround::name_zh)
    }

    fn basis_zh(&self, code: &str) -> &'static str {
        WithholdBasis::parse(code).map_or("", WithholdBasis::name_zh)
    }
}

#[allow(clippy::too_many_arguments)] // the page's parts, each needed to redraw it after a form
async fn entry_with(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    id: &str,
    text: Option<String>,
    message: Option<String>,
    errors: FieldErrors,
) -> PageResult {
    let view = ops::entry(state, &principal.actor(info), id, true).await?;
    let title = format!("决定公开 {}", view.entry.record.decision_number);
    let chrome = Chrome::new(state, principal, headers, "disclosures", &title, "Publication").await?;
    let status = if errors.is_empty() && message.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let text = text.or_else(|| view.draft.as_ref().map(|d| d.redacted.text.clone())).unwrap_or_default();
    let page = EntryPage {
        chrome,
        view,
        can_publish: principal.has(Action::DisclosurePublish),
        today: civil_date(state.now()).to_string(),
        grounds: WithdrawGround::ALL.iter().map(|g| (g.code(), g.name_zh())).collect(),
        bases: WithholdBasis::ALL.iter().map(|b| (b.code(), b.name_zh())).collect(),
        text,
        message,
        errors,
    };
    render_status(&page, status)
}

pub async fn entry_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    entry_with(&state, &principal, &info, &headers, &id, None, None, FieldErrors::default()).await
}

/// The answer to a form on an entry's page: back to the page, or the page with what went wrong
/// (and the text as sent, so that an edit is not lost).
async fn after(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    id: &str,
    text: Option<String>,
    result: Result<i64, AppError>,
) -> PageResult {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/disclosures/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            entry_with(state, principal, info, headers, id, text, None, errors).await
        }
        Err(AppError::Refused { message, .. } | AppError::Conflict { message, .. }) => {
            entry_with(state, principal, info, headers, id, text, Some(message), FieldErrors::default()).await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct PublishForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    text: String,
}

pub async fn publish_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<PublishForm>,
) -> PageResult {
    let result =
        ops::publish(&state, &principal.actor(&info), &id, form_version(&form.version), &form.text).await;
    after(&state, &principal, &info, &headers, &id, Some(form.text), result).await
}

#[derive(Debug, Deserialize)]
pub struct WithholdForm {
    #[serde(default)]
    version: String,
    #[serde(flatten)]
    input: WithholdInput,
}

pub async fn withhold_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<WithholdForm>,
) -> PageResult {
    let result =
        ops::withhold(&state, &principal.actor(&info), &id, form_version(&form.version), &form.input).await;
    after(&state, &principal, &info, &headers, &id, None, result).await
}

#[derive(Debug, Deserialize)]
pub struct RulingForm {
    #[serde(default)]
    version: String,
    #[serde(flatten)]
    input: RulingInput,
}

pub async fn ruling_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<RulingForm>,
) -> PageResult {
    let result =
        ops::record_ruling(&state, &principal.actor(&info), &id, form_version(&form.version), &form.input)
            .await;
    after(&state, &principal, &info, &headers, &id, None, result).await
}

#[derive(Debug, Deserialize)]
pub struct WithdrawForm {
    #[serde(default)]
    version: String,
    #[serde(flatten)]
    input: WithdrawInput,
}

pub async fn withdraw_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<WithdrawForm>,
) -> PageResult {
    let result =
        ops::withdraw(&state, &principal.actor(&info), &id, form_version(&form.version), &form.input).await;
    after(&state, &principal, &info, &headers, &id, None, result).await
}

// ----- The year's figures -----

/// `?year=YYYY` (empty: last year, the one to publish).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct FiguresQuery {
    #[param(pattern = r"^(20[0-9]{2})?$")]
    pub year: String,
}

fn figures_year(state: &AppState, raw: &str) -> Result<i32, AppError> {
    if raw.trim().is_empty() {
        return Ok(chrono::Datelike::year(&civil_date(state.now())) - 1);
    }
    year_of(state, raw.trim())
}

/// A year's figures: as the records say now, as published if they were, and the clock.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FiguresDto {
    pub live: crate::domain::disclosure::AnnualFigures,
    pub published: Option<crate::store::disclosure::PublishedFigures>,
    pub due_on: chrono::NaiveDate,
    /// `met`, `met_late`, `running`, `due_soon` or `overdue`.
    pub clock: &'static str,
}

#[utoipa::path(get, path = "/api/v1/annual-figures", tag = "disclosure", params(FiguresQuery),
    responses((status = 200, body = FiguresDto), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_figures(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<FiguresQuery>,
) -> ApiResult<Json<FiguresDto>> {
    let year = figures_year(&state, &query.year)?;
    let view = ops::figures(&state, &principal.actor(&info), year).await?;
    Ok(Json(FiguresDto {
        live: view.live,
        published: view.published,
        due_on: view.due,
        clock: view.status.code(),
    }))
}

#[utoipa::path(post, path = "/api/v1/annual-figures/{year}/publish", tag = "disclosure",
    params(("year" = String, Path, pattern = r"^20[0-9]{2}$")),
    responses((status = 204), (status = 403, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody, description = "`year_not_over`, `figures_published`")))]
pub async fn api_publish_figures(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(year): Path<String>,
) -> ApiResult<StatusCode> {
    let year = year_of(&state, year.trim())?;
    ops::publish_figures(&state, &principal.actor(&info), year).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Template)]
#[template(path = "disclosure_figures.html")]
struct FiguresPage {
    chrome: Chrome,
    l: Lang,
    year: i32,
    view: ops::FiguresView,
    /// What the page shows: the published snapshot, else the live count.
    figures: crate::domain::disclosure::AnnualFigures,
    /// The year is over, so its figures may be published.
    can_publish: bool,
    message: Option<String>,
}

async fn figures_with(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    year: i32,
    message: Option<String>,
) -> PageResult {
    let view = ops::figures(state, &principal.actor(info), year).await?;
    let chrome =
        Chrome::new(state, principal, headers, "disclosures", "年度执法数据", "Yearly figures").await?;
    let figures = view.published.as_ref().map_or_else(|| view.live.clone(), |p| p.figures.clone());
    let status = if message.is_none() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = FiguresPage {
        l: chrome.l,
        chrome,
        year,
        view,
        figures,
        can_publish: principal.has(Action::DisclosurePublish)
            && chrono::Datelike::year(&civil_date(state.now())) > year,
        message,
    };
    render_status(&page, status)
}

pub async fn figures_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Query(query): Query<FiguresQuery>,
) -> PageResult {
    let year = figures_year(&state, &query.year)?;
    figures_with(&state, &principal, &info, &headers, year, None).await
}

pub async fn publish_figures_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(year): Path<String>,
) -> PageResult {
    let year = year_of(&state, year.trim())?;
    match ops::publish_figures(&state, &principal.actor(&info), year).await {
        Ok(()) => Ok(Redirect::to(&format!("/disclosures/figures?year={year}")).into_response()),
        Err(AppError::Refused { message, .. }) => {
            figures_with(&state, &principal, &info, &headers, year, Some(message)).await
        }
        Err(error) => Err(error.into()),
    }
}
