//! 星级队员: the year's rules, the office's entries, the squad leaders' scores, the published
//! months and the appeals.

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::assessment::Points;
use crate::domain::stars::{AppealOutcome, Factor, StarEntry, StarRules};
use crate::store::{
    AuditEvent, AuditedTx, Db, Recorded, StoreError, decode_error, on_pool, on_tx, on_unique, parse_date,
    parse_ts, ts,
};

/// An appeal as stored.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Appeal {
    pub id: String,
    pub person_id: String,
    /// `YYYY-MM`.
    pub month: String,
    pub reason: String,
    pub stars_before: u8,
    pub filed_at: DateTime<Utc>,
    /// `dismissed` or `upheld`; none while waiting.
    #[schema(value_type = Option<String>)]
    pub outcome: Option<AppealOutcome>,
    pub stars_after: Option<u8>,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
}

type AppealRow = (
    String,
    String,
    String,
    String,
    i64,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
);
type EntryRow = (String, String, String, String, i64, String, String, String, String);

macro_rules! appeal_columns {
    () => {
        "SELECT id, person_id, month, reason, stars_before, filed_at, outcome, stars_after, answer, answered_at \
         FROM star_appeals "
    };
}

fn appeal_of(row: AppealRow) -> Result<Appeal, sqlx::Error> {
    let (id, person_id, month, reason, before, filed_at, outcome, after, answer, answered_at) = row;
    Ok(Appeal {
        outcome: outcome
            .as_deref()
            .map(|o| AppealOutcome::parse(o).ok_or_else(|| decode_error("appeal outcome", o)))
            .transpose()?,
        stars_before: u8::try_from(before).unwrap_or_default(),
        stars_after: after.and_then(|a| u8::try_from(a).ok()),
        filed_at: parse_ts(&filed_at)?,
        answered_at: answered_at.as_deref().map(parse_ts).transpose()?,
        id,
        person_id,
        month,
        reason,
        answer,
    })
}

impl Db {
    /// The rules the office set for a year, and their version.
    pub async fn star_rules(&self, year: i32) -> Result<Option<(StarRules, i64)>, sqlx::Error> {
        let row: Option<(String, i64)> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT rules, version FROM star_rules WHERE year = $1")
                .bind(i64::from(year))
                .fetch_optional(pool)
                .await?
        });
        row.map(|(rules, version)| {
            serde_json::from_str(&rules)
                .map(|r| (r, version))
                .map_err(|e| decode_error("star rules", &e.to_string()))
        })
        .transpose()
    }

    /// The office's entries dated between two days (inclusive).
    pub async fn star_entries(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<Recorded<StarEntry>>, sqlx::Error> {
        let rows: Vec<EntryRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, person_id, factor, on_day, items, basis, note, recorded_by, recorded_at FROM star_entries \
                 WHERE on_day >= $1 AND on_day <= $2 ORDER BY on_day, id",
            )
            .bind(from.to_string())
            .bind(to.to_string())
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(id, person_id, factor, on, items, basis, note, by, at)| {
                Ok(Recorded {
                    id,
                    record: StarEntry {
                        person_id,
                        factor: Factor::parse(&factor).ok_or_else(|| decode_error("star factor", &factor))?,
                        on: parse_date(&on)?,
                        items: u32::try_from(items).unwrap_or_default(),
                        basis,
                        note,
                    },
                    recorded_by: by,
                    recorded_at: parse_ts(&at)?,
                })
            })
            .collect()
    }

    /// The squad leaders' scores of a month: person, score, note.
    pub async fn star_leader_scores(
        &self,
        month: &str,
    ) -> Result<Vec<(String, Points, String)>, sqlx::Error> {
        let rows: Vec<(String, i64, String)> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT person_id, score, note FROM star_leader_scores WHERE month = $1")
                .bind(month)
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(|(p, s, n)| (p, Points(s), n)).collect())
    }

    /// A published month's ratings (JSON as frozen) with who published it and when.
    pub async fn star_publication(
        &self,
        month: &str,
    ) -> Result<Option<(String, String, DateTime<Utc>)>, sqlx::Error> {
        let row: Option<(String, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT ratings, published_by, published_at FROM star_publications WHERE month = $1",
            )
            .bind(month)
            .fetch_optional(pool)
            .await?
        });
        row.map(|(r, by, at)| Ok((r, by, parse_ts(&at)?))).transpose()
    }

    /// Whether any month of a year is published (its rules are then fixed).
    pub async fn star_year_published(&self, year: i32) -> Result<bool, sqlx::Error> {
        let n: i64 = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM star_publications WHERE month LIKE $1")
                .bind(format!("{year:04}-%"))
                .fetch_one(pool)
                .await?
        });
        Ok(n > 0)
    }

    /// Appeals, the latest first: every one, or one person's.
    pub async fn star_appeals(&self, person: Option<&str>) -> Result<Vec<Appeal>, sqlx::Error> {
        let rows: Vec<AppealRow> = on_pool!(self, |pool| {
            match person {
                Some(p) => {
                    sqlx::query_as(concat!(
                        appeal_columns!(),
                        "WHERE person_id = $1 ORDER BY filed_at DESC, id DESC"
                    ))
                    .bind(p)
                    .fetch_all(pool)
                    .await?
                }
                None => {
                    sqlx::query_as(concat!(appeal_columns!(), "ORDER BY filed_at DESC, id DESC"))
                        .fetch_all(pool)
                        .await?
                }
            }
        });
        rows.into_iter().map(appeal_of).collect()
    }

    pub async fn star_appeal(&self, id: &str) -> Result<Option<Appeal>, sqlx::Error> {
        let row: Option<AppealRow> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(appeal_columns!(), "WHERE id = $1")).bind(id).fetch_optional(pool).await?
        });
        row.map(appeal_of).transpose()
    }
}

impl AuditedTx {
    /// Sets a year's rules (`version` 0: the first time) over the version read.
    pub async fn save_star_rules(
        &mut self,
        year: i32,
        rules: &StarRules,
        version: i64,
    ) -> Result<i64, StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        let json =
            serde_json::to_string(rules).map_err(|e| StoreError::Db(sqlx::Error::Protocol(e.to_string())))?;
        let written = on_tx!(&mut self.tx, |conn| {
            if version == 0 {
                sqlx::query(
                    "INSERT INTO star_rules (year, rules, version, recorded_by, recorded_at) VALUES ($1, $2, 1, $3, $4)",
                )
                .bind(i64::from(year))
                .bind(&json)
                .bind(&actor)
                .bind(&now)
                .execute(conn)
                .await
                .map_err(crate::store::on_taken_key)?
                .rows_affected()
            } else {
                sqlx::query(
                    "UPDATE star_rules SET rules = $1, version = version + 1, recorded_by = $2, recorded_at = $3 \
                     WHERE year = $4 AND version = $5",
                )
                .bind(&json)
                .bind(&actor)
                .bind(&now)
                .bind(i64::from(year))
                .bind(version)
                .execute(conn)
                .await?
                .rows_affected()
            }
        });
        if written == 0 {
            return Err(StoreError::Conflict);
        }
        self.audit(
            AuditEvent::new("star_rules.save", "star_rules", year.to_string())
                .details(serde_json::json!({ "rules": rules, "version": version + 1 })),
        )
        .await?;
        Ok(version + 1)
    }

    pub async fn insert_star_entry(&mut self, id: &str, entry: &StarEntry) -> Result<(), StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO star_entries (id, person_id, factor, on_day, items, basis, note, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id)
            .bind(&entry.person_id)
            .bind(entry.factor.code())
            .bind(entry.on.to_string())
            .bind(i64::from(entry.items))
            .bind(&entry.basis)
            .bind(&entry.note)
            .bind(&actor)
            .bind(&now)
            .execute(conn)
            .await?;
        });
        self.audit(
            AuditEvent::new("star_entry.record", "star_entry", id)
                .details(serde_json::json!({ "entry": entry })),
        )
        .await?;
        Ok(())
    }

    /// The squad leader's score of a person for a month: once.
    pub async fn insert_star_leader_score(
        &mut self,
        person_id: &str,
        month: &str,
        score: Points,
        note: &str,
    ) -> Result<(), StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO star_leader_scores (person_id, month, score, note, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(person_id)
            .bind(month)
            .bind(score.0)
            .bind(note)
            .bind(&actor)
            .bind(&now)
            .execute(conn)
            .await
            .map_err(|e| on_unique(e, "month"))?;
        });
        self.audit(
            AuditEvent::new("star_leader_score.record", "person", person_id)
                .details(serde_json::json!({ "month": month, "score": score.to_string() })),
        )
        .await?;
        Ok(())
    }

    /// Freezes a month's ratings.
    pub async fn insert_star_publication(
        &mut self,
        month: &str,
        ratings: &str,
        people: usize,
    ) -> Result<(), StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO star_publications (month, ratings, published_by, published_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(month)
            .bind(ratings)
            .bind(&actor)
            .bind(&now)
            .execute(conn)
            .await
            .map_err(|e| on_unique(e, "month"))?;
        });
        self.audit(
            AuditEvent::new("star_rating.publish", "star_publication", month)
                .details(serde_json::json!({ "people": people })),
        )
        .await?;
        Ok(())
    }

    pub async fn insert_star_appeal(
        &mut self,
        id: &str,
        (person_id, month): (&str, &str),
        reason: &str,
        stars_before: u8,
    ) -> Result<(), StoreError> {
        let now = ts(self.now());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO star_appeals (id, person_id, month, reason, stars_before, filed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(person_id)
            .bind(month)
            .bind(reason)
            .bind(i64::from(stars_before))
            .bind(&now)
            .execute(conn)
            .await
            .map_err(|e| on_unique(e, "month"))?;
        });
        self.audit(AuditEvent::new("star_appeal.file", "star_appeal", id).details(
            serde_json::json!({ "person_id": person_id, "month": month, "stars_before": stars_before }),
        ))
        .await?;
        Ok(())
    }

    /// Answers an appeal still waiting; a conflict when it was answered meanwhile.
    pub async fn answer_star_appeal(
        &mut self,
        id: &str,
        outcome: AppealOutcome,
        stars_after: u8,
        answer: &str,
    ) -> Result<(), StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        let written = on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "UPDATE star_appeals SET outcome = $1, stars_after = $2, answer = $3, answered_by = $4, answered_at = $5 \
                 WHERE id = $6 AND outcome IS NULL",
            )
            .bind(outcome.code())
            .bind(i64::from(stars_after))
            .bind(answer)
            .bind(&actor)
            .bind(&now)
            .bind(id)
            .execute(conn)
            .await?
            .rows_affected()
        });
        if written == 0 {
            return Err(StoreError::Conflict);
        }
        self.audit(
            AuditEvent::new("star_appeal.answer", "star_appeal", id)
                .details(serde_json::json!({ "outcome": outcome.code(), "stars_after": stars_after })),
        )
        .await?;
        Ok(())
    }
}
