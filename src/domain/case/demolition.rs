//! Carrying out a 限期拆除 decision (行政强制法 Arts. 35–38, 43–44): 公告, 催告, the written 强制执行决定, its service, the demolition, or the party's own.

use super::*;

/// Takes one step of this stage: the refusal, or the case as it will be (in `next`) and the
/// timeline's words; `details` is the stored event's record of the step.
pub(super) fn apply(
    case: &Case,
    next: &mut Case,
    details: &mut serde_json::Value,
    command: &Command,
    ctx: &Context,
) -> Result<String, Refusal> {
    use Command as C;
    let summary: String;
    match command {
        C::AnnounceDemolition { on, deadline } => {
            demolition_ordered(case, command)?;
            officer_only(ctx.actor)?;
            if case.demolition.enforced_on.is_some() || case.demolition.voluntary_on.is_some() {
                return wrong_stage(case, command);
            }
            if deadline <= on {
                return refuse(
                    RefusalCode::DeadlineInvalid,
                    "行政强制法第四十四条",
                    "公告限期应晚于公告日期",
                );
            }
            next.demolition.announced_on = Some(*on);
            next.demolition.announced_deadline = Some(*deadline);
            summary = format!("公告限期当事人于 {deadline} 前自行拆除（行政强制法第四十四条）");
        }
        C::UrgeDemolition { on, deadline } => {
            demolition_ordered(case, command)?;
            officer_only(ctx.actor)?;
            if case.demolition.announced_on.is_none() {
                return refuse(
                    RefusalCode::AnnouncementRequired,
                    "行政强制法第四十四条",
                    "请先公告，限期当事人自行拆除",
                );
            }
            if deadline <= on {
                return refuse(
                    RefusalCode::DeadlineInvalid,
                    "行政强制法第三十五条",
                    "催告的履行期限应晚于催告日期",
                );
            }
            next.demolition.urged_on = Some(*on);
            next.demolition.urged_deadline = Some(*deadline);
            summary = format!("书面催告当事人于 {deadline} 前履行，并告知陈述申辩权（行政强制法第三十五条）");
        }
        C::DecideEnforcement { on, manner, execute_on } => {
            demolition_ordered(case, command)?;
            leader_only(ctx.actor, "强制执行决定")?;
            let d = &case.demolition;
            if d.enforced_on.is_some() || d.voluntary_on.is_some() || d.decided_on.is_some() {
                return wrong_stage(case, command);
            }
            enforcement_may_proceed(case, *on, ctx)?;
            if manner.trim().is_empty() {
                return refuse(
                    RefusalCode::MannerRequired,
                    "行政强制法第三十七条",
                    "强制执行决定须写明强制执行的方式",
                );
            }
            if execute_on < on {
                return refuse(
                    RefusalCode::ExecuteOnInvalid,
                    "行政强制法第三十七条",
                    "强制执行的时间不得早于决定日期",
                );
            }
            if !ctx.calendar.is_workday(*execute_on)? {
                return refuse(
                    RefusalCode::HolidayExecution,
                    "行政强制法第四十三条",
                    "决定的强制执行时间为法定节假日：不得在法定节假日实施强制执行",
                );
            }
            compulsory::require_clearance(case, next, CompulsoryMeasure::Enforcement, *on)?;
            next.demolition.decided_on = Some(*on);
            next.demolition.manner = manner.trim().to_owned();
            next.demolition.execute_on = Some(*execute_on);
            summary = format!(
                "作出强制执行决定：{}，自 {execute_on} 起执行（行政强制法第三十七条）",
                manner.trim()
            );
        }
        C::ServeEnforcement { on, method } => {
            demolition_ordered(case, command)?;
            officer_only(ctx.actor)?;
            let d = &case.demolition;
            if d.decided_on.is_none() || d.decision_served_on.is_some() || d.enforced_on.is_some() {
                return wrong_stage(case, command);
            }
            if d.decided_on.is_some_and(|decided| *on < decided) {
                return refuse(RefusalCode::DateInvalid, "行政强制法第三十八条", "送达日期不得早于决定日期");
            }
            details["method_zh"] = serde_json::json!(method.name_zh());
            next.demolition.decision_served_on = Some(*on);
            next.demolition.decision_served_by = method.name_zh().to_owned();
            summary = format!("{}强制执行决定书（行政强制法第三十八条）", method.name_zh());
        }
        C::Demolish { on, start_hour, officers } => {
            demolition_ordered(case, command)?;
            leader_only(ctx.actor, "强制拆除")?;
            let d = &case.demolition;
            if d.enforced_on.is_some() || d.voluntary_on.is_some() {
                return wrong_stage(case, command);
            }
            // Whatever held when the decision was made is checked again on the day: a suit or a
            // deferral may have come in between.
            enforcement_may_proceed(case, *on, ctx)?;
            let Some(execute_on) = d.execute_on else {
                return refuse(
                    RefusalCode::EnforcementDecisionRequired,
                    "行政强制法第三十七条",
                    "强制拆除前须作出书面强制执行决定",
                );
            };
            if d.decision_served_on.is_none() {
                return refuse(
                    RefusalCode::EnforcementDecisionUnserved,
                    "行政强制法第三十八条",
                    "强制执行决定书尚未送达当事人",
                );
            }
            if *on < execute_on {
                return refuse(
                    RefusalCode::BeforeStatedTime,
                    "行政强制法第三十七条",
                    format!("强制执行决定书载明的执行时间为 {execute_on}，不得提前执行"),
                );
            }
            if !ctx.calendar.is_workday(*on)? {
                return refuse(
                    RefusalCode::HolidayExecution,
                    "行政强制法第四十三条",
                    "不得在法定节假日实施强制执行",
                );
            }
            if *start_hour >= NIGHT_STARTS_HOUR || *start_hour < NIGHT_ENDS_HOUR {
                return refuse(
                    RefusalCode::NightExecution,
                    "行政强制法第四十三条",
                    "不得在夜间（22时至次日6时）实施强制执行",
                );
            }
            check_case_officers(case, officers, *on, ctx)?;
            next.demolition.enforced_on = Some(*on);
            summary = format!("依法强制拆除（{}，{start_hour}时开始，全程音像记录）", names(officers, ctx));
        }
        C::SelfDemolish { on, assisted } => {
            demolition_ordered(case, command)?;
            officer_only(ctx.actor)?;
            if case.demolition.enforced_on.is_some() || case.demolition.voluntary_on.is_some() {
                return wrong_stage(case, command);
            }
            next.demolition.voluntary_on = Some(*on);
            next.demolition.assisted = *assisted;
            summary = if *assisted {
                "当事人在执法部门协助下自行拆除（助拆）"
            } else {
                "当事人自行拆除（自拆）"
            }
            .to_owned();
        }
        _ => return wrong_stage(case, command),
    }
    Ok(summary)
}
