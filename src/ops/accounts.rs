//! Account administration, the 系统管理员's power: create accounts, disable and enable them,
//! reset passwords; and the grantor's answer to a pending grant.
//!
//! A new account and a reset wait for their grantor ([`grantor_of`]), who issues a random
//! one-time password, shown once, that must be changed at first login; administrator accounts
//! also get a TOTP secret, shown once. The three administrator roles never share an account or
//! a person with any other role.

use serde::Deserialize;

use crate::app::AppState;
use crate::auth::{hash_password, new_totp_secret, one_time_password};
use crate::domain::access::{Role, RoleSet, grantor_of};
use crate::domain::fields::FieldErrors;
use crate::domain::security::otpauth_uri;
use crate::ops::{Actor, Error};
use crate::store::accounts::NewAccount;

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

/// A username as stored (trimmed, lower case), or a field error: 3–32 letters, digits, `_` or
/// `.`, starting with a letter.
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
    actor: &Actor,
    input: &AccountInput,
) -> Result<Requested, Error> {
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
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let id = tx
        .insert_account(&NewAccount {
            username: &username,
            display_name: &display_name,
            person_id: (!person_id.is_empty()).then_some(person_id),
            roles: &role_set,
            password_hash: &unusable,
            must_change_password: true,
            totp_secret: None,
            requested_by: Some(&actor.username),
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
    actor: &Actor,
    id: &str,
    grant: bool,
) -> Result<Option<Created>, Error> {
    let account = state.db.account(id).await?.ok_or(Error::NotFound)?;
    if account.grant_pending.is_empty() {
        return Err(Error::Conflict {
            code: "nothing_to_grant",
            message: "该账号没有待批准的授权".to_owned(),
        });
    }
    let grantor = grantor_of(&account.roles);
    if !actor.roles.contains(grantor) || actor.account_id == account.id {
        return Err(Error::Forbidden);
    }
    let details = serde_json::json!({
        "username": account.username, "roles": account.roles.codes(), "kind": account.grant_pending,
        "requested_by": account.grant_requested_by,
    });
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
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

/// Why a set of roles was refused, in Chinese, for the form.
pub fn role_error_zh(error: &crate::domain::access::RoleSetError) -> String {
    match error {
        crate::domain::access::RoleSetError::Empty => "请至少选择一个角色".to_owned(),
        crate::domain::access::RoleSetError::AdminCombined(role) => {
            format!("{}不能与其他角色由同一账号或同一人兼任（等保 2.0 三权分立）", role.name_zh())
        }
    }
}

/// Disables or enables an account. This instance's caller cache forgets the account at once
/// (other instances within their cache's second). Nobody disables the account they are using.
pub async fn set_disabled(state: &AppState, actor: &Actor, id: &str, disabled: bool) -> Result<(), Error> {
    if disabled && id == actor.account_id {
        return Err(Error::refused("cannot_disable_self", "不能停用自己正在使用的账号"));
    }
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.set_account_disabled(id, disabled).await?;
    tx.commit().await?;
    state.principals.forget_account(id);
    Ok(())
}

/// A reset by the 系统管理员: every session and token ends at once and the account waits for
/// its grantor, who issues the new one-time password. The 系统管理员 never learns it, so a reset
/// is no way to log in as somebody else.
pub async fn reset_password(state: &AppState, actor: &Actor, id: &str) -> Result<Requested, Error> {
    let account = state.db.account(id).await?.ok_or(Error::NotFound)?;
    if account.id == actor.account_id {
        return Err(Error::refused("cannot_reset_self", "不能重置自己的密码，请在“修改密码”中修改"));
    }
    let unusable = crate::auth::unusable_hash(state.config.hash_cost());
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.request_reset(id, &unusable, &actor.username).await?;
    tx.commit().await?;
    state.principals.forget_account(id);
    Ok(Requested { id: account.id, username: account.username, grantor: grantor_of(&account.roles) })
}
