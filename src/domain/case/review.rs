//! Review and the party's rights: 法制审核 and 集体讨论 (Arts. 57–58), 事先告知 (Art. 44), 陈述申辩 and the hearing (Arts. 45, 63–65).

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
        C::Review { on, checklist, opinion } => {
            if !matches!(case.stage, Stage::Review | Stage::Notified) {
                return wrong_stage(case, command);
            }
            reviewer_only(case, ctx)?;
            if checklist.len() != REVIEW_CHECKLIST.len() {
                return refuse(
                    RefusalCode::ChecklistIncomplete,
                    "行政处罚法第五十八条",
                    "请逐项填写法制审核要点",
                );
            }
            require_text(opinion, RefusalCode::OpinionRequired, "请填写审核意见")?;
            let passed = checklist.iter().all(|c| *c);
            next.legal_review = Some(LegalReview {
                reviewer: ctx.actor.person_id.clone().unwrap_or_default(),
                on: *on,
                passed,
                checklist: checklist.clone(),
                opinion: opinion.clone(),
            });
            summary = format!("法制审核{}：{opinion}", if passed { "通过" } else { "未通过" });
        }
        C::Discuss { on, attendees, conclusion } => {
            if !matches!(case.stage, Stage::Review | Stage::Notified) {
                return wrong_stage(case, command);
            }
            leader_only(ctx.actor, "集体讨论")?;
            let distinct = discussion_attendees(attendees, "本案", ctx)?;
            require_text(conclusion, RefusalCode::ConclusionRequired, "请填写讨论结论")?;
            next.collective_on = Some(*on);
            next.discussion =
                Some(Discussion { on: *on, attendees: distinct.clone(), conclusion: conclusion.clone() });
            summary = format!("集体讨论（{} 参加）：{conclusion}", names(&distinct, ctx));
        }
        C::Notify { on } => {
            if case.stage != Stage::Review {
                return wrong_stage(case, command);
            }
            case_officer_only(case, ctx.actor)?;
            let Some(proposal) = &case.proposal else {
                return refuse(RefusalCode::NoProposal, "行政处罚法第四十四条", "尚未提出处理意见");
            };
            next.notice_on = Some(*on);
            next.notified = Some(proposal.clone());
            next.hearing_right_told = next.hearing_eligible(ctx.rules);
            next.statement_workdays_told = Some(ctx.rules.statement_workdays.max(1));
            next.stage = Stage::Notified;
            let end = match next.rights_period_end(ctx.calendar, ctx.rules) {
                Ok(end) => end.unwrap_or(*on).to_string(),
                // The period runs into a year whose arrangement is not loaded yet; the clock
                // shows it as provisional until it is.
                Err(_) => "（待录入次年节假日安排后确定）".to_owned(),
            };
            let hearing = if next.hearing_eligible(ctx.rules) { "，并告知听证权利" } else { "" };
            summary =
                format!("送达行政处罚事先告知书：拟{}；陈述申辩期至 {end}{hearing}", proposal.summary_zh());
            details["rights_end"] = serde_json::json!(end);
        }
        C::Statement { on, summary: text } => {
            if case.stage != Stage::Notified {
                return wrong_stage(case, command);
            }
            case_officer_only(case, ctx.actor)?;
            require_text(text, RefusalCode::SummaryRequired, "请填写陈述申辩内容")?;
            next.statement_on = Some(*on);
            next.statement_summary = text.clone();
            summary = format!("当事人陈述申辩：{text}");
        }
        C::Waive { on: _ } => {
            if case.stage != Stage::Notified {
                return wrong_stage(case, command);
            }
            case_officer_only(case, ctx.actor)?;
            next.waived = true;
            summary = "当事人书面放弃陈述、申辩和听证权利".to_owned();
        }
        C::RequestHearing { on } => {
            if case.stage != Stage::Notified || case.hearing != Hearing::None {
                return wrong_stage(case, command);
            }
            case_officer_only(case, ctx.actor)?;
            if !case.hearing_right(ctx.rules) {
                return refuse(
                    RefusalCode::HearingNotAvailable,
                    "行政处罚法第六十三条",
                    "事先告知书未告知听证权利：拟作出的处罚不属于听证范围",
                );
            }
            let notice = case.notice_on.unwrap_or(*on);
            if !ctx.calendar.within_workdays(notice, HEARING_REQUEST_WORKDAYS, *on)? {
                let last = ctx.calendar.add_workdays(notice, HEARING_REQUEST_WORKDAYS)?;
                return refuse(
                    RefusalCode::HearingRequestLate,
                    "行政处罚法第六十四条第一项",
                    format!("听证申请应在告知后五个工作日内（{last} 前）提出"),
                );
            }
            next.hearing = Hearing::Requested { on: *on };
            summary = "当事人申请听证".to_owned();
        }
        C::ScheduleHearing { notice_on, hearing_on, presider, place } => {
            let Hearing::Requested { on: requested_on } = case.hearing else {
                return wrong_stage(case, command);
            };
            case_officer_only(case, ctx.actor)?;
            // The hearing must come after the whole notice period: at the earliest on its last
            // working day's successor counted as add_workdays(notice, 7).
            let short = *hearing_on < *notice_on + chrono::Duration::days(i64::from(HEARING_NOTICE_WORKDAYS))
                || *hearing_on < ctx.calendar.add_workdays(*notice_on, HEARING_NOTICE_WORKDAYS)?;
            if short {
                let earliest = ctx
                    .calendar
                    .add_workdays(*notice_on, HEARING_NOTICE_WORKDAYS)
                    .map_or_else(|_| "（待录入节假日安排）".to_owned(), |d| d.to_string());
                return refuse(
                    RefusalCode::HearingNoticeTooShort,
                    "行政处罚法第六十四条第二项",
                    format!(
                        "应在举行听证的七个工作日前通知当事人；按 {notice_on} 通知，听证最早在 {earliest}"
                    ),
                );
            }
            if place.trim().is_empty() {
                return refuse(
                    RefusalCode::PlaceRequired,
                    "行政处罚法第六十四条第二项",
                    "请填写举行听证的地点",
                );
            }
            if case.handled_by(presider) {
                return refuse(
                    RefusalCode::PresiderIsInvestigator,
                    "行政处罚法第六十四条第四项",
                    "听证由非本案调查人员主持",
                );
            }
            match ctx.people.get(presider) {
                None => return refuse(RefusalCode::UnknownOfficer, "", "主持人不存在"),
                // Art. 64(4) has the hearing presided by 行政机关指定的非本案调查人员: a member
                // of the bureau's staff, never an auxiliary, who do not hold its power (Art. 42).
                Some(p) if p.employment == Employment::Auxiliary => {
                    return refuse(
                        RefusalCode::PresiderAuxiliary,
                        "行政处罚法第六十四条第四项、第四十二条",
                        "听证主持人须为本机关执法人员，协管员不得主持听证",
                    );
                }
                Some(_) => {}
            }
            next.hearing = Hearing::Scheduled {
                requested_on,
                notice_on: *notice_on,
                hearing_on: *hearing_on,
                presider: presider.clone(),
                place: place.trim().to_owned(),
            };
            summary =
                format!("听证通知：{hearing_on} 举行，主持人 {}", names(std::slice::from_ref(presider), ctx));
        }
        C::HoldHearing { on, attended } => {
            let Hearing::Scheduled { hearing_on, presider, requested_on, .. } = &case.hearing else {
                return wrong_stage(case, command);
            };
            case_officer_only(case, ctx.actor)?;
            if on < hearing_on {
                return refuse(
                    RefusalCode::HearingBeforeDate,
                    "行政处罚法第六十四条",
                    "听证不得早于通知的日期举行",
                );
            }
            if ctx.rules.decision_excluded.contains(&rules::ExcludedPeriod::Hearing) {
                next.excluded_periods.push(ExcludedSpan {
                    kind: rules::ExcludedPeriod::Hearing,
                    from: *requested_on,
                    to: *on,
                    note: String::new(),
                });
            }
            if *attended {
                next.hearing = Hearing::Held { on: *on, presider: presider.clone() };
                // Art. 58(1)(2): a decision after a hearing goes through legal review.
                next.legal_review = None;
                summary = "举行听证，制作听证笔录".to_owned();
            } else {
                next.hearing = Hearing::NoShow { on: *on };
                summary = "当事人无正当理由未出席听证，视为放弃听证权利（第六十四条第八项）".to_owned();
            }
        }
        _ => return wrong_stage(case, command),
    }
    Ok(summary)
}
