//! 派驻中队目标考核: the year's scheme and indicators (frozen once adopted), the assessors'
//! entries, the published results with their corrections (append-only), and the SQL of the
//! computed metrics — each defined in words on `domain::assessment::Metric` and written once here.

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::assessment::{
    Correction, Entry, Indicator, Measure, Metric, Points, Rule, Source, SquadResult,
};
use crate::store::fieldwork::recording_types;
use crate::store::{
    AuditEvent, AuditedTx, Db, StoreError, decode_error, on_pool, on_tx, on_unique, parse_date, parse_ts, ts,
};

/// A year's scheme as stored.
#[derive(Debug, Clone)]
pub struct Scheme {
    pub year: i32,
    pub total: Points,
    pub adopted_at: Option<DateTime<Utc>>,
    pub adopted_by: Option<String>,
    pub version: i64,
    pub indicators: Vec<(String, Indicator)>,
}

/// A recorded entry as stored.
#[derive(Debug, Clone)]
pub struct StoredEntry {
    pub id: String,
    pub entry: Entry,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

/// A period's published results, as frozen.
#[derive(Debug, Clone)]
pub struct Publication {
    pub results: Vec<SquadResult>,
    pub published_by: String,
    pub published_at: DateTime<Utc>,
}

/// A correction as stored.
#[derive(Debug, Clone)]
pub struct StoredCorrection {
    pub id: String,
    pub correction: Correction,
    pub corrected_by: String,
    pub corrected_at: DateTime<Utc>,
}

type IndicatorRow = (String, String, String, Option<String>, String, i64, i64, String);
type EntryRow = (String, String, String, String, i64, String, String, String, String);

/// The handling terms (办案期限) that ended in `[$1, $2]`: met in time on a day of it, or passed
/// unmet (or met late) on a day of it before today ($3). A provisional term counts only once met.
macro_rules! handling_cohort {
    () => {
        "kind = 'handling' AND duty AND (NOT provisional OR met_on IS NOT NULL) \
         AND ((met_on IS NOT NULL AND met_on <= due_on AND met_on >= $1 AND met_on <= $2) \
           OR ((met_on IS NULL OR met_on > due_on) AND due_on >= $1 AND due_on <= $2 AND due_on < $3))"
    };
}

/// The bureau's own terms whose last day fell in `[$1, $2]` before today ($3), unmet by it.
macro_rules! missed_terms {
    () => {
        "duty AND NOT provisional AND due_on >= $1 AND due_on <= $2 AND due_on < $3 \
         AND (met_on IS NULL OR met_on > due_on)"
    };
}

/// Major cases decided in `[$4, $5)` (`d` the decision step, `c` the case).
macro_rules! major_decided {
    () => {
        "FROM case_events d JOIN cases c ON c.id = d.case_id \
         WHERE d.code = 'decide' AND d.at >= $4 AND d.at < $5 AND c.major"
    };
}

/// Whether the decision `d` had a legal review step before it.
macro_rules! reviewed {
    () => {
        "CAST(CASE WHEN EXISTS (SELECT 1 FROM case_events r WHERE r.case_id = d.case_id AND r.code = 'review' \
                                 AND r.seq < d.seq) THEN 1 ELSE 0 END AS BIGINT)"
    };
}

/// 办案按期率 (`Metric::HandlingOnTime`): the cohort above, and of it the terms met in time.
const HANDLING_ON_TIME: &str = concat!(
    "SELECT unit_id, CAST(SUM(CASE WHEN met_on IS NOT NULL AND met_on <= due_on THEN 1 ELSE 0 END) AS BIGINT), COUNT(*) \
       FROM case_clocks WHERE ",
    handling_cohort!(),
    " GROUP BY unit_id"
);

/// 办案按期 per officer (星级队员): the same cohort, counted for every officer on the case.
pub const PERSON_ON_TIME: &str = concat!(
    "SELECT o.person_id, CAST(SUM(CASE WHEN met_on IS NOT NULL AND met_on <= due_on THEN 1 ELSE 0 END) AS BIGINT), \
            COUNT(*) FROM case_clocks JOIN case_officers o ON o.case_id = case_clocks.case_id WHERE ",
    handling_cohort!(),
    " GROUP BY o.person_id"
);

/// 法定期限超期数 (`Metric::DeadlinesMissed`).
const DEADLINES_MISSED: &str = concat!(
    "SELECT unit_id, COUNT(*), CAST(0 AS BIGINT) FROM case_clocks WHERE ",
    missed_terms!(),
    " GROUP BY unit_id"
);

/// 重大案件法制审核率 (`Metric::LegalReview`).
const LEGAL_REVIEW: &str = concat!(
    "SELECT c.unit_id, CAST(SUM(",
    reviewed!(),
    ") AS BIGINT), COUNT(*) ",
    major_decided!(),
    " GROUP BY c.unit_id"
);

/// The rows behind the three case metrics, in the same conditions as their counts: unit, case
/// id, case number, what (the term's kind, or `decide`), the day it was due or decided, the day
/// it was met, and whether it counts as done right.
const HANDLING_BEHIND: &str = concat!(
    "SELECT cl.unit_id, c.id, c.number, cl.kind, cl.due_on, cl.met_on, \
            CAST(CASE WHEN cl.met_on IS NOT NULL AND cl.met_on <= cl.due_on THEN 1 ELSE 0 END AS BIGINT) \
       FROM case_clocks cl JOIN cases c ON c.id = cl.case_id WHERE ",
    handling_cohort!(),
    " ORDER BY cl.due_on, c.number LIMIT 5000"
);
const MISSED_BEHIND: &str = concat!(
    "SELECT cl.unit_id, c.id, c.number, cl.kind, cl.due_on, cl.met_on, CAST(0 AS BIGINT) \
       FROM case_clocks cl JOIN cases c ON c.id = cl.case_id WHERE ",
    missed_terms!(),
    " ORDER BY cl.due_on, c.number LIMIT 5000"
);
const REVIEW_BEHIND: &str = concat!(
    "SELECT c.unit_id, c.id, c.number, 'decide', substr(d.at, 1, 10), NULL, ",
    reviewed!(),
    " ",
    major_decided!(),
    " ORDER BY d.at, c.number LIMIT 5000"
);

/// 全过程记录率 (`Metric::Recording`): the acts of `[$4, $5)` on the list of acts that must be
/// filmed, and of those the ones with a recording attached — the same acts as
/// `Db::recordable_acts`, counted.
const RECORDING: &str = concat!(
    "SELECT unit_id, CAST(SUM(recorded) AS BIGINT), COUNT(*) FROM (\
     SELECT c.unit_id AS unit_id, \
            CASE WHEN EXISTS (SELECT 1 FROM evidence_items e WHERE e.case_id = ev.case_id AND e.case_event_seq = ev.seq \
                               AND e.deleted_at IS NULL AND e.media_type IN ",
    recording_types!(),
    ") THEN 1 ELSE 0 END AS recorded \
       FROM case_events ev JOIN cases c ON c.id = ev.case_id \
       JOIN recording_rules r ON r.enabled AND r.event_code = ev.code \
            AND (r.detail_match = '' OR ev.details LIKE '%' || r.detail_match || '%') \
      WHERE ev.at >= $4 AND ev.at < $5 \
     UNION ALL \
     SELECT p.unit_id, \
            CASE WHEN EXISTS (SELECT 1 FROM evidence_items e WHERE e.patrol_id = p.id AND e.deleted_at IS NULL \
                               AND e.media_type IN ",
    recording_types!(),
    ") THEN 1 ELSE 0 END \
       FROM patrols p WHERE p.started_at >= $4 AND p.started_at < $5) acts \
     GROUP BY unit_id"
);

/// 持证上岗率 (`Metric::Certificates`): the active officers (执法人员) of each unit, and of those
/// the ones holding a certificate valid on the period's last day ($2).
const CERTIFICATES: &str = "\
SELECT p.unit_id, \
       CAST(SUM(CASE WHEN EXISTS (SELECT 1 FROM certificates c WHERE c.person_id = p.id AND c.status = 'valid' \
                                   AND c.valid_from <= $2 AND c.valid_to >= $2) THEN 1 ELSE 0 END) AS BIGINT), COUNT(*) \
  FROM people p WHERE p.active AND p.employment = 'officer' \
 GROUP BY p.unit_id";

/// The metrics computed in SQL, each with its query.
pub const SQL_METRICS: [(Metric, &str); 5] = [
    (Metric::HandlingOnTime, HANDLING_ON_TIME),
    (Metric::DeadlinesMissed, DEADLINES_MISSED),
    (Metric::LegalReview, LEGAL_REVIEW),
    (Metric::Recording, RECORDING),
    (Metric::Certificates, CERTIFICATES),
];

/// A case term or decision behind a computed line.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct BehindRow {
    pub unit_id: String,
    pub case_id: String,
    pub case_number: String,
    /// The term's kind (`handling`, `decision`, …) or `decide`.
    pub what: String,
    /// The term's last day, or the day of the decision.
    pub day: String,
    pub met_on: Option<String>,
    /// Met in time, or reviewed before the decision.
    pub ok: bool,
}

/// The list behind a case metric (`None` for the metrics whose records live on another page).
pub fn behind_sql(metric: Metric) -> Option<&'static str> {
    match metric {
        Metric::HandlingOnTime => Some(HANDLING_BEHIND),
        Metric::DeadlinesMissed => Some(MISSED_BEHIND),
        Metric::LegalReview => Some(REVIEW_BEHIND),
        _ => None,
    }
}

/// The bounds a metric query reads: the period's days, today, and the period as instants.
#[derive(Debug, Clone, Copy)]
pub struct MetricBounds {
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub today: NaiveDate,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Db {
    /// One metric for every unit with something to count: `(unit_id, measure)`.
    pub async fn assessment_metric(
        &self,
        sql: &'static str,
        bounds: &MetricBounds,
    ) -> Result<Vec<(String, Measure)>, sqlx::Error> {
        let rows: Vec<(String, Option<i64>, i64)> = on_pool!(self, |pool| {
            sqlx::query_as(sql)
                .bind(bounds.first_day.to_string())
                .bind(bounds.last_day.to_string())
                .bind(bounds.today.to_string())
                .bind(ts(bounds.from))
                .bind(ts(bounds.to))
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(|(unit, num, den)| (unit, Measure { num: num.unwrap_or(0), den })).collect())
    }

    /// The rows behind a case metric for every unit (the caller keeps one squad's).
    pub async fn assessment_behind(
        &self,
        sql: &'static str,
        bounds: &MetricBounds,
    ) -> Result<Vec<BehindRow>, sqlx::Error> {
        type Row = (String, String, String, String, String, Option<String>, i64);
        let rows: Vec<Row> = on_pool!(self, |pool| {
            sqlx::query_as(sql)
                .bind(bounds.first_day.to_string())
                .bind(bounds.last_day.to_string())
                .bind(bounds.today.to_string())
                .bind(ts(bounds.from))
                .bind(ts(bounds.to))
                .fetch_all(pool)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|(unit_id, case_id, case_number, what, day, met_on, ok)| BehindRow {
                unit_id,
                case_id,
                case_number,
                what,
                day,
                met_on,
                ok: ok != 0,
            })
            .collect())
    }

    pub async fn assessment_scheme(&self, year: i32) -> Result<Option<Scheme>, sqlx::Error> {
        let head: Option<(i64, Option<String>, Option<String>, i64)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT total_cp, adopted_at, adopted_by, version FROM assessment_schemes WHERE year = $1",
            )
            .bind(i64::from(year))
            .fetch_optional(pool)
            .await?
        });
        let Some((total, adopted_at, adopted_by, version)) = head else { return Ok(None) };
        let rows: Vec<IndicatorRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, name, source, metric, rule, weight_cp, per_cp, note FROM assessment_indicators \
                 WHERE year = $1 ORDER BY position, id",
            )
            .bind(i64::from(year))
            .fetch_all(pool)
            .await?
        });
        let indicators = rows
            .into_iter()
            .map(|(id, name, source, metric, rule, weight, per, note)| {
                let indicator = Indicator {
                    source: Source::parse(&source)
                        .ok_or_else(|| decode_error("indicator source", &source))?,
                    metric: match metric {
                        Some(m) => Some(Metric::parse(&m).ok_or_else(|| decode_error("metric", &m))?),
                        None => None,
                    },
                    rule: Rule::parse(&rule).ok_or_else(|| decode_error("rule", &rule))?,
                    name,
                    weight: Points(weight),
                    per: Points(per),
                    note,
                };
                Ok((id, indicator))
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(Some(Scheme {
            year,
            total: Points(total),
            adopted_at: adopted_at.as_deref().map(parse_ts).transpose()?,
            adopted_by,
            version,
            indicators,
        }))
    }

    /// The entries dated in `[from, to]`, oldest first.
    pub async fn assessment_entries(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<StoredEntry>, sqlx::Error> {
        let rows: Vec<EntryRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, indicator_id, unit_id, on_day, points_cp, note, basis, recorded_by, recorded_at \
                 FROM assessment_entries WHERE on_day >= $1 AND on_day <= $2 ORDER BY on_day, id",
            )
            .bind(from.to_string())
            .bind(to.to_string())
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(id, indicator_id, unit_id, on, points, note, basis, by, at)| {
                Ok(StoredEntry {
                    id,
                    entry: Entry {
                        unit_id,
                        indicator_id,
                        on: parse_date(&on)?,
                        points: Points(points),
                        note,
                        basis,
                    },
                    recorded_by: by,
                    recorded_at: parse_ts(&at)?,
                })
            })
            .collect()
    }

    pub async fn assessment_publication(&self, period: &str) -> Result<Option<Publication>, sqlx::Error> {
        let row: Option<(String, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT results, published_by, published_at FROM assessment_publications WHERE period = $1",
            )
            .bind(period)
            .fetch_optional(pool)
            .await?
        });
        row.map(|(results, by, at)| {
            Ok(Publication {
                results: serde_json::from_str(&results)
                    .map_err(|e| decode_error("published results", &e.to_string()))?,
                published_by: by,
                published_at: parse_ts(&at)?,
            })
        })
        .transpose()
    }

    /// The periods published, with when, the latest first.
    pub async fn assessment_publications(&self) -> Result<Vec<(String, DateTime<Utc>)>, sqlx::Error> {
        let rows: Vec<(String, String)> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT period, published_at FROM assessment_publications ORDER BY period DESC")
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(|(p, at)| Ok((p, parse_ts(&at)?))).collect()
    }

    /// A period's corrections, oldest first.
    pub async fn assessment_corrections(&self, period: &str) -> Result<Vec<StoredCorrection>, sqlx::Error> {
        let rows: Vec<(String, String, String, i64, String, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, unit_id, indicator_id, points_cp, reason, corrected_by, corrected_at \
                 FROM assessment_corrections WHERE period = $1 ORDER BY corrected_at, id",
            )
            .bind(period)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(id, unit_id, indicator_id, points, reason, by, at)| {
                Ok(StoredCorrection {
                    id,
                    correction: Correction { unit_id, indicator_id, points: Points(points), reason },
                    corrected_by: by,
                    corrected_at: parse_ts(&at)?,
                })
            })
            .collect()
    }
}

impl AuditedTx {
    /// Creates a year's draft scheme, or sets its total over the version read.
    pub async fn save_assessment_scheme(
        &mut self,
        year: i32,
        total: Points,
        version: Option<i64>,
    ) -> Result<i64, StoreError> {
        let now = ts(self.now());
        let done = on_tx!(&mut self.tx, |conn| match version {
            None =>
                sqlx::query("INSERT INTO assessment_schemes (year, total_cp, updated_at) VALUES ($1, $2, $3)")
                    .bind(i64::from(year))
                    .bind(total.0)
                    .bind(&now)
                    .execute(conn)
                    .await
                    .map_err(|e| on_unique(e, "year"))?
                    .rows_affected(),
            Some(v) => sqlx::query(
                "UPDATE assessment_schemes SET total_cp = $1, updated_at = $2, version = version + 1 \
                 WHERE year = $3 AND version = $4 AND adopted_at IS NULL",
            )
            .bind(total.0)
            .bind(&now)
            .bind(i64::from(year))
            .bind(v)
            .execute(conn)
            .await?
            .rows_affected(),
        });
        if done == 0 {
            return Err(StoreError::Conflict);
        }
        self.audit(
            AuditEvent::new("assessment_scheme.save", "assessment_scheme", year.to_string())
                .details(serde_json::json!({ "total": total.to_string() })),
        )
        .await?;
        Ok(version.map_or(1, |v| v + 1))
    }

    /// Adds an indicator at the end of a draft scheme and bumps the scheme's version.
    pub async fn add_assessment_indicator(
        &mut self,
        year: i32,
        id: &str,
        indicator: &Indicator,
    ) -> Result<(), StoreError> {
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO assessment_indicators (id, year, position, name, source, metric, rule, weight_cp, per_cp, note) \
                 VALUES ($1, $2, (SELECT COALESCE(MAX(position), 0) + 1 FROM assessment_indicators WHERE year = $2), \
                         $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id)
            .bind(i64::from(year))
            .bind(&indicator.name)
            .bind(indicator.source.code())
            .bind(indicator.metric.map(Metric::code))
            .bind(indicator.rule.code())
            .bind(indicator.weight.0)
            .bind(indicator.per.0)
            .bind(&indicator.note)
            .execute(conn)
            .await
            .map_err(|e| on_unique(e, "name"))?;
        });
        self.bump_scheme(year).await?;
        self.audit(
            AuditEvent::new("assessment_indicator.add", "assessment_scheme", year.to_string())
                .details(serde_json::json!({ "id": id, "indicator": indicator })),
        )
        .await?;
        Ok(())
    }

    /// Removes an indicator from a draft scheme (the audit record keeps what it was).
    pub async fn remove_assessment_indicator(
        &mut self,
        year: i32,
        id: &str,
        indicator: &Indicator,
    ) -> Result<(), StoreError> {
        let done = on_tx!(&mut self.tx, |conn| {
            sqlx::query("DELETE FROM assessment_indicators WHERE id = $1 AND year = $2")
                .bind(id)
                .bind(i64::from(year))
                .execute(conn)
                .await?
                .rows_affected()
        });
        if done == 0 {
            return Err(StoreError::NotFound);
        }
        self.bump_scheme(year).await?;
        self.audit(
            AuditEvent::new("assessment_indicator.remove", "assessment_scheme", year.to_string())
                .details(serde_json::json!({ "id": id, "indicator": indicator })),
        )
        .await?;
        Ok(())
    }

    async fn bump_scheme(&mut self, year: i32) -> Result<(), StoreError> {
        let now = ts(self.now());
        let done = on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "UPDATE assessment_schemes SET version = version + 1, updated_at = $1 WHERE year = $2 AND adopted_at IS NULL",
            )
            .bind(&now)
            .bind(i64::from(year))
            .execute(conn)
            .await?
            .rows_affected()
        });
        if done == 0 {
            return Err(StoreError::Conflict);
        }
        Ok(())
    }

    /// Adopts a scheme over the version read; from then on it and its indicators are frozen.
    pub async fn adopt_assessment_scheme(&mut self, year: i32, version: i64) -> Result<(), StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        let done = on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "UPDATE assessment_schemes SET adopted_at = $1, adopted_by = $2, version = version + 1, updated_at = $1 \
                 WHERE year = $3 AND version = $4 AND adopted_at IS NULL",
            )
            .bind(&now)
            .bind(&actor)
            .bind(i64::from(year))
            .bind(version)
            .execute(conn)
            .await?
            .rows_affected()
        });
        if done == 0 {
            return Err(StoreError::Conflict);
        }
        self.audit(AuditEvent::new("assessment_scheme.adopt", "assessment_scheme", year.to_string())).await?;
        Ok(())
    }

    pub async fn insert_assessment_entry(&mut self, id: &str, entry: &Entry) -> Result<(), StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO assessment_entries (id, indicator_id, unit_id, on_day, points_cp, note, basis, recorded_by, \
                 recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id)
            .bind(&entry.indicator_id)
            .bind(&entry.unit_id)
            .bind(entry.on.to_string())
            .bind(entry.points.0)
            .bind(&entry.note)
            .bind(&entry.basis)
            .bind(&actor)
            .bind(&now)
            .execute(conn)
            .await?;
        });
        self.audit(AuditEvent::new("assessment_entry.record", "assessment_entry", id).details(
            serde_json::json!({
                "unit_id": entry.unit_id, "indicator_id": entry.indicator_id, "on": entry.on,
                "points": entry.points.to_string(), "basis": entry.basis,
            }),
        ))
        .await?;
        Ok(())
    }

    /// Freezes a period's results; a period is published once.
    pub async fn publish_assessment(
        &mut self,
        period: &str,
        results: &[SquadResult],
    ) -> Result<(), StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        let body = serde_json::to_string(results)
            .map_err(|e| StoreError::Db(decode_error("results", &e.to_string())))?;
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO assessment_publications (period, results, published_by, published_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(period)
            .bind(&body)
            .bind(&actor)
            .bind(&now)
            .execute(conn)
            .await
            .map_err(|e| on_unique(e, "period"))?;
        });
        let scores: Vec<serde_json::Value> = results
            .iter()
            .map(|r| serde_json::json!({ "unit_id": r.unit_id, "score": r.score().to_string(), "rank": r.rank }))
            .collect();
        self.audit(
            AuditEvent::new("assessment.publish", "assessment_period", period)
                .details(serde_json::json!({ "results": scores })),
        )
        .await?;
        Ok(())
    }

    pub async fn insert_assessment_correction(
        &mut self,
        id: &str,
        period: &str,
        correction: &Correction,
        before: Points,
    ) -> Result<(), StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO assessment_corrections (id, period, unit_id, indicator_id, points_cp, reason, corrected_by, \
                 corrected_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(period)
            .bind(&correction.unit_id)
            .bind(&correction.indicator_id)
            .bind(correction.points.0)
            .bind(&correction.reason)
            .bind(&actor)
            .bind(&now)
            .execute(conn)
            .await?;
        });
        self.audit(AuditEvent::new("assessment.correct", "assessment_period", period).details(serde_json::json!({
            "id": id, "unit_id": correction.unit_id, "indicator_id": correction.indicator_id,
            "before": before.to_string(), "after": correction.points.to_string(), "reason": correction.reason,
        })))
        .await?;
        Ok(())
    }
}
