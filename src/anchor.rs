//! The audit chain anchored outside the database.
//!
//! The chain in `audit_log` shows any edit, gap or reordering, and its head row shows a cut
//! tail — unless someone with database access rewrites the head too (disable the triggers,
//! delete the last records, set the head to the new last one). Against that, every instance
//! writes a checkpoint of the head at most every [`CHECKPOINT_INTERVAL_MINUTES`] — the head's
//! sequence and hash, signed with HMAC-SM3 under the bureau's key (`crate::keys`, a file
//! outside the database) — into the evidence object store, which the database role cannot
//! change. `verify` walks the chain as before, then checks the newest checkpoints: each must
//! verify under the key and name a record the chain still holds with the same hash.

use bytes::Bytes;
use chrono::{DateTime, Utc};

use crate::blobs::{BlobError, Blobs};
use crate::domain::audit::{ChainFault, Checkpoint};
use crate::keys::{Keyring, Purpose};
use crate::store::Db;
use crate::store::audit::Verification;

/// The longest time between two checkpoints while the log grows (issue 20: ≤ 5 minutes). A
/// record cut off the end after it is named by `audit verify`; one cut off after the newest
/// checkpoint is the most an attacker can remove unseen.
pub const CHECKPOINT_INTERVAL_MINUTES: i64 = 5;

/// Where the checkpoints live in the object store.
pub const CHECKPOINT_PREFIX: &str = "audit-checkpoints";

/// How many of the newest checkpoints `verify` compares with the chain. The newest alone
/// catches a cut or rewrite of anything before it; a few more catch a key that was stolen
/// later and used to write a fresh, consistent newest one.
pub const CHECKPOINTS_CHECKED: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum AnchorError {
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Store(#[from] BlobError),
}

/// Writes a checkpoint of the head unless it is still `last` (the sequence this instance
/// vouched for last time; the store is not listed, which would grow with every checkpoint).
/// Returns the sequence it vouched for, or `None` when the head had not moved.
pub async fn write_checkpoint(
    db: &Db,
    blobs: &Blobs,
    keys: &Keyring,
    now: DateTime<Utc>,
    last: Option<i64>,
) -> Result<Option<i64>, AnchorError> {
    let (seq, hash) = db.audit_head().await?;
    if seq == 0 || last == Some(seq) {
        return Ok(None);
    }
    let at = now.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let (key_id, mac) = keys.sign(Purpose::AuditCheckpoint, &Checkpoint::message(seq, &hash, &at));
    let checkpoint = Checkpoint { seq, hash, at, key_id, mac };
    let json = serde_json::to_vec(&checkpoint).expect("a checkpoint serialises");
    // Names sort by sequence, then time: the newest is last.
    let name = format!("{CHECKPOINT_PREFIX}/{seq:012}-{}.json", now.format("%Y%m%dT%H%M%S%6fZ"));
    blobs.put_note(&name, Bytes::from(json)).await?;
    Ok(Some(seq))
}

fn seq_of(name: &str) -> Option<i64> {
    name.rsplit('/').next()?.split('-').next()?.parse().ok()
}

/// The whole chain, then the newest checkpoints against it.
pub async fn verify(db: &Db, blobs: &Blobs, keys: &Keyring) -> Result<(Verification, usize), AnchorError> {
    let chain = db.verify_audit().await?;
    let Verification::Intact { checked } = chain else { return Ok((chain, 0)) };
    let names = blobs.note_names(CHECKPOINT_PREFIX).await?;
    let mut compared = 0;
    for name in names.iter().rev().take(CHECKPOINTS_CHECKED) {
        let bytes = blobs.note(name).await?;
        let seq = seq_of(name).unwrap_or(0);
        let forged = || Verification::Broken { checked, fault: ChainFault::CheckpointForged { seq } };
        let Ok(checkpoint) = serde_json::from_slice::<Checkpoint>(&bytes) else {
            return Ok((forged(), compared));
        };
        let message = Checkpoint::message(checkpoint.seq, &checkpoint.hash, &checkpoint.at);
        if checkpoint.seq != seq
            || !keys.verify(Purpose::AuditCheckpoint, &checkpoint.key_id, &message, &checkpoint.mac)
        {
            return Ok((forged(), compared));
        }
        let held = db.audit_record_hash(checkpoint.seq).await?;
        if let Err(fault) = checkpoint.check(held.as_deref()) {
            return Ok((Verification::Broken { checked, fault }, compared));
        }
        compared += 1;
    }
    Ok((Verification::Intact { checked }, compared))
}
