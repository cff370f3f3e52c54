//! Field work: patrols (巡查), special operations (专项整治) and joint operations with the police
//! (联合执法), the body-camera register, and the full-process recording checks (执法全过程记录:
//! which acts lack their recording, which recordings came in late, the recording rate).

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, Utc};

use crate::domain::case::PersonFacts;
use crate::domain::case::rules::MIN_OFFICERS;
use crate::domain::fields::FieldErrors;
use crate::domain::org::Employment;

/// A recording should reach the system within this time after it ends. No national number
/// exists for 城管; law-and-standards §1.3(b) recommends ingest within 24 hours (police practice:
/// copy to storage at the end of the shift).
pub const MAX_UPLOAD_DELAY: Duration = Duration::hours(24);

/// Whether a recording that ended at `ended` and arrived at `received` came in late.
pub fn uploaded_late(ended: DateTime<Utc>, received: DateTime<Utc>) -> bool {
    received - ended > MAX_UPLOAD_DELAY
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PatrolKind {
    /// 日常巡查
    Patrol,
    /// 专项整治
    Operation,
    /// 联合执法 with the police (特警大队, 女子中队 …)
    Joint,
}

impl PatrolKind {
    pub const ALL: [PatrolKind; 3] = [PatrolKind::Patrol, PatrolKind::Operation, PatrolKind::Joint];

    pub fn code(self) -> &'static str {
        match self {
            PatrolKind::Patrol => "patrol",
            PatrolKind::Operation => "operation",
            PatrolKind::Joint => "joint",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            PatrolKind::Patrol => "日常巡查",
            PatrolKind::Operation => "专项整治",
            PatrolKind::Joint => "联合执法",
        }
    }

    pub fn parse(code: &str) -> Option<PatrolKind> {
        PatrolKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// A patrol or operation as submitted, all text.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PatrolInput {
    /// `patrol`, `operation` or `joint`.
    #[schema(pattern = "^(patrol|operation|joint)$", required = true)]
    pub kind: String,
    #[schema(min_length = 1, pattern = r"\S", required = true)]
    pub title: String,
    /// Route or area covered.
    #[schema(min_length = 1, pattern = r"\S", required = true)]
    pub area: String,
    /// Beijing time, `2026-11-28T09:00` or RFC 3339.
    #[schema(required = true)]
    pub started_at: String,
    /// After `started_at`.
    #[schema(required = true)]
    pub ended_at: String,
    /// Person ids of the bureau's participants: at least two officers certified that day.
    #[schema(min_items = 2, required = true)]
    pub members: Vec<String>,
    /// The police unit of a joint operation (e.g. 特警大队, 女子中队).
    pub partner_unit: String,
    /// The partner's officers (names or numbers).
    pub partner_officers: String,
    /// What was found, what was done (clues and cases are registered from it).
    pub findings: String,
}

/// A parsed patrol, ready for the member check and the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatrolDraft {
    pub kind: PatrolKind,
    pub title: String,
    pub area: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub members: Vec<String>,
    pub partner_unit: String,
    pub partner_officers: String,
    pub findings: String,
}

/// A time as an officer enters it: RFC 3339, or Beijing wall-clock time from a form.
pub fn parse_local_time(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.to_utc());
    }
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
        .and_then(|naive| naive.and_local_timezone(crate::domain::time::beijing()).single())
        .map(|time| time.to_utc())
}

impl PatrolInput {
    pub fn parse(&self) -> Result<PatrolDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind = PatrolKind::parse(self.kind.trim());
        if kind.is_none() {
            errors.add("kind", "unknown_kind", "类型应为日常巡查、专项整治或联合执法");
        }
        let text = |value: &str| value.trim().to_owned();
        let (title, area) = (text(&self.title), text(&self.area));
        if title.is_empty() {
            errors.add("title", "required", "请填写任务名称");
        }
        if area.is_empty() {
            errors.add("area", "required", "请填写巡查路线或区域");
        }
        let started = parse_local_time(self.started_at.trim());
        let ended = parse_local_time(self.ended_at.trim());
        if started.is_none() {
            errors.add("started_at", "bad_time", "开始时间格式应为 2026-11-28T09:00");
        }
        if ended.is_none() {
            errors.add("ended_at", "bad_time", "结束时间格式应为 2026-11-28T11:30");
        }
        if let (Some(s), Some(e)) = (started, ended)
            && e < s
        {
            errors.add("ended_at", "before_start", "结束时间不能早于开始时间");
        }
        let mut members: Vec<String> =
            self.members.iter().map(|m| m.trim().to_owned()).filter(|m| !m.is_empty()).collect();
        members.sort();
        members.dedup();
        let (partner_unit, partner_officers) = (text(&self.partner_unit), text(&self.partner_officers));
        if kind == Some(PatrolKind::Joint) {
            if partner_unit.is_empty() {
                errors.add(
                    "partner_unit",
                    "required",
                    "联合执法须填写配合的公安单位（如特警大队、女子中队）",
                );
            }
            if partner_officers.is_empty() {
                errors.add("partner_officers", "required", "联合执法须记录公安一方的参加人员");
            }
        }
        for (field, value) in [("title", &title), ("area", &area), ("findings", &self.findings)] {
            if value.chars().count() > 2000 {
                errors.add(field, "too_long", "内容过长（不超过2000字）");
            }
        }
        errors.into_result()?;
        Ok(PatrolDraft {
            kind: kind.expect("checked above"),
            title,
            area,
            started_at: started.expect("checked above"),
            ended_at: ended.expect("checked above"),
            members,
            partner_unit,
            partner_officers,
            findings: text(&self.findings),
        })
    }
}

/// Every enforcement act is done by at least two officers holding a certificate valid that day
/// (行政处罚法 Art. 42; 城市管理执法办法: 协管人员 only assist). Auxiliaries may come along but
/// do not count.
pub fn check_members(
    members: &[String],
    facts: &HashMap<String, PersonFacts>,
    on: NaiveDate,
) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::default();
    if let Some(unknown) = members.iter().find(|m| !facts.contains_key(*m)) {
        errors.add("members", "unknown_person", format!("人员 {unknown} 不存在"));
        return Err(errors);
    }
    let certified = members
        .iter()
        .filter_map(|m| facts.get(m))
        .filter(|p| p.employment != Employment::Auxiliary && p.may_act_on(on))
        .count();
    if certified < MIN_OFFICERS {
        errors.add(
            "members",
            "two_officers_required",
            format!("执法活动须有至少 {MIN_OFFICERS} 名持有效执法证的执法人员参加（行政处罚法第四十二条），协管员不计入"),
        );
    }
    errors.into_result()
}

/// The recording rate of a set of acts, in per cent (none to record counts as complete).
pub fn recording_rate(acts: usize, recorded: usize) -> f64 {
    if acts == 0 { 100.0 } else { recorded as f64 * 100.0 / acts as f64 }
}

/// Kinds of recording device in the register.
pub const DEVICE_KINDS: [(&str, &str); 3] =
    [("body_camera", "执法记录仪"), ("camera", "照相机/摄像机"), ("recorder", "录音笔")];

/// The codes of [`DEVICE_KINDS`] as the API document shows them (a device's `kind` is kept as
/// its code; this type only describes it).
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum DeviceKind {
    /// 执法记录仪
    BodyCamera,
    /// 照相机/摄像机
    Camera,
    /// 录音笔
    Recorder,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::org::CertificateStatus;

    fn facts(employment: Employment, valid: bool) -> PersonFacts {
        let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        PersonFacts {
            name: "某".into(),
            employment,
            certificates: if valid {
                vec![(CertificateStatus::Valid, day, day + Duration::days(1000))]
            } else {
                vec![]
            },
            legal_review_qualified: false,
            agency_leader: false,
            onboarded_on: Some(day),
        }
    }

    #[test]
    fn an_act_needs_two_certified_officers_and_auxiliaries_do_not_count() {
        let on = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let people: HashMap<String, PersonFacts> = [
            ("a".to_owned(), facts(Employment::Officer, true)),
            ("b".to_owned(), facts(Employment::Officer, true)),
            ("x".to_owned(), facts(Employment::Auxiliary, true)),
            ("n".to_owned(), facts(Employment::Officer, false)),
        ]
        .into();
        assert!(check_members(&["a".into(), "b".into()], &people, on).is_ok());
        let one = check_members(&["a".into(), "x".into(), "n".into()], &people, on).unwrap_err();
        assert_eq!(one.iter().next().unwrap().code, "two_officers_required");
        let unknown = check_members(&["a".into(), "zz".into()], &people, on).unwrap_err();
        assert_eq!(unknown.iter().next().unwrap().code, "unknown_person");
    }

    #[test]
    fn a_joint_operation_names_its_police_partner() {
        let input = PatrolInput {
            kind: "joint".into(),
            title: "夜间烧烤整治".into(),
            area: "南大街".into(),
            started_at: "2026-11-27T20:00".into(),
            ended_at: "2026-11-27T19:00".into(),
            ..PatrolInput::default()
        };
        let errors = input.parse().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["ended_at", "partner_unit", "partner_officers"]);
        let ok = PatrolInput {
            ended_at: "2026-11-27T22:30".into(),
            partner_unit: "特警大队".into(),
            partner_officers: "张警官、李警官".into(),
            members: vec!["b".into(), "a".into(), "a".into()],
            ..input
        }
        .parse()
        .unwrap();
        assert_eq!(ok.members, ["a", "b"]);
        assert_eq!(ok.started_at.to_rfc3339(), "2026-11-27T12:00:00+00:00");
    }

    #[test]
    fn uploads_more_than_a_day_after_the_recording_are_late() {
        let ended = DateTime::parse_from_rfc3339("2026-11-27T10:00:00Z").unwrap().to_utc();
        assert!(!uploaded_late(ended, ended + Duration::hours(24)));
        assert!(uploaded_late(ended, ended + Duration::hours(24) + Duration::seconds(1)));
        assert_eq!(recording_rate(0, 0), 100.0);
        assert_eq!(recording_rate(4, 3), 75.0);
    }
}
