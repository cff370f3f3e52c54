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

/// How long a rendered portal page is served from memory, in seconds: what `Cache-Control` tells
/// browsers and proxies too. A publication or withdrawal empties the cache at once; other
/// changes (an officer's certificate, the list) show within this time.
pub const PAGE_TTL_SECONDS: i64 = 60;

/// The `Cache-Control` of every portal answer: [`PAGE_TTL_SECONDS`], written out once.
pub const CACHE_CONTROL: &str = "public, max-age=60";

/// The most pages kept (each key is a validated path, query and language, so the count is small;
/// the cap only bounds memory against a crawler).
const PAGE_CACHE_ENTRIES: usize = 1024;

/// Rendered portal pages: the public reads what the office published far more often than it
/// publishes (issue 18: the portal must serve at least a quarter of a bare server's rate), so each page is
/// rendered once per minute or per publication, not per request.
#[derive(Default)]
pub struct PageCache {
    generation: std::sync::atomic::AtomicU64,
    // Read by every request, written once a minute: readers do not wait for each other.
    pages: std::sync::RwLock<std::collections::HashMap<String, CachedPage>>,
}

struct CachedPage {
    generation: u64,
    at: chrono::DateTime<chrono::Utc>,
    /// Shared, not copied, into every response.
    body: bytes::Bytes,
}

impl PageCache {
    /// The page under `key`, if rendered within the TTL and since the last publication.
    pub fn get(&self, key: &str, now: chrono::DateTime<chrono::Utc>) -> Option<bytes::Bytes> {
        let generation = self.generation();
        let pages = self.pages.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        pages
            .get(key)
            .filter(|p| {
                p.generation == generation && (now - p.at).num_seconds() < PAGE_TTL_SECONDS && p.at <= now
            })
            .map(|p| p.body.clone())
    }

    /// The generation to pass to [`PageCache::put`], read before the page's data is.
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Keeps a page rendered from data read at `generation`; a page read before a publication
    /// that finished meanwhile is not kept.
    pub fn put(&self, key: String, generation: u64, now: chrono::DateTime<chrono::Utc>, body: bytes::Bytes) {
        let mut pages = self.pages.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        if generation != self.generation() {
            return;
        }
        if pages.len() >= PAGE_CACHE_ENTRIES {
            pages.clear();
        }
        pages.insert(key, CachedPage { generation, at: now, body });
    }

    /// Drops every page: called after a publication or withdrawal commits.
    pub fn invalidate(&self) {
        let mut pages = self.pages.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        self.generation.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        pages.clear();
    }
}

/// The paper a wall notice is printed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paper {
    A3,
    A4,
}

impl Paper {
    pub fn parse(code: &str) -> Option<Paper> {
        match code {
            "" | "a3" => Some(Paper::A3),
            "a4" => Some(Paper::A4),
            _ => None,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Paper::A3 => "a3",
            Paper::A4 => "a4",
        }
    }
}

/// The 公示栏 notice of a squad (`unit`) or of the whole bureau, as a PDF typeset by the document
/// engine: the enforcement items (the squad's own where the list names it responsible, else the
/// bureau's), the general procedure's stages from the engine, the officers with a valid
/// certificate, and the hotline.
pub async fn wall_notice(state: &AppState, unit: Option<&str>, paper: Paper) -> Result<Vec<u8>, Error> {
    let unit_name = match unit {
        Some(id) => state.db.unit(id).await?.ok_or(Error::NotFound)?.name,
        None => String::new(),
    };
    let bureau = crate::ops::documents::bureau_name(state).await?;
    let all: Vec<crate::store::cases::Item> =
        state.db.enforcement_items().await?.into_iter().filter(|i| i.active).collect();
    let own: Vec<&crate::store::cases::Item> =
        all.iter().filter(|i| !unit_name.is_empty() && i.responsible_unit.contains(&unit_name)).collect();
    let items: Vec<&crate::store::cases::Item> = if own.is_empty() { all.iter().collect() } else { own };
    let (stages, _) = procedure(state).await?;
    let officers = officers(state, unit).await?;
    let today = civil_date(state.now());
    let data = serde_json::json!({
        "title": "行政执法公示",
        "bureau": bureau,
        "unit": if unit_name.is_empty() { bureau.clone() } else { format!("{bureau} {unit_name}") },
        "paper": paper.code(),
        "date": today.to_string(),
        "items": items.iter().map(|i| serde_json::json!({ "code": i.code, "name": i.name, "basis": i.penalty_basis })).collect::<Vec<_>>(),
        "stages": stages.iter().map(|s| s.stage.name_zh()).collect::<Vec<_>>(),
        "officers": officers.iter().map(|o| serde_json::json!({
            "name": o.name, "position": o.position, "certificate": o.certificate_number,
            "valid_to": o.certificate_valid_to.map(|d| d.to_string()).unwrap_or_default(),
        })).collect::<Vec<_>>(),
        "hotline": state.config.hotline,
        "address": state.config.complaint_address,
        "portal": "/public",
    })
    .to_string();
    let source = include_str!("../../templates/documents/wall_notice.typ").to_owned();
    Ok(crate::ops::documents::typeset(state, source, data, today, "the wall notice").await?.pdf)
}

#[cfg(test)]
mod tests {
    #[test]
    fn browsers_keep_a_page_as_long_as_the_server_does() {
        assert_eq!(super::CACHE_CONTROL, format!("public, max-age={}", super::PAGE_TTL_SECONDS));
    }
}
