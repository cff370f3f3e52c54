//! Official documents: statutory contents checked before a number is taken, gapless numbers,
//! immutable storage, the rendered text as a snapshot, and audited downloads.

use axum::http::{Method, StatusCode};
use chrono::{Duration, NaiveDate};

use crate::cases::{filed_vending_case, new_party, two_certified};
use crate::support::TestApp;

/// Compares with the stored snapshot; `UPDATE_SNAPSHOTS=1` rewrites it.
fn snapshot(name: &str, text: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots").join(name);
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        text,
        expected,
        "rendered text differs from {} (UPDATE_SNAPSHOTS=1 to accept)",
        path.display()
    );
}

async fn issue(app: &TestApp, token: &str, case_id: &str, kind: &str) -> crate::support::Response {
    app.json(
        Method::POST,
        &format!("/api/v1/cases/{case_id}/documents"),
        token,
        serde_json::json!({ "kind": kind }),
    )
    .await
}

#[tokio::test]
async fn a_decision_is_issued_only_with_its_statutory_contents_and_never_changes() {
    let app = TestApp::new().await;
    let squad = app.token("squadlead01").await;
    let leader = app.token("leader01").await;
    let officers = two_certified(&app, "南大街中队", NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()).await;
    let party = new_party(&app, &squad, "11010519491231002X").await;
    let mut s = filed_vending_case(&app, &squad, &leader, &party, &officers).await;
    let id = s.id.clone();
    s.ok(&squad, serde_json::json!({"action": "record_act", "kind": "inspection", "on": "2026-03-02", "officers": officers,
        "summary": "现场检查"}))
        .await;
    s.ok(&squad, serde_json::json!({"action": "propose", "penalty": {"kinds": ["fine"], "fine_fen": 30_000, "confiscation_fen": 0},
        "complex": false, "public_interest": false,
        "findings": {"facts": "当事人于2026年3月1日在南大街88号人行道上擅自设摊经营水果，占用城市道路约6平方米。",
                     "evidence": "1.《现场检查（勘验）笔录》一份；2.现场照片六张；3.当事人身份证明材料一份。",
                     "discretion": "鉴于当事人经劝导后改正，依据本局裁量基准“一般”档处罚。"}}))
        .await;
    s.ok(&squad, serde_json::json!({"action": "notify", "on": "2026-03-02"})).await;
    let notice = issue(&app, &squad, &id, "advance_notice").await;
    // The party has no address on file: Art. 59 (and the notice) need one.
    assert_eq!(notice.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", notice.body);
    assert_eq!(notice.json()["error"], "document_incomplete");
    assert!(notice.json()["message"].as_str().unwrap().contains("当事人地址"));
    app.raw(&format!("UPDATE parties SET address = '常州市钟楼区南大街88号' WHERE id = '{party}'")).await;

    let notice = issue(&app, &squad, &id, "advance_notice").await;
    assert_eq!(notice.status, StatusCode::CREATED, "{}", notice.body);
    // The refused attempt took no number.
    assert_eq!(notice.json()["number"], "钟城管罚告字〔2026〕第1号");

    app.clock.set(app.clock_now() + Duration::days(5));
    s.ok(
        &leader,
        serde_json::json!({"action": "decide", "on": "2026-03-06", "outcome": "penalty",
        "penalty": {"kinds": ["fine"], "fine_fen": 30_000, "confiscation_fen": 0}, "note": ""}),
    )
    .await;
    let issued = issue(&app, &squad, &id, "penalty_decision").await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    assert_eq!(issued.json()["number"], "钟城管罚决字〔2026〕第1号");
    let doc_id = issued.json()["id"].as_str().unwrap().to_owned();

    let pdf = app.get_bearer(&format!("/api/v1/documents/{doc_id}/pdf"), &squad).await;
    assert_eq!(pdf.status, StatusCode::OK);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert!(pdf.body.starts_with("%PDF-"));
    assert_eq!(app.audit_count("document.download").await, 1);
    let (info, bytes, text) = app.db.document(&doc_id).await.unwrap().unwrap();
    assert_eq!(info.sha256, chengguan::store::documents::digest(&bytes));
    assert_eq!(pdf.headers["x-content-sha256"], info.sha256.as_str());
    snapshot("penalty_decision.txt", &text);
    // The issued PDF names the party's full identity number: a squad leader (who may reveal
    // it) downloads it as a reveal; the office (which may not) gets a masked copy.
    assert_eq!(app.audit_count("party.reveal").await, 1);
    let office = app.token("office01").await;
    let copy = app.get_bearer(&format!("/api/v1/documents/{doc_id}/pdf"), &office).await;
    assert_eq!(copy.status, StatusCode::OK);
    assert_eq!(copy.headers["x-copy"], "masked");
    assert_eq!(copy.headers["x-issued-sha256"], info.sha256.as_str());
    assert_ne!(copy.headers["x-content-sha256"], info.sha256.as_str());
    assert!(copy.body.starts_with("%PDF-"));
    assert_eq!(app.audit_count("party.reveal").await, 1, "a masked copy reveals nothing");
    assert_eq!(app.audit_count("document.download").await, 2);
    if let Ok(path) = std::env::var("DUMP_PDF") {
        std::fs::write(path, &bytes).unwrap();
    }
    for must in [
        "行政处罚决定书",
        "罚款人民币300元（大写：叁佰元整）",
        "常州市钟楼区人民政府",
        "六十日",
        "十五日内",
        "第七十二条",
    ] {
        assert!(text.contains(must), "the decision lacks {must}:\n{text}");
    }

    // The decision is issued once; the row can be neither changed nor deleted.
    let again = issue(&app, &squad, &id, "penalty_decision").await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert_eq!(again.json()["error"], "duplicate");
    for sql in [
        format!("UPDATE documents SET number = 'x' WHERE id = '{doc_id}'"),
        format!("DELETE FROM documents WHERE id = '{doc_id}'"),
    ] {
        assert!(app.try_raw(&sql).await.is_err(), "{sql} must be refused");
    }
    // Another squad cannot fetch it.
    let other = app.token("officer05").await;
    assert_eq!(
        app.get_bearer(&format!("/api/v1/documents/{doc_id}/pdf"), &other).await.status,
        StatusCode::NOT_FOUND
    );
}

/// The text without the typesetter's line breaks, for phrases that wrap.
fn flat(text: &str) -> String {
    text.replace('\n', "")
}

/// Issues a per-subject or whole-case document and returns its rendered text.
async fn issued_text(app: &TestApp, token: &str, case_id: &str, kind: &str, subject: &str) -> String {
    let issued = app
        .json(
            Method::POST,
            &format!("/api/v1/cases/{case_id}/documents"),
            token,
            serde_json::json!({ "kind": kind, "subject": subject }),
        )
        .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{kind}: {}", issued.body);
    let id = issued.json()["id"].as_str().unwrap().to_owned();
    app.db.document(&id).await.unwrap().unwrap().2
}

#[tokio::test]
async fn every_record_notice_and_measure_document_states_what_its_article_requires() {
    let app = TestApp::new().await;
    let squad = app.token("squadlead01").await;
    let leader = app.token("leader01").await;
    let legal = app.token("legal01").await;
    let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    let officers = two_certified(&app, "南大街中队", day).await;
    let presider = two_certified(&app, "荷花池中队", day).await.remove(0);
    let party = new_party(&app, &squad, "11010519491231002X").await;
    let address = serde_json::json!({"version": 1, "name": "王摊主", "address": "常州市钟楼区南大街88号"});
    let corrected = app.json(Method::PUT, &format!("/api/v1/parties/{party}"), &squad, address).await;
    assert_eq!(corrected.status, StatusCode::OK, "{}", corrected.body);
    let mut s = filed_vending_case(&app, &squad, &leader, &party, &officers).await;
    let id = s.id.clone();
    // Not yet: no inspection recorded.
    let early = issue(&app, &squad, &id, "inspection_record").await;
    assert_eq!(early.json()["error"], "document_not_available", "{}", early.body);
    for (kind, summary) in
        [("inspection", "人行道上设摊经营水果，占道约6平方米"), ("interview", "问：摊位是谁的？答：是我的。")]
    {
        s.ok(
            &squad,
            serde_json::json!({"action": "record_act", "kind": kind, "on": "2026-03-02",
            "officers": officers, "summary": summary}),
        )
        .await;
    }
    s.ok(
        &squad,
        serde_json::json!({"action": "order_correction", "on": "2026-03-02", "deadline": "2026-03-06",
        "requirement": "停止占道经营，清除占道物品", "officers": officers}),
    )
    .await;
    s.clear(&leader, "seizure", "2026-03-02").await;
    s.ok(&leader, serde_json::json!({"action": "seize", "on": "2026-03-02", "officers": officers,
        "items": ["三轮车一辆（蓝色）", "水果约50公斤"], "reason": "当事人拒不停止占道经营，扣押涉案经营工具", "emergency": false}))
        .await;
    s.ok(&squad, serde_json::json!({"action": "propose", "penalty": {"kinds": ["fine"], "fine_fen": 600_000, "confiscation_fen": 0},
        "complex": false, "public_interest": false,
        "findings": {"facts": "当事人于2026年3月1日在南大街88号人行道上擅自设摊经营水果。", "evidence": "现场检查笔录一份", "discretion": ""}}))
        .await;
    s.ok(&legal, serde_json::json!({"action": "review", "on": "2026-03-02", "checklist": [true, true, true, true, true, true, true, true],
        "opinion": "事实清楚，证据确凿，程序合法"}))
        .await;
    s.ok(
        &leader,
        serde_json::json!({"action": "discuss", "on": "2026-03-02", "attendees": app.heads().await,
        "conclusion": "同意罚款六千元"}),
    )
    .await;
    s.ok(&squad, serde_json::json!({"action": "notify", "on": "2026-03-02"})).await;
    app.clock.set(app.clock_now() + Duration::days(1));
    s.ok(
        &squad,
        serde_json::json!({"action": "statement", "on": "2026-03-03", "summary": "家庭困难，请求从轻处罚"}),
    )
    .await;
    s.ok(&squad, serde_json::json!({"action": "request_hearing", "on": "2026-03-03"})).await;
    let hearing = |place: &str| {
        serde_json::json!({"action": "schedule_hearing", "notice_on": "2026-03-03", "hearing_on": "2026-03-13",
            "presider": presider, "place": place})
    };
    s.refused(&squad, hearing(""), "place_required").await;
    s.ok(&squad, hearing("区城管执法局三楼听证室")).await;

    let text = issued_text(&app, &squad, &id, "inspection_record", "").await;
    snapshot("inspection_record.txt", &text);
    assert!(flat(&text).contains("占道约6平方米") && flat(&text).contains("执法证号"), "{text}");
    let text = issued_text(&app, &squad, &id, "interview_record", "act-1").await;
    assert!(flat(&text).contains("是我的") && flat(&text).contains("回避"), "{text}");
    let text = issued_text(&app, &squad, &id, "correction_notice", "").await;
    snapshot("correction_notice.txt", &text);
    assert!(flat(&text).contains("2026年3月6日前") && flat(&text).contains("第二十八条"), "{text}");
    let text = issued_text(&app, &squad, &id, "seizure_decision", "").await;
    snapshot("seizure_decision.txt", &text);
    // Issue 19, defect 12: the term the decision states ends the day its clock is due (the
    // day of seizure not counted: 2 March + 30 days = 1 April).
    for must in ["三轮车一辆（蓝色）", "三十日", "2026年4月1日", "一式二份", "行政复议", "涉案经营工具"]
    {
        assert!(flat(&text).contains(must), "the 查封（扣押）决定书 lacks {must}:\n{text}");
    }
    let text = issued_text(&app, &squad, &id, "legal_review_opinion", "").await;
    assert!(flat(&text).contains("裁量基准运用适当") && flat(&text).contains("通过"), "{text}");
    let text = issued_text(&app, &squad, &id, "discussion_minutes", "").await;
    // The minutes name the heads from the register, by name.
    let heads = app.db.agency_leaders().await.unwrap();
    let names = heads.iter().map(|(_, name, _)| name.as_str()).collect::<Vec<_>>().join("、");
    assert!(flat(&text).contains(&names) && flat(&text).contains("同意罚款六千元"), "{text}");
    let text = issued_text(&app, &squad, &id, "statement_record", "").await;
    assert!(
        flat(&text).contains("家庭困难") && flat(&text).contains("不因当事人陈述、申辩而给予更重的处罚"),
        "{text}"
    );
    let text = issued_text(&app, &squad, &id, "hearing_notice", "").await;
    snapshot("hearing_notice.txt", &text);
    assert!(
        flat(&text).contains("2026年3月13日")
            && flat(&text).contains("三楼听证室")
            && flat(&text).contains("委托一至二人"),
        "{text}"
    );
    // A per-subject document is issued once per item; the case page offers only those without one.
    let listed = app.get_bearer(&format!("/api/v1/cases/{id}/documents"), &squad).await.json();
    let subjects: Vec<&str> =
        listed.as_array().unwrap().iter().map(|d| d["subject"].as_str().unwrap()).collect();
    assert!(subjects.contains(&"act-0") && subjects.contains(&"act-1") && subjects.contains(&"seizure-0"));

    // The order ignored: 代履行 with its decision and 催告书.
    app.clock.set(app.clock_now() + Duration::days(6));
    s.ok(
        &squad,
        serde_json::json!({"action": "reinspect", "on": "2026-03-09", "officers": officers,
        "corrected": false, "summary": "仍在原地经营，物品未清除"}),
    )
    .await;
    s.clear(&leader, "substitute", "2026-03-09").await;
    s.ok(
        &leader,
        serde_json::json!({"action": "decide_substitute", "on": "2026-03-09", "ground": "traffic",
        "reason": "占道物品阻碍行人通行，危及交通安全", "obligation": "清除人行道上的摊位设施",
        "performer": "钟楼区环卫服务中心", "budget_fen": 80_000, "planned_on": "2026-03-16"}),
    )
    .await;
    s.ok(&squad, serde_json::json!({"action": "urge_substitute", "on": "2026-03-09"})).await;
    let text = issued_text(&app, &squad, &id, "substitute_decision", "").await;
    snapshot("substitute_decision.txt", &text);
    for must in ["清除人行道上的摊位设施", "钟楼区环卫服务中心", "捌佰元整", "2026年3月16日", "到场监督"]
    {
        assert!(flat(&text).contains(must), "the 代履行决定书 lacks {must}:\n{text}");
    }
    let text = issued_text(&app, &squad, &id, "urge_notice", "substitute").await;
    snapshot("urge_notice.txt", &text);
    assert!(flat(&text).contains("三个工作日后") && flat(&text).contains("陈述和申辩"), "{text}");
    let again = issue(&app, &squad, &id, "urge_notice").await;
    assert_eq!(again.status, StatusCode::CREATED, "a corrected 催告书 is a new document: {}", again.body);
}

#[tokio::test]
async fn a_forced_demolition_is_decided_in_writing_served_and_only_then_carried_out() {
    let app = TestApp::new().await;
    let squad = app.token("squadlead01").await;
    let leader = app.token("leader01").await;
    let legal = app.token("legal01").await;
    let officers = two_certified(&app, "南大街中队", NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()).await;
    let party = new_party(&app, &squad, "11010519491231002X").await;
    let address = serde_json::json!({"version": 1, "name": "王业主", "address": "常州市钟楼区南大街88号"});
    let corrected = app.json(Method::PUT, &format!("/api/v1/parties/{party}"), &squad, address).await;
    assert_eq!(corrected.status, StatusCode::OK, "{}", corrected.body);
    let mut s = filed_vending_case(&app, &squad, &leader, &party, &officers).await;
    let id = s.id.clone();
    let demolition = serde_json::json!({"kinds": ["demolition"], "fine_fen": 0, "confiscation_fen": 0});
    s.ok(
        &squad,
        serde_json::json!({"action": "record_act", "kind": "inspection", "on": "2026-03-02",
        "officers": officers, "summary": "屋顶搭建彩钢板房约30平方米"}),
    )
    .await;
    s.ok(&squad, serde_json::json!({"action": "propose", "penalty": demolition, "complex": false, "public_interest": false,
        "findings": {"facts": "当事人未取得建设工程规划许可证，在屋顶搭建彩钢板房约30平方米。", "evidence": "现场检查笔录", "discretion": ""}}))
        .await;
    s.ok(&legal, serde_json::json!({"action": "review", "on": "2026-03-02", "checklist": [true, true, true, true, true, true, true, true], "opinion": "同意"})).await;
    s.ok(
        &leader,
        serde_json::json!({"action": "discuss", "on": "2026-03-02", "attendees": app.heads().await,
        "conclusion": "同意限期拆除"}),
    )
    .await;
    s.ok(&squad, serde_json::json!({"action": "notify", "on": "2026-03-02"})).await;
    s.ok(&squad, serde_json::json!({"action": "waive", "on": "2026-03-02"})).await;
    s.ok(&leader, serde_json::json!({"action": "decide", "on": "2026-03-02", "outcome": "penalty", "penalty": demolition, "note": ""}))
        .await;
    s.ok(&squad, serde_json::json!({"action": "serve", "on": "2026-03-02", "method": "直接送达"})).await;
    s.ok(
        &squad,
        serde_json::json!({"action": "announce_demolition", "on": "2026-03-02", "deadline": "2026-04-02"}),
    )
    .await;
    // Months pass: API tokens expire, so each phase signs in afresh.
    app.clock.set(app.clock_now() + Duration::days(60));
    let squad = app.token("squadlead01").await;
    s.ok(
        &squad,
        serde_json::json!({"action": "urge_demolition", "on": "2026-05-01", "deadline": "2026-05-11"}),
    )
    .await;
    // Past both appeal windows (served 2 March: suit until 2 September), on a Monday.
    app.clock.set(app.clock_now() + Duration::days(185));
    let (squad, leader) = (app.token("squadlead01").await, app.token("leader01").await);
    let demolish =
        serde_json::json!({"action": "demolish", "on": "2026-11-02", "start_hour": 9, "officers": officers});
    s.refused(&leader, demolish.clone(), "enforcement_decision_required").await;
    let decide = |manner: &str| serde_json::json!({"action": "decide_enforcement", "on": "2026-11-02", "manner": manner, "execute_on": "2026-11-02"});
    s.refused(&leader, decide(" "), "manner_required").await;
    let fine_manner = "组织人员、机械拆除屋顶彩钢板房，拆除物料清点后交当事人";
    s.refused(&leader, decide(fine_manner), "compulsory_discussion_required").await;
    s.clear(&leader, "enforcement", "2026-11-02").await;
    s.ok(&leader, decide(fine_manner)).await;
    s.refused(&leader, demolish.clone(), "enforcement_decision_unserved").await;
    let text = issued_text(&app, &squad, &id, "enforcement_decision", "").await;
    snapshot("enforcement_decision.txt", &text);
    for must in ["第三十七条", "机械拆除屋顶彩钢板房", "2026年11月2日", "2026年5月11日", "行政复议", "夜间"]
    {
        assert!(flat(&text).contains(must), "the 强制执行决定书 lacks {must}:\n{text}");
    }
    s.ok(
        &squad,
        serde_json::json!({"action": "serve_enforcement", "on": "2026-11-02", "method": "直接送达"}),
    )
    .await;
    s.ok(&leader, demolish).await;
    let case = app.get_bearer(&format!("/api/v1/cases/{id}"), &squad).await.json();
    assert_eq!(case["state"]["demolition"]["enforced_on"], "2026-11-02");
    assert_eq!(case["state"]["demolition"]["decision_served_on"], "2026-11-02");
}
