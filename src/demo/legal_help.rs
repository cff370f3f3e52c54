//! The demo's circuit court and legal help: a 巡回法庭 sitting every month of the last year at
//! one of the squads, and a few legal consultations a week to vendors, residents and officers,
//! each recorded through `ops::legal_help` on a manual clock the day after.

use std::sync::Arc;

use chrono::Duration;

use crate::app::AppState;
use crate::clock::ManualClock;
use crate::domain::legal_help::{ConsultationInput, SittingInput};
use crate::domain::time::{civil_date, start_of_civil_day};
use crate::ops::legal_help as ops;

const PLACES: [&str; 4] = ["南大街中队", "荷花池中队", "五星中队", "永红中队"];

const TOPICS: [(&str, &str, &str); 6] = [
    (
        "public",
        "流动摊贩能否在早市时段临时设摊",
        "须在政府划定的便民疏导点内、按规定时段经营；在其他道路设摊属占道经营。",
    ),
    (
        "public",
        "店铺门头招牌更换是否需要审批",
        "户外招牌设置须依规定办理设置许可或备案，大型招牌须符合安全技术规范。",
    ),
    ("public", "装修垃圾如何合法清运", "应委托核准的运输单位清运至指定消纳场所，不得随意倾倒。"),
    (
        "staff",
        "当事人拒绝在现场检查笔录上签字如何处理",
        "在笔录中注明拒签情况，由两名执法人员签名，并以音像记录固定（行政处罚法第五十五条）。",
    ),
    (
        "staff",
        "首次违法且及时改正能否不予处罚",
        "初次违法且危害后果轻微并及时改正的，可以不予行政处罚，但应当进行教育（行政处罚法第三十三条）。",
    ),
    (
        "public",
        "对处罚决定不服可以向哪里申请复议",
        "可在收到决定书之日起六十日内向区人民政府申请行政复议，或六个月内提起行政诉讼。",
    ),
];

/// Records the demo's year once (nothing when any sitting exists). Answers the records made.
pub async fn seed_legal_help(state: &AppState) -> anyhow::Result<usize> {
    let now = state.now();
    let today = civil_date(now);
    let year = chrono::Datelike::year(&today);
    if !state.db.court_sittings(year).await?.is_empty()
        || !state.db.court_sittings(year - 1).await?.is_empty()
    {
        return Ok(0);
    }
    let legal = super::demo_actor(&state.db, "legal01").await?;
    let clock = ManualClock::new(now);
    let mut past = state.clone();
    past.clock = Arc::new(clock.clone());
    let at = |day: chrono::NaiveDate| (start_of_civil_day(day) + Duration::hours(10)).min(now);
    let fail = |e: crate::ops::Error| anyhow::anyhow!("demo legal help: {}", e.message_zh());
    let mut made = 0;
    for k in (0..12i64).rev() {
        let held = today - Duration::days(30 * k + 6);
        clock.set(at(held + Duration::days(1)));
        let sitting = SittingInput {
            held_on: held.to_string(),
            place: format!("{}巡回审判点", PLACES[(k % 4) as usize]),
            court: "常州市钟楼区人民法院".to_owned(),
            judge: ["王审判员", "李审判员", "陈审判员"][(k % 3) as usize].to_owned(),
            cases_heard: (2 + k % 4).to_string(),
            outcomes: "当庭调解结案二件，其余择期宣判".to_owned(),
        };
        ops::record_sitting(&past, &legal, &sitting).await.map_err(fail)?;
        made += 1;
        for w in 0..4i64 {
            let given = held - Duration::days(7 * w + 2);
            let (audience, topic, answer) = TOPICS[((k + w) % 6) as usize];
            clock.set(at(given));
            let consultation = ConsultationInput {
                given_on: given.to_string(),
                audience: audience.to_owned(),
                topic: topic.to_owned(),
                answer: answer.to_owned(),
                given_by: if w % 2 == 0 { "法制科" } else { "法律顾问（某律师事务所）" }.to_owned(),
            };
            ops::record_consultation(&past, &legal, &consultation).await.map_err(fail)?;
            made += 1;
        }
    }
    Ok(made)
}
