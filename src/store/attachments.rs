//! Files kept with a record that is not evidence: a supervision meeting's minutes and photos.
//! The bytes are in the blob store beside the evidence (the sweeper knows them, see
//! `Db::evidence_known_digests`); a row names its owner by kind and id and is never changed.

use chrono::{DateTime, Utc};

use crate::store::{AuditEvent, AuditedTx, Db, StoreError, new_id, on_pool, on_tx, parse_ts, ts};

/// A file kept with a record.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Attachment {
    pub id: String,
    /// What owns it (`supervision_meeting`).
    pub owner_kind: String,
    pub owner_id: String,
    pub title: String,
    pub file_name: String,
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub recorded_at: DateTime<Utc>,
}

type Row = (String, String, String, String, String, String, i64, String, String);

fn attachment(
    (id, owner_kind, owner_id, title, file_name, media_type, size, sha256, at): Row,
) -> Result<Attachment, sqlx::Error> {
    Ok(Attachment {
        id,
        owner_kind,
        owner_id,
        title,
        file_name,
        media_type,
        size,
        sha256,
        recorded_at: parse_ts(&at)?,
    })
}

macro_rules! columns {
    () => {
        "SELECT id, owner_kind, owner_id, title, file_name, media_type, size, sha256, recorded_at FROM attachments "
    };
}

impl Db {
    /// A record's files, in the order they were added.
    pub async fn attachments(
        &self,
        owner_kind: &str,
        owner_id: &str,
    ) -> Result<Vec<Attachment>, sqlx::Error> {
        let rows: Vec<Row> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                columns!(),
                "WHERE owner_kind = $1 AND owner_id = $2 ORDER BY recorded_at, id"
            ))
            .bind(owner_kind)
            .bind(owner_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(attachment).collect()
    }

    pub async fn attachment(&self, id: &str) -> Result<Option<Attachment>, sqlx::Error> {
        let row: Option<Row> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(columns!(), "WHERE id = $1")).bind(id).fetch_optional(pool).await?
        });
        row.map(attachment).transpose()
    }
}

/// A file to record: its bytes are in the blob store already, under `sha256`.
#[derive(Debug, Clone)]
pub struct NewAttachment<'a> {
    pub owner_kind: &'static str,
    pub owner_id: &'a str,
    pub title: &'a str,
    pub file_name: &'a str,
    pub media_type: &'a str,
    pub size: i64,
    pub sha256: &'a str,
    pub sm3: &'a str,
}

impl AuditedTx {
    pub async fn insert_attachment(&mut self, file: &NewAttachment<'_>) -> Result<String, StoreError> {
        let id = new_id(self.now());
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO attachments (id, owner_kind, owner_id, title, file_name, media_type, size, sha256, sm3, \
                 recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(&id)
            .bind(file.owner_kind)
            .bind(file.owner_id)
            .bind(file.title)
            .bind(file.file_name)
            .bind(file.media_type)
            .bind(file.size)
            .bind(file.sha256)
            .bind(file.sm3)
            .bind(&actor)
            .bind(&now)
            .execute(conn)
            .await?;
        });
        self.audit(AuditEvent::new("attachment.add", file.owner_kind, file.owner_id).details(
            serde_json::json!({
                "attachment_id": id, "title": file.title, "sha256": file.sha256, "size": file.size,
            }),
        ))
        .await?;
        Ok(id)
    }
}
