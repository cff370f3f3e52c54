//! The working-day calendar's tables: years with their notice, and the special days.

use chrono::{DateTime, Utc};

use crate::domain::calendar::{DayKind, SpecialDay, WorkCalendar, parse_arrangements};
use crate::store::{
    AuditCtx, AuditEvent, AuditedTx, Db, StoreError, decode_error, on_pool, on_tx, parse_date, ts,
};

/// The arrangements that ship with the binary (2017–2026).
pub const SHIPPED_ARRANGEMENTS: &str = include_str!("../../data/holidays.tsv");

/// A year of the calendar as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarYear {
    pub year: i32,
    pub notice: String,
    pub rest_days: i64,
    pub work_days: i64,
    pub version: i64,
}

impl Db {
    pub(crate) async fn load_work_calendar(&self) -> Result<WorkCalendar, sqlx::Error> {
        let (years, days): (Vec<i64>, Vec<(String, String)>) = on_pool!(self, |pool| {
            let years = sqlx::query_scalar("SELECT year FROM calendar_years").fetch_all(pool).await?;
            let days = sqlx::query_as("SELECT date, kind FROM calendar_days").fetch_all(pool).await?;
            (years, days)
        });
        let days = days
            .into_iter()
            .map(|(date, kind)| {
                let kind = DayKind::parse(&kind).ok_or_else(|| decode_error("calendar day kind", &kind))?;
                Ok((parse_date(&date)?, kind))
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(WorkCalendar::new(years.into_iter().map(|y| y as i32), days))
    }

    pub async fn calendar_years(&self) -> Result<Vec<CalendarYear>, sqlx::Error> {
        let rows: Vec<(i64, String, i64, i64, i64)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT y.year, y.notice, \
                 (SELECT COUNT(*) FROM calendar_days d WHERE d.year = y.year AND d.kind = 'rest'), \
                 (SELECT COUNT(*) FROM calendar_days d WHERE d.year = y.year AND d.kind = 'work'), \
                 y.version FROM calendar_years y ORDER BY y.year",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(year, notice, rest_days, work_days, version)| CalendarYear {
                year: year as i32,
                notice,
                rest_days,
                work_days,
                version,
            })
            .collect())
    }

    /// The special days of one year, in date order.
    pub async fn calendar_days(&self, year: i32) -> Result<Vec<SpecialDay>, sqlx::Error> {
        let rows: Vec<(String, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT date, kind, festival FROM calendar_days WHERE year = $1 ORDER BY date")
                .bind(i64::from(year))
                .fetch_all(pool)
                .await?
        });
        rows.into_iter()
            .map(|(date, kind, festival)| {
                Ok(SpecialDay {
                    date: parse_date(&date)?,
                    kind: DayKind::parse(&kind).ok_or_else(|| decode_error("calendar day kind", &kind))?,
                    festival,
                })
            })
            .collect()
    }

    /// Loads the shipped arrangements for every year not yet in the database. A year already
    /// there is left alone: an administrator's corrections win over the shipped file.
    pub async fn import_shipped_calendar(&self, now: DateTime<Utc>) -> Result<Vec<i32>, StoreError> {
        let (years, days) = parse_arrangements(SHIPPED_ARRANGEMENTS)
            .map_err(|e| StoreError::Db(decode_error("holidays.tsv", &e)))?;
        let present: Vec<i64> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT year FROM calendar_years").fetch_all(pool).await?
        });
        let missing: Vec<(i32, String)> =
            years.into_iter().filter(|(year, _)| !present.contains(&i64::from(*year))).collect();
        if missing.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.begin(&AuditCtx::cli("system"), now).await?;
        for (year, notice) in &missing {
            let year_days: Vec<SpecialDay> =
                days.iter().filter(|d| chrono::Datelike::year(&d.date) == *year).cloned().collect();
            tx.write_calendar_year(*year, notice, &year_days).await?;
        }
        let imported: Vec<i32> = missing.iter().map(|(y, _)| *y).collect();
        tx.audit(
            AuditEvent::new("calendar.import", "calendar", "shipped")
                .details(serde_json::json!({ "years": imported, "source": "data/holidays.tsv" })),
        )
        .await?;
        tx.commit().await?;
        Ok(imported)
    }
}

impl AuditedTx {
    /// Writes a year's rows without auditing; callers audit what the write means.
    async fn write_calendar_year(
        &mut self,
        year: i32,
        notice: &str,
        days: &[SpecialDay],
    ) -> Result<(), StoreError> {
        let now = ts(self.now());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query("INSERT INTO calendar_years (year, notice, updated_at) VALUES ($1, $2, $3)")
                .bind(i64::from(year))
                .bind(notice)
                .bind(&now)
                .execute(&mut *conn)
                .await?;
            for day in days {
                sqlx::query("INSERT INTO calendar_days (date, year, kind, festival) VALUES ($1, $2, $3, $4)")
                    .bind(day.date.to_string())
                    .bind(i64::from(year))
                    .bind(day.kind.code())
                    .bind(&day.festival)
                    .execute(&mut *conn)
                    .await?;
            }
        });
        Ok(())
    }

    /// Enters or replaces one year's arrangement, as an administrator does when the State
    /// Council publishes the next year's notice. `version` is 0 for a new year, else the version
    /// read; a stale one is a conflict.
    pub async fn set_calendar_year(
        &mut self,
        year: i32,
        notice: &str,
        days: &[SpecialDay],
        version: i64,
    ) -> Result<i64, StoreError> {
        let now = ts(self.now());
        if version == 0 {
            self.write_calendar_year(year, notice, days).await.map_err(|e| match e {
                StoreError::Db(db) => crate::store::on_unique(db, "year"),
                other => other,
            })?;
        } else {
            let changed = on_tx!(&mut self.tx, |conn| {
                let changed = sqlx::query(
                    "UPDATE calendar_years SET notice = $1, version = version + 1, updated_at = $2 \
                     WHERE year = $3 AND version = $4",
                )
                .bind(notice)
                .bind(&now)
                .bind(i64::from(year))
                .bind(version)
                .execute(&mut *conn)
                .await?
                .rows_affected();
                if changed == 1 {
                    sqlx::query("DELETE FROM calendar_days WHERE year = $1")
                        .bind(i64::from(year))
                        .execute(&mut *conn)
                        .await?;
                    for day in days {
                        sqlx::query(
                            "INSERT INTO calendar_days (date, year, kind, festival) VALUES ($1, $2, $3, $4)",
                        )
                        .bind(day.date.to_string())
                        .bind(i64::from(year))
                        .bind(day.kind.code())
                        .bind(&day.festival)
                        .execute(&mut *conn)
                        .await?;
                    }
                }
                changed
            });
            if changed == 0 {
                return Err(StoreError::Conflict);
            }
        }
        let listed: Vec<String> = days.iter().map(|d| format!("{} {}", d.date, d.kind.code())).collect();
        self.audit(
            AuditEvent::new("calendar.set_year", "calendar_year", year.to_string())
                .details(serde_json::json!({ "notice": notice, "days": listed, "version": version + 1 })),
        )
        .await?;
        Ok(version + 1)
    }
}
