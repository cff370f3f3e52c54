//! Circuit court sittings and legal consultations: record them, and read a year's with its
//! monthly counts. Every entry point — pages, API, demo — goes through here.

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::legal_help::{
    Consultation, ConsultationInput, MonthCount, Sitting, SittingInput, month_counts,
};
use crate::domain::time::civil_date;
use crate::ops::{Actor, Error};
use crate::store::Recorded;
use crate::store::new_id;

/// A year of sittings and consultations with the months counted.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct YearView {
    pub year: i32,
    pub months: Vec<MonthCount>,
    pub sittings: Vec<Recorded<Sitting>>,
    pub consultations: Vec<Recorded<Consultation>>,
}

pub async fn year(state: &AppState, actor: &Actor, year: i32) -> Result<YearView, Error> {
    actor.require(Action::LegalHelpView)?;
    let sittings = state.db.court_sittings(year).await?;
    let consultations = state.db.legal_consultations(year).await?;
    let plain_sittings: Vec<Sitting> = sittings.iter().map(|s| s.record.clone()).collect();
    let plain_consultations: Vec<Consultation> = consultations.iter().map(|c| c.record.clone()).collect();
    Ok(YearView {
        year,
        months: month_counts(year, &plain_sittings, &plain_consultations),
        sittings,
        consultations,
    })
}

pub async fn record_sitting(state: &AppState, actor: &Actor, input: &SittingInput) -> Result<String, Error> {
    actor.require(Action::LegalHelpRecord)?;
    let sitting = input.parse(civil_date(state.now())).map_err(Error::Invalid)?;
    let id = new_id(state.now());
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.insert_court_sitting(&id, &sitting).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn record_consultation(
    state: &AppState,
    actor: &Actor,
    input: &ConsultationInput,
) -> Result<String, Error> {
    actor.require(Action::LegalHelpRecord)?;
    let consultation = input.parse(civil_date(state.now())).map_err(Error::Invalid)?;
    let id = new_id(state.now());
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.insert_legal_consultation(&id, &consultation).await?;
    tx.commit().await?;
    Ok(id)
}
