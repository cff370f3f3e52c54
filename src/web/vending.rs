//! 便民服务点 and 疏导点 (issue 18 scope 6): the register with the form to set up a point, a
//! point's page (correct it, admit and end vendors, record inspections), its workbook, and the
//! same under `/api/v1/vending-points`. The portal's page is `web::portal::vending_points`; the
//! operations are `ops::vending`.

use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::time::civil_date;
use crate::domain::vending::{AdmissionInput, EndAdmissionInput, InspectionInput, Point, PointInput};
use crate::ops::vending::{self as ops, PointView};
use crate::store::AuditEvent;
use crate::store::org::Unit;
use crate::store::vending::VendingPoint;
use crate::web::body::JsonObject;
use crate::web::common::{RecordedDto, VersionDto, form_version};
use crate::web::error::{ApiResult, AppError, PageResult};
use crate::web::guard::{Caller, Principal, RequestInfo};
use crate::web::pages::{Chrome, Lang, render_status};

#[utoipa::path(get, path = "/api/v1/vending-points", tag = "disclosure",
    responses((status = 200, body = Vec<VendingPoint>), (status = 403, body = crate::web::error::ErrorBody)))]
pub async fn api_list(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
) -> ApiResult<Json<Vec<VendingPoint>>> {
    Ok(Json(ops::list(&state, &principal.actor(&info)).await?))
}

#[utoipa::path(post, path = "/api/v1/vending-points", tag = "disclosure", request_body = PointInput,
    responses((status = 201, body = RecordedDto), (status = 403, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_create(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<PointInput>,
) -> ApiResult<(StatusCode, Json<RecordedDto>)> {
    let id = ops::create(&state, &principal.actor(&info), &body).await?;
    Ok((StatusCode::CREATED, Json(RecordedDto { id })))
}

#[utoipa::path(get, path = "/api/v1/vending-points/{id}", tag = "disclosure", params(("id" = String, Path)),
    responses((status = 200, body = PointView), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_get(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<PointView>> {
    Ok(Json(ops::get(&state, &principal.actor(&info), &id).await?))
}

/// A point corrected over the version read.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct PointUpdateBody {
    pub version: i64,
    #[serde(flatten)]
    pub point: PointInput,
}

#[utoipa::path(put, path = "/api/v1/vending-points/{id}", tag = "disclosure", params(("id" = String, Path)),
    request_body = PointUpdateBody,
    responses((status = 200, body = VersionDto), (status = 404, body = crate::web::error::ErrorBody),
        (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_update(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<PointUpdateBody>,
) -> ApiResult<Json<VersionDto>> {
    let version = ops::update(&state, &principal.actor(&info), &id, body.version, &body.point).await?;
    Ok(Json(VersionDto { version }))
}

#[utoipa::path(post, path = "/api/v1/vending-points/{id}/admissions", tag = "disclosure",
    params(("id" = String, Path)), request_body = AdmissionInput,
    responses((status = 201, body = RecordedDto), (status = 404, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_admit(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<AdmissionInput>,
) -> ApiResult<(StatusCode, Json<RecordedDto>)> {
    let id = ops::admit(&state, &principal.actor(&info), &id, &body).await?;
    Ok((StatusCode::CREATED, Json(RecordedDto { id })))
}

#[utoipa::path(post, path = "/api/v1/vending-admissions/{id}/end", tag = "disclosure",
    params(("id" = String, Path)), request_body = EndAdmissionInput,
    responses((status = 200, body = RecordedDto), (status = 404, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_end_admission(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<EndAdmissionInput>,
) -> ApiResult<Json<RecordedDto>> {
    ops::end_admission(&state, &principal.actor(&info), &id, &body).await?;
    Ok(Json(RecordedDto { id }))
}

#[utoipa::path(post, path = "/api/v1/vending-points/{id}/inspections", tag = "disclosure",
    params(("id" = String, Path)), request_body = InspectionInput,
    responses((status = 201, body = RecordedDto), (status = 404, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_inspect(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<InspectionInput>,
) -> ApiResult<(StatusCode, Json<RecordedDto>)> {
    let id = ops::inspect(&state, &principal.actor(&info), &id, &body).await?;
    Ok((StatusCode::CREATED, Json(RecordedDto { id })))
}

// ---- Pages ----

/// A point's fields as the form shows them.
fn input_of(point: &Point) -> PointInput {
    PointInput {
        name: point.name.clone(),
        kind: point.kind.code().to_owned(),
        unit_id: point.unit_id.clone(),
        address: point.address.clone(),
        longitude: format!("{:.6}", point.map.longitude),
        latitude: format!("{:.6}", point.map.latitude),
        hours: point.hours.to_string(),
        capacity: point.capacity.to_string(),
        goods: point.goods.clone(),
        status: point.status.code().to_owned(),
        note: point.note.clone(),
    }
}

#[derive(Template)]
#[template(path = "vending_points.html")]
struct ListPage {
    chrome: Chrome,
    points: Vec<VendingPoint>,
    can_manage: bool,
    units: Vec<Unit>,
    input: PointInput,
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
    input: PointInput,
    errors: FieldErrors,
) -> PageResult {
    let points = ops::list(state, &principal.actor(info)).await?;
    let chrome =
        Chrome::new(state, principal, headers, "vending", "便民服务点与疏导点", "Vending points").await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = ListPage {
        chrome,
        points,
        can_manage: principal.has(Action::VendingManage),
        units: crate::web::common::squads_for(state, principal, Action::VendingManage).await?,
        input,
        errors,
    };
    render_status(&page, status)
}

pub async fn list_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
) -> PageResult {
    let input = PointInput { kind: "guided".into(), ..Default::default() };
    list_with(&state, &principal, &info, &headers, input, FieldErrors::default()).await
}

pub async fn create_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(input): Form<PointInput>,
) -> PageResult {
    match ops::create(&state, &principal.actor(&info), &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/vending-points/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => list_with(&state, &principal, &info, &headers, input, errors).await,
        Err(error) => Err(error.into()),
    }
}

#[derive(Template)]
#[template(path = "vending_point.html")]
struct PointPage {
    chrome: Chrome,
    view: PointView,
    today: chrono::NaiveDate,
    can_manage: bool,
    can_inspect: bool,
    units: Vec<Unit>,
    input: PointInput,
    admission: AdmissionInput,
    inspection: InspectionInput,
    errors: FieldErrors,
    message: Option<String>,
    /// Which form came back with errors: `point`, `admission` or `inspection` (empty: none).
    form: &'static str,
}

/// The fields of the point's own form, whose errors are shown only when that form failed
/// (the admission form has a `goods` too).
const POINT_FIELDS: [&str; 11] = [
    "name",
    "kind",
    "unit_id",
    "address",
    "longitude",
    "latitude",
    "hours",
    "capacity",
    "goods",
    "status",
    "note",
];

impl PointPage {
    fn error(&self, field: &str) -> &str {
        if POINT_FIELDS.contains(&field) && self.form != "point" {
            return "";
        }
        self.errors.get(field).unwrap_or("")
    }
    fn admission_error(&self, field: &str) -> &str {
        if self.form == "admission" { self.errors.get(field).unwrap_or("") } else { "" }
    }
}

/// What a form on the point's page sent back, to redraw it with its errors.
#[derive(Default)]
struct Redraw {
    form: &'static str,
    input: Option<PointInput>,
    admission: AdmissionInput,
    inspection: InspectionInput,
    errors: FieldErrors,
    message: Option<String>,
}

async fn point_with(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    id: &str,
    redraw: Redraw,
) -> PageResult {
    let view = ops::get(state, &principal.actor(info), id).await?;
    let chrome = Chrome::new(state, principal, headers, "vending", "便民服务点", "Vending point").await?;
    let status = if redraw.errors.is_empty() && redraw.message.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let today = civil_date(state.now());
    let admission = if redraw.admission.admitted_on.is_empty() {
        AdmissionInput { admitted_on: today.to_string(), ..redraw.admission }
    } else {
        redraw.admission
    };
    let page = PointPage {
        chrome,
        today,
        can_manage: principal.has(Action::VendingManage),
        can_inspect: principal.has(Action::VendingInspect),
        units: crate::web::common::squads_for(state, principal, Action::VendingManage).await?,
        input: redraw.input.unwrap_or_else(|| input_of(&view.point.point)),
        view,
        admission,
        inspection: redraw.inspection,
        errors: redraw.errors,
        message: redraw.message,
        form: redraw.form,
    };
    render_status(&page, status)
}

pub async fn point_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    point_with(&state, &principal, &info, &headers, &id, Redraw::default()).await
}

/// After a form on the point's page: back to it (at the form's section), or the page again
/// with what went wrong.
async fn after<T>(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    id: &str,
    result: Result<T, AppError>,
    redraw: Redraw,
) -> PageResult {
    let anchor = match redraw.form {
        "point" => "point",
        "inspection" => "inspections",
        _ => "admissions",
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/vending-points/{id}#{anchor}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            point_with(state, principal, info, headers, id, Redraw { errors, ..redraw }).await
        }
        Err(AppError::Refused { message, .. } | AppError::Conflict { message, .. }) => {
            point_with(state, principal, info, headers, id, Redraw { message: Some(message), ..redraw }).await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct UpdateForm {
    #[serde(default)]
    version: String,
    #[serde(flatten)]
    point: PointInput,
}

pub async fn update_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<UpdateForm>,
) -> PageResult {
    let result =
        ops::update(&state, &principal.actor(&info), &id, form_version(&form.version), &form.point).await;
    let redraw = Redraw { form: "point", input: Some(form.point), ..Default::default() };
    after(&state, &principal, &info, &headers, &id, result, redraw).await
}

pub async fn admit_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(input): Form<AdmissionInput>,
) -> PageResult {
    let result = ops::admit(&state, &principal.actor(&info), &id, &input).await;
    let redraw = Redraw { form: "admission", admission: input, ..Default::default() };
    after(&state, &principal, &info, &headers, &id, result, redraw).await
}

pub async fn end_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(admission_id): Path<String>,
    Form(input): Form<EndAdmissionInput>,
) -> PageResult {
    let actor = principal.actor(&info);
    let point_id = state.db.vending_admission(&admission_id).await?.ok_or(AppError::NotFound)?.point_id;
    let result = ops::end_admission(&state, &actor, &admission_id, &input).await;
    after(&state, &principal, &info, &headers, &point_id, result, Redraw::default()).await
}

pub async fn inspect_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(input): Form<InspectionInput>,
) -> PageResult {
    let result = ops::inspect(&state, &principal.actor(&info), &id, &input).await;
    let redraw = Redraw { form: "inspection", inspection: input, ..Default::default() };
    after(&state, &principal, &info, &headers, &id, result, redraw).await
}

fn workbook(points: &[PointView]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#E8EEF7");
    let sheet = workbook.add_worksheet();
    sheet.set_name("点位")?;
    let heads = [
        "名称",
        "类型",
        "中队",
        "地址",
        "经度",
        "纬度",
        "经营时段",
        "摊位数",
        "在用摊位",
        "经营品类",
        "状态",
        "最近检查",
    ];
    for (c, h) in heads.iter().enumerate() {
        sheet.write_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, v) in points.iter().enumerate() {
        let (row, p) = ((r + 1) as u32, &v.point);
        sheet.write(row, 0, p.point.name.as_str())?;
        sheet.write(row, 1, p.point.kind.name_zh())?;
        sheet.write(row, 2, p.unit_name.as_str())?;
        sheet.write(row, 3, p.point.address.as_str())?;
        sheet.write(row, 4, p.point.map.longitude)?;
        sheet.write(row, 5, p.point.map.latitude)?;
        sheet.write(row, 6, p.point.hours.to_string())?;
        sheet.write(row, 7, f64::from(p.point.capacity))?;
        sheet.write(row, 8, f64::from(p.stalls_taken))?;
        sheet.write(row, 9, p.point.goods.as_str())?;
        sheet.write(row, 10, p.point.status.name_zh())?;
        sheet.write(row, 11, p.last_inspected_on.map(|d| d.to_string()).unwrap_or_default())?;
    }
    let sheet = workbook.add_worksheet();
    sheet.set_name("入驻摊主")?;
    for (c, h) in ["点位", "摊位号", "摊主", "经营品类", "入驻日期", "到期日期", "退出日期", "退出原因"]
        .iter()
        .enumerate()
    {
        sheet.write_with_format(0, c as u16, *h, &bold)?;
    }
    let mut row = 1;
    for v in points {
        for a in &v.admissions {
            sheet.write(row, 0, v.point.point.name.as_str())?;
            sheet.write(row, 1, a.admission.stall.as_str())?;
            sheet.write(row, 2, a.party_name.as_str())?;
            sheet.write(row, 3, a.admission.goods.as_str())?;
            sheet.write(row, 4, a.admission.admitted_on.to_string())?;
            sheet.write(row, 5, a.admission.until.to_string())?;
            sheet.write(row, 6, a.ended_on.map(|d| d.to_string()).unwrap_or_default())?;
            sheet.write(row, 7, a.end_reason.as_deref().unwrap_or_default())?;
            row += 1;
        }
    }
    let sheet = workbook.add_worksheet();
    sheet.set_name("检查记录")?;
    for (c, h) in ["点位", "检查日期", "检查人员", "结果", "检查情况"].iter().enumerate() {
        sheet.write_with_format(0, c as u16, *h, &bold)?;
    }
    let mut row = 1;
    for v in points {
        for i in &v.inspections {
            sheet.write(row, 0, v.point.point.name.as_str())?;
            sheet.write(row, 1, i.record.inspected_on.to_string())?;
            sheet.write(row, 2, i.record.inspected_by.as_str())?;
            sheet.write(row, 3, i.record.result.name_zh())?;
            sheet.write(row, 4, i.record.findings.as_str())?;
            row += 1;
        }
    }
    workbook.save_to_buffer()
}

/// `导出Excel`: the points in scope with their vendors and inspections, audited.
pub async fn export(State(state): State<AppState>, Caller { principal, info }: Caller) -> PageResult {
    let actor = principal.actor(&info);
    let mut views = Vec::new();
    for point in ops::list(&state, &actor).await? {
        views.push(ops::get(&state, &actor, &point.id).await?);
    }
    let bytes = workbook(&views).map_err(|e| AppError::Internal(anyhow::anyhow!("the workbook: {e}")))?;
    state
        .db
        .audit_only(
            &actor.audit_ctx(),
            state.now(),
            AuditEvent::new("vending_point.export", "vending_point", "all")
                .details(serde_json::json!({ "points": views.len() })),
        )
        .await?;
    Ok(crate::web::common::xlsx_response(bytes, "vending_points.xlsx", "便民服务点与疏导点.xlsx"))
}
