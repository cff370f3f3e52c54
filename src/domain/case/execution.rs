//! Execution (执行): payment and its deferral (Arts. 66–67, 72–73), 催告 and the court application (行政强制法 Arts. 53–54), the simple procedure's filing, and closing.

use super::*;

/// Takes one step of this stage: the refusal, or the case as it will be (in `next`) and the
/// timeline's words.
pub(super) fn apply(
    case: &Case,
    next: &mut Case,
    command: &Command,
    ctx: &Context,
) -> Result<String, Refusal> {
    use Command as C;
    let summary: String;
    match command {
        C::Defer { until, reason } => {
            if case.stage != Stage::Execution || !owes_fine(case) {
                return wrong_stage(case, command);
            }
            leader_only(ctx.actor, "延期或分期缴纳罚款")?;
            require_text(reason, RefusalCode::ReasonRequired, "请填写当事人申请的理由")?;
            if *until <= ctx.today {
                return refuse(
                    RefusalCode::DeferralInPast,
                    "行政处罚法第六十六条",
                    "延期缴纳的期限应晚于今天",
                );
            }
            next.deferred_until = Some(*until);
            summary = format!("经批准延期（分期）缴纳至 {until}：{reason}");
        }
        C::Pay { on, amount_fen } => {
            if case.stage != Stage::Execution || !owes_fine(case) {
                return wrong_stage(case, command);
            }
            case_officer_only(case, ctx.actor)?;
            if *amount_fen <= 0 {
                return refuse(RefusalCode::AmountInvalid, "", "缴款金额须大于 0");
            }
            let due = case.amount_due(ctx.calendar, *on)?;
            if *amount_fen > due {
                return refuse(
                    RefusalCode::Overpayment,
                    "行政处罚法第七十四条",
                    format!("应缴金额为 {} 元，不能多缴", yuan(due)),
                );
            }
            next.paid_fen += amount_fen;
            if *amount_fen == due {
                next.paid_off_on = Some(*on);
            }
            summary = format!("当事人缴纳 {} 元（尚欠 {} 元）", yuan(*amount_fen), yuan(due - amount_fen));
        }
        C::ApplyCourt { on } => {
            // The fine, or the cost of a 代履行 the party has not paid back (Art. 53).
            let unpaid_cost =
                case.substitute.as_ref().is_some_and(|s| s.performed_on.is_some() && s.outstanding_fen() > 0);
            if !case.stage.is_open() || !(owes_fine(case) && case.stage == Stage::Execution || unpaid_cost) {
                return wrong_stage(case, command);
            }
            leader_only(ctx.actor, "申请法院强制执行")?;
            let last_day = match clocks::payment_deadline(case, ctx.calendar)? {
                Some(day) if owes_fine(case) => day,
                _ if unpaid_cost => NaiveDate::MIN,
                _ => return wrong_stage(case, command),
            };
            if *on <= last_day {
                return refuse(
                    RefusalCode::PerformancePeriodRunning,
                    "行政强制法第五十三条",
                    format!("履行期限至 {last_day} 届满，届满后方可申请"),
                );
            }
            if [&case.reconsideration, &case.lawsuit].into_iter().flatten().any(|c| c.concluded_on.is_none())
            {
                return refuse(
                    RefusalCode::ChallengePending,
                    "行政强制法第五十三条",
                    "当事人已申请行政复议或者提起行政诉讼，结束前不得申请人民法院强制执行",
                );
            }
            if owes_fine(case) {
                // Art. 53 and 法释〔2018〕1号 Art. 156: the three months run from the end of the
                // party's period to sue, and only then.
                if let Some(suit_end) = clocks::suit_period_end(case, ctx.calendar)? {
                    let window_end = ctx.calendar.months_period_end(suit_end, COURT_ENFORCEMENT_MONTHS)?;
                    if *on <= suit_end {
                        return refuse(
                            RefusalCode::SuitPeriodRunning,
                            "行政强制法第五十三条；法释〔2018〕1号第一百五十六条",
                            format!(
                                "当事人的起诉期限至 {suit_end} 届满，届满后三个月内（至 {window_end}）方可申请人民法院强制执行"
                            ),
                        );
                    }
                    if *on > window_end {
                        return refuse(
                            RefusalCode::CourtWindowLapsed,
                            "法释〔2018〕1号第一百五十六条",
                            format!(
                                "申请期限已于 {window_end} 届满；逾期申请的，除有正当理由外，人民法院不予受理"
                            ),
                        );
                    }
                }
                let Some(urged) = case.payment_urged_on else {
                    return refuse(
                        RefusalCode::UrgeRequired,
                        "行政强制法第五十四条",
                        "申请人民法院强制执行前，应当书面催告当事人履行义务",
                    );
                };
                let earliest = ctx.calendar.add_workdays(urged, COURT_URGE_WORKDAYS)?;
                if *on <= earliest {
                    return refuse(
                        RefusalCode::UrgePeriodRunning,
                        "行政强制法第五十四条、第六十九条",
                        format!("催告书送达十个工作日后（{earliest} 之后）当事人仍未履行的，方可申请"),
                    );
                }
            }
            next.court_applied_on = Some(*on);
            summary = "申请人民法院强制执行".to_owned();
        }
        C::UrgePayment { on } => {
            if !(owes_fine(case) && case.stage == Stage::Execution) || case.court_applied_on.is_some() {
                return wrong_stage(case, command);
            }
            litigation_actor(ctx.actor)?;
            let last_day = clocks::payment_deadline(case, ctx.calendar)?.unwrap_or(*on);
            if *on <= last_day {
                return refuse(
                    RefusalCode::PerformancePeriodRunning,
                    "行政强制法第五十四条",
                    format!("缴款期限至 {last_day} 届满，届满后当事人仍未履行的方可催告"),
                );
            }
            next.payment_urged_on = Some(*on);
            let earliest = ctx.calendar.add_workdays(*on, COURT_URGE_WORKDAYS)?;
            summary = format!(
                "书面催告当事人履行缴纳罚款的义务，告知其陈述申辩权；{earliest} 后仍未履行的，可申请人民法院强制执行（行政强制法第三十五条、第五十四条）"
            );
        }
        C::Register { on: _ } => {
            if case.procedure != Procedure::Simple || case.registered_on.is_some() {
                return wrong_stage(case, command);
            }
            if !(ctx.actor.is(Role::SquadLeader) || ctx.actor.is(Role::Leader)) {
                return refuse(
                    RefusalCode::SquadLeaderRequired,
                    "行政处罚法第五十二条",
                    "简易程序决定由中队长审查备案",
                );
            }
            next.registered_on = command.date();
            summary = "当场处罚决定书报所属行政机关备案".to_owned();
        }
        C::Close { on, summary: text } => {
            if !matches!(case.stage, Stage::Decided | Stage::Execution) {
                return wrong_stage(case, command);
            }
            if !(ctx.actor.is(Role::Leader) || ctx.actor.is(Role::SquadLeader)) {
                return refuse(RefusalCode::SquadLeaderRequired, "", "结案须由中队长或局领导批准");
            }
            require_text(text, RefusalCode::SummaryRequired, "请填写结案报告")?;
            let decision = case.decision.as_ref().ok_or(Refusal {
                code: RefusalCode::WrongStage.code(),
                basis: "",
                message_zh: "尚未作出决定".to_owned(),
            })?;
            if decision.outcome != Outcome::Transfer && case.served_on.is_none() {
                return refuse(RefusalCode::NotServed, "行政处罚法第六十一条", "决定书尚未送达，不能结案");
            }
            if case.procedure == Procedure::Simple && case.registered_on.is_none() {
                return refuse(
                    RefusalCode::NotRegistered,
                    "行政处罚法第五十二条",
                    "当场处罚决定书尚未备案，不能结案",
                );
            }
            if case.seizures.iter().any(|s| s.ended_on.is_none()) {
                return refuse(
                    RefusalCode::SeizureActive,
                    "行政强制法第二十七条",
                    "尚有查封扣押未作处理（解除、没收或销毁），不能结案",
                );
            }
            if let Some(s) = &case.substitute {
                if s.pending() {
                    return refuse(
                        RefusalCode::SubstitutePending,
                        "行政强制法第五十一条",
                        "已决定代履行但尚未实施或停止，不能结案",
                    );
                }
                if !s.party_present && s.party_notified_on.is_none() {
                    return refuse(
                        RefusalCode::PartyNotNotified,
                        "行政强制法第五十二条",
                        "立即代履行时当事人不在场，须事后立即通知当事人",
                    );
                }
                if s.outstanding_fen() > 0 && case.court_applied_on.is_none() {
                    return refuse(
                        RefusalCode::SubstituteCostOpen,
                        "行政强制法第五十一条",
                        format!(
                            "代履行费用尚欠 {} 元，未收回也未申请人民法院强制执行，不能结案",
                            yuan(s.outstanding_fen())
                        ),
                    );
                }
            }
            if owes_fine(case) && case.amount_due(ctx.calendar, *on)? > 0 && case.court_applied_on.is_none() {
                return refuse(
                    RefusalCode::FineUnpaid,
                    "行政处罚法第七十二条",
                    "罚款（含加处罚款）尚未缴清，也未申请强制执行，不能结案",
                );
            }
            next.stage = Stage::Closed;
            next.closed_on = Some(*on);
            summary = format!("结案：{text}");
        }
        _ => return wrong_stage(case, command),
    }
    Ok(summary)
}
