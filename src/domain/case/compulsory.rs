//! Orders to correct (责令改正, 行政处罚法 Art. 28), substitute performance (代履行, 行政强制法
//! Arts. 50–52) and deferrals (暂缓立案 / 暂缓强制拆除): the steps that make a party's obligation
//! happen, or put it off on the record.
//!
//! [`apply`](super::apply) hands these commands here; each returns the timeline summary or the
//! rule that refuses it, and changes `next` only when it succeeds.

use chrono::NaiveDate;

use super::RefusalCode;
use serde::{Deserialize, Serialize};

use super::rules::{NIGHT_ENDS_HOUR, NIGHT_STARTS_HOUR, SUBSTITUTE_NOTICE_WORKDAYS, yuan};
use super::{
    Case, Command, Context, Discussion, LegalReview, Outcome, PenaltyKind, Refusal, Stage, case_officer_only,
    check_case_officers, leader_only, names, officer_only, refuse, require_text, reviewer_only, wrong_stage,
};
use crate::domain::access::Role;

/// A 责令（限期）改正 order and what the re-inspection found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionOrder {
    pub on: NaiveDate,
    /// 限期改正: the last day to correct; `None` for 责令立即改正.
    pub deadline: Option<NaiveDate>,
    /// What the party must do (stop, remove, restore …).
    pub requirement: String,
    pub officers: Vec<String>,
    /// The re-inspection (复查) after the deadline.
    pub reinspected_on: Option<NaiveDate>,
    pub corrected: Option<bool>,
}

impl CorrectionOrder {
    /// The deadline ran out and the re-inspection found the order not carried out.
    pub fn failed(&self) -> bool {
        self.corrected == Some(false)
    }
}

/// Why the bureau performs in the party's stead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubstituteGround {
    /// 危害交通安全 (Art. 50).
    Traffic,
    /// 造成环境污染 (Art. 50).
    Pollution,
    /// 破坏自然资源 (Art. 50).
    Resources,
    /// 道路、河道、航道或者公共场所的遗洒物、障碍物或者污染物须立即清除 (Art. 52).
    Immediate,
}

impl SubstituteGround {
    pub const ALL: [SubstituteGround; 4] = [
        SubstituteGround::Traffic,
        SubstituteGround::Pollution,
        SubstituteGround::Resources,
        SubstituteGround::Immediate,
    ];
    pub fn code(self) -> &'static str {
        match self {
            SubstituteGround::Traffic => "traffic",
            SubstituteGround::Pollution => "pollution",
            SubstituteGround::Resources => "resources",
            SubstituteGround::Immediate => "immediate",
        }
    }
    pub fn parse(s: &str) -> Option<SubstituteGround> {
        SubstituteGround::ALL.into_iter().find(|g| g.code() == s)
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            SubstituteGround::Traffic => "已经或者将危害交通安全",
            SubstituteGround::Pollution => "已经或者将造成环境污染",
            SubstituteGround::Resources => "已经或者将破坏自然资源",
            SubstituteGround::Immediate => "道路、河道、航道或者公共场所的遗洒物、障碍物、污染物需要立即清除",
        }
    }
    pub fn basis(self) -> &'static str {
        match self {
            SubstituteGround::Immediate => "行政强制法第五十二条",
            _ => "行政强制法第五十条",
        }
    }
}

/// One 代履行 from decision to cost recovery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Substitute {
    pub decided_on: NaiveDate,
    pub ground: SubstituteGround,
    pub reason: String,
    /// 代履行的标的: what is removed, cleared or restored.
    pub obligation: String,
    /// 代履行人: the bureau itself or an unrelated third party.
    pub performer: String,
    /// 费用预算, in fen.
    pub budget_fen: i64,
    /// The day planned for performance (代履行的时间).
    pub planned_on: NaiveDate,
    /// Immediate path (Art. 52): whether the party was there; if not, it is told afterwards.
    pub party_present: bool,
    pub urged_on: Option<NaiveDate>,
    pub performed_on: Option<NaiveDate>,
    /// The bureau's officer on site (Art. 51(3)) and who signed the record (Art. 51(4)).
    pub supervisor: Option<String>,
    pub signatory: String,
    pub cost_fen: i64,
    /// The party complied after the 催告; the bureau stopped (Art. 51(2)).
    pub stopped_on: Option<NaiveDate>,
    /// The absent party told afterwards (Art. 52).
    pub party_notified_on: Option<NaiveDate>,
    pub recovered_fen: i64,
}

impl Substitute {
    /// Still to be performed or stopped.
    pub fn pending(&self) -> bool {
        self.performed_on.is_none() && self.stopped_on.is_none()
    }
    /// Cost the party has not yet paid back.
    pub fn outstanding_fen(&self) -> i64 {
        (self.cost_fen - self.recovered_fen).max(0)
    }
}

/// A compulsory decision that the bureau's plan puts through collective discussion and legal
/// review first (规范化管理实施方案 §三（二）3: 涉及行政强制的案件…要严格按照集体讨论、法制审核等要求
/// 进行办理). The law asks only the head's approval for these (行政强制法 Arts. 18, 37, 51); the
/// plan asks more, and does not conflict with it, so the engine enforces the plan. The
/// emergency paths are outside it: an emergency seizure is approved afterwards (Art. 19) and an
/// immediate 代履行 (Art. 52) cannot wait for a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CompulsoryMeasure {
    /// 查封、扣押 with the head's prior approval (Art. 18)
    Seizure,
    /// 代履行决定 (Arts. 50–51)
    Substitute,
    /// 强制执行决定 (Art. 37)
    Enforcement,
}

impl CompulsoryMeasure {
    pub const ALL: [CompulsoryMeasure; 3] =
        [CompulsoryMeasure::Seizure, CompulsoryMeasure::Substitute, CompulsoryMeasure::Enforcement];
    pub fn code(self) -> &'static str {
        match self {
            CompulsoryMeasure::Seizure => "seizure",
            CompulsoryMeasure::Substitute => "substitute",
            CompulsoryMeasure::Enforcement => "enforcement",
        }
    }
    pub fn parse(s: &str) -> Option<CompulsoryMeasure> {
        CompulsoryMeasure::ALL.into_iter().find(|m| m.code() == s)
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            CompulsoryMeasure::Seizure => "查封扣押",
            CompulsoryMeasure::Substitute => "代履行",
            CompulsoryMeasure::Enforcement => "强制执行决定",
        }
    }
}

/// Where the clearance rule comes from, as refusals and the case page cite it.
pub const CLEARANCE_BASIS: &str = "本局规范化管理实施方案三（二）3";

/// The 集体讨论 and 法制审核 of one compulsory decision, before it is made. A decision uses its
/// clearance up: a second seizure on the same case is discussed and reviewed again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clearance {
    pub measure: CompulsoryMeasure,
    pub discussion: Option<Discussion>,
    pub legal_review: Option<LegalReview>,
    /// The day the decision it cleared was made.
    pub used_on: Option<NaiveDate>,
}

/// The clearance of `measure` not yet used, if any.
pub fn open_clearance(case: &Case, measure: CompulsoryMeasure) -> Option<&Clearance> {
    case.clearances.iter().find(|c| c.measure == measure && c.used_on.is_none())
}

fn open_clearance_mut(next: &mut Case, measure: CompulsoryMeasure) -> &mut Clearance {
    let index = match next.clearances.iter().position(|c| c.measure == measure && c.used_on.is_none()) {
        Some(index) => index,
        None => {
            next.clearances.push(Clearance { measure, discussion: None, legal_review: None, used_on: None });
            next.clearances.len() - 1
        }
    };
    &mut next.clearances[index]
}

/// Refuses a compulsory decision on `on` that was not collectively discussed and legally
/// reviewed (passed) on or before that day, and uses the clearance up in `next`.
pub(super) fn require_clearance(
    case: &Case,
    next: &mut Case,
    measure: CompulsoryMeasure,
    on: NaiveDate,
) -> Result<(), Refusal> {
    let clearance = open_clearance(case, measure);
    if clearance.and_then(|c| c.discussion.as_ref()).is_none_or(|d| d.on > on) {
        return refuse(
            RefusalCode::CompulsoryDiscussionRequired,
            CLEARANCE_BASIS,
            format!("作出{}前须经负责人集体讨论（本局规定，见实施方案三（二）3）", measure.name_zh()),
        );
    }
    if !clearance.and_then(|c| c.legal_review.as_ref()).is_some_and(|r| r.passed && r.on <= on) {
        return refuse(
            RefusalCode::CompulsoryReviewRequired,
            CLEARANCE_BASIS,
            format!("作出{}前须经法制审核通过（本局规定，见实施方案三（二）3）", measure.name_zh()),
        );
    }
    open_clearance_mut(next, measure).used_on = Some(on);
    Ok(())
}

/// What a deferral holds back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeferralSubject {
    /// 暂缓立案
    Filing,
    /// 暂缓强制拆除
    Demolition,
}

impl DeferralSubject {
    pub fn code(self) -> &'static str {
        match self {
            DeferralSubject::Filing => "filing",
            DeferralSubject::Demolition => "demolition",
        }
    }
    pub fn parse(s: &str) -> Option<DeferralSubject> {
        [DeferralSubject::Filing, DeferralSubject::Demolition].into_iter().find(|d| d.code() == s)
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            DeferralSubject::Filing => "暂缓立案",
            DeferralSubject::Demolition => "暂缓强制拆除",
        }
    }
}

/// A 暂缓立案 or 暂缓强制拆除: in force only once collectively discussed, legally reviewed and
/// filed for supervision; it names the day it must be looked at again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deferral {
    pub subject: DeferralSubject,
    pub reason: String,
    /// The day the deferral must be reconsidered (a duty clock; it never lapses silently).
    pub review_on: NaiveDate,
    pub discussion: Discussion,
    pub legal_review: Option<LegalReview>,
    /// 监督备案: the body it was filed with, and when.
    pub supervision: Option<(String, NaiveDate)>,
    pub ended_on: Option<NaiveDate>,
}

impl Deferral {
    /// In force: filed for supervision and not ended.
    pub fn in_force(&self) -> bool {
        self.supervision.is_some() && self.ended_on.is_none()
    }
    /// Neither ended nor in force yet: the collective decision awaits review or filing.
    fn in_progress(&self) -> bool {
        self.ended_on.is_none()
    }
}

/// The obligation a 代履行 carries out (Art. 50: 排除妨碍、恢复原状): a correction order the
/// re-inspection found ignored, or a served 限期拆除 decision whose deadlines passed.
fn overdue_obligation(case: &Case, on: NaiveDate) -> bool {
    let ignored_order = case.corrections.iter().any(CorrectionOrder::failed);
    let d = &case.demolition;
    let demolition_due =
        case.decision.as_ref().is_some_and(|x| {
            x.outcome == Outcome::Penalty && x.penalty.kinds.contains(&PenaltyKind::Demolition)
        }) && case.served_on.is_some()
            && d.urged_deadline.is_some_and(|u| on > u)
            && d.enforced_on.is_none()
            && d.voluntary_on.is_none();
    ignored_order || demolition_due
}

/// Whether a 代履行 in this case would demolish: the served decision orders 限期拆除. Carrying
/// out a demolition in the party's stead is a forced demolition by another name, so it passes
/// every gate of one (行政强制法 Arts. 43–44): the 复议 and 诉讼 windows lapsed, no challenge
/// pending, no 暂缓强制拆除 in force, not on a rest day, not at night.
fn demolishes(case: &Case) -> bool {
    case.served_on.is_some()
        && case.decision.as_ref().is_some_and(|x| {
            x.outcome == Outcome::Penalty && x.penalty.kinds.contains(&PenaltyKind::Demolition)
        })
}

/// Applies a correction, substitute-performance or deferral step to `next`.
pub(super) fn apply(
    case: &Case,
    next: &mut Case,
    command: &Command,
    ctx: &Context,
) -> Result<String, Refusal> {
    use Command as C;
    match command {
        C::OrderCorrection { on, deadline, requirement, officers } => {
            if !case.stage.is_open() {
                return wrong_stage(case, command);
            }
            officer_only(ctx.actor)?;
            check_case_officers(case, officers, *on, ctx)?;
            require_text(requirement, RefusalCode::RequirementRequired, "请填写责令改正的内容")?;
            if deadline.is_some_and(|d| d <= *on) {
                return refuse(
                    RefusalCode::DeadlineInvalid,
                    "行政处罚法第二十八条",
                    "改正期限应晚于责令改正的日期",
                );
            }
            next.corrections.push(CorrectionOrder {
                on: *on,
                deadline: *deadline,
                requirement: requirement.trim().to_owned(),
                officers: officers.clone(),
                reinspected_on: None,
                corrected: None,
            });
            Ok(match deadline {
                Some(d) => format!("责令当事人于 {d} 前改正：{requirement}"),
                None => format!("责令当事人立即改正：{requirement}"),
            })
        }
        C::Reinspect { on, officers, corrected, summary } => {
            officer_only(ctx.actor)?;
            let Some(index) = case.corrections.iter().rposition(|c| c.reinspected_on.is_none()) else {
                return wrong_stage(case, command);
            };
            let order = &case.corrections[index];
            if *on < order.on {
                return refuse(RefusalCode::BeforeOrder, "", "复查日期不能早于责令改正日期");
            }
            // Finding the order ignored is only possible once its deadline has run out.
            if !corrected && order.deadline.is_some_and(|d| *on <= d) {
                return refuse(
                    RefusalCode::CorrectionPeriodRunning,
                    "行政处罚法第二十八条",
                    format!("改正期限至 {} 届满，届满后方可认定未改正", order.deadline.unwrap_or(*on)),
                );
            }
            check_case_officers(case, officers, *on, ctx)?;
            require_text(summary, RefusalCode::SummaryRequired, "请填写复查情况")?;
            let order = &mut next.corrections[index];
            order.reinspected_on = Some(*on);
            order.corrected = Some(*corrected);
            Ok(format!(
                "复查（{}）：{}；{summary}",
                names(officers, ctx),
                if *corrected { "已改正" } else { "未改正" }
            ))
        }
        C::DecideSubstitute {
            on,
            ground,
            reason,
            obligation,
            performer,
            budget_fen,
            planned_on,
            party_present,
        } => {
            if !case.stage.is_open() || case.substitute.as_ref().is_some_and(Substitute::pending) {
                return wrong_stage(case, command);
            }
            leader_only(ctx.actor, "代履行")?;
            if demolishes(case) {
                // Art. 52 clears spills and obstacles from roads and public places at once; a
                // building ordered demolished is no such thing.
                if *ground == SubstituteGround::Immediate {
                    return refuse(
                        RefusalCode::ImmediateNotForDemolition,
                        "行政强制法第五十二条",
                        "立即代履行只适用于道路、河道、航道或者公共场所的遗洒物、障碍物、污染物；拆除建筑物须依第四十四条、第五十条、第五十一条办理",
                    );
                }
                super::enforcement_may_proceed(case, *on, ctx)?;
            }
            if *ground != SubstituteGround::Immediate && !overdue_obligation(case, *on) {
                return refuse(
                    RefusalCode::ObligationNotOverdue,
                    "行政强制法第五十条",
                    "代履行以当事人逾期不履行排除妨碍、恢复原状等义务为前提：请先复查确认责令改正未履行，或待限期拆除的催告期限届满",
                );
            }
            require_text(reason, RefusalCode::ReasonRequired, "请填写代履行的理由和依据")?;
            require_text(obligation, RefusalCode::ObligationRequired, "请填写代履行的标的")?;
            require_text(
                performer,
                RefusalCode::PerformerRequired,
                "请填写代履行人（本机关或没有利害关系的第三人）",
            )?;
            if *budget_fen <= 0 {
                return refuse(
                    RefusalCode::BudgetRequired,
                    "行政强制法第五十一条",
                    "代履行决定书应载明费用预算",
                );
            }
            if *planned_on < *on {
                return refuse(RefusalCode::PlannedBeforeDecision, "", "代履行时间不能早于决定日期");
            }
            if *ground != SubstituteGround::Immediate {
                require_clearance(case, next, CompulsoryMeasure::Substitute, *on)?;
            }
            next.substitute = Some(Substitute {
                decided_on: *on,
                ground: *ground,
                reason: reason.trim().to_owned(),
                obligation: obligation.trim().to_owned(),
                performer: performer.trim().to_owned(),
                budget_fen: *budget_fen,
                planned_on: *planned_on,
                party_present: *ground != SubstituteGround::Immediate || *party_present,
                urged_on: None,
                performed_on: None,
                supervisor: None,
                signatory: String::new(),
                cost_fen: 0,
                stopped_on: None,
                party_notified_on: None,
                recovered_fen: 0,
            });
            Ok(if *ground == SubstituteGround::Immediate {
                format!("决定立即代履行（行政强制法第五十二条）：{obligation}，代履行人 {performer}")
            } else {
                format!(
                    "作出代履行决定：{obligation}，代履行人 {performer}，费用预算 {} 元，定于 {planned_on} 实施",
                    yuan(*budget_fen)
                )
            })
        }
        C::UrgeSubstitute { on } => {
            let Some(s) = case.substitute.as_ref().filter(|s| s.pending()) else {
                return wrong_stage(case, command);
            };
            officer_only(ctx.actor)?;
            if s.ground == SubstituteGround::Immediate {
                return refuse(RefusalCode::NoUrgeNeeded, "行政强制法第五十二条", "立即代履行无需事先催告");
            }
            if *on < s.decided_on {
                return refuse(
                    RefusalCode::UrgeBeforeDecision,
                    "行政强制法第五十一条",
                    "应先送达代履行决定书，再催告",
                );
            }
            if demolishes(case) {
                super::enforcement_may_proceed(case, *on, ctx)?;
            }
            let earliest = ctx.calendar.add_workdays(*on, SUBSTITUTE_NOTICE_WORKDAYS)?;
            if let Some(sub) = next.substitute.as_mut() {
                sub.urged_on = Some(*on);
            }
            Ok(format!(
                "催告当事人履行；当事人仍不履行的，最早于 {earliest} 实施代履行（行政强制法第五十一条）"
            ))
        }
        C::PerformSubstitute { on, supervisor, signatory, cost_fen, start_hour } => {
            let Some(s) = case.substitute.as_ref().filter(|s| s.pending()) else {
                return wrong_stage(case, command);
            };
            officer_only(ctx.actor)?;
            if *on < s.decided_on {
                return refuse(
                    RefusalCode::BeforeDecision,
                    "行政强制法第五十一条",
                    "代履行不能早于代履行决定",
                );
            }
            if demolishes(case) {
                // Checked again on the day: a suit or a deferral may have come since the 催告.
                super::enforcement_may_proceed(case, *on, ctx)?;
            }
            if s.ground != SubstituteGround::Immediate {
                let Some(urged) = s.urged_on else {
                    return refuse(
                        RefusalCode::UrgeRequired,
                        "行政强制法第五十一条",
                        "代履行三日前应当催告当事人履行",
                    );
                };
                let earliest = ctx.calendar.add_workdays(urged, SUBSTITUTE_NOTICE_WORKDAYS)?;
                if *on < earliest {
                    return refuse(
                        RefusalCode::UrgeTooLate,
                        "行政强制法第五十一条、第六十九条",
                        format!("催告后须满三个工作日方可代履行，最早 {earliest}"),
                    );
                }
            }
            if !ctx.calendar.is_workday(*on)? && s.ground != SubstituteGround::Immediate {
                return refuse(
                    RefusalCode::HolidayExecution,
                    "行政强制法第四十三条",
                    "不得在法定节假日实施代履行",
                );
            }
            if demolishes(case) {
                match start_hour {
                    None => {
                        return refuse(
                            RefusalCode::StartHourRequired,
                            "行政强制法第四十三条",
                            "拆除类代履行须写明开始时间（不得在夜间实施）",
                        );
                    }
                    Some(hour) if *hour >= NIGHT_STARTS_HOUR || *hour < NIGHT_ENDS_HOUR => {
                        return refuse(
                            RefusalCode::NightExecution,
                            "行政强制法第四十三条",
                            "不得在夜间（22时至次日6时）实施强制拆除，代履行亦同",
                        );
                    }
                    Some(_) => {}
                }
            }
            let supervisor = supervisor.trim();
            match ctx.people.get(supervisor) {
                Some(p) if p.may_act_on(*on) && !case.recused.iter().any(|r| r == supervisor) => {}
                _ => {
                    return refuse(
                        RefusalCode::SupervisorRequired,
                        "行政强制法第五十一条第三项",
                        "代履行时本机关应当派持有有效执法证的工作人员到场监督",
                    );
                }
            }
            require_text(
                signatory,
                RefusalCode::SignatoryRequired,
                "请填写在执行文书上签名的当事人或者见证人（行政强制法第五十一条第四项）",
            )?;
            if *cost_fen < 0 {
                return refuse(RefusalCode::CostInvalid, "", "代履行费用不能为负数");
            }
            let sub = next.substitute.as_mut().expect("checked above");
            sub.performed_on = Some(*on);
            sub.supervisor = Some(supervisor.to_owned());
            sub.signatory = signatory.trim().to_owned();
            sub.cost_fen = *cost_fen;
            Ok(format!(
                "实施代履行，{} 到场监督，代履行人、监督人员和 {} 签名；费用 {} 元由当事人承担",
                names(&[supervisor.to_owned()], ctx),
                signatory.trim(),
                yuan(*cost_fen)
            ))
        }
        C::StopSubstitute { on } => {
            if !case.substitute.as_ref().is_some_and(Substitute::pending) {
                return wrong_stage(case, command);
            }
            officer_only(ctx.actor)?;
            if let Some(sub) = next.substitute.as_mut() {
                sub.stopped_on = Some(*on);
            }
            Ok("当事人已自行履行，停止代履行（行政强制法第五十一条第二项）".to_owned())
        }
        C::NotifySubstitute { on } => {
            let Some(s) = case.substitute.as_ref() else { return wrong_stage(case, command) };
            if s.party_present || s.party_notified_on.is_some() {
                return wrong_stage(case, command);
            }
            officer_only(ctx.actor)?;
            if let Some(sub) = next.substitute.as_mut() {
                sub.party_notified_on = Some(*on);
            }
            Ok("事后通知不在场的当事人立即代履行的情况（行政强制法第五十二条）".to_owned())
        }
        C::RecoverSubstituteCost { on: _, amount_fen } => {
            let Some(s) = case.substitute.as_ref().filter(|s| s.performed_on.is_some()) else {
                return wrong_stage(case, command);
            };
            case_officer_only(case, ctx.actor).or_else(|_| leader_only(ctx.actor, "收取代履行费用"))?;
            if *amount_fen <= 0 || *amount_fen > s.outstanding_fen() {
                return refuse(
                    RefusalCode::AmountInvalid,
                    "行政强制法第五十一条",
                    format!("收回金额应大于 0 且不超过尚欠的代履行费用 {} 元", yuan(s.outstanding_fen())),
                );
            }
            if let Some(sub) = next.substitute.as_mut() {
                sub.recovered_fen += amount_fen;
            }
            Ok(format!("收回代履行费用 {} 元", yuan(*amount_fen)))
        }
        C::ProposeDeferral { on, subject, reason, review_on, attendees, conclusion } => {
            match subject {
                DeferralSubject::Filing if case.stage != Stage::Clue => return wrong_stage(case, command),
                DeferralSubject::Demolition => super::demolition_ordered(case, command)?,
                _ => {}
            }
            let d = &case.demolition;
            if d.enforced_on.is_some()
                || d.voluntary_on.is_some()
                || case.deferrals.iter().any(Deferral::in_progress)
            {
                return wrong_stage(case, command);
            }
            leader_only(ctx.actor, subject.name_zh())?;
            require_text(reason, RefusalCode::ReasonRequired, "请填写暂缓的理由")?;
            require_text(conclusion, RefusalCode::ConclusionRequired, "请填写集体讨论结论")?;
            let attendees = super::discussion_attendees(attendees, subject.name_zh(), ctx)?;
            if *review_on <= *on {
                return refuse(
                    RefusalCode::ReviewDateRequired,
                    "",
                    "请确定晚于今天的复查日期，暂缓不得无限期",
                );
            }
            // A 暂缓立案 reviewed only after the limitation has run would end in no case at all:
            // the deferral must be reviewed while filing is still possible (plan §三（二）3;
            // 行政处罚法 Art. 36).
            if *subject == DeferralSubject::Filing && *review_on > case.limitation_end() {
                return refuse(
                    RefusalCode::ReviewAfterLimitation,
                    "行政处罚法第三十六条",
                    format!(
                        "复查日期晚于追责时效届满日（{}），届时已不能立案：请提前复查",
                        case.limitation_end()
                    ),
                );
            }
            next.deferrals.push(Deferral {
                subject: *subject,
                reason: reason.trim().to_owned(),
                review_on: *review_on,
                discussion: Discussion { on: *on, attendees, conclusion: conclusion.trim().to_owned() },
                legal_review: None,
                supervision: None,
                ended_on: None,
            });
            Ok(format!(
                "集体讨论决定{}（待法制审核和监督备案），复查日期 {review_on}：{reason}",
                subject.name_zh()
            ))
        }
        C::ReviewDeferral { on, passed, opinion } => {
            let Some(index) =
                case.deferrals.iter().rposition(|d| d.ended_on.is_none() && d.supervision.is_none())
            else {
                return wrong_stage(case, command);
            };
            reviewer_only(case, ctx)?;
            require_text(opinion, RefusalCode::OpinionRequired, "请填写审核意见")?;
            let deferral = &mut next.deferrals[index];
            deferral.legal_review = Some(LegalReview {
                reviewer: ctx.actor.person_id.clone().unwrap_or_default(),
                on: *on,
                passed: *passed,
                checklist: Vec::new(),
                opinion: opinion.trim().to_owned(),
            });
            if !passed {
                // A deferral the review rejects does not take effect; the matter goes on.
                deferral.ended_on = Some(*on);
            }
            Ok(format!(
                "{}法制审核{}：{opinion}",
                deferral.subject.name_zh(),
                if *passed { "通过" } else { "未通过，暂缓不生效" }
            ))
        }
        C::RegisterDeferral { on, authority } => {
            let Some(index) =
                case.deferrals.iter().rposition(|d| d.ended_on.is_none() && d.supervision.is_none())
            else {
                return wrong_stage(case, command);
            };
            if !(ctx.actor.is(Role::Leader) || ctx.actor.is(Role::LegalReviewer)) {
                return refuse(RefusalCode::LeaderRequired, "", "监督备案由局领导或法制机构办理");
            }
            if !case.deferrals[index].legal_review.as_ref().is_some_and(|r| r.passed) {
                return refuse(
                    RefusalCode::LegalReviewRequired,
                    "行政处罚法第五十八条",
                    "暂缓决定须先经法制审核通过",
                );
            }
            require_text(authority, RefusalCode::AuthorityRequired, "请填写备案的监督机关")?;
            let deferral = &mut next.deferrals[index];
            deferral.supervision = Some((authority.trim().to_owned(), *on));
            Ok(format!(
                "{}报 {} 监督备案，自即日起生效，{} 复查",
                deferral.subject.name_zh(),
                authority.trim(),
                deferral.review_on
            ))
        }
        C::EndDeferral { on, note } => {
            let Some(index) = case.deferrals.iter().rposition(Deferral::in_progress) else {
                return wrong_stage(case, command);
            };
            leader_only(ctx.actor, "结束暂缓")?;
            require_text(note, RefusalCode::ReasonRequired, "请填写复查结论")?;
            let deferral = &mut next.deferrals[index];
            deferral.ended_on = Some(*on);
            Ok(format!("复查后结束{}：{note}", deferral.subject.name_zh()))
        }
        C::DiscussCompulsory { on, measure, attendees, conclusion } => {
            if !case.stage.is_open() || case.filed_on.is_none() {
                return wrong_stage(case, command);
            }
            leader_only(ctx.actor, measure.name_zh())?;
            let attendees = super::discussion_attendees(attendees, measure.name_zh(), ctx)?;
            require_text(conclusion, RefusalCode::ConclusionRequired, "请填写集体讨论结论")?;
            let text = names(&attendees, ctx);
            open_clearance_mut(next, *measure).discussion =
                Some(Discussion { on: *on, attendees, conclusion: conclusion.trim().to_owned() });
            Ok(format!("集体讨论拟作出的{}（{text} 参加）：{}", measure.name_zh(), conclusion.trim()))
        }
        C::ReviewCompulsory { on, measure, passed, opinion } => {
            if !case.stage.is_open() || case.filed_on.is_none() {
                return wrong_stage(case, command);
            }
            reviewer_only(case, ctx)?;
            require_text(opinion, RefusalCode::OpinionRequired, "请填写审核意见")?;
            open_clearance_mut(next, *measure).legal_review = Some(LegalReview {
                reviewer: ctx.actor.person_id.clone().unwrap_or_default(),
                on: *on,
                passed: *passed,
                checklist: Vec::new(),
                opinion: opinion.trim().to_owned(),
            });
            Ok(format!(
                "拟作出的{}法制审核{}：{}",
                measure.name_zh(),
                if *passed { "通过" } else { "未通过" },
                opinion.trim()
            ))
        }
        _ => unreachable!("compulsory::apply receives only its own commands"),
    }
}

/// The deferral of `subject` in force, if any.
pub fn deferral_in_force(case: &Case, subject: DeferralSubject) -> Option<&Deferral> {
    case.deferrals.iter().find(|d| d.subject == subject && d.in_force())
}
