//! What several screens share, so that no screen's module imports another's: the API's small
//! answers, the strict readers of `?month=` and `?year=`, the Excel download, the unit tree.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::domain::fields::FieldErrors;
use crate::domain::time::civil_date;
use crate::domain::training::Month;
use crate::store::org::Unit;
use crate::web::error::AppError;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedDto {
    pub id: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VersionDto {
    pub version: i64,
}

/// A workbook as a download named `name` (with `ascii` for clients that cannot read an
/// encoded file name).
pub fn xlsx_response(bytes: Vec<u8>, ascii: &str, name: &str) -> axum::response::Response {
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", percent_encode(name));
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Orders units depth-first from the roots, so the tree prints top-down.
pub fn tree_order(units: Vec<Unit>) -> Vec<(Unit, usize)> {
    fn walk(parent: Option<&str>, depth: usize, units: &[Unit], out: &mut Vec<(Unit, usize)>) {
        for unit in units.iter().filter(|u| u.parent_id.as_deref() == parent) {
            out.push((unit.clone(), depth));
            walk(Some(&unit.id), depth + 1, units, out);
        }
    }
    let mut out = Vec::new();
    walk(None, 0, &units, &mut out);
    out
}

/// `?month=YYYY-MM` (empty: this month) and, for compliance, `&unit=ID`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct MonthQuery {
    /// `YYYY-MM`; empty: this month.
    #[param(pattern = r"^(20[0-9]{2}-(0[1-9]|1[0-2]))?$")]
    pub month: String,
    /// Compliance: only this unit and the units below it. Sessions: those this unit holds or
    /// that are held for it by a unit above.
    pub unit: String,
}

/// A moment in Beijing time to the minute, as sessions are planned.
pub fn minutes(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&crate::domain::time::beijing()).format("%Y-%m-%d %H:%M").to_string()
}

pub fn month_of(state: &AppState, raw: &str) -> Result<Month, AppError> {
    if raw.is_empty() {
        return Ok(Month::of(civil_date(state.now())));
    }
    // Exactly `YYYY-MM`, as the document's pattern says: no blanks around it either.
    Month::parse(raw)
        .filter(|_| raw.trim() == raw)
        .ok_or_else(|| AppError::Invalid(FieldErrors::single("month", "month_invalid", "月份格式为 YYYY-MM")))
}

/// `?year=YYYY` (empty: this year): exactly four digits, from 2000 to 2100.
pub fn year_of(state: &AppState, raw: &str) -> Result<i32, AppError> {
    if raw.is_empty() {
        return Ok(chrono::Datelike::year(&civil_date(state.now())));
    }
    Some(raw)
        .filter(|r| r.len() == 4 && r.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|r| r.parse::<i32>().ok())
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| AppError::Invalid(FieldErrors::single("year", "year_invalid", "年份格式为 YYYY")))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseRulesDto {
    pub version: i64,
    #[schema(value_type = Object)]
    pub rules: serde_json::Value,
}

/// A list's `?page=` (empty: the first), 1–9999.
pub fn page_of(raw: &str) -> Result<i64, AppError> {
    match raw.trim() {
        "" => Ok(1),
        raw => {
            raw.parse::<i64>().ok().filter(|p| (1..=9999).contains(p)).ok_or_else(|| {
                AppError::Invalid(FieldErrors::single("page", "invalid_value", "页码为 1–9999"))
            })
        }
    }
}

/// `?year=YYYY` (empty: this year).
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct YearQuery {
    /// `YYYY`; empty: this year.
    #[param(pattern = r"^(20[0-9]{2})?$")]
    pub year: String,
}

/// The id of what was recorded.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RecordedDto {
    pub id: String,
}

/// Percent-encodes `value` for a query string (everything but the unreserved characters of
/// RFC 3986), for links that carry what the user typed.
pub fn query_encoded(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The version a form carried back (a hidden field). One that does not parse reads as -1,
/// which no record has, so the write is refused as stale rather than applied to the latest.
pub fn form_version(raw: &str) -> i64 {
    raw.trim().parse::<i64>().unwrap_or(-1)
}

/// The dispatched squads the principal may act for with `action`, for a form's unit list (the
/// operation checks the same with `ops::people::squad_in_scope`).
pub async fn squads_for(
    state: &crate::app::AppState,
    principal: &crate::web::guard::Principal,
    action: crate::domain::access::Action,
) -> Result<Vec<crate::store::org::Unit>, crate::web::error::AppError> {
    let all = state.db.units().await?;
    let visibility = principal.visibility(action);
    let squad = crate::domain::org::UnitKind::Squad;
    Ok(all
        .iter()
        .filter(|u| u.kind == squad && crate::ops::people::unit_visible(&all, &visibility, &u.id))
        .cloned()
        .collect())
}

/// A file posted as multipart (`file`, with a short `title`): the bytes sniffed and hashed into
/// the blob store's staging area as they arrive, as evidence is.
pub struct Upload {
    pub title: String,
    pub file_name: String,
    pub ingested: crate::blobs::Ingested,
}

/// Reads an upload of at most `max_bytes`: one file, and short text parts (the title, the CSRF
/// token) read up to their bound and no further.
pub async fn read_upload(
    state: &AppState,
    mut multipart: axum::extract::Multipart,
    max_bytes: u64,
) -> Result<Upload, AppError> {
    use crate::web::body::{MAX_TEXT_PART_BYTES, multipart_error};
    let mut title = String::new();
    let mut file_name = String::new();
    let mut received = None;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        match field.name().unwrap_or_default() {
            "file" if received.is_none() => {
                file_name = field.file_name().unwrap_or_default().chars().take(200).collect();
                let mut ingest = state.blobs.stage().await?;
                while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                    if ingest.size() + chunk.len() as u64 > max_bytes {
                        return Err(AppError::TooLarge);
                    }
                    ingest.push(chunk).await?;
                }
                received = Some(ingest.finish().await?);
            }
            "file" => return Err(FieldErrors::single("file", "one_file", "每次上传一个文件").into()),
            _ => {
                let name = field.name().unwrap_or_default().to_owned();
                let mut text = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                    if text.len() + chunk.len() > MAX_TEXT_PART_BYTES {
                        return Err(FieldErrors::single("title", "too_long", "名称过长").into());
                    }
                    text.extend_from_slice(&chunk);
                }
                if name == "title" {
                    title = String::from_utf8_lossy(&text).into_owned();
                }
            }
        }
    }
    let Some(ingested) = received else {
        return Err(FieldErrors::single("file", "file_required", "请选择要上传的文件").into());
    };
    Ok(Upload { title, file_name, ingested })
}

/// A stored file as a download named after its record id. As for evidence, no bytes leave whose
/// SHA-256 was not re-checked first: damaged bytes are refused with `damaged_code`.
pub async fn stored_file_response(
    state: &AppState,
    (id, sha256, size, media_type): (&str, &str, i64, &str),
    damaged_code: &'static str,
) -> Result<axum::response::Response, AppError> {
    let intact = crate::evidence::bytes_intact(&state.blobs, sha256, size).await?;
    if !intact {
        return Err(AppError::refused(
            damaged_code,
            "该文件的存储内容与登记的 SHA-256 不符，已拒绝下载，请联系系统管理员核查",
        ));
    }
    let stream = state.blobs.read(sha256, None).await?;
    let mut response = axum::body::Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size.max(0) as u64));
    let extension = media_type.rsplit('/').next().unwrap_or("bin");
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{id}.{extension}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// A file size for people: KB below a megabyte, MB with one decimal above.
pub fn human_size(bytes: i64) -> String {
    let kib = bytes.max(0) as f64 / 1024.0;
    if kib < 1024.0 { format!("{kib:.0} KB") } else { format!("{:.1} MB", kib / 1024.0) }
}

/// `?period=YYYY-MM|YYYY` (empty: the last month that has ended).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct PeriodQuery {
    /// `YYYY-MM` or `YYYY`; empty: the last month that has ended.
    #[param(pattern = r"^(20[0-9]{2}(-(0[1-9]|1[0-2]))?)?$")]
    pub period: String,
}

pub fn period_of(state: &AppState, raw: &str) -> Result<crate::domain::assessment::Period, AppError> {
    if raw.is_empty() {
        return Ok(crate::domain::assessment::Period::last_ended_month(civil_date(state.now())));
    }
    crate::domain::assessment::Period::parse(raw).filter(|_| raw.trim() == raw).ok_or_else(|| {
        AppError::Invalid(FieldErrors::single(
            "period",
            "period_invalid",
            "考核期格式为 YYYY-MM（月度）或 YYYY（年度）",
        ))
    })
}
