//! The steps a user asks of a case: [`Command`] with its fields, and [`CommandKind`], the one
//! spelling of every step (its code, its Chinese name) that the API's `action` tag, the form, the
//! offered steps, the templates and the demo all use.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::rules::ExcludedPeriod;
use super::{
    ActKind, CompulsoryMeasure, DeferralSubject, Findings, Outcome, Penalty, SeizureOutcome, ServiceMethod,
    SubstituteGround,
};
use crate::domain::fields::FieldErrors;

/// One step a user asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Command {
    /// 立案: the 负责人 approves filing, naming at least two certified officers.
    File {
        on: NaiveDate,
        officers: Vec<String>,
    },
    /// 不予立案, with the reason.
    DeclineFiling {
        on: NaiveDate,
        reason: String,
    },
    /// +10 days for the lead check (住建部令第55号 Art. 15).
    ExtendLeadCheck {
        reason: String,
    },
    /// 回避 (Art. 43): the 负责人 withdraws a person from the case.
    Recuse {
        person: String,
        reason: String,
    },
    /// Replaces the officers on the case (after a recusal, for instance).
    Reassign {
        on: NaiveDate,
        officers: Vec<String>,
    },
    /// 调查取证: an investigative act taken by at least two certified officers.
    RecordAct {
        kind: ActKind,
        on: NaiveDate,
        officers: Vec<String>,
        summary: String,
    },
    /// 处理意见: the handler proposes the outcome with the findings the decision will state.
    Propose {
        penalty: Penalty,
        complex: bool,
        public_interest: bool,
        #[serde(default)]
        findings: Findings,
    },
    /// 法制审核 by a reviewer who did not handle the case.
    Review {
        on: NaiveDate,
        checklist: Vec<bool>,
        opinion: String,
    },
    /// 集体讨论 minutes recorded by the 负责人.
    Discuss {
        on: NaiveDate,
        attendees: Vec<String>,
        conclusion: String,
    },
    /// 事先告知 served on the party.
    Notify {
        on: NaiveDate,
    },
    /// 陈述申辩 recorded.
    Statement {
        on: NaiveDate,
        summary: String,
    },
    /// The party waives statement, defence and hearing in writing.
    Waive {
        on: NaiveDate,
    },
    RequestHearing {
        on: NaiveDate,
    },
    ScheduleHearing {
        notice_on: NaiveDate,
        hearing_on: NaiveDate,
        presider: String,
        #[serde(default)]
        place: String,
    },
    HoldHearing {
        on: NaiveDate,
        attended: bool,
    },
    /// Extends the decision period where a rule allows it (Art. 60).
    ExtendDecision {
        days: u32,
        reason: String,
    },
    /// 决定 by the 负责人.
    /// `note`: for 不予处罚 the education given (Art. 33 ¶3), for 移送 the receiving authority.
    Decide {
        on: NaiveDate,
        outcome: Outcome,
        penalty: Penalty,
        note: String,
        /// Why the decision comes after the 90 days (Art. 60): recorded with it. Not needed for
        /// a transfer, which is always possible (Arts. 27, 57).
        #[serde(default)]
        late_reason: String,
    },
    /// The decision on evidence kept by 先行登记保存, within seven working days (Art. 56):
    /// returned, turned into a seizure, sent for testing, confiscated with the decision …
    HandlePreservation {
        on: NaiveDate,
        handling: String,
    },
    /// 送达
    Serve {
        on: NaiveDate,
        /// By code (`direct`, `left`, `post`, `entrusted`, `electronic`, `announcement`) or by
        /// its Chinese name (直接送达 …); anything else does not parse.
        method: ServiceMethod,
        /// For electronic service: the party's recorded consent (Art. 61 ¶2), e.g. the date and
        /// form of the 送达地址确认书 it signed.
        #[serde(default)]
        consent: String,
    },
    /// 延期/分期缴纳 approved (Art. 66).
    Defer {
        until: NaiveDate,
        reason: String,
    },
    Pay {
        on: NaiveDate,
        amount_fen: i64,
    },
    /// 申请人民法院强制执行 (行政强制法 Art. 53).
    ApplyCourt {
        on: NaiveDate,
    },
    /// 催告 before applying to the court (行政强制法 Art. 54): the party is urged in writing to
    /// pay; ten working days after, the bureau may apply.
    UrgePayment {
        on: NaiveDate,
    },
    /// 备案 of an on-the-spot decision (Art. 52).
    Register {
        on: NaiveDate,
    },
    /// 结案
    Close {
        on: NaiveDate,
        summary: String,
    },
    /// The copy of a 行政复议 application reached the bureau (行政复议法 Art. 48).
    ReceiveReconsideration {
        on: NaiveDate,
        body: String,
        /// The reconsideration body handles it in the simple procedure (行政复议法 Arts.
        /// 53–54), as its notice says: the reply is due in 5 working days instead of 10.
        #[serde(default)]
        simple: bool,
        /// The day the party applied, from the copy (defaults to the day received): 加处罚款
        /// stops from it (行政处罚法 Art. 73 ¶3), however late the copy arrives.
        #[serde(default)]
        applied_on: Option<NaiveDate>,
    },
    /// The bureau's reply and evidence went to the reconsideration body.
    AnswerReconsideration {
        on: NaiveDate,
    },
    /// The copy of a complaint (起诉状副本) reached the bureau (行政诉讼法 Art. 67).
    ReceiveLawsuit {
        on: NaiveDate,
        court: String,
        /// The day the party sued, from the copy (defaults to the day received).
        #[serde(default)]
        applied_on: Option<NaiveDate>,
    },
    /// The bureau's 答辩状 and evidence went to the court.
    AnswerLawsuit {
        on: NaiveDate,
    },
    /// The reconsideration body decided: 加处罚款 counts again from the next day (Art. 73 ¶3).
    ConcludeReconsideration {
        on: NaiveDate,
    },
    /// The court's judgment took effect: 加处罚款 counts again from the next day (Art. 73 ¶3).
    ConcludeLawsuit {
        on: NaiveDate,
    },
    /// 查封、扣押 (行政强制法 Arts. 18, 22–24): with the head's prior approval, or in an emergency
    /// by the case officers, approved afterwards (Art. 19).
    Seize {
        on: NaiveDate,
        officers: Vec<String>,
        items: Vec<String>,
        reason: String,
        #[serde(default)]
        emergency: bool,
    },
    /// The head approves an emergency seizure afterwards (Art. 19).
    ApproveSeizure {
        on: NaiveDate,
    },
    /// The head extends a seizure by up to thirty days (Art. 25).
    ExtendSeizure {
        on: NaiveDate,
        reason: String,
    },
    /// The seizure ends: released, confiscated or destroyed (Arts. 27–28).
    EndSeizure {
        on: NaiveDate,
        outcome: SeizureOutcome,
    },
    /// 公告 of a 限期拆除 decision with the deadline for the party (Art. 44).
    AnnounceDemolition {
        on: NaiveDate,
        deadline: NaiveDate,
    },
    /// 催告 before enforcement (Art. 35), with a new deadline.
    UrgeDemolition {
        on: NaiveDate,
        deadline: NaiveDate,
    },
    /// 强制执行决定 (行政强制法 Art. 37): after the 催告's deadline has passed without
    /// compliance, the head decides in writing how and from which day the building is removed.
    DecideEnforcement {
        on: NaiveDate,
        manner: String,
        execute_on: NaiveDate,
    },
    /// Service of the 强制执行决定书 on the party (Art. 38, by the 民事诉讼法 rules).
    ServeEnforcement {
        on: NaiveDate,
        method: ServiceMethod,
    },
    /// 强制拆除 (Arts. 37, 43–44), ordered by the head, carried out by officers in daytime, not
    /// before the day the served decision states.
    Demolish {
        on: NaiveDate,
        start_hour: u32,
        officers: Vec<String>,
    },
    /// The party demolished the building (自拆), or did with the bureau's help (助拆).
    SelfDemolish {
        on: NaiveDate,
        #[serde(default)]
        assisted: bool,
    },
    /// 责令改正 or 责令限期改正 (行政处罚法 Art. 28), by two certified officers.
    OrderCorrection {
        on: NaiveDate,
        #[serde(default)]
        deadline: Option<NaiveDate>,
        requirement: String,
        officers: Vec<String>,
    },
    /// 复查: whether the party corrected by the deadline.
    Reinspect {
        on: NaiveDate,
        officers: Vec<String>,
        corrected: bool,
        summary: String,
    },
    /// 代履行决定 by the head (行政强制法 Arts. 50–52).
    DecideSubstitute {
        on: NaiveDate,
        ground: SubstituteGround,
        reason: String,
        obligation: String,
        performer: String,
        budget_fen: i64,
        planned_on: NaiveDate,
        /// Immediate path only: whether the party was on the spot (Art. 52).
        #[serde(default)]
        party_present: bool,
    },
    /// 催告 three working days before performing (Art. 51(2)).
    UrgeSubstitute {
        on: NaiveDate,
    },
    /// 代履行 carried out, supervised and signed (Art. 51(3)(4)), with its cost.
    PerformSubstitute {
        on: NaiveDate,
        supervisor: String,
        signatory: String,
        cost_fen: i64,
        /// The hour work starts: a 代履行 that demolishes is bound by the night ban of Art. 43
        /// like any forced demolition, so it must say when it starts.
        #[serde(default)]
        start_hour: Option<u32>,
    },
    /// The party complied after the 催告: the bureau stops (Art. 51(2)).
    StopSubstitute {
        on: NaiveDate,
    },
    /// The party absent at an immediate 代履行 is told afterwards (Art. 52).
    NotifySubstitute {
        on: NaiveDate,
    },
    /// The party pays back (part of) the cost of 代履行 (Art. 51 ¶2).
    RecoverSubstituteCost {
        on: NaiveDate,
        amount_fen: i64,
    },
    /// 暂缓立案 / 暂缓强制拆除 decided in collective discussion, with reasons and a review date.
    ProposeDeferral {
        on: NaiveDate,
        subject: DeferralSubject,
        reason: String,
        review_on: NaiveDate,
        attendees: Vec<String>,
        conclusion: String,
    },
    /// The deferral's 法制审核 by a reviewer who did not handle the case.
    ReviewDeferral {
        on: NaiveDate,
        passed: bool,
        opinion: String,
    },
    /// 监督备案: the deferral filed with the supervising body; it takes effect.
    RegisterDeferral {
        on: NaiveDate,
        authority: String,
    },
    /// The review ends the deferral: filing or demolition goes ahead (or a new deferral is decided).
    EndDeferral {
        on: NaiveDate,
        note: String,
    },
    /// A 检测、检验、鉴定 or 公告送达 time, left out of the 90 days where the rules say so.
    ExcludePeriod {
        kind: ExcludedPeriod,
        from: NaiveDate,
        to: NaiveDate,
        #[serde(default)]
        note: String,
    },
    /// 集体讨论 of a compulsory decision the plan clears first (seizure, 代履行, 强制执行决定), by
    /// the bureau's 负责人 chosen from the register.
    DiscussCompulsory {
        on: NaiveDate,
        measure: CompulsoryMeasure,
        attendees: Vec<String>,
        conclusion: String,
    },
    /// 法制审核 of that compulsory decision, by a qualified reviewer who did not handle the case.
    ReviewCompulsory {
        on: NaiveDate,
        measure: CompulsoryMeasure,
        passed: bool,
        opinion: String,
    },
}

/// Declares [`CommandKind`] from one table, so that a step's variant, code and Chinese name are
/// written once, and [`Command::kind`] cannot miss a variant.
macro_rules! command_kinds {
    ($($variant:ident = $code:literal, $zh:literal;)*) => {
        /// What a [`Command`] is, without its fields: one variant per step, in the order of
        /// [`Command`]'s variants. Its `code` is the API's `action` tag (a test checks that serde
        /// writes the same word).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum CommandKind {
            $($variant,)*
        }

        impl CommandKind {
            /// Every step, in the order of [`Command`]'s variants (the API document lists them).
            pub const ALL: &'static [CommandKind] = &[$(CommandKind::$variant,)*];

            /// The step's `action` code.
            pub fn code(self) -> &'static str {
                match self {
                    $(CommandKind::$variant => $code,)*
                }
            }

            /// The step's name as the 执法文书 and the timeline call it.
            pub fn name_zh(self) -> &'static str {
                match self {
                    $(CommandKind::$variant => $zh,)*
                }
            }

            /// The step an `action` code names, if any.
            pub fn parse(code: &str) -> Option<CommandKind> {
                match code {
                    $($code => Some(CommandKind::$variant),)*
                    _ => None,
                }
            }
        }

        impl Command {
            /// Which step this is.
            pub fn kind(&self) -> CommandKind {
                match self {
                    $(Command::$variant { .. } => CommandKind::$variant,)*
                }
            }
        }
    };
}

command_kinds! {
    File = "file", "立案";
    DeclineFiling = "decline_filing", "不予立案";
    ExtendLeadCheck = "extend_lead_check", "延长核查期限";
    Recuse = "recuse", "回避";
    Reassign = "reassign", "调整承办人";
    RecordAct = "record_act", "调查取证";
    Propose = "propose", "提出处理意见";
    Review = "review", "法制审核";
    Discuss = "discuss", "集体讨论";
    Notify = "notify", "事先告知";
    Statement = "statement", "陈述申辩";
    Waive = "waive", "放弃陈述申辩和听证";
    RequestHearing = "request_hearing", "申请听证";
    ScheduleHearing = "schedule_hearing", "听证通知";
    HoldHearing = "hold_hearing", "举行听证";
    ExtendDecision = "extend_decision", "延长决定期限";
    Decide = "decide", "作出决定";
    Serve = "serve", "送达";
    Defer = "defer", "延期（分期）缴纳";
    Pay = "pay", "缴纳罚款";
    ApplyCourt = "apply_court", "申请法院强制执行";
    HandlePreservation = "handle_preservation", "先行登记保存处理决定";
    UrgePayment = "urge_payment", "催告履行（申请强制执行前）";
    Register = "register", "简易程序备案";
    Close = "close", "结案";
    ReceiveReconsideration = "receive_reconsideration", "收到行政复议申请";
    AnswerReconsideration = "answer_reconsideration", "提交行政复议答复";
    ReceiveLawsuit = "receive_lawsuit", "收到起诉状副本";
    AnswerLawsuit = "answer_lawsuit", "提交答辩状";
    ConcludeReconsideration = "conclude_reconsideration", "行政复议结束";
    ConcludeLawsuit = "conclude_lawsuit", "行政诉讼结束";
    Seize = "seize", "查封扣押";
    ApproveSeizure = "approve_seizure", "补办查封扣押批准";
    ExtendSeizure = "extend_seizure", "延长查封扣押期限";
    EndSeizure = "end_seizure", "查封扣押处理（解除、没收或销毁）";
    AnnounceDemolition = "announce_demolition", "限期拆除公告";
    UrgeDemolition = "urge_demolition", "拆除催告";
    DecideEnforcement = "decide_enforcement", "强制执行决定";
    ServeEnforcement = "serve_enforcement", "送达强制执行决定书";
    Demolish = "demolish", "强制拆除";
    SelfDemolish = "self_demolish", "当事人自行拆除";
    OrderCorrection = "order_correction", "责令（限期）改正";
    Reinspect = "reinspect", "复查改正情况";
    DecideSubstitute = "decide_substitute", "代履行决定";
    UrgeSubstitute = "urge_substitute", "代履行催告";
    PerformSubstitute = "perform_substitute", "实施代履行";
    StopSubstitute = "stop_substitute", "停止代履行（当事人已履行）";
    NotifySubstitute = "notify_substitute", "事后通知当事人（立即代履行）";
    RecoverSubstituteCost = "recover_substitute_cost", "收回代履行费用";
    ProposeDeferral = "propose_deferral", "集体讨论暂缓";
    ReviewDeferral = "review_deferral", "暂缓法制审核";
    RegisterDeferral = "register_deferral", "暂缓监督备案";
    EndDeferral = "end_deferral", "复查结束暂缓";
    ExcludePeriod = "exclude_period", "记录不计入办案期限的时间";
    DiscussCompulsory = "discuss_compulsory", "行政强制集体讨论";
    ReviewCompulsory = "review_compulsory", "行政强制法制审核";
}

/// A step is written as its code (in form values and element ids).
impl std::fmt::Display for CommandKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

impl Command {
    pub fn code(&self) -> &'static str {
        self.kind().code()
    }

    pub fn name_zh(&self) -> &'static str {
        self.kind().name_zh()
    }

    /// The date the step happened on, where it has one; it may not lie in the future.
    pub fn date(&self) -> Option<NaiveDate> {
        match self {
            Command::File { on, .. }
            | Command::DeclineFiling { on, .. }
            | Command::Reassign { on, .. }
            | Command::RecordAct { on, .. }
            | Command::Review { on, .. }
            | Command::Discuss { on, .. }
            | Command::Notify { on }
            | Command::Statement { on, .. }
            | Command::Waive { on }
            | Command::RequestHearing { on }
            | Command::HoldHearing { on, .. }
            | Command::Decide { on, .. }
            | Command::Serve { on, .. }
            | Command::Pay { on, .. }
            | Command::ApplyCourt { on }
            | Command::Register { on }
            | Command::Close { on, .. }
            | Command::ReceiveReconsideration { on, .. }
            | Command::AnswerReconsideration { on }
            | Command::ReceiveLawsuit { on, .. }
            | Command::AnswerLawsuit { on }
            | Command::ConcludeReconsideration { on }
            | Command::ConcludeLawsuit { on }
            | Command::Seize { on, .. }
            | Command::ApproveSeizure { on }
            | Command::ExtendSeizure { on, .. }
            | Command::EndSeizure { on, .. }
            | Command::AnnounceDemolition { on, .. }
            | Command::UrgeDemolition { on, .. }
            | Command::DecideEnforcement { on, .. }
            | Command::ServeEnforcement { on, .. }
            | Command::Demolish { on, .. }
            | Command::SelfDemolish { on, .. }
            | Command::OrderCorrection { on, .. }
            | Command::Reinspect { on, .. }
            | Command::DecideSubstitute { on, .. }
            | Command::UrgeSubstitute { on }
            | Command::PerformSubstitute { on, .. }
            | Command::StopSubstitute { on }
            | Command::NotifySubstitute { on }
            | Command::RecoverSubstituteCost { on, .. }
            | Command::ProposeDeferral { on, .. }
            | Command::ExcludePeriod { to: on, .. }
            | Command::DiscussCompulsory { on, .. }
            | Command::ReviewCompulsory { on, .. }
            | Command::ReviewDeferral { on, .. }
            | Command::RegisterDeferral { on, .. }
            | Command::EndDeferral { on, .. } => Some(*on),
            Command::ScheduleHearing { notice_on, .. } => Some(*notice_on),
            _ => None,
        }
    }
}

/// The Chinese name of a recorded event, by its code: a step's, or one of the two ways a case
/// opens (which are not steps of an existing case).
pub fn command_name_zh(code: &str) -> &'static str {
    match code {
        "open" => "登记线索",
        "open_simple" => "当场处罚（简易程序）",
        _ => CommandKind::parse(code).map_or("其他", CommandKind::name_zh),
    }
}

/// Every field a step may carry, by its path in the step's JSON shape, with the name a form
/// shows for it: a field error names the field by this path and says it in these words.
const FIELDS: &[(&str, &str)] = &[
    ("action", "办理步骤"),
    ("on", "日期"),
    ("officers", "执法人员"),
    ("reason", "理由"),
    ("person", "回避人员"),
    ("kind", "类别"),
    ("summary", "内容摘要"),
    ("penalty", "处罚"),
    ("penalty.kinds", "处罚种类"),
    ("penalty.fine_fen", "罚款金额"),
    ("penalty.confiscation_fen", "没收价值"),
    ("complex", "疑难复杂"),
    ("public_interest", "涉及重大公共利益"),
    ("findings", "认定的事实"),
    ("findings.facts", "违法事实"),
    ("findings.evidence", "证据"),
    ("findings.discretion", "裁量理由"),
    ("checklist", "审核要点"),
    ("opinion", "审核意见"),
    ("attendees", "参加的负责人"),
    ("conclusion", "讨论结论"),
    ("notice_on", "通知日期"),
    ("hearing_on", "听证日期"),
    ("presider", "主持人"),
    ("place", "听证地点"),
    ("attended", "当事人是否出席"),
    ("days", "延长天数"),
    ("outcome", "处理结果"),
    ("note", "说明"),
    ("late_reason", "逾期理由"),
    ("handling", "处理决定"),
    ("method", "送达方式"),
    ("consent", "电子送达同意记录"),
    ("until", "缴纳期限"),
    ("amount_fen", "金额"),
    ("body", "复议机关"),
    ("simple", "复议程序"),
    ("applied_on", "申请或起诉日期"),
    ("court", "人民法院"),
    ("items", "查封扣押清单"),
    ("emergency", "情况紧急"),
    ("deadline", "期限"),
    ("manner", "执行方式"),
    ("execute_on", "执行时间"),
    ("start_hour", "开始时间"),
    ("assisted", "协助拆除"),
    ("requirement", "改正要求"),
    ("corrected", "是否已改正"),
    ("ground", "代履行的法定情形"),
    ("obligation", "代履行的义务"),
    ("performer", "代履行人"),
    ("budget_fen", "费用预算"),
    ("planned_on", "代履行时间"),
    ("party_present", "当事人是否在场"),
    ("supervisor", "监督人"),
    ("signatory", "签名人"),
    ("cost_fen", "实际费用"),
    ("subject", "暂缓的事项"),
    ("review_on", "复查日期"),
    ("passed", "是否通过"),
    ("authority", "备案机关"),
    ("from", "开始日期"),
    ("to", "结束日期"),
    ("measure", "拟作出的行政强制决定"),
];

/// The field a path names (`penalty.fine_fen`, or a bare `fine_fen` from serde's "missing
/// field" message), as its static path and label; `None` for a path no step has.
pub fn step_field(path: &str) -> Option<(&'static str, &'static str)> {
    FIELDS.iter().copied().find(|(p, _)| *p == path || p.rsplit('.').next() == Some(path))
}

/// The word serde uses for a missing field, which names it.
fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.split('`').next()
}

impl Command {
    /// Reads a step from its JSON shape: `action` and that step's fields, amounts in fen, dates
    /// `YYYY-MM-DD`. It is the one parser of a step: the API body comes here as sent and the HTML
    /// form reshaped into it, so both give the same command or the same field error — `required`
    /// for a missing field, `invalid_value` for one that cannot be read, `action_unknown` for a
    /// step that does not exist — named by the field's path.
    pub fn from_json(value: serde_json::Value) -> Result<Command, FieldErrors> {
        match value.get("action") {
            None | Some(serde_json::Value::Null) => {
                return Err(FieldErrors::single("action", "required", "请选择办理步骤"));
            }
            Some(action) if action.as_str().and_then(CommandKind::parse).is_none() => {
                return Err(FieldErrors::single("action", "action_unknown", "未知的办理步骤"));
            }
            Some(_) => {}
        }
        let error = match serde_json::from_value::<Command>(value.clone()) {
            Ok(command) => return Ok(command),
            Err(error) => error.to_string(),
        };
        if let Some((path, label)) = missing_field(&error).and_then(step_field) {
            return Err(FieldErrors::single(path, "required", format!("请填写{label}")));
        }
        let (path, label) =
            culprit(&value, &[], &error).as_deref().and_then(step_field).unwrap_or(("action", "办理步骤"));
        // Say what the field takes where a user could get its form wrong: money and dates.
        let hint = if path.ends_with("_fen") {
            "：请填写金额（元，最多两位小数）"
        } else if path.ends_with("_on") || matches!(path, "on" | "until" | "deadline" | "from" | "to") {
            "：请填写日期（年-月-日）"
        } else {
            ""
        };
        Err(FieldErrors::single(path, "invalid_value", format!("{label}的取值不正确{hint}")))
    }
}

/// Which field of a step serde could not read. Serde reads a tagged enum through a buffer that
/// forgets where it was, so its error does not say; but it stops at the first field it cannot
/// read, so the culprit is the one field whose removal changes the error (into success, another
/// field's error, or the culprit's own absence). An object field is searched the same way one
/// level down (`penalty.fine_fen`).
fn culprit(value: &serde_json::Value, at: &[&str], error: &str) -> Option<String> {
    let object = at.iter().try_fold(value, |v, key| v.get(key))?.as_object()?;
    for key in object.keys().filter(|k| !(at.is_empty() && *k == "action")) {
        let mut without = value.clone();
        let mut parent = &mut without;
        for step in at {
            parent = parent.get_mut(*step)?;
        }
        parent.as_object_mut()?.remove(key);
        let changed = match serde_json::from_value::<Command>(without) {
            Ok(_) => true,
            Err(other) => other.to_string() != error,
        };
        if changed {
            let mut path: Vec<&str> = at.to_vec();
            path.push(key);
            if object[key].is_object()
                && at.is_empty()
                && let Some(inner) = culprit(value, &path, error)
            {
                return Some(inner);
            }
            return Some(path.join("."));
        }
    }
    None
}
