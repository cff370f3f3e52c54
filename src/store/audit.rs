//! Reading and verifying the audit log. Writing happens only through `AuditedTx::audit`; there
//! is no function here, or anywhere, that updates or deletes a record.

use chrono::{DateTime, Utc};

use crate::domain::audit::{AuditContent, ChainFault, ChainVerifier, ContentRef, StoredRecord};
use crate::store::{Db, on_pool, parse_ts};

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: String,
    pub action: String,
    pub object_id: String,
    pub result: String,
    /// Inclusive bounds as stored text (UTC); empty for none.
    pub from: String,
    pub to: String,
    pub page: i64,
    pub page_size: i64,
}

#[derive(Debug, Clone)]
pub struct AuditRecord {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub content: AuditContent,
    pub hash: String,
}

type RecordRow =
    (i64, String, String, String, String, String, String, String, String, String, String, String, String);

fn record_from_row(row: RecordRow) -> StoredRecord {
    let (
        seq,
        at,
        actor,
        role,
        source,
        request_id,
        action,
        object_type,
        object_id,
        result,
        details,
        prev_hash,
        hash,
    ) = row;
    StoredRecord {
        seq,
        content: AuditContent {
            at,
            actor,
            role,
            source,
            request_id,
            action,
            object_type,
            object_id,
            result,
            details,
        },
        prev_hash,
        hash,
    }
}

/// How many records one verification query reads. Reading in slices keeps memory flat over a
/// million records without holding one long-running query open.
const VERIFY_BATCH: i64 = 2_000;

/// Separators of the packed verification batches (ASCII record and unit separators). The
/// writer strips control characters from every field and `details` is JSON, which escapes
/// them, so neither can occur inside a field.
const RECORD_SEPARATOR: char = '\u{1e}';
const FIELD_SEPARATOR: char = '\u{1f}';

/// The columns of one record joined by the field separator, in `RecordRow` order.
macro_rules! packed_line {
    ($sep:literal) => {
        concat!(
            "CAST(seq AS TEXT) || ",
            $sep,
            " || at || ",
            $sep,
            " || actor || ",
            $sep,
            " || role || ",
            $sep,
            " || source || ",
            $sep,
            " || request_id || ",
            $sep,
            " || action || ",
            $sep,
            " || object_type || ",
            $sep,
            " || object_id || ",
            $sep,
            " || result || ",
            $sep,
            " || details || ",
            $sep,
            " || prev_hash || ",
            $sep,
            " || hash"
        )
    };
}

/// Splits one packed record into its sequence number, content, previous hash and hash.
fn unpack(line: &str) -> Option<(i64, ContentRef<'_>, &str, &str)> {
    let mut fields = line.split(FIELD_SEPARATOR);
    let mut next = || fields.next();
    let seq = next()?.parse().ok()?;
    let content = ContentRef {
        at: next()?,
        actor: next()?,
        role: next()?,
        source: next()?,
        request_id: next()?,
        action: next()?,
        object_type: next()?,
        object_id: next()?,
        result: next()?,
        details: next()?,
    };
    let (prev_hash, hash) = (next()?, next()?);
    if next().is_some() {
        return None;
    }
    Some((seq, content, prev_hash, hash))
}

/// The outcome of a full verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    Intact { checked: u64 },
    Broken { checked: u64, fault: ChainFault },
}

impl Db {
    pub async fn audit_records(&self, filter: &AuditFilter) -> Result<(Vec<AuditRecord>, i64), sqlx::Error> {
        let page_size = filter.page_size.clamp(1, 500);
        let offset = (filter.page.max(1) - 1) * page_size;
        macro_rules! audit_where {
            ($head:literal, $tail:literal) => {
                concat!(
                    $head,
                    " FROM audit_log WHERE ($1 = '' OR actor = $1) AND ($2 = '' OR action LIKE $2) \
                      AND ($3 = '' OR object_id = $3) AND ($4 = '' OR result = $4) \
                      AND ($5 = '' OR at >= $5) AND ($6 = '' OR at <= $6) ",
                    $tail
                )
            };
        }
        let action = if filter.action.is_empty() { String::new() } else { format!("{}%", filter.action) };
        let (rows, total): (Vec<RecordRow>, i64) = on_pool!(self, |pool| {
            let rows = sqlx::query_as(audit_where!(
                "SELECT seq, at, actor, role, source, request_id, action, object_type, object_id, result, details, \
                 prev_hash, hash",
                "ORDER BY seq DESC LIMIT $7 OFFSET $8"
            ))
            .bind(&filter.actor)
            .bind(&action)
            .bind(&filter.object_id)
            .bind(&filter.result)
            .bind(&filter.from)
            .bind(&filter.to)
            .bind(page_size)
            .bind(offset)
            .fetch_all(pool)
            .await?;
            let total = sqlx::query_scalar(audit_where!("SELECT COUNT(*)", ""))
                .bind(&filter.actor)
                .bind(&action)
                .bind(&filter.object_id)
                .bind(&filter.result)
                .bind(&filter.from)
                .bind(&filter.to)
                .fetch_one(pool)
                .await?;
            (rows, total)
        });
        let records = rows
            .into_iter()
            .map(|row| {
                let record = record_from_row(row);
                Ok(AuditRecord {
                    seq: record.seq,
                    at: parse_ts(&record.content.at)?,
                    content: record.content,
                    hash: record.hash,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok((records, total))
    }

    /// The hash the chain holds for record `seq`, if it holds the record.
    pub async fn audit_record_hash(&self, seq: i64) -> Result<Option<String>, sqlx::Error> {
        on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = $1")
                .bind(seq)
                .fetch_optional(pool)
                .await
        })
    }

    pub async fn audit_head(&self) -> Result<(i64, String), sqlx::Error> {
        on_pool!(self, |pool| {
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(pool).await
        })
    }

    /// Walks the whole chain and reports the first fault.
    ///
    /// It checks the chain up to the head as read first: a record and the head move in one
    /// transaction, so everything up to that head was committed, and records committed while
    /// the walk runs (a server still serving, or a writer killed with its commit in flight) are
    /// the next walk's, not a fault of this one. Rows past the head without the head moving
    /// are what the signed checkpoints (`anchor`) catch.
    pub async fn verify_audit(&self) -> Result<Verification, sqlx::Error> {
        let (head_seq, head_hash) = self.audit_head().await?;
        let mut verifier = ChainVerifier::default();
        let mut checked = 0u64;
        let mut after = 0i64;
        loop {
            // One row per batch: both drivers hand rows from a worker to the caller one at a
            // time, and at a million records that hand-off, not hashing, was the cost
            // (20 µs a record against 2 µs in the sqlite3 shell). The aggregate differs per
            // backend; everything else is the same SQL.
            let packed: (Option<String>, Option<i64>) =
                match &self.pool {
                    super::Pool::Sqlite(pool) => {
                        sqlx::query_as(concat!(
                            "SELECT group_concat(line, char(30) ORDER BY seq), MAX(seq) FROM (SELECT seq, ",
                            packed_line!("char(31)"),
                            " AS line FROM audit_log WHERE seq > $1 AND seq <= $3 ORDER BY seq LIMIT $2)"
                        ))
                        .bind(after)
                        .bind(VERIFY_BATCH)
                        .bind(head_seq)
                        .fetch_one(pool)
                        .await?
                    }
                    super::Pool::Postgres(pool) => sqlx::query_as(concat!(
                        "SELECT string_agg(line, chr(30) ORDER BY seq), MAX(seq) FROM (SELECT seq, ",
                        packed_line!("chr(31)"),
                        " AS line FROM audit_log WHERE seq > $1 AND seq <= $3 ORDER BY seq LIMIT $2) batch"
                    ))
                    .bind(after)
                    .bind(VERIFY_BATCH)
                    .bind(head_seq)
                    .fetch_one(pool)
                    .await?,
                };
            let (Some(lines), Some(last)) = packed else { break };
            let mut n = 0;
            for line in lines.split(RECORD_SEPARATOR) {
                n += 1;
                // A record that does not unpack holds a separator the writer never stores.
                let Some((seq, content, prev_hash, hash)) = unpack(line) else {
                    let seq =
                        line.split(FIELD_SEPARATOR).next().and_then(|s| s.parse().ok()).unwrap_or(after + 1);
                    return Ok(Verification::Broken { checked, fault: ChainFault::ContentChanged { seq } });
                };
                after = seq;
                if let Err(fault) = verifier.push_parts(seq, content, prev_hash, hash) {
                    return Ok(Verification::Broken { checked, fault });
                }
                checked += 1;
            }
            after = after.max(last);
            if n < VERIFY_BATCH {
                break;
            }
        }
        let checked = match verifier.finish(head_seq, &head_hash) {
            Ok(checked) => checked,
            Err(fault) => return Ok(Verification::Broken { checked, fault }),
        };
        // A record past the head read first is either one committed since (the head has moved
        // to it by now: a record and the head commit together) or one written past the head
        // behind its back.
        let beyond: Option<i64> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT MAX(seq) FROM audit_log").fetch_one(pool).await?
        });
        if let Some(last) = beyond.filter(|last| *last > head_seq) {
            let (now_head, _) = self.audit_head().await?;
            if now_head < last {
                return Ok(Verification::Broken { checked, fault: ChainFault::HeadMismatch { seq: last } });
            }
        }
        Ok(Verification::Intact { checked })
    }
}
