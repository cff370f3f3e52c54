//! Issued official documents (执法文书): written once with their PDF and digest, never changed.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::domain::case::documents::DocKind;
use crate::store::{
    AuditEvent, AuditedTx, Db, StoreError, decode_error, new_id, on_pool, on_tx, on_unique, parse_ts, ts,
};

/// A document as listed (without its PDF).
#[derive(Debug, Clone, serde::Serialize)]
pub struct DocumentInfo {
    pub id: String,
    pub case_id: String,
    pub kind: DocKind,
    pub number: String,
    pub sha256: String,
    pub issued_by: String,
    pub issued_at: DateTime<Utc>,
    /// The item a per-subject document is about (`act-2`, `seizure-0`, …); empty otherwise.
    pub subject: String,
}

/// A document to write.
pub struct NewDocument<'a> {
    pub case_id: &'a str,
    pub kind: DocKind,
    pub number: &'a str,
    pub data: &'a str,
    pub text: &'a str,
    pub pdf: &'a [u8],
    pub subject: &'a str,
}

type InfoRow = (String, String, String, String, String, String, String, String);
/// The info columns, then the PDF and the text.
type DocumentRow = (String, String, String, String, String, String, String, String, Vec<u8>, String);

fn info(row: InfoRow) -> Result<DocumentInfo, sqlx::Error> {
    let (id, case_id, kind, number, sha256, issued_by, issued_at, subject) = row;
    Ok(DocumentInfo {
        kind: DocKind::parse(&kind).ok_or_else(|| decode_error("document kind", &kind))?,
        issued_at: parse_ts(&issued_at)?,
        id,
        case_id,
        number,
        sha256,
        issued_by,
        subject,
    })
}

impl Db {
    pub async fn case_documents(&self, case_id: &str) -> Result<Vec<DocumentInfo>, sqlx::Error> {
        let rows: Vec<InfoRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, case_id, kind, number, sha256, issued_by, issued_at, subject FROM documents \
                 WHERE case_id = $1 ORDER BY issued_at, number",
            )
            .bind(case_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(info).collect()
    }

    /// A document with its PDF and rendered text.
    pub async fn document(&self, id: &str) -> Result<Option<(DocumentInfo, Vec<u8>, String)>, sqlx::Error> {
        let row: Option<DocumentRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                    "SELECT id, case_id, kind, number, sha256, issued_by, issued_at, subject, pdf, text FROM documents WHERE id = $1",
                )
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        let Some((id, case_id, kind, number, sha256, issued_by, issued_at, subject, pdf, text)) = row else {
            return Ok(None);
        };
        Ok(Some((info((id, case_id, kind, number, sha256, issued_by, issued_at, subject))?, pdf, text)))
    }
}

impl Db {
    /// The data a document was typeset from (for a masked copy).
    pub async fn document_data(&self, id: &str) -> Result<Option<String>, sqlx::Error> {
        on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT data FROM documents WHERE id = $1").bind(id).fetch_optional(pool).await
        })
    }
}

/// The hex SHA-256 of a document's bytes.
pub fn digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

impl AuditedTx {
    pub async fn insert_document(&mut self, doc: &NewDocument<'_>) -> Result<String, StoreError> {
        let id = new_id(self.now());
        let sha256 = digest(doc.pdf);
        let now = ts(self.now());
        let actor = self.actor().to_owned();
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO documents (id, case_id, kind, number, data, text, pdf, sha256, issued_by, issued_at, subject) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(&id)
            .bind(doc.case_id)
            .bind(doc.kind.code())
            .bind(doc.number)
            .bind(doc.data)
            .bind(doc.text)
            .bind(doc.pdf)
            .bind(&sha256)
            .bind(&actor)
            .bind(&now)
            .bind(doc.subject)
            .execute(&mut *conn)
            .await
            .map_err(|e| on_unique(e, "number"))?;
        });
        // The record names the document by number and digest; its personal data stays in it.
        self.audit(AuditEvent::new("document.issue", "document", &id).details(serde_json::json!({
            "case_id": doc.case_id, "kind": doc.kind.code(), "number": doc.number, "sha256": sha256,
        })))
        .await?;
        Ok(id)
    }
}
