//! Personal numbers at rest (GB/T 39786 level 3: confidentiality of important data in storage;
//! PIPL Art. 51). Parties' ID and document numbers, phones and addresses, and staff phones are
//! stored sealed with SM4-GCM under the key file (`keys::Purpose::PersonalData`), each bound to
//! its table, column and row, so that a value copied to another row does not open there. A
//! document number is found and kept unique through a keyed digest beside it (HMAC-SM3,
//! `Purpose::PersonalDigest`), never by opening every row. A database copied without the key
//! file shows none of these numbers.
//!
//! The store seals on every write and opens on every read, so nothing above it sees
//! ciphertext. Without a key ring the store refuses to read or write them: it never falls back
//! to plaintext. `reseal` brings every row under the key in force — values written before
//! sealing existed, and values under an older key after `chengguan keys rotate` — in batches,
//! each batch one audited transaction, so the server keeps serving while it runs.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, Utc};

use crate::keys::{Keyring, Purpose, SEALED_PREFIX};
use crate::store::{AuditCtx, AuditEvent, Db, on_pool, on_tx};

/// A column that holds a personal number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    PartyDocument,
    PartyPhone,
    PartyAddress,
    PersonPhone,
    /// A matter's reporter (`matter_reporters`, row `matter:seq`): name and phone.
    ReporterName,
    ReporterPhone,
    /// A special-care entry's category and circumstances (个人信息保护法 Art. 28: what makes
    /// the party's file sensitive).
    CareCategory,
    CareCircumstances,
    /// A counselling session's notes (心灵管理辅导): readable only by the counsellor and the
    /// people of the session.
    CounsellingNotes,
    /// A supervisor's phone (督察: the register of outside supervisors).
    SupervisorPhone,
}

impl Field {
    fn label(self) -> &'static str {
        match self {
            Field::PartyDocument => "parties.document_number",
            Field::PartyPhone => "parties.phone",
            Field::PartyAddress => "parties.address",
            Field::PersonPhone => "people.phone",
            Field::ReporterName => "matter_reporters.name",
            Field::ReporterPhone => "matter_reporters.phone",
            Field::CareCategory => "care_entries.category",
            Field::CareCircumstances => "care_entries.circumstances",
            Field::CounsellingNotes => "counselling_sessions.notes",
            Field::SupervisorPhone => "supervisors.phone",
        }
    }
}

/// How often a running instance looks whether the key file gained a key (a rotation started
/// elsewhere): values sealed under the new key must open here within this time.
const KEY_FILE_CHECK: Duration = Duration::from_secs(1);

/// The key ring the store seals with, shared by every clone of one `Db`.
#[derive(Default)]
pub struct PersonalKeys {
    ring: RwLock<Option<Arc<Keyring>>>,
    /// The key file, to reload when it changes, and when it was last looked at.
    file: Mutex<Option<(PathBuf, Option<SystemTime>, Instant)>>,
}

fn no_key() -> sqlx::Error {
    sqlx::Error::Configuration(
        "personal numbers are sealed with the key file (setting `key_file`), and no key ring was given to the store"
            .into(),
    )
}

fn unsealable(field: Field) -> sqlx::Error {
    sqlx::Error::Decode(
        format!(
            "a sealed {} does not open: altered, moved to another row, or sealed under a key the key file no longer holds",
            field.label()
        )
        .into(),
    )
}

impl std::fmt::Debug for PersonalKeys {
    /// Says whether a ring is set, never what it holds.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = self.ring.read().map(|r| r.is_some()).unwrap_or(false);
        f.debug_struct("PersonalKeys").field("set", &set).finish()
    }
}

impl PersonalKeys {
    /// The ring to seal and open with; reloads the key file when it changed on disk (a key
    /// added by `chengguan keys rotate` on another process).
    pub fn ring(&self) -> Result<Arc<Keyring>, sqlx::Error> {
        self.reload_if_changed();
        self.ring.read().expect("the key ring lock is never poisoned").clone().ok_or_else(no_key)
    }

    fn reload_if_changed(&self) {
        self.reload(false);
    }

    /// Looks at the key file now, whatever the time since the last look: a sealed value under
    /// a key this ring lacks may be the first of a rotation started elsewhere.
    fn reload_now(&self) {
        self.reload(true);
    }

    fn reload(&self, now: bool) {
        let mut file = self.file.lock().expect("the key file lock is never poisoned");
        let Some((path, modified, checked)) = file.as_mut() else { return };
        if !now && checked.elapsed() < KEY_FILE_CHECK {
            return;
        }
        *checked = Instant::now();
        let now_modified = std::fs::metadata(&*path).and_then(|m| m.modified()).ok();
        if now_modified == *modified {
            return;
        }
        // A key file that no longer loads keeps the ring in memory: the next reads still work,
        // and the error is the operator's to fix, logged once per change.
        match Keyring::load(path) {
            Ok(ring) => {
                *self.ring.write().expect("the key ring lock is never poisoned") = Some(Arc::new(ring));
                *modified = now_modified;
            }
            Err(error) => {
                tracing::error!(%error, "the key file changed and does not load; keeping the keys in memory");
                *modified = now_modified;
            }
        }
    }
}

impl Db {
    /// Gives the store the key ring personal numbers are sealed with; with `key_file`, the
    /// ring follows the file when a key is added to it.
    pub fn use_keys(&self, ring: Arc<Keyring>, key_file: Option<PathBuf>) {
        *self.personal.ring.write().expect("the key ring lock is never poisoned") = Some(ring);
        *self.personal.file.lock().expect("the key file lock is never poisoned") = key_file.map(|path| {
            let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
            (path, modified, Instant::now())
        });
    }

    pub(crate) fn personal_ring(&self) -> Result<Arc<Keyring>, sqlx::Error> {
        self.personal.ring()
    }

    /// Runs `open` (rows read, to be opened) with the ring; if a value does not open, looks at
    /// the key file once more and tries again, so a key another process just added is used at
    /// once rather than after the next periodic look.
    pub(crate) fn opened<T>(
        &self,
        open: impl Fn(&Keyring) -> Result<T, sqlx::Error>,
    ) -> Result<T, sqlx::Error> {
        match open(&*self.personal.ring()?) {
            Err(sqlx::Error::Decode(_)) => {
                self.personal.reload_now();
                open(&*self.personal.ring()?)
            }
            other => other,
        }
    }
}

fn context(field: Field, row: &str) -> String {
    format!("{}:{row}", field.label())
}

/// Seals `value` for `field` of the row `row`; an empty value stays empty (it says nothing).
pub fn seal(ring: &Keyring, field: Field, row: &str, value: &str) -> String {
    if value.is_empty() {
        return String::new();
    }
    ring.seal(Purpose::PersonalData, value.as_bytes(), &context(field, row))
}

/// Opens a stored value. A value not yet sealed (written before sealing; `reseal` seals it at
/// the next start) is read as it is.
pub fn open(ring: &Keyring, field: Field, row: &str, stored: &str) -> Result<String, sqlx::Error> {
    if !stored.starts_with(SEALED_PREFIX) {
        return Ok(stored.to_owned());
    }
    let bytes =
        ring.open(Purpose::PersonalData, stored, &context(field, row)).map_err(|_| unsealable(field))?;
    String::from_utf8(bytes).map_err(|_| unsealable(field))
}

pub fn open_optional(
    ring: &Keyring,
    field: Field,
    row: &str,
    stored: Option<&str>,
) -> Result<Option<String>, sqlx::Error> {
    stored.map(|s| open(ring, field, row, s)).transpose()
}

/// The digest a document number is found by, under the key in force.
pub fn digest(ring: &Keyring, number: &str) -> String {
    ring.digest(Purpose::PersonalDigest, number.as_bytes())
}

/// The digests to look for: under the key in force and the one before it (rows a rotation
/// has not reached yet). `reseal` leaves no row under an older key.
pub fn search_digests(ring: &Keyring, number: &str) -> (String, String) {
    let all = ring.digests(Purpose::PersonalDigest, number.as_bytes());
    let current = all.last().cloned().unwrap_or_default();
    let previous = if all.len() > 1 { all[all.len() - 2].clone() } else { current.clone() };
    (current, previous)
}

/// How many rows `reseal` takes in one transaction: small enough that a writer waits at most
/// a few milliseconds behind it.
pub const RESEAL_BATCH: i64 = 200;

/// What `reseal` did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Resealed {
    pub parties: u64,
    pub people: u64,
    pub reporters: u64,
    pub care_entries: u64,
    pub counselling_sessions: u64,
    pub supervisors: u64,
}

type PartySecrets = (String, String, Option<String>, String, Option<String>);

impl Db {
    /// Brings every sealed column under the key in force: plaintext written before sealing,
    /// and values under an older key. Batch by batch, each an audited system transaction
    /// (`personal.reseal`, with the count only); safe to run while serving and to run again.
    pub async fn reseal(&self, now: DateTime<Utc>) -> Result<Resealed, crate::store::StoreError> {
        let ring = self.personal_ring()?;
        let current = format!("{SEALED_PREFIX}{}:%", ring.current_id());
        let digest_current = format!("{}:%", ring.current_id());
        let mut done = Resealed::default();
        loop {
            // Rows whose number is not under the key in force, or whose digest is not: both
            // are rewritten together.
            let rows: Vec<PartySecrets> = on_pool!(self, |pool| {
                sqlx::query_as(
                    "SELECT id, document_number, phone, address, document_digest FROM parties \
                     WHERE document_number NOT LIKE $1 OR document_digest IS NULL OR document_digest NOT LIKE $2 \
                     ORDER BY id LIMIT $3",
                )
                .bind(&current)
                .bind(&digest_current)
                .bind(RESEAL_BATCH)
                .fetch_all(pool)
                .await?
            });
            if rows.is_empty() {
                break;
            }
            let mut tx = self.begin(&AuditCtx::cli("system"), now).await?;
            for (id, number, phone, address, _) in &rows {
                let number = open(&ring, Field::PartyDocument, id, number)?;
                let phone = open_optional(&ring, Field::PartyPhone, id, phone.as_deref())?;
                let address = open(&ring, Field::PartyAddress, id, address)?;
                on_tx!(&mut tx.tx, |conn| {
                    sqlx::query(
                        "UPDATE parties SET document_number = $1, document_digest = $2, phone = $3, address = $4 \
                         WHERE id = $5",
                    )
                    .bind(seal(&ring, Field::PartyDocument, id, &number))
                    .bind(digest(&ring, &number))
                    .bind(phone.map(|p| seal(&ring, Field::PartyPhone, id, &p)))
                    .bind(seal(&ring, Field::PartyAddress, id, &address))
                    .bind(id)
                    .execute(conn)
                    .await?;
                });
            }
            tx.audit(AuditEvent::new("personal.reseal", "parties", "").details(serde_json::json!({
                "rows": rows.len(), "key": ring.current_id(),
            })))
            .await?;
            tx.commit().await?;
            done.parties += rows.len() as u64;
        }
        loop {
            let rows: Vec<(String, String)> = on_pool!(self, |pool| {
                sqlx::query_as(
                    "SELECT id, phone FROM people WHERE phone IS NOT NULL AND phone <> '' AND phone NOT LIKE $1 \
                     ORDER BY id LIMIT $2",
                )
                .bind(&current)
                .bind(RESEAL_BATCH)
                .fetch_all(pool)
                .await?
            });
            if rows.is_empty() {
                break;
            }
            let mut tx = self.begin(&AuditCtx::cli("system"), now).await?;
            for (id, phone) in &rows {
                let phone = open(&ring, Field::PersonPhone, id, phone)?;
                on_tx!(&mut tx.tx, |conn| {
                    sqlx::query("UPDATE people SET phone = $1 WHERE id = $2")
                        .bind(seal(&ring, Field::PersonPhone, id, &phone))
                        .bind(id)
                        .execute(conn)
                        .await?;
                });
            }
            tx.audit(AuditEvent::new("personal.reseal", "people", "").details(serde_json::json!({
                "rows": rows.len(), "key": ring.current_id(),
            })))
            .await?;
            tx.commit().await?;
            done.people += rows.len() as u64;
        }
        loop {
            type Row = (String, i64, String, String);
            let rows: Vec<Row> = on_pool!(self, |pool| {
                sqlx::query_as(
                    "SELECT matter_id, seq, name, phone FROM matter_reporters \
                     WHERE (name <> '' AND name NOT LIKE $1) OR (phone <> '' AND phone NOT LIKE $1) \
                     ORDER BY matter_id, seq LIMIT $2",
                )
                .bind(&current)
                .bind(RESEAL_BATCH)
                .fetch_all(pool)
                .await?
            });
            if rows.is_empty() {
                break;
            }
            let mut tx = self.begin(&AuditCtx::cli("system"), now).await?;
            for (matter, seq, name, phone) in &rows {
                let row = format!("{matter}:{seq}");
                let name = open(&ring, Field::ReporterName, &row, name)?;
                let phone = open(&ring, Field::ReporterPhone, &row, phone)?;
                on_tx!(&mut tx.tx, |conn| {
                    sqlx::query(
                        "UPDATE matter_reporters SET name = $1, phone = $2 WHERE matter_id = $3 AND seq = $4",
                    )
                    .bind(seal(&ring, Field::ReporterName, &row, &name))
                    .bind(seal(&ring, Field::ReporterPhone, &row, &phone))
                    .bind(matter)
                    .bind(seq)
                    .execute(conn)
                    .await?;
                });
            }
            tx.audit(AuditEvent::new("personal.reseal", "matter_reporters", "").details(serde_json::json!({
                "rows": rows.len(), "key": ring.current_id(),
            })))
            .await?;
            tx.commit().await?;
            done.reporters += rows.len() as u64;
        }
        loop {
            let rows: Vec<(String, String, String)> = on_pool!(self, |pool| {
                sqlx::query_as(
                    "SELECT id, category, circumstances FROM care_entries \
                     WHERE category NOT LIKE $1 OR (circumstances <> '' AND circumstances NOT LIKE $1) \
                     ORDER BY id LIMIT $2",
                )
                .bind(&current)
                .bind(RESEAL_BATCH)
                .fetch_all(pool)
                .await?
            });
            if rows.is_empty() {
                break;
            }
            let mut tx = self.begin(&AuditCtx::cli("system"), now).await?;
            for (id, category, circumstances) in &rows {
                let category = open(&ring, Field::CareCategory, id, category)?;
                let circumstances = open(&ring, Field::CareCircumstances, id, circumstances)?;
                on_tx!(&mut tx.tx, |conn| {
                    sqlx::query("UPDATE care_entries SET category = $1, circumstances = $2 WHERE id = $3")
                        .bind(seal(&ring, Field::CareCategory, id, &category))
                        .bind(seal(&ring, Field::CareCircumstances, id, &circumstances))
                        .bind(id)
                        .execute(conn)
                        .await?;
                });
            }
            tx.audit(AuditEvent::new("personal.reseal", "care_entries", "").details(serde_json::json!({
                "rows": rows.len(), "key": ring.current_id(),
            })))
            .await?;
            tx.commit().await?;
            done.care_entries += rows.len() as u64;
        }
        loop {
            let rows: Vec<(String, String)> = on_pool!(self, |pool| {
                sqlx::query_as(
                    "SELECT id, notes FROM counselling_sessions WHERE notes <> '' AND notes NOT LIKE $1 \
                     ORDER BY id LIMIT $2",
                )
                .bind(&current)
                .bind(RESEAL_BATCH)
                .fetch_all(pool)
                .await?
            });
            if rows.is_empty() {
                break;
            }
            let mut tx = self.begin(&AuditCtx::cli("system"), now).await?;
            for (id, notes) in &rows {
                let notes = open(&ring, Field::CounsellingNotes, id, notes)?;
                on_tx!(&mut tx.tx, |conn| {
                    sqlx::query("UPDATE counselling_sessions SET notes = $1 WHERE id = $2")
                        .bind(seal(&ring, Field::CounsellingNotes, id, &notes))
                        .bind(id)
                        .execute(conn)
                        .await?;
                });
            }
            tx.audit(AuditEvent::new("personal.reseal", "counselling_sessions", "").details(
                serde_json::json!({
                    "rows": rows.len(), "key": ring.current_id(),
                }),
            ))
            .await?;
            tx.commit().await?;
            done.counselling_sessions += rows.len() as u64;
        }
        loop {
            let rows: Vec<(String, String)> = on_pool!(self, |pool| {
                sqlx::query_as(
                    "SELECT id, phone FROM supervisors WHERE phone IS NOT NULL AND phone <> '' AND phone NOT LIKE $1 \
                     ORDER BY id LIMIT $2",
                )
                .bind(&current)
                .bind(RESEAL_BATCH)
                .fetch_all(pool)
                .await?
            });
            if rows.is_empty() {
                break;
            }
            let mut tx = self.begin(&AuditCtx::cli("system"), now).await?;
            for (id, phone) in &rows {
                let phone = open(&ring, Field::SupervisorPhone, id, phone)?;
                on_tx!(&mut tx.tx, |conn| {
                    sqlx::query("UPDATE supervisors SET phone = $1 WHERE id = $2")
                        .bind(seal(&ring, Field::SupervisorPhone, id, &phone))
                        .bind(id)
                        .execute(conn)
                        .await?;
                });
            }
            tx.audit(AuditEvent::new("personal.reseal", "supervisors", "").details(serde_json::json!({
                "rows": rows.len(), "key": ring.current_id(),
            })))
            .await?;
            tx.commit().await?;
            done.supervisors += rows.len() as u64;
        }
        Ok(done)
    }
}
