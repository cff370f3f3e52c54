//! Matters (事项), their timeline and reporters, the catalogue of classes and the partner
//! departments. A matter is stored as listing columns (for lists, the overdue scan and the
//! indicators, which must not parse JSON per row) beside the whole domain state in `body`; the
//! two are written together from one `Matter`, so they cannot disagree.

use chrono::{DateTime, Utc};

use crate::domain::intake::indicators::{Counts, Indicator};
use crate::domain::intake::{Category, CategoryKind, Matter, MatterEvent, Status};
use crate::domain::worktime::TimeLimit;
use crate::store::org::Visibility;
use crate::store::personal::{Field, open, seal};
use crate::store::{
    AuditEvent, AuditedTx, Db, StoreError, decode_error, on_pool, on_tx, parse_ts, ts, visible_units,
};

/// Whether the reader may see matter `m`: the centre and the bureau's leaders see all of them, a
/// squad those dispatched to it (or below it). A matter not yet dispatched is the centre's.
macro_rules! visible_matter {
    () => {
        "($1 = 'all' OR ($1 IN ('unit', 'subtree') AND m.unit_id IN (SELECT id FROM visible))) "
    };
}

type CategoryRow = (String, String, String, String, bool, String, String, bool, i64);

fn category(row: CategoryRow) -> Result<Category, sqlx::Error> {
    let (code, name, kind, group, public, normal, urgent, active, version) = row;
    Ok(Category {
        kind: CategoryKind::parse(&kind).ok_or_else(|| decode_error("category kind", &kind))?,
        handle_normal: TimeLimit::parse(&normal).ok_or_else(|| decode_error("time limit", &normal))?,
        handle_urgent: TimeLimit::parse(&urgent).ok_or_else(|| decode_error("time limit", &urgent))?,
        code,
        name,
        group,
        public,
        active,
        version,
    })
}

/// A line of a matter's timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatterEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub code: String,
    pub summary: String,
}

/// A reporter of a matter, opened (the caller masks it unless revealed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reporter {
    pub name: String,
    pub phone: String,
    /// The matter it was filed with (another one when a duplicate was merged in).
    pub from_matter: String,
    pub added_at: DateTime<Utc>,
}

/// What a matter list asks for.
#[derive(Debug, Clone, Default)]
pub struct MatterFilter {
    pub status: Option<Status>,
    pub unit_id: Option<String>,
    /// Only matters whose current step is past due at this moment.
    pub overdue_at: Option<DateTime<Utc>>,
    /// The most urgent first (by the current step's deadline) instead of the newest first.
    pub by_due: bool,
    pub limit: i64,
    pub offset: i64,
}

fn parse_body(body: &str) -> Result<Matter, sqlx::Error> {
    serde_json::from_str(body).map_err(|e| sqlx::Error::Decode(format!("bad matter body: {e}").into()))
}

fn opt_ts(instant: Option<DateTime<Utc>>) -> Option<String> {
    instant.map(ts)
}

impl Db {
    /// The whole catalogue, active classes first, in code order.
    pub async fn matter_categories(&self) -> Result<Vec<Category>, sqlx::Error> {
        let rows: Vec<CategoryRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT code, name, kind, group_name, public, handle_normal, handle_urgent, active, version \
                 FROM matter_categories ORDER BY active DESC, code",
            )
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(category).collect()
    }

    /// The partner departments a matter can be referred to: id and name, active ones only.
    pub async fn partner_departments(&self) -> Result<Vec<(String, String)>, sqlx::Error> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as("SELECT id, name FROM partner_departments WHERE active ORDER BY name")
                .fetch_all(pool)
                .await?
        }))
    }

    /// One matter, if the reader may see it.
    pub async fn matter(&self, visibility: &Visibility, id: &str) -> Result<Option<Matter>, sqlx::Error> {
        let (mode, unit, _) = visibility.binds();
        let body: Option<String> = on_pool!(self, |pool| {
            sqlx::query_scalar(concat!(
                visible_units!(),
                "SELECT m.body FROM matters m WHERE m.id = $3 AND ",
                visible_matter!()
            ))
            .bind(mode)
            .bind(&unit)
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        body.as_deref().map(parse_body).transpose()
    }

    /// Matters in the reader's view, newest first, with the count of all that match.
    pub async fn matters(
        &self,
        visibility: &Visibility,
        filter: &MatterFilter,
    ) -> Result<(Vec<Matter>, i64), sqlx::Error> {
        let (mode, unit, _) = visibility.binds();
        let status = filter.status.map(|s| s.code().to_owned()).unwrap_or_default();
        let in_unit = filter.unit_id.clone().unwrap_or_default();
        let overdue = filter.overdue_at.map(ts).unwrap_or_default();
        macro_rules! matching {
            () => {
                concat!(
                    "FROM matters m WHERE ",
                    visible_matter!(),
                    "AND ($3 = '' OR m.status = $3) AND ($4 = '' OR m.unit_id = $4) \
                     AND ($5 = '' OR (m.due_at IS NOT NULL AND m.due_at < $5)) "
                )
            };
        }
        let (bodies, total): (Vec<String>, i64) = on_pool!(self, |pool| {
            let bodies = sqlx::query_scalar(concat!(
                visible_units!(),
                "SELECT m.body ",
                matching!(),
                "ORDER BY CASE WHEN $8 = 1 THEN m.due_at END, m.reported_at DESC, m.id DESC LIMIT $6 OFFSET $7"
            ))
            .bind(mode)
            .bind(&unit)
            .bind(&status)
            .bind(&in_unit)
            .bind(&overdue)
            .bind(filter.limit)
            .bind(filter.offset)
            .bind(i64::from(filter.by_due))
            .fetch_all(pool)
            .await?;
            let total = sqlx::query_scalar(concat!(visible_units!(), "SELECT COUNT(*) ", matching!()))
                .bind(mode)
                .bind(&unit)
                .bind(&status)
                .bind(&in_unit)
                .bind(&overdue)
                .fetch_one(pool)
                .await?;
            (bodies, total)
        });
        Ok((bodies.iter().map(|b| parse_body(b)).collect::<Result<_, _>>()?, total))
    }

    /// The matter a case was opened from (立案查处), if one was: its id and number.
    pub async fn matter_of_case(&self, case_id: &str) -> Result<Option<(String, String)>, sqlx::Error> {
        on_pool!(self, |pool| {
            sqlx::query_as("SELECT id, number FROM matters WHERE case_id = $1 ORDER BY reported_at LIMIT 1")
                .bind(case_id)
                .fetch_optional(pool)
                .await
        })
    }

    /// Open matters of the same class reported near a point (about 200 m) or at the same
    /// address: the duplicates the centre is shown before it accepts.
    pub async fn possible_duplicates(&self, matter: &Matter) -> Result<Vec<Matter>, sqlx::Error> {
        // 0.002° of latitude is about 220 m; of longitude at 31.8° N about 190 m.
        const NEAR: f64 = 0.002;
        let (lat, long) = matter.point.map_or((f64::NAN, f64::NAN), |p| (p.lat, p.long));
        let bodies: Vec<String> = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT body FROM matters WHERE category = $1 AND id <> $2 \
                 AND status NOT IN ('rejected', 'closed', 'merged') \
                 AND ((address <> '' AND address = $3) \
                      OR (lat IS NOT NULL AND $4 = 1 AND lat BETWEEN $5 AND $6 AND long BETWEEN $7 AND $8)) \
                 ORDER BY reported_at DESC LIMIT 10",
            )
            .bind(&matter.category)
            .bind(&matter.id)
            .bind(&matter.address)
            .bind(i64::from(matter.point.is_some()))
            .bind(lat - NEAR)
            .bind(lat + NEAR)
            .bind(long - NEAR)
            .bind(long + NEAR)
            .fetch_all(pool)
            .await?
        });
        bodies.iter().map(|b| parse_body(b)).collect()
    }

    pub async fn matter_timeline(&self, id: &str) -> Result<Vec<MatterEntry>, sqlx::Error> {
        let rows: Vec<(i64, String, String, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT seq, at, actor, code, summary FROM matter_events WHERE matter_id = $1 ORDER BY seq",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(seq, at, actor, code, summary)| {
                Ok(MatterEntry { seq, at: parse_ts(&at)?, actor, code, summary })
            })
            .collect()
    }

    /// A matter's reporters, opened.
    pub async fn matter_reporters(&self, id: &str) -> Result<Vec<Reporter>, sqlx::Error> {
        let rows: Vec<(i64, String, String, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT seq, name, phone, from_matter, added_at FROM matter_reporters WHERE matter_id = $1 ORDER BY seq",
            )
            .bind(id)
            .fetch_all(pool)
            .await?
        });
        self.opened(|ring| {
            rows.iter()
                .map(|(seq, name, phone, from, added)| {
                    let row = format!("{id}:{seq}");
                    Ok(Reporter {
                        name: open(ring, Field::ReporterName, &row, name)?,
                        phone: open(ring, Field::ReporterPhone, &row, phone)?,
                        from_matter: from.clone(),
                        added_at: parse_ts(added)?,
                    })
                })
                .collect()
        })
    }
}

impl AuditedTx {
    /// The next matter number of `year`, taken inside this transaction like a document's.
    pub async fn next_matter_sequence(&mut self, year: i32) -> Result<i64, sqlx::Error> {
        self.next_number("matter", year).await
    }

    /// Stores a newly filed matter with its reporter (if any) and the first timeline line.
    pub async fn insert_matter(
        &mut self,
        matter: &Matter,
        reporter_name: &str,
        reporter_phone: &str,
        actor: &str,
    ) -> Result<(), StoreError> {
        let body = serde_json::to_string(matter).expect("a matter serialises");
        let (lat, long) = matter.point.map_or((None, None), |p| (Some(p.lat), Some(p.long)));
        let now = ts(self.now());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO matters (id, number, source, category, urgency, status, title, address, lat, long, \
                 reported_at, due_at, body, version, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            )
            .bind(&matter.id)
            .bind(&matter.number)
            .bind(matter.source.code())
            .bind(&matter.category)
            .bind(matter.urgency.code())
            .bind(matter.status.code())
            .bind(&matter.title)
            .bind(&matter.address)
            .bind(lat)
            .bind(long)
            .bind(ts(matter.reported_at))
            .bind(opt_ts(matter.due_at))
            .bind(&body)
            .bind(matter.version)
            .bind(&now)
            .execute(conn)
            .await
            .map_err(|e| crate::store::on_unique(e, "number"))?;
        });
        if !reporter_name.is_empty() || !reporter_phone.is_empty() {
            self.add_reporter(&matter.id, &matter.id, reporter_name, reporter_phone).await?;
        }
        let event = MatterEvent {
            code: "file",
            summary_zh: format!("来源：{}", matter.source.name_zh()),
            details: serde_json::json!({ "source": matter.source.code(), "category": matter.category }),
        };
        self.insert_matter_event(&matter.id, 1, actor, &event).await?;
        self.audit(AuditEvent::new("matter.file", "matter", &matter.id).details(serde_json::json!({
            "number": matter.number, "source": matter.source.code(), "category": matter.category,
        })))
        .await?;
        Ok(())
    }

    /// Adds a reporter to a matter (sealed; the row id binds the seal).
    pub async fn add_reporter(
        &mut self,
        matter_id: &str,
        from: &str,
        name: &str,
        phone: &str,
    ) -> Result<(), StoreError> {
        let ring = self.personal_ring()?;
        let seq: i64 = on_tx!(&mut self.tx, |conn| {
            sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM matter_reporters WHERE matter_id = $1")
                .bind(matter_id)
                .fetch_one(conn)
                .await?
        });
        let row = format!("{matter_id}:{seq}");
        let now = ts(self.now());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO matter_reporters (matter_id, seq, name, phone, from_matter, added_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(matter_id)
            .bind(seq)
            .bind(seal(&ring, Field::ReporterName, &row, name))
            .bind(seal(&ring, Field::ReporterPhone, &row, phone))
            .bind(from)
            .bind(&now)
            .execute(conn)
            .await?;
        });
        Ok(())
    }

    /// Copies a duplicate's reporters to the matter it was merged into, so the call-back reaches
    /// everyone who reported it.
    pub async fn move_reporters(&mut self, from: &str, into: &str) -> Result<(), StoreError> {
        let ring = self.personal_ring()?;
        let rows: Vec<(i64, String, String)> = on_tx!(&mut self.tx, |conn| {
            sqlx::query_as("SELECT seq, name, phone FROM matter_reporters WHERE matter_id = $1 ORDER BY seq")
                .bind(from)
                .fetch_all(conn)
                .await?
        });
        for (seq, name, phone) in rows {
            let row = format!("{from}:{seq}");
            let name = open(&ring, Field::ReporterName, &row, &name)?;
            let phone = open(&ring, Field::ReporterPhone, &row, &phone)?;
            self.add_reporter(into, from, &name, &phone).await?;
        }
        Ok(())
    }

    /// Writes a step's result over the version the step read: the listing columns and body
    /// from the new state, the timeline line, the audit record. A matter changed meanwhile is a
    /// conflict and nothing is written.
    pub async fn update_matter(
        &mut self,
        next: &Matter,
        event: &MatterEvent,
        actor: &str,
    ) -> Result<(), StoreError> {
        let body = serde_json::to_string(next).expect("a matter serialises");
        let now = ts(self.now());
        let updated = on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "UPDATE matters SET category = $1, urgency = $2, status = $3, unit_id = $4, due_at = $5, \
                 handle_due_at = $6, close_due_at = $7, accepted_at = $8, dispatched_at = $9, handled_at = $10, \
                 closed_at = $11, handled_on_time = $12, rework_count = $13, return_count = $14, \
                 extension_count = $15, defer_count = $16, resolution = $17, satisfaction = $18, case_id = $19, \
                 merged_into = $20, referral_department = $21, body = $22, version = $23, updated_at = $24, \
                 referral_due_at = $27, referral_answered_at = $28, handler_id = $29 \
                 WHERE id = $25 AND version = $26",
            )
            .bind(&next.category)
            .bind(next.urgency.code())
            .bind(next.status.code())
            .bind(&next.unit_id)
            .bind(opt_ts(next.due_at))
            .bind(opt_ts(next.handle_due_at))
            .bind(opt_ts(next.close_due_at))
            .bind(opt_ts(next.accepted_at))
            .bind(opt_ts(next.dispatched_at))
            .bind(opt_ts(next.handled_at))
            .bind(opt_ts(next.closed_at))
            .bind(next.handled_on_time)
            .bind(i64::from(next.rework_count))
            .bind(i64::from(next.return_count))
            .bind(i64::from(next.extension_count))
            .bind(i64::from(next.defer_count))
            .bind(next.resolution.map(|r| r.code()))
            .bind(next.satisfaction.map(|s| s.code()))
            .bind(&next.case_id)
            .bind(&next.merged_into)
            .bind(next.referral.as_ref().map(|r| r.department.clone()))
            .bind(&body)
            .bind(next.version)
            .bind(&now)
            .bind(&next.id)
            .bind(next.version - 1)
            .bind(next.referral.as_ref().map(|r| ts(r.due_at)))
            .bind(next.referral.as_ref().and_then(|r| r.answered_at).map(ts))
            .bind(&next.handler_id)
            .execute(conn)
            .await?
            .rows_affected()
        });
        if updated == 0 {
            return Err(StoreError::Conflict);
        }
        let seq: i64 = on_tx!(&mut self.tx, |conn| {
            sqlx::query_scalar("SELECT COALESCE(MAX(seq), 0) + 1 FROM matter_events WHERE matter_id = $1")
                .bind(&next.id)
                .fetch_one(conn)
                .await?
        });
        self.insert_matter_event(&next.id, seq, actor, event).await?;
        self.audit(AuditEvent::new("matter.step", "matter", &next.id).details(serde_json::json!({
            "step": event.code, "number": next.number, "status": next.status.code(), "version": next.version,
        })))
        .await?;
        Ok(())
    }

    async fn insert_matter_event(
        &mut self,
        matter_id: &str,
        seq: i64,
        actor: &str,
        event: &MatterEvent,
    ) -> Result<(), sqlx::Error> {
        let at = ts(self.now());
        let details = event.details.to_string();
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO matter_events (matter_id, seq, at, actor, code, summary, details) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(matter_id)
            .bind(seq)
            .bind(&at)
            .bind(actor)
            .bind(event.code)
            .bind(&event.summary_zh)
            .bind(&details)
            .execute(conn)
            .await?;
        });
        Ok(())
    }

    /// Adds a class or changes one over the version the caller read (0: a new class).
    pub async fn save_matter_category(&mut self, class: &Category) -> Result<i64, StoreError> {
        let written = on_tx!(&mut self.tx, |conn| {
            if class.version == 0 {
                sqlx::query(
                    "INSERT INTO matter_categories (code, name, kind, group_name, public, handle_normal, handle_urgent, \
                     active, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1)",
                )
                .bind(&class.code)
                .bind(&class.name)
                .bind(class.kind.code())
                .bind(&class.group)
                .bind(class.public)
                .bind(class.handle_normal.code())
                .bind(class.handle_urgent.code())
                .bind(class.active)
                .execute(conn)
                .await
                .map_err(|e| crate::store::on_unique(e, "code"))?
                .rows_affected()
            } else {
                sqlx::query(
                    "UPDATE matter_categories SET name = $1, kind = $2, group_name = $3, public = $4, handle_normal = $5, \
                     handle_urgent = $6, active = $7, version = version + 1 WHERE code = $8 AND version = $9",
                )
                .bind(&class.name)
                .bind(class.kind.code())
                .bind(&class.group)
                .bind(class.public)
                .bind(class.handle_normal.code())
                .bind(class.handle_urgent.code())
                .bind(class.active)
                .bind(&class.code)
                .bind(class.version)
                .execute(conn)
                .await?
                .rows_affected()
            }
        });
        if written == 0 {
            return Err(StoreError::Conflict);
        }
        self.audit(AuditEvent::new("matter.category.save", "matter_category", &class.code).details(
            serde_json::json!({
                "name": class.name, "public": class.public, "handle_normal": class.handle_normal.code(),
                "handle_urgent": class.handle_urgent.code(), "active": class.active,
            }),
        ))
        .await?;
        Ok(class.version + 1)
    }
}

/// An Open311 client (a citizen app) with its key's hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Open311Client {
    pub id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A matter as the public may see it: the matter, its class's name and the unit handling it.
#[derive(Debug, Clone)]
pub struct PublicMatter {
    pub matter: Matter,
    pub service_name: String,
    pub unit_name: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// What Open311 `GET requests` asks for, already checked.
#[derive(Debug, Clone, Default)]
pub struct PublicFilter {
    pub service_code: Option<String>,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// `Some(true)`: closed ones only; `Some(false)`: open ones only.
    pub closed: Option<bool>,
    pub limit: i64,
}

/// Matters the public may see: reported by the public (the hotline, the form, Open311) in a
/// class the public may report. Patrol finds and tips from supervisors or the media are the
/// bureau's own and never listed.
macro_rules! public_matters {
    () => {
        "SELECT m.body, c.name, u.name, m.updated_at FROM matters m \
         JOIN matter_categories c ON c.code = m.category LEFT JOIN units u ON u.id = m.unit_id \
         WHERE c.public AND m.source IN ('hotline', 'web_form', 'open311') "
    };
}

type PublicRow = (String, String, Option<String>, String);

fn public_matter(
    (body, service_name, unit_name, updated_at): PublicRow,
) -> Result<PublicMatter, sqlx::Error> {
    Ok(PublicMatter {
        matter: parse_body(&body)?,
        service_name,
        unit_name,
        updated_at: parse_ts(&updated_at)?,
    })
}

impl Db {
    /// The client a key belongs to, unless it was revoked.
    pub async fn open311_client_by_key_hash(&self, hash: &str) -> Result<Option<Open311Client>, sqlx::Error> {
        let row: Option<(String, String, String, Option<String>)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, name, created_at, revoked_at FROM open311_clients WHERE key_hash = $1 AND revoked_at IS NULL",
            )
            .bind(hash)
            .fetch_optional(pool)
            .await?
        });
        row.map(open311_client).transpose()
    }

    pub async fn open311_clients(&self) -> Result<Vec<Open311Client>, sqlx::Error> {
        let rows: Vec<(String, String, String, Option<String>)> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT id, name, created_at, revoked_at FROM open311_clients ORDER BY name")
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(open311_client).collect()
    }

    /// Public matters reported in `[from, to)`, newest first.
    pub async fn public_matters(&self, filter: &PublicFilter) -> Result<Vec<PublicMatter>, sqlx::Error> {
        let code = filter.service_code.clone().unwrap_or_default();
        let closed = match filter.closed {
            None => "",
            Some(true) => "closed",
            Some(false) => "open",
        };
        let rows: Vec<PublicRow> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                public_matters!(),
                "AND m.reported_at >= $1 AND m.reported_at < $2 AND ($3 = '' OR m.category = $3) \
                 AND ($4 = '' OR ($4 = 'closed') = (m.status IN ('rejected', 'closed', 'merged'))) \
                 ORDER BY m.reported_at DESC LIMIT $5"
            ))
            .bind(ts(filter.from))
            .bind(ts(filter.to))
            .bind(&code)
            .bind(closed)
            .bind(filter.limit)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(public_matter).collect()
    }

    /// One public matter by its number.
    pub async fn public_matter(&self, number: &str) -> Result<Option<PublicMatter>, sqlx::Error> {
        let row: Option<PublicRow> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(public_matters!(), "AND m.number = $1"))
                .bind(number)
                .fetch_optional(pool)
                .await?
        });
        row.map(public_matter).transpose()
    }
}

fn open311_client(
    (id, name, created_at, revoked_at): (String, String, String, Option<String>),
) -> Result<Open311Client, sqlx::Error> {
    Ok(Open311Client {
        id,
        name,
        created_at: parse_ts(&created_at)?,
        revoked_at: revoked_at.as_deref().map(parse_ts).transpose()?,
    })
}

impl AuditedTx {
    /// Registers a client with its key's hash; a name already taken is a duplicate.
    pub async fn insert_open311_client(
        &mut self,
        id: &str,
        name: &str,
        key_hash: &str,
    ) -> Result<(), StoreError> {
        let now = ts(self.now());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO open311_clients (id, name, key_hash, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(name)
            .bind(key_hash)
            .bind(&now)
            .execute(conn)
            .await
            .map_err(|e| crate::store::on_unique(e, "client"))?;
        });
        self.audit(
            AuditEvent::new("open311.key.create", "open311_client", id)
                .details(serde_json::json!({ "client": name })),
        )
        .await?;
        Ok(())
    }

    /// Revokes a client's key; an unknown or already revoked client is not found.
    pub async fn revoke_open311_client(&mut self, name: &str) -> Result<(), StoreError> {
        let now = ts(self.now());
        let id: Option<String> = on_tx!(&mut self.tx, |conn| {
            sqlx::query_scalar(
                "UPDATE open311_clients SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL RETURNING id",
            )
            .bind(&now)
            .bind(name)
            .fetch_optional(conn)
            .await?
        });
        let id = id.ok_or(StoreError::NotFound)?;
        self.audit(
            AuditEvent::new("open311.key.revoke", "open311_client", &id)
                .details(serde_json::json!({ "client": name })),
        )
        .await?;
        Ok(())
    }
}

/// Whether a matter had a step in the month [$1, $2): the rows the month's counts read.
macro_rules! in_month {
    () => {
        "((m.accepted_at >= $1 AND m.accepted_at < $2) OR (m.dispatched_at >= $1 AND m.dispatched_at < $2) \
          OR (m.handled_at >= $1 AND m.handled_at < $2) OR (m.closed_at >= $1 AND m.closed_at < $2) \
          OR (m.referral_answered_at >= $1 AND m.referral_answered_at < $2)) "
    };
}

/// The one SQL condition of each indicator (`domain::intake::indicators`), in the order of
/// `Indicator::ALL`, over the month [$1, $2). The counts and the lists of the matters behind
/// them are both made from it.
macro_rules! matter_indicators {
    ($($variant:ident => $cond:literal,)*) => {
        /// The indicators in the order the conditions are written (a test holds it to `ALL`).
        pub const INDICATOR_ORDER: &[Indicator] = &[$(Indicator::$variant,)*];

        /// Every count per unit and class, in one pass over the month's rows.
        const COUNTS: &str = concat!(
            "SELECT COALESCE(m.unit_id, ''), m.category, COALESCE(m.handler_id, ''), ",
            $("CAST(SUM(CASE WHEN ", $cond, " THEN 1 ELSE 0 END) AS BIGINT), ",)*
            "CAST(COUNT(*) AS BIGINT) FROM matters m WHERE ", in_month!(), "GROUP BY COALESCE(m.unit_id, ''), m.category, COALESCE(m.handler_id, '')"
        );

        /// The matters behind one count: binds $1 from, $2 to, $3 visibility mode, $4 its unit,
        /// $5 a unit ('' all, '-' the centre's own), $6 limit, $7 offset, $8 a 处置人 ('' all).
        fn indicator_list_sql(indicator: Indicator) -> &'static str {
            match indicator {
                $(Indicator::$variant => concat!(
                    "WITH RECURSIVE visible(id) AS ( SELECT id FROM units WHERE id = $4 \
                     UNION ALL SELECT u.id FROM units u JOIN visible v ON u.parent_id = v.id WHERE $3 = 'subtree' ) \
                     SELECT m.body FROM matters m WHERE ($3 = 'all' OR ($3 IN ('unit', 'subtree') AND m.unit_id IN (SELECT id FROM visible))) \
                     AND ($5 = '' OR COALESCE(m.unit_id, '-') = $5) AND ($8 = '' OR m.handler_id = $8) AND ", $cond,
                    " ORDER BY m.reported_at DESC, m.id DESC LIMIT $6 OFFSET $7"
                ),)*
            }
        }
    };
}

matter_indicators! {
    Accepted => "(m.accepted_at >= $1 AND m.accepted_at < $2)",
    Dispatched => "(m.dispatched_at >= $1 AND m.dispatched_at < $2)",
    Handled => "(m.handled_at >= $1 AND m.handled_at < $2)",
    HandledOnTime => "(m.handled_at >= $1 AND m.handled_at < $2 AND m.handled_on_time)",
    Closed => "(m.status = 'closed' AND m.closed_at >= $1 AND m.closed_at < $2)",
    ClosedOnTime => "(m.status = 'closed' AND m.closed_at >= $1 AND m.closed_at < $2 AND m.closed_at <= m.close_due_at)",
    Reworked => "(m.status = 'closed' AND m.closed_at >= $1 AND m.closed_at < $2 AND m.rework_count > 0)",
    Extended => "(m.status = 'closed' AND m.closed_at >= $1 AND m.closed_at < $2 AND m.extension_count > 0)",
    Visited => "(m.status = 'closed' AND m.closed_at >= $1 AND m.closed_at < $2 AND m.satisfaction IN ('satisfied', 'fair', 'dissatisfied'))",
    Satisfied => "(m.status = 'closed' AND m.closed_at >= $1 AND m.closed_at < $2 AND m.satisfaction IN ('satisfied', 'fair'))",
    Referred => "(m.referral_answered_at >= $1 AND m.referral_answered_at < $2)",
    ReferralOnTime => "(m.referral_answered_at >= $1 AND m.referral_answered_at < $2 AND m.referral_answered_at <= m.referral_due_at)",
    Service => "(m.handled_at >= $1 AND m.handled_at < $2 AND m.resolution = 'service')",
    Management => "(m.handled_at >= $1 AND m.handled_at < $2 AND m.resolution = 'management')",
    Enforcement => "(m.handled_at >= $1 AND m.handled_at < $2 AND m.resolution = 'enforcement')",
}

/// The month's counts of one squad, class and 处置人 ('' where there is none).
#[derive(Debug, Clone)]
pub struct CountsRow {
    pub unit: String,
    pub category: String,
    pub handler: String,
    pub counts: Counts,
}

/// Which matters behind a count: the indicator, the month, a unit ('' all, '-' the centre's
/// own), a 处置人, a page.
#[derive(Debug, Clone, Copy)]
pub struct BehindQuery<'a> {
    pub indicator: Indicator,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub unit: &'a str,
    /// A 处置人's person id ('' all).
    pub person: &'a str,
    pub limit: i64,
    pub offset: i64,
}

impl Db {
    /// Every indicator's count in `[from, to)`, per unit ('' for the centre's own) and class,
    /// in one pass (only pairs with a step in the month); callers fold them per unit or class.
    pub async fn matter_counts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CountsRow>, sqlx::Error> {
        use sqlx::Row;
        let n = INDICATOR_ORDER.len();
        let rows: Vec<CountsRow> = on_pool!(self, |pool| {
            let rows = sqlx::query(COUNTS).bind(ts(from)).bind(ts(to)).fetch_all(pool).await?;
            rows.iter()
                .map(|row| {
                    let unit: String = row.try_get(0)?;
                    let category: String = row.try_get(1)?;
                    let handler: String = row.try_get(2)?;
                    let values =
                        (3..3 + n).map(|i| row.try_get::<i64, _>(i)).collect::<Result<Vec<_>, _>>()?;
                    Ok(CountsRow { unit, category, handler, counts: Counts(values) })
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        Ok(rows)
    }

    /// The matters behind one count of the month, in the reader's view; `unit` '' for all,
    /// '-' for the centre's own.
    pub async fn matters_behind(
        &self,
        visibility: &Visibility,
        query: &BehindQuery<'_>,
    ) -> Result<Vec<Matter>, sqlx::Error> {
        let (mode, vis_unit, _) = visibility.binds();
        let bodies: Vec<String> = on_pool!(self, |pool| {
            sqlx::query_scalar(indicator_list_sql(query.indicator))
                .bind(ts(query.from))
                .bind(ts(query.to))
                .bind(mode)
                .bind(&vis_unit)
                .bind(query.unit)
                .bind(query.limit)
                .bind(query.offset)
                .bind(query.person)
                .fetch_all(pool)
                .await?
        });
        bodies.iter().map(|b| parse_body(b)).collect()
    }
}
