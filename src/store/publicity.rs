//! 宣传: the ledger's entries and a briefing's pick-up points, written once.

use chrono::NaiveDate;

use crate::domain::publicity::{Channel, Pickup, PublicityItem, Theme};
use crate::store::{
    AuditEvent, AuditedTx, Db, Recorded, StoreError, decode_error, on_pool, on_tx, parse_date, parse_ts, ts,
};

type ItemRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    Option<String>,
    i64,
    String,
    String,
    String,
);

macro_rules! item_columns {
    () => {
        "SELECT id, channel, unit_id, on_day, title, outlet, link, issue_no, copies, place, theme, participants, \
         note, recorded_by, recorded_at FROM publicity_items "
    };
}

fn item_of(row: ItemRow) -> Result<Recorded<PublicityItem>, sqlx::Error> {
    let (
        id,
        channel,
        unit_id,
        on,
        title,
        outlet,
        link,
        issue_no,
        copies,
        place,
        theme,
        participants,
        note,
        by,
        at,
    ) = row;
    Ok(Recorded {
        id,
        record: PublicityItem {
            channel: Channel::parse(&channel).ok_or_else(|| decode_error("publicity channel", &channel))?,
            unit_id,
            on: parse_date(&on)?,
            title,
            outlet,
            link,
            issue_no,
            copies: u32::try_from(copies).unwrap_or_default(),
            place,
            theme: theme
                .as_deref()
                .map(|t| Theme::parse(t).ok_or_else(|| decode_error("publicity theme", t)))
                .transpose()?,
            participants: u32::try_from(participants).unwrap_or_default(),
            note,
        },
        recorded_by: by,
        recorded_at: parse_ts(&at)?,
    })
}

impl Db {
    /// The entries between two days (inclusive), the latest first.
    pub async fn publicity_items(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Recorded<PublicityItem>>, sqlx::Error> {
        let rows: Vec<ItemRow> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                item_columns!(),
                "WHERE on_day >= $1 AND on_day <= $2 ORDER BY on_day DESC, id DESC"
            ))
            .bind(from.to_string())
            .bind(to.to_string())
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(item_of).collect()
    }

    pub async fn publicity_item(&self, id: &str) -> Result<Option<Recorded<PublicityItem>>, sqlx::Error> {
        let row: Option<ItemRow> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(item_columns!(), "WHERE id = $1")).bind(id).fetch_optional(pool).await?
        });
        row.map(item_of).transpose()
    }

    /// A briefing's pick-up points, in the order they were placed, with their numbers.
    pub async fn publicity_pickups(&self, item_id: &str) -> Result<Vec<(i64, Pickup)>, sqlx::Error> {
        let rows: Vec<(i64, String, i64, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT seq, place, copies, placed_on FROM publicity_pickups WHERE item_id = $1 ORDER BY seq",
            )
            .bind(item_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(seq, place, copies, placed_on)| {
                Ok((
                    seq,
                    Pickup {
                        place,
                        copies: u32::try_from(copies).unwrap_or_default(),
                        placed_on: parse_date(&placed_on)?,
                    },
                ))
            })
            .collect()
    }
}

impl AuditedTx {
    pub async fn insert_publicity_item(&mut self, id: &str, item: &PublicityItem) -> Result<(), StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO publicity_items (id, channel, unit_id, on_day, title, outlet, link, issue_no, copies, place, \
                 theme, participants, note, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            )
            .bind(id)
            .bind(item.channel.code())
            .bind(&item.unit_id)
            .bind(item.on.to_string())
            .bind(&item.title)
            .bind(&item.outlet)
            .bind(&item.link)
            .bind(&item.issue_no)
            .bind(i64::from(item.copies))
            .bind(&item.place)
            .bind(item.theme.map(Theme::code))
            .bind(i64::from(item.participants))
            .bind(&item.note)
            .bind(&actor)
            .bind(&now)
            .execute(conn)
            .await?;
        });
        self.audit(
            AuditEvent::new("publicity.record", "publicity_item", id)
                .details(serde_json::json!({ "item": item })),
        )
        .await?;
        Ok(())
    }

    /// Appends a pick-up point as number `seq` (the one after the last the caller read): two at
    /// once collide instead of both counting against the print run.
    pub async fn insert_publicity_pickup(
        &mut self,
        item_id: &str,
        seq: i64,
        pickup: &Pickup,
    ) -> Result<(), StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO publicity_pickups (item_id, seq, place, copies, placed_on, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(item_id)
            .bind(seq)
            .bind(&pickup.place)
            .bind(i64::from(pickup.copies))
            .bind(pickup.placed_on.to_string())
            .bind(&actor)
            .bind(&now)
            .execute(conn)
            .await
            .map_err(crate::store::on_taken_key)?;
        });
        self.audit(
            AuditEvent::new("publicity.pickup", "publicity_item", item_id)
                .details(serde_json::json!({ "seq": seq, "pickup": pickup })),
        )
        .await?;
        Ok(())
    }
}
