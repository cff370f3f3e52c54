//! Training records: sessions, attendance, long absences, each year's compliance rules, and the
//! person's service dates and onboarding day (`domain::training` judges them).

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::training::{
    Absence, Attended, Category, ClosedFigure, ComplianceRules, Month, PlanItem, Service, SessionKind,
};
use crate::store::{
    AuditEvent, AuditedTx, Db, StoreError, decode_error, new_id, on_pool, on_tx, on_unique, parse_date,
    parse_ts, ts,
};

/// A training session as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub id: String,
    pub unit_id: String,
    pub unit_name: String,
    pub kind: SessionKind,
    pub topic: String,
    pub categories: Vec<Category>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub place: String,
    pub organiser_id: Option<String>,
    pub teacher: String,
    /// A make-up (补学): the session it makes up for.
    pub makes_up_for: Option<String>,
    /// A session with a test: the score that passes it.
    pub pass_mark: Option<i64>,
    /// How many attended (present or late).
    pub attended: i64,
}

/// A session to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub unit_id: String,
    pub kind: SessionKind,
    pub topic: String,
    pub categories: Vec<Category>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub place: String,
    pub organiser_id: Option<String>,
    pub teacher: String,
    pub makes_up_for: Option<String>,
    pub pass_mark: Option<i64>,
    /// Named participants; empty: everyone of the unit and the units below.
    pub participants: Vec<String>,
}

/// How an attendance came to be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttendanceStatus {
    Present,
    Late,
    /// 请假, with a reason: not attended.
    Leave,
}

impl AttendanceStatus {
    pub fn code(self) -> &'static str {
        match self {
            AttendanceStatus::Present => "present",
            AttendanceStatus::Late => "late",
            AttendanceStatus::Leave => "leave",
        }
    }
    pub fn parse(s: &str) -> Option<AttendanceStatus> {
        [AttendanceStatus::Present, AttendanceStatus::Late, AttendanceStatus::Leave]
            .into_iter()
            .find(|a| a.code() == s)
    }
}

/// One person's row of a month's compliance, before judging.
#[derive(Debug, Clone)]
pub struct PersonMonth {
    pub person_id: String,
    pub name: String,
    pub unit_id: String,
    pub unit_name: String,
    pub service: Service,
    /// Political and business studies attended in the month (make-ups not included).
    pub political: u32,
    pub business: u32,
    /// Make-ups (补学) attended from the month's start to the end of the next month.
    pub makeups: Vec<Attended>,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: String,
    unit_id: String,
    unit_name: String,
    kind: String,
    topic: String,
    categories: String,
    starts_at: String,
    ends_at: String,
    place: String,
    organiser_id: Option<String>,
    teacher: String,
    makes_up_for: Option<String>,
    pass_mark: Option<i64>,
    attended: i64,
}

impl TryFrom<SessionRow> for Session {
    type Error = sqlx::Error;
    fn try_from(row: SessionRow) -> Result<Self, Self::Error> {
        Ok(Session {
            kind: SessionKind::parse(&row.kind).ok_or_else(|| decode_error("session kind", &row.kind))?,
            categories: row
                .categories
                .split(',')
                .filter(|c| !c.is_empty())
                .map(|c| Category::parse(c).ok_or_else(|| decode_error("category", c)))
                .collect::<Result<_, _>>()?,
            starts_at: parse_ts(&row.starts_at)?,
            ends_at: parse_ts(&row.ends_at)?,
            id: row.id,
            unit_id: row.unit_id,
            unit_name: row.unit_name,
            topic: row.topic,
            place: row.place,
            organiser_id: row.organiser_id,
            teacher: row.teacher,
            makes_up_for: row.makes_up_for,
            pass_mark: row.pass_mark,
            attended: row.attended,
        })
    }
}

macro_rules! session_select {
    ($tail:literal) => {
        concat!(
            "SELECT s.id, s.unit_id, u.name AS unit_name, s.kind, s.topic, s.categories, s.starts_at, s.ends_at, \
             s.place, s.organiser_id, s.teacher, s.makes_up_for, s.pass_mark, \
             (SELECT COUNT(*) FROM training_attendance a WHERE a.session_id = s.id AND a.status <> 'leave') AS attended \
             FROM training_sessions s JOIN units u ON u.id = s.unit_id ",
            $tail
        )
    };
}

impl Db {
    pub async fn training_session(&self, id: &str) -> Result<Option<Session>, sqlx::Error> {
        let row: Option<SessionRow> = on_pool!(self, |pool| {
            sqlx::query_as(session_select!("WHERE s.id = $1")).bind(id).fetch_optional(pool).await?
        });
        row.map(Session::try_from).transpose()
    }

    /// Sessions starting from `from` to `to` (Beijing dates, both included), earliest first.
    pub async fn training_sessions(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Session>, sqlx::Error> {
        // A day either side in UTC, then each session placed by its Beijing date.
        let (first, last) = (from, to);
        let (from, to) =
            ((from - chrono::Duration::days(1)).to_string(), (to + chrono::Duration::days(1)).to_string());
        let rows: Vec<SessionRow> = on_pool!(self, |pool| {
            sqlx::query_as(session_select!(
                "WHERE s.starts_at >= $1 AND s.starts_at < $2 ORDER BY s.starts_at, s.id"
            ))
            .bind(&from)
            .bind(&to)
            .fetch_all(pool)
            .await?
        });
        let sessions: Vec<Session> = rows.into_iter().map(Session::try_from).collect::<Result<_, _>>()?;
        Ok(sessions
            .into_iter()
            .filter(|s| (first..=last).contains(&crate::domain::time::civil_date(s.starts_at)))
            .collect())
    }

    /// The compliance rules of `year`: as the office set them, or the plan's defaults.
    pub async fn training_rules(&self, year: i32) -> Result<ComplianceRules, sqlx::Error> {
        let body: Option<String> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT body FROM training_rules WHERE year = $1")
                .bind(i64::from(year))
                .fetch_optional(pool)
                .await?
        });
        match body {
            Some(body) => {
                serde_json::from_str(&body).map_err(|e| decode_error("training rules", &e.to_string()))
            }
            None => Ok(ComplianceRules::plan_default()),
        }
    }

    /// The rules of `year` and the version of the office's row (`None`: the plan's defaults,
    /// never set).
    pub async fn training_rules_versioned(
        &self,
        year: i32,
    ) -> Result<(ComplianceRules, Option<i64>), sqlx::Error> {
        let row: Option<(String, i64)> = on_pool!(self, |pool| {
            // `version` is INTEGER (four bytes on PostgreSQL) in 0025: read as BIGINT on both.
            sqlx::query_as("SELECT body, CAST(version AS BIGINT) FROM training_rules WHERE year = $1")
                .bind(i64::from(year))
                .fetch_optional(pool)
                .await?
        });
        match row {
            Some((body, version)) => Ok((
                serde_json::from_str(&body).map_err(|e| decode_error("training rules", &e.to_string()))?,
                Some(version),
            )),
            None => Ok((ComplianceRules::plan_default(), None)),
        }
    }

    /// What a month's compliance needs, for everyone in service during any of it: each person's
    /// service dates and long absences, the political and business studies they attended in
    /// the month (counted in SQL: the month's sessions, their attendance by its key, then per
    /// person), and the make-ups (补学) they attended from the month's first day to the end of
    /// the next month, which the domain places (`Attended::counts_for`).
    pub async fn training_month(&self, month: Month) -> Result<Vec<PersonMonth>, sqlx::Error> {
        let (first, last) = (month.first_day().to_string(), month.last_day().to_string());
        // Sessions are stored as UTC instants: the month runs from Beijing midnight of its first
        // day to Beijing midnight of the next month's, compared in the stored format.
        let midnight = |day: NaiveDate| ts(crate::domain::time::start_of_civil_day(day));
        let (start, end) = (midnight(month.first_day()), midnight(month.next().first_day()));
        let until = midnight(month.next().next().first_day());
        type PersonRow = (String, String, String, String, Option<String>, Option<String>, i64, i64);
        let people: Vec<PersonRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT p.id, p.name, p.unit_id, u.name, p.joined_on, p.left_on, \
                 COALESCE(c.political, 0), COALESCE(c.business, 0) FROM people p \
                 JOIN units u ON u.id = p.unit_id \
                 LEFT JOIN (SELECT a.person_id, \
                                   SUM(CASE WHEN s.kind = 'political' THEN 1 ELSE 0 END) AS political, \
                                   SUM(CASE WHEN s.kind = 'business' THEN 1 ELSE 0 END) AS business \
                            FROM training_sessions s JOIN training_attendance a ON a.session_id = s.id \
                            WHERE s.starts_at >= $3 AND s.starts_at < $4 AND s.makes_up_for IS NULL \
                            AND a.status <> 'leave' GROUP BY a.person_id) c ON c.person_id = p.id \
                 WHERE (p.joined_on IS NULL OR p.joined_on <= $2) AND (p.left_on IS NULL OR p.left_on >= $1) \
                 AND (p.active OR p.left_on IS NOT NULL) ORDER BY u.sort_order, p.name, p.id",
            )
            .bind(&first)
            .bind(&last)
            .bind(&start)
            .bind(&end)
            .fetch_all(pool)
            .await?
        });
        let absences = self.absences_between(&first, &last).await?;
        let makeups: Vec<(String, String, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT a.person_id, s.kind, s.starts_at, m.starts_at FROM training_sessions s \
                 JOIN training_sessions m ON m.id = s.makes_up_for \
                 JOIN training_attendance a ON a.session_id = s.id \
                 WHERE s.starts_at >= $1 AND s.starts_at < $2 AND s.makes_up_for IS NOT NULL AND a.status <> 'leave'",
            )
            .bind(&start)
            .bind(&until)
            .fetch_all(pool)
            .await?
        });
        let mut out = Vec::with_capacity(people.len());
        let mut index = std::collections::HashMap::with_capacity(people.len());
        for (person_id, name, unit_id, unit_name, joined, left, political, business) in people {
            index.insert(person_id.clone(), out.len());
            out.push(PersonMonth {
                person_id,
                name,
                unit_id,
                unit_name,
                service: Service {
                    joined_on: joined.as_deref().map(parse_date).transpose()?,
                    left_on: left.as_deref().map(parse_date).transpose()?,
                    absences: Vec::new(),
                },
                political: u32::try_from(political).unwrap_or(0),
                business: u32::try_from(business).unwrap_or(0),
                makeups: Vec::new(),
            });
        }
        for (person, absence) in absences {
            if let Some(&i) = index.get(&person) {
                out[i].service.absences.push(absence);
            }
        }
        let day = |instant: &str| -> Result<NaiveDate, sqlx::Error> {
            Ok(crate::domain::time::civil_date(parse_ts(instant)?))
        };
        for (person, kind, starts, missed) in makeups {
            if let Some(&i) = index.get(&person) {
                out[i].makeups.push(Attended {
                    kind: SessionKind::parse(&kind).ok_or_else(|| decode_error("session kind", &kind))?,
                    on: day(&starts)?,
                    makes_up_for: Some(day(&missed)?),
                });
            }
        }
        Ok(out)
    }

    /// The people a session names as its participants, by name (empty: the whole unit).
    pub async fn training_participants(
        &self,
        session_id: &str,
    ) -> Result<Vec<(String, String)>, sqlx::Error> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT p.id, p.name FROM training_participants t JOIN people p ON p.id = t.person_id \
                 WHERE t.session_id = $1 ORDER BY p.name, p.id",
            )
            .bind(session_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// For a year's requirement of one kind of session (the 春训): everyone on the register
    /// with their service dates and the long absences touching `from..=to`, and whether they
    /// attended a session of `kind` held in that span.
    pub async fn training_kind_attendance(
        &self,
        kind: SessionKind,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(PersonMonth, bool)>, sqlx::Error> {
        let (first, last) = (from.to_string(), to.to_string());
        let midnight = |day: NaiveDate| ts(crate::domain::time::start_of_civil_day(day));
        let (start, end) = (midnight(from), midnight(to + chrono::Duration::days(1)));
        type PersonRow = (String, String, String, String, Option<String>, Option<String>);
        let people: Vec<PersonRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT p.id, p.name, p.unit_id, u.name, p.joined_on, p.left_on FROM people p \
                 JOIN units u ON u.id = p.unit_id \
                 WHERE (p.joined_on IS NULL OR p.joined_on <= $2) AND (p.left_on IS NULL OR p.left_on >= $1) \
                 AND (p.active OR p.left_on IS NOT NULL) ORDER BY u.sort_order, p.name, p.id",
            )
            .bind(&first)
            .bind(&last)
            .fetch_all(pool)
            .await?
        });
        let absences = self.absences_between(&first, &last).await?;
        let attended: Vec<String> = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT DISTINCT a.person_id FROM training_sessions s JOIN training_attendance a ON a.session_id = s.id \
                 WHERE s.kind = $1 AND s.starts_at >= $2 AND s.starts_at < $3 AND a.status <> 'leave'",
            )
            .bind(kind.code())
            .bind(&start)
            .bind(&end)
            .fetch_all(pool)
            .await?
        });
        let attended: std::collections::HashSet<String> = attended.into_iter().collect();
        let mut out: Vec<(PersonMonth, bool)> = Vec::with_capacity(people.len());
        let mut index = std::collections::HashMap::with_capacity(people.len());
        for (person_id, name, unit_id, unit_name, joined, left) in people {
            index.insert(person_id.clone(), out.len());
            let went = attended.contains(&person_id);
            out.push((
                PersonMonth {
                    person_id,
                    name,
                    unit_id,
                    unit_name,
                    service: Service {
                        joined_on: joined.as_deref().map(parse_date).transpose()?,
                        left_on: left.as_deref().map(parse_date).transpose()?,
                        absences: Vec::new(),
                    },
                    political: 0,
                    business: 0,
                    makeups: Vec::new(),
                },
                went,
            ));
        }
        for (person, absence) in absences {
            if let Some(&i) = index.get(&person) {
                out[i].0.service.absences.push(absence);
            }
        }
        Ok(out)
    }

    /// The long absences touching `first..=last` (`YYYY-MM-DD`), by person.
    async fn absences_between(&self, first: &str, last: &str) -> Result<Vec<(String, Absence)>, sqlx::Error> {
        let rows: Vec<(String, String, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT person_id, kind, from_on, to_on FROM person_absences WHERE from_on <= $2 AND to_on >= $1",
            )
            .bind(first)
            .bind(last)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(person, kind, from, to)| {
                Ok((person, Absence { kind, from: parse_date(&from)?, to: parse_date(&to)? }))
            })
            .collect()
    }

    /// Whether the person attended this session already (signed in or recorded).
    pub async fn attendance_of(
        &self,
        session_id: &str,
        person_id: &str,
    ) -> Result<Option<String>, sqlx::Error> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT status FROM training_attendance WHERE session_id = $1 AND person_id = $2",
            )
            .bind(session_id)
            .bind(person_id)
            .fetch_optional(pool)
            .await?
        }))
    }
}

impl AuditedTx {
    pub async fn insert_training_session(&mut self, session: &NewSession) -> Result<String, StoreError> {
        let id = new_id(self.now());
        let now = ts(self.now());
        let categories = session.categories.iter().map(|c| c.code()).collect::<Vec<_>>().join(",");
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO training_sessions (id, unit_id, kind, topic, categories, starts_at, ends_at, place, \
                 organiser_id, teacher, makes_up_for, created_at, pass_mark) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(&id)
            .bind(&session.unit_id)
            .bind(session.kind.code())
            .bind(&session.topic)
            .bind(&categories)
            .bind(ts(session.starts_at))
            .bind(ts(session.ends_at))
            .bind(&session.place)
            .bind(&session.organiser_id)
            .bind(&session.teacher)
            .bind(&session.makes_up_for)
            .bind(&now)
            .bind(session.pass_mark)
            .execute(conn)
            .await?;
        });
        for person in &session.participants {
            on_tx!(&mut self.tx, |conn| {
                sqlx::query("INSERT INTO training_participants (session_id, person_id) VALUES ($1, $2)")
                    .bind(&id)
                    .bind(person)
                    .execute(conn)
                    .await
                    .map_err(|e| on_unique(e, "participants"))?;
            });
        }
        self.audit(AuditEvent::new("training.session.create", "training_session", &id).details(
            serde_json::json!({
                "unit_id": session.unit_id, "kind": session.kind.code(), "starts_at": ts(session.starts_at),
                "participants": session.participants.len(),
            }),
        ))
        .await?;
        Ok(id)
    }

    /// Records one attendance; a second one for the same person and session changes nothing
    /// and answers `false` (signing in twice is one attendance).
    pub async fn record_attendance(
        &mut self,
        session_id: &str,
        person_id: &str,
        status: AttendanceStatus,
        by_code: bool,
        reason: &str,
    ) -> Result<bool, StoreError> {
        let at = ts(self.now());
        let inserted = on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO training_attendance (session_id, person_id, status, how, at, reason) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (session_id, person_id) DO NOTHING",
            )
            .bind(session_id)
            .bind(person_id)
            .bind(status.code())
            .bind(if by_code { "code" } else { "recorded" })
            .bind(&at)
            .bind(reason)
            .execute(conn)
            .await?
            .rows_affected()
        });
        if inserted == 0 {
            return Ok(false);
        }
        self.audit(AuditEvent::new("training.attend", "training_session", session_id).details(serde_json::json!({
            "person_id": person_id, "status": status.code(), "how": if by_code { "code" } else { "recorded" },
            "reason": reason,
        })))
        .await?;
        Ok(true)
    }

    /// The person completed 岗前培训 on `on` (the onboarding gate opens from that day).
    pub async fn set_onboarded(&mut self, person_id: &str, on: NaiveDate) -> Result<(), StoreError> {
        on_tx!(&mut self.tx, |conn| {
            sqlx::query("UPDATE people SET onboarded_on = $1 WHERE id = $2 AND (onboarded_on IS NULL OR onboarded_on > $1)")
                .bind(on.to_string())
                .bind(person_id)
                .execute(conn)
                .await?;
        });
        self.audit(
            AuditEvent::new("person.onboarded", "person", person_id)
                .details(serde_json::json!({ "on": on.to_string() })),
        )
        .await?;
        Ok(())
    }

    /// The person's service dates (入职, 离职), as compliance reads them.
    pub async fn set_service(
        &mut self,
        person_id: &str,
        joined_on: Option<NaiveDate>,
        left_on: Option<NaiveDate>,
    ) -> Result<(), StoreError> {
        on_tx!(&mut self.tx, |conn| {
            sqlx::query("UPDATE people SET joined_on = $1, left_on = $2 WHERE id = $3")
                .bind(joined_on.map(|d| d.to_string()))
                .bind(left_on.map(|d| d.to_string()))
                .bind(person_id)
                .execute(conn)
                .await?;
        });
        self.audit(AuditEvent::new("person.service", "person", person_id).details(serde_json::json!({
            "joined_on": joined_on.map(|d| d.to_string()), "left_on": left_on.map(|d| d.to_string()),
        })))
        .await?;
        Ok(())
    }

    /// A long absence (病假, 产假, 借调 …) that excuses the months it touches.
    pub async fn insert_absence(&mut self, person_id: &str, absence: &Absence) -> Result<String, StoreError> {
        let id = new_id(self.now());
        let now = ts(self.now());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO person_absences (id, person_id, kind, from_on, to_on, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&id)
            .bind(person_id)
            .bind(&absence.kind)
            .bind(absence.from.to_string())
            .bind(absence.to.to_string())
            .bind(&now)
            .execute(conn)
            .await?;
        });
        // The kind of absence is personal (health): the audit record keeps the dates only.
        self.audit(AuditEvent::new("person.absence", "person", person_id).details(serde_json::json!({
            "from": absence.from.to_string(), "to": absence.to.to_string(),
        })))
        .await?;
        Ok(id)
    }
}

/// One line of a session's attendance list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceLine {
    pub person_id: String,
    pub name: String,
    pub unit_name: String,
    pub status: String,
    /// `code` (signed in with the room's code) or `recorded` (by the organiser, with a reason).
    pub how: String,
    pub at: DateTime<Utc>,
    pub reason: String,
    /// The test score, where the session has a test and it was recorded.
    pub score: Option<i64>,
    /// When the person left before the end (早退), as the organiser recorded it.
    pub left_early_at: Option<DateTime<Utc>>,
}

impl Db {
    /// A person's service as recorded: the days they joined and left, and their long absences,
    /// latest first. `None` when there is no such person.
    pub async fn person_service(&self, person_id: &str) -> Result<Option<Service>, sqlx::Error> {
        let dates: Option<(Option<String>, Option<String>)> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT joined_on, left_on FROM people WHERE id = $1")
                .bind(person_id)
                .fetch_optional(pool)
                .await?
        });
        let Some((joined_on, left_on)) = dates else { return Ok(None) };
        let absences: Vec<(String, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT kind, from_on, to_on FROM person_absences WHERE person_id = $1 ORDER BY from_on DESC, id",
            )
            .bind(person_id)
            .fetch_all(pool)
            .await?
        });
        Ok(Some(Service {
            joined_on: joined_on.as_deref().map(parse_date).transpose()?,
            left_on: left_on.as_deref().map(parse_date).transpose()?,
            absences: absences
                .into_iter()
                .map(|(kind, from, to)| Ok(Absence { kind, from: parse_date(&from)?, to: parse_date(&to)? }))
                .collect::<Result<_, sqlx::Error>>()?,
        }))
    }

    /// Who attended a session (or is on leave from it), in the order they signed in.
    pub async fn training_attendance(&self, session_id: &str) -> Result<Vec<AttendanceLine>, sqlx::Error> {
        type Row = (String, String, String, String, String, String, String, Option<i64>, Option<String>);
        let rows: Vec<Row> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT a.person_id, p.name, u.name, a.status, a.how, a.at, a.reason, a.score, a.left_early_at \
                 FROM training_attendance a \
                 JOIN people p ON p.id = a.person_id JOIN units u ON u.id = p.unit_id \
                 WHERE a.session_id = $1 ORDER BY a.at, p.name",
            )
            .bind(session_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(person_id, name, unit_name, status, how, at, reason, score, left)| {
                Ok(AttendanceLine {
                    person_id,
                    name,
                    unit_name,
                    status,
                    how,
                    at: parse_ts(&at)?,
                    reason,
                    score,
                    left_early_at: left.as_deref().map(parse_ts).transpose()?,
                })
            })
            .collect()
    }
}

/// A month the office closed, with each person's figures as they stood then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closure {
    pub month: Month,
    pub closed_at: DateTime<Utc>,
    pub closed_by: String,
    pub snapshot: Vec<ClosedFigure>,
}

/// A change made to a closed month's record, with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    pub session_id: String,
    pub topic: String,
    pub person_id: Option<String>,
    pub person_name: Option<String>,
    /// What changed, in words (出勤登记, 新增培训, 补学签到).
    pub what: String,
    pub reason: String,
    pub by_name: String,
    pub at: DateTime<Utc>,
}

/// One session a person attended (or was on leave from), for their year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonSession {
    pub session_id: String,
    pub unit_id: String,
    pub topic: String,
    pub status: AttendanceStatus,
    pub attended: Attended,
}

impl Db {
    /// The closing of `month`, if the office closed it.
    pub async fn training_closure(&self, month: Month) -> Result<Option<Closure>, sqlx::Error> {
        let row: Option<(String, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT closed_at, closed_by, snapshot FROM training_closures WHERE month = $1")
                .bind(month.to_string())
                .fetch_optional(pool)
                .await?
        });
        row.map(|(closed_at, closed_by, snapshot)| {
            Ok(Closure {
                month,
                closed_at: parse_ts(&closed_at)?,
                closed_by,
                snapshot: serde_json::from_str(&snapshot)
                    .map_err(|e| decode_error("training snapshot", &e.to_string()))?,
            })
        })
        .transpose()
    }

    /// The months closed from `from` to `to` (both included), earliest first.
    pub async fn training_closed_months(&self, from: Month, to: Month) -> Result<Vec<Month>, sqlx::Error> {
        let rows: Vec<String> = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT month FROM training_closures WHERE month >= $1 AND month <= $2 ORDER BY month",
            )
            .bind(from.to_string())
            .bind(to.to_string())
            .fetch_all(pool)
            .await?
        });
        rows.iter().map(|m| Month::parse(m).ok_or_else(|| decode_error("month", m))).collect()
    }

    /// The corrections made to a closed month, in the order they were made.
    pub async fn training_corrections(&self, month: Month) -> Result<Vec<Correction>, sqlx::Error> {
        type Row = (String, String, Option<String>, Option<String>, String, String, String, String);
        let rows: Vec<Row> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT c.session_id, s.topic, c.person_id, p.name, c.what, c.reason, c.by_name, c.at \
                 FROM training_corrections c JOIN training_sessions s ON s.id = c.session_id \
                 LEFT JOIN people p ON p.id = c.person_id WHERE c.month = $1 ORDER BY c.at, c.id",
            )
            .bind(month.to_string())
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(session_id, topic, person_id, person_name, what, reason, by_name, at)| {
                Ok(Correction {
                    session_id,
                    topic,
                    person_id,
                    person_name,
                    what,
                    reason,
                    by_name,
                    at: parse_ts(&at)?,
                })
            })
            .collect()
    }

    /// What a person attended or was on leave from, in sessions held from `from` to `to`
    /// (Beijing dates, both included), earliest first.
    pub async fn training_person_sessions(
        &self,
        person_id: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<PersonSession>, sqlx::Error> {
        type Row = (String, String, String, String, String, Option<String>, String);
        let (first, last) = (from, to);
        let (from, to) =
            ((from - chrono::Duration::days(1)).to_string(), (to + chrono::Duration::days(1)).to_string());
        let rows: Vec<Row> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT s.id, s.unit_id, s.topic, s.kind, s.starts_at, m.starts_at, a.status FROM training_attendance a \
                 JOIN training_sessions s ON s.id = a.session_id \
                 LEFT JOIN training_sessions m ON m.id = s.makes_up_for \
                 WHERE a.person_id = $1 AND s.starts_at >= $2 AND s.starts_at < $3 ORDER BY s.starts_at, s.id",
            )
            .bind(person_id)
            .bind(&from)
            .bind(&to)
            .fetch_all(pool)
            .await?
        });
        let day = |instant: &str| -> Result<NaiveDate, sqlx::Error> {
            Ok(crate::domain::time::civil_date(parse_ts(instant)?))
        };
        let mut out = Vec::with_capacity(rows.len());
        for (session_id, unit_id, topic, kind, starts, missed, status) in rows {
            let on = day(&starts)?;
            if !(first..=last).contains(&on) {
                continue;
            }
            out.push(PersonSession {
                session_id,
                unit_id,
                topic,
                status: AttendanceStatus::parse(&status)
                    .ok_or_else(|| decode_error("attendance", &status))?,
                attended: Attended {
                    kind: SessionKind::parse(&kind).ok_or_else(|| decode_error("session kind", &kind))?,
                    on,
                    makes_up_for: missed.as_deref().map(day).transpose()?,
                },
            });
        }
        Ok(out)
    }
}

impl AuditedTx {
    /// Closes `month` with each person's figures as they stand; closing it twice is refused by
    /// the primary key (`Duplicate("month")`).
    pub async fn close_training_month(
        &mut self,
        month: Month,
        by_name: &str,
        snapshot: &[ClosedFigure],
    ) -> Result<(), StoreError> {
        let at = ts(self.now());
        let body = serde_json::to_string(snapshot)
            .map_err(|e| StoreError::Db(decode_error("snapshot", &e.to_string())))?;
        on_tx!(&mut self.tx, |conn| {
            sqlx::query("INSERT INTO training_closures (month, closed_at, closed_by, snapshot) VALUES ($1, $2, $3, $4)")
                .bind(month.to_string())
                .bind(&at)
                .bind(by_name)
                .bind(&body)
                .execute(conn)
                .await
                .map_err(|e| on_unique(e, "month"))?;
        });
        let short = snapshot.iter().filter(|f| f.compliant == "false").count();
        self.audit(
            AuditEvent::new("training.month_closed", "training_month", month.to_string())
                .details(serde_json::json!({ "people": snapshot.len(), "short": short })),
        )
        .await?;
        Ok(())
    }

    /// Records a change to a closed month (`what` in words), with the reason given for it.
    pub async fn insert_training_correction(
        &mut self,
        month: Month,
        session_id: &str,
        person_id: Option<&str>,
        what: &str,
        reason: &str,
        by_name: &str,
    ) -> Result<(), StoreError> {
        let id = new_id(self.now());
        let at = ts(self.now());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO training_corrections (id, month, session_id, person_id, what, reason, by_name, at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&id)
            .bind(month.to_string())
            .bind(session_id)
            .bind(person_id)
            .bind(what)
            .bind(reason)
            .bind(by_name)
            .bind(&at)
            .execute(conn)
            .await?;
        });
        self.audit(AuditEvent::new("training.corrected", "training_month", month.to_string()).details(
            serde_json::json!({ "session_id": session_id, "person_id": person_id, "what": what, "reason": reason }),
        ))
        .await?;
        Ok(())
    }
}

/// A line of a unit's yearly plan as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPlanItem {
    pub id: String,
    pub unit_id: String,
    pub year: i32,
    pub item: PlanItem,
}

impl Db {
    /// The plan of `unit_id` for `year` (withdrawn lines left out), by month and kind.
    pub async fn training_plan(&self, unit_id: &str, year: i32) -> Result<Vec<StoredPlanItem>, sqlx::Error> {
        let rows: Vec<(String, String, i64, i64, String, i64, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, unit_id, year, month, kind, sessions, topic FROM training_plan_items \
                 WHERE unit_id = $1 AND year = $2 AND withdrawn_at IS NULL ORDER BY month, kind, id",
            )
            .bind(unit_id)
            .bind(i64::from(year))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(plan_row).collect()
    }

    /// One plan line, withdrawn or not.
    pub async fn training_plan_item(&self, id: &str) -> Result<Option<StoredPlanItem>, sqlx::Error> {
        let row: Option<(String, String, i64, i64, String, i64, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, unit_id, year, month, kind, sessions, topic FROM training_plan_items WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        row.map(plan_row).transpose()
    }
}

fn plan_row(
    (id, unit_id, year, month, kind, sessions, topic): (String, String, i64, i64, String, i64, String),
) -> Result<StoredPlanItem, sqlx::Error> {
    Ok(StoredPlanItem {
        id,
        unit_id,
        year: year as i32,
        item: PlanItem {
            month: month as u32,
            kind: SessionKind::parse(&kind).ok_or_else(|| decode_error("session kind", &kind))?,
            sessions: sessions as u32,
            topic,
        },
    })
}

impl AuditedTx {
    /// Adds a line to a unit's plan for `year`.
    pub async fn insert_plan_item(
        &mut self,
        unit_id: &str,
        year: i32,
        item: &PlanItem,
    ) -> Result<String, StoreError> {
        let id = new_id(self.now());
        let now = ts(self.now());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO training_plan_items (id, unit_id, year, month, kind, sessions, topic, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&id)
            .bind(unit_id)
            .bind(i64::from(year))
            .bind(i64::from(item.month))
            .bind(item.kind.code())
            .bind(i64::from(item.sessions))
            .bind(&item.topic)
            .bind(&now)
            .execute(conn)
            .await?;
        });
        self.audit(AuditEvent::new("training.plan.add", "training_plan_item", &id).details(serde_json::json!({
            "unit_id": unit_id, "year": year, "month": item.month, "kind": item.kind.code(), "sessions": item.sessions,
        })))
        .await?;
        Ok(id)
    }

    /// Withdraws a plan line (kept, with the moment); `NotFound` if it is already withdrawn.
    pub async fn withdraw_plan_item(&mut self, id: &str) -> Result<(), StoreError> {
        let now = ts(self.now());
        let changed = on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "UPDATE training_plan_items SET withdrawn_at = $1 WHERE id = $2 AND withdrawn_at IS NULL",
            )
            .bind(&now)
            .bind(id)
            .execute(conn)
            .await?
            .rows_affected()
        });
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        self.audit(AuditEvent::new("training.plan.withdraw", "training_plan_item", id)).await?;
        Ok(())
    }
}

/// A file kept with a session (courseware, photos, a recording of the lecture).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Material {
    pub id: String,
    pub session_id: String,
    pub title: String,
    pub file_name: String,
    /// The sniffed type's MIME name.
    pub media_type: String,
    pub size: i64,
    pub sha256: String,
    pub created_at: DateTime<Utc>,
}

type MaterialRow = (String, String, String, String, String, i64, String, String);

fn material_row(
    (id, session_id, title, file_name, media_type, size, sha256, created_at): MaterialRow,
) -> Result<Material, sqlx::Error> {
    Ok(Material {
        id,
        session_id,
        title,
        file_name,
        media_type,
        size,
        sha256,
        created_at: parse_ts(&created_at)?,
    })
}

impl Db {
    /// A session's materials, in the order they were added.
    pub async fn training_materials(&self, session_id: &str) -> Result<Vec<Material>, sqlx::Error> {
        let rows: Vec<MaterialRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, session_id, title, file_name, media_type, size, sha256, created_at \
                 FROM training_materials WHERE session_id = $1 ORDER BY created_at, id",
            )
            .bind(session_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(material_row).collect()
    }

    pub async fn training_material(&self, id: &str) -> Result<Option<Material>, sqlx::Error> {
        let row: Option<MaterialRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, session_id, title, file_name, media_type, size, sha256, created_at \
                 FROM training_materials WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        row.map(material_row).transpose()
    }
}

/// A material to record: its bytes are in the blob store already, under `sha256`.
#[derive(Debug, Clone)]
pub struct NewMaterial<'a> {
    pub session_id: &'a str,
    pub title: &'a str,
    pub file_name: &'a str,
    pub media_type: &'a str,
    pub size: i64,
    pub sha256: &'a str,
    pub sm3: &'a str,
}

impl AuditedTx {
    pub async fn insert_training_material(
        &mut self,
        material: &NewMaterial<'_>,
    ) -> Result<String, StoreError> {
        let id = new_id(self.now());
        let now = ts(self.now());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO training_materials (id, session_id, title, file_name, media_type, size, sha256, sm3, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(&id)
            .bind(material.session_id)
            .bind(material.title)
            .bind(material.file_name)
            .bind(material.media_type)
            .bind(material.size)
            .bind(material.sha256)
            .bind(material.sm3)
            .bind(&now)
            .execute(conn)
            .await?;
        });
        self.audit(
            AuditEvent::new("training.material.add", "training_session", material.session_id).details(
                serde_json::json!({ "material_id": id, "sha256": material.sha256, "size": material.size }),
            ),
        )
        .await?;
        Ok(id)
    }

    /// Records that an attendee left early, at `at`, with the reason; `NotFound` when the
    /// person did not attend or their early leave is recorded already.
    pub async fn record_early_leave(
        &mut self,
        session_id: &str,
        person_id: &str,
        at: DateTime<Utc>,
        reason: &str,
    ) -> Result<(), StoreError> {
        let changed = on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "UPDATE training_attendance SET left_early_at = $1 \
                 WHERE session_id = $2 AND person_id = $3 AND status <> 'leave' AND left_early_at IS NULL",
            )
            .bind(ts(at))
            .bind(session_id)
            .bind(person_id)
            .execute(conn)
            .await?
            .rows_affected()
        });
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        self.audit(
            AuditEvent::new("training.left_early", "training_session", session_id)
                .details(serde_json::json!({ "person_id": person_id, "at": ts(at), "reason": reason })),
        )
        .await?;
        Ok(())
    }

    /// Records an attendee's test score; `NotFound` when the person has no attendance at the
    /// session (a score needs someone who sat the test).
    pub async fn record_score(
        &mut self,
        session_id: &str,
        person_id: &str,
        score: u32,
    ) -> Result<(), StoreError> {
        let changed = on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "UPDATE training_attendance SET score = $1 WHERE session_id = $2 AND person_id = $3 AND status <> 'leave'",
            )
            .bind(i64::from(score))
            .bind(session_id)
            .bind(person_id)
            .execute(conn)
            .await?
            .rows_affected()
        });
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        self.audit(
            AuditEvent::new("training.score", "training_session", session_id)
                .details(serde_json::json!({ "person_id": person_id, "score": score })),
        )
        .await?;
        Ok(())
    }
}

impl AuditedTx {
    /// Sets the rules of `year`: the first time (`expected` `None`) or over the version read;
    /// anything else is a `Conflict` (someone changed them meanwhile). Answers the new version.
    pub async fn set_training_rules(
        &mut self,
        year: i32,
        rules: &ComplianceRules,
        expected: Option<i64>,
    ) -> Result<i64, StoreError> {
        let body = serde_json::to_string(rules)
            .map_err(|e| StoreError::Db(decode_error("rules", &e.to_string())))?;
        let now = ts(self.now());
        let version = match expected {
            None => {
                on_tx!(&mut self.tx, |conn| {
                    sqlx::query(
                        "INSERT INTO training_rules (year, body, version, updated_at) VALUES ($1, $2, 1, $3)",
                    )
                    .bind(i64::from(year))
                    .bind(&body)
                    .bind(&now)
                    .execute(conn)
                    .await
                    .map_err(crate::store::on_taken_key)?;
                });
                1
            }
            Some(version) => {
                let changed = on_tx!(&mut self.tx, |conn| {
                    sqlx::query(
                        "UPDATE training_rules SET body = $1, version = version + 1, updated_at = $2 \
                         WHERE year = $3 AND version = $4",
                    )
                    .bind(&body)
                    .bind(&now)
                    .bind(i64::from(year))
                    .bind(version)
                    .execute(conn)
                    .await?
                    .rows_affected()
                });
                if changed == 0 {
                    return Err(StoreError::Conflict);
                }
                version + 1
            }
        };
        self.audit(
            AuditEvent::new("training.rules", "training_rules", year.to_string())
                .details(serde_json::to_value(rules).unwrap_or_default()),
        )
        .await?;
        Ok(version)
    }
}
