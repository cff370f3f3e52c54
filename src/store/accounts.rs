//! Accounts, their roles, login state, sessions, API tokens and the security policy.

use chrono::{DateTime, Utc};

use crate::domain::access::{Role, RoleSet};
use crate::domain::security::{LoginFailures, SecurityPolicy};
use crate::store::{
    AuditEvent, AuditedTx, Db, StoreError, decode_error, new_id, on_pool, on_tx, on_unique, parse_ts, ts,
};

#[derive(Debug, Clone)]
pub struct Account {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub person_id: Option<String>,
    /// The unit of the linked person; scopes such as "own unit" are measured from it.
    pub unit_id: Option<String>,
    pub roles: RoleSet,
    pub password_hash: String,
    pub must_change_password: bool,
    /// As stored: sealed with SM4-GCM under the key file (`keys::open_totp` opens it).
    pub totp_secret: Option<String>,
    pub totp_last_step: Option<i64>,
    pub disabled: bool,
    pub failures: LoginFailures,
    pub last_login_at: Option<DateTime<Utc>>,
    pub version: i64,
    /// `create` or `reset` while the account waits for its grantor (`access::grantor_of`):
    /// nobody can log in with it until then. Empty once granted.
    pub grant_pending: String,
    /// Who asked for the pending grant.
    pub grant_requested_by: String,
}

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: String,
    username: String,
    display_name: String,
    person_id: Option<String>,
    unit_id: Option<String>,
    /// Filled from `account_roles` by a second query: aggregating strings differs per backend.
    #[sqlx(skip)]
    roles: Option<String>,
    password_hash: String,
    must_change_password: bool,
    totp_secret: Option<String>,
    totp_last_step: Option<i64>,
    disabled: bool,
    failed_count: i64,
    first_failed_at: Option<String>,
    locked_until: Option<String>,
    last_login_at: Option<String>,
    version: i64,
    grant_pending: String,
    grant_requested_by: String,
}

impl TryFrom<AccountRow> for Account {
    type Error = sqlx::Error;
    fn try_from(row: AccountRow) -> Result<Self, Self::Error> {
        let roles = row
            .roles
            .as_deref()
            .unwrap_or("")
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<Role>().map_err(|_| decode_error("role", s)))
            .collect::<Result<Vec<_>, _>>()?;
        let roles = RoleSet::new(roles).map_err(|e| decode_error("role set", &e.to_string()))?;
        let opt_ts = |v: &Option<String>| v.as_deref().map(parse_ts).transpose();
        Ok(Account {
            totp_secret: row.totp_secret,
            failures: LoginFailures {
                count: row.failed_count,
                first_at: opt_ts(&row.first_failed_at)?,
                locked_until: opt_ts(&row.locked_until)?,
            },
            last_login_at: opt_ts(&row.last_login_at)?,
            id: row.id,
            username: row.username,
            display_name: row.display_name,
            person_id: row.person_id,
            unit_id: row.unit_id,
            roles,
            password_hash: row.password_hash,
            must_change_password: row.must_change_password,
            totp_last_step: row.totp_last_step,
            disabled: row.disabled,
            version: row.version,
            grant_pending: row.grant_pending,
            grant_requested_by: row.grant_requested_by,
        })
    }
}

macro_rules! account_select {
    ($where:literal) => {
        concat!(
            "SELECT a.id, a.username, a.display_name, a.person_id, p.unit_id, \
             a.password_hash, a.must_change_password, a.totp_secret, a.totp_last_step, a.disabled, \
             a.failed_count, a.first_failed_at, a.locked_until, a.last_login_at, a.version, \
             a.grant_pending, a.grant_requested_by \
             FROM accounts a LEFT JOIN people p ON p.id = a.person_id ",
            $where
        )
    };
}

/// A session row joined with what a request needs to authorise itself.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub token_hash: String,
    pub account_id: String,
    /// `mfa` while the second factor is outstanding, `active` after.
    pub stage: String,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub revoked: bool,
}

#[derive(Debug, Clone)]
pub struct AccountListItem {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub disabled: bool,
    pub locked_until: Option<DateTime<Utc>>,
    pub last_login_at: Option<DateTime<Utc>>,
    pub has_totp: bool,
    pub version: i64,
    /// `create` or `reset` while waiting for its grantor.
    pub grant_pending: String,
}

impl Db {
    pub async fn account_by_username(&self, username: &str) -> Result<Option<Account>, sqlx::Error> {
        let row: Option<AccountRow> = on_pool!(self, |pool| {
            sqlx::query_as(account_select!("WHERE a.username = $1"))
                .bind(username)
                .fetch_optional(pool)
                .await?
        });
        self.with_roles(row).await
    }

    pub async fn account(&self, id: &str) -> Result<Option<Account>, sqlx::Error> {
        let row: Option<AccountRow> = on_pool!(self, |pool| {
            sqlx::query_as(account_select!("WHERE a.id = $1")).bind(id).fetch_optional(pool).await?
        });
        self.with_roles(row).await
    }

    /// Fills in the role list.
    async fn with_roles(&self, row: Option<AccountRow>) -> Result<Option<Account>, sqlx::Error> {
        let Some(mut row) = row else { return Ok(None) };
        let roles = self.account_roles(&row.id).await?;
        row.roles = Some(roles.iter().map(|r| r.code()).collect::<Vec<_>>().join(","));
        Account::try_from(row).map(Some)
    }

    pub async fn account_roles(&self, account_id: &str) -> Result<Vec<Role>, sqlx::Error> {
        let codes: Vec<String> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT role FROM account_roles WHERE account_id = $1 ORDER BY role")
                .bind(account_id)
                .fetch_all(pool)
                .await?
        });
        codes.iter().map(|c| c.parse::<Role>().map_err(|_| decode_error("role", c))).collect()
    }

    /// Accounts whose TOTP secret is stored in clear (written before secrets were sealed).
    pub async fn accounts_with_clear_totp(&self) -> Result<Vec<(String, String, String)>, sqlx::Error> {
        on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, username, totp_secret FROM accounts \
                 WHERE totp_secret IS NOT NULL AND totp_secret NOT LIKE 'sm4gcm:%'",
            )
            .fetch_all(pool)
            .await
        })
    }

    pub async fn accounts(&self) -> Result<Vec<AccountListItem>, sqlx::Error> {
        type Row = (String, String, String, bool, Option<String>, Option<String>, bool, i64, String);
        let rows: Vec<Row> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, username, display_name, disabled, locked_until, last_login_at, \
                 totp_secret IS NOT NULL, version, grant_pending FROM accounts ORDER BY username",
            )
            .fetch_all(pool)
            .await?
        });
        let pairs: Vec<(String, String)> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT account_id, role FROM account_roles ORDER BY role").fetch_all(pool).await?
        });
        rows.into_iter()
            .map(
                |(
                    id,
                    username,
                    display_name,
                    disabled,
                    locked_until,
                    last_login_at,
                    has_totp,
                    version,
                    grant_pending,
                )| {
                    let roles = pairs
                        .iter()
                        .filter(|(account_id, _)| *account_id == id)
                        .map(|(_, code)| code.parse::<Role>().map_err(|_| decode_error("role", code)))
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok(AccountListItem {
                        locked_until: locked_until.as_deref().map(parse_ts).transpose()?,
                        last_login_at: last_login_at.as_deref().map(parse_ts).transpose()?,
                        id,
                        username,
                        display_name,
                        roles,
                        disabled,
                        has_totp,
                        version,
                        grant_pending,
                    })
                },
            )
            .collect()
    }

    /// The roles held by all accounts of one person: the separation of duties applies to people,
    /// not only to accounts.
    pub async fn person_roles(&self, person_id: &str) -> Result<Vec<Role>, sqlx::Error> {
        let codes: Vec<String> = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT r.role FROM account_roles r JOIN accounts a ON a.id = r.account_id \
                 WHERE a.person_id = $1 AND a.disabled = FALSE",
            )
            .bind(person_id)
            .fetch_all(pool)
            .await?
        });
        codes.iter().map(|c| c.parse::<Role>().map_err(|_| decode_error("role", c))).collect()
    }

    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, sqlx::Error> {
        type Row = (String, String, String, String, String, String, Option<String>);
        let row: Option<Row> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT token_hash, account_id, stage, csrf_token, created_at, last_seen_at, revoked_at \
                 FROM sessions WHERE token_hash = $1",
            )
            .bind(token_hash)
            .fetch_optional(pool)
            .await?
        });
        row.map(|(token_hash, account_id, stage, csrf_token, created_at, last_seen_at, revoked_at)| {
            Ok(SessionRecord {
                token_hash,
                account_id,
                stage,
                csrf_token,
                created_at: parse_ts(&created_at)?,
                last_seen_at: parse_ts(&last_seen_at)?,
                revoked: revoked_at.is_some(),
            })
        })
        .transpose()
    }

    /// Moves a session's idle clock forward. This is bookkeeping, not a change of state anyone
    /// acts on, so it is not audited.
    pub async fn touch_session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
        on_pool!(self, |pool| {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(ts(now))
                .bind(token_hash)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The account behind an unexpired, unrevoked API token.
    pub async fn api_token_account(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, sqlx::Error> {
        on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT account_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2",
            )
            .bind(token_hash)
            .bind(ts(now))
            .fetch_optional(pool)
            .await
        })
    }

    pub(crate) async fn load_security_policy(&self) -> Result<(SecurityPolicy, i64), sqlx::Error> {
        type Row = (i64, i64, i64, i64, i64, i64, i64, i64, i64, i64);
        let row: Option<Row> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT password_min_length, password_min_classes, lockout_threshold, lockout_window_minutes, \
                 lockout_minutes, idle_timeout_minutes, admin_idle_timeout_minutes, session_max_hours, version, \
                 CAST(mfa_for_all AS BIGINT) FROM security_policy WHERE id = 1",
            )
            .fetch_optional(pool)
            .await?
        });
        Ok(match row {
            None => (SecurityPolicy::default(), 0),
            Some((a, b, c, d, e, f, g, h, version, mfa_for_all)) => (
                SecurityPolicy {
                    password_min_length: a,
                    password_min_classes: b,
                    lockout_threshold: c,
                    lockout_window_minutes: d,
                    lockout_minutes: e,
                    idle_timeout_minutes: f,
                    admin_idle_timeout_minutes: g,
                    session_max_hours: h,
                    mfa_for_all,
                },
                version,
            ),
        })
    }
}

/// What a new account needs.
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub person_id: Option<&'a str>,
    pub roles: &'a RoleSet,
    pub password_hash: &'a str,
    pub must_change_password: bool,
    /// Sealed (`keys::seal_totp`); never the plain secret.
    pub totp_secret: Option<&'a str>,
    /// Who asked for it, when it waits for its grantor; `None` when granted at once (the
    /// command line, the demo).
    pub requested_by: Option<&'a str>,
}

impl AuditedTx {
    pub async fn insert_account(&mut self, new: &NewAccount<'_>) -> Result<String, StoreError> {
        let id = new_id(self.now());
        let now = ts(self.now());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO accounts (id, username, display_name, person_id, password_hash, must_change_password, \
                 totp_secret, created_at, updated_at, grant_pending, grant_requested_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $9, $10)",
            )
            .bind(&id)
            .bind(new.username)
            .bind(new.display_name)
            .bind(new.person_id)
            .bind(new.password_hash)
            .bind(new.must_change_password)
            .bind(new.totp_secret)
            .bind(&now)
            .bind(if new.requested_by.is_some() { "create" } else { "" })
            .bind(new.requested_by.unwrap_or(""))
            .execute(&mut *conn)
            .await
            .map_err(|e| on_unique(e, "username"))?;
            for role in new.roles.roles() {
                sqlx::query("INSERT INTO account_roles (account_id, role) VALUES ($1, $2)")
                    .bind(&id)
                    .bind(role.code())
                    .execute(&mut *conn)
                    .await?;
            }
        });
        self.audit(AuditEvent::new("account.create", "account", &id).details(serde_json::json!({
            "username": new.username, "roles": new.roles.codes(), "totp": new.totp_secret.is_some(),
            "awaiting_grant": new.requested_by.is_some(),
        })))
        .await?;
        Ok(id)
    }

    /// Disables or enables an account; disabling revokes every session and token at once.
    pub async fn set_account_disabled(&mut self, id: &str, disabled: bool) -> Result<(), StoreError> {
        let now = ts(self.now());
        let changed = on_tx!(&mut self.tx, |conn| {
            let changed = sqlx::query(
                "UPDATE accounts SET disabled = $1, version = version + 1, updated_at = $2 WHERE id = $3",
            )
            .bind(disabled)
            .bind(&now)
            .bind(id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if disabled {
                sqlx::query(
                    "UPDATE sessions SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL",
                )
                .bind(&now)
                .bind(id)
                .execute(&mut *conn)
                .await?;
                sqlx::query(
                    "UPDATE api_tokens SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL",
                )
                .bind(&now)
                .bind(id)
                .execute(&mut *conn)
                .await?;
            }
            changed
        });
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        let action = if disabled { "account.disable" } else { "account.enable" };
        self.audit(AuditEvent::new(action, "account", id)).await?;
        Ok(())
    }

    /// Sets a new password hash. `must_change` is true after an administrator's reset, so that
    /// the user chooses a password nobody else knows. Other sessions and every API token of the
    /// account are revoked.
    pub async fn set_password(
        &mut self,
        id: &str,
        password_hash: &str,
        must_change: bool,
        keep_session: Option<&str>,
    ) -> Result<(), StoreError> {
        self.set_password_quietly(id, password_hash, must_change, keep_session).await?;
        let action = if must_change { "account.reset_password" } else { "account.change_password" };
        self.audit(AuditEvent::new(action, "account", id)).await?;
        Ok(())
    }

    /// The writes of [`AuditedTx::set_password`], for callers that write their own record.
    async fn set_password_quietly(
        &mut self,
        id: &str,
        password_hash: &str,
        must_change: bool,
        keep_session: Option<&str>,
    ) -> Result<(), StoreError> {
        let now = ts(self.now());
        let changed = on_tx!(&mut self.tx, |conn| {
            let changed = sqlx::query(
                "UPDATE accounts SET password_hash = $1, must_change_password = $2, failed_count = 0, \
                 first_failed_at = NULL, locked_until = NULL, version = version + 1, updated_at = $3 WHERE id = $4",
            )
            .bind(password_hash)
            .bind(must_change)
            .bind(&now)
            .bind(id)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            sqlx::query(
                "UPDATE sessions SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL AND token_hash <> $3",
            )
            .bind(&now)
            .bind(id)
            .bind(keep_session.unwrap_or(""))
            .execute(&mut *conn)
            .await?;
            // A token taken under the old password would outlive it otherwise: whoever knew the
            // old password could have minted one.
            sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL")
                .bind(&now)
                .bind(id)
                .execute(&mut *conn)
                .await?;
            changed
        });
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Marks an account as waiting for its grantor after the 系统管理员 reset its password: the
    /// password becomes `unusable_hash` (of a secret nobody holds), and every session and token
    /// ends. The grantor then issues the one-time password ([`AuditedTx::grant_account`]).
    pub async fn request_reset(
        &mut self,
        id: &str,
        unusable_hash: &str,
        requested_by: &str,
    ) -> Result<(), StoreError> {
        self.set_password_quietly(id, unusable_hash, true, None).await?;
        let changed = on_tx!(&mut self.tx, |conn| {
            sqlx::query("UPDATE accounts SET grant_pending = 'reset', grant_requested_by = $1 WHERE id = $2")
                .bind(requested_by)
                .bind(id)
                .execute(conn)
                .await?
                .rows_affected()
        });
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        self.audit(AuditEvent::new("account.reset_password", "account", id).details(serde_json::json!({
            "awaiting_grant": true
        })))
        .await?;
        Ok(())
    }

    /// The grantor's answer to a pending account. Granted: the one-time password's hash (and,
    /// for a new administrator account, its TOTP secret) is stored and the account can log in;
    /// declined: the account is disabled. Refused with `Conflict` when nothing was pending
    /// (another grantor answered first).
    pub async fn grant_account(
        &mut self,
        id: &str,
        granted: Option<(&str, Option<&str>)>,
        details: serde_json::Value,
    ) -> Result<(), StoreError> {
        let now = ts(self.now());
        let changed = on_tx!(&mut self.tx, |conn| {
            match granted {
                Some((hash, totp)) => sqlx::query(
                    "UPDATE accounts SET password_hash = $1, must_change_password = TRUE, \
                     totp_secret = COALESCE($2, totp_secret), totp_last_step = CASE WHEN $2 IS NULL \
                     THEN totp_last_step ELSE NULL END, grant_pending = '', failed_count = 0, \
                     first_failed_at = NULL, locked_until = NULL, version = version + 1, updated_at = $3 \
                     WHERE id = $4 AND grant_pending <> ''",
                )
                .bind(hash)
                .bind(totp)
                .bind(&now)
                .bind(id)
                .execute(conn)
                .await?
                .rows_affected(),
                None => sqlx::query(
                    "UPDATE accounts SET disabled = TRUE, grant_pending = '', version = version + 1, \
                     updated_at = $1 WHERE id = $2 AND grant_pending <> ''",
                )
                .bind(&now)
                .bind(id)
                .execute(conn)
                .await?
                .rows_affected(),
            }
        });
        if changed == 0 {
            return Err(StoreError::Conflict);
        }
        let action = if granted.is_some() { "account.grant" } else { "account.grant_declined" };
        self.audit(AuditEvent::new(action, "account", id).details(details)).await?;
        Ok(())
    }

    /// Enrols an account's own second factor: the sealed secret and the step of the code that
    /// confirmed it (used up). Refused with `Conflict` when the account already has one.
    pub async fn enrol_totp(&mut self, id: &str, sealed: &str, step: i64) -> Result<(), StoreError> {
        let now = ts(self.now());
        let changed = on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "UPDATE accounts SET totp_secret = $1, totp_last_step = $2, version = version + 1, updated_at = $3 \
                 WHERE id = $4 AND totp_secret IS NULL",
            )
            .bind(sealed)
            .bind(step)
            .bind(&now)
            .bind(id)
            .execute(conn)
            .await?
            .rows_affected()
        });
        if changed == 0 {
            return Err(StoreError::Conflict);
        }
        self.audit(AuditEvent::new("account.mfa_enrolled", "account", id)).await?;
        Ok(())
    }

    /// Replaces the stored form of an account's TOTP secret (sealing one written in clear).
    pub async fn reseal_totp_secret(&mut self, id: &str, sealed: &str) -> Result<(), StoreError> {
        on_tx!(&mut self.tx, |conn| {
            sqlx::query("UPDATE accounts SET totp_secret = $1 WHERE id = $2")
                .bind(sealed)
                .bind(id)
                .execute(conn)
                .await?;
        });
        self.audit(AuditEvent::new("account.totp_sealed", "account", id)).await?;
        Ok(())
    }

    /// Stores the login-failure state after a failed attempt.
    pub async fn set_login_failures(&mut self, id: &str, failures: &LoginFailures) -> Result<(), StoreError> {
        on_tx!(&mut self.tx, |conn| {
            sqlx::query("UPDATE accounts SET failed_count = $1, first_failed_at = $2, locked_until = $3 WHERE id = $4")
                .bind(failures.count)
                .bind(failures.first_at.map(ts))
                .bind(failures.locked_until.map(ts))
                .bind(id)
                .execute(conn)
                .await?;
        });
        Ok(())
    }

    /// Opens a session after the password was accepted. `stage` is `mfa` when a second factor
    /// is still due.
    pub async fn insert_session(
        &mut self,
        account_id: &str,
        token_hash: &str,
        csrf_token: &str,
        stage: &str,
        source: &str,
    ) -> Result<(), StoreError> {
        let now = ts(self.now());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO sessions (token_hash, account_id, stage, csrf_token, source, created_at, last_seen_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6)",
            )
            .bind(token_hash)
            .bind(account_id)
            .bind(stage)
            .bind(csrf_token)
            .bind(source)
            .bind(&now)
            .execute(&mut *conn)
            .await?;
            if stage == "active" {
                sqlx::query(
                    "UPDATE accounts SET failed_count = 0, first_failed_at = NULL, locked_until = NULL, \
                     last_login_at = $1 WHERE id = $2",
                )
                .bind(&now)
                .bind(account_id)
                .execute(&mut *conn)
                .await?;
            }
        });
        Ok(())
    }

    /// Completes the second factor: the session becomes active and the TOTP step is used up.
    pub async fn activate_session(
        &mut self,
        token_hash: &str,
        account_id: &str,
        totp_step: i64,
    ) -> Result<(), StoreError> {
        let now = ts(self.now());
        let moved = on_tx!(&mut self.tx, |conn| {
            sqlx::query("UPDATE sessions SET stage = 'active', last_seen_at = $1 WHERE token_hash = $2")
                .bind(&now)
                .bind(token_hash)
                .execute(&mut *conn)
                .await?;
            // Conditional: of two submissions of one code, only the first moves the step; the
            // second finds it moved and is refused (RFC 6238 §5.2, ASVS V6.5.1).
            sqlx::query(
                "UPDATE accounts SET totp_last_step = $1, failed_count = 0, first_failed_at = NULL, \
                 locked_until = NULL, last_login_at = $2 \
                 WHERE id = $3 AND (totp_last_step IS NULL OR totp_last_step < $1)",
            )
            .bind(totp_step)
            .bind(&now)
            .bind(account_id)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        if moved == 1 { Ok(()) } else { Err(StoreError::Conflict) }
    }

    pub async fn revoke_session(&mut self, token_hash: &str) -> Result<(), StoreError> {
        let now = ts(self.now());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL")
                .bind(&now)
                .bind(token_hash)
                .execute(conn)
                .await?;
        });
        Ok(())
    }

    pub async fn insert_api_token(
        &mut self,
        account_id: &str,
        token_hash: &str,
        label: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<String, StoreError> {
        let id = new_id(self.now());
        let now = ts(self.now());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO api_tokens (id, account_id, token_hash, label, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&id)
            .bind(account_id)
            .bind(token_hash)
            .bind(label)
            .bind(&now)
            .bind(ts(expires_at))
            .execute(conn)
            .await?;
        });
        self.audit(
            AuditEvent::new("api_token.create", "api_token", &id)
                .details(serde_json::json!({ "account_id": account_id, "expires_at": ts(expires_at) })),
        )
        .await?;
        Ok(id)
    }

    pub async fn revoke_api_token(&mut self, id: &str) -> Result<(), StoreError> {
        let now = ts(self.now());
        let changed = on_tx!(&mut self.tx, |conn| {
            sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(&now)
                .bind(id)
                .execute(conn)
                .await?
                .rows_affected()
        });
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        self.audit(AuditEvent::new("api_token.revoke", "api_token", id)).await?;
        Ok(())
    }

    /// Replaces the security policy if `version` is current (0 when none was ever stored).
    pub async fn set_security_policy(
        &mut self,
        policy: &SecurityPolicy,
        version: i64,
    ) -> Result<i64, StoreError> {
        let now = ts(self.now());
        let p = policy;
        let changed = on_tx!(&mut self.tx, |conn| {
            if version == 0 {
                sqlx::query(
                    "INSERT INTO security_policy (id, password_min_length, password_min_classes, lockout_threshold, \
                     lockout_window_minutes, lockout_minutes, idle_timeout_minutes, admin_idle_timeout_minutes, \
                     session_max_hours, version, updated_at, mfa_for_all) VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10)",
                )
                .bind(p.password_min_length)
                .bind(p.password_min_classes)
                .bind(p.lockout_threshold)
                .bind(p.lockout_window_minutes)
                .bind(p.lockout_minutes)
                .bind(p.idle_timeout_minutes)
                .bind(p.admin_idle_timeout_minutes)
                .bind(p.session_max_hours)
                .bind(&now)
                .bind(p.mfa_for_all)
                .execute(conn)
                .await
                .map_err(|e| on_unique(e, "version"))
                .map(|r| r.rows_affected())
            } else {
                sqlx::query(
                    "UPDATE security_policy SET password_min_length = $1, password_min_classes = $2, \
                     lockout_threshold = $3, lockout_window_minutes = $4, lockout_minutes = $5, \
                     idle_timeout_minutes = $6, admin_idle_timeout_minutes = $7, session_max_hours = $8, \
                     version = version + 1, updated_at = $9, mfa_for_all = $11 WHERE id = 1 AND version = $10",
                )
                .bind(p.password_min_length)
                .bind(p.password_min_classes)
                .bind(p.lockout_threshold)
                .bind(p.lockout_window_minutes)
                .bind(p.lockout_minutes)
                .bind(p.idle_timeout_minutes)
                .bind(p.admin_idle_timeout_minutes)
                .bind(p.session_max_hours)
                .bind(&now)
                .bind(version)
                .bind(p.mfa_for_all)
                .execute(conn)
                .await
                .map(|r| r.rows_affected())
                .map_err(StoreError::Db)
            }
        });
        match changed {
            Ok(1) => {}
            Ok(_) | Err(StoreError::Duplicate(_)) => return Err(StoreError::Conflict),
            Err(e) => return Err(e),
        }
        self.audit(
            AuditEvent::new("security_policy.update", "security_policy", "1")
                .details(serde_json::to_value(p).unwrap_or_default()),
        )
        .await?;
        Ok(version + 1)
    }
}
