//! The special-care archive (issue 18 scope 7; 个人信息保护法 Arts. 28–29): for every role, the
//! archive opens only to a keeping role with a grant from someone else, every reading records
//! its purpose, the sensitive fields are sealed at rest, and only counts leave it.

use axum::http::{Method, StatusCode};
use chengguan::domain::access::{Action, Role, scope_of};

use crate::access::account_for;
use crate::cases::new_party;
use crate::support::TestApp;

const PURPOSE: &str = "走访前核对帮扶记录";

async fn grant(app: &TestApp, grantor: &str, username: &str) -> (StatusCode, serde_json::Value) {
    let token = app.token(grantor).await;
    let body = serde_json::json!({ "username": username, "purpose": "负责南大街疏导点困难摊贩的帮扶走访", "until": "2026-06-30" });
    let r = app.json(Method::POST, "/api/v1/special-care-grants", &token, body).await;
    (r.status, r.json())
}

#[tokio::test]
async fn every_role_reads_the_archive_only_with_its_role_a_grant_and_a_purpose() {
    let app = TestApp::new().await;
    let squad = app.token("squadlead01").await;
    let party = new_party(&app, &squad, "11010519491231002X").await;
    let unit = app.unit_id("南大街中队").await;

    // Generated from the role list: a role added later is covered without touching this test.
    for role in Role::ALL {
        let username = account_for(role);
        let token = app.token(username).await;
        let keeps = scope_of(role, Action::SpecialCare).is_some();
        let before = app.get_bearer(&format!("/api/v1/special-care?purpose={PURPOSE}"), &token).await;
        if keeps {
            assert_eq!(
                before.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{role} without a grant: {}",
                before.body
            );
            assert_eq!(before.json()["error"], "care_grant_required", "{role}");
        } else {
            assert_eq!(before.status, StatusCode::FORBIDDEN, "{role} never keeps the archive");
        }
        // The leaders and the office grant; a grant to a role that cannot keep it is refused,
        // and nobody grants themselves.
        let grantor = if role == Role::Office { "leader01" } else { "office01" };
        let (status, body) = grant(&app, grantor, username).await;
        if keeps {
            assert_eq!(status, StatusCode::CREATED, "{role}: {body}");
        } else {
            assert_eq!(
                (status, body["error"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some("grant_role_not_allowed")),
                "{role}"
            );
        }
        let after = app.get_bearer(&format!("/api/v1/special-care?purpose={PURPOSE}"), &token).await;
        let expected = if keeps { StatusCode::OK } else { StatusCode::FORBIDDEN };
        assert_eq!(after.status, expected, "{role} with a grant: {}", after.body);
        if keeps {
            let no_purpose = app.get_bearer("/api/v1/special-care?purpose=%E5%B7%A5%E4%BD%9C", &token).await;
            assert_eq!(
                no_purpose.json()["error"],
                "invalid_input",
                "{role}: a purpose of two characters says nothing"
            );
        }
    }
    let (status, body) = grant(&app, "office01", "office01").await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("self_grant")));
    assert!(app.audit_count("special_care.denied").await >= 4, "refused readings are audited");

    // An entry: opened by the squad leader, read with a purpose that is audited with it.
    let body = serde_json::json!({ "party_id": party, "unit_id": unit, "category": "subsistence", "circumstances": "低保户，独自抚养两个孩子" });
    let opened = app.json(Method::POST, "/api/v1/special-care", &squad, body.clone()).await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
    let id = opened.json()["id"].as_str().unwrap().to_owned();
    let again = app.json(Method::POST, "/api/v1/special-care", &squad, body).await;
    assert_eq!(again.json()["error"], "care_entry_exists", "one open entry per party");
    let help = serde_json::json!({ "given_on": "2026-03-02", "kind": "relocation", "description": "引导至南大街便民疏导点经营", "given_by": "南大街中队" });
    let helped = app.json(Method::POST, &format!("/api/v1/special-care/{id}/help"), &squad, help).await;
    assert_eq!(helped.status, StatusCode::CREATED, "{}", helped.body);
    let read = app.get_bearer(&format!("/api/v1/special-care/{id}?purpose={PURPOSE}"), &squad).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert_eq!(
        (read.json()["category"].as_str(), read.json()["help"].as_array().unwrap().len()),
        (Some("subsistence"), 1)
    );
    let view = app.latest_audit("special_care.view").await;
    assert_eq!(view.content.object_id, id);
    assert!(view.content.details.contains(PURPOSE), "{}", view.content.details);
    let opened_audit = app.latest_audit("special_care.open").await;
    assert!(
        !opened_audit.content.details.contains("subsistence"),
        "the audit chain never says why a party is cared for"
    );

    // Sealed at rest: neither the category nor the circumstances are in the table in clear.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM care_entries WHERE category = 'subsistence' OR circumstances LIKE '%低保%'"
        )
        .await,
        0
    );

    // An officer of the other squad, granted, does not see this squad's entry.
    let other = app.token("officer05").await;
    assert_eq!(grant(&app, "office01", "officer05").await.0, StatusCode::CREATED);
    let theirs = app.get_bearer(&format!("/api/v1/special-care/{id}?purpose={PURPOSE}"), &other).await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);

    // Counts carry no names; the squad leader reads them without a grant.
    let counts =
        app.get_bearer("/api/v1/special-care/counts?year=2026", &app.token("squadlead02").await).await;
    assert_eq!(counts.status, StatusCode::OK, "{}", counts.body);
    assert!(!counts.body.contains("王"), "{}", counts.body);
    let subsistence = counts.json()["open_by_category"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == "subsistence")
        .unwrap()["count"]
        .clone();
    assert_eq!(subsistence, 1);
    assert_eq!(counts.json()["help_by_month"][2], 1);

    // A revoked grant closes the archive at once; closing an entry keeps it.
    let grants = app.get_bearer("/api/v1/special-care-grants", &app.token("office01").await).await.json();
    let squad_grant =
        grants.as_array().unwrap().iter().find(|g| g["username"] == "squadlead01").unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
    let closed = app
        .json(
            Method::POST,
            &format!("/api/v1/special-care/{id}/close"),
            &squad,
            serde_json::json!({"version": 1, "reason": "已脱困"}),
        )
        .await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
    let stale = app
        .json(
            Method::POST,
            &format!("/api/v1/special-care/{id}/close"),
            &squad,
            serde_json::json!({"version": 1, "reason": "已脱困"}),
        )
        .await;
    assert_eq!(stale.json()["error"], "care_entry_closed");
    let revoked = app
        .json(
            Method::POST,
            &format!("/api/v1/special-care-grants/{squad_grant}/revoke"),
            &app.token("office01").await,
            serde_json::json!({}),
        )
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{}", revoked.body);
    let after = app.get_bearer(&format!("/api/v1/special-care/{id}?purpose={PURPOSE}"), &squad).await;
    assert_eq!(after.json()["error"], "care_grant_required");
    assert!(
        app.try_raw(&format!("DELETE FROM care_entries WHERE id = '{id}'")).await.is_err(),
        "never deleted"
    );
    assert!(app.try_raw("UPDATE care_help SET description = 'x'").await.is_err(), "help is append-only");
}

#[tokio::test]
async fn the_pages_ask_for_a_purpose_before_they_show_anyone() {
    let app = TestApp::new().await;
    let squad_token = app.token("squadlead01").await;
    let party = new_party(&app, &squad_token, "11010519491231002X").await;
    assert_eq!(grant(&app, "office01", "squadlead01").await.0, StatusCode::CREATED);
    let unit = app.unit_id("南大街中队").await;
    let body = serde_json::json!({ "party_id": party, "unit_id": unit, "category": "minority" });
    let id = app.json(Method::POST, "/api/v1/special-care", &squad_token, body).await.json()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let session = app.login("squadlead01").await;
    let bare = app.get("/care/entries", Some(&session)).await;
    assert_eq!(bare.status, StatusCode::OK);
    assert!(bare.body.contains("查阅目的") && !bare.body.contains("王摊主"), "no list before a purpose");
    let listed = app
        .get(
            &format!(
                "/care/entries?purpose={}",
                "%E8%B5%B0%E8%AE%BF%E5%89%8D%E6%A0%B8%E5%AF%B9%E5%B8%AE%E6%89%B6%E8%AE%B0%E5%BD%95"
            ),
            Some(&session),
        )
        .await;
    assert!(listed.body.contains("王摊主"), "{}", listed.body);
    let entry = app.get(&format!("/care/entries/{id}"), Some(&session)).await;
    assert!(
        !entry.body.contains("少数民族</span>") && entry.body.contains("查阅目的"),
        "an entry without a purpose shows the purpose form"
    );
    // The party page links to the archive without saying whether the party is in it.
    let party_page = app.get(&format!("/parties/{party}"), Some(&session)).await;
    assert!(party_page.body.contains(&format!("/care/entries?party={party}")), "{}", party_page.body);
    assert!(!party_page.body.contains("在档") && !party_page.body.contains("minority"));
    // A leader without a grant sees why.
    let leader = app.login("leader02").await;
    let refused = app.get("/care/entries", Some(&leader)).await;
    assert!(refused.body.contains("没有查阅关怀档案的有效授权"), "{}", refused.body);
}
