//! The guard every routed request passes: who is calling, may they, and is the request theirs.
//!
//! In order: look the route up in the table (absent means denied); resolve the caller from a
//! bearer token or the session cookie; end idle or expired sessions (audited); hold a session
//! whose second factor or password change is due to those pages; check the permission table
//! (a refusal is audited); check the CSRF token on state-changing cookie requests.

use std::net::{IpAddr, SocketAddr};

use axum::body::{Body, to_bytes};
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use crate::app::AppState;
use crate::auth::{constant_time_eq, token_hash};
use crate::domain::access::{Action, Role, RoleSet};
use crate::domain::audit::Outcome;
use crate::domain::security::{SessionEnd, session_expiry};
use crate::store::org::Visibility;
use crate::store::{AuditCtx, AuditEvent};
use crate::web::error::{ApiError, AppError, PageError};
use crate::web::{Access, Policies};

/// The session cookie. `__Host-` binds it to this host and path `/` and requires `Secure`.
pub const SESSION_COOKIE: &str = "__Host-cg_session";
/// The cookie name when `cookie_secure` is off (plain-HTTP development only).
pub const DEV_SESSION_COOKIE: &str = "cg_session";
/// The language choice.
pub const LANG_COOKIE: &str = "cg_lang";
/// The pre-session CSRF token of the login form (login CSRF: a page of another site must not
/// sign a browser in to an account of the attacker's choosing).
pub const LOGIN_CSRF_COOKIE: &str = "__Host-cg_login";
/// Its name when `cookie_secure` is off.
pub const DEV_LOGIN_CSRF_COOKIE: &str = "cg_login";

pub fn login_csrf_cookie_name(secure: bool) -> &'static str {
    if secure { LOGIN_CSRF_COOKIE } else { DEV_LOGIN_CSRF_COOKIE }
}

/// The `Set-Cookie` value carrying the login form's token for an hour.
pub fn login_csrf_cookie(secure: bool, token: &str) -> String {
    let name = login_csrf_cookie_name(secure);
    let secure_attr = if secure { "; Secure" } else { "" };
    format!("{name}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600{secure_attr}")
}

/// How the caller proved who they are.
#[derive(Debug, Clone)]
pub enum Credential {
    Session { token_hash: String, csrf_token: String },
    Bearer,
}

/// The signed-in caller, available to handlers as an extension.
#[derive(Debug, Clone)]
pub struct Principal {
    pub account_id: String,
    pub username: String,
    pub display_name: String,
    pub roles: RoleSet,
    pub person_id: Option<String>,
    pub unit_id: Option<String>,
    pub credential: Credential,
    pub must_change_password: bool,
    /// Whether the account logs in with a TOTP second factor.
    pub has_totp: bool,
    /// The security policy requires a second factor of everyone and this account has none
    /// yet: the session is held at `/account/mfa` until it enrols.
    pub mfa_enrolment_due: bool,
}

impl Principal {
    /// The key under which a view or play of an evidence item by this caller (its session, or
    /// its account for a token) is remembered in `AppState::plays`, so that a player's seeks
    /// or a page's reloads are one recorded view.
    pub fn view_key(&self, item_id: &str) -> String {
        match &self.credential {
            Credential::Session { token_hash, .. } => format!("s:{token_hash}:{item_id}"),
            Credential::Bearer => format!("a:{}:{item_id}", self.account_id),
        }
    }

    fn new(account: crate::store::accounts::Account, credential: Credential) -> Principal {
        Principal {
            account_id: account.id,
            username: account.username,
            display_name: account.display_name,
            roles: account.roles,
            person_id: account.person_id,
            unit_id: account.unit_id,
            credential,
            must_change_password: account.must_change_password,
            has_totp: account.totp_secret.is_some(),
            mfa_enrolment_due: false,
        }
    }

    pub fn csrf_token(&self) -> &str {
        match &self.credential {
            Credential::Session { csrf_token, .. } => csrf_token,
            Credential::Bearer => "",
        }
    }

    pub fn has(&self, action: Action) -> bool {
        self.roles.scope(action).is_some()
    }

    /// Which people this caller may see or act on for `action`.
    pub fn visibility(&self, action: Action) -> Visibility {
        crate::ops::visibility(&self.roles, self.unit_id.as_deref(), self.person_id.as_deref(), action)
    }

    /// The caller as the operations layer sees it: who, with which roles, from where.
    pub fn actor(&self, info: &RequestInfo) -> crate::ops::Actor {
        crate::ops::Actor {
            account_id: self.account_id.clone(),
            username: self.username.clone(),
            roles: self.roles.clone(),
            person_id: self.person_id.clone(),
            unit_id: self.unit_id.clone(),
            source: info.source.clone(),
            request_id: info.request_id.clone(),
        }
    }

    pub fn primary_role(&self) -> Role {
        self.roles.roles()[0]
    }
}

/// How long a bearer token's caller is remembered without asking the database. Revocation on
/// this instance is immediate (the cache forgets the account); other instances notice within
/// this time, inside the ≤ 1 s that `security-and-reliability.md` §8 row 7 sets for disabling.
pub const BEARER_CACHE_MILLISECONDS: i64 = 1_000;

/// Callers behind bearer tokens, by token hash. API clients poll; without this every read paid
/// three queries to learn who is asking.
#[derive(Debug, Default)]
pub struct PrincipalCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, (Principal, chrono::DateTime<chrono::Utc>)>>,
}

impl PrincipalCache {
    fn get(&self, token_hash: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Principal> {
        let entries = self.entries.lock().expect("cache lock is never poisoned");
        entries
            .get(token_hash)
            .filter(|(_, at)| (now - *at).num_milliseconds().abs() < BEARER_CACHE_MILLISECONDS)
            .map(|(principal, _)| principal.clone())
    }

    fn put(&self, token_hash: String, principal: Principal, now: chrono::DateTime<chrono::Utc>) {
        let mut entries = self.entries.lock().expect("cache lock is never poisoned");
        if entries.len() >= 10_000 {
            entries.clear();
        }
        entries.insert(token_hash, (principal, now));
    }

    /// Drops every cached token of an account: after it is disabled, its password reset or its
    /// roles changed.
    pub fn forget_account(&self, account_id: &str) {
        let mut entries = self.entries.lock().expect("cache lock is never poisoned");
        entries.retain(|_, (principal, _)| principal.account_id != account_id);
    }
}

/// Facts about the request that the audit log and the pages need.
#[derive(Debug, Clone)]
pub struct RequestInfo {
    pub source: String,
    pub request_id: String,
    pub is_api: bool,
}

/// Who calls a protected route and from where: the guard's [`Principal`] and [`RequestInfo`],
/// taken by a handler as one argument (`Caller { principal, info }: Caller`) instead of two
/// `Extension`s. A route the guard lets through without a principal (the public ones) cannot
/// take it: the extractor answers 401 there, which is what a missing sign-in is.
#[derive(Debug, Clone)]
pub struct Caller {
    pub principal: Principal,
    pub info: RequestInfo,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Caller {
    /// A bare 401, which `error::uniform_errors` answers in the API's or the pages' words.
    type Rejection = axum::http::StatusCode;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        let unauthorized = axum::http::StatusCode::UNAUTHORIZED;
        let principal = parts.extensions.get::<Principal>().cloned().ok_or(unauthorized)?;
        let info = parts.extensions.get::<RequestInfo>().cloned().ok_or(unauthorized)?;
        Ok(Caller { principal, info })
    }
}

impl RequestInfo {
    pub fn audit_ctx(&self, principal: Option<&Principal>, fallback_actor: &str) -> AuditCtx {
        AuditCtx {
            actor: principal.map_or_else(|| fallback_actor.to_owned(), |p| p.username.clone()),
            role: principal.map_or_else(String::new, |p| p.roles.codes()),
            source: self.source.clone(),
            request_id: self.request_id.clone(),
        }
    }
}

pub fn client_address(request: &Request, config: &crate::config::Config) -> Option<IpAddr> {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    if config.trust_forwarded_for {
        let forwarded: Vec<&str> = request
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        if let Some(client) = forwarded_client(&forwarded, &config.trusted_proxies) {
            return Some(client);
        }
    }
    peer
}

/// The client named by `X-Forwarded-For`: each proxy appends the address it received the
/// request from, so the entries are trustworthy only from the right, up to the first address
/// that is not one of our own proxies. The left-most entry is whatever the client wrote.
pub fn forwarded_client(entries: &[&str], trusted_proxies: &[String]) -> Option<IpAddr> {
    let trusted = |address: IpAddr| trusted_proxies.iter().any(|proxy| in_network(address, proxy));
    for entry in entries.iter().rev() {
        let address: IpAddr = entry.trim().parse().ok()?;
        if !trusted(address) {
            return Some(address);
        }
    }
    None
}

/// Whether `address` is `network` (`10.0.0.5`) or inside it (`10.0.0.0/24`, `fd00::/8`).
fn in_network(address: IpAddr, network: &str) -> bool {
    let (base, bits) = match network.trim().split_once('/') {
        Some((base, bits)) => (base, bits.parse::<u32>().ok()),
        None => (network.trim(), None),
    };
    let Ok(base) = base.parse::<IpAddr>() else { return false };
    match (address, base) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            let bits = bits.unwrap_or(32).min(32);
            let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
            u32::from(a) & mask == u32::from(b) & mask
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => {
            let bits = bits.unwrap_or(128).min(128);
            let mask = if bits == 0 { 0 } else { u128::MAX << (128 - bits) };
            u128::from(a) & mask == u128::from(b) & mask
        }
        _ => false,
    }
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure { SESSION_COOKIE } else { DEV_SESSION_COOKIE }
}

/// The `Set-Cookie` value for a session token, or for clearing it when `token` is empty.
pub fn session_cookie(secure: bool, token: &str) -> String {
    let name = session_cookie_name(secure);
    let secure_attr = if secure { "; Secure" } else { "" };
    if token.is_empty() {
        format!("{name}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{secure_attr}")
    } else {
        format!("{name}={token}; Path=/; HttpOnly; SameSite=Strict{secure_attr}")
    }
}

fn deny(is_api: bool, error: AppError) -> Response {
    if is_api { ApiError(error).into_response() } else { PageError(error).into_response() }
}

fn to_login(request: &Request) -> Response {
    let next = request.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let next = crate::web::login::safe_next(next);
    let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
    Redirect::to(&format!("/login?{query}")).into_response()
}

pub async fn guard(
    State((state, policies)): State<(AppState, Policies)>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_default();
    // The Swagger UI is a page for people, under /api/ only by its address.
    let is_api = crate::web::is_api_path(request.uri().path());
    let request_id =
        request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let address = client_address(&request, &state.config);
    let info = RequestInfo {
        source: address.map_or_else(|| "unknown".to_owned(), |a| a.to_string()),
        request_id,
        is_api,
    };
    request.extensions_mut().insert(info.clone());
    let method = if request.method() == Method::HEAD { Method::GET } else { request.method().clone() };
    let Some(access) = policies.get(&(method, path.as_str())).copied() else {
        // A path the table knows, asked with a method it does not serve: 405 with the methods it
        // does (RFC 9110 §15.5.6), before anything about the caller is looked at.
        let mut allowed: Vec<&str> =
            policies.keys().filter(|(_, p)| *p == path.as_str()).map(|(m, _)| m.as_str()).collect();
        if !allowed.is_empty() {
            allowed.sort_unstable();
            let mut response = (axum::http::StatusCode::METHOD_NOT_ALLOWED, "").into_response();
            if let Ok(value) = axum::http::HeaderValue::from_str(&allowed.join(", ")) {
                response.headers_mut().insert(axum::http::header::ALLOW, value);
            }
            return response;
        }
        return deny(is_api, AppError::Forbidden);
    };
    let now = state.now();
    // Public routes do not care who is calling, except the login page, which sends a signed-in
    // visitor on to the workbench; skipping the lookup spares static files three queries.
    if access == Access::Public && path != "/login" {
        return next.run(request).await;
    }

    // Who is calling.
    let headers = request.headers().clone();
    let resolved = match resolve(&state, &headers, &info, now).await {
        Ok(resolved) => resolved,
        Err(error) => return deny(is_api, error),
    };
    let (principal, stage) = match resolved {
        Resolved::Anonymous => (None, None),
        // The session ended by timeout; `resolve` revoked it and wrote the audit record.
        Resolved::Ended => (None, None),
        Resolved::Caller { principal, stage } => (Some(*principal), Some(stage)),
    };

    match access {
        Access::Public => {
            if let Some(principal) = principal.filter(|_| stage.as_deref() == Some("active")) {
                request.extensions_mut().insert(principal);
            }
            return next.run(request).await;
        }
        Access::SecondFactor => {
            return match (principal, stage.as_deref()) {
                (Some(principal), Some("mfa")) => {
                    if request.method() == Method::POST {
                        let token = principal.csrf_token().to_owned();
                        request = match csrf_checked(&state, &info, &principal, request, &token, &path, now)
                            .await
                        {
                            Ok(request) => request,
                            Err(refused) => return refused,
                        };
                    }
                    request.extensions_mut().insert(principal);
                    next.run(request).await
                }
                (Some(_), _) => Redirect::to("/").into_response(),
                (None, _) => to_login(&request),
            };
        }
        Access::Allowed(_) => {}
    }
    let Access::Allowed(action) = access else { unreachable!("handled above") };
    let Some(principal) = principal else {
        return if is_api { deny(true, AppError::Unauthenticated) } else { to_login(&request) };
    };
    if stage.as_deref() == Some("mfa") {
        return if is_api {
            deny(true, AppError::Unauthenticated)
        } else {
            Redirect::to("/login/mfa").into_response()
        };
    }
    if principal.must_change_password && path != "/account/password" && path != "/logout" {
        return if is_api {
            deny(true, AppError::refused("password_change_required", "请先修改初始密码"))
        } else {
            Redirect::to("/account/password").into_response()
        };
    }
    if principal.mfa_enrolment_due
        && !matches!(path.as_str(), "/account/mfa" | "/logout" | "/account/password")
    {
        return if is_api {
            deny(
                true,
                AppError::refused(
                    "mfa_enrolment_required",
                    "安全策略要求所有用户使用动态口令，请先在“动态口令”页面启用",
                ),
            )
        } else {
            Redirect::to("/account/mfa").into_response()
        };
    }
    if !principal.has(action) {
        let ctx = info.audit_ctx(Some(&principal), "");
        let event = AuditEvent::new("authz.denied", "route", format!("{} {}", request.method(), path))
            .result(Outcome::Denied)
            .details(serde_json::json!({ "action": action.code() }));
        if let Err(error) = state.db.audit_only(&ctx, now, event).await {
            return deny(is_api, error.into());
        }
        return deny(is_api, AppError::Forbidden);
    }

    // CSRF: a state-changing request riding on a cookie must carry the session's token, from a
    // header (htmx, scripts) or a form field. Bearer tokens are not sent by browsers on their own.
    let unsafe_method = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method && let Credential::Session { csrf_token, .. } = &principal.credential {
        request = match csrf_checked(&state, &info, &principal, request, csrf_token, &path, now).await {
            Ok(request) => request,
            Err(refused) => return refused,
        };
    }
    let audit_ctx = info.audit_ctx(Some(&principal), "");
    let (shown_method, uri_path) = (request.method().clone(), request.uri().path().to_owned());
    request.extensions_mut().insert(principal);
    let response = next.run(request).await;
    // A 404 on a matched route is an object that does not exist or is outside the caller's
    // scope (the two answer alike, so that ids cannot be probed). Either is worth a record: a
    // run of them is someone walking ids. A 403 from a handler is an object the caller sees
    // but may not act on. The path holds ids only, never personal data.
    let refused = match response.status() {
        axum::http::StatusCode::NOT_FOUND => Some("authz.not_found"),
        axum::http::StatusCode::FORBIDDEN => Some("authz.denied"),
        _ => None,
    };
    if let Some(action) = refused {
        let event = AuditEvent::new(action, "route", format!("{shown_method} {uri_path}"))
            .result(Outcome::Denied)
            .details(serde_json::json!({ "route": path }));
        if let Err(error) = state.db.audit_only(&audit_ctx, now, event).await {
            return deny(is_api, error.into());
        }
    }
    response
}

/// The request, if it carries the session's CSRF token; otherwise the refusal, recorded (a
/// forged request is an attack on the user, who should be able to see it in the log).
async fn csrf_checked(
    state: &AppState,
    info: &RequestInfo,
    principal: &Principal,
    request: Request,
    expected: &str,
    path: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Request, Response> {
    let request = match check_csrf(request, expected).await {
        Ok(request) => return Ok(request),
        Err(request) => request,
    };
    let event = AuditEvent::new("csrf.failed", "route", format!("{} {path}", request.method()))
        .result(Outcome::Denied);
    if let Err(error) = state.db.audit_only(&info.audit_ctx(Some(principal), ""), now, event).await {
        return Err(deny(info.is_api, error.into()));
    }
    Err(deny(info.is_api, AppError::refused("csrf_failed", "页面已过期，请刷新后重新提交")))
}

/// Forms are read to find `_csrf`, then handed on unchanged. Returns the request either way.
async fn check_csrf(request: Request, expected: &str) -> Result<Request, Request> {
    if let Some(sent) = request.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()) {
        return if constant_time_eq(sent, expected) { Ok(request) } else { Err(request) };
    }
    let content_type =
        request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    // A file upload form cannot be read ahead without buffering the file, so its token rides in
    // the query string of the form's action (query strings are never logged).
    if content_type.starts_with("multipart/form-data") {
        let sent = request
            .uri()
            .query()
            .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
            .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "_csrf").map(|(_, v)| v));
        return match sent {
            Some(sent) if constant_time_eq(&sent, expected) => Ok(request),
            _ => Err(request),
        };
    }
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    if !is_form {
        return Err(request);
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = to_bytes(body, 1024 * 1024).await else {
        return Err(Request::from_parts(parts, Body::empty()));
    };
    let sent: Option<String> = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
        .ok()
        .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == "_csrf").map(|(_, v)| v));
    let rebuilt = Request::from_parts(parts, Body::from(bytes));
    match sent {
        Some(sent) if constant_time_eq(&sent, expected) => Ok(rebuilt),
        _ => Err(rebuilt),
    }
}

enum Resolved {
    Anonymous,
    /// A session that just ended by timeout.
    Ended,
    Caller {
        principal: Box<Principal>,
        stage: String,
    },
}

async fn resolve(
    state: &AppState,
    headers: &HeaderMap,
    info: &RequestInfo,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Resolved, AppError> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if let Some(token) = bearer {
        let hash = token_hash(token.trim());
        if let Some(principal) = state.principals.get(&hash, now) {
            return Ok(Resolved::Caller { principal: Box::new(principal), stage: "active".to_owned() });
        }
        let Some(account_id) = state.db.api_token_account(&hash, now).await? else {
            return Err(AppError::Unauthenticated);
        };
        let Some(account) = state.db.account(&account_id).await? else {
            return Err(AppError::Unauthenticated);
        };
        if account.disabled || !account.grant_pending.is_empty() {
            return Err(AppError::Unauthenticated);
        }
        let principal = Principal::new(account, Credential::Bearer);
        state.principals.put(hash, principal.clone(), now);
        return Ok(Resolved::Caller { principal: Box::new(principal), stage: "active".to_owned() });
    }
    let Some(token) = cookie(headers, session_cookie_name(state.config.cookie_secure)) else {
        return Ok(Resolved::Anonymous);
    };
    let hash = token_hash(token);
    let Some(session) = state.db.session(&hash).await? else {
        return Ok(Resolved::Anonymous);
    };
    if session.revoked {
        return Ok(Resolved::Anonymous);
    }
    let Some(account) = state.db.account(&session.account_id).await? else {
        return Ok(Resolved::Anonymous);
    };
    if account.disabled || !account.grant_pending.is_empty() {
        return Ok(Resolved::Anonymous);
    }
    let (policy, _) = state.db.security_policy().await?;
    if let Some(end) =
        session_expiry(&policy, account.roles.is_admin(), session.created_at, session.last_seen_at, now)
    {
        let ctx = AuditCtx {
            actor: account.username.clone(),
            role: account.roles.codes(),
            source: info.source.clone(),
            request_id: info.request_id.clone(),
        };
        let mut tx = state.db.begin(&ctx, now).await?;
        tx.revoke_session(&hash).await?;
        let action = match end {
            SessionEnd::IdleTimeout => "session.timeout",
            SessionEnd::MaxLifetime => "session.expired",
        };
        tx.audit(AuditEvent::new(action, "account", &account.id)).await?;
        tx.commit().await?;
        return Ok(Resolved::Ended);
    }
    // The idle clock moves at most every ten seconds, to spare the database a write per click.
    if now - session.last_seen_at >= chrono::Duration::seconds(10) {
        state.db.touch_session(&hash, now).await?;
    }
    let credential = Credential::Session { token_hash: hash, csrf_token: session.csrf_token };
    let mut principal = Principal::new(account, credential);
    principal.mfa_enrolment_due = policy.mfa_for_all == 1 && !principal.has_totp;
    Ok(Resolved::Caller { principal: Box::new(principal), stage: session.stage })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_is_the_right_most_address_that_is_not_our_proxy() {
        let proxies = vec!["10.0.0.0/24".to_owned(), "192.0.2.7".to_owned()];
        // The client wrote 1.2.3.4 itself; our proxy 192.0.2.7 saw 198.51.100.9.
        let entries = ["1.2.3.4", " 198.51.100.9", " 192.0.2.7"];
        assert_eq!(forwarded_client(&entries, &proxies), Some("198.51.100.9".parse().unwrap()));
        // Without a proxy list the right-most entry is the one our proxy wrote.
        assert_eq!(forwarded_client(&entries, &[]), Some("192.0.2.7".parse().unwrap()));
        // Every entry one of ours: none names a client.
        assert_eq!(forwarded_client(&["10.0.0.3", "10.0.0.9"], &proxies), None);
        // Garbage to the right of the client ends the walk: nothing is trusted.
        assert_eq!(forwarded_client(&["1.2.3.4", "not-an-address"], &proxies), None);
        assert!(in_network("fd00::1".parse().unwrap(), "fd00::/8"));
        assert!(!in_network("10.0.1.1".parse().unwrap(), "10.0.0.0/24"));
    }
}
