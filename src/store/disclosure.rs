//! The publication register of penalty decisions: an entry written with the decision, then
//! published, withheld or withdrawn over the version read. A published text is never rewritten
//! (a trigger refuses it); an entry is never deleted.

use chrono::NaiveDate;

use crate::domain::case::Case;
use crate::domain::disclosure::{AnnualFigures, DisclosureState, Ruling, Withhold};
use crate::store::org::Visibility;
use crate::store::{
    AuditEvent, AuditedTx, Db, StoreError, decode_error, on_pool, on_tx, parse_date, ts, visible_units,
};

/// One rule's removal as the register keeps it: the rule and what stands in the text, never the
/// original (that stays in the issued document only).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct RemovalNote {
    /// `person_name`, `id_number`, `phone`, `account_number` or `address`.
    pub rule: String,
    pub replacement: String,
}

/// An entry of the register as stored.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DisclosureRecord {
    pub id: String,
    pub case_id: String,
    pub unit_id: String,
    pub unit_name: String,
    pub case_number: String,
    /// The case's title (internal lists only: a title may name the party).
    pub case_title: String,
    /// The decision's 文号.
    pub decision_number: String,
    /// `general` or `simple`.
    pub procedure: String,
    pub decided_on: NaiveDate,
    pub state: DisclosureState,
    /// The public title, set at publication.
    pub title: String,
    /// The published text (empty before publication).
    pub text: String,
    pub removals: Vec<RemovalNote>,
    /// The issued 决定书 the text was made from.
    pub document_id: Option<String>,
    pub published_on: Option<NaiveDate>,
    pub published_by: Option<String>,
    pub withhold_basis: Option<String>,
    pub withhold_reason: Option<String>,
    pub ruling_ground: Option<String>,
    pub ruling_body: Option<String>,
    pub ruling_on: Option<NaiveDate>,
    pub withdrawn_on: Option<NaiveDate>,
    pub withdraw_note: Option<String>,
    pub version: i64,
}

/// Which entries a list asks for.
#[derive(Debug, Clone, Default)]
pub struct DisclosureFilter {
    pub state: Option<DisclosureState>,
    /// Entries decided in this year.
    pub year: Option<i32>,
    pub limit: i64,
    pub offset: i64,
}

/// A new entry: the decision the rule selects, as the case records it.
#[derive(Debug, Clone)]
pub struct NewDisclosure<'a> {
    pub case_id: &'a str,
    pub unit_id: &'a str,
    pub case_number: &'a str,
    pub decision_number: &'a str,
    pub procedure: &'a str,
    pub decided_on: NaiveDate,
}

/// What publication writes.
#[derive(Debug, Clone)]
pub struct Publication<'a> {
    pub title: &'a str,
    pub text: &'a str,
    pub removals: &'a [RemovalNote],
    pub document_id: &'a str,
    pub on: NaiveDate,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    case_id: String,
    unit_id: String,
    unit_name: String,
    case_number: String,
    case_title: String,
    decision_number: String,
    procedure: String,
    decided_on: String,
    state: String,
    title: String,
    text: String,
    removals: String,
    document_id: Option<String>,
    published_on: Option<String>,
    published_by: Option<String>,
    withhold_basis: Option<String>,
    withhold_reason: Option<String>,
    ruling_ground: Option<String>,
    ruling_body: Option<String>,
    ruling_on: Option<String>,
    withdrawn_on: Option<String>,
    withdraw_note: Option<String>,
    version: i64,
}

fn opt_date(text: Option<&str>) -> Result<Option<NaiveDate>, sqlx::Error> {
    text.map(parse_date).transpose()
}

impl TryFrom<Row> for DisclosureRecord {
    type Error = sqlx::Error;
    fn try_from(row: Row) -> Result<Self, sqlx::Error> {
        Ok(DisclosureRecord {
            decided_on: parse_date(&row.decided_on)?,
            state: DisclosureState::parse(&row.state)
                .ok_or_else(|| decode_error("disclosure state", &row.state))?,
            removals: serde_json::from_str(&row.removals)
                .map_err(|_| decode_error("removals", &row.removals))?,
            published_on: opt_date(row.published_on.as_deref())?,
            ruling_on: opt_date(row.ruling_on.as_deref())?,
            withdrawn_on: opt_date(row.withdrawn_on.as_deref())?,
            id: row.id,
            case_id: row.case_id,
            unit_id: row.unit_id,
            unit_name: row.unit_name,
            case_number: row.case_number,
            case_title: row.case_title,
            decision_number: row.decision_number,
            procedure: row.procedure,
            title: row.title,
            text: row.text,
            document_id: row.document_id,
            published_by: row.published_by,
            withhold_basis: row.withhold_basis,
            withhold_reason: row.withhold_reason,
            ruling_ground: row.ruling_ground,
            ruling_body: row.ruling_body,
            withdraw_note: row.withdraw_note,
            version: row.version,
        })
    }
}

macro_rules! columns {
    () => {
        "SELECT d.id, d.case_id, d.unit_id, u.name AS unit_name, d.case_number, c.title AS case_title, \
         d.decision_number, d.procedure, d.decided_on, d.state, d.title, d.text, d.removals, d.document_id, \
         d.published_on, d.published_by, d.withhold_basis, d.withhold_reason, d.ruling_ground, d.ruling_body, \
         d.ruling_on, d.withdrawn_on, d.withdraw_note, d.version \
         FROM decision_disclosures d JOIN units u ON u.id = d.unit_id JOIN cases c ON c.id = d.case_id "
    };
}

impl Db {
    /// The entries a reader may see (the whole register, or a squad's), the earliest decided
    /// first among those waiting and the latest first otherwise, with the total.
    pub async fn disclosures(
        &self,
        visibility: &Visibility,
        filter: &DisclosureFilter,
    ) -> Result<(Vec<DisclosureRecord>, i64), sqlx::Error> {
        let (mode, unit, _) = visibility.binds();
        let state = filter.state.map(|s| s.code()).unwrap_or("");
        let (from, to) = match filter.year {
            Some(year) => (format!("{year}-01-01"), format!("{year}-12-31")),
            None => ("0000-01-01".to_owned(), "9999-12-31".to_owned()),
        };
        let sql = concat!(
            visible_units!(),
            columns!(),
            "WHERE ($1 = 'all' OR ($1 IN ('unit', 'subtree') AND d.unit_id IN (SELECT id FROM visible))) \
             AND ($3 = '' OR d.state = $3) AND d.decided_on >= $4 AND d.decided_on <= $5 \
             ORDER BY CASE WHEN d.state = 'pending' OR (d.ruling_on IS NOT NULL AND d.withdrawn_on IS NULL) \
             THEN 0 ELSE 1 END, CASE WHEN d.state = 'pending' THEN d.decided_on ELSE '' END, d.decided_on DESC, d.id \
             LIMIT $6 OFFSET $7"
        );
        let count = concat!(
            visible_units!(),
            "SELECT COUNT(*) FROM decision_disclosures d \
             WHERE ($1 = 'all' OR ($1 IN ('unit', 'subtree') AND d.unit_id IN (SELECT id FROM visible))) \
             AND ($3 = '' OR d.state = $3) AND d.decided_on >= $4 AND d.decided_on <= $5"
        );
        let (rows, total): (Vec<Row>, i64) = on_pool!(self, |pool| {
            let rows = sqlx::query_as(sql)
                .bind(mode)
                .bind(&unit)
                .bind(state)
                .bind(&from)
                .bind(&to)
                .bind(filter.limit)
                .bind(filter.offset)
                .fetch_all(pool)
                .await?;
            let total = sqlx::query_scalar(count)
                .bind(mode)
                .bind(&unit)
                .bind(state)
                .bind(&from)
                .bind(&to)
                .fetch_one(pool)
                .await?;
            (rows, total)
        });
        Ok((rows.into_iter().map(DisclosureRecord::try_from).collect::<Result<_, _>>()?, total))
    }

    pub async fn disclosure(&self, id: &str) -> Result<Option<DisclosureRecord>, sqlx::Error> {
        let sql = concat!(columns!(), "WHERE d.id = $1");
        let row: Option<Row> =
            on_pool!(self, |pool| { sqlx::query_as(sql).bind(id).fetch_optional(pool).await? });
        row.map(DisclosureRecord::try_from).transpose()
    }

    /// The entry of a case, if the rule selected its decision.
    pub async fn disclosure_of_case(&self, case_id: &str) -> Result<Option<DisclosureRecord>, sqlx::Error> {
        let sql = concat!(columns!(), "WHERE d.case_id = $1");
        let row: Option<Row> =
            on_pool!(self, |pool| { sqlx::query_as(sql).bind(case_id).fetch_optional(pool).await? });
        row.map(DisclosureRecord::try_from).transpose()
    }

    /// The entries whose duty is still open — waiting to be published, or ruled on and not yet
    /// withdrawn — that a reader may see, the oldest first.
    pub async fn open_disclosures(
        &self,
        visibility: &Visibility,
        limit: i64,
    ) -> Result<Vec<DisclosureRecord>, sqlx::Error> {
        let (mode, unit, _) = visibility.binds();
        let sql = concat!(
            visible_units!(),
            columns!(),
            "WHERE ($1 = 'all' OR ($1 IN ('unit', 'subtree') AND d.unit_id IN (SELECT id FROM visible))) \
             AND (d.state = 'pending' OR (d.state = 'published' AND d.ruling_on IS NOT NULL)) \
             ORDER BY COALESCE(d.ruling_on, d.decided_on), d.id LIMIT $3"
        );
        let rows: Vec<Row> = on_pool!(self, |pool| {
            sqlx::query_as(sql).bind(mode).bind(&unit).bind(limit).fetch_all(pool).await?
        });
        rows.into_iter().map(DisclosureRecord::try_from).collect()
    }

    /// What the portal shows: the entries published or withdrawn in a year, the latest first,
    /// with the total.
    pub async fn public_disclosures(
        &self,
        year: i32,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<DisclosureRecord>, i64), sqlx::Error> {
        let (from, to) = (format!("{year}-01-01"), format!("{year}-12-31"));
        let sql = concat!(
            columns!(),
            "WHERE d.state IN ('published', 'withdrawn') AND d.published_on >= $1 AND d.published_on <= $2 \
             ORDER BY d.published_on DESC, d.id DESC LIMIT $3 OFFSET $4"
        );
        let count = "SELECT COUNT(*) FROM decision_disclosures d \
             WHERE d.state IN ('published', 'withdrawn') AND d.published_on >= $1 AND d.published_on <= $2";
        let (rows, total): (Vec<Row>, i64) = on_pool!(self, |pool| {
            let rows =
                sqlx::query_as(sql).bind(&from).bind(&to).bind(limit).bind(offset).fetch_all(pool).await?;
            let total = sqlx::query_scalar(count).bind(&from).bind(&to).fetch_one(pool).await?;
            (rows, total)
        });
        Ok((rows.into_iter().map(DisclosureRecord::try_from).collect::<Result<_, _>>()?, total))
    }
}

impl AuditedTx {
    /// Enters a decision the rule selects, waiting to be published.
    pub async fn insert_disclosure(&mut self, id: &str, entry: &NewDisclosure<'_>) -> Result<(), StoreError> {
        let now = ts(self.now());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO decision_disclosures (id, case_id, unit_id, case_number, decision_number, procedure, \
                 decided_on, state, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $8)",
            )
            .bind(id)
            .bind(entry.case_id)
            .bind(entry.unit_id)
            .bind(entry.case_number)
            .bind(entry.decision_number)
            .bind(entry.procedure)
            .bind(entry.decided_on.to_string())
            .bind(&now)
            .execute(conn)
            .await?;
        });
        self.audit(AuditEvent::new("disclosure.enter", "decision_disclosure", id).details(serde_json::json!({
            "case_id": entry.case_id, "decision_number": entry.decision_number, "decided_on": entry.decided_on,
        })))
        .await?;
        Ok(())
    }

    /// Publishes an entry waiting over the version read.
    pub async fn publish_disclosure(
        &mut self,
        id: &str,
        version: i64,
        publication: &Publication<'_>,
    ) -> Result<i64, StoreError> {
        let removals = serde_json::to_string(publication.removals).expect("notes serialise");
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        let written = on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "UPDATE decision_disclosures SET state = 'published', title = $1, text = $2, removals = $3, \
                 document_id = $4, published_on = $5, published_by = $6, updated_at = $7, version = version + 1 \
                 WHERE id = $8 AND version = $9 AND state = 'pending'",
            )
            .bind(publication.title)
            .bind(publication.text)
            .bind(&removals)
            .bind(publication.document_id)
            .bind(publication.on.to_string())
            .bind(&actor)
            .bind(&now)
            .bind(id)
            .bind(version)
            .execute(conn)
            .await?
            .rows_affected()
        });
        let rules: Vec<&str> = publication.removals.iter().map(|r| r.rule.as_str()).collect();
        self.changed(written, version, AuditEvent::new("disclosure.publish", "decision_disclosure", id).details(
            serde_json::json!({ "document_id": publication.document_id, "published_on": publication.on, "removals": rules }),
        ))
        .await
    }

    /// Withholds an entry waiting, with its basis and reason.
    pub async fn withhold_disclosure(
        &mut self,
        id: &str,
        version: i64,
        withhold: &Withhold,
    ) -> Result<i64, StoreError> {
        let now = ts(self.now());
        let written = on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "UPDATE decision_disclosures SET state = 'withheld', withhold_basis = $1, withhold_reason = $2, \
                 updated_at = $3, version = version + 1 WHERE id = $4 AND version = $5 AND state = 'pending'",
            )
            .bind(withhold.basis.code())
            .bind(&withhold.reason)
            .bind(&now)
            .bind(id)
            .bind(version)
            .execute(conn)
            .await?
            .rows_affected()
        });
        self.changed(
            written,
            version,
            AuditEvent::new("disclosure.withhold", "decision_disclosure", id)
                .details(serde_json::json!({ "basis": withhold.basis.code(), "reason": withhold.reason })),
        )
        .await
    }

    /// Records the ruling that changed, revoked or voided a published decision: the withdrawal
    /// clock starts.
    pub async fn rule_on_disclosure(
        &mut self,
        id: &str,
        version: i64,
        ruling: &Ruling,
    ) -> Result<i64, StoreError> {
        let now = ts(self.now());
        let written = on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "UPDATE decision_disclosures SET ruling_ground = $1, ruling_body = $2, ruling_on = $3, updated_at = $4, \
                 version = version + 1 WHERE id = $5 AND version = $6 AND state = 'published' AND ruling_on IS NULL",
            )
            .bind(ruling.ground.code())
            .bind(&ruling.body)
            .bind(ruling.on.to_string())
            .bind(&now)
            .bind(id)
            .bind(version)
            .execute(conn)
            .await?
            .rows_affected()
        });
        self.changed(
            written,
            version,
            AuditEvent::new("disclosure.ruling", "decision_disclosure", id).details(
                serde_json::json!({ "ground": ruling.ground.code(), "body": ruling.body, "on": ruling.on }),
            ),
        )
        .await
    }

    /// Withdraws a published entry whose ruling is recorded, with the public explanation.
    pub async fn withdraw_disclosure(
        &mut self,
        id: &str,
        version: i64,
        on: NaiveDate,
        note: &str,
    ) -> Result<i64, StoreError> {
        let now = ts(self.now());
        let written = on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "UPDATE decision_disclosures SET state = 'withdrawn', withdrawn_on = $1, withdraw_note = $2, \
                 updated_at = $3, version = version + 1 \
                 WHERE id = $4 AND version = $5 AND state = 'published' AND ruling_on IS NOT NULL",
            )
            .bind(on.to_string())
            .bind(note)
            .bind(&now)
            .bind(id)
            .bind(version)
            .execute(conn)
            .await?
            .rows_affected()
        });
        self.changed(
            written,
            version,
            AuditEvent::new("disclosure.withdraw", "decision_disclosure", id)
                .details(serde_json::json!({ "withdrawn_on": on, "note": note })),
        )
        .await
    }

    /// A guarded change's end: nothing written means the entry was read stale (another change,
    /// or a state the step does not apply to); otherwise its audit record and the new version.
    async fn changed(&mut self, written: u64, version: i64, event: AuditEvent) -> Result<i64, StoreError> {
        if written == 0 {
            return Err(StoreError::Conflict);
        }
        self.audit(event).await?;
        // A row was written at the version read, so the read version is a stored one.
        Ok(version + 1)
    }
}

/// A year's figures as published.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PublishedFigures {
    pub figures: AnnualFigures,
    pub published_on: NaiveDate,
    /// The account that published them.
    pub published_by: String,
}

impl Db {
    /// Every case with anything recorded in `year` or later (its row last written then), with
    /// its category's code and name: what the year's figures count over.
    pub async fn cases_for_figures(&self, year: i32) -> Result<Vec<(String, String, Case)>, sqlx::Error> {
        let rows: Vec<(String, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT c.category, k.name, c.body FROM cases c JOIN case_categories k ON k.code = c.category \
                 WHERE c.updated_at >= $1 ORDER BY c.id",
            )
            .bind(format!("{year}-01-01"))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(code, name, body)| {
                let case =
                    serde_json::from_str(&body).map_err(|e| decode_error("case body", &e.to_string()))?;
                Ok((code, name, case))
            })
            .collect()
    }

    /// How many published decisions a ruling changed, revoked or voided in `year`.
    pub async fn decisions_overturned(&self, year: i32) -> Result<u32, sqlx::Error> {
        let n: i64 = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM decision_disclosures WHERE ruling_on >= $1 AND ruling_on <= $2",
            )
            .bind(format!("{year}-01-01"))
            .bind(format!("{year}-12-31"))
            .fetch_one(pool)
            .await?
        });
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    pub async fn published_figures(&self, year: i32) -> Result<Option<PublishedFigures>, sqlx::Error> {
        let row: Option<(String, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT figures, published_on, published_by FROM annual_figures WHERE year = $1")
                .bind(i64::from(year))
                .fetch_optional(pool)
                .await?
        });
        row.map(|(figures, on, by)| {
            Ok(PublishedFigures {
                figures: serde_json::from_str(&figures).map_err(|_| decode_error("figures", &figures))?,
                published_on: parse_date(&on)?,
                published_by: by,
            })
        })
        .transpose()
    }
}

impl AuditedTx {
    /// Publishes a year's figures once; a second publication of the same year is a duplicate.
    pub async fn publish_figures(
        &mut self,
        figures: &AnnualFigures,
        on: NaiveDate,
    ) -> Result<(), StoreError> {
        let (now, actor) = (ts(self.now()), self.actor().to_owned());
        let json = serde_json::to_string(figures).expect("figures serialise");
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO annual_figures (year, figures, published_on, published_by, published_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(i64::from(figures.year))
            .bind(&json)
            .bind(on.to_string())
            .bind(&actor)
            .bind(&now)
            .execute(conn)
            .await
            .map_err(|e| crate::store::on_unique(e, "year"))?;
        });
        self.audit(AuditEvent::new("figures.publish", "annual_figures", figures.year.to_string()).details(
            serde_json::json!({ "year": figures.year, "published_on": on, "filed": figures.filed(), "penalties": figures.penalties() }),
        ))
        .await?;
        Ok(())
    }
}
