//! Circuit court sittings and legal consultations: appended once, read by year.

use crate::domain::legal_help::{Audience, Consultation, Sitting};
use crate::store::{
    AuditEvent, AuditedTx, Db, Recorded, StoreError, decode_error, on_pool, on_tx, parse_date, parse_ts, ts,
};

type SittingRow = (String, String, String, String, String, i64, String, String, String);
type ConsultationRow = (String, String, String, String, String, String, String, String);

impl Db {
    /// The sittings held in `year`, the latest first.
    pub async fn court_sittings(&self, year: i32) -> Result<Vec<Recorded<Sitting>>, sqlx::Error> {
        let rows: Vec<SittingRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, held_on, place, court, judge, cases_heard, outcomes, recorded_by, recorded_at \
                 FROM court_sittings WHERE held_on >= $1 AND held_on <= $2 ORDER BY held_on DESC, id DESC",
            )
            .bind(format!("{year}-01-01"))
            .bind(format!("{year}-12-31"))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(id, held_on, place, court, judge, cases_heard, outcomes, by, at)| {
                Ok(Recorded {
                    id,
                    record: Sitting {
                        held_on: parse_date(&held_on)?,
                        place,
                        court,
                        judge,
                        cases_heard: u32::try_from(cases_heard).unwrap_or_default(),
                        outcomes,
                    },
                    recorded_by: by,
                    recorded_at: parse_ts(&at)?,
                })
            })
            .collect()
    }

    /// The consultations given in `year`, the latest first.
    pub async fn legal_consultations(&self, year: i32) -> Result<Vec<Recorded<Consultation>>, sqlx::Error> {
        let rows: Vec<ConsultationRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, given_on, audience, topic, answer, given_by, recorded_by, recorded_at \
                 FROM legal_consultations WHERE given_on >= $1 AND given_on <= $2 ORDER BY given_on DESC, id DESC",
            )
            .bind(format!("{year}-01-01"))
            .bind(format!("{year}-12-31"))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(id, given_on, audience, topic, answer, given_by, by, at)| {
                Ok(Recorded {
                    id,
                    record: Consultation {
                        given_on: parse_date(&given_on)?,
                        audience: Audience::parse(&audience)
                            .ok_or_else(|| decode_error("audience", &audience))?,
                        topic,
                        answer,
                        given_by,
                    },
                    recorded_by: by,
                    recorded_at: parse_ts(&at)?,
                })
            })
            .collect()
    }
}

impl AuditedTx {
    pub async fn insert_court_sitting(&mut self, id: &str, sitting: &Sitting) -> Result<(), StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO court_sittings (id, held_on, place, court, judge, cases_heard, outcomes, recorded_by, \
                 recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id)
            .bind(sitting.held_on.to_string())
            .bind(&sitting.place)
            .bind(&sitting.court)
            .bind(&sitting.judge)
            .bind(i64::from(sitting.cases_heard))
            .bind(&sitting.outcomes)
            .bind(&actor)
            .bind(&now)
            .execute(conn)
            .await?;
        });
        self.audit(AuditEvent::new("court_sitting.record", "court_sitting", id).details(serde_json::json!({
            "held_on": sitting.held_on, "court": sitting.court, "cases_heard": sitting.cases_heard,
        })))
        .await?;
        Ok(())
    }

    pub async fn insert_legal_consultation(
        &mut self,
        id: &str,
        consultation: &Consultation,
    ) -> Result<(), StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO legal_consultations (id, given_on, audience, topic, answer, given_by, recorded_by, \
                 recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(consultation.given_on.to_string())
            .bind(consultation.audience.code())
            .bind(&consultation.topic)
            .bind(&consultation.answer)
            .bind(&consultation.given_by)
            .bind(&actor)
            .bind(&now)
            .execute(conn)
            .await?;
        });
        self.audit(AuditEvent::new("legal_consultation.record", "legal_consultation", id).details(
            serde_json::json!({
                "given_on": consultation.given_on, "audience": consultation.audience.code(),
            }),
        ))
        .await?;
        Ok(())
    }
}
