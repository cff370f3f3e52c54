//! The organisation: units, people, enforcement certificates and the leadership group.
//!
//! Input from forms and JSON becomes [`PersonDraft`] or [`CertificateDraft`] here, once; a draft
//! that exists is valid. Field errors carry a stable code and a Chinese message.

use chrono::NaiveDate;

use crate::domain::fields::FieldErrors;

/// 单位类别. The tree is 局 → 大队 → 中队, with the acceptance center and the office beside them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    /// 局
    Bureau,
    /// 执法大队
    Brigade,
    /// 派驻中队
    Squad,
    /// 受理中心
    AcceptanceCenter,
    /// 领导小组办公室
    Office,
    /// 科室 (局机关的内设科室)
    Section,
}

impl UnitKind {
    pub const ALL: [UnitKind; 6] = [
        UnitKind::Bureau,
        UnitKind::Brigade,
        UnitKind::Squad,
        UnitKind::AcceptanceCenter,
        UnitKind::Office,
        UnitKind::Section,
    ];
    pub fn code(self) -> &'static str {
        match self {
            UnitKind::Bureau => "bureau",
            UnitKind::Brigade => "brigade",
            UnitKind::Squad => "squad",
            UnitKind::AcceptanceCenter => "acceptance_center",
            UnitKind::Office => "office",
            UnitKind::Section => "section",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            UnitKind::Bureau => "局",
            UnitKind::Brigade => "执法大队",
            UnitKind::Squad => "派驻中队",
            UnitKind::AcceptanceCenter => "受理中心",
            UnitKind::Office => "领导小组办公室",
            UnitKind::Section => "科室",
        }
    }
    pub fn parse(s: &str) -> Option<UnitKind> {
        UnitKind::ALL.into_iter().find(|k| k.code() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn code(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Gender::Male => "男",
            Gender::Female => "女",
        }
    }
    pub fn parse(s: &str) -> Option<Gender> {
        match s {
            "male" | "男" => Some(Gender::Male),
            "female" | "女" => Some(Gender::Female),
            _ => None,
        }
    }
}

/// 用工类别: an enforcement officer (行政执法人员, may hold a certificate) or an auxiliary
/// (协管员, who may never take an enforcement act).
#[derive(Debug, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum Employment {
    Officer,
    Auxiliary,
}

impl Employment {
    pub fn code(self) -> &'static str {
        match self {
            Employment::Officer => "officer",
            Employment::Auxiliary => "auxiliary",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Employment::Officer => "执法人员",
            Employment::Auxiliary => "协管员",
        }
    }
    pub fn parse(s: &str) -> Option<Employment> {
        match s {
            "officer" | "执法人员" => Some(Employment::Officer),
            "auxiliary" | "协管员" => Some(Employment::Auxiliary),
            _ => None,
        }
    }
}

/// 领导小组 membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum GroupRole {
    /// 组长
    Head,
    /// 副组长
    Deputy,
    /// 成员
    Member,
}

impl GroupRole {
    pub fn code(self) -> &'static str {
        match self {
            GroupRole::Head => "head",
            GroupRole::Deputy => "deputy",
            GroupRole::Member => "member",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            GroupRole::Head => "组长",
            GroupRole::Deputy => "副组长",
            GroupRole::Member => "成员",
        }
    }
    pub fn parse(s: &str) -> Option<GroupRole> {
        match s {
            "head" => Some(GroupRole::Head),
            "deputy" => Some(GroupRole::Deputy),
            "member" => Some(GroupRole::Member),
            _ => None,
        }
    }
}

/// A mainland mobile number: 11 digits starting with 1[3-9].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    pub fn parse(s: &str) -> Option<Phone> {
        let s = s.trim();
        let b = s.as_bytes();
        let ok = b.len() == 11
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1])
            && b.iter().all(u8::is_ascii_digit);
        ok.then(|| Phone(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The deepest an organisation tree goes (局 → 大队 → 中队 → 组 and a margin): a walk up that
/// takes more steps than this is going round a cycle in bad data, and stops.
pub const MAX_UNIT_DEPTH: usize = 16;

/// Whether `unit` is `root` or lies below it, walking up through `parent_of` (a unit's parent,
/// `None` at the top): the one walk every scope check of the organisation tree makes.
pub fn is_within<'a>(unit: &'a str, root: &str, parent_of: impl Fn(&str) -> Option<&'a str>) -> bool {
    let mut current = Some(unit);
    for _ in 0..=MAX_UNIT_DEPTH {
        match current {
            Some(id) if id == root => return true,
            Some(id) => current = parent_of(id),
            None => return false,
        }
    }
    false
}

/// Masks a phone number for display: the first three and last four digits stay
/// (`138****5678`, ux-and-documents §2.6). Anything that is not a full number is masked whole.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

/// A validated person record, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonDraft {
    pub name: String,
    pub gender: Gender,
    pub unit_id: String,
    pub position: String,
    pub phone: Option<Phone>,
    pub employment: Employment,
    /// 行政机关负责人 (the bureau's head or a deputy head): may attend a 集体讨论 (行政处罚法
    /// Art. 57 ¶2).
    pub agency_leader: bool,
}

/// Untrusted person input, exactly as a form or JSON body delivers it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PersonInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub gender: String,
    #[serde(default)]
    pub unit_id: String,
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub employment: String,
    /// A form's checkbox (`on`) or `true`: the person is one of the bureau's 负责人.
    #[serde(default)]
    pub agency_leader: String,
}

impl PersonInput {
    pub fn parse(&self) -> Result<PersonDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = self.name.trim();
        let name_len = name.chars().count();
        if name_len == 0 {
            errors.add("name", "required", "姓名不能为空");
        } else if name_len > 30 {
            errors.add("name", "too_long", "姓名长度不能超过 30 个字");
        }
        let gender = Gender::parse(self.gender.trim());
        if gender.is_none() {
            errors.add("gender", "invalid", "请选择性别");
        }
        let employment = Employment::parse(self.employment.trim());
        if employment.is_none() {
            errors.add("employment", "invalid", "请选择用工类别");
        }
        if self.unit_id.trim().is_empty() {
            errors.add("unit_id", "required", "请选择所在单位");
        }
        let position = self.position.trim();
        if position.chars().count() > 30 {
            errors.add("position", "too_long", "职务长度不能超过 30 个字");
        }
        let phone = match self.phone.trim() {
            "" => None,
            raw => match Phone::parse(raw) {
                Some(p) => Some(p),
                None => {
                    errors.add("phone", "invalid", "请输入正确的手机号码");
                    None
                }
            },
        };
        let agency_leader = matches!(self.agency_leader.trim(), "on" | "true" | "1");
        if agency_leader && employment == Some(Employment::Auxiliary) {
            errors.add("agency_leader", "auxiliary_not_leader", "协管员不能登记为行政机关负责人");
        }
        errors.into_result()?;
        let (Some(gender), Some(employment)) = (gender, employment) else {
            unreachable!("every None above added a field error")
        };
        Ok(PersonDraft {
            name: name.to_owned(),
            gender,
            unit_id: self.unit_id.trim().to_owned(),
            position: position.to_owned(),
            phone,
            employment,
            agency_leader,
        })
    }
}

/// 执法证 status as recorded by the issuing authority.
#[derive(Debug, Clone, Copy, PartialEq, Eq, utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum CertificateStatus {
    Valid,
    Suspended,
    Revoked,
}

impl CertificateStatus {
    pub fn code(self) -> &'static str {
        match self {
            CertificateStatus::Valid => "valid",
            CertificateStatus::Suspended => "suspended",
            CertificateStatus::Revoked => "revoked",
        }
    }
    pub fn parse(s: &str) -> Option<CertificateStatus> {
        match s {
            "valid" => Some(CertificateStatus::Valid),
            "suspended" => Some(CertificateStatus::Suspended),
            "revoked" => Some(CertificateStatus::Revoked),
            _ => None,
        }
    }
}

/// The day the revised 行政处罚法 came into force (Art. 86: 2021-07-15). From it, Art. 58 ¶2
/// requires whoever *first* does legal review of penalty decisions (初次从事行政处罚决定法制审核)
/// to hold the national legal professional qualification (法律职业资格); reviewers already doing
/// it before that day keep doing it.
pub fn legal_qualification_required_from() -> NaiveDate {
    NaiveDate::from_ymd_opt(2021, 7, 15).expect("a valid date")
}

/// Whether a person may do legal review under Art. 58 ¶2: they hold a 法律职业资格 (its
/// certificate number recorded), or first did legal review before the revised law.
pub fn qualified_for_legal_review(certificate: &str, since: Option<NaiveDate>) -> bool {
    !certificate.trim().is_empty() || since.is_some_and(|day| day < legal_qualification_required_from())
}

/// 法制审核资格 as recorded on a person: the 法律职业资格证书 number (empty if none) and the day
/// they first did legal review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalQualification {
    pub certificate: String,
    pub since: NaiveDate,
}

/// Untrusted 法制审核资格 input.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct LegalQualificationInput {
    #[serde(default)]
    pub certificate: String,
    #[serde(default)]
    pub since: String,
}

impl LegalQualificationInput {
    pub fn parse(&self, today: NaiveDate) -> Result<LegalQualification, FieldErrors> {
        let mut errors = FieldErrors::default();
        let certificate = self.certificate.trim();
        if certificate.chars().count() > 40
            || !certificate.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            errors.add(
                "certificate",
                "invalid",
                "法律职业资格证书编号只能由字母、数字和连字符组成，不超过 40 位",
            );
        }
        let since = NaiveDate::parse_from_str(self.since.trim(), "%Y-%m-%d").ok();
        match since {
            None => errors.add("since", "invalid", "请填写首次从事法制审核的日期（yyyy-MM-dd）"),
            Some(day) if day > today => {
                errors.add("since", "in_future", "首次从事法制审核的日期不能晚于今天");
            }
            Some(_) => {}
        }
        errors.into_result()?;
        let Some(since) = since else { unreachable!("a missing date added a field error") };
        Ok(LegalQualification { certificate: certificate.to_owned(), since })
    }
}

/// How far ahead an expiring certificate is flagged. Renewal of a 行政执法证 goes through the
/// provincial 司法厅 and its annual review; two months gives the office time for it. Bureau policy,
/// not a statutory number.
pub const CERTIFICATE_EXPIRY_WARNING_DAYS: i64 = 60;

/// What a certificate means on a given day: whether its holder may take an enforcement act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateStanding {
    Valid,
    ExpiringSoon { days_left: i64 },
    NotYetValid,
    Expired,
    Suspended,
    Revoked,
}

impl CertificateStanding {
    pub fn code(self) -> &'static str {
        match self {
            CertificateStanding::Valid => "valid",
            CertificateStanding::ExpiringSoon { .. } => "expiring_soon",
            CertificateStanding::NotYetValid => "not_yet_valid",
            CertificateStanding::Expired => "expired",
            CertificateStanding::Suspended => "suspended",
            CertificateStanding::Revoked => "revoked",
        }
    }
    pub fn label_zh(self) -> String {
        match self {
            CertificateStanding::Valid => "有效".to_owned(),
            CertificateStanding::ExpiringSoon { days_left } => format!("{days_left} 天后到期"),
            CertificateStanding::NotYetValid => "未生效".to_owned(),
            CertificateStanding::Expired => "已过期".to_owned(),
            CertificateStanding::Suspended => "暂扣".to_owned(),
            CertificateStanding::Revoked => "已吊销".to_owned(),
        }
    }
    /// The tag colour class of ux-and-documents §2.5.
    pub fn tag(self) -> &'static str {
        match self {
            CertificateStanding::Valid => "success",
            CertificateStanding::ExpiringSoon { .. } => "warning",
            CertificateStanding::NotYetValid => "info",
            _ => "danger",
        }
    }
    /// 行政处罚法 Art. 42: enforcement acts are taken by officers holding a valid certificate.
    pub fn may_act(self) -> bool {
        matches!(self, CertificateStanding::Valid | CertificateStanding::ExpiringSoon { .. })
    }
}

pub fn certificate_standing(
    status: CertificateStatus,
    valid_from: NaiveDate,
    valid_to: NaiveDate,
    today: NaiveDate,
) -> CertificateStanding {
    match status {
        CertificateStatus::Revoked => return CertificateStanding::Revoked,
        CertificateStatus::Suspended => return CertificateStanding::Suspended,
        CertificateStatus::Valid => {}
    }
    if today < valid_from {
        return CertificateStanding::NotYetValid;
    }
    if today > valid_to {
        return CertificateStanding::Expired;
    }
    let days_left = (valid_to - today).num_days();
    if days_left <= CERTIFICATE_EXPIRY_WARNING_DAYS {
        CertificateStanding::ExpiringSoon { days_left }
    } else {
        CertificateStanding::Valid
    }
}

/// Why a person may not be given an enforcement certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CertificateRefusal {
    /// 行政处罚法 Art. 42: administrative penalties are carried out by 行政执法人员 holding
    /// enforcement certificates; a 协管员 is not one and holds none.
    #[error("an auxiliary (协管员) cannot hold an enforcement certificate (行政处罚法 Art. 42)")]
    Auxiliary,
}

impl CertificateRefusal {
    pub fn code(self) -> &'static str {
        "auxiliary_cannot_hold_certificate"
    }
    pub fn message_zh(self) -> &'static str {
        "协管员不具有行政执法资格，不能登记执法证（《行政处罚法》第四十二条）"
    }
}

/// Whether a person of this employment may hold an enforcement certificate.
pub fn may_hold_certificate(employment: Employment) -> Result<(), CertificateRefusal> {
    match employment {
        Employment::Officer => Ok(()),
        Employment::Auxiliary => Err(CertificateRefusal::Auxiliary),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateDraft {
    pub number: String,
    pub kind: String,
    pub issuer: String,
    pub valid_from: NaiveDate,
    pub valid_to: NaiveDate,
    pub status: CertificateStatus,
}

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CertificateInput {
    #[serde(default)]
    pub number: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub issuer: String,
    #[serde(default)]
    pub valid_from: String,
    #[serde(default)]
    pub valid_to: String,
    #[serde(default)]
    pub status: String,
}

impl CertificateInput {
    pub fn parse(&self) -> Result<CertificateDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let number = self.number.trim();
        if number.is_empty() {
            errors.add("number", "required", "证号不能为空");
        } else if number.chars().count() > 32
            || !number.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            errors.add("number", "invalid", "证号只能由字母、数字和连字符组成，不超过 32 位");
        }
        let kind = self.kind.trim();
        let kind = if kind.is_empty() { "行政执法证" } else { kind };
        let issuer = self.issuer.trim();
        let valid_from = NaiveDate::parse_from_str(self.valid_from.trim(), "%Y-%m-%d").ok();
        if valid_from.is_none() {
            errors.add("valid_from", "invalid", "请输入正确的日期（yyyy-MM-dd）");
        }
        let valid_to = NaiveDate::parse_from_str(self.valid_to.trim(), "%Y-%m-%d").ok();
        if valid_to.is_none() {
            errors.add("valid_to", "invalid", "请输入正确的日期（yyyy-MM-dd）");
        }
        if let (Some(from), Some(to)) = (valid_from, valid_to)
            && to < from
        {
            errors.add("valid_to", "before_start", "有效期止不能早于有效期起");
        }
        let status = match self.status.trim() {
            "" => Some(CertificateStatus::Valid),
            s => CertificateStatus::parse(s),
        };
        if status.is_none() {
            errors.add("status", "invalid", "请选择证件状态");
        }
        errors.into_result()?;
        match (valid_from, valid_to, status) {
            (Some(valid_from), Some(valid_to), Some(status)) => Ok(CertificateDraft {
                number: number.to_owned(),
                kind: kind.to_owned(),
                issuer: issuer.to_owned(),
                valid_from,
                valid_to,
                status,
            }),
            _ => unreachable!("every None above added a field error"),
        }
    }
}

/// A validated unit, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitDraft {
    pub parent_id: String,
    pub kind: UnitKind,
    pub name: String,
    pub code: String,
    pub sort_order: i64,
}

/// Untrusted unit input. A new unit always hangs below an existing one: the bureau at the root
/// is created once, by the installer or the demo.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct UnitInput {
    #[serde(default)]
    pub parent_id: String,
    /// `brigade`, `squad`, `acceptance_center`, `office` or `section`.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    /// A short unique code, e.g. `ZL-DD-09`.
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub sort_order: Option<i64>,
}

impl UnitInput {
    pub fn parse(&self) -> Result<UnitDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.parent_id.trim().is_empty() {
            errors.add("parent_id", "required", "请选择上级单位");
        }
        let kind = UnitKind::parse(self.kind.trim()).filter(|k| *k != UnitKind::Bureau);
        if kind.is_none() {
            errors.add("kind", "invalid", "请选择单位类别");
        }
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 40 {
            errors.add("name", "invalid", "单位名称不能为空，且不超过 40 个字");
        }
        let code = self.code.trim().to_uppercase();
        let code_ok = (2..=20).contains(&code.len())
            && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-');
        if !code_ok {
            errors.add("code", "invalid", "单位编码须为 2–20 位大写字母、数字或连字符");
        }
        errors.into_result()?;
        let Some(kind) = kind else { unreachable!("a kind error was added above") };
        Ok(UnitDraft {
            parent_id: self.parent_id.trim().to_owned(),
            kind,
            name: name.to_owned(),
            code,
            sort_order: self.sort_order.unwrap_or(100),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_is_within_itself_and_its_ancestors_and_a_cycle_ends_the_walk() {
        // 局 ← 大队 ← 中队; and two units that name each other as parent.
        let parent = |id: &str| match id {
            "squad" => Some("brigade"),
            "brigade" => Some("bureau"),
            "loop_a" => Some("loop_b"),
            "loop_b" => Some("loop_a"),
            _ => None,
        };
        assert!(is_within("squad", "squad", parent));
        assert!(is_within("squad", "bureau", parent));
        assert!(!is_within("bureau", "squad", parent));
        assert!(!is_within("other", "bureau", parent));
        assert!(!is_within("loop_a", "bureau", parent));
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn certificate_standing_follows_dates_and_status() {
        let from = d("2024-01-01");
        let to = d("2026-12-31");
        let check = |today: &str| certificate_standing(CertificateStatus::Valid, from, to, d(today));
        assert_eq!(check("2023-12-31"), CertificateStanding::NotYetValid);
        assert_eq!(check("2025-06-01"), CertificateStanding::Valid);
        assert_eq!(check("2026-11-01"), CertificateStanding::ExpiringSoon { days_left: 60 });
        assert_eq!(check("2026-12-31"), CertificateStanding::ExpiringSoon { days_left: 0 });
        assert_eq!(check("2027-01-01"), CertificateStanding::Expired);
        assert!(!check("2027-01-01").may_act());
        let revoked = certificate_standing(CertificateStatus::Revoked, from, to, d("2025-06-01"));
        assert!(!revoked.may_act());
    }

    #[test]
    fn only_officers_may_hold_a_certificate() {
        assert_eq!(may_hold_certificate(Employment::Officer), Ok(()));
        assert_eq!(may_hold_certificate(Employment::Auxiliary), Err(CertificateRefusal::Auxiliary));
    }

    #[test]
    fn phones_are_validated_and_masked() {
        assert!(Phone::parse("13812345678").is_some());
        assert!(Phone::parse("12812345678").is_none());
        assert!(Phone::parse("1381234567").is_none());
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("123"), "***");
    }

    #[test]
    fn person_input_reports_every_bad_field() {
        let input = PersonInput { phone: "123".into(), ..Default::default() };
        let errors = input.parse().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "gender", "employment", "unit_id", "phone"]);
    }

    #[test]
    fn certificate_input_refuses_reversed_dates() {
        let input = CertificateInput {
            number: "JS-0001".into(),
            valid_from: "2026-01-01".into(),
            valid_to: "2025-01-01".into(),
            ..Default::default()
        };
        let errors = input.parse().unwrap_err();
        assert_eq!(errors.iter().next().unwrap().code, "before_start");
    }
}
