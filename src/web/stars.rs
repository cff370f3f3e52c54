//! 星级队员 (issue 16 scope 2): the ratings of a month or a year (with the office's entry and
//! publish forms, the appeals, and the squad leader's score form), one person's breakdown, one's
//! own stars with the appeal form, the year's rules, the workbook, and the same under `/api/v1`.
//! The operations are `ops::stars`.

use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::assessment::Period;
use crate::domain::fields::FieldErrors;
use crate::domain::stars::{
    AppealAnswerInput, AppealInput, Factor, FactorRuleInput, LeaderScoreInput, StarEntryInput, StarRulesInput,
};
use crate::domain::time::civil_date;
use crate::domain::training::Month;
use crate::ops::stars::{self as ops, MyStars, PersonRating, RatingsView};
use crate::store::AuditEvent;
use crate::store::org::{PeopleFilter, PersonSummary};
use crate::store::stars::Appeal;
use crate::web::body::JsonObject;
use crate::web::common::{CreatedDto, PeriodQuery, VersionDto, form_version, period_of, year_of};
use crate::web::error::{ApiResult, AppError, PageResult};
use crate::web::guard::{Caller, Principal, RequestInfo};
use crate::web::pages::{Chrome, Lang, render_status};

/// A year's rules as the API reads them: the same fields the API writes.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct StarRulesDto {
    pub year: i32,
    /// 0: the standard rules, not yet set by the office.
    pub version: i64,
    /// A month of the year is published: the rules no longer change.
    pub fixed: bool,
    pub rules: StarRulesInput,
}

/// A year's rules as written through the API.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct StarRulesBody {
    pub rules: StarRulesInput,
    /// The version read (0 the first time).
    #[serde(default)]
    pub version: i64,
}

/// A month, for publishing and appealing.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct StarMonthBody {
    /// `YYYY-MM`.
    #[schema(example = "2026-11")]
    pub month: String,
    /// Why (an appeal).
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub reason: String,
}

fn month_of(raw: &str) -> Result<Month, AppError> {
    Month::parse(raw)
        .ok_or_else(|| FieldErrors::single("month", "invalid_value", "月份格式为 YYYY-MM").into())
}

#[utoipa::path(get, path = "/api/v1/stars/ratings", tag = "assessment", params(PeriodQuery),
    responses((status = 200, body = RatingsView), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_ratings(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<PeriodQuery>,
) -> ApiResult<Json<RatingsView>> {
    let period = period_of(&state, &query.period)?;
    Ok(Json(ops::ratings(&state, &principal.actor(&info), period).await?))
}

#[utoipa::path(get, path = "/api/v1/stars/mine", tag = "assessment", params(PeriodQuery),
    responses((status = 200, body = MyStars), (status = 404, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_mine(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<PeriodQuery>,
) -> ApiResult<Json<MyStars>> {
    let period = period_of(&state, &query.period)?;
    Ok(Json(ops::mine(&state, &principal.actor(&info), period).await?))
}

#[utoipa::path(get, path = "/api/v1/stars/rules/{year}", tag = "assessment",
    params(("year" = i32, Path, minimum = 2000, maximum = 2100)),
    responses((status = 200, body = StarRulesDto), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_rules(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(year): Path<String>,
) -> ApiResult<Json<StarRulesDto>> {
    principal.actor(&info).require(Action::StarView)?;
    let year = year_of(&state, &year)?;
    let (rules, version, fixed) = ops::rules(&state.db, year).await?;
    Ok(Json(StarRulesDto { year, version, fixed, rules: rules.to_input() }))
}

#[utoipa::path(put, path = "/api/v1/stars/rules/{year}", tag = "assessment", request_body = StarRulesBody,
    params(("year" = i32, Path, minimum = 2000, maximum = 2100)),
    responses((status = 200, body = VersionDto), (status = 409, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_save_rules(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(year): Path<String>,
    JsonObject(body): JsonObject<StarRulesBody>,
) -> ApiResult<Json<VersionDto>> {
    let year = year_of(&state, &year)?;
    let version = ops::save_rules(&state, &principal.actor(&info), year, &body.rules, body.version).await?;
    Ok(Json(VersionDto { version }))
}

#[utoipa::path(post, path = "/api/v1/stars/entries", tag = "assessment", request_body = StarEntryInput,
    responses((status = 201, body = CreatedDto), (status = 403, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_record_entry(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<StarEntryInput>,
) -> ApiResult<(StatusCode, Json<CreatedDto>)> {
    let id = ops::record_entry(&state, &principal.actor(&info), &body).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

#[utoipa::path(post, path = "/api/v1/stars/leader-scores", tag = "assessment", request_body = LeaderScoreInput,
    responses((status = 204), (status = 403, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_leader_score(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<LeaderScoreInput>,
) -> ApiResult<StatusCode> {
    ops::leader_score(&state, &principal.actor(&info), &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/stars/publications", tag = "assessment", request_body = StarMonthBody,
    responses((status = 204), (status = 403, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_publish(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<StarMonthBody>,
) -> ApiResult<StatusCode> {
    ops::publish(&state, &principal.actor(&info), month_of(&body.month)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/stars/appeals", tag = "assessment",
    responses((status = 200, body = [Appeal]), (status = 403, body = crate::web::error::ErrorBody)))]
pub async fn api_appeals(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
) -> ApiResult<Json<Vec<Appeal>>> {
    Ok(Json(ops::appeals(&state, &principal.actor(&info)).await?))
}

#[utoipa::path(post, path = "/api/v1/stars/appeals", tag = "assessment", request_body = StarMonthBody,
    responses((status = 201, body = CreatedDto), (status = 404, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_appeal(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<StarMonthBody>,
) -> ApiResult<(StatusCode, Json<CreatedDto>)> {
    let month = month_of(&body.month)?;
    let id =
        ops::appeal(&state, &principal.actor(&info), month, &AppealInput { reason: body.reason }).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

#[utoipa::path(post, path = "/api/v1/stars/appeals/{id}/answer", tag = "assessment", request_body = AppealAnswerInput,
    params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_answer(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<AppealAnswerInput>,
) -> ApiResult<StatusCode> {
    ops::answer_appeal(&state, &principal.actor(&info), &id, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- Pages ----

/// `★★★☆☆`.
fn star_marks(stars: u8) -> String {
    (1..=5).map(|i| if i <= stars { '★' } else { '☆' }).collect()
}

#[derive(Template)]
#[template(path = "stars.html")]
struct RatingsPage {
    chrome: Chrome,
    period: Period,
    view: RatingsView,
    can_manage: bool,
    can_score: bool,
    can_publish: bool,
    people: Vec<PersonSummary>,
    squad_people: Vec<PersonSummary>,
    appeals: Vec<Appeal>,
    today: String,
    entry: StarEntryInput,
    score: LeaderScoreInput,
    errors: FieldErrors,
}

impl RatingsPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
    fn marks(&self, stars: &u8) -> String {
        star_marks(*stars)
    }
    fn recorded_factors(&self) -> Vec<Factor> {
        vec![Factor::Attendance, Factor::Complaint, Factor::Commendation, Factor::Discipline]
    }
    fn levels(&self) -> &'static [u8] {
        &[5, 4, 3, 2, 1]
    }
    fn count(&self, stars: &u8) -> usize {
        self.view.people.iter().filter(|p| p.stars == *stars).count()
    }
    fn name_of(&self, person: &str) -> String {
        self.people.iter().find(|p| p.id == person).map(|p| p.name.clone()).unwrap_or_default()
    }
    fn month_value(&self) -> String {
        match self.period {
            Period::Month(_) => self.period.code(),
            Period::Year(y) => format!("{y}-01"),
        }
    }
}

async fn ratings_with(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    period: Period,
    forms: (StarEntryInput, LeaderScoreInput),
    errors: FieldErrors,
) -> PageResult {
    let actor = principal.actor(info);
    let today = civil_date(state.now());
    let view = ops::ratings(state, &actor, period).await?;
    let can_manage = principal.has(Action::StarManage);
    let can_score = principal.has(Action::StarLeaderScore);
    let filter = PeopleFilter { page: 1, page_size: 5000, ..PeopleFilter::default() };
    let people = if can_manage || can_score {
        state.db.people(&crate::store::org::Visibility::All, &filter, today).await?.rows
    } else {
        Vec::new()
    };
    let units = state.db.units().await?;
    let visibility = principal.visibility(Action::StarLeaderScore);
    let squad_people = people
        .iter()
        .filter(|p| p.active && crate::ops::people::unit_visible(&units, &visibility, &p.unit_id))
        .cloned()
        .collect();
    let appeals = if can_manage { ops::appeals(state, &actor).await? } else { Vec::new() };
    let chrome = Chrome::new(state, principal, headers, "stars", "星级队员", "Star ratings").await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = RatingsPage {
        chrome,
        can_publish: can_manage
            && matches!(period, Period::Month(_))
            && period.is_over(today)
            && !view.published,
        period,
        view,
        can_manage,
        can_score,
        people: people.into_iter().filter(|p| p.active).collect(),
        squad_people,
        appeals,
        today: today.to_string(),
        entry: forms.0,
        score: forms.1,
        errors,
    };
    render_status(&page, status)
}

pub async fn ratings_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Query(query): Query<PeriodQuery>,
) -> PageResult {
    let period = period_of(&state, &query.period)?;
    ratings_with(&state, &principal, &info, &headers, period, Default::default(), FieldErrors::default())
        .await
}

fn this_month(state: &AppState) -> Period {
    Period::Month(Month::of(civil_date(state.now())))
}

pub async fn entry_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(input): Form<StarEntryInput>,
) -> PageResult {
    match ops::record_entry(&state, &principal.actor(&info), &input).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/stars?period={}#entry", this_month(&state).code())).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let forms = (input, LeaderScoreInput::default());
            ratings_with(&state, &principal, &info, &headers, this_month(&state), forms, errors).await
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn score_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(input): Form<LeaderScoreInput>,
) -> PageResult {
    match ops::leader_score(&state, &principal.actor(&info), &input).await {
        Ok(()) => Ok(Redirect::to(&format!("/stars?period={}", input.month)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let forms = (StarEntryInput::default(), input);
            ratings_with(&state, &principal, &info, &headers, this_month(&state), forms, errors).await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MonthForm {
    month: String,
    reason: String,
}

pub async fn publish_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Form(form): Form<MonthForm>,
) -> PageResult {
    let month = month_of(&form.month)?;
    ops::publish(&state, &principal.actor(&info), month).await?;
    Ok(Redirect::to(&format!("/stars?period={}", form.month)).into_response())
}

pub async fn answer_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    Form(input): Form<AppealAnswerInput>,
) -> PageResult {
    ops::answer_appeal(&state, &principal.actor(&info), &id, &input).await?;
    Ok(Redirect::to("/stars#appeals").into_response())
}

#[derive(Template)]
#[template(path = "stars_person.html")]
struct PersonPage {
    chrome: Chrome,
    period: Period,
    rating: PersonRating,
    entries: Vec<crate::store::Recorded<crate::domain::stars::StarEntry>>,
    leader_note: String,
    own: bool,
    appeals: Vec<Appeal>,
    appeal_until: String,
    errors: FieldErrors,
}

impl PersonPage {
    fn marks(&self) -> String {
        star_marks(self.rating.stars)
    }
    fn published_marks(&self, stars: &u8) -> String {
        star_marks(*stars)
    }
    fn factor_name(&self, code: &Factor) -> &'static str {
        code.name_zh()
    }
}

async fn person_with(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    (period, rating): (Period, PersonRating),
    own: Option<&MyStars>,
    errors: FieldErrors,
) -> PageResult {
    let entries = ops::entries_of(&state.db, &rating.person_id, period).await?;
    let leader_note = match period {
        Period::Month(m) => ops::leader_note(&state.db, &rating.person_id, m)
            .await?
            .map(|(s, n)| format!("{s} 分{}{n}", if n.is_empty() { "" } else { "：" }))
            .unwrap_or_default(),
        Period::Year(_) => String::new(),
    };
    let (active, zh, en) = if own.is_some() {
        ("stars_mine", "我的星级", "My stars")
    } else {
        ("stars", "星级评定明细", "Star rating")
    };
    let chrome = Chrome::new(state, principal, headers, active, zh, en).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = PersonPage {
        chrome,
        period,
        rating,
        entries,
        leader_note,
        own: own.is_some(),
        appeals: own.map(|m| m.appeals.clone()).unwrap_or_default(),
        appeal_until: own.and_then(|m| m.appeal_until).map(|d| d.to_string()).unwrap_or_default(),
        errors,
    };
    render_status(&page, status)
}

pub async fn person_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<PeriodQuery>,
) -> PageResult {
    let period = period_of(&state, &query.period)?;
    let view = ops::ratings(&state, &principal.actor(&info), period).await?;
    let rating = view.people.into_iter().find(|p| p.person_id == id).ok_or(AppError::NotFound)?;
    person_with(&state, &principal, &headers, (period, rating), None, FieldErrors::default()).await
}

#[derive(Template)]
#[template(path = "stars_none.html")]
struct NonePage {
    chrome: Chrome,
    period: Period,
}

async fn mine_with(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    period: Period,
    errors: FieldErrors,
) -> PageResult {
    // An account with no person behind it (a supervisor, an administrator) has no rating.
    let mine = match ops::mine(state, &principal.actor(info), period).await {
        Err(AppError::NotFound) => None,
        other => Some(other?),
    };
    match mine.as_ref().and_then(|m| m.rating.clone()) {
        Some(rating) => person_with(state, principal, headers, (period, rating), mine.as_ref(), errors).await,
        None => {
            let chrome = Chrome::new(state, principal, headers, "stars_mine", "我的星级", "My stars").await?;
            render_status(&NonePage { chrome, period }, StatusCode::OK)
        }
    }
}

pub async fn mine_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Query(query): Query<PeriodQuery>,
) -> PageResult {
    let period = period_of(&state, &query.period)?;
    mine_with(&state, &principal, &info, &headers, period, FieldErrors::default()).await
}

pub async fn appeal_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(form): Form<MonthForm>,
) -> PageResult {
    let month = month_of(&form.month)?;
    match ops::appeal(&state, &principal.actor(&info), month, &AppealInput { reason: form.reason }).await {
        Ok(_) => Ok(Redirect::to(&format!("/stars/mine?period={}", form.month)).into_response()),
        Err(AppError::Invalid(errors)) => {
            mine_with(&state, &principal, &info, &headers, Period::Month(month), errors).await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Template)]
#[template(path = "stars_rules.html")]
struct RulesPage {
    chrome: Chrome,
    year: i32,
    version: i64,
    fixed: bool,
    can_manage: bool,
    form: StarRulesInput,
    errors: FieldErrors,
}

impl RulesPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
    /// Every factor with what the form holds for it (weight, per item).
    fn rows(&self) -> Vec<(Factor, String, String)> {
        Factor::ALL
            .iter()
            .map(|f| {
                let row = self.form.factors.iter().find(|r| r.factor == f.code());
                (
                    *f,
                    row.map(|r| r.weight.clone()).unwrap_or_default(),
                    row.map(|r| r.per_item.clone()).unwrap_or_default(),
                )
            })
            .collect()
    }
    fn threshold(&self, i: &usize) -> String {
        self.form.thresholds.get(*i).cloned().unwrap_or_default()
    }
    fn counts_items(&self, f: &Factor) -> bool {
        matches!(f.scoring(), crate::domain::stars::Scoring::Deduct | crate::domain::stars::Scoring::Award)
    }
}

async fn rules_with(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    year: i32,
    form: Option<(StarRulesInput, i64)>,
    errors: FieldErrors,
) -> PageResult {
    let (rules, version, fixed) = ops::rules(&state.db, year).await?;
    let (form, version) = form.unwrap_or((rules.to_input(), version));
    let chrome = Chrome::new(state, principal, headers, "stars", "评星规则", "Star rules").await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let can_manage = principal.has(Action::StarManage);
    render_status(&RulesPage { chrome, year, version, fixed, can_manage, form, errors }, status)
}

pub async fn rules_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
    Path(year): Path<String>,
) -> PageResult {
    let year = year_of(&state, &year)?;
    rules_with(&state, &principal, &headers, year, None, FieldErrors::default()).await
}

/// The rules form: `weight_<factor>`, `per_<factor>` (an empty weight leaves the factor out),
/// `threshold` four times, `version`.
pub async fn rules_form(
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
    let input = StarRulesInput {
        factors: Factor::ALL
            .iter()
            .filter(|f| !value(&format!("weight_{}", f.code())).is_empty())
            .map(|f| FactorRuleInput {
                factor: f.code().to_owned(),
                weight: value(&format!("weight_{}", f.code())),
                per_item: value(&format!("per_{}", f.code())),
            })
            .collect(),
        thresholds: pairs
            .iter()
            .filter(|(k, _)| k == "threshold")
            .map(|(_, v)| v.trim().to_owned())
            .collect(),
    };
    let version = form_version(&value("version"));
    match ops::save_rules(&state, &principal.actor(&info), year, &input, version).await {
        Ok(_) => Ok(Redirect::to(&format!("/stars/rules/{year}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            rules_with(&state, &principal, &headers, year, Some((input, version)), errors).await
        }
        Err(error) => Err(error.into()),
    }
}

fn workbook(view: &RatingsView) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#E8EEF7");
    let sheet = workbook.add_worksheet();
    sheet.set_name("星级评定")?;
    let factors: Vec<&str> = Factor::ALL.iter().map(|f| f.name_zh()).collect();
    let mut heads = vec!["单位", "姓名", "星级", "总分"];
    heads.extend(factors.iter().copied());
    for (c, h) in heads.iter().enumerate() {
        sheet.write_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, p) in view.people.iter().enumerate() {
        let row = (r + 1) as u32;
        sheet.write(row, 0, p.unit_name.as_str())?;
        sheet.write(row, 1, p.name.as_str())?;
        sheet.write(row, 2, f64::from(p.stars))?;
        sheet.write(row, 3, p.total)?;
        for (i, f) in Factor::ALL.iter().enumerate() {
            if let Some(line) = p.lines.iter().find(|l| l.factor == f.code()) {
                sheet.write(row, (4 + i) as u16, line.points)?;
            }
        }
    }
    workbook.save_to_buffer()
}

/// `导出Excel`: the period's ratings in the reader's scope, with every line; audited.
pub async fn export(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<PeriodQuery>,
) -> PageResult {
    let period = period_of(&state, &query.period)?;
    let actor = principal.actor(&info);
    let view = ops::ratings(&state, &actor, period).await?;
    let bytes = workbook(&view).map_err(|e| AppError::Internal(anyhow::anyhow!("the workbook: {e}")))?;
    state
        .db
        .audit_only(
            &actor.audit_ctx(),
            state.now(),
            AuditEvent::new("star_rating.export", "star_rating", period.code())
                .details(serde_json::json!({ "people": view.people.len() })),
        )
        .await?;
    let code = period.code();
    Ok(crate::web::common::xlsx_response(
        bytes,
        &format!("stars_{code}.xlsx"),
        &format!("星级队员_{code}.xlsx"),
    ))
}
