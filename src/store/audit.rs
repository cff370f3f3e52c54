//! Reading and verifying the audit log. Writing happens only through `AuditedTx::audit`; there
//! is no function here, or anywhere, that updates or deletes a record.

use chrono::{DateTime, Utc};

use crate::domain::audit::{AuditContent, ChainFault, ChainVerifier, StoredRecord};
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
const VERIFY_BATCH: i64 = 10_000;

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

    pub async fn audit_head(&self) -> Result<(i64, String), sqlx::Error> {
        on_pool!(self, |pool| {
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(pool).await
        })
    }

    /// Walks the whole chain and reports the first fault.
    pub async fn verify_audit(&self) -> Result<Verification, sqlx::Error> {
        let (head_seq, head_hash) = self.audit_head().await?;
        let mut verifier = ChainVerifier::default();
        let mut checked = 0u64;
        let mut after = 0i64;
        loop {
            let rows: Vec<RecordRow> = on_pool!(self, |pool| {
                sqlx::query_as(
                    "SELECT seq, at, actor, role, source, request_id, action, object_type, object_id, result, \
                     details, prev_hash, hash FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
                )
                .bind(after)
                .bind(VERIFY_BATCH)
                .fetch_all(pool)
                .await?
            });
            let n = rows.len() as i64;
            for row in rows {
                let record = record_from_row(row);
                after = record.seq;
                if let Err(fault) = verifier.push(&record) {
                    return Ok(Verification::Broken { checked, fault });
                }
                checked += 1;
            }
            if n < VERIFY_BATCH {
                break;
            }
        }
        Ok(match verifier.finish(head_seq, &head_hash) {
            Ok(checked) => Verification::Intact { checked },
            Err(fault) => Verification::Broken { checked, fault },
        })
    }
}
