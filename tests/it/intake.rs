//! Issue 17 (intake): a matter filed at the centre runs the loop through the API — accepted,
//! dispatched, handled, reworked, closed, called back — with the squad seeing only its own,
//! the reporter's number sealed and masked, bad input storing nothing, and stale versions
//! refused. On both backends.

use axum::http::{Method, StatusCode};
use chrono::Duration;

use crate::support::TestApp;

fn report(category: &str) -> serde_json::Value {
    serde_json::json!({
        "source": "hotline", "category": category, "description": "南大街与西直街路口有流动摊贩占道经营",
        "address": "南大街与西直街交叉口", "reporter_name": "王女士", "reporter_phone": "13912345678",
    })
}

async fn file(app: &TestApp, token: &str, body: serde_json::Value) -> String {
    let filed = app.json(Method::POST, "/api/v1/matters", token, body).await;
    assert_eq!(filed.status, StatusCode::CREATED, "{}", filed.body);
    assert!(filed.json()["number"].as_str().unwrap().starts_with("SX2026-"));
    filed.json()["id"].as_str().unwrap().to_owned()
}

async fn step(app: &TestApp, token: &str, id: &str, body: serde_json::Value) -> serde_json::Value {
    let path = format!("/api/v1/matters/{id}");
    let version =
        app.json(Method::GET, &path, token, serde_json::Value::Null).await.json()["matter"]["version"]
            .clone();
    let mut body = body;
    body["version"] = version;
    let done = app.json(Method::POST, &format!("{path}/steps"), token, body).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    done.json()
}

#[tokio::test]
async fn a_call_runs_the_loop_with_rework_and_a_call_back() {
    let app = TestApp::new().await;
    let centre = app.token("center01").await;
    let officer = app.token("officer01").await;
    let other_squad = app.token("officer05").await;
    let squad = app.unit_id("南大街中队").await;
    let id = file(&app, &centre, report("SJ0401")).await;
    let path = format!("/api/v1/matters/{id}");

    // 受理 and 派遣; the squad of another street sees nothing of it.
    let accepted = step(&app, &centre, &id, serde_json::json!({ "action": "accept" })).await;
    assert_eq!(accepted["status"], "accepted");
    let dispatched =
        step(&app, &centre, &id, serde_json::json!({ "action": "dispatch", "unit_id": squad })).await;
    assert_eq!(dispatched["status"], "dispatched");
    // Monday 2 March 09:00 + four working hours = 14:30 Beijing, 06:30 UTC.
    assert_eq!(dispatched["handle_due_at"], "2026-03-02T06:30:00+00:00");
    let hidden = app.json(Method::GET, &path, &other_squad, serde_json::Value::Null).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let seen = app.json(Method::GET, &path, &officer, serde_json::Value::Null).await.json();
    assert_eq!(seen["offered"], serde_json::json!(["handle", "request_time", "return", "link_case"]));
    let list =
        app.json(Method::GET, "/api/v1/matters?status=dispatched", &officer, serde_json::Value::Null).await;
    assert_eq!(list.json()["total"], 1);

    // The centre cannot handle; the squad handles by persuasion (proposed: 管理).
    let handle =
        serde_json::json!({ "action": "handle", "result": "已劝离", "measures": ["persuasion", "guidance"] });
    let mut refused = handle.clone();
    refused["version"] = dispatched["version"].clone();
    let refused = app.json(Method::POST, &format!("{path}/steps"), &centre, refused).await;
    assert_eq!(
        (refused.status, refused.json()["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("squad_only"))
    );
    let handled = step(&app, &officer, &id, handle.clone()).await;
    assert_eq!(
        (handled["status"].as_str(), handled["resolution"].as_str()),
        (Some("handled"), Some("management"))
    );

    // 核查 fails: back to the squad; the second round is late.
    let reworked = step(
        &app,
        &centre,
        &id,
        serde_json::json!({ "action": "check", "passed": false, "reason": "摊贩又回来了" }),
    )
    .await;
    assert_eq!(
        (reworked["status"].as_str(), reworked["rework_count"].as_u64()),
        (Some("dispatched"), Some(1))
    );
    app.clock.set(app.clock_now() + Duration::days(2));
    let late = app.json(Method::GET, "/api/v1/matters?overdue=1", &officer, serde_json::Value::Null).await;
    assert_eq!(late.json()["total"], 1, "past its new deadline");
    let bench = app.get("/", Some(&app.login("officer01").await)).await;
    assert!(bench.body.contains("（处置中）：已逾期"), "the squad's 工作台 warns");
    let elsewhere = app.get("/", Some(&app.login("officer05").await)).await;
    assert!(!elsewhere.body.contains("处置中）："), "another squad's 工作台 does not");
    step(&app, &officer, &id, handle).await;
    step(&app, &centre, &id, serde_json::json!({ "action": "check", "passed": true })).await;
    let closed = step(
        &app,
        &centre,
        &id,
        serde_json::json!({ "action": "close", "public_note": "已劝离并设置便民疏导点" }),
    )
    .await;
    assert_eq!(closed["status"], "closed");
    let visited =
        step(&app, &centre, &id, serde_json::json!({ "action": "visit", "satisfaction": "satisfied" })).await;
    assert_eq!(visited["satisfaction"], "satisfied");

    let detail = app.json(Method::GET, &path, &centre, serde_json::Value::Null).await.json();
    let steps: Vec<&str> =
        detail["timeline"].as_array().unwrap().iter().map(|e| e["step"].as_str().unwrap()).collect();
    assert_eq!(steps, ["file", "accept", "dispatch", "handle", "check", "handle", "check", "close", "visit"]);
    assert_eq!(app.audit_count("matter.file").await, 1);
    assert_eq!(app.audit_count("matter.step").await, 8, "every step is audited");
    assert!(detail["offered"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_matter_needing_a_penalty_opens_a_case_and_waits_for_its_outcome() {
    let app = TestApp::new().await;
    let centre = app.token("center01").await;
    let officer = app.token("officer01").await;
    let leader = app.token("leader01").await;
    let squad = app.unit_id("南大街中队").await;
    let id = file(&app, &centre, report("SJ0401")).await;
    step(&app, &centre, &id, serde_json::json!({ "action": "accept" })).await;
    let dispatched =
        step(&app, &centre, &id, serde_json::json!({ "action": "dispatch", "unit_id": squad })).await;
    let party = crate::cases::new_party(&app, &officer, "11010519491231002X").await;
    let path = format!("/api/v1/matters/{id}/case");
    let lead = |version: &serde_json::Value| {
        serde_json::json!({
            "version": version, "party_id": party, "category": "street_vending", "item_code": "ZL-ZD-001",
            "title": "擅自占用城市道路设摊经营", "source": "hotline", "clue_on": "2026-03-02", "act_on": "2026-03-02",
        })
    };

    // The squad opens the case, not the centre; a stale version and a bad lead change nothing.
    let by_centre = app.json(Method::POST, &path, &centre, lead(&dispatched["version"])).await;
    assert_eq!(by_centre.json()["error"], "squad_only", "{}", by_centre.body);
    let stale = app.json(Method::POST, &path, &officer, lead(&serde_json::json!(1))).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "{}", stale.body);
    let mut bad = lead(&dispatched["version"]);
    bad["party_id"] = serde_json::json!("");
    bad["clue_on"] = serde_json::json!("3/2");
    let bad = app.json(Method::POST, &path, &officer, bad).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let bad = bad.json();
    let fields: Vec<&str> =
        bad["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"party_id") && fields.contains(&"clue_on"), "{fields:?}");
    assert_eq!(app.audit_count("case.open").await, 0);
    // The page's form comes filled from the matter and carries the version read.
    let session = app.login("officer01").await;
    let form = app.get(&format!("/cases/new?matter={id}&party={party}"), Some(&session)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("南大街与西直街交叉口") && form.body.contains("name=\"matter_id\""));
    let stale_form = [
        ("matter_id", id.as_str()),
        ("matter_version", "1"),
        ("party_id", party.as_str()),
        ("category", "street_vending"),
        ("title", "擅自占用城市道路设摊经营"),
        ("source", "hotline"),
        ("clue_on", "2026-03-02"),
        ("act_on", "2026-03-02"),
    ];
    let stale_form = app.post_form("/cases", Some(&session), &stale_form).await;
    assert_eq!(stale_form.status, StatusCode::CONFLICT);

    // The squad opens the case: the matter waits for it, the case names the matter.
    let opened = app.json(Method::POST, &path, &officer, lead(&dispatched["version"])).await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
    let opened = opened.json();
    let case_id = opened["case_id"].as_str().unwrap().to_owned();
    assert_eq!(
        (opened["matter"]["status"].as_str(), opened["matter"]["case_id"].as_str()),
        (Some("awaiting_case"), Some(case_id.as_str()))
    );
    let case = app.get_bearer(&format!("/api/v1/cases/{case_id}"), &officer).await.json();
    assert_eq!((case["source"].as_str(), case["unit_id"].as_str()), (Some("hotline"), Some(squad.as_str())));
    assert_eq!(case["matter_id"], id.as_str(), "the case keeps the link");
    let page = app.get(&format!("/cases/{case_id}"), Some(&session)).await;
    assert!(page.body.contains(&format!("/matters/{id}")), "the case page links its matter");
    assert_eq!(app.audit_count("matter.step").await, 3, "accept, dispatch, link_case");
    let again = app.json(Method::POST, &path, &officer, lead(&opened["matter"]["version"])).await;
    assert_eq!(again.json()["error"], "status_invalid", "one case per matter");

    // Until the case has its outcome, the squad cannot report the matter handled.
    let waiting =
        app.json(Method::GET, &format!("/api/v1/matters/{id}"), &officer, serde_json::Value::Null).await;
    assert_eq!(waiting.json()["offered"], serde_json::json!([]));
    let mut early = serde_json::json!({ "action": "handle", "result": "已立案", "measures": ["penalty"] });
    early["version"] = opened["matter"]["version"].clone();
    let early = app.json(Method::POST, &format!("/api/v1/matters/{id}/steps"), &officer, early).await;
    assert_eq!(early.json()["error"], "case_pending");

    // 不予立案 is an outcome too: the squad reports back and the 721 class is its own.
    let mut decline =
        crate::cases::Steps { app: &app, id: case_id, version: case["version"].as_i64().unwrap() };
    decline.ok(&leader, serde_json::json!({ "action": "decline_filing", "on": "2026-03-02", "reason": "违法事实不能成立" })).await;
    let handled = step(
        &app,
        &officer,
        &id,
        serde_json::json!({ "action": "handle", "result": "经调查不予立案，已教育劝导", "measures": ["persuasion"] }),
    )
    .await;
    assert_eq!(
        (handled["status"].as_str(), handled["resolution"].as_str()),
        (Some("handled"), Some("management"))
    );
}

#[tokio::test]
async fn the_squad_adds_photos_while_handling_and_the_centre_sees_them_at_the_check() {
    use crate::evidence::{get_bytes, jpeg, upload};
    let app = TestApp::new().await;
    let centre = app.token("center01").await;
    let officer = app.token("officer01").await;
    let other_squad = app.token("officer05").await;
    let squad = app.unit_id("南大街中队").await;
    let id = file(&app, &centre, report("SJ0401")).await;
    step(&app, &centre, &id, serde_json::json!({ "action": "accept" })).await;
    let photo = jpeg(20_000);
    // Not yet with a squad: the squad cannot add to it, the centre can (what the caller sent).
    let early = upload(&app, &officer, &[("matter_id", &id)], "fix.jpg", &photo).await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", early.body);
    assert_eq!(early.json()["fields"][0]["code"], "unknown_matter", "not with the squad yet");
    let sent = upload(
        &app,
        &centre,
        &[("matter_id", &id), ("description", "市民微信发来的现场照片")],
        "sent.jpg",
        &jpeg(9_000),
    )
    .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    step(&app, &centre, &id, serde_json::json!({ "action": "dispatch", "unit_id": squad })).await;
    let elsewhere = upload(&app, &other_squad, &[("matter_id", &id)], "fix.jpg", &photo).await;
    assert_eq!(elsewhere.json()["fields"][0]["code"], "unknown_matter", "another squad cannot see it");
    let both = upload(&app, &officer, &[("matter_id", &id), ("patrol_id", "x")], "fix.jpg", &photo).await;
    assert_eq!(both.status, StatusCode::UNPROCESSABLE_ENTITY);
    let taken =
        upload(&app, &officer, &[("matter_id", &id), ("description", "整改后现场")], "fix.jpg", &photo).await;
    assert_eq!(taken.status, StatusCode::CREATED, "{}", taken.body);
    let photo_id = taken.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(taken.json()["matter_id"], id.as_str());
    step(
        &app,
        &officer,
        &id,
        serde_json::json!({ "action": "handle", "result": "已劝离", "measures": "persuasion" }),
    )
    .await;
    let late = upload(&app, &officer, &[("matter_id", &id)], "late.jpg", &jpeg(20_000)).await;
    let centre_late = upload(&app, &centre, &[("matter_id", &id)], "late.jpg", &jpeg(20_000)).await;
    assert_eq!(centre_late.json()["error"], "photo_out_of_turn", "nor the centre after dispatch");
    assert_eq!(late.json()["error"], "photo_out_of_turn", "handled: the photos are the record");

    // The centre (no evidence role) sees the photo on the matter's page at the check, and the
    // view is on the photo's custody chain once per session.
    let session = app.login("center01").await;
    let page = app.get(&format!("/matters/{id}"), Some(&session)).await;
    assert!(page.body.contains(&format!("/matters/{id}/photos/{photo_id}")), "the page shows it");
    for _ in 0..2 {
        let shown = app.get(&format!("/matters/{id}/photos/{photo_id}"), Some(&session)).await;
        assert_eq!(shown.status, StatusCode::OK);
    }
    let (status, headers, bytes) =
        get_bytes(&app, &format!("/matters/{id}/photos/{photo_id}"), &centre, None).await;
    assert_eq!(
        (status, headers[axum::http::header::CONTENT_TYPE].to_str().unwrap()),
        (StatusCode::OK, "image/jpeg")
    );
    assert_eq!(bytes, photo);
    let viewed = app
        .count(&format!(
            "SELECT COUNT(*) FROM evidence_custody WHERE item_id = '{photo_id}' AND event = 'viewed'"
        ))
        .await;
    assert_eq!(viewed, 2, "one per session or token, not per request");
    let hidden = app.get_bearer(&format!("/matters/{id}/photos/{photo_id}"), &other_squad).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    let elsewhere = file(&app, &centre, report("SJ0402")).await;
    let wrong = app.get_bearer(&format!("/matters/{elsewhere}/photos/{photo_id}"), &centre).await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND, "a photo is served only under its own matter");
}

#[tokio::test]
async fn bad_reports_store_nothing_and_name_their_fields() {
    let app = TestApp::new().await;
    let centre = app.token("center01").await;
    let cases = [
        (
            serde_json::json!({ "source": "hotline", "category": "NOPE", "description": "随便写写的描述", "address": "南大街" }),
            "category",
        ),
        (
            serde_json::json!({ "source": "web_form", "category": "SJ0401", "description": "随便写写的描述", "address": "南大街" }),
            "source",
        ),
        (
            serde_json::json!({ "source": "hotline", "category": "SJ0401", "description": "短", "address": "南大街" }),
            "description",
        ),
        (
            serde_json::json!({ "source": "hotline", "category": "SJ0401", "description": "随便写写的描述" }),
            "address",
        ),
        (
            serde_json::json!({ "source": "hotline", "category": "SJ0401", "description": "随便写写的描述", "lat": "39.9", "long": "116.4" }),
            "lat",
        ),
        (
            serde_json::json!({ "source": "hotline", "category": "SJ0401", "description": "随便写写的描述", "address": "南大街", "reporter_phone": "12345" }),
            "reporter_phone",
        ),
    ];
    for (body, field) in cases {
        let refused = app.json(Method::POST, "/api/v1/matters", &centre, body).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {}", refused.body);
        assert_eq!(refused.json()["fields"][0]["field"], field, "{}", refused.body);
    }
    let list = app.json(Method::GET, "/api/v1/matters", &centre, serde_json::Value::Null).await;
    assert_eq!(list.json()["total"], 0);
    assert_eq!(app.audit_count("matter.file").await, 0);

    // A step over a stale version changes nothing.
    let id = file(&app, &centre, report("SJ0401")).await;
    let stale = serde_json::json!({ "version": 0, "action": "accept" });
    let conflict = app.json(Method::POST, &format!("/api/v1/matters/{id}/steps"), &centre, stale).await;
    assert_eq!(conflict.status, StatusCode::CONFLICT, "{}", conflict.body);
    let unknown = serde_json::json!({ "version": 1, "action": "teleport" });
    let unknown = app.json(Method::POST, &format!("/api/v1/matters/{id}/steps"), &centre, unknown).await;
    assert_eq!(unknown.json()["fields"][0]["code"], "action_unknown", "{}", unknown.body);
}

#[tokio::test]
async fn reporters_are_sealed_masked_and_revealed_only_to_call_back() {
    let app = TestApp::new().await;
    let centre = app.token("center01").await;
    let officer = app.token("officer01").await;
    let id = file(&app, &centre, report("SJ0401")).await;
    let detail =
        app.json(Method::GET, &format!("/api/v1/matters/{id}"), &centre, serde_json::Value::Null).await;
    assert_eq!(detail.json()["reporters"][0]["phone"], "139****5678");
    assert!(!detail.body.contains("13912345678"));
    let reveal = format!("/api/v1/matters/{id}/reporters/reveal");
    let denied = app.json(Method::POST, &reveal, &officer, serde_json::Value::Null).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let shown = app.json(Method::POST, &reveal, &centre, serde_json::Value::Null).await;
    assert_eq!(shown.json()[0]["phone"], "13912345678");
    assert_eq!(app.audit_count("matter.reporter.reveal").await, 1);
    let raw = crate::personal::column(&app, "SELECT phone FROM matter_reporters").await;
    assert!(raw.iter().all(|p| p.starts_with("sm4gcm:")), "{raw:?}");

    // A duplicate at the same address is offered for merging; its reporter moves over.
    let mut second = report("SJ0401");
    second["reporter_phone"] = serde_json::json!("13800001111");
    let dup = file(&app, &centre, second).await;
    let seen = app
        .json(Method::GET, &format!("/api/v1/matters/{dup}"), &centre, serde_json::Value::Null)
        .await
        .json();
    assert_eq!(seen["duplicates"][0]["id"], id.as_str());
    let merged = step(&app, &centre, &dup, serde_json::json!({ "action": "merge", "into": id })).await;
    assert_eq!(merged["status"], "merged");
    let first = app
        .json(Method::GET, &format!("/api/v1/matters/{id}"), &centre, serde_json::Value::Null)
        .await
        .json();
    assert_eq!(first["reporters"].as_array().unwrap().len(), 2);
    assert_eq!(first["reporters"][1]["merged_from"], dup.as_str());
}

#[tokio::test]
async fn only_intake_roles_reach_the_matters() {
    let app = TestApp::new().await;
    for (user, list, file_status) in [
        ("center01", StatusCode::OK, StatusCode::CREATED),
        ("leader01", StatusCode::OK, StatusCode::CREATED),
        ("office01", StatusCode::OK, StatusCode::FORBIDDEN),
        ("officer01", StatusCode::OK, StatusCode::CREATED),
        ("aux01", StatusCode::OK, StatusCode::CREATED),
        ("legal01", StatusCode::FORBIDDEN, StatusCode::FORBIDDEN),
        ("supervisor01", StatusCode::FORBIDDEN, StatusCode::FORBIDDEN),
    ] {
        let token = app.token(user).await;
        let listed = app.json(Method::GET, "/api/v1/matters", &token, serde_json::Value::Null).await;
        assert_eq!(listed.status, list, "{user} list");
        let mut body = report("SJ0401");
        body["source"] = serde_json::json!("patrol");
        let filed = app.json(Method::POST, "/api/v1/matters", &token, body).await;
        assert_eq!(filed.status, file_status, "{user} file: {}", filed.body);
    }
    for admin in ["sysadmin", "secadmin", "auditadmin"] {
        let token = app.token(admin).await;
        let listed = app.json(Method::GET, "/api/v1/matters", &token, serde_json::Value::Null).await;
        assert_eq!(listed.status, StatusCode::FORBIDDEN, "{admin}");
    }
}

#[tokio::test]
async fn the_catalogue_is_edited_over_versions_with_checked_limits() {
    let app = TestApp::new().await;
    let office = app.token("office01").await;
    let classes =
        app.json(Method::GET, "/api/v1/matter-categories", &office, serde_json::Value::Null).await.json();
    let stall = classes.as_array().unwrap().iter().find(|c| c["code"] == "SJ0401").unwrap().clone();
    assert_eq!(
        (stall["handle_normal"].as_str(), stall["handle_urgent"].as_str()),
        (Some("wh:4"), Some("h:2"))
    );
    let mut changed = stall.clone();
    changed["handle_normal"] = serde_json::json!("wh:6");
    let saved = app.json(Method::POST, "/api/v1/matter-categories", &office, changed.clone()).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let again = app.json(Method::POST, "/api/v1/matter-categories", &office, changed).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "the version read is stale");
    let mut slower = stall;
    slower["version"] = saved.json()["version"].clone();
    slower["handle_urgent"] = serde_json::json!("wd:3");
    let refused = app.json(Method::POST, "/api/v1/matter-categories", &office, slower).await;
    assert_eq!(refused.json()["fields"][0]["code"], "urgent_longer", "{}", refused.body);
    let officer = app.token("officer01").await;
    let denied = app
        .json(
            Method::POST,
            "/api/v1/matter-categories",
            &officer,
            serde_json::json!({ "version": 0, "code": "SJ9999" }),
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_intake_desk_files_a_call_and_the_page_takes_the_steps() {
    let app = TestApp::new().await;
    let session = app.login("center01").await;
    let desk = app.get("/matters/new", Some(&session)).await;
    assert_eq!(desk.status, StatusCode::OK);
    assert!(desk.body.contains("无照经营游商"), "the catalogue is offered");
    let bad =
        [("source", "hotline"), ("category", ""), ("description", "路口有摊贩占道"), ("address", "南大街")];
    let refused = app.post_form("/matters", Some(&session), &bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("请选择有效的问题类别"), "the field's message in Chinese");
    assert!(refused.body.contains("路口有摊贩占道"), "what was typed is kept");
    let good = [
        ("source", "hotline"),
        ("category", "SJ0401"),
        ("description", "路口有摊贩占道"),
        ("address", "南大街"),
        ("reporter_phone", "13912345678"),
    ];
    let filed = app.post_form("/matters", Some(&session), &good).await;
    assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
    let page = app.get(filed.location(), Some(&session)).await;
    assert!(page.body.contains("SX2026-000001") && page.body.contains("139****5678"));
    assert!(!page.body.contains("13912345678"));
    let steps = format!("{}/steps", filed.location());
    let accepted = app.post_form(&steps, Some(&session), &[("version", "1"), ("action", "accept")]).await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER);
    let again = app.post_form(&steps, Some(&session), &[("version", "1"), ("action", "accept")]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("该记录已被他人修改"), "a stale form says so");
    let reveal = app.post_form(&format!("{}/reporters/reveal", filed.location()), Some(&session), &[]).await;
    assert!(reveal.body.contains("13912345678"));
}

/// The month's indicators against matters counted by hand: squad A closes one on time and one
/// late after rework, squad B one after an approved extension, the centre refers one and
/// refuses one.
#[tokio::test]
async fn the_indicators_count_what_was_done_and_list_the_matters_behind_each_figure() {
    let app = TestApp::new().await;
    let centre = app.token("center01").await;
    let a_officer = app.token("officer01").await;
    let a_leader = app.token("squadlead01").await;
    let b_officer = app.token("officer05").await;
    let squad_a = app.unit_id("南大街中队").await;
    let squad_b = app.unit_id("荷花池中队").await;
    let json = |action: &str| serde_json::json!({ "action": action });

    // m1: A, persuasion (管理), on time, visited: satisfied; handled by the squad's leader.
    let m1 = file(&app, &centre, report("SJ0401")).await;
    step(&app, &centre, &m1, json("accept")).await;
    step(&app, &centre, &m1, serde_json::json!({ "action": "dispatch", "unit_id": squad_a })).await;
    step(
        &app,
        &a_leader,
        &m1,
        serde_json::json!({ "action": "handle", "result": "劝离", "measures": "persuasion" }),
    )
    .await;
    step(&app, &centre, &m1, serde_json::json!({ "action": "check", "passed": true })).await;
    step(&app, &centre, &m1, serde_json::json!({ "action": "close", "public_note": "已劝离" })).await;
    step(&app, &centre, &m1, serde_json::json!({ "action": "visit", "satisfaction": "satisfied" })).await;
    // m2: A, guidance (服务), reworked, late, visited: dissatisfied.
    let mut second = report("SJ0103");
    second["address"] = serde_json::json!("荷花池路 8 号");
    let m2 = file(&app, &centre, second).await;
    step(&app, &centre, &m2, json("accept")).await;
    step(&app, &centre, &m2, serde_json::json!({ "action": "dispatch", "unit_id": squad_a })).await;
    step(
        &app,
        &a_officer,
        &m2,
        serde_json::json!({ "action": "handle", "result": "已清扫", "measures": "guidance" }),
    )
    .await;
    step(&app, &centre, &m2, serde_json::json!({ "action": "check", "passed": false, "reason": "仍有垃圾" }))
        .await;
    app.clock.set(app.clock_now() + Duration::days(3));
    step(
        &app,
        &a_officer,
        &m2,
        serde_json::json!({ "action": "handle", "result": "已清扫", "measures": "guidance" }),
    )
    .await;
    step(&app, &centre, &m2, serde_json::json!({ "action": "check", "passed": true })).await;
    step(&app, &centre, &m2, serde_json::json!({ "action": "close", "public_note": "已清扫" })).await;
    step(&app, &centre, &m2, serde_json::json!({ "action": "visit", "satisfaction": "dissatisfied" })).await;
    // m3: B, extension approved, order (管理), on time, nobody to call back.
    let mut third = report("SJ0402");
    third["address"] = serde_json::json!("五星公园");
    third["reporter_phone"] = serde_json::json!("");
    third["reporter_name"] = serde_json::json!("");
    let m3 = file(&app, &centre, third).await;
    step(&app, &centre, &m3, json("accept")).await;
    step(&app, &centre, &m3, serde_json::json!({ "action": "dispatch", "unit_id": squad_b })).await;
    step(&app, &b_officer, &m3, serde_json::json!({ "action": "request_time", "kind": "extend", "until": "2026-03-12 17:30", "reason": "店主外出" })).await;
    step(&app, &centre, &m3, serde_json::json!({ "action": "decide_time", "approve": true })).await;
    app.clock.set(app.clock_now() + Duration::days(2));
    step(
        &app,
        &b_officer,
        &m3,
        serde_json::json!({ "action": "handle", "result": "已责令改正", "measures": "order" }),
    )
    .await;
    step(&app, &centre, &m3, serde_json::json!({ "action": "check", "passed": true })).await;
    step(&app, &centre, &m3, serde_json::json!({ "action": "close", "public_note": "已改正" })).await;
    // m4: the centre refers it and the department answers in time; m5: refused.
    let mut fourth = report("SJ0501");
    fourth["address"] = serde_json::json!("北港路");
    let m4 = file(&app, &centre, fourth).await;
    step(
        &app,
        &centre,
        &m4,
        serde_json::json!({ "action": "refer", "department": "住房和城乡建设局", "due_on": "2026-03-20" }),
    )
    .await;
    step(&app, &centre, &m4, serde_json::json!({ "action": "answer_referral", "answer": "已修复" })).await;
    step(&app, &centre, &m4, serde_json::json!({ "action": "close", "public_note": "已由住建部门修复" }))
        .await;
    let mut fifth = report("SJ0401");
    fifth["address"] = serde_json::json!("邹区");
    let m5 = file(&app, &centre, fifth).await;
    step(&app, &centre, &m5, serde_json::json!({ "action": "reject", "reason": "重复反映" })).await;

    let figures = app
        .json(Method::GET, "/api/v1/matter-indicators?month=2026-03", &centre, serde_json::Value::Null)
        .await;
    assert_eq!(figures.status, StatusCode::OK, "{}", figures.body);
    let figures = figures.json();
    let row =
        |key: &str| figures["units"].as_array().unwrap().iter().find(|r| r["key"] == key).cloned().unwrap();
    let counts = |key: &str| {
        let r = row(key);
        [
            "accepted",
            "dispatched",
            "handled",
            "handled_on_time",
            "closed",
            "closed_on_time",
            "reworked",
            "extended",
            "visited",
            "satisfied",
            "referred",
            "referral_on_time",
            "service",
            "management",
            "enforcement",
        ]
        .map(|c| r["counts"][c].as_i64().unwrap())
    };
    assert_eq!(counts(&squad_a), [2, 2, 2, 1, 2, 1, 1, 0, 2, 1, 0, 0, 1, 1, 0]);
    assert_eq!(counts(&squad_b), [1, 1, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0]);
    assert_eq!(counts("-"), [1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0]);
    assert_eq!(row(&squad_a)["rates"]["on_time_closure"], 50.0);
    assert_eq!(row(&squad_a)["rates"]["rework"], 50.0);
    assert_eq!(row(&squad_a)["rates"]["satisfaction"], 50.0);
    assert_eq!(row(&squad_a)["shares_721"], serde_json::json!([50.0, 50.0, 0.0]));
    assert_eq!(figures["total"]["counts"]["closed"], 4);
    assert_eq!(figures["categories"].as_array().unwrap().len(), 4, "four classes had a step");
    // Per 处置人: the leader and the officer of A, the officer of B.
    let people = figures["people"].as_array().unwrap();
    assert_eq!(people.len(), 3, "{people:?}");
    let officer_a = people.iter().find(|p| p["counts"]["reworked"] == 1).unwrap();
    assert_eq!(officer_a["unit_id"], squad_a.as_str());
    assert_eq!(officer_a["counts"]["handled"], 1);
    assert_eq!(officer_a["rates"]["on_time_handling"], 0.0, "its second round was late");
    let handled_by = app
        .json(
            Method::GET,
            &format!(
                "/api/v1/matter-indicators/matters?month=2026-03&indicator=handled&unit={squad_a}&person={}",
                officer_a["key"].as_str().unwrap()
            ),
            &centre,
            serde_json::Value::Null,
        )
        .await
        .json();
    assert_eq!(handled_by.as_array().unwrap().len(), 1);
    assert_eq!(handled_by[0]["id"], m2.as_str());

    // The matters behind a figure are the ones counted.
    let behind = app
        .json(
            Method::GET,
            &format!("/api/v1/matter-indicators/matters?month=2026-03&indicator=reworked&unit={squad_a}"),
            &centre,
            serde_json::Value::Null,
        )
        .await
        .json();
    assert_eq!(behind.as_array().unwrap().len(), 1);
    assert_eq!(behind[0]["id"], m2.as_str());
    let page = app
        .get(
            &format!("/matters/indicators/matters?month=2026-03&indicator=extended&unit={squad_b}"),
            Some(&app.login("center01").await),
        )
        .await;
    assert!(page.body.contains("SX2026-000003"), "m3 is behind 延期数");
    // A squad sees only its own row; February is empty.
    let own = app
        .json(Method::GET, "/api/v1/matter-indicators?month=2026-03", &a_officer, serde_json::Value::Null)
        .await
        .json();
    assert_eq!(own["units"].as_array().unwrap().len(), 1);
    assert_eq!(own["units"][0]["key"], squad_a.as_str());
    assert_eq!(own["people"].as_array().unwrap().len(), 2, "the squad's own 处置人 only");
    let empty = app
        .json(Method::GET, "/api/v1/matter-indicators?month=2026-02", &centre, serde_json::Value::Null)
        .await
        .json();
    assert!(empty["units"].as_array().unwrap().is_empty());
    let session = app.login("center01").await;
    let sheet = app.get("/matters/indicators.xlsx?month=2026-03", Some(&session)).await;
    assert_eq!(sheet.status, StatusCode::OK);
    assert_eq!(app.audit_count("matter.indicators.export").await, 1);
}
