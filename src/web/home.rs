//! The workbench (home page), the organisation tree, health checks and small shared routes.

use askama::Template;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use serde::Serialize;

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::org::{
    CERTIFICATE_EXPIRY_WARNING_DAYS, GroupRole, UnitInput, UnitKind, certificate_standing,
};
use crate::domain::time::civil_date;
use crate::ops::org::MemberInput;
use crate::store::org::{PeopleFilter, Unit};
use crate::web::body::JsonObject;
use crate::web::common::tree_order;
use crate::web::error::{ApiResult, AppError, PageError, PageResult};
use crate::web::guard::{Caller, LANG_COOKIE, Principal};
use crate::web::pages::{Chrome, Lang, render};

pub async fn healthz() -> &'static str {
    "ok"
}

pub async fn readyz(State(state): State<AppState>) -> Response {
    // A bounded wait: a probe must answer even when the database hangs.
    match tokio::time::timeout(std::time::Duration::from_secs(3), state.db.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready").into_response(),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response(),
    }
}

pub async fn switch_language(Path(lang): Path<String>, headers: HeaderMap) -> Response {
    let value = if lang == "en" { "en" } else { "zh" };
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.find("://").map(|i| &r[i + 3..]))
        .and_then(|rest| rest.find('/').map(|i| rest[i..].to_owned()))
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| "/".to_owned());
    let mut response = Redirect::to(&back).into_response();
    let cookie = format!("{LANG_COOKIE}={value}; Path=/; SameSite=Lax; Max-Age=31536000");
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

pub async fn not_found(uri: axum::http::Uri) -> Response {
    if crate::web::is_api_path(uri.path()) {
        crate::web::error::ApiError(AppError::NotFound).into_response()
    } else {
        PageError(AppError::NotFound).into_response()
    }
}

/// One thing on the workbench that needs attention.
pub struct Todo {
    pub tag: &'static str,
    pub text: String,
    pub href: String,
}

pub struct Stat {
    pub label_zh: &'static str,
    pub label_en: &'static str,
    pub value: String,
    pub href: &'static str,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    chrome: Chrome,
    todos: Vec<Todo>,
    stats: Vec<Stat>,
    changed_password: bool,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct HomeQuery {
    #[serde(default)]
    changed: String,
}

pub async fn home(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<HomeQuery>,
) -> PageResult {
    let chrome = Chrome::new(&state, &principal, &headers, "home", "工作台", "Workbench").await?;
    let today = civil_date(state.now());
    let mut todos = Vec::new();
    let mut stats = Vec::new();

    // One's own certificate first: an officer whose certificate lapses may not act.
    if let Some(person_id) = &principal.person_id {
        for cert in state.db.certificates(person_id).await?.into_iter().take(1) {
            let standing = certificate_standing(cert.status, cert.valid_from, cert.valid_to, today);
            if !matches!(standing, crate::domain::org::CertificateStanding::Valid) {
                todos.push(Todo {
                    tag: standing.tag(),
                    text: format!("本人执法证 {}：{}", cert.number, standing.label_zh()),
                    href: format!("/people/{person_id}"),
                });
            }
        }
    }
    // Case deadlines the bureau must meet: overdue first, then those due within three days.
    if principal.has(Action::CaseView) {
        let soon = today + Duration::days(crate::domain::case::clocks::DUE_SOON_DAYS);
        let due = state.db.due_clocks(&principal.visibility(Action::CaseView), soon, true, 8).await?;
        for clock in due {
            let name = crate::domain::case::clocks::ClockKind::parse(&clock.kind).map_or("", |k| k.name_zh());
            let overdue = clock.due_on < today;
            todos.push(Todo {
                tag: if overdue { "danger" } else { "warning" },
                text: format!(
                    "案件 {} {}：{}{}（{}）",
                    clock.number,
                    clock.title,
                    name,
                    if overdue { "已逾期" } else { "即将到期" },
                    clock.due_on
                ),
                href: format!("/cases/{}", clock.case_id),
            });
        }
    }
    // Matters whose current step is past due or due within the warning window, the most urgent
    // first: the centre sees the whole loop, a squad its own matters.
    if principal.has(Action::MatterView) {
        use crate::domain::intake::flow::DUE_SOON_HOURS;
        let now = state.now();
        let filter = crate::store::intake::MatterFilter {
            overdue_at: Some(now + Duration::hours(DUE_SOON_HOURS)),
            by_due: true,
            limit: 8,
            ..Default::default()
        };
        let (matters, total) = crate::ops::intake::list(&state, &principal.actor(&info), &filter).await?;
        for matter in &matters {
            let Some(due) = matter.due_at else { continue };
            let overdue = due < now;
            todos.push(Todo {
                tag: if overdue { "danger" } else { "warning" },
                text: format!(
                    "事项 {} {}（{}）：{}（{}）",
                    matter.number,
                    matter.title,
                    matter.status.name_zh(),
                    if overdue { "已逾期" } else { "即将到期" },
                    &crate::domain::time::display(due)[..16]
                ),
                href: format!("/matters/{}", matter.id),
            });
        }
        if total > 8 {
            todos.push(Todo {
                tag: "warning",
                text: format!("另有 {} 件事项逾期或即将到期", total - 8),
                href: "/matters?overdue=1".into(),
            });
        }
    }
    // Decisions to publish or withdraw whose clock is due soon or over (Art. 48).
    for entry in crate::ops::disclosure::open_duties(&state, &principal.actor(&info), 50).await? {
        let Some(clock) = entry.clock else { continue };
        use crate::domain::case::clocks::ClockStatus as S;
        let tag = match clock.status {
            S::Overdue { .. } => "danger",
            S::DueSoon { .. } => "warning",
            _ => continue,
        };
        todos.push(Todo {
            tag,
            text: format!(
                "决定 {}（案件 {}）{}：{}（{}）",
                entry.record.decision_number,
                entry.record.case_number,
                clock.duty.name_zh(),
                clock.status.label_zh(),
                clock.due.date()
            ),
            href: format!("/disclosures/{}", entry.record.id),
        });
    }
    // 三步走约谈 whose re-inspection is overdue or whose next step is due.
    for talk in crate::ops::talks::open_duties(&state, &principal.actor(&info)).await?.into_iter().take(5) {
        let (tag, what) = match talk.state.next_step() {
            Some(step) => ("warning", format!("复查未改正，待{}", step.name_zh())),
            None => (
                "danger",
                format!(
                    "复查逾期（应于 {} 前复查）",
                    talk.state.due().map(|d| d.to_string()).unwrap_or_default()
                ),
            ),
        };
        todos.push(Todo {
            tag,
            text: format!("三步走约谈“{}”（{}）：{what}", talk.subject, talk.party_name),
            href: format!("/talks/{}", talk.id),
        });
    }
    // Last year's figures, due by 31 January, while unpublished.
    if let Some((year, due, status)) =
        crate::ops::disclosure::figures_duty(&state, &principal.actor(&info)).await?
    {
        todos.push(Todo {
            tag: status.tag(),
            text: format!("{year} 年度行政执法数据应于 {due} 前公开：{}", status.label_zh()),
            href: format!("/disclosures/figures?year={year}"),
        });
    }
    // Tasks agreed at a 联席会议 still open past their day, for whoever records the meetings.
    for (task, topic) in crate::ops::joint::overdue_tasks(&state, &principal.actor(&info), 5).await? {
        todos.push(Todo {
            tag: "danger",
            text: format!(
                "联席会议“{}”议定事项逾期：{}（{}，{}）",
                topic, task.task, task.owner, task.due_on
            ),
            href: format!("/matters/meetings/{}", task.meeting_id),
        });
    }
    // From the 20th, the month's studies still owed: one's own, and for whoever manages training,
    // the people of their units still short.
    if principal.has(Action::TrainingView) && crate::domain::training::reminders_due(today) {
        use crate::domain::training::{ComplianceStatus, Month};
        let rows =
            crate::ops::training::visible_compliance(&state, &principal.actor(&info), Month::of(today), "")
                .await?;
        let own = principal.person_id.as_deref();
        if let Some(row) = rows.iter().find(|r| Some(r.person_id.as_str()) == own)
            && matches!(row.result.status, ComplianceStatus::Short { .. })
        {
            todos.push(Todo {
                tag: "warning",
                text: format!("本月学习{}，请在月底前参加或补学", row.result.status.label_zh()),
                href: "/training".into(),
            });
        }
        if principal.has(Action::TrainingManage) {
            let short: Vec<_> = rows
                .iter()
                .filter(|r| Some(r.person_id.as_str()) != own)
                .filter(|r| matches!(r.result.status, ComplianceStatus::Short { .. }))
                .collect();
            for row in short.iter().take(8) {
                todos.push(Todo {
                    tag: "warning",
                    text: format!(
                        "{}（{}）本月学习{}",
                        row.name,
                        row.unit_name,
                        row.result.status.label_zh()
                    ),
                    href: "/training/compliance".into(),
                });
            }
            if short.len() > 8 {
                todos.push(Todo {
                    tag: "warning",
                    text: format!("另有 {} 人本月学习尚未达标", short.len() - 8),
                    href: "/training/compliance".into(),
                });
            }
        }
    }
    // A session that ended in the last month with nobody recorded as attending: its organiser
    // (or, where none was recorded, whoever manages the unit) still owes the attendance.
    if principal.has(Action::TrainingManage) {
        let units = state.db.units().await?;
        let manage = principal.visibility(Action::TrainingManage);
        let now = state.now();
        let sessions = state.db.training_sessions(today - Duration::days(31), today).await?;
        for session in sessions.iter().filter(|s| s.ends_at < now && s.attended == 0) {
            let mine = match &session.organiser_id {
                Some(organiser) => principal.person_id.as_deref() == Some(organiser.as_str()),
                None => crate::ops::people::unit_visible(&units, &manage, &session.unit_id),
            };
            if mine {
                todos.push(Todo {
                    tag: "warning",
                    text: format!(
                        "培训“{}”（{}）已结束，尚无出勤记录，请登记出勤或请假",
                        session.topic,
                        crate::domain::time::civil_date(session.starts_at)
                    ),
                    href: format!("/training/sessions/{}", session.id),
                });
            }
        }
    }
    if principal.has(Action::PersonView) {
        let visibility = principal.visibility(Action::PersonView);
        let until = today + Duration::days(CERTIFICATE_EXPIRY_WARNING_DAYS);
        let expiring = state.db.expiring_certificates(&visibility, today, until).await?;
        for (person, cert) in expiring.iter().take(8) {
            let standing = certificate_standing(cert.status, cert.valid_from, cert.valid_to, today);
            todos.push(Todo {
                tag: standing.tag(),
                text: format!(
                    "{}（{}）执法证 {} {}",
                    person.name,
                    person.unit_name,
                    cert.number,
                    standing.label_zh()
                ),
                href: format!("/people/{}", person.id),
            });
        }
        let count = |certificate: &str| {
            let filter = PeopleFilter { certificate: certificate.into(), ..Default::default() };
            let db = state.db.clone();
            let visibility = visibility.clone();
            async move { db.people_count(&visibility, &filter, today).await }
        };
        let all = count("").await?;
        let expired = count("expired").await?;
        let missing = count("missing").await?;
        stats.push(Stat {
            label_zh: "在册人员",
            label_en: "People",
            value: format!("{all} 人"),
            href: "/people",
        });
        stats.push(Stat {
            label_zh: "执法证临期",
            label_en: "Certificates expiring",
            value: format!("{} 本", expiring.len()),
            href: "/people?certificate=expiring",
        });
        stats.push(Stat {
            label_zh: "执法证失效",
            label_en: "Certificates lapsed",
            value: format!("{expired} 本"),
            href: "/people?certificate=expired",
        });
        stats.push(Stat {
            label_zh: "执法人员无证",
            label_en: "Officers without certificate",
            value: format!("{missing} 人"),
            href: "/people?certificate=missing",
        });
        if expired > 0 {
            todos.push(Todo {
                tag: "danger",
                text: format!("{expired} 名人员的执法证已失效，不得从事执法活动（行政处罚法第四十二条）"),
                href: "/people?certificate=expired".into(),
            });
        }
    }
    if principal.has(Action::AccountAdmin) {
        let accounts = state.db.accounts().await?;
        let now = state.now();
        let locked = accounts.iter().filter(|a| a.locked_until.is_some_and(|t| t > now)).count();
        let never = accounts.iter().filter(|a| a.last_login_at.is_none() && !a.disabled).count();
        stats.push(Stat {
            label_zh: "账号总数",
            label_en: "Accounts",
            value: format!("{} 个", accounts.len()),
            href: "/admin/accounts",
        });
        stats.push(Stat {
            label_zh: "当前锁定",
            label_en: "Locked now",
            value: format!("{locked} 个"),
            href: "/admin/accounts",
        });
        if locked > 0 {
            todos.push(Todo {
                tag: "warning",
                text: format!("{locked} 个账号因连续登录失败被锁定"),
                href: "/admin/accounts".into(),
            });
        }
        if never > 0 {
            todos.push(Todo {
                tag: "info",
                text: format!("{never} 个账号从未登录，请核实是否为冗余账号（等保 L3-CES1-07）"),
                href: "/admin/accounts".into(),
            });
        }
    }
    if principal.has(Action::AuditRead) {
        let (seq, _) = state.db.audit_head().await?;
        let denied = state
            .db
            .audit_records(&crate::store::audit::AuditFilter {
                result: "denied".into(),
                page: 1,
                page_size: 1,
                ..Default::default()
            })
            .await?
            .1;
        stats.push(Stat {
            label_zh: "审计记录",
            label_en: "Audit records",
            value: format!("{seq} 条"),
            href: "/audit",
        });
        stats.push(Stat {
            label_zh: "越权访问",
            label_en: "Denied requests",
            value: format!("{denied} 次"),
            href: "/audit?result=denied",
        });
        todos.push(Todo {
            tag: "primary",
            text: "定期校验审计日志哈希链的完整性".into(),
            href: "/audit".into(),
        });
    }
    if principal.has(Action::SecurityPolicy) {
        let (policy, version) = state.db.security_policy().await?;
        stats.push(Stat {
            label_zh: "锁定阈值",
            label_en: "Lockout threshold",
            value: format!("{} 次 / {} 分钟", policy.lockout_threshold, policy.lockout_window_minutes),
            href: "/security/policy",
        });
        stats.push(Stat {
            label_zh: "策略版本",
            label_en: "Policy version",
            value: format!("第 {version} 版"),
            href: "/security/policy",
        });
    }
    render(&HomePage { chrome, todos, stats, changed_password: query.changed == "password" })
}

/// A unit with its children, for the tree.
pub struct UnitNode {
    pub unit: Unit,
    pub depth: usize,
    pub officers: i64,
    pub auxiliaries: i64,
}

#[derive(Template)]
#[template(path = "org.html")]
struct OrgPage {
    chrome: Chrome,
    nodes: Vec<UnitNode>,
    leadership: Vec<(String, String, String, String, String)>,
    may_view_people: bool,
    may_edit: bool,
    unit_input: UnitInput,
    unit_errors: FieldErrors,
    member_input: MemberInput,
    member_errors: FieldErrors,
    saved: bool,
}

impl OrgPage {
    fn unit_error(&self, field: &str) -> &str {
        self.unit_errors.get(field).unwrap_or("")
    }
    fn member_error(&self, field: &str) -> &str {
        self.member_errors.get(field).unwrap_or("")
    }
    fn kinds(&self) -> Vec<(&'static str, &'static str)> {
        UnitKind::ALL.iter().filter(|k| **k != UnitKind::Bureau).map(|k| (k.code(), k.name_zh())).collect()
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct OrgQuery {
    #[serde(default)]
    saved: String,
}

pub async fn org(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
    axum::extract::Query(query): axum::extract::Query<OrgQuery>,
) -> PageResult {
    let page = OrgForms { saved: query.saved == "1", ..Default::default() };
    org_page(&state, &principal, &headers, page).await
}

/// The org page's two forms, with what was typed and what was wrong with it.
#[derive(Default)]
struct OrgForms {
    unit_input: UnitInput,
    unit_errors: FieldErrors,
    member_input: MemberInput,
    member_errors: FieldErrors,
    saved: bool,
}

async fn org_page(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    forms: OrgForms,
) -> PageResult {
    let failed = !forms.unit_errors.is_empty() || !forms.member_errors.is_empty();
    let chrome = Chrome::new(state, principal, headers, "org", "组织机构", "Organisation").await?;
    let counts = state.db.unit_head_counts().await?;
    let nodes = tree_order(state.db.units().await?)
        .into_iter()
        .map(|(unit, depth)| {
            let (officers, auxiliaries) =
                counts.iter().find(|(id, _, _)| *id == unit.id).map(|(_, o, a)| (*o, *a)).unwrap_or((0, 0));
            UnitNode { unit, depth, officers, auxiliaries }
        })
        .collect();
    let leadership = state
        .db
        .leadership()
        .await?
        .into_iter()
        .map(|(id, name, unit, role, duty)| {
            let role = GroupRole::parse(&role).map_or(role.clone(), |r| r.name_zh().to_owned());
            (id, name, unit, role, duty)
        })
        .collect();
    let mut response = render(&OrgPage {
        chrome,
        nodes,
        leadership,
        may_view_people: principal.has(Action::PersonView),
        may_edit: principal.has(Action::OrgEdit),
        unit_input: forms.unit_input,
        unit_errors: forms.unit_errors,
        member_input: forms.member_input,
        member_errors: forms.member_errors,
        saved: forms.saved,
    })?;
    if failed {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

pub async fn add_unit_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    axum::Form(input): axum::Form<UnitInput>,
) -> PageResult {
    match crate::ops::org::create_unit(&state, &principal.actor(&info), &input).await {
        Ok(_) => Ok(Redirect::to("/org?saved=1").into_response()),
        Err(AppError::Invalid(errors)) => {
            org_page(
                &state,
                &principal,
                &headers,
                OrgForms { unit_input: input, unit_errors: errors, ..Default::default() },
            )
            .await
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn add_member_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    axum::Form(input): axum::Form<MemberInput>,
) -> PageResult {
    match crate::ops::org::add_member(&state, &principal.actor(&info), &input).await {
        Ok(()) => Ok(Redirect::to("/org?saved=1").into_response()),
        Err(AppError::Invalid(errors)) => {
            let forms = OrgForms { member_input: input, member_errors: errors, ..Default::default() };
            org_page(&state, &principal, &headers, forms).await
        }
        Err(error) => Err(error.into()),
    }
}

/// A unit to create below an existing one.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct UnitBody {
    pub parent_id: String,
    #[schema(value_type = crate::web::schema::SubUnitKind)]
    pub kind: String,
    #[schema(min_length = 1, max_length = 40, pattern = r"\S")]
    pub name: String,
    /// Unique short code, e.g. `ZL-DD-09`.
    #[schema(pattern = r"^[A-Z0-9-]{2,20}$")]
    pub code: String,
    #[serde(default)]
    pub sort_order: Option<i64>,
}

#[utoipa::path(post, path = "/api/v1/units", tag = "organisation", request_body = UnitBody,
    responses((status = 201, body = crate::web::common::CreatedDto), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_create_unit(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<UnitBody>,
) -> ApiResult<(StatusCode, Json<crate::web::common::CreatedDto>)> {
    let input = UnitInput {
        parent_id: body.parent_id,
        kind: body.kind,
        name: body.name,
        code: body.code,
        sort_order: body.sort_order,
    };
    let id = crate::ops::org::create_unit(&state, &principal.actor(&info), &input).await?;
    Ok((StatusCode::CREATED, Json(crate::web::common::CreatedDto { id })))
}

#[utoipa::path(post, path = "/api/v1/leadership", tag = "organisation", request_body = MemberInput,
    responses((status = 204), (status = 422, body = crate::web::error::ErrorBody)))]
pub async fn api_add_member(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(input): JsonObject<MemberInput>,
) -> ApiResult<StatusCode> {
    crate::ops::org::add_member(&state, &principal.actor(&info), &input).await?;
    Ok(StatusCode::NO_CONTENT)
}

impl UnitNode {
    pub fn kind_zh(&self) -> &'static str {
        self.unit.kind.name_zh()
    }
    pub fn is_squad(&self) -> bool {
        self.unit.kind == UnitKind::Squad
    }
}

/// The signed-in caller.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MeDto {
    pub account_id: String,
    pub username: String,
    pub display_name: String,
    /// Role codes, e.g. `squad_leader`.
    pub roles: Vec<String>,
    pub person_id: Option<String>,
    pub unit_id: Option<String>,
    /// Action codes this caller may perform, with their scope.
    pub permissions: Vec<PermissionDto>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PermissionDto {
    pub action: String,
    /// `own`, `unit`, `subtree` or `all`.
    pub scope: String,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "account", responses((status = 200, body = MeDto), (status = 401, body = crate::web::error::ErrorBody)))]
pub async fn api_me(Caller { principal, .. }: Caller) -> ApiResult<Json<MeDto>> {
    let permissions = Action::ALL
        .iter()
        .filter_map(|a| {
            principal.roles.scope(*a).map(|s| PermissionDto {
                action: a.code().to_owned(),
                scope: format!("{s:?}").to_lowercase(),
            })
        })
        .collect();
    Ok(Json(MeDto {
        account_id: principal.account_id.clone(),
        username: principal.username.clone(),
        display_name: principal.display_name.clone(),
        roles: principal.roles.roles().iter().map(|r| r.code().to_owned()).collect(),
        person_id: principal.person_id.clone(),
        unit_id: principal.unit_id.clone(),
        permissions,
    }))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UnitDto {
    pub id: String,
    pub parent_id: Option<String>,
    /// `bureau`, `brigade`, `squad`, `acceptance_center`, `office` or `section`.
    pub kind: String,
    pub name: String,
    pub code: String,
}

#[utoipa::path(get, path = "/api/v1/units", tag = "organisation", responses((status = 200, body = Vec<UnitDto>)))]
pub async fn api_units(State(state): State<AppState>) -> ApiResult<Json<Vec<UnitDto>>> {
    let units = tree_order(state.db.units().await?)
        .into_iter()
        .map(|(u, _)| UnitDto {
            id: u.id,
            parent_id: u.parent_id,
            kind: u.kind.code().to_owned(),
            name: u.name,
            code: u.code,
        })
        .collect();
    Ok(Json(units))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LeadershipMemberDto {
    pub person_id: String,
    pub name: String,
    pub unit_name: String,
    /// `head` (组长), `deputy` (副组长) or `member` (成员).
    pub group_role: String,
    pub duty: String,
}

#[utoipa::path(get, path = "/api/v1/leadership", tag = "organisation", responses((status = 200, body = Vec<LeadershipMemberDto>)))]
pub async fn api_leadership(State(state): State<AppState>) -> ApiResult<Json<Vec<LeadershipMemberDto>>> {
    let members = state
        .db
        .leadership()
        .await?
        .into_iter()
        .map(|(person_id, name, unit_name, group_role, duty)| LeadershipMemberDto {
            person_id,
            name,
            unit_name,
            group_role,
            duty,
        })
        .collect();
    Ok(Json(members))
}
