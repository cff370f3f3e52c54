//! 十佳评比 (issue 16 scope 4): a round's settings and their checks, eligibility from the
//! system's own figures (each broken rule refused with its own code), nominations within one's
//! scope, the panel scoring once and never for its own squad, the office's tally, closing with
//! missing scores only for a reason, the notice under a GB/T 9704 number, the public result list
//! and PDF; the demo's round.

use axum::http::{Method, StatusCode};

use crate::support::TestApp;

async fn account_id(app: &TestApp, username: &str) -> String {
    app.db.account_by_username(username).await.unwrap().expect("an account").id
}

async fn person_of(app: &TestApp, username: &str) -> String {
    app.db.account_by_username(username).await.unwrap().and_then(|a| a.person_id).expect("a person")
}

fn code(r: &crate::support::Response) -> String {
    let v = r.json();
    v["fields"][0]["code"].as_str().or(v["error"].as_str()).unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_round_runs_from_nomination_to_the_published_notice() {
    let app = TestApp::new().await;
    let office = app.token("office01").await;
    let lead1 = app.token("squadlead01").await;
    let lead2 = app.token("squadlead02").await;
    let path = "/api/v1/top-ten/2026";
    assert_eq!(app.get_bearer(path, &office).await.status, StatusCode::NOT_FOUND);

    // Settings: a panel of three at least, rules that apply, this year only.
    let mut panel = Vec::new();
    for u in ["leader01", "office01", "squadlead01", "squadlead02"] {
        panel.push(account_id(&app, u).await);
    }
    let settings = |panel: &[String], aux_rules: &[&str]| {
        serde_json::json!({ "settings": {
            "categories": [
                { "category": "squad", "places": 1, "rules": ["no_discipline"] },
                { "category": "officer", "places": 1, "rules": ["no_upheld_complaint", "certificate_valid"] },
                { "category": "auxiliary", "places": 2, "rules": aux_rules },
            ],
            "max_score": "100",
            "panel": panel,
        }, "version": 0 })
    };
    let put = |p: &'static str, body: serde_json::Value| {
        let (app, office) = (&app, &office);
        async move { app.json(Method::PUT, p, office, body).await }
    };
    let r = put("/api/v1/top-ten/2026/settings", settings(&panel[..2], &[])).await;
    assert_eq!(code(&r), "panel_too_small", "{}", r.body);
    let r = put("/api/v1/top-ten/2026/settings", settings(&panel, &["certificate_valid"])).await;
    assert_eq!(code(&r), "rule_not_applicable", "{}", r.body);
    let r = put("/api/v1/top-ten/2024/settings", settings(&panel, &[])).await;
    assert_eq!(code(&r), "year_closed", "{}", r.body);
    let r = app.json(Method::PUT, "/api/v1/top-ten/2026/settings", &lead1, settings(&panel, &[])).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = put("/api/v1/top-ten/2026/settings", settings(&panel, &["no_upheld_complaint"])).await;
    assert_eq!(r.json()["version"], 1, "{}", r.body);

    // An upheld complaint bars officer01; the candidates list says so before anyone tries.
    let officer01 = person_of(&app, "officer01").await;
    let complaint = serde_json::json!({ "person_id": officer01, "factor": "complaint", "on": "2026-02-10", "basis": "投诉 2026-018" });
    let r = app.json(Method::POST, "/api/v1/stars/entries", &office, complaint).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let list = app.get_bearer("/api/v1/top-ten/2026/candidates?category=officer", &lead1).await.json();
    let list = list.as_array().expect("candidates").clone();
    let one = list.iter().find(|c| c["subject"] == officer01.as_str()).expect("officer01 is a candidate");
    assert_eq!(one["figures"]["complaints_upheld"], 1, "{one}");
    assert_eq!(one["broken"][0]["code"], "complaint_upheld", "{one}");
    assert!(
        list.iter().all(|c| c["squad_id"] == list[0]["squad_id"]),
        "a squad leader sees the own squad only"
    );
    let nominate = |token: &str, category: &str, subject: &str| {
        let body = serde_json::json!({ "category": category, "subject": subject, "deeds": "全年无投诉，多次受表扬" });
        let (app, token) = (&app, token.to_owned());
        async move { app.json(Method::POST, "/api/v1/top-ten/2026/nominations", &token, body).await }
    };
    let r = nominate(&lead1, "officer", &officer01).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(code(&r), "complaint_upheld", "{}", r.body);

    // Nominations: own scope only, each candidate once, categories of the round only.
    let eligible =
        list.iter().find(|c| c["broken"].as_array().unwrap().is_empty()).expect("an eligible officer");
    let subject = eligible["subject"].as_str().unwrap().to_owned();
    assert_eq!(nominate(&lead1, "officer", &subject).await.status, StatusCode::CREATED);
    assert_eq!(nominate(&lead1, "officer", &subject).await.status, StatusCode::CONFLICT);
    let squad1 = eligible["squad_id"].as_str().unwrap().to_owned();
    assert_eq!(nominate(&lead1, "squad", &squad1).await.status, StatusCode::CREATED);
    let officer05 = person_of(&app, "officer05").await;
    assert_eq!(code(&nominate(&lead1, "officer", &officer05).await), "subject_out_of_scope");
    let lead1_person = person_of(&app, "squadlead01").await;
    assert_eq!(code(&nominate(&lead1, "squad_leader", &lead1_person).await), "category_not_in_round");
    let r = nominate(&lead2, "officer", &officer05).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    // Scoring waits for the office's step; the step checks the version read.
    let score = |token: &str, nomination: &str, value: &str| {
        let body = serde_json::json!({ "nomination_id": nomination, "score": value });
        let (app, token) = (&app, token.to_owned());
        async move { app.json(Method::POST, "/api/v1/top-ten/2026/scores", &token, body).await }
    };
    let view = app.get_bearer(path, &office).await.json();
    let ids: Vec<(String, String)> = view["nominations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["id"].as_str().unwrap().to_owned(), n["squad_id"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(ids.len(), 3);
    let in_squad1: Vec<&String> = ids.iter().filter(|(_, s)| *s == squad1).map(|(i, _)| i).collect();
    let (other, _) = ids.iter().find(|(_, s)| *s != squad1).unwrap();
    assert_eq!(code(&score(&lead2, in_squad1[0], "90").await), "round_not_scoring");
    let step = |body: serde_json::Value| {
        let (app, office) = (&app, &office);
        async move { app.json(Method::POST, "/api/v1/top-ten/2026/steps", office, body).await }
    };
    let version = view["version"].as_i64().unwrap();
    let r = step(serde_json::json!({ "step": "start_scoring", "version": version - 1 })).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let r = step(serde_json::json!({ "step": "start_scoring", "version": version })).await;
    let version = r.json()["version"].as_i64().expect("a version");
    assert_eq!(code(&nominate(&lead2, "squad", &ids[2].1).await), "round_not_nominating");

    // The panel: once each, never the own squad, within the top score.
    assert_eq!(score(&app.token("officer02").await, other, "90").await.status, StatusCode::FORBIDDEN);
    assert_eq!(code(&score(&app.token("leader02").await, other, "90").await), "not_on_panel");
    assert_eq!(code(&score(&lead1, in_squad1[0], "90").await), "own_squad");
    assert_eq!(code(&score(&lead1, other, "100.5").await), "score_out_of_range");
    assert_eq!(score(&lead1, other, "90").await.status, StatusCode::NO_CONTENT);
    assert_eq!(score(&lead1, other, "91").await.status, StatusCode::CONFLICT);

    // The office sees the tally; a panel member sees only their own scores.
    let mine = app.get_bearer(path, &lead1).await.json();
    let row = |v: &serde_json::Value, id: &str| {
        v["nominations"].as_array().unwrap().iter().find(|n| n["id"] == id).cloned().unwrap()
    };
    assert_eq!(row(&mine, other)["my_score"], 90.0);
    assert!(row(&mine, other)["tally"].is_null(), "{mine}");
    assert_eq!(row(&mine, in_squad1[0])["may_score"], false);
    let tally = app.get_bearer(path, &office).await.json();
    assert_eq!(row(&tally, other)["tally"]["scores"], 1, "{tally}");
    assert_eq!(row(&tally, other)["tally"]["expected"], 3);

    // Closing with scores missing needs a reason.
    let r = step(serde_json::json!({ "step": "close", "version": version })).await;
    assert_eq!(code(&r), "scores_missing", "{}", r.body);
    let (leader, office_t) = (app.token("leader01").await, office.clone());
    for (id, _) in &ids {
        for (token, value) in [(&leader, "88"), (&office_t, "92.5")] {
            let r = score(token, id, value).await;
            assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.body);
        }
    }
    for id in &in_squad1 {
        assert_eq!(score(&lead2, id, "80").await.status, StatusCode::NO_CONTENT);
    }
    let r = step(serde_json::json!({ "step": "close", "version": version })).await;
    let version = r.json()["version"].as_i64().unwrap_or_else(|| panic!("{}", r.body));
    let results = app.get_bearer(path, &office).await.json();
    assert_eq!(results["state"], "closed");
    assert_eq!(row(&results, other)["tally"]["mean"], 90.17, "(90 + 88 + 92.5) / 3, half up");
    let winners: Vec<&serde_json::Value> =
        results["nominations"].as_array().unwrap().iter().filter(|n| n["tally"]["winner"] == true).collect();
    assert_eq!(winners.len(), 2, "one officer and one squad: {results}");
    // Before the notice, an officer sees the own unit's nominations only, without results.
    let officer_view = app.get_bearer(path, &app.token("officer06").await).await.json();
    assert_eq!(officer_view["results_visible"], false);
    let seen = officer_view["nominations"].as_array().unwrap();
    assert!(!seen.is_empty() && seen.iter().all(|n| n["squad_id"] != squad1.as_str()), "{officer_view}");
    assert!(
        seen.iter().all(|n| n["figures"].is_null()),
        "a colleague's figures are not an officer's to read"
    );
    assert!(row(&results, other)["figures"]["months"].is_number(), "the office reads them");

    // The notice: a GB/T 9704 number of this year, published once.
    let publish = |number: &str, version: i64| serde_json::json!({ "step": "publish", "version": version, "notice": { "number": number, "body": "经评审，决定予以通报表彰。" } });
    assert_eq!(code(&step(publish("钟城管[2026]12号", version)).await), "notice_number_invalid");
    assert_eq!(code(&step(publish("钟城管〔2026〕第12号", version)).await), "notice_number_invalid");
    let r = step(publish("钟城管〔2026〕12号", version)).await;
    let version = r.json()["version"].as_i64().unwrap_or_else(|| panic!("{}", r.body));
    assert_eq!(code(&step(publish("钟城管〔2026〕13号", version)).await), "already_published");
    let officer_view = app.get_bearer(path, &app.token("officer06").await).await.json();
    assert_eq!(officer_view["results_visible"], true);
    assert_eq!(officer_view["notice_number"], "钟城管〔2026〕12号");

    // The public list names the winners and their squads, nothing more; the notice is a PDF.
    let page = app.get("/public/top-ten", None).await;
    assert_eq!(page.status, StatusCode::OK);
    let winner = winners.iter().find(|w| w["category"] == "officer").unwrap();
    assert!(page.body.contains(winner["name"].as_str().unwrap()), "{}", page.body);
    assert!(page.body.contains("钟城管〔2026〕12号"));
    assert!(!page.body.contains("全年无投诉"), "no deeds on the portal");
    let (status, headers, bytes) = app
        .send_bytes(
            axum::http::Request::get("/public/top-ten/2026/notice.pdf")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[axum::http::header::CONTENT_TYPE], "application/pdf");
    assert!(bytes.starts_with(b"%PDF"));
    assert_eq!(app.get("/public/top-ten/2025/notice.pdf", None).await.status, StatusCode::NOT_FOUND);

    // The pages and the workbook.
    let session = app.login("office01").await;
    let page = app.get("/top-ten?year=2026", Some(&session)).await;
    assert!(page.status == StatusCode::OK && page.body.contains("当选"), "{}", page.status);
    let (status, _, bytes) = app
        .send_bytes(
            axum::http::Request::get("/top-ten/2026/export")
                .header(axum::http::header::COOKIE, &session.cookie)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(bytes.starts_with(b"PK"), "an xlsx");
}

#[tokio::test]
async fn the_pages_refuse_an_ineligible_nomination_in_chinese() {
    let app = TestApp::new().await;
    let office = app.login("office01").await;
    let mut fields: Vec<(String, String)> = vec![
        ("version".into(), "0".into()),
        ("max_score".into(), "100".into()),
        ("on_officer".into(), "1".into()),
        ("places_officer".into(), "10".into()),
        ("rule_officer".into(), "no_upheld_complaint".into()),
    ];
    for u in ["leader01", "leader02", "office01"] {
        fields.push(("panel".into(), account_id(&app, u).await));
    }
    let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = app.post_form("/top-ten/2026/settings", Some(&office), &borrowed).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let officer01 = person_of(&app, "officer01").await;
    let token = app.token("office01").await;
    let complaint = serde_json::json!({ "person_id": officer01, "factor": "complaint", "on": "2026-02-10", "basis": "投诉 2026-018" });
    app.json(Method::POST, "/api/v1/stars/entries", &token, complaint).await;
    let page = app.get("/top-ten/2026/candidates?category=officer", Some(&office)).await;
    assert!(page.body.contains("本年度有 1 起有效投诉"), "{}", page.status);
    let r = app
        .post_form(
            "/top-ten/2026/nominations",
            Some(&office),
            &[("category", "officer"), ("subject", &officer01), ("deeds", "事迹")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("不符合十佳城管队员条件"), "{}", r.body);
}

#[tokio::test]
async fn the_demo_round_is_published_with_winners_in_every_category() {
    let app = TestApp::new().await;
    chengguan::demo::seed_training(&app.db, app.state.now()).await.unwrap();
    let made = chengguan::demo::seed_top_ten(&app.state).await.unwrap();
    assert!(made >= 8, "{made}");
    assert_eq!(chengguan::demo::seed_top_ten(&app.state).await.unwrap(), 0, "idempotent");
    let view = app.get_bearer("/api/v1/top-ten/2026", &app.token("leader01").await).await.json();
    assert_eq!(view["state"], "published", "{view}");
    for category in ["squad", "squad_leader", "officer", "auxiliary"] {
        let winners = view["nominations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["category"] == category && n["tally"]["winner"] == true)
            .count();
        assert!(winners >= 1, "{category}: {view}");
    }
}
