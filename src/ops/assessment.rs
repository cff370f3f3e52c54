//! 派驻中队目标考核: define a year's scheme, record deductions and awards, compute a period's
//! results from the records, publish them (which freezes them) and correct them with a reason.
//! Every entry point — pages, API, CLI, demo, benchmark — goes through here.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::assessment::{
    CorrectionInput, EntryInput, EntryPoints, Indicator, IndicatorInput, Measure, Metric, Period, Points,
    SquadInputs, SquadResult, apply_corrections, assess, check_weights, parse_total,
};
use crate::domain::fields::FieldErrors;
use crate::domain::intake::indicators::Indicator as MatterIndicator;
use crate::domain::org::UnitKind;
use crate::domain::time::{civil_date, start_of_civil_day};
use crate::domain::training::ComplianceStatus;
use crate::ops::people::{squad_in_scope, unit_visible};
use crate::ops::{Actor, Error};
use crate::store::assessment::{MetricBounds, SQL_METRICS, Scheme, StoredCorrection, StoredEntry};
use crate::store::org::Unit;
use crate::store::{Db, new_id};

/// A period's results as a reader sees them.
#[derive(Debug, Clone)]
pub struct ResultsView {
    pub period: Period,
    /// Who published and when; `None` while the results are live (computed on reading).
    pub published: Option<(String, DateTime<Utc>)>,
    pub results: Vec<SquadResult>,
    pub corrections: Vec<StoredCorrection>,
}

fn no_scheme(year: i32) -> Error {
    Error::refused("no_scheme", format!("{year}年度考核方案尚未通过，无法计算考核结果"))
}

/// The squad a unit belongs to: itself if it is a squad, else the nearest squad above it.
pub(crate) fn squad_of<'a>(units: &'a [Unit], unit_id: &str) -> Option<&'a Unit> {
    let mut current = units.iter().find(|u| u.id == unit_id)?;
    for _ in 0..units.len() {
        if current.kind == UnitKind::Squad {
            return Some(current);
        }
        let parent = current.parent_id.as_deref()?;
        current = units.iter().find(|u| u.id == parent)?;
    }
    None
}

/// What the metric queries read for a period: its days, today, and its instants in Beijing time.
fn bounds_of(period: Period, today: NaiveDate) -> MetricBounds {
    let last_day = period.last_day();
    MetricBounds {
        first_day: period.first_day(),
        last_day,
        today,
        from: start_of_civil_day(period.first_day()),
        to: start_of_civil_day(last_day.succ_opt().expect("a next day")),
    }
}

/// Computes a period's results for every squad under the year's adopted scheme, from the
/// records as they stand today.
pub async fn compute(db: &Db, period: Period, today: NaiveDate) -> Result<Vec<SquadResult>, Error> {
    if period.first_day() > today {
        return Err(Error::refused("period_not_begun", format!("{}尚未开始", period.name_zh())));
    }
    let scheme = db.assessment_scheme(period.year()).await?;
    let Some(scheme) = scheme.filter(|s| s.adopted_at.is_some()) else {
        return Err(no_scheme(period.year()));
    };
    let units = db.units().await?;
    let mut inputs: HashMap<String, SquadInputs> = units
        .iter()
        .filter(|u| u.kind == UnitKind::Squad)
        .map(|u| (u.id.clone(), SquadInputs::default()))
        .collect();
    let mut add = |unit_id: &str, metric: Metric, measure: Measure| {
        if let Some(squad) = squad_of(&units, unit_id)
            && let Some(squad_inputs) = inputs.get_mut(&squad.id)
        {
            *squad_inputs.measures.entry(metric).or_default() += measure;
        }
    };
    let needed: HashSet<Metric> = scheme.indicators.iter().filter_map(|(_, i)| i.metric).collect();
    let bounds = bounds_of(period, today);
    let last_day = period.last_day();
    for (metric, sql) in SQL_METRICS {
        if needed.contains(&metric) {
            for (unit_id, measure) in db.assessment_metric(sql, &bounds).await? {
                add(&unit_id, metric, measure);
            }
        }
    }
    if needed.contains(&Metric::Training) {
        for month in period.months().into_iter().filter(|m| m.first_day() <= today) {
            for row in crate::ops::training::compliance(db, month, None).await? {
                let judged = !matches!(row.result.status, ComplianceStatus::Exempt(_));
                let compliant = row.result.status == ComplianceStatus::Compliant;
                add(
                    &row.unit_id,
                    Metric::Training,
                    Measure { num: i64::from(compliant), den: i64::from(judged) },
                );
            }
        }
    }
    if needed.contains(&Metric::MattersOnTime) {
        for row in db.matter_counts(bounds.from, bounds.to).await? {
            let measure = Measure {
                num: row.counts.get(MatterIndicator::HandledOnTime),
                den: row.counts.get(MatterIndicator::Handled),
            };
            add(&row.unit, Metric::MattersOnTime, measure);
        }
    }
    if needed.contains(&Metric::OpinionsOnTime) {
        let measures =
            crate::ops::supervision::on_time_measures(db, period.first_day(), last_day, today).await?;
        for (unit, (num, den)) in measures {
            add(&unit, Metric::OpinionsOnTime, Measure { num, den });
        }
    }
    if needed.contains(&Metric::PublicityOutput) {
        for (unit, n) in crate::ops::publicity::output_measures(db, period.first_day(), last_day).await? {
            add(&unit, Metric::PublicityOutput, Measure { num: n, den: 0 });
        }
    }
    for stored in db.assessment_entries(period.first_day(), last_day).await? {
        if let Some(squad_inputs) = inputs.get_mut(&stored.entry.unit_id) {
            squad_inputs
                .entries
                .entry(stored.entry.indicator_id.clone())
                .or_default()
                .push(EntryPoints { entry_id: stored.id, points: stored.entry.points });
        }
    }
    let squads: Vec<(String, String, SquadInputs)> = units
        .iter()
        .filter(|u| u.kind == UnitKind::Squad)
        .map(|u| (u.id.clone(), u.name.clone(), inputs.remove(&u.id).unwrap_or_default()))
        .collect();
    Ok(assess(&scheme.indicators, &squads))
}

/// A period's results for every squad: the frozen ones with their corrections once published,
/// else computed now (the CLI's and the pages' one reading).
pub async fn period_results(db: &Db, period: Period, today: NaiveDate) -> Result<ResultsView, Error> {
    let code = period.code();
    if let Some(publication) = db.assessment_publication(&code).await? {
        let corrections = db.assessment_corrections(&code).await?;
        let mut results = publication.results;
        let plain: Vec<_> = corrections.iter().map(|c| c.correction.clone()).collect();
        apply_corrections(&mut results, &plain);
        return Ok(ResultsView {
            period,
            published: Some((publication.published_by, publication.published_at)),
            results,
            corrections,
        });
    }
    let results = compute(db, period, today).await?;
    Ok(ResultsView { period, published: None, results, corrections: Vec::new() })
}

/// A period's results as a reader sees them. Published results are the bureau's 通报 and every
/// reader sees all squads; live ones are limited to what the reader's scope reaches.
pub async fn results(state: &AppState, actor: &Actor, period: Period) -> Result<ResultsView, Error> {
    actor.require(Action::AssessmentView)?;
    let mut view = period_results(&state.db, period, civil_date(state.now())).await?;
    if view.published.is_none() {
        let units = state.db.units().await?;
        let visibility = actor.visibility(Action::AssessmentView);
        view.results.retain(|r| unit_visible(&units, &visibility, &r.unit_id));
    }
    Ok(view)
}

/// One squad's result in a period, as the reader may see it.
pub async fn squad_result(
    state: &AppState,
    actor: &Actor,
    period: Period,
    unit_id: &str,
) -> Result<(ResultsView, SquadResult), Error> {
    let view = results(state, actor, period).await?;
    let squad = view.results.iter().find(|r| r.unit_id == unit_id).cloned().ok_or(Error::NotFound)?;
    Ok((view, squad))
}

/// The year's scheme as stored (draft or adopted), if one was begun.
pub async fn scheme(state: &AppState, actor: &Actor, year: i32) -> Result<Option<Scheme>, Error> {
    actor.require(Action::AssessmentView)?;
    Ok(state.db.assessment_scheme(year).await?)
}

async fn draft(state: &AppState, year: i32) -> Result<Scheme, Error> {
    let scheme = state.db.assessment_scheme(year).await?.ok_or(Error::NotFound)?;
    if scheme.adopted_at.is_some() {
        return Err(Error::refused("scheme_adopted", format!("{year}年度考核方案已通过，不能再修改")));
    }
    Ok(scheme)
}

/// Begins a year's scheme with its declared total, or changes a draft's total over the
/// version read.
pub async fn save_scheme(
    state: &AppState,
    actor: &Actor,
    year: i32,
    total: &str,
    version: Option<i64>,
) -> Result<i64, Error> {
    actor.require(Action::AssessmentManage)?;
    let total = parse_total(total).map_err(Error::Invalid)?;
    if !(2000..=2100).contains(&year) {
        return Err(Error::NotFound);
    }
    if version.is_some() {
        draft(state, year).await?;
    }
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    let version = tx.save_assessment_scheme(year, total, version).await?;
    tx.commit().await?;
    Ok(version)
}

/// Adds an indicator to a draft scheme. An indicator over fines is refused here, in the
/// domain's parse, whichever entry point it came from.
pub async fn add_indicator(
    state: &AppState,
    actor: &Actor,
    year: i32,
    input: &IndicatorInput,
) -> Result<String, Error> {
    actor.require(Action::AssessmentManage)?;
    let indicator = input.parse().map_err(Error::Invalid)?;
    draft(state, year).await?;
    let id = new_id(state.now());
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.add_assessment_indicator(year, &id, &indicator).await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn remove_indicator(state: &AppState, actor: &Actor, year: i32, id: &str) -> Result<(), Error> {
    actor.require(Action::AssessmentManage)?;
    let scheme = draft(state, year).await?;
    let (_, indicator) = scheme.indicators.iter().find(|(i, _)| i == id).ok_or(Error::NotFound)?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.remove_assessment_indicator(year, id, indicator).await?;
    tx.commit().await?;
    Ok(())
}

/// Adopts a draft over the version read, once its weights add up to its total.
pub async fn adopt(state: &AppState, actor: &Actor, year: i32, version: i64) -> Result<(), Error> {
    actor.require(Action::AssessmentManage)?;
    let scheme = draft(state, year).await?;
    let plain: Vec<Indicator> = scheme.indicators.iter().map(|(_, i)| i.clone()).collect();
    check_weights(scheme.total, &plain).map_err(Error::Invalid)?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.adopt_assessment_scheme(year, version).await?;
    tx.commit().await?;
    Ok(())
}

/// Records a deduction or an award under a recorded indicator of the adopted scheme, for a
/// squad, in a period not yet published.
pub async fn record_entry(state: &AppState, actor: &Actor, input: &EntryInput) -> Result<String, Error> {
    actor.require(Action::AssessmentManage)?;
    let entry = input.parse(civil_date(state.now())).map_err(Error::Invalid)?;
    squad_in_scope(state, actor, Action::AssessmentManage, &entry.unit_id).await?;
    let year = chrono::Datelike::year(&entry.on);
    let scheme = state.db.assessment_scheme(year).await?.filter(|s| s.adopted_at.is_some());
    let Some(scheme) = scheme else { return Err(no_scheme(year)) };
    let recorded = scheme
        .indicators
        .iter()
        .any(|(id, i)| *id == entry.indicator_id && i.source == crate::domain::assessment::Source::Recorded);
    if !recorded {
        return Err(Error::Invalid(FieldErrors::single(
            "indicator_id",
            "not_recorded_indicator",
            "请选择本年度考核记录类指标",
        )));
    }
    for period in [Period::Month(crate::domain::training::Month::of(entry.on)), Period::Year(year)] {
        if state.db.assessment_publication(&period.code()).await?.is_some() {
            return Err(Error::refused(
                "period_published",
                format!("{}考核结果已公布，不能再补记；如需调整请更正结果并说明理由", period.name_zh()),
            ));
        }
    }
    let id = new_id(state.now());
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.insert_assessment_entry(&id, &entry).await?;
    tx.commit().await?;
    Ok(id)
}

/// The entries of a period, in the reader's scope.
pub async fn entries(state: &AppState, actor: &Actor, period: Period) -> Result<Vec<StoredEntry>, Error> {
    actor.require(Action::AssessmentView)?;
    let units = state.db.units().await?;
    let visibility = actor.visibility(Action::AssessmentView);
    Ok(state
        .db
        .assessment_entries(period.first_day(), period.last_day())
        .await?
        .into_iter()
        .filter(|e| unit_visible(&units, &visibility, &e.entry.unit_id))
        .collect())
}

/// Publishes an ended period's results as computed now; from then on they are frozen.
pub async fn publish(state: &AppState, actor: &Actor, period: Period) -> Result<usize, Error> {
    actor.require(Action::AssessmentManage)?;
    let today = civil_date(state.now());
    if !period.is_over(today) {
        return Err(Error::refused(
            "period_not_over",
            format!("{}尚未结束，结束后才能公布考核结果", period.name_zh()),
        ));
    }
    if state.db.assessment_publication(&period.code()).await?.is_some() {
        return Err(Error::Conflict {
            code: "already_published",
            message: format!("{}考核结果已公布", period.name_zh()),
        });
    }
    let results = compute(&state.db, period, today).await?;
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.publish_assessment(&period.code(), &results).await?;
    tx.commit().await?;
    Ok(results.len())
}

/// Corrects one line of a published result, with the reason.
pub async fn correct(
    state: &AppState,
    actor: &Actor,
    period: Period,
    input: &CorrectionInput,
) -> Result<String, Error> {
    actor.require(Action::AssessmentManage)?;
    let code = period.code();
    let Some(publication) = state.db.assessment_publication(&code).await? else {
        return Err(Error::refused(
            "not_published",
            format!("{}考核结果尚未公布，直接补记或修改记录即可", period.name_zh()),
        ));
    };
    let mut current = publication.results;
    let earlier: Vec<_> =
        state.db.assessment_corrections(&code).await?.into_iter().map(|c| c.correction).collect();
    apply_corrections(&mut current, &earlier);
    let line = current
        .iter()
        .filter(|r| r.unit_id == input.unit_id.trim())
        .flat_map(|r| r.lines.iter())
        .find(|l| l.indicator_id == input.indicator_id.trim());
    let correction = input.parse(line.map(|l| l.weight)).map_err(Error::Invalid)?;
    let before = line.map_or(Points(0), |l| l.points);
    let id = new_id(state.now());
    let mut tx = state.db.begin(&actor.audit_ctx(), state.now()).await?;
    tx.insert_assessment_correction(&id, &code, &correction, before).await?;
    tx.commit().await?;
    Ok(id)
}

/// One line of a squad's breakdown as the API and the CLI print it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct BreakdownLine {
    pub indicator_id: String,
    pub indicator: String,
    /// `computed` (from the system's records) or `recorded` (by an assessor).
    pub source: crate::domain::assessment::Source,
    pub weight: f64,
    pub points: f64,
    /// What was measured or recorded, in words.
    pub value: String,
    /// The recorded entries behind a recorded line.
    pub entries: Vec<String>,
    /// Set when the line was corrected after publication: the points first published.
    pub corrected_from: Option<f64>,
    pub correction_reason: Option<String>,
}

/// A squad's result as the API and the CLI print it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SquadScore {
    pub unit_id: String,
    pub unit: String,
    /// 1 is the best; equal scores share a rank.
    pub rank: u32,
    /// The sum of the breakdown's points. Each line is kept in hundredths and the sum is taken
    /// in hundredths, so it is exact; a reader adding the printed numbers in binary floating
    /// point may differ from it in the fifteenth digit, never in the hundredths.
    pub score: f64,
    pub breakdown: Vec<BreakdownLine>,
}

impl From<&SquadResult> for SquadScore {
    fn from(result: &SquadResult) -> Self {
        let breakdown: Vec<BreakdownLine> = result
            .lines
            .iter()
            .map(|l| BreakdownLine {
                indicator_id: l.indicator_id.clone(),
                indicator: l.indicator.clone(),
                source: l.source,
                weight: l.weight.as_f64(),
                points: l.points.as_f64(),
                value: l.value.clone(),
                entries: l.entries.clone(),
                corrected_from: l.corrected_from.map(Points::as_f64),
                correction_reason: l.correction_reason.clone(),
            })
            .collect();
        let score = result.score().as_f64();
        SquadScore {
            unit_id: result.unit_id.clone(),
            unit: result.unit.clone(),
            rank: result.rank,
            score,
            breakdown,
        }
    }
}

/// The rows behind one computed line of a squad: the case terms or decisions for the three case
/// metrics (`None` for the others, whose records are on their own pages).
pub async fn behind(
    state: &AppState,
    actor: &Actor,
    period: Period,
    unit_id: &str,
    metric: Metric,
) -> Result<Option<Vec<crate::store::assessment::BehindRow>>, Error> {
    actor.require(Action::AssessmentView)?;
    let units = state.db.units().await?;
    if !unit_visible(&units, &actor.visibility(Action::AssessmentView), unit_id) {
        return Err(Error::NotFound);
    }
    let Some(sql) = crate::store::assessment::behind_sql(metric) else { return Ok(None) };
    let bounds = bounds_of(period, civil_date(state.now()));
    let rows = state.db.assessment_behind(sql, &bounds).await?;
    Ok(Some(
        rows.into_iter().filter(|r| squad_of(&units, &r.unit_id).is_some_and(|s| s.id == unit_id)).collect(),
    ))
}
