//! The party registry's operations (当事人信息库, 一人一档): registering a party once per identity
//! document, and the audited reveal of a file's personal numbers. The staff pages and the API
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
