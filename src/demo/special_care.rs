//! The demo's special-care archive: a year of grants (one expired, three in force, one
//! revoked), ten parties of the demo's registry taken into care by the office for the first
//! two squads, help recorded month by month, and one entry closed. Everything goes through
//! `ops::special_care` on a manual clock, so the grants and purposes are checked as in use.

use std::sync::Arc;

use chrono::{Duration, NaiveDate};

use crate::app::AppState;
use crate::clock::ManualClock;
use crate::domain::special_care::{CareCategory, CareEntryInput, GrantInput, HelpInput, HelpKind};
use crate::domain::time::{civil_date, start_of_civil_day};
use crate::ops::special_care as ops;

const CIRCUMSTANCES: [&str; 5] = [
    "家庭收入低于当地最低生活保障标准，靠流动售卖维持生活",
    "本地少数民族群众，初来城区经营，不熟悉市容管理规定",
    "肢体残疾，以修鞋摊为生",
    "年逾七十，早市售卖自种蔬菜",
    "失业后以夜市摊位谋生，家中有两名学生",
];

const HELP: [(HelpKind, &str); 6] = [
    (HelpKind::Visit, "上门走访，了解经营和生活情况"),
    (HelpKind::Relocation, "引导至南大街便民疏导点按时段经营"),
    (HelpKind::Paperwork, "协助向街道申请临时摊位和低保复核"),
    (HelpKind::Supplies, "联合社区送去米油等生活物资"),
    (HelpKind::Employment, "推荐至辖区物业公司应聘保洁岗位"),
    (HelpKind::Deferral, "告知可依法申请延期或分期缴纳罚款，并指导填写申请"),
];

/// Records the demo's archive once (nothing when any grant exists). Answers the entries made.
pub async fn seed_special_care(state: &AppState) -> anyhow::Result<usize> {
    if !state.db.care_grants().await?.is_empty() {
        return Ok(0);
    }
    let now = state.now();
    let today = civil_date(now);
    let leader = super::demo_actor(&state.db, "leader01").await?;
    let office = super::demo_actor(&state.db, "office01").await?;
    let squads: Vec<String> = [
        super::demo_actor(&state.db, "squadlead01").await?,
        super::demo_actor(&state.db, "squadlead02").await?,
    ]
    .into_iter()
    .filter_map(|a| a.unit_id)
    .collect();
    let (parties, _) = state.db.parties("", "", 1, 60).await?;
    let people: Vec<_> = parties.into_iter().filter(|p| !p.organisation).take(10).collect();
    if squads.len() < 2 || people.is_empty() {
        return Ok(0);
    }
    let clock = ManualClock::new(now);
    let mut past = state.clone();
    past.clock = Arc::new(clock.clone());
    let at = |day: NaiveDate| (start_of_civil_day(day) + Duration::hours(10)).min(now);
    let fail = |e: crate::ops::Error| anyhow::anyhow!("demo special care: {}", e.message_zh());
    let grant = |username: &str, purpose: &str, until: NaiveDate| GrantInput {
        username: username.to_owned(),
        purpose: purpose.to_owned(),
        until: until.to_string(),
    };

    // Last year's grant to the office, which has since run out.
    clock.set(at(today - Duration::days(365)));
    ops::grant(
        &past,
        &leader,
        &grant("office01", "建立和维护少数民族、困难当事人档案，组织帮贫扶困", today - Duration::days(5)),
    )
    .await
    .map_err(fail)?;
    let mut made = 0;
    let mut entries = Vec::new();
    for (i, party) in people.iter().enumerate() {
        let opened = today - Duration::days(360 - 30 * i as i64);
        clock.set(at(opened));
        let input = CareEntryInput {
            party_id: party.id.clone(),
            unit_id: squads[i % 2].clone(),
            category: CareCategory::ALL[i % CareCategory::ALL.len()].code().to_owned(),
            circumstances: CIRCUMSTANCES[i % CIRCUMSTANCES.len()].to_owned(),
        };
        let id = ops::open_entry(&past, &office, &input).await.map_err(fail)?;
        made += 1;
        // Help every month or so from the opening to the grant's end.
        let mut given = opened;
        let mut k = i;
        while given < today - Duration::days(6) {
            clock.set(at(given));
            let (kind, description) = HELP[k % HELP.len()];
            let help = HelpInput {
                given_on: given.to_string(),
                kind: kind.code().to_owned(),
                description: description.to_owned(),
                given_by: if k % 2 == 0 { "领导小组办公室" } else { "中队帮扶小组" }.to_owned(),
            };
            ops::record_help(&past, &office, &id, &help).await.map_err(fail)?;
            given += Duration::days(29 + (k % 5) as i64);
            k += 1;
        }
        entries.push(id);
    }
    // The first entry ended in the autumn: the party found steady work.
    if let Some(first) = entries.first() {
        clock.set(at(today - Duration::days(60)));
        ops::close_entry(&past, &office, first, 1, "已在物业公司稳定就业，脱离困难").await.map_err(fail)?;
    }

    // This year's grants: the office again, two squad people, and one revoked the next day.
    clock.set(at(today - Duration::days(4)));
    let until = today + Duration::days(180);
    ops::grant(&past, &leader, &grant("office01", "维护关怀档案，组织帮贫扶困，统计上报", until))
        .await
        .map_err(fail)?;
    ops::grant(
        &past,
        &office,
        &grant("squadlead01", "负责本中队困难摊贩的走访帮扶", today + Duration::days(90)),
    )
    .await
    .map_err(fail)?;
    ops::grant(
        &past,
        &office,
        &grant("officer01", "南大街便民疏导点困难摊贩的帮扶走访", today + Duration::days(30)),
    )
    .await
    .map_err(fail)?;
    let revoked =
        ops::grant(&past, &office, &grant("squadlead02", "冬季走访慰问困难摊贩", today + Duration::days(30)))
            .await
            .map_err(fail)?;
    clock.set(at(today - Duration::days(3)));
    ops::revoke(&past, &office, &revoked).await.map_err(fail)?;
    Ok(made)
}
