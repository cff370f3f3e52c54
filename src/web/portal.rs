//! The public portal under `/public/` (issue 18 scope 1): its front page with the hotline, the
//! responsibility list in force, the general procedure as the case engine offers it, the
//! officer directory and the published decisions. No login, no cookie, nothing personal; a bad
//! parameter answers 404. Each page is rendered once into `ops::portal::PageCache` and served
//! from memory until its minute is up or the office publishes; the report form and lookup are
//! `web::public_intake`.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::app::AppState;
use crate::domain::case::rules::yuan;
use crate::domain::case::{CommandKind, StageMap};
use crate::ops::disclosure::PublicDecision;
use crate::ops::portal::{self as ops, PublicOfficer};
use crate::store::cases::Item;
use crate::web::common::{page_of, year_of};
use crate::web::error::{AppError, PageResult};
use crate::web::pages::Lang;

/// Decisions per page of the portal's list.
const PAGE_SIZE: i64 = 50;

/// A portal page: from the cache when it holds one for this address and language, else rendered
/// from `build` and kept. Browsers and proxies may keep it as long (`Cache-Control`), one copy per
/// language cookie (`Vary`).
async fn cached<T: Template>(
    state: &AppState,
    uri: &Uri,
    lang: Lang,
    build: impl std::future::Future<Output = Result<T, AppError>>,
) -> PageResult {
    let key = format!("{}|{}", lang.code(), uri.path_and_query().map_or(uri.path(), |p| p.as_str()));
    let now = state.now();
    let body = match state.portal.get(&key, now) {
        Some(body) => body,
        None => {
            let generation = state.portal.generation();
            let page = build.await?;
            let body = bytes::Bytes::from(page.render().map_err(|e| AppError::Internal(e.into()))?);
            state.portal.put(key, generation, now, body.clone());
            body
        }
    };
    let mut response: Response = Html(body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(ops::CACHE_CONTROL));
    headers.insert(header::VARY, HeaderValue::from_static("cookie"));
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

pub async fn index(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> PageResult {
    let l = Lang::from_headers(&headers);
    cached(&state, &uri, l, async {
        Ok(IndexPage {
            l,
            bureau: crate::ops::documents::bureau_name(&state).await?,
            hotline: state.config.hotline.clone(),
            address: state.config.complaint_address.clone(),
        })
    })
    .await
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

pub async fn items(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> PageResult {
    let l = Lang::from_headers(&headers);
    cached(&state, &uri, l, async {
        let items = state.db.enforcement_items().await?.into_iter().filter(|i| i.active).collect();
        Ok(ItemsPage { l, items })
    })
    .await
}

#[derive(Template)]
#[template(path = "public_item.html")]
struct ItemPage {
    l: Lang,
    item: Item,
    /// Every version of the item's fine ranges, the latest in force first.
    history: Vec<crate::store::cases::ItemRanges>,
}

impl ItemPage {
    fn range(&self, range: &Option<(i64, i64)>) -> String {
        range.map_or_else(|| "—".to_owned(), |(min, max)| format!("{}–{} 元", yuan(min), yuan(max)))
    }
}

/// `GET /public/items/{code}`: one item in force with the history of its published versions.
pub async fn item(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(code): Path<String>,
) -> PageResult {
    let l = Lang::from_headers(&headers);
    cached(&state, &uri, l, async {
        let item = state.db.enforcement_item(&code).await?.filter(|i| i.active).ok_or(AppError::NotFound)?;
        let history = state.db.item_range_history(&item.code).await?;
        Ok(ItemPage { l, item, history })
    })
    .await
}

#[derive(Template)]
#[template(path = "public_procedures.html")]
struct ProceduresPage {
    l: Lang,
    stages: Vec<StageMap>,
    everywhere: Vec<CommandKind>,
}

pub async fn procedures(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> PageResult {
    let l = Lang::from_headers(&headers);
    cached(&state, &uri, l, async {
        let (stages, everywhere) = ops::procedure(&state).await?;
        Ok(ProceduresPage { l, stages, everywhere })
    })
    .await
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
    uri: Uri,
    Query(query): Query<OfficersQuery>,
) -> PageResult {
    let l = Lang::from_headers(&headers);
    cached(&state, &uri, l, async {
        let unit = query.unit.trim();
        if !unit.is_empty() && state.db.unit(unit).await?.is_none() {
            return Err(AppError::NotFound);
        }
        let officers = ops::officers(&state, Some(unit).filter(|u| !u.is_empty())).await?;
        let units = ops::units(&state).await?;
        Ok(OfficersPage { l, officers, units, unit: unit.to_owned() })
    })
    .await
}

/// `?year=&page=` on the portal's list of decisions.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DecisionsQuery {
    pub year: String,
    pub page: String,
}

#[derive(Template)]
#[template(path = "public_decisions.html")]
struct DecisionsPage {
    l: Lang,
    decisions: Vec<PublicDecision>,
    year: i32,
    page: i64,
    pages: i64,
    total: i64,
}

pub async fn decisions(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Query(query): Query<DecisionsQuery>,
) -> PageResult {
    let l = Lang::from_headers(&headers);
    cached(&state, &uri, l, async {
        // A bad parameter answers like a missing page: the portal never shows an error's detail.
        let (Ok(year), Ok(page)) = (year_of(&state, query.year.trim()), page_of(&query.page)) else {
            return Err(AppError::NotFound);
        };
        let (decisions, total) =
            crate::ops::disclosure::public_list(&state, year, PAGE_SIZE, (page - 1) * PAGE_SIZE).await?;
        Ok(DecisionsPage {
            l,
            decisions,
            year,
            page,
            pages: ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1),
            total,
        })
    })
    .await
}

#[derive(Template)]
#[template(path = "public_decision.html")]
struct DecisionPage {
    l: Lang,
    d: PublicDecision,
}

pub async fn decision(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> PageResult {
    let l = Lang::from_headers(&headers);
    cached(&state, &uri, l, async {
        Ok(DecisionPage { l, d: crate::ops::disclosure::public_entry(&state, &id).await? })
    })
    .await
}

/// `?year=YYYY` (empty: last year).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FiguresQuery {
    pub year: String,
}

#[derive(Template)]
#[template(path = "public_figures.html")]
struct FiguresPage {
    l: Lang,
    year: i32,
    published_on: chrono::NaiveDate,
    f: crate::domain::disclosure::AnnualFigures,
}

pub async fn figures(
    State(state): State<AppState>,
    headers: HeaderMap,
    uri: Uri,
    Query(query): Query<FiguresQuery>,
) -> PageResult {
    let l = Lang::from_headers(&headers);
    cached(&state, &uri, l, async {
        let year = match query.year.trim() {
            "" => chrono::Datelike::year(&state.today()) - 1,
            raw => year_of(&state, raw).map_err(|_| AppError::NotFound)?,
        };
        let published = crate::ops::disclosure::public_figures(&state, year).await?;
        Ok(FiguresPage { l, year, published_on: published.published_on, f: published.figures })
    })
    .await
}

/// `?unit=ID&paper=a3|a4` (empty unit: the bureau's notice; empty paper: A3).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NoticeQuery {
    pub unit: String,
    pub paper: String,
}

/// `GET /public/notice.pdf`: the 公示栏 notice to print, typeset once a minute at most.
pub async fn notice(State(state): State<AppState>, Query(query): Query<NoticeQuery>) -> PageResult {
    let paper = ops::Paper::parse(query.paper.trim()).ok_or(AppError::NotFound)?;
    let unit = Some(query.unit.trim()).filter(|u| !u.is_empty());
    if let Some(id) = unit
        && state.db.unit(id).await?.is_none()
    {
        return Err(AppError::NotFound.into());
    }
    // The key is what was parsed, not the address as typed: extra parameters must not make a
    // crawler typeset a new PDF per request.
    let key = format!("pdf|{}|{paper:?}", unit.unwrap_or_default());
    let now = state.now();
    let pdf = match state.portal.get(&key, now) {
        Some(pdf) => pdf,
        None => {
            let generation = state.portal.generation();
            let pdf = bytes::Bytes::from(ops::wall_notice(&state, unit, paper).await?);
            state.portal.put(key, generation, now, pdf.clone());
            pdf
        }
    };
    let mut response = pdf.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    headers.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("inline; filename=\"notice.pdf\""));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(ops::CACHE_CONTROL));
    Ok(response)
}

#[derive(Template)]
#[template(path = "public_vending_points.html")]
struct VendingPage {
    l: Lang,
    points: Vec<crate::store::vending::VendingPoint>,
}

/// Where a point sits in the schematic's 100 × 100 box (x east, y south).
#[derive(Debug, Clone, PartialEq)]
struct Dot {
    number: usize,
    x: f64,
    y: f64,
    open: bool,
}

/// The points' places in the schematic, keeping the district's proportions: a degree of
/// longitude is shorter than one of latitude by the cosine of the latitude.
fn dots(maps: &[(crate::domain::vending::MapPoint, bool)]) -> Vec<Dot> {
    let min = |get: fn(&crate::domain::vending::MapPoint) -> f64| {
        maps.iter().map(|(m, _)| get(m)).fold(f64::MAX, f64::min)
    };
    let max = |get: fn(&crate::domain::vending::MapPoint) -> f64| {
        maps.iter().map(|(m, _)| get(m)).fold(f64::MIN, f64::max)
    };
    let (west, east) = (min(|m| m.longitude), max(|m| m.longitude));
    let (south, north) = (min(|m| m.latitude), max(|m| m.latitude));
    let squeeze = ((south + north) / 2.0).to_radians().cos();
    let span = ((east - west) * squeeze).max(north - south).max(1e-4);
    maps.iter()
        .enumerate()
        .map(|(n, (m, open))| Dot {
            number: n + 1,
            x: 8.0 + 84.0 * (m.longitude - west) * squeeze / span,
            y: 8.0 + 84.0 * (north - m.latitude) / span,
            open: *open,
        })
        .collect()
}

impl VendingPage {
    fn dots(&self) -> Vec<Dot> {
        let open = crate::domain::vending::PointStatus::Open;
        dots(&self.points.iter().map(|p| (p.point.map, p.point.status == open)).collect::<Vec<_>>())
    }
}

/// `GET /public/vending-points`: the 便民服务点 and 疏导点 open or suspended, with their hours,
/// goods and free stalls today, and a schematic of where they are (drawn here: the portal
/// loads nothing from another site). Never who trades there.
pub async fn vending_points(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> PageResult {
    let l = Lang::from_headers(&headers);
    cached(&state, &uri, l, async {
        Ok(VendingPage { l, points: crate::ops::vending::public(&state).await? })
    })
    .await
}

#[cfg(test)]
mod tests {
    use crate::domain::vending::MapPoint;

    #[test]
    fn the_schematic_keeps_north_up_east_right_and_the_points_inside_the_box() {
        let at = |longitude, latitude| (MapPoint { longitude, latitude }, true);
        let dots = super::dots(&[at(119.90, 31.80), at(119.96, 31.75), at(119.93, 31.78)]);
        assert!(dots.iter().all(|d| (8.0..=92.0).contains(&d.x) && (8.0..=92.0).contains(&d.y)));
        assert!(dots[0].x < dots[1].x, "west is left");
        assert!(dots[0].y < dots[1].y, "north is up");
        // One point alone sits in the corner rather than dividing by nothing.
        assert!(super::dots(&[at(119.9, 31.8)])[0].x.is_finite());
    }
}

#[derive(Template)]
#[template(path = "public_top_ten.html")]
struct TopTenPage {
    l: Lang,
    rounds: Vec<(i32, String, Vec<crate::ops::top_ten::Winner>)>,
}

impl TopTenPage {
    fn categories(&self) -> &'static [crate::domain::top_ten::Category] {
        crate::domain::top_ten::Category::ALL
    }
    fn of<'a>(
        &self,
        winners: &'a [crate::ops::top_ten::Winner],
        category: &crate::domain::top_ten::Category,
    ) -> Vec<&'a crate::ops::top_ten::Winner> {
        winners.iter().filter(|w| w.category == *category).collect()
    }
}

/// `GET /public/top-ten`: each published round's winners by title (name and squad only) with
/// its notice.
pub async fn top_ten(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> PageResult {
    let l = Lang::from_headers(&headers);
    cached(&state, &uri, l, async {
        let mut rounds = Vec::new();
        for year in crate::ops::top_ten::published_years(&state.db).await? {
            if let Some((round, winners)) = crate::ops::top_ten::published(&state.db, year).await? {
                let number = round.notice.map(|n| n.number.to_string()).unwrap_or_default();
                rounds.push((year, number, winners));
            }
        }
        Ok(TopTenPage { l, rounds })
    })
    .await
}

/// `GET /public/top-ten/{year}/notice.pdf`: a published round's 通报, typeset once a minute at
/// most.
pub async fn top_ten_notice(State(state): State<AppState>, Path(year): Path<String>) -> PageResult {
    let year = year_of(&state, &year).map_err(|_| AppError::NotFound)?;
    let key = format!("top_ten|{year}");
    let now = state.now();
    let pdf = match state.portal.get(&key, now) {
        Some(pdf) => pdf,
        None => {
            let generation = state.portal.generation();
            let pdf = bytes::Bytes::from(crate::ops::top_ten::notice_pdf(&state, year).await?);
            state.portal.put(key, generation, now, pdf.clone());
            pdf
        }
    };
    let mut response = pdf.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("inline; filename=\"top_ten_notice.pdf\""),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(ops::CACHE_CONTROL));
    Ok(response)
}
