//! Units, people, certificates and the leadership group.

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::org::{CertificateDraft, CertificateStatus, Employment, Gender, PersonDraft, UnitKind};
use crate::store::direct::{FromDirectRow, direct_row};
use crate::store::personal::{self, Field};
use crate::store::{
    AuditEvent, AuditedTx, Db, StoreError, decode_error, new_id, on_pool, on_tx, on_unique, parse_date,
    parse_ts, ts,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub id: String,
    pub parent_id: Option<String>,
    pub kind: UnitKind,
    pub name: String,
    pub code: String,
    pub sort_order: i64,
}

#[derive(sqlx::FromRow)]
struct UnitRow {
    id: String,
    parent_id: Option<String>,
    kind: String,
    name: String,
    code: String,
    sort_order: i64,
}

impl TryFrom<UnitRow> for Unit {
    type Error = sqlx::Error;
    fn try_from(row: UnitRow) -> Result<Self, Self::Error> {
        Ok(Unit {
            kind: UnitKind::parse(&row.kind).ok_or_else(|| decode_error("unit kind", &row.kind))?,
            id: row.id,
            parent_id: row.parent_id,
            name: row.name,
            code: row.code,
            sort_order: row.sort_order,
        })
    }
}

/// Which people a reader may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    All,
    /// One unit.
    Unit(String),
    /// A unit and every unit below it.
    Subtree(String),
    /// Only this person.
    Person(String),
    Nothing,
}

impl Visibility {
    /// The three bind values the people queries use: mode, unit id, person id.
    pub(crate) fn binds(&self) -> (&'static str, String, String) {
        match self {
            Visibility::All => ("all", String::new(), String::new()),
            Visibility::Unit(id) => ("unit", id.clone(), String::new()),
            Visibility::Subtree(id) => ("subtree", id.clone(), String::new()),
            Visibility::Person(id) => ("person", String::new(), id.clone()),
            Visibility::Nothing => ("none", String::new(), String::new()),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct PeopleFilter {
    /// Part of a name.
    pub name: String,
    /// A unit; people in it and below it match.
    pub unit_id: String,
    /// `officer`, `auxiliary` or empty.
    pub employment: String,
    /// `valid`, `expiring`, `expired`, `missing` (officers without any certificate) or empty.
    pub certificate: String,
    pub page: i64,
    pub page_size: i64,
}

/// One line of the people list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonSummary {
    pub id: String,
    pub name: String,
    pub gender: Gender,
    pub unit_id: String,
    pub unit_name: String,
    pub position: String,
    pub phone: Option<String>,
    pub employment: Employment,
    /// 行政机关负责人 (may attend a 集体讨论).
    pub agency_leader: bool,
    pub active: bool,
    pub certificate_number: Option<String>,
    pub certificate_valid_to: Option<NaiveDate>,
    pub certificate_status: Option<CertificateStatus>,
    pub certificate_valid_from: Option<NaiveDate>,
}

#[derive(Clone, sqlx::FromRow)]
struct PersonSummaryRow {
    id: String,
    name: String,
    gender: String,
    unit_id: String,
    unit_name: String,
    position: String,
    phone: Option<String>,
    employment: String,
    agency_leader: bool,
    active: bool,
    certificate_number: Option<String>,
    certificate_valid_from: Option<String>,
    certificate_valid_to: Option<String>,
    certificate_status: Option<String>,
}

direct_row!(PersonSummaryRow {
    id,
    name,
    gender,
    unit_id,
    unit_name,
    position,
    phone,
    employment,
    agency_leader,
    active,
    certificate_number,
    certificate_valid_from,
    certificate_valid_to,
    certificate_status,
});

impl PersonSummaryRow {
    /// The summary, its sealed phone opened (`personal`).
    fn open(self, ring: &crate::keys::Keyring) -> Result<PersonSummary, sqlx::Error> {
        let phone = personal::open_optional(ring, Field::PersonPhone, &self.id, self.phone.as_deref())?;
        PersonSummary::try_from(PersonSummaryRow { phone, ..self })
    }
}

impl TryFrom<PersonSummaryRow> for PersonSummary {
    type Error = sqlx::Error;
    fn try_from(row: PersonSummaryRow) -> Result<Self, Self::Error> {
        Ok(PersonSummary {
            gender: Gender::parse(&row.gender).ok_or_else(|| decode_error("gender", &row.gender))?,
            employment: Employment::parse(&row.employment)
                .ok_or_else(|| decode_error("employment", &row.employment))?,
            certificate_valid_from: row.certificate_valid_from.as_deref().map(parse_date).transpose()?,
            certificate_valid_to: row.certificate_valid_to.as_deref().map(parse_date).transpose()?,
            certificate_status: match row.certificate_status.as_deref() {
                None => None,
                Some(s) => {
                    Some(CertificateStatus::parse(s).ok_or_else(|| decode_error("certificate status", s))?)
                }
            },
            id: row.id,
            name: row.name,
            unit_id: row.unit_id,
            unit_name: row.unit_name,
            position: row.position,
            phone: row.phone,
            agency_leader: row.agency_leader,
            active: row.active,
            certificate_number: row.certificate_number,
        })
    }
}

#[derive(sqlx::FromRow)]
struct CountedSummaryRow {
    #[sqlx(flatten)]
    summary: PersonSummaryRow,
    total: i64,
}

#[derive(sqlx::FromRow)]
struct PersonRow {
    #[sqlx(flatten)]
    summary: PersonSummaryRow,
    version: i64,
    created_at: String,
    updated_at: String,
}

impl FromDirectRow for PersonRow {
    fn from_direct(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(PersonRow {
            summary: PersonSummaryRow::from_direct(row)?,
            version: row.get("version")?,
            created_at: row.get("created_at")?,
            updated_at: row.get("updated_at")?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub summary: PersonSummary,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    pub id: String,
    pub person_id: String,
    pub number: String,
    pub kind: String,
    pub issuer: String,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    pub status: CertificateStatus,
    pub version: i64,
}

#[derive(sqlx::FromRow)]
struct CertificateRow {
    id: String,
    person_id: String,
    number: String,
    kind: String,
    issuer: String,
    valid_from: String,
    valid_to: String,
    status: String,
    version: i64,
}

impl TryFrom<CertificateRow> for Certificate {
    type Error = sqlx::Error;
    fn try_from(row: CertificateRow) -> Result<Self, Self::Error> {
        Ok(Certificate {
            valid_from: parse_date(&row.valid_from)?,
            valid_to: parse_date(&row.valid_to)?,
            status: CertificateStatus::parse(&row.status)
                .ok_or_else(|| decode_error("certificate status", &row.status))?,
            id: row.id,
            person_id: row.person_id,
            number: row.number,
            kind: row.kind,
            issuer: row.issuer,
            version: row.version,
        })
    }
}

/// The people list's common part: the reader's visible units, the filter's units, and the
/// person columns with each person's latest certificate. Binds: $1 visibility mode,
/// $2 visibility unit, $3 visibility person, $4 filter unit, $5 name pattern, $6 employment,
/// $7 certificate filter, $8 today.
macro_rules! people_query {
    ($select:literal, $tail:literal) => {
        concat!(
            "WITH RECURSIVE visible(id) AS ( \
                SELECT id FROM units WHERE id = $2 \
                UNION ALL SELECT u.id FROM units u JOIN visible v ON u.parent_id = v.id WHERE $1 = 'subtree' \
             ), chosen(id) AS ( \
                SELECT id FROM units WHERE id = $4 \
                UNION ALL SELECT u.id FROM units u JOIN chosen c ON u.parent_id = c.id \
             ) ",
            $select,
            " FROM people p JOIN units un ON un.id = p.unit_id \
              LEFT JOIN certificates lc ON lc.person_id = p.id \
                AND lc.valid_to = (SELECT MAX(c2.valid_to) FROM certificates c2 WHERE c2.person_id = p.id) \
              WHERE ($1 = 'all' OR ($1 IN ('unit', 'subtree') AND p.unit_id IN (SELECT id FROM visible)) \
                     OR ($1 = 'person' AND p.id = $3)) \
                AND ($4 = '' OR p.unit_id IN (SELECT id FROM chosen)) \
                AND ($5 = '' OR p.name LIKE $5) \
                AND ($6 = '' OR p.employment = $6) \
                AND ($7 = '' \
                     OR ($7 = 'valid' AND lc.status = 'valid' AND lc.valid_from <= $8 AND lc.valid_to >= $8) \
                     OR ($7 = 'expiring' AND lc.status = 'valid' AND lc.valid_to >= $8 AND lc.valid_to <= $9) \
                     OR ($7 = 'expired' AND (lc.valid_to < $8 OR lc.status <> 'valid')) \
                     OR ($7 = 'missing' AND p.employment = 'officer' AND lc.number IS NULL)) ",
            $tail
        )
    };
}

/// The people list's count, with the same filters.
const COUNT_PEOPLE: &str = people_query!("SELECT COUNT(*)", "");

/// The people filters as `people_query!` numbers them (`$1` to `$9`), bound the same way for
/// the page, its count and the 工作台's figures.
struct PeopleBinds {
    mode: &'static str,
    vis_unit: String,
    vis_person: String,
    unit_id: String,
    name: String,
    employment: String,
    certificate: String,
    today: String,
    soon: String,
}

impl PeopleBinds {
    fn new(visibility: &Visibility, filter: &PeopleFilter, today: NaiveDate) -> PeopleBinds {
        let (mode, vis_unit, vis_person) = visibility.binds();
        let name = if filter.name.trim().is_empty() {
            String::new()
        } else {
            format!("%{}%", strip_like_wildcards(filter.name.trim()))
        };
        let soon = today + chrono::Duration::days(crate::domain::org::CERTIFICATE_EXPIRY_WARNING_DAYS);
        PeopleBinds {
            mode,
            vis_unit,
            vis_person,
            unit_id: filter.unit_id.clone(),
            name,
            employment: filter.employment.clone(),
            certificate: filter.certificate.clone(),
            today: today.to_string(),
            soon: soon.to_string(),
        }
    }

    /// The same values for a direct read (`store::direct`).
    fn direct(&self) -> [&dyn rusqlite::ToSql; 9] {
        [
            &self.mode,
            &self.vis_unit,
            &self.vis_person,
            &self.unit_id,
            &self.name,
            &self.employment,
            &self.certificate,
            &self.today,
            &self.soon,
        ]
    }
}

/// Binds [`PeopleBinds`] as `$1` to `$9`.
macro_rules! bind_people {
    ($query:expr, $binds:expr) => {
        $query
            .bind($binds.mode)
            .bind(&$binds.vis_unit)
            .bind(&$binds.vis_person)
            .bind(&$binds.unit_id)
            .bind(&$binds.name)
            .bind(&$binds.employment)
            .bind(&$binds.certificate)
            .bind(&$binds.today)
            .bind(&$binds.soon)
    };
}

pub struct PeoplePage {
    pub rows: Vec<PersonSummary>,
    pub total: i64,
}

impl Db {
    pub(crate) async fn load_units(&self) -> Result<Vec<Unit>, sqlx::Error> {
        let rows: Vec<UnitRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, parent_id, kind, name, code, sort_order FROM units ORDER BY sort_order, name",
            )
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(Unit::try_from).collect()
    }

    pub async fn unit(&self, id: &str) -> Result<Option<Unit>, sqlx::Error> {
        let row: Option<UnitRow> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT id, parent_id, kind, name, code, sort_order FROM units WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        row.map(Unit::try_from).transpose()
    }

    /// The bureau's 负责人 in the register (active, flagged `agency_leader`): id, name and
    /// position, in the unit order, for the attendee list of a 集体讨论.
    pub async fn agency_leaders(&self) -> Result<Vec<(String, String, String)>, sqlx::Error> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT p.id, p.name, p.position FROM people p JOIN units un ON un.id = p.unit_id \
                 WHERE p.active AND p.agency_leader ORDER BY un.sort_order, p.name, p.id",
            )
            .fetch_all(pool)
            .await?
        }))
    }

    /// Every person's name by id, in one read (a bureau has hundreds, a city thousands): for
    /// pages that name many people at once.
    pub async fn person_names(&self) -> Result<std::collections::HashMap<String, String>, sqlx::Error> {
        let rows: Vec<(String, String)> =
            on_pool!(self, |pool| { sqlx::query_as("SELECT id, name FROM people").fetch_all(pool).await? });
        Ok(rows.into_iter().collect())
    }

    pub async fn people(
        &self,
        visibility: &Visibility,
        filter: &PeopleFilter,
        today: NaiveDate,
    ) -> Result<PeoplePage, sqlx::Error> {
        let binds = PeopleBinds::new(visibility, filter, today);
        let page_size = filter.page_size.clamp(1, 500);
        let offset = (filter.page.max(1) - 1) * page_size;
        // The total rides on the page's rows (a window count), so a page costs one query; only
        // a page past the end, which has no rows to carry it, asks for the count separately.
        let (rows, total): (Vec<CountedSummaryRow>, Option<i64>) = on_pool!(self, |pool| {
            let rows: Vec<CountedSummaryRow> = bind_people!(
                sqlx::query_as(people_query!(
                    "SELECT p.id, p.name, p.gender, p.unit_id, un.name AS unit_name, p.position, p.phone, \
                     p.employment, p.agency_leader, p.active, lc.number AS certificate_number, lc.valid_from AS certificate_valid_from, \
                     lc.valid_to AS certificate_valid_to, lc.status AS certificate_status, COUNT(*) OVER () AS total",
                    "ORDER BY un.sort_order, p.employment DESC, p.name, p.id LIMIT $10 OFFSET $11"
                )),
                binds
            )
            .bind(page_size)
            .bind(offset)
            .fetch_all(pool)
            .await?;
            let total = if rows.is_empty() && offset > 0 {
                Some(bind_people!(sqlx::query_scalar(COUNT_PEOPLE), binds).fetch_one(pool).await?)
            } else {
                None
            };
            (rows, total)
        });
        let total = total.unwrap_or_else(|| rows.first().map_or(0, |r| r.total));
        Ok(PeoplePage {
            rows: self.opened(|ring| rows.iter().map(|r| r.summary.clone().open(ring)).collect())?,
            total,
        })
    }

    /// How many people a filter finds (the 工作台's figures), without reading them.
    pub async fn people_count(
        &self,
        visibility: &Visibility,
        filter: &PeopleFilter,
        today: NaiveDate,
    ) -> Result<i64, sqlx::Error> {
        let binds = PeopleBinds::new(visibility, filter, today);
        if let Some(direct) = self.direct() {
            return Ok(direct.query(COUNT_PEOPLE, &binds.direct(), |r| r.get(0))?.pop().unwrap_or(0));
        }
        Ok(on_pool!(self, |pool| bind_people!(sqlx::query_scalar(COUNT_PEOPLE), binds)
            .fetch_one(pool)
            .await?))
    }

    /// One person, if the reader may see them. A person outside the reader's visibility is
    /// reported exactly like one that does not exist.
    /// A person's 法制审核资格 as recorded: the certificate number (empty if none) and the day
    /// of their first legal review, if recorded.
    pub async fn legal_qualification(
        &self,
        id: &str,
    ) -> Result<Option<(String, Option<NaiveDate>)>, sqlx::Error> {
        let row: Option<(String, Option<String>)> = on_pool!(self, |pool| {
            sqlx::query_as("SELECT legal_qualification, legal_review_since FROM people WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        row.map(|(certificate, since)| {
            Ok((certificate, since.as_deref().map(super::parse_date).transpose()?))
        })
        .transpose()
    }

    pub async fn person(&self, visibility: &Visibility, id: &str) -> Result<Option<Person>, sqlx::Error> {
        const SQL: &str = "WITH RECURSIVE visible(id) AS ( \
                        SELECT id FROM units WHERE id = $2 \
                        UNION ALL SELECT u.id FROM units u JOIN visible v ON u.parent_id = v.id WHERE $1 = 'subtree') \
                     SELECT p.id, p.name, p.gender, p.unit_id, un.name AS unit_name, p.position, p.phone, \
                     p.employment, p.agency_leader, p.active, c.number AS certificate_number, c.valid_from AS certificate_valid_from, \
                     c.valid_to AS certificate_valid_to, c.status AS certificate_status, \
                     p.version, p.created_at, p.updated_at \
                     FROM people p JOIN units un ON un.id = p.unit_id \
                     LEFT JOIN certificates c ON c.person_id = p.id \
                       AND c.valid_to = (SELECT MAX(c2.valid_to) FROM certificates c2 WHERE c2.person_id = p.id) \
                     WHERE p.id = $4 \
                     AND ($1 = 'all' OR ($1 IN ('unit', 'subtree') AND p.unit_id IN (SELECT id FROM visible)) \
                          OR ($1 = 'person' AND p.id = $3)) \
                     LIMIT 1";
        let row: Option<PersonRow> = self.visible_by_id(SQL, visibility, id).await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(Person {
            summary: self.opened(|ring| row.summary.clone().open(ring))?,
            version: row.version,
            created_at: parse_ts(&row.created_at)?,
            updated_at: parse_ts(&row.updated_at)?,
        }))
    }

    pub async fn certificates(&self, person_id: &str) -> Result<Vec<Certificate>, sqlx::Error> {
        let rows: Vec<CertificateRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, person_id, number, kind, issuer, valid_from, valid_to, status, version FROM certificates \
                 WHERE person_id = $1 ORDER BY valid_to DESC",
            )
            .bind(person_id)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(Certificate::try_from).collect()
    }

    /// Valid certificates of visible people that expire on or before `until`, soonest first.
    pub async fn expiring_certificates(
        &self,
        visibility: &Visibility,
        today: NaiveDate,
        until: NaiveDate,
    ) -> Result<Vec<(PersonSummary, Certificate)>, sqlx::Error> {
        let filter =
            PeopleFilter { certificate: "expiring".into(), page: 1, page_size: 500, ..Default::default() };
        let mut page = self.people(visibility, &filter, today).await?;
        page.rows.retain(|p| p.certificate_valid_to.is_some_and(|to| to <= until));
        page.rows.sort_by_key(|p| p.certificate_valid_to);
        let mut out = Vec::new();
        for person in page.rows {
            if let Some(cert) = self.certificates(&person.id).await?.into_iter().next() {
                out.push((person, cert));
            }
        }
        Ok(out)
    }

    /// The leadership group (领导小组): person id, name, unit name, group role code, duty.
    pub async fn leadership(&self) -> Result<Vec<(String, String, String, String, String)>, sqlx::Error> {
        on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT p.id, p.name, u.name, m.group_role, m.duty FROM leadership_members m \
                 JOIN people p ON p.id = m.person_id JOIN units u ON u.id = p.unit_id \
                 ORDER BY m.sort_order, p.name",
            )
            .fetch_all(pool)
            .await
        })
    }

    /// Head counts per unit: (unit id, officers, auxiliaries).
    pub async fn unit_head_counts(&self) -> Result<Vec<(String, i64, i64)>, sqlx::Error> {
        on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT unit_id, \
                 SUM(CASE WHEN employment = 'officer' THEN 1 ELSE 0 END), \
                 SUM(CASE WHEN employment = 'auxiliary' THEN 1 ELSE 0 END) \
                 FROM people WHERE active = TRUE GROUP BY unit_id",
            )
            .fetch_all(pool)
            .await
        })
    }
}

impl AuditedTx {
    pub async fn insert_unit(
        &mut self,
        parent_id: Option<&str>,
        kind: UnitKind,
        name: &str,
        code: &str,
        sort_order: i64,
    ) -> Result<String, StoreError> {
        let id = new_id(self.now());
        let now = ts(self.now());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO units (id, parent_id, kind, name, code, sort_order, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
            )
            .bind(&id)
            .bind(parent_id)
            .bind(kind.code())
            .bind(name)
            .bind(code)
            .bind(sort_order)
            .bind(&now)
            .execute(conn)
            .await
            .map_err(|e| on_unique(e, "code"))?;
        });
        self.audit(
            AuditEvent::new("unit.create", "unit", &id)
                .details(serde_json::json!({ "name": name, "kind": kind.code(), "code": code })),
        )
        .await?;
        Ok(id)
    }

    pub async fn insert_person(&mut self, draft: &PersonDraft) -> Result<String, StoreError> {
        let id = new_id(self.now());
        let now = ts(self.now());
        let joined_on = crate::domain::time::civil_date(self.now()).to_string();
        let ring = self.personal_ring()?;
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO people (id, name, gender, unit_id, position, phone, employment, agency_leader, \
                 joined_on, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $10, $9, $9)",
            )
            .bind(&id)
            .bind(&draft.name)
            .bind(draft.gender.code())
            .bind(&draft.unit_id)
            .bind(&draft.position)
            .bind(draft.phone.as_ref().map(|p| personal::seal(&ring, Field::PersonPhone, &id, p.as_str())))
            .bind(draft.employment.code())
            .bind(draft.agency_leader)
            .bind(&now)
            // In service from the day registered (the office corrects it when it differs):
            // training compliance exempts a first, partial month.
            .bind(&joined_on)
            .execute(conn)
            .await?;
        });
        // Names and phones are personal data: the audit record names the person by id only.
        self.audit(
            AuditEvent::new("person.create", "person", &id).details(
                serde_json::json!({ "unit_id": draft.unit_id, "employment": draft.employment.code(),
                    "agency_leader": draft.agency_leader }),
            ),
        )
        .await?;
        Ok(id)
    }

    /// Why a versioned update of a person changed nothing: the version was stale, or there is
    /// no such person.
    async fn person_not_updated(&mut self, id: &str) -> Result<StoreError, sqlx::Error> {
        let exists: Option<i64> = on_tx!(&mut self.tx, |conn| {
            sqlx::query_scalar("SELECT version FROM people WHERE id = $1")
                .bind(id)
                .fetch_optional(conn)
                .await?
        });
        Ok(if exists.is_some() { StoreError::Conflict } else { StoreError::NotFound })
    }

    /// Records a person's 法制审核资格 (Art. 58 ¶2) if `version` is still current.
    pub async fn set_legal_qualification(
        &mut self,
        id: &str,
        version: i64,
        qualification: &crate::domain::org::LegalQualification,
    ) -> Result<i64, StoreError> {
        let now = ts(self.now());
        let updated = on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "UPDATE people SET legal_qualification = $1, legal_review_since = $2, version = version + 1, \
                 updated_at = $3 WHERE id = $4 AND version = $5",
            )
            .bind(&qualification.certificate)
            .bind(qualification.since.to_string())
            .bind(&now)
            .bind(id)
            .bind(version)
            .execute(conn)
            .await?
            .rows_affected()
        });
        if updated == 0 {
            return Err(self.person_not_updated(id).await?);
        }
        let qualified = crate::domain::org::qualified_for_legal_review(
            &qualification.certificate,
            Some(qualification.since),
        );
        self.audit(AuditEvent::new("person.legal_qualification", "person", id).details(serde_json::json!({
            "version": version + 1,
            "certificate_recorded": !qualification.certificate.is_empty(),
            "since": qualification.since.to_string(),
            "qualified": qualified,
        })))
        .await?;
        Ok(version + 1)
    }

    /// Updates a person if `version` is still current; otherwise nothing changes.
    pub async fn update_person(
        &mut self,
        id: &str,
        version: i64,
        draft: &PersonDraft,
    ) -> Result<i64, StoreError> {
        let now = ts(self.now());
        let ring = self.personal_ring()?;
        let updated = on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "UPDATE people SET name = $1, gender = $2, unit_id = $3, position = $4, phone = $5, \
                 employment = $6, agency_leader = $7, version = version + 1, updated_at = $8 \
                 WHERE id = $9 AND version = $10",
            )
            .bind(&draft.name)
            .bind(draft.gender.code())
            .bind(&draft.unit_id)
            .bind(&draft.position)
            .bind(draft.phone.as_ref().map(|p| personal::seal(&ring, Field::PersonPhone, id, p.as_str())))
            .bind(draft.employment.code())
            .bind(draft.agency_leader)
            .bind(&now)
            .bind(id)
            .bind(version)
            .execute(conn)
            .await?
            .rows_affected()
        });
        if updated == 0 {
            return Err(self.person_not_updated(id).await?);
        }
        self.audit(
            AuditEvent::new("person.update", "person", id)
                .details(serde_json::json!({ "version": version + 1, "unit_id": draft.unit_id,
                    "agency_leader": draft.agency_leader })),
        )
        .await?;
        Ok(version + 1)
    }

    pub async fn insert_certificate(
        &mut self,
        person_id: &str,
        draft: &CertificateDraft,
    ) -> Result<String, StoreError> {
        let id = new_id(self.now());
        let now = ts(self.now());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO certificates (id, person_id, number, kind, issuer, valid_from, valid_to, status, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
            )
            .bind(&id)
            .bind(person_id)
            .bind(&draft.number)
            .bind(&draft.kind)
            .bind(&draft.issuer)
            .bind(draft.valid_from.to_string())
            .bind(draft.valid_to.to_string())
            .bind(draft.status.code())
            .bind(&now)
            .execute(conn)
            .await
            .map_err(|e| on_unique(e, "number"))?;
        });
        self.audit(AuditEvent::new("certificate.create", "certificate", &id).details(serde_json::json!({
            "person_id": person_id, "number": draft.number, "valid_to": draft.valid_to.to_string(),
            "status": draft.status.code()
        })))
        .await?;
        Ok(id)
    }

    /// Changes a certificate's recorded status (暂扣, 吊销, or valid again) if `version` is
    /// current.
    pub async fn set_certificate_status(
        &mut self,
        person_id: &str,
        certificate_id: &str,
        status: CertificateStatus,
        version: i64,
    ) -> Result<i64, StoreError> {
        let now = ts(self.now());
        let changed = on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "UPDATE certificates SET status = $1, version = version + 1, updated_at = $2 \
                 WHERE id = $3 AND person_id = $4 AND version = $5",
            )
            .bind(status.code())
            .bind(&now)
            .bind(certificate_id)
            .bind(person_id)
            .bind(version)
            .execute(conn)
            .await?
            .rows_affected()
        });
        if changed == 0 {
            let exists: Option<i64> = on_tx!(&mut self.tx, |conn| {
                sqlx::query_scalar("SELECT version FROM certificates WHERE id = $1 AND person_id = $2")
                    .bind(certificate_id)
                    .bind(person_id)
                    .fetch_optional(conn)
                    .await?
            });
            return Err(if exists.is_some() { StoreError::Conflict } else { StoreError::NotFound });
        }
        self.audit(AuditEvent::new("certificate.set_status", "certificate", certificate_id).details(
            serde_json::json!({ "person_id": person_id, "status": status.code(), "version": version + 1 }),
        ))
        .await?;
        Ok(version + 1)
    }

    pub async fn set_leadership_member(
        &mut self,
        person_id: &str,
        group_role: &str,
        duty: &str,
        sort_order: i64,
    ) -> Result<(), StoreError> {
        let now = ts(self.now());
        on_tx!(&mut self.tx, |conn| {
            sqlx::query(
                "INSERT INTO leadership_members (person_id, group_role, duty, sort_order, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(person_id)
            .bind(group_role)
            .bind(duty)
            .bind(sort_order)
            .bind(&now)
            .execute(conn)
            .await
            .map_err(|e| on_unique(e, "person_id"))?;
        });
        self.audit(
            AuditEvent::new("leadership.add", "person", person_id)
                .details(serde_json::json!({ "group_role": group_role })),
        )
        .await?;
        Ok(())
    }
}

/// Drops `%` and `_` from a name search, so that typing them cannot widen the match. Escaping
/// them would need an `ESCAPE` clause; neither character occurs in Chinese names.
fn strip_like_wildcards(text: &str) -> String {
    text.replace(['%', '_'], "")
}
