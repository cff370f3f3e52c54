//! 三步走约谈 (issue 18 scope 8; plan §三（三）3): talking before punishing, as a tracked
//! escalation. Step one reminds the party of the rule (提醒告知), step two is a formal talk with
//! an order to correct by a day (约谈告诫、责令限期改正; 行政处罚法 Art. 28 ¶1), and only when that
//! too fails does step three open a case (立案查处). Each of the first two steps ends in a
//! re-inspection: corrected, the talk is over; not corrected, the next step is due.
//!
//! The talk is the list of what happened ([`TalkEvent`]); its state is folded from it
//! ([`state`]) and every new event is checked against it ([`check`]), so no step can be
//! skipped or taken twice whatever the entry point.
//!
//! What the law offers instead of punishing is the case engine's: 不予处罚 for a minor act
//! corrected in time, or a first act with slight consequences (Art. 33, with education
//! recorded), and a lighter penalty under Art. 32. "先罚后返" — fining and then returning the
//! fine once the party corrects — is not among them: a fine goes to the treasury and no agency
//! may return it (Art. 74), so the talk page says so instead of offering it ([`NO_REFUND_ZH`]).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::fields::{FieldErrors, date, line, text};

/// The longest time a step may give the party to correct before the re-inspection, in
/// calendar days. Not a number of the law (Art. 28 leaves 限期 to the agency): a bound so that
/// a typing error does not park a talk for a year.
pub const MAX_CORRECTION_DAYS: i64 = 30;

/// Why the talk page offers no "先罚后返", in the words the page shows.
pub const NO_REFUND_ZH: &str = "“先罚后返”（先处罚款、改正后返还）没有法律依据：罚款必须全部上缴国库，任何行政机关不得以任何形式截留、返还（行政处罚法第七十四条），罚缴分离（第六十七条）。法律允许的是：违法行为轻微并及时改正、没有造成危害后果的，不予行政处罚；初次违法且危害后果轻微并及时改正的，可以不予行政处罚，并应当对当事人进行教育（第三十三条）；主动消除或者减轻违法行为危害后果等情形，应当从轻或者减轻处罚（第三十二条）。这些在案件办理中作出决定时选择。";

/// The steps of 三步走.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TalkStep {
    /// 第一步：提醒告知
    Reminder,
    /// 第二步：约谈告诫、责令限期改正
    Interview,
    /// 第三步：立案查处
    Case,
}

impl TalkStep {
    pub fn number(self) -> u8 {
        match self {
            TalkStep::Reminder => 1,
            TalkStep::Interview => 2,
            TalkStep::Case => 3,
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            TalkStep::Reminder => "第一步 提醒告知",
            TalkStep::Interview => "第二步 约谈告诫、责令限期改正",
            TalkStep::Case => "第三步 立案查处",
        }
    }
}

/// What happened in a talk, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TalkEvent {
    /// Step one or two held: who talked with the party, what was agreed, and the day by which
    /// the party corrects (the re-inspection's day).
    Step {
        step: TalkStep,
        #[schema(value_type = String, format = Date)]
        held_on: NaiveDate,
        held_by: String,
        agreed: String,
        #[schema(value_type = String, format = Date)]
        reinspect_by: NaiveDate,
    },
    /// The re-inspection of the last step: corrected or not.
    Reinspection {
        #[schema(value_type = String, format = Date)]
        on: NaiveDate,
        complied: bool,
        note: String,
    },
    /// Step three: the case opened on the act.
    Case {
        #[schema(value_type = String, format = Date)]
        on: NaiveDate,
        case_id: String,
    },
}

/// Where a talk stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TalkState {
    /// A step was held; the re-inspection is due by `due`.
    Awaiting {
        step: TalkStep,
        #[schema(value_type = String, format = Date)]
        due: NaiveDate,
    },
    /// The re-inspection after `step` found the act not corrected: the next step is due.
    NotCorrected { step: TalkStep },
    /// Corrected: the talk ended without a case.
    Corrected {
        #[schema(value_type = String, format = Date)]
        on: NaiveDate,
    },
    /// Ended in a case.
    Cased { case_id: String },
}

impl TalkState {
    pub fn code(&self) -> &'static str {
        match self {
            TalkState::Awaiting { .. } => "awaiting",
            TalkState::NotCorrected { .. } => "not_corrected",
            TalkState::Corrected { .. } => "corrected",
            TalkState::Cased { .. } => "cased",
        }
    }

    pub fn name_zh(&self) -> String {
        match self {
            TalkState::Awaiting { step, due } => format!("{}，待 {due} 前复查", step.name_zh()),
            TalkState::NotCorrected { step: TalkStep::Reminder } => "复查未改正，应进行第二步约谈".to_owned(),
            TalkState::NotCorrected { .. } => "约谈后复查仍未改正，应立案查处".to_owned(),
            TalkState::Corrected { on } => format!("已改正（{on} 复查），未立案"),
            TalkState::Cased { .. } => "已立案查处".to_owned(),
        }
    }

    /// The re-inspection's day has passed without one.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        matches!(self, TalkState::Awaiting { due, .. } if *due < today)
    }

    /// The next step the talk waits for, if it is still open.
    pub fn next_step(&self) -> Option<TalkStep> {
        match self {
            TalkState::NotCorrected { step: TalkStep::Reminder } => Some(TalkStep::Interview),
            TalkState::NotCorrected { .. } => Some(TalkStep::Case),
            _ => None,
        }
    }

    /// The re-inspection's day while one is awaited (for listing and the 工作台).
    pub fn due(&self) -> Option<NaiveDate> {
        match self {
            TalkState::Awaiting { due, .. } => Some(*due),
            _ => None,
        }
    }
}

/// Folds the events into the state. An empty talk does not exist: the first event is always
/// step one, written with the talk.
pub fn state(events: &[TalkEvent]) -> Option<TalkState> {
    let mut current = None;
    for event in events {
        current = Some(match (event, &current) {
            (TalkEvent::Step { step, reinspect_by, .. }, _) => {
                TalkState::Awaiting { step: *step, due: *reinspect_by }
            }
            (TalkEvent::Reinspection { on, complied: true, .. }, _) => TalkState::Corrected { on: *on },
            (TalkEvent::Reinspection { complied: false, .. }, Some(TalkState::Awaiting { step, .. })) => {
                TalkState::NotCorrected { step: *step }
            }
            (TalkEvent::Reinspection { .. }, _) => return None,
            (TalkEvent::Case { case_id, .. }, _) => TalkState::Cased { case_id: case_id.clone() },
        });
    }
    current
}

/// Why an event does not follow from the talk's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TalkRefusal {
    pub code: &'static str,
    pub message_zh: String,
}

fn refuse(code: &'static str, message: impl Into<String>) -> Result<(), TalkRefusal> {
    Err(TalkRefusal { code, message_zh: message.into() })
}

/// Whether `event` may follow `events` on `today`: the steps in their order, one
/// re-inspection per step, a case only after the talk failed, nothing after the talk ended,
/// nothing dated in the future or before the step it follows.
pub fn check(events: &[TalkEvent], event: &TalkEvent, today: NaiveDate) -> Result<(), TalkRefusal> {
    let current = state(events);
    let last_step_on = events.iter().rev().find_map(|e| match e {
        TalkEvent::Step { held_on, .. } => Some(*held_on),
        _ => None,
    });
    let on = match event {
        TalkEvent::Step { held_on, .. } => *held_on,
        TalkEvent::Reinspection { on, .. } | TalkEvent::Case { on, .. } => *on,
    };
    if on > today {
        return refuse("in_future", "日期不能晚于今天");
    }
    if last_step_on.is_some_and(|d| on < d) {
        return refuse("before_last_step", "日期不能早于上一步约谈");
    }
    match (event, &current) {
        (TalkEvent::Step { step: TalkStep::Reminder, .. }, None) => Ok(()),
        (
            TalkEvent::Step { step: TalkStep::Interview, .. },
            Some(TalkState::NotCorrected { step: TalkStep::Reminder }),
        ) => Ok(()),
        (TalkEvent::Reinspection { .. }, Some(TalkState::Awaiting { .. })) => Ok(()),
        (TalkEvent::Case { .. }, Some(TalkState::NotCorrected { step: TalkStep::Interview })) => Ok(()),
        (_, Some(TalkState::Corrected { .. } | TalkState::Cased { .. })) => {
            refuse("talk_ended", "该约谈已结束（已改正或已立案），不能再登记")
        }
        (TalkEvent::Reinspection { .. }, _) => refuse("no_step_awaiting", "当前没有待复查的约谈"),
        (_, Some(TalkState::Awaiting { .. })) => {
            refuse("reinspection_first", "请先登记复查结果：改正的结束约谈，未改正的再进行下一步")
        }
        _ => refuse("step_out_of_order", "三步走须依次进行：提醒告知、约谈告诫、立案查处"),
    }
}

/// A step held, as typed (the first with the talk, the second on its own).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct TalkStepInput {
    #[schema(value_type = String, format = Date)]
    pub held_on: String,
    /// Who talked with the party (the officers' names).
    #[schema(max_length = 100, pattern = "\\S")]
    pub held_by: String,
    /// What was said and agreed (the rule explained, what the party will correct).
    #[schema(max_length = 1000, pattern = "\\S")]
    pub agreed: String,
    /// The re-inspection's day: after the talk, at most 30 days later.
    #[schema(value_type = String, format = Date)]
    pub reinspect_by: String,
}

impl TalkStepInput {
    pub fn parse(&self, step: TalkStep, errors: &mut FieldErrors) -> Option<TalkEvent> {
        let held_on = date(errors, "held_on", &self.held_on, "约谈日期");
        let held_by = line(errors, "held_by", &self.held_by, 100, "请填写约谈人员");
        let agreed = line_block(errors, "agreed", &self.agreed, 1000, "请填写约谈内容和当事人承诺");
        let reinspect_by = date(errors, "reinspect_by", &self.reinspect_by, "复查日期");
        if let (Some(held), Some(by)) = (held_on, reinspect_by)
            && (by <= held || (by - held).num_days() > MAX_CORRECTION_DAYS)
        {
            errors.add(
                "reinspect_by",
                "invalid_value",
                format!("复查日期应在约谈之后 {MAX_CORRECTION_DAYS} 日以内"),
            );
            return None;
        }
        Some(TalkEvent::Step { step, held_on: held_on?, held_by, agreed, reinspect_by: reinspect_by? })
    }
}

/// A required text that may span lines.
fn line_block(errors: &mut FieldErrors, field: &'static str, raw: &str, max: usize, message: &str) -> String {
    let value = text(errors, field, raw, max);
    if value.is_empty() {
        errors.add(field, "invalid_value", message);
    }
    value
}

/// A talk opened, as typed: the party, the squad, the act, and step one.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct OpenTalkInput {
    #[schema(max_length = 64, pattern = "\\S")]
    pub party_id: String,
    #[schema(max_length = 64, pattern = "\\S")]
    pub unit_id: String,
    /// The act talked about (e.g. 店外经营占用人行道).
    #[schema(max_length = 200, pattern = "\\S")]
    pub subject: String,
    #[serde(flatten)]
    pub step: TalkStepInput,
}

/// A talk opened, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TalkDraft {
    pub party_id: String,
    pub unit_id: String,
    pub subject: String,
    pub first: TalkEvent,
}

impl OpenTalkInput {
    pub fn parse(&self) -> Result<TalkDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let party_id = line(&mut errors, "party_id", &self.party_id, 64, "请填写当事人档案编号");
        let unit_id = line(&mut errors, "unit_id", &self.unit_id, 64, "请选择中队");
        let subject = line(&mut errors, "subject", &self.subject, 200, "请填写约谈的违法行为");
        let first = self.step.parse(TalkStep::Reminder, &mut errors);
        errors.into_result()?;
        Ok(TalkDraft { party_id, unit_id, subject, first: first.expect("checked") })
    }
}

/// A re-inspection, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ReinspectionInput {
    #[schema(value_type = String, format = Date)]
    pub on: String,
    /// `yes` (corrected) or `no`.
    #[schema(example = "yes")]
    pub complied: String,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub note: String,
}

impl ReinspectionInput {
    pub fn parse(&self) -> Result<TalkEvent, FieldErrors> {
        let mut errors = FieldErrors::default();
        let on = date(&mut errors, "on", &self.on, "复查日期");
        let complied = match self.complied.trim() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => {
                errors.add("complied", "invalid_value", "请选择复查结果（已改正或未改正）");
                None
            }
        };
        let note = text(&mut errors, "note", &self.note, 500);
        errors.into_result()?;
        Ok(TalkEvent::Reinspection { on: on.expect("checked"), complied: complied.expect("checked"), note })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn step(step: TalkStep, on: &str, by: &str) -> TalkEvent {
        TalkEvent::Step {
            step,
            held_on: d(on),
            held_by: "张三、李四".into(),
            agreed: "当日收摊".into(),
            reinspect_by: d(by),
        }
    }

    fn reinspect(on: &str, complied: bool) -> TalkEvent {
        TalkEvent::Reinspection { on: d(on), complied, note: String::new() }
    }

    #[test]
    fn the_three_steps_follow_each_other_through_failed_reinspections() {
        let today = d("2026-03-31");
        let mut events = Vec::new();
        let case = TalkEvent::Case { on: d("2026-03-20"), case_id: "c1".into() };
        for (event, refusal) in [
            (reinspect("2026-03-02", false), Some("no_step_awaiting")),
            (step(TalkStep::Interview, "2026-03-02", "2026-03-05"), Some("step_out_of_order")),
            (step(TalkStep::Reminder, "2026-03-02", "2026-03-05"), None),
            (step(TalkStep::Interview, "2026-03-03", "2026-03-06"), Some("reinspection_first")),
            (case.clone(), Some("reinspection_first")),
            (reinspect("2026-03-01", false), Some("before_last_step")),
            (reinspect("2026-03-05", false), None),
            (case.clone(), Some("step_out_of_order")),
            (step(TalkStep::Interview, "2026-03-06", "2026-03-16"), None),
            (reinspect("2026-03-16", false), None),
            (step(TalkStep::Interview, "2026-03-17", "2026-03-20"), Some("step_out_of_order")),
            (case.clone(), None),
            (reinspect("2026-03-21", true), Some("talk_ended")),
        ] {
            let result = check(&events, &event, today);
            assert_eq!(result.as_ref().err().map(|r| r.code), refusal, "{event:?}");
            if result.is_ok() {
                events.push(event);
            }
        }
        assert_eq!(state(&events), Some(TalkState::Cased { case_id: "c1".into() }));
    }

    #[test]
    fn a_corrected_act_ends_the_talk_and_a_missed_reinspection_is_overdue() {
        let events = vec![step(TalkStep::Reminder, "2026-03-02", "2026-03-09")];
        let awaiting = state(&events).unwrap();
        assert!(!awaiting.overdue(d("2026-03-09")) && awaiting.overdue(d("2026-03-10")));
        assert_eq!(awaiting.due(), Some(d("2026-03-09")));
        let mut done = events.clone();
        done.push(reinspect("2026-03-09", true));
        assert_eq!(state(&done), Some(TalkState::Corrected { on: d("2026-03-09") }));
        assert_eq!(
            check(&done, &step(TalkStep::Interview, "2026-03-10", "2026-03-12"), d("2026-03-31"))
                .unwrap_err()
                .code,
            "talk_ended"
        );
        assert_eq!(
            check(&[], &step(TalkStep::Reminder, "2026-04-01", "2026-04-02"), d("2026-03-31"))
                .unwrap_err()
                .code,
            "in_future"
        );
    }

    #[test]
    fn a_step_gives_at_most_thirty_days_to_correct() {
        let input = |by: &str| TalkStepInput {
            held_on: "2026-03-02".into(),
            held_by: "张三".into(),
            agreed: "限期整改".into(),
            reinspect_by: by.into(),
        };
        for (by, ok) in [("2026-03-02", false), ("2026-04-01", true), ("2026-04-02", false)] {
            let mut errors = FieldErrors::default();
            let event = input(by).parse(TalkStep::Reminder, &mut errors);
            assert_eq!(errors.is_empty(), ok, "{by}");
            assert_eq!(event.is_some(), ok, "{by}");
        }
        let errors = OpenTalkInput::default().parse().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["party_id", "unit_id", "subject", "held_on", "held_by", "agreed", "reinspect_by"]
        );
    }

    #[test]
    fn the_page_says_why_there_is_no_refund_of_a_fine() {
        assert!(NO_REFUND_ZH.contains("第七十四条") && NO_REFUND_ZH.contains("第三十三条"));
    }
}
