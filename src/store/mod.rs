//! All SQL lives here. Each query is written once, with `$1` placeholders, and runs on SQLite or
//! PostgreSQL through [`Db`] and the `on_pool!` / `on_tx!` macros, which compile the same code
//! once per backend.
//!
//! Every change of state goes through [`Db::begin`], which returns an [`AuditedTx`]: the
//! transaction claims the audit chain's head first, and refuses to commit without at least one
//! audit record, so a change and its record are written together or not at all.

pub mod accounts;
pub mod audit;
pub mod calendar;
pub mod cases;
pub mod documents;
pub mod evidence;
pub mod fieldwork;
pub mod jobs;
pub mod org;
pub mod parties;

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};

use crate::domain::audit::{AuditContent, Outcome};

/// The database, on one of two backends.
#[derive(Debug, Clone)]
pub enum Db {
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
        match $db {
            $crate::store::Db::Sqlite($pool) => $body,
            $crate::store::Db::Postgres($pool) => $body,
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
];

impl Db {
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
            Ok(Db::Postgres(pool))
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
                .busy_timeout(Duration::from_secs(5));
            let pool = SqlitePoolOptions::new()
                .max_connections(options.max_connections)
                // A file in this process does not go away between queries, so the liveness
                // ping sqlx sends before every acquisition is a wasted worker round trip.
                .test_before_acquire(false)
                .acquire_timeout(Duration::from_secs(3))
                .connect_with(connect)
                .await?;
            Ok(Db::Sqlite(pool))
        }
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
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
                let sql = match self {
                    Db::Sqlite(_) => *sqlite_sql,
                    Db::Postgres(_) => *postgres_sql,
                };
                let mut tx = pool.begin().await?;
                sqlx::raw_sql(sql).execute(&mut *tx).await?;
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

    /// Whether the database answers, for `/readyz`.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        on_pool!(self, |pool| {
            sqlx::query("SELECT 1").execute(pool).await?;
            Ok(())
        })
    }

    /// Starts a write transaction that will carry its audit records.
    pub async fn begin(&self, ctx: &AuditCtx, now: DateTime<Utc>) -> Result<AuditedTx, sqlx::Error> {
        let (mut tx, writer) = match self {
            Db::Sqlite(pool) => {
                // Writers of one SQLite file queue here, in arrival order, instead of polling
                // the file lock: SQLite's busy handler sleeps in growing steps, which under
                // eight concurrent writers made the slowest write wait seconds. IMMEDIATE then
                // takes the write lock at once (another process may still hold it; the busy
                // timeout covers that).
                let guard = sqlite_writer(pool).lock_owned().await;
                (Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?), Some(guard))
            }
            Db::Postgres(pool) => (Tx::Postgres(pool.begin().await?), None),
        };
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
}

impl AuditedTx {
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
        result
    }
}

/// The writer queue of one SQLite database file, shared by every pool of this process that
/// opens it.
fn sqlite_writer(pool: &SqlitePool) -> std::sync::Arc<tokio::sync::Mutex<()>> {
    static QUEUES: std::sync::LazyLock<
        std::sync::Mutex<
            std::collections::HashMap<std::path::PathBuf, std::sync::Arc<tokio::sync::Mutex<()>>>,
        >,
    > = std::sync::LazyLock::new(Default::default);
    let file = pool.connect_options().get_filename().to_path_buf();
    let mut queues = QUEUES.lock().expect("the queue map is never poisoned");
    queues.entry(file).or_default().clone()
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

/// A new id: UUIDv7 from the injected clock, so ids sort by creation time.
pub fn new_id(now: DateTime<Utc>) -> String {
    let ts =
        uuid::Timestamp::from_unix(uuid::NoContext, now.timestamp() as u64, now.timestamp_subsec_nanos());
    uuid::Uuid::new_v7(ts).to_string()
}
