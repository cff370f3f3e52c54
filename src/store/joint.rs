//! Joint work with other departments: the partner departments (editable over versions), the
//! 联席会议 (append-only) and the tasks agreed at them (changed once, when done).

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::intake::joint::{Department, Meeting, Task};
use crate::store::{
    AuditEvent, AuditedTx, Db, StoreError, decode_error, on_pool, on_tx, parse_date, parse_ts, ts,
};

/// A recorded 联席会议.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct MeetingRecord {
    pub id: String,
    pub held_on: NaiveDate,
    pub topic: String,
    pub place: String,
    pub departments: Vec<String>,
    pub attendees: String,
    pub minutes: String,
    /// The account that recorded it.
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

/// A task agreed at a meeting.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TaskRecord {
    pub id: String,
    pub meeting_id: String,
    pub task: String,
    pub owner: String,
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
    pub outcome: String,
    pub version: i64,
}

#[derive(sqlx::FromRow)]
struct MeetingRow {
    id: String,
    held_on: String,
    topic: String,
    place: String,
    departments: String,
    attendees: String,
    minutes: String,
    recorded_by: String,
    recorded_at: String,
}

impl TryFrom<MeetingRow> for MeetingRecord {
    type Error = sqlx::Error;
    fn try_from(row: MeetingRow) -> Result<Self, sqlx::Error> {
        Ok(MeetingRecord {
            held_on: parse_date(&row.held_on)?,
            departments: serde_json::from_str(&row.departments)
                .map_err(|_| decode_error("departments", &row.departments))?,
            recorded_at: parse_ts(&row.recorded_at)?,
            id: row.id,
            topic: row.topic,
            place: row.place,
            attendees: row.attendees,
            minutes: row.minutes,
            recorded_by: row.recorded_by,
        })
    }
}

type TaskRow = (String, String, String, String, String, Option<String>, String, i64);
/// A task row with its meeting's topic.
type OpenTaskRow = (String, String, String, String, String, Option<String>, String, i64, String);

fn task_of(row: TaskRow) -> Result<TaskRecord, sqlx::Error> {
    let (id, meeting_id, task, owner, due_on, done_on, outcome, version) = row;
    Ok(TaskRecord {
        due_on: parse_date(&due_on)?,
        done_on: done_on.as_deref().map(parse_date).transpose()?,
        id,
        meeting_id,
        task,
        owner,
        outcome,
        version,
    })
}

macro_rules! meeting_columns {
    () => {
        "SELECT id, held_on, topic, place, departments, attendees, minutes, recorded_by, recorded_at FROM joint_meetings "
    };
}

macro_rules! task_columns {
    () => {
        "SELECT id, meeting_id, task, owner, due_on, done_on, outcome, version FROM joint_tasks "
    };
}

impl Db {
    /// Every partner department, the active ones first.
    pub async fn departments(&self) -> Result<Vec<Department>, sqlx::Error> {
        let rows: Vec<(String, String, bool, i64)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, name, active, version FROM partner_departments ORDER BY active DESC, name",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, name, active, version)| Department { id, name, active, version })
            .collect())
    }

    /// The meetings held in `[from, to]`, the latest first.
    pub async fn joint_meetings(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<MeetingRecord>, sqlx::Error> {
        let sql = concat!(
            meeting_columns!(),
            "WHERE held_on >= $1 AND held_on <= $2 ORDER BY held_on DESC, id DESC"
        );
        let rows: Vec<MeetingRow> = on_pool!(self, |pool| {
            sqlx::query_as(sql).bind(from.to_string()).bind(to.to_string()).fetch_all(pool).await?
        });
        rows.into_iter().map(MeetingRecord::try_from).collect()
    }

    pub async fn joint_meeting(&self, id: &str) -> Result<Option<MeetingRecord>, sqlx::Error> {
        let sql = concat!(meeting_columns!(), "WHERE id = $1");
        let row: Option<MeetingRow> =
            on_pool!(self, |pool| { sqlx::query_as(sql).bind(id).fetch_optional(pool).await? });
        row.map(MeetingRecord::try_from).transpose()
    }

    /// The tasks of the meetings named, the earliest due first.
    pub async fn joint_tasks(&self, meeting_ids: &[String]) -> Result<Vec<TaskRecord>, sqlx::Error> {
        let mut out = Vec::new();
        for id in meeting_ids {
            let sql = concat!(task_columns!(), "WHERE meeting_id = $1 ORDER BY due_on, added_at, id");
            let rows: Vec<TaskRow> =
                on_pool!(self, |pool| { sqlx::query_as(sql).bind(id).fetch_all(pool).await? });
            for row in rows {
                out.push(task_of(row)?);
            }
        }
        Ok(out)
    }

    pub async fn joint_task(&self, id: &str) -> Result<Option<TaskRecord>, sqlx::Error> {
        let sql = concat!(task_columns!(), "WHERE id = $1");
        let row: Option<TaskRow> =
            on_pool!(self, |pool| { sqlx::query_as(sql).bind(id).fetch_optional(pool).await? });
        row.map(task_of).transpose()
    }

    /// Tasks still open whose day is before `before`, the most overdue first, with their
    /// meeting's topic.
    pub async fn open_joint_tasks(
        &self,
        before: NaiveDate,
        limit: i64,
    ) -> Result<Vec<(TaskRecord, String)>, sqlx::Error> {
        let rows: Vec<OpenTaskRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                    "SELECT t.id, t.meeting_id, t.task, t.owner, t.due_on, t.done_on, t.outcome, t.version, m.topic \
                     FROM joint_tasks t JOIN joint_meetings m ON m.id = t.meeting_id \
                     WHERE t.done_on IS NULL AND t.due_on < $1 ORDER BY t.due_on, t.id LIMIT $2",
                )
                .bind(before.to_string())
                .bind(limit)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter()
            .map(|(id, meeting, task, owner, due, done, outcome, version, topic)| {
                Ok((task_of((id, meeting, task, owner, due, done, outcome, version))?, topic))
            })
            .collect()
    }
}

impl AuditedTx {
    /// Adds a department (`version` 0) or changes one over the version read; answers the new
    /// version.
    pub async fn save_department(&mut self, department: &Department) -> Result<i64, StoreError> {
        let written = on_tx!(&mut self.tx, |conn| {
            if department.version == 0 {
                sqlx::query(
                    "INSERT INTO partner_departments (id, name, active, version) VALUES ($1, $2, $3, 1)",
                )
                .bind(&department.id)
                .bind(&department.name)
                .bind(department.active)
                .execute(conn)
                .await
                .map_err(|e| crate::store::on_unique(e, "id"))?
                .rows_affected()
            } else {
                sqlx::query(
                    "UPDATE partner_departments SET name = $1, active = $2, version = version + 1 \
                     WHERE id = $3 AND version = $4",
                )
                .bind(&department.name)
                .bind(department.active)
                .bind(&department.id)
                .bind(department.version)
                .execute(conn)
                .await
                .map_err(|e| crate::store::on_unique(e, "name"))?
                .rows_affected()
            }
        });
        if written == 0 {
            return Err(StoreError::Conflict);
        }
        self.audit(
            AuditEvent::new("partner_department.save", "partner_department", &department.id)
                .details(serde_json::json!({ "name": department.name, "active": department.active })),
        )
        .await?;
        // A row was written at the version read, so the read version is a stored one, far below
        // the largest.
        Ok(department.version + 1)
    }

    pub async fn insert_joint_meeting(&mut self, id: &str, meeting: &Meeting) -> Result<(), StoreError> {
        let now = ts(self.now());
        let actor = self.actor().to_owned();
        let departments = serde_json::to_string(&meeting.departments).expect("names serialise");
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO joint_meetings (id, held_on, topic, place, departments, attendees, minutes, recorded_by, \
                 recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id)
            .bind(meeting.held_on.to_string())
            .bind(&meeting.topic)
            .bind(&meeting.place)
            .bind(&departments)
            .bind(&meeting.attendees)
            .bind(&meeting.minutes)
            .bind(&actor)
            .bind(&now)
            .execute(conn)
            .await?;
        });
        self.audit(AuditEvent::new("joint_meeting.record", "joint_meeting", id).details(serde_json::json!({
            "held_on": meeting.held_on, "topic": meeting.topic, "departments": meeting.departments,
        })))
        .await?;
        Ok(())
    }

    pub async fn insert_joint_task(
        &mut self,
        id: &str,
        meeting_id: &str,
        task: &Task,
    ) -> Result<(), StoreError> {
        let now = ts(self.now());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO joint_tasks (id, meeting_id, task, owner, due_on, done_on, outcome, added_at, version) \
                 VALUES ($1, $2, $3, $4, $5, NULL, '', $6, 1)",
            )
            .bind(id)
            .bind(meeting_id)
            .bind(&task.task)
            .bind(&task.owner)
            .bind(task.due_on.to_string())
            .bind(&now)
            .execute(conn)
            .await?;
        });
        self.audit(AuditEvent::new("joint_task.add", "joint_task", id).details(serde_json::json!({
            "meeting_id": meeting_id, "task": task.task, "owner": task.owner, "due_on": task.due_on,
        })))
        .await?;
        Ok(())
    }

    /// Reports a task done over the version read; a task is done once.
    pub async fn complete_joint_task(
        &mut self,
        id: &str,
        version: i64,
        done_on: NaiveDate,
        outcome: &str,
    ) -> Result<i64, StoreError> {
        let written = on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "UPDATE joint_tasks SET done_on = $1, outcome = $2, version = version + 1 \
                 WHERE id = $3 AND version = $4 AND done_on IS NULL",
            )
            .bind(done_on.to_string())
            .bind(outcome)
            .bind(id)
            .bind(version)
            .execute(conn)
            .await?
            .rows_affected()
        });
        if written == 0 {
            return Err(StoreError::Conflict);
        }
        self.audit(
            AuditEvent::new("joint_task.done", "joint_task", id)
                .details(serde_json::json!({ "done_on": done_on, "outcome": outcome })),
        )
        .await?;
        Ok(version + 1)
    }
}
