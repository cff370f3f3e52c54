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

/// A recording device's kind (`domain::fieldwork::DEVICE_KINDS`).
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum DeviceKind {
    /// 执法记录仪
    BodyCamera,
    /// 照相机/摄像机
    Camera,
    /// 录音笔
    Recorder,
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
