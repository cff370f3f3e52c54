//! The loop a matter runs (law-and-standards §2.1): the centre accepts it (受理) or refuses it
//! with a reason the reporter sees (不予受理), dispatches it to a squad (派遣) under its class's
//! limit, the squad handles it (处置) and reports a result with its 721 class, the centre checks
//! it (核查: passed, or 返工 back to the squad, counted), closes it (结案) and calls the reporter
//! back (回访). The squad may ask for more time (延期, 缓办), which the centre decides; send a
//! matter that is not its own back (回退); or open a penalty case, and the matter waits for it.
//! The centre may refer a matter outside the bureau's remit to a partner department (转办) and
//! merge a duplicate into the matter it repeats.
//!
//! [`apply`] is pure: the matter, the command and a [`LoopContext`] in; the next matter and its
//! [`MatterEvent`] out, or a [`MatterRefusal`] saying which rule refused.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use crate::domain::access::{Action, Role, RoleSet};
use crate::domain::calendar::WorkCalendar;
use crate::domain::fields::FieldErrors;
use crate::domain::intake::{
    Category, Matter, Measure, Referral, Resolution, Satisfaction, Status, TimeRequest, TimeRequestKind,
    Urgency,
};
use crate::domain::time::beijing;
use crate::domain::worktime::{OfficeHours, TimeLimit};

/// 受理 within one working hour of the report: the centre's own limit (按期受理; a city's
/// standard, [M]).
pub const ACCEPT_LIMIT: TimeLimit = TimeLimit::WorkingHours(1);
/// 派遣 within one working hour of acceptance (按期派遣, [M]).
pub const DISPATCH_LIMIT: TimeLimit = TimeLimit::WorkingHours(1);
/// 核查 within four working hours of the squad's result (按期核查, [M]).
pub const CHECK_LIMIT: TimeLimit = TimeLimit::WorkingHours(4);
/// 结案 within two working hours of a passed check (按时结案, [M]).
pub const CLOSE_LIMIT: TimeLimit = TimeLimit::WorkingHours(2);
/// 回访 within three working days of closing, when the reporter left a number ([M]).
pub const VISIT_LIMIT: TimeLimit = TimeLimit::WorkingDays(3);

/// A step due within this many clock hours shows on the 工作台 as 即将到期 (the centre's own
/// warning window, [M]).
pub const DUE_SOON_HOURS: i64 = 2;

/// What the loop needs to know besides the matter: when, who, and the class's limits.
#[derive(Debug, Clone, Copy)]
pub struct LoopContext<'a> {
    pub now: DateTime<Utc>,
    pub roles: &'a RoleSet,
    /// The acting account's person, if it has one (the 处置人 of a handling round).
    pub person_id: Option<&'a str>,
    /// Whether the actor works in the squad the matter is dispatched to (or a unit above it).
    pub in_assigned_unit: bool,
    /// Whether the penalty case opened from the matter has been decided or closed.
    pub case_concluded: bool,
    pub category: &'a Category,
    pub hours: &'a OfficeHours,
    pub calendar: &'a WorkCalendar,
}

impl LoopContext<'_> {
    /// The moment `limit` after `from`, in working time (its earliest when the year's holidays
    /// are not loaded).
    pub fn due(&self, from: DateTime<Utc>, limit: TimeLimit) -> DateTime<Utc> {
        let civil = from.with_timezone(&beijing()).naive_local();
        let due = limit.due_or_earliest(civil, self.hours, self.calendar).at;
        (due - chrono::Duration::hours(8)).and_utc()
    }

    fn is_centre(&self) -> bool {
        self.roles.contains(Role::Intake) || self.roles.contains(Role::Leader)
    }

    fn is_squad(&self) -> bool {
        self.in_assigned_unit
            && [Role::SquadLeader, Role::Officer, Role::Auxiliary].iter().any(|r| self.roles.contains(*r))
    }
}

/// A step of the loop.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum MatterCommand {
    /// 受理, optionally correcting the urgency.
    Accept { urgency: Option<Urgency> },
    /// 不予受理: the reason is shown to the reporter.
    Reject { reason: String },
    /// 派遣 to a squad.
    Dispatch { unit_id: String },
    /// 回退: the squad sends back a matter that is not its own.
    Return { reason: String },
    /// 处置反馈: what was done, and how it was resolved (721).
    Handle { result: String, measures: Vec<Measure>, resolution: Option<Resolution> },
    /// 延期 / 缓办 申请.
    RequestTime { kind: TimeRequestKind, until: DateTime<Utc>, reason: String },
    /// The centre's decision on a request for time.
    DecideTime { approve: bool, note: String },
    /// 核查: passed, or 返工 with the reason.
    Check { passed: bool, reason: String },
    /// 结案, with the note the reporter reads.
    Close { public_note: String },
    /// 回访.
    Visit { satisfaction: Satisfaction, note: String },
    /// 转办 to a partner department, with its reference and the day an answer is due.
    Refer { department: String, reference: String, due_on: NaiveDate },
    /// The department's answer to a referral.
    AnswerReferral { answer: String },
    /// 合并: a duplicate of `into`, which keeps this matter's reporter.
    Merge { into: String },
    /// A penalty case was opened from the matter (by the case operation, not by a form).
    LinkCase { case_id: String },
}

macro_rules! command_names {
    ($($variant:ident = $code:literal, $zh:literal,)*) => {
        impl MatterCommand {
            /// Every step's code and Chinese name, in the loop's order.
            pub const NAMES: &'static [(&'static str, &'static str)] = &[$(($code, $zh),)*];

            pub fn code(&self) -> &'static str {
                match self {
                    $(MatterCommand::$variant { .. } => $code,)*
                }
            }

            pub fn name_zh(&self) -> &'static str {
                match self {
                    $(MatterCommand::$variant { .. } => $zh,)*
                }
            }
        }
    };
}

command_names! {
    Accept = "accept", "受理",
    Reject = "reject", "不予受理",
    Dispatch = "dispatch", "派遣",
    Return = "return", "回退",
    Handle = "handle", "处置反馈",
    RequestTime = "request_time", "申请延期/缓办",
    DecideTime = "decide_time", "审批延期/缓办",
    Check = "check", "核查",
    Close = "close", "结案",
    Visit = "visit", "回访",
    Refer = "refer", "转办",
    AnswerReferral = "answer_referral", "登记转办答复",
    Merge = "merge", "合并",
    LinkCase = "link_case", "立案查处",
}

/// The steps a page offers on `matter` to a reader with `roles` (`in_assigned_unit`: of the
/// squad it is with), by code, in the loop's order. [`apply`] holds the same rules; a test walks
/// both.
pub fn offered(
    matter: &Matter,
    roles: &RoleSet,
    in_assigned_unit: bool,
    case_concluded: bool,
) -> Vec<&'static str> {
    let centre = roles.contains(Role::Intake) || roles.contains(Role::Leader);
    let squad = in_assigned_unit
        && [Role::SquadLeader, Role::Officer, Role::Auxiliary].iter().any(|r| roles.contains(*r));
    let mut steps = Vec::new();
    let mut offer = |ok: bool, code: &'static str| {
        if ok {
            steps.push(code);
        }
    };
    match matter.status {
        Status::Reported => {
            for code in ["accept", "reject", "refer", "merge"] {
                offer(centre, code);
            }
        }
        Status::Accepted => {
            for code in ["dispatch", "refer", "merge"] {
                offer(centre, code);
            }
        }
        Status::Dispatched => {
            offer(squad, "handle");
            offer(squad && matter.pending_request.is_none(), "request_time");
            offer(squad, "return");
            offer(squad && roles.scope(Action::CaseOpen).is_some(), "link_case");
            offer(centre && matter.pending_request.is_some(), "decide_time");
        }
        Status::AwaitingCase => offer(squad && case_concluded, "handle"),
        Status::Handled => offer(centre, "check"),
        Status::Verified => offer(centre, "close"),
        Status::Referred => {
            let answered = matter.referral.as_ref().is_some_and(|r| r.answer.is_some());
            offer(centre && !answered, "answer_referral");
            offer(centre && answered, "close");
        }
        Status::Closed => offer(centre && matter.has_contact && matter.satisfaction.is_none(), "visit"),
        Status::Rejected | Status::Merged => {}
    }
    steps
}

/// Whether a reader with `roles` may add photos or files to `matter` now: the centre while it
/// holds the matter (before dispatch: what the caller or the media sent), the squad while it
/// handles it (处置反馈). Once handled, the photos are the record and nobody adds to them.
pub fn may_add_photo(matter: &Matter, roles: &RoleSet, in_assigned_unit: bool) -> bool {
    let centre = roles.contains(Role::Intake) || roles.contains(Role::Leader);
    match matter.status {
        Status::Reported | Status::Accepted => centre,
        Status::Dispatched | Status::AwaitingCase => in_assigned_unit,
        _ => false,
    }
}

/// The Chinese name of a stored step code (for timelines).
pub fn step_name_zh(code: &str) -> &'static str {
    MatterCommand::NAMES.iter().find(|(c, _)| *c == code).map_or("其他", |(_, zh)| zh)
}

/// Text from a form or JSON: a string, or a boolean or number sent as one.
fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => s,
        serde_json::Value::Null => String::new(),
        serde_json::Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    })
}

/// A step as the form or the API body gives it: `action` and the fields the step needs, all as
/// text (`measures` comma-separated or an array; booleans as `true`/`false`).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct StepInput {
    #[serde(default, deserialize_with = "lenient")]
    pub action: String,
    #[serde(default, deserialize_with = "lenient")]
    pub urgency: String,
    #[serde(default, deserialize_with = "lenient")]
    pub reason: String,
    #[serde(default, deserialize_with = "lenient")]
    pub unit_id: String,
    #[serde(default, deserialize_with = "lenient")]
    pub result: String,
    #[serde(default, deserialize_with = "lenient")]
    pub measures: String,
    #[serde(default, deserialize_with = "lenient")]
    pub resolution: String,
    #[serde(default, deserialize_with = "lenient")]
    pub kind: String,
    /// `YYYY-MM-DD HH:MM`, Beijing time.
    #[serde(default, deserialize_with = "lenient")]
    pub until: String,
    #[serde(default, deserialize_with = "lenient")]
    pub approve: String,
    #[serde(default, deserialize_with = "lenient")]
    pub passed: String,
    #[serde(default, deserialize_with = "lenient")]
    pub note: String,
    #[serde(default, deserialize_with = "lenient")]
    pub public_note: String,
    #[serde(default, deserialize_with = "lenient")]
    pub satisfaction: String,
    #[serde(default, deserialize_with = "lenient")]
    pub department: String,
    #[serde(default, deserialize_with = "lenient")]
    pub reference: String,
    /// `YYYY-MM-DD`.
    #[serde(default, deserialize_with = "lenient")]
    pub due_on: String,
    #[serde(default, deserialize_with = "lenient")]
    pub answer: String,
    #[serde(default, deserialize_with = "lenient")]
    pub into: String,
}

fn text(errors: &mut FieldErrors, field: &'static str, raw: &str, max: usize, message: &str) -> String {
    let value = raw.trim();
    if value.is_empty() || value.chars().count() > max {
        errors.add(field, "required", format!("{message}（不超过 {max} 字）"));
    }
    value.to_owned()
}

/// A yes or no; `None` (with a field error) when it is neither.
fn flag(errors: &mut FieldErrors, field: &'static str, raw: &str) -> Option<bool> {
    match raw.trim() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "" => Some(false),
        _ => {
            errors.add(field, "invalid_value", "取值为 true 或 false");
            None
        }
    }
}

impl StepInput {
    /// The one parser of a step, for the form and the API body alike. `LinkCase` is not a
    /// step a form or body can ask for: opening a case is its own operation.
    pub fn parse(&self) -> Result<MatterCommand, FieldErrors> {
        let mut errors = FieldErrors::default();
        let command = match self.action.trim() {
            "accept" => {
                let urgency = match self.urgency.trim() {
                    "" => None,
                    raw => {
                        let urgency = Urgency::parse(raw);
                        if urgency.is_none() {
                            errors.add("urgency", "invalid_value", "紧急程度为 normal 或 urgent");
                        }
                        urgency
                    }
                };
                MatterCommand::Accept { urgency }
            }
            "reject" => MatterCommand::Reject {
                reason: text(&mut errors, "reason", &self.reason, 200, "请填写不予受理的理由"),
            },
            "dispatch" => MatterCommand::Dispatch {
                unit_id: text(&mut errors, "unit_id", &self.unit_id, 64, "请选择派遣的中队"),
            },
            "return" => MatterCommand::Return {
                reason: text(&mut errors, "reason", &self.reason, 200, "请填写回退理由"),
            },
            "handle" => {
                let result = text(&mut errors, "result", &self.result, 1000, "请填写处置结果");
                let mut measures = Vec::new();
                for code in self.measures.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                    match Measure::parse(code) {
                        Some(m) if !measures.contains(&m) => measures.push(m),
                        Some(_) => {}
                        None => errors.add("measures", "invalid_value", "处置措施的取值不正确"),
                    }
                }
                if measures.is_empty() && errors.get("measures").is_none() {
                    errors.add("measures", "required", "请选择采取的处置措施");
                }
                let resolution = match self.resolution.trim() {
                    "" => None,
                    raw => {
                        let resolution = Resolution::parse(raw);
                        if resolution.is_none() {
                            errors.add(
                                "resolution",
                                "invalid_value",
                                "处置方式为 service、management 或 enforcement",
                            );
                        }
                        resolution
                    }
                };
                MatterCommand::Handle { result, measures, resolution }
            }
            "request_time" => {
                let kind = TimeRequestKind::parse(&self.kind);
                if kind.is_none() {
                    errors.add("kind", "invalid_value", "请选择延期或缓办");
                }
                let until = chrono::NaiveDateTime::parse_from_str(self.until.trim(), "%Y-%m-%d %H:%M")
                    .or_else(|_| chrono::NaiveDateTime::parse_from_str(self.until.trim(), "%Y-%m-%dT%H:%M"))
                    .ok()
                    .map(|t| (t - chrono::Duration::hours(8)).and_utc());
                if until.is_none() {
                    errors.add("until", "invalid_value", "请填写新的期限（YYYY-MM-DD HH:MM）");
                }
                let reason = text(&mut errors, "reason", &self.reason, 500, "请填写申请理由");
                match (kind, until) {
                    (Some(kind), Some(until)) => MatterCommand::RequestTime { kind, until, reason },
                    _ => MatterCommand::RequestTime {
                        kind: TimeRequestKind::Extend,
                        until: DateTime::UNIX_EPOCH,
                        reason,
                    },
                }
            }
            "decide_time" => {
                let approve = flag(&mut errors, "approve", &self.approve).unwrap_or(false);
                MatterCommand::DecideTime { approve, note: self.note.trim().chars().take(500).collect() }
            }
            "check" => {
                let passed = flag(&mut errors, "passed", &self.passed);
                let reason = self.reason.trim().to_owned();
                if passed == Some(false) && (reason.is_empty() || reason.chars().count() > 500) {
                    errors.add("reason", "required", "核查不通过须填写返工理由（不超过 500 字）");
                }
                MatterCommand::Check { passed: passed.unwrap_or(false), reason }
            }
            "close" => MatterCommand::Close {
                public_note: text(
                    &mut errors,
                    "public_note",
                    &self.public_note,
                    500,
                    "请填写向反映人公开的办理结果",
                ),
            },
            "visit" => {
                let satisfaction = Satisfaction::parse(&self.satisfaction);
                if satisfaction.is_none() {
                    errors.add("satisfaction", "invalid_value", "请选择回访满意度");
                }
                MatterCommand::Visit {
                    satisfaction: satisfaction.unwrap_or(Satisfaction::Unreachable),
                    note: self.note.trim().chars().take(500).collect(),
                }
            }
            "refer" => {
                let department = text(&mut errors, "department", &self.department, 50, "请选择承办部门");
                let reference = self.reference.trim().chars().take(50).collect();
                let due_on = NaiveDate::parse_from_str(self.due_on.trim(), "%Y-%m-%d").ok();
                if due_on.is_none() {
                    errors.add("due_on", "invalid_value", "请填写答复期限（YYYY-MM-DD）");
                }
                MatterCommand::Refer { department, reference, due_on: due_on.unwrap_or_default() }
            }
            "answer_referral" => MatterCommand::AnswerReferral {
                answer: text(&mut errors, "answer", &self.answer, 1000, "请填写承办部门的答复"),
            },
            "merge" => MatterCommand::Merge {
                into: text(&mut errors, "into", &self.into, 64, "请填写合并到的事项"),
            },
            "" => {
                errors.add("action", "required", "请选择办理环节");
                MatterCommand::Accept { urgency: None }
            }
            _ => {
                errors.add("action", "action_unknown", "办理环节不存在");
                MatterCommand::Accept { urgency: None }
            }
        };
        errors.into_result().map(|()| command)
    }
}

/// Why the loop refuses a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatterRefusal {
    /// The step does not apply in the matter's status.
    WrongStatus(Status, &'static str),
    /// A step of the acceptance centre (受理中心) or a leader.
    CentreOnly,
    /// A step of the squad the matter is dispatched to.
    SquadOnly,
    /// A request for time is already waiting for the centre.
    RequestPending,
    /// There is no request for time to decide.
    NoRequest,
    /// The new deadline must be later than the current one and than now.
    UntilTooEarly,
    /// Nobody left a number to call back.
    NoContact,
    /// A matter cannot be merged into itself.
    MergeSelf,
    /// The penalty case opened from the matter is not decided yet.
    CasePending,
    /// Opening a case is for officers with the right to open one (auxiliaries have none).
    CaseOpenForbidden,
    /// The referral was already answered, or the answer is missing before closing.
    ReferralState,
    /// The referral is due in the past.
    DueInPast,
}

impl MatterRefusal {
    pub fn code(self) -> &'static str {
        match self {
            MatterRefusal::WrongStatus(..) => "status_invalid",
            MatterRefusal::CentreOnly => "centre_only",
            MatterRefusal::SquadOnly => "squad_only",
            MatterRefusal::RequestPending => "request_pending",
            MatterRefusal::NoRequest => "no_request",
            MatterRefusal::UntilTooEarly => "until_too_early",
            MatterRefusal::NoContact => "no_contact",
            MatterRefusal::MergeSelf => "merge_self",
            MatterRefusal::CasePending => "case_pending",
            MatterRefusal::CaseOpenForbidden => "case_open_forbidden",
            MatterRefusal::ReferralState => "referral_state",
            MatterRefusal::DueInPast => "due_in_past",
        }
    }

    pub fn message_zh(self) -> String {
        match self {
            MatterRefusal::WrongStatus(status, step) => {
                format!("事项当前为“{}”，不能{step}", status.name_zh())
            }
            MatterRefusal::CentreOnly => "此环节由受理中心办理".to_owned(),
            MatterRefusal::SquadOnly => "此环节由承办中队办理".to_owned(),
            MatterRefusal::RequestPending => "已有延期/缓办申请待审批".to_owned(),
            MatterRefusal::NoRequest => "没有待审批的延期/缓办申请".to_owned(),
            MatterRefusal::UntilTooEarly => "新的期限须晚于现在和原处置期限".to_owned(),
            MatterRefusal::NoContact => "反映人未留联系方式，无需回访".to_owned(),
            MatterRefusal::MergeSelf => "不能合并到事项本身".to_owned(),
            MatterRefusal::CasePending => "由此事项立案的案件尚未作出决定，暂不能反馈处置结果".to_owned(),
            MatterRefusal::CaseOpenForbidden => {
                "立案查处须由有立案权限的执法人员办理（协管员不能立案）".to_owned()
            }
            MatterRefusal::ReferralState => "转办答复已登记，或尚未登记答复".to_owned(),
            MatterRefusal::DueInPast => "答复期限不能早于今天".to_owned(),
        }
    }
}

/// What a step did, for the matter's timeline and the audit record.
#[derive(Debug, Clone, PartialEq)]
pub struct MatterEvent {
    pub code: &'static str,
    pub summary_zh: String,
    pub details: serde_json::Value,
}

/// Applies one step of the loop to a matter.
pub fn apply(
    matter: &Matter,
    command: &MatterCommand,
    ctx: &LoopContext,
) -> Result<(Matter, MatterEvent), MatterRefusal> {
    let now = ctx.now;
    let mut next = matter.clone();
    let wrong = || MatterRefusal::WrongStatus(matter.status, command.name_zh());
    let require = |ok: bool| if ok { Ok(()) } else { Err(wrong()) };
    let centre = || if ctx.is_centre() { Ok(()) } else { Err(MatterRefusal::CentreOnly) };
    let squad = || if ctx.is_squad() { Ok(()) } else { Err(MatterRefusal::SquadOnly) };
    let mut details = serde_json::json!({});
    let summary = match command {
        MatterCommand::Accept { urgency } => {
            require(matter.status == Status::Reported)?;
            centre()?;
            if let Some(urgency) = urgency {
                next.urgency = *urgency;
            }
            next.status = Status::Accepted;
            next.accepted_at = Some(now);
            next.due_at = Some(ctx.due(now, DISPATCH_LIMIT));
            details = serde_json::json!({ "urgency": next.urgency.code() });
            format!("紧急程度：{}", next.urgency.name_zh())
        }
        MatterCommand::Reject { reason } => {
            require(matter.status == Status::Reported)?;
            centre()?;
            next.status = Status::Rejected;
            next.public_note.clone_from(reason);
            next.due_at = None;
            details = serde_json::json!({ "reason": reason });
            reason.clone()
        }
        MatterCommand::Dispatch { unit_id } => {
            require(matter.status == Status::Accepted)?;
            centre()?;
            let limit = ctx.category.handle_limit(next.urgency);
            let handle_due = ctx.due(now, limit);
            next.status = Status::Dispatched;
            next.unit_id = Some(unit_id.clone());
            next.dispatched_at = Some(now);
            next.handle_due_at = Some(handle_due);
            if next.close_due_at.is_none() {
                next.close_due_at = Some(ctx.due(ctx.due(handle_due, CHECK_LIMIT), CLOSE_LIMIT));
            }
            next.due_at = Some(handle_due);
            details =
                serde_json::json!({ "unit_id": unit_id, "limit": limit.code(), "handle_due_at": handle_due });
            format!("处置时限{}", limit.label_zh())
        }
        MatterCommand::Return { reason } => {
            require(matter.status == Status::Dispatched)?;
            squad()?;
            next.status = Status::Accepted;
            next.unit_id = None;
            next.handle_due_at = None;
            next.pending_request = None;
            next.return_count += 1;
            next.due_at = Some(ctx.due(now, DISPATCH_LIMIT));
            details = serde_json::json!({ "reason": reason, "unit_id": matter.unit_id });
            reason.clone()
        }
        MatterCommand::Handle { result, measures, resolution } => {
            require(matches!(matter.status, Status::Dispatched | Status::AwaitingCase))?;
            squad()?;
            if matter.status == Status::AwaitingCase && !ctx.case_concluded {
                return Err(MatterRefusal::CasePending);
            }
            let proposed = Resolution::propose(measures);
            let chosen = resolution.or(proposed).unwrap_or(Resolution::Service);
            // A round on a matter waiting for its case is timed by the case's own clocks.
            let on_time =
                matter.status == Status::AwaitingCase || matter.handle_due_at.is_none_or(|due| now <= due);
            next.status = Status::Handled;
            next.handled_at = Some(now);
            next.handled_on_time = Some(matter.handled_on_time.unwrap_or(true) && on_time);
            next.measures.clone_from(measures);
            next.resolution = Some(chosen);
            next.result.clone_from(result);
            next.handler_id = ctx.person_id.map(str::to_owned);
            next.pending_request = None;
            next.due_at = Some(ctx.due(now, CHECK_LIMIT));
            details = serde_json::json!({
                "result": result,
                "measures": measures.iter().map(|m| m.code()).collect::<Vec<_>>(),
                "resolution": chosen.code(),
                "proposed": proposed.map(Resolution::code),
                "on_time": on_time,
            });
            format!("{}：{result}", chosen.name_zh())
        }
        MatterCommand::RequestTime { kind, until, reason } => {
            require(matter.status == Status::Dispatched)?;
            squad()?;
            if matter.pending_request.is_some() {
                return Err(MatterRefusal::RequestPending);
            }
            if *until <= now || matter.handle_due_at.is_some_and(|due| *until <= due) {
                return Err(MatterRefusal::UntilTooEarly);
            }
            next.pending_request =
                Some(TimeRequest { kind: *kind, until: *until, reason: reason.clone(), requested_at: now });
            details = serde_json::json!({ "kind": kind.code(), "until": until, "reason": reason });
            format!("{}：{reason}", kind.name_zh())
        }
        MatterCommand::DecideTime { approve, note } => {
            require(matter.status == Status::Dispatched)?;
            centre()?;
            let Some(request) = &matter.pending_request else {
                return Err(MatterRefusal::NoRequest);
            };
            next.pending_request = None;
            if *approve {
                let moved = matter.handle_due_at.map_or(chrono::Duration::zero(), |due| request.until - due);
                next.handle_due_at = Some(request.until);
                next.due_at = Some(request.until);
                next.close_due_at = matter.close_due_at.map(|due| due + moved.max(chrono::Duration::zero()));
                match request.kind {
                    TimeRequestKind::Extend => next.extension_count += 1,
                    TimeRequestKind::Defer => next.defer_count += 1,
                }
            }
            details = serde_json::json!({ "approve": approve, "kind": request.kind.code(), "until": request.until, "note": note });
            format!("{}{}", if *approve { "批准" } else { "不批准" }, request.kind.name_zh())
        }
        MatterCommand::Check { passed, reason } => {
            require(matter.status == Status::Handled)?;
            centre()?;
            if *passed {
                next.status = Status::Verified;
                next.due_at = Some(ctx.due(now, CLOSE_LIMIT));
                "通过".to_owned()
            } else {
                let limit = ctx.category.handle_limit(next.urgency);
                let handle_due = ctx.due(now, limit);
                next.status = Status::Dispatched;
                next.rework_count += 1;
                next.handle_due_at = Some(handle_due);
                next.due_at = Some(handle_due);
                details = serde_json::json!({ "reason": reason, "handle_due_at": handle_due });
                format!("未通过，返工：{reason}")
            }
        }
        MatterCommand::Close { public_note } => {
            let referral_answered = matter.referral.as_ref().is_some_and(|r| r.answer.is_some());
            require(matter.status == Status::Verified || matter.status == Status::Referred)?;
            if matter.status == Status::Referred && !referral_answered {
                return Err(MatterRefusal::ReferralState);
            }
            centre()?;
            next.status = Status::Closed;
            next.closed_at = Some(now);
            next.public_note.clone_from(public_note);
            next.due_at = matter.has_contact.then(|| ctx.due(now, VISIT_LIMIT));
            details = serde_json::json!({ "public_note": public_note });
            public_note.clone()
        }
        MatterCommand::Visit { satisfaction, note } => {
            require(matter.status == Status::Closed && matter.satisfaction.is_none())?;
            centre()?;
            if !matter.has_contact {
                return Err(MatterRefusal::NoContact);
            }
            next.satisfaction = Some(*satisfaction);
            next.due_at = None;
            details = serde_json::json!({ "satisfaction": satisfaction.code(), "note": note });
            satisfaction.name_zh().to_owned()
        }
        MatterCommand::Refer { department, reference, due_on } => {
            require(matches!(matter.status, Status::Reported | Status::Accepted))?;
            centre()?;
            let today = now.with_timezone(&beijing()).date_naive();
            if *due_on < today {
                return Err(MatterRefusal::DueInPast);
            }
            let due_at = (due_on.and_time(chrono::NaiveTime::from_hms_opt(17, 30, 0).expect("a time"))
                - chrono::Duration::hours(8))
            .and_utc();
            next.status = Status::Referred;
            next.accepted_at = matter.accepted_at.or(Some(now));
            // Closing is due once the department's answer is, and the centre's closing time.
            next.close_due_at = Some(ctx.due(due_at, CLOSE_LIMIT));
            next.referral = Some(Referral {
                department: department.clone(),
                reference: reference.clone(),
                due_at,
                answer: None,
                answered_at: None,
            });
            next.due_at = Some(due_at);
            details =
                serde_json::json!({ "department": department, "reference": reference, "due_at": due_at });
            format!("{department} {reference}")
        }
        MatterCommand::AnswerReferral { answer } => {
            require(matter.status == Status::Referred)?;
            centre()?;
            let Some(referral) = &matter.referral else { return Err(wrong()) };
            if referral.answer.is_some() {
                return Err(MatterRefusal::ReferralState);
            }
            next.referral =
                Some(Referral { answer: Some(answer.clone()), answered_at: Some(now), ..referral.clone() });
            next.due_at = Some(ctx.due(now, CLOSE_LIMIT));
            details = serde_json::json!({ "answer": answer, "on_time": now <= referral.due_at });
            format!("{}答复：{answer}", referral.department)
        }
        MatterCommand::Merge { into } => {
            require(matches!(matter.status, Status::Reported | Status::Accepted))?;
            centre()?;
            if *into == matter.id {
                return Err(MatterRefusal::MergeSelf);
            }
            next.status = Status::Merged;
            next.merged_into = Some(into.clone());
            next.due_at = None;
            details = serde_json::json!({ "into": into });
            "重复事项，反映人并入被合并的事项".to_owned()
        }
        MatterCommand::LinkCase { case_id } => {
            require(matter.status == Status::Dispatched)?;
            squad()?;
            if ctx.roles.scope(Action::CaseOpen).is_none() {
                return Err(MatterRefusal::CaseOpenForbidden);
            }
            next.status = Status::AwaitingCase;
            next.case_id = Some(case_id.clone());
            next.pending_request = None;
            next.due_at = None;
            details = serde_json::json!({ "case_id": case_id });
            "已立案查处，待案件结果".to_owned()
        }
    };
    next.version = matter.version + 1;
    Ok((next, MatterEvent { code: command.code(), summary_zh: summary, details }))
}
