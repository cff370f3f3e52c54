//! 心灵管理辅导 (issue 16 scope 5): the counts page with the stations and the yearly plan and
//! their forms, the counsellor's form to record a session, one's own sessions, a session's
//! notes (the counsellor and the people of it only), the counts workbook, and the same under
//! `/api/v1`. The operations are `ops::counselling`.

use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::counselling::{
    CounsellingMonth, PlanItem, PlanItemInput, SessionInput, Station, StationInput,
};
use crate::domain::fields::FieldErrors;
use crate::domain::time::civil_date;
use crate::ops::counselling::{self as ops, SessionView};
use crate::store::counselling::SessionHead;
use crate::store::org::{PeopleFilter, PersonSummary, Unit};
use crate::store::{AuditEvent, Recorded};
use crate::web::body::JsonObject;
use crate::web::common::{RecordedDto, YearQuery, squads_for, year_of};
use crate::web::error::{ApiResult, AppError, PageResult};
use crate::web::guard::{Caller, Principal, RequestInfo};
use crate::web::pages::{Chrome, Lang, render_status};

#[utoipa::path(get, path = "/api/v1/counselling/counts", tag = "assessment", params(YearQuery),
    responses((status = 200, body = [CounsellingMonth]), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_counts(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<YearQuery>,
) -> ApiResult<Json<Vec<CounsellingMonth>>> {
    let year = year_of(&state, &query.year)?;
    Ok(Json(ops::counts(&state, &principal.actor(&info), year).await?))
}

#[utoipa::path(get, path = "/api/v1/counselling/sessions", tag = "assessment",
    responses((status = 200, body = [SessionHead])))]
pub async fn api_mine(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
) -> ApiResult<Json<Vec<SessionHead>>> {
    Ok(Json(ops::mine(&state, &principal.actor(&info)).await?))
}

#[utoipa::path(get, path = "/api/v1/counselling/sessions/{id}", tag = "assessment", params(("id" = String, Path)),
    responses((status = 200, body = SessionView), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_session(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<SessionView>> {
    Ok(Json(ops::session(&state, &principal.actor(&info), &id).await?))
}

#[utoipa::path(post, path = "/api/v1/counselling/sessions", tag = "assessment", request_body = SessionInput,
    responses((status = 201, body = RecordedDto), (status = 403, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_record(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<SessionInput>,
) -> ApiResult<(StatusCode, Json<RecordedDto>)> {
    let id = ops::record(&state, &principal.actor(&info), &body).await?;
    Ok((StatusCode::CREATED, Json(RecordedDto { id })))
}

#[utoipa::path(get, path = "/api/v1/counselling/stations", tag = "assessment",
    responses((status = 200, body = [Station])))]
pub async fn api_stations(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
) -> ApiResult<Json<Vec<Station>>> {
    let stations = ops::stations(&state, &principal.actor(&info)).await?;
    Ok(Json(stations.into_iter().map(|s| s.record).collect()))
}

#[utoipa::path(post, path = "/api/v1/counselling/stations", tag = "assessment", request_body = StationInput,
    responses((status = 201, body = RecordedDto), (status = 403, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_add_station(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<StationInput>,
) -> ApiResult<(StatusCode, Json<RecordedDto>)> {
    let id = ops::add_station(&state, &principal.actor(&info), &body).await?;
    Ok((StatusCode::CREATED, Json(RecordedDto { id })))
}

#[utoipa::path(get, path = "/api/v1/counselling/plan", tag = "assessment", params(YearQuery),
    responses((status = 200, body = [PlanItem]), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_plan(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<YearQuery>,
) -> ApiResult<Json<Vec<PlanItem>>> {
    let year = year_of(&state, &query.year)?;
    let plan = ops::plan(&state, &principal.actor(&info), year).await?;
    Ok(Json(plan.into_iter().map(|p| p.record).collect()))
}

#[utoipa::path(post, path = "/api/v1/counselling/plan", tag = "assessment", request_body = PlanItemInput,
    responses((status = 201, body = RecordedDto), (status = 403, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_add_plan_item(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<PlanItemInput>,
) -> ApiResult<(StatusCode, Json<RecordedDto>)> {
    let id = ops::add_plan_item(&state, &principal.actor(&info), &body).await?;
    Ok((StatusCode::CREATED, Json(RecordedDto { id })))
}

// ---- Pages ----

#[derive(Template)]
#[template(path = "counselling.html")]
struct CountsPage {
    chrome: Chrome,
    year: i32,
    counts: Vec<CounsellingMonth>,
    units: Vec<Unit>,
    stations: Vec<Recorded<Station>>,
    plan: Vec<Recorded<PlanItem>>,
    squads: Vec<Unit>,
    people: Vec<PersonSummary>,
    can_record: bool,
    can_plan: bool,
    today: String,
    session: SessionInput,
    station: StationInput,
    item: PlanItemInput,
    errors: FieldErrors,
}

impl CountsPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
    fn unit_name(&self, id: &str) -> String {
        self.units.iter().find(|u| u.id == id).map(|u| u.name.clone()).unwrap_or_default()
    }
    /// The squads with sessions this year, and each one's twelve months (sessions, attendances).
    fn table(&self) -> Vec<(String, Vec<(u32, u32)>)> {
        let mut squads: Vec<&str> = self.counts.iter().map(|c| c.unit_id.as_str()).collect();
        squads.dedup();
        squads
            .into_iter()
            .map(|unit| {
                let months = (1..=12u32)
                    .map(|m| {
                        self.counts
                            .iter()
                            .find(|c| c.unit_id == unit && c.month == m)
                            .map_or((0, 0), |c| (c.individual + c.group, c.attendances))
                    })
                    .collect();
                (self.unit_name(unit), months)
            })
            .collect()
    }
    fn chosen(&self, person: &str) -> bool {
        self.session.participants.iter().any(|p| p == person)
    }
}

#[allow(clippy::too_many_arguments)] // the page's parts, each needed to redraw it after a form
async fn counts_with(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    headers: &HeaderMap,
    year: i32,
    forms: (SessionInput, StationInput, PlanItemInput),
    errors: FieldErrors,
) -> PageResult {
    let actor = principal.actor(info);
    let can_record = principal.has(Action::CounsellingRecord);
    let (counts, stations, plan) = if principal.has(Action::CounsellingCounts) {
        (
            ops::counts(state, &actor, year).await?,
            ops::stations(state, &actor).await?,
            ops::plan(state, &actor, year).await?,
        )
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    let squads =
        if can_record { squads_for(state, principal, Action::CounsellingRecord).await? } else { Vec::new() };
    let people = if can_record {
        let visibility = principal.visibility(Action::CounsellingRecord);
        let filter = PeopleFilter { page: 1, page_size: 2000, ..PeopleFilter::default() };
        state.db.people(&visibility, &filter, civil_date(state.now())).await?.rows
    } else {
        Vec::new()
    };
    let chrome = Chrome::new(state, principal, headers, "counselling", "心灵管理辅导", "Counselling").await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let (session, station, item) = forms;
    let page = CountsPage {
        chrome,
        year,
        counts,
        units: state.db.units().await?,
        stations,
        plan,
        squads,
        people,
        can_plan: can_record
            && principal.visibility(Action::CounsellingRecord) == crate::store::org::Visibility::All,
        can_record,
        today: civil_date(state.now()).to_string(),
        session,
        station,
        item,
        errors,
    };
    render_status(&page, status)
}

pub async fn counts_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Query(query): Query<YearQuery>,
) -> PageResult {
    let year = year_of(&state, &query.year)?;
    counts_with(&state, &principal, &info, &headers, year, Default::default(), FieldErrors::default()).await
}

fn this_year(state: &AppState) -> i32 {
    chrono::Datelike::year(&civil_date(state.now()))
}

/// The session form: repeated `participants` fields, read as pairs.
pub async fn session_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let value = |key: &str| pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap_or_default();
    let input = SessionInput {
        kind: value("kind"),
        held_on: value("held_on"),
        unit_id: value("unit_id"),
        place: value("place"),
        topic: value("topic"),
        participants: pairs.iter().filter(|(k, _)| k == "participants").map(|(_, v)| v.clone()).collect(),
        notes: value("notes"),
    };
    match ops::record(&state, &principal.actor(&info), &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/counselling/sessions/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let forms = (input, StationInput::default(), PlanItemInput::default());
            counts_with(&state, &principal, &info, &headers, this_year(&state), forms, errors).await
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn station_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(input): Form<StationInput>,
) -> PageResult {
    match ops::add_station(&state, &principal.actor(&info), &input).await {
        Ok(_) => Ok(Redirect::to("/counselling#stations").into_response()),
        Err(AppError::Invalid(errors)) => {
            let forms = (SessionInput::default(), input, PlanItemInput::default());
            counts_with(&state, &principal, &info, &headers, this_year(&state), forms, errors).await
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn plan_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(input): Form<PlanItemInput>,
) -> PageResult {
    match ops::add_plan_item(&state, &principal.actor(&info), &input).await {
        Ok(_) => Ok(Redirect::to("/counselling#plan").into_response()),
        Err(AppError::Invalid(errors)) => {
            let forms = (SessionInput::default(), StationInput::default(), input);
            counts_with(&state, &principal, &info, &headers, this_year(&state), forms, errors).await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Template)]
#[template(path = "counselling_mine.html")]
struct MinePage {
    chrome: Chrome,
    sessions: Vec<SessionHead>,
    account_id: String,
}

pub async fn mine_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
) -> PageResult {
    let actor = principal.actor(&info);
    let sessions = ops::mine(&state, &actor).await?;
    let chrome =
        Chrome::new(&state, &principal, &headers, "counselling_mine", "我的辅导记录", "My counselling")
            .await?;
    render_status(&MinePage { chrome, sessions, account_id: actor.account_id.clone() }, StatusCode::OK)
}

#[derive(Template)]
#[template(path = "counselling_session.html")]
struct SessionPage {
    chrome: Chrome,
    view: SessionView,
}

pub async fn session_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    let view = ops::session(&state, &principal.actor(&info), &id).await?;
    let chrome =
        Chrome::new(&state, &principal, &headers, "counselling_mine", "辅导记录", "Counselling session")
            .await?;
    render_status(&SessionPage { chrome, view }, StatusCode::OK)
}

fn workbook(
    year: i32,
    counts: &[CounsellingMonth],
    units: &[Unit],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold().set_background_color("#E8EEF7");
    let sheet = workbook.add_worksheet();
    sheet.set_name("辅导次数")?;
    for (c, h) in ["中队", "月份", "个别辅导", "团体辅导", "参加人次"].iter().enumerate() {
        sheet.write_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, count) in counts.iter().enumerate() {
        let row = (r + 1) as u32;
        let name = units.iter().find(|u| u.id == count.unit_id).map_or("", |u| u.name.as_str());
        sheet.write(row, 0, name)?;
        sheet.write(row, 1, format!("{year}-{:02}", count.month))?;
        sheet.write(row, 2, f64::from(count.individual))?;
        sheet.write(row, 3, f64::from(count.group))?;
        sheet.write(row, 4, f64::from(count.attendances))?;
    }
    workbook.save_to_buffer()
}

/// `导出Excel`: the counts only — no names, no notes — audited.
pub async fn export(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Query(query): Query<YearQuery>,
) -> PageResult {
    let year = year_of(&state, &query.year)?;
    let actor = principal.actor(&info);
    let counts = ops::counts(&state, &actor, year).await?;
    let units = state.db.units().await?;
    let bytes = workbook(year, &counts, &units)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("the workbook: {e}")))?;
    state
        .db
        .audit_only(
            &actor.audit_ctx(),
            state.now(),
            AuditEvent::new("counselling.export", "counselling", year.to_string())
                .details(serde_json::json!({ "rows": counts.len() })),
        )
        .await?;
    Ok(crate::web::common::xlsx_response(
        bytes,
        &format!("counselling_{year}.xlsx"),
        &format!("心灵管理辅导_{year}.xlsx"),
    ))
}
