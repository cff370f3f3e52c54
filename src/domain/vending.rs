//! 便民服务点 and 疏导点 (issue 18 scope 6; plan §三（三）2 施行便民服务措施): the places the
//! government sets aside where vendors may trade lawfully — a 便民服务点 (a market corner, a
//! breakfast point) or a 疏导点 (a guided point that takes street vendors off the road at set
//! hours). Each has a place with its map point, opening hours, a number of stalls, the goods
//! allowed, the vendors admitted to its stalls, and the squad's inspections.
//!
//! The register is what a vendor is pointed to instead of a penalty (城市管理执法办法:
//! 教育、劝诫、疏导 for minor acts), so the portal shows every open point with its free stalls —
//! and never who trades there.
//!
//! Parsing and the admission rule only: the inputs as typed become these types once, with
//! every field's error at once.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::domain::fields::{FieldErrors, date, line, text};

/// The most stalls one point records (a bound against typing errors; the largest 疏导点 of a
/// district hold a few hundred).
pub const MAX_STALLS: u32 = 500;

/// The most opening periods a day has (morning, noon, evening, night).
pub const MAX_PERIODS: usize = 4;

/// The longest an admission runs before it is renewed, in days: a stall is a public place
/// lent for a time, and a year is the usual term of a 便民服务点 agreement. Not a number of
/// the law.
pub const MAX_ADMISSION_DAYS: i64 = 366;

/// The map points accepted: China's extent in CGCS2000 degrees (≈ WGS-84). A point outside
/// is a typing error (latitude and longitude swapped, a missing digit).
pub const LONGITUDE_RANGE: (f64, f64) = (73.0, 136.0);
pub const LATITUDE_RANGE: (f64, f64) = (3.0, 54.0);

/// Which kind of point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PointKind {
    /// 便民服务点: a fixed point for daily needs (早餐、修车、配钥匙、果蔬).
    Convenience,
    /// 疏导点: a guided point for street vendors at set hours.
    Guided,
}

impl PointKind {
    pub fn parse(code: &str) -> Option<PointKind> {
        match code {
            "convenience" => Some(PointKind::Convenience),
            "guided" => Some(PointKind::Guided),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            PointKind::Convenience => "convenience",
            PointKind::Guided => "guided",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            PointKind::Convenience => "便民服务点",
            PointKind::Guided => "疏导点",
        }
    }
}

/// Whether a point takes vendors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PointStatus {
    Open,
    /// 暂停: works on the road, an event; shown on the portal as suspended.
    Suspended,
    /// 撤销: no longer a point; kept in the register, gone from the portal.
    Closed,
}

impl PointStatus {
    pub fn parse(code: &str) -> Option<PointStatus> {
        match code {
            "open" => Some(PointStatus::Open),
            "suspended" => Some(PointStatus::Suspended),
            "closed" => Some(PointStatus::Closed),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            PointStatus::Open => "open",
            PointStatus::Suspended => "suspended",
            PointStatus::Closed => "closed",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            PointStatus::Open => "开放",
            PointStatus::Suspended => "暂停",
            PointStatus::Closed => "已撤销",
        }
    }
}

/// A day's opening periods, in order and not overlapping (`06:00-09:00,17:00-21:30`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[schema(value_type = String, example = "06:00-09:00,17:00-21:30")]
#[serde(into = "String", try_from = "String")]
pub struct Hours(Vec<(NaiveTime, NaiveTime)>);

impl Hours {
    /// Reads `HH:MM-HH:MM` periods separated by commas, 、 or spaces (a full-width dash or
    /// tilde between the times is read too).
    pub fn parse(raw: &str) -> Option<Hours> {
        let normalised =
            raw.replace(['－', '—', '–', '~', '～', '至'], "-").replace(['，', '、', ';', '；'], ",");
        let mut periods = Vec::new();
        for part in normalised.split([',', ' ']).map(str::trim).filter(|p| !p.is_empty()) {
            let (from, to) = part.split_once('-')?;
            let from = NaiveTime::parse_from_str(from.trim(), "%H:%M").ok()?;
            let to = NaiveTime::parse_from_str(to.trim(), "%H:%M").ok()?;
            if to <= from {
                return None;
            }
            periods.push((from, to));
        }
        periods.sort();
        let ordered = periods.windows(2).all(|w| w[0].1 <= w[1].0);
        (!periods.is_empty() && periods.len() <= MAX_PERIODS && ordered).then_some(Hours(periods))
    }

    pub fn periods(&self) -> &[(NaiveTime, NaiveTime)] {
        &self.0
    }
}

impl std::fmt::Display for Hours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> =
            self.0.iter().map(|(a, b)| format!("{}-{}", a.format("%H:%M"), b.format("%H:%M"))).collect();
        f.write_str(&parts.join(","))
    }
}

impl From<Hours> for String {
    fn from(hours: Hours) -> String {
        hours.to_string()
    }
}

impl TryFrom<String> for Hours {
    type Error = String;
    fn try_from(raw: String) -> Result<Hours, String> {
        Hours::parse(&raw).ok_or(raw)
    }
}

/// A point's map position in degrees, six decimals (about 0.1 m).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MapPoint {
    pub longitude: f64,
    pub latitude: f64,
}

impl MapPoint {
    pub fn parse(longitude: &str, latitude: &str) -> Option<MapPoint> {
        let lon: f64 = longitude.trim().parse().ok()?;
        let lat: f64 = latitude.trim().parse().ok()?;
        let inside = |v: f64, (lo, hi): (f64, f64)| v.is_finite() && v >= lo && v <= hi;
        (inside(lon, LONGITUDE_RANGE) && inside(lat, LATITUDE_RANGE))
            .then(|| MapPoint { longitude: (lon * 1e6).round() / 1e6, latitude: (lat * 1e6).round() / 1e6 })
    }
}

/// A point as typed (to register it, or to correct it with its status).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct PointInput {
    #[schema(max_length = 100, pattern = "\\S")]
    pub name: String,
    /// `convenience` (便民服务点) or `guided` (疏导点).
    #[schema(example = "guided")]
    pub kind: String,
    /// The squad that keeps it.
    #[schema(max_length = 64, pattern = "\\S")]
    pub unit_id: String,
    #[schema(max_length = 200, pattern = "\\S")]
    pub address: String,
    /// Degrees east, 73–136 (CGCS2000).
    #[schema(example = "119.946973")]
    pub longitude: String,
    /// Degrees north, 3–54 (CGCS2000).
    #[schema(example = "31.772752")]
    pub latitude: String,
    /// The opening periods of a day, `HH:MM-HH:MM` separated by commas (at most four).
    #[schema(example = "06:00-09:00,17:00-21:30")]
    pub hours: String,
    /// How many stalls, 1–500.
    #[schema(pattern = "^\\s*[0-9]{1,3}\\s*$")]
    pub capacity: String,
    /// The goods and services allowed (果蔬、早点、修车配钥匙).
    #[schema(max_length = 200, pattern = "\\S")]
    pub goods: String,
    /// `open`, `suspended` or `closed`; a new point is open whatever this says.
    #[serde(default)]
    #[schema(example = "open")]
    pub status: String,
    /// What the status change is about (施工暂停、撤销原因); optional.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub note: String,
}

/// A point parsed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Point {
    pub name: String,
    pub kind: PointKind,
    pub unit_id: String,
    pub address: String,
    pub map: MapPoint,
    pub hours: Hours,
    pub capacity: u32,
    pub goods: String,
    pub status: PointStatus,
    pub note: String,
}

impl PointInput {
    pub fn parse(&self) -> Result<Point, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = line(&mut errors, "name", &self.name, 100, "请填写名称");
        let kind = PointKind::parse(self.kind.trim());
        if kind.is_none() {
            errors.add("kind", "invalid_value", "请选择类型（便民服务点或疏导点）");
        }
        let unit_id = line(&mut errors, "unit_id", &self.unit_id, 64, "请选择负责中队");
        let address = line(&mut errors, "address", &self.address, 200, "请填写地址");
        let map = MapPoint::parse(&self.longitude, &self.latitude);
        if map.is_none() {
            errors.add("longitude", "invalid_value", "经度应在 73–136 之间（东经，度）");
            errors.add("latitude", "invalid_value", "纬度应在 3–54 之间（北纬，度）");
        }
        let hours = Hours::parse(&self.hours);
        if hours.is_none() {
            errors.add(
                "hours",
                "invalid_value",
                format!("经营时段如 06:00-09:00,17:00-21:30（最多 {MAX_PERIODS} 段，不重叠）"),
            );
        }
        let capacity = match self.capacity.trim().parse::<u32>() {
            Ok(n) if (1..=MAX_STALLS).contains(&n) => n,
            _ => {
                errors.add("capacity", "invalid_value", format!("摊位数为 1–{MAX_STALLS}"));
                0
            }
        };
        let goods = line(&mut errors, "goods", &self.goods, 200, "请填写经营品类");
        let status = match self.status.trim() {
            "" => Some(PointStatus::Open),
            code => PointStatus::parse(code),
        };
        if status.is_none() {
            errors.add("status", "invalid_value", "状态为开放、暂停或已撤销");
        }
        let note = text(&mut errors, "note", &self.note, 500);
        errors.into_result()?;
        Ok(Point {
            name,
            kind: kind.expect("checked"),
            unit_id,
            address,
            map: map.expect("checked"),
            hours: hours.expect("checked"),
            capacity,
            goods,
            status: status.expect("checked"),
            note,
        })
    }
}

/// A vendor admitted to a stall, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AdmissionInput {
    /// The vendor's file in the party registry (one file per party).
    #[schema(max_length = 64, pattern = "\\S")]
    pub party_id: String,
    /// The stall's number at the point.
    #[schema(max_length = 20, pattern = "\\S")]
    pub stall: String,
    #[schema(max_length = 100, pattern = "\\S")]
    pub goods: String,
    /// `YYYY-MM-DD`: the first day the vendor may trade there.
    #[schema(value_type = String, format = Date)]
    pub admitted_on: String,
    /// `YYYY-MM-DD`: the last day, at most 366 days after the first.
    #[schema(value_type = String, format = Date)]
    pub until: String,
}

/// An admission parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Admission {
    pub party_id: String,
    pub stall: String,
    pub goods: String,
    #[schema(value_type = String, format = Date)]
    pub admitted_on: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub until: NaiveDate,
}

impl AdmissionInput {
    pub fn parse(&self) -> Result<Admission, FieldErrors> {
        let mut errors = FieldErrors::default();
        let party_id = line(&mut errors, "party_id", &self.party_id, 64, "请填写摊主的当事人档案编号");
        let stall = line(&mut errors, "stall", &self.stall, 20, "请填写摊位号");
        let goods = line(&mut errors, "goods", &self.goods, 100, "请填写经营品类");
        let admitted_on = date(&mut errors, "admitted_on", &self.admitted_on, "入驻日期");
        let until = date(&mut errors, "until", &self.until, "到期日期");
        if let (Some(from), Some(to)) = (admitted_on, until)
            && (to < from || (to - from).num_days() > MAX_ADMISSION_DAYS)
        {
            errors.add("until", "invalid_value", format!("到期日期应在入驻之后 {MAX_ADMISSION_DAYS} 日以内"));
        }
        errors.into_result()?;
        Ok(Admission {
            party_id,
            stall,
            goods,
            admitted_on: admitted_on.expect("checked"),
            until: until.expect("checked"),
        })
    }
}

impl Admission {
    /// Whether the vendor may trade there on `day` (an ended admission never is).
    pub fn current(&self, ended_on: Option<NaiveDate>, day: NaiveDate) -> bool {
        self.admitted_on <= day && day <= self.until && ended_on.is_none_or(|end| day < end)
    }
}

/// Why and when an admission ends, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct EndAdmissionInput {
    /// `YYYY-MM-DD`: the first day the vendor no longer trades there.
    #[schema(value_type = String, format = Date)]
    pub ended_on: String,
    /// 主动退出、违反管理规定、点位调整…
    #[schema(max_length = 200, pattern = "\\S")]
    pub reason: String,
}

impl EndAdmissionInput {
    /// The day and reason; the day comes after the admission began.
    pub fn parse(&self, admitted_on: NaiveDate) -> Result<(NaiveDate, String), FieldErrors> {
        let mut errors = FieldErrors::default();
        let on = date(&mut errors, "ended_on", &self.ended_on, "退出日期");
        if on.is_some_and(|d| d <= admitted_on) {
            errors.add("ended_on", "invalid_value", "退出日期应在入驻日期之后");
        }
        let reason = line(&mut errors, "reason", &self.reason, 200, "请填写退出原因");
        errors.into_result()?;
        Ok((on.expect("checked"), reason))
    }
}

/// Why an admission is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdmissionRefusal {
    pub code: &'static str,
    pub message_zh: String,
}

/// Whether `new` may be admitted to a point in `status` with `capacity` stalls, given the
/// admissions that overlap its term and have not ended (`others`): the point takes vendors,
/// the stall is free for the whole term, the vendor holds no other stall there, and the
/// stalls taken on any day of the term stay within the capacity.
pub fn admit_check(
    status: PointStatus,
    capacity: u32,
    others: &[Admission],
    new: &Admission,
) -> Result<(), AdmissionRefusal> {
    let refuse = |code, message: &str| Err(AdmissionRefusal { code, message_zh: message.to_owned() });
    if status != PointStatus::Open {
        return refuse("point_not_open", "该点位暂停或已撤销，不能安排入驻");
    }
    let overlapping: Vec<&Admission> =
        others.iter().filter(|a| a.admitted_on <= new.until && new.admitted_on <= a.until).collect();
    if overlapping.iter().any(|a| a.stall == new.stall) {
        return refuse("stall_taken", "该摊位在这段时间已有摊主");
    }
    if overlapping.iter().any(|a| a.party_id == new.party_id) {
        return refuse("already_admitted", "该摊主在这段时间已在本点位有摊位");
    }
    // The busiest day of the term is one on which some admission (or the new one) begins.
    let busiest = std::iter::once(new.admitted_on)
        .chain(overlapping.iter().map(|a| a.admitted_on).filter(|d| *d >= new.admitted_on))
        .map(|day| overlapping.iter().filter(|a| a.admitted_on <= day && day <= a.until).count())
        .max()
        .unwrap_or(0);
    if busiest as u32 >= capacity {
        return refuse("point_full", "该点位摊位已满");
    }
    Ok(())
}

/// What an inspection found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InspectionResult {
    /// 秩序良好.
    Good,
    /// 存在问题, corrected on the spot or to be followed up (in the findings).
    Problems,
}

impl InspectionResult {
    pub fn parse(code: &str) -> Option<InspectionResult> {
        match code {
            "good" => Some(InspectionResult::Good),
            "problems" => Some(InspectionResult::Problems),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            InspectionResult::Good => "good",
            InspectionResult::Problems => "problems",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            InspectionResult::Good => "秩序良好",
            InspectionResult::Problems => "存在问题",
        }
    }
}

/// An inspection of a point, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct InspectionInput {
    /// `YYYY-MM-DD`, not after today.
    #[schema(value_type = String, format = Date)]
    pub inspected_on: String,
    /// Who inspected (the officers' names).
    #[schema(max_length = 100, pattern = "\\S")]
    pub inspected_by: String,
    /// `good` or `problems`.
    #[schema(example = "good")]
    pub result: String,
    /// What was seen: hours kept, hygiene, stalls outside the line, what was corrected.
    #[schema(max_length = 1000, pattern = "\\S")]
    pub findings: String,
}

/// An inspection parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Inspection {
    #[schema(value_type = String, format = Date)]
    pub inspected_on: NaiveDate,
    pub inspected_by: String,
    pub result: InspectionResult,
    pub findings: String,
}

impl InspectionInput {
    pub fn parse(&self, today: NaiveDate) -> Result<Inspection, FieldErrors> {
        let mut errors = FieldErrors::default();
        let inspected_on = date(&mut errors, "inspected_on", &self.inspected_on, "检查日期");
        if inspected_on.is_some_and(|d| d > today) {
            errors.add("inspected_on", "in_future", "检查日期不能晚于今天");
        }
        let inspected_by = line(&mut errors, "inspected_by", &self.inspected_by, 100, "请填写检查人员");
        let result = InspectionResult::parse(self.result.trim());
        if result.is_none() {
            errors.add("result", "invalid_value", "请选择检查结果");
        }
        let findings =
            line(&mut errors, "findings", &self.findings.replace(['\r', '\n'], " "), 1000, "请填写检查情况");
        errors.into_result()?;
        Ok(Inspection {
            inspected_on: inspected_on.expect("checked"),
            inspected_by,
            result: result.expect("checked"),
            findings,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn admission(party: &str, stall: &str, from: &str, to: &str) -> Admission {
        Admission {
            party_id: party.into(),
            stall: stall.into(),
            goods: "果蔬".into(),
            admitted_on: d(from),
            until: d(to),
        }
    }

    #[test]
    fn hours_are_read_in_the_ways_people_type_them_and_kept_in_one() {
        for (raw, kept) in [
            ("06:00-09:00,17:00-21:30", Some("06:00-09:00,17:00-21:30")),
            ("17:00－21:30、06:00~09:00", Some("06:00-09:00,17:00-21:30")),
            ("6:00-9:00", Some("06:00-09:00")),
            ("09:00-06:00", None),
            ("06:00-09:00,08:00-10:00", None),
            ("", None),
            ("全天", None),
            ("06:00-07:00,08:00-09:00,10:00-11:00,12:00-13:00,14:00-15:00", None),
        ] {
            assert_eq!(Hours::parse(raw).map(|h| h.to_string()).as_deref(), kept, "{raw}");
        }
    }

    #[test]
    fn a_map_point_must_be_in_china_so_swapped_degrees_are_caught() {
        assert!(MapPoint::parse("119.9469734", "31.772752").is_some_and(|p| p.longitude == 119.946973));
        assert!(MapPoint::parse("31.772752", "119.946973").is_none());
        assert!(MapPoint::parse("NaN", "31").is_none());
    }

    #[test]
    fn every_bad_field_of_a_point_is_reported_at_once() {
        let input = PointInput { kind: "market".into(), capacity: "0".into(), ..Default::default() };
        let errors = input.parse().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["name", "kind", "unit_id", "address", "longitude", "latitude", "hours", "capacity", "goods"]
        );
    }

    #[test]
    fn an_admission_needs_an_open_point_a_free_stall_and_room() {
        let others = [
            admission("p1", "A-01", "2026-01-01", "2026-06-30"),
            admission("p2", "A-02", "2026-03-01", "2026-12-31"),
        ];
        let new = admission("p3", "A-03", "2026-02-01", "2026-12-31");
        let code = |status, capacity, new: &Admission| {
            admit_check(status, capacity, &others, new).err().map(|r| r.code)
        };
        assert_eq!(code(PointStatus::Open, 3, &new), None);
        assert_eq!(code(PointStatus::Suspended, 3, &new), Some("point_not_open"));
        // From March both others hold a stall: a point of two is full for the new term.
        assert_eq!(code(PointStatus::Open, 2, &new), Some("point_full"));
        // After June A-01 is free again, and a term that starts then fits in two.
        assert_eq!(code(PointStatus::Open, 2, &admission("p3", "A-01", "2026-07-01", "2026-12-31")), None);
        assert_eq!(
            code(PointStatus::Open, 3, &admission("p3", "A-02", "2026-02-01", "2026-03-01")),
            Some("stall_taken")
        );
        assert_eq!(
            code(PointStatus::Open, 3, &admission("p2", "A-09", "2026-02-01", "2026-03-01")),
            Some("already_admitted")
        );
    }

    #[test]
    fn an_admission_is_current_within_its_term_until_it_ends() {
        let a = admission("p1", "A-01", "2026-01-01", "2026-06-30");
        assert!(a.current(None, d("2026-01-01")) && a.current(None, d("2026-06-30")));
        assert!(!a.current(None, d("2026-07-01")));
        assert!(!a.current(Some(d("2026-03-01")), d("2026-03-01")));
        assert!(a.current(Some(d("2026-03-01")), d("2026-02-28")));
    }

    #[test]
    fn an_admission_runs_at_most_a_year() {
        let input = AdmissionInput {
            party_id: "p".into(),
            stall: "A-1".into(),
            goods: "早点".into(),
            admitted_on: "2026-01-01".into(),
            until: "2027-01-03".into(),
        };
        assert_eq!(input.parse().unwrap_err().iter().next().unwrap().field, "until");
    }
}
