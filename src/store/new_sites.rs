//! 管理重心前移: new sites (appended), their shops (with the state folded from their events,
//! for listing) and the shops' append-only events.

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::new_sites::{Shop, ShopEvent, ShopState, Site, SiteKind, Trade, state};
use crate::store::org::Visibility;
use crate::store::{
    AuditEvent, AuditedTx, Db, StoreError, decode_error, on_pool, on_tx, on_unique, parse_date, parse_ts, ts,
    visible_units,
};

/// A new site as stored.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct NewSite {
    pub id: String,
    #[serde(flatten)]
    pub site: Site,
    pub unit_name: String,
    pub recorded_by: String,
}

/// A shop front as stored, with its events and state.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SiteShop {
    pub id: String,
    pub site_id: String,
    #[serde(flatten)]
    pub shop: Shop,
    /// The operator's name as in the party registry, once linked.
    pub party_name: Option<String>,
    pub state: ShopState,
    pub version: i64,
    pub events: Vec<RecordedShopEvent>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RecordedShopEvent {
    #[serde(flatten)]
    pub event: ShopEvent,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

macro_rules! site_where {
    () => {
        "WHERE ($1 = 'all' OR ($1 IN ('unit', 'subtree') AND s.unit_id IN (SELECT id FROM visible))) "
    };
}

type SiteRow = (String, String, String, String, String, String, String, String, String);
type ShopRow = (String, String, String, String, String, Option<String>, Option<String>, i64);

fn decode_site(
    (id, kind, name, unit_id, unit_name, location, opens_on, note, by): SiteRow,
) -> Result<NewSite, sqlx::Error> {
    Ok(NewSite {
        site: Site {
            kind: SiteKind::parse(&kind).ok_or_else(|| decode_error("new_sites.kind", &kind))?,
            name,
            unit_id,
            location,
            opens_on: parse_date(&opens_on)?,
            note,
        },
        id,
        unit_name,
        recorded_by: by,
    })
}

fn decode_event(
    (shop, body, by, at): (String, String, String, String),
) -> Result<(String, RecordedShopEvent), sqlx::Error> {
    let event: ShopEvent =
        serde_json::from_str(&body).map_err(|_| decode_error("shop_events.body", &shop))?;
    Ok((shop, RecordedShopEvent { event, recorded_by: by, recorded_at: parse_ts(&at)? }))
}

impl Db {
    /// The sites in scope, the latest to open first.
    pub async fn new_sites(&self, visibility: &Visibility) -> Result<Vec<NewSite>, sqlx::Error> {
        let (mode, unit, _) = visibility.binds();
        let rows: Vec<SiteRow> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                visible_units!(),
                "SELECT s.id, s.kind, s.name, s.unit_id, un.name, s.location, s.opens_on, s.note, s.recorded_by \
                 FROM new_sites s JOIN units un ON un.id = s.unit_id ",
                site_where!(),
                "ORDER BY s.opens_on DESC, s.id"
            ))
            .bind(mode)
            .bind(&unit)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(decode_site).collect()
    }

    pub async fn new_site(&self, visibility: &Visibility, id: &str) -> Result<Option<NewSite>, sqlx::Error> {
        let (mode, unit, _) = visibility.binds();
        let row: Option<SiteRow> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                visible_units!(),
                "SELECT s.id, s.kind, s.name, s.unit_id, un.name, s.location, s.opens_on, s.note, s.recorded_by \
                 FROM new_sites s JOIN units un ON un.id = s.unit_id ",
                site_where!(),
                "AND s.id = $3"
            ))
            .bind(mode)
            .bind(&unit)
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        row.map(decode_site).transpose()
    }

    /// The shops of the sites in scope (all of them, or one site's, or one shop), each with its
    /// events: two queries whatever the number of shops.
    pub async fn site_shops(
        &self,
        visibility: &Visibility,
        site_id: &str,
        shop_id: &str,
    ) -> Result<Vec<SiteShop>, sqlx::Error> {
        let (mode, unit, _) = visibility.binds();
        let rows: Vec<ShopRow> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                visible_units!(),
                "SELECT h.id, h.site_id, h.label, h.name, h.trade, h.party_id, pa.name, h.version \
                 FROM site_shops h JOIN new_sites s ON s.id = h.site_id LEFT JOIN parties pa ON pa.id = h.party_id ",
                site_where!(),
                "AND ($3 = '' OR h.site_id = $3) AND ($4 = '' OR h.id = $4) ORDER BY h.site_id, h.label"
            ))
            .bind(mode)
            .bind(&unit)
            .bind(site_id)
            .bind(shop_id)
            .fetch_all(pool)
            .await?
        });
        let event_rows: Vec<(String, String, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                visible_units!(),
                "SELECT e.shop_id, e.body, e.recorded_by, e.recorded_at FROM shop_events e \
                 JOIN site_shops h ON h.id = e.shop_id JOIN new_sites s ON s.id = h.site_id ",
                site_where!(),
                "AND ($3 = '' OR h.site_id = $3) AND ($4 = '' OR h.id = $4) ORDER BY e.shop_id, e.seq"
            ))
            .bind(mode)
            .bind(&unit)
            .bind(site_id)
            .bind(shop_id)
            .fetch_all(pool)
            .await?
        });
        let mut by_shop: std::collections::HashMap<String, Vec<RecordedShopEvent>> = Default::default();
        for row in event_rows {
            let (shop, event) = decode_event(row)?;
            by_shop.entry(shop).or_default().push(event);
        }
        rows.into_iter()
            .map(|(id, site_id, label, name, trade, party_id, party_name, version)| {
                let events = by_shop.remove(&id).unwrap_or_default();
                let plain: Vec<ShopEvent> = events.iter().map(|e| e.event.clone()).collect();
                Ok(SiteShop {
                    shop: Shop {
                        label,
                        name,
                        trade: Trade::parse(&trade)
                            .ok_or_else(|| decode_error("site_shops.trade", &trade))?,
                        party_id,
                    },
                    id,
                    site_id,
                    party_name,
                    state: state(&plain),
                    version,
                    events,
                })
            })
            .collect()
    }
}

impl AuditedTx {
    pub async fn insert_new_site(&mut self, id: &str, site: &Site) -> Result<(), StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO new_sites (id, kind, name, unit_id, location, opens_on, note, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id)
            .bind(site.kind.code())
            .bind(&site.name)
            .bind(&site.unit_id)
            .bind(&site.location)
            .bind(site.opens_on.to_string())
            .bind(&site.note)
            .bind(&actor)
            .bind(&now)
            .execute(conn)
            .await?;
        });
        self.audit(
            AuditEvent::new("new_site.create", "new_site", id).details(serde_json::json!({ "site": site })),
        )
        .await?;
        Ok(())
    }

    /// Adds a shop front to a site; a label the site already has is a duplicate.
    pub async fn insert_site_shop(&mut self, id: &str, site_id: &str, shop: &Shop) -> Result<(), StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO site_shops (id, site_id, label, name, trade, party_id, state, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'registered', $7, $8)",
            )
            .bind(id)
            .bind(site_id)
            .bind(&shop.label)
            .bind(&shop.name)
            .bind(shop.trade.code())
            .bind(&shop.party_id)
            .bind(&actor)
            .bind(&now)
            .execute(conn)
            .await
            .map_err(|e| on_unique(e, "label"))?;
        });
        self.audit(AuditEvent::new("site_shop.create", "new_site", site_id).details(serde_json::json!({
            "shop_id": id, "label": shop.label, "trade": shop.trade.code(), "party_id": shop.party_id,
        })))
        .await?;
        Ok(())
    }

    /// Appends `event` (checked against `events`, the shop as read at `version`) and moves
    /// the shop's row to the new state; a stale version changes nothing.
    pub async fn add_shop_event(
        &mut self,
        id: &str,
        version: i64,
        events: &[ShopEvent],
        event: &ShopEvent,
    ) -> Result<i64, StoreError> {
        let mut all = events.to_vec();
        all.push(event.clone());
        let new_state = state(&all);
        let case_id = match event {
            ShopEvent::Settled { case_id, .. } => case_id.clone(),
            _ => None,
        };
        let due: Option<NaiveDate> = new_state.due();
        let done = on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "UPDATE site_shops SET state = $1, due_on = $2, case_id = COALESCE($3, case_id), version = version + 1 \
                 WHERE id = $4 AND version = $5",
            )
            .bind(new_state.code())
            .bind(due.map(|d| d.to_string()))
            .bind(&case_id)
            .bind(id)
            .bind(version)
            .execute(conn)
            .await?
            .rows_affected()
        });
        if done == 0 {
            return Err(StoreError::Conflict);
        }
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        let body = serde_json::to_string(event).expect("an event serialises");
        let seq = all.len() as i64;
        on_tx!(&mut self.tx, |conn| {
            sqlx::query("INSERT INTO shop_events (shop_id, seq, body, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(id)
                .bind(seq)
                .bind(&body)
                .bind(&actor)
                .bind(&now)
                .execute(conn)
                .await?;
        });
        let kind = match event {
            ShopEvent::Notified { .. } => "site_shop.notice",
            ShopEvent::Visited { .. } => "site_shop.visit",
            ShopEvent::Settled { .. } => "site_shop.outcome",
        };
        self.audit(AuditEvent::new(kind, "site_shop", id).details(serde_json::json!({
            "event": event, "state": new_state.code(), "version": version + 1,
        })))
        .await?;
        Ok(version + 1)
    }
}
