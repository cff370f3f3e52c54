//! Enforcement cases (行政处罚案件) as a state machine.
//!
//! A [`Case`] is the whole state of one case; [`apply`] takes it, one [`Command`], the actor and
//! the facts the store looked up (who holds a valid certificate, the calendar, the province's
//! rules) and returns the next state with the [`Event`] that records the step, or a [`Refusal`]
//! that names the rule (article and plain words) and changes nothing. Every guard of the law
//! lives here, so the UI, the API and the tests meet the same rules.
//!
//! The general procedure (普通程序, 行政处罚法 Arts. 54–65) runs
//! 线索 → 立案 → 调查取证 → 审查 → 事先告知 → 陈述申辩 / 听证 → 决定 → 送达 → 执行 → 结案;
//! the simple procedure (简易程序, Arts. 51–52) opens already decided on the spot.

pub mod clocks;
mod command;
pub mod compulsory;
pub mod documents;
pub mod items;
mod offered;
pub mod opening;
pub mod rules;
use std::collections::HashMap;

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::domain::access::{Role, RoleSet};
use crate::domain::calendar::{CalendarError, WorkCalendar};
use crate::domain::org::{CertificateStatus, Employment, certificate_standing};
use rules::*;

pub use command::{Command, CommandKind, command_name_zh, step_field};
pub use compulsory::{
    Clearance, CompulsoryMeasure, CorrectionOrder, Deferral, DeferralSubject, Substitute, SubstituteGround,
};
pub use offered::offered_steps;

/// Which procedure the case follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Procedure {
    /// 简易程序 (行政处罚法 Arts. 51–52): decided on the spot.
    Simple,
    /// 普通程序 (Arts. 54–65).
    General,
}

impl Procedure {
    /// The procedure a code names (`general`, `simple`).
    pub fn parse(code: &str) -> Option<Procedure> {
        [Procedure::General, Procedure::Simple].into_iter().find(|p| p.code() == code)
    }
    pub fn code(self) -> &'static str {
        match self {
            Procedure::Simple => "simple",
            Procedure::General => "general",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Procedure::Simple => "简易程序",
            Procedure::General => "普通程序",
        }
    }
}

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 线索: found or reported, being checked before filing.
    Clue,
    /// 调查取证: filed, officers gathering evidence.
    Investigation,
    /// 审查: a proposed outcome is under review (法制审核, 集体讨论 where required).
    Review,
    /// 告知: the party has been told of the proposed penalty and its rights.
    Notified,
    /// 决定: decided, to be served.
    Decided,
    /// 执行: served; the party performs (pays) or the bureau enforces.
    Execution,
    /// 结案
    Closed,
    /// 不予立案: the lead was checked and not filed.
    NotFiled,
}

impl Stage {
    pub const ALL: [Stage; 8] = [
        Stage::Clue,
        Stage::Investigation,
        Stage::Review,
        Stage::Notified,
        Stage::Decided,
        Stage::Execution,
        Stage::Closed,
        Stage::NotFiled,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Stage::Clue => "clue",
            Stage::Investigation => "investigation",
            Stage::Review => "review",
            Stage::Notified => "notified",
            Stage::Decided => "decided",
            Stage::Execution => "execution",
            Stage::Closed => "closed",
            Stage::NotFiled => "not_filed",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Stage::Clue => "线索核查",
            Stage::Investigation => "调查取证",
            Stage::Review => "审查",
            Stage::Notified => "已告知",
            Stage::Decided => "已决定",
            Stage::Execution => "执行",
            Stage::Closed => "已结案",
            Stage::NotFiled => "不予立案",
        }
    }
    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|x| x.code() == s)
    }
    pub fn is_open(self) -> bool {
        !matches!(self, Stage::Closed | Stage::NotFiled)
    }
}

/// Kinds of penalty a 城管 bureau imposes (行政处罚法 Art. 9, as far as its powers go).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PenaltyKind {
    /// 警告
    Warning,
    /// 罚款
    Fine,
    /// 没收违法所得、没收非法财物
    Confiscation,
    /// 责令停产停业
    SuspendBusiness,
    /// 限期拆除 (城乡规划法 Art. 64), heard like a heavy penalty.
    Demolition,
}

impl PenaltyKind {
    pub const ALL: [PenaltyKind; 5] = [
        PenaltyKind::Warning,
        PenaltyKind::Fine,
        PenaltyKind::Confiscation,
        PenaltyKind::SuspendBusiness,
        PenaltyKind::Demolition,
    ];
    pub fn code(self) -> &'static str {
        match self {
            PenaltyKind::Warning => "warning",
            PenaltyKind::Fine => "fine",
            PenaltyKind::Confiscation => "confiscation",
            PenaltyKind::SuspendBusiness => "suspend_business",
            PenaltyKind::Demolition => "demolition",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            PenaltyKind::Warning => "警告",
            PenaltyKind::Fine => "罚款",
            PenaltyKind::Confiscation => "没收违法所得、非法财物",
            PenaltyKind::SuspendBusiness => "责令停产停业",
            PenaltyKind::Demolition => "限期拆除",
        }
    }
    pub fn parse(s: &str) -> Option<PenaltyKind> {
        PenaltyKind::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// What the bureau proposes and, later, decides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Penalty {
    pub kinds: Vec<PenaltyKind>,
    /// The fine in fen; 0 when no fine.
    pub fine_fen: i64,
    /// The value of what is confiscated, in fen.
    pub confiscation_fen: i64,
}

impl Penalty {
    fn is_heavier_than(&self, other: &Penalty) -> bool {
        self.fine_fen > other.fine_fen
            || self.confiscation_fen > other.confiscation_fen
            || self.kinds.iter().any(|k| !other.kinds.contains(k))
    }

    pub fn summary_zh(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        for kind in &self.kinds {
            match kind {
                PenaltyKind::Fine => parts.push(format!("罚款 {} 元", yuan(self.fine_fen))),
                PenaltyKind::Confiscation => {
                    parts.push(format!("没收（价值 {} 元）", yuan(self.confiscation_fen)))
                }
                other => parts.push(other.name_zh().to_owned()),
            }
        }
        if parts.is_empty() { "无".to_owned() } else { parts.join("、") }
    }
}

/// The outcome of a case (行政处罚法 Art. 57).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 给予行政处罚
    Penalty,
    /// 不予行政处罚 (Art. 33 minor / first offence, Art. 57(2)(3)); the party must be educated.
    NoPenalty,
    /// 移送司法机关 (Art. 57(4), Art. 27).
    Transfer,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Penalty => "penalty",
            Outcome::NoPenalty => "no_penalty",
            Outcome::Transfer => "transfer",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Outcome::Penalty => "给予行政处罚",
            Outcome::NoPenalty => "不予行政处罚",
            Outcome::Transfer => "移送司法机关",
        }
    }
    pub fn parse(s: &str) -> Option<Outcome> {
        [Outcome::Penalty, Outcome::NoPenalty, Outcome::Transfer].into_iter().find(|o| o.code() == s)
    }
}

/// The hearing, where the party has the right to one (行政处罚法 Arts. 63–65).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Hearing {
    None,
    Requested {
        on: NaiveDate,
    },
    Scheduled {
        requested_on: NaiveDate,
        notice_on: NaiveDate,
        hearing_on: NaiveDate,
        presider: String,
        /// Where the hearing is held (the 听证通知书 states time and place, Art. 64(2)).
        #[serde(default)]
        place: String,
    },
    Held {
        on: NaiveDate,
        presider: String,
    },
    /// The party did not come without good reason: treated as a waiver (Art. 64(8)).
    NoShow {
        on: NaiveDate,
    },
}

/// A time left out of the 90 days of Art. 60: both days included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExcludedSpan {
    pub kind: rules::ExcludedPeriod,
    pub from: NaiveDate,
    pub to: NaiveDate,
    #[serde(default)]
    pub note: String,
}

/// A recorded legal review (法制审核, 行政处罚法 Art. 58).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalReview {
    pub reviewer: String,
    pub on: NaiveDate,
    pub passed: bool,
    /// Each point of [`REVIEW_CHECKLIST`], in order, as the 法制审核意见书 states it.
    #[serde(default)]
    pub checklist: Vec<bool>,
    #[serde(default)]
    pub opinion: String,
}

/// The recorded 集体讨论 (行政处罚法 Art. 57 ¶2), as the 集体讨论笔录 states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discussion {
    pub on: NaiveDate,
    /// The people present, by id.
    pub attendees: Vec<String>,
    pub conclusion: String,
}

/// What the legal reviewer checks (国办发〔2018〕118号; law-and-standards §1.3(c)). Each point is
/// answered; the review passes only if every point holds.
pub const REVIEW_CHECKLIST: [(&str, &str); 8] = [
    ("authority", "执法主体合法、未超越法定权限"),
    ("qualification", "执法人员具备执法资格"),
    ("procedure", "程序合法"),
    ("facts", "事实清楚、证据合法充分"),
    ("law", "适用法律准确"),
    ("discretion", "裁量基准运用适当"),
    ("documents", "执法文书完备规范"),
    ("no_crime", "不涉嫌犯罪、无需移送司法机关"),
];

/// One investigative act (调查取证) with the officers who took it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Act {
    pub kind: ActKind,
    pub on: NaiveDate,
    pub officers: Vec<String>,
    /// What was found or said, as the 笔录 records it.
    #[serde(default)]
    pub summary: String,
    /// 先行登记保存: when the bureau decided what becomes of the preserved evidence, and what.
    #[serde(default)]
    pub handled_on: Option<NaiveDate>,
    #[serde(default)]
    pub handling: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActKind {
    /// 现场检查（勘验）
    Inspection,
    /// 询问
    Interview,
    /// 抽样取证
    Sampling,
    /// 先行登记保存 (Art. 56)
    Preservation,
    /// 其他调查
    Other,
}

impl ActKind {
    pub const ALL: [ActKind; 5] =
        [ActKind::Inspection, ActKind::Interview, ActKind::Sampling, ActKind::Preservation, ActKind::Other];
    pub fn code(self) -> &'static str {
        match self {
            ActKind::Inspection => "inspection",
            ActKind::Interview => "interview",
            ActKind::Sampling => "sampling",
            ActKind::Preservation => "preservation",
            ActKind::Other => "other",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            ActKind::Inspection => "现场检查（勘验）",
            ActKind::Interview => "询问",
            ActKind::Sampling => "抽样取证",
            ActKind::Preservation => "先行登记保存",
            ActKind::Other => "其他调查",
        }
    }
    pub fn parse(s: &str) -> Option<ActKind> {
        ActKind::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// What the investigation established, as the decision will state it (行政处罚法 Art. 59(2)(3)).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Findings {
    /// 违法事实: when, where, what, how much.
    pub facts: String,
    /// 证据: each item with its quantity.
    pub evidence: String,
    /// 裁量理由: why this band of the discretion benchmark.
    pub discretion: String,
}

/// The decision as made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub outcome: Outcome,
    pub penalty: Penalty,
    pub on: NaiveDate,
    /// The document number (文号), given by the store when the decision is recorded.
    pub number: String,
}

/// An earlier case of the same party, as far as 初次违法 asks about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorCase<'a> {
    /// The responsibility item (权责清单 code), when the case named one.
    pub item_code: Option<&'a str>,
    pub category: &'a str,
    /// How it was decided, if it was.
    pub outcome: Option<Outcome>,
}

/// 行政处罚法 Art. 33 ¶1 (初次违法且危害后果轻微并及时改正的，可以不予行政处罚): whether this is the
/// party's first violation of this kind — no earlier case of the same kind (the same item of
/// the responsibility list; the same category where either names no item) in which a
/// violation was established. A case decided 不予处罚 established one (the act was unlawful,
/// only not punished), as did a transfer; an open or unfiled case established none.
pub fn first_offence<'a>(
    item_code: Option<&str>,
    category: &str,
    earlier: impl IntoIterator<Item = PriorCase<'a>>,
) -> bool {
    !earlier.into_iter().any(|prior| {
        let same_kind = match (item_code, prior.item_code) {
            (Some(a), Some(b)) => a == b,
            _ => category == prior.category,
        };
        same_kind && prior.outcome.is_some()
    })
}

/// How a decision reaches the party (行政处罚法 Art. 61, which applies 民事诉讼法's rules): a
/// closed list, since each has its own rule for when the document counts as served. Written
/// as its code; read from its code or its Chinese name ([`ServiceMethod::parse`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceMethod {
    /// 直接送达
    Direct,
    /// 留置送达 (民事诉讼法 Art. 89)
    Left,
    /// 邮寄送达 (Art. 91)
    Post,
    /// 委托送达 (Art. 91)
    Entrusted,
    /// 电子送达: only with the party's consent (行政处罚法 Art. 61 ¶2)
    Electronic,
    /// 公告送达: served thirty days after the announcement (民事诉讼法 Art. 95)
    Announcement,
}

impl ServiceMethod {
    pub const ALL: [ServiceMethod; 6] = [
        ServiceMethod::Direct,
        ServiceMethod::Left,
        ServiceMethod::Post,
        ServiceMethod::Entrusted,
        ServiceMethod::Electronic,
        ServiceMethod::Announcement,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ServiceMethod::Direct => "direct",
            ServiceMethod::Left => "left",
            ServiceMethod::Post => "post",
            ServiceMethod::Entrusted => "entrusted",
            ServiceMethod::Electronic => "electronic",
            ServiceMethod::Announcement => "announcement",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            ServiceMethod::Direct => "直接送达",
            ServiceMethod::Left => "留置送达",
            ServiceMethod::Post => "邮寄送达",
            ServiceMethod::Entrusted => "委托送达",
            ServiceMethod::Electronic => "电子送达",
            ServiceMethod::Announcement => "公告送达",
        }
    }

    /// By code or by Chinese name (the form's options say a little more, e.g.
    /// 电子送达（当事人已签署确认书）: what they start with, 电子, decides).
    pub fn parse(raw: &str) -> Option<ServiceMethod> {
        let raw = raw.trim();
        ServiceMethod::ALL
            .into_iter()
            .find(|m| m.code() == raw || raw.starts_with(m.name_zh().trim_end_matches("送达")))
    }
}

impl Serialize for ServiceMethod {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for ServiceMethod {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        ServiceMethod::parse(&raw).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "unknown service method `{raw}`: direct, left, post, entrusted, electronic or announcement"
            ))
        })
    }
}

/// A decision made after the period of Art. 60.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LateDecision {
    /// Days after the last day of the period.
    pub days_late: i64,
    /// Why (empty for a transfer, which needs none).
    pub reason: String,
}

/// The whole state of one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub procedure: Procedure,
    pub stage: Stage,
    /// The party is an organisation (thresholds differ, Arts. 51 and 63).
    pub organisation: bool,
    /// The act was done in a business activity (a higher hearing threshold in some provinces).
    pub business_activity: bool,
    /// When the lead was found or received.
    pub clue_on: NaiveDate,
    /// When the act happened, or when a continuing act ended (行政处罚法 Art. 36 ¶2).
    pub act_on: NaiveDate,
    /// The act touches life, health or financial safety and caused harm: 5-year limitation.
    pub serious_harm: bool,
    /// The bureau's own handling limit for the case's category (办结时限: filing to closing, in
    /// calendar days), set when the lead is registered. Not a statutory period.
    #[serde(default)]
    pub handling_days: Option<u32>,
    pub lead_check_extended: bool,
    pub filed_on: Option<NaiveDate>,
    /// Officers on the case; the first is the handler (主办), the others co-handlers (协办).
    pub officers: Vec<String>,
    /// People withdrawn under 回避 (Art. 43); they take no further part.
    pub recused: Vec<String>,
    pub acts: Vec<Act>,
    pub proposal: Option<Penalty>,
    #[serde(default)]
    pub findings: Findings,
    /// 案情疑难复杂、涉及多个法律关系 (Art. 58(3)).
    pub complex: bool,
    /// 涉及重大公共利益 (Art. 58(1)).
    pub public_interest: bool,
    pub legal_review: Option<LegalReview>,
    /// The date of the recorded 集体讨论 (Art. 57 ¶2).
    pub collective_on: Option<NaiveDate>,
    /// Its minutes (cases recorded before the minutes were kept have only the date).
    #[serde(default)]
    pub discussion: Option<Discussion>,
    pub notice_on: Option<NaiveDate>,
    /// The penalty as told to the party: the decision may not be heavier (Art. 45 ¶2).
    pub notified: Option<Penalty>,
    /// The statement period the notice stated, in working days: later changes of the
    /// province's rules do not move a period the party was already told.
    #[serde(default)]
    pub statement_workdays_told: Option<u32>,
    /// Whether the notice told the party of a hearing right (Art. 63), as the documents say.
    #[serde(default)]
    pub hearing_right_told: bool,
    pub statement_on: Option<NaiveDate>,
    /// What the party stated, as the 陈述申辩笔录 records it.
    #[serde(default)]
    pub statement_summary: String,
    pub waived: bool,
    pub hearing: Hearing,
    pub decision_extension_days: u32,
    /// Times left out of the 90 days of Art. 60 under the rules in force when they were
    /// recorded (see [`rules::ExcludedPeriod`]).
    #[serde(default)]
    pub excluded_periods: Vec<ExcludedSpan>,
    pub decision: Option<Decision>,
    pub served_on: Option<NaiveDate>,
    /// Deferred payment approved under Art. 66: the new last day to pay.
    pub deferred_until: Option<NaiveDate>,
    pub paid_fen: i64,
    /// The day the fine and any 加处罚款 were paid in full.
    pub paid_off_on: Option<NaiveDate>,
    pub court_applied_on: Option<NaiveDate>,
    /// A decision made after the 90 days (and any extension) of Art. 60: late, but still the
    /// bureau's duty; recorded with the days and the reason, and shown as such.
    #[serde(default)]
    pub decided_late: Option<LateDecision>,
    /// The 催告 served before applying to the court (行政强制法 Art. 54).
    #[serde(default)]
    pub payment_urged_on: Option<NaiveDate>,
    /// 简易程序 decisions are filed with the bureau (备案, Art. 52).
    pub registered_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    /// 行政复议 against the decision, and the bureau's answer.
    #[serde(default)]
    pub reconsideration: Option<Challenge>,
    /// 行政诉讼 against the decision, and the bureau's answer.
    #[serde(default)]
    pub lawsuit: Option<Challenge>,
    /// 查封、扣押 taken on the case (行政强制法 Arts. 22–28).
    #[serde(default)]
    pub seizures: Vec<Seizure>,
    /// Carrying out a 限期拆除 decision: 公告, 催告, 强制拆除, or the party's own demolition.
    #[serde(default)]
    pub demolition: Demolition,
    /// 责令（限期）改正 orders (行政处罚法 Art. 28) and their re-inspection.
    #[serde(default)]
    pub corrections: Vec<CorrectionOrder>,
    /// 代履行 (行政强制法 Arts. 50–52).
    #[serde(default)]
    pub substitute: Option<Substitute>,
    /// The collective discussions and legal reviews of compulsory decisions (plan §三（二）3).
    #[serde(default)]
    pub clearances: Vec<Clearance>,
    /// 暂缓立案 / 暂缓强制拆除, each decided collectively, reviewed and filed for supervision.
    #[serde(default)]
    pub deferrals: Vec<Deferral>,
}

/// One 查封扣押 and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seizure {
    pub on: NaiveDate,
    /// The reason and basis the 查封（扣押）决定书 states (Art. 24(2)).
    #[serde(default)]
    pub reason: String,
    /// The 清单 (Art. 24): each item as listed.
    pub items: Vec<String>,
    /// Taken on the spot without prior approval (Art. 19): to be approved afterwards.
    pub emergency: bool,
    pub approved_on: Option<NaiveDate>,
    /// Extended by thirty days with the head's approval (Art. 25).
    pub extended: bool,
    pub ended_on: Option<NaiveDate>,
    /// How it ended (Arts. 27–28).
    pub outcome: Option<SeizureOutcome>,
}

/// How a 查封扣押 ends (行政强制法 Arts. 27–28): a closed list, stored by its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeizureOutcome {
    /// 解除查封扣押，退还财物 (Art. 28).
    Release,
    /// 依法没收 (Art. 27).
    Confiscate,
    /// 依法销毁 (Art. 27).
    Destroy,
}

impl SeizureOutcome {
    /// What the timeline and the documents say.
    pub fn name_zh(self) -> &'static str {
        match self {
            SeizureOutcome::Release => "解除查封扣押，财物退还当事人",
            SeizureOutcome::Confiscate => "依法没收",
            SeizureOutcome::Destroy => "依法销毁",
        }
    }
    /// The one word a list shows.
    pub fn short_zh(self) -> &'static str {
        match self {
            SeizureOutcome::Release => "解除",
            SeizureOutcome::Confiscate => "没收",
            SeizureOutcome::Destroy => "销毁",
        }
    }
}

impl Seizure {
    /// The last day the measure may last.
    pub fn days(&self) -> u32 {
        SEIZURE_DAYS + if self.extended { SEIZURE_EXTENSION_DAYS } else { 0 }
    }
}

/// Carrying out a 限期拆除 decision (行政强制法 Arts. 35–37, 43–44).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Demolition {
    /// The 公告 and the deadline it gave the party to demolish.
    pub announced_on: Option<NaiveDate>,
    pub announced_deadline: Option<NaiveDate>,
    /// The 催告 (Art. 35) and its deadline.
    pub urged_on: Option<NaiveDate>,
    pub urged_deadline: Option<NaiveDate>,
    /// The written 强制执行决定 (行政强制法 Art. 37): when the head made it, how and from which
    /// day the building is to be removed, and when it was served on the party (Art. 38).
    #[serde(default)]
    pub decided_on: Option<NaiveDate>,
    #[serde(default)]
    pub manner: String,
    #[serde(default)]
    pub execute_on: Option<NaiveDate>,
    #[serde(default)]
    pub decision_served_on: Option<NaiveDate>,
    #[serde(default)]
    pub decision_served_by: String,
    /// 强制拆除 carried out.
    pub enforced_on: Option<NaiveDate>,
    /// The party demolished (自拆), possibly with the bureau's help (助拆): voluntary compliance.
    pub voluntary_on: Option<NaiveDate>,
    pub assisted: bool,
}

/// A new lead (线索) as registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClue {
    pub organisation: bool,
    pub business_activity: bool,
    pub clue_on: NaiveDate,
    pub act_on: NaiveDate,
    pub serious_harm: bool,
}

/// An on-the-spot decision (简易程序) as made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpotDecision {
    pub organisation: bool,
    pub business_activity: bool,
    pub on: NaiveDate,
    pub act_on: NaiveDate,
    pub officers: Vec<String>,
    pub penalty: Penalty,
}

/// A 复议 or a suit against the decision, as the bureau answers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    /// The reconsideration body or the court.
    pub forum: String,
    pub received_on: NaiveDate,
    pub answered_on: Option<NaiveDate>,
    /// When the 复议 decision or the judgment ended it; while it runs, no 加处罚款 accrues.
    #[serde(default)]
    pub concluded_on: Option<NaiveDate>,
    /// A 复议 in the simple procedure (Arts. 53–54).
    #[serde(default)]
    pub simple: bool,
    /// The day the party applied or sued, when the copy says so.
    #[serde(default)]
    pub applied_on: Option<NaiveDate>,
}

/// Who asks: the person behind the account (if any) and the account's roles.
#[derive(Debug, Clone)]
pub struct Actor {
    pub person_id: Option<String>,
    pub roles: RoleSet,
}

impl Actor {
    fn is(&self, role: Role) -> bool {
        self.roles.contains(role)
    }
}

/// What the store knows about a person named in a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFacts {
    pub name: String,
    pub employment: Employment,
    /// The person's enforcement certificates: (status, valid from, valid to).
    pub certificates: Vec<(CertificateStatus, NaiveDate, NaiveDate)>,
    /// Whether the person may do legal review (Art. 58 ¶2: `org::qualified_for_legal_review`).
    pub legal_review_qualified: bool,
    /// Whether the person is one of the bureau's 负责人 (may attend a 集体讨论, Art. 57 ¶2).
    pub agency_leader: bool,
    /// The day the person completed 岗前培训 (the plan's onboarding gate, `training`).
    pub onboarded_on: Option<NaiveDate>,
}

impl PersonFacts {
    /// Whether one of the person's certificates allows an enforcement act on `on`.
    pub fn may_act_on(&self, on: NaiveDate) -> bool {
        self.certificates
            .iter()
            .any(|(status, from, to)| certificate_standing(*status, *from, *to, on).may_act())
    }
}

/// Where the onboarding gate comes from, as its refusal cites it.
pub const ONBOARDING_BASIS: &str = "本局规范化管理实施方案三（一）5（岗前培训）";

/// Everything [`apply`] may consult besides the case and the command.
pub struct Context<'a> {
    pub actor: &'a Actor,
    pub today: NaiveDate,
    pub people: &'a HashMap<String, PersonFacts>,
    pub calendar: &'a WorkCalendar,
    pub rules: &'a CaseRules,
    /// The statutory fine range of the case's responsibility item that a decision applies
    /// (from the list's versions by 从旧兼从轻, `items::applicable_range`), if it has one.
    pub fine_range: Option<items::ApplicableRange>,
}

/// Why a step was refused: a stable code, the rule, and what to do, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message_zh}（{basis}）")]
pub struct Refusal {
    pub code: &'static str,
    pub basis: &'static str,
    pub message_zh: String,
}

fn refuse<T>(code: &'static str, basis: &'static str, message: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal { code, basis, message_zh: message.into() })
}

impl From<CalendarError> for Refusal {
    fn from(error: CalendarError) -> Self {
        Refusal {
            code: error.code(),
            basis: "行政处罚法第八十五条",
            message_zh: match error {
                CalendarError::YearNotCovered(year) => {
                    format!(
                        "{year} 年节假日安排尚未录入，无法计算工作日期限；请系统管理员先录入国务院办公厅通知"
                    )
                }
                CalendarError::EmptyPeriod => "期限天数无效".to_owned(),
            },
        }
    }
}

/// A step done: what the timeline shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub code: &'static str,
    pub summary_zh: String,
    pub details: serde_json::Value,
}

/// Why a case is major (重大案件), each reason with its basis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MajorReason {
    LargeFine,
    HeavyPenalty,
    HearingHeld,
    Complex,
    PublicInterest,
}

impl MajorReason {
    pub fn code(self) -> &'static str {
        match self {
            MajorReason::LargeFine => "large_fine",
            MajorReason::HeavyPenalty => "heavy_penalty",
            MajorReason::HearingHeld => "hearing_held",
            MajorReason::Complex => "complex",
            MajorReason::PublicInterest => "public_interest",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            MajorReason::LargeFine => "罚款数额达到重大案件标准（重大执法决定法制审核目录）",
            MajorReason::HeavyPenalty => "责令停产停业、限期拆除等较重处罚",
            MajorReason::HearingHeld => "经过听证程序（行政处罚法第五十八条第一款第二项）",
            MajorReason::Complex => "案情疑难复杂、涉及多个法律关系（第五十八条第一款第三项）",
            MajorReason::PublicInterest => "涉及重大公共利益（第五十八条第一款第一项）",
        }
    }
}

impl Case {
    pub fn open(clue: &NewClue, today: NaiveDate) -> Result<(Case, Event), Refusal> {
        if clue.clue_on > today || clue.act_on > today {
            return refuse("date_in_future", "", "日期不能晚于今天");
        }
        if clue.act_on > clue.clue_on {
            return refuse("act_after_discovery", "", "违法行为发生日期不能晚于发现日期");
        }
        let case = Case::blank(Procedure::General, Stage::Clue, clue.organisation, clue.clue_on, clue.act_on);
        let case =
            Case { business_activity: clue.business_activity, serious_harm: clue.serious_harm, ..case };
        let event = Event {
            code: "open",
            summary_zh: format!("登记线索，发现日期 {}，违法行为日期 {}", clue.clue_on, clue.act_on),
            details: serde_json::json!({"clue_on": clue.clue_on, "act_on": clue.act_on}),
        };
        Ok((case, event))
    }

    /// An on-the-spot decision (简易程序): checked against Art. 51 and recorded as decided and
    /// handed over at once. `number` is the pre-numbered form's 文号.
    pub fn open_simple(spot: &SpotDecision, number: String, ctx: &Context) -> Result<(Case, Event), Refusal> {
        if spot.on > ctx.today || spot.act_on > spot.on {
            return refuse("date_in_future", "", "日期不能晚于今天，违法行为日期不能晚于处罚日期");
        }
        officer_only(ctx.actor)?;
        let cap =
            if spot.organisation { SIMPLE_MAX_FINE_ORGANISATION_FEN } else { SIMPLE_MAX_FINE_PERSON_FEN };
        let allowed =
            spot.penalty.kinds.iter().all(|k| matches!(k, PenaltyKind::Warning | PenaltyKind::Fine));
        if spot.penalty.kinds.is_empty() || !allowed || spot.penalty.fine_fen > cap {
            return refuse(
                "simple_procedure_limit",
                "行政处罚法第五十一条",
                format!(
                    "简易程序只能当场给予警告或{}以下罚款，超出的应适用普通程序",
                    if spot.organisation { "三千元" } else { "二百元" }
                ),
            );
        }
        check_penalty_shape(&spot.penalty, ctx)?;
        check_officers(&spot.officers, spot.on, ctx, &[])?;
        let mut case =
            Case::blank(Procedure::Simple, Stage::Decided, spot.organisation, spot.on, spot.act_on);
        case.business_activity = spot.business_activity;
        check_limitation(&case, spot.on)?;
        case.officers = spot.officers.clone();
        case.filed_on = Some(spot.on);
        case.decision = Some(Decision {
            outcome: Outcome::Penalty,
            penalty: spot.penalty.clone(),
            on: spot.on,
            number: number.clone(),
        });
        // Art. 52: the numbered form is handed to the party on the spot.
        case.served_on = Some(spot.on);
        case.stage = Stage::Execution;
        let event = Event {
            code: "open_simple",
            summary_zh: format!("当场处罚决定 {number}：{}，当场交付", spot.penalty.summary_zh()),
            details: serde_json::json!({
                "number": number, "fine_fen": spot.penalty.fine_fen,
                "kinds": spot.penalty.kinds, "officers": spot.officers,
            }),
        };
        Ok((case, event))
    }

    fn blank(
        procedure: Procedure,
        stage: Stage,
        organisation: bool,
        clue_on: NaiveDate,
        act_on: NaiveDate,
    ) -> Case {
        Case {
            procedure,
            stage,
            organisation,
            business_activity: false,
            clue_on,
            act_on,
            serious_harm: false,
            handling_days: None,
            lead_check_extended: false,
            filed_on: None,
            officers: Vec::new(),
            recused: Vec::new(),
            acts: Vec::new(),
            proposal: None,
            findings: Findings::default(),
            complex: false,
            public_interest: false,
            legal_review: None,
            collective_on: None,
            discussion: None,
            notice_on: None,
            notified: None,
            hearing_right_told: false,
            statement_workdays_told: None,
            statement_on: None,
            statement_summary: String::new(),
            waived: false,
            hearing: Hearing::None,
            decision_extension_days: 0,
            excluded_periods: Vec::new(),
            decision: None,
            served_on: None,
            deferred_until: None,
            paid_fen: 0,
            paid_off_on: None,
            court_applied_on: None,
            decided_late: None,
            payment_urged_on: None,
            registered_on: None,
            closed_on: None,
            reconsideration: None,
            lawsuit: None,
            seizures: Vec::new(),
            demolition: Demolition::default(),
            corrections: Vec::new(),
            substitute: None,
            clearances: Vec::new(),
            deferrals: Vec::new(),
        }
    }

    /// The handler (主办人).
    pub fn handler(&self) -> Option<&str> {
        self.officers.first().map(String::as_str)
    }

    /// Whether a person took part in handling the case (named on it or in any act).
    pub fn handled_by(&self, person: &str) -> bool {
        self.officers.iter().any(|o| o == person)
            || self.acts.iter().any(|a| a.officers.iter().any(|o| o == person))
    }

    /// The penalty the case is heading for: decided, else notified, else proposed.
    pub fn penalty(&self) -> Option<&Penalty> {
        self.decision.as_ref().map(|d| &d.penalty).or(self.notified.as_ref()).or(self.proposal.as_ref())
    }

    /// Whether the party has the right to a hearing: once notified, what the notice told it
    /// (a threshold raised afterwards takes no right away, and a lowered one grants none the
    /// notice did not state); before, what the rules in force say (行政处罚法 Arts. 44, 63).
    pub fn hearing_right(&self, rules: &CaseRules) -> bool {
        if self.notice_on.is_some() { self.hearing_right_told } else { self.hearing_eligible(rules) }
    }

    /// Whether the penalty heading for the case reaches the hearing thresholds in force now
    /// (行政处罚法 Art. 63): what the notice tells the party.
    pub fn hearing_eligible(&self, rules: &CaseRules) -> bool {
        let Some(penalty) = self.notified.as_ref().or(self.proposal.as_ref()) else {
            return false;
        };
        let threshold = rules.hearing_threshold_fen(self.organisation, self.business_activity);
        (penalty.kinds.contains(&PenaltyKind::Fine) && penalty.fine_fen >= threshold)
            || (penalty.kinds.contains(&PenaltyKind::Confiscation) && penalty.confiscation_fen >= threshold)
            || penalty
                .kinds
                .iter()
                .any(|k| matches!(k, PenaltyKind::SuspendBusiness | PenaltyKind::Demolition))
    }

    /// The reasons the case is major; empty if it is not.
    pub fn major_reasons(&self, rules: &CaseRules) -> Vec<MajorReason> {
        let mut reasons = Vec::new();
        if let Some(p) = self.penalty() {
            let threshold = rules.major_threshold_fen(self.organisation);
            if p.kinds.contains(&PenaltyKind::Fine) && p.fine_fen >= threshold {
                reasons.push(MajorReason::LargeFine);
            }
            if p.kinds.iter().any(|k| matches!(k, PenaltyKind::SuspendBusiness | PenaltyKind::Demolition)) {
                reasons.push(MajorReason::HeavyPenalty);
            }
        }
        if matches!(self.hearing, Hearing::Held { .. }) {
            reasons.push(MajorReason::HearingHeld);
        }
        if self.complex {
            reasons.push(MajorReason::Complex);
        }
        if self.public_interest {
            reasons.push(MajorReason::PublicInterest);
        }
        reasons
    }

    /// The last day the party may state and defend or ask for a hearing; a decision may come
    /// after it (or earlier if the party waived).
    pub fn rights_period_end(
        &self,
        ctx_calendar: &WorkCalendar,
        rules: &CaseRules,
    ) -> Result<Option<NaiveDate>, CalendarError> {
        let Some(notice) = self.notice_on else { return Ok(None) };
        let statement_end = ctx_calendar.add_workdays(notice, self.statement_workdays(rules))?;
        if self.hearing_right(rules) {
            let hearing_end = ctx_calendar.add_workdays(notice, HEARING_REQUEST_WORKDAYS)?;
            Ok(Some(statement_end.max(hearing_end)))
        } else {
            Ok(Some(statement_end))
        }
    }

    /// The statement period in working days: as the notice stated it, else the rules'.
    pub fn statement_workdays(&self, rules: &CaseRules) -> u32 {
        self.statement_workdays_told.unwrap_or(rules.statement_workdays).max(1)
    }

    /// Whether the party's statement (and hearing-request) period still runs on `on`.
    pub fn rights_running(
        &self,
        calendar: &WorkCalendar,
        rules: &CaseRules,
        on: NaiveDate,
    ) -> Result<bool, CalendarError> {
        let Some(notice) = self.notice_on else { return Ok(false) };
        if calendar.within_workdays(notice, self.statement_workdays(rules), on)? {
            return Ok(true);
        }
        Ok(self.hearing_right(rules) && calendar.within_workdays(notice, HEARING_REQUEST_WORKDAYS, on)?)
    }

    /// The limitation date (行政处罚法 Art. 36): filing after it is refused.
    /// The days within which Art. 60 asks for the decision: 90, any extension, and each day of
    /// the recorded excluded times (a day counted once however many of them cover it).
    pub fn decision_days(&self) -> u32 {
        let mut excluded = std::collections::BTreeSet::new();
        for span in &self.excluded_periods {
            excluded.extend(span.from.iter_days().take_while(|d| *d <= span.to));
        }
        DECISION_DAYS + self.decision_extension_days + u32::try_from(excluded.len()).unwrap_or(u32::MAX)
    }

    pub fn limitation_end(&self) -> NaiveDate {
        let years = if self.serious_harm { LIMITATION_YEARS_SERIOUS } else { LIMITATION_YEARS };
        self.act_on.checked_add_months(Months::new(12 * years)).unwrap_or(NaiveDate::MAX)
    }

    /// What the party owes on `on`: the fine, the 加处罚款 from the day after the payment
    /// deadline, less what was paid.
    pub fn amount_due(&self, calendar: &WorkCalendar, on: NaiveDate) -> Result<i64, CalendarError> {
        let Some(decision) = &self.decision else { return Ok(0) };
        if decision.outcome != Outcome::Penalty {
            return Ok(0);
        }
        let fine = decision.penalty.fine_fen;
        // Within the nominal 15 days nothing is overdue, whatever the calendar says.
        let nominal = self.served_on.map(|s| s + chrono::Duration::days(i64::from(PAYMENT_DAYS)));
        let overdue = if self.deferred_until.is_none() && nominal.is_some_and(|n| on <= n) {
            0
        } else {
            match clocks::payment_deadline(self, calendar)? {
                Some(last_day) => (on - last_day).num_days() - self.paused_days(last_day, on),
                None => 0,
            }
        };
        Ok((fine + surcharge_fen(fine, overdue) - self.paid_fen).max(0))
    }

    /// Days after `last_day` up to `on` during which a 复议 or a suit ran: 加处罚款 is not counted
    /// for them (行政处罚法 Art. 73 ¶3: 加处罚款的数额在行政复议或者行政诉讼期间不予计算). A
    /// challenge runs from the day the party applied or sued (when the copy says so; else the
    /// day the bureau received it) to the day it ended, or to `on` while it is still open. A
    /// day covered twice counts once.
    fn paused_days(&self, last_day: NaiveDate, on: NaiveDate) -> i64 {
        let spans: Vec<(NaiveDate, NaiveDate)> = [&self.reconsideration, &self.lawsuit]
            .into_iter()
            .flatten()
            .map(|c| (c.applied_on.unwrap_or(c.received_on), c.concluded_on.unwrap_or(on)))
            .collect();
        last_day
            .iter_days()
            .skip(1)
            .take_while(|day| *day <= on)
            .filter(|day| spans.iter().any(|(from, to)| from <= day && day <= to))
            .count() as i64
    }
}

fn wrong_stage<T>(case: &Case, command: &Command) -> Result<T, Refusal> {
    refuse(
        "wrong_stage",
        "",
        format!("案件处于「{}」阶段，不能办理「{}」", case.stage.name_zh(), command.name_zh()),
    )
}

fn leader_only(actor: &Actor, what: &str) -> Result<(), Refusal> {
    if actor.is(Role::Leader) {
        Ok(())
    } else {
        refuse("leader_required", "行政处罚法第五十七条", format!("{what}须由行政机关负责人决定"))
    }
}

/// 法制审核 (of a case or of a deferral): a legal reviewer who took no part in handling it
/// (行政处罚法 Art. 58), and who holds a 法律职业资格 or did legal review before the revised
/// law (Art. 58 ¶2, recorded on the person).
fn reviewer_only(case: &Case, ctx: &Context) -> Result<(), Refusal> {
    let actor = ctx.actor;
    if !actor.is(Role::LegalReviewer) {
        return refuse("legal_reviewer_required", "行政处罚法第五十八条", "法制审核须由法制审核人员办理");
    }
    if actor.person_id.as_deref().is_none_or(|p| case.handled_by(p)) {
        return refuse(
            "reviewer_handled_case",
            "行政处罚法第五十八条",
            "参与本案调查的人员不得担任本案法制审核人员",
        );
    }
    let qualified =
        actor.person_id.as_ref().and_then(|p| ctx.people.get(p)).is_some_and(|p| p.legal_review_qualified);
    if !qualified {
        return refuse(
            "reviewer_unqualified",
            "行政处罚法第五十八条第二款",
            "初次从事行政处罚决定法制审核的人员应当取得法律职业资格；请在人员档案中登记其法律职业资格证书或首次从事法制审核的日期",
        );
    }
    Ok(())
}

/// Steps of the handling officers: officers and squad leaders act, auxiliaries never
/// (城市管理执法办法: 协管人员 only assist; 行政处罚法 Art. 42).
fn officer_only(actor: &Actor) -> Result<(), Refusal> {
    if actor.is(Role::Officer) || actor.is(Role::SquadLeader) {
        Ok(())
    } else {
        refuse(
            "officer_required",
            "行政处罚法第四十二条",
            "此步骤须由持有执法证的执法人员办理；协管员不得独立执法",
        )
    }
}

/// A handling step: an officer named on the case, or a squad leader.
fn case_officer_only(case: &Case, actor: &Actor) -> Result<(), Refusal> {
    officer_only(actor)?;
    if actor.is(Role::SquadLeader) {
        return Ok(());
    }
    match &actor.person_id {
        Some(p) if case.officers.contains(p) && !case.recused.contains(p) => Ok(()),
        _ => refuse("not_case_officer", "行政处罚法第四十二条", "您不是本案承办人，不能办理此步骤"),
    }
}

/// Art. 42: at least two distinct officers, each with a valid certificate on the day, none an
/// auxiliary, none withdrawn.
fn check_officers(
    officers: &[String],
    on: NaiveDate,
    ctx: &Context,
    recused: &[String],
) -> Result<(), Refusal> {
    let mut distinct: Vec<&String> = officers.iter().filter(|o| !o.trim().is_empty()).collect();
    distinct.sort();
    distinct.dedup();
    if distinct.len() < MIN_OFFICERS {
        return refuse("two_officers_required", "行政处罚法第四十二条", "执法人员不得少于两人");
    }
    for id in distinct {
        let Some(person) = ctx.people.get(id.as_str()) else {
            return refuse("unknown_officer", "", format!("人员 {id} 不存在"));
        };
        if person.employment == Employment::Auxiliary {
            return refuse(
                "auxiliary_not_enforcer",
                "行政处罚法第四十二条",
                format!("{} 是协管员，不具有执法资格，不能作为执法人员", person.name),
            );
        }
        if recused.contains(id) {
            return refuse(
                "officer_recused",
                "行政处罚法第四十三条",
                format!("{} 已回避，不得参与本案", person.name),
            );
        }
        if !person.may_act_on(on) {
            return refuse(
                "certificate_not_valid",
                "行政处罚法第四十二条",
                format!("{} 在 {on} 没有有效的执法证", person.name),
            );
        }
        // The plan's onboarding gate: nobody works a case before 岗前培训 (seed §三（一）5:
        // 新入职人员须经岗前培训后方可上岗).
        if person.onboarded_on.is_none_or(|d| d > on) {
            return refuse(
                "onboarding_incomplete",
                ONBOARDING_BASIS,
                format!("{} 在 {on} 尚未完成岗前培训，不能承办案件或参与执法", person.name),
            );
        }
    }
    Ok(())
}

/// [`check_officers`] for a step of this case: also never the person who reviewed it (法制审核 is
/// kept apart from investigation, 行政处罚法 Art. 58; 国办发〔2018〕118号), nor anyone withdrawn.
fn check_case_officers(
    case: &Case,
    officers: &[String],
    on: NaiveDate,
    ctx: &Context,
) -> Result<(), Refusal> {
    let reviewers = case
        .legal_review
        .iter()
        .chain(case.deferrals.iter().filter_map(|d| d.legal_review.as_ref()))
        .map(|r| r.reviewer.as_str());
    for reviewer in reviewers {
        if officers.iter().any(|o| o == reviewer) {
            return refuse(
                "reviewer_cannot_handle",
                "行政处罚法第五十八条",
                format!(
                    "{} 已担任本案法制审核人员，不得参与本案调查和处理",
                    names(&[reviewer.to_owned()], ctx)
                ),
            );
        }
    }
    check_officers(officers, on, ctx, &case.recused)
}

/// Whether the act was discovered (`discovered_on`) within the limitation period of Art. 36.
fn check_limitation(case: &Case, discovered_on: NaiveDate) -> Result<(), Refusal> {
    if discovered_on > case.limitation_end() {
        let years = if case.serious_harm { "五" } else { "二" };
        return refuse(
            "limitation_expired",
            "行政处罚法第三十六条",
            format!("违法行为在{years}年内未被发现（截至 {}），不再给予行政处罚", case.limitation_end()),
        );
    }
    Ok(())
}

/// The fine must lie in the statutory range of the responsibility item (Arts. 4, 38), and a
/// penalty names at least one kind.
fn check_penalty_shape(penalty: &Penalty, ctx: &Context) -> Result<(), Refusal> {
    if penalty.kinds.is_empty() {
        return refuse("penalty_kind_required", "行政处罚法第九条", "请选择处罚种类");
    }
    let fines = penalty.kinds.contains(&PenaltyKind::Fine);
    if fines != (penalty.fine_fen > 0) {
        return refuse(
            "fine_amount_mismatch",
            "行政处罚法第九条",
            "选择罚款时须填写罚款金额，未选择罚款时金额应为 0",
        );
    }
    if fines
        && let Some(range) = ctx.fine_range
        && (penalty.fine_fen < range.min || penalty.fine_fen > range.max)
    {
        return refuse(
            "fine_outside_statutory_range",
            "行政处罚法第三十七条、第三十八条",
            format!(
                "罚款须在法定幅度 {}–{} 元之内（适用{}）",
                yuan(range.min),
                yuan(range.max),
                range.basis.label_zh()
            ),
        );
    }
    Ok(())
}

/// Applies one command: the next state and the event that records it, or the rule that refuses it.
pub fn apply(case: &Case, command: &Command, ctx: &Context) -> Result<(Case, Event), Refusal> {
    if let Some(on) = command.date()
        && on > ctx.today
    {
        return refuse("date_in_future", "", "日期不能晚于今天");
    }
    let mut next = case.clone();
    let mut summary: String;
    let mut details = serde_json::to_value(command).unwrap_or_default();
    use Command as C;
    match command {
        C::File { on, officers } => {
            if case.stage != Stage::Clue {
                return wrong_stage(case, command);
            }
            leader_only(ctx.actor, "立案")?;
            // Art. 36 asks whether the act was discovered (发现) within the period, and the
            // lead's registration is its discovery: a lead registered in time may be filed
            // after the period's end, within the lead check (Art. 54 ¶2).
            check_limitation(case, case.clue_on)?;
            check_case_officers(case, officers, *on, ctx)?;
            next.filed_on = Some(*on);
            next.officers = officers.clone();
            next.stage = Stage::Investigation;
            // Filing is what a 暂缓立案 was waiting for: it ends with it.
            for deferral in next.deferrals.iter_mut().filter(|d| d.ended_on.is_none()) {
                deferral.ended_on = Some(*on);
            }
            summary = format!("负责人批准立案，承办人 {}", names(officers, ctx));
        }
        C::DeclineFiling { on, reason } => {
            if case.stage != Stage::Clue {
                return wrong_stage(case, command);
            }
            leader_only(ctx.actor, "不予立案")?;
            require_text(reason, "reason_required", "请填写不予立案的理由")?;
            next.stage = Stage::NotFiled;
            next.closed_on = Some(*on);
            summary = format!("不予立案：{reason}");
        }
        C::ExtendLeadCheck { reason } => {
            if case.stage != Stage::Clue {
                return wrong_stage(case, command);
            }
            leader_only(ctx.actor, "延长核查期限")?;
            if case.lead_check_extended {
                return refuse(
                    "lead_check_already_extended",
                    "住房和城乡建设行政处罚程序规定第十五条",
                    "核查期限只能延长一次（十日）",
                );
            }
            require_text(reason, "reason_required", "请填写延长理由")?;
            next.lead_check_extended = true;
            summary = format!("经负责人批准，核查期限延长 {LEAD_CHECK_EXTENSION_DAYS} 日：{reason}");
        }
        C::Recuse { person, reason } => {
            if !case.stage.is_open() {
                return wrong_stage(case, command);
            }
            leader_only(ctx.actor, "回避")?;
            require_text(reason, "reason_required", "请填写回避理由")?;
            if !case.handled_by(person) {
                return refuse("not_on_case", "行政处罚法第四十三条", "该人员未参与本案");
            }
            if !next.recused.contains(person) {
                next.recused.push(person.clone());
            }
            next.officers.retain(|o| o != person);
            summary = format!("{} 回避：{reason}", names(std::slice::from_ref(person), ctx));
        }
        C::Reassign { on, officers } => {
            if !matches!(
                case.stage,
                Stage::Investigation | Stage::Review | Stage::Notified | Stage::Decided | Stage::Execution
            ) {
                return wrong_stage(case, command);
            }
            if !(ctx.actor.is(Role::Leader) || ctx.actor.is(Role::SquadLeader)) {
                return refuse("squad_leader_required", "", "调整承办人须由中队长或局领导办理");
            }
            check_case_officers(case, officers, *on, ctx)?;
            next.officers = officers.clone();
            summary = format!("承办人调整为 {}", names(officers, ctx));
        }
        C::RecordAct { kind, on, officers, summary: text } => {
            if !matches!(case.stage, Stage::Investigation | Stage::Review) {
                return wrong_stage(case, command);
            }
            if *kind == ActKind::Preservation {
                // Art. 56: 经行政机关负责人批准 — the head approves and records it.
                if !ctx.actor.is(Role::Leader) {
                    return refuse(
                        "head_approval_required",
                        "行政处罚法第五十六条",
                        "先行登记保存须经行政机关负责人批准：请由局领导批准并记录",
                    );
                }
            } else {
                case_officer_only(case, ctx.actor)?;
            }
            if case.filed_on.is_some_and(|f| *on < f) {
                return refuse("act_before_filing", "行政处罚法第五十四条", "调查取证日期不能早于立案日期");
            }
            check_case_officers(case, officers, *on, ctx)?;
            require_text(text, "summary_required", "请填写调查取证情况")?;
            next.acts.push(Act {
                kind: *kind,
                on: *on,
                officers: officers.clone(),
                summary: text.clone(),
                handled_on: None,
                handling: String::new(),
            });
            summary = format!("{}（{}）：{text}", kind.name_zh(), names(officers, ctx));
        }
        C::Propose { penalty, complex, public_interest, findings } => {
            if !matches!(case.stage, Stage::Investigation | Stage::Review) {
                return wrong_stage(case, command);
            }
            case_officer_only(case, ctx.actor)?;
            if case.acts.is_empty() {
                return refuse(
                    "no_investigation",
                    "行政处罚法第五十四条",
                    "尚未记录调查取证，不能提出处理意见",
                );
            }
            check_penalty_shape(penalty, ctx)?;
            next.proposal = Some(penalty.clone());
            next.findings = findings.clone();
            next.complex = *complex;
            next.public_interest = *public_interest;
            // A changed proposal needs a fresh review and discussion.
            if case.proposal.as_ref() != Some(penalty) {
                next.legal_review = None;
                next.collective_on = None;
                next.discussion = None;
            }
            next.stage = Stage::Review;
            summary = format!("提出处理意见：{}", penalty.summary_zh());
        }
        C::Review { on, checklist, opinion } => {
            if !matches!(case.stage, Stage::Review | Stage::Notified) {
                return wrong_stage(case, command);
            }
            reviewer_only(case, ctx)?;
            if checklist.len() != REVIEW_CHECKLIST.len() {
                return refuse("checklist_incomplete", "行政处罚法第五十八条", "请逐项填写法制审核要点");
            }
            require_text(opinion, "opinion_required", "请填写审核意见")?;
            let passed = checklist.iter().all(|c| *c);
            next.legal_review = Some(LegalReview {
                reviewer: ctx.actor.person_id.clone().unwrap_or_default(),
                on: *on,
                passed,
                checklist: checklist.clone(),
                opinion: opinion.clone(),
            });
            summary = format!("法制审核{}：{opinion}", if passed { "通过" } else { "未通过" });
        }
        C::Discuss { on, attendees, conclusion } => {
            if !matches!(case.stage, Stage::Review | Stage::Notified) {
                return wrong_stage(case, command);
            }
            leader_only(ctx.actor, "集体讨论")?;
            let distinct = discussion_attendees(attendees, "本案", ctx)?;
            require_text(conclusion, "conclusion_required", "请填写讨论结论")?;
            next.collective_on = Some(*on);
            next.discussion =
                Some(Discussion { on: *on, attendees: distinct.clone(), conclusion: conclusion.clone() });
            summary = format!("集体讨论（{} 参加）：{conclusion}", names(&distinct, ctx));
        }
        C::Notify { on } => {
            if case.stage != Stage::Review {
                return wrong_stage(case, command);
            }
            case_officer_only(case, ctx.actor)?;
            let Some(proposal) = &case.proposal else {
                return refuse("no_proposal", "行政处罚法第四十四条", "尚未提出处理意见");
            };
            next.notice_on = Some(*on);
            next.notified = Some(proposal.clone());
            next.hearing_right_told = next.hearing_eligible(ctx.rules);
            next.statement_workdays_told = Some(ctx.rules.statement_workdays.max(1));
            next.stage = Stage::Notified;
            let end = match next.rights_period_end(ctx.calendar, ctx.rules) {
                Ok(end) => end.unwrap_or(*on).to_string(),
                // The period runs into a year whose arrangement is not loaded yet; the clock
                // shows it as provisional until it is.
                Err(_) => "（待录入次年节假日安排后确定）".to_owned(),
            };
            let hearing = if next.hearing_eligible(ctx.rules) { "，并告知听证权利" } else { "" };
            summary =
                format!("送达行政处罚事先告知书：拟{}；陈述申辩期至 {end}{hearing}", proposal.summary_zh());
            details["rights_end"] = serde_json::json!(end);
        }
        C::Statement { on, summary: text } => {
            if case.stage != Stage::Notified {
                return wrong_stage(case, command);
            }
            case_officer_only(case, ctx.actor)?;
            require_text(text, "summary_required", "请填写陈述申辩内容")?;
            next.statement_on = Some(*on);
            next.statement_summary = text.clone();
            summary = format!("当事人陈述申辩：{text}");
        }
        C::Waive { on: _ } => {
            if case.stage != Stage::Notified {
                return wrong_stage(case, command);
            }
            case_officer_only(case, ctx.actor)?;
            next.waived = true;
            summary = "当事人书面放弃陈述、申辩和听证权利".to_owned();
        }
        C::RequestHearing { on } => {
            if case.stage != Stage::Notified || case.hearing != Hearing::None {
                return wrong_stage(case, command);
            }
            case_officer_only(case, ctx.actor)?;
            if !case.hearing_right(ctx.rules) {
                return refuse(
                    "hearing_not_available",
                    "行政处罚法第六十三条",
                    "事先告知书未告知听证权利：拟作出的处罚不属于听证范围",
                );
            }
            let notice = case.notice_on.unwrap_or(*on);
            if !ctx.calendar.within_workdays(notice, HEARING_REQUEST_WORKDAYS, *on)? {
                let last = ctx.calendar.add_workdays(notice, HEARING_REQUEST_WORKDAYS)?;
                return refuse(
                    "hearing_request_late",
                    "行政处罚法第六十四条第一项",
                    format!("听证申请应在告知后五个工作日内（{last} 前）提出"),
                );
            }
            next.hearing = Hearing::Requested { on: *on };
            summary = "当事人申请听证".to_owned();
        }
        C::ScheduleHearing { notice_on, hearing_on, presider, place } => {
            let Hearing::Requested { on: requested_on } = case.hearing else {
                return wrong_stage(case, command);
            };
            case_officer_only(case, ctx.actor)?;
            // The hearing must come after the whole notice period: at the earliest on its last
            // working day's successor counted as add_workdays(notice, 7).
            let short = *hearing_on < *notice_on + chrono::Duration::days(i64::from(HEARING_NOTICE_WORKDAYS))
                || *hearing_on < ctx.calendar.add_workdays(*notice_on, HEARING_NOTICE_WORKDAYS)?;
            if short {
                let earliest = ctx
                    .calendar
                    .add_workdays(*notice_on, HEARING_NOTICE_WORKDAYS)
                    .map_or_else(|_| "（待录入节假日安排）".to_owned(), |d| d.to_string());
                return refuse(
                    "hearing_notice_too_short",
                    "行政处罚法第六十四条第二项",
                    format!(
                        "应在举行听证的七个工作日前通知当事人；按 {notice_on} 通知，听证最早在 {earliest}"
                    ),
                );
            }
            if place.trim().is_empty() {
                return refuse("place_required", "行政处罚法第六十四条第二项", "请填写举行听证的地点");
            }
            if case.handled_by(presider) {
                return refuse(
                    "presider_is_investigator",
                    "行政处罚法第六十四条第四项",
                    "听证由非本案调查人员主持",
                );
            }
            match ctx.people.get(presider) {
                None => return refuse("unknown_officer", "", "主持人不存在"),
                // Art. 64(4) has the hearing presided by 行政机关指定的非本案调查人员: a member
                // of the bureau's staff, never an auxiliary, who do not hold its power (Art. 42).
                Some(p) if p.employment == Employment::Auxiliary => {
                    return refuse(
                        "presider_auxiliary",
                        "行政处罚法第六十四条第四项、第四十二条",
                        "听证主持人须为本机关执法人员，协管员不得主持听证",
                    );
                }
                Some(_) => {}
            }
            next.hearing = Hearing::Scheduled {
                requested_on,
                notice_on: *notice_on,
                hearing_on: *hearing_on,
                presider: presider.clone(),
                place: place.trim().to_owned(),
            };
            summary =
                format!("听证通知：{hearing_on} 举行，主持人 {}", names(std::slice::from_ref(presider), ctx));
        }
        C::HoldHearing { on, attended } => {
            let Hearing::Scheduled { hearing_on, presider, requested_on, .. } = &case.hearing else {
                return wrong_stage(case, command);
            };
            case_officer_only(case, ctx.actor)?;
            if on < hearing_on {
                return refuse("hearing_before_date", "行政处罚法第六十四条", "听证不得早于通知的日期举行");
            }
            if ctx.rules.decision_excluded.contains(&rules::ExcludedPeriod::Hearing) {
                next.excluded_periods.push(ExcludedSpan {
                    kind: rules::ExcludedPeriod::Hearing,
                    from: *requested_on,
                    to: *on,
                    note: String::new(),
                });
            }
            if *attended {
                next.hearing = Hearing::Held { on: *on, presider: presider.clone() };
                // Art. 58(1)(2): a decision after a hearing goes through legal review.
                next.legal_review = None;
                summary = "举行听证，制作听证笔录".to_owned();
            } else {
                next.hearing = Hearing::NoShow { on: *on };
                summary = "当事人无正当理由未出席听证，视为放弃听证权利（第六十四条第八项）".to_owned();
            }
        }
        C::ExtendDecision { days, reason } => {
            if !matches!(case.stage, Stage::Investigation | Stage::Review | Stage::Notified) {
                return wrong_stage(case, command);
            }
            leader_only(ctx.actor, "延长办案期限")?;
            require_text(reason, "reason_required", "请填写延长理由")?;
            if case.decision_extension_days + days > ctx.rules.decision_extension_max_days || *days == 0 {
                return refuse(
                    "decision_extension_not_allowed",
                    "行政处罚法第六十条",
                    format!(
                        "办案期限只能依法律、法规、规章的规定延长；本省规则允许延长至多 {} 日",
                        ctx.rules.decision_extension_max_days
                    ),
                );
            }
            next.decision_extension_days += days;
            summary = format!("经负责人批准，办案期限延长 {days} 日：{reason}");
        }
        C::ExcludePeriod { kind, from, to, note } => {
            if !matches!(case.stage, Stage::Investigation | Stage::Review | Stage::Notified) {
                return wrong_stage(case, command);
            }
            case_officer_only(case, ctx.actor)?;
            if *kind == rules::ExcludedPeriod::Hearing {
                return refuse(
                    "hearing_recorded_by_engine",
                    "行政处罚法第六十条",
                    "听证时间由系统按申请和举行听证的日期自动计算，无需登记",
                );
            }
            if !ctx.rules.decision_excluded.contains(kind) {
                return refuse(
                    "exclusion_not_in_rules",
                    "行政处罚法第六十条",
                    format!(
                        "本省办案规则未规定{}时间不计入办案期限（须有法律、法规、规章的规定）",
                        kind.name_zh()
                    ),
                );
            }
            if to < from || case.filed_on.is_some_and(|f| *from < f) {
                return refuse(
                    "period_invalid",
                    "行政处罚法第六十条",
                    "起止日期应在立案之后，且结束不早于开始",
                );
            }
            require_text(note, "note_required", "请写明事项（如送检物品和检测机构、公告载体）")?;
            next.excluded_periods.push(ExcludedSpan {
                kind: *kind,
                from: *from,
                to: *to,
                note: note.trim().to_owned(),
            });
            summary = format!(
                "{} {from} 至 {to}（{} 日）不计入办案期限：{}",
                kind.name_zh(),
                (*to - *from).num_days() + 1,
                note.trim()
            );
        }
        C::Decide { on, outcome, penalty, note, late_reason } => {
            if case.stage != Stage::Notified && !(case.stage == Stage::Review && *outcome != Outcome::Penalty)
            {
                return wrong_stage(case, command);
            }
            leader_only(ctx.actor, "行政处罚决定")?;
            let filed = case.filed_on.unwrap_or(case.clue_on);
            let days = case.decision_days();
            // Art. 60 makes a decision after the 90 days unlawful in time, but does not lift the
            // duty to decide, and a crime must always be transferred (Arts. 27, 57): a late
            // decision is made and recorded as late, with the reason, never blocked.
            let late = if ctx.calendar.within_calendar_period(filed, days, *on)? {
                None
            } else {
                let deadline = ctx.calendar.calendar_period_end(filed, days)?;
                if *outcome != Outcome::Transfer && late_reason.trim().is_empty() {
                    return refuse(
                        "late_reason_required",
                        "行政处罚法第六十条",
                        format!(
                            "应自立案之日起九十日内作出决定（{deadline} 前）；已超期，请写明逾期的理由，决定将记为逾期"
                        ),
                    );
                }
                Some(LateDecision {
                    days_late: (*on - deadline).num_days(),
                    reason: late_reason.trim().to_owned(),
                })
            };
            match outcome {
                Outcome::NoPenalty => require_text(
                    note,
                    "education_required",
                    "不予处罚的，应当对当事人进行教育；请填写教育情况（行政处罚法第三十三条）",
                )?,
                Outcome::Transfer => require_text(note, "transfer_target_required", "请填写移送的司法机关")?,
                Outcome::Penalty => {}
            }
            if *outcome == Outcome::Penalty {
                check_penalty_shape(penalty, ctx)?;
                let Some(notified) = &case.notified else {
                    return refuse("not_notified", "行政处罚法第四十四条", "作出处罚决定前须告知当事人");
                };
                if penalty.is_heavier_than(notified) {
                    return refuse(
                        "heavier_than_notified",
                        "行政处罚法第四十五条",
                        "决定不得重于告知的处罚；因当事人陈述申辩不得加重处罚。如需加重，应重新告知",
                    );
                }
                if !case.waived && case.rights_running(ctx.calendar, ctx.rules, *on)? {
                    let rights_end = case
                        .rights_period_end(ctx.calendar, ctx.rules)
                        .ok()
                        .flatten()
                        .map_or_else(|| "（待录入节假日安排）".to_owned(), |d| d.to_string());
                    return refuse(
                        "rights_period_running",
                        "行政处罚法第六十二条",
                        format!(
                            "当事人陈述申辩（听证申请）期限至 {rights_end} 届满，之前不得作出决定，除非当事人明确放弃"
                        ),
                    );
                }
                if matches!(case.hearing, Hearing::Requested { .. } | Hearing::Scheduled { .. }) {
                    return refuse(
                        "hearing_pending",
                        "行政处罚法第六十五条",
                        "当事人已申请听证，须在听证结束后根据听证笔录作出决定",
                    );
                }
            }
            // A penalty is major by the penalty decided; a case ending without one is major by
            // what was proposed and by its nature (hearing held, complex, public interest).
            let major = if *outcome == Outcome::Penalty {
                let mut probe = next.clone();
                probe.decision = Some(Decision {
                    outcome: *outcome,
                    penalty: penalty.clone(),
                    on: *on,
                    number: String::new(),
                });
                probe.major_reasons(ctx.rules)
            } else {
                case.major_reasons(ctx.rules)
            };
            // Art. 58 asks legal review before a decision in a major case, whatever it decides:
            // a major case closed with 不予处罚 is reviewed too (a transfer hands the case to the
            // judiciary and is not a decision of this kind).
            if !major.is_empty() && *outcome != Outcome::Transfer {
                match &case.legal_review {
                    Some(review) if review.passed && !case.handled_by(&review.reviewer) => {}
                    Some(review) if !review.passed => {
                        return refuse(
                            "legal_review_failed",
                            "行政处罚法第五十八条",
                            "法制审核未通过，不得作出决定",
                        );
                    }
                    _ => {
                        return refuse(
                            "legal_review_required",
                            "行政处罚法第五十八条",
                            format!("重大案件（{}）须经法制审核通过后方可决定", major[0].name_zh()),
                        );
                    }
                }
                // Art. 57 ¶2 asks collective discussion for giving a penalty in such a case.
                if *outcome == Outcome::Penalty && case.collective_on.is_none() {
                    return refuse(
                        "collective_discussion_required",
                        "行政处罚法第五十七条第二款",
                        "情节复杂或重大违法行为给予行政处罚，须经行政机关负责人集体讨论决定",
                    );
                }
            }
            next.decision = Some(Decision {
                outcome: *outcome,
                penalty: if *outcome == Outcome::Penalty {
                    penalty.clone()
                } else {
                    Penalty { kinds: vec![], fine_fen: 0, confiscation_fen: 0 }
                },
                on: *on,
                number: String::new(),
            });
            next.stage = Stage::Decided;
            summary = match outcome {
                Outcome::Penalty => format!("决定给予行政处罚：{}", penalty.summary_zh()),
                Outcome::NoPenalty => format!("决定不予行政处罚，并对当事人进行教育：{note}"),
                Outcome::Transfer => format!("决定移送司法机关：{note}"),
            };
            if let Some(late) = &late {
                summary.push_str(&format!(
                    "（超过行政处罚法第六十条规定的期限 {} 日作出{}）",
                    late.days_late,
                    if late.reason.is_empty() {
                        String::new()
                    } else {
                        format!("，理由：{}", late.reason)
                    }
                ));
                details["late"] = serde_json::json!(late);
            }
            next.decided_late = late;
            details["major"] = serde_json::json!(major);
            // The range the fine was held to and why, so the file shows which version of the
            // list (从旧兼从轻) the decision applied.
            if *outcome == Outcome::Penalty && penalty.kinds.contains(&PenaltyKind::Fine) {
                details["fine_range"] = serde_json::json!(ctx.fine_range);
            }
        }
        C::Serve { on, method, consent } => {
            if case.stage != Stage::Decided {
                return wrong_stage(case, command);
            }
            case_officer_only(case, ctx.actor)?;
            let method = *method;
            // The stored event names the method in words too: the recording rules (留置送达,
            // 公告送达 must be filmed) match the words, and events before the method was a
            // code hold only the words.
            details["method_zh"] = serde_json::json!(method.name_zh());
            if case.decision.as_ref().is_some_and(|d| *on < d.on) {
                return refuse("service_before_decision", "行政处罚法第六十一条", "送达日期不能早于决定日期");
            }
            if method == ServiceMethod::Electronic && consent.trim().is_empty() {
                return refuse(
                    "electronic_consent_required",
                    "行政处罚法第六十一条第二款",
                    "电子送达须当事人同意并签订确认书：请写明同意的记录（如送达地址确认书的签署日期）",
                );
            }
            // 公告送达 counts as served thirty days after the announcement; the periods that run
            // from service (payment, 复议, 诉讼, court enforcement) run from then.
            let served = if method == ServiceMethod::Announcement {
                *on + chrono::Duration::days(ANNOUNCEMENT_SERVICE_DAYS)
            } else {
                *on
            };
            next.served_on = Some(served);
            next.stage = Stage::Execution;
            summary = match method {
                ServiceMethod::Announcement => {
                    format!(
                        "公告送达决定书，自公告之日起经过三十日即 {served} 视为送达（民事诉讼法第九十五条）"
                    )
                }
                ServiceMethod::Electronic => format!("电子送达决定书（当事人同意：{}）", consent.trim()),
                other => format!("送达决定书（{}）", other.name_zh()),
            };
        }
        C::Defer { until, reason } => {
            if case.stage != Stage::Execution || !owes_fine(case) {
                return wrong_stage(case, command);
            }
            leader_only(ctx.actor, "延期或分期缴纳罚款")?;
            require_text(reason, "reason_required", "请填写当事人申请的理由")?;
            if *until <= ctx.today {
                return refuse("deferral_in_past", "行政处罚法第六十六条", "延期缴纳的期限应晚于今天");
            }
            next.deferred_until = Some(*until);
            summary = format!("经批准延期（分期）缴纳至 {until}：{reason}");
        }
        C::Pay { on, amount_fen } => {
            if case.stage != Stage::Execution || !owes_fine(case) {
                return wrong_stage(case, command);
            }
            case_officer_only(case, ctx.actor)?;
            if *amount_fen <= 0 {
                return refuse("amount_invalid", "", "缴款金额须大于 0");
            }
            let due = case.amount_due(ctx.calendar, *on)?;
            if *amount_fen > due {
                return refuse(
                    "overpayment",
                    "行政处罚法第七十四条",
                    format!("应缴金额为 {} 元，不能多缴", yuan(due)),
                );
            }
            next.paid_fen += amount_fen;
            if *amount_fen == due {
                next.paid_off_on = Some(*on);
            }
            summary = format!("当事人缴纳 {} 元（尚欠 {} 元）", yuan(*amount_fen), yuan(due - amount_fen));
        }
        C::ApplyCourt { on } => {
            // The fine, or the cost of a 代履行 the party has not paid back (Art. 53).
            let unpaid_cost =
                case.substitute.as_ref().is_some_and(|s| s.performed_on.is_some() && s.outstanding_fen() > 0);
            if !case.stage.is_open() || !(owes_fine(case) && case.stage == Stage::Execution || unpaid_cost) {
                return wrong_stage(case, command);
            }
            leader_only(ctx.actor, "申请法院强制执行")?;
            let last_day = match clocks::payment_deadline(case, ctx.calendar)? {
                Some(day) if owes_fine(case) => day,
                _ if unpaid_cost => NaiveDate::MIN,
                _ => return wrong_stage(case, command),
            };
            if *on <= last_day {
                return refuse(
                    "performance_period_running",
                    "行政强制法第五十三条",
                    format!("履行期限至 {last_day} 届满，届满后方可申请"),
                );
            }
            if [&case.reconsideration, &case.lawsuit].into_iter().flatten().any(|c| c.concluded_on.is_none())
            {
                return refuse(
                    "challenge_pending",
                    "行政强制法第五十三条",
                    "当事人已申请行政复议或者提起行政诉讼，结束前不得申请人民法院强制执行",
                );
            }
            if owes_fine(case) {
                // Art. 53 and 法释〔2018〕1号 Art. 156: the three months run from the end of the
                // party's period to sue, and only then.
                if let Some(suit_end) = clocks::suit_period_end(case, ctx.calendar)? {
                    let window_end = ctx.calendar.months_period_end(suit_end, COURT_ENFORCEMENT_MONTHS)?;
                    if *on <= suit_end {
                        return refuse(
                            "suit_period_running",
                            "行政强制法第五十三条；法释〔2018〕1号第一百五十六条",
                            format!(
                                "当事人的起诉期限至 {suit_end} 届满，届满后三个月内（至 {window_end}）方可申请人民法院强制执行"
                            ),
                        );
                    }
                    if *on > window_end {
                        return refuse(
                            "court_window_lapsed",
                            "法释〔2018〕1号第一百五十六条",
                            format!(
                                "申请期限已于 {window_end} 届满；逾期申请的，除有正当理由外，人民法院不予受理"
                            ),
                        );
                    }
                }
                let Some(urged) = case.payment_urged_on else {
                    return refuse(
                        "urge_required",
                        "行政强制法第五十四条",
                        "申请人民法院强制执行前，应当书面催告当事人履行义务",
                    );
                };
                let earliest = ctx.calendar.add_workdays(urged, COURT_URGE_WORKDAYS)?;
                if *on <= earliest {
                    return refuse(
                        "urge_period_running",
                        "行政强制法第五十四条、第六十九条",
                        format!("催告书送达十个工作日后（{earliest} 之后）当事人仍未履行的，方可申请"),
                    );
                }
            }
            next.court_applied_on = Some(*on);
            summary = "申请人民法院强制执行".to_owned();
        }
        C::HandlePreservation { on, handling } => {
            let Some(index) =
                case.acts.iter().position(|a| a.kind == ActKind::Preservation && a.handled_on.is_none())
            else {
                return wrong_stage(case, command);
            };
            case_officer_only(case, ctx.actor).or_else(|_| leader_only(ctx.actor, "先行登记保存处理"))?;
            require_text(
                handling,
                "handling_required",
                "请写明处理决定（解除、转为查封扣押、送检、依法没收等）",
            )?;
            let act = &case.acts[index];
            if *on < act.on {
                return refuse("before_preservation", "", "处理日期不能早于先行登记保存日期");
            }
            let due = ctx.calendar.add_workdays(act.on, PRESERVATION_DECISION_WORKDAYS)?;
            let acts = &mut next.acts;
            acts[index].handled_on = Some(*on);
            acts[index].handling = handling.trim().to_owned();
            summary = if *on > due {
                format!(
                    "先行登记保存处理决定：{}（超过第五十六条规定的七个工作日，应于 {due} 前作出）",
                    handling.trim()
                )
            } else {
                format!("先行登记保存处理决定：{}", handling.trim())
            };
        }
        C::UrgePayment { on } => {
            if !(owes_fine(case) && case.stage == Stage::Execution) || case.court_applied_on.is_some() {
                return wrong_stage(case, command);
            }
            litigation_actor(ctx.actor)?;
            let last_day = clocks::payment_deadline(case, ctx.calendar)?.unwrap_or(*on);
            if *on <= last_day {
                return refuse(
                    "performance_period_running",
                    "行政强制法第五十四条",
                    format!("缴款期限至 {last_day} 届满，届满后当事人仍未履行的方可催告"),
                );
            }
            next.payment_urged_on = Some(*on);
            let earliest = ctx.calendar.add_workdays(*on, COURT_URGE_WORKDAYS)?;
            summary = format!(
                "书面催告当事人履行缴纳罚款的义务，告知其陈述申辩权；{earliest} 后仍未履行的，可申请人民法院强制执行（行政强制法第三十五条、第五十四条）"
            );
        }
        C::Register { on: _ } => {
            if case.procedure != Procedure::Simple || case.registered_on.is_some() {
                return wrong_stage(case, command);
            }
            if !(ctx.actor.is(Role::SquadLeader) || ctx.actor.is(Role::Leader)) {
                return refuse(
                    "squad_leader_required",
                    "行政处罚法第五十二条",
                    "简易程序决定由中队长审查备案",
                );
            }
            next.registered_on = command.date();
            summary = "当场处罚决定书报所属行政机关备案".to_owned();
        }
        C::Close { on, summary: text } => {
            if !matches!(case.stage, Stage::Decided | Stage::Execution) {
                return wrong_stage(case, command);
            }
            if !(ctx.actor.is(Role::Leader) || ctx.actor.is(Role::SquadLeader)) {
                return refuse("squad_leader_required", "", "结案须由中队长或局领导批准");
            }
            require_text(text, "summary_required", "请填写结案报告")?;
            let decision = case.decision.as_ref().ok_or(Refusal {
                code: "wrong_stage",
                basis: "",
                message_zh: "尚未作出决定".to_owned(),
            })?;
            if decision.outcome != Outcome::Transfer && case.served_on.is_none() {
                return refuse("not_served", "行政处罚法第六十一条", "决定书尚未送达，不能结案");
            }
            if case.procedure == Procedure::Simple && case.registered_on.is_none() {
                return refuse("not_registered", "行政处罚法第五十二条", "当场处罚决定书尚未备案，不能结案");
            }
            if case.seizures.iter().any(|s| s.ended_on.is_none()) {
                return refuse(
                    "seizure_active",
                    "行政强制法第二十七条",
                    "尚有查封扣押未作处理（解除、没收或销毁），不能结案",
                );
            }
            if let Some(s) = &case.substitute {
                if s.pending() {
                    return refuse(
                        "substitute_pending",
                        "行政强制法第五十一条",
                        "已决定代履行但尚未实施或停止，不能结案",
                    );
                }
                if !s.party_present && s.party_notified_on.is_none() {
                    return refuse(
                        "party_not_notified",
                        "行政强制法第五十二条",
                        "立即代履行时当事人不在场，须事后立即通知当事人",
                    );
                }
                if s.outstanding_fen() > 0 && case.court_applied_on.is_none() {
                    return refuse(
                        "substitute_cost_open",
                        "行政强制法第五十一条",
                        format!(
                            "代履行费用尚欠 {} 元，未收回也未申请人民法院强制执行，不能结案",
                            yuan(s.outstanding_fen())
                        ),
                    );
                }
            }
            if owes_fine(case) && case.amount_due(ctx.calendar, *on)? > 0 && case.court_applied_on.is_none() {
                return refuse(
                    "fine_unpaid",
                    "行政处罚法第七十二条",
                    "罚款（含加处罚款）尚未缴清，也未申请强制执行，不能结案",
                );
            }
            next.stage = Stage::Closed;
            next.closed_on = Some(*on);
            summary = format!("结案：{text}");
        }
        C::ReceiveReconsideration { on, body, applied_on, .. }
        | C::ReceiveLawsuit { on, court: body, applied_on } => {
            if !matches!(case.stage, Stage::Decided | Stage::Execution | Stage::Closed) {
                return wrong_stage(case, command);
            }
            litigation_actor(ctx.actor)?;
            require_text(body, "forum_required", "请填写复议机关或人民法院")?;
            if case.decision.as_ref().is_some_and(|d| *on < d.on) {
                return refuse("before_decision", "", "收到日期不能早于决定日期");
            }
            let simple = matches!(command, C::ReceiveReconsideration { simple: true, .. });
            let challenge = Some(Challenge {
                forum: body.clone(),
                received_on: *on,
                answered_on: None,
                concluded_on: None,
                simple,
                applied_on: *applied_on,
            });
            if applied_on.is_some_and(|a| a > *on || case.decision.as_ref().is_some_and(|d| a < d.on)) {
                return refuse("applied_on_invalid", "", "申请或起诉日期应在决定之后、收到副本之前");
            }
            let lawsuit = matches!(command, C::ReceiveLawsuit { .. });
            let slot = if lawsuit { &mut next.lawsuit } else { &mut next.reconsideration };
            if slot.as_ref().is_some_and(|c| c.answered_on.is_none()) {
                return wrong_stage(case, command);
            }
            *slot = challenge;
            summary = if lawsuit {
                format!("收到{body}送达的起诉状副本，应在十五日内提交答辩状和证据（行政诉讼法第六十七条）")
            } else {
                if simple {
                    format!(
                        "收到{body}转送的行政复议申请书副本（简易程序），应在五个工作日内提出书面答复并提交证据（行政复议法第五十四条）"
                    )
                } else {
                    format!(
                        "收到{body}转送的行政复议申请书副本，应在十个工作日内提出书面答复并提交证据（行政复议法第四十八条）"
                    )
                }
            };
        }
        C::AnswerReconsideration { on } | C::AnswerLawsuit { on } => {
            litigation_actor(ctx.actor)?;
            let lawsuit = matches!(command, C::AnswerLawsuit { .. });
            let slot = if lawsuit { &mut next.lawsuit } else { &mut next.reconsideration };
            let Some(challenge) = slot.as_mut().filter(|c| c.answered_on.is_none()) else {
                return wrong_stage(case, command);
            };
            if *on < challenge.received_on {
                return refuse("before_receipt", "", "答复日期不能早于收到日期");
            }
            challenge.answered_on = Some(*on);
            summary = if lawsuit {
                "向人民法院提交答辩状和证据".to_owned()
            } else {
                "向复议机关提交书面答复和证据".to_owned()
            };
        }
        C::ConcludeReconsideration { on } | C::ConcludeLawsuit { on } => {
            litigation_actor(ctx.actor)?;
            let lawsuit = matches!(command, C::ConcludeLawsuit { .. });
            let slot = if lawsuit { &mut next.lawsuit } else { &mut next.reconsideration };
            let Some(challenge) = slot.as_mut().filter(|c| c.concluded_on.is_none()) else {
                return wrong_stage(case, command);
            };
            if *on < challenge.received_on {
                return refuse("before_receipt", "", "结束日期不能早于收到日期");
            }
            challenge.concluded_on = Some(*on);
            summary = format!(
                "{}结束；加处罚款自次日起恢复计算（行政处罚法第七十三条第三款）",
                if lawsuit { "行政诉讼" } else { "行政复议" }
            );
        }
        C::Seize { on, officers, items, reason, emergency } => {
            if case.filed_on.is_none() || !case.stage.is_open() {
                return wrong_stage(case, command);
            }
            if *emergency {
                case_officer_only(case, ctx.actor)?;
            } else if !ctx.actor.is(Role::Leader) {
                return refuse(
                    "head_approval_required",
                    "行政强制法第十八条",
                    "实施查封扣押前须向行政机关负责人报告并经批准；情况紧急的，请按紧急情况登记，事后24小时内补办批准",
                );
            }
            check_case_officers(case, officers, *on, ctx)?;
            require_text(reason, "reason_required", "请填写查封扣押的理由和依据")?;
            let items: Vec<String> =
                items.iter().map(|i| i.trim().to_owned()).filter(|i| !i.is_empty()).collect();
            if items.is_empty() {
                return refuse(
                    "seizure_list_required",
                    "行政强制法第二十四条",
                    "请列明查封扣押场所、设施或者财物的清单",
                );
            }
            if !*emergency {
                compulsory::require_clearance(case, &mut next, CompulsoryMeasure::Seizure, *on)?;
            }
            next.seizures.push(Seizure {
                on: *on,
                reason: reason.trim().to_owned(),
                items: items.clone(),
                emergency: *emergency,
                approved_on: (!*emergency).then_some(*on),
                extended: false,
                ended_on: None,
                outcome: None,
            });
            summary = format!(
                "{}查封扣押（{}）：{}；期限{SEIZURE_DAYS}日",
                if *emergency { "情况紧急，当场" } else { "经负责人批准" },
                names(officers, ctx),
                items.join("、")
            );
        }
        C::ApproveSeizure { on } => {
            leader_only(ctx.actor, "查封扣押")?;
            let Some(seizure) =
                next.seizures.iter_mut().find(|s| s.approved_on.is_none() && s.ended_on.is_none())
            else {
                return wrong_stage(case, command);
            };
            if *on < seizure.on {
                return refuse("before_seizure", "", "批准日期不能早于查封扣押日期");
            }
            seizure.approved_on = Some(*on);
            let late = (*on - seizure.on).num_days() > EMERGENCY_APPROVAL_DAYS;
            summary = if late {
                "负责人补办批准（超过24小时，行政强制法第十九条）".to_owned()
            } else {
                "负责人补办批准（行政强制法第十九条）".to_owned()
            };
        }
        C::ExtendSeizure { on, reason } => {
            leader_only(ctx.actor, "延长查封扣押期限")?;
            require_text(reason, "reason_required", "请填写延长的理由（情况复杂）")?;
            let calendar = ctx.calendar;
            let Some(seizure) = next.seizures.iter_mut().find(|s| s.ended_on.is_none()) else {
                return wrong_stage(case, command);
            };
            if seizure.extended {
                return refuse(
                    "already_extended",
                    "行政强制法第二十五条",
                    "查封扣押期限只能延长一次，延长不得超过三十日",
                );
            }
            let end = calendar.calendar_period_end(seizure.on, seizure.days())?;
            if *on > end {
                return refuse(
                    "seizure_expired",
                    "行政强制法第二十五条",
                    format!("查封扣押期限已于 {end} 届满，不能再延长，应当解除"),
                );
            }
            seizure.extended = true;
            summary = format!("经负责人批准延长查封扣押期限{SEIZURE_EXTENSION_DAYS}日：{reason}");
        }
        C::EndSeizure { on, outcome } => {
            if !(ctx.actor.is(Role::Leader) || ctx.actor.is(Role::SquadLeader)) {
                case_officer_only(case, ctx.actor)?;
            }
            let Some(seizure) = next.seizures.iter_mut().find(|s| s.ended_on.is_none()) else {
                return wrong_stage(case, command);
            };
            if *on < seizure.on {
                return refuse("before_seizure", "", "处理日期不能早于查封扣押日期");
            }
            seizure.ended_on = Some(*on);
            seizure.outcome = Some(*outcome);
            summary = outcome.name_zh().to_owned();
        }
        C::AnnounceDemolition { on, deadline } => {
            demolition_ordered(case, command)?;
            officer_only(ctx.actor)?;
            if case.demolition.enforced_on.is_some() || case.demolition.voluntary_on.is_some() {
                return wrong_stage(case, command);
            }
            if deadline <= on {
                return refuse("deadline_invalid", "行政强制法第四十四条", "公告限期应晚于公告日期");
            }
            next.demolition.announced_on = Some(*on);
            next.demolition.announced_deadline = Some(*deadline);
            summary = format!("公告限期当事人于 {deadline} 前自行拆除（行政强制法第四十四条）");
        }
        C::UrgeDemolition { on, deadline } => {
            demolition_ordered(case, command)?;
            officer_only(ctx.actor)?;
            if case.demolition.announced_on.is_none() {
                return refuse(
                    "announcement_required",
                    "行政强制法第四十四条",
                    "请先公告，限期当事人自行拆除",
                );
            }
            if deadline <= on {
                return refuse("deadline_invalid", "行政强制法第三十五条", "催告的履行期限应晚于催告日期");
            }
            next.demolition.urged_on = Some(*on);
            next.demolition.urged_deadline = Some(*deadline);
            summary = format!("书面催告当事人于 {deadline} 前履行，并告知陈述申辩权（行政强制法第三十五条）");
        }
        C::DecideEnforcement { on, manner, execute_on } => {
            demolition_ordered(case, command)?;
            leader_only(ctx.actor, "强制执行决定")?;
            let d = &case.demolition;
            if d.enforced_on.is_some() || d.voluntary_on.is_some() || d.decided_on.is_some() {
                return wrong_stage(case, command);
            }
            enforcement_may_proceed(case, *on, ctx)?;
            if manner.trim().is_empty() {
                return refuse("manner_required", "行政强制法第三十七条", "强制执行决定须写明强制执行的方式");
            }
            if execute_on < on {
                return refuse(
                    "execute_on_invalid",
                    "行政强制法第三十七条",
                    "强制执行的时间不得早于决定日期",
                );
            }
            if !ctx.calendar.is_workday(*execute_on)? {
                return refuse(
                    "holiday_execution",
                    "行政强制法第四十三条",
                    "决定的强制执行时间为法定节假日：不得在法定节假日实施强制执行",
                );
            }
            compulsory::require_clearance(case, &mut next, CompulsoryMeasure::Enforcement, *on)?;
            next.demolition.decided_on = Some(*on);
            next.demolition.manner = manner.trim().to_owned();
            next.demolition.execute_on = Some(*execute_on);
            summary = format!(
                "作出强制执行决定：{}，自 {execute_on} 起执行（行政强制法第三十七条）",
                manner.trim()
            );
        }
        C::ServeEnforcement { on, method } => {
            demolition_ordered(case, command)?;
            officer_only(ctx.actor)?;
            let d = &case.demolition;
            if d.decided_on.is_none() || d.decision_served_on.is_some() || d.enforced_on.is_some() {
                return wrong_stage(case, command);
            }
            if d.decided_on.is_some_and(|decided| *on < decided) {
                return refuse("date_invalid", "行政强制法第三十八条", "送达日期不得早于决定日期");
            }
            details["method_zh"] = serde_json::json!(method.name_zh());
            next.demolition.decision_served_on = Some(*on);
            next.demolition.decision_served_by = method.name_zh().to_owned();
            summary = format!("{}强制执行决定书（行政强制法第三十八条）", method.name_zh());
        }
        C::Demolish { on, start_hour, officers } => {
            demolition_ordered(case, command)?;
            leader_only(ctx.actor, "强制拆除")?;
            let d = &case.demolition;
            if d.enforced_on.is_some() || d.voluntary_on.is_some() {
                return wrong_stage(case, command);
            }
            // Whatever held when the decision was made is checked again on the day: a suit or a
            // deferral may have come in between.
            enforcement_may_proceed(case, *on, ctx)?;
            let Some(execute_on) = d.execute_on else {
                return refuse(
                    "enforcement_decision_required",
                    "行政强制法第三十七条",
                    "强制拆除前须作出书面强制执行决定",
                );
            };
            if d.decision_served_on.is_none() {
                return refuse(
                    "enforcement_decision_unserved",
                    "行政强制法第三十八条",
                    "强制执行决定书尚未送达当事人",
                );
            }
            if *on < execute_on {
                return refuse(
                    "before_stated_time",
                    "行政强制法第三十七条",
                    format!("强制执行决定书载明的执行时间为 {execute_on}，不得提前执行"),
                );
            }
            if !ctx.calendar.is_workday(*on)? {
                return refuse("holiday_execution", "行政强制法第四十三条", "不得在法定节假日实施强制执行");
            }
            if *start_hour >= NIGHT_STARTS_HOUR || *start_hour < NIGHT_ENDS_HOUR {
                return refuse(
                    "night_execution",
                    "行政强制法第四十三条",
                    "不得在夜间（22时至次日6时）实施强制执行",
                );
            }
            check_case_officers(case, officers, *on, ctx)?;
            next.demolition.enforced_on = Some(*on);
            summary = format!("依法强制拆除（{}，{start_hour}时开始，全程音像记录）", names(officers, ctx));
        }
        C::OrderCorrection { .. }
        | C::Reinspect { .. }
        | C::DecideSubstitute { .. }
        | C::UrgeSubstitute { .. }
        | C::PerformSubstitute { .. }
        | C::StopSubstitute { .. }
        | C::NotifySubstitute { .. }
        | C::RecoverSubstituteCost { .. }
        | C::ProposeDeferral { .. }
        | C::ReviewDeferral { .. }
        | C::RegisterDeferral { .. }
        | C::EndDeferral { .. }
        | C::DiscussCompulsory { .. }
        | C::ReviewCompulsory { .. } => {
            summary = compulsory::apply(case, &mut next, command, ctx)?;
        }
        C::SelfDemolish { on, assisted } => {
            demolition_ordered(case, command)?;
            officer_only(ctx.actor)?;
            if case.demolition.enforced_on.is_some() || case.demolition.voluntary_on.is_some() {
                return wrong_stage(case, command);
            }
            next.demolition.voluntary_on = Some(*on);
            next.demolition.assisted = *assisted;
            summary = if *assisted {
                "当事人在执法部门协助下自行拆除（助拆）"
            } else {
                "当事人自行拆除（自拆）"
            }
            .to_owned();
        }
    }
    if let Some(obj) = details.as_object_mut() {
        obj.remove("action");
    }
    Ok((next, Event { code: command.code(), summary_zh: summary, details }))
}

/// Whether a 限期拆除 may be enforced on `on` (行政强制法 Arts. 35, 37, 44): announced and urged
/// with both deadlines passed, no 复议 or suit pending, both windows for them lapsed, and no
/// 暂缓强制拆除 in force.
pub(super) fn enforcement_may_proceed(case: &Case, on: NaiveDate, ctx: &Context) -> Result<(), Refusal> {
    let d = &case.demolition;
    match (d.announced_deadline, d.urged_deadline) {
        (None, _) => {
            return refuse(
                "announcement_required",
                "行政强制法第四十四条",
                "强制拆除前须公告，限期当事人自行拆除",
            );
        }
        (_, None) => {
            return refuse("urge_required", "行政强制法第三十五条", "强制拆除前须书面催告当事人");
        }
        (Some(a), Some(u)) if on <= a || on <= u => {
            return refuse("deadline_not_passed", "行政强制法第三十七条", "公告或催告的期限尚未届满");
        }
        _ => {}
    }
    for challenge in [&case.reconsideration, &case.lawsuit].into_iter().flatten() {
        if challenge.concluded_on.is_none() {
            return refuse(
                "challenge_pending",
                "行政强制法第四十四条",
                "当事人已申请行政复议或者提起行政诉讼，结束前不得强制拆除",
            );
        }
    }
    let served = case.served_on.unwrap_or(on);
    // Until the party can neither apply for 复议 (60 days) nor sue (6 months, or 15 days after
    // a concluded 复议: 行政诉讼法 Art. 45), each end moved off rest days.
    let suit_end = clocks::suit_period_end(case, ctx.calendar)?.unwrap_or(served);
    let window_end = if case.reconsideration.is_some() {
        suit_end
    } else {
        ctx.calendar.calendar_period_end(served, RECONSIDERATION_WINDOW_DAYS)?.max(suit_end)
    };
    if on <= window_end {
        return refuse(
            "appeal_window_open",
            "行政强制法第四十四条",
            format!(
                "当事人申请行政复议（60日）、提起行政诉讼（6个月）的期限至 {window_end} 才届满，期满前不得强制拆除"
            ),
        );
    }
    if let Some(deferral) = compulsory::deferral_in_force(case, DeferralSubject::Demolition) {
        return refuse(
            "deferred",
            "行政处罚法第五十七条",
            format!("已决定暂缓强制拆除（复查日期 {}），须先经复查结束暂缓", deferral.review_on),
        );
    }
    Ok(())
}

/// Demolition steps need a served decision that orders 限期拆除.
fn demolition_ordered(case: &Case, command: &Command) -> Result<(), Refusal> {
    let ordered = case
        .decision
        .as_ref()
        .is_some_and(|d| d.outcome == Outcome::Penalty && d.penalty.kinds.contains(&PenaltyKind::Demolition));
    if !ordered || case.served_on.is_none() {
        return wrong_stage(case, command);
    }
    Ok(())
}

/// 复议 and suits are answered by the handling squad with the legal office and the leaders.
fn litigation_actor(actor: &Actor) -> Result<(), Refusal> {
    if [Role::Officer, Role::SquadLeader, Role::LegalReviewer, Role::Leader].iter().any(|r| actor.is(*r)) {
        Ok(())
    } else {
        refuse("officer_required", "", "此步骤须由执法人员、法制审核人员或局领导办理")
    }
}

fn owes_fine(case: &Case) -> bool {
    case.decision
        .as_ref()
        .is_some_and(|d| d.outcome == Outcome::Penalty && d.penalty.kinds.contains(&PenaltyKind::Fine))
}

/// The attendees of a 集体讨论 about `what`: person ids as given, blank and repeated ones left
/// out, in their order (minutes list attendees by rank). Each must be one of the bureau's 负责人
/// in the register, and there must be at least [`MIN_DISCUSSION_ATTENDEES`] of them (行政处罚法
/// Art. 57 ¶2: 行政机关的负责人应当集体讨论决定), so minutes cannot name a clerk or a stranger.
pub(super) fn discussion_attendees(
    attendees: &[String],
    what: &str,
    ctx: &Context,
) -> Result<Vec<String>, Refusal> {
    let mut out: Vec<String> = Vec::new();
    for id in attendees.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        if !out.iter().any(|o| o == id) {
            out.push(id.to_owned());
        }
    }
    let strangers: Vec<&str> = out
        .iter()
        .filter(|id| !ctx.people.get(id.as_str()).is_some_and(|p| p.agency_leader))
        .map(|id| ctx.people.get(id.as_str()).map_or(id.as_str(), |p| p.name.as_str()))
        .collect();
    if !strangers.is_empty() {
        return refuse(
            "attendee_not_leader",
            "行政处罚法第五十七条第二款",
            format!("集体讨论由行政机关负责人参加：{} 未在人员名册中登记为本局负责人", strangers.join("、")),
        );
    }
    if out.len() < MIN_DISCUSSION_ATTENDEES {
        return refuse(
            "discussion_too_small",
            "行政处罚法第五十七条第二款",
            format!("{what}须经负责人集体讨论，请选择至少{MIN_DISCUSSION_ATTENDEES}名参加的负责人"),
        );
    }
    Ok(out)
}

fn require_text(text: &str, code: &'static str, message: &str) -> Result<(), Refusal> {
    if text.trim().is_empty() { refuse(code, "", message) } else { Ok(()) }
}

fn names(ids: &[String], ctx: &Context) -> String {
    ids.iter()
        .map(|id| ctx.people.get(id).map(|p| p.name.clone()).unwrap_or_else(|| id.clone()))
        .collect::<Vec<_>>()
        .join("、")
}

#[cfg(test)]
pub(crate) mod tests;
