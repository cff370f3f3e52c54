//! Issuing official documents (执法文书) of a case.
//!
//! Issuing checks the document's statutory contents in the domain, takes its number, typesets
//! it and stores PDF, text and digest in one transaction, so a refused or failed document leaves
//! no number used. Issued documents are never changed; a correction is issued anew.

use chrono::Datelike;

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::case::documents::{
    Bureau, DocFacts, DocKind, PartyBlock, build, document_number, people_named,
};
use crate::domain::party::DocumentType;
use crate::domain::time::civil_date;
use crate::ops::{Actor, Error};
use crate::store::documents::NewDocument;

/// The typst source of each document: the shared prelude, then the document's own body.
pub fn template(kind: DocKind) -> String {
    let body = match kind {
        DocKind::FilingApproval => include_str!("../../templates/documents/filing_approval.typ"),
        DocKind::AdvanceNotice => include_str!("../../templates/documents/advance_notice.typ"),
        DocKind::PenaltyDecision => include_str!("../../templates/documents/penalty_decision.typ"),
        DocKind::NoPenaltyDecision => include_str!("../../templates/documents/no_penalty_decision.typ"),
        DocKind::SpotDecision => include_str!("../../templates/documents/spot_decision.typ"),
        DocKind::ServiceReceipt => include_str!("../../templates/documents/service_receipt.typ"),
        DocKind::ClosingReport => include_str!("../../templates/documents/closing_report.typ"),
        DocKind::InspectionRecord => include_str!("../../templates/documents/inspection_record.typ"),
        DocKind::InterviewRecord => include_str!("../../templates/documents/interview_record.typ"),
        DocKind::CorrectionNotice => include_str!("../../templates/documents/correction_notice.typ"),
        DocKind::DiscussionMinutes => include_str!("../../templates/documents/discussion_minutes.typ"),
        DocKind::LegalReviewOpinion => include_str!("../../templates/documents/legal_review_opinion.typ"),
        DocKind::StatementRecord => include_str!("../../templates/documents/statement_record.typ"),
        DocKind::HearingNotice => include_str!("../../templates/documents/hearing_notice.typ"),
        DocKind::SeizureDecision => include_str!("../../templates/documents/seizure_decision.typ"),
        DocKind::UrgeNotice => include_str!("../../templates/documents/urge_notice.typ"),
        DocKind::SubstituteDecision => include_str!("../../templates/documents/substitute_decision.typ"),
        DocKind::EnforcementDecision => include_str!("../../templates/documents/enforcement_decision.typ"),
    };
    format!("{}\n{body}", include_str!("../../templates/documents/prelude.typ"))
}

/// Typesets `source` over `data` (JSON) with the shipped fonts, dated `day`, off the async
/// threads: the one way a document, a notice or a masked copy becomes a PDF. `what` names it
/// in the error.
pub async fn typeset(
    state: &AppState,
    source: String,
    data: String,
    day: chrono::NaiveDate,
    what: &str,
) -> Result<docgen::Rendered, Error> {
    let fonts = state.fonts().map_err(|e| Error::Internal(anyhow::anyhow!("document fonts: {e}")))?.clone();
    let date = (day.year(), day.month() as u8, day.day() as u8);
    tokio::task::spawn_blocking(move || docgen::render(&source, &data, &fonts, date))
        .await
        .map_err(|e| Error::Internal(e.into()))?
        .map_err(|e| Error::Internal(anyhow::anyhow!("typesetting {what}: {e}")))
}

/// The bureau's full name: configured, else the name of the top unit.
pub async fn bureau_name(state: &AppState) -> Result<String, Error> {
    Ok(if state.config.bureau_name.trim().is_empty() {
        let units = state.db.units().await?;
        units.iter().find(|u| u.parent_id.is_none()).map(|u| u.name.clone()).unwrap_or_default()
    } else {
        state.config.bureau_name.clone()
    })
}

async fn bureau(state: &AppState) -> Result<Bureau, Error> {
    Ok(Bureau {
        name: bureau_name(state).await?,
        reconsideration_body: state.config.reconsideration_body.clone(),
        court: state.config.court.clone(),
        payment: state.config.payment_channel.clone(),
    })
}

/// Issues one document of a case (for a per-subject kind, about the item `subject` names, or the
/// latest). Returns the stored document's id and number.
pub async fn issue(
    state: &AppState,
    actor: &Actor,
    case_id: &str,
    kind: DocKind,
    subject: &str,
) -> Result<(String, String), Error> {
    let record = state.db.case(&actor.visibility(Action::CaseAct), case_id).await?.ok_or(Error::NotFound)?;
    let party = state.db.party(&record.party_id).await?.ok_or(Error::NotFound)?;
    let item = match &record.item_code {
        Some(code) => state.db.enforcement_item(code).await?,
        None => None,
    };
    let today = civil_date(state.now());
    let officers = state.db.officer_badges(&record.case.officers, today).await?;
    let people = state.db.badges(&people_named(&record.case), today).await?;
    let issued: Vec<(DocKind, String, chrono::NaiveDate)> = state
        .db
        .case_documents(case_id)
        .await?
        .into_iter()
        .map(|d| (d.kind, d.number, civil_date(d.issued_at)))
        .collect();
    let bureau = bureau(state).await?;
    let calendar = state.db.work_calendar().await?;
    let party_block = PartyBlock {
        organisation: party.organisation,
        document_label: if party.document_type == DocumentType::ResidentId {
            "公民身份号码".to_owned()
        } else {
            party.document_type.name_zh().to_owned()
        },
        document_number: party.document_number.clone(),
        legal_representative: party.legal_representative.clone(),
        address: party.address.clone(),
        phone: party.phone.clone().unwrap_or_default(),
        name: party.name.clone(),
    };
    let source = crate::ops::cases::SOURCES
        .iter()
        .find(|(c, _, _)| *c == record.source)
        .map_or("", |(_, _, phrase)| phrase);
    let (violated, penalty_basis) =
        item.as_ref().map_or(("", ""), |i| (i.violated.as_str(), i.penalty_basis.as_str()));
    let facts = |number: &str| DocFacts {
        case: &record.case,
        case_number: &record.number,
        title: &record.title,
        location: &record.location,
        source,
        party: party_block.clone(),
        bureau: &bureau,
        violated,
        penalty_basis,
        officers: officers.clone(),
        issued: issued.clone(),
        number: number.to_owned(),
        issued_on: today,
        subject: subject.trim(),
        people: &people,
        calendar: &calendar,
    };
    // Check the contents before a number is taken, so a refused document uses none.
    build(kind, &facts("")).map_err(Error::from_refusal)?;

    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let number = if kind.numbered_at_decision() {
        record.case.decision.as_ref().map(|d| d.number.clone()).unwrap_or_default()
    } else {
        let n = tx.next_number(kind.code(), today.year()).await?;
        document_number(&state.config.doc_prefix, kind.word(), today.year(), n)
    };
    let built = build(kind, &facts(&number)).map_err(Error::from_refusal)?;
    let subject_key = built["x"]["subject"].as_str().unwrap_or_default().to_owned();
    let data = built.to_string();
    let rendered = typeset(state, template(kind), data.clone(), today, kind.code()).await?;
    let id = tx
        .insert_document(&NewDocument {
            case_id,
            kind,
            number: &number,
            data: &data,
            text: &rendered.text,
            pdf: &rendered.pdf,
            subject: &subject_key,
        })
        .await?;
    tx.commit().await?;
    Ok((id, number))
}
