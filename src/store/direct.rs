//! Point reads on SQLite without the driver's thread hand-off.
//!
//! `sqlx-sqlite` runs every connection on a worker thread of its own and passes each statement
//! and each row through a channel, so a read by primary key costs several context switches
//! (they led the profile in BENCHMARKS.md, far ahead of SQLite's own work). The reads staff make
//! all day — one case, its timeline, one person — are single-digit-microsecond lookups for
//! SQLite itself. [`DirectReads`] keeps a few read-only connections (`rusqlite`, which shares
//! sqlx's `libsqlite3-sys`, so one SQLite library is linked) and runs those lookups on the
//! calling thread.
//!
//! The trade, written down as the hardening issue asks: the lookup blocks the async worker
//! thread for as long as it runs, so only reads bounded by an index (one row, or one case's
//! events) come here; lists, searches and scans stay on the pool. Each statement sees the last
//! committed state, as a pool read does (WAL: a reader's snapshot is taken when its statement
//! starts). The SQL is the same text the pool runs (`$1`-style parameters, which SQLite reads as
//! named ones; [`DirectReads::query`] binds them by number).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Row, ToSql};

/// Connections kept for reuse; more may be open at a moment (one per thread reading), and the
/// extra ones are closed when they come back.
const KEPT_CONNECTIONS: usize = 8;

/// Read-only SQLite connections for point reads on the calling thread.
#[derive(Debug)]
pub struct DirectReads {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl DirectReads {
    /// Reads from the database file at `path` (opened lazily, read-only).
    pub fn new(path: &Path) -> DirectReads {
        DirectReads { path: path.to_owned(), idle: Mutex::new(Vec::new()) }
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI,
        )?;
        conn.busy_timeout(Duration::from_secs(5))?;
        // The same page settings as the pool's connections (`store::connect`).
        conn.pragma_update(None, "mmap_size", super::SQLITE_MMAP_BYTES.to_string())?;
        conn.pragma_update(None, "cache_size", format!("-{}", super::SQLITE_CACHE_KIB))?;
        Ok(conn)
    }

    /// Runs `sql` with `args` as `$1`, `$2` … and maps every row with `map`.
    pub fn query<T>(
        &self,
        sql: &str,
        args: &[&dyn ToSql],
        mut map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<Vec<T>, sqlx::Error> {
        let conn = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let conn = match conn {
            Some(conn) => conn,
            None => self.open().map_err(to_sqlx)?,
        };
        let result = (|| {
            let mut statement = conn.prepare_cached(sql)?;
            for index in 1..=statement.parameter_count() {
                let number = statement
                    .parameter_name(index)
                    .and_then(|name| name.strip_prefix('$'))
                    .and_then(|n| n.parse::<usize>().ok())
                    .filter(|n| (1..=args.len()).contains(n))
                    .ok_or(rusqlite::Error::InvalidParameterCount(index, args.len()))?;
                statement.raw_bind_parameter(index, args[number - 1])?;
            }
            let mut rows = statement.raw_query();
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(map(row)?);
            }
            Ok(out)
        })();
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < KEPT_CONNECTIONS {
            idle.push(conn);
        }
        result.map_err(to_sqlx)
    }
}

/// The store speaks `sqlx::Error`; a direct read's failure is reported the same way, with
/// SQLite's words kept.
fn to_sqlx(error: rusqlite::Error) -> sqlx::Error {
    sqlx::Error::Protocol(format!("direct read: {error}"))
}

/// A row type the store reads through [`DirectReads`] as well as through the pool: the same
/// columns, looked up by name.
pub trait FromDirectRow: Sized {
    fn from_direct(row: &Row<'_>) -> rusqlite::Result<Self>;
}

/// Implements [`FromDirectRow`] for a row struct whose fields are named as the query's columns
/// (as `sqlx::FromRow` reads them). Listing every field makes the compiler catch a field added to
/// the struct and not here; a column misnamed here fails every test on SQLite.
macro_rules! direct_row {
    ($ty:ident { $($field:ident),* $(,)? }) => {
        impl $crate::store::direct::FromDirectRow for $ty {
            fn from_direct(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
                Ok($ty { $($field: row.get(stringify!($field))?),* })
            }
        }
    };
}
pub(crate) use direct_row;
