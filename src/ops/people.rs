//! The people register's write operations (人员名册): adding a person and correcting one, within
//! the units the actor may edit. The staff pages and the API call them; so will the training
//! and assessment modules that add trainees and assessors.

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::org::{PersonInput, Phone};
use crate::ops::{Actor, Error};
use crate::store::org::{Unit, Visibility};

/// Whether `unit_id` lies within what `visibility` covers.
pub fn unit_visible(units: &[Unit], visibility: &Visibility, unit_id: &str) -> bool {
    match visibility {
        Visibility::All => units.iter().any(|u| u.id == unit_id),
        Visibility::Unit(id) => id == unit_id,
        Visibility::Subtree(root) => {
            let mut current = units.iter().find(|u| u.id == unit_id);
            while let Some(unit) = current {
                if unit.id == *root {
                    return true;
                }
                current = unit.parent_id.as_deref().and_then(|p| units.iter().find(|u| u.id == p));
            }
            false
        }
        Visibility::Person(_) | Visibility::Nothing => false,
    }
}

/// Refuses a unit outside the actor's scope for `action`, as a field error (the forms list only
/// units in scope, so this is reached only by a crafted request).
pub(crate) async fn unit_in_scope(
    state: &AppState,
    actor: &Actor,
    action: Action,
    unit_id: &str,
) -> Result<(), Error> {
    let units = state.db.units().await?;
    if unit_visible(&units, &actor.visibility(action), unit_id) {
        Ok(())
    } else {
        Err(Error::Invalid(FieldErrors::single("unit_id", "unit_out_of_scope", "所选单位不在您的管理范围内")))
    }
}

/// Adds a person to a unit the actor may edit.
pub async fn create(state: &AppState, actor: &Actor, input: &PersonInput) -> Result<String, Error> {
    let draft = input.parse()?;
    unit_in_scope(state, actor, Action::PersonEdit, &draft.unit_id).await?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let id = tx.insert_person(&draft).await?;
    tx.commit().await?;
    Ok(id)
}

/// Corrects a person the actor may edit, over the version read (a stale one is a conflict).
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &str,
    version: i64,
    input: &PersonInput,
) -> Result<i64, Error> {
    let current = state.db.person(&actor.visibility(Action::PersonEdit), id).await?.ok_or(Error::NotFound)?;
    // The edit form never shows the full phone number (that takes an audited reveal), so an
    // empty phone field means "keep the number on file".
    let mut draft = input.parse()?;
    if input.phone.trim().is_empty() {
        draft.phone = current.summary.phone.as_deref().and_then(Phone::parse);
    }
    unit_in_scope(state, actor, Action::PersonEdit, &draft.unit_id).await?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let version = tx.update_person(id, version, &draft).await?;
    tx.commit().await?;
    Ok(version)
}
