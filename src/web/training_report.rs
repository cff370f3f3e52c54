//! Training reports (学习达标情况): a month's compliance per person and per unit with the
//! brigades' special trainings of the year, the office closing a month and the corrections
//! made to it afterwards, the Excel export of both tables, and one person's year. The
//! operations are `ops::training`.

use std::collections::HashMap;

use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::time::civil_date;
use crate::domain::training::{ComplianceRules, ComplianceStatus, Month, RulesInput, SpringStatus};
use crate::ops::people::unit_visible;
use crate::ops::training::{self as ops, ComplianceRow, PersonYear};
use crate::store::AuditEvent;
use crate::store::org::Visibility;
use crate::store::training::{AttendanceStatus, Correction};
use crate::web::body::JsonObject;
use crate::web::common::{MonthQuery, YearQuery, minutes, month_of};
use crate::web::error::{ApiResult, AppError, PageResult};
use crate::web::guard::{Caller, Principal, RequestInfo};
use crate::web::pages::{Chrome, Lang, render_status};

/// The compliance page's query: the month and unit, and `all=1` to list everyone, not only who
/// is short or exempt.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CompliancePageQuery {
    pub month: String,
    pub unit: String,
    pub all: String,
}

/// Per unit, in the order the rows come: (name, people judged, compliant, short, exempt).
fn by_unit(rows: &[ComplianceRow]) -> Vec<(String, usize, usize, usize, usize)> {
    let mut units: Vec<(String, usize, usize, usize, usize)> = Vec::new();
    for row in rows {
        let index = match units.iter().position(|u| u.0 == row.unit_name) {
            Some(i) => i,
            None => {
                units.push((row.unit_name.clone(), 0, 0, 0, 0));
                units.len() - 1
            }
        };
        let line = &mut units[index];
        line.1 += 1;
        match row.result.status {
            ComplianceStatus::Compliant => line.2 += 1,
            ComplianceStatus::Short { .. } => line.3 += 1,
            ComplianceStatus::Exempt(_) => line.4 += 1,
        }
    }
    units
}

/// The colour of a result's tag: green compliant, red short, blue exempt.
fn status_tag(status: &ComplianceStatus) -> &'static str {
    match status {
        ComplianceStatus::Compliant => "success",
        ComplianceStatus::Short { .. } => "danger",
        ComplianceStatus::Exempt(_) => "info",
    }
}

fn status_word(code: &str) -> &'static str {
    match code {
        "true" => "达标",
        "false" => "未达标",
        _ => "免考核",
    }
}

#[derive(Template)]
#[template(path = "training_compliance.html")]
struct CompliancePage {
    chrome: Chrome,
    month: String,
    previous: String,
    next: String,
    rows: Vec<ComplianceRow>,
    units: Vec<(String, usize, usize, usize, usize)>,
    /// Whether the person table lists everyone (otherwise, over several units, only who is
    /// short or exempt: the people to chase).
    all: bool,
    unit: String,
    year: i32,
    /// When and by whom the month was closed.
    closed: Option<(String, String)>,
    /// For people whose result changed since closing: the result reported at closing.
    at_closing: HashMap<String, &'static str>,
    corrections: Vec<Correction>,
    may_close: bool,
    /// The brigades' special trainings of the year: (brigade, held, required).
    specials: Vec<(String, u32, u32)>,
    /// Who missed the year's spring training, among the people the caller manages.
    spring_missed: Vec<ops::SpringMissed>,
    /// The year's rules, the version of the office's row, and whether the office may still
    /// change them (only the office sees the form).
    rules: ComplianceRules,
    rules_version: Option<i64>,
    may_set_rules: bool,
    rules_errors: FieldErrors,
}

impl CompliancePage {
    fn tag(&self, status: &ComplianceStatus) -> &'static str {
        status_tag(status)
    }
    fn when(&self, correction: &Correction) -> String {
        minutes(correction.at)
    }
}

pub async fn compliance_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Query(query): Query<CompliancePageQuery>,
) -> PageResult {
    render_compliance(state, principal, info, headers, query, FieldErrors::default()).await
}

async fn render_compliance(
    state: AppState,
    principal: Principal,
    info: RequestInfo,
    headers: HeaderMap,
    query: CompliancePageQuery,
    rules_errors: FieldErrors,
) -> PageResult {
    let status = if rules_errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let month = month_of(&state, &query.month)?;
    let today = civil_date(state.now());
    let rows =
        crate::ops::training::visible_compliance(&state, &principal.actor(&info), month, &query.unit).await?;
    let units = by_unit(&rows);
    let closure = state.db.training_closure(month).await?;
    let mut at_closing = HashMap::new();
    let mut corrections = Vec::new();
    if let Some(closure) = &closure {
        let then: HashMap<&str, &str> =
            closure.snapshot.iter().map(|f| (f.person_id.as_str(), f.compliant.as_str())).collect();
        for row in &rows {
            let was = then.get(row.person_id.as_str()).copied().unwrap_or("none");
            if was != row.result.status.code() {
                let word = if was == "none" { "未列入" } else { status_word(was) };
                at_closing.insert(row.person_id.clone(), word);
            }
        }
        let visible: std::collections::HashSet<&str> = rows.iter().map(|r| r.person_id.as_str()).collect();
        let manage_all = principal.visibility(Action::TrainingManage) == Visibility::All;
        corrections = state
            .db
            .training_corrections(month)
            .await?
            .into_iter()
            .filter(|c| manage_all || c.person_id.as_deref().is_some_and(|p| visible.contains(p)))
            .collect();
    }
    let all = query.all == "1" || units.len() <= 1;
    let rows = if all {
        rows
    } else {
        rows.into_iter().filter(|r| !matches!(r.result.status, ComplianceStatus::Compliant)).collect()
    };
    let may_close = closure.is_none()
        && crate::domain::training::may_close(month, today)
        && principal.visibility(Action::TrainingManage) == Visibility::All;
    let specials = if principal.visibility(Action::TrainingManage) == Visibility::All {
        ops::specials_held(&state.db, month.year, today).await?
    } else {
        Vec::new()
    };
    let manage = principal.visibility(Action::TrainingManage);
    let spring_missed = if manage == Visibility::Nothing {
        Vec::new()
    } else {
        let units = state.db.units().await?;
        ops::spring_missed(&state.db, month.year, today)
            .await?
            .into_iter()
            .filter(|m| unit_visible(&units, &manage, &m.unit_id))
            .collect()
    };
    let (rules, rules_version) = state.db.training_rules_versioned(month.year).await?;
    let closed_in_year = state
        .db
        .training_closed_months(Month { year: month.year, month: 1 }, Month { year: month.year, month: 12 })
        .await?
        .len();
    let may_set_rules = principal.visibility(Action::TrainingManage) == Visibility::All
        && crate::domain::training::rules_open(month.year, today, closed_in_year);
    let chrome =
        Chrome::new(&state, &principal, &headers, "training_compliance", "学习达标情况", "Compliance")
            .await?;
    render_status(
        &CompliancePage {
            chrome,
            month: month.to_string(),
            previous: month.previous().to_string(),
            next: month.next().to_string(),
            rows,
            units,
            all,
            unit: query.unit.clone(),
            year: month.year,
            closed: closure.map(|c| (minutes(c.closed_at), c.closed_by)),
            at_closing,
            corrections,
            may_close,
            specials,
            spring_missed,
            rules,
            rules_version,
            may_set_rules,
            rules_errors,
        },
        status,
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CloseForm {
    month: String,
}

/// The office closes a month from its compliance page.
pub async fn close_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Form(form): Form<CloseForm>,
) -> PageResult {
    let month = Month::parse(&form.month).ok_or_else(|| {
        AppError::Invalid(FieldErrors::single("month", "month_invalid", "月份格式为 YYYY-MM"))
    })?;
    ops::close_month(&state, &principal.actor(&info), month).await?;
    Ok(Redirect::to(&format!("/training/compliance?month={month}")).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RulesForm {
    /// The month whose page the form is on (its year's rules).
    month: String,
    version: String,
    #[serde(flatten)]
    rules: RulesInput,
}

/// The office sets the year's rules from the compliance page.
pub async fn rules_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(form): Form<RulesForm>,
) -> PageResult {
    let month = month_of(&state, &form.month)?;
    let version = form.version.trim().parse::<i64>().ok();
    let query = CompliancePageQuery { month: month.to_string(), ..Default::default() };
    match ops::set_rules(&state, &principal.actor(&info), month.year, &form.rules, version).await {
        Ok(_) => Ok(Redirect::to(&format!("/training/compliance?month={month}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            render_compliance(state, principal, info, headers, query, errors).await
        }
        Err(error) => Err(error.into()),
    }
}

/// The month's compliance as a workbook: one sheet per person, one per unit, the same rows
/// the page shows (everyone, not only who is short). The download is audited.
pub async fn compliance_xlsx(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<MonthQuery>,
) -> PageResult {
    let month = month_of(&state, &query.month)?;
    let rows =
        crate::ops::training::visible_compliance(&state, &principal.actor(&info), month, &query.unit).await?;
    let closed = state.db.training_closure(month).await?.is_some();
    let bytes = compliance_workbook(month, &rows, closed).map_err(|e| AppError::Internal(e.into()))?;
    state
        .db
        .audit_only(
            &info.audit_ctx(Some(&principal), ""),
            state.now(),
            AuditEvent::new("training.export", "training_month", month.to_string())
                .details(serde_json::json!({ "rows": rows.len(), "unit": query.unit })),
        )
        .await?;
    Ok(crate::web::common::xlsx_response(
        bytes,
        &format!("training_{month}.xlsx"),
        &format!("学习达标情况_{month}.xlsx"),
    ))
}

/// `?year=YYYY&unit=ID` for the year's ledger.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct YearLedgerQuery {
    pub year: String,
    pub unit: String,
}

/// The year's ledger (全年学习台账) as a workbook: one row per person seen in any month so far,
/// one column per month with the studies attended and the result (达标, 未达标, 免考核). The same
/// people the month pages show; the download is audited.
pub async fn year_xlsx(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<YearLedgerQuery>,
) -> PageResult {
    let year = crate::web::common::year_of(&state, &query.year)?;
    let today = civil_date(state.now());
    let mut months = Vec::new();
    let mut month = Month { year, month: 1 };
    while month.year == year && month.first_day() <= today {
        months.push((
            month,
            crate::ops::training::visible_compliance(&state, &principal.actor(&info), month, &query.unit)
                .await?,
        ));
        month = month.next();
    }
    let bytes = year_workbook(year, &months).map_err(|e| AppError::Internal(e.into()))?;
    let people: usize = months.iter().map(|(_, rows)| rows.len()).max().unwrap_or(0);
    state
        .db
        .audit_only(
            &info.audit_ctx(Some(&principal), ""),
            state.now(),
            AuditEvent::new("training.export", "training_year", year.to_string())
                .details(serde_json::json!({ "rows": people, "unit": query.unit })),
        )
        .await?;
    Ok(crate::web::common::xlsx_response(
        bytes,
        &format!("training_{year}.xlsx"),
        &format!("全年学习台账_{year}.xlsx"),
    ))
}

fn year_workbook(
    year: i32,
    months: &[(Month, Vec<ComplianceRow>)],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    // Everyone who appears in any month, in the order they first appear.
    let mut people: Vec<(String, String, String)> = Vec::new();
    for (_, rows) in months {
        for row in rows {
            if !people.iter().any(|p| p.0 == row.person_id) {
                people.push((row.person_id.clone(), row.name.clone(), row.unit_name.clone()));
            }
        }
    }
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(format!("{year}年"))?;
    let bold = Format::new().set_bold().set_background_color("#E8EEF7");
    let red = Format::new().set_font_color("#B42318");
    sheet.write_with_format(
        0,
        0,
        format!("{year} 年全年学习台账（每格：政治/业务 次数及结论）"),
        &Format::new().set_bold(),
    )?;
    for (col, (name, width)) in [("姓名", 10.0), ("单位", 22.0)].into_iter().enumerate() {
        sheet.write_with_format(1, col as u16, name, &bold)?;
        sheet.set_column_width(col as u16, width)?;
    }
    for (i, (month, _)) in months.iter().enumerate() {
        let col = (i + 2) as u16;
        sheet.write_with_format(1, col, format!("{}月", month.month), &bold)?;
        sheet.set_column_width(col, 12.0)?;
    }
    for (r, (id, name, unit)) in people.iter().enumerate() {
        let row = (r + 2) as u32;
        sheet.write(row, 0, name)?;
        sheet.write(row, 1, unit)?;
        for (i, (_, rows)) in months.iter().enumerate() {
            let col = (i + 2) as u16;
            let Some(line) = rows.iter().find(|l| &l.person_id == id) else { continue };
            let word = status_word(line.result.status.code());
            let text = format!("{}/{} {word}", line.result.political, line.result.business);
            match line.result.status {
                ComplianceStatus::Short { .. } => sheet.write_with_format(row, col, text, &red)?,
                _ => sheet.write(row, col, text)?,
            };
        }
    }
    sheet.set_freeze_panes(2, 2)?;
    workbook.save_to_buffer()
}

fn compliance_workbook(
    month: Month,
    rows: &[ComplianceRow],
    closed: bool,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#E8EEF7");
    let red = Format::new().set_font_color("#B42318");
    let title = format!("{month} 学习达标情况{}", if closed { "（已关账）" } else { "（未关账）" });
    let people = workbook.add_worksheet();
    people.set_name("按人员")?;
    people.write_with_format(0, 0, &title, &Format::new().set_bold())?;
    let headers = ["序号", "姓名", "单位", "政治学习", "业务学习", "结论", "说明"];
    let widths = [6.0, 10.0, 22.0, 10.0, 10.0, 10.0, 40.0];
    for (col, (name, width)) in headers.iter().zip(widths).enumerate() {
        people.write_with_format(1, col as u16, *name, &bold)?;
        people.set_column_width(col as u16, width)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = (i + 2) as u32;
        people.write(r, 0, (i + 1) as u32)?;
        people.write(r, 1, &row.name)?;
        people.write(r, 2, &row.unit_name)?;
        people.write(r, 3, row.result.political)?;
        people.write(r, 4, row.result.business)?;
        let word = status_word(row.result.status.code());
        match row.result.status {
            ComplianceStatus::Short { .. } => people.write_with_format(r, 5, word, &red)?,
            _ => people.write(r, 5, word)?,
        };
        let note = row.result.status.note_zh();
        people.write(r, 6, note)?;
    }
    people.set_freeze_panes(2, 0)?;
    let units = workbook.add_worksheet();
    units.set_name("按单位")?;
    units.write_with_format(0, 0, &title, &Format::new().set_bold())?;
    let headers = ["单位", "人数", "达标", "未达标", "免考核", "达标率"];
    let widths = [22.0, 8.0, 8.0, 8.0, 8.0, 10.0];
    for (col, (name, width)) in headers.iter().zip(widths).enumerate() {
        units.write_with_format(1, col as u16, *name, &bold)?;
        units.set_column_width(col as u16, width)?;
    }
    let percent = Format::new().set_num_format("0.0%");
    for (i, (name, people, compliant, short, exempt)) in by_unit(rows).into_iter().enumerate() {
        let r = (i + 2) as u32;
        units.write(r, 0, name)?;
        units.write(r, 1, people as u32)?;
        units.write(r, 2, compliant as u32)?;
        units.write(r, 3, short as u32)?;
        units.write(r, 4, exempt as u32)?;
        // The rate is over the people judged: the exempt are neither compliant nor short.
        let judged = compliant + short;
        if judged > 0 {
            units.write_with_format(r, 5, compliant as f64 / judged as f64, &percent)?;
        }
    }
    units.set_freeze_panes(2, 0)?;
    workbook.save_to_buffer()
}

/// The person's year, for the person themself or whoever manages training for their unit;
/// anyone else gets not found.
async fn visible_year(
    state: &AppState,
    principal: &Principal,
    person_id: &str,
    raw_year: &str,
) -> Result<(String, String, PersonYear), AppError> {
    let today = civil_date(state.now());
    let year = crate::web::common::year_of(state, raw_year)?;
    let person = state.db.person(&Visibility::All, person_id).await?.ok_or(AppError::NotFound)?;
    let units = state.db.units().await?;
    let own = principal.person_id.as_deref() == Some(person_id);
    if !own && !unit_visible(&units, &principal.visibility(Action::TrainingManage), &person.summary.unit_id) {
        return Err(AppError::NotFound);
    }
    let view = ops::person_year(&state.db, person_id, year, today).await?;
    Ok((person.summary.name, person.summary.unit_name, view))
}

#[derive(Template)]
#[template(path = "training_year.html")]
struct YearPage {
    chrome: Chrome,
    person_id: String,
    name: String,
    unit_name: String,
    view: PersonYear,
}

impl YearPage {
    fn tag(&self, status: &ComplianceStatus) -> &'static str {
        status_tag(status)
    }
    fn spring_tag(&self) -> &'static str {
        match self.view.spring {
            SpringStatus::Attended => "success",
            SpringStatus::Missed => "danger",
            _ => "info",
        }
    }
    fn status_zh(&self, status: &AttendanceStatus) -> &'static str {
        match status {
            AttendanceStatus::Present => "出席",
            AttendanceStatus::Late => "迟到",
            AttendanceStatus::Leave => "请假",
        }
    }
    fn counted(&self, session: &crate::store::training::PersonSession) -> String {
        match session.attended.makes_up_for {
            Some(_) => format!("补学，计入 {}", session.attended.counts_for()),
            None => String::new(),
        }
    }
}

pub async fn year_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<YearQuery>,
) -> PageResult {
    let (name, unit_name, view) = visible_year(&state, &principal, &id, &query.year).await?;
    let chrome =
        Chrome::new(&state, &principal, &headers, "training_compliance", "年度学习记录", "Year").await?;
    render_status(&YearPage { chrome, person_id: id, name, unit_name, view }, StatusCode::OK)
}

// --- API -------------------------------------------------------------------------------------

/// One person's month.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TrainingComplianceDto {
    pub person_id: String,
    pub name: String,
    pub unit_id: String,
    pub unit_name: String,
    pub political: u32,
    pub business: u32,
    /// `true`, `false` or `exempt`.
    pub compliant: String,
    /// What is owed, or why exempt, in Chinese.
    pub note: String,
    /// For a closed month whose result for this person changed since: the result at closing
    /// (`true`, `false`, `exempt`, or `none` when the person was not listed then).
    pub at_closing: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/training/compliance", tag = "training", params(MonthQuery),
    responses((status = 200, body = Vec<TrainingComplianceDto>)))]
pub async fn api_compliance(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<MonthQuery>,
) -> ApiResult<Json<Vec<TrainingComplianceDto>>> {
    let month = month_of(&state, &query.month)?;
    let rows =
        crate::ops::training::visible_compliance(&state, &principal.actor(&info), month, &query.unit).await?;
    let then: Option<HashMap<String, String>> = state
        .db
        .training_closure(month)
        .await?
        .map(|c| c.snapshot.into_iter().map(|f| (f.person_id, f.compliant)).collect());
    Ok(Json(
        rows.into_iter()
            .map(|r| {
                let now = r.result.status.code();
                let at_closing = then.as_ref().and_then(|then| {
                    let was = then.get(&r.person_id).map(String::as_str).unwrap_or("none");
                    (was != now).then(|| was.to_owned())
                });
                TrainingComplianceDto {
                    compliant: now.to_owned(),
                    note: r.result.status.note_zh(),
                    political: r.result.political,
                    business: r.result.business,
                    person_id: r.person_id,
                    name: r.name,
                    unit_id: r.unit_id,
                    unit_name: r.unit_name,
                    at_closing,
                }
            })
            .collect(),
    ))
}

/// A closed month.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TrainingClosedDto {
    pub month: String,
    /// How many people's figures were frozen.
    pub people: usize,
}

#[utoipa::path(post, path = "/api/v1/training/months/{month}/close", tag = "training",
    params(("month" = String, Path, pattern = r"^20[0-9]{2}-(0[1-9]|1[0-2])$")),
    responses((status = 200, body = TrainingClosedDto),
        (status = 409, body = crate::web::error::ErrorBody, description = "`already_closed`"),
        (status = 422, body = crate::web::error::ErrorBody, description = "`month_not_over`, or a month that does not parse")))]
pub async fn api_close(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(month): Path<String>,
) -> ApiResult<Json<TrainingClosedDto>> {
    let month = Month::parse(&month).ok_or_else(|| {
        AppError::Invalid(FieldErrors::single("month", "month_invalid", "月份格式为 YYYY-MM"))
    })?;
    let people = ops::close_month(&state, &principal.actor(&info), month).await?;
    Ok(Json(TrainingClosedDto { month: month.to_string(), people }))
}

/// One month of a person's year.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TrainingYearMonthDto {
    pub month: String,
    pub political: u32,
    pub business: u32,
    /// `true`, `false` or `exempt`.
    pub compliant: String,
    pub note: String,
}

/// A person's training year.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TrainingYearDto {
    pub person_id: String,
    pub year: i32,
    pub months: Vec<TrainingYearMonthDto>,
    /// `attended`, `missed`, `not_held`, `exempt` or `not_required`.
    pub spring: String,
    pub spring_note: String,
}

#[utoipa::path(get, path = "/api/v1/training/people/{id}/year", tag = "training",
    params(("id" = String, Path), YearQuery), responses((status = 200, body = TrainingYearDto)))]
pub async fn api_year(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
    Query(query): Query<YearQuery>,
) -> ApiResult<Json<TrainingYearDto>> {
    let (_, _, view) = visible_year(&state, &principal, &id, &query.year).await?;
    Ok(Json(TrainingYearDto {
        person_id: id,
        year: view.year,
        months: view
            .months
            .iter()
            .map(|(month, result)| TrainingYearMonthDto {
                month: month.to_string(),
                political: result.political,
                business: result.business,
                compliant: result.status.code().to_owned(),
                note: result.status.note_zh(),
            })
            .collect(),
        spring: view.spring.code().to_owned(),
        spring_note: view.spring.label_zh(),
    }))
}

/// A year's compliance rules.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TrainingRulesDto {
    pub year: i32,
    pub rules: ComplianceRules,
    /// The version of the office's row; `null` while the plan's defaults apply.
    pub version: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/training/rules/{year}", tag = "training",
    params(("year" = i32, Path, minimum = 2000, maximum = 2100)), responses((status = 200, body = TrainingRulesDto),
        (status = 422, body = crate::web::error::ErrorBody, description = "a year outside 2000–2100")))]
pub async fn api_rules(
    State(state): State<AppState>,
    Path(year): Path<String>,
) -> ApiResult<Json<TrainingRulesDto>> {
    let year = crate::web::common::year_of(&state, &year)?;
    let (rules, version) = state.db.training_rules_versioned(year).await?;
    Ok(Json(TrainingRulesDto { year, rules, version }))
}

/// New rules for a year.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TrainingRulesBody {
    #[schema(minimum = 0, maximum = 10)]
    pub political_per_month: u32,
    #[schema(minimum = 0, maximum = 10)]
    pub business_per_month: u32,
    #[schema(minimum = 0, maximum = 24)]
    pub special_per_year: u32,
    pub spring_for_everyone: bool,
    #[schema(min_length = 1, max_length = 300, pattern = r"\S")]
    pub source: String,
    /// The version read; absent the first time the year's rules are set.
    #[serde(default)]
    pub version: Option<i64>,
}

#[utoipa::path(put, path = "/api/v1/training/rules/{year}", tag = "training",
    params(("year" = i32, Path, minimum = 2000, maximum = 2100)), request_body = TrainingRulesBody,
    responses((status = 200, body = crate::web::common::VersionDto),
        (status = 422, body = crate::web::error::ErrorBody, description = "`rules_year_started`, or a field")))]
pub async fn api_set_rules(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(year): Path<String>,
    JsonObject(body): JsonObject<TrainingRulesBody>,
) -> ApiResult<Json<crate::web::common::VersionDto>> {
    let year = crate::web::common::year_of(&state, &year)?;
    let input = RulesInput {
        political_per_month: body.political_per_month.to_string(),
        business_per_month: body.business_per_month.to_string(),
        special_per_year: body.special_per_year.to_string(),
        spring_for_everyone: body.spring_for_everyone.to_string(),
        source: body.source,
    };
    let version = ops::set_rules(&state, &principal.actor(&info), year, &input, body.version).await?;
    Ok(Json(crate::web::common::VersionDto { version }))
}
