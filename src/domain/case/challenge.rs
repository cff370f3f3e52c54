//! Challenges to the decision: 行政复议 and 行政诉讼 as the bureau answers them (行政复议法 Arts. 48, 54; 行政诉讼法 Art. 67).

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
        C::ReceiveReconsideration { on, body, applied_on, .. }
        | C::ReceiveLawsuit { on, court: body, applied_on } => {
            if !matches!(case.stage, Stage::Decided | Stage::Execution | Stage::Closed) {
                return wrong_stage(case, command);
            }
            litigation_actor(ctx.actor)?;
            require_text(body, RefusalCode::ForumRequired, "请填写复议机关或人民法院")?;
            if case.decision.as_ref().is_some_and(|d| *on < d.on) {
                return refuse(RefusalCode::BeforeDecision, "", "收到日期不能早于决定日期");
            }
            let simple = matches!(command, C::ReceiveReconsideration { simple: true, .. });
            let challenge = Some(Challenge {
                forum: body.clone(),
                received_on: *on,
                answered_on: None,
                concluded_on: None,
                simple,
                applied_on: *applied_on,
            });
            if applied_on.is_some_and(|a| a > *on || case.decision.as_ref().is_some_and(|d| a < d.on)) {
                return refuse(RefusalCode::AppliedOnInvalid, "", "申请或起诉日期应在决定之后、收到副本之前");
            }
            let lawsuit = matches!(command, C::ReceiveLawsuit { .. });
            let slot = if lawsuit { &mut next.lawsuit } else { &mut next.reconsideration };
            if slot.as_ref().is_some_and(|c| c.answered_on.is_none()) {
                return wrong_stage(case, command);
            }
            *slot = challenge;
            summary = if lawsuit {
                format!("收到{body}送达的起诉状副本，应在十五日内提交答辩状和证据（行政诉讼法第六十七条）")
            } else {
                if simple {
                    format!(
                        "收到{body}转送的行政复议申请书副本（简易程序），应在五个工作日内提出书面答复并提交证据（行政复议法第五十四条）"
                    )
                } else {
                    format!(
                        "收到{body}转送的行政复议申请书副本，应在十个工作日内提出书面答复并提交证据（行政复议法第四十八条）"
                    )
                }
            };
        }
        C::AnswerReconsideration { on } | C::AnswerLawsuit { on } => {
            litigation_actor(ctx.actor)?;
            let lawsuit = matches!(command, C::AnswerLawsuit { .. });
            let slot = if lawsuit { &mut next.lawsuit } else { &mut next.reconsideration };
            let Some(challenge) = slot.as_mut().filter(|c| c.answered_on.is_none()) else {
                return wrong_stage(case, command);
            };
            if *on < challenge.received_on {
                return refuse(RefusalCode::BeforeReceipt, "", "答复日期不能早于收到日期");
            }
            challenge.answered_on = Some(*on);
            summary = if lawsuit {
                "向人民法院提交答辩状和证据".to_owned()
            } else {
                "向复议机关提交书面答复和证据".to_owned()
            };
        }
        C::ConcludeReconsideration { on } | C::ConcludeLawsuit { on } => {
            litigation_actor(ctx.actor)?;
            let lawsuit = matches!(command, C::ConcludeLawsuit { .. });
            let slot = if lawsuit { &mut next.lawsuit } else { &mut next.reconsideration };
            let Some(challenge) = slot.as_mut().filter(|c| c.concluded_on.is_none()) else {
                return wrong_stage(case, command);
            };
            if *on < challenge.received_on {
                return refuse(RefusalCode::BeforeReceipt, "", "结束日期不能早于收到日期");
            }
            challenge.concluded_on = Some(*on);
            summary = format!(
                "{}结束；加处罚款自次日起恢复计算（行政处罚法第七十三条第三款）",
                if lawsuit { "行政诉讼" } else { "行政复议" }
            );
        }
        _ => return wrong_stage(case, command),
    }
    Ok(summary)
}
