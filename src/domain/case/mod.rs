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

mod challenge;
pub mod clocks;
mod command;
pub mod compulsory;
mod decision;
mod demolition;
pub mod documents;
mod execution;
mod filing;
mod investigation;
pub mod items;
mod offered;
pub mod opening;
mod refusal;
mod review;
pub mod rules;
mod seizure;
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
pub use offered::{StageMap, offered_steps, procedure_map};
pub use refusal::RefusalCode;

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
                    parts.push(format!("没收（价值 {} 元）", yuan(self.confiscation_fen)));
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

fn refuse<T>(code: RefusalCode, basis: &'static str, message: impl Into<String>) -> Result<T, Refusal> {
    Err(Refusal { code: code.code(), basis, message_zh: message.into() })
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
            return refuse(RefusalCode::DateInFuture, "", "日期不能晚于今天");
        }
        if clue.act_on > clue.clue_on {
            return refuse(RefusalCode::ActAfterDiscovery, "", "违法行为发生日期不能晚于发现日期");
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
            return refuse(RefusalCode::DateInFuture, "", "日期不能晚于今天，违法行为日期不能晚于处罚日期");
        }
        officer_only(ctx.actor)?;
        let cap =
            if spot.organisation { SIMPLE_MAX_FINE_ORGANISATION_FEN } else { SIMPLE_MAX_FINE_PERSON_FEN };
        let allowed =
            spot.penalty.kinds.iter().all(|k| matches!(k, PenaltyKind::Warning | PenaltyKind::Fine));
        if spot.penalty.kinds.is_empty() || !allowed || spot.penalty.fine_fen > cap {
            return refuse(
                RefusalCode::SimpleProcedureLimit,
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
        RefusalCode::WrongStage,
        "",
        format!("案件处于「{}」阶段，不能办理「{}」", case.stage.name_zh(), command.name_zh()),
    )
}

fn leader_only(actor: &Actor, what: &str) -> Result<(), Refusal> {
    if actor.is(Role::Leader) {
        Ok(())
    } else {
        refuse(RefusalCode::LeaderRequired, "行政处罚法第五十七条", format!("{what}须由行政机关负责人决定"))
    }
}

/// 法制审核 (of a case or of a deferral): a legal reviewer who took no part in handling it
/// (行政处罚法 Art. 58), and who holds a 法律职业资格 or did legal review before the revised
/// law (Art. 58 ¶2, recorded on the person).
fn reviewer_only(case: &Case, ctx: &Context) -> Result<(), Refusal> {
    let actor = ctx.actor;
    if !actor.is(Role::LegalReviewer) {
        return refuse(
            RefusalCode::LegalReviewerRequired,
            "行政处罚法第五十八条",
            "法制审核须由法制审核人员办理",
        );
    }
    if actor.person_id.as_deref().is_none_or(|p| case.handled_by(p)) {
        return refuse(
            RefusalCode::ReviewerHandledCase,
            "行政处罚法第五十八条",
            "参与本案调查的人员不得担任本案法制审核人员",
        );
    }
    let qualified =
        actor.person_id.as_ref().and_then(|p| ctx.people.get(p)).is_some_and(|p| p.legal_review_qualified);
    if !qualified {
        return refuse(
            RefusalCode::ReviewerUnqualified,
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
            RefusalCode::OfficerRequired,
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
        _ => refuse(RefusalCode::NotCaseOfficer, "行政处罚法第四十二条", "您不是本案承办人，不能办理此步骤"),
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
        return refuse(RefusalCode::TwoOfficersRequired, "行政处罚法第四十二条", "执法人员不得少于两人");
    }
    for id in distinct {
        let Some(person) = ctx.people.get(id.as_str()) else {
            return refuse(RefusalCode::UnknownOfficer, "", format!("人员 {id} 不存在"));
        };
        if person.employment == Employment::Auxiliary {
            return refuse(
                RefusalCode::AuxiliaryNotEnforcer,
                "行政处罚法第四十二条",
                format!("{} 是协管员，不具有执法资格，不能作为执法人员", person.name),
            );
        }
        if recused.contains(id) {
            return refuse(
                RefusalCode::OfficerRecused,
                "行政处罚法第四十三条",
                format!("{} 已回避，不得参与本案", person.name),
            );
        }
        if !person.may_act_on(on) {
            return refuse(
                RefusalCode::CertificateNotValid,
                "行政处罚法第四十二条",
                format!("{} 在 {on} 没有有效的执法证", person.name),
            );
        }
        // The plan's onboarding gate: nobody works a case before 岗前培训 (seed §三（一）5:
        // 新入职人员须经岗前培训后方可上岗).
        if person.onboarded_on.is_none_or(|d| d > on) {
            return refuse(
                RefusalCode::OnboardingIncomplete,
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
                RefusalCode::ReviewerCannotHandle,
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
            RefusalCode::LimitationExpired,
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
        return refuse(RefusalCode::PenaltyKindRequired, "行政处罚法第九条", "请选择处罚种类");
    }
    let fines = penalty.kinds.contains(&PenaltyKind::Fine);
    if fines != (penalty.fine_fen > 0) {
        return refuse(
            RefusalCode::FineAmountMismatch,
            "行政处罚法第九条",
            "选择罚款时须填写罚款金额，未选择罚款时金额应为 0",
        );
    }
    if fines
        && let Some(range) = ctx.fine_range
        && (penalty.fine_fen < range.min || penalty.fine_fen > range.max)
    {
        return refuse(
            RefusalCode::FineOutsideStatutoryRange,
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
/// The version of a stored step event's `details`: the step's fields as [`Command`] serializes
/// them (the API's wire form of the step) plus what [`apply`] adds. The two are written by one
/// derive, so a change to the wire form changes what is stored: `ops::cases`'s snapshot test
/// fails until this is raised (and whatever reads old events is taught the old shape).
///
/// 1. Events written before the field existed (no `format`): a service's `method` in words.
/// 2. `method` of `serve` and `serve_enforcement` as its code (`left`), its words in
///    `method_zh` (the recording rules match 留置 and 公告 in the event text, for both versions).
pub const EVENT_FORMAT: u32 = 2;

pub fn apply(case: &Case, command: &Command, ctx: &Context) -> Result<(Case, Event), Refusal> {
    if let Some(on) = command.date()
        && on > ctx.today
    {
        return refuse(RefusalCode::DateInFuture, "", "日期不能晚于今天");
    }
    let mut next = case.clone();
    let mut details = serde_json::to_value(command).unwrap_or_default();
    // One stage's steps per module; each answers the timeline's words or the refusal.
    use Command as C;
    let summary = match command {
        C::File { .. }
        | C::DeclineFiling { .. }
        | C::ExtendLeadCheck { .. }
        | C::Recuse { .. }
        | C::Reassign { .. } => filing::apply(case, &mut next, command, ctx)?,
        C::RecordAct { .. }
        | C::Propose { .. }
        | C::ExtendDecision { .. }
        | C::ExcludePeriod { .. }
        | C::HandlePreservation { .. } => investigation::apply(case, &mut next, command, ctx)?,
        C::Review { .. }
        | C::Discuss { .. }
        | C::Notify { .. }
        | C::Statement { .. }
        | C::Waive { .. }
        | C::RequestHearing { .. }
        | C::ScheduleHearing { .. }
        | C::HoldHearing { .. } => review::apply(case, &mut next, &mut details, command, ctx)?,
        C::Decide { .. } | C::Serve { .. } => decision::apply(case, &mut next, &mut details, command, ctx)?,
        C::Defer { .. }
        | C::Pay { .. }
        | C::ApplyCourt { .. }
        | C::UrgePayment { .. }
        | C::Register { .. }
        | C::Close { .. } => execution::apply(case, &mut next, command, ctx)?,
        C::ReceiveReconsideration { .. }
        | C::AnswerReconsideration { .. }
        | C::ConcludeReconsideration { .. }
        | C::ReceiveLawsuit { .. }
        | C::AnswerLawsuit { .. }
        | C::ConcludeLawsuit { .. } => challenge::apply(case, &mut next, command, ctx)?,
        C::Seize { .. } | C::ApproveSeizure { .. } | C::ExtendSeizure { .. } | C::EndSeizure { .. } => {
            seizure::apply(case, &mut next, command, ctx)?
        }
        C::AnnounceDemolition { .. }
        | C::UrgeDemolition { .. }
        | C::DecideEnforcement { .. }
        | C::ServeEnforcement { .. }
        | C::Demolish { .. }
        | C::SelfDemolish { .. } => demolition::apply(case, &mut next, &mut details, command, ctx)?,
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
        | C::ReviewCompulsory { .. } => compulsory::apply(case, &mut next, command, ctx)?,
    };
    if let Some(obj) = details.as_object_mut() {
        obj.remove("action");
        obj.insert("format".to_owned(), serde_json::json!(EVENT_FORMAT));
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
                RefusalCode::AnnouncementRequired,
                "行政强制法第四十四条",
                "强制拆除前须公告，限期当事人自行拆除",
            );
        }
        (_, None) => {
            return refuse(RefusalCode::UrgeRequired, "行政强制法第三十五条", "强制拆除前须书面催告当事人");
        }
        (Some(a), Some(u)) if on <= a || on <= u => {
            return refuse(
                RefusalCode::DeadlineNotPassed,
                "行政强制法第三十七条",
                "公告或催告的期限尚未届满",
            );
        }
        _ => {}
    }
    for challenge in [&case.reconsideration, &case.lawsuit].into_iter().flatten() {
        if challenge.concluded_on.is_none() {
            return refuse(
                RefusalCode::ChallengePending,
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
            RefusalCode::AppealWindowOpen,
            "行政强制法第四十四条",
            format!(
                "当事人申请行政复议（60日）、提起行政诉讼（6个月）的期限至 {window_end} 才届满，期满前不得强制拆除"
            ),
        );
    }
    if let Some(deferral) = compulsory::deferral_in_force(case, DeferralSubject::Demolition) {
        return refuse(
            RefusalCode::Deferred,
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
        refuse(RefusalCode::OfficerRequired, "", "此步骤须由执法人员、法制审核人员或局领导办理")
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
            RefusalCode::AttendeeNotLeader,
            "行政处罚法第五十七条第二款",
            format!("集体讨论由行政机关负责人参加：{} 未在人员名册中登记为本局负责人", strangers.join("、")),
        );
    }
    if out.len() < MIN_DISCUSSION_ATTENDEES {
        return refuse(
            RefusalCode::DiscussionTooSmall,
            "行政处罚法第五十七条第二款",
            format!("{what}须经负责人集体讨论，请选择至少{MIN_DISCUSSION_ATTENDEES}名参加的负责人"),
        );
    }
    Ok(out)
}

fn require_text(text: &str, code: RefusalCode, message: &str) -> Result<(), Refusal> {
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
