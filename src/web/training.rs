//! Training pages and API (教育培训): the month's sessions, recording a session, the session page
//! with the room's sign-in code for the organiser and the sign-in form for a participant, and
//! the month's compliance. The operations are `ops::training`.

use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use serde::{Deserialize, Serialize};

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::time::civil_date;
use crate::domain::training::{Category, Month, SessionKind, in_sign_in_window};
use crate::ops::people::unit_visible;
use crate::ops::training::{self as ops, SessionInput};
use crate::store::org::Visibility;
use crate::store::training::{AttendanceLine, AttendanceStatus, Session};
use crate::web::body::JsonObject;
use crate::web::common::{MonthQuery, minutes, month_of};
use crate::web::error::{ApiResult, AppError, PageResult};
use crate::web::guard::{Caller, Principal};
use crate::web::pages::{Chrome, Lang, render_status};

/// A session's time: the day and start, and the end's hour and minute.
fn span(session: &Session) -> String {
    let end = minutes(session.ends_at);
    format!("{}–{}", minutes(session.starts_at), end.get(11..).unwrap_or(&end))
}

/// The sessions of `month` this principal sees: those of units in their view, and those held
/// for a unit above theirs (a brigade's training is theirs too).
async fn visible_sessions(
    state: &AppState,
    principal: &Principal,
    month: Month,
) -> Result<Vec<Session>, AppError> {
    let units = state.db.units().await?;
    let view = principal.visibility(Action::TrainingView);
    let own = principal.unit_id.clone().unwrap_or_default();
    Ok(state
        .db
        .training_sessions(month.first_day(), month.last_day())
        .await?
        .into_iter()
        .filter(|s| {
            unit_visible(&units, &view, &s.unit_id)
                || unit_visible(&units, &Visibility::Subtree(s.unit_id.clone()), &own)
        })
        .collect())
}

fn may_manage(units: &[crate::store::org::Unit], principal: &Principal, unit_id: &str) -> bool {
    unit_visible(units, &principal.visibility(Action::TrainingManage), unit_id)
}

#[derive(Template)]
#[template(path = "training.html")]
struct SessionsPage {
    chrome: Chrome,
    month: String,
    previous: String,
    next: String,
    sessions: Vec<Session>,
    may_create: bool,
    units: Vec<(String, String)>,
    /// People the caller may name as participants (those of the units they run training for).
    people: Vec<(String, String)>,
    kinds: [SessionKind; 11],
    categories: [Category; 5],
    input: SessionInput,
    errors: FieldErrors,
    /// The month as weeks from Monday: each day of the month with its sessions (id, start
    /// time, kind); `None` for the days of the weeks outside the month.
    weeks: Vec<Vec<Option<CalendarDay>>>,
    /// The unit whose sessions are shown (its own and those held for it above), and the units
    /// to choose from; empty: every unit in view.
    unit: String,
    unit_choices: Vec<(String, String)>,
}

/// A day of the month calendar.
struct CalendarDay {
    day: u32,
    today: bool,
    sessions: Vec<(String, String, SessionKind)>,
}

/// The month's weeks from Monday, each session on its Beijing day.
fn calendar(month: Month, sessions: &[Session], today: chrono::NaiveDate) -> Vec<Vec<Option<CalendarDay>>> {
    use chrono::Datelike;
    let first = month.first_day();
    let mut weeks = Vec::new();
    let mut week: Vec<Option<CalendarDay>> =
        (0..first.weekday().num_days_from_monday()).map(|_| None).collect();
    let mut day = first;
    while day <= month.last_day() {
        let on_day = sessions
            .iter()
            .filter(|s| civil_date(s.starts_at) == day)
            .map(|s| {
                let start =
                    s.starts_at.with_timezone(&crate::domain::time::beijing()).format("%H:%M").to_string();
                (s.id.clone(), start, s.kind)
            })
            .collect();
        week.push(Some(CalendarDay { day: day.day(), today: day == today, sessions: on_day }));
        if week.len() == 7 {
            weeks.push(std::mem::take(&mut week));
        }
        day += chrono::Duration::days(1);
    }
    if !week.is_empty() {
        week.resize_with(7, || None);
        weeks.push(week);
    }
    weeks
}

impl SessionsPage {
    fn chosen(&self, person_id: &str) -> bool {
        self.input.participants.split(',').any(|p| p == person_id)
    }
    fn time(&self, session: &Session) -> String {
        span(session)
    }
    fn categories_of(&self, session: &Session) -> String {
        session.categories.iter().map(|c| c.name_zh()).collect::<Vec<_>>().join("、")
    }
}

async fn sessions_page(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    month: Month,
    unit: &str,
    input: SessionInput,
    errors: FieldErrors,
) -> PageResult {
    let chrome = Chrome::new(state, principal, headers, "training", "教育培训", "Training").await?;
    let all_units = state.db.units().await?;
    let units: Vec<(String, String)> = all_units
        .iter()
        .filter(|u| may_manage(&all_units, principal, &u.id))
        .map(|u| (u.id.clone(), u.name.clone()))
        .collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let view = principal.visibility(Action::TrainingView);
    let unit_choices: Vec<(String, String)> = all_units
        .iter()
        .filter(|u| unit_visible(&all_units, &view, &u.id))
        .map(|u| (u.id.clone(), u.name.clone()))
        .collect();
    let unit = unit_choices.iter().find(|u| u.0 == unit).map(|u| u.0.clone()).unwrap_or_default();
    let people = if units.is_empty() {
        Vec::new()
    } else {
        let filter = crate::store::org::PeopleFilter { page: 1, page_size: 500, ..Default::default() };
        state
            .db
            .people(&principal.visibility(Action::TrainingManage), &filter, civil_date(state.now()))
            .await?
            .rows
            .into_iter()
            .map(|p| (p.id, format!("{} · {}", p.name, p.unit_name)))
            .collect()
    };
    let sessions: Vec<Session> = visible_sessions(state, principal, month)
        .await?
        .into_iter()
        .filter(|s| {
            unit.is_empty() || unit_visible(&all_units, &Visibility::Subtree(s.unit_id.clone()), &unit)
        })
        .collect();
    render_status(
        &SessionsPage {
            chrome,
            month: month.to_string(),
            previous: month.previous().to_string(),
            next: month.next().to_string(),
            weeks: calendar(month, &sessions, civil_date(state.now())),
            unit,
            unit_choices,
            sessions,
            may_create: !units.is_empty(),
            units,
            people,
            kinds: SessionKind::ALL,
            categories: Category::ALL,
            input,
            errors,
        },
        status,
    )
}

pub async fn list_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
    Query(query): Query<MonthQuery>,
) -> PageResult {
    let month = month_of(&state, &query.month)?;
    let input = SessionInput {
        date: civil_date(state.now()).to_string(),
        starts: "15:00".into(),
        ends: "17:00".into(),
        unit_id: principal.unit_id.clone().unwrap_or_default(),
        ..Default::default()
    };
    sessions_page(&state, &principal, &headers, month, &query.unit, input, FieldErrors::default()).await
}

/// The new-session form: the categories arrive as repeated checkboxes, joined here.
pub async fn create_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> PageResult {
    let (mut input, categories): (SessionInput, _) = crate::web::body::form_with_list(&body, "category")?;
    input.categories = categories.join(",");
    // The named participants come as a second repeated field (a multiple select).
    let (_, participants): (std::collections::HashMap<String, String>, _) =
        crate::web::body::form_with_list(&body, "participant")?;
    input.participants = participants.join(",");
    match ops::create_session(&state, &principal.actor(&info), &input).await {
        Ok(id) => Ok(Redirect::to(&format!("/training/sessions/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let month =
                Month::parse(input.date.get(..7).unwrap_or("")).unwrap_or(Month::of(civil_date(state.now())));
            sessions_page(&state, &principal, &headers, month, "", input, errors).await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Template)]
#[template(path = "training_session.html")]
struct SessionPage {
    chrome: Chrome,
    session: Session,
    time: String,
    categories: String,
    manage: bool,
    /// The code shown in the room, and until when (organisers only, during the window).
    code: Option<(String, String)>,
    attendance: Vec<AttendanceLine>,
    /// The caller may sign in now (a participant in the window who has not yet).
    may_sign_in: bool,
    signed: Option<String>,
    error: Option<String>,
    people: Vec<(String, String)>,
    done: bool,
    /// A code that came with the link shown in the room, put in the sign-in box.
    prefill: String,
    /// The code's link as a QR code (SVG), for phones to scan.
    qr: Option<String>,
    materials: Vec<crate::store::training::Material>,
    /// The people the session names as its participants (empty: the whole unit).
    named: Vec<(String, String)>,
}

impl SessionPage {
    fn hhmm(&self, at: &chrono::DateTime<chrono::Utc>) -> String {
        at.with_timezone(&crate::domain::time::beijing()).format("%H:%M").to_string()
    }
    fn size_of(&self, material: &crate::store::training::Material) -> String {
        let size = material.size.max(0) as f64;
        if size >= 1_048_576.0 {
            format!("{:.1} MB", size / 1_048_576.0)
        } else {
            format!("{:.0} KB", (size / 1024.0).ceil())
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SessionQuery {
    done: String,
    /// A code arrived with the link shown in the room: prefilled in the sign-in form.
    code: String,
}

async fn session_page(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    id: &str,
    error: Option<String>,
    done: bool,
    prefill: &str,
) -> PageResult {
    let session = state.db.training_session(id).await?.ok_or(AppError::NotFound)?;
    let units = state.db.units().await?;
    let own = principal.unit_id.clone().unwrap_or_default();
    let manage = may_manage(&units, principal, &session.unit_id);
    if !may_see(&units, principal, &session) {
        return Err(AppError::NotFound.into());
    }
    let named = state.db.training_participants(id).await?;
    let participant = match &principal.person_id {
        Some(person) => ops::is_participant(state, &session, Some(&own), person).await?,
        None => false,
    };
    let now = state.now();
    let open = in_sign_in_window(session.starts_at, session.ends_at, now);
    let attendance = state.db.training_attendance(id).await?;
    let mine = principal.person_id.as_deref().and_then(|p| attendance.iter().find(|a| a.person_id == p));
    let code = (manage && open).then(|| {
        let (code, until) = ops::current_code(state, &session);
        (code, until.with_timezone(&crate::domain::time::beijing()).format("%H:%M").to_string())
    });
    let qr = code.as_ref().and_then(|(code, _)| sign_in_qr(state, headers, id, code));
    let people = if manage {
        let filter = crate::store::org::PeopleFilter { page: 1, page_size: 500, ..Default::default() };
        state
            .db
            .people(&Visibility::Subtree(session.unit_id.clone()), &filter, civil_date(now))
            .await?
            .rows
            .into_iter()
            .map(|p| (p.id, format!("{} · {}", p.name, p.unit_name)))
            .collect()
    } else {
        Vec::new()
    };
    let chrome = Chrome::new(state, principal, headers, "training", "培训详情", "Session").await?;
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let time = span(&session);
    let categories = session.categories.iter().map(|c| c.name_zh()).collect::<Vec<_>>().join("、");
    render_status(
        &SessionPage {
            chrome,
            time,
            categories,
            manage,
            code,
            may_sign_in: participant && open && mine.is_none() && principal.person_id.is_some(),
            signed: mine.map(|m| match m.status.as_str() {
                "late" => "已签到（迟到）".to_owned(),
                "leave" => "已请假".to_owned(),
                _ => "已签到".to_owned(),
            }),
            attendance,
            session,
            error,
            people,
            done,
            prefill: prefill.chars().filter(char::is_ascii_digit).take(6).collect(),
            qr,
            materials: state.db.training_materials(id).await?,
            named,
        },
        status,
    )
}

/// The session page's address with the code, as a QR code the room's phones scan: the host is
/// the one the organiser's browser used (so it is reachable from the same network), the scheme
/// follows whether cookies are sent over HTTPS only. `None` for a host name that is not one.
fn sign_in_qr(state: &AppState, headers: &HeaderMap, id: &str, code: &str) -> Option<String> {
    let host = headers.get(axum::http::header::HOST)?.to_str().ok()?;
    let plain = |c: char| c.is_ascii_alphanumeric() || ".-:[]".contains(c);
    if host.is_empty()
        || !host.chars().all(plain)
        || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return None;
    }
    let scheme = if state.config.cookie_secure { "https" } else { "http" };
    let url = format!("{scheme}://{host}/training/sessions/{id}?code={code}");
    let qr = qrcode::QrCode::new(url.as_bytes()).ok()?;
    let svg = qr.render::<qrcode::render::svg::Color>().min_dimensions(240, 240).quiet_zone(true).build();
    // Inline in the page: the XML declaration before the element has no place there.
    svg.find("<svg").map(|start| svg[start..].to_owned())
}

pub async fn detail_page(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<SessionQuery>,
) -> PageResult {
    session_page(&state, &principal, &headers, &id, None, query.done == "1", &query.code).await
}

/// The largest training material: the recording of a two-hour lecture fits.
pub const MATERIAL_MAX_BYTES: u64 = 1024 * 1024 * 1024;

/// The organiser keeps a file with the session (multipart: `file` and `title`). The bytes are
/// sniffed and hashed as they arrive, as evidence is: courseware as PDF, photos, recordings;
/// no program and nothing unrecognised.
pub async fn material_upload(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    multipart: axum::extract::Multipart,
) -> PageResult {
    let upload = crate::web::common::read_upload(&state, multipart, MATERIAL_MAX_BYTES).await?;
    ops::add_material(
        &state,
        &principal.actor(&info),
        &id,
        &upload.title,
        &upload.file_name,
        upload.ingested,
    )
    .await?;
    Ok(Redirect::to(&format!("/training/sessions/{id}")).into_response())
}

/// Whether the principal may see a session (and so its materials): its organisers, its
/// participants, and whoever sees the unit's training.
fn may_see(units: &[crate::store::org::Unit], principal: &Principal, session: &Session) -> bool {
    let own = principal.unit_id.clone().unwrap_or_default();
    may_manage(units, principal, &session.unit_id)
        || unit_visible(units, &Visibility::Subtree(session.unit_id.clone()), &own)
        || unit_visible(units, &principal.visibility(Action::TrainingView), &session.unit_id)
}

/// A material, as an attachment, to whoever may see its session.
pub async fn material_download(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    Path(id): Path<String>,
) -> PageResult {
    let material = state.db.training_material(&id).await?.ok_or(AppError::NotFound)?;
    let session = state.db.training_session(&material.session_id).await?.ok_or(AppError::NotFound)?;
    let units = state.db.units().await?;
    if !may_see(&units, &principal, &session) {
        return Err(AppError::NotFound.into());
    }
    let file = (material.id.as_str(), material.sha256.as_str(), material.size, material.media_type.as_str());
    Ok(crate::web::common::stored_file_response(&state, file, "material_damaged").await?)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct EarlyLeaveForm {
    person_id: String,
    left_at: String,
    reason: String,
}

/// The organiser records that an attendee left early.
pub async fn early_leave_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<EarlyLeaveForm>,
) -> PageResult {
    let actor = principal.actor(&info);
    match ops::record_early_leave(&state, &actor, &id, &form.person_id, &form.left_at, &form.reason).await {
        Ok(()) => Ok(Redirect::to(&format!("/training/sessions/{id}?done=1")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let message = errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("；");
            session_page(&state, &principal, &headers, &id, Some(message), false, "").await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ScoreForm {
    person_id: String,
    score: String,
}

/// The organiser records an attendee's test score.
pub async fn score_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<ScoreForm>,
) -> PageResult {
    match ops::record_score(&state, &principal.actor(&info), &id, &form.person_id, &form.score).await {
        Ok(()) => Ok(Redirect::to(&format!("/training/sessions/{id}?done=1")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let message = errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("；");
            session_page(&state, &principal, &headers, &id, Some(message), false, "").await
        }
        Err(AppError::Refused { message, .. }) => {
            session_page(&state, &principal, &headers, &id, Some(message), false, "").await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SignInForm {
    code: String,
}

pub async fn sign_in_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<SignInForm>,
) -> PageResult {
    match ops::sign_in(&state, &principal.actor(&info), &id, &form.code).await {
        Ok(_) => Ok(Redirect::to(&format!("/training/sessions/{id}?done=1")).into_response()),
        Err(AppError::Refused { message, .. }) => {
            session_page(&state, &principal, &headers, &id, Some(message), false, &form.code).await
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AttendanceForm {
    person_id: String,
    status: String,
    reason: String,
}

pub async fn attendance_form(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<AttendanceForm>,
) -> PageResult {
    let status = AttendanceStatus::parse(&form.status).unwrap_or(AttendanceStatus::Present);
    match ops::record_attendance(&state, &principal.actor(&info), &id, &form.person_id, status, &form.reason)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/training/sessions/{id}?done=1")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let message = errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join("；");
            session_page(&state, &principal, &headers, &id, Some(message), false, "").await
        }
        Err(error) => Err(error.into()),
    }
}

// --- API -------------------------------------------------------------------------------------

/// A training session.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TrainingSessionDto {
    pub id: String,
    pub unit_id: String,
    pub unit_name: String,
    pub kind: SessionKind,
    pub topic: String,
    pub categories: Vec<Category>,
    /// RFC 3339, UTC.
    pub starts_at: String,
    pub ends_at: String,
    pub place: String,
    pub teacher: String,
    /// The session a make-up (补学) is for.
    pub makes_up_for: Option<String>,
    pub attended: i64,
}

impl From<Session> for TrainingSessionDto {
    fn from(s: Session) -> Self {
        TrainingSessionDto {
            starts_at: s.starts_at.to_rfc3339(),
            ends_at: s.ends_at.to_rfc3339(),
            id: s.id,
            unit_id: s.unit_id,
            unit_name: s.unit_name,
            kind: s.kind,
            topic: s.topic,
            categories: s.categories,
            place: s.place,
            teacher: s.teacher,
            makes_up_for: s.makes_up_for,
            attended: s.attended,
        }
    }
}

#[utoipa::path(get, path = "/api/v1/training/sessions", tag = "training", params(MonthQuery),
    responses((status = 200, body = Vec<TrainingSessionDto>)))]
pub async fn api_sessions(
    State(state): State<AppState>,
    Caller { principal, .. }: Caller,
    Query(query): Query<MonthQuery>,
) -> ApiResult<Json<Vec<TrainingSessionDto>>> {
    let month = month_of(&state, &query.month)?;
    Ok(Json(
        visible_sessions(&state, &principal, month)
            .await?
            .into_iter()
            .map(TrainingSessionDto::from)
            .collect(),
    ))
}

/// A session to record (Beijing date and times).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TrainingSessionBody {
    #[schema(min_length = 1)]
    pub unit_id: String,
    pub kind: SessionKind,
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub topic: String,
    #[serde(default)]
    pub categories: Vec<Category>,
    #[schema(value_type = String, format = Date)]
    pub date: chrono::NaiveDate,
    /// `HH:MM`.
    #[schema(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub starts: String,
    #[schema(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub ends: String,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub place: String,
    #[serde(default)]
    #[schema(max_length = 50)]
    pub teacher: String,
    /// The id of the session this one makes up for (补学).
    #[serde(default)]
    pub makes_up_for: String,
    /// Named participants (person ids); empty: everyone of the unit and the units below.
    #[serde(default)]
    pub participants: Vec<String>,
    /// Why a session is added to a month already closed (更正原因); required then.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub correction_reason: String,
    /// A session with a test: the score that passes it.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100)]
    pub pass_mark: Option<u32>,
}

#[utoipa::path(post, path = "/api/v1/training/sessions", tag = "training", request_body = TrainingSessionBody,
    responses((status = 201, body = crate::web::common::CreatedDto)))]
pub async fn api_create(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    JsonObject(body): JsonObject<TrainingSessionBody>,
) -> ApiResult<(StatusCode, Json<crate::web::common::CreatedDto>)> {
    let input = SessionInput {
        unit_id: body.unit_id,
        kind: body.kind.code().to_owned(),
        topic: body.topic,
        categories: body.categories.iter().map(|c| c.code()).collect::<Vec<_>>().join(","),
        date: body.date.to_string(),
        starts: body.starts,
        ends: body.ends,
        place: body.place,
        teacher: body.teacher,
        makes_up_for: body.makes_up_for,
        correction_reason: body.correction_reason,
        pass_mark: body.pass_mark.map(|m| m.to_string()).unwrap_or_default(),
        participants: body.participants.join(","),
    };
    let id = ops::create_session(&state, &principal.actor(&info), &input).await?;
    Ok((StatusCode::CREATED, Json(crate::web::common::CreatedDto { id })))
}

/// The code shown in the room.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct TrainingSignInBody {
    #[schema(pattern = r"^[0-9]{6}$")]
    pub code: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TrainingSignedInDto {
    pub late: bool,
    /// `false` when already signed in (nothing new recorded).
    pub recorded: bool,
}

#[utoipa::path(post, path = "/api/v1/training/sessions/{id}/sign-in", tag = "training", params(("id" = String, Path)),
    request_body = TrainingSignInBody, responses((status = 200, body = TrainingSignedInDto)))]
pub async fn api_sign_in(
    State(state): State<AppState>,
    Caller { principal, info }: Caller,
    Path(id): Path<String>,
    JsonObject(body): JsonObject<TrainingSignInBody>,
) -> ApiResult<Json<TrainingSignedInDto>> {
    let signed = ops::sign_in(&state, &principal.actor(&info), &id, &body.code).await?;
    Ok(Json(TrainingSignedInDto { late: signed.late, recorded: signed.recorded }))
}
