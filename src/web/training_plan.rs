//! The yearly training plan (年度培训计划, issue 15 scope 1): a unit's planned sessions by kind
//! and month beside the sessions it held, the office or squad leader adding lines, filling the
//! year with the plan's own sessions, and withdrawing a line. The operations are
//! `ops::training`.

use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::time::civil_date;
use crate::domain::training::{Month, PlanCell, PlanInput, PlanState, SessionKind};
use crate::ops::people::unit_visible;
use crate::ops::training::{self as ops, PlanView};
use crate::web::body::JsonObject;
use crate::web::error::{ApiResult, AppError, PageResult};
use crate::web::guard::{Caller, Principal};
use crate::web::pages::{Chrome, Lang, render_status};

/// `?unit=ID&year=YYYY`: empty unit, the caller's own; empty year, this year.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct PlanQuery {
    /// A unit id; empty: the caller's own unit.
    pub unit: String,
    /// `YYYY`; empty: this year.
    #[param(pattern = r"^(20[0-9]{2})?$")]
    pub year: String,
}

/// The unit and year asked for, if the caller may see that unit's training.
async fn resolve(
    state: &AppState,
    principal: &Principal,
    query: &PlanQuery,
) -> Result<(String, String, i32), AppError> {
    let year = crate::web::common::year_of(state, &query.year)?;
    let unit_id = Some(query.unit.trim().to_owned())
        .filter(|u| !u.is_empty())
        .or_else(|| principal.unit_id.clone())
        .ok_or(AppError::NotFound)?;
    let units = state.db.units().await?;
    let unit = units.iter().find(|u| u.id == unit_id).ok_or(AppError::NotFound)?;
    if !unit_visible(&units, &principal.visibility(Action::TrainingView), &unit.id) {
        return Err(AppError::NotFound);
    }
    Ok((unit.id.clone(), unit.name.clone(), year))
}

#[derive(Template)]
#[template(path = "training_plan.html")]
struct PlanPage {
    chrome: Chrome,
    unit_id: String,
    unit_name: String,
    view: PlanView,
    /// The units whose plan the caller may see, for the unit switcher.
    units: Vec<(String, String)>,
    manage: bool,
    today: chrono::NaiveDate,
    kinds: [SessionKind; 11],
    input: PlanInput,
    errors: FieldErrors,
}

impl PlanPage {
    fn cell_class(&self, month: usize, cell: &PlanCell) -> &'static str {
        let month = Month { year: self.view.year, month: month as u32 + 1 };
        match cell.state(month, self.today) {
            PlanState::Empty => "",
            PlanState::Done => "tag tag-success",
            PlanState::Behind => "tag tag-danger",
            PlanState::Open => "tag tag-warning",
            PlanState::Unplanned => "tag tag-info",
        }
    }
}

async fn plan_page(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    query: &PlanQuery,
    input: PlanInput,
    errors: FieldErrors,
) -> PageResult {
    let (unit_id, unit_name, year) = resolve(state, principal, query).await?;
    let all = state.db.units().await?;
    let view_scope = principal.visibility(Action::TrainingView);
    let units = all
        .iter()
        .filter(|u| unit_visible(&all, &view_scope, &u.id))
        .map(|u| (u.id.clone(), u.name.clone()))
        .collect();
    let manage = unit_visible(&all, &principal.visibility(Action::TrainingManage), &unit_id);
    let view = ops::plan_view(&state.db, &unit_id, year).await?;
    let chrome = Chrome::new(state, principal, headers, "training", "年度培训计划", "Yearly plan").await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    render_status(
        &PlanPage {
            chrome,
            unit_id,
            unit_name,
            view,
            units,
            manage,
            today: civil_date(state.now()),
            kinds: SessionKind::ALL,
            input,
            errors,
        },
        status,
    )
}

pub async fn page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
    Query(query): Query<PlanQuery>,
) -> PageResult {
    let input = PlanInput { sessions: "1".into(), ..Default::default() };
    plan_page(&state, &principal, &headers, &query, input, FieldErrors::default()).await
}

fn back(unit: &str, year: &str) -> axum::response::Response {
    Redirect::to(&format!("/training/plan?unit={unit}&year={year}")).into_response()
}

/// Adds a line from the plan page's form.
pub async fn add_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(input): Form<PlanInput>,
) -> PageResult {
    match ops::add_plan_item(&state, &principal.actor(&info), &input).await {
        Ok(_) => Ok(back(&input.unit_id, &input.year)),
        Err(AppError::Invalid(errors)) => {
            let query = PlanQuery { unit: input.unit_id.clone(), year: input.year.clone() };
            plan_page(&state, &principal, &headers, &query, input, errors).await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct FillForm {
    unit_id: String,
    year: String,
}

/// Fills the year with the plan's own sessions.
pub async fn fill_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Form(form): Form<FillForm>,
) -> PageResult {
    let year = form.year.trim().parse::<i32>().unwrap_or(0);
    ops::fill_plan(&state, &principal.actor(&info), &form.unit_id, year).await?;
    Ok(back(&form.unit_id, &form.year))
}

/// Withdraws a line.
pub async fn withdraw_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> PageResult {
    let item = state.db.training_plan_item(&id).await?.ok_or(AppError::NotFound)?;
    ops::withdraw_plan_item(&state, &principal.actor(&info), &id).await?;
    Ok(back(&item.unit_id, &item.year.to_string()))
}

// --- API -------------------------------------------------------------------------------------

/// One month of a kind: planned and held sessions.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TrainingPlanCellDto {
    pub month: u32,
    pub planned: u32,
    pub held: u32,
    /// `empty`, `done`, `behind` (the month is over, fewer held than planned), `open` or
    /// `unplanned`.
    pub state: String,
}

/// A kind's year.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TrainingPlanRowDto {
    pub kind: SessionKind,
    pub months: Vec<TrainingPlanCellDto>,
}

/// A line of the plan.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TrainingPlanItemDto {
    pub id: String,
    pub month: u32,
    pub kind: SessionKind,
    pub sessions: u32,
    pub topic: String,
}

/// A unit's plan against actual for a year.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TrainingPlanDto {
    pub unit_id: String,
    pub year: i32,
    pub rows: Vec<TrainingPlanRowDto>,
    pub items: Vec<TrainingPlanItemDto>,
}

#[utoipa::path(get, path = "/api/v1/training/plan", tag = "training", params(PlanQuery),
    responses((status = 200, body = TrainingPlanDto),
        (status = 404, body = crate::web::error::ErrorBody, description = "no such unit, or one outside the caller's view")))]
pub async fn api_plan(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    Query(query): Query<PlanQuery>,
) -> ApiResult<Json<TrainingPlanDto>> {
    let (unit_id, _, year) = resolve(&state, &principal, &query).await?;
    let view = ops::plan_view(&state.db, &unit_id, year).await?;
    let today = civil_date(state.now());
    let state_code = |s: PlanState| match s {
        PlanState::Empty => "empty",
        PlanState::Done => "done",
        PlanState::Behind => "behind",
        PlanState::Open => "open",
        PlanState::Unplanned => "unplanned",
    };
    Ok(Json(TrainingPlanDto {
        unit_id,
        year,
        rows: view
            .rows
            .iter()
            .map(|(kind, cells)| TrainingPlanRowDto {
                kind: *kind,
                months: cells
                    .iter()
                    .enumerate()
                    .map(|(i, c)| TrainingPlanCellDto {
                        month: i as u32 + 1,
                        planned: c.planned,
                        held: c.held,
                        state: state_code(c.state(Month { year, month: i as u32 + 1 }, today)).to_owned(),
                    })
                    .collect(),
            })
            .collect(),
        items: view
            .items
            .into_iter()
            .map(|i| TrainingPlanItemDto {
                id: i.id,
                month: i.item.month,
                kind: i.item.kind,
                sessions: i.item.sessions,
                topic: i.item.topic,
            })
            .collect(),
    }))
}

/// A line to add to a unit's plan.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TrainingPlanItemBody {
    #[schema(min_length = 1)]
    pub unit_id: String,
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i32,
    #[schema(minimum = 1, maximum = 12)]
    pub month: u32,
    pub kind: SessionKind,
    #[schema(minimum = 1, maximum = 31)]
    pub sessions: u32,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub topic: String,
}

#[utoipa::path(post, path = "/api/v1/training/plan/items", tag = "training", request_body = TrainingPlanItemBody,
    responses((status = 201, body = crate::web::common::CreatedDto)))]
pub async fn api_add(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<TrainingPlanItemBody>,
) -> ApiResult<(StatusCode, Json<crate::web::common::CreatedDto>)> {
    let input = PlanInput {
        unit_id: body.unit_id,
        year: body.year.to_string(),
        month: body.month.to_string(),
        kind: body.kind.code().to_owned(),
        sessions: body.sessions.to_string(),
        topic: body.topic,
    };
    let id = ops::add_plan_item(&state, &principal.actor(&info), &input).await?;
    Ok((StatusCode::CREATED, Json(crate::web::common::CreatedDto { id })))
}

#[utoipa::path(post, path = "/api/v1/training/plan/items/{id}/withdraw", tag = "training",
    params(("id" = String, Path)), responses((status = 204)))]
pub async fn api_withdraw(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    ops::withdraw_plan_item(&state, &principal.actor(&info), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
