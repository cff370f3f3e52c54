//! The running application: shared state and the server loop.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use chrono::{DateTime, Utc};

use crate::clock::SharedClock;
use crate::config::{Config, redact_url};
use crate::store::{ConnectOptions, Db};

/// Everything a request handler may use.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: SharedClock,
    pub config: Arc<Config>,
    pub login_limiter: Arc<RateLimiter>,
    /// Reports from the public form and Open311, per client address.
    pub public_limiter: Arc<RateLimiter>,
    /// Open311 posts, per client key.
    pub open311_limiter: Arc<RateLimiter<String>>,
    /// Verified against when a login names an unknown user, so that timing reveals nothing.
    pub dummy_hash: Arc<String>,
    /// Demo mode shows the demo administrators' one-time codes on the login page.
    pub demo: bool,
    /// Who is behind recently seen bearer tokens.
    pub principals: Arc<crate::web::guard::PrincipalCache>,
    /// The document fonts, loaded on first use.
    pub fonts: Arc<std::sync::OnceLock<Result<docgen::Fonts, String>>>,
    /// Where evidence bytes are kept.
    pub blobs: crate::blobs::Blobs,
    /// Evidence plays already recorded on this instance (one custody record per play).
    pub plays: Arc<crate::ops::evidence::PlayLog>,
    /// The bureau's keys, from the key file outside the database.
    pub keys: Arc<crate::keys::Keyring>,
    /// Rendered public portal pages.
    pub portal: Arc<crate::ops::portal::PageCache>,
}

/// The OFL CJK face every document can fall back on, compiled in so that a server without any
/// fonts still renders documents (assets/fonts/OFL-1.1.txt).
pub const SHIPPED_FONT: &[u8] = include_bytes!("../assets/fonts/NotoSerifSC-Regular-subset.ttf");

impl AppState {
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Today's civil date in Beijing.
    pub fn today(&self) -> chrono::NaiveDate {
        crate::domain::time::civil_date(self.now())
    }

    /// The shipped face plus any `.ttf`, `.otf` or `.ttc` a bureau put in `{data_dir}/fonts`
    /// (licensed 仿宋 or 方正小标宋 faces, which the templates prefer when present).
    pub fn fonts(&self) -> Result<&docgen::Fonts, String> {
        self.fonts
            .get_or_init(|| {
                let mut files = vec![SHIPPED_FONT.to_vec()];
                if let Ok(entries) = std::fs::read_dir(self.config.data_dir.join("fonts")) {
                    for entry in entries.flatten() {
                        let path = entry.path();
                        let font = path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                            matches!(e.to_ascii_lowercase().as_str(), "ttf" | "otf" | "ttc" | "otc")
                        });
                        if font && let Ok(bytes) = std::fs::read(&path) {
                            files.push(bytes);
                        }
                    }
                }
                docgen::Fonts::load(files)
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// Opens the database named by the configuration and brings its schema up to date.
pub async fn open_db(config: &Config, clock: &SharedClock) -> anyhow::Result<Db> {
    let url = config.effective_database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating the data directory {}", config.data_dir.display()))?;
    }
    let options = ConnectOptions {
        url: url.clone(),
        max_connections: config.max_connections,
        sqlite_synchronous_full: config.sqlite_synchronous_full,
    };
    if !config.migration_database_url.is_empty() {
        // Migrations as the owner, then the server as the application role it grants rows to.
        let owner_url = &config.migration_database_url;
        let owner =
            Db::connect(&ConnectOptions { url: owner_url.clone(), max_connections: 1, ..options.clone() })
                .await
                .with_context(|| format!("connecting as the owner at {}", redact_url(owner_url)))?;
        owner.migrate(clock.now()).await.context("applying database migrations as the owner")?;
        let role = crate::config::url_user(&url)
            .context("`database_url` must name the application role (postgres://ROLE@host/db)")?;
        owner.grant_application_role(&role).await.context("granting the application role its rows")?;
        owner.close().await;
    }
    let db = Db::connect(&options)
        .await
        .with_context(|| format!("connecting to the database at {}", redact_url(&url)))?;
    if config.migration_database_url.is_empty() {
        db.migrate(clock.now()).await.context("applying database migrations")?;
    }
    db.import_shipped_calendar(clock.now()).await.context("loading the holiday arrangements")?;
    Ok(db)
}

pub fn state(db: Db, clock: SharedClock, config: Config, demo: bool) -> anyhow::Result<AppState> {
    // The demo makes its own key on first start; a bureau's server refuses to start without
    // the key it was given, rather than sign with a new one nobody keeps.
    let keys = if demo {
        crate::keys::Keyring::load_or_create(&config.key_path())?
    } else {
        crate::keys::Keyring::load(&config.key_path())?
    };
    // The reference cache measures its check interval on the same clock as everything else.
    db.use_clock(clock.clone());
    // Personal numbers are sealed under these keys, and follow the file when a key is added.
    db.use_keys(Arc::new(keys.clone()), Some(config.key_path()));
    let dummy_hash = crate::auth::dummy_hash(config.hash_cost());
    let blobs = crate::blobs::Blobs::open(&config.blob_config()?).context("opening the evidence store")?;
    Ok(AppState {
        blobs,
        db,
        clock,
        login_limiter: Arc::new(RateLimiter::new(config.login_rate_per_minute)),
        public_limiter: Arc::new(RateLimiter::new(config.public_reports_per_minute)),
        open311_limiter: Arc::new(RateLimiter::new(config.open311_posts_per_minute)),
        fonts: Arc::new(std::sync::OnceLock::new()),
        config: Arc::new(config),
        dummy_hash: Arc::new(dummy_hash),
        demo,
        principals: Arc::default(),
        plays: Arc::default(),
        portal: Arc::default(),
        keys: Arc::new(keys),
    })
}

/// Serves until Ctrl-C or SIGTERM, then finishes the requests in flight.
/// How long an instance holds the deadline job's lease; it renews it on every run, so another
/// instance takes over within this time after the holder stops.
pub const JOB_LEASE_MINUTES: i64 = 5;

/// How often the text indexer looks for newly written cases.
pub const INDEX_INTERVAL_SECONDS: u64 = 2;

/// How often the deadline job runs.
pub const JOB_INTERVAL_SECONDS: u64 = 60;

/// One run of the deadline job on this instance (`holder`): if it holds the lease, raise a
/// warning for each duty clock that has run out. Returns how many were raised, or `None` when
/// another instance holds the lease.
pub async fn deadline_job_tick(state: &AppState, holder: &str) -> Result<Option<u64>, sqlx::Error> {
    let now = state.now();
    if !state.db.take_lease("deadlines", holder, now, chrono::Duration::minutes(JOB_LEASE_MINUTES)).await? {
        return Ok(None);
    }
    state.db.raise_alerts(crate::domain::time::civil_date(now), now).await.map(Some)
}

/// The hour (Beijing time) the nightly evidence work runs: sweep, then scrub a slice.
pub const EVIDENCE_NIGHTLY_HOUR: u32 = 2;

/// One run of the nightly evidence job, if it is the hour and no instance has run it today.
/// Returns the items scrubbed and how many failed, or `None` when it was not this run's turn.
pub async fn evidence_job_tick(state: &AppState, holder: &str) -> anyhow::Result<Option<(usize, usize)>> {
    use chrono::Timelike;
    let now = state.now();
    let local = now.with_timezone(&crate::domain::time::beijing());
    if local.hour() != EVIDENCE_NIGHTLY_HOUR {
        return Ok(None);
    }
    let name = format!("evidence_nightly:{}", local.date_naive());
    if !state.db.claim_run(&name, holder, now).await? {
        return Ok(None);
    }
    let swept = crate::evidence::sweep(&state.db, &state.blobs, now).await?;
    tracing::info!(staging = swept.staging, orphans = swept.orphans, purged = swept.purged, "evidence sweep");
    let (checked, faults) = crate::evidence::scrub(&state.db, &state.blobs, now).await?;
    for fault in &faults {
        tracing::error!(item = %fault.id, problem = fault.problem, "evidence scrub found a fault");
    }
    Ok(Some((checked, faults.len())))
}

/// Seals every TOTP secret still stored in clear (written before secrets were sealed), each
/// change audited as a system action. Returns how many were sealed.
pub async fn seal_legacy_totp_secrets(state: &AppState) -> anyhow::Result<usize> {
    let clear = state.db.accounts_with_clear_totp().await?;
    for (id, username, stored) in &clear {
        let secret = crate::keys::open_totp(&state.keys, stored, username).map_err(|_| {
            anyhow::anyhow!("the TOTP secret of account {username} is neither sealed nor hex")
        })?;
        let sealed = crate::keys::seal_totp(&state.keys, &secret, username);
        let mut tx = state.db.begin(&crate::store::AuditCtx::cli("system"), state.now()).await?;
        tx.reseal_totp_secret(id, &sealed).await?;
        tx.commit().await?;
    }
    Ok(clear.len())
}

pub async fn serve(state: AppState) -> anyhow::Result<()> {
    let bind = state.config.bind;
    let sealed = seal_legacy_totp_secrets(&state).await.context("sealing TOTP secrets stored in clear")?;
    if sealed > 0 {
        tracing::info!(sealed, "TOTP secrets stored in clear are now sealed with SM4-GCM");
    }
    // The deadline job: every instance runs the loop; the lease lets one of them do the work.
    let job_state = state.clone();
    tokio::spawn(async move {
        let holder = uuid::Uuid::new_v4().to_string();
        let mut interval = tokio::time::interval(std::time::Duration::from_secs(JOB_INTERVAL_SECONDS));
        loop {
            interval.tick().await;
            match deadline_job_tick(&job_state, &holder).await {
                Ok(Some(raised)) if raised > 0 => tracing::info!(raised, "deadline warnings raised"),
                Ok(_) => {}
                Err(error) => tracing::warn!(error = %error, "deadline job failed; it runs again shortly"),
            }
            if let Err(error) = evidence_job_tick(&job_state, &holder).await {
                tracing::warn!(error = format!("{error:#}"), "evidence nightly job failed");
            }
        }
    });
    // Audit checkpoints: every instance signs the head into the object store at most every
    // five minutes while the log grows (`crate::anchor`).
    let anchor_state = state.clone();
    tokio::spawn(async move {
        let period = crate::anchor::CHECKPOINT_INTERVAL_MINUTES as u64 * 60;
        let mut interval = tokio::time::interval(std::time::Duration::from_secs(period));
        let mut last = None;
        loop {
            interval.tick().await;
            let s = &anchor_state;
            match crate::anchor::write_checkpoint(&s.db, &s.blobs, &s.keys, s.now(), last).await {
                Ok(Some(seq)) => last = Some(seq),
                Ok(None) => {}
                Err(error) => {
                    tracing::error!(error = %error, "writing the audit checkpoint failed; it is tried again in five minutes");
                }
            }
        }
    });
    // The text indexer: moves newly written cases into the search index in batches (they are
    // found meanwhile through the queue). Several instances may run it: a batch another one
    // took rolls back.
    let index_db = state.db.clone();
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(std::time::Duration::from_secs(INDEX_INTERVAL_SECONDS));
        loop {
            interval.tick().await;
            if let Err(error) = index_db.index_pending_terms(usize::MAX).await {
                tracing::warn!(error = %error, "indexing new cases for search failed; it runs again shortly");
            }
        }
    });
    let listener =
        tokio::net::TcpListener::bind(bind).await.with_context(|| format!("binding the address {bind}"))?;
    tracing::info!(address = %bind, backend = state.db.backend(), "serving");
    let router = crate::web::router(state);
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("serving HTTP")?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

/// A fixed-window counter per key (a client address, an API client), for the login form and
/// the public's ways in. Lockout protects each account; this protects against one address
/// spraying many accounts, or one client flooding the centre.
#[derive(Debug)]
pub struct RateLimiter<K = IpAddr> {
    per_minute: u32,
    windows: Mutex<HashMap<K, (i64, u32)>>,
}

impl<K: std::hash::Hash + Eq> RateLimiter<K> {
    pub fn new(per_minute: u32) -> Self {
        RateLimiter { per_minute, windows: Mutex::new(HashMap::new()) }
    }

    /// Counts one attempt; false when the key is over its limit for this minute.
    pub fn allow(&self, address: K, now: DateTime<Utc>) -> bool {
        let minute = now.timestamp().div_euclid(60);
        let mut windows = self.windows.lock().expect("rate limiter lock is never poisoned");
        if windows.len() > 10_000 {
            windows.retain(|_, (window, _)| *window == minute);
        }
        let entry = windows.entry(address).or_insert((minute, 0));
        if entry.0 != minute {
            *entry = (minute, 0);
        }
        entry.1 += 1;
        entry.1 <= self.per_minute
    }
}
