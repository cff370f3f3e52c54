//! 督察 (issue 16 scope 3): an opinion's way from the supervisor to the published answer, its
//! deadline judged on a fixed clock, the steps refused out of order or over a stale read, the
//! supervisor's view without personal data; the register's masked phones; the meeting targets
//! with the plan's defaults.

use axum::http::{Method, StatusCode};

use crate::support::TestApp;

async fn unit_of(app: &TestApp, username: &str) -> String {
    app.db.account_by_username(username).await.unwrap().and_then(|a| a.unit_id).expect("a unit")
}

/// Registers the demo's `supervisor01` as a 行风监督员 serving from 2025 to 2028.
async fn register_supervisor(app: &TestApp, office: &str) -> String {
    let body = serde_json::json!({
        "kind": "conduct", "name": "张卫民", "affiliation": "退休教师", "phone": "13861200101",
        "term_from": "2025-01-01", "term_to": "2028-12-31", "account": "supervisor01",
    });
    let r = app.json(Method::POST, "/api/v1/supervision/supervisors", office, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_opinion_goes_from_the_supervisor_to_a_published_answer_on_a_fixed_clock() {
    let app = TestApp::new().await;
    let office = app.token("office01").await;
    register_supervisor(&app, &office).await;

    // The register shows the phone masked, and a login that is not a supervisor's is refused.
    let register = app.get_bearer("/api/v1/supervision/supervisors", &office).await;
    assert_eq!(register.json()[0]["phone_masked"], "138****0101", "{}", register.body);
    assert!(!register.body.contains("13861200101"));
    let wrong = serde_json::json!({
        "kind": "social", "name": "王建平", "term_from": "2025-01-01", "term_to": "2028-12-31", "account": "officer01",
    });
    let r = app.json(Method::POST, "/api/v1/supervision/supervisors", &office, wrong).await;
    assert_eq!(r.json()["fields"][0]["code"], "not_a_supervisor_account", "{}", r.body);

    // The supervisor raises an opinion from their own login; the squad does not see it yet.
    let supervisor = app.token("supervisor01").await;
    let raised =
        serde_json::json!({ "kind": "complaint", "content": "南大街夜市收摊后地面油污清理不及时。" });
    let r = app.json(Method::POST, "/api/v1/supervision/mine", &supervisor, raised).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/supervision/opinions/{id}");
    let squad_lead = app.token("squadlead01").await;
    assert_eq!(app.get_bearer(&path, &squad_lead).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get_bearer(&path, &supervisor).await.status,
        StatusCode::FORBIDDEN,
        "the tracker is staff's"
    );
    let early = serde_json::json!({ "answer": "已整改" });
    let r = app.json(Method::POST, &format!("{path}/answer"), &squad_lead, early.clone()).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "not assigned to the squad: {}", r.body);

    // Assigned to 南大街中队 with a day to answer by (the clock stands at 2026-03-02).
    let squad = unit_of(&app, "squadlead01").await;
    let assign = serde_json::json!({ "unit_id": squad, "due_on": "2026-03-16", "seen_steps": 0 });
    let r = app.json(Method::POST, &format!("{path}/assign"), &office, assign).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    let r = app.get_bearer(&path, &squad_lead).await;
    assert_eq!(r.json()["standing"]["state"], "assigned", "{}", r.body);
    assert_eq!(r.json()["standing"]["overdue"], false);

    // The last day is in time; the day after, it is overdue and listed as such.
    app.clock.set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 3, 16, 8, 0, 0).unwrap());
    assert_eq!(app.get_bearer(&path, &office).await.json()["standing"]["overdue"], false);
    app.clock.set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 3, 17, 8, 0, 0).unwrap());
    assert_eq!(app.get_bearer(&path, &office).await.json()["standing"]["overdue"], true);
    let overdue = app.get_bearer("/api/v1/supervision/opinions?state=overdue", &office).await;
    assert!(overdue.body.contains(&id), "{}", overdue.body);

    // Another squad cannot answer; an answer with a phone number in it is refused.
    let other = app.token("squadlead02").await;
    let r = app.json(Method::POST, &format!("{path}/answer"), &other, early).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let leaky = serde_json::json!({ "answer": "已约谈摊主，联系电话 13912345678" });
    let r = app.json(Method::POST, &format!("{path}/answer"), &squad_lead, leaky).await;
    assert_eq!(r.json()["fields"][0]["code"], "personal_data_left", "{}", r.body);
    let first = serde_json::json!({ "answer": "已督促商户清理。", "seen_steps": 1 });
    let r = app.json(Method::POST, &format!("{path}/answer"), &squad_lead, first).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);

    // Not published before the office accepts it.
    let mine = app.get_bearer("/api/v1/supervision/mine", &supervisor).await;
    assert_eq!(mine.json()[0]["state"], "answered", "{}", mine.body);
    assert!(mine.json()[0]["answer"].is_null());

    // Returned: a reason is required, the opinion is open (and overdue) again; a stale read conflicts.
    let r = app
        .json(Method::POST, &format!("{path}/review"), &office, serde_json::json!({ "accept": false }))
        .await;
    assert_eq!(r.json()["fields"][0]["code"], "reason_required", "{}", r.body);
    let back = serde_json::json!({ "accept": false, "reason": "未说明长效措施", "seen_steps": 2 });
    assert_eq!(
        app.json(Method::POST, &format!("{path}/review"), &office, back.clone()).await.status,
        StatusCode::NO_CONTENT
    );
    let r = app.json(Method::POST, &format!("{path}/review"), &office, back).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "a step taken meanwhile: {}", r.body);
    let r = app.get_bearer(&path, &office).await;
    assert_eq!(r.json()["standing"]["state"], "returned");
    assert_eq!(r.json()["standing"]["overdue"], true);

    // Answered again and accepted: published to the supervisor, with units only.
    let second = serde_json::json!({ "answer": "已督促商户清理，并纳入夜市每日收摊检查。" });
    assert_eq!(
        app.json(Method::POST, &format!("{path}/answer"), &squad_lead, second).await.status,
        StatusCode::NO_CONTENT
    );
    let accept = serde_json::json!({ "accept": true });
    assert_eq!(
        app.json(Method::POST, &format!("{path}/review"), &office, accept.clone()).await.status,
        StatusCode::NO_CONTENT
    );
    let r = app.json(Method::POST, &format!("{path}/review"), &office, accept).await;
    assert_eq!(r.json()["error"], "opinion_closed", "{}", r.body);
    let mine = app.get_bearer("/api/v1/supervision/mine", &supervisor).await;
    let own = &mine.json()[0];
    assert_eq!(own["state"], "accepted");
    assert_eq!(own["answer"], "已督促商户清理，并纳入夜市每日收摊检查。");
    let keys: Vec<String> = own.as_object().unwrap().keys().cloned().collect();
    assert_eq!(
        keys,
        ["answer", "answered_on", "content", "due_on", "id", "kind", "received_on", "state", "unit_name"],
        "a supervisor sees no staff and no steps"
    );
    let page = app.get("/supervision/mine", Some(&app.login("supervisor01").await)).await;
    assert!(page.status == StatusCode::OK && page.body.contains("纳入夜市每日收摊检查"));

    // Every step was audited; answered after the day, the opinion counts against the squad.
    for action in ["supervision_opinion.record", "supervision_opinion.assign", "supervision_opinion.return"] {
        assert_eq!(app.audit_count(action).await, 1, "{action}");
    }
    assert_eq!(app.audit_count("supervision_opinion.answer").await, 2);
    let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    let measures = chengguan::ops::supervision::on_time_measures(
        &app.db,
        day("2026-03-01"),
        day("2026-03-31"),
        day("2026-03-17"),
    )
    .await
    .unwrap();
    assert_eq!(measures[&squad], (0, 1));
}

#[tokio::test]
async fn meetings_count_against_the_plans_targets_and_the_register_keeps_its_rules() {
    let app = TestApp::new().await;
    let office = app.token("office01").await;
    let id = register_supervisor(&app, &office).await;

    let progress = app.get_bearer("/api/v1/supervision/progress?year=2026", &office).await;
    let rows = progress.json();
    let conduct = rows.as_array().unwrap().iter().find(|p| p["kind"] == "conduct").unwrap().clone();
    assert_eq!(
        (conduct["target"].as_u64(), conduct["held"].as_u64()),
        (Some(2), Some(0)),
        "{}",
        progress.body
    );
    let social = rows.as_array().unwrap().iter().find(|p| p["kind"] == "social").unwrap().clone();
    assert_eq!(social["target"], 4, "the plan's default");

    let meeting = |held_on: &str| {
        serde_json::json!({
            "kind": "conduct", "held_on": held_on, "place": "局三楼会议室", "agenda": "通报作风建设情况",
            "minutes": "", "attendees": [id],
        })
    };
    let r = app.json(Method::POST, "/api/v1/supervision/meetings", &office, meeting("2024-12-01")).await;
    assert_eq!(r.json()["fields"][0]["code"], "attendee_not_in_term", "{}", r.body);
    let r = app.json(Method::POST, "/api/v1/supervision/meetings", &office, meeting("2026-03-03")).await;
    assert_eq!(r.json()["fields"][0]["code"], "in_future");
    let r = app.json(Method::POST, "/api/v1/supervision/meetings", &office, meeting("2026-02-27")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let meeting_id = r.json()["id"].as_str().unwrap().to_owned();

    // An opinion at the meeting takes the meeting's day.
    let at = serde_json::json!({
        "supervisor_id": id, "meeting_id": meeting_id, "kind": "opinion", "received_on": "2026-02-28",
        "content": "建议公开执法投诉电话。",
    });
    let r = app.json(Method::POST, "/api/v1/supervision/opinions", &office, at).await;
    assert_eq!(r.json()["fields"][0]["code"], "not_meeting_day", "{}", r.body);

    let progress = app.get_bearer("/api/v1/supervision/progress?year=2026", &office).await;
    assert!(progress.body.contains("\"held\":1"), "{}", progress.body);
    let detail = app.get_bearer(&format!("/api/v1/supervision/meetings/{meeting_id}"), &office).await;
    assert_eq!(detail.json()["meeting"]["attendees"][0][1], "张卫民");

    // Targets: this year's may change, a past year's may not; out of range is refused.
    let target = serde_json::json!({ "kind": "social", "meetings": 6 });
    let r = app.json(Method::PUT, "/api/v1/supervision/targets/2026", &office, target.clone()).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert!(app.get_bearer("/api/v1/supervision/progress", &office).await.body.contains("\"target\":6"));
    let r = app.json(Method::PUT, "/api/v1/supervision/targets/2025", &office, target).await;
    assert_eq!(r.json()["fields"][0]["code"], "year_closed", "{}", r.body);
    let r = app
        .json(
            Method::PUT,
            "/api/v1/supervision/targets/2026",
            &office,
            serde_json::json!({ "kind": "social", "meetings": 60 }),
        )
        .await;
    assert_eq!(r.json()["fields"][0]["code"], "out_of_range");

    // A change keeps the phone on file when none is given, and a stale version conflicts.
    let change = serde_json::json!({
        "kind": "conduct", "name": "张卫民", "affiliation": "退休教师（荷花池街道）",
        "term_from": "2025-01-01", "term_to": "2028-12-31", "account": "supervisor01", "version": 1,
    });
    let path = format!("/api/v1/supervision/supervisors/{id}");
    let r = app.json(Method::PUT, &path, &office, change.clone()).await;
    assert_eq!(r.json()["version"], 2, "{}", r.body);
    assert_eq!(app.json(Method::PUT, &path, &office, change).await.status, StatusCode::CONFLICT);
    let register = app.get_bearer("/api/v1/supervision/supervisors", &office).await;
    assert_eq!(register.json()[0]["phone_masked"], "138****0101");

    // Revealing the phone is the office's, and audited; others do not reach the register.
    let session = app.login("office01").await;
    let page = app.post_form(&format!("/supervision/supervisors/{id}/reveal"), Some(&session), &[]).await;
    assert!(page.body.contains("13861200101"), "{}", page.status);
    assert_eq!(app.audit_count("supervisor.reveal_phone").await, 1);
    for username in ["officer01", "supervisor01", "auditadmin"] {
        let token = app.token(username).await;
        let r = app.get_bearer("/api/v1/supervision/supervisors", &token).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{username}");
    }
}

#[tokio::test]
async fn the_demo_has_every_state_and_one_kind_behind_its_target() {
    let app = TestApp::new().await;
    let opinions = chengguan::demo::seed_supervision(&app.state).await.unwrap();
    assert!(opinions >= 10);
    assert_eq!(chengguan::demo::seed_supervision(&app.state).await.unwrap(), 0, "idempotent");
    let office = app.token("office01").await;
    let all = app.get_bearer("/api/v1/supervision/opinions", &office).await.json();
    for state in ["received", "assigned", "answered", "accepted", "returned"] {
        assert!(all.as_array().unwrap().iter().any(|o| o["standing"]["state"] == state), "{state}");
    }
    assert!(all.as_array().unwrap().iter().any(|o| o["standing"]["overdue"] == true));
    let progress = app.get_bearer("/api/v1/supervision/progress", &office).await.json();
    assert!(progress.as_array().unwrap().iter().any(|p| p["behind"] == true), "{progress}");
    let supervisor = app.token("supervisor01").await;
    let mine = app.get_bearer("/api/v1/supervision/mine", &supervisor).await.json();
    assert!(mine.as_array().unwrap().iter().any(|o| o["answer"].is_string()));
}
