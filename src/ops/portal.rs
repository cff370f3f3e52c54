//! What the public portal shows besides published decisions (issue 18 scope 1; plan §三（二）1:
//! post the enforcement items, the main workflows, the officers and the complaint hotline):
//! the responsibility list in force with its fine ranges and discretion bands, the officer
//! directory, and the general procedure as the case engine offers it. Each is a projection that
//! carries only what may be public: no ID number, phone or person id, and no auxiliary.

use chrono::NaiveDate;

use crate::app::AppState;
use crate::domain::case::{CommandKind, StageMap, procedure_map};
use crate::domain::time::civil_date;
use crate::ops::Error;
use crate::store::org::{PeopleFilter, Visibility};

/// An officer as the portal lists them: who may enforce, where, under which certificate.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PublicOfficer {
    pub name: String,
    pub unit_name: String,
    pub position: String,
    /// The 行政执法证 number.
    pub certificate_number: String,
    pub certificate_valid_to: Option<NaiveDate>,
}

/// The officers whose certificate is valid today, by unit (`unit`: one unit and those below it).
/// Auxiliaries (协管员) hold no certificate and are never listed as officers.
pub async fn officers(state: &AppState, unit: Option<&str>) -> Result<Vec<PublicOfficer>, Error> {
    let today = civil_date(state.now());
    let mut out = Vec::new();
    for page in 1.. {
        let filter = PeopleFilter {
            unit_id: unit.unwrap_or_default().to_owned(),
            employment: "officer".into(),
            certificate: "valid".into(),
            page,
            page_size: 500,
            ..Default::default()
        };
        let rows = state.db.people(&Visibility::All, &filter, today).await?.rows;
        let last = rows.len() < 500;
        out.extend(rows.into_iter().filter(|p| p.active).filter_map(|p| {
            Some(PublicOfficer {
                certificate_number: p.certificate_number?,
                certificate_valid_to: p.certificate_valid_to,
                name: p.name,
                unit_name: p.unit_name,
                position: p.position,
            })
        }));
        if last {
            break;
        }
    }
    Ok(out)
}

/// The general procedure's stages and steps as the engine offers them today, under the
/// bureau's case rules.
pub async fn procedure(state: &AppState) -> Result<(Vec<StageMap>, Vec<CommandKind>), Error> {
    let (rules, _) = state.db.case_rules().await?;
    Ok(procedure_map(&rules, civil_date(state.now())))
}

/// The units the directory may be narrowed to (id, name), in the organisation's order.
pub async fn units(state: &AppState) -> Result<Vec<(String, String)>, Error> {
    Ok(state.db.load_units().await?.into_iter().map(|u| (u.id, u.name)).collect())
}
