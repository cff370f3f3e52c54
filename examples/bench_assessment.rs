//! Squad assessment benchmark with its own data generator (issue 16).
//!
//! Generates N cases (default 1,000,000) over five years up to 2026-12-04 across the demo
//! district's squads, each with the rows the monthly assessment reads as the case engine writes
//! them: its filing, an inspection (an act that must be filmed; four in five with a recording
//! row), its decision (one in twenty major, nineteen in twenty of those reviewed first) and its
//! closing as steps; its handling term (met in time, met late, or open) and the party's payment
//! term as clocks. Multi-row INSERTs: a generator, not the system's write path. Then last month's
//! assessment of every squad through `ops::assessment::compute` (the year's scheme of seven
//! computed indicators and two recorded ones), against the hand-written queries in the same run:
//! the five case, recording and certificate counts and the month's 学习日 compliance per squad,
//! one statement each, as a report writer would write them. The training data is the demo's
//! year of studies (`demo::seed_training`: every squad's political and business studies with
//! their attendance).
//!
//! Usage: cargo run --release --example bench_assessment -- DATA_DIR [N]
//!    or: cargo run --release --example bench_assessment -- postgres://… [N]
#![allow(clippy::print_stdout)] // A benchmark reports.

use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};

use chengguan::domain::assessment::{IndicatorInput, Period};
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

/// What a report writer writes: each count per unit in one statement ($1, $2 the month's days,
/// $3, $4 its instants).
const HAND_WRITTEN: [&str; 6] = [
    "SELECT unit_id, SUM(CASE WHEN met_on <= due_on THEN 1 ELSE 0 END), COUNT(*) FROM case_clocks \
     WHERE kind = 'handling' AND ((met_on >= $1 AND met_on <= $2) OR (met_on IS NULL AND due_on >= $1 AND due_on <= $2)) \
     GROUP BY unit_id",
    "SELECT unit_id, COUNT(*), COUNT(*) FROM case_clocks WHERE duty AND due_on >= $1 AND due_on <= $2 \
     AND (met_on IS NULL OR met_on > due_on) GROUP BY unit_id",
    "SELECT c.unit_id, SUM(CASE WHEN EXISTS (SELECT 1 FROM case_events r WHERE r.case_id = d.case_id AND r.code = 'review') \
     THEN 1 ELSE 0 END), COUNT(*) FROM case_events d JOIN cases c ON c.id = d.case_id \
     WHERE d.code = 'decide' AND d.at >= $3 AND d.at < $4 AND c.major GROUP BY c.unit_id",
    "SELECT c.unit_id, SUM(CASE WHEN EXISTS (SELECT 1 FROM evidence_items e WHERE e.case_id = ev.case_id \
     AND e.case_event_seq = ev.seq) THEN 1 ELSE 0 END), COUNT(*) FROM case_events ev JOIN cases c ON c.id = ev.case_id \
     WHERE ev.code = 'record_act' AND ev.at >= $3 AND ev.at < $4 GROUP BY c.unit_id",
    "SELECT p.unit_id, SUM(CASE WHEN EXISTS (SELECT 1 FROM certificates c WHERE c.person_id = p.id AND c.status = 'valid' \
     AND c.valid_to >= $2) THEN 1 ELSE 0 END), COUNT(*) FROM people p WHERE p.employment = 'officer' GROUP BY p.unit_id",
    // The month's 学习日: one political and two business studies attended per person.
    "SELECT p.unit_id, SUM(CASE WHEN (SELECT COUNT(*) FROM training_attendance a JOIN training_sessions s ON s.id = a.session_id \
     WHERE a.person_id = p.id AND a.status <> 'leave' AND s.kind = 'political' AND s.starts_at >= $3 AND s.starts_at < $4) >= 1 \
     AND (SELECT COUNT(*) FROM training_attendance a JOIN training_sessions s ON s.id = a.session_id \
     WHERE a.person_id = p.id AND a.status <> 'leave' AND s.kind = 'business' AND s.starts_at >= $3 AND s.starts_at < $4) >= 2 \
     THEN 1 ELSE 0 END), COUNT(*) FROM people p WHERE p.active GROUP BY p.unit_id",
];

async fn hand_written(db: &Db, days: (&str, &str), instants: (&str, &str)) -> anyhow::Result<usize> {
    type Row = (String, Option<i64>, i64);
    let mut n = 0;
    for sql in HAND_WRITTEN {
        let rows: Vec<Row> = match db.pool() {
            Pool::Sqlite(pool) => {
                sqlx::query_as(sql)
                    .bind(days.0)
                    .bind(days.1)
                    .bind(instants.0)
                    .bind(instants.1)
                    .fetch_all(pool)
                    .await?
            }
            Pool::Postgres(pool) => {
                // PostgreSQL's SUM over integers is numeric: cast back for the comparison's sake.
                let sql = sql.replace("SUM(", "CAST(SUM(").replace(" END), COUNT", " END) AS BIGINT), COUNT");
                sqlx::query_as(sqlx::AssertSqlSafe(sql))
                    .bind(days.0)
                    .bind(days.1)
                    .bind(instants.0)
                    .bind(instants.1)
                    .fetch_all(pool)
                    .await?
            }
        };
        n += rows.len();
    }
    Ok(n)
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
    let target = args.next().unwrap_or_else(|| "./bench-assessment".to_owned());
    let n: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(1_000_000);
    let now = Utc.with_ymd_and_hms(2026, 12, 4, 2, 0, 0).unwrap();
    let postgres = target.starts_with("postgres://");
    let data = if postgres {
        std::path::PathBuf::from("./bench-assessment-keys")
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
    // Cases need a party and a category; one party of the registry stands for all.
    let office =
        chengguan::ops::Actor::acting_as(db.account_by_username("office01").await?.expect("demo"), "bench");
    // The demo's cases bring the registry's parties (and a few real cases beside the generated);
    // its training year brings the sessions and the attendance the 学习日 indicator reads.
    chengguan::demo::seed_cases(&state).await?;
    let sessions = chengguan::demo::seed_training(&db, now).await?;
    println!("TRAINING {sessions} sessions of the demo's year");
    let party: String = match db.pool() {
        Pool::Sqlite(pool) => sqlx::query_scalar("SELECT id FROM parties LIMIT 1").fetch_one(pool).await?,
        Pool::Postgres(pool) => sqlx::query_scalar("SELECT id FROM parties LIMIT 1").fetch_one(pool).await?,
    };
    // A case body about as wide as a small case's.
    let body = format!("{{\"bench\":true,\"note\":\"{}\"}}", "擅自占用城市道路经营，责令改正。".repeat(20));

    let started = Instant::now();
    let span_days = 5 * 365;
    let mut seed: u64 = 0x2026_1204;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let ts = |t: chrono::DateTime<Utc>| format!("'{}'", chengguan::store::ts(t));
    let day = |t: chrono::DateTime<Utc>| format!("'{}'", t.date_naive());
    // SQLite keeps booleans as integers; PostgreSQL's evidence columns are booleans.
    let false_ = if postgres { "FALSE" } else { "0" };
    let batch = 400;
    let mut done = 0;
    while done < n {
        let count = batch.min(n - done);
        let (mut cases, mut events, mut clocks, mut items) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for i in 0..count {
            let k = done + i;
            let filed = now - Duration::days((next() % span_days) as i64) - Duration::hours(3);
            let unit = &squads[(next() % squads.len() as u64) as usize];
            let major = next() % 20 == 0;
            let decided = filed + Duration::days((5 + next() % 100) as i64);
            let closed = decided + Duration::days(30);
            let stage = if closed < now {
                "closed"
            } else if decided < now {
                "execution"
            } else {
                "investigation"
            };
            cases.push(format!(
                "('bench-{k}', 'ZL-B{k:07}', 'general', '{stage}', 'street_vending', '{party}', '{unit}', '占道经营', 'patrol', {major}, '{body}', 1, {}, {})",
                ts(filed),
                ts(filed)
            ));
            events.push(format!("('bench-{k}', 1, {}, 'bench', 'file', '立案', '{{}}')", ts(filed)));
            events.push(format!(
                "('bench-{k}', 2, {}, 'bench', 'record_act', '现场检查', '{{\"kind\":\"inspection\"}}')",
                ts(filed + Duration::days(1))
            ));
            if next() % 5 != 0 {
                items.push(format!(
                    "('bench-e{k}', '', '', 0, 'mp4', 'video', '', '', '{unit}', 'bench', 'bench', {}, {false_}, '', '', 'bench-{k}', '', {false_}, 1, 2)",
                    ts(filed + Duration::days(1))
                ));
            }
            if decided < now {
                if major && next() % 20 != 0 {
                    events.push(format!(
                        "('bench-{k}', 3, {}, 'bench', 'review', '法制审核', '{{}}')",
                        ts(decided - Duration::days(2))
                    ));
                }
                events.push(format!(
                    "('bench-{k}', 4, {}, 'bench', 'decide', '作出决定', '{{}}')",
                    ts(decided)
                ));
            }
            if closed < now {
                events.push(format!("('bench-{k}', 5, {}, 'bench', 'close', '结案', '{{}}')", ts(closed)));
            }
            let due = filed + Duration::days(90);
            let met = if decided < now && next() % 10 != 0 { day(decided) } else { "NULL".to_owned() };
            clocks.push(format!(
                "('bench-{k}', 'handling', 0, '{unit}', {}, {}, FALSE, TRUE, {met})",
                day(filed),
                day(due)
            ));
            if decided < now {
                let paid =
                    if next() % 4 == 0 { "NULL".to_owned() } else { day(decided + Duration::days(10)) };
                clocks.push(format!(
                    "('bench-{k}', 'payment', 0, '{unit}', {}, {}, FALSE, FALSE, {paid})",
                    day(decided),
                    day(decided + Duration::days(15))
                ));
            }
        }
        let mut sql = String::from(
            "BEGIN; INSERT INTO cases (id, number, procedure, stage, category, party_id, unit_id, title, source, major, body, version, created_at, updated_at) VALUES ",
        );
        sql += &cases.join(",");
        sql += "; INSERT INTO case_events (case_id, seq, at, actor, code, summary, details) VALUES ";
        sql += &events.join(",");
        sql += "; INSERT INTO case_clocks (case_id, kind, n, unit_id, start_on, due_on, provisional, duty, met_on) VALUES ";
        sql += &clocks.join(",");
        if !items.is_empty() {
            sql += "; INSERT INTO evidence_items (id, sha256, sm3, size, media_type, kind, description, original_name, \
                    unit_id, collected_by, uploaded_by, received_at, clock_skew, location, device_no, case_id, act, \
                    legal_hold, version, case_event_seq) VALUES ";
            sql += &items.join(",");
        }
        sql += "; COMMIT;";
        exec(&db, sql).await?;
        done += count;
    }
    exec(&db, "ANALYZE".to_owned()).await?;
    println!("GENERATED {n} cases in {:.0} s", started.elapsed().as_secs_f64());

    // The year's scheme, adopted, as the demo's.
    let year = 2026;
    chengguan::ops::assessment::save_scheme(&state, &office, year, "100", None)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    for (name, source, metric, rule, weight, per) in [
        ("办案按期率", "computed", "handling_on_time", "rate", "20", ""),
        ("法定期限超期", "computed", "deadlines_missed", "deduct", "10", "2"),
        ("重大案件法制审核率", "computed", "legal_review", "rate", "10", ""),
        ("执法全过程记录率", "computed", "recording", "rate", "15", ""),
        ("持证上岗率", "computed", "certificates", "rate", "10", ""),
        ("学习日达标率", "computed", "training", "rate", "10", ""),
        ("事项按期处置率", "computed", "matters_on_time", "rate", "10", ""),
        ("日常检查与专项督查", "recorded", "", "deduct", "10", ""),
        ("通报表扬", "recorded", "", "award", "5", ""),
    ] {
        let input = IndicatorInput {
            name: name.into(),
            source: source.into(),
            metric: metric.into(),
            rule: rule.into(),
            weight: weight.into(),
            per: per.into(),
            note: String::new(),
        };
        chengguan::ops::assessment::add_indicator(&state, &office, year, &input)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    }
    let version = db.assessment_scheme(year).await?.expect("saved").version;
    chengguan::ops::assessment::adopt(&state, &office, year, version)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;

    let month = Month::of(now.date_naive()).previous();
    let period = Period::Month(month);
    let today = now.date_naive();
    let (first, last) = (period.first_day().to_string(), period.last_day().to_string());
    let from = chengguan::store::ts(chengguan::domain::time::start_of_civil_day(period.first_day()));
    let to = chengguan::store::ts(chengguan::domain::time::start_of_civil_day(month.next().first_day()));
    let ops =
        measure("month's assessment, ops::assessment::compute (every squad, nine indicators)", || async {
            let results = chengguan::ops::assessment::compute(&db, period, today)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            Ok(results.len())
        })
        .await?;
    let hand = measure("the five case, recording and certificate counts and the training compliance per unit, hand-written SQL", || {
        hand_written(&db, (&first, &last), (&from, &to))
    })
    .await?;
    println!("RATIO assessment: {:.2}x the hand-written queries", ops / hand);
    Ok(())
}
