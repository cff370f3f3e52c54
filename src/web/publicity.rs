//! 宣传 (issue 16 scope 6): the ledger page (counts per channel and month, the entries, the form),
//! one entry with its pick-up points and files, the workbook, and the same under `/api/v1`. The
//! operations are `ops::publicity`.

use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::publicity::{Channel, PickupInput, PublicityCount, PublicityInput, PublicityItem, Theme};
use crate::domain::time::civil_date;
use crate::ops::publicity::{self as ops, PublicityView};
use crate::store::org::Unit;
use crate::store::{AuditEvent, Recorded};
use crate::web::body::JsonObject;
use crate::web::common::{CreatedDto, YearQuery, year_of};
use crate::web::error::{ApiResult, AppError, PageResult};
use crate::web::guard::{Caller, Principal, RequestInfo};
use crate::web::pages::{Chrome, Lang, render_status};

/// The largest file kept with an entry: a promotional film fits.
pub const FILE_MAX_BYTES: u64 = 1024 * 1024 * 1024;

/// `?year=&channel=&unit_id=` of the ledger.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct LedgerQuery {
    /// `YYYY`; empty: this year.
    #[param(pattern = r"^(20[0-9]{2})?$")]
    pub year: String,
    /// A channel code; empty: all.
    #[param(
        pattern = r"^(briefing|wechat|weibo|portal|newspaper|radio|tv|national_site|journal|open_day|outreach|film)?$"
    )]
    pub channel: String,
    /// A unit id; empty: every unit in scope.
    pub unit_id: String,
}

#[utoipa::path(get, path = "/api/v1/publicity/items", tag = "assessment", params(LedgerQuery),
    responses((status = 200, body = [PublicityItem]), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_items(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<LedgerQuery>,
) -> ApiResult<Json<Vec<Recorded<PublicityItem>>>> {
    let year = year_of(&state, &query.year)?;
    let channel = ops::channel_of(&query.channel)?;
    let items = ops::items(&state, &principal.actor(&info), year, channel).await?;
    Ok(Json(
        items.into_iter().filter(|i| query.unit_id.is_empty() || i.record.unit_id == query.unit_id).collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/publicity/items", tag = "assessment", request_body = PublicityInput,
    responses((status = 201, body = CreatedDto), (status = 403, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_record(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<PublicityInput>,
) -> ApiResult<(StatusCode, Json<CreatedDto>)> {
    let id = ops::record(&state, &principal.actor(&info), &body).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

#[utoipa::path(get, path = "/api/v1/publicity/items/{id}", tag = "assessment", params(("id" = String, Path)),
    responses((status = 200, body = PublicityView), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_item(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<PublicityView>> {
    Ok(Json(ops::item(&state, &principal.actor(&info), &id).await?))
}

#[utoipa::path(post, path = "/api/v1/publicity/items/{id}/pickups", tag = "assessment", request_body = PickupInput,
    params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_add_pickup(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<PickupInput>,
) -> ApiResult<StatusCode> {
    ops::add_pickup(&state, &principal.actor(&info), &id, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/publicity/counts", tag = "assessment", params(YearQuery),
    responses((status = 200, body = [PublicityCount]), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_counts(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<YearQuery>,
) -> ApiResult<Json<Vec<PublicityCount>>> {
    let year = year_of(&state, &query.year)?;
    Ok(Json(ops::counts(&state, &principal.actor(&info), year).await?))
}

// ---- Pages ----

#[derive(Template)]
#[template(path = "publicity.html")]
struct LedgerPage {
    chrome: Chrome,
    year: i32,
    channel: String,
    unit_id: String,
    items: Vec<Recorded<PublicityItem>>,
    counts: Vec<PublicityCount>,
    units: Vec<Unit>,
    can_record: bool,
    record_units: Vec<Unit>,
    today: String,
    form: PublicityInput,
    errors: FieldErrors,
}

impl LedgerPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
    fn channels(&self) -> &'static [Channel] {
        Channel::ALL
    }
    fn themes(&self) -> &'static [Theme] {
        Theme::ALL
    }
    fn unit_name(&self, id: &str) -> String {
        self.units.iter().find(|u| u.id == id).map(|u| u.name.clone()).unwrap_or_default()
    }
    /// Each channel with its twelve months and its year's total.
    fn by_channel(&self) -> Vec<(Channel, Vec<u32>, u32)> {
        Channel::ALL
            .iter()
            .map(|c| {
                let months: Vec<u32> = (1..=12u32)
                    .map(|m| {
                        self.counts
                            .iter()
                            .filter(|x| x.channel == *c && x.month == m)
                            .filter(|x| self.unit_id.is_empty() || x.unit_id == self.unit_id)
                            .map(|x| x.items)
                            .sum()
                    })
                    .collect();
                let total = months.iter().sum();
                (*c, months, total)
            })
            .collect()
    }
    /// Each unit with entries this year and its total, the most first.
    fn by_unit(&self) -> Vec<(String, u32)> {
        let mut units: Vec<(String, u32)> = Vec::new();
        for c in &self.counts {
            match units.iter_mut().find(|(u, _)| *u == c.unit_id) {
                Some((_, n)) => *n += c.items,
                None => units.push((c.unit_id.clone(), c.items)),
            }
        }
        units.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        units.into_iter().map(|(u, n)| (self.unit_name(&u), n)).collect()
    }
    fn shown(&self) -> Vec<&Recorded<PublicityItem>> {
        self.items.iter().filter(|i| self.unit_id.is_empty() || i.record.unit_id == self.unit_id).collect()
    }
}

#[allow(clippy::too_many_arguments)] // the page's parts, each needed to redraw it after a form
async fn ledger_with(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    query: LedgerQuery,
    form: PublicityInput,
    errors: FieldErrors,
) -> PageResult {
    let actor = principal.actor(info);
    let year = year_of(state, &query.year)?;
    let channel = ops::channel_of(&query.channel)?;
    let can_record = principal.has(Action::PublicityRecord);
    let units = state.db.units().await?;
    let record_units = if can_record {
        let visibility = principal.visibility(Action::PublicityRecord);
        units
            .iter()
            .filter(|u| crate::ops::people::unit_visible(&units, &visibility, &u.id))
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    let chrome = Chrome::new(state, principal, headers, "publicity", "宣传台账", "Publicity ledger").await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = LedgerPage {
        chrome,
        year,
        channel: query.channel,
        unit_id: query.unit_id,
        items: ops::items(state, &actor, year, channel).await?,
        counts: ops::counts(state, &actor, year).await?,
        units,
        can_record,
        record_units,
        today: civil_date(state.now()).to_string(),
        form,
        errors,
    };
    render_status(&page, status)
}

pub async fn ledger_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Query(query): Query<LedgerQuery>,
) -> PageResult {
    ledger_with(&state, &principal, &info, &headers, query, PublicityInput::default(), FieldErrors::default())
        .await
}

pub async fn record_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(input): Form<PublicityInput>,
) -> PageResult {
    match ops::record(&state, &principal.actor(&info), &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/publicity/items/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            ledger_with(&state, &principal, &info, &headers, LedgerQuery::default(), input, errors).await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Template)]
#[template(path = "publicity_item.html")]
struct ItemPage {
    chrome: Chrome,
    view: PublicityView,
    can_record: bool,
    today: String,
    pickup: PickupInput,
    errors: FieldErrors,
}

impl ItemPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
    fn recorded(&self) -> String {
        crate::domain::time::display(self.view.item.recorded_at)
    }
    fn is_briefing(&self) -> bool {
        self.view.item.record.channel == Channel::Briefing
    }
    fn size_of(&self, bytes: &i64) -> String {
        crate::web::common::human_size(*bytes)
    }
}

async fn item_with(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    id: &str,
    pickup: PickupInput,
    errors: FieldErrors,
) -> PageResult {
    let view = ops::item(state, &principal.actor(info), id).await?;
    let units = state.db.units().await?;
    let can_record = principal.has(Action::PublicityRecord)
        && crate::ops::people::unit_visible(
            &units,
            &principal.visibility(Action::PublicityRecord),
            &view.item.record.unit_id,
        );
    let chrome = Chrome::new(state, principal, headers, "publicity", "宣传台账", "Publicity entry").await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let today = civil_date(state.now()).to_string();
    render_status(&ItemPage { chrome, view, can_record, today, pickup, errors }, status)
}

pub async fn item_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    item_with(&state, &principal, &info, &headers, &id, PickupInput::default(), FieldErrors::default()).await
}

pub async fn pickup_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(input): Form<PickupInput>,
) -> PageResult {
    match ops::add_pickup(&state, &principal.actor(&info), &id, &input).await {
        Ok(()) => Ok(Redirect::to(&format!("/publicity/items/{id}#pickups")).into_response()),
        Err(AppError::Invalid(errors)) => {
            item_with(&state, &principal, &info, &headers, &id, input, errors).await
        }
        Err(error) => Err(error.into()),
    }
}

/// A copy of the report (multipart: `file` and `title`).
pub async fn file_upload(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    multipart: axum::extract::Multipart,
) -> PageResult {
    let upload = crate::web::common::read_upload(&state, multipart, FILE_MAX_BYTES).await?;
    ops::add_file(&state, &principal.actor(&info), &id, &upload.title, &upload.file_name, upload.ingested)
        .await?;
    Ok(Redirect::to(&format!("/publicity/items/{id}#files")).into_response())
}

/// A file of an entry, to whoever may read the entry.
pub async fn file_download(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> PageResult {
    let file = state.db.attachment(&id).await?.ok_or(AppError::NotFound)?;
    if file.owner_kind != ops::ITEM_FILES {
        return Err(AppError::NotFound.into());
    }
    ops::item(&state, &principal.actor(&info), &file.owner_id).await?;
    let stored = (file.id.as_str(), file.sha256.as_str(), file.size, file.media_type.as_str());
    Ok(crate::web::common::stored_file_response(&state, stored, "file_damaged").await?)
}

fn workbook(
    items: &[Recorded<PublicityItem>],
    counts: &[PublicityCount],
    units: &[Unit],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#E8EEF7");
    let unit_name = |id: &str| units.iter().find(|u| u.id == id).map_or("", |u| u.name.as_str()).to_owned();

    let sheet = workbook.add_worksheet();
    sheet.set_name("宣传台账")?;
    let heads = [
        "日期",
        "渠道",
        "单位",
        "标题",
        "媒体/期刊",
        "链接",
        "期号",
        "印数",
        "地点",
        "主题",
        "参加人数",
        "说明",
    ];
    for (c, h) in heads.iter().enumerate() {
        sheet.write_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, i) in items.iter().enumerate() {
        let row = (r + 1) as u32;
        let item = &i.record;
        sheet.write(row, 0, item.on.to_string())?;
        sheet.write(row, 1, item.channel.name_zh())?;
        sheet.write(row, 2, unit_name(&item.unit_id))?;
        sheet.write(row, 3, item.title.as_str())?;
        sheet.write(row, 4, item.outlet.as_str())?;
        sheet.write(row, 5, item.link.as_str())?;
        sheet.write(row, 6, item.issue_no.as_str())?;
        sheet.write(row, 7, f64::from(item.copies))?;
        sheet.write(row, 8, item.place.as_str())?;
        sheet.write(row, 9, item.theme.map(Theme::name_zh).unwrap_or_default())?;
        sheet.write(row, 10, f64::from(item.participants))?;
        sheet.write(row, 11, item.note.as_str())?;
    }

    let sheet = workbook.add_worksheet();
    sheet.set_name("分渠道统计")?;
    for (c, h) in ["单位", "渠道", "月份", "条数"].iter().enumerate() {
        sheet.write_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, c) in counts.iter().enumerate() {
        let row = (r + 1) as u32;
        sheet.write(row, 0, unit_name(&c.unit_id))?;
        sheet.write(row, 1, c.channel.name_zh())?;
        sheet.write(row, 2, f64::from(c.month))?;
        sheet.write(row, 3, f64::from(c.items))?;
    }
    workbook.save_to_buffer()
}

/// `导出Excel`: the year's entries in the reader's scope and their counts; audited.
pub async fn export(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<YearQuery>,
) -> PageResult {
    let year = year_of(&state, &query.year)?;
    let actor = principal.actor(&info);
    let items = ops::items(&state, &actor, year, None).await?;
    let counts = ops::counts(&state, &actor, year).await?;
    let units = state.db.units().await?;
    let bytes = workbook(&items, &counts, &units)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the workbook: {e}")))?;
    state
        .db
        .audit_only(
            &actor.audit_ctx(),
            state.now(),
            AuditEvent::new("publicity.export", "publicity", year.to_string())
                .details(serde_json::json!({ "rows": items.len() })),
        )
        .await?;
    Ok(crate::web::common::xlsx_response(
        bytes,
        &format!("publicity_{year}.xlsx"),
        &format!("宣传台账_{year}.xlsx"),
    ))
}
