//! 便民服务点 and 疏导点: the points (versioned), the vendors admitted (ended once) and the
//! inspections (appended).

use chrono::NaiveDate;

use crate::domain::vending::{
    Admission, Hours, Inspection, InspectionResult, MapPoint, Point, PointKind, PointStatus,
};
use crate::store::org::Visibility;
use crate::store::{
    AuditEvent, AuditedTx, Db, Recorded, StoreError, decode_error, on_pool, on_tx, parse_date, parse_ts, ts,
    visible_units,
};

/// A point as stored, with what a list needs: its squad's name, the stalls taken on the day
/// asked about and the last inspection.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct VendingPoint {
    pub id: String,
    #[serde(flatten)]
    pub point: Point,
    pub unit_name: String,
    /// Stalls held by a current admission on the day read.
    pub stalls_taken: u32,
    #[schema(value_type = Option<String>, format = Date)]
    pub last_inspected_on: Option<NaiveDate>,
    pub version: i64,
}

impl VendingPoint {
    pub fn stalls_free(&self) -> u32 {
        self.point.capacity.saturating_sub(self.stalls_taken)
    }
}

/// A vendor's admission to a stall, with the vendor's name as in the party registry.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct VendingAdmission {
    pub id: String,
    pub point_id: String,
    #[serde(flatten)]
    pub admission: Admission,
    pub party_name: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<String>,
    pub recorded_by: String,
}

impl VendingAdmission {
    /// The admission as it binds stalls: an ended one runs to the day before its end.
    pub fn effective(&self) -> Option<Admission> {
        let until = match self.ended_on {
            Some(end) if end <= self.admission.admitted_on => return None,
            Some(end) => end.pred_opt()?.min(self.admission.until),
            None => self.admission.until,
        };
        Some(Admission { until, ..self.admission.clone() })
    }
}

macro_rules! point_select {
    () => {
        "SELECT p.id, p.name, p.kind, p.unit_id, p.address, p.longitude, p.latitude, p.hours, p.capacity, p.goods, \
         p.status, p.note, un.name, \
         (SELECT COUNT(*) FROM vending_admissions a WHERE a.point_id = p.id AND a.admitted_on <= $3 AND a.until >= $3 \
            AND (a.ended_on IS NULL OR a.ended_on > $3)), \
         (SELECT MAX(i.inspected_on) FROM vending_inspections i WHERE i.point_id = p.id), p.version \
         FROM vending_points p JOIN units un ON un.id = p.unit_id \
         WHERE ($1 = 'all' OR ($1 IN ('unit', 'subtree') AND p.unit_id IN (SELECT id FROM visible))) "
    };
}

type PointRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    String,
    String,
    String,
    i64,
    Option<String>,
    i64,
);

fn decode_point(row: PointRow) -> Result<VendingPoint, sqlx::Error> {
    let (
        id,
        name,
        kind,
        unit_id,
        address,
        lon,
        lat,
        hours,
        capacity,
        goods,
        status,
        note,
        unit_name,
        taken,
        last,
        version,
    ) = row;
    Ok(VendingPoint {
        point: Point {
            name,
            kind: PointKind::parse(&kind).ok_or_else(|| decode_error("vending_points.kind", &kind))?,
            unit_id,
            address,
            map: MapPoint::parse(&lon, &lat).ok_or_else(|| decode_error("vending_points.longitude", &lon))?,
            hours: Hours::parse(&hours).ok_or_else(|| decode_error("vending_points.hours", &hours))?,
            capacity: u32::try_from(capacity).unwrap_or_default(),
            goods,
            status: PointStatus::parse(&status)
                .ok_or_else(|| decode_error("vending_points.status", &status))?,
            note,
        },
        id,
        unit_name,
        stalls_taken: u32::try_from(taken).unwrap_or_default(),
        last_inspected_on: last.as_deref().map(parse_date).transpose()?,
        version,
    })
}

type AdmissionRow =
    (String, String, String, String, String, String, String, String, Option<String>, Option<String>, String);

impl Db {
    /// The points in scope with their stalls taken on `day`, by squad and name. `public` keeps
    /// only the points the portal shows (open or suspended).
    pub async fn vending_points(
        &self,
        visibility: &Visibility,
        day: NaiveDate,
        public: bool,
    ) -> Result<Vec<VendingPoint>, sqlx::Error> {
        let (mode, unit, _) = visibility.binds();
        let rows: Vec<PointRow> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                visible_units!(),
                point_select!(),
                "AND ($4 = 0 OR p.status <> 'closed') ORDER BY un.name, p.name, p.id"
            ))
            .bind(mode)
            .bind(&unit)
            .bind(day.to_string())
            .bind(i64::from(public))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(decode_point).collect()
    }

    pub async fn vending_point(
        &self,
        visibility: &Visibility,
        id: &str,
        day: NaiveDate,
    ) -> Result<Option<VendingPoint>, sqlx::Error> {
        let (mode, unit, _) = visibility.binds();
        let row: Option<PointRow> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(visible_units!(), point_select!(), "AND p.id = $4"))
                .bind(mode)
                .bind(&unit)
                .bind(day.to_string())
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        row.map(decode_point).transpose()
    }

    /// A point's admissions, the latest first.
    pub async fn vending_admissions(&self, point_id: &str) -> Result<Vec<VendingAdmission>, sqlx::Error> {
        let rows: Vec<AdmissionRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT a.id, a.point_id, a.party_id, pa.name, a.stall, a.goods, a.admitted_on, a.until, \
                 a.ended_on, a.end_reason, a.recorded_by FROM vending_admissions a \
                 JOIN parties pa ON pa.id = a.party_id WHERE a.point_id = $1 ORDER BY a.admitted_on DESC, a.id DESC",
            )
            .bind(point_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(id, point_id, party_id, party_name, stall, goods, from, to, ended, reason, by)| {
                Ok(VendingAdmission {
                    admission: Admission {
                        party_id,
                        stall,
                        goods,
                        admitted_on: parse_date(&from)?,
                        until: parse_date(&to)?,
                    },
                    id,
                    point_id,
                    party_name,
                    ended_on: ended.as_deref().map(parse_date).transpose()?,
                    end_reason: reason,
                    recorded_by: by,
                })
            })
            .collect()
    }

    pub async fn vending_admission(&self, id: &str) -> Result<Option<VendingAdmission>, sqlx::Error> {
        let point: Option<(String,)> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT point_id FROM vending_admissions WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        let Some((point,)) = point else { return Ok(None) };
        Ok(self.vending_admissions(&point).await?.into_iter().find(|a| a.id == id))
    }

    /// A point's inspections, the latest first.
    pub async fn vending_inspections(
        &self,
        point_id: &str,
    ) -> Result<Vec<Recorded<Inspection>>, sqlx::Error> {
        let rows: Vec<(String, String, String, String, String, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, inspected_on, inspected_by, result, findings, recorded_by, recorded_at \
                 FROM vending_inspections WHERE point_id = $1 ORDER BY inspected_on DESC, id DESC",
            )
            .bind(point_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(id, on, by, result, findings, recorded_by, at)| {
                Ok(Recorded {
                    id,
                    record: Inspection {
                        inspected_on: parse_date(&on)?,
                        inspected_by: by,
                        result: InspectionResult::parse(&result)
                            .ok_or_else(|| decode_error("vending_inspections.result", &result))?,
                        findings,
                    },
                    recorded_by,
                    recorded_at: parse_ts(&at)?,
                })
            })
            .collect()
    }
}

impl AuditedTx {
    pub async fn insert_vending_point(&mut self, id: &str, point: &Point) -> Result<(), StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO vending_points (id, name, kind, unit_id, address, longitude, latitude, hours, capacity, \
                 goods, status, note, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            )
            .bind(id)
            .bind(&point.name)
            .bind(point.kind.code())
            .bind(&point.unit_id)
            .bind(&point.address)
            .bind(format!("{:.6}", point.map.longitude))
            .bind(format!("{:.6}", point.map.latitude))
            .bind(point.hours.to_string())
            .bind(i64::from(point.capacity))
            .bind(&point.goods)
            .bind(point.status.code())
            .bind(&point.note)
            .bind(&actor)
            .bind(&now)
            .execute(conn)
            .await?;
        });
        self.audit(
            AuditEvent::new("vending_point.create", "vending_point", id)
                .details(serde_json::json!({ "point": point })),
        )
        .await?;
        Ok(())
    }

    /// Corrects a point over the version read; a stale version changes nothing.
    pub async fn update_vending_point(
        &mut self,
        id: &str,
        version: i64,
        before: &Point,
        point: &Point,
    ) -> Result<i64, StoreError> {
        let done = on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "UPDATE vending_points SET name = $1, kind = $2, unit_id = $3, address = $4, longitude = $5, \
                 latitude = $6, hours = $7, capacity = $8, goods = $9, status = $10, note = $11, version = version + 1 \
                 WHERE id = $12 AND version = $13",
            )
            .bind(&point.name)
            .bind(point.kind.code())
            .bind(&point.unit_id)
            .bind(&point.address)
            .bind(format!("{:.6}", point.map.longitude))
            .bind(format!("{:.6}", point.map.latitude))
            .bind(point.hours.to_string())
            .bind(i64::from(point.capacity))
            .bind(&point.goods)
            .bind(point.status.code())
            .bind(&point.note)
            .bind(id)
            .bind(version)
            .execute(conn)
            .await?
            .rows_affected()
        });
        if done == 0 {
            return Err(StoreError::Conflict);
        }
        self.audit(AuditEvent::new("vending_point.update", "vending_point", id).details(serde_json::json!({
            "before": before, "after": point, "version": version + 1,
        })))
        .await?;
        Ok(version + 1)
    }

    pub async fn insert_vending_admission(
        &mut self,
        id: &str,
        point_id: &str,
        admission: &Admission,
    ) -> Result<(), StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO vending_admissions (id, point_id, party_id, stall, goods, admitted_on, until, recorded_by, \
                 recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id)
            .bind(point_id)
            .bind(&admission.party_id)
            .bind(&admission.stall)
            .bind(&admission.goods)
            .bind(admission.admitted_on.to_string())
            .bind(admission.until.to_string())
            .bind(&actor)
            .bind(&now)
            .execute(conn)
            .await?;
        });
        // The party's id, never the name: the audit chain carries no personal data.
        self.audit(AuditEvent::new("vending_admission.create", "vending_point", point_id).details(
            serde_json::json!({
                "admission_id": id, "party_id": admission.party_id, "stall": admission.stall,
                "admitted_on": admission.admitted_on, "until": admission.until,
            }),
        ))
        .await?;
        Ok(())
    }

    /// Ends an admission that has not ended; one already ended changes nothing (a conflict).
    pub async fn end_vending_admission(
        &mut self,
        id: &str,
        point_id: &str,
        on: NaiveDate,
        reason: &str,
    ) -> Result<(), StoreError> {
        let done = on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "UPDATE vending_admissions SET ended_on = $1, end_reason = $2 WHERE id = $3 AND ended_on IS NULL",
            )
            .bind(on.to_string())
            .bind(reason)
            .bind(id)
            .execute(conn)
            .await?
            .rows_affected()
        });
        if done == 0 {
            return Err(StoreError::Conflict);
        }
        self.audit(AuditEvent::new("vending_admission.end", "vending_point", point_id).details(
            serde_json::json!({
                "admission_id": id, "ended_on": on, "reason": reason,
            }),
        ))
        .await?;
        Ok(())
    }

    pub async fn insert_vending_inspection(
        &mut self,
        id: &str,
        point_id: &str,
        inspection: &Inspection,
    ) -> Result<(), StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO vending_inspections (id, point_id, inspected_on, inspected_by, result, findings, \
                 recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(point_id)
            .bind(inspection.inspected_on.to_string())
            .bind(&inspection.inspected_by)
            .bind(inspection.result.code())
            .bind(&inspection.findings)
            .bind(&actor)
            .bind(&now)
            .execute(conn)
            .await?;
        });
        self.audit(AuditEvent::new("vending_inspection.record", "vending_point", point_id).details(
            serde_json::json!({
                "inspection_id": id, "inspected_on": inspection.inspected_on, "result": inspection.result.code(),
            }),
        ))
        .await?;
        Ok(())
    }
}
