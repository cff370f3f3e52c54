//! Data generator for the audit benchmark: appends N realistic audit records (default
//! 1,000,000) to the database named by `--database-url` (or the SQLite file in `--data-dir`),
//! through the same `AuditedTx::audit` the application uses, a thousand per transaction.
//!
//! Usage: cargo run --release --example gen_audit -- DATA_DIR [N]
#![allow(clippy::print_stdout)] // A generator reports its progress.

use chrono::{Duration, TimeZone, Utc};

use chengguan::store::{AuditCtx, AuditEvent, ConnectOptions, Db};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let target = args.next().unwrap_or_else(|| "./bench-data".to_owned());
    let n: u64 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1_000_000);
    let url = if target.starts_with("postgres") {
        target
    } else {
        std::fs::create_dir_all(&target)?;
        format!("sqlite://{target}/chengguan.db")
    };
    let db = Db::connect(&ConnectOptions { url, max_connections: 2, sqlite_synchronous_full: false }).await?;
    let start = Utc.with_ymd_and_hms(2025, 1, 2, 1, 0, 0).unwrap();
    db.migrate(start).await?;
    let actions = ["login.success", "person.update", "audit.query", "certificate.create", "login.failure"];
    let started = std::time::Instant::now();
    let mut written = 0u64;
    while written < n {
        let now = start + Duration::seconds(written as i64 * 3);
        let ctx = AuditCtx {
            actor: format!("officer{:02}", written % 40),
            role: "officer".into(),
            source: format!("10.12.{}.{}", written % 200, written % 250),
            request_id: format!("{written:016x}"),
        };
        let mut tx = db.begin(&ctx, now).await?;
        let batch = 1000.min(n - written);
        for i in 0..batch {
            let k = written + i;
            tx.audit(
                AuditEvent::new(actions[(k % 5) as usize], "person", format!("01a2{k:028x}"))
                    .details(serde_json::json!({ "version": k % 17, "unit_id": format!("u{}", k % 13) })),
            )
            .await?;
        }
        tx.commit().await?;
        written += batch;
        if written.is_multiple_of(100_000) {
            println!("{written} records, {:.0} s", started.elapsed().as_secs_f64());
        }
    }
    println!("generated {n} audit records in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}
