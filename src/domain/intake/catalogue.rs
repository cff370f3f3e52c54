//! The catalogue of matter classes (事件/部件 小类), in the manner of GB/T 30428.2: each class
//! with its 大类, whether the public may report it (the public form, Open311 `services.json`)
//! and its handling limits by urgency (GB/T 30428.8's 处置时限 table; the city's own values are
//! configuration, [M]). The office edits it; the seed rows are in migration 0029.

use serde::{Deserialize, Serialize};

use crate::domain::fields::FieldErrors;
use crate::domain::intake::{Urgency, coded};
use crate::domain::worktime::TimeLimit;

coded! {
    /// 事件 (something happening: litter, a stall, a works site) or 部件 (a thing in the street
    /// that is damaged or missing: a manhole cover, a lamp).
    CategoryKind {
        Event = "event", "事件",
        Component = "component", "部件",
    }
}

/// One class of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// `SJ0401` (事件, 大类 04, 小类 01) or `BJ0101` (部件).
    pub code: String,
    pub name: String,
    pub kind: CategoryKind,
    /// The 大类: 市容环境, 宣传广告, 施工管理, 街面秩序, 突发事件, 公用设施 …
    pub group: String,
    /// Offered on the public form and through Open311.
    pub public: bool,
    pub handle_normal: TimeLimit,
    pub handle_urgent: TimeLimit,
    /// A withdrawn class stays for the matters filed under it but takes no new ones.
    pub active: bool,
    pub version: i64,
}

impl Category {
    /// The handling limit for a matter of this class at `urgency`.
    pub fn handle_limit(&self, urgency: Urgency) -> TimeLimit {
        match urgency {
            Urgency::Normal => self.handle_normal,
            Urgency::Urgent => self.handle_urgent,
        }
    }
}

/// A class as the office's form or a JSON body gives it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct CategoryInput {
    #[serde(default)]
    #[schema(pattern = "^[A-Za-z0-9]{2,12}$")]
    pub code: String,
    #[serde(default)]
    #[schema(max_length = 40, pattern = "\\S")]
    pub name: String,
    /// `event` (事件) or `component` (部件).
    #[serde(default)]
    #[schema(pattern = "^(event|component)$")]
    pub kind: String,
    #[serde(default)]
    #[schema(max_length = 20, pattern = "\\S")]
    pub group: String,
    #[serde(default)]
    pub public: bool,
    /// `wh:4` (working hours), `wd:3` (working days) or `h:2` (clock hours), 1–500.
    #[serde(default)]
    #[schema(pattern = "^(wh|wd|h):([1-9]|[1-9][0-9]|[1-4][0-9]{2}|500)$")]
    pub handle_normal: String,
    /// Not longer than `handle_normal`.
    #[serde(default)]
    #[schema(pattern = "^(wh|wd|h):([1-9]|[1-9][0-9]|[1-4][0-9]{2}|500)$")]
    pub handle_urgent: String,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// How long a limit is, in office minutes, to compare two of them: a clock hour counts as an
/// office hour (an urgent limit in clock hours is the shorter one whatever the day).
fn nominal_minutes(limit: TimeLimit) -> u64 {
    match limit {
        TimeLimit::WorkingHours(n) | TimeLimit::Hours(n) => u64::from(n) * 60,
        TimeLimit::WorkingDays(n) => u64::from(n) * 450,
    }
}

impl CategoryInput {
    /// Checks a class: a code of letters and digits, a name and a group, and limits the
    /// catalogue can count, the urgent one no longer than the normal one.
    pub fn parse(&self, version: i64) -> Result<Category, FieldErrors> {
        let mut errors = FieldErrors::default();
        let code = self.code.trim().to_ascii_uppercase();
        if !(2..=12).contains(&code.len()) || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
            errors.add("code", "code_invalid", "类别代码为 2–12 位字母或数字，如 SJ0401");
        }
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 40 {
            errors.add("name", "name_required", "请填写小类名称（不超过 40 字）");
        }
        let group = self.group.trim();
        if group.is_empty() || group.chars().count() > 20 {
            errors.add("group", "group_required", "请填写大类名称（不超过 20 字）");
        }
        let kind = CategoryKind::parse(&self.kind);
        if kind.is_none() {
            errors.add("kind", "kind_invalid", "请选择事件或部件");
        }
        let limit = |field: &'static str, raw: &str, errors: &mut FieldErrors| {
            let limit = TimeLimit::parse(raw);
            if limit.is_none() {
                errors.add(
                    field,
                    "limit_invalid",
                    "时限写作 wh:4（工作时）、wd:3（工作日）或 h:2（小时），1–500",
                );
            }
            limit
        };
        let normal = limit("handle_normal", &self.handle_normal, &mut errors);
        let urgent = limit("handle_urgent", &self.handle_urgent, &mut errors);
        if let (Some(normal), Some(urgent)) = (normal, urgent)
            && nominal_minutes(urgent) > nominal_minutes(normal)
        {
            errors.add("handle_urgent", "urgent_longer", "紧急时限不能长于一般时限");
        }
        errors.into_result()?;
        let (Some(kind), Some(handle_normal), Some(handle_urgent)) = (kind, normal, urgent) else {
            unreachable!("every None above added a field error")
        };
        Ok(Category {
            code,
            name: name.to_owned(),
            kind,
            group: group.to_owned(),
            public: self.public,
            handle_normal,
            handle_urgent,
            active: self.active,
            version,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> CategoryInput {
        CategoryInput {
            code: "sj0401".into(),
            name: "无照经营游商".into(),
            kind: "event".into(),
            group: "街面秩序".into(),
            public: true,
            handle_normal: "wh:4".into(),
            handle_urgent: "h:2".into(),
            active: true,
        }
    }

    #[test]
    fn a_class_is_parsed_with_its_limits() {
        let class = input().parse(0).unwrap();
        assert_eq!(class.code, "SJ0401");
        assert_eq!(class.handle_limit(Urgency::Urgent), TimeLimit::Hours(2));
        assert_eq!(class.handle_limit(Urgency::Normal), TimeLimit::WorkingHours(4));
    }

    #[test]
    fn bad_classes_name_their_fields() {
        let bad =
            CategoryInput { code: "S J".into(), kind: "thing".into(), handle_normal: "4h".into(), ..input() };
        let errors = bad.parse(0).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["code", "kind", "handle_normal"]);
        let slower = CategoryInput { handle_urgent: "wd:2".into(), ..input() };
        assert_eq!(slower.parse(0).unwrap_err().iter().next().unwrap().code, "urgent_longer");
    }
}
