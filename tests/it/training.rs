//! Issue 15 (first part): sessions, phone sign-in with the room's code, the organiser's
//! records, monthly compliance from the CLI, and the onboarding gate of the case engine.

use std::process::Command;

use axum::http::{Method, StatusCode};
use chengguan::domain::training::{Month, code_period};
use chengguan::ops::Actor;
use chengguan::ops::training::{
    SessionInput, close_month, create_session, record_attendance, record_early_leave, record_score, sign_in,
    sign_in_code,
};
use chengguan::store::training::AttendanceStatus;
use chrono::{Duration, NaiveDate};

use crate::cases::{new_party, two_certified};
use crate::support::TestApp;

async fn actor(app: &TestApp, username: &str) -> Actor {
    Actor::acting_as(app.db.account_by_username(username).await.unwrap().unwrap(), "test")
}

fn input(unit_id: &str, kind: &str, date: &str, starts: &str, ends: &str) -> SessionInput {
    SessionInput {
        unit_id: unit_id.to_owned(),
        kind: kind.to_owned(),
        topic: "《行政处罚法》程序规定解读".to_owned(),
        categories: "law,practice".to_owned(),
        date: date.to_owned(),
        starts: starts.to_owned(),
        ends: ends.to_owned(),
        place: "中队会议室".to_owned(),
        ..Default::default()
    }
}

/// The test clock starts on Mon 2 March 2026, 09:00 in Beijing (01:00 UTC).
#[tokio::test]
async fn signing_in_takes_the_rooms_code_of_this_minute_inside_the_window() {
    let app = TestApp::new().await;
    let squad = app.unit_id("南大街中队").await;
    let lead = actor(&app, "squadlead01").await;
    let officer = actor(&app, "officer01").await;
    let id = create_session(&app.state, &lead, &input(&squad, "business", "2026-03-02", "10:00", "12:00"))
        .await
        .unwrap();
    let code_now = || sign_in_code(&app.state.keys, &id, code_period(app.clock_now()));
    let refused = |result: Result<_, chengguan::ops::Error>| match result {
        Err(chengguan::ops::Error::Refused { code, .. }) => code,
        other => panic!("expected a refusal, got {other:?}"),
    };
    // 09:00: the window opens at 09:30.
    assert_eq!(refused(sign_in(&app.state, &officer, &id, &code_now()).await), "sign_in_closed");
    app.clock.set(app.clock_now() + Duration::minutes(40));
    // Another minute's code, another session's code, a made-up code.
    let stale = sign_in_code(&app.state.keys, &id, code_period(app.clock_now()) - 2);
    assert_eq!(refused(sign_in(&app.state, &officer, &id, &stale).await), "sign_in_code_invalid");
    let other = sign_in_code(&app.state.keys, "another-session", code_period(app.clock_now()));
    assert_eq!(refused(sign_in(&app.state, &officer, &id, &other).await), "sign_in_code_invalid");
    assert_eq!(refused(sign_in(&app.state, &officer, &id, "123456").await), "sign_in_code_invalid");
    assert_eq!(app.audit_count("training.sign_in_refused").await, 4, "every refused attempt is audited");
    assert_eq!(app.audit_count("training.attend").await, 0, "and records nothing");
    // Someone of another squad is not a participant.
    let stranger = actor(&app, "officer05").await;
    assert_eq!(refused(sign_in(&app.state, &stranger, &id, &code_now()).await), "not_a_participant");
    // The right code, on time; again: one attendance.
    let signed = sign_in(&app.state, &officer, &id, &code_now()).await.unwrap();
    assert!(signed.recorded && !signed.late);
    assert!(!sign_in(&app.state, &officer, &id, &code_now()).await.unwrap().recorded);
    assert_eq!(app.audit_count("training.attend").await, 1);
    // The code read just before the minute turned still works; 10:11 is late.
    let lead_person = actor(&app, "squadlead01").await;
    app.clock.set(app.clock_now() + Duration::minutes(31));
    let just_before = sign_in_code(&app.state.keys, &id, code_period(app.clock_now()) - 1);
    assert!(sign_in(&app.state, &lead_person, &id, &just_before).await.unwrap().late);
    // After the end: closed.
    app.clock.set(app.clock_now() + Duration::hours(2));
    let officer2 = actor(&app, "officer02").await;
    assert_eq!(refused(sign_in(&app.state, &officer2, &id, &code_now()).await), "sign_in_closed");
    // The organiser records them with a reason instead; no reason, no record.
    assert!(
        record_attendance(
            &app.state,
            &lead,
            &id,
            officer2.person_id.as_deref().unwrap(),
            AttendanceStatus::Present,
            " "
        )
        .await
        .is_err()
    );
    assert!(
        record_attendance(
            &app.state,
            &lead,
            &id,
            officer2.person_id.as_deref().unwrap(),
            AttendanceStatus::Present,
            "手机没电，现场核实"
        )
        .await
        .unwrap()
    );
}

#[tokio::test]
async fn nobody_handles_a_case_before_onboarding() {
    let app = TestApp::new().await;
    let squad_token = app.token("squadlead01").await;
    let leader = app.token("leader01").await;
    let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let officers = two_certified(&app, "南大街中队", day).await;
    // The second officer is new: certified, but not through 岗前培训.
    app.raw(&format!("UPDATE people SET onboarded_on = NULL WHERE id = '{}'", officers[1])).await;
    let party = new_party(&app, &squad_token, "11010519491231002X").await;
    let open = serde_json::json!({
        "procedure": "general", "party_id": party, "category": "street_vending", "item_code": "ZL-ZD-001",
        "title": "擅自占用城市道路设摊经营", "location": "南大街 88 号", "source": "patrol",
        "clue_on": "2026-03-02", "act_on": "2026-03-01",
    });
    let created = app.json(Method::POST, "/api/v1/cases", &squad_token, open).await.json();
    let id = created["id"].as_str().unwrap().to_owned();
    let file = |version: i64| serde_json::json!({"action": "file", "on": "2026-03-02", "officers": officers, "version": version});
    let refused = app.json(Method::POST, &format!("/api/v1/cases/{id}/steps"), &leader, file(1)).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert_eq!(refused.json()["error"], "onboarding_incomplete");
    assert!(refused.body.contains("岗前培训"), "{}", refused.body);
    // The person page says why.
    let office_session = app.login("office01").await;
    let page = app.get(&format!("/people/{}", officers[1]), Some(&office_session)).await;
    assert!(page.body.contains("完成岗前培训前，不能承办案件"), "the person page shows the gate");
    // The onboarding session that morning, attendance recorded by the office: the gate opens.
    let office = actor(&app, "office01").await;
    let brigade = app.unit_id("钟楼城管行政执法大队").await;
    let session =
        create_session(&app.state, &office, &input(&brigade, "onboarding", "2026-03-02", "08:00", "08:50"))
            .await
            .unwrap();
    record_attendance(
        &app.state,
        &office,
        &session,
        &officers[1],
        AttendanceStatus::Present,
        "岗前培训签到表",
    )
    .await
    .unwrap();
    assert!(app.audit_count("person.onboarded").await > 0);
    let filed = app.json(Method::POST, &format!("/api/v1/cases/{id}/steps"), &leader, file(1)).await;
    assert_eq!(filed.status, StatusCode::OK, "{}", filed.body);
    let page = app.get(&format!("/people/{}", officers[1]), Some(&office_session)).await;
    assert!(!page.body.contains("完成岗前培训前，不能承办案件") && page.body.contains("2026-03-02"));
}

#[tokio::test]
async fn the_monthly_compliance_is_printed_as_csv_with_the_demo_year() {
    let app = TestApp::new().await;
    let added = chengguan::demo::seed_training(&app.db, app.clock_now()).await.unwrap();
    assert!(added > 300, "a year of fixed study days for eight squads: {added}");
    assert_eq!(chengguan::demo::seed_training(&app.db, app.clock_now()).await.unwrap(), 0, "idempotent");
    // The spring training's photo, kept as its material; once.
    assert_eq!(chengguan::demo::seed_training_materials(&app.state).await.unwrap(), 1);
    assert_eq!(chengguan::demo::seed_training_materials(&app.state).await.unwrap(), 0);
    assert!(
        app.count("SELECT COUNT(*) FROM training_attendance WHERE score IS NOT NULL").await > 100,
        "spring test scores"
    );
    let last = Month::of(chengguan::domain::time::civil_date(app.clock_now())).previous();
    let output = Command::new(env!("CARGO_BIN_EXE_chengguan"))
        .arg("--data-dir")
        .arg(app.dir.path())
        .arg("--database-url")
        .arg(&app.url)
        .args(["training", "compliance", "--month", &last.to_string(), "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8(output.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("person_id,name,unit,political,business,compliant,note"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(rows.len() > 200, "everyone in service: {}", rows.len());
    let of = |unit: &str| rows.iter().filter(|r| r[2] == unit).collect::<Vec<_>>();
    // The last squad held one business study last month: nobody there complies.
    let short = of("邹区中队");
    assert!(!short.is_empty() && short.iter().all(|r| r[5] != "true"), "{short:?}");
    // The first squad mostly complies; a political study counted, make-ups included.
    let first = of("南大街中队");
    assert!(first.iter().filter(|r| r[5] == "true").count() * 2 > first.len(), "{first:?}");
    for row in &rows {
        assert!(["true", "false", "exempt"].contains(&row[5]), "{row:?}");
    }
    // A bad month is a usage error (exit 2), not a crash.
    let bad = Command::new(env!("CARGO_BIN_EXE_chengguan"))
        .arg("--data-dir")
        .arg(app.dir.path())
        .arg("--database-url")
        .arg(&app.url)
        .args(["training", "compliance", "--month", "2026-13", "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    // A month not yet begun (by the real clock the CLI reads): the header only.
    let future = Command::new(env!("CARGO_BIN_EXE_chengguan"))
        .arg("--data-dir")
        .arg(app.dir.path())
        .arg("--database-url")
        .arg(&app.url)
        .args(["training", "compliance", "--month", "2099-12", "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(future.stdout).unwrap().lines().count(), 1);
}

/// The pages and the API: the organiser sees the room's code, a participant signs in from the
/// phone page with it, the month's sessions and compliance come through `/api/v1`; an officer
/// sees only the own record.
#[tokio::test]
async fn the_organiser_shows_the_code_and_a_participant_signs_in_from_the_phone_page() {
    let app = TestApp::new().await;
    chengguan::demo::seed_training(&app.db, app.clock_now()).await.unwrap();
    let lead_token = app.token("squadlead01").await;
    let squad = app.unit_id("南大街中队").await;
    // Today's session, 09:00–11:00 Beijing; the test clock is 09:00.
    let body = serde_json::json!({"unit_id": squad, "kind": "business", "topic": "执法文书制作规范",
        "categories": ["law"], "date": "2026-03-02", "starts": "09:00", "ends": "11:00"});
    let created = app.json(Method::POST, "/api/v1/training/sessions", &lead_token, body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let lead = app.login("squadlead01").await;
    let page = app.get(&format!("/training/sessions/{id}"), Some(&lead)).await;
    assert_eq!(page.status, StatusCode::OK);
    let code =
        crate::support::between(&page.body, "<p class=\"signin-code mono\" aria-live=\"polite\">", "</p>");
    assert_eq!(code, sign_in_code(&app.state.keys, &id, code_period(app.clock_now())));
    // Shown with the host the organiser's browser used, the code's link is also a QR code.
    let shown = app
        .send(
            axum::http::Request::get(format!("/training/sessions/{id}"))
                .header("host", "cg.zhonglou.example:8443")
                .header("cookie", &lead.cookie)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert!(shown.body.contains("class=\"signin-qr\"") && shown.body.contains("<svg"), "{}", shown.body);
    // The officer's phone: the sign-in form, a wrong code refused, the right one recorded.
    let officer = app.login("officer01").await;
    let phone = app.get(&format!("/training/sessions/{id}?code={code}"), Some(&officer)).await;
    assert!(phone.body.contains(&format!("value=\"{code}\"")), "the code from the link is filled in");
    let wrong = app
        .post_form(&format!("/training/sessions/{id}/sign-in"), Some(&officer), &[("code", "000000")])
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("签到码无效"), "{}", wrong.body);
    let ok = app
        .post_form(&format!("/training/sessions/{id}/sign-in"), Some(&officer), &[("code", code.as_str())])
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let after = app.get(&format!("/training/sessions/{id}"), Some(&lead)).await;
    assert!(after.body.contains("扫码签到"), "the organiser sees the sign-in");
    // The month through the API; the officer's compliance is the own line only.
    let sessions = app.get_bearer("/api/v1/training/sessions?month=2026-03", &lead_token).await;
    assert_eq!(sessions.status, StatusCode::OK);
    assert!(sessions.json().as_array().unwrap().iter().any(|s| s["id"] == id.as_str()));
    let officer_token = app.token("officer01").await;
    let mine = app.get_bearer("/api/v1/training/compliance?month=2026-02", &officer_token).await.json();
    assert_eq!(mine.as_array().unwrap().len(), 1, "{mine}");
    let squad_view = app.get_bearer("/api/v1/training/compliance?month=2026-02", &lead_token).await.json();
    assert!(squad_view.as_array().unwrap().len() > 10);
    let bad = app.get_bearer("/api/v1/training/compliance?month=2026-13", &lead_token).await;
    assert!(bad.status.is_client_error());
    // An officer may not record sessions.
    let denied =
        app.json(Method::POST, "/api/v1/training/sessions", &officer_token, serde_json::json!({})).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let compliance = app.get("/training/compliance?month=2026-02", Some(&lead)).await;
    assert!(compliance.status == StatusCode::OK && compliance.body.contains("按人员"));
    // Someone registered today joined today: this month does not count against them.
    let office = app.token("office01").await;
    let unit = app.unit_id("法制科").await;
    let person = app
        .json(Method::POST, "/api/v1/people", &office,
            serde_json::json!({"name": "新同事", "gender": "female", "unit_id": unit, "employment": "officer"}))
        .await
        .json();
    let march = app.get_bearer("/api/v1/training/compliance?month=2026-03", &office).await.json();
    let line = march.as_array().unwrap().iter().find(|r| r["person_id"] == person["id"]).unwrap().clone();
    assert_eq!(line["compliant"], "exempt", "{line}");
}

/// The person page records service dates and long absences; a month a long absence covers is
/// exempt, a month after leaving is not judged at all, and bad input changes nothing.
#[tokio::test]
async fn service_dates_and_long_absences_are_recorded_on_the_person_page() {
    let app = TestApp::new().await;
    let office = app.login("office01").await;
    let person = app.db.account_by_username("officer01").await.unwrap().unwrap().person_id.unwrap();
    let february = Month::parse("2026-02").unwrap();
    let status_in = |rows: &[chengguan::ops::training::ComplianceRow], id: &str| {
        rows.iter().find(|r| r.person_id == id).map(|r| r.result.status.clone())
    };
    let before = chengguan::ops::training::compliance(&app.db, february, None).await.unwrap();
    assert!(
        !matches!(
            status_in(&before, &person),
            Some(chengguan::domain::training::ComplianceStatus::Exempt(_))
        ),
        "judged in February before any absence"
    );

    // Refused field by field, in Chinese, and nothing is written.
    let audits = app.audit_count("person.absence").await;
    let refused = app
        .post_form(
            &format!("/people/{person}/absences"),
            Some(&office),
            &[("kind", "出差"), ("from", "2026-02-28"), ("to", "2026-02-01")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("请选择离岗类别") && refused.body.contains("结束日期不能早于开始日期"));
    assert_eq!(app.audit_count("person.absence").await, audits);

    let saved = app
        .post_form(
            &format!("/people/{person}/absences"),
            Some(&office),
            &[("kind", "病假"), ("from", "2026-01-20"), ("to", "2026-03-10")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(app.audit_count("person.absence").await, audits + 1);
    // The audit record keeps the dates, never the (health) kind.
    assert!(!app.latest_audit("person.absence").await.content.details.clone().contains("病假"));
    let after = chengguan::ops::training::compliance(&app.db, february, None).await.unwrap();
    assert!(matches!(
        status_in(&after, &person),
        Some(chengguan::domain::training::ComplianceStatus::Exempt(_))
    ));
    let page = app.get(&format!("/people/{person}"), Some(&office)).await;
    assert!(page.body.contains("病假") && page.body.contains("2026-03-10"));

    // Leaving before the month ends takes the person out of later months.
    let refused = app
        .post_form(
            &format!("/people/{person}/service"),
            Some(&office),
            &[("joined_on", "2026-01-05"), ("left_on", "2025-12-31")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("离职日期不能早于入职日期"));
    let saved = app
        .post_form(
            &format!("/people/{person}/service"),
            Some(&office),
            &[("joined_on", "2020-01-06"), ("left_on", "2025-12-31")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let service = app.db.person_service(&person).await.unwrap().unwrap();
    assert_eq!(service.left_on, NaiveDate::from_ymd_opt(2025, 12, 31));
    let after = chengguan::ops::training::compliance(&app.db, february, None).await.unwrap();
    assert_eq!(status_in(&after, &person), None, "not in service in February");

    // An officer cannot edit people: the route's policy refuses before any handler runs.
    let officer = app.login("officer01").await;
    let denied = app
        .post_form(&format!("/people/{person}/service"), Some(&officer), &[("joined_on", "2020-01-06")])
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
}

/// From the 20th the 工作台 says what one still owes this month, and lists for a squad leader
/// the squad's people still short; before the 20th it says nothing of it.
#[tokio::test]
async fn from_the_twentieth_the_workbench_says_who_still_owes_the_months_studies() {
    use chrono::TimeZone;
    let app = TestApp::new().await;
    // No study held in March yet: everyone in service owes one political and two business studies.
    app.clock.set(chrono::Utc.with_ymd_and_hms(2026, 3, 19, 1, 0, 0).unwrap());
    let officer = app.login("officer01").await;
    let home = app.get("/", Some(&officer)).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(!home.body.contains("本月学习"), "not before the 20th");

    app.clock.set(chrono::Utc.with_ymd_and_hms(2026, 3, 20, 1, 0, 0).unwrap());
    let officer = app.login("officer01").await;
    let home = app.get("/", Some(&officer)).await;
    assert!(home.body.contains("本月学习未达标：尚欠政治学习 1 次、业务学习 2 次"), "{}", home.body);
    // An officer manages nobody's training: no one else's line.
    assert!(!home.body.contains("）本月学习未达标"));

    let leader = app.login("squadlead01").await;
    let home = app.get("/", Some(&leader)).await;
    let officer_name = app.db.account_by_username("officer01").await.unwrap().unwrap().display_name;
    assert!(home.body.contains(&format!("{officer_name}（")), "the squad's officer is listed: {}", home.body);
    assert!(home.body.contains("）本月学习未达标"));
}

/// Scope 3: the office closes a month once it is over; its figures are frozen, and what is
/// recorded for it afterwards (an attendance, a late session, a make-up signed in the next
/// month) needs a reason and shows as a correction beside the figure reported at closing.
#[tokio::test]
async fn a_closed_month_keeps_its_figures_and_lists_every_later_change_as_a_correction() {
    let app = TestApp::new().await;
    let squad = app.unit_id("南大街中队").await;
    let (lead, office) = (actor(&app, "squadlead01").await, actor(&app, "office01").await);
    let officer = actor(&app, "officer01").await;
    let person = officer.person_id.clone().unwrap();
    let political =
        create_session(&app.state, &lead, &input(&squad, "political", "2026-03-03", "15:00", "17:00"))
            .await
            .unwrap();
    let business =
        create_session(&app.state, &lead, &input(&squad, "business", "2026-03-10", "15:00", "17:00"))
            .await
            .unwrap();
    for id in [&political, &business] {
        record_attendance(&app.state, &lead, id, &person, AttendanceStatus::Present, "现场点名")
            .await
            .unwrap();
    }
    let march = Month::parse("2026-03").unwrap();
    let refused = |result: Result<usize, chengguan::ops::Error>| match result {
        Err(e) => e.code(),
        Ok(n) => panic!("closed {n}"),
    };
    // Not before the month is over, not by a squad leader.
    assert_eq!(refused(close_month(&app.state, &office, march).await), "month_not_over");
    app.clock.set(app.clock_now() + Duration::days(31));
    assert_eq!(refused(close_month(&app.state, &lead, march).await), "forbidden");
    assert!(close_month(&app.state, &office, march).await.unwrap() > 10);
    assert_eq!(refused(close_month(&app.state, &office, march).await), "already_closed");
    assert_eq!(app.audit_count("training.month_closed").await, 1);
    let closure = app.db.training_closure(march).await.unwrap().unwrap();
    let frozen = closure.snapshot.iter().find(|f| f.person_id == person).unwrap();
    assert_eq!((frozen.political, frozen.business, frozen.compliant.as_str()), (1, 1, "false"));

    // A second business study of March entered now: refused without a reason, nothing written.
    let mut late = input(&squad, "business", "2026-03-24", "15:00", "17:00");
    let Err(chengguan::ops::Error::Invalid(errors)) = create_session(&app.state, &lead, &late).await else {
        panic!("a session in a closed month needs a reason")
    };
    assert!(errors.get("correction_reason").unwrap().contains("已关账"));
    assert_eq!(app.audit_count("training.session.create").await, 2);
    late.correction_reason = "3月24日业务学习漏录，据签到表补录".into();
    let added = create_session(&app.state, &lead, &late).await.unwrap();
    app.clock.set(app.clock_now() + Duration::minutes(1));
    record_attendance(&app.state, &lead, &added, &person, AttendanceStatus::Present, "据签到表补录")
        .await
        .unwrap();
    // A make-up held in April for the March political study, signed in from the phone.
    let officer2 = actor(&app, "officer02").await;
    let today = chengguan::domain::time::civil_date(app.clock_now()).to_string();
    let mut makeup = input(&squad, "political", &today, "09:00", "11:00");
    makeup.makes_up_for = political.clone();
    let makeup = create_session(&app.state, &lead, &makeup).await.unwrap();
    app.clock.set(app.clock_now() + Duration::minutes(1));
    let code = sign_in_code(&app.state.keys, &makeup, code_period(app.clock_now()));
    assert!(sign_in(&app.state, &officer2, &makeup, &code).await.unwrap().recorded);

    let corrections = app.db.training_corrections(march).await.unwrap();
    let whats: Vec<&str> = corrections.iter().map(|c| c.what.as_str()).collect();
    assert_eq!(whats, ["补录培训", "补登出勤", "补学签到"], "{corrections:?}");
    assert_eq!(app.audit_count("training.corrected").await, 3);
    // The frozen figure stays; the live one moved; both are shown.
    let token = app.token("office01").await;
    let lines = app.get_bearer("/api/v1/training/compliance?month=2026-03", &token).await.json();
    let line = lines.as_array().unwrap().iter().find(|r| r["person_id"] == person.as_str()).unwrap().clone();
    assert_eq!(
        (line["compliant"].as_str(), line["at_closing"].as_str()),
        (Some("true"), Some("false")),
        "{line}"
    );
    let session = app.login("office01").await;
    let page = app.get("/training/compliance?month=2026-03&all=1", Some(&session)).await;
    assert!(
        page.body.contains("本月已关账")
            && page.body.contains("关账时")
            && page.body.contains("据签到表补录")
    );
    assert!(!page.body.contains("name=\"month\" value=\"2026-03\""), "no second closing button");
    // April is not over: no closing button yet; the API refuses it too.
    let april = app.get("/training/compliance?month=2026-04", Some(&session)).await;
    assert!(!april.body.contains("/training/compliance/close"));
    let early =
        app.json(Method::POST, "/api/v1/training/months/2026-04/close", &token, serde_json::json!({})).await;
    assert_eq!(
        (early.status, early.json()["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("month_not_over"))
    );
    let lead_token = app.token("squadlead01").await;
    let denied = app
        .json(Method::POST, "/api/v1/training/months/2026-02/close", &lead_token, serde_json::json!({}))
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
}

/// Scope 3 and 5: a person's year month by month with the spring training, for the person
/// and whoever manages their unit; the brigade's special trainings against the year's rule;
/// the month's tables as a workbook.
#[tokio::test]
async fn a_persons_year_shows_each_month_and_the_spring_training() {
    let app = TestApp::new().await;
    let brigade = app.unit_id("钟楼城管行政执法大队").await;
    let office = actor(&app, "office01").await;
    let (officer1, officer2) = (actor(&app, "officer01").await, actor(&app, "officer02").await);
    let spring =
        create_session(&app.state, &office, &input(&brigade, "spring", "2026-03-02", "14:00", "17:00"))
            .await
            .unwrap();
    record_attendance(
        &app.state,
        &office,
        &spring,
        officer1.person_id.as_deref().unwrap(),
        AttendanceStatus::Present,
        "点名",
    )
    .await
    .unwrap();
    create_session(&app.state, &office, &input(&brigade, "special", "2026-03-02", "18:00", "20:00"))
        .await
        .unwrap();
    let token = app.token("officer01").await;
    let own = app
        .get_bearer(
            &format!("/api/v1/training/people/{}/year?year=2026", officer1.person_id.as_deref().unwrap()),
            &token,
        )
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    let own = own.json();
    assert_eq!(own["spring"], "attended");
    let months: Vec<&str> =
        own["months"].as_array().unwrap().iter().map(|m| m["month"].as_str().unwrap()).collect();
    assert_eq!(months, ["2026-01", "2026-02", "2026-03"], "up to this month");
    let other = format!("/api/v1/training/people/{}/year?year=2026", officer2.person_id.as_deref().unwrap());
    assert_eq!(app.get_bearer(&other, &token).await.status, StatusCode::NOT_FOUND, "not another officer's");
    let lead_token = app.token("squadlead01").await;
    let theirs = app.get_bearer(&other, &lead_token).await.json();
    assert_eq!(theirs["spring"], "missed", "held while in service, not attended: {theirs}");
    let bad = app.get_bearer(&format!("{other}x&year=20x6"), &lead_token).await;
    assert!(bad.status.is_client_error());
    // The page, and the special trainings on the office's compliance page.
    let session = app.login("office01").await;
    let page = app
        .get(
            &format!("/training/people/{}?year=2026", officer1.person_id.as_deref().unwrap()),
            Some(&session),
        )
        .await;
    assert!(
        page.status == StatusCode::OK && page.body.contains("春训") && page.body.contains("已参加"),
        "{}",
        page.body
    );
    let compliance = app.get("/training/compliance?month=2026-03", Some(&session)).await;
    assert!(compliance.body.contains("已举办 1 / 要求 2"), "{}", compliance.body);
    // Who missed the spring training: officer02, not officer01.
    let all = chengguan::store::org::Visibility::All;
    let went =
        app.db.person(&all, officer1.person_id.as_deref().unwrap()).await.unwrap().unwrap().summary.name;
    let missed =
        app.db.person(&all, officer2.person_id.as_deref().unwrap()).await.unwrap().unwrap().summary.name;
    let section = compliance
        .body
        .split("年春训未参加")
        .nth(1)
        .unwrap_or_default()
        .split("</section>")
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(section.contains(&missed) && !section.contains(&went), "{section}");
    // The workbook: an xlsx (a zip), audited.
    let (status, headers, bytes) = app
        .send_bytes(
            axum::http::Request::get("/training/compliance.xlsx?month=2026-02")
                .header("cookie", &session.cookie)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers["content-type"].to_str().unwrap().contains("spreadsheetml"));
    assert!(bytes.starts_with(b"PK"), "a zip container");
    assert_eq!(app.audit_count("training.export").await, 1);
    let (status, _, bytes) = app
        .send_bytes(
            axum::http::Request::get("/training/year.xlsx?year=2026")
                .header("cookie", &session.cookie)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert!(status == StatusCode::OK && bytes.starts_with(b"PK"), "the year's ledger");
    assert_eq!(app.audit_count("training.export").await, 2);
    // February is over: the office closes it from its page.
    let february = app.get("/training/compliance?month=2026-02", Some(&session)).await;
    assert!(february.body.contains("/training/compliance/close"));
    let closed = app.post_form("/training/compliance/close", Some(&session), &[("month", "2026-02")]).await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
    let after = app.get("/training/compliance?month=2026-02", Some(&session)).await;
    assert!(after.body.contains("本月已关账") && !after.body.contains("/training/compliance/close"));
}

/// A session that ended with nobody recorded is flagged on its organiser's 工作台 until the
/// attendance is entered.
#[tokio::test]
async fn the_organiser_is_told_of_a_past_session_with_no_attendance() {
    let app = TestApp::new().await;
    let squad = app.unit_id("南大街中队").await;
    let lead = actor(&app, "squadlead01").await;
    let id = create_session(&app.state, &lead, &input(&squad, "expert", "2026-02-27", "15:00", "17:00"))
        .await
        .unwrap();
    let session = app.login("squadlead01").await;
    let home = app.get("/", Some(&session)).await;
    assert!(home.body.contains("尚无出勤记录") && home.body.contains(&id), "{}", home.body);
    let officer = actor(&app, "officer01").await.person_id.unwrap();
    record_attendance(&app.state, &lead, &id, &officer, AttendanceStatus::Present, "据签到表登记")
        .await
        .unwrap();
    assert!(!app.get("/", Some(&session)).await.body.contains("尚无出勤记录"));
    // Someone else's workbench does not carry it.
    let other = app.login("squadlead02").await;
    assert!(!app.get("/", Some(&other)).await.body.contains(&id));
}

/// Scope 1: a unit's yearly plan against the sessions it held; the squad leader fills the
/// year from the plan, adds and withdraws lines; another squad's plan is not theirs to edit.
#[tokio::test]
async fn a_squads_yearly_plan_stands_beside_the_sessions_it_held() {
    let app = TestApp::new().await;
    let squad = app.unit_id("南大街中队").await;
    let lead = actor(&app, "squadlead01").await;
    for (kind, date) in [("political", "2026-01-06"), ("business", "2026-01-13"), ("business", "2026-02-10")]
    {
        create_session(&app.state, &lead, &input(&squad, kind, date, "15:00", "17:00")).await.unwrap();
    }
    let session = app.login("squadlead01").await;
    let filled = app
        .post_form("/training/plan/fill", Some(&session), &[("unit_id", squad.as_str()), ("year", "2026")])
        .await;
    assert_eq!(filled.status, StatusCode::SEE_OTHER, "{}", filled.body);
    let again = app
        .post_form("/training/plan/fill", Some(&session), &[("unit_id", squad.as_str()), ("year", "2026")])
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(app.audit_count("training.plan.add").await, 24, "filling twice adds nothing the second time");
    let token = app.token("squadlead01").await;
    let plan = app.get_bearer(&format!("/api/v1/training/plan?unit={squad}&year=2026"), &token).await.json();
    assert!(plan["rows"].is_array(), "{plan}");
    let business = plan["rows"].as_array().unwrap().iter().find(|r| r["kind"] == "business").unwrap().clone();
    let states: Vec<&str> =
        business["months"].as_array().unwrap()[..3].iter().map(|m| m["state"].as_str().unwrap()).collect();
    // January: one of two held, over; February: one of two, over; March: not yet held, open.
    assert_eq!(states, ["behind", "behind", "open"], "{business}");
    assert_eq!(business["months"][0]["held"], 1);
    // A line added (an expert lecture in May) and withdrawn again; bad input refused.
    let added = app
        .json(Method::POST, "/api/v1/training/plan/items", &token,
            serde_json::json!({"unit_id": squad, "year": 2026, "month": 5, "kind": "expert", "sessions": 1, "topic": "专家授课：法律适用"}))
        .await;
    assert_eq!(added.status, StatusCode::CREATED, "{}", added.body);
    let id = added.json()["id"].as_str().unwrap().to_owned();
    let bad = app
        .post_form(
            "/training/plan",
            Some(&session),
            &[
                ("unit_id", squad.as_str()),
                ("year", "2026"),
                ("month", "13"),
                ("kind", "expert"),
                ("sessions", "0"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("计划次数为 1–31"), "{}", bad.body);
    let withdrawn = app.post_form(&format!("/training/plan/items/{id}/withdraw"), Some(&session), &[]).await;
    assert_eq!(withdrawn.status, StatusCode::SEE_OTHER);
    let twice = app
        .json(
            Method::POST,
            &format!("/api/v1/training/plan/items/{id}/withdraw"),
            &token,
            serde_json::json!({}),
        )
        .await;
    assert_eq!(twice.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM training_plan_items WHERE id = '{id}' AND withdrawn_at IS NOT NULL"
        ))
        .await,
        1,
        "kept, marked"
    );
    // Another squad's leader sees nothing of it and may not add to it.
    let other = app.token("squadlead02").await;
    assert_eq!(
        app.get_bearer(&format!("/api/v1/training/plan?unit={squad}&year=2026"), &other).await.status,
        StatusCode::NOT_FOUND
    );
    let foreign = app
        .json(
            Method::POST,
            "/api/v1/training/plan/items",
            &other,
            serde_json::json!({"unit_id": squad, "year": 2026, "month": 5, "kind": "expert", "sessions": 1}),
        )
        .await;
    assert_eq!(foreign.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = app.get(&format!("/training/plan?unit={squad}&year=2026"), Some(&session)).await;
    assert!(
        page.status == StatusCode::OK && page.body.contains("计划与实际") && page.body.contains("1/2"),
        "{}",
        page.body
    );
}

/// Scope 2: a session's materials kept in the evidence store (sniffed, hashed, kept by the
/// sweeper) and downloaded by its participants; a test's pass mark and each attendee's score.
#[tokio::test]
async fn a_sessions_materials_and_test_scores_are_kept_with_it() {
    use axum::body::Body;
    use axum::http::{Request, header};
    let app = TestApp::new().await;
    let squad = app.unit_id("南大街中队").await;
    let lead = actor(&app, "squadlead01").await;
    let mut with_test = input(&squad, "business", "2026-03-02", "08:00", "08:50");
    with_test.pass_mark = "60".into();
    let id = create_session(&app.state, &lead, &with_test).await.unwrap();
    let (officer1, officer2) = (actor(&app, "officer01").await, actor(&app, "officer02").await);
    let person1 = officer1.person_id.clone().unwrap();
    record_attendance(&app.state, &lead, &id, &person1, AttendanceStatus::Present, "点名").await.unwrap();
    record_score(&app.state, &lead, &id, &person1, "85").await.unwrap();
    let refused = |r: Result<(), chengguan::ops::Error>| r.unwrap_err().code();
    assert_eq!(refused(record_score(&app.state, &lead, &id, &person1, "101").await), "invalid_input");
    let absent = officer2.person_id.clone().unwrap();
    assert_eq!(refused(record_score(&app.state, &lead, &id, &absent, "70").await), "invalid_input");
    assert_eq!(refused(record_score(&app.state, &officer1, &id, &person1, "100").await), "not_found");
    let plain =
        create_session(&app.state, &lead, &input(&squad, "political", "2026-03-03", "15:00", "17:00"))
            .await
            .unwrap();
    assert_eq!(refused(record_score(&app.state, &lead, &plain, &person1, "90").await), "no_test");
    assert_eq!(app.audit_count("training.score").await, 1);
    // Leaving early: inside the session, with a reason, once.
    assert_eq!(
        refused(record_early_leave(&app.state, &lead, &id, &person1, "08:55", "接警").await),
        "invalid_input"
    );
    assert_eq!(
        refused(record_early_leave(&app.state, &lead, &id, &person1, "08:30", " ").await),
        "invalid_input"
    );
    record_early_leave(&app.state, &lead, &id, &person1, "08:30", "接警出勤").await.unwrap();
    assert_eq!(
        refused(record_early_leave(&app.state, &lead, &id, &person1, "08:40", "接警出勤").await),
        "invalid_input"
    );
    assert_eq!(app.audit_count("training.left_early").await, 1);
    let mut bad_mark = input(&squad, "business", "2026-03-04", "15:00", "17:00");
    bad_mark.pass_mark = "六十".into();
    assert!(create_session(&app.state, &lead, &bad_mark).await.is_err());

    // Courseware as PDF: uploaded by the organiser, listed, downloaded by a participant.
    let session = app.login("squadlead01").await;
    let pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec();
    let send = |bytes: Vec<u8>, name: &'static str| {
        let body = crate::evidence::multipart(&[("title", "执法文书制作规范课件")], Some((name, &bytes)));
        Request::post(format!("/training/sessions/{id}/materials?_csrf={}", session.csrf))
            .header(header::COOKIE, &session.cookie)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={}", crate::evidence::BOUNDARY),
            )
            .header(header::CONTENT_LENGTH, body.len())
            .body(Body::from(body))
            .unwrap()
    };
    let uploaded = app.send(send(pdf.clone(), "课件.pdf")).await;
    assert_eq!(uploaded.status, StatusCode::SEE_OTHER, "{}", uploaded.body);
    let materials = app.db.training_materials(&id).await.unwrap();
    assert_eq!(materials.len(), 1);
    assert_eq!(
        (materials[0].title.as_str(), materials[0].media_type.as_str()),
        ("执法文书制作规范课件", "application/pdf")
    );
    // A program is refused and nothing is recorded.
    let program = app.send(send(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0rest".to_vec(), "run.pdf")).await;
    assert_eq!(program.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.db.training_materials(&id).await.unwrap().len(), 1);
    let officer = app.login("officer01").await;
    let page = app.get(&format!("/training/sessions/{id}"), Some(&officer)).await;
    assert!(page.body.contains("执法文书制作规范课件"));
    let (status, _, bytes) = app
        .send_bytes(
            Request::get(format!("/training/materials/{}", materials[0].id))
                .header(header::COOKIE, &officer.cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!((status, bytes), (StatusCode::OK, pdf));
    let stranger = app.login("officer05").await;
    let denied = app.get(&format!("/training/materials/{}", materials[0].id), Some(&stranger)).await;
    assert_eq!(denied.status, StatusCode::NOT_FOUND);
    // Bytes that no longer match their SHA-256 are not served (on the local store, where the
    // test can reach them).
    if app.state.blobs.local_root().is_some() {
        let path = crate::evidence::object_file(&app, &materials[0].sha256);
        let mut permissions = std::fs::metadata(&path).unwrap().permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        permissions.set_readonly(false);
        std::fs::set_permissions(&path, permissions).unwrap();
        let mut stored = std::fs::read(&path).unwrap();
        stored[20] ^= 0x01;
        std::fs::write(&path, &stored).unwrap();
        let damaged = app.get(&format!("/training/materials/{}", materials[0].id), Some(&officer)).await;
        assert_eq!(damaged.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(damaged.body.contains("SHA-256"), "{}", damaged.body);
        stored[20] ^= 0x01;
        std::fs::write(&path, &stored).unwrap();
    }
    // The scores show on the organiser's page.
    let page = app.get(&format!("/training/sessions/{id}"), Some(&session)).await;
    assert!(page.body.contains("及格分 60") && page.body.contains(">85<"), "{}", page.body);
    assert!(page.body.contains("早退 08:30"), "{}", page.body);
    // The evidence sweeper keeps a material's object: it is not an orphan.
    app.clock.set(app.clock_now() + Duration::hours(3));
    chengguan::evidence::sweep(&app.db, &app.state.blobs, app.clock_now()).await.unwrap();
    assert!(app.state.blobs.size(&materials[0].sha256).await.unwrap().is_some());
}

/// Scope 3: the office sets a year's rules before the year's first closing, never for a year
/// already reported; concurrent changes are detected by version; the next year's months are
/// judged by them.
#[tokio::test]
async fn the_office_sets_a_years_rules_before_any_month_of_it_is_closed() {
    let app = TestApp::new().await;
    let office = app.token("office01").await;
    let body = |version: Option<i64>| {
        serde_json::json!({"political_per_month": 1, "business_per_month": 3, "special_per_year": 2,
            "spring_for_everyone": true, "source": "局2027年教育培训计划", "version": version})
    };
    let set = app.json(Method::PUT, "/api/v1/training/rules/2027", &office, body(None)).await;
    assert_eq!((set.status, set.json()["version"].as_i64()), (StatusCode::OK, Some(1)), "{}", set.body);
    let stale = app.json(Method::PUT, "/api/v1/training/rules/2027", &office, body(None)).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let again = app.json(Method::PUT, "/api/v1/training/rules/2027", &office, body(Some(1))).await;
    assert_eq!(again.json()["version"], 2);
    let read = app.get_bearer("/api/v1/training/rules/2027", &office).await.json();
    assert_eq!(read["rules"]["business_per_month"], 3);
    assert_eq!(app.db.training_rules(2027).await.unwrap().business_per_month, 3);
    assert_eq!(app.audit_count("training.rules").await, 2);
    // Not a year already begun and reported, not by a squad leader.
    let past = app.json(Method::PUT, "/api/v1/training/rules/2025", &office, body(None)).await;
    assert_eq!(past.json()["error"], "rules_year_started");
    let lead = app.token("squadlead01").await;
    assert_eq!(
        app.json(Method::PUT, "/api/v1/training/rules/2028", &lead, body(None)).await.status,
        StatusCode::FORBIDDEN
    );
    // This year: open until its first month is closed, then not.
    let session = app.login("office01").await;
    let form = app
        .post_form(
            "/training/rules",
            Some(&session),
            &[
                ("month", "2026-03"),
                ("version", ""),
                ("political_per_month", "1"),
                ("business_per_month", "2"),
                ("special_per_year", "3"),
                ("spring_for_everyone", "on"),
                ("source", "局2026年教育培训计划"),
            ],
        )
        .await;
    assert_eq!(form.status, StatusCode::SEE_OTHER, "{}", form.body);
    let bad = app
        .post_form(
            "/training/rules",
            Some(&session),
            &[("month", "2026-03"), ("version", "1"), ("political_per_month", "x"), ("source", "")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("请填写规则依据"), "{}", bad.body);
    app.json(Method::POST, "/api/v1/training/months/2026-02/close", &office, serde_json::json!({})).await;
    let closed = app.json(Method::PUT, "/api/v1/training/rules/2026", &office, body(Some(1))).await;
    assert_eq!(closed.json()["error"], "rules_year_started");
    let page = app.get("/training/compliance?month=2026-03", Some(&session)).await;
    assert!(page.body.contains("局2026年教育培训计划") && !page.body.contains("修改本年规则"));
}

/// A study early on the 1st in Beijing is still the day before in UTC: it counts for its own
/// month, not the one before; and a make-up held on the last evening counts too.
#[tokio::test]
async fn the_months_edges_are_beijing_midnights() {
    let app = TestApp::new().await;
    let squad = app.unit_id("南大街中队").await;
    let lead = actor(&app, "squadlead01").await;
    let person = actor(&app, "officer01").await.person_id.unwrap();
    let early = create_session(&app.state, &lead, &input(&squad, "business", "2026-02-01", "07:00", "07:50"))
        .await
        .unwrap();
    let late = create_session(&app.state, &lead, &input(&squad, "business", "2026-01-31", "23:00", "23:50"))
        .await
        .unwrap();
    for id in [&early, &late] {
        record_attendance(&app.state, &lead, id, &person, AttendanceStatus::Present, "点名").await.unwrap();
    }
    let count = |rows: Vec<chengguan::ops::training::ComplianceRow>| {
        rows.into_iter().find(|r| r.person_id == person).map(|r| r.result.business)
    };
    let january =
        chengguan::ops::training::compliance(&app.db, Month::parse("2026-01").unwrap(), None).await.unwrap();
    let february =
        chengguan::ops::training::compliance(&app.db, Month::parse("2026-02").unwrap(), None).await.unwrap();
    assert_eq!((count(january), count(february)), (Some(1), Some(1)));
}

/// The month calendar shows a unit's sessions (its own and those held for it above) on their
/// Beijing days; a month not yet begun judges nobody.
#[tokio::test]
async fn the_month_calendar_shows_a_units_sessions_and_the_future_judges_nobody() {
    let app = TestApp::new().await;
    let squad = app.unit_id("南大街中队").await;
    let other = app.unit_id("荷花池中队").await;
    let brigade = app.unit_id("钟楼城管行政执法大队").await;
    let office = actor(&app, "office01").await;
    let own = create_session(&app.state, &office, &input(&squad, "business", "2026-03-10", "15:00", "17:00"))
        .await
        .unwrap();
    let above =
        create_session(&app.state, &office, &input(&brigade, "special", "2026-03-12", "09:00", "11:00"))
            .await
            .unwrap();
    let elsewhere =
        create_session(&app.state, &office, &input(&other, "business", "2026-03-11", "15:00", "17:00"))
            .await
            .unwrap();
    let session = app.login("office01").await;
    let page = app.get(&format!("/training?month=2026-03&unit={squad}"), Some(&session)).await;
    assert!(page.body.contains("class=\"calendar\""));
    assert!(page.body.contains(&own) && page.body.contains(&above) && !page.body.contains(&elsewhere));
    assert!(page.body.contains("15:00 业务学习"), "{}", page.body);
    let token = app.token("office01").await;
    let future = app.get_bearer("/api/v1/training/compliance?month=2026-05", &token).await.json();
    assert_eq!(future.as_array().map(Vec::len), Some(0), "{future}");
}

/// A session for named people: they sign in, the rest of the unit does not; the names must be
/// of the session's unit and below.
#[tokio::test]
async fn a_session_for_named_people_admits_only_them() {
    let app = TestApp::new().await;
    let squad = app.unit_id("南大街中队").await;
    let lead = actor(&app, "squadlead01").await;
    let (named, other) = (actor(&app, "officer01").await, actor(&app, "officer02").await);
    let stranger = actor(&app, "officer05").await;
    let mut backbone = input(&squad, "backbone", "2026-03-02", "09:00", "11:00");
    backbone.participants =
        format!("{},{}", named.person_id.clone().unwrap(), named.person_id.clone().unwrap());
    let id = create_session(&app.state, &lead, &backbone).await.unwrap();
    assert_eq!(app.db.training_participants(&id).await.unwrap().len(), 1, "a name given twice is one");
    let code = sign_in_code(&app.state.keys, &id, code_period(app.clock_now()));
    let refused = sign_in(&app.state, &other, &id, &code).await.unwrap_err();
    assert_eq!(refused.code(), "not_a_participant");
    assert!(sign_in(&app.state, &named, &id, &code).await.unwrap().recorded);
    let mut outside = input(&squad, "backbone", "2026-03-03", "09:00", "11:00");
    outside.participants = stranger.person_id.clone().unwrap();
    let Err(chengguan::ops::Error::Invalid(errors)) = create_session(&app.state, &lead, &outside).await
    else {
        panic!("someone of another squad cannot be named")
    };
    assert!(errors.get("participants").is_some());
    // Through the form: the multiple select arrives as repeated fields.
    let session = app.login("squadlead01").await;
    let named_id = named.person_id.clone().unwrap();
    let form = app
        .post_form(
            "/training",
            Some(&session),
            &[
                ("unit_id", squad.as_str()),
                ("kind", "rotation"),
                ("topic", "辅警轮训"),
                ("date", "2026-03-04"),
                ("starts", "09:00"),
                ("ends", "11:00"),
                ("participant", named_id.as_str()),
            ],
        )
        .await;
    assert_eq!(form.status, StatusCode::SEE_OTHER, "{}", form.body);
    let page = app.get(form.location(), Some(&session)).await;
    assert!(page.body.contains("指定人员 1"), "{}", page.body);
}
