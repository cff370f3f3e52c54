//! Opening a case and taking a step on it: the engine decides, the store writes the next
//! state, the timeline entry, the clocks and the audit record in one transaction, guarded by
//! the case's version.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use crate::app::AppState;
use crate::domain::access::{Action, RoleSet, Scope};
use crate::domain::case::clocks::clocks;
use crate::domain::case::documents::{DocKind, decision_numbering, document_number};
use crate::domain::case::items::{ApplicableRange, DiscretionBand};
use crate::domain::case::{
    Actor as EngineActor, Case, Command, Context, NewClue, Penalty, PenaltyKind, SpotDecision, apply,
};
use crate::domain::fields::FieldErrors;
use crate::domain::time::civil_date;
use crate::ops::{Actor, Error};

pub use crate::domain::case::opening::{OpenInput, Opening, SOURCES, source_name};
use crate::store::cases::{CaseRecord, CaseWrite, Item, NewCase};
use crate::store::org::Unit;

/// 行政处罚法 Art. 33 ¶1 (初次违法): whether the record's case is the party's first violation of
/// its kind here, judged by `domain::case::first_offence` on the party's earlier cases; `None`
/// for an on-the-spot decision, which the question does not concern.
pub async fn first_offence(db: &crate::store::Db, record: &CaseRecord) -> Result<Option<bool>, Error> {
    if record.case.procedure != crate::domain::case::Procedure::General {
        return Ok(None);
    }
    let earlier = db.party_cases(&record.party_id).await?;
    let prior = earlier.iter().filter(|c| c.id != record.id && c.created_at < record.created_at).map(|c| {
        crate::domain::case::PriorCase {
            item_code: c.item_code.as_deref(),
            category: &c.category,
            outcome: c.case.decision.as_ref().map(|d| d.outcome),
        }
    });
    Ok(Some(crate::domain::case::first_offence(record.item_code.as_deref(), &record.category, prior)))
}

/// Whether the scope of `roles` (an account in `own_unit`) for `action` reaches `unit_id`.
pub fn unit_in_scope(
    roles: &RoleSet,
    own_unit: Option<&str>,
    action: Action,
    units: &[Unit],
    unit_id: &str,
) -> bool {
    let own = own_unit.unwrap_or("");
    match roles.scope(action) {
        Some(Scope::All) => true,
        Some(Scope::Unit) | Some(Scope::Own) => unit_id == own,
        Some(Scope::Subtree) => {
            crate::domain::org::is_within(unit_id, own, crate::ops::people::parent_in(units))
        }
        None => false,
    }
}

/// A case just opened.
#[derive(Debug, Clone)]
pub struct Opened {
    pub id: String,
    /// The case number (`2026-000123`).
    pub number: String,
}

/// Opens a case (a lead, or an on-the-spot decision) as `actor`; returns its id and number.
pub async fn open_case(state: &AppState, actor: &Actor, input: &OpenInput) -> Result<Opened, Error> {
    let prepared = prepare_case(state, actor, input).await?;
    state.db.write(&actor.audit_ctx(), state.now(), move |tx| Box::pin(prepared.insert(tx))).await
}

/// A case checked and ready to insert: everything read, only its numbers left to take inside
/// the transaction (numbers have no gaps). Another operation may insert it with a change of
/// its own in the same transaction (a matter opening its case, `ops::intake::open_case`).
pub struct PreparedCase {
    /// The id the case will have.
    pub id: String,
    today: NaiveDate,
    clue_on: NaiveDate,
    spot: Result<(Case, crate::domain::case::Event), SpotDecision>,
    engine_actor: EngineActor,
    people: HashMap<String, crate::domain::case::PersonFacts>,
    calendar: std::sync::Arc<crate::domain::calendar::WorkCalendar>,
    rules: crate::domain::case::rules::CaseRules,
    fine_range: Option<ApplicableRange>,
    prefix: String,
    category: String,
    item_code: Option<String>,
    party_id: String,
    unit_id: String,
    title: String,
    location: String,
    source: String,
}

/// Checks a case to open (a lead, or an on-the-spot decision) as `actor`: every field error at
/// once, nothing written.
pub async fn prepare_case(state: &AppState, actor: &Actor, input: &OpenInput) -> Result<PreparedCase, Error> {
    // The typed fields parse on their own; the lookups below add their errors to the same list.
    let (parsed, mut errors) = match input.parse() {
        Ok(opening) => (Some(opening), FieldErrors::default()),
        Err(errors) => (None, errors),
    };
    let party = state.db.party(input.party_id.trim()).await?;
    if party.is_none() {
        errors.add("party_id", "party_unknown", "请选择当事人（先在当事人库建档）");
    }
    let categories = state.db.case_categories().await?;
    if !categories.iter().any(|c| c.code == input.category) {
        errors.add("category", "category_unknown", "请选择案件类别");
    }
    let item = if input.item_code.trim().is_empty() {
        None
    } else {
        let item = state.db.enforcement_item(input.item_code.trim()).await?;
        if item.as_ref().is_none_or(|i| i.category != input.category) {
            errors.add("item_code", "item_unknown", "执法事项不存在或不属于所选类别");
        } else if item.as_ref().is_some_and(|i| !i.active) {
            errors.add("item_code", "item_retired", "该执法事项已停用，不能用于新立案件");
        }
        item
    };
    let units = state.db.units().await?;
    let unit_id = if input.unit_id.trim().is_empty() {
        actor.unit_id.clone().unwrap_or_default()
    } else {
        input.unit_id.trim().to_owned()
    };
    if !units.iter().any(|u| u.id == unit_id)
        || !unit_in_scope(&actor.roles, actor.unit_id.as_deref(), Action::CaseOpen, &units, &unit_id)
    {
        errors.add("unit_id", "unit_out_of_scope", "请选择您有权办理的中队");
    }
    let (Some(party), Some(opening), true) = (party, parsed, errors.is_empty()) else {
        return Err(Error::Invalid(errors));
    };
    let Opening { procedure, clue_on, act_on, fine_fen, source, .. } = opening;
    let simple = procedure == crate::domain::case::Procedure::Simple;
    let title = opening.title.as_str();
    let today = civil_date(state.now());
    let organisation = party.organisation;
    let business_activity = opening.business_activity;
    let calendar = state.db.work_calendar().await?;
    let (rules, _) = state.db.case_rules().await?;
    let officers = opening.officers.clone();
    // Read everything before the write transaction: it holds a connection (and on SQLite the
    // write lock) until commit, so no other query may wait inside it.
    let people = if simple { state.db.person_facts(&officers).await? } else { HashMap::new() };
    let fine_range = applicable_fine_range(state, item.as_ref(), organisation, act_on, clue_on).await?;
    // A lead's state needs nothing from the database; an on-the-spot decision needs its number,
    // which is taken inside the transaction (numbers have no gaps).
    let spot = if simple {
        let mut kinds = Vec::new();
        if opening.warning {
            kinds.push(PenaltyKind::Warning);
        }
        if fine_fen > 0 {
            kinds.push(PenaltyKind::Fine);
        }
        Err(SpotDecision {
            organisation,
            business_activity,
            on: clue_on,
            act_on,
            officers,
            penalty: Penalty { kinds, fine_fen, confiscation_fen: 0 },
        })
    } else {
        let clue =
            NewClue { organisation, business_activity, clue_on, act_on, serious_harm: opening.serious_harm };
        let handling_days = categories
            .iter()
            .find(|c| c.code == input.category)
            .and_then(|c| u32::try_from(c.handling_days).ok());
        let (mut case, event) = Case::open(&clue, today).map_err(Error::from_refusal)?;
        case.handling_days = handling_days;
        Ok((case, event))
    };
    Ok(PreparedCase {
        id: crate::store::new_id(state.now()),
        today,
        clue_on,
        spot,
        engine_actor: actor.engine(),
        people,
        calendar,
        rules,
        fine_range,
        prefix: state.config.doc_prefix.clone(),
        category: input.category.clone(),
        item_code: item.map(|i| i.code),
        party_id: party.id,
        unit_id,
        title: title.to_owned(),
        location: input.location.trim().to_owned(),
        source: source.to_owned(),
    })
}

impl PreparedCase {
    /// Takes the case's numbers and inserts it with its first event, clocks and audit record.
    pub async fn insert(self, tx: &mut crate::store::AuditedTx) -> Result<Opened, Error> {
        let PreparedCase {
            id,
            today,
            clue_on,
            spot,
            engine_actor,
            people,
            calendar,
            rules,
            fine_range,
            prefix,
            ..
        } = self;
        let year = clue_on.year();
        let case_number = format!("{year}-{:06}", tx.next_number("case", year).await?);
        let (case, event) = match spot {
            Ok(opened) => opened,
            Err(spot) => {
                let ctx = Context {
                    actor: &engine_actor,
                    today,
                    people: &people,
                    calendar: &calendar,
                    rules: &rules,
                    fine_range,
                };
                let kind = DocKind::SpotDecision;
                let n = tx.next_number(kind.code(), year).await?;
                let number = document_number(&prefix, kind.word(), year, n);
                Case::open_simple(&spot, number, &ctx).map_err(Error::from_refusal)?
            }
        };
        let clock_list = clocks(&case, &calendar, &rules);
        let major = !case.major_reasons(&rules).is_empty();
        let new = NewCase {
            category: &self.category,
            item_code: self.item_code.as_deref(),
            party_id: &self.party_id,
            unit_id: &self.unit_id,
            title: &self.title,
            location: &self.location,
            source: &self.source,
        };
        tx.insert_case(
            &id,
            &case_number,
            &new,
            &CaseWrite { case: &case, event: &event, clocks: &clock_list, major },
        )
        .await?;
        enter_for_disclosure(tx, &id, &self.unit_id, &case_number, &case, rules.publish_simple_decisions)
            .await?;
        Ok(Opened { id, number: case_number })
    }
}

/// Enters a decision the publication rule selects (`disclosure::must_publish`) in the register,
/// in the transaction that records it: the 7 working days run from the decision, whoever
/// publishes it.
async fn enter_for_disclosure(
    tx: &mut crate::store::AuditedTx,
    case_id: &str,
    unit_id: &str,
    case_number: &str,
    case: &Case,
    publish_simple: bool,
) -> Result<(), Error> {
    let Some(decision) = &case.decision else { return Ok(()) };
    if !crate::domain::disclosure::must_publish(case.procedure, decision.outcome, publish_simple) {
        return Ok(());
    }
    let entry = crate::store::disclosure::NewDisclosure {
        case_id,
        unit_id,
        case_number,
        decision_number: &decision.number,
        procedure: case.procedure.code(),
        decided_on: decision.on,
    };
    tx.insert_disclosure(&format!("dd-{case_id}"), &entry).await?;
    Ok(())
}

/// The fine range a decision on `item` applies: the list's range in force on the day of the
/// act, or the one in force on the day of the decision where that is lighter (从旧兼从轻,
/// 行政处罚法 Art. 37; `items::applicable_range`).
async fn applicable_fine_range(
    state: &AppState,
    item: Option<&Item>,
    organisation: bool,
    act_on: NaiveDate,
    decided_on: NaiveDate,
) -> Result<Option<ApplicableRange>, Error> {
    Ok(applicable_fine(state, item, organisation, act_on, decided_on).await?.map(|(range, _)| range))
}

/// [`applicable_fine_range`] with the discretion bands of the version the range comes from
/// (`None`: that version's bands were never recorded).
pub async fn applicable_fine(
    state: &AppState,
    item: Option<&Item>,
    organisation: bool,
    act_on: NaiveDate,
    decided_on: NaiveDate,
) -> Result<Option<(ApplicableRange, Option<Vec<DiscretionBand>>)>, Error> {
    let Some(item) = item else { return Ok(None) };
    Ok(state.db.applicable_fine(&item.code, organisation, act_on, decided_on).await?)
}

/// Everything about a person the case engine may ask for this step.
fn people_named(case: &Case, command: &Command, actor: &EngineActor) -> Vec<String> {
    let mut ids: Vec<String> = case.officers.clone();
    ids.extend(case.recused.iter().cloned());
    ids.extend(actor.person_id.iter().cloned());
    match command {
        Command::File { officers, .. }
        | Command::Reassign { officers, .. }
        | Command::RecordAct { officers, .. }
        | Command::Seize { officers, .. }
        | Command::Demolish { officers, .. }
        | Command::OrderCorrection { officers, .. }
        | Command::Reinspect { officers, .. } => ids.extend(officers.iter().cloned()),
        Command::PerformSubstitute { supervisor, .. } => ids.push(supervisor.trim().to_owned()),
        Command::ScheduleHearing { presider, .. } => ids.push(presider.clone()),
        Command::Recuse { person, .. } => ids.push(person.clone()),
        Command::Discuss { attendees, .. }
        | Command::ProposeDeferral { attendees, .. }
        | Command::DiscussCompulsory { attendees, .. } => {
            ids.extend(attendees.iter().map(|a| a.trim().to_owned()));
        }
        _ => {}
    }
    ids.retain(|id| !id.trim().is_empty());
    ids.sort();
    ids.dedup();
    ids
}

/// Takes one step on a case: the engine decides, the store writes. Returns the new version.
pub async fn take_step(
    state: &AppState,
    actor: &Actor,
    id: &str,
    version: i64,
    command: Command,
) -> Result<i64, Error> {
    let visibility = actor.visibility(Action::CaseAct);
    let record = state.db.case(&visibility, id).await?.ok_or(Error::NotFound)?;
    if record.version != version {
        return Err(crate::store::StoreError::Conflict.into());
    }
    let calendar = state.db.work_calendar().await?;
    let (rules, _) = state.db.case_rules().await?;
    let item = match &record.item_code {
        Some(code) => state.db.enforcement_item(code).await?,
        None => None,
    };
    let engine_actor = actor.engine();
    let people = state.db.person_facts(&people_named(&record.case, &command, &engine_actor)).await?;
    let decided_on = command.date().unwrap_or_else(|| civil_date(state.now()));
    let fine_range =
        applicable_fine_range(state, item.as_ref(), record.case.organisation, record.case.act_on, decided_on)
            .await?;
    let ctx = Context {
        actor: &engine_actor,
        today: civil_date(state.now()),
        people: &people,
        calendar: &calendar,
        rules: &rules,
        fine_range,
    };
    let (mut next, mut event) = apply(&record.case, &command, &ctx).map_err(Error::from_refusal)?;
    let clock_list = clocks(&next, &calendar, &rules);
    let major = !next.major_reasons(&rules).is_empty();
    let numbering = match &command {
        Command::Decide { on, outcome, .. } => Some((*on, *outcome)),
        _ => None,
    };
    let prefix = state.config.doc_prefix.clone();
    let publish_simple = rules.publish_simple_decisions;
    let (id, unit_id, case_number) = (id.to_owned(), record.unit_id, record.number);
    let audit = actor.audit_ctx();
    state
        .db
        .write(&audit, state.now(), move |tx| {
            Box::pin(async move {
                // A decision takes its number in the transaction that records it: no gaps.
                if let Some((on, outcome)) = numbering {
                    let (doc_type, word) = decision_numbering(outcome);
                    let n = tx.next_number(doc_type, on.year()).await?;
                    let number = document_number(&prefix, word, on.year(), n);
                    if let Some(decision) = next.decision.as_mut() {
                        decision.number = number.clone();
                    }
                    event.summary_zh = format!("{}，文号 {number}", event.summary_zh);
                    event.details["number"] = serde_json::json!(number);
                }
                let write = CaseWrite { case: &next, event: &event, clocks: &clock_list, major };
                let version = tx.update_case(&id, &unit_id, version, &write).await?;
                if numbering.is_some() {
                    enter_for_disclosure(tx, &id, &unit_id, &case_number, &next, publish_simple).await?;
                }
                Ok(version)
            })
        })
        .await
}

#[cfg(test)]
mod tests {
    use crate::domain::case::tests::sample_step;
    use crate::domain::case::{Case, CommandKind, EVENT_FORMAT, NewClue};

    /// Issue 21, item 4: the stored event format and the API's wire form of a step come from one
    /// derive, so this snapshot of every step's stored fields (`tests/snapshots/step_events.json`)
    /// makes a change to either loud: it fails until `EVENT_FORMAT` is raised, and only then
    /// does `UPDATE_SNAPSHOTS=1` rewrite it.
    #[test]
    fn the_stored_shape_of_every_step_changes_only_with_its_format_version() {
        let on = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let clue = NewClue {
            organisation: false,
            business_activity: false,
            clue_on: on,
            act_on: on,
            serious_harm: false,
        };
        let case = Case::open(&clue, on).unwrap().0;
        let mut steps = serde_json::Map::new();
        for kind in CommandKind::ALL.iter().copied() {
            let mut fields = serde_json::to_value(sample_step(kind, &case, on)).unwrap();
            fields.as_object_mut().unwrap().remove("action");
            steps.insert(kind.code().to_owned(), fields);
        }
        let now = serde_json::json!({ "format": EVENT_FORMAT, "steps": steps });
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/step_events.json");
        let stored: serde_json::Value = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default();
        if stored == now {
            return;
        }
        let raised = stored["format"].as_u64().is_none_or(|f| f < u64::from(EVENT_FORMAT));
        if raised && std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
            std::fs::write(&path, serde_json::to_string_pretty(&now).unwrap() + "\n").unwrap();
            return;
        }
        assert!(
            raised,
            "the stored shape of a step changed without a new EVENT_FORMAT: raise it (and read the old \
             shape where events are read), then UPDATE_SNAPSHOTS=1"
        );
        panic!(
            "tests/snapshots/step_events.json is stale: UPDATE_SNAPSHOTS=1 (EVENT_FORMAT is {EVENT_FORMAT})"
        );
    }
}
