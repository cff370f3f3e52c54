//! Joint work with other departments: edit the partner departments, record a 联席会议 with the
//! tasks agreed, report a task done, and list what is behind. Every entry point — the pages, the
//! API, the demo — goes through here.

use chrono::NaiveDate;

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::intake::joint::{DepartmentInput, DoneInput, MeetingInput, TaskInput, TaskState};
use crate::domain::time::civil_date;
use crate::ops::{Actor, Error};
use crate::store::joint::{MeetingRecord, TaskRecord};
use crate::store::new_id;

/// Adds a partner department (`version` 0) or changes one over the version read.
pub async fn save_department(
    state: &AppState,
    actor: &Actor,
    input: &DepartmentInput,
    version: i64,
) -> Result<i64, Error> {
    actor.require(Action::MatterCatalogueEdit)?;
    let department = input.parse(version).map_err(Error::Invalid)?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let next = tx.save_department(&department).await?;
    tx.commit().await?;
    Ok(next)
}

/// A meeting with its tasks, and where each task stands today.
#[derive(Debug, Clone)]
pub struct MeetingView {
    pub meeting: MeetingRecord,
    pub tasks: Vec<(TaskRecord, TaskState)>,
}

impl MeetingView {
    pub fn open(&self) -> usize {
        self.tasks.iter().filter(|(_, s)| matches!(s, TaskState::Open | TaskState::Overdue)).count()
    }

    pub fn overdue(&self) -> usize {
        self.tasks.iter().filter(|(_, s)| *s == TaskState::Overdue).count()
    }
}

async fn with_tasks(state: &AppState, meetings: Vec<MeetingRecord>) -> Result<Vec<MeetingView>, Error> {
    let today = civil_date(state.now());
    let ids: Vec<String> = meetings.iter().map(|m| m.id.clone()).collect();
    let tasks = state.db.joint_tasks(&ids).await?;
    Ok(meetings
        .into_iter()
        .map(|meeting| {
            let tasks = tasks
                .iter()
                .filter(|t| t.meeting_id == meeting.id)
                .map(|t| (t.clone(), TaskState::of(t.due_on, t.done_on, today)))
                .collect();
            MeetingView { meeting, tasks }
        })
        .collect())
}

/// The meetings of the year `year`, the latest first, with their tasks.
pub async fn meetings(state: &AppState, actor: &Actor, year: i32) -> Result<Vec<MeetingView>, Error> {
    actor.require(Action::MatterView)?;
    let from = NaiveDate::from_ymd_opt(year, 1, 1).ok_or(Error::NotFound)?;
    let to = NaiveDate::from_ymd_opt(year, 12, 31).ok_or(Error::NotFound)?;
    with_tasks(state, state.db.joint_meetings(from, to).await?).await
}

pub async fn meeting(state: &AppState, actor: &Actor, id: &str) -> Result<MeetingView, Error> {
    actor.require(Action::MatterView)?;
    let meeting = state.db.joint_meeting(id).await?.ok_or(Error::NotFound)?;
    Ok(with_tasks(state, vec![meeting]).await?.remove(0))
}

/// Records a meeting held, with the tasks agreed at it (each parsed against the meeting's day);
/// nothing is stored when any field is bad. Every task given must be a whole one (the form drops
/// its empty rows before it calls this).
pub async fn record_meeting(
    state: &AppState,
    actor: &Actor,
    input: &MeetingInput,
    tasks: &[TaskInput],
) -> Result<String, Error> {
    actor.require(Action::JointWork)?;
    let today = civil_date(state.now());
    let meeting = input.parse(today).map_err(Error::Invalid)?;
    let mut parsed = Vec::new();
    for task in tasks {
        parsed.push(task.parse(meeting.held_on).map_err(Error::Invalid)?);
    }
    let id = new_id(state.now());
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.insert_joint_meeting(&id, &meeting).await?;
    for task in &parsed {
        tx.insert_joint_task(&new_id(state.now()), &id, task).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// Adds a task agreed at a meeting already recorded.
pub async fn add_task(
    state: &AppState,
    actor: &Actor,
    meeting_id: &str,
    input: &TaskInput,
) -> Result<String, Error> {
    actor.require(Action::JointWork)?;
    let meeting = state.db.joint_meeting(meeting_id).await?.ok_or(Error::NotFound)?;
    let task = input.parse(meeting.held_on).map_err(Error::Invalid)?;
    let id = new_id(state.now());
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.insert_joint_task(&id, meeting_id, &task).await?;
    tx.commit().await?;
    Ok(id)
}

/// Reports a task done over the version read; the meeting it belongs to answers.
pub async fn complete_task(
    state: &AppState,
    actor: &Actor,
    task_id: &str,
    version: i64,
    input: &DoneInput,
) -> Result<String, Error> {
    actor.require(Action::JointWork)?;
    let task = state.db.joint_task(task_id).await?.ok_or(Error::NotFound)?;
    if task.done_on.is_some() {
        return Err(Error::refused("task_done", "该事项已报告完成"));
    }
    let meeting = state.db.joint_meeting(&task.meeting_id).await?.ok_or(Error::NotFound)?;
    let (done_on, outcome) = input.parse(meeting.held_on, civil_date(state.now())).map_err(Error::Invalid)?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.complete_joint_task(task_id, version, done_on, &outcome).await?;
    tx.commit().await?;
    Ok(task.meeting_id)
}

/// Tasks past their day and still open, for the 工作台 of whoever records the meetings: the
/// most overdue first, with the meeting's topic.
pub async fn overdue_tasks(
    state: &AppState,
    actor: &Actor,
    limit: i64,
) -> Result<Vec<(TaskRecord, String)>, Error> {
    if actor.roles.scope(Action::JointWork).is_none() {
        return Ok(Vec::new());
    }
    let today = civil_date(state.now());
    Ok(state.db.open_joint_tasks(today, limit).await?)
}

/// The year's tasks: how many were agreed, how many were done by their day, how many are
/// overdue now.
pub fn year_summary(meetings: &[MeetingView]) -> (usize, usize, usize) {
    let tasks = meetings.iter().flat_map(|m| m.tasks.iter());
    let (mut agreed, mut on_time, mut overdue) = (0, 0, 0);
    for (_, state) in tasks {
        agreed += 1;
        match state {
            TaskState::Done { on_time: true } => on_time += 1,
            TaskState::Overdue => overdue += 1,
            _ => {}
        }
    }
    (agreed, on_time, overdue)
}
