//! The responsibility list (权责清单) as the case screens show it.

use super::*;

#[derive(Template)]
#[template(path = "responsibility_list.html")]
struct ItemsPage {
    chrome: Chrome,
    categories: Vec<(Category, Vec<Item>)>,
    rules: CaseRules,
    rules_version: i64,
    may_edit_rules: bool,
    saved: bool,
    /// The code of the item just saved, for the confirmation.
    saved_item: String,
}

impl ItemsPage {
    fn range(&self, min: &Option<i64>, max: &Option<i64>) -> String {
        match (min, max) {
            (Some(a), Some(b)) => format!("{}–{} 元", yuan(*a), yuan(*b)),
            _ => "见处罚依据".to_owned(),
        }
    }
    fn money(&self, fen: &i64) -> String {
        yuan(*fen)
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ItemsQuery {
    #[serde(default)]
    saved: String,
    #[serde(default)]
    saved_item: String,
}

pub async fn items_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
    Query(query): Query<ItemsQuery>,
) -> PageResult {
    let chrome =
        Chrome::new(&state, &principal, &headers, "items", "权责清单", "Responsibility list").await?;
    // The legal office also sees retired items, to bring one back; everyone else sees the list
    // new cases use.
    let may_edit_rules = principal.has(Action::CaseRulesEdit);
    let items = if may_edit_rules {
        state.db.all_enforcement_items().await?
    } else {
        state.db.enforcement_items().await?
    };
    let mut by_category: HashMap<String, Vec<Item>> = HashMap::new();
    for item in items {
        by_category.entry(item.category.clone()).or_default().push(item);
    }
    let categories = state
        .db
        .case_categories()
        .await?
        .into_iter()
        .map(|c| {
            let items = by_category.remove(&c.code).unwrap_or_default();
            (c, items)
        })
        .collect();
    let (rules, rules_version) = state.db.case_rules().await?;
    render(&ItemsPage {
        chrome,
        categories,
        rules,
        rules_version,
        may_edit_rules,
        saved: query.saved == "1",
        saved_item: query.saved_item,
    })
}
