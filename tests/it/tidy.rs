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

/// The modules of this crate a file names: every `crate::x` path and every `x` in a
/// `use crate::{x, y::z}` group (nested groups included), so that a grouped import cannot hide
/// a dependency the way a text search for `crate::x` would miss it.
fn crate_modules(text: &str) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    let ident =
        |s: &str| s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect::<String>();
    for (at, _) in text.match_indices("crate::") {
        // `chengguan::crate::` never occurs; `$crate::` (in macros) names this crate too.
        let rest = &text[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // The top-level names of the group: split on commas outside inner braces.
            let (mut depth, mut start) = (0usize, 0usize);
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        out.insert(ident(group[start..i].trim()));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.insert(ident(group[start..i].trim()));
                        start = i + 1;
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out.remove("");
    out
}

/// The layers below may not name the layers above them: (files under, modules they may not name).
const DIRECTION: [(&str, &[&str]); 2] = [
    // The rules: pure data and functions, called by every layer, calling none.
    (
        "src/domain",
        &[
            "store", "web", "app", "ops", "cli", "demo", "evidence", "blobs", "backup", "anchor", "keys",
            "clock", "config",
        ],
    ),
    // The operations every entry point calls: below the web layer and the server that builds it.
    // (`app` holds the state the operations run on, so they may name it.)
    ("src/ops", &["web", "cli"]),
];

/// Where `files` break [`DIRECTION`], or name the web framework from the operations.
fn direction_violations(files: &[(PathBuf, String)]) -> Vec<String> {
    let mut out = Vec::new();
    for (path, text) in files {
        for (under, forbidden) in DIRECTION {
            if !path.starts_with(root().join(under)) {
                continue;
            }
            for module in crate_modules(text) {
                if forbidden.contains(&module.as_str()) {
                    out.push(format!("{} names crate::{module}", path.display()));
                }
            }
            if under == "src/ops" && (text.contains("axum") || text.contains("http::")) {
                out.push(format!("{} names the web framework", path.display()));
            }
        }
    }
    out
}

fn source_files(dir: &str) -> Vec<(PathBuf, String)> {
    rust_files(&root().join(dir))
        .into_iter()
        .map(|f| {
            let t = fs::read_to_string(&f).unwrap();
            (f, t)
        })
        .collect()
}

#[test]
fn the_layers_name_only_the_layers_below_them() {
    let violations = direction_violations(&source_files("src"));
    assert!(violations.is_empty(), "{violations:#?}");
    // The check finds what it is for, grouped and nested imports included.
    let planted = [
        (root().join("src/domain/x.rs"), "use crate::{domain::org, store::cases::CaseRecord};".to_owned()),
        (root().join("src/domain/y.rs"), "fn f() { crate::ops::cases::take_step(); }".to_owned()),
        (root().join("src/ops/z.rs"), "use crate::{domain, web::{guard::Principal}};".to_owned()),
        (root().join("src/ops/w.rs"), "use axum::http::StatusCode;".to_owned()),
        (root().join("src/web/ok.rs"), "use crate::{ops, store};".to_owned()),
    ];
    let found = direction_violations(&planted);
    assert_eq!(found.len(), 4, "{found:#?}");
    assert!(
        found.iter().any(|v| v.contains("crate::store")) && found.iter().any(|v| v.contains("crate::web"))
    );
}

/// The web layer's shared parts; every other module of `src/web` is one screen's (a resource).
const WEB_SHARED: [&str; 9] =
    ["api_docs", "assets", "body", "common", "error", "guard", "pages", "schema", "mod"];

/// Where a screen's module names another screen's (`crate::web::people` from `training.rs`):
/// what two screens share belongs in `web::common`, `web::body` or the operations.
fn cross_screen_imports(files: &[(PathBuf, String)]) -> Vec<String> {
    let web = root().join("src/web");
    let mut out = Vec::new();
    for (path, text) in files {
        let Ok(inside) = path.strip_prefix(&web) else { continue };
        let screen = inside
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        if WEB_SHARED.contains(&screen.as_str()) {
            continue;
        }
        for (at, _) in text.match_indices("crate::web::") {
            let name: String = text[at + "crate::web::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let is_module = web.join(format!("{name}.rs")).exists() || web.join(&name).is_dir();
            if is_module && name != screen && !WEB_SHARED.contains(&name.as_str()) {
                out.push(format!("{} names crate::web::{name}", path.display()));
            }
        }
    }
    out
}

#[test]
fn no_screen_of_the_web_layer_imports_another() {
    let found = cross_screen_imports(&source_files("src/web"));
    assert!(found.is_empty(), "{found:#?}");
    let planted = [
        (root().join("src/web/training.rs"), "use crate::web::people::CreatedDto;".to_owned()),
        (
            root().join("src/web/cases/api.rs"),
            "use crate::web::cases::StepForm; use crate::web::common::CreatedDto;".to_owned(),
        ),
    ];
    assert_eq!(cross_screen_imports(&planted).len(), 1);
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

/// Lines of `text` that are SQL, in any case: a statement's leading words (`insert into`,
/// `delete from`), or `select … from` and `update … set` on one line. Comments are prose.
fn sql_lines(text: &str) -> Vec<String> {
    text.lines()
        .map(|line| line.trim())
        .filter(|line| !line.starts_with("//"))
        .filter(|line| {
            let l = line.to_ascii_lowercase();
            let then = |first: &str, second: &str| {
                l.find(first).is_some_and(|at| l[at + first.len()..].contains(second))
            };
            l.contains("sqlx::query")
                || l.contains("sqlx::raw_sql")
                || l.contains("query_as(")
                || l.contains("query_scalar(")
                || l.contains("insert into ")
                || l.contains("delete from ")
                || then("select ", " from ")
                || then("update ", " set ")
        })
        .map(str::to_owned)
        .collect()
}

#[test]
fn sql_is_written_only_in_the_store() {
    for file in rust_files(&root().join("src")) {
        if file.starts_with(root().join("src/store")) {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap();
        let found = sql_lines(&text);
        assert!(found.is_empty(), "{} contains SQL (it belongs in src/store): {found:?}", file.display());
    }
    // Lower case is SQL too; prose that happens to say "select" is not.
    assert_eq!(sql_lines("let q = \"select id from cases where x = ?\";").len(), 1);
    assert_eq!(sql_lines("db.run(\"update cases set stage = ?\")").len(), 1);
    assert!(sql_lines("// select the officers from the register\nlet n = 1;").is_empty());
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

/// Date arithmetic in `text` whose amount is a bare number: `Days::new(15)` instead of the
/// named constant that cites its article.
fn bare_periods(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    // Comments may say what the code does in numbers.
    let code: String =
        text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
    let text = code.as_str();
    for call in ["Days::new(", "Duration::days(", "Months::new(", "add_workdays(", "workdays_after("] {
        for (at, _) in text.match_indices(call) {
            let args = &text[at + call.len()..];
            let args = &args[..args.find(')').unwrap_or(args.len())];
            if args.split(',').any(|a| a.trim().parse::<u32>().is_ok_and(|n| n > 1)) {
                out.push(format!("{call}{args})"));
            }
        }
    }
    out
}

#[test]
fn no_legal_period_is_a_bare_number_in_the_case_engine() {
    for file in rust_files(&root().join("src/domain/case")) {
        if file.ends_with("tests.rs") {
            continue;
        }
        let text = fs::read_to_string(&file).unwrap();
        // Unit tests at the foot of a file may use plain numbers.
        let code = text.split("#[cfg(test)]").next().unwrap_or(&text);
        let found = bare_periods(code);
        assert!(
            found.is_empty(),
            "{}: name the period in rules.rs with its article: {found:?}",
            file.display()
        );
    }
    assert_eq!(bare_periods("d + Days::new(15)").len(), 1);
    assert!(bare_periods("d + Days::new(SEIZURE_DAYS.into())").is_empty());
}

#[test]
fn no_test_sleeps() {
    for dir in ["src", "tests"] {
        for file in rust_files(&root().join(dir)) {
            if file.ends_with("tidy.rs") {
                continue;
            }
            let text = fs::read_to_string(&file).unwrap();
            for marker in ["thread::sleep(", "time::sleep(", "sleep_until("] {
                assert!(
                    !text.contains(marker),
                    "{} sleeps ({marker}): drive the injected clock",
                    file.display()
                );
            }
        }
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

/// The names of the types that derive `ToSchema`, with where each is declared.
fn schema_names(files: &[(PathBuf, String)]) -> Vec<(String, String)> {
    let mut names = Vec::new();
    for (path, text) in files {
        let mut derives_schema = false;
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with("#[derive(") {
                derives_schema = line.contains("ToSchema");
            } else if derives_schema && (line.starts_with("pub struct ") || line.starts_with("pub enum ")) {
                let name = line.split_whitespace().nth(2).unwrap_or("");
                let name: String = name.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                names.push((name, path.display().to_string()));
                derives_schema = false;
            } else if !line.starts_with("#[") && !line.starts_with("///") && !line.is_empty() {
                derives_schema = false;
            }
        }
    }
    names
}

/// The OpenAPI document names a schema by its type's name alone, so two types of one name
/// would silently share one schema and one of them would be described wrongly (the fuzzer
/// found `EntryDto` answered by two routes with two shapes).
#[test]
fn no_two_api_types_share_a_name() {
    let files = source_files("src");
    let mut seen = std::collections::BTreeMap::new();
    let mut twice = Vec::new();
    for (name, path) in schema_names(&files) {
        if let Some(first) = seen.insert(name.clone(), path.clone()) {
            twice.push(format!("{name}: {first} and {path}"));
        }
    }
    assert!(twice.is_empty(), "schema names used twice: {twice:#?}");
}
