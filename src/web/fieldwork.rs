//! Patrols and operations, the body-camera register, and the full-process recording report
//! (acts without their recording, late uploads, the recording rate per squad and month).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use chrono::{Datelike, NaiveDate, TimeZone};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::fieldwork::{
    DEVICE_KINDS, MAX_UPLOAD_DELAY, PatrolInput, PatrolKind, recording_rate, uploaded_late,
};
use crate::domain::time::{beijing, civil_date};
use crate::ops::fieldwork::{self as ops, DeviceInput};
use crate::store::fieldwork::{Device, Patrol, RecordableAct, RecordingRule, TimedRecording};
use crate::store::org::{PeopleFilter, Visibility};
use crate::web::body::JsonObject;
use crate::web::common::CreatedDto;
use crate::web::error::{ApiResult, AppError, PageResult};
use crate::web::guard::{Caller, Principal};
use crate::web::pages::{Chrome, Lang, render, render_status};

#[utoipa::path(post, path = "/api/v1/patrols", tag = "field work", request_body = PatrolInput,
    responses((status = 201, body = CreatedDto), (status = 422, body = crate::web::error::ErrorBody, description = "`two_officers_required`, missing partner of a joint operation, bad times")))]
pub async fn api_create_patrol(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(input): JsonObject<PatrolInput>,
) -> ApiResult<(StatusCode, Json<CreatedDto>)> {
    let id = ops::record_patrol(&state, &principal.actor(&info), &input).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

#[utoipa::path(get, path = "/api/v1/patrols", tag = "field work", responses((status = 200, body = Vec<Patrol>)))]
pub async fn api_patrols(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
) -> ApiResult<Json<Vec<Patrol>>> {
    Ok(Json(state.db.patrols(&principal.visibility(Action::EvidenceView), None, 200).await?))
}

#[utoipa::path(get, path = "/api/v1/patrols/{id}", tag = "field work", params(("id" = String, Path)),
    responses((status = 200, body = Patrol), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_patrol(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Patrol>> {
    let patrol = state.db.patrols(&principal.visibility(Action::EvidenceView), Some(&id), 1).await?;
    Ok(Json(patrol.into_iter().next().ok_or(AppError::NotFound)?))
}

#[utoipa::path(post, path = "/api/v1/devices", tag = "field work", request_body = DeviceInput,
    responses((status = 201, body = CreatedDto), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_create_device(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(input): JsonObject<DeviceInput>,
) -> ApiResult<(StatusCode, Json<CreatedDto>)> {
    let id = ops::register_device(&state, &principal.actor(&info), &input).await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })))
}

#[utoipa::path(get, path = "/api/v1/devices", tag = "field work", responses((status = 200, body = Vec<Device>)))]
pub async fn api_devices(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
) -> ApiResult<Json<Vec<Device>>> {
    Ok(Json(state.db.devices(&principal.visibility(Action::EvidenceView)).await?))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct MonthQuery {
    /// `YYYY-MM`; empty: this month.
    #[param(pattern = r"^([0-9]{4}-(0[1-9]|1[0-2]))?$")]
    pub month: String,
}

/// One squad's line of the recording report.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SquadRecording {
    pub unit_id: String,
    pub unit_name: String,
    /// Acts that had to be filmed.
    pub acts: usize,
    pub recorded: usize,
    /// Per cent.
    pub rate: f64,
    /// Recordings that reached the system more than 24 hours after they ended.
    pub late: usize,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ComplianceDto {
    pub month: String,
    pub squads: Vec<SquadRecording>,
    /// Acts with no recording attached.
    pub missing: Vec<RecordableAct>,
    pub late: Vec<TimedRecording>,
    pub max_upload_delay_hours: i64,
}

async fn compliance(state: &AppState, principal: &Principal, month: &str) -> Result<ComplianceDto, AppError> {
    let today = civil_date(state.now());
    let first = if month.trim().is_empty() {
        today.with_day(1).expect("day 1 exists")
    } else {
        NaiveDate::parse_from_str(&format!("{}-01", month.trim()), "%Y-%m-%d")
            .map_err(|_| FieldErrors::single("month", "bad_month", "月份格式应为 2026-11"))?
    };
    let next = first.checked_add_months(chrono::Months::new(1)).expect("a month later exists");
    let start = |day: NaiveDate| {
        beijing()
            .from_local_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight"))
            .single()
            .expect("fixed offset")
            .to_utc()
    };
    let visibility = principal.visibility(Action::EvidenceView);
    let acts = state.db.recordable_acts(&visibility, start(first), start(next)).await?;
    let late: Vec<TimedRecording> = state
        .db
        .timed_recordings(&visibility, start(first), start(next))
        .await?
        .into_iter()
        .filter(|r| uploaded_late(r.ended_at, r.received_at))
        .collect();
    let mut squads: BTreeMap<String, SquadRecording> = BTreeMap::new();
    for act in &acts {
        let line = squads.entry(act.unit_name.clone()).or_insert_with(|| SquadRecording {
            unit_id: act.unit_id.clone(),
            unit_name: act.unit_name.clone(),
            acts: 0,
            recorded: 0,
            rate: 0.0,
            late: 0,
        });
        line.acts += 1;
        line.recorded += usize::from(act.recorded);
    }
    for recording in &late {
        squads
            .entry(recording.unit_name.clone())
            .or_insert_with(|| SquadRecording {
                unit_id: recording.unit_id.clone(),
                unit_name: recording.unit_name.clone(),
                acts: 0,
                recorded: 0,
                rate: 0.0,
                late: 0,
            })
            .late += 1;
    }
    let squads = squads
        .into_values()
        .map(|mut line| {
            line.rate = recording_rate(line.acts, line.recorded);
            line
        })
        .collect();
    Ok(ComplianceDto {
        month: first.format("%Y-%m").to_string(),
        squads,
        missing: acts.into_iter().filter(|a| !a.recorded).collect(),
        late,
        max_upload_delay_hours: MAX_UPLOAD_DELAY.num_hours(),
    })
}

#[utoipa::path(get, path = "/api/v1/recording-compliance", tag = "field work", params(MonthQuery),
    responses((status = 200, body = ComplianceDto)))]
pub async fn api_compliance(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    Query(query): Query<MonthQuery>,
) -> ApiResult<Json<ComplianceDto>> {
    Ok(Json(compliance(&state, &principal, &query.month).await?))
}

#[utoipa::path(get, path = "/api/v1/recording-rules", tag = "field work", responses((status = 200, body = Vec<RecordingRule>)))]
pub async fn api_rules(State(state): State<AppState>) -> ApiResult<Json<Vec<RecordingRule>>> {
    Ok(Json(state.db.recording_rules().await?))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RuleBody {
    pub enabled: bool,
}

#[utoipa::path(put, path = "/api/v1/recording-rules/{code}", tag = "field work", params(("code" = String, Path)), request_body = RuleBody,
    responses((status = 204), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_set_rule(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(code): Path<String>,
    JsonObject(body): JsonObject<RuleBody>,
) -> ApiResult<StatusCode> {
    ops::set_recording_rule(&state, &principal.actor(&info), &code, body.enabled).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RuleForm {
    pub enabled: String,
}

pub async fn rule_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(code): Path<String>,
    Form(form): Form<RuleForm>,
) -> PageResult {
    ops::set_recording_rule(&state, &principal.actor(&info), &code, form.enabled == "1").await?;
    Ok(Redirect::to("/evidence/recording").into_response())
}

// ---- pages ----

#[derive(askama::Template)]
#[template(path = "patrols.html")]
pub struct PatrolsPage {
    pub chrome: Chrome,
    pub patrols: Vec<Patrol>,
    pub kinds: Vec<(&'static str, &'static str)>,
    /// People of the caller's unit who may take part: (id, name, is auxiliary).
    pub people: Vec<(String, String, bool)>,
    pub can_record: bool,
    pub errors: FieldErrors,
}

async fn patrols_page_with(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    errors: FieldErrors,
) -> PageResult {
    let chrome =
        Chrome::new(state, principal, headers, "patrols", "巡查与专项行动", "Patrols and operations").await?;
    let patrols = state.db.patrols(&principal.visibility(Action::EvidenceView), None, 100).await?;
    let mut people = Vec::new();
    if let Some(unit_id) = &principal.unit_id {
        let filter = PeopleFilter { unit_id: unit_id.clone(), page: 1, page_size: 200, ..Default::default() };
        for person in state.db.people(&Visibility::All, &filter, civil_date(state.now())).await?.rows {
            let auxiliary = person.employment == crate::domain::org::Employment::Auxiliary;
            people.push((person.id, person.name, auxiliary));
        }
    }
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    render_status(
        &PatrolsPage {
            chrome,
            patrols,
            kinds: PatrolKind::ALL.iter().map(|k| (k.code(), k.name_zh())).collect(),
            people,
            can_record: principal.has(Action::FieldWork),
            errors,
        },
        status,
    )
}

pub async fn patrols_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
) -> PageResult {
    patrols_page_with(&state, &principal, &headers, FieldErrors::default()).await
}

/// The form sends members as repeated `members` fields.
pub async fn patrol_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let get = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let input = PatrolInput {
        kind: get("kind"),
        title: get("title"),
        area: get("area"),
        started_at: get("started_at"),
        ended_at: get("ended_at"),
        members: pairs.iter().filter(|(k, _)| k == "members").map(|(_, v)| v.clone()).collect(),
        partner_unit: get("partner_unit"),
        partner_officers: get("partner_officers"),
        findings: get("findings"),
    };
    match ops::record_patrol(&state, &principal.actor(&info), &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/patrols/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => patrols_page_with(&state, &principal, &headers, errors).await,
        Err(error) => Err(error.into()),
    }
}

#[derive(askama::Template)]
#[template(path = "patrol_detail.html")]
pub struct PatrolPage {
    pub chrome: Chrome,
    pub patrol: Patrol,
    pub items: Vec<crate::store::evidence::EvidenceItem>,
}

pub async fn patrol_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    let visibility = principal.visibility(Action::EvidenceView);
    let patrol =
        state.db.patrols(&visibility, Some(&id), 1).await?.into_iter().next().ok_or(AppError::NotFound)?;
    let chrome = Chrome::new(&state, &principal, &headers, "patrols", "巡查记录", "Patrol").await?;
    let filter = crate::store::evidence::EvidenceFilter { patrol_id: id.clone(), ..Default::default() };
    let items = state.db.evidence_items(&visibility, &filter, 200, 0).await?;
    render(&PatrolPage { chrome, patrol, items })
}

#[derive(askama::Template)]
#[template(path = "devices.html")]
pub struct DevicesPage {
    pub chrome: Chrome,
    pub devices: Vec<Device>,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub can_register: bool,
}

impl DevicesPage {
    pub fn kind_name(&self, code: &str) -> &'static str {
        DEVICE_KINDS.iter().find(|(c, _)| *c == code).map_or("", |(_, name)| name)
    }
}

pub async fn devices_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
) -> PageResult {
    let chrome =
        Chrome::new(&state, &principal, &headers, "devices", "执法记录仪登记", "Recording devices").await?;
    render(&DevicesPage {
        chrome,
        devices: state.db.devices(&principal.visibility(Action::EvidenceView)).await?,
        kinds: DEVICE_KINDS.to_vec(),
        can_register: principal.has(Action::DeviceAdmin),
    })
}

pub async fn device_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Form(input): Form<DeviceInput>,
) -> PageResult {
    ops::register_device(&state, &principal.actor(&info), &input).await?;
    Ok(Redirect::to("/devices").into_response())
}

#[derive(askama::Template)]
#[template(path = "recording_compliance.html")]
pub struct CompliancePage {
    pub chrome: Chrome,
    pub report: ComplianceDto,
    pub rules: Vec<RecordingRule>,
    pub can_edit_rules: bool,
}

impl CompliancePage {
    pub fn act_href(&self, act: &RecordableAct) -> String {
        if act.rule == "patrol" {
            format!("/patrols/{}", act.ref_id)
        } else {
            format!("/cases/{}", act.ref_id)
        }
    }
}

pub async fn compliance_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
    Query(query): Query<MonthQuery>,
) -> PageResult {
    let chrome =
        Chrome::new(&state, &principal, &headers, "recording", "全过程记录检查", "Recording compliance")
            .await?;
    render(&CompliancePage {
        chrome,
        report: compliance(&state, &principal, &query.month).await?,
        rules: state.db.recording_rules().await?,
        can_edit_rules: principal.has(Action::RecordingRulesEdit),
    })
}
