//! 派驻中队目标考核 (issue 16 scope 1; plan §三（四）严明工作纪律): the office defines each
//! year's indicators with their weights and scoring rules; the system computes what it can from
//! its own records (on-time handling, statutory deadlines missed, legal review of major cases,
//! recording, certificates, training, matters handled on time) and an assessor records the
//! rest (inspections, 专项督查 findings, 通报表扬/通报批评) with a note and its basis. A squad's
//! score for a month or a year is the sum of its lines, each of which says where its points came
//! from; the office publishes a month's results, which freezes them, and a correction after that
//! carries its reason.
//!
//! Points are kept in hundredths ([`Points`]) so that a score is exactly the sum of its lines:
//! rounding happens once per line, never on the total.
//!
//! **No indicator counts fines, fine amounts or the number of penalties.** 行政处罚法 Art. 74 ¶3
//! forbids tying the assessment of the deciding agency and its staff to fines and confiscations
//! (罚款、没收的违法所得或者没收非法财物拍卖的款项，不得同作出行政处罚决定的行政机关及其工作人员的
//! 考核、考评直接或者变相挂钩). [`IndicatorInput::parse`] refuses such a definition with
//! [`PENALTY_LINKED`], whether it asks for a metric over fines or names one in its words.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::fields::{FieldErrors, date, line, text};
use crate::domain::intake::coded;
use crate::domain::training::Month;

/// The refusal code of an indicator tied to fines or penalties (行政处罚法 Art. 74 ¶3).
pub const PENALTY_LINKED: &str = "penalty_linked_indicator";

/// The message shown with [`PENALTY_LINKED`].
pub const PENALTY_LINKED_ZH: &str = "依据《行政处罚法》第七十四条第三款，罚款、没收的违法所得或者没收非法财物拍卖的款项不得同考核、考评直接或者变相挂钩：考核指标不得计算罚款、罚没金额或处罚数量";

/// Metric codes a definition might ask for that count fines or penalties. None of them exists
/// as a [`Metric`]; they are named here so that asking for one is refused with the article
/// rather than as an unknown code.
const PENALTY_METRICS: [&str; 8] = [
    "fines",
    "fine_amount",
    "fine_count",
    "fines_collected",
    "penalty_count",
    "penalties",
    "confiscation_amount",
    "decisions_count",
];

/// Words that tie an indicator's name or description to fines or the number of penalties.
/// "处罚" alone is not among them: 行政处罚案件按期办结率 is a lawful indicator.
const PENALTY_WORDS: [&str; 14] = [
    "罚款",
    "罚没",
    "罚金",
    "没收",
    "创收",
    "处罚数",
    "处罚量",
    "处罚件数",
    "处罚案件数",
    "处罚金额",
    "处罚指标",
    "罚单",
    "收缴",
    "罚额",
];

/// The largest total a scheme may declare (points), a bound against typing errors.
pub const MAX_TOTAL: i64 = 1000;

/// Points in hundredths: 12.5 points is `Points(1250)`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Points(pub i64);

impl Points {
    /// Reads `12`, `12.5` or `12.25` (at most two decimals, not negative).
    pub fn parse(raw: &str) -> Option<Points> {
        let raw = raw.trim();
        let (whole, frac) = raw.split_once('.').unwrap_or((raw, ""));
        if whole.is_empty() || whole.len() > 6 || frac.len() > 2 || !whole.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let frac_value = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().ok()? * 10,
            _ => frac.parse::<i64>().ok()?,
        };
        Some(Points(whole.parse::<i64>().ok()? * 100 + frac_value))
    }

    /// As a number of points (for JSON and spreadsheets).
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

impl std::fmt::Display for Points {
    /// `12`, `12.5`, `12.25`, `-3`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let (whole, frac) = (self.0.abs() / 100, self.0.abs() % 100);
        match frac {
            0 => write!(f, "{sign}{whole}"),
            f10 if f10 % 10 == 0 => write!(f, "{sign}{whole}.{}", f10 / 10),
            _ => write!(f, "{sign}{whole}.{frac:02}"),
        }
    }
}

/// The period a result covers: a month or a whole year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Month(Month),
    Year(i32),
}

impl Period {
    /// `YYYY-MM` or `YYYY`.
    pub fn parse(raw: &str) -> Option<Period> {
        let raw = raw.trim();
        if raw.len() == 4 {
            let year = raw.parse::<i32>().ok()?;
            return (2000..=2100).contains(&year).then_some(Period::Year(year));
        }
        Month::parse(raw).map(Period::Month)
    }

    pub fn year(self) -> i32 {
        match self {
            Period::Month(m) => m.year,
            Period::Year(y) => y,
        }
    }

    pub fn first_day(self) -> NaiveDate {
        match self {
            Period::Month(m) => m.first_day(),
            Period::Year(y) => NaiveDate::from_ymd_opt(y, 1, 1).expect("1 January"),
        }
    }

    pub fn last_day(self) -> NaiveDate {
        match self {
            Period::Month(m) => m.next().first_day().pred_opt().expect("a month's last day"),
            Period::Year(y) => NaiveDate::from_ymd_opt(y, 12, 31).expect("31 December"),
        }
    }

    /// The months it covers.
    pub fn months(self) -> Vec<Month> {
        match self {
            Period::Month(m) => vec![m],
            Period::Year(year) => (1..=12).map(|month| Month { year, month }).collect(),
        }
    }

    /// `2026-11` or `2026`.
    pub fn code(self) -> String {
        match self {
            Period::Month(m) => format!("{:04}-{:02}", m.year, m.month),
            Period::Year(y) => format!("{y:04}"),
        }
    }

    /// `2026年11月` or `2026年度`.
    pub fn name_zh(self) -> String {
        match self {
            Period::Month(m) => format!("{}年{}月", m.year, m.month),
            Period::Year(y) => format!("{y}年度"),
        }
    }

    /// Whether it has ended by `today` (only an ended period is published).
    pub fn is_over(self, today: NaiveDate) -> bool {
        self.last_day() < today
    }

    /// The month before, or the year before.
    pub fn previous(self) -> Period {
        match self {
            Period::Month(m) => Period::Month(m.previous()),
            Period::Year(y) => Period::Year(y - 1),
        }
    }

    /// The latest month that has ended by `today`.
    pub fn last_ended_month(today: NaiveDate) -> Period {
        Period::Month(Month::of(today).previous())
    }
}

/// Whether a metric is a rate (a share of things done right) or a count (things that went
/// wrong, or things done).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricShape {
    Rate,
    Count,
}

coded! {
    /// What the system computes for a squad over a period. Each is defined here in words and
    /// once in SQL (`store::assessment`) or in its own module (training, matters).
    Metric {
        /// 办案按期率: the handling terms (办案期限, 行政处罚法 Art. 60) that ended in the
        /// period — met in it, or due in it and not met — and of those, the ones met by their day.
        HandlingOnTime = "handling_on_time", "办案按期率",
        /// 法定期限超期数: the bureau's own statutory terms (decision, service, replies, seizure
        /// terms…) whose last day fell in the period, passed, and were not met by it.
        DeadlinesMissed = "deadlines_missed", "法定期限超期数",
        /// 重大案件法制审核覆盖率 (Art. 58): major cases decided in the period, and of those the
        /// ones with a legal review on record.
        LegalReview = "legal_review", "重大案件法制审核率",
        /// 执法全过程记录率: the acts of the period on the list of acts that must be filmed
        /// (音像记录事项清单), and of those the ones with a recording attached.
        Recording = "recording", "全过程记录率",
        /// 持证上岗率: the squad's officers (执法人员) in service at the period's end, and of
        /// those the ones holding a valid certificate that day.
        Certificates = "certificates", "持证上岗率",
        /// 学习日达标率: the person-months of the period judged under the training rules, and of
        /// those the ones compliant (exempt months are not judged).
        Training = "training", "学习日达标率",
        /// 按期处置率: matters (事项) whose last handling was reported in the period, and of those
        /// the ones handled by every deadline.
        MattersOnTime = "matters_on_time", "事项按期处置率",
        /// 督察意见按期答复率: the supervisors' opinions assigned to the squad whose answer day
        /// fell in the period and has passed — or that were answered in it — and of those the
        /// ones with a standing answer (not returned) given by their day
        /// (`domain::supervision::on_time`).
        OpinionsOnTime = "opinions_on_time", "督察意见按期答复率",
        /// 宣传产出: the entries of the publicity ledger credited to the squad in the period,
        /// every channel (a count: scored by award or deduction per item).
        PublicityOutput = "publicity_output", "宣传产出数",
    }
}

impl Metric {
    pub fn shape(self) -> MetricShape {
        match self {
            Metric::DeadlinesMissed | Metric::PublicityOutput => MetricShape::Count,
            _ => MetricShape::Rate,
        }
    }
}

coded! {
    /// How an indicator's points are reached.
    Rule {
        /// 按比例: points = weight × rate (a computed rate only). Nothing to measure in the
        /// period earns the full weight: a squad is not marked down for cases it did not have.
        Rate = "rate", "按比例计分",
        /// 扣分制: the weight, less `per` for each counted item (computed counts) or less each
        /// recorded deduction, never below zero.
        Deduct = "deduct", "扣分制",
        /// 加分制: `per` for each counted item or each recorded award, up to the weight.
        Award = "award", "加分制",
    }
}

/// Where an indicator's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Computed by the system from its records.
    Computed,
    /// Recorded by an assessor, entry by entry.
    Recorded,
}

impl Source {
    pub fn code(self) -> &'static str {
        match self {
            Source::Computed => "computed",
            Source::Recorded => "recorded",
        }
    }
    pub fn parse(code: &str) -> Option<Source> {
        match code.trim() {
            "computed" => Some(Source::Computed),
            "recorded" => Some(Source::Recorded),
            _ => None,
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Source::Computed => "系统计算",
            Source::Recorded => "考核记录",
        }
    }
}

/// An indicator as typed by the office.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct IndicatorInput {
    #[schema(max_length = 50, pattern = "\\S")]
    pub name: String,
    /// `computed` or `recorded`.
    #[schema(example = "computed")]
    pub source: String,
    /// For a computed indicator, the metric (`handling_on_time`, `deadlines_missed`,
    /// `legal_review`, `recording`, `certificates`, `training`, `matters_on_time`).
    #[serde(default)]
    pub metric: String,
    /// `rate` (computed rates), `deduct` or `award`.
    #[schema(example = "rate")]
    pub rule: String,
    /// The weight in points (at most two decimals).
    #[schema(example = "20")]
    pub weight: String,
    /// Points per counted item, for a computed count under `deduct` or `award`.
    #[serde(default)]
    pub per: String,
    /// What the assessors look at, in words.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub note: String,
}

/// An indicator parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    pub name: String,
    pub source: Source,
    pub metric: Option<Metric>,
    pub rule: Rule,
    pub weight: Points,
    /// Points per counted item (computed counts only; zero otherwise).
    pub per: Points,
    pub note: String,
}

/// Whether words tie an indicator to fines or the number of penalties.
pub fn names_penalties(words: &str) -> bool {
    let compact: String = words.chars().filter(|c| !c.is_whitespace()).collect();
    PENALTY_WORDS.iter().any(|w| compact.contains(w))
}

impl IndicatorInput {
    pub fn parse(&self) -> Result<Indicator, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = line(&mut errors, "name", &self.name, 50, "请填写指标名称");
        let note = text(&mut errors, "note", &self.note, 500);
        let metric_code = self.metric.trim().to_ascii_lowercase();
        // Art. 74 ¶3 first: an indicator over fines is refused for that reason, whatever else
        // is wrong with it.
        let penalty_metric = PENALTY_METRICS.contains(&metric_code.as_str());
        if penalty_metric {
            errors.add("metric", PENALTY_LINKED, PENALTY_LINKED_ZH);
        }
        if names_penalties(&name) {
            errors.add("name", PENALTY_LINKED, PENALTY_LINKED_ZH);
        }
        if names_penalties(&note) {
            errors.add("note", PENALTY_LINKED, PENALTY_LINKED_ZH);
        }
        let source = Source::parse(&self.source);
        if source.is_none() {
            errors.add("source", "invalid_value", "请选择来源（系统计算或考核记录）");
        }
        let metric = match (source, metric_code.as_str()) {
            _ if penalty_metric => None,
            (Some(Source::Computed), code) => {
                let metric = Metric::parse(code);
                if metric.is_none() {
                    errors.add("metric", "invalid_value", "请选择系统计算的指标");
                }
                metric
            }
            (Some(Source::Recorded), code) if !code.is_empty() => {
                errors.add("metric", "metric_not_recorded", "考核记录类指标不选择系统计算项");
                None
            }
            _ => None,
        };
        let rule = Rule::parse(&self.rule);
        match (rule, source, metric.map(Metric::shape)) {
            (None, _, _) => errors.add("rule", "invalid_value", "请选择计分规则"),
            (Some(Rule::Rate), Some(Source::Recorded), _)
            | (Some(Rule::Rate), _, Some(MetricShape::Count)) => {
                errors.add("rule", "rule_mismatch", "按比例计分只适用于系统计算的比率类指标");
            }
            (Some(Rule::Deduct | Rule::Award), Some(Source::Computed), Some(MetricShape::Rate)) => {
                errors.add("rule", "rule_mismatch", "比率类指标按比例计分");
            }
            _ => {}
        }
        let weight = Points::parse(&self.weight).filter(|w| w.0 > 0 && w.0 <= MAX_TOTAL * 100);
        if weight.is_none() {
            errors.add(
                "weight",
                "invalid_value",
                format!("权重为大于 0、不超过 {MAX_TOTAL} 的分值（最多两位小数）"),
            );
        }
        let counted = source == Some(Source::Computed) && matches!(rule, Some(Rule::Deduct | Rule::Award));
        let per = if counted {
            let per = Points::parse(&self.per).filter(|p| p.0 > 0);
            if per.is_none() {
                errors.add("per", "invalid_value", "请填写每项计（扣）分值");
            }
            per.unwrap_or_default()
        } else {
            Points(0)
        };
        errors.into_result()?;
        Ok(Indicator {
            name,
            source: source.expect("checked"),
            metric,
            rule: rule.expect("checked"),
            weight: weight.expect("checked"),
            per,
            note,
        })
    }
}

/// Checks that a scheme's weights add up to its declared total, before it is adopted.
pub fn check_weights(total: Points, indicators: &[Indicator]) -> Result<(), FieldErrors> {
    if indicators.is_empty() {
        return Err(FieldErrors::single("indicators", "no_indicators", "尚未设置考核指标"));
    }
    let sum = Points(indicators.iter().map(|i| i.weight.0).sum());
    if sum != total {
        let difference = Points((sum.0 - total.0).abs());
        let (word, code) =
            if sum.0 > total.0 { ("多", "weights_over_total") } else { ("少", "weights_under_total") };
        return Err(FieldErrors::single(
            "indicators",
            code,
            format!("各指标权重合计 {sum} 分，比总分 {total} 分{word} {difference} 分"),
        ));
    }
    Ok(())
}

/// Parses a declared total.
pub fn parse_total(raw: &str) -> Result<Points, FieldErrors> {
    Points::parse(raw).filter(|t| t.0 > 0 && t.0 <= MAX_TOTAL * 100).ok_or_else(|| {
        FieldErrors::single("total", "invalid_value", format!("总分为大于 0、不超过 {MAX_TOTAL} 的分值"))
    })
}

/// What the system measured for one squad and metric: `num` of `den` for a rate, `num` alone
/// for a count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Measure {
    pub num: i64,
    pub den: i64,
}

impl std::ops::AddAssign for Measure {
    fn add_assign(&mut self, other: Measure) {
        self.num += other.num;
        self.den += other.den;
    }
}

/// One recorded deduction or award as it counts: points and the entry behind them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryPoints {
    pub entry_id: String,
    pub points: Points,
}

/// One line of a squad's result: where its points came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub indicator_id: String,
    pub indicator: String,
    pub source: Source,
    pub weight: Points,
    pub points: Points,
    /// What was measured or recorded, in words (`45/48 件按期`, `扣分 2 项`).
    pub value: String,
    /// The measure behind a computed line (count or share).
    pub num: i64,
    pub den: i64,
    /// The recorded entries behind a recorded line.
    pub entries: Vec<String>,
    /// A correction after publication: the points before it and its reason.
    pub corrected_from: Option<Points>,
    pub correction_reason: Option<String>,
}

/// Scores one indicator for one squad. Rates round once, half up, to the hundredth.
pub fn score_line(
    indicator_id: &str,
    indicator: &Indicator,
    measure: Measure,
    entries: &[EntryPoints],
) -> Line {
    let w = indicator.weight.0;
    let (points, value, num, den) = match (indicator.source, indicator.rule) {
        (Source::Computed, Rule::Rate) => {
            if measure.den <= 0 {
                (w, "本期无应考核事项".to_owned(), 0, 0)
            } else {
                let num = measure.num.clamp(0, measure.den);
                // w × num / den in hundredths, rounded half up, in integers.
                let points = (2 * w * num + measure.den) / (2 * measure.den);
                (points, format!("{num}/{}", measure.den), num, measure.den)
            }
        }
        (Source::Computed, Rule::Deduct) => {
            let n = measure.num.max(0);
            ((w - indicator.per.0 * n).max(0), format!("{n} 项，每项扣 {} 分", indicator.per), n, 0)
        }
        (Source::Computed, Rule::Award) => {
            let n = measure.num.max(0);
            ((indicator.per.0 * n).min(w), format!("{n} 项，每项加 {} 分", indicator.per), n, 0)
        }
        (Source::Recorded, rule) => {
            let sum: i64 = entries.iter().map(|e| e.points.0).sum();
            let n = entries.len() as i64;
            match rule {
                Rule::Award => ((sum).min(w), format!("加分 {n} 项"), n, 0),
                _ => ((w - sum).max(0), format!("扣分 {n} 项"), n, 0),
            }
        }
    };
    Line {
        indicator_id: indicator_id.to_owned(),
        indicator: indicator.name.clone(),
        source: indicator.source,
        weight: indicator.weight,
        points: Points(points),
        value,
        num,
        den,
        entries: entries.iter().map(|e| e.entry_id.clone()).collect(),
        corrected_from: None,
        correction_reason: None,
    }
}

/// A squad's result: its lines and their sum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SquadResult {
    pub unit_id: String,
    pub unit: String,
    pub rank: u32,
    pub lines: Vec<Line>,
}

impl SquadResult {
    /// The score: always the sum of the lines, never stored apart from them.
    pub fn score(&self) -> Points {
        Points(self.lines.iter().map(|l| l.points.0).sum())
    }
}

/// What a squad measured and was recorded for in a period, by indicator.
#[derive(Debug, Clone, Default)]
pub struct SquadInputs {
    pub measures: HashMap<Metric, Measure>,
    /// Recorded entries by indicator id.
    pub entries: HashMap<String, Vec<EntryPoints>>,
}

/// Scores every squad under a scheme's indicators and ranks them.
pub fn assess(
    indicators: &[(String, Indicator)],
    squads: &[(String, String, SquadInputs)],
) -> Vec<SquadResult> {
    let mut results: Vec<SquadResult> = squads
        .iter()
        .map(|(unit_id, unit, inputs)| SquadResult {
            unit_id: unit_id.clone(),
            unit: unit.clone(),
            rank: 0,
            lines: indicators
                .iter()
                .map(|(id, ind)| {
                    let measure =
                        ind.metric.and_then(|m| inputs.measures.get(&m).copied()).unwrap_or_default();
                    let entries = inputs.entries.get(id).map(Vec::as_slice).unwrap_or(&[]);
                    score_line(id, ind, measure, entries)
                })
                .collect(),
        })
        .collect();
    rank(&mut results);
    results
}

/// Orders by score (highest first, then by name) and numbers the ranks; equal scores share a
/// rank and the next rank skips (1, 2, 2, 4).
pub fn rank(results: &mut [SquadResult]) {
    results.sort_by(|a, b| b.score().cmp(&a.score()).then_with(|| a.unit.cmp(&b.unit)));
    let mut previous: Option<(Points, u32)> = None;
    for (i, r) in results.iter_mut().enumerate() {
        let score = r.score();
        r.rank = match previous {
            Some((p, rank)) if p == score => rank,
            _ => i as u32 + 1,
        };
        previous = Some((score, r.rank));
    }
}

/// A correction of one published line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    pub unit_id: String,
    pub indicator_id: String,
    pub points: Points,
    pub reason: String,
}

/// Applies corrections (oldest first) to published results and ranks them again. The line keeps
/// the points first published and the latest reason.
pub fn apply_corrections(results: &mut [SquadResult], corrections: &[Correction]) {
    for c in corrections {
        if let Some(line) = results
            .iter_mut()
            .filter(|r| r.unit_id == c.unit_id)
            .flat_map(|r| r.lines.iter_mut())
            .find(|l| l.indicator_id == c.indicator_id)
        {
            line.corrected_from.get_or_insert(line.points);
            line.points = c.points;
            line.correction_reason = Some(c.reason.clone());
        }
    }
    rank(results);
}

/// A recorded deduction or award as typed by an assessor.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct EntryInput {
    pub unit_id: String,
    /// The recorded indicator it counts under.
    pub indicator_id: String,
    /// `YYYY-MM-DD`: when the inspection, finding or commendation was.
    #[schema(value_type = String, format = Date)]
    pub on: String,
    /// Points deducted or awarded (positive, at most two decimals).
    #[schema(example = "2")]
    pub points: String,
    /// What was found or commended.
    #[schema(max_length = 500, pattern = "\\S")]
    pub note: String,
    /// The evidence: the inspection record, the 督查通报 or 通报表扬 number.
    #[schema(max_length = 100, pattern = "\\S")]
    pub basis: String,
}

/// An entry parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub unit_id: String,
    pub indicator_id: String,
    pub on: NaiveDate,
    pub points: Points,
    pub note: String,
    pub basis: String,
}

impl EntryInput {
    pub fn parse(&self, today: NaiveDate) -> Result<Entry, FieldErrors> {
        let mut errors = FieldErrors::default();
        let on = date(&mut errors, "on", &self.on, "日期");
        if on.is_some_and(|d| d > today) {
            errors.add("on", "in_future", "日期不能晚于今天");
        }
        let points = Points::parse(&self.points).filter(|p| p.0 > 0 && p.0 <= MAX_TOTAL * 100);
        if points.is_none() {
            errors.add("points", "invalid_value", "请填写分值（大于 0，最多两位小数）");
        }
        let note = line(&mut errors, "note", &self.note, 500, "请填写考核情况");
        let basis = line(&mut errors, "basis", &self.basis, 100, "请填写依据（检查记录、督查通报文号等）");
        if self.unit_id.trim().is_empty() {
            errors.add("unit_id", "invalid_value", "请选择中队");
        }
        if self.indicator_id.trim().is_empty() {
            errors.add("indicator_id", "invalid_value", "请选择指标");
        }
        errors.into_result()?;
        Ok(Entry {
            unit_id: self.unit_id.trim().to_owned(),
            indicator_id: self.indicator_id.trim().to_owned(),
            on: on.expect("checked"),
            points: points.expect("checked"),
            note,
            basis,
        })
    }
}

/// A correction of a published line as typed by the office.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct CorrectionInput {
    pub unit_id: String,
    pub indicator_id: String,
    /// The line's corrected points (0 to its weight).
    #[schema(example = "18.5")]
    pub points: String,
    /// Why (复核结果, a wrong record…): required, shown with the line.
    #[schema(max_length = 500, pattern = "\\S")]
    pub reason: String,
}

impl CorrectionInput {
    /// Parses against the line's weight.
    pub fn parse(&self, weight: Option<Points>) -> Result<Correction, FieldErrors> {
        let mut errors = FieldErrors::default();
        let reason = line(&mut errors, "reason", &self.reason, 500, "更正须说明理由");
        let Some(weight) = weight else {
            errors.add("indicator_id", "not_found", "该中队本期没有这项指标");
            return Err(errors);
        };
        let points = Points::parse(&self.points).filter(|p| *p <= weight);
        if points.is_none() {
            errors.add("points", "invalid_value", format!("更正后的分值为 0–{weight} 分"));
        }
        errors.into_result()?;
        Ok(Correction {
            unit_id: self.unit_id.trim().to_owned(),
            indicator_id: self.indicator_id.trim().to_owned(),
            points: points.expect("checked"),
            reason,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    trait CodeOf {
        fn code_of(&self, field: &str) -> Option<&'static str>;
    }
    impl CodeOf for FieldErrors {
        fn code_of(&self, field: &str) -> Option<&'static str> {
            self.iter().find(|e| e.field == field).map(|e| e.code)
        }
    }

    fn input(name: &str, source: &str, metric: &str, rule: &str, weight: &str, per: &str) -> IndicatorInput {
        IndicatorInput {
            name: name.into(),
            source: source.into(),
            metric: metric.into(),
            rule: rule.into(),
            weight: weight.into(),
            per: per.into(),
            note: String::new(),
        }
    }

    #[test]
    fn points_read_and_print_two_decimals() {
        assert_eq!(Points::parse("12"), Some(Points(1200)));
        assert_eq!(Points::parse("12.5"), Some(Points(1250)));
        assert_eq!(Points::parse(" 0.25 "), Some(Points(25)));
        for bad in ["", "-1", "1.234", "1e3", "a", ".5", "1."] {
            assert_eq!(Points::parse(bad), if bad == "1." { Some(Points(100)) } else { None }, "{bad}");
        }
        assert_eq!(Points(1250).to_string(), "12.5");
        assert_eq!(Points(1205).to_string(), "12.05");
        assert_eq!(Points(1200).to_string(), "12");
        assert_eq!(Points(-300).to_string(), "-3");
    }

    #[test]
    fn periods_are_months_or_years() {
        let p = Period::parse("2026-02").unwrap();
        assert_eq!(p.first_day().to_string(), "2026-02-01");
        assert_eq!(p.last_day().to_string(), "2026-02-28");
        assert_eq!(Period::parse("2026").unwrap().last_day().to_string(), "2026-12-31");
        assert_eq!(Period::parse("2026").unwrap().months().len(), 12);
        assert!(Period::parse("2026-13").is_none() && Period::parse("26").is_none());
        assert!(!p.is_over("2026-02-28".parse().unwrap()) && p.is_over("2026-03-01".parse().unwrap()));
    }

    #[test]
    fn an_indicator_over_fines_is_refused_citing_article_74() {
        for (name, metric) in
            [("罚款完成率", "handling_on_time"), ("办案", "fine_amount"), ("月度处罚数", "recording")]
        {
            let err = input(name, "computed", metric, "rate", "10", "").parse().unwrap_err();
            assert!(err.iter().any(|e| e.code == PENALTY_LINKED), "{name} {metric}: {err}");
            assert!(err.iter().any(|e| e.message.contains("第七十四条")));
        }
        let mut recorded = input("专项督查", "recorded", "", "deduct", "10", "");
        recorded.note = "按罚没金额加分".into();
        assert_eq!(recorded.parse().unwrap_err().code_of("note"), Some(PENALTY_LINKED));
        // Cases handled on time are not fines: the word 处罚 alone is lawful.
        assert!(
            input("行政处罚案件按期办结率", "computed", "handling_on_time", "rate", "10", "").parse().is_ok()
        );
    }

    #[test]
    fn rules_fit_their_metric() {
        assert_eq!(
            input("a", "computed", "recording", "deduct", "10", "1").parse().unwrap_err().code_of("rule"),
            Some("rule_mismatch")
        );
        assert_eq!(
            input("a", "computed", "deadlines_missed", "rate", "10", "").parse().unwrap_err().code_of("rule"),
            Some("rule_mismatch")
        );
        assert_eq!(
            input("a", "computed", "deadlines_missed", "deduct", "10", "")
                .parse()
                .unwrap_err()
                .code_of("per"),
            Some("invalid_value")
        );
        assert_eq!(
            input("a", "recorded", "recording", "deduct", "10", "").parse().unwrap_err().code_of("metric"),
            Some("metric_not_recorded")
        );
        let ok = input("督查", "recorded", "", "deduct", "10", "").parse().unwrap();
        assert_eq!((ok.metric, ok.per), (None, Points(0)));
    }

    #[test]
    fn weights_must_add_up_and_the_difference_is_named() {
        let a = input("a", "computed", "recording", "rate", "60", "").parse().unwrap();
        let b = input("b", "recorded", "", "deduct", "35.5", "").parse().unwrap();
        let err = check_weights(Points(10000), &[a.clone(), b.clone()]).unwrap_err();
        assert_eq!(err.code_of("indicators"), Some("weights_under_total"));
        assert!(err.to_string().contains("95.5") && err.to_string().contains("少 4.5 分"), "{err}");
        let err = check_weights(Points(9000), &[a.clone(), b.clone()]).unwrap_err();
        assert_eq!(err.code_of("indicators"), Some("weights_over_total"));
        assert!(check_weights(Points(9550), &[a, b]).is_ok());
        assert_eq!(check_weights(Points(100), &[]).unwrap_err().code_of("indicators"), Some("no_indicators"));
    }

    #[test]
    fn lines_score_by_their_rule() {
        let rate = input("r", "computed", "recording", "rate", "20", "").parse().unwrap();
        assert_eq!(score_line("i", &rate, Measure { num: 2, den: 3 }, &[]).points, Points(1333));
        assert_eq!(score_line("i", &rate, Measure { num: 0, den: 0 }, &[]).points, Points(2000));
        let deduct = input("d", "computed", "deadlines_missed", "deduct", "10", "3").parse().unwrap();
        assert_eq!(score_line("i", &deduct, Measure { num: 2, den: 0 }, &[]).points, Points(400));
        assert_eq!(score_line("i", &deduct, Measure { num: 5, den: 0 }, &[]).points, Points(0));
        let recorded = input("c", "recorded", "", "award", "5", "").parse().unwrap();
        let entries = [
            EntryPoints { entry_id: "e1".into(), points: Points(200) },
            EntryPoints { entry_id: "e2".into(), points: Points(400) },
        ];
        let line = score_line("i", &recorded, Measure::default(), &entries);
        assert_eq!((line.points, line.entries.len()), (Points(500), 2));
    }

    #[test]
    fn ranks_share_on_equal_scores() {
        let rate = input("r", "computed", "recording", "rate", "10", "").parse().unwrap();
        let squad = |id: &str, num| {
            let mut inputs = SquadInputs::default();
            inputs.measures.insert(Metric::Recording, Measure { num, den: 10 });
            (id.to_owned(), id.to_owned(), inputs)
        };
        let results =
            assess(&[("i".into(), rate)], &[squad("a", 5), squad("b", 9), squad("c", 9), squad("d", 1)]);
        let ranks: Vec<(&str, u32)> = results.iter().map(|r| (r.unit.as_str(), r.rank)).collect();
        assert_eq!(ranks, [("b", 1), ("c", 1), ("a", 3), ("d", 4)]);
    }

    #[test]
    fn a_correction_keeps_the_first_points_and_reranks() {
        let rate = input("r", "computed", "recording", "rate", "10", "").parse().unwrap();
        let mut a = SquadInputs::default();
        a.measures.insert(Metric::Recording, Measure { num: 10, den: 10 });
        let mut results = assess(
            &[("i".into(), rate)],
            &[("a".into(), "a".into(), a), ("b".into(), "b".into(), SquadInputs::default())],
        );
        let correction = Correction {
            unit_id: "b".into(),
            indicator_id: "i".into(),
            points: Points(0),
            reason: "复核".into(),
        };
        apply_corrections(&mut results, std::slice::from_ref(&correction));
        let b = results.iter().find(|r| r.unit_id == "b").unwrap();
        assert_eq!((b.score(), b.rank, b.lines[0].corrected_from), (Points(0), 2, Some(Points(1000))));
    }

    proptest::proptest! {
        /// Whatever the scheme and the measures, a squad's score is the sum of its lines and
        /// no line leaves 0..=weight.
        #[test]
        fn breakdowns_add_up_to_the_score(
            weights in proptest::collection::vec(1i64..5000, 1..8),
            measures in proptest::collection::vec((0i64..500, 0i64..500), 8),
            entries in proptest::collection::vec(1i64..3000, 0..6),
        ) {
            let metrics = [Metric::HandlingOnTime, Metric::DeadlinesMissed, Metric::Recording, Metric::Training];
            let indicators: Vec<(String, Indicator)> = weights.iter().enumerate().map(|(i, w)| {
                let (source, metric, rule, per) = match i % 4 {
                    0 => (Source::Computed, Some(metrics[i % metrics.len()]), Rule::Rate, Points(0)),
                    1 => (Source::Computed, Some(Metric::DeadlinesMissed), Rule::Deduct, Points(150)),
                    2 => (Source::Recorded, None, Rule::Award, Points(0)),
                    _ => (Source::Recorded, None, Rule::Deduct, Points(0)),
                };
                (format!("i{i}"), Indicator { name: format!("指标{i}"), source, metric, rule, weight: Points(*w), per, note: String::new() })
            }).collect();
            let mut inputs = SquadInputs::default();
            for (m, (a, b)) in Metric::ALL.iter().zip(&measures) {
                inputs.measures.insert(*m, Measure { num: *a.min(b), den: *a.max(b) });
            }
            for (i, _) in indicators.iter().enumerate() {
                inputs.entries.insert(format!("i{i}"), entries.iter().enumerate().map(|(k, p)| EntryPoints { entry_id: format!("e{k}"), points: Points(*p) }).collect());
            }
            let results = assess(&indicators, &[("u".into(), "u".into(), inputs.clone())]);
            let r = &results[0];
            let entry_sum: i64 = entries.iter().sum();
            for (l, (_, ind)) in r.lines.iter().zip(&indicators) {
                proptest::prop_assert!(l.points.0 >= 0 && l.points <= ind.weight);
                // Each rule, written out again in floating point: the line is within half a
                // hundredth of it.
                let w = ind.weight.0 as f64;
                let expected = match (ind.source, ind.rule) {
                    (Source::Computed, Rule::Rate) => {
                        let m = inputs.measures[&ind.metric.unwrap()];
                        if m.den == 0 { w } else { w * m.num as f64 / m.den as f64 }
                    }
                    (Source::Computed, _) => {
                        let n = inputs.measures[&ind.metric.unwrap()].num as f64;
                        (w - ind.per.0 as f64 * n).max(0.0)
                    }
                    (Source::Recorded, Rule::Award) => (entry_sum as f64).min(w),
                    (Source::Recorded, _) => (w - entry_sum as f64).max(0.0),
                };
                proptest::prop_assert!((l.points.0 as f64 - expected).abs() <= 0.5, "{:?} {}", l, expected);
            }
            // The score is the lines' sum, and so is what a reader adds up from the lines.
            proptest::prop_assert_eq!(r.score().0, r.lines.iter().map(|l| l.points.0).sum::<i64>());
        }
    }
}
