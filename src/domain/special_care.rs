//! The special-care archive (issue 18 scope 7; plan §三（三）2: 针对少数民族和困难当事人要建立档案，
//! 并开展帮贫扶困活动): the parties the bureau cares for — an ethnic minority, a household on
//! 低保, a disabled or elderly vendor — and the help given to each.
//!
//! What the archive says about a person is sensitive personal information (个人信息保护法
//! Art. 28: 民族 falls under it through the national standard's list, hardship and health
//! plainly do), so Art. 28 ¶2 asks for a specific purpose, real necessity and strict protection.
//! Three rules here make that checkable:
//! - a role that may keep the archive is not enough: an account also needs a named, expiring
//!   grant ([`GrantInput`]) from someone else, for a stated purpose ([`grant_rule`]);
//! - every reading states its purpose ([`ViewPurpose`]), which is recorded with the reading;
//! - outside the archive only counts leave it ([`CareCounts`]): never the portal, never a list.
//!
//! Parsing and counting only: the inputs as typed become these types once, with every field's
//! error at once.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::domain::fields::{FieldErrors, date, line, text};

/// The longest a grant may run, in days. Not a number of the law: Art. 28 ¶2 asks for
/// necessity, and a need to know that outlasts the year it arose in should be granted again
/// by someone who checks it is still there.
pub const MAX_GRANT_DAYS: i64 = 366;

/// The shortest purpose accepted, in characters: "工作需要" alone says nothing.
pub const MIN_PURPOSE_CHARS: usize = 6;

/// Why a party is cared for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CareCategory {
    /// 少数民族
    Minority,
    /// 低保、特困供养
    Subsistence,
    /// 残疾
    Disability,
    /// 高龄
    Elderly,
    /// 重病
    Illness,
    /// 失业、就业困难
    Unemployed,
    /// 其他困难
    OtherHardship,
}

impl CareCategory {
    pub const ALL: [CareCategory; 7] = [
        CareCategory::Minority,
        CareCategory::Subsistence,
        CareCategory::Disability,
        CareCategory::Elderly,
        CareCategory::Illness,
        CareCategory::Unemployed,
        CareCategory::OtherHardship,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CareCategory::Minority => "minority",
            CareCategory::Subsistence => "subsistence",
            CareCategory::Disability => "disability",
            CareCategory::Elderly => "elderly",
            CareCategory::Illness => "illness",
            CareCategory::Unemployed => "unemployed",
            CareCategory::OtherHardship => "other_hardship",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            CareCategory::Minority => "少数民族",
            CareCategory::Subsistence => "低保、特困",
            CareCategory::Disability => "残疾",
            CareCategory::Elderly => "高龄",
            CareCategory::Illness => "重病",
            CareCategory::Unemployed => "失业、就业困难",
            CareCategory::OtherHardship => "其他困难",
        }
    }

    pub fn parse(code: &str) -> Option<CareCategory> {
        CareCategory::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// What kind of help was given (帮贫扶困).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HelpKind {
    /// 上门走访
    Visit,
    /// 引导进入便民服务点、疏导点经营
    Relocation,
    /// 物资、资金帮扶
    Supplies,
    /// 推荐就业
    Employment,
    /// 政策咨询、代办手续
    Paperwork,
    /// 申请延期或分期缴纳罚款的指导（行政处罚法第六十六条）
    Deferral,
    /// 其他
    Other,
}

impl HelpKind {
    pub const ALL: [HelpKind; 7] = [
        HelpKind::Visit,
        HelpKind::Relocation,
        HelpKind::Supplies,
        HelpKind::Employment,
        HelpKind::Paperwork,
        HelpKind::Deferral,
        HelpKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            HelpKind::Visit => "visit",
            HelpKind::Relocation => "relocation",
            HelpKind::Supplies => "supplies",
            HelpKind::Employment => "employment",
            HelpKind::Paperwork => "paperwork",
            HelpKind::Deferral => "deferral",
            HelpKind::Other => "other",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            HelpKind::Visit => "上门走访",
            HelpKind::Relocation => "引导入点经营",
            HelpKind::Supplies => "物资帮扶",
            HelpKind::Employment => "推荐就业",
            HelpKind::Paperwork => "政策咨询、代办手续",
            HelpKind::Deferral => "指导申请延期、分期缴纳罚款",
            HelpKind::Other => "其他",
        }
    }

    pub fn parse(code: &str) -> Option<HelpKind> {
        HelpKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// A party taken into the archive, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct CareEntryInput {
    /// The party's file in the registry (一人一档).
    #[schema(max_length = 64, pattern = "\\S")]
    pub party_id: String,
    /// The squad that looks after the party.
    #[schema(max_length = 64, pattern = "\\S")]
    pub unit_id: String,
    /// `minority`, `subsistence`, `disability`, `elderly`, `illness`, `unemployed` or
    /// `other_hardship`.
    #[schema(example = "subsistence")]
    pub category: String,
    /// The circumstances, as little as the help needs.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub circumstances: String,
}

/// An archive entry parsed (the party and unit are checked against the store by the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareEntryDraft {
    pub party_id: String,
    pub unit_id: String,
    pub category: CareCategory,
    pub circumstances: String,
}

impl CareEntryInput {
    pub fn parse(&self) -> Result<CareEntryDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let party_id = line(&mut errors, "party_id", &self.party_id, 64, "请选择当事人档案");
        let unit_id = line(&mut errors, "unit_id", &self.unit_id, 64, "请选择负责的中队");
        let category = CareCategory::parse(self.category.trim());
        if category.is_none() {
            errors.add("category", "invalid_value", "请选择关怀类别");
        }
        let circumstances = text(&mut errors, "circumstances", &self.circumstances, 500);
        errors.into_result()?;
        Ok(CareEntryDraft { party_id, unit_id, category: category.expect("checked"), circumstances })
    }
}

/// Help given, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct HelpInput {
    /// `YYYY-MM-DD`, not after today.
    #[schema(value_type = String, format = Date)]
    pub given_on: String,
    /// `visit`, `relocation`, `supplies`, `employment`, `paperwork`, `deferral` or `other`.
    #[schema(example = "visit")]
    pub kind: String,
    #[schema(max_length = 500, pattern = "\\S")]
    pub description: String,
    /// Who gave it (names of staff or partner departments).
    #[schema(max_length = 50, pattern = "\\S")]
    pub given_by: String,
}

/// Help parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Help {
    pub given_on: NaiveDate,
    pub kind: HelpKind,
    pub description: String,
    pub given_by: String,
}

impl HelpInput {
    pub fn parse(&self, today: NaiveDate) -> Result<Help, FieldErrors> {
        let mut errors = FieldErrors::default();
        let given_on = date(&mut errors, "given_on", &self.given_on, "帮扶日期");
        if given_on.is_some_and(|d| d > today) {
            errors.add("given_on", "in_future", "帮扶日期不能晚于今天");
        }
        let kind = HelpKind::parse(self.kind.trim());
        if kind.is_none() {
            errors.add("kind", "invalid_value", "请选择帮扶方式");
        }
        let description = line(&mut errors, "description", &self.description, 500, "请填写帮扶内容");
        let given_by = line(&mut errors, "given_by", &self.given_by, 50, "请填写帮扶人");
        errors.into_result()?;
        Ok(Help { given_on: given_on.expect("checked"), kind: kind.expect("checked"), description, given_by })
    }
}

/// The purpose stated for one reading of the archive (个人信息保护法 Art. 28 ¶2: 特定的目的).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewPurpose(String);

impl ViewPurpose {
    pub fn parse(raw: &str) -> Result<ViewPurpose, FieldErrors> {
        let text = raw.trim();
        let n = text.chars().count();
        if !(MIN_PURPOSE_CHARS..=100).contains(&n) || text.chars().any(char::is_control) {
            return Err(FieldErrors::single(
                "purpose",
                "purpose_required",
                format!(
                    "查阅关怀档案须写明具体目的（{MIN_PURPOSE_CHARS}–100 字，如“走访前核对帮扶记录”），目的将随查阅记录留存（个人信息保护法第二十八条）"
                ),
            ));
        }
        Ok(ViewPurpose(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A grant of the archive to an account, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct GrantInput {
    /// The account's username.
    #[schema(max_length = 64, pattern = "\\S")]
    pub username: String,
    /// Why this account needs to know (e.g. 负责南大街疏导点的帮扶走访).
    #[schema(max_length = 200, pattern = "\\S")]
    pub purpose: String,
    /// The last day the grant holds, `YYYY-MM-DD`, after today and at most 366 days ahead.
    #[schema(value_type = String, format = Date)]
    pub until: String,
}

/// A grant parsed; [`grant_rule`] then checks it against who gives and who receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantDraft {
    pub username: String,
    pub purpose: String,
    pub until: NaiveDate,
}

impl GrantInput {
    pub fn parse(&self, today: NaiveDate) -> Result<GrantDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let username = line(&mut errors, "username", &self.username, 64, "请填写被授权的账号");
        let purpose = line(&mut errors, "purpose", &self.purpose, 200, "请写明授权的目的");
        if !purpose.is_empty() && purpose.chars().count() < MIN_PURPOSE_CHARS {
            errors.add(
                "purpose",
                "purpose_required",
                format!("授权目的须具体（至少 {MIN_PURPOSE_CHARS} 个字）"),
            );
        }
        let until = date(&mut errors, "until", &self.until, "授权截止日期");
        if let Some(until) = until {
            if until <= today {
                errors.add("until", "not_after_today", "授权截止日期须晚于今天");
            } else if (until - today).num_days() > MAX_GRANT_DAYS {
                errors.add(
                    "until",
                    "grant_too_long",
                    format!("授权最长 {MAX_GRANT_DAYS} 天；期满仍有需要的，重新授权"),
                );
            }
        }
        errors.into_result()?;
        Ok(GrantDraft { username, purpose, until: until.expect("checked") })
    }
}

/// Why a grant is refused although well formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantRefusal {
    /// Nobody grants themselves a need to know: it is someone else's judgement.
    SelfGrant,
    /// The account holds no role that keeps the archive (an administrator, a supervisor, an
    /// auxiliary…): a grant would give it nothing it could lawfully use.
    RoleCannotHold,
}

impl GrantRefusal {
    pub fn code(self) -> &'static str {
        match self {
            GrantRefusal::SelfGrant => "self_grant",
            GrantRefusal::RoleCannotHold => "grant_role_not_allowed",
        }
    }

    pub fn message_zh(self) -> &'static str {
        match self {
            GrantRefusal::SelfGrant => "不能为自己授权查阅关怀档案，请由另一位有授权权限的人员办理",
            GrantRefusal::RoleCannotHold => {
                "该账号的角色不能查阅关怀档案（仅局领导、领导小组办公室、中队长、执法队员可获授权）"
            }
        }
    }
}

/// Whether `grantor` may grant the archive to `grantee`, who holds a role that may keep it
/// (`grantee_may_hold`, from the permission table) or not.
pub fn grant_rule(
    grantor_account: &str,
    grantee_account: &str,
    grantee_may_hold: bool,
) -> Result<(), GrantRefusal> {
    if grantor_account == grantee_account {
        return Err(GrantRefusal::SelfGrant);
    }
    if !grantee_may_hold {
        return Err(GrantRefusal::RoleCannotHold);
    }
    Ok(())
}

/// What leaves the archive: counts by category, and help given by month and kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CareCounts {
    pub year: i32,
    /// Entries open at the end of the year (or today), by category code.
    pub open_by_category: Vec<CategoryCount>,
    /// Help given in each month of the year (January first).
    pub help_by_month: Vec<u32>,
    /// Help given in the year by kind code.
    pub help_by_kind: Vec<KindCount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CategoryCount {
    pub category: CareCategory,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct KindCount {
    pub kind: HelpKind,
    pub count: u32,
}

/// Counts the entries open on `as_of` (opened on or before it and not closed by it) and the
/// help given in `year`.
pub fn counts(
    year: i32,
    as_of: NaiveDate,
    entries: &[(CareCategory, NaiveDate, Option<NaiveDate>)],
    help: &[(NaiveDate, HelpKind)],
) -> CareCounts {
    let open_by_category = CareCategory::ALL
        .into_iter()
        .map(|category| CategoryCount {
            category,
            count: entries
                .iter()
                .filter(|(c, opened, closed)| {
                    *c == category && *opened <= as_of && closed.is_none_or(|closed| closed > as_of)
                })
                .count() as u32,
        })
        .collect();
    let mut help_by_month = vec![0u32; 12];
    let mut by_kind = vec![0u32; HelpKind::ALL.len()];
    for (on, kind) in help.iter().filter(|(on, _)| on.year() == year) {
        help_by_month[on.month0() as usize] += 1;
        by_kind[HelpKind::ALL.iter().position(|k| k == kind).expect("listed")] += 1;
    }
    let help_by_kind =
        HelpKind::ALL.into_iter().zip(by_kind).map(|(kind, count)| KindCount { kind, count }).collect();
    CareCounts { year, open_by_category, help_by_month, help_by_kind }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_reading_states_a_purpose_worth_the_name() {
        assert_eq!(ViewPurpose::parse("").unwrap_err().iter().next().unwrap().code, "purpose_required");
        assert!(ViewPurpose::parse("工作需要").is_err());
        assert!(ViewPurpose::parse(&"查".repeat(101)).is_err());
        assert_eq!(ViewPurpose::parse(" 走访前核对帮扶记录 ").unwrap().as_str(), "走访前核对帮扶记录");
    }

    #[test]
    fn a_grant_is_for_a_purpose_and_a_bounded_time() {
        let today = d("2026-03-02");
        let input = |until: &str, purpose: &str| GrantInput {
            username: "wang".into(),
            purpose: purpose.into(),
            until: until.into(),
        };
        let codes = |r: Result<GrantDraft, FieldErrors>| -> Vec<&'static str> {
            r.unwrap_err().iter().map(|e| e.code).collect()
        };
        assert_eq!(codes(input("2026-03-02", "负责疏导点帮扶走访").parse(today)), ["not_after_today"]);
        assert_eq!(codes(input("2027-03-04", "负责疏导点帮扶走访").parse(today)), ["grant_too_long"]);
        assert_eq!(codes(input("2027-03-03", "走访").parse(today)), ["purpose_required"]);
        assert_eq!(input("2027-03-03", "负责疏导点帮扶走访").parse(today).unwrap().until, d("2027-03-03"));
    }

    #[test]
    fn nobody_grants_themselves_and_only_keeping_roles_receive() {
        assert_eq!(grant_rule("a", "a", true), Err(GrantRefusal::SelfGrant));
        assert_eq!(grant_rule("a", "b", false), Err(GrantRefusal::RoleCannotHold));
        assert_eq!(grant_rule("a", "b", true), Ok(()));
    }

    #[test]
    fn the_counts_hold_open_entries_and_the_year_of_help() {
        let entries = [
            (CareCategory::Minority, d("2025-05-01"), None),
            (CareCategory::Minority, d("2025-05-01"), Some(d("2026-06-01"))),
            (CareCategory::Elderly, d("2026-12-31"), None),
            (CareCategory::Elderly, d("2027-01-01"), None),
        ];
        let help = [
            (d("2026-01-10"), HelpKind::Visit),
            (d("2026-01-20"), HelpKind::Deferral),
            (d("2026-12-01"), HelpKind::Visit),
            (d("2025-12-31"), HelpKind::Visit),
        ];
        let c = counts(2026, d("2026-12-31"), &entries, &help);
        let open = |cat| c.open_by_category.iter().find(|x| x.category == cat).unwrap().count;
        assert_eq!((open(CareCategory::Minority), open(CareCategory::Elderly)), (1, 1));
        assert_eq!((c.help_by_month[0], c.help_by_month[11], c.help_by_month.iter().sum::<u32>()), (2, 1, 3));
        assert_eq!(c.help_by_kind.iter().find(|k| k.kind == HelpKind::Visit).unwrap().count, 2);
    }

    #[test]
    fn an_entry_names_its_party_unit_and_category() {
        let errors = CareEntryInput { category: "rich".into(), ..Default::default() }.parse().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["party_id", "unit_id", "category"]);
    }
}
