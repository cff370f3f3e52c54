//! Case-engine benchmarks with their own data generator.
//!
//! 1. Generates N cases (default 1,000,000) spread over 2021–2026 for the demo district, open
//!    and with their statutory clocks, through the store's `insert_case` (a thousand per
//!    audited transaction), so the overdue scan has a realistic worst case: every case open.
//! 2. Measures, in the same run:
//!    - audited case writes through `Db::write` (state, timeline, clocks, audit record; 8
//!      concurrent writers, whose work SQLite commits in groups), against hand-written
//!      single-row INSERTs in one transaction each;
//!    - the overdue scan (the deadline list's query) over those cases;
//!    - case list queries (first page, a stage filter, a squad's view);
//!    - document rendering (the 行政处罚决定书 through typst).
//!
//! Usage: cargo run --release --example bench_cases -- DATA_DIR [N]
#![allow(clippy::print_stdout)] // A benchmark reports.

use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, NaiveDate, TimeZone, Utc};

use chengguan::domain::case::clocks::clocks;
use chengguan::domain::case::rules::CaseRules;
use chengguan::domain::case::{Case, Event, NewClue};
use chengguan::store::cases::{CaseFilter, CaseWrite, NewCase};
use chengguan::store::org::Visibility;
use chengguan::store::{AuditCtx, ConnectOptions, Db};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report(name: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    println!(
        "RESULT {name}: n={} p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms.len(),
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        ms[ms.len() - 1]
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().unwrap_or_else(|| "./bench-cases".to_owned());
    let n: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1_000_000);
    std::fs::create_dir_all(&dir)?;
    let url = format!("sqlite://{dir}/chengguan.db");
    let db =
        Db::connect(&ConnectOptions { url: url.clone(), max_connections: 8, sqlite_synchronous_full: false })
            .await?;
    let now = Utc.with_ymd_and_hms(2026, 11, 27, 2, 0, 0).unwrap();
    let today = now.date_naive();
    db.migrate(now).await?;
    db.import_shipped_calendar(now).await?;
    chengguan::demo::seed(&db, chengguan::auth::HashCost { memory_kib: 64, iterations: 1 }, now).await?;
    let calendar = db.work_calendar().await?;
    let rules = CaseRules::jiangsu_default();
    let squads: Vec<String> = db
        .units()
        .await?
        .into_iter()
        .filter(|u| u.kind == chengguan::domain::org::UnitKind::Squad)
        .map(|u| u.id)
        .collect();

    // One party per thousand cases, registered through the store.
    let mut parties = Vec::new();
    let passport = chengguan::domain::party::DocumentType::Passport;
    if db.party_by_document(passport, "E00000000").await?.is_some() {
        // A second run over the same directory finds them registered.
        for i in 0..(n / 1000).max(1) {
            let party = db.party_by_document(passport, &format!("E{i:08}")).await?;
            parties.push(party.ok_or_else(|| anyhow::anyhow!("party E{i:08} missing"))?.id);
        }
    } else {
        let mut tx = db.begin(&AuditCtx::cli("bench"), now).await?;
        for i in 0..(n / 1000).max(1) {
            let draft = chengguan::domain::party::PartyDraft {
                organisation: i % 3 == 0,
                name: format!("当事人{i:05}"),
                document_type: chengguan::domain::party::DocumentType::Passport,
                document_number: format!("E{i:08}"),
                birth_date: None,
                sex: None,
                legal_representative: String::new(),
                phone: None,
                address: "常州市钟楼区".into(),
            };
            parties.push(tx.insert_party(&draft).await?);
        }
        tx.commit().await?;
    }

    // --- generation ---------------------------------------------------------------------------
    // Counted directly: the list's own count stops at its cap.
    let existing: i64 = match &db {
        Db::Sqlite(pool) => sqlx::query_scalar("SELECT COUNT(*) FROM cases").fetch_one(pool).await?,
        Db::Postgres(pool) => sqlx::query_scalar("SELECT COUNT(*) FROM cases").fetch_one(pool).await?,
    };
    let existing = existing as usize;
    let started = Instant::now();
    let first_day = NaiveDate::from_ymd_opt(2021, 1, 4).unwrap();
    let span = (today - first_day).num_days();
    let mut written = existing;
    while written < n {
        let batch = 1000.min(n - written);
        let mut tx = db.begin(&AuditCtx::cli("bench"), now).await?;
        for i in 0..batch {
            let k = written + i;
            let clue_on = first_day + Duration::days((k as i64 * 7919) % span);
            let clue = NewClue {
                organisation: k.is_multiple_of(3),
                business_activity: false,
                clue_on,
                act_on: clue_on,
                serious_harm: false,
            };
            let (case, event) = Case::open(&clue, today).map_err(|e| anyhow::anyhow!("{e}"))?;
            let id = uuid::Uuid::new_v4().to_string();
            let clock_list = clocks(&case, &calendar, &rules);
            let new = NewCase {
                category: "street_vending",
                item_code: None,
                party_id: &parties[k % parties.len()],
                unit_id: &squads[k % squads.len()],
                title: "擅自占用城市道路设摊经营",
                location: "南大街",
                source: "patrol",
            };
            let number = format!("G{k:09}");
            tx.insert_case(
                &id,
                &number,
                &new,
                &CaseWrite { case: &case, event: &event, clocks: &clock_list, major: false },
            )
            .await?;
        }
        tx.commit().await?;
        written += batch;
        if written.is_multiple_of(100_000) {
            println!("generated {written} cases, {:.0} s", started.elapsed().as_secs_f64());
        }
    }
    if n > existing {
        println!("GENERATED {} cases in {:.1} s", n - existing, started.elapsed().as_secs_f64());
    }

    // --- 1. audited case writes -----------------------------------------------------------------
    let writes = 8_000usize;
    let db = Arc::new(db);
    let calendar = Arc::new(calendar);
    let parties = Arc::new(parties);
    let squads = Arc::new(squads);
    let run = written;
    // Eight writers, then thirty-two: group commit shares a transaction among the writers
    // waiting, so throughput grows with them while each write stays short. Last, thirty-two
    // with `synchronous=FULL` (every commit reaches the disk: the application's default).
    let durable = Arc::new(
        Db::connect(&ConnectOptions { url, max_connections: 8, sqlite_synchronous_full: true }).await?,
    );
    for (writers, full) in [(8usize, false), (32, false), (32, true)] {
        let target = if full { durable.clone() } else { db.clone() };
        let sync = if full { "FULL" } else { "NORMAL" };
        let started = Instant::now();
        let mut handles = Vec::new();
        for w in 0..writers {
            let (db, calendar, parties, squads) =
                (target.clone(), calendar.clone(), parties.clone(), squads.clone());
            handles.push(tokio::spawn(async move {
                let rules = CaseRules::jiangsu_default();
                let mut latencies = Vec::new();
                for i in 0..writes / writers {
                    let t = Instant::now();
                    let clue = NewClue {
                        organisation: false,
                        business_activity: false,
                        clue_on: today,
                        act_on: today,
                        serious_harm: false,
                    };
                    let (case, event): (Case, Event) = Case::open(&clue, today).expect("valid clue");
                    let clock_list = clocks(&case, &calendar, &rules);
                    // Ids as the application makes them: UUIDv7, time-ordered.
                    let id = chengguan::store::new_id(now + Duration::milliseconds((w * writes + i) as i64));
                    // Numbers of earlier runs over the same directory are taken: the case count tells runs apart.
                    let number = format!("W{run}-{writers}{sync}-{w}-{i:07}");
                    let (party, squad) =
                        (parties[i % parties.len()].clone(), squads[w % squads.len()].clone());
                    // Through the application's write path: concurrent writers share commits.
                    db.write(&AuditCtx::cli("bench"), now, move |tx| {
                        Box::pin(async move {
                            let new = NewCase {
                                category: "street_vending",
                                item_code: None,
                                party_id: &party,
                                unit_id: &squad,
                                title: "擅自占用城市道路设摊经营",
                                location: "南大街",
                                source: "patrol",
                            };
                            let write =
                                CaseWrite { case: &case, event: &event, clocks: &clock_list, major: false };
                            tx.insert_case(&id, &number, &new, &write).await
                        })
                    })
                    .await
                    .expect("write");
                    latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                }
                latencies
            }));
        }
        let mut latencies = Vec::new();
        for h in handles {
            latencies.extend(h.await?);
        }
        let elapsed = started.elapsed().as_secs_f64();
        println!(
            "RATIO case_writes: {writes} audited case writes in {elapsed:.2} s = {:.0}/s ({writers} writers, synchronous={sync})",
            writes as f64 / elapsed
        );
        report(&format!("case_write_latency_{writers}_writers_{sync}"), latencies);
    }

    // Baseline: hand-written SQL, one single-row INSERT per transaction, eight writers.
    let writers = 8usize;
    if let Db::Sqlite(pool) = db.as_ref() {
        sqlx::raw_sql("CREATE TABLE IF NOT EXISTS bench_rows (id TEXT PRIMARY KEY, body TEXT NOT NULL)")
            .execute(pool)
            .await?;
        let started = Instant::now();
        let mut handles = Vec::new();
        for _ in 0..writers {
            let pool = pool.clone();
            handles.push(tokio::spawn(async move {
                for _ in 0..writes / writers {
                    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.expect("begin");
                    sqlx::query("INSERT INTO bench_rows (id, body) VALUES ($1, $2)")
                        .bind(uuid::Uuid::new_v4().to_string())
                        .bind("x".repeat(900))
                        .execute(&mut *tx)
                        .await
                        .expect("insert");
                    tx.commit().await.expect("commit");
                }
            }));
        }
        for h in handles {
            h.await?;
        }
        let elapsed = started.elapsed().as_secs_f64();
        println!(
            "BASELINE raw_insert: {writes} single-row transactions in {elapsed:.2} s = {:.0}/s",
            writes as f64 / elapsed
        );
    }

    // --- 2. overdue scan -------------------------------------------------------------------------
    let mut scan = Vec::new();
    let mut found = 0;
    for _ in 0..30 {
        let t = Instant::now();
        found = db.due_clocks(&Visibility::All, today, true, 1000).await?.len();
        scan.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    println!("overdue scan returned the first {found} of the open duty clocks past their end");
    report("overdue_scan", scan);
    let t = Instant::now();
    let raised = db.raise_alerts(today, now).await?;
    println!(
        "RESULT raise_alerts: {raised} warnings raised in {:.2} s (first run over all cases)",
        t.elapsed().as_secs_f64()
    );

    // --- 3. case list queries ----------------------------------------------------------------------
    let squad_view = Visibility::Subtree(squads[0].clone());
    // The last one searches a party's name: a thousandth of the cases match, scattered, so the
    // capped count still reads every row (text search has no index).
    for (name, visibility, stage, text) in [
        ("case_list_all", Visibility::All, "", ""),
        ("case_list_stage", Visibility::All, "clue", ""),
        ("case_list_squad", squad_view, "", ""),
        ("case_list_party_name", Visibility::All, "", "当事人00042"),
    ] {
        let mut times = Vec::new();
        for _ in 0..50 {
            let filter = CaseFilter {
                stage: stage.into(),
                text: text.into(),
                page: 1,
                page_size: 20,
                ..Default::default()
            };
            let t = Instant::now();
            db.cases(&visibility, &filter).await?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        report(name, times);
    }

    // --- 4. document rendering ---------------------------------------------------------------------
    let fonts =
        docgen::Fonts::load([chengguan::app::SHIPPED_FONT.to_vec()]).map_err(|e| anyhow::anyhow!(e))?;
    let template = format!(
        "{}\n{}",
        include_str!("../templates/documents/prelude.typ"),
        include_str!("../templates/documents/penalty_decision.typ")
    );
    let data = include_str!("bench_decision.json");
    let started = Instant::now();
    let docs = 20;
    let mut size = 0;
    for _ in 0..docs {
        size = docgen::render(&template, data, &fonts, (2026, 11, 27))
            .map_err(|e| anyhow::anyhow!(e))?
            .pdf
            .len();
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "RESULT document_render: {docs} 行政处罚决定书 in {elapsed:.2} s = {:.1}/s ({size} bytes each)",
        docs as f64 / elapsed
    );
    Ok(())
}
