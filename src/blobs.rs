//! The evidence blob store: write-once, content-addressed bytes behind `object_store`, a local
//! folder by default and any S3-compatible server by configuration.
//!
//! An upload streams into a staging file on local disk while SHA-256 and SM3 run on two threads
//! of their own; only when the whole file is in and its digests are known does it move to its
//! final key `sha256/ab/cd/<sha256>`. A staging file that is never committed (the client went
//! away, the type was refused, the disk filled) is removed when its [`Staged`] is dropped, and
//! [`Blobs::sweep`] removes anything a crash left behind. Equal bytes are stored once.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use object_store::path::Path as Key;
use object_store::{GetOptions, GetRange, ObjectStore, ObjectStoreExt, WriteMultipart};
use sha2::Digest;

use crate::domain::evidence::{MediaType, SNIFF_BYTES, Unaccepted, object_key, sniff};

/// Bytes handed to the digest threads and the staging file at a time.
const BATCH_BYTES: usize = 1 << 20;

/// Part size of a multipart upload to S3 (the minimum S3 accepts is 5 MiB).
const S3_PART_BYTES: usize = 8 << 20;

/// How old a staging file must be before the sweeper may take it as abandoned.
pub const STAGING_ABANDONED_AFTER: Duration = Duration::from_secs(6 * 3600);

/// Where evidence bytes are kept.
#[derive(Debug, Clone)]
pub struct BlobConfig {
    /// Staging files (always local disk), on the same file system as a local store.
    pub staging: PathBuf,
    pub backend: BlobBackend,
}

#[derive(Debug, Clone)]
pub enum BlobBackend {
    Local(PathBuf),
    S3 {
        endpoint: String,
        bucket: String,
        region: String,
        access_key: String,
        secret_key: String,
        prefix: String,
    },
}

/// The store; cheap to clone.
#[derive(Debug, Clone)]
pub struct Blobs {
    store: Arc<dyn ObjectStore>,
    /// The folder of a local store: committed files are renamed into it and made read-only.
    local_root: Option<PathBuf>,
    staging: PathBuf,
    description: String,
}

/// A failure of the blob store, sorted by what the caller can do about it.
#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    /// The local disk (staging or store) is full: try again when space is freed.
    #[error("no space left on the evidence storage")]
    Full,
    #[error("the evidence object is missing")]
    Missing,
    /// The store cannot be reached or refused the request.
    #[error("evidence storage unavailable: {0}")]
    Unavailable(String),
    #[error("evidence storage I/O: {0}")]
    Io(std::io::Error),
}

impl From<std::io::Error> for BlobError {
    fn from(error: std::io::Error) -> Self {
        match error.kind() {
            ErrorKind::StorageFull | ErrorKind::QuotaExceeded => BlobError::Full,
            ErrorKind::NotFound => BlobError::Missing,
            _ => BlobError::Io(error),
        }
    }
}

impl From<object_store::Error> for BlobError {
    fn from(error: object_store::Error) -> Self {
        match error {
            object_store::Error::NotFound { .. } => BlobError::Missing,
            other => BlobError::Unavailable(other.to_string()),
        }
    }
}

impl Blobs {
    pub fn open(config: &BlobConfig) -> Result<Blobs, BlobError> {
        std::fs::create_dir_all(&config.staging)?;
        match &config.backend {
            BlobBackend::Local(root) => {
                std::fs::create_dir_all(root)?;
                let store = object_store::local::LocalFileSystem::new_with_prefix(root)?;
                Ok(Blobs {
                    store: Arc::new(store),
                    local_root: Some(root.clone()),
                    staging: config.staging.clone(),
                    description: format!("local folder {}", root.display()),
                })
            }
            BlobBackend::S3 { endpoint, bucket, region, access_key, secret_key, prefix } => {
                let store = object_store::aws::AmazonS3Builder::new()
                    .with_endpoint(endpoint)
                    .with_bucket_name(bucket)
                    .with_region(region)
                    .with_access_key_id(access_key)
                    .with_secret_access_key(secret_key)
                    .with_allow_http(endpoint.starts_with("http://"))
                    .with_virtual_hosted_style_request(false)
                    // A store that cannot be reached fails an upload within seconds (three
                    // quick retries), instead of holding the officer for the library's default
                    // three minutes.
                    .with_retry(object_store::RetryConfig {
                        backoff: object_store::BackoffConfig {
                            init_backoff: std::time::Duration::from_millis(50),
                            max_backoff: std::time::Duration::from_secs(2),
                            base: 2.0,
                        },
                        max_retries: 3,
                        retry_timeout: std::time::Duration::from_secs(20),
                    })
                    .build()?;
                let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
                    Arc::new(store)
                } else {
                    Arc::new(object_store::prefix::PrefixStore::new(store, prefix.as_str()))
                };
                Ok(Blobs {
                    store,
                    local_root: None,
                    staging: config.staging.clone(),
                    description: format!("S3 bucket {bucket} at {endpoint}"),
                })
            }
        }
    }

    /// Where the bytes are, for messages (no secrets).
    pub fn describe(&self) -> &str {
        &self.description
    }

    /// Starts an upload: a new staging file.
    pub async fn stage(&self) -> Result<Ingest, BlobError> {
        let path = self.staging.join(format!("{}.part", uuid::Uuid::new_v4()));
        let file = tokio::fs::OpenOptions::new().write(true).create_new(true).open(&path).await?;
        Ok(Ingest {
            staged: Staged { path, keep: false },
            writer: Some(WriterThread::spawn(file.into_std().await)),
            digests: Digests::start(),
            head: Vec::with_capacity(SNIFF_BYTES),
            media: None,
            size: 0,
            batch: BytesMut::with_capacity(BATCH_BYTES),
        })
    }

    /// Moves a finished upload to its content address. Returns whether the bytes were new
    /// (false: the same bytes were already stored, and the staging file is dropped).
    pub async fn commit(&self, ingested: Ingested) -> Result<bool, BlobError> {
        let key = Key::from(object_key(&ingested.sha256));
        let Ingested { mut staged, .. } = ingested;
        if let Some(root) = &self.local_root {
            let target = root.join(object_key(&ingested.sha256));
            if tokio::fs::try_exists(&target).await? {
                return Ok(false);
            }
            if let Some(parent) = target.parent() {
                tokio::fs::create_dir_all(parent).await?;
            }
            tokio::fs::rename(&staged.path, &target).await?;
            staged.keep = true;
            // Written once: nothing in this process opens an object for writing again, and the
            // mode says so to anyone else on the machine.
            let mut permissions = tokio::fs::metadata(&target).await?.permissions();
            permissions.set_readonly(true);
            tokio::fs::set_permissions(&target, permissions).await?;
            return Ok(true);
        }
        match self.store.head(&key).await {
            Ok(_) => return Ok(false),
            Err(object_store::Error::NotFound { .. }) => {}
            Err(other) => return Err(other.into()),
        }
        let upload = self.store.put_multipart(&key).await?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, S3_PART_BYTES);
        let mut file = tokio::fs::File::open(&staged.path).await?;
        let mut buffer = vec![0u8; S3_PART_BYTES];
        loop {
            writer.wait_for_capacity(2).await?;
            let n = tokio::io::AsyncReadExt::read(&mut file, &mut buffer).await?;
            if n == 0 {
                break;
            }
            writer.write(&buffer[..n]);
        }
        writer.finish().await?;
        Ok(true)
    }

    /// The object's size, or `None` when it is not there.
    pub async fn size(&self, sha256: &str) -> Result<Option<u64>, BlobError> {
        match self.store.head(&Key::from(object_key(sha256))).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(other) => Err(other.into()),
        }
    }

    /// The object's bytes, whole or from `range` (start, end exclusive).
    pub async fn read(
        &self,
        sha256: &str,
        range: Option<std::ops::Range<u64>>,
    ) -> Result<BoxStream<'static, Result<Bytes, BlobError>>, BlobError> {
        let options = GetOptions { range: range.map(GetRange::Bounded), ..GetOptions::default() };
        let result = self.store.get_opts(&Key::from(object_key(sha256)), options).await?;
        Ok(result.into_stream().map(|chunk| chunk.map_err(BlobError::from)).boxed())
    }

    /// Reads the whole object and computes its digests.
    pub async fn digest(&self, sha256: &str) -> Result<Digested, BlobError> {
        let mut stream = self.read(sha256, None).await?;
        let mut digests = Digests::start();
        let mut size = 0u64;
        // The store yields small chunks; the digest threads get them a batch at a time.
        let mut batch = BytesMut::with_capacity(BATCH_BYTES);
        while let Some(chunk) = stream.next().await {
            let chunk = chunk?;
            size += chunk.len() as u64;
            batch.extend_from_slice(&chunk);
            if batch.len() >= BATCH_BYTES {
                digests.update(batch.split().freeze()).await;
            }
        }
        if !batch.is_empty() {
            digests.update(batch.freeze()).await;
        }
        let (sha256, sm3) = digests.finish().await;
        Ok(Digested { sha256, sm3, size })
    }

    /// Removes an object (after an approved deletion).
    pub async fn remove(&self, sha256: &str) -> Result<(), BlobError> {
        if let Some(root) = &self.local_root {
            // A read-only file can still be unlinked: the folder is writable.
            return match tokio::fs::remove_file(root.join(object_key(sha256))).await {
                Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
                other => other.map_err(BlobError::from),
            };
        }
        match self.store.delete(&Key::from(object_key(sha256))).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(other) => Err(other.into()),
        }
    }

    /// Every stored object's SHA-256 with the time it was written.
    pub async fn list_with_times(&self) -> Result<Vec<(String, chrono::DateTime<chrono::Utc>)>, BlobError> {
        let prefix = Key::from("sha256");
        let mut listing = self.store.list(Some(&prefix));
        let mut keys = Vec::new();
        while let Some(meta) = listing.next().await {
            let meta = meta?;
            if let Some(name) = meta.location.filename() {
                keys.push((name.to_owned(), meta.last_modified));
            }
        }
        Ok(keys)
    }

    /// Removes staging files older than `older_than` (an upload still running writes to its
    /// file continuously, so its modification time stays recent). Returns how many went.
    pub fn sweep_staging(&self, older_than: Duration, now: SystemTime) -> Result<usize, BlobError> {
        let mut removed = 0;
        for entry in std::fs::read_dir(&self.staging)? {
            let entry = entry?;
            let modified = entry.metadata()?.modified()?;
            if now.duration_since(modified).unwrap_or_default() >= older_than {
                std::fs::remove_file(entry.path())?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Writes a small record beside the evidence (an audit checkpoint) under `name`, which
    /// must not start with `sha256/` (the sweep would take it for an orphan object). In the
    /// local folder it is made read-only like an evidence file.
    pub async fn put_note(&self, name: &str, bytes: Bytes) -> Result<(), BlobError> {
        debug_assert!(!name.starts_with("sha256"), "notes live beside the content-addressed objects");
        self.store.put(&Key::from(name), bytes.into()).await?;
        if let Some(root) = &self.local_root {
            let path = root.join(name);
            let mut permissions = tokio::fs::metadata(&path).await?.permissions();
            permissions.set_readonly(true);
            tokio::fs::set_permissions(&path, permissions).await?;
        }
        Ok(())
    }

    /// The names of the notes under `prefix`, sorted.
    pub async fn note_names(&self, prefix: &str) -> Result<Vec<String>, BlobError> {
        let mut listing = self.store.list(Some(&Key::from(prefix)));
        let mut names = Vec::new();
        while let Some(meta) = listing.next().await {
            names.push(meta?.location.to_string());
        }
        names.sort();
        Ok(names)
    }

    /// A note's bytes.
    pub async fn note(&self, name: &str) -> Result<Bytes, BlobError> {
        Ok(self.store.get(&Key::from(name)).await?.bytes().await?)
    }

    /// The staging files present now (for tests and the sweeper's report).
    pub fn staging_files(&self) -> Result<usize, BlobError> {
        Ok(std::fs::read_dir(&self.staging)?.count())
    }

    /// The local folder, if the store is one (tests flip bytes in it to prove verification).
    pub fn local_root(&self) -> Option<&Path> {
        self.local_root.as_deref()
    }
}

/// Digests of stored bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digested {
    pub sha256: String,
    pub sm3: String,
    pub size: u64,
}

/// A staging file, removed when dropped unless it was moved to the store.
#[derive(Debug)]
struct Staged {
    path: PathBuf,
    keep: bool,
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// An upload in progress: bytes go to the staging file and both digests as they arrive.
#[derive(Debug)]
pub struct Ingest {
    staged: Staged,
    /// Writes the staging file on a thread of its own, off the task that reads the network.
    writer: Option<WriterThread>,
    digests: Digests,
    head: Vec<u8>,
    media: Option<MediaType>,
    size: u64,
    batch: BytesMut,
}

/// Why an upload stopped.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("file type not accepted")]
    Unaccepted(Unaccepted),
    #[error(transparent)]
    Blob(#[from] BlobError),
}

/// A complete upload, not yet committed.
#[derive(Debug)]
pub struct Ingested {
    pub sha256: String,
    pub sm3: String,
    pub size: u64,
    pub media: MediaType,
    staged: Staged,
}

impl Ingest {
    /// Takes the next piece of the file. The type is checked as soon as the first bytes are in,
    /// so a refused file is not read to its end.
    pub async fn push(&mut self, chunk: Bytes) -> Result<(), IngestError> {
        if self.media.is_none() && self.head.len() < SNIFF_BYTES {
            let want = (SNIFF_BYTES - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..want]);
            if self.head.len() >= SNIFF_BYTES {
                self.media = Some(sniff(&self.head).map_err(IngestError::Unaccepted)?);
            }
        }
        self.size += chunk.len() as u64;
        self.batch.extend_from_slice(&chunk);
        if self.batch.len() >= BATCH_BYTES {
            self.flush().await?;
        }
        Ok(())
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    async fn flush(&mut self) -> Result<(), BlobError> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let bytes = self.batch.split().freeze();
        self.digests.update(bytes.clone()).await;
        let writer = self.writer.as_mut().expect("the writer runs until finish");
        if writer.sender.send(bytes).await.is_err() {
            // The writer stopped on an error (a full disk): report it now, not at the end.
            let writer = self.writer.take().expect("checked above");
            writer.finish().await?;
        }
        Ok(())
    }

    /// Ends the upload: the last bytes are written and synced, the digests read out.
    pub async fn finish(mut self) -> Result<Ingested, IngestError> {
        let media = match self.media {
            Some(media) => media,
            None => sniff(&self.head).map_err(IngestError::Unaccepted)?,
        };
        self.flush().await?;
        let writer = self.writer.take().expect("the writer runs until finish");
        writer.finish().await?;
        let (sha256, sm3) = self.digests.finish().await;
        Ok(Ingested { sha256, sm3, size: self.size, media, staged: self.staged })
    }
}

/// The staging file's writer: batches in, written in order, synced at the end. It stops at the
/// first error, which then fails the next send.
#[derive(Debug)]
struct WriterThread {
    sender: tokio::sync::mpsc::Sender<Bytes>,
    handle: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl WriterThread {
    fn spawn(mut file: std::fs::File) -> WriterThread {
        let (sender, mut receiver) = tokio::sync::mpsc::channel::<Bytes>(4);
        let handle = tokio::task::spawn_blocking(move || {
            use std::io::Write;
            while let Some(bytes) = receiver.blocking_recv() {
                file.write_all(&bytes)?;
            }
            file.sync_all()
        });
        WriterThread { sender, handle }
    }

    async fn finish(self) -> Result<(), BlobError> {
        drop(self.sender);
        self.handle.await.map_err(|e| BlobError::Io(std::io::Error::other(e)))?.map_err(BlobError::from)
    }
}

/// SHA-256 and SM3 of a stream, each on a thread of its own so that together they run at the
/// speed of the slower one.
#[derive(Debug)]
pub struct Digests {
    sha256: DigestThread,
    sm3: DigestThread,
}

#[derive(Debug)]
struct DigestThread {
    sender: tokio::sync::mpsc::Sender<Bytes>,
    handle: tokio::task::JoinHandle<String>,
}

impl DigestThread {
    fn spawn<D: Digest + Send + 'static>() -> DigestThread {
        // Four batches in flight bound the memory an upload holds to a few MiB (sixteen were
        // measured: no faster, and twice the memory).
        let (sender, mut receiver) = tokio::sync::mpsc::channel::<Bytes>(4);
        let handle = tokio::task::spawn_blocking(move || {
            let mut digest = D::new();
            while let Some(bytes) = receiver.blocking_recv() {
                digest.update(&bytes);
            }
            hex::encode(digest.finalize())
        });
        DigestThread { sender, handle }
    }

    async fn finish(self) -> String {
        drop(self.sender);
        self.handle.await.expect("a digest thread does not panic")
    }
}

impl Default for Digests {
    fn default() -> Self {
        Digests::start()
    }
}

impl Digests {
    pub fn start() -> Digests {
        Digests { sha256: DigestThread::spawn::<sha2::Sha256>(), sm3: DigestThread::spawn::<sm3::Sm3>() }
    }

    pub async fn update(&mut self, bytes: Bytes) {
        // A send fails only if a thread ended, which it does only when its sender is dropped.
        let _ = self.sha256.sender.send(bytes.clone()).await;
        let _ = self.sm3.sender.send(bytes).await;
    }

    /// Lower-case hex SHA-256 and SM3.
    pub async fn finish(self) -> (String, String) {
        let sha256 = self.sha256.finish().await;
        let sm3 = self.sm3.finish().await;
        (sha256, sm3)
    }
}

/// SHA-256 and SM3 of bytes in memory (tests, export manifests of small files).
pub fn digests_of(bytes: &[u8]) -> (String, String) {
    (hex::encode(sha2::Sha256::digest(bytes)), hex::encode(sm3::Sm3::digest(bytes)))
}
