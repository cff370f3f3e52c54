//! Joint work with other departments (issue 17 scope 4): the partner departments a matter is
//! referred to (an editable list), and the 联席会议 the bureau holds with them — the minutes and
//! the tasks agreed, each with who does it and by when, tracked to done. A task still open past
//! its day is overdue and shows on the 工作台 of whoever records the meetings.
//!
//! Parsing only: the inputs as typed become these types once, with every field's error at once.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::fields::{FieldErrors, date, line, text};

/// The longest text a meeting's minutes may hold (a few pages of 纪要).
pub const MAX_MINUTES_CHARS: usize = 10_000;

/// A partner department as the office edits it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DepartmentInput {
    /// A short stable code (`market`, `housing`); lower-case letters, digits and `_`.
    #[schema(pattern = "^[a-z0-9_]{2,20}$")]
    pub id: String,
    #[schema(min_length = 2, max_length = 30, pattern = "\\S")]
    pub name: String,
    /// A department no longer referred to stays on the matters that were.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// A partner department (协作部门).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Department {
    pub id: String,
    pub name: String,
    pub active: bool,
    /// As stored; in a change, the version it was read at (0: a new one).
    pub version: i64,
}

impl DepartmentInput {
    /// The department as changed over the version read (`version` 0: a new one).
    pub fn parse(&self, version: i64) -> Result<Department, FieldErrors> {
        let mut errors = FieldErrors::default();
        let id = self.id.trim();
        let id_ok = (2..=20).contains(&id.len())
            && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !id_ok {
            errors.add("id", "invalid_value", "代码为 2–20 位小写字母、数字或下划线");
        }
        let name = self.name.trim();
        if !(2..=30).contains(&name.chars().count()) || name.chars().any(char::is_control) {
            errors.add("name", "invalid_value", "请填写部门名称（2–30 字）");
        }
        errors.into_result().map(|()| Department {
            id: id.to_owned(),
            name: name.to_owned(),
            active: self.active,
            version,
        })
    }
}

/// A 联席会议 as recorded: when, where, who, what was discussed and decided.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct MeetingInput {
    /// `YYYY-MM-DD`, not after today: a meeting is recorded once held.
    #[schema(value_type = String, format = Date)]
    pub held_on: String,
    #[schema(max_length = 100, pattern = "\\S")]
    pub topic: String,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub place: String,
    /// The partner departments that took part, by name, one per line or separated by `、`/`,`.
    #[schema(max_length = 500, pattern = "\\S")]
    pub departments: String,
    /// Who attended, as the minutes list them.
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub attendees: String,
    /// The minutes (会议纪要).
    #[schema(max_length = 10000, pattern = "\\S")]
    pub minutes: String,
}

/// A 联席会议 parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub held_on: NaiveDate,
    pub topic: String,
    pub place: String,
    pub departments: Vec<String>,
    pub attendees: String,
    pub minutes: String,
}

impl MeetingInput {
    pub fn parse(&self, today: NaiveDate) -> Result<Meeting, FieldErrors> {
        let mut errors = FieldErrors::default();
        let held_on = date(&mut errors, "held_on", &self.held_on, "会议日期");
        if held_on.is_some_and(|d| d > today) {
            errors.add("held_on", "in_future", "会议召开后再登记纪要");
        }
        let topic = line(&mut errors, "topic", &self.topic, 100, "请填写会议议题");
        let place = text(&mut errors, "place", &self.place, 100);
        let departments: Vec<String> = self
            .departments
            .split(['\n', '、', ',', '，', ';', '；'])
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_owned)
            .collect();
        if departments.is_empty() || self.departments.chars().count() > 500 {
            errors.add("departments", "invalid_value", "请填写参会部门（500 字以内）");
        }
        let attendees = text(&mut errors, "attendees", &self.attendees, 1000);
        let minutes = self.minutes.trim();
        if minutes.is_empty() || minutes.chars().count() > MAX_MINUTES_CHARS {
            errors.add("minutes", "invalid_value", format!("请填写会议纪要（{MAX_MINUTES_CHARS} 字以内）"));
        }
        match (held_on, errors.into_result()) {
            (Some(held_on), Ok(())) => {
                Ok(Meeting { held_on, topic, place, departments, attendees, minutes: minutes.to_owned() })
            }
            (_, Err(errors)) => Err(errors),
            (None, Ok(())) => unreachable!("a missing date is an error"),
        }
    }
}

/// A task agreed at a meeting, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct TaskInput {
    #[schema(max_length = 200, pattern = "\\S")]
    pub task: String,
    /// The department or unit that does it.
    #[schema(max_length = 50, pattern = "\\S")]
    pub owner: String,
    /// `YYYY-MM-DD`, not before the meeting.
    #[schema(value_type = String, format = Date)]
    pub due_on: String,
}

/// A task parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub task: String,
    pub owner: String,
    pub due_on: NaiveDate,
}

impl TaskInput {
    pub fn parse(&self, held_on: NaiveDate) -> Result<Task, FieldErrors> {
        let mut errors = FieldErrors::default();
        let task = line(&mut errors, "task", &self.task, 200, "请填写议定事项");
        let owner = line(&mut errors, "owner", &self.owner, 50, "请填写责任部门");
        let due_on = date(&mut errors, "due_on", &self.due_on, "完成期限");
        if due_on.is_some_and(|d| d < held_on) {
            errors.add("due_on", "before_meeting", "完成期限不能早于会议日期");
        }
        match (due_on, errors.into_result()) {
            (Some(due_on), Ok(())) => Ok(Task { task, owner, due_on }),
            (_, Err(errors)) => Err(errors),
            (None, Ok(())) => unreachable!("a missing date is an error"),
        }
    }
}

/// A task reported done, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DoneInput {
    /// `YYYY-MM-DD`, between the meeting and today.
    #[schema(value_type = String, format = Date)]
    pub done_on: String,
    /// What was done.
    #[schema(max_length = 500, pattern = "\\S")]
    pub outcome: String,
}

impl DoneInput {
    pub fn parse(&self, held_on: NaiveDate, today: NaiveDate) -> Result<(NaiveDate, String), FieldErrors> {
        let mut errors = FieldErrors::default();
        let done_on = date(&mut errors, "done_on", &self.done_on, "完成日期");
        if done_on.is_some_and(|d| d > today || d < held_on) {
            errors.add("done_on", "out_of_range", "完成日期应在会议日期与今天之间");
        }
        let outcome = line(&mut errors, "outcome", &self.outcome, 500, "请填写落实情况");
        match (done_on, errors.into_result()) {
            (Some(done_on), Ok(())) => Ok((done_on, outcome)),
            (_, Err(errors)) => Err(errors),
            (None, Ok(())) => unreachable!("a missing date is an error"),
        }
    }
}

/// Where a task stands on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskState {
    Open,
    /// Open past its day.
    Overdue,
    Done {
        on_time: bool,
    },
}

impl TaskState {
    pub fn of(due_on: NaiveDate, done_on: Option<NaiveDate>, today: NaiveDate) -> TaskState {
        match done_on {
            Some(done) => TaskState::Done { on_time: done <= due_on },
            None if today > due_on => TaskState::Overdue,
            None => TaskState::Open,
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            TaskState::Open => "落实中",
            TaskState::Overdue => "已逾期",
            TaskState::Done { on_time: true } => "已按期完成",
            TaskState::Done { on_time: false } => "逾期完成",
        }
    }

    /// The tag colour a page shows it in.
    pub fn tag(self) -> &'static str {
        match self {
            TaskState::Open => "primary",
            TaskState::Overdue => "danger",
            TaskState::Done { on_time: true } => "success",
            TaskState::Done { on_time: false } => "warning",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_meeting_is_recorded_after_it_was_held_with_its_departments_split() {
        let input = MeetingInput {
            held_on: "2026-11-20".into(),
            topic: "夜市周边占道经营联合整治".into(),
            departments: "市场监督管理局、公安分局\n住房和城乡建设局".into(),
            minutes: "议定：一、……".into(),
            ..MeetingInput::default()
        };
        let meeting = input.parse(d("2026-12-04")).unwrap();
        assert_eq!(meeting.departments, ["市场监督管理局", "公安分局", "住房和城乡建设局"]);
        let future = MeetingInput { held_on: "2026-12-05".into(), ..input.clone() };
        let errors = future.parse(d("2026-12-04")).unwrap_err();
        assert_eq!(errors.get("held_on"), Some("会议召开后再登记纪要"));
        let blank = MeetingInput::default().parse(d("2026-12-04")).unwrap_err();
        for field in ["held_on", "topic", "departments", "minutes"] {
            assert!(blank.get(field).is_some(), "{field}");
        }
    }

    #[test]
    fn a_task_is_due_after_its_meeting_and_done_between_the_meeting_and_today() {
        let held = d("2026-11-20");
        let task = TaskInput {
            task: "设置疏导点".into(),
            owner: "市场监督管理局".into(),
            due_on: "2026-11-30".into(),
        };
        assert_eq!(task.parse(held).unwrap().due_on, d("2026-11-30"));
        let early = TaskInput { due_on: "2026-11-19".into(), ..task };
        assert_eq!(early.parse(held).unwrap_err().get("due_on"), Some("完成期限不能早于会议日期"));
        let done = DoneInput { done_on: "2026-12-05".into(), outcome: "已设置".into() };
        assert!(done.parse(held, d("2026-12-04")).is_err(), "not in the future");
        let done = DoneInput { done_on: "2026-12-01".into(), ..done };
        assert_eq!(done.parse(held, d("2026-12-04")).unwrap().0, d("2026-12-01"));
    }

    #[test]
    fn a_task_is_overdue_only_while_open_past_its_day() {
        let due = d("2026-11-30");
        assert_eq!(TaskState::of(due, None, d("2026-11-30")), TaskState::Open);
        assert_eq!(TaskState::of(due, None, d("2026-12-01")), TaskState::Overdue);
        assert_eq!(
            TaskState::of(due, Some(d("2026-12-01")), d("2026-12-04")),
            TaskState::Done { on_time: false }
        );
        assert_eq!(
            TaskState::of(due, Some(d("2026-11-29")), d("2026-12-04")),
            TaskState::Done { on_time: true }
        );
    }

    #[test]
    fn a_department_has_a_code_and_a_name() {
        let ok = DepartmentInput { id: "urban_water".into(), name: "水务局".into(), active: true };
        assert_eq!(ok.parse(0).unwrap().version, 0);
        let bad = DepartmentInput { id: "Water Dept".into(), name: " ".into(), active: true };
        let errors = bad.parse(0).unwrap_err();
        assert!(errors.get("id").is_some() && errors.get("name").is_some());
    }
}
