//! Crash safety: a writer process doing concurrent audited writes is killed with SIGKILL at a
//! random moment; after it, every write it was told had committed is there, and the audit
//! chain verifies. Each round runs this test binary again as the writer
//! ([`crash_writer_child_process`]), so the writer is a real process that really dies.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use chengguan::store::audit::Verification;
use chengguan::store::{AuditCtx, AuditEvent, ConnectOptions, Db};
use rand::{Rng, SeedableRng};

use crate::support::{fresh_db, start_time};

/// Writes per round and concurrent writers in the child. The issue asks for 1,000 writes and
/// 20 rounds per backend; CI runs `CRASH_ROUNDS` (default 3) to fit its time, and
/// `CRASH_ROUNDS=20 cargo test --test it crash` runs the full size.
const WRITES: usize = 1_000;
const CONCURRENCY: usize = 32;

fn rounds() -> usize {
    std::env::var("CRASH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(3)
}

/// The writer, when this binary is started as one (`CRASH_WRITER_URL` set): `WRITES` audited
/// writes through the group commit, `CONCURRENCY` at a time, printing `ack N` once write N is
/// committed. Run as an ordinary test (the variable unset) it has nothing to do.
#[tokio::test]
async fn crash_writer_child_process() {
    let Ok(url) = std::env::var("CRASH_WRITER_URL") else { return };
    let db = Db::connect(&ConnectOptions { url, max_connections: 8, sqlite_synchronous_full: false })
        .await
        .expect("the writer connects");
    let (acks, mut acked) = tokio::sync::mpsc::unbounded_channel::<usize>();
    let semaphore = std::sync::Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    for n in 0..WRITES {
        let (db, acks, permit) = (db.clone(), acks.clone(), semaphore.clone().acquire_owned().await.unwrap());
        tokio::spawn(async move {
            let written = db
                .write(&AuditCtx::cli("crash"), start_time(), move |tx| {
                    Box::pin(async move {
                        tx.audit(AuditEvent::new("crash.write", "crash", n.to_string())).await?;
                        Ok::<(), sqlx::Error>(())
                    })
                })
                .await;
            if written.is_ok() {
                let _ = acks.send(n);
            }
            drop(permit);
        });
    }
    drop(acks);
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    while let Some(n) = acked.recv().await {
        writeln!(out, "ack {n}").unwrap();
        out.flush().unwrap();
    }
}

#[tokio::test]
async fn writes_acknowledged_before_a_kill_9_survive_it_and_the_chain_verifies() {
    let mut rng = rand::rngs::StdRng::seed_from_u64(20261204);
    for round in 0..rounds() {
        let dir = tempfile::tempdir().unwrap();
        let (db, url) = fresh_db(dir.path()).await;
        db.close().await;
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "crash::crash_writer_child_process", "--nocapture", "--test-threads=1"])
            .env("CRASH_WRITER_URL", &url)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Kill it after a random number of acknowledgements, in the middle of the writing.
        let kill_after = rng.random_range(1..WRITES * 9 / 10);
        let mut acked = Vec::new();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        for line in stdout.lines() {
            let line = line.unwrap();
            if let Some(n) = line.strip_prefix("ack ") {
                acked.push(n.parse::<usize>().unwrap());
                if acked.len() == kill_after {
                    child.kill().unwrap();
                    break;
                }
            }
        }
        child.wait().unwrap();
        assert_eq!(acked.len(), kill_after, "round {round}: the writer ended before it was killed");

        let db = Db::connect(&ConnectOptions { url, max_connections: 2, sqlite_synchronous_full: false })
            .await
            .unwrap();
        let verified = db.verify_audit().await.unwrap();
        assert!(matches!(verified, Verification::Intact { .. }), "round {round}: {verified:?}");
        let filter = chengguan::store::audit::AuditFilter {
            action: "crash.write".into(),
            page: 1,
            page_size: 500,
            ..Default::default()
        };
        let mut present = std::collections::HashSet::new();
        let mut page = 1;
        loop {
            let (records, _) = db
                .audit_records(&chengguan::store::audit::AuditFilter { page, ..filter.clone() })
                .await
                .unwrap();
            if records.is_empty() {
                break;
            }
            present.extend(records.into_iter().map(|r| r.content.object_id));
            page += 1;
        }
        let lost: Vec<usize> = acked.iter().copied().filter(|n| !present.contains(&n.to_string())).collect();
        assert!(lost.is_empty(), "round {round}: acknowledged writes lost after kill -9: {lost:?}");
        db.close().await;
    }
}
