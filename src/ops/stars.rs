//! 星级队员: the year's rules, the office's entries, the squad leaders' scores, each person's
//! monthly and yearly rating with its breakdown, publication, and appeals. Every entry point —
//! pages, API, demo — goes through here.
//!
//! A month is rated live from the records until the office publishes it (after it ended); then
//! the ratings are frozen and a person may appeal within `APPEAL_DAYS`. An upheld appeal
//! corrects the stars shown, beside the stars first published. A year is the mean of its
//! months' lines (`domain::stars::year_rating`).

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Utc};

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::assessment::{Measure, Period, Points};
use crate::domain::fields::FieldErrors;
use crate::domain::stars::{
    APPEAL_DAYS, AppealAnswerInput, AppealInput, AppealOutcome, Factor, FactorInput, LeaderScoreInput,
    Rating, StarEntryInput, StarRules, StarRulesInput, rate, year_rating,
};
use crate::domain::time::{civil_date, start_of_civil_day};
use crate::domain::training::{ComplianceStatus, Month};
use crate::ops::people::unit_visible;
use crate::ops::{Actor, Error};
use crate::store::org::{PeopleFilter, Visibility};
use crate::store::stars::Appeal;
use crate::store::{Db, new_id};

/// One person's rating as frozen and as shown.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FrozenRating {
    pub person_id: String,
    pub name: String,
    pub unit_id: String,
    pub unit_name: String,
    pub rating: Rating,
}

/// A line of a breakdown, for people and the API.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct StarLineView {
    /// `training`, `on_time`, `attendance`, `complaint`, `commendation`, `discipline` or `leader`.
    pub factor: String,
    pub name: String,
    pub points: f64,
    pub weight: f64,
    /// Where the points came from (`3/4`, `2 项，每项扣 3 分`).
    pub why: String,
}

/// A person's rating for a period.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PersonRating {
    pub person_id: String,
    pub name: String,
    pub unit_id: String,
    pub unit_name: String,
    /// 1–5: after an upheld appeal, the corrected stars.
    pub stars: u8,
    /// The stars first published, when an appeal changed them.
    pub stars_published: Option<u8>,
    /// Exactly the sum of the lines' points.
    pub total: f64,
    pub lines: Vec<StarLineView>,
}

/// A period's ratings.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RatingsView {
    /// `YYYY-MM` or `YYYY`.
    pub period: String,
    /// A month frozen by the office (a year: every month of it rated so far is).
    pub published: bool,
    pub published_at: Option<DateTime<Utc>>,
    pub people: Vec<PersonRating>,
}

/// The year's rules in force (the office's, else the standard ones), their version (0: not set)
/// and whether a month of the year is published (the rules are then fixed).
pub async fn rules(db: &Db, year: i32) -> Result<(StarRules, i64, bool), Error> {
    let fixed = db.star_year_published(year).await?;
    Ok(match db.star_rules(year).await? {
        Some((rules, version)) => (rules, version, fixed),
        None => (StarRules::standard(), 0, fixed),
    })
}

/// Sets a year's rules over the version read, this year or later, before any month of it is
/// published.
pub async fn save_rules(
    state: &AppState,
    actor: &Actor,
    year: i32,
    input: &StarRulesInput,
    version: i64,
) -> Result<i64, Error> {
    actor.require(Action::StarManage)?;
    let parsed = input.parse().map_err(Error::Invalid)?;
    if year < civil_date(state.now()).year() {
        return Err(Error::Invalid(FieldErrors::single("year", "year_closed", "往年的评星规则不能再修改")));
    }
    if state.db.star_year_published(year).await? {
        return Err(Error::refused("rules_fixed", "本年度已有月份公布评星结果，规则不能再修改"));
    }
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let next = tx.save_star_rules(year, &parsed, version).await?;
    tx.commit().await?;
    Ok(next)
}

/// Records an absence, an upheld complaint, a commendation or a disciplinary finding for a
/// person on the register, in a month not yet published.
pub async fn record_entry(state: &AppState, actor: &Actor, input: &StarEntryInput) -> Result<String, Error> {
    actor.require(Action::StarManage)?;
    let entry = input.parse(civil_date(state.now())).map_err(Error::Invalid)?;
    let person = state.db.person(&Visibility::All, &entry.person_id).await?;
    if !person.is_some_and(|p| p.summary.active) {
        return Err(Error::Invalid(FieldErrors::single("person_id", "person_not_found", "请选择在册人员")));
    }
    not_published(&state.db, Month::of(entry.on)).await?;
    let id = new_id(state.now());
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.insert_star_entry(&id, &entry).await?;
    tx.commit().await?;
    Ok(id)
}

async fn not_published(db: &Db, month: Month) -> Result<(), Error> {
    if db.star_publication(&Period::Month(month).code()).await?.is_some() {
        return Err(Error::refused(
            "period_published",
            format!("{}年{}月的评星结果已公布", month.year, month.month),
        ));
    }
    Ok(())
}

/// The squad leader scores a person of the squad for a month that has begun and is not yet
/// published: once, up to the rules' weight.
pub async fn leader_score(state: &AppState, actor: &Actor, input: &LeaderScoreInput) -> Result<(), Error> {
    actor.require(Action::StarLeaderScore)?;
    let today = civil_date(state.now());
    let month = Month::parse(&input.month);
    let (rules, _, _) = rules(&state.db, month.map_or(today.year(), |m| m.year)).await?;
    let Some(weight) = rules.leader_weight() else {
        return Err(Error::refused("no_leader_factor", "本年度评星规则不含中队长评价"));
    };
    let (person_id, month, score, note) = input.parse(weight).map_err(Error::Invalid)?;
    if month.first_day() > today {
        return Err(Error::Invalid(FieldErrors::single("month", "in_future", "该月尚未开始")));
    }
    let person = state.db.person(&Visibility::All, &person_id).await?.filter(|p| p.summary.active);
    let units = state.db.units().await?;
    let visibility = actor.visibility(Action::StarLeaderScore);
    if !person.is_some_and(|p| unit_visible(&units, &visibility, &p.summary.unit_id)) {
        return Err(Error::Invalid(FieldErrors::single(
            "person_id",
            "person_out_of_scope",
            "只能评价本中队人员",
        )));
    }
    if actor.person_id.as_deref() == Some(person_id.as_str()) {
        return Err(Error::Invalid(FieldErrors::single("person_id", "own_score", "不能评价本人")));
    }
    not_published(&state.db, month).await?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.insert_star_leader_score(&person_id, &Period::Month(month).code(), score, &note).await.map_err(
        |e| match e {
            crate::store::StoreError::Duplicate(_) => {
                Error::Invalid(FieldErrors::duplicate("month", "该人员本月已评价"))
            }
            other => other.into(),
        },
    )?;
    tx.commit().await?;
    Ok(())
}

/// Rates everyone in service (officers and auxiliaries) for a month from the records as they
/// stand on `today`.
pub async fn compute_month(
    db: &Db,
    month: Month,
    today: chrono::NaiveDate,
) -> Result<Vec<FrozenRating>, Error> {
    let (rules, _, _) = rules(db, month.year).await?;
    let mut inputs: HashMap<String, Vec<(Factor, FactorInput)>> = HashMap::new();
    let mut add = |person: &str, factor: Factor, num: i64, den: i64| {
        let list = inputs.entry(person.to_owned()).or_default();
        match list.iter_mut().find(|(f, _)| *f == factor) {
            Some((_, input)) => {
                input.num += num;
                input.den += den;
            }
            None => list.push((factor, FactorInput { num, den })),
        }
    };
    for row in crate::ops::training::compliance(db, month, None).await? {
        let judged = !matches!(row.result.status, ComplianceStatus::Exempt(_));
        let compliant = row.result.status == ComplianceStatus::Compliant;
        add(&row.person_id, Factor::Training, i64::from(compliant), i64::from(judged));
    }
    let last_day = month.next().first_day().pred_opt().expect("a month's last day");
    let bounds = crate::store::assessment::MetricBounds {
        first_day: month.first_day(),
        last_day,
        today,
        from: start_of_civil_day(month.first_day()),
        to: start_of_civil_day(month.next().first_day()),
    };
    for (person, Measure { num, den }) in
        db.assessment_metric(crate::store::assessment::PERSON_ON_TIME, &bounds).await?
    {
        add(&person, Factor::OnTime, num, den);
    }
    for entry in db.star_entries(month.first_day(), last_day).await? {
        add(&entry.record.person_id, entry.record.factor, i64::from(entry.record.items), 0);
    }
    for (person, score, _) in db.star_leader_scores(&Period::Month(month).code()).await? {
        add(&person, Factor::Leader, score.0, 0);
    }
    // The squads' people are rated: the bureau's offices are not 队员.
    let units = db.units().await?;
    let squads: Vec<Visibility> = units
        .iter()
        .filter(|u| u.kind == crate::domain::org::UnitKind::Squad)
        .map(|u| Visibility::Subtree(u.id.clone()))
        .collect();
    let filter = PeopleFilter { page: 1, page_size: 5000, ..PeopleFilter::default() };
    let people = db.people(&Visibility::All, &filter, today).await?.rows;
    Ok(people
        .into_iter()
        .filter(|p| p.active && squads.iter().any(|s| unit_visible(&units, s, &p.unit_id)))
        .map(|p| {
            let rating = rate(&rules, inputs.get(&p.id).map(Vec::as_slice).unwrap_or_default());
            FrozenRating { person_id: p.id, name: p.name, unit_id: p.unit_id, unit_name: p.unit_name, rating }
        })
        .collect())
}

/// A month's ratings: frozen once published, else computed now; with when it was published.
async fn month_ratings(
    db: &Db,
    month: Month,
    today: chrono::NaiveDate,
) -> Result<(Vec<FrozenRating>, Option<DateTime<Utc>>), Error> {
    if let Some((json, _, at)) = db.star_publication(&Period::Month(month).code()).await? {
        let frozen: Vec<FrozenRating> = serde_json::from_str(&json)
            .map_err(|e| Error::Internal(anyhow::anyhow!("frozen star ratings: {e}")))?;
        return Ok((frozen, Some(at)));
    }
    Ok((compute_month(db, month, today).await?, None))
}

fn view_of(rules: &StarRules, frozen: FrozenRating, corrected: Option<u8>) -> PersonRating {
    let lines = frozen
        .rating
        .lines
        .iter()
        .map(|l| StarLineView {
            factor: l.factor.code().to_owned(),
            name: l.factor.name_zh().to_owned(),
            points: l.points.as_f64(),
            weight: rules.factors.iter().find(|f| f.factor == l.factor).map_or(0.0, |f| f.weight.as_f64()),
            why: l.why.clone(),
        })
        .collect();
    PersonRating {
        stars: corrected.unwrap_or(frozen.rating.stars),
        stars_published: corrected.map(|_| frozen.rating.stars),
        total: frozen.rating.total.as_f64(),
        lines,
        person_id: frozen.person_id,
        name: frozen.name,
        unit_id: frozen.unit_id,
        unit_name: frozen.unit_name,
    }
}

/// Everyone's rating for a period (a month, or a year from its months so far).
pub async fn period_ratings(db: &Db, period: Period, today: chrono::NaiveDate) -> Result<RatingsView, Error> {
    if period.first_day() > today {
        return Err(Error::refused("period_not_begun", format!("{}尚未开始", period.name_zh())));
    }
    let (rules, _, _) = rules(db, period.year()).await?;
    let upheld: HashMap<(String, String), u8> = db
        .star_appeals(None)
        .await?
        .into_iter()
        .filter(|a| a.outcome == Some(AppealOutcome::Upheld))
        .filter_map(|a| a.stars_after.map(|s| ((a.person_id, a.month), s)))
        .collect();
    match period {
        Period::Month(month) => {
            let (frozen, published_at) = month_ratings(db, month, today).await?;
            let code = period.code();
            let people = frozen
                .into_iter()
                .map(|f| {
                    let corrected = upheld.get(&(f.person_id.clone(), code.clone())).copied();
                    view_of(&rules, f, corrected)
                })
                .collect();
            Ok(RatingsView { period: code, published: published_at.is_some(), published_at, people })
        }
        Period::Year(_) => {
            let mut months: HashMap<String, (FrozenRating, Vec<Rating>)> = HashMap::new();
            let mut all_published = true;
            for month in period.months().into_iter().filter(|m| m.first_day() <= today) {
                let (frozen, at) = month_ratings(db, month, today).await?;
                all_published &= at.is_some();
                for f in frozen {
                    let entry = months.entry(f.person_id.clone()).or_insert_with(|| (f.clone(), Vec::new()));
                    entry.1.push(f.rating);
                }
            }
            let mut people: Vec<PersonRating> = months
                .into_values()
                .filter_map(|(head, ratings)| {
                    year_rating(&rules, &ratings)
                        .map(|rating| view_of(&rules, FrozenRating { rating, ..head }, None))
                })
                .collect();
            people.sort_by(|a, b| a.unit_name.cmp(&b.unit_name).then_with(|| a.name.cmp(&b.name)));
            Ok(RatingsView { period: period.code(), published: all_published, published_at: None, people })
        }
    }
}

/// The ratings of the people in the actor's scope.
pub async fn ratings(state: &AppState, actor: &Actor, period: Period) -> Result<RatingsView, Error> {
    actor.require(Action::StarView)?;
    let mut view = period_ratings(&state.db, period, civil_date(state.now())).await?;
    let units = state.db.units().await?;
    let visibility = actor.visibility(Action::StarView);
    view.people.retain(|p| unit_visible(&units, &visibility, &p.unit_id));
    Ok(view)
}

/// One's own rating and appeals.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct MyStars {
    pub period: String,
    pub published: bool,
    pub rating: Option<PersonRating>,
    pub appeals: Vec<Appeal>,
    /// The last day to appeal this month's published rating, while it is open.
    pub appeal_until: Option<chrono::NaiveDate>,
}

pub async fn mine(state: &AppState, actor: &Actor, period: Period) -> Result<MyStars, Error> {
    actor.require(Action::SelfService)?;
    let person = actor.person_id.clone().ok_or(Error::NotFound)?;
    let view = period_ratings(&state.db, period, civil_date(state.now())).await?;
    let appeals = state.db.star_appeals(Some(&person)).await?;
    let appeal_until = match (period, view.published_at) {
        (Period::Month(_), Some(at)) => {
            let until = civil_date(at) + chrono::Duration::days(APPEAL_DAYS);
            let filed = appeals.iter().any(|a| a.month == view.period);
            (!filed && civil_date(state.now()) <= until).then_some(until)
        }
        _ => None,
    };
    Ok(MyStars {
        rating: view.people.into_iter().find(|p| p.person_id == person),
        period: view.period,
        published: view.published,
        appeals,
        appeal_until,
    })
}

/// Freezes an ended month's ratings.
pub async fn publish(state: &AppState, actor: &Actor, month: Month) -> Result<usize, Error> {
    actor.require(Action::StarManage)?;
    let today = civil_date(state.now());
    if !Period::Month(month).is_over(today) {
        return Err(Error::refused("period_not_over", "该月尚未结束，不能公布"));
    }
    let frozen = compute_month(&state.db, month, today).await?;
    let json =
        serde_json::to_string(&frozen).map_err(|e| Error::Internal(anyhow::anyhow!("star ratings: {e}")))?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.insert_star_publication(&Period::Month(month).code(), &json, frozen.len()).await.map_err(
        |e| match e {
            crate::store::StoreError::Duplicate(_) => {
                Error::refused("already_published", "该月评星结果已公布")
            }
            other => other.into(),
        },
    )?;
    tx.commit().await?;
    Ok(frozen.len())
}

/// A person appeals their published rating of a month, once, within `APPEAL_DAYS`.
pub async fn appeal(
    state: &AppState,
    actor: &Actor,
    month: Month,
    input: &AppealInput,
) -> Result<String, Error> {
    actor.require(Action::SelfService)?;
    let reason = input.parse().map_err(Error::Invalid)?;
    let mine = mine(state, actor, Period::Month(month)).await?;
    let Some(rating) = mine.rating.filter(|_| mine.published) else {
        return Err(Error::refused("not_published", "该月评星结果尚未公布，公布后才能申诉"));
    };
    if mine.appeals.iter().any(|a| a.month == mine.period) {
        return Err(Error::refused("already_appealed", "该月已提出过申诉"));
    }
    if mine.appeal_until.is_none() {
        return Err(Error::refused("appeal_window_closed", format!("申诉须在公布后 {APPEAL_DAYS} 日内提出")));
    }
    let id = new_id(state.now());
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.insert_star_appeal(&id, (&rating.person_id, &mine.period), &reason, rating.stars).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn appeals(state: &AppState, actor: &Actor) -> Result<Vec<Appeal>, Error> {
    actor.require(Action::StarManage)?;
    Ok(state.db.star_appeals(None).await?)
}

/// The office answers an appeal: dismissed, or upheld with the corrected stars.
pub async fn answer_appeal(
    state: &AppState,
    actor: &Actor,
    id: &str,
    input: &AppealAnswerInput,
) -> Result<(), Error> {
    actor.require(Action::StarManage)?;
    let appeal = state.db.star_appeal(id).await?.ok_or(Error::NotFound)?;
    if appeal.outcome.is_some() {
        return Err(Error::refused("appeal_answered", "该申诉已答复"));
    }
    let (outcome, stars, answer) = input.parse(appeal.stars_before).map_err(Error::Invalid)?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.answer_star_appeal(id, outcome, stars, &answer).await?;
    tx.commit().await?;
    Ok(())
}

/// Where a line's points of a recorded factor came from: the entries of the person's month.
pub async fn entries_of(
    db: &Db,
    person_id: &str,
    period: Period,
) -> Result<Vec<crate::store::Recorded<crate::domain::stars::StarEntry>>, Error> {
    Ok(db
        .star_entries(period.first_day(), period.last_day())
        .await?
        .into_iter()
        .filter(|e| e.record.person_id == person_id)
        .collect())
}

/// The squad leader's score of the person for a month, with its note.
pub async fn leader_note(db: &Db, person_id: &str, month: Month) -> Result<Option<(Points, String)>, Error> {
    Ok(db
        .star_leader_scores(&Period::Month(month).code())
        .await?
        .into_iter()
        .find(|(p, _, _)| p == person_id)
        .map(|(_, s, n)| (s, n)))
}
