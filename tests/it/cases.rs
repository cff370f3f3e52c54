//! Cases end to end: one full general-procedure case and one simple-procedure case through the
//! API, each refused step with its code, squad isolation, and gapless document numbers.

use axum::http::{Method, StatusCode};
use chrono::{Duration, NaiveDate};

use crate::support::TestApp;

/// Two officers of a squad with certificates valid on `on`.
pub(crate) async fn two_certified(app: &TestApp, unit: &str, on: NaiveDate) -> Vec<String> {
    let unit_id = app.unit_id(unit).await;
    let filter = chengguan::store::org::PeopleFilter {
        unit_id,
        employment: "officer".into(),
        page: 1,
        page_size: 100,
        ..Default::default()
    };
    let page = app.db.people(&chengguan::store::org::Visibility::All, &filter, on).await.unwrap();
    let ids: Vec<String> = page.rows.into_iter().map(|p| p.id).collect();
    let facts = app.db.person_facts(&ids).await.unwrap();
    let valid: Vec<String> = ids.into_iter().filter(|id| facts[id].may_act_on(on)).take(2).collect();
    assert_eq!(valid.len(), 2, "the demo squad has certified officers");
    valid
}

pub(crate) async fn new_party(app: &TestApp, token: &str, number: &str) -> String {
    let body = serde_json::json!({
        "kind": "person", "name": "王摊主", "document_type": "resident_id", "document_number": number,
    });
    let created = app.json(Method::POST, "/api/v1/parties", token, body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    created.json()["id"].as_str().unwrap().to_owned()
}

/// A street-vending case against `party`, opened by the squad and filed by the head on
/// 2026-03-02 with `officers`: where most case tests start.
pub(crate) async fn filed_vending_case<'a>(
    app: &'a TestApp,
    squad: &str,
    leader: &str,
    party: &str,
    officers: &[String],
) -> Steps<'a> {
    let open = serde_json::json!({
        "procedure": "general", "party_id": party, "category": "street_vending", "item_code": "ZL-ZD-001",
        "title": "擅自占用城市道路设摊经营", "location": "南大街88号", "source": "patrol",
        "clue_on": "2026-03-02", "act_on": "2026-03-01",
    });
    let created = app.json(Method::POST, "/api/v1/cases", squad, open).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let mut s = Steps { app, id, version: 1 };
    s.ok(leader, serde_json::json!({"action": "file", "on": "2026-03-02", "officers": officers})).await;
    s
}

pub(crate) struct Steps<'a> {
    pub app: &'a TestApp,
    pub id: String,
    pub version: i64,
}

impl Steps<'_> {
    /// Posts a step; on success remembers the new version.
    pub(crate) async fn step(
        &mut self,
        token: &str,
        step: serde_json::Value,
    ) -> (StatusCode, serde_json::Value) {
        let mut body = step;
        body["version"] = serde_json::json!(self.version);
        let response =
            self.app.json(Method::POST, &format!("/api/v1/cases/{}/steps", self.id), token, body).await;
        let json = response.json();
        if response.status == StatusCode::OK {
            self.version = json["version"].as_i64().unwrap();
        }
        (response.status, json)
    }

    pub(crate) async fn ok(&mut self, token: &str, step: serde_json::Value) {
        let (status, json) = self.step(token, step.clone()).await;
        assert_eq!(status, StatusCode::OK, "{step} -> {json}");
    }

    /// The plan's clearance of a compulsory decision (`seizure`, `substitute`, `enforcement`):
    /// a passed legal review by `legal01` and a discussion of the three heads, both on `on`.
    pub(crate) async fn clear(&mut self, leader: &str, measure: &str, on: &str) {
        let legal = self.app.token("legal01").await;
        self.ok(
            &legal,
            serde_json::json!({"action": "review_compulsory", "on": on, "measure": measure,
            "passed": true, "opinion": "有法定依据，程序合法"}),
        )
        .await;
        let heads = self.app.heads().await;
        self.ok(
            leader,
            serde_json::json!({"action": "discuss_compulsory", "on": on, "measure": measure,
            "attendees": heads, "conclusion": "同意"}),
        )
        .await;
    }

    pub(crate) async fn refused(&mut self, token: &str, step: serde_json::Value, code: &str) {
        let before = self.version;
        let (status, json) = self.step(token, step.clone()).await;
        assert_eq!(
            (status, json["error"].as_str().unwrap_or("")),
            (StatusCode::UNPROCESSABLE_ENTITY, code),
            "{step} -> {json}"
        );
        assert_eq!(self.version, before);
    }
}

#[tokio::test]
async fn a_general_procedure_case_runs_from_lead_to_closing_under_every_guard() {
    let app = TestApp::new().await;
    let squad = app.token("squadlead01").await;
    let leader = app.token("leader01").await;
    let legal = app.token("legal01").await;
    let day = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
    let officers = two_certified(&app, "南大街中队", day("2026-03-02")).await;
    let party = new_party(&app, &squad, "11010519491231002X").await;

    let open = serde_json::json!({
        "procedure": "general", "party_id": party, "category": "street_vending", "item_code": "ZL-ZD-001",
        "title": "擅自占用城市道路设摊经营", "location": "南大街 88 号", "source": "patrol",
        "clue_on": "2026-03-02", "act_on": "2026-03-01",
    });
    let created = app.json(Method::POST, "/api/v1/cases", &squad, open).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(created.json()["number"], "2026-000001");

    let case = app.get_bearer(&format!("/api/v1/cases/{id}"), &squad).await.json();
    assert_eq!(case["stage"], "clue");
    let lead = case["clocks"].as_array().unwrap().iter().find(|c| c["kind"] == "lead_check").unwrap().clone();
    assert_eq!(lead["due"], "2026-03-17", "15 days from 2 March (住建部令55 Art. 15)");

    let mut s = Steps { app: &app, id: id.clone(), version: case["version"].as_i64().unwrap() };
    let file =
        |officers: &[String]| serde_json::json!({"action": "file", "on": "2026-03-02", "officers": officers});
    s.refused(&squad, file(&officers), "leader_required").await;
    s.refused(&leader, file(&officers[..1]), "two_officers_required").await;
    s.ok(&leader, file(&officers)).await;
    // A stale version is detected, not overwritten.
    let stale = app
        .json(
            Method::POST,
            &format!("/api/v1/cases/{id}/steps"),
            &leader,
            serde_json::json!({"version": 1, "action": "extend_decision", "days": 10, "reason": "x"}),
        )
        .await;
    assert_eq!(
        (stale.status, stale.json()["error"].as_str().unwrap()),
        (StatusCode::CONFLICT, "version_conflict")
    );

    let act = serde_json::json!({"action": "record_act", "kind": "inspection", "on": "2026-03-02",
        "officers": officers, "summary": "现场检查：占用人行道约 6 平方米设摊"});
    s.ok(&squad, act).await;
    // 25,000 yuan is outside 《城市道路管理条例》Art. 42's range of up to 20,000 yuan.
    let propose = |fen: i64| {
        serde_json::json!({"action": "propose", "penalty": {"kinds": ["fine"], "fine_fen": fen, "confiscation_fen": 0},
        "complex": false, "public_interest": false})
    };
    s.refused(&squad, propose(2_500_000), "fine_outside_statutory_range").await;
    s.ok(&squad, propose(600_000)).await;
    s.ok(&squad, serde_json::json!({"action": "notify", "on": "2026-03-02"})).await;

    let decide = |on: &str, fen: i64| {
        serde_json::json!({"action": "decide", "on": on, "outcome": "penalty",
        "penalty": {"kinds": ["fine"], "fine_fen": fen, "confiscation_fen": 0}, "note": ""})
    };
    s.refused(&leader, decide("2026-03-02", 600_000), "rights_period_running").await;
    // Hearing right (6,000 ≥ 500 yuan): 5 working days from Mon 2 March, the last on Mon 9 March.
    app.clock.set(app.clock_now() + Duration::days(8));
    s.refused(
        &squad,
        serde_json::json!({"action": "request_hearing", "on": "2026-03-10"}),
        "hearing_request_late",
    )
    .await;
    s.refused(&leader, decide("2026-03-10", 700_000), "heavier_than_notified").await;
    s.refused(&leader, decide("2026-03-10", 600_000), "legal_review_required").await;
    let review = serde_json::json!({"action": "review", "on": "2026-03-10", "checklist": [true, true, true, true, true, true, true, true],
        "opinion": "事实清楚，证据确凿，适用法律正确，裁量适当"});
    s.refused(&squad, review.clone(), "legal_reviewer_required").await;
    s.ok(&legal, review).await;
    s.refused(&leader, decide("2026-03-10", 600_000), "collective_discussion_required").await;
    s.ok(
        &leader,
        serde_json::json!({"action": "discuss", "on": "2026-03-10", "attendees": app.heads().await,
        "conclusion": "同意罚款 6000 元"}),
    )
    .await;
    s.ok(&leader, decide("2026-03-10", 600_000)).await;
    let decided = app.get_bearer(&format!("/api/v1/cases/{id}"), &squad).await.json();
    assert_eq!(decided["state"]["decision"]["number"], "钟城管罚决字〔2026〕第1号");
    assert_eq!(decided["major"], true);

    s.ok(&squad, serde_json::json!({"action": "serve", "on": "2026-03-10", "method": "直接送达"})).await;
    let officer = app.token("officer01").await;
    s.refused(
        &officer,
        serde_json::json!({"action": "close", "on": "2026-03-10", "summary": "结案"}),
        "squad_leader_required",
    )
    .await;
    s.refused(
        &leader,
        serde_json::json!({"action": "close", "on": "2026-03-10", "summary": "结案"}),
        "fine_unpaid",
    )
    .await;
    s.ok(&squad, serde_json::json!({"action": "pay", "on": "2026-03-10", "amount_fen": 600_000})).await;
    s.ok(
        &leader,
        serde_json::json!({"action": "close", "on": "2026-03-10", "summary": "罚款已缴清，责令改正已复查"}),
    )
    .await;

    let closed = app.get_bearer(&format!("/api/v1/cases/{id}"), &squad).await.json();
    assert_eq!(closed["stage"], "closed");
    let timeline = closed["timeline"].as_array().unwrap();
    let steps: Vec<&str> = timeline.iter().map(|t| t["step"].as_str().unwrap()).collect();
    assert_eq!(
        steps,
        [
            "open",
            "file",
            "record_act",
            "propose",
            "notify",
            "review",
            "discuss",
            "decide",
            "serve",
            "pay",
            "close"
        ]
    );
    // One audit record per accepted step, and none for refused ones (they changed nothing).
    assert_eq!(app.audit_count("case.open").await, 1);
    assert_eq!(app.audit_count("case.step").await, 10);
    assert!(closed["clocks"].as_array().unwrap().iter().all(|c| c["status"] != "overdue"));

    // 一人一档: the party's file lists the case and counts the penalty (no longer a first offence).
    let session = app.login("leader01").await;
    let file = app.get(&format!("/parties/{party}"), Some(&session)).await;
    assert!(file.body.contains("2026-000001") && file.body.contains("给予行政处罚 1"), "{}", file.body);
    assert!(!file.body.contains("无处罚记录"));

    // Another squad's officer neither lists nor opens it.
    let other = app.token("officer05").await;
    assert_eq!(app.get_bearer(&format!("/api/v1/cases/{id}"), &other).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get_bearer("/api/v1/cases", &other).await.json()["total"], 0);
    assert_eq!(app.get_bearer("/api/v1/cases", &leader).await.json()["total"], 1);
}

#[tokio::test]
async fn the_simple_procedure_is_capped_and_numbered_without_gaps_under_concurrency() {
    let app = TestApp::new().await;
    let squad = app.token("squadlead01").await;
    let officers = two_certified(&app, "南大街中队", NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()).await;
    let party = new_party(&app, &squad, "11010519491231002X").await;
    let spot = |fine: &str| {
        serde_json::json!({
            "procedure": "simple", "party_id": party, "category": "illegal_parking", "item_code": "ZL-TC-001",
            "title": "人行道违法停车", "clue_on": "2026-03-02", "act_on": "2026-03-02",
            "officer1": officers[0], "officer2": officers[1], "fine": fine,
        })
    };
    let over = app.json(Method::POST, "/api/v1/cases", &squad, spot("201")).await;
    assert_eq!(
        (over.status, over.json()["error"].as_str().unwrap()),
        (StatusCode::UNPROCESSABLE_ENTITY, "simple_procedure_limit")
    );
    let alone = serde_json::json!({"officer2": ""});
    let mut one = spot("50");
    one["officer2"] = alone["officer2"].clone();
    let refused = app.json(Method::POST, "/api/v1/cases", &squad, one).await;
    assert_eq!(refused.json()["error"], "two_officers_required");

    // Twelve decisions at once: numbers 1…12, each once. The refused attempts above took none.
    let requests = (0..12).map(|_| app.json(Method::POST, "/api/v1/cases", &squad, spot("100")));
    let responses = futures_util::future::join_all(requests).await;
    let mut numbers: Vec<String> = responses
        .iter()
        .map(|r| {
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            r.json()["decision_number"].as_str().unwrap().to_owned()
        })
        .collect();
    numbers.sort();
    let mut expected: Vec<String> = (1..=12).map(|n| format!("钟城管当罚字〔2026〕第{n}号")).collect();
    expected.sort();
    assert_eq!(numbers, expected);

    // Handed over on the spot; closed only after 备案 and payment.
    let id = responses[0].json()["id"].as_str().unwrap().to_owned();
    let mut s = Steps { app: &app, id: id.clone(), version: 1 };
    s.refused(
        &squad,
        serde_json::json!({"action": "close", "on": "2026-03-02", "summary": "结案"}),
        "not_registered",
    )
    .await;
    s.ok(&squad, serde_json::json!({"action": "register", "on": "2026-03-02"})).await;
    s.ok(&squad, serde_json::json!({"action": "pay", "on": "2026-03-02", "amount_fen": 10_000})).await;
    s.ok(&squad, serde_json::json!({"action": "close", "on": "2026-03-02", "summary": "当场缴纳"})).await;
}

#[tokio::test]
async fn the_case_pages_render_and_a_refused_step_says_its_rule_in_chinese() {
    let app = TestApp::new().await;
    let squad_token = app.token("squadlead01").await;
    let party = new_party(&app, &squad_token, "11010519491231002X").await;
    let session = app.login("leader01").await;
    let form = app
        .post_form(
            "/cases",
            Some(&session),
            &[
                ("procedure", "general"),
                ("party_id", &party),
                ("category", "construction_waste"),
                ("item_code", "ZL-ZT-001"),
                ("unit_id", &app.unit_id("南大街中队").await),
                ("title", "随意倾倒建筑垃圾"),
                ("source", "complaint"),
                ("clue_on", "2026-03-02"),
                ("act_on", "2026-02-28"),
            ],
        )
        .await;
    assert_eq!(form.status, StatusCode::SEE_OTHER, "{}", form.body);
    let path = form.location().to_owned();
    let id = path.trim_start_matches("/cases/").to_owned();
    let page = app.get(&path, Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("线索核查（立案或不予立案）") && page.body.contains("2026-03-17"));

    // Filing with one officer: refused, with the article, and nothing changes.
    let refused = app
        .post_form(
            &format!("/cases/{id}/steps"),
            Some(&session),
            &[("action", "file"), ("version", "1"), ("on", "2026-03-02"), ("officer1", "nobody")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("执法人员不得少于两人（行政处罚法第四十二条）"), "{}", refused.body);
    assert_eq!(app.audit_count("case.step").await, 0);

    for page in
        ["/cases", "/cases/deadlines", "/responsibility-list", "/cases/new", "/cases/new?procedure=simple"]
    {
        let response = app.get(page, Some(&session)).await;
        assert_eq!(response.status, StatusCode::OK, "{page}: {}", response.body);
    }
    let deadlines = app.get("/cases/deadlines?days=30", Some(&session)).await;
    assert!(deadlines.body.contains("随意倾倒建筑垃圾"));
    let list = app.get("/responsibility-list", Some(&session)).await;
    assert!(list.body.contains("《城市建筑垃圾管理规定》第二十六条"));
}

#[tokio::test]
async fn a_seizure_is_taken_approved_and_ended_through_the_api_with_its_clock() {
    let app = TestApp::new().await;
    let squad = app.token("squadlead01").await;
    let leader = app.token("leader01").await;
    let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let officers = two_certified(&app, "南大街中队", day).await;
    let party = new_party(&app, &squad, "11010519491231002X").await;
    let mut s = filed_vending_case(&app, &squad, &leader, &party, &officers).await;
    let id = s.id.clone();
    let seize = serde_json::json!({"action": "seize", "on": "2026-03-02", "officers": officers,
        "items": ["三轮车一辆"], "reason": "涉案经营工具", "emergency": false});
    let (status, refused) = s.step(&squad, seize.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused["error"], "head_approval_required");
    // The bureau's plan: discussed and reviewed first.
    s.refused(&leader, seize.clone(), "compulsory_discussion_required").await;
    s.clear(&leader, "seizure", "2026-03-02").await;
    s.ok(&leader, seize).await;
    let case = app.get_bearer(&format!("/api/v1/cases/{id}"), &squad).await.json();
    let clock = case["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "seizure_term")
        .expect("seizure clock")
        .clone();
    assert_eq!(clock["due"], "2026-04-01");
    s.ok(&squad, serde_json::json!({"action": "end_seizure", "on": "2026-03-02", "outcome": "release"}))
        .await;
    let case = app.get_bearer(&format!("/api/v1/cases/{id}"), &squad).await.json();
    let clock =
        case["clocks"].as_array().unwrap().iter().find(|c| c["kind"] == "seizure_term").unwrap().clone();
    assert_eq!(clock["status"], "met");
}

#[tokio::test]
async fn orders_seizures_and_substitute_performance_work_from_the_case_page_forms() {
    let app = TestApp::new().await;
    let squad_token = app.token("squadlead01").await;
    let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let officers = two_certified(&app, "南大街中队", day).await;
    let party = new_party(&app, &squad_token, "11010519491231002X").await;
    let leader = app.login("leader01").await;
    let squad = app.login("squadlead01").await;
    let open = serde_json::json!({
        "procedure": "general", "party_id": party, "category": "outdoor_ads", "item_code": "ZL-GG-001",
        "title": "擅自设置大型户外广告", "location": "南大街88号", "source": "patrol",
        "clue_on": "2026-03-02", "act_on": "2026-03-01",
    });
    let id = app.json(Method::POST, "/api/v1/cases", &squad_token, open).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let version = || async {
        app.get_bearer(&format!("/api/v1/cases/{id}"), &squad_token).await.json()["version"]
            .as_i64()
            .unwrap()
            .to_string()
    };
    let post = |session: &crate::support::Session, fields: Vec<(&'static str, String)>| {
        let session = session.clone();
        let id = id.clone();
        let app = &app;
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.post_form(&format!("/cases/{id}/steps"), Some(&session), &fields).await
        }
    };
    let (o1, o2) = (officers[0].clone(), officers[1].clone());
    let file = post(
        &leader,
        vec![
            ("action", "file".into()),
            ("version", version().await),
            ("on", "2026-03-02".into()),
            ("officer1", o1.clone()),
            ("officer2", o2.clone()),
        ],
    )
    .await;
    assert_eq!(file.status, StatusCode::SEE_OTHER, "{}", file.body);
    // 责令立即改正: the deadline left blank.
    let order = post(
        &squad,
        vec![
            ("action", "order_correction".into()),
            ("version", version().await),
            ("on", "2026-03-02".into()),
            ("officer1", o1.clone()),
            ("officer2", o2.clone()),
            ("deadline", String::new()),
            ("requirement", "立即拆除广告牌".into()),
        ],
    )
    .await;
    assert_eq!(order.status, StatusCode::SEE_OTHER, "{}", order.body);
    // The plan's clearance from the forms: the reviewer's opinion, then the heads ticked on the
    // page's attendee boxes (repeated `attendee` fields). A box for an officer is refused.
    let legal = app.login("legal01").await;
    for (measure, clear_on) in [("seizure", "2026-03-02"), ("substitute", "2026-03-02")] {
        let reviewed = post(
            &legal,
            vec![
                ("action", "review_compulsory".into()),
                ("version", version().await),
                ("on", clear_on.into()),
                ("measure", measure.into()),
                ("passed", "yes".into()),
                ("opinion", "同意".into()),
            ],
        )
        .await;
        assert_eq!(reviewed.status, StatusCode::SEE_OTHER, "{}", reviewed.body);
    }
    let heads = app.heads().await;
    let page = app.get(&format!("/cases/{id}"), Some(&leader)).await;
    for head in &heads {
        assert!(page.body.contains(&format!("name=\"attendee\" value=\"{head}\"")), "a box for each head");
    }
    assert!(!page.body.contains(&format!("name=\"attendee\" value=\"{o1}\"")), "no box for an officer");
    let discuss = |attendees: Vec<String>, measure: &str| {
        let mut fields: Vec<(&'static str, String)> = vec![
            ("action", "discuss_compulsory".into()),
            ("on", "2026-03-02".into()),
            ("measure", measure.to_owned()),
            ("summary", "同意".into()),
        ];
        fields.extend(attendees.into_iter().map(|a| ("attendee", a)));
        fields
    };
    let mut stranger = discuss(vec![heads[0].clone(), heads[1].clone(), o1.clone()], "seizure");
    stranger.push(("version", version().await));
    let refused = post(&leader, stranger).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("未在人员名册中登记为本局负责人"), "{}", refused.body);
    for measure in ["seizure", "substitute"] {
        let mut fields = discuss(heads.clone(), measure);
        fields.push(("version", version().await));
        let discussed = post(&leader, fields).await;
        assert_eq!(discussed.status, StatusCode::SEE_OTHER, "{}", discussed.body);
    }
    // The seizure list comes one item per line.
    let seize = post(
        &leader,
        vec![
            ("action", "seize".into()),
            ("version", version().await),
            ("on", "2026-03-02".into()),
            ("officer1", o1.clone()),
            ("officer2", o2.clone()),
            ("items", "广告布一块\r\n\r\n梯子一架".into()),
            ("reason", "涉案工具".into()),
        ],
    )
    .await;
    assert_eq!(seize.status, StatusCode::SEE_OTHER, "{}", seize.body);
    let reinspect = post(
        &squad,
        vec![
            ("action", "reinspect".into()),
            ("version", version().await),
            ("on", "2026-03-02".into()),
            ("officer1", o1.clone()),
            ("officer2", o2.clone()),
            ("corrected", "no".into()),
            ("summary", "未拆除".into()),
        ],
    )
    .await;
    assert_eq!(reinspect.status, StatusCode::SEE_OTHER, "{}", reinspect.body);
    // A budget that is not an amount is a field error, and nothing changes.
    let before = version().await;
    let substitute = |budget: &str| {
        vec![
            ("action", "decide_substitute".into()),
            ("on", "2026-03-02".into()),
            ("ground", "traffic".into()),
            ("reason", "危及通行安全".into()),
            ("obligation", "拆除广告牌".into()),
            ("performer", "市政设施养护所".into()),
            ("budget", budget.to_owned()),
            ("planned_on", "2026-03-09".into()),
            ("party_present", "yes".into()),
        ]
    };
    let mut bad = substitute("四千元");
    bad.push(("version", before.clone()));
    let refused = post(&leader, bad).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("费用预算的取值不正确：请填写金额"), "{}", refused.body);
    assert_eq!(version().await, before);
    let mut good = substitute("4500");
    good.push(("version", before));
    let decided = post(&leader, good).await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER, "{}", decided.body);

    let case = app.get_bearer(&format!("/api/v1/cases/{id}"), &squad_token).await.json();
    assert_eq!(case["state"]["corrections"][0]["deadline"], serde_json::Value::Null);
    assert_eq!(case["state"]["seizures"][0]["items"], serde_json::json!(["广告布一块", "梯子一架"]));
    assert_eq!(case["state"]["substitute"]["budget_fen"], 450_000);
    let page = app.get(&format!("/cases/{id}"), Some(&squad)).await;
    for must in
        ["立即改正", "广告布一块、梯子一架", "代履行人 市政设施养护所", "代履行催告", "制作代履行决定书"]
    {
        assert!(page.body.contains(must), "the case page lacks {must}");
    }
}

#[tokio::test]
async fn the_legal_office_sets_the_provinces_rules_with_sources_versions_and_audit() {
    let app = TestApp::new().await;
    let legal = app.token("legal01").await;
    let officer = app.token("officer01").await;
    let current = app.get_bearer("/api/v1/case-rules", &legal).await.json();
    assert_eq!(current["version"], 0, "the shipped defaults");
    let body = |version: i64, days: &str, source: &str| {
        serde_json::json!({"version": version, "province": "江苏", "statement_workdays": days,
            "hearing_fine_person": "2000", "hearing_fine_organisation": "50000", "hearing_fine_business": "50000",
            "major_fine_person": "5000", "major_fine_organisation": "50000", "decision_extension_max_days": "0",
            "source": source})
    };
    // Only the legal office and the leadership; bad values by field; nothing changes.
    let denied = app.json(Method::PUT, "/api/v1/case-rules", &officer, body(0, "5", "苏府令第1号")).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let bad = app.json(Method::PUT, "/api/v1/case-rules", &legal, body(0, "0", "")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let bad = bad.json();
    let fields: Vec<&str> =
        bad["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["statement_workdays", "source"]);
    assert_eq!(app.audit_count("case_rules.update").await, 0);
    let saved = app
        .json(Method::PUT, "/api/v1/case-rules", &legal, body(0, "5", "《江苏省行政处罚听证程序规则》"))
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(saved.json()["version"], 1);
    assert_eq!(saved.json()["rules"]["hearing_fine_person_fen"], 200_000);
    // Saving again from the defaults' version is a conflict, not an overwrite.
    let stale = app.json(Method::PUT, "/api/v1/case-rules", &legal, body(0, "3", "x")).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(app.get_bearer("/api/v1/case-rules", &legal).await.json()["rules"]["statement_workdays"], 5);
    // The page form shows the values and saves them.
    let session = app.login("legal01").await;
    let page = app.get("/case-rules", Some(&session)).await;
    assert!(page.status == StatusCode::OK && page.body.contains("《江苏省行政处罚听证程序规则》"));
    let form = app
        .post_form(
            "/case-rules",
            Some(&session),
            &[
                ("version", "1"),
                ("province", "江苏"),
                ("statement_workdays", "3"),
                ("hearing_fine_person", "2000"),
                ("hearing_fine_organisation", "50000"),
                ("hearing_fine_business", "50000"),
                ("major_fine_person", "5000"),
                ("major_fine_organisation", "50000"),
                ("decision_extension_max_days", "0"),
                ("exclude_testing", "on"),
                ("source", "苏府令；检测鉴定期间不计入（示例规章第X条）"),
            ],
        )
        .await;
    assert_eq!(form.status, StatusCode::SEE_OTHER, "{}", form.body);
    assert_eq!(app.audit_count("case_rules.update").await, 2);
    // The times left out of the 90 days: a ticked box, shown ticked again.
    let rules = app.get_bearer("/api/v1/case-rules", &legal).await.json();
    assert_eq!(rules["rules"]["decision_excluded"], serde_json::json!(["testing"]));
    let page = app.get("/case-rules", Some(&session)).await;
    assert!(page.body.contains("name=\"exclude_testing\" checked"), "the box stays ticked");
    assert!(!page.body.contains("name=\"exclude_hearing\" checked"));
}

#[tokio::test]
async fn the_legal_office_keeps_the_responsibility_list_inside_the_statutory_ranges() {
    let app = TestApp::new().await;
    let legal = app.token("legal01").await;
    let officer = app.token("officer01").await;
    let squad = app.token("squadlead01").await;
    let item = |bands: serde_json::Value, active: bool| {
        serde_json::json!({"code": "zl-zd-002", "category": "street_vending", "name": "擅自在街道两侧摆摊设点",
            "violated": "《城市市容和环境卫生管理条例》第十四条", "penalty_basis": "《城市市容和环境卫生管理条例》第三十六条",
            "fine_min_person": "0.01", "fine_max_person": "500", "fine_min_org": "0.01", "fine_max_org": "2000",
            "bands": bands, "responsible_unit": "各执法中队", "status": "to_verify", "note": "", "active": active})
    };
    let band = |level: &str, person: [&str; 2], org: [&str; 2]| {
        serde_json::json!({"level": level, "condition": "情形", "person_min": person[0], "person_max": person[1],
            "org_min": org[0], "org_max": org[1]})
    };
    let path = "/api/v1/responsibility-items";
    // Only the legal office and the leadership; a band wider than the statute is refused with
    // its article and nothing is written.
    let denied = app.json(Method::POST, path, &officer, item(serde_json::json!([]), true)).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    let wide = item(serde_json::json!([band("较重", ["200", "800"], ["1000", "2000"])]), true);
    let wide = app.json(Method::POST, path, &legal, wide).await;
    assert_eq!(wide.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", wide.body);
    assert_eq!(wide.json()["fields"][0]["code"], "band_outside_range");
    assert!(wide.json()["fields"][0]["message"].as_str().unwrap().contains("第三十四条"));
    assert_eq!(app.audit_count("item.create").await, 0);

    let bands = serde_json::json!([
        band("一般", ["0.01", "200"], ["0.01", "1000"]),
        band("较重", ["200.01", "500"], ["1000.01", "2000"])
    ]);
    let created = app.json(Method::POST, path, &legal, item(bands.clone(), true)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let created = created.json();
    assert_eq!((created["code"].as_str(), created["version"].as_i64()), (Some("ZL-ZD-002"), Some(1)));
    assert_eq!(created["fine_max_person"], 50_000);
    let again = app.json(Method::POST, path, &legal, item(bands.clone(), true)).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.json()["fields"][0]["code"], "duplicate");

    // Retiring it: versions guard the edit, and new cases can no longer use it.
    let mut retire = item(bands.clone(), false);
    retire["version"] = 1.into();
    let retired = app.json(Method::PUT, &format!("{path}/ZL-ZD-002"), &legal, retire.clone()).await;
    assert_eq!(retired.status, StatusCode::OK, "{}", retired.body);
    assert_eq!(retired.json()["version"], 2);
    let stale = app.json(Method::PUT, &format!("{path}/ZL-ZD-002"), &legal, retire.clone()).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    retire["version"] = 0.into();
    let blind = app.json(Method::PUT, &format!("{path}/ZL-ZD-002"), &legal, retire).await;
    assert_eq!(blind.status, StatusCode::CONFLICT, "an update without the version read is never applied");
    let party = new_party(&app, &squad, "11010519491231002X").await;
    let open = serde_json::json!({
        "procedure": "general", "party_id": party, "category": "street_vending", "item_code": "ZL-ZD-002",
        "title": "摆摊", "location": "南大街", "source": "patrol", "clue_on": "2026-03-02", "act_on": "2026-03-01",
    });
    let refused = app.json(Method::POST, "/api/v1/cases", &squad, open).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert_eq!(refused.json()["fields"][0]["code"], "item_retired");
    let listed = app.get_bearer(path, &squad).await.json();
    assert!(
        listed.as_array().unwrap().iter().all(|i| i["code"] != "ZL-ZD-002"),
        "retired items leave the list"
    );

    // The page form: the band rows repeat their names and arrive in order; blank rows drop.
    let session = app.login("legal01").await;
    let page = app.get("/responsibility-list/ZL-ZD-001/edit", Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("擅自占用城市道路设摊经营") && page.body.contains("经劝导后改正"));
    let version = app.get_bearer(&format!("{path}/ZL-ZD-001"), &legal).await.json()["version"].to_string();
    let mut fields = vec![
        ("version", version.as_str()),
        ("category", "street_vending"),
        ("name", "擅自占用城市道路设摊经营"),
        ("violated", "《城市道路管理条例》第二十七条、第三十一条"),
        ("penalty_basis", "《城市道路管理条例》第四十二条"),
        ("fine_min_person", "0.01"),
        ("fine_max_person", "20000"),
        ("fine_min_org", "0.01"),
        ("fine_max_org", "20000"),
        ("responsible_unit", "各执法中队"),
        ("status", "verified"),
        ("note", ""),
        ("active", "1"),
    ];
    for row in [
        ["轻微", "首次、当场改正", "0", "0", "0", "0"],
        ["一般", "经劝导后改正", "0.01", "20000", "0.01", "20000"],
        [""; 6],
    ] {
        for (name, value) in [
            "band_level",
            "band_condition",
            "band_person_min",
            "band_person_max",
            "band_org_min",
            "band_org_max",
        ]
        .into_iter()
        .zip(row)
        {
            fields.push((name, value));
        }
    }
    let saved = app.post_form("/responsibility-list/ZL-ZD-001/edit", Some(&session), &fields).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let stored = app.get_bearer(&format!("{path}/ZL-ZD-001"), &legal).await.json();
    assert_eq!(
        (stored["status"].as_str(), stored["responsible_unit"].as_str()),
        (Some("verified"), Some("各执法中队"))
    );
    assert_eq!(stored["discretion"].as_str().unwrap().matches("level").count(), 2);
    // A field error re-renders the form with the rows typed and changes nothing.
    fields[0] = ("version", "2");
    fields.push(("band_level", "较重"));
    let bad = app.post_form("/responsibility-list/ZL-ZD-001/edit", Some(&session), &fields).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("每一档须写明") && bad.body.contains("value=\"较重\""));
    let list = app.get("/responsibility-list", Some(&session)).await;
    assert!(list.body.contains("已停用") && list.body.contains("责任主体：各执法中队"));
    assert_eq!(app.audit_count("item.create").await, 1);
    assert_eq!(app.audit_count("item.update").await, 2);
}

/// The cases `token` finds for `q` through the list (text index), as a sorted id list.
async fn found(app: &TestApp, token: &str, q: &str) -> Vec<String> {
    let q: String = q.bytes().map(|b| format!("%{b:02X}")).collect();
    let path = format!("/api/v1/cases?size=200&q={q}");
    let json = app.get_bearer(&path, token).await.json();
    let mut ids: Vec<String> =
        json["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(json["total"].as_i64(), Some(ids.len() as i64), "{json}");
    ids.sort();
    ids
}

/// The same by reading every case and looking at the text itself: what the index must agree with.
async fn read_through(app: &TestApp, token: &str, q: &str) -> Vec<String> {
    let json = app.get_bearer("/api/v1/cases?size=200", token).await.json();
    let mut ids: Vec<String> = json["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| ["number", "title", "party_name"].iter().any(|f| c[*f].as_str().unwrap().contains(q)))
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn the_case_search_finds_what_the_text_holds_and_follows_a_corrected_name() {
    let app = TestApp::new().await;
    let squad = app.token("squadlead01").await;
    let mut parties = Vec::new();
    for (name, number) in [("林秀", "11010519491231002X"), ("林秀英", "110105198001010016")] {
        let body = serde_json::json!({
            "kind": "person", "name": name, "document_type": "resident_id", "document_number": number,
        });
        let created = app.json(Method::POST, "/api/v1/parties", &squad, body).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        parties.push(created.json()["id"].as_str().unwrap().to_owned());
    }
    let mut cases = Vec::new();
    for (party, title) in [(&parties[0], "夜间占道烧烤"), (&parties[1], "店外经营占用人行道")]
    {
        let open = serde_json::json!({
            "procedure": "general", "party_id": party, "category": "street_vending",
            "item_code": "ZL-ZD-001", "title": title, "location": "南大街", "source": "patrol",
            "clue_on": "2026-03-02", "act_on": "2026-03-01",
        });
        let created = app.json(Method::POST, "/api/v1/cases", &squad, open).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let json = created.json();
        cases.push((json["id"].as_str().unwrap().to_owned(), json["number"].as_str().unwrap().to_owned()));
    }
    let number = cases[1].1.clone();
    let serial = number.rsplit('-').next().unwrap().to_owned();
    let serial_tail = serial[serial.len() - 4..].to_owned();
    let across_dash = number[2..8].to_owned();
    // Two-character and longer queries go through the index, one character reads the list; a
    // query nothing holds finds nothing; numbers and pieces of them are looked up by their runs
    // of digits. Each must agree with reading the text itself.
    let queries = [
        "林秀",
        "秀英",
        "林秀英",
        "林",
        "占道烧烤",
        "人行",
        number.as_str(),
        serial.as_str(),
        serial_tail.as_str(),
        across_dash.as_str(),
        "秀英烧烤",
        "无此当事人",
    ];
    // New cases are found from their commit on, through the indexer's queue, and after it.
    for q in queries {
        assert_eq!(found(&app, &squad, q).await, read_through(&app, &squad, q).await, "query {q}, queued");
    }
    assert!(app.db.index_pending_terms(usize::MAX).await.unwrap() >= 2);
    assert_eq!(app.db.index_pending_terms(usize::MAX).await.unwrap(), 0, "the queue is empty");
    for q in queries {
        assert_eq!(found(&app, &squad, q).await, read_through(&app, &squad, q).await, "query {q}, indexed");
    }
    assert_eq!(found(&app, &squad, "秀英").await, vec![cases[1].0.clone()]);
    let both = {
        let mut ids = vec![cases[0].0.clone(), cases[1].0.clone()];
        ids.sort();
        ids
    };
    assert_eq!(found(&app, &squad, "林秀").await, both);

    // A third case, still queued, against the party whose name is then corrected: the index
    // follows the correction for indexed and queued cases alike, within its transaction.
    let open = serde_json::json!({
        "procedure": "general", "party_id": &parties[1], "category": "street_vending",
        "item_code": "ZL-ZD-001", "title": "占道经营", "location": "南大街", "source": "patrol",
        "clue_on": "2026-03-02", "act_on": "2026-03-01",
    });
    let third =
        app.json(Method::POST, "/api/v1/cases", &squad, open).await.json()["id"].as_str().unwrap().to_owned();
    cases.push((third, String::new()));
    let path = format!("/api/v1/parties/{}", parties[1]);
    let fixed =
        app.json(Method::PUT, &path, &squad, serde_json::json!({"version": 1, "name": "周秀英"})).await;
    assert_eq!(fixed.status, StatusCode::OK, "{}", fixed.body);
    assert_eq!(found(&app, &squad, "林秀").await, vec![cases[0].0.clone()]);
    let renamed = {
        let mut ids = vec![cases[1].0.clone(), cases[2].0.clone()];
        ids.sort();
        ids
    };
    assert_eq!(found(&app, &squad, "周秀").await, renamed);
    assert_eq!(
        app.db.index_pending_terms(usize::MAX).await.unwrap(),
        0,
        "the correction indexed the queued case"
    );
    for q in queries.iter().copied().chain(["周秀英", "周"]) {
        assert_eq!(found(&app, &squad, q).await, read_through(&app, &squad, q).await, "query {q}");
    }

    // A database whose cases predate the index gets it filled by the migration, whole.
    app.raw("DROP TABLE case_terms").await;
    app.raw("DELETE FROM schema_migrations WHERE name = '0013_case_terms'").await;
    assert_eq!(app.db.migrate(app.clock_now()).await.unwrap(), vec!["0013_case_terms"]);
    for q in queries.iter().copied().chain(["周秀英"]) {
        assert_eq!(found(&app, &squad, q).await, read_through(&app, &squad, q).await, "query {q}");
    }
    assert_eq!(found(&app, &squad, "周秀").await, renamed);

    // An index written before it held pieces of digits is rebuilt through the queue by 0016;
    // searches agree with the text meanwhile and after.
    app.raw("DELETE FROM case_terms WHERE length(term) > 2").await;
    app.raw("DELETE FROM schema_migrations WHERE name = '0016_case_digit_terms'").await;
    assert_eq!(app.db.migrate(app.clock_now()).await.unwrap(), vec!["0016_case_digit_terms"]);
    for q in queries {
        assert_eq!(found(&app, &squad, q).await, read_through(&app, &squad, q).await, "query {q}, requeued");
    }
    assert_eq!(app.db.index_pending_terms(usize::MAX).await.unwrap(), 3);
    for q in queries {
        assert_eq!(found(&app, &squad, q).await, read_through(&app, &squad, q).await, "query {q}, reindexed");
    }
    assert_eq!(found(&app, &squad, &number).await, vec![cases[1].0.clone()]);
    let pieces: i64 = app.count(&format!("SELECT COUNT(*) FROM case_terms WHERE term = '{serial}'")).await;
    assert_eq!(pieces, 1, "the serial is an index entry of its own");
}

/// 行政处罚法 Art. 37 (从旧兼从轻): a change of an item's range applies to acts from the day it
/// takes effect; an earlier act keeps the range then in force unless the new one is lighter.
#[tokio::test]
async fn a_changed_range_reaches_back_to_an_earlier_act_only_when_it_is_lighter() {
    let app = TestApp::new().await;
    let squad = app.token("squadlead01").await;
    let leader = app.token("leader01").await;
    let legal = app.token("legal01").await;
    let officers = two_certified(&app, "南大街中队", NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()).await;
    let party = new_party(&app, &squad, "11010519491231002X").await;
    // The act was on 1 March, under the list as first entered (up to 20,000 yuan).
    let mut s = filed_vending_case(&app, &squad, &leader, &party, &officers).await;
    s.ok(
        &squad,
        serde_json::json!({"action": "record_act", "kind": "inspection", "on": "2026-03-02",
            "officers": officers, "summary": "现场检查"}),
    )
    .await;
    let path = "/api/v1/responsibility-items/ZL-ZD-001";
    // Each version comes with one band, named after it, spanning its whole range.
    let change = |version: i64, max: &str, from: &str| {
        serde_json::json!({"version": version, "category": "street_vending", "name": "擅自占用城市道路设摊经营",
            "violated": "《城市道路管理条例》第二十七条", "penalty_basis": "《城市道路管理条例》第四十二条（修订）",
            "fine_min_person": "0.01", "fine_max_person": max, "fine_min_org": "0.01", "fine_max_org": max,
            "bands": [{"level": format!("{max}元档"), "condition": "修订后", "person_min": "0.01",
                "person_max": max, "org_min": "0.01", "org_max": max}],
            "status": "verified", "active": true, "effective_from": from})
    };
    let session = app.login("squadlead01").await;
    let case_url = format!("/cases/{}", s.id);
    let case_page = || app.get(&case_url, Some(&session));
    let propose = |fen: i64| {
        serde_json::json!({"action": "propose", "penalty": {"kinds": ["fine"], "fine_fen": fen, "confiscation_fen": 0},
            "complex": false, "public_interest": false})
    };
    let bad_day = app.json(Method::PUT, path, &legal, change(1, "50000", "2026-02-30")).await;
    assert_eq!(bad_day.json()["fields"][0]["code"], "date_invalid", "{}", bad_day.body);

    // A heavier range from 2 March does not reach the act of 1 March.
    let heavier = app.json(Method::PUT, path, &legal, change(1, "50000", "2026-03-02")).await;
    assert_eq!(heavier.status, StatusCode::OK, "{}", heavier.body);
    let (status, json) = s.step(&squad, propose(2_500_000)).await;
    assert_eq!(
        (status, json["error"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("fine_outside_statutory_range"))
    );
    let message = json["message"].as_str().unwrap();
    assert!(message.contains("20000.00") && message.contains("违法行为发生时"), "{message}");
    // The case page shows the bands of the version whose range applies: the first one's.
    let page = case_page().await.body;
    assert!(
        page.contains("一般（经劝导后改正）：0.01–200.00 元") && !page.contains("50000元档"),
        "the act-time version's bands"
    );

    // A lighter one does, from the day it is in force (从轻).
    let lighter = app.json(Method::PUT, path, &legal, change(2, "10000", "")).await;
    assert_eq!(lighter.status, StatusCode::OK, "{}", lighter.body);
    let (_, json) = s.step(&squad, propose(1_500_000)).await;
    let message = json["message"].as_str().unwrap();
    assert!(message.contains("10000.00") && message.contains("从轻适用"), "{message}");
    let page = case_page().await.body;
    assert!(
        page.contains("10000元档（修订后）：0.01–10000.00 元") && !page.contains("经劝导后改正"),
        "the lighter version's bands come with its range"
    );

    // The history lists every version with the day it applies from, latest first.
    let ranges = app.get_bearer(&format!("{path}/ranges"), &squad).await.json();
    let days: Vec<&serde_json::Value> =
        ranges.as_array().unwrap().iter().map(|r| &r["effective_from"]).collect();
    assert_eq!(
        days,
        [&serde_json::json!("2026-03-02"), &serde_json::json!("2026-03-02"), &serde_json::Value::Null]
    );
    assert_eq!(ranges[0]["person"], serde_json::json!([1, 1_000_000]));
    assert_eq!(ranges[0]["bands"][0]["level"], "10000元档");
    assert_eq!(ranges[1]["bands"][0]["person"], serde_json::json!([1, 5_000_000]));
    assert_eq!(ranges[2]["bands"][1]["condition"], "经劝导后改正", "migration 0017 kept the first bands");
    let legal_session = app.login("legal01").await;
    let page = app.get("/responsibility-list/ZL-ZD-001/edit", Some(&legal_session)).await;
    assert!(
        page.body.contains("罚款幅度与裁量基准沿革")
            && page.body.contains("最初录入")
            && page.body.contains("50000元档（修订后）：公民 0.01–50000.00 元，单位 0.01–50000.00 元"),
        "the edit page shows the history with each version's bands"
    );

    // A version saved before bands were kept per version has none on record: the page says so
    // rather than show another version's.
    app.raw("UPDATE item_ranges SET bands = NULL WHERE code = 'ZL-ZD-001' AND version = 3").await;
    let page = case_page().await.body;
    assert!(page.contains("裁量基准未记录") && !page.contains("元档"), "no bands guessed");
    let page = app.get("/responsibility-list/ZL-ZD-001/edit", Some(&legal_session)).await;
    assert!(page.body.contains("未记录（早于按版本保存裁量基准）"));
    // The decision is held to the lighter range whatever bands are on record.
    s.ok(&squad, propose(800_000)).await;
}

/// Every kind of reader gets a list whose count agrees with its pages, and sees the cases its
/// scope gives it: its unit's, its subtree's, all, or those it is on.
#[tokio::test]
async fn each_reader_counts_exactly_the_cases_it_lists() {
    use chengguan::store::cases::CaseFilter;
    use chengguan::store::org::Visibility;
    let app = TestApp::new().await;
    for (lead, number, count) in
        [("squadlead01", "11010519491231002X", 3), ("squadlead02", "110105198001010016", 2)]
    {
        let token = app.token(lead).await;
        let party = new_party(&app, &token, number).await;
        for _ in 0..count {
            let open = serde_json::json!({
                "procedure": "general", "party_id": &party, "category": "street_vending",
                "item_code": "ZL-ZD-001", "title": "占道经营", "location": "南大街", "source": "patrol",
                "clue_on": "2026-03-02", "act_on": "2026-03-01",
            });
            let created = app.json(Method::POST, "/api/v1/cases", &token, open).await;
            assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        }
    }
    let list = |visibility: Visibility| {
        let db = app.db.clone();
        async move {
            let filter = CaseFilter { page: 1, page_size: 200, ..Default::default() };
            let (items, total) = db.cases(&visibility, &filter).await.unwrap();
            assert_eq!(total, items.len() as i64, "{visibility:?}");
            items
        }
    };
    let all = list(Visibility::All).await;
    assert_eq!(all.len(), 5);
    let mut units: Vec<String> = all.iter().map(|c| c.unit_id.clone()).collect();
    units.sort();
    units.dedup();
    assert_eq!(units.len(), 2, "two squads' cases");
    let in_unit = |unit: &String| all.iter().filter(|c| &c.unit_id == unit).count();
    for unit in &units {
        assert_eq!(list(Visibility::Unit(unit.clone())).await.len(), in_unit(unit));
        assert_eq!(list(Visibility::Subtree(unit.clone())).await.len(), in_unit(unit));
    }
    // A squad's reader asking for the other squad's cases gets none; for its own, all of them.
    for (scope, asked, want) in [(&units[0], &units[1], 0), (&units[0], &units[0], in_unit(&units[0]))] {
        for visibility in [Visibility::Unit(scope.clone()), Visibility::Subtree(scope.clone())] {
            let filter = CaseFilter { unit_id: asked.clone(), page: 1, page_size: 200, ..Default::default() };
            let (items, total) = app.db.cases(&visibility, &filter).await.unwrap();
            assert_eq!((items.len(), total), (want, want as i64), "{visibility:?} asking for {asked}");
        }
    }
    // The bureau above both squads sees all five through its subtree.
    let parent = app.db.units().await.unwrap().into_iter().find(|u| u.parent_id.is_none()).unwrap().id;
    assert_eq!(list(Visibility::Subtree(parent.clone())).await.len(), 5);
    assert_eq!(list(Visibility::Unit(parent)).await.len(), 0);
    // A person sees the cases they are on (put on two of them here), whichever squad's.
    let person = app
        .db
        .account_by_username("officer01")
        .await
        .unwrap()
        .unwrap()
        .person_id
        .expect("officer01's person");
    assert!(list(Visibility::Person(person.clone())).await.is_empty());
    let (first, last) = (&all[0].id, &all[4].id);
    app.raw(&format!(
        "INSERT INTO case_officers (case_id, person_id) VALUES ('{first}', '{person}'), ('{last}', '{person}')"
    ))
    .await;
    let mine: Vec<String> = list(Visibility::Person(person)).await.into_iter().map(|c| c.id).collect();
    assert_eq!(mine, vec![first.clone(), last.clone()]);
    assert!(list(Visibility::Nothing).await.is_empty());
}

/// Issue 19, defect 5: a second seizure on one case is stored (each seizure its own term
/// clock), on both backends, and the overdue job raises one warning per clock and day.
#[tokio::test]
async fn two_seizures_on_one_case_each_keep_their_own_clock() {
    let app = TestApp::new().await;
    let squad = app.token("squadlead01").await;
    let leader = app.token("leader01").await;
    let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let officers = two_certified(&app, "南大街中队", day).await;
    let party = new_party(&app, &squad, "11010519491231002X").await;
    let mut s = filed_vending_case(&app, &squad, &leader, &party, &officers).await;
    let id = s.id.clone();
    for (on, item) in
        [("2026-03-02", "三轮车一辆"), ("2026-03-05", "遮阳伞两把"), ("2026-03-05", "折叠桌一张")]
    {
        let day = NaiveDate::parse_from_str(on, "%Y-%m-%d").unwrap();
        app.clock.set(
            chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 3, chrono::Datelike::day(&day), 1, 0, 0)
                .unwrap(),
        );
        s.clear(&leader, "seizure", on).await;
        s.ok(
            &leader,
            serde_json::json!({"action": "seize", "on": on, "officers": officers,
                "items": [item], "reason": "涉案经营工具", "emergency": false}),
        )
        .await;
    }
    let case = app.get_bearer(&format!("/api/v1/cases/{id}"), &squad).await.json();
    let mut dues: Vec<String> = case["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "seizure_term")
        .map(|c| c["due"].as_str().unwrap().to_owned())
        .collect();
    dues.sort();
    assert_eq!(dues, ["2026-04-01", "2026-04-07", "2026-04-07"]);
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM case_clocks WHERE case_id = '{id}' AND kind = 'seizure_term'"
        ))
        .await,
        3
    );
    // Overdue in May: one warning for each term and day, the two of 5 March sharing theirs.
    app.clock.set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 5, 6, 1, 0, 0).unwrap());
    let raised = chengguan::app::deadline_job_tick(&app.state, "test").await.unwrap();
    assert!(raised.is_some_and(|n| n >= 2), "{raised:?}");
}

/// Issue 19, defect 15: a clock that ran into a year without an arrangement is stored as
/// provisional; entering that year recomputes it in the same transaction (audited as a system
/// action), so the lists never show the stale date. Both backends.
#[tokio::test]
async fn entering_next_years_arrangement_recomputes_the_stored_clocks_it_moves() {
    let app = TestApp::new().await;
    app.clock.set(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 12, 28, 1, 0, 0).unwrap());
    let squad = app.token("squadlead01").await;
    let party = new_party(&app, &squad, "11010519491231002X").await;
    let open = serde_json::json!({
        "procedure": "general", "party_id": party, "category": "outdoor_ads", "item_code": "ZL-GG-001",
        "title": "擅自设置户外广告", "location": "南大街88号", "source": "patrol",
        "clue_on": "2026-12-28", "act_on": "2026-12-27",
    });
    let opened = app.json(Method::POST, "/api/v1/cases", &squad, open).await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
    let id = opened.json()["id"].as_str().unwrap().to_owned();
    let provisional = format!("SELECT COUNT(*) FROM case_clocks WHERE case_id = '{id}' AND provisional");
    assert!(app.count(&provisional).await >= 1, "the lead check runs into 2027, not yet loaded");

    let admin = app.token("sysadmin").await;
    let body = serde_json::json!({
        "notice": "国务院办公厅关于2027年部分节假日安排的通知（测试）",
        "days": [{ "date": "2027-01-01", "kind": "rest", "festival": "元旦" }]
    });
    let saved = app.json(Method::PUT, "/api/v1/calendar/years/2027", &admin, body).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(app.count(&provisional).await, 0);
    // The lead check: 15 days from Mon 28 December 2026 is Tue 12 January 2027.
    let known = format!(
        "SELECT COUNT(*) FROM case_clocks WHERE case_id = '{id}' AND kind = 'lead_check' AND due_on = '2027-01-12'"
    );
    assert_eq!(app.count(&known).await, 1);
    assert_eq!(app.audit_count("case.clocks_recomputed").await, 1);
}

/// Issue 19 (plan §三（二）3): the category's 办结时限 is a clock of the case, marked as the
/// bureau's own limit, warned about like the statutory ones.
#[tokio::test]
async fn the_categorys_handling_limit_is_a_clock_of_the_bureaus_own() {
    let app = TestApp::new().await;
    let squad = app.token("squadlead01").await;
    let leader = app.token("leader01").await;
    let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let officers = two_certified(&app, "南大街中队", day).await;
    let party = new_party(&app, &squad, "11010519491231002X").await;
    let s = filed_vending_case(&app, &squad, &leader, &party, &officers).await;
    // 占道经营: 15 days in the demo's categories.
    let days = app
        .count("SELECT CAST(handling_days AS BIGINT) FROM case_categories WHERE code = 'street_vending'")
        .await;
    assert_eq!(days, 15);
    let case = app.get_bearer(&format!("/api/v1/cases/{}", s.id), &squad).await.json();
    let clock = case["clocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "handling")
        .expect("the handling clock")
        .clone();
    // Filed Mon 2 March: fifteen days later is Tue 17 March, a working day.
    assert_eq!(
        (clock["start"].as_str(), clock["due"].as_str()),
        (Some("2026-03-02"), Some("2026-03-17")),
        "{clock}"
    );
    assert!(clock.to_string().contains("本局"), "marked as the bureau's own limit: {clock}");
    assert_eq!(
        app.count(&format!(
            "SELECT COUNT(*) FROM case_clocks WHERE case_id = '{}' AND kind = 'handling' AND duty",
            s.id
        ))
        .await,
        1
    );
}

#[tokio::test]
async fn a_reviewer_who_first_reviewed_after_the_revised_law_needs_a_legal_qualification() {
    // 行政处罚法 Art. 58 ¶2, recorded on the person by the office and enforced by the engine.
    let app = TestApp::new().await;
    let (squad, leader, office) =
        (app.token("squadlead01").await, app.token("leader01").await, app.token("office01").await);
    let legal02 = app.token("legal02").await;
    // The demo records three of its legal staff.
    let audited = app.audit_count("person.legal_qualification").await;
    let person =
        app.get_bearer("/api/v1/me", &legal02).await.json()["person_id"].as_str().unwrap().to_owned();
    let version =
        app.get_bearer(&format!("/api/v1/people/{person}"), &office).await.json()["version"].clone();
    let record = |since: &str, certificate: &str, version: serde_json::Value| serde_json::json!({"since": since, "certificate": certificate, "version": version});
    let path = format!("/api/v1/people/{person}/legal-qualification");
    let future = app.json(Method::PUT, &path, &office, record("2026-03-03", "", version.clone())).await;
    assert_eq!(future.json()["fields"][0]["code"], "in_future", "{}", future.body);
    let recorded = app.json(Method::PUT, &path, &office, record("2023-01-01", "", version.clone())).await;
    assert_eq!(recorded.status, StatusCode::OK, "{}", recorded.body);
    assert_eq!(recorded.json()["qualified"], false);
    let stale = app.json(Method::PUT, &path, &office, record("2023-01-01", "A1", version)).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(
        app.audit_count("person.legal_qualification").await,
        audited + 1,
        "one recorded, none refused"
    );

    let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let officers = two_certified(&app, "南大街中队", day).await;
    let party = new_party(&app, &squad, "11010519491231002X").await;
    let mut s = filed_vending_case(&app, &squad, &leader, &party, &officers).await;
    s.ok(
        &squad,
        serde_json::json!({"action": "record_act", "kind": "inspection", "on": "2026-03-02",
        "officers": officers, "summary": "现场检查"}),
    )
    .await;
    s.ok(
        &squad,
        serde_json::json!({"action": "propose", "penalty": {"kinds": ["fine"], "fine_fen": 600_000,
        "confiscation_fen": 0}, "complex": false, "public_interest": false}),
    )
    .await;
    let review = serde_json::json!({"action": "review", "on": "2026-03-02", "checklist": [true, true, true, true, true, true, true, true],
        "opinion": "事实清楚，证据确凿"});
    s.refused(&legal02, review.clone(), "reviewer_unqualified").await;
    // Recording the certificate qualifies the same person; the head of section, reviewing since
    // before 2021-07-15, was qualified all along.
    let version =
        app.get_bearer(&format!("/api/v1/people/{person}"), &office).await.json()["version"].clone();
    let qualified = app.json(Method::PUT, &path, &office, record("2023-01-01", "A20230101", version)).await;
    assert_eq!(qualified.json()["qualified"], true, "{}", qualified.body);
    s.ok(&legal02, review).await;
    let page = app.get_bearer(&format!("/people/{person}"), &office).await;
    assert!(page.body.contains("法制审核资格") && page.body.contains("A20230101"), "{}", page.body);
}

/// Issue 19: the simulator as a page for the legal reviewer; the example of the plan's
/// clearance runs as `docs/simulator.md` says, and nothing is written.
#[tokio::test]
async fn the_legal_office_tries_a_scenario_on_the_simulator_page() {
    let app = TestApp::new().await;
    let legal = app.login("legal01").await;
    let officer = app.login("officer01").await;
    assert_eq!(app.get("/simulator", Some(&officer)).await.status, StatusCode::FORBIDDEN);
    let page = app.get("/simulator?example=compulsory-clearance", Some(&legal)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("discuss_compulsory"), "the example is in the box");
    let before = (app.count("SELECT COUNT(*) FROM cases").await, app.db.audit_head().await.unwrap().0);
    let script = include_str!("../../docs/examples/compulsory-clearance.json");
    let ran = app.post_form("/simulator", Some(&legal), &[("script", script)]).await;
    assert_eq!(ran.status, StatusCode::OK, "{}", ran.body);
    let lines = chengguan::simulate::run(&app.db, script).await.unwrap();
    let results: Vec<(String, String)> = lines
        .iter()
        .filter(|l| l.get("step").is_some())
        .map(|l| (l["result"].as_str().unwrap().to_owned(), l["code"].as_str().unwrap_or("").to_owned()))
        .collect();
    let expected = [
        ("accepted", ""),
        ("accepted", ""),
        ("refused", "compulsory_discussion_required"),
        ("accepted", ""),
        ("refused", "attendee_not_leader"),
        ("accepted", ""),
        ("accepted", ""),
        ("refused", "compulsory_discussion_required"),
    ];
    assert_eq!(results, expected.iter().map(|(r, c)| ((*r).to_owned(), (*c).to_owned())).collect::<Vec<_>>());
    // The page shows the same: refusals with their codes, the rule they cite, the clocks.
    for must in [
        "compulsory_discussion_required",
        "attendee_not_leader",
        "本局规范化管理实施方案三（二）3",
        "查封扣押期限",
    ] {
        assert!(ran.body.contains(must), "the result lacks {must}");
    }
    assert_eq!(
        (app.count("SELECT COUNT(*) FROM cases").await, app.db.audit_head().await.unwrap().0),
        before,
        "the simulator writes nothing"
    );
    // A script that is not of the simulator's form is named, not run.
    let bad = app.post_form("/simulator", Some(&legal), &[("script", "{\"steps\": 3}")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("脚本格式有误"), "{}", bad.body);
}

/// Issue 19: the register says who the 负责人 are, through the API as through the form; an
/// auxiliary cannot be one.
#[tokio::test]
async fn the_register_marks_the_bureaus_heads() {
    let app = TestApp::new().await;
    let office = app.token("office01").await;
    let unit = app.unit_id("法制科").await;
    let body = |employment: &str| {
        serde_json::json!({"name": "钱副局长", "gender": "male", "unit_id": unit, "employment": employment,
            "agency_leader": true})
    };
    let refused = app.json(Method::POST, "/api/v1/people", &office, body("auxiliary")).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json()["fields"][0]["code"], "auxiliary_not_leader", "{}", refused.body);
    let created = app.json(Method::POST, "/api/v1/people", &office, body("officer")).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let person = app.get_bearer(&format!("/api/v1/people/{id}"), &office).await.json();
    assert_eq!(person["agency_leader"], true);
    assert!(
        app.heads().await.len() == 3
            && app.db.agency_leaders().await.unwrap().iter().any(|(p, _, _)| *p == id)
    );
    let details: serde_json::Value =
        serde_json::from_str(&app.latest_audit("person.create").await.content.details).unwrap();
    assert_eq!(details["agency_leader"], true);
}
