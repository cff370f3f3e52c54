//! Evidence operations that need both the database and the blob store: verifying the store,
//! writing an export package for a court or a review, and verifying such a package (which needs
//! neither: anyone can check a package with `chengguan evidence verify-package FILE.zip`).
//!
//! A package is a zip of the originals (stored, not compressed), the custody records of each
//! item, a plain-language README and two manifests: `manifest.json` (every other file with its
//! SHA-256, SM3 and size, and the items' metadata) and `manifest.sha256` (the same SHA-256 lines
//! `sha256sum -c` reads). The manifest's own SHA-256 is written in each item's custody record
//! when the package is made, so a package whose manifest was rewritten can still be caught.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Seek, Write};
use std::path::Path;

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use sha2::Digest;

use crate::blobs::{BlobError, Blobs};
use crate::store::Db;
use crate::store::evidence::{CustodyRecord, EvidenceItem};

/// One item that failed verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fault {
    pub id: String,
    /// `missing` or `altered`.
    pub problem: &'static str,
    pub detail: String,
}

/// Re-reads every stored item (or one) and compares both digests and the size with the record.
/// Returns how many were checked and which failed.
pub async fn verify_store(db: &Db, blobs: &Blobs, only: Option<&str>) -> anyhow::Result<(usize, Vec<Fault>)> {
    let items = db.evidence_digests(only).await?;
    let mut faults = Vec::new();
    for item in &items {
        match blobs.digest(&item.sha256).await {
            Ok(found)
                if found.sha256 == item.sha256 && found.sm3 == item.sm3 && found.size == item.size as u64 => {
            }
            Ok(found) => faults.push(Fault {
                id: item.id.clone(),
                problem: "altered",
                detail: format!(
                    "stored bytes have SHA-256 {} ({} bytes), the record says {} ({} bytes)",
                    found.sha256, found.size, item.sha256, item.size
                ),
            }),
            Err(BlobError::Missing) => faults.push(Fault {
                id: item.id.clone(),
                problem: "missing",
                detail: format!("no object for SHA-256 {}", item.sha256),
            }),
            Err(other) => return Err(other.into()),
        }
    }
    Ok((items.len(), faults))
}

/// Checks that the stored bytes still have their recorded SHA-256, reading them once. Used
/// before every download and export.
pub async fn bytes_intact(blobs: &Blobs, sha256: &str, size: i64) -> Result<bool, BlobError> {
    let mut stream = blobs.read(sha256, None).await?;
    let mut digest = sha2::Sha256::new();
    let mut length = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        length += chunk.len() as u64;
        digest.update(&chunk);
    }
    Ok(length == size as u64 && hex::encode(digest.finalize()) == sha256)
}

/// An export stopped because this item's stored bytes no longer match its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("evidence {0} no longer matches its recorded SHA-256; the export was stopped")]
pub struct Altered(pub String);

/// A file in a package, as the manifest lists it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ManifestFile {
    pub path: String,
    pub sha256: String,
    pub sm3: String,
    pub size: u64,
}

/// An item in a package, as the manifest describes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ManifestItem {
    pub id: String,
    pub file: String,
    pub kind: String,
    pub kind_zh: String,
    pub description: String,
    pub original_name: String,
    pub received_at: String,
    pub device_time: Option<String>,
    pub collected_by: String,
    pub location: String,
    pub device_no: String,
    pub case_number: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub bureau: String,
    pub generated_at: String,
    pub generated_by: String,
    pub purpose: String,
    pub items: Vec<ManifestItem>,
    pub files: Vec<ManifestFile>,
}

/// The manifest format written and read by this version.
pub const MANIFEST_FORMAT: &str = "chengguan-evidence-package/1";

const README: &str = "\
证据导出包 说明
================

本压缩包由城管执法规范化管理平台导出，内含：
  originals/   证据原件（与入库时逐字节相同，未经压缩或转换）
  custody/     每件证据的保管链记录（采集、上传、查看、播放、下载、导出……）
  manifest.json   清单：每个文件的 SHA-256、SM3 摘要和字节数，以及每件证据的说明
  manifest.sha256 同一组 SHA-256，可用 sha256sum 核对

如何核对（任选其一）：
  1. chengguan evidence verify-package 本文件.zip
     完好时退出码为 0；有文件被修改、增加或删除时退出码为 1，并逐一列出。
  2. 解压后在解压目录中执行：sha256sum -c manifest.sha256
  3. SM3 摘要可用 gmssl sm3 等国密工具逐个核对。
清单 manifest.json 本身的 SHA-256 已记入平台中每件证据的保管链（导出记录），可向出具单位核实。

Evidence export package
-----------------------
originals/ holds the files exactly as received; custody/ the chain-of-custody records;
manifest.json lists every other file with SHA-256, SM3 and size. Check the package with
`chengguan evidence verify-package FILE.zip` (exit 0 intact, exit 1 naming each changed,
added or removed file) or unpack it and run `sha256sum -c manifest.sha256`. The SHA-256 of
manifest.json itself is recorded in each item's custody record at the issuing bureau.
";

/// Files of a package that the manifest does not list, because they are the manifest.
const MANIFEST_NAMES: [&str; 3] = ["manifest.json", "manifest.sha256", "manifest.sig"];

/// `manifest.sig`: the bureau's HMAC-SM3 of `manifest.json`'s bytes. The digests alone show a
/// file changed on its way, but not one changed together with its manifest line and
/// `manifest.sha256`; only the bureau's key can make a signature that still verifies.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct ManifestSignature {
    algorithm: String,
    key_id: String,
    mac: String,
}

/// Writes a package of `items` into `out` (a file: zip needs to seek). Each original is copied
/// from the store while its SHA-256 is recomputed; an item whose bytes no longer match its
/// record stops the export with an error naming it, so an altered file is never handed out.
/// Returns the manifest's SHA-256.
///
/// Runs on a blocking thread; `runtime` reads the blob store.
pub fn write_package<W: Write + Seek>(
    runtime: &tokio::runtime::Handle,
    blobs: &Blobs,
    items: &[(EvidenceItem, Vec<CustodyRecord>)],
    header: (&str, &str, &str, &str),
    keys: &crate::keys::Keyring,
    out: W,
) -> anyhow::Result<String> {
    let (bureau, generated_at, generated_by, purpose) = header;
    let mut zip = zip::ZipWriter::new(out);
    let options = |large: bool| {
        zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .large_file(large)
    };
    let mut files = Vec::new();
    let mut manifest_items = Vec::new();
    for (item, custody) in items {
        let path = format!("originals/{}.{}", item.id, item.media_type.extension());
        zip.start_file(path.as_str(), options(item.size >= i64::from(u32::MAX)))?;
        let mut stream = runtime.block_on(blobs.read(&item.sha256, None))?;
        let mut sha = sha2::Sha256::new();
        let mut sm3 = sm3::Sm3::new();
        let mut size = 0u64;
        while let Some(chunk) = runtime.block_on(stream.next()) {
            let chunk = chunk?;
            sha.update(&chunk);
            sm3.update(&chunk);
            size += chunk.len() as u64;
            zip.write_all(&chunk)?;
        }
        let sha = hex::encode(sha.finalize());
        if sha != item.sha256 || size != item.size as u64 {
            return Err(Altered(item.id.clone()).into());
        }
        files.push(ManifestFile { path: path.clone(), sha256: sha, sm3: hex::encode(sm3.finalize()), size });
        let custody_path = format!("custody/{}.json", item.id);
        let custody_json = serde_json::to_vec_pretty(custody)?;
        add_small(&mut zip, &mut files, &custody_path, &custody_json)?;
        manifest_items.push(ManifestItem {
            id: item.id.clone(),
            file: path,
            kind: item.kind.code().to_owned(),
            kind_zh: item.kind.name_zh().to_owned(),
            description: item.description.clone(),
            original_name: item.original_name.clone(),
            received_at: crate::store::ts(item.received_at),
            device_time: item.device_time.map(crate::store::ts),
            collected_by: item.collected_by.clone(),
            location: item.location.clone(),
            device_no: item.device_no.clone(),
            case_number: item.case_number.clone(),
        });
    }
    add_small(&mut zip, &mut files, "README.txt", README.as_bytes())?;
    let sums: String = files.iter().map(|f| format!("{}  {}\n", f.sha256, f.path)).collect();
    let manifest = Manifest {
        format: MANIFEST_FORMAT.to_owned(),
        bureau: bureau.to_owned(),
        generated_at: generated_at.to_owned(),
        generated_by: generated_by.to_owned(),
        purpose: purpose.to_owned(),
        items: manifest_items,
        files,
    };
    let manifest_json = serde_json::to_vec_pretty(&manifest)?;
    zip.start_file("manifest.json", options(false))?;
    zip.write_all(&manifest_json)?;
    zip.start_file("manifest.sha256", options(false))?;
    zip.write_all(sums.as_bytes())?;
    let (key_id, mac) = keys.sign(crate::keys::Purpose::PackageManifest, &manifest_json);
    let signature = ManifestSignature { algorithm: "HMAC-SM3".to_owned(), key_id, mac };
    zip.start_file("manifest.sig", options(false))?;
    zip.write_all(&serde_json::to_vec_pretty(&signature)?)?;
    zip.finish()?.flush()?;
    Ok(hex::encode(sha2::Sha256::digest(&manifest_json)))
}

fn add_small<W: Write + Seek>(
    zip: &mut zip::ZipWriter<W>,
    files: &mut Vec<ManifestFile>,
    path: &str,
    bytes: &[u8],
) -> anyhow::Result<()> {
    zip.start_file(
        path,
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored),
    )?;
    zip.write_all(bytes)?;
    let (sha256, sm3) = crate::blobs::digests_of(bytes);
    files.push(ManifestFile { path: path.to_owned(), sha256, sm3, size: bytes.len() as u64 });
    Ok(())
}

/// What is wrong with a package, file by file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackageProblem {
    Changed(String),
    Added(String),
    Removed(String),
    /// The package itself cannot be read (not a zip, no manifest).
    Unreadable(String),
    /// `manifest.json` does not match its signature: the manifest was rewritten.
    SignatureInvalid,
    /// No `manifest.sig` (or an unreadable one) where a key was given to check it.
    Unsigned,
}

impl std::fmt::Display for PackageProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PackageProblem::Changed(path) => write!(f, "changed: {path}"),
            PackageProblem::Added(path) => write!(f, "added: {path}"),
            PackageProblem::Removed(path) => write!(f, "removed: {path}"),
            PackageProblem::Unreadable(why) => write!(f, "unreadable: {why}"),
            PackageProblem::SignatureInvalid => {
                write!(f, "signature: manifest.json does not match the bureau's signature (rewritten)")
            }
            PackageProblem::Unsigned => write!(f, "signature: missing (manifest.sig)"),
        }
    }
}

/// Checks a package against its manifest: every listed file present with the same SHA-256, SM3
/// and size, and nothing else in it. Returns the number of files checked and the problems.
pub fn verify_package(path: &Path, keys: Option<&crate::keys::Keyring>) -> (usize, Vec<PackageProblem>) {
    match std::fs::File::open(path) {
        Ok(file) => verify_package_reader(file, keys),
        Err(e) => (0, vec![PackageProblem::Unreadable(format!("{}: {e}", path.display()))]),
    }
}

pub fn verify_package_reader<R: Read + Seek>(
    reader: R,
    keys: Option<&crate::keys::Keyring>,
) -> (usize, Vec<PackageProblem>) {
    let unreadable = |why: String| (0, vec![PackageProblem::Unreadable(why)]);
    let mut archive = match zip::ZipArchive::new(reader) {
        Ok(archive) => archive,
        Err(e) => return unreadable(format!("not a zip archive: {e}")),
    };
    let manifest_bytes = match archive.by_name("manifest.json") {
        Ok(mut entry) => {
            let mut text = Vec::new();
            if let Err(e) = entry.read_to_end(&mut text) {
                return unreadable(format!("manifest.json: {e}"));
            }
            text
        }
        Err(_) => return unreadable("no manifest.json in the package".to_owned()),
    };
    let manifest: Manifest = match serde_json::from_slice(&manifest_bytes) {
        Ok(manifest) => manifest,
        Err(e) => return unreadable(format!("manifest.json is not a package manifest: {e}")),
    };
    let mut problems = Vec::new();
    if let Some(keys) = keys {
        let signature = archive.by_name("manifest.sig").ok().and_then(|mut entry| {
            let mut text = Vec::new();
            entry.read_to_end(&mut text).ok()?;
            serde_json::from_slice::<ManifestSignature>(&text).ok()
        });
        match signature {
            None => problems.push(PackageProblem::Unsigned),
            Some(sig) => {
                if !keys.verify(crate::keys::Purpose::PackageManifest, &sig.key_id, &manifest_bytes, &sig.mac)
                {
                    problems.push(PackageProblem::SignatureInvalid);
                }
            }
        }
    }
    let listed: BTreeMap<&str, &ManifestFile> = manifest.files.iter().map(|f| (f.path.as_str(), f)).collect();
    let mut seen = BTreeSet::new();
    let mut checked = 0;
    for index in 0..archive.len() {
        let Ok(mut entry) = archive.by_index(index) else {
            problems.push(PackageProblem::Unreadable(format!("entry {index}")));
            continue;
        };
        let name = match entry.name() {
            Ok(name) => name.into_owned(),
            Err(_) => format!("entry {index}"),
        };
        if entry.is_dir() || MANIFEST_NAMES.contains(&name.as_str()) {
            continue;
        }
        let Some(expected) = listed.get(name.as_str()) else {
            problems.push(PackageProblem::Added(name));
            continue;
        };
        seen.insert(name.clone());
        let mut sha = sha2::Sha256::new();
        let mut sm3 = sm3::Sm3::new();
        let mut size = 0u64;
        let mut buffer = vec![0u8; 1 << 20];
        let intact = loop {
            match entry.read(&mut buffer) {
                Ok(0) => break true,
                Ok(n) => {
                    sha.update(&buffer[..n]);
                    sm3.update(&buffer[..n]);
                    size += n as u64;
                }
                // A stored entry whose bytes were altered fails its CRC check here.
                Err(_) => break false,
            }
        };
        checked += 1;
        if !intact
            || size != expected.size
            || hex::encode(sha.finalize()) != expected.sha256
            || hex::encode(sm3.finalize()) != expected.sm3
        {
            problems.push(PackageProblem::Changed(name));
        }
    }
    for path in listed.keys() {
        if !seen.contains(*path) {
            problems.push(PackageProblem::Removed((*path).to_owned()));
        }
    }
    (checked, problems)
}

/// What a sweep removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    pub staging: usize,
    pub orphans: usize,
    pub purged: usize,
}

/// How old an object without an item must be before the sweeper removes it: an upload commits
/// its object a moment before its record, and that moment must never be mistaken for an orphan.
pub const ORPHAN_GRACE: chrono::Duration = chrono::Duration::hours(1);

/// Removes what no record needs: staging files of uploads that never finished, objects whose
/// record was never written (a crash between the two), and the bytes of items deleted longer
/// ago than the recovery period.
pub async fn sweep(
    db: &Db,
    blobs: &Blobs,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<SweepReport> {
    let staging = blobs.sweep_staging(crate::blobs::STAGING_ABANDONED_AFTER, now.into())?;
    let known = db.evidence_known_digests().await?;
    let mut orphans = 0;
    for (sha256, modified) in blobs.list_with_times().await? {
        if !known.contains(&sha256) && now - modified > ORPHAN_GRACE {
            blobs.remove(&sha256).await?;
            orphans += 1;
        }
    }
    let recovery = chrono::Duration::days(crate::domain::evidence::DELETION_RECOVERY_DAYS);
    let mut purged = 0;
    for sha256 in db.evidence_purgeable(now - recovery).await? {
        if blobs.size(&sha256).await?.is_some() {
            blobs.remove(&sha256).await?;
            purged += 1;
        }
    }
    Ok(SweepReport { staging, orphans, purged })
}

/// The nightly scrub: re-verifies one slice of the store (a thirtieth, chosen by the day, so
/// the whole store is read once a month) and records each failure on the item's custody record
/// and in the audit log, where the evidence pages and the audit administrator see it.
pub async fn scrub(
    db: &Db,
    blobs: &Blobs,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<(usize, Vec<Fault>)> {
    use chrono::Datelike;
    const SLICES: u32 = 30;
    let slice = crate::domain::time::civil_date(now).ordinal() % SLICES;
    let items = db.evidence_digests(None).await?;
    let mut checked = 0;
    let mut faults = Vec::new();
    for item in items.iter().filter(|i| slice_of(&i.id, SLICES) == slice) {
        checked += 1;
        let (_, mut found) = verify_store(db, blobs, Some(&item.id)).await?;
        faults.append(&mut found);
    }
    if !faults.is_empty() {
        let mut tx = db.begin(&crate::store::AuditCtx::cli("scrub"), now).await?;
        for fault in &faults {
            let sha256 =
                items.iter().find(|i| i.id == fault.id).map(|i| i.sha256.clone()).unwrap_or_default();
            tx.custody(
                &fault.id,
                &sha256,
                crate::domain::evidence::CustodyEvent::VerifyFailed,
                "scrub",
                serde_json::json!({ "when": "nightly scrub", "problem": fault.problem, "detail": fault.detail }),
            )
            .await?;
        }
        tx.commit().await?;
    }
    Ok((checked, faults))
}

/// Which of `slices` an item falls in: the last bytes of its id, which are random.
fn slice_of(id: &str, slices: u32) -> u32 {
    let tail = id.bytes().rev().take(4).fold(0u32, |acc, b| acc.wrapping_mul(31).wrapping_add(u32::from(b)));
    tail % slices
}
