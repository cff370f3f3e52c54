//! 督察: keep the supervisors' register and the year's targets, record meetings (with their
//! files) and opinions, assign an opinion to a unit, answer it, accept or return the answer,
//! and a supervisor's own view. Every entry point — pages, API, demo — goes through here.
//!
//! A supervisor (`Role::Supervisor`, an account with no person behind it) is linked to their
//! row in the register. Everything they reach goes through [`mine`] and [`raise`], which name
//! units only and show an answer only once the office accepted it; the answer itself was
//! checked for ID, phone and account numbers when it was given.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use crate::app::AppState;
use crate::domain::access::{Action, Role};
use crate::domain::fields::FieldErrors;
use crate::domain::org::mask_phone;
use crate::domain::supervision::{
    AnswerInput, AssignInput, DEFAULT_ANSWER_WORKING_DAYS, OpinionInput, OpinionKind, OpinionState, Progress,
    ReviewInput, Standing, Step, StepKind, SupervisorInput, SupervisorKind, SupervisorMeetingInput,
    TargetInput, progress, standing, targets,
};
use crate::domain::time::civil_date;
use crate::ops::people::unit_visible;
use crate::ops::{Actor, Error};
use crate::store::attachments::Attachment;
use crate::store::org::Visibility;
use crate::store::supervision::{OpinionRecord, SupervisorMeeting, SupervisorRecord};
use crate::store::{AuditEvent, Db, new_id};

/// What owns a meeting's files in `attachments`.
pub const MEETING_FILES: &str = "supervision_meeting";

/// A supervisor as the register shows them: the phone masked.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SupervisorView {
    pub id: String,
    /// `conduct`, `social`, `netizen`, `npc_deputy` or `cppcc_member`.
    #[schema(value_type = String)]
    pub kind: SupervisorKind,
    pub name: String,
    pub affiliation: String,
    /// `138****5678`; empty when none is on file.
    pub phone_masked: String,
    pub term_from: NaiveDate,
    pub term_to: NaiveDate,
    /// Serving today.
    pub in_term: bool,
    /// The username of the 监督员 login linked to them, if any.
    pub account: Option<String>,
    pub version: i64,
}

/// An opinion with where it stands.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OpinionView {
    pub id: String,
    pub supervisor_id: String,
    pub supervisor_name: String,
    #[schema(value_type = String)]
    pub supervisor_kind: SupervisorKind,
    pub meeting_id: Option<String>,
    /// `opinion` or `complaint`.
    #[schema(value_type = String)]
    pub kind: OpinionKind,
    pub received_on: NaiveDate,
    pub content: String,
    pub standing: Standing,
    /// The unit it is assigned to, by name.
    pub unit_name: String,
    pub steps: Vec<Step>,
}

/// An opinion as its supervisor sees it: units only, the answer once accepted.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OwnOpinion {
    pub id: String,
    #[schema(value_type = String)]
    pub kind: OpinionKind,
    pub received_on: NaiveDate,
    pub content: String,
    /// `received`, `assigned`, `answered`, `accepted` or `returned`.
    #[schema(value_type = String)]
    pub state: OpinionState,
    pub unit_name: String,
    pub due_on: Option<NaiveDate>,
    /// The accepted answer (none before the office accepted it).
    pub answer: Option<String>,
    pub answered_on: Option<NaiveDate>,
}

/// A meeting with its files and the opinions raised at it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SupervisorMeetingView {
    pub meeting: SupervisorMeeting,
    pub files: Vec<Attachment>,
    pub opinions: Vec<OpinionView>,
}

/// Which opinions a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OpinionFilter {
    #[default]
    All,
    State(OpinionState),
    Overdue,
}

impl OpinionFilter {
    pub fn parse(raw: &str) -> Option<OpinionFilter> {
        match raw.trim() {
            "" | "all" => Some(OpinionFilter::All),
            "overdue" => Some(OpinionFilter::Overdue),
            other => OpinionState::parse(other).map(OpinionFilter::State),
        }
    }

    pub fn admits(self, standing: &Standing) -> bool {
        match self {
            OpinionFilter::All => true,
            OpinionFilter::State(state) => standing.state == state,
            OpinionFilter::Overdue => standing.overdue,
        }
    }
}

fn view_of(record: SupervisorRecord, accounts: &HashMap<String, String>, today: NaiveDate) -> SupervisorView {
    SupervisorView {
        phone_masked: record.phone.as_deref().map(mask_phone).unwrap_or_default(),
        in_term: record.term_from <= today && today <= record.term_to,
        account: record.account_id.as_ref().and_then(|a| accounts.get(a).cloned()),
        id: record.id,
        kind: record.kind,
        name: record.name,
        affiliation: record.affiliation,
        term_from: record.term_from,
        term_to: record.term_to,
        version: record.version,
    }
}

async fn account_names(state: &AppState) -> Result<HashMap<String, String>, Error> {
    Ok(state.db.accounts().await?.into_iter().map(|a| (a.id, a.username)).collect())
}

/// The register, by kind (in the plan's order) then name.
pub async fn register(state: &AppState, actor: &Actor) -> Result<Vec<SupervisorView>, Error> {
    actor.require(Action::SupervisionView)?;
    let today = civil_date(state.now());
    let accounts = account_names(state).await?;
    let mut register: Vec<SupervisorView> =
        state.db.supervisors().await?.into_iter().map(|s| view_of(s, &accounts, today)).collect();
    let rank = |kind: SupervisorKind| SupervisorKind::ALL.iter().position(|k| *k == kind);
    register.sort_by(|a, b| rank(a.kind).cmp(&rank(b.kind)).then_with(|| a.name.cmp(&b.name)));
    Ok(register)
}

pub async fn supervisor(state: &AppState, actor: &Actor, id: &str) -> Result<SupervisorView, Error> {
    actor.require(Action::SupervisionView)?;
    let record = state.db.supervisor(id).await?.ok_or(Error::NotFound)?;
    Ok(view_of(record, &account_names(state).await?, civil_date(state.now())))
}

/// Adds a supervisor (`id` none, `version` 0) or changes one over the version read. `account`
/// links a 监督员 login (by username) so that they can sign in and follow their opinions. A
/// change with an empty phone keeps the number on file: forms never carry it back unmasked.
pub async fn save_supervisor(
    state: &AppState,
    actor: &Actor,
    id: Option<&str>,
    input: &SupervisorInput,
    account: &str,
    version: i64,
) -> Result<(String, i64), Error> {
    actor.require(Action::SupervisionManage)?;
    let mut supervisor = input.parse().map_err(Error::Invalid)?;
    let account_id = match account.trim() {
        "" => None,
        username => {
            let found = state.db.account_by_username(username).await?;
            match found {
                Some(a) if a.roles.contains(Role::Supervisor) => Some(a.id),
                _ => {
                    return Err(Error::Invalid(FieldErrors::single(
                        "account",
                        "not_a_supervisor_account",
                        "关联账号须是已开通的监督员账号",
                    )));
                }
            }
        }
    };
    let id = match id {
        Some(id) => {
            let on_file = state.db.supervisor(id).await?.ok_or(Error::NotFound)?;
            if supervisor.phone.is_none() {
                supervisor.phone = on_file.phone.as_deref().and_then(crate::domain::org::Phone::parse);
            }
            id.to_owned()
        }
        None => new_id(state.now()),
    };
    let ring = state.db.personal_ring()?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let next = tx.save_supervisor(&id, &supervisor, account_id.as_deref(), version, &ring).await?;
    tx.commit().await?;
    Ok((id, next))
}

/// A supervisor's full phone, for the office; audited.
pub async fn reveal_phone(state: &AppState, actor: &Actor, id: &str) -> Result<String, Error> {
    actor.require(Action::SupervisionManage)?;
    let record = state.db.supervisor(id).await?.ok_or(Error::NotFound)?;
    state
        .db
        .audit_only(
            &actor.audit_ctx(),
            state.now(),
            AuditEvent::new("supervisor.reveal_phone", "supervisor", id),
        )
        .await?;
    Ok(record.phone.unwrap_or_default())
}

/// How each kind stands against the year's target today.
pub async fn year_progress(state: &AppState, actor: &Actor, year: i32) -> Result<Vec<Progress>, Error> {
    actor.require(Action::SupervisionView)?;
    let (from, to) = year_bounds(year)?;
    let held: Vec<SupervisorKind> =
        state.db.supervision_meetings(from, to).await?.into_iter().map(|m| m.kind).collect();
    let stored = state.db.supervision_targets(year).await?;
    Ok(progress(year, civil_date(state.now()), &targets(&stored), &held))
}

fn year_bounds(year: i32) -> Result<(NaiveDate, NaiveDate), Error> {
    crate::domain::time::year_days(year).ok_or(Error::NotFound)
}

/// Sets a kind's target for this year or a later one (a past year's record stays as it was).
pub async fn set_target(
    state: &AppState,
    actor: &Actor,
    year: i32,
    input: &TargetInput,
) -> Result<(), Error> {
    actor.require(Action::SupervisionManage)?;
    let (kind, meetings) = input.parse().map_err(Error::Invalid)?;
    if year < civil_date(state.now()).year() {
        return Err(Error::Invalid(FieldErrors::single("year", "year_closed", "往年的目标不能再修改")));
    }
    year_bounds(year)?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.set_supervision_target(year, kind, meetings).await?;
    tx.commit().await?;
    Ok(())
}

/// The meetings of a year, the latest first.
pub async fn meetings(state: &AppState, actor: &Actor, year: i32) -> Result<Vec<SupervisorMeeting>, Error> {
    actor.require(Action::SupervisionView)?;
    let (from, to) = year_bounds(year)?;
    Ok(state.db.supervision_meetings(from, to).await?)
}

pub async fn meeting(state: &AppState, actor: &Actor, id: &str) -> Result<SupervisorMeetingView, Error> {
    actor.require(Action::SupervisionView)?;
    let meeting = state.db.supervision_meeting(id).await?.ok_or(Error::NotFound)?;
    let files = state.db.attachments(MEETING_FILES, id).await?;
    let opinions = opinions(state, actor, OpinionFilter::All)
        .await?
        .into_iter()
        .filter(|o| o.meeting_id.as_deref() == Some(id))
        .collect();
    Ok(SupervisorMeetingView { meeting, files, opinions })
}

/// Records a meeting held; every attendee must be on the register and in term that day.
pub async fn record_meeting(
    state: &AppState,
    actor: &Actor,
    input: &SupervisorMeetingInput,
) -> Result<String, Error> {
    actor.require(Action::SupervisionManage)?;
    let meeting = input.parse(civil_date(state.now())).map_err(Error::Invalid)?;
    for id in &meeting.attendees {
        let serving = state
            .db
            .supervisor(id)
            .await?
            .is_some_and(|s| s.term_from <= meeting.held_on && meeting.held_on <= s.term_to);
        if !serving {
            return Err(Error::Invalid(FieldErrors::single(
                "attendees",
                "attendee_not_in_term",
                "出席人员须是会议当日在任的监督员",
            )));
        }
    }
    let id = new_id(state.now());
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.insert_supervision_meeting(&id, &meeting).await?;
    tx.commit().await?;
    Ok(id)
}

/// Keeps a file (minutes, sign-in sheet, photos) with a meeting: the bytes were sniffed and
/// hashed by the upload and go to the blob store first, then the record with its audit entry.
pub async fn add_meeting_file(
    state: &AppState,
    actor: &Actor,
    meeting_id: &str,
    title: &str,
    file_name: &str,
    ingested: crate::blobs::Ingested,
) -> Result<String, Error> {
    actor.require(Action::SupervisionManage)?;
    state.db.supervision_meeting(meeting_id).await?.ok_or(Error::NotFound)?;
    crate::ops::attachments::attach(state, actor, (MEETING_FILES, meeting_id), title, file_name, ingested)
        .await
}

fn opinion_view(record: OpinionRecord, units: &[crate::store::org::Unit], today: NaiveDate) -> OpinionView {
    let standing = standing(&record.steps, today);
    let unit_name = standing
        .unit_id
        .as_ref()
        .and_then(|id| units.iter().find(|u| &u.id == id))
        .map(|u| u.name.clone())
        .unwrap_or_default();
    OpinionView {
        id: record.id,
        supervisor_id: record.supervisor_id,
        supervisor_name: record.supervisor_name,
        supervisor_kind: record.supervisor_kind,
        meeting_id: record.meeting_id,
        kind: record.kind,
        received_on: record.received_on,
        content: record.content,
        standing,
        unit_name,
        steps: record.steps,
    }
}

/// The opinions the actor may see: every one for the office and the leaders, those assigned to
/// a unit in scope for a squad leader.
pub async fn opinions(
    state: &AppState,
    actor: &Actor,
    filter: OpinionFilter,
) -> Result<Vec<OpinionView>, Error> {
    actor.require(Action::SupervisionView)?;
    let units = state.db.units().await?;
    let today = civil_date(state.now());
    let visibility = actor.visibility(Action::SupervisionView);
    Ok(state
        .db
        .supervision_opinions(None)
        .await?
        .into_iter()
        .map(|r| opinion_view(r, &units, today))
        .filter(|o| visible(&units, &visibility, o))
        .filter(|o| filter.admits(&o.standing))
        .collect())
}

fn visible(units: &[crate::store::org::Unit], visibility: &Visibility, opinion: &OpinionView) -> bool {
    *visibility == Visibility::All
        || opinion.standing.unit_id.as_deref().is_some_and(|u| unit_visible(units, visibility, u))
}

pub async fn opinion(state: &AppState, actor: &Actor, id: &str) -> Result<OpinionView, Error> {
    actor.require(Action::SupervisionView)?;
    let units = state.db.units().await?;
    let record = state.db.supervision_opinion(id).await?.ok_or(Error::NotFound)?;
    let view = opinion_view(record, &units, civil_date(state.now()));
    if !visible(&units, &actor.visibility(Action::SupervisionView), &view) {
        return Err(Error::NotFound);
    }
    Ok(view)
}

/// Records an opinion: a supervisor raises their own (at any time); the office records one for
/// a supervisor on the register (at a meeting or as received).
pub async fn raise(state: &AppState, actor: &Actor, input: &OpinionInput) -> Result<String, Error> {
    let today = civil_date(state.now());
    let mut input = input.clone();
    if actor.roles.scope(Action::SupervisionManage).is_none() {
        actor.require(Action::SupervisionOwn)?;
        let own = state.db.supervisor_of_account(&actor.account_id).await?.ok_or(Error::Forbidden)?;
        input.supervisor_id = own.id;
        input.meeting_id.clear();
        input.received_on.clear();
    }
    let opinion = input.parse(today).map_err(Error::Invalid)?;
    if state.db.supervisor(&opinion.supervisor_id).await?.is_none() {
        return Err(Error::Invalid(FieldErrors::single(
            "supervisor_id",
            "supervisor_not_found",
            "请选择登记在册的监督员",
        )));
    }
    if let Some(meeting) = &opinion.meeting_id {
        let held = state.db.supervision_meeting(meeting).await?.ok_or_else(|| {
            Error::Invalid(FieldErrors::single("meeting_id", "meeting_not_found", "所选会议不存在"))
        })?;
        if held.held_on != opinion.received_on {
            return Err(Error::Invalid(FieldErrors::single(
                "received_on",
                "not_meeting_day",
                format!("会上提出的意见，收到日期即会议日期 {}", held.held_on),
            )));
        }
    }
    let id = new_id(state.now());
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.insert_supervision_opinion(&id, &opinion).await?;
    tx.commit().await?;
    Ok(id)
}

/// An opinion as the caller found it: a conflict when it has more steps than the caller saw
/// (`seen`, when the caller says) — someone acted on it meanwhile.
async fn load(state: &AppState, id: &str, seen: Option<i64>) -> Result<(OpinionRecord, Standing), Error> {
    let record = state.db.supervision_opinion(id).await?.ok_or(Error::NotFound)?;
    if seen.is_some_and(|s| s != record.steps.len() as i64) {
        return Err(crate::store::StoreError::Conflict.into());
    }
    let standing = standing(&record.steps, civil_date(state.now()));
    Ok((record, standing))
}

/// The number of the step `kind` would be, or why it cannot be taken now.
fn next_seq(record: &OpinionRecord, standing: &Standing, kind: StepKind) -> Result<i64, Error> {
    standing.state.after(kind).map_err(|refused| Error::refused(refused.code, refused.message))?;
    Ok(record.steps.last().map_or(1, |s| s.seq + 1))
}

async fn write_step(state: &AppState, actor: &Actor, id: &str, step: Step) -> Result<(), Error> {
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.add_supervision_step(id, &step).await?;
    tx.commit().await?;
    Ok(())
}

/// Assigns (or re-assigns, before the answer) an opinion to a unit with a day to answer by:
/// by default [`DEFAULT_ANSWER_WORKING_DAYS`] working days from today.
pub async fn assign(state: &AppState, actor: &Actor, id: &str, input: &AssignInput) -> Result<(), Error> {
    actor.require(Action::SupervisionManage)?;
    let today = civil_date(state.now());
    let calendar = state.db.work_calendar().await?;
    let default_due = calendar.add_workdays(today, DEFAULT_ANSWER_WORKING_DAYS).map_err(|e| {
        Error::refused("calendar_missing", format!("工作日历缺少所需年份，请先维护工作日历：{e}"))
    })?;
    let (unit_id, due_on) = input.parse(today, default_due).map_err(Error::Invalid)?;
    if state.db.unit(&unit_id).await?.is_none() {
        return Err(Error::Invalid(FieldErrors::single("unit_id", "unit_not_found", "所选单位不存在")));
    }
    let (record, standing) = load(state, id, input.seen_steps).await?;
    let seq = next_seq(&record, &standing, StepKind::Assigned)?;
    let step = Step {
        seq,
        kind: StepKind::Assigned,
        unit_id: Some(unit_id),
        due_on: Some(due_on),
        body: String::new(),
        on: today,
    };
    write_step(state, actor, id, step).await
}

/// The assigned unit answers (a squad leader for the squad, or the office).
pub async fn answer(state: &AppState, actor: &Actor, id: &str, input: &AnswerInput) -> Result<(), Error> {
    actor.require(Action::SupervisionAnswer)?;
    let text = input.parse().map_err(Error::Invalid)?;
    let (record, standing) = load(state, id, input.seen_steps).await?;
    // Only the unit it is assigned to learns that it exists: the scope comes before the state.
    let units = state.db.units().await?;
    let unit = standing.unit_id.clone().unwrap_or_default();
    if !unit_visible(&units, &actor.visibility(Action::SupervisionAnswer), &unit) {
        return Err(Error::NotFound);
    }
    let seq = next_seq(&record, &standing, StepKind::Answered)?;
    let step = Step {
        seq,
        kind: StepKind::Answered,
        unit_id: None,
        due_on: None,
        body: text,
        on: civil_date(state.now()),
    };
    write_step(state, actor, id, step).await
}

/// The office accepts the answer (publishing it to the supervisor) or returns it with a reason.
pub async fn review(state: &AppState, actor: &Actor, id: &str, input: &ReviewInput) -> Result<(), Error> {
    actor.require(Action::SupervisionManage)?;
    let (accept, reason) = input.parse().map_err(Error::Invalid)?;
    let kind = if accept { StepKind::Accepted } else { StepKind::Returned };
    let (record, standing) = load(state, id, input.seen_steps).await?;
    let seq = next_seq(&record, &standing, kind)?;
    let step = Step { seq, kind, unit_id: None, due_on: None, body: reason, on: civil_date(state.now()) };
    write_step(state, actor, id, step).await
}

/// A supervisor's own opinions, the latest first: units only, answers once accepted.
pub async fn mine(state: &AppState, actor: &Actor) -> Result<Vec<OwnOpinion>, Error> {
    actor.require(Action::SupervisionOwn)?;
    let Some(own) = state.db.supervisor_of_account(&actor.account_id).await? else {
        return Ok(Vec::new());
    };
    let units = state.db.units().await?;
    let today = civil_date(state.now());
    Ok(state
        .db
        .supervision_opinions(Some(&own.id))
        .await?
        .into_iter()
        .map(|r| {
            let view = opinion_view(r, &units, today);
            let s = view.standing;
            OwnOpinion {
                id: view.id,
                kind: view.kind,
                received_on: view.received_on,
                content: view.content,
                state: s.state,
                unit_name: view.unit_name,
                due_on: s.due_on,
                answer: if s.published { s.answer } else { None },
                answered_on: if s.published { s.answered_on } else { None },
            }
        })
        .collect())
}

/// 督察意见按期答复 per unit for the squad assessment (`domain::supervision::on_time`).
pub async fn on_time_measures(
    db: &Db,
    first: NaiveDate,
    last: NaiveDate,
    today: NaiveDate,
) -> Result<HashMap<String, (i64, i64)>, Error> {
    let standings: Vec<Standing> =
        db.supervision_opinions(None).await?.iter().map(|o| standing(&o.steps, today)).collect();
    Ok(crate::domain::supervision::on_time(&standings, first, last, today))
}
