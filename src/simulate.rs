//! The scenario simulator (`chengguan case simulate --script FILE`): a legal reviewer or a
//! trainer writes a case as a list of steps on chosen dates, by chosen people, and sees which
//! the engine accepts and which it refuses, with the rule, and the clocks at the end. It runs
//! the case engine (`domain::case::apply`) against this data directory's calendar, case rules,
//! responsibility list and people, and writes nothing: no case, no audit record.
//!
//! The script (`docs/simulator.md` has examples) is JSON:
//! `{"party": {"organisation": false, "business_activity": false}, "item": "ZL-GG-001",
//!   "steps": [{"on": "2026-03-02", "by": "squadlead01", "open": {"clue_on": …, "act_on": …}},
//!             {"on": "2026-03-02", "by": "leader01", "body": {"action": "file", "officers": ["officer01", "officer02"]}}, …]}`.
//! Wherever a step's body names people (officers, presider, supervisor, person, reviewer),
//! demo or registered usernames may stand for their person ids.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::domain::case::clocks::clocks;
use crate::domain::case::{Actor, Case, Command, Context, NewClue, apply};
use crate::store::Db;

/// A script as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Script {
    #[serde(default)]
    pub party: ScriptParty,
    /// The responsibility item (权责清单 code), for the fine range a decision is held to.
    #[serde(default)]
    pub item: Option<String>,
    pub steps: Vec<ScriptStep>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptParty {
    #[serde(default)]
    pub organisation: bool,
    #[serde(default)]
    pub business_activity: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptStep {
    /// The day the step is taken (`YYYY-MM-DD`, or with a time `YYYY-MM-DDTHH:MM`).
    pub on: String,
    /// Who takes it: a username.
    pub by: String,
    /// The first step: the case-opening fields (`clue_on`, `act_on`, `serious_harm`).
    #[serde(default)]
    pub open: Option<OpenBody>,
    /// Any later step: the body of `POST /api/v1/cases/{id}/steps` without `version`.
    #[serde(default)]
    pub body: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
pub struct OpenBody {
    pub clue_on: NaiveDate,
    pub act_on: NaiveDate,
    #[serde(default)]
    pub serious_harm: bool,
}

/// A script that cannot be run as written (exit 2), as opposed to a step the law refuses.
#[derive(Debug, thiserror::Error)]
pub enum ScriptError {
    #[error("the script is not valid JSON of the simulator's form: {0}")]
    Form(String),
    #[error("step {step}: {message}")]
    Step { step: usize, message: String },
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// The fields of a step body that name people.
const PEOPLE_FIELDS: [&str; 6] = ["officers", "presider", "supervisor", "person", "reviewer", "attendees"];

/// Runs the script and returns the output lines: one per step, then the clocks.
pub async fn run(db: &Db, text: &str) -> Result<Vec<serde_json::Value>, ScriptError> {
    let script: Script = serde_json::from_str(text).map_err(|e| ScriptError::Form(e.to_string()))?;
    if script.steps.is_empty() {
        return Err(ScriptError::Form("a script needs at least the opening step".to_owned()));
    }
    let calendar = db.work_calendar().await?;
    let (rules, _) = db.case_rules().await?;
    // Every username the script uses, to its account (person id and roles).
    let mut accounts: HashMap<String, (Option<String>, crate::domain::access::RoleSet)> = HashMap::new();
    let mut persons: HashMap<String, String> = HashMap::new();
    for (n, step) in script.steps.iter().enumerate() {
        let mut names = vec![step.by.clone()];
        if let Some(body) = &step.body {
            names.extend(named_people(body));
        }
        for name in names {
            if accounts.contains_key(&name) {
                continue;
            }
            match db.account_by_username(&name).await? {
                Some(account) => {
                    if let Some(person) = &account.person_id {
                        persons.insert(name.clone(), person.clone());
                    }
                    accounts.insert(name, (account.person_id, account.roles));
                }
                None if name == step.by => {
                    return Err(ScriptError::Step { step: n + 1, message: format!("no account `{name}`") });
                }
                None => {}
            }
        }
    }
    let people = db.person_facts(&persons.values().cloned().collect::<Vec<_>>()).await?;
    let mut out = Vec::new();
    let mut case: Option<Case> = None;
    let mut today = NaiveDate::MIN;
    for (n, step) in script.steps.iter().enumerate() {
        let number = n + 1;
        let on = parse_day(&step.on).ok_or_else(|| ScriptError::Step {
            step: number,
            message: format!("`on` must be YYYY-MM-DD, not {:?}", step.on),
        })?;
        today = on;
        let (person_id, roles) = accounts[&step.by].clone();
        let actor = Actor { person_id, roles };
        let result = match (&case, &step.open, &step.body) {
            (None, Some(open), None) => {
                let clue = NewClue {
                    organisation: script.party.organisation,
                    business_activity: script.party.business_activity,
                    clue_on: open.clue_on,
                    act_on: open.act_on,
                    serious_harm: open.serious_harm,
                };
                Case::open(&clue, on).map(|(opened, _)| case = Some(opened))
            }
            (Some(current), None, Some(body)) => {
                let body = with_person_ids(body, &persons);
                let command: Command = serde_json::from_value(body).map_err(|e| ScriptError::Step {
                    step: number,
                    message: format!("the body is not a step of the case engine: {e}"),
                })?;
                let decided_on = command.date().unwrap_or(on);
                let fine_range = match &script.item {
                    Some(code) => db
                        .applicable_fine(code, current.organisation, current.act_on, decided_on)
                        .await?
                        .map(|(range, _)| range),
                    None => None,
                };
                let ctx = Context {
                    actor: &actor,
                    today: on,
                    people: &people,
                    calendar: &calendar,
                    rules: &rules,
                    fine_range,
                };
                apply(current, &command, &ctx).map(|(next, _)| case = Some(next))
            }
            (None, _, _) => {
                return Err(ScriptError::Step {
                    step: number,
                    message: "the first step opens the case: `open`".to_owned(),
                });
            }
            _ => {
                return Err(ScriptError::Step {
                    step: number,
                    message: "after the opening, each step has a `body` (and no `open`)".to_owned(),
                });
            }
        };
        out.push(match result {
            Ok(()) => serde_json::json!({ "step": number, "result": "accepted" }),
            Err(refusal) => serde_json::json!({
                "step": number, "result": "refused", "code": refusal.code, "article": refusal.basis,
                "message": refusal.message_zh,
            }),
        });
    }
    let final_clocks: Vec<serde_json::Value> = case
        .as_ref()
        .map(|c| clocks(c, &calendar, &rules))
        .unwrap_or_default()
        .into_iter()
        .map(|clock| {
            let status = clock.status(today).code();
            serde_json::json!({
                "kind": clock.kind.code(), "start": clock.start, "due": clock.due.date(),
                "provisional": clock.due.is_provisional(), "status": status,
            })
        })
        .collect();
    out.push(serde_json::json!({ "clocks": final_clocks }));
    Ok(out)
}

fn parse_day(raw: &str) -> Option<NaiveDate> {
    let day = raw.get(..10)?;
    NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
}

/// The usernames (or ids) a body names in its people fields.
fn named_people(body: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    for field in PEOPLE_FIELDS {
        match body.get(field) {
            Some(serde_json::Value::String(s)) => out.push(s.clone()),
            Some(serde_json::Value::Array(items)) => {
                out.extend(items.iter().filter_map(|v| v.as_str().map(str::to_owned)));
            }
            _ => {}
        }
    }
    out
}

/// The body with each username in a people field replaced by its person id.
fn with_person_ids(body: &serde_json::Value, persons: &HashMap<String, String>) -> serde_json::Value {
    let mut body = body.clone();
    let swap = |v: &mut serde_json::Value| {
        if let Some(id) = v.as_str().and_then(|s| persons.get(s)) {
            *v = serde_json::Value::String(id.clone());
        }
    };
    for field in PEOPLE_FIELDS {
        match body.get_mut(field) {
            Some(serde_json::Value::Array(items)) => items.iter_mut().for_each(swap),
            Some(value) => swap(value),
            None => {}
        }
    }
    body
}
