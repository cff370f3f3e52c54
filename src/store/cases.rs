//! Cases, their timeline and clocks, the responsibility list, the province's case rules and the
//! document counters.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::case::clocks::Clock;
use crate::domain::case::items::{ApplicableRange, DiscretionBand, ItemSpec, ItemStatus, applicable_range};
use crate::domain::case::rules::CaseRules;
use crate::domain::case::{Case, Event, PersonFacts};
use crate::domain::org::{CertificateStatus, Employment};
use crate::store::direct::direct_row;
use crate::store::org::Visibility;
use crate::store::{
    AuditEvent, AuditedTx, Db, StoreError, decode_error, on_pool, on_tx, parse_date, parse_ts, ts,
};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Category {
    pub code: String,
    pub name: String,
    pub handling_days: i64,
}

/// An item of the responsibility list (权责清单) as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Item {
    pub code: String,
    pub category: String,
    pub name: String,
    pub violated: String,
    pub penalty_basis: String,
    pub fine_min_person: Option<i64>,
    pub fine_max_person: Option<i64>,
    pub fine_min_org: Option<i64>,
    pub fine_max_org: Option<i64>,
    /// The discretion bands as JSON: `[{level, condition, person: [min, max], org: [min, max]}]`,
    /// amounts in fen.
    pub discretion: String,
    pub responsible_unit: String,
    pub status: String,
    pub note: String,
    pub active: bool,
    pub version: i64,
}

impl Item {
    /// The statutory fine range for a kind of party, where the list has one.
    pub fn fine_range(&self, organisation: bool) -> Option<(i64, i64)> {
        if organisation {
            self.fine_min_org.zip(self.fine_max_org)
        } else {
            self.fine_min_person.zip(self.fine_max_person)
        }
    }
    pub fn bands(&self) -> Vec<DiscretionBand> {
        serde_json::from_str(&self.discretion).unwrap_or_default()
    }
    /// The item as the domain checks it.
    pub fn spec(&self) -> ItemSpec {
        ItemSpec {
            code: self.code.clone(),
            category: self.category.clone(),
            name: self.name.clone(),
            violated: self.violated.clone(),
            penalty_basis: self.penalty_basis.clone(),
            fine_person: self.fine_range(false),
            fine_org: self.fine_range(true),
            bands: self.bands(),
            responsible_unit: self.responsible_unit.clone(),
            status: ItemStatus::parse(&self.status).unwrap_or(ItemStatus::ToVerify),
            note: self.note.clone(),
            active: self.active,
        }
    }
}

/// One version of an item's statutory ranges and the day it took effect for acts.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ItemRanges {
    pub version: i64,
    /// `None`: in force since before any act the system knows of (the list as first entered).
    pub effective_from: Option<NaiveDate>,
    /// The citizens' range in fen, `[min, max]`; absent where the law sets no fixed amounts.
    #[schema(value_type = Option<Vec<i64>>)]
    pub person: Option<(i64, i64)>,
    /// The organisations' range in fen.
    #[schema(value_type = Option<Vec<i64>>)]
    pub org: Option<(i64, i64)>,
    /// The discretion bands that narrowed this version's ranges; null for a version saved
    /// before bands were kept per version (migration 0017), whose bands were never recorded.
    pub bands: Option<Vec<DiscretionBand>>,
}

impl ItemRanges {
    pub fn for_party(&self, organisation: bool) -> Option<(i64, i64)> {
        if organisation { self.org } else { self.person }
    }
}

/// The day the migration gives the ranges that predate the history.
const SINCE_EVER: &str = "0001-01-01";

type RangeRow = (i64, String, Option<i64>, Option<i64>, Option<i64>, Option<i64>, Option<String>);

impl TryFrom<RangeRow> for ItemRanges {
    type Error = sqlx::Error;
    fn try_from((version, from, min_p, max_p, min_o, max_o, bands): RangeRow) -> Result<Self, sqlx::Error> {
        Ok(ItemRanges {
            version,
            effective_from: if from == SINCE_EVER { None } else { Some(parse_date(&from)?) },
            person: min_p.zip(max_p),
            org: min_o.zip(max_o),
            bands: bands
                .map(|json| serde_json::from_str(&json))
                .transpose()
                .map_err(|e| decode_error("discretion bands", &e.to_string()))?,
        })
    }
}

macro_rules! range_query {
    () => {
        "SELECT version, effective_from, fine_min_person, fine_max_person, fine_min_org, fine_max_org, bands \
         FROM item_ranges "
    };
}

/// An item query: the columns of [`Item`] in its fields' order, then `$tail`.
macro_rules! item_query {
    ($tail:expr) => {
        concat!(
            "SELECT code, category, name, violated, penalty_basis, fine_min_person, fine_max_person, \
             fine_min_org, fine_max_org, discretion, responsible_unit, status, note, active, version \
             FROM enforcement_items ",
            $tail
        )
    };
}

/// Inserts a case's clocks as one multi-row statement (several of one kind, such as two
/// seizures, each with its ordinal). A macro, so that the one text serves both connection types
/// inside `on_tx!`.
macro_rules! insert_clocks {
    ($conn:expr, $id:expr, $unit_id:expr, $case:expr, $clocks:expr) => {
        if !$clocks.is_empty() {
            let mut insert = sqlx::QueryBuilder::new(
                "INSERT INTO case_clocks (case_id, kind, n, unit_id, start_on, due_on, provisional, duty, met_on) ",
            );
            let mut seen: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
            insert.push_values($clocks, |mut row, clock| {
                let n = seen.entry(clock.kind.code()).or_insert(0);
                let ordinal = *n;
                *n += 1;
                row.push_bind($id)
                    .push_bind(clock.kind.code())
                    .push_bind(ordinal)
                    .push_bind($unit_id)
                    .push_bind(clock.start.to_string())
                    .push_bind(clock.due.date().to_string())
                    .push_bind(clock.due.is_provisional())
                    .push_bind(clock.kind.is_duty() && $case.stage.is_open())
                    .push_bind(clock.met_on.map(|d| d.to_string()));
            });
            insert.build().execute($conn).await?;
        }
    };
}

/// A case as stored: the listing columns and the domain state.
#[derive(Debug, Clone)]
pub struct CaseRecord {
    pub id: String,
    pub number: String,
    pub category: String,
    pub item_code: Option<String>,
    pub party_id: String,
    pub party_name: String,
    pub unit_id: String,
    pub unit_name: String,
    pub handler_name: Option<String>,
    pub title: String,
    pub location: String,
    pub source: String,
    pub major: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub case: Case,
    /// The nearest open duty clock's end, for list colours.
    pub next_due: Option<NaiveDate>,
}

#[derive(sqlx::FromRow)]
struct CaseRow {
    id: String,
    number: String,
    category: String,
    item_code: Option<String>,
    party_id: String,
    party_name: String,
    unit_id: String,
    unit_name: String,
    handler_name: Option<String>,
    title: String,
    location: String,
    source: String,
    major: bool,
    version: i64,
    created_at: String,
    body: String,
    next_due: Option<String>,
}

direct_row!(CaseRow {
    id,
    number,
    category,
    item_code,
    party_id,
    party_name,
    unit_id,
    unit_name,
    handler_name,
    title,
    location,
    source,
    major,
    version,
    created_at,
    body,
    next_due,
});

impl TryFrom<CaseRow> for CaseRecord {
    type Error = sqlx::Error;
    fn try_from(r: CaseRow) -> Result<Self, Self::Error> {
        Ok(CaseRecord {
            case: serde_json::from_str(&r.body).map_err(|e| decode_error("case body", &e.to_string()))?,
            created_at: parse_ts(&r.created_at)?,
            next_due: r.next_due.as_deref().map(parse_date).transpose()?,
            id: r.id,
            number: r.number,
            category: r.category,
            item_code: r.item_code,
            party_id: r.party_id,
            party_name: r.party_name,
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            handler_name: r.handler_name,
            title: r.title,
            location: r.location,
            source: r.source,
            major: r.major,
            version: r.version,
        })
    }
}

/// One line of a case's timeline.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TimelineEntry {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub code: String,
    pub summary: String,
}

/// Filters of the case list; empty strings mean "any".
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub stage: String,
    pub category: String,
    pub procedure: String,
    pub unit_id: String,
    /// Cases this person is on.
    pub officer_id: String,
    pub party_id: String,
    /// Part of the number, title or party name.
    pub text: String,
    /// Only cases with an overdue duty clock on this day.
    pub overdue_on: Option<NaiveDate>,
    pub page: i64,
    pub page_size: i64,
}

/// An open clock as listed on the deadlines page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DueClock {
    pub case_id: String,
    pub number: String,
    pub title: String,
    pub unit_id: String,
    pub unit_name: String,
    pub handler_id: Option<String>,
    pub handler_name: Option<String>,
    pub kind: String,
    pub due_on: NaiveDate,
    pub provisional: bool,
}

/// The fields a case is opened with, beside its domain state.
#[derive(Debug, Clone)]
pub struct NewCase<'a> {
    pub category: &'a str,
    pub item_code: Option<&'a str>,
    pub party_id: &'a str,
    pub unit_id: &'a str,
    pub title: &'a str,
    pub location: &'a str,
    pub source: &'a str,
}

/// name, employment, certificate status, valid from, valid to.
/// name, employment, 法律职业资格 number, first legal review, certificate status, from, to.
type FactRow = (
    String,
    String,
    String,
    Option<String>,
    bool,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// A case's next state with what records the step.
#[derive(Clone, Copy)]
pub struct CaseWrite<'a> {
    pub case: &'a Case,
    pub event: &'a Event,
    pub clocks: &'a [Clock],
    pub major: bool,
}

/// Case lists count matches up to this many; more shows as "1000+". Counting stops there, so
/// a list costs the same at a thousand cases and at a million; fifty pages of twenty is more
/// than anyone pages through (filters narrow a list, the reports count everything).
pub const COUNT_CAP: i64 = 1_000;

/// How far [`Db::cases`] counts a bigram's index entries when choosing the rarest.
const TERM_PROBE_CAP: i64 = 5_000;

/// The reader's units (for `unit` and `subtree` visibility), as a CTE every case query opens with.
macro_rules! visible_cte {
    () => {
        "WITH RECURSIVE visible(id) AS ( \
            SELECT id FROM units WHERE id = $2 \
            UNION ALL SELECT u.id FROM units u JOIN visible v ON u.parent_id = v.id WHERE $1 = 'subtree' \
         ) "
    };
}

/// Whether the reader may see case `c`: binds $1 mode, $2 unit, $3 person.
macro_rules! visible_where {
    () => {
        "($1 = 'all' OR ($1 IN ('unit', 'subtree') AND c.unit_id IN (SELECT id FROM visible)) \
          OR ($1 = 'person' AND EXISTS (SELECT 1 FROM case_officers o WHERE o.case_id = c.id AND o.person_id = $3))) "
    };
}

/// The names a list shows beside each case `c`.
macro_rules! case_names_join {
    () => {
        " JOIN parties pa ON pa.id = c.party_id JOIN units un ON un.id = c.unit_id \
          LEFT JOIN people hp ON hp.id = c.handler_id "
    };
}

/// The cases a reader may see, with the names a list shows.
macro_rules! case_from {
    () => {
        concat!(" FROM cases c", case_names_join!(), "WHERE ", visible_where!())
    };
}

/// Case `c` is under two bigrams of the text index, $first and $second (the same one twice
/// when the query has one), reached from `t`, the rarer one's entry.
macro_rules! term_match {
    ($first:literal, $second:literal) => {
        concat!(
            "c.id = t.case_id AND t.term = ",
            $first,
            " AND EXISTS (SELECT 1 FROM case_terms t2 WHERE t2.term = ",
            $second,
            " AND t2.created_at = t.created_at AND t2.case_id = t.case_id) \
             AND NOT EXISTS (SELECT 1 FROM case_terms_pending q \
                             WHERE q.created_at = t.created_at AND q.case_id = t.case_id) AND "
        )
    };
}

/// The cases a reader may see that the text index finds, read newest first from the rarer
/// bigram's entries. `CROSS JOIN` makes SQLite start from the index entries rather than from
/// the cases; PostgreSQL reads it as a plain join and plans it itself.
macro_rules! term_cases {
    ($first:literal, $second:literal) => {
        concat!(
            " FROM case_terms t CROSS JOIN cases c WHERE ",
            term_match!($first, $second),
            visible_where!()
        )
    };
}

/// The cases queued for the text index (not in it yet), with the names a list shows.
macro_rules! queued_from {
    () => {
        concat!(
            " FROM case_terms_pending q CROSS JOIN cases c",
            case_names_join!(),
            "WHERE c.id = q.case_id AND ",
            visible_where!()
        )
    };
}

/// [`term_cases`] with the names a list shows; the bigrams are $14 and $15.
macro_rules! term_from {
    () => {
        concat!(
            " FROM case_terms t CROSS JOIN cases c",
            case_names_join!(),
            "WHERE ",
            term_match!("$14", "$15"),
            visible_where!()
        )
    };
}

/// The list filters, $4 to $11 (see [`CaseFilter`]); an empty value matches everything.
macro_rules! case_filters {
    () => {
        "AND ($4 = '' OR c.stage = $4) AND ($5 = '' OR c.category = $5) AND ($6 = '' OR c.procedure = $6) \
         AND ($7 = '' OR c.unit_id = $7) \
         AND ($8 = '' OR EXISTS (SELECT 1 FROM case_officers o WHERE o.case_id = c.id AND o.person_id = $8)) \
         AND ($9 = '' OR c.party_id = $9) \
         AND ($10 = '' OR c.number LIKE $10 OR c.title LIKE $10 \
              OR EXISTS (SELECT 1 FROM parties pn WHERE pn.id = c.party_id AND pn.name LIKE $10)) \
         AND ($11 = '' OR EXISTS (SELECT 1 FROM case_clocks k WHERE k.case_id = c.id AND k.duty AND k.met_on IS NULL AND k.due_on < $11)) "
    };
}

macro_rules! case_query {
    ($tail:expr) => {
        case_query!(case_from!(), $tail)
    };
    ($from:expr, $tail:expr) => {
        concat!(
            visible_cte!(),
            "SELECT c.id, c.number, c.category, c.item_code, c.party_id, pa.name AS party_name, c.unit_id, \
                    un.name AS unit_name, hp.name AS handler_name, c.title, c.location, c.source, c.major, \
                    c.version, c.created_at, c.body, \
                    (SELECT MIN(k.due_on) FROM case_clocks k WHERE k.case_id = c.id AND k.duty AND k.met_on IS NULL) AS next_due",
            $from,
            $tail
        )
    };
}

/// Binds the visibility and the filters ($1 to $11) in order.
macro_rules! bind_filters {
    ($query:expr, $mode:expr, $unit:expr, $person:expr, $filter:expr, $text:expr, $overdue:expr) => {
        $query
            .bind($mode)
            .bind($unit)
            .bind($person)
            .bind(&$filter.stage)
            .bind(&$filter.category)
            .bind(&$filter.procedure)
            .bind(&$filter.unit_id)
            .bind(&$filter.officer_id)
            .bind(&$filter.party_id)
            .bind($text)
            .bind($overdue)
    };
}

impl Db {
    pub(crate) async fn load_case_categories(&self) -> Result<Vec<Category>, sqlx::Error> {
        let rows: Vec<(String, String, i64)> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT code, name, handling_days FROM case_categories ORDER BY sort_order")
                .fetch_all(pool)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|(code, name, handling_days)| Category { code, name, handling_days })
            .collect())
    }

    /// Every item, retired ones included, in the list's order (read through `reference`).
    pub(crate) async fn load_enforcement_items(&self) -> Result<Vec<Item>, sqlx::Error> {
        let sql =
            item_query!("ORDER BY (SELECT sort_order FROM case_categories c WHERE c.code = category), code");
        Ok(on_pool!(self, |pool| sqlx::query_as(sql).fetch_all(pool).await?))
    }

    /// The item's ranges in force for an act committed on `on`: the version with the latest
    /// effective day not after it. An act older than every recorded version gets the oldest
    /// (the list as first entered is the earliest rule the system knows).
    /// The statutory fine range a decision on `decided_on` applies to an act of `act_on` under
    /// item `code` (行政处罚法 Art. 37, 从旧兼从轻: `items::applicable_range`), with the
    /// discretion bands of the version it comes from (`None`: never recorded).
    pub async fn applicable_fine(
        &self,
        code: &str,
        organisation: bool,
        act_on: NaiveDate,
        decided_on: NaiveDate,
    ) -> Result<Option<(ApplicableRange, Option<Vec<DiscretionBand>>)>, sqlx::Error> {
        let at_act = self.item_ranges_on(code, act_on).await?;
        let at_decision = self.item_ranges_on(code, decided_on).await?;
        let range = |version: &Option<ItemRanges>| version.as_ref().and_then(|r| r.for_party(organisation));
        let Some(applies) = applicable_range(range(&at_act), range(&at_decision)) else { return Ok(None) };
        let version = if applies.basis.decision_time() { at_decision } else { at_act };
        Ok(Some((applies, version.and_then(|v| v.bands))))
    }

    pub async fn item_ranges_on(&self, code: &str, on: NaiveDate) -> Result<Option<ItemRanges>, sqlx::Error> {
        let row: Option<RangeRow> = on_pool!(self, |pool| {
            match sqlx::query_as(concat!(
                range_query!(),
                "WHERE code = $1 AND effective_from <= $2 ORDER BY effective_from DESC, version DESC LIMIT 1"
            ))
            .bind(code)
            .bind(on.to_string())
            .fetch_optional(pool)
            .await?
            {
                Some(row) => Some(row),
                None => {
                    sqlx::query_as(concat!(
                        range_query!(),
                        "WHERE code = $1 ORDER BY effective_from, version LIMIT 1"
                    ))
                    .bind(code)
                    .fetch_optional(pool)
                    .await?
                }
            }
        });
        row.map(ItemRanges::try_from).transpose()
    }

    /// Every recorded version of an item's ranges, latest effective day first.
    pub async fn item_range_history(&self, code: &str) -> Result<Vec<ItemRanges>, sqlx::Error> {
        let rows: Vec<RangeRow> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                range_query!(),
                "WHERE code = $1 ORDER BY effective_from DESC, version DESC"
            ))
            .bind(code)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(ItemRanges::try_from).collect()
    }

    /// The active province's rules with their version (read through `reference`).
    pub(crate) async fn load_case_rules(&self) -> Result<(CaseRules, i64), sqlx::Error> {
        let row: Option<(String, i64)> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT body, version FROM case_rules WHERE active ORDER BY province LIMIT 1")
                .fetch_optional(pool)
                .await?
        });
        match row {
            Some((body, version)) => Ok((
                serde_json::from_str(&body).map_err(|e| decode_error("case rules", &e.to_string()))?,
                version,
            )),
            None => Ok((CaseRules::jiangsu_default(), 0)),
        }
    }

    /// What the case engine needs to know about each named person: employment and certificates.
    pub async fn person_facts(&self, ids: &[String]) -> Result<HashMap<String, PersonFacts>, sqlx::Error> {
        let mut out = HashMap::new();
        for id in ids {
            if out.contains_key(id) {
                continue;
            }
            let rows: Vec<FactRow> = on_pool!(self, |pool| {
                sqlx::query_as(
                    "SELECT p.name, p.employment, p.legal_qualification, p.legal_review_since, \
                     p.agency_leader, c.status, c.valid_from, c.valid_to, p.onboarded_on FROM people p \
                     LEFT JOIN certificates c ON c.person_id = p.id WHERE p.id = $1 AND p.active",
                )
                .bind(id)
                .fetch_all(pool)
                .await?
            });
            let Some(first) = rows.first() else { continue };
            let employment =
                Employment::parse(&first.1).ok_or_else(|| decode_error("employment", &first.1))?;
            let mut certificates = Vec::new();
            for (_, _, _, _, _, status, from, to, _) in &rows {
                if let (Some(status), Some(from), Some(to)) = (status, from, to) {
                    let status = CertificateStatus::parse(status)
                        .ok_or_else(|| decode_error("certificate status", status))?;
                    certificates.push((status, parse_date(from)?, parse_date(to)?));
                }
            }
            let since = first.3.as_deref().map(parse_date).transpose()?;
            let legal_review_qualified = crate::domain::org::qualified_for_legal_review(&first.2, since);
            out.insert(
                id.clone(),
                PersonFacts {
                    name: first.0.clone(),
                    employment,
                    certificates,
                    legal_review_qualified,
                    agency_leader: first.4,
                    onboarded_on: first.8.as_deref().map(parse_date).transpose()?,
                },
            );
        }
        Ok(out)
    }

    /// Names and certificate numbers of officers, as documents print them (Art. 42): the
    /// certificate valid on `on`, or the latest one.
    /// Officers' names and certificate numbers (the one valid on `on`, else the latest), in the
    /// order given; unknown ids are left out.
    pub async fn officer_badges(
        &self,
        ids: &[String],
        on: NaiveDate,
    ) -> Result<Vec<(String, String)>, sqlx::Error> {
        let known = self.badges(ids, on).await?;
        Ok(ids.iter().filter_map(|id| known.get(id).cloned()).collect())
    }

    /// The same by id, for documents that name people from several lists.
    pub async fn badges(
        &self,
        ids: &[String],
        on: NaiveDate,
    ) -> Result<std::collections::HashMap<String, (String, String)>, sqlx::Error> {
        let mut out = std::collections::HashMap::new();
        for id in ids {
            if out.contains_key(id) {
                continue;
            }
            let row: Option<(String, Option<String>)> = on_pool!(self, |pool| {
                sqlx::query_as(
                    "SELECT p.name, (SELECT c.number FROM certificates c WHERE c.person_id = p.id \
                     ORDER BY (c.status = 'valid' AND c.valid_from <= $2 AND c.valid_to >= $2) DESC, c.valid_to DESC LIMIT 1) \
                     FROM people p WHERE p.id = $1",
                )
                .bind(id)
                .bind(on.to_string())
                .fetch_optional(pool)
                .await?
            });
            if let Some((name, number)) = row {
                out.insert(id.clone(), (name, number.unwrap_or_default()));
            }
        }
        Ok(out)
    }

    /// One page of the cases the reader may see, newest first, with their number — exact up to
    /// [`COUNT_CAP`], beyond which it is `COUNT_CAP + 1`, meaning "more than that".
    pub async fn cases(
        &self,
        visibility: &Visibility,
        filter: &CaseFilter,
    ) -> Result<(Vec<CaseRecord>, i64), sqlx::Error> {
        let narrowed = self.as_unit_filter(visibility, filter).await?;
        let (visibility, filter) = match &narrowed {
            Some((visibility, filter)) => (visibility, filter),
            None => (visibility, filter),
        };
        let (mode, vis_unit, vis_person) = visibility.binds();
        let text = if filter.text.trim().is_empty() {
            String::new()
        } else {
            format!("%{}%", filter.text.trim().replace(['%', '_'], ""))
        };
        let overdue = filter.overdue_on.map(|d| d.to_string()).unwrap_or_default();
        let page_size = filter.page_size.clamp(1, 200);
        let offset = (filter.page.max(1) - 1) * page_size;
        // A query of two characters or more is looked up in the text index; the `LIKE` among
        // the filters still decides each case the index offers.
        let probe = crate::store::search::query_terms(&text.replace('%', ""));
        let terms = if probe.is_empty() { None } else { self.rarest_terms(&probe).await? };
        // A page ($12 rows from $13 on) and its capped count, with the same filters ($1 to $11)
        // and then `$extra` binds; counted up to one past the cap: an exact count of a million
        // rows would cost more than the page itself, and nobody pages that far.
        macro_rules! page_and_count {
            ($pool:expr, $limit:expr, $offset:expr, $rows_sql:expr, $count_sql:expr $(, $extra:expr)*) => {{
                let rows: Vec<CaseRow> =
                    bind_filters!(sqlx::query_as($rows_sql), mode, &vis_unit, &vis_person, filter, &text, &overdue)
                        .bind($limit)
                        .bind($offset)
                        $(.bind($extra))*
                        .fetch_all($pool)
                        .await?;
                let total: i64 =
                    bind_filters!(sqlx::query_scalar($count_sql), mode, &vis_unit, &vis_person, filter, &text, &overdue)
                        .bind(COUNT_CAP + 1)
                        $(.bind($extra))*
                        .fetch_one($pool)
                        .await?;
                (rows, total)
            }};
        }
        let (rows, total): (Vec<CaseRow>, i64) = on_pool!(self, |pool| {
            match &terms {
                None => page_and_count!(
                    pool,
                    page_size,
                    offset,
                    case_query!(concat!(
                        case_filters!(),
                        "ORDER BY c.created_at DESC, c.id DESC LIMIT $12 OFFSET $13"
                    )),
                    concat!(
                        visible_cte!(),
                        "SELECT COUNT(*) FROM (SELECT 1 FROM cases c WHERE ",
                        visible_where!(),
                        case_filters!(),
                        "LIMIT $12) AS counted"
                    )
                ),
                Some((rarest, second)) => {
                    // The indexed cases and the queued ones (not indexed yet) are two disjoint
                    // lists, each read newest first; the page is cut from their merge.
                    let (indexed, indexed_total) = page_and_count!(
                        pool,
                        offset + page_size,
                        0,
                        case_query!(
                            term_from!(),
                            concat!(
                                case_filters!(),
                                "ORDER BY t.created_at DESC, t.case_id DESC LIMIT $12 OFFSET $13"
                            )
                        ),
                        concat!(
                            visible_cte!(),
                            "SELECT COUNT(*) FROM (SELECT 1",
                            term_cases!("$13", "$14"),
                            case_filters!(),
                            "LIMIT $12) AS counted"
                        ),
                        rarest,
                        second
                    );
                    let (queued, queued_total) = page_and_count!(
                        pool,
                        offset + page_size,
                        0,
                        case_query!(
                            queued_from!(),
                            concat!(
                                case_filters!(),
                                "ORDER BY q.created_at DESC, q.case_id DESC LIMIT $12 OFFSET $13"
                            )
                        ),
                        concat!(
                            visible_cte!(),
                            "SELECT COUNT(*) FROM (SELECT 1 FROM case_terms_pending q CROSS JOIN cases c \
                             WHERE c.id = q.case_id AND ",
                            visible_where!(),
                            case_filters!(),
                            "LIMIT $12) AS counted"
                        )
                    );
                    let mut rows: Vec<CaseRow> = indexed.into_iter().chain(queued).collect();
                    rows.sort_by(|a, b| (&b.created_at, &b.id).cmp(&(&a.created_at, &a.id)));
                    rows.dedup_by(|a, b| a.id == b.id);
                    let page = rows.into_iter().skip(offset as usize).take(page_size as usize).collect();
                    (page, (indexed_total + queued_total).min(COUNT_CAP + 1))
                }
            }
        });
        Ok((rows.into_iter().map(CaseRecord::try_from).collect::<Result<_, _>>()?, total))
    }

    /// A reader limited to one unit with no units below it (a squad leader, a squad's officer)
    /// sees exactly the whole bureau's list filtered to that unit; given as that, the unit is a
    /// plain equality the database can look up in `cases_unit_stage`. As a reader's scope it is
    /// a test against the recursive list of the reader's units inside an OR, which PostgreSQL
    /// cannot use as an index condition: counting one squad's cases walked every other squad's
    /// index entries first (21 ms at 250,000 cases). `None`: keep the reader's scope as it is.
    async fn as_unit_filter(
        &self,
        visibility: &Visibility,
        filter: &CaseFilter,
    ) -> Result<Option<(Visibility, CaseFilter)>, sqlx::Error> {
        let unit = match visibility {
            Visibility::Unit(unit) => unit,
            Visibility::Subtree(unit) => {
                let below: i64 = on_pool!(self, |pool| {
                    sqlx::query_scalar("SELECT COUNT(*) FROM units WHERE parent_id = $1")
                        .bind(unit)
                        .fetch_one(pool)
                        .await?
                });
                if below > 0 {
                    return Ok(None);
                }
                unit
            }
            _ => return Ok(None),
        };
        if !filter.unit_id.is_empty() && &filter.unit_id != unit {
            // Another unit's cases: outside the reader's scope, so the scope stays and finds none.
            return Ok(None);
        }
        Ok(Some((Visibility::All, CaseFilter { unit_id: unit.clone(), ..filter.clone() })))
    }

    /// The two of a query's bigrams with the fewest index entries (the same one twice for a
    /// one-bigram query, or for one without entries: no indexed case can match), or `None` when
    /// even the rarest has [`TERM_PROBE_CAP`] entries or more (the list is then read instead).
    async fn rarest_terms(&self, probe: &[String]) -> Result<Option<(String, String)>, sqlx::Error> {
        let mut counted = Vec::new();
        for term in probe.iter().take(crate::store::search::MAX_PROBED_TERMS) {
            let n: i64 = on_pool!(self, |pool| {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM case_terms WHERE term = $1 LIMIT $2) AS entries",
                )
                .bind(term)
                .bind(TERM_PROBE_CAP)
                .fetch_one(pool)
                .await?
            });
            if n == 0 {
                // No indexed case can match; queued ones still may.
                return Ok(Some((term.clone(), term.clone())));
            }
            counted.push((n, term));
        }
        counted.sort();
        if counted[0].0 >= TERM_PROBE_CAP {
            // Every piece is common (a run of digits, say): walking the index would visit more
            // entries than reading the list does, so the list is read instead.
            return Ok(None);
        }
        let rarest = counted[0].1.clone();
        let second = counted.get(1).map_or_else(|| rarest.clone(), |(_, t)| (*t).clone());
        Ok(Some((rarest, second)))
    }

    /// One case, if the reader may see it; a case outside the reader's view looks absent.
    pub async fn case(&self, visibility: &Visibility, id: &str) -> Result<Option<CaseRecord>, sqlx::Error> {
        const SQL: &str = case_query!("AND c.id = $4");
        let row: Option<CaseRow> = self.visible_by_id(SQL, visibility, id).await?;
        row.map(CaseRecord::try_from).transpose()
    }

    pub async fn case_timeline(&self, id: &str) -> Result<Vec<TimelineEntry>, sqlx::Error> {
        const SQL: &str =
            "SELECT seq, at, actor, code, summary FROM case_events WHERE case_id = $1 ORDER BY seq";
        let rows: Vec<(i64, String, String, String, String)> = if let Some(direct) = self.direct() {
            direct.query(SQL, &[&id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?
        } else {
            on_pool!(self, |pool| sqlx::query_as(SQL).bind(id).fetch_all(pool).await?)
        };
        rows.into_iter()
            .map(|(seq, at, actor, code, summary)| {
                Ok(TimelineEntry { seq, at: parse_ts(&at)?, actor, code, summary })
            })
            .collect()
    }

    /// Open clocks ending on or before `until`, in the reader's view, soonest first.
    pub async fn due_clocks(
        &self,
        visibility: &Visibility,
        until: NaiveDate,
        duty_only: bool,
        limit: i64,
    ) -> Result<Vec<DueClock>, sqlx::Error> {
        let (mode, vis_unit, vis_person) = visibility.binds();
        type Row =
            (String, String, String, String, String, Option<String>, Option<String>, String, String, bool);
        let rows: Vec<Row> = on_pool!(self, |pool| {
            sqlx::query_as(
                "WITH RECURSIVE visible(id) AS ( \
                    SELECT id FROM units WHERE id = $2 \
                    UNION ALL SELECT u.id FROM units u JOIN visible v ON u.parent_id = v.id WHERE $1 = 'subtree' \
                 ) SELECT k.case_id, c.number, c.title, c.unit_id, un.name, c.handler_id, hp.name, k.kind, k.due_on, k.provisional \
                 FROM case_clocks k JOIN cases c ON c.id = k.case_id JOIN units un ON un.id = c.unit_id \
                 LEFT JOIN people hp ON hp.id = c.handler_id \
                 WHERE k.met_on IS NULL AND k.due_on <= $4 AND (k.duty OR $5 = 0) \
                   AND ($1 = 'all' OR ($1 IN ('unit', 'subtree') AND k.unit_id IN (SELECT id FROM visible)) \
                        OR ($1 = 'person' AND EXISTS (SELECT 1 FROM case_officers o WHERE o.case_id = k.case_id AND o.person_id = $3))) \
                 ORDER BY k.due_on LIMIT $6",
            )
            .bind(mode)
            .bind(&vis_unit)
            .bind(&vis_person)
            .bind(until.to_string())
            .bind(i64::from(duty_only))
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(
                |(
                    case_id,
                    number,
                    title,
                    unit_id,
                    unit_name,
                    handler_id,
                    handler_name,
                    kind,
                    due_on,
                    provisional,
                )| {
                    Ok(DueClock {
                        case_id,
                        number,
                        title,
                        unit_id,
                        unit_name,
                        handler_id,
                        handler_name,
                        kind,
                        due_on: parse_date(&due_on)?,
                        provisional,
                    })
                },
            )
            .collect()
    }

    /// Earlier cases of a party (一人一档), newest first, for the party page and the
    /// first-offence check of 行政处罚法 Art. 33.
    pub async fn party_cases(&self, party_id: &str) -> Result<Vec<CaseRecord>, sqlx::Error> {
        let rows: Vec<CaseRow> = on_pool!(self, |pool| {
            sqlx::query_as(case_query!("AND c.party_id = $4 ORDER BY c.created_at DESC LIMIT 200"))
                .bind("all")
                .bind("")
                .bind("")
                .bind(party_id)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(CaseRecord::try_from).collect()
    }
}

impl AuditedTx {
    /// Adds an item (`version` 0) or changes one over the version the caller read (the code
    /// never changes), and records its ranges and bands as in force from `effective_from` for
    /// acts committed from that day (the list's history, for 从旧兼从轻). Returns the new version.
    pub async fn save_item(
        &mut self,
        version: i64,
        item: &ItemSpec,
        effective_from: NaiveDate,
    ) -> Result<i64, StoreError> {
        let bands = serde_json::to_string(&item.bands)
            .map_err(|e| StoreError::Db(decode_error("discretion bands", &e.to_string())))?;
        let (min_person, max_person) = item.fine_person.unzip();
        let (min_org, max_org) = item.fine_org.unzip();
        let written = on_tx!(&mut self.tx, |conn| {
            let query = if version == 0 {
                sqlx::query(
                    "INSERT INTO enforcement_items (category, name, violated, penalty_basis, fine_min_person, \
                     fine_max_person, fine_min_org, fine_max_org, discretion, responsible_unit, status, note, active, \
                     code, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15 + 1)",
                )
            } else {
                sqlx::query(
                    "UPDATE enforcement_items SET category = $1, name = $2, violated = $3, penalty_basis = $4, \
                     fine_min_person = $5, fine_max_person = $6, fine_min_org = $7, fine_max_org = $8, \
                     discretion = $9, responsible_unit = $10, status = $11, note = $12, active = $13, \
                     version = version + 1 WHERE code = $14 AND version = $15",
                )
            };
            query
                .bind(&item.category)
                .bind(&item.name)
                .bind(&item.violated)
                .bind(&item.penalty_basis)
                .bind(min_person)
                .bind(max_person)
                .bind(min_org)
                .bind(max_org)
                .bind(&bands)
                .bind(&item.responsible_unit)
                .bind(item.status.code())
                .bind(&item.note)
                .bind(item.active)
                .bind(&item.code)
                .bind(version)
                .execute(conn)
                .await
                .map_err(|e| crate::store::on_unique(e, "code"))?
                .rows_affected()
        });
        if written == 0 {
            return Err(StoreError::Conflict);
        }
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO item_ranges (code, version, effective_from, fine_min_person, fine_max_person, \
                 fine_min_org, fine_max_org, bands) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&item.code)
            .bind(version + 1)
            .bind(effective_from.to_string())
            .bind(min_person)
            .bind(max_person)
            .bind(min_org)
            .bind(max_org)
            .bind(&bands)
            .execute(conn)
            .await?;
        });
        // The list is public law, not personal data: the record keeps the item whole.
        let action = if version == 0 { "item.create" } else { "item.update" };
        self.audit(AuditEvent::new(action, "enforcement_item", &item.code).details(serde_json::json!({
            "version": version + 1, "item": item, "effective_from": effective_from,
        })))
        .await?;
        Ok(version + 1)
    }

    /// Saves the province's rules over the active row read at `version` (0: the shipped
    /// defaults, no row yet). They apply to steps taken from now on; a notice already served
    /// keeps the period it stated.
    pub async fn set_case_rules(&mut self, version: i64, rules: &CaseRules) -> Result<i64, StoreError> {
        let now = ts(self.now());
        let body = serde_json::to_string(rules)
            .map_err(|e| StoreError::Db(decode_error("case rules", &e.to_string())))?;
        let existing: Option<i64> = on_tx!(&mut self.tx, |conn| {
            sqlx::query_scalar("SELECT version FROM case_rules WHERE active").fetch_optional(conn).await?
        });
        if existing.unwrap_or(0) != version {
            return Err(StoreError::Conflict);
        }
        let written = on_tx!(&mut self.tx, |conn| {
            if version == 0 {
                sqlx::query(
                    "INSERT INTO case_rules (province, active, body, version, updated_at) VALUES ($1, TRUE, $2, 1, $3)",
                )
                .bind(&rules.province)
                .bind(&body)
                .bind(&now)
                .execute(conn)
                .await?
                .rows_affected()
            } else {
                sqlx::query(
                    "UPDATE case_rules SET province = $1, body = $2, version = version + 1, updated_at = $3 \
                     WHERE active AND version = $4",
                )
                .bind(&rules.province)
                .bind(&body)
                .bind(&now)
                .bind(version)
                .execute(conn)
                .await?
                .rows_affected()
            }
        });
        if written == 0 {
            return Err(StoreError::Conflict);
        }
        // The rules are public law, not personal data: the record keeps them whole.
        self.audit(
            AuditEvent::new("case_rules.update", "case_rules", &rules.province)
                .details(serde_json::json!({ "version": version + 1, "rules": rules })),
        )
        .await?;
        Ok(version + 1)
    }

    /// The next number of a document type in a year. The counter row is taken inside this
    /// transaction, after the audit head, so concurrent writers queue and no number is skipped
    /// or given twice; a rolled-back transaction gives its number back.
    pub async fn next_number(&mut self, doc_type: &str, year: i32) -> Result<i64, sqlx::Error> {
        let year = i64::from(year);
        on_tx!(&mut self.tx, |conn| {
            let updated: Option<i64> = sqlx::query_scalar(
                "UPDATE doc_counters SET last = last + 1 WHERE doc_type = $1 AND year = $2 RETURNING last",
            )
            .bind(doc_type)
            .bind(year)
            .fetch_optional(&mut *conn)
            .await?;
            match updated {
                Some(n) => Ok(n),
                None => {
                    sqlx::query("INSERT INTO doc_counters (doc_type, year, last) VALUES ($1, $2, 1)")
                        .bind(doc_type)
                        .bind(year)
                        .execute(&mut *conn)
                        .await?;
                    Ok(1)
                }
            }
        })
    }

    pub async fn insert_case(
        &mut self,
        id: &str,
        number: &str,
        new: &NewCase<'_>,
        write: &CaseWrite<'_>,
    ) -> Result<(), StoreError> {
        let CaseWrite { case, event, clocks, major } = *write;
        let now = ts(self.now());
        let body =
            serde_json::to_string(case).map_err(|e| StoreError::Db(decode_error("case", &e.to_string())))?;
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO cases (id, number, procedure, stage, category, item_code, party_id, unit_id, handler_id, \
                 title, location, source, major, body, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15)",
            )
            .bind(id)
            .bind(number)
            .bind(case.procedure.code())
            .bind(case.stage.code())
            .bind(new.category)
            .bind(new.item_code)
            .bind(new.party_id)
            .bind(new.unit_id)
            .bind(case.handler())
            .bind(new.title)
            .bind(new.location)
            .bind(new.source)
            .bind(major)
            .bind(&body)
            .bind(&now)
            .execute(&mut *conn)
            .await?;
        });
        self.queue_case_terms(id, &now).await?;
        self.write_case_parts(id, new.unit_id, case, event, clocks, 1).await?;
        self.audit(AuditEvent::new("case.open", "case", id).details(serde_json::json!({
            "number": number, "procedure": case.procedure.code(), "event": event.code,
        })))
        .await?;
        Ok(())
    }

    /// Writes the next state of a case if nobody changed it since `expected_version`.
    pub async fn update_case(
        &mut self,
        id: &str,
        unit_id: &str,
        expected_version: i64,
        write: &CaseWrite<'_>,
    ) -> Result<i64, StoreError> {
        let CaseWrite { case, event, clocks, major } = *write;
        let now = ts(self.now());
        let body =
            serde_json::to_string(case).map_err(|e| StoreError::Db(decode_error("case", &e.to_string())))?;
        let updated = on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "UPDATE cases SET stage = $1, handler_id = $2, major = $3, body = $4, version = version + 1, \
                 updated_at = $5 WHERE id = $6 AND version = $7",
            )
            .bind(case.stage.code())
            .bind(case.handler())
            .bind(major)
            .bind(&body)
            .bind(&now)
            .bind(id)
            .bind(expected_version)
            .execute(&mut *conn)
            .await?
            .rows_affected()
        });
        if updated == 0 {
            return Err(StoreError::Conflict);
        }
        // Every write of a case adds exactly one event and one version (the insert is version 1
        // and event 1), so the next event's number is the new version; the key (case_id, seq)
        // would refuse a duplicate rather than let the two drift apart.
        self.write_case_parts(id, unit_id, case, event, clocks, expected_version + 1).await?;
        self.audit(AuditEvent::new("case.step", "case", id).details(serde_json::json!({
            "step": event.code, "stage": case.stage.code(), "version": expected_version + 1,
        })))
        .await?;
        Ok(expected_version + 1)
    }

    /// Cases with a clock not yet met that ends in `year`, starts in it, or is provisional
    /// (its year's arrangement was missing): the clocks a change of that year's arrangement
    /// may move. With each, its unit and its state.
    pub async fn cases_with_open_clocks_in(
        &mut self,
        year: i32,
    ) -> Result<Vec<(String, String, Case)>, sqlx::Error> {
        let rows: Vec<(String, String, String)> = on_tx!(&mut self.tx, |conn| {
            sqlx::query_as(
                "SELECT c.id, c.unit_id, c.body FROM cases c WHERE EXISTS (SELECT 1 FROM case_clocks k \
                 WHERE k.case_id = c.id AND k.met_on IS NULL \
                 AND (k.provisional OR substr(k.due_on, 1, 4) = $1 OR substr(k.start_on, 1, 4) = $1)) ORDER BY c.id",
            )
            .bind(year.to_string())
            .fetch_all(&mut *conn)
            .await?
        });
        rows.into_iter()
            .map(|(id, unit, body)| {
                let case =
                    serde_json::from_str(&body).map_err(|e| decode_error("case body", &e.to_string()))?;
                Ok((id, unit, case))
            })
            .collect()
    }

    /// Replaces a case's stored clocks with `clocks` computed anew (after the calendar they
    /// depend on changed), without a step of its own: the caller writes the audit record.
    pub async fn replace_case_clocks(
        &mut self,
        id: &str,
        unit_id: &str,
        case: &Case,
        clocks: &[Clock],
    ) -> Result<(), sqlx::Error> {
        on_tx!(&mut self.tx, |conn| {
            sqlx::query("DELETE FROM case_clocks WHERE case_id = $1").bind(id).execute(&mut *conn).await?;
            insert_clocks!(&mut *conn, id, unit_id, case, clocks);
        });
        Ok(())
    }

    async fn write_case_parts(
        &mut self,
        id: &str,
        unit_id: &str,
        case: &Case,
        event: &Event,
        clocks: &[Clock],
        seq: i64,
    ) -> Result<(), sqlx::Error> {
        let now = ts(self.now());
        let actor = self.actor().to_owned();
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO case_events (case_id, seq, at, actor, code, summary, details) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(seq)
            .bind(&now)
            .bind(&actor)
            .bind(event.code)
            .bind(&event.summary_zh)
            .bind(event.details.to_string())
            .execute(&mut *conn)
            .await?;
            // A case's first write has no officers or clocks to replace; later writes replace
            // both wholesale. Each list goes in as one multi-row INSERT: on SQLite every
            // statement is a round trip to the connection's thread, and those dominate a write.
            if seq > 1 {
                sqlx::query("DELETE FROM case_officers WHERE case_id = $1")
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("DELETE FROM case_clocks WHERE case_id = $1")
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
            }
            let mut officers: Vec<&String> = case.officers.iter().collect();
            officers.sort();
            officers.dedup();
            if !officers.is_empty() {
                let mut insert = sqlx::QueryBuilder::new("INSERT INTO case_officers (case_id, person_id) ");
                insert.push_values(officers, |mut row, person| {
                    row.push_bind(id).push_bind(person);
                });
                insert.build().execute(&mut *conn).await?;
            }
            insert_clocks!(&mut *conn, id, unit_id, case, clocks);
            Ok(())
        })
    }
}
