//! 管理重心前移 (issue 18 scope 5; plan §三（三）1): stepping in before the shops of a new road
//! or estate open. The squad registers the new site and its shop fronts, serves each shop's
//! operator a 提前告知书 saying which permits and procedures apply and where to get them, goes
//! back to see how the shop is doing, and records what became of it: it complied, or it ended
//! in a case, or it never opened.
//!
//! The requirements a notice lists come from [`requirements`], one table per trade with the
//! department that handles each and the article behind it, so that every notice says the same
//! thing for the same trade. A shop's history is a list of events ([`ShopEvent`]) folded into
//! its state ([`state`]) and checked one by one ([`check`]), as 三步走 is.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::fields::{FieldErrors, date, line, text};

/// How long after a notice (or the last visit) the squad goes back to a shop not yet settled,
/// in calendar days. Not a number of the law: the bureau's practice of a monthly follow-up
/// while a new site fills up.
pub const FOLLOW_UP_DAYS: i64 = 30;

/// A new road or a new estate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SiteKind {
    /// 新建道路
    Road,
    /// 新建小区
    Estate,
}

impl SiteKind {
    pub fn parse(code: &str) -> Option<SiteKind> {
        match code {
            "road" => Some(SiteKind::Road),
            "estate" => Some(SiteKind::Estate),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            SiteKind::Road => "road",
            SiteKind::Estate => "estate",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            SiteKind::Road => "新建道路",
            SiteKind::Estate => "新建小区",
        }
    }
}

/// A new site as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct SiteInput {
    /// `road` or `estate`.
    #[schema(example = "estate")]
    pub kind: String,
    #[schema(max_length = 100, pattern = "\\S")]
    pub name: String,
    /// The squad whose area it is in.
    #[schema(max_length = 64, pattern = "\\S")]
    pub unit_id: String,
    /// Where it is (from which road to which, or the estate's address).
    #[schema(max_length = 200, pattern = "\\S")]
    pub location: String,
    /// `YYYY-MM-DD`: the day the road opens to traffic or the estate is handed over (may be
    /// ahead: stepping in early is the point).
    #[schema(value_type = String, format = Date)]
    pub opens_on: String,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Site {
    pub kind: SiteKind,
    pub name: String,
    pub unit_id: String,
    pub location: String,
    #[schema(value_type = String, format = Date)]
    pub opens_on: NaiveDate,
    pub note: String,
}

impl SiteInput {
    pub fn parse(&self) -> Result<Site, FieldErrors> {
        let mut errors = FieldErrors::default();
        let kind = SiteKind::parse(self.kind.trim());
        if kind.is_none() {
            errors.add("kind", "invalid_value", "请选择新建道路或新建小区");
        }
        let name = line(&mut errors, "name", &self.name, 100, "请填写道路或小区名称");
        let unit_id = line(&mut errors, "unit_id", &self.unit_id, 64, "请选择所属中队");
        let location = line(&mut errors, "location", &self.location, 200, "请填写位置");
        let opens_on = date(&mut errors, "opens_on", &self.opens_on, "通车或交付日期");
        let note = text(&mut errors, "note", &self.note, 500);
        errors.into_result()?;
        Ok(Site {
            kind: kind.expect("checked"),
            name,
            unit_id,
            location,
            opens_on: opens_on.expect("checked"),
            note,
        })
    }
}

/// What a shop front will be used for, which decides what the notice lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Trade {
    /// 餐饮
    Catering,
    /// 零售（超市、便利店、果蔬）
    Retail,
    /// 生活服务（美容美发、洗衣、维修）
    Services,
    /// 机动车维修、洗车
    Vehicles,
    /// 其他
    Other,
}

impl Trade {
    pub const ALL: [Trade; 5] =
        [Trade::Catering, Trade::Retail, Trade::Services, Trade::Vehicles, Trade::Other];

    pub fn parse(code: &str) -> Option<Trade> {
        Trade::ALL.into_iter().find(|t| t.code() == code)
    }
    pub fn code(self) -> &'static str {
        match self {
            Trade::Catering => "catering",
            Trade::Retail => "retail",
            Trade::Services => "services",
            Trade::Vehicles => "vehicles",
            Trade::Other => "other",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Trade::Catering => "餐饮",
            Trade::Retail => "零售",
            Trade::Services => "生活服务",
            Trade::Vehicles => "机动车维修、洗车",
            Trade::Other => "其他",
        }
    }
}

/// One thing a shop must do or obtain before and while it trades.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Requirement {
    pub code: &'static str,
    /// What to do, in the words of the notice.
    pub what: &'static str,
    /// Where to do it.
    pub department: &'static str,
    /// The rule behind it.
    pub basis: &'static str,
}

/// Every shop: registration before trading.
pub const REGISTRATION: Requirement = Requirement {
    code: "registration",
    what: "办理营业执照（市场主体登记）后方可开业经营",
    department: "区市场监督管理局（政务服务中心）",
    basis: "《中华人民共和国市场主体登记管理条例》第三条",
};
/// Every shop: the sign over the door.
pub const SIGNBOARD: Requirement = Requirement {
    code: "signboard",
    what: "设置户外招牌、广告应符合设置规范，大型户外广告须经审批",
    department: "区城市管理局",
    basis: "《城市市容和环境卫生管理条例》第十一条",
};
/// Every shop: nothing on the pavement.
pub const NO_ROAD_USE: Requirement = Requirement {
    code: "no_road_use",
    what: "在店内经营，不得占用道路、人行道堆放物品或设摊；确需临时占用城市道路的须经批准",
    department: "区城市管理局、公安交通管理部门",
    basis: "《城市道路管理条例》第三十一条",
};
/// Every shop: fitting-out waste.
pub const FIT_OUT_WASTE: Requirement = Requirement {
    code: "fit_out_waste",
    what: "装修产生的建筑垃圾须办理处置核准，交核准的运输单位运至指定场所，不得随意倾倒",
    department: "区城市管理局",
    basis: "《城市建筑垃圾管理规定》（建设部令第139号）第七条",
};
/// Catering: the food licence.
pub const FOOD_LICENCE: Requirement = Requirement {
    code: "food_licence",
    what: "从事餐饮服务须取得食品经营许可证",
    department: "区市场监督管理局",
    basis: "《中华人民共和国食品安全法》第三十五条",
};
/// Catering: fumes.
pub const FUMES: Requirement = Requirement {
    code: "fumes",
    what: "安装油烟净化设施并保持正常使用；居民住宅楼、未配套设立专用烟道的商住综合楼及其相邻楼层不得新建产生油烟的餐饮项目",
    department: "区城市管理局、生态环境部门",
    basis: "《中华人民共和国大气污染防治法》第八十一条",
};
/// Retail and services: no loudspeakers.
pub const NO_LOUDSPEAKERS: Requirement = Requirement {
    code: "no_loudspeakers",
    what: "不得在商业经营活动中使用高音广播喇叭或者以其他持续反复发出高噪声的方法招揽顾客",
    department: "区城市管理局",
    basis: "《中华人民共和国噪声污染防治法》第六十四条",
};

/// What the notice lists for a shop of `trade`: every shop's four, and the trade's own.
pub fn requirements(trade: Trade) -> Vec<Requirement> {
    match trade {
        Trade::Catering => vec![REGISTRATION, FOOD_LICENCE, FUMES, SIGNBOARD, NO_ROAD_USE, FIT_OUT_WASTE],
        Trade::Retail | Trade::Services => {
            vec![REGISTRATION, SIGNBOARD, NO_ROAD_USE, NO_LOUDSPEAKERS, FIT_OUT_WASTE]
        }
        // Repairing or washing vehicles on the road is what these shops are met for: said first.
        Trade::Vehicles => vec![NO_ROAD_USE, REGISTRATION, SIGNBOARD, FIT_OUT_WASTE],
        Trade::Other => vec![REGISTRATION, SIGNBOARD, NO_ROAD_USE, FIT_OUT_WASTE],
    }
}

/// A shop front as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ShopInput {
    /// The front's number or 门牌 (3 幢 102 室、金鹰路 18 号).
    #[schema(max_length = 50, pattern = "\\S")]
    pub label: String,
    /// The name over the door, once known.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub name: String,
    /// `catering`, `retail`, `services`, `vehicles` or `other`.
    #[schema(example = "catering")]
    pub trade: String,
    /// The operator's file in the party registry, once known (empty: not yet).
    #[serde(default)]
    #[schema(max_length = 64)]
    pub party_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Shop {
    pub label: String,
    pub name: String,
    pub trade: Trade,
    pub party_id: Option<String>,
}

impl ShopInput {
    pub fn parse(&self) -> Result<Shop, FieldErrors> {
        let mut errors = FieldErrors::default();
        let label = line(&mut errors, "label", &self.label, 50, "请填写门牌或铺位号");
        let name = text(&mut errors, "name", &self.name.replace(['\r', '\n'], " "), 100);
        let trade = Trade::parse(self.trade.trim());
        if trade.is_none() {
            errors.add("trade", "invalid_value", "请选择经营类别");
        }
        let party = self.party_id.trim();
        if party.chars().count() > 64 {
            errors.add("party_id", "invalid_value", "当事人档案编号不超过 64 个字符");
        }
        errors.into_result()?;
        Ok(Shop {
            label,
            name,
            trade: trade.expect("checked"),
            party_id: Some(party.to_owned()).filter(|p| !p.is_empty()),
        })
    }
}

/// What became of a shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ShopOutcome {
    /// 已依法办理手续、规范经营
    Complied,
    /// 违法经营，已立案查处 (with the case)
    Cased,
    /// 未开业或已歇业、转让
    NotOpened,
}

impl ShopOutcome {
    pub fn parse(code: &str) -> Option<ShopOutcome> {
        match code {
            "complied" => Some(ShopOutcome::Complied),
            "cased" => Some(ShopOutcome::Cased),
            "not_opened" => Some(ShopOutcome::NotOpened),
            _ => None,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            ShopOutcome::Complied => "complied",
            ShopOutcome::Cased => "cased",
            ShopOutcome::NotOpened => "not_opened",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            ShopOutcome::Complied => "已办理手续、规范经营",
            ShopOutcome::Cased => "违法经营，已立案查处",
            ShopOutcome::NotOpened => "未开业或已歇业",
        }
    }
}

/// What happened at a shop, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ShopEvent {
    /// The 提前告知书 served: when, by whom, the requirements it listed (their codes).
    Notified {
        #[schema(value_type = String, format = Date)]
        on: NaiveDate,
        by: String,
        requirements: Vec<String>,
        note: String,
    },
    /// A follow-up visit (回访): what was found.
    Visited {
        #[schema(value_type = String, format = Date)]
        on: NaiveDate,
        by: String,
        finding: String,
    },
    /// What became of the shop; `case_id` when it ended in a case.
    Settled {
        #[schema(value_type = String, format = Date)]
        on: NaiveDate,
        outcome: ShopOutcome,
        note: String,
        case_id: Option<String>,
    },
}

impl ShopEvent {
    pub fn on(&self) -> NaiveDate {
        match self {
            ShopEvent::Notified { on, .. }
            | ShopEvent::Visited { on, .. }
            | ShopEvent::Settled { on, .. } => *on,
        }
    }
}

/// Where a shop stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ShopState {
    /// Registered, no notice served yet.
    Registered,
    /// Notified (and perhaps visited): the next visit is due by `due`.
    FollowingUp {
        #[schema(value_type = String, format = Date)]
        notified_on: NaiveDate,
        visits: u32,
        #[schema(value_type = String, format = Date)]
        due: NaiveDate,
    },
    Settled {
        outcome: ShopOutcome,
        #[schema(value_type = String, format = Date)]
        on: NaiveDate,
    },
}

impl ShopState {
    pub fn code(&self) -> &'static str {
        match self {
            ShopState::Registered => "registered",
            ShopState::FollowingUp { .. } => "following_up",
            ShopState::Settled { .. } => "settled",
        }
    }

    pub fn name_zh(&self) -> String {
        match self {
            ShopState::Registered => "未告知".to_owned(),
            ShopState::FollowingUp { visits: 0, due, .. } => format!("已告知，待 {due} 前回访"),
            ShopState::FollowingUp { visits, due, .. } => format!("已回访 {visits} 次，待 {due} 前再回访"),
            ShopState::Settled { outcome, .. } => outcome.name_zh().to_owned(),
        }
    }

    /// The day a follow-up visit is due, while one is.
    pub fn due(&self) -> Option<NaiveDate> {
        match self {
            ShopState::FollowingUp { due, .. } => Some(*due),
            _ => None,
        }
    }

    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.due().is_some_and(|due| due < today)
    }
}

/// Folds a shop's events into its state.
pub fn state(events: &[ShopEvent]) -> ShopState {
    let mut current = ShopState::Registered;
    for event in events {
        current = match (event, &current) {
            (ShopEvent::Notified { on, .. }, _) => ShopState::FollowingUp {
                notified_on: *on,
                visits: 0,
                due: *on + chrono::Duration::days(FOLLOW_UP_DAYS),
            },
            (ShopEvent::Visited { on, .. }, ShopState::FollowingUp { notified_on, visits, .. }) => {
                ShopState::FollowingUp {
                    notified_on: *notified_on,
                    visits: visits + 1,
                    due: *on + chrono::Duration::days(FOLLOW_UP_DAYS),
                }
            }
            (ShopEvent::Visited { .. }, other) => other.clone(),
            (ShopEvent::Settled { on, outcome, .. }, _) => ShopState::Settled { outcome: *outcome, on: *on },
        };
    }
    current
}

/// Why an event does not follow from a shop's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopRefusal {
    pub code: &'static str,
    pub message_zh: &'static str,
}

/// Whether `event` may follow `events` on `today`: the notice first and once, visits after
/// it, an outcome only after a visit has seen the shop (or, for a shop that never opened,
/// after the notice), nothing after the outcome, nothing in the future or before the last
/// event.
pub fn check(events: &[ShopEvent], event: &ShopEvent, today: NaiveDate) -> Result<(), ShopRefusal> {
    let refuse = |code, message_zh| Err(ShopRefusal { code, message_zh });
    if event.on() > today {
        return refuse("in_future", "日期不能晚于今天");
    }
    if events.last().is_some_and(|last| event.on() < last.on()) {
        return refuse("before_last_event", "日期不能早于上一次登记");
    }
    match (state(events), event) {
        (ShopState::Settled { .. }, _) => refuse("shop_settled", "该店铺已有结果，不能再登记"),
        (ShopState::Registered, ShopEvent::Notified { .. }) => Ok(()),
        (ShopState::Registered, _) => refuse("notice_first", "请先送达提前告知书"),
        (ShopState::FollowingUp { .. }, ShopEvent::Notified { .. }) => {
            refuse("already_notified", "该店铺已送达提前告知书")
        }
        (ShopState::FollowingUp { .. }, ShopEvent::Visited { .. }) => Ok(()),
        (ShopState::FollowingUp { visits: 0, .. }, ShopEvent::Settled { outcome, .. })
            if *outcome != ShopOutcome::NotOpened =>
        {
            refuse("visit_first", "请先回访，看到店铺经营情况后再登记结果")
        }
        (ShopState::FollowingUp { .. }, ShopEvent::Settled { .. }) => Ok(()),
    }
}

/// The notice served, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NoticeInput {
    #[schema(value_type = String, format = Date)]
    pub on: String,
    /// Who served it (the officers' names).
    #[schema(max_length = 100, pattern = "\\S")]
    pub by: String,
    /// Anything the squad adds (a local rule, the squad's phone).
    #[serde(default)]
    #[schema(max_length = 500)]
    pub note: String,
}

/// A visit or an outcome, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct VisitInput {
    #[schema(value_type = String, format = Date)]
    pub on: String,
    #[schema(max_length = 100, pattern = "\\S")]
    pub by: String,
    /// What was found: permits obtained, signs, fumes, goods outside.
    #[schema(max_length = 1000, pattern = "\\S")]
    pub finding: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct OutcomeInput {
    #[schema(value_type = String, format = Date)]
    pub on: String,
    /// `complied`, `cased` or `not_opened`.
    #[schema(example = "complied")]
    pub outcome: String,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub note: String,
    /// With `cased`: the case opened on the shop.
    #[serde(default)]
    #[schema(max_length = 64)]
    pub case_id: String,
}

impl NoticeInput {
    pub fn parse(&self, trade: Trade) -> Result<ShopEvent, FieldErrors> {
        let mut errors = FieldErrors::default();
        let on = date(&mut errors, "on", &self.on, "送达日期");
        let by = line(&mut errors, "by", &self.by, 100, "请填写送达人员");
        let note = text(&mut errors, "note", &self.note, 500);
        errors.into_result()?;
        let requirements = requirements(trade).iter().map(|r| r.code.to_owned()).collect();
        Ok(ShopEvent::Notified { on: on.expect("checked"), by, requirements, note })
    }
}

impl VisitInput {
    pub fn parse(&self) -> Result<ShopEvent, FieldErrors> {
        let mut errors = FieldErrors::default();
        let on = date(&mut errors, "on", &self.on, "回访日期");
        let by = line(&mut errors, "by", &self.by, 100, "请填写回访人员");
        let finding =
            line(&mut errors, "finding", &self.finding.replace(['\r', '\n'], " "), 1000, "请填写回访情况");
        errors.into_result()?;
        Ok(ShopEvent::Visited { on: on.expect("checked"), by, finding })
    }
}

impl OutcomeInput {
    /// The outcome; a case's id is checked against the case register by the caller.
    pub fn parse(&self) -> Result<ShopEvent, FieldErrors> {
        let mut errors = FieldErrors::default();
        let on = date(&mut errors, "on", &self.on, "日期");
        let outcome = ShopOutcome::parse(self.outcome.trim());
        if outcome.is_none() {
            errors.add("outcome", "invalid_value", "请选择结果");
        }
        let note = text(&mut errors, "note", &self.note, 500);
        let case_id = self.case_id.trim();
        match outcome {
            Some(ShopOutcome::Cased) if case_id.is_empty() => {
                errors.add("case_id", "case_required", "立案查处的，请选择所立案件");
            }
            Some(ShopOutcome::Complied | ShopOutcome::NotOpened) if !case_id.is_empty() => {
                errors.add("case_id", "invalid_value", "只有立案查处的结果才关联案件");
            }
            _ if case_id.chars().count() > 64 => {
                errors.add("case_id", "invalid_value", "案件编号不超过 64 个字符");
            }
            _ => {}
        }
        errors.into_result()?;
        Ok(ShopEvent::Settled {
            on: on.expect("checked"),
            outcome: outcome.expect("checked"),
            note,
            case_id: Some(case_id.to_owned()).filter(|c| !c.is_empty()),
        })
    }
}

/// A site's shops counted by where they stand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SiteCounts {
    pub shops: u32,
    pub notified: u32,
    pub visited: u32,
    pub complied: u32,
    pub cased: u32,
    pub not_opened: u32,
    /// Follow-up visits overdue today.
    pub overdue: u32,
}

pub fn counts<'a>(shops: impl IntoIterator<Item = &'a [ShopEvent]>, today: NaiveDate) -> SiteCounts {
    let mut c = SiteCounts::default();
    for events in shops {
        c.shops += 1;
        c.notified += u32::from(events.iter().any(|e| matches!(e, ShopEvent::Notified { .. })));
        c.visited += u32::from(events.iter().any(|e| matches!(e, ShopEvent::Visited { .. })));
        let now = state(events);
        c.overdue += u32::from(now.overdue(today));
        if let ShopState::Settled { outcome, .. } = now {
            match outcome {
                ShopOutcome::Complied => c.complied += 1,
                ShopOutcome::Cased => c.cased += 1,
                ShopOutcome::NotOpened => c.not_opened += 1,
            }
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn notified(on: &str) -> ShopEvent {
        ShopEvent::Notified { on: d(on), by: "张三".into(), requirements: vec![], note: String::new() }
    }
    fn visited(on: &str) -> ShopEvent {
        ShopEvent::Visited { on: d(on), by: "张三".into(), finding: "已办照".into() }
    }
    fn settled(on: &str, outcome: ShopOutcome) -> ShopEvent {
        ShopEvent::Settled { on: d(on), outcome, note: String::new(), case_id: None }
    }

    #[test]
    fn every_trade_is_told_to_register_and_keep_off_the_road_and_catering_about_food_and_fumes() {
        for trade in Trade::ALL {
            let codes: Vec<&str> = requirements(trade).iter().map(|r| r.code).collect();
            assert!(codes.contains(&"registration") && codes.contains(&"no_road_use"), "{trade:?}");
            let unique: std::collections::HashSet<_> = codes.iter().collect();
            assert_eq!(unique.len(), codes.len(), "{trade:?} lists a requirement twice");
            assert!(
                requirements(trade).iter().all(|r| r.basis.contains('第')),
                "every basis names its article"
            );
        }
        let catering: Vec<&str> = requirements(Trade::Catering).iter().map(|r| r.code).collect();
        assert!(catering.contains(&"food_licence") && catering.contains(&"fumes"));
        assert_eq!(requirements(Trade::Vehicles)[0].code, "no_road_use");
    }

    #[test]
    fn a_shop_is_notified_once_then_visited_then_settled() {
        let today = d("2026-06-30");
        let ok = |events: &[ShopEvent], e: &ShopEvent| check(events, e, today).err().map(|r| r.code);
        assert_eq!(ok(&[], &visited("2026-06-01")), Some("notice_first"));
        assert_eq!(ok(&[], &notified("2026-06-01")), None);
        let once = [notified("2026-06-01")];
        assert_eq!(ok(&once, &notified("2026-06-02")), Some("already_notified"));
        assert_eq!(ok(&once, &settled("2026-06-02", ShopOutcome::Complied)), Some("visit_first"));
        assert_eq!(ok(&once, &settled("2026-06-02", ShopOutcome::NotOpened)), None);
        assert_eq!(ok(&once, &visited("2026-05-31")), Some("before_last_event"));
        assert_eq!(ok(&once, &visited("2026-07-01")), Some("in_future"));
        let visited_once = [notified("2026-06-01"), visited("2026-06-20")];
        assert_eq!(ok(&visited_once, &settled("2026-06-20", ShopOutcome::Complied)), None);
        let done =
            [notified("2026-06-01"), visited("2026-06-20"), settled("2026-06-21", ShopOutcome::Complied)];
        assert_eq!(ok(&done, &visited("2026-06-22")), Some("shop_settled"));
    }

    #[test]
    fn a_visit_is_due_a_month_after_the_notice_or_the_last_visit() {
        let s = state(&[notified("2026-06-01")]);
        assert_eq!(s.due(), Some(d("2026-07-01")));
        assert!(!s.overdue(d("2026-07-01")) && s.overdue(d("2026-07-02")));
        let s = state(&[notified("2026-06-01"), visited("2026-06-20")]);
        assert_eq!(
            s,
            ShopState::FollowingUp { notified_on: d("2026-06-01"), visits: 1, due: d("2026-07-20") }
        );
        assert_eq!(
            state(&[notified("2026-06-01"), settled("2026-06-02", ShopOutcome::NotOpened)]).due(),
            None
        );
    }

    #[test]
    fn an_outcome_of_a_case_names_the_case_and_no_other_outcome_does() {
        let input = OutcomeInput { on: "2026-06-01".into(), outcome: "cased".into(), ..Default::default() };
        assert_eq!(input.parse().unwrap_err().iter().next().unwrap().code, "case_required");
        let input = OutcomeInput { outcome: "complied".into(), case_id: "c1".into(), ..input };
        assert_eq!(input.parse().unwrap_err().iter().next().unwrap().field, "case_id");
    }

    #[test]
    fn a_site_counts_its_shops_by_where_they_stand() {
        let a = [notified("2026-06-01"), visited("2026-06-10"), settled("2026-06-11", ShopOutcome::Complied)];
        let b = [notified("2026-05-01")];
        let c: [ShopEvent; 0] = [];
        let counts = counts([&a[..], &b[..], &c[..]], d("2026-06-30"));
        assert_eq!(
            counts,
            SiteCounts {
                shops: 3,
                notified: 2,
                visited: 1,
                complied: 1,
                cased: 0,
                not_opened: 0,
                overdue: 1
            }
        );
    }
}
