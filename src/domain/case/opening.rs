//! Opening a case: the lead (线索) or the on-the-spot decision (当场处罚) as typed, and its one
//! parser. The operations look up what the parse cannot know (the party, the category, the
//! item, the unit's scope) and add their errors to the same list.

use chrono::NaiveDate;
use serde::Deserialize;

use super::Procedure;
use super::rules::parse_yuan;
use crate::domain::fields::FieldErrors;

/// Where a lead came from (案件来源), as the bureau's 立案审批表 lists them, with the phrase a
/// decision uses (本机关于……在{phrase}中发现).
pub const SOURCES: [(&str, &str, &str); 6] = [
    ("patrol", "巡查发现", "日常巡查"),
    ("complaint", "投诉举报", "处理投诉举报"),
    ("digital_city", "数字城管派遣", "处理数字城管派遣案件"),
    ("hotline", "12345热线", "处理12345热线工单"),
    ("referral", "其他部门移送", "审查其他部门移送的线索"),
    ("superior", "上级交办", "办理上级交办事项"),
];

pub fn source_name(code: &str) -> &str {
    SOURCES.iter().find(|(c, _, _)| *c == code).map_or(code, |(_, n, _)| n)
}

/// A lead or an on-the-spot decision as typed.
#[derive(Debug, Default, Clone, Deserialize, utoipa::ToSchema)]
pub struct OpenInput {
    /// `general` (a lead, 线索; the default) or `simple` (当场处罚).
    #[serde(default)]
    #[schema(pattern = r"^(general|simple)?$")]
    pub procedure: String,
    #[schema(min_length = 1)]
    pub party_id: String,
    /// A category code of `/api/v1/case-rules`.
    #[schema(min_length = 1)]
    pub category: String,
    #[serde(default)]
    pub item_code: String,
    /// The handling squad; the caller's own unit if empty.
    #[serde(default)]
    pub unit_id: String,
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub title: String,
    #[serde(default)]
    pub location: String,
    /// One of `patrol`, `complaint`, `digital_city`, `hotline`, `referral`, `superior`
    /// (a general-procedure lead must name one; an on-the-spot decision is `patrol`).
    #[serde(default)]
    #[schema(pattern = r"^(patrol|complaint|digital_city|hotline|referral|superior)?$")]
    pub source: String,
    /// Lead found or received (general), or the on-the-spot decision's day (simple).
    #[schema(value_type = String, format = Date)]
    pub clue_on: String,
    #[schema(value_type = String, format = Date)]
    pub act_on: String,
    /// 5-year limitation (行政处罚法 Art. 36): life, health or financial safety harmed.
    #[serde(default)]
    pub serious_harm: String,
    #[serde(default)]
    pub business_activity: String,
    /// Simple procedure: the two officers, and the penalty.
    #[serde(default)]
    pub officer1: String,
    #[serde(default)]
    pub officer2: String,
    #[serde(default)]
    pub warning: String,
    /// The fine in yuan (`200`, `50.5`).
    #[serde(default)]
    #[schema(pattern = r"^([0-9]{1,9}(\.[0-9]{1,2})?)?$")]
    pub fine: String,
}

/// A case to open, as its input parsed: every typed field in its type, nothing looked up yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opening {
    pub procedure: Procedure,
    pub title: String,
    /// A code of [`SOURCES`]; an on-the-spot decision is always `patrol`.
    pub source: &'static str,
    pub clue_on: NaiveDate,
    pub act_on: NaiveDate,
    pub serious_harm: bool,
    pub business_activity: bool,
    /// The two officers of an on-the-spot decision, as named.
    pub officers: Vec<String>,
    pub warning: bool,
    pub fine_fen: i64,
}

impl OpenInput {
    /// Whether the form is for an on-the-spot decision (a page shows its fields).
    pub fn is_simple(&self) -> bool {
        Procedure::parse(&self.procedure) == Some(Procedure::Simple)
    }

    /// Parses the typed fields, all errors at once. An unknown procedure is an error, not a
    /// lead: only an empty one means the default.
    pub fn parse(&self) -> Result<Opening, FieldErrors> {
        let mut errors = FieldErrors::default();
        let procedure = match self.procedure.trim() {
            "" => Procedure::General,
            code => Procedure::parse(code).unwrap_or_else(|| {
                errors.add(
                    "procedure",
                    "procedure_invalid",
                    "程序应为普通程序（general）或简易程序（simple）",
                );
                Procedure::General
            }),
        };
        let simple = procedure == Procedure::Simple;
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 100 {
            errors.add("title", "title_invalid", "请填写案由（100 字以内）");
        }
        let source = if simple { Some("patrol") } else { source_code(self.source.trim()) };
        if source.is_none() {
            errors.add("source", "source_unknown", "请选择案件来源");
        }
        let clue_on =
            date_field(&mut errors, "clue_on", &self.clue_on, if simple { "处罚日期" } else { "发现日期" });
        let act_on = date_field(&mut errors, "act_on", &self.act_on, "违法行为日期");
        let fine_fen = if self.fine.trim().is_empty() {
            Some(0)
        } else {
            let parsed = parse_yuan(&self.fine);
            if parsed.is_none() {
                errors.add("fine", "amount_invalid", "罚款金额格式不正确");
            }
            parsed
        };
        match (source, clue_on, act_on, fine_fen, errors.is_empty()) {
            (Some(source), Some(clue_on), Some(act_on), Some(fine_fen), true) => Ok(Opening {
                procedure,
                title: title.to_owned(),
                source,
                clue_on,
                act_on,
                serious_harm: checked(&self.serious_harm),
                business_activity: checked(&self.business_activity),
                officers: vec![self.officer1.trim().to_owned(), self.officer2.trim().to_owned()],
                warning: checked(&self.warning),
                fine_fen,
            }),
            _ => Err(errors),
        }
    }
}

/// The [`SOURCES`] code a typed source names, as the static code.
fn source_code(raw: &str) -> Option<&'static str> {
    SOURCES.iter().find(|(c, _, _)| *c == raw).map(|(c, _, _)| *c)
}

/// A required date field, `YYYY-MM-DD`.
pub fn date_field(
    errors: &mut FieldErrors,
    field: &'static str,
    raw: &str,
    label: &str,
) -> Option<NaiveDate> {
    match NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errors.add(field, "date_invalid", format!("请填写{label}（年-月-日）"));
            None
        }
    }
}

/// A checkbox or flag as a form or a JSON body sends it.
pub fn checked(raw: &str) -> bool {
    matches!(raw, "on" | "true" | "1" | "yes")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(procedure: &str) -> OpenInput {
        OpenInput {
            procedure: procedure.into(),
            title: "占道经营".into(),
            source: "patrol".into(),
            clue_on: "2026-03-02".into(),
            act_on: "2026-03-02".into(),
            fine: "50".into(),
            ..OpenInput::default()
        }
    }

    #[test]
    fn an_opening_reads_its_procedure_strictly_and_every_error_at_once() {
        assert_eq!(input("").parse().unwrap().procedure, Procedure::General);
        assert_eq!(input("simple").parse().unwrap().procedure, Procedure::Simple);
        assert_eq!(input("simple").parse().unwrap().fine_fen, 50_00);
        // An unknown procedure used to open a lead; it is an error now.
        let errors = input("summary").parse().unwrap_err();
        assert!(errors.get("procedure").is_some(), "{errors:?}");
        let bad =
            OpenInput { title: " ".into(), clue_on: "3/2".into(), fine: "五十".into(), ..input("general") };
        let errors = bad.parse().unwrap_err();
        for field in ["title", "clue_on", "fine"] {
            assert!(errors.get(field).is_some(), "{field}: {errors:?}");
        }
    }
}
