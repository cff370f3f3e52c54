//! Official documents: statutory contents checked before a number is taken, gapless numbers,
//! immutable storage, the rendered text as a snapshot, and audited downloads.

use axum::http::{Method, StatusCode};
use chrono::{Duration, NaiveDate};

use crate::cases::{Steps, new_party, two_certified};
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
    let open = serde_json::json!({
        "procedure": "general", "party_id": party, "category": "street_vending", "item_code": "ZL-ZD-001",
        "title": "擅自占用城市道路设摊经营", "location": "南大街88号", "source": "patrol",
        "clue_on": "2026-03-02", "act_on": "2026-03-01",
    });
    let created = app.json(Method::POST, "/api/v1/cases", &squad, open).await;
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let mut s = Steps { app: &app, id: id.clone(), version: 1 };
    s.ok(&leader, serde_json::json!({"action": "file", "on": "2026-03-02", "officers": officers})).await;
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
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", again.body);
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
