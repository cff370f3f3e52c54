//! Editing the responsibility list (权责清单): an item's legal basis, its statutory fine range,
//! the discretion benchmark bands and the unit responsible. The legal office and the leadership
//! keep it (the same permission as the province's case rules); every change is versioned and
//! audited, and the domain's rules ([`ItemInput::parse`]) hold on the page and the API alike.

use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use crate::app::AppState;
use crate::domain::case::items::{BandInput, DiscretionBand, ItemInput};
use crate::domain::case::rules::yuan;
use crate::domain::fields::FieldErrors;
use crate::store::cases::{Category, Item, ItemRanges};
use crate::web::body::JsonObject;
use crate::web::error::{ApiResult, AppError, PageResult};
use crate::web::guard::{Caller, Principal, RequestInfo};
use crate::web::pages::{Chrome, Lang, render};

/// Blank band rows offered under the item's own, so a band can be added without script.
const BLANK_BAND_ROWS: usize = 2;

#[derive(Template)]
#[template(path = "item_edit.html")]
struct ItemPage {
    chrome: Chrome,
    /// `None` for a new item.
    existing: Option<String>,
    input: ItemInput,
    bands: Vec<BandInput>,
    categories: Vec<Category>,
    version: i64,
    errors: FieldErrors,
    conflict: Option<String>,
    history: Vec<HistoryRow>,
}

/// One version of the item's ranges as the page lists it.
struct HistoryRow {
    version: i64,
    effective_from: Option<chrono::NaiveDate>,
    person: String,
    org: String,
    /// One line per band; `None`: not recorded for this version.
    bands: Option<Vec<String>>,
}

impl HistoryRow {
    fn of(ranges: &ItemRanges) -> HistoryRow {
        let range = |r: Option<(i64, i64)>| {
            r.map_or_else(|| "—".to_owned(), |(min, max)| format!("{}–{}", yuan(min), yuan(max)))
        };
        HistoryRow {
            version: ranges.version,
            effective_from: ranges.effective_from,
            person: range(ranges.person),
            org: range(ranges.org),
            bands: ranges.bands.as_ref().map(|bands| bands.iter().map(DiscretionBand::both_zh).collect()),
        }
    }
}

impl ItemPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    existing: Option<String>,
    input: ItemInput,
    version: i64,
    errors: FieldErrors,
    conflict: Option<String>,
) -> PageResult {
    let (zh, en) = if existing.is_some() {
        ("修改执法事项", "Edit item")
    } else {
        ("新增执法事项", "New item")
    };
    let chrome = Chrome::new(state, principal, headers, "items", zh, en).await?;
    let categories = state.db.case_categories().await?;
    let mut bands = input.bands.clone();
    bands.extend(std::iter::repeat_n(BandInput::default(), BLANK_BAND_ROWS));
    let status = crate::web::pages::form_status(conflict.is_some(), &errors);
    let history = match &existing {
        Some(code) => state.db.item_range_history(code).await?.iter().map(HistoryRow::of).collect(),
        None => Vec::new(),
    };
    let mut response =
        render(&ItemPage { chrome, existing, input, bands, categories, version, errors, conflict, history })?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn new_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
) -> PageResult {
    let input = ItemInput { status: "to_verify".into(), active: true, ..ItemInput::default() };
    page(&state, &principal, &headers, None, input, 0, FieldErrors::default(), None).await
}

pub async fn edit_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> PageResult {
    let item = state.db.enforcement_item(&code).await?.ok_or(AppError::NotFound)?;
    let input = ItemInput::of(&item.spec());
    page(&state, &principal, &headers, Some(code), input, item.version, FieldErrors::default(), None).await
}

/// Reads the form's fields in document order: the band rows repeat the same six names, which a
/// struct cannot hold, so the body arrives as pairs and the rows are zipped by position.
fn form_input(pairs: &[(String, String)]) -> (ItemInput, i64) {
    let mut input = ItemInput { active: false, ..ItemInput::default() };
    let mut columns: [Vec<String>; 6] = Default::default();
    let mut version = -1;
    for (name, value) in pairs {
        let value = value.clone();
        match name.as_str() {
            // A version that does not parse matches no row: answered as a conflict.
            "version" => version = value.trim().parse().unwrap_or(-1),
            "code" => input.code = value,
            "category" => input.category = value,
            "name" => input.name = value,
            "violated" => input.violated = value,
            "penalty_basis" => input.penalty_basis = value,
            "fine_min_person" => input.fine_min_person = value,
            "fine_max_person" => input.fine_max_person = value,
            "fine_min_org" => input.fine_min_org = value,
            "fine_max_org" => input.fine_max_org = value,
            "responsible_unit" => input.responsible_unit = value,
            "status" => input.status = value,
            "note" => input.note = value,
            "active" => input.active = true,
            "effective_from" => input.effective_from = value,
            "band_level" => columns[0].push(value),
            "band_condition" => columns[1].push(value),
            "band_person_min" => columns[2].push(value),
            "band_person_max" => columns[3].push(value),
            "band_org_min" => columns[4].push(value),
            "band_org_max" => columns[5].push(value),
            _ => {}
        }
    }
    let rows = columns.iter().map(Vec::len).max().unwrap_or(0);
    let cell = |column: usize, row: usize| columns[column].get(row).cloned().unwrap_or_default();
    input.bands = (0..rows)
        .map(|row| BandInput {
            level: cell(0, row),
            condition: cell(1, row),
            person_min: cell(2, row),
            person_max: cell(3, row),
            org_min: cell(4, row),
            org_max: cell(5, row),
        })
        .filter(|b| *b != BandInput::default())
        .collect();
    (input, version)
}

async fn save_form(
    state: AppState,
    principal: Principal,
    info: RequestInfo,
    headers: HeaderMap,
    existing: Option<String>,
    pairs: Vec<(String, String)>,
) -> PageResult {
    let (mut input, mut version) = form_input(&pairs);
    if let Some(code) = &existing {
        // The address names the item: a code typed into the body cannot move the edit elsewhere.
        input.code = code.clone();
        version = existing_version(version);
    } else {
        version = 0;
    }
    match crate::ops::settings::save_item(&state, &principal.actor(&info), version, &input).await {
        Ok(item) => {
            Ok(Redirect::to(&format!("/responsibility-list?saved_item={}#item-{}", item.code, item.code))
                .into_response())
        }
        Err(AppError::Invalid(errors)) => {
            page(&state, &principal, &headers, existing, input, version, errors, None).await
        }
        Err(AppError::Conflict { message, .. }) => {
            let code = existing.unwrap_or_default();
            let item = state.db.enforcement_item(&code).await?.ok_or(AppError::NotFound)?;
            let current = ItemInput::of(&item.spec());
            page(
                &state,
                &principal,
                &headers,
                Some(code),
                current,
                item.version,
                FieldErrors::default(),
                Some(message),
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn create_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    save_form(state, principal, info, headers, None, pairs).await
}

pub async fn update_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(code): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    // An unknown code is a missing page, not a conflict.
    state.db.enforcement_item(&code).await?.ok_or(AppError::NotFound)?;
    save_form(state, principal, info, headers, Some(code), pairs).await
}

#[utoipa::path(get, path = "/api/v1/responsibility-items/{code}", tag = "cases",
    params(("code" = String, Path, description = "The item's code, e.g. `ZL-ZD-001`")),
    responses((status = 200, body = Item), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_get(State(state): State<AppState>, Path(code): Path<String>) -> ApiResult<Json<Item>> {
    Ok(Json(state.db.enforcement_item(&code).await?.ok_or(AppError::NotFound)?))
}

#[utoipa::path(get, path = "/api/v1/responsibility-items/{code}/ranges", tag = "cases",
    params(("code" = String, Path, description = "The item's code")),
    responses((status = 200, body = Vec<ItemRanges>, description = "Each version of the item's statutory \
        fine ranges with the day from which it applies to acts, latest first; a decision applies the one in \
        force on the day of the act unless the one in force on the day of the decision is lighter (行政处罚法 \
        Art. 37)"), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_ranges(
    State(state): State<AppState>,
    Path(code): Path<String>,
) -> ApiResult<Json<Vec<ItemRanges>>> {
    state.db.enforcement_item(&code).await?.ok_or(AppError::NotFound)?;
    Ok(Json(state.db.item_range_history(&code).await?))
}

#[utoipa::path(post, path = "/api/v1/responsibility-items", tag = "cases", request_body = ItemInput,
    responses((status = 201, body = Item), (status = 422, body = crate::web::error::ErrorBody,
        description = "field errors: `code_invalid`, `category_unknown`, `required`, `range_invalid`, \
                       `bands_need_range`, `band_invalid`, `band_outside_range`, `bands_overlap`, `too_many_bands`, `status_invalid`")))]
pub async fn api_create(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(input): JsonObject<ItemInput>,
) -> ApiResult<(StatusCode, Json<Item>)> {
    let item = crate::ops::settings::save_item(&state, &principal.actor(&info), 0, &input).await?;
    Ok((StatusCode::CREATED, Json(item)))
}

/// An item to save over the version read.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct ItemBody {
    /// The version read from `GET /api/v1/responsibility-items/{code}`.
    pub version: i64,
    #[serde(flatten)]
    pub item: ItemInput,
}

#[utoipa::path(put, path = "/api/v1/responsibility-items/{code}", tag = "cases", request_body = ItemBody,
    params(("code" = String, Path, description = "The item's code; a `code` in the body is ignored")),
    responses((status = 200, body = Item), (status = 404, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody, description = "`version_conflict`"),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_put(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(code): Path<String>,
    JsonObject(body): JsonObject<ItemBody>,
) -> ApiResult<Json<Item>> {
    state.db.enforcement_item(&code).await?.ok_or(AppError::NotFound)?;
    let input = ItemInput { code, ..body.item };
    let version = existing_version(body.version);
    Ok(Json(crate::ops::settings::save_item(&state, &principal.actor(&info), version, &input).await?))
}

/// An update names the version it read. Version 0 would mean "create", so anything below 1
/// becomes a version no row has: the edit is answered as a conflict, never applied blind.
fn existing_version(version: i64) -> i64 {
    if version < 1 { -1 } else { version }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_rows_are_zipped_in_order_and_blank_rows_dropped() {
        let pairs: Vec<(String, String)> = [
            ("version", "3"),
            ("name", "占道"),
            ("band_level", "一般"),
            ("band_condition", "劝导后改正"),
            ("band_person_min", "1"),
            ("band_person_max", "200"),
            ("band_org_min", "1"),
            ("band_org_max", "1000"),
            ("band_level", ""),
            ("band_condition", ""),
            ("band_person_min", ""),
            ("band_person_max", ""),
            ("band_org_min", ""),
            ("band_org_max", ""),
            ("active", "1"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let (input, version) = form_input(&pairs);
        assert_eq!(version, 3);
        assert!(input.active);
        assert_eq!(input.bands.len(), 1);
        assert_eq!(input.bands[0].person_max, "200");
        let (unchecked, _) = form_input(&pairs[..pairs.len() - 1]);
        assert!(!unchecked.active, "an unticked box sends nothing: the item is retired");
    }
}
