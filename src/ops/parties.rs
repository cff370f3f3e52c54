//! The party registry's operations (当事人信息库, 一人一档): registering a party once per identity
//! document, correcting a file, and the audited reveal of a file's personal numbers. The staff pages and the API
//! call them; so will the intake's public form and Open311.

use crate::app::AppState;
use crate::domain::party::PartyInput;
use crate::ops::{Actor, Error};
use crate::store::AuditEvent;
use crate::store::parties::Party;

/// Registers a party, or reports the one already on file for the same document.
pub async fn register(state: &AppState, actor: &Actor, input: &PartyInput) -> Result<String, Error> {
    let draft = input.parse()?;
    if let Some(existing) = state.db.party_by_document(draft.document_type, &draft.document_number).await? {
        return Err(Error::Conflict {
            code: "party_exists",
            message: format!("该证件已建档（{}），请在原档案中办理：/parties/{}", existing.name, existing.id),
        });
    }
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let id = tx.insert_party(&draft).await?;
    tx.commit().await?;
    Ok(id)
}

/// A party's file in full, for a permitted reveal; the reveal is audited first.
pub async fn reveal(state: &AppState, actor: &Actor, id: &str) -> Result<Party, Error> {
    let party = state.db.party(id).await?.ok_or(Error::NotFound)?;
    state
        .db
        .audit_only(&actor.audit_ctx(), state.now(), AuditEvent::new("party.reveal", "party", id))
        .await?;
    Ok(party)
}

/// What a correction may change: never the identity document, nor what it says (birth date,
/// sex). An empty phone keeps the number on file (it is shown masked, never sent back).
#[derive(Debug, Clone, Default)]
pub struct Correction {
    pub name: String,
    pub legal_representative: String,
    pub phone: String,
    pub address: String,
}

/// Corrects a party's file over the version read (a stale one is a conflict), parsed against
/// the stored identity like a registration.
pub async fn correct(
    state: &AppState,
    actor: &Actor,
    id: &str,
    version: i64,
    correction: &Correction,
) -> Result<i64, Error> {
    let party = state.db.party(id).await?.ok_or(Error::NotFound)?;
    let input = PartyInput {
        kind: if party.organisation { "organisation" } else { "person" }.to_owned(),
        name: correction.name.clone(),
        document_type: party.document_type.code().to_owned(),
        document_number: party.document_number.clone(),
        legal_representative: correction.legal_representative.clone(),
        phone: if correction.phone.trim().is_empty() {
            party.phone.clone().unwrap_or_default()
        } else {
            correction.phone.clone()
        },
        address: correction.address.clone(),
    };
    let draft = input.parse()?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let version = tx.update_party(id, version, &draft).await?;
    tx.commit().await?;
    Ok(version)
}
