//! Periodic jobs: the lease that elects one instance to run them, and the warnings they raise.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::store::{AuditCtx, AuditEvent, Db, on_pool, on_tx, ts};

impl Db {
    /// Claims the one run of a job that must happen once (`name` carries the date of a nightly
    /// job). True for exactly one caller across all instances.
    pub async fn claim_run(&self, name: &str, holder: &str, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
        on_pool!(self, |pool| {
            let inserted = sqlx::query(
                "INSERT INTO job_leases (name, holder, expires_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
            )
            .bind(name)
            .bind(holder)
            .bind(ts(now))
            .execute(pool)
            .await?
            .rows_affected();
            Ok(inserted == 1)
        })
    }

    /// Takes or renews the lease on job `name` for `holder` until `now + ttl`. True if this
    /// holder now has it: it held it already, or the last holder's lease ran out. Several
    /// instances on one PostgreSQL database call this; one wins, the others wait their turn.
    pub async fn take_lease(
        &self,
        name: &str,
        holder: &str,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<bool, sqlx::Error> {
        let (now_text, until) = (ts(now), ts(now + ttl));
        on_pool!(self, |pool| {
            // A new job starts with a lease that ran out long ago, free for the first taker.
            sqlx::query(
                "INSERT INTO job_leases (name, holder, expires_at) VALUES ($1, '', '1970-01-01T00:00:00.000000Z') \
                 ON CONFLICT (name) DO NOTHING",
            )
            .bind(name)
            .execute(pool)
            .await?;
            let taken = sqlx::query(
                "UPDATE job_leases SET holder = $1, expires_at = $2 WHERE name = $3 AND (holder = $1 OR expires_at < $4)",
            )
            .bind(holder)
            .bind(&until)
            .bind(name)
            .bind(&now_text)
            .execute(pool)
            .await?
            .rows_affected();
            Ok(taken == 1)
        })
    }

    /// Raises a warning for every open duty clock whose end has passed and that has none yet;
    /// returns how many were raised. The raising is audited, once per run that raised any.
    pub async fn raise_alerts(&self, today: NaiveDate, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
        let today = today.to_string();
        let pending: i64 = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM case_clocks k WHERE k.duty AND k.met_on IS NULL AND k.due_on < $1 \
                 AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.case_id = k.case_id AND a.clock = k.kind AND a.due_on = k.due_on)",
            )
            .bind(&today)
            .fetch_one(pool)
            .await?
        });
        if pending == 0 {
            return Ok(0);
        }
        let mut tx = self.begin(&AuditCtx::cli("deadline-job"), now).await?;
        let raised = on_tx!(&mut tx.tx, |conn| {
            sqlx::query(
                "INSERT INTO alerts (case_id, clock, due_on, unit_id, raised_at) \
                 SELECT DISTINCT k.case_id, k.kind, k.due_on, k.unit_id, $2 FROM case_clocks k \
                 WHERE k.duty AND k.met_on IS NULL AND k.due_on < $1 \
                 AND NOT EXISTS (SELECT 1 FROM alerts a WHERE a.case_id = k.case_id AND a.clock = k.kind AND a.due_on = k.due_on)",
            )
            .bind(&today)
            .bind(ts(now))
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        tx.audit(
            AuditEvent::new("alert.raise", "case_clock", "overdue")
                .details(serde_json::json!({ "raised": raised })),
        )
        .await?;
        tx.commit().await?;
        Ok(raised)
    }

    /// How many warnings were raised, for the job's tests and the home page.
    pub async fn alert_count(&self) -> Result<i64, sqlx::Error> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM alerts").fetch_one(pool).await?
        }))
    }
}
