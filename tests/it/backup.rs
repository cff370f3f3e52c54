//! Backup while writing, restore into an empty data directory, and the refusals: a flipped
//! byte, an edited manifest, a data directory that is not empty.

use std::path::Path;

use chengguan::clock::Clock;

use chengguan::backup::{DATABASE_FILE, backup, restore, verify};
use chengguan::blobs::{BlobBackend, BlobConfig, Blobs};
use chengguan::store::audit::Verification;
use chengguan::store::{AuditCtx, AuditEvent, ConnectOptions, Db};

use crate::evidence::{jpeg, upload};
use crate::support::TestApp;

/// An empty data directory's evidence store.
fn empty_store(dir: &Path) -> Blobs {
    Blobs::open(&BlobConfig {
        staging: dir.join("evidence-staging"),
        backend: BlobBackend::Local(dir.join("evidence")),
    })
    .unwrap()
}

/// Two photos on file, then a backup taken while 200 audited writes run beside it.
async fn backed_up(app: &TestApp, to: &Path) -> chengguan::backup::Summary {
    let token = app.token("officer01").await;
    for _ in 0..2 {
        let made = upload(app, &token, &[("description", "现场照片")], "photo.jpg", &jpeg(40_000)).await;
        assert_eq!(made.status, axum::http::StatusCode::CREATED, "{}", made.body);
    }
    let writer = {
        let (db, now) = (app.db.clone(), app.clock.now());
        tokio::spawn(async move {
            for i in 0..200 {
                db.audit_only(
                    &AuditCtx::cli("test"),
                    now,
                    AuditEvent::new("test.write", "test", i.to_string()),
                )
                .await
                .unwrap();
            }
        })
    };
    let summary = backup(&app.db, &app.state.blobs, &app.state.keys, to, app.clock.now()).await.unwrap();
    writer.await.unwrap();
    summary
}

#[tokio::test]
async fn a_backup_taken_while_writing_restores_whole_and_verifies() {
    let app = TestApp::new().await;
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("backup");
    let summary = backed_up(&app, &to).await;
    let manifest = verify(&to, &app.state.keys).unwrap();
    assert_eq!(manifest.audit_seq, summary.audit_seq);
    let objects = manifest.files.keys().filter(|f| f.starts_with("evidence/sha256/")).count();
    assert!(objects >= 2, "{:?}", manifest.files.keys().collect::<Vec<_>>());
    if app.is_postgres() {
        // The database is pg_dump's; the evidence and the head are here. Restoring checks that
        // the database (here the one backed up, as pg_restore would bring it back) verifies and
        // reaches the manifest's head, and returns the evidence.
        assert_eq!(manifest.backend, "postgres");
        assert!(!to.join(DATABASE_FILE).exists());
        let target = dir.path().join("restored");
        let blobs = empty_store(&target);
        restore(&to, &app.url, &target, &blobs, &app.state.keys).await.unwrap();
        let (checked, faults) = chengguan::evidence::verify_store(&app.db, &blobs, None).await.unwrap();
        assert!(checked >= 2 && faults.is_empty(), "{checked} checked: {faults:?}");
        return;
    }
    let target = dir.path().join("restored");
    let blobs = empty_store(&target);
    let url = format!("sqlite://{}", target.join(DATABASE_FILE).display());
    let restored = restore(&to, &url, &target, &blobs, &app.state.keys).await.unwrap();
    assert_eq!(restored.audit_seq, summary.audit_seq);
    let db = Db::connect(&ConnectOptions { url, max_connections: 2, sqlite_synchronous_full: false })
        .await
        .unwrap();
    // Nothing acknowledged before the snapshot is missing, the chain verifies to the head the
    // manifest names, and every evidence record has its bytes.
    assert!(matches!(db.verify_audit().await.unwrap(), Verification::Intact { .. }));
    assert_eq!(db.audit_head().await.unwrap().0, manifest.audit_seq);
    let (checked, faults) = chengguan::evidence::verify_store(&db, &blobs, None).await.unwrap();
    assert!(checked >= 2 && faults.is_empty(), "{checked} checked: {faults:?}");
    // A second restore into the same directory is refused: it is no longer empty.
    let again = restore(
        &to,
        &format!("sqlite://{}", target.join(DATABASE_FILE).display()),
        &target,
        &blobs,
        &app.state.keys,
    )
    .await;
    assert!(again.unwrap_err().to_string().contains("empty data directory"));
}

#[tokio::test]
async fn a_flipped_byte_or_an_edited_manifest_is_refused_and_nothing_is_restored() {
    let app = TestApp::new().await;
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join("backup");
    backed_up(&app, &to).await;
    let manifest = verify(&to, &app.state.keys).unwrap();
    let object = manifest.files.keys().find(|f| f.starts_with("evidence/sha256/")).unwrap().clone();
    let path = to.join(&object);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[1000] ^= 0x01;
    std::fs::write(&path, &bytes).unwrap();
    let error = verify(&to, &app.state.keys).unwrap_err().to_string();
    assert!(error.contains(&object) && error.contains("has changed"), "{error}");
    let target = dir.path().join("restored");
    let url = format!("sqlite://{}", target.join(DATABASE_FILE).display());
    assert!(restore(&to, &url, &target, &empty_store(&target), &app.state.keys).await.is_err());
    assert!(!target.join(DATABASE_FILE).exists());
    assert_eq!(std::fs::read_dir(target.join("evidence")).map(|d| d.count()).unwrap_or(0), 0);

    // Put the byte back, then claim a different head in the manifest: the signature refuses it.
    bytes[1000] ^= 0x01;
    std::fs::write(&path, &bytes).unwrap();
    verify(&to, &app.state.keys).unwrap();
    let text = std::fs::read_to_string(to.join("manifest.json")).unwrap();
    let edited = text.replacen("\"audit_seq\": ", "\"audit_seq\": 1", 1);
    std::fs::write(to.join("manifest.json"), edited).unwrap();
    let error = verify(&to, &app.state.keys).unwrap_err().to_string();
    assert!(error.contains("signature"), "{error}");
    // A file slipped into the folder is named too.
    std::fs::write(to.join("manifest.json"), text).unwrap();
    std::fs::write(to.join("evidence/extra.bin"), b"x").unwrap();
    let error = verify(&to, &app.state.keys).unwrap_err().to_string();
    assert!(error.contains("extra.bin"), "{error}");
}

#[tokio::test]
async fn a_backup_goes_only_into_a_new_or_empty_folder() {
    let app = TestApp::new().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("something"), b"x").unwrap();
    let refused = backup(&app.db, &app.state.blobs, &app.state.keys, dir.path(), app.clock.now()).await;
    assert!(refused.unwrap_err().to_string().contains("not empty"));
}
