//! Public disclosure of enforcement decisions (issue 18, scope 2): when a decision must be
//! published and withdrawn, and the text the public reads — the decision with personal data
//! taken out by rule, each removal listed with its rule so that the publisher sees them side by
//! side and the audit record says what was removed and why.
//!
//! Pure: the decision's text and the facts about its party in; the redacted text and the list of
//! removals out. The clocks use the working-day calendar like the case clocks.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::calendar::WorkCalendar;
use crate::domain::case::clocks::{ClockStatus, Due, status_of, workday_due};
use crate::domain::case::{Outcome, Procedure};
use crate::domain::fields::FieldErrors;

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

/// Whether a decision must be published (行政处罚法 Art. 48 ¶1: 具有一定社会影响的行政处罚决定应当
/// 依法公开; 国办发〔2018〕118号: the decisions of the 事后公开 list): by the law's default every
/// penalty decided under the general procedure; an on-the-spot (简易程序) fine only when the bureau
/// chooses it (`publish_simple`), as its small sums on the spot rarely have a social impact. A
/// decision not to punish or a transfer to the judiciary is not a penalty decision.
pub fn must_publish(procedure: Procedure, outcome: Outcome, publish_simple: bool) -> bool {
    outcome == Outcome::Penalty && (procedure == Procedure::General || publish_simple)
}

/// The longest decision text the register keeps (a 决定书 runs to a few pages).
pub const MAX_TEXT_CHARS: usize = 20_000;

/// Where a decision stands in the publication register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DisclosureState {
    /// Decided, to be published within [`PUBLISH_WORKING_DAYS`].
    Pending,
    /// On the portal.
    Published,
    /// Not published, with its basis and reason (a decision the register holds but the law
    /// keeps from the public).
    Withheld,
    /// Taken off the portal after the decision was changed, revoked or found unlawful or void;
    /// the portal keeps the notice of withdrawal and its reason.
    Withdrawn,
}

impl DisclosureState {
    pub const ALL: [DisclosureState; 4] = [
        DisclosureState::Pending,
        DisclosureState::Published,
        DisclosureState::Withheld,
        DisclosureState::Withdrawn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DisclosureState::Pending => "pending",
            DisclosureState::Published => "published",
            DisclosureState::Withheld => "withheld",
            DisclosureState::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(code: &str) -> Option<DisclosureState> {
        DisclosureState::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            DisclosureState::Pending => "待公开",
            DisclosureState::Published => "已公开",
            DisclosureState::Withheld => "不予公开",
            DisclosureState::Withdrawn => "已撤回",
        }
    }
}

/// Why a published decision is withdrawn: the four grounds of 行政处罚法 Art. 48 ¶2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WithdrawGround {
    /// 被依法变更
    Changed,
    /// 被依法撤销
    Revoked,
    /// 被确认违法
    Unlawful,
    /// 被确认无效
    Void,
}

impl WithdrawGround {
    pub const ALL: [WithdrawGround; 4] =
        [WithdrawGround::Changed, WithdrawGround::Revoked, WithdrawGround::Unlawful, WithdrawGround::Void];

    pub fn code(self) -> &'static str {
        match self {
            WithdrawGround::Changed => "changed",
            WithdrawGround::Revoked => "revoked",
            WithdrawGround::Unlawful => "unlawful",
            WithdrawGround::Void => "void",
        }
    }

    pub fn parse(code: &str) -> Option<WithdrawGround> {
        WithdrawGround::ALL.into_iter().find(|g| g.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            WithdrawGround::Changed => "被依法变更",
            WithdrawGround::Revoked => "被依法撤销",
            WithdrawGround::Unlawful => "被确认违法",
            WithdrawGround::Void => "被确认无效",
        }
    }
}

/// Why a decision the rule selects is not published: each basis names the article that allows
/// it, and the reason in words is required besides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WithholdBasis {
    /// 涉及国家秘密 (政府信息公开条例 Art. 14; 行政处罚法 Art. 50).
    StateSecret,
    /// 涉及商业秘密、个人隐私，公开会对第三方合法权益造成损害 (政府信息公开条例 Art. 15).
    SecretOrPrivacy,
    /// 不具有一定社会影响 (行政处罚法 Art. 48 ¶1 asks for those that have one), with the reason.
    NoSocialImpact,
    /// The decision was revoked or changed before it was published: there is nothing to publish,
    /// and the new decision has its own entry.
    SupersededBeforePublication,
}

impl WithholdBasis {
    pub const ALL: [WithholdBasis; 4] = [
        WithholdBasis::StateSecret,
        WithholdBasis::SecretOrPrivacy,
        WithholdBasis::NoSocialImpact,
        WithholdBasis::SupersededBeforePublication,
    ];

    pub fn code(self) -> &'static str {
        match self {
            WithholdBasis::StateSecret => "state_secret",
            WithholdBasis::SecretOrPrivacy => "secret_or_privacy",
            WithholdBasis::NoSocialImpact => "no_social_impact",
            WithholdBasis::SupersededBeforePublication => "superseded",
        }
    }

    pub fn parse(code: &str) -> Option<WithholdBasis> {
        WithholdBasis::ALL.into_iter().find(|b| b.code() == code)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            WithholdBasis::StateSecret => "涉及国家秘密（政府信息公开条例第十四条）",
            WithholdBasis::SecretOrPrivacy => "涉及商业秘密、个人隐私（政府信息公开条例第十五条）",
            WithholdBasis::NoSocialImpact => "不具有社会影响（行政处罚法第四十八条第一款）",
            WithholdBasis::SupersededBeforePublication => "公开前已被变更或撤销",
        }
    }
}

/// Which duty a register entry's clock is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Duty {
    /// Publish within [`PUBLISH_WORKING_DAYS`] of the decision.
    Publish,
    /// Withdraw within [`WITHDRAW_WORKING_DAYS`] of the ruling that changed, revoked or voided it.
    Withdraw,
}

impl Duty {
    /// For a table cell.
    pub fn short_zh(self) -> &'static str {
        match self {
            Duty::Publish => "公开",
            Duty::Withdraw => "撤回",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Duty::Publish => "决定公开（7个工作日）",
            Duty::Withdraw => "撤回公开（3个工作日）",
        }
    }
}

/// What a register entry's clock needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DutyFacts {
    pub state: DisclosureState,
    pub decided_on: NaiveDate,
    pub published_on: Option<NaiveDate>,
    /// The day the decision was changed, revoked or found unlawful or void, when recorded.
    pub ruling_on: Option<NaiveDate>,
    pub withdrawn_on: Option<NaiveDate>,
}

/// A register entry's clock: the duty, its last day and how it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DutyClock {
    pub duty: Duty,
    pub due: Due,
    pub status: ClockStatus,
}

impl DutyFacts {
    /// The clock the entry runs on: withdrawal once a ruling is recorded, publication before;
    /// none for an entry withheld.
    pub fn clock(&self, calendar: &WorkCalendar, today: NaiveDate) -> Option<DutyClock> {
        let (duty, due, met) = match (self.state, self.ruling_on) {
            (DisclosureState::Withheld, _) => return None,
            (_, Some(ruling_on)) => (Duty::Withdraw, withdraw_due(calendar, ruling_on), self.withdrawn_on),
            _ => (Duty::Publish, publish_due(calendar, self.decided_on), self.published_on),
        };
        Some(DutyClock { duty, due, status: status_of(due, met, today) })
    }
}

/// A line at least this wide (a CJK character counts two, an ASCII one) was filled by the
/// typesetter and goes on in the next line; a full line of the 决定书 is 28 characters (56).
const FULL_LINE_WIDTH: usize = 44;

/// The text of an issued document as it reads on the page — wrapped at every line, with page
/// numbers (`— 1 —`) and page breaks — joined back into its paragraphs, so that a name, an
/// address or a number broken across two lines is found whole by [`redact`]. A line ending in
/// 。；：！？ or short of a full line ends its paragraph.
pub fn reflow(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut continues = false;
    for line in text.lines().map(str::trim) {
        let folio = line.starts_with('—')
            && line.ends_with('—')
            && line.trim_matches(|c: char| c == '—' || c == ' ').bytes().all(|b| b.is_ascii_digit());
        if line.is_empty() || line == "\u{c}" || folio {
            continue;
        }
        if !continues && !out.is_empty() {
            out.push('\n');
        }
        out.push_str(line);
        let width: usize = line.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
        continues = width >= FULL_LINE_WIDTH && !line.ends_with(['。', '；', '：', '！', '？']);
    }
    out
}

/// The text a publisher sends: the redacted decision as they read it (they may take out more).
/// Refused when any ID, phone or account number, a natural person's full name or their full
/// address is still in it, naming what was found; the publisher removes it and sends again.
pub fn check_public_text(field: &'static str, text: &str, party: &PartyFacts) -> Result<String, FieldErrors> {
    let text = text.trim();
    if text.is_empty() {
        return Err(FieldErrors::single(field, "required", "请填写公开的文本"));
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(FieldErrors::single(field, "too_long", format!("文本不能超过 {MAX_TEXT_CHARS} 字")));
    }
    // The pseudonyms already in the text are not names left: `王某` must not be found in `王某某`.
    // Line breaks are ignored, so that a name or a number broken across two lines is found.
    let mut probe = text.replace(['\n', '\r'], "");
    for name in std::iter::once(&party.name).chain(&party.other_people).filter(|n| !n.trim().is_empty()) {
        probe = probe.replace(&pseudonym(name), "〇");
    }
    let left = redact(&probe, party).removals;
    if let Some(first) = left.first() {
        let kinds: Vec<&str> = {
            let mut k: Vec<&str> = left.iter().map(|r| r.rule.name_zh()).collect();
            k.dedup();
            k
        };
        return Err(FieldErrors::single(
            field,
            "personal_data_left",
            format!(
                "文本仍含个人信息（{}），如“{}”：请隐去后再公开",
                kinds.join("、"),
                mask_hint(&first.original)
            ),
        ));
    }
    Ok(text.to_owned())
}

/// Enough of what was found for the publisher to find it, without echoing the whole number into
/// an error message (and from there into logs).
fn mask_hint(found: &str) -> String {
    let chars: Vec<char> = found.chars().collect();
    if chars.len() <= 2 {
        return found.to_owned();
    }
    let keep =
        if chars.iter().all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | 'X' | 'x')) { 3 } else { 1 };
    let head: String = chars.iter().take(keep).collect();
    format!("{head}{}", "*".repeat(chars.len() - keep))
}

fn bounded(errors: &mut FieldErrors, field: &'static str, raw: &str, max: usize, what: &str) -> String {
    let text = raw.trim();
    if text.is_empty() {
        errors.add(field, "required", format!("请填写{what}"));
    } else if text.chars().count() > max {
        errors.add(field, "too_long", format!("{what}不能超过 {max} 字"));
    }
    text.to_owned()
}

/// 不予公开 as the publisher enters it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct WithholdInput {
    /// `state_secret`, `secret_or_privacy`, `no_social_impact` or `superseded`.
    #[schema(example = "secret_or_privacy")]
    pub basis: String,
    #[schema(max_length = 500, pattern = "\\S")]
    pub reason: String,
}

/// A decision withheld: the basis and the reason in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withhold {
    pub basis: WithholdBasis,
    pub reason: String,
}

impl WithholdInput {
    pub fn parse(&self) -> Result<Withhold, FieldErrors> {
        let mut errors = FieldErrors::default();
        let basis = WithholdBasis::parse(self.basis.trim());
        if basis.is_none() {
            errors.add("basis", "invalid_value", "请选择不予公开的依据");
        }
        let reason = bounded(&mut errors, "reason", &self.reason, 500, "不予公开的理由");
        errors.into_result()?;
        Ok(Withhold { basis: basis.expect("checked"), reason })
    }
}

/// The ruling that obliges a withdrawal, as the legal office records it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct RulingInput {
    /// `changed`, `revoked`, `unlawful` or `void`.
    #[schema(example = "revoked")]
    pub ground: String,
    /// Who ruled: the 复议机关, the court, or the bureau itself on its own review.
    #[schema(max_length = 100, pattern = "\\S")]
    pub body: String,
    /// `YYYY-MM-DD`: the day the ruling took effect; the three working days run from it.
    #[schema(value_type = String, format = Date)]
    pub on: String,
}

/// A ruling recorded against a published decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ruling {
    pub ground: WithdrawGround,
    pub body: String,
    pub on: NaiveDate,
}

impl RulingInput {
    /// The ruling, on a day between the decision's and today.
    pub fn parse(&self, decided_on: NaiveDate, today: NaiveDate) -> Result<Ruling, FieldErrors> {
        let mut errors = FieldErrors::default();
        let ground = WithdrawGround::parse(self.ground.trim());
        if ground.is_none() {
            errors.add("ground", "invalid_value", "请选择撤回的事由（变更、撤销、确认违法或确认无效）");
        }
        let body = bounded(&mut errors, "body", &self.body, 100, "作出变更、撤销或确认的机关");
        let on = crate::domain::fields::date(&mut errors, "on", &self.on, "生效日期");
        if let Some(on) = on {
            if on < decided_on {
                errors.add("on", "before_decision", "不能早于原决定的日期");
            } else if on > today {
                errors.add("on", "in_future", "不能晚于今天");
            }
        }
        errors.into_result()?;
        Ok(Ruling { ground: ground.expect("checked"), body, on: on.expect("checked") })
    }
}

/// The public explanation a withdrawal carries (Art. 48 ¶2: 撤回并公开说明理由).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct WithdrawInput {
    #[schema(max_length = 500, pattern = "\\S")]
    pub note: String,
}

impl WithdrawInput {
    /// The explanation, which is published: it may carry no personal data either.
    pub fn parse(&self, party: &PartyFacts) -> Result<String, FieldErrors> {
        let mut errors = FieldErrors::default();
        let note = bounded(&mut errors, "note", &self.note, 500, "撤回的说明");
        errors.into_result()?;
        check_public_text("note", &note, party)
    }
}

/// One category's cases in the year: filed, and the decisions of the year by outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CategoryFigures {
    /// The category's code; `name` is its name as the list had it when counted.
    pub category: String,
    pub name: String,
    pub filed: u32,
    pub penalties: u32,
    pub no_penalty: u32,
    pub transfers: u32,
}

/// 行政复议 or 行政诉讼 against the bureau's decisions in the year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ChallengeFigures {
    pub received: u32,
    pub answered: u32,
    pub concluded: u32,
}

/// The year's enforcement figures, published by 31 January of the next year (国办发〔2018〕118号:
/// 每年1月31日前公开上年度行政执法总体情况有关数据). Counts only: no officer, squad or party is
/// named, and the fines appear as the one total the law asks for (行政处罚法 Art. 74 ¶3 keeps
/// fines out of anyone's assessment).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AnnualFigures {
    pub year: i32,
    pub categories: Vec<CategoryFigures>,
    /// Leads checked and not filed (不予立案).
    pub leads_not_filed: u32,
    /// On-the-spot (简易程序) penalties, also counted among their category's penalties.
    pub simple_decisions: u32,
    /// 查封、扣押 (行政强制法 Art. 9(2)).
    pub seizures: u32,
    /// 代履行 decided (行政强制法 Art. 50).
    pub substitutes: u32,
    /// 强制拆除 decided (行政强制法 Art. 44).
    pub demolitions: u32,
    pub reconsiderations: ChallengeFigures,
    pub lawsuits: ChallengeFigures,
    /// Published decisions changed, revoked, or found unlawful or void in the year (the
    /// register's rulings).
    pub decisions_overturned: u32,
    /// Fines paid in full in the year, in fen.
    pub fines_paid_fen: i64,
}

impl AnnualFigures {
    pub fn filed(&self) -> u32 {
        self.categories.iter().map(|c| c.filed).sum()
    }

    pub fn penalties(&self) -> u32 {
        self.categories.iter().map(|c| c.penalties).sum()
    }

    pub fn fines_paid_yuan(&self) -> String {
        crate::domain::case::rules::yuan(self.fines_paid_fen)
    }
}

/// Counts the year's figures over the cases (each with its category's code and name) that had
/// anything happen in the year; `overturned` comes from the publication register.
pub fn annual_figures(
    year: i32,
    cases: &[(String, String, crate::domain::case::Case)],
    overturned: u32,
) -> AnnualFigures {
    use crate::domain::case::Stage;
    use chrono::Datelike;
    let within = |d: Option<NaiveDate>| d.is_some_and(|d| d.year() == year);
    let mut figures = AnnualFigures { year, decisions_overturned: overturned, ..Default::default() };
    for (code, name, case) in cases {
        let at = match figures.categories.iter().position(|c| &c.category == code) {
            Some(at) => at,
            None => {
                figures.categories.push(CategoryFigures {
                    category: code.clone(),
                    name: name.clone(),
                    ..Default::default()
                });
                figures.categories.len() - 1
            }
        };
        let row = &mut figures.categories[at];
        if within(case.filed_on) {
            row.filed += 1;
        }
        if let Some(decision) = case.decision.as_ref().filter(|d| d.on.year() == year) {
            match decision.outcome {
                Outcome::Penalty => {
                    row.penalties += 1;
                    if case.procedure == Procedure::Simple {
                        figures.simple_decisions += 1;
                    }
                }
                Outcome::NoPenalty => row.no_penalty += 1,
                Outcome::Transfer => row.transfers += 1,
            }
        }
        if case.stage == Stage::NotFiled && within(case.closed_on) {
            figures.leads_not_filed += 1;
        }
        figures.seizures += case.seizures.iter().filter(|s| s.on.year() == year).count() as u32;
        figures.substitutes +=
            u32::from(case.substitute.as_ref().is_some_and(|s| s.decided_on.year() == year));
        figures.demolitions += u32::from(within(case.demolition.decided_on));
        for (challenge, counts) in
            [(&case.reconsideration, &mut figures.reconsiderations), (&case.lawsuit, &mut figures.lawsuits)]
        {
            if let Some(c) = challenge {
                counts.received += u32::from(c.received_on.year() == year);
                counts.answered += u32::from(within(c.answered_on));
                counts.concluded += u32::from(within(c.concluded_on));
            }
        }
        if within(case.paid_off_on) {
            figures.fines_paid_fen += case.paid_fen;
        }
    }
    figures.categories.retain(|c| c.filed + c.penalties + c.no_penalty + c.transfers > 0);
    figures.categories.sort_by(|a, b| a.category.cmp(&b.category));
    figures
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
    /// The party's document numbers as recorded, removed wherever they stand: a passport or
    /// other non-ID document (`E12345678`) escapes the digit rules.
    pub documents: Vec<String>,
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
/// `江苏省常州市钟楼区`, `江苏省溧阳市南渡镇1号` → `江苏省溧阳市`. The district is the first 区 or
/// 县 whose name (after the last 省 or 市) has no street word in it, so that `邹区镇` or `小区`
/// further on is not taken for it; an address with neither a district nor a city before its
/// first street word is removed whole.
fn district_of(address: &str) -> String {
    const STREET: &str = "街路道巷村镇乡号弄组栋幢室";
    let chars: Vec<char> = address.trim().chars().collect();
    let street = chars.iter().position(|c| STREET.contains(*c)).unwrap_or(chars.len());
    let mut start = 0;
    let mut city = None;
    for (i, c) in chars.iter().enumerate().take(street) {
        match c {
            '省' => start = i + 1,
            '市' => {
                start = i + 1;
                city = Some(i);
            }
            '区' | '县' if (1..=6).contains(&(i - start)) => {
                return if i + 1 < chars.len() { chars[..=i].iter().collect() } else { String::new() };
            }
            _ => {}
        }
    }
    match city {
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
        // An organisation's 统一社会信用代码 is public; a person's document is not.
        for document in party.documents.iter().filter(|d| d.trim().chars().count() >= 6) {
            replacements.push((document.trim().to_owned(), REMOVED.to_owned(), RedactionRule::IdNumber));
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
    // A name already written as 姓 + 某某 is not taken out again.
    replacements.retain(|(original, replacement, _)| original != replacement);
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
        let bracketed = i > 0 && matches!(chars[i - 1], '(' | '（');
        let mut j = i;
        let mut digits = String::new();
        while j < chars.len() {
            if chars[j].is_ascii_digit() {
                digits.push(chars[j]);
                j += 1;
            } else if matches!(chars[j], '-' | ' ') && j + 1 < chars.len() && chars[j + 1].is_ascii_digit() {
                j += 1;
            } else if matches!(chars[j], ')' | '）')
                && bracketed
                && (3..=4).contains(&digits.len())
                && digits.starts_with('0')
                && j + 1 < chars.len()
                && chars[j + 1].is_ascii_digit()
            {
                // An area code in brackets, `(0519)86123456`: one number.
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
        let whole_bracket = bracketed && chars[i..j].iter().any(|c| matches!(c, ')' | '）'));
        let start = if whole_bracket { i - 1 } else { i };
        let original: String = chars[start..j].iter().collect();
        match rule {
            Some(rule) => {
                if whole_bracket {
                    out.pop();
                }
                out.push_str(REMOVED);
                removals.push(Removal { rule, original, replacement: REMOVED.to_owned() });
            }
            None => out.extend(&chars[i..j]),
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
            ..Default::default()
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
            documents: vec!["91320400MA1XXXXX0Y".into()],
        };
        let redacted = redact(
            "当事人：常州市某某餐饮有限公司，统一社会信用代码91320400MA1XXXXX0Y，地址：钟楼区西直街1号，法定代表人：李四海。",
            &party,
        );
        assert_eq!(
            redacted.text,
            "当事人：常州市某某餐饮有限公司，统一社会信用代码91320400MA1XXXXX0Y，地址：钟楼区西直街1号，法定代表人：李某某。"
        );
        assert_eq!(redacted.removals.len(), 1);
    }

    #[test]
    fn names_of_one_to_four_characters_and_numbers_with_separators_are_taken_out() {
        // (name, its pseudonym, a text naming them with numbers in several spellings)
        // A legal name has a surname and a given name: two characters at least.
        let table = [
            ("王某", "王某某"),
            ("李强", "李某某"),
            ("司马光", "司马某某"),
            ("诸葛明亮", "诸葛某某"),
            ("张小三丰", "张某某"),
        ];
        for (name, expected) in table {
            let party = PartyFacts { natural_person: true, name: name.into(), ..Default::default() };
            let text = format!(
                "当事人{name}（身份证号32040219900307123X）电话139-1234-5678，又139 1234 5678，\
                 座机(0519)86123456转0519-86123456，旧证号320402900307123。"
            );
            let out = redact(&text, &party);
            assert!(out.text.starts_with(&format!("当事人{expected}")), "{name}: {}", out.text);
            for gone in [
                "32040219900307123X",
                "139-1234-5678",
                "139 1234 5678",
                "(0519)86123456",
                "0519-86123456",
                "320402900307123",
            ] {
                assert!(!out.text.contains(gone), "{gone} left in {}", out.text);
            }
            assert!(check_public_text("text", &out.text, &party).is_ok(), "{name}: {}", out.text);
        }
    }

    #[test]
    fn a_text_with_personal_data_left_is_refused_naming_the_field() {
        let party = PartyFacts { natural_person: true, name: "王小明".into(), ..Default::default() };
        for text in ["当事人王小明设摊", "联系电话13912345678", "身份证32040219900307123X"] {
            let errors = check_public_text("text", text, &party).unwrap_err();
            let error = errors.iter().next().unwrap();
            assert_eq!((error.field, error.code), ("text", "personal_data_left"), "{text}");
            assert!(!error.message.contains("13912345678") && !error.message.contains("王小明"));
        }
        assert_eq!(
            check_public_text("text", " ", &party).unwrap_err().iter().next().unwrap().code,
            "required"
        );
        assert_eq!(
            check_public_text("text", "当事人王某某设摊，罚款200元", &party).unwrap(),
            "当事人王某某设摊，罚款200元"
        );
    }

    #[test]
    fn the_rule_selects_general_procedure_penalties_and_simple_ones_by_choice() {
        use Outcome::*;
        use Procedure::*;
        assert!(must_publish(General, Penalty, false));
        assert!(!must_publish(Simple, Penalty, false));
        assert!(must_publish(Simple, Penalty, true));
        assert!(!must_publish(General, NoPenalty, true));
        assert!(!must_publish(General, Transfer, true));
    }

    #[test]
    fn an_entry_runs_the_publication_clock_then_the_withdrawal_clock() {
        let calendar = calendar();
        let mut facts = DutyFacts {
            state: DisclosureState::Pending,
            decided_on: d("2026-09-25"),
            published_on: None,
            ruling_on: None,
            withdrawn_on: None,
        };
        let due = publish_due(&calendar, d("2026-09-25")).date();
        let on_day = facts.clock(&calendar, due).unwrap();
        assert_eq!((on_day.duty, on_day.status), (Duty::Publish, ClockStatus::DueSoon { days_left: 0 }));
        let late = facts.clock(&calendar, due + chrono::Duration::days(1)).unwrap();
        assert_eq!(late.status, ClockStatus::Overdue { days_over: 1 });
        facts.state = DisclosureState::Published;
        facts.published_on = Some(due);
        assert_eq!(facts.clock(&calendar, d("2026-12-01")).unwrap().status, ClockStatus::Met);
        // Revoked on Friday 13 November: three working days run to Wednesday 18 November.
        facts.ruling_on = Some(d("2026-11-13"));
        let withdraw = facts.clock(&calendar, d("2026-11-19")).unwrap();
        assert_eq!(withdraw.duty, Duty::Withdraw);
        assert_eq!(withdraw.due, Due::Known { on: d("2026-11-18") });
        assert_eq!(withdraw.status, ClockStatus::Overdue { days_over: 1 });
        facts.state = DisclosureState::Withheld;
        assert_eq!(facts.clock(&calendar, d("2026-11-19")), None);
    }

    #[test]
    fn a_ruling_falls_between_the_decision_and_today() {
        let input =
            RulingInput { ground: "revoked".into(), body: "区人民政府".into(), on: "2026-03-01".into() };
        let errors = input.parse(d("2026-03-02"), d("2026-03-10")).unwrap_err();
        assert_eq!(errors.get("on"), Some("不能早于原决定的日期"));
        let bad = RulingInput { ground: "upheld".into(), body: " ".into(), on: "x".into() };
        let errors = bad.parse(d("2026-03-02"), d("2026-03-10")).unwrap_err();
        assert_eq!(errors.iter().count(), 3);
        let ok = RulingInput { on: "2026-03-05".into(), ..input };
        assert_eq!(ok.parse(d("2026-03-02"), d("2026-03-10")).unwrap().ground, WithdrawGround::Revoked);
    }

    #[test]
    fn an_issued_text_is_joined_back_into_paragraphs_across_lines_and_pages() {
        let issued = "常州市钟楼区城市管理行政执法局（演示）\n行政处罚决定书\n当事人：王摊主\n公民身份号码：11010519491231002X\n\
                      本机关于2026年3月2日在日常巡查中发现当事人王摊主涉嫌擅\n自占用城市道路设摊经营，于2026年3月2日立案调查。现已\n调查终结。\n\
                      当事人应当自收到本决定书之日起十五日内，到指定的银行王\n摊主\n— 1 —\n\u{c}\n依据《中华人民共和国行政处罚法》第七十二条\n";
        let text = reflow(issued);
        assert_eq!(
            text,
            "常州市钟楼区城市管理行政执法局（演示）\n行政处罚决定书\n当事人：王摊主\n公民身份号码：11010519491231002X\n\
             本机关于2026年3月2日在日常巡查中发现当事人王摊主涉嫌擅自占用城市道路设摊经营，于2026年3月2日立案调查。现已调查终结。\n\
             当事人应当自收到本决定书之日起十五日内，到指定的银行王摊主\n依据《中华人民共和国行政处罚法》第七十二条"
        );
        let party = PartyFacts { natural_person: true, name: "王摊主".into(), ..Default::default() };
        assert!(!redact(&text, &party).text.contains("王摊主"));
        // A name the publisher breaks across lines is still found.
        assert!(check_public_text("text", "当事人王\n摊主", &party).is_err());
    }

    #[test]
    fn an_address_is_kept_to_its_district_and_no_further() {
        for (address, kept) in [
            ("江苏省常州市钟楼区南大街88号", "江苏省常州市钟楼区"),
            ("常州市钟楼区邹区镇18号", "常州市钟楼区"),
            ("江苏省溧阳市南渡镇1号", "江苏省溧阳市"),
            ("钟楼区西林街道5号", "钟楼区"),
            ("南大街小区3栋", ""),
            ("常州市钟楼区", ""),
        ] {
            assert_eq!(district_of(address), kept, "{address}");
        }
    }

    #[test]
    fn the_years_figures_count_by_the_day_each_thing_happened() {
        use crate::domain::case::{Case, Decision, NewClue, Penalty, PenaltyKind, Stage};
        let clue = NewClue {
            organisation: false,
            business_activity: false,
            clue_on: d("2025-12-20"),
            act_on: d("2025-12-20"),
            serious_harm: false,
        };
        let (open, _) = Case::open(&clue, d("2025-12-20")).unwrap();
        // Filed in 2025, decided and paid in 2026.
        let mut paid = open.clone();
        paid.filed_on = Some(d("2025-12-22"));
        paid.stage = Stage::Closed;
        paid.decision = Some(Decision {
            outcome: Outcome::Penalty,
            penalty: Penalty { kinds: vec![PenaltyKind::Fine], fine_fen: 20_000, confiscation_fen: 0 },
            on: d("2026-01-10"),
            number: String::new(),
        });
        paid.paid_fen = 20_000;
        paid.paid_off_on = Some(d("2026-01-20"));
        let mut declined = open.clone();
        declined.stage = Stage::NotFiled;
        declined.closed_on = Some(d("2026-01-05"));
        let cases = vec![
            ("street_vending".to_owned(), "占道经营".to_owned(), paid),
            ("street_vending".to_owned(), "占道经营".to_owned(), declined),
        ];
        let y2025 = annual_figures(2025, &cases, 0);
        assert_eq!((y2025.filed(), y2025.penalties(), y2025.fines_paid_fen), (1, 0, 0));
        let y2026 = annual_figures(2026, &cases, 2);
        assert_eq!((y2026.filed(), y2026.penalties(), y2026.fines_paid_fen), (0, 1, 20_000));
        assert_eq!((y2026.leads_not_filed, y2026.decisions_overturned), (1, 2));
        assert_eq!(y2026.categories.len(), 1);
        assert_eq!(y2026.fines_paid_yuan(), "200.00");
    }
}
