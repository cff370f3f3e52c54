//! Which steps a case offers, by stage and role: the table the screens show as buttons, kept
//! beside the guards of [`super::apply`] that it must agree with.

use super::rules::{CaseRules, ExcludedPeriod};
use super::{
    ActKind, Case, Challenge, CommandKind, Hearing, Outcome, PenaltyKind, Procedure, Stage, SubstituteGround,
};
use crate::domain::access::{Role, RoleSet};

/// The steps worth offering to someone with these roles at the case's stage: what the screens
/// show as buttons. [`super::apply`] still decides; a test checks that it accepts the stage and
/// the role of every step offered here.
pub fn offered_steps(case: &Case, roles: &RoleSet, rules: &CaseRules) -> Vec<CommandKind> {
    use CommandKind as K;
    let leader = roles.contains(Role::Leader);
    let handling = roles.contains(Role::Officer) || roles.contains(Role::SquadLeader);
    let squad = roles.contains(Role::SquadLeader);
    let reviewer = roles.contains(Role::LegalReviewer);
    let mut out = Vec::new();
    // Art. 60: only where the province's rules allow an extension, and only up to their limit.
    let extendable = case.decision_extension_days < rules.decision_extension_max_days;
    let mut add = |allowed: bool, step: CommandKind| {
        if allowed {
            out.push(step);
        }
    };
    match case.stage {
        Stage::Clue => {
            add(leader, K::File);
            add(leader, K::DeclineFiling);
            add(leader && !case.lead_check_extended, K::ExtendLeadCheck);
        }
        Stage::Investigation => {
            // 先行登记保存 is approved by the head, who records it (Art. 56).
            add(handling || leader, K::RecordAct);
            add(handling && !case.acts.is_empty(), K::Propose);
            add(leader && extendable, K::ExtendDecision);
        }
        Stage::Review => {
            add(handling || leader, K::RecordAct);
            add(handling, K::Propose);
            add(reviewer, K::Review);
            add(leader, K::Discuss);
            add(handling, K::Notify);
            add(leader, K::Decide);
        }
        Stage::Notified => {
            add(handling, K::Statement);
            add(handling, K::Waive);
            add(handling && case.hearing == Hearing::None, K::RequestHearing);
            add(handling && matches!(case.hearing, Hearing::Requested { .. }), K::ScheduleHearing);
            add(handling && matches!(case.hearing, Hearing::Scheduled { .. }), K::HoldHearing);
            add(reviewer, K::Review);
            add(leader, K::Discuss);
            add(leader && extendable, K::ExtendDecision);
            add(leader, K::Decide);
        }
        Stage::Decided => add(handling, K::Serve),
        Stage::Execution => {
            let fines = case.decision.as_ref().is_some_and(|d| d.penalty.fine_fen > 0);
            add(handling && fines, K::Pay);
            add(leader && fines, K::Defer);
            add(
                (handling || leader)
                    && fines
                    && case.payment_urged_on.is_none()
                    && case.court_applied_on.is_none(),
                K::UrgePayment,
            );
            add(leader && fines, K::ApplyCourt);
            add(
                (squad || leader) && case.procedure == Procedure::Simple && case.registered_on.is_none(),
                K::Register,
            );
            add(squad || leader, K::Close);
        }
        Stage::Closed | Stage::NotFiled => {}
    }
    // The decision on preserved evidence, whatever the stage (Art. 56: within 7 working days).
    add(
        (handling || leader)
            && case.acts.iter().any(|a| a.kind == ActKind::Preservation && a.handled_on.is_none()),
        K::HandlePreservation,
    );
    // 复议 and suits against a decision: the bureau's own answer deadlines.
    if matches!(case.stage, Stage::Decided | Stage::Execution | Stage::Closed) && case.decision.is_some() {
        let litigates = handling || reviewer || leader;
        let pending = |c: &Option<Challenge>| c.as_ref().is_some_and(|c| c.answered_on.is_none());
        add(litigates && !pending(&case.reconsideration), K::ReceiveReconsideration);
        add(litigates && pending(&case.reconsideration), K::AnswerReconsideration);
        add(litigates && !pending(&case.lawsuit), K::ReceiveLawsuit);
        add(litigates && pending(&case.lawsuit), K::AnswerLawsuit);
        let running = |c: &Option<Challenge>| c.as_ref().is_some_and(|c| c.concluded_on.is_none());
        add(litigates && running(&case.reconsideration), K::ConcludeReconsideration);
        add(litigates && running(&case.lawsuit), K::ConcludeLawsuit);
    }
    // Testing or 公告送达 time left out of the 90 days, where the rules allow it (Art. 60).
    let recordable = rules.decision_excluded.iter().any(|k| *k != ExcludedPeriod::Hearing);
    add(
        handling
            && recordable
            && matches!(case.stage, Stage::Investigation | Stage::Review | Stage::Notified),
        K::ExcludePeriod,
    );
    if case.stage.is_open() && case.stage != Stage::Clue {
        add(leader, K::Recuse);
        add(squad || leader, K::Reassign);
    }
    compulsory_steps(case, roles, &mut add);
    out
}

/// 责令改正, 查封扣押, 强制拆除, 代履行 and deferrals: offered where the case's state allows them.
fn compulsory_steps(case: &Case, roles: &RoleSet, add: &mut impl FnMut(bool, CommandKind)) {
    use CommandKind as K;
    let leader = roles.contains(Role::Leader);
    let handling = roles.contains(Role::Officer) || roles.contains(Role::SquadLeader);
    let reviewer = roles.contains(Role::LegalReviewer);
    if !case.stage.is_open() {
        return;
    }
    add(handling, K::OrderCorrection);
    add(handling && case.corrections.iter().any(|c| c.reinspected_on.is_none()), K::Reinspect);
    if case.filed_on.is_some() {
        let active = case.seizures.iter().find(|s| s.ended_on.is_none());
        add(leader || handling, K::Seize);
        add(leader && active.is_some_and(|s| s.approved_on.is_none()), K::ApproveSeizure);
        add(leader && active.is_some_and(|s| !s.extended), K::ExtendSeizure);
        add((leader || handling) && active.is_some(), K::EndSeizure);
    }
    let d = &case.demolition;
    let demolition = case.served_on.is_some()
        && case.decision.as_ref().is_some_and(|x| {
            x.outcome == Outcome::Penalty && x.penalty.kinds.contains(&PenaltyKind::Demolition)
        })
        && d.enforced_on.is_none()
        && d.voluntary_on.is_none();
    add(handling && demolition, K::AnnounceDemolition);
    add(handling && demolition && d.announced_on.is_some(), K::UrgeDemolition);
    add(leader && demolition && d.urged_on.is_some() && d.decided_on.is_none(), K::DecideEnforcement);
    add(
        handling && demolition && d.decided_on.is_some() && d.decision_served_on.is_none(),
        K::ServeEnforcement,
    );
    add(leader && demolition && d.decision_served_on.is_some(), K::Demolish);
    add(handling && demolition, K::SelfDemolish);
    let substitute = case.substitute.as_ref();
    let pending = substitute.filter(|s| s.pending());
    add(leader && pending.is_none(), K::DecideSubstitute);
    // The plan's clearance of a compulsory decision: discussed and reviewed before it is made.
    add(leader && case.filed_on.is_some(), K::DiscussCompulsory);
    add(reviewer && case.filed_on.is_some(), K::ReviewCompulsory);
    add(
        handling && pending.is_some_and(|s| s.ground != SubstituteGround::Immediate && s.urged_on.is_none()),
        K::UrgeSubstitute,
    );
    add(handling && pending.is_some(), K::PerformSubstitute);
    add(handling && pending.is_some(), K::StopSubstitute);
    add(
        handling && substitute.is_some_and(|s| !s.party_present && s.party_notified_on.is_none()),
        K::NotifySubstitute,
    );
    add(
        (handling || leader)
            && substitute.is_some_and(|s| s.performed_on.is_some() && s.outstanding_fen() > 0),
        K::RecoverSubstituteCost,
    );
    add(
        leader
            // In 执行 with a fine the step is already offered for the fine.
            && !(case.stage == Stage::Execution && case.decision.as_ref().is_some_and(|x| x.penalty.fine_fen > 0))
            && substitute.is_some_and(|s| s.performed_on.is_some() && s.outstanding_fen() > 0),
        K::ApplyCourt,
    );
    let open = case.deferrals.iter().rfind(|x| x.ended_on.is_none());
    add(leader && open.is_none() && (case.stage == Stage::Clue || demolition), K::ProposeDeferral);
    add(reviewer && open.is_some_and(|x| x.legal_review.is_none()), K::ReviewDeferral);
    add(
        (leader || reviewer)
            && open.is_some_and(|x| {
                x.supervision.is_none() && x.legal_review.as_ref().is_some_and(|r| r.passed)
            }),
        K::RegisterDeferral,
    );
    add(leader && open.is_some(), K::EndDeferral);
}

/// One stage of the general procedure as the engine offers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageMap {
    pub stage: Stage,
    /// The steps offered at this stage and not at every stage.
    pub steps: Vec<CommandKind>,
}

/// The general procedure (普通程序) stage by stage, as [`offered_steps`] offers it to a bureau
/// holding every business role, for the portal's diagram (plan §三（二）1: post the main
/// workflows): the diagram is derived from the engine, so a step the engine adds or moves shows
/// there. Answers the stages in order and, apart, the steps offered at every open stage after
/// the lead (责令改正, 查封扣押, 回避 …).
pub fn procedure_map(rules: &CaseRules, on: chrono::NaiveDate) -> (Vec<StageMap>, Vec<CommandKind>) {
    use super::{Decision, NewClue, Penalty};
    let clue = NewClue {
        organisation: false,
        business_activity: false,
        clue_on: on,
        act_on: on,
        serious_harm: false,
    };
    let (base, _) = Case::open(&clue, on).expect("a lead found today opens");
    let roles = RoleSet::new(vec![Role::Leader, Role::SquadLeader, Role::Officer, Role::LegalReviewer])
        .expect("business roles combine");
    let at = |stage: Stage| {
        let mut case = base.clone();
        case.stage = stage;
        if stage != Stage::Clue {
            case.filed_on = Some(on);
            case.acts.push(super::Act {
                kind: ActKind::Inspection,
                on,
                officers: Vec::new(),
                summary: String::new(),
                handled_on: None,
                handling: String::new(),
            });
        }
        if matches!(stage, Stage::Decided | Stage::Execution | Stage::Closed) {
            let penalty = Penalty { kinds: vec![PenaltyKind::Fine], fine_fen: 1, confiscation_fen: 0 };
            case.decision = Some(Decision { outcome: Outcome::Penalty, penalty, on, number: String::new() });
        }
        offered_steps(&case, &roles, rules)
    };
    let offered: Vec<(Stage, Vec<CommandKind>)> =
        Stage::ALL.into_iter().filter(|s| *s != Stage::NotFiled).map(|s| (s, at(s))).collect();
    // What every open stage after the lead offers is listed once, apart.
    let open: Vec<&Vec<CommandKind>> =
        offered.iter().filter(|(s, _)| s.is_open() && *s != Stage::Clue).map(|(_, steps)| steps).collect();
    let everywhere: Vec<CommandKind> =
        open[0].iter().copied().filter(|k| open.iter().all(|steps| steps.contains(k))).collect();
    let map = offered
        .into_iter()
        .map(|(stage, steps)| StageMap {
            stage,
            steps: steps.into_iter().filter(|k| !everywhere.contains(k)).collect(),
        })
        .collect();
    (map, everywhere)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_procedure_map_follows_the_engine_from_lead_to_close() {
        let on = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        let (map, everywhere) = procedure_map(&CaseRules::jiangsu_default(), on);
        let stages: Vec<Stage> = map.iter().map(|m| m.stage).collect();
        assert_eq!(stages[0], Stage::Clue);
        let at = |stage: Stage| &map.iter().find(|m| m.stage == stage).unwrap().steps;
        for (stage, step) in [
            (Stage::Clue, CommandKind::File),
            (Stage::Investigation, CommandKind::Propose),
            (Stage::Review, CommandKind::Notify),
            (Stage::Notified, CommandKind::Decide),
            (Stage::Decided, CommandKind::Serve),
            (Stage::Execution, CommandKind::Pay),
            (Stage::Execution, CommandKind::Close),
        ] {
            assert!(at(stage).contains(&step), "{stage:?} offers {step:?}");
        }
        assert!(
            everywhere.contains(&CommandKind::OrderCorrection) && everywhere.contains(&CommandKind::Recuse)
        );
        assert!(!at(Stage::Review).contains(&CommandKind::Recuse), "listed once, apart");
    }
}
