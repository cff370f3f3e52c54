//! Evidence (证据): upload, list, the item page with its custody timeline, playing, downloading,
//! export packages, and the retention actions (legal hold, deletion request and approval).
//!
//! An upload streams: the body is never held in memory, the route has its own size limit, the
//! type is checked from the first bytes, and the item is recorded only after its bytes are in
//! the store under their SHA-256. Every view, play, download and export is a custody record.

use std::collections::HashMap;

use axum::Json;
use axum::body::Body;
use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::evidence::{CustodyEvent, DELETION_RECOVERY_DAYS, EvidenceKind, Retention, retention};
use crate::domain::fields::FieldErrors;
use crate::ops::evidence::{
    self as ops, ApprovalBody, MAX_TEXT_CHARS, RetentionBody, ShareBody, UploadMeta, Uploaded, retention_of,
};
use crate::store::evidence::{CustodyRecord, EvidenceFilter, EvidenceItem};
use crate::store::org::Visibility;
use crate::web::body::JsonObject;
use crate::web::body::{MAX_TEXT_PART_BYTES, multipart_error};
use crate::web::error::{ApiResult, AppError, PageResult};
use crate::web::guard::{Caller, Principal, RequestInfo};
use crate::web::pages::{Chrome, Lang, render};

/// How many parts besides the file an upload form may have (it names thirteen).
pub const MAX_TEXT_PARTS: usize = 32;

/// Reads a multipart upload, stores the bytes and records the item. Nothing is recorded unless
/// every check passed; a refused or broken upload leaves no staging file behind.
pub async fn ingest(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    mut multipart: Multipart,
) -> Result<Uploaded, AppError> {
    let mut fields = HashMap::new();
    let mut received = None;
    let mut original_name = String::new();
    let mut other_parts = 0;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            if received.is_some() {
                return Err(FieldErrors::single("file", "one_file", "每次上传一个文件").into());
            }
            original_name = field.file_name().unwrap_or_default().chars().take(200).collect();
            let mut ingest = state.blobs.stage().await.map_err(AppError::from)?;
            while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                if ingest.size() + chunk.len() as u64 > state.config.evidence_max_bytes {
                    return Err(AppError::TooLarge);
                }
                ingest.push(chunk).await.map_err(AppError::from)?;
            }
            received = Some(ingest.finish().await.map_err(AppError::from)?);
        } else {
            // Every other part is a short text: read it a chunk at a time and stop at the
            // bound, so that a huge "description" is refused after a few KiB instead of being
            // held in memory whole (the route's body limit is the evidence limit, GiBs).
            other_parts += 1;
            if other_parts > MAX_TEXT_PARTS {
                return Err(FieldErrors::single(
                    "fields",
                    "too_many_fields",
                    format!("上传表单的字段过多（不超过 {MAX_TEXT_PARTS} 个）"),
                )
                .into());
            }
            let mut text = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                if text.len() + chunk.len() > MAX_TEXT_PART_BYTES {
                    let field_name: &'static str =
                        UploadMeta::FIELDS.iter().find(|f| **f == name).unwrap_or(&"fields");
                    return Err(FieldErrors::single(
                        field_name,
                        "too_long",
                        format!("该项内容过长（不超过 {} KB）", MAX_TEXT_PART_BYTES / 1024),
                    )
                    .into());
                }
                text.extend_from_slice(&chunk);
            }
            let Ok(text) = String::from_utf8(text) else {
                return Err(FieldErrors::single("fields", "not_utf8", "表单内容不是有效的 UTF-8 文本").into());
            };
            if !name.is_empty() && fields.insert(name.clone(), text).is_some() {
                // One value per field: a repeated part is a malformed form, not a list to pick
                // from (which one would be the record's?).
                let field_name: &'static str =
                    UploadMeta::FIELDS.iter().find(|f| **f == name).unwrap_or(&"fields");
                return Err(FieldErrors::single(field_name, "field_repeated", "同一项只能填写一次").into());
            }
        }
    }
    let Some(ingested) = received else {
        return Err(FieldErrors::single("file", "required", "请选择要上传的文件").into());
    };
    if ingested.size == 0 {
        return Err(FieldErrors::single("file", "empty", "文件是空的").into());
    }
    let meta = UploadMeta::parse(&fields)?;
    crate::ops::evidence::record_upload(state, &principal.actor(info), meta, ingested, &original_name).await
}

#[utoipa::path(post, path = "/api/v1/evidence", tag = "evidence",
    request_body(content_type = "multipart/form-data", content = crate::web::schema::UploadForm),
    responses((status = 201, body = Uploaded), (status = 413, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody, description = "`unsupported_type`, `executable_refused`, `digest_mismatch`, or invalid fields"),
        (status = 507, body = crate::web::error::ErrorBody, description = "the evidence storage is full")))]
pub async fn api_upload(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<Uploaded>)> {
    Ok((StatusCode::CREATED, Json(ingest(&state, &principal, &info, multipart).await?)))
}

/// The upload form's target: the same, then the item's page.
pub async fn upload_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    multipart: Multipart,
) -> PageResult {
    // The page's script asks for JSON to show progress and errors in place.
    let wants_json =
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("json"));
    match ingest(&state, &principal, &info, multipart).await {
        Ok(uploaded) if wants_json => Ok((StatusCode::CREATED, Json(uploaded)).into_response()),
        // A photo of a matter's handling goes back to the matter, where the squad reports.
        Ok(Uploaded { matter_id: Some(matter), .. }) => {
            Ok(Redirect::to(&format!("/matters/{matter}#photos")).into_response())
        }
        Ok(uploaded) => Ok(Redirect::to(&format!("/evidence/{}", uploaded.id)).into_response()),
        Err(error) if wants_json => Ok(crate::web::error::ApiError(error).into_response()),
        Err(error) => Err(error.into()),
    }
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct ListQuery {
    pub case_id: String,
    pub patrol_id: String,
    pub kind: String,
    pub page: String,
    pub deleted: String,
}

const PAGE_SIZE: i64 = 30;

async fn list_items(
    state: &AppState,
    principal: &Principal,
    query: &ListQuery,
) -> Result<Vec<EvidenceItem>, AppError> {
    let page = crate::web::pages::page_number(&query.page);
    let filter = EvidenceFilter {
        case_id: query.case_id.clone(),
        patrol_id: query.patrol_id.clone(),
        kind: query.kind.clone(),
        include_deleted: query.deleted == "1",
        deletion_requested: false,
        matter_id: String::new(),
    };
    Ok(state
        .db
        .evidence_items(
            &principal.visibility(Action::EvidenceView),
            &filter,
            PAGE_SIZE,
            (page - 1) * PAGE_SIZE,
        )
        .await?)
}

#[utoipa::path(get, path = "/api/v1/evidence", tag = "evidence", params(ListQuery),
    responses((status = 200, body = Vec<EvidenceItem>)))]
pub async fn api_list(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    Query(query): Query<ListQuery>,
) -> ApiResult<Json<Vec<EvidenceItem>>> {
    Ok(Json(list_items(&state, &principal, &query).await?))
}

/// An item with what the reader needs to act on it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ItemDto {
    pub item: EvidenceItem,
    /// `until` (with the day), `permanent` or `hold`.
    #[schema(value_type = Object)]
    pub retention: Retention,
    pub custody: Vec<CustodyRecord>,
    /// Other units it is shared with.
    pub shares: Vec<crate::store::evidence::Share>,
}

/// Finds a visible item and records that it was looked at.
async fn view(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    id: &str,
) -> Result<ItemDto, AppError> {
    let item = state
        .db
        .evidence_item(&principal.visibility(Action::EvidenceView), id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.db.begin(&info.audit_ctx(Some(principal), ""), state.now()).await?;
    tx.custody(&item.id, &item.sha256, CustodyEvent::Viewed, &info.source, serde_json::json!({})).await?;
    tx.commit().await?;
    let custody = state.db.custody_records(&item.id).await?;
    let shares = state.db.evidence_shares(&item.id).await?;
    Ok(ItemDto { retention: retention(retention_of(&item)), item, custody, shares })
}

#[utoipa::path(get, path = "/api/v1/evidence/{id}", tag = "evidence", params(("id" = String, Path)),
    responses((status = 200, body = ItemDto), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_get(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ItemDto>> {
    Ok(Json(view(&state, &principal, &info, &id).await?))
}

/// Serves the original as an attachment after re-checking its digest.
async fn download(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    id: &str,
) -> Result<Response, AppError> {
    let item = state
        .db
        .evidence_item(&principal.visibility(Action::EvidenceExport), id)
        .await?
        .ok_or(AppError::NotFound)?;
    if item.deleted_at.is_some() {
        return Err(AppError::refused("evidence_deleted", "该证据已删除，恢复后才能下载"));
    }
    intact_or_refuse(state, principal, info, &item).await?;
    let stream = state.blobs.read(&item.sha256, None).await.map_err(AppError::from)?;
    let mut tx = state.db.begin(&info.audit_ctx(Some(principal), ""), state.now()).await?;
    tx.custody(&item.id, &item.sha256, CustodyEvent::Downloaded, &info.source, serde_json::json!({})).await?;
    tx.commit().await?;
    let name = format!("{}.{}", item.id, item.media_type.extension());
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(item.size as u64));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
            .map_err(|e| AppError::Internal(e.into()))?,
    );
    headers.insert(
        "x-content-sha256",
        HeaderValue::from_str(&item.sha256).map_err(|e| AppError::Internal(e.into()))?,
    );
    headers
        .insert("x-content-sm3", HeaderValue::from_str(&item.sm3).map_err(|e| AppError::Internal(e.into()))?);
    Ok(response)
}

/// Re-reads the bytes; if they no longer match, records the failure and refuses.
async fn intact_or_refuse(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    item: &EvidenceItem,
) -> Result<(), AppError> {
    ops::intact_or_refuse(state, &principal.actor(info), item).await
}

#[utoipa::path(get, path = "/api/v1/evidence/{id}/content", tag = "evidence", params(("id" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream", description = "the original, as an attachment, after its SHA-256 was re-checked; `X-Content-SHA256` and `X-Content-SM3` carry the digests"),
        (status = 404, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody, description = "`evidence_altered`: the stored bytes no longer match")))]
pub async fn api_content(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    Ok(download(&state, &principal, &info, &id).await?)
}

pub async fn download_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
) -> PageResult {
    Ok(download(&state, &principal, &info, &id).await?)
}

/// Parses `Range: bytes=a-b` (one range; suffix ranges included) against the object's size.
fn parse_range(header: Option<&HeaderValue>, size: u64) -> Option<Result<std::ops::Range<u64>, ()>> {
    let text = header?.to_str().ok()?;
    let spec = text.strip_prefix("bytes=")?;
    if spec.contains(',') || size == 0 {
        return Some(Err(()));
    }
    let (start, end) = spec.split_once('-')?;
    let range = match (start.trim(), end.trim()) {
        ("", suffix) => {
            let n: u64 = suffix.parse().ok()?;
            size.saturating_sub(n)..size
        }
        (start, "") => start.parse().ok()?..size,
        (start, end) => {
            let (a, b): (u64, u64) = (start.parse().ok()?, end.parse().ok()?);
            a..(b + 1).min(size)
        }
    };
    Some(if range.start < range.end && range.start < size { Ok(range) } else { Err(()) })
}

/// Plays or shows an item in the browser (photos, video, audio), with Range requests. The first
/// request of a play (no range, or a range from byte 0) re-checks the digest and is recorded.
pub async fn stream_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> PageResult {
    let item = state
        .db
        .evidence_item(&principal.visibility(Action::EvidenceView), &id)
        .await?
        .ok_or(AppError::NotFound)?;
    if !item.media_type.inline_allowed() || item.deleted_at.is_some() {
        return Err(AppError::NotFound.into());
    }
    // A 协管员 films on patrol and plays the unit's patrol footage, but evidence in a case file
    // is for those who handle cases (行政处罚法 Art. 42: auxiliaries take no part in them).
    if item.case_id.is_some() && !principal.has(Action::CaseView) {
        return Err(AppError::Forbidden.into());
    }
    let size = item.size as u64;
    let range = match parse_range(headers.get(header::RANGE), size) {
        Some(Err(())) => {
            let mut response = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            response.headers_mut().insert(
                header::CONTENT_RANGE,
                HeaderValue::from_str(&format!("bytes */{size}")).expect("ascii"),
            );
            return Ok(response);
        }
        Some(Ok(range)) => Some(range),
        None => None,
    };
    // A play is this session's first request for the item, whatever range it asks for (a
    // player may start anywhere): the bytes are verified before the first one leaves and the
    // play is recorded. The seeks that follow within the session are the same play.
    let play = play_key(&principal, &item.id);
    if !state.plays.seen(&play) {
        intact_or_refuse(&state, &principal, &info, &item).await?;
        let mut tx = state.db.begin(&info.audit_ctx(Some(&principal), ""), state.now()).await?;
        let range_shown = range.as_ref().map(|r| format!("{}-{}", r.start, r.end - 1));
        tx.custody(
            &item.id,
            &item.sha256,
            CustodyEvent::Streamed,
            &info.source,
            serde_json::json!({ "range": range_shown }),
        )
        .await?;
        tx.commit().await?;
        state.plays.record(play);
    }
    let stream = state.blobs.read(&item.sha256, range.clone()).await.map_err(AppError::from)?;
    let mut response = Body::from_stream(stream).into_response();
    let out = response.headers_mut();
    out.insert(header::CONTENT_TYPE, HeaderValue::from_static(item.media_type.mime()));
    out.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    out.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("inline"));
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    match range {
        Some(range) => {
            out.insert(header::CONTENT_LENGTH, HeaderValue::from(range.end - range.start));
            out.insert(
                header::CONTENT_RANGE,
                HeaderValue::from_str(&format!("bytes {}-{}/{size}", range.start, range.end - 1))
                    .expect("ascii"),
            );
            *response.status_mut() = StatusCode::PARTIAL_CONTENT;
        }
        None => {
            out.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
        }
    }
    Ok(response)
}

/// Who plays, for the play log: a session (each browser tab session counts its own play), or
/// an API account.
fn play_key(principal: &Principal, item_id: &str) -> String {
    principal.view_key(item_id)
}

/// What to export: listed items, or every item of a case.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ExportBody {
    pub ids: Vec<String>,
    pub case_id: String,
    /// Why (a court's request, a 复议 review …); written in the manifest and the custody records.
    pub purpose: String,
}

async fn export(
    state: &AppState,
    principal: &Principal,
    info: &RequestInfo,
    body: &ExportBody,
) -> Result<Response, AppError> {
    let visibility = principal.visibility(Action::EvidenceExport);
    let mut items = Vec::new();
    if !body.case_id.is_empty() {
        let filter = EvidenceFilter { case_id: body.case_id.clone(), ..EvidenceFilter::default() };
        items = state.db.evidence_items(&visibility, &filter, 10_000, 0).await?;
    }
    for id in &body.ids {
        let item = state.db.evidence_item(&visibility, id).await?.ok_or(AppError::NotFound)?;
        if !items.iter().any(|i: &EvidenceItem| i.id == item.id) {
            items.push(item);
        }
    }
    items.retain(|i| i.deleted_at.is_none());
    if items.is_empty() {
        return Err(FieldErrors::single("ids", "nothing_to_export", "请选择要导出的证据").into());
    }
    if body.purpose.chars().count() > MAX_TEXT_CHARS {
        return Err(FieldErrors::single("purpose", "too_long", "用途说明过长").into());
    }
    let mut with_custody = Vec::new();
    for item in items {
        let custody = state.db.custody_records(&item.id).await?;
        with_custody.push((item, custody));
    }
    let bureau = crate::ops::documents::bureau_name(state).await?;
    let now = state.now();
    let generated_at = crate::store::ts(now);
    let actor = principal.username.clone();
    let purpose = body.purpose.clone();
    let blobs = state.blobs.clone();
    let runtime = tokio::runtime::Handle::current();
    let file = tempfile_in(&state.config.data_dir.join("evidence-staging"))?;
    let writer = file.try_clone().map_err(|e| AppError::Internal(e.into()))?;
    let items_for_writer = with_custody.clone();
    let keys = state.keys.clone();
    let manifest_sha256 = tokio::task::spawn_blocking(move || {
        crate::evidence::write_package(
            &runtime,
            &blobs,
            &items_for_writer,
            (&bureau, &generated_at, &actor, &purpose),
            &keys,
            std::io::BufWriter::with_capacity(1 << 20, writer),
        )
    })
    .await
    .map_err(|e| AppError::Internal(e.into()))?;
    let manifest_sha256 = match manifest_sha256 {
        Ok(digest) => digest,
        Err(error) if error.is::<crate::evidence::Altered>() => {
            return Err(AppError::refused(
                "evidence_altered",
                format!(
                    "证据 {} 的存储文件与入库时的 SHA-256 不一致，导出已停止",
                    error.downcast_ref::<crate::evidence::Altered>().map_or("", |a| a.0.as_str())
                ),
            ));
        }
        Err(error) => return Err(AppError::Internal(error)),
    };
    let mut tx = state.db.begin(&info.audit_ctx(Some(principal), ""), now).await?;
    for (item, _) in &with_custody {
        tx.custody(
            &item.id,
            &item.sha256,
            CustodyEvent::Exported,
            &info.source,
            serde_json::json!({ "manifest_sha256": manifest_sha256, "purpose": body.purpose, "items": with_custody.len() }),
        )
        .await?;
    }
    tx.commit().await?;
    // The writer shared the file's offset; read the package from its start.
    let mut file = file;
    std::io::Seek::rewind(&mut file).map_err(|e| AppError::Internal(e.into()))?;
    let length = file.metadata().map_err(|e| AppError::Internal(e.into()))?.len();
    let stream = tokio_util::io::ReaderStream::with_capacity(tokio::fs::File::from_std(file), 1 << 20);
    let mut response = Body::from_stream(stream).into_response();
    let out = response.headers_mut();
    out.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    out.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    let name = format!("evidence-{}.zip", now.format("%Y%m%d-%H%M%S"));
    out.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")).expect("ascii"),
    );
    out.insert("x-manifest-sha256", HeaderValue::from_str(&manifest_sha256).expect("hex"));
    Ok(response)
}

/// An anonymous temporary file in `dir`: it disappears when the last handle closes, so an
/// export that fails or is abandoned leaves nothing behind.
fn tempfile_in(dir: &std::path::Path) -> Result<std::fs::File, AppError> {
    std::fs::create_dir_all(dir).map_err(|e| AppError::Internal(e.into()))?;
    let path = dir.join(format!("export-{}.zip", uuid::Uuid::new_v4()));
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| AppError::Internal(e.into()))?;
    std::fs::remove_file(&path).map_err(|e| AppError::Internal(e.into()))?;
    Ok(file)
}

#[utoipa::path(post, path = "/api/v1/evidence/export", tag = "evidence", request_body = ExportBody,
    responses((status = 200, content_type = "application/zip", description = "the package; `X-Manifest-SHA256` carries the manifest's digest"),
        (status = 404, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_export(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<ExportBody>,
) -> ApiResult<Response> {
    Ok(export(&state, &principal, &info, &body).await?)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ExportForm {
    pub case_id: String,
    pub ids: String,
    pub purpose: String,
}

pub async fn export_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Form(form): Form<ExportForm>,
) -> PageResult {
    let body = ExportBody {
        ids: form.ids.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect(),
        case_id: form.case_id,
        purpose: form.purpose,
    };
    Ok(export(&state, &principal, &info, &body).await?)
}

/// An item the caller may manage: in the caller's management scope through the unit that owns
/// it. A share lets the other unit view and play the item, never hold, release, re-share or
/// revoke it (those stay with the owner), so an item reached only through a share is refused.
#[utoipa::path(post, path = "/api/v1/evidence/{id}/retention", tag = "evidence", params(("id" = String, Path)), request_body = RetentionBody,
    responses((status = 204), (status = 409, body = crate::web::error::ErrorBody),
        (status = 422, body = crate::web::error::ErrorBody, description = "`retention_not_expired`, `evidence_in_case_file`, `evidence_on_hold`")))]
pub async fn api_retention(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<RetentionBody>,
) -> ApiResult<StatusCode> {
    ops::change(&state, &principal.actor(&info), &id, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn retention_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    Form(body): Form<RetentionBody>,
) -> PageResult {
    ops::change(&state, &principal.actor(&info), &id, &body).await?;
    Ok(Redirect::to(&format!("/evidence/{id}")).into_response())
}

#[utoipa::path(post, path = "/api/v1/evidence/{id}/shares", tag = "evidence", params(("id" = String, Path)), request_body = ShareBody,
    responses((status = 204), (status = 404, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_share(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<ShareBody>,
) -> ApiResult<StatusCode> {
    ops::share(&state, &principal.actor(&info), &id, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/evidence/{id}/shares/{unit_id}/revoke", tag = "evidence",
    params(("id" = String, Path), ("unit_id" = String, Path)),
    responses((status = 204), (status = 404, body = crate::web::error::ErrorBody)))]
pub async fn api_revoke_share(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path((id, unit_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    ops::revoke(&state, &principal.actor(&info), &id, &unit_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn share_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    Form(body): Form<ShareBody>,
) -> PageResult {
    ops::share(&state, &principal.actor(&info), &id, &body).await?;
    Ok(Redirect::to(&format!("/evidence/{id}")).into_response())
}

pub async fn revoke_share_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path((id, unit_id)): Path<(String, String)>,
) -> PageResult {
    ops::revoke(&state, &principal.actor(&info), &id, &unit_id).await?;
    Ok(Redirect::to(&format!("/evidence/{id}")).into_response())
}

#[utoipa::path(post, path = "/api/v1/evidence/{id}/deletion", tag = "evidence", params(("id" = String, Path)), request_body = ApprovalBody,
    responses((status = 204), (status = 409, body = crate::web::error::ErrorBody), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_deletion(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<ApprovalBody>,
) -> ApiResult<StatusCode> {
    ops::approve(&state, &principal.actor(&info), &id, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn deletion_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    Form(body): Form<ApprovalBody>,
) -> PageResult {
    ops::approve(&state, &principal.actor(&info), &id, &body).await?;
    Ok(Redirect::to("/evidence/deletions").into_response())
}

/// A deletion request or a deleted item, as the security administrator sees it: no bytes, no
/// description beyond the kind, size and who asked why.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DeletionDto {
    pub id: String,
    pub kind: String,
    pub size: i64,
    pub received_at: DateTime<Utc>,
    pub requested_by: Option<String>,
    pub requested_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub version: i64,
}

async fn deletions(state: &AppState) -> Result<Vec<DeletionDto>, AppError> {
    let filter =
        EvidenceFilter { include_deleted: true, deletion_requested: true, ..EvidenceFilter::default() };
    let items = state.db.evidence_items(&Visibility::All, &filter, 500, 0).await?;
    Ok(items
        .into_iter()
        .map(|i| DeletionDto {
            id: i.id,
            kind: i.kind.name_zh().to_owned(),
            size: i.size,
            received_at: i.received_at,
            requested_by: i.deletion_requested_by,
            requested_at: i.deletion_requested_at,
            reason: i.deletion_reason,
            deleted_at: i.deleted_at,
            version: i.version,
        })
        .collect())
}

#[utoipa::path(get, path = "/api/v1/evidence-deletions", tag = "evidence",
    responses((status = 200, body = Vec<DeletionDto>)))]
pub async fn api_deletions(State(state): State<AppState>) -> ApiResult<Json<Vec<DeletionDto>>> {
    Ok(Json(deletions(&state).await?))
}

// ---- pages ----

#[derive(askama::Template)]
#[template(path = "evidence_list.html")]
pub struct ListPage {
    pub chrome: Chrome,
    pub items: Vec<EvidenceItem>,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub query: ListQuery,
    pub case_number: Option<String>,
    pub can_upload: bool,
    pub can_export: bool,
    pub max_mb: u64,
}

pub async fn list_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let chrome = Chrome::new(&state, &principal, &headers, "evidence", "证据管理", "Evidence").await?;
    let items = list_items(&state, &principal, &query).await?;
    let case_number = if query.case_id.is_empty() {
        None
    } else {
        state.db.case(&principal.visibility(Action::CaseView), &query.case_id).await?.map(|c| c.number)
    };
    render(&ListPage {
        chrome,
        items,
        kinds: EvidenceKind::ALL.iter().map(|k| (k.code(), k.name_zh())).collect(),
        query,
        case_number,
        can_upload: principal.has(Action::EvidenceUpload),
        can_export: principal.has(Action::EvidenceExport),
        max_mb: state.config.evidence_max_bytes >> 20,
    })
}

#[derive(askama::Template)]
#[template(path = "evidence_item.html")]
pub struct ItemPage {
    pub chrome: Chrome,
    pub dto: ItemDto,
    pub kinds: Vec<(&'static str, &'static str)>,
    pub can_manage: bool,
    pub can_download: bool,
    /// Units it could be shared with: (id, name).
    pub units: Vec<(String, String)>,
}

impl ItemPage {
    pub fn retention_text(&self) -> String {
        self.dto.retention.name_zh()
    }
    /// Only routine items can ever be deleted; the form is not offered for others.
    pub fn deletable(&self) -> bool {
        matches!(self.dto.retention, Retention::Until(_))
    }
    pub fn event_name(&self, record: &CustodyRecord) -> &'static str {
        record.event.name_zh()
    }
}

pub async fn item_page(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> PageResult {
    let chrome = Chrome::new(&state, &principal, &headers, "evidence", "证据详情", "Evidence item").await?;
    let dto = view(&state, &principal, &info, &id).await?;
    render(&ItemPage {
        chrome,
        dto,
        kinds: EvidenceKind::ALL.iter().map(|k| (k.code(), k.name_zh())).collect(),
        can_manage: principal.has(Action::EvidenceManage),
        can_download: principal.has(Action::EvidenceExport),
        units: state.db.units().await?.into_iter().map(|u| (u.id, u.name)).collect(),
    })
}

#[derive(askama::Template)]
#[template(path = "evidence_deletions.html")]
pub struct DeletionsPage {
    pub chrome: Chrome,
    pub rows: Vec<DeletionDto>,
    pub recovery_days: i64,
}

pub async fn deletions_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
) -> PageResult {
    let chrome =
        Chrome::new(&state, &principal, &headers, "evidence_deletions", "证据删除审批", "Evidence deletions")
            .await?;
    render(&DeletionsPage { chrome, rows: deletions(&state).await?, recovery_days: DELETION_RECOVERY_DAYS })
}

/// Sizes as people read them.
pub fn human_size(bytes: &i64) -> String {
    let bytes = *bytes as f64;
    if bytes >= 1024.0 * 1024.0 * 1024.0 {
        format!("{:.2} GB", bytes / 1024.0 / 1024.0 / 1024.0)
    } else if bytes >= 1024.0 * 1024.0 {
        format!("{:.1} MB", bytes / 1024.0 / 1024.0)
    } else if bytes >= 1024.0 {
        format!("{:.0} KB", bytes / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

/// A time as Beijing wall-clock text.
pub fn local_time(time: &DateTime<Utc>) -> String {
    crate::domain::time::display(*time)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_read_as_browsers_send_them() {
        let h = |s: &'static str| HeaderValue::from_static(s);
        assert_eq!(parse_range(Some(&h("bytes=0-")), 100), Some(Ok(0..100)));
        assert_eq!(parse_range(Some(&h("bytes=10-19")), 100), Some(Ok(10..20)));
        assert_eq!(parse_range(Some(&h("bytes=90-200")), 100), Some(Ok(90..100)));
        assert_eq!(parse_range(Some(&h("bytes=-10")), 100), Some(Ok(90..100)));
        assert_eq!(parse_range(Some(&h("bytes=100-")), 100), Some(Err(())));
        assert_eq!(parse_range(Some(&h("bytes=0-1,5-6")), 100), Some(Err(())));
        assert_eq!(parse_range(None, 100), None);
    }

    #[test]
    fn device_times_from_phones_are_beijing_time() {
        let t = crate::domain::fieldwork::parse_local_time("2026-11-28T09:30").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-28T01:30:00+00:00");
        assert_eq!(crate::domain::fieldwork::parse_local_time("2026-11-28T09:30:00+08:00"), Some(t));
        assert!(crate::domain::fieldwork::parse_local_time("yesterday").is_none());
    }
}
