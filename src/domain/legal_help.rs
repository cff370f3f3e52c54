//! Circuit court and legal help (issue 18 scope 9; plan §三（三）: 巡回法庭进驻、律师参与): the
//! sittings of the 巡回法庭 the bureau hosts — when, where, which court and judge, how many cases
//! were heard and what came of them — and the legal consultations its legal office and lawyers
//! give to the public or to staff, counted per month. A consultation records the question and
//! the answer, never who asked: it is a count of help given, not a file on a person.
//!
//! Parsing and counting only: the inputs as typed become these types once, with every field's
//! error at once.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::domain::fields::{FieldErrors, date, line, text};

/// The most cases one sitting records (a bound against typing errors).
pub const MAX_CASES_HEARD: u32 = 200;

/// A 巡回法庭 sitting as recorded.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct SittingInput {
    /// `YYYY-MM-DD`, not after today.
    #[schema(value_type = String, format = Date)]
    pub held_on: String,
    #[schema(max_length = 100, pattern = "\\S")]
    pub place: String,
    /// The court that sat (e.g. 钟楼区人民法院).
    #[schema(max_length = 100, pattern = "\\S")]
    pub court: String,
    #[schema(max_length = 50, pattern = "\\S")]
    pub judge: String,
    /// How many cases were heard, 0–200, as digits (blanks around them are ignored).
    #[schema(pattern = "^\\s*[0-9]{1,3}\\s*$")]
    pub cases_heard: String,
    /// What came of them (judgments, mediations, withdrawals), in words.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub outcomes: String,
}

/// A sitting parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Sitting {
    pub held_on: NaiveDate,
    pub place: String,
    pub court: String,
    pub judge: String,
    pub cases_heard: u32,
    pub outcomes: String,
}

impl SittingInput {
    pub fn parse(&self, today: NaiveDate) -> Result<Sitting, FieldErrors> {
        let mut errors = FieldErrors::default();
        let held_on = date(&mut errors, "held_on", &self.held_on, "开庭日期");
        if held_on.is_some_and(|d| d > today) {
            errors.add("held_on", "in_future", "开庭后再登记");
        }
        let place = line(&mut errors, "place", &self.place, 100, "请填写开庭地点");
        let court = line(&mut errors, "court", &self.court, 100, "请填写人民法院");
        let judge = line(&mut errors, "judge", &self.judge, 50, "请填写审判员");
        let cases_heard = match self.cases_heard.trim().parse::<u32>() {
            Ok(n) if n <= MAX_CASES_HEARD => n,
            _ => {
                errors.add("cases_heard", "invalid_value", format!("审理案件数为 0–{MAX_CASES_HEARD}"));
                0
            }
        };
        let outcomes = text(&mut errors, "outcomes", &self.outcomes, 2000);
        errors.into_result()?;
        Ok(Sitting { held_on: held_on.expect("checked"), place, court, judge, cases_heard, outcomes })
    }
}

/// Who a consultation was given to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// 群众 (a vendor, a resident, a shop).
    Public,
    /// The bureau's own staff (执法人员的法律咨询).
    Staff,
}

impl Audience {
    pub fn parse(code: &str) -> Option<Audience> {
        match code {
            "public" => Some(Audience::Public),
            "staff" => Some(Audience::Staff),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Audience::Public => "public",
            Audience::Staff => "staff",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Audience::Public => "群众",
            Audience::Staff => "执法人员",
        }
    }
}

/// A legal consultation as recorded.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ConsultationInput {
    /// `YYYY-MM-DD`, not after today.
    #[schema(value_type = String, format = Date)]
    pub given_on: String,
    /// `public` or `staff`.
    #[schema(example = "public")]
    pub audience: String,
    /// The question, without the asker's name or numbers.
    #[schema(max_length = 200, pattern = "\\S")]
    pub topic: String,
    /// The answer given.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub answer: String,
    /// Who gave it: the legal office, a 法律顾问 or a lawyer of a named firm.
    #[schema(max_length = 50, pattern = "\\S")]
    pub given_by: String,
}

/// A consultation parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Consultation {
    pub given_on: NaiveDate,
    pub audience: Audience,
    pub topic: String,
    pub answer: String,
    pub given_by: String,
}

impl ConsultationInput {
    pub fn parse(&self, today: NaiveDate) -> Result<Consultation, FieldErrors> {
        let mut errors = FieldErrors::default();
        let given_on = date(&mut errors, "given_on", &self.given_on, "咨询日期");
        if given_on.is_some_and(|d| d > today) {
            errors.add("given_on", "in_future", "咨询日期不能晚于今天");
        }
        let audience = Audience::parse(self.audience.trim());
        if audience.is_none() {
            errors.add("audience", "invalid_value", "请选择咨询对象（群众或执法人员）");
        }
        let topic = line(&mut errors, "topic", &self.topic, 200, "请填写咨询事项");
        let answer = text(&mut errors, "answer", &self.answer, 2000);
        let given_by = line(&mut errors, "given_by", &self.given_by, 50, "请填写解答人");
        errors.into_result()?;
        Ok(Consultation {
            given_on: given_on.expect("checked"),
            audience: audience.expect("checked"),
            topic,
            answer,
            given_by,
        })
    }
}

/// One month of the year: sittings, cases heard, consultations to the public and to staff.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MonthCount {
    pub month: u32,
    pub sittings: u32,
    pub cases_heard: u32,
    pub public_consultations: u32,
    pub staff_consultations: u32,
}

/// The twelve months of `year` (January first), counted over the records given.
pub fn month_counts(year: i32, sittings: &[Sitting], consultations: &[Consultation]) -> Vec<MonthCount> {
    let mut months: Vec<MonthCount> =
        (1..=12).map(|month| MonthCount { month, ..Default::default() }).collect();
    for s in sittings.iter().filter(|s| s.held_on.year() == year) {
        let m = &mut months[s.held_on.month0() as usize];
        m.sittings += 1;
        m.cases_heard += s.cases_heard;
    }
    for c in consultations.iter().filter(|c| c.given_on.year() == year) {
        let m = &mut months[c.given_on.month0() as usize];
        match c.audience {
            Audience::Public => m.public_consultations += 1,
            Audience::Staff => m.staff_consultations += 1,
        }
    }
    months
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_sitting_is_recorded_once_held_with_its_count_of_cases() {
        let input = SittingInput {
            held_on: "2026-03-03".into(),
            place: " ".into(),
            court: "钟楼区人民法院".into(),
            judge: "张法官".into(),
            cases_heard: "201".into(),
            outcomes: String::new(),
        };
        let errors = input.parse(d("2026-03-02")).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["held_on", "place", "cases_heard"]);
        let ok = SittingInput {
            held_on: "2026-03-02".into(),
            place: "南大街中队".into(),
            cases_heard: "3".into(),
            ..input
        };
        assert_eq!(ok.parse(d("2026-03-02")).unwrap().cases_heard, 3);
    }

    #[test]
    fn the_months_count_sittings_cases_and_consultations_by_audience() {
        let sitting = |on: &str, n: u32| Sitting {
            held_on: d(on),
            place: String::new(),
            court: String::new(),
            judge: String::new(),
            cases_heard: n,
            outcomes: String::new(),
        };
        let consultation = |on: &str, audience: Audience| Consultation {
            given_on: d(on),
            audience,
            topic: String::new(),
            answer: String::new(),
            given_by: String::new(),
        };
        let months = month_counts(
            2026,
            &[sitting("2026-03-02", 3), sitting("2026-03-20", 2), sitting("2025-03-02", 9)],
            &[consultation("2026-03-05", Audience::Public), consultation("2026-12-31", Audience::Staff)],
        );
        assert_eq!(months.len(), 12);
        assert_eq!((months[2].sittings, months[2].cases_heard, months[2].public_consultations), (2, 5, 1));
        assert_eq!(months[11].staff_consultations, 1);
        assert_eq!(months[0], MonthCount { month: 1, ..Default::default() });
    }
}
