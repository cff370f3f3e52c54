//! A case step as typed in a form or a JSON body, parsed into the engine's `Command`.

use chrono::NaiveDate;
use serde::Deserialize;

use crate::domain::case::rules::{ExcludedPeriod, parse_yuan};
use crate::domain::case::{
    ActKind, Command, CompulsoryMeasure, DeferralSubject, Findings, Outcome, Penalty, PenaltyKind,
    SubstituteGround,
};
use crate::domain::fields::FieldErrors;
use crate::ops::cases::{checked, date_field, optional_date};

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

    fn penalty(&self, errors: &mut FieldErrors) -> Penalty {
        let mut kinds = Vec::new();
        for (raw, kind) in [
            (&self.kind_warning, PenaltyKind::Warning),
            (&self.kind_fine, PenaltyKind::Fine),
            (&self.kind_confiscation, PenaltyKind::Confiscation),
            (&self.kind_suspend_business, PenaltyKind::SuspendBusiness),
            (&self.kind_demolition, PenaltyKind::Demolition),
        ] {
            if checked(raw) {
                kinds.push(kind);
            }
        }
        let mut money = |raw: &str, field: &'static str| -> i64 {
            if raw.trim().is_empty() {
                return 0;
            }
            parse_yuan(raw).unwrap_or_else(|| {
                errors.add(field, "amount_invalid", "金额格式不正确（元，最多两位小数）");
                0
            })
        };
        let fine_fen = money(&self.fine, "fine");
        let confiscation_fen = money(&self.confiscation, "confiscation");
        Penalty { kinds, fine_fen, confiscation_fen }
    }

    pub fn parse(&self) -> Result<(i64, Command), FieldErrors> {
        let mut errors = FieldErrors::default();
        let version = self.version.trim().parse::<i64>().unwrap_or_else(|_| {
            errors.add("version", "version_invalid", "缺少记录版本，请刷新页面");
            0
        });
        // Choices named by code, read before `date` borrows the errors.
        let action = self.action.as_str();
        let measure = CompulsoryMeasure::parse(self.measure.trim());
        if measure.is_none() && matches!(action, "discuss_compulsory" | "review_compulsory") {
            errors.add("measure", "measure_invalid", "请选择拟作出的行政强制决定");
        }
        let measure = measure.unwrap_or(CompulsoryMeasure::Seizure);
        let excluded_kind = ExcludedPeriod::parse(self.excluded_kind.trim());
        if excluded_kind.is_none() && action == "exclude_period" {
            errors.add("excluded_kind", "kind_invalid", "请选择不计入办案期限的事项");
        }
        let excluded_kind = excluded_kind.unwrap_or(ExcludedPeriod::Testing);
        // The same for the other choices: an unknown or missing one is a field error of the
        // step that needs it, never a default (never a penalty by default, above all).
        let act_kind = ActKind::parse(&self.act_kind);
        if act_kind.is_none() && action == "record_act" {
            errors.add("act_kind", "act_kind_invalid", "请选择调查取证行为的类别");
        }
        let act_kind = act_kind.unwrap_or(ActKind::Other);
        let decided = Outcome::parse(&self.outcome);
        if decided.is_none() && action == "decide" {
            errors.add("outcome", "outcome_invalid", "请选择决定类型（处罚、不予处罚或移送）");
        }
        let decided = decided.unwrap_or(Outcome::Penalty);
        let extension_days = self.days.trim().parse().ok();
        if extension_days.is_none() && action == "extend_decision" {
            errors.add("days", "days_invalid", "请填写延长的天数（整数）");
        }
        let extension_days = extension_days.unwrap_or(0);
        let deferral_subject = DeferralSubject::parse(&self.subject);
        if deferral_subject.is_none() && action == "propose_deferral" {
            errors.add("subject", "subject_invalid", "请选择暂缓的事项");
        }
        let deferral_subject = deferral_subject.unwrap_or(DeferralSubject::Filing);
        // The yes/no selects: `yes` or `no`, anything else a field error of the step that reads
        // it (a missing answer is not the other answer).
        let mut yes_no = |field: &'static str, raw: &str, steps: &[&str]| match raw.trim() {
            "yes" => true,
            "no" => false,
            _ => {
                if steps.contains(&action) {
                    errors.add(field, "choice_invalid", "请选择“是”或“否”");
                }
                false
            }
        };
        let attended = yes_no("attended", &self.attended, &["hold_hearing"]);
        let simple_procedure =
            yes_no("simple_procedure", &self.simple_procedure, &["receive_reconsideration"]);
        let corrected = yes_no("corrected", &self.corrected, &["reinspect"]);
        let party_present = yes_no("party_present", &self.party_present, &["decide_substitute"]);
        let passed = yes_no("passed", &self.passed, &["review_deferral", "review_compulsory"]);
        let mut date = |raw: &str, field: &'static str, label: &str| {
            date_field(&mut errors, field, raw, label).unwrap_or(NaiveDate::MIN)
        };
        let on = if self.on.is_empty() { NaiveDate::MIN } else { date(&self.on, "on", "日期") };
        let text = |s: &str| s.trim().to_owned();
        let command = match self.action.as_str() {
            "file" => Command::File { on, officers: self.officers() },
            "decline_filing" => Command::DeclineFiling { on, reason: text(&self.reason) },
            "extend_lead_check" => Command::ExtendLeadCheck { reason: text(&self.reason) },
            "recuse" => Command::Recuse { person: text(&self.person), reason: text(&self.reason) },
            "reassign" => Command::Reassign { on, officers: self.officers() },
            "record_act" => Command::RecordAct {
                kind: act_kind,
                on,
                officers: self.officers(),
                summary: text(&self.summary),
            },
            "propose" => Command::Propose {
                penalty: self.penalty(&mut errors),
                complex: checked(&self.complex),
                public_interest: checked(&self.public_interest),
                findings: Findings {
                    facts: text(&self.facts),
                    evidence: text(&self.evidence),
                    discretion: text(&self.discretion),
                },
            },
            "review" => Command::Review {
                on,
                checklist: [
                    &self.check_authority,
                    &self.check_qualification,
                    &self.check_procedure,
                    &self.check_facts,
                    &self.check_law,
                    &self.check_discretion,
                    &self.check_documents,
                    &self.check_no_crime,
                ]
                .into_iter()
                .map(|c| checked(c))
                .collect(),
                opinion: text(&self.opinion),
            },
            "discuss" => Command::Discuss {
                on,
                attendees: people_list(&self.attendees),
                conclusion: text(&self.summary),
            },
            "notify" => Command::Notify { on },
            "statement" => Command::Statement { on, summary: text(&self.summary) },
            "waive" => Command::Waive { on },
            "request_hearing" => Command::RequestHearing { on },
            "schedule_hearing" => {
                let notice_on = date(&self.notice_on, "notice_on", "通知日期");
                let hearing_on = date(&self.hearing_on, "hearing_on", "听证日期");
                Command::ScheduleHearing {
                    notice_on,
                    hearing_on,
                    presider: text(&self.presider),
                    place: text(&self.place),
                }
            }
            "hold_hearing" => Command::HoldHearing { on, attended },
            "extend_decision" => Command::ExtendDecision { days: extension_days, reason: text(&self.reason) },
            "decide" => {
                let outcome = decided;
                Command::Decide {
                    on,
                    outcome,
                    penalty: self.penalty(&mut errors),
                    note: text(&self.note),
                    late_reason: text(&self.late_reason),
                }
            }
            "serve" => Command::Serve { on, method: text(&self.method), consent: text(&self.consent) },
            "defer" => Command::Defer {
                until: date(&self.until, "until", "缴纳期限"),
                reason: text(&self.reason),
            },
            "pay" => {
                let amount_fen = parse_yuan(&self.amount).unwrap_or_else(|| {
                    errors.add("amount", "amount_invalid", "请填写缴纳金额（元）");
                    0
                });
                Command::Pay { on, amount_fen }
            }
            "apply_court" => Command::ApplyCourt { on },
            "handle_preservation" => Command::HandlePreservation { on, handling: text(&self.summary) },
            "urge_payment" => Command::UrgePayment { on },
            "register" => Command::Register { on },
            "close" => Command::Close { on, summary: text(&self.summary) },
            "receive_reconsideration" => Command::ReceiveReconsideration {
                on,
                body: text(&self.forum),
                simple: simple_procedure,
                applied_on: optional_date(&mut errors, "applied_on", &self.applied_on),
            },
            "answer_reconsideration" => Command::AnswerReconsideration { on },
            "receive_lawsuit" => Command::ReceiveLawsuit {
                on,
                court: text(&self.forum),
                applied_on: optional_date(&mut errors, "applied_on", &self.applied_on),
            },
            "answer_lawsuit" => Command::AnswerLawsuit { on },
            "conclude_reconsideration" => Command::ConcludeReconsideration { on },
            "conclude_lawsuit" => Command::ConcludeLawsuit { on },
            "seize" => Command::Seize {
                on,
                officers: self.officers(),
                items: self
                    .items
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(String::from)
                    .collect(),
                reason: text(&self.reason),
                emergency: checked(&self.emergency),
            },
            "approve_seizure" => Command::ApproveSeizure { on },
            "extend_seizure" => Command::ExtendSeizure { on, reason: text(&self.reason) },
            "end_seizure" => Command::EndSeizure { on, outcome: text(&self.outcome) },
            "announce_demolition" => {
                Command::AnnounceDemolition { on, deadline: date(&self.deadline, "deadline", "期限") }
            }
            "urge_demolition" => {
                Command::UrgeDemolition { on, deadline: date(&self.deadline, "deadline", "期限") }
            }
            "decide_enforcement" => Command::DecideEnforcement {
                on,
                manner: text(&self.manner),
                execute_on: date(&self.execute_on, "execute_on", "执行时间"),
            },
            "serve_enforcement" => Command::ServeEnforcement { on, method: text(&self.method) },
            "demolish" => Command::Demolish {
                on,
                start_hour: self.start_hour.trim().parse().unwrap_or_else(|_| {
                    errors.add("start_hour", "hour_invalid", "请填写开始时间（0–23 时）");
                    0
                }),
                officers: self.officers(),
            },
            "self_demolish" => Command::SelfDemolish { on, assisted: checked(&self.assisted) },
            "order_correction" => Command::OrderCorrection {
                on,
                deadline: if self.deadline.trim().is_empty() {
                    None
                } else {
                    Some(date(&self.deadline, "deadline", "改正期限"))
                },
                requirement: text(&self.requirement),
                officers: self.officers(),
            },
            "reinspect" => {
                Command::Reinspect { on, officers: self.officers(), corrected, summary: text(&self.summary) }
            }
            "decide_substitute" => {
                let planned_on = date(&self.planned_on, "planned_on", "代履行时间");
                let ground = SubstituteGround::parse(&self.ground).unwrap_or_else(|| {
                    errors.add("ground", "ground_required", "请选择代履行的法定情形");
                    SubstituteGround::Traffic
                });
                let budget_fen = parse_yuan(&self.budget).unwrap_or_else(|| {
                    errors.add("budget", "amount_invalid", "请填写费用预算（元）");
                    0
                });
                Command::DecideSubstitute {
                    on,
                    ground,
                    reason: text(&self.reason),
                    obligation: text(&self.obligation),
                    performer: text(&self.performer),
                    budget_fen,
                    planned_on,
                    party_present,
                }
            }
            "urge_substitute" => Command::UrgeSubstitute { on },
            "perform_substitute" => Command::PerformSubstitute {
                on,
                supervisor: text(&self.supervisor),
                signatory: text(&self.signatory),
                cost_fen: parse_yuan(&self.cost).unwrap_or_else(|| {
                    errors.add("cost", "amount_invalid", "请填写实际费用（元）");
                    0
                }),
                start_hour: match self.start_hour.trim() {
                    "" => None,
                    hour => Some(hour.parse().ok().filter(|h: &u32| *h < 24).unwrap_or_else(|| {
                        errors.add("start_hour", "hour_invalid", "请填写开始时间（0–23 时）");
                        0
                    })),
                },
            },
            "stop_substitute" => Command::StopSubstitute { on },
            "notify_substitute" => Command::NotifySubstitute { on },
            "recover_substitute_cost" => Command::RecoverSubstituteCost {
                on,
                amount_fen: parse_yuan(&self.amount).unwrap_or_else(|| {
                    errors.add("amount", "amount_invalid", "请填写收回金额（元）");
                    0
                }),
            },
            "propose_deferral" => Command::ProposeDeferral {
                on,
                subject: deferral_subject,
                reason: text(&self.reason),
                review_on: date(&self.review_on, "review_on", "复查日期"),
                attendees: people_list(&self.attendees),
                conclusion: text(&self.summary),
            },
            "review_deferral" => Command::ReviewDeferral { on, passed, opinion: text(&self.opinion) },
            "register_deferral" => Command::RegisterDeferral { on, authority: text(&self.authority) },
            "end_deferral" => Command::EndDeferral { on, note: text(&self.summary) },
            "exclude_period" => Command::ExcludePeriod {
                kind: excluded_kind,
                from: date(&self.from, "from", "开始日期"),
                to: date(&self.to, "to", "结束日期"),
                note: text(&self.note),
            },
            "discuss_compulsory" | "review_compulsory" => {
                if self.action == "discuss_compulsory" {
                    Command::DiscussCompulsory {
                        on,
                        measure,
                        attendees: people_list(&self.attendees),
                        conclusion: text(&self.summary),
                    }
                } else {
                    Command::ReviewCompulsory { on, measure, passed, opinion: text(&self.opinion) }
                }
            }
            _ => {
                errors.add("action", "action_unknown", "未知的办理步骤");
                Command::Waive { on }
            }
        };
        // A dated step needs its date: an empty one is a field error, never the earliest day.
        if self.on.trim().is_empty() && command.date().is_some() && errors.get("action").is_none() {
            errors.add("on", "date_required", "请填写日期");
        }
        errors.into_result().map(|()| (version, command))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(fields: &[(&str, &str)]) -> StepForm {
        let body = serde_urlencoded::to_string(fields).unwrap();
        StepForm::from_urlencoded(body.as_bytes()).unwrap()
    }

    /// Issue 21, item 1: the HTML step form parses instead of defaulting. A missing or unknown
    /// choice is a field error of that field; nothing becomes a penalty, "other", 0 or the
    /// earliest day on its own.
    #[test]
    fn a_step_form_refuses_what_it_cannot_read_instead_of_defaulting() {
        let cases: [(&[(&str, &str)], &str); 8] = [
            (
                &[("action", "decide"), ("version", "3"), ("on", "2026-03-02"), ("outcome", "fine-ish")],
                "outcome",
            ),
            (&[("action", "decide"), ("version", "3"), ("on", "2026-03-02")], "outcome"),
            (
                &[("action", "record_act"), ("version", "3"), ("on", "2026-03-02"), ("act_kind", "chat")],
                "act_kind",
            ),
            (
                &[("action", "extend_decision"), ("version", "3"), ("days", "thirty"), ("reason", "复杂")],
                "days",
            ),
            (&[("action", "notify"), ("version", "3"), ("on", "")], "on"),
            (
                &[("action", "propose_deferral"), ("version", "3"), ("on", "2026-03-02"), ("subject", "x")],
                "subject",
            ),
            (&[("action", "hold_hearing"), ("version", "3"), ("on", "2026-03-02")], "attended"),
            (
                &[("action", "review_deferral"), ("version", "3"), ("on", "2026-03-02"), ("passed", "ok")],
                "passed",
            ),
        ];
        for (fields, field) in cases {
            let errors = form(fields).parse().unwrap_err();
            assert!(errors.get(field).is_some(), "{fields:?} should fail on {field}: {errors:?}");
        }
        // Well-formed, they read as typed.
        let (_, command) =
            form(&[("action", "decide"), ("version", "3"), ("on", "2026-03-02"), ("outcome", "no_penalty")])
                .parse()
                .unwrap();
        assert!(matches!(command, Command::Decide { outcome: Outcome::NoPenalty, .. }), "{command:?}");
        let (_, command) =
            form(&[("action", "extend_decision"), ("version", "3"), ("days", "30"), ("reason", "案情复杂")])
                .parse()
                .unwrap();
        assert!(matches!(command, Command::ExtendDecision { days: 30, .. }), "{command:?}");
    }
}
