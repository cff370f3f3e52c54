//! The public portal under `/public/` (issue 18 scope 1): its front page with the hotline, the
//! responsibility list in force, the general procedure as the case engine offers it, and the
//! officer directory. No login, no cookie, nothing personal; a bad parameter answers 404.
//! Published decisions are `web::disclosure`; the report form and lookup `web::public_intake`.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::Deserialize;

use crate::app::AppState;
use crate::domain::case::rules::yuan;
use crate::domain::case::{CommandKind, StageMap};
use crate::ops::portal::{self as ops, PublicOfficer};
use crate::store::cases::Item;
use crate::web::error::{AppError, PageResult};
use crate::web::pages::{Lang, render_status};

/// The portal's pages may be cached for a minute: the same for everyone, changed only by the
/// office's work.
fn cached(page: PageResult) -> PageResult {
    let mut response = page?;
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=60"));
    Ok(response)
}

#[derive(Template)]
#[template(path = "public_index.html")]
struct IndexPage {
    l: Lang,
    bureau: String,
    hotline: String,
    address: String,
}

pub async fn index(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let page = IndexPage {
        l: Lang::from_headers(&headers),
        bureau: crate::ops::documents::bureau_name(&state).await?,
        hotline: state.config.hotline.clone(),
        address: state.config.complaint_address.clone(),
    };
    cached(render_status(&page, StatusCode::OK))
}

#[derive(Template)]
#[template(path = "public_items.html")]
struct ItemsPage {
    l: Lang,
    items: Vec<Item>,
}

impl ItemsPage {
    fn range(&self, item: &Item, organisation: bool) -> String {
        item.fine_range(organisation)
            .map_or_else(String::new, |(min, max)| format!("{}–{} 元", yuan(min), yuan(max)))
    }

    fn amount(&self, (min, max): &(i64, i64)) -> String {
        format!("{}–{}", yuan(*min), yuan(*max))
    }
}

pub async fn items(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let items = state.db.enforcement_items().await?.into_iter().filter(|i| i.active).collect();
    cached(render_status(&ItemsPage { l: Lang::from_headers(&headers), items }, StatusCode::OK))
}

#[derive(Template)]
#[template(path = "public_procedures.html")]
struct ProceduresPage {
    l: Lang,
    stages: Vec<StageMap>,
    everywhere: Vec<CommandKind>,
}

pub async fn procedures(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let (stages, everywhere) = ops::procedure(&state).await?;
    cached(render_status(
        &ProceduresPage { l: Lang::from_headers(&headers), stages, everywhere },
        StatusCode::OK,
    ))
}

/// `?unit=ID` (empty: the whole bureau).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OfficersQuery {
    pub unit: String,
}

#[derive(Template)]
#[template(path = "public_officers.html")]
struct OfficersPage {
    l: Lang,
    officers: Vec<PublicOfficer>,
    units: Vec<(String, String)>,
    unit: String,
}

pub async fn officers(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<OfficersQuery>,
) -> PageResult {
    let unit = query.unit.trim();
    if !unit.is_empty() && state.db.unit(unit).await?.is_none() {
        return Err(AppError::NotFound.into());
    }
    let officers = ops::officers(&state, Some(unit).filter(|u| !u.is_empty())).await?;
    let units = crate::ops::portal::units(&state).await?;
    let page = OfficersPage { l: Lang::from_headers(&headers), officers, units, unit: unit.to_owned() };
    cached(render_status(&page, StatusCode::OK))
}
