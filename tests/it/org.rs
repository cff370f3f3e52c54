//! People and certificates: validation, versions, concurrency, export.

use axum::http::{Method, StatusCode, header};

use crate::support::TestApp;

#[tokio::test]
async fn bad_person_input_gets_field_errors_and_writes_nothing() {
    let app = TestApp::new().await;
    let token = app.token("office01").await;
    let before = app.db.audit_head().await.unwrap().0;
    let response = app
        .json(
            Method::POST,
            "/api/v1/people",
            &token,
            serde_json::json!({
                "name": "", "gender": "x", "unit_id": "", "employment": "boss", "phone": "12345"
            }),
        )
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    let body = response.json();
    assert_eq!(body["error"], "invalid_input");
    let fields: Vec<&str> =
        body["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["name", "gender", "employment", "unit_id", "phone"]);
    assert_eq!(body["fields"][4]["message"], "请输入正确的手机号码");
    assert_eq!(app.db.audit_head().await.unwrap().0, before);

    // The same through the form: the page comes back with the messages in Chinese.
    let session = app.login("office01").await;
    let page = app
        .post_form(
            "/people",
            Some(&session),
            &[("name", ""), ("gender", "male"), ("employment", "officer"), ("unit_id", "")],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.body.contains("姓名不能为空"));
    assert!(page.body.contains("请选择所在单位"));
}

#[tokio::test]
async fn a_person_is_created_edited_and_given_a_certificate() {
    let app = TestApp::new().await;
    let token = app.token("office01").await;
    let unit = app.unit_id("永红中队").await;
    let created = app
        .json(Method::POST, "/api/v1/people", &token, serde_json::json!({
            "name": "测试员", "gender": "female", "unit_id": unit, "employment": "officer", "phone": "13912345678", "position": "执法队员"
        }))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_owned();
    let cert = app
        .json(
            Method::POST,
            &format!("/api/v1/people/{id}/certificates"),
            &token,
            serde_json::json!({
                "number": "3204-TEST-1", "valid_from": "2024-01-01", "valid_to": "2026-04-01"
            }),
        )
        .await;
    assert_eq!(cert.status, StatusCode::CREATED, "{}", cert.body);
    let duplicate = app
        .json(
            Method::POST,
            &format!("/api/v1/people/{id}/certificates"),
            &token,
            serde_json::json!({
                "number": "3204-TEST-1", "valid_from": "2024-01-01", "valid_to": "2026-04-01"
            }),
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    assert_eq!(duplicate.json()["error"], "duplicate");
    assert_eq!(duplicate.json()["fields"][0]["code"], "duplicate");
    let person = app.get_bearer(&format!("/api/v1/people/{id}"), &token).await.json();
    assert_eq!(person["phone_masked"], "139****5678");
    assert_eq!(person["certificate_standing"], "expiring_soon");
    let certificates = app.get_bearer(&format!("/api/v1/people/{id}/certificates"), &token).await.json();
    assert_eq!(certificates[0]["may_act"], true);

    // Auxiliaries hold no certificate (行政处罚法 Art. 42).
    let aux = app
        .json(
            Method::POST,
            "/api/v1/people",
            &token,
            serde_json::json!({
                "name": "协管甲", "gender": "male", "unit_id": unit, "employment": "auxiliary"
            }),
        )
        .await
        .json();
    let refused = app
        .json(
            Method::POST,
            &format!("/api/v1/people/{}/certificates", aux["id"].as_str().unwrap()),
            &token,
            serde_json::json!({
                "number": "3204-TEST-2", "valid_from": "2024-01-01", "valid_to": "2029-01-01"
            }),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(refused.json()["error"], "auxiliary_cannot_hold_certificate");
}

#[tokio::test]
async fn a_stale_version_is_a_conflict_not_an_overwrite() {
    let app = TestApp::new().await;
    let token = app.token("office01").await;
    let list = app.get_bearer("/api/v1/people", &token).await.json();
    let id = list["items"][0]["id"].as_str().unwrap().to_owned();
    let person = app.get_bearer(&format!("/api/v1/people/{id}"), &token).await.json();
    let body = |position: &str| {
        serde_json::json!({
            "name": person["name"], "gender": person["gender"], "unit_id": person["unit_id"],
            "position": position, "employment": person["employment"], "version": person["version"]
        })
    };
    assert_eq!(
        app.json(Method::PUT, &format!("/api/v1/people/{id}"), &token, body("第一")).await.status,
        StatusCode::OK
    );
    let stale = app.json(Method::PUT, &format!("/api/v1/people/{id}"), &token, body("第二")).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.json()["error"], "version_conflict");
    let now = app.get_bearer(&format!("/api/v1/people/{id}"), &token).await.json();
    assert_eq!(now["position"], "第一");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn of_a_hundred_concurrent_updates_of_one_version_exactly_one_succeeds() {
    let app = std::sync::Arc::new(TestApp::new().await);
    let token = app.token("office01").await;
    let list = app.get_bearer("/api/v1/people", &token).await.json();
    let id = list["items"][0]["id"].as_str().unwrap().to_owned();
    let person = app.get_bearer(&format!("/api/v1/people/{id}"), &token).await.json();
    let before = app.audit_count("person.update").await;
    let mut tasks = Vec::new();
    for i in 0..100 {
        let app = app.clone();
        let token = token.clone();
        let id = id.clone();
        let body = serde_json::json!({
            "name": person["name"], "gender": person["gender"], "unit_id": person["unit_id"],
            "position": format!("并发{i}"), "employment": person["employment"], "version": person["version"]
        });
        tasks.push(tokio::spawn(async move {
            (i, app.json(Method::PUT, &format!("/api/v1/people/{id}"), &token, body).await.status)
        }));
    }
    let mut winners = Vec::new();
    let mut conflicts = 0;
    for task in tasks {
        let (i, status) = task.await.unwrap();
        match status {
            StatusCode::OK => winners.push(i),
            StatusCode::CONFLICT => conflicts += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(winners.len(), 1);
    assert_eq!(conflicts, 99);
    let after = app.get_bearer(&format!("/api/v1/people/{id}"), &token).await.json();
    assert_eq!(after["position"], format!("并发{}", winners[0]));
    assert_eq!(app.audit_count("person.update").await - before, 1);
}

#[tokio::test]
async fn the_people_list_exports_to_excel_and_the_export_is_audited() {
    let app = TestApp::new().await;
    let session = app.login("squadlead01").await;
    let response = app.get("/people/export?employment=officer", Some(&session)).await;
    assert_eq!(response.status, StatusCode::OK);
    let disposition = response.headers.get(header::CONTENT_DISPOSITION).unwrap().to_str().unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(response.headers.get(header::CONTENT_TYPE).unwrap().to_str().unwrap().contains("spreadsheetml"));
    assert!(response.body.starts_with("PK"), "an xlsx is a zip");
    assert_eq!(app.audit_count("person.export").await, 1);
}

#[tokio::test]
async fn every_page_a_role_can_open_renders() {
    let app = TestApp::new().await;
    for (user, pages) in [
        (
            "office01",
            vec!["/", "/org", "/people", "/people?certificate=expiring", "/people/new", "/account/password"],
        ),
        ("squadlead01", vec!["/", "/people", "/people?page=2&size=10"]),
        ("sysadmin", vec!["/", "/admin/accounts", "/admin/accounts/new"]),
        ("secadmin", vec!["/", "/security/policy"]),
        ("auditadmin", vec!["/", "/audit", "/audit?result=denied&from=2026-03-01&to=2026-03-02"]),
        ("supervisor01", vec!["/", "/org"]),
    ] {
        let session = app.login(user).await;
        for page in pages {
            let response = app.get(page, Some(&session)).await;
            assert_eq!(response.status, StatusCode::OK, "{user} {page}: {}", response.body);
            assert!(response.body.contains("<html"), "{user} {page}");
        }
    }
}

#[tokio::test]
async fn the_security_policy_can_be_tightened_but_not_switched_off() {
    let app = TestApp::new().await;
    let token = app.token("secadmin").await;
    let policy = app.get_bearer("/api/v1/security-policy", &token).await.json();
    assert_eq!(policy["lockout_threshold"], 5);
    let mut weaker = policy.clone();
    weaker["lockout_threshold"] = 100.into();
    let refused = app.json(Method::PUT, "/api/v1/security-policy", &token, weaker).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut stricter = policy.clone();
    stricter["lockout_threshold"] = 3.into();
    let saved = app.json(Method::PUT, "/api/v1/security-policy", &token, stricter.clone()).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let stale = app.json(Method::PUT, "/api/v1/security-policy", &token, stricter).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    // Three failures now lock an account.
    for _ in 0..3 {
        app.post_login("officer03", "Wrong-password-1").await;
    }
    assert_eq!(app.audit_count("account.locked").await, 1);
}

#[tokio::test]
async fn the_office_adds_a_squad_and_a_leadership_member() {
    let app = TestApp::new().await;
    let token = app.token("office01").await;
    let brigade = app.unit_id("钟楼城管行政执法大队").await;
    let created = app
        .json(
            Method::POST,
            "/api/v1/units",
            &token,
            serde_json::json!({
                "parent_id": brigade, "kind": "squad", "name": "广化中队", "code": "zl-dd-09"
            }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let units = app.get_bearer("/api/v1/units", &token).await.json();
    let squad = units.as_array().unwrap().iter().find(|u| u["name"] == "广化中队").unwrap().clone();
    assert_eq!(squad["code"], "ZL-DD-09");
    assert_eq!(squad["parent_id"], brigade.as_str());
    let duplicate = app
        .json(
            Method::POST,
            "/api/v1/units",
            &token,
            serde_json::json!({
                "parent_id": brigade, "kind": "squad", "name": "另一个", "code": "ZL-DD-09"
            }),
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::CONFLICT);
    assert_eq!(duplicate.json()["fields"][0]["field"], "code");
    let bureau_again = app
        .json(
            Method::POST,
            "/api/v1/units",
            &token,
            serde_json::json!({
                "parent_id": brigade, "kind": "bureau", "name": "第二个局", "code": "ZL2"
            }),
        )
        .await;
    assert_eq!(bureau_again.status, StatusCode::UNPROCESSABLE_ENTITY);

    let person = app
        .json(
            Method::POST,
            "/api/v1/people",
            &token,
            serde_json::json!({
                "name": "新中队长", "gender": "male", "unit_id": squad["id"], "employment": "officer"
            }),
        )
        .await
        .json();
    let member =
        serde_json::json!({ "person_id": person["id"], "group_role": "member", "duty": "派驻中队中队长" });
    assert_eq!(
        app.json(Method::POST, "/api/v1/leadership", &token, member.clone()).await.status,
        StatusCode::NO_CONTENT
    );
    let again = app.json(Method::POST, "/api/v1/leadership", &token, member).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    let group = app.get_bearer("/api/v1/leadership", &token).await.json();
    assert!(group.as_array().unwrap().iter().any(|m| m["name"] == "新中队长"));
}

#[tokio::test]
async fn the_total_is_right_on_every_page_even_past_the_end() {
    let app = TestApp::new().await;
    let token = app.token("office01").await;
    let first = app.get_bearer("/api/v1/people?size=10", &token).await.json();
    let total = first["total"].as_i64().unwrap();
    assert!(total > 200);
    assert_eq!(first["items"].as_array().unwrap().len(), 10);
    let last_page = (total + 9) / 10;
    let last = app.get_bearer(&format!("/api/v1/people?size=10&page={last_page}"), &token).await.json();
    assert_eq!(last["total"], total);
    assert_eq!(last["items"].as_array().unwrap().len() as i64, total - (last_page - 1) * 10);
    let beyond = app.get_bearer("/api/v1/people?size=10&page=999", &token).await.json();
    assert_eq!(beyond["total"], total);
    assert!(beyond["items"].as_array().unwrap().is_empty());
    let expiring = app.get_bearer("/api/v1/people?certificate=expiring&size=50", &token).await.json();
    assert_eq!(expiring["total"].as_i64().unwrap(), expiring["items"].as_array().unwrap().len() as i64);
}

#[tokio::test]
async fn a_suspended_certificate_no_longer_allows_enforcement_acts() {
    let app = TestApp::new().await;
    let office = app.token("office01").await;
    let officers =
        app.get_bearer("/api/v1/people?employment=officer&certificate=valid&size=1", &office).await.json();
    let person = officers["items"][0]["id"].as_str().unwrap().to_owned();
    let certificates = app.get_bearer(&format!("/api/v1/people/{person}/certificates"), &office).await.json();
    let certificate = certificates[0].clone();
    let path = format!("/api/v1/people/{person}/certificates/{}", certificate["id"].as_str().unwrap());
    let changed = app
        .json(
            Method::PUT,
            &path,
            &office,
            serde_json::json!({ "status": "suspended", "version": certificate["version"] }),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    let after = app.get_bearer(&format!("/api/v1/people/{person}/certificates"), &office).await.json();
    assert_eq!(after[0]["standing"], "suspended");
    assert_eq!(after[0]["may_act"], false);
    assert_eq!(app.audit_count("certificate.set_status").await, 1);
    // The old version is stale now.
    let stale = app
        .json(
            Method::PUT,
            &path,
            &office,
            serde_json::json!({ "status": "valid", "version": certificate["version"] }),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    let nonsense = app
        .json(
            Method::PUT,
            &path,
            &office,
            serde_json::json!({ "status": "lost", "version": after[0]["version"] }),
        )
        .await;
    assert_eq!(nonsense.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The same through the page.
    let session = app.login("office01").await;
    let page = app.get(&format!("/people/{person}"), Some(&session)).await;
    assert!(page.body.contains("暂扣"));
    let form_path = format!("/people/{person}/certificates/{}/status", certificate["id"].as_str().unwrap());
    let version = after[0]["version"].to_string();
    let restored =
        app.post_form(&form_path, Some(&session), &[("status", "valid"), ("version", &version)]).await;
    assert_eq!(restored.status, StatusCode::SEE_OTHER);
}
