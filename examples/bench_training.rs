//! Training compliance benchmark with its own data generator (issue 15).
//!
//! 1. The demo district: the demo bureau with its year of training (`demo::seed_training`),
//!    and last month's compliance of everyone (`ops::training::compliance`).
//! 2. A province: N people (default 50,000) in 20 brigades of 10 squads, each squad holding its
//!    fixed study days (one political and two business studies a month) for Y years (default
//!    5), each person attending about two sessions in three (≈ 6M attendance rows), written
//!    with multi-row INSERTs (a generator, not the system's write path). Then last month's
//!    compliance of everyone through `ops::training::compliance`, against the hand-written
//!    query that counts each person's political and business studies of the month in SQL
//!    (no make-ups, no exemptions: what a report writer would write first).
//!
//! Usage: cargo run --release --example bench_training -- DATA_DIR [N] [YEARS]
//!    or: cargo run --release --example bench_training -- postgres://… [N] [YEARS]
#![allow(clippy::print_stdout)] // A benchmark reports.

use std::time::Instant;

use chrono::{Duration, NaiveDate, TimeZone, Utc};

use chengguan::domain::training::Month;
use chengguan::store::{ConnectOptions, Db, Pool};

/// Measured runs of each query, after [`WARM_UP`] unmeasured ones.
const RUNS: usize = 15;
const WARM_UP: usize = 2;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Runs `f` [`WARM_UP`] + [`RUNS`] times; prints and answers the median in milliseconds.
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
    let p50 = percentile(&ms, 0.5);
    println!(
        "RESULT {name}: rows={rows} n={} p50 {p50:.1} ms, p90 {:.1} ms, max {:.1} ms",
        ms.len(),
        percentile(&ms, 0.9),
        ms[ms.len() - 1]
    );
    Ok(p50)
}

/// The hand-written query: each person in service during the month with the political and
/// business studies they attended in it, counted in SQL from the month's sessions outward
/// (the month's sessions by their start, their attendance by its key, then per person).
const HAND_WRITTEN: &str = "SELECT p.id, p.name, u.name, COALESCE(c.political, 0), COALESCE(c.business, 0) \
     FROM people p JOIN units u ON u.id = p.unit_id \
     LEFT JOIN (SELECT a.person_id, \
                       SUM(CASE WHEN s.kind = 'political' THEN 1 ELSE 0 END) AS political, \
                       SUM(CASE WHEN s.kind = 'business' THEN 1 ELSE 0 END) AS business \
                FROM training_sessions s JOIN training_attendance a ON a.session_id = s.id \
                WHERE s.starts_at >= $1 AND s.starts_at < $2 AND a.status <> 'leave' \
                GROUP BY a.person_id) c ON c.person_id = p.id \
     WHERE (p.joined_on IS NULL OR p.joined_on <= $4) AND (p.left_on IS NULL OR p.left_on >= $3)";

async fn hand_written(db: &Db, month: Month) -> anyhow::Result<usize> {
    let from = (month.first_day() - Duration::days(1)).to_string();
    let to = (month.last_day() + Duration::days(1)).to_string();
    let (first, last) = (month.first_day().to_string(), month.last_day().to_string());
    type Row = (String, String, String, i64, i64);
    let rows: Vec<Row> = match db.pool() {
        Pool::Sqlite(pool) => {
            sqlx::query_as(HAND_WRITTEN)
                .bind(&from)
                .bind(&to)
                .bind(&first)
                .bind(&last)
                .fetch_all(pool)
                .await?
        }
        Pool::Postgres(pool) => {
            sqlx::query_as(HAND_WRITTEN)
                .bind(&from)
                .bind(&to)
                .bind(&first)
                .bind(&last)
                .fetch_all(pool)
                .await?
        }
    };
    Ok(rows.len())
}

/// Runs one statement on either backend.
async fn exec(db: &Db, sql: &str) -> anyhow::Result<()> {
    match db.pool() {
        Pool::Sqlite(pool) => {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).execute(pool).await?;
        }
        Pool::Postgres(pool) => {
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).execute(pool).await?;
        }
    }
    Ok(())
}

async fn open(target: &str) -> anyhow::Result<Db> {
    let url = if target.starts_with("postgres://") {
        target.to_owned()
    } else {
        std::fs::create_dir_all(target)?;
        format!("sqlite://{target}/chengguan.db")
    };
    Ok(Db::connect(&ConnectOptions { url, max_connections: 8, sqlite_synchronous_full: false }).await?)
}

/// A string literal for generated SQL (the generator's own ASCII and CJK text; no quotes).
fn lit(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let target = args.next().unwrap_or_else(|| "./bench-training".to_owned());
    let people: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(50_000);
    let years: u32 = args.next().map(|s| s.parse()).transpose()?.unwrap_or(5);
    let now = Utc.with_ymd_and_hms(2026, 12, 4, 2, 0, 0).unwrap();
    let this_month = Month::of(now.date_naive());
    let last_month = this_month.previous();
    let postgres = target.starts_with("postgres://");

    // 1. The demo district, in a database of its own (on PostgreSQL, the same one first).
    let district_target = if postgres { target.clone() } else { format!("{target}/district") };
    let db = open(&district_target).await?;
    db.migrate(now).await?;
    let keys = chengguan::keys::Keyring::load_or_create(
        &std::path::Path::new(if postgres { "./bench-training-keys" } else { &target })
            .join("keys/chengguan.key"),
    )?;
    chengguan::demo::seed(&db, chengguan::auth::HashCost { memory_kib: 64, iterations: 1 }, now, &keys)
        .await?;
    chengguan::demo::seed_training(&db, now).await?;
    let district = || async {
        let rows = chengguan::ops::training::compliance(&db, last_month, None)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        Ok(rows.len())
    };
    let ops_district = measure("district month, ops::training::compliance", district).await?;
    let hand_district = measure("district month, hand-written SQL", || hand_written(&db, last_month)).await?;
    println!("RATIO district: {:.2}x the hand-written query", ops_district / hand_district);

    // 2. The province.
    let db = if postgres {
        db
    } else {
        let dir = format!("{target}/province");
        let _ = std::fs::remove_dir_all(&dir);
        let db = open(&dir).await?;
        db.migrate(now).await?;
        chengguan::demo::seed(&db, chengguan::auth::HashCost { memory_kib: 64, iterations: 1 }, now, &keys)
            .await?;
        db
    };
    let started = Instant::now();
    let root = db.units().await?.into_iter().find(|u| u.parent_id.is_none()).expect("the demo bureau").id;
    let stamp = "2021-01-01T00:00:00Z";
    let mut squads = Vec::new();
    let mut sql = String::from("BEGIN;");
    for b in 0..20 {
        let brigade = format!("bench-brigade-{b:02}");
        sql += &format!(
            "INSERT INTO units (id, parent_id, kind, name, code, sort_order, created_at, updated_at) VALUES \
             ({}, {}, 'brigade', {}, {}, {}, '{stamp}', '{stamp}');",
            lit(&brigade),
            lit(&root),
            lit(&format!("第{}执法大队", b + 1)),
            lit(&format!("BENCH-B{b:02}")),
            100 + b
        );
        for s in 0..10 {
            let squad = format!("bench-squad-{b:02}-{s}");
            sql += &format!(
                "INSERT INTO units (id, parent_id, kind, name, code, sort_order, created_at, updated_at) VALUES \
                 ({}, {}, 'squad', {}, {}, {}, '{stamp}', '{stamp}');",
                lit(&squad),
                lit(&brigade),
                lit(&format!("第{}大队第{}中队", b + 1, s + 1)),
                lit(&format!("BENCH-S{b:02}{s}")),
                1000 + b * 10 + s
            );
            squads.push(squad);
        }
    }
    sql += "COMMIT;";
    exec(&db, &sql).await?;
    // People, a squad's worth at a time.
    let per_squad = people.div_ceil(squads.len());
    let mut members: Vec<Vec<String>> = vec![Vec::new(); squads.len()];
    let mut values = Vec::new();
    for i in 0..people {
        let squad = i % squads.len();
        let id = format!("bench-person-{i:06}");
        values.push(format!(
            "({}, {}, 'male', {}, 'officer', '2020-01-01', '2020-01-01', '{stamp}', '{stamp}')",
            lit(&id),
            lit(&format!("人员{i}")),
            lit(&squads[squad])
        ));
        members[squad].push(id);
        if values.len() == 1000 || i + 1 == people {
            exec(
                &db,
                &format!(
                    "INSERT INTO people (id, name, gender, unit_id, employment, joined_on, onboarded_on, created_at, updated_at) VALUES {}",
                    values.join(",")
                ),
            )
            .await?;
            values.clear();
        }
    }
    // Sessions and attendance: three a month per squad, two in three people at each.
    let first = {
        let mut m = this_month;
        for _ in 0..years * 12 {
            m = m.previous();
        }
        m
    };
    let mut attendance = 0usize;
    let mut month = first;
    let mut n = 0usize;
    let mut rows = Vec::new();
    let mut sessions = Vec::new();
    while month < this_month {
        for (q, squad) in squads.iter().enumerate() {
            for (k, (kind, day)) in
                [("political", 3u32), ("business", 10), ("business", 20)].into_iter().enumerate()
            {
                let on = NaiveDate::from_ymd_opt(month.year, month.month, day).expect("a day");
                let starts = format!("{on}T07:00:00Z");
                let id = format!("bench-session-{n:07}");
                n += 1;
                sessions.push(format!(
                    "({}, {}, '{kind}', '固定学习日', '', '{starts}', '{on}T09:00:00Z', '{stamp}')",
                    lit(&id),
                    lit(squad)
                ));
                for (p, person) in members[q].iter().enumerate() {
                    // Two in three, varying by person, month and session.
                    if !(p + k + month.month as usize + n).is_multiple_of(3) {
                        rows.push(format!("({}, {}, 'present', 'code', '{starts}')", lit(&id), lit(person)));
                    }
                }
            }
            if rows.len() >= 20_000 {
                attendance += flush(&db, &mut sessions, &mut rows).await?;
            }
        }
        month = month.next();
    }
    attendance += flush(&db, &mut sessions, &mut rows).await?;
    if let Pool::Postgres(pool) = db.pool() {
        sqlx::raw_sql("VACUUM ANALYZE").execute(pool).await?;
    } else {
        exec(&db, "ANALYZE").await?;
    }
    println!(
        "GENERATED {people} people ({per_squad} a squad in {} squads), {n} sessions, {attendance} attendance rows in {:.0} s",
        squads.len(),
        started.elapsed().as_secs_f64()
    );
    let province = || async {
        let rows = chengguan::ops::training::compliance(&db, last_month, None)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        Ok(rows.len())
    };
    let ops_province = measure("province month, ops::training::compliance", province).await?;
    let hand_province = measure("province month, hand-written SQL", || hand_written(&db, last_month)).await?;
    println!("RATIO province: {:.2}x the hand-written query", ops_province / hand_province);
    Ok(())
}

/// Writes the sessions and attendance gathered so far, one transaction; answers the rows.
async fn flush(db: &Db, sessions: &mut Vec<String>, rows: &mut Vec<String>) -> anyhow::Result<usize> {
    let mut sql = String::from("BEGIN;");
    for chunk in sessions.chunks(500) {
        sql += &format!(
            "INSERT INTO training_sessions (id, unit_id, kind, topic, categories, starts_at, ends_at, created_at) VALUES {};",
            chunk.join(",")
        );
    }
    for chunk in rows.chunks(1000) {
        sql += &format!(
            "INSERT INTO training_attendance (session_id, person_id, status, how, at) VALUES {};",
            chunk.join(",")
        );
    }
    sql += "COMMIT;";
    exec(db, &sql).await?;
    let n = rows.len();
    sessions.clear();
    rows.clear();
    Ok(n)
}
