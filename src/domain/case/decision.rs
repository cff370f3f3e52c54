//! The decision (Arts. 57, 59–60) and its service (Art. 61).

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
    let mut summary: String;
    match command {
        C::Decide { on, outcome, penalty, note, late_reason } => {
            if case.stage != Stage::Notified && !(case.stage == Stage::Review && *outcome != Outcome::Penalty)
            {
                return wrong_stage(case, command);
            }
            leader_only(ctx.actor, "行政处罚决定")?;
            let filed = case.filed_on.unwrap_or(case.clue_on);
            let days = case.decision_days();
            // Art. 60 makes a decision after the 90 days unlawful in time, but does not lift the
            // duty to decide, and a crime must always be transferred (Arts. 27, 57): a late
            // decision is made and recorded as late, with the reason, never blocked.
            let late = if ctx.calendar.within_calendar_period(filed, days, *on)? {
                None
            } else {
                let deadline = ctx.calendar.calendar_period_end(filed, days)?;
                if *outcome != Outcome::Transfer && late_reason.trim().is_empty() {
                    return refuse(
                        RefusalCode::LateReasonRequired,
                        "行政处罚法第六十条",
                        format!(
                            "应自立案之日起九十日内作出决定（{deadline} 前）；已超期，请写明逾期的理由，决定将记为逾期"
                        ),
                    );
                }
                Some(LateDecision {
                    days_late: (*on - deadline).num_days(),
                    reason: late_reason.trim().to_owned(),
                })
            };
            match outcome {
                Outcome::NoPenalty => require_text(
                    note,
                    RefusalCode::EducationRequired,
                    "不予处罚的，应当对当事人进行教育；请填写教育情况（行政处罚法第三十三条）",
                )?,
                Outcome::Transfer => {
                    require_text(note, RefusalCode::TransferTargetRequired, "请填写移送的司法机关")?;
                }
                Outcome::Penalty => {}
            }
            if *outcome == Outcome::Penalty {
                check_penalty_shape(penalty, ctx)?;
                let Some(notified) = &case.notified else {
                    return refuse(
                        RefusalCode::NotNotified,
                        "行政处罚法第四十四条",
                        "作出处罚决定前须告知当事人",
                    );
                };
                if penalty.is_heavier_than(notified) {
                    return refuse(
                        RefusalCode::HeavierThanNotified,
                        "行政处罚法第四十五条",
                        "决定不得重于告知的处罚；因当事人陈述申辩不得加重处罚。如需加重，应重新告知",
                    );
                }
                if !case.waived && case.rights_running(ctx.calendar, ctx.rules, *on)? {
                    let rights_end = case
                        .rights_period_end(ctx.calendar, ctx.rules)
                        .ok()
                        .flatten()
                        .map_or_else(|| "（待录入节假日安排）".to_owned(), |d| d.to_string());
                    return refuse(
                        RefusalCode::RightsPeriodRunning,
                        "行政处罚法第六十二条",
                        format!(
                            "当事人陈述申辩（听证申请）期限至 {rights_end} 届满，之前不得作出决定，除非当事人明确放弃"
                        ),
                    );
                }
                if matches!(case.hearing, Hearing::Requested { .. } | Hearing::Scheduled { .. }) {
                    return refuse(
                        RefusalCode::HearingPending,
                        "行政处罚法第六十五条",
                        "当事人已申请听证，须在听证结束后根据听证笔录作出决定",
                    );
                }
            }
            // A penalty is major by the penalty decided; a case ending without one is major by
            // what was proposed and by its nature (hearing held, complex, public interest).
            let major = if *outcome == Outcome::Penalty {
                let mut probe = next.clone();
                probe.decision = Some(Decision {
                    outcome: *outcome,
                    penalty: penalty.clone(),
                    on: *on,
                    number: String::new(),
                });
                probe.major_reasons(ctx.rules)
            } else {
                case.major_reasons(ctx.rules)
            };
            // Art. 58 asks legal review before a decision in a major case, whatever it decides:
            // a major case closed with 不予处罚 is reviewed too (a transfer hands the case to the
            // judiciary and is not a decision of this kind).
            if !major.is_empty() && *outcome != Outcome::Transfer {
                match &case.legal_review {
                    Some(review) if review.passed && !case.handled_by(&review.reviewer) => {}
                    Some(review) if !review.passed => {
                        return refuse(
                            RefusalCode::LegalReviewFailed,
                            "行政处罚法第五十八条",
                            "法制审核未通过，不得作出决定",
                        );
                    }
                    _ => {
                        return refuse(
                            RefusalCode::LegalReviewRequired,
                            "行政处罚法第五十八条",
                            format!("重大案件（{}）须经法制审核通过后方可决定", major[0].name_zh()),
                        );
                    }
                }
                // Art. 57 ¶2 asks collective discussion for giving a penalty in such a case.
                if *outcome == Outcome::Penalty && case.collective_on.is_none() {
                    return refuse(
                        RefusalCode::CollectiveDiscussionRequired,
                        "行政处罚法第五十七条第二款",
                        "情节复杂或重大违法行为给予行政处罚，须经行政机关负责人集体讨论决定",
                    );
                }
            }
            next.decision = Some(Decision {
                outcome: *outcome,
                penalty: if *outcome == Outcome::Penalty {
                    penalty.clone()
                } else {
                    Penalty { kinds: vec![], fine_fen: 0, confiscation_fen: 0 }
                },
                on: *on,
                number: String::new(),
            });
            next.stage = Stage::Decided;
            summary = match outcome {
                Outcome::Penalty => format!("决定给予行政处罚：{}", penalty.summary_zh()),
                Outcome::NoPenalty => format!("决定不予行政处罚，并对当事人进行教育：{note}"),
                Outcome::Transfer => format!("决定移送司法机关：{note}"),
            };
            if let Some(late) = &late {
                summary.push_str(&format!(
                    "（超过行政处罚法第六十条规定的期限 {} 日作出{}）",
                    late.days_late,
                    if late.reason.is_empty() {
                        String::new()
                    } else {
                        format!("，理由：{}", late.reason)
                    }
                ));
                details["late"] = serde_json::json!(late);
            }
            next.decided_late = late;
            details["major"] = serde_json::json!(major);
            // The range the fine was held to and why, so the file shows which version of the
            // list (从旧兼从轻) the decision applied.
            if *outcome == Outcome::Penalty && penalty.kinds.contains(&PenaltyKind::Fine) {
                details["fine_range"] = serde_json::json!(ctx.fine_range);
            }
        }
        C::Serve { on, method, consent } => {
            if case.stage != Stage::Decided {
                return wrong_stage(case, command);
            }
            case_officer_only(case, ctx.actor)?;
            let method = *method;
            // The stored event names the method in words too: the recording rules (留置送达,
            // 公告送达 must be filmed) match the words, and events before the method was a
            // code hold only the words.
            details["method_zh"] = serde_json::json!(method.name_zh());
            if case.decision.as_ref().is_some_and(|d| *on < d.on) {
                return refuse(
                    RefusalCode::ServiceBeforeDecision,
                    "行政处罚法第六十一条",
                    "送达日期不能早于决定日期",
                );
            }
            if method == ServiceMethod::Electronic && consent.trim().is_empty() {
                return refuse(
                    RefusalCode::ElectronicConsentRequired,
                    "行政处罚法第六十一条第二款",
                    "电子送达须当事人同意并签订确认书：请写明同意的记录（如送达地址确认书的签署日期）",
                );
            }
            // 公告送达 counts as served thirty days after the announcement; the periods that run
            // from service (payment, 复议, 诉讼, court enforcement) run from then.
            let served = if method == ServiceMethod::Announcement {
                *on + chrono::Duration::days(ANNOUNCEMENT_SERVICE_DAYS)
            } else {
                *on
            };
            next.served_on = Some(served);
            next.stage = Stage::Execution;
            summary = match method {
                ServiceMethod::Announcement => {
                    format!(
                        "公告送达决定书，自公告之日起经过三十日即 {served} 视为送达（民事诉讼法第九十五条）"
                    )
                }
                ServiceMethod::Electronic => format!("电子送达决定书（当事人同意：{}）", consent.trim()),
                other => format!("送达决定书（{}）", other.name_zh()),
            };
        }
        _ => return wrong_stage(case, command),
    }
    Ok(summary)
}
