//! Architecture invariants, checked on the source tree (rust-analyzer's tidy tests).

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

#[test]
fn the_domain_does_no_io_and_reads_no_clock() {
    let forbidden = [
        "axum",
        "sqlx",
        "tokio",
        "std::fs",
        "std::net",
        "Utc::now",
        "SystemTime",
        "Local::now",
        "reqwest",
        "std::env",
    ];
    for file in rust_files(&root().join("src/domain")) {
        let text = fs::read_to_string(&file).unwrap();
        for word in forbidden {
            assert!(!text.contains(word), "{} mentions {word}", file.display());
        }
    }
}

#[test]
fn sql_is_written_only_in_the_store() {
    let markers = [
        "sqlx::query",
        "sqlx::raw_sql",
        "query_as(",
        "query_scalar(",
        "SELECT ",
        "INSERT INTO",
        "UPDATE ",
        "DELETE FROM",
    ];
    for file in rust_files(&root().join("src")) {
        if file.starts_with(root().join("src/store")) {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap();
        for marker in markers {
            assert!(
                !text.contains(marker),
                "{} contains {marker:?}: SQL belongs in src/store",
                file.display()
            );
        }
    }
}

#[test]
fn only_the_clock_module_reads_the_system_time() {
    for file in rust_files(&root().join("src")) {
        if file.ends_with("clock.rs") {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap();
        assert!(!text.contains("Utc::now") && !text.contains("SystemTime::now"), "{}", file.display());
    }
}

#[test]
fn every_migration_exists_for_both_backends_and_is_listed() {
    let names = |backend: &str| -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(root().join("migrations").join(backend))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let sqlite = names("sqlite");
    assert_eq!(sqlite, names("postgres"), "migration folders differ");
    let listed: Vec<String> =
        chengguan::store::MIGRATIONS.iter().map(|(name, _, _)| format!("{name}.sql")).collect();
    assert_eq!(sqlite, listed, "store::MIGRATIONS does not list exactly the migration files");
}

#[test]
fn nothing_outside_the_web_layer_uses_it_but_the_server_that_builds_it() {
    // The CLI, the demo builder, the jobs and the operations reach the system through `ops`;
    // only `app` (which builds the router and holds the web layer's caches) names `web`.
    for file in rust_files(&root().join("src")) {
        if file.starts_with(root().join("src/web"))
            || file.ends_with("src/app.rs")
            || file.ends_with("src/lib.rs")
        {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap();
        assert!(
            !text.contains("crate::web"),
            "{} uses the web layer: move what it needs into `ops`",
            file.display()
        );
    }
}

#[test]
fn the_web_layer_writes_only_where_it_delivers_or_signs_in() {
    // The operations write (`ops`); a handler that opens a transaction itself is an operation
    // the next entry point (a job, the public form, an Open311 client) could not call. What is
    // left in `web` is tied to HTTP: sign-in and sessions, and the custody records of bytes a
    // response delivers (a view, a download, an export package, a document's PDF).
    const DELIVERS_OR_SIGNS_IN: [&str; 4] = ["login.rs", "guard.rs", "evidence.rs", "documents.rs"];
    for file in rust_files(&root().join("src/web")) {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        if DELIVERS_OR_SIGNS_IN.contains(&name.as_str()) {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap();
        assert!(
            !text.contains(".db.begin(") && !text.contains(".db.write("),
            "{} writes to the database itself: make it an operation in `ops`",
            file.display()
        );
    }
}

#[test]
fn every_top_level_module_is_described_in_architecture_md() {
    let architecture = fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    for entry in fs::read_dir(root().join("src")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "main" || name == "lib" {
            continue;
        }
        assert!(architecture.contains(&format!("`{name}`")), "ARCHITECTURE.md does not describe `{name}`");
    }
}

#[test]
fn no_todo_dbg_or_unexplained_ignore_is_left_in_the_code() {
    for dir in ["src", "tests"] {
        for file in rust_files(&root().join(dir)) {
            if file.ends_with("tidy.rs") {
                continue;
            }
            let text = fs::read_to_string(&file).unwrap();
            for marker in ["todo!(", "dbg!(", "unimplemented!(", "#[ignore]"] {
                assert!(!text.contains(marker), "{} contains {marker}", file.display());
            }
        }
    }
}

#[test]
fn every_audit_table_write_goes_through_the_audited_transaction() {
    // The only INSERT into audit_log is in AuditedTx::audit; no UPDATE or DELETE exists.
    let mut inserts = 0;
    for file in rust_files(&root().join("src")) {
        let text = fs::read_to_string(&file).unwrap();
        inserts += text.matches("INSERT INTO audit_log").count();
        assert!(
            !text.contains("UPDATE audit_log") && !text.contains("DELETE FROM audit_log"),
            "{}",
            file.display()
        );
    }
    assert_eq!(inserts, 1);
}

/// The permission table as a document (`docs/role-matrix.md`), regenerated from
/// `access::scope_of` with `UPDATE_SNAPSHOTS=1`; the test fails when the two disagree.
#[test]
fn the_role_matrix_document_is_the_permission_table() {
    use chengguan::domain::access::{Action, Role, Scope, grantor_of, scope_of};
    let mut text = String::from(
        "# Role matrix\n\nGenerated from `domain::access::scope_of` by `tests/it/tidy.rs` \
         (`UPDATE_SNAPSHOTS=1 cargo test --test it role_matrix`). Scopes: **全** the whole \
         bureau, **下** own unit and those below, **本** own unit, **己** own records, · denied.\n\n| action |",
    );
    for role in Role::ALL {
        text.push_str(&format!(" {} |", role.name_zh()));
    }
    text.push_str("\n| --- |");
    for _ in Role::ALL {
        text.push_str(" :-: |");
    }
    text.push('\n');
    for action in Action::ALL {
        text.push_str(&format!("| `{}` |", action.code()));
        for role in Role::ALL {
            let cell = match scope_of(role, action) {
                Some(Scope::All) => "全",
                Some(Scope::Subtree) => "下",
                Some(Scope::Unit) => "本",
                Some(Scope::Own) => "己",
                None => "·",
            };
            text.push_str(&format!(" {cell} |"));
        }
        text.push('\n');
    }
    text.push_str("\nWho grants an account's roles (`grantor_of`; the 系统管理员 creates and resets, never grants):\n\n");
    for role in Role::ALL {
        let set = chengguan::domain::access::RoleSet::new(vec![role]).expect("one role");
        text.push_str(&format!("- {}: {}\n", role.name_zh(), grantor_of(&set).name_zh()));
    }
    let path = root().join("docs/role-matrix.md");
    if std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1") {
        fs::write(&path, &text).unwrap();
    }
    assert_eq!(
        fs::read_to_string(&path).unwrap_or_default(),
        text,
        "docs/role-matrix.md is stale (UPDATE_SNAPSHOTS=1)"
    );
}
