//! Configuration: defaults, then a TOML file, then `CHENGGUAN_*` environment variables, then
//! command-line flags. Loaded once at start-up; secrets are never printed (see [`redact_url`]).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use crate::auth::HashCost;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    /// Where the SQLite database and the local file store live.
    pub data_dir: PathBuf,
    /// `postgres://…` for PostgreSQL; empty for the embedded SQLite file in `data_dir`.
    pub database_url: String,
    /// PostgreSQL only: the owner role's address, used for migrations alone. The server then
    /// works as the role of `database_url`, which is granted rows but owns no table, so it
    /// cannot disable or drop the triggers that keep the audit log, the case timeline, the
    /// documents and the custody records append-only. Empty: migrations run as `database_url`.
    pub migration_database_url: String,
    pub bind: SocketAddr,
    /// Session cookies are `__Host-`, `Secure`. Only a development set-up reached over plain
    /// HTTP on another host than localhost needs this off.
    pub cookie_secure: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a reverse proxy you run).
    pub trust_forwarded_for: bool,
    /// The addresses of your own reverse proxies (`10.0.0.5`, or a network `10.0.0.0/24`). With
    /// `trust_forwarded_for`, the client is the right-most address of `X-Forwarded-For` that is
    /// not one of them: everything left of it was written by the client and proves nothing.
    pub trusted_proxies: Vec<String>,
    /// `Strict-Transport-Security` max-age in seconds on every response; 0 sends none. Browsers
    /// heed it only over HTTPS, so it is harmless on a plain-HTTP development set-up.
    pub hsts_seconds: u64,
    /// Serve the Swagger UI (`/api/docs`) and the OpenAPI document to visitors who are not
    /// signed in. Off outside demo mode: the route table is a map for an attacker.
    pub api_docs_public: bool,
    /// Argon2id memory in KiB and iterations.
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub max_connections: u32,
    /// SQLite `synchronous=FULL` (durable across power loss) instead of `NORMAL`.
    pub sqlite_synchronous_full: bool,
    /// `text` or `json`.
    pub log_format: String,
    /// Login attempts allowed per client address per minute before 429.
    pub login_rate_per_minute: u32,
    /// Reports one client address may file through the public form and Open311 per minute.
    pub public_reports_per_minute: u32,
    /// Posts one Open311 client may make per minute, whatever its users' addresses.
    pub open311_posts_per_minute: u32,
    /// Days an API token from `chengguan token create` stays valid.
    pub api_token_days: i64,
    /// The bureau's short name that opens every document number (文号), as in
    /// `钟城管罚决字〔2026〕第1号` (`domain::case::documents::document_number`).
    pub doc_prefix: String,
    /// The bureau's full name at the head of every document; empty: the name of the top unit.
    pub bureau_name: String,
    /// 行政复议机关 named in decisions: since 2024-01-01 the district people's government
    /// (行政复议法 Art. 24). A decision cannot be issued while this is empty.
    pub reconsideration_body: String,
    /// The court named in decisions for 行政诉讼.
    pub court: String,
    /// Where fines are paid (罚缴分离, 行政处罚法 Art. 67), as the decision tells the party.
    pub payment_channel: String,
    /// The complaint and supervision hotline the portal and the wall notices post (plan
    /// §三（二）1: 公布投诉监督电话); 12319 is the national 城建服务 hotline.
    pub hotline: String,
    /// Where the public may bring a complaint in person or in writing (empty: not shown).
    pub complaint_address: String,
    /// Where evidence bytes go: `local` (the folder `{data_dir}/evidence`) or `s3`.
    pub evidence_store: String,
    /// The S3-compatible server (`evidence_store = "s3"`), e.g. `http://127.0.0.1:3900`.
    pub s3_endpoint: String,
    pub s3_bucket: String,
    pub s3_region: String,
    pub s3_access_key: String,
    pub s3_secret_key: String,
    /// A key prefix inside the bucket, so that several systems (or test runs) share one bucket.
    pub s3_prefix: String,
    /// The largest evidence file accepted, in bytes (a body-camera shift is several GB).
    pub evidence_max_bytes: u64,
    /// The bureau's key file (`crate::keys`): signs the audit chain's checkpoints and export
    /// packages. Empty: `{data_dir}/keys/chengguan.key`. Keep a copy apart from the database
    /// and its backups; the server refuses to start without it (except `serve --demo`, which
    /// creates one).
    pub key_file: PathBuf,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("./chengguan-data"),
            database_url: String::new(),
            migration_database_url: String::new(),
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            cookie_secure: true,
            trust_forwarded_for: false,
            trusted_proxies: Vec::new(),
            hsts_seconds: 31_536_000,
            api_docs_public: false,
            argon2_memory_kib: HashCost::default().memory_kib,
            argon2_iterations: HashCost::default().iterations,
            max_connections: 8,
            sqlite_synchronous_full: true,
            log_format: "text".to_owned(),
            login_rate_per_minute: 30,
            // More than a person types, few enough that a script cannot flood the centre's
            // queue ([M]).
            public_reports_per_minute: 5,
            open311_posts_per_minute: 60,
            api_token_days: 90,
            doc_prefix: "钟城管".to_owned(),
            bureau_name: String::new(),
            reconsideration_body: String::new(),
            court: "有管辖权的人民法院".to_owned(),
            payment_channel: "到指定的银行或者通过电子支付系统".to_owned(),
            hotline: "12319".to_owned(),
            complaint_address: String::new(),
            evidence_store: "local".to_owned(),
            s3_endpoint: String::new(),
            s3_bucket: String::new(),
            s3_region: "garage".to_owned(),
            s3_access_key: String::new(),
            s3_secret_key: String::new(),
            s3_prefix: String::new(),
            evidence_max_bytes: 16 << 30,
            key_file: PathBuf::new(),
        }
    }
}

impl Config {
    /// Loads the layers. `file` defaults to `chengguan.toml` in the data directory, if present.
    pub fn load(file: Option<&Path>, data_dir: Option<&Path>) -> anyhow::Result<Config> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        let data_dir_hint = data_dir.map(Path::to_path_buf).unwrap_or_else(|| Config::default().data_dir);
        let file = file.map(Path::to_path_buf).unwrap_or_else(|| data_dir_hint.join("chengguan.toml"));
        if file.exists() {
            figment = figment.merge(Toml::file(&file));
        }
        figment = figment.merge(Env::prefixed("CHENGGUAN_"));
        let mut config: Config = figment.extract()?;
        if let Some(dir) = data_dir {
            config.data_dir = dir.to_path_buf();
        }
        Ok(config)
    }

    pub fn hash_cost(&self) -> HashCost {
        HashCost { memory_kib: self.argon2_memory_kib, iterations: self.argon2_iterations }
    }

    /// Where evidence bytes are kept, as the blob store opens it.
    pub fn blob_config(&self) -> anyhow::Result<crate::blobs::BlobConfig> {
        use crate::blobs::{BlobBackend, BlobConfig};
        let backend = match self.evidence_store.as_str() {
            "local" | "" => BlobBackend::Local(self.data_dir.join("evidence")),
            "s3" => BlobBackend::S3 {
                endpoint: self.s3_endpoint.clone(),
                bucket: self.s3_bucket.clone(),
                region: self.s3_region.clone(),
                access_key: self.s3_access_key.clone(),
                secret_key: self.s3_secret_key.clone(),
                prefix: self.s3_prefix.clone(),
            },
            other => anyhow::bail!("evidence_store must be `local` or `s3`, not `{other}`"),
        };
        Ok(BlobConfig { staging: self.data_dir.join("evidence-staging"), backend })
    }

    /// The key file in force.
    pub fn key_path(&self) -> PathBuf {
        if self.key_file.as_os_str().is_empty() {
            self.data_dir.join("keys").join("chengguan.key")
        } else {
            self.key_file.clone()
        }
    }

    /// The database URL in force: the configured one, or the SQLite file in the data directory.
    pub fn effective_database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite://{}", self.data_dir.join("chengguan.db").display())
        } else {
            self.database_url.clone()
        }
    }
}

/// Hides the password in a database URL, for messages and logs.
/// The user named in a database URL (`postgres://app:secret@host/db` → `app`).
pub fn url_user(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("://")?;
    let (userinfo, _) = rest.rsplit_once('@')?;
    let user = userinfo.split_once(':').map_or(userinfo, |(user, _)| user);
    (!user.is_empty()).then(|| user.to_owned())
}

pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_in_the_data_directory_overrides_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("chengguan.toml"),
            "bind = \"0.0.0.0:9000\"\nlog_format = \"json\"\ndatabase_url = \"postgres://app:pw@db/cg\"\n",
        )
        .unwrap();
        let config = Config::load(None, Some(dir.path())).unwrap();
        assert_eq!(config.bind.to_string(), "0.0.0.0:9000");
        assert_eq!(config.log_format, "json");
        assert_eq!(config.effective_database_url(), "postgres://app:pw@db/cg");
        assert_eq!(config.data_dir, dir.path());
        let defaults = Config::load(None, Some(&dir.path().join("elsewhere"))).unwrap();
        assert!(defaults.effective_database_url().starts_with("sqlite://"));
    }

    #[test]
    fn passwords_in_database_urls_are_hidden() {
        assert_eq!(redact_url("postgres://app:s3cret@db:5432/cg"), "postgres://app:***@db:5432/cg");
        assert_eq!(redact_url("postgres://app@db/cg"), "postgres://app@db/cg");
        assert_eq!(redact_url("sqlite://./x.db"), "sqlite://./x.db");
    }
}
