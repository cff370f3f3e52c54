//! Investigation (调查取证): acts by two certified officers, 先行登记保存 and its decision, the handler's proposal, and the 90 days of Art. 60 (extension, time left out).

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
        C::RecordAct { kind, on, officers, summary: text } => {
            if !matches!(case.stage, Stage::Investigation | Stage::Review) {
                return wrong_stage(case, command);
            }
            if *kind == ActKind::Preservation {
                // Art. 56: 经行政机关负责人批准 — the head approves and records it.
                if !ctx.actor.is(Role::Leader) {
                    return refuse(
                        RefusalCode::HeadApprovalRequired,
                        "行政处罚法第五十六条",
                        "先行登记保存须经行政机关负责人批准：请由局领导批准并记录",
                    );
                }
            } else {
                case_officer_only(case, ctx.actor)?;
            }
            if case.filed_on.is_some_and(|f| *on < f) {
                return refuse(
                    RefusalCode::ActBeforeFiling,
                    "行政处罚法第五十四条",
                    "调查取证日期不能早于立案日期",
                );
            }
            check_case_officers(case, officers, *on, ctx)?;
            require_text(text, RefusalCode::SummaryRequired, "请填写调查取证情况")?;
            next.acts.push(Act {
                kind: *kind,
                on: *on,
                officers: officers.clone(),
                summary: text.clone(),
                handled_on: None,
                handling: String::new(),
            });
            summary = format!("{}（{}）：{text}", kind.name_zh(), names(officers, ctx));
        }
        C::Propose { penalty, complex, public_interest, findings } => {
            if !matches!(case.stage, Stage::Investigation | Stage::Review) {
                return wrong_stage(case, command);
            }
            case_officer_only(case, ctx.actor)?;
            if case.acts.is_empty() {
                return refuse(
                    RefusalCode::NoInvestigation,
                    "行政处罚法第五十四条",
                    "尚未记录调查取证，不能提出处理意见",
                );
            }
            check_penalty_shape(penalty, ctx)?;
            next.proposal = Some(penalty.clone());
            next.findings = findings.clone();
            next.complex = *complex;
            next.public_interest = *public_interest;
            // A changed proposal needs a fresh review and discussion.
            if case.proposal.as_ref() != Some(penalty) {
                next.legal_review = None;
                next.collective_on = None;
                next.discussion = None;
            }
            next.stage = Stage::Review;
            summary = format!("提出处理意见：{}", penalty.summary_zh());
        }
        C::ExtendDecision { days, reason } => {
            if !matches!(case.stage, Stage::Investigation | Stage::Review | Stage::Notified) {
                return wrong_stage(case, command);
            }
            leader_only(ctx.actor, "延长办案期限")?;
            require_text(reason, RefusalCode::ReasonRequired, "请填写延长理由")?;
            if case.decision_extension_days + days > ctx.rules.decision_extension_max_days || *days == 0 {
                return refuse(
                    RefusalCode::DecisionExtensionNotAllowed,
                    "行政处罚法第六十条",
                    format!(
                        "办案期限只能依法律、法规、规章的规定延长；本省规则允许延长至多 {} 日",
                        ctx.rules.decision_extension_max_days
                    ),
                );
            }
            next.decision_extension_days += days;
            summary = format!("经负责人批准，办案期限延长 {days} 日：{reason}");
        }
        C::ExcludePeriod { kind, from, to, note } => {
            if !matches!(case.stage, Stage::Investigation | Stage::Review | Stage::Notified) {
                return wrong_stage(case, command);
            }
            case_officer_only(case, ctx.actor)?;
            if *kind == rules::ExcludedPeriod::Hearing {
                return refuse(
                    RefusalCode::HearingRecordedByEngine,
                    "行政处罚法第六十条",
                    "听证时间由系统按申请和举行听证的日期自动计算，无需登记",
                );
            }
            if !ctx.rules.decision_excluded.contains(kind) {
                return refuse(
                    RefusalCode::ExclusionNotInRules,
                    "行政处罚法第六十条",
                    format!(
                        "本省办案规则未规定{}时间不计入办案期限（须有法律、法规、规章的规定）",
                        kind.name_zh()
                    ),
                );
            }
            if to < from || case.filed_on.is_some_and(|f| *from < f) {
                return refuse(
                    RefusalCode::PeriodInvalid,
                    "行政处罚法第六十条",
                    "起止日期应在立案之后，且结束不早于开始",
                );
            }
            require_text(note, RefusalCode::NoteRequired, "请写明事项（如送检物品和检测机构、公告载体）")?;
            next.excluded_periods.push(ExcludedSpan {
                kind: *kind,
                from: *from,
                to: *to,
                note: note.trim().to_owned(),
            });
            summary = format!(
                "{} {from} 至 {to}（{} 日）不计入办案期限：{}",
                kind.name_zh(),
                (*to - *from).num_days() + 1,
                note.trim()
            );
        }
        C::HandlePreservation { on, handling } => {
            let Some(index) =
                case.acts.iter().position(|a| a.kind == ActKind::Preservation && a.handled_on.is_none())
            else {
                return wrong_stage(case, command);
            };
            case_officer_only(case, ctx.actor).or_else(|_| leader_only(ctx.actor, "先行登记保存处理"))?;
            require_text(
                handling,
                RefusalCode::HandlingRequired,
                "请写明处理决定（解除、转为查封扣押、送检、依法没收等）",
            )?;
            let act = &case.acts[index];
            if *on < act.on {
                return refuse(RefusalCode::BeforePreservation, "", "处理日期不能早于先行登记保存日期");
            }
            let due = ctx.calendar.add_workdays(act.on, PRESERVATION_DECISION_WORKDAYS)?;
            let acts = &mut next.acts;
            acts[index].handled_on = Some(*on);
            acts[index].handling = handling.trim().to_owned();
            summary = if *on > due {
                format!(
                    "先行登记保存处理决定：{}（超过第五十六条规定的七个工作日，应于 {due} 前作出）",
                    handling.trim()
                )
            } else {
                format!("先行登记保存处理决定：{}", handling.trim())
            };
        }
        _ => return wrong_stage(case, command),
    }
    Ok(summary)
}
