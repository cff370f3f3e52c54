//! The working-day calendar: a year's holiday arrangement as the State Council published it.

use chrono::NaiveDate;
use serde::Deserialize;

use crate::app::AppState;
use crate::domain::calendar::{DayKind, SpecialDay};
use crate::domain::fields::FieldErrors;
use crate::ops::{Actor, Error};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SpecialDayBody {
    /// `YYYY-MM-DD`, within the year.
    pub date: String,
    /// `rest` (a day off of the arrangement) or `work` (a make-up working day).
    pub kind: String,
    /// The festival, e.g. 春节.
    pub festival: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct CalendarYearBody {
    /// The notice's title, e.g. 国务院办公厅关于2027年部分节假日安排的通知.
    pub notice: String,
    pub days: Vec<SpecialDayBody>,
    /// 0 to enter a new year; the version read to replace one.
    #[serde(default)]
    pub version: i64,
}

/// Enters or replaces a year's arrangement (over the version read; 0 for a new year) and
/// recomputes, in the same transaction, the stored clocks of open cases the year's days move.
/// Answers the year, its special days and the new version.
pub async fn set_year(
    state: &AppState,
    actor: &Actor,
    year: &str,
    body: &CalendarYearBody,
) -> Result<(i32, Vec<SpecialDay>, i64), Error> {
    let mut errors = FieldErrors::default();
    let year = year.parse::<i32>().ok().filter(|y| (2000..=2100).contains(y));
    if year.is_none() {
        errors.add("year", "invalid_year", "年份须在 2000 至 2100 之间");
    }
    if body.notice.trim().is_empty() || body.notice.chars().count() > 100 {
        errors.add("notice", "invalid", "请填写通知名称（不超过 100 字）");
    }
    let mut days = Vec::new();
    for day in &body.days {
        let date = NaiveDate::parse_from_str(day.date.trim(), "%Y-%m-%d").ok();
        let kind = DayKind::parse(day.kind.trim());
        match (date, kind) {
            (Some(date), Some(kind)) if Some(chrono::Datelike::year(&date)) == year => {
                days.push(SpecialDay { date, kind, festival: day.festival.trim().to_owned() });
            }
            _ => errors.add("days", "invalid_day", format!("日期或类别有误：{} {}", day.date, day.kind)),
        }
    }
    let mut dates: Vec<NaiveDate> = days.iter().map(|d| d.date).collect();
    dates.sort();
    dates.dedup();
    if dates.len() != days.len() {
        errors.add("days", "duplicate_day", "同一日期只能出现一次");
    }
    errors.into_result()?;
    let Some(year) = year else { unreachable!("a year error was added above") };
    // The stored clocks of open cases that this year's days move are recomputed in the same
    // transaction, so that lists and warnings never show a date the calendar no longer gives.
    let calendar = state.db.work_calendar().await?.with_year(year, days.iter().map(|d| (d.date, d.kind)));
    let (rules, _) = state.db.case_rules().await?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let version = tx.set_calendar_year(year, body.notice.trim(), &days, body.version).await?;
    let affected = tx.cases_with_open_clocks_in(year).await?;
    for (id, unit_id, case) in &affected {
        let clocks = crate::domain::case::clocks::clocks(case, &calendar, &rules);
        tx.replace_case_clocks(id, unit_id, case, &clocks).await?;
    }
    if !affected.is_empty() {
        let ids: Vec<&str> = affected.iter().map(|(id, _, _)| id.as_str()).collect();
        tx.audit(
            crate::store::AuditEvent::new("case.clocks_recomputed", "calendar_year", year.to_string())
                .details(serde_json::json!({ "system": true, "cases": ids })),
        )
        .await?;
    }
    tx.commit().await?;
    Ok((year, days, version))
}
