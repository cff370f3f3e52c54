//! 三步走约谈: the talk's row (with the state folded from its events, for listing) and its
//! append-only events.

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::talks::{TalkDraft, TalkEvent, TalkState, state};
use crate::store::org::Visibility;
use crate::store::{
    AuditEvent, AuditedTx, Db, StoreError, decode_error, on_pool, on_tx, parse_date, parse_ts, ts,
    visible_units,
};

/// A talk as stored, with its events and state.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Talk {
    pub id: String,
    pub party_id: String,
    /// The party's name as in the registry.
    pub party_name: String,
    pub unit_id: String,
    pub unit_name: String,
    pub subject: String,
    #[schema(value_type = String, format = Date)]
    pub opened_on: NaiveDate,
    pub state: TalkState,
    pub case_id: Option<String>,
    pub recorded_by: String,
    pub version: i64,
    pub events: Vec<RecordedEvent>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RecordedEvent {
    #[serde(flatten)]
    pub event: TalkEvent,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

macro_rules! talk_columns {
    () => {
        "SELECT t.id, t.party_id, pa.name, t.unit_id, un.name, t.subject, t.opened_on, t.case_id, t.recorded_by, \
         t.version FROM talks t JOIN parties pa ON pa.id = t.party_id JOIN units un ON un.id = t.unit_id "
    };
}

type TalkRow = (String, String, String, String, String, String, String, Option<String>, String, i64);

fn decode_event(
    (talk, body, by, at): (String, String, String, String),
) -> Result<(String, RecordedEvent), sqlx::Error> {
    let event: TalkEvent =
        serde_json::from_str(&body).map_err(|_| decode_error("talk_events.body", &talk))?;
    Ok((talk, RecordedEvent { event, recorded_by: by, recorded_at: parse_ts(&at)? }))
}

/// Which talks to list: all in scope, or one party's.
#[derive(Debug, Clone, Default)]
pub struct TalkFilter {
    pub party_id: String,
    /// `open` (awaiting or not corrected) or empty.
    pub open_only: bool,
}

impl Db {
    async fn talk_events(&self, id: &str) -> Result<Vec<(String, RecordedEvent)>, sqlx::Error> {
        let rows: Vec<(String, String, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT talk_id, body, recorded_by, recorded_at FROM talk_events WHERE talk_id = $1 ORDER BY seq",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(decode_event).collect()
    }

    fn talks_of(rows: Vec<TalkRow>, events: Vec<(String, RecordedEvent)>) -> Result<Vec<Talk>, sqlx::Error> {
        let mut by_talk: std::collections::HashMap<String, Vec<RecordedEvent>> =
            std::collections::HashMap::new();
        for (talk, event) in events {
            by_talk.entry(talk).or_default().push(event);
        }
        rows.into_iter()
            .map(|(id, party_id, party_name, unit_id, unit_name, subject, opened, case_id, by, version)| {
                let mine = by_talk.remove(&id).unwrap_or_default();
                let plain: Vec<TalkEvent> = mine.iter().map(|e| e.event.clone()).collect();
                Ok(Talk {
                    state: state(&plain).ok_or_else(|| decode_error("talk_events", &id))?,
                    id,
                    party_id,
                    party_name,
                    unit_id,
                    unit_name,
                    subject,
                    opened_on: parse_date(&opened)?,
                    case_id,
                    recorded_by: by,
                    version,
                    events: mine,
                })
            })
            .collect()
    }

    /// The talks in scope, open ones first (the earliest re-inspection first), then the latest.
    pub async fn talks(
        &self,
        visibility: &Visibility,
        filter: &TalkFilter,
    ) -> Result<Vec<Talk>, sqlx::Error> {
        let (mode, unit, _) = visibility.binds();
        let rows: Vec<TalkRow> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                visible_units!(),
                talk_columns!(),
                "WHERE ($1 = 'all' OR ($1 IN ('unit', 'subtree') AND t.unit_id IN (SELECT id FROM visible))) \
                 AND ($3 = '' OR t.party_id = $3) AND ($4 = 0 OR t.state IN ('awaiting', 'not_corrected')) \
                 ORDER BY CASE WHEN t.state IN ('awaiting', 'not_corrected') THEN 0 ELSE 1 END, \
                 COALESCE(t.due_on, ''), t.opened_on DESC, t.id LIMIT 500"
            ))
            .bind(mode)
            .bind(&unit)
            .bind(&filter.party_id)
            .bind(i64::from(filter.open_only))
            .fetch_all(pool)
            .await?
        });
        // One query for the events of every talk listed (the same conditions), not one per talk.
        let event_rows: Vec<(String, String, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                visible_units!(),
                "SELECT e.talk_id, e.body, e.recorded_by, e.recorded_at FROM talk_events e JOIN talks t ON t.id = e.talk_id \
                 WHERE ($1 = 'all' OR ($1 IN ('unit', 'subtree') AND t.unit_id IN (SELECT id FROM visible))) \
                 AND ($3 = '' OR t.party_id = $3) AND ($4 = 0 OR t.state IN ('awaiting', 'not_corrected')) \
                 ORDER BY e.talk_id, e.seq"
            ))
            .bind(mode)
            .bind(&unit)
            .bind(&filter.party_id)
            .bind(i64::from(filter.open_only))
            .fetch_all(pool)
            .await?
        });
        let events = event_rows.into_iter().map(decode_event).collect::<Result<Vec<_>, _>>()?;
        Self::talks_of(rows, events)
    }

    pub async fn talk(&self, visibility: &Visibility, id: &str) -> Result<Option<Talk>, sqlx::Error> {
        let (mode, unit, _) = visibility.binds();
        let rows: Vec<TalkRow> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                visible_units!(),
                talk_columns!(),
                "WHERE ($1 = 'all' OR ($1 IN ('unit', 'subtree') AND t.unit_id IN (SELECT id FROM visible))) \
                 AND t.id = $3"
            ))
            .bind(mode)
            .bind(&unit)
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        let events = self.talk_events(id).await?;
        Ok(Self::talks_of(rows, events)?.into_iter().next())
    }
}

impl AuditedTx {
    pub async fn insert_talk(&mut self, id: &str, draft: &TalkDraft) -> Result<(), StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        let first = state(std::slice::from_ref(&draft.first)).expect("a step");
        let opened_on = match &draft.first {
            TalkEvent::Step { held_on, .. } => *held_on,
            _ => unreachable!("a talk opens with its first step"),
        };
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO talks (id, party_id, unit_id, subject, opened_on, state, due_on, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id)
            .bind(&draft.party_id)
            .bind(&draft.unit_id)
            .bind(&draft.subject)
            .bind(opened_on.to_string())
            .bind(first.code())
            .bind(first.due().map(|d| d.to_string()))
            .bind(&actor)
            .bind(&now)
            .execute(conn)
            .await?;
        });
        self.append_talk_event(id, 1, &draft.first).await?;
        self.audit(AuditEvent::new("talk.open", "talk", id).details(serde_json::json!({
            "party_id": draft.party_id, "unit_id": draft.unit_id, "subject": draft.subject,
        })))
        .await?;
        Ok(())
    }

    async fn append_talk_event(&mut self, id: &str, seq: i64, event: &TalkEvent) -> Result<(), StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        let body = serde_json::to_string(event).expect("an event serialises");
        on_tx!(&mut self.tx, |conn| {
            sqlx::query("INSERT INTO talk_events (talk_id, seq, body, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(id)
                .bind(seq)
                .bind(&body)
                .bind(&actor)
                .bind(&now)
                .execute(conn)
                .await?;
        });
        Ok(())
    }

    /// Appends `event` (already checked against `events`, the talk as read at `version`) and
    /// moves the talk's row to the new state; a stale version changes nothing.
    pub async fn add_talk_event(
        &mut self,
        id: &str,
        version: i64,
        events: &[TalkEvent],
        event: &TalkEvent,
    ) -> Result<i64, StoreError> {
        let mut all = events.to_vec();
        all.push(event.clone());
        let new_state = state(&all).ok_or(StoreError::Conflict)?;
        let case_id = match &new_state {
            TalkState::Cased { case_id } => Some(case_id.clone()),
            _ => None,
        };
        let done = on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "UPDATE talks SET state = $1, due_on = $2, case_id = $3, version = version + 1 \
                 WHERE id = $4 AND version = $5",
            )
            .bind(new_state.code())
            .bind(new_state.due().map(|d| d.to_string()))
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
        self.append_talk_event(id, all.len() as i64, event).await?;
        let kind = match event {
            TalkEvent::Step { .. } => "talk.step",
            TalkEvent::Reinspection { .. } => "talk.reinspection",
            TalkEvent::Case { .. } => "talk.case",
        };
        self.audit(AuditEvent::new(kind, "talk", id).details(serde_json::json!({
            "event": event, "state": new_state.code(), "version": version + 1,
        })))
        .await?;
        Ok(version + 1)
    }
}
