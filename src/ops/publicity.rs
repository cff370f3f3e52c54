//! 宣传: record an entry of the publicity ledger, place a briefing at its pick-up points, keep a
//! copy of a report, list and count. Every entry point — pages, API, demo — goes through here.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::publicity::{
    Channel, Pickup, PickupInput, PublicityCount, PublicityInput, PublicityItem, counts as count_items,
};
use crate::domain::time::civil_date;
use crate::ops::people::{unit_in_scope, unit_visible};
use crate::ops::{Actor, Error};
use crate::store::attachments::Attachment;
use crate::store::{Db, Recorded, new_id};

/// What owns a copy of a report in `attachments`.
pub const ITEM_FILES: &str = "publicity_item";

/// An entry with its pick-up points and files.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PublicityView {
    #[serde(flatten)]
    pub item: Recorded<PublicityItem>,
    pub unit_name: String,
    pub pickups: Vec<Pickup>,
    /// Copies placed so far (a briefing).
    pub placed: u32,
    pub files: Vec<Attachment>,
}

fn year_bounds(year: i32) -> Result<(NaiveDate, NaiveDate), Error> {
    crate::domain::time::year_days(year).ok_or(Error::NotFound)
}

/// Records an entry credited to a unit in the actor's scope.
pub async fn record(state: &AppState, actor: &Actor, input: &PublicityInput) -> Result<String, Error> {
    actor.require(Action::PublicityRecord)?;
    let item = input.parse(civil_date(state.now())).map_err(Error::Invalid)?;
    unit_in_scope(state, actor, Action::PublicityRecord, &item.unit_id).await?;
    let id = new_id(state.now());
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.insert_publicity_item(&id, &item).await?;
    tx.commit().await?;
    Ok(id)
}

/// A year's entries in the actor's scope, on one channel or all, the latest first.
pub async fn items(
    state: &AppState,
    actor: &Actor,
    year: i32,
    channel: Option<Channel>,
) -> Result<Vec<Recorded<PublicityItem>>, Error> {
    actor.require(Action::PublicityView)?;
    let (from, to) = year_bounds(year)?;
    let units = state.db.units().await?;
    let visibility = actor.visibility(Action::PublicityView);
    Ok(state
        .db
        .publicity_items(from, to)
        .await?
        .into_iter()
        .filter(|i| channel.is_none_or(|c| i.record.channel == c))
        .filter(|i| unit_visible(&units, &visibility, &i.record.unit_id))
        .collect())
}

pub async fn item(state: &AppState, actor: &Actor, id: &str) -> Result<PublicityView, Error> {
    actor.require(Action::PublicityView)?;
    let item = state.db.publicity_item(id).await?.ok_or(Error::NotFound)?;
    let units = state.db.units().await?;
    if !unit_visible(&units, &actor.visibility(Action::PublicityView), &item.record.unit_id) {
        return Err(Error::NotFound);
    }
    let pickups: Vec<Pickup> = state.db.publicity_pickups(id).await?.into_iter().map(|(_, p)| p).collect();
    Ok(PublicityView {
        unit_name: units
            .iter()
            .find(|u| u.id == item.record.unit_id)
            .map(|u| u.name.clone())
            .unwrap_or_default(),
        placed: pickups.iter().map(|p| p.copies).sum(),
        pickups,
        files: state.db.attachments(ITEM_FILES, id).await?,
        item,
    })
}

/// The entry, when the actor may record for its unit.
async fn own_item(state: &AppState, actor: &Actor, id: &str) -> Result<Recorded<PublicityItem>, Error> {
    actor.require(Action::PublicityRecord)?;
    let item = state.db.publicity_item(id).await?.ok_or(Error::NotFound)?;
    let units = state.db.units().await?;
    if !unit_visible(&units, &actor.visibility(Action::PublicityRecord), &item.record.unit_id) {
        return Err(Error::NotFound);
    }
    Ok(item)
}

/// Places a briefing issue at a pick-up point: never more copies in all than were printed.
pub async fn add_pickup(state: &AppState, actor: &Actor, id: &str, input: &PickupInput) -> Result<(), Error> {
    let item = own_item(state, actor, id).await?;
    if item.record.channel != Channel::Briefing {
        return Err(Error::refused("not_a_briefing", "只有《城管简报》登记取阅点"));
    }
    let placed = state.db.publicity_pickups(id).await?;
    let total: u32 = placed.iter().map(|(_, p)| p.copies).sum();
    let seq = placed.last().map_or(1, |(s, _)| s + 1);
    let pickup = input
        .parse((item.record.on, item.record.copies), total, civil_date(state.now()))
        .map_err(Error::Invalid)?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.insert_publicity_pickup(id, seq, &pickup).await?;
    tx.commit().await?;
    Ok(())
}

/// Keeps a file with an entry (the cutting of a newspaper report, a screenshot, the film).
pub async fn add_file(
    state: &AppState,
    actor: &Actor,
    id: &str,
    title: &str,
    file_name: &str,
    ingested: crate::blobs::Ingested,
) -> Result<String, Error> {
    own_item(state, actor, id).await?;
    crate::ops::attachments::attach(state, actor, (ITEM_FILES, id), title, file_name, ingested).await
}

/// A year's entries counted per unit, channel and month, in the actor's scope.
pub async fn counts(state: &AppState, actor: &Actor, year: i32) -> Result<Vec<PublicityCount>, Error> {
    let listed: Vec<(String, Channel, NaiveDate)> = items(state, actor, year, None)
        .await?
        .into_iter()
        .map(|i| (i.record.unit_id, i.record.channel, i.record.on))
        .collect();
    Ok(count_items(year, &listed))
}

/// 宣传产出 per unit for the squad assessment: the entries of the period (every channel).
pub async fn output_measures(
    db: &Db,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<HashMap<String, i64>, Error> {
    let mut out: HashMap<String, i64> = HashMap::new();
    for item in db.publicity_items(first, last).await? {
        *out.entry(item.record.unit_id).or_default() += 1;
    }
    Ok(out)
}

/// Refuses an unknown `?channel=` with a field error.
pub fn channel_of(raw: &str) -> Result<Option<Channel>, Error> {
    match raw.trim() {
        "" => Ok(None),
        code => Channel::parse(code)
            .map(Some)
            .ok_or_else(|| Error::Invalid(FieldErrors::single("channel", "invalid_value", "宣传渠道不正确"))),
    }
}
