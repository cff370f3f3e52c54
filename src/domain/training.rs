//! Training (教育培训), the plan's first measure (seed §三（一）): the fixed monthly study days,
//! spring and rotation training, special trainings, onboarding (岗前培训), and who is behind.
//!
//! Everything here is pure: a session's kinds and content, the rules a month is judged by (data
//! with the plan's defaults, changeable per year), the sign-in window, and the monthly
//! compliance of one person from their attendance, service dates and long absences.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::fields::FieldErrors;

/// What kind of training a session is (seed §三（一）1–5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    /// 政治学习 (固定学习日, at least once a month)
    Political,
    /// 业务学习 (固定学习日, at least twice a month)
    Business,
    /// 集中培训 other than the spring training
    Concentrated,
    /// 春训: the brigade's concentrated spring training, which everyone in service attends
    /// (seed §三（一）2)
    Spring,
    /// 轮训 of squad leaders, officers, auxiliaries
    Rotation,
    /// 专题培训 (市容管理, 户外广告, 建筑渣土, 违法建设, 餐厨废弃物; 信息员, 宣传员, 驾驶员, 法制员)
    Special,
    /// 骨干 / 中队长培训
    Backbone,
    /// 外出学习 (study visits)
    StudyVisit,
    /// 专家授课
    Expert,
    /// 部门培训
    Department,
    /// 岗前培训: no case handling before it (the onboarding gate)
    Onboarding,
}

impl SessionKind {
    pub const ALL: [SessionKind; 11] = [
        SessionKind::Political,
        SessionKind::Business,
        SessionKind::Spring,
        SessionKind::Concentrated,
        SessionKind::Rotation,
        SessionKind::Special,
        SessionKind::Backbone,
        SessionKind::StudyVisit,
        SessionKind::Expert,
        SessionKind::Department,
        SessionKind::Onboarding,
    ];
    pub fn code(self) -> &'static str {
        match self {
            SessionKind::Political => "political",
            SessionKind::Business => "business",
            SessionKind::Concentrated => "concentrated",
            SessionKind::Spring => "spring",
            SessionKind::Rotation => "rotation",
            SessionKind::Special => "special",
            SessionKind::Backbone => "backbone",
            SessionKind::StudyVisit => "study_visit",
            SessionKind::Expert => "expert",
            SessionKind::Department => "department",
            SessionKind::Onboarding => "onboarding",
        }
    }
    pub fn parse(s: &str) -> Option<SessionKind> {
        SessionKind::ALL.into_iter().find(|k| k.code() == s)
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            SessionKind::Political => "政治学习",
            SessionKind::Business => "业务学习",
            SessionKind::Concentrated => "集中培训",
            SessionKind::Spring => "春训",
            SessionKind::Rotation => "轮训",
            SessionKind::Special => "专题培训",
            SessionKind::Backbone => "骨干培训",
            SessionKind::StudyVisit => "外出学习",
            SessionKind::Expert => "专家授课",
            SessionKind::Department => "部门培训",
            SessionKind::Onboarding => "岗前培训",
        }
    }
}

/// The content categories the plan names (seed §三（一）1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 重大理论
    Theory,
    /// 思想政治
    Ideology,
    /// 行风廉政
    Integrity,
    /// 法律法规
    Law,
    /// 业务知识
    Practice,
}

impl Category {
    pub const ALL: [Category; 5] =
        [Category::Theory, Category::Ideology, Category::Integrity, Category::Law, Category::Practice];
    pub fn code(self) -> &'static str {
        match self {
            Category::Theory => "theory",
            Category::Ideology => "ideology",
            Category::Integrity => "integrity",
            Category::Law => "law",
            Category::Practice => "practice",
        }
    }
    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.code() == s)
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Category::Theory => "重大理论",
            Category::Ideology => "思想政治",
            Category::Integrity => "行风廉政",
            Category::Law => "法律法规",
            Category::Practice => "业务知识",
        }
    }
}

/// What a month and a year are judged by. Data, with the plan's numbers as defaults; the office
/// may change them for a year (a rule change takes effect from that year, never backwards).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ComplianceRules {
    /// Group political studies a month for everyone in service the whole month.
    pub political_per_month: u32,
    /// Group business studies a month.
    pub business_per_month: u32,
    /// Special trainings the brigade holds a year.
    pub special_per_year: u32,
    /// Whether everyone in service attends the spring training (春训).
    #[serde(default = "spring_for_everyone")]
    pub spring_for_everyone: bool,
    /// Where the numbers come from.
    pub source: String,
}

impl ComplianceRules {
    /// Seed §三（一）1: 每月至少组织一次集中政治学习、两次集中业务学习; §三（一）3: 每年至少组织两次专题培训.
    pub fn plan_default() -> ComplianceRules {
        ComplianceRules {
            political_per_month: 1,
            business_per_month: 2,
            special_per_year: 2,
            spring_for_everyone: true,
            source: "钟楼区城管局规范化管理实施方案三（一）：每月集中政治学习不少于一次、业务学习不少于两次；每年专题培训不少于两次；春训全员参加"
                .to_owned(),
        }
    }
}

/// Untrusted rules from the office's form or the API.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RulesInput {
    pub political_per_month: String,
    pub business_per_month: String,
    pub special_per_year: String,
    /// `true`/`on` when everyone in service attends the spring training.
    pub spring_for_everyone: String,
    /// Where the numbers come from (a document and its article).
    pub source: String,
}

impl RulesInput {
    pub fn parse(&self) -> Result<ComplianceRules, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut count = |raw: &str, field: &'static str, max: u32| {
            let value = raw.trim().parse::<u32>().ok().filter(|n| *n <= max);
            if value.is_none() {
                errors.add(field, "count_invalid", format!("请填写 0–{max} 的整数"));
            }
            value.unwrap_or(0)
        };
        let political_per_month = count(&self.political_per_month, "political_per_month", 10);
        let business_per_month = count(&self.business_per_month, "business_per_month", 10);
        let special_per_year = count(&self.special_per_year, "special_per_year", 24);
        let source = self.source.trim();
        if source.is_empty() || source.chars().count() > 300 {
            errors.add("source", "source_required", "请填写规则依据（文件名称及条款，不超过 300 字）");
        }
        errors.into_result()?;
        Ok(ComplianceRules {
            political_per_month,
            business_per_month,
            special_per_year,
            spring_for_everyone: matches!(self.spring_for_everyone.trim(), "true" | "on" | "1"),
            source: source.to_owned(),
        })
    }
}

/// Whether the office may still set the rules of `year` on `today`: a year not yet begun, or
/// this year while none of its months is closed. A month already reported is never judged
/// again by other numbers (a rule change takes effect for its year, never backwards).
pub fn rules_open(year: i32, today: NaiveDate, closed_months_in_year: usize) -> bool {
    year > today.year() || (year == today.year() && closed_months_in_year == 0)
}

/// Rules stored before the spring requirement was a rule had it all the same (seed §三（一）2).
fn spring_for_everyone() -> bool {
    true
}

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    /// `YYYY-MM`.
    pub fn parse(s: &str) -> Option<Month> {
        let (y, m) = s.trim().split_once('-')?;
        let (year, month) = (y.parse::<i32>().ok()?, m.parse::<u32>().ok()?);
        (y.len() == 4 && m.len() == 2 && (1..=12).contains(&month) && (2000..=2100).contains(&year))
            .then_some(Month { year, month })
    }
    pub fn of(day: NaiveDate) -> Month {
        Month { year: day.year(), month: day.month() }
    }
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("a month's first day")
    }
    pub fn next(self) -> Month {
        if self.month == 12 {
            Month { year: self.year + 1, month: 1 }
        } else {
            Month { month: self.month + 1, ..self }
        }
    }
    pub fn previous(self) -> Month {
        if self.month == 1 {
            Month { year: self.year - 1, month: 12 }
        } else {
            Month { month: self.month - 1, ..self }
        }
    }
    pub fn last_day(self) -> NaiveDate {
        self.next().first_day() - Duration::days(1)
    }
    pub fn contains(self, day: NaiveDate) -> bool {
        Month::of(day) == self
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// One attended session, as compliance counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attended {
    pub kind: SessionKind,
    /// The day the session was held.
    pub on: NaiveDate,
    /// A make-up (补学): the day of the session it makes up for.
    pub makes_up_for: Option<NaiveDate>,
}

impl Attended {
    /// The month this attendance counts for: a make-up held no later than the month after the
    /// missed session counts for the missed session's month (seed §三（一）: 缺课须补学); any
    /// other attendance for its own month.
    pub fn counts_for(&self) -> Month {
        counted_month(self.on, self.makes_up_for)
    }
}

/// The month a session held `on` counts for, whatever its kind: for a make-up of a session held
/// on `missed`, that session's month when held no later than the month after it; otherwise
/// its own ([`Attended::counts_for`]).
pub fn counted_month(on: NaiveDate, missed: Option<NaiveDate>) -> Month {
    match missed {
        Some(missed) if on >= missed && Month::of(on) <= Month::of(missed).next() => Month::of(missed),
        _ => Month::of(on),
    }
}

/// A long absence that excuses a month (病假, 产假, 借调 …), recorded with its dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Absence {
    pub kind: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The long absences the office records (长期离岗). Each excuses the months it covers from the
/// study requirement; its kind is personal (health), so the audit record keeps only the dates.
pub const ABSENCE_KINDS: [&str; 5] = ["病假", "产假", "借调", "脱产学习", "其他"];

/// Untrusted long-absence input from the person page.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AbsenceInput {
    /// One of [`ABSENCE_KINDS`].
    pub kind: String,
    /// `YYYY-MM-DD`, the first day away.
    pub from: String,
    /// `YYYY-MM-DD`, the last day away.
    pub to: String,
}

impl AbsenceInput {
    pub fn parse(&self) -> Result<Absence, FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind = self.kind.trim();
        if !ABSENCE_KINDS.contains(&kind) {
            errors.add("kind", "unknown_kind", "请选择离岗类别（病假、产假、借调、脱产学习或其他）");
        }
        let from = parse_day(&self.from);
        let to = parse_day(&self.to);
        if from.is_none() {
            errors.add("from", "invalid_date", "请填写离岗开始日期");
        }
        if to.is_none() {
            errors.add("to", "invalid_date", "请填写离岗结束日期");
        }
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            errors.add("to", "before_start", "结束日期不能早于开始日期");
        }
        errors.into_result()?;
        match (from, to) {
            (Some(from), Some(to)) => Ok(Absence { kind: kind.to_owned(), from, to }),
            _ => unreachable!("a date error was added above"),
        }
    }
}

/// Untrusted service dates from the person page: empty means not recorded (a person
/// registered before the system kept the dates is in service throughout).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ServiceInput {
    pub joined_on: String,
    pub left_on: String,
}

impl ServiceInput {
    /// The day the person joined and the day they left, if any.
    pub fn parse(&self) -> Result<(Option<NaiveDate>, Option<NaiveDate>), FieldErrors> {
        let mut errors = FieldErrors::default();
        let day = |raw: &str, field: &'static str, errors: &mut FieldErrors| {
            if raw.trim().is_empty() {
                return None;
            }
            let parsed = parse_day(raw);
            if parsed.is_none() {
                errors.add(field, "invalid_date", "日期格式应为 YYYY-MM-DD");
            }
            parsed
        };
        let joined = day(&self.joined_on, "joined_on", &mut errors);
        let left = day(&self.left_on, "left_on", &mut errors);
        if let (Some(joined), Some(left)) = (joined, left)
            && left < joined
        {
            errors.add("left_on", "before_joining", "离职日期不能早于入职日期");
        }
        errors.into_result()?;
        Ok((joined, left))
    }
}

fn parse_day(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok()
}

/// A person's service as compliance needs it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Service {
    pub joined_on: Option<NaiveDate>,
    pub left_on: Option<NaiveDate>,
    pub absences: Vec<Absence>,
}

/// A person's month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthCompliance {
    pub political: u32,
    pub business: u32,
    pub status: ComplianceStatus,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComplianceStatus {
    Compliant,
    /// Still owes this many of each.
    Short {
        political: u32,
        business: u32,
    },
    /// Not judged this month, with the reason (joined or left during it, a long absence).
    Exempt(String),
}

impl ComplianceStatus {
    /// `true`, `false` or `exempt`, as the CLI and the API print it.
    pub fn code(&self) -> &'static str {
        match self {
            ComplianceStatus::Compliant => "true",
            ComplianceStatus::Short { .. } => "false",
            ComplianceStatus::Exempt(_) => "exempt",
        }
    }
    /// What is owed or why exempt; nothing for a compliant month (the CSV's and API's `note`).
    pub fn note_zh(&self) -> String {
        match self {
            ComplianceStatus::Compliant => String::new(),
            other => other.label_zh(),
        }
    }
    pub fn label_zh(&self) -> String {
        match self {
            ComplianceStatus::Compliant => "达标".to_owned(),
            ComplianceStatus::Short { political, business } => {
                let mut owed = Vec::new();
                if *political > 0 {
                    owed.push(format!("政治学习 {political} 次"));
                }
                if *business > 0 {
                    owed.push(format!("业务学习 {business} 次"));
                }
                format!("未达标：尚欠{}", owed.join("、"))
            }
            ComplianceStatus::Exempt(reason) => format!("免考核：{reason}"),
        }
    }
}

/// Judges one person's `month` from what they attended (make-ups counted for the month they
/// make up) against `rules`. Someone who joined or left during the month, or was on a long
/// absence during it, is exempt with the reason, never failing.
pub fn month_compliance(
    month: Month,
    service: &Service,
    attended: &[Attended],
    rules: &ComplianceRules,
) -> MonthCompliance {
    let count = |kind: SessionKind| -> u32 {
        attended.iter().filter(|a| a.kind == kind && a.counts_for() == month).count() as u32
    };
    judge_month(month, service, count(SessionKind::Political), count(SessionKind::Business), rules)
}

/// Judges a month from the studies already counted for it (make-ups included), as
/// [`month_compliance`] does from the attendance itself.
pub fn judge_month(
    month: Month,
    service: &Service,
    political: u32,
    business: u32,
    rules: &ComplianceRules,
) -> MonthCompliance {
    let (first, last) = (month.first_day(), month.last_day());
    let exempt = if service.joined_on.is_some_and(|j| j > first) {
        Some(format!("{} 入职", service.joined_on.unwrap_or(first)))
    } else if service.left_on.is_some_and(|l| l < last) {
        Some(format!("{} 离职", service.left_on.unwrap_or(last)))
    } else {
        service
            .absences
            .iter()
            .find(|a| a.from <= last && a.to >= first)
            .map(|a| format!("{}（{} 至 {}）", a.kind, a.from, a.to))
    };
    let status = match exempt {
        Some(reason) => ComplianceStatus::Exempt(reason),
        None if political >= rules.political_per_month && business >= rules.business_per_month => {
            ComplianceStatus::Compliant
        }
        None => ComplianceStatus::Short {
            political: rules.political_per_month.saturating_sub(political),
            business: rules.business_per_month.saturating_sub(business),
        },
    };
    MonthCompliance { political, business, status }
}

impl Service {
    /// Why the person was not at work on `day` (not yet joined, already left, a long absence),
    /// or `None` when they were.
    pub fn away_on(&self, day: NaiveDate) -> Option<String> {
        if self.joined_on.is_some_and(|j| j > day) {
            Some(format!("{} 入职", self.joined_on.unwrap_or(day)))
        } else if self.left_on.is_some_and(|l| l < day) {
            Some(format!("{} 离职", self.left_on.unwrap_or(day)))
        } else {
            self.absences
                .iter()
                .find(|a| a.from <= day && a.to >= day)
                .map(|a| format!("{}（{} 至 {}）", a.kind, a.from, a.to))
        }
    }
}

/// Where a person stands with the year's spring training (春训).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpringStatus {
    Attended,
    /// Held while the person was at work, and they did not attend.
    Missed,
    /// Not held (yet) this year for the person's units.
    NotHeld,
    /// Held only on days the person was not at work, with the reason.
    Exempt(String),
    /// The year's rules do not require it.
    NotRequired,
}

impl SpringStatus {
    pub fn label_zh(&self) -> String {
        match self {
            SpringStatus::Attended => "已参加".to_owned(),
            SpringStatus::Missed => "未参加".to_owned(),
            SpringStatus::NotHeld => "本年尚未举办".to_owned(),
            SpringStatus::Exempt(reason) => format!("免考核：{reason}"),
            SpringStatus::NotRequired => "本年不作要求".to_owned(),
        }
    }
    /// `attended`, `missed`, `not_held`, `exempt`, `not_required`.
    pub fn code(&self) -> &'static str {
        match self {
            SpringStatus::Attended => "attended",
            SpringStatus::Missed => "missed",
            SpringStatus::NotHeld => "not_held",
            SpringStatus::Exempt(_) => "exempt",
            SpringStatus::NotRequired => "not_required",
        }
    }
}

/// Judges the spring training of a year for one person: `held` are the days it was held for
/// the person's units, `attended` whether they attended one of them. Someone away on every
/// day it was held is exempt with the reason.
pub fn spring_status(
    rules: &ComplianceRules,
    service: &Service,
    held: &[NaiveDate],
    attended: bool,
) -> SpringStatus {
    if attended {
        return SpringStatus::Attended;
    }
    if !rules.spring_for_everyone {
        return SpringStatus::NotRequired;
    }
    let Some(first) = held.first() else { return SpringStatus::NotHeld };
    if held.iter().any(|day| service.away_on(*day).is_none()) {
        SpringStatus::Missed
    } else {
        SpringStatus::Exempt(service.away_on(*first).unwrap_or_default())
    }
}

/// Whether the office may close `month` on `today`: only once it is over, so the figures it
/// freezes are the month's whole record.
pub fn may_close(month: Month, today: NaiveDate) -> bool {
    today > month.last_day()
}

/// One person's figures as they stood when the office closed the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosedFigure {
    pub person_id: String,
    pub political: u32,
    pub business: u32,
    /// [`ComplianceStatus::code`]: `true`, `false` or `exempt`.
    pub compliant: String,
}

/// The spring training's course list as the plan names it (seed §三（一）2), the default
/// topic of a planned 春训.
pub const SPRING_COURSES: &str =
    "法律法规、政策理论、规章制度、执法实务、媒体应对、心理疏导、队列训练、警示教育";

/// One line of a unit's yearly plan: this many sessions of a kind in a month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanItem {
    pub month: u32,
    pub kind: SessionKind,
    pub sessions: u32,
    pub topic: String,
}

/// Untrusted plan-item input (the plan page's form, the API).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PlanInput {
    pub unit_id: String,
    pub year: String,
    pub month: String,
    pub kind: String,
    pub sessions: String,
    pub topic: String,
}

impl PlanInput {
    /// The unit and year, and the item.
    pub fn parse(&self) -> Result<(String, i32, PlanItem), FieldErrors> {
        let mut errors = FieldErrors::default();
        let unit = self.unit_id.trim();
        if unit.is_empty() {
            errors.add("unit_id", "required", "请选择单位");
        }
        let year = self.year.trim().parse::<i32>().ok().filter(|y| (2000..=2100).contains(y));
        if year.is_none() {
            errors.add("year", "year_invalid", "年份格式为 YYYY");
        }
        let month = self.month.trim().parse::<u32>().ok().filter(|m| (1..=12).contains(m));
        if month.is_none() {
            errors.add("month", "month_invalid", "请选择月份（1–12）");
        }
        let kind = SessionKind::parse(self.kind.trim());
        if kind.is_none() {
            errors.add("kind", "kind_invalid", "请选择培训类别");
        }
        let sessions = self.sessions.trim().parse::<u32>().ok().filter(|n| (1..=31).contains(n));
        if sessions.is_none() {
            errors.add("sessions", "sessions_invalid", "计划次数为 1–31");
        }
        let topic = self.topic.trim();
        if topic.chars().count() > 200 {
            errors.add("topic", "too_long", "不超过 200 字");
        }
        errors.into_result()?;
        let (Some(year), Some(month), Some(kind), Some(sessions)) = (year, month, kind, sessions) else {
            unreachable!("every None above added a field error")
        };
        Ok((unit.to_owned(), year, PlanItem { month, kind, sessions, topic: topic.to_owned() }))
    }
}

/// The plan's own year for a unit (seed §三（一）): every unit its monthly political study and
/// two business studies; a brigade also its 春训 in March and its two 专题培训 (May and
/// September), so the year's rules can be met.
pub fn plan_defaults(brigade: bool, rules: &ComplianceRules) -> Vec<PlanItem> {
    let mut items = Vec::new();
    for month in 1..=12 {
        for (kind, sessions) in [
            (SessionKind::Political, rules.political_per_month),
            (SessionKind::Business, rules.business_per_month),
        ] {
            if sessions > 0 {
                items.push(PlanItem { month, kind, sessions, topic: String::new() });
            }
        }
    }
    if brigade {
        items.push(PlanItem {
            month: 3,
            kind: SessionKind::Spring,
            sessions: 1,
            topic: SPRING_COURSES.to_owned(),
        });
        let months = [5, 9, 11, 7, 4, 10];
        for month in months.into_iter().take(rules.special_per_year as usize) {
            items.push(PlanItem { month, kind: SessionKind::Special, sessions: 1, topic: String::new() });
        }
    }
    items
}

/// One cell of plan against actual: a kind in a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PlanCell {
    pub planned: u32,
    pub held: u32,
}

/// How a cell stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanState {
    /// Nothing planned or held.
    Empty,
    /// Held at least as planned.
    Done,
    /// The month is over and fewer were held than planned.
    Behind,
    /// The month has not ended; not all held yet.
    Open,
    /// Held without being planned.
    Unplanned,
}

impl PlanCell {
    pub fn state(&self, month: Month, today: NaiveDate) -> PlanState {
        match (self.planned, self.held) {
            (0, 0) => PlanState::Empty,
            (0, _) => PlanState::Unplanned,
            (p, h) if h >= p => PlanState::Done,
            _ if today > month.last_day() => PlanState::Behind,
            _ => PlanState::Open,
        }
    }
}

/// Plan against actual for a year: per kind (in [`SessionKind::ALL`] order, only kinds
/// planned or held), twelve cells.
pub fn plan_against_actual(
    items: &[PlanItem],
    held: &[(SessionKind, u32)],
) -> Vec<(SessionKind, [PlanCell; 12])> {
    SessionKind::ALL
        .into_iter()
        .filter_map(|kind| {
            let mut cells = [PlanCell::default(); 12];
            for item in items.iter().filter(|i| i.kind == kind) {
                cells[(item.month - 1) as usize].planned += item.sessions;
            }
            for (_, month) in held.iter().filter(|(k, _)| *k == kind) {
                cells[(*month - 1) as usize].held += 1;
            }
            cells.iter().any(|c| c.planned + c.held > 0).then_some((kind, cells))
        })
        .collect()
}

/// From this day of the month the 工作台 says who still owes the month's studies: the person
/// what they owe, whoever manages training the people of their units still short — early
/// enough for a make-up before the month ends (the bureau's rule for 实施方案 三（一）1, the monthly
/// political and business studies).
pub const REMINDER_FROM_DAY: u32 = 20;

/// Whether the month's study reminders are shown on `today`.
pub fn reminders_due(today: NaiveDate) -> bool {
    today.day() >= REMINDER_FROM_DAY
}

/// How long a sign-in code stays the same: it changes every minute, so a code passed on to
/// someone outside the room is stale before it is useful.
pub const SIGN_IN_CODE_SECONDS: i64 = 60;

/// Sign-in opens this long before a session starts (people arrive early).
pub const SIGN_IN_OPENS_MINUTES: i64 = 30;

/// Signing in more than this long after the start is recorded as late.
pub const LATE_AFTER_MINUTES: i64 = 10;

/// The code period (minute index since the epoch) a moment falls in.
pub fn code_period(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(SIGN_IN_CODE_SECONDS)
}

/// Why a sign-in is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignInRefusal {
    /// Before the window opens or after the session ended.
    OutsideWindow,
    /// Not the code shown in the room now (expired, future, or another session's).
    WrongCode,
    /// Not among the session's participants (the organiser may add them with a reason).
    NotTargeted,
}

impl SignInRefusal {
    pub fn code(self) -> &'static str {
        match self {
            SignInRefusal::OutsideWindow => "sign_in_closed",
            SignInRefusal::WrongCode => "sign_in_code_invalid",
            SignInRefusal::NotTargeted => "not_a_participant",
        }
    }
    pub fn message_zh(self) -> &'static str {
        match self {
            SignInRefusal::OutsideWindow => "不在签到时间内（开始前30分钟至结束）",
            SignInRefusal::WrongCode => "签到码无效或已过期，请扫描现场当前显示的签到码",
            SignInRefusal::NotTargeted => "您不在本次培训的参训范围内，请联系组织者登记",
        }
    }
}

/// Whether `at` lies in the sign-in window of a session from `starts` to `ends`.
pub fn in_sign_in_window(starts: DateTime<Utc>, ends: DateTime<Utc>, at: DateTime<Utc>) -> bool {
    at >= starts - Duration::minutes(SIGN_IN_OPENS_MINUTES) && at <= ends
}

/// Whether signing in at `at` is late for a session starting at `starts`.
pub fn is_late(starts: DateTime<Utc>, at: DateTime<Utc>) -> bool {
    at > starts + Duration::minutes(LATE_AFTER_MINUTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }
    fn at(kind: SessionKind, on: &str) -> Attended {
        Attended { kind, on: d(on), makes_up_for: None }
    }
    fn makeup(kind: SessionKind, on: &str, missed: &str) -> Attended {
        Attended { kind, on: d(on), makes_up_for: Some(d(missed)) }
    }
    fn service() -> Service {
        Service { joined_on: Some(d("2020-01-01")), left_on: None, absences: vec![] }
    }

    #[test]
    fn a_month_is_judged_by_the_rules_with_make_ups_counted_for_the_missed_month() {
        use SessionKind::{Business as B, Political as P};
        let rules = ComplianceRules::plan_default();
        type Case = (&'static str, Service, Vec<Attended>, (u32, u32, &'static str));
        let cases: Vec<Case> = vec![
            (
                "all three",
                service(),
                vec![at(P, "2026-03-03"), at(B, "2026-03-10"), at(B, "2026-03-24")],
                (1, 2, "true"),
            ),
            (
                "one business short",
                service(),
                vec![at(P, "2026-03-03"), at(B, "2026-03-10")],
                (1, 1, "false"),
            ),
            // A business study of 31 March counts for March, one of 1 April does not.
            (
                "month boundary",
                service(),
                vec![at(P, "2026-03-03"), at(B, "2026-03-31"), at(B, "2026-04-01")],
                (1, 1, "false"),
            ),
            // Made up on 8 April for 24 March: counts for March.
            (
                "make-up next month",
                service(),
                vec![at(P, "2026-03-03"), at(B, "2026-03-10"), makeup(B, "2026-04-08", "2026-03-24")],
                (1, 2, "true"),
            ),
            // Made up in May for March: too late, counts for May.
            (
                "make-up too late",
                service(),
                vec![at(P, "2026-03-03"), at(B, "2026-03-10"), makeup(B, "2026-05-06", "2026-03-24")],
                (1, 1, "false"),
            ),
            (
                "joined mid-month",
                Service { joined_on: Some(d("2026-03-09")), ..service() },
                vec![],
                (0, 0, "exempt"),
            ),
            (
                "joined on the first",
                Service { joined_on: Some(d("2026-03-01")), ..service() },
                vec![],
                (0, 0, "false"),
            ),
            (
                "left mid-month",
                Service { left_on: Some(d("2026-03-20")), ..service() },
                vec![at(P, "2026-03-03")],
                (1, 0, "exempt"),
            ),
            (
                "maternity leave",
                Service {
                    absences: vec![Absence {
                        kind: "产假".into(),
                        from: d("2026-01-10"),
                        to: d("2026-03-05"),
                    }],
                    ..service()
                },
                vec![],
                (0, 0, "exempt"),
            ),
            (
                "leave ended before the month",
                Service {
                    absences: vec![Absence {
                        kind: "病假".into(),
                        from: d("2026-01-10"),
                        to: d("2026-02-28"),
                    }],
                    ..service()
                },
                vec![],
                (0, 0, "false"),
            ),
        ];
        for (name, service, attended, (political, business, status)) in cases {
            let result = month_compliance(m("2026-03"), &service, &attended, &rules);
            assert_eq!(
                (result.political, result.business, result.status.code()),
                (political, business, status),
                "{name}"
            );
        }
    }

    #[test]
    fn a_rule_change_applies_to_its_year() {
        let strict = ComplianceRules { business_per_month: 3, ..ComplianceRules::plan_default() };
        let attended = vec![
            at(SessionKind::Political, "2027-03-03"),
            at(SessionKind::Business, "2027-03-10"),
            at(SessionKind::Business, "2027-03-17"),
        ];
        let result = month_compliance(m("2027-03"), &service(), &attended, &strict);
        assert_eq!(result.status, ComplianceStatus::Short { political: 0, business: 1 });
        assert_eq!(result.status.label_zh(), "未达标：尚欠业务学习 1 次");
    }

    #[test]
    fn plan_against_actual_marks_each_month_done_behind_open_or_unplanned() {
        let rules = ComplianceRules::plan_default();
        let squad = plan_defaults(false, &rules);
        assert_eq!(squad.len(), 24, "a political and a business line a month");
        assert_eq!(
            squad.iter().filter(|i| i.kind == SessionKind::Business).map(|i| i.sessions).sum::<u32>(),
            24
        );
        let brigade = plan_defaults(true, &rules);
        assert_eq!(brigade.iter().filter(|i| i.kind == SessionKind::Special).count(), 2);
        assert!(
            brigade
                .iter()
                .any(|i| i.kind == SessionKind::Spring && i.month == 3 && i.topic == SPRING_COURSES)
        );
        // March: two business studies planned, two held; April: one of two held.
        let held = vec![
            (SessionKind::Business, 3),
            (SessionKind::Business, 3),
            (SessionKind::Business, 4),
            (SessionKind::Expert, 4),
        ];
        let rows = plan_against_actual(&squad, &held);
        let kinds: Vec<SessionKind> = rows.iter().map(|r| r.0).collect();
        assert_eq!(kinds, [SessionKind::Political, SessionKind::Business, SessionKind::Expert]);
        let business = rows[1].1;
        let on = d("2026-04-20");
        assert_eq!(business[2].state(m("2026-03"), on), PlanState::Done);
        assert_eq!(business[3].state(m("2026-04"), on), PlanState::Open);
        assert_eq!(business[3].state(m("2026-04"), d("2026-05-01")), PlanState::Behind);
        assert_eq!(business[0].state(m("2026-01"), on), PlanState::Behind);
        assert_eq!(rows[2].1[3].state(m("2026-04"), on), PlanState::Unplanned);
        assert_eq!(rows[2].1[4].state(m("2026-05"), on), PlanState::Empty);
    }

    #[test]
    fn a_plan_item_needs_a_unit_a_month_a_kind_and_a_count() {
        let input = PlanInput {
            unit_id: "u1".into(),
            year: "2026".into(),
            month: "3".into(),
            kind: "spring".into(),
            sessions: "1".into(),
            topic: String::new(),
        };
        let (unit, year, item) = input.parse().unwrap();
        assert_eq!(
            (unit.as_str(), year, item.month, item.kind, item.sessions),
            ("u1", 2026, 3, SessionKind::Spring, 1)
        );
        let bad = PlanInput {
            month: "13".into(),
            kind: "nap".into(),
            sessions: "0".into(),
            year: "26".into(),
            ..input
        };
        let errors = bad.parse().unwrap_err();
        for field in ["month", "kind", "sessions", "year"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
    }

    #[test]
    fn the_spring_training_excuses_only_who_was_away_on_every_day_it_was_held() {
        let rules = ComplianceRules::plan_default();
        let held = [d("2026-03-16"), d("2026-03-17")];
        assert_eq!(spring_status(&rules, &service(), &held, true), SpringStatus::Attended);
        assert_eq!(spring_status(&rules, &service(), &held, false), SpringStatus::Missed);
        assert_eq!(spring_status(&rules, &service(), &[], false), SpringStatus::NotHeld);
        let joined_later = Service { joined_on: Some(d("2026-04-01")), ..service() };
        assert!(
            matches!(spring_status(&rules, &joined_later, &held, false), SpringStatus::Exempt(r) if r.contains("入职"))
        );
        let away_one_day = Service {
            absences: vec![Absence { kind: "病假".into(), from: d("2026-03-10"), to: d("2026-03-16") }],
            ..service()
        };
        assert_eq!(spring_status(&rules, &away_one_day, &held, false), SpringStatus::Missed);
        let relaxed = ComplianceRules { spring_for_everyone: false, ..rules };
        assert_eq!(spring_status(&relaxed, &service(), &held, false), SpringStatus::NotRequired);
        assert!(may_close(m("2026-03"), d("2026-04-01")) && !may_close(m("2026-03"), d("2026-03-31")));
    }

    #[test]
    fn the_rules_of_a_year_are_set_before_any_of_its_months_is_closed() {
        let input = RulesInput {
            political_per_month: "1".into(),
            business_per_month: "3".into(),
            special_per_year: "2".into(),
            spring_for_everyone: "on".into(),
            source: "局2027年教育培训计划".into(),
        };
        let rules = input.parse().unwrap();
        assert_eq!((rules.business_per_month, rules.spring_for_everyone), (3, true));
        let bad = RulesInput { business_per_month: "-1".into(), source: " ".into(), ..input };
        let errors = bad.parse().unwrap_err();
        assert!(errors.get("business_per_month").is_some() && errors.get("source").is_some());
        let today = d("2026-12-04");
        assert!(rules_open(2027, today, 0));
        assert!(rules_open(2026, today, 0) && !rules_open(2026, today, 1));
        assert!(!rules_open(2025, today, 0));
    }

    #[test]
    fn months_parse_strictly_and_step_over_years() {
        assert_eq!(Month::parse("2026-12").unwrap().next(), m("2027-01"));
        assert_eq!(m("2027-01").previous(), m("2026-12"));
        assert_eq!(m("2028-02").last_day(), d("2028-02-29"));
        for bad in ["2026-13", "2026-1", "26-01", "2026/01", "", "2026-00"] {
            assert!(Month::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn the_sign_in_window_opens_half_an_hour_early_and_closes_at_the_end() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let (starts, ends) = (t("2026-03-03T06:00:00Z"), t("2026-03-03T08:00:00Z"));
        assert!(!in_sign_in_window(starts, ends, t("2026-03-03T05:29:59Z")));
        assert!(in_sign_in_window(starts, ends, t("2026-03-03T05:30:00Z")));
        assert!(in_sign_in_window(starts, ends, t("2026-03-03T08:00:00Z")));
        assert!(!in_sign_in_window(starts, ends, t("2026-03-03T08:00:01Z")));
        assert!(!is_late(starts, t("2026-03-03T06:10:00Z")));
        assert!(is_late(starts, t("2026-03-03T06:10:01Z")));
        assert_eq!(code_period(t("2026-03-03T06:00:59Z")), code_period(t("2026-03-03T06:00:00Z")));
        assert_ne!(code_period(t("2026-03-03T06:01:00Z")), code_period(t("2026-03-03T06:00:59Z")));
    }

    #[test]
    fn an_absence_needs_a_listed_kind_and_an_ordered_pair_of_days() {
        let input = |kind: &str, from: &str, to: &str| AbsenceInput {
            kind: kind.into(),
            from: from.into(),
            to: to.into(),
        };
        assert_eq!(
            input("病假", "2026-03-01", "2026-05-31").parse().unwrap(),
            Absence { kind: "病假".into(), from: d("2026-03-01"), to: d("2026-05-31") }
        );
        let errors = input("出差", "2026-03-01", "2026-05-31").parse().unwrap_err();
        assert_eq!(errors.get("kind"), Some("请选择离岗类别（病假、产假、借调、脱产学习或其他）"));
        let errors = input("病假", "2026-05-31", "2026-03-01").parse().unwrap_err();
        assert!(errors.get("to").is_some() && errors.get("from").is_none());
        let errors = input("病假", "", "2026-13-01").parse().unwrap_err();
        assert!(errors.get("from").is_some() && errors.get("to").is_some());
    }

    #[test]
    fn service_dates_may_be_empty_but_never_leave_before_joining() {
        let input =
            |joined: &str, left: &str| ServiceInput { joined_on: joined.into(), left_on: left.into() };
        assert_eq!(input("", "").parse().unwrap(), (None, None));
        assert_eq!(input("2026-03-02", "").parse().unwrap(), (Some(d("2026-03-02")), None));
        assert_eq!(
            input("2020-01-01", "2026-03-31").parse().unwrap(),
            (Some(d("2020-01-01")), Some(d("2026-03-31")))
        );
        assert!(input("2026-03-02", "2026-03-01").parse().unwrap_err().get("left_on").is_some());
        assert!(input("2026/03/02", "").parse().unwrap_err().get("joined_on").is_some());
    }
}
