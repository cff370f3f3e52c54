//! The audit chain: what one record holds, how it is hashed, and how a chain is checked.
//!
//! Each record's hash is SHA-256 over the previous record's hash and a canonical encoding of
//! the record's own content. The sequence number is deliberately *not* hashed: order is carried
//! by the `prev_hash` links, so a record that is edited shows as "content changed", one that is
//! removed shows as a gap in the numbers, and two that are swapped show as a broken link. That
//! way `audit verify` can say which of the three happened.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash that the first record links to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Whether the recorded action succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
    Denied,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Denied => "denied",
        }
    }
}

/// The content of one audit record, as hashed. Field order is the canonical order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditContent {
    /// UTC, RFC 3339 with microseconds (`2026-03-02T01:00:00.000000Z`).
    pub at: String,
    pub actor: String,
    pub role: String,
    pub source: String,
    pub request_id: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub result: String,
    /// A JSON object serialised once, hashed as the exact string stored.
    pub details: String,
}

/// The same content, borrowed: what the verifier hashes without copying a million records.
/// Field order must stay that of [`AuditContent`]; a unit test holds them together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ContentRef<'a> {
    pub at: &'a str,
    pub actor: &'a str,
    pub role: &'a str,
    pub source: &'a str,
    pub request_id: &'a str,
    pub action: &'a str,
    pub object_type: &'a str,
    pub object_id: &'a str,
    pub result: &'a str,
    pub details: &'a str,
}

impl ContentRef<'_> {
    pub fn hash(&self, prev_hash: &str) -> String {
        // serde_json writes struct fields in declaration order and escapes strings in one
        // fixed way, so the same content always gives the same bytes.
        let mut hasher = Sha256::new();
        hasher.update(prev_hash.as_bytes());
        hasher.update(b"\n");
        serde_json::to_writer(HashWriter(&mut hasher), self).expect("strings always serialise");
        hex::encode(hasher.finalize())
    }
}

/// Feeds serialised bytes straight into the hash, without an intermediate string.
struct HashWriter<'a>(&'a mut Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl AuditContent {
    pub fn as_ref(&self) -> ContentRef<'_> {
        ContentRef {
            at: &self.at,
            actor: &self.actor,
            role: &self.role,
            source: &self.source,
            request_id: &self.request_id,
            action: &self.action,
            object_type: &self.object_type,
            object_id: &self.object_id,
            result: &self.result,
            details: &self.details,
        }
    }

    pub fn hash(&self, prev_hash: &str) -> String {
        self.as_ref().hash(prev_hash)
    }
}

/// A stored record, as read back for verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    pub seq: i64,
    pub content: AuditContent,
    pub prev_hash: String,
    pub hash: String,
}

/// The first problem found in a chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainFault {
    #[error("record {seq}: content changed (its hash does not match its content)")]
    ContentChanged { seq: i64 },
    #[error("record {seq}: record missing (expected sequence {seq}, found {found})")]
    RecordMissing { seq: i64, found: i64 },
    #[error("record {seq}: order broken (it does not link to the record before it)")]
    OrderBroken { seq: i64 },
    #[error("record {seq}: record missing at the end (the log ends at {last} but {seq} was written)")]
    TailMissing { seq: i64, last: i64 },
    #[error("record {seq}: the last record differs from the one the log head remembers")]
    HeadMismatch { seq: i64 },
    /// The chain no longer holds the record a signed checkpoint (kept outside the database)
    /// vouched for: records were cut off the end or rewritten after it, head and all.
    #[error(
        "record {seq}: the chain diverges from the checkpoint signed at {at} (records were cut or rewritten after it)"
    )]
    CheckpointDiverged { seq: i64, at: String },
    /// A checkpoint whose signature does not verify: forged, or made with a key not in the
    /// key file.
    #[error("checkpoint of record {seq}: its signature does not verify (forged, or another key)")]
    CheckpointForged { seq: i64 },
}

impl ChainFault {
    pub fn seq(&self) -> i64 {
        match self {
            ChainFault::ContentChanged { seq }
            | ChainFault::RecordMissing { seq, .. }
            | ChainFault::OrderBroken { seq }
            | ChainFault::TailMissing { seq, .. }
            | ChainFault::HeadMismatch { seq }
            | ChainFault::CheckpointDiverged { seq, .. }
            | ChainFault::CheckpointForged { seq } => *seq,
        }
    }
    pub fn code(&self) -> &'static str {
        match self {
            ChainFault::ContentChanged { .. } => "content_changed",
            ChainFault::RecordMissing { .. } | ChainFault::TailMissing { .. } => "record_missing",
            ChainFault::OrderBroken { .. } => "order_broken",
            ChainFault::HeadMismatch { .. } => "head_mismatch",
            ChainFault::CheckpointDiverged { .. } => "checkpoint_diverged",
            ChainFault::CheckpointForged { .. } => "checkpoint_forged",
        }
    }
}

/// Walks a chain in sequence order, one record at a time, so that a million records need no
/// more memory than one.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
    checked: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier { expected_seq: 1, prev_hash: GENESIS_HASH.to_owned(), checked: 0 }
    }
}

impl ChainVerifier {
    pub fn push(&mut self, record: &StoredRecord) -> Result<(), ChainFault> {
        self.push_parts(record.seq, record.content.as_ref(), &record.prev_hash, &record.hash)
    }

    /// [`ChainVerifier::push`] for a record held as borrowed parts.
    pub fn push_parts(
        &mut self,
        seq: i64,
        content: ContentRef<'_>,
        prev_hash: &str,
        hash: &str,
    ) -> Result<(), ChainFault> {
        if seq != self.expected_seq {
            return Err(ChainFault::RecordMissing { seq: self.expected_seq, found: seq });
        }
        if content.hash(prev_hash) != hash {
            return Err(ChainFault::ContentChanged { seq });
        }
        if prev_hash != self.prev_hash {
            return Err(ChainFault::OrderBroken { seq });
        }
        self.expected_seq += 1;
        self.prev_hash.clear();
        self.prev_hash.push_str(hash);
        self.checked += 1;
        Ok(())
    }

    /// Compares the end of the walk with the head the log keeps of its last record, which
    /// catches records cut off the end.
    pub fn finish(self, head_seq: i64, head_hash: &str) -> Result<u64, ChainFault> {
        let last = self.expected_seq - 1;
        if last < head_seq {
            return Err(ChainFault::TailMissing { seq: last + 1, last });
        }
        if last > head_seq || self.prev_hash != head_hash {
            return Err(ChainFault::HeadMismatch { seq: last });
        }
        Ok(self.checked)
    }
}

/// A signed statement that record `seq` of the chain had hash `hash` at time `at`, written
/// outside the database (the evidence object store), so that someone who can rewrite the
/// database — triggers, records and head together — cannot rewrite what it vouched for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    /// UTC, RFC 3339.
    pub at: String,
    pub key_id: String,
    /// HMAC-SM3 of [`Checkpoint::message`], lower-case hex.
    pub mac: String,
}

impl Checkpoint {
    /// The bytes the MAC covers.
    pub fn message(seq: i64, hash: &str, at: &str) -> Vec<u8> {
        format!("chengguan audit checkpoint\n{seq}\n{hash}\n{at}").into_bytes()
    }

    /// Compares a checkpoint whose signature verified with the chain as it stands:
    /// `record_hash` is the hash the chain holds at the checkpoint's sequence (`None` when the
    /// chain ends before it).
    pub fn check(&self, record_hash: Option<&str>) -> Result<(), ChainFault> {
        if record_hash == Some(self.hash.as_str()) {
            Ok(())
        } else {
            Err(ChainFault::CheckpointDiverged { seq: self.seq, at: self.at.clone() })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_holds_while_the_chain_keeps_its_record() {
        let checkpoint = Checkpoint {
            seq: 9,
            hash: "ab".into(),
            at: "2026-03-02T01:05:00Z".into(),
            key_id: "k1".into(),
            mac: String::new(),
        };
        assert_eq!(checkpoint.check(Some("ab")), Ok(()));
        let diverged = ChainFault::CheckpointDiverged { seq: 9, at: "2026-03-02T01:05:00Z".into() };
        assert_eq!(checkpoint.check(Some("cd")), Err(diverged.clone()));
        assert_eq!(checkpoint.check(None), Err(diverged));
        assert_ne!(Checkpoint::message(9, "ab", "x"), Checkpoint::message(9, "ab", "y"));
    }

    fn content(n: i64) -> AuditContent {
        AuditContent {
            at: format!("2026-03-02T01:00:{:02}.000000Z", n % 60),
            actor: "officer01".into(),
            role: "officer".into(),
            source: "127.0.0.1".into(),
            request_id: format!("req-{n}"),
            action: "person.update".into(),
            object_type: "person".into(),
            object_id: format!("p{n}"),
            result: "success".into(),
            details: "{}".into(),
        }
    }

    fn chain(n: i64) -> Vec<StoredRecord> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let content = content(seq);
                let hash = content.hash(&prev);
                let record = StoredRecord { seq, content, prev_hash: prev.clone(), hash: hash.clone() };
                prev = hash;
                record
            })
            .collect()
    }

    fn verify(records: &[StoredRecord], head: &StoredRecord) -> Result<u64, ChainFault> {
        let mut verifier = ChainVerifier::default();
        for record in records {
            verifier.push(record)?;
        }
        verifier.finish(head.seq, &head.hash)
    }

    #[test]
    fn the_borrowed_content_hashes_like_the_owned_one() {
        let content = content(7);
        let json = serde_json::to_string(&content).unwrap();
        assert_eq!(json, serde_json::to_string(&content.as_ref()).unwrap());
        let mut hasher = Sha256::new();
        hasher.update(b"abc\n");
        hasher.update(json.as_bytes());
        assert_eq!(content.hash("abc"), hex::encode(hasher.finalize()));
    }

    #[test]
    fn an_intact_chain_verifies() {
        let records = chain(10);
        assert_eq!(verify(&records, &records[9]), Ok(10));
    }

    #[test]
    fn an_edited_record_is_named() {
        let mut records = chain(10);
        let head = records[9].clone();
        records[4].content.actor = "someone_else".into();
        assert_eq!(verify(&records, &head), Err(ChainFault::ContentChanged { seq: 5 }));
    }

    #[test]
    fn a_deleted_record_is_named() {
        let mut records = chain(10);
        let head = records[9].clone();
        records.remove(4);
        assert_eq!(verify(&records, &head), Err(ChainFault::RecordMissing { seq: 5, found: 6 }));
    }

    #[test]
    fn swapped_records_are_named() {
        let mut records = chain(10);
        let head = records[9].clone();
        let (a, b) = (records[4].clone(), records[5].clone());
        records[4] = StoredRecord { seq: 5, ..b };
        records[5] = StoredRecord { seq: 6, ..a };
        assert_eq!(verify(&records, &head), Err(ChainFault::OrderBroken { seq: 5 }));
    }

    #[test]
    fn a_cut_tail_is_named() {
        let records = chain(10);
        let head = records[9].clone();
        assert_eq!(verify(&records[..8], &head), Err(ChainFault::TailMissing { seq: 9, last: 8 }));
    }
}
