//! 十佳评比: the rounds, their nominations and the panel's scores.

use chrono::{DateTime, Utc};

use crate::domain::assessment::Points;
use crate::domain::top_ten::{Category, Figures, Notice, RoundState, Settings, Tallied};
use crate::store::{AuditEvent, AuditedTx, Db, StoreError, decode_error, on_pool, on_tx, parse_ts, ts};

/// A round as stored.
#[derive(Debug, Clone)]
pub struct Round {
    pub year: i32,
    pub settings: Settings,
    pub state: RoundState,
    pub version: i64,
    /// The result list, frozen when the round was closed.
    pub results: Option<Vec<Tallied>>,
    /// Why the office closed with scores missing.
    pub close_note: Option<String>,
    pub notice: Option<Notice>,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
}

/// A nomination as stored.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Nomination {
    pub id: String,
    pub year: i32,
    #[schema(value_type = String)]
    pub category: Category,
    /// The person's id, or the squad's unit id for 十佳中队.
    pub subject: String,
    /// The squad the candidate belongs to (a squad: itself).
    pub squad_id: String,
    /// The candidate's name as it stood (a squad: its name).
    pub name: String,
    pub deeds: String,
    pub figures: Figures,
    pub nominated_by: String,
    pub nominated_at: DateTime<Utc>,
}

/// A panel member's score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    pub nomination_id: String,
    pub scorer: String,
    pub score: Points,
    pub note: String,
    pub scored_at: DateTime<Utc>,
}

type RoundRow = (
    i64,
    String,
    String,
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
);

fn json<T: serde::de::DeserializeOwned>(what: &str, raw: &str) -> Result<T, sqlx::Error> {
    serde_json::from_str(raw).map_err(|e| decode_error(what, &e.to_string()))
}

fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Db(sqlx::Error::Protocol(e.to_string())))
}

fn round_of(row: RoundRow) -> Result<Round, sqlx::Error> {
    let (year, settings, state, version, results, close_note, notice, opened_at, closed_at, published_at) =
        row;
    Ok(Round {
        year: i32::try_from(year).map_err(|_| decode_error("round year", &year.to_string()))?,
        settings: json("十佳 settings", &settings)?,
        state: RoundState::parse(&state).ok_or_else(|| decode_error("round state", &state))?,
        version,
        results: results.as_deref().map(|r| json("十佳 results", r)).transpose()?,
        close_note,
        notice: notice.as_deref().map(|n| json("十佳 notice", n)).transpose()?,
        opened_at: parse_ts(&opened_at)?,
        closed_at: closed_at.as_deref().map(parse_ts).transpose()?,
        published_at: published_at.as_deref().map(parse_ts).transpose()?,
    })
}

type NominationRow = (String, i64, String, String, String, String, String, String, String, String);

fn nomination_of(row: NominationRow) -> Result<Nomination, sqlx::Error> {
    let (id, year, category, subject, squad_id, name, deeds, figures, by, at) = row;
    Ok(Nomination {
        year: i32::try_from(year).map_err(|_| decode_error("nomination year", &year.to_string()))?,
        category: Category::parse(&category).ok_or_else(|| decode_error("十佳 category", &category))?,
        figures: json("十佳 figures", &figures)?,
        nominated_at: parse_ts(&at)?,
        nominated_by: by,
        id,
        subject,
        squad_id,
        name,
        deeds,
    })
}

impl Db {
    /// A year's round.
    pub async fn top_ten_round(&self, year: i32) -> Result<Option<Round>, sqlx::Error> {
        let row: Option<RoundRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT year, settings, state, version, results, close_note, notice, opened_at, closed_at, \
                 published_at FROM top_ten_rounds WHERE year = $1",
            )
            .bind(i64::from(year))
            .fetch_optional(pool)
            .await?
        });
        row.map(round_of).transpose()
    }

    /// Every round, the latest year first: year and state.
    pub async fn top_ten_rounds(&self) -> Result<Vec<(i32, RoundState)>, sqlx::Error> {
        let rows: Vec<(i64, String)> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT year, state FROM top_ten_rounds ORDER BY year DESC")
                .fetch_all(pool)
                .await?
        });
        rows.into_iter()
            .map(|(y, s)| {
                Ok((
                    i32::try_from(y).map_err(|_| decode_error("round year", &y.to_string()))?,
                    RoundState::parse(&s).ok_or_else(|| decode_error("round state", &s))?,
                ))
            })
            .collect()
    }

    /// A year's nominations in the order they were made.
    pub async fn top_ten_nominations(&self, year: i32) -> Result<Vec<Nomination>, sqlx::Error> {
        let rows: Vec<NominationRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, year, category, subject, squad_id, name, deeds, figures, nominated_by, nominated_at \
                 FROM top_ten_nominations WHERE year = $1 ORDER BY nominated_at, id",
            )
            .bind(i64::from(year))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(nomination_of).collect()
    }

    /// Every score given in a year's round.
    pub async fn top_ten_scores(&self, year: i32) -> Result<Vec<Score>, sqlx::Error> {
        let rows: Vec<(String, String, i64, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT s.nomination_id, s.scorer, s.score, s.note, s.scored_at FROM top_ten_scores s \
                 JOIN top_ten_nominations n ON n.id = s.nomination_id WHERE n.year = $1 \
                 ORDER BY s.scored_at, s.nomination_id, s.scorer",
            )
            .bind(i64::from(year))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(nomination_id, scorer, score, note, at)| {
                Ok(Score { nomination_id, scorer, score: Points(score), note, scored_at: parse_ts(&at)? })
            })
            .collect()
    }
}

impl AuditedTx {
    /// Opens a year's round (`version` 0) or changes its settings over the version read, while
    /// it is nominating.
    pub async fn save_top_ten_settings(
        &mut self,
        year: i32,
        settings: &Settings,
        version: i64,
    ) -> Result<i64, StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        let json = to_json(settings)?;
        let written = on_tx!(&mut self.tx, |conn| {
            if version == 0 {
                sqlx::query(
                    "INSERT INTO top_ten_rounds (year, settings, state, version, opened_by, opened_at) \
                     VALUES ($1, $2, $3, 1, $4, $5)",
                )
                .bind(i64::from(year))
                .bind(&json)
                .bind(RoundState::Nominating.code())
                .bind(&actor)
                .bind(&now)
                .execute(conn)
                .await
                .map_err(crate::store::on_taken_key)?
                .rows_affected()
            } else {
                sqlx::query(
                    "UPDATE top_ten_rounds SET settings = $1, version = version + 1 \
                     WHERE year = $2 AND version = $3 AND state = $4",
                )
                .bind(&json)
                .bind(i64::from(year))
                .bind(version)
                .bind(RoundState::Nominating.code())
                .execute(conn)
                .await?
                .rows_affected()
            }
        });
        if written == 0 {
            return Err(StoreError::Conflict);
        }
        let action = if version == 0 { "top_ten.open" } else { "top_ten.settings" };
        self.audit(
            AuditEvent::new(action, "top_ten_round", year.to_string())
                .details(serde_json::json!({ "settings": settings, "version": version + 1 })),
        )
        .await?;
        Ok(version + 1)
    }

    /// Records a nomination while its round is nominating (`false`: it no longer is). A
    /// candidate nominated twice in a category is a duplicate.
    pub async fn insert_top_ten_nomination(&mut self, nomination: &Nomination) -> Result<bool, StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        let figures = to_json(&nomination.figures)?;
        let written = on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO top_ten_nominations \
                 (id, year, category, subject, squad_id, name, deeds, figures, nominated_by, nominated_at) \
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 \
                 WHERE EXISTS (SELECT 1 FROM top_ten_rounds WHERE year = $2 AND state = $11)",
            )
            .bind(&nomination.id)
            .bind(i64::from(nomination.year))
            .bind(nomination.category.code())
            .bind(&nomination.subject)
            .bind(&nomination.squad_id)
            .bind(&nomination.name)
            .bind(&nomination.deeds)
            .bind(&figures)
            .bind(&actor)
            .bind(&now)
            .bind(RoundState::Nominating.code())
            .execute(conn)
            .await
            .map_err(|e| crate::store::on_unique(e, "subject"))?
            .rows_affected()
        });
        if written == 0 {
            return Ok(false);
        }
        self.audit(AuditEvent::new("top_ten.nominate", "top_ten_nomination", &nomination.id).details(
            serde_json::json!({
                "year": nomination.year,
                "category": nomination.category.code(),
                "subject": nomination.subject,
                "figures": nomination.figures,
            }),
        ))
        .await?;
        Ok(true)
    }

    /// Records a panel member's score (`scorer`: their account id) while the round is scoring (`false`: it no longer is). A
    /// second score of the same nomination by the same member is a duplicate.
    pub async fn insert_top_ten_score(
        &mut self,
        year: i32,
        nomination_id: &str,
        scorer: &str,
        score: Points,
        note: &str,
    ) -> Result<bool, StoreError> {
        let now = ts(self.now());
        let written = on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO top_ten_scores (nomination_id, scorer, score, note, scored_at) \
                 SELECT $1, $2, $3, $4, $5 \
                 WHERE EXISTS (SELECT 1 FROM top_ten_rounds WHERE year = $6 AND state = $7)",
            )
            .bind(nomination_id)
            .bind(scorer)
            .bind(score.0)
            .bind(note)
            .bind(&now)
            .bind(i64::from(year))
            .bind(RoundState::Scoring.code())
            .execute(conn)
            .await
            .map_err(|e| crate::store::on_unique(e, "nomination_id"))?
            .rows_affected()
        });
        if written == 0 {
            return Ok(false);
        }
        // The score itself stays out of the audit details: the tally is the office's alone
        // until the round is closed, and the audit reader is not the office.
        self.audit(AuditEvent::new("top_ten.score", "top_ten_nomination", nomination_id)).await?;
        Ok(true)
    }

    /// Moves a round on over the version read: to scoring, to closed with the frozen result
    /// list (and why scores were missing, if they were), or to published with its notice.
    pub async fn move_top_ten_round(
        &mut self,
        year: i32,
        version: i64,
        to: RoundState,
        results: Option<&[Tallied]>,
        note: Option<&str>,
        notice: Option<&Notice>,
    ) -> Result<i64, StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        let results_json = results.map(to_json).transpose()?;
        let notice_json = notice.map(to_json).transpose()?;
        let written = on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "UPDATE top_ten_rounds SET state = $1, version = version + 1, \
                 results = COALESCE($2, results), close_note = COALESCE($3, close_note), \
                 notice_number = COALESCE($4, notice_number), notice = COALESCE($5, notice), \
                 closed_at = CASE WHEN $1 = 'closed' THEN $6 ELSE closed_at END, \
                 published_by = CASE WHEN $1 = 'published' THEN $7 ELSE published_by END, \
                 published_at = CASE WHEN $1 = 'published' THEN $6 ELSE published_at END \
                 WHERE year = $8 AND version = $9",
            )
            .bind(to.code())
            .bind(&results_json)
            .bind(note)
            .bind(notice.map(|n| n.number.to_string()))
            .bind(&notice_json)
            .bind(&now)
            .bind(&actor)
            .bind(i64::from(year))
            .bind(version)
            .execute(conn)
            .await?
            .rows_affected()
        });
        if written == 0 {
            return Err(StoreError::Conflict);
        }
        self.audit(AuditEvent::new("top_ten.step", "top_ten_round", year.to_string()).details(
            serde_json::json!({
                "to": to.code(),
                "note": note,
                "notice_number": notice.map(|n| n.number.to_string()),
                "winners": results.map(|r| r.iter().filter(|t| t.winner).count()),
            }),
        ))
        .await?;
        Ok(version + 1)
    }
}
