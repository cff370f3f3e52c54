//! Filing (立案) and who handles the case: 立案, 不予立案, the lead check's extension, 回避 and reassignment (行政处罚法 Arts. 43, 54; 住建部令第55号 Art. 15).

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
        C::File { on, officers } => {
            if case.stage != Stage::Clue {
                return wrong_stage(case, command);
            }
            leader_only(ctx.actor, "立案")?;
            // Art. 36 asks whether the act was discovered (发现) within the period, and the
            // lead's registration is its discovery: a lead registered in time may be filed
            // after the period's end, within the lead check (Art. 54 ¶2).
            check_limitation(case, case.clue_on)?;
            check_case_officers(case, officers, *on, ctx)?;
            next.filed_on = Some(*on);
            next.officers = officers.clone();
            next.stage = Stage::Investigation;
            // Filing is what a 暂缓立案 was waiting for: it ends with it.
            for deferral in next.deferrals.iter_mut().filter(|d| d.ended_on.is_none()) {
                deferral.ended_on = Some(*on);
            }
            summary = format!("负责人批准立案，承办人 {}", names(officers, ctx));
        }
        C::DeclineFiling { on, reason } => {
            if case.stage != Stage::Clue {
                return wrong_stage(case, command);
            }
            leader_only(ctx.actor, "不予立案")?;
            require_text(reason, RefusalCode::ReasonRequired, "请填写不予立案的理由")?;
            next.stage = Stage::NotFiled;
            next.closed_on = Some(*on);
            summary = format!("不予立案：{reason}");
        }
        C::ExtendLeadCheck { reason } => {
            if case.stage != Stage::Clue {
                return wrong_stage(case, command);
            }
            leader_only(ctx.actor, "延长核查期限")?;
            if case.lead_check_extended {
                return refuse(
                    RefusalCode::LeadCheckAlreadyExtended,
                    "住房和城乡建设行政处罚程序规定第十五条",
                    "核查期限只能延长一次（十日）",
                );
            }
            require_text(reason, RefusalCode::ReasonRequired, "请填写延长理由")?;
            next.lead_check_extended = true;
            summary = format!("经负责人批准，核查期限延长 {LEAD_CHECK_EXTENSION_DAYS} 日：{reason}");
        }
        C::Recuse { person, reason } => {
            if !case.stage.is_open() {
                return wrong_stage(case, command);
            }
            leader_only(ctx.actor, "回避")?;
            require_text(reason, RefusalCode::ReasonRequired, "请填写回避理由")?;
            if !case.handled_by(person) {
                return refuse(RefusalCode::NotOnCase, "行政处罚法第四十三条", "该人员未参与本案");
            }
            if !next.recused.contains(person) {
                next.recused.push(person.clone());
            }
            next.officers.retain(|o| o != person);
            summary = format!("{} 回避：{reason}", names(std::slice::from_ref(person), ctx));
        }
        C::Reassign { on, officers } => {
            if !matches!(
                case.stage,
                Stage::Investigation | Stage::Review | Stage::Notified | Stage::Decided | Stage::Execution
            ) {
                return wrong_stage(case, command);
            }
            if !(ctx.actor.is(Role::Leader) || ctx.actor.is(Role::SquadLeader)) {
                return refuse(RefusalCode::SquadLeaderRequired, "", "调整承办人须由中队长或局领导办理");
            }
            check_case_officers(case, officers, *on, ctx)?;
            next.officers = officers.clone();
            summary = format!("承办人调整为 {}", names(officers, ctx));
        }
        _ => return wrong_stage(case, command),
    }
    Ok(summary)
}
