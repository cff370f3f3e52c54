//! 十佳评比: opening a year's round and its settings, the candidates with the system's own
//! figures and what they fail, nominations, the panel's scores, the office's tally, closing with
//! the frozen result list, and the notice. Every entry point — pages, API, demo — goes through
//! here.
//!
//! Who sees what: the office and the leaders see every nomination; a panel member sees every
//! nomination of the round (to score it) and their own scores, never the others'; anyone else
//! with the view sees the nominations of their own scope, with the figures only where they may
//! nominate. The tally is the office's until the
//! round is closed; the result list is then the panel's and the leaders', and everyone's once
//! the notice is published (the public portal shows the winners' names and units only).

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use crate::app::AppState;
use crate::domain::access::{Action, scope_of};
use crate::domain::assessment::{Period, Points};
use crate::domain::fields::FieldErrors;
use crate::domain::org::{Employment, UnitKind};
use crate::domain::stars::Factor;
use crate::domain::time::civil_date;
use crate::domain::top_ten::{
    Category, Figures, NominationInput, RoundState, ScoreInput, Settings, SettingsInput, Step,
    TopTenNoticeInput, after, expected_scorers, failures, ineligible, tally,
};
use crate::domain::training::{ComplianceStatus, Month};
use crate::ops::assessment::squad_of;
use crate::ops::people::unit_visible;
use crate::ops::{Actor, Error};
use crate::store::org::{PeopleFilter, Visibility};
use crate::store::top_ten::{Nomination, Round};
use crate::store::{Db, StoreError, new_id};

/// A candidate with the system's figures for the year and the rules they break.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Candidate {
    /// A person's id, or a squad's unit id.
    pub subject: String,
    pub name: String,
    pub squad_id: String,
    pub squad: String,
    pub figures: Figures,
    /// Each rule broken: `{code, why}`; empty when eligible.
    pub broken: Vec<BrokenRule>,
    pub nominated: bool,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct BrokenRule {
    /// `complaint_upheld`, `training_not_compliant`, `certificate_invalid` or `discipline_found`.
    pub code: String,
    pub why: String,
}

/// What the system knows of every squad and every squad member for a year, up to `today`.
struct YearFacts {
    people: Vec<PersonFacts>,
    /// squad id, name, figures.
    squads: Vec<(String, String, Figures)>,
}

/// A squad member with what decides their title (officer or not, the position) and their figures.
struct PersonFacts {
    id: String,
    name: String,
    officer: bool,
    position: String,
    squad_id: String,
    squad: String,
    figures: Figures,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

async fn year_facts(db: &Db, year: i32, today: NaiveDate) -> Result<YearFacts, Error> {
    let units = db.units().await?;
    // The months judged are those that ended: a month in progress cannot be failed, since its
    // studies may still be held. Recorded complaints and discipline count up to today.
    let last = Month { year, month: 12 }.min(Month::of(today).previous());
    let first = Month { year, month: 1 };
    let months = if first > last { 0 } else { last.month };
    let entries_to = Month { year, month: 12 }.last_day().min(today);
    let filter = PeopleFilter { page: 1, page_size: 5000, ..PeopleFilter::default() };
    let people = db.people(&Visibility::All, &filter, today).await?.rows;
    let mut figures: HashMap<String, Figures> = HashMap::new();
    let mut month = first;
    while month <= last {
        for row in crate::ops::training::compliance(db, month, None).await? {
            let f = figures.entry(row.person_id).or_default();
            f.training_judged += i64::from(!matches!(row.result.status, ComplianceStatus::Exempt(_)));
            f.training_compliant += i64::from(row.result.status == ComplianceStatus::Compliant);
        }
        month = month.next();
    }
    for entry in db.star_entries(first.first_day(), entries_to).await? {
        let f = figures.entry(entry.record.person_id.clone()).or_default();
        match entry.record.factor {
            Factor::Complaint => f.complaints_upheld += entry.record.items,
            Factor::Discipline => f.discipline += entry.record.items,
            Factor::Commendation => f.commendations += entry.record.items,
            _ => {}
        }
    }
    if first.first_day() <= today {
        for p in crate::ops::stars::period_ratings(db, Period::Year(year), today).await?.people {
            let f = figures.entry(p.person_id).or_default();
            f.stars = Some(f64::from(p.stars));
            f.star_total = Some(p.total);
        }
    }
    // A year without an adopted scheme has no squad results: the figures say so by their absence.
    let assessment: HashMap<String, (f64, u32)> =
        match crate::ops::assessment::period_results(db, Period::Year(year), today).await {
            Ok(view) => {
                view.results.iter().map(|r| (r.unit_id.clone(), (r.score().as_f64(), r.rank))).collect()
            }
            Err(Error::Refused { .. }) => HashMap::new(),
            Err(other) => return Err(other),
        };
    let mut squads: Vec<(String, String, Figures)> = units
        .iter()
        .filter(|u| u.kind == UnitKind::Squad)
        .map(|u| {
            let (score, rank) = assessment.get(&u.id).copied().unzip();
            let f = Figures { months, assessment_score: score, assessment_rank: rank, ..Figures::default() };
            (u.id.clone(), u.name.clone(), f)
        })
        .collect();
    let mut star_sums: HashMap<String, (f64, u32)> = HashMap::new();
    let mut out = Vec::new();
    for p in people.into_iter().filter(|p| p.active) {
        let Some(squad) = squad_of(&units, &p.unit_id) else { continue };
        let mut f = figures.remove(&p.id).unwrap_or_default();
        f.months = months;
        f.certificate_valid_to = p.certificate_valid_to;
        if let Some((score, rank)) = assessment.get(&squad.id) {
            f.assessment_score = Some(*score);
            f.assessment_rank = Some(*rank);
        }
        if let Some((_, _, s)) = squads.iter_mut().find(|(id, _, _)| *id == squad.id) {
            s.people += 1;
            s.training_compliant += f.training_compliant;
            s.training_judged += f.training_judged;
            s.complaints_upheld += f.complaints_upheld;
            s.discipline += f.discipline;
            s.commendations += f.commendations;
        }
        if let Some(stars) = f.stars {
            let sum = star_sums.entry(squad.id.clone()).or_default();
            sum.0 += stars;
            sum.1 += 1;
        }
        let officer = p.employment == Employment::Officer;
        out.push(PersonFacts {
            id: p.id,
            name: p.name,
            officer,
            position: p.position,
            squad_id: squad.id.clone(),
            squad: squad.name.clone(),
            figures: f,
        });
    }
    for (id, _, f) in &mut squads {
        f.stars = star_sums.get(id).map(|(sum, n)| round2(sum / f64::from(*n)));
    }
    Ok(YearFacts { people: out, squads })
}

fn no_round(year: i32) -> Error {
    Error::refused("no_round", format!("{year}年度十佳评比尚未开始"))
}

/// The years a round may be opened for: this year, and last year in its first quarter (rounds
/// for a year are often held in the January after it).
fn open_years(today: NaiveDate) -> std::ops::RangeInclusive<i32> {
    let from = if today.month() <= 3 { today.year() - 1 } else { today.year() };
    from..=today.year()
}

/// The accounts that may sit on a panel: in use, with a role that may score; with their name
/// and roles (`宋丹敏（中队长）`).
pub async fn panel_candidates(db: &Db) -> Result<Vec<(String, String)>, Error> {
    Ok(db
        .accounts()
        .await?
        .into_iter()
        .filter(|a| !a.disabled && a.roles.iter().any(|r| scope_of(*r, Action::TopTenScore).is_some()))
        .map(|a| {
            let roles: Vec<&str> = a.roles.iter().map(|r| r.name_zh()).collect();
            (a.id, format!("{}（{}）", a.display_name, roles.join("、")))
        })
        .collect())
}

/// Opens a year's round (`version` 0) or changes its settings while it is nominating.
pub async fn save_settings(
    state: &AppState,
    actor: &Actor,
    year: i32,
    input: &SettingsInput,
    version: i64,
) -> Result<i64, Error> {
    actor.require(Action::TopTenManage)?;
    let allowed = panel_candidates(&state.db).await?;
    let settings = input.parse(|id| allowed.iter().any(|(a, _)| a == id)).map_err(Error::Invalid)?;
    if !open_years(civil_date(state.now())).contains(&year) {
        return Err(Error::Invalid(FieldErrors::single(
            "year",
            "year_closed",
            "只能为本年度（一季度内也可为上一年度）开展十佳评比",
        )));
    }
    if let Some(round) = state.db.top_ten_round(year).await?
        && round.state != RoundState::Nominating
    {
        return Err(Error::refused("round_not_nominating", "推荐阶段已结束，评比设置不能再修改"));
    }
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let next = tx.save_top_ten_settings(year, &settings, version).await?;
    tx.commit().await?;
    Ok(next)
}

/// The candidates of a category the actor may nominate from, with their figures and what they
/// fail. The figures are as of today, for the round's year.
pub async fn candidates(
    state: &AppState,
    actor: &Actor,
    year: i32,
    category: Category,
) -> Result<Vec<Candidate>, Error> {
    actor.require(Action::TopTenNominate)?;
    let round = state.db.top_ten_round(year).await?.ok_or_else(|| no_round(year))?;
    let today = civil_date(state.now());
    let facts = year_facts(&state.db, year, today).await?;
    let units = state.db.units().await?;
    let visibility = actor.visibility(Action::TopTenNominate);
    let nominated: Vec<String> = state
        .db
        .top_ten_nominations(year)
        .await?
        .into_iter()
        .filter(|n| n.category == category)
        .map(|n| n.subject)
        .collect();
    let rules = round.settings.category(category).map(|c| c.rules.clone()).unwrap_or_default();
    let candidate = |subject: String, name: String, squad_id: String, squad: String, figures: Figures| {
        let broken = failures(category, &rules, &figures, today)
            .into_iter()
            .map(|(r, why)| BrokenRule { code: r.failure_code().to_owned(), why })
            .collect();
        Candidate { nominated: nominated.contains(&subject), subject, name, squad_id, squad, figures, broken }
    };
    let list: Vec<Candidate> = if category == Category::Squad {
        facts
            .squads
            .into_iter()
            .map(|(id, name, f)| candidate(id.clone(), name.clone(), id, name, f))
            .collect()
    } else {
        facts
            .people
            .into_iter()
            .filter(|p| category.fits_person(p.officer, &p.position))
            .map(|p| candidate(p.id, p.name, p.squad_id, p.squad, p.figures))
            .collect()
    };
    Ok(list.into_iter().filter(|c| unit_visible(&units, &visibility, &c.squad_id)).collect())
}

/// Nominates a candidate of the actor's scope who meets the category's rules, while the round
/// is nominating. The system's figures are frozen into the nomination.
pub async fn nominate(
    state: &AppState,
    actor: &Actor,
    year: i32,
    input: &NominationInput,
) -> Result<String, Error> {
    actor.require(Action::TopTenNominate)?;
    let (category, subject, deeds) = input.parse().map_err(Error::Invalid)?;
    let round = state.db.top_ten_round(year).await?.ok_or_else(|| no_round(year))?;
    if round.state != RoundState::Nominating {
        return Err(Error::refused("round_not_nominating", "推荐阶段已结束"));
    }
    if round.settings.category(category).is_none() {
        return Err(Error::Invalid(FieldErrors::single(
            "category",
            "category_not_in_round",
            format!("本年度未设{}评比", category.name_zh()),
        )));
    }
    if actor.person_id.as_deref() == Some(subject.as_str()) {
        return Err(Error::Invalid(FieldErrors::single("subject", "own_nomination", "不能推荐本人")));
    }
    let list = candidates(state, actor, year, category).await?;
    let Some(candidate) = list.into_iter().find(|c| c.subject == subject) else {
        return Err(Error::Invalid(FieldErrors::single(
            "subject",
            "subject_out_of_scope",
            format!("请从本单位符合{}类别的人员或中队中选择", category.name_zh()),
        )));
    };
    let rules = round.settings.category(category).map(|c| c.rules.clone()).unwrap_or_default();
    let broken = failures(category, &rules, &candidate.figures, civil_date(state.now()));
    if !broken.is_empty() {
        return Err(Error::Invalid(ineligible(category, &broken)));
    }
    let nomination = Nomination {
        id: new_id(state.now()),
        year,
        category,
        subject,
        squad_id: candidate.squad_id,
        name: candidate.name,
        deeds,
        figures: candidate.figures,
        nominated_by: actor.username.clone(),
        nominated_at: state.now(),
    };
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let written = tx.insert_top_ten_nomination(&nomination).await.map_err(|e| match e {
        StoreError::Duplicate(_) => {
            Error::Invalid(FieldErrors::duplicate("subject", format!("已推荐参加{}评比", category.name_zh())))
        }
        other => other.into(),
    })?;
    if !written {
        return Err(Error::refused("round_not_nominating", "推荐阶段已结束"));
    }
    tx.commit().await?;
    Ok(nomination.id)
}

/// The panel with each member's own squad (none for the bureau's offices).
async fn panel_of(db: &Db, settings: &Settings) -> Result<Vec<(String, Option<String>)>, Error> {
    let units = db.units().await?;
    let mut out = Vec::new();
    for id in &settings.panel {
        let account = db.account(id).await?;
        let squad = account.and_then(|a| a.unit_id).and_then(|u| squad_of(&units, &u).map(|s| s.id.clone()));
        out.push((id.clone(), squad));
    }
    Ok(out)
}

/// A panel member scores a nomination, once, while the round is scoring; never one of their
/// own squad.
pub async fn score(state: &AppState, actor: &Actor, year: i32, input: &ScoreInput) -> Result<(), Error> {
    actor.require(Action::TopTenScore)?;
    let round = state.db.top_ten_round(year).await?.ok_or_else(|| no_round(year))?;
    if round.state != RoundState::Scoring {
        return Err(Error::refused("round_not_scoring", "评比不在评审阶段"));
    }
    let panel = panel_of(&state.db, &round.settings).await?;
    let Some((_, own_squad)) = panel.iter().find(|(a, _)| *a == actor.account_id) else {
        return Err(Error::refused("not_on_panel", "您不是本年度十佳评审组成员"));
    };
    let (nomination_id, points, note) = input.parse(round.settings.max_score).map_err(Error::Invalid)?;
    let nominations = state.db.top_ten_nominations(year).await?;
    let nomination = nominations.iter().find(|n| n.id == nomination_id).ok_or(Error::NotFound)?;
    if own_squad.as_deref() == Some(nomination.squad_id.as_str()) {
        return Err(Error::refused("own_squad", "评审组成员不为本中队的推荐对象评分"));
    }
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let written = tx
        .insert_top_ten_score(year, &nomination.id, &actor.account_id, points, &note)
        .await
        .map_err(|e| match e {
            StoreError::Duplicate(_) => {
                Error::Invalid(FieldErrors::duplicate("nomination_id", "您已为该推荐对象评分，评分不能更改"))
            }
            other => other.into(),
        })?;
    if !written {
        return Err(Error::refused("round_not_scoring", "评比不在评审阶段"));
    }
    tx.commit().await?;
    Ok(())
}

/// The office moves a round on.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct StepInput {
    /// `start_scoring`, `close` or `publish`.
    #[schema(example = "close")]
    pub step: String,
    /// The round's version as read.
    pub version: i64,
    /// Closing: why, when some panel members have not scored every nomination they may.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub note: String,
    /// Publishing: the notice.
    #[serde(default)]
    pub notice: TopTenNoticeInput,
}

/// Scores expected and missing for the round as it stands.
fn missing_scores(
    nominations: &[Nomination],
    panel: &[(String, Option<String>)],
    scores: &[(String, String)],
) -> usize {
    nominations
        .iter()
        .map(|n| {
            expected_scorers(panel, &n.squad_id)
                .into_iter()
                .filter(|a| !scores.iter().any(|(nid, s)| *nid == n.id && s == a))
                .count()
        })
        .sum()
}

pub async fn step(state: &AppState, actor: &Actor, year: i32, input: &StepInput) -> Result<i64, Error> {
    actor.require(Action::TopTenManage)?;
    let Some(step) = Step::parse(&input.step) else {
        return Err(Error::Invalid(FieldErrors::single("step", "invalid_value", "未知的操作")));
    };
    let round = state.db.top_ten_round(year).await?.ok_or_else(|| no_round(year))?;
    let to = after(round.state, step).map_err(|(code, message)| Error::refused(code, message))?;
    let nominations = state.db.top_ten_nominations(year).await?;
    let mut results = None;
    let mut note = None;
    let mut notice = None;
    match step {
        Step::StartScoring if nominations.is_empty() => {
            return Err(Error::refused("no_nominations", "尚无推荐对象，不能开始评审"));
        }
        Step::StartScoring => {}
        Step::Close => {
            let scores = state.db.top_ten_scores(year).await?;
            let panel = panel_of(&state.db, &round.settings).await?;
            let given: Vec<(String, String)> =
                scores.iter().map(|s| (s.nomination_id.clone(), s.scorer.clone())).collect();
            let missing = missing_scores(&nominations, &panel, &given);
            let reason = input.note.trim();
            if missing > 0 && reason.is_empty() {
                return Err(Error::Invalid(FieldErrors::single(
                    "note",
                    "scores_missing",
                    format!("尚有 {missing} 项评分未完成：如需确定结果，请写明原因"),
                )));
            }
            if reason.chars().count() > 500 {
                return Err(Error::Invalid(FieldErrors::single("note", "too_long", "原因不超过 500 字")));
            }
            let list: Vec<(String, Category)> =
                nominations.iter().map(|n| (n.id.clone(), n.category)).collect();
            let points: Vec<(String, Points)> =
                scores.iter().map(|s| (s.nomination_id.clone(), s.score)).collect();
            results = Some(tally(&list, &points, &round.settings));
            note = (missing > 0).then(|| reason.to_owned());
        }
        Step::Publish => {
            notice = Some(input.notice.parse(civil_date(state.now()).year()).map_err(Error::Invalid)?);
        }
    }
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let next = tx
        .move_top_ten_round(year, input.version, to, results.as_deref(), note.as_deref(), notice.as_ref())
        .await?;
    tx.commit().await?;
    if to == RoundState::Published {
        state.portal.invalidate();
    }
    Ok(next)
}

/// A nomination as a reader sees it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct NominationView {
    pub id: String,
    /// `squad`, `squad_leader`, `officer` or `auxiliary`.
    pub category: String,
    pub category_name: String,
    pub subject: String,
    pub name: String,
    pub squad_id: String,
    pub squad: String,
    pub deeds: String,
    /// The system's figures as they stood when nominated: for the office, the leaders, the
    /// panel and whoever may nominate in the candidate's squad; none for colleagues who only
    /// see the nomination (a colleague's stars and records are not theirs to read).
    pub figures: Option<Figures>,
    pub nominated_at: DateTime<Utc>,
    /// The reader's own score, if they are on the panel and scored it.
    pub my_score: Option<f64>,
    /// The reader is on the panel and may score it now (scoring, not scored, not their squad).
    pub may_score: bool,
    /// The office's tally while scoring, and everyone's who may see the results after.
    pub tally: Option<TallyView>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TallyView {
    /// Scores given.
    pub scores: u32,
    /// Scores expected (the panel less the members of the nomination's squad).
    pub expected: u32,
    pub mean: Option<f64>,
    pub rank: Option<u32>,
    /// Within the places (once the round is closed: the result).
    pub winner: bool,
}

/// A panel member as the round shows them.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PanelMember {
    pub account_id: String,
    pub name: String,
    /// The squad they abstain for.
    pub squad: Option<String>,
}

/// A round as a reader sees it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RoundView {
    pub year: i32,
    /// `nominating`, `scoring`, `closed` or `published`.
    pub state: String,
    pub state_name: String,
    pub version: i64,
    pub settings: SettingsInput,
    pub panel: Vec<PanelMember>,
    pub on_panel: bool,
    pub nominations: Vec<NominationView>,
    /// The results can be read (closed and the reader is the office, a leader or on the panel;
    /// or published).
    pub results_visible: bool,
    pub close_note: Option<String>,
    pub notice_number: Option<String>,
    pub notice_body: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
}

/// The years with a round, the latest first.
pub async fn rounds(state: &AppState, actor: &Actor) -> Result<Vec<(i32, RoundState)>, Error> {
    actor.require(Action::TopTenView)?;
    Ok(state.db.top_ten_rounds().await?)
}

pub async fn round(state: &AppState, actor: &Actor, year: i32) -> Result<RoundView, Error> {
    actor.require(Action::TopTenView)?;
    let round = state.db.top_ten_round(year).await?.ok_or(Error::NotFound)?;
    let units = state.db.units().await?;
    let panel = panel_of(&state.db, &round.settings).await?;
    let on_panel = panel.iter().any(|(a, _)| *a == actor.account_id);
    let manages = actor.roles.scope(Action::TopTenManage).is_some();
    let sees_all = matches!(actor.visibility(Action::TopTenView), Visibility::All) || on_panel;
    let visibility = actor.visibility(Action::TopTenView);
    let results_visible = match round.state {
        RoundState::Nominating | RoundState::Scoring => false,
        RoundState::Closed => sees_all,
        RoundState::Published => true,
    };
    let scores = state.db.top_ten_scores(year).await?;
    let nominations = state.db.top_ten_nominations(year).await?;
    let tallied = if results_visible {
        round.results.clone()
    } else if round.state == RoundState::Scoring && manages {
        let list: Vec<(String, Category)> = nominations.iter().map(|n| (n.id.clone(), n.category)).collect();
        let points: Vec<(String, Points)> =
            scores.iter().map(|s| (s.nomination_id.clone(), s.score)).collect();
        Some(tally(&list, &points, &round.settings))
    } else {
        None
    };
    let names: HashMap<String, String> =
        state.db.accounts().await?.into_iter().map(|a| (a.id, a.display_name)).collect();
    let squad_name = |id: &str| units.iter().find(|u| u.id == id).map(|u| u.name.clone()).unwrap_or_default();
    let own_squad = panel.iter().find(|(a, _)| *a == actor.account_id).and_then(|(_, s)| s.clone());
    let nominates = actor.visibility(Action::TopTenNominate);
    let views = nominations
        .iter()
        .filter(|n| {
            sees_all
                || unit_visible(&units, &visibility, &n.squad_id)
                || (round.state == RoundState::Published
                    && round.results.iter().flatten().any(|t| t.nomination_id == n.id && t.winner))
        })
        .map(|n| {
            let mine = scores.iter().find(|s| s.nomination_id == n.id && s.scorer == actor.account_id);
            let own = own_squad.as_deref() == Some(n.squad_id.as_str());
            let tally =
                tallied.as_ref().and_then(|list| list.iter().find(|t| t.nomination_id == n.id)).map(|t| {
                    TallyView {
                        scores: t.scores,
                        expected: expected_scorers(&panel, &n.squad_id).len() as u32,
                        mean: t.mean.map(Points::as_f64),
                        rank: t.rank,
                        winner: t.winner,
                    }
                });
            NominationView {
                id: n.id.clone(),
                category: n.category.code().to_owned(),
                category_name: n.category.name_zh().to_owned(),
                subject: n.subject.clone(),
                name: n.name.clone(),
                squad_id: n.squad_id.clone(),
                squad: squad_name(&n.squad_id),
                deeds: n.deeds.clone(),
                figures: (sees_all || unit_visible(&units, &nominates, &n.squad_id))
                    .then(|| n.figures.clone()),
                nominated_at: n.nominated_at,
                my_score: mine.map(|s| s.score.as_f64()),
                may_score: on_panel && round.state == RoundState::Scoring && mine.is_none() && !own,
                tally,
            }
        })
        .collect();
    Ok(RoundView {
        year,
        state: round.state.code().to_owned(),
        state_name: round.state.name_zh().to_owned(),
        version: round.version,
        settings: round.settings.to_input(),
        panel: panel
            .iter()
            .map(|(a, s)| PanelMember {
                account_id: a.clone(),
                name: names.get(a).cloned().unwrap_or_default(),
                squad: s.as_deref().map(squad_name),
            })
            .collect(),
        on_panel,
        nominations: views,
        results_visible,
        close_note: round.close_note.clone(),
        notice_number: round.notice.as_ref().map(|n| n.number.to_string()),
        notice_body: round.notice.as_ref().map(|n| n.body.clone()),
        closed_at: round.closed_at,
        published_at: round.published_at,
    })
}

/// A winner as the public portal and the notice list them: name, squad, category, rank.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Winner {
    pub category: Category,
    pub name: String,
    pub squad: String,
    pub rank: u32,
}

/// A published round's winners by category and rank, with its notice; nothing for a year not
/// published. Names and squads only: no figures, no scores.
pub async fn published(db: &Db, year: i32) -> Result<Option<(Round, Vec<Winner>)>, Error> {
    let Some(round) = db.top_ten_round(year).await?.filter(|r| r.state == RoundState::Published) else {
        return Ok(None);
    };
    let units = db.units().await?;
    let nominations = db.top_ten_nominations(year).await?;
    let mut winners: Vec<Winner> = round
        .results
        .iter()
        .flatten()
        .filter(|t| t.winner)
        .filter_map(|t| {
            let n = nominations.iter().find(|n| n.id == t.nomination_id)?;
            let squad = units.iter().find(|u| u.id == n.squad_id).map(|u| u.name.clone()).unwrap_or_default();
            Some(Winner {
                category: n.category,
                name: n.name.clone(),
                squad,
                rank: t.rank.unwrap_or_default(),
            })
        })
        .collect();
    winners.sort_by_key(|w| (Category::ALL.iter().position(|c| *c == w.category), w.rank));
    Ok(Some((round, winners)))
}

/// The years whose round is published, the latest first.
pub async fn published_years(db: &Db) -> Result<Vec<i32>, Error> {
    Ok(db
        .top_ten_rounds()
        .await?
        .into_iter()
        .filter(|(_, s)| *s == RoundState::Published)
        .map(|(y, _)| y)
        .collect())
}

/// The notice (通报) of a published round as a PDF in the GB/T 9704 layout.
pub async fn notice_pdf(state: &AppState, year: i32) -> Result<Vec<u8>, Error> {
    let (round, winners) = published(&state.db, year).await?.ok_or(Error::NotFound)?;
    let notice = round.notice.clone().ok_or(Error::NotFound)?;
    let bureau = crate::ops::documents::bureau_name(state).await?;
    let published_on = civil_date(round.published_at.unwrap_or(round.opened_at));
    let sections: Vec<serde_json::Value> = Category::ALL
        .iter()
        .filter_map(|c| {
            let names: Vec<String> = winners
                .iter()
                .filter(|w| w.category == *c)
                .map(|w| {
                    if *c == Category::Squad {
                        w.name.clone()
                    } else {
                        format!("{}（{}）", w.name, w.squad)
                    }
                })
                .collect();
            (!names.is_empty()).then(|| serde_json::json!({ "title": c.name_zh(), "names": names }))
        })
        .collect();
    let data = serde_json::json!({
        "bureau": bureau,
        "number": notice.number.to_string(),
        "title": format!("关于表彰{year}年度“十佳”先进集体和个人的通报"),
        "to": "各派驻中队、各科室：",
        "body": notice.body,
        "sections": sections,
        "date": format!("{}年{}月{}日", published_on.year(), published_on.month(), published_on.day()),
    })
    .to_string();
    let source = include_str!("../../templates/documents/top_ten_notice.typ").to_owned();
    Ok(crate::ops::documents::typeset(state, source, data, published_on, "the 十佳 notice").await?.pdf)
}
