//! The case list: search and filters, a row per case with its stage and next deadline.

use super::*;

/// A list row.
pub struct Row {
    pub r: CaseRecord,
    pub stage_tag: &'static str,
    pub due_tag: &'static str,
    pub due_label: String,
    pub category_name: String,
}

fn due_tag(next_due: Option<NaiveDate>, today: NaiveDate) -> (&'static str, String) {
    match next_due {
        None => ("", String::new()),
        Some(d) if d < today => ("danger", format!("{d} 已逾期")),
        Some(d) if (d - today).num_days() <= crate::domain::case::clocks::DUE_SOON_DAYS => {
            ("warning", format!("{d} 将到期"))
        }
        Some(d) => ("info", d.to_string()),
    }
}

fn stage_tag(stage: Stage) -> &'static str {
    match stage {
        Stage::Closed => "success",
        Stage::NotFiled => "info",
        Stage::Clue => "info",
        _ => "primary",
    }
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Part of the case number, the title or the party's name.
    #[serde(default)]
    pub q: String,
    /// A stage code: clue, investigation, review, notified, decided, execution, closed, not_filed.
    #[serde(default)]
    pub stage: String,
    #[serde(default)]
    pub category: String,
    /// `general` or `simple`.
    #[serde(default)]
    pub procedure: String,
    #[serde(default)]
    pub unit: String,
    /// `1`: only cases the caller handles.
    #[serde(default)]
    pub mine: String,
    /// `1`: only cases with an overdue duty clock.
    #[serde(default)]
    pub overdue: String,
    #[serde(default)]
    pub party: String,
    #[serde(default)]
    pub page: String,
    #[serde(default)]
    pub size: String,
}

impl ListQuery {
    pub(super) fn filter(&self, principal: &Principal, today: NaiveDate) -> CaseFilter {
        CaseFilter {
            stage: self.stage.clone(),
            category: self.category.clone(),
            procedure: self.procedure.clone(),
            unit_id: self.unit.clone(),
            officer_id: if self.mine == "1" {
                principal.person_id.clone().unwrap_or_else(|| "-".into())
            } else {
                String::new()
            },
            party_id: self.party.clone(),
            text: self.q.clone(),
            overdue_on: (self.overdue == "1").then_some(today),
            page: page_number(&self.page),
            page_size: page_size(&self.size),
        }
    }
}

#[derive(Template)]
#[template(path = "cases_list.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    pager: Pager,
    query: ListQuery,
    stages: Vec<(&'static str, &'static str)>,
    categories: Vec<Category>,
    may_open: bool,
}

pub async fn list_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let chrome = Chrome::new(&state, &principal, &headers, "cases", "案件办理", "Cases").await?;
    let today = civil_date(state.now());
    let filter = query.filter(&principal, today);
    let (records, total) = state.db.cases(&visibility(&principal), &filter).await?;
    let categories = state.db.case_categories().await?;
    let rows = records
        .into_iter()
        .map(|r| {
            let (due_tag, due_label) = due_tag(r.next_due, today);
            Row {
                stage_tag: stage_tag(r.case.stage),
                due_tag,
                due_label,
                category_name: category_name(&categories, &r.category),
                r,
            }
        })
        .collect();
    let q = serde_urlencoded::to_string([
        ("q", query.q.as_str()),
        ("stage", query.stage.as_str()),
        ("category", query.category.as_str()),
        ("procedure", query.procedure.as_str()),
        ("mine", query.mine.as_str()),
        ("overdue", query.overdue.as_str()),
        ("size", query.size.as_str()),
    ])
    .unwrap_or_default();
    render(&ListPage {
        chrome,
        rows,
        pager: Pager::new(filter.page, filter.page_size, total, q),
        query,
        stages: Stage::ALL.iter().map(|s| (s.code(), s.name_zh())).collect(),
        categories,
        may_open: principal.has(Action::CaseOpen),
    })
}
