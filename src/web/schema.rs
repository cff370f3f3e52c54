//! Schema-only types: what the API document says a text field accepts where the handler reads
//! it as text and a domain parser decides (so that a wrong value gets its field-level Chinese
//! message, not a deserializer's). Each lists exactly the codes its parser accepts; the
//! `api_contract` tests compare them.

/// A mainland mobile number (`domain::org::Phone`): 11 digits from 13–19, or empty where the
/// field is optional.
pub const PHONE_PATTERN: &str = r"^(1[3-9][0-9]{9})?$";

/// 当事人类别 (`domain::party::PartyInput::parse`).
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum PartyKind {
    /// 自然人
    Person,
    /// 法人或其他组织
    Organisation,
}

/// The kind of a unit created below another (`domain::org::UnitInput::parse`): any but the
/// bureau, which is the one root.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum SubUnitKind {
    /// 执法大队
    Brigade,
    /// 派驻中队
    Squad,
    /// 受理中心
    AcceptanceCenter,
    /// 领导小组办公室
    Office,
    /// 科室
    Section,
}

/// The multipart form of an evidence upload (`POST /api/v1/evidence`): the file and its
/// metadata, read in `web::evidence::ingest` and parsed by `ops::evidence::UploadMeta`.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)] // Describes a form for the document; the handler reads the parts itself.
pub struct UploadForm {
    /// The bytes. Programs and unknown types are refused from their first bytes.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// One of the eight legal kinds (行政处罚法 Art. 46); from the file's type if left out.
    #[schema(value_type = Option<crate::domain::evidence::EvidenceKind>)]
    pub kind: Option<String>,
    #[schema(max_length = 500)]
    pub description: Option<String>,
    /// The case it belongs to.
    pub case_id: Option<String>,
    /// The step of that case it records (its sequence on the timeline).
    #[schema(minimum = 1)]
    pub case_event_seq: Option<i64>,
    /// The patrol or operation it records.
    pub patrol_id: Option<String>,
    /// The matter whose handling it shows (a photo at 处置反馈; by the squad the matter is with,
    /// while it handles it). Not with `case_id` or `patrol_id`.
    pub matter_id: Option<String>,
    #[schema(max_length = 500)]
    pub act: Option<String>,
    /// When the device took it: `2026-11-28T09:30` (Beijing) or RFC 3339.
    pub device_time: Option<String>,
    #[schema(max_length = 500)]
    pub location: Option<String>,
    #[schema(max_length = 500)]
    pub device_no: Option<String>,
    /// The SHA-256 the client computed; a mismatch is refused and audited.
    #[schema(pattern = r"^[0-9a-fA-F]{64}$")]
    pub sha256: Option<String>,
    pub recording_started_at: Option<String>,
    pub recording_ended_at: Option<String>,
}
