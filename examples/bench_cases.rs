//! Case-engine benchmarks with their own data generator.
//!
//! 1. Generates N cases (default 1,000,000) spread over 2021–2026 for the demo district, open
//!    and with their statutory clocks, through the store's `insert_case` (a thousand per
//!    audited transaction), so the overdue scan has a realistic worst case: every case open.
//! 2. Measures, in the same run:
//!    - audited case writes through `Db::write` (state, timeline, clocks, audit record; 8
//!      concurrent writers, whose work SQLite commits in groups), against hand-written
//!      single-row INSERTs in one transaction each, and against the same writes by one caller
//!      a thousand to a transaction (what the statements alone allow);
//!    - the overdue scan (the deadline list's query) over those cases;
//!    - case list queries (first page, a stage filter, a squad's view) and text searches;
//!    - document rendering (the 行政处罚决定书 through typst).
//!
//! Usage: cargo run --release --example bench_cases -- DATA_DIR [N]
//!    or: cargo run --release --example bench_cases -- postgres://… [N]  (the same on PostgreSQL)
#![allow(clippy::print_stdout)] // A benchmark reports.

use std::sync::Arc;
use std::time::Instant;

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};

use chengguan::domain::case::clocks::clocks;
use chengguan::domain::case::rules::CaseRules;
use chengguan::domain::case::{Case, Event, NewClue};
use chengguan::store::cases::{CaseFilter, CaseWrite, NewCase};
use chengguan::store::org::Visibility;
use chengguan::store::{AuditCtx, AuditedTx, ConnectOptions, Db, Pool, StoreError};

/// Common surnames and given-name characters: names as a district's register holds them, two
/// and three characters long, many shared (the text search's hard case).
const SURNAMES: &[char] = &[
    '王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何',
    '高', '林', '罗', '郑', '梁', '谢', '宋', '唐', '许', '韩', '冯', '邓', '曹',
];
const GIVEN: &[char] = &[
    '伟', '芳', '娜', '秀', '英', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛',
    '明', '超', '兰', '霞', '平', '刚', '桂', '华', '建', '国', '志', '红', '文', '玉', '春', '梅', '海',
    '燕', '萍', '鹏', '辉', '斌', '宇', '浩', '凯', '健', '俊', '帆', '婷', '雪', '琳', '晨', '亮',
];
const SHOP_KINDS: &[&str] = &["餐饮店", "水果店", "建材经营部", "广告有限公司", "装饰工程有限公司", "烧烤店"];
const TITLES: &[&str] =
    &["擅自占用城市道路设摊经营", "店外经营占用人行道", "流动摊点占道经营", "夜间占道烧烤", "占道堆放货物"];

/// A well-mixed number from `i` (splitmix64), so names do not follow the registration order.
fn mix(i: usize) -> u64 {
    let mut z = (i as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Party `i`'s name: every third an organisation (钟楼区 + a two-character shop name + kind),
/// the others a person of two or three characters.
fn party_name(i: usize) -> String {
    let h = mix(i) as usize;
    let given = |k: usize| GIVEN[(h >> k) % GIVEN.len()];
    if i.is_multiple_of(3) {
        format!("常州市钟楼区{}{}{}", given(8), given(16), SHOP_KINDS[(h >> 24) % SHOP_KINDS.len()])
    } else if (h >> 32).is_multiple_of(3) {
        format!("{}{}", SURNAMES[h % SURNAMES.len()], given(8))
    } else {
        format!("{}{}{}", SURNAMES[h % SURNAMES.len()], given(8), given(16))
    }
}

/// One new case as the write benchmark opens it.
struct OneCase {
    id: String,
    number: String,
    party: String,
    squad: String,
    case: Case,
    event: Event,
    clocks: Vec<chengguan::domain::case::clocks::Clock>,
}

impl OneCase {
    /// A lead found today, opened with its clocks, as each write of the write runs opens one.
    fn today(
        ids: (String, String),
        party: String,
        squad: String,
        today: NaiveDate,
        calendar: &chengguan::domain::calendar::WorkCalendar,
        rules: &CaseRules,
    ) -> OneCase {
        let clue = NewClue {
            organisation: false,
            business_activity: false,
            clue_on: today,
            act_on: today,
            serious_harm: false,
        };
        let (case, event) = Case::open(&clue, today).expect("a lead of today opens");
        let clocks = clocks(&case, calendar, rules);
        let (id, number) = ids;
        OneCase { id, number, party, squad, case, event, clocks }
    }

    async fn insert(&self, tx: &mut AuditedTx) -> Result<(), StoreError> {
        let new = NewCase {
            category: "street_vending",
            item_code: None,
            party_id: &self.party,
            unit_id: &self.squad,
            title: "擅自占用城市道路设摊经营",
            location: "南大街",
            source: "patrol",
        };
        let write = CaseWrite { case: &self.case, event: &self.event, clocks: &self.clocks, major: false };
        tx.insert_case(&self.id, &self.number, &new, &write).await
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Unmeasured runs of each read before its measured ones.
const WARM_UP: usize = 3;

/// The size of the SQLite file's write-ahead log, printed between phases: a log that keeps
/// growing means checkpoints do not complete, and every read then searches a larger log.
fn wal_size(dir: &str, after: &str) {
    if let Ok(meta) = std::fs::metadata(format!("{dir}/chengguan.db-wal")) {
        println!("WAL after {after}: {:.1} MiB", meta.len() as f64 / 1_048_576.0);
    }
}

/// On PostgreSQL, after bulk writes, does what autovacuum does on a server run with its
/// defaults: refreshes the planner's statistics and clears dead rows (this machine's PostgreSQL
/// runs with autovacuum off; without statistics the list queries' plans went wrong, and the
/// emptied index queue's million dead entries made every search walk them). SQLite needs
/// neither.
async fn vacuum_analyze(db: &Db) -> anyhow::Result<()> {
    if let Pool::Postgres(pool) = db.pool() {
        sqlx::raw_sql("VACUUM ANALYZE").execute(pool).await?;
    }
    Ok(())
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
    // A `postgres://` address instead of a directory runs the same on PostgreSQL.
    let url = if dir.starts_with("postgres://") {
        dir.clone()
    } else {
        std::fs::create_dir_all(&dir)?;
        format!("sqlite://{dir}/chengguan.db")
    };
    let db =
        Db::connect(&ConnectOptions { url: url.clone(), max_connections: 8, sqlite_synchronous_full: false })
            .await?;
    let now = Utc.with_ymd_and_hms(2026, 11, 27, 2, 0, 0).unwrap();
    let today = now.date_naive();
    db.migrate(now).await?;
    db.import_shipped_calendar(now).await?;
    let keys =
        chengguan::keys::Keyring::load_or_create(&std::path::Path::new(&dir).join("keys/chengguan.key"))?;
    chengguan::demo::seed(&db, chengguan::auth::HashCost { memory_kib: 64, iterations: 1 }, now, &keys)
        .await?;
    let calendar = db.work_calendar().await?;
    let rules = CaseRules::jiangsu_default();
    let squads: Vec<String> = db
        .units()
        .await?
        .into_iter()
        .filter(|u| u.kind == chengguan::domain::org::UnitKind::Squad)
        .map(|u| u.id)
        .collect();

    // One party per four cases (repeat offenders share a file), registered through the store.
    let party_count = (n / 4).max(1);
    let mut parties = Vec::new();
    let passport = chengguan::domain::party::DocumentType::Passport;
    if db.party_by_document(passport, "E00000000").await?.is_some() {
        // A second run over the same directory finds them registered.
        for i in 0..party_count {
            let party = db.party_by_document(passport, &format!("E{i:08}")).await?;
            parties.push(party.ok_or_else(|| anyhow::anyhow!("party E{i:08} missing"))?.id);
        }
    } else {
        let mut tx = db.begin(&AuditCtx::cli("bench"), now).await?;
        for i in 0..party_count {
            let draft = chengguan::domain::party::PartyDraft {
                organisation: i % 3 == 0,
                name: party_name(i),
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
    let existing: i64 = match db.pool() {
        Pool::Sqlite(pool) => sqlx::query_scalar("SELECT COUNT(*) FROM cases").fetch_one(pool).await?,
        Pool::Postgres(pool) => sqlx::query_scalar("SELECT COUNT(*) FROM cases").fetch_one(pool).await?,
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
                title: TITLES[k % TITLES.len()],
                location: "南大街",
                source: "patrol",
            };
            // Numbers as the application writes them (year, six-digit serial); the serial is
            // the case's place in the run, so each is unique.
            let number = format!("{}-{k:06}", clue_on.year());
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
    wal_size(&dir, "generation");
    vacuum_analyze(&db).await?;

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
    // (PostgreSQL commits durably by default: it runs the first two.)
    let postgres = matches!(db.pool(), Pool::Postgres(_));
    let durable = Arc::new(
        Db::connect(&ConnectOptions { url, max_connections: 8, sqlite_synchronous_full: true }).await?,
    );
    // Before all of them, eight writers each committing their own transaction (`Db::begin` …
    // `commit`, no group commit): what group commit is measured against.
    let runs: &[(usize, bool, bool)] = if postgres {
        &[(8, false, false), (8, false, true), (32, false, true)]
    } else {
        &[(8, false, false), (8, false, true), (32, false, true), (32, true, true)]
    };
    for &(writers, full, grouped) in runs {
        let target = if full { durable.clone() } else { db.clone() };
        let sync = match (postgres, full, grouped) {
            (true, _, true) => "postgres",
            (true, _, false) => "postgres_ungrouped",
            (false, true, _) => "FULL",
            (false, false, true) => "NORMAL",
            (false, false, false) => "NORMAL_ungrouped",
        };
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
                    // Ids as the application makes them: UUIDv7, time-ordered.
                    let id = chengguan::store::new_id(now + Duration::milliseconds((w * writes + i) as i64));
                    // Numbers of earlier runs over the same directory are taken: the case count tells runs apart.
                    let number = format!("W{run}-{writers}{sync}-{w}-{i:07}");
                    let (party, squad) =
                        (parties[i % parties.len()].clone(), squads[w % squads.len()].clone());
                    let one = OneCase::today((id, number), party, squad, today, &calendar, &rules);
                    if grouped {
                        // Through the application's write path: concurrent writers share commits.
                        db.write(&AuditCtx::cli("bench"), now, move |tx| {
                            Box::pin(async move { one.insert(tx).await })
                        })
                        .await
                        .expect("write");
                    } else {
                        let mut tx = db.begin(&AuditCtx::cli("bench"), now).await.expect("begin");
                        one.insert(&mut tx).await.expect("write");
                        tx.commit().await.expect("commit");
                    }
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
        wal_size(&dir, &format!("the writes ({writers} writers, {sync})"));
    }

    // The same case writes by one caller, a thousand to a transaction: each pays its
    // statements and a thousandth of a commit, one after the other with the application's own
    // work for the next case (opening it, its clocks). Group commit shares commits but runs its
    // members' statements one after another on one connection too; only the application's work
    // can overlap them. So the writes cannot go faster than the statements alone allow: this
    // run less the application's work, measured first on its own.
    let started = Instant::now();
    for k in 0..writes {
        let ids = (String::new(), String::new());
        let (party, squad) = (parties[k % parties.len()].clone(), squads[k % squads.len()].clone());
        std::hint::black_box(OneCase::today(ids, party, squad, today, &calendar, &rules));
    }
    let work_us = started.elapsed().as_secs_f64() * 1e6 / writes as f64;
    let started = Instant::now();
    for batch in 0..writes / 1000 {
        let mut tx = db.begin(&AuditCtx::cli("bench"), now).await?;
        for i in 0..1000 {
            let k = batch * 1000 + i;
            let id = chengguan::store::new_id(now + Duration::milliseconds(k as i64));
            let number = format!("B{run}-{k:07}");
            let (party, squad) = (parties[k % parties.len()].clone(), squads[k % squads.len()].clone());
            OneCase::today((id, number), party, squad, today, &calendar, &rules).insert(&mut tx).await?;
        }
        tx.commit().await?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let per_case_us = elapsed * 1e6 / writes as f64;
    println!(
        "RESULT case_writes_serial: {writes} case writes by one caller, 1,000 per transaction, in {elapsed:.2} s = {:.0}/s \
         ({per_case_us:.0} µs each, of which the application's own work {work_us:.0} µs: the statements alone allow {:.0}/s)",
        writes as f64 / elapsed,
        1e6 / (per_case_us - work_us).max(1.0)
    );
    wal_size(&dir, "the serial run");

    // The text indexer takes the cases just written (and any generated ones not yet indexed)
    // into the search index, in batches, as the server's indexer does every two seconds.
    let t = Instant::now();
    let indexed = db.index_pending_terms(usize::MAX).await?;
    let elapsed = t.elapsed().as_secs_f64();
    println!(
        "RESULT index_pending: {indexed} cases indexed in {elapsed:.2} s = {:.0}/s",
        indexed as f64 / elapsed.max(1e-9)
    );
    wal_size(&dir, "indexing");
    vacuum_analyze(&db).await?;

    // Baseline: hand-written SQL, one single-row INSERT per transaction, eight writers.
    let writers = 8usize;
    let started = Instant::now();
    let mut handles = Vec::new();
    macro_rules! baseline {
        ($pool:expr, $($begin:tt)+) => {{
            sqlx::raw_sql("CREATE TABLE IF NOT EXISTS bench_rows (id TEXT PRIMARY KEY, body TEXT NOT NULL)")
                .execute($pool)
                .await?;
            for _ in 0..writers {
                let pool = $pool.clone();
                handles.push(tokio::spawn(async move {
                    for _ in 0..writes / writers {
                        let mut tx = pool.$($begin)+.await.expect("begin");
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
        }};
    }
    match db.pool() {
        Pool::Sqlite(pool) => baseline!(pool, begin_with("BEGIN IMMEDIATE")),
        Pool::Postgres(pool) => baseline!(pool, begin()),
    }
    for h in handles {
        h.await?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "BASELINE raw_insert: {writes} single-row transactions in {elapsed:.2} s = {:.0}/s",
        writes as f64 / elapsed
    );

    // --- 2. overdue scan -------------------------------------------------------------------------
    // Each read below runs WARM_UP times unmeasured first: the write runs before it leave other
    // pages in memory, and the first read after them measures the disk, not the query.
    let mut scan = Vec::new();
    let mut found = 0;
    for round in 0..WARM_UP + 30 {
        let t = Instant::now();
        found = db.due_clocks(&Visibility::All, today, true, 1000).await?.len();
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        if round == 0 {
            println!("overdue scan, first (cold) run: {ms:.2} ms");
        }
        if round >= WARM_UP {
            scan.push(ms);
        }
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
    // Then text searches through the index: a three-character name (a handful of parties share
    // it), a two-character name (hundreds do), a number's serial and four of its digits (a few
    // hundred numbers have them), a word of the titles (a fifth of all cases: the page fills at
    // once, the count stops at its cap), one character (no bigram: the list is read until the
    // page fills), and a name in a squad's view.
    // Names from the second half of the register: the write benchmark above added cases to the
    // first parties only.
    let name3 =
        (party_count / 2..).map(party_name).find(|n| n.chars().count() == 3).expect("a three-character name");
    let name2 =
        (party_count / 2..).map(party_name).find(|n| n.chars().count() == 2).expect("a two-character name");
    for (name, visibility, stage, text) in [
        ("case_list_all", Visibility::All, "", String::new()),
        ("case_list_stage", Visibility::All, "clue", String::new()),
        ("case_list_squad", squad_view.clone(), "", String::new()),
        ("case_search_name3", Visibility::All, "", name3.clone()),
        ("case_search_name2", Visibility::All, "", name2.clone()),
        ("case_search_serial", Visibility::All, "", "424242".to_owned()),
        ("case_search_serial_part", Visibility::All, "", "4242".to_owned()),
        ("case_search_title_word", Visibility::All, "", "烧烤".to_owned()),
        ("case_search_one_char", Visibility::All, "", "韩".to_owned()),
        ("case_search_name3_squad", squad_view, "", name3.clone()),
    ] {
        let mut times = Vec::new();
        let mut found = 0;
        for round in 0..WARM_UP + 50 {
            let filter = CaseFilter {
                stage: stage.into(),
                text: text.clone(),
                page: 1,
                page_size: 20,
                ..Default::default()
            };
            let t = Instant::now();
            let (_, total) = db.cases(&visibility, &filter).await?;
            if round >= WARM_UP {
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
            found = total;
        }
        if !text.is_empty() {
            println!("{name}: \"{text}\" matches {found} cases (counted up to the list's cap)");
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
