//! Publishing penalty decisions (issue 18 scope 2): the entry written with the decision, the
//! redacted draft, publication refused while personal data is left, the portal showing only what
//! was published, the ruling and the withdrawal on their clocks, and the register's guards.

use axum::http::{Method, StatusCode};
use chrono::{Duration, NaiveDate};

use crate::cases::{filed_vending_case, new_party, two_certified};
use crate::support::TestApp;

/// A general-procedure penalty decided on 2026-03-06 with its 决定书 issued; answers the case id.
async fn decided_case(app: &TestApp) -> String {
    let squad = app.token("squadlead01").await;
    let leader = app.token("leader01").await;
    let officers = two_certified(app, "南大街中队", NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()).await;
    let party = new_party(app, &squad, "11010519491231002X").await;
    app.raw(&format!("UPDATE parties SET address = '常州市钟楼区南大街88号' WHERE id = '{party}'")).await;
    let mut s = filed_vending_case(app, &squad, &leader, &party, &officers).await;
    s.ok(&squad, serde_json::json!({"action": "record_act", "kind": "inspection", "on": "2026-03-02", "officers": officers,
        "summary": "现场检查"}))
        .await;
    s.ok(&squad, serde_json::json!({"action": "propose", "penalty": {"kinds": ["fine"], "fine_fen": 30_000, "confiscation_fen": 0},
        "complex": false, "public_interest": false,
        "findings": {"facts": "当事人王摊主于2026年3月1日在南大街88号人行道上擅自设摊经营水果，占用城市道路约6平方米。",
                     "evidence": "1.《现场检查（勘验）笔录》一份；2.现场照片六张。",
                     "discretion": "鉴于当事人经劝导后改正，依据本局裁量基准“一般”档处罚。"}}))
        .await;
    s.ok(&squad, serde_json::json!({"action": "notify", "on": "2026-03-02"})).await;
    app.clock.set(app.clock_now() + Duration::days(4));
    s.ok(
        &leader,
        serde_json::json!({"action": "decide", "on": "2026-03-06", "outcome": "penalty",
        "penalty": {"kinds": ["fine"], "fine_fen": 30_000, "confiscation_fen": 0}, "note": ""}),
    )
    .await;
    s.id.clone()
}

async fn issue_decision(app: &TestApp, case_id: &str) {
    let squad = app.token("squadlead01").await;
    let body = serde_json::json!({ "kind": "penalty_decision" });
    let issued = app.json(Method::POST, &format!("/api/v1/cases/{case_id}/documents"), &squad, body).await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
}

#[tokio::test]
async fn a_decision_is_entered_redacted_published_and_withdrawn_on_its_clocks() {
    let app = TestApp::new().await;
    let case_id = decided_case(&app).await;
    let office = app.token("office01").await;

    // The decision is in the register, waiting, on the 7-working-day clock.
    let register = app.get_bearer("/api/v1/disclosures?state=pending", &office).await;
    assert_eq!(register.status, StatusCode::OK, "{}", register.body);
    let entry = &register.json()["entries"][0];
    assert_eq!(entry["case_id"], case_id.as_str());
    assert_eq!(entry["duty"], "publish");
    assert_eq!(entry["due_on"], "2026-03-17", "7 working days from Friday 6 March");
    let id = entry["id"].as_str().unwrap().to_owned();
    assert_eq!(app.audit_count("disclosure.enter").await, 1);

    // Without the issued document there is nothing to publish.
    let early = app
        .json(
            Method::POST,
            &format!("/api/v1/disclosures/{id}/publish"),
            &office,
            serde_json::json!({"version": 1, "text": "x"}),
        )
        .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", early.body);
    assert_eq!(early.json()["error"], "decision_document_missing");

    issue_decision(&app, &case_id).await;
    let detail = app.get_bearer(&format!("/api/v1/disclosures/{id}"), &office).await.json();
    let draft = detail["draft_text"].as_str().unwrap().to_owned();
    for gone in ["王摊主", "11010519491231002X", "南大街88号人行道"] {
        assert!(!draft.contains(gone) || gone == "南大街88号人行道", "{gone} in {draft}");
    }
    assert!(!draft.contains("王摊主") && draft.contains("王某某"), "{draft}");
    assert!(draft.contains("常州市钟楼区（已隐去）"), "{draft}");
    assert!(draft.contains("罚款人民币300元"), "{draft}");
    assert!(detail["draft_rules"].as_array().unwrap().iter().any(|r| r == "id_number"));

    // The page shows the issued decision beside the draft: the office, which may not reveal a
    // party's numbers, sees them masked; the legal office sees them, and that is a reveal.
    let office_page = app.get(&format!("/disclosures/{id}"), Some(&app.login("office01").await)).await;
    assert!(office_page.body.contains("110105********002X"), "masked for the office");
    assert!(!office_page.body.contains("11010519491231002X"));
    let reveals = app.audit_count("party.reveal").await;
    let legal_page = app.get(&format!("/disclosures/{id}"), Some(&app.login("legal01").await)).await;
    assert!(legal_page.body.contains("11010519491231002X"));
    assert_eq!(app.audit_count("party.reveal").await, reveals + 1);

    // The issued text as it stands is refused, naming the field; nothing changes.
    let with_id = format!("{draft}\n公民身份号码：11010519491231002X");
    let refused = app
        .json(
            Method::POST,
            &format!("/api/v1/disclosures/{id}/publish"),
            &office,
            serde_json::json!({"version": 1, "text": with_id}),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert_eq!(refused.json()["fields"][0]["field"], "text");
    assert_eq!(refused.json()["fields"][0]["code"], "personal_data_left");
    assert!(!refused.body.contains("11010519491231002X"), "the error does not echo the number");
    assert_eq!(app.audit_count("disclosure.publish").await, 0);

    // A squad leader reads the register but may not publish: 403, audited.
    let squad = app.token("squadlead01").await;
    let denied = app
        .json(
            Method::POST,
            &format!("/api/v1/disclosures/{id}/publish"),
            &squad,
            serde_json::json!({"version": 1, "text": draft}),
        )
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    assert!(app.audit_count("authz.denied").await >= 1);
    assert_eq!(app.get_bearer(&format!("/api/v1/disclosures/{id}"), &squad).await.status, StatusCode::OK);

    // Not public until published; the portal's cached list shows it as soon as it is.
    assert_eq!(app.get(&format!("/public/decisions/{id}"), None).await.status, StatusCode::NOT_FOUND);
    let before = app.get("/public/decisions?year=2026", None).await;
    assert!(!before.body.contains(&id), "not listed before publication");
    let published = app
        .json(
            Method::POST,
            &format!("/api/v1/disclosures/{id}/publish"),
            &office,
            serde_json::json!({"version": 1, "text": draft}),
        )
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    assert_eq!(published.json()["version"], 2);
    let stale = app
        .json(
            Method::POST,
            &format!("/api/v1/disclosures/{id}/publish"),
            &office,
            serde_json::json!({"version": 1, "text": draft}),
        )
        .await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY, "published once: {}", stale.body);
    let page = app.get(&format!("/public/decisions/{id}"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("王某某")
            && !page.body.contains("王摊主")
            && !page.body.contains("11010519491231002X")
    );
    assert!(page.headers.get("set-cookie").is_none(), "the portal sends no cookie");
    let list = app.get("/public/decisions?year=2026", None).await;
    assert!(list.body.contains(&format!("/public/decisions/{id}")), "{}", list.body);
    for bad in ["/public/decisions?year=abc", "/public/decisions?page=0", "/public/decisions/nope"] {
        assert_eq!(app.get(bad, None).await.status, StatusCode::NOT_FOUND, "{bad}");
    }
    // The published text is never rewritten, whatever writes to the table.
    let rewrite = app.try_raw(&format!("UPDATE decision_disclosures SET text = 'x' WHERE id = '{id}'")).await;
    assert!(rewrite.is_err(), "a published text is fixed");

    // A withdrawal needs its ruling first; the ruling starts the 3-working-day clock.
    let early = app
        .json(
            Method::POST,
            &format!("/api/v1/disclosures/{id}/withdraw"),
            &office,
            serde_json::json!({"version": 2, "note": "撤销"}),
        )
        .await;
    assert_eq!(early.json()["error"], "ruling_required", "{}", early.body);
    app.clock.set(app.clock_now() + Duration::days(30));
    let office = app.token("office01").await;
    let ruling = serde_json::json!({"version": 2, "ground": "revoked", "body": "常州市钟楼区人民政府", "on": "2026-04-03"});
    let ruled = app.json(Method::POST, &format!("/api/v1/disclosures/{id}/ruling"), &office, ruling).await;
    assert_eq!(ruled.status, StatusCode::OK, "{}", ruled.body);
    let entry = app.get_bearer(&format!("/api/v1/disclosures/{id}"), &office).await.json();
    assert_eq!(entry["duty"], "withdraw");
    assert_eq!(entry["due_on"], "2026-04-09", "3 working days from Friday 3 April across 清明 (4–6 April)");
    let with_phone = serde_json::json!({"version": 3, "note": "经复议撤销，联系13912345678"});
    let refused =
        app.json(Method::POST, &format!("/api/v1/disclosures/{id}/withdraw"), &office, with_phone).await;
    assert_eq!(refused.json()["fields"][0]["field"], "note", "{}", refused.body);
    let note = serde_json::json!({"version": 3, "note": "该决定经行政复议被撤销，现撤回公开。"});
    let withdrawn =
        app.json(Method::POST, &format!("/api/v1/disclosures/{id}/withdraw"), &office, note).await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.body);
    let page = app.get(&format!("/public/decisions/{id}"), None).await;
    assert!(page.body.contains("被依法撤销") && page.body.contains("现撤回公开"), "{}", page.body);
    assert!(!page.body.contains("罚款人民币300元"), "the text is taken down");
    for action in ["disclosure.publish", "disclosure.ruling", "disclosure.withdraw"] {
        assert_eq!(app.audit_count(action).await, 1, "{action}");
    }
}

#[tokio::test]
async fn an_overdue_decision_shows_on_the_workbench_and_a_withheld_one_stays_off_the_portal() {
    let app = TestApp::new().await;
    decided_case(&app).await;
    let office = app.token("office01").await;
    let id = app.get_bearer("/api/v1/disclosures", &office).await.json()["entries"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.clock.set(app.clock_now() + Duration::days(14));
    let session = app.login("office01").await;
    let home = app.get("/", Some(&session)).await;
    assert!(home.body.contains("决定公开（7个工作日）") && home.body.contains("已逾期"), "{}", home.body);
    let register = app.get("/disclosures", Some(&session)).await;
    assert_eq!(register.status, StatusCode::OK);
    assert!(register.body.contains("tag-danger"), "the overdue clock is red");

    let bad = app
        .post_form(
            &format!("/disclosures/{id}/withhold"),
            Some(&session),
            &[("version", "1"), ("basis", "x"), ("reason", "")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("请选择不予公开的依据") && bad.body.contains("请填写不予公开的理由"),
        "{}",
        bad.body
    );
    let fields = [("version", "1"), ("basis", "secret_or_privacy"), ("reason", "涉及未成年人隐私")];
    let done = app.post_form(&format!("/disclosures/{id}/withhold"), Some(&session), &fields).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(app.get(&format!("/public/decisions/{id}"), None).await.status, StatusCode::NOT_FOUND);
    let home = app.get("/", Some(&session)).await;
    assert!(!home.body.contains("决定公开（7个工作日）"), "withheld: no clock");
    // Roles without the register do not see it at all.
    let officer = app.token("officer01").await;
    assert_eq!(app.get_bearer("/api/v1/disclosures", &officer).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_crawl_of_the_demo_portal_finds_no_personal_number_and_nothing_unpublished() {
    let app = TestApp::new().await;
    assert!(chengguan::demo::seed_cases(&app.state).await.unwrap() > 10);
    let published = chengguan::demo::seed_disclosure(&app.state).await.unwrap();
    assert!(published >= 10, "{published}");
    assert_eq!(chengguan::demo::seed_disclosure(&app.state).await.unwrap(), 0, "once");

    let all = chengguan::store::disclosure::DisclosureFilter { limit: 500, ..Default::default() };
    let (entries, _) = app.db.disclosures(&chengguan::store::org::Visibility::All, &all).await.unwrap();
    let states: Vec<&str> = entries.iter().map(|e| e.state.code()).collect();
    for wanted in ["published", "withdrawn", "pending"] {
        assert!(states.contains(&wanted), "the demo holds a {wanted} decision: {states:?}");
    }
    // Every party's document number and address, as the register holds them.
    let mut secrets = Vec::new();
    for entry in &entries {
        let case =
            app.db.case(&chengguan::store::org::Visibility::All, &entry.case_id).await.unwrap().unwrap();
        let party = app.db.party(&case.party_id).await.unwrap().unwrap();
        secrets.push(party.document_number);
        secrets.push(party.address);
    }
    let mut shown = Vec::new();
    for year in [2025, 2026] {
        let list = app.get(&format!("/public/decisions?year={year}"), None).await;
        assert_eq!(list.status, StatusCode::OK);
        let mut rest = list.body.as_str();
        while let Some(at) = rest.find("href=\"/public/decisions/") {
            rest = &rest[at + "href=\"/public/decisions/".len()..];
            let id: String = rest.chars().take_while(|c| *c != '"').collect();
            let page = app.get(&format!("/public/decisions/{id}"), None).await;
            assert_eq!(page.status, StatusCode::OK);
            for secret in &secrets {
                assert!(!page.body.contains(secret.as_str()), "{secret} on the portal");
            }
            let longest = page.body.split(|c: char| !c.is_ascii_digit()).map(str::len).max().unwrap_or(0);
            assert!(longest < 11, "a long number on /public/decisions/{id}");
            shown.push(id);
        }
    }
    for entry in &entries {
        let public = matches!(entry.state.code(), "published" | "withdrawn");
        assert_eq!(shown.contains(&entry.id), public, "{} is {}", entry.id, entry.state.code());
        if !public {
            let page = app.get(&format!("/public/decisions/{}", entry.id), None).await;
            assert_eq!(page.status, StatusCode::NOT_FOUND);
        }
    }
}

#[tokio::test]
async fn the_portal_posts_items_the_engines_procedure_and_officers_without_personal_data() {
    let app = TestApp::new().await;
    let index = app.get("/public", None).await;
    assert_eq!(index.status, StatusCode::OK);
    assert!(index.body.contains("12319"), "the hotline is posted");
    assert_eq!(index.headers["cache-control"], "public, max-age=60");
    assert!(index.headers.get("set-cookie").is_none());

    // The procedure is the engine's: every step it offers at any stage is on the page.
    let page = app.get("/public/procedures", None).await;
    let (stages, everywhere) = chengguan::ops::portal::procedure(&app.state).await.unwrap();
    for step in stages.iter().flat_map(|s| s.steps.iter()).chain(everywhere.iter()) {
        assert!(page.body.contains(step.name_zh()), "{step:?} is not on the diagram");
    }
    for stage in &stages {
        assert!(page.body.contains(stage.stage.name_zh()));
    }

    let items = app.get("/public/items", None).await;
    assert_eq!(items.status, StatusCode::OK);
    assert!(items.body.contains("ZL-ZD-001"), "the list in force");
    let item = app.get("/public/items/ZL-ZD-001", None).await;
    assert_eq!(item.status, StatusCode::OK);
    assert!(
        item.body.contains("罚款幅度的历次版本") && item.body.contains("《城市道路管理条例》"),
        "{}",
        item.body
    );
    assert_eq!(app.get("/public/items/NO-SUCH", None).await.status, StatusCode::NOT_FOUND);

    // Officers with a valid certificate, never an auxiliary, never a phone.
    let directory = app.get("/public/officers", None).await;
    assert_eq!(directory.status, StatusCode::OK);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let everyone = chengguan::store::org::PeopleFilter { page: 1, page_size: 500, ..Default::default() };
    let people = app.db.people(&chengguan::store::org::Visibility::All, &everyone, today).await.unwrap().rows;
    let officers = chengguan::ops::portal::officers(&app.state, None).await.unwrap();
    assert!(!officers.is_empty());
    for person in &people {
        if let Some(phone) = &person.phone {
            assert!(!directory.body.contains(phone.as_str()), "a phone on the directory");
        }
        if person.employment.code() == "auxiliary" {
            assert!(!officers.iter().any(|o| o.name == person.name && o.unit_name == person.unit_name));
        }
    }
    assert_eq!(app.get("/public/officers?unit=nope", None).await.status, StatusCode::NOT_FOUND);
    let unit = app.unit_id("南大街中队").await;
    let squad = app.get(&format!("/public/officers?unit={unit}"), None).await;
    assert!(squad.body.contains("南大街中队"));

    // The wall notice: A3 by default, A4 on request, per squad; anything else is not found.
    for path in ["/public/notice.pdf".to_owned(), format!("/public/notice.pdf?unit={unit}&paper=a4")] {
        let pdf = app.get(&path, None).await;
        assert_eq!(pdf.status, StatusCode::OK, "{path}");
        assert_eq!(pdf.headers["content-type"], "application/pdf");
        assert!(pdf.body.starts_with("%PDF-"));
    }
    for bad in ["/public/notice.pdf?paper=a5", "/public/notice.pdf?unit=nope"] {
        assert_eq!(app.get(bad, None).await.status, StatusCode::NOT_FOUND, "{bad}");
    }
}

#[tokio::test]
async fn the_years_figures_are_published_once_after_the_year_and_never_name_a_fine_per_person() {
    let app = TestApp::new().await;
    decided_case(&app).await;
    let office = app.token("office01").await;
    // 2026 is not over on 2026-03-06: its figures are counted but cannot be published yet.
    let live = app.get_bearer("/api/v1/annual-figures?year=2026", &office).await;
    assert_eq!(live.status, StatusCode::OK, "{}", live.body);
    let live = live.json();
    assert_eq!(live["due_on"], "2027-01-31");
    let categories = live["live"]["categories"].as_array().unwrap();
    assert_eq!(categories.iter().map(|c| c["penalties"].as_u64().unwrap()).sum::<u64>(), 1);
    assert!(!live.to_string().contains("officer") && !live.to_string().contains("unit_id"));
    let early =
        app.json(Method::POST, "/api/v1/annual-figures/2026/publish", &office, serde_json::json!({})).await;
    assert_eq!(early.json()["error"], "year_not_over", "{}", early.body);

    // Last year's: due 31 January 2026, overdue on the 工作台 until published, then once only.
    let session = app.login("office01").await;
    let home = app.get("/", Some(&session)).await;
    assert!(home.body.contains("2025 年度行政执法数据应于 2026-01-31 前公开"), "{}", home.body);
    assert_eq!(app.get("/public/figures?year=2025", None).await.status, StatusCode::NOT_FOUND);
    let squad = app.token("squadlead01").await;
    let denied =
        app.json(Method::POST, "/api/v1/annual-figures/2025/publish", &squad, serde_json::json!({})).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let published = app.post_form("/disclosures/figures/2025/publish", Some(&session), &[]).await;
    assert_eq!(published.status, StatusCode::SEE_OTHER, "{}", published.body);
    let again =
        app.json(Method::POST, "/api/v1/annual-figures/2025/publish", &office, serde_json::json!({})).await;
    assert_eq!(again.json()["error"], "figures_published", "{}", again.body);
    assert_eq!(app.audit_count("figures.publish").await, 1);
    let page = app.get("/public/figures?year=2025", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("2025 年度行政执法数据"));
    let home = app.get("/", Some(&session)).await;
    assert!(!home.body.contains("年度行政执法数据应于"), "published: off the 工作台");
    assert!(app.try_raw("UPDATE annual_figures SET figures = '{}'").await.is_err(), "a snapshot is fixed");
}

#[tokio::test]
async fn sittings_and_consultations_are_recorded_counted_by_month_and_exported() {
    let app = TestApp::new().await;
    let legal = app.token("legal01").await;
    let sitting = serde_json::json!({"held_on": "2026-03-02", "place": "南大街中队巡回审判点", "court": "常州市钟楼区人民法院",
        "judge": "王审判员", "cases_heard": "3", "outcomes": "调解结案二件"});
    let made = app.json(Method::POST, "/api/v1/court-sittings", &legal, sitting).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);
    let bad = serde_json::json!({"given_on": "2026-03-03", "audience": "press", "topic": " ", "given_by": "法制科"});
    let refused = app.json(Method::POST, "/api/v1/legal-consultations", &legal, bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = refused.json()["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(fields, ["given_on", "audience", "topic"], "every bad field at once");
    let good = serde_json::json!({"given_on": "2026-03-02", "audience": "staff", "topic": "拒签笔录如何处理", "answer": "注明拒签并录像", "given_by": "法制科"});
    assert_eq!(
        app.json(Method::POST, "/api/v1/legal-consultations", &legal, good).await.status,
        StatusCode::CREATED
    );
    let officer = app.token("officer01").await;
    let denied =
        serde_json::json!({"given_on": "2026-03-02", "audience": "public", "topic": "x", "given_by": "y"});
    assert_eq!(
        app.json(Method::POST, "/api/v1/legal-consultations", &officer, denied).await.status,
        StatusCode::FORBIDDEN
    );

    let year = app.get_bearer("/api/v1/legal-help?year=2026", &legal).await.json();
    assert_eq!(year["months"][2]["sittings"], 1);
    assert_eq!(year["months"][2]["cases_heard"], 3);
    assert_eq!(year["months"][2]["staff_consultations"], 1);
    assert_eq!(app.audit_count("court_sitting.record").await, 1);
    assert_eq!(app.audit_count("legal_consultation.record").await, 1);
    let session = app.login("legal01").await;
    let export = app.get("/legal-help/export?year=2026", Some(&session)).await;
    assert_eq!(export.status, StatusCode::OK);
    assert_eq!(app.audit_count("legal_help.export").await, 1);
    let page = app.get("/legal-help?year=2026", Some(&session)).await;
    assert!(page.body.contains("拒签笔录如何处理") && page.body.contains("王审判员"));
    assert!(app.try_raw("DELETE FROM court_sittings").await.is_err(), "append-only");
    assert_eq!(
        chengguan::demo::seed_legal_help(&app.state).await.unwrap(),
        0,
        "the demo adds nothing over records"
    );
}
