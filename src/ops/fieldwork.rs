//! Field work: patrols and operations (with the two-officer check), the body-camera register
//! and the recording rules of the full-process recording report.

use serde::Deserialize;

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::fieldwork::{DEVICE_KINDS, PatrolInput, check_members};
use crate::domain::time::civil_date;
use crate::ops::{Actor, Error};

/// Records a patrol or operation for the caller's unit after the two-officer check.
pub async fn record_patrol(state: &AppState, actor: &Actor, input: &PatrolInput) -> Result<String, Error> {
    let draft = input.parse()?;
    let unit_id = actor.unit_id.clone().ok_or_else(|| {
        FieldErrors::single("members", "unit_required", "您的账号不属于任何单位，不能登记巡查")
    })?;
    let facts = state.db.person_facts(&draft.members).await?;
    check_members(&draft.members, &facts, civil_date(draft.started_at))?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let id = tx.insert_patrol(&draft, &unit_id).await?;
    tx.commit().await?;
    Ok(id)
}

/// A device to register.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DeviceInput {
    #[schema(required = true)]
    #[schema(min_length = 1, max_length = 50, pattern = r"\S")]
    pub device_no: String,
    #[schema(value_type = crate::domain::fieldwork::DeviceKind, required = true)]
    pub kind: String,
    /// The unit it belongs to; empty: the caller's.
    pub unit_id: String,
    /// The officer it is assigned to, if any.
    pub person_id: String,
}

/// Registers a recording device (执法记录仪, camera, recorder) for a unit the actor administers,
/// optionally assigned to an officer.
pub async fn register_device(state: &AppState, actor: &Actor, input: &DeviceInput) -> Result<String, Error> {
    let mut errors = FieldErrors::default();
    let device_no = input.device_no.trim();
    if device_no.is_empty() || device_no.chars().count() > 50 {
        errors.add("device_no", "required", "请填写设备编号（不超过50字）");
    }
    if !DEVICE_KINDS.iter().any(|(code, _)| *code == input.kind) {
        errors.add("kind", "unknown_kind", "设备类型应为执法记录仪、照相机/摄像机或录音笔");
    }
    errors.into_result()?;
    let unit_id = if input.unit_id.trim().is_empty() {
        actor.unit_id.clone().unwrap_or_default()
    } else {
        input.unit_id.trim().to_owned()
    };
    // The unit must be one the caller manages.
    let units = state.db.units().await?;
    let allowed = crate::ops::people::unit_visible(&units, &actor.visibility(Action::DeviceAdmin), &unit_id);
    if !allowed {
        return Err(FieldErrors::single("unit_id", "unknown_unit", "单位不存在或不在您的管理范围内").into());
    }
    let person = input.person_id.trim();
    if !person.is_empty() && state.db.person_facts(&[person.to_owned()]).await?.is_empty() {
        return Err(FieldErrors::single("person_id", "unknown_person", "人员不存在").into());
    }
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let id =
        tx.insert_device(device_no, &input.kind, &unit_id, (!person.is_empty()).then_some(person)).await?;
    tx.commit().await?;
    Ok(id)
}

/// Switches one of the full-process recording rules (which acts must have a recording) on or off.
pub async fn set_recording_rule(
    state: &AppState,
    actor: &Actor,
    code: &str,
    enabled: bool,
) -> Result<(), Error> {
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.set_recording_rule(code, enabled).await?;
    tx.commit().await?;
    Ok(())
}
