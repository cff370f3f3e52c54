//! The demo's 三步走约谈: a year of talks by the first two squads, about three a month. Most end
//! corrected after the reminder, some after the formal talk, and four, dated back from
//! one of the demo's cases, in that case; this month one re-inspection is overdue and one is due.
//! Everything goes through `ops::talks` on a manual clock, so the steps are checked as in use.

use std::sync::Arc;

use chrono::{Duration, NaiveDate};

use crate::app::AppState;
use crate::clock::ManualClock;
use crate::domain::talks::{OpenTalkInput, ReinspectionInput, TalkStepInput};
use crate::domain::time::{civil_date, start_of_civil_day};
use crate::ops::talks as ops;
use crate::store::talks::TalkFilter;

const SUBJECTS: [(&str, &str); 5] = [
    ("店外经营占用人行道", "讲解市容规定，当事人承诺收回店外货架"),
    ("门前堆放杂物", "告知门前三包责任，当事人承诺当日清理"),
    ("擅自设置户外广告", "告知设置户外广告须办理审批，当事人承诺拆除"),
    ("夜间占道烧烤", "告知占道经营的规定，引导至夜市疏导点经营"),
    ("装修垃圾未按规定清运", "告知应委托核准单位清运至消纳场所"),
];

/// Records the demo's year once (nothing when any talk exists). Answers the talks made.
pub async fn seed_talks(state: &AppState) -> anyhow::Result<usize> {
    let now = state.now();
    let today = civil_date(now);
    let squads = [
        super::demo_actor(&state.db, "squadlead01").await?,
        super::demo_actor(&state.db, "squadlead02").await?,
    ];
    if !state.db.talks(&crate::store::org::Visibility::All, &TalkFilter::default()).await?.is_empty() {
        return Ok(0);
    }
    let (parties, _) = state.db.parties("", "", 1, 60).await?;
    if parties.is_empty() {
        return Ok(0);
    }
    let clock = ManualClock::new(now);
    let mut past = state.clone();
    past.clock = Arc::new(clock.clone());
    let at = |day: NaiveDate| (start_of_civil_day(day) + Duration::hours(15)).min(now);
    let fail = |e: crate::ops::Error| anyhow::anyhow!("demo talks: {}", e.message_zh());
    let step = |held: NaiveDate, by: &str, agreed: &str, days: i64| TalkStepInput {
        held_on: held.to_string(),
        held_by: by.to_owned(),
        agreed: agreed.to_owned(),
        reinspect_by: (held + Duration::days(days)).to_string(),
    };
    let reinspection = |on: NaiveDate, complied: bool, note: &str| ReinspectionInput {
        on: on.to_string(),
        complied: if complied { "yes" } else { "no" }.to_owned(),
        note: note.to_owned(),
    };
    let mut made = 0;
    // Three talks a month for the past year, the last two months left open.
    for n in 0..36i64 {
        let held = today - Duration::days(365 - 10 * n);
        let actor = &squads[(n % 2) as usize];
        let Some(unit) = actor.unit_id.clone() else { continue };
        let party = &parties[(n as usize) % parties.len()];
        let (subject, agreed) = SUBJECTS[(n % 5) as usize];
        let by = if n % 2 == 0 {
            "南大街中队 执法队员二人"
        } else {
            "荷花池中队 执法队员二人"
        };
        clock.set(at(held));
        let input = OpenTalkInput {
            party_id: party.id.clone(),
            unit_id: unit,
            subject: subject.to_owned(),
            step: step(held, by, agreed, 3),
        };
        let id = ops::open(&past, actor, &input).await.map_err(fail)?;
        made += 1;
        let first_due = held + Duration::days(3);
        if first_due >= today - Duration::days(1) {
            continue; // still waiting for its re-inspection
        }
        if n == 34 {
            continue; // this re-inspection was missed: overdue on the list
        }
        clock.set(at(first_due));
        // Two in three are corrected after the reminder.
        if n % 3 != 0 {
            ops::reinspect(&past, actor, &id, 1, &reinspection(first_due, true, "已改正"))
                .await
                .map_err(fail)?;
            continue;
        }
        ops::reinspect(&past, actor, &id, 1, &reinspection(first_due, false, "未改正"))
            .await
            .map_err(fail)?;
        ops::interview(&past, actor, &id, 2, &step(first_due, by, "约谈告诫，责令限期七日内改正", 7))
            .await
            .map_err(fail)?;
        let second_due = first_due + Duration::days(7);
        if second_due >= today {
            continue;
        }
        clock.set(at(second_due));
        ops::reinspect(&past, actor, &id, 3, &reinspection(second_due, true, "约谈后已改正"))
            .await
            .map_err(fail)?;
    }
    // Four of the demo's cases were preceded by a talk that failed twice: the talk is dated
    // back from the day the lead was registered, and ends in the case.
    let mut ended = 0;
    for party in &parties {
        if ended == 4 {
            break;
        }
        let cases = state.db.party_cases(&party.id).await?;
        let Some(case) = cases.iter().find(|c| {
            c.case.procedure == crate::domain::case::Procedure::General
                && squads.iter().any(|s| s.unit_id.as_deref() == Some(c.unit_id.as_str()))
        }) else {
            continue;
        };
        let actor =
            squads.iter().find(|s| s.unit_id.as_deref() == Some(case.unit_id.as_str())).expect("found above");
        let clue = case.case.clue_on;
        let held = clue - Duration::days(12);
        let (first_due, second_due) = (held + Duration::days(3), held + Duration::days(10));
        clock.set(at(held));
        let input = OpenTalkInput {
            party_id: party.id.clone(),
            unit_id: case.unit_id.clone(),
            subject: case.title.clone(),
            step: step(held, "执法队员二人", "讲解相关规定，当事人承诺三日内改正", 3),
        };
        let id = ops::open(&past, actor, &input).await.map_err(fail)?;
        clock.set(at(first_due));
        ops::reinspect(&past, actor, &id, 1, &reinspection(first_due, false, "未改正"))
            .await
            .map_err(fail)?;
        ops::interview(&past, actor, &id, 2, &step(first_due, "执法队员二人", "约谈告诫，责令七日内改正", 7))
            .await
            .map_err(fail)?;
        clock.set(at(second_due));
        ops::reinspect(&past, actor, &id, 3, &reinspection(second_due, false, "仍未改正，立案查处"))
            .await
            .map_err(fail)?;
        clock.set(at(clue));
        ops::link_case(&past, actor, &id, 4, &case.id).await.map_err(fail)?;
        made += 1;
        ended += 1;
    }
    Ok(made)
}
