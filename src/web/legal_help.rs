//! Circuit court and legal help (issue 18 scope 9): the year's page with the monthly counts, the
//! sittings and the consultations, the forms to record them, its workbook, and the same under
//! `/api/v1`. The operations are `ops::legal_help`.

use askama::Template;
use axum::Json;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::legal_help::{ConsultationInput, SittingInput};
use crate::domain::time::civil_date;
use crate::ops::legal_help::{self as ops, YearView};
use crate::store::AuditEvent;
use crate::web::body::JsonObject;
use crate::web::common::{RecordedDto, YearQuery, year_of};
use crate::web::error::{ApiResult, AppError, PageResult};
use crate::web::guard::{Caller, Principal, RequestInfo};
use crate::web::pages::{Chrome, Lang, render_status};

#[utoipa::path(get, path = "/api/v1/legal-help", tag = "disclosure", params(YearQuery),
    responses((status = 200, body = YearView), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_year(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<YearQuery>,
) -> ApiResult<Json<YearView>> {
    let year = year_of(&state, query.year.trim())?;
    Ok(Json(ops::year(&state, &principal.actor(&info), year).await?))
}

#[utoipa::path(post, path = "/api/v1/court-sittings", tag = "disclosure", request_body = SittingInput,
    responses((status = 201, body = RecordedDto), (status = 403, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_sitting(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<SittingInput>,
) -> ApiResult<(StatusCode, Json<RecordedDto>)> {
    let id = ops::record_sitting(&state, &principal.actor(&info), &body).await?;
    Ok((StatusCode::CREATED, Json(RecordedDto { id })))
}

#[utoipa::path(post, path = "/api/v1/legal-consultations", tag = "disclosure", request_body = ConsultationInput,
    responses((status = 201, body = RecordedDto), (status = 403, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_consultation(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<ConsultationInput>,
) -> ApiResult<(StatusCode, Json<RecordedDto>)> {
    let id = ops::record_consultation(&state, &principal.actor(&info), &body).await?;
    Ok((StatusCode::CREATED, Json(RecordedDto { id })))
}

#[derive(Template)]
#[template(path = "legal_help.html")]
struct YearPage {
    chrome: Chrome,
    view: YearView,
    can_record: bool,
    today: String,
    sitting: SittingInput,
    consultation: ConsultationInput,
    errors: FieldErrors,
}

impl YearPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

#[allow(clippy::too_many_arguments)] // the page's parts, each needed to redraw it after a form
async fn year_with(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    year: i32,
    sitting: SittingInput,
    consultation: ConsultationInput,
    errors: FieldErrors,
) -> PageResult {
    let view = ops::year(state, &principal.actor(info), year).await?;
    let chrome =
        Chrome::new(state, principal, headers, "legal_help", "巡回法庭与法律服务", "Court and legal help")
            .await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = YearPage {
        chrome,
        view,
        can_record: principal.has(Action::LegalHelpRecord),
        today: civil_date(state.now()).to_string(),
        sitting,
        consultation,
        errors,
    };
    render_status(&page, status)
}

pub async fn year_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Query(query): Query<YearQuery>,
) -> PageResult {
    let year = year_of(&state, query.year.trim())?;
    year_with(
        &state,
        &principal,
        &info,
        &headers,
        year,
        SittingInput::default(),
        ConsultationInput::default(),
        FieldErrors::default(),
    )
    .await
}

pub async fn sitting_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(input): Form<SittingInput>,
) -> PageResult {
    match ops::record_sitting(&state, &principal.actor(&info), &input).await {
        Ok(_) => Ok(Redirect::to("/legal-help#sittings").into_response()),
        Err(AppError::Invalid(errors)) => {
            let year = chrono::Datelike::year(&civil_date(state.now()));
            year_with(&state, &principal, &info, &headers, year, input, ConsultationInput::default(), errors)
                .await
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn consultation_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(input): Form<ConsultationInput>,
) -> PageResult {
    match ops::record_consultation(&state, &principal.actor(&info), &input).await {
        Ok(_) => Ok(Redirect::to("/legal-help#consultations").into_response()),
        Err(AppError::Invalid(errors)) => {
            let year = chrono::Datelike::year(&civil_date(state.now()));
            year_with(&state, &principal, &info, &headers, year, SittingInput::default(), input, errors).await
        }
        Err(error) => Err(error.into()),
    }
}

fn workbook(view: &YearView) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#E8EEF7");
    let sheet = workbook.add_worksheet();
    sheet.set_name("按月统计")?;
    for (c, h) in ["月份", "巡回法庭开庭", "审理案件", "群众法律咨询", "执法人员法律咨询"].iter().enumerate()
    {
        sheet.write_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, m) in view.months.iter().enumerate() {
        let row = (r + 1) as u32;
        sheet.write(row, 0, format!("{}-{:02}", view.year, m.month))?;
        sheet.write(row, 1, f64::from(m.sittings))?;
        sheet.write(row, 2, f64::from(m.cases_heard))?;
        sheet.write(row, 3, f64::from(m.public_consultations))?;
        sheet.write(row, 4, f64::from(m.staff_consultations))?;
    }
    let sheet = workbook.add_worksheet();
    sheet.set_name("巡回法庭")?;
    for (c, h) in ["日期", "地点", "人民法院", "审判员", "审理案件数", "结果"].iter().enumerate()
    {
        sheet.write_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, s) in view.sittings.iter().enumerate() {
        let row = (r + 1) as u32;
        let s = &s.record;
        sheet.write(row, 0, s.held_on.to_string())?;
        sheet.write(row, 1, s.place.as_str())?;
        sheet.write(row, 2, s.court.as_str())?;
        sheet.write(row, 3, s.judge.as_str())?;
        sheet.write(row, 4, f64::from(s.cases_heard))?;
        sheet.write(row, 5, s.outcomes.as_str())?;
    }
    let sheet = workbook.add_worksheet();
    sheet.set_name("法律咨询")?;
    for (c, h) in ["日期", "对象", "咨询事项", "解答", "解答人"].iter().enumerate() {
        sheet.write_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, c) in view.consultations.iter().enumerate() {
        let row = (r + 1) as u32;
        let c = &c.record;
        sheet.write(row, 0, c.given_on.to_string())?;
        sheet.write(row, 1, c.audience.name_zh())?;
        sheet.write(row, 2, c.topic.as_str())?;
        sheet.write(row, 3, c.answer.as_str())?;
        sheet.write(row, 4, c.given_by.as_str())?;
    }
    workbook.save_to_buffer()
}

/// `导出Excel`: the year's counts, sittings and consultations, audited.
pub async fn export(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<YearQuery>,
) -> PageResult {
    let year = year_of(&state, query.year.trim())?;
    let actor = principal.actor(&info);
    let view = ops::year(&state, &actor, year).await?;
    let bytes = workbook(&view).map_err(|e| AppError::Internal(anyhow::anyhow!("the workbook: {e}")))?;
    state
        .db
        .audit_only(
            &actor.audit_ctx(),
            state.now(),
            AuditEvent::new("legal_help.export", "legal_help", year.to_string())
                .details(serde_json::json!({ "sittings": view.sittings.len(), "consultations": view.consultations.len() })),
        )
        .await?;
    Ok(crate::web::common::xlsx_response(
        bytes,
        &format!("legal_help_{year}.xlsx"),
        &format!("巡回法庭与法律服务_{year}.xlsx"),
    ))
}
