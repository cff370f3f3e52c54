//! The case page: facts, clocks, measures, the steps offered with their forms, documents and the timeline.

use super::*;

#[derive(Template)]
#[template(path = "case_detail.html")]
struct DetailPage {
    chrome: Chrome,
    r: CaseRecord,
    category_name: String,
    source_name: String,
    /// The matter the case was opened from (id, number), if it was.
    matter: Option<(String, String)>,
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
            matter: state.db.matter_of_case(id).await?,
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
