//! Publishing penalty decisions (行政处罚法 Art. 48; 国办发〔2018〕118号): the register with its
//! clocks, the draft a publisher reads side by side with the decision, publication, withholding,
//! the ruling that obliges a withdrawal and the withdrawal itself, and what the portal shows.
//! Every entry point — pages, API, demo — goes through here.

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::case::documents::DocKind;
use crate::domain::disclosure::{
    DisclosureState, DutyClock, DutyFacts, PartyFacts, Redacted, RedactionRule, Removal, RulingInput,
    WithdrawInput, WithholdInput, check_public_text, redact, reflow,
};
use crate::domain::time::civil_date;
use crate::ops::{Actor, Error};
use crate::store::disclosure::{DisclosureFilter, DisclosureRecord, Publication, RemovalNote};

/// An entry with its clock as it stands today.
#[derive(Debug, Clone)]
pub struct Entry {
    pub record: DisclosureRecord,
    pub clock: Option<DutyClock>,
}

impl Entry {
    fn facts(record: &DisclosureRecord) -> DutyFacts {
        DutyFacts {
            state: record.state,
            decided_on: record.decided_on,
            published_on: record.published_on,
            ruling_on: record.ruling_on,
            withdrawn_on: record.withdrawn_on,
        }
    }
}

async fn with_clocks(state: &AppState, records: Vec<DisclosureRecord>) -> Result<Vec<Entry>, Error> {
    let calendar = state.db.work_calendar().await?;
    let today = civil_date(state.now());
    Ok(records
        .into_iter()
        .map(|record| {
            let clock = Entry::facts(&record).clock(&calendar, today);
            Entry { record, clock }
        })
        .collect())
}

/// The register as the reader may see it, with the total.
pub async fn register(
    state: &AppState,
    actor: &Actor,
    filter: &DisclosureFilter,
) -> Result<(Vec<Entry>, i64), Error> {
    actor.require(Action::DisclosureView)?;
    let (records, total) = state.db.disclosures(&actor.visibility(Action::DisclosureView), filter).await?;
    Ok((with_clocks(state, records).await?, total))
}

/// The entries whose duty is open, for the 工作台: waiting to be published, or ruled on and not
/// yet withdrawn. Nothing for a reader without the register.
pub async fn open_duties(state: &AppState, actor: &Actor, limit: i64) -> Result<Vec<Entry>, Error> {
    if actor.roles.scope(Action::DisclosureView).is_none() {
        return Ok(Vec::new());
    }
    let records = state.db.open_disclosures(&actor.visibility(Action::DisclosureView), limit).await?;
    with_clocks(state, records).await
}

/// The decision as issued and as it would be published: what the publisher compares before
/// publishing.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The issued 行政处罚决定书 (or 当场处罚决定书) the text comes from.
    pub document_id: String,
    pub document_number: String,
    pub original: String,
    pub redacted: Redacted,
}

/// One entry, its clock, and for an entry waiting its draft (none until the decision's document
/// is issued).
#[derive(Debug, Clone)]
pub struct EntryView {
    pub entry: Entry,
    pub draft: Option<Draft>,
}

async fn visible_record(state: &AppState, actor: &Actor, id: &str) -> Result<DisclosureRecord, Error> {
    actor.require(Action::DisclosureView)?;
    let record = state.db.disclosure(id).await?.ok_or(Error::NotFound)?;
    // The register's unit scope is the case's: a squad leader sees the squad's entries only.
    state
        .db
        .case(&actor.visibility(Action::DisclosureView), &record.case_id)
        .await?
        .ok_or(Error::NotFound)?;
    Ok(record)
}

/// What redaction needs to know about a case's party: a natural person's name, address and
/// document; an organisation's legal representative.
async fn party_facts(state: &AppState, case_id: &str) -> Result<PartyFacts, Error> {
    let case = state.db.case(&crate::store::org::Visibility::All, case_id).await?.ok_or(Error::NotFound)?;
    let party = state.db.party(&case.party_id).await?.ok_or(Error::NotFound)?;
    let mut other_people = Vec::new();
    if party.organisation && !party.legal_representative.trim().is_empty() {
        other_people.push(party.legal_representative.clone());
    }
    Ok(PartyFacts {
        natural_person: !party.organisation,
        name: party.name,
        addresses: vec![party.address],
        other_people,
        documents: vec![party.document_number].into_iter().chain(party.phone).collect(),
    })
}

async fn draft(state: &AppState, record: &DisclosureRecord) -> Result<Option<Draft>, Error> {
    let documents = state.db.case_documents(&record.case_id).await?;
    let Some(info) = documents
        .into_iter()
        .filter(|d| matches!(d.kind, DocKind::PenaltyDecision | DocKind::SpotDecision))
        .max_by_key(|d| d.issued_at)
    else {
        return Ok(None);
    };
    let (_, _, original) = state.db.document(&info.id).await?.ok_or(Error::NotFound)?;
    let redacted = redact(&reflow(&original), &party_facts(state, &record.case_id).await?);
    Ok(Some(Draft { document_id: info.id, document_number: info.number, original, redacted }))
}

/// A number taken out, as a reader who may not reveal it sees it: an ID keeps its region and
/// last four, a phone its first three and last four, an account its last four.
fn masked_number(rule: RedactionRule, number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    let n = chars.len();
    match rule {
        RedactionRule::IdNumber if n == 18 => {
            format!(
                "{}********{}",
                chars[..6].iter().collect::<String>(),
                chars[14..].iter().collect::<String>()
            )
        }
        RedactionRule::Phone => crate::domain::org::mask_phone(number),
        _ if n > 4 => format!("{}{}", "*".repeat(n - 4), chars[n - 4..].iter().collect::<String>()),
        _ => "*".repeat(n),
    }
}

/// The draft as this reader may see it. The issued text names the party's ID and phone in full:
/// a reader who may reveal them (行政处罚法 does not stop the legal office reading its own
/// decision) sees them, and that is a reveal on the party's record like a document download; the
/// office, which may not, sees them masked in the decision and in the list of removals.
async fn draft_for(
    state: &AppState,
    actor: &Actor,
    record: &DisclosureRecord,
    mut draft: Draft,
) -> Result<Draft, Error> {
    let numbers = |r: &Removal| {
        matches!(r.rule, RedactionRule::IdNumber | RedactionRule::Phone | RedactionRule::AccountNumber)
    };
    if !draft.redacted.removals.iter().any(numbers) {
        return Ok(draft);
    }
    if actor.roles.scope(Action::PartyReveal).is_some() {
        state
            .db
            .audit_only(
                &actor.audit_ctx(),
                state.now(),
                crate::store::AuditEvent::new("party.reveal", "case", &record.case_id)
                    .details(serde_json::json!({ "via": "disclosure_draft", "disclosure": record.id })),
            )
            .await?;
        return Ok(draft);
    }
    for removal in draft.redacted.removals.iter_mut().filter(|r| numbers(r)) {
        let masked = masked_number(removal.rule, &removal.original);
        draft.original = draft.original.replace(&removal.original, &masked);
        removal.original = masked;
    }
    Ok(draft)
}

/// One entry; for one waiting, its draft, with the issued text beside it when `with_original`
/// (the page's side-by-side view; the API answers the redacted text alone).
pub async fn entry(
    state: &AppState,
    actor: &Actor,
    id: &str,
    with_original: bool,
) -> Result<EntryView, Error> {
    let record = visible_record(state, actor, id).await?;
    let mut draft =
        if record.state == DisclosureState::Pending { draft(state, &record).await? } else { None };
    if let Some(d) = draft.take() {
        draft = Some(if with_original {
            draft_for(state, actor, &record, d).await?
        } else {
            let mut d = d;
            d.original.clear();
            for removal in &mut d.redacted.removals {
                removal.original.clear();
            }
            d
        });
    }
    let entry = with_clocks(state, vec![record]).await?.remove(0);
    Ok(EntryView { entry, draft })
}

/// Publishes an entry waiting, over the version read: `text` is the redacted decision as the
/// publisher read it (they may take out more). Refused while the decision's document is not
/// issued, and when any personal data is left in the text (field `text`).
pub async fn publish(
    state: &AppState,
    actor: &Actor,
    id: &str,
    version: i64,
    text: &str,
) -> Result<i64, Error> {
    actor.require(Action::DisclosurePublish)?;
    let record = visible_record(state, actor, id).await?;
    if record.state != DisclosureState::Pending {
        return Err(Error::refused("not_pending", "该决定已公开、不予公开或已撤回"));
    }
    let Some(draft) = draft(state, &record).await? else {
        return Err(Error::refused(
            "decision_document_missing",
            "该案尚未出具行政处罚决定书，请先在案件中出具后再公开",
        ));
    };
    let facts = party_facts(state, &record.case_id).await?;
    let text = check_public_text("text", text, &facts).map_err(Error::Invalid)?;
    let removals: Vec<RemovalNote> = draft
        .redacted
        .removals
        .iter()
        .map(|r| RemovalNote { rule: r.rule.code().to_owned(), replacement: r.replacement.clone() })
        .collect();
    let title = format!("行政处罚决定书（{}）", record.decision_number);
    let publication = Publication {
        title: &title,
        text: &text,
        removals: &removals,
        document_id: &draft.document_id,
        on: civil_date(state.now()),
    };
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let next = tx.publish_disclosure(id, version, &publication).await?;
    tx.commit().await?;
    state.portal.invalidate();
    Ok(next)
}

/// Withholds an entry waiting, with its basis and reason.
pub async fn withhold(
    state: &AppState,
    actor: &Actor,
    id: &str,
    version: i64,
    input: &WithholdInput,
) -> Result<i64, Error> {
    actor.require(Action::DisclosurePublish)?;
    let record = visible_record(state, actor, id).await?;
    if record.state != DisclosureState::Pending {
        return Err(Error::refused("not_pending", "只有待公开的决定可以不予公开"));
    }
    let withhold = input.parse().map_err(Error::Invalid)?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let next = tx.withhold_disclosure(id, version, &withhold).await?;
    tx.commit().await?;
    Ok(next)
}

/// Records that a published decision was changed, revoked, or found unlawful or void: the
/// three working days to withdraw it run from the ruling's day.
pub async fn record_ruling(
    state: &AppState,
    actor: &Actor,
    id: &str,
    version: i64,
    input: &RulingInput,
) -> Result<i64, Error> {
    actor.require(Action::DisclosurePublish)?;
    let record = visible_record(state, actor, id).await?;
    if record.state != DisclosureState::Published || record.ruling_on.is_some() {
        return Err(Error::refused(
            "not_published",
            "只有已公开且尚未记录撤回事由的决定可以记录；未公开的决定被撤销的，请选择“不予公开”",
        ));
    }
    let ruling = input.parse(record.decided_on, civil_date(state.now())).map_err(Error::Invalid)?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let next = tx.rule_on_disclosure(id, version, &ruling).await?;
    tx.commit().await?;
    Ok(next)
}

/// Withdraws a published decision whose ruling is recorded, with the public explanation.
pub async fn withdraw(
    state: &AppState,
    actor: &Actor,
    id: &str,
    version: i64,
    input: &WithdrawInput,
) -> Result<i64, Error> {
    actor.require(Action::DisclosurePublish)?;
    let record = visible_record(state, actor, id).await?;
    if record.state != DisclosureState::Published || record.ruling_on.is_none() {
        return Err(Error::refused(
            "ruling_required",
            "撤回须先记录决定被变更、撤销或确认违法、无效的情况（行政处罚法第四十八条第二款）",
        ));
    }
    let note = input.parse(&party_facts(state, &record.case_id).await?).map_err(Error::Invalid)?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let next = tx.withdraw_disclosure(id, version, civil_date(state.now()), &note).await?;
    tx.commit().await?;
    state.portal.invalidate();
    Ok(next)
}

/// A decision as the public reads it: no case, party, account or internal field, only what
/// was published and, once withdrawn, the notice of withdrawal in place of the text.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PublicDecision {
    pub id: String,
    pub title: String,
    pub decision_number: String,
    /// The squad or office that decided it.
    pub unit_name: String,
    pub decided_on: chrono::NaiveDate,
    pub published_on: Option<chrono::NaiveDate>,
    /// The redacted decision; empty once withdrawn.
    pub text: String,
    pub withdrawn_on: Option<chrono::NaiveDate>,
    /// 被依法变更 / 被依法撤销 / 被确认违法 / 被确认无效, once withdrawn.
    pub withdraw_ground: Option<String>,
    /// The public explanation of the withdrawal.
    pub withdraw_note: Option<String>,
}

impl PublicDecision {
    fn of(record: DisclosureRecord) -> PublicDecision {
        let withdrawn = record.state == DisclosureState::Withdrawn;
        PublicDecision {
            text: if withdrawn { String::new() } else { record.text },
            withdrawn_on: record.withdrawn_on.filter(|_| withdrawn),
            withdraw_ground: record
                .ruling_ground
                .as_deref()
                .and_then(crate::domain::disclosure::WithdrawGround::parse)
                .filter(|_| withdrawn)
                .map(|g| g.name_zh().to_owned()),
            withdraw_note: record.withdraw_note.filter(|_| withdrawn),
            id: record.id,
            title: record.title,
            decision_number: record.decision_number,
            unit_name: record.unit_name,
            decided_on: record.decided_on,
            published_on: record.published_on,
        }
    }
}

/// The decisions the portal lists for a year: published or withdrawn, the latest first, with
/// the total.
pub async fn public_list(
    state: &AppState,
    year: i32,
    limit: i64,
    offset: i64,
) -> Result<(Vec<PublicDecision>, i64), Error> {
    let (records, total) = state.db.public_disclosures(year, limit, offset).await?;
    Ok((records.into_iter().map(PublicDecision::of).collect(), total))
}

/// One decision as the portal shows it: only one published or withdrawn (anything else is not
/// found).
pub async fn public_entry(state: &AppState, id: &str) -> Result<PublicDecision, Error> {
    let record = state.db.disclosure(id).await?.ok_or(Error::NotFound)?;
    match record.state {
        DisclosureState::Published | DisclosureState::Withdrawn => Ok(PublicDecision::of(record)),
        DisclosureState::Pending | DisclosureState::Withheld => Err(Error::NotFound),
    }
}

/// A year's figures: as the records say now, and as published if they were, with the day they
/// are due (31 January of the next year) and how that stands.
#[derive(Debug, Clone)]
pub struct FiguresView {
    pub live: crate::domain::disclosure::AnnualFigures,
    pub published: Option<crate::store::disclosure::PublishedFigures>,
    pub due: chrono::NaiveDate,
    pub status: crate::domain::case::clocks::ClockStatus,
}

async fn live_figures(
    state: &AppState,
    year: i32,
) -> Result<crate::domain::disclosure::AnnualFigures, Error> {
    let cases = state.db.cases_for_figures(year).await?;
    let overturned = state.db.decisions_overturned(year).await?;
    Ok(crate::domain::disclosure::annual_figures(year, &cases, overturned))
}

pub async fn figures(state: &AppState, actor: &Actor, year: i32) -> Result<FiguresView, Error> {
    actor.require(Action::DisclosureView)?;
    let published = state.db.published_figures(year).await?;
    let due = crate::domain::disclosure::annual_figures_due(year);
    let status = crate::domain::case::clocks::status_of(
        crate::domain::case::clocks::Due::Known { on: due },
        published.as_ref().map(|p| p.published_on),
        civil_date(state.now()),
    );
    Ok(FiguresView { live: live_figures(state, year).await?, published, due, status })
}

/// Publishes the figures of a year that is over, as the records say today; once.
pub async fn publish_figures(state: &AppState, actor: &Actor, year: i32) -> Result<(), Error> {
    actor.require(Action::DisclosurePublish)?;
    let today = civil_date(state.now());
    if chrono::Datelike::year(&today) <= year {
        return Err(Error::refused("year_not_over", format!("{year} 年尚未结束，年度数据须在次年公开")));
    }
    if state.db.published_figures(year).await?.is_some() {
        return Err(Error::refused("figures_published", format!("{year} 年度数据已公开，不再改写")));
    }
    let figures = live_figures(state, year).await?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.publish_figures(&figures, today).await?;
    tx.commit().await?;
    state.portal.invalidate();
    Ok(())
}

/// Last year's figures while they are unpublished, for the 工作台 of whoever may publish them:
/// the year, the day due and how that stands (from 1 January on).
pub async fn figures_duty(
    state: &AppState,
    actor: &Actor,
) -> Result<Option<(i32, chrono::NaiveDate, crate::domain::case::clocks::ClockStatus)>, Error> {
    if actor.roles.scope(Action::DisclosurePublish).is_none() {
        return Ok(None);
    }
    let today = civil_date(state.now());
    let year = chrono::Datelike::year(&today) - 1;
    if state.db.published_figures(year).await?.is_some() {
        return Ok(None);
    }
    let due = crate::domain::disclosure::annual_figures_due(year);
    let status = crate::domain::case::clocks::status_of(
        crate::domain::case::clocks::Due::Known { on: due },
        None,
        today,
    );
    Ok(Some((year, due, status)))
}

/// A year's figures as the portal shows them: only once published.
pub async fn public_figures(
    state: &AppState,
    year: i32,
) -> Result<crate::store::disclosure::PublishedFigures, Error> {
    state.db.published_figures(year).await?.ok_or(Error::NotFound)
}
