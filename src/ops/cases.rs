//! Opening a case and taking a step on it: the engine decides, the store writes the next
//! state, the timeline entry, the clocks and the audit record in one transaction, guarded by
//! the case's version.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use crate::app::AppState;
use crate::domain::access::{Action, RoleSet, Scope};
use crate::domain::case::clocks::clocks;
use crate::domain::case::items::{ApplicableRange, DiscretionBand};
use crate::domain::case::rules::parse_yuan;
use crate::domain::case::{
    Actor as EngineActor, Case, Command, Context, NewClue, Outcome, Penalty, PenaltyKind, SpotDecision, apply,
};
use crate::domain::fields::FieldErrors;
use crate::domain::time::civil_date;
use crate::ops::{Actor, Error};
use crate::store::cases::{CaseWrite, Item, NewCase};
use crate::store::org::Unit;

/// Where a lead came from (案件来源), as the bureau's 立案审批表 lists them, with the phrase a
/// decision uses (本机关于……在{phrase}中发现).
pub const SOURCES: [(&str, &str, &str); 6] = [
    ("patrol", "巡查发现", "日常巡查"),
    ("complaint", "投诉举报", "处理投诉举报"),
    ("digital_city", "数字城管派遣", "处理数字城管派遣案件"),
    ("hotline", "12345热线", "处理12345热线工单"),
    ("referral", "其他部门移送", "审查其他部门移送的线索"),
    ("superior", "上级交办", "办理上级交办事项"),
];

pub fn source_name(code: &str) -> &str {
    SOURCES.iter().find(|(c, _, _)| *c == code).map_or(code, |(_, n, _)| n)
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
            // Walk up from the target: in scope if the caller's unit is on the way.
            let mut current = Some(unit_id.to_owned());
            while let Some(id) = current {
                if id == own {
                    return true;
                }
                current = units.iter().find(|u| u.id == id).and_then(|u| u.parent_id.clone());
            }
            false
        }
        None => false,
    }
}

/// An optional date field: empty is `None`, anything else must be `YYYY-MM-DD`.
pub fn optional_date(errors: &mut FieldErrors, field: &'static str, raw: &str) -> Option<NaiveDate> {
    match raw.trim() {
        "" => None,
        text => NaiveDate::parse_from_str(text, "%Y-%m-%d").map_or_else(
            |_| {
                errors.add(field, "date_invalid", "日期格式应为 2026-03-02");
                None
            },
            Some,
        ),
    }
}

pub fn date_field(
    errors: &mut FieldErrors,
    field: &'static str,
    raw: &str,
    label: &str,
) -> Option<NaiveDate> {
    match NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.add(field, "date_invalid", format!("请填写{label}（年-月-日）"));
            None
        }
    }
}

/// A lead or an on-the-spot decision as typed.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct OpenInput {
    /// `general` (a lead, 线索; the default) or `simple` (当场处罚).
    #[serde(default)]
    #[schema(pattern = r"^(general|simple)?$")]
    pub procedure: String,
    #[schema(min_length = 1)]
    pub party_id: String,
    /// A category code of `/api/v1/case-rules`.
    #[schema(min_length = 1)]
    pub category: String,
    #[serde(default)]
    pub item_code: String,
    /// The handling squad; the caller's own unit if empty.
    #[serde(default)]
    pub unit_id: String,
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub title: String,
    #[serde(default)]
    pub location: String,
    /// One of `patrol`, `complaint`, `digital_city`, `hotline`, `referral`, `superior`
    /// (a general-procedure lead must name one; an on-the-spot decision is `patrol`).
    #[serde(default)]
    #[schema(pattern = r"^(patrol|complaint|digital_city|hotline|referral|superior)?$")]
    pub source: String,
    /// Lead found or received (general), or the on-the-spot decision's day (simple).
    #[schema(value_type = String, format = Date)]
    pub clue_on: String,
    #[schema(value_type = String, format = Date)]
    pub act_on: String,
    /// 5-year limitation (行政处罚法 Art. 36): life, health or financial safety harmed.
    #[serde(default)]
    pub serious_harm: String,
    #[serde(default)]
    pub business_activity: String,
    /// Simple procedure: the two officers, and the penalty.
    #[serde(default)]
    pub officer1: String,
    #[serde(default)]
    pub officer2: String,
    #[serde(default)]
    pub warning: String,
    /// The fine in yuan (`200`, `50.5`).
    #[serde(default)]
    #[schema(pattern = r"^([0-9]{1,9}(\.[0-9]{1,2})?)?$")]
    pub fine: String,
}

pub fn checked(raw: &str) -> bool {
    matches!(raw, "on" | "true" | "1" | "yes")
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
    let mut errors = FieldErrors::default();
    let simple = input.procedure == "simple";
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
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > 100 {
        errors.add("title", "title_invalid", "请填写案由（100 字以内）");
    }
    let source = if simple { "patrol" } else { input.source.trim() };
    if !SOURCES.iter().any(|(c, _, _)| *c == source) {
        errors.add("source", "source_unknown", "请选择案件来源");
    }
    let clue_on =
        date_field(&mut errors, "clue_on", &input.clue_on, if simple { "处罚日期" } else { "发现日期" });
    let act_on = date_field(&mut errors, "act_on", &input.act_on, "违法行为日期");
    let fine_fen = if input.fine.trim().is_empty() {
        Some(0)
    } else {
        let parsed = parse_yuan(&input.fine);
        if parsed.is_none() {
            errors.add("fine", "amount_invalid", "罚款金额格式不正确");
        }
        parsed
    };
    let (Some(party), Some(clue_on), Some(act_on), Some(fine_fen), true) =
        (party, clue_on, act_on, fine_fen, errors.is_empty())
    else {
        return Err(Error::Invalid(errors));
    };
    let today = civil_date(state.now());
    let organisation = party.organisation;
    let business_activity = checked(&input.business_activity);
    let calendar = state.db.work_calendar().await?;
    let (rules, _) = state.db.case_rules().await?;
    let officers = vec![input.officer1.trim().to_owned(), input.officer2.trim().to_owned()];
    // Read everything before the write transaction: it holds a connection (and on SQLite the
    // write lock) until commit, so no other query may wait inside it.
    let people = if simple { state.db.person_facts(&officers).await? } else { HashMap::new() };
    let fine_range = applicable_fine_range(state, item.as_ref(), organisation, act_on, clue_on).await?;
    // A lead's state needs nothing from the database; an on-the-spot decision needs its number,
    // which is taken inside the transaction (numbers have no gaps).
    let spot = if simple {
        let mut kinds = Vec::new();
        if checked(&input.warning) {
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
        let clue = NewClue {
            organisation,
            business_activity,
            clue_on,
            act_on,
            serious_harm: checked(&input.serious_harm),
        };
        let handling_days = categories
            .iter()
            .find(|c| c.code == input.category)
            .and_then(|c| u32::try_from(c.handling_days).ok());
        let (mut case, event) = Case::open(&clue, today).map_err(Error::from_refusal)?;
        case.handling_days = handling_days;
        Ok((case, event))
    };
    let owned = (
        input.category.clone(),
        item.map(|i| i.code),
        party.id,
        unit_id,
        title.to_owned(),
        input.location.trim().to_owned(),
        source.to_owned(),
    );
    let engine_actor = actor.engine();
    let prefix = state.config.doc_prefix.clone();
    let id = crate::store::new_id(state.now());
    let audit = actor.audit_ctx();
    state
        .db
        .write(&audit, state.now(), move |tx| {
            Box::pin(async move {
                let (category, item_code, party_id, unit_id, title, location, source) = &owned;
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
                        let n = tx.next_number("spot_decision", year).await?;
                        let number = format!("{prefix}当罚字〔{year}〕第{n}号");
                        Case::open_simple(&spot, number, &ctx).map_err(Error::from_refusal)?
                    }
                };
                let clock_list = clocks(&case, &calendar, &rules);
                let major = !case.major_reasons(&rules).is_empty();
                let new = NewCase {
                    category,
                    item_code: item_code.as_deref(),
                    party_id,
                    unit_id,
                    title,
                    location,
                    source,
                };
                tx.insert_case(
                    &id,
                    &case_number,
                    &new,
                    &CaseWrite { case: &case, event: &event, clocks: &clock_list, major },
                )
                .await?;
                Ok(Opened { id, number: case_number })
            })
        })
        .await
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
            ids.extend(attendees.iter().map(|a| a.trim().to_owned()))
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
    let (id, unit_id) = (id.to_owned(), record.unit_id);
    let audit = actor.audit_ctx();
    state
        .db
        .write(&audit, state.now(), move |tx| {
            Box::pin(async move {
                // A decision takes its number in the transaction that records it: no gaps.
                if let Some((on, outcome)) = numbering {
                    let (doc_type, word) = match outcome {
                        Outcome::Penalty => ("penalty_decision", "罚决字"),
                        Outcome::NoPenalty => ("no_penalty_decision", "不罚字"),
                        Outcome::Transfer => ("transfer", "移字"),
                    };
                    let n = tx.next_number(doc_type, on.year()).await?;
                    let number = format!("{prefix}{word}〔{}〕第{n}号", on.year());
                    if let Some(decision) = next.decision.as_mut() {
                        decision.number = number.clone();
                    }
                    event.summary_zh = format!("{}，文号 {number}", event.summary_zh);
                    event.details["number"] = serde_json::json!(number);
                }
                let write = CaseWrite { case: &next, event: &event, clocks: &clock_list, major };
                Ok(tx.update_case(&id, &unit_id, version, &write).await?)
            })
        })
        .await
}
