//! 心灵管理辅导 (issue 16 scope 5; plan §三（三）5): the counselling centre's yearly plan, a
//! 心灵驿站 in each squad, and the sessions held — individual or group, with the counsellor, the
//! time and the place, and the people who took part.
//!
//! A session's notes are the most private record the system keeps about its own staff. They
//! are readable by two kinds of people only: the counsellor who wrote them and the people the
//! session was with ([`may_read_notes`]). Not the leaders, not the office, not an administrator,
//! not the audit reader, and no export: what everyone else sees is how many sessions each squad
//! had in a month ([`counts`]). Reading the notes is audited, and so is every refused attempt.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::domain::fields::{FieldErrors, date, line, text};
use crate::domain::intake::coded;

/// The most people one group session records.
pub const MAX_PARTICIPANTS: usize = 60;

coded! {
    /// How a session was held.
    SessionKind {
        /// 个别辅导: one person.
        Individual = "individual", "个别辅导",
        /// 团体辅导: a group (a squad's 心灵驿站 session, a talk on stress).
        Group = "group", "团体辅导",
    }
}

/// A session as typed by the counsellor.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct SessionInput {
    /// `individual` or `group`.
    #[schema(example = "individual")]
    pub kind: String,
    /// `YYYY-MM-DD`, not after today.
    #[schema(value_type = String, format = Date)]
    pub held_on: String,
    /// The squad whose 心灵驿站 (or people) it was for.
    pub unit_id: String,
    #[schema(max_length = 100, pattern = "\\S")]
    pub place: String,
    /// What it was about, in general words (压力疏导、情绪管理…); counted, never the notes.
    #[schema(max_length = 50, pattern = "\\S")]
    pub topic: String,
    /// The people who took part (person ids): one for an individual session.
    pub participants: Vec<String>,
    /// The counsellor's notes: readable only by the counsellor and the participants.
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub notes: String,
}

/// A session parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub kind: SessionKind,
    pub held_on: NaiveDate,
    pub unit_id: String,
    pub place: String,
    pub topic: String,
    pub participants: Vec<String>,
    pub notes: String,
}

impl SessionInput {
    pub fn parse(&self, today: NaiveDate) -> Result<Session, FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind = SessionKind::parse(&self.kind);
        if kind.is_none() {
            errors.add("kind", "invalid_value", "请选择个别辅导或团体辅导");
        }
        let held_on = date(&mut errors, "held_on", &self.held_on, "辅导日期");
        if held_on.is_some_and(|d| d > today) {
            errors.add("held_on", "in_future", "辅导后再登记");
        }
        let place = line(&mut errors, "place", &self.place, 100, "请填写地点");
        let topic = line(&mut errors, "topic", &self.topic, 50, "请填写主题");
        let notes = text(&mut errors, "notes", &self.notes, 5000);
        if self.unit_id.trim().is_empty() {
            errors.add("unit_id", "invalid_value", "请选择中队");
        }
        let mut participants: Vec<String> =
            self.participants.iter().map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect();
        participants.sort();
        participants.dedup();
        match (kind, participants.len()) {
            (_, 0) => errors.add("participants", "invalid_value", "请选择参加辅导的人员"),
            (Some(SessionKind::Individual), n) if n > 1 => {
                errors.add("participants", "individual_one_person", "个别辅导只有一名辅导对象");
            }
            (_, n) if n > MAX_PARTICIPANTS => {
                errors.add("participants", "invalid_value", format!("一次辅导最多 {MAX_PARTICIPANTS} 人"));
            }
            _ => {}
        }
        errors.into_result()?;
        Ok(Session {
            kind: kind.expect("checked"),
            held_on: held_on.expect("checked"),
            unit_id: self.unit_id.trim().to_owned(),
            place,
            topic,
            participants,
            notes,
        })
    }
}

/// Whether a reader may read a session's notes: the counsellor who wrote them, or a person the
/// session was with. Roles play no part: no role reads another's counselling.
pub fn may_read_notes(
    reader_account: &str,
    reader_person: Option<&str>,
    counsellor_account: &str,
    participants: &[String],
) -> bool {
    reader_account == counsellor_account || reader_person.is_some_and(|p| participants.iter().any(|q| q == p))
}

/// A squad's 心灵驿站 as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct StationInput {
    pub unit_id: String,
    /// Where it is (a room of the squad's station).
    #[schema(max_length = 100, pattern = "\\S")]
    pub place: String,
    /// `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date)]
    pub opened_on: String,
    /// Who keeps it (a name), and its opening hours.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub note: String,
}

/// A station parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Station {
    pub unit_id: String,
    pub place: String,
    pub opened_on: NaiveDate,
    pub note: String,
}

impl StationInput {
    pub fn parse(&self) -> Result<Station, FieldErrors> {
        let mut errors = FieldErrors::default();
        if self.unit_id.trim().is_empty() {
            errors.add("unit_id", "invalid_value", "请选择中队");
        }
        let place = line(&mut errors, "place", &self.place, 100, "请填写地点");
        let opened_on = date(&mut errors, "opened_on", &self.opened_on, "设立日期");
        let note = text(&mut errors, "note", &self.note, 200);
        errors.into_result()?;
        Ok(Station {
            unit_id: self.unit_id.trim().to_owned(),
            place,
            opened_on: opened_on.expect("checked"),
            note,
        })
    }
}

/// An item of the centre's yearly plan as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct PlanItemInput {
    /// `YYYY-MM`: the month it is planned for.
    #[schema(example = "2026-05")]
    pub month: String,
    /// `individual` or `group`.
    #[schema(example = "group")]
    pub kind: String,
    #[schema(max_length = 100, pattern = "\\S")]
    pub topic: String,
    /// For whom (all squads, new recruits, a squad).
    #[serde(default)]
    #[schema(max_length = 100)]
    pub audience: String,
}

/// A plan item parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PlanItem {
    pub year: i32,
    pub month: u32,
    /// `individual` or `group`.
    #[schema(value_type = String)]
    pub kind: SessionKind,
    pub topic: String,
    pub audience: String,
}

impl PlanItemInput {
    pub fn parse(&self) -> Result<PlanItem, FieldErrors> {
        let mut errors = FieldErrors::default();
        let month = crate::domain::training::Month::parse(&self.month);
        if month.is_none() {
            errors.add("month", "invalid_value", "月份格式为 YYYY-MM");
        }
        let kind = SessionKind::parse(&self.kind);
        if kind.is_none() {
            errors.add("kind", "invalid_value", "请选择个别辅导或团体辅导");
        }
        let topic = line(&mut errors, "topic", &self.topic, 100, "请填写主题");
        let audience = text(&mut errors, "audience", &self.audience, 100);
        errors.into_result()?;
        let month = month.expect("checked");
        Ok(PlanItem { year: month.year, month: month.month, kind: kind.expect("checked"), topic, audience })
    }
}

/// What leaves the counselling records for everyone but the counsellor and the person: how
/// many sessions of each kind a squad had in a month, and how many took part.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct CounsellingMonth {
    pub unit_id: String,
    pub month: u32,
    pub individual: u32,
    pub group: u32,
    /// Places taken in the sessions (a person in two sessions counts twice).
    pub attendances: u32,
}

/// Counts sessions `(unit, day, kind, participants)` of one year per squad and month, in unit
/// then month order.
pub fn counts(year: i32, sessions: &[(String, NaiveDate, SessionKind, u32)]) -> Vec<CounsellingMonth> {
    let mut out: Vec<CounsellingMonth> = Vec::new();
    for (unit, day, kind, people) in sessions.iter().filter(|s| s.1.year() == year) {
        let month = day.month();
        let index = match out.iter().position(|c| c.unit_id == *unit && c.month == month) {
            Some(i) => i,
            None => {
                out.push(CounsellingMonth { unit_id: unit.clone(), month, ..CounsellingMonth::default() });
                out.len() - 1
            }
        };
        let count = &mut out[index];
        match kind {
            SessionKind::Individual => count.individual += 1,
            SessionKind::Group => count.group += 1,
        }
        count.attendances += people;
    }
    out.sort_by(|a, b| a.unit_id.cmp(&b.unit_id).then(a.month.cmp(&b.month)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: &str, participants: &[&str]) -> SessionInput {
        SessionInput {
            kind: kind.into(),
            held_on: "2026-03-01".into(),
            unit_id: "u".into(),
            place: "心灵驿站".into(),
            topic: "压力疏导".into(),
            participants: participants.iter().map(|p| p.to_string()).collect(),
            notes: "谈话要点".into(),
        }
    }

    #[test]
    fn an_individual_session_is_with_one_person_and_none_is_in_the_future() {
        let today: NaiveDate = "2026-03-02".parse().unwrap();
        assert!(input("individual", &["p1"]).parse(today).is_ok());
        let two = input("individual", &["p1", "p2"]).parse(today).unwrap_err();
        assert_eq!(two.iter().next().unwrap().code, "individual_one_person");
        assert_eq!(input("group", &["p1", "p2", "p1"]).parse(today).unwrap().participants, ["p1", "p2"]);
        assert!(input("group", &[]).parse(today).is_err());
        assert!(input("group", &["p1"]).parse("2026-02-28".parse().unwrap()).is_err());
    }

    #[test]
    fn only_the_counsellor_and_the_people_of_the_session_read_its_notes() {
        let people = vec!["p1".to_owned(), "p2".to_owned()];
        assert!(may_read_notes("a-counsellor", None, "a-counsellor", &people));
        assert!(may_read_notes("a-other", Some("p2"), "a-counsellor", &people));
        assert!(!may_read_notes("a-leader", Some("p9"), "a-counsellor", &people));
        assert!(!may_read_notes("a-admin", None, "a-counsellor", &people));
    }

    #[test]
    fn counts_are_per_squad_and_month() {
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        let sessions = [
            ("u1".to_owned(), day("2026-03-01"), SessionKind::Individual, 1),
            ("u1".to_owned(), day("2026-03-09"), SessionKind::Group, 12),
            ("u2".to_owned(), day("2026-03-09"), SessionKind::Group, 8),
            ("u1".to_owned(), day("2025-03-09"), SessionKind::Group, 8),
        ];
        let c = counts(2026, &sessions);
        assert_eq!(c.len(), 2);
        assert_eq!((c[0].individual, c[0].group, c[0].attendances), (1, 1, 13));
    }
}
