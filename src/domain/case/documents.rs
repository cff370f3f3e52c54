//! Official documents (执法文书) of a case: which may be issued when, what each must contain
//! (checked before issuing: a document missing a statutory item is refused), and the data the
//! typesetting template receives.
//!
//! Issued documents are immutable; a correction is a new document with a new number.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use serde_json::json;

use super::compulsory::SubstituteGround;
use super::rules::{
    LAWSUIT_MONTHS, PAYMENT_DAYS, RECONSIDERATION_DAYS, SEIZURE_DAYS, SUBSTITUTE_NOTICE_WORKDAYS, yuan,
};
use super::{
    ActKind, Case, Hearing, Outcome, PenaltyKind, Procedure, REVIEW_CHECKLIST, Refusal, RefusalCode, Stage,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocKind {
    /// 立案审批表
    FilingApproval,
    /// 行政处罚事先告知书 (行政处罚法 Art. 44)
    AdvanceNotice,
    /// 行政处罚决定书 (Art. 59)
    PenaltyDecision,
    /// 不予行政处罚决定书 (Arts. 33, 57)
    NoPenaltyDecision,
    /// 当场行政处罚决定书 (Art. 52)
    SpotDecision,
    /// 送达回证 (Art. 61)
    ServiceReceipt,
    /// 结案报告
    ClosingReport,
    /// 现场检查（勘验）笔录, one per inspection (行政处罚法 Art. 55; 行政强制法 Art. 18(7)).
    InspectionRecord,
    /// 询问笔录, one per interview (Art. 55).
    InterviewRecord,
    /// 责令（限期）改正通知书 (Art. 28), one per order.
    CorrectionNotice,
    /// 集体讨论笔录 (Art. 57 ¶2).
    DiscussionMinutes,
    /// 法制审核意见书 (Art. 58).
    LegalReviewOpinion,
    /// 陈述申辩笔录 (Arts. 7, 45).
    StatementRecord,
    /// 听证通知书 (Art. 64(2)).
    HearingNotice,
    /// 查封（扣押）决定书 with its 清单 (行政强制法 Art. 24), one per seizure.
    SeizureDecision,
    /// 催告书 (行政强制法 Art. 35): before forced demolition or 代履行.
    UrgeNotice,
    /// 代履行决定书 (行政强制法 Art. 51(1)).
    SubstituteDecision,
    /// 强制执行决定书 (行政强制法 Art. 37): the written decision to demolish by force.
    EnforcementDecision,
}

impl DocKind {
    pub const ALL: [DocKind; 18] = [
        DocKind::FilingApproval,
        DocKind::InspectionRecord,
        DocKind::InterviewRecord,
        DocKind::CorrectionNotice,
        DocKind::LegalReviewOpinion,
        DocKind::DiscussionMinutes,
        DocKind::AdvanceNotice,
        DocKind::StatementRecord,
        DocKind::HearingNotice,
        DocKind::PenaltyDecision,
        DocKind::NoPenaltyDecision,
        DocKind::SpotDecision,
        DocKind::ServiceReceipt,
        DocKind::SeizureDecision,
        DocKind::UrgeNotice,
        DocKind::SubstituteDecision,
        DocKind::EnforcementDecision,
        DocKind::ClosingReport,
    ];
    pub fn code(self) -> &'static str {
        match self {
            DocKind::FilingApproval => "filing_approval",
            DocKind::AdvanceNotice => "advance_notice",
            DocKind::PenaltyDecision => "penalty_decision",
            DocKind::NoPenaltyDecision => "no_penalty_decision",
            DocKind::SpotDecision => "spot_decision",
            DocKind::ServiceReceipt => "service_receipt",
            DocKind::ClosingReport => "closing_report",
            DocKind::InspectionRecord => "inspection_record",
            DocKind::InterviewRecord => "interview_record",
            DocKind::CorrectionNotice => "correction_notice",
            DocKind::DiscussionMinutes => "discussion_minutes",
            DocKind::LegalReviewOpinion => "legal_review_opinion",
            DocKind::StatementRecord => "statement_record",
            DocKind::HearingNotice => "hearing_notice",
            DocKind::SeizureDecision => "seizure_decision",
            DocKind::UrgeNotice => "urge_notice",
            DocKind::SubstituteDecision => "substitute_decision",
            DocKind::EnforcementDecision => "enforcement_decision",
        }
    }
    pub fn parse(s: &str) -> Option<DocKind> {
        DocKind::ALL.into_iter().find(|k| k.code() == s)
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            DocKind::FilingApproval => "立案审批表",
            DocKind::AdvanceNotice => "行政处罚事先告知书",
            DocKind::PenaltyDecision => "行政处罚决定书",
            DocKind::NoPenaltyDecision => "不予行政处罚决定书",
            DocKind::SpotDecision => "当场行政处罚决定书",
            DocKind::ServiceReceipt => "送达回证",
            DocKind::ClosingReport => "结案报告",
            DocKind::InspectionRecord => "现场检查（勘验）笔录",
            DocKind::InterviewRecord => "询问笔录",
            DocKind::CorrectionNotice => "责令（限期）改正通知书",
            DocKind::DiscussionMinutes => "集体讨论笔录",
            DocKind::LegalReviewOpinion => "法制审核意见书",
            DocKind::StatementRecord => "陈述申辩笔录",
            DocKind::HearingNotice => "听证通知书",
            DocKind::SeizureDecision => "查封（扣押）决定书",
            DocKind::UrgeNotice => "催告书",
            DocKind::SubstituteDecision => "代履行决定书",
            DocKind::EnforcementDecision => "强制执行决定书",
        }
    }
    /// The 类别代字 of the document number (ux-and-documents §1.4).
    pub fn word(self) -> &'static str {
        match self {
            DocKind::FilingApproval => "立字",
            DocKind::AdvanceNotice => "罚告字",
            DocKind::PenaltyDecision => "罚决字",
            DocKind::NoPenaltyDecision => "不罚字",
            DocKind::SpotDecision => "当罚字",
            DocKind::ServiceReceipt => "送字",
            DocKind::ClosingReport => "结字",
            DocKind::InspectionRecord => "勘字",
            DocKind::InterviewRecord => "询字",
            DocKind::CorrectionNotice => "改字",
            DocKind::DiscussionMinutes => "讨字",
            DocKind::LegalReviewOpinion => "审字",
            DocKind::StatementRecord => "申字",
            DocKind::HearingNotice => "听通字",
            DocKind::SeizureDecision => "查扣字",
            DocKind::UrgeNotice => "催字",
            DocKind::SubstituteDecision => "代履字",
            DocKind::EnforcementDecision => "强执字",
        }
    }
    /// Decisions carry the number given when the decision was made; the others take the next
    /// number of their kind when issued.
    pub fn numbered_at_decision(self) -> bool {
        matches!(self, DocKind::PenaltyDecision | DocKind::NoPenaltyDecision | DocKind::SpotDecision)
    }
    /// Documents about one item of a list (an act, an order, a seizure, an urging): issued once
    /// per item, each with its own number.
    pub fn per_subject(self) -> bool {
        matches!(
            self,
            DocKind::InspectionRecord
                | DocKind::InterviewRecord
                | DocKind::CorrectionNotice
                | DocKind::SeizureDecision
                | DocKind::UrgeNotice
        )
    }
}

/// A document number (文号): the bureau's short name, the kind's 类别代字, the year in 六角括号
/// and the sequence number of that kind and year, as the 执法文书 model texts write it:
/// `钟城管罚决字〔2026〕第1号` (第…号, no leading zeros). Every number is made here.
pub fn document_number(prefix: &str, word: &str, year: i32, n: i64) -> String {
    format!("{prefix}{word}〔{year}〕第{n}号")
}

/// The counter and the 类别代字 a decision is numbered by when it is made: the decision's
/// document kind, or the 移送 of a case to the judicial organs (which has no document here).
pub fn decision_numbering(outcome: Outcome) -> (&'static str, &'static str) {
    let kind = match outcome {
        Outcome::Penalty => DocKind::PenaltyDecision,
        Outcome::NoPenalty => DocKind::NoPenaltyDecision,
        Outcome::Transfer => return ("transfer", "移字"),
    };
    (kind.code(), kind.word())
}

/// The items a per-subject document may be about, oldest first: (key, label). The key is stored
/// with the issued document, so the case page can tell which items still lack theirs.
pub fn subjects(kind: DocKind, case: &Case) -> Vec<(String, String)> {
    let acts = |wanted: ActKind| -> Vec<(String, String)> {
        case.acts
            .iter()
            .enumerate()
            .filter(|(_, a)| a.kind == wanted)
            .map(|(i, a)| (format!("act-{i}"), a.on.to_string()))
            .collect()
    };
    match kind {
        DocKind::InspectionRecord => acts(ActKind::Inspection),
        DocKind::InterviewRecord => acts(ActKind::Interview),
        DocKind::CorrectionNotice => case
            .corrections
            .iter()
            .enumerate()
            .map(|(i, c)| (format!("correction-{i}"), c.on.to_string()))
            .collect(),
        DocKind::SeizureDecision => case
            .seizures
            .iter()
            .enumerate()
            .map(|(i, z)| (format!("seizure-{i}"), z.on.to_string()))
            .collect(),
        DocKind::UrgeNotice => {
            let mut out = Vec::new();
            if let Some(on) = case.demolition.urged_on {
                out.push(("demolition".to_owned(), format!("拆除 {on}")));
            }
            if let Some(on) = case.substitute.as_ref().and_then(|s| s.urged_on) {
                out.push(("substitute".to_owned(), format!("代履行 {on}")));
            }
            out
        }
        _ => Vec::new(),
    }
}

/// The bureau's particulars every document states.
#[derive(Debug, Clone, Serialize)]
pub struct Bureau {
    pub name: String,
    /// 行政复议机关: since 2024-01-01 the district people's government (行政复议法 Art. 24).
    pub reconsideration_body: String,
    pub court: String,
    /// Where and how fines are paid (罚缴分离, 行政处罚法 Art. 67).
    pub payment: String,
}

/// The party as the document names it. Served copies carry the full document number.
#[derive(Debug, Clone, Serialize)]
pub struct PartyBlock {
    pub name: String,
    pub organisation: bool,
    pub document_label: String,
    pub document_number: String,
    pub legal_representative: String,
    pub address: String,
    pub phone: String,
}

/// Everything a document may state besides the case state.
#[derive(Debug, Clone)]
pub struct DocFacts<'a> {
    pub case: &'a Case,
    pub case_number: &'a str,
    pub title: &'a str,
    pub location: &'a str,
    pub source: &'a str,
    pub party: PartyBlock,
    pub bureau: &'a Bureau,
    /// 违法依据 and 处罚依据 of the responsibility item.
    pub violated: &'a str,
    pub penalty_basis: &'a str,
    /// Officers with their certificate numbers (Art. 42; shown on 笔录, 回证 and 当场决定书).
    pub officers: Vec<(String, String)>,
    /// Numbers of documents already issued for this case, by kind.
    pub issued: Vec<(DocKind, String, NaiveDate)>,
    pub number: String,
    pub issued_on: NaiveDate,
    /// For a per-subject document, the item's key from [`subjects`]; empty means the latest.
    pub subject: &'a str,
    /// Everyone a document may name, by id: (name, certificate number).
    pub people: &'a HashMap<String, (String, String)>,
    /// The working-day calendar, so that a term a document states is the term its clock
    /// counts (one source: `clocks::seizure_term_end`).
    pub calendar: &'a crate::domain::calendar::WorkCalendar,
}

fn missing(items: Vec<&'static str>) -> Result<(), Refusal> {
    if items.is_empty() {
        Ok(())
    } else {
        Err(Refusal {
            code: RefusalCode::DocumentIncomplete.code(),
            basis: "行政处罚法第五十九条",
            message_zh: format!("文书缺少法定内容：{}", items.join("、")),
        })
    }
}

fn not_now(kind: DocKind, why: &str) -> Refusal {
    Refusal {
        code: RefusalCode::DocumentNotAvailable.code(),
        basis: "",
        message_zh: format!("现在不能制作{}：{why}", kind.name_zh()),
    }
}

/// A period as documents write it: 15 → 十五, 60 → 六十 (numbers below one hundred).
/// A document's data with the party's personal numbers masked, for a reader who may see the
/// case but not the party's full identity number and phone (the issued document itself, which
/// the party received, carries them in full). Every occurrence is replaced, wherever the
/// template put it. `numbers` pairs each full value with its mask; empty values are skipped.
pub fn masked_copy(data: &str, numbers: &[(&str, &str)]) -> String {
    let mut out = data.to_owned();
    for (full, masked) in numbers {
        if !full.is_empty() {
            out = out.replace(full, masked);
        }
    }
    out
}

pub fn numeral_zh(n: u32) -> String {
    const D: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => D[n as usize].to_owned(),
        10..=19 => format!("十{}", if n.is_multiple_of(10) { "" } else { D[(n % 10) as usize] }),
        20..=99 => {
            format!(
                "{}十{}",
                D[(n / 10) as usize],
                if n.is_multiple_of(10) { "" } else { D[(n % 10) as usize] }
            )
        }
        _ => n.to_string(),
    }
}

/// A date as documents write it: 2026年4月8日.
pub fn date_zh(date: NaiveDate) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

/// An amount in upper-case Chinese numerals (大写), written beside the figures against
/// alteration: 5000.00 → 伍仟元整, 1234.56 → 壹仟贰佰叁拾肆元伍角陆分.
pub fn amount_in_words(fen: i64) -> String {
    const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
    const UNITS: [&str; 4] = ["仟", "佰", "拾", ""];
    const GROUPS: [&str; 4] = ["", "万", "亿", "万亿"];
    // One group of four digits, without leading zeros and with one 零 for inner zeros.
    let group_words = |g: i64| {
        let digits = [g / 1000, g / 100 % 10, g / 10 % 10, g % 10];
        let (mut text, mut zero, mut started) = (String::new(), false, false);
        for (i, d) in digits.iter().enumerate() {
            if *d == 0 {
                zero |= started;
            } else {
                if zero {
                    text.push('零');
                    zero = false;
                }
                text.push(DIGITS[*d as usize]);
                text.push_str(UNITS[i]);
                started = true;
            }
        }
        text
    };
    if fen <= 0 {
        return "零元整".to_owned();
    }
    let yuan_part = fen / 100;
    let mut groups = Vec::new();
    let mut rest = yuan_part;
    while rest > 0 {
        groups.push(rest % 10_000);
        rest /= 10_000;
    }
    let mut out = String::new();
    let mut gap = false;
    for (index, g) in groups.iter().enumerate().rev() {
        if *g == 0 {
            gap |= !out.is_empty();
            continue;
        }
        if !out.is_empty() && (gap || *g < 1000) {
            out.push('零');
        }
        out.push_str(&group_words(*g));
        out.push_str(GROUPS[index.min(3)]);
        gap = false;
    }
    if yuan_part > 0 {
        out.push('元');
    }
    let (jiao, fen_part) = ((fen / 10) % 10, fen % 10);
    match (jiao, fen_part) {
        (0, 0) => out.push('整'),
        (j, 0) => {
            out.push(DIGITS[j as usize]);
            out.push('角');
        }
        (j, f) => {
            if j == 0 {
                if yuan_part > 0 {
                    out.push('零');
                }
            } else {
                out.push(DIGITS[j as usize]);
                out.push('角');
            }
            out.push(DIGITS[f as usize]);
            out.push('分');
        }
    }
    out
}

/// The article a responsibility item cites, without the summary after the colon:
/// `《城市道路管理条例》第四十二条：责令限期改正……` → `《城市道路管理条例》第四十二条`.
fn citation(text: &str) -> &str {
    text.split('：').next().unwrap_or(text).trim()
}

fn penalty_lines(case: &Case) -> Vec<String> {
    let Some(penalty) = case.decision.as_ref().map(|d| &d.penalty).or(case.notified.as_ref()) else {
        return Vec::new();
    };
    penalty
        .kinds
        .iter()
        .map(|k| match k {
            PenaltyKind::Fine => format!(
                "罚款人民币{}元（大写：{}）",
                yuan(penalty.fine_fen).trim_end_matches(".00"),
                amount_in_words(penalty.fine_fen)
            ),
            PenaltyKind::Confiscation => {
                format!(
                    "没收违法所得、非法财物（价值人民币{}元）",
                    yuan(penalty.confiscation_fen).trim_end_matches(".00")
                )
            }
            other => other.name_zh().to_owned(),
        })
        .collect()
}

/// Whether a document of `kind` fits the case as it stands (its statutory contents are checked
/// separately, when it is built).
pub fn available(kind: DocKind, case: &Case) -> Result<(), Refusal> {
    let decision = case.decision.as_ref();
    let why = match kind {
        DocKind::FilingApproval if case.filed_on.is_none() || case.procedure != Procedure::General => {
            "案件尚未立案"
        }
        DocKind::AdvanceNotice if case.notice_on.is_none() => "尚未办理事先告知",
        DocKind::PenaltyDecision
            if decision.is_none_or(|d| d.outcome != Outcome::Penalty)
                || case.procedure != Procedure::General =>
        {
            "尚未作出行政处罚决定"
        }
        DocKind::NoPenaltyDecision if decision.is_none_or(|d| d.outcome != Outcome::NoPenalty) => {
            "尚未作出不予行政处罚决定"
        }
        DocKind::SpotDecision if case.procedure != Procedure::Simple => "本案不是简易程序",
        DocKind::ServiceReceipt if decision.is_none() => "尚无须送达的决定书",
        DocKind::ClosingReport if case.stage != Stage::Closed => "案件尚未结案",
        DocKind::DiscussionMinutes if case.discussion.is_none() => "尚未记录集体讨论",
        DocKind::LegalReviewOpinion
            if case.legal_review.as_ref().is_none_or(|r| r.checklist.len() != REVIEW_CHECKLIST.len()) =>
        {
            "尚未记录逐项法制审核"
        }
        DocKind::StatementRecord
            if case.statement_on.is_none() || case.statement_summary.trim().is_empty() =>
        {
            "尚未记录陈述申辩"
        }
        DocKind::HearingNotice if !matches!(case.hearing, Hearing::Scheduled { .. }) => "尚未安排听证",
        DocKind::SubstituteDecision if case.substitute.is_none() => "尚未决定代履行",
        DocKind::EnforcementDecision if case.demolition.decided_on.is_none() => "尚未作出强制执行决定",
        k if k.per_subject() && subjects(k, case).is_empty() => "没有可制作文书的记录",
        _ => return Ok(()),
    };
    Err(not_now(kind, why))
}

/// Checks that `kind` may be issued now with everything it must state, and returns the data
/// its template receives.
pub fn build(kind: DocKind, f: &DocFacts) -> Result<serde_json::Value, Refusal> {
    let case = f.case;
    let decision = case.decision.as_ref();
    available(kind, case)?;
    // The items each kind must state.
    let mut absent = Vec::new();
    if f.party.name.trim().is_empty() {
        absent.push("当事人姓名或者名称");
    }
    let states_penalty =
        matches!(kind, DocKind::AdvanceNotice | DocKind::PenaltyDecision | DocKind::SpotDecision);
    if states_penalty || kind == DocKind::NoPenaltyDecision {
        if f.party.address.trim().is_empty() && kind != DocKind::SpotDecision {
            absent.push("当事人地址（请在当事人档案中补充）");
        }
        if f.violated.trim().is_empty() || f.penalty_basis.trim().is_empty() {
            absent.push("违法依据和处罚依据（请为案件选择权责清单事项）");
        }
        if case.procedure == Procedure::General && case.findings.facts.trim().is_empty() {
            absent.push("违法事实");
        }
        if case.procedure == Procedure::General && case.findings.evidence.trim().is_empty() {
            absent.push("证据");
        }
    }
    if matches!(kind, DocKind::PenaltyDecision | DocKind::NoPenaltyDecision | DocKind::SpotDecision)
        && (f.bureau.reconsideration_body.trim().is_empty() || f.bureau.court.trim().is_empty())
    {
        absent.push("申请行政复议、提起行政诉讼的途径和期限（请在配置中填写复议机关和人民法院）");
    }
    if matches!(kind, DocKind::PenaltyDecision | DocKind::SpotDecision)
        && decision.is_some_and(|d| d.penalty.fine_fen > 0)
        && f.bureau.payment.trim().is_empty()
    {
        absent.push("行政处罚的履行方式和期限（请在配置中填写缴款方式）");
    }
    if matches!(kind, DocKind::SpotDecision | DocKind::ServiceReceipt) && f.officers.len() < 2 {
        absent.push("两名执法人员及其执法证号");
    }
    missing(absent)?;
    let specific = specific(kind, f)?;

    let notice = f.issued.iter().find(|(k, _, _)| *k == DocKind::AdvanceNotice);
    let hearing_sentence = match &case.hearing {
        Hearing::Held { on, .. } => format!("当事人要求听证，本机关于{}依法举行了听证。", date_zh(*on)),
        Hearing::NoShow { .. } => "当事人申请听证后无正当理由未参加听证，视为放弃听证权利。".to_owned(),
        _ => String::new(),
    };
    let statement_sentence = if case.waived {
        "当事人书面放弃陈述、申辩和听证的权利。".to_owned()
    } else if case.statement_on.is_some() {
        "当事人在规定期限内提出了陈述、申辩，本机关已进行复核。".to_owned()
    } else {
        "当事人在规定期限内未提出陈述、申辩。".to_owned()
    };
    Ok(json!({
        "kind": kind.code(),
        "title": kind.name_zh(),
        "number": f.number,
        "bureau": f.bureau,
        "party": f.party,
        "case_number": f.case_number,
        "case_title": f.title,
        "location": f.location,
        "source": f.source,
        "clue_on": date_zh(case.clue_on),
        "act_on": date_zh(case.act_on),
        "filed_on": case.filed_on.map(date_zh),
        "notice_on": case.notice_on.map(date_zh),
        "notice_number": notice.map(|(_, n, _)| n.clone()),
        "hearing_eligible_text": if case.hearing_right_told { "、要求听证" } else { "" },
        // Notices issued before the period was kept on the case stated three working days.
        "statement_days": numeral_zh(case.statement_workdays_told.unwrap_or(3)),
        "hearing_sentence": hearing_sentence,
        "statement_sentence": statement_sentence,
        "facts": case.findings.facts,
        "evidence": case.findings.evidence,
        "discretion": case.findings.discretion,
        "violated": citation(f.violated),
        "penalty_basis": citation(f.penalty_basis),
        "sign_date": date_zh(match kind {
            DocKind::PenaltyDecision | DocKind::NoPenaltyDecision | DocKind::SpotDecision => {
                decision.map_or(f.issued_on, |d| d.on)
            }
            _ => made_on(kind, f).unwrap_or(f.issued_on),
        }),
        "penalty_lines": penalty_lines(case),
        "fine_due": decision.is_some_and(|d| d.penalty.fine_fen > 0),
        "payment_days": numeral_zh(PAYMENT_DAYS),
        "reconsideration_days": numeral_zh(RECONSIDERATION_DAYS),
        "lawsuit_months": numeral_zh(LAWSUIT_MONTHS),
        "decision_number": decision.map(|d| d.number.clone()),
        "decided_on": decision.map(|d| date_zh(d.on)),
        "served_on": case.served_on.map(date_zh),
        "closed_on": case.closed_on.map(date_zh),
        "officers": f.officers,
        "issued_on": date_zh(f.issued_on),
        "simple": case.procedure == Procedure::Simple,
        "x": specific,
    }))
}

/// Everyone on the case a document may name, by id (the store looks up names and badges).
pub fn people_named(case: &Case) -> Vec<String> {
    let mut ids: Vec<String> = case.officers.clone();
    ids.extend(case.acts.iter().flat_map(|a| a.officers.iter().cloned()));
    ids.extend(case.corrections.iter().flat_map(|c| c.officers.iter().cloned()));
    ids.extend(case.legal_review.iter().map(|r| r.reviewer.clone()));
    ids.extend(case.discussion.iter().flat_map(|m| m.attendees.iter().cloned()));
    if let Hearing::Scheduled { presider, .. } | Hearing::Held { presider, .. } = &case.hearing {
        ids.push(presider.clone());
    }
    ids.extend(case.substitute.iter().filter_map(|s| s.supervisor.clone()));
    ids.sort();
    ids.dedup();
    ids
}

/// The day a notice or decision about one step was made, which it is dated with (a document
/// typeset later still bears the date of the act it records).
fn made_on(kind: DocKind, f: &DocFacts) -> Option<NaiveDate> {
    let case = f.case;
    let key = pick_subject(kind, f).unwrap_or_default();
    match kind {
        DocKind::CorrectionNotice => case.corrections.get(index_of(&key)).map(|c| c.on),
        DocKind::SeizureDecision => case.seizures.get(index_of(&key)).map(|z| z.on),
        DocKind::UrgeNotice if key == "substitute" => case.substitute.as_ref().and_then(|s| s.urged_on),
        DocKind::UrgeNotice => case.demolition.urged_on,
        DocKind::SubstituteDecision => case.substitute.as_ref().map(|s| s.decided_on),
        DocKind::EnforcementDecision => case.demolition.decided_on,
        DocKind::HearingNotice => match &case.hearing {
            Hearing::Scheduled { notice_on, .. } => Some(*notice_on),
            _ => None,
        },
        _ => None,
    }
}

/// A person as documents name them: the name, or the text as given when it names nobody known.
fn person_name(f: &DocFacts, id: &str) -> String {
    f.people.get(id).map_or_else(|| id.to_owned(), |(name, _)| name.clone())
}

/// Officers with their certificate numbers, as 笔录 and notices list them (Art. 42).
fn with_badges(f: &DocFacts, ids: &[String]) -> Vec<(String, String)> {
    ids.iter().map(|id| f.people.get(id).cloned().unwrap_or_else(|| (id.clone(), String::new()))).collect()
}

/// The item a per-subject document is about: the one named, else the latest.
fn pick_subject(kind: DocKind, f: &DocFacts) -> Result<String, Refusal> {
    let all = subjects(kind, f.case);
    let found = if f.subject.is_empty() { all.last() } else { all.iter().find(|(key, _)| key == f.subject) };
    found.map(|(key, _)| key.clone()).ok_or_else(|| not_now(kind, "没有可制作文书的记录"))
}

fn index_of(key: &str) -> usize {
    key.rsplit('-').next().and_then(|n| n.parse().ok()).unwrap_or(0)
}

/// What each of the later documents states besides the common blocks, checked for the items
/// its article requires; `{}` for the documents that need nothing more.
fn specific(kind: DocKind, f: &DocFacts) -> Result<serde_json::Value, Refusal> {
    let case = f.case;
    let mut absent: Vec<&'static str> = Vec::new();
    let value = match kind {
        DocKind::InspectionRecord | DocKind::InterviewRecord => {
            let key = pick_subject(kind, f)?;
            let act = &case.acts[index_of(&key)];
            if act.summary.trim().is_empty() {
                absent.push("检查（询问）内容");
            }
            json!({
                "subject": key, "on": date_zh(act.on), "summary": act.summary,
                "officers": with_badges(f, &act.officers),
            })
        }
        DocKind::CorrectionNotice => {
            let key = pick_subject(kind, f)?;
            let order = &case.corrections[index_of(&key)];
            json!({
                "subject": key, "on": date_zh(order.on), "requirement": order.requirement,
                "deadline": order.deadline.map(date_zh), "officers": with_badges(f, &order.officers),
            })
        }
        DocKind::DiscussionMinutes => {
            let Some(minutes) = &case.discussion else {
                return Err(not_now(kind, "尚未记录集体讨论"));
            };
            json!({
                "on": date_zh(minutes.on),
                "attendees": minutes.attendees.iter().map(|a| person_name(f, a)).collect::<Vec<_>>(),
                "conclusion": minutes.conclusion,
                "proposal": case.proposal.as_ref().map(|p| p.summary_zh()),
            })
        }
        DocKind::LegalReviewOpinion => {
            let Some(review) =
                case.legal_review.as_ref().filter(|r| r.checklist.len() == REVIEW_CHECKLIST.len())
            else {
                return Err(not_now(kind, "尚未记录逐项法制审核"));
            };
            let points: Vec<(&str, bool)> =
                REVIEW_CHECKLIST.iter().zip(&review.checklist).map(|((_, text), ok)| (*text, *ok)).collect();
            json!({
                "on": date_zh(review.on), "reviewer": person_name(f, &review.reviewer),
                "passed": review.passed, "points": points, "opinion": review.opinion,
                "proposal": case.proposal.as_ref().map(|p| p.summary_zh()),
            })
        }
        DocKind::StatementRecord => {
            let Some(on) = case.statement_on.filter(|_| !case.statement_summary.trim().is_empty()) else {
                return Err(not_now(kind, "尚未记录陈述申辩"));
            };
            json!({"on": date_zh(on), "summary": case.statement_summary})
        }
        DocKind::HearingNotice => {
            let Hearing::Scheduled { hearing_on, presider, place, .. } = &case.hearing else {
                return Err(not_now(kind, "尚未安排听证"));
            };
            if place.trim().is_empty() {
                absent.push("听证地点");
            }
            if f.party.address.trim().is_empty() {
                absent.push("当事人地址（请在当事人档案中补充）");
            }
            json!({"hearing_on": date_zh(*hearing_on), "place": place, "presider": person_name(f, presider)})
        }
        DocKind::SeizureDecision => {
            let key = pick_subject(kind, f)?;
            let seizure = &case.seizures[index_of(&key)];
            // Art. 24: reason and basis, the term, the list, and the remedies.
            if seizure.reason.trim().is_empty() {
                absent.push("查封扣押的理由和依据");
            }
            if f.party.address.trim().is_empty() {
                absent.push("当事人地址（请在当事人档案中补充）");
            }
            if f.bureau.reconsideration_body.trim().is_empty() || f.bureau.court.trim().is_empty() {
                absent.push("申请行政复议、提起行政诉讼的途径和期限（请在配置中填写复议机关和人民法院）");
            }
            // The same day the term's clock is due: the start not counted (行政强制法 Art. 69,
            // 民法典 Art. 201), the end moved off rest days (Art. 203).
            let end = super::clocks::seizure_term_end(seizure, f.calendar).date();
            json!({
                "subject": key, "on": date_zh(seizure.on), "reason": seizure.reason,
                "items": seizure.items, "days": numeral_zh(SEIZURE_DAYS), "until": date_zh(end),
                "emergency": seizure.emergency,
            })
        }
        DocKind::UrgeNotice => {
            let key = pick_subject(kind, f)?;
            if f.party.address.trim().is_empty() {
                absent.push("当事人地址（请在当事人档案中补充）");
            }
            if key == "substitute" {
                let s = case.substitute.as_ref().expect("listed by subjects");
                json!({
                    "subject": key, "on": date_zh(s.urged_on.unwrap_or(f.issued_on)),
                    "duty": format!("在本机关代履行前自行履行以下义务：{}", s.obligation),
                    "deadline": None::<String>, "planned_on": date_zh(s.planned_on),
                    "performer": s.performer, "budget": yuan(s.budget_fen).trim_end_matches(".00").to_owned(),
                    "workdays": numeral_zh(SUBSTITUTE_NOTICE_WORKDAYS),
                })
            } else {
                let d = &case.demolition;
                json!({
                    "subject": key, "on": date_zh(d.urged_on.unwrap_or(f.issued_on)),
                    "duty": "自行拆除违法建设并清理现场",
                    "deadline": d.urged_deadline.map(date_zh),
                    "planned_on": None::<String>, "performer": "", "budget": "", "workdays": "",
                })
            }
        }
        DocKind::SubstituteDecision => {
            let Some(s) = &case.substitute else { return Err(not_now(kind, "尚未决定代履行")) };
            if f.party.address.trim().is_empty() && s.ground != SubstituteGround::Immediate {
                absent.push("当事人地址（请在当事人档案中补充）");
            }
            if f.bureau.reconsideration_body.trim().is_empty() || f.bureau.court.trim().is_empty() {
                absent.push("申请行政复议、提起行政诉讼的途径和期限（请在配置中填写复议机关和人民法院）");
            }
            json!({
                "on": date_zh(s.decided_on), "ground": s.ground.name_zh(), "basis": s.ground.basis(),
                "immediate": s.ground == SubstituteGround::Immediate, "reason": s.reason,
                "obligation": s.obligation, "performer": s.performer,
                "budget": yuan(s.budget_fen).trim_end_matches(".00").to_owned(),
                "budget_words": amount_in_words(s.budget_fen), "planned_on": date_zh(s.planned_on),
                "workdays": numeral_zh(SUBSTITUTE_NOTICE_WORKDAYS),
            })
        }
        DocKind::EnforcementDecision => {
            // Art. 37 ¶2: the party's name and address, the reason and basis, the manner and
            // time, the remedies, and the bureau's name, seal and date.
            let d = &case.demolition;
            if f.party.address.trim().is_empty() {
                absent.push("当事人地址（请在当事人档案中补充）");
            }
            if d.manner.trim().is_empty() {
                absent.push("强制执行的方式");
            }
            if f.bureau.reconsideration_body.trim().is_empty() || f.bureau.court.trim().is_empty() {
                absent.push("申请行政复议、提起行政诉讼的途径和期限（请在配置中填写复议机关和人民法院）");
            }
            let challenged = case.reconsideration.is_some() || case.lawsuit.is_some();
            json!({
                "on": d.decided_on.map(date_zh), "manner": d.manner, "execute_on": d.execute_on.map(date_zh),
                "announced_deadline": d.announced_deadline.map(date_zh),
                "urged_on": d.urged_on.map(date_zh), "urged_deadline": d.urged_deadline.map(date_zh),
                "challenged": challenged,
            })
        }
        _ => json!({}),
    };
    missing(absent)?;
    Ok(value)
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_masked_copy_holds_no_personal_number_wherever_the_template_put_it() {
        let data = r#"{"party":{"document_number":"11010519491231002X","phone":"13912345678"},"x":{"note":"身份证 11010519491231002X"}}"#;
        let copy = masked_copy(
            data,
            &[("11010519491231002X", "110105********002X"), ("13912345678", "139****5678"), ("", "")],
        );
        assert!(!copy.contains("11010519491231002X") && !copy.contains("13912345678"), "{copy}");
        assert_eq!(copy.matches("110105********002X").count(), 2);
        assert!(serde_json::from_str::<serde_json::Value>(&copy).is_ok());
    }

    use super::*;

    #[test]
    fn amounts_in_words_follow_the_financial_convention() {
        assert_eq!(amount_in_words(5_000_00), "伍仟元整");
        assert_eq!(amount_in_words(200_00), "贰佰元整");
        assert_eq!(amount_in_words(1_234_56), "壹仟贰佰叁拾肆元伍角陆分");
        assert_eq!(amount_in_words(1_005_00), "壹仟零伍元整");
        assert_eq!(amount_in_words(20_000_00), "贰万元整");
        assert_eq!(amount_in_words(100_000_00), "壹拾万元整");
        assert_eq!(amount_in_words(1_000_000_00), "壹佰万元整");
        assert_eq!(amount_in_words(10_010_00), "壹万零壹拾元整");
        assert_eq!(amount_in_words(50), "伍角");
        assert_eq!(amount_in_words(3_05), "叁元零伍分");
        assert_eq!(amount_in_words(1_0000_0000_00), "壹亿元整");
    }

    #[test]
    fn periods_are_written_in_chinese_numerals() {
        assert_eq!(numeral_zh(15), "十五");
        assert_eq!(numeral_zh(60), "六十");
        assert_eq!(numeral_zh(6), "六");
        assert_eq!(numeral_zh(90), "九十");
    }

    #[test]
    fn dates_are_written_without_leading_zeros() {
        assert_eq!(date_zh(NaiveDate::from_ymd_opt(2026, 4, 8).unwrap()), "2026年4月8日");
    }
}
