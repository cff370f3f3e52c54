//! The working-day calendar over HTTP: anyone signed in may ask it; the 系统管理员 enters a new
//! year's arrangement.

use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::calendar::{CalendarError, DayKind, SpecialDay};
use crate::domain::fields::FieldErrors;
use crate::ops::calendar::{CalendarYearBody, SpecialDayBody};
use crate::store::calendar::CalendarYear;
use crate::web::body::JsonObject;
use crate::web::error::{ApiResult, AppError, PageResult};
use crate::web::guard::{Caller, Principal};
use crate::web::pages::{Chrome, Lang, render};

impl From<CalendarError> for AppError {
    fn from(error: CalendarError) -> Self {
        let message = match &error {
            CalendarError::YearNotCovered(year) => {
                format!(
                    "尚未录入 {year} 年的节假日安排，无法计算工作日；请系统管理员录入国务院办公厅当年通知"
                )
            }
            CalendarError::EmptyPeriod => "期限至少为 1 日".to_owned(),
        };
        AppError::refused(error.code(), message)
    }
}

/// The longest period the calendar answers for: ten years. Statutory periods are days or
/// months; a longer question is a typing slip, refused rather than computed for minutes.
pub const MAX_PERIOD_DAYS: u32 = 3660;

fn count_in_range(field: &'static str, n: u32) -> Result<u32, AppError> {
    if (1..=MAX_PERIOD_DAYS).contains(&n) {
        Ok(n)
    } else {
        Err(FieldErrors::single(field, "invalid_count", format!("请输入 1 至 {MAX_PERIOD_DAYS} 之间的整数"))
            .into())
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DayQuery {
    /// A day of a year whose arrangement is loaded (`/api/v1/calendar/years`).
    pub date: NaiveDate,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkdayDto {
    pub date: String,
    /// `workday` or `rest`.
    pub kind: String,
}

#[utoipa::path(get, path = "/api/v1/calendar/workday", tag = "calendar", params(DayQuery),
    responses((status = 200, body = WorkdayDto), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_workday(
    State(state): State<AppState>,
    Query(query): Query<DayQuery>,
) -> ApiResult<Json<WorkdayDto>> {
    let date = query.date;
    let workday = state.db.work_calendar().await?.is_workday(date)?;
    Ok(Json(WorkdayDto { date: date.to_string(), kind: if workday { "workday" } else { "rest" }.to_owned() }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PeriodQuery {
    /// The day the period starts from (not counted).
    pub date: NaiveDate,
    /// Working days (for `add-workdays`) or calendar days (for `period-end`).
    #[param(minimum = 1, maximum = 3660)]
    pub n: u32,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PeriodDto {
    pub start: String,
    pub n: u32,
    /// The last day of the period.
    pub end: String,
    /// The rule applied, in words.
    pub basis: String,
}

#[utoipa::path(get, path = "/api/v1/calendar/add-workdays", tag = "calendar", params(PeriodQuery),
    responses((status = 200, body = PeriodDto), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_add_workdays(
    State(state): State<AppState>,
    Query(query): Query<PeriodQuery>,
) -> ApiResult<Json<PeriodDto>> {
    let (start, n) = (query.date, count_in_range("n", query.n)?);
    let end = state.db.work_calendar().await?.add_workdays(start, n)?;
    Ok(Json(PeriodDto {
        start: start.to_string(),
        n,
        end: end.to_string(),
        basis: "工作日期限，起算日不计入（行政处罚法第八十五条、行政强制法第六十九条）".to_owned(),
    }))
}

#[utoipa::path(get, path = "/api/v1/calendar/period-end", tag = "calendar", params(PeriodQuery),
    responses((status = 200, body = PeriodDto), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_period_end(
    State(state): State<AppState>,
    Query(query): Query<PeriodQuery>,
) -> ApiResult<Json<PeriodDto>> {
    let (start, n) = (query.date, count_in_range("n", query.n)?);
    let end = state.db.work_calendar().await?.calendar_period_end(start, n)?;
    Ok(Json(PeriodDto {
        start: start.to_string(),
        n,
        end: end.to_string(),
        basis: "日历日期限，起算日不计入，期间最后一日为休息日的以其后第一个工作日为期间届满日（民法典第二百零一条、第二百零三条）"
            .to_owned(),
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CalendarYearDto {
    pub year: i32,
    pub notice: String,
    pub rest_days: i64,
    pub work_days: i64,
    pub version: i64,
}

#[utoipa::path(get, path = "/api/v1/calendar/years", tag = "calendar", responses((status = 200, body = Vec<CalendarYearDto>)))]
pub async fn api_years(State(state): State<AppState>) -> ApiResult<Json<Vec<CalendarYearDto>>> {
    let years = state
        .db
        .calendar_years()
        .await?
        .into_iter()
        .map(|y| CalendarYearDto {
            year: y.year,
            notice: y.notice,
            rest_days: y.rest_days,
            work_days: y.work_days,
            version: y.version,
        })
        .collect();
    Ok(Json(years))
}

#[utoipa::path(put, path = "/api/v1/calendar/years/{year}", tag = "calendar", params(("year" = i32, Path)), request_body = CalendarYearBody,
    responses((status = 200, body = CalendarYearDto), (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_set_year(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(year): Path<String>,
    JsonObject(body): JsonObject<CalendarYearBody>,
) -> ApiResult<Json<CalendarYearDto>> {
    let (year, days, version) =
        crate::ops::calendar::set_year(&state, &principal.actor(&info), &year, &body).await?;
    let rest_days = days.iter().filter(|d| d.kind == DayKind::Rest).count() as i64;
    Ok(Json(CalendarYearDto {
        year,
        notice: body.notice.trim().to_owned(),
        rest_days,
        work_days: days.len() as i64 - rest_days,
        version,
    }))
}

// ---------------------------------------------------------------------------------------------
// HTML: the calendar page, a period calculator for everyone and year entry for the 系统管理员.

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub date: String,
    #[serde(default)]
    pub n: String,
    /// `workdays` or `calendar`.
    #[serde(default)]
    pub mode: String,
    #[serde(default)]
    pub saved: String,
}

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    chrome: Chrome,
    years: Vec<CalendarYear>,
    year: Option<i32>,
    days: Vec<SpecialDay>,
    query: PageQuery,
    result: Option<Result<String, String>>,
    may_edit: bool,
    form: YearForm,
    errors: FieldErrors,
    saved: bool,
}

impl CalendarPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

/// The year-entry form: one special day per line, `YYYY-MM-DD 休|班 节日`.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct YearForm {
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub notice: String,
    #[serde(default)]
    pub days: String,
    #[serde(default)]
    pub version: String,
}

impl YearForm {
    fn body(&self) -> Result<(String, CalendarYearBody), FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut days = Vec::new();
        for (index, line) in self.days.lines().enumerate() {
            let parts: Vec<&str> = line.split_whitespace().collect();
            if parts.is_empty() {
                continue;
            }
            let kind = match parts.get(1).copied() {
                Some("休" | "rest") => "rest",
                Some("班" | "work") => "work",
                _ => {
                    errors.add("days", "invalid_line", format!("第 {} 行应为“日期 休/班 节日”", index + 1));
                    continue;
                }
            };
            days.push(SpecialDayBody {
                date: parts[0].to_owned(),
                kind: kind.to_owned(),
                festival: parts.get(2).copied().unwrap_or("").to_owned(),
            });
        }
        errors.into_result()?;
        let version = self.version.trim().parse().unwrap_or(0);
        Ok((self.year.trim().to_owned(), CalendarYearBody { notice: self.notice.clone(), days, version }))
    }
}

async fn page(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    query: PageQuery,
    form: YearForm,
    errors: FieldErrors,
) -> PageResult {
    let chrome =
        Chrome::new(state, principal, headers, "calendar", "节假日与期限", "Calendar and periods").await?;
    let years = state.db.calendar_years().await?;
    let year = query.year.parse::<i32>().ok().or_else(|| years.last().map(|y| y.year));
    let days = match year {
        Some(year) => state.db.calendar_days(year).await?,
        None => Vec::new(),
    };
    let result = if query.date.is_empty() {
        None
    } else {
        let calendar = state.db.work_calendar().await?;
        let computed =
            match (NaiveDate::parse_from_str(query.date.trim(), "%Y-%m-%d"), query.n.trim().parse::<u32>()) {
                (Ok(date), Ok(n)) if (1..=MAX_PERIOD_DAYS).contains(&n) => {
                    let end = if query.mode == "calendar" {
                        calendar.calendar_period_end(date, n)
                    } else {
                        calendar.add_workdays(date, n)
                    };
                    end.map(crate::domain::time::display_date_long).map_err(|e| match AppError::from(e) {
                        AppError::Refused { message, .. } => message,
                        other => other.message_zh(),
                    })
                }
                _ => Err("请输入正确的起算日期和天数".to_owned()),
            };
        Some(computed)
    };
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let saved = query.saved == "1";
    let mut response = render(&CalendarPage {
        chrome,
        years,
        year,
        days,
        query,
        result,
        may_edit: principal.has(Action::CalendarEdit),
        form,
        errors,
        saved,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn calendar_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
    Query(query): Query<PageQuery>,
) -> PageResult {
    page(&state, &principal, &headers, query, YearForm::default(), FieldErrors::default()).await
}

pub async fn year_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(form): Form<YearForm>,
) -> PageResult {
    let outcome = match form.body() {
        Ok((year, body)) => api_set_year(
            State(state.clone()),
            Caller { principal: principal.clone(), info },
            Path(year.clone()),
            JsonObject(body),
        )
        .await
        .map(|_| year)
        .map_err(|e| e.0),
        Err(errors) => Err(AppError::Invalid(errors)),
    };
    match outcome {
        Ok(year) => Ok(Redirect::to(&format!("/calendar?year={year}&saved=1")).into_response()),
        Err(AppError::Invalid(errors)) => {
            page(&state, &principal, &headers, PageQuery::default(), form, errors).await
        }
        Err(AppError::Conflict { message, .. }) => {
            let errors = FieldErrors::single("version", "version_conflict", message);
            page(&state, &principal, &headers, PageQuery::default(), form, errors).await
        }
        Err(error) => Err(error.into()),
    }
}
