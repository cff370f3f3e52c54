//! Training operations: recording a session, signing in to it from a phone with the code shown
//! in the room, the organiser recording attendance or leave, and a month's compliance. The
//! staff pages, the API and the CLI call them.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeZone, Utc};

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::time::{beijing, civil_date};
use crate::domain::training::{
    Attended, Category, ClosedFigure, ComplianceRules, Month, MonthCompliance, PlanCell, PlanInput, PlanItem,
    SessionKind, SignInRefusal, SpringStatus, code_period, in_sign_in_window, is_late, judge_month,
    may_close, month_compliance, plan_against_actual, plan_defaults, spring_status,
};
use crate::keys::{Keyring, Purpose};
use crate::ops::people::unit_visible;
use crate::ops::{Actor, Error};
use crate::store::org::Visibility;
use crate::store::training::{AttendanceStatus, NewSession, PersonSession, Session, StoredPlanItem};
use crate::store::{AuditEvent, Db};

/// A session as a form or JSON body gives it; [`SessionInput::parse`] checks it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct SessionInput {
    #[serde(default)]
    pub unit_id: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub topic: String,
    /// Category codes, comma-separated.
    #[serde(default)]
    pub categories: String,
    /// `YYYY-MM-DD` (Beijing time, like the times).
    #[serde(default)]
    pub date: String,
    /// `HH:MM`.
    #[serde(default)]
    pub starts: String,
    #[serde(default)]
    pub ends: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub teacher: String,
    /// The id of the session a make-up (补学) is for, if it is one.
    #[serde(default)]
    pub makes_up_for: String,
    /// Why a session is added to a month the office has already closed (更正原因); required
    /// then, ignored otherwise.
    #[serde(default)]
    pub correction_reason: String,
    /// A session with a test: the score that passes it (0–100); empty, no test.
    #[serde(default)]
    pub pass_mark: String,
    /// Named participants' person ids, comma-separated; empty: the whole unit.
    #[serde(default)]
    pub participants: String,
}

impl SessionInput {
    pub fn parse(&self, organiser: Option<String>) -> Result<NewSession, FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind = SessionKind::parse(self.kind.trim());
        if kind.is_none() {
            errors.add("kind", "kind_invalid", "请选择培训类别");
        }
        let topic = self.topic.trim();
        if topic.is_empty() || topic.chars().count() > 200 {
            errors.add("topic", "topic_required", "请填写培训主题（不超过 200 字）");
        }
        let mut categories = Vec::new();
        for code in self.categories.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            match Category::parse(code) {
                Some(c) if !categories.contains(&c) => categories.push(c),
                Some(_) => {}
                None => errors.add("categories", "category_invalid", "学习内容分类无效"),
            }
        }
        let date = NaiveDate::parse_from_str(self.date.trim(), "%Y-%m-%d").ok();
        if date.is_none() {
            errors.add("date", "date_invalid", "请填写日期（YYYY-MM-DD）");
        }
        let time = |raw: &str| NaiveTime::parse_from_str(raw.trim(), "%H:%M").ok();
        let (starts, ends) = (time(&self.starts), time(&self.ends));
        if starts.is_none() {
            errors.add("starts", "time_invalid", "请填写开始时间（HH:MM）");
        }
        if ends.is_none() || ends <= starts {
            errors.add("ends", "time_invalid", "请填写晚于开始时间的结束时间（HH:MM）");
        }
        if self.unit_id.trim().is_empty() {
            errors.add("unit_id", "required", "请选择组织单位");
        }
        let pass_mark = match self.pass_mark.trim() {
            "" => None,
            raw => {
                let mark = raw.parse::<i64>().ok().filter(|m| (0..=100).contains(m));
                if mark.is_none() {
                    errors.add("pass_mark", "pass_mark_invalid", "及格分为 0–100 的整数");
                }
                mark
            }
        };
        for (field, value, max) in [("place", &self.place, 100), ("teacher", &self.teacher, 50)] {
            if value.trim().chars().count() > max {
                errors.add(field, "too_long", format!("不超过 {max} 字"));
            }
        }
        errors.into_result()?;
        let (Some(kind), Some(date), Some(starts), Some(ends)) = (kind, date, starts, ends) else {
            unreachable!("every None above added a field error")
        };
        let instant = |t: NaiveTime| -> DateTime<Utc> {
            beijing()
                .from_local_datetime(&date.and_time(t))
                .single()
                .expect("Beijing has no gaps")
                .with_timezone(&Utc)
        };
        Ok(NewSession {
            unit_id: self.unit_id.trim().to_owned(),
            kind,
            topic: topic.to_owned(),
            categories,
            starts_at: instant(starts),
            ends_at: instant(ends),
            place: self.place.trim().to_owned(),
            organiser_id: organiser,
            teacher: self.teacher.trim().to_owned(),
            makes_up_for: Some(self.makes_up_for.trim().to_owned()).filter(|m| !m.is_empty()),
            pass_mark,
            participants: {
                let mut ids: Vec<String> = Vec::new();
                for id in self.participants.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    if !ids.iter().any(|known| known == id) {
                        ids.push(id.to_owned());
                    }
                }
                ids
            },
        })
    }
}

/// Whether the actor may run training for `unit_id` (office and leaders the bureau, a squad
/// leader the own squad).
async fn may_manage(state: &AppState, actor: &Actor, unit_id: &str) -> Result<bool, Error> {
    let units = state.db.units().await?;
    Ok(unit_visible(&units, &actor.visibility(Action::TrainingManage), unit_id))
}

/// Records a session the actor organises.
pub async fn create_session(state: &AppState, actor: &Actor, input: &SessionInput) -> Result<String, Error> {
    let session = input.parse(actor.person_id.clone())?;
    crate::ops::people::unit_in_scope(state, actor, Action::TrainingManage, &session.unit_id).await?;
    if let Some(missed) = &session.makes_up_for {
        let Some(original) = state.db.training_session(missed).await? else {
            return Err(Error::Invalid(FieldErrors::single(
                "makes_up_for",
                "session_unknown",
                "补学对应的培训不存在",
            )));
        };
        if original.kind != session.kind || original.starts_at >= session.starts_at {
            return Err(Error::Invalid(FieldErrors::single(
                "makes_up_for",
                "makeup_invalid",
                "补学须与原培训类别相同，且在原培训之后举行",
            )));
        }
    }
    // A session held in a closed month changes that month's record; a make-up held after it
    // does not (its attendance, which counts for the closed month, is the correction).
    // Named participants are people of the session's unit or the units below it.
    if !session.participants.is_empty() {
        let scope = Visibility::Subtree(session.unit_id.clone());
        for id in &session.participants {
            if state.db.person(&scope, id).await?.is_none() {
                return Err(Error::Invalid(FieldErrors::single(
                    "participants",
                    "participant_out_of_unit",
                    "指定的参训人员须为组织单位及下级单位的人员",
                )));
            }
        }
    }
    let month = Month::of(civil_date(session.starts_at));
    let closed = state.db.training_closure(month).await?.is_some();
    let reason = input.correction_reason.trim();
    if closed && reason.is_empty() {
        return Err(Error::Invalid(FieldErrors::single(
            "correction_reason",
            "month_closed",
            format!("{month} 已关账，补录该月培训须填写更正原因"),
        )));
    }
    let by = actor_name(state, actor).await?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let id = tx.insert_training_session(&session).await?;
    if closed {
        tx.insert_training_correction(month, &id, None, "补录培训", reason, &by).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// The month a session held at `starts_at` counts for: its own, or for a make-up (补学) held by
/// the end of the next month, the month of the session it makes up for.
async fn counted_month(
    state: &AppState,
    starts_at: DateTime<Utc>,
    makes_up_for: Option<&str>,
) -> Result<Month, Error> {
    let missed = match makes_up_for {
        Some(id) => state.db.training_session(id).await?.map(|s| civil_date(s.starts_at)),
        None => None,
    };
    Ok(crate::domain::training::counted_month(civil_date(starts_at), missed))
}

/// The closed month an attendance at `session` would change, with the name the correction is
/// recorded under; `None` while that month is open.
async fn closed_month_of(
    state: &AppState,
    actor: &Actor,
    session: &Session,
) -> Result<Option<(Month, String)>, Error> {
    let month = counted_month(state, session.starts_at, session.makes_up_for.as_deref()).await?;
    if state.db.training_closure(month).await?.is_none() {
        return Ok(None);
    }
    Ok(Some((month, actor_name(state, actor).await?)))
}

/// The name the actor's corrections and closings are recorded under: their person's name, or
/// the account name of an account without one.
async fn actor_name(state: &AppState, actor: &Actor) -> Result<String, Error> {
    Ok(match &actor.person_id {
        Some(id) => state.db.person(&Visibility::All, id).await?.map(|p| p.summary.name),
        None => None,
    }
    .unwrap_or_else(|| actor.username.clone()))
}

/// The sign-in code of `session_id` in the code period `period`: six digits from HMAC-SM3 under
/// the key file, so nobody can compute tomorrow's code from today's.
pub fn sign_in_code(keys: &Keyring, session_id: &str, period: i64) -> String {
    let (_, mac) = keys.sign(Purpose::TrainingSignIn, format!("{session_id}:{period}").as_bytes());
    let value = u32::from_str_radix(&mac[..8], 16).expect("a MAC is hexadecimal") % 1_000_000;
    format!("{value:06}")
}

/// The code to show in the room now, and until when it holds.
pub fn current_code(state: &AppState, session: &Session) -> (String, DateTime<Utc>) {
    let period = code_period(state.now());
    let until = Utc.timestamp_opt((period + 1) * crate::domain::training::SIGN_IN_CODE_SECONDS, 0).single();
    (sign_in_code(&state.keys, &session.id, period), until.unwrap_or_else(|| state.now()))
}

/// What a sign-in recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedIn {
    pub late: bool,
    /// `false` when the person had already signed in (nothing new recorded).
    pub recorded: bool,
}

/// Signs the actor in to a session with the code shown in the room: only during the session's
/// window, only with the code of this minute (or the one just before, for a code read at the
/// turn of a minute), only for its participants. A refused attempt is audited and records
/// nothing.
pub async fn sign_in(
    state: &AppState,
    actor: &Actor,
    session_id: &str,
    code: &str,
) -> Result<SignedIn, Error> {
    let session = state.db.training_session(session_id).await?.ok_or(Error::NotFound)?;
    let Some(person) = actor.person_id.clone() else {
        return Err(Error::refused("no_person", "此账号未关联人员，无法签到"));
    };
    let now = state.now();
    let period = code_period(now);
    let refusal = if !in_sign_in_window(session.starts_at, session.ends_at, now) {
        Some(SignInRefusal::OutsideWindow)
    } else if ![period, period - 1].iter().any(|p| sign_in_code(&state.keys, session_id, *p) == code.trim()) {
        Some(SignInRefusal::WrongCode)
    } else if !is_participant(state, &session, actor.unit_id.as_deref(), &person).await? {
        Some(SignInRefusal::NotTargeted)
    } else {
        None
    };
    if let Some(refusal) = refusal {
        state
            .db
            .audit_only(
                &actor.audit_ctx(),
                now,
                AuditEvent::new("training.sign_in_refused", "training_session", session_id)
                    .details(serde_json::json!({ "reason": refusal.code() })),
            )
            .await?;
        return Err(Error::refused(refusal.code(), refusal.message_zh()));
    }
    let late = is_late(session.starts_at, now);
    let status = if late { AttendanceStatus::Late } else { AttendanceStatus::Present };
    // A make-up (补学) may count for a month already closed: it is the plan's own way of
    // catching up, so it goes in as a correction of that month with the make-up as reason.
    let closed = closed_month_of(state, actor, &session).await?;
    let mut tx = state.db.begin(&actor.audit_ctx(), now).await?;
    let recorded = tx.record_attendance(session_id, &person, status, true, "").await?;
    if recorded && session.kind == SessionKind::Onboarding {
        tx.set_onboarded(&person, civil_date(session.starts_at)).await?;
    }
    if let (true, Some((month, by))) = (recorded, &closed) {
        tx.insert_training_correction(*month, session_id, Some(&person), "补学签到", "补学（现场签到）", by)
            .await?;
    }
    if recorded {
        tx.commit().await?;
    }
    Ok(SignedIn { late, recorded })
}

/// Whether a person is among a session's participants: those it names, or when it names
/// nobody, everyone of its unit and the units below.
pub async fn is_participant(
    state: &AppState,
    session: &Session,
    unit_id: Option<&str>,
    person_id: &str,
) -> Result<bool, Error> {
    let named = state.db.training_participants(&session.id).await?;
    if !named.is_empty() {
        return Ok(named.iter().any(|(id, _)| id == person_id));
    }
    let units = state.db.units().await?;
    Ok(unit_id.is_some_and(|u| unit_visible(&units, &Visibility::Subtree(session.unit_id.clone()), u)))
}

/// The organiser records an attendance or a leave (请假), always with a reason (audited): for
/// someone who could not sign in, or someone outside the target group the organiser admits.
pub async fn record_attendance(
    state: &AppState,
    actor: &Actor,
    session_id: &str,
    person_id: &str,
    status: AttendanceStatus,
    reason: &str,
) -> Result<bool, Error> {
    let session = state.db.training_session(session_id).await?.ok_or(Error::NotFound)?;
    if !may_manage(state, actor, &session.unit_id).await? {
        return Err(Error::NotFound);
    }
    if reason.trim().is_empty() {
        return Err(Error::Invalid(FieldErrors::single("reason", "reason_required", "请填写登记原因")));
    }
    state.db.person(&Visibility::All, person_id).await?.ok_or(Error::NotFound)?;
    // After the office closed the month this counts for, the record is a correction of it:
    // the reason is required already, and the month's page shows the change beside its figures.
    let closed = closed_month_of(state, actor, &session).await?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let recorded = tx.record_attendance(session_id, person_id, status, false, reason.trim()).await?;
    if recorded && status != AttendanceStatus::Leave && session.kind == SessionKind::Onboarding {
        tx.set_onboarded(person_id, civil_date(session.starts_at)).await?;
    }
    if let (true, Some((month, by))) = (recorded, &closed) {
        let what = match status {
            AttendanceStatus::Leave => "登记请假",
            AttendanceStatus::Late => "补登出勤（迟到）",
            AttendanceStatus::Present => "补登出勤",
        };
        tx.insert_training_correction(*month, session_id, Some(person_id), what, reason.trim(), by).await?;
    }

    if recorded {
        tx.commit().await?;
    }
    Ok(recorded)
}

/// One row of a month's compliance.
#[derive(Debug, Clone)]
pub struct ComplianceRow {
    pub person_id: String,
    pub name: String,
    pub unit_id: String,
    pub unit_name: String,
    pub result: MonthCompliance,
}

/// The month's compliance of everyone in service during it, or of one unit and the units
/// below it, judged by that year's rules.
pub async fn compliance(db: &Db, month: Month, unit: Option<&str>) -> Result<Vec<ComplianceRow>, Error> {
    let rules = db.training_rules(month.year).await?;
    let units = db.units().await?;
    let scope = unit.map(|u| Visibility::Subtree(u.to_owned()));
    Ok(db
        .training_month(month)
        .await?
        .into_iter()
        .filter(|p| scope.as_ref().is_none_or(|s| unit_visible(&units, s, &p.unit_id)))
        .map(|p| ComplianceRow {
            result: {
                let made_up = |kind: SessionKind| {
                    p.makeups.iter().filter(|a| a.kind == kind && a.counts_for() == month).count() as u32
                };
                judge_month(
                    month,
                    &p.service,
                    p.political + made_up(SessionKind::Political),
                    p.business + made_up(SessionKind::Business),
                    &rules,
                )
            },
            person_id: p.person_id,
            name: p.name,
            unit_id: p.unit_id,
            unit_name: p.unit_name,
        })
        .collect())
}

/// Records the days a person joined and left (empty: not recorded), for a person the actor may
/// edit. A person in service for part of a month is exempt from that month's studies.
/// The compliance this actor sees: the office and leaders everyone, a squad leader the own
/// squad, anyone else the own record; nothing for a month not yet begun.
pub async fn visible_compliance(
    state: &AppState,
    actor: &Actor,
    month: Month,
    unit: &str,
) -> Result<Vec<ComplianceRow>, Error> {
    // A month not yet begun has nothing to judge: nobody is short of studies not yet held.
    if month.first_day() > civil_date(state.now()) {
        return Ok(Vec::new());
    }
    let units = state.db.units().await?;
    let manage = actor.visibility(Action::TrainingManage);
    let rows = compliance(&state.db, month, Some(unit).filter(|u| !u.is_empty())).await?;
    Ok(rows
        .into_iter()
        .filter(|r| {
            unit_visible(&units, &manage, &r.unit_id) || actor.person_id.as_deref() == Some(&r.person_id)
        })
        .collect())
}

pub async fn set_service(
    state: &AppState,
    actor: &Actor,
    person_id: &str,
    input: &crate::domain::training::ServiceInput,
) -> Result<(), Error> {
    let (joined_on, left_on) = input.parse()?;
    crate::ops::people::visible(state, actor, Action::PersonEdit, person_id).await?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.set_service(person_id, joined_on, left_on).await?;
    tx.commit().await?;
    Ok(())
}

/// Records a long absence (病假, 产假, 借调 …) of a person the actor may edit: the months it
/// covers are excused from the study requirement.
pub async fn record_absence(
    state: &AppState,
    actor: &Actor,
    person_id: &str,
    input: &crate::domain::training::AbsenceInput,
) -> Result<String, Error> {
    let absence = input.parse()?;
    crate::ops::people::visible(state, actor, Action::PersonEdit, person_id).await?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let id = tx.insert_absence(person_id, &absence).await?;
    tx.commit().await?;
    Ok(id)
}

/// Closes `month` for the bureau (the office, or whoever manages training for all units): its
/// figures are frozen as they stand, and any later change to it is a correction with a reason,
/// shown beside them. Only a month that is over, and only once.
pub async fn close_month(state: &AppState, actor: &Actor, month: Month) -> Result<usize, Error> {
    if actor.visibility(Action::TrainingManage) != Visibility::All {
        return Err(Error::Forbidden);
    }
    if !may_close(month, civil_date(state.now())) {
        return Err(Error::refused("month_not_over", format!("{month} 尚未结束，月底后方可关账")));
    }
    if state.db.training_closure(month).await?.is_some() {
        return Err(Error::Conflict { code: "already_closed", message: format!("{month} 已关账") });
    }
    let snapshot = figures(&state.db, month).await?;
    let by = actor_name(state, actor).await?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.close_training_month(month, &by, &snapshot).await?;
    tx.commit().await?;
    Ok(snapshot.len())
}

/// Everyone's figures of `month` as they stand, as a closing keeps them.
pub async fn figures(db: &Db, month: Month) -> Result<Vec<ClosedFigure>, Error> {
    Ok(compliance(db, month, None)
        .await?
        .into_iter()
        .map(|row| ClosedFigure {
            person_id: row.person_id,
            political: row.result.political,
            business: row.result.business,
            compliant: row.result.status.code().to_owned(),
        })
        .collect())
}

/// A person's training year: each month so far judged, the spring training, and every
/// session attended or excused.
#[derive(Debug, Clone)]
pub struct PersonYear {
    pub year: i32,
    pub rules: ComplianceRules,
    pub months: Vec<(Month, MonthCompliance)>,
    pub spring: SpringStatus,
    pub sessions: Vec<PersonSession>,
}

/// The training year of a person the caller may see (`person_id` resolved by the caller),
/// with the months up to `today`'s.
pub async fn person_year(db: &Db, person_id: &str, year: i32, today: NaiveDate) -> Result<PersonYear, Error> {
    let service = db.person_service(person_id).await?.ok_or(Error::NotFound)?;
    let rules = db.training_rules(year).await?;
    let first = Month { year, month: 1 };
    let last = Month { year, month: 12 }.min(Month::of(today));
    // January of the next year holds December's make-ups.
    let sessions = db.training_person_sessions(person_id, first.first_day(), last.next().last_day()).await?;
    let attended: Vec<Attended> =
        sessions.iter().filter(|s| s.status != AttendanceStatus::Leave).map(|s| s.attended.clone()).collect();
    let mut months = Vec::new();
    let mut month = first;
    while month <= last {
        months.push((month, month_compliance(month, &service, &attended, &rules)));
        month = month.next();
    }
    // The spring trainings held for the person's units (their own or one above it).
    let person = db.person(&Visibility::All, person_id).await?.ok_or(Error::NotFound)?;
    let units = db.units().await?;
    let held: Vec<NaiveDate> = db
        .training_sessions(first.first_day(), Month { year, month: 12 }.last_day().min(today))
        .await?
        .into_iter()
        .filter(|s| {
            s.kind == SessionKind::Spring
                && unit_visible(&units, &Visibility::Subtree(s.unit_id.clone()), &person.summary.unit_id)
        })
        .map(|s| civil_date(s.starts_at))
        .collect();
    let went = attended.iter().any(|a| a.kind == SessionKind::Spring && a.on.year() == year);
    let spring = spring_status(&rules, &service, &held, went);
    let sessions = sessions.into_iter().filter(|s| s.attended.on.year() == year).collect();
    Ok(PersonYear { year, rules, months, spring, sessions })
}

/// The special trainings (专题培训) each brigade held in `year`, against the year's rule: one
/// line per brigade (the bureau when it has none) with the sessions held for it (by it or by
/// a unit above it).
pub async fn specials_held(db: &Db, year: i32, today: NaiveDate) -> Result<Vec<(String, u32, u32)>, Error> {
    use crate::domain::org::UnitKind;
    let rules = db.training_rules(year).await?;
    let units = db.units().await?;
    let mut brigades: Vec<&crate::store::org::Unit> =
        units.iter().filter(|u| u.kind == UnitKind::Brigade).collect();
    if brigades.is_empty() {
        brigades = units.iter().filter(|u| u.parent_id.is_none()).collect();
    }
    let last = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(today).min(today);
    let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today);
    let specials: Vec<Session> = db
        .training_sessions(first, last)
        .await?
        .into_iter()
        .filter(|s| s.kind == SessionKind::Special)
        .collect();
    Ok(brigades
        .into_iter()
        .map(|b| {
            let held = specials
                .iter()
                .filter(|s| unit_visible(&units, &Visibility::Subtree(s.unit_id.clone()), &b.id))
                .count() as u32;
            (b.name.clone(), held, rules.special_per_year)
        })
        .collect())
}

/// A unit's year: its plan and, beside it, the sessions it held (make-ups are not planned
/// sessions and are left out).
#[derive(Debug, Clone)]
pub struct PlanView {
    pub year: i32,
    pub items: Vec<StoredPlanItem>,
    pub rows: Vec<(SessionKind, [PlanCell; 12])>,
}

/// Plan against actual of `unit_id` for `year`.
pub async fn plan_view(db: &Db, unit_id: &str, year: i32) -> Result<PlanView, Error> {
    let items = db.training_plan(unit_id, year).await?;
    let (first, last) = (Month { year, month: 1 }.first_day(), Month { year, month: 12 }.last_day());
    let held: Vec<(SessionKind, u32)> = db
        .training_sessions(first, last)
        .await?
        .into_iter()
        .filter(|s| s.unit_id == unit_id && s.makes_up_for.is_none())
        .map(|s| (s.kind, civil_date(s.starts_at).month()))
        .collect();
    let plain: Vec<PlanItem> = items.iter().map(|i| i.item.clone()).collect();
    Ok(PlanView { year, rows: plan_against_actual(&plain, &held), items })
}

/// Adds a line to the plan of a unit the actor manages training for.
pub async fn add_plan_item(state: &AppState, actor: &Actor, input: &PlanInput) -> Result<String, Error> {
    let (unit_id, year, item) = input.parse()?;
    crate::ops::people::unit_in_scope(state, actor, Action::TrainingManage, &unit_id).await?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let id = tx.insert_plan_item(&unit_id, year, &item).await?;
    tx.commit().await?;
    Ok(id)
}

/// Fills a unit's year with the plan's own sessions ([`plan_defaults`] under the year's
/// rules), leaving alone every month and kind the unit has planned already. Answers how many
/// lines were added.
pub async fn fill_plan(state: &AppState, actor: &Actor, unit_id: &str, year: i32) -> Result<usize, Error> {
    crate::ops::people::unit_in_scope(state, actor, Action::TrainingManage, unit_id).await?;
    if !(2000..=2100).contains(&year) {
        return Err(Error::Invalid(FieldErrors::single("year", "year_invalid", "年份格式为 YYYY")));
    }
    let units = state.db.units().await?;
    let brigade = units.iter().any(|u| u.id == unit_id && u.kind == crate::domain::org::UnitKind::Brigade);
    let rules = state.db.training_rules(year).await?;
    let existing = state.db.training_plan(unit_id, year).await?;
    let missing: Vec<PlanItem> = plan_defaults(brigade, &rules)
        .into_iter()
        .filter(|d| !existing.iter().any(|e| e.item.month == d.month && e.item.kind == d.kind))
        .collect();
    if missing.is_empty() {
        return Ok(0);
    }
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    for item in &missing {
        tx.insert_plan_item(unit_id, year, item).await?;
    }
    tx.commit().await?;
    Ok(missing.len())
}

/// Withdraws a line of a plan the actor manages (kept, marked withdrawn).
pub async fn withdraw_plan_item(state: &AppState, actor: &Actor, id: &str) -> Result<(), Error> {
    let item = state.db.training_plan_item(id).await?.ok_or(Error::NotFound)?;
    if !may_manage(state, actor, &item.unit_id).await? {
        return Err(Error::NotFound);
    }
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.withdraw_plan_item(id).await?;
    tx.commit().await?;
    Ok(())
}

/// Keeps a file with a session the actor organises: the bytes (already sniffed and hashed by
/// the upload) go to the blob store beside the evidence, then the record with its audit entry.
/// A crash between the two leaves an object the sweeper removes after its grace period.
pub async fn add_material(
    state: &AppState,
    actor: &Actor,
    session_id: &str,
    title: &str,
    file_name: &str,
    ingested: crate::blobs::Ingested,
) -> Result<String, Error> {
    let session = state.db.training_session(session_id).await?.ok_or(Error::NotFound)?;
    if !may_manage(state, actor, &session.unit_id).await? {
        return Err(Error::NotFound);
    }
    let title = title.trim();
    let title = if title.is_empty() { file_name.trim() } else { title };
    if title.is_empty() || title.chars().count() > 100 {
        return Err(Error::Invalid(FieldErrors::single(
            "title",
            "title_required",
            "请填写资料名称（不超过 100 字）",
        )));
    }
    let (sha256, sm3, size, media) =
        (ingested.sha256.clone(), ingested.sm3.clone(), ingested.size, ingested.media);
    state.blobs.commit(ingested).await?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let id = tx
        .insert_training_material(&crate::store::training::NewMaterial {
            session_id,
            title,
            file_name: file_name.trim(),
            media_type: media.mime(),
            size: size as i64,
            sha256: &sha256,
            sm3: &sm3,
        })
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// Records an attendee's test score at a session with a test (a pass mark), by its organiser.
pub async fn record_score(
    state: &AppState,
    actor: &Actor,
    session_id: &str,
    person_id: &str,
    score: &str,
) -> Result<(), Error> {
    let session = state.db.training_session(session_id).await?.ok_or(Error::NotFound)?;
    if !may_manage(state, actor, &session.unit_id).await? {
        return Err(Error::NotFound);
    }
    if session.pass_mark.is_none() {
        return Err(Error::refused("no_test", "本次培训未设考试，不能登记成绩"));
    }
    let Some(score) = score.trim().parse::<u32>().ok().filter(|s| *s <= 100) else {
        return Err(Error::Invalid(FieldErrors::single("score", "score_invalid", "成绩为 0–100 的整数")));
    };
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let recorded = tx.record_score(session_id, person_id, score).await;
    attended_or(recorded, "该人员未出席本次培训，不能登记成绩")?;
    tx.commit().await?;
    Ok(())
}

/// Sets the compliance rules of `year` (the office only): for a year not yet begun, or for this
/// year while none of its months is closed, over the version read (`None` the first time).
pub async fn set_rules(
    state: &AppState,
    actor: &Actor,
    year: i32,
    input: &crate::domain::training::RulesInput,
    version: Option<i64>,
) -> Result<i64, Error> {
    if actor.visibility(Action::TrainingManage) != Visibility::All {
        return Err(Error::Forbidden);
    }
    let rules = input.parse()?;
    let closed = state.db.training_closed_months(Month { year, month: 1 }, Month { year, month: 12 }).await?;
    if !crate::domain::training::rules_open(year, civil_date(state.now()), closed.len()) {
        return Err(Error::refused(
            "rules_year_started",
            format!(
                "{year} 年的考核规则已不能修改：规则只对尚未开始或尚无关账月份的年度生效，不追溯已上报的月份"
            ),
        ));
    }
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let version = tx.set_training_rules(year, &rules, version).await?;
    tx.commit().await?;
    Ok(version)
}

/// The organiser records that an attendee left before the end (早退): the time (`HH:MM`,
/// Beijing, the session's day) must fall inside the session, the reason is required. The
/// attendance still counts (the plan sets no consequence); the record shows it.
pub async fn record_early_leave(
    state: &AppState,
    actor: &Actor,
    session_id: &str,
    person_id: &str,
    time: &str,
    reason: &str,
) -> Result<(), Error> {
    let session = state.db.training_session(session_id).await?.ok_or(Error::NotFound)?;
    if !may_manage(state, actor, &session.unit_id).await? {
        return Err(Error::NotFound);
    }
    let mut errors = FieldErrors::default();
    let at = NaiveTime::parse_from_str(time.trim(), "%H:%M")
        .ok()
        .and_then(|t| beijing().from_local_datetime(&civil_date(session.starts_at).and_time(t)).single())
        .map(|a| a.with_timezone(&Utc))
        .filter(|a| *a > session.starts_at && *a < session.ends_at);
    if at.is_none() {
        errors.add("left_at", "time_invalid", "请填写培训开始后、结束前的离开时间（HH:MM）");
    }
    if reason.trim().is_empty() {
        errors.add("reason", "reason_required", "请填写早退原因");
    }
    errors.into_result()?;
    let Some(at) = at else { unreachable!("a missing time added a field error") };
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let recorded = tx.record_early_leave(session_id, person_id, at, reason.trim()).await;
    attended_or(recorded, "该人员未出席本次培训，或已登记早退")?;
    tx.commit().await?;
    Ok(())
}

/// Someone who missed the year's spring training.
#[derive(Debug, Clone)]
pub struct SpringMissed {
    pub person_id: String,
    pub name: String,
    pub unit_id: String,
    pub unit_name: String,
}

/// Who missed the year's spring training (春训) so far: people at work on a day it was held
/// for their unit (by it or a unit above) who attended none. Those away on every such day are
/// excused, as in [`spring_status`]. Empty when the year's rules do not require it.
pub async fn spring_missed(db: &Db, year: i32, today: NaiveDate) -> Result<Vec<SpringMissed>, Error> {
    let rules = db.training_rules(year).await?;
    let first = Month { year, month: 1 }.first_day();
    let last = Month { year, month: 12 }.last_day().min(today);
    if !rules.spring_for_everyone || last < first {
        return Ok(Vec::new());
    }
    let held: Vec<(String, NaiveDate)> = db
        .training_sessions(first, last)
        .await?
        .into_iter()
        .filter(|s| s.kind == SessionKind::Spring)
        .map(|s| (s.unit_id, civil_date(s.starts_at)))
        .collect();
    if held.is_empty() {
        return Ok(Vec::new());
    }
    let units = db.units().await?;
    Ok(db
        .training_kind_attendance(SessionKind::Spring, first, last)
        .await?
        .into_iter()
        .filter_map(|(p, went)| {
            let days: Vec<NaiveDate> = held
                .iter()
                .filter(|(unit, _)| unit_visible(&units, &Visibility::Subtree(unit.clone()), &p.unit_id))
                .map(|(_, day)| *day)
                .collect();
            (spring_status(&rules, &p.service, &days, went) == SpringStatus::Missed).then_some(SpringMissed {
                person_id: p.person_id,
                name: p.name,
                unit_id: p.unit_id,
                unit_name: p.unit_name,
            })
        })
        .collect())
}

/// A change to someone's attendance the store found no attendance for: a field error on the
/// person (`not_attended`) with `message`; any other store error as it is.
fn attended_or(result: Result<(), crate::store::StoreError>, message: &str) -> Result<(), Error> {
    match result {
        Err(crate::store::StoreError::NotFound) => {
            Err(Error::Invalid(FieldErrors::single("person_id", "not_attended", message)))
        }
        other => Ok(other?),
    }
}
