//! The party registry (当事人信息库).

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::party::{DocumentType, PartyDraft, Sex};
use crate::keys::Keyring;
use crate::store::personal::{self, Field};
use crate::store::{
    AuditEvent, AuditedTx, Db, StoreError, decode_error, new_id, on_pool, on_tx, on_unique, parse_date,
    parse_ts, ts,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    pub id: String,
    pub organisation: bool,
    pub name: String,
    pub document_type: DocumentType,
    /// In full: callers mask it unless the reader revealed it.
    pub document_number: String,
    pub birth_date: Option<NaiveDate>,
    pub sex: Option<Sex>,
    pub legal_representative: String,
    pub phone: Option<String>,
    pub address: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, sqlx::FromRow)]
struct PartyRow {
    id: String,
    kind: String,
    name: String,
    document_type: String,
    document_number: String,
    birth_date: Option<String>,
    sex: Option<String>,
    legal_representative: String,
    phone: Option<String>,
    address: String,
    version: i64,
    created_at: String,
}

impl PartyRow {
    /// The party, its sealed numbers opened (`personal`).
    fn open(self, ring: &Keyring) -> Result<Party, sqlx::Error> {
        let id = &self.id;
        let document_number = personal::open(ring, Field::PartyDocument, id, &self.document_number)?;
        let phone = personal::open_optional(ring, Field::PartyPhone, id, self.phone.as_deref())?;
        let address = personal::open(ring, Field::PartyAddress, id, &self.address)?;
        Party::try_from(PartyRow { document_number, phone, address, ..self })
    }
}

impl TryFrom<PartyRow> for Party {
    type Error = sqlx::Error;
    fn try_from(row: PartyRow) -> Result<Self, Self::Error> {
        Ok(Party {
            organisation: row.kind == "organisation",
            document_type: DocumentType::parse(&row.document_type)
                .ok_or_else(|| decode_error("document type", &row.document_type))?,
            birth_date: row.birth_date.as_deref().map(parse_date).transpose()?,
            sex: match row.sex.as_deref() {
                None => None,
                Some("male") => Some(Sex::Male),
                Some("female") => Some(Sex::Female),
                Some(other) => return Err(decode_error("sex", other)),
            },
            created_at: parse_ts(&row.created_at)?,
            id: row.id,
            name: row.name,
            document_number: row.document_number,
            legal_representative: row.legal_representative,
            phone: row.phone,
            address: row.address,
            version: row.version,
        })
    }
}

macro_rules! party_select {
    ($tail:literal) => {
        concat!(
            "SELECT id, kind, name, document_type, document_number, birth_date, sex, legal_representative, \
             phone, address, version, created_at FROM parties ",
            $tail
        )
    };
}

impl Db {
    /// Parties whose name contains `name` and, if given, whose document number is exactly
    /// `number`; newest first.
    pub async fn parties(
        &self,
        name: &str,
        number: &str,
        page: i64,
        page_size: i64,
    ) -> Result<(Vec<Party>, i64), sqlx::Error> {
        let pattern = if name.trim().is_empty() {
            String::new()
        } else {
            format!("%{}%", name.trim().replace(['%', '_'], ""))
        };
        let number = number.trim().to_uppercase();
        let ring = self.personal_ring()?;
        // Found by digest, never by opening every row; empty means no number filter.
        let (digest, previous) = if number.is_empty() {
            (String::new(), String::new())
        } else {
            personal::search_digests(&ring, &number)
        };
        let page_size = page_size.clamp(1, 200);
        let offset = (page.max(1) - 1) * page_size;
        let (rows, total): (Vec<PartyRow>, i64) = on_pool!(self, |pool| {
            let rows = sqlx::query_as(party_select!(
                "WHERE ($1 = '' OR name LIKE $1) AND ($2 = '' OR document_digest IN ($2, $3)) \
                 ORDER BY created_at DESC, id LIMIT $4 OFFSET $5"
            ))
            .bind(&pattern)
            .bind(&digest)
            .bind(&previous)
            .bind(page_size)
            .bind(offset)
            .fetch_all(pool)
            .await?;
            let total = sqlx::query_scalar(
                "SELECT COUNT(*) FROM parties WHERE ($1 = '' OR name LIKE $1) \
                 AND ($2 = '' OR document_digest IN ($2, $3))",
            )
            .bind(&pattern)
            .bind(&digest)
            .bind(&previous)
            .fetch_one(pool)
            .await?;
            (rows, total)
        });
        let parties = self.opened(|ring| rows.iter().cloned().map(|row| row.open(ring)).collect())?;
        Ok((parties, total))
    }

    pub async fn party(&self, id: &str) -> Result<Option<Party>, sqlx::Error> {
        let row: Option<PartyRow> = on_pool!(self, |pool| {
            sqlx::query_as(party_select!("WHERE id = $1")).bind(id).fetch_optional(pool).await?
        });
        self.opened(|ring| row.clone().map(|row| row.open(ring)).transpose())
    }

    /// The party already on file with this document, if any (一人一档).
    pub async fn party_by_document(
        &self,
        document_type: DocumentType,
        number: &str,
    ) -> Result<Option<Party>, sqlx::Error> {
        let ring = self.personal_ring()?;
        let (digest, previous) = personal::search_digests(&ring, number);
        let row: Option<PartyRow> = on_pool!(self, |pool| {
            sqlx::query_as(party_select!("WHERE document_type = $1 AND document_digest IN ($2, $3)"))
                .bind(document_type.code())
                .bind(&digest)
                .bind(&previous)
                .fetch_optional(pool)
                .await?
        });
        self.opened(|ring| row.clone().map(|row| row.open(ring)).transpose())
    }
}

impl AuditedTx {
    /// Corrects a party's name, representative, phone and address; the identity document, and
    /// what it says (birth date, sex), never changes. Refused with `Conflict` if the file
    /// changed since `version` was read.
    pub async fn update_party(
        &mut self,
        id: &str,
        version: i64,
        draft: &PartyDraft,
    ) -> Result<i64, StoreError> {
        let now = ts(self.now());
        let before: Option<(String, String, Option<String>, String)> = on_tx!(&mut self.tx, |conn| {
            sqlx::query_as("SELECT name, legal_representative, phone, address FROM parties WHERE id = $1")
                .bind(id)
                .fetch_optional(conn)
                .await?
        });
        let Some((name, representative, phone, address)) = before else {
            return Err(StoreError::NotFound);
        };
        let ring = self.personal_ring()?;
        let phone = personal::open_optional(&ring, Field::PartyPhone, id, phone.as_deref())?;
        let address = personal::open(&ring, Field::PartyAddress, id, &address)?;
        let updated = on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "UPDATE parties SET name = $1, legal_representative = $2, phone = $3, address = $4, \
                 version = version + 1, updated_at = $5 WHERE id = $6 AND version = $7",
            )
            .bind(&draft.name)
            .bind(&draft.legal_representative)
            .bind(draft.phone.as_ref().map(|p| personal::seal(&ring, Field::PartyPhone, id, p.as_str())))
            .bind(personal::seal(&ring, Field::PartyAddress, id, &draft.address))
            .bind(&now)
            .bind(id)
            .bind(version)
            .execute(conn)
            .await?
            .rows_affected()
        });
        if updated == 0 {
            return Err(StoreError::Conflict);
        }
        self.reindex_party_terms(id, &name, &draft.name).await?;
        // Which fields changed, never their values: personal data stays out of the audit log.
        let new_phone = draft.phone.as_ref().map(|p| p.as_str().to_owned());
        let changed: Vec<&str> = [
            ("name", name != draft.name),
            ("legal_representative", representative != draft.legal_representative),
            ("phone", phone != new_phone),
            ("address", address != draft.address),
        ]
        .into_iter()
        .filter_map(|(field, differs)| differs.then_some(field))
        .collect();
        self.audit(
            AuditEvent::new("party.update", "party", id)
                .details(serde_json::json!({ "version": version + 1, "changed": changed })),
        )
        .await?;
        Ok(version + 1)
    }

    pub async fn insert_party(&mut self, draft: &PartyDraft) -> Result<String, StoreError> {
        let id = new_id(self.now());
        let now = ts(self.now());
        let ring = self.personal_ring()?;
        // The same document under an older key's digest (a rotation still running) is the
        // same party: the unique index sees only digests under one key.
        let (digest, previous) = personal::search_digests(&ring, &draft.document_number);
        let taken: Option<String> = on_tx!(&mut self.tx, |conn| {
            sqlx::query_scalar(
                "SELECT id FROM parties WHERE document_type = $1 AND document_digest IN ($2, $3)",
            )
            .bind(draft.document_type.code())
            .bind(&digest)
            .bind(&previous)
            .fetch_optional(conn)
            .await?
        });
        if taken.is_some() {
            return Err(StoreError::Duplicate("document_number"));
        }
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO parties (id, kind, name, document_type, document_number, document_digest, birth_date, \
                 sex, legal_representative, phone, address, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $12, $6, $7, $8, $9, $10, $11, $11)",
            )
            .bind(&id)
            .bind(if draft.organisation { "organisation" } else { "person" })
            .bind(&draft.name)
            .bind(draft.document_type.code())
            .bind(personal::seal(&ring, Field::PartyDocument, &id, &draft.document_number))
            .bind(draft.birth_date.map(|d| d.to_string()))
            .bind(draft.sex.map(|s| match s {
                Sex::Male => "male",
                Sex::Female => "female",
            }))
            .bind(&draft.legal_representative)
            .bind(draft.phone.as_ref().map(|p| personal::seal(&ring, Field::PartyPhone, &id, p.as_str())))
            .bind(personal::seal(&ring, Field::PartyAddress, &id, &draft.address))
            .bind(&now)
            .bind(&digest)
            .execute(conn)
            .await
            .map_err(|e| on_unique(e, "document_number"))?;
        });
        // Personal data stays out of the audit log: the record names the party by id only.
        self.audit(AuditEvent::new("party.create", "party", &id).details(serde_json::json!({
            "kind": if draft.organisation { "organisation" } else { "person" },
            "document_type": draft.document_type.code(),
        })))
        .await?;
        Ok(id)
    }
}
