//! Account administration, the 系统管理员's power: create, disable, enable, reset passwords.
//!
//! A new account and a reset get a random one-time password, shown once, that must be changed
//! at first login; administrator accounts also get a TOTP secret, shown once. The three
//! administrator roles never share an account or a person with any other role.

use askama::Template;
use axum::Json;
use axum::extract::{Extension, Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::auth::{hash_password, new_totp_secret, one_time_password};
use crate::domain::access::{Role, RoleSet, grantor_of};
use crate::domain::fields::FieldErrors;
use crate::domain::security::otpauth_uri;
use crate::domain::time::display;
use crate::store::accounts::{AccountListItem, NewAccount};
use crate::web::body::JsonObject;
use crate::web::error::{ApiResult, AppError, PageResult};
use crate::web::guard::{Principal, RequestInfo};
use crate::web::pages::{Chrome, Lang, render};

/// Untrusted account input.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct AccountInput {
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    /// The person this account belongs to, if any.
    #[serde(default)]
    pub person_id: String,
    /// Role codes, e.g. `["squad_leader"]`.
    #[serde(default)]
    pub roles: Vec<String>,
}

/// What was created, including the secrets shown exactly once.
pub struct Created {
    pub id: String,
    pub username: String,
    pub password: String,
    pub totp_uri: Option<String>,
}

fn parse_username(raw: &str, errors: &mut FieldErrors) -> String {
    let username = raw.trim().to_lowercase();
    let ok = (3..=32).contains(&username.len())
        && username.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.')
        && username.as_bytes()[0].is_ascii_lowercase();
    if !ok {
        errors.add("username", "invalid", "用户名须为 3–32 位小写字母、数字、下划线或点，并以字母开头");
    }
    username
}

/// Creates an account for its grantor to grant ([`grantor_of`]): the 系统管理员 names the
/// holder and the roles asked for, and learns no secret.
pub async fn create_account(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    input: &AccountInput,
) -> Result<Requested, AppError> {
    let mut errors = FieldErrors::default();
    let username = parse_username(&input.username, &mut errors);
    let display_name = input.display_name.trim().to_owned();
    if display_name.is_empty() || display_name.chars().count() > 30 {
        errors.add("display_name", "invalid", "显示名称不能为空，且不超过 30 个字");
    }
    let mut roles = Vec::new();
    for code in &input.roles {
        match code.parse::<Role>() {
            Ok(role) => roles.push(role),
            Err(_) => errors.add("roles", "unknown_role", format!("未知角色：{code}")),
        }
    }
    let person_id = input.person_id.trim();
    if !person_id.is_empty() {
        // The separation of duties holds per person as well as per account.
        let mut combined = state.db.person_roles(person_id).await?;
        combined.extend(roles.iter().copied());
        if let Err(error) = RoleSet::new(combined)
            && !roles.is_empty()
        {
            errors.add("roles", error.code(), format!("该人员已有其他账号，{}", role_error_zh(&error)));
        }
        if state.db.person(&crate::store::org::Visibility::All, person_id).await?.is_none() {
            errors.add("person_id", "not_found", "所选人员不存在");
        }
    }
    let role_set = match RoleSet::new(roles) {
        Ok(set) => Some(set),
        Err(error) => {
            errors.add("roles", error.code(), role_error_zh(&error));
            None
        }
    };
    errors.into_result()?;
    let Some(role_set) = role_set else { unreachable!("a role error was added above") };
    // The account waits for its grantor: its password is the hash of a secret nobody holds
    // until the grantor issues the one-time password (`grant`).
    let unusable = crate::auth::unusable_hash(state.config.hash_cost());
    let mut tx = state.db.begin(&info.audit_ctx(Some(principal), ""), state.now()).await?;
    let id = tx
        .insert_account(&NewAccount {
            username: &username,
            display_name: &display_name,
            person_id: (!person_id.is_empty()).then_some(person_id),
            roles: &role_set,
            password_hash: &unusable,
            must_change_password: true,
            totp_secret: None,
            requested_by: Some(&principal.username),
        })
        .await?;
    tx.commit().await?;
    Ok(Requested { id, username, grantor: grantor_of(&role_set) })
}

/// An account created or reset, waiting for its grantor.
pub struct Requested {
    pub id: String,
    pub username: String,
    pub grantor: Role,
}

/// The grantor's answer: grant issues the one-time password (and, for a new administrator
/// account, the TOTP secret) to the grantor, who hands them to the holder in person; the
/// 系统管理员 who asked never sees them. Decline disables the account.
pub async fn answer_grant(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    id: &str,
    grant: bool,
) -> Result<Option<Created>, AppError> {
    let account = state.db.account(id).await?.ok_or(AppError::NotFound)?;
    if account.grant_pending.is_empty() {
        return Err(AppError::Conflict {
            code: "nothing_to_grant",
            message: "该账号没有待批准的授权".to_owned(),
        });
    }
    let grantor = grantor_of(&account.roles);
    if !principal.roles.contains(grantor) || principal.account_id == account.id {
        return Err(AppError::Forbidden);
    }
    let details = serde_json::json!({
        "username": account.username, "roles": account.roles.codes(), "kind": account.grant_pending,
        "requested_by": account.grant_requested_by,
    });
    let mut tx = state.db.begin(&info.audit_ctx(Some(principal), ""), state.now()).await?;
    if !grant {
        tx.grant_account(id, None, details).await?;
        tx.commit().await?;
        state.principals.forget_account(id);
        return Ok(None);
    }
    let password = one_time_password();
    let hash = hash_password(state.config.hash_cost(), &password);
    // 等保 L3-CES1-04: administrators log in with two factors. A reset keeps the factor the
    // holder already has: resetting a password must not switch it off or hand it to anyone.
    let totp = (account.roles.is_admin() && account.totp_secret.is_none()).then(new_totp_secret);
    let sealed = totp.as_deref().map(|secret| crate::keys::seal_totp(&state.keys, secret, &account.username));
    tx.grant_account(id, Some((&hash, sealed.as_deref())), details).await?;
    tx.commit().await?;
    state.principals.forget_account(id);
    Ok(Some(Created {
        id: account.id,
        totp_uri: totp.map(|secret| otpauth_uri("chengguan", &account.username, &secret)),
        username: account.username,
        password,
    }))
}

pub fn role_error_zh(error: &crate::domain::access::RoleSetError) -> String {
    match error {
        crate::domain::access::RoleSetError::Empty => "请至少选择一个角色".to_owned(),
        crate::domain::access::RoleSetError::AdminCombined(role) => {
            format!("{}不能与其他角色由同一账号或同一人兼任（等保 2.0 三权分立）", role.name_zh())
        }
    }
}

async fn set_disabled(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    id: &str,
    disabled: bool,
) -> Result<(), AppError> {
    if disabled && id == principal.account_id {
        return Err(AppError::refused("cannot_disable_self", "不能停用自己正在使用的账号"));
    }
    let mut tx = state.db.begin(&info.audit_ctx(Some(principal), ""), state.now()).await?;
    tx.set_account_disabled(id, disabled).await?;
    tx.commit().await?;
    state.principals.forget_account(id);
    Ok(())
}

/// A reset by the 系统管理员: every session and token ends at once and the account waits for
/// its grantor, who issues the new one-time password. The 系统管理员 never learns it, so a reset
/// is no way to log in as somebody else.
async fn reset_password(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    id: &str,
) -> Result<Requested, AppError> {
    let account = state.db.account(id).await?.ok_or(AppError::NotFound)?;
    if account.id == principal.account_id {
        return Err(AppError::refused("cannot_reset_self", "不能重置自己的密码，请在“修改密码”中修改"));
    }
    let unusable = crate::auth::unusable_hash(state.config.hash_cost());
    let mut tx = state.db.begin(&info.audit_ctx(Some(principal), ""), state.now()).await?;
    tx.request_reset(id, &unusable, &principal.username).await?;
    tx.commit().await?;
    state.principals.forget_account(id);
    Ok(Requested { id: account.id, username: account.username, grantor: grantor_of(&account.roles) })
}

// ---------------------------------------------------------------------------------------------
// HTML.

pub struct AccountRow {
    pub a: AccountListItem,
    pub roles_zh: String,
    pub locked: bool,
    pub last_login: String,
}

#[derive(Template)]
#[template(path = "accounts_list.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<AccountRow>,
    own_id: String,
    requested: Option<Requested>,
    message: Option<String>,
}

async fn list(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    requested: Option<Requested>,
    message: Option<String>,
) -> PageResult {
    let chrome = Chrome::new(state, principal, headers, "accounts", "账号管理", "Accounts").await?;
    let now = state.now();
    let rows = state
        .db
        .accounts()
        .await?
        .into_iter()
        .map(|a| AccountRow {
            roles_zh: a.roles.iter().map(|r| r.name_zh()).collect::<Vec<_>>().join("、"),
            locked: a.locked_until.is_some_and(|t| t > now),
            last_login: a.last_login_at.map(display).unwrap_or_else(|| "从未登录".to_owned()),
            a,
        })
        .collect();
    render(&ListPage { chrome, rows, own_id: principal.account_id.clone(), requested, message })
}

pub async fn list_page(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
) -> PageResult {
    list(&state, &principal, &headers, None, None).await
}

#[derive(Template)]
#[template(path = "account_form.html")]
struct FormPage {
    chrome: Chrome,
    input: AccountInput,
    errors: FieldErrors,
    roles: Vec<(Role, bool)>,
}

impl FormPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
}

async fn form(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    input: AccountInput,
    errors: FieldErrors,
) -> PageResult {
    let chrome = Chrome::new(state, principal, headers, "accounts", "新增账号", "New account").await?;
    let roles = Role::ALL.iter().map(|r| (*r, input.roles.iter().any(|c| c == r.code()))).collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let mut response = render(&FormPage { chrome, input, errors, roles })?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn new_page(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
) -> PageResult {
    form(&state, &principal, &headers, AccountInput::default(), FieldErrors::default()).await
}

/// HTML forms send repeated `roles` fields, which serde's urlencoded map cannot gather; read
/// the pairs by hand.
fn account_input_from_pairs(pairs: Vec<(String, String)>) -> AccountInput {
    let mut input = AccountInput::default();
    for (key, value) in pairs {
        match key.as_str() {
            "username" => input.username = value,
            "display_name" => input.display_name = value,
            "person_id" => input.person_id = value,
            "roles" => input.roles.push(value),
            _ => {}
        }
    }
    input
}

pub async fn create_form(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(info): Extension<RequestInfo>,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let input = account_input_from_pairs(pairs);
    match create_account(&state, &principal, &info, &input).await {
        Ok(requested) => list(&state, &principal, &headers, Some(requested), None).await,
        Err(AppError::Invalid(errors)) => form(&state, &principal, &headers, input, errors).await,
        Err(error) => Err(error.into()),
    }
}

pub async fn disable_form(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(info): Extension<RequestInfo>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    match set_disabled(&state, &principal, &info, &id, true).await {
        Ok(()) => Ok(Redirect::to("/admin/accounts").into_response()),
        Err(AppError::Refused { message, .. }) => {
            list(&state, &principal, &headers, None, Some(message)).await
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn enable_form(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(info): Extension<RequestInfo>,
    Path(id): Path<String>,
) -> PageResult {
    set_disabled(&state, &principal, &info, &id, false).await?;
    Ok(Redirect::to("/admin/accounts").into_response())
}

pub async fn reset_form(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(info): Extension<RequestInfo>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    match reset_password(&state, &principal, &info, &id).await {
        Ok(requested) => list(&state, &principal, &headers, Some(requested), None).await,
        Err(AppError::Refused { message, .. }) => {
            list(&state, &principal, &headers, None, Some(message)).await
        }
        Err(error) => Err(error.into()),
    }
}

/// An account waiting for the caller's grant.
pub struct PendingRow {
    pub a: AccountListItem,
    pub roles_zh: String,
    pub kind_zh: &'static str,
}

#[derive(Template)]
#[template(path = "account_grants.html")]
struct GrantsPage {
    chrome: Chrome,
    rows: Vec<PendingRow>,
    created: Option<Created>,
}

/// The accounts waiting for this grantor.
async fn pending_for(state: &AppState, principal: &Principal) -> Result<Vec<PendingRow>, AppError> {
    Ok(state
        .db
        .accounts()
        .await?
        .into_iter()
        .filter(|a| !a.grant_pending.is_empty())
        .filter(|a| RoleSet::new(a.roles.clone()).is_ok_and(|set| principal.roles.contains(grantor_of(&set))))
        .map(|a| PendingRow {
            roles_zh: a.roles.iter().map(|r| r.name_zh()).collect::<Vec<_>>().join("、"),
            kind_zh: if a.grant_pending == "reset" { "重置密码" } else { "新建账号" },
            a,
        })
        .collect())
}

async fn grants(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    created: Option<Created>,
) -> PageResult {
    let chrome =
        Chrome::new(state, principal, headers, "account_grants", "账号授权", "Account grants").await?;
    let rows = pending_for(state, principal).await?;
    render(&GrantsPage { chrome, rows, created })
}

pub async fn grants_page(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
) -> PageResult {
    grants(&state, &principal, &headers, None).await
}

pub async fn grant_form(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(info): Extension<RequestInfo>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    let created = answer_grant(&state, &principal, &info, &id, true).await?;
    grants(&state, &principal, &headers, created).await
}

pub async fn decline_form(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(info): Extension<RequestInfo>,
    Path(id): Path<String>,
) -> PageResult {
    answer_grant(&state, &principal, &info, &id, false).await?;
    Ok(Redirect::to("/admin/account-grants").into_response())
}

// ---------------------------------------------------------------------------------------------
// JSON API.

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccountDto {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<String>,
    pub disabled: bool,
    pub locked: bool,
    pub has_totp: bool,
    pub last_login_at: Option<String>,
    /// Created or reset by the 系统管理员 and not yet granted: nobody can log in with it.
    pub awaiting_grant: bool,
}

impl AccountDto {
    fn new(a: AccountListItem, now: chrono::DateTime<chrono::Utc>) -> AccountDto {
        AccountDto {
            locked: a.locked_until.is_some_and(|t| t > now),
            last_login_at: a.last_login_at.map(crate::store::ts),
            awaiting_grant: !a.grant_pending.is_empty(),
            id: a.id,
            username: a.username,
            display_name: a.display_name,
            roles: a.roles.iter().map(|r| r.code().to_owned()).collect(),
            disabled: a.disabled,
            has_totp: a.has_totp,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts", responses((status = 200, body = Vec<AccountDto>), (status = 403, body = crate::web::error::ErrorBody)))]
pub async fn api_list(State(state): State<AppState>) -> ApiResult<Json<Vec<AccountDto>>> {
    let now = state.now();
    Ok(Json(state.db.accounts().await?.into_iter().map(|a| AccountDto::new(a, now)).collect()))
}

/// An account created or reset, waiting for its grantor.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RequestedAccountDto {
    pub id: String,
    pub username: String,
    /// The role whose holder grants it: `office` for business roles, `secadmin` for an
    /// administrator account, `auditadmin` for a security administrator's.
    pub awaiting: String,
}

impl From<Requested> for RequestedAccountDto {
    fn from(r: Requested) -> Self {
        RequestedAccountDto { id: r.id, username: r.username, awaiting: r.grantor.code().to_owned() }
    }
}

#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = AccountInput,
    responses((status = 201, body = RequestedAccountDto, description = "Created; it waits for its grantor, who issues the one-time password"),
        (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_create(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(info): Extension<RequestInfo>,
    JsonObject(input): JsonObject<AccountInput>,
) -> ApiResult<(StatusCode, Json<RequestedAccountDto>)> {
    let requested = create_account(&state, &principal, &info, &input).await?;
    Ok((StatusCode::CREATED, Json(requested.into())))
}

#[utoipa::path(post, path = "/api/v1/accounts/{id}/reset-password", tag = "accounts", params(("id" = String, Path)),
    responses((status = 200, body = RequestedAccountDto, description = "Sessions and tokens ended; the grantor issues the new one-time password"),
        (status = 404, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_reset(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(info): Extension<RequestInfo>,
    Path(id): Path<String>,
) -> ApiResult<Json<RequestedAccountDto>> {
    Ok(Json(reset_password(&state, &principal, &info, &id).await?.into()))
}

/// The one-time details of a granted account, for the grantor to hand over in person.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GrantedAccountDto {
    pub id: String,
    pub username: String,
    /// Shown once; the holder must change it at first login.
    pub one_time_password: String,
    /// For a new administrator account: the otpauth URI of its second factor, shown once.
    pub totp_uri: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/account-grants", tag = "accounts",
    responses((status = 200, body = Vec<AccountDto>, description = "Accounts waiting for the caller's grant")))]
pub async fn api_pending(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
) -> ApiResult<Json<Vec<AccountDto>>> {
    let now = state.now();
    Ok(Json(pending_for(&state, &principal).await?.into_iter().map(|r| AccountDto::new(r.a, now)).collect()))
}

#[utoipa::path(post, path = "/api/v1/account-grants/{id}/grant", tag = "accounts", params(("id" = String, Path)),
    responses((status = 200, body = GrantedAccountDto), (status = 403, body = crate::web::error::ErrorBody, description = "Not this caller's to grant"),
        (status = 404, body = crate::web::error::ErrorBody), (status = 409, body = crate::web::error::ErrorBody, description = "`nothing_to_grant`")))]
pub async fn api_grant(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(info): Extension<RequestInfo>,
    Path(id): Path<String>,
) -> ApiResult<Json<GrantedAccountDto>> {
    let created = answer_grant(&state, &principal, &info, &id, true).await?.ok_or(AppError::NotFound)?;
    Ok(Json(GrantedAccountDto {
        id: created.id,
        username: created.username,
        one_time_password: created.password,
        totp_uri: created.totp_uri,
    }))
}

#[utoipa::path(post, path = "/api/v1/account-grants/{id}/decline", tag = "accounts", params(("id" = String, Path)),
    responses((status = 204, description = "Declined; the account is disabled"), (status = 403, body = crate::web::error::ErrorBody),
        (status = 404, body = crate::web::error::ErrorBody), (status = 409, body = crate::web::error::ErrorBody)))]
pub async fn api_decline(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(info): Extension<RequestInfo>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    answer_grant(&state, &principal, &info, &id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/accounts/{id}/disable", tag = "accounts", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_disable(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(info): Extension<RequestInfo>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    set_disabled(&state, &principal, &info, &id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/accounts/{id}/enable", tag = "accounts", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_enable(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Extension(info): Extension<RequestInfo>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    set_disabled(&state, &principal, &info, &id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}
