//! Cases: the list, opening a lead or an on-the-spot decision, the case page with its clocks
//! and timeline, each step of the procedure, the deadline lists, and the responsibility list.
//!
//! Opening a case and every step go through `ops::cases` ([`open_case`], [`take_step`]); this
//! module parses the forms and bodies into their input and renders the answers.

mod api;
pub mod documents;
mod form;

pub use api::*;
pub use form::StepForm;

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::case::clocks::{Clock, ClockKind, ClockStatus, Due, clocks};
use crate::domain::case::items::ApplicableRange;
use crate::domain::case::rules::{CaseRules, yuan};
use crate::domain::case::{
    Case, CommandKind, CompulsoryMeasure, Hearing, Procedure, REVIEW_CHECKLIST, Stage, command_name_zh,
    offered_steps,
};
use crate::domain::fields::FieldErrors;
use crate::domain::time::civil_date;
use crate::ops::cases::{
    OpenInput, SOURCES, applicable_fine, open_case, source_name, take_step, unit_in_scope,
};
use crate::store::cases::{CaseFilter, CaseRecord, Category, DueClock, Item, TimelineEntry};
use crate::store::org::{PeopleFilter, Visibility};
use crate::web::error::{AppError, PageResult};
use crate::web::guard::{Caller, Principal};
use crate::web::pages::{Chrome, Lang, Pager, page_number, page_size, render, render_status};

/// A clock as shown.
pub struct ClockView {
    pub name: &'static str,
    pub basis: &'static str,
    pub start: NaiveDate,
    pub due: String,
    pub note: String,
    pub status: ClockStatus,
    pub duty: bool,
}

impl ClockView {
    fn new(clock: &Clock, today: NaiveDate) -> ClockView {
        let (due, note) = match clock.due {
            Due::Known { on } => (on.to_string(), String::new()),
            Due::Provisional { not_before, year } => (
                format!("≥ {not_before}"),
                format!("{year} 年节假日安排未录入，暂按最早可能日期提醒；录入后自动重算"),
            ),
        };
        ClockView {
            name: clock.kind.name_zh(),
            basis: clock.kind.basis(),
            start: clock.start,
            due,
            note,
            status: clock.status(today),
            duty: clock.kind.is_duty(),
        }
    }
}

/// A list row.
pub struct Row {
    pub r: CaseRecord,
    pub stage_tag: &'static str,
    pub due_tag: &'static str,
    pub due_label: String,
    pub category_name: String,
}

fn due_tag(next_due: Option<NaiveDate>, today: NaiveDate) -> (&'static str, String) {
    match next_due {
        None => ("", String::new()),
        Some(d) if d < today => ("danger", format!("{d} 已逾期")),
        Some(d) if (d - today).num_days() <= crate::domain::case::clocks::DUE_SOON_DAYS => {
            ("warning", format!("{d} 将到期"))
        }
        Some(d) => ("info", d.to_string()),
    }
}

fn stage_tag(stage: Stage) -> &'static str {
    match stage {
        Stage::Closed => "success",
        Stage::NotFiled => "info",
        Stage::Clue => "info",
        _ => "primary",
    }
}

fn category_name(categories: &[Category], code: &str) -> String {
    categories.iter().find(|c| c.code == code).map_or_else(|| code.to_owned(), |c| c.name.clone())
}

#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Part of the case number, the title or the party's name.
    #[serde(default)]
    pub q: String,
    /// A stage code: clue, investigation, review, notified, decided, execution, closed, not_filed.
    #[serde(default)]
    pub stage: String,
    #[serde(default)]
    pub category: String,
    /// `general` or `simple`.
    #[serde(default)]
    pub procedure: String,
    #[serde(default)]
    pub unit: String,
    /// `1`: only cases the caller handles.
    #[serde(default)]
    pub mine: String,
    /// `1`: only cases with an overdue duty clock.
    #[serde(default)]
    pub overdue: String,
    #[serde(default)]
    pub party: String,
    #[serde(default)]
    pub page: String,
    #[serde(default)]
    pub size: String,
}

impl ListQuery {
    fn filter(&self, principal: &Principal, today: NaiveDate) -> CaseFilter {
        CaseFilter {
            stage: self.stage.clone(),
            category: self.category.clone(),
            procedure: self.procedure.clone(),
            unit_id: self.unit.clone(),
            officer_id: if self.mine == "1" {
                principal.person_id.clone().unwrap_or_else(|| "-".into())
            } else {
                String::new()
            },
            party_id: self.party.clone(),
            text: self.q.clone(),
            overdue_on: (self.overdue == "1").then_some(today),
            page: page_number(&self.page),
            page_size: page_size(&self.size),
        }
    }
}

#[derive(Template)]
#[template(path = "cases_list.html")]
struct ListPage {
    chrome: Chrome,
    rows: Vec<Row>,
    pager: Pager,
    query: ListQuery,
    stages: Vec<(&'static str, &'static str)>,
    categories: Vec<Category>,
    may_open: bool,
}

fn visibility(principal: &Principal) -> Visibility {
    principal.visibility(Action::CaseView)
}

pub async fn list_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let chrome = Chrome::new(&state, &principal, &headers, "cases", "案件办理", "Cases").await?;
    let today = civil_date(state.now());
    let filter = query.filter(&principal, today);
    let (records, total) = state.db.cases(&visibility(&principal), &filter).await?;
    let categories = state.db.case_categories().await?;
    let rows = records
        .into_iter()
        .map(|r| {
            let (due_tag, due_label) = due_tag(r.next_due, today);
            Row {
                stage_tag: stage_tag(r.case.stage),
                due_tag,
                due_label,
                category_name: category_name(&categories, &r.category),
                r,
            }
        })
        .collect();
    let q = serde_urlencoded::to_string([
        ("q", query.q.as_str()),
        ("stage", query.stage.as_str()),
        ("category", query.category.as_str()),
        ("procedure", query.procedure.as_str()),
        ("mine", query.mine.as_str()),
        ("overdue", query.overdue.as_str()),
        ("size", query.size.as_str()),
    ])
    .unwrap_or_default();
    render(&ListPage {
        chrome,
        rows,
        pager: Pager::new(filter.page, filter.page_size, total, q),
        query,
        stages: Stage::ALL.iter().map(|s| (s.code(), s.name_zh())).collect(),
        categories,
        may_open: principal.has(Action::CaseOpen),
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    party: String,
    #[serde(default)]
    procedure: String,
    #[serde(default)]
    name: String,
}

#[derive(Template)]
#[template(path = "case_new.html")]
struct NewPage {
    chrome: Chrome,
    input: OpenInput,
    errors: FieldErrors,
    refusal: Option<String>,
    party_name: String,
    matches: Vec<(String, String, &'static str)>,
    search: String,
    categories: Vec<Category>,
    items: Vec<Item>,
    units: Vec<(String, String)>,
    officers: Vec<(String, String)>,
    sources: Vec<(&'static str, &'static str)>,
}

impl NewPage {
    fn error(&self, field: &str) -> &str {
        self.errors.get(field).unwrap_or("")
    }
    fn simple(&self) -> bool {
        self.input.is_simple()
    }
}

/// Officers with a valid certificate today, as (id, "name · unit") for selects.
async fn officer_options(state: &AppState) -> Result<Vec<(String, String)>, AppError> {
    let filter = PeopleFilter {
        employment: "officer".into(),
        certificate: "valid".into(),
        page: 1,
        page_size: 500,
        ..Default::default()
    };
    let page = state.db.people(&Visibility::All, &filter, civil_date(state.now())).await?;
    Ok(page.rows.into_iter().map(|p| (p.id, format!("{} · {}", p.name, p.unit_name))).collect())
}

async fn new_form(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    input: OpenInput,
    errors: FieldErrors,
    refusal: Option<String>,
    search: String,
) -> PageResult {
    let simple = input.is_simple();
    let chrome = Chrome::new(
        state,
        principal,
        headers,
        "cases",
        if simple { "当场处罚（简易程序）" } else { "登记线索" },
        if simple { "On-the-spot decision" } else { "Register a lead" },
    )
    .await?;
    let party = if input.party_id.is_empty() { None } else { state.db.party(&input.party_id).await? };
    let matches = if party.is_none() && !search.trim().is_empty() {
        state
            .db
            .parties(&search, "", 1, 20)
            .await?
            .0
            .into_iter()
            .map(|p| (p.id, p.name, if p.organisation { "单位" } else { "自然人" }))
            .collect()
    } else {
        Vec::new()
    };
    let all_units = state.db.units().await?;
    let units = all_units
        .iter()
        .filter(|u| {
            unit_in_scope(&principal.roles, principal.unit_id.as_deref(), Action::CaseOpen, &all_units, &u.id)
        })
        .map(|u| (u.id.clone(), u.name.clone()))
        .collect();
    let status = if refusal.is_some() || !errors.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render_status(
        &NewPage {
            chrome,
            party_name: party.map(|p| p.name).unwrap_or_default(),
            matches,
            search,
            categories: state.db.case_categories().await?,
            items: state.db.enforcement_items().await?,
            units,
            officers: if simple { officer_options(state).await? } else { Vec::new() },
            sources: SOURCES.iter().map(|(c, n, _)| (*c, *n)).collect(),
            input,
            errors,
            refusal,
        },
        status,
    )
}

pub async fn new_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
    Query(query): Query<NewQuery>,
) -> PageResult {
    let today = civil_date(state.now()).to_string();
    let input = OpenInput {
        procedure: Procedure::parse(&query.procedure).unwrap_or(Procedure::General).code().into(),
        party_id: query.party,
        unit_id: principal.unit_id.clone().unwrap_or_default(),
        source: "patrol".into(),
        clue_on: today.clone(),
        act_on: today,
        ..Default::default()
    };
    new_form(&state, &principal, &headers, input, FieldErrors::default(), None, query.name).await
}

pub async fn create_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Form(input): Form<OpenInput>,
) -> PageResult {
    match open_case(&state, &principal.actor(&info), &input).await {
        Ok(opened) => Ok(Redirect::to(&format!("/cases/{}", opened.id)).into_response()),
        Err(AppError::Invalid(errors)) => {
            new_form(&state, &principal, &headers, input, errors, None, String::new()).await
        }
        Err(AppError::Refused { message, .. }) => {
            new_form(
                &state,
                &principal,
                &headers,
                input,
                FieldErrors::default(),
                Some(message),
                String::new(),
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Template)]
#[template(path = "case_detail.html")]
struct DetailPage {
    chrome: Chrome,
    r: CaseRecord,
    category_name: String,
    source_name: String,
    item: Option<Item>,
    /// The range a decision today would be held to (从旧兼从轻), shown beside the fine field.
    fine_range: Option<ApplicableRange>,
    /// The discretion bands of the version that range comes from, one line each for the
    /// party's kind; `None`: that version's bands were never recorded.
    fine_bands: Option<Vec<String>>,
    clocks: Vec<ClockView>,
    timeline: Vec<TimelineEntry>,
    major: Vec<&'static str>,
    steps: Vec<CommandKind>,
    officers: Vec<(String, String)>,
    case_officers: Vec<(String, String)>,
    checklist: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    form_errors: FieldErrors,
    done: bool,
    today: String,
    hearing_eligible: bool,
    amount_due: String,
    first_offence: Option<bool>,
    rules: CaseRules,
    documents: Vec<crate::store::documents::DocumentInfo>,
    /// Documents this caller may issue now: (code, subject key, label).
    issuable: Vec<(&'static str, String, String)>,
    /// The bureau's 负责人 from the register (id, name, position): the attendees a 集体讨论 offers.
    leaders: Vec<(String, String, String)>,
    measures: [CompulsoryMeasure; 3],
}

impl DetailPage {
    fn yuan(&self, fen: &i64) -> String {
        yuan(*fen)
    }
    fn penalty_text(&self) -> String {
        self.r.case.penalty().map(|p| p.summary_zh()).unwrap_or_default()
    }
    fn decision_number(&self) -> &str {
        self.r.case.decision.as_ref().map_or("", |d| d.number.as_str())
    }
    fn hearing_text(&self) -> String {
        match &self.r.case.hearing {
            Hearing::None => String::new(),
            Hearing::Requested { on } => format!("{on} 申请听证"),
            Hearing::Scheduled { hearing_on, .. } => format!("定于 {hearing_on} 举行"),
            Hearing::Held { on, .. } => format!("{on} 已举行"),
            Hearing::NoShow { on } => format!("{on} 当事人未到场，视为放弃"),
        }
    }
    fn step_name(&self, step: &CommandKind) -> &'static str {
        step.name_zh()
    }
    /// A recorded event's name, by its stored code (a step's, or how the case opened).
    fn event_name(&self, code: &str) -> &'static str {
        command_name_zh(code)
    }
    /// Orders, measures and deferrals on the case, one line each: (what, how it stands).
    fn measures(&self) -> Vec<(&'static str, String)> {
        let case = &self.r.case;
        let mut out = Vec::new();
        for c in &case.corrections {
            let deadline = c.deadline.map_or_else(|| "立即改正".to_owned(), |d| format!("限 {d} 前改正"));
            let result = match c.corrected {
                Some(true) => {
                    format!("，{} 复查已改正", c.reinspected_on.map(|d| d.to_string()).unwrap_or_default())
                }
                Some(false) => {
                    format!("，{} 复查未改正", c.reinspected_on.map(|d| d.to_string()).unwrap_or_default())
                }
                None => "，待复查".to_owned(),
            };
            out.push(("责令改正", format!("{}：{}，{deadline}{result}", c.on, c.requirement)));
        }
        // The plan's clearances still waiting for their decision (a used one is history, in
        // the timeline).
        for c in case.clearances.iter().filter(|c| c.used_on.is_none()) {
            let discussed =
                c.discussion.as_ref().map_or("未集体讨论".to_owned(), |d| format!("{} 集体讨论", d.on));
            let reviewed = match &c.legal_review {
                Some(r) if r.passed => format!("{} 法制审核通过", r.on),
                Some(r) => format!("{} 法制审核未通过", r.on),
                None => "未法制审核".to_owned(),
            };
            out.push(("行政强制决定前审查", format!("拟{}：{discussed}；{reviewed}", c.measure.name_zh())));
        }
        for span in &case.excluded_periods {
            out.push((
                "不计入办案期限",
                format!(
                    "{}：{} 至 {}{}",
                    span.kind.name_zh(),
                    span.from,
                    span.to,
                    if span.note.is_empty() { String::new() } else { format!("（{}）", span.note) }
                ),
            ));
        }
        for z in &case.seizures {
            let state = match (&z.outcome, z.approved_on) {
                (Some(o), _) => format!(
                    "{} 已处理（{}）",
                    z.ended_on.map(|d| d.to_string()).unwrap_or_default(),
                    o.short_zh()
                ),
                (None, None) => "待补办批准".to_owned(),
                (None, Some(_)) if z.extended => "已延长三十日".to_owned(),
                (None, Some(_)) => "期限内".to_owned(),
            };
            out.push(("查封扣押", format!("{}：{}；{state}", z.on, z.items.join("、"))));
        }
        let d = &case.demolition;
        if d.announced_on.is_some() || d.voluntary_on.is_some() {
            let mut parts = Vec::new();
            if let (Some(on), Some(until)) = (d.announced_on, d.announced_deadline) {
                parts.push(format!("{on} 公告，限 {until} 前自行拆除"));
            }
            if let (Some(on), Some(until)) = (d.urged_on, d.urged_deadline) {
                parts.push(format!("{on} 催告，限 {until} 前履行"));
            }
            if let (Some(on), Some(from)) = (d.decided_on, d.execute_on) {
                let served = d
                    .decision_served_on
                    .map_or_else(|| "，决定书未送达".to_owned(), |s| format!("，{s} 送达"));
                parts.push(format!("{on} 决定强制执行（{}，自 {from} 起）{served}", d.manner));
            }
            if let Some(on) = d.enforced_on {
                parts.push(format!("{on} 强制拆除"));
            }
            if let Some(on) = d.voluntary_on {
                parts.push(format!("{on} {}", if d.assisted { "助拆" } else { "自拆" }));
            }
            out.push(("拆除", parts.join("；")));
        }
        if let Some(s) = &case.substitute {
            let mut text = format!(
                "{} 决定（{}）：{}，代履行人 {}，预算 {} 元",
                s.decided_on,
                s.ground.basis(),
                s.obligation,
                s.performer,
                yuan(s.budget_fen)
            );
            if let Some(on) = s.urged_on {
                text.push_str(&format!("；{on} 催告"));
            }
            if let Some(on) = s.performed_on {
                text.push_str(&format!(
                    "；{on} 实施，费用 {} 元，已收回 {} 元",
                    yuan(s.cost_fen),
                    yuan(s.recovered_fen)
                ));
            }
            if let Some(on) = s.stopped_on {
                text.push_str(&format!("；{on} 当事人履行，停止"));
            }
            if !s.party_present && s.party_notified_on.is_none() {
                text.push_str("；当事人不在场，待事后通知");
            }
            out.push(("代履行", text));
        }
        for x in &case.deferrals {
            let state = match (&x.legal_review, &x.supervision, x.ended_on) {
                (_, _, Some(end)) => format!("{end} 已结束"),
                (_, Some((body, on)), None) => format!("{on} 报{body}备案，生效中，{} 复查", x.review_on),
                (Some(_), None, None) => "法制审核通过，待监督备案".to_owned(),
                (None, None, None) => "待法制审核".to_owned(),
            };
            out.push((x.subject.name_zh(), format!("{}：{}；{state}", x.discussion.on, x.reason)));
        }
        out
    }
    /// Officer selects start with the case's current officers.
    fn preselect(&self, slot: &usize, id: &str) -> bool {
        self.case_officers.get(*slot).is_some_and(|(o, _)| o == id)
    }
}

/// The documents that fit the case as it stands and are not yet issued: (kind, subject key,
/// label). A per-subject document is offered once for each item without one; the others once.
fn issuable_documents(
    case: &Case,
    issued: &[crate::store::documents::DocumentInfo],
) -> Vec<(&'static str, String, String)> {
    use crate::domain::case::documents::{DocKind as K, available, subjects};
    let mut out = Vec::new();
    for kind in K::ALL.into_iter().filter(|k| available(*k, case).is_ok()) {
        if kind.per_subject() {
            for (key, label) in subjects(kind, case) {
                if !issued.iter().any(|d| d.kind == kind && d.subject == key) {
                    out.push((kind.code(), key, format!("{}（{label}）", kind.name_zh())));
                }
            }
        } else if !issued.iter().any(|d| d.kind == kind) {
            out.push((kind.code(), String::new(), kind.name_zh().to_owned()));
        }
    }
    out
}

#[derive(Debug, Default, Deserialize)]
pub struct DetailQuery {
    #[serde(default)]
    done: String,
}

async fn detail(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    id: &str,
    error: Option<String>,
    form_errors: FieldErrors,
    done: bool,
) -> PageResult {
    let r = state.db.case(&visibility(principal), id).await?.ok_or(AppError::NotFound)?;
    let chrome = Chrome::new(state, principal, headers, "cases", "案件详情", "Case").await?;
    let today = civil_date(state.now());
    let calendar = state.db.work_calendar().await?;
    let (rules, _) = state.db.case_rules().await?;
    let categories = state.db.case_categories().await?;
    let item = match &r.item_code {
        Some(code) => state.db.enforcement_item(code).await?,
        None => None,
    };
    let (fine_range, fine_bands) =
        match applicable_fine(state, item.as_ref(), r.case.organisation, r.case.act_on, today).await? {
            Some((range, bands)) => (
                Some(range),
                bands.map(|bands| bands.iter().map(|b| b.line_zh(r.case.organisation)).collect()),
            ),
            // No fixed range applies (no item, or a fine in proportion to a building's
            // cost): there are no bands to show, which is not "not recorded".
            None => (None, Some(Vec::new())),
        };
    let clock_views = clocks(&r.case, &calendar, &rules).iter().map(|c| ClockView::new(c, today)).collect();
    let timeline = state.db.case_timeline(id).await?;
    let people = state.db.person_facts(&r.case.officers).await?;
    let case_officers = r
        .case
        .officers
        .iter()
        .map(|o| (o.clone(), people.get(o).map_or_else(|| o.clone(), |p| p.name.clone())))
        .collect();
    let first_offence = crate::ops::cases::first_offence(&state.db, &r).await?;
    let amount_due = match r.case.amount_due(&calendar, today) {
        Ok(fen) if fen > 0 => yuan(fen),
        _ => String::new(),
    };
    let status = if error.is_some() || !form_errors.is_empty() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let steps = offered_steps(&r.case, &principal.roles, &rules);
    let documents = state.db.case_documents(id).await?;
    let issuable =
        if principal.has(Action::CaseAct) { issuable_documents(&r.case, &documents) } else { Vec::new() };
    render_status(
        &DetailPage {
            documents,
            issuable,
            chrome,
            category_name: category_name(&categories, &r.category),
            source_name: source_name(&r.source).to_owned(),
            item,
            fine_range,
            fine_bands,
            clocks: clock_views,
            timeline,
            major: r.case.major_reasons(&rules).iter().map(|m| m.name_zh()).collect(),
            officers: if steps.is_empty() { Vec::new() } else { officer_options(state).await? },
            leaders: if steps.iter().any(|s| {
                matches!(
                    s,
                    CommandKind::Discuss | CommandKind::ProposeDeferral | CommandKind::DiscussCompulsory
                )
            }) {
                state.db.agency_leaders().await?
            } else {
                Vec::new()
            },
            measures: CompulsoryMeasure::ALL,
            case_officers,
            steps,
            checklist: REVIEW_CHECKLIST.to_vec(),
            error,
            form_errors,
            done,
            today: today.to_string(),
            hearing_eligible: r.case.hearing_right(&rules),
            amount_due,
            first_offence,
            rules,
            r,
        },
        status,
    )
}

/// The case page with a refusal banner (status 422).
pub async fn detail_with_error(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    id: &str,
    message: String,
) -> PageResult {
    detail(state, principal, headers, id, Some(message), FieldErrors::default(), false).await
}

pub async fn detail_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<DetailQuery>,
) -> PageResult {
    detail(&state, &principal, &headers, &id, None, FieldErrors::default(), query.done == "1").await
}

pub async fn step_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> PageResult {
    let form = match StepForm::from_urlencoded(&body) {
        Ok(form) => form,
        Err(errors) => return detail(&state, &principal, &headers, &id, None, errors, false).await,
    };
    let (version, command) = match form.parse() {
        Ok(parsed) => parsed,
        Err(errors) => return detail(&state, &principal, &headers, &id, None, errors, false).await,
    };
    match take_step(&state, &principal.actor(&info), &id, version, command).await {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}?done=1")).into_response()),
        Err(AppError::Refused { message, .. } | AppError::Conflict { message, .. }) => {
            detail(&state, &principal, &headers, &id, Some(message), FieldErrors::default(), false).await
        }
        Err(AppError::Invalid(errors)) => {
            detail(&state, &principal, &headers, &id, None, errors, false).await
        }
        Err(error) => Err(error.into()),
    }
}

/// A group of the deadlines page.
pub struct DueGroup {
    pub name: String,
    pub overdue: usize,
    pub soon: usize,
}

#[derive(Template)]
#[template(path = "case_deadlines.html")]
struct DeadlinesPage {
    chrome: Chrome,
    rows: Vec<(DueClock, &'static str, ClockStatus)>,
    by_unit: Vec<DueGroup>,
    by_officer: Vec<DueGroup>,
    days: i64,
}

/// How far ahead the deadline lists look by default, in calendar days.
pub const DEADLINE_HORIZON_DAYS: i64 = 7;

fn group(rows: &[(DueClock, &'static str, ClockStatus)], key: impl Fn(&DueClock) -> String) -> Vec<DueGroup> {
    let mut map: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (clock, _, status) in rows {
        let entry = map.entry(key(clock)).or_default();
        if matches!(status, ClockStatus::Overdue { .. }) {
            entry.0 += 1;
        } else {
            entry.1 += 1;
        }
    }
    let mut groups: Vec<DueGroup> =
        map.into_iter().map(|(name, (overdue, soon))| DueGroup { name, overdue, soon }).collect();
    groups.sort_by(|a, b| b.overdue.cmp(&a.overdue).then(b.soon.cmp(&a.soon)));
    groups
}

async fn due_rows(
    state: &AppState,
    principal: &Principal,
    days: i64,
) -> Result<Vec<(DueClock, &'static str, ClockStatus)>, AppError> {
    let today = civil_date(state.now());
    let until = today + chrono::Duration::days(days.clamp(0, 90));
    let rows = state.db.due_clocks(&visibility(principal), until, true, 1000).await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            let kind = ClockKind::parse(&row.kind)?;
            let clock = Clock { kind, start: today, due: Due::Known { on: row.due_on }, met_on: None };
            let status = clock.status(today);
            Some((row, kind.name_zh(), status))
        })
        .collect())
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct DeadlineQuery {
    /// Look this many days ahead (default 7, at most 90).
    #[serde(default)]
    pub days: String,
}

pub async fn deadlines_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
    Query(query): Query<DeadlineQuery>,
) -> PageResult {
    let chrome = Chrome::new(&state, &principal, &headers, "deadlines", "期限预警", "Deadlines").await?;
    let days = query.days.parse().unwrap_or(DEADLINE_HORIZON_DAYS);
    let rows = due_rows(&state, &principal, days).await?;
    let by_unit = group(&rows, |c| c.unit_name.clone());
    let by_officer = group(&rows, |c| c.handler_name.clone().unwrap_or_else(|| "（未指定承办人）".into()));
    render(&DeadlinesPage { chrome, rows, by_unit, by_officer, days })
}

#[derive(Template)]
#[template(path = "responsibility_list.html")]
struct ItemsPage {
    chrome: Chrome,
    categories: Vec<(Category, Vec<Item>)>,
    rules: CaseRules,
    rules_version: i64,
    may_edit_rules: bool,
    saved: bool,
    /// The code of the item just saved, for the confirmation.
    saved_item: String,
}

impl ItemsPage {
    fn range(&self, min: &Option<i64>, max: &Option<i64>) -> String {
        match (min, max) {
            (Some(a), Some(b)) => format!("{}–{} 元", yuan(*a), yuan(*b)),
            _ => "见处罚依据".to_owned(),
        }
    }
    fn money(&self, fen: &i64) -> String {
        yuan(*fen)
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ItemsQuery {
    #[serde(default)]
    saved: String,
    #[serde(default)]
    saved_item: String,
}

pub async fn items_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
    Query(query): Query<ItemsQuery>,
) -> PageResult {
    let chrome =
        Chrome::new(&state, &principal, &headers, "items", "权责清单", "Responsibility list").await?;
    // The legal office also sees retired items, to bring one back; everyone else sees the list
    // new cases use.
    let may_edit_rules = principal.has(Action::CaseRulesEdit);
    let items = if may_edit_rules {
        state.db.all_enforcement_items().await?
    } else {
        state.db.enforcement_items().await?
    };
    let mut by_category: HashMap<String, Vec<Item>> = HashMap::new();
    for item in items {
        by_category.entry(item.category.clone()).or_default().push(item);
    }
    let categories = state
        .db
        .case_categories()
        .await?
        .into_iter()
        .map(|c| {
            let items = by_category.remove(&c.code).unwrap_or_default();
            (c, items)
        })
        .collect();
    let (rules, rules_version) = state.db.case_rules().await?;
    render(&ItemsPage {
        chrome,
        categories,
        rules,
        rules_version,
        may_edit_rules,
        saved: query.saved == "1",
        saved_item: query.saved_item,
    })
}
