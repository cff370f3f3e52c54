//! The permission table, checked route by route and role by role, and squad isolation.

use axum::http::{Method, StatusCode};

use chengguan::domain::access::Role;
use chengguan::store::org::{PeopleFilter, Visibility};
use chengguan::web::{Access, routes};

use crate::support::TestApp;

/// One demo account per role.
pub(crate) fn account_for(role: Role) -> &'static str {
    match role {
        Role::Leader => "leader01",
        Role::Office => "office01",
        Role::SquadLeader => "squadlead01",
        Role::Officer => "officer01",
        Role::Auxiliary => "aux01",
        Role::LegalReviewer => "legal01",
        Role::Intake => "center01",
        Role::Supervisor => "supervisor01",
        Role::SysAdmin => "sysadmin",
        Role::SecAdmin => "secadmin",
        Role::AuditAdmin => "auditadmin",
    }
}

async fn person_in(app: &TestApp, unit: &str) -> (String, String) {
    let unit_id = app.unit_id(unit).await;
    let filter = PeopleFilter { unit_id, page: 1, page_size: 1, ..Default::default() };
    let page = app
        .db
        .people(&Visibility::All, &filter, chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap())
        .await
        .unwrap();
    let person = page.rows.into_iter().next().expect("someone in the unit");
    (person.id, person.name)
}

/// Every (role, route) pair: a route the table denies answers 403; one it allows never does.
#[tokio::test]
async fn every_route_answers_each_role_as_the_permission_table_says() {
    let app = TestApp::new().await;
    let (person, _) = person_in(&app, "南大街中队").await;
    let mut checked = 0;
    let mut mismatches = Vec::new();
    for role in Role::ALL {
        let session = app.login(account_for(role)).await;
        for spec in routes() {
            let Access::Allowed(action) = spec.access else {
                continue;
            };
            if spec.path == "/logout" {
                continue; // Checked last, below: it would end the session.
            }
            let path = spec.path.replace("{id}", &person);
            let body = (spec.method != Method::GET).then(|| serde_json::json!({}));
            let response = app.session_request(spec.method.clone(), &path, &session, body).await;
            let allowed = chengguan::domain::access::scope_of(role, action).is_some();
            let denied = response.status == StatusCode::FORBIDDEN;
            if allowed == denied {
                mismatches.push(format!("{role} {} {} -> {}", spec.method, spec.path, response.status));
            }
            checked += 1;
        }
        let out = app.session_request(Method::POST, "/logout", &session, None).await;
        assert_eq!(out.status, StatusCode::SEE_OTHER, "{role} logout");
    }
    assert!(
        mismatches.is_empty(),
        "{} of {checked} pairs differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert!(checked > 400, "only {checked} pairs checked");
    // Each denial is in the audit log.
    assert!(app.audit_count("authz.denied").await > 100);
}

#[tokio::test]
async fn anonymous_callers_reach_no_protected_route() {
    let app = TestApp::new().await;
    for spec in routes() {
        if !matches!(spec.access, Access::Allowed(_)) {
            continue;
        }
        let path = spec.path.replace("{id}", "x");
        let response = app
            .send(
                axum::http::Request::builder()
                    .method(spec.method.clone())
                    .uri(&path)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        if path.starts_with("/api/") {
            assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{path}");
        } else {
            assert_eq!(response.status, StatusCode::SEE_OTHER, "{path}");
            assert!(response.location().starts_with("/login"), "{path}");
        }
    }
}

#[tokio::test]
async fn a_squad_leader_sees_only_the_own_squad_and_other_squads_look_absent() {
    let app = TestApp::new().await;
    let token = app.token("squadlead01").await;
    let own_unit = app.unit_id("南大街中队").await;
    let list = app.get_bearer("/api/v1/people?size=50", &token).await.json();
    assert!(list["total"].as_i64().unwrap() > 20);
    for item in list["items"].as_array().unwrap() {
        assert_eq!(item["unit_id"], own_unit.as_str(), "leaked {item}");
    }
    // Filtering for another squad yields nothing rather than its people.
    let other_unit = app.unit_id("荷花池中队").await;
    let filtered = app.get_bearer(&format!("/api/v1/people?unit_id={other_unit}"), &token).await.json();
    assert_eq!(filtered["total"], 0);

    let (other, other_name) = person_in(&app, "荷花池中队").await;
    for path in [format!("/api/v1/people/{other}"), format!("/api/v1/people/{other}/certificates")] {
        let response = app.get_bearer(&path, &token).await;
        assert_eq!(response.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!response.body.contains(&other_name));
        assert_eq!(response.json()["error"], "not_found");
    }
    let session = app.login("squadlead01").await;
    let page = app.get(&format!("/people/{other}"), Some(&session)).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(!page.body.contains(&other_name));
    // Nor can the squad leader edit, reveal or add a certificate there.
    let update = app
        .json(
            Method::PUT,
            &format!("/api/v1/people/{other}"),
            &token,
            serde_json::json!({
                "name": "改名", "gender": "male", "unit_id": other_unit, "employment": "officer", "version": 1
            }),
        )
        .await;
    assert_eq!(update.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.json(Method::POST, &format!("/api/v1/people/{other}/reveal"), &token, serde_json::json!({}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_squad_leader_cannot_move_a_person_out_of_the_squad() {
    let app = TestApp::new().await;
    let token = app.token("squadlead01").await;
    let (own, _) = person_in(&app, "南大街中队").await;
    let other_unit = app.unit_id("荷花池中队").await;
    let person = app.get_bearer(&format!("/api/v1/people/{own}"), &token).await.json();
    let response = app
        .json(
            Method::PUT,
            &format!("/api/v1/people/{own}"),
            &token,
            serde_json::json!({
                "name": person["name"], "gender": person["gender"], "unit_id": other_unit,
                "employment": person["employment"], "version": person["version"]
            }),
        )
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(response.json()["fields"][0]["code"], "unit_out_of_scope");
}

#[tokio::test]
async fn the_three_administrator_powers_never_share_an_account_or_a_person() {
    let app = TestApp::new().await;
    let admin = app.token("sysadmin").await;
    let before = app.db.accounts().await.unwrap().len();
    let two = app
        .json(
            Method::POST,
            "/api/v1/accounts",
            &admin,
            serde_json::json!({
                "username": "root2", "display_name": "超级", "roles": ["sysadmin", "auditadmin"]
            }),
        )
        .await;
    assert_eq!(two.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(two.json()["fields"][0]["code"], "admin_roles_exclusive");
    let mixed = app
        .json(
            Method::POST,
            "/api/v1/accounts",
            &admin,
            serde_json::json!({
                "username": "mixed", "display_name": "混合", "roles": ["secadmin", "officer"]
            }),
        )
        .await;
    assert_eq!(mixed.status, StatusCode::UNPROCESSABLE_ENTITY);
    // A second account for a person who already holds a business role may not be an admin.
    let officer = app.db.account_by_username("officer01").await.unwrap().unwrap();
    let second = app
        .json(
            Method::POST,
            "/api/v1/accounts",
            &admin,
            serde_json::json!({
                "username": "officer01_audit", "display_name": "兼任", "roles": ["auditadmin"],
                "person_id": officer.person_id
            }),
        )
        .await;
    assert_eq!(second.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", second.body);
    assert_eq!(app.db.accounts().await.unwrap().len(), before);
    // And no account in the database holds roles from more than one power.
    for account in app.db.accounts().await.unwrap() {
        let admins = account.roles.iter().filter(|r| r.is_admin()).count();
        assert!(admins == 0 || account.roles.len() == 1, "{}", account.username);
    }
}

#[tokio::test]
async fn the_system_administrator_cannot_read_the_audit_log_and_the_auditor_cannot_make_accounts() {
    let app = TestApp::new().await;
    let sysadmin = app.token("sysadmin").await;
    let auditor = app.token("auditadmin").await;
    assert_eq!(app.get_bearer("/api/v1/audit", &sysadmin).await.status, StatusCode::FORBIDDEN);
    let created = app
        .json(
            Method::POST,
            "/api/v1/accounts",
            &auditor,
            serde_json::json!({"username": "x1x", "display_name": "x", "roles": ["officer"]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::FORBIDDEN);
    assert_eq!(created.json()["error"], "forbidden");
    assert_eq!(app.get_bearer("/api/v1/audit", &auditor).await.status, StatusCode::OK);
}

#[tokio::test]
async fn phones_are_masked_unless_revealed_and_every_reveal_is_audited() {
    let app = TestApp::new().await;
    let office = app.token("office01").await;
    let (person, _) = person_in(&app, "南大街中队").await;
    let read = app.get_bearer(&format!("/api/v1/people/{person}"), &office).await;
    let masked = read.json()["phone_masked"].as_str().unwrap().to_owned();
    assert!(masked.contains("****"), "{masked}");
    assert!(!read.body.chars().filter(char::is_ascii_digit).collect::<String>().contains("00000000000"));
    let revealed = app
        .json(Method::POST, &format!("/api/v1/people/{person}/reveal"), &office, serde_json::json!({}))
        .await
        .json();
    let phone = revealed["phone"].as_str().unwrap().to_owned();
    assert_eq!(phone.len(), 11);
    assert_eq!(&phone[..3], &masked[..3]);
    assert_eq!(app.audit_count("person.reveal_phone").await, 1);
    // An officer may not reveal.
    let officer = app.token("officer01").await;
    let denied = app
        .json(Method::POST, &format!("/api/v1/people/{person}/reveal"), &officer, serde_json::json!({}))
        .await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
    // The people list and the edit form never carry the full number.
    let list = app.get_bearer("/api/v1/people?size=50", &office).await;
    assert!(!list.body.contains(&phone));
    let session = app.login("office01").await;
    let form = app.get(&format!("/people/{person}/edit"), Some(&session)).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(!form.body.contains(&phone));
    // Saving the form with the phone left empty keeps the number on file.
    let version = crate::support::between(&form.body, "name=\"version\" value=\"", "\"");
    let name = crate::support::between(&form.body, "id=\"name\" name=\"name\" value=\"", "\"");
    let unit = app.get_bearer(&format!("/api/v1/people/{person}"), &office).await.json()["unit_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let saved = app
        .post_form(
            &format!("/people/{person}"),
            Some(&session),
            &[
                ("name", &name),
                ("gender", "male"),
                ("unit_id", &unit),
                ("employment", "officer"),
                ("position", "执法队员"),
                ("phone", ""),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let again = app
        .json(Method::POST, &format!("/api/v1/people/{person}/reveal"), &office, serde_json::json!({}))
        .await
        .json();
    assert_eq!(again["phone"], phone.as_str());
}

#[tokio::test]
async fn the_openapi_document_describes_every_api_route() {
    let app = TestApp::new().await;
    let token = app.token("officer01").await;
    let document = app.get_bearer("/api/openapi.json", &token).await.json();
    for spec in routes() {
        if !spec.path.starts_with("/api/v1/") {
            continue;
        }
        let method = spec.method.as_str().to_lowercase();
        assert!(
            document["paths"][spec.path][&method].is_object(),
            "{} {} is missing from /api/openapi.json",
            spec.method,
            spec.path
        );
    }
    let docs = app.get_bearer("/api/docs/", &token).await;
    assert_eq!(docs.status, StatusCode::OK);
    assert!(docs.body.contains("swagger-ui"));
}
