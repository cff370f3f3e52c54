//! The people register's write operations (人员名册): adding a person and correcting one, within
//! the units the actor may edit. The staff pages and the API call them; so will the training
//! and assessment modules that add trainees and assessors.

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::org::{
    CertificateInput, CertificateStatus, Employment, LegalQualificationInput, PersonInput, Phone,
    may_hold_certificate,
};
use crate::domain::time::civil_date;
use crate::ops::{Actor, Error};
use crate::store::AuditEvent;
use crate::store::org::{Person, Unit, Visibility};

/// A unit's parent among `units`, for `domain::org::is_within`.
pub fn parent_in<'a>(units: &'a [Unit]) -> impl Fn(&str) -> Option<&'a str> {
    move |id| units.iter().find(|u| u.id == id).and_then(|u| u.parent_id.as_deref())
}

/// Whether `unit_id` lies within what `visibility` covers.
pub fn unit_visible(units: &[Unit], visibility: &Visibility, unit_id: &str) -> bool {
    match visibility {
        Visibility::All => units.iter().any(|u| u.id == unit_id),
        Visibility::Unit(id) => id == unit_id,
        Visibility::Subtree(root) => {
            units.iter().any(|u| u.id == unit_id)
                && crate::domain::org::is_within(unit_id, root, parent_in(units))
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

/// Like `unit_in_scope`, and the unit is a dispatched squad (派驻中队): what a squad keeps on
/// its streets — a vending point, a new site — is never the bureau's or the office's.
pub(crate) async fn squad_in_scope(
    state: &AppState,
    actor: &Actor,
    action: Action,
    unit_id: &str,
) -> Result<(), Error> {
    unit_in_scope(state, actor, action, unit_id).await?;
    let unit = state.db.unit(unit_id).await?;
    if unit.is_some_and(|u| u.kind == crate::domain::org::UnitKind::Squad) {
        Ok(())
    } else {
        Err(Error::Invalid(FieldErrors::single("unit_id", "unit_not_squad", "请选择派驻中队")))
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

/// A person the actor may see for `action`; one outside that scope is not found.
pub(crate) async fn visible(
    state: &AppState,
    actor: &Actor,
    action: Action,
    id: &str,
) -> Result<Person, Error> {
    state.db.person(&actor.visibility(action), id).await?.ok_or(Error::NotFound)
}

/// Adds an enforcement certificate to a person the actor may edit (an auxiliary may hold none).
pub async fn add_certificate(
    state: &AppState,
    actor: &Actor,
    person_id: &str,
    input: &CertificateInput,
) -> Result<String, Error> {
    let person = visible(state, actor, Action::PersonEdit, person_id).await?;
    let draft = input.parse()?;
    if let Err(refusal) = may_hold_certificate(person.summary.employment) {
        return Err(Error::refused(refusal.code(), refusal.message_zh()));
    }
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let id = tx.insert_certificate(person_id, &draft).await?;
    tx.commit().await?;
    Ok(id)
}

/// Sets a certificate's status (valid, suspended, revoked) over the version read.
pub async fn set_certificate_status(
    state: &AppState,
    actor: &Actor,
    person_id: &str,
    certificate_id: &str,
    status: &str,
    version: i64,
) -> Result<i64, Error> {
    visible(state, actor, Action::PersonEdit, person_id).await?;
    let Some(status) = CertificateStatus::parse(status.trim()) else {
        return Err(FieldErrors::single("status", "invalid", "请选择证件状态（有效、暂扣、吊销）").into());
    };
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let version = tx.set_certificate_status(person_id, certificate_id, status, version).await?;
    tx.commit().await?;
    Ok(version)
}

/// A person's full phone number, for a role that may reveal it; the reveal is audited.
pub async fn reveal_phone(state: &AppState, actor: &Actor, person_id: &str) -> Result<Option<String>, Error> {
    let person = visible(state, actor, Action::PersonReveal, person_id).await?;
    state
        .db
        .audit_only(
            &actor.audit_ctx(),
            state.now(),
            AuditEvent::new("person.reveal_phone", "person", person_id),
        )
        .await?;
    Ok(person.summary.phone)
}

/// Records a person's 法制审核资格 (行政处罚法 Art. 58 ¶2) at the version read.
pub async fn set_legal_qualification(
    state: &AppState,
    actor: &Actor,
    id: &str,
    version: i64,
    input: &LegalQualificationInput,
) -> Result<(i64, bool), Error> {
    let person = visible(state, actor, Action::PersonEdit, id).await?;
    if person.summary.employment != Employment::Officer {
        return Err(FieldErrors::single("since", "auxiliary", "协管员不能从事法制审核").into());
    }
    let qualification = input.parse(civil_date(state.now()))?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let version = tx.set_legal_qualification(id, version, &qualification).await?;
    tx.commit().await?;
    let qualified =
        crate::domain::org::qualified_for_legal_review(&qualification.certificate, Some(qualification.since));
    Ok((version, qualified))
}
