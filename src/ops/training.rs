//! Training operations: recording a session, signing in to it from a phone with the code shown
//! in the room, the organiser recording attendance or leave, and a month's compliance. The
//! staff pages, the API and the CLI call them.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::time::{beijing, civil_date};
use crate::domain::training::{
    Category, Month, MonthCompliance, SessionKind, SignInRefusal, code_period, in_sign_in_window, is_late,
    month_compliance,
};
use crate::keys::{Keyring, Purpose};
use crate::ops::people::unit_visible;
use crate::ops::{Actor, Error};
use crate::store::org::Visibility;
use crate::store::training::{AttendanceStatus, NewSession, Session};
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
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let id = tx.insert_training_session(&session).await?;
    tx.commit().await?;
    Ok(id)
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
    } else if !is_participant(state, &session, actor.unit_id.as_deref()).await? {
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
    let mut tx = state.db.begin(&actor.audit_ctx(), now).await?;
    let recorded = tx.record_attendance(session_id, &person, status, true, "").await?;
    if recorded && session.kind == SessionKind::Onboarding {
        tx.set_onboarded(&person, civil_date(session.starts_at)).await?;
    }
    if recorded {
        tx.commit().await?;
    }
    Ok(SignedIn { late, recorded })
}

async fn is_participant(state: &AppState, session: &Session, unit_id: Option<&str>) -> Result<bool, Error> {
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
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let recorded = tx.record_attendance(session_id, person_id, status, false, reason.trim()).await?;
    if recorded && status != AttendanceStatus::Leave && session.kind == SessionKind::Onboarding {
        tx.set_onboarded(person_id, civil_date(session.starts_at)).await?;
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
            result: month_compliance(month, &p.service, &p.attended, &rules),
            person_id: p.person_id,
            name: p.name,
            unit_id: p.unit_id,
            unit_name: p.unit_name,
        })
        .collect())
}

/// Records the days a person joined and left (empty: not recorded), for a person the actor may
/// edit. A person in service for part of a month is exempt from that month's studies.
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
