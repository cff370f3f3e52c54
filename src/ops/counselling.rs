//! 心灵管理辅导: record sessions, stations and the plan; read one's own sessions and their notes;
//! count. Every entry point — pages, API, demo — goes through here.
//!
//! The notes are opened in one place, [`session`], after `domain::counselling::may_read_notes`:
//! the counsellor who wrote them or a person of the session. Anyone else — whatever their role —
//! is told the session does not exist (404), and the attempt is audited.

use chrono::Datelike;

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::counselling::{
    CounsellingMonth, PlanItem, PlanItemInput, SessionInput, Station, StationInput, counts as count_sessions,
    may_read_notes,
};
use crate::domain::fields::FieldErrors;
use crate::domain::time::civil_date;
use crate::ops::people::{squad_in_scope, unit_visible};
use crate::ops::{Actor, Error};
use crate::store::counselling::SessionHead;
use crate::store::org::Visibility;
use crate::store::{AuditEvent, Recorded, new_id};

/// A session with its notes, for the counsellor or a person of it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SessionView {
    #[serde(flatten)]
    pub head: SessionHead,
    /// The people of the session by name (the reader is the counsellor or one of them).
    pub participant_names: Vec<String>,
    pub notes: String,
}

/// Records a session held by the actor (the counsellor) for a squad in the actor's scope.
pub async fn record(state: &AppState, actor: &Actor, input: &SessionInput) -> Result<String, Error> {
    actor.require(Action::CounsellingRecord)?;
    let session = input.parse(civil_date(state.now())).map_err(Error::Invalid)?;
    squad_in_scope(state, actor, Action::CounsellingRecord, &session.unit_id).await?;
    for person in &session.participants {
        let found = state.db.person(&Visibility::All, person).await?;
        if !found.is_some_and(|p| p.summary.active) {
            return Err(Error::Invalid(FieldErrors::single(
                "participants",
                "person_not_found",
                "参加辅导的人员须是在册人员",
            )));
        }
    }
    let name = match actor.person_id.as_deref() {
        Some(id) => state.db.person(&Visibility::All, id).await?.map(|p| p.summary.name),
        None => None,
    }
    .unwrap_or_else(|| actor.username.clone());
    let ring = state.db.personal_ring()?;
    let id = new_id(state.now());
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.insert_counselling_session(&id, &session, (&actor.account_id, &name), &ring).await?;
    tx.commit().await?;
    Ok(id)
}

/// The sessions the actor wrote or took part in (no notes).
pub async fn mine(state: &AppState, actor: &Actor) -> Result<Vec<SessionHead>, Error> {
    actor.require(Action::SelfService)?;
    Ok(state.db.counselling_sessions_of(&actor.account_id, actor.person_id.as_deref()).await?)
}

/// One session with its notes, for the counsellor who wrote it or a person of it; 404 for
/// anyone else, audited either way.
pub async fn session(state: &AppState, actor: &Actor, id: &str) -> Result<SessionView, Error> {
    actor.require(Action::SelfService)?;
    let head = state.db.counselling_session(id).await?.ok_or(Error::NotFound)?;
    let allowed = may_read_notes(
        &actor.account_id,
        actor.person_id.as_deref(),
        &head.counsellor_account,
        &head.participants,
    );
    let action = if allowed { "counselling.note_read" } else { "counselling.note_denied" };
    state
        .db
        .audit_only(&actor.audit_ctx(), state.now(), AuditEvent::new(action, "counselling_session", id))
        .await?;
    if !allowed {
        return Err(Error::NotFound);
    }
    let mut participant_names = Vec::new();
    for person in &head.participants {
        if let Some(p) = state.db.person(&Visibility::All, person).await? {
            participant_names.push(p.summary.name);
        }
    }
    let notes = state.db.counselling_notes(id).await?;
    Ok(SessionView { head, participant_names, notes })
}

/// The year's sessions counted per squad and month, in the actor's scope: all that leaves the
/// records for anyone but the counsellor and the person.
pub async fn counts(state: &AppState, actor: &Actor, year: i32) -> Result<Vec<CounsellingMonth>, Error> {
    actor.require(Action::CounsellingCounts)?;
    let units = state.db.units().await?;
    let visibility = actor.visibility(Action::CounsellingCounts);
    let sessions = state.db.counselling_year(year).await?;
    Ok(count_sessions(year, &sessions)
        .into_iter()
        .filter(|c| unit_visible(&units, &visibility, &c.unit_id))
        .collect())
}

pub async fn stations(state: &AppState, actor: &Actor) -> Result<Vec<Recorded<Station>>, Error> {
    actor.require(Action::CounsellingCounts)?;
    Ok(state.db.counselling_stations().await?)
}

/// Registers a squad's 心灵驿站 (one per squad).
pub async fn add_station(state: &AppState, actor: &Actor, input: &StationInput) -> Result<String, Error> {
    actor.require(Action::CounsellingRecord)?;
    let station = input.parse().map_err(Error::Invalid)?;
    squad_in_scope(state, actor, Action::CounsellingRecord, &station.unit_id).await?;
    let id = new_id(state.now());
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.insert_counselling_station(&id, &station).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn plan(state: &AppState, actor: &Actor, year: i32) -> Result<Vec<Recorded<PlanItem>>, Error> {
    actor.require(Action::CounsellingCounts)?;
    Ok(state.db.counselling_plan(year).await?)
}

/// Adds an item to the counselling centre's yearly plan: the bureau's, so whoever records for
/// the whole bureau (the office), not a squad.
pub async fn add_plan_item(state: &AppState, actor: &Actor, input: &PlanItemInput) -> Result<String, Error> {
    actor.require(Action::CounsellingRecord)?;
    if actor.visibility(Action::CounsellingRecord) != Visibility::All {
        return Err(Error::Forbidden);
    }
    let item = input.parse().map_err(Error::Invalid)?;
    if item.year < civil_date(state.now()).year() - 1 {
        return Err(Error::Invalid(FieldErrors::single(
            "month",
            "year_closed",
            "只能编制本年度及以后的计划",
        )));
    }
    let id = new_id(state.now());
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.insert_counselling_plan_item(&id, &item).await?;
    tx.commit().await?;
    Ok(id)
}
