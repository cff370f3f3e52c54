//! Evidence items and their custody records. Each custody record is written in the same
//! transaction as its audit record, so the custody timeline and the audit chain never disagree.

use chrono::{DateTime, Utc};

use crate::domain::evidence::{CustodyEvent, EvidenceKind, MediaType};
use crate::store::org::Visibility;
use crate::store::{
    AuditEvent, AuditedTx, Db, StoreError, decode_error, new_id, on_pool, on_tx, parse_ts, ts,
};

/// One evidence item as stored.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct EvidenceItem {
    pub id: String,
    /// Lower-case hex SHA-256 of the bytes: the legal fingerprint.
    pub sha256: String,
    /// Lower-case hex SM3 (GB/T 32905) of the same bytes.
    pub sm3: String,
    pub size: i64,
    #[schema(value_type = String)]
    pub media_type: MediaType,
    pub mime: &'static str,
    #[schema(value_type = String)]
    pub kind: EvidenceKind,
    pub description: String,
    pub original_name: String,
    pub unit_id: String,
    pub unit_name: String,
    /// The person who collected it (their id), or the uploading account's name.
    pub collected_by: String,
    pub uploaded_by: String,
    /// The time the device reports for the recording or photo.
    pub device_time: Option<DateTime<Utc>>,
    /// The server's time when the last byte arrived.
    pub received_at: DateTime<Utc>,
    /// The device's clock ran ahead of the server (see `MAX_DEVICE_CLOCK_LEAD`).
    pub clock_skew: bool,
    pub location: String,
    /// 执法记录仪 or camera number.
    pub device_no: String,
    pub case_id: Option<String>,
    pub case_number: Option<String>,
    /// The case act it records (an investigation, a hearing, a service …), free text.
    pub act: String,
    pub legal_hold: bool,
    pub deletion_requested_at: Option<DateTime<Utc>>,
    pub deletion_requested_by: Option<String>,
    pub deletion_reason: Option<String>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub deleted_by: Option<String>,
    pub version: i64,
    pub patrol_id: Option<String>,
    /// The case event it records (sequence number on the case's timeline).
    pub case_event_seq: Option<i64>,
    pub recording_started_at: Option<DateTime<Utc>>,
    pub recording_ended_at: Option<DateTime<Utc>>,
    /// The matter whose handling it shows (a photo taken at 处置反馈).
    pub matter_id: Option<String>,
}

#[derive(sqlx::FromRow)]
struct ItemRow {
    id: String,
    sha256: String,
    sm3: String,
    size: i64,
    media_type: String,
    kind: String,
    description: String,
    original_name: String,
    unit_id: String,
    unit_name: String,
    collected_by: String,
    uploaded_by: String,
    device_time: Option<String>,
    received_at: String,
    clock_skew: bool,
    location: String,
    device_no: String,
    case_id: Option<String>,
    case_number: Option<String>,
    act: String,
    legal_hold: bool,
    deletion_requested_at: Option<String>,
    deletion_requested_by: Option<String>,
    deletion_reason: Option<String>,
    deleted_at: Option<String>,
    deleted_by: Option<String>,
    version: i64,
    patrol_id: Option<String>,
    case_event_seq: Option<i64>,
    recording_started_at: Option<String>,
    recording_ended_at: Option<String>,
    matter_id: Option<String>,
}

fn optional_ts(text: Option<String>) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    text.map(|t| parse_ts(&t)).transpose()
}

impl TryFrom<ItemRow> for EvidenceItem {
    type Error = sqlx::Error;
    fn try_from(row: ItemRow) -> Result<Self, sqlx::Error> {
        let media_type =
            MediaType::parse(&row.media_type).ok_or_else(|| decode_error("media type", &row.media_type))?;
        Ok(EvidenceItem {
            mime: media_type.mime(),
            media_type,
            kind: EvidenceKind::parse(&row.kind).ok_or_else(|| decode_error("evidence kind", &row.kind))?,
            device_time: optional_ts(row.device_time)?,
            received_at: parse_ts(&row.received_at)?,
            deletion_requested_at: optional_ts(row.deletion_requested_at)?,
            deleted_at: optional_ts(row.deleted_at)?,
            recording_started_at: optional_ts(row.recording_started_at)?,
            recording_ended_at: optional_ts(row.recording_ended_at)?,
            patrol_id: row.patrol_id,
            matter_id: row.matter_id,
            case_event_seq: row.case_event_seq,
            id: row.id,
            sha256: row.sha256,
            sm3: row.sm3,
            size: row.size,
            description: row.description,
            original_name: row.original_name,
            unit_id: row.unit_id,
            unit_name: row.unit_name,
            collected_by: row.collected_by,
            uploaded_by: row.uploaded_by,
            clock_skew: row.clock_skew,
            location: row.location,
            device_no: row.device_no,
            case_id: row.case_id,
            case_number: row.case_number,
            act: row.act,
            legal_hold: row.legal_hold,
            deletion_requested_by: row.deletion_requested_by,
            deletion_reason: row.deletion_reason,
            deleted_by: row.deleted_by,
            version: row.version,
        })
    }
}

/// The columns every item query selects, then the visibility test: binds $1 mode, $2 unit,
/// $3 person.
macro_rules! item_select {
    () => {
        "WITH RECURSIVE visible(id) AS ( \
            SELECT id FROM units WHERE id = $2 \
            UNION ALL SELECT u.id FROM units u JOIN visible v ON u.parent_id = v.id WHERE $1 = 'subtree' \
         ) \
         SELECT e.id, e.sha256, e.sm3, e.size, e.media_type, e.kind, e.description, e.original_name, \
                e.unit_id, un.name AS unit_name, e.collected_by, e.uploaded_by, e.device_time, e.received_at, \
                e.clock_skew, e.location, e.device_no, e.case_id, c.number AS case_number, e.act, e.legal_hold, \
                e.deletion_requested_at, e.deletion_requested_by, e.deletion_reason, e.deleted_at, \
                e.deleted_by, e.version, e.patrol_id, e.case_event_seq, e.recording_started_at, \
                e.recording_ended_at, e.matter_id \
           FROM evidence_items e JOIN units un ON un.id = e.unit_id LEFT JOIN cases c ON c.id = e.case_id \
          WHERE ($1 = 'all' OR ($1 IN ('unit', 'subtree') AND e.unit_id IN (SELECT id FROM visible)) \
                 OR ($1 = 'person' AND e.collected_by = $3) \
                 OR ($1 IN ('unit', 'subtree') AND EXISTS (SELECT 1 FROM evidence_shares s WHERE s.item_id = e.id \
                     AND s.revoked_at IS NULL AND s.unit_id IN (SELECT id FROM visible)))) "
    };
}

/// What the evidence list is narrowed to; empty matches everything.
#[derive(Debug, Clone, Default)]
pub struct EvidenceFilter {
    pub case_id: String,
    pub patrol_id: String,
    pub matter_id: String,
    pub kind: String,
    /// Deleted items are listed only when asked for.
    pub include_deleted: bool,
    /// Only items whose deletion was asked for (the security administrator's list).
    pub deletion_requested: bool,
}

/// A new item, its bytes already in the blob store.
#[derive(Debug, Clone)]
pub struct NewEvidence<'a> {
    pub sha256: &'a str,
    pub sm3: &'a str,
    pub size: u64,
    pub media: MediaType,
    pub kind: EvidenceKind,
    pub description: &'a str,
    pub original_name: &'a str,
    pub unit_id: &'a str,
    pub collected_by: &'a str,
    pub device_time: Option<DateTime<Utc>>,
    pub clock_skew: bool,
    pub location: &'a str,
    pub device_no: &'a str,
    pub case_id: Option<&'a str>,
    pub act: &'a str,
    pub patrol_id: Option<&'a str>,
    pub case_event_seq: Option<i64>,
    pub recording_started_at: Option<DateTime<Utc>>,
    pub recording_ended_at: Option<DateTime<Utc>>,
    pub matter_id: Option<&'a str>,
}

/// One custody record.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CustodyRecord {
    pub seq: i64,
    #[schema(value_type = String)]
    pub event: CustodyEvent,
    pub actor: String,
    pub at: DateTime<Utc>,
    /// The client address the act came from.
    pub address: String,
    /// The digest of the bytes at the time of the event.
    pub sha256: String,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

/// What `evidence verify` needs of every item.
#[derive(Debug, Clone)]
pub struct StoredDigest {
    pub id: String,
    pub sha256: String,
    pub sm3: String,
    pub size: i64,
}

/// A change of an item's metadata (never of its bytes).
#[derive(Debug, Clone)]
pub enum EvidenceChange<'a> {
    Kind(EvidenceKind),
    LegalHold(bool),
    RequestDeletion { reason: &'a str },
    ApproveDeletion,
    Restore,
}

impl Db {
    pub async fn evidence_items(
        &self,
        visibility: &Visibility,
        filter: &EvidenceFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<EvidenceItem>, sqlx::Error> {
        let (mode, unit, person) = visibility.binds();
        let rows: Vec<ItemRow> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                item_select!(),
                "AND ($4 = '' OR e.case_id = $4) AND ($5 = '' OR e.kind = $5) \
                 AND ($6 OR e.deleted_at IS NULL) AND ($9 = '' OR e.patrol_id = $9) \
                 AND (NOT $10 OR e.deletion_requested_at IS NOT NULL) AND ($11 = '' OR e.matter_id = $11) \
                 ORDER BY e.received_at DESC, e.id DESC LIMIT $7 OFFSET $8"
            ))
            .bind(mode)
            .bind(&unit)
            .bind(&person)
            .bind(&filter.case_id)
            .bind(&filter.kind)
            .bind(filter.include_deleted)
            .bind(limit)
            .bind(offset)
            .bind(&filter.patrol_id)
            .bind(filter.deletion_requested)
            .bind(&filter.matter_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(EvidenceItem::try_from).collect()
    }

    pub async fn evidence_item(
        &self,
        visibility: &Visibility,
        id: &str,
    ) -> Result<Option<EvidenceItem>, sqlx::Error> {
        let (mode, unit, person) = visibility.binds();
        let row: Option<ItemRow> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(item_select!(), "AND e.id = $4"))
                .bind(mode)
                .bind(&unit)
                .bind(&person)
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        row.map(EvidenceItem::try_from).transpose()
    }

    /// Every item whose bytes should be in the store (not deleted), optionally one.
    pub async fn evidence_digests(&self, only: Option<&str>) -> Result<Vec<StoredDigest>, sqlx::Error> {
        let rows: Vec<(String, String, String, i64)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, sha256, sm3, size FROM evidence_items \
                 WHERE deleted_at IS NULL AND ($1 = '' OR id = $1) ORDER BY id",
            )
            .bind(only.unwrap_or(""))
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(|(id, sha256, sm3, size)| StoredDigest { id, sha256, sm3, size }).collect())
    }

    /// Whether any item not deleted still needs these bytes.
    pub async fn evidence_bytes_needed(&self, sha256: &str) -> Result<bool, sqlx::Error> {
        let n: i64 = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM evidence_items WHERE sha256 = $1 AND deleted_at IS NULL")
                .bind(sha256)
                .fetch_one(pool)
                .await?
        });
        Ok(n > 0)
    }

    /// Every digest the database knows, deleted items included (the sweeper keeps their bytes
    /// until the recovery period has passed).
    pub async fn evidence_known_digests(&self) -> Result<std::collections::HashSet<String>, sqlx::Error> {
        let rows: Vec<String> = on_pool!(self, |pool| {
            // Training materials and attachments share the store: their objects are known too.
            sqlx::query_scalar(
                "SELECT sha256 FROM evidence_items UNION SELECT sha256 FROM training_materials \
                 UNION SELECT sha256 FROM attachments",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().collect())
    }

    /// Items deleted before `before` whose bytes no live item (and no training material or
    /// attachment) shares: their bytes may go.
    pub async fn evidence_purgeable(&self, before: DateTime<Utc>) -> Result<Vec<String>, sqlx::Error> {
        on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT DISTINCT d.sha256 FROM evidence_items d WHERE d.deleted_at IS NOT NULL AND d.deleted_at < $1 \
                 AND NOT EXISTS (SELECT 1 FROM evidence_items l WHERE l.sha256 = d.sha256 \
                                 AND (l.deleted_at IS NULL OR l.deleted_at >= $1)) \
                 AND NOT EXISTS (SELECT 1 FROM training_materials t WHERE t.sha256 = d.sha256) \
                 AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.sha256 = d.sha256)",
            )
            .bind(ts(before))
            .fetch_all(pool)
            .await
        })
    }

    pub async fn custody_records(&self, item_id: &str) -> Result<Vec<CustodyRecord>, sqlx::Error> {
        let rows: Vec<(i64, String, String, String, String, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT seq, event, actor, at, address, sha256, details FROM evidence_custody \
                 WHERE item_id = $1 ORDER BY seq",
            )
            .bind(item_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(seq, event, actor, at, address, sha256, details)| {
                Ok(CustodyRecord {
                    seq,
                    event: CustodyEvent::parse(&event)
                        .ok_or_else(|| decode_error("custody event", &event))?,
                    actor,
                    at: parse_ts(&at)?,
                    address,
                    sha256,
                    details: serde_json::from_str(&details)
                        .map_err(|_| decode_error("custody details", &details))?,
                })
            })
            .collect()
    }
}

/// A unit an item is shared with.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Share {
    pub unit_id: String,
    pub unit_name: String,
    pub shared_by: String,
    pub shared_at: DateTime<Utc>,
    pub reason: String,
}

impl Db {
    /// The units an item is shared with now.
    pub async fn evidence_shares(&self, item_id: &str) -> Result<Vec<Share>, sqlx::Error> {
        let rows: Vec<(String, String, String, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT s.unit_id, u.name, s.shared_by, s.shared_at, s.reason FROM evidence_shares s \
                 JOIN units u ON u.id = s.unit_id WHERE s.item_id = $1 AND s.revoked_at IS NULL ORDER BY s.shared_at",
            )
            .bind(item_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(unit_id, unit_name, shared_by, shared_at, reason)| {
                Ok(Share { unit_id, unit_name, shared_by, shared_at: parse_ts(&shared_at)?, reason })
            })
            .collect()
    }
}

impl AuditedTx {
    /// Shares an item with a unit (once: sharing again while a share stands changes nothing).
    pub async fn share_evidence(
        &mut self,
        item: &EvidenceItem,
        unit_id: &str,
        reason: &str,
        address: &str,
    ) -> Result<(), StoreError> {
        let now = ts(self.now());
        let actor = self.actor().to_owned();
        let inserted = on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO evidence_shares (item_id, unit_id, shared_by, shared_at, reason) \
                 SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM evidence_shares \
                 WHERE item_id = $1 AND unit_id = $2 AND revoked_at IS NULL)",
            )
            .bind(&item.id)
            .bind(unit_id)
            .bind(&actor)
            .bind(&now)
            .bind(reason)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        if inserted == 0 {
            return Err(StoreError::Duplicate("unit_id"));
        }
        let details = serde_json::json!({ "unit_id": unit_id, "reason": reason });
        self.custody(&item.id, &item.sha256, CustodyEvent::Shared, address, details).await?;
        Ok(())
    }

    /// Ends a standing share.
    pub async fn revoke_share(
        &mut self,
        item: &EvidenceItem,
        unit_id: &str,
        address: &str,
    ) -> Result<(), StoreError> {
        let now = ts(self.now());
        let revoked = on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "UPDATE evidence_shares SET revoked_at = $3 WHERE item_id = $1 AND unit_id = $2 AND revoked_at IS NULL",
            )
            .bind(&item.id)
            .bind(unit_id)
            .bind(&now)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        if revoked == 0 {
            return Err(StoreError::NotFound);
        }
        let details = serde_json::json!({ "unit_id": unit_id });
        self.custody(&item.id, &item.sha256, CustodyEvent::ShareRevoked, address, details).await?;
        Ok(())
    }

    /// Writes a new item with its `collected` and `uploaded` custody records.
    pub async fn insert_evidence(
        &mut self,
        item: &NewEvidence<'_>,
        address: &str,
    ) -> Result<String, StoreError> {
        let id = new_id(self.now());
        let now = ts(self.now());
        let actor = self.actor().to_owned();
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO evidence_items (id, sha256, sm3, size, media_type, kind, description, original_name, \
                 unit_id, collected_by, uploaded_by, device_time, received_at, clock_skew, location, device_no, \
                 case_id, act, legal_hold, version, patrol_id, case_event_seq, recording_started_at, recording_ended_at, \
                 matter_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, 1, \
                         $20, $21, $22, $23, $24)",
            )
            .bind(&id)
            .bind(item.sha256)
            .bind(item.sm3)
            .bind(item.size as i64)
            .bind(item.media.code())
            .bind(item.kind.code())
            .bind(item.description)
            .bind(item.original_name)
            .bind(item.unit_id)
            .bind(item.collected_by)
            .bind(&actor)
            .bind(item.device_time.map(ts))
            .bind(&now)
            .bind(item.clock_skew)
            .bind(item.location)
            .bind(item.device_no)
            .bind(item.case_id)
            .bind(item.act)
            .bind(false)
            .bind(item.patrol_id)
            .bind(item.case_event_seq)
            .bind(item.recording_started_at.map(ts))
            .bind(item.recording_ended_at.map(ts))
            .bind(item.matter_id)
            .execute(&mut *conn)
            .await?;
        });
        let collected = serde_json::json!({
            "collected_by": item.collected_by, "device_time": item.device_time.map(ts),
            "location": item.location, "device_no": item.device_no, "clock_skew": item.clock_skew,
        });
        self.custody(&id, item.sha256, CustodyEvent::Collected, address, collected).await?;
        let uploaded = serde_json::json!({
            "size": item.size, "sm3": item.sm3, "media_type": item.media.code(), "kind": item.kind.code(),
            "case_id": item.case_id, "case_event_seq": item.case_event_seq, "patrol_id": item.patrol_id,
            "matter_id": item.matter_id,
        });
        self.custody(&id, item.sha256, CustodyEvent::Uploaded, address, uploaded).await?;
        Ok(id)
    }

    /// Appends one custody record and its audit record.
    pub async fn custody(
        &mut self,
        item_id: &str,
        sha256: &str,
        event: CustodyEvent,
        address: &str,
        details: serde_json::Value,
    ) -> Result<(), sqlx::Error> {
        let now = ts(self.now());
        let actor = self.actor().to_owned();
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO evidence_custody (item_id, event, actor, at, address, sha256, details) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(item_id)
            .bind(event.code())
            .bind(&actor)
            .bind(&now)
            .bind(address)
            .bind(sha256)
            .bind(details.to_string())
            .execute(&mut *conn)
            .await?;
        });
        let mut audit_details = details;
        if let serde_json::Value::Object(map) = &mut audit_details {
            map.insert("sha256".to_owned(), serde_json::Value::String(sha256.to_owned()));
        }
        self.audit(AuditEvent::new(custody_action(event), "evidence", item_id).details(audit_details)).await
    }

    /// Changes an item's metadata if it is still at `version`, with its custody record.
    pub async fn change_evidence(
        &mut self,
        item: &EvidenceItem,
        version: i64,
        change: EvidenceChange<'_>,
        address: &str,
    ) -> Result<(), StoreError> {
        let now = ts(self.now());
        let actor = self.actor().to_owned();
        let (sql, event, details): (&str, CustodyEvent, serde_json::Value) = match &change {
            EvidenceChange::Kind(kind) => (
                "UPDATE evidence_items SET kind = $3, version = version + 1 WHERE id = $1 AND version = $2",
                CustodyEvent::CategoryChanged,
                serde_json::json!({ "from": item.kind.code(), "to": kind.code() }),
            ),
            EvidenceChange::LegalHold(hold) => (
                "UPDATE evidence_items SET legal_hold = $3, version = version + 1 WHERE id = $1 AND version = $2",
                CustodyEvent::RetentionChanged,
                serde_json::json!({ "legal_hold": hold }),
            ),
            EvidenceChange::RequestDeletion { reason } => (
                "UPDATE evidence_items SET deletion_requested_at = $4, deletion_requested_by = $5, \
                 deletion_reason = $3, version = version + 1 WHERE id = $1 AND version = $2",
                CustodyEvent::DeletionRequested,
                serde_json::json!({ "reason": reason }),
            ),
            EvidenceChange::ApproveDeletion => (
                "UPDATE evidence_items SET deleted_at = $3, deleted_by = $4, version = version + 1 \
                 WHERE id = $1 AND version = $2",
                CustodyEvent::DeletionApproved,
                serde_json::json!({ "requested_by": item.deletion_requested_by }),
            ),
            EvidenceChange::Restore => (
                "UPDATE evidence_items SET deleted_at = NULL, deleted_by = NULL, deletion_requested_at = NULL, \
                 deletion_requested_by = NULL, deletion_reason = NULL, version = version + 1 \
                 WHERE id = $1 AND version = $2",
                CustodyEvent::Restored,
                serde_json::json!({}),
            ),
        };
        let changed = on_tx!(&mut self.tx, |conn| {
            let query = sqlx::query(sql).bind(&item.id).bind(version);
            let query = match &change {
                EvidenceChange::Kind(kind) => query.bind(kind.code()),
                EvidenceChange::LegalHold(hold) => query.bind(*hold),
                EvidenceChange::RequestDeletion { reason } => query.bind(*reason).bind(&now).bind(&actor),
                EvidenceChange::ApproveDeletion => query.bind(&now).bind(&actor),
                EvidenceChange::Restore => query,
            };
            query.execute(&mut *conn).await?.rows_affected()
        });
        if changed == 0 {
            return Err(StoreError::Conflict);
        }
        self.custody(&item.id, &item.sha256, event, address, details).await?;
        Ok(())
    }
}

/// The audit action of each custody event.
fn custody_action(event: CustodyEvent) -> &'static str {
    match event {
        CustodyEvent::Collected => "evidence.collect",
        CustodyEvent::Uploaded => "evidence.upload",
        CustodyEvent::Viewed => "evidence.view",
        CustodyEvent::Streamed => "evidence.stream",
        CustodyEvent::Downloaded => "evidence.download",
        CustodyEvent::Exported => "evidence.export",
        CustodyEvent::Shared => "evidence.share",
        CustodyEvent::ShareRevoked => "evidence.share_revoke",
        CustodyEvent::CategoryChanged => "evidence.kind_change",
        CustodyEvent::RetentionChanged => "evidence.retention_change",
        CustodyEvent::DeletionRequested => "evidence.delete_request",
        CustodyEvent::DeletionApproved => "evidence.delete_approve",
        CustodyEvent::Restored => "evidence.restore",
        CustodyEvent::VerifyFailed => "evidence.verify_failed",
    }
}
