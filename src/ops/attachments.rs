//! Files kept with a record that is not evidence (a supervision meeting's minutes and photos, a
//! copy of a publicity report): the one way such a file joins its record. The owning screen's
//! operation checks who may attach to what, then calls [`attach`].

use crate::app::AppState;
use crate::domain::fields::FieldErrors;
use crate::ops::{Actor, Error};
use crate::store::attachments::NewAttachment;

/// Stores an uploaded file with its owner: the one way a file joins a record that is not
/// evidence. A crash between the blob and the row leaves an object the sweeper removes.
pub async fn attach(
    state: &AppState,
    actor: &Actor,
    (owner_kind, owner_id): (&'static str, &str),
    title: &str,
    file_name: &str,
    ingested: crate::blobs::Ingested,
) -> Result<String, Error> {
    let title = title.trim();
    let title = if title.is_empty() { file_name.trim() } else { title };
    if title.is_empty() || title.chars().count() > 100 {
        return Err(Error::Invalid(FieldErrors::single(
            "title",
            "title_required",
            "请填写文件名称（不超过 100 字）",
        )));
    }
    let (sha256, sm3, size, media) =
        (ingested.sha256.clone(), ingested.sm3.clone(), ingested.size, ingested.media);
    state.blobs.commit(ingested).await?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let id = tx
        .insert_attachment(&NewAttachment {
            owner_kind,
            owner_id,
            title,
            file_name: file_name.trim(),
            media_type: media.mime(),
            size: size as i64,
            sha256: &sha256,
            sm3: &sm3,
        })
        .await?;
    tx.commit().await?;
    Ok(id)
}
