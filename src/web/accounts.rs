//! The account administration pages and API; the operations themselves are `ops::accounts`.

use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use serde::Serialize;

use crate::app::AppState;
use crate::domain::access::{Role, RoleSet, grantor_of};
use crate::domain::fields::FieldErrors;
use crate::domain::time::display;
use crate::ops::accounts::{self as ops, AccountInput, Created, Requested};
use crate::store::accounts::AccountListItem;
use crate::web::body::JsonObject;
use crate::web::error::{ApiResult, AppError, PageResult};
use crate::web::guard::{Caller, Principal};
use crate::web::pages::{Chrome, Lang, render};

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
    Caller { principal, .. }: Caller,
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
    Caller { principal, .. }: Caller,
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
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> PageResult {
    let input = account_input_from_pairs(pairs);
    match ops::create_account(&state, &principal.actor(&info), &input).await {
        Ok(requested) => list(&state, &principal, &headers, Some(requested), None).await,
        Err(AppError::Invalid(errors)) => form(&state, &principal, &headers, input, errors).await,
        Err(error) => Err(error.into()),
    }
}

pub async fn disable_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    match ops::set_disabled(&state, &principal.actor(&info), &id, true).await {
        Ok(()) => Ok(Redirect::to("/admin/accounts").into_response()),
        Err(AppError::Refused { message, .. }) => {
            list(&state, &principal, &headers, None, Some(message)).await
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn enable_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> PageResult {
    ops::set_disabled(&state, &principal.actor(&info), &id, false).await?;
    Ok(Redirect::to("/admin/accounts").into_response())
}

pub async fn reset_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    match ops::reset_password(&state, &principal.actor(&info), &id).await {
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
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
) -> PageResult {
    grants(&state, &principal, &headers, None).await
}

pub async fn grant_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    let created = ops::answer_grant(&state, &principal.actor(&info), &id, true).await?;
    grants(&state, &principal, &headers, created).await
}

pub async fn decline_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> PageResult {
    ops::answer_grant(&state, &principal.actor(&info), &id, false).await?;
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
    Caller { principal, info }: Caller,
    JsonObject(input): JsonObject<AccountInput>,
) -> ApiResult<(StatusCode, Json<RequestedAccountDto>)> {
    let requested = ops::create_account(&state, &principal.actor(&info), &input).await?;
    Ok((StatusCode::CREATED, Json(requested.into())))
}

#[utoipa::path(post, path = "/api/v1/accounts/{id}/reset-password", tag = "accounts", params(("id" = String, Path)),
    responses((status = 200, body = RequestedAccountDto, description = "Sessions and tokens ended; the grantor issues the new one-time password"),
        (status = 404, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_reset(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<RequestedAccountDto>> {
    Ok(Json(ops::reset_password(&state, &principal.actor(&info), &id).await?.into()))
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
    Caller { principal, .. }: Caller,
) -> ApiResult<Json<Vec<AccountDto>>> {
    let now = state.now();
    Ok(Json(pending_for(&state, &principal).await?.into_iter().map(|r| AccountDto::new(r.a, now)).collect()))
}

#[utoipa::path(post, path = "/api/v1/account-grants/{id}/grant", tag = "accounts", params(("id" = String, Path)),
    responses((status = 200, body = GrantedAccountDto), (status = 403, body = crate::web::error::ErrorBody, description = "Not this caller's to grant"),
        (status = 404, body = crate::web::error::ErrorBody), (status = 409, body = crate::web::error::ErrorBody, description = "`nothing_to_grant`")))]
pub async fn api_grant(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<GrantedAccountDto>> {
    let created =
        ops::answer_grant(&state, &principal.actor(&info), &id, true).await?.ok_or(AppError::NotFound)?;
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
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    ops::answer_grant(&state, &principal.actor(&info), &id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/accounts/{id}/disable", tag = "accounts", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_disable(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    ops::set_disabled(&state, &principal.actor(&info), &id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/accounts/{id}/enable", tag = "accounts", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_enable(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    ops::set_disabled(&state, &principal.actor(&info), &id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}
