//! The demo's 管理重心前移: two new estates and a new road in the first two squads, their shop
//! fronts served the 提前告知书 as they fitted out over the past months, visited, and settled —
//! most complying, one in a case of the demo's, one never opening — with one follow-up visit
//! overdue and the newest estate's shops not yet served. Through `ops::new_sites` on a manual
//! clock, so the order of events is checked as in use.

use std::sync::Arc;

use chrono::{Duration, NaiveDate};

use crate::app::AppState;
use crate::clock::ManualClock;
use crate::domain::new_sites::{NoticeInput, OutcomeInput, ShopInput, SiteInput, VisitInput};
use crate::domain::time::{civil_date, start_of_civil_day};
use crate::ops::new_sites as ops;
use crate::store::org::Visibility;

/// (squad, kind, name, location, days from today to the opening)
const SITES: [(&str, &str, &str, &str, i64); 3] = [
    ("南大街中队", "estate", "金鹰华府", "延陵西路 88 号", -150),
    ("荷花池中队", "road", "龙城大道西延段", "西林路至邹区段", -60),
    ("南大街中队", "estate", "运河湾花园", "南大街南端运河北岸", 40),
];

/// (front, name, trade)
const SHOPS: [(&str, &str, &str); 6] = [
    ("1 幢 101", "老街面馆", "catering"),
    ("1 幢 102", "好邻居便利店", "retail"),
    ("1 幢 103", "丝丝发艺", "services"),
    ("2 幢 101", "", "catering"),
    ("2 幢 102", "车之家汽车美容", "vehicles"),
    ("2 幢 103", "", "other"),
];

/// Records the demo's sites once (nothing when any site exists). Answers the shops made.
pub async fn seed_new_sites(state: &AppState) -> anyhow::Result<usize> {
    let now = state.now();
    let today = civil_date(now);
    if !state.db.new_sites(&Visibility::All).await?.is_empty() {
        return Ok(0);
    }
    let office = super::demo_actor(&state.db, "office01").await?;
    let units = state.db.units().await?;
    let (parties, _) = state.db.parties("", "", 1, 60).await?;
    // A party of the demo with a general-procedure case: the shop that ends in that case.
    let mut cased = None;
    for party in &parties {
        if let Some(case) =
            state.db.party_cases(&party.id).await?.into_iter().find(|c| c.case.clue_on < today)
        {
            cased = Some((party.id.clone(), case.id.clone()));
            break;
        }
    }
    let clock = ManualClock::new(now);
    let mut past = state.clone();
    past.clock = Arc::new(clock.clone());
    let at = |day: NaiveDate| (start_of_civil_day(day) + Duration::hours(14)).min(now);
    let fail = |e: crate::ops::Error| anyhow::anyhow!("demo new sites: {}", e.message_zh());
    let mut made = 0;
    for (s, (squad, kind, name, location, opens_in)) in SITES.iter().enumerate() {
        let Some(unit) = units.iter().find(|u| u.name == *squad) else { continue };
        let opens_on = today + Duration::days(*opens_in);
        let registered = opens_on - Duration::days(90);
        clock.set(at(registered.min(today)));
        let site = SiteInput {
            kind: (*kind).to_owned(),
            name: (*name).to_owned(),
            unit_id: unit.id.clone(),
            location: (*location).to_owned(),
            opens_on: opens_on.to_string(),
            note: "开发商提供商铺清单，中队提前对接".to_owned(),
        };
        let site_id = ops::create_site(&past, &office, &site).await.map_err(fail)?;
        let shops = if s == 1 { &SHOPS[3..] } else { &SHOPS[..] };
        for (k, (front, shop_name, trade)) in shops.iter().enumerate() {
            let party_id = match (&cased, s, k) {
                (Some((party, _)), 0, 0) => party.clone(),
                _ => String::new(),
            };
            let front = if s == 1 { format!("龙城大道 {} 号", 10 + 2 * k) } else { (*front).to_owned() };
            let shop = ShopInput {
                label: front,
                name: (*shop_name).to_owned(),
                trade: (*trade).to_owned(),
                party_id,
            };
            let shop_id = ops::add_shop(&past, &office, &site_id, &shop).await.map_err(fail)?;
            made += 1;
            if s == 2 {
                continue; // the newest estate: registered, notices still to serve
            }
            // Notices served a month before the opening, a week apart.
            let served = opens_on - Duration::days(30) + Duration::days(7 * k as i64);
            if served > today {
                continue;
            }
            clock.set(at(served));
            let notice =
                NoticeInput { on: served.to_string(), by: "张伟、李强".to_owned(), note: String::new() };
            ops::serve_notice(&past, &office, &shop_id, 1, &notice).await.map_err(fail)?;
            let mut version = 2;
            // The road's last shop has had no visit since its notice: overdue.
            if s == 1 && k == shops.len() - 1 {
                continue;
            }
            let visited = served + Duration::days(20);
            if visited > today {
                continue;
            }
            clock.set(at(visited));
            let finding = match *trade {
                "catering" => "已办理营业执照和食品经营许可证，油烟净化设施已安装",
                "vehicles" => "已办照，店内作业，门前未占道",
                _ => "已办理营业执照，招牌按规范设置",
            };
            let visit =
                VisitInput { on: visited.to_string(), by: "张伟".to_owned(), finding: finding.to_owned() };
            version = ops::visit(&past, &office, &shop_id, version, &visit).await.map_err(fail)?;
            let settled = visited + Duration::days(5);
            if settled > today {
                continue;
            }
            clock.set(at(settled));
            let outcome = match (s, k, &cased) {
                (0, 0, Some((_, case_id))) => OutcomeInput {
                    on: settled.to_string(),
                    outcome: "cased".to_owned(),
                    note: "回访发现店外经营，劝导无效后立案".to_owned(),
                    case_id: case_id.clone(),
                },
                (0, 5, _) => OutcomeInput {
                    on: settled.to_string(),
                    outcome: "not_opened".to_owned(),
                    note: "铺面转让，未开业".to_owned(),
                    case_id: String::new(),
                },
                (_, 3, _) => continue, // still following up
                _ => OutcomeInput {
                    on: settled.to_string(),
                    outcome: "complied".to_owned(),
                    note: String::new(),
                    case_id: String::new(),
                },
            };
            ops::settle(&past, &office, &shop_id, version, &outcome).await.map_err(fail)?;
        }
    }
    Ok(made)
}
