//! 心灵管理辅导: the stations, the plan and the sessions. A session's notes are sealed at rest and
//! opened only by `Db::counselling_notes`, which `ops::counselling` calls after deciding that
//! the reader may read them.

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::counselling::{PlanItem, Session, SessionKind, Station};
use crate::keys::Keyring;
use crate::store::personal::{Field, open, seal};
use crate::store::{
    AuditEvent, AuditedTx, Db, Recorded, StoreError, decode_error, on_pool, on_tx, on_unique, parse_date,
    parse_ts, ts,
};

/// A session as listed: everything but the notes.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SessionHead {
    pub id: String,
    /// `individual` or `group`.
    #[schema(value_type = String)]
    pub kind: SessionKind,
    pub held_on: NaiveDate,
    pub unit_id: String,
    pub unit_name: String,
    pub place: String,
    pub topic: String,
    pub counsellor_account: String,
    pub counsellor_name: String,
    /// The people of the session (person ids).
    pub participants: Vec<String>,
    pub recorded_at: DateTime<Utc>,
}

type PlanRow = (String, i64, i64, String, String, String, String, String);
type HeadRow = (String, String, String, String, String, String, String, String, String, String);

macro_rules! head_columns {
    () => {
        "SELECT s.id, s.kind, s.held_on, s.unit_id, u.name, s.place, s.topic, s.counsellor_account, \
         s.counsellor_name, s.recorded_at FROM counselling_sessions s JOIN units u ON u.id = s.unit_id "
    };
}

impl Db {
    async fn session_heads(&self, rows: Vec<HeadRow>) -> Result<Vec<SessionHead>, sqlx::Error> {
        let mut out = Vec::with_capacity(rows.len());
        for (id, kind, held_on, unit_id, unit_name, place, topic, counsellor_account, counsellor_name, at) in
            rows
        {
            let participants: Vec<String> = on_pool!(self, |pool| {
                sqlx::query_scalar(
                    "SELECT person_id FROM counselling_participants WHERE session_id = $1 ORDER BY person_id",
                )
                .bind(&id)
                .fetch_all(pool)
                .await?
            });
            out.push(SessionHead {
                kind: SessionKind::parse(&kind).ok_or_else(|| decode_error("session kind", &kind))?,
                held_on: parse_date(&held_on)?,
                recorded_at: parse_ts(&at)?,
                id,
                unit_id,
                unit_name,
                place,
                topic,
                counsellor_account,
                counsellor_name,
                participants,
            });
        }
        Ok(out)
    }

    pub async fn counselling_session(&self, id: &str) -> Result<Option<SessionHead>, sqlx::Error> {
        let rows: Vec<HeadRow> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(head_columns!(), "WHERE s.id = $1")).bind(id).fetch_all(pool).await?
        });
        Ok(self.session_heads(rows).await?.into_iter().next())
    }

    /// The sessions a reader wrote or took part in, the latest first.
    pub async fn counselling_sessions_of(
        &self,
        account: &str,
        person: Option<&str>,
    ) -> Result<Vec<SessionHead>, sqlx::Error> {
        let rows: Vec<HeadRow> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                head_columns!(),
                "WHERE s.counsellor_account = $1 OR s.id IN \
                 (SELECT session_id FROM counselling_participants WHERE person_id = $2) ORDER BY s.held_on DESC, s.id DESC"
            ))
            .bind(account)
            .bind(person.unwrap_or(""))
            .fetch_all(pool)
            .await?
        });
        self.session_heads(rows).await
    }

    /// Every session of a year as counted: unit, day, kind and how many took part.
    pub async fn counselling_year(
        &self,
        year: i32,
    ) -> Result<Vec<(String, NaiveDate, SessionKind, u32)>, sqlx::Error> {
        let rows: Vec<(String, String, String, i64)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT s.unit_id, s.held_on, s.kind, (SELECT COUNT(*) FROM counselling_participants p \
                 WHERE p.session_id = s.id) FROM counselling_sessions s WHERE s.held_on >= $1 AND s.held_on <= $2",
            )
            .bind(format!("{year}-01-01"))
            .bind(format!("{year}-12-31"))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(unit, day, kind, n)| {
                Ok((
                    unit,
                    parse_date(&day)?,
                    SessionKind::parse(&kind).ok_or_else(|| decode_error("session kind", &kind))?,
                    u32::try_from(n).unwrap_or_default(),
                ))
            })
            .collect()
    }

    /// A session's notes, opened. Only `ops::counselling::session` calls this, after
    /// `domain::counselling::may_read_notes`.
    pub async fn counselling_notes(&self, id: &str) -> Result<String, sqlx::Error> {
        let stored: String = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT notes FROM counselling_sessions WHERE id = $1")
                .bind(id)
                .fetch_one(pool)
                .await?
        });
        open(self.personal_ring()?.as_ref(), Field::CounsellingNotes, id, &stored)
    }

    pub async fn counselling_stations(&self) -> Result<Vec<Recorded<Station>>, sqlx::Error> {
        let rows: Vec<(String, String, String, String, String, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT s.id, s.unit_id, s.place, s.opened_on, s.note, s.recorded_by, s.recorded_at \
                 FROM counselling_stations s JOIN units u ON u.id = s.unit_id ORDER BY u.sort_order, u.name",
            )
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(id, unit_id, place, opened_on, note, by, at)| {
                Ok(Recorded {
                    id,
                    record: Station { unit_id, place, opened_on: parse_date(&opened_on)?, note },
                    recorded_by: by,
                    recorded_at: parse_ts(&at)?,
                })
            })
            .collect()
    }

    pub async fn counselling_plan(&self, year: i32) -> Result<Vec<Recorded<PlanItem>>, sqlx::Error> {
        let rows: Vec<PlanRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, year, month, kind, topic, audience, recorded_by, recorded_at FROM counselling_plan \
                 WHERE year = $1 ORDER BY month, id",
            )
            .bind(i64::from(year))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(id, year, month, kind, topic, audience, by, at)| {
                Ok(Recorded {
                    id,
                    record: PlanItem {
                        year: i32::try_from(year).unwrap_or_default(),
                        month: u32::try_from(month).unwrap_or_default(),
                        kind: SessionKind::parse(&kind).ok_or_else(|| decode_error("session kind", &kind))?,
                        topic,
                        audience,
                    },
                    recorded_by: by,
                    recorded_at: parse_ts(&at)?,
                })
            })
            .collect()
    }
}

impl AuditedTx {
    /// Records a session with its participants, the notes sealed. The audit record names the
    /// squad, the day and how many took part: never who, never the notes.
    pub async fn insert_counselling_session(
        &mut self,
        id: &str,
        session: &Session,
        counsellor: (&str, &str),
        ring: &Keyring,
    ) -> Result<(), StoreError> {
        let now = ts(self.now());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO counselling_sessions (id, kind, held_on, unit_id, place, topic, notes, counsellor_account, \
                 counsellor_name, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(id)
            .bind(session.kind.code())
            .bind(session.held_on.to_string())
            .bind(&session.unit_id)
            .bind(&session.place)
            .bind(&session.topic)
            .bind(seal(ring, Field::CounsellingNotes, id, &session.notes))
            .bind(counsellor.0)
            .bind(counsellor.1)
            .bind(&now)
            .execute(conn)
            .await?;
        });
        for person in &session.participants {
            on_tx!(&mut self.tx, |conn| {
                sqlx::query("INSERT INTO counselling_participants (session_id, person_id) VALUES ($1, $2)")
                    .bind(id)
                    .bind(person)
                    .execute(conn)
                    .await?;
            });
        }
        self.audit(AuditEvent::new("counselling.record", "counselling_session", id).details(
            serde_json::json!({
                "unit_id": session.unit_id, "held_on": session.held_on, "kind": session.kind.code(),
                "participants": session.participants.len(),
            }),
        ))
        .await?;
        Ok(())
    }

    pub async fn insert_counselling_station(
        &mut self,
        id: &str,
        station: &Station,
    ) -> Result<(), StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO counselling_stations (id, unit_id, place, opened_on, note, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(&station.unit_id)
            .bind(&station.place)
            .bind(station.opened_on.to_string())
            .bind(&station.note)
            .bind(&actor)
            .bind(&now)
            .execute(conn)
            .await
            .map_err(|e| on_unique(e, "unit_id"))?;
        });
        self.audit(
            AuditEvent::new("counselling_station.create", "counselling_station", id)
                .details(serde_json::json!({ "station": station })),
        )
        .await?;
        Ok(())
    }

    pub async fn insert_counselling_plan_item(
        &mut self,
        id: &str,
        item: &PlanItem,
    ) -> Result<(), StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO counselling_plan (id, year, month, kind, topic, audience, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(i64::from(item.year))
            .bind(i64::from(item.month))
            .bind(item.kind.code())
            .bind(&item.topic)
            .bind(&item.audience)
            .bind(&actor)
            .bind(&now)
            .execute(conn)
            .await?;
        });
        self.audit(
            AuditEvent::new("counselling_plan.add", "counselling_plan", id)
                .details(serde_json::json!({ "item": item })),
        )
        .await?;
        Ok(())
    }
}
