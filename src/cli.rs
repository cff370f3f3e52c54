//! The command line: `serve`, `migrate`, `user …`, `token …`, `audit verify`.
//!
//! Output for people goes to stdout and errors to stderr; this is the one module that prints.
#![allow(clippy::print_stdout, clippy::print_stderr)] // A command line prints by design.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use chrono::Duration;
use clap::{Parser, Subcommand};

use crate::auth::{hash_password, new_token, new_totp_secret, token_hash};
use crate::clock::{SharedClock, SystemClock};
use crate::config::Config;
use crate::domain::access::{Role, RoleSet};
use crate::domain::security::otpauth_uri;
use crate::store::accounts::NewAccount;
use crate::store::audit::Verification;
use crate::store::{AuditCtx, Db};

#[derive(Debug, Parser)]
#[command(
    name = "chengguan",
    version,
    about = "城管执法规范化管理平台 (urban-management enforcement platform)"
)]
pub struct Cli {
    /// Configuration file (default: chengguan.toml in the data directory, if present).
    #[arg(long, global = true, env = "CHENGGUAN_CONFIG")]
    config: Option<PathBuf>,
    /// Data directory for the SQLite database and local files.
    #[arg(long, global = true, env = "CHENGGUAN_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// `postgres://…` to use PostgreSQL instead of the embedded SQLite database.
    #[arg(long, global = true, env = "CHENGGUAN_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web server.
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        bind: Option<std::net::SocketAddr>,
        /// Fill a realistic demo district (idempotent) and show demo logins.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Open311 GeoReport v2: the citizen apps' keys.
    #[command(subcommand)]
    Open311(Open311Command),
    /// Read the audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Ask the working-day calendar (official holidays and make-up working days).
    #[command(subcommand)]
    Calendar(CalendarCommand),
    /// Party registry tools.
    #[command(subcommand)]
    Party(PartyCommand),
    /// Evidence store tools.
    #[command(subcommand)]
    Evidence(EvidenceCommand),
    /// The bureau's key file (signs audit checkpoints and export packages).
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Training records (教育培训).
    #[command(subcommand)]
    Training(TrainingCommand),
    /// Case tools.
    #[command(subcommand)]
    Case(CaseCommand),
    /// The squads' target assessment (派驻中队目标考核).
    #[command(subcommand)]
    Assessment(AssessmentCommand),
    /// Copy the database (SQLite) and the evidence into a new folder while serving, with a
    /// manifest signed under the key file.
    Backup {
        /// A folder that does not exist yet, or is empty.
        #[arg(long)]
        to: PathBuf,
    },
    /// Return a backup into this (empty) data directory and evidence store, after checking its
    /// signature, every file's SHA-256 and the audit chain.
    Restore {
        #[arg(long)]
        from: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum CaseCommand {
    /// Run a scenario script (docs/simulator.md) against this data directory's calendar, case
    /// rules, responsibility list and people, writing nothing: one JSON line per step
    /// (accepted, or refused with its code and article), then the clocks. Exit 0 when the
    /// script ran, 2 when it is malformed.
    Simulate {
        #[arg(long)]
        script: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum AssessmentCommand {
    /// A period's results, one object per squad with `unit_id`, `unit`, `rank`, `score` and the
    /// `breakdown` (`indicator`, `points`, `source`: `computed` or `recorded`) whose points add
    /// up to the score: the published results with their corrections, else computed now.
    /// Exit 2 on a bad argument, 1 when the year has no adopted scheme.
    Squads {
        /// `YYYY-MM` (a month) or `YYYY` (a year).
        #[arg(long)]
        period: String,
        /// `json` (the only format).
        #[arg(long, default_value = "json")]
        format: String,
    },
}

#[derive(Debug, Subcommand)]
enum TrainingCommand {
    /// A month's compliance, one row per person in service during it: the group political and
    /// business studies attended (make-ups included) and `true`, `false` or `exempt`.
    Compliance {
        /// `YYYY-MM`.
        #[arg(long)]
        month: String,
        /// Only this unit and the units below it.
        #[arg(long)]
        unit: Option<String>,
        /// `csv` (the only format).
        #[arg(long, default_value = "csv")]
        format: String,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCommand {
    /// Create the key file named by `key_file` (default `{data_dir}/keys/chengguan.key`), with
    /// one fresh key, readable by its owner only. Never overwrites an existing file.
    Init,
    /// Add a fresh key to the key file, which becomes the key in force, and re-seal every
    /// personal number (ID and document numbers, phones, addresses) and its digest under it,
    /// in batches, while the server keeps serving (it picks the new key up within a second).
    /// The older keys stay in the file: checkpoints and packages they signed still verify.
    Rotate,
}

#[derive(Debug, Subcommand)]
enum EvidenceCommand {
    /// Re-read every stored item (or one) and compare SHA-256, SM3 and size with its record:
    /// exit 0 with the count checked, or exit 1 naming each altered or missing item.
    Verify {
        #[arg(long)]
        id: Option<String>,
    },
    /// Check an export package against its manifest: exit 0 if intact, or exit 1 naming each
    /// file that was changed, added or removed. Needs no database.
    VerifyPackage {
        file: PathBuf,
        /// The bureau's key file, to check the manifest's signature (default: the configured
        /// `key_file`, if it exists). Without a key only the digests are checked.
        #[arg(long)]
        key_file: Option<PathBuf>,
    },
    /// Remove abandoned upload staging files and objects no item refers to, and the bytes of
    /// items deleted more than the recovery period ago.
    Sweep,
}

#[derive(Debug, Subcommand)]
enum PartyCommand {
    /// Check a 居民身份证 number (GB 11643) or a 统一社会信用代码 (GB 32100): exit 0 and a line
    /// starting with `valid`, or exit 1 and a line starting with `invalid` and the reason.
    CheckId { value: String },
}

#[derive(Debug, Subcommand)]
enum CalendarCommand {
    /// Print `workday` or `rest` for a date (YYYY-MM-DD).
    IsWorkday { date: chrono::NaiveDate },
    /// Print the date of the N-th working day after DATE (DATE itself not counted).
    AddWorkdays { date: chrono::NaiveDate, n: u32 },
    /// Print the last day of a period of N calendar days from DATE (民法典 Arts. 201, 203).
    PeriodEnd { date: chrono::NaiveDate, n: u32 },
    /// List the years whose arrangements are loaded.
    Years,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create an account; prints its one-time password (and TOTP secret for administrators).
    Add {
        #[arg(long)]
        username: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Role code, repeatable: leader, office, squad_leader, officer, auxiliary, legal_reviewer,
        /// intake, supervisor, sysadmin, secadmin, auditadmin.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// Person id to link the account to.
        #[arg(long)]
        person: Option<String>,
    },
    /// List accounts.
    List,
    /// Disable an account; its sessions and tokens end at once.
    Disable { username: String },
    /// Enable a disabled account.
    Enable { username: String },
    /// Set a new one-time password, printed once; the user must change it at next login.
    ResetPassword { username: String },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create an API bearer token for a user; printed once, stored hashed.
    Create {
        #[arg(long)]
        user: String,
        /// Days until it expires (default from configuration: 90).
        #[arg(long)]
        days: Option<i64>,
        #[arg(long, default_value = "cli")]
        label: String,
    },
    /// Revoke a token by its id.
    Revoke { id: String },
}

#[derive(Debug, Subcommand)]
enum Open311Command {
    /// The clients' API keys.
    #[command(subcommand)]
    Key(Open311KeyCommand),
}

#[derive(Debug, Subcommand)]
enum Open311KeyCommand {
    /// Issue a key to a new client (a citizen app); the key is printed alone on the last line,
    /// once, and stored only as its hash.
    Create {
        #[arg(long)]
        client: String,
    },
    /// Revoke a client's key: its posts are refused from then on.
    Revoke {
        #[arg(long)]
        client: String,
    },
    /// List the clients, with when each was issued and revoked.
    List,
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Check the whole hash chain and the newest signed checkpoints outside the database
    /// (needs the key file); exit 1 naming the first bad record or the checkpoint diverged from.
    Verify,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: starting the runtime: {error}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("CHENGGUAN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if config.log_format == "json" {
        let _ = builder.json().try_init();
    } else {
        let _ = builder.try_init();
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    // Checking a number needs no database.
    if let Command::Party(PartyCommand::CheckId { value }) = &cli.command {
        return Ok(check_id(value));
    }
    // Anyone holding a package can check it, without a database or a configuration.
    if let Command::Evidence(EvidenceCommand::VerifyPackage { file, key_file }) = &cli.command {
        // The signature needs the bureau's key; anyone else checks the digests.
        let key_path = match key_file {
            Some(path) => Some(path.clone()),
            None => Config::load(cli.config.as_deref(), cli.data_dir.as_deref())
                .ok()
                .map(|c| c.key_path())
                .filter(|p| p.exists()),
        };
        let keys = key_path.as_deref().map(crate::keys::Keyring::load).transpose()?;
        let (checked, problems) = crate::evidence::verify_package(file, keys.as_ref());
        if problems.is_empty() {
            let signature = match &keys {
                Some(_) => "the manifest's signature verifies under the bureau's key",
                None => "signature not checked (no key file; the bureau checks it with its own)",
            };
            println!("ok: package intact, {checked} files match the manifest; {signature}");
            return Ok(ExitCode::SUCCESS);
        }
        for problem in &problems {
            println!("{problem}");
        }
        println!("FAILED: {} problem(s) in {}", problems.len(), file.display());
        return Ok(ExitCode::from(1));
    }
    let mut config =
        Config::load(cli.config.as_deref(), cli.data_dir.as_deref()).context("loading configuration")?;
    // The key file is made before any database exists, on the machine that will keep it.
    if let Command::Keys(KeysCommand::Init) = &cli.command {
        let path = config.key_path();
        let keys = crate::keys::Keyring::create(&path, "k1")?;
        println!(
            "created {} with key {}; keep a copy apart from the database and its backups",
            path.display(),
            keys.current_id()
        );
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(url) = cli.database_url {
        config.database_url = url;
    }
    // A restore writes the database file itself: nothing may open (and so create) it first.
    if let Command::Restore { from } = &cli.command {
        let keys = crate::keys::Keyring::load(&config.key_path())?;
        let blobs =
            crate::blobs::Blobs::open(&config.blob_config()?).context("opening the evidence store")?;
        let url = config.effective_database_url();
        let summary = crate::backup::restore(from, &url, &config.data_dir, &blobs, &keys).await?;
        println!(
            "ok: restored {} files ({} bytes) from {}; the audit chain verifies up to record {}",
            summary.files,
            summary.bytes,
            from.display(),
            summary.audit_seq
        );
        return Ok(ExitCode::SUCCESS);
    }
    init_logging(&config);
    let clock: SharedClock = Arc::new(SystemClock);
    let db = crate::app::open_db(&config, &clock).await?;
    let cli_ctx = AuditCtx::cli(&std::env::var("USER").unwrap_or_else(|_| "operator".to_owned()));
    match cli.command {
        Command::Serve { bind, demo } => {
            if let Some(bind) = bind {
                config.bind = bind;
            }
            if demo && !crate::demo::holds_only_demo_data(&db).await? {
                anyhow::bail!(
                    "this database holds units or accounts that are not the demo's: `--demo` would print the \
                     administrators' one-time codes on the login page and add demo cases to it. Start it without `--demo`."
                );
            }
            if demo {
                let keys = crate::keys::Keyring::load_or_create(&config.key_path())?;
                let summary = crate::demo::seed(&db, config.hash_cost(), clock.now(), &keys)
                    .await
                    .context("building the demo bureau")?;
                print_demo(&summary, &config);
                // The demo district's 复议机关 (行政复议法 Art. 24: the district government).
                if config.reconsideration_body.is_empty() {
                    config.reconsideration_body = crate::demo::DEMO_RECONSIDERATION_BODY.to_owned();
                }
                if config.complaint_address.is_empty() {
                    config.complaint_address = crate::demo::DEMO_COMPLAINT_ADDRESS.to_owned();
                }
            }
            let state = crate::app::state(db, clock, config, demo)?;
            if demo {
                let made = crate::demo::seed_cases(&state).await.context("adding the demo cases")?;
                if made > 0 {
                    println!("演示案件 demo cases: {made}");
                }
                let training = crate::demo::seed_training(&state.db, state.now())
                    .await
                    .context("adding the demo training records")?;
                if training > 0 {
                    println!("演示培训 demo training sessions: {training}");
                }
                crate::demo::seed_training_materials(&state)
                    .await
                    .context("adding the demo training material")?;
                let evidence =
                    crate::demo::seed_evidence(&state).await.context("adding the demo evidence")?;
                if evidence > 0 {
                    println!("演示证据 demo evidence: {evidence}");
                }
                let matters = crate::demo::seed_matters(&state).await.context("adding the demo matters")?;
                if matters > 0 {
                    println!("演示事项 demo matters: {matters}");
                }
                let meetings =
                    crate::demo::seed_joint(&state).await.context("adding the demo joint meetings")?;
                if meetings > 0 {
                    println!("演示联席会议 demo joint meetings: {meetings}");
                }
                let published =
                    crate::demo::seed_disclosure(&state).await.context("adding the demo publications")?;
                if published > 0 {
                    println!("演示公开决定 demo published decisions: {published}");
                }
                let help =
                    crate::demo::seed_legal_help(&state).await.context("adding the demo legal help")?;
                if help > 0 {
                    println!("演示巡回法庭与法律咨询 demo sittings and consultations: {help}");
                }
                let care =
                    crate::demo::seed_special_care(&state).await.context("adding the demo special care")?;
                if care > 0 {
                    println!("演示关怀档案 demo special-care entries: {care}");
                }
                let talks = crate::demo::seed_talks(&state).await.context("adding the demo talks")?;
                if talks > 0 {
                    println!("演示三步走约谈 demo talks: {talks}");
                }
                let points =
                    crate::demo::seed_vending(&state).await.context("adding the demo vending points")?;
                if points > 0 {
                    println!("演示便民服务点 demo vending points: {points}");
                }
                let shops = crate::demo::seed_new_sites(&state).await.context("adding the demo new sites")?;
                if shops > 0 {
                    println!("演示管理重心前移店铺 demo new-site shops: {shops}");
                }
                let sessions =
                    crate::demo::seed_counselling(&state).await.context("adding the demo counselling")?;
                if sessions > 0 {
                    println!("演示心灵管理辅导 demo counselling sessions: {sessions}");
                }
                let opinions =
                    crate::demo::seed_supervision(&state).await.context("adding the demo supervision")?;
                if opinions > 0 {
                    println!("演示督察意见 demo supervisors' opinions: {opinions}");
                }
                let publicity =
                    crate::demo::seed_publicity(&state).await.context("adding the demo publicity ledger")?;
                if publicity > 0 {
                    println!("演示宣传台账 demo publicity entries: {publicity}");
                }
                let stars = crate::demo::seed_stars(&state).await.context("adding the demo star ratings")?;
                if stars > 0 {
                    println!("演示星级队员已公布月份 demo star-rated months published: {stars}");
                }
                let entries =
                    crate::demo::seed_assessment(&state).await.context("adding the demo assessment")?;
                if entries > 0 {
                    println!("演示中队目标考核记录 demo assessment entries: {entries}");
                }
                let nominations =
                    crate::demo::seed_top_ten(&state).await.context("adding the demo 十佳 round")?;
                if nominations > 0 {
                    println!("演示十佳评比推荐 demo 十佳 nominations: {nominations}");
                }
                crate::demo::seed_open311(&state).await.context("adding the demo Open311 client")?;
                println!(
                    "Open311 演示客户端 client {}, api_key: {}",
                    crate::demo::DEMO_OPEN311_CLIENT,
                    crate::demo::DEMO_OPEN311_KEY
                );
            }
            // Personal numbers written before sealing, or under an older key, are sealed under
            // the key in force before the first request (each batch audited).
            let resealed = state.db.reseal(state.now()).await?;
            if resealed.parties + resealed.people > 0 {
                tracing::info!(
                    parties = resealed.parties,
                    people = resealed.people,
                    "personal numbers re-sealed"
                );
            }
            crate::app::serve(state).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate => {
            println!("migrations up to date ({})", db.backend());
            Ok(ExitCode::SUCCESS)
        }
        Command::User(command) => user(&db, &config, &clock, &cli_ctx, command).await,
        Command::Token(command) => token(&db, &config, &clock, &cli_ctx, command).await,
        Command::Open311(Open311Command::Key(command)) => open311_key(&db, &clock, &cli_ctx, command).await,
        Command::Calendar(command) => calendar(&db, command).await,
        Command::Party(PartyCommand::CheckId { value }) => Ok(check_id(&value)),
        Command::Keys(KeysCommand::Rotate) => {
            let path = config.key_path();
            let ring = crate::keys::Keyring::add_key(&path)?;
            println!(
                "added key {} to {}; re-sealing personal numbers under it",
                ring.current_id(),
                path.display()
            );
            db.use_keys(Arc::new(ring), Some(path));
            let done = db.reseal(clock.now()).await?;
            println!("ok: re-sealed {} parties and {} people", done.parties, done.people);
            Ok(ExitCode::SUCCESS)
        }
        Command::Keys(KeysCommand::Init) | Command::Restore { .. } => {
            unreachable!("handled before the database is opened")
        }
        Command::Backup { to } => {
            let keys = crate::keys::Keyring::load(&config.key_path())?;
            let blobs =
                crate::blobs::Blobs::open(&config.blob_config()?).context("opening the evidence store")?;
            let summary = crate::backup::backup(&db, &blobs, &keys, &to, clock.now()).await?;
            db.audit_only(
                &cli_ctx,
                clock.now(),
                crate::store::AuditEvent::new("backup.create", "backup", to.display().to_string()).details(
                    serde_json::json!({"files": summary.files, "bytes": summary.bytes, "audit_seq": summary.audit_seq}),
                ),
            )
            .await?;
            println!(
                "ok: {} files ({} bytes) in {}, up to audit record {}; manifest signed with the key file",
                summary.files,
                summary.bytes,
                to.display(),
                summary.audit_seq
            );
            if db.backend() == "postgres" {
                println!("the database itself: pg_dump -Fc (README: Backup and restore)");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Case(CaseCommand::Simulate { script }) => {
            let text = std::fs::read_to_string(&script)
                .with_context(|| format!("reading the script {}", script.display()))?;
            for line in crate::simulate::run(&db, &text).await? {
                println!("{line}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Training(TrainingCommand::Compliance { month, unit, format }) => {
            let Some(month) = crate::domain::training::Month::parse(&month) else {
                eprintln!("--month is YYYY-MM, not {month:?}");
                return Ok(ExitCode::from(2));
            };
            if format != "csv" {
                eprintln!("--format csv is the only format");
                return Ok(ExitCode::from(2));
            }
            // A month not yet begun judges nobody (as on the page and in the API): the header only.
            let begun = month.first_day() <= crate::domain::time::civil_date(clock.now());
            let rows = if begun {
                crate::ops::training::compliance(&db, month, unit.as_deref())
                    .await
                    .map_err(|e| anyhow::anyhow!("{e:?}"))?
            } else {
                Vec::new()
            };
            println!("person_id,name,unit,political,business,compliant,note");
            for row in rows {
                let note = row.result.status.note_zh();
                println!(
                    "{},{},{},{},{},{},{}",
                    csv_field(&row.person_id),
                    csv_field(&row.name),
                    csv_field(&row.unit_name),
                    row.result.political,
                    row.result.business,
                    row.result.status.code(),
                    csv_field(&note)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Assessment(AssessmentCommand::Squads { period, format }) => {
            let Some(period) = crate::domain::assessment::Period::parse(&period) else {
                eprintln!("--period is YYYY-MM or YYYY, not {period:?}");
                return Ok(ExitCode::from(2));
            };
            if format != "json" {
                eprintln!("--format json is the only format");
                return Ok(ExitCode::from(2));
            }
            let today = crate::domain::time::civil_date(clock.now());
            match crate::ops::assessment::period_results(&db, period, today).await {
                Ok(view) => {
                    let scores: Vec<crate::ops::assessment::SquadScore> =
                        view.results.iter().map(crate::ops::assessment::SquadScore::from).collect();
                    println!("{}", serde_json::to_string_pretty(&scores)?);
                    Ok(ExitCode::SUCCESS)
                }
                Err(crate::ops::Error::Refused { code, message }) => {
                    eprintln!("{code}: {message}");
                    Ok(ExitCode::from(1))
                }
                Err(e) => Err(anyhow::anyhow!("{e:?}")),
            }
        }
        Command::Evidence(command) => evidence(&db, &config, &clock, command).await,
        Command::Audit(AuditCommand::Verify) => {
            let started = std::time::Instant::now();
            // Without the key file the checkpoints cannot be checked: that is a failure, not a
            // reason to check less.
            let keys = crate::keys::Keyring::load(&config.key_path())?;
            let blobs =
                crate::blobs::Blobs::open(&config.blob_config()?).context("opening the evidence store")?;
            let (verification, checkpoints) = crate::anchor::verify(&db, &blobs, &keys).await?;
            let elapsed = started.elapsed();
            match verification {
                Verification::Intact { checked } => {
                    println!(
                        "ok: {checked} audit records verified in {:.2} s, agreeing with {checkpoints} signed checkpoint(s)",
                        elapsed.as_secs_f64()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Verification::Broken { checked, fault } => {
                    println!("FAILED: {fault}");
                    println!(
                        "{checked} records before it verified; the chain breaks at record {}",
                        fault.seq()
                    );
                    Ok(ExitCode::from(1))
                }
            }
        }
    }
}

async fn evidence(
    db: &Db,
    config: &Config,
    clock: &SharedClock,
    command: EvidenceCommand,
) -> anyhow::Result<ExitCode> {
    let blobs = crate::blobs::Blobs::open(&config.blob_config()?).context("opening the evidence store")?;
    match command {
        EvidenceCommand::Verify { id } => {
            let started = std::time::Instant::now();
            let (checked, faults) = crate::evidence::verify_store(db, &blobs, id.as_deref()).await?;
            if let Some(id) = &id
                && checked == 0
            {
                println!("FAILED: no stored evidence item {id}");
                return Ok(ExitCode::from(1));
            }
            if faults.is_empty() {
                println!(
                    "ok: {checked} evidence items verified in {:.2} s ({})",
                    started.elapsed().as_secs_f64(),
                    blobs.describe()
                );
                return Ok(ExitCode::SUCCESS);
            }
            for fault in &faults {
                println!("{} {}: {}", fault.problem, fault.id, fault.detail);
            }
            println!("FAILED: {} of {checked} evidence items altered or missing", faults.len());
            Ok(ExitCode::from(1))
        }
        EvidenceCommand::VerifyPackage { .. } => unreachable!("handled before the database is opened"),
        EvidenceCommand::Sweep => {
            let report = crate::evidence::sweep(db, &blobs, clock.now()).await?;
            println!(
                "swept: {} staging files, {} unreferenced objects, {} purged after deletion",
                report.staging, report.orphans, report.purged
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_demo(summary: &crate::demo::Summary, config: &Config) {
    println!("演示局 demo bureau: {} ({} units, {} people)", summary.bureau, summary.units, summary.people);
    println!("open http://{}/ and log in with any of:", config.bind);
    println!("  {:<14} {:<12} role", "username", "password");
    for (username, role) in &summary.logins {
        println!("  {username:<14} {:<12} {role}", crate::demo::DEMO_PASSWORD);
    }
    println!(
        "administrators (sysadmin, secadmin, auditadmin) also need a one-time code: the login page shows it in demo mode."
    );
}

fn check_id(value: &str) -> ExitCode {
    use crate::domain::party::{Identity, Sex, check_identity};
    match check_identity(value) {
        Ok(Identity::Person(id)) => {
            let sex = match id.sex() {
                Sex::Male => "male",
                Sex::Female => "female",
            };
            println!("valid 居民身份证 number: born {}, {sex}", id.birth_date());
            ExitCode::SUCCESS
        }
        Ok(Identity::Organisation(code)) => {
            println!("valid 统一社会信用代码 {}", code.as_str());
            ExitCode::SUCCESS
        }
        Err(reason) => {
            println!("invalid: {reason}");
            ExitCode::from(1)
        }
    }
}

async fn calendar(db: &Db, command: CalendarCommand) -> anyhow::Result<ExitCode> {
    let calendar = db.work_calendar().await?;
    let answer = match command {
        CalendarCommand::IsWorkday { date } => {
            calendar.is_workday(date).map(|w| if w { "workday".to_owned() } else { "rest".to_owned() })
        }
        CalendarCommand::AddWorkdays { date, n } => calendar.add_workdays(date, n).map(|d| d.to_string()),
        CalendarCommand::PeriodEnd { date, n } => {
            calendar.calendar_period_end(date, n).map(|d| d.to_string())
        }
        CalendarCommand::Years => {
            for year in db.calendar_years().await? {
                println!(
                    "{}\t{} rest days\t{} make-up working days\t{}",
                    year.year, year.rest_days, year.work_days, year.notice
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
    };
    match answer {
        Ok(text) => {
            println!("{text}");
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => {
            eprintln!("error: {error}");
            Ok(ExitCode::from(1))
        }
    }
}

async fn find_account(db: &Db, username: &str) -> anyhow::Result<crate::store::accounts::Account> {
    match db.account_by_username(username).await? {
        Some(account) => Ok(account),
        None => bail!("no account named {username:?}"),
    }
}

async fn user(
    db: &Db,
    config: &Config,
    clock: &SharedClock,
    ctx: &AuditCtx,
    command: UserCommand,
) -> anyhow::Result<ExitCode> {
    let now = clock.now();
    match command {
        UserCommand::Add { username, name, roles, person } => {
            let roles = roles.iter().map(|r| r.parse::<Role>()).collect::<Result<Vec<_>, _>>()?;
            let mut all = roles.clone();
            if let Some(person) = &person {
                all.extend(db.person_roles(person).await?);
            }
            RoleSet::new(all).map_err(|e| anyhow::anyhow!("{e}"))?;
            let role_set = RoleSet::new(roles).map_err(|e| anyhow::anyhow!("{e}"))?;
            let password = crate::auth::one_time_password();
            let totp = role_set.is_admin().then(new_totp_secret);
            // The secret is stored sealed under the key file, so an administrator needs it first.
            let sealed = match totp.as_deref() {
                Some(secret) => {
                    let keys = crate::keys::Keyring::load(&config.key_path())?;
                    Some(crate::keys::seal_totp(&keys, secret, &username))
                }
                None => None,
            };
            let mut tx = db.begin(ctx, now).await?;
            tx.insert_account(&NewAccount {
                username: &username,
                display_name: &name,
                person_id: person.as_deref(),
                roles: &role_set,
                password_hash: &hash_password(config.hash_cost(), &password),
                must_change_password: true,
                totp_secret: sealed.as_deref(),
                requested_by: None,
            })
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            tx.commit().await?;
            println!("created {username} ({})", role_set.codes());
            println!("one-time password: {password}");
            if let Some(secret) = totp {
                println!(
                    "TOTP (add to an authenticator app): {}",
                    otpauth_uri("chengguan", &username, &secret)
                );
            }
        }
        UserCommand::List => {
            for a in db.accounts().await? {
                let roles = a.roles.iter().map(|r| r.code()).collect::<Vec<_>>().join(",");
                let state = if a.disabled { "disabled" } else { "active" };
                println!("{:<16} {:<10} {:<24} {}", a.username, state, roles, a.display_name);
            }
        }
        UserCommand::Disable { username } => {
            let account = find_account(db, &username).await?;
            let mut tx = db.begin(ctx, now).await?;
            tx.set_account_disabled(&account.id, true).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            tx.commit().await?;
            println!("disabled {username}; its sessions and tokens are revoked");
        }
        UserCommand::Enable { username } => {
            let account = find_account(db, &username).await?;
            let mut tx = db.begin(ctx, now).await?;
            tx.set_account_disabled(&account.id, false).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            tx.commit().await?;
            println!("enabled {username}");
        }
        UserCommand::ResetPassword { username } => {
            let account = find_account(db, &username).await?;
            let password = crate::auth::one_time_password();
            let mut tx = db.begin(ctx, now).await?;
            tx.set_password(&account.id, &hash_password(config.hash_cost(), &password), true, None)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            tx.commit().await?;
            println!("one-time password for {username}: {password}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn open311_key(
    db: &Db,
    clock: &SharedClock,
    ctx: &AuditCtx,
    command: Open311KeyCommand,
) -> anyhow::Result<ExitCode> {
    use crate::ops::open311::{create_key, revoke_key};
    let now = clock.now();
    let failed = |e: crate::ops::Error| anyhow::anyhow!("{}", e.message_zh());
    match command {
        Open311KeyCommand::Create { client } => {
            let key = create_key(db, ctx, now, &client).await.map_err(failed)?;
            eprintln!("Open311 key for {client} (revoke: chengguan open311 key revoke --client {client})");
            println!("{key}");
        }
        Open311KeyCommand::Revoke { client } => {
            revoke_key(db, ctx, now, &client).await.map_err(failed)?;
            println!("revoked the key of {client}");
        }
        Open311KeyCommand::List => {
            for c in db.open311_clients().await? {
                let revoked = c.revoked_at.map(|t| format!("revoked {}", crate::domain::time::display(t)));
                println!(
                    "{}\tissued {}\t{}",
                    c.name,
                    crate::domain::time::display(c.created_at),
                    revoked.unwrap_or_else(|| "in force".to_owned())
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn token(
    db: &Db,
    config: &Config,
    clock: &SharedClock,
    ctx: &AuditCtx,
    command: TokenCommand,
) -> anyhow::Result<ExitCode> {
    let now = clock.now();
    match command {
        TokenCommand::Create { user, days, label } => {
            let account = find_account(db, &user).await?;
            if account.disabled {
                bail!("account {user:?} is disabled");
            }
            let days = days.unwrap_or(config.api_token_days);
            if !(1..=366).contains(&days) {
                bail!("--days must be between 1 and 366");
            }
            let token = new_token();
            let expires_at = now + Duration::days(days);
            let mut tx = db.begin(ctx, now).await?;
            let id = tx
                .insert_api_token(&account.id, &token_hash(&token), &label, expires_at)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            tx.commit().await?;
            eprintln!(
                "token {id} for {user}, expires {} (revoke: chengguan token revoke {id})",
                crate::domain::time::display(expires_at)
            );
            println!("{token}");
        }
        TokenCommand::Revoke { id } => {
            let mut tx = db.begin(ctx, now).await?;
            tx.revoke_api_token(&id).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            tx.commit().await?;
            println!("revoked {id}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break.
fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}
