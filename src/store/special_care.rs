//! The special-care archive: entries (category and circumstances sealed like other personal
//! numbers, `store::personal`), the help appended to them, and the grants that let an account
//! read them. Every reading is written by `ops::special_care` with its purpose; the store only
//! answers what it is asked.

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::special_care::{CareCategory, CareEntryDraft, GrantDraft, Help, HelpKind};
use crate::store::org::Visibility;
use crate::store::personal::{Field, open, seal};
use crate::store::{
    AuditEvent, AuditedTx, Db, StoreError, decode_error, on_pool, on_tx, parse_date, parse_ts, ts,
    visible_units,
};

/// An archive entry as stored, opened.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CareEntry {
    pub id: String,
    pub party_id: String,
    /// The party's name as in the registry (an organisation's, or a person's in full: the
    /// archive is read only with a grant and a purpose).
    pub party_name: String,
    pub unit_id: String,
    pub unit_name: String,
    pub category: CareCategory,
    pub circumstances: String,
    #[schema(value_type = String, format = Date)]
    pub opened_on: NaiveDate,
    #[schema(value_type = Option<String>, format = Date)]
    pub closed_on: Option<NaiveDate>,
    pub close_reason: String,
    pub recorded_by: String,
    pub version: i64,
    /// How much help was given, and the last time.
    pub help_count: i64,
    #[schema(value_type = Option<String>, format = Date)]
    pub last_help_on: Option<NaiveDate>,
}

/// Help as stored.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct HelpRecord {
    pub id: String,
    #[serde(flatten)]
    pub help: Help,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

/// A grant as stored.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Grant {
    pub id: String,
    pub account_id: String,
    pub username: String,
    pub display_name: String,
    pub purpose: String,
    #[schema(value_type = String, format = Date)]
    pub until: NaiveDate,
    pub granted_by: String,
    pub granted_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: String,
}

impl Grant {
    /// Whether the grant holds on `today`: not revoked, and `until` not passed.
    pub fn holds(&self, today: NaiveDate) -> bool {
        self.revoked_at.is_none() && self.until >= today
    }
}

macro_rules! entry_columns {
    () => {
        "SELECT e.id, e.party_id, pa.name, e.unit_id, un.name, e.category, e.circumstances, e.opened_on, \
         e.closed_on, e.close_reason, e.recorded_by, e.version, \
         (SELECT COUNT(*) FROM care_help h WHERE h.entry_id = e.id), \
         (SELECT MAX(h.given_on) FROM care_help h WHERE h.entry_id = e.id) \
         FROM care_entries e JOIN parties pa ON pa.id = e.party_id JOIN units un ON un.id = e.unit_id "
    };
}

type EntryRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    String,
    String,
    i64,
    i64,
    Option<String>,
);

fn entry_of(ring: &crate::keys::Keyring, row: &EntryRow) -> Result<CareEntry, sqlx::Error> {
    let (
        id,
        party_id,
        party_name,
        unit_id,
        unit_name,
        category,
        circumstances,
        opened,
        closed,
        reason,
        by,
        version,
        n,
        last,
    ) = row;
    let category = open(ring, Field::CareCategory, id, category)?;
    Ok(CareEntry {
        id: id.clone(),
        party_id: party_id.clone(),
        party_name: party_name.clone(),
        unit_id: unit_id.clone(),
        unit_name: unit_name.clone(),
        category: CareCategory::parse(&category).ok_or_else(|| decode_error("category", "sealed"))?,
        circumstances: open(ring, Field::CareCircumstances, id, circumstances)?,
        opened_on: parse_date(opened)?,
        closed_on: closed.as_deref().map(parse_date).transpose()?,
        close_reason: reason.clone(),
        recorded_by: by.clone(),
        version: *version,
        help_count: *n,
        last_help_on: last.as_deref().map(parse_date).transpose()?,
    })
}

/// An entry as the counts see it: category, opened, closed.
pub type EntryFacts = (CareCategory, NaiveDate, Option<NaiveDate>);

type GrantRow = (String, String, String, String, String, String, String, String, Option<String>, String);

fn grant_of(row: GrantRow) -> Result<Grant, sqlx::Error> {
    let (
        id,
        account_id,
        username,
        display_name,
        purpose,
        until,
        granted_by,
        granted_at,
        revoked_at,
        revoked_by,
    ) = row;
    Ok(Grant {
        id,
        account_id,
        username,
        display_name,
        purpose,
        until: parse_date(&until)?,
        granted_by,
        granted_at: parse_ts(&granted_at)?,
        revoked_at: revoked_at.as_deref().map(parse_ts).transpose()?,
        revoked_by,
    })
}

macro_rules! grant_columns {
    () => {
        "SELECT g.id, g.account_id, a.username, a.display_name, g.purpose, g.until, g.granted_by, \
         g.granted_at, g.revoked_at, g.revoked_by FROM care_grants g JOIN accounts a ON a.id = g.account_id "
    };
}

impl Db {
    /// The entries the reader's scope reaches, open ones first, then by party name.
    pub async fn care_entries(&self, visibility: &Visibility) -> Result<Vec<CareEntry>, sqlx::Error> {
        let (mode, unit, _) = visibility.binds();
        let rows: Vec<EntryRow> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                visible_units!(),
                entry_columns!(),
                "WHERE ($1 = 'all' OR ($1 IN ('unit', 'subtree') AND e.unit_id IN (SELECT id FROM visible))) \
                 ORDER BY CASE WHEN e.closed_on IS NULL THEN 0 ELSE 1 END, pa.name, e.id"
            ))
            .bind(mode)
            .bind(&unit)
            .fetch_all(pool)
            .await?
        });
        self.opened(|ring| rows.iter().map(|r| entry_of(ring, r)).collect())
    }

    /// One entry within the reader's scope.
    pub async fn care_entry(
        &self,
        visibility: &Visibility,
        id: &str,
    ) -> Result<Option<CareEntry>, sqlx::Error> {
        let (mode, unit, _) = visibility.binds();
        let row: Option<EntryRow> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                visible_units!(),
                entry_columns!(),
                "WHERE ($1 = 'all' OR ($1 IN ('unit', 'subtree') AND e.unit_id IN (SELECT id FROM visible))) \
                 AND e.id = $3"
            ))
            .bind(mode)
            .bind(&unit)
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        self.opened(|ring| row.as_ref().map(|r| entry_of(ring, r)).transpose())
    }

    /// The open entry of a party, if any (one per party).
    pub async fn open_care_entry_of(&self, party_id: &str) -> Result<Option<String>, sqlx::Error> {
        on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT id FROM care_entries WHERE party_id = $1 AND closed_on IS NULL")
                .bind(party_id)
                .fetch_optional(pool)
                .await
        })
    }

    pub async fn care_help(&self, entry_id: &str) -> Result<Vec<HelpRecord>, sqlx::Error> {
        let rows: Vec<(String, String, String, String, String, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, given_on, kind, description, given_by, recorded_by, recorded_at FROM care_help \
                 WHERE entry_id = $1 ORDER BY given_on DESC, id DESC",
            )
            .bind(entry_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(id, on, kind, description, given_by, by, at)| {
                Ok(HelpRecord {
                    id,
                    help: Help {
                        given_on: parse_date(&on)?,
                        kind: HelpKind::parse(&kind).ok_or_else(|| decode_error("kind", &kind))?,
                        description,
                        given_by,
                    },
                    recorded_by: by,
                    recorded_at: parse_ts(&at)?,
                })
            })
            .collect()
    }

    /// What the counts are made of, bureau-wide: each entry's category, opening and closing,
    /// and each help's day and kind. Nothing that names a party leaves here.
    pub async fn care_count_facts(
        &self,
    ) -> Result<(Vec<(CareCategory, NaiveDate, Option<NaiveDate>)>, Vec<(NaiveDate, HelpKind)>), sqlx::Error>
    {
        type Facts = (Vec<(String, String, String, Option<String>)>, Vec<(String, String)>);
        let (entries, help): Facts = on_pool!(self, |pool| {
            let entries = sqlx::query_as("SELECT id, category, opened_on, closed_on FROM care_entries")
                .fetch_all(pool)
                .await?;
            let help = sqlx::query_as("SELECT given_on, kind FROM care_help").fetch_all(pool).await?;
            (entries, help)
        });
        let entries = self.opened(|ring| {
            entries
                .iter()
                .map(|(id, category, opened, closed)| {
                    let category = open(ring, Field::CareCategory, id, category)?;
                    Ok((
                        CareCategory::parse(&category).ok_or_else(|| decode_error("category", "sealed"))?,
                        parse_date(opened)?,
                        closed.as_deref().map(parse_date).transpose()?,
                    ))
                })
                .collect::<Result<Vec<_>, sqlx::Error>>()
        })?;
        let help = help
            .into_iter()
            .map(|(on, kind)| {
                Ok((parse_date(&on)?, HelpKind::parse(&kind).ok_or_else(|| decode_error("kind", &kind))?))
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok((entries, help))
    }

    /// Every grant, current ones first.
    pub async fn care_grants(&self) -> Result<Vec<Grant>, sqlx::Error> {
        let sql = concat!(
            grant_columns!(),
            "ORDER BY CASE WHEN g.revoked_at IS NULL THEN 0 ELSE 1 END, g.until DESC, g.id"
        );
        let rows: Vec<GrantRow> = on_pool!(self, |pool| { sqlx::query_as(sql).fetch_all(pool).await? });
        rows.into_iter().map(grant_of).collect()
    }

    /// The grant an account holds on `today`, if any (the latest when several hold).
    pub async fn current_care_grant(
        &self,
        account_id: &str,
        today: NaiveDate,
    ) -> Result<Option<Grant>, sqlx::Error> {
        let sql = concat!(
            grant_columns!(),
            "WHERE g.account_id = $1 AND g.revoked_at IS NULL AND g.until >= $2 ORDER BY g.until DESC, g.id DESC LIMIT 1"
        );
        let row: Option<GrantRow> = on_pool!(self, |pool| {
            sqlx::query_as(sql).bind(account_id).bind(today.to_string()).fetch_optional(pool).await?
        });
        row.map(grant_of).transpose()
    }

    pub async fn care_grant(&self, id: &str) -> Result<Option<Grant>, sqlx::Error> {
        let sql = concat!(grant_columns!(), "WHERE g.id = $1");
        let row: Option<GrantRow> =
            on_pool!(self, |pool| { sqlx::query_as(sql).bind(id).fetch_optional(pool).await? });
        row.map(grant_of).transpose()
    }
}

impl AuditedTx {
    pub async fn insert_care_entry(
        &mut self,
        id: &str,
        draft: &CareEntryDraft,
        opened_on: NaiveDate,
        ring: &crate::keys::Keyring,
    ) -> Result<(), StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO care_entries (id, party_id, unit_id, category, circumstances, opened_on, recorded_by, \
                 recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(&draft.party_id)
            .bind(&draft.unit_id)
            .bind(seal(ring, Field::CareCategory, id, draft.category.code()))
            .bind(seal(ring, Field::CareCircumstances, id, &draft.circumstances))
            .bind(opened_on.to_string())
            .bind(&actor)
            .bind(&now)
            .execute(conn)
            .await?;
        });
        // The audit chain is read by the 审计管理员, who may not know why a party is cared for:
        // the record names the entry and its party, never the category or the circumstances.
        self.audit(
            AuditEvent::new("special_care.open", "care_entry", id)
                .details(serde_json::json!({ "party_id": draft.party_id, "unit_id": draft.unit_id })),
        )
        .await?;
        Ok(())
    }

    /// Closes an entry over the version read; a stale one changes nothing.
    pub async fn close_care_entry(
        &mut self,
        id: &str,
        version: i64,
        closed_on: NaiveDate,
        reason: &str,
    ) -> Result<i64, StoreError> {
        let done = on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "UPDATE care_entries SET closed_on = $1, close_reason = $2, version = version + 1 \
                 WHERE id = $3 AND version = $4 AND closed_on IS NULL",
            )
            .bind(closed_on.to_string())
            .bind(reason)
            .bind(id)
            .bind(version)
            .execute(conn)
            .await?
            .rows_affected()
        });
        if done == 0 {
            return Err(StoreError::Conflict);
        }
        self.audit(
            AuditEvent::new("special_care.close", "care_entry", id)
                .details(serde_json::json!({ "closed_on": closed_on, "version": version + 1 })),
        )
        .await?;
        Ok(version + 1)
    }

    pub async fn insert_care_help(
        &mut self,
        id: &str,
        entry_id: &str,
        help: &Help,
    ) -> Result<(), StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO care_help (id, entry_id, given_on, kind, description, given_by, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(entry_id)
            .bind(help.given_on.to_string())
            .bind(help.kind.code())
            .bind(&help.description)
            .bind(&help.given_by)
            .bind(&actor)
            .bind(&now)
            .execute(conn)
            .await?;
        });
        self.audit(AuditEvent::new("special_care.help", "care_entry", entry_id).details(serde_json::json!({
            "help_id": id, "given_on": help.given_on, "kind": help.kind.code(),
        })))
        .await?;
        Ok(())
    }

    pub async fn insert_care_grant(
        &mut self,
        id: &str,
        account_id: &str,
        draft: &GrantDraft,
    ) -> Result<(), StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO care_grants (id, account_id, purpose, until, granted_by, granted_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(account_id)
            .bind(&draft.purpose)
            .bind(draft.until.to_string())
            .bind(&actor)
            .bind(&now)
            .execute(conn)
            .await?;
        });
        self.audit(AuditEvent::new("special_care.grant", "care_grant", id).details(serde_json::json!({
            "account_id": account_id, "username": draft.username, "purpose": draft.purpose, "until": draft.until,
        })))
        .await?;
        Ok(())
    }

    /// Revokes a grant still in force; one already revoked is a conflict.
    pub async fn revoke_care_grant(&mut self, id: &str) -> Result<(), StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        let done = on_tx!(&mut self.tx, |conn| {
            sqlx::query("UPDATE care_grants SET revoked_at = $1, revoked_by = $2 WHERE id = $3 AND revoked_at IS NULL")
                .bind(&now)
                .bind(&actor)
                .bind(id)
                .execute(conn)
                .await?
                .rows_affected()
        });
        if done == 0 {
            return Err(StoreError::Conflict);
        }
        self.audit(AuditEvent::new("special_care.revoke", "care_grant", id)).await?;
        Ok(())
    }
}
