//! The organisation: units below the bureau and the members of the leading group.

use crate::app::AppState;
use crate::domain::fields::FieldErrors;
use crate::domain::org::{GroupRole, UnitInput};
use crate::ops::{Actor, Error};

/// Untrusted leadership-group input.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct MemberInput {
    #[serde(default)]
    #[schema(required = true)]
    pub person_id: String,
    /// `head` (组长), `deputy` (副组长) or `member` (成员).
    #[serde(default)]
    #[schema(value_type = crate::domain::org::GroupRole, required = true)]
    pub group_role: String,
    /// The member's duty in the group, e.g. 分管队伍建设.
    #[serde(default)]
    pub duty: String,
}

/// Adds a unit below an existing one.
pub async fn create_unit(state: &AppState, actor: &Actor, input: &UnitInput) -> Result<String, Error> {
    let draft = input.parse()?;
    if state.db.unit(&draft.parent_id).await?.is_none() {
        return Err(FieldErrors::single("parent_id", "not_found", "上级单位不存在").into());
    }
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let id = tx
        .insert_unit(Some(&draft.parent_id), draft.kind, &draft.name, &draft.code, draft.sort_order)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Adds a person to the leading group with a role and a duty.
pub async fn add_member(state: &AppState, actor: &Actor, input: &MemberInput) -> Result<(), Error> {
    let mut errors = FieldErrors::default();
    let role = GroupRole::parse(input.group_role.trim());
    if role.is_none() {
        errors.add("group_role", "invalid", "请选择组内职务");
    }
    if input.duty.trim().chars().count() > 40 {
        errors.add("duty", "too_long", "分工不超过 40 个字");
    }
    if state.db.person(&crate::store::org::Visibility::All, input.person_id.trim()).await?.is_none() {
        errors.add("person_id", "not_found", "未找到该人员，请从人员详情页地址中复制编号");
    }
    errors.into_result()?;
    let Some(role) = role else { unreachable!("a role error was added above") };
    let order = match role {
        GroupRole::Head => 0,
        GroupRole::Deputy => 1,
        GroupRole::Member => 10,
    };
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.set_leadership_member(input.person_id.trim(), role.code(), input.duty.trim(), order).await?;
    tx.commit().await?;
    Ok(())
}
