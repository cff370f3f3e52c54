//! Intake (受理): the matters (事项) the bureau accepts from every source and the closed loop they
//! run — 受理 → 派遣 → 处置 → 核查 (passed, or 返工) → 结案 → 回访 — in the manner of the
//! digital-urban-management loop (GB/T 30428, law-and-standards §2.1), timed in working time
//! against each class's limits (`worktime`).
//!
//! `catalogue` holds the classes (事件/部件, GB/T 30428.2 style) with their limits; `report`
//! parses what a reporter or the centre files into a [`NewMatter`]; `flow` is the loop itself
//! (`apply`: a matter and a command in, the next matter and its event out, or a refusal);
//! `resolution` is the 721 way of working (服务/管理/执法).

pub mod catalogue;
pub mod flow;
pub mod indicators;
pub mod joint;
pub mod report;
pub mod resolution;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use catalogue::{Category, CategoryKind};
pub use flow::{LoopContext, MatterCommand, MatterEvent, MatterRefusal, apply};
pub use report::{GeoPoint, NewMatter, ReportInput};
pub use resolution::{Measure, Resolution};

#[cfg(test)]
mod tests;

/// Declares a closed list of codes with their Chinese names: `ALL`, `code`, `name_zh`, `parse`.
macro_rules! coded {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $code:literal, $zh:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The stable snake_case code (API, database).
            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)*
                }
            }

            pub fn name_zh(self) -> &'static str {
                match self {
                    $($name::$variant => $zh,)*
                }
            }

            pub fn parse(code: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.code() == code.trim())
            }
        }
    };
}
pub(crate) use coded;

coded! {
    /// Where a matter came from.
    Source {
        /// 12345 / 12319 hotline: the centre files it on the caller's behalf.
        Hotline = "hotline", "12345/12319热线",
        /// Found on patrol or inspection by the bureau's own staff.
        Patrol = "patrol", "巡查发现",
        /// Raised by a conduct or social supervisor.
        Supervisor = "supervisor", "监督员反映",
        /// Reported in the press, on television or online.
        Media = "media", "媒体曝光",
        /// The public report form on the portal (no login).
        WebForm = "web_form", "网上举报",
        /// A citizen app through Open311 GeoReport v2.
        Open311 = "open311", "Open311应用",
    }
}

coded! {
    /// How urgent a matter is: the class's limit differs (GB/T 30428.8 处置时限 by 紧急程度).
    Urgency {
        Normal = "normal", "一般",
        Urgent = "urgent", "紧急",
    }
}

coded! {
    /// Where a matter stands in the loop.
    Status {
        /// 待受理: filed, not yet accepted.
        Reported = "reported", "待受理",
        /// 不予受理: refused with a reason the reporter sees; ends the loop.
        Rejected = "rejected", "不予受理",
        /// 待派遣: accepted by the centre.
        Accepted = "accepted", "待派遣",
        /// 处置中: with a squad, under its class's limit.
        Dispatched = "dispatched", "处置中",
        /// 立案查处中: the squad opened a penalty case; the matter waits for its outcome.
        AwaitingCase = "awaiting_case", "立案查处中",
        /// 待核查: the squad reported a result.
        Handled = "handled", "待核查",
        /// 待结案: the centre's check passed.
        Verified = "verified", "待结案",
        /// 已转办: outside the bureau's remit, with a partner department.
        Referred = "referred", "已转办",
        /// 已结案.
        Closed = "closed", "已结案",
        /// 已合并: a duplicate of another open matter, which keeps its reporter.
        Merged = "merged", "已合并",
    }
}

impl Status {
    /// Whether the loop has ended (nothing more is due, the Open311 status is `closed`).
    pub fn is_final(self) -> bool {
        matches!(self, Status::Rejected | Status::Closed | Status::Merged)
    }
}

coded! {
    /// The reporter's satisfaction at the 回访.
    Satisfaction {
        Satisfied = "satisfied", "满意",
        Fair = "fair", "基本满意",
        Dissatisfied = "dissatisfied", "不满意",
        /// The reporter could not be reached: counted as visited, not in the satisfaction rate.
        Unreachable = "unreachable", "联系不上",
    }
}

coded! {
    /// A request from the squad for more time, decided by the centre.
    TimeRequestKind {
        /// 延期: the handling limit is moved to a later moment.
        Extend = "extend", "延期",
        /// 缓办: the matter cannot be handled now (weather, a season, works); handling resumes
        /// on a stated day, and the time in between does not count against the squad.
        Defer = "defer", "缓办",
    }
}

/// A pending request for more time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeRequest {
    pub kind: TimeRequestKind,
    /// The new handling deadline asked for.
    pub until: DateTime<Utc>,
    pub reason: String,
    pub requested_at: DateTime<Utc>,
}

/// A referral to a partner department (转办/移送).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Referral {
    pub department: String,
    /// The department's or the letter's reference number (文号/编号).
    pub reference: String,
    pub due_at: DateTime<Utc>,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
}

/// The whole state of one matter: what the loop reads and writes. The store keeps it as listing
/// columns (for lists, scans and indicators) beside its append-only events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Matter {
    pub id: String,
    /// `SX2026-000123`: 事项, year, sequence of the year.
    pub number: String,
    pub source: Source,
    pub category: String,
    pub urgency: Urgency,
    pub status: Status,
    pub title: String,
    pub description: String,
    pub address: String,
    pub point: Option<GeoPoint>,
    /// A link the reporter sent (Open311 `media_url`), never fetched.
    #[serde(default)]
    pub media_url: Option<String>,
    pub reported_at: DateTime<Utc>,
    /// The squad the matter is dispatched to.
    pub unit_id: Option<String>,
    /// When the current step is due (受理, 派遣, 处置, 核查, 结案 or 回访), if one is.
    pub due_at: Option<DateTime<Utc>>,
    /// The handling deadline of the current round (after approved extensions).
    pub handle_due_at: Option<DateTime<Utc>>,
    /// The deadline the matter should be closed by: the first round's handling deadline plus
    /// the centre's check and closing time, moved only by approved extensions and deferrals
    /// (返工 does not move it, so rework shows in the on-time closure rate).
    pub close_due_at: Option<DateTime<Utc>>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub dispatched_at: Option<DateTime<Utc>>,
    pub handled_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Whether every handling round so far ended by its deadline (`None` until the first).
    pub handled_on_time: Option<bool>,
    pub rework_count: u32,
    /// 回退: dispatched to a squad that sent it back (the 准确派遣 of the centre).
    pub return_count: u32,
    /// Approved 延期.
    pub extension_count: u32,
    /// Approved 缓办.
    pub defer_count: u32,
    pub pending_request: Option<TimeRequest>,
    /// How the matter was resolved (721), confirmed by the squad.
    pub resolution: Option<Resolution>,
    /// What the squad did, from which the resolution was proposed.
    pub measures: Vec<Measure>,
    pub result: String,
    /// The penalty case opened from this matter.
    pub case_id: Option<String>,
    /// The person who reported the last handling round (处置人), when the account has one.
    #[serde(default)]
    pub handler_id: Option<String>,
    pub referral: Option<Referral>,
    pub merged_into: Option<String>,
    pub satisfaction: Option<Satisfaction>,
    /// What the reporter is told in the lookup and in Open311 `status_notes`: the reason of a
    /// 不予受理, the result at closing. Never personal data (the centre writes it for the public).
    pub public_note: String,
    /// Whether a reporter left a way to be called back (回访 is due only then).
    pub has_contact: bool,
    pub version: i64,
}

impl Matter {
    /// A matter just filed: 待受理, due for acceptance within [`flow::ACCEPT_LIMIT`].
    pub fn filed(
        id: String,
        number: String,
        new: &NewMatter,
        now: DateTime<Utc>,
        ctx: &LoopContext,
    ) -> Matter {
        Matter {
            id,
            number,
            source: new.source,
            category: new.category.clone(),
            urgency: new.urgency,
            status: Status::Reported,
            title: new.title.clone(),
            description: new.description.clone(),
            address: new.address.clone(),
            point: new.point,
            media_url: new.media_url.clone(),
            reported_at: now,
            unit_id: None,
            due_at: Some(ctx.due(now, flow::ACCEPT_LIMIT)),
            handle_due_at: None,
            close_due_at: None,
            accepted_at: None,
            dispatched_at: None,
            handled_at: None,
            closed_at: None,
            handled_on_time: None,
            rework_count: 0,
            return_count: 0,
            extension_count: 0,
            defer_count: 0,
            pending_request: None,
            resolution: None,
            measures: Vec::new(),
            result: String::new(),
            case_id: None,
            handler_id: None,
            referral: None,
            merged_into: None,
            satisfaction: None,
            public_note: String::new(),
            has_contact: !new.reporter_phone.is_empty(),
            version: 1,
        }
    }

    /// Whether the current step is past its deadline at `now`.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        self.due_at.is_some_and(|due| now > due)
    }
}

/// The matter number: `SX` (事项), the year, the year's sequence.
pub fn matter_number(year: i32, sequence: i64) -> String {
    format!("SX{year}-{sequence:06}")
}
