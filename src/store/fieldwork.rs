//! The body-camera register, patrols and operations, and the queries behind the full-process
//! recording checks.

use chrono::{DateTime, Utc};

use crate::domain::fieldwork::{PatrolDraft, PatrolKind};
use crate::store::org::Visibility;
use crate::store::{
    AuditEvent, AuditedTx, Db, StoreError, decode_error, new_id, on_pool, on_tx, on_unique, parse_ts, ts,
};

/// The units a reader sees: binds $1 mode, $2 unit (person visibility sees its own unit's rows
/// through $3 elsewhere; here a person sees nothing beyond what its unit filter allows).
macro_rules! visible_units {
    () => {
        "WITH RECURSIVE visible(id) AS ( \
            SELECT id FROM units WHERE id = $2 \
            UNION ALL SELECT u.id FROM units u JOIN visible v ON u.parent_id = v.id WHERE $1 = 'subtree' \
         ) "
    };
}

/// Whether a row of `unit_id` is visible: for `$1`/`$2` as bound by [`visible_units`].
macro_rules! unit_visible {
    ($column:literal) => {
        concat!("($1 = 'all' OR ($1 IN ('unit', 'subtree') AND ", $column, " IN (SELECT id FROM visible)))")
    };
}

/// The media types that count as an audio-video recording (`MediaType` codes of video and
/// audio).
macro_rules! recording_types {
    () => {
        "('mp4', 'quicktime', 'avi', 'wav', 'mp3', 'aac', 'm4a', 'amr')"
    };
}
pub(crate) use recording_types;

/// A registered recording device.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Device {
    pub id: String,
    pub device_no: String,
    pub kind: String,
    pub unit_id: String,
    pub unit_name: String,
    pub person_id: Option<String>,
    pub person_name: Option<String>,
    pub status: String,
    pub version: i64,
}

#[derive(sqlx::FromRow)]
struct DeviceRow {
    id: String,
    device_no: String,
    kind: String,
    unit_id: String,
    unit_name: String,
    person_id: Option<String>,
    person_name: Option<String>,
    status: String,
    version: i64,
}

/// One of the bureau's participants in a patrol or operation.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct PatrolMember {
    pub person_id: String,
    pub name: String,
}

/// A patrol or operation as stored.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Patrol {
    pub id: String,
    #[schema(value_type = String)]
    pub kind: PatrolKind,
    pub title: String,
    pub area: String,
    pub unit_id: String,
    pub unit_name: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub partner_unit: String,
    pub partner_officers: String,
    pub findings: String,
    pub created_by: String,
    /// The bureau's participants.
    pub members: Vec<PatrolMember>,
    /// Video or audio recordings attached.
    pub recordings: i64,
}

#[derive(sqlx::FromRow)]
struct PatrolRow {
    id: String,
    kind: String,
    title: String,
    area: String,
    unit_id: String,
    unit_name: String,
    started_at: String,
    ended_at: String,
    partner_unit: String,
    partner_officers: String,
    findings: String,
    created_by: String,
    recordings: i64,
}

/// An act that had to be filmed, and whether it was.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RecordableAct {
    pub unit_id: String,
    pub unit_name: String,
    /// The rule (`inspection`, `hearing`, … or `patrol`).
    pub rule: String,
    pub rule_name: String,
    /// The case or patrol id.
    pub ref_id: String,
    /// The case event's sequence number (0 for a patrol).
    pub seq: i64,
    pub at: DateTime<Utc>,
    /// Case number or patrol title.
    pub label: String,
    pub recorded: bool,
}

#[derive(sqlx::FromRow)]
struct ActRow {
    unit_id: String,
    unit_name: String,
    rule: String,
    rule_name: String,
    ref_id: String,
    seq: i64,
    at: String,
    label: String,
    recorded: bool,
}

/// One row of the list of acts that must be filmed.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RecordingRule {
    pub code: String,
    pub name_zh: String,
    /// The case step it applies to, and the text its details must contain (empty: any).
    pub event_code: String,
    pub detail_match: String,
    pub basis: String,
    pub enabled: bool,
}

/// A recording that ended, with when it arrived.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TimedRecording {
    pub id: String,
    pub unit_id: String,
    pub unit_name: String,
    pub description: String,
    pub ended_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
}

impl Db {
    pub async fn devices(&self, visibility: &Visibility) -> Result<Vec<Device>, sqlx::Error> {
        let (mode, unit, _) = visibility.binds();
        let rows: Vec<DeviceRow> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                visible_units!(),
                "SELECT d.id, d.device_no, d.kind, d.unit_id, u.name AS unit_name, d.person_id, p.name AS person_name, \
                        d.status, d.version \
                   FROM devices d JOIN units u ON u.id = d.unit_id LEFT JOIN people p ON p.id = d.person_id \
                  WHERE ",
                unit_visible!("d.unit_id"),
                " ORDER BY u.name, d.device_no"
            ))
            .bind(mode)
            .bind(&unit)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|r| Device {
                id: r.id,
                device_no: r.device_no,
                kind: r.kind,
                unit_id: r.unit_id,
                unit_name: r.unit_name,
                person_id: r.person_id,
                person_name: r.person_name,
                status: r.status,
                version: r.version,
            })
            .collect())
    }

    pub async fn patrols(
        &self,
        visibility: &Visibility,
        only: Option<&str>,
        limit: i64,
    ) -> Result<Vec<Patrol>, sqlx::Error> {
        let (mode, unit, _) = visibility.binds();
        let rows: Vec<PatrolRow> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                visible_units!(),
                "SELECT p.id, p.kind, p.title, p.area, p.unit_id, u.name AS unit_name, p.started_at, p.ended_at, \
                        p.partner_unit, p.partner_officers, p.findings, p.created_by, \
                        (SELECT COUNT(*) FROM evidence_items e WHERE e.patrol_id = p.id AND e.deleted_at IS NULL \
                           AND e.media_type IN ",
                recording_types!(),
                ") AS recordings \
                   FROM patrols p JOIN units u ON u.id = p.unit_id \
                  WHERE ",
                unit_visible!("p.unit_id"),
                " AND ($3 = '' OR p.id = $3) ORDER BY p.started_at DESC LIMIT $4"
            ))
            .bind(mode)
            .bind(&unit)
            .bind(only.unwrap_or(""))
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        let mut patrols = Vec::with_capacity(rows.len());
        for r in rows {
            let members: Vec<PatrolMember> = on_pool!(self, |pool| {
                sqlx::query_as(
                    "SELECT m.person_id, p.name FROM patrol_members m JOIN people p ON p.id = m.person_id \
                     WHERE m.patrol_id = $1 ORDER BY p.name",
                )
                .bind(&r.id)
                .fetch_all(pool)
                .await?
            });
            patrols.push(Patrol {
                kind: PatrolKind::parse(&r.kind).ok_or_else(|| decode_error("patrol kind", &r.kind))?,
                started_at: parse_ts(&r.started_at)?,
                ended_at: parse_ts(&r.ended_at)?,
                id: r.id,
                title: r.title,
                area: r.area,
                unit_id: r.unit_id,
                unit_name: r.unit_name,
                partner_unit: r.partner_unit,
                partner_officers: r.partner_officers,
                findings: r.findings,
                created_by: r.created_by,
                members,
                recordings: r.recordings,
            });
        }
        Ok(patrols)
    }

    /// Every act in `[from, to)` that the recording rules say must be filmed, with whether a
    /// recording is attached to it.
    pub async fn recordable_acts(
        &self,
        visibility: &Visibility,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<RecordableAct>, sqlx::Error> {
        let (mode, unit, _) = visibility.binds();
        let rows: Vec<ActRow> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                visible_units!(),
                "SELECT c.unit_id, u.name AS unit_name, r.code AS rule, r.name_zh AS rule_name, ev.case_id AS ref_id, \
                        ev.seq, ev.at, c.number AS label, \
                        EXISTS (SELECT 1 FROM evidence_items e WHERE e.case_id = ev.case_id AND e.case_event_seq = ev.seq \
                                AND e.deleted_at IS NULL \
                                AND e.media_type IN ",
                recording_types!(),
                ") AS recorded \
                   FROM case_events ev JOIN cases c ON c.id = ev.case_id JOIN units u ON u.id = c.unit_id \
                   JOIN recording_rules r ON r.enabled AND r.event_code = ev.code \
                        AND (r.detail_match = '' OR ev.details LIKE '%' || r.detail_match || '%') \
                  WHERE ev.at >= $3 AND ev.at < $4 AND ",
                unit_visible!("c.unit_id"),
                " UNION ALL \
                 SELECT p.unit_id, u.name, 'patrol', '巡查、专项整治、联合执法现场', p.id, 0, p.started_at, p.title, \
                        EXISTS (SELECT 1 FROM evidence_items e WHERE e.patrol_id = p.id AND e.deleted_at IS NULL \
                                AND e.media_type IN ",
                recording_types!(),
                ") \
                   FROM patrols p JOIN units u ON u.id = p.unit_id \
                  WHERE p.started_at >= $3 AND p.started_at < $4 AND ",
                unit_visible!("p.unit_id"),
                " ORDER BY 7"
            ))
            .bind(mode)
            .bind(&unit)
            .bind(ts(from))
            .bind(ts(to))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|r| {
                Ok(RecordableAct {
                    at: parse_ts(&r.at)?,
                    unit_id: r.unit_id,
                    unit_name: r.unit_name,
                    rule: r.rule,
                    rule_name: r.rule_name,
                    ref_id: r.ref_id,
                    seq: r.seq,
                    label: r.label,
                    recorded: r.recorded,
                })
            })
            .collect()
    }

    /// Recordings received in `[from, to)` whose end time is known (their own, else the device
    /// time), for the late-upload check.
    pub async fn timed_recordings(
        &self,
        visibility: &Visibility,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<TimedRecording>, sqlx::Error> {
        let (mode, unit, _) = visibility.binds();
        let rows: Vec<(String, String, String, String, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                visible_units!(),
                "SELECT e.id, e.unit_id, u.name, e.description, COALESCE(e.recording_ended_at, e.device_time), e.received_at \
                   FROM evidence_items e JOIN units u ON u.id = e.unit_id \
                  WHERE e.received_at >= $3 AND e.received_at < $4 AND e.deleted_at IS NULL AND e.clock_skew = $5 \
                    AND COALESCE(e.recording_ended_at, e.device_time) IS NOT NULL AND ",
                unit_visible!("e.unit_id"),
                " ORDER BY e.received_at"
            ))
            .bind(mode)
            .bind(&unit)
            .bind(ts(from))
            .bind(ts(to))
            .bind(false)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(id, unit_id, unit_name, description, ended, received)| {
                Ok(TimedRecording {
                    id,
                    unit_id,
                    unit_name,
                    description,
                    ended_at: parse_ts(&ended)?,
                    received_at: parse_ts(&received)?,
                })
            })
            .collect()
    }

    pub async fn recording_rules(&self) -> Result<Vec<RecordingRule>, sqlx::Error> {
        let rows: Vec<(String, String, String, String, String, bool)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT code, name_zh, event_code, detail_match, basis, enabled FROM recording_rules ORDER BY code",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(code, name_zh, event_code, detail_match, basis, enabled)| RecordingRule {
                code,
                name_zh,
                event_code,
                detail_match,
                basis,
                enabled,
            })
            .collect())
    }

    /// The unit of a visible patrol, for attaching evidence to it.
    pub async fn patrol_unit(
        &self,
        visibility: &Visibility,
        id: &str,
    ) -> Result<Option<String>, sqlx::Error> {
        Ok(self.patrols(visibility, Some(id), 1).await?.into_iter().next().map(|p| p.unit_id))
    }
}

impl AuditedTx {
    /// Switches a rule on or off.
    pub async fn set_recording_rule(&mut self, code: &str, enabled: bool) -> Result<(), StoreError> {
        let changed = on_tx!(&mut self.tx, |conn| {
            sqlx::query("UPDATE recording_rules SET enabled = $2 WHERE code = $1")
                .bind(code)
                .bind(enabled)
                .execute(&mut *conn)
                .await?
                .rows_affected()
        });
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        self.audit(
            AuditEvent::new("recording_rule.set", "recording_rule", code)
                .details(serde_json::json!({ "enabled": enabled })),
        )
        .await?;
        Ok(())
    }

    pub async fn insert_device(
        &mut self,
        device_no: &str,
        kind: &str,
        unit_id: &str,
        person_id: Option<&str>,
    ) -> Result<String, StoreError> {
        let id = new_id(self.now());
        let now = ts(self.now());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO devices (id, device_no, kind, unit_id, person_id, status, version, created_at) \
                 VALUES ($1, $2, $3, $4, $5, 'in_use', 1, $6)",
            )
            .bind(&id)
            .bind(device_no)
            .bind(kind)
            .bind(unit_id)
            .bind(person_id)
            .bind(&now)
            .execute(&mut *conn)
            .await
            .map_err(|e| on_unique(e, "device_no"))?;
        });
        self.audit(AuditEvent::new("device.register", "device", &id).details(serde_json::json!({
            "device_no": device_no, "kind": kind, "unit_id": unit_id, "person_id": person_id,
        })))
        .await?;
        Ok(id)
    }

    pub async fn insert_patrol(&mut self, draft: &PatrolDraft, unit_id: &str) -> Result<String, StoreError> {
        let id = new_id(self.now());
        let now = ts(self.now());
        let actor = self.actor().to_owned();
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO patrols (id, kind, title, area, unit_id, started_at, ended_at, partner_unit, \
                 partner_officers, findings, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(&id)
            .bind(draft.kind.code())
            .bind(&draft.title)
            .bind(&draft.area)
            .bind(unit_id)
            .bind(ts(draft.started_at))
            .bind(ts(draft.ended_at))
            .bind(&draft.partner_unit)
            .bind(&draft.partner_officers)
            .bind(&draft.findings)
            .bind(&actor)
            .bind(&now)
            .execute(&mut *conn)
            .await?;
            for member in &draft.members {
                sqlx::query("INSERT INTO patrol_members (patrol_id, person_id) VALUES ($1, $2)")
                    .bind(&id)
                    .bind(member)
                    .execute(&mut *conn)
                    .await?;
            }
        });
        self.audit(AuditEvent::new("patrol.record", "patrol", &id).details(serde_json::json!({
            "kind": draft.kind.code(), "unit_id": unit_id, "members": draft.members,
            "partner_unit": draft.partner_unit,
        })))
        .await?;
        Ok(id)
    }
}
