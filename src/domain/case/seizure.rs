//! 查封、扣押 (行政强制法 Arts. 18–28).

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
        C::Seize { on, officers, items, reason, emergency } => {
            if case.filed_on.is_none() || !case.stage.is_open() {
                return wrong_stage(case, command);
            }
            if *emergency {
                case_officer_only(case, ctx.actor)?;
            } else if !ctx.actor.is(Role::Leader) {
                return refuse(
                    RefusalCode::HeadApprovalRequired,
                    "行政强制法第十八条",
                    "实施查封扣押前须向行政机关负责人报告并经批准；情况紧急的，请按紧急情况登记，事后24小时内补办批准",
                );
            }
            check_case_officers(case, officers, *on, ctx)?;
            require_text(reason, RefusalCode::ReasonRequired, "请填写查封扣押的理由和依据")?;
            let items: Vec<String> =
                items.iter().map(|i| i.trim().to_owned()).filter(|i| !i.is_empty()).collect();
            if items.is_empty() {
                return refuse(
                    RefusalCode::SeizureListRequired,
                    "行政强制法第二十四条",
                    "请列明查封扣押场所、设施或者财物的清单",
                );
            }
            if !*emergency {
                compulsory::require_clearance(case, next, CompulsoryMeasure::Seizure, *on)?;
            }
            next.seizures.push(Seizure {
                on: *on,
                reason: reason.trim().to_owned(),
                items: items.clone(),
                emergency: *emergency,
                approved_on: (!*emergency).then_some(*on),
                extended: false,
                ended_on: None,
                outcome: None,
            });
            summary = format!(
                "{}查封扣押（{}）：{}；期限{SEIZURE_DAYS}日",
                if *emergency { "情况紧急，当场" } else { "经负责人批准" },
                names(officers, ctx),
                items.join("、")
            );
        }
        C::ApproveSeizure { on } => {
            leader_only(ctx.actor, "查封扣押")?;
            let Some(seizure) =
                next.seizures.iter_mut().find(|s| s.approved_on.is_none() && s.ended_on.is_none())
            else {
                return wrong_stage(case, command);
            };
            if *on < seizure.on {
                return refuse(RefusalCode::BeforeSeizure, "", "批准日期不能早于查封扣押日期");
            }
            seizure.approved_on = Some(*on);
            let late = (*on - seizure.on).num_days() > EMERGENCY_APPROVAL_DAYS;
            summary = if late {
                "负责人补办批准（超过24小时，行政强制法第十九条）".to_owned()
            } else {
                "负责人补办批准（行政强制法第十九条）".to_owned()
            };
        }
        C::ExtendSeizure { on, reason } => {
            leader_only(ctx.actor, "延长查封扣押期限")?;
            require_text(reason, RefusalCode::ReasonRequired, "请填写延长的理由（情况复杂）")?;
            let calendar = ctx.calendar;
            let Some(seizure) = next.seizures.iter_mut().find(|s| s.ended_on.is_none()) else {
                return wrong_stage(case, command);
            };
            if seizure.extended {
                return refuse(
                    RefusalCode::AlreadyExtended,
                    "行政强制法第二十五条",
                    "查封扣押期限只能延长一次，延长不得超过三十日",
                );
            }
            let end = calendar.calendar_period_end(seizure.on, seizure.days())?;
            if *on > end {
                return refuse(
                    RefusalCode::SeizureExpired,
                    "行政强制法第二十五条",
                    format!("查封扣押期限已于 {end} 届满，不能再延长，应当解除"),
                );
            }
            seizure.extended = true;
            summary = format!("经负责人批准延长查封扣押期限{SEIZURE_EXTENSION_DAYS}日：{reason}");
        }
        C::EndSeizure { on, outcome } => {
            if !(ctx.actor.is(Role::Leader) || ctx.actor.is(Role::SquadLeader)) {
                case_officer_only(case, ctx.actor)?;
            }
            let Some(seizure) = next.seizures.iter_mut().find(|s| s.ended_on.is_none()) else {
                return wrong_stage(case, command);
            };
            if *on < seizure.on {
                return refuse(RefusalCode::BeforeSeizure, "", "处理日期不能早于查封扣押日期");
            }
            seizure.ended_on = Some(*on);
            seizure.outcome = Some(*outcome);
            summary = outcome.name_zh().to_owned();
        }
        _ => return wrong_stage(case, command),
    }
    Ok(summary)
}
