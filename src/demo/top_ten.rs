//! The demo's 十佳 round: the year of last month, opened five days ago with fewer places than
//! nominations, nominated by each squad leader from the squad (the squad, two officers, two
//! auxiliaries: the first eligible ones) and by the office (the squad leaders), scored by a
//! panel of five (two squad leaders, who abstain for their own squads), closed yesterday and
//! published today, so that the result list, the public page and the notice show something
//! real. Through `ops::top_ten` on a manual clock, relative to today.

use std::sync::Arc;

use chrono::{Datelike, Duration};

use crate::app::AppState;
use crate::clock::ManualClock;
use crate::domain::time::civil_date;
use crate::domain::top_ten::{Category, NominationInput, ScoreInput, Settings, TopTenNoticeInput};
use crate::domain::training::Month;
use crate::ops::top_ten::{self as ops, StepInput};

/// What each category's nominee did, by category (the demo's 主要事迹).
fn deeds(category: Category, name: &str) -> String {
    match category {
        Category::Squad => {
            format!("{name}全年按期办结案件，学习日全员达标，辖区市容秩序明显改善，群众满意度位居前列。")
        }
        Category::SquadLeader => {
            format!("{name}同志带队严格规范公正文明执法，组织中队完成专项整治任务，所带中队考核成绩突出。")
        }
        Category::Officer => {
            format!("{name}同志坚持721工作法，服务在先、执法在后，全年无有效投诉，多次受到群众来信表扬。")
        }
        Category::Auxiliary => {
            format!("{name}同志巡查到位、劝导耐心，协助处置突发事件，积极参加学习日，表现突出。")
        }
    }
}

/// Builds the round once (nothing when the year has one). Answers the nominations made.
pub async fn seed_top_ten(state: &AppState) -> anyhow::Result<usize> {
    let now = state.now();
    let today = civil_date(now);
    let year = Month::of(today).previous().year;
    if state.db.top_ten_round(year).await?.is_some() {
        return Ok(0);
    }
    let office = super::demo_actor(&state.db, "office01").await?;
    let clock = ManualClock::new(now);
    let mut past = state.clone();
    past.clock = Arc::new(clock.clone());
    let fail = |e: crate::ops::Error| anyhow::anyhow!("demo 十佳: {}", e.message_zh());
    let at = |days_ago: i64, hour: i64| {
        let day = today - Duration::days(days_ago);
        (crate::domain::time::start_of_civil_day(day) + Duration::hours(hour)).min(now)
    };

    let mut panel = Vec::new();
    for name in ["leader01", "leader02", "office01", "squadlead01", "squadlead02"] {
        panel.push(super::demo_actor(&state.db, name).await?);
    }
    let mut settings = Settings::standard();
    for c in &mut settings.categories {
        c.places = match c.category {
            Category::Squad | Category::SquadLeader => 3,
            _ => 10,
        };
    }
    settings.panel = panel.iter().map(|a| a.account_id.clone()).collect();
    clock.set(at(5, 9));
    ops::save_settings(&past, &office, year, &settings.to_input(), 0).await.map_err(fail)?;

    let mut made = 0;
    let nominate = |actor: crate::ops::Actor, category: Category, take: usize| {
        let past = past.clone();
        async move {
            let mut n = 0;
            for c in ops::candidates(&past, &actor, year, category).await? {
                if n == take {
                    break;
                }
                if !c.broken.is_empty()
                    || c.nominated
                    || actor.person_id.as_deref() == Some(c.subject.as_str())
                {
                    continue;
                }
                let input = NominationInput {
                    category: category.code().to_owned(),
                    subject: c.subject.clone(),
                    deeds: deeds(category, &c.name),
                };
                ops::nominate(&past, &actor, year, &input).await?;
                n += 1;
            }
            Ok::<usize, crate::ops::Error>(n)
        }
    };
    clock.set(at(4, 10));
    for n in 1..=8 {
        let Ok(leader) = super::demo_actor(&state.db, &format!("squadlead{n:02}")).await else { continue };
        made += nominate(leader.clone(), Category::Squad, 1).await.map_err(fail)?;
        made += nominate(leader.clone(), Category::Officer, 2).await.map_err(fail)?;
        made += nominate(leader, Category::Auxiliary, 2).await.map_err(fail)?;
    }
    clock.set(at(3, 15));
    made += nominate(office.clone(), Category::SquadLeader, 6).await.map_err(fail)?;

    clock.set(at(3, 17));
    let round = ops::round(&past, &office, year).await.map_err(fail)?;
    let step =
        |step: &str, version: i64| StepInput { step: step.to_owned(), version, ..StepInput::default() };
    let version =
        ops::step(&past, &office, year, &step("start_scoring", round.version)).await.map_err(fail)?;

    // Each member scores what they may, between 70 and 98, differently for each nomination.
    for (i, member) in panel.iter().enumerate() {
        clock.set(at(2, 9 + i as i64));
        let view = ops::round(&past, member, year).await.map_err(fail)?;
        for (j, n) in view.nominations.iter().enumerate().filter(|(_, n)| n.may_score) {
            let score = 70 + (i * 7 + j * 13 + j * j) % 29;
            let input = ScoreInput {
                nomination_id: n.id.clone(),
                score: format!("{score}.{}", (i + j) % 10),
                note: String::new(),
            };
            ops::score(&past, member, year, &input).await.map_err(fail)?;
        }
    }
    clock.set(at(1, 16));
    let version = ops::step(&past, &office, year, &step("close", version)).await.map_err(fail)?;
    clock.set(at(0, 9));
    let published_year = today.year();
    let publish = StepInput {
        notice: TopTenNoticeInput {
            number: format!("钟城管〔{published_year}〕{}号", 40 + today.ordinal() % 50),
            body: format!(
                "{year}年，全局干部职工围绕规范化建设目标，严格规范公正文明执法，涌现出一批先进集体和个人。\
                 经各中队推荐、局评审组评审，局务会研究，决定对以下先进集体和个人予以通报表彰。"
            ),
        },
        ..step("publish", version)
    };
    ops::step(&past, &office, year, &publish).await.map_err(fail)?;
    Ok(made)
}
