//! The demo's 星级队员: the standard rules set for the year, twelve months up to today of the
//! office's entries (commendations, absences, an upheld complaint, a disciplinary finding) and
//! the squad leaders' scores, every ended month published on the next month's first day, and two appeals on the last one —
//! one upheld, one dismissed — so that a person's page shows a corrected rating. Through
//! `ops::stars` on a manual clock, relative to today.

use std::sync::Arc;

use chrono::{Duration, NaiveDate};

use crate::app::AppState;
use crate::clock::ManualClock;
use crate::domain::stars::{AppealAnswerInput, AppealInput, LeaderScoreInput, StarEntryInput, StarRules};
use crate::domain::time::{civil_date, start_of_civil_day};
use crate::domain::training::Month;
use crate::ops::stars as ops;
use crate::store::org::{PeopleFilter, Visibility};

/// Builds the demo's ratings once (nothing when a month is published). Answers the months
/// published.
pub async fn seed_stars(state: &AppState) -> anyhow::Result<usize> {
    let now = state.now();
    let today = civil_date(now);
    let this_month = Month::of(today);
    let first = (0..11).fold(this_month, |m, _| m.previous());
    if state.db.star_year_published(first.year).await?
        || state.db.star_year_published(this_month.year).await?
    {
        return Ok(0);
    }
    let office = super::demo_actor(&state.db, "office01").await?;
    let clock = ManualClock::new(now);
    let mut past = state.clone();
    past.clock = Arc::new(clock.clone());
    let at = |day: NaiveDate, hour: i64| (start_of_civil_day(day) + Duration::hours(hour)).min(now);
    let fail = |e: crate::ops::Error| anyhow::anyhow!("demo stars: {}", e.message_zh());

    clock.set(at(NaiveDate::from_ymd_opt(this_month.year, 1, 2).expect("2 January"), 9));
    ops::save_rules(&past, &office, this_month.year, &StarRules::standard().to_input(), 0)
        .await
        .map_err(fail)?;

    let filter = PeopleFilter { page: 1, page_size: 5000, ..PeopleFilter::default() };
    let people: Vec<_> = state
        .db
        .people(&Visibility::All, &filter, today)
        .await?
        .rows
        .into_iter()
        .filter(|p| p.active)
        .collect();
    let mut leaders = Vec::new();
    for n in 1..=8 {
        if let Ok(actor) = super::demo_actor(&state.db, &format!("squadlead{n:02}")).await {
            leaders.push(actor);
        }
    }
    let units = state.db.units().await?;
    let mut month = first;
    let mut published = 0;
    loop {
        let day = |d: u32| NaiveDate::from_ymd_opt(month.year, month.month, d).expect("a day").min(today);
        // The office's entries: a few people each month, different ones each month.
        let kinds = [
            ("commendation", "市局通报表扬", "区城管〔通报〕"),
            ("attendance", "早班迟到", "考勤记录"),
            ("commendation", "群众来信表扬", "表扬信登记"),
            ("attendance", "无故缺勤半日", "考勤记录"),
        ];
        for (k, (factor, note, basis)) in kinds.iter().enumerate() {
            let person = &people[(month.month as usize * 7 + k * 13) % people.len()];
            let on = day(6 + k as u32 * 5);
            clock.set(at(on, 17));
            let entry = StarEntryInput {
                person_id: person.id.clone(),
                factor: (*factor).to_owned(),
                on: on.to_string(),
                items: 1,
                basis: format!("{basis}{}-{:02}", month.year, month.month),
                note: (*note).to_owned(),
            };
            ops::record_entry(&past, &office, &entry).await.map_err(fail)?;
        }
        if month.month % 4 == 0 {
            let person = &people[(month.month as usize * 11) % people.len()];
            let on = day(20);
            clock.set(at(on, 17));
            let complaint = StarEntryInput {
                person_id: person.id.clone(),
                factor: if month.month == 8 { "discipline" } else { "complaint" }.to_owned(),
                on: on.to_string(),
                items: 1,
                basis: format!("督察通报{}-{:02}", month.year, month.month),
                note: "执法时未全程开启执法记录仪，经核实属实".to_owned(),
            };
            ops::record_entry(&past, &office, &complaint).await.map_err(fail)?;
        }
        // Each squad leader scores the squad's people near the month's end.
        let scored_on = day(26);
        clock.set(at(scored_on, 10));
        for leader in &leaders {
            let visibility = leader.visibility(crate::domain::access::Action::StarLeaderScore);
            for (i, person) in people
                .iter()
                .filter(|p| crate::ops::people::unit_visible(&units, &visibility, &p.unit_id))
                .filter(|p| leader.person_id.as_deref() != Some(p.id.as_str()))
                .enumerate()
            {
                let score = 10 + (i + month.month as usize) % 6;
                let input = LeaderScoreInput {
                    person_id: person.id.clone(),
                    month: format!("{:04}-{:02}", month.year, month.month),
                    score: score.to_string(),
                    note: if score >= 14 { "工作主动，群众评价好" } else { "完成本职工作" }.to_owned(),
                };
                ops::leader_score(&past, leader, &input).await.map_err(fail)?;
            }
        }
        if month == this_month {
            break;
        }
        // Published on the first day of the next month.
        let publish_on = month.next().first_day();
        if publish_on <= today {
            clock.set(at(publish_on, 9));
            ops::publish(&past, &office, month).await.map_err(fail)?;
            published += 1;
        }
        month = month.next();
    }

    // Two appeals on the last published month: one upheld, one dismissed.
    let last = this_month.previous();
    let publish_on = this_month.first_day();
    if publish_on <= today {
        let appeal_on = (publish_on + Duration::days(1)).min(today);
        for (username, upheld) in [("officer01", true), ("officer05", false)] {
            let actor = super::demo_actor(&state.db, username).await?;
            clock.set(at(appeal_on, 11));
            let reason = if upheld {
                "本月两次参加夜间专项整治，学习日因执勤补学未计入，请复核。"
            } else {
                "认为考勤扣分过重。"
            };
            let id = ops::appeal(&past, &actor, last, &AppealInput { reason: reason.to_owned() })
                .await
                .map_err(fail)?;
            let before = state.db.star_appeal(&id).await?.map_or(3, |a| a.stars_before);
            clock.set(at(appeal_on, 16));
            let answer = AppealAnswerInput {
                outcome: if upheld { "upheld" } else { "dismissed" }.to_owned(),
                stars: upheld.then_some(if before < 5 { before + 1 } else { before - 1 }),
                answer: if upheld {
                    "经核实补学记录，改评。".to_owned()
                } else {
                    "考勤记录属实，维持原评定。".to_owned()
                },
            };
            ops::answer_appeal(&past, &office, &id, &answer).await.map_err(fail)?;
        }
    }
    Ok(published)
}
