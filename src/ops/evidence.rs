//! Recording evidence: an upload whose bytes are already staged in the store becomes an item
//! of a case, a patrol or the uploader's unit, with its custody record, in one transaction.
//! The entry point reads the bytes its own way (a multipart form, a phone's upload, a citizen's
//! photo) and hands over the staged bytes and the parsed metadata.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::blobs::Ingested;
use crate::domain::access::Action;
use crate::domain::audit::Outcome;
use crate::domain::evidence::{
    DELETION_RECOVERY_DAYS, EvidenceKind, RetentionFacts, clock_skewed, is_sha256_hex, may_delete,
};
use crate::domain::fields::FieldErrors;
use crate::domain::time::civil_date;
use crate::ops::{Actor, Error};
use crate::store::AuditEvent;
use crate::store::evidence::{EvidenceChange, EvidenceItem, NewEvidence};
use crate::store::org::Visibility;

/// Metadata sent with an upload, parsed once.
#[derive(Debug, Clone, Default)]
pub struct UploadMeta {
    pub kind: Option<EvidenceKind>,
    pub description: String,
    pub case_id: Option<String>,
    pub act: String,
    pub device_time: Option<DateTime<Utc>>,
    pub location: String,
    pub device_no: String,
    /// The SHA-256 the client computed, if it sent one.
    pub declared_sha256: Option<String>,
    /// The patrol or operation it records.
    pub patrol_id: Option<String>,
    /// The case event (its sequence number on the case's timeline) it records.
    pub case_event_seq: Option<i64>,
    /// When the recording ran (video and audio), for the late-upload check.
    pub recording_started_at: Option<DateTime<Utc>>,
    pub recording_ended_at: Option<DateTime<Utc>>,
    /// The matter whose handling it shows (a photo taken at 处置反馈).
    pub matter_id: Option<String>,
}

/// Text fields longer than this are refused (a description is a sentence or two).
pub const MAX_TEXT_CHARS: usize = 500;

impl UploadMeta {
    /// The text parts an upload form has, by name (the file part is `file`).
    pub const FIELDS: [&'static str; 13] = [
        "kind",
        "description",
        "case_id",
        "act",
        "device_time",
        "location",
        "device_no",
        "sha256",
        "patrol_id",
        "case_event_seq",
        "recording_started_at",
        "recording_ended_at",
        "matter_id",
    ];

    pub fn parse(fields: &HashMap<String, String>) -> Result<UploadMeta, FieldErrors> {
        let mut errors = FieldErrors::default();
        let get = |name: &str| fields.get(name).map(|v| v.trim().to_owned()).unwrap_or_default();
        let mut meta = UploadMeta::default();
        let kind = get("kind");
        if !kind.is_empty() {
            meta.kind = EvidenceKind::parse(&kind);
            if meta.kind.is_none() {
                errors.add("kind", "unknown_kind", "证据种类不正确（书证、物证、视听资料、电子数据……）");
            }
        }
        for (name, target) in [
            ("description", &mut meta.description),
            ("act", &mut meta.act),
            ("location", &mut meta.location),
            ("device_no", &mut meta.device_no),
        ] {
            let value = get(name);
            if value.chars().count() > MAX_TEXT_CHARS || value.chars().any(char::is_control) {
                errors.add(
                    match name {
                        "description" => "description",
                        "act" => "act",
                        "location" => "location",
                        _ => "device_no",
                    },
                    "too_long",
                    format!("不能超过 {MAX_TEXT_CHARS} 个字，且不能含控制字符"),
                );
            }
            *target = value;
        }
        let case_id = get("case_id");
        meta.case_id = (!case_id.is_empty()).then_some(case_id);
        let device_time = get("device_time");
        if !device_time.is_empty() {
            meta.device_time = crate::domain::fieldwork::parse_local_time(&device_time);
            if meta.device_time.is_none() {
                errors.add("device_time", "bad_time", "拍摄/录制时间格式应为 2026-11-28T09:30 或 RFC 3339");
            }
        }
        let patrol_id = get("patrol_id");
        meta.patrol_id = (!patrol_id.is_empty()).then_some(patrol_id);
        let matter_id = get("matter_id");
        meta.matter_id = (!matter_id.is_empty()).then_some(matter_id);
        if meta.matter_id.is_some() && (meta.case_id.is_some() || meta.patrol_id.is_some()) {
            errors.add("matter_id", "one_owner", "事项照片不能同时属于案件或巡查记录");
        }
        let seq = get("case_event_seq");
        if !seq.is_empty() {
            meta.case_event_seq = seq.parse().ok().filter(|n: &i64| *n > 0);
            if meta.case_event_seq.is_none() || meta.case_id.is_none() {
                errors.add("case_event_seq", "bad_event", "执法环节序号须为正整数，且须同时指定所属案件");
            }
        }
        for (name, target) in [
            ("recording_started_at", &mut meta.recording_started_at),
            ("recording_ended_at", &mut meta.recording_ended_at),
        ] {
            let value = get(name);
            if !value.is_empty() {
                *target = crate::domain::fieldwork::parse_local_time(&value);
                if target.is_none() {
                    errors.add(
                        if name == "recording_started_at" {
                            "recording_started_at"
                        } else {
                            "recording_ended_at"
                        },
                        "bad_time",
                        "录制起止时间格式应为 2026-11-28T09:30 或 RFC 3339",
                    );
                }
            }
        }
        if let (Some(start), Some(end)) = (meta.recording_started_at, meta.recording_ended_at)
            && end < start
        {
            errors.add("recording_ended_at", "before_start", "录制结束时间不能早于开始时间");
        }
        let declared = get("sha256").to_ascii_lowercase();
        if !declared.is_empty() {
            if is_sha256_hex(&declared) {
                meta.declared_sha256 = Some(declared);
            } else {
                errors.add("sha256", "bad_digest", "SHA-256 应为 64 位十六进制数");
            }
        }
        errors.into_result().map(|()| meta)
    }
}

/// The answer to an upload.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Uploaded {
    pub id: String,
    /// Lower-case hex SHA-256 of the bytes received.
    pub sha256: String,
    pub sm3: String,
    pub size: u64,
    pub media_type: String,
    pub kind: String,
    /// The device's clock ran ahead of the server's.
    pub clock_skew: bool,
    /// The same bytes were already stored (for another item); they are kept once.
    pub deduplicated: bool,
    /// The matter it belongs to, when it is a photo of a matter's handling.
    pub matter_id: Option<String>,
}

/// Records an upload whose bytes are staged (`ingested`): checks the client's digest, finds the
/// unit the item belongs to, commits the bytes under their digest, and records the item with
/// its custody record. A refused upload records nothing but, for a digest mismatch, its refusal.
pub async fn record_upload(
    state: &AppState,
    actor: &Actor,
    meta: UploadMeta,
    ingested: Ingested,
    original_name: &str,
) -> Result<Uploaded, Error> {
    let now = state.now();
    let ctx = actor.audit_ctx();
    if let Some(declared) = &meta.declared_sha256
        && *declared != ingested.sha256
    {
        // Refused and on the record: a mismatch means the file changed between the device and
        // the server, which someone has to look into.
        state
            .db
            .audit_only(
                &ctx,
                now,
                AuditEvent::new("evidence.upload", "evidence", "").result(Outcome::Failure).details(
                    serde_json::json!({
                        "reason": "digest_mismatch", "declared_sha256": declared,
                        "received_sha256": ingested.sha256, "size": ingested.size,
                    }),
                ),
            )
            .await?;
        return Err(Error::refused(
            "digest_mismatch",
            format!("文件在传输中发生了变化：声明的 SHA-256 为 {declared}，收到的为 {}", ingested.sha256),
        ));
    }
    // The item belongs to its case's squad, else its patrol's unit, else the squad its matter is
    // with (a photo of the handling: only while the matter is being handled, by its squad), else
    // the uploader's unit.
    let (unit_id, case_id) = match (&meta.case_id, &meta.patrol_id) {
        (None, None) if meta.matter_id.is_some() => {
            let matter_id = meta.matter_id.as_deref().unwrap_or_default();
            (crate::ops::intake::photo_unit(state, actor, matter_id).await?, None)
        }
        (Some(case_id), _) => {
            let case =
                state.db.case(&actor.visibility(Action::CaseView), case_id).await?.ok_or_else(|| {
                    FieldErrors::single("case_id", "unknown_case", "案件不存在或您无权查看")
                })?;
            if let Some(seq) = meta.case_event_seq
                && !state.db.case_timeline(case_id).await?.iter().any(|e| e.seq == seq)
            {
                return Err(
                    FieldErrors::single("case_event_seq", "unknown_event", "该案件没有这一执法环节").into()
                );
            }
            (case.unit_id, Some(case_id.clone()))
        }
        (None, Some(patrol_id)) => (
            state.db.patrol_unit(&actor.visibility(Action::EvidenceView), patrol_id).await?.ok_or_else(
                || FieldErrors::single("patrol_id", "unknown_patrol", "巡查记录不存在或您无权查看"),
            )?,
            None,
        ),
        (None, None) => (
            actor.unit_id.clone().ok_or_else(|| {
                FieldErrors::single("case_id", "unit_required", "您的账号不属于任何单位，请指定所属案件")
            })?,
            None,
        ),
    };
    let kind = meta.kind.unwrap_or(ingested.media.default_kind());
    let collected_by = actor.person_id.clone().unwrap_or_else(|| actor.username.clone());
    let skew = clock_skewed(meta.device_time, now);
    let (sha256, sm3, size, media) =
        (ingested.sha256.clone(), ingested.sm3.clone(), ingested.size, ingested.media);
    let fresh = state.blobs.commit(ingested).await.map_err(Error::from)?;
    let mut tx = state.db.begin(&ctx, now).await?;
    let id = tx
        .insert_evidence(
            &NewEvidence {
                sha256: &sha256,
                sm3: &sm3,
                size,
                media,
                kind,
                description: &meta.description,
                original_name,
                unit_id: &unit_id,
                collected_by: &collected_by,
                device_time: meta.device_time,
                clock_skew: skew,
                location: &meta.location,
                device_no: &meta.device_no,
                case_id: case_id.as_deref(),
                act: &meta.act,
                patrol_id: meta.patrol_id.as_deref(),
                case_event_seq: meta.case_event_seq,
                recording_started_at: meta.recording_started_at,
                recording_ended_at: meta.recording_ended_at,
                matter_id: meta.matter_id.as_deref(),
            },
            &actor.source,
        )
        .await?;
    tx.commit().await?;
    Ok(Uploaded {
        id,
        sha256,
        sm3,
        size,
        media_type: media.code().to_owned(),
        kind: kind.code().to_owned(),
        clock_skew: skew,
        deduplicated: !fresh,
        matter_id: meta.matter_id,
    })
}

/// Re-reads an item's bytes before they are served; if they no longer match its digest,
/// records the failure on its custody chain and refuses.
pub async fn intact_or_refuse(state: &AppState, actor: &Actor, item: &EvidenceItem) -> Result<(), Error> {
    let intact = match crate::evidence::bytes_intact(&state.blobs, &item.sha256, item.size).await {
        Ok(intact) => intact,
        Err(crate::blobs::BlobError::Missing) => false,
        Err(other) => return Err(other.into()),
    };
    if intact {
        return Ok(());
    }
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.custody(
        &item.id,
        &item.sha256,
        crate::domain::evidence::CustodyEvent::VerifyFailed,
        &actor.source,
        serde_json::json!({ "when": "download" }),
    )
    .await?;
    tx.commit().await?;
    Err(Error::refused(
        "evidence_altered",
        "存储中的文件与入库时的 SHA-256 不一致，已拒绝提供并记录；请联系安全管理员核查",
    ))
}

/// The plays recorded on this instance, by viewer (a session, or an API account) and item, so that a
/// player's seeks are not recorded as plays of their own. Another instance records its own
/// first request again, which errs on the side of more records, never fewer.
#[derive(Debug, Default)]
pub struct PlayLog {
    seen: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl PlayLog {
    /// How many plays are remembered before the log starts afresh (each then counts again).
    const CAPACITY: usize = 100_000;

    /// Whether this play (a viewer's key and an item, see `web::evidence::play_key`) was recorded.
    pub fn seen(&self, key: &str) -> bool {
        self.seen.lock().expect("play log lock is never poisoned").contains(key)
    }

    /// Remembers a play just recorded.
    pub fn record(&self, key: String) {
        let mut seen = self.seen.lock().expect("play log lock is never poisoned");
        if seen.len() >= Self::CAPACITY {
            seen.clear();
        }
        seen.insert(key);
    }
}

// ---------------------------------------------------------------------------------------------
// Keeping evidence: retention and classification, shares with other units, deletion decided by
// the security administrator and restore within the recovery period.

/// What the retention rules need of an item: the day it was recorded (the device's clock
/// unless it was skewed), whether a case holds it, and its legal hold.
pub fn retention_of(item: &EvidenceItem) -> RetentionFacts {
    RetentionFacts {
        recorded_on: civil_date(item.device_time.filter(|_| !item.clock_skew).unwrap_or(item.received_at)),
        attached_to_case: item.case_id.is_some(),
        legal_hold: item.legal_hold,
    }
}

/// An item the actor may manage: in the actor's scope for `EvidenceManage` and owned by a unit
/// in it (an item merely shared with the actor's unit is not theirs to change).
async fn managed_item(state: &AppState, actor: &Actor, id: &str) -> Result<EvidenceItem, Error> {
    let visibility = actor.visibility(Action::EvidenceManage);
    let item = state.db.evidence_item(&visibility, id).await?.ok_or(Error::NotFound)?;
    let units = state.db.units().await?;
    if crate::ops::people::unit_visible(&units, &visibility, &item.unit_id) {
        Ok(item)
    } else {
        Err(Error::Forbidden)
    }
}

/// A retention or classification change.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RetentionBody {
    /// `hold`, `release`, `request_deletion` or `set_kind`.
    pub action: String,
    pub version: i64,
    pub reason: String,
    pub kind: String,
}

/// Puts an item on legal hold or releases it, sets its kind, or asks for its deletion once
/// its retention has run (with a reason), over the version read.
pub async fn change(state: &AppState, actor: &Actor, id: &str, body: &RetentionBody) -> Result<(), Error> {
    let item = managed_item(state, actor, id).await?;
    let today = civil_date(state.now());
    let change = match body.action.as_str() {
        "hold" => EvidenceChange::LegalHold(true),
        "release" => EvidenceChange::LegalHold(false),
        "set_kind" => EvidenceChange::Kind(
            EvidenceKind::parse(&body.kind)
                .ok_or_else(|| FieldErrors::single("kind", "unknown_kind", "证据种类不正确"))?,
        ),
        "request_deletion" => {
            if body.reason.trim().is_empty() {
                return Err(FieldErrors::single("reason", "required", "请说明删除理由").into());
            }
            may_delete(retention_of(&item), today).map_err(|r| Error::refused(r.code, r.message_zh))?;
            EvidenceChange::RequestDeletion { reason: body.reason.trim() }
        }
        _ => {
            return Err(FieldErrors::single(
                "action",
                "unknown_action",
                "操作应为 hold、release、set_kind 或 request_deletion",
            )
            .into());
        }
    };
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.change_evidence(&item, body.version, change, &actor.source).await?;
    tx.commit().await?;
    Ok(())
}

/// A share with another unit.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ShareBody {
    pub unit_id: String,
    /// Why the other unit needs it.
    pub reason: String,
}

/// Shares an item with another unit, with the reason it needs it.
pub async fn share(state: &AppState, actor: &Actor, id: &str, body: &ShareBody) -> Result<(), Error> {
    let item = managed_item(state, actor, id).await?;
    let mut errors = FieldErrors::default();
    if state.db.unit(body.unit_id.trim()).await?.is_none() {
        errors.add("unit_id", "unknown_unit", "请选择共享给哪个单位");
    } else if body.unit_id.trim() == item.unit_id {
        errors.add("unit_id", "own_unit", "证据本来就属于该单位");
    }
    if body.reason.trim().is_empty() || body.reason.chars().count() > MAX_TEXT_CHARS {
        errors.add("reason", "required", "请说明共享理由（不超过500字）");
    }
    errors.into_result()?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.share_evidence(&item, body.unit_id.trim(), body.reason.trim(), &actor.source).await.map_err(|e| {
        match e {
            crate::store::StoreError::Duplicate(_) => {
                Error::Invalid(FieldErrors::duplicate("unit_id", "已经共享给该单位"))
            }
            other => other.into(),
        }
    })?;
    tx.commit().await?;
    Ok(())
}

/// Ends a share with another unit.
pub async fn revoke(state: &AppState, actor: &Actor, id: &str, unit_id: &str) -> Result<(), Error> {
    let item = managed_item(state, actor, id).await?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.revoke_share(&item, unit_id, &actor.source).await?;
    tx.commit().await?;
    Ok(())
}

/// The security administrator's decision on a deletion request, or a restore.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ApprovalBody {
    /// `approve` or `restore`.
    pub action: String,
    pub version: i64,
}

/// The security administrator approves a deletion request (checked again against holds and
/// cases that came since) or restores an item within the recovery period.
pub async fn approve(state: &AppState, actor: &Actor, id: &str, body: &ApprovalBody) -> Result<(), Error> {
    // The security administrator sees no evidence otherwise: only this item's record.
    let item = state.db.evidence_item(&Visibility::All, id).await?.ok_or(Error::NotFound)?;
    let now = state.now();
    let change = match body.action.as_str() {
        "approve" => {
            if item.deletion_requested_at.is_none() || item.deleted_at.is_some() {
                return Err(Error::refused("no_deletion_request", "该证据没有待批准的删除申请"));
            }
            // Checked again: a hold or a case may have come since the request.
            may_delete(retention_of(&item), civil_date(now))
                .map_err(|r| Error::refused(r.code, r.message_zh))?;
            EvidenceChange::ApproveDeletion
        }
        "restore" => {
            let Some(deleted_at) = item.deleted_at else {
                return Err(Error::refused("not_deleted", "该证据未被删除"));
            };
            if now - deleted_at > chrono::Duration::days(DELETION_RECOVERY_DAYS) {
                return Err(Error::refused(
                    "recovery_period_over",
                    format!("删除已超过 {DELETION_RECOVERY_DAYS} 天，文件已清除，不能恢复"),
                ));
            }
            EvidenceChange::Restore
        }
        _ => {
            return Err(FieldErrors::single("action", "unknown_action", "操作应为 approve 或 restore").into());
        }
    };
    let mut tx = state.db.begin(&actor.audit_ctx(), now).await?;
    tx.change_evidence(&item, body.version, change, &actor.source).await?;
    tx.commit().await?;
    Ok(())
}
