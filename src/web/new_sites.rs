//! 管理重心前移 (issue 18 scope 5): the register of new roads and estates with their shops
//! counted, a site's page with its shops, a shop's page with the 提前告知书 (as a PDF), the
//! follow-up visits and the outcome, the workbook, and the same under `/api/v1`. The
//! operations are `ops::new_sites`.

use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::new_sites::{
    NoticeInput, OutcomeInput, Requirement, ShopInput, ShopState, SiteInput, Trade, VisitInput, requirements,
};
use crate::domain::time::civil_date;
use crate::ops::new_sites::{self as ops, SiteSummary, SiteView};
use crate::store::AuditEvent;
use crate::store::new_sites::SiteShop;
use crate::store::org::Unit;
use crate::web::body::JsonObject;
use crate::web::common::{RecordedDto, VersionDto, form_version};
use crate::web::error::{ApiResult, AppError, PageResult};
use crate::web::guard::{Caller, Principal, RequestInfo};
use crate::web::pages::{Chrome, Lang, render_status};

#[utoipa::path(get, path = "/api/v1/new-sites", tag = "disclosure",
    responses((status = 200, body = Vec<SiteSummary>), (status = 403, body = crate::web::error::ErrorBody)))]
pub async fn api_list(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
) -> ApiResult<Json<Vec<SiteSummary>>> {
    Ok(Json(ops::sites(&state, &principal.actor(&info)).await?))
}

#[utoipa::path(post, path = "/api/v1/new-sites", tag = "disclosure", request_body = SiteInput,
    responses((status = 201, body = RecordedDto), (status = 403, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_create(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<SiteInput>,
) -> ApiResult<(StatusCode, Json<RecordedDto>)> {
    let id = ops::create_site(&state, &principal.actor(&info), &body).await?;
    Ok((StatusCode::CREATED, Json(RecordedDto { id })))
}

#[utoipa::path(get, path = "/api/v1/new-sites/{id}", tag = "disclosure", params(("id" = String, Path)),
    responses((status = 200, body = SiteView), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_get(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<SiteView>> {
    Ok(Json(ops::site(&state, &principal.actor(&info), &id).await?))
}

#[utoipa::path(post, path = "/api/v1/new-sites/{id}/shops", tag = "disclosure", params(("id" = String, Path)),
    request_body = ShopInput,
    responses((status = 201, body = RecordedDto), (status = 404, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_add_shop(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<ShopInput>,
) -> ApiResult<(StatusCode, Json<RecordedDto>)> {
    let id = ops::add_shop(&state, &principal.actor(&info), &id, &body).await?;
    Ok((StatusCode::CREATED, Json(RecordedDto { id })))
}

#[utoipa::path(get, path = "/api/v1/site-shops/{id}", tag = "disclosure", params(("id" = String, Path)),
    responses((status = 200, body = SiteShop), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_shop(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<SiteShop>> {
    Ok(Json(ops::shop(&state, &principal.actor(&info), &id).await?))
}

/// The 提前告知书 served, over the version read.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NoticeBody {
    pub version: i64,
    #[serde(flatten)]
    pub input: NoticeInput,
}

/// A follow-up visit, over the version read.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct VisitBody {
    pub version: i64,
    #[serde(flatten)]
    pub input: VisitInput,
}

/// What became of the shop, over the version read.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct OutcomeBody {
    pub version: i64,
    #[serde(flatten)]
    pub input: OutcomeInput,
}

#[utoipa::path(post, path = "/api/v1/site-shops/{id}/notice", tag = "disclosure", params(("id" = String, Path)),
    request_body = NoticeBody,
    responses((status = 200, body = VersionDto), (status = 404, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_notice(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<NoticeBody>,
) -> ApiResult<Json<VersionDto>> {
    let version = ops::serve_notice(&state, &principal.actor(&info), &id, body.version, &body.input).await?;
    Ok(Json(VersionDto { version }))
}

#[utoipa::path(post, path = "/api/v1/site-shops/{id}/visits", tag = "disclosure", params(("id" = String, Path)),
    request_body = VisitBody,
    responses((status = 200, body = VersionDto), (status = 404, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_visit(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<VisitBody>,
) -> ApiResult<Json<VersionDto>> {
    let version = ops::visit(&state, &principal.actor(&info), &id, body.version, &body.input).await?;
    Ok(Json(VersionDto { version }))
}

#[utoipa::path(post, path = "/api/v1/site-shops/{id}/outcome", tag = "disclosure", params(("id" = String, Path)),
    request_body = OutcomeBody,
    responses((status = 200, body = VersionDto), (status = 404, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_outcome(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<OutcomeBody>,
) -> ApiResult<Json<VersionDto>> {
    let version = ops::settle(&state, &principal.actor(&info), &id, body.version, &body.input).await?;
    Ok(Json(VersionDto { version }))
}

// ---- Pages ----

#[derive(Template)]
#[template(path = "new_sites.html")]
struct ListPage {
    chrome: Chrome,
    sites: Vec<SiteSummary>,
    can_record: bool,
    units: Vec<Unit>,
    input: SiteInput,
    errors: FieldErrors,
}

impl ListPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

async fn list_with(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    input: SiteInput,
    errors: FieldErrors,
) -> PageResult {
    let sites = ops::sites(state, &principal.actor(info)).await?;
    let units = crate::web::common::squads_for(state, principal, Action::NewSiteRecord).await?;
    let chrome =
        Chrome::new(state, principal, headers, "new_sites", "管理重心前移", "New roads and estates").await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page =
        ListPage { chrome, sites, can_record: principal.has(Action::NewSiteRecord), units, input, errors };
    render_status(&page, status)
}

pub async fn list_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
) -> PageResult {
    let input = SiteInput { kind: "estate".into(), ..Default::default() };
    list_with(&state, &principal, &info, &headers, input, FieldErrors::default()).await
}

pub async fn create_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(input): Form<SiteInput>,
) -> PageResult {
    match ops::create_site(&state, &principal.actor(&info), &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/new-sites/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => list_with(&state, &principal, &info, &headers, input, errors).await,
        Err(error) => Err(error.into()),
    }
}

#[derive(Template)]
#[template(path = "new_site.html")]
struct SitePage {
    chrome: Chrome,
    view: SiteView,
    today: chrono::NaiveDate,
    can_record: bool,
    trades: [Trade; 5],
    input: ShopInput,
    errors: FieldErrors,
}

impl SitePage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

async fn site_with(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    id: &str,
    input: ShopInput,
    errors: FieldErrors,
) -> PageResult {
    let view = ops::site(state, &principal.actor(info), id).await?;
    let chrome = Chrome::new(state, principal, headers, "new_sites", "管理重心前移", "New site").await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = SitePage {
        chrome,
        view,
        today: civil_date(state.now()),
        can_record: principal.has(Action::NewSiteRecord),
        trades: Trade::ALL,
        input,
        errors,
    };
    render_status(&page, status)
}

pub async fn site_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    let input = ShopInput { trade: "catering".into(), ..Default::default() };
    site_with(&state, &principal, &info, &headers, &id, input, FieldErrors::default()).await
}

pub async fn shop_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(input): Form<ShopInput>,
) -> PageResult {
    match ops::add_shop(&state, &principal.actor(&info), &id, &input).await {
        Ok(shop) => Ok(Redirect::to(&format!("/new-sites/shops/{shop}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            site_with(&state, &principal, &info, &headers, &id, input, errors).await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Template)]
#[template(path = "site_shop.html")]
struct ShopPage {
    chrome: Chrome,
    shop: SiteShop,
    today: chrono::NaiveDate,
    can_record: bool,
    requirements: Vec<Requirement>,
    /// Which form came back: `notice`, `visit` or `outcome` (empty: none), and what it sent.
    form: &'static str,
    notice: NoticeInput,
    visit: VisitInput,
    outcome: OutcomeInput,
    errors: FieldErrors,
    message: Option<String>,
}

impl ShopPage {
    /// A field's error, shown only under the form that sent it (the forms share `on`).
    fn error(&self, form: &str, field: &str) -> &str {
        if self.form == form { self.errors.get(field).unwrap_or("") } else { "" }
    }
    fn following_up(&self) -> bool {
        matches!(self.shop.state, ShopState::FollowingUp { .. })
    }
}

#[derive(Default)]
struct Redraw {
    form: &'static str,
    notice: NoticeInput,
    visit: VisitInput,
    outcome: OutcomeInput,
    errors: FieldErrors,
    message: Option<String>,
}

async fn shop_with(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    id: &str,
    redraw: Redraw,
) -> PageResult {
    let shop = ops::shop(state, &principal.actor(info), id).await?;
    let chrome = Chrome::new(state, principal, headers, "new_sites", "店铺提前告知", "Shop").await?;
    let status = if redraw.errors.is_empty() && redraw.message.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ShopPage {
        chrome,
        today: civil_date(state.now()),
        can_record: principal.has(Action::NewSiteRecord),
        requirements: requirements(shop.shop.trade),
        shop,
        form: redraw.form,
        notice: redraw.notice,
        visit: redraw.visit,
        outcome: redraw.outcome,
        errors: redraw.errors,
        message: redraw.message,
    };
    render_status(&page, status)
}

pub async fn shop_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    shop_with(&state, &principal, &info, &headers, &id, Redraw::default()).await
}

async fn after(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    id: &str,
    result: Result<i64, AppError>,
    redraw: Redraw,
) -> PageResult {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/new-sites/shops/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            shop_with(state, principal, info, headers, id, Redraw { errors, ..redraw }).await
        }
        Err(AppError::Refused { message, .. } | AppError::Conflict { message, .. }) => {
            shop_with(state, principal, info, headers, id, Redraw { message: Some(message), ..redraw }).await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct EventForm<T> {
    #[serde(default)]
    version: String,
    #[serde(flatten)]
    input: T,
}

pub async fn notice_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<EventForm<NoticeInput>>,
) -> PageResult {
    let result =
        ops::serve_notice(&state, &principal.actor(&info), &id, form_version(&form.version), &form.input)
            .await;
    let redraw = Redraw { form: "notice", notice: form.input, ..Default::default() };
    after(&state, &principal, &info, &headers, &id, result, redraw).await
}

pub async fn visit_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<EventForm<VisitInput>>,
) -> PageResult {
    let result =
        ops::visit(&state, &principal.actor(&info), &id, form_version(&form.version), &form.input).await;
    let redraw = Redraw { form: "visit", visit: form.input, ..Default::default() };
    after(&state, &principal, &info, &headers, &id, result, redraw).await
}

pub async fn outcome_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<EventForm<OutcomeInput>>,
) -> PageResult {
    let result =
        ops::settle(&state, &principal.actor(&info), &id, form_version(&form.version), &form.input).await;
    let redraw = Redraw { form: "outcome", outcome: form.input, ..Default::default() };
    after(&state, &principal, &info, &headers, &id, result, redraw).await
}

/// `GET /new-sites/shops/{id}/notice.pdf`: the shop's 提前告知书 to print and serve.
pub async fn notice_pdf(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> PageResult {
    let pdf = ops::notice_pdf(&state, &principal.actor(&info), &id).await?;
    let mut response = pdf.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    response.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("inline; filename=\"opening_notice.pdf\""),
    );
    Ok(response)
}

fn workbook(sites: &[SiteView], today: chrono::NaiveDate) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#E8EEF7");
    let sheet = workbook.add_worksheet();
    sheet.set_name("新建道路小区")?;
    let heads = [
        "名称",
        "类型",
        "中队",
        "位置",
        "通车/交付",
        "店铺",
        "已告知",
        "已回访",
        "规范经营",
        "立案",
        "未开业",
        "回访逾期",
    ];
    for (c, h) in heads.iter().enumerate() {
        sheet.write_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, v) in sites.iter().enumerate() {
        let (row, s, c) = ((r + 1) as u32, &v.site, &v.counts);
        sheet.write(row, 0, s.site.name.as_str())?;
        sheet.write(row, 1, s.site.kind.name_zh())?;
        sheet.write(row, 2, s.unit_name.as_str())?;
        sheet.write(row, 3, s.site.location.as_str())?;
        sheet.write(row, 4, s.site.opens_on.to_string())?;
        for (k, n) in
            [c.shops, c.notified, c.visited, c.complied, c.cased, c.not_opened, c.overdue].iter().enumerate()
        {
            sheet.write(row, 5 + k as u16, f64::from(*n))?;
        }
    }
    let sheet = workbook.add_worksheet();
    sheet.set_name("店铺")?;
    for (c, h) in ["道路/小区", "门牌", "店名", "经营类别", "经营者", "状态", "回访逾期"].iter().enumerate()
    {
        sheet.write_with_format(0, c as u16, *h, &bold)?;
    }
    let mut row = 1;
    for v in sites {
        for shop in &v.shops {
            sheet.write(row, 0, v.site.site.name.as_str())?;
            sheet.write(row, 1, shop.shop.label.as_str())?;
            sheet.write(row, 2, shop.shop.name.as_str())?;
            sheet.write(row, 3, shop.shop.trade.name_zh())?;
            sheet.write(row, 4, shop.party_name.as_deref().unwrap_or_default())?;
            sheet.write(row, 5, shop.state.name_zh())?;
            sheet.write(row, 6, if shop.state.overdue(today) { "是" } else { "" })?;
            row += 1;
        }
    }
    workbook.save_to_buffer()
}

/// `导出Excel`: the sites in scope with their counts and shops, audited.
pub async fn export(State(state): State<AppState>, Caller { principal, info }: Caller) -> PageResult {
    let actor = principal.actor(&info);
    let mut views = Vec::new();
    for summary in ops::sites(&state, &actor).await? {
        views.push(ops::site(&state, &actor, &summary.site.id).await?);
    }
    let bytes = workbook(&views, civil_date(state.now()))
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the workbook: {e}")))?;
    state
        .db
        .audit_only(
            &actor.audit_ctx(),
            state.now(),
            AuditEvent::new("new_site.export", "new_site", "all")
                .details(serde_json::json!({ "sites": views.len() })),
        )
        .await?;
    Ok(crate::web::common::xlsx_response(bytes, "new_sites.xlsx", "管理重心前移.xlsx"))
}
