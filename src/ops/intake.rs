//! Intake operations: file a matter (staff on a caller's behalf or from a patrol; the public
//! through the form or Open311), take a step of its loop, read it with its timeline and
//! duplicates, reveal a reporter to call back, and edit the catalogue. Every entry point — the
//! centre's pages, the squad's phone list, the API, Open311, the demo — goes through here.

use chrono::Datelike;

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::fields::FieldErrors;
use crate::domain::intake::catalogue::CategoryInput;
use crate::domain::intake::flow::StepInput;
use crate::domain::intake::indicators::{Counts, Indicator};
use crate::domain::intake::report::DistrictArea;
use crate::domain::intake::{
    Category, LoopContext, Matter, MatterCommand, ReportInput, Source, Status, apply, matter_number,
};
use crate::domain::org::UnitKind;
use crate::domain::time::beijing;
use crate::domain::time::start_of_civil_day;
use crate::domain::training::Month;
use crate::domain::worktime::OfficeHours;
use crate::ops::cases::{OpenInput, Opened, prepare_case};
use crate::ops::people::unit_visible;
use crate::ops::{Actor, Error};
use crate::store::intake::{BehindQuery, CountsRow, MatterEntry, MatterFilter, Reporter};
use crate::store::org::Visibility;
use crate::store::{AuditCtx, AuditEvent, StoreError, new_id};

/// Who files a matter.
#[derive(Debug, Clone, Copy)]
pub enum Filer<'a> {
    /// A member of staff, for a source staff file: the hotline, a patrol, a supervisor, the media.
    Staff(&'a Actor, Source),
    /// The public: the report form (`client` is the address) or an Open311 client (its name).
    Public { source: Source, client: &'a str, address: &'a str, request_id: &'a str },
}

impl Filer<'_> {
    fn source(&self) -> Source {
        match self {
            Filer::Staff(_, source) | Filer::Public { source, .. } => *source,
        }
    }

    fn audit_ctx(&self) -> AuditCtx {
        match self {
            Filer::Staff(actor, _) => actor.audit_ctx(),
            Filer::Public { source, client, address, request_id } => AuditCtx {
                actor: match source {
                    Source::Open311 => format!("open311:{client}"),
                    _ => "public".to_owned(),
                },
                role: "public".to_owned(),
                source: (*address).to_owned(),
                request_id: (*request_id).to_owned(),
            },
        }
    }

    fn name(&self) -> String {
        match self {
            Filer::Staff(actor, _) => actor.username.clone(),
            Filer::Public { source: Source::Open311, client, .. } => format!("Open311 {client}"),
            Filer::Public { .. } => "公众".to_owned(),
        }
    }
}

/// A 处置人's counts in one squad.
#[derive(Debug, Clone)]
pub struct PersonCounts {
    pub person_id: String,
    pub name: String,
    pub unit_id: String,
    pub unit_name: String,
    pub counts: Counts,
}

/// The bureau's office hours. The standard spans until the bureau records its own ([M]).
fn office_hours() -> OfficeHours {
    OfficeHours::standard()
}

/// The district a reported point must lie in ([M], the seed's district).
pub fn district() -> DistrictArea {
    DistrictArea::ZHONGLOU
}

fn class_of<'a>(categories: &'a [Category], code: &str) -> Result<&'a Category, Error> {
    categories
        .iter()
        .find(|c| c.code == code)
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("matter class {code} is not in the catalogue")))
}

/// Files a matter. Staff file for the hotline, a patrol, a supervisor or the media; the public
/// only for its own two ways in, and only public classes. Nothing is stored when a field is bad.
pub async fn file_matter(state: &AppState, filer: Filer<'_>, input: &ReportInput) -> Result<Matter, Error> {
    let source = filer.source();
    let staff_source =
        matches!(source, Source::Hotline | Source::Patrol | Source::Supervisor | Source::Media);
    if matches!(filer, Filer::Staff(..)) != staff_source {
        return Err(Error::Invalid(FieldErrors::single("source", "source_invalid", "来源不正确")));
    }
    let categories = state.db.matter_categories().await?;
    let new = input.parse(source, &categories, &district()).map_err(Error::Invalid)?;
    let class = class_of(&categories, &new.category)?;
    let calendar = state.db.work_calendar().await?;
    let hours = office_hours();
    let now = state.now();
    let roles =
        crate::domain::access::RoleSet::new(vec![crate::domain::access::Role::Intake]).expect("one role");
    let ctx = LoopContext {
        now,
        roles: &roles,
        person_id: None,
        in_assigned_unit: false,
        case_concluded: false,
        category: class,
        hours: &hours,
        calendar: &calendar,
    };
    let id = new_id(now);
    let mut tx = state.db.begin(&filer.audit_ctx(), now).await?;
    let year = now.with_timezone(&beijing()).year();
    let sequence = tx.next_matter_sequence(year).await?;
    let matter = Matter::filed(id, matter_number(year, sequence), &new, now, &ctx);
    tx.insert_matter(&matter, &new.reporter_name, &new.reporter_phone, &filer.name()).await?;
    tx.commit().await?;
    Ok(matter)
}

/// Takes one step of a matter's loop over the version the caller read: the loop decides, the
/// store writes the matter, its timeline line and the audit record together.
pub async fn take_step(
    state: &AppState,
    actor: &Actor,
    id: &str,
    version: i64,
    input: &StepInput,
) -> Result<Matter, Error> {
    let command = input.parse().map_err(Error::Invalid)?;
    let matter = state.db.matter(&actor.visibility(Action::MatterAct), id).await?.ok_or(Error::NotFound)?;
    if matter.version != version {
        return Err(StoreError::Conflict.into());
    }
    let units = state.db.units().await?;
    match &command {
        MatterCommand::Dispatch { unit_id } => {
            let squad = units
                .iter()
                .find(|u| u.id == *unit_id && matches!(u.kind, UnitKind::Squad | UnitKind::Brigade));
            if squad.is_none() {
                return Err(Error::Invalid(FieldErrors::single(
                    "unit_id",
                    "unit_invalid",
                    "请选择派遣的中队或大队",
                )));
            }
        }
        MatterCommand::Merge { into } => {
            let target = state.db.matter(&Visibility::All, into).await?;
            let fits = target.as_ref().is_some_and(|t| !t.status.is_final() && t.category == matter.category);
            if !fits {
                return Err(Error::Invalid(FieldErrors::single(
                    "into",
                    "merge_target_invalid",
                    "只能合并到同一类别、尚未办结的事项",
                )));
            }
        }
        _ => {}
    }
    let facts = LoopFacts::read(state, actor, &units, &matter).await?;
    let (next, event) = apply(&matter, &command, &facts.ctx(state.now(), actor)?)
        .map_err(|r| Error::refused(r.code(), r.message_zh()))?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.update_matter(&next, &event, &actor.username).await?;
    if let MatterCommand::Merge { into } = &command {
        tx.move_reporters(&matter.id, into).await?;
    }
    tx.commit().await?;
    Ok(next)
}

/// What the loop needs to know about a matter besides the matter, read before a step.
struct LoopFacts {
    categories: Vec<Category>,
    calendar: std::sync::Arc<crate::domain::calendar::WorkCalendar>,
    hours: OfficeHours,
    in_assigned_unit: bool,
    case_concluded: bool,
    category: String,
}

impl LoopFacts {
    async fn read(
        state: &AppState,
        actor: &Actor,
        units: &[crate::store::org::Unit],
        matter: &Matter,
    ) -> Result<LoopFacts, Error> {
        let case_concluded = case_concluded(state, matter).await?;
        Ok(LoopFacts {
            categories: state.db.matter_categories().await?,
            calendar: state.db.work_calendar().await?,
            hours: office_hours(),
            in_assigned_unit: of_assigned_unit(units, actor, matter),
            case_concluded,
            category: matter.category.clone(),
        })
    }

    fn ctx<'a>(
        &'a self,
        now: chrono::DateTime<chrono::Utc>,
        actor: &'a Actor,
    ) -> Result<LoopContext<'a>, Error> {
        Ok(LoopContext {
            now,
            roles: &actor.roles,
            person_id: actor.person_id.as_deref(),
            in_assigned_unit: self.in_assigned_unit,
            case_concluded: self.case_concluded,
            category: class_of(&self.categories, &self.category)?,
            hours: &self.hours,
            calendar: &self.calendar,
        })
    }
}

/// Whether the penalty case opened from `matter` has its outcome: decided (and maybe in
/// execution or closed), or not filed (不予立案). Until then the matter waits.
async fn case_concluded(state: &AppState, matter: &Matter) -> Result<bool, Error> {
    use crate::domain::case::Stage;
    Ok(match &matter.case_id {
        Some(case_id) => state.db.case(&Visibility::All, case_id).await?.is_some_and(|c| {
            matches!(c.case.stage, Stage::Decided | Stage::Execution | Stage::Closed | Stage::NotFiled)
        }),
        None => false,
    })
}

/// The case source (案件来源) of a lead opened from a matter: a hotline call and a patrol's find
/// keep theirs; anything else reached the squad through the centre's dispatch (数字城管派遣).
pub fn case_source(source: Source) -> &'static str {
    match source {
        Source::Hotline => "hotline",
        Source::Patrol => "patrol",
        _ => "digital_city",
    }
}

/// A lead's form filled from a matter: its squad, its address, the day it was reported and the
/// case source its own source is. Who opens the case picks the party and the category.
pub fn case_input(matter: &Matter) -> OpenInput {
    let reported_on = crate::domain::time::civil_date(matter.reported_at).to_string();
    OpenInput {
        unit_id: matter.unit_id.clone().unwrap_or_default(),
        title: matter.title.clone(),
        location: matter.address.clone(),
        source: case_source(matter.source).to_owned(),
        clue_on: reported_on.clone(),
        act_on: reported_on,
        ..OpenInput::default()
    }
}

/// 立案查处: opens a penalty case from a dispatched matter. The case is the lead (or on-the-spot
/// decision) `input` describes and keeps the link; the matter waits for the case's outcome
/// (`MatterCommand::LinkCase`). Both, with their audit records, go in one transaction over the
/// matter's version the caller read.
pub async fn open_case(
    state: &AppState,
    actor: &Actor,
    id: &str,
    version: i64,
    input: &OpenInput,
) -> Result<(Matter, Opened), Error> {
    let matter = state.db.matter(&actor.visibility(Action::MatterAct), id).await?.ok_or(Error::NotFound)?;
    if actor.roles.scope(Action::CaseOpen).is_none() {
        return Err(Error::Forbidden);
    }
    if matter.version != version {
        return Err(StoreError::Conflict.into());
    }
    let units = state.db.units().await?;
    let facts = LoopFacts::read(state, actor, &units, &matter).await?;
    let probe = MatterCommand::LinkCase { case_id: String::new() };
    // The loop's refusal (not dispatched, not the squad's) comes before the case's fields.
    apply(&matter, &probe, &facts.ctx(state.now(), actor)?)
        .map_err(|r| Error::refused(r.code(), r.message_zh()))?;
    let prepared = prepare_case(state, actor, input).await?;
    let command = MatterCommand::LinkCase { case_id: prepared.id.clone() };
    let (next, event) = apply(&matter, &command, &facts.ctx(state.now(), actor)?)
        .map_err(|r| Error::refused(r.code(), r.message_zh()))?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let opened = prepared.insert(&mut tx).await?;
    tx.update_matter(&next, &event, &actor.username).await?;
    tx.commit().await?;
    Ok((next, opened))
}

/// The unit a photo of a matter belongs to, if the actor may add one now
/// (`flow::may_add_photo`): the centre's own unit before dispatch, the squad's while it handles
/// the matter. Anything else is refused.
pub async fn photo_unit(state: &AppState, actor: &Actor, matter_id: &str) -> Result<String, Error> {
    let matter =
        state.db.matter(&actor.visibility(Action::MatterAct), matter_id).await?.ok_or_else(|| {
            Error::Invalid(FieldErrors::single("matter_id", "unknown_matter", "事项不存在或您无权办理"))
        })?;
    let units = state.db.units().await?;
    let in_assigned_unit = of_assigned_unit(&units, actor, &matter);
    let unit = match matter.status {
        Status::Reported | Status::Accepted => actor.unit_id.clone(),
        _ => matter.unit_id.clone(),
    };
    match unit {
        Some(unit) if crate::domain::intake::flow::may_add_photo(&matter, &actor.roles, in_assigned_unit) => {
            Ok(unit)
        }
        _ => Err(Error::refused(
            "photo_out_of_turn",
            "事项照片由受理中心在派遣前、或承办中队在处置期间上传；办结后不再补充",
        )),
    }
}

/// A photo of a matter's handling, for a reader of the matter (the centre checks the work by
/// it): the item if it is one of the matter's and not deleted. The first view under `view_key`
/// (a session or an account, `AppState::plays`) re-checks the bytes and is recorded on the
/// item's custody chain; reloads are the same view.
pub async fn matter_photo(
    state: &AppState,
    actor: &Actor,
    matter_id: &str,
    photo_id: &str,
    view_key: String,
) -> Result<crate::store::evidence::EvidenceItem, Error> {
    state.db.matter(&actor.visibility(Action::MatterView), matter_id).await?.ok_or(Error::NotFound)?;
    let item = state.db.evidence_item(&Visibility::All, photo_id).await?.ok_or(Error::NotFound)?;
    if item.matter_id.as_deref() != Some(matter_id)
        || item.deleted_at.is_some()
        || !item.media_type.inline_allowed()
    {
        return Err(Error::NotFound);
    }
    if !state.plays.seen(&view_key) {
        crate::ops::evidence::intact_or_refuse(state, actor, &item).await?;
        let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
        let details = serde_json::json!({ "matter_id": matter_id });
        tx.custody(
            &item.id,
            &item.sha256,
            crate::domain::evidence::CustodyEvent::Viewed,
            &actor.source,
            details,
        )
        .await?;
        tx.commit().await?;
        state.plays.record(view_key);
    }
    Ok(item)
}

/// A reporter as staff see them: the name, the phone masked unless revealed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReporterView {
    pub name: String,
    pub phone: String,
    /// Filed with another matter that was merged into this one.
    pub merged_from: Option<String>,
}

/// Whether the actor works in the squad the matter is dispatched to (or a unit above it).
fn of_assigned_unit(units: &[crate::store::org::Unit], actor: &Actor, matter: &Matter) -> bool {
    matter
        .unit_id
        .as_deref()
        .is_some_and(|unit| unit_visible(units, &actor.visibility(Action::MatterAct), unit))
}

fn reporter_views(matter_id: &str, reporters: Vec<Reporter>, reveal: bool) -> Vec<ReporterView> {
    reporters
        .into_iter()
        .map(|r| ReporterView {
            name: r.name,
            phone: if reveal { r.phone } else { crate::domain::org::mask_phone(&r.phone) },
            merged_from: (r.from_matter != matter_id).then_some(r.from_matter),
        })
        .collect()
}

/// Everything a matter's page shows.
#[derive(Debug, Clone)]
pub struct MatterDetail {
    pub matter: Matter,
    pub category: Category,
    pub timeline: Vec<MatterEntry>,
    pub reporters: Vec<ReporterView>,
    /// Open matters of the same class nearby, while the centre can still merge this one.
    pub duplicates: Vec<Matter>,
    pub unit_name: Option<String>,
    /// Whether the reader works in the squad the matter is dispatched to.
    pub in_assigned_unit: bool,
    /// Whether the case opened from the matter has its outcome (the squad may report back).
    pub case_concluded: bool,
    /// The photos of its handling (evidence items of the matter), newest first.
    pub photos: Vec<crate::store::evidence::EvidenceItem>,
}

/// A matter with what its page shows, if the reader may see it.
pub async fn matter_detail(state: &AppState, actor: &Actor, id: &str) -> Result<MatterDetail, Error> {
    let matter = state.db.matter(&actor.visibility(Action::MatterView), id).await?.ok_or(Error::NotFound)?;
    let categories = state.db.matter_categories().await?;
    let category = class_of(&categories, &matter.category)?.clone();
    let timeline = state.db.matter_timeline(id).await?;
    let reporters = reporter_views(id, state.db.matter_reporters(id).await?, false);
    let duplicates = if matches!(matter.status, Status::Reported | Status::Accepted) {
        state.db.possible_duplicates(&matter).await?
    } else {
        Vec::new()
    };
    let units = state.db.units().await?;
    let unit_name =
        matter.unit_id.as_deref().and_then(|u| units.iter().find(|x| x.id == u)).map(|u| u.name.clone());
    let in_assigned_unit = of_assigned_unit(&units, actor, &matter);
    let case_concluded = case_concluded(state, &matter).await?;
    let photos = state
        .db
        .evidence_items(
            &Visibility::All,
            &crate::store::evidence::EvidenceFilter { matter_id: matter.id.clone(), ..Default::default() },
            50,
            0,
        )
        .await?;
    Ok(MatterDetail {
        photos,
        matter,
        category,
        timeline,
        reporters,
        duplicates,
        unit_name,
        in_assigned_unit,
        case_concluded,
    })
}

/// The reporters' full numbers, to call back; the reveal is audited with the matter.
pub async fn reveal_reporters(state: &AppState, actor: &Actor, id: &str) -> Result<Vec<ReporterView>, Error> {
    let matter = state.db.matter(&actor.visibility(Action::MatterView), id).await?.ok_or(Error::NotFound)?;
    if actor.roles.scope(Action::MatterReporterReveal).is_none() {
        return Err(Error::Forbidden);
    }
    let reporters = state.db.matter_reporters(id).await?;
    state
        .db
        .audit_only(
            &actor.audit_ctx(),
            state.now(),
            AuditEvent::new("matter.reporter.reveal", "matter", id)
                .details(serde_json::json!({ "number": matter.number, "reporters": reporters.len() })),
        )
        .await?;
    Ok(reporter_views(id, reporters, true))
}

/// Matters in the actor's view.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: &MatterFilter,
) -> Result<(Vec<Matter>, i64), Error> {
    Ok(state.db.matters(&actor.visibility(Action::MatterView), filter).await?)
}

/// Adds a class (`version` 0) or changes one over the version read.
pub async fn save_category(
    state: &AppState,
    actor: &Actor,
    input: &CategoryInput,
    version: i64,
) -> Result<i64, Error> {
    let class = input.parse(version).map_err(Error::Invalid)?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let next = tx.save_matter_category(&class).await?;
    tx.commit().await?;
    Ok(next)
}

/// A month's indicators as a reader may see them: per unit (the squads in the reader's view,
/// and for the centre's readers the centre's own matters), per class, and the total.
#[derive(Debug, Clone)]
pub struct IndicatorsView {
    pub month: Month,
    /// Unit id ('-' for the centre's own matters), its name, its counts.
    pub units: Vec<(String, String, Counts)>,
    /// Class code, name, counts (the whole bureau's; empty for a squad's reader).
    pub categories: Vec<(String, String, Counts)>,
    /// Per 处置人 and squad: the handling rounds they reported (a matter counts for who reported
    /// its last round).
    pub people: Vec<PersonCounts>,
    pub total: Counts,
}

/// The instants a month of Beijing time runs between.
pub fn month_bounds(month: Month) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    (start_of_civil_day(month.first_day()), start_of_civil_day(month.next().first_day()))
}

/// The month's counts and rates in the actor's view.
pub async fn indicators(state: &AppState, actor: &Actor, month: Month) -> Result<IndicatorsView, Error> {
    let visibility = actor.visibility(Action::MatterView);
    let (from, to) = month_bounds(month);
    let units = state.db.units().await?;
    let pairs = state.db.matter_counts(from, to).await?;
    // Fold the (unit, class, 处置人) rows per unit, per class and per person, keeping first-seen
    // order.
    let fold = |key: &dyn Fn(&CountsRow) -> String| {
        let mut folded: Vec<(String, Counts)> = Vec::new();
        for row in &pairs {
            let k = key(row);
            match folded.iter_mut().find(|(known, _)| *known == k) {
                Some((_, counts)) => *counts = Counts::sum([&*counts, &row.counts]),
                None => folded.push((k, row.counts.clone())),
            }
        }
        folded
    };
    let mut rows = Vec::new();
    for (unit, counts) in fold(&|p| p.unit.clone()) {
        if unit.is_empty() {
            if visibility == Visibility::All {
                rows.push(("-".to_owned(), "受理中心（转办、不予受理等）".to_owned(), counts));
            }
        } else if unit_visible(&units, &visibility, &unit) {
            let name = units.iter().find(|u| u.id == unit).map_or_else(|| unit.clone(), |u| u.name.clone());
            rows.push((unit, name, counts));
        }
    }
    rows.sort_by(|a, b| {
        let order = |id: &str| units.iter().find(|u| u.id == id).map_or(i64::MAX, |u| u.sort_order);
        order(&a.0).cmp(&order(&b.0)).then_with(|| a.1.cmp(&b.1))
    });
    let categories = if visibility == Visibility::All {
        let names = state.db.matter_categories().await?;
        let mut list: Vec<(String, String, Counts)> = fold(&|p| p.category.clone())
            .into_iter()
            .map(|(code, counts)| {
                let name =
                    names.iter().find(|c| c.code == code).map_or_else(|| code.clone(), |c| c.name.clone());
                (code, name, counts)
            })
            .collect();
        list.sort_by(|a, b| a.0.cmp(&b.0));
        list
    } else {
        Vec::new()
    };
    let total = Counts::sum(rows.iter().map(|(_, _, c)| c));
    // Per 处置人 within a squad the reader sees: "person id|unit id" keys.
    let mut people = Vec::new();
    let keyed =
        fold(&|p| if p.handler.is_empty() { String::new() } else { format!("{}|{}", p.handler, p.unit) });
    let names = if keyed.iter().any(|(k, _)| !k.is_empty()) {
        state.db.person_names().await?
    } else {
        Default::default()
    };
    for (key, counts) in keyed {
        let Some((person, unit)) = key.split_once('|') else { continue };
        if !unit_visible(&units, &visibility, unit) {
            continue;
        }
        let unit_name = units.iter().find(|u| u.id == unit).map_or("", |u| u.name.as_str());
        let name = names.get(person).map_or(person, String::as_str);
        people.push(PersonCounts {
            person_id: person.to_owned(),
            name: name.to_owned(),
            unit_id: unit.to_owned(),
            unit_name: unit_name.to_owned(),
            counts,
        });
    }
    let order = |id: &str| units.iter().find(|u| u.id == id).map_or(i64::MAX, |u| u.sort_order);
    people.sort_by(|a, b| order(&a.unit_id).cmp(&order(&b.unit_id)).then_with(|| a.name.cmp(&b.name)));
    Ok(IndicatorsView { month, units: rows, categories, people, total })
}

/// The matters behind one count of the month (in the actor's view); `unit` '' for all of them,
/// '-' for the centre's own.
pub async fn matters_behind(
    state: &AppState,
    actor: &Actor,
    month: Month,
    indicator: Indicator,
    unit: &str,
    person: &str,
    page: i64,
) -> Result<Vec<Matter>, Error> {
    let (from, to) = month_bounds(month);
    let visibility = actor.visibility(Action::MatterView);
    let query =
        BehindQuery { indicator, from, to, unit, person, limit: 200, offset: (page.max(1) - 1) * 200 };
    Ok(state.db.matters_behind(&visibility, &query).await?)
}
