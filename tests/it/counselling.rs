//! 心灵管理辅导 (issue 16 scope 5): a session's notes are read by its counsellor and its people
//! only — every role is refused with a 404 and the attempt audited, generated from the role
//! list — the notes are sealed at rest, everyone else sees counts; the session's rules.

use axum::http::{Method, StatusCode};
use chengguan::domain::access::Role;

use crate::access::account_for;
use crate::support::TestApp;

const NOTES: &str = "近期夜班较多，睡眠不足，与家人沟通少；约定两周后再谈。";

async fn account(app: &TestApp, username: &str) -> (String, String) {
    let a = app.db.account_by_username(username).await.unwrap().expect("demo account");
    (a.person_id.expect("a person"), a.unit_id.expect("a unit"))
}

#[tokio::test]
async fn a_sessions_notes_are_read_by_its_counsellor_and_its_people_and_no_role_else() {
    let app = TestApp::new().await;
    // The counsellor and the person are outside the accounts every role is tried with.
    let counsellor = app.token("squadlead02").await;
    let (person, _) = account(&app, "officer05").await;
    let (_, squad) = account(&app, "squadlead02").await;
    let session = serde_json::json!({
        "kind": "individual", "held_on": "2026-03-01", "unit_id": squad, "place": "中队心灵驿站",
        "topic": "睡眠与压力", "participants": [person], "notes": NOTES,
    });
    let r = app.json(Method::POST, "/api/v1/counselling/sessions", &counsellor, session).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/counselling/sessions/{id}");

    // Generated from the role list: a role added later is tried without touching this test.
    for (n, role) in Role::ALL.into_iter().enumerate() {
        let token = app.token(account_for(role)).await;
        let r = app.get_bearer(&path, &token).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{role} reads no one else's counselling: {}", r.body);
        assert!(!r.body.contains("睡眠不足"));
        assert_eq!(
            app.audit_count("counselling.note_denied").await,
            n as i64 + 1,
            "{role}: the attempt is audited"
        );
        let mine = app.get_bearer("/api/v1/counselling/sessions", &token).await;
        assert!(!mine.body.contains(&id), "{role} does not list it");
    }
    // The page too.
    let leader = app.login("leader01").await;
    assert_eq!(
        app.get(&format!("/counselling/sessions/{id}"), Some(&leader)).await.status,
        StatusCode::NOT_FOUND
    );

    for username in ["squadlead02", "officer05"] {
        let token = app.token(username).await;
        let r = app.get_bearer(&path, &token).await;
        assert_eq!(r.status, StatusCode::OK, "{username}: {}", r.body);
        assert_eq!(r.json()["notes"], NOTES);
        let mine = app.get_bearer("/api/v1/counselling/sessions", &token).await;
        assert!(mine.body.contains(&id), "{username} lists it");
    }
    assert_eq!(app.audit_count("counselling.note_read").await, 2);
    let person_session = app.login("officer05").await;
    let page = app.get(&format!("/counselling/sessions/{id}"), Some(&person_session)).await;
    assert!(page.status == StatusCode::OK && page.body.contains("睡眠不足"));

    // Sealed at rest, and nowhere in the audit log.
    let stored: String = match app.db.pool() {
        chengguan::store::Pool::Sqlite(pool) => {
            sqlx::query_scalar("SELECT notes FROM counselling_sessions").fetch_one(pool).await.unwrap()
        }
        chengguan::store::Pool::Postgres(pool) => {
            sqlx::query_scalar("SELECT notes FROM counselling_sessions").fetch_one(pool).await.unwrap()
        }
    };
    assert!(!stored.contains("睡眠"), "sealed: {stored}");
    let record = app.latest_audit("counselling.record").await;
    assert!(!format!("{record:?}").contains("睡眠") && !format!("{record:?}").contains(&person));

    // Everyone else sees counts: no name, no note.
    let office = app.token("office01").await;
    let counts = app.get_bearer("/api/v1/counselling/counts?year=2026", &office).await;
    assert_eq!(counts.json()[0]["individual"], 1, "{}", counts.body);
    assert!(!counts.body.contains(&person) && !counts.body.contains("睡眠"));
    let supervisor = app.token("supervisor01").await;
    assert_eq!(app.get_bearer("/api/v1/counselling/counts", &supervisor).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_session_station_and_plan_item_keep_their_rules() {
    let app = TestApp::new().await;
    let squad_lead = app.token("squadlead01").await;
    let (p1, squad) = account(&app, "officer01").await;
    let (p2, _) = account(&app, "officer02").await;
    let (_, other_squad) = account(&app, "officer05").await;
    let session = |kind: &str, held_on: &str, unit: &str, people: Vec<&str>| {
        serde_json::json!({
            "kind": kind, "held_on": held_on, "unit_id": unit, "place": "驿站", "topic": "情绪管理",
            "participants": people, "notes": "",
        })
    };
    let path = "/api/v1/counselling/sessions";
    let two = app
        .json(Method::POST, path, &squad_lead, session("individual", "2026-03-01", &squad, vec![&p1, &p2]))
        .await;
    assert_eq!(two.json()["fields"][0]["code"], "individual_one_person", "{}", two.body);
    let future =
        app.json(Method::POST, path, &squad_lead, session("group", "2026-03-03", &squad, vec![&p1])).await;
    assert_eq!(future.json()["fields"][0]["code"], "in_future");
    let nobody = app
        .json(Method::POST, path, &squad_lead, session("group", "2026-03-01", &squad, vec!["no-such"]))
        .await;
    assert_eq!(nobody.json()["fields"][0]["code"], "person_not_found");
    let elsewhere = app
        .json(Method::POST, path, &squad_lead, session("group", "2026-03-01", &other_squad, vec![&p1]))
        .await;
    assert_eq!(elsewhere.status, StatusCode::UNPROCESSABLE_ENTITY, "another squad: {}", elsewhere.body);
    let group = app
        .json(Method::POST, path, &squad_lead, session("group", "2026-03-01", &squad, vec![&p1, &p2]))
        .await;
    assert_eq!(group.status, StatusCode::CREATED, "{}", group.body);
    let officer = app.token("officer01").await;
    assert_eq!(
        app.json(Method::POST, path, &officer, session("group", "2026-03-01", &squad, vec![&p2]))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // A squad's 心灵驿站, once.
    let station =
        serde_json::json!({"unit_id": squad, "place": "中队二楼", "opened_on": "2026-01-05", "note": ""});
    let r = app.json(Method::POST, "/api/v1/counselling/stations", &squad_lead, station.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(
        app.json(Method::POST, "/api/v1/counselling/stations", &squad_lead, station).await.json()["error"],
        "duplicate"
    );
    // The plan is the bureau's: the office, not a squad.
    let item = serde_json::json!({"month": "2026-05", "kind": "group", "topic": "压力与情绪", "audience": "全体队员"});
    assert_eq!(
        app.json(Method::POST, "/api/v1/counselling/plan", &squad_lead, item.clone()).await.status,
        StatusCode::FORBIDDEN
    );
    let office = app.token("office01").await;
    assert_eq!(
        app.json(Method::POST, "/api/v1/counselling/plan", &office, item).await.status,
        StatusCode::CREATED
    );
    assert_eq!(
        app.get_bearer("/api/v1/counselling/plan?year=2026", &office).await.json()[0]["topic"],
        "压力与情绪"
    );
    // The session form reads repeated participants.
    let session = app.login("squadlead01").await;
    let form = [
        ("kind", "group"),
        ("held_on", "2026-03-02"),
        ("unit_id", squad.as_str()),
        ("place", "驿站"),
        ("topic", "团队减压"),
        ("participants", p1.as_str()),
        ("participants", p2.as_str()),
        ("notes", "气氛良好"),
    ];
    let r = app.post_form("/counselling/sessions", Some(&session), &form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let counts = app.get_bearer("/api/v1/counselling/counts?year=2026", &office).await.json();
    assert_eq!(
        (counts[0]["group"].clone(), counts[0]["attendances"].clone()),
        (serde_json::json!(2), serde_json::json!(4))
    );
}

#[tokio::test]
async fn the_demo_year_has_stations_a_plan_and_sessions_counted_per_squad() {
    let app = TestApp::new().await;
    let sessions = chengguan::demo::seed_counselling(&app.state).await.unwrap();
    assert!(sessions > 20, "{sessions}");
    assert_eq!(chengguan::demo::seed_counselling(&app.state).await.unwrap(), 0, "idempotent");
    let leader = app.token("leader01").await;
    let stations = app.get_bearer("/api/v1/counselling/stations", &leader).await.json();
    assert_eq!(stations.as_array().unwrap().len(), 8, "one per squad");
    let counts = app.get_bearer("/api/v1/counselling/counts?year=2026", &leader).await.json();
    assert!(counts.as_array().unwrap().iter().any(|c| c["individual"].as_u64().unwrap() > 0));
    // The leader sees the counts and reads no session; the counsellor lists them all.
    assert!(
        app.get_bearer("/api/v1/counselling/sessions", &leader).await.json().as_array().unwrap().is_empty()
    );
    let office = app.token("office01").await;
    let mine = app.get_bearer("/api/v1/counselling/sessions", &office).await.json();
    assert_eq!(mine.as_array().unwrap().len(), sessions);
    let id = mine[0]["id"].as_str().unwrap();
    assert_eq!(
        app.get_bearer(&format!("/api/v1/counselling/sessions/{id}"), &leader).await.status,
        StatusCode::NOT_FOUND
    );
    let page = app.get("/counselling", Some(&app.login("leader01").await)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("个别辅导：谈及"), "no notes on the counts page");
}
