//! The demo's counselling: a 心灵驿站 in every squad, the centre's plan for the year (a group
//! session every other month), and a year of sessions — a group session at one squad's station
//! each month and individual sessions with officers — held by the office's counsellor, with
//! notes only the counsellor and each person can read. Through `ops::counselling` on a manual
//! clock.

use std::sync::Arc;

use chrono::{Datelike, Duration};

use crate::app::AppState;
use crate::clock::ManualClock;
use crate::domain::counselling::{PlanItemInput, SessionInput, StationInput};
use crate::domain::org::UnitKind;
use crate::domain::time::{civil_date, start_of_civil_day};
use crate::domain::training::Month;
use crate::store::org::{PeopleFilter, Visibility};

const TOPICS: [&str; 6] =
    ["压力疏导", "情绪管理", "执法冲突后的心理调适", "家庭与工作", "睡眠与作息", "团队沟通"];

/// Builds the demo's counselling once (nothing when a station exists). Answers the sessions.
pub async fn seed_counselling(state: &AppState) -> anyhow::Result<usize> {
    if !state.db.counselling_stations().await?.is_empty() {
        return Ok(0);
    }
    let now = state.now();
    let today = civil_date(now);
    let office = super::demo_actor(&state.db, "office01").await?;
    let clock = ManualClock::new(now);
    let mut past = state.clone();
    past.clock = Arc::new(clock.clone());
    let at = |day: chrono::NaiveDate| (start_of_civil_day(day) + Duration::hours(15)).min(now);
    let fail = |e: crate::ops::Error| anyhow::anyhow!("demo counselling: {}", e.message_zh());
    let squads: Vec<(String, String)> = state
        .db
        .units()
        .await?
        .into_iter()
        .filter(|u| u.kind == UnitKind::Squad)
        .map(|u| (u.id, u.name))
        .collect();
    let year_ago = today - Duration::days(365);
    clock.set(at(year_ago));
    for (k, (unit_id, name)) in squads.iter().enumerate() {
        let input = StationInput {
            unit_id: unit_id.clone(),
            place: format!("{name}二楼心灵驿站"),
            opened_on: (year_ago - Duration::days(30 * k as i64 + 20)).to_string(),
            note: "每周三下午开放，可预约个别辅导".to_owned(),
        };
        crate::ops::counselling::add_station(&past, &office, &input).await.map_err(fail)?;
    }
    for month in (1..=12u32).step_by(2) {
        let item = PlanItemInput {
            month: format!("{}-{month:02}", today.year()),
            kind: "group".to_owned(),
            topic: TOPICS[(month as usize / 2) % TOPICS.len()].to_owned(),
            audience: "各中队执法队员、协管员".to_owned(),
        };
        crate::ops::counselling::add_plan_item(&past, &office, &item).await.map_err(fail)?;
    }
    let mut made = 0;
    let mut month = Month::of(year_ago).next();
    while month.first_day() <= today {
        let m = (month.month as usize + month.year as usize) % squads.len();
        let (unit_id, name) = &squads[m];
        let filter =
            PeopleFilter { unit_id: unit_id.clone(), page: 1, page_size: 12, ..PeopleFilter::default() };
        let people: Vec<String> =
            state.db.people(&Visibility::All, &filter, today).await?.rows.into_iter().map(|p| p.id).collect();
        let group_day = month.first_day() + Duration::days(9);
        if group_day <= today && !people.is_empty() {
            clock.set(at(group_day));
            let input = SessionInput {
                kind: "group".to_owned(),
                held_on: group_day.to_string(),
                unit_id: unit_id.clone(),
                place: format!("{name}心灵驿站"),
                topic: TOPICS[m % TOPICS.len()].to_owned(),
                participants: people.iter().take(10).cloned().collect(),
                notes: "团体辅导：放松训练与分享，气氛良好；两名队员会后预约个别辅导。".to_owned(),
            };
            crate::ops::counselling::record(&past, &office, &input).await.map_err(fail)?;
            made += 1;
        }
        for (i, person) in people.iter().take(2).enumerate() {
            let day = month.first_day() + Duration::days(16 + 3 * i as i64);
            if day > today {
                continue;
            }
            clock.set(at(day));
            let input = SessionInput {
                kind: "individual".to_owned(),
                held_on: day.to_string(),
                unit_id: unit_id.clone(),
                place: "心理辅导中心".to_owned(),
                topic: TOPICS[(m + i + 1) % TOPICS.len()].to_owned(),
                participants: vec![person.clone()],
                notes: "个别辅导：谈及近期工作压力，给予放松方法建议，约定一个月后回访。".to_owned(),
            };
            crate::ops::counselling::record(&past, &office, &input).await.map_err(fail)?;
            made += 1;
        }
        month = month.next();
    }
    Ok(made)
}
