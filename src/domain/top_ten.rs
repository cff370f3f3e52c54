//! 十佳评比 (issue 16 scope 4; plan §三（四）3 参与"十佳"评比): once a year the bureau puts forward
//! its best — 十佳中队, 十佳城管中队长, 十佳城管队员, 十佳城管协管员 — for the city's evaluation.
//! A round is one year's evaluation and runs through four states:
//!
//! 1. 推荐 (nominating): the office sets the places, the eligibility rules of each category and
//!    the panel; squads and the office nominate. A nomination carries the system's own figures
//!    for the year (stars, the squad's assessment, training, complaints, discipline,
//!    certificate) frozen as they stood, and is refused when the figures break a rule of the
//!    category.
//! 2. 评审 (scoring): each panel member scores each nomination once, never one of their own
//!    squad. Only the office sees the tally.
//! 3. 定结果 (closed): the tally is frozen as the result list: a rank per category by mean score,
//!    the places taken by the best.
//! 4. 通报 (published): the office issues the notice under a document number (GB/T 9704
//!    发文字号); the result list becomes public.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::assessment::Points;
use crate::domain::fields::{FieldErrors, line as text_line};
use crate::domain::intake::coded;

/// The most places a category has: 十佳 are ten.
pub const MAX_PLACES: u32 = 10;

/// The fewest panel members a round may have (bureau practice, not a statute: with three or
/// more no single member decides, and a member who abstains from their own squad still leaves
/// two scores).
pub const PANEL_MIN: usize = 3;

/// The share of judged person-months that must be compliant for a squad to count as training
/// compliant, in percent (bureau practice, not a statute: a squad of twenty is not barred by one
/// person's missed study day, but a squad that skips the 学习日 is).
pub const SQUAD_TRAINING_MIN_PERCENT: i64 = 90;

/// The top score a panel member may give when the office sets none.
pub const DEFAULT_MAX_SCORE: Points = Points(100_00);

coded! {
    /// The four 十佳 titles of the plan.
    Category {
        Squad = "squad", "十佳中队",
        SquadLeader = "squad_leader", "十佳城管中队长",
        Officer = "officer", "十佳城管队员",
        Auxiliary = "auxiliary", "十佳城管协管员",
    }
}

coded! {
    /// An eligibility rule a category may apply.
    Rule {
        /// No complaint upheld against the person (a squad: against any of its people) this year.
        NoUpheldComplaint = "no_upheld_complaint", "本年度无有效投诉",
        /// Every judged month's 学习日 met (a squad: `SQUAD_TRAINING_MIN_PERCENT` of its
        /// person-months).
        TrainingCompliant = "training_compliant", "学习日达标",
        /// A 行政执法证 valid on the day of nomination (people who enforce: not a squad, not an
        /// auxiliary, who holds none).
        CertificateValid = "certificate_valid", "行政执法证有效",
        /// No disciplinary finding this year (a squad: against any of its people).
        NoDiscipline = "no_discipline", "本年度无违纪",
    }
}

impl Rule {
    /// Whether the rule means anything for the category: auxiliaries and squads hold no
    /// certificate.
    pub fn applies(self, category: Category) -> bool {
        match self {
            Rule::CertificateValid => matches!(category, Category::SquadLeader | Category::Officer),
            _ => true,
        }
    }

    /// The code a nomination is refused with when its figures break the rule.
    pub fn failure_code(self) -> &'static str {
        match self {
            Rule::NoUpheldComplaint => "complaint_upheld",
            Rule::TrainingCompliant => "training_not_compliant",
            Rule::CertificateValid => "certificate_invalid",
            Rule::NoDiscipline => "discipline_found",
        }
    }
}

impl Category {
    /// The rules a new round applies: every rule that applies to the category.
    pub fn default_rules(self) -> Vec<Rule> {
        Rule::ALL.iter().copied().filter(|r| r.applies(self)).collect()
    }

    /// Whether a person of a squad fits a person's category: the squad leaders (中队长 and
    /// 副中队长, by their position) for 十佳城管中队长, the other officers for 十佳城管队员, the
    /// auxiliaries for 十佳城管协管员.
    pub fn fits_person(self, officer: bool, position: &str) -> bool {
        let leads = position.trim().ends_with("中队长");
        match self {
            Category::Squad => false,
            Category::SquadLeader => officer && leads,
            Category::Officer => officer && !leads,
            Category::Auxiliary => !officer,
        }
    }
}

/// One category of a round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CategorySettings {
    pub category: Category,
    /// How many take the title (at most `MAX_PLACES`).
    pub places: u32,
    pub rules: Vec<Rule>,
}

/// A round's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub categories: Vec<CategorySettings>,
    /// The top score a panel member gives.
    pub max_score: Points,
    /// The panel: account ids.
    pub panel: Vec<String>,
}

impl Settings {
    /// A new round: all four categories with ten places and every rule that applies.
    pub fn standard() -> Settings {
        Settings {
            categories: Category::ALL
                .iter()
                .map(|&category| CategorySettings {
                    category,
                    places: MAX_PLACES,
                    rules: category.default_rules(),
                })
                .collect(),
            max_score: DEFAULT_MAX_SCORE,
            panel: Vec::new(),
        }
    }

    pub fn category(&self, category: Category) -> Option<&CategorySettings> {
        self.categories.iter().find(|c| c.category == category)
    }

    /// The settings as the form and the API write them.
    pub fn to_input(&self) -> SettingsInput {
        SettingsInput {
            categories: self
                .categories
                .iter()
                .map(|c| TopTenCategoryInput {
                    category: c.category.code().to_owned(),
                    places: c.places,
                    rules: c.rules.iter().map(|r| r.code().to_owned()).collect(),
                })
                .collect(),
            max_score: self.max_score.to_string(),
            panel: self.panel.clone(),
        }
    }
}

/// One category as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct TopTenCategoryInput {
    /// `squad`, `squad_leader`, `officer` or `auxiliary`.
    #[schema(example = "officer")]
    pub category: String,
    /// 1–10.
    #[schema(minimum = 1, maximum = 10)]
    pub places: u32,
    /// `no_upheld_complaint`, `training_compliant`, `certificate_valid`, `no_discipline`.
    #[serde(default)]
    pub rules: Vec<String>,
}

/// A round's settings as typed by the office.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct SettingsInput {
    pub categories: Vec<TopTenCategoryInput>,
    /// The top score, at most two decimals.
    #[schema(example = "100")]
    pub max_score: String,
    /// Account ids of the panel members (at least three).
    pub panel: Vec<String>,
}

impl SettingsInput {
    /// Each category once with 1–10 places and rules that apply to it, a top score above zero
    /// and at most 1000, and a panel of at least `PANEL_MIN` distinct accounts that `may_score`.
    pub fn parse(&self, may_score: impl Fn(&str) -> bool) -> Result<Settings, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut categories: Vec<CategorySettings> = Vec::new();
        for input in &self.categories {
            let Some(category) = Category::parse(&input.category) else {
                errors.add(
                    "categories",
                    "invalid_value",
                    format!("未知的评比类别 {}", input.category.trim()),
                );
                continue;
            };
            if categories.iter().any(|c| c.category == category) {
                errors.add("categories", "category_twice", format!("{}只能设置一次", category.name_zh()));
                continue;
            }
            if !(1..=MAX_PLACES).contains(&input.places) {
                errors.add(
                    "categories",
                    "places_invalid",
                    format!("{}的名额须为 1 至 {MAX_PLACES} 名", category.name_zh()),
                );
            }
            let mut rules = Vec::new();
            for raw in &input.rules {
                match Rule::parse(raw) {
                    Some(rule) if !rule.applies(category) => errors.add(
                        "categories",
                        "rule_not_applicable",
                        format!("{}不适用于{}", rule.name_zh(), category.name_zh()),
                    ),
                    Some(rule) if !rules.contains(&rule) => rules.push(rule),
                    Some(_) => {}
                    None => {
                        errors.add("categories", "invalid_value", format!("未知的评比条件 {}", raw.trim()));
                    }
                }
            }
            categories.push(CategorySettings { category, places: input.places, rules });
        }
        if self.categories.is_empty() {
            errors.add("categories", "invalid_value", "请至少设置一个评比类别");
        }
        let max_score = Points::parse(&self.max_score).filter(|p| p.0 > 0 && p.0 <= 1000_00);
        if max_score.is_none() {
            errors.add("max_score", "invalid_value", "满分须大于 0 且不超过 1000，最多两位小数");
        }
        let mut panel: Vec<String> = Vec::new();
        for member in self.panel.iter().map(|m| m.trim()).filter(|m| !m.is_empty()) {
            if !may_score(member) {
                errors.add("panel", "panel_member_invalid", "评审组成员须为可参与评审的在用账号");
            } else if !panel.iter().any(|p| p == member) {
                panel.push(member.to_owned());
            }
        }
        if panel.len() < PANEL_MIN {
            errors.add("panel", "panel_too_small", format!("评审组至少 {PANEL_MIN} 人"));
        }
        errors.into_result()?;
        Ok(Settings { categories, max_score: max_score.expect("checked"), panel })
    }
}

/// What the system knows of a candidate for the year so far: frozen into the nomination.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Figures {
    /// The months of the year judged for training: those ended by the day of nomination.
    pub months: u32,
    /// A person's stars for the year (the mean of the months); a squad's mean of its people's.
    pub stars: Option<f64>,
    /// A person's star points for the year.
    pub star_total: Option<f64>,
    /// The squad's score in the year's squad assessment (a person: their squad's), and its rank.
    pub assessment_score: Option<f64>,
    pub assessment_rank: Option<u32>,
    /// Person-months compliant with the 学习日 rules, of those judged.
    pub training_compliant: i64,
    pub training_judged: i64,
    /// Recorded this year (a squad: for all its people).
    pub complaints_upheld: u32,
    pub discipline: u32,
    pub commendations: u32,
    /// The last day of the person's 行政执法证, if any.
    pub certificate_valid_to: Option<NaiveDate>,
    /// A squad's people in service.
    pub people: u32,
}

/// The rules of a category the figures break, each with why. Nothing: eligible.
pub fn failures(
    category: Category,
    rules: &[Rule],
    figures: &Figures,
    today: NaiveDate,
) -> Vec<(Rule, String)> {
    let mut out = Vec::new();
    for &rule in rules.iter().filter(|r| r.applies(category)) {
        let why = match rule {
            Rule::NoUpheldComplaint if figures.complaints_upheld > 0 => {
                Some(format!("本年度有 {} 起有效投诉", figures.complaints_upheld))
            }
            Rule::NoDiscipline if figures.discipline > 0 => {
                Some(format!("本年度有 {} 项违纪记录", figures.discipline))
            }
            Rule::TrainingCompliant => {
                let (done, judged) = (figures.training_compliant, figures.training_judged);
                let met = if category == Category::Squad {
                    done * 100 >= judged * SQUAD_TRAINING_MIN_PERCENT
                } else {
                    done >= judged
                };
                (!met).then(|| format!("学习日达标 {done}/{judged}"))
            }
            Rule::CertificateValid if figures.certificate_valid_to.is_none_or(|d| d < today) => {
                Some(match figures.certificate_valid_to {
                    Some(d) => format!("行政执法证已于 {d} 到期"),
                    None => "无行政执法证".to_owned(),
                })
            }
            _ => None,
        };
        if let Some(why) = why {
            out.push((rule, why));
        }
    }
    out
}

/// The refusal of an ineligible candidate: one field error per rule broken, each with its code.
pub fn ineligible(category: Category, broken: &[(Rule, String)]) -> FieldErrors {
    let mut errors = FieldErrors::default();
    for (rule, why) in broken {
        errors.add(
            "subject",
            rule.failure_code(),
            format!("不符合{}条件“{}”：{why}", category.name_zh(), rule.name_zh()),
        );
    }
    errors
}

coded! {
    /// Where a round stands.
    RoundState {
        Nominating = "nominating", "推荐中",
        Scoring = "scoring", "评审中",
        Closed = "closed", "结果已定",
        Published = "published", "已通报",
    }
}

coded! {
    /// What the office does to move a round on.
    Step {
        StartScoring = "start_scoring", "开始评审",
        Close = "close", "确定结果",
        Publish = "publish", "发布通报",
    }
}

/// The state after a step, or the refusal's code and message.
pub fn after(state: RoundState, step: Step) -> Result<RoundState, (&'static str, &'static str)> {
    match (state, step) {
        (RoundState::Nominating, Step::StartScoring) => Ok(RoundState::Scoring),
        (RoundState::Scoring, Step::Close) => Ok(RoundState::Closed),
        (RoundState::Closed, Step::Publish) => Ok(RoundState::Published),
        (RoundState::Published, Step::Publish) => Err(("already_published", "本年度评比结果已通报")),
        (_, Step::StartScoring) => Err(("round_not_nominating", "推荐阶段已结束")),
        (_, Step::Close) => Err(("round_not_scoring", "评比不在评审阶段")),
        (_, Step::Publish) => Err(("round_not_closed", "评比结果尚未确定，不能通报")),
    }
}

/// A nomination as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NominationInput {
    /// `squad`, `squad_leader`, `officer` or `auxiliary`.
    #[schema(example = "officer")]
    pub category: String,
    /// The squad's unit id (十佳中队) or the person's id.
    pub subject: String,
    /// 主要事迹: what the candidate did.
    #[schema(max_length = 2000, pattern = "\\S")]
    pub deeds: String,
}

impl NominationInput {
    pub fn parse(&self) -> Result<(Category, String, String), FieldErrors> {
        let mut errors = FieldErrors::default();
        let category = Category::parse(&self.category);
        if category.is_none() {
            errors.add("category", "invalid_value", "请选择评比类别");
        }
        let subject = self.subject.trim().to_owned();
        if subject.is_empty() {
            errors.add("subject", "invalid_value", "请选择推荐对象");
        }
        let deeds = text_line(&mut errors, "deeds", &self.deeds, 2000, "请填写主要事迹");
        errors.into_result()?;
        Ok((category.expect("checked"), subject, deeds))
    }
}

/// A panel member's score as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ScoreInput {
    pub nomination_id: String,
    /// 0 up to the round's top score, at most two decimals.
    #[schema(example = "92.5")]
    pub score: String,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub note: String,
}

impl ScoreInput {
    pub fn parse(&self, max: Points) -> Result<(String, Points, String), FieldErrors> {
        let mut errors = FieldErrors::default();
        let score = Points::parse(&self.score).filter(|s| s.0 >= 0 && *s <= max);
        if score.is_none() {
            errors.add("score", "score_out_of_range", format!("评分须在 0 至 {max} 之间，最多两位小数"));
        }
        let note = crate::domain::fields::text(&mut errors, "note", &self.note, 500);
        errors.into_result()?;
        Ok((self.nomination_id.trim().to_owned(), score.expect("checked"), note))
    }
}

/// A 发文字号 as GB/T 9704 writes it: 机关代字, the year in full in 六角括号, the number
/// unpadded and without 第, then 号 (`钟城管〔2026〕12号`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocNumber {
    pub prefix: String,
    pub year: i32,
    pub number: u32,
}

impl DocNumber {
    pub fn parse(raw: &str) -> Option<DocNumber> {
        let raw = raw.trim();
        let (prefix, rest) = raw.split_once('〔')?;
        let (year, rest) = rest.split_once('〕')?;
        let number = rest.strip_suffix('号')?;
        let prefix = prefix.trim();
        let well_formed = !prefix.is_empty()
            && !prefix.chars().any(char::is_whitespace)
            && year.len() == 4
            && year.chars().all(|c| c.is_ascii_digit())
            && !number.is_empty()
            && number.chars().all(|c| c.is_ascii_digit())
            && !number.starts_with('0');
        if !well_formed {
            return None;
        }
        Some(DocNumber { prefix: prefix.to_owned(), year: year.parse().ok()?, number: number.parse().ok()? })
    }
}

impl std::fmt::Display for DocNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}〔{}〕{}号", self.prefix, self.year, self.number)
    }
}

/// The notice as typed by the office.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct TopTenNoticeInput {
    /// The 发文字号, `钟城管〔2026〕12号`.
    #[schema(example = "钟城管〔2026〕12号")]
    pub number: String,
    /// The opening paragraph(s) before the result list.
    #[schema(max_length = 2000, pattern = "\\S")]
    pub body: String,
}

/// A notice parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub number: DocNumber,
    pub body: String,
}

impl TopTenNoticeInput {
    /// `year` is the year the notice is issued in: a 发文字号 carries it.
    pub fn parse(&self, year: i32) -> Result<Notice, FieldErrors> {
        let mut errors = FieldErrors::default();
        let number = DocNumber::parse(&self.number);
        match &number {
            None => errors.add(
                "number",
                "notice_number_invalid",
                "发文字号格式为“机关代字〔年份〕序号号”，如 钟城管〔2026〕12号：年份用六角括号，序号不加“第”、不补零",
            ),
            Some(n) if n.year != year => {
                errors.add("number", "notice_number_invalid", format!("发文字号的年份须为发文年份 {year}"));
            }
            Some(_) => {}
        }
        let body = text_line(&mut errors, "body", &self.body, 2000, "请填写通报正文");
        errors.into_result()?;
        Ok(Notice { number: number.expect("checked"), body })
    }
}

/// The panel members expected to score a nomination: all but those of the nomination's squad.
pub fn expected_scorers<'a>(panel: &'a [(String, Option<String>)], squad: &str) -> Vec<&'a str> {
    panel.iter().filter(|(_, own)| own.as_deref() != Some(squad)).map(|(a, _)| a.as_str()).collect()
}

/// One nomination's place in the result list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tallied {
    pub nomination_id: String,
    pub category: Category,
    pub scores: u32,
    /// The mean of the scores given, rounded half up to hundredths; none when nobody scored.
    pub mean: Option<Points>,
    /// 1-based within the category; equal means share a rank (1, 2, 2, 4). None: unscored.
    pub rank: Option<u32>,
    /// Within the category's places.
    pub winner: bool,
}

/// Ranks each category's nominations by their mean score. Equal means share a rank, so a tie on
/// the last place gives the title to both: a panel that wants to split them scores again
/// before the round is closed.
pub fn tally(
    nominations: &[(String, Category)],
    scores: &[(String, Points)],
    settings: &Settings,
) -> Vec<Tallied> {
    let mut out = Vec::new();
    for category in Category::ALL {
        let places = settings.category(*category).map_or(0, |c| c.places);
        let mut rows: Vec<Tallied> = nominations
            .iter()
            .filter(|(_, c)| c == category)
            .map(|(id, _)| {
                let given: Vec<i64> = scores.iter().filter(|(n, _)| n == id).map(|(_, s)| s.0).collect();
                let n = given.len() as i64;
                let mean = (n > 0).then(|| Points((given.iter().sum::<i64>() * 2 + n) / (2 * n)));
                Tallied {
                    nomination_id: id.clone(),
                    category: *category,
                    scores: n as u32,
                    mean,
                    rank: None,
                    winner: false,
                }
            })
            .collect();
        rows.sort_by(|a, b| b.mean.cmp(&a.mean).then_with(|| a.nomination_id.cmp(&b.nomination_id)));
        for i in 0..rows.len() {
            if rows[i].mean.is_none() {
                continue;
            }
            let rank = if i > 0 && rows[i - 1].mean == rows[i].mean {
                rows[i - 1].rank.expect("ranked above")
            } else {
                i as u32 + 1
            };
            rows[i].rank = Some(rank);
            rows[i].winner = rank <= places;
        }
        out.extend(rows);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn settings(places: u32) -> Settings {
        let mut s = Settings::standard();
        for c in &mut s.categories {
            c.places = places;
        }
        s
    }

    #[test]
    fn each_rule_refuses_with_its_own_code() {
        let figures = Figures {
            complaints_upheld: 1,
            discipline: 2,
            training_compliant: 10,
            training_judged: 11,
            certificate_valid_to: Some(day("2026-11-30")),
            ..Figures::default()
        };
        let broken =
            failures(Category::Officer, &Category::Officer.default_rules(), &figures, day("2026-12-04"));
        let codes: Vec<&str> = broken.iter().map(|(r, _)| r.failure_code()).collect();
        assert_eq!(
            codes,
            ["complaint_upheld", "training_not_compliant", "certificate_invalid", "discipline_found"]
        );
        let errors = ineligible(Category::Officer, &broken);
        assert_eq!(errors.iter().count(), 4);
        // The certificate's last day still counts.
        let fine = Figures { certificate_valid_to: Some(day("2026-12-04")), ..Figures::default() };
        assert!(
            failures(Category::Officer, &Category::Officer.default_rules(), &fine, day("2026-12-04"))
                .is_empty()
        );
        // An auxiliary holds no certificate: the rule never applies, even if stored.
        let aux =
            failures(Category::Auxiliary, &[Rule::CertificateValid], &Figures::default(), day("2026-12-04"));
        assert!(aux.is_empty());
    }

    #[test]
    fn a_squad_is_training_compliant_at_ninety_percent() {
        let at = |done, judged| Figures {
            training_compliant: done,
            training_judged: judged,
            ..Figures::default()
        };
        let rules = [Rule::TrainingCompliant];
        let today = day("2026-12-04");
        assert!(failures(Category::Squad, &rules, &at(90, 100), today).is_empty());
        assert_eq!(failures(Category::Squad, &rules, &at(89, 100), today).len(), 1);
        // A person must meet every judged month.
        assert_eq!(failures(Category::Officer, &rules, &at(99, 100), today).len(), 1);
        assert!(failures(Category::Officer, &rules, &at(0, 0), today).is_empty());
    }

    #[test]
    fn categories_fit_by_employment_and_position() {
        assert!(Category::SquadLeader.fits_person(true, "中队长"));
        assert!(Category::SquadLeader.fits_person(true, "副中队长"));
        assert!(!Category::Officer.fits_person(true, "中队长"));
        assert!(Category::Officer.fits_person(true, "执法队员"));
        assert!(!Category::Officer.fits_person(false, "协管员"));
        assert!(Category::Auxiliary.fits_person(false, "协管员"));
        assert!(!Category::Squad.fits_person(true, "执法队员"));
    }

    #[test]
    fn settings_are_checked_field_by_field() {
        let ok = |a: &str| a.starts_with("acc");
        let mut input = Settings::standard().to_input();
        input.panel = vec!["acc1".into(), "acc2".into()];
        let err = input.parse(ok).unwrap_err();
        assert_eq!(err.iter().next().unwrap().code, "panel_too_small");
        input.panel = vec!["acc1".into(), "acc2".into(), "acc2".into(), "acc3".into()];
        let parsed = input.parse(ok).unwrap();
        assert_eq!(parsed.panel.len(), 3, "a member named twice counts once");
        assert_eq!(parsed.categories.len(), 4);
        input.panel.push("nobody".into());
        assert_eq!(input.parse(ok).unwrap_err().iter().next().unwrap().code, "panel_member_invalid");
        input.panel.pop();
        input.categories[0].rules.push("certificate_valid".into());
        assert_eq!(input.parse(ok).unwrap_err().iter().next().unwrap().code, "rule_not_applicable");
        input.categories[0].rules.pop();
        input.categories[1].places = 11;
        assert_eq!(input.parse(ok).unwrap_err().iter().next().unwrap().code, "places_invalid");
        input.categories[1].places = 10;
        input.categories.push(input.categories[0].clone());
        assert_eq!(input.parse(ok).unwrap_err().iter().next().unwrap().code, "category_twice");
    }

    #[test]
    fn rounds_move_one_way() {
        use RoundState::*;
        assert_eq!(after(Nominating, Step::StartScoring), Ok(Scoring));
        assert_eq!(after(Scoring, Step::Close), Ok(Closed));
        assert_eq!(after(Closed, Step::Publish), Ok(Published));
        assert_eq!(after(Scoring, Step::StartScoring).unwrap_err().0, "round_not_nominating");
        assert_eq!(after(Nominating, Step::Close).unwrap_err().0, "round_not_scoring");
        assert_eq!(after(Scoring, Step::Publish).unwrap_err().0, "round_not_closed");
        assert_eq!(after(Published, Step::Publish).unwrap_err().0, "already_published");
    }

    #[test]
    fn document_numbers_follow_gb_t_9704() {
        let n = DocNumber::parse("钟城管〔2026〕12号").unwrap();
        assert_eq!((n.prefix.as_str(), n.year, n.number), ("钟城管", 2026, 12));
        assert_eq!(n.to_string(), "钟城管〔2026〕12号");
        for bad in [
            "钟城管[2026]12号",
            "钟城管〔2026〕第12号",
            "钟城管〔2026〕012号",
            "〔2026〕12号",
            "钟城管〔26〕12号",
            "钟城管〔2026〕12",
        ] {
            assert!(DocNumber::parse(bad).is_none(), "{bad}");
        }
        let notice =
            TopTenNoticeInput { number: "钟城管〔2025〕3号".into(), body: "为表彰先进".into() };
        assert_eq!(notice.parse(2026).unwrap_err().iter().next().unwrap().code, "notice_number_invalid");
    }

    #[test]
    fn the_tally_ranks_by_mean_and_ties_share_a_rank() {
        let noms: Vec<(String, Category)> =
            ["a", "b", "c", "d", "e"].iter().map(|n| (n.to_string(), Category::Officer)).collect();
        let s = |n: &str, p: i64| (n.to_string(), Points(p));
        let scores = vec![
            s("a", 9000),
            s("a", 8001),
            s("b", 9500),
            s("c", 8501),
            s("c", 8500),
            s("d", 8501),
            s("d", 8500),
        ];
        let out = tally(&noms, &scores, &settings(3));
        let row = |id: &str| out.iter().find(|t| t.nomination_id == id).unwrap();
        assert_eq!(row("a").mean, Some(Points(8501)), "8500.5 rounds half up");
        assert_eq!(row("b").rank, Some(1));
        assert_eq!([row("a").rank, row("c").rank, row("d").rank], [Some(2), Some(2), Some(2)]);
        assert!(row("d").winner, "a tie on the last place gives the title to all tied");
        assert_eq!((row("e").rank, row("e").winner, row("e").scores), (None, false, 0));
        let out = tally(&noms, &scores, &settings(1));
        assert_eq!(out.iter().filter(|t| t.winner).count(), 1);
    }

    #[test]
    fn a_panel_member_is_not_expected_to_score_their_own_squad() {
        let panel = vec![
            ("x".to_owned(), Some("s1".to_owned())),
            ("y".to_owned(), None),
            ("z".to_owned(), Some("s2".to_owned())),
        ];
        assert_eq!(expected_scorers(&panel, "s1"), ["y", "z"]);
    }

    #[test]
    fn scores_stay_within_the_top_score() {
        let input = |s: &str| ScoreInput { nomination_id: "n".into(), score: s.into(), note: String::new() };
        assert_eq!(input("100").parse(Points(10000)).unwrap().1, Points(10000));
        assert_eq!(
            input("100.01").parse(Points(10000)).unwrap_err().iter().next().unwrap().code,
            "score_out_of_range"
        );
        assert!(input("-1").parse(Points(10000)).is_err());
    }
}
