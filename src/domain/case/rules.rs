//! The legal numbers of the case engine, each with its article, and the values the law leaves to
//! each province or bureau ([`CaseRules`], kept in a table an administrator can change).
//!
//! Money is counted in fen (分, 1/100 yuan) as `i64` everywhere, so no amount is ever rounded by
//! floating point.

use serde::{Deserialize, Serialize};

/// 行政处罚法 Art. 42: 执法人员不得少于两人 — every investigative act, every filing and every
/// on-the-spot decision names at least this many certified officers.
pub const MIN_OFFICERS: usize = 2;

/// 查封、扣押的期限不得超过三十日 (行政强制法 Art. 25 ¶1); calendar days (Art. 69 makes only
/// periods of ten days or less working days).
pub const SEIZURE_DAYS: u32 = 30;

/// 情况复杂的，经行政机关负责人批准，可以延长，但是延长期限不得超过三十日 (行政强制法 Art. 25 ¶1).
pub const SEIZURE_EXTENSION_DAYS: u32 = 30;

/// An emergency measure taken without prior approval is reported to the head within 24 hours
/// and approved afterwards (行政强制法 Art. 19): one calendar day.
pub const EMERGENCY_APPROVAL_DAYS: i64 = 1;

/// 强制拆除 waits until the party can no longer apply for 行政复议: sixty days from knowing of
/// the decision (行政复议法 (2023) Art. 20 ¶1; 行政强制法 Art. 44).
pub const RECONSIDERATION_WINDOW_DAYS: u32 = 60;

/// 行政机关不得在夜间或者法定节假日实施行政强制执行 (行政强制法 Art. 43 ¶1). The statute does not
/// define 夜间; 噪声污染防治法 (2022) Art. 88 does: from 22:00 to 06:00 the next morning.
pub const NIGHT_STARTS_HOUR: u32 = 22;
pub const NIGHT_ENDS_HOUR: u32 = 6;

/// 代履行三日前，催告当事人履行 (行政强制法 Art. 51(2)); working days (Art. 69: periods of ten
/// days or less). The performance may come on `add_workdays(urged_on, 3)` at the earliest.
pub const SUBSTITUTE_NOTICE_WORKDAYS: u32 = 3;

/// 行政处罚法 Art. 51: on-the-spot (简易程序) fines up to 200 yuan for a citizen.
pub const SIMPLE_MAX_FINE_PERSON_FEN: i64 = 200_00;

/// 行政处罚法 Art. 51: on-the-spot fines up to 3,000 yuan for a legal person or other
/// organisation.
pub const SIMPLE_MAX_FINE_ORGANISATION_FEN: i64 = 3_000_00;

/// 行政处罚法 Art. 57 ¶2: serious cases are decided by the agency's 负责人 *collectively*. The
/// law sets no quorum; minutes with fewer than three of the leadership are not a collective
/// discussion in the bureau's practice [M], so the engine asks for at least this many.
pub const MIN_DISCUSSION_ATTENDEES: usize = 3;

/// 住房和城乡建设行政处罚程序规定 (住建部令第55号) Art. 15: a lead is checked and filed or refused
/// within 15 days of its discovery or receipt (calendar days: the rule defines no working days).
pub const LEAD_CHECK_DAYS: u32 = 15;

/// 住建部令第55号 Art. 15: +10 days with the 本机关负责人's approval where the check truly cannot
/// be finished in time.
pub const LEAD_CHECK_EXTENSION_DAYS: u32 = 10;

/// 行政处罚法 Art. 36 ¶1: no penalty once two years have passed since the act (or since a
/// continuing act ended) without it being discovered.
pub const LIMITATION_YEARS: u32 = 2;

/// 行政处罚法 Art. 36 ¶1: five years where the act touches 公民生命健康安全 or 金融安全 and has
/// caused harm.
pub const LIMITATION_YEARS_SERIOUS: u32 = 5;

/// 行政处罚法 Art. 64(1): the party asks for a hearing within 5 (working, Art. 85) days of being
/// told of the right.
pub const HEARING_REQUEST_WORKDAYS: u32 = 5;

/// 行政处罚法 Art. 64(2): the party is told of the hearing's time and place 7 (working, Art. 85)
/// days before it.
pub const HEARING_NOTICE_WORKDAYS: u32 = 7;

/// 行政处罚法 Art. 60: the decision within 90 (calendar) days of filing, unless a law, regulation or
/// rule provides otherwise.
pub const DECISION_DAYS: u32 = 90;

/// 行政处罚法 Art. 61: a decision not handed over when it is announced is served within 7
/// (working, Art. 85) days under 民事诉讼法.
pub const SERVICE_WORKDAYS: u32 = 7;

/// 行政处罚法 Art. 67 ¶3: the party pays within 15 (calendar) days of receiving the decision.
pub const PAYMENT_DAYS: u32 = 15;

/// 先行登记保存: the bureau decides what becomes of the preserved evidence within seven days
/// (行政处罚法 Art. 56), working days (Art. 85: 七日以内 are working days).
pub const PRESERVATION_DECISION_WORKDAYS: u32 = 7;

/// 公告送达: the document counts as served thirty days after the announcement
/// (民事诉讼法 Art. 95, applied by 行政处罚法 Art. 61 ¶1), and every period that runs from
/// service runs from then.
pub const ANNOUNCEMENT_SERVICE_DAYS: i64 = 30;

/// 行政处罚法 Art. 72(1): 加处罚款 of 3 % of the fine per day overdue, in basis points of the fine;
/// the total may not exceed the fine (行政强制法 Art. 45 ¶2).
pub const SURCHARGE_BASIS_POINTS_PER_DAY: i64 = 300;

/// A bureau without its own enforcement power applies to the court within 3 months from the end
/// of the party's period to challenge the decision (行政强制法 Art. 53: 自期限届满之日起三个月内;
/// 最高人民法院关于适用《中华人民共和国行政诉讼法》的解释 (法释〔2018〕1号) Art. 156: from the end of
/// the statutory period to sue), not from the end of the period to pay.
pub const COURT_ENFORCEMENT_MONTHS: u32 = 3;

/// Before applying to the court the bureau serves a 催告书; it may apply once ten days have
/// passed since (行政强制法 Art. 54), working days (Art. 69: 十日以内期限 are working days).
pub const COURT_URGE_WORKDAYS: u32 = 10;

/// After a 复议 decision the party may sue within fifteen days of receiving it (行政诉讼法
/// Art. 45).
pub const SUIT_AFTER_RECONSIDERATION_DAYS: u32 = 15;

/// 行政复议法 (2023) Art. 20: 60 days to apply for 复议 from when the party knew of the decision.
pub const RECONSIDERATION_DAYS: u32 = 60;

/// 行政诉讼法 Art. 46: six months to sue from when the party knew of the decision; 强制拆除 and an
/// application to the court wait for it (行政强制法 Arts. 44, 53).
pub const LAWSUIT_MONTHS: u32 = 6;

/// 行政复议法 (2023) Art. 48: the respondent (the bureau) submits its written reply and the
/// evidence within 10 (working, Art. 88) days of receiving the copy of the application.
pub const RECONSIDERATION_REPLY_WORKDAYS: u32 = 10;

/// 行政复议法 (2023) Arts. 53–54: in the simple procedure (a warning, 通报批评, an amount of
/// 3,000 yuan or less, government information, or the parties' consent) the respondent replies
/// within 5 (working, Art. 88) days of receiving the copy.
pub const RECONSIDERATION_REPLY_SIMPLE_WORKDAYS: u32 = 5;

/// 行政诉讼法 Art. 67: the defendant submits the evidence, the legal basis and its defence
/// (答辩状) within 15 (calendar) days of receiving the copy of the complaint.
pub const LAWSUIT_DEFENCE_DAYS: u32 = 15;

/// A time that may be left out of the 90 days of 行政处罚法 Art. 60 (听证, 检测鉴定, 公告送达).
/// Art. 60 allows another period only where a law, regulation or rule provides one; none was
/// found for 城管 (law-and-standards §1.4), so no kind is excluded unless the legal office turns
/// it on in [`CaseRules`] with the rule that allows it (written in `source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExcludedPeriod {
    /// From the party's request for a hearing to the hearing (recorded by the engine itself).
    Hearing,
    /// 检测、检验、鉴定 (recorded by the case officer with its dates).
    Testing,
    /// 公告送达: the thirty days an announcement takes to serve (recorded with its dates).
    Announcement,
}

impl ExcludedPeriod {
    pub const ALL: [ExcludedPeriod; 3] =
        [ExcludedPeriod::Hearing, ExcludedPeriod::Testing, ExcludedPeriod::Announcement];
    pub fn code(self) -> &'static str {
        match self {
            ExcludedPeriod::Hearing => "hearing",
            ExcludedPeriod::Testing => "testing",
            ExcludedPeriod::Announcement => "announcement",
        }
    }
    pub fn parse(s: &str) -> Option<ExcludedPeriod> {
        ExcludedPeriod::ALL.into_iter().find(|k| k.code() == s)
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            ExcludedPeriod::Hearing => "听证",
            ExcludedPeriod::Testing => "检测、检验、鉴定",
            ExcludedPeriod::Announcement => "公告送达",
        }
    }
}

/// Values the law leaves to a province or to the bureau. One row per province in the
/// `case_rules` table; each value carries the source that set it and whether that source was
/// verified, so a legal officer can see which numbers still need checking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRules {
    pub province: String,
    /// How many working days the advance notice gives the party to state and defend
    /// (陈述、申辩). 行政处罚法 Arts. 44–45 give the right but no period; the bureau's
    /// 事先告知书 states one. Local practice is three working days [M].
    pub statement_workdays: u32,
    /// 较大数额 fines that open the right to a hearing (行政处罚法 Art. 63(1)), set per province:
    /// for a citizen, an organisation, and any party for an act in a business activity.
    pub hearing_fine_person_fen: i64,
    pub hearing_fine_organisation_fen: i64,
    pub hearing_fine_business_fen: i64,
    /// The bureau's 重大执法决定法制审核目录清单: fines at or above these make a case major
    /// (国办发〔2018〕118号; 行政处罚法 Art. 58(1)).
    pub major_fine_person_fen: i64,
    pub major_fine_organisation_fen: i64,
    /// 行政处罚法 Art. 60 allows other periods only where a law, regulation or rule provides them;
    /// no such article was found for 城管 (law-and-standards §1.4), so extension is off (0) unless
    /// the legal office enters the rule that allows it.
    pub decision_extension_max_days: u32,
    /// The times left out of the 90 days (none unless a rule provides them; see
    /// [`ExcludedPeriod`]).
    #[serde(default)]
    pub decision_excluded: Vec<ExcludedPeriod>,
    /// Whether on-the-spot (简易程序) penalties are published too. 行政处罚法 Art. 48 asks for the
    /// decisions with a social impact; the law's default leaves the small sums on the spot out,
    /// and a bureau may choose to publish them (`disclosure::must_publish`). Applies to
    /// decisions made after the change.
    #[serde(default)]
    pub publish_simple_decisions: bool,
    /// Where the values come from, in words, for the settings page.
    pub source: String,
}

impl CaseRules {
    /// The hearing threshold that applies to a party.
    pub fn hearing_threshold_fen(&self, organisation: bool, business: bool) -> i64 {
        let base =
            if organisation { self.hearing_fine_organisation_fen } else { self.hearing_fine_person_fen };
        if business { self.hearing_fine_business_fen.max(base) } else { base }
    }

    pub fn major_threshold_fen(&self, organisation: bool) -> i64 {
        if organisation { self.major_fine_organisation_fen } else { self.major_fine_person_fen }
    }

    /// The rules the demo bureau and the tests start from: 江苏 hearing thresholds of the old
    /// 《江苏省行政处罚听证程序规则（试行）》 [S, possibly superseded], example major thresholds.
    pub fn jiangsu_default() -> CaseRules {
        CaseRules {
            province: "江苏".to_owned(),
            statement_workdays: 3,
            hearing_fine_person_fen: 500_00,
            hearing_fine_organisation_fen: 1_000_00,
            hearing_fine_business_fen: 20_000_00,
            major_fine_person_fen: 5_000_00,
            major_fine_organisation_fen: 50_000_00,
            decision_extension_max_days: 0,
            decision_excluded: Vec::new(),
            publish_simple_decisions: false,
            source: "听证：《江苏省行政处罚听证程序规则（试行）》（可能已被取代，待法制科核对）；\
                     重大案件：本局重大执法决定法制审核目录清单（示例值）；陈述申辩期：本局告知书惯例"
                .to_owned(),
        }
    }
}

/// The province's rules as an administrator types them (amounts in yuan), from a form or JSON.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CaseRulesInput {
    #[serde(default)]
    pub province: String,
    #[serde(default)]
    pub statement_workdays: String,
    #[serde(default)]
    pub hearing_fine_person: String,
    #[serde(default)]
    pub hearing_fine_organisation: String,
    #[serde(default)]
    pub hearing_fine_business: String,
    #[serde(default)]
    pub major_fine_person: String,
    #[serde(default)]
    pub major_fine_organisation: String,
    #[serde(default)]
    pub decision_extension_max_days: String,
    /// Checkboxes (`on` or `true`): which times are left out of the 90 days.
    #[serde(default)]
    pub exclude_hearing: String,
    #[serde(default)]
    pub exclude_testing: String,
    #[serde(default)]
    pub exclude_announcement: String,
    /// A checkbox (`on` or `true`): publish on-the-spot penalties too.
    #[serde(default)]
    pub publish_simple: String,
    /// The instruments the values come from: without a source a value cannot be checked.
    #[serde(default)]
    pub source: String,
}

/// The longest statement period a notice may give, in working days: a bound against typing
/// errors, not a statutory number (the law sets none, Arts. 44–45).
const MAX_STATEMENT_WORKDAYS: u32 = 15;

/// No other period may be longer than the 90 days of 行政处罚法 Art. 60 itself (a bound against
/// typing errors; the value must come from a law, regulation or rule).
const MAX_DECISION_EXTENSION_DAYS: u32 = DECISION_DAYS;

impl CaseRulesInput {
    pub fn of(rules: &CaseRules) -> CaseRulesInput {
        let money = |fen: i64| yuan(fen).trim_end_matches(".00").to_owned();
        CaseRulesInput {
            province: rules.province.clone(),
            statement_workdays: rules.statement_workdays.to_string(),
            hearing_fine_person: money(rules.hearing_fine_person_fen),
            hearing_fine_organisation: money(rules.hearing_fine_organisation_fen),
            hearing_fine_business: money(rules.hearing_fine_business_fen),
            major_fine_person: money(rules.major_fine_person_fen),
            major_fine_organisation: money(rules.major_fine_organisation_fen),
            decision_extension_max_days: rules.decision_extension_max_days.to_string(),
            exclude_hearing: ticked(rules, ExcludedPeriod::Hearing),
            exclude_testing: ticked(rules, ExcludedPeriod::Testing),
            exclude_announcement: ticked(rules, ExcludedPeriod::Announcement),
            publish_simple: if rules.publish_simple_decisions { "on".to_owned() } else { String::new() },
            source: rules.source.clone(),
        }
    }

    pub fn parse(&self) -> Result<CaseRules, crate::domain::fields::FieldErrors> {
        let mut errors = crate::domain::fields::FieldErrors::default();
        let mut amount = |raw: &str, field: &'static str| -> i64 {
            match parse_yuan(raw) {
                Some(fen) if fen > 0 => fen,
                _ => {
                    errors.add(field, "amount_invalid", "请填写大于 0 的金额（元，最多两位小数）");
                    0
                }
            }
        };
        let hearing_fine_person_fen = amount(&self.hearing_fine_person, "hearing_fine_person");
        let hearing_fine_organisation_fen =
            amount(&self.hearing_fine_organisation, "hearing_fine_organisation");
        let hearing_fine_business_fen = amount(&self.hearing_fine_business, "hearing_fine_business");
        let major_fine_person_fen = amount(&self.major_fine_person, "major_fine_person");
        let major_fine_organisation_fen = amount(&self.major_fine_organisation, "major_fine_organisation");
        let statement_workdays = match self.statement_workdays.trim().parse::<u32>() {
            Ok(n) if (1..=MAX_STATEMENT_WORKDAYS).contains(&n) => n,
            _ => {
                errors.add(
                    "statement_workdays",
                    "days_invalid",
                    format!("陈述申辩期为 1–{MAX_STATEMENT_WORKDAYS} 个工作日"),
                );
                0
            }
        };
        let decision_extension_max_days = match self.decision_extension_max_days.trim().parse::<u32>() {
            Ok(n) if n <= MAX_DECISION_EXTENSION_DAYS => n,
            _ => {
                errors.add(
                    "decision_extension_max_days",
                    "days_invalid",
                    format!("延长天数为 0–{MAX_DECISION_EXTENSION_DAYS} 日（0 为不启用）"),
                );
                0
            }
        };
        let province = self.province.trim();
        if province.is_empty() || province.chars().count() > 20 {
            errors.add("province", "invalid", "请填写省份（不超过 20 字）");
        }
        let source = self.source.trim();
        if source.is_empty() || source.chars().count() > 1000 {
            errors.add("source", "source_required", "请写明各项数值的依据（文件名称、文号），不超过 1000 字");
        }
        errors.into_result()?;
        Ok(CaseRules {
            province: province.to_owned(),
            statement_workdays,
            hearing_fine_person_fen,
            hearing_fine_organisation_fen,
            hearing_fine_business_fen,
            major_fine_person_fen,
            major_fine_organisation_fen,
            decision_extension_max_days,
            decision_excluded: [
                (&self.exclude_hearing, ExcludedPeriod::Hearing),
                (&self.exclude_testing, ExcludedPeriod::Testing),
                (&self.exclude_announcement, ExcludedPeriod::Announcement),
            ]
            .into_iter()
            .filter(|(raw, _)| is_ticked(raw))
            .map(|(_, kind)| kind)
            .collect(),
            publish_simple_decisions: is_ticked(&self.publish_simple),
            source: source.to_owned(),
        })
    }
}

fn is_ticked(raw: &str) -> bool {
    matches!(raw.trim(), "on" | "true" | "1")
}

fn ticked(rules: &CaseRules, kind: ExcludedPeriod) -> String {
    if rules.decision_excluded.contains(&kind) { "on".to_owned() } else { String::new() }
}

/// Parses an amount in yuan as typed (`1200`, `1200.5`, `1,200.50`) into fen.
pub fn parse_yuan(text: &str) -> Option<i64> {
    let cleaned: String = text.trim().chars().filter(|c| *c != ',' && *c != '，').collect();
    if cleaned.is_empty() {
        return None;
    }
    let (whole, fraction) = match cleaned.split_once('.') {
        Some((w, f)) => (w, f),
        None => (cleaned.as_str(), ""),
    };
    if whole.is_empty()
        || whole.len() > 12
        || !whole.chars().all(|c| c.is_ascii_digit())
        || fraction.len() > 2
        || !fraction.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let yuan: i64 = whole.parse().ok()?;
    let fen: i64 = format!("{fraction:0<2}").parse().ok()?;
    yuan.checked_mul(100)?.checked_add(fen)
}

/// An amount in fen as yuan with two decimals.
pub fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, (fen % 100).abs())
}

/// 加处罚款 owed after `days_overdue` days: 3 % of the fine per day, never more than the fine.
pub fn surcharge_fen(fine_fen: i64, days_overdue: i64) -> i64 {
    if days_overdue <= 0 || fine_fen <= 0 {
        return 0;
    }
    let uncapped =
        fine_fen.saturating_mul(SURCHARGE_BASIS_POINTS_PER_DAY).saturating_mul(days_overdue) / 10_000;
    uncapped.min(fine_fen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn yuan_amounts_parse_exactly() {
        assert_eq!(parse_yuan("200"), Some(20_000));
        assert_eq!(parse_yuan("1,200.5"), Some(120_050));
        assert_eq!(parse_yuan("0.05"), Some(5));
        assert_eq!(parse_yuan("1.234"), None);
        assert_eq!(parse_yuan("-3"), None);
        assert_eq!(parse_yuan(""), None);
        assert_eq!(parse_yuan("abc"), None);
        assert_eq!(yuan(120_050), "1200.50");
    }

    #[test]
    fn surcharge_is_three_percent_a_day_capped_at_the_fine() {
        assert_eq!(surcharge_fen(1_000_00, 0), 0);
        assert_eq!(surcharge_fen(1_000_00, 1), 30_00);
        assert_eq!(surcharge_fen(1_000_00, 10), 300_00);
        // 34 days would be 102 %: capped at the fine (行政强制法 Art. 45 ¶2).
        assert_eq!(surcharge_fen(1_000_00, 34), 1_000_00);
    }

    proptest! {
        #[test]
        fn surcharge_never_exceeds_the_fine(fine in 0i64..10_000_000_00, days in -5i64..10_000) {
            let s = surcharge_fen(fine, days);
            prop_assert!(s >= 0 && s <= fine);
        }
    }

    #[test]
    fn business_activity_uses_the_higher_hearing_threshold() {
        let rules = CaseRules::jiangsu_default();
        assert_eq!(rules.hearing_threshold_fen(false, false), 500_00);
        assert_eq!(rules.hearing_threshold_fen(true, false), 1_000_00);
        assert_eq!(rules.hearing_threshold_fen(false, true), 20_000_00);
    }
}
