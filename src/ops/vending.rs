//! 便民服务点 and 疏导点: set up and correct a point, admit vendors to its stalls and end an
//! admission, record inspections, and read the register or the portal's view of it. The
//! admission rule is `domain::vending::admit_check`; every entry point — pages, API, portal,
//! demo — goes through here.

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::time::civil_date;
use crate::domain::vending::{AdmissionInput, EndAdmissionInput, InspectionInput, PointInput, admit_check};
use crate::ops::people::squad_in_scope;
use crate::ops::{Actor, Error};
use crate::store::org::Visibility;
use crate::store::vending::{VendingAdmission, VendingPoint};
use crate::store::{Recorded, new_id};

/// A point with its admissions and inspections.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PointView {
    #[serde(flatten)]
    pub point: VendingPoint,
    pub admissions: Vec<VendingAdmission>,
    pub inspections: Vec<Recorded<crate::domain::vending::Inspection>>,
}

pub async fn list(state: &AppState, actor: &Actor) -> Result<Vec<VendingPoint>, Error> {
    actor.require(Action::VendingView)?;
    let today = civil_date(state.now());
    Ok(state.db.vending_points(&actor.visibility(Action::VendingView), today, false).await?)
}

/// The points the portal shows (open and suspended), with their free stalls today: no
/// vendor, no admission, nothing personal.
pub async fn public(state: &AppState) -> Result<Vec<VendingPoint>, Error> {
    Ok(state.db.vending_points(&Visibility::All, civil_date(state.now()), true).await?)
}

pub async fn get(state: &AppState, actor: &Actor, id: &str) -> Result<PointView, Error> {
    actor.require(Action::VendingView)?;
    let today = civil_date(state.now());
    let point = state
        .db
        .vending_point(&actor.visibility(Action::VendingView), id, today)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(PointView {
        admissions: state.db.vending_admissions(&point.id).await?,
        inspections: state.db.vending_inspections(&point.id).await?,
        point,
    })
}

/// Registers a point, open, in a squad the actor manages.
pub async fn create(state: &AppState, actor: &Actor, input: &PointInput) -> Result<String, Error> {
    actor.require(Action::VendingManage)?;
    let mut point = input.parse().map_err(Error::Invalid)?;
    point.status = crate::domain::vending::PointStatus::Open;
    squad_in_scope(state, actor, Action::VendingManage, &point.unit_id).await?;
    let id = new_id(state.now());
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.insert_vending_point(&id, &point).await?;
    tx.commit().await?;
    Ok(id)
}

/// Corrects a point (its place, hours, stalls, status) over the version read. Fewer stalls
/// than are taken today is refused: the vendors admitted are ended first.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &str,
    version: i64,
    input: &PointInput,
) -> Result<i64, Error> {
    actor.require(Action::VendingManage)?;
    let today = civil_date(state.now());
    let current = state
        .db
        .vending_point(&actor.visibility(Action::VendingManage), id, today)
        .await?
        .ok_or(Error::NotFound)?;
    if current.version != version {
        return Err(crate::store::StoreError::Conflict.into());
    }
    let point = input.parse().map_err(Error::Invalid)?;
    squad_in_scope(state, actor, Action::VendingManage, &point.unit_id).await?;
    if point.capacity < current.stalls_taken {
        return Err(Error::Invalid(FieldErrors::single(
            "capacity",
            "below_stalls_taken",
            format!("目前已有 {} 个摊位有摊主，请先办理退出", current.stalls_taken),
        )));
    }
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let version = tx.update_vending_point(id, version, &current.point, &point).await?;
    tx.commit().await?;
    Ok(version)
}

/// Admits a vendor of the party registry to a stall of an open point for a term.
pub async fn admit(
    state: &AppState,
    actor: &Actor,
    point_id: &str,
    input: &AdmissionInput,
) -> Result<String, Error> {
    actor.require(Action::VendingManage)?;
    let today = civil_date(state.now());
    let point = state
        .db
        .vending_point(&actor.visibility(Action::VendingManage), point_id, today)
        .await?
        .ok_or(Error::NotFound)?;
    let admission = input.parse().map_err(Error::Invalid)?;
    if state.db.party(&admission.party_id).await?.is_none() {
        return Err(Error::Invalid(FieldErrors::single("party_id", "unknown_party", "当事人档案不存在")));
    }
    let others: Vec<_> =
        state.db.vending_admissions(point_id).await?.iter().filter_map(VendingAdmission::effective).collect();
    admit_check(point.point.status, point.point.capacity, &others, &admission)
        .map_err(|r| Error::refused(r.code, r.message_zh))?;
    let id = new_id(state.now());
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.insert_vending_admission(&id, point_id, &admission).await?;
    tx.commit().await?;
    Ok(id)
}

/// Ends an admission (once) in a point the actor manages.
pub async fn end_admission(
    state: &AppState,
    actor: &Actor,
    admission_id: &str,
    input: &EndAdmissionInput,
) -> Result<String, Error> {
    actor.require(Action::VendingManage)?;
    let admission = state.db.vending_admission(admission_id).await?.ok_or(Error::NotFound)?;
    let today = civil_date(state.now());
    state
        .db
        .vending_point(&actor.visibility(Action::VendingManage), &admission.point_id, today)
        .await?
        .ok_or(Error::NotFound)?;
    if admission.ended_on.is_some() {
        return Err(Error::refused("admission_ended", "该摊主已办理退出"));
    }
    let (on, reason) = input.parse(admission.admission.admitted_on).map_err(Error::Invalid)?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.end_vending_admission(admission_id, &admission.point_id, on, &reason).await?;
    tx.commit().await?;
    Ok(admission.point_id)
}

/// Records an inspection of a point in the actor's area.
pub async fn inspect(
    state: &AppState,
    actor: &Actor,
    point_id: &str,
    input: &InspectionInput,
) -> Result<String, Error> {
    actor.require(Action::VendingInspect)?;
    let today = civil_date(state.now());
    state
        .db
        .vending_point(&actor.visibility(Action::VendingInspect), point_id, today)
        .await?
        .ok_or(Error::NotFound)?;
    let inspection = input.parse(today).map_err(Error::Invalid)?;
    let id = new_id(state.now());
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.insert_vending_inspection(&id, point_id, &inspection).await?;
    tx.commit().await?;
    Ok(id)
}
