//! The test application: a fresh database (SQLite file, or a new PostgreSQL database when
//! `TEST_DATABASE_URL` is set), the demo bureau, a manual clock, and helpers named after what
//! a user does.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::{DateTime, Duration, TimeZone, Utc};
use http_body_util::BodyExt;
use tower::ServiceExt;

use chengguan::clock::ManualClock;
use chengguan::config::Config;
use chengguan::domain::security::{totp_code, totp_step};
use chengguan::store::{ConnectOptions, Db};

pub(crate) const PASSWORD: &str = chengguan::demo::DEMO_PASSWORD;

pub(crate) fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
}

pub(crate) struct TestApp {
    pub router: Router,
    pub clock: ManualClock,
    pub db: Db,
    /// The state behind the router, for jobs the server runs outside requests.
    pub state: chengguan::app::AppState,
    /// The database URL, for running the command line against the same data.
    pub url: String,
    pub dir: tempfile::TempDir,
}

pub(crate) struct Response {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Response {
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub(crate) fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

/// A signed-in browser: the session cookie and its CSRF token.
#[derive(Clone, Debug)]
pub(crate) struct Session {
    pub cookie: String,
    pub csrf: String,
}

pub(crate) fn test_config(dir: &std::path::Path) -> Config {
    Config {
        data_dir: dir.to_path_buf(),
        // Argon2 at the lowest cost: the tests measure behaviour, not hashing strength.
        argon2_memory_kib: 64,
        argon2_iterations: 1,
        sqlite_synchronous_full: false,
        max_connections: 8,
        login_rate_per_minute: 10_000,
        reconsideration_body: chengguan::demo::DEMO_RECONSIDERATION_BODY.to_owned(),
        ..s3_from_env(Config::default())
    }
}

/// With `TEST_S3_ENDPOINT` set (`tools/garage-test-server` starts Garage and prints the
/// variables), evidence goes to that S3-compatible server, each test app under a key prefix of
/// its own.
fn s3_from_env(mut config: Config) -> Config {
    if let Ok(endpoint) = std::env::var("TEST_S3_ENDPOINT")
        && !endpoint.is_empty()
    {
        config.evidence_store = "s3".to_owned();
        config.s3_endpoint = endpoint;
        config.s3_bucket = std::env::var("TEST_S3_BUCKET").unwrap_or_else(|_| "evidence".to_owned());
        config.s3_region = std::env::var("TEST_S3_REGION").unwrap_or_else(|_| "garage".to_owned());
        // Each test app its own prefix: sweeps and listings see only their own objects.
        config.s3_prefix = format!("t-{}", uuid::Uuid::new_v4().simple());
        config.s3_access_key =
            std::env::var("TEST_S3_ACCESS_KEY").expect("TEST_S3_ACCESS_KEY with TEST_S3_ENDPOINT");
        config.s3_secret_key =
            std::env::var("TEST_S3_SECRET_KEY").expect("TEST_S3_SECRET_KEY with TEST_S3_ENDPOINT");
    }
    config
}

/// Whether the evidence tests run against an S3 server rather than the local folder.
pub(crate) fn on_s3() -> bool {
    std::env::var("TEST_S3_ENDPOINT").is_ok_and(|e| !e.is_empty())
}

/// A fresh database on the backend under test.
pub(crate) async fn fresh_db(dir: &std::path::Path) -> (Db, String) {
    let url = match std::env::var("TEST_DATABASE_URL") {
        Ok(base) if !base.is_empty() => {
            let admin = Db::connect(&ConnectOptions {
                url: base.clone(),
                max_connections: 1,
                sqlite_synchronous_full: false,
            })
            .await
            .expect("TEST_DATABASE_URL reachable");
            let name = format!("cg_t_{}", uuid::Uuid::new_v4().simple());
            let chengguan::store::Pool::Postgres(pool) = admin.pool() else {
                panic!("TEST_DATABASE_URL must be PostgreSQL")
            };
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'"
            )))
            .execute(pool)
            .await
            .expect("create test database");
            pool.close().await;
            let (prefix, _) = base.rsplit_once('/').expect("URL has a database part");
            format!("{prefix}/{name}")
        }
        _ => format!("sqlite://{}", dir.join("test.db").display()),
    };
    let db =
        Db::connect(&ConnectOptions { url: url.clone(), max_connections: 8, sqlite_synchronous_full: false })
            .await
            .expect("connect");
    db.migrate(start_time()).await.expect("migrate");
    (db, url)
}

impl TestApp {
    /// The demo bureau on a fresh database, at 2026-03-02 09:00 Beijing time.
    pub(crate) async fn new() -> TestApp {
        TestApp::with_config(|_| {}).await
    }

    /// The same, with the test configuration changed first.
    pub(crate) async fn with_config(change: impl FnOnce(&mut Config)) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let (db, url) = fresh_db(dir.path()).await;
        let mut config = test_config(dir.path());
        change(&mut config);
        db.import_shipped_calendar(start_time()).await.expect("holiday arrangements");
        let keys = chengguan::keys::Keyring::load_or_create(&config.key_path()).expect("the test key file");
        chengguan::demo::seed(&db, config.hash_cost(), start_time(), &keys).await.expect("demo seed");
        let clock = ManualClock::new(start_time());
        let state =
            chengguan::app::state(db.clone(), Arc::new(clock.clone()), config, false).expect("app state");
        let router = chengguan::web::router(state.clone());
        TestApp { router, clock, db, state, url, dir }
    }

    /// Sends a request and keeps the body as bytes (downloads, packages).
    pub(crate) async fn send_bytes(
        &self,
        request: Request<Body>,
    ) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let response = self.router.clone().oneshot(request).await.expect("router never fails");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.map(|b| b.to_bytes().to_vec()).unwrap_or_default();
        (status, headers, bytes)
    }

    pub(crate) async fn send(&self, request: Request<Body>) -> Response {
        let response = self.router.clone().oneshot(request).await.expect("router never fails");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        Response { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    pub(crate) async fn get(&self, path: &str, session: Option<&Session>) -> Response {
        let mut builder = Request::builder().method(Method::GET).uri(path);
        if let Some(s) = session {
            builder = builder.header(header::COOKIE, &s.cookie);
        }
        self.send(builder.body(Body::empty()).unwrap()).await
    }

    pub(crate) async fn get_bearer(&self, path: &str, token: &str) -> Response {
        let request = Request::builder()
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap();
        self.send(request).await
    }

    /// A form post from a signed-in browser, with its CSRF token in the form.
    pub(crate) async fn post_form(
        &self,
        path: &str,
        session: Option<&Session>,
        fields: &[(&str, &str)],
    ) -> Response {
        let mut fields: Vec<(&str, &str)> = fields.to_vec();
        if let Some(s) = session {
            fields.push(("_csrf", &s.csrf));
        }
        let body = serde_urlencoded::to_string(&fields).unwrap();
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(s) = session {
            builder = builder.header(header::COOKIE, &s.cookie);
        }
        self.send(builder.body(Body::from(body)).unwrap()).await
    }

    /// A JSON request with a bearer token.
    pub(crate) async fn json(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: serde_json::Value,
    ) -> Response {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(request).await
    }

    /// A request from a signed-in browser session with the CSRF header, as htmx sends it.
    pub(crate) async fn session_request(
        &self,
        method: Method,
        path: &str,
        session: &Session,
        body: Option<serde_json::Value>,
    ) -> Response {
        let mut builder = Request::builder()
            .method(method)
            .uri(path)
            .header(header::COOKIE, &session.cookie)
            .header("x-csrf-token", &session.csrf);
        let body = match body {
            Some(json) => {
                builder = builder.header(header::CONTENT_TYPE, "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        self.send(builder.body(body).unwrap()).await
    }

    /// Posts the login form; returns the response (302 on success).
    pub(crate) async fn post_login(&self, username: &str, password: &str) -> Response {
        self.submit_login(&[("username", username), ("password", password), ("next", "/")], &[]).await
    }

    /// Opens the login page as a browser does (which gives it the form's pre-session token and
    /// its cookie), then posts `fields` with them and any `headers`.
    pub(crate) async fn submit_login(&self, fields: &[(&str, &str)], headers: &[(&str, &str)]) -> Response {
        let page = self.get("/login", None).await;
        let csrf = between(&page.body, "name=\"_csrf\" value=\"", "\"");
        let cookie = page
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("__Host-cg_login="))
            .and_then(|v| v.split(';').next())
            .expect("the login page sets its token cookie")
            .to_owned();
        let mut fields: Vec<(&str, &str)> = fields.to_vec();
        fields.push(("_csrf", &csrf));
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, cookie);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        self.send(builder.body(Body::from(serde_urlencoded::to_string(&fields).unwrap())).unwrap()).await
    }

    /// Logs in fully, through the second factor for administrators.
    pub(crate) async fn login(&self, username: &str) -> Session {
        let response = self.post_login(username, PASSWORD).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "login {username}: {}", response.body);
        let cookie = cookie_from(&response);
        let mut session = Session { cookie, csrf: String::new() };
        if response.location() == "/login/mfa" {
            let page = self.get("/login/mfa", Some(&session)).await;
            session.csrf = between(&page.body, "name=\"_csrf\" value=\"", "\"");
            let code = self.totp_now(username);
            let done = self.post_form("/login/mfa", Some(&session), &[("code", &code)]).await;
            assert_eq!(done.status, StatusCode::SEE_OTHER, "mfa {username}: {}", done.body);
            // Each code is good once; move past this step for the next login.
            self.clock.advance(Duration::seconds(31));
        }
        let home = self.get("/", Some(&session)).await;
        assert_eq!(home.status, StatusCode::OK, "home for {username}: {}", home.location());
        session.csrf = between(&home.body, "\"X-CSRF-Token\": \"", "\"");
        session
    }

    pub(crate) fn totp_now(&self, username: &str) -> String {
        let secret = chengguan::demo::demo_totp_secret(username);
        format!("{:06}", totp_code(&secret, totp_step(self.clock_now())))
    }

    pub(crate) fn clock_now(&self) -> DateTime<Utc> {
        use chengguan::clock::Clock;
        self.clock.now()
    }

    /// An API token for a demo user, created as the CLI does.
    pub(crate) async fn token(&self, username: &str) -> String {
        let account = self.db.account_by_username(username).await.unwrap().expect("account");
        let token = chengguan::auth::new_token();
        let mut tx = self.db.begin(&chengguan::store::AuditCtx::cli("test"), self.clock_now()).await.unwrap();
        tx.insert_api_token(
            &account.id,
            &chengguan::auth::token_hash(&token),
            "test",
            self.clock_now() + Duration::days(30),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        token
    }

    pub(crate) async fn audit_count(&self, action: &str) -> i64 {
        let filter = chengguan::store::audit::AuditFilter {
            action: action.into(),
            page: 1,
            page_size: 1,
            ..Default::default()
        };
        self.db.audit_records(&filter).await.unwrap().1
    }

    /// The newest audit record of `action`.
    pub(crate) async fn latest_audit(&self, action: &str) -> chengguan::store::audit::AuditRecord {
        let filter = chengguan::store::audit::AuditFilter {
            action: action.into(),
            page: 1,
            page_size: 1,
            ..Default::default()
        };
        self.db.audit_records(&filter).await.unwrap().0.into_iter().next().expect("an audit record")
    }

    /// The id of a unit by name.
    /// The person ids of the demo bureau's 负责人 (局长 and two 副局长), who attend a 集体讨论.
    pub(crate) async fn heads(&self) -> Vec<String> {
        self.db.agency_leaders().await.expect("the heads").into_iter().map(|(id, _, _)| id).take(3).collect()
    }

    pub(crate) async fn unit_id(&self, name: &str) -> String {
        self.db.units().await.unwrap().into_iter().find(|u| u.name == name).expect("unit").id
    }

    /// Executes SQL as the database owner would, bypassing the application: for tampering.
    pub(crate) async fn raw(&self, sql: &str) {
        self.try_raw(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// Runs SQL behind the application's back, as a tamperer would.
    pub(crate) async fn try_raw(&self, sql: &str) -> Result<(), sqlx::Error> {
        match self.db.pool() {
            chengguan::store::Pool::Sqlite(pool) => {
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).execute(pool).await.map(|_| ())
            }
            chengguan::store::Pool::Postgres(pool) => {
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned())).execute(pool).await.map(|_| ())
            }
        }
    }

    /// A count read behind the application's back, to check what a step left in the tables.
    pub(crate) async fn count(&self, sql: &str) -> i64 {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        let counted = match self.db.pool() {
            chengguan::store::Pool::Sqlite(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
            chengguan::store::Pool::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
        };
        counted.unwrap_or_else(|e| panic!("counting: {e}"))
    }

    pub(crate) fn is_postgres(&self) -> bool {
        matches!(self.db.pool(), chengguan::store::Pool::Postgres(_))
    }

    /// Drops the audit triggers, as someone with direct database access could.
    pub(crate) async fn drop_audit_triggers(&self) {
        if self.is_postgres() {
            self.raw("DROP TRIGGER audit_log_no_update ON audit_log").await;
        } else {
            self.raw("DROP TRIGGER audit_log_no_update").await;
            self.raw("DROP TRIGGER audit_log_no_delete").await;
        }
    }
}

pub(crate) fn cookie_from(response: &Response) -> String {
    let set = response
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("__Host-cg_session="))
        .unwrap_or_else(|| panic!("no session cookie: {:?}", response.headers));
    set.split(';').next().unwrap().to_owned()
}

pub(crate) fn between(text: &str, start: &str, end: &str) -> String {
    let from = text.find(start).unwrap_or_else(|| panic!("{start:?} not in page")) + start.len();
    let to = text[from..].find(end).unwrap() + from;
    text[from..to].to_owned()
}
