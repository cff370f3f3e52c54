//! 宣传 (issue 16 scope 6): each channel records what it needs, a briefing's pick-up points
//! never exceed its print run, a squad records for itself only, the counts per channel, unit and
//! month, the assessment's publicity output; the demo's twelve months.

use axum::http::{Method, StatusCode};

use crate::support::TestApp;

async fn unit_of(app: &TestApp, username: &str) -> String {
    app.db.account_by_username(username).await.unwrap().and_then(|a| a.unit_id).expect("a unit")
}

#[tokio::test]
async fn the_ledger_records_each_channel_and_counts_it() {
    let app = TestApp::new().await;
    let squad_lead = app.token("squadlead01").await;
    let squad = unit_of(&app, "squadlead01").await;
    let other = unit_of(&app, "squadlead02").await;
    let post = |unit: &str, link: &str| {
        serde_json::json!({
            "channel": "wechat", "unit_id": unit, "on": "2026-03-01", "title": "夜市规范经营", "link": link,
        })
    };
    let path = "/api/v1/publicity/items";
    let r = app.json(Method::POST, path, &squad_lead, post(&squad, "")).await;
    assert_eq!(r.json()["fields"][0]["code"], "required", "a post needs its link: {}", r.body);
    let r = app.json(Method::POST, path, &squad_lead, post(&squad, "javascript:alert(1)")).await;
    assert_eq!(r.json()["fields"][0]["code"], "invalid_link");
    let r = app.json(Method::POST, path, &squad_lead, post(&other, "https://mp.weixin.qq.com/s/a")).await;
    assert_eq!(r.json()["fields"][0]["code"], "unit_out_of_scope", "another squad: {}", r.body);
    let r = app.json(Method::POST, path, &squad_lead, post(&squad, "https://mp.weixin.qq.com/s/a")).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let post_id = r.json()["id"].as_str().unwrap().to_owned();

    // A briefing: its pick-up points never add up to more than were printed.
    let office = app.token("office01").await;
    let office_unit = unit_of(&app, "office01").await;
    let briefing = serde_json::json!({
        "channel": "briefing", "unit_id": office_unit, "on": "2026-02-27", "title": "城管简报", "issue_no": "2026年第2期",
        "copies": 500,
    });
    let r = app.json(Method::POST, path, &office, briefing).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let id = r.json()["id"].as_str().unwrap().to_owned();
    let pickups = format!("/api/v1/publicity/items/{id}/pickups");
    let pickup = |copies: u32| serde_json::json!({ "place": "区政务服务中心", "copies": copies, "placed_on": "2026-03-01" });
    assert_eq!(app.json(Method::POST, &pickups, &office, pickup(300)).await.status, StatusCode::NO_CONTENT);
    let r = app.json(Method::POST, &pickups, &office, pickup(201)).await;
    assert_eq!(r.json()["fields"][0]["code"], "pickups_exceed_print_run", "{}", r.body);
    assert_eq!(app.json(Method::POST, &pickups, &office, pickup(200)).await.status, StatusCode::NO_CONTENT);
    let r = app
        .json(Method::POST, &format!("/api/v1/publicity/items/{post_id}/pickups"), &office, pickup(1))
        .await;
    assert_eq!(r.json()["error"], "not_a_briefing", "{}", r.body);
    let view = app.get_bearer(&format!("/api/v1/publicity/items/{id}"), &office).await.json();
    assert_eq!(view["placed"], 500, "{view}");

    // An event needs its place, participants and (outreach) theme.
    let event =
        serde_json::json!({ "channel": "outreach", "unit_id": squad, "on": "2026-03-01", "title": "进学校" });
    let r = app.json(Method::POST, path, &squad_lead, event).await;
    let fields: Vec<String> =
        r.json()["fields"].as_array().unwrap().iter().map(|f| f["field"].to_string()).collect();
    assert_eq!(fields, ["\"place\"", "\"participants\"", "\"theme\""], "{}", r.body);

    // Counts per unit, channel and month; the squad sees its own, the office everything.
    let counts = app.get_bearer("/api/v1/publicity/counts?year=2026", &office).await.json();
    let wechat = counts.as_array().unwrap().iter().find(|c| c["channel"] == "wechat").unwrap().clone();
    assert_eq!((wechat["month"].as_u64(), wechat["items"].as_u64()), (Some(3), Some(1)), "{counts}");
    let mine = app.get_bearer("/api/v1/publicity/items", &squad_lead).await;
    assert!(mine.body.contains(&post_id) && !mine.body.contains(&id), "{}", mine.body);
    let supervisor = app.token("supervisor01").await;
    assert_eq!(app.get_bearer("/api/v1/publicity/items", &supervisor).await.status, StatusCode::FORBIDDEN);

    // Publicity output for the assessment: the squad's entries in the period.
    let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    let output = chengguan::ops::publicity::output_measures(&app.db, day("2026-03-01"), day("2026-03-31"))
        .await
        .unwrap();
    assert_eq!(output.get(&squad), Some(&1));
    assert_eq!(app.audit_count("publicity.pickup").await, 2);
}

#[tokio::test]
async fn the_demo_ledger_has_every_channel_over_the_year() {
    let app = TestApp::new().await;
    let entries = chengguan::demo::seed_publicity(&app.state).await.unwrap();
    assert!(entries > 50, "{entries}");
    assert_eq!(chengguan::demo::seed_publicity(&app.state).await.unwrap(), 0, "idempotent");
    let office = app.token("office01").await;
    let mut channels = std::collections::HashSet::new();
    for year in ["2025", "2026"] {
        let counts = app.get_bearer(&format!("/api/v1/publicity/counts?year={year}"), &office).await.json();
        for c in counts.as_array().unwrap() {
            channels.insert(c["channel"].as_str().unwrap().to_owned());
        }
    }
    assert!(channels.len() >= 10, "{channels:?}");
    let page = app.get("/publicity", Some(&app.login("office01").await)).await;
    assert!(page.status == StatusCode::OK && page.body.contains("城管简报"));
}
