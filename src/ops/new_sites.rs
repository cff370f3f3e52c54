//! 管理重心前移: register new roads and estates and their shops, serve the 提前告知书 (and
//! typeset it), record follow-up visits and what became of each shop. The order of events is
//! `domain::new_sites::check`'s; every entry point — pages, API, demo — goes through here.

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::new_sites::{
    NoticeInput, OutcomeInput, ShopEvent, ShopInput, SiteCounts, SiteInput, VisitInput, check, counts,
    requirements,
};
use crate::domain::time::civil_date;
use crate::ops::people::squad_in_scope;
use crate::ops::{Actor, Error};
use crate::store::new_id;
use crate::store::new_sites::{NewSite, SiteShop};

/// A site in the register with its shops counted.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SiteSummary {
    #[serde(flatten)]
    pub site: NewSite,
    pub counts: SiteCounts,
}

/// A site with its shops.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SiteView {
    #[serde(flatten)]
    pub site: NewSite,
    pub counts: SiteCounts,
    pub shops: Vec<SiteShop>,
}

fn count(shops: &[&SiteShop], today: chrono::NaiveDate) -> SiteCounts {
    let events: Vec<Vec<ShopEvent>> =
        shops.iter().map(|s| s.events.iter().map(|e| e.event.clone()).collect()).collect();
    counts(events.iter().map(Vec::as_slice), today)
}

pub async fn sites(state: &AppState, actor: &Actor) -> Result<Vec<SiteSummary>, Error> {
    actor.require(Action::NewSiteView)?;
    let visibility = actor.visibility(Action::NewSiteView);
    let today = civil_date(state.now());
    let sites = state.db.new_sites(&visibility).await?;
    let shops = state.db.site_shops(&visibility, "", "").await?;
    Ok(sites
        .into_iter()
        .map(|site| {
            let mine: Vec<&SiteShop> = shops.iter().filter(|s| s.site_id == site.id).collect();
            SiteSummary { counts: count(&mine, today), site }
        })
        .collect())
}

pub async fn site(state: &AppState, actor: &Actor, id: &str) -> Result<SiteView, Error> {
    actor.require(Action::NewSiteView)?;
    let visibility = actor.visibility(Action::NewSiteView);
    let site = state.db.new_site(&visibility, id).await?.ok_or(Error::NotFound)?;
    let shops = state.db.site_shops(&visibility, id, "").await?;
    let counts = count(&shops.iter().collect::<Vec<_>>(), civil_date(state.now()));
    Ok(SiteView { site, counts, shops })
}

pub async fn shop(state: &AppState, actor: &Actor, id: &str) -> Result<SiteShop, Error> {
    actor.require(Action::NewSiteView)?;
    shop_as(state, actor, Action::NewSiteView, id).await
}

async fn shop_as(state: &AppState, actor: &Actor, action: Action, id: &str) -> Result<SiteShop, Error> {
    let found = state.db.site_shops(&actor.visibility(action), "", id.trim()).await?;
    found.into_iter().next().ok_or(Error::NotFound)
}

/// Registers a new road or estate in a squad the actor works for.
pub async fn create_site(state: &AppState, actor: &Actor, input: &SiteInput) -> Result<String, Error> {
    actor.require(Action::NewSiteRecord)?;
    let site = input.parse().map_err(Error::Invalid)?;
    squad_in_scope(state, actor, Action::NewSiteRecord, &site.unit_id).await?;
    let id = new_id(state.now());
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.insert_new_site(&id, &site).await?;
    tx.commit().await?;
    Ok(id)
}

/// Adds a shop front to a site (its operator from the party registry, when known).
pub async fn add_shop(
    state: &AppState,
    actor: &Actor,
    site_id: &str,
    input: &ShopInput,
) -> Result<String, Error> {
    actor.require(Action::NewSiteRecord)?;
    state.db.new_site(&actor.visibility(Action::NewSiteRecord), site_id).await?.ok_or(Error::NotFound)?;
    let shop = input.parse().map_err(Error::Invalid)?;
    if let Some(party) = &shop.party_id
        && state.db.party(party).await?.is_none()
    {
        return Err(Error::Invalid(FieldErrors::single("party_id", "unknown_party", "当事人档案不存在")));
    }
    let id = new_id(state.now());
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.insert_site_shop(&id, site_id, &shop).await?;
    tx.commit().await?;
    Ok(id)
}

async fn add(
    state: &AppState,
    actor: &Actor,
    shop: &SiteShop,
    version: i64,
    event: ShopEvent,
) -> Result<i64, Error> {
    // A stale page is told so first: what it offers was decided on a state that is gone.
    if shop.version != version {
        return Err(crate::store::StoreError::Conflict.into());
    }
    let events: Vec<ShopEvent> = shop.events.iter().map(|e| e.event.clone()).collect();
    check(&events, &event, civil_date(state.now())).map_err(|r| Error::refused(r.code, r.message_zh))?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let version = tx.add_shop_event(&shop.id, version, &events, &event).await?;
    tx.commit().await?;
    Ok(version)
}

/// Records the 提前告知书 served, listing the requirements of the shop's trade.
pub async fn serve_notice(
    state: &AppState,
    actor: &Actor,
    id: &str,
    version: i64,
    input: &NoticeInput,
) -> Result<i64, Error> {
    actor.require(Action::NewSiteRecord)?;
    let shop = shop_as(state, actor, Action::NewSiteRecord, id).await?;
    let event = input.parse(shop.shop.trade).map_err(Error::Invalid)?;
    add(state, actor, &shop, version, event).await
}

pub async fn visit(
    state: &AppState,
    actor: &Actor,
    id: &str,
    version: i64,
    input: &VisitInput,
) -> Result<i64, Error> {
    actor.require(Action::NewSiteRecord)?;
    let shop = shop_as(state, actor, Action::NewSiteRecord, id).await?;
    let event = input.parse().map_err(Error::Invalid)?;
    add(state, actor, &shop, version, event).await
}

/// Records what became of the shop. A case named must be one the actor can see and, when the
/// shop's operator is on file, that party's.
pub async fn settle(
    state: &AppState,
    actor: &Actor,
    id: &str,
    version: i64,
    input: &OutcomeInput,
) -> Result<i64, Error> {
    actor.require(Action::NewSiteRecord)?;
    let shop = shop_as(state, actor, Action::NewSiteRecord, id).await?;
    let event = input.parse().map_err(Error::Invalid)?;
    if let ShopEvent::Settled { case_id: Some(case_id), .. } = &event {
        let case = state.db.case(&actor.visibility(Action::CaseView), case_id).await?;
        let of_shop = case.is_some_and(|c| shop.shop.party_id.as_ref().is_none_or(|p| *p == c.party_id));
        if !of_shop {
            return Err(Error::Invalid(FieldErrors::single(
                "case_id",
                "case_not_of_party",
                "请填写该店铺经营者的案件（您可查看的案件）",
            )));
        }
    }
    add(state, actor, &shop, version, event).await
}

/// The 提前告知书 of a shop as a PDF typeset by the document engine: the site, the shop, what
/// its trade must obtain and where, and the squad to ask. Served before or after the notice is
/// recorded (the squad prints it to take along).
pub async fn notice_pdf(state: &AppState, actor: &Actor, id: &str) -> Result<Vec<u8>, Error> {
    let shop = shop(state, actor, id).await?;
    let site = state
        .db
        .new_site(&actor.visibility(Action::NewSiteView), &shop.site_id)
        .await?
        .ok_or(Error::NotFound)?;
    let bureau = crate::ops::documents::bureau_name(state).await?;
    let today = civil_date(state.now());
    let served_on = shop.events.iter().find_map(|e| match &e.event {
        ShopEvent::Notified { on, .. } => Some(*on),
        _ => None,
    });
    let date = served_on.unwrap_or(today);
    let data = serde_json::json!({
        "bureau": bureau,
        "squad": site.unit_name,
        "site": format!("{}（{}）", site.site.name, site.site.location),
        "shop": if shop.shop.name.is_empty() { shop.shop.label.clone() } else { format!("{} {}", shop.shop.label, shop.shop.name) },
        "operator": shop.party_name.clone().unwrap_or_default(),
        "trade": shop.shop.trade.name_zh(),
        "requirements": requirements(shop.shop.trade).iter().map(|r| serde_json::json!({
            "what": r.what, "department": r.department, "basis": r.basis,
        })).collect::<Vec<_>>(),
        "hotline": state.config.hotline,
        "date": format!("{}年{}月{}日", chrono::Datelike::year(&date), chrono::Datelike::month(&date), chrono::Datelike::day(&date)),
    })
    .to_string();
    let source = include_str!("../../templates/documents/opening_notice.typ").to_owned();
    Ok(crate::ops::documents::typeset(state, source, data, today, "the 提前告知书").await?.pdf)
}
