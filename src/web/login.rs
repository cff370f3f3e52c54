//! Login with password and, for the three administrators, a TOTP second factor; logout;
//! changing one's own password.

use askama::Template;
use axum::Form;
use axum::extract::{Extension, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};

use crate::app::AppState;
use crate::auth::{constant_time_eq, hash_password, new_token, token_hash, verify_password};
use crate::domain::audit::Outcome;
use crate::domain::security::{check_password, otpauth_uri, totp_code, totp_step, verify_totp};
use crate::store::AuditEvent;
use crate::web::error::{AppError, PageResult};
use crate::web::guard::{
    Caller, Credential, Principal, RequestInfo, cookie, login_csrf_cookie, login_csrf_cookie_name,
    session_cookie,
};
use crate::web::pages::{Chrome, Lang, render};

/// The one answer to every failed login: wrong name, wrong password, locked or disabled look
/// the same (ASVS V6.3.8).
const GENERIC_FAILURE: &str = "用户名或密码错误，或账号已被锁定。连续 5 次失败将锁定 30 分钟。";

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    l: Lang,
    bureau_name: String,
    error: Option<String>,
    notice: Option<String>,
    next: String,
    username: String,
    demo_logins: Vec<(String, String, String)>,
    demo_password: &'static str,
    /// The pre-session token, also in the login cookie; the form sends it back.
    csrf: String,
}

#[derive(Template)]
#[template(path = "mfa.html")]
struct MfaPage {
    l: Lang,
    error: Option<String>,
    csrf: String,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    next: String,
    #[serde(default)]
    ended: String,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

async fn login_page(
    state: &AppState,
    headers: &HeaderMap,
    error: Option<String>,
    notice: Option<String>,
    next: &str,
    username: &str,
) -> PageResult<LoginPage> {
    let bureau_name = state
        .db
        .units()
        .await?
        .into_iter()
        .find(|u| u.parent_id.is_none())
        .map(|u| u.name)
        .unwrap_or_default();
    let demo_logins =
        if state.demo && crate::demo::holds_only_demo_data(&state.db).await.map_err(AppError::Internal)? {
            demo_logins(state).await?
        } else {
            Vec::new()
        };
    Ok(LoginPage {
        l: Lang::from_headers(headers),
        bureau_name,
        error,
        notice,
        next: safe_next(next).to_owned(),
        username: username.to_owned(),
        demo_logins,
        demo_password: crate::demo::DEMO_PASSWORD,
        csrf: login_csrf(state, headers).clone(),
    })
}

/// The login form's pre-session token: the one the browser already holds (several tabs share
/// it), or a new one.
fn login_csrf(state: &AppState, headers: &HeaderMap) -> String {
    cookie(headers, login_csrf_cookie_name(state.config.cookie_secure))
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .map_or_else(new_token, str::to_owned)
}

/// Renders the login page with its token cookie.
fn render_login(state: &AppState, page: &LoginPage, status: StatusCode) -> PageResult {
    let mut response = render(page)?;
    *response.status_mut() = status;
    Ok(with_cookie(response, &login_csrf_cookie(state.config.cookie_secure, &page.csrf)))
}

/// In demo mode the login page lists the demo accounts and the administrators' current codes,
/// so a newcomer can look around without an authenticator app. Never shown otherwise.
async fn demo_logins(state: &AppState) -> Result<Vec<(String, String, String)>, AppError> {
    let mut out = Vec::new();
    for username in crate::demo::LISTED_LOGINS {
        if let Some(account) = state.db.account_by_username(username).await? {
            let code = account
                .totp_secret
                .as_deref()
                .and_then(|stored| crate::keys::open_totp(&state.keys, stored, &account.username).ok())
                .map(|secret| format!("{:06}", totp_code(&secret, totp_step(state.now()))))
                .unwrap_or_default();
            let roles = account.roles.roles().iter().map(|r| r.name_zh()).collect::<Vec<_>>().join("、");
            out.push((account.username, roles, code));
        }
    }
    Ok(out)
}

/// Only a path of this site is followed after login, never another site. Browsers drop tabs
/// and line breaks from a URL and read `\\` as `/`, so `/\t/evil.example` would become the
/// protocol-relative `//evil.example`: the target must start with one `/`, hold no control
/// character, white space or backslash anywhere, and parse as a path and query.
pub fn safe_next(next: &str) -> &str {
    let plain = next.chars().all(|c| !c.is_control() && !c.is_whitespace() && c != '\\');
    let local = next.starts_with('/') && !next.starts_with("//");
    let parses = next.parse::<axum::http::uri::PathAndQuery>().is_ok_and(|p| p.as_str() == next);
    if plain && local && parses && next.len() <= 2048 { next } else { "/" }
}

pub async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    principal: Option<Extension<Principal>>,
    Query(query): Query<LoginQuery>,
) -> PageResult {
    if principal.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    let notice = match query.ended.as_str() {
        "logout" => Some("您已安全退出。".to_owned()),
        "password" => Some("密码已修改，请使用新密码登录。".to_owned()),
        _ => None,
    };
    let page = login_page(&state, &headers, None, notice, &query.next, "").await?;
    render_login(&state, &page, StatusCode::OK)
}

fn with_cookie(mut response: Response, cookie: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

pub async fn submit(
    State(state): State<AppState>,
    Extension(info): Extension<RequestInfo>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> PageResult {
    let now = state.now();
    let username = form.username.trim().to_owned();
    let refuse = |status: StatusCode, page: LoginPage| -> PageResult { render_login(&state, &page, status) };
    // The guard already worked out the client address; "unknown" (no socket, as in tests that
    // call the router directly) shares one bucket.
    let address = info.source.parse::<std::net::IpAddr>().unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]));
    {
        if !state.login_limiter.allow(address, now) {
            let ctx = info.audit_ctx(None, &username);
            let event = AuditEvent::new("login.rate_limited", "account", &username).result(Outcome::Denied);
            state.db.audit_only(&ctx, now, event).await?;
            let page = login_page(
                &state,
                &headers,
                Some("登录尝试过于频繁，请一分钟后再试。".into()),
                None,
                &form.next,
                &username,
            )
            .await?;
            return refuse(StatusCode::TOO_MANY_REQUESTS, page);
        }
    }
    // Login CSRF: the form must carry the token of the cookie this browser got with the page.
    let expected = cookie(&headers, login_csrf_cookie_name(state.config.cookie_secure)).unwrap_or("");
    if expected.is_empty() || !constant_time_eq(&form.csrf, expected) {
        let ctx = info.audit_ctx(None, &username);
        let event = AuditEvent::new("csrf.failed", "route", "POST /login").result(Outcome::Denied);
        state.db.audit_only(&ctx, now, event).await?;
        let page = login_page(
            &state,
            &headers,
            Some("登录页面已过期，请重新输入。".into()),
            None,
            &form.next,
            &username,
        )
        .await?;
        return refuse(StatusCode::FORBIDDEN, page);
    }
    let ctx = info.audit_ctx(None, &username);
    let account = state.db.account_by_username(&username).await?;
    let Some(account) = account else {
        // Same work as a real check, so the answer takes the same time.
        let _ = verify_password(&form.password, &state.dummy_hash);
        let event = AuditEvent::new("login.failure", "account", &username)
            .result(Outcome::Failure)
            .details(serde_json::json!({ "reason": "unknown_user" }));
        state.db.audit_only(&ctx, now, event).await?;
        let page =
            login_page(&state, &headers, Some(GENERIC_FAILURE.into()), None, &form.next, &username).await?;
        return refuse(StatusCode::UNAUTHORIZED, page);
    };
    let ctx = crate::store::AuditCtx { role: account.roles.codes(), ..ctx };
    let (policy, _) = state.db.security_policy().await?;
    let password_ok = verify_password(&form.password, &account.password_hash);
    let reason = if account.disabled {
        Some("disabled")
    } else if !account.grant_pending.is_empty() {
        Some("awaiting_grant")
    } else if account.failures.is_locked(now) {
        Some("locked")
    } else if !password_ok {
        Some("wrong_password")
    } else {
        None
    };
    if let Some(reason) = reason {
        let mut tx = state.db.begin(&ctx, now).await?;
        let mut locked_now = false;
        if reason == "wrong_password" {
            let (failures, locked) = account.failures.record_failure(&policy, now);
            tx.set_login_failures(&account.id, &failures).await?;
            locked_now = locked;
        }
        tx.audit(
            AuditEvent::new("login.failure", "account", &account.id)
                .result(Outcome::Failure)
                .details(serde_json::json!({ "reason": reason })),
        )
        .await?;
        if locked_now {
            tx.audit(AuditEvent::new("account.locked", "account", &account.id).details(
                serde_json::json!({ "minutes": policy.lockout_minutes, "threshold": policy.lockout_threshold }),
            ))
            .await?;
        }
        tx.commit().await?;
        let page =
            login_page(&state, &headers, Some(GENERIC_FAILURE.into()), None, &form.next, &username).await?;
        return refuse(StatusCode::UNAUTHORIZED, page);
    }
    let stage = if account.totp_secret.is_some() { "mfa" } else { "active" };
    let token = new_token();
    let mut tx = state.db.begin(&ctx, now).await?;
    tx.insert_session(&account.id, &token_hash(&token), &new_token(), stage, &info.source).await?;
    let action = if stage == "mfa" { "login.password_accepted" } else { "login.success" };
    tx.audit(AuditEvent::new(action, "account", &account.id)).await?;
    tx.commit().await?;
    let target = if stage == "mfa" { "/login/mfa".to_owned() } else { safe_next(&form.next).to_owned() };
    Ok(with_cookie(
        Redirect::to(&target).into_response(),
        &session_cookie(state.config.cookie_secure, &token),
    ))
}

pub async fn mfa_form(headers: HeaderMap, Caller { principal, .. }: Caller) -> PageResult {
    render(&MfaPage { l: Lang::from_headers(&headers), error: None, csrf: principal.csrf_token().to_owned() })
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct MfaForm {
    #[serde(default)]
    code: String,
}

pub async fn mfa_submit(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(form): Form<MfaForm>,
) -> PageResult {
    let now = state.now();
    let Credential::Session { token_hash, .. } = &principal.credential else {
        return Err(AppError::Forbidden.into());
    };
    let account = state.db.account(&principal.account_id).await?.ok_or(AppError::Unauthenticated)?;
    let ctx = info.audit_ctx(Some(&principal), "");
    let (policy, _) = state.db.security_policy().await?;
    // A secret that does not open (altered in the database, or its key gone) verifies no code.
    let secret = account
        .totp_secret
        .as_deref()
        .and_then(|stored| crate::keys::open_totp(&state.keys, stored, &account.username).ok());
    let step = match (secret, account.failures.is_locked(now)) {
        (Some(secret), false) => verify_totp(&secret, &form.code, now, account.totp_last_step),
        _ => None,
    };
    let Some(step) = step else {
        let mut tx = state.db.begin(&ctx, now).await?;
        let (failures, locked) = account.failures.record_failure(&policy, now);
        tx.set_login_failures(&account.id, &failures).await?;
        tx.audit(AuditEvent::new("login.mfa_failure", "account", &account.id).result(Outcome::Failure))
            .await?;
        if locked {
            tx.revoke_session(token_hash).await?;
            tx.audit(AuditEvent::new("account.locked", "account", &account.id)).await?;
        }
        tx.commit().await?;
        if locked {
            let response = Redirect::to("/login").into_response();
            return Ok(with_cookie(response, &session_cookie(state.config.cookie_secure, "")));
        }
        return mfa_refused(&headers, &principal);
    };
    let mut tx = state.db.begin(&ctx, now).await?;
    match tx.activate_session(token_hash, &account.id, step).await {
        Ok(()) => {}
        // The same code, submitted twice at once: the other submission used it first.
        Err(crate::store::StoreError::Conflict) => {
            drop(tx);
            let event = AuditEvent::new("login.mfa_failure", "account", &account.id)
                .result(Outcome::Failure)
                .details(serde_json::json!({ "reason": "code_already_used" }));
            state.db.audit_only(&ctx, now, event).await?;
            return mfa_refused(&headers, &principal);
        }
        Err(error) => return Err(AppError::from(error).into()),
    }
    tx.audit(
        AuditEvent::new("login.success", "account", &account.id).details(serde_json::json!({ "mfa": true })),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/").into_response())
}

#[derive(Template)]
#[template(path = "mfa_enrol.html")]
struct EnrolPage {
    chrome: Chrome,
    /// Already enrolled.
    enrolled: bool,
    /// Required by the security policy (the session is held here until done).
    required: bool,
    /// The new secret for the authenticator, as an otpauth URI and in base32.
    uri: String,
    secret_base32: String,
    /// The same secret sealed for this account, sent back with the first code.
    pending: String,
    error: Option<String>,
}

/// The sealed form of a secret offered on the enrolment page: bound to the account, so that a
/// page of one account cannot enrol another.
fn enrol_context(principal: &Principal) -> String {
    format!("enrol:{}", principal.account_id)
}

async fn enrol_page(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    error: Option<String>,
) -> PageResult {
    let chrome = Chrome::new(state, principal, headers, "", "动态口令", "Second factor").await?;
    let secret = crate::auth::new_totp_secret();
    let pending = state.keys.seal(crate::keys::Purpose::TotpSecret, &secret, &enrol_context(principal));
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut response = render(&EnrolPage {
        chrome,
        enrolled: principal.has_totp,
        required: principal.mfa_enrolment_due,
        uri: otpauth_uri("chengguan", &principal.username, &secret),
        secret_base32: crate::domain::security::base32(&secret),
        pending,
        error,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// 等保 L3-CES1-04: every internal user may add a TOTP second factor (and must, when the
/// security policy says so). The page offers a fresh secret; the first code from the
/// authenticator confirms it.
pub async fn mfa_enrol_form(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
) -> PageResult {
    enrol_page(&state, &principal, &headers, None).await
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct EnrolForm {
    #[serde(default)]
    pending: String,
    #[serde(default)]
    code: String,
}

pub async fn mfa_enrol_submit(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(form): Form<EnrolForm>,
) -> PageResult {
    if principal.has_totp {
        return Ok(Redirect::to("/account/mfa").into_response());
    }
    let now = state.now();
    let secret = state.keys.open(crate::keys::Purpose::TotpSecret, &form.pending, &enrol_context(&principal));
    let step = secret.as_ref().ok().and_then(|secret| verify_totp(secret, &form.code, now, None));
    let (Ok(secret), Some(step)) = (secret, step) else {
        let event = AuditEvent::new("account.mfa_enrolled", "account", &principal.account_id)
            .result(Outcome::Failure);
        state.db.audit_only(&info.audit_ctx(Some(&principal), ""), now, event).await?;
        let error =
            "动态口令不正确：请确认身份验证器已添加下方的新密钥，并输入其当前显示的 6 位口令。".to_owned();
        return enrol_page(&state, &principal, &headers, Some(error)).await;
    };
    let sealed = crate::keys::seal_totp(&state.keys, &secret, &principal.username);
    let mut tx = state.db.begin(&info.audit_ctx(Some(&principal), ""), now).await?;
    tx.enrol_totp(&principal.account_id, &sealed, step).await?;
    tx.commit().await?;
    state.principals.forget_account(&principal.account_id);
    Ok(Redirect::to("/?mfa=enrolled").into_response())
}

/// The second-factor form again, with the one message for a wrong or used code.
fn mfa_refused(headers: &HeaderMap, principal: &Principal) -> PageResult {
    let page = MfaPage {
        l: Lang::from_headers(headers),
        error: Some("动态口令错误或已使用过，请输入身份验证器中当前显示的口令。".into()),
        csrf: principal.csrf_token().to_owned(),
    };
    let mut response = render(&page)?;
    *response.status_mut() = StatusCode::UNAUTHORIZED;
    Ok(response)
}

pub async fn logout(State(state): State<AppState>, Caller { principal, info }: Caller) -> PageResult {
    if let Credential::Session { token_hash, .. } = &principal.credential {
        let mut tx = state.db.begin(&info.audit_ctx(Some(&principal), ""), state.now()).await?;
        tx.revoke_session(token_hash).await?;
        tx.audit(AuditEvent::new("logout", "account", &principal.account_id)).await?;
        tx.commit().await?;
    }
    let response = Redirect::to("/login?ended=logout").into_response();
    Ok(with_cookie(response, &session_cookie(state.config.cookie_secure, "")))
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    chrome: Chrome,
    forced: bool,
    error: Option<String>,
}

pub async fn password_form(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
) -> PageResult {
    let chrome = Chrome::new(&state, &principal, &headers, "", "修改密码", "Change password").await?;
    render(&PasswordPage { chrome, forced: principal.must_change_password, error: None })
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

pub async fn password_submit(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> PageResult {
    let now = state.now();
    let account = state.db.account(&principal.account_id).await?.ok_or(AppError::Unauthenticated)?;
    let (policy, _) = state.db.security_policy().await?;
    // A wrong current password counts as a failed login: otherwise a stolen session could try
    // passwords here without end (L3-CES1-02), and the account locks as it would at the door.
    if account.failures.is_locked(now) || !verify_password(&form.current, &account.password_hash) {
        let (failures, locked) = account.failures.record_failure(&policy, now);
        let mut tx = state.db.begin(&info.audit_ctx(Some(&principal), ""), now).await?;
        tx.set_login_failures(&account.id, &failures).await?;
        tx.audit(
            AuditEvent::new("account.change_password", "account", &account.id)
                .result(Outcome::Failure)
                .details(serde_json::json!({ "reason": "wrong_current_password" })),
        )
        .await?;
        if locked || account.failures.is_locked(now) {
            if let Credential::Session { token_hash, .. } = &principal.credential {
                tx.revoke_session(token_hash).await?;
            }
            if locked {
                tx.audit(AuditEvent::new("account.locked", "account", &account.id)).await?;
            }
            tx.commit().await?;
            let response = Redirect::to("/login").into_response();
            return Ok(with_cookie(response, &session_cookie(state.config.cookie_secure, "")));
        }
        tx.commit().await?;
        let chrome = Chrome::new(&state, &principal, &headers, "", "修改密码", "Change password").await?;
        let error = Some(format!(
            "当前密码不正确。连续 {} 次错误将锁定账号 {} 分钟。",
            policy.lockout_threshold, policy.lockout_minutes
        ));
        let mut response = render(&PasswordPage { chrome, forced: principal.must_change_password, error })?;
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    }
    let error = if form.new != form.confirm {
        Some("两次输入的新密码不一致".to_owned())
    } else if form.new == form.current {
        Some("新密码不能与当前密码相同".to_owned())
    } else {
        check_password(&policy, &form.new, &account.username)
            .err()
            .map(|errors| errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("；"))
    };
    if let Some(error) = error {
        let ctx = info.audit_ctx(Some(&principal), "");
        let event =
            AuditEvent::new("account.change_password", "account", &account.id).result(Outcome::Failure);
        state.db.audit_only(&ctx, now, event).await?;
        let chrome = Chrome::new(&state, &principal, &headers, "", "修改密码", "Change password").await?;
        let mut response =
            render(&PasswordPage { chrome, forced: principal.must_change_password, error: Some(error) })?;
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    }
    let hash = hash_password(state.config.hash_cost(), &form.new);
    let keep = match &principal.credential {
        Credential::Session { token_hash, .. } => Some(token_hash.as_str()),
        Credential::Bearer => None,
    };
    let mut tx = state.db.begin(&info.audit_ctx(Some(&principal), ""), now).await?;
    tx.set_password(&account.id, &hash, false, keep).await?;
    tx.commit().await?;
    state.principals.forget_account(&account.id);
    Ok(Redirect::to("/?changed=password").into_response())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_paths_of_this_site_are_followed() {
        for good in ["/", "/cases?stage=filed", "/parties/abc", "/%2Fcases"] {
            assert_eq!(safe_next(good), good);
        }
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r/evil.example",
            "/ /evil.example",
            "\t//evil.example",
            "https://evil.example",
            "evil.example",
            "/cases\\..\\",
            "/\u{7f}/evil.example",
            "",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
    }
}
