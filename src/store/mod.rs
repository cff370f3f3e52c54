//! All SQL lives here. Each query is written once, with `$1` placeholders, and runs on SQLite or
//! PostgreSQL through [`Db`] and the `on_pool!` / `on_tx!` macros, which compile the same code
//! once per backend.
//!
//! Every change of state goes through [`Db::begin`], which returns an [`AuditedTx`]: the
//! transaction claims the audit chain's head first, and refuses to commit without at least one
//! audit record, so a change and its record are written together or not at all.

pub mod accounts;
pub mod assessment;
pub mod attachments;
pub mod audit;
pub mod calendar;
pub mod cases;
pub mod counselling;
pub mod direct;
pub mod disclosure;
pub mod documents;
pub mod evidence;
pub mod fieldwork;
pub mod intake;
pub mod jobs;
pub mod joint;
pub mod legal_help;
pub mod new_sites;
pub mod org;
pub mod parties;
pub mod personal;
pub mod publicity;
pub mod reference;
pub mod search;
pub mod special_care;
pub mod stars;
pub mod supervision;
pub mod talks;
pub mod top_ten;
pub mod training;
pub mod vending;

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use futures_util::future::BoxFuture;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

use crate::domain::audit::{AuditContent, Outcome};

/// The database, on one of two backends, with this handle's copy of the reference data
/// (`reference`: calendar, case rules, responsibility list, security policy, units).
#[derive(Debug, Clone)]
pub struct Db {
    pool: Pool,
    /// SQLite in a file: point reads on the calling thread (`direct`).
    direct: Option<std::sync::Arc<direct::DirectReads>>,
    reference: std::sync::Arc<reference::ReferenceCache>,
    /// The key ring personal numbers are sealed with (`personal`).
    personal: std::sync::Arc<personal::PersonalKeys>,
}

/// The connection pool of one backend.
#[derive(Debug, Clone)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// An open transaction on either backend.
#[derive(Debug)]
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Runs `$body` with `$pool` bound to the backend's pool.
macro_rules! on_pool {
    ($db:expr, |$pool:ident| $body:expr) => {
        match &$db.pool {
            $crate::store::Pool::Sqlite($pool) => $body,
            $crate::store::Pool::Postgres($pool) => $body,
        }
    };
}

/// Runs `$body` with `$conn` bound to the transaction's connection (`&mut Connection`).
macro_rules! on_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match $tx {
            $crate::store::Tx::Sqlite(t) => {
                let $conn = &mut **t;
                $body
            }
            $crate::store::Tx::Postgres(t) => {
                let $conn = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use on_pool;
pub(crate) use on_tx;

/// The units a reader's scope reaches, as a CTE named `visible`, for queries whose `$1` is the
/// scope's mode (`Visibility::binds`) and `$2` its unit: the unit alone, or with every unit
/// below it when the mode is `subtree` (`all` reads no row of it).
macro_rules! visible_units {
    () => {
        "WITH RECURSIVE visible(id) AS ( \
            SELECT id FROM units WHERE id = $2 \
            UNION ALL SELECT u.id FROM units u JOIN visible v ON u.parent_id = v.id WHERE $1 = 'subtree' \
         ) "
    };
}
pub(crate) use visible_units;

/// A record as stored: what was recorded, by whom and when.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Recorded<T> {
    pub id: String,
    #[serde(flatten)]
    pub record: T,
    pub recorded_by: String,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
}

/// Errors a write can end in, beyond the database failing.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// Optimistic locking: the record changed since the caller read it.
    #[error("the record was changed by someone else")]
    Conflict,
    /// A unique constraint refused the write; the field that must be unique.
    #[error("duplicate value for {0}")]
    Duplicate(&'static str),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// How much of an SQLite file is read through memory mapping (`PRAGMA mmap_size`). Shared
/// between connections through the operating system's page cache; larger files are read the
/// ordinary way beyond it.
const SQLITE_MMAP_BYTES: u64 = 1 << 30;

/// Each SQLite connection's own page cache (`PRAGMA cache_size`, in KiB; SQLite's default is
/// 2 MiB).
const SQLITE_CACHE_KIB: u64 = 16 * 1024;

/// Connection settings the store needs.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    pub url: String,
    pub max_connections: u32,
    /// SQLite only: `FULL` makes every commit durable across power loss; `NORMAL` in WAL mode
    /// survives a crash of the process but may lose the last commits on power loss.
    pub sqlite_synchronous_full: bool,
}

/// Migrations in order: (name, SQLite text, PostgreSQL text). A tidy test checks that this list
/// and both folders hold the same names.
pub const MIGRATIONS: &[(&str, &str, &str)] = &[
    (
        "0001_foundation",
        include_str!("../../migrations/sqlite/0001_foundation.sql"),
        include_str!("../../migrations/postgres/0001_foundation.sql"),
    ),
    (
        "0002_calendar",
        include_str!("../../migrations/sqlite/0002_calendar.sql"),
        include_str!("../../migrations/postgres/0002_calendar.sql"),
    ),
    (
        "0003_parties",
        include_str!("../../migrations/sqlite/0003_parties.sql"),
        include_str!("../../migrations/postgres/0003_parties.sql"),
    ),
    (
        "0004_certificate_index",
        include_str!("../../migrations/sqlite/0004_certificate_index.sql"),
        include_str!("../../migrations/postgres/0004_certificate_index.sql"),
    ),
    (
        "0005_cases",
        include_str!("../../migrations/sqlite/0005_cases.sql"),
        include_str!("../../migrations/postgres/0005_cases.sql"),
    ),
    (
        "0006_documents",
        include_str!("../../migrations/sqlite/0006_documents.sql"),
        include_str!("../../migrations/postgres/0006_documents.sql"),
    ),
    (
        "0007_alerts",
        include_str!("../../migrations/sqlite/0007_alerts.sql"),
        include_str!("../../migrations/postgres/0007_alerts.sql"),
    ),
    (
        "0008_evidence",
        include_str!("../../migrations/sqlite/0008_evidence.sql"),
        include_str!("../../migrations/postgres/0008_evidence.sql"),
    ),
    (
        "0009_field_work",
        include_str!("../../migrations/sqlite/0009_field_work.sql"),
        include_str!("../../migrations/postgres/0009_field_work.sql"),
    ),
    (
        "0010_document_subject",
        include_str!("../../migrations/sqlite/0010_document_subject.sql"),
        include_str!("../../migrations/postgres/0010_document_subject.sql"),
    ),
    (
        "0011_case_list_order",
        include_str!("../../migrations/sqlite/0011_case_list_order.sql"),
        include_str!("../../migrations/postgres/0011_case_list_order.sql"),
    ),
    (
        "0012_item_responsible_unit",
        include_str!("../../migrations/sqlite/0012_item_responsible_unit.sql"),
        include_str!("../../migrations/postgres/0012_item_responsible_unit.sql"),
    ),
    (
        "0013_case_terms",
        include_str!("../../migrations/sqlite/0013_case_terms.sql"),
        include_str!("../../migrations/postgres/0013_case_terms.sql"),
    ),
    (
        "0014_item_ranges",
        include_str!("../../migrations/sqlite/0014_item_ranges.sql"),
        include_str!("../../migrations/postgres/0014_item_ranges.sql"),
    ),
    (
        "0015_case_terms_pending",
        include_str!("../../migrations/sqlite/0015_case_terms_pending.sql"),
        include_str!("../../migrations/postgres/0015_case_terms_pending.sql"),
    ),
    (
        "0016_case_digit_terms",
        include_str!("../../migrations/sqlite/0016_case_digit_terms.sql"),
        include_str!("../../migrations/postgres/0016_case_digit_terms.sql"),
    ),
    (
        "0017_item_range_bands",
        include_str!("../../migrations/sqlite/0017_item_range_bands.sql"),
        include_str!("../../migrations/postgres/0017_item_range_bands.sql"),
    ),
    (
        "0018_account_grants",
        include_str!("../../migrations/sqlite/0018_account_grants.sql"),
        include_str!("../../migrations/postgres/0018_account_grants.sql"),
    ),
    (
        "0019_mfa_for_all",
        include_str!("../../migrations/sqlite/0019_mfa_for_all.sql"),
        include_str!("../../migrations/postgres/0019_mfa_for_all.sql"),
    ),
    (
        "0020_case_clock_ordinals",
        include_str!("../../migrations/sqlite/0020_case_clock_ordinals.sql"),
        include_str!("../../migrations/postgres/0020_case_clock_ordinals.sql"),
    ),
    (
        "0021_reference_generation",
        include_str!("../../migrations/sqlite/0021_reference_generation.sql"),
        include_str!("../../migrations/postgres/0021_reference_generation.sql"),
    ),
    (
        "0022_legal_review_qualification",
        include_str!("../../migrations/sqlite/0022_legal_review_qualification.sql"),
        include_str!("../../migrations/postgres/0022_legal_review_qualification.sql"),
    ),
    (
        "0023_agency_leader",
        include_str!("../../migrations/sqlite/0023_agency_leader.sql"),
        include_str!("../../migrations/postgres/0023_agency_leader.sql"),
    ),
    (
        "0024_personal_digest",
        include_str!("../../migrations/sqlite/0024_personal_digest.sql"),
        include_str!("../../migrations/postgres/0024_personal_digest.sql"),
    ),
    (
        "0025_training",
        include_str!("../../migrations/sqlite/0025_training.sql"),
        include_str!("../../migrations/postgres/0025_training.sql"),
    ),
    (
        "0026_training_closing",
        include_str!("../../migrations/sqlite/0026_training_closing.sql"),
        include_str!("../../migrations/postgres/0026_training_closing.sql"),
    ),
    (
        "0027_training_plans",
        include_str!("../../migrations/sqlite/0027_training_plans.sql"),
        include_str!("../../migrations/postgres/0027_training_plans.sql"),
    ),
    (
        "0028_training_materials",
        include_str!("../../migrations/sqlite/0028_training_materials.sql"),
        include_str!("../../migrations/postgres/0028_training_materials.sql"),
    ),
    (
        "0029_intake",
        include_str!("../../migrations/sqlite/0029_intake.sql"),
        include_str!("../../migrations/postgres/0029_intake.sql"),
    ),
    (
        "0030_open311",
        include_str!("../../migrations/sqlite/0030_open311.sql"),
        include_str!("../../migrations/postgres/0030_open311.sql"),
    ),
    (
        "0031_matter_work",
        include_str!("../../migrations/sqlite/0031_matter_work.sql"),
        include_str!("../../migrations/postgres/0031_matter_work.sql"),
    ),
    (
        "0032_joint_work",
        include_str!("../../migrations/sqlite/0032_joint_work.sql"),
        include_str!("../../migrations/postgres/0032_joint_work.sql"),
    ),
    (
        "0033_disclosure",
        include_str!("../../migrations/sqlite/0033_disclosure.sql"),
        include_str!("../../migrations/postgres/0033_disclosure.sql"),
    ),
    (
        "0034_annual_figures",
        include_str!("../../migrations/sqlite/0034_annual_figures.sql"),
        include_str!("../../migrations/postgres/0034_annual_figures.sql"),
    ),
    (
        "0035_legal_help",
        include_str!("../../migrations/sqlite/0035_legal_help.sql"),
        include_str!("../../migrations/postgres/0035_legal_help.sql"),
    ),
    (
        "0036_special_care",
        include_str!("../../migrations/sqlite/0036_special_care.sql"),
        include_str!("../../migrations/postgres/0036_special_care.sql"),
    ),
    (
        "0037_talks",
        include_str!("../../migrations/sqlite/0037_talks.sql"),
        include_str!("../../migrations/postgres/0037_talks.sql"),
    ),
    (
        "0038_vending_points",
        include_str!("../../migrations/sqlite/0038_vending_points.sql"),
        include_str!("../../migrations/postgres/0038_vending_points.sql"),
    ),
    (
        "0039_new_sites",
        include_str!("../../migrations/sqlite/0039_new_sites.sql"),
        include_str!("../../migrations/postgres/0039_new_sites.sql"),
    ),
    (
        "0040_assessment",
        include_str!("../../migrations/sqlite/0040_assessment.sql"),
        include_str!("../../migrations/postgres/0040_assessment.sql"),
    ),
    (
        "0041_counselling",
        include_str!("../../migrations/sqlite/0041_counselling.sql"),
        include_str!("../../migrations/postgres/0041_counselling.sql"),
    ),
    (
        "0042_supervision",
        include_str!("../../migrations/sqlite/0042_supervision.sql"),
        include_str!("../../migrations/postgres/0042_supervision.sql"),
    ),
    (
        "0043_publicity",
        include_str!("../../migrations/sqlite/0043_publicity.sql"),
        include_str!("../../migrations/postgres/0043_publicity.sql"),
    ),
    (
        "0044_stars",
        include_str!("../../migrations/sqlite/0044_stars.sql"),
        include_str!("../../migrations/postgres/0044_stars.sql"),
    ),
    (
        "0045_top_ten",
        include_str!("../../migrations/sqlite/0045_top_ten.sql"),
        include_str!("../../migrations/postgres/0045_top_ten.sql"),
    ),
];

impl Db {
    fn new(pool: Pool) -> Db {
        Db { pool, direct: None, reference: Default::default(), personal: Default::default() }
    }

    /// The direct point reads, on SQLite in a file (`direct`); `None` on PostgreSQL, whose
    /// driver has no worker thread to hand statements to.
    pub(crate) fn direct(&self) -> Option<&direct::DirectReads> {
        self.direct.as_deref()
    }

    /// One row by id in the reader's scope: `sql` binds the scope as `$1` to `$3`
    /// (`Visibility::binds`) and the id as `$4`. On SQLite it is read directly (`direct`).
    pub(crate) async fn visible_by_id<R>(
        &self,
        sql: &'static str,
        visibility: &org::Visibility,
        id: &str,
    ) -> Result<Option<R>, sqlx::Error>
    where
        R: direct::FromDirectRow
            + Send
            + Unpin
            + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
    {
        let (mode, vis_unit, vis_person) = visibility.binds();
        if let Some(direct) = self.direct() {
            return Ok(direct.query(sql, &[&mode, &vis_unit, &vis_person, &id], R::from_direct)?.pop());
        }
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(sql)
                .bind(mode)
                .bind(&vis_unit)
                .bind(&vis_person)
                .bind(id)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// The same handle with every read through the pool, for tests that hold the two read
    /// paths to the same answers. The application never uses it.
    pub fn with_pool_reads_only(mut self) -> Db {
        self.direct = None;
        self
    }

    /// The backend's pool, for tests and tools that must reach past the store (to try an
    /// attack on the raw tables, say). The application never uses it.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    pub async fn connect(options: &ConnectOptions) -> Result<Db, sqlx::Error> {
        let url = options.url.as_str();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let connect = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(options.max_connections)
                // A request must fail within seconds when the database is gone, not hang.
                .acquire_timeout(Duration::from_secs(3))
                .connect_with(connect)
                .await?;
            Ok(Db::new(Pool::Postgres(pool)))
        } else {
            let connect = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(if options.sqlite_synchronous_full {
                    SqliteSynchronous::Full
                } else {
                    SqliteSynchronous::Normal
                })
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
                // Reads map the file instead of copying each page through a system call, and
                // each connection keeps more pages: at a million cases the index pages a write
                // touches no longer fall out of SQLite's default 2 MiB cache between writes.
                .pragma("mmap_size", SQLITE_MMAP_BYTES.to_string())
                .pragma("cache_size", format!("-{SQLITE_CACHE_KIB}"));
            let pool = SqlitePoolOptions::new()
                .max_connections(options.max_connections)
                // A file in this process does not go away between queries, so the liveness
                // ping sqlx sends before every acquisition is a wasted worker round trip.
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(3))
                .connect_with(connect.clone())
                .await?;
            let mut db = Db::new(Pool::Sqlite(pool));
            // An in-memory database (sqlx names it `file:sqlx-in-memory-N`) has no file a second
            // driver could open; its reads all go through the pool.
            let file = connect.get_filename();
            if !file.to_string_lossy().starts_with("file:sqlx-in-memory") {
                db.direct = Some(std::sync::Arc::new(direct::DirectReads::new(file)));
            }
            Ok(db)
        }
    }

    pub fn backend(&self) -> &'static str {
        match self.pool {
            Pool::Sqlite(_) => "sqlite",
            Pool::Postgres(_) => "postgres",
        }
    }

    /// Applies the migrations not yet applied, each in its own transaction.
    pub async fn migrate(&self, now: DateTime<Utc>) -> Result<Vec<&'static str>, sqlx::Error> {
        on_pool!(self, |pool| {
            sqlx::raw_sql(
                "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)",
            )
            .execute(pool)
            .await?;
            let mut applied = Vec::new();
            for (name, sqlite_sql, postgres_sql) in MIGRATIONS {
                let done: Option<String> =
                    sqlx::query_scalar("SELECT name FROM schema_migrations WHERE name = $1")
                        .bind(*name)
                        .fetch_optional(pool)
                        .await?;
                if done.is_some() {
                    continue;
                }
                let sql = match self.pool {
                    Pool::Sqlite(_) => *sqlite_sql,
                    Pool::Postgres(_) => *postgres_sql,
                };
                let mut tx = pool.begin().await?;
                sqlx::raw_sql(sql).execute(&mut *tx).await?;
                if *name == "0013_case_terms" {
                    crate::store::search::backfill_case_terms!(tx);
                }
                sqlx::query("INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)")
                    .bind(*name)
                    .bind(ts(now))
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                applied.push(*name);
            }
            Ok(applied)
        })
    }

    /// PostgreSQL, run as the owner after migrating: lets `role` read and write rows of every
    /// table, but neither change nor delete the append-only records (the audit log, the case
    /// timeline, issued documents, custody records) nor truncate anything; owning no table, it
    /// can neither disable nor drop a trigger. Idempotent: run at every start, so tables of
    /// later migrations are covered. SQLite has no roles: nothing to do.
    pub async fn grant_application_role(&self, role: &str) -> Result<(), sqlx::Error> {
        let Pool::Postgres(pool) = &self.pool else { return Ok(()) };
        // The role is an identifier in the statements below: only plain names are accepted.
        if role.is_empty() || !role.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(sqlx::Error::Configuration(
                format!("the application role must be a plain lower-case name, not {role:?}").into(),
            ));
        }
        let sql = format!(
            "GRANT USAGE ON SCHEMA public TO {role}; \
             GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}; \
             GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}; \
             REVOKE UPDATE, DELETE, TRUNCATE ON audit_log, case_events, documents, evidence_custody FROM {role}; \
             REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM {role};"
        );
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(pool).await?;
        Ok(())
    }

    /// Writes a consistent copy of the whole database to `path` while others keep writing
    /// (SQLite's `VACUUM INTO`: one read transaction's snapshot, compacted). PostgreSQL copies
    /// itself with `pg_dump`; asking here is an error that says so.
    pub async fn copy_into(&self, path: &std::path::Path) -> Result<(), sqlx::Error> {
        let Pool::Sqlite(pool) = &self.pool else {
            return Err(sqlx::Error::Configuration(
                "a PostgreSQL database is copied with pg_dump (README: Backup and restore)".into(),
            ));
        };
        sqlx::query("VACUUM INTO $1").bind(path.to_string_lossy().into_owned()).execute(pool).await?;
        Ok(())
    }

    /// Closes the pool (the owner's, after migrating).
    pub async fn close(&self) {
        on_pool!(self, |pool| pool.close().await);
    }

    /// Whether the database answers, for `/readyz`.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        on_pool!(self, |pool| {
            sqlx::query("SELECT 1").execute(pool).await?;
            Ok(())
        })
    }

    /// Starts a write transaction that will carry its audit records.
    pub async fn begin(&self, ctx: &AuditCtx, now: DateTime<Utc>) -> Result<AuditedTx, sqlx::Error> {
        let (tx, writer) = match &self.pool {
            Pool::Sqlite(pool) => {
                // Writers of one SQLite file queue here, in arrival order, instead of polling
                // the file lock: SQLite's busy handler sleeps in growing steps, which under
                // eight concurrent writers made the slowest write wait seconds. IMMEDIATE then
                // takes the write lock at once (another process may still hold it; the busy
                // timeout covers that).
                let guard = self.writer().lock.clone().lock_owned().await;
                (Tx::Sqlite(sqlite_write_pool(pool).begin_with("BEGIN IMMEDIATE").await?), Some(guard))
            }
            Pool::Postgres(pool) => (Tx::Postgres(pool.begin().await?), None),
        };
        AuditedTx::claim(tx, ctx, now, writer, self.reference.clone(), self.personal.clone()).await
    }

    /// Runs `work` in an audited transaction and commits it, answering once it is committed (or
    /// with the error that refused it, having changed nothing).
    ///
    /// Calls that arrive while another batch is being written are committed together (group
    /// commit): one transaction carries several callers' work, each inside a savepoint, so a
    /// failing one is rolled back alone and the others still commit. A caller is answered only
    /// after the shared commit, so nobody is told "done" before it is durable. The batch runs
    /// on its own task: a caller that goes away (a closed connection) cannot cut short the
    /// others' work. Both backends batch: audited writers are serialised anyway (SQLite's write
    /// lock, PostgreSQL's lock on the audit head row), and a batch pays for one commit — one
    /// disk flush — instead of one each. On PostgreSQL the batching is per process; writers of
    /// other instances wait on the head row as before.
    pub async fn write<T, E, F>(&self, ctx: &AuditCtx, now: DateTime<Utc>, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<sqlx::Error> + Send + 'static,
        F: for<'a> FnOnce(&'a mut AuditedTx) -> BoxFuture<'a, Result<T, E>> + Send + 'static,
    {
        let (answer, answered) = tokio::sync::oneshot::channel::<Result<T, E>>();
        let job: Job = Box::new(move |tx: &mut AuditedTx| {
            Box::pin(async move {
                let result = work(tx).await;
                let ok = result.is_ok();
                let finish: Finish = Box::new(move |committed: Result<(), String>| {
                    let outcome = match (result, committed) {
                        (Ok(value), Ok(())) => Ok(value),
                        (Err(error), _) => Err(error),
                        (Ok(_), Err(why)) => Err(E::from(sqlx::Error::Protocol(why))),
                    };
                    // The caller may have gone away; its work stands or falls with the batch.
                    let _ = answer.send(outcome);
                });
                (ok, finish)
            })
        });
        let writer = self.writer();
        writer.queue.lock().expect("the queue is never poisoned").push_back(Queued {
            ctx: ctx.clone(),
            now,
            job,
        });
        tokio::spawn(write_queued(self.clone(), writer));
        answered.await.unwrap_or_else(|_| {
            Err(E::from(sqlx::Error::Protocol(
                "the database could not start the write; nothing was changed".into(),
            )))
        })
    }

    /// Writes one audit record on its own: for events that change nothing else, such as a
    /// failed login or a refused request.
    pub async fn audit_only(
        &self,
        ctx: &AuditCtx,
        now: DateTime<Utc>,
        event: AuditEvent,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin(ctx, now).await?;
        tx.audit(event).await?;
        tx.commit().await
    }
}

/// Who is acting and from where: the part of an audit record that comes from the request.
#[derive(Debug, Clone)]
pub struct AuditCtx {
    pub actor: String,
    pub role: String,
    pub source: String,
    pub request_id: String,
}

impl AuditCtx {
    /// For commands run by an operator on the server.
    pub fn cli(actor: &str) -> AuditCtx {
        AuditCtx {
            actor: actor.to_owned(),
            role: "operator".to_owned(),
            source: "cli".to_owned(),
            request_id: String::new(),
        }
    }
}

/// What happened, to which object, with what result.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub action: &'static str,
    pub object_type: &'static str,
    pub object_id: String,
    pub result: Outcome,
    pub details: serde_json::Value,
}

impl AuditEvent {
    pub fn new(action: &'static str, object_type: &'static str, object_id: impl Into<String>) -> Self {
        AuditEvent {
            action,
            object_type,
            object_id: object_id.into(),
            result: Outcome::Success,
            details: serde_json::Value::Object(Default::default()),
        }
    }
    pub fn result(mut self, result: Outcome) -> Self {
        self.result = result;
        self
    }
    pub fn details(mut self, details: serde_json::Value) -> Self {
        self.details = details;
        self
    }
}

/// A write transaction that appends to the audit chain. Dropping it without
/// [`AuditedTx::commit`] rolls everything back, the audit records included.
#[derive(Debug)]
pub struct AuditedTx {
    pub(crate) tx: Tx,
    ctx: AuditCtx,
    now: DateTime<Utc>,
    head_seq: i64,
    head_hash: String,
    appended: u32,
    /// Held until the transaction ends (SQLite only): the in-process writer queue.
    _writer: Option<tokio::sync::OwnedMutexGuard<()>>,
    /// Told of the commit, so that this instance's next read of reference data looks again.
    reference: std::sync::Arc<reference::ReferenceCache>,
    /// The key ring personal numbers are sealed with on write.
    personal: std::sync::Arc<personal::PersonalKeys>,
}

impl AuditedTx {
    /// Claims the audit chain's head for a transaction just begun.
    async fn claim(
        mut tx: Tx,
        ctx: &AuditCtx,
        now: DateTime<Utc>,
        writer: Option<tokio::sync::OwnedMutexGuard<()>>,
        reference: std::sync::Arc<reference::ReferenceCache>,
        personal: std::sync::Arc<personal::PersonalKeys>,
    ) -> Result<AuditedTx, sqlx::Error> {
        // Claiming the head row serialises audited writers on PostgreSQL (row lock) exactly as
        // SQLite's write lock does, so the chain has one order.
        let (seq, hash): (i64, String) = on_tx!(&mut tx, |conn| {
            sqlx::query_as("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
                .fetch_one(conn)
                .await?
        });
        Ok(AuditedTx {
            tx,
            ctx: ctx.clone(),
            now,
            head_seq: seq,
            head_hash: hash,
            appended: 0,
            _writer: writer,
            reference,
            personal,
        })
    }

    /// The key ring to seal personal numbers with (refuses when the store was given none).
    pub(crate) fn personal_ring(&self) -> Result<std::sync::Arc<crate::keys::Keyring>, sqlx::Error> {
        self.personal.ring()
    }

    /// Runs one caller's work of a group commit inside a savepoint, acting as that caller: kept
    /// if it succeeded and wrote its audit record, rolled back (audit head included) if not.
    /// An `Err` means the transaction itself is broken and the batch must stop.
    ///
    /// Each member costs one extra statement, not two: the savepoint is left open after a member
    /// (the commit releases it), released and re-opened in one round trip before the next one
    /// if the last was kept, and reused as it is if the last was rolled back to it.
    async fn run_in_savepoint(
        &mut self,
        queued: Queued,
        savepoint: &mut Savepoint,
        finished: &mut Vec<Finish>,
    ) -> Result<(), sqlx::Error> {
        self.ctx = queued.ctx;
        self.now = queued.now;
        let (seq, hash, appended) = (self.head_seq, self.head_hash.clone(), self.appended);
        match savepoint {
            Savepoint::None => self.execute("SAVEPOINT group_member").await?,
            Savepoint::Holding => self.execute("RELEASE group_member; SAVEPOINT group_member").await?,
            Savepoint::Empty => {}
        }
        let (ok, finish) = (queued.job)(self).await;
        let audited = self.appended > appended;
        if ok && audited {
            *savepoint = Savepoint::Holding;
        } else {
            self.execute("ROLLBACK TO group_member").await?;
            (self.head_seq, self.head_hash, self.appended) = (seq, hash, appended);
            *savepoint = Savepoint::Empty;
        }
        finished.push(if ok && !audited {
            Box::new(move |_| finish(Err("refusing to commit a change without its audit record".into())))
        } else {
            finish
        });
        Ok(())
    }

    /// Statements without arguments or rows (savepoint control), in one round trip.
    async fn execute(&mut self, sql: &'static str) -> Result<(), sqlx::Error> {
        on_tx!(&mut self.tx, |conn| {
            sqlx::raw_sql(sql).execute(conn).await?;
        });
        Ok(())
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Who the transaction acts for, as the audit log names them.
    pub fn actor(&self) -> &str {
        &self.ctx.actor
    }

    pub async fn audit(&mut self, event: AuditEvent) -> Result<(), sqlx::Error> {
        // Control characters never enter the log: some fields carry what a visitor typed (a
        // login name), and the verifier relies on their absence to unpack records.
        let clean = |text: &str| -> String {
            text.chars().map(|c| if c.is_control() { '\u{fffd}' } else { c }).collect()
        };
        let content = AuditContent {
            at: ts(self.now),
            actor: clean(&self.ctx.actor),
            role: clean(&self.ctx.role),
            source: clean(&self.ctx.source),
            request_id: clean(&self.ctx.request_id),
            action: event.action.to_owned(),
            object_type: event.object_type.to_owned(),
            object_id: clean(&event.object_id),
            result: event.result.code().to_owned(),
            details: event.details.to_string(),
        };
        let seq = self.head_seq + 1;
        let hash = content.hash(&self.head_hash);
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO audit_log (seq, at, actor, role, source, request_id, action, object_type, \
                 object_id, result, details, prev_hash, hash) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(seq)
            .bind(&content.at)
            .bind(&content.actor)
            .bind(&content.role)
            .bind(&content.source)
            .bind(&content.request_id)
            .bind(&content.action)
            .bind(&content.object_type)
            .bind(&content.object_id)
            .bind(&content.result)
            .bind(&content.details)
            .bind(&self.head_hash)
            .bind(&hash)
            .execute(conn)
            .await?;
        });
        self.head_seq = seq;
        self.head_hash = hash;
        self.appended += 1;
        Ok(())
    }

    /// Commits the change with its audit records. A transaction that recorded nothing is
    /// refused: every change of state is audited.
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        if self.appended == 0 {
            return Err(sqlx::Error::Protocol("refusing to commit a change without its audit record".into()));
        }
        on_tx!(&mut self.tx, |conn| {
            sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
                .bind(self.head_seq)
                .bind(&self.head_hash)
                .execute(conn)
                .await?;
        });
        let result = match self.tx {
            Tx::Sqlite(t) => t.commit().await,
            Tx::Postgres(t) => t.commit().await,
        };
        drop(self._writer);
        self.reference.written();
        result
    }
}

/// Tells a [`Db::write`] caller how its work ended: `Err` with the reason when the shared
/// transaction did not commit.
type Finish = Box<dyn FnOnce(Result<(), String>) + Send>;

/// One caller's work in a group commit: whether it succeeded (its savepoint is kept) and how to
/// answer the caller once the batch's fate is known.
type Job = Box<dyn for<'a> FnOnce(&'a mut AuditedTx) -> BoxFuture<'a, (bool, Finish)> + Send>;

/// The group commit's savepoint: not yet opened, holding the last member's kept work, or
/// opened and empty (the last member was rolled back to it).
enum Savepoint {
    None,
    Holding,
    Empty,
}

struct Queued {
    ctx: AuditCtx,
    now: DateTime<Utc>,
    job: Job,
}

/// The most callers' work one transaction carries: enough to share the commit, few enough
/// that the first caller of a batch is not kept waiting long.
const MAX_GROUP: usize = 64;

/// The writers of one database: the lock every group commit holds (and, on SQLite, every write
/// transaction), and the work [`Db::write`] callers have queued for the next group commit.
#[derive(Default)]
struct Writer {
    lock: std::sync::Arc<tokio::sync::Mutex<()>>,
    queue: std::sync::Mutex<std::collections::VecDeque<Queued>>,
}

impl Db {
    /// The writer of one database (a SQLite file, or a PostgreSQL database), shared by every
    /// pool of this process that opens it.
    fn writer(&self) -> std::sync::Arc<Writer> {
        static WRITERS: std::sync::LazyLock<
            std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<Writer>>>,
        > = std::sync::LazyLock::new(Default::default);
        let key = match &self.pool {
            Pool::Sqlite(pool) => format!("sqlite:{}", pool.connect_options().get_filename().display()),
            Pool::Postgres(pool) => {
                let options = pool.connect_options();
                format!(
                    "postgres:{}:{}/{}",
                    options.get_host(),
                    options.get_port(),
                    options.get_database().unwrap_or_default()
                )
            }
        };
        let mut writers = WRITERS.lock().expect("the writer map is never poisoned");
        writers.entry(key).or_default().clone()
    }
}

/// The one connection every write transaction on a SQLite file uses, per file and settings.
///
/// Why one: SQLite drops a connection's page cache when another connection has written since
/// that connection's last transaction. With writes spread over the pool's connections, every
/// write began with a cold cache and read the pages it touches — index leaves, the tables'
/// ends — again through the WAL. Writes are serialised anyway, so one writing connection costs
/// no concurrency and keeps those pages cached from one write to the next. Readers keep the
/// pool's other connections.
fn sqlite_write_pool(pool: &SqlitePool) -> SqlitePool {
    static POOLS: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<String, SqlitePool>>> =
        std::sync::LazyLock::new(Default::default);
    let options = pool.connect_options();
    // The options' whole description: two handles on the same file with different settings
    // (durability, say) each get their own writing connection.
    let key = format!("{options:?}");
    let mut pools = POOLS.lock().expect("the write pool map is never poisoned");
    pools
        .entry(key)
        .or_insert_with(|| {
            SqlitePoolOptions::new()
                .max_connections(1)
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(3))
                // An idle minute closes it (a test's file may be gone); a busy writer keeps it.
                .idle_timeout(Some(Duration::from_secs(60)))
                .max_lifetime(None)
                .connect_lazy_with((*options).clone())
        })
        .clone()
}

/// Takes the write lock and, unless an earlier batch already carried this caller's work,
/// commits everything queued as one transaction (the leader/follower scheme of group commit:
/// whoever holds the lock writes for all who queued before it).
async fn write_queued(db: Db, writer: std::sync::Arc<Writer>) {
    let guard = writer.lock.clone().lock_owned().await;
    let first = writer.queue.lock().expect("the queue is never poisoned").pop_front();
    let Some(first) = first else { return };
    let tx = match &db.pool {
        Pool::Sqlite(pool) => sqlite_write_pool(pool).begin_with("BEGIN IMMEDIATE").await.map(Tx::Sqlite),
        Pool::Postgres(pool) => pool.begin().await.map(Tx::Postgres),
    };
    let tx = match tx {
        Ok(tx) => tx,
        Err(error) => {
            fail_all(first, &writer, &error.to_string());
            return;
        }
    };
    let mut tx =
        match AuditedTx::claim(tx, &first.ctx, first.now, None, db.reference.clone(), db.personal.clone())
            .await
        {
            Ok(tx) => tx,
            Err(error) => {
                fail_all(first, &writer, &error.to_string());
                return;
            }
        };
    let mut finished: Vec<Finish> = Vec::new();
    let mut next = Some(first);
    let mut broken = None;
    let mut savepoint = Savepoint::None;
    while let Some(queued) = next.take() {
        if let Err(error) = tx.run_in_savepoint(queued, &mut savepoint, &mut finished).await {
            broken = Some(error.to_string());
            break;
        }
        if finished.len() < MAX_GROUP {
            next = writer.queue.lock().expect("the queue is never poisoned").pop_front();
        }
    }
    let committed = match broken {
        Some(why) => Err(why),
        // Every caller's work may have been refused: then there is nothing to commit.
        None if tx.appended == 0 => Ok(()),
        None => tx.commit().await.map_err(|e| e.to_string()),
    };
    for finish in finished {
        finish(committed.clone().map_err(|why| format!("the shared transaction did not commit: {why}")));
    }
    drop(guard);
}

/// The transaction could not start: the reason is logged once here, and every queued caller is
/// answered with an error by dropping its work unrun (which drops its answer channel).
fn fail_all(first: Queued, writer: &Writer, why: &str) {
    tracing::error!(error = why, "a group commit could not begin; its callers' work was not run");
    drop(first);
    writer.queue.lock().expect("the queue is never poisoned").clear();
}

/// The one text form of an instant in the database: UTC, microseconds, `Z`. It sorts correctly.
pub fn ts(instant: DateTime<Utc>) -> String {
    instant.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub fn parse_ts(text: &str) -> Result<DateTime<Utc>, sqlx::Error> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| sqlx::Error::Decode(format!("bad timestamp {text:?}: {e}").into()))
}

pub fn parse_date(text: &str) -> Result<NaiveDate, sqlx::Error> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|e| sqlx::Error::Decode(format!("bad date {text:?}: {e}").into()))
}

pub fn decode_error(what: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("bad {what} {value:?} in the database").into())
}

/// Maps a unique-constraint failure to the field it concerns.
pub fn on_unique(error: sqlx::Error, field: &'static str) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate(field),
        _ => StoreError::Db(error),
    }
}

/// A row keyed by what the writer read (the next step's number, a year written the first time)
/// that is already there: someone wrote it meanwhile, so the write is a conflict, not a
/// duplicate value the caller typed.
pub fn on_taken_key(error: sqlx::Error) -> StoreError {
    match on_unique(error, "key") {
        StoreError::Duplicate(_) => StoreError::Conflict,
        other => other,
    }
}

/// A new id: UUIDv7 from the injected clock, so ids sort by creation time.
pub fn new_id(now: DateTime<Utc>) -> String {
    let ts =
        uuid::Timestamp::from_unix(uuid::NoContext, now.timestamp() as u64, now.timestamp_subsec_nanos());
    uuid::Uuid::new_v7(ts).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Work that changes something without writing its audit record is refused inside a group
    /// commit too, and only that work: its neighbours in the same transaction commit.
    #[tokio::test]
    async fn a_group_member_without_its_audit_record_is_rolled_back_alone() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/t.db", dir.path().display());
        let db = Db::connect(&ConnectOptions { url, max_connections: 4, sqlite_synchronous_full: false })
            .await
            .unwrap();
        let now = DateTime::parse_from_rfc3339("2026-11-28T08:00:00Z").unwrap().with_timezone(&Utc);
        db.migrate(now).await.unwrap();
        let mut handles = Vec::new();
        for i in 0..12 {
            let db = db.clone();
            handles.push(tokio::spawn(async move {
                db.write(&AuditCtx::cli("test"), now, move |tx| {
                    Box::pin(async move {
                        on_tx!(&mut tx.tx, |conn| {
                            sqlx::query("INSERT INTO schema_migrations (name, applied_at) VALUES ($1, 'x')")
                                .bind(format!("member-{i}"))
                                .execute(conn)
                                .await?;
                        });
                        if i != 5 {
                            tx.audit(AuditEvent::new("test.write", "test", i.to_string())).await?;
                        }
                        Ok::<_, sqlx::Error>(i)
                    })
                })
                .await
            }));
        }
        let results: Vec<_> = futures_util::future::join_all(handles).await;
        for (i, result) in results.into_iter().enumerate() {
            let result = result.unwrap();
            assert_eq!(result.is_ok(), i != 5, "member {i}: {result:?}");
        }
        let Pool::Sqlite(pool) = &db.pool else { unreachable!() };
        let kept: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM schema_migrations WHERE name LIKE 'member-%'")
                .fetch_one(pool)
                .await
                .unwrap();
        assert_eq!(kept, 11);
        assert_eq!(db.audit_head().await.unwrap().0, 11);
    }
}
