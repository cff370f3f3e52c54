//! The demo's 便民服务点 and 疏导点: six points in four squads set up a year ago, vendors of the
//! party registry admitted to their stalls (one point full, one admission ended), a monthly
//! inspection of each, and one point suspended for road works this month. Everything goes
//! through `ops::vending` on a manual clock, so the stall rules are checked as in use.

use std::sync::Arc;

use chrono::{Duration, NaiveDate};

use crate::app::AppState;
use crate::clock::ManualClock;
use crate::domain::time::{civil_date, start_of_civil_day};
use crate::domain::vending::{AdmissionInput, EndAdmissionInput, InspectionInput, PointInput};
use crate::ops::vending as ops;
use crate::store::org::Visibility;

/// (squad, name, kind, address, longitude, latitude, hours, stalls, goods)
type DemoPoint = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    u32,
    &'static str,
);

const POINTS: [DemoPoint; 6] = [
    (
        "南大街中队",
        "南大街早市疏导点",
        "guided",
        "南大街与延陵西路交叉口东侧",
        "119.946973",
        "31.772752",
        "06:00-09:00",
        6,
        "果蔬、早点",
    ),
    (
        "南大街中队",
        "西瀛里夜市疏导点",
        "guided",
        "西瀛里明城墙广场北侧",
        "119.941260",
        "31.775410",
        "17:30-22:00",
        4,
        "小吃、饮品",
    ),
    (
        "荷花池中队",
        "荷花池便民服务点",
        "convenience",
        "荷花池街道社区服务中心旁",
        "119.928830",
        "31.789120",
        "07:00-19:00",
        8,
        "修车、配钥匙、裁缝",
    ),
    (
        "五星中队",
        "五星农贸市场外疏导点",
        "guided",
        "五星农贸市场北门外侧划线区域",
        "119.914570",
        "31.781930",
        "05:30-08:30,16:30-19:00",
        10,
        "自产果蔬",
    ),
    (
        "永红中队",
        "永红早点便民点",
        "convenience",
        "永红街道广成路口",
        "119.958310",
        "31.764880",
        "06:00-09:30",
        5,
        "早点",
    ),
    (
        "永红中队",
        "勤业夜市疏导点",
        "guided",
        "勤业路南侧停车场",
        "119.962700",
        "31.760150",
        "18:00-22:30",
        12,
        "小吃、日用百货",
    ),
];

const INSPECTORS: [&str; 3] = ["张伟、李强", "王磊、刘洋（协管员）", "陈杰、杨涛"];

/// The vendors of the demo's points: thirty people of the district put in the party registry
/// (one file per party) the way the squad would when a vendor applies. Answers their ids.
async fn vendors(state: &AppState) -> anyhow::Result<Vec<String>> {
    let mut names = super::Sequence(0x5EED_0006);
    let mut ids = Vec::new();
    for i in 0..30u32 {
        let gender = if i % 2 == 0 { super::Gender::Male } else { super::Gender::Female };
        let body: Vec<char> =
            format!("320404{}{:02}{:02}{:03}", 1960 + i % 30, 1 + i % 12, 1 + i % 28, 200 + 2 * i + i % 2)
                .chars()
                .collect();
        let number: String =
            body.iter().collect::<String>() + &crate::domain::party::id_check_char(&body).to_string();
        let input = crate::domain::party::PartyInput {
            kind: "person".into(),
            name: names.name(gender),
            document_type: "resident_id".into(),
            document_number: number,
            address: format!(
                "常州市钟楼区{}街道{}号",
                ["南大街", "荷花池", "五星", "永红"][i as usize % 4],
                10 + i
            ),
            ..Default::default()
        };
        let draft = input.parse().map_err(|e| anyhow::anyhow!("demo vendor: {e}"))?;
        let mut tx = state.db.begin(&crate::store::AuditCtx::cli("demo"), state.now()).await?;
        ids.push(tx.insert_party(&draft).await?);
        tx.commit().await?;
    }
    Ok(ids)
}

/// Records the demo's points once (nothing when any point exists). Answers the points made.
pub async fn seed_vending(state: &AppState) -> anyhow::Result<usize> {
    let now = state.now();
    let today = civil_date(now);
    if !state.db.vending_points(&Visibility::All, today, false).await?.is_empty() {
        return Ok(0);
    }
    let vendors = vendors(state).await?;
    let office = super::demo_actor(&state.db, "office01").await?;
    let units = state.db.units().await?;
    let clock = ManualClock::new(now);
    let mut past = state.clone();
    past.clock = Arc::new(clock.clone());
    let at = |day: NaiveDate| (start_of_civil_day(day) + Duration::hours(10)).min(now);
    let fail = |e: crate::ops::Error| anyhow::anyhow!("demo vending points: {}", e.message_zh());
    let set_up = today - Duration::days(360);
    let mut next_vendor = 0;
    let mut made = 0;
    for (n, (squad, name, kind, address, lon, lat, hours, stalls, goods)) in POINTS.iter().enumerate() {
        let Some(unit) = units.iter().find(|u| u.name == *squad) else { continue };
        clock.set(at(set_up + Duration::days(n as i64)));
        let input = PointInput {
            name: (*name).to_owned(),
            kind: (*kind).to_owned(),
            unit_id: unit.id.clone(),
            address: (*address).to_owned(),
            longitude: (*lon).to_owned(),
            latitude: (*lat).to_owned(),
            hours: (*hours).to_owned(),
            capacity: stalls.to_string(),
            goods: (*goods).to_owned(),
            status: "open".to_owned(),
            note: String::new(),
        };
        let id = ops::create(&past, &office, &input).await.map_err(fail)?;
        made += 1;
        // The first point is full; the others hold about half their stalls.
        let admitted = if n == 0 { *stalls } else { stalls / 2 };
        for s in 0..admitted {
            let vendor = &vendors[next_vendor % vendors.len()];
            next_vendor += 1;
            let from = set_up + Duration::days(n as i64 + 3 + i64::from(s) * 7);
            clock.set(at(from));
            let admission = AdmissionInput {
                party_id: vendor.clone(),
                stall: format!("{}-{:02}", (b'A' + n as u8) as char, s + 1),
                goods: goods.split('、').nth(s as usize % 2).unwrap_or(goods).to_owned(),
                admitted_on: from.to_string(),
                until: (today + Duration::days(120 + i64::from(s)))
                    .min(from + Duration::days(366))
                    .to_string(),
            };
            let admission_id = ops::admit(&past, &office, &id, &admission).await.map_err(fail)?;
            // One vendor of the night market gave up the stall in the spring.
            if n == 1 && s == 0 {
                clock.set(at(from + Duration::days(150)));
                let end = EndAdmissionInput {
                    ended_on: (from + Duration::days(150)).to_string(),
                    reason: "摊主主动退出（转为店面经营）".to_owned(),
                };
                ops::end_admission(&past, &office, &admission_id, &end).await.map_err(fail)?;
            }
        }
        // An inspection every month, the latest this month.
        for m in (0..12i64).rev() {
            let on = today - Duration::days(30 * m + 2 + n as i64);
            if on <= set_up + Duration::days(n as i64) {
                continue;
            }
            clock.set(at(on));
            let problems = (m + n as i64) % 5 == 0;
            let inspection = InspectionInput {
                inspected_on: on.to_string(),
                inspected_by: INSPECTORS[(m as usize + n) % 3].to_owned(),
                result: if problems { "problems" } else { "good" }.to_owned(),
                findings: if problems {
                    "个别摊位超出划线范围、收摊后地面有垃圾，已现场责令整改".to_owned()
                } else {
                    "按时段经营，摊位整齐，卫生良好".to_owned()
                },
            };
            ops::inspect(&past, &office, &id, &inspection).await.map_err(fail)?;
        }
        // The big night market is suspended this month for road works.
        if n == 5 {
            clock.set(now);
            let point = ops::get(state, &office, &id).await.map_err(fail)?;
            let input = PointInput {
                status: "suspended".to_owned(),
                note: "勤业路管线施工，暂停至下月底".to_owned(),
                ..input
            };
            ops::update(state, &office, &id, point.point.version, &input).await.map_err(fail)?;
        }
    }
    Ok(made)
}
