//! The 等保 level-3 login profile, through the router with a fixed clock.

use axum::http::{Method, StatusCode, header};
use chrono::Duration;

use crate::support::{PASSWORD, TestApp, cookie_from};

const GENERIC: &str = "用户名或密码错误，或账号已被锁定";

#[tokio::test]
async fn five_failures_lock_the_account_even_against_the_right_password_for_thirty_minutes() {
    let app = TestApp::new().await;
    for _ in 0..5 {
        let response = app.post_login("officer01", "Wrong-password-1").await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
        assert!(response.body.contains(GENERIC));
        app.clock.advance(Duration::seconds(20));
    }
    let locked_at = app.clock_now() - Duration::seconds(20);
    assert_eq!(app.audit_count("account.locked").await, 1);

    // Attempt 6, with the right password: refused with the same message.
    let sixth = app.post_login("officer01", PASSWORD).await;
    assert_eq!(sixth.status, StatusCode::UNAUTHORIZED);
    assert!(sixth.body.contains(GENERIC));

    app.clock.set(locked_at + Duration::minutes(30) - Duration::seconds(1));
    assert_eq!(app.post_login("officer01", PASSWORD).await.status, StatusCode::UNAUTHORIZED);

    app.clock.set(locked_at + Duration::minutes(30) + Duration::seconds(1));
    let accepted = app.post_login("officer01", PASSWORD).await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER);
    assert_eq!(accepted.location(), "/");
}

#[tokio::test]
async fn an_unknown_user_and_a_wrong_password_get_the_same_answer() {
    let app = TestApp::new().await;
    let unknown = app.post_login("nobody_here", "Wrong-password-1").await;
    let wrong = app.post_login("officer01", "Wrong-password-1").await;
    assert_eq!(unknown.status, wrong.status);
    assert!(unknown.body.contains(GENERIC) && wrong.body.contains(GENERIC));
    assert_eq!(app.audit_count("login.failure").await, 2);
}

#[tokio::test]
async fn session_cookies_are_host_bound_secure_httponly_and_strict() {
    let app = TestApp::new().await;
    let response = app.post_login("officer01", PASSWORD).await;
    let set = response.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap().to_owned();
    assert!(set.starts_with("__Host-cg_session="), "{set}");
    for attribute in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set.contains(attribute), "{attribute} missing in {set}");
    }
    let page = app.get("/login", None).await;
    let csp = page.headers.get(header::CONTENT_SECURITY_POLICY).unwrap().to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"));
    assert_eq!(page.headers.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
    // The static files come from inside the binary, and nothing else does.
    let css = app.get("/static/app.css", None).await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.headers.get(header::CONTENT_TYPE).unwrap(), "text/css; charset=utf-8");
    assert_eq!(app.get("/static/vendor/htmx.min.js", None).await.status, StatusCode::OK);
    assert_eq!(app.get("/static/../Cargo.toml", None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/static/app.rs", None).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn disabling_an_account_ends_its_sessions_and_tokens_at_once() {
    let app = TestApp::new().await;
    let officer = app.login("officer01").await;
    let officer_token = app.token("officer01").await;
    assert_eq!(app.get("/api/v1/me", Some(&officer)).await.status, StatusCode::OK);

    let admin = app.token("sysadmin").await;
    let account = app.db.account_by_username("officer01").await.unwrap().unwrap();
    let disabled = app
        .json(
            Method::POST,
            &format!("/api/v1/accounts/{}/disable", account.id),
            &admin,
            serde_json::json!({}),
        )
        .await;
    assert_eq!(disabled.status, StatusCode::NO_CONTENT, "{}", disabled.body);

    assert_eq!(app.get("/api/v1/me", Some(&officer)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get_bearer("/api/v1/me", &officer_token).await.status, StatusCode::UNAUTHORIZED);
    let page = app.get("/", Some(&officer)).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER);
    assert!(page.location().starts_with("/login"));
    assert_eq!(app.post_login("officer01", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn logout_revokes_the_session_on_the_server() {
    let app = TestApp::new().await;
    let session = app.login("officer01").await;
    let out = app.post_form("/logout", Some(&session), &[]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/api/v1/me", Some(&session)).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn idle_sessions_end_after_thirty_minutes_and_administrators_after_fifteen() {
    let app = TestApp::new().await;
    let officer = app.login("officer01").await;
    let admin = app.login("sysadmin").await;
    app.clock.advance(Duration::minutes(15) + Duration::seconds(1));
    assert_eq!(app.get("/api/v1/me", Some(&admin)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/api/v1/me", Some(&officer)).await.status, StatusCode::OK);
    app.clock.advance(Duration::minutes(30) + Duration::seconds(1));
    assert_eq!(app.get("/api/v1/me", Some(&officer)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.audit_count("session.timeout").await, 2);
}

#[tokio::test]
async fn administrators_need_a_one_time_code_that_works_once() {
    let app = TestApp::new().await;
    let response = app.post_login("auditadmin", PASSWORD).await;
    assert_eq!(response.location(), "/login/mfa");
    let half = crate::support::Session { cookie: cookie_from(&response), csrf: String::new() };
    // Password alone reaches no data.
    assert_eq!(app.get("/api/v1/me", Some(&half)).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/audit", Some(&half)).await.location(), "/login/mfa");

    let page = app.get("/login/mfa", Some(&half)).await;
    let csrf = crate::support::between(&page.body, "name=\"_csrf\" value=\"", "\"");
    let half = crate::support::Session { csrf, ..half };
    let wrong = app.post_form("/login/mfa", Some(&half), &[("code", "000000")]).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let code = app.totp_now("auditadmin");
    let right = app.post_form("/login/mfa", Some(&half), &[("code", &code)]).await;
    assert_eq!(right.status, StatusCode::SEE_OTHER);
    assert_eq!(app.get("/api/v1/me", Some(&half)).await.status, StatusCode::OK);

    // The same code on a second login within the same 30 seconds is refused.
    let again = app.post_login("auditadmin", PASSWORD).await;
    let second = crate::support::Session { cookie: cookie_from(&again), csrf: String::new() };
    let page = app.get("/login/mfa", Some(&second)).await;
    let second = crate::support::Session {
        csrf: crate::support::between(&page.body, "name=\"_csrf\" value=\"", "\""),
        ..second
    };
    assert_eq!(
        app.post_form("/login/mfa", Some(&second), &[("code", &code)]).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_state_change_without_the_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::new().await;
    let session = app.login("office01").await;
    let before = app.db.audit_head().await.unwrap().0;
    let people = app.count("SELECT COUNT(*) FROM people").await;
    let no_token = crate::support::Session { csrf: "forged".into(), ..session.clone() };
    let response = app
        .post_form(
            "/people",
            Some(&no_token),
            &[("name", "新人"), ("gender", "male"), ("employment", "officer"), ("unit_id", "x")],
        )
        .await;
    assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(response.body.contains("页面已过期"));
    // Nothing changed but the record of the forged request itself.
    assert_eq!(app.db.audit_head().await.unwrap().0, before + 1);
    assert_eq!(app.audit_count("csrf.failed").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM people").await, people);
}

#[tokio::test]
async fn a_reset_password_must_be_changed_before_anything_else() {
    let app = TestApp::new().await;
    let account = app.db.account_by_username("officer02").await.unwrap().unwrap();
    let sysadmin = app.login("sysadmin").await;
    let reset =
        app.post_form(&format!("/admin/accounts/{}/reset-password", account.id), Some(&sysadmin), &[]).await;
    assert_eq!(reset.status, StatusCode::OK);
    // The 系统管理员 never sees the new password: the office grants it and hands it over.
    assert!(!reset.body.contains("mono big"));
    let office = app.login("office01").await;
    let granted =
        app.post_form(&format!("/admin/account-grants/{}/grant", account.id), Some(&office), &[]).await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
    let one_time = crate::support::between(&granted.body, "<dd class=\"mono big\">", "</dd>");
    let login = app.post_login("officer02", &one_time).await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
    let session = crate::support::Session { cookie: cookie_from(&login), csrf: String::new() };
    let home = app.get("/", Some(&session)).await;
    assert_eq!(home.location(), "/account/password");
    let form = app.get("/account/password", Some(&session)).await;
    let session = crate::support::Session {
        csrf: crate::support::between(&form.body, "name=\"_csrf\" value=\"", "\""),
        ..session
    };
    let weak = app
        .post_form(
            "/account/password",
            Some(&session),
            &[("current", &one_time), ("new", "short"), ("confirm", "short")],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    let new = "Xilin-Squad-2026!";
    let done = app
        .post_form(
            "/account/password",
            Some(&session),
            &[("current", &one_time), ("new", new), ("confirm", new)],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(app.get("/", Some(&session)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_account_disabled_by_another_instance_loses_its_tokens_within_one_second() {
    let app = TestApp::new().await;
    let token = app.token("officer05").await;
    assert_eq!(app.get_bearer("/api/v1/me", &token).await.status, StatusCode::OK);
    // Another instance (or the CLI) disables the account: this instance's cache is not told.
    let account = app.db.account_by_username("officer05").await.unwrap().unwrap();
    let mut tx =
        app.db.begin(&chengguan::store::AuditCtx::cli("other-instance"), app.clock_now()).await.unwrap();
    tx.set_account_disabled(&account.id, true).await.unwrap();
    tx.commit().await.unwrap();
    app.clock.advance(Duration::milliseconds(chengguan::web::guard::BEARER_CACHE_MILLISECONDS));
    assert_eq!(app.get_bearer("/api/v1/me", &token).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn one_address_spraying_logins_is_slowed_to_its_limit_per_minute() {
    let app = TestApp::with_config(|config| config.login_rate_per_minute = 3).await;
    for user in ["officer01", "officer02", "officer03"] {
        assert_eq!(app.post_login(user, "Wrong-password-1").await.status, StatusCode::UNAUTHORIZED);
    }
    let fourth = app.post_login("officer04", PASSWORD).await;
    assert_eq!(fourth.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.audit_count("login.rate_limited").await, 1);
    // The spray locked nobody: three failures on three accounts.
    assert_eq!(app.audit_count("account.locked").await, 0);
    app.clock.advance(Duration::minutes(1));
    assert_eq!(app.post_login("officer04", PASSWORD).await.status, StatusCode::SEE_OTHER);
}
