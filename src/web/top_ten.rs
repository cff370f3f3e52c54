//! 十佳评比 (issue 16 scope 4): a year's round (its settings, the nominations with their
//! figures, the panel's score forms, the office's tally and step forms, the result list), the
//! settings form, the candidates with their eligibility and the nomination form, the workbook,
//! and the same under `/api/v1`. The public result list and the notice PDF are on the portal.
//! The operations are `ops::top_ten`.

use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::top_ten::{
    Category, Figures, NominationInput, RoundState, Rule, ScoreInput, Settings, SettingsInput,
    TopTenCategoryInput, TopTenNoticeInput,
};
use crate::ops::top_ten::{self as ops, Candidate, NominationView, RoundView, StepInput};
use crate::store::AuditEvent;
use crate::web::body::JsonObject;
use crate::web::common::{CreatedDto, VersionDto, form_version, year_of};
use crate::web::error::{ApiResult, AppError, PageResult};
use crate::web::guard::{Caller, Principal, RequestInfo};
use crate::web::pages::{Chrome, Lang, render_status};

/// A round's settings as written through the API.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TopTenSettingsBody {
    pub settings: SettingsInput,
    /// The round's version as read (0 opens the round).
    #[serde(default)]
    pub version: i64,
}

/// A year's round in the list.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TopTenRoundItem {
    pub year: i32,
    /// `nominating`, `scoring`, `closed` or `published`.
    pub state: String,
}

/// `?category=`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct CategoryQuery {
    /// `squad`, `squad_leader`, `officer` or `auxiliary` (default `officer`).
    pub category: String,
}

fn category_of(raw: &str) -> Result<Category, AppError> {
    if raw.trim().is_empty() {
        return Ok(Category::Officer);
    }
    Category::parse(raw)
        .ok_or_else(|| FieldErrors::single("category", "invalid_value", "未知的评比类别").into())
}

#[utoipa::path(get, path = "/api/v1/top-ten", tag = "assessment",
    responses((status = 200, body = [TopTenRoundItem]), (status = 403, body = crate::web::error::ErrorBody)))]
pub async fn api_rounds(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
) -> ApiResult<Json<Vec<TopTenRoundItem>>> {
    let rounds = ops::rounds(&state, &principal.actor(&info)).await?;
    Ok(Json(
        rounds.into_iter().map(|(year, s)| TopTenRoundItem { year, state: s.code().to_owned() }).collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/top-ten/{year}", tag = "assessment",
    params(("year" = i32, Path, minimum = 2000, maximum = 2100)),
    responses((status = 200, body = RoundView), (status = 404, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_round(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(year): Path<String>,
) -> ApiResult<Json<RoundView>> {
    let year = year_of(&state, &year)?;
    Ok(Json(ops::round(&state, &principal.actor(&info), year).await?))
}

#[utoipa::path(put, path = "/api/v1/top-ten/{year}/settings", tag = "assessment", request_body = TopTenSettingsBody,
    params(("year" = i32, Path, minimum = 2000, maximum = 2100)),
    responses((status = 200, body = VersionDto), (status = 403, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_save_settings(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(year): Path<String>,
    JsonObject(body): JsonObject<TopTenSettingsBody>,
) -> ApiResult<Json<VersionDto>> {
    let year = year_of(&state, &year)?;
    let version =
        ops::save_settings(&state, &principal.actor(&info), year, &body.settings, body.version).await?;
    Ok(Json(VersionDto { version }))
}

#[utoipa::path(get, path = "/api/v1/top-ten/{year}/candidates", tag = "assessment",
    params(("year" = i32, Path, minimum = 2000, maximum = 2100), CategoryQuery),
    responses((status = 200, body = [Candidate]), (status = 403, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_candidates(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(year): Path<String>,
    Query(query): Query<CategoryQuery>,
) -> ApiResult<Json<Vec<Candidate>>> {
    let year = year_of(&state, &year)?;
    let category = category_of(&query.category)?;
    Ok(Json(ops::candidates(&state, &principal.actor(&info), year, category).await?))
}

#[utoipa::path(post, path = "/api/v1/top-ten/{year}/nominations", tag = "assessment", request_body = NominationInput,
    params(("year" = i32, Path, minimum = 2000, maximum = 2100)),
    responses((status = 201, body = CreatedDto), (status = 403, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_nominate(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(year): Path<String>,
    JsonObject(body): JsonObject<NominationInput>,
) -> ApiResult<(StatusCode, Json<CreatedDto>)> {
    let year = year_of(&state, &year)?;
    let id = ops::nominate(&state, &principal.actor(&info), year, &body).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

#[utoipa::path(post, path = "/api/v1/top-ten/{year}/scores", tag = "assessment", request_body = ScoreInput,
    params(("year" = i32, Path, minimum = 2000, maximum = 2100)),
    responses((status = 204), (status = 403, body = crate::web::error::ErrorBody),
        (status = 404, body = crate::web::error::ErrorBody), (status = 409, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_score(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(year): Path<String>,
    JsonObject(body): JsonObject<ScoreInput>,
) -> ApiResult<StatusCode> {
    let year = year_of(&state, &year)?;
    ops::score(&state, &principal.actor(&info), year, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/top-ten/{year}/steps", tag = "assessment", request_body = StepInput,
    params(("year" = i32, Path, minimum = 2000, maximum = 2100)),
    responses((status = 200, body = VersionDto), (status = 403, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_step(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(year): Path<String>,
    JsonObject(body): JsonObject<StepInput>,
) -> ApiResult<Json<VersionDto>> {
    let year = year_of(&state, &year)?;
    let version = ops::step(&state, &principal.actor(&info), year, &body).await?;
    Ok(Json(VersionDto { version }))
}

// ---- Pages ----

/// `?year=`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct YearQuery {
    pub year: String,
}

#[derive(Template)]
#[template(path = "top_ten.html")]
struct RoundPage {
    chrome: Chrome,
    year: i32,
    years: Vec<(i32, RoundState)>,
    round: Option<RoundView>,
    can_manage: bool,
    can_nominate: bool,
    step: StepInput,
    errors: FieldErrors,
}

impl RoundPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
    fn categories(&self) -> &'static [Category] {
        Category::ALL
    }
    fn in_category<'a>(&self, round: &'a RoundView, category: &Category) -> Vec<&'a NominationView> {
        let mut list: Vec<&NominationView> =
            round.nominations.iter().filter(|n| n.category == category.code()).collect();
        list.sort_by_key(|n| n.tally.as_ref().and_then(|t| t.rank).unwrap_or(u32::MAX));
        list
    }
    fn places(&self, round: &RoundView, category: &Category) -> String {
        round
            .settings
            .categories
            .iter()
            .find(|c| c.category == category.code())
            .map_or_else(|| "—".to_owned(), |c| c.places.to_string())
    }
    fn rules(&self, round: &RoundView, category: &Category) -> String {
        round
            .settings
            .categories
            .iter()
            .find(|c| c.category == category.code())
            .map(|c| {
                c.rules
                    .iter()
                    .filter_map(|r| Rule::parse(r))
                    .map(|r| r.name_zh())
                    .collect::<Vec<_>>()
                    .join("、")
            })
            .unwrap_or_default()
    }
    fn figures(&self, f: &Option<Figures>) -> String {
        f.as_ref().map(figures_line).unwrap_or_default()
    }
    fn score_text(&self, value: &Option<f64>) -> String {
        value.map(|v| format!("{v:.2}")).unwrap_or_else(|| "—".to_owned())
    }
    fn is(&self, round: &RoundView, state: &str) -> bool {
        round.state == state
    }
    fn day(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        crate::domain::time::civil_date(*at).to_string()
    }
}

/// The figures in one line, as the round and the candidates show them.
fn figures_line(f: &Figures) -> String {
    let mut parts = Vec::new();
    if let Some(stars) = f.stars {
        parts.push(format!("星级 {stars}"));
    }
    if let (Some(score), Some(rank)) = (f.assessment_score, f.assessment_rank) {
        parts.push(format!("中队考核 {score:.2} 分（第 {rank} 名）"));
    }
    parts.push(format!("学习日 {}/{}", f.training_compliant, f.training_judged));
    parts.push(format!("有效投诉 {}", f.complaints_upheld));
    parts.push(format!("违纪 {}", f.discipline));
    parts.push(format!("表扬 {}", f.commendations));
    if let Some(d) = f.certificate_valid_to {
        parts.push(format!("执法证至 {d}"));
    }
    if f.people > 0 {
        parts.push(format!("{} 人", f.people));
    }
    format!("{}（{} 个月）", parts.join("；"), f.months)
}

async fn round_with(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    year: i32,
    step: StepInput,
    errors: FieldErrors,
) -> PageResult {
    let actor = principal.actor(info);
    let years = ops::rounds(state, &actor).await?;
    let round = match ops::round(state, &actor, year).await {
        Ok(view) => Some(view),
        Err(AppError::NotFound) => None,
        Err(error) => return Err(error.into()),
    };
    let chrome = Chrome::new(state, principal, headers, "top_ten", "十佳评比", "Top-ten awards").await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = RoundPage {
        chrome,
        year,
        years,
        round,
        can_manage: principal.has(Action::TopTenManage),
        can_nominate: principal.has(Action::TopTenNominate),
        step,
        errors,
    };
    render_status(&page, status)
}

pub async fn round_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Query(query): Query<YearQuery>,
) -> PageResult {
    let year = year_of(&state, &query.year)?;
    round_with(&state, &principal, &info, &headers, year, StepInput::default(), FieldErrors::default()).await
}

/// The step form: `step`, `version`, `note`, `number`, `body`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StepForm {
    step: String,
    version: String,
    note: String,
    number: String,
    body: String,
}

pub async fn step_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(year): Path<String>,
    Form(form): Form<StepForm>,
) -> PageResult {
    let year = year_of(&state, &year)?;
    let input = StepInput {
        step: form.step,
        version: form_version(&form.version),
        note: form.note,
        notice: TopTenNoticeInput { number: form.number, body: form.body },
    };
    match ops::step(&state, &principal.actor(&info), year, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/top-ten?year={year}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            round_with(&state, &principal, &info, &headers, year, input, errors).await
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn score_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(year): Path<String>,
    Form(input): Form<ScoreInput>,
) -> PageResult {
    let year = year_of(&state, &year)?;
    match ops::score(&state, &principal.actor(&info), year, &input).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/top-ten?year={year}#n-{}", input.nomination_id)).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            round_with(&state, &principal, &info, &headers, year, StepInput::default(), errors).await
        }
        Err(error) => Err(error.into()),
    }
}

/// A title on the settings form: whether it is run, its places, each rule that applies and
/// whether it is checked.
type SettingsRow = (Category, bool, u32, Vec<(Rule, bool)>);

#[derive(Template)]
#[template(path = "top_ten_settings.html")]
struct SettingsPage {
    chrome: Chrome,
    year: i32,
    version: i64,
    /// The round has left nomination: the settings no longer change.
    fixed: bool,
    form: SettingsInput,
    accounts: Vec<(String, String)>,
    errors: FieldErrors,
}

impl SettingsPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
    /// Every category with what the form holds for it: on, places, rules.
    fn rows(&self) -> Vec<SettingsRow> {
        Category::ALL
            .iter()
            .map(|c| {
                let row = self.form.categories.iter().find(|r| r.category == c.code());
                let rules = Rule::ALL
                    .iter()
                    .filter(|r| r.applies(*c))
                    .map(|r| (*r, row.is_some_and(|row| row.rules.iter().any(|x| x == r.code()))))
                    .collect();
                (*c, row.is_some(), row.map_or(10, |r| r.places), rules)
            })
            .collect()
    }
    fn on_panel(&self, id: &str) -> bool {
        self.form.panel.iter().any(|p| p == id)
    }
}

async fn settings_with(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    year: i32,
    form: Option<(SettingsInput, i64)>,
    errors: FieldErrors,
) -> PageResult {
    principal.actor(info).require(Action::TopTenManage)?;
    let round = state.db.top_ten_round(year).await?;
    let fixed = round.as_ref().is_some_and(|r| r.state != RoundState::Nominating);
    let (form, version) = match (form, round) {
        (Some(f), _) => f,
        (None, Some(round)) => (round.settings.to_input(), round.version),
        (None, None) => (Settings::standard().to_input(), 0),
    };
    let accounts = ops::panel_candidates(&state.db).await?;
    let chrome =
        Chrome::new(state, principal, headers, "top_ten", "十佳评比设置", "Top-ten settings").await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    render_status(&SettingsPage { chrome, year, version, fixed, form, accounts, errors }, status)
}

pub async fn settings_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(year): Path<String>,
) -> PageResult {
    let year = year_of(&state, &year)?;
    settings_with(&state, &principal, &info, &headers, year, None, FieldErrors::default()).await
}

/// The settings form: `on_<category>`, `places_<category>`, `rule_<category>` (repeated),
/// `max_score`, `panel` (repeated), `version`.
pub async fn settings_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(year): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let year = year_of(&state, &year)?;
    let value = |key: &str| {
        pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.trim().to_owned()).unwrap_or_default()
    };
    let all = |key: &str| pairs.iter().filter(|(k, _)| k == key).map(|(_, v)| v.trim().to_owned()).collect();
    let input = SettingsInput {
        categories: Category::ALL
            .iter()
            .filter(|c| !value(&format!("on_{}", c.code())).is_empty())
            .map(|c| TopTenCategoryInput {
                category: c.code().to_owned(),
                places: value(&format!("places_{}", c.code())).parse().unwrap_or(0),
                rules: all(&format!("rule_{}", c.code())),
            })
            .collect(),
        max_score: value("max_score"),
        panel: all("panel"),
    };
    let version = form_version(&value("version"));
    match ops::save_settings(&state, &principal.actor(&info), year, &input, version).await {
        Ok(_) => Ok(Redirect::to(&format!("/top-ten?year={year}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            settings_with(&state, &principal, &info, &headers, year, Some((input, version)), errors).await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Template)]
#[template(path = "top_ten_candidates.html")]
struct CandidatesPage {
    chrome: Chrome,
    year: i32,
    category: Category,
    /// The round takes nominations.
    nominating: bool,
    candidates: Vec<Candidate>,
    form: NominationInput,
    errors: FieldErrors,
}

impl CandidatesPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
    fn categories(&self) -> &'static [Category] {
        Category::ALL
    }
    fn figures(&self, f: &Figures) -> String {
        figures_line(f)
    }
    fn eligible(&self) -> Vec<&Candidate> {
        self.candidates.iter().filter(|c| c.broken.is_empty() && !c.nominated).collect()
    }
}

async fn candidates_with(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    (year, category): (i32, Category),
    form: NominationInput,
    errors: FieldErrors,
) -> PageResult {
    let candidates = ops::candidates(state, &principal.actor(info), year, category).await?;
    let nominating = state.db.top_ten_round(year).await?.is_some_and(|r| r.state == RoundState::Nominating);
    let chrome = Chrome::new(state, principal, headers, "top_ten", "十佳推荐", "Top-ten nominations").await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    render_status(&CandidatesPage { chrome, year, category, nominating, candidates, form, errors }, status)
}

pub async fn candidates_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(year): Path<String>,
    Query(query): Query<CategoryQuery>,
) -> PageResult {
    let year = year_of(&state, &year)?;
    let category = category_of(&query.category)?;
    let form = NominationInput { category: category.code().to_owned(), ..NominationInput::default() };
    candidates_with(&state, &principal, &info, &headers, (year, category), form, FieldErrors::default()).await
}

pub async fn nominate_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(year): Path<String>,
    Form(input): Form<NominationInput>,
) -> PageResult {
    let year = year_of(&state, &year)?;
    let category = category_of(&input.category)?;
    match ops::nominate(&state, &principal.actor(&info), year, &input).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/top-ten/{year}/candidates?category={}", category.code()))
                .into_response())
        }
        Err(AppError::Invalid(errors)) => {
            candidates_with(&state, &principal, &info, &headers, (year, category), input, errors).await
        }
        Err(error) => Err(error.into()),
    }
}

fn workbook(round: &RoundView) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#E8EEF7");
    let sheet = workbook.add_worksheet();
    sheet.set_name("十佳评比")?;
    let heads = [
        "类别",
        "名称",
        "中队",
        "星级",
        "中队考核得分",
        "中队考核名次",
        "学习日达标",
        "学习日应考核",
        "有效投诉",
        "违纪",
        "表扬",
        "执法证有效期至",
        "主要事迹",
        "已评",
        "应评",
        "平均分",
        "名次",
        "当选",
    ];
    for (c, h) in heads.iter().enumerate() {
        sheet.write_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, n) in round.nominations.iter().enumerate() {
        let row = (r + 1) as u32;
        sheet.write(row, 0, n.category_name.as_str())?;
        sheet.write(row, 1, n.name.as_str())?;
        sheet.write(row, 2, n.squad.as_str())?;
        sheet.write(row, 12, n.deeds.as_str())?;
        if let Some(t) = &n.tally {
            sheet.write(row, 13, f64::from(t.scores))?;
            sheet.write(row, 14, f64::from(t.expected))?;
            if let Some(mean) = t.mean {
                sheet.write(row, 15, mean)?;
            }
            if let Some(rank) = t.rank {
                sheet.write(row, 16, f64::from(rank))?;
            }
            sheet.write(row, 17, if t.winner { "是" } else { "" })?;
        }
        let Some(f) = &n.figures else { continue };
        if let Some(s) = f.stars {
            sheet.write(row, 3, s)?;
        }
        if let Some(s) = f.assessment_score {
            sheet.write(row, 4, s)?;
        }
        if let Some(rank) = f.assessment_rank {
            sheet.write(row, 5, f64::from(rank))?;
        }
        sheet.write(row, 6, f.training_compliant as f64)?;
        sheet.write(row, 7, f.training_judged as f64)?;
        sheet.write(row, 8, f64::from(f.complaints_upheld))?;
        sheet.write(row, 9, f64::from(f.discipline))?;
        sheet.write(row, 10, f64::from(f.commendations))?;
        if let Some(d) = f.certificate_valid_to {
            sheet.write(row, 11, d.to_string())?;
        }
    }
    workbook.save_to_buffer()
}

/// `导出Excel`: the round's nominations the reader may see, with their figures, and the tally or
/// results where the reader may see them; audited.
pub async fn export(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(year): Path<String>,
) -> PageResult {
    let year = year_of(&state, &year)?;
    let actor = principal.actor(&info);
    let round = ops::round(&state, &actor, year).await?;
    let bytes = workbook(&round).map_err(|e| AppError::Internal(anyhow::anyhow!("the workbook: {e}")))?;
    state
        .db
        .audit_only(
            &actor.audit_ctx(),
            state.now(),
            AuditEvent::new("top_ten.export", "top_ten_round", year.to_string())
                .details(serde_json::json!({ "nominations": round.nominations.len() })),
        )
        .await?;
    Ok(crate::web::common::xlsx_response(
        bytes,
        &format!("top_ten_{year}.xlsx"),
        &format!("十佳评比_{year}.xlsx"),
    ))
}
