//! The scenario simulator as a page (`/simulator`): a legal reviewer or a trainer pastes a
//! script, or starts from one of the examples in `docs/examples/`, and sees each step accepted or
//! refused with its rule, then the clocks. The same runner as `chengguan case simulate`
//! (`crate::simulate`), so the page and the CLI can never disagree; it writes nothing, not even
//! an audit record, because it changes nothing.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;

use crate::app::AppState;
use crate::simulate::{self, ScriptError};
use crate::web::error::PageResult;
use crate::web::guard::{Caller, Principal};
use crate::web::pages::{Chrome, Lang, render_status};

/// The examples offered on the page: (key, title, script), the same files `docs/simulator.md`
/// explains and the tests run.
pub const EXAMPLES: [(&str, &str, &str); 2] = [
    (
        "compulsory-clearance",
        "扣押前须经集体讨论和法制审核（本局实施方案三（二）3）",
        include_str!("../../docs/examples/compulsory-clearance.json"),
    ),
    (
        "limitation",
        "追责时效自发现之日计算（行政处罚法第三十六条）",
        include_str!("../../docs/examples/limitation.json"),
    ),
];

/// The longest script the page runs: a bound against a pasted mistake, far above any case.
const MAX_SCRIPT_CHARS: usize = 100_000;

/// One step's outcome as the page shows it.
pub struct StepRow {
    pub step: u64,
    /// The step as the script wrote it: its day, who took it, and the step's name.
    pub on: String,
    pub by: String,
    pub name: String,
    pub accepted: bool,
    pub code: String,
    pub article: String,
    pub message: String,
}

/// One clock at the end of the script.
pub struct ClockRow {
    pub kind: String,
    pub start: String,
    pub due: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "simulator.html")]
struct SimulatorPage {
    chrome: Chrome,
    script: String,
    examples: Vec<(&'static str, &'static str)>,
    steps: Vec<StepRow>,
    clocks: Vec<ClockRow>,
    error: Option<String>,
    ran: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct ExampleQuery {
    #[serde(default)]
    example: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct ScriptForm {
    #[serde(default)]
    script: String,
}

async fn page(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    script: String,
    outcome: Option<Result<Vec<serde_json::Value>, String>>,
) -> PageResult {
    let chrome =
        Chrome::new(state, principal, headers, "simulator", "办案规则模拟", "Scenario simulator").await?;
    let (mut steps, mut clocks, mut error) = (Vec::new(), Vec::new(), None);
    let ran = outcome.is_some();
    match outcome {
        Some(Ok(lines)) => {
            // The script ran, so it parses; its steps name what each result line is about.
            let written: Vec<simulate::ScriptStep> =
                serde_json::from_str::<simulate::Script>(&script).map(|s| s.steps).unwrap_or_default();
            for line in lines {
                if let Some(list) = line.get("clocks").and_then(|c| c.as_array()) {
                    clocks = list.iter().map(clock_row).collect();
                } else {
                    let mut row = step_row(&line);
                    if let Some(step) =
                        usize::try_from(row.step).ok().and_then(|n| written.get(n.wrapping_sub(1)))
                    {
                        row.on = step.on.clone();
                        row.by = step.by.clone();
                        row.name = match (&step.open, &step.body) {
                            (Some(_), _) => "登记线索".to_owned(),
                            (None, Some(body)) => {
                                crate::domain::case::command_name_zh(body["action"].as_str().unwrap_or(""))
                                    .to_owned()
                            }
                            (None, None) => String::new(),
                        };
                    }
                    steps.push(row);
                }
            }
        }
        Some(Err(message)) => error = Some(message),
        None => {}
    }
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render_status(
        &SimulatorPage {
            chrome,
            script,
            examples: EXAMPLES.iter().map(|(key, title, _)| (*key, *title)).collect(),
            steps,
            clocks,
            error,
            ran,
        },
        status,
    )
}

fn text(value: &serde_json::Value, field: &str) -> String {
    match value.get(field) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn step_row(line: &serde_json::Value) -> StepRow {
    StepRow {
        step: line.get("step").and_then(|s| s.as_u64()).unwrap_or_default(),
        on: String::new(),
        by: String::new(),
        name: String::new(),
        accepted: text(line, "result") == "accepted",
        code: text(line, "code"),
        article: text(line, "article"),
        message: text(line, "message"),
    }
}

fn clock_row(clock: &serde_json::Value) -> ClockRow {
    let kind = text(clock, "kind");
    let name = crate::domain::case::clocks::ClockKind::ALL
        .iter()
        .find(|k| k.code() == kind)
        .map_or(kind.clone(), |k| k.name_zh().to_owned());
    let status = match text(clock, "status").as_str() {
        "met" => "已完成",
        "met_late" => "逾期完成",
        "running" => "计时中",
        "due_soon" => "即将到期",
        "overdue" => "已逾期",
        _ => "",
    };
    let provisional = clock.get("provisional").and_then(|p| p.as_bool()).unwrap_or(false);
    ClockRow {
        kind: name,
        start: text(clock, "start"),
        due: if provisional { format!("{}（暂定）", text(clock, "due")) } else { text(clock, "due") },
        status: status.to_owned(),
    }
}

pub async fn simulator_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
    Query(query): Query<ExampleQuery>,
) -> PageResult {
    let script =
        EXAMPLES.iter().find(|(key, _, _)| *key == query.example).unwrap_or(&EXAMPLES[0]).2.to_owned();
    page(&state, &principal, &headers, script, None).await
}

pub async fn run_form(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
    Form(form): Form<ScriptForm>,
) -> PageResult {
    let outcome = if form.script.chars().count() > MAX_SCRIPT_CHARS {
        Err(format!("脚本过长（超过 {MAX_SCRIPT_CHARS} 字）"))
    } else {
        match simulate::run(&state.db, &form.script).await {
            Ok(lines) => Ok(lines),
            Err(ScriptError::Db(error)) => return Err(error.into()),
            Err(error) => Err(format!("脚本格式有误：{error}")),
        }
    };
    page(&state, &principal, &headers, form.script, Some(outcome)).await
}
