//! Public disclosure of enforcement decisions (issue 18, scope 2): when a decision must be
//! published and withdrawn, and the text the public reads — the decision with personal data
//! taken out by rule, each removal listed with its rule so that the publisher sees them side by
//! side and the audit record says what was removed and why.
//!
//! Pure: the decision's text and the facts about its party in; the redacted text and the list of
//! removals out. The clocks use the working-day calendar like the case clocks.

use chrono::NaiveDate;

use crate::domain::calendar::WorkCalendar;
use crate::domain::case::clocks::{Due, workday_due};

/// A decision of administrative penalty is published within 7 working days of being made
/// (国办发〔2018〕118号, 事后公开: 行政许可、行政处罚的执法决定信息 7 个工作日内公开;
/// 住房和城乡建设部令第55号 Art. 10: 7 days).
pub const PUBLISH_WORKING_DAYS: u32 = 7;

/// A published decision that is changed, revoked, confirmed unlawful or void is withdrawn within
/// 3 working days, with a public explanation (行政处罚法 Art. 48 ¶2: 三日内撤回; days are working
/// days under Art. 85).
pub const WITHDRAW_WORKING_DAYS: u32 = 3;

/// The year's enforcement figures are published by 31 January of the next year (国办发〔2018〕118号:
/// 每年1月31日前公开上年度行政执法总体情况有关数据): the month and the day.
pub const ANNUAL_FIGURES_DUE: (u32, u32) = (1, 31);

/// The last day to publish a decision made on `decided_on`.
pub fn publish_due(calendar: &WorkCalendar, decided_on: NaiveDate) -> Due {
    workday_due(calendar, decided_on, PUBLISH_WORKING_DAYS)
}

/// The last day to withdraw a published decision changed, revoked or found unlawful on `on`.
pub fn withdraw_due(calendar: &WorkCalendar, on: NaiveDate) -> Due {
    workday_due(calendar, on, WITHDRAW_WORKING_DAYS)
}

/// The day by which the figures of `year` are due.
pub fn annual_figures_due(year: i32) -> NaiveDate {
    let (month, day) = ANNUAL_FIGURES_DUE;
    NaiveDate::from_ymd_opt(year + 1, month, day).expect("31 January exists")
}

/// Why a piece of text was taken out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedactionRule {
    /// A natural person's name becomes 姓 + 某某 (an organisation keeps its name).
    PersonName,
    /// 居民身份证号码 (18 or 15 characters).
    IdNumber,
    /// A mobile or fixed-line number.
    Phone,
    /// A bank account or card number (a run of 12 or more digits that is not an ID number).
    AccountNumber,
    /// A natural person's address below the district: what follows the district is removed.
    Address,
}

impl RedactionRule {
    pub fn code(self) -> &'static str {
        match self {
            RedactionRule::PersonName => "person_name",
            RedactionRule::IdNumber => "id_number",
            RedactionRule::Phone => "phone",
            RedactionRule::AccountNumber => "account_number",
            RedactionRule::Address => "address",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            RedactionRule::PersonName => "自然人姓名（保留姓氏）",
            RedactionRule::IdNumber => "身份证号码",
            RedactionRule::Phone => "电话号码",
            RedactionRule::AccountNumber => "银行账号",
            RedactionRule::Address => "住址（保留至区县）",
        }
    }
}

/// One removal: what it replaced (in the original's characters) and by which rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    pub rule: RedactionRule,
    /// The original text removed (kept for the publisher's side-by-side view, never published).
    pub original: String,
    /// What stands in its place.
    pub replacement: String,
}

/// The text to publish and what was taken out of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted {
    pub text: String,
    pub removals: Vec<Removal>,
}

/// What redaction needs to know about the party of a decision.
#[derive(Debug, Clone, Default)]
pub struct PartyFacts {
    /// Whether the party is a natural person (an organisation's name is published).
    pub natural_person: bool,
    pub name: String,
    /// The party's addresses as recorded (a natural person's are cut at the district).
    pub addresses: Vec<String>,
    /// Other natural persons the text names (a legal representative, a witness).
    pub other_people: Vec<String>,
}

/// Two-character surnames (复姓) that stay whole in 姓 + 某某.
const COMPOUND_SURNAMES: [&str; 16] = [
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯",
    "令狐", "端木", "独孤",
];

/// `张三` → `张某某`, `欧阳明` → `欧阳某某`.
pub fn pseudonym(name: &str) -> String {
    let name = name.trim();
    let surname = COMPOUND_SURNAMES
        .iter()
        .find(|s| name.starts_with(**s) && name.chars().count() > 2)
        .map_or_else(|| name.chars().take(1).collect::<String>(), |s| (*s).to_owned());
    format!("{surname}某某")
}

/// A natural person's address kept to its district: `江苏省常州市钟楼区南大街88号` →
/// `江苏省常州市钟楼区`; an address without a 区/县/市 is removed whole.
fn district_of(address: &str) -> String {
    let chars: Vec<char> = address.chars().collect();
    match chars
        .iter()
        .rposition(|c| matches!(c, '区' | '县'))
        .or_else(|| chars.iter().rposition(|c| *c == '市'))
    {
        Some(at) if at + 1 < chars.len() => chars[..=at].iter().collect(),
        _ => String::new(),
    }
}

const REMOVED: &str = "（已隐去）";

/// Takes personal data out of a decision's text by rule: the party's and other people's names
/// (natural persons only), their addresses below the district, and every ID, phone and account
/// number wherever it stands.
pub fn redact(text: &str, party: &PartyFacts) -> Redacted {
    let mut removals = Vec::new();
    let mut out = text.to_owned();
    // Longer strings first, so that an address is cut before a name inside it is.
    let mut replacements: Vec<(String, String, RedactionRule)> = Vec::new();
    if party.natural_person {
        for address in party.addresses.iter().filter(|a| !a.trim().is_empty()) {
            let kept = district_of(address);
            let replacement = if kept.is_empty() { REMOVED.to_owned() } else { format!("{kept}{REMOVED}") };
            replacements.push((address.trim().to_owned(), replacement, RedactionRule::Address));
        }
        if !party.name.trim().is_empty() {
            replacements.push((
                party.name.trim().to_owned(),
                pseudonym(&party.name),
                RedactionRule::PersonName,
            ));
        }
    }
    for person in party.other_people.iter().filter(|p| !p.trim().is_empty()) {
        replacements.push((person.trim().to_owned(), pseudonym(person), RedactionRule::PersonName));
    }
    replacements.sort_by_key(|(original, _, _)| std::cmp::Reverse(original.chars().count()));
    for (original, replacement, rule) in replacements {
        if out.contains(&original) {
            out = out.replace(&original, &replacement);
            removals.push(Removal { rule, original, replacement });
        }
    }
    let (text, numbers) = redact_numbers(&out);
    removals.extend(numbers);
    Redacted { text, removals }
}

/// Every run of digits that is an ID, phone or account number, replaced.
fn redact_numbers(text: &str) -> (String, Vec<Removal>) {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut removals = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() || (i > 0 && chars[i - 1].is_ascii_alphanumeric()) {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // A run of digits with single dashes or spaces inside, and an ID number's final X.
        let mut j = i;
        let mut digits = String::new();
        while j < chars.len() {
            if chars[j].is_ascii_digit() {
                digits.push(chars[j]);
                j += 1;
            } else if matches!(chars[j], '-' | ' ') && j + 1 < chars.len() && chars[j + 1].is_ascii_digit() {
                j += 1;
            } else if matches!(chars[j], 'X' | 'x') && digits.len() == 17 {
                digits.push('X');
                j += 1;
                break;
            } else {
                break;
            }
        }
        let rule = number_rule(&digits);
        let original: String = chars[i..j].iter().collect();
        match rule {
            Some(rule) => {
                out.push_str(REMOVED);
                removals.push(Removal { rule, original, replacement: REMOVED.to_owned() });
            }
            None => out.push_str(&original),
        }
        i = j;
    }
    (out, removals)
}

/// Which rule a run of digits falls under, if any (amounts, dates and article numbers stay).
fn number_rule(digits: &str) -> Option<RedactionRule> {
    let n = digits.len();
    if (n == 18 && digits[..17].bytes().all(|b| b.is_ascii_digit())) || (n == 15 && !digits.starts_with('0'))
    {
        return Some(RedactionRule::IdNumber);
    }
    if n == 11
        && digits.starts_with('1')
        && digits.as_bytes()[1].is_ascii_digit()
        && digits.as_bytes()[1] >= b'3'
    {
        return Some(RedactionRule::Phone);
    }
    // A fixed line with its area code (0519-86123456) or alone (8 digits after a 0-led code).
    if (10..=12).contains(&n) && digits.starts_with('0') {
        return Some(RedactionRule::Phone);
    }
    if n >= 12 {
        return Some(RedactionRule::AccountNumber);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::parse_arrangements;

    fn calendar() -> WorkCalendar {
        let (years, days) = parse_arrangements(include_str!("../../data/holidays.tsv")).unwrap();
        WorkCalendar::new(years.into_iter().map(|(y, _)| y), days.into_iter().map(|s| (s.date, s.kind)))
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_decision_is_published_in_seven_working_days_and_withdrawn_in_three() {
        let calendar = calendar();
        // Decided on Friday 25 September 2026: the National Day holiday (1–7 October) does not
        // count, and the make-up working days do.
        let due = publish_due(&calendar, d("2026-09-25"));
        let expected = calendar.add_workdays(d("2026-09-25"), 7).unwrap();
        assert_eq!(due, Due::Known { on: expected });
        assert!(expected > d("2026-10-07"), "the holiday is not counted: {expected}");
        assert_eq!(withdraw_due(&calendar, d("2026-11-16")), Due::Known { on: d("2026-11-19") });
        assert_eq!(annual_figures_due(2026), d("2027-01-31"));
    }

    #[test]
    fn a_persons_name_keeps_the_surname_and_a_compound_one_stays_whole() {
        assert_eq!(pseudonym("王小明"), "王某某");
        assert_eq!(pseudonym("欧阳明"), "欧阳某某");
        assert_eq!(pseudonym("欧阳"), "欧某某", "a two-character name is 姓 + 名");
    }

    #[test]
    fn a_decision_loses_the_persons_data_but_keeps_amounts_dates_and_articles() {
        let party = PartyFacts {
            natural_person: true,
            name: "王小明".into(),
            addresses: vec!["江苏省常州市钟楼区南大街88号".into()],
            other_people: vec![],
        };
        let text = "当事人：王小明，身份证号码：32040219900307123X，住址：江苏省常州市钟楼区南大街88号，\
                    联系电话：13912345678、0519-86123456。王小明于2026年3月1日在南大街设摊，\
                    依据《城市市容和环境卫生管理条例》第三十四条，罚款200元，缴至账户6222021234567890123。";
        let redacted = redact(text, &party);
        for gone in
            ["王小明", "32040219900307123X", "南大街88号", "13912345678", "86123456", "6222021234567890123"]
        {
            assert!(!redacted.text.contains(gone), "{gone} is still in: {}", redacted.text);
        }
        for kept in [
            "王某某",
            "江苏省常州市钟楼区（已隐去）",
            "2026年3月1日",
            "第三十四条",
            "罚款200元",
            "在南大街设摊",
        ] {
            assert!(redacted.text.contains(kept), "{kept} is missing: {}", redacted.text);
        }
        let rules: Vec<&str> = redacted.removals.iter().map(|r| r.rule.code()).collect();
        assert_eq!(rules, ["address", "person_name", "id_number", "phone", "phone", "account_number"]);
    }

    #[test]
    fn an_organisation_keeps_its_name_and_address_but_not_its_people() {
        let party = PartyFacts {
            natural_person: false,
            name: "常州市某某餐饮有限公司".into(),
            addresses: vec!["钟楼区西直街1号".into()],
            other_people: vec!["李四海".into()],
        };
        let redacted =
            redact("当事人：常州市某某餐饮有限公司，地址：钟楼区西直街1号，法定代表人：李四海。", &party);
        assert_eq!(
            redacted.text,
            "当事人：常州市某某餐饮有限公司，地址：钟楼区西直街1号，法定代表人：李某某。"
        );
        assert_eq!(redacted.removals.len(), 1);
    }
}
