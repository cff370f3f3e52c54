//! The responsibility list (权责清单): each enforcement item with its legal basis, the statutory
//! fine range for citizens and for organisations, the discretion benchmark (裁量基准) bands the
//! bureau applies inside that range, and the unit responsible.
//!
//! The amounts are [M] values: the statute gives the range, the province or the bureau sets the
//! bands. The legal office keeps them here, so an item arrives as [`ItemInput`] (text as typed)
//! and becomes an [`ItemSpec`] only once every rule below holds.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::case::rules::{parse_yuan, yuan};
use crate::domain::fields::FieldErrors;

/// One band of a discretion benchmark (裁量基准), amounts in fen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DiscretionBand {
    pub level: String,
    pub condition: String,
    /// The citizens' amounts in fen, `[min, max]`.
    #[schema(value_type = Vec<i64>)]
    pub person: (i64, i64),
    /// The organisations' amounts in fen.
    #[schema(value_type = Vec<i64>)]
    pub org: (i64, i64),
}

impl DiscretionBand {
    /// A band of 0–0 for both kinds of party is the 不予处罚 band (行政处罚法 Art. 33 ¶1: 违法行为
    /// 轻微并及时改正，没有造成危害后果的，不予行政处罚): it lies outside the fine range on purpose.
    pub fn is_no_penalty(&self) -> bool {
        self.person == (0, 0) && self.org == (0, 0)
    }

    /// The band as a decision form shows it for one kind of party: level, condition, amounts.
    pub fn line_zh(&self, organisation: bool) -> String {
        format!("{}（{}）：{}", self.level, self.condition, self.amounts_zh(organisation))
    }

    /// The band for both kinds of party, as the list's history shows it.
    pub fn both_zh(&self) -> String {
        if self.is_no_penalty() {
            return self.line_zh(false);
        }
        format!(
            "{}（{}）：公民 {}，单位 {}",
            self.level,
            self.condition,
            self.amounts_zh(false),
            self.amounts_zh(true)
        )
    }

    fn amounts_zh(&self, organisation: bool) -> String {
        if self.is_no_penalty() {
            return "不予处罚（行政处罚法第三十三条）".to_owned();
        }
        let (min, max) = if organisation { self.org } else { self.person };
        format!("{}–{} 元", yuan(min), yuan(max))
    }
}

/// Which version of an item's statutory range a decision applies (行政处罚法 Art. 37: 实施行政
/// 处罚，适用违法行为发生时的法律、法规、规章的规定。但是，作出行政处罚决定时，法律、法规、
/// 规章已被修改或者废止，且新的规定处罚较轻或者不认为是违法的，适用新的规定 — 从旧兼从轻).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RangeBasis {
    /// The range in force when the act was committed (the rule).
    ActTime,
    /// The range in force on the day of the decision, because it is lighter (the exception).
    LighterNew,
    /// The list had no fixed range for the act's time; the one in force now is the only one.
    OnlyKnown,
}

impl RangeBasis {
    /// Whether the range comes from the list's version in force on the day of the decision
    /// (else from the one in force when the act was committed). The discretion bands shown
    /// with a range are that same version's: a band only narrows its own range (Art. 34).
    pub fn decision_time(self) -> bool {
        match self {
            RangeBasis::ActTime => false,
            RangeBasis::LighterNew | RangeBasis::OnlyKnown => true,
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            RangeBasis::ActTime => "违法行为发生时的规定",
            RangeBasis::LighterNew => "作出决定时的规定（新规定处罚较轻，从轻适用）",
            RangeBasis::OnlyKnown => "现行规定（违法行为发生时无固定幅度）",
        }
    }
}

/// The fine range a decision must keep to, in fen, with why that one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ApplicableRange {
    pub min: i64,
    pub max: i64,
    pub basis: RangeBasis,
}

/// Whether range `a` punishes more lightly than `b`: a lower ceiling, or the same ceiling with
/// a lower floor. (The ceiling decides first because it bounds what the party can be made to
/// pay; a lower floor alone only widens the bureau's discretion downwards.)
fn lighter(a: (i64, i64), b: (i64, i64)) -> bool {
    a.1 < b.1 || (a.1 == b.1 && a.0 < b.0)
}

/// The range a decision applies under Art. 37 (从旧兼从轻), from the list's range in force on
/// the day of the act and the one in force on the day of the decision (`None`: no fixed range,
/// as for a fine in proportion to a building's cost).
pub fn applicable_range(
    at_act: Option<(i64, i64)>,
    at_decision: Option<(i64, i64)>,
) -> Option<ApplicableRange> {
    let of = |(min, max): (i64, i64), basis| Some(ApplicableRange { min, max, basis });
    match (at_act, at_decision) {
        (Some(old), Some(new)) if lighter(new, old) => of(new, RangeBasis::LighterNew),
        (Some(old), _) => of(old, RangeBasis::ActTime),
        (None, Some(new)) => of(new, RangeBasis::OnlyKnown),
        (None, None) => None,
    }
}

/// Whether the legal office has checked an item's basis and amounts against the instruments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// 待核对: entered from the published list, amounts not yet checked.
    ToVerify,
    /// 已核对.
    Verified,
}

impl ItemStatus {
    pub fn code(self) -> &'static str {
        match self {
            ItemStatus::ToVerify => "to_verify",
            ItemStatus::Verified => "verified",
        }
    }
    pub fn parse(code: &str) -> Option<ItemStatus> {
        match code {
            "to_verify" => Some(ItemStatus::ToVerify),
            "verified" => Some(ItemStatus::Verified),
            _ => None,
        }
    }
}

/// An item ready to be stored: every rule of [`ItemInput::parse`] holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemSpec {
    pub code: String,
    pub category: String,
    pub name: String,
    pub violated: String,
    pub penalty_basis: String,
    pub fine_person: Option<(i64, i64)>,
    pub fine_org: Option<(i64, i64)>,
    pub bands: Vec<DiscretionBand>,
    pub responsible_unit: String,
    pub status: ItemStatus,
    pub note: String,
    pub active: bool,
}

/// A discretion band as typed: amounts in yuan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BandInput {
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub condition: String,
    #[serde(default)]
    pub person_min: String,
    #[serde(default)]
    pub person_max: String,
    #[serde(default)]
    pub org_min: String,
    #[serde(default)]
    pub org_max: String,
}

impl BandInput {
    fn is_blank(&self) -> bool {
        [&self.level, &self.condition, &self.person_min, &self.person_max, &self.org_min, &self.org_max]
            .iter()
            .all(|s| s.trim().is_empty())
    }
}

/// An item as typed on the form or sent to the API; amounts in yuan, blank where the statute
/// gives no fixed range (a fine in proportion to a building's cost, say).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ItemInput {
    /// Letters, digits and hyphens (`ZL-ZD-002`); fixed once the item exists.
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub name: String,
    /// 违法依据: the provision the act breaks.
    #[serde(default)]
    pub violated: String,
    /// 处罚依据: the provision that sets the penalty.
    #[serde(default)]
    pub penalty_basis: String,
    #[serde(default)]
    pub fine_min_person: String,
    #[serde(default)]
    pub fine_max_person: String,
    #[serde(default)]
    pub fine_min_org: String,
    #[serde(default)]
    pub fine_max_org: String,
    #[serde(default)]
    pub bands: Vec<BandInput>,
    /// 责任主体 / 承办机构.
    #[serde(default)]
    pub responsible_unit: String,
    /// `to_verify` or `verified`.
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub note: String,
    /// Whether new cases may use the item; a retired item stays on its old cases.
    #[serde(default = "default_true")]
    pub active: bool,
    /// 施行日期 (YYYY-MM-DD): acts committed from this day are held to the ranges saved now;
    /// earlier acts keep the ranges then in force unless these are lighter (Art. 37). Blank:
    /// today.
    #[serde(default)]
    pub effective_from: String,
}

fn default_true() -> bool {
    true
}

/// The longest basis or name the form takes: a bound against pasting a whole statute.
const MAX_TEXT_CHARS: usize = 500;

/// More bands than this is no longer a benchmark an officer can apply at the scene.
pub const MAX_BANDS: usize = 8;

impl ItemInput {
    /// The form for an item as stored.
    pub fn of(spec: &ItemSpec) -> ItemInput {
        let money = |fen: i64| yuan(fen).trim_end_matches(".00").to_owned();
        let range = |r: Option<(i64, i64)>| match r {
            Some((a, b)) => (money(a), money(b)),
            None => (String::new(), String::new()),
        };
        let (fine_min_person, fine_max_person) = range(spec.fine_person);
        let (fine_min_org, fine_max_org) = range(spec.fine_org);
        ItemInput {
            code: spec.code.clone(),
            category: spec.category.clone(),
            name: spec.name.clone(),
            violated: spec.violated.clone(),
            penalty_basis: spec.penalty_basis.clone(),
            fine_min_person,
            fine_max_person,
            fine_min_org,
            fine_max_org,
            bands: spec
                .bands
                .iter()
                .map(|b| BandInput {
                    level: b.level.clone(),
                    condition: b.condition.clone(),
                    person_min: money(b.person.0),
                    person_max: money(b.person.1),
                    org_min: money(b.org.0),
                    org_max: money(b.org.1),
                })
                .collect(),
            responsible_unit: spec.responsible_unit.clone(),
            status: spec.status.code().to_owned(),
            note: spec.note.clone(),
            active: spec.active,
            // An edit takes effect from the day it is saved unless the legal office says
            // otherwise: the stored item's last effective day would backdate a new range.
            effective_from: String::new(),
        }
    }

    /// Checks the item against the list's rules. `categories` are the codes that exist. Gives
    /// the item and the day from which its ranges apply to acts.
    pub fn parse(
        &self,
        categories: &[String],
        today: NaiveDate,
    ) -> Result<(ItemSpec, NaiveDate), FieldErrors> {
        let mut errors = FieldErrors::default();
        let effective_from = match self.effective_from.trim() {
            "" => today,
            text => NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_else(|_| {
                errors.add("effective_from", "date_invalid", "施行日期格式应为 YYYY-MM-DD");
                today
            }),
        };
        let code = self.code.trim().to_ascii_uppercase();
        if !(3..=30).contains(&code.len()) || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            errors.add("code", "code_invalid", "事项编码为 3–30 位字母、数字或连字符，如 ZL-ZD-002");
        }
        if !categories.iter().any(|c| c == self.category.trim()) {
            errors.add("category", "category_unknown", "请选择案件类别");
        }
        let mut text = |raw: &str, field: &'static str, what: &str| -> String {
            let value = raw.trim();
            if value.is_empty() || value.chars().count() > MAX_TEXT_CHARS {
                errors.add(field, "required", format!("请填写{what}（不超过 {MAX_TEXT_CHARS} 字）"));
            }
            value.to_owned()
        };
        let name = text(&self.name, "name", "事项名称");
        let violated = text(&self.violated, "violated", "违法依据（法规名称和条款）");
        let penalty_basis = text(&self.penalty_basis, "penalty_basis", "处罚依据（法规名称和条款）");
        let fine_person = range(&mut errors, &self.fine_min_person, &self.fine_max_person, "fine_person");
        let fine_org = range(&mut errors, &self.fine_min_org, &self.fine_max_org, "fine_org");
        let bands = self.parse_bands(&mut errors, fine_person, fine_org);
        let status = ItemStatus::parse(self.status.trim()).unwrap_or_else(|| {
            errors.add("status", "status_invalid", "请选择核对状态");
            ItemStatus::ToVerify
        });
        let responsible_unit = self.responsible_unit.trim().to_owned();
        if responsible_unit.chars().count() > 100 {
            errors.add("responsible_unit", "too_long", "责任主体不超过 100 字");
        }
        let note = self.note.trim().to_owned();
        if note.chars().count() > MAX_TEXT_CHARS {
            errors.add("note", "too_long", format!("备注不超过 {MAX_TEXT_CHARS} 字"));
        }
        errors.into_result()?;
        Ok((
            ItemSpec {
                code,
                category: self.category.trim().to_owned(),
                name,
                violated,
                penalty_basis,
                fine_person,
                fine_org,
                bands,
                responsible_unit,
                status,
                note,
                active: self.active,
            },
            effective_from,
        ))
    }

    /// The bands, in the order typed, blank rows dropped. A benchmark narrows the statutory
    /// range, never widens it (行政处罚法 Art. 34: 裁量基准 are set *within* the law), so every
    /// band lies inside the item's range, and bands do not overlap, so each case falls in one.
    fn parse_bands(
        &self,
        errors: &mut FieldErrors,
        fine_person: Option<(i64, i64)>,
        fine_org: Option<(i64, i64)>,
    ) -> Vec<DiscretionBand> {
        let rows: Vec<&BandInput> = self.bands.iter().filter(|b| !b.is_blank()).collect();
        if rows.len() > MAX_BANDS {
            errors.add("bands", "too_many_bands", format!("裁量档次不超过 {MAX_BANDS} 档"));
            return Vec::new();
        }
        if rows.is_empty() {
            return Vec::new();
        }
        let (Some(person_range), Some(org_range)) = (fine_person, fine_org) else {
            errors.add(
                "bands",
                "bands_need_range",
                "裁量档次须在法定罚款幅度之内：请先填写公民和单位的罚款幅度（按工程造价等比例计罚的事项不设金额档次）",
            );
            return Vec::new();
        };
        let mut bands = Vec::new();
        let mut bad = false;
        for row in rows {
            let amount = |raw: &str| parse_yuan(raw);
            let level = row.level.trim();
            let condition = row.condition.trim();
            let person = amount(&row.person_min).zip(amount(&row.person_max));
            let org = amount(&row.org_min).zip(amount(&row.org_max));
            match (person, org) {
                _ if level.is_empty() || condition.is_empty() => bad = true,
                (Some(person), Some(org)) if person.0 <= person.1 && org.0 <= org.1 => {
                    bands.push(DiscretionBand {
                        level: level.to_owned(),
                        condition: condition.to_owned(),
                        person,
                        org,
                    });
                }
                _ => bad = true,
            }
        }
        if bad {
            errors.add(
                "bands",
                "band_invalid",
                "每一档须写明档次、情形，以及公民和单位的金额下限、上限（下限不大于上限）",
            );
            return Vec::new();
        }
        let inside = |(a, b): (i64, i64), (min, max): (i64, i64)| min <= a && b <= max;
        if let Some(band) = bands
            .iter()
            .find(|b| !(b.is_no_penalty() || inside(b.person, person_range) && inside(b.org, org_range)))
        {
            errors.add(
                "bands",
                "band_outside_range",
                format!(
                    "“{}”档超出法定罚款幅度（裁量基准只能在法定幅度内细化，行政处罚法第三十四条）",
                    band.level
                ),
            );
        }
        for person in [true, false] {
            let mut spans: Vec<(i64, i64)> =
                bands.iter().map(|b| if person { b.person } else { b.org }).collect();
            spans.sort();
            if spans.windows(2).any(|w| w[1].0 <= w[0].1) {
                errors.add("bands", "bands_overlap", "各档金额区间不得重叠，每个案件只能落入一档");
                break;
            }
        }
        bands
    }
}

/// A statutory range: both bounds or neither.
fn range(errors: &mut FieldErrors, min: &str, max: &str, field: &'static str) -> Option<(i64, i64)> {
    match (min.trim().is_empty(), max.trim().is_empty()) {
        (true, true) => None,
        _ => match (parse_yuan(min), parse_yuan(max)) {
            (Some(a), Some(b)) if a <= b => Some((a, b)),
            _ => {
                errors.add(
                    field,
                    "range_invalid",
                    "罚款幅度须同时填写下限和上限（元，下限不大于上限）；法律未规定固定数额的两项都留空",
                );
                None
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Art. 37 (从旧兼从轻): the old range unless the new one is lighter; a heavier new range
    /// never reaches back to an earlier act.
    #[test]
    fn a_decision_applies_the_old_range_unless_the_new_one_is_lighter() {
        let range = |a: Option<(i64, i64)>, b: Option<(i64, i64)>| {
            applicable_range(a, b).map(|r| (r.min, r.max, r.basis))
        };
        let old = Some((100, 2_000));
        for (new, want) in [
            (Some((100, 2_000)), Some((100, 2_000, RangeBasis::ActTime))),
            (Some((200, 5_000)), Some((100, 2_000, RangeBasis::ActTime))),
            (Some((50, 5_000)), Some((100, 2_000, RangeBasis::ActTime))),
            (Some((500, 1_000)), Some((500, 1_000, RangeBasis::LighterNew))),
            (Some((50, 2_000)), Some((50, 2_000, RangeBasis::LighterNew))),
            (None, Some((100, 2_000, RangeBasis::ActTime))),
        ] {
            assert_eq!(range(old, new), want, "new {new:?}");
        }
        assert_eq!(range(None, Some((1, 2))), Some((1, 2, RangeBasis::OnlyKnown)));
        assert_eq!(range(None, None), None);
    }

    /// The bands shown with a range are its own version's: the act's day's unless the range
    /// of the decision's day applies.
    #[test]
    fn bands_come_from_the_version_whose_range_applies() {
        let basis = |a, b| applicable_range(a, b).unwrap().basis.decision_time();
        assert!(!basis(Some((100, 2_000)), Some((200, 5_000))), "heavier new range: the old version");
        assert!(!basis(Some((100, 2_000)), None), "no range now: the old version");
        assert!(basis(Some((100, 2_000)), Some((100, 1_000))), "lighter new range: the new version");
        assert!(basis(None, Some((100, 1_000))), "only the new version has a range");
    }

    #[test]
    fn a_band_reads_as_one_line_for_a_kind_of_party() {
        let band = DiscretionBand {
            level: "一档".into(),
            condition: "首次违法".into(),
            person: (5_000, 20_000),
            org: (100_000, 500_000),
        };
        assert_eq!(band.line_zh(false), "一档（首次违法）：50.00–200.00 元");
        assert_eq!(band.line_zh(true), "一档（首次违法）：1000.00–5000.00 元");
        assert_eq!(band.both_zh(), "一档（首次违法）：公民 50.00–200.00 元，单位 1000.00–5000.00 元");
        let none = DiscretionBand { person: (0, 0), org: (0, 0), ..band };
        assert_eq!(none.line_zh(true), "一档（首次违法）：不予处罚（行政处罚法第三十三条）");
        assert_eq!(none.both_zh(), none.line_zh(false));
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    }

    #[test]
    fn a_change_takes_effect_today_unless_a_day_is_given() {
        let on = |text: &str| {
            let input = ItemInput { effective_from: text.into(), ..vending() };
            input.parse(&categories(), today()).map(|(_, day)| day).map_err(|e| e.iter().next().unwrap().code)
        };
        assert_eq!(on(""), Ok(today()));
        assert_eq!(on("2027-01-01"), Ok(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()));
        assert_eq!(on("2027-13-01"), Err("date_invalid"));
    }

    fn vending() -> ItemInput {
        ItemInput {
            code: "zl-zd-009".into(),
            category: "street_vending".into(),
            name: "擅自占用城市道路设摊经营".into(),
            violated: "《城市道路管理条例》第二十七条".into(),
            penalty_basis: "《城市道路管理条例》第四十二条".into(),
            fine_min_person: "0.01".into(),
            fine_max_person: "20,000".into(),
            fine_min_org: "0.01".into(),
            fine_max_org: "20000".into(),
            bands: vec![
                BandInput {
                    level: "轻微".into(),
                    condition: "首次、当场改正".into(),
                    person_min: "0".into(),
                    person_max: "0".into(),
                    org_min: "0".into(),
                    org_max: "0".into(),
                },
                BandInput {
                    level: "一般".into(),
                    condition: "经劝导后改正".into(),
                    person_min: "0.01".into(),
                    person_max: "200".into(),
                    org_min: "0.01".into(),
                    org_max: "1000".into(),
                },
                BandInput::default(),
            ],
            responsible_unit: "各执法中队".into(),
            status: "verified".into(),
            note: String::new(),
            active: true,
            effective_from: String::new(),
        }
    }

    fn categories() -> Vec<String> {
        vec!["street_vending".to_owned()]
    }

    fn codes(input: &ItemInput) -> Vec<&'static str> {
        input.parse(&categories(), today()).unwrap_err().iter().map(|e| e.code).collect()
    }

    #[test]
    fn a_complete_item_parses_with_its_bands_and_the_no_penalty_band() {
        let spec = vending().parse(&categories(), today()).unwrap().0;
        assert_eq!(spec.code, "ZL-ZD-009");
        assert_eq!(spec.fine_person, Some((1, 2_000_000)));
        assert_eq!(spec.bands.len(), 2, "the blank row is dropped");
        assert!(spec.bands[0].is_no_penalty());
        assert_eq!(
            ItemInput::of(&spec).parse(&categories(), today()).unwrap().0,
            spec,
            "the form round-trips"
        );
    }

    #[test]
    fn a_band_may_not_leave_the_statutory_range() {
        let mut input = vending();
        input.bands[1].org_max = "30000".into();
        assert_eq!(codes(&input), ["band_outside_range"]);
    }

    #[test]
    fn bands_may_not_overlap() {
        let mut input = vending();
        input.bands[2] = BandInput {
            level: "较重".into(),
            condition: "拒不改正".into(),
            person_min: "200".into(),
            person_max: "20000".into(),
            org_min: "1000.01".into(),
            org_max: "20000".into(),
        };
        assert_eq!(codes(&input), ["bands_overlap"]);
        input.bands[2].person_min = "200.01".into();
        assert!(input.parse(&categories(), today()).is_ok());
    }

    #[test]
    fn bands_need_a_fixed_range_and_ranges_need_both_ends() {
        let mut input = vending();
        input.fine_min_org.clear();
        assert_eq!(codes(&input), ["range_invalid", "bands_need_range"]);
        input.fine_max_org.clear();
        assert_eq!(codes(&input), ["bands_need_range"]);
        input.bands.clear();
        assert!(input.parse(&categories(), today()).is_ok(), "an item without fixed amounts has no bands");
    }

    #[test]
    fn every_field_error_is_named() {
        let input = ItemInput {
            code: "x".into(),
            fine_min_person: "500".into(),
            fine_max_person: "100".into(),
            bands: vec![BandInput { level: "一般".into(), ..BandInput::default() }],
            status: "maybe".into(),
            ..ItemInput::default()
        };
        assert_eq!(
            codes(&input),
            [
                "code_invalid",
                "category_unknown",
                "required",
                "required",
                "required",
                "range_invalid",
                "bands_need_range",
                "status_invalid"
            ]
        );
    }
}
