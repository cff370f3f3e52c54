//! Issue 14 item 4: personal numbers sealed at rest (GB/T 39786 level 3), found by keyed
//! digest, re-sealed by a key rotation while search and the reveal keep working. The raw
//! tables are read on both backends, as someone with a copy of the database and no key file
//! would read them.

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use chengguan::keys::Keyring;
use chengguan::store::Pool;
use chengguan::store::audit::Verification;
use chengguan::store::personal::{self, Field};

use crate::support::TestApp;

/// Every row of a one-column query, as text.
pub(crate) async fn column(app: &TestApp, sql: &str) -> Vec<String> {
    let sql = sqlx::AssertSqlSafe(sql.to_owned());
    match app.db.pool() {
        Pool::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
        Pool::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await.unwrap(),
    }
}

const NUMBER: &str = "11010519491231002X";
const PHONE: &str = "13912345678";
const ADDRESS: &str = "钟楼区南大街 1 号";

async fn register(app: &TestApp, token: &str) -> String {
    let body = serde_json::json!({
        "kind": "person", "name": "张三", "document_type": "resident_id",
        "document_number": NUMBER, "phone": PHONE, "address": ADDRESS,
    });
    let created = app.json(Method::POST, "/api/v1/parties", token, body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    created.json()["id"].as_str().unwrap().to_owned()
}

/// Every personal column of both tables, raw.
async fn raw_personal(app: &TestApp) -> Vec<String> {
    let mut all = column(app, "SELECT document_number FROM parties").await;
    all.extend(column(app, "SELECT COALESCE(phone, '') FROM parties").await);
    all.extend(column(app, "SELECT address FROM parties").await);
    all.extend(column(app, "SELECT COALESCE(phone, '') FROM people").await);
    all.extend(column(app, "SELECT name FROM matter_reporters").await);
    all.extend(column(app, "SELECT phone FROM matter_reporters").await);
    all
}

#[tokio::test]
async fn a_copy_of_the_database_without_the_key_shows_no_personal_number() {
    let app = TestApp::new().await;
    let officer = app.token("officer01").await;
    let id = register(&app, &officer).await;
    let raw = raw_personal(&app).await;
    assert!(raw.len() > 100, "the demo's people and parties are there: {}", raw.len());
    for value in raw.iter().filter(|v| !v.is_empty()) {
        assert!(value.starts_with("sm4gcm:k1:"), "stored in clear: {value}");
    }
    let everything = raw.join("\n");
    for plain in [NUMBER, PHONE, ADDRESS, "南大街"] {
        assert!(!everything.contains(plain), "{plain} is readable in the raw tables");
    }
    // The digest beside the number is keyed: without the key it names nothing.
    let digests = column(&app, &format!("SELECT document_digest FROM parties WHERE id = '{id}'")).await;
    assert!(digests[0].starts_with("k1:") && !digests[0].contains(NUMBER));
    // Another key does not open it, and a value moved to another row does not open there.
    let sealed =
        column(&app, &format!("SELECT document_number FROM parties WHERE id = '{id}'")).await.remove(0);
    let dir = tempfile::tempdir().unwrap();
    let stranger = Keyring::load_or_create(&dir.path().join("other.key")).unwrap();
    assert!(personal::open(&stranger, Field::PartyDocument, &id, &sealed).is_err());
    assert!(personal::open(&app.state.keys, Field::PartyDocument, "another-row", &sealed).is_err());
    assert_eq!(personal::open(&app.state.keys, Field::PartyDocument, &id, &sealed).unwrap(), NUMBER);

    // Through the system everything still works: search by the whole number, one file per
    // document, the masked view, the audited reveal.
    let found = app.get_bearer(&format!("/api/v1/parties?number={NUMBER}"), &officer).await.json();
    assert_eq!((found["total"].as_i64(), found["items"][0]["id"].as_str()), (Some(1), Some(id.as_str())));
    let again = serde_json::json!({"kind": "person", "name": "张三", "document_type": "resident_id", "document_number": NUMBER});
    assert_eq!(app.json(Method::POST, "/api/v1/parties", &officer, again).await.status, StatusCode::CONFLICT);
    let shown = app.get_bearer(&format!("/api/v1/parties/{id}"), &officer).await.json();
    assert_eq!(shown["phone_masked"], "139****5678");
    let revealed = app
        .json(Method::POST, &format!("/api/v1/parties/{id}/reveal"), &officer, serde_json::json!({}))
        .await
        .json();
    assert_eq!(
        (revealed["document_number"].as_str(), revealed["phone"].as_str()),
        (Some(NUMBER), Some(PHONE))
    );
}

#[tokio::test]
async fn a_key_rotation_reseals_every_number_and_nothing_stops_working() {
    let app = TestApp::new().await;
    let officer = app.token("officer01").await;
    let id = register(&app, &officer).await;
    // A number written before sealing existed: the next re-seal seals it too.
    app.raw("UPDATE people SET phone = '13800000000' WHERE id = (SELECT MIN(id) FROM people WHERE phone IS NOT NULL)")
        .await;
    let parties = app.count("SELECT COUNT(*) FROM parties").await as u64;
    let people = app.count("SELECT COUNT(*) FROM people WHERE phone IS NOT NULL").await as u64;

    let path = app.state.config.key_path();
    let ring = Keyring::add_key(&path).unwrap();
    assert_eq!(ring.current_id(), "k2");
    app.db.use_keys(Arc::new(ring), Some(path.clone()));
    // Before the rows are re-sealed, search finds the number under the older key's digest.
    let found = app.get_bearer(&format!("/api/v1/parties?number={NUMBER}"), &officer).await.json();
    assert_eq!(found["total"], 1);
    let done = app.db.reseal(app.clock_now()).await.unwrap();
    assert_eq!((done.parties, done.people), (parties, people));
    for value in raw_personal(&app).await.iter().filter(|v| !v.is_empty()) {
        assert!(value.starts_with("sm4gcm:k2:"), "not under the new key: {value}");
    }
    assert!(column(&app, "SELECT document_digest FROM parties").await.iter().all(|d| d.starts_with("k2:")));
    assert!(!raw_personal(&app).await.join("\n").contains("13800000000"));
    // Run again: nothing left to do.
    let again = app.db.reseal(app.clock_now()).await.unwrap();
    assert_eq!((again.parties, again.people), (0, 0));
    // Search, the reveal and the audit chain keep working; each batch is an audit record.
    let found = app.get_bearer(&format!("/api/v1/parties?number={NUMBER}"), &officer).await.json();
    assert_eq!(found["items"][0]["id"], id.as_str());
    let revealed = app
        .json(Method::POST, &format!("/api/v1/parties/{id}/reveal"), &officer, serde_json::json!({}))
        .await
        .json();
    assert_eq!(revealed["document_number"], NUMBER);
    assert!(app.audit_count("personal.reseal").await >= 2);
    assert!(matches!(app.db.verify_audit().await.unwrap(), Verification::Intact { .. }));
    // The key file keeps both keys: what k1 signed still verifies.
    assert_eq!(Keyring::load(&path).unwrap().current_id(), "k2");
}
