//! The statutory clocks of a case (law-and-standards §1.7, §2.4), computed from its state.
//!
//! Each clock says what it counts, under which article, from which day, and when it ends. When
//! the end falls in a year whose holiday arrangement is not loaded, the clock is *provisional*:
//! it carries the earliest day the period could end (a period never ends sooner than its number
//! of days), so warnings come early rather than late, and the page says the year is missing.

use chrono::{Duration, Months, NaiveDate};
use serde::Serialize;

use super::rules::*;
use super::{Case, Outcome, PenaltyKind, Procedure};
use crate::domain::calendar::{CalendarError, WorkCalendar};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    LeadCheck,
    Limitation,
    RightsPeriod,
    Decision,
    Service,
    Payment,
    CourtEnforcement,
    ReconsiderationReply,
    LawsuitDefence,
    SeizureTerm,
    SeizureApproval,
    CorrectionReinspection,
    DeferralReview,
    PreservationDecision,
    Handling,
}

impl ClockKind {
    pub const ALL: [ClockKind; 15] = [
        ClockKind::LeadCheck,
        ClockKind::Limitation,
        ClockKind::RightsPeriod,
        ClockKind::Decision,
        ClockKind::Service,
        ClockKind::Payment,
        ClockKind::CourtEnforcement,
        ClockKind::ReconsiderationReply,
        ClockKind::LawsuitDefence,
        ClockKind::SeizureTerm,
        ClockKind::SeizureApproval,
        ClockKind::CorrectionReinspection,
        ClockKind::DeferralReview,
        ClockKind::PreservationDecision,
        ClockKind::Handling,
    ];
    pub fn code(self) -> &'static str {
        match self {
            ClockKind::LeadCheck => "lead_check",
            ClockKind::Limitation => "limitation",
            ClockKind::RightsPeriod => "rights_period",
            ClockKind::Decision => "decision",
            ClockKind::Service => "service",
            ClockKind::Payment => "payment",
            ClockKind::CourtEnforcement => "court_enforcement",
            ClockKind::ReconsiderationReply => "reconsideration_reply",
            ClockKind::LawsuitDefence => "lawsuit_defence",
            ClockKind::SeizureTerm => "seizure_term",
            ClockKind::PreservationDecision => "preservation_decision",
            ClockKind::Handling => "handling",
            ClockKind::SeizureApproval => "seizure_approval",
            ClockKind::CorrectionReinspection => "correction_reinspection",
            ClockKind::DeferralReview => "deferral_review",
        }
    }
    pub fn parse(s: &str) -> Option<ClockKind> {
        ClockKind::ALL.into_iter().find(|k| k.code() == s)
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            ClockKind::LeadCheck => "线索核查（立案或不予立案）",
            ClockKind::Limitation => "追责时效",
            ClockKind::RightsPeriod => "陈述申辩、听证申请期",
            ClockKind::Decision => "作出处罚决定",
            ClockKind::Service => "送达决定书",
            ClockKind::Payment => "当事人缴纳罚款",
            ClockKind::CourtEnforcement => "申请法院强制执行",
            ClockKind::ReconsiderationReply => "行政复议答复",
            ClockKind::LawsuitDefence => "行政诉讼答辩",
            ClockKind::SeizureTerm => "查封扣押期限内作出处理",
            ClockKind::SeizureApproval => "紧急查封扣押补办批准",
            ClockKind::PreservationDecision => "先行登记保存处理决定",
            ClockKind::Handling => "办结时限（本局规定）",
            ClockKind::CorrectionReinspection => "改正期限届满复查",
            ClockKind::DeferralReview => "暂缓事项到期复查",
        }
    }
    pub fn basis(self) -> &'static str {
        match self {
            ClockKind::LeadCheck => "住房和城乡建设行政处罚程序规定第十五条：15日，经批准延长10日",
            ClockKind::Limitation => "行政处罚法第三十六条：2年（涉及生命健康、金融安全且有危害后果的5年）",
            ClockKind::RightsPeriod => {
                "行政处罚法第四十五条、第六十四条：告知书所载陈述申辩期；听证申请5个工作日"
            }
            ClockKind::Decision => "行政处罚法第六十条：立案之日起90日",
            ClockKind::Service => "行政处罚法第六十一条：决定后7个工作日内送达",
            ClockKind::Payment => "行政处罚法第六十七条：收到决定书之日起15日（逾期每日加处3%，第七十二条）",
            ClockKind::CourtEnforcement => {
                "行政强制法第五十三条、法释〔2018〕1号第一百五十六条：起诉期限届满之日起3个月内"
            }
            ClockKind::ReconsiderationReply => {
                "行政复议法第四十八条：收到申请书副本之日起10个工作日内答复并提交证据"
            }
            ClockKind::LawsuitDefence => "行政诉讼法第六十七条：收到起诉状副本之日起15日内提交答辩状和证据",
            ClockKind::SeizureTerm => {
                "行政强制法第二十五条、第二十七条：30日内（经批准延长不超过30日）作出解除、没收或销毁的处理"
            }
            ClockKind::SeizureApproval => {
                "行政强制法第十九条：情况紧急当场实施的，24小时内向负责人报告并补办批准"
            }
            ClockKind::PreservationDecision => "行政处罚法第五十六条：先行登记保存后7个工作日内作出处理决定",
            ClockKind::Handling => "本局案件类别办结时限：立案之日起计算，至结案（本局工作规则，非法定期限）",
            ClockKind::CorrectionReinspection => {
                "行政处罚法第二十八条：责令限期改正的，期限届满后第一个工作日复查是否改正（复查日为本局工作规则）"
            }
            ClockKind::DeferralReview => {
                "暂缓立案、暂缓强制拆除须载明复查日期，到期复查，不得无限期搁置（行政处罚法第七十六条）"
            }
        }
    }
    /// Whether the bureau itself must act by the end (an overdue clock is the bureau's fault);
    /// the others are periods the bureau waits out or watches.
    pub fn is_duty(self) -> bool {
        matches!(
            self,
            ClockKind::LeadCheck
                | ClockKind::Decision
                | ClockKind::Service
                | ClockKind::CourtEnforcement
                | ClockKind::ReconsiderationReply
                | ClockKind::LawsuitDefence
                | ClockKind::SeizureTerm
                | ClockKind::SeizureApproval
                | ClockKind::PreservationDecision
                | ClockKind::Handling
                | ClockKind::CorrectionReinspection
                | ClockKind::DeferralReview
        )
    }
}

/// When a period ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Due {
    Known {
        on: NaiveDate,
    },
    /// The end falls in `year`, whose holiday arrangement is not loaded; the period ends on
    /// `not_before` or later.
    Provisional {
        not_before: NaiveDate,
        year: i32,
    },
}

impl Due {
    /// The day warnings are computed against: the end, or its earliest possible day.
    pub fn date(self) -> NaiveDate {
        match self {
            Due::Known { on } => on,
            Due::Provisional { not_before, .. } => not_before,
        }
    }
    pub fn is_provisional(self) -> bool {
        matches!(self, Due::Provisional { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clock {
    pub kind: ClockKind,
    pub start: NaiveDate,
    pub due: Due,
    /// When the clock was satisfied (the step done), if it was.
    pub met_on: Option<NaiveDate>,
}

/// How a clock stands on a day, for colours and lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ClockStatus {
    Met,
    MetLate,
    Running { days_left: i64 },
    DueSoon { days_left: i64 },
    Overdue { days_over: i64 },
}

/// A clock is "due soon" within this many calendar days of its end: enough for a squad leader
/// to act on the morning list. Bureau policy, not a statutory number.
pub const DUE_SOON_DAYS: i64 = 3;

impl Clock {
    pub fn status(&self, today: NaiveDate) -> ClockStatus {
        status_of(self.due, self.met_on, today)
    }
}

/// How a period ending on `due` stands on `today`, met on `met_on` or not yet: the one rule for
/// the case clocks and the other registers' clocks (publication, withdrawal).
pub fn status_of(due: Due, met_on: Option<NaiveDate>, today: NaiveDate) -> ClockStatus {
    let due = due.date();
    match met_on {
        Some(met) if met <= due => ClockStatus::Met,
        Some(_) => ClockStatus::MetLate,
        None if today > due => ClockStatus::Overdue { days_over: (today - due).num_days() },
        None if (due - today).num_days() <= DUE_SOON_DAYS => {
            ClockStatus::DueSoon { days_left: (due - today).num_days() }
        }
        None => ClockStatus::Running { days_left: (due - today).num_days() },
    }
}

impl ClockStatus {
    /// The stable code the API and the simulator answer.
    pub fn code(self) -> &'static str {
        match self {
            ClockStatus::Met => "met",
            ClockStatus::MetLate => "met_late",
            ClockStatus::Running { .. } => "running",
            ClockStatus::DueSoon { .. } => "due_soon",
            ClockStatus::Overdue { .. } => "overdue",
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            ClockStatus::Met => "success",
            ClockStatus::MetLate => "warning",
            ClockStatus::Running { .. } => "info",
            ClockStatus::DueSoon { .. } => "warning",
            ClockStatus::Overdue { .. } => "danger",
        }
    }
    pub fn label_zh(self) -> String {
        match self {
            ClockStatus::Met => "已按期完成".to_owned(),
            ClockStatus::MetLate => "逾期完成".to_owned(),
            ClockStatus::Running { days_left } => format!("剩余 {days_left} 天"),
            ClockStatus::DueSoon { days_left: 0 } => "今日到期".to_owned(),
            ClockStatus::DueSoon { days_left } => format!("{days_left} 天后到期"),
            ClockStatus::Overdue { days_over } => format!("已逾期 {days_over} 天"),
        }
    }
}

/// The end of `n` working days from `start` (provisional where the year is not loaded yet).
pub fn workday_due(calendar: &WorkCalendar, start: NaiveDate, n: u32) -> Due {
    match calendar.add_workdays(start, n) {
        Ok(on) => Due::Known { on },
        Err(CalendarError::YearNotCovered(year)) => {
            Due::Provisional { not_before: start + Duration::days(i64::from(n)), year }
        }
        Err(CalendarError::EmptyPeriod) => Due::Known { on: start },
    }
}

fn calendar_due(calendar: &WorkCalendar, start: NaiveDate, days: u32) -> Due {
    match calendar.calendar_period_end(start, days) {
        Ok(on) => Due::Known { on },
        Err(CalendarError::YearNotCovered(year)) => {
            Due::Provisional { not_before: start + Duration::days(i64::from(days)), year }
        }
        Err(CalendarError::EmptyPeriod) => Due::Known { on: start },
    }
}

/// The last day to pay without 加处罚款: 15 days from receipt (Art. 67), or the approved
/// deferral (Art. 66). `None` before service or when no fine is owed.
pub fn payment_deadline(case: &Case, calendar: &WorkCalendar) -> Result<Option<NaiveDate>, CalendarError> {
    let fines = case
        .decision
        .as_ref()
        .is_some_and(|d| d.outcome == Outcome::Penalty && d.penalty.kinds.contains(&PenaltyKind::Fine));
    let Some(served) = case.served_on.filter(|_| fines) else { return Ok(None) };
    if let Some(until) = case.deferred_until {
        return Ok(Some(until));
    }
    calendar.calendar_period_end(served, PAYMENT_DAYS).map(Some)
}

/// The last day the party may sue over the decision (its 起诉期限): six months from service
/// (行政诉讼法 Art. 46), or fifteen days from a concluded 复议 (Art. 45); the day a suit ended,
/// if one did. `None` before service.
pub fn suit_period_end(case: &Case, calendar: &WorkCalendar) -> Result<Option<NaiveDate>, CalendarError> {
    let Some(served) = case.served_on else { return Ok(None) };
    if let Some(ended) = case.lawsuit.as_ref().and_then(|l| l.concluded_on) {
        return Ok(Some(ended));
    }
    if let Some(decided) = case.reconsideration.as_ref().and_then(|r| r.concluded_on) {
        return calendar.calendar_period_end(decided, SUIT_AFTER_RECONSIDERATION_DAYS).map(Some);
    }
    calendar.months_period_end(served, LAWSUIT_MONTHS).map(Some)
}

/// The last day of a seizure's term (行政强制法 Art. 25: thirty days, thirty more if extended):
/// what the 查封（扣押）决定书 states and what the term's clock counts, one computation for both.
pub fn seizure_term_end(seizure: &super::Seizure, calendar: &WorkCalendar) -> Due {
    calendar_due(calendar, seizure.on, seizure.days())
}

/// Every clock that applies to the case as it stands.
pub fn clocks(case: &Case, calendar: &WorkCalendar, rules: &CaseRules) -> Vec<Clock> {
    let mut out = Vec::new();
    let general = case.procedure == Procedure::General;
    if general {
        let days = LEAD_CHECK_DAYS + if case.lead_check_extended { LEAD_CHECK_EXTENSION_DAYS } else { 0 };
        let resolved = case.filed_on.or(if case.filed_on.is_none() { case.closed_on } else { None });
        // A 暂缓立案 in force is a decision on the lead too; its review clock takes over.
        let deferred = case
            .deferrals
            .iter()
            .filter(|d| d.subject == super::DeferralSubject::Filing)
            .filter_map(|d| d.supervision.as_ref().map(|(_, on)| *on))
            .min();
        out.push(Clock {
            kind: ClockKind::LeadCheck,
            start: case.clue_on,
            due: calendar_due(calendar, case.clue_on, days),
            met_on: resolved.or(deferred),
        });
        out.push(Clock {
            kind: ClockKind::Limitation,
            start: case.act_on,
            due: Due::Known { on: case.limitation_end() },
            met_on: resolved,
        });
    }
    if let Some(notice) = case.notice_on {
        let n = case.statement_workdays(rules);
        let due = if case.hearing_right(rules) {
            let a = workday_due(calendar, notice, n);
            let b = workday_due(calendar, notice, HEARING_REQUEST_WORKDAYS);
            if a.date() >= b.date() { a } else { b }
        } else {
            workday_due(calendar, notice, n)
        };
        let met =
            if case.waived { Some(notice) } else { Some(due.date()).filter(|_| case.decision.is_some()) };
        out.push(Clock { kind: ClockKind::RightsPeriod, start: notice, due, met_on: met });
    }
    if general && let Some(filed) = case.filed_on {
        out.push(Clock {
            kind: ClockKind::Decision,
            start: filed,
            due: calendar_due(calendar, filed, case.decision_days()),
            met_on: case.decision.as_ref().map(|d| d.on),
        });
    }
    if let Some(decision) = &case.decision
        && decision.outcome != Outcome::Transfer
    {
        out.push(Clock {
            kind: ClockKind::Service,
            start: decision.on,
            due: workday_due(calendar, decision.on, SERVICE_WORKDAYS),
            met_on: case.served_on,
        });
    }
    let paid_off = case.paid_off_on;
    if let Some(served) = case.served_on
        && case
            .decision
            .as_ref()
            .is_some_and(|d| d.outcome == Outcome::Penalty && d.penalty.kinds.contains(&PenaltyKind::Fine))
    {
        let due = match case.deferred_until {
            Some(until) => Due::Known { on: until },
            None => calendar_due(calendar, served, PAYMENT_DAYS),
        };
        out.push(Clock { kind: ClockKind::Payment, start: served, due, met_on: paid_off });
        // The three months to apply run from the end of the party's period to sue (Art. 53;
        // 法释〔2018〕1号 Art. 156), the day after it their first.
        let suit_end = match suit_period_end(case, calendar) {
            Ok(end) => Due::Known { on: end.unwrap_or(served) },
            Err(CalendarError::YearNotCovered(year)) => Due::Provisional {
                not_before: served.checked_add_months(Months::new(LAWSUIT_MONTHS)).unwrap_or(served),
                year,
            },
            Err(CalendarError::EmptyPeriod) => Due::Known { on: served },
        };
        let start = suit_end.date().succ_opt().unwrap_or(suit_end.date());
        let due = match (suit_end, calendar.months_period_end(suit_end.date(), COURT_ENFORCEMENT_MONTHS)) {
            (Due::Known { .. }, Ok(on)) => Due::Known { on },
            (_, Err(CalendarError::YearNotCovered(year))) | (Due::Provisional { year, .. }, _) => {
                Due::Provisional {
                    not_before: suit_end
                        .date()
                        .checked_add_months(Months::new(COURT_ENFORCEMENT_MONTHS))
                        .unwrap_or(start),
                    year,
                }
            }
            (_, Err(CalendarError::EmptyPeriod)) => Due::Known { on: start },
        };
        out.push(Clock {
            kind: ClockKind::CourtEnforcement,
            start,
            due,
            met_on: paid_off.or(case.court_applied_on),
        });
    }
    if let Some(c) = &case.reconsideration {
        out.push(Clock {
            kind: ClockKind::ReconsiderationReply,
            start: c.received_on,
            due: workday_due(
                calendar,
                c.received_on,
                if c.simple { RECONSIDERATION_REPLY_SIMPLE_WORKDAYS } else { RECONSIDERATION_REPLY_WORKDAYS },
            ),
            met_on: c.answered_on,
        });
    }
    if let Some(c) = &case.lawsuit {
        out.push(Clock {
            kind: ClockKind::LawsuitDefence,
            start: c.received_on,
            due: calendar_due(calendar, c.received_on, LAWSUIT_DEFENCE_DAYS),
            met_on: c.answered_on,
        });
    }
    // The bureau's own 办结时限 for the category, warned about like the statutory clocks.
    if let (Some(days), Some(filed)) = (case.handling_days.filter(|d| *d > 0), case.filed_on) {
        out.push(Clock {
            kind: ClockKind::Handling,
            start: filed,
            due: calendar_due(calendar, filed, days),
            met_on: case.closed_on,
        });
    }
    for act in case.acts.iter().filter(|a| a.kind == super::ActKind::Preservation) {
        out.push(Clock {
            kind: ClockKind::PreservationDecision,
            start: act.on,
            due: workday_due(calendar, act.on, PRESERVATION_DECISION_WORKDAYS),
            met_on: act.handled_on,
        });
    }
    for seizure in &case.seizures {
        out.push(Clock {
            kind: ClockKind::SeizureTerm,
            start: seizure.on,
            due: seizure_term_end(seizure, calendar),
            met_on: seizure.ended_on,
        });
        if seizure.emergency {
            out.push(Clock {
                kind: ClockKind::SeizureApproval,
                start: seizure.on,
                due: Due::Known { on: seizure.on + Duration::days(EMERGENCY_APPROVAL_DAYS) },
                met_on: seizure.approved_on,
            });
        }
    }
    for order in &case.corrections {
        if let Some(deadline) = order.deadline {
            out.push(Clock {
                kind: ClockKind::CorrectionReinspection,
                start: order.on,
                // The earliest day a failure to correct can be found is the one after the
                // deadline; the bureau looks on its first working day.
                due: workday_due(calendar, deadline, 1),
                met_on: order.reinspected_on,
            });
        }
    }
    for deferral in case.deferrals.iter().filter(|d| d.supervision.is_some()) {
        out.push(Clock {
            kind: ClockKind::DeferralReview,
            start: deferral.supervision.as_ref().map_or(deferral.review_on, |(_, on)| *on),
            due: Due::Known { on: deferral.review_on },
            met_on: deferral.ended_on,
        });
    }
    out
}
