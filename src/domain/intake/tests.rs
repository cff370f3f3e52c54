//! The loop with a fixed clock through every path: the plain one, rework, a returned dispatch,
//! an extension, a referral, a merge, a case opened from a matter; and who may take each step.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::flow::{CLOSE_LIMIT, StepInput};
use super::*;
use crate::domain::access::{Role, RoleSet};
use crate::domain::calendar::{WorkCalendar, parse_arrangements};
use crate::domain::worktime::{OfficeHours, TimeLimit};

fn calendar() -> WorkCalendar {
    let (years, days) = parse_arrangements(include_str!("../../../data/holidays.tsv")).unwrap();
    WorkCalendar::new(years.into_iter().map(|(y, _)| y), days.into_iter().map(|s| (s.date, s.kind)))
}

fn class() -> Category {
    Category {
        code: "SJ0401".into(),
        name: "无照经营游商".into(),
        kind: CategoryKind::Event,
        group: "街面秩序".into(),
        public: true,
        handle_normal: TimeLimit::WorkingHours(4),
        handle_urgent: TimeLimit::Hours(2),
        active: true,
        version: 1,
    }
}

/// Beijing time.
fn at(s: &str) -> DateTime<Utc> {
    let civil = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    crate::domain::time::beijing().from_local_datetime(&civil).unwrap().with_timezone(&Utc)
}

struct World {
    calendar: WorkCalendar,
    hours: OfficeHours,
    class: Category,
    centre: RoleSet,
    squad: RoleSet,
}

impl World {
    fn new() -> World {
        World {
            calendar: calendar(),
            hours: OfficeHours::standard(),
            class: class(),
            centre: RoleSet::new(vec![Role::Intake]).unwrap(),
            squad: RoleSet::new(vec![Role::Officer]).unwrap(),
        }
    }

    fn ctx<'a>(&'a self, roles: &'a RoleSet, now: &str) -> LoopContext<'a> {
        LoopContext {
            now: at(now),
            roles,
            person_id: Some("p-squad"),
            in_assigned_unit: true,
            case_concluded: false,
            category: &self.class,
            hours: &self.hours,
            calendar: &self.calendar,
        }
    }

    fn file(&self, now: &str, phone: &str) -> Matter {
        let new = NewMatter {
            source: Source::Hotline,
            category: "SJ0401".into(),
            urgency: Urgency::Normal,
            title: "无照经营游商：南大街".into(),
            description: "流动摊贩占道经营".into(),
            address: "南大街".into(),
            point: None,
            reporter_name: String::new(),
            reporter_phone: phone.into(),
            media_url: None,
        };
        Matter::filed("m1".into(), matter_number(2026, 1), &new, at(now), &self.ctx(&self.centre, now))
    }

    fn step(&self, matter: &Matter, roles: &RoleSet, now: &str, command: MatterCommand) -> Matter {
        apply(matter, &command, &self.ctx(roles, now))
            .unwrap_or_else(|r| panic!("{}: {}", command.code(), r.code()))
            .0
    }

    fn refuse(&self, matter: &Matter, roles: &RoleSet, now: &str, command: MatterCommand) -> &'static str {
        apply(matter, &command, &self.ctx(roles, now)).unwrap_err().code()
    }
}

fn dispatch() -> MatterCommand {
    MatterCommand::Dispatch { unit_id: "squad-1".into() }
}

fn handle() -> MatterCommand {
    MatterCommand::Handle {
        result: "劝离摊贩".into(), measures: vec![Measure::Persuasion], resolution: None
    }
}

#[test]
fn the_plain_loop_is_timed_in_working_time_at_every_step() {
    let w = World::new();
    // Friday 13 November 2026, 17:00: half an hour of office time left that day.
    let m = w.file("2026-11-13 17:00", "13800001234");
    assert_eq!(m.number, "SX2026-000001");
    assert_eq!(m.status, Status::Reported);
    assert_eq!(m.due_at, Some(at("2026-11-16 09:00")), "one working hour runs into Monday");
    let m = w.step(&m, &w.centre, "2026-11-16 08:40", MatterCommand::Accept { urgency: None });
    assert_eq!(m.due_at, Some(at("2026-11-16 09:40")));
    let m = w.step(&m, &w.centre, "2026-11-16 09:00", dispatch());
    // Four working hours from Monday 09:00: 09:00–12:00 and 13:30–14:30.
    assert_eq!(m.handle_due_at, Some(at("2026-11-16 14:30")));
    // Closing is due four working hours for the check and two for closing after that.
    assert_eq!(m.close_due_at, Some(at("2026-11-17 11:30")));
    let m = w.step(&m, &w.squad, "2026-11-16 14:00", handle());
    assert_eq!(m.status, Status::Handled);
    assert_eq!(m.handled_on_time, Some(true));
    assert_eq!(m.resolution, Some(Resolution::Management), "persuasion proposes 管理");
    let m = w.step(
        &m,
        &w.centre,
        "2026-11-16 15:00",
        MatterCommand::Check { passed: true, reason: String::new() },
    );
    assert_eq!(m.due_at, Some(w.ctx(&w.centre, "2026-11-16 15:00").due(at("2026-11-16 15:00"), CLOSE_LIMIT)));
    let m = w.step(&m, &w.centre, "2026-11-16 15:30", MatterCommand::Close { public_note: "已劝离".into() });
    assert_eq!(m.status, Status::Closed);
    assert_eq!(m.due_at, Some(at("2026-11-19 17:30")), "回访 within three working days");
    let m = w.step(
        &m,
        &w.centre,
        "2026-11-17 10:00",
        MatterCommand::Visit { satisfaction: Satisfaction::Satisfied, note: String::new() },
    );
    assert_eq!(m.satisfaction, Some(Satisfaction::Satisfied));
    assert_eq!(m.due_at, None);
    assert!(m.status.is_final());
    assert_eq!(m.version, 7);
}

#[test]
fn rework_goes_back_to_the_squad_and_counts_against_closing_on_time() {
    let w = World::new();
    let m = w.file("2026-11-16 09:00", "");
    let m = w.step(&m, &w.centre, "2026-11-16 09:10", MatterCommand::Accept { urgency: None });
    let m = w.step(&m, &w.centre, "2026-11-16 09:20", dispatch());
    let close_due = m.close_due_at;
    let m = w.step(&m, &w.squad, "2026-11-16 11:00", handle());
    let m = w.step(
        &m,
        &w.centre,
        "2026-11-16 14:00",
        MatterCommand::Check { passed: false, reason: "摊贩仍在".into() },
    );
    assert_eq!((m.status, m.rework_count), (Status::Dispatched, 1));
    assert_eq!(m.handle_due_at, Some(at("2026-11-17 09:00")), "a new round under the class's limit");
    assert_eq!(m.close_due_at, close_due, "rework does not move the closing deadline");
    // The second round ends late: the matter is no longer handled on time.
    let m = w.step(&m, &w.squad, "2026-11-17 10:00", handle());
    assert_eq!(m.handled_on_time, Some(false));
    // Nobody left a number: closing ends the loop without a call-back.
    let m = w.step(
        &m,
        &w.centre,
        "2026-11-17 10:30",
        MatterCommand::Check { passed: true, reason: String::new() },
    );
    let m = w.step(&m, &w.centre, "2026-11-17 11:00", MatterCommand::Close { public_note: "已处理".into() });
    assert_eq!(m.due_at, None);
    let visit = MatterCommand::Visit { satisfaction: Satisfaction::Fair, note: String::new() };
    assert_eq!(w.refuse(&m, &w.centre, "2026-11-17 11:10", visit), "no_contact");
}

#[test]
fn extensions_are_asked_by_the_squad_and_decided_by_the_centre() {
    let w = World::new();
    let m = w.file("2026-11-16 09:00", "");
    let m = w.step(&m, &w.centre, "2026-11-16 09:10", MatterCommand::Accept { urgency: None });
    let m = w.step(&m, &w.centre, "2026-11-16 09:20", dispatch());
    let ask = |until: &str| MatterCommand::RequestTime {
        kind: TimeRequestKind::Extend,
        until: at(until),
        reason: "当事人外出".into(),
    };
    assert_eq!(w.refuse(&m, &w.squad, "2026-11-16 10:00", ask("2026-11-16 11:00")), "until_too_early");
    assert_eq!(w.refuse(&m, &w.centre, "2026-11-16 10:00", ask("2026-11-18 17:30")), "squad_only");
    let asked = w.step(&m, &w.squad, "2026-11-16 10:00", ask("2026-11-18 17:30"));
    assert_eq!(w.refuse(&asked, &w.squad, "2026-11-16 10:05", ask("2026-11-19 17:30")), "request_pending");
    let decide = |approve| MatterCommand::DecideTime { approve, note: String::new() };
    assert_eq!(w.refuse(&asked, &w.squad, "2026-11-16 10:30", decide(true)), "centre_only");
    let approved = w.step(&asked, &w.centre, "2026-11-16 10:30", decide(true));
    assert_eq!(approved.handle_due_at, Some(at("2026-11-18 17:30")));
    assert_eq!(approved.extension_count, 1);
    assert!(approved.close_due_at > m.close_due_at, "an approved extension moves closing too");
    let declined = w.step(&asked, &w.centre, "2026-11-16 10:30", decide(false));
    assert_eq!((declined.handle_due_at, declined.extension_count), (m.handle_due_at, 0));
    assert_eq!(w.refuse(&declined, &w.centre, "2026-11-16 10:40", decide(true)), "no_request");
}

#[test]
fn a_wrong_dispatch_is_returned_and_counted() {
    let w = World::new();
    let m = w.file("2026-11-16 09:00", "");
    let m =
        w.step(&m, &w.centre, "2026-11-16 09:10", MatterCommand::Accept { urgency: Some(Urgency::Urgent) });
    let m = w.step(&m, &w.centre, "2026-11-16 09:20", dispatch());
    assert_eq!(m.handle_due_at, Some(at("2026-11-16 11:20")), "urgent: two clock hours");
    let back = MatterCommand::Return { reason: "不属本中队辖区".into() };
    let mut outsider = w.ctx(&w.squad, "2026-11-16 09:30");
    outsider.in_assigned_unit = false;
    assert_eq!(apply(&m, &back, &outsider).unwrap_err().code(), "squad_only");
    let m = w.step(&m, &w.squad, "2026-11-16 09:30", back);
    assert_eq!((m.status, m.unit_id.as_deref(), m.return_count), (Status::Accepted, None, 1));
}

#[test]
fn a_referral_waits_for_the_departments_answer_before_closing() {
    let w = World::new();
    let m = w.file("2026-11-16 09:00", "13800001234");
    let refer = |due: &str| MatterCommand::Refer {
        department: "市场监管局".into(),
        reference: "转〔2026〕12号".into(),
        due_on: NaiveDate::parse_from_str(due, "%Y-%m-%d").unwrap(),
    };
    assert_eq!(w.refuse(&m, &w.centre, "2026-11-16 09:10", refer("2026-11-15")), "due_in_past");
    let m = w.step(&m, &w.centre, "2026-11-16 09:10", refer("2026-11-20"));
    assert_eq!((m.status, m.due_at), (Status::Referred, Some(at("2026-11-20 17:30"))));
    let close = MatterCommand::Close { public_note: "已转市场监管局办理".into() };
    assert_eq!(w.refuse(&m, &w.centre, "2026-11-17 09:00", close.clone()), "referral_state");
    let m =
        w.step(&m, &w.centre, "2026-11-19 09:00", MatterCommand::AnswerReferral { answer: "已查处".into() });
    let m = w.step(&m, &w.centre, "2026-11-19 09:30", close);
    assert_eq!(m.status, Status::Closed);
}

#[test]
fn duplicates_merge_and_cases_hold_the_matter_until_decided() {
    let w = World::new();
    let m = w.file("2026-11-16 09:00", "");
    assert_eq!(
        w.refuse(&m, &w.centre, "2026-11-16 09:05", MatterCommand::Merge { into: "m1".into() }),
        "merge_self"
    );
    let merged = w.step(&m, &w.centre, "2026-11-16 09:05", MatterCommand::Merge { into: "m0".into() });
    assert_eq!((merged.status, merged.merged_into.as_deref()), (Status::Merged, Some("m0")));
    assert!(merged.status.is_final());

    let m = w.step(&m, &w.centre, "2026-11-16 09:10", MatterCommand::Accept { urgency: None });
    let m = w.step(&m, &w.centre, "2026-11-16 09:20", dispatch());
    let m = w.step(&m, &w.squad, "2026-11-16 10:00", MatterCommand::LinkCase { case_id: "c1".into() });
    assert_eq!((m.status, m.due_at), (Status::AwaitingCase, None));
    let penalty = MatterCommand::Handle {
        result: "立案处罚".into(),
        measures: vec![Measure::Penalty],
        resolution: None,
    };
    assert_eq!(w.refuse(&m, &w.squad, "2026-11-20 10:00", penalty.clone()), "case_pending");
    let mut decided = w.ctx(&w.squad, "2026-11-30 10:00");
    decided.case_concluded = true;
    let (m, _) = apply(&m, &penalty, &decided).unwrap();
    assert_eq!((m.resolution, m.handled_on_time), (Some(Resolution::Enforcement), Some(true)));
    assert_eq!(m.handler_id.as_deref(), Some("p-squad"), "the 处置人 is the acting person");
}

#[test]
fn steps_out_of_order_are_refused_by_status() {
    let w = World::new();
    let m = w.file("2026-11-16 09:00", "");
    assert_eq!(w.refuse(&m, &w.centre, "2026-11-16 09:10", dispatch()), "status_invalid");
    assert_eq!(
        w.refuse(&m, &w.squad, "2026-11-16 09:10", MatterCommand::Accept { urgency: None }),
        "centre_only"
    );
    let rejected =
        w.step(&m, &w.centre, "2026-11-16 09:10", MatterCommand::Reject { reason: "非本局职责".into() });
    assert_eq!(rejected.public_note, "非本局职责");
    let refusal =
        apply(&rejected, &MatterCommand::Accept { urgency: None }, &w.ctx(&w.centre, "2026-11-16 09:20"));
    assert_eq!(refusal.unwrap_err().message_zh(), "事项当前为“不予受理”，不能受理");
}

#[test]
fn the_step_parser_names_the_field_at_fault() {
    let parse = |json: serde_json::Value| serde_json::from_value::<StepInput>(json).unwrap().parse();
    let fields = |json| parse(json).unwrap_err().iter().map(|e| (e.field, e.code)).collect::<Vec<_>>();
    assert_eq!(fields(serde_json::json!({})), [("action", "required")]);
    assert_eq!(fields(serde_json::json!({ "action": "fly" })), [("action", "action_unknown")]);
    assert_eq!(fields(serde_json::json!({ "action": "reject" })), [("reason", "required")]);
    assert_eq!(
        fields(serde_json::json!({ "action": "handle", "result": "ok", "measures": ["hug"] })),
        [("measures", "invalid_value")]
    );
    assert_eq!(fields(serde_json::json!({ "action": "check", "passed": false })), [("reason", "required")]);
    assert_eq!(
        fields(serde_json::json!({ "action": "check", "passed": "maybe" })),
        [("passed", "invalid_value")]
    );
    assert_eq!(
        parse(
            serde_json::json!({ "action": "handle", "result": "已清理", "measures": "coordination,guidance" })
        )
        .unwrap(),
        MatterCommand::Handle {
            result: "已清理".into(),
            measures: vec![Measure::Coordination, Measure::Guidance],
            resolution: None
        }
    );
    assert_eq!(
        parse(serde_json::json!({ "action": "check", "passed": true })).unwrap(),
        MatterCommand::Check { passed: true, reason: String::new() }
    );
    let until = parse(
        serde_json::json!({ "action": "request_time", "kind": "defer", "until": "2026-11-20 17:30", "reason": "雨天" }),
    );
    assert_eq!(
        until.unwrap(),
        MatterCommand::RequestTime {
            kind: TimeRequestKind::Defer,
            until: at("2026-11-20 17:30"),
            reason: "雨天".into()
        }
    );
}

/// A command of each step with input that passes the parser, for the agreement walk.
fn sample(code: &str, now: &str) -> MatterCommand {
    match code {
        "accept" => MatterCommand::Accept { urgency: None },
        "reject" => MatterCommand::Reject { reason: "重复".into() },
        "dispatch" => dispatch(),
        "return" => MatterCommand::Return { reason: "非本辖区".into() },
        "handle" => handle(),
        "request_time" => MatterCommand::RequestTime {
            kind: TimeRequestKind::Extend,
            until: at(now) + chrono::Duration::days(30),
            reason: "雨天".into(),
        },
        "decide_time" => MatterCommand::DecideTime { approve: true, note: String::new() },
        "check" => MatterCommand::Check { passed: false, reason: "未整改".into() },
        "close" => MatterCommand::Close { public_note: "已处理".into() },
        "visit" => MatterCommand::Visit { satisfaction: Satisfaction::Satisfied, note: String::new() },
        "refer" => MatterCommand::Refer {
            department: "市场监管局".into(),
            reference: String::new(),
            due_on: at(now).date_naive() + chrono::Duration::days(5),
        },
        "answer_referral" => MatterCommand::AnswerReferral { answer: "已办".into() },
        "merge" => MatterCommand::Merge { into: "m0".into() },
        "link_case" => MatterCommand::LinkCase { case_id: "c1".into() },
        other => panic!("no sample for {other}"),
    }
}

#[test]
fn every_offered_step_is_one_the_loop_takes_and_no_other() {
    // Walks matters through the offered steps (always the first, then the second, … of each
    // state, breadth-first) and checks, for the centre and the squad in every state met, that
    // each offered step is taken and each step not offered is refused.
    let w = World::new();
    let all: Vec<&str> = MatterCommand::NAMES.iter().map(|(c, _)| *c).collect();
    let mut queue = vec![w.file("2026-11-16 09:00", "13800001234")];
    let mut seen = std::collections::HashSet::new();
    let mut checked = 0;
    while let Some(m) = queue.pop() {
        let key = format!(
            "{:?}{}{}{}",
            m.status,
            m.pending_request.is_some(),
            m.satisfaction.is_some(),
            m.referral.as_ref().is_some_and(|r| r.answer.is_some())
        );
        if !seen.insert(key) {
            continue;
        }
        for roles in [&w.centre, &w.squad] {
            let offered = flow::offered(&m, roles, true, false);
            for code in &all {
                let result = apply(&m, &sample(code, "2026-11-17 10:00"), &w.ctx(roles, "2026-11-17 10:00"));
                checked += 1;
                if offered.contains(code) {
                    let (next, _) = result.unwrap_or_else(|r| {
                        panic!("{code} offered in {:?} but refused: {}", m.status, r.code())
                    });
                    queue.push(next);
                } else {
                    assert!(result.is_err(), "{code} taken in {:?} but not offered", m.status);
                }
            }
        }
    }
    assert!(seen.len() >= 10, "states met: {}", seen.len());
    assert!(checked > 200);
}

#[test]
fn photos_are_added_by_the_centre_before_dispatch_and_by_the_squad_while_it_handles() {
    let w = World::new();
    let m = w.file("2026-11-16 09:00", "");
    assert!(flow::may_add_photo(&m, &w.centre, false));
    assert!(!flow::may_add_photo(&m, &w.squad, true), "not the squad's yet");
    let m = w.step(&m, &w.centre, "2026-11-16 09:10", MatterCommand::Accept { urgency: None });
    let m = w.step(&m, &w.centre, "2026-11-16 09:20", dispatch());
    assert!(!flow::may_add_photo(&m, &w.centre, false), "dispatched: the squad's turn");
    assert!(flow::may_add_photo(&m, &w.squad, true));
    assert!(!flow::may_add_photo(&m, &w.squad, false), "another squad");
    let m = w.step(&m, &w.squad, "2026-11-16 10:00", handle());
    assert!(!flow::may_add_photo(&m, &w.squad, true) && !flow::may_add_photo(&m, &w.centre, false));
}
