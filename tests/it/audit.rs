//! The audit chain: one record per change, in the same transaction, and tampering found.

use axum::http::{Method, StatusCode};

use chengguan::domain::audit::ChainFault;
use chengguan::store::audit::Verification;

use crate::support::TestApp;

async fn some_person(app: &TestApp, token: &str) -> serde_json::Value {
    let list = app.get_bearer("/api/v1/people?size=10", token).await.json();
    let id = list["items"][0]["id"].as_str().unwrap().to_owned();
    app.get_bearer(&format!("/api/v1/people/{id}"), token).await.json()
}

fn update_body(person: &serde_json::Value, position: &str) -> serde_json::Value {
    serde_json::json!({
        "name": person["name"], "gender": person["gender"], "unit_id": person["unit_id"],
        "position": position, "employment": person["employment"], "version": person["version"]
    })
}

#[tokio::test]
async fn n_audited_actions_write_n_audit_records() {
    let app = TestApp::new().await;
    let token = app.token("office01").await;
    let mut person = some_person(&app, &token).await;
    let before = app.db.audit_head().await.unwrap().0;
    for i in 0..7 {
        let id = person["id"].as_str().unwrap().to_owned();
        let response = app
            .json(
                Method::PUT,
                &format!("/api/v1/people/{id}"),
                &token,
                update_body(&person, &format!("岗位{i}")),
            )
            .await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.body);
        person = app.get_bearer(&format!("/api/v1/people/{id}"), &token).await.json();
    }
    assert_eq!(app.db.audit_head().await.unwrap().0 - before, 7);
    assert_eq!(app.audit_count("person.update").await, 7);
    assert!(matches!(app.db.verify_audit().await.unwrap(), Verification::Intact { .. }));
}

#[tokio::test]
async fn the_database_refuses_to_update_or_delete_audit_records() {
    let app = TestApp::new().await;
    for sql in ["UPDATE audit_log SET actor = 'x' WHERE seq = 1", "DELETE FROM audit_log WHERE seq = 1"] {
        let result = match app.db.pool() {
            chengguan::store::Pool::Sqlite(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
            chengguan::store::Pool::Postgres(pool) => sqlx::query(sql).execute(pool).await.map(|_| ()),
        };
        let error = result.expect_err(sql).to_string();
        assert!(error.contains("append-only"), "{error}");
    }
}

#[tokio::test]
async fn an_edited_record_is_named_by_verify() {
    let app = TestApp::new().await;
    app.drop_audit_triggers().await;
    app.raw("UPDATE audit_log SET actor = 'intruder' WHERE seq = 42").await;
    let Verification::Broken { fault, checked } = app.db.verify_audit().await.unwrap() else {
        panic!("not detected")
    };
    assert_eq!(fault, ChainFault::ContentChanged { seq: 42 });
    assert_eq!(checked, 41);
}

#[tokio::test]
async fn a_deleted_record_is_named_by_verify() {
    let app = TestApp::new().await;
    app.drop_audit_triggers().await;
    app.raw("DELETE FROM audit_log WHERE seq = 100").await;
    let Verification::Broken { fault, .. } = app.db.verify_audit().await.unwrap() else {
        panic!("not detected")
    };
    assert_eq!(fault, ChainFault::RecordMissing { seq: 100, found: 101 });
}

#[tokio::test]
async fn reordered_records_are_named_by_verify() {
    let app = TestApp::new().await;
    app.drop_audit_triggers().await;
    app.raw("UPDATE audit_log SET seq = -1 WHERE seq = 10").await;
    app.raw("UPDATE audit_log SET seq = 10 WHERE seq = 11").await;
    app.raw("UPDATE audit_log SET seq = 11 WHERE seq = -1").await;
    let Verification::Broken { fault, .. } = app.db.verify_audit().await.unwrap() else {
        panic!("not detected")
    };
    assert_eq!(fault, ChainFault::OrderBroken { seq: 10 });
}

#[tokio::test]
async fn records_cut_off_the_end_are_named_by_verify() {
    let app = TestApp::new().await;
    let (head, _) = app.db.audit_head().await.unwrap();
    app.drop_audit_triggers().await;
    app.raw(&format!("DELETE FROM audit_log WHERE seq > {}", head - 3)).await;
    let Verification::Broken { fault, .. } = app.db.verify_audit().await.unwrap() else {
        panic!("not detected")
    };
    assert_eq!(fault, ChainFault::TailMissing { seq: head - 2, last: head - 3 });
}

/// The walk stops at the head read first (records committed meanwhile are the next walk's), but
/// a record written past the head without moving it is still named.
#[tokio::test]
async fn a_record_written_past_the_head_is_named_by_verify() {
    let app = TestApp::new().await;
    let (head, _) = app.db.audit_head().await.unwrap();
    app.drop_audit_triggers().await;
    let columns = "at, actor, role, source, request_id, action, object_type, object_id, result, details, prev_hash, hash";
    app.raw(&format!(
        "INSERT INTO audit_log (seq, {columns}) SELECT seq + 1, {columns} FROM audit_log WHERE seq = {head}"
    ))
    .await;
    let Verification::Broken { fault, .. } = app.db.verify_audit().await.unwrap() else {
        panic!("not detected")
    };
    assert_eq!(fault, ChainFault::HeadMismatch { seq: head + 1 });
}

#[tokio::test]
async fn when_the_audit_record_cannot_be_written_the_change_is_refused() {
    let app = TestApp::new().await;
    let token = app.token("office01").await;
    let person = some_person(&app, &token).await;
    let id = person["id"].as_str().unwrap().to_owned();
    app.raw("ALTER TABLE audit_log RENAME TO audit_log_away").await;
    let response = app
        .json(Method::PUT, &format!("/api/v1/people/{id}"), &token, update_body(&person, "不该保存"))
        .await;
    assert_eq!(response.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(response.json()["error"], "internal_error");
    assert!(!response.body.contains("audit_log"), "internal details leaked: {}", response.body);
    app.raw("ALTER TABLE audit_log_away RENAME TO audit_log").await;
    let after = app.get_bearer(&format!("/api/v1/people/{id}"), &token).await.json();
    assert_eq!(after["position"], person["position"]);
    assert_eq!(after["version"], person["version"]);
}

#[tokio::test]
async fn the_audit_viewer_verifies_the_chain_and_records_that_it_did() {
    let app = TestApp::new().await;
    let session = app.login("auditadmin").await;
    let page = app.get("/audit?action=login", Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("login.success"));
    let verify = app.post_form("/audit/verify", Some(&session), &[]).await;
    assert!(verify.body.contains("校验通过"), "{}", verify.body);
    assert_eq!(app.audit_count("audit.verify").await, 1);
    assert_eq!(app.audit_count("audit.query").await, 1);
}

/// PostgreSQL only: SQLite is a file inside the process and cannot go away underneath it.
#[tokio::test]
async fn when_postgresql_drops_every_connection_requests_fail_cleanly_and_then_recover() {
    let app = TestApp::new().await;
    if !app.is_postgres() {
        return;
    }
    let token = app.token("office01").await;
    assert_eq!(app.get_bearer("/api/v1/units", &token).await.status, StatusCode::OK);
    let admin = sqlx::PgPool::connect(&std::env::var("TEST_DATABASE_URL").unwrap()).await.unwrap();
    let chengguan::store::Pool::Postgres(pool) = app.db.pool() else { unreachable!() };
    let name: String = sqlx::query_scalar("SELECT current_database()").fetch_one(pool).await.unwrap();
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
        .bind(&name)
        .execute(&admin)
        .await
        .unwrap();
    // The first requests may see a dead connection; none may hang or leak internals, and within
    // a few requests the pool has reconnected on its own.
    let started = std::time::Instant::now();
    let mut recovered = false;
    for _ in 0..10 {
        let response = app.get_bearer("/api/v1/units", &token).await;
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        if response.status == StatusCode::OK {
            recovered = true;
            break;
        }
        assert!(!response.body.contains("terminating connection"), "{}", response.body);
    }
    assert!(recovered, "the pool did not recover without a restart");
}

#[tokio::test]
async fn control_characters_typed_into_the_login_form_do_not_break_verification() {
    let app = TestApp::new().await;
    app.post_login("evil\u{1f}name\u{1e}x", "Wrong-password-1").await;
    assert!(matches!(app.db.verify_audit().await.unwrap(), Verification::Intact { .. }));
    assert_eq!(app.latest_audit("login.failure").await.content.object_id, "evil\u{fffd}name\u{fffd}x");
}

/// Group commit (SQLite; on PostgreSQL each call is its own transaction): many writers at once,
/// each registering a party and opening a case for it (the case's rows held back to the end of
/// the batch), some failing after both are written. Each failing caller gets its own error and
/// leaves nothing behind; everyone else's work commits with its records, in one unbroken chain.
#[tokio::test]
async fn concurrent_writes_commit_together_and_a_failing_one_leaves_nothing() {
    use chengguan::domain::case::clocks::clocks;
    use chengguan::domain::case::rules::CaseRules;
    use chengguan::domain::case::{Case, NewClue};
    use chengguan::domain::party::{DocumentType, PartyDraft};
    use chengguan::store::cases::{CaseFilter, CaseWrite, NewCase};
    use chengguan::store::org::Visibility;
    use chengguan::store::{AuditCtx, StoreError};

    let app = TestApp::new().await;
    let before = app.db.audit_head().await.unwrap().0;
    let (_, cases_before) = app
        .db
        .cases(&Visibility::All, &CaseFilter { page: 1, page_size: 1, ..Default::default() })
        .await
        .unwrap();
    let unit = app.db.units().await.unwrap().into_iter().find(|u| u.name == "南大街中队").unwrap().id;
    let calendar = app.db.work_calendar().await.unwrap();
    let draft = |i: usize| PartyDraft {
        organisation: false,
        name: format!("并发当事人{i}"),
        document_type: DocumentType::Passport,
        document_number: format!("G{i:08}"),
        birth_date: None,
        sex: None,
        legal_representative: String::new(),
        phone: None,
        address: String::new(),
    };
    let mut handles = Vec::new();
    for i in 0..60usize {
        let (db, unit, calendar) = (app.db.clone(), unit.clone(), calendar.clone());
        let now = app.clock_now();
        handles.push(tokio::spawn(async move {
            let ctx = AuditCtx::cli(&format!("writer{i}"));
            db.write(&ctx, now, move |tx| {
                Box::pin(async move {
                    let party = tx.insert_party(&draft(i)).await?;
                    let day = now.date_naive();
                    let clue = NewClue {
                        organisation: false,
                        business_activity: false,
                        clue_on: day,
                        act_on: day,
                        serious_harm: false,
                    };
                    let (case, event) = Case::open(&clue, day).unwrap();
                    let clock_list = clocks(&case, &calendar, &CaseRules::jiangsu_default());
                    let new = NewCase {
                        category: "street_vending",
                        item_code: None,
                        party_id: &party,
                        unit_id: &unit,
                        title: "并发立案",
                        location: "南大街",
                        source: "patrol",
                    };
                    let id = chengguan::store::new_id(now);
                    let write = CaseWrite { case: &case, event: &event, clocks: &clock_list, major: false };
                    tx.insert_case(&id, &format!("GC-{i}"), &new, &write).await?;
                    // One in six fails after its party, its case and their records are written.
                    if i % 6 == 0 { Err(StoreError::Conflict) } else { Ok(party) }
                })
            })
            .await
        }));
    }
    let mut committed = 0;
    for (i, handle) in handles.into_iter().enumerate() {
        let result = handle.await.unwrap();
        let stored = app.db.party_by_document(DocumentType::Passport, &format!("G{i:08}")).await.unwrap();
        if i % 6 == 0 {
            assert!(matches!(result, Err(StoreError::Conflict)) && stored.is_none(), "writer {i}");
        } else {
            assert_eq!(result.as_ref().ok(), stored.as_ref().map(|p| &p.id), "writer {i}");
            committed += 1;
        }
    }
    assert_eq!(committed, 50);
    let (_, cases_after) = app
        .db
        .cases(&Visibility::All, &CaseFilter { page: 1, page_size: 1, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(cases_after, cases_before + 50, "one case per committed write, none of the failed ones");
    assert_eq!(
        app.db.audit_head().await.unwrap().0,
        before + 100,
        "a party and a case record per committed write"
    );
    assert!(matches!(app.db.verify_audit().await.unwrap(), Verification::Intact { .. }));
}
