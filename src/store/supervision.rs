//! 督察: the supervisors (phones sealed), the year's targets, the meetings with their attendees,
//! and the opinions with their steps. Everything but a supervisor's own row is written once.

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::supervision::{Meeting, Opinion, OpinionKind, Step, StepKind, Supervisor, SupervisorKind};
use crate::keys::Keyring;
use crate::store::personal::{Field, open_optional, seal};
use crate::store::{
    AuditEvent, AuditedTx, Db, StoreError, decode_error, on_pool, on_tx, on_unique, parse_date, parse_ts, ts,
};

/// A supervisor as stored, the phone opened (the operations mask it for display).
#[derive(Debug, Clone)]
pub struct SupervisorRecord {
    pub id: String,
    pub kind: SupervisorKind,
    pub name: String,
    pub affiliation: String,
    pub phone: Option<String>,
    pub term_from: NaiveDate,
    pub term_to: NaiveDate,
    /// The 监督员 login linked to this supervisor, if any.
    pub account_id: Option<String>,
    pub version: i64,
}

/// A meeting as stored, with its attendees (id, name).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SupervisorMeeting {
    pub id: String,
    #[schema(value_type = String)]
    pub kind: SupervisorKind,
    pub held_on: NaiveDate,
    pub place: String,
    pub agenda: String,
    pub minutes: String,
    /// (supervisor id, name).
    pub attendees: Vec<(String, String)>,
    pub recorded_at: DateTime<Utc>,
}

/// An opinion as stored, with its steps in order.
#[derive(Debug, Clone)]
pub struct OpinionRecord {
    pub id: String,
    pub supervisor_id: String,
    pub supervisor_name: String,
    pub supervisor_kind: SupervisorKind,
    pub meeting_id: Option<String>,
    pub kind: OpinionKind,
    pub received_on: NaiveDate,
    pub content: String,
    pub steps: Vec<Step>,
}

type SupervisorRow = (String, String, String, String, Option<String>, String, String, Option<String>, i64);
type MeetingRow = (String, String, String, String, String, String, String);
type OpinionRow = (String, String, String, String, Option<String>, String, String, String);
type StepRow = (String, i64, String, Option<String>, Option<String>, String, String);

macro_rules! supervisor_columns {
    () => {
        "SELECT id, kind, name, affiliation, phone, term_from, term_to, account_id, version FROM supervisors "
    };
}

macro_rules! opinion_columns {
    () => {
        "SELECT o.id, o.supervisor_id, s.name, s.kind, o.meeting_id, o.kind, o.received_on, o.content \
         FROM supervision_opinions o JOIN supervisors s ON s.id = o.supervisor_id "
    };
}

impl Db {
    fn supervisor_of(&self, row: SupervisorRow, ring: &Keyring) -> Result<SupervisorRecord, sqlx::Error> {
        let (id, kind, name, affiliation, phone, term_from, term_to, account_id, version) = row;
        Ok(SupervisorRecord {
            kind: SupervisorKind::parse(&kind).ok_or_else(|| decode_error("supervisor kind", &kind))?,
            phone: open_optional(ring, Field::SupervisorPhone, &id, phone.as_deref())?,
            term_from: parse_date(&term_from)?,
            term_to: parse_date(&term_to)?,
            id,
            name,
            affiliation,
            account_id,
            version,
        })
    }

    /// The register: every supervisor, by kind then name.
    pub async fn supervisors(&self) -> Result<Vec<SupervisorRecord>, sqlx::Error> {
        let rows: Vec<SupervisorRow> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(supervisor_columns!(), "ORDER BY kind, name, id")).fetch_all(pool).await?
        });
        let ring = self.personal_ring()?;
        rows.into_iter().map(|r| self.supervisor_of(r, &ring)).collect()
    }

    pub async fn supervisor(&self, id: &str) -> Result<Option<SupervisorRecord>, sqlx::Error> {
        let row: Option<SupervisorRow> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(supervisor_columns!(), "WHERE id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        let ring = self.personal_ring()?;
        row.map(|r| self.supervisor_of(r, &ring)).transpose()
    }

    /// The supervisor a 监督员 login stands for.
    pub async fn supervisor_of_account(
        &self,
        account_id: &str,
    ) -> Result<Option<SupervisorRecord>, sqlx::Error> {
        let row: Option<SupervisorRow> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(supervisor_columns!(), "WHERE account_id = $1"))
                .bind(account_id)
                .fetch_optional(pool)
                .await?
        });
        let ring = self.personal_ring()?;
        row.map(|r| self.supervisor_of(r, &ring)).transpose()
    }

    /// The targets the office set for a year (kinds it did not set take the plan's defaults).
    pub async fn supervision_targets(&self, year: i32) -> Result<Vec<(SupervisorKind, u32)>, sqlx::Error> {
        let rows: Vec<(String, i64)> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT kind, meetings FROM supervision_targets WHERE year = $1")
                .bind(i64::from(year))
                .fetch_all(pool)
                .await?
        });
        rows.into_iter()
            .map(|(kind, n)| {
                Ok((
                    SupervisorKind::parse(&kind).ok_or_else(|| decode_error("supervisor kind", &kind))?,
                    u32::try_from(n).unwrap_or_default(),
                ))
            })
            .collect()
    }

    /// The meetings held between two days (inclusive), the latest first.
    pub async fn supervision_meetings(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<SupervisorMeeting>, sqlx::Error> {
        let rows: Vec<MeetingRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, kind, held_on, place, agenda, minutes, recorded_at FROM supervision_meetings \
                 WHERE held_on >= $1 AND held_on <= $2 ORDER BY held_on DESC, id DESC",
            )
            .bind(from.to_string())
            .bind(to.to_string())
            .fetch_all(pool)
            .await?
        });
        self.meetings_of(rows).await
    }

    pub async fn supervision_meeting(&self, id: &str) -> Result<Option<SupervisorMeeting>, sqlx::Error> {
        let rows: Vec<MeetingRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, kind, held_on, place, agenda, minutes, recorded_at FROM supervision_meetings WHERE id = $1",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        Ok(self.meetings_of(rows).await?.into_iter().next())
    }

    async fn meetings_of(&self, rows: Vec<MeetingRow>) -> Result<Vec<SupervisorMeeting>, sqlx::Error> {
        let mut out = Vec::with_capacity(rows.len());
        for (id, kind, held_on, place, agenda, minutes, at) in rows {
            let attendees: Vec<(String, String)> = on_pool!(self, |pool| {
                sqlx::query_as(
                    "SELECT s.id, s.name FROM supervision_attendees a JOIN supervisors s ON s.id = a.supervisor_id \
                     WHERE a.meeting_id = $1 ORDER BY s.name, s.id",
                )
                .bind(&id)
                .fetch_all(pool)
                .await?
            });
            out.push(SupervisorMeeting {
                kind: SupervisorKind::parse(&kind).ok_or_else(|| decode_error("meeting kind", &kind))?,
                held_on: parse_date(&held_on)?,
                recorded_at: parse_ts(&at)?,
                id,
                place,
                agenda,
                minutes,
                attendees,
            });
        }
        Ok(out)
    }

    /// Opinions with their steps, the latest received first: every one, or one supervisor's.
    pub async fn supervision_opinions(
        &self,
        supervisor: Option<&str>,
    ) -> Result<Vec<OpinionRecord>, sqlx::Error> {
        let rows: Vec<OpinionRow> = on_pool!(self, |pool| {
            match supervisor {
                Some(id) => {
                    sqlx::query_as(concat!(
                        opinion_columns!(),
                        "WHERE o.supervisor_id = $1 ORDER BY o.received_on DESC, o.id DESC"
                    ))
                    .bind(id)
                    .fetch_all(pool)
                    .await?
                }
                None => {
                    sqlx::query_as(concat!(opinion_columns!(), "ORDER BY o.received_on DESC, o.id DESC"))
                        .fetch_all(pool)
                        .await?
                }
            }
        });
        let steps: Vec<StepRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT opinion_id, seq, kind, unit_id, due_on, body, on_day FROM supervision_steps \
                 ORDER BY opinion_id, seq",
            )
            .fetch_all(pool)
            .await?
        });
        let mut steps_of: std::collections::HashMap<String, Vec<Step>> = std::collections::HashMap::new();
        for row in steps {
            let opinion = row.0.clone();
            steps_of.entry(opinion).or_default().push(step_of(row)?);
        }
        rows.into_iter()
            .map(|row| {
                let steps = steps_of.remove(&row.0).unwrap_or_default();
                opinion_of(row, steps)
            })
            .collect()
    }

    pub async fn supervision_opinion(&self, id: &str) -> Result<Option<OpinionRecord>, sqlx::Error> {
        let row: Option<OpinionRow> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(opinion_columns!(), "WHERE o.id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        let Some(row) = row else { return Ok(None) };
        let steps: Vec<StepRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT opinion_id, seq, kind, unit_id, due_on, body, on_day FROM supervision_steps \
                 WHERE opinion_id = $1 ORDER BY seq",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        let steps = steps.into_iter().map(step_of).collect::<Result<Vec<_>, _>>()?;
        opinion_of(row, steps).map(Some)
    }
}

fn step_action(kind: StepKind) -> &'static str {
    match kind {
        StepKind::Assigned => "supervision_opinion.assign",
        StepKind::Answered => "supervision_opinion.answer",
        StepKind::Accepted => "supervision_opinion.accept",
        StepKind::Returned => "supervision_opinion.return",
    }
}

fn step_of((_, seq, kind, unit_id, due_on, body, on): StepRow) -> Result<Step, sqlx::Error> {
    Ok(Step {
        seq,
        kind: StepKind::parse(&kind).ok_or_else(|| decode_error("opinion step", &kind))?,
        unit_id,
        due_on: due_on.as_deref().map(parse_date).transpose()?,
        body,
        on: parse_date(&on)?,
    })
}

fn opinion_of(row: OpinionRow, steps: Vec<Step>) -> Result<OpinionRecord, sqlx::Error> {
    let (id, supervisor_id, supervisor_name, supervisor_kind, meeting_id, kind, received_on, content) = row;
    Ok(OpinionRecord {
        supervisor_kind: SupervisorKind::parse(&supervisor_kind)
            .ok_or_else(|| decode_error("supervisor kind", &supervisor_kind))?,
        kind: OpinionKind::parse(&kind).ok_or_else(|| decode_error("opinion kind", &kind))?,
        received_on: parse_date(&received_on)?,
        id,
        supervisor_id,
        supervisor_name,
        meeting_id,
        content,
        steps,
    })
}

impl AuditedTx {
    /// Adds a supervisor (`version` 0) or changes one over the version read; answers the new
    /// version. The phone is sealed; the audit record says whether it changed, never what it is.
    pub async fn save_supervisor(
        &mut self,
        id: &str,
        supervisor: &Supervisor,
        account_id: Option<&str>,
        version: i64,
        ring: &Keyring,
    ) -> Result<i64, StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        let phone = supervisor.phone.as_ref().map(|p| seal(ring, Field::SupervisorPhone, id, p.as_str()));
        let written = on_tx!(&mut self.tx, |conn| {
            if version == 0 {
                sqlx::query(
                    "INSERT INTO supervisors (id, kind, name, affiliation, phone, term_from, term_to, account_id, \
                     version, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10)",
                )
                .bind(id)
                .bind(supervisor.kind.code())
                .bind(&supervisor.name)
                .bind(&supervisor.affiliation)
                .bind(&phone)
                .bind(supervisor.term_from.to_string())
                .bind(supervisor.term_to.to_string())
                .bind(account_id)
                .bind(&actor)
                .bind(&now)
                .execute(conn)
                .await
                .map_err(|e| on_unique(e, "account"))?
                .rows_affected()
            } else {
                sqlx::query(
                    "UPDATE supervisors SET kind = $1, name = $2, affiliation = $3, phone = $4, term_from = $5, \
                     term_to = $6, account_id = $7, version = version + 1, recorded_by = $8, recorded_at = $9 \
                     WHERE id = $10 AND version = $11",
                )
                .bind(supervisor.kind.code())
                .bind(&supervisor.name)
                .bind(&supervisor.affiliation)
                .bind(&phone)
                .bind(supervisor.term_from.to_string())
                .bind(supervisor.term_to.to_string())
                .bind(account_id)
                .bind(&actor)
                .bind(&now)
                .bind(id)
                .bind(version)
                .execute(conn)
                .await
                .map_err(|e| on_unique(e, "account"))?
                .rows_affected()
            }
        });
        if written == 0 {
            return Err(StoreError::Conflict);
        }
        self.audit(AuditEvent::new("supervisor.save", "supervisor", id).details(serde_json::json!({
            "kind": supervisor.kind.code(), "name": supervisor.name, "term_from": supervisor.term_from,
            "term_to": supervisor.term_to, "has_phone": supervisor.phone.is_some(), "account_id": account_id,
            "version": version + 1,
        })))
        .await?;
        Ok(version + 1)
    }

    pub async fn set_supervision_target(
        &mut self,
        year: i32,
        kind: SupervisorKind,
        meetings: u32,
    ) -> Result<(), StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO supervision_targets (year, kind, meetings, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (year, kind) DO UPDATE SET meetings = excluded.meetings, recorded_by = excluded.recorded_by, \
                 recorded_at = excluded.recorded_at",
            )
            .bind(i64::from(year))
            .bind(kind.code())
            .bind(i64::from(meetings))
            .bind(&actor)
            .bind(&now)
            .execute(conn)
            .await?;
        });
        self.audit(
            AuditEvent::new(
                "supervision_target.set",
                "supervision_target",
                format!("{year}:{}", kind.code()),
            )
            .details(serde_json::json!({ "meetings": meetings })),
        )
        .await?;
        Ok(())
    }

    pub async fn insert_supervision_meeting(
        &mut self,
        id: &str,
        meeting: &Meeting,
    ) -> Result<(), StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO supervision_meetings (id, kind, held_on, place, agenda, minutes, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(meeting.kind.code())
            .bind(meeting.held_on.to_string())
            .bind(&meeting.place)
            .bind(&meeting.agenda)
            .bind(&meeting.minutes)
            .bind(&actor)
            .bind(&now)
            .execute(conn)
            .await?;
        });
        for supervisor in &meeting.attendees {
            on_tx!(&mut self.tx, |conn| {
                sqlx::query("INSERT INTO supervision_attendees (meeting_id, supervisor_id) VALUES ($1, $2)")
                    .bind(id)
                    .bind(supervisor)
                    .execute(conn)
                    .await?;
            });
        }
        self.audit(AuditEvent::new("supervision_meeting.record", "supervision_meeting", id).details(
            serde_json::json!({
                "kind": meeting.kind.code(), "held_on": meeting.held_on, "attendees": meeting.attendees.len(),
            }),
        ))
        .await?;
        Ok(())
    }

    pub async fn insert_supervision_opinion(
        &mut self,
        id: &str,
        opinion: &Opinion,
    ) -> Result<(), StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO supervision_opinions (id, supervisor_id, meeting_id, kind, received_on, content, \
                 recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(&opinion.supervisor_id)
            .bind(&opinion.meeting_id)
            .bind(opinion.kind.code())
            .bind(opinion.received_on.to_string())
            .bind(&opinion.content)
            .bind(&actor)
            .bind(&now)
            .execute(conn)
            .await?;
        });
        self.audit(AuditEvent::new("supervision_opinion.record", "supervision_opinion", id).details(
            serde_json::json!({
                "supervisor_id": opinion.supervisor_id, "meeting_id": opinion.meeting_id,
                "kind": opinion.kind.code(), "received_on": opinion.received_on,
            }),
        ))
        .await?;
        Ok(())
    }

    /// Appends a step as number `step.seq`: the number after the last one the caller read, so
    /// that a step taken by someone else meanwhile makes this one a conflict, not a second step.
    pub async fn add_supervision_step(&mut self, opinion_id: &str, step: &Step) -> Result<(), StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO supervision_steps (opinion_id, seq, kind, unit_id, due_on, body, actor, at, on_day) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(opinion_id)
            .bind(step.seq)
            .bind(step.kind.code())
            .bind(&step.unit_id)
            .bind(step.due_on.map(|d| d.to_string()))
            .bind(&step.body)
            .bind(&actor)
            .bind(&now)
            .bind(step.on.to_string())
            .execute(conn)
            .await
            .map_err(crate::store::on_taken_key)?;
        });
        self.audit(AuditEvent::new(step_action(step.kind), "supervision_opinion", opinion_id).details(
            serde_json::json!({
                "seq": step.seq, "unit_id": step.unit_id, "due_on": step.due_on,
            }),
        ))
        .await?;
        Ok(())
    }
}
