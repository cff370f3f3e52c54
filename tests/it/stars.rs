//! 星级队员 (issue 16 scope 2): the year's rules and their checks, the office's entries and the
//! squad leader's score, a rating that is the sum of its lines for every person of a month and
//! of the year, publication that freezes, and appeals within their window answered with the
//! outcome kept; the demo's year.

use axum::http::{Method, StatusCode};

use crate::support::TestApp;

async fn person_of(app: &TestApp, username: &str) -> String {
    app.db.account_by_username(username).await.unwrap().and_then(|a| a.person_id).expect("a person")
}

/// Every person's total is the sum of their lines' points (both in hundredths of a point).
fn assert_sums(view: &serde_json::Value) {
    let people = view["people"].as_array().expect("people");
    assert!(!people.is_empty(), "{view}");
    for p in people {
        let sum: f64 = p["lines"].as_array().unwrap().iter().map(|l| l["points"].as_f64().unwrap()).sum();
        let total = p["total"].as_f64().unwrap();
        assert_eq!((sum * 100.0).round(), (total * 100.0).round(), "{p}");
        let stars = p["stars"].as_u64().unwrap();
        assert!((1..=5).contains(&stars));
    }
}

#[tokio::test]
async fn a_month_is_rated_published_and_appealed_with_the_outcome_kept() {
    let app = TestApp::new().await;
    let office = app.token("office01").await;
    let rules = app.get_bearer("/api/v1/stars/rules/2026", &office).await.json();
    assert_eq!(rules["version"], 0, "{rules}");
    let mut body = serde_json::json!({ "rules": rules["rules"], "version": 0 });
    body["rules"]["thresholds"] = serde_json::json!(["60", "70", "80", "101"]);
    let r = app.json(Method::PUT, "/api/v1/stars/rules/2026", &office, body.clone()).await;
    assert_eq!(r.json()["fields"][0]["code"], "thresholds_invalid", "{}", r.body);
    body["rules"]["thresholds"] = serde_json::json!(["60", "70", "80", "90"]);
    let r = app.json(Method::PUT, "/api/v1/stars/rules/2026", &office, body.clone()).await;
    assert_eq!(r.json()["version"], 1, "{}", r.body);

    // The office's entries and the squad leader's score.
    let officer = person_of(&app, "officer01").await;
    let entry = |factor: &str, on: &str| serde_json::json!({ "person_id": officer, "factor": factor, "on": on, "basis": "区城管〔2026〕3号" });
    let r =
        app.json(Method::POST, "/api/v1/stars/entries", &office, entry("commendation", "2026-02-10")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let r = app.json(Method::POST, "/api/v1/stars/entries", &office, entry("leader", "2026-02-10")).await;
    assert_eq!(r.json()["fields"][0]["code"], "invalid_value", "the squad leader's score is not an entry");
    let squad_lead = app.token("squadlead01").await;
    let score = |person: &str, score: &str| serde_json::json!({ "person_id": person, "month": "2026-02", "score": score });
    let path = "/api/v1/stars/leader-scores";
    assert_eq!(
        app.json(Method::POST, path, &squad_lead, score(&officer, "20")).await.json()["fields"][0]["code"],
        "out_of_range"
    );
    let r = app.json(Method::POST, path, &squad_lead, score(&officer, "12")).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
    assert_eq!(
        app.json(Method::POST, path, &squad_lead, score(&officer, "13")).await.status,
        StatusCode::CONFLICT
    );
    let elsewhere = person_of(&app, "officer05").await;
    let r = app.json(Method::POST, path, &squad_lead, score(&elsewhere, "12")).await;
    assert_eq!(r.json()["fields"][0]["code"], "person_out_of_scope", "{}", r.body);
    let own = person_of(&app, "squadlead01").await;
    assert_eq!(
        app.json(Method::POST, path, &squad_lead, score(&own, "12")).await.json()["fields"][0]["code"],
        "own_score"
    );

    // Live ratings: every breakdown adds up; the person's lines say where points came from.
    let view = app.get_bearer("/api/v1/stars/ratings?period=2026-02", &office).await.json();
    assert_eq!(view["published"], false);
    assert_sums(&view);
    let mine =
        app.get_bearer("/api/v1/stars/mine?period=2026-02", &app.token("officer01").await).await.json();
    let lines = mine["rating"]["lines"].as_array().unwrap().clone();
    let line = |code: &str| lines.iter().find(|l| l["factor"] == code).unwrap().clone();
    assert_eq!(line("commendation")["points"], 5.0, "{mine}");
    assert_eq!(line("leader")["points"], 12.0);
    assert_eq!(line("leader")["why"], "中队长评价 12 分");
    let officer_token = app.token("officer01").await;
    let appeal = serde_json::json!({ "month": "2026-02", "reason": "表扬未计入" });
    let r = app.json(Method::POST, "/api/v1/stars/appeals", &officer_token, appeal.clone()).await;
    assert_eq!(r.json()["error"], "not_published", "{}", r.body);

    // Published only after the month ended, once; then frozen, and the rules are fixed.
    let publish = |month: &str| serde_json::json!({ "month": month });
    let r = app.json(Method::POST, "/api/v1/stars/publications", &office, publish("2026-03")).await;
    assert_eq!(r.json()["error"], "period_not_over", "{}", r.body);
    assert_eq!(
        app.json(Method::POST, "/api/v1/stars/publications", &office, publish("2026-02")).await.status,
        StatusCode::NO_CONTENT
    );
    let r = app.json(Method::POST, "/api/v1/stars/publications", &office, publish("2026-02")).await;
    assert_eq!(r.json()["error"], "already_published");
    let r = app.json(Method::POST, "/api/v1/stars/entries", &office, entry("attendance", "2026-02-20")).await;
    assert_eq!(r.json()["error"], "period_published", "{}", r.body);
    body["version"] = serde_json::json!(1);
    let r = app.json(Method::PUT, "/api/v1/stars/rules/2026", &office, body).await;
    assert_eq!(r.json()["error"], "rules_fixed", "{}", r.body);

    // An appeal, once, answered with the outcome kept beside the stars first published.
    let r = app.json(Method::POST, "/api/v1/stars/appeals", &officer_token, appeal.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let r = app.json(Method::POST, "/api/v1/stars/appeals", &officer_token, appeal).await;
    assert_eq!(r.json()["error"], "already_appealed");
    let before = app.get_bearer("/api/v1/stars/appeals", &office).await.json()[0]["stars_before"]
        .as_u64()
        .unwrap() as u8;
    let answer =
        |stars: u8| serde_json::json!({ "outcome": "upheld", "stars": stars, "answer": "经复核改评" });
    let answer_path = format!("/api/v1/stars/appeals/{id}/answer");
    let r = app.json(Method::POST, &answer_path, &office, answer(before)).await;
    assert_eq!(r.json()["fields"][0]["code"], "stars_invalid", "{}", r.body);
    let after = if before < 5 { before + 1 } else { before - 1 };
    assert_eq!(
        app.json(Method::POST, &answer_path, &office, answer(after)).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.json(Method::POST, &answer_path, &office, answer(after)).await.json()["error"],
        "appeal_answered"
    );
    let view = app.get_bearer("/api/v1/stars/ratings?period=2026-02", &office).await.json();
    let me = view["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["person_id"] == officer.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (me["stars"].as_u64(), me["stars_published"].as_u64()),
        (Some(u64::from(after)), Some(u64::from(before)))
    );

    // The window: fifteen days after publication.
    app.clock.set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 3, 18, 1, 0, 0).unwrap());
    let late = serde_json::json!({ "month": "2026-02", "reason": "考勤有误" });
    let r = app.json(Method::POST, "/api/v1/stars/appeals", &app.token("officer02").await, late).await;
    assert_eq!(r.json()["error"], "appeal_window_closed", "{}", r.body);

    // Scope: a squad leader sees the squad; an officer only their own; the year adds up too.
    let squad = app.get_bearer("/api/v1/stars/ratings?period=2026-02", &squad_lead).await.json();
    assert!(squad["people"].as_array().unwrap().iter().all(|p| p["person_id"] != elsewhere.as_str()));
    assert_eq!(app.get_bearer("/api/v1/stars/ratings", &officer_token).await.status, StatusCode::FORBIDDEN);
    assert_sums(&app.get_bearer("/api/v1/stars/ratings?period=2026", &office).await.json());
    let page = app.get("/stars/mine?period=2026-02", Some(&app.login("officer01").await)).await;
    assert!(page.status == StatusCode::OK && page.body.contains("经复核改评"), "{}", page.status);
    let page = app.get("/stars/mine", Some(&app.login("supervisor01").await)).await;
    assert_eq!(page.status, StatusCode::OK, "no person, no rating, no error");
}

#[tokio::test]
async fn the_demo_publishes_its_months_with_an_upheld_and_a_dismissed_appeal() {
    let app = TestApp::new().await;
    let months = chengguan::demo::seed_stars(&app.state).await.unwrap();
    assert!(months >= 10, "{months}");
    assert_eq!(chengguan::demo::seed_stars(&app.state).await.unwrap(), 0, "idempotent");
    let office = app.token("office01").await;
    let view = app.get_bearer("/api/v1/stars/ratings?period=2026-02", &office).await.json();
    assert_eq!(view["published"], true);
    assert_sums(&view);
    let stars: std::collections::HashSet<u64> =
        view["people"].as_array().unwrap().iter().map(|p| p["stars"].as_u64().unwrap()).collect();
    assert!(stars.len() >= 2, "ratings differ: {stars:?}");
    let appeals = app.get_bearer("/api/v1/stars/appeals", &office).await.json();
    let outcomes: Vec<&str> =
        appeals.as_array().unwrap().iter().filter_map(|a| a["outcome"].as_str()).collect();
    assert!(outcomes.contains(&"upheld") && outcomes.contains(&"dismissed"), "{appeals}");
}
