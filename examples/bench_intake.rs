//! Intake indicators benchmark with its own data generator (issue 17).
//!
//! Generates N matters (default 1,000,000) spread over five years up to 2026-12-04 across the
//! demo district's squads and 20 classes, every step's columns filled as the loop fills them
//! (and each row's `body` a real serialised matter, so rows are as wide as the system's), with
//! multi-row INSERTs (a generator, not the system's write path). Then last month's indicators for
//! the whole bureau through `ops::intake::indicators` (per unit and per class, every count),
//! against the hand-written query in the same run: the same counts per unit in one statement,
//! as a report writer would write it.
//!
//! Usage: cargo run --release --example bench_intake -- DATA_DIR [N]
//!    or: cargo run --release --example bench_intake -- postgres://… [N]
#![allow(clippy::print_stdout)] // A benchmark reports.

use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};

use chengguan::domain::training::Month;
use chengguan::store::{Db, Pool};

const RUNS: usize = 15;
const WARM_UP: usize = 2;

async fn measure<F, Fut>(name: &str, mut f: F) -> anyhow::Result<f64>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<usize>>,
{
    let mut ms = Vec::new();
    let mut rows = 0;
    for i in 0..WARM_UP + RUNS {
        let started = Instant::now();
        rows = f().await?;
        if i >= WARM_UP {
            ms.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    ms.sort_by(f64::total_cmp);
    let p50 = ms[ms.len() / 2];
    println!("RESULT {name}: rows={rows} n={} p50 {p50:.1} ms, max {:.1} ms", ms.len(), ms[ms.len() - 1]);
    Ok(p50)
}

/// What a report writer writes first: per squad, the month's counts in one pass.
const HAND_WRITTEN: &str = "SELECT unit_id, \
      SUM(CASE WHEN accepted_at >= $1 AND accepted_at < $2 THEN 1 ELSE 0 END), \
      SUM(CASE WHEN dispatched_at >= $1 AND dispatched_at < $2 THEN 1 ELSE 0 END), \
      SUM(CASE WHEN handled_at >= $1 AND handled_at < $2 THEN 1 ELSE 0 END), \
      SUM(CASE WHEN handled_at >= $1 AND handled_at < $2 AND handled_on_time THEN 1 ELSE 0 END), \
      SUM(CASE WHEN status = 'closed' AND closed_at >= $1 AND closed_at < $2 THEN 1 ELSE 0 END), \
      SUM(CASE WHEN status = 'closed' AND closed_at >= $1 AND closed_at < $2 AND closed_at <= close_due_at THEN 1 ELSE 0 END), \
      SUM(CASE WHEN status = 'closed' AND closed_at >= $1 AND closed_at < $2 AND rework_count > 0 THEN 1 ELSE 0 END), \
      SUM(CASE WHEN handled_at >= $1 AND handled_at < $2 AND resolution = 'service' THEN 1 ELSE 0 END) \
    FROM matters WHERE (accepted_at >= $1 AND accepted_at < $2) OR (handled_at >= $1 AND handled_at < $2) \
      OR (closed_at >= $1 AND closed_at < $2) GROUP BY unit_id";

async fn hand_written(db: &Db, from: &str, to: &str) -> anyhow::Result<usize> {
    type Row = (Option<String>, i64, i64, i64, i64, i64, i64, i64, i64);
    let rows: Vec<Row> = match db.pool() {
        Pool::Sqlite(pool) => sqlx::query_as(HAND_WRITTEN).bind(from).bind(to).fetch_all(pool).await?,
        Pool::Postgres(pool) => sqlx::query_as(HAND_WRITTEN).bind(from).bind(to).fetch_all(pool).await?,
    };
    Ok(rows.len())
}

async fn exec(db: &Db, sql: String) -> anyhow::Result<()> {
    match db.pool() {
        Pool::Sqlite(pool) => {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(pool).await?;
        }
        Pool::Postgres(pool) => {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(pool).await?;
        }
    }
    Ok(())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let target = args.next().unwrap_or_else(|| "./bench-intake".to_owned());
    let n: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1_000_000);
    let now = Utc.with_ymd_and_hms(2026, 12, 4, 2, 0, 0).unwrap();
    let postgres = target.starts_with("postgres://");
    let data = if postgres {
        std::path::PathBuf::from("./bench-intake-keys")
    } else {
        std::path::PathBuf::from(&target)
    };
    if !postgres {
        let _ = std::fs::remove_dir_all(&data);
    }
    std::fs::create_dir_all(&data)?;
    let config = chengguan::config::Config {
        data_dir: data.clone(),
        database_url: if postgres { target.clone() } else { String::new() },
        argon2_memory_kib: 64,
        argon2_iterations: 1,
        ..chengguan::config::Config::default()
    };
    let clock: chengguan::clock::SharedClock = Arc::new(chengguan::clock::ManualClock::new(now));
    let db = chengguan::app::open_db(&config, &clock).await?;
    let keys = chengguan::keys::Keyring::load_or_create(&config.key_path())?;
    chengguan::demo::seed(&db, config.hash_cost(), now, &keys).await?;
    let state = chengguan::app::state(db.clone(), clock.clone(), config, false)?;
    let squads: Vec<String> = db
        .units()
        .await?
        .into_iter()
        .filter(|u| u.kind == chengguan::domain::org::UnitKind::Squad)
        .map(|u| u.id)
        .collect();
    let classes: Vec<String> = db.matter_categories().await?.into_iter().map(|c| c.code).take(20).collect();
    // Each squad's people, who report the handling (处置人): the indicators group by them too.
    let mut handlers: Vec<Vec<String>> = Vec::new();
    for squad in &squads {
        let filter = chengguan::store::org::PeopleFilter {
            unit_id: squad.clone(),
            employment: "officer".into(),
            page: 1,
            page_size: 8,
            ..Default::default()
        };
        let page = db.people(&chengguan::store::org::Visibility::All, &filter, now.date_naive()).await?;
        handlers.push(page.rows.into_iter().map(|p| p.id).collect());
    }

    // A real matter's body, for realistic row widths.
    let centre =
        chengguan::ops::Actor::acting_as(db.account_by_username("center01").await?.expect("demo"), "bench");
    let report = chengguan::domain::intake::ReportInput {
        category: "SJ0401".into(),
        description: "南大街与西直街路口有流动摊贩占道经营，请尽快处理。".into(),
        address: "南大街与西直街交叉口".into(),
        reporter_phone: "13912345678".into(),
        ..Default::default()
    };
    let template = chengguan::ops::intake::file_matter(
        &state,
        chengguan::ops::intake::Filer::Staff(&centre, chengguan::domain::intake::Source::Hotline),
        &report,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let body = serde_json::to_string(&template)?.replace('\'', "''");

    let started = Instant::now();
    let span_minutes = 5 * 365 * 24 * 60;
    let mut seed: u64 = 0x2026_1204;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let ts = |t: chrono::DateTime<Utc>| format!("'{}'", chengguan::store::ts(t));
    let batch = 500;
    let mut done = 0;
    while done < n {
        let mut sql = String::from(
            "BEGIN; INSERT INTO matters (id, number, source, category, urgency, status, title, address, unit_id, reported_at, due_at, handle_due_at, close_due_at, accepted_at, dispatched_at, handled_at, closed_at, handled_on_time, rework_count, return_count, extension_count, defer_count, resolution, satisfaction, body, version, updated_at, handler_id) VALUES ",
        );
        for i in 0..batch.min(n - done) {
            let k = done + i;
            let reported = now - Duration::minutes((next() % span_minutes) as i64);
            let accepted = reported + Duration::minutes(20);
            let dispatched = accepted + Duration::minutes(30);
            let handled = dispatched + Duration::minutes((60 + next() % 2000) as i64);
            let closed = handled + Duration::minutes((30 + next() % 600) as i64);
            let handle_due = dispatched + Duration::hours(6);
            let close_due = handle_due + Duration::hours(20);
            let open = closed > now;
            let status = if open { "dispatched" } else { "closed" };
            let resolution = [
                "service",
                "service",
                "service",
                "service",
                "service",
                "service",
                "service",
                "management",
                "management",
                "enforcement",
            ][(next() % 10) as usize];
            let squad = (next() % squads.len() as u64) as usize;
            let handler = handlers[squad].get((next() % 8) as usize).cloned().unwrap_or_default();
            let satisfaction =
                ["'satisfied'", "'satisfied'", "'fair'", "'dissatisfied'", "NULL"][(next() % 5) as usize];
            if i > 0 {
                sql.push(',');
            }
            sql += &format!(
                "('bench-{k}', 'SX-B{k:07}', 'hotline', '{}', 'normal', '{status}', '无照经营游商：南大街', '南大街', '{}', {}, NULL, {}, {}, {}, {}, {}, {}, {}, {}, 0, {}, 0, '{resolution}', {}, '{body}', 7, {}, '{}')",
                classes[(next() % classes.len() as u64) as usize],
                squads[squad],
                ts(reported),
                ts(handle_due),
                ts(close_due),
                ts(accepted),
                ts(dispatched),
                if open { "NULL".to_owned() } else { ts(handled) },
                if open { "NULL".to_owned() } else { ts(closed) },
                if open {
                    "NULL"
                } else if handled <= handle_due {
                    "TRUE"
                } else {
                    "FALSE"
                },
                u64::from(next() % 12 == 0),
                u64::from(next() % 15 == 0),
                if open { "NULL" } else { satisfaction },
                ts(reported),
                handler,
            );
        }
        sql += "; COMMIT;";
        exec(&db, sql).await?;
        done += batch;
    }
    exec(&db, if postgres { "ANALYZE matters".to_owned() } else { "ANALYZE".to_owned() }).await?;
    println!("GENERATED {n} matters in {:.0} s", started.elapsed().as_secs_f64());

    let month = Month::of(now.date_naive()).previous();
    let (from, to) = chengguan::ops::intake::month_bounds(month);
    let (from_ts, to_ts) = (chengguan::store::ts(from), chengguan::store::ts(to));
    let ops = measure("month's indicators, ops::intake::indicators (per unit and per class)", || async {
        let view = chengguan::ops::intake::indicators(&state, &centre, month)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        Ok(view.units.len() + view.categories.len())
    })
    .await?;
    let hand =
        measure("month's counts per unit, hand-written SQL", || hand_written(&db, &from_ts, &to_ts)).await?;
    println!("RATIO indicators: {:.2}x the hand-written query", ops / hand);
    Ok(())
}
