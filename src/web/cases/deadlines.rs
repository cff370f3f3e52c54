//! The deadline lists: every clock due within the horizon, by squad and by officer.

use super::*;

/// A group of the deadlines page.
pub struct DueGroup {
    pub name: String,
    pub overdue: usize,
    pub soon: usize,
}

#[derive(Template)]
#[template(path = "case_deadlines.html")]
struct DeadlinesPage {
    chrome: Chrome,
    rows: Vec<(DueClock, &'static str, ClockStatus)>,
    by_unit: Vec<DueGroup>,
    by_officer: Vec<DueGroup>,
    days: i64,
}

/// How far ahead the deadline lists look by default, in calendar days.
pub const DEADLINE_HORIZON_DAYS: i64 = 7;

fn group(rows: &[(DueClock, &'static str, ClockStatus)], key: impl Fn(&DueClock) -> String) -> Vec<DueGroup> {
    let mut map: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (clock, _, status) in rows {
        let entry = map.entry(key(clock)).or_default();
        if matches!(status, ClockStatus::Overdue { .. }) {
            entry.0 += 1;
        } else {
            entry.1 += 1;
        }
    }
    let mut groups: Vec<DueGroup> =
        map.into_iter().map(|(name, (overdue, soon))| DueGroup { name, overdue, soon }).collect();
    groups.sort_by(|a, b| b.overdue.cmp(&a.overdue).then(b.soon.cmp(&a.soon)));
    groups
}

pub(super) async fn due_rows(
    state: &AppState,
    principal: &Principal,
    days: i64,
) -> Result<Vec<(DueClock, &'static str, ClockStatus)>, AppError> {
    let today = civil_date(state.now());
    let until = today + chrono::Duration::days(days.clamp(0, 90));
    let rows = state.db.due_clocks(&visibility(principal), until, true, 1000).await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let kind = ClockKind::parse(&row.kind)?;
            let clock = Clock { kind, start: today, due: Due::Known { on: row.due_on }, met_on: None };
            let status = clock.status(today);
            Some((row, kind.name_zh(), status))
        })
        .collect())
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct DeadlineQuery {
    /// Look this many days ahead (default 7, at most 90).
    #[serde(default)]
    pub days: String,
}

pub async fn deadlines_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
    Query(query): Query<DeadlineQuery>,
) -> PageResult {
    let chrome = Chrome::new(&state, &principal, &headers, "deadlines", "期限预警", "Deadlines").await?;
    let days = query.days.parse().unwrap_or(DEADLINE_HORIZON_DAYS);
    let rows = due_rows(&state, &principal, days).await?;
    let by_unit = group(&rows, |c| c.unit_name.clone());
    let by_officer = group(&rows, |c| c.handler_name.clone().unwrap_or_else(|| "（未指定承办人）".into()));
    render(&DeadlinesPage { chrome, rows, by_unit, by_officer, days })
}
