//! The command line, run as an operator would run it.

use std::process::{Command, Output};

use crate::support::fresh_db;

struct Cli {
    dir: tempfile::TempDir,
    url: String,
}

impl Cli {
    async fn new() -> Cli {
        let dir = tempfile::tempdir().unwrap();
        let (db, url) = fresh_db(dir.path()).await;
        drop(db);
        Cli { dir, url }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_chengguan"))
            .arg("--data-dir")
            .arg(self.dir.path())
            .arg("--database-url")
            .arg(&self.url)
            .args(args)
            .env("CHENGGUAN_ARGON2_MEMORY_KIB", "64")
            .env("CHENGGUAN_ARGON2_ITERATIONS", "1")
            .output()
            .expect("the binary runs")
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn an_operator_creates_accounts_and_tokens_and_verifies_the_audit_log() {
    let cli = Cli::new().await;
    assert!(cli.run(&["migrate"]).status.success());
    // An administrator's second factor is sealed under the key file: none yet, refused.
    let keyless = cli.run(&["user", "add", "--username", "ops1", "--name", "运维一", "--role", "sysadmin"]);
    assert_eq!(keyless.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&keyless.stderr).contains("keys init"));
    let init = cli.run(&["keys", "init"]);
    assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
    assert_eq!(
        cli.run(&["keys", "init"]).status.code(),
        Some(2),
        "an existing key file is never overwritten"
    );

    let added = cli.run(&["user", "add", "--username", "ops1", "--name", "运维一", "--role", "sysadmin"]);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let text = stdout(&added);
    assert!(text.contains("one-time password: "), "{text}");
    assert!(text.contains("otpauth://totp/chengguan:ops1?secret="), "{text}");

    let refused = cli.run(&[
        "user",
        "add",
        "--username",
        "ops2",
        "--name",
        "x",
        "--role",
        "sysadmin",
        "--role",
        "auditadmin",
    ]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("cannot be combined"));

    let token = cli.run(&["token", "create", "--user", "ops1"]);
    assert!(token.status.success());
    let token = stdout(&token);
    assert_eq!(token.trim().len(), 64, "{token}");

    let listed = stdout(&cli.run(&["user", "list"]));
    assert!(listed.contains("ops1") && listed.contains("sysadmin"));
    assert!(cli.run(&["user", "disable", "ops1"]).status.success());

    // Without the key file the checkpoints cannot be checked: refused, naming the setting.
    let keyless = Command::new(env!("CARGO_BIN_EXE_chengguan"))
        .arg("--data-dir")
        .arg(cli.dir.path())
        .arg("--database-url")
        .arg(&cli.url)
        .args(["audit", "verify"])
        .env("CHENGGUAN_KEY_FILE", cli.dir.path().join("no-such-key"))
        .output()
        .unwrap();
    assert_eq!(keyless.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&keyless.stderr).contains("key_file"));
    let verify = cli.run(&["audit", "verify"]);
    assert_eq!(verify.status.code(), Some(0));
    assert!(stdout(&verify).starts_with("ok: 4 audit records verified"), "{}", stdout(&verify));
}

#[tokio::test]
async fn audit_verify_exits_one_and_names_the_tampered_record() {
    let cli = Cli::new().await;
    assert!(cli.run(&["keys", "init"]).status.success());
    for name in ["a1", "a2", "a3"] {
        assert!(
            cli.run(&["user", "add", "--username", name, "--name", name, "--role", "officer"])
                .status
                .success()
        );
    }
    let db = chengguan::store::Db::connect(&chengguan::store::ConnectOptions {
        url: cli.url.clone(),
        max_connections: 1,
        sqlite_synchronous_full: false,
    })
    .await
    .unwrap();
    let statements: &[&str] = match db.pool() {
        chengguan::store::Pool::Sqlite(_) => {
            &["DROP TRIGGER audit_log_no_update", "UPDATE audit_log SET details = '{}' WHERE seq = 2"]
        }
        chengguan::store::Pool::Postgres(_) => &[
            "DROP TRIGGER audit_log_no_update ON audit_log",
            "UPDATE audit_log SET details = '{}' WHERE seq = 2",
        ],
    };
    for sql in statements {
        match db.pool() {
            chengguan::store::Pool::Sqlite(pool) => sqlx::raw_sql(*sql).execute(pool).await.map(|_| ()),
            chengguan::store::Pool::Postgres(pool) => sqlx::raw_sql(*sql).execute(pool).await.map(|_| ()),
        }
        .unwrap();
    }
    let verify = cli.run(&["audit", "verify"]);
    assert_eq!(verify.status.code(), Some(1));
    let text = stdout(&verify);
    assert!(text.contains("record 2: content changed"), "{text}");
}

#[tokio::test]
async fn an_unreachable_database_is_a_clear_error_without_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_chengguan"))
        .args(["--data-dir"])
        .arg(dir.path())
        .args(["--database-url", "postgres://app:s3cret-pw@127.0.0.1:1/none", "migrate"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("postgres://app:***@127.0.0.1:1/none"), "{stderr}");
    assert!(!stderr.contains("s3cret-pw"), "{stderr}");
}

#[tokio::test]
async fn the_calendar_commands_print_exactly_the_answer() {
    let cli = Cli::new().await;
    let cases: &[(&[&str], &str)] = &[
        (&["calendar", "is-workday", "2026-02-14"], "workday\n"),
        (&["calendar", "is-workday", "2026-02-16"], "rest\n"),
        (&["calendar", "is-workday", "2026-03-01"], "rest\n"),
        (&["calendar", "add-workdays", "2026-02-13", "5"], "2026-02-27\n"),
        (&["calendar", "add-workdays", "2026-09-30", "3"], "2026-10-10\n"),
        (&["calendar", "period-end", "2026-09-16", "15"], "2026-10-08\n"),
    ];
    for (args, expected) in cases {
        let output = cli.run(args);
        assert!(output.status.success(), "{args:?}");
        assert_eq!(stdout(&output), *expected, "{args:?}");
    }
    let unknown = cli.run(&["calendar", "is-workday", "2027-06-01"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no holiday arrangement is loaded for 2027"));
}

#[test]
fn party_check_id_tells_valid_from_invalid_numbers() {
    let run = |value: &str| {
        Command::new(env!("CARGO_BIN_EXE_chengguan")).args(["party", "check-id", value]).output().unwrap()
    };
    let valid = run("11010519491231002X");
    assert_eq!(valid.status.code(), Some(0));
    assert!(stdout(&valid).starts_with("valid"), "{}", stdout(&valid));
    assert!(stdout(&valid).contains("1949-12-31"));
    let code = run("91350100M000100Y43");
    assert_eq!(code.status.code(), Some(0));
    assert!(stdout(&code).starts_with("valid"));
    for bad in ["110105194912310021", "91350100M000100Y44", "12345", "11010519490231002X"] {
        let output = run(bad);
        assert_eq!(output.status.code(), Some(1), "{bad}");
        assert!(stdout(&output).starts_with("invalid"), "{bad}: {}", stdout(&output));
    }
}

#[tokio::test]
async fn serve_demo_refuses_a_database_with_the_bureaus_own_data() {
    let cli = Cli::new().await;
    let added = cli.run(&["user", "add", "--username", "zhang.wei", "--name", "张伟", "--role", "officer"]);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let serve = cli.run(&["serve", "--demo", "--bind", "127.0.0.1:0"]);
    assert_eq!(serve.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&serve.stderr).contains("not the demo's"),
        "{}",
        String::from_utf8_lossy(&serve.stderr)
    );
}

#[tokio::test]
async fn the_simulator_runs_a_script_against_the_data_directory_and_writes_nothing() {
    let app = crate::support::TestApp::new().await;
    let run = |script: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_chengguan"))
            .arg("--data-dir")
            .arg(app.dir.path())
            .arg("--database-url")
            .arg(&app.url)
            .args(["case", "simulate", "--script"])
            .arg(script)
            .output()
            .unwrap()
    };
    let before = app.db.audit_head().await.unwrap().0;
    let cases = app.count("SELECT COUNT(*) FROM cases").await;
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/examples/limitation.json");
    let output = run(&script);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let lines: Vec<serde_json::Value> =
        stdout(&output).lines().map(|l| serde_json::from_str(l).expect("one JSON value a line")).collect();
    assert_eq!(lines.len(), 5, "{lines:?}");
    assert_eq!(lines[0], serde_json::json!({"step": 1, "result": "accepted"}));
    assert_eq!(lines[1]["code"], "limitation_expired");
    assert_eq!(lines[1]["article"], "行政处罚法第三十六条");
    assert_eq!(lines[2]["code"], "leader_required");
    assert_eq!(lines[3]["result"], "accepted");
    assert!(
        lines[4]["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["kind"] == "lead_check" && c["status"] == "met")
    );
    // Nothing was written.
    assert_eq!(app.db.audit_head().await.unwrap().0, before);
    assert_eq!(app.count("SELECT COUNT(*) FROM cases").await, cases);
    // A malformed script is an error (exit 2), not a result.
    let bad = app.dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"steps": [{"on": "2026-13-40", "by": "leader01", "open": {"clue_on": "2026-03-02", "act_on": "2026-03-01"}}]}"#).unwrap();
    let output = run(&bad);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("step 1"));
}

/// Issue 14 item 4: `keys rotate` adds a key and re-seals every personal number under it,
/// against the same database a server would be serving.
#[tokio::test]
async fn keys_rotate_adds_a_key_and_reseals_the_personal_numbers() {
    let app = crate::support::TestApp::new().await;
    let output = Command::new(env!("CARGO_BIN_EXE_chengguan"))
        .arg("--data-dir")
        .arg(app.dir.path())
        .arg("--database-url")
        .arg(&app.url)
        .args(["keys", "rotate"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let people = app.count("SELECT COUNT(*) FROM people WHERE phone IS NOT NULL").await;
    assert!(stdout(&output).contains(&format!("and {people} people")), "{}", stdout(&output));
    assert_eq!(app.count("SELECT COUNT(*) FROM people WHERE phone LIKE 'sm4gcm:k2:%'").await, people);
    // The running app's ring follows the file: a value under a key it lacks makes it look at
    // the file again, so it opens what the rotation sealed at once.
    let office = app.token("office01").await;
    let list = app.get_bearer("/api/v1/people?page_size=5", &office).await;
    assert_eq!(list.status, axum::http::StatusCode::OK, "{}", list.body);
}

#[tokio::test]
async fn an_operator_issues_lists_and_revokes_open311_keys() {
    let cli = Cli::new().await;
    assert!(cli.run(&["migrate"]).status.success());
    let created = cli.run(&["open311", "key", "create", "--client", "city-app"]);
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let text = stdout(&created);
    let key = text.lines().last().unwrap();
    assert_eq!(key.len(), 64, "the key alone on the last line: {text}");
    assert!(key.chars().all(|c| c.is_ascii_hexdigit()));
    let again = cli.run(&["open311", "key", "create", "--client", "city-app"]);
    assert!(!again.status.success(), "a client has one key");
    let listed = stdout(&cli.run(&["open311", "key", "list"]));
    assert!(listed.contains("city-app") && listed.contains("in force"), "{listed}");
    assert!(!listed.contains(key), "the key is never shown again");
    assert!(cli.run(&["open311", "key", "revoke", "--client", "city-app"]).status.success());
    assert!(stdout(&cli.run(&["open311", "key", "list"])).contains("revoked"));
    assert!(!cli.run(&["open311", "key", "revoke", "--client", "city-app"]).status.success());
}
