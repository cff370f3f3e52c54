//! A case step as typed in a form or a JSON body, parsed into the engine's `Command`.

use serde::Deserialize;

use serde_json::{Value, json};

use crate::domain::case::opening::checked;
use crate::domain::case::rules::parse_yuan;
use crate::domain::case::{Command, PenaltyKind};
use crate::domain::fields::FieldErrors;

/// One step as typed in a form. Every field is text; [`StepForm::parse`] makes the command.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct StepForm {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub on: String,
    #[serde(default)]
    pub officer1: String,
    #[serde(default)]
    pub officer2: String,
    #[serde(default)]
    pub officer3: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub act_kind: String,
    #[serde(default)]
    pub kind_warning: String,
    #[serde(default)]
    pub kind_fine: String,
    #[serde(default)]
    pub kind_confiscation: String,
    #[serde(default)]
    pub kind_suspend_business: String,
    #[serde(default)]
    pub kind_demolition: String,
    #[serde(default)]
    pub fine: String,
    #[serde(default)]
    pub confiscation: String,
    #[serde(default)]
    pub complex: String,
    #[serde(default)]
    pub public_interest: String,
    #[serde(default)]
    pub check_authority: String,
    #[serde(default)]
    pub check_qualification: String,
    #[serde(default)]
    pub check_procedure: String,
    #[serde(default)]
    pub check_facts: String,
    #[serde(default)]
    pub check_law: String,
    #[serde(default)]
    pub check_discretion: String,
    #[serde(default)]
    pub check_documents: String,
    #[serde(default)]
    pub check_no_crime: String,
    #[serde(default)]
    pub opinion: String,
    #[serde(default)]
    pub attendees: String,
    #[serde(default)]
    pub notice_on: String,
    #[serde(default)]
    pub hearing_on: String,
    #[serde(default)]
    pub presider: String,
    #[serde(default)]
    pub attended: String,
    #[serde(default)]
    pub days: String,
    #[serde(default)]
    pub outcome: String,
    #[serde(default)]
    pub note: String,
    /// Why a decision comes after the 90 days of Art. 60.
    #[serde(default)]
    pub late_reason: String,
    #[serde(default)]
    pub method: String,
    #[serde(default)]
    pub until: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub person: String,
    #[serde(default)]
    pub forum: String,
    /// `yes` when the 复议 is handled in the simple procedure.
    #[serde(default)]
    pub simple_procedure: String,
    /// The day the party applied for 复议 or sued (optional).
    #[serde(default)]
    pub applied_on: String,
    /// Electronic service: the party's recorded consent.
    #[serde(default)]
    pub consent: String,
    #[serde(default)]
    pub facts: String,
    #[serde(default)]
    pub evidence: String,
    #[serde(default)]
    pub discretion: String,
    #[serde(default)]
    pub place: String,
    /// 查封扣押清单: one item per line.
    #[serde(default)]
    pub items: String,
    #[serde(default)]
    pub emergency: String,
    #[serde(default)]
    pub deadline: String,
    #[serde(default)]
    pub start_hour: String,
    #[serde(default)]
    pub assisted: String,
    #[serde(default)]
    pub requirement: String,
    #[serde(default)]
    pub corrected: String,
    #[serde(default)]
    pub ground: String,
    #[serde(default)]
    pub obligation: String,
    #[serde(default)]
    pub performer: String,
    #[serde(default)]
    pub budget: String,
    #[serde(default)]
    pub planned_on: String,
    /// 强制执行决定: the manner and the day from which it is carried out.
    #[serde(default)]
    pub manner: String,
    #[serde(default)]
    pub execute_on: String,
    #[serde(default)]
    pub party_present: String,
    #[serde(default)]
    pub supervisor: String,
    #[serde(default)]
    pub signatory: String,
    #[serde(default)]
    pub cost: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub review_on: String,
    #[serde(default)]
    pub authority: String,
    #[serde(default)]
    pub passed: String,
    /// The compulsory decision a 集体讨论 or 法制审核 clears: `seizure`, `substitute`, `enforcement`.
    #[serde(default)]
    pub measure: String,
    /// A time left out of the 90 days: its kind and first and last days.
    #[serde(default)]
    pub excluded_kind: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

/// People named in a list, separated by commas, 、 or spaces (the step handler joins the ids
/// of checked attendee boxes this way).
fn people_list(raw: &str) -> Vec<String> {
    raw.split([',', '，', '、', ' ']).map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
}

impl StepForm {
    /// Reads a submitted step form. The attendee boxes of a 集体讨论 arrive as repeated
    /// `attendee` fields, which a struct cannot hold; they are joined into `attendees`.
    pub fn from_urlencoded(body: &[u8]) -> Result<StepForm, FieldErrors> {
        let (mut form, attendees): (StepForm, _) = crate::web::body::form_with_list(body, "attendee")?;
        if !attendees.is_empty() {
            form.attendees = attendees.join(",");
        }
        Ok(form)
    }

    fn officers(&self) -> Vec<String> {
        [&self.officer1, &self.officer2, &self.officer3]
            .into_iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// The form reshaped into the step's JSON shape, for [`Command::from_json`] to read: the
    /// form does not judge a value, it only says what was typed where the JSON has it. A blank
    /// date, number or choice is left out (so a step that needs it says `required`); a value
    /// that cannot become JSON's type (`thirty` days, `12,5` yuan) goes as typed, so that the
    /// parser refuses it as it refuses the same value from the API.
    fn step_json(&self) -> Value {
        let action = self.action.trim();
        let text = |raw: &str| Value::from(raw.trim());
        let blank_is_absent = |raw: &str| (!raw.trim().is_empty()).then(|| text(raw));
        let number = |raw: &str| {
            let raw = raw.trim();
            (!raw.is_empty()).then(|| raw.parse::<u64>().map(Value::from).unwrap_or_else(|_| raw.into()))
        };
        let fen = |raw: &str| {
            let raw = raw.trim();
            (!raw.is_empty()).then(|| parse_yuan(raw).map(Value::from).unwrap_or_else(|| raw.into()))
        };
        let yes_no = |raw: &str| match raw.trim() {
            "yes" => Some(Value::Bool(true)),
            "no" => Some(Value::Bool(false)),
            _ => blank_is_absent(raw),
        };
        let boxed = |raw: &str| Value::Bool(checked(raw));
        let kinds: Vec<&str> = [
            (&self.kind_warning, PenaltyKind::Warning),
            (&self.kind_fine, PenaltyKind::Fine),
            (&self.kind_confiscation, PenaltyKind::Confiscation),
            (&self.kind_suspend_business, PenaltyKind::SuspendBusiness),
            (&self.kind_demolition, PenaltyKind::Demolition),
        ]
        .into_iter()
        .filter(|(raw, _)| checked(raw))
        .map(|(_, kind)| kind.code())
        .collect();
        let checklist = [
            &self.check_authority,
            &self.check_qualification,
            &self.check_procedure,
            &self.check_facts,
            &self.check_law,
            &self.check_discretion,
            &self.check_documents,
            &self.check_no_crime,
        ]
        .map(|c| checked(c));
        let items: Vec<&str> = self.items.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        // The form has one summary box and one kind select where the steps name them apart.
        let (kind, note) = match action {
            "record_act" => (&self.act_kind, &self.note),
            "end_deferral" => (&self.excluded_kind, &self.summary),
            _ => (&self.excluded_kind, &self.note),
        };
        let mut step = json!({
            "action": action,
            "officers": self.officers(),
            "reason": text(&self.reason),
            "person": text(&self.person),
            "summary": text(&self.summary),
            "conclusion": text(&self.summary),
            "handling": text(&self.summary),
            "note": text(note),
            "penalty": {
                "kinds": kinds,
                "fine_fen": fen(&self.fine).unwrap_or(Value::from(0)),
                "confiscation_fen": fen(&self.confiscation).unwrap_or(Value::from(0)),
            },
            "complex": boxed(&self.complex),
            "public_interest": boxed(&self.public_interest),
            "findings": { "facts": text(&self.facts), "evidence": text(&self.evidence), "discretion": text(&self.discretion) },
            "checklist": checklist,
            "opinion": text(&self.opinion),
            "attendees": people_list(&self.attendees),
            "presider": text(&self.presider),
            "place": text(&self.place),
            "late_reason": text(&self.late_reason),
            "method": text(&self.method),
            "consent": text(&self.consent),
            "body": text(&self.forum),
            "court": text(&self.forum),
            "items": items,
            "emergency": boxed(&self.emergency),
            "manner": text(&self.manner),
            "assisted": boxed(&self.assisted),
            "requirement": text(&self.requirement),
            "obligation": text(&self.obligation),
            "performer": text(&self.performer),
            "supervisor": text(&self.supervisor),
            "signatory": text(&self.signatory),
            "authority": text(&self.authority),
        });
        let optional = [
            ("on", blank_is_absent(&self.on)),
            ("notice_on", blank_is_absent(&self.notice_on)),
            ("hearing_on", blank_is_absent(&self.hearing_on)),
            ("until", blank_is_absent(&self.until)),
            ("applied_on", blank_is_absent(&self.applied_on)),
            ("deadline", blank_is_absent(&self.deadline)),
            ("execute_on", blank_is_absent(&self.execute_on)),
            ("planned_on", blank_is_absent(&self.planned_on)),
            ("review_on", blank_is_absent(&self.review_on)),
            ("from", blank_is_absent(&self.from)),
            ("to", blank_is_absent(&self.to)),
            ("kind", blank_is_absent(kind)),
            ("outcome", blank_is_absent(&self.outcome)),
            ("ground", blank_is_absent(&self.ground)),
            ("subject", blank_is_absent(&self.subject)),
            ("measure", blank_is_absent(&self.measure)),
            ("days", number(&self.days)),
            ("start_hour", number(&self.start_hour)),
            ("amount_fen", fen(&self.amount)),
            ("budget_fen", fen(&self.budget)),
            ("cost_fen", fen(&self.cost)),
            ("attended", yes_no(&self.attended)),
            ("simple", yes_no(&self.simple_procedure)),
            ("corrected", yes_no(&self.corrected)),
            ("party_present", yes_no(&self.party_present)),
            ("passed", yes_no(&self.passed)),
        ];
        if let Some(fields) = step.as_object_mut() {
            for (key, value) in optional {
                if let Some(value) = value {
                    fields.insert(key.to_owned(), value);
                }
            }
        }
        step
    }

    /// Reads the form into the case's version and the step, or the field errors of the form's
    /// own fields (the parser's paths renamed to the inputs that hold them).
    pub fn parse(&self) -> Result<(i64, Command), FieldErrors> {
        let Ok(version) = self.version.trim().parse::<i64>() else {
            return Err(FieldErrors::single("version", "version_invalid", "缺少记录版本，请刷新页面"));
        };
        let command = Command::from_json(self.step_json()).map_err(|errors| {
            let mut renamed = FieldErrors::default();
            for e in errors.iter() {
                renamed.add(form_field(self.action.trim(), e.field), e.code, e.message.clone());
            }
            renamed
        })?;
        Ok((version, command))
    }
}

/// The form input that holds a step's field (by its path in the JSON shape).
fn form_field(action: &str, path: &'static str) -> &'static str {
    match path {
        "penalty.fine_fen" => "fine",
        "penalty.confiscation_fen" => "confiscation",
        "penalty.kinds" => "kind_fine",
        "findings.facts" => "facts",
        "findings.evidence" => "evidence",
        "findings.discretion" => "discretion",
        "kind" if action == "record_act" => "act_kind",
        "kind" => "excluded_kind",
        "note" if action == "end_deferral" => "summary",
        "simple" => "simple_procedure",
        "amount_fen" => "amount",
        "budget_fen" => "budget",
        "cost_fen" => "cost",
        "body" | "court" => "forum",
        "conclusion" | "handling" => "summary",
        "officers" => "officer1",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::case::rules::yuan;
    use crate::domain::case::tests::sample_step;
    use crate::domain::case::{CommandKind, step_field};

    fn form(fields: &[(String, String)]) -> StepForm {
        let body = serde_urlencoded::to_string(fields).unwrap();
        StepForm::from_urlencoded(body.as_bytes()).unwrap()
    }

    fn pairs(fields: &[(&str, &str)]) -> Vec<(String, String)> {
        fields.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    /// The yes/no selects of the form (the other booleans are checkboxes).
    const YES_NO: [&str; 5] = ["attended", "simple", "corrected", "party_present", "passed"];
    const CHECKS: [&str; 8] =
        ["authority", "qualification", "procedure", "facts", "law", "discretion", "documents", "no_crime"];

    /// The form a user fills for a step, from the step's JSON shape: what the case page's inputs
    /// would send (the inverse of `step_json`).
    fn form_of(json: &Value) -> Vec<(String, String)> {
        let action = json["action"].as_str().unwrap();
        let mut out = pairs(&[("action", action), ("version", "3")]);
        let mut push = |k: &str, v: String| out.push((k.to_owned(), v));
        for (key, value) in json.as_object().unwrap() {
            let key = key.as_str();
            let text = |v: &Value| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string());
            match (key, value) {
                ("action", _) | (_, Value::Null) => {}
                ("officers", Value::Array(list)) => {
                    for (i, o) in list.iter().enumerate() {
                        push(&format!("officer{}", i + 1), text(o));
                    }
                }
                ("attendees", Value::Array(list)) => list.iter().for_each(|a| push("attendee", text(a))),
                ("items", Value::Array(list)) => {
                    push("items", list.iter().map(text).collect::<Vec<_>>().join("\n"));
                }
                ("checklist", Value::Array(list)) => {
                    for (name, on) in CHECKS.iter().zip(list) {
                        if on.as_bool() == Some(true) {
                            push(&format!("check_{name}"), "on".into());
                        }
                    }
                }
                ("penalty", p) => {
                    for kind in p["kinds"].as_array().unwrap() {
                        push(&format!("kind_{}", text(kind)), "on".into());
                    }
                    push("fine", yuan(p["fine_fen"].as_i64().unwrap()));
                    push("confiscation", yuan(p["confiscation_fen"].as_i64().unwrap()));
                }
                ("findings", f) => {
                    for part in ["facts", "evidence", "discretion"] {
                        push(part, text(&f[part]));
                    }
                }
                (k, Value::Bool(b)) if YES_NO.contains(&k) => {
                    push(form_field(action, json_key(k)), if *b { "yes" } else { "no" }.into());
                }
                (k, Value::Bool(b)) => {
                    if *b {
                        push(k, "on".into());
                    }
                }
                (k, Value::Number(n)) if k.ends_with("_fen") => {
                    push(form_field(action, json_key(k)), yuan(n.as_i64().unwrap()));
                }
                (k, v) => push(form_field(action, json_key(k)), text(v)),
            }
        }
        out
    }

    /// A JSON key as the static path the parser names it by.
    fn json_key(key: &str) -> &'static str {
        step_field(key).expect("a field of some step").0
    }

    fn sample_json(kind: CommandKind) -> Value {
        let case = crate::domain::case::Case::open(
            &crate::domain::case::NewClue {
                organisation: false,
                business_activity: false,
                clue_on: "2026-03-02".parse().unwrap(),
                act_on: "2026-03-02".parse().unwrap(),
                serious_harm: false,
            },
            "2026-03-02".parse().unwrap(),
        )
        .unwrap()
        .0;
        serde_json::to_value(sample_step(kind, &case, "2026-03-02".parse().unwrap())).unwrap()
    }

    /// What one parse gave, comparable across the two paths: the command, or the first error's
    /// code and the form input it names.
    fn outcome(
        result: Result<Command, FieldErrors>,
        action: &str,
    ) -> Result<Command, (String, &'static str)> {
        result.map_err(|errors| {
            let e = errors.iter().next().unwrap();
            (form_field(action, e.field).to_owned(), e.code)
        })
    }

    /// Issue 21, item 1: the form a user fills for any step reads as the same command the API
    /// reads from the step's JSON.
    #[test]
    fn every_step_filled_in_the_form_is_the_command_its_json_gives() {
        for kind in CommandKind::ALL.iter().copied() {
            let json = sample_json(kind);
            let (version, command) =
                form(&form_of(&json)).parse().unwrap_or_else(|e| panic!("{kind:?}: {e}"));
            assert_eq!(version, 3);
            assert_eq!(command, Command::from_json(json).unwrap(), "{kind:?}");
        }
    }

    /// Issue 21, item 1, both paths, a test per field: the same typed value in the form's input
    /// and in the JSON field gives the same command or the same error on the same field; a form
    /// input left blank and the JSON field left out give the same (`required`, or the default of
    /// an optional field).
    #[test]
    fn the_form_and_the_json_refuse_the_same_value_of_every_field_alike() {
        let mut compared = 0;
        for kind in CommandKind::ALL.iter().copied() {
            let json = sample_json(kind);
            let action = kind.code();
            let filled = form_of(&json);
            for (key, value) in json.as_object().unwrap() {
                // Lists, checkboxes and nested objects have no single input to type into.
                let typed = match value {
                    Value::String(_) | Value::Number(_) => true,
                    Value::Bool(_) => YES_NO.contains(&key.as_str()),
                    _ => false,
                };
                if key == "action" || !typed {
                    continue;
                }
                let input = form_field(action, json_key(key));
                for raw in ["?", "2026-02-30", ""] {
                    let mut fields = filled.clone();
                    fields.iter_mut().filter(|(k, _)| k == input).for_each(|(_, v)| *v = raw.to_owned());
                    let form = form(&fields);
                    // The API's client types the same text, or leaves the field out where the
                    // form leaves a blank input out.
                    let mut sent = json.clone();
                    if form.step_json().get(key).is_some() {
                        sent[key] = raw.into();
                    } else {
                        sent.as_object_mut().unwrap().remove(key);
                    }
                    let by_form = outcome(form.parse().map(|(_, c)| c), action);
                    let by_json = outcome(Command::from_json(sent.clone()), action);
                    assert_eq!(by_form, by_json, "{kind:?}.{key} typed as {raw:?} (JSON {sent})");
                    compared += 1;
                }
            }
        }
        assert!(compared > 300, "only {compared} comparisons");
    }

    /// The errors a user sees are about the inputs they typed into.
    #[test]
    fn a_step_form_refuses_what_it_cannot_read_instead_of_defaulting() {
        type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
        let cases: [Case; 9] = [
            (
                &[("action", "decide"), ("version", "3"), ("on", "2026-03-02"), ("outcome", "fine-ish")],
                "outcome",
                "invalid_value",
            ),
            (&[("action", "decide"), ("version", "3"), ("on", "2026-03-02")], "outcome", "required"),
            (
                &[("action", "record_act"), ("version", "3"), ("on", "2026-03-02"), ("act_kind", "chat")],
                "act_kind",
                "invalid_value",
            ),
            (
                &[("action", "extend_decision"), ("version", "3"), ("days", "thirty"), ("reason", "复杂")],
                "days",
                "invalid_value",
            ),
            (&[("action", "notify"), ("version", "3"), ("on", "")], "on", "required"),
            (
                &[("action", "propose_deferral"), ("version", "3"), ("on", "2026-03-02"), ("subject", "x")],
                "subject",
                "invalid_value",
            ),
            (&[("action", "hold_hearing"), ("version", "3"), ("on", "2026-03-02")], "attended", "required"),
            (
                &[("action", "review_deferral"), ("version", "3"), ("on", "2026-03-02"), ("passed", "ok")],
                "passed",
                "invalid_value",
            ),
            (
                &[("action", "pay"), ("version", "3"), ("on", "2026-03-02"), ("amount", "12.345")],
                "amount",
                "invalid_value",
            ),
        ];
        for (fields, field, code) in cases {
            let errors = form(&pairs(fields)).parse().unwrap_err();
            let error = errors.iter().next().unwrap();
            assert_eq!((error.field, error.code), (field, code), "{fields:?}");
        }
        let errors = form(&pairs(&[("action", "notify"), ("on", "2026-03-02")])).parse().unwrap_err();
        assert_eq!(errors.iter().next().unwrap().field, "version");
    }
}
