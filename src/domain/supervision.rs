//! 督察 (issue 16 scope 3; plan §三（四）2–3): the bureau's outside supervisors, the meetings it
//! holds with them, the year's meeting targets, and the opinions they raise.
//!
//! The plan asks for at least two meetings a year with the 行风监督员 and four with the 社会化
//! 督察员 ([`DEFAULT_TARGETS`]); the office may set other targets per year, kept as data.
//! An opinion (at a meeting or at any time) is assigned to a unit with a day to answer by; the
//! unit answers; the office accepts the answer — which publishes it to the supervisor — or
//! returns it with a reason, and the unit answers again. The steps are one state machine
//! ([`OpinionState::after`]), enforced here whatever the entry point.
//!
//! A supervisor sees their own opinions and the accepted answers, never a name or a number of a
//! party or of staff: an answer with an ID, phone or account number in it is refused before it
//! can be published ([`AnswerInput::parse`]), and the supervisor's view names units only.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::domain::fields::{FieldErrors, date, line, text};
use crate::domain::intake::coded;
use crate::domain::org::Phone;

coded! {
    /// The kinds of outside supervisor the plan names.
    SupervisorKind {
        /// 行风监督员: watch the bureau's conduct (plan: meet them at least twice a year).
        Conduct = "conduct", "行风监督员",
        /// 社会化监督员（督察员）: citizens who inspect the squads' work (at least four meetings).
        Social = "social", "社会化监督员（督察员）",
        /// 网民代表.
        Netizen = "netizen", "网民代表",
        /// 人大代表.
        NpcDeputy = "npc_deputy", "人大代表",
        /// 政协委员.
        CppccMember = "cppcc_member", "政协委员",
    }
}

/// The plan's meeting targets (plan §三（四）2 建立健全督察制度: “组织不少于2次行风监督员会议和4次
/// 的社会化督察员会议”): the defaults of a year the office has not set otherwise. A kind not named
/// here has no target. The plan is the bureau's own rule, not a statute, so the office may
/// change them per year ([`TargetInput`]).
pub const DEFAULT_TARGETS: [(SupervisorKind, u32); 2] =
    [(SupervisorKind::Conduct, 2), (SupervisorKind::Social, 4)];

/// The working days an assigned unit has to answer an opinion when the office gives no other
/// day. Bureau practice, not a statute: no law sets a term for a supervisor's opinion (a 人大代表's
/// formal 建议 runs three months under 代表法 Art. 43 and is handled outside this register).
pub const DEFAULT_ANSWER_WORKING_DAYS: u32 = 15;

/// The most meetings a year a target may ask for (a typo guard: one a week is already plenty).
pub const MAX_TARGET: u32 = 52;

/// A supervisor as typed by the office.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct SupervisorInput {
    /// `conduct`, `social`, `netizen`, `npc_deputy` or `cppcc_member`.
    #[schema(example = "conduct")]
    pub kind: String,
    #[schema(max_length = 30, pattern = "\\S")]
    pub name: String,
    /// Where they work or whom they represent (区人大代表、某社区居委会…).
    #[serde(default)]
    #[schema(max_length = 100)]
    pub affiliation: String,
    /// A mobile number (11 digits); stored sealed, shown masked.
    #[serde(default)]
    #[schema(example = "13812345678")]
    pub phone: String,
    /// `YYYY-MM-DD`: the term of office.
    #[schema(value_type = String, format = Date)]
    pub term_from: String,
    #[schema(value_type = String, format = Date)]
    pub term_to: String,
}

/// A supervisor parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supervisor {
    pub kind: SupervisorKind,
    pub name: String,
    pub affiliation: String,
    pub phone: Option<Phone>,
    pub term_from: NaiveDate,
    pub term_to: NaiveDate,
}

impl SupervisorInput {
    pub fn parse(&self) -> Result<Supervisor, FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind = SupervisorKind::parse(&self.kind);
        if kind.is_none() {
            errors.add("kind", "invalid_value", "请选择监督员类别");
        }
        let name = line(&mut errors, "name", &self.name, 30, "请填写姓名");
        let affiliation = text(&mut errors, "affiliation", &self.affiliation, 100);
        let phone = match self.phone.trim() {
            "" => None,
            raw => {
                let phone = Phone::parse(raw);
                if phone.is_none() {
                    errors.add("phone", "invalid", "请输入正确的手机号码");
                }
                phone
            }
        };
        let term_from = date(&mut errors, "term_from", &self.term_from, "任期开始日期");
        let term_to = date(&mut errors, "term_to", &self.term_to, "任期结束日期");
        if let (Some(from), Some(to)) = (term_from, term_to)
            && to < from
        {
            errors.add("term_to", "term_reversed", "任期结束日期不能早于开始日期");
        }
        errors.into_result()?;
        Ok(Supervisor {
            kind: kind.expect("checked"),
            name,
            affiliation,
            phone,
            term_from: term_from.expect("checked"),
            term_to: term_to.expect("checked"),
        })
    }
}

/// A year's meeting target for one kind, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct TargetInput {
    #[schema(example = "social")]
    pub kind: String,
    /// Meetings a year (0 = no target).
    pub meetings: u32,
}

impl TargetInput {
    pub fn parse(&self) -> Result<(SupervisorKind, u32), FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind = SupervisorKind::parse(&self.kind);
        if kind.is_none() {
            errors.add("kind", "invalid_value", "请选择监督员类别");
        }
        if self.meetings > MAX_TARGET {
            errors.add("meetings", "out_of_range", format!("每年最多 {MAX_TARGET} 次"));
        }
        errors.into_result()?;
        Ok((kind.expect("checked"), self.meetings))
    }
}

/// The targets in force for a year: the office's rows over the plan's defaults.
pub fn targets(stored: &[(SupervisorKind, u32)]) -> Vec<(SupervisorKind, u32)> {
    SupervisorKind::ALL
        .iter()
        .map(|kind| {
            let default = DEFAULT_TARGETS.iter().find(|(k, _)| k == kind).map_or(0, |(_, n)| *n);
            let set = stored.iter().find(|(k, _)| k == kind).map(|(_, n)| *n);
            (*kind, set.unwrap_or(default))
        })
        .collect()
}

/// How one kind stands against its yearly target on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Progress {
    #[schema(value_type = String)]
    pub kind: SupervisorKind,
    pub target: u32,
    /// Meetings held in the year up to the day.
    pub held: u32,
    /// What an even spread of the target over the months asks for by the end of the day's
    /// month (all of it for a past year): `floor(target × months / 12)`.
    pub expected: u32,
    /// Fewer held than expected.
    pub behind: bool,
}

/// Progress of every kind with a target (or a meeting) in `year`, as of `today`.
pub fn progress(
    year: i32,
    today: NaiveDate,
    targets: &[(SupervisorKind, u32)],
    held: &[SupervisorKind],
) -> Vec<Progress> {
    let months = match today.year().cmp(&year) {
        std::cmp::Ordering::Greater => 12,
        std::cmp::Ordering::Equal => today.month(),
        std::cmp::Ordering::Less => 0,
    };
    targets
        .iter()
        .map(|(kind, target)| {
            let count = held.iter().filter(|k| *k == kind).count() as u32;
            let expected = target * months / 12;
            Progress { kind: *kind, target: *target, held: count, expected, behind: count < expected }
        })
        .filter(|p| p.target > 0 || p.held > 0)
        .collect()
}

/// A meeting as typed by the office.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct SupervisorMeetingInput {
    /// Which supervisors it was held with (counts against that kind's target).
    #[schema(example = "social")]
    pub kind: String,
    #[schema(value_type = String, format = Date)]
    pub held_on: String,
    #[schema(max_length = 100, pattern = "\\S")]
    pub place: String,
    #[schema(max_length = 1000, pattern = "\\S")]
    pub agenda: String,
    /// 会议纪要.
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub minutes: String,
    /// Supervisor ids who attended.
    pub attendees: Vec<String>,
}

/// A meeting parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub kind: SupervisorKind,
    pub held_on: NaiveDate,
    pub place: String,
    pub agenda: String,
    pub minutes: String,
    pub attendees: Vec<String>,
}

impl SupervisorMeetingInput {
    pub fn parse(&self, today: NaiveDate) -> Result<Meeting, FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind = SupervisorKind::parse(&self.kind);
        if kind.is_none() {
            errors.add("kind", "invalid_value", "请选择座谈会类别");
        }
        let held_on = date(&mut errors, "held_on", &self.held_on, "会议日期");
        if held_on.is_some_and(|d| d > today) {
            errors.add("held_on", "in_future", "会议召开后再登记");
        }
        let place = line(&mut errors, "place", &self.place, 100, "请填写地点");
        let agenda = line(&mut errors, "agenda", &self.agenda, 1000, "请填写议程");
        let minutes = text(&mut errors, "minutes", &self.minutes, 10000);
        let mut attendees: Vec<String> =
            self.attendees.iter().map(|a| a.trim().to_owned()).filter(|a| !a.is_empty()).collect();
        attendees.sort();
        attendees.dedup();
        if attendees.is_empty() {
            errors.add("attendees", "invalid_value", "请选择出席的监督员");
        }
        errors.into_result()?;
        Ok(Meeting {
            kind: kind.expect("checked"),
            held_on: held_on.expect("checked"),
            place,
            agenda,
            minutes,
            attendees,
        })
    }
}

coded! {
    /// What a supervisor raised.
    OpinionKind {
        /// 意见建议.
        Opinion = "opinion", "意见建议",
        /// 投诉: a complaint about the bureau's staff or work.
        Complaint = "complaint", "投诉",
    }
}

/// An opinion as recorded by the office (or typed by the supervisor, who is then its author).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct OpinionInput {
    /// Whose opinion: required from the office, ignored from a supervisor (it is theirs).
    #[serde(default)]
    pub supervisor_id: String,
    /// The meeting it was raised at, if any.
    #[serde(default)]
    pub meeting_id: String,
    #[schema(example = "opinion")]
    pub kind: String,
    /// `YYYY-MM-DD`; today when empty.
    #[serde(default)]
    #[schema(value_type = String, format = Date)]
    pub received_on: String,
    #[schema(max_length = 2000, pattern = "\\S")]
    pub content: String,
}

/// An opinion parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opinion {
    pub supervisor_id: String,
    pub meeting_id: Option<String>,
    pub kind: OpinionKind,
    pub received_on: NaiveDate,
    pub content: String,
}

impl OpinionInput {
    pub fn parse(&self, today: NaiveDate) -> Result<Opinion, FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.supervisor_id.trim().is_empty() {
            errors.add("supervisor_id", "invalid_value", "请选择监督员");
        }
        let kind = OpinionKind::parse(&self.kind);
        if kind.is_none() {
            errors.add("kind", "invalid_value", "请选择意见建议或投诉");
        }
        let received_on = match self.received_on.trim() {
            "" => Some(today),
            raw => date(&mut errors, "received_on", raw, "收到日期"),
        };
        if received_on.is_some_and(|d| d > today) {
            errors.add("received_on", "in_future", "收到日期不能晚于今天");
        }
        let content = line(&mut errors, "content", &self.content, 2000, "请填写意见内容");
        errors.into_result()?;
        let meeting = self.meeting_id.trim();
        Ok(Opinion {
            supervisor_id: self.supervisor_id.trim().to_owned(),
            meeting_id: (!meeting.is_empty()).then(|| meeting.to_owned()),
            kind: kind.expect("checked"),
            received_on: received_on.expect("checked"),
            content,
        })
    }
}

/// The office assigns an opinion to a unit.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AssignInput {
    pub unit_id: String,
    /// `YYYY-MM-DD`; empty: [`DEFAULT_ANSWER_WORKING_DAYS`] working days from today.
    #[serde(default)]
    #[schema(value_type = String, format = Date)]
    pub due_on: String,
    /// How many steps the caller saw: a step taken meanwhile makes this a conflict (409).
    #[serde(default)]
    pub seen_steps: Option<i64>,
}

impl AssignInput {
    /// `default_due` is today plus the default term on the work calendar.
    pub fn parse(
        &self,
        today: NaiveDate,
        default_due: NaiveDate,
    ) -> Result<(String, NaiveDate), FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.unit_id.trim().is_empty() {
            errors.add("unit_id", "invalid_value", "请选择承办单位");
        }
        let due = match self.due_on.trim() {
            "" => Some(default_due),
            raw => date(&mut errors, "due_on", raw, "答复期限"),
        };
        if due.is_some_and(|d| d < today) {
            errors.add("due_on", "in_past", "答复期限不能早于今天");
        }
        errors.into_result()?;
        Ok((self.unit_id.trim().to_owned(), due.expect("checked")))
    }
}

/// The unit's answer.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AnswerInput {
    /// What was done: published to the supervisor once accepted, so it may name no one's ID,
    /// phone or account number.
    #[schema(max_length = 2000, pattern = "\\S")]
    pub answer: String,
    /// How many steps the caller saw: a step taken meanwhile makes this a conflict (409).
    #[serde(default)]
    pub seen_steps: Option<i64>,
}

impl AnswerInput {
    pub fn parse(&self) -> Result<String, FieldErrors> {
        let answer = self.answer.trim();
        if answer.chars().count() > 2000 {
            return Err(FieldErrors::single("answer", "too_long", "答复不能超过 2000 字"));
        }
        crate::domain::disclosure::check_public_text("answer", answer, &Default::default())
    }
}

/// The office's review of an answer.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ReviewInput {
    /// `true`: accepted and published to the supervisor; `false`: returned to the unit.
    pub accept: bool,
    /// Why it is returned (required then).
    #[serde(default)]
    #[schema(max_length = 500)]
    pub reason: String,
    /// How many steps the caller saw: a step taken meanwhile makes this a conflict (409).
    #[serde(default)]
    pub seen_steps: Option<i64>,
}

impl ReviewInput {
    pub fn parse(&self) -> Result<(bool, String), FieldErrors> {
        let mut errors = FieldErrors::default();
        let reason = text(&mut errors, "reason", &self.reason, 500);
        if !self.accept && reason.is_empty() {
            errors.add("reason", "reason_required", "退回须说明理由");
        }
        errors.into_result()?;
        Ok((self.accept, reason))
    }
}

coded! {
    /// A step of an opinion's history.
    StepKind {
        Assigned = "assigned", "交办",
        Answered = "answered", "答复",
        Accepted = "accepted", "审核通过",
        Returned = "returned", "退回重办",
    }
}

coded! {
    /// Where an opinion stands.
    OpinionState {
        /// 待交办: recorded, not yet assigned.
        Received = "received", "待交办",
        /// 办理中: assigned, not answered.
        Assigned = "assigned", "办理中",
        /// 待审核: answered, waiting for the office.
        Answered = "answered", "待审核",
        /// 已办结: the answer accepted and published to the supervisor.
        Accepted = "accepted", "已办结",
        /// 退回重办: the answer returned; the unit answers again.
        Returned = "returned", "退回重办",
    }
}

/// A step refused in the state the opinion is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepRefused {
    pub code: &'static str,
    pub message: &'static str,
}

impl OpinionState {
    /// The state after `step`, or why the step cannot be taken now. Assigning again (another
    /// unit, another day) is allowed while the unit has not answered.
    pub fn after(self, step: StepKind) -> Result<OpinionState, StepRefused> {
        use OpinionState as S;
        use StepKind as K;
        match (self, step) {
            (S::Accepted, _) => Err(StepRefused { code: "opinion_closed", message: "该意见已办结" }),
            (S::Received | S::Assigned | S::Returned, K::Assigned) => Ok(S::Assigned),
            (S::Assigned | S::Returned, K::Answered) => Ok(S::Answered),
            (S::Answered, K::Accepted) => Ok(S::Accepted),
            (S::Answered, K::Returned) => Ok(S::Returned),
            (S::Received, K::Answered) => {
                Err(StepRefused { code: "opinion_not_assigned", message: "该意见尚未交办" })
            }
            (S::Answered, K::Assigned | K::Answered) => {
                Err(StepRefused { code: "opinion_answered", message: "该意见已答复，等待审核" })
            }
            (_, K::Accepted | K::Returned) => {
                Err(StepRefused { code: "opinion_not_answered", message: "该意见尚未答复" })
            }
        }
    }
}

/// One step as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Step {
    pub seq: i64,
    #[schema(value_type = String)]
    pub kind: StepKind,
    /// The unit assigned (an `assigned` step).
    pub unit_id: Option<String>,
    pub due_on: Option<NaiveDate>,
    /// The answer, or the reason for a return.
    pub body: String,
    pub on: NaiveDate,
}

/// What an opinion's steps add up to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Standing {
    #[schema(value_type = String)]
    pub state: OpinionState,
    pub unit_id: Option<String>,
    pub due_on: Option<NaiveDate>,
    /// The answer that stands (not returned), and its day.
    pub answer: Option<String>,
    pub answered_on: Option<NaiveDate>,
    /// Accepted: the answer is published to the supervisor.
    pub published: bool,
    /// Assigned or returned, and past its day.
    pub overdue: bool,
}

/// Folds the steps (in order) into where the opinion stands on `today`. Steps are only ever
/// stored after [`OpinionState::after`] allowed them, so a step it refuses here is skipped.
pub fn standing(steps: &[Step], today: NaiveDate) -> Standing {
    let mut s = Standing {
        state: OpinionState::Received,
        unit_id: None,
        due_on: None,
        answer: None,
        answered_on: None,
        published: false,
        overdue: false,
    };
    for step in steps {
        let Ok(next) = s.state.after(step.kind) else { continue };
        s.state = next;
        match step.kind {
            StepKind::Assigned => {
                s.unit_id.clone_from(&step.unit_id);
                s.due_on = step.due_on;
            }
            StepKind::Answered => {
                s.answer = Some(step.body.clone());
                s.answered_on = Some(step.on);
            }
            StepKind::Accepted => s.published = true,
            StepKind::Returned => {
                s.answer = None;
                s.answered_on = None;
            }
        }
    }
    s.overdue = matches!(s.state, OpinionState::Assigned | OpinionState::Returned)
        && s.due_on.is_some_and(|due| today > due);
    s
}

/// 督察意见按期答复 for the squad assessment: per unit, of the opinions whose answer day fell in
/// `[first, last]` and has passed by `today` — or that were answered in it — how many have a
/// standing answer given by their day. A returned answer does not stand: the unit answers again,
/// and counts on time only if that answer is in time.
pub fn on_time(
    standings: &[Standing],
    first: NaiveDate,
    last: NaiveDate,
    today: NaiveDate,
) -> HashMap<String, (i64, i64)> {
    let mut out: HashMap<String, (i64, i64)> = HashMap::new();
    let within = |d: NaiveDate| d >= first && d <= last;
    for s in standings {
        let (Some(unit), Some(due)) = (&s.unit_id, s.due_on) else { continue };
        let answered_in = s.answered_on.filter(|d| within(*d));
        let judged =
            answered_in.is_some() || (within(due) && due < today && s.answered_on.is_none_or(|d| d > due));
        if !judged {
            continue;
        }
        let entry = out.entry(unit.clone()).or_default();
        entry.1 += 1;
        if answered_in.is_some_and(|d| d <= due) {
            entry.0 += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn step(seq: i64, kind: StepKind, on: &str) -> Step {
        let assigned = kind == StepKind::Assigned;
        Step {
            seq,
            kind,
            unit_id: assigned.then(|| "u1".to_owned()),
            due_on: assigned.then(|| day("2026-03-20")),
            body: format!("step {seq}"),
            on: day(on),
        }
    }

    #[test]
    fn the_plan_sets_two_and_four_meetings_and_the_office_may_set_others() {
        let t = targets(&[]);
        assert!(t.contains(&(SupervisorKind::Conduct, 2)));
        assert!(t.contains(&(SupervisorKind::Social, 4)));
        assert!(t.contains(&(SupervisorKind::Netizen, 0)));
        let t = targets(&[(SupervisorKind::Social, 6)]);
        assert!(t.contains(&(SupervisorKind::Social, 6)));
        assert!(TargetInput { kind: "social".into(), meetings: 53 }.parse().is_err());
    }

    #[test]
    fn progress_spreads_the_target_over_the_months() {
        let kinds = [SupervisorKind::Social, SupervisorKind::Conduct, SupervisorKind::Conduct];
        let p = progress(2026, day("2026-07-15"), &targets(&[]), &kinds);
        let social = p.iter().find(|p| p.kind == SupervisorKind::Social).unwrap();
        assert_eq!((social.held, social.expected, social.behind), (1, 2, true));
        let conduct = p.iter().find(|p| p.kind == SupervisorKind::Conduct).unwrap();
        assert_eq!((conduct.held, conduct.expected, conduct.behind), (2, 1, false));
        // A past year is judged against the whole target; kinds without one are not listed.
        let p = progress(2025, day("2026-01-02"), &targets(&[]), &[]);
        assert_eq!(p.len(), 2);
        assert!(p.iter().all(|p| p.behind && p.expected == p.target));
    }

    #[test]
    fn an_opinion_goes_assigned_answered_then_accepted_or_returned() {
        use OpinionState as S;
        use StepKind as K;
        assert_eq!(S::Received.after(K::Answered).unwrap_err().code, "opinion_not_assigned");
        assert_eq!(S::Assigned.after(K::Accepted).unwrap_err().code, "opinion_not_answered");
        assert_eq!(S::Answered.after(K::Answered).unwrap_err().code, "opinion_answered");
        assert_eq!(S::Accepted.after(K::Returned).unwrap_err().code, "opinion_closed");
        assert_eq!(S::Returned.after(K::Answered), Ok(S::Answered));
        assert_eq!(S::Assigned.after(K::Assigned), Ok(S::Assigned));
    }

    #[test]
    fn overdue_is_judged_against_a_fixed_day() {
        let steps = [step(1, StepKind::Assigned, "2026-03-02")];
        assert!(!standing(&steps, day("2026-03-20")).overdue, "the last day itself is in time");
        assert!(standing(&steps, day("2026-03-21")).overdue);
        let answered = [step(1, StepKind::Assigned, "2026-03-02"), step(2, StepKind::Answered, "2026-03-25")];
        assert!(!standing(&answered, day("2026-04-01")).overdue, "answered late, waiting for the office");
        let returned = [answered[0].clone(), answered[1].clone(), step(3, StepKind::Returned, "2026-03-26")];
        let s = standing(&returned, day("2026-04-01"));
        assert_eq!(s.state, OpinionState::Returned);
        assert!(s.overdue && s.answer.is_none());
    }

    #[test]
    fn on_time_counts_standing_answers_by_their_day() {
        let today = day("2026-04-10");
        let base = [step(1, StepKind::Assigned, "2026-03-02")];
        let in_time = standing(&[base[0].clone(), step(2, StepKind::Answered, "2026-03-19")], today);
        let late = standing(&[base[0].clone(), step(2, StepKind::Answered, "2026-03-23")], today);
        let unanswered = standing(&base, today);
        let returned = standing(
            &[
                base[0].clone(),
                step(2, StepKind::Answered, "2026-03-10"),
                step(3, StepKind::Returned, "2026-03-11"),
            ],
            today,
        );
        let all = [in_time, late, unanswered, returned];
        let march = on_time(&all, day("2026-03-01"), day("2026-03-31"), today);
        assert_eq!(march["u1"], (1, 4), "in time, late, unanswered and returned are all judged in March");
        let april = on_time(&all, day("2026-04-01"), day("2026-04-30"), today);
        assert!(april.is_empty());
        // Before its day has passed an unanswered opinion is not judged.
        let early = on_time(&all[2..3], day("2026-03-01"), day("2026-03-31"), day("2026-03-20"));
        assert!(early.is_empty());
    }

    #[test]
    fn an_answer_with_a_phone_number_is_refused() {
        let refused =
            AnswerInput { answer: "已联系当事人，电话 13812345678".into(), seen_steps: None }
                .parse()
                .unwrap_err();
        assert_eq!(refused.iter().next().unwrap().code, "personal_data_left");
        assert!(AnswerInput { answer: "已责令整改，现场已清理。".into(), seen_steps: None }.parse().is_ok());
        assert!(ReviewInput { accept: false, reason: " ".into(), seen_steps: None }.parse().is_err());
    }
}
