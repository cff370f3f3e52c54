//! 三步走约谈: open a talk with its first step, hold the second, record re-inspections, and
//! link the case of step three. The order of the steps is `domain::talks::check`'s; every
//! entry point — pages, API, demo — goes through here.

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::talks::{OpenTalkInput, ReinspectionInput, TalkEvent, TalkStep, TalkStepInput, check};
use crate::domain::time::civil_date;
use crate::ops::people::unit_in_scope;
use crate::ops::{Actor, Error};
use crate::store::new_id;
use crate::store::talks::{Talk, TalkFilter};

pub async fn list(state: &AppState, actor: &Actor, filter: &TalkFilter) -> Result<Vec<Talk>, Error> {
    actor.require(Action::TalkView)?;
    Ok(state.db.talks(&actor.visibility(Action::TalkView), filter).await?)
}

pub async fn get(state: &AppState, actor: &Actor, id: &str) -> Result<Talk, Error> {
    actor.require(Action::TalkView)?;
    state.db.talk(&actor.visibility(Action::TalkView), id).await?.ok_or(Error::NotFound)
}

/// Opens a talk with step one (提醒告知) for a party of the registry, in a squad in scope.
pub async fn open(state: &AppState, actor: &Actor, input: &OpenTalkInput) -> Result<String, Error> {
    actor.require(Action::TalkRecord)?;
    let draft = input.parse().map_err(Error::Invalid)?;
    if state.db.party(&draft.party_id).await?.is_none() {
        return Err(Error::Invalid(FieldErrors::single("party_id", "unknown_party", "当事人档案不存在")));
    }
    unit_in_scope(state, actor, Action::TalkRecord, &draft.unit_id).await?;
    check(&[], &draft.first, civil_date(state.now())).map_err(|r| Error::refused(r.code, r.message_zh))?;
    let id = new_id(state.now());
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.insert_talk(&id, &draft).await?;
    tx.commit().await?;
    Ok(id)
}

async fn add(
    state: &AppState,
    actor: &Actor,
    id: &str,
    version: i64,
    event: TalkEvent,
) -> Result<i64, Error> {
    let talk = state.db.talk(&actor.visibility(Action::TalkRecord), id).await?.ok_or(Error::NotFound)?;
    // A stale page is told so first: what it offers was decided on a state that is gone.
    if talk.version != version {
        return Err(crate::store::StoreError::Conflict.into());
    }
    let events: Vec<TalkEvent> = talk.events.iter().map(|e| e.event.clone()).collect();
    check(&events, &event, civil_date(state.now())).map_err(|r| Error::refused(r.code, r.message_zh))?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let version = tx.add_talk_event(id, version, &events, &event).await?;
    tx.commit().await?;
    Ok(version)
}

/// Holds step two (约谈告诫、责令限期改正) after step one's re-inspection found no correction.
pub async fn interview(
    state: &AppState,
    actor: &Actor,
    id: &str,
    version: i64,
    input: &TalkStepInput,
) -> Result<i64, Error> {
    actor.require(Action::TalkRecord)?;
    let mut errors = FieldErrors::default();
    let event = input.parse(TalkStep::Interview, &mut errors);
    errors.into_result().map_err(Error::Invalid)?;
    add(state, actor, id, version, event.expect("checked")).await
}

/// Records the re-inspection of the step awaiting one.
pub async fn reinspect(
    state: &AppState,
    actor: &Actor,
    id: &str,
    version: i64,
    input: &ReinspectionInput,
) -> Result<i64, Error> {
    actor.require(Action::TalkRecord)?;
    let event = input.parse().map_err(Error::Invalid)?;
    add(state, actor, id, version, event).await
}

/// Step three: links the case opened on the act, which must be the same party's and visible
/// to the actor; the step's day is the day the lead was registered (线索登记), which must not
/// come before the talk's last step.
pub async fn link_case(
    state: &AppState,
    actor: &Actor,
    id: &str,
    version: i64,
    case_id: &str,
) -> Result<i64, Error> {
    actor.require(Action::TalkRecord)?;
    let talk = state.db.talk(&actor.visibility(Action::TalkRecord), id).await?.ok_or(Error::NotFound)?;
    let case = state.db.case(&actor.visibility(Action::CaseView), case_id.trim()).await?;
    let Some(case) = case.filter(|c| c.party_id == talk.party_id) else {
        return Err(Error::Invalid(FieldErrors::single(
            "case_id",
            "case_not_of_party",
            "请选择同一当事人的案件（您可查看的案件）",
        )));
    };
    let on = case.case.clue_on;
    add(state, actor, id, version, TalkEvent::Case { on, case_id: case.id }).await
}

/// The talks waiting on the actor's squad, for the 工作台: a re-inspection whose day has
/// passed, or a next step due after a failed one. Nothing for one who does not hold talks.
pub async fn open_duties(state: &AppState, actor: &Actor) -> Result<Vec<Talk>, Error> {
    if actor.roles.scope(Action::TalkRecord).is_none() {
        return Ok(Vec::new());
    }
    let today = civil_date(state.now());
    let filter = TalkFilter { open_only: true, ..Default::default() };
    let talks = state.db.talks(&actor.visibility(Action::TalkRecord), &filter).await?;
    Ok(talks.into_iter().filter(|t| t.state.overdue(today) || t.state.next_step().is_some()).collect())
}
