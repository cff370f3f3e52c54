//! The special-care archive's operations (个人信息保护法 Arts. 28–29): who may read it (a role
//! that keeps it *and* a current grant), the purpose written with every reading, the entries
//! and the help given, the counts that alone leave it, and the grants. Every entry point —
//! pages, API, demo — goes through here, so no screen can read the archive another way.

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::audit::Outcome;
use crate::domain::fields::FieldErrors;
use crate::domain::special_care::{
    CareCounts, CareEntryInput, GrantInput, HelpInput, ViewPurpose, counts as count, grant_rule,
};
use crate::domain::time::civil_date;
use crate::ops::people::unit_in_scope;
use crate::ops::{Actor, Error};
use crate::store::AuditEvent;
use crate::store::new_id;
use crate::store::special_care::{CareEntry, Grant, HelpRecord};

/// The archive's counts for `year`: open entries at the year's end (or today, in the current
/// year) and help by month and kind. No grant needed: nothing here names anyone.
pub async fn counts(state: &AppState, actor: &Actor, year: i32) -> Result<CareCounts, Error> {
    actor.require(Action::SpecialCareCounts)?;
    let today = civil_date(state.now());
    let year_end = chrono::NaiveDate::from_ymd_opt(year, 12, 31).ok_or(Error::NotFound)?;
    let (entries, help) = state.db.care_count_facts().await?;
    Ok(count(year, year_end.min(today), &entries, &help))
}

/// The grant the actor holds today, if the actor's role may keep the archive at all.
pub async fn own_grant(state: &AppState, actor: &Actor) -> Result<Option<Grant>, Error> {
    if actor.roles.scope(Action::SpecialCare).is_none() {
        return Ok(None);
    }
    Ok(state.db.current_care_grant(&actor.account_id, civil_date(state.now())).await?)
}

/// Refuses, and records the attempt, unless the actor's role keeps the archive and a grant
/// holds today.
async fn granted(state: &AppState, actor: &Actor, object: &str) -> Result<Grant, Error> {
    actor.require(Action::SpecialCare)?;
    if let Some(grant) = own_grant(state, actor).await? {
        return Ok(grant);
    }
    state
        .db
        .audit_only(
            &actor.audit_ctx(),
            state.now(),
            AuditEvent::new("special_care.denied", "care_entry", object).result(Outcome::Denied),
        )
        .await?;
    Err(Error::refused(
        "care_grant_required",
        "查阅关怀档案须另经授权（局领导或领导小组办公室按需授权，限期有效）；您当前没有有效授权（个人信息保护法第二十八条）",
    ))
}

/// Checks the grant and the purpose and records the reading with both, before anything is
/// read: a reading whose record could not be written does not happen.
async fn reading(state: &AppState, actor: &Actor, object: &str, purpose: &str) -> Result<(), Error> {
    let grant = granted(state, actor, object).await?;
    let purpose = ViewPurpose::parse(purpose).map_err(Error::Invalid)?;
    state
        .db
        .audit_only(
            &actor.audit_ctx(),
            state.now(),
            AuditEvent::new("special_care.view", "care_entry", object)
                .details(serde_json::json!({ "purpose": purpose.as_str(), "grant_id": grant.id })),
        )
        .await?;
    Ok(())
}

/// The entries the actor's scope reaches, read for `purpose`.
pub async fn list(state: &AppState, actor: &Actor, purpose: &str) -> Result<Vec<CareEntry>, Error> {
    reading(state, actor, "", purpose).await?;
    Ok(state.db.care_entries(&actor.visibility(Action::SpecialCare)).await?)
}

/// One entry with its help, read for `purpose`. An entry outside the actor's scope is not found.
pub async fn entry(
    state: &AppState,
    actor: &Actor,
    id: &str,
    purpose: &str,
) -> Result<(CareEntry, Vec<HelpRecord>), Error> {
    let found = state.db.care_entry(&actor.visibility(Action::SpecialCare), id).await?;
    reading(state, actor, id, purpose).await?;
    let entry = found.ok_or(Error::NotFound)?;
    let help = state.db.care_help(id).await?;
    Ok((entry, help))
}

/// Takes a party into the archive (one open entry per party), for a squad in the actor's scope.
pub async fn open_entry(state: &AppState, actor: &Actor, input: &CareEntryInput) -> Result<String, Error> {
    granted(state, actor, "").await?;
    let draft = input.parse().map_err(Error::Invalid)?;
    if state.db.party(&draft.party_id).await?.is_none() {
        return Err(Error::Invalid(FieldErrors::single("party_id", "unknown_party", "当事人档案不存在")));
    }
    unit_in_scope(state, actor, Action::SpecialCare, &draft.unit_id).await?;
    if let Some(existing) = state.db.open_care_entry_of(&draft.party_id).await? {
        return Err(Error::Conflict {
            code: "care_entry_exists",
            message: format!("该当事人已在关怀档案中（{existing}），请在原档案中登记帮扶"),
        });
    }
    let ring = state.db.personal_ring()?;
    let id = new_id(state.now());
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.insert_care_entry(&id, &draft, civil_date(state.now()), &ring).await?;
    tx.commit().await?;
    Ok(id)
}

async fn open_entry_in_scope(state: &AppState, actor: &Actor, id: &str) -> Result<CareEntry, Error> {
    granted(state, actor, id).await?;
    let entry =
        state.db.care_entry(&actor.visibility(Action::SpecialCare), id).await?.ok_or(Error::NotFound)?;
    if entry.closed_on.is_some() {
        return Err(Error::refused("care_entry_closed", "该关怀档案已结束，不能再登记"));
    }
    Ok(entry)
}

/// Records help given to a party in an open entry.
pub async fn record_help(
    state: &AppState,
    actor: &Actor,
    entry_id: &str,
    input: &HelpInput,
) -> Result<String, Error> {
    open_entry_in_scope(state, actor, entry_id).await?;
    let help = input.parse(civil_date(state.now())).map_err(Error::Invalid)?;
    let id = new_id(state.now());
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.insert_care_help(&id, entry_id, &help).await?;
    tx.commit().await?;
    Ok(id)
}

/// Ends an entry (the hardship is over, the party moved away) over the version read, with the
/// reason; the entry and its help stay.
pub async fn close_entry(
    state: &AppState,
    actor: &Actor,
    id: &str,
    version: i64,
    reason: &str,
) -> Result<i64, Error> {
    open_entry_in_scope(state, actor, id).await?;
    let mut errors = FieldErrors::default();
    let reason = crate::domain::fields::line(&mut errors, "reason", reason, 200, "请填写结束关怀的原因");
    errors.into_result().map_err(Error::Invalid)?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let version = tx.close_care_entry(id, version, civil_date(state.now()), &reason).await?;
    tx.commit().await?;
    Ok(version)
}

/// Every grant, for the ones who grant.
pub async fn grants(state: &AppState, actor: &Actor) -> Result<Vec<Grant>, Error> {
    actor.require(Action::SpecialCareGrant)?;
    Ok(state.db.care_grants().await?)
}

/// Grants the archive to another account that holds a role keeping it, for a purpose, until a day.
pub async fn grant(state: &AppState, actor: &Actor, input: &GrantInput) -> Result<String, Error> {
    actor.require(Action::SpecialCareGrant)?;
    let draft = input.parse(civil_date(state.now())).map_err(Error::Invalid)?;
    let Some(account) = state.db.account_by_username(&draft.username).await? else {
        return Err(Error::Invalid(FieldErrors::single("username", "unknown_account", "没有这个账号")));
    };
    let may_hold = !account.disabled && account.roles.scope(Action::SpecialCare).is_some();
    grant_rule(&actor.account_id, &account.id, may_hold)
        .map_err(|refusal| Error::refused(refusal.code(), refusal.message_zh()))?;
    let id = new_id(state.now());
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.insert_care_grant(&id, &account.id, &draft).await?;
    tx.commit().await?;
    Ok(id)
}

/// Revokes a grant in force at once.
pub async fn revoke(state: &AppState, actor: &Actor, id: &str) -> Result<(), Error> {
    actor.require(Action::SpecialCareGrant)?;
    let grant = state.db.care_grant(id).await?.ok_or(Error::NotFound)?;
    if grant.revoked_at.is_some() {
        return Err(Error::refused("grant_revoked", "该授权已撤销"));
    }
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.revoke_care_grant(id).await?;
    tx.commit().await?;
    Ok(())
}
