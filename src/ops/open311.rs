//! Open311 GeoReport v2 (issue 17, scope 6): citizen apps list the public classes, post service
//! requests with their key, and follow requests. A posted request is a matter like any other
//! (`intake::file_matter` with the public's `Filer`); what is answered about a matter is its
//! state and the notes the centre wrote for the public — never a reporter, a party or a phone
//! (long numbers in the text are masked by `report::public_text`).
//!
//! Keys are issued and revoked by the operator (`chengguan open311 key create --client NAME`),
//! stored as SHA-256 hashes, audited.

use chrono::{DateTime, Duration, Utc};

use crate::app::AppState;
use crate::auth::{new_token, token_hash};
use crate::domain::intake::report::public_text;
use crate::domain::intake::{Category, ReportInput, Source, Status};
use crate::domain::time::beijing;
use crate::ops::Error;
use crate::ops::intake::{Filer, file_matter};
use crate::store::intake::{PublicFilter, PublicMatter};
use crate::store::{AuditCtx, Db, new_id};

/// GeoReport v2: a request list covers 90 days at most, by default the last 90.
pub const MAX_WINDOW_DAYS: i64 = 90;
/// GeoReport v2: at most 1,000 requests in one answer.
pub const MAX_RESULTS: i64 = 1000;

/// An Open311 error: the HTTP status it goes with and a description (GeoReport v2's error
/// format, a list of `code`/`description`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Open311Error {
    pub status: u16,
    pub description: String,
}

impl Open311Error {
    fn new(status: u16, description: impl Into<String>) -> Open311Error {
        Open311Error { status, description: description.into() }
    }
}

/// The errors of an operation in Open311's terms: a bad field is a 400 naming the field (the
/// spec's own names: `service_code`, `lat`, `address_string`, …), a bad key 403.
pub fn open311_errors(error: Error) -> Vec<Open311Error> {
    match error {
        Error::Invalid(fields) => fields
            .iter()
            .map(|f| {
                let field = match f.field {
                    "category" => "service_code",
                    "address" => "address_string",
                    "reporter_phone" => "phone",
                    "reporter_name" => "last_name",
                    other => other,
                };
                Open311Error::new(400, format!("{field}: {}", f.message))
            })
            .collect(),
        Error::Forbidden | Error::Unauthenticated => {
            vec![Open311Error::new(403, "api_key: 密钥无效或已吊销")]
        }
        Error::NotFound => vec![Open311Error::new(404, "未找到")],
        Error::RateLimited => vec![Open311Error::new(429, "提交过于频繁，请稍后再试")],
        other => vec![Open311Error::new(
            if matches!(other, Error::Unavailable(_)) { 503 } else { 500 },
            other.message_zh(),
        )],
    }
}

/// A client's name: 2–40 letters, digits, dots, dashes or underscores.
fn client_name(raw: &str) -> Result<String, Error> {
    let name = raw.trim();
    let ok = (2..=40).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    if ok {
        Ok(name.to_owned())
    } else {
        Err(Error::Invalid(crate::domain::fields::FieldErrors::single(
            "client",
            "client_invalid",
            "客户端名称为 2–40 位字母、数字、点、短横线或下划线",
        )))
    }
}

/// Issues a key to a new client; answers the key, which is stored only as its hash.
pub async fn create_key(db: &Db, ctx: &AuditCtx, now: DateTime<Utc>, client: &str) -> Result<String, Error> {
    let name = client_name(client)?;
    let key = new_token();
    let mut tx = db.begin(ctx, now).await?;
    tx.insert_open311_client(&new_id(now), &name, &token_hash(&key)).await?;
    tx.commit().await?;
    Ok(key)
}

/// Registers a client with a key chosen by the caller (the demo's published key).
pub async fn register_key(
    db: &Db,
    ctx: &AuditCtx,
    now: DateTime<Utc>,
    client: &str,
    key: &str,
) -> Result<(), Error> {
    let name = client_name(client)?;
    let mut tx = db.begin(ctx, now).await?;
    tx.insert_open311_client(&new_id(now), &name, &token_hash(key)).await?;
    tx.commit().await?;
    Ok(())
}

/// Revokes a client's key: its posts are refused from then on.
pub async fn revoke_key(db: &Db, ctx: &AuditCtx, now: DateTime<Utc>, client: &str) -> Result<(), Error> {
    let mut tx = db.begin(ctx, now).await?;
    tx.revoke_open311_client(client.trim()).await?;
    tx.commit().await?;
    Ok(())
}

/// A service request as posted (`application/x-www-form-urlencoded`, the spec's field names).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct PostedRequest {
    pub api_key: String,
    pub service_code: String,
    pub lat: String,
    pub long: String,
    pub address_string: String,
    pub description: String,
    pub media_url: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
}

/// What a post answers: the request's id and what will happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    pub service_request_id: String,
    pub service_notice: String,
}

/// Files a posted request as a matter, for the client the key belongs to; a client over its
/// limit, or an address over the public's, is refused before anything is read.
pub async fn post_request(
    state: &AppState,
    address: std::net::IpAddr,
    request_id: &str,
    posted: &PostedRequest,
) -> Result<Posted, Error> {
    let now = state.now();
    if !state.public_limiter.allow(address, now) {
        return Err(Error::RateLimited);
    }
    let client = match posted.api_key.trim() {
        "" => None,
        key => state.db.open311_client_by_key_hash(&token_hash(key)).await?,
    };
    let Some(client) = client else { return Err(Error::Forbidden) };
    if !state.open311_limiter.allow(client.name.clone(), now) {
        return Err(Error::RateLimited);
    }
    let input = ReportInput {
        category: posted.service_code.clone(),
        urgency: String::new(),
        description: posted.description.clone(),
        address: posted.address_string.clone(),
        lat: posted.lat.clone(),
        long: posted.long.clone(),
        reporter_name: format!("{}{}", posted.last_name.trim(), posted.first_name.trim()),
        reporter_phone: posted.phone.clone(),
        media_url: posted.media_url.clone(),
    };
    let address = address.to_string();
    let filer =
        Filer::Public { source: Source::Open311, client: &client.name, address: &address, request_id };
    let matter = file_matter(state, filer, &input).await?;
    let class = state.db.matter_categories().await?.into_iter().find(|c| c.code == matter.category);
    Ok(Posted { service_request_id: matter.number, service_notice: notice(class.as_ref()) })
}

/// What the bureau promises for a class: acceptance within the working hour, handling within
/// the class's limit.
pub fn notice(class: Option<&Category>) -> String {
    match class {
        Some(c) => format!(
            "受理中心将在1个工作时内受理，{}类问题一般在{}内处置完毕",
            c.name,
            c.handle_normal.label_zh()
        ),
        None => "受理中心将在1个工作时内受理".to_owned(),
    }
}

/// `GET requests` as asked: ids, a class, a window, open or closed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct RequestsQuery {
    pub service_request_id: String,
    pub service_code: String,
    /// Absent: the default window; present, it must be a W3C date-time (empty is not one).
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    /// Absent: both; present, `open` or `closed`.
    pub status: Option<String>,
}

fn w3c(raw: &str, field: &str) -> Result<DateTime<Utc>, Open311Error> {
    DateTime::parse_from_rfc3339(raw).map(|t| t.with_timezone(&Utc)).map_err(|_| {
        Open311Error::new(400, format!("{field}: 须为 W3C 日期时间，如 2026-11-01T00:00:00+08:00"))
    })
}

impl RequestsQuery {
    /// The window and filters, by the spec's defaults: the last 90 days; a window no longer
    /// than 90 days.
    pub fn filter(&self, now: DateTime<Utc>) -> Result<PublicFilter, Open311Error> {
        let to = match self.end_date.as_deref() {
            None => now + Duration::seconds(1),
            Some(raw) => w3c(raw, "end_date")?,
        };
        let from = match self.start_date.as_deref() {
            None => to - Duration::days(MAX_WINDOW_DAYS),
            Some(raw) => w3c(raw, "start_date")?,
        };
        if from > to {
            return Err(Open311Error::new(400, "start_date: 不能晚于 end_date"));
        }
        if to - from > Duration::days(MAX_WINDOW_DAYS) {
            return Err(Open311Error::new(400, "start_date: 查询时段不能超过 90 天"));
        }
        let closed = match self.status.as_deref() {
            None => None,
            Some("open") => Some(false),
            Some("closed") => Some(true),
            Some(_) => return Err(Open311Error::new(400, "status: 取值为 open 或 closed")),
        };
        Ok(PublicFilter {
            service_code: Some(self.service_code.trim().to_owned()).filter(|c| !c.is_empty()),
            from,
            to,
            closed,
            limit: MAX_RESULTS,
        })
    }

    /// The ids asked for, if any (comma-separated; at most the result cap).
    pub fn ids(&self) -> Vec<String> {
        self.service_request_id
            .split(',')
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .take(MAX_RESULTS as usize)
            .map(str::to_owned)
            .collect()
    }
}

/// A service request as GeoReport v2 describes it (every field of the spec's list; `address_id`
/// and `zipcode` the bureau does not keep).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ServiceRequest {
    pub service_request_id: String,
    pub status: &'static str,
    pub status_notes: String,
    pub service_name: String,
    pub service_code: String,
    pub description: String,
    pub agency_responsible: String,
    pub service_notice: Option<String>,
    pub requested_datetime: String,
    pub updated_datetime: String,
    pub expected_datetime: Option<String>,
    pub address: String,
    pub address_id: Option<String>,
    pub zipcode: Option<String>,
    pub lat: Option<f64>,
    pub long: Option<f64>,
    pub media_url: Option<String>,
}

fn w3c_out(t: DateTime<Utc>) -> String {
    t.with_timezone(&beijing()).format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// The public view of a matter: `open` or `closed`, and the note the public may read.
pub fn service_request(p: &PublicMatter) -> ServiceRequest {
    let m = &p.matter;
    let status_notes = match m.status {
        Status::Merged => "与同一问题的其他反映合并办理".to_owned(),
        Status::Rejected | Status::Closed => public_text(&m.public_note),
        other => other.name_zh().to_owned(),
    };
    ServiceRequest {
        service_request_id: m.number.clone(),
        status: if m.status.is_final() { "closed" } else { "open" },
        status_notes,
        service_name: p.service_name.clone(),
        service_code: m.category.clone(),
        description: public_text(&m.description),
        agency_responsible: p.unit_name.clone().unwrap_or_else(|| "受理中心".to_owned()),
        service_notice: None,
        requested_datetime: w3c_out(m.reported_at),
        updated_datetime: w3c_out(p.updated_at),
        expected_datetime: m.close_due_at.filter(|_| !m.status.is_final()).map(w3c_out),
        address: public_text(&m.address),
        address_id: None,
        zipcode: None,
        lat: m.point.map(|p| p.lat),
        long: m.point.map(|p| p.long),
        media_url: m.media_url.clone(),
    }
}

/// `GET requests`: by ids when given (the window then does not apply, though its parameters must
/// still be well-formed), else by the filter.
pub async fn requests(
    state: &AppState,
    query: &RequestsQuery,
) -> Result<Vec<ServiceRequest>, Vec<Open311Error>> {
    // The filter is parsed even when ids make it moot: a malformed parameter is refused, never
    // silently ignored (the fuzzer's ST201: a bad `status` next to ids answered 200).
    let filter = query.filter(state.now()).map_err(|e| vec![e])?;
    let ids = query.ids();
    let found = if ids.is_empty() {
        state.db.public_matters(&filter).await.map_err(|e| open311_errors(e.into()))?
    } else {
        let mut found = Vec::new();
        for id in ids {
            if let Some(p) = state.db.public_matter(&id).await.map_err(|e| open311_errors(e.into()))? {
                found.push(p);
            }
        }
        found
    };
    Ok(found.iter().map(service_request).collect())
}

/// `GET requests/{id}`.
pub async fn request(state: &AppState, id: &str) -> Result<ServiceRequest, Vec<Open311Error>> {
    match state.db.public_matter(id).await.map_err(|e| open311_errors(e.into()))? {
        Some(p) => Ok(service_request(&p)),
        None => Err(vec![Open311Error::new(404, format!("service_request_id: {id} 不存在"))]),
    }
}

/// The classes the public may report, for `services` and the public form.
pub async fn public_classes(state: &AppState) -> Result<Vec<Category>, Error> {
    Ok(state.db.matter_categories().await?.into_iter().filter(|c| c.active && c.public).collect())
}
