//! The demo's publication register: every decided penalty older than three weeks issued and
//! published through `ops::disclosure` on a manual clock, two working days after its decision; one
//! of them revoked on 复议 and withdrawn the working day after the ruling; the latest, decided 12 days ago,
//! issued but left unpublished, so that the register and the 工作台 show an overdue clock; and
//! last year's figures published on 20 January.

use std::sync::Arc;

use chrono::Duration;

use crate::app::AppState;
use crate::clock::ManualClock;
use crate::domain::case::documents::DocKind;
use crate::domain::disclosure::{DisclosureState, RulingInput, WithdrawInput};
use crate::domain::time::{civil_date, start_of_civil_day};
use crate::ops::disclosure as ops;
use crate::store::disclosure::DisclosureFilter;
use crate::store::org::Visibility;

/// Publishes the demo's decisions once (nothing when any is published). Answers how many.
pub async fn seed_disclosure(state: &AppState) -> anyhow::Result<usize> {
    let published =
        DisclosureFilter { state: Some(DisclosureState::Published), limit: 1, ..Default::default() };
    if state.db.disclosures(&Visibility::All, &published).await?.1 > 0 {
        return Ok(0);
    }
    let pending =
        DisclosureFilter { state: Some(DisclosureState::Pending), limit: 500, ..Default::default() };
    let (mut entries, _) = state.db.disclosures(&Visibility::All, &pending).await?;
    entries.sort_by_key(|e| e.decided_on);
    let now = state.now();
    let today = civil_date(now);
    let office = super::demo_actor(&state.db, "office01").await?;
    let squad = super::demo_actor(&state.db, "squadlead01").await?;
    let clock = ManualClock::new(now);
    let mut past = state.clone();
    past.clock = Arc::new(clock.clone());
    let at = |day: chrono::NaiveDate, hour: i64| (start_of_civil_day(day) + Duration::hours(hour)).min(now);
    let calendar = state.db.work_calendar().await?;
    // A working day `n` after `day` (the day itself where the year is not loaded).
    let workday = |day: chrono::NaiveDate, n: u32| calendar.add_workdays(day, n).unwrap_or(day);
    let fail =
        |what: &'static str| move |e: crate::ops::Error| anyhow::anyhow!("demo {what}: {}", e.message_zh());
    // The one revoked: the entry decided closest to a hundred days ago.
    let revoked =
        entries.iter().min_by_key(|e| ((today - e.decided_on).num_days() - 100).abs()).map(|e| e.id.clone());
    let mut made = 0;
    for entry in entries {
        let age = (today - entry.decided_on).num_days();
        if age < 7 {
            continue;
        }
        clock.set(at(entry.decided_on + Duration::days(1), 10));
        if let Err(error) =
            crate::ops::documents::issue(&past, &squad, &entry.case_id, DocKind::PenaltyDecision, "").await
        {
            // Left pending: the register shows it waiting for its document, as a real one would.
            tracing::warn!(case = %entry.case_number, error = %error.message_zh(), "demo decision document skipped");
            continue;
        }
        if age < 21 {
            continue;
        }
        clock.set(at(workday(entry.decided_on, 2), 15));
        let view = ops::entry(&past, &office, &entry.id, false).await.map_err(fail("draft"))?;
        let Some(draft) = view.draft else { continue };
        let version = ops::publish(&past, &office, &entry.id, entry.version, &draft.redacted.text)
            .await
            .map_err(fail("publication"))?;
        made += 1;
        if revoked.as_deref() == Some(entry.id.as_str()) {
            let ruled_on = workday(entry.decided_on, 30);
            clock.set(at(ruled_on, 11));
            let ruling = RulingInput {
                ground: "revoked".to_owned(),
                body: crate::demo::DEMO_RECONSIDERATION_BODY.to_owned(),
                on: ruled_on.to_string(),
            };
            let version = ops::record_ruling(&past, &office, &entry.id, version, &ruling)
                .await
                .map_err(fail("ruling"))?;
            clock.set(at(workday(ruled_on, 1), 9));
            let note = WithdrawInput {
                note: "该处罚决定经行政复议被撤销，现撤回公开。".to_owned()
            };
            ops::withdraw(&past, &office, &entry.id, version, &note).await.map_err(fail("withdrawal"))?;
        }
    }
    // Last year's figures, published on 20 January as the office would.
    let last_year = chrono::Datelike::year(&today) - 1;
    if let Some(on) = chrono::NaiveDate::from_ymd_opt(last_year + 1, 1, 20).filter(|on| *on < today) {
        clock.set(at(on, 10));
        ops::publish_figures(&past, &office, last_year).await.map_err(fail("figures"))?;
    }
    Ok(made)
}
