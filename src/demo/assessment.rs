//! The demo's squad assessment: each year of the last twelve months gets the office's scheme
//! (seven computed indicators and two recorded ones, 100 points), adopted at the start of the
//! year; every month each squad gets its inspection findings and commendations, so that the
//! squads' results differ; every ended month is published at the start of the next, and one
//! published line is corrected with its reason. The current month stays live. Everything goes
//! through `ops::assessment` on a manual clock.

use std::sync::Arc;

use chrono::{Duration, NaiveDate};

use crate::app::AppState;
use crate::clock::ManualClock;
use crate::domain::assessment::{CorrectionInput, EntryInput, IndicatorInput, Period};
use crate::domain::org::UnitKind;
use crate::domain::time::{civil_date, start_of_civil_day};
use crate::domain::training::Month;
use crate::ops::assessment as ops;

/// The scheme: name, source, metric, rule, weight, per item, note.
const SCHEME: [(&str, &str, &str, &str, &str, &str, &str); 11] = [
    (
        "办案按期率",
        "computed",
        "handling_on_time",
        "rate",
        "20",
        "",
        "办案期限内作出处理决定（行政处罚法第六十条）",
    ),
    ("法定期限超期", "computed", "deadlines_missed", "deduct", "10", "2", "每超期一项扣 2 分"),
    ("重大案件法制审核率", "computed", "legal_review", "rate", "10", "", "行政处罚法第五十八条"),
    ("执法全过程记录率", "computed", "recording", "rate", "15", "", "音像记录事项清单所列环节"),
    ("持证上岗率", "computed", "certificates", "rate", "5", "", "期末执法人员持有效执法证"),
    ("学习日达标率", "computed", "training", "rate", "10", "", "每月政治学习1次、业务学习2次"),
    ("事项按期处置率", "computed", "matters_on_time", "rate", "10", "", "数字城管事项按期处置"),
    (
        "督察意见按期答复率",
        "computed",
        "opinions_on_time",
        "rate",
        "5",
        "",
        "监督员意见在答复期限内答复且未被退回",
    ),
    (
        "宣传报道",
        "computed",
        "publicity_output",
        "award",
        "5",
        "0.5",
        "宣传台账登记的宣传产出，每条加 0.5 分",
    ),
    ("日常检查与专项督查", "recorded", "", "deduct", "5", "", "作风纪律、队容风纪、专项督查发现问题扣分"),
    ("通报表扬", "recorded", "", "award", "5", "", "市、区通报表扬及群众书面表扬加分"),
];

const FINDINGS: [(&str, &str); 4] = [
    ("路面巡查时两名队员未规范着装", "队容风纪检查记录"),
    ("执法记录仪未全程开启", "专项督查通报"),
    ("早市时段责任路段出店经营反弹", "日常检查记录"),
    ("值班台账记录不全", "作风纪律检查记录"),
];

/// Builds the demo's assessment once (nothing when this year already has a scheme). Answers
/// the entries recorded.
pub async fn seed_assessment(state: &AppState) -> anyhow::Result<usize> {
    let now = state.now();
    let today = civil_date(now);
    let this_month = Month::of(today);
    let first_month = (0..11).fold(this_month, |m, _| m.previous());
    if state.db.assessment_scheme(this_month.year).await?.is_some() {
        return Ok(0);
    }
    let office = super::demo_actor(&state.db, "office01").await?;
    let clock = ManualClock::new(now);
    let mut past = state.clone();
    past.clock = Arc::new(clock.clone());
    let at = |day: NaiveDate| (start_of_civil_day(day) + Duration::hours(9)).min(now);
    let fail = |e: crate::ops::Error| anyhow::anyhow!("demo assessment: {}", e.message_zh());

    let mut months = vec![first_month];
    while *months.last().expect("one month") != this_month {
        let next = months.last().expect("one month").next();
        months.push(next);
    }
    let mut recorded_ids: Vec<(i32, String, String)> = Vec::new();
    for year in [first_month.year, this_month.year] {
        if recorded_ids.iter().any(|(y, _, _)| *y == year) {
            continue;
        }
        let start = months.iter().find(|m| m.year == year).expect("a month of the year").first_day();
        clock.set(at(start));
        ops::save_scheme(&past, &office, year, "100", None).await.map_err(fail)?;
        for (name, source, metric, rule, weight, per, note) in SCHEME {
            let input = IndicatorInput {
                name: name.to_owned(),
                source: source.to_owned(),
                metric: metric.to_owned(),
                rule: rule.to_owned(),
                weight: weight.to_owned(),
                per: per.to_owned(),
                note: note.to_owned(),
            };
            ops::add_indicator(&past, &office, year, &input).await.map_err(fail)?;
        }
        let scheme = state.db.assessment_scheme(year).await?.expect("just saved");
        ops::adopt(&past, &office, year, scheme.version).await.map_err(fail)?;
        for (id, indicator) in &scheme.indicators {
            if indicator.source == crate::domain::assessment::Source::Recorded {
                recorded_ids.push((year, id.clone(), indicator.name.clone()));
            }
        }
    }
    let squads: Vec<String> =
        state.db.units().await?.into_iter().filter(|u| u.kind == UnitKind::Squad).map(|u| u.id).collect();
    let mut made = 0;
    for (m, month) in months.iter().enumerate() {
        let deduct = recorded_ids.iter().find(|(y, _, n)| *y == month.year && n == "日常检查与专项督查");
        let award = recorded_ids.iter().find(|(y, _, n)| *y == month.year && n == "通报表扬");
        for (k, unit_id) in squads.iter().enumerate() {
            // A squad's findings in a month: none to three, placed on days 5, 12 and 19, so the
            // squads differ and each month differs from the last.
            let findings = (k * 2 + m) % 4;
            for f in 0..findings {
                let day = month.first_day() + Duration::days(4 + 7 * f as i64);
                if day > today {
                    continue;
                }
                let (note, basis) = FINDINGS[(k + f + m) % FINDINGS.len()];
                let Some((_, indicator_id, _)) = deduct else { continue };
                clock.set(at(day));
                let input = EntryInput {
                    unit_id: unit_id.clone(),
                    indicator_id: indicator_id.clone(),
                    on: day.to_string(),
                    points: if (k + f) % 3 == 0 { "2" } else { "1" }.to_owned(),
                    note: note.to_owned(),
                    basis: format!("{basis} 钟城管督〔{}〕{}号", month.year, 10 + m * 3 + f),
                };
                ops::record_entry(&past, &office, &input).await.map_err(fail)?;
                made += 1;
            }
            if (k * 3 + m) % 4 == 0
                && let Some((_, indicator_id, _)) = award
            {
                let day = month.first_day() + Duration::days(14);
                if day <= today {
                    clock.set(at(day));
                    let input = EntryInput {
                        unit_id: unit_id.clone(),
                        indicator_id: indicator_id.clone(),
                        on: day.to_string(),
                        points: if k % 2 == 0 { "3" } else { "2" }.to_owned(),
                        note: "群众来信表扬文明执法、耐心劝导".to_owned(),
                        basis: format!("钟城管〔{}〕表扬通报第{}号", month.year, m + 1),
                    };
                    ops::record_entry(&past, &office, &input).await.map_err(fail)?;
                    made += 1;
                }
            }
        }
        // Each ended month is published on the first day of the next.
        if *month != this_month {
            clock.set(at(month.next().first_day()));
            ops::publish(&past, &office, Period::Month(*month)).await.map_err(fail)?;
        }
    }
    // The last published month: one squad's inspection deduction is withdrawn on review.
    let last = Period::Month(this_month.previous());
    if let Some((_, indicator_id, _)) =
        recorded_ids.iter().find(|(y, _, n)| *y == last.year() && n == "日常检查与专项督查")
    {
        let view = ops::period_results(&state.db, last, today).await.map_err(fail)?;
        let line = view
            .results
            .iter()
            .flat_map(|r| r.lines.iter().map(move |l| (r, l)))
            .find(|(_, l)| l.indicator_id == *indicator_id && l.points < l.weight);
        if let Some((result, line)) = line {
            clock.set(at(this_month.first_day() + Duration::days(2)).min(now));
            let input = CorrectionInput {
                unit_id: result.unit_id.clone(),
                indicator_id: indicator_id.clone(),
                points: line.weight.to_string(),
                reason: "中队申请复核：所扣分项经督查组复核，当日着装问题系执行夜间任务所致，撤销扣分"
                    .to_owned(),
            };
            ops::correct(&past, &office, last, &input).await.map_err(fail)?;
        }
    }
    Ok(made)
}
