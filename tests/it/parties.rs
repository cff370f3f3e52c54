//! The party registry: one file per document, validated numbers, masking, audited reveal.

use axum::http::{Method, StatusCode};

use crate::support::TestApp;

#[tokio::test]
async fn a_person_is_registered_once_per_document_with_the_number_masked() {
    let app = TestApp::new().await;
    let officer = app.token("officer01").await;
    let body = serde_json::json!({
        "kind": "person", "name": "张三", "document_type": "resident_id",
        "document_number": "11010519491231002x", "phone": "13912345678", "address": "钟楼区南大街 1 号"
    });
    let created = app.json(Method::POST, "/api/v1/parties", &officer, body.clone()).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();

    let party = app.get_bearer(&format!("/api/v1/parties/{id}"), &officer).await;
    let json = party.json();
    assert_eq!(json["document_number_masked"], "110105********002X");
    assert_eq!(json["age"], 76);
    assert!(json.get("birth_date").is_none());
    assert_eq!(json["sex"], "female");
    assert_eq!(json["phone_masked"], "139****5678");
    assert!(!party.body.contains("11010519491231002X") && !party.body.contains("13912345678"));

    // 一人一档: the same document again points at the file already kept.
    let again = app.json(Method::POST, "/api/v1/parties", &officer, body).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.json()["error"], "party_exists");
    assert!(again.body.contains(&id));

    // Found by the whole number, and by part of the name.
    let by_number = app.get_bearer("/api/v1/parties?number=11010519491231002X", &officer).await.json();
    assert_eq!(by_number["total"], 1);
    let by_name = app.get_bearer("/api/v1/parties?name=%E5%BC%A0", &officer).await.json();
    assert_eq!(by_name["items"][0]["id"], id.as_str());

    // The reveal returns the full values and is audited.
    let revealed = app
        .json(Method::POST, &format!("/api/v1/parties/{id}/reveal"), &officer, serde_json::json!({}))
        .await
        .json();
    assert_eq!(revealed["document_number"], "11010519491231002X");
    assert_eq!(app.audit_count("party.reveal").await, 1);
    // The audit log names the party by id, never by number.
    let (records, _) = app
        .db
        .audit_records(&chengguan::store::audit::AuditFilter {
            object_id: id.clone(),
            page: 1,
            page_size: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(records.iter().all(|r| !r.content.details.contains("110105")));
}

#[tokio::test]
async fn bad_numbers_are_refused_with_the_reason_and_nothing_is_written() {
    let app = TestApp::new().await;
    let officer = app.token("officer01").await;
    let before = app.db.audit_head().await.unwrap().0;
    let bad_id = app
        .json(Method::POST, "/api/v1/parties", &officer, serde_json::json!({
            "kind": "person", "name": "李四", "document_type": "resident_id", "document_number": "110105194912310021"
        }))
        .await;
    assert_eq!(bad_id.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_id.json()["fields"][0]["message"], "公民身份号码校验位错误");
    let bad_code = app
        .json(Method::POST, "/api/v1/parties", &officer, serde_json::json!({
            "kind": "organisation", "name": "某餐饮店", "document_number": "91350100M000100Y44", "legal_representative": "王五"
        }))
        .await;
    assert_eq!(bad_code.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_code.json()["fields"][0]["code"], "invalid_credit_code");
    assert_eq!(app.db.audit_head().await.unwrap().0, before);

    let organisation = app
        .json(Method::POST, "/api/v1/parties", &officer, serde_json::json!({
            "kind": "organisation", "name": "某餐饮店", "document_number": "91350100m000100y43", "legal_representative": "王五"
        }))
        .await;
    assert_eq!(organisation.status, StatusCode::CREATED);
}

#[tokio::test]
async fn the_registry_pages_work_and_keep_numbers_masked() {
    let app = TestApp::new().await;
    let session = app.login("officer01").await;
    let form = app.get("/parties/new?kind=person", Some(&session)).await;
    assert_eq!(form.status, StatusCode::OK);
    let wrong = app
        .post_form(
            "/parties",
            Some(&session),
            &[
                ("kind", "person"),
                ("name", "赵六"),
                ("document_type", "resident_id"),
                ("document_number", "110105194912310021"),
            ],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("公民身份号码校验位错误"));
    let saved = app
        .post_form(
            "/parties",
            Some(&session),
            &[
                ("kind", "person"),
                ("name", "赵六"),
                ("document_type", "resident_id"),
                ("document_number", "11010519491231002X"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER);
    let page = app.get(saved.location(), Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("110105********002X"));
    assert!(!page.body.contains("11010519491231002X"));
    let list = app.get("/parties", Some(&session)).await;
    assert!(list.body.contains("赵六"));
    // An auxiliary has no access to the registry.
    let aux = app.login("aux01").await;
    assert_eq!(app.get("/parties", Some(&aux)).await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_file_is_corrected_with_its_version_and_an_audit_record_without_personal_data() {
    let app = TestApp::new().await;
    let officer = app.token("officer01").await;
    let body = serde_json::json!({
        "kind": "person", "name": "张三", "document_type": "resident_id",
        "document_number": "11010519491231002X", "phone": "13912345678",
    });
    let id = app.json(Method::POST, "/api/v1/parties", &officer, body).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/parties/{id}");
    let edit = |version: i64, phone: &str, address: &str| serde_json::json!({"version": version, "name": "张三", "phone": phone, "address": address});
    // A bad phone is refused by field and changes nothing.
    let bad = app.json(Method::PUT, &path, &officer, edit(1, "1234", "常州市钟楼区南大街1号")).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert_eq!(bad.json()["fields"][0]["field"], "phone", "{}", bad.body);
    assert_eq!(app.get_bearer(&path, &officer).await.json()["version"], 1);
    // An empty phone keeps the one on file; the address is added.
    let ok = app.json(Method::PUT, &path, &officer, edit(1, "", "常州市钟楼区南大街1号")).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    let json = ok.json();
    assert_eq!(
        (json["version"].as_i64(), json["address"].as_str()),
        (Some(2), Some("常州市钟楼区南大街1号"))
    );
    assert_eq!(json["phone_masked"], "139****5678");
    // A second edit from the old version is a conflict, not an overwrite.
    let stale = app.json(Method::PUT, &path, &officer, edit(1, "", "别处")).await;
    assert_eq!(
        (stale.status, stale.json()["error"].as_str()),
        (StatusCode::CONFLICT, Some("version_conflict"))
    );
    assert_eq!(app.get_bearer(&path, &officer).await.json()["address"], "常州市钟楼区南大街1号");
    // The record says what changed, never to what.
    assert_eq!(app.audit_count("party.update").await, 1);
    let details: String = match app.db.pool() {
        chengguan::store::Pool::Sqlite(pool) => {
            sqlx::query_scalar("SELECT details FROM audit_log WHERE action = 'party.update'")
                .fetch_one(pool)
                .await
                .unwrap()
        }
        chengguan::store::Pool::Postgres(pool) => {
            sqlx::query_scalar("SELECT details::text FROM audit_log WHERE action = 'party.update'")
                .fetch_one(pool)
                .await
                .unwrap()
        }
    };
    assert!(details.contains("address") && !details.contains("南大街"), "{details}");
    // The same through the page form, which shows the phone masked only.
    let session = app.login("officer01").await;
    let page = app.get(&format!("/parties/{id}/edit"), Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("139****5678") && !page.body.contains("13912345678"));
    let saved = app
        .post_form(
            &format!("/parties/{id}/edit"),
            Some(&session),
            &[("version", "2"), ("name", "张三丰"), ("address", "常州市钟楼区南大街1号")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(app.get_bearer(&path, &officer).await.json()["name"], "张三丰");
}
