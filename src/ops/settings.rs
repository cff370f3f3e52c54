//! The bureau's settings, each saved over the version read: the 本省办案规则 (case rules), the
//! 权责清单 (responsibility list) and the security policy.

use crate::app::AppState;
use crate::domain::case::items::ItemInput;
use crate::domain::case::rules::{CaseRules, CaseRulesInput};
use crate::domain::fields::FieldErrors;
use crate::domain::security::SecurityPolicy;
use crate::ops::{Actor, Error};
use crate::store::StoreError;
use crate::store::cases::Item;

/// Parses and saves the rules over the version the caller read.
pub async fn save_case_rules(
    state: &AppState,
    actor: &Actor,
    version: i64,
    input: &CaseRulesInput,
) -> Result<(CaseRules, i64), Error> {
    let rules = input.parse()?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let version = tx.set_case_rules(version, &rules).await?;
    tx.commit().await?;
    Ok((rules, version))
}

/// Parses and saves the item over the version the caller read (0: a new item). A new item's
/// code must be free; an existing item's code is the one in the address.
pub async fn save_item(
    state: &AppState,
    actor: &Actor,
    version: i64,
    input: &ItemInput,
) -> Result<Item, Error> {
    let categories: Vec<String> = state.db.case_categories().await?.into_iter().map(|c| c.code).collect();
    let (spec, effective_from) = input.parse(&categories, crate::domain::time::civil_date(state.now()))?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    match tx.save_item(version, &spec, effective_from).await {
        Ok(_) => {}
        Err(StoreError::Duplicate(_)) => {
            return Err(Error::Invalid(FieldErrors::duplicate(
                "code",
                "该事项编码已存在，请换一个编码或修改原事项",
            )));
        }
        Err(error) => return Err(error.into()),
    }
    tx.commit().await?;
    state.db.enforcement_item(&spec.code).await?.ok_or(Error::NotFound)
}

/// Checks and saves the security policy (password, lockout, session limits) over the version
/// read.
pub async fn save_security_policy(
    state: &AppState,
    actor: &Actor,
    policy: &SecurityPolicy,
    version: i64,
) -> Result<i64, Error> {
    policy.validate()?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let version = tx.set_security_policy(policy, version).await?;
    tx.commit().await?;
    Ok(version)
}
