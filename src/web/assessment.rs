//! 派驻中队目标考核 (issue 16 scope 1): the ranking of a month or a year, a squad's breakdown with
//! the records behind each line, the year's scheme, the forms to define it, record entries,
//! publish and correct, the workbook, and the same under `/api/v1`. The operations are
//! `ops::assessment`.

use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::assessment::{
    CorrectionInput, EntryInput, IndicatorInput, Metric, PENALTY_LINKED_ZH, Period, Rule, Source, SquadResult,
};
use crate::domain::fields::FieldErrors;
use crate::domain::time::civil_date;
use crate::ops::assessment::{self as ops, ResultsView, SquadScore};
use crate::store::AuditEvent;
use crate::store::assessment::{BehindRow, Scheme, StoredEntry};
use crate::store::org::Unit;
use crate::web::body::JsonObject;
use crate::web::common::{PeriodQuery, RecordedDto, VersionDto, form_version, minutes, period_of};
use crate::web::error::{ApiResult, AppError, PageResult};
use crate::web::guard::{Caller, Principal, RequestInfo};
use crate::web::pages::{Chrome, Lang, render_status};

fn year_in_path(raw: &str) -> Result<i32, AppError> {
    match Period::parse(raw) {
        Some(Period::Year(year)) if raw.len() == 4 => Ok(year),
        _ => Err(AppError::NotFound),
    }
}

/// A period's results as the API gives them.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ResultsDto {
    /// `YYYY-MM` or `YYYY`.
    pub period: String,
    /// Whether the office has published (frozen) them; otherwise they are computed on reading.
    pub published: bool,
    pub published_at: Option<DateTime<Utc>>,
    pub results: Vec<SquadScore>,
}

impl From<&ResultsView> for ResultsDto {
    fn from(view: &ResultsView) -> Self {
        ResultsDto {
            period: view.period.code(),
            published: view.published.is_some(),
            published_at: view.published.as_ref().map(|(_, at)| *at),
            results: view.results.iter().map(SquadScore::from).collect(),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/assessment/results", tag = "assessment", params(PeriodQuery),
    responses((status = 200, body = ResultsDto), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_results(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<PeriodQuery>,
) -> ApiResult<Json<ResultsDto>> {
    let period = period_of(&state, &query.period)?;
    let view = ops::results(&state, &principal.actor(&info), period).await?;
    Ok(Json(ResultsDto::from(&view)))
}

/// An indicator of a scheme as the API gives it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct IndicatorDto {
    pub id: String,
    pub name: String,
    pub source: Source,
    /// The metric of a computed indicator.
    pub metric: Option<String>,
    /// `rate`, `deduct` or `award`.
    pub rule: String,
    pub weight: f64,
    /// Points per counted item (computed counts).
    pub per: f64,
    pub note: String,
}

/// A year's scheme as the API gives it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SchemeDto {
    pub year: i32,
    pub total: f64,
    /// Whether it was adopted (then it and its indicators are frozen).
    pub adopted: bool,
    pub adopted_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub indicators: Vec<IndicatorDto>,
}

impl From<&Scheme> for SchemeDto {
    fn from(s: &Scheme) -> Self {
        SchemeDto {
            year: s.year,
            total: s.total.as_f64(),
            adopted: s.adopted_at.is_some(),
            adopted_at: s.adopted_at,
            version: s.version,
            indicators: s
                .indicators
                .iter()
                .map(|(id, i)| IndicatorDto {
                    id: id.clone(),
                    name: i.name.clone(),
                    source: i.source,
                    metric: i.metric.map(|m| m.code().to_owned()),
                    rule: i.rule.code().to_owned(),
                    weight: i.weight.as_f64(),
                    per: i.per.as_f64(),
                    note: i.note.clone(),
                })
                .collect(),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/assessment/schemes/{year}", tag = "assessment", params(("year" = String, Path)),
    responses((status = 200, body = SchemeDto), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_scheme(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(year): Path<String>,
) -> ApiResult<Json<SchemeDto>> {
    let year = year_in_path(&year)?;
    let scheme = ops::scheme(&state, &principal.actor(&info), year).await?.ok_or(AppError::NotFound)?;
    Ok(Json(SchemeDto::from(&scheme)))
}

/// A scheme's declared total; `version` to change a draft's, absent to begin the year's.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct SchemeBody {
    /// The declared total in points (e.g. `100`).
    #[schema(example = "100")]
    pub total: String,
    #[serde(default)]
    pub version: Option<i64>,
}

#[utoipa::path(put, path = "/api/v1/assessment/schemes/{year}", tag = "assessment", params(("year" = String, Path)),
    request_body = SchemeBody,
    responses((status = 200, body = VersionDto), (status = 404, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_save_scheme(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(year): Path<String>,
    JsonObject(body): JsonObject<SchemeBody>,
) -> ApiResult<Json<VersionDto>> {
    let year = year_in_path(&year)?;
    let version = ops::save_scheme(&state, &principal.actor(&info), year, &body.total, body.version).await?;
    Ok(Json(VersionDto { version }))
}

#[utoipa::path(post, path = "/api/v1/assessment/schemes/{year}/indicators", tag = "assessment",
    params(("year" = String, Path)), request_body = IndicatorInput,
    responses((status = 201, body = RecordedDto), (status = 404, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_add_indicator(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(year): Path<String>,
    JsonObject(body): JsonObject<IndicatorInput>,
) -> ApiResult<(StatusCode, Json<RecordedDto>)> {
    let year = year_in_path(&year)?;
    let id = ops::add_indicator(&state, &principal.actor(&info), year, &body).await?;
    Ok((StatusCode::CREATED, Json(RecordedDto { id })))
}

#[utoipa::path(delete, path = "/api/v1/assessment/schemes/{year}/indicators/{id}", tag = "assessment",
    params(("year" = String, Path), ("id" = String, Path)),
    responses((status = 204), (status = 404, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_remove_indicator(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path((year, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let year = year_in_path(&year)?;
    ops::remove_indicator(&state, &principal.actor(&info), year, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The version read, for a write over it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct VersionBody {
    pub version: i64,
}

#[utoipa::path(post, path = "/api/v1/assessment/schemes/{year}/adopt", tag = "assessment",
    params(("year" = String, Path)), request_body = VersionBody,
    responses((status = 204), (status = 404, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_adopt(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(year): Path<String>,
    JsonObject(body): JsonObject<VersionBody>,
) -> ApiResult<StatusCode> {
    let year = year_in_path(&year)?;
    ops::adopt(&state, &principal.actor(&info), year, body.version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A recorded entry as the API gives it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct AssessmentEntryDto {
    pub id: String,
    pub unit_id: String,
    pub indicator_id: String,
    pub on: chrono::NaiveDate,
    pub points: f64,
    pub note: String,
    pub basis: String,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

impl From<&StoredEntry> for AssessmentEntryDto {
    fn from(e: &StoredEntry) -> Self {
        AssessmentEntryDto {
            id: e.id.clone(),
            unit_id: e.entry.unit_id.clone(),
            indicator_id: e.entry.indicator_id.clone(),
            on: e.entry.on,
            points: e.entry.points.as_f64(),
            note: e.entry.note.clone(),
            basis: e.entry.basis.clone(),
            recorded_by: e.recorded_by.clone(),
            recorded_at: e.recorded_at,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/assessment/entries", tag = "assessment", params(PeriodQuery),
    responses((status = 200, body = [AssessmentEntryDto]), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_entries(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<PeriodQuery>,
) -> ApiResult<Json<Vec<AssessmentEntryDto>>> {
    let period = period_of(&state, &query.period)?;
    let entries = ops::entries(&state, &principal.actor(&info), period).await?;
    Ok(Json(entries.iter().map(AssessmentEntryDto::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/assessment/entries", tag = "assessment", request_body = EntryInput,
    responses((status = 201, body = RecordedDto), (status = 403, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_record_entry(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<EntryInput>,
) -> ApiResult<(StatusCode, Json<RecordedDto>)> {
    let id = ops::record_entry(&state, &principal.actor(&info), &body).await?;
    Ok((StatusCode::CREATED, Json(RecordedDto { id })))
}

/// The period to publish.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct AssessmentPublishBody {
    /// `YYYY-MM` or `YYYY`, ended.
    #[schema(example = "2026-11")]
    pub period: String,
}

/// How many squads' results were frozen.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PublishedDto {
    pub period: String,
    pub squads: usize,
}

#[utoipa::path(post, path = "/api/v1/assessment/publications", tag = "assessment", request_body = AssessmentPublishBody,
    responses((status = 201, body = PublishedDto), (status = 409, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_publish(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<AssessmentPublishBody>,
) -> ApiResult<(StatusCode, Json<PublishedDto>)> {
    let period = period_of(&state, &body.period)?;
    let squads = ops::publish(&state, &principal.actor(&info), period).await?;
    Ok((StatusCode::CREATED, Json(PublishedDto { period: period.code(), squads })))
}

/// A correction of a published line.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CorrectionBody {
    /// The published period (`YYYY-MM` or `YYYY`).
    #[schema(example = "2026-11")]
    pub period: String,
    #[serde(flatten)]
    pub correction: CorrectionInput,
}

#[utoipa::path(post, path = "/api/v1/assessment/corrections", tag = "assessment", request_body = CorrectionBody,
    responses((status = 201, body = RecordedDto), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_correct(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<CorrectionBody>,
) -> ApiResult<(StatusCode, Json<RecordedDto>)> {
    let period = period_of(&state, &body.period)?;
    let id = ops::correct(&state, &principal.actor(&info), period, &body.correction).await?;
    Ok((StatusCode::CREATED, Json(RecordedDto { id })))
}

// ---- Pages ----

#[derive(Template)]
#[template(path = "assessment.html")]
struct RankingPage {
    chrome: Chrome,
    view: ResultsView,
    scheme: Option<Scheme>,
    month_value: String,
    year: i32,
    can_publish: bool,
    published_line: String,
    errors: FieldErrors,
}

impl RankingPage {
    fn score(&self, r: &SquadResult) -> String {
        r.score().to_string()
    }
}

pub async fn ranking_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Query(query): Query<PeriodQuery>,
) -> PageResult {
    let period = period_of(&state, &query.period)?;
    ranking_with(&state, &principal, &info, &headers, period, FieldErrors::default()).await
}

async fn ranking_with(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    period: Period,
    errors: FieldErrors,
) -> PageResult {
    let actor = principal.actor(info);
    let chrome =
        Chrome::new(state, principal, headers, "assessment", "中队目标考核", "Squad assessment").await?;
    let scheme = ops::scheme(state, &actor, period.year()).await?;
    let adopted = scheme.as_ref().is_some_and(|s| s.adopted_at.is_some());
    // Without an adopted scheme, or before the period begins, there is nothing to rank: the page
    // says so instead of failing.
    let view = if adopted && period.first_day() <= civil_date(state.now()) {
        ops::results(state, &actor, period).await?
    } else {
        ResultsView { period, published: None, results: Vec::new(), corrections: Vec::new() }
    };
    let can_manage = principal.has(Action::AssessmentManage);
    let published_line =
        view.published.as_ref().map(|(by, at)| format!("{} {}", by, minutes(*at))).unwrap_or_default();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = RankingPage {
        chrome,
        month_value: match period {
            Period::Month(_) => period.code(),
            Period::Year(y) => format!("{y}-12"),
        },
        year: period.year(),
        can_publish: can_manage
            && adopted
            && view.published.is_none()
            && period.is_over(civil_date(state.now())),
        published_line,
        view,
        scheme,
        errors,
    };
    render_status(&page, status)
}

#[derive(Debug, Deserialize)]
pub struct PublishForm {
    pub period: String,
}

pub async fn publish_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(form): Form<PublishForm>,
) -> PageResult {
    let period = period_of(&state, form.period.trim())?;
    match ops::publish(&state, &principal.actor(&info), period).await {
        Ok(_) => Ok(Redirect::to(&format!("/assessment?period={}", period.code())).into_response()),
        Err(AppError::Refused { code, message } | AppError::Conflict { code, message }) => {
            let errors = FieldErrors::single("period", code, message);
            ranking_with(&state, &principal, &info, &headers, period, errors).await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Template)]
#[template(path = "assessment_squad.html")]
struct SquadPage {
    chrome: Chrome,
    period: Period,
    published: bool,
    squad: SquadResult,
    squad_count: usize,
    scheme: Scheme,
    entries: Vec<StoredEntry>,
    /// The rows behind the line chosen with `?line=`, with its name.
    behind: Option<(String, Vec<BehindRow>)>,
    can_manage: bool,
    today: String,
    entry: EntryInput,
    correction: CorrectionInput,
    errors: FieldErrors,
}

impl SquadPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
    fn entry_indicator(&self, id: &str) -> String {
        self.scheme.indicators.iter().find(|(i, _)| i == id).map(|(_, i)| i.name.clone()).unwrap_or_default()
    }
    /// Where the records behind a computed line are.
    fn records_link(&self, indicator_id: &str) -> String {
        let metric =
            self.scheme.indicators.iter().find(|(i, _)| i == indicator_id).and_then(|(_, i)| i.metric);
        let month = match self.period {
            Period::Month(_) => self.period.code(),
            Period::Year(y) => format!("{y}-01"),
        };
        match metric {
            Some(Metric::HandlingOnTime | Metric::DeadlinesMissed | Metric::LegalReview) => format!(
                "/assessment/squads/{}?period={}&line={}#behind",
                self.squad.unit_id,
                self.period.code(),
                indicator_id
            ),
            Some(Metric::Recording) => format!("/evidence/recording?month={month}"),
            Some(Metric::Training) => {
                format!("/training/compliance?month={month}&unit={}", self.squad.unit_id)
            }
            Some(Metric::MattersOnTime) => format!("/matters/indicators?month={month}"),
            Some(Metric::Certificates) => format!("/people?unit_id={}", self.squad.unit_id),
            Some(Metric::OpinionsOnTime) => format!("/supervision?year={}#opinions", self.period.year()),
            Some(Metric::PublicityOutput) => {
                format!("/publicity?year={}&unit_id={}", self.period.year(), self.squad.unit_id)
            }
            None => "#entries".to_owned(),
        }
    }
    fn recorded_indicators(&self) -> Vec<(String, String)> {
        self.scheme
            .indicators
            .iter()
            .filter(|(_, i)| i.source == Source::Recorded)
            .map(|(id, i)| (id.clone(), format!("{}（{}，{} 分）", i.name, i.rule.name_zh(), i.weight)))
            .collect()
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SquadQuery {
    pub period: String,
    pub line: String,
}

pub async fn squad_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(unit_id): Path<String>,
    Query(query): Query<SquadQuery>,
) -> PageResult {
    let period = period_of(&state, &query.period)?;
    let forms =
        (EntryInput { unit_id: unit_id.clone(), ..EntryInput::default() }, CorrectionInput::default());
    squad_with(
        &state,
        &principal,
        &info,
        &headers,
        period,
        &unit_id,
        &query.line,
        forms,
        FieldErrors::default(),
    )
    .await
}

#[allow(clippy::too_many_arguments)] // the page's parts, each needed to redraw it after a form
async fn squad_with(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    period: Period,
    unit_id: &str,
    line: &str,
    (entry, correction): (EntryInput, CorrectionInput),
    errors: FieldErrors,
) -> PageResult {
    let actor = principal.actor(info);
    let scheme = ops::scheme(state, &actor, period.year()).await?.ok_or(AppError::NotFound)?;
    let (view, squad) = ops::squad_result(state, &actor, period, unit_id).await?;
    let behind = match scheme.indicators.iter().find(|(id, _)| id == line) {
        Some((_, indicator)) => match indicator.metric {
            Some(metric) => ops::behind(state, &actor, period, unit_id, metric)
                .await?
                .map(|rows| (indicator.name.clone(), rows)),
            None => None,
        },
        None => None,
    };
    let entries: Vec<StoredEntry> = ops::entries(state, &actor, period)
        .await?
        .into_iter()
        .filter(|e| e.entry.unit_id == unit_id)
        .collect();
    let chrome =
        Chrome::new(state, principal, headers, "assessment", "中队目标考核", "Squad assessment").await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = SquadPage {
        chrome,
        period,
        published: view.published.is_some(),
        squad_count: view.results.len(),
        squad,
        scheme,
        entries,
        behind,
        can_manage: principal.has(Action::AssessmentManage),
        today: civil_date(state.now()).to_string(),
        entry,
        correction,
        errors,
    };
    render_status(&page, status)
}

pub async fn entry_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(input): Form<EntryInput>,
) -> PageResult {
    let actor = principal.actor(&info);
    let period = crate::domain::time::civil_date(state.now());
    let back_period = chrono::NaiveDate::parse_from_str(input.on.trim(), "%Y-%m-%d")
        .map(|d| Period::Month(crate::domain::training::Month::of(d)))
        .unwrap_or(Period::Month(crate::domain::training::Month::of(period)));
    match ops::record_entry(&state, &actor, &input).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/assessment/squads/{}?period={}#entries",
            crate::web::common::query_encoded(&input.unit_id),
            back_period.code()
        ))
        .into_response()),
        Err(AppError::Invalid(errors)) => {
            let unit_id = input.unit_id.clone();
            let forms = (input, CorrectionInput::default());
            squad_with(&state, &principal, &info, &headers, back_period, &unit_id, "", forms, errors).await
        }
        Err(AppError::Refused { code, message }) => {
            let unit_id = input.unit_id.clone();
            let forms = (input, CorrectionInput::default());
            let errors = FieldErrors::single("on", code, message);
            squad_with(&state, &principal, &info, &headers, back_period, &unit_id, "", forms, errors).await
        }
        Err(error) => Err(error.into()),
    }
}

/// The correction form: the period and the line, the points and the reason.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CorrectionForm {
    pub period: String,
    pub unit_id: String,
    pub indicator_id: String,
    pub points: String,
    pub reason: String,
}

pub async fn correction_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(form): Form<CorrectionForm>,
) -> PageResult {
    let period = period_of(&state, form.period.trim())?;
    let input = CorrectionInput {
        unit_id: form.unit_id,
        indicator_id: form.indicator_id,
        points: form.points,
        reason: form.reason,
    };
    match ops::correct(&state, &principal.actor(&info), period, &input).await {
        Ok(_) => Ok(Redirect::to(&format!(
            "/assessment/squads/{}?period={}",
            crate::web::common::query_encoded(&input.unit_id),
            period.code()
        ))
        .into_response()),
        Err(AppError::Invalid(errors)) => {
            let unit_id = input.unit_id.clone();
            let forms = (EntryInput::default(), input);
            squad_with(&state, &principal, &info, &headers, period, &unit_id, "", forms, errors).await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Template)]
#[template(path = "assessment_scheme.html")]
struct SchemePage {
    chrome: Chrome,
    year: i32,
    scheme: Option<Scheme>,
    can_manage: bool,
    indicator: IndicatorInput,
    total: String,
    errors: FieldErrors,
    penalty_rule: &'static str,
    metrics: Vec<(&'static str, &'static str)>,
    rules: Vec<(&'static str, &'static str)>,
}

impl SchemePage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
    fn weights(&self) -> String {
        self.scheme
            .as_ref()
            .map(|s| {
                crate::domain::assessment::Points(s.indicators.iter().map(|(_, i)| i.weight.0).sum())
                    .to_string()
            })
            .unwrap_or_default()
    }
    /// Whether the scheme may still change (none yet, or a draft).
    fn editable(&self) -> bool {
        self.scheme.as_ref().is_none_or(|s| s.adopted_at.is_none())
    }
    fn metric_name(&self, metric: &Option<Metric>) -> &'static str {
        metric.map_or("—", |m| m.name_zh())
    }
}

pub async fn scheme_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(year): Path<String>,
) -> PageResult {
    let year = year_in_path(&year)?;
    scheme_with(&state, &principal, &info, &headers, year, IndicatorInput::default(), FieldErrors::default())
        .await
}

async fn scheme_with(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    year: i32,
    indicator: IndicatorInput,
    errors: FieldErrors,
) -> PageResult {
    let scheme = ops::scheme(state, &principal.actor(info), year).await?;
    let chrome =
        Chrome::new(state, principal, headers, "assessment", "考核方案", "Assessment scheme").await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = SchemePage {
        chrome,
        year,
        total: scheme.as_ref().map_or_else(|| "100".to_owned(), |s| s.total.to_string()),
        scheme,
        can_manage: principal.has(Action::AssessmentManage),
        indicator,
        errors,
        penalty_rule: PENALTY_LINKED_ZH,
        metrics: Metric::ALL.iter().map(|m| (m.code(), m.name_zh())).collect(),
        rules: Rule::ALL.iter().map(|r| (r.code(), r.name_zh())).collect(),
    };
    render_status(&page, status)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TotalForm {
    pub total: String,
    pub version: String,
}

/// Begins the year's scheme or changes a draft's total.
pub async fn total_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(year): Path<String>,
    Form(form): Form<TotalForm>,
) -> PageResult {
    let year = year_in_path(&year)?;
    let version = Some(form.version.trim()).filter(|v| !v.is_empty()).map(form_version);
    match ops::save_scheme(&state, &principal.actor(&info), year, &form.total, version).await {
        Ok(_) => Ok(Redirect::to(&format!("/assessment/schemes/{year}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            scheme_with(&state, &principal, &info, &headers, year, IndicatorInput::default(), errors).await
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn indicator_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(year): Path<String>,
    Form(input): Form<IndicatorInput>,
) -> PageResult {
    let year = year_in_path(&year)?;
    match ops::add_indicator(&state, &principal.actor(&info), year, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/assessment/schemes/{year}#indicators")).into_response()),
        Err(AppError::Invalid(errors)) => {
            scheme_with(&state, &principal, &info, &headers, year, input, errors).await
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn remove_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path((year, id)): Path<(String, String)>,
) -> PageResult {
    let year = year_in_path(&year)?;
    ops::remove_indicator(&state, &principal.actor(&info), year, &id).await?;
    Ok(Redirect::to(&format!("/assessment/schemes/{year}#indicators")).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AdoptForm {
    pub version: String,
}

pub async fn adopt_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(year): Path<String>,
    Form(form): Form<AdoptForm>,
) -> PageResult {
    let year = year_in_path(&year)?;
    match ops::adopt(&state, &principal.actor(&info), year, form_version(&form.version)).await {
        Ok(()) => Ok(Redirect::to(&format!("/assessment/schemes/{year}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            scheme_with(&state, &principal, &info, &headers, year, IndicatorInput::default(), errors).await
        }
        Err(error) => Err(error.into()),
    }
}

fn workbook(view: &ResultsView, units: &[Unit]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#E8EEF7");
    let sheet = workbook.add_worksheet();
    sheet.set_name("排名")?;
    let indicators: Vec<&str> = view
        .results
        .first()
        .map(|r| r.lines.iter().map(|l| l.indicator.as_str()).collect())
        .unwrap_or_default();
    let mut header = vec!["名次", "中队", "得分"];
    header.extend(indicators.iter().copied());
    for (c, h) in header.iter().enumerate() {
        sheet.write_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, result) in view.results.iter().enumerate() {
        let row = (r + 1) as u32;
        sheet.write(row, 0, f64::from(result.rank))?;
        let name =
            units.iter().find(|u| u.id == result.unit_id).map_or(result.unit.as_str(), |u| u.name.as_str());
        sheet.write(row, 1, name)?;
        sheet.write(row, 2, result.score().as_f64())?;
        for (c, line) in result.lines.iter().enumerate() {
            sheet.write(row, (c + 3) as u16, line.points.as_f64())?;
        }
    }
    let sheet = workbook.add_worksheet();
    sheet.set_name("得分明细")?;
    for (c, h) in
        ["中队", "指标", "来源", "权重", "得分", "计分依据", "更正前", "更正理由"].iter().enumerate()
    {
        sheet.write_with_format(0, c as u16, *h, &bold)?;
    }
    let mut row = 1u32;
    for result in &view.results {
        for line in &result.lines {
            sheet.write(row, 0, result.unit.as_str())?;
            sheet.write(row, 1, line.indicator.as_str())?;
            sheet.write(row, 2, line.source.name_zh())?;
            sheet.write(row, 3, line.weight.as_f64())?;
            sheet.write(row, 4, line.points.as_f64())?;
            sheet.write(row, 5, line.value.as_str())?;
            if let Some(before) = line.corrected_from {
                sheet.write(row, 6, before.as_f64())?;
                sheet.write(row, 7, line.correction_reason.as_deref().unwrap_or(""))?;
            }
            row += 1;
        }
    }
    workbook.save_to_buffer()
}

/// `导出Excel`: the period's ranking and every line of every squad, audited.
pub async fn export(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<PeriodQuery>,
) -> PageResult {
    let period = period_of(&state, &query.period)?;
    let actor = principal.actor(&info);
    let view = ops::results(&state, &actor, period).await?;
    let units = state.db.units().await?;
    let bytes =
        workbook(&view, &units).map_err(|e| AppError::Internal(anyhow::anyhow!("the workbook: {e}")))?;
    state
        .db
        .audit_only(
            &actor.audit_ctx(),
            state.now(),
            AuditEvent::new("assessment.export", "assessment_period", period.code())
                .details(serde_json::json!({ "squads": view.results.len() })),
        )
        .await?;
    let code = period.code();
    Ok(crate::web::common::xlsx_response(
        bytes,
        &format!("assessment_{code}.xlsx"),
        &format!("中队目标考核_{}.xlsx", period.name_zh()),
    ))
}
