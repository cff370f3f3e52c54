//! The JSON API of cases: list, open, read, step, deadlines, the responsibility list and the
//! province's case rules.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::domain::case::Command;
use crate::domain::case::clocks::{ClockStatus, clocks};
use crate::domain::time::civil_date;
use crate::ops::cases::{OpenInput, open_case, take_step};
use crate::store::cases::{CaseRecord, Item};
use crate::store::org::Visibility;
use crate::web::body::JsonObject;
use crate::web::common::CaseRulesDto;
use crate::web::error::{ApiResult, AppError};
use crate::web::guard::Caller;

use super::deadlines::due_rows;
use super::{DEADLINE_HORIZON_DAYS, DeadlineQuery, ListQuery, visibility};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseSummaryDto {
    pub id: String,
    pub number: String,
    pub title: String,
    pub procedure: String,
    pub stage: String,
    pub category: String,
    pub item_code: Option<String>,
    pub party_id: String,
    pub party_name: String,
    pub unit_id: String,
    pub unit_name: String,
    pub handler_name: Option<String>,
    pub major: bool,
    /// The nearest open duty clock's end (YYYY-MM-DD).
    pub next_due: Option<String>,
    pub version: i64,
}

impl From<&CaseRecord> for CaseSummaryDto {
    fn from(r: &CaseRecord) -> Self {
        CaseSummaryDto {
            id: r.id.clone(),
            number: r.number.clone(),
            title: r.title.clone(),
            procedure: r.case.procedure.code().to_owned(),
            stage: r.case.stage.code().to_owned(),
            category: r.category.clone(),
            item_code: r.item_code.clone(),
            party_id: r.party_id.clone(),
            party_name: r.party_name.clone(),
            unit_id: r.unit_id.clone(),
            unit_name: r.unit_name.clone(),
            handler_name: r.handler_name.clone(),
            major: r.major,
            next_due: r.next_due.map(|d| d.to_string()),
            version: r.version,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CasesPageDto {
    /// Matching cases, counted up to 1,000.
    pub total: i64,
    /// More than `total` match (narrow the filter to count them).
    pub total_capped: bool,
    pub items: Vec<CaseSummaryDto>,
}

#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(ListQuery), responses((status = 200, body = CasesPageDto)))]
pub async fn api_list(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    Query(query): Query<ListQuery>,
) -> ApiResult<Json<CasesPageDto>> {
    let filter = query.filter(&principal, civil_date(state.now()));
    let (records, total) = state.db.cases(&visibility(&principal), &filter).await?;
    Ok(Json(CasesPageDto {
        total: total.min(crate::store::cases::COUNT_CAP),
        total_capped: total > crate::store::cases::COUNT_CAP,
        items: records.iter().map(CaseSummaryDto::from).collect(),
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OpenedDto {
    pub id: String,
    pub number: String,
    /// The on-the-spot decision's number, for the simple procedure.
    pub decision_number: Option<String>,
}

/// Opens a case: a lead (`procedure` = `general`) or an on-the-spot decision (`simple`).
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = OpenInput,
    responses((status = 201, body = OpenedDto), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_create(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(input): JsonObject<OpenInput>,
) -> ApiResult<(StatusCode, Json<OpenedDto>)> {
    let opened = open_case(&state, &principal.actor(&info), &input).await?;
    let record = state.db.case(&Visibility::All, &opened.id).await?.ok_or(AppError::NotFound)?;
    Ok((
        StatusCode::CREATED,
        Json(OpenedDto {
            id: opened.id,
            number: opened.number,
            decision_number: record.case.decision.map(|d| d.number),
        }),
    ))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClockDto {
    pub kind: String,
    pub name: String,
    pub basis: String,
    pub start: String,
    /// The end, or its earliest possible day when `provisional`.
    pub due: String,
    pub provisional: bool,
    /// Whether the bureau itself must act by `due`.
    pub duty: bool,
    pub met_on: Option<String>,
    /// `met`, `met_late`, `running`, `due_soon`, `overdue`.
    pub status: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TimelineDto {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub step: String,
    pub summary: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseDto {
    #[serde(flatten)]
    pub summary: CaseSummaryDto,
    /// The case engine's whole state (dates, officers, proposal, notice, hearing, decision,
    /// payments); amounts in fen.
    #[schema(value_type = Object)]
    pub state: serde_json::Value,
    /// 案件来源: `patrol`, `complaint`, `digital_city`, `hotline`, `referral` or `superior`.
    pub source: String,
    pub location: String,
    /// The matter (事项) the case was opened from, if it was.
    pub matter_id: Option<String>,
    pub major_reasons: Vec<String>,
    pub hearing_eligible: bool,
    /// What the party owes today, in fen (fine + 加处罚款 − paid).
    pub amount_due_fen: i64,
    pub clocks: Vec<ClockDto>,
    pub timeline: Vec<TimelineDto>,
}

#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = String, Path)),
    responses((status = 200, body = CaseDto), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_get(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<CaseDto>> {
    let r = state.db.case(&visibility(&principal), &id).await?.ok_or(AppError::NotFound)?;
    let today = civil_date(state.now());
    let calendar = state.db.work_calendar().await?;
    let (rules, _) = state.db.case_rules().await?;
    let clock_list = clocks(&r.case, &calendar, &rules)
        .iter()
        .map(|c| ClockDto {
            kind: c.kind.code().to_owned(),
            name: c.kind.name_zh().to_owned(),
            basis: c.kind.basis().to_owned(),
            start: c.start.to_string(),
            due: c.due.date().to_string(),
            provisional: c.due.is_provisional(),
            duty: c.kind.is_duty(),
            met_on: c.met_on.map(|d| d.to_string()),
            status: ClockStatus::code(c.status(today)).to_owned(),
        })
        .collect();
    let timeline = state
        .db
        .case_timeline(&id)
        .await?
        .into_iter()
        .map(|t| TimelineDto {
            seq: t.seq,
            at: t.at.to_rfc3339(),
            actor: t.actor,
            step: t.code,
            summary: t.summary,
        })
        .collect();
    Ok(Json(CaseDto {
        summary: CaseSummaryDto::from(&r),
        state: serde_json::to_value(&r.case).unwrap_or_default(),
        source: r.source.clone(),
        location: r.location.clone(),
        matter_id: state.db.matter_of_case(&id).await?.map(|(matter, _)| matter),
        major_reasons: r.case.major_reasons(&rules).iter().map(|m| m.code().to_owned()).collect(),
        hearing_eligible: r.case.hearing_eligible(&rules),
        amount_due_fen: r.case.amount_due(&calendar, today).unwrap_or(0),
        clocks: clock_list,
        timeline,
    }))
}

/// One step: `version` (the case's current version) and `action` with the step's fields, for
/// example `{"version": 2, "action": "file", "on": "2026-03-02", "officers": ["…", "…"]}`.
#[derive(Debug, Deserialize)]
pub struct StepBody {
    pub version: i64,
    /// The step: `action` and its fields; amounts in fen, dates YYYY-MM-DD.
    #[serde(flatten)]
    pub step: serde_json::Value,
}

/// The document describes a step as an object with a `version`, an `action` from
/// `CommandKind::ALL` and that step's own fields (those of its `domain::case::Command` variant); the
/// engine decides whether the fields fit the action and the case.
impl utoipa::PartialSchema for StepBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::Object)
            .property(
                "version",
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                        utoipa::openapi::KnownFormat::Int64,
                    )))
                    .description(Some("The case's version as last read; a stale one answers 409.")),
            )
            .property(
                "action",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(crate::domain::case::CommandKind::ALL.iter().map(|k| k.code())))
                    .description(Some("The step; its other fields follow it in the same object.")),
            )
            .required("version")
            .required("action")
            .additional_properties(Some(AdditionalProperties::FreeForm(true)))
            .into()
    }
}

impl utoipa::ToSchema for StepBody {
    fn name() -> std::borrow::Cow<'static, str> {
        "StepBody".into()
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StepDoneDto {
    pub version: i64,
}

#[utoipa::path(post, path = "/api/v1/cases/{id}/steps", tag = "cases", params(("id" = String, Path)), request_body = StepBody,
    responses((status = 200, body = StepDoneDto), (status = 409, body = crate::web::error::ErrorBody),
              (status = 422, body = crate::web::error::ErrorBody, description = "a field error (required, invalid_value, action_unknown), or refused by a rule: the code is one of RefusalCode")))]
pub async fn api_step(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<StepBody>,
) -> ApiResult<Json<StepDoneDto>> {
    let command = Command::from_json(body.step).map_err(AppError::Invalid)?;
    let version = take_step(&state, &principal.actor(&info), &id, body.version, command).await?;
    Ok(Json(StepDoneDto { version }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DueDto {
    pub case_id: String,
    pub number: String,
    pub title: String,
    pub unit_name: String,
    pub handler_name: Option<String>,
    pub clock: String,
    pub due: String,
    pub provisional: bool,
    /// `due_soon`, `running` or `overdue`.
    pub status: String,
}

#[utoipa::path(get, path = "/api/v1/case-deadlines", tag = "cases", params(DeadlineQuery), responses((status = 200, body = Vec<DueDto>)))]
pub async fn api_deadlines(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    Query(query): Query<DeadlineQuery>,
) -> ApiResult<Json<Vec<DueDto>>> {
    let days = query.days.parse().unwrap_or(DEADLINE_HORIZON_DAYS);
    let rows = due_rows(&state, &principal, days).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(c, _, status)| DueDto {
                case_id: c.case_id,
                number: c.number,
                title: c.title,
                unit_name: c.unit_name,
                handler_name: c.handler_name,
                clock: c.kind,
                due: c.due_on.to_string(),
                provisional: c.provisional,
                status: ClockStatus::code(status).to_owned(),
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/responsibility-items", tag = "cases", responses((status = 200, body = Vec<Item>)))]
pub async fn api_items(State(state): State<AppState>) -> ApiResult<Json<Vec<Item>>> {
    Ok(Json(state.db.enforcement_items().await?))
}

#[utoipa::path(get, path = "/api/v1/case-rules", tag = "cases", responses((status = 200, body = CaseRulesDto)))]
pub async fn api_rules(State(state): State<AppState>) -> ApiResult<Json<CaseRulesDto>> {
    let (rules, version) = state.db.case_rules().await?;
    Ok(Json(CaseRulesDto { version, rules: serde_json::to_value(rules).unwrap_or_default() }))
}
