//! 星级队员 (issue 16 scope 2; plan §三（四）3): every officer and auxiliary is rated one to five stars for a month and for a year
//! from the year's rules. A rating is a base plus one line per factor, each line saying where
//! its points came from, so that the person can read their own breakdown and appeal it:
//! - computed: training compliance (person-months compliant / judged) and on-time case terms
//!   (terms met / ended, per handling officer);
//! - recorded by the office with their basis: attendance deductions (考勤), upheld complaints
//!   (有效投诉), commendations (表扬), discipline (违纪);
//! - the squad leader's assessment (0 up to the factor's weight).
//!
//! The total maps to stars through the year's thresholds (the minimum points for 2, 3, 4 and 5
//! stars). A year's rating is the mean of its months' lines ([`year_rating`]). An appeal is
//! answered by the office: dismissed, or upheld with the corrected stars.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::assessment::Points;
use crate::domain::fields::{FieldErrors, date, line as text_line, text};
use crate::domain::intake::coded;

/// The days after a month's ratings are published within which a person may appeal (bureau
/// practice, not a statute: long enough to read the breakdown and ask the squad leader).
pub const APPEAL_DAYS: i64 = 15;

/// The most items one entry records (a typo guard).
pub const MAX_ITEMS: u32 = 50;

coded! {
    /// What a rating is made of.
    Factor {
        /// 学习日达标: weight × the share of the person's judged months that were compliant.
        Training = "training", "学习日达标",
        /// 办案按期: weight × the share of the person's ended handling terms met in time.
        OnTime = "on_time", "办案按期",
        /// 考勤: a deduction per recorded absence or lateness.
        Attendance = "attendance", "考勤",
        /// 有效投诉: a deduction per upheld complaint.
        Complaint = "complaint", "有效投诉",
        /// 表扬: an award per commendation, up to the weight.
        Commendation = "commendation", "表扬",
        /// 违纪: a deduction per disciplinary finding.
        Discipline = "discipline", "违纪",
        /// 中队长评价: the squad leader's score, 0 up to the weight.
        Leader = "leader", "中队长评价",
    }
}

impl Factor {
    /// How a factor scores.
    pub fn scoring(self) -> Scoring {
        match self {
            Factor::Training | Factor::OnTime => Scoring::Rate,
            Factor::Attendance | Factor::Complaint | Factor::Discipline => Scoring::Deduct,
            Factor::Commendation => Scoring::Award,
            Factor::Leader => Scoring::Given,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scoring {
    /// weight × num / den (full weight when nothing was judged).
    Rate,
    /// weight − per item × items, not below zero.
    Deduct,
    /// per item × items, up to the weight.
    Award,
    /// A score given by the squad leader, 0 up to the weight.
    Given,
}

/// One factor of the year's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactorRule {
    pub factor: Factor,
    pub weight: Points,
    /// Per item (deductions and awards).
    pub per_item: Points,
}

/// The year's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StarRules {
    pub factors: Vec<FactorRule>,
    /// The minimum total for 2, 3, 4 and 5 stars, rising.
    pub thresholds: [Points; 4],
}

impl StarRules {
    /// The rules as the form and the API write them (what `StarRulesInput::parse` reads back).
    pub fn to_input(&self) -> StarRulesInput {
        StarRulesInput {
            factors: self
                .factors
                .iter()
                .map(|f| FactorRuleInput {
                    factor: f.factor.code().to_owned(),
                    weight: f.weight.to_string(),
                    per_item: if f.per_item.0 > 0 { f.per_item.to_string() } else { String::new() },
                })
                .collect(),
            thresholds: self.thresholds.iter().map(Points::to_string).collect(),
        }
    }

    /// The most a person can score.
    pub fn most(&self) -> Points {
        Points(self.factors.iter().map(|f| f.weight.0).sum())
    }

    /// The squad leader's weight, if the rules give the squad leader a say.
    pub fn leader_weight(&self) -> Option<Points> {
        self.factors.iter().find(|f| f.factor == Factor::Leader).map(|f| f.weight)
    }

    /// The plan's example rules, for a year the office has not set yet: 100 points, the stars
    /// at 60, 70, 80 and 90.
    pub fn standard() -> StarRules {
        let r = |factor, weight: i64, per: i64| FactorRule {
            factor,
            weight: Points(weight * 100),
            per_item: Points(per * 100),
        };
        StarRules {
            factors: vec![
                r(Factor::Training, 15, 0),
                r(Factor::OnTime, 20, 0),
                r(Factor::Attendance, 15, 3),
                r(Factor::Complaint, 15, 5),
                r(Factor::Commendation, 10, 5),
                r(Factor::Discipline, 10, 10),
                r(Factor::Leader, 15, 0),
            ],
            thresholds: [Points(6000), Points(7000), Points(8000), Points(9000)],
        }
    }
}

/// What one person did in a period, per factor: (num, den) for a rate, items for a deduction or
/// award, the score for the squad leader's assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FactorInput {
    pub num: i64,
    pub den: i64,
}

/// One line of a rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StarLine {
    pub factor: Factor,
    pub points: Points,
    /// `3/4`, `2 项，每项扣 1 分`, `中队长评价 8 分`.
    pub why: String,
}

/// A person's rating: the lines, their total and the stars.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub lines: Vec<StarLine>,
    /// Exactly the sum of the lines.
    pub total: Points,
    pub stars: u8,
}

/// One factor of the rules as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct FactorRuleInput {
    /// `training`, `on_time`, `attendance`, `complaint`, `commendation`, `discipline` or `leader`.
    pub factor: String,
    /// Points, at most two decimals.
    #[schema(example = "20")]
    pub weight: String,
    /// Per item, for deductions and awards.
    #[serde(default)]
    pub per_item: String,
}

/// A year's rules as typed by the office.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct StarRulesInput {
    pub factors: Vec<FactorRuleInput>,
    /// The minimum totals for 2, 3, 4 and 5 stars.
    pub thresholds: Vec<String>,
}

impl StarRulesInput {
    /// Every factor at most once, each weight above zero, a per-item amount where the factor
    /// counts items, and four rising thresholds no higher than the most a person can score.
    pub fn parse(&self) -> Result<StarRules, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut factors: Vec<FactorRule> = Vec::new();
        for input in &self.factors {
            let Some(factor) = Factor::parse(&input.factor) else {
                errors.add("factors", "invalid_value", format!("未知的评星项目 {}", input.factor.trim()));
                continue;
            };
            if factors.iter().any(|f| f.factor == factor) {
                errors.add("factors", "factor_twice", format!("{}只能设置一次", factor.name_zh()));
                continue;
            }
            let weight = Points::parse(&input.weight).filter(|w| w.0 > 0);
            if weight.is_none() {
                errors.add(
                    "factors",
                    "invalid_weight",
                    format!("{}的分值须大于 0，最多两位小数", factor.name_zh()),
                );
            }
            let counts_items = matches!(factor.scoring(), Scoring::Deduct | Scoring::Award);
            let per_item = if counts_items {
                Points::parse(&input.per_item).filter(|p| p.0 > 0)
            } else {
                Some(Points(0))
            };
            if per_item.is_none() {
                errors.add("factors", "per_item_required", format!("{}须填写每项分值", factor.name_zh()));
            }
            if let (Some(weight), Some(per_item)) = (weight, per_item) {
                factors.push(FactorRule { factor, weight, per_item });
            }
        }
        if self.factors.is_empty() {
            errors.add("factors", "invalid_value", "请设置评星项目");
        }
        let most: i64 = factors.iter().map(|f| f.weight.0).sum();
        let thresholds: Vec<Option<Points>> = self.thresholds.iter().map(|t| Points::parse(t)).collect();
        let rising = thresholds.len() == 4
            && thresholds.iter().all(Option::is_some)
            && thresholds.windows(2).all(|w| w[0] < w[1])
            && thresholds.last().copied().flatten().is_some_and(|t| t.0 <= most);
        if !rising {
            errors.add(
                "thresholds",
                "thresholds_invalid",
                format!("请按二至五星依次填写四个递增的分数线，且不高于满分 {}", Points(most)),
            );
        }
        errors.into_result()?;
        let t: Vec<Points> = thresholds.into_iter().flatten().collect();
        Ok(StarRules { factors, thresholds: [t[0], t[1], t[2], t[3]] })
    }
}

coded! {
    /// How the office answered an appeal.
    AppealOutcome {
        /// 维持: the rating stands.
        Dismissed = "dismissed", "维持原评定",
        /// 改评: the stars are corrected.
        Upheld = "upheld", "改评",
    }
}

/// A person's appeal against a rating.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AppealInput {
    #[schema(max_length = 1000, pattern = "\\S")]
    pub reason: String,
}

impl AppealInput {
    pub fn parse(&self) -> Result<String, FieldErrors> {
        let mut errors = FieldErrors::default();
        let reason = text_line(&mut errors, "reason", &self.reason, 1000, "请写明申诉理由");
        errors.into_result()?;
        Ok(reason)
    }
}

/// The office's answer to an appeal.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AppealAnswerInput {
    /// `dismissed` or `upheld`.
    pub outcome: String,
    /// The corrected stars (1–5) when upheld.
    #[serde(default)]
    pub stars: Option<u8>,
    #[schema(max_length = 1000, pattern = "\\S")]
    pub answer: String,
}

impl AppealAnswerInput {
    /// `current` is the rating's stars: an upheld appeal changes them.
    pub fn parse(&self, current: u8) -> Result<(AppealOutcome, u8, String), FieldErrors> {
        let mut errors = FieldErrors::default();
        let outcome = AppealOutcome::parse(&self.outcome);
        if outcome.is_none() {
            errors.add("outcome", "invalid_value", "请选择维持或改评");
        }
        let answer = text_line(&mut errors, "answer", &self.answer, 1000, "请填写答复");
        let stars = match outcome {
            Some(AppealOutcome::Upheld) => match self.stars {
                Some(s) if (1..=5).contains(&s) && s != current => s,
                _ => {
                    errors.add("stars", "stars_invalid", "改评须给出不同于原评定的星级（1–5）");
                    current
                }
            },
            _ => current,
        };
        errors.into_result()?;
        Ok((outcome.expect("checked"), stars, answer))
    }
}

/// Scores one factor.
pub fn line(rule: &FactorRule, input: FactorInput) -> StarLine {
    let w = rule.weight.0;
    // What the records give is never negative, and never more done right than judged.
    let items = input.num.max(0);
    let done = input.num.clamp(0, input.den.max(0));
    let (points, why) = match rule.factor.scoring() {
        Scoring::Rate if input.den <= 0 => (w, "无应考核事项，按满分计".to_owned()),
        // Hundredths, rounded half up, so that a rating is exactly the sum of its lines.
        Scoring::Rate => ((w * done * 2 + input.den) / (2 * input.den), format!("{}/{}", done, input.den)),
        Scoring::Deduct => {
            ((w - rule.per_item.0 * items).max(0), format!("{items} 项，每项扣 {} 分", rule.per_item))
        }
        Scoring::Award => {
            ((rule.per_item.0 * items).min(w), format!("{items} 项，每项加 {} 分", rule.per_item))
        }
        Scoring::Given => (input.num.clamp(0, w), format!("中队长评价 {} 分", Points(input.num.clamp(0, w)))),
    };
    StarLine { factor: rule.factor, points: Points(points), why }
}

/// The stars a total earns under the thresholds (one star below the first).
pub fn stars(total: Points, thresholds: &[Points; 4]) -> u8 {
    1 + thresholds.iter().filter(|t| total.0 >= t.0).count() as u8
}

/// Rates one person: a line per factor of the rules, in their order.
pub fn rate(rules: &StarRules, inputs: &[(Factor, FactorInput)]) -> Rating {
    let lines: Vec<StarLine> = rules
        .factors
        .iter()
        .map(|rule| {
            let input = inputs.iter().find(|(f, _)| *f == rule.factor).map(|(_, i)| *i).unwrap_or_default();
            line(rule, input)
        })
        .collect();
    let total = Points(lines.iter().map(|l| l.points.0).sum());
    Rating { stars: stars(total, &rules.thresholds), lines, total }
}

/// A year's rating: each factor's points are the mean of its monthly points (rounded half up to
/// hundredths), the total their sum, the stars from the total. No months: no rating.
pub fn year_rating(rules: &StarRules, months: &[Rating]) -> Option<Rating> {
    if months.is_empty() {
        return None;
    }
    let n = months.len() as i64;
    let lines: Vec<StarLine> = rules
        .factors
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            let sum: i64 = months.iter().map(|m| m.lines.get(i).map_or(0, |l| l.points.0)).sum();
            StarLine {
                factor: rule.factor,
                points: Points((sum * 2 + n) / (2 * n)),
                why: format!("{n} 个月平均"),
            }
        })
        .collect();
    let total = Points(lines.iter().map(|l| l.points.0).sum());
    Some(Rating { stars: stars(total, &rules.thresholds), lines, total })
}

/// A recorded entry as typed by the office: an absence, an upheld complaint, a commendation or
/// a disciplinary finding, with its basis.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct StarEntryInput {
    pub person_id: String,
    /// `attendance`, `complaint`, `commendation` or `discipline`.
    #[schema(example = "commendation")]
    pub factor: String,
    /// `YYYY-MM-DD`: when it happened (counts in that month), not after today.
    #[schema(value_type = String, format = Date)]
    pub on: String,
    /// How many (absences, complaints…); 1 when empty.
    #[serde(default)]
    pub items: u32,
    /// What it rests on: a sign-in record, a complaint's number, a 通报 number.
    #[schema(max_length = 100, pattern = "\\S")]
    pub basis: String,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub note: String,
}

/// An entry parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StarEntry {
    pub person_id: String,
    #[schema(value_type = String)]
    pub factor: Factor,
    pub on: NaiveDate,
    pub items: u32,
    pub basis: String,
    pub note: String,
}

impl StarEntryInput {
    pub fn parse(&self, today: NaiveDate) -> Result<StarEntry, FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.person_id.trim().is_empty() {
            errors.add("person_id", "invalid_value", "请选择人员");
        }
        let factor =
            Factor::parse(&self.factor).filter(|f| matches!(f.scoring(), Scoring::Deduct | Scoring::Award));
        if factor.is_none() {
            errors.add("factor", "invalid_value", "请选择考勤、有效投诉、表扬或违纪");
        }
        let on = date(&mut errors, "on", &self.on, "日期");
        if on.is_some_and(|d| d > today) {
            errors.add("on", "in_future", "日期不能晚于今天");
        }
        let items = if self.items == 0 { 1 } else { self.items };
        if items > MAX_ITEMS {
            errors.add("items", "out_of_range", format!("一次最多登记 {MAX_ITEMS} 项"));
        }
        let basis = text_line(&mut errors, "basis", &self.basis, 100, "请填写依据（记录编号、通报文号）");
        let note = text(&mut errors, "note", &self.note, 500);
        errors.into_result()?;
        Ok(StarEntry {
            person_id: self.person_id.trim().to_owned(),
            factor: factor.expect("checked"),
            on: on.expect("checked"),
            items,
            basis,
            note,
        })
    }
}

/// The squad leader's assessment of a person for a month.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct LeaderScoreInput {
    pub person_id: String,
    /// `YYYY-MM`.
    #[schema(example = "2026-11")]
    pub month: String,
    /// Points, at most two decimals, up to the rules' weight for the squad leader.
    #[schema(example = "12.5")]
    pub score: String,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub note: String,
}

impl LeaderScoreInput {
    /// `weight` is the rules' weight for the squad leader's assessment.
    pub fn parse(
        &self,
        weight: Points,
    ) -> Result<(String, crate::domain::training::Month, Points, String), FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.person_id.trim().is_empty() {
            errors.add("person_id", "invalid_value", "请选择人员");
        }
        let month = crate::domain::training::Month::parse(&self.month);
        if month.is_none() {
            errors.add("month", "invalid_value", "月份格式为 YYYY-MM");
        }
        let score = Points::parse(&self.score).filter(|s| s.0 <= weight.0);
        if score.is_none() {
            errors.add("score", "out_of_range", format!("评分为 0–{weight} 分，最多两位小数"));
        }
        let note = text(&mut errors, "note", &self.note, 500);
        errors.into_result()?;
        Ok((self.person_id.trim().to_owned(), month.expect("checked"), score.expect("checked"), note))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rules() -> StarRules {
        let r = |factor, weight: i64, per: i64| FactorRule {
            factor,
            weight: Points(weight * 100),
            per_item: Points(per * 100),
        };
        StarRules {
            factors: vec![
                r(Factor::Training, 20, 0),
                r(Factor::OnTime, 20, 0),
                r(Factor::Attendance, 15, 2),
                r(Factor::Complaint, 15, 5),
                r(Factor::Commendation, 10, 5),
                r(Factor::Discipline, 10, 10),
                r(Factor::Leader, 10, 0),
            ],
            thresholds: [Points(6000), Points(7000), Points(8000), Points(9000)],
        }
    }

    #[test]
    fn a_clean_month_with_one_commendation_earns_five_stars() {
        let inputs = [
            (Factor::Training, FactorInput { num: 1, den: 1 }),
            (Factor::OnTime, FactorInput { num: 3, den: 4 }),
            (Factor::Commendation, FactorInput { num: 1, den: 0 }),
            (Factor::Leader, FactorInput { num: 1000, den: 0 }),
        ];
        let rating = rate(&rules(), &inputs);
        assert_eq!(rating.lines[1].points, Points(1500));
        let year = year_rating(&rules(), &[rating.clone(), rate(&rules(), &[])]).unwrap();
        assert_eq!(year.total.0, year.lines.iter().map(|l| l.points.0).sum::<i64>());
        assert_eq!(rating.total, Points(2000 + 1500 + 1500 + 1500 + 500 + 1000 + 1000));
        assert_eq!(rating.stars, 5);
        let one_finding = [(Factor::Discipline, FactorInput { num: 1, den: 0 })];
        assert_eq!(rate(&rules(), &one_finding).lines[5].points, Points(0));
    }

    proptest! {
        #[test]
        fn a_rating_is_the_sum_of_its_lines_and_stars_rise_with_points(
            raw in proptest::collection::vec((0i64..50, 0i64..50), 7)
        ) {
            let inputs: Vec<(Factor, FactorInput)> = Factor::ALL
                .iter()
                .zip(&raw)
                .map(|(f, (a, b))| (*f, FactorInput { num: (*a).min(*b + 1), den: *b }))
                .collect();
            let rating = rate(&rules(), &inputs);
            prop_assert_eq!(rating.total.0, rating.lines.iter().map(|l| l.points.0).sum::<i64>());
            prop_assert!((1..=5).contains(&rating.stars));
            for (line, rule) in rating.lines.iter().zip(&rules().factors) {
                prop_assert!(line.points.0 >= 0 && line.points.0 <= rule.weight.0);
            }
            let year = year_rating(&rules(), &[rating.clone(), rate(&rules(), &inputs[..3])]).unwrap();
            prop_assert_eq!(year.total.0, year.lines.iter().map(|l| l.points.0).sum::<i64>());
        }
    }
}

#[cfg(test)]
mod input_tests {
    use super::*;

    #[test]
    fn rules_need_rising_thresholds_within_the_most_and_each_factor_once() {
        let factor = |f: &str, w: &str, p: &str| FactorRuleInput {
            factor: f.into(),
            weight: w.into(),
            per_item: p.into(),
        };
        let ok = StarRulesInput {
            factors: vec![factor("training", "50", ""), factor("attendance", "50", "5")],
            thresholds: vec!["60".into(), "70".into(), "80".into(), "90".into()],
        };
        assert_eq!(ok.parse().unwrap().most(), Points(10000));
        let twice = StarRulesInput {
            factors: vec![factor("training", "50", ""), factor("training", "50", "")],
            ..ok.clone()
        };
        assert_eq!(twice.parse().unwrap_err().iter().next().unwrap().code, "factor_twice");
        let high = StarRulesInput {
            thresholds: vec!["60".into(), "70".into(), "80".into(), "101".into()],
            ..ok.clone()
        };
        assert_eq!(high.parse().unwrap_err().iter().next().unwrap().code, "thresholds_invalid");
        let no_per = StarRulesInput { factors: vec![factor("attendance", "100", "")], ..ok };
        assert_eq!(no_per.parse().unwrap_err().iter().next().unwrap().code, "per_item_required");
    }

    #[test]
    fn an_upheld_appeal_changes_the_stars() {
        let answer = |outcome: &str, stars: Option<u8>| AppealAnswerInput {
            outcome: outcome.into(),
            stars,
            answer: "经复核".into(),
        };
        assert_eq!(answer("upheld", Some(4)).parse(3).unwrap().1, 4);
        assert_eq!(
            answer("upheld", Some(3)).parse(3).unwrap_err().iter().next().unwrap().code,
            "stars_invalid"
        );
        assert_eq!(answer("dismissed", None).parse(3).unwrap().1, 3);
        let entry = StarEntryInput {
            person_id: "p".into(),
            factor: "leader".into(),
            on: "2026-03-01".into(),
            basis: "x".into(),
            ..Default::default()
        };
        assert!(
            entry.parse("2026-03-02".parse().unwrap()).is_err(),
            "the squad leader's score is not an entry"
        );
        let score = LeaderScoreInput {
            person_id: "p".into(),
            month: "2026-02".into(),
            score: "15.5".into(),
            note: String::new(),
        };
        assert_eq!(score.parse(Points(1500)).unwrap_err().iter().next().unwrap().code, "out_of_range");
    }
}
