//! Backup and restore: a consistent copy taken while the server runs, and its return into an
//! empty data directory, refused unless every byte and the audit chain verify.
//!
//! A backup folder holds `chengguan.db` (SQLite: `VACUUM INTO`, a snapshot of one
//! transaction), `evidence/` (the content-addressed objects and the audit checkpoints, copied
//! from the evidence store after the snapshot, so every object the snapshot names is already
//! there), and `manifest.json` — each file's path, size and SHA-256, the audit head the snapshot
//! ends on — signed in `manifest.sig` with HMAC-SM3 under the bureau's key file. The key file is
//! not in the backup: it is kept apart, and a restore needs it to trust the manifest.
//!
//! On PostgreSQL the database is copied with the server's own tools (`pg_dump -Fc` while
//! serving, `pg_restore` into an empty database; README "Backup and restore"); `backup` then
//! copies the evidence and writes the manifest with the audit head at that moment, and
//! `restore` returns the evidence and checks that the restored database's chain verifies and
//! reaches at least that head.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail, ensure};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::blobs::Blobs;
use crate::keys::{Keyring, Purpose};
use crate::store::Db;
use crate::store::audit::Verification;

/// The name of the database copy inside a backup folder.
pub const DATABASE_FILE: &str = "chengguan.db";
const MANIFEST: &str = "manifest.json";
const SIGNATURE: &str = "manifest.sig";
const EVIDENCE_DIR: &str = "evidence";
const CHECKPOINTS: &str = "audit-checkpoints/";

/// What a backup holds, signed.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub format: u32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// `sqlite` (the database file is inside) or `postgres` (copied with pg_dump beside it).
    pub backend: String,
    /// The audit chain's head in the database copy (SQLite), or when the evidence was copied
    /// (PostgreSQL: the restored database must reach at least this far).
    pub audit_seq: i64,
    pub audit_hash: String,
    /// Every file of the backup but the manifest and its signature: path → (size, SHA-256).
    pub files: BTreeMap<String, (u64, String)>,
}

/// What a finished backup or restore reports.
#[derive(Debug)]
pub struct Summary {
    pub files: usize,
    pub bytes: u64,
    pub audit_seq: i64,
}

/// Copies the database (SQLite) and the evidence store into `to`, which must not exist or be
/// empty, and signs the manifest.
pub async fn backup(
    db: &Db,
    blobs: &Blobs,
    keys: &Keyring,
    to: &Path,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<Summary> {
    if to.exists() {
        ensure!(
            std::fs::read_dir(to)?.next().is_none(),
            "the backup folder {} is not empty: choose a new folder",
            to.display()
        );
    }
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    let mut files = BTreeMap::new();
    let (audit_seq, audit_hash) = if db.backend() == "sqlite" {
        let copy = to.join(DATABASE_FILE);
        db.copy_into(&copy).await.context("copying the database (VACUUM INTO)")?;
        // The copy's own head: the snapshot ends there, whatever was written meanwhile.
        let snapshot = open_copy(&copy).await?;
        let head = snapshot.audit_head().await?;
        snapshot.close().await;
        files.insert(DATABASE_FILE.to_owned(), file_digest(&copy)?);
        head
    } else {
        db.audit_head().await?
    };
    // Objects after the snapshot: every object it names was committed before its row.
    for (sha256, _) in blobs.list_with_times().await? {
        let relative = format!("{EVIDENCE_DIR}/{}", crate::domain::evidence::object_key(&sha256));
        let (size, digest) = copy_stream(blobs.read(&sha256, None).await?, &to.join(&relative)).await?;
        ensure!(
            digest == sha256,
            "the evidence object {sha256} no longer has that SHA-256 (it reads {digest}): run `chengguan evidence verify`"
        );
        files.insert(relative, (size, digest));
    }
    for name in blobs.note_names(CHECKPOINTS).await? {
        let bytes = blobs.note(&name).await?;
        let relative = format!("{EVIDENCE_DIR}/{name}");
        let path = to.join(&relative);
        std::fs::create_dir_all(path.parent().expect("a note has a folder"))?;
        std::fs::write(&path, &bytes)?;
        files.insert(relative, (bytes.len() as u64, hex::encode(Sha256::digest(&bytes))));
    }
    let manifest = Manifest {
        format: 1,
        created_at: now,
        backend: db.backend().to_owned(),
        audit_seq,
        audit_hash,
        files,
    };
    let text = serde_json::to_vec_pretty(&manifest)?;
    let (key_id, mac) = keys.sign(Purpose::Backup, &text);
    std::fs::write(to.join(MANIFEST), &text)?;
    std::fs::write(to.join(SIGNATURE), format!("{key_id} {mac}\n"))?;
    Ok(Summary {
        files: manifest.files.len(),
        bytes: manifest.files.values().map(|(size, _)| size).sum(),
        audit_seq,
    })
}

/// Reads and checks a backup folder: the signature under the key file, then every file's size
/// and SHA-256, and that no file is missing or added. Returns the manifest.
pub fn verify(from: &Path, keys: &Keyring) -> anyhow::Result<Manifest> {
    let text = std::fs::read(from.join(MANIFEST))
        .with_context(|| format!("reading {}", from.join(MANIFEST).display()))?;
    let signature = std::fs::read_to_string(from.join(SIGNATURE)).context("reading manifest.sig")?;
    let (key_id, mac) = signature.trim().split_once(' ').context("manifest.sig is not `KEY-ID HMAC`")?;
    ensure!(
        keys.verify(Purpose::Backup, key_id, &text, mac),
        "the manifest's signature does not verify under the key file (key {key_id}): the backup was changed, or it was made with another bureau's key"
    );
    let manifest: Manifest = serde_json::from_slice(&text).context("reading manifest.json")?;
    ensure!(manifest.format == 1, "backup format {} is not one this version reads", manifest.format);
    for (relative, (size, sha256)) in &manifest.files {
        let path = from.join(relative);
        let found = file_digest(&path).with_context(|| format!("reading {relative}"))?;
        ensure!(
            found == (*size, sha256.clone()),
            "{relative} has changed since the backup: {} bytes, SHA-256 {} (the manifest says {size} bytes, {sha256})",
            found.0,
            found.1
        );
    }
    let mut present = Vec::new();
    list_files(from, from, &mut present)?;
    for relative in present {
        if relative != MANIFEST && relative != SIGNATURE && !manifest.files.contains_key(&relative) {
            bail!("{relative} is in the backup folder but not in its manifest");
        }
    }
    Ok(manifest)
}

/// Returns a verified backup into `data_dir` (SQLite) and the evidence store. Refuses a data
/// directory that already holds a database, and a backup whose files, signature or audit chain
/// do not verify; nothing is written until they do.
pub async fn restore(
    from: &Path,
    db_url: &str,
    data_dir: &Path,
    blobs: &Blobs,
    keys: &Keyring,
) -> anyhow::Result<Summary> {
    let manifest = verify(from, keys)?;
    let target = data_dir.join(DATABASE_FILE);
    if manifest.backend == "sqlite" {
        ensure!(
            db_url.starts_with("sqlite:"),
            "this backup holds a SQLite database; restore it with the default `database_url`"
        );
        ensure!(!target.exists(), "{} exists: restore into an empty data directory", target.display());
        let copy = open_copy(&from.join(DATABASE_FILE)).await?;
        let verified = copy.verify_audit().await?;
        let head = copy.audit_head().await?;
        copy.close().await;
        ensure!(
            matches!(verified, Verification::Intact { .. }),
            "the audit chain in the backup does not verify: {verified:?}"
        );
        ensure!(
            head == (manifest.audit_seq, manifest.audit_hash.clone()),
            "the backup's audit head is not the one its manifest names"
        );
    }
    let mut bytes = 0;
    for (relative, (size, sha256)) in &manifest.files {
        let Some(name) = relative.strip_prefix(&format!("{EVIDENCE_DIR}/")) else { continue };
        let path = from.join(relative);
        if name.starts_with(CHECKPOINTS) {
            blobs.put_note(name, std::fs::read(&path)?.into()).await?;
        } else {
            let mut ingest = blobs.stage().await?;
            let mut file = tokio::fs::File::open(&path).await?;
            let mut buffer = vec![0u8; 1 << 20];
            loop {
                let n = tokio::io::AsyncReadExt::read(&mut file, &mut buffer).await?;
                if n == 0 {
                    break;
                }
                ingest
                    .push(bytes::Bytes::copy_from_slice(&buffer[..n]))
                    .await
                    .map_err(|e| anyhow::anyhow!("{relative}: {e}"))?;
            }
            let ingested = ingest.finish().await.map_err(|e| anyhow::anyhow!("{relative}: {e}"))?;
            ensure!(ingested.sha256 == *sha256, "{relative} read back as {}", ingested.sha256);
            blobs.commit(ingested).await?;
        }
        bytes += size;
    }
    if manifest.backend == "sqlite" {
        std::fs::create_dir_all(data_dir)?;
        let partial = data_dir.join(format!("{DATABASE_FILE}.restoring"));
        std::fs::copy(from.join(DATABASE_FILE), &partial)?;
        std::fs::rename(&partial, &target)?;
        bytes += manifest.files[DATABASE_FILE].0;
        // Every evidence record of the restored database finds its bytes, unaltered.
        let db = open_copy(&target).await?;
        let (_, faults) = crate::evidence::verify_store(&db, blobs, None).await?;
        db.close().await;
        ensure!(faults.is_empty(), "restored, but evidence does not verify: {faults:?}");
    } else {
        // The database came back through pg_restore: it must verify and reach the head the
        // evidence was copied at.
        let db = Db::connect(&crate::store::ConnectOptions {
            url: db_url.to_owned(),
            max_connections: 2,
            sqlite_synchronous_full: false,
        })
        .await?;
        let verified = db.verify_audit().await?;
        let (seq, _) = db.audit_head().await?;
        db.close().await;
        ensure!(
            matches!(verified, Verification::Intact { .. }),
            "the restored database's audit chain does not verify: {verified:?}"
        );
        ensure!(
            seq >= manifest.audit_seq,
            "the restored database ends at audit record {seq}, before the backup's {}: restore the matching pg_dump",
            manifest.audit_seq
        );
    }
    Ok(Summary { files: manifest.files.len(), bytes, audit_seq: manifest.audit_seq })
}

async fn open_copy(path: &Path) -> anyhow::Result<Db> {
    let url = format!("sqlite://{}", path.display());
    Ok(Db::connect(&crate::store::ConnectOptions { url, max_connections: 1, sqlite_synchronous_full: false })
        .await?)
}

fn file_digest(path: &Path) -> anyhow::Result<(u64, String)> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        size += n as u64;
    }
    Ok((size, hex::encode(hasher.finalize())))
}

async fn copy_stream(
    mut stream: futures_util::stream::BoxStream<'static, Result<bytes::Bytes, crate::blobs::BlobError>>,
    path: &Path,
) -> anyhow::Result<(u64, String)> {
    std::fs::create_dir_all(path.parent().expect("an object has a folder"))?;
    let mut file = tokio::fs::File::create(path).await?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        hasher.update(&chunk);
        size += chunk.len() as u64;
        tokio::io::AsyncWriteExt::write_all(&mut file, &chunk).await?;
    }
    tokio::io::AsyncWriteExt::flush(&mut file).await?;
    file.sync_all().await?;
    Ok((size, hex::encode(hasher.finalize())))
}

fn list_files(root: &Path, dir: &Path, out: &mut Vec<String>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path: PathBuf = entry?.path();
        if path.is_dir() {
            list_files(root, &path, out)?;
        } else {
            out.push(path.strip_prefix(root)?.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}
