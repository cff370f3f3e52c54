//! Reference data read from memory: the working-day calendar, the province's case rules, the
//! responsibility list with its categories, the security policy and the unit tree.
//!
//! Every request used to load them: a case read spent most of its time reading thousands of
//! calendar rows. They change a few times a year, so each `Db` handle (each instance) keeps a
//! copy, tagged with the database's `reference_generation`, which triggers on those tables bump
//! in the changing transaction (migration 0021). A read compares the generation at most every
//! [`REFERENCE_CHECK_MILLISECONDS`] and after any write through this handle, and drops the copy
//! when it moved; so a change made on one instance is seen by the others within a second, and
//! by the instance that made it at once.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use super::cases::{Category, Item};
use super::org::Unit;
use super::{Db, on_pool};
use crate::clock::{SharedClock, SystemClock};
use crate::domain::calendar::WorkCalendar;
use crate::domain::case::rules::CaseRules;
use crate::domain::security::SecurityPolicy;

/// How stale another instance's change may be seen here: the generation is compared at most
/// this often. Half of the one second `security-and-reliability.md` allows for a disabled
/// account or a changed policy to take effect everywhere.
pub const REFERENCE_CHECK_MILLISECONDS: i64 = 500;

/// One handle's copy of the reference data, and when it was last compared.
#[derive(Debug)]
pub struct ReferenceCache {
    clock: Mutex<SharedClock>,
    state: Mutex<State>,
}

impl Default for ReferenceCache {
    fn default() -> Self {
        ReferenceCache { clock: Mutex::new(Arc::new(SystemClock)), state: Mutex::default() }
    }
}

#[derive(Debug, Default)]
struct State {
    /// The database generation `entries` belong to.
    generation: Option<i64>,
    /// Bumped whenever `entries` are dropped, so that a load that began before cannot store
    /// what it read under the newer generation.
    epoch: u64,
    checked_at: Option<DateTime<Utc>>,
    /// Commits through this handle, and how many had happened when the generation was last read:
    /// a difference means this instance may have changed the data itself.
    writes: u64,
    writes_checked: u64,
    entries: Entries,
}

#[derive(Debug, Default, Clone)]
struct Entries {
    calendar: Option<Arc<WorkCalendar>>,
    rules: Option<(CaseRules, i64)>,
    policy: Option<(SecurityPolicy, i64)>,
    categories: Option<Arc<Vec<Category>>>,
    items: Option<Arc<Vec<Item>>>,
    units: Option<Arc<Vec<Unit>>>,
}

impl ReferenceCache {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("the reference cache lock is never poisoned")
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.lock().expect("the reference clock lock is never poisoned").now()
    }

    /// Notes a commit through this handle: the next read compares the generation.
    pub(crate) fn written(&self) {
        self.state().writes += 1;
    }
}

impl Db {
    /// The clock the reference cache measures its check interval with (the server's injected
    /// clock; a manual one in tests).
    pub fn use_clock(&self, clock: SharedClock) {
        *self.reference.clock.lock().expect("the reference clock lock is never poisoned") = clock;
    }

    /// Compares the database's generation if it is time to, dropping the copy if it moved.
    async fn reference_checked(&self) -> Result<(), sqlx::Error> {
        let now = self.reference.now();
        let writes = {
            let state = self.reference.state();
            let recent = state.checked_at.is_some_and(|at| {
                let age = (now - at).num_milliseconds();
                (0..REFERENCE_CHECK_MILLISECONDS).contains(&age)
            });
            if recent && state.writes == state.writes_checked {
                return Ok(());
            }
            state.writes
        };
        let generation: i64 = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT generation FROM reference_generation WHERE id = 1")
                .fetch_one(pool)
                .await?
        });
        let mut state = self.reference.state();
        if state.generation != Some(generation) {
            state.generation = Some(generation);
            state.epoch += 1;
            state.entries = Entries::default();
        }
        state.checked_at = Some(now);
        state.writes_checked = state.writes_checked.max(writes);
        Ok(())
    }

    /// The entry `slot` selects, from memory, or loaded by `load` and kept.
    async fn reference<T: Clone>(
        &self,
        slot: fn(&mut Entries) -> &mut Option<T>,
        load: impl Future<Output = Result<T, sqlx::Error>>,
    ) -> Result<T, sqlx::Error> {
        self.reference_checked().await?;
        let epoch = {
            let mut state = self.reference.state();
            if let Some(value) = slot(&mut state.entries) {
                return Ok(value.clone());
            }
            state.epoch
        };
        let value = load.await?;
        let mut state = self.reference.state();
        if state.epoch == epoch {
            *slot(&mut state.entries) = Some(value.clone());
        }
        Ok(value)
    }

    /// The working-day calendar over every loaded year.
    pub async fn work_calendar(&self) -> Result<Arc<WorkCalendar>, sqlx::Error> {
        self.reference(|e| &mut e.calendar, async { self.load_work_calendar().await.map(Arc::new) }).await
    }

    /// The active province's rules with their version; the shipped 江苏 defaults (version 0)
    /// until an administrator saves a row.
    pub async fn case_rules(&self) -> Result<(CaseRules, i64), sqlx::Error> {
        self.reference(|e| &mut e.rules, self.load_case_rules()).await
    }

    /// The security policy with its version.
    pub async fn security_policy(&self) -> Result<(SecurityPolicy, i64), sqlx::Error> {
        self.reference(|e| &mut e.policy, self.load_security_policy()).await
    }

    /// The case categories in the list's order.
    pub async fn case_categories(&self) -> Result<Vec<Category>, sqlx::Error> {
        let categories = self
            .reference(|e| &mut e.categories, async { self.load_case_categories().await.map(Arc::new) })
            .await?;
        Ok(categories.to_vec())
    }

    /// Every item of the responsibility list, retired ones included, in the list's order.
    pub async fn all_enforcement_items(&self) -> Result<Vec<Item>, sqlx::Error> {
        Ok(self.items().await?.to_vec())
    }

    async fn items(&self) -> Result<Arc<Vec<Item>>, sqlx::Error> {
        self.reference(|e| &mut e.items, async { self.load_enforcement_items().await.map(Arc::new) }).await
    }

    /// The items new cases may use, in the list's order.
    pub async fn enforcement_items(&self) -> Result<Vec<Item>, sqlx::Error> {
        Ok(self.items().await?.iter().filter(|i| i.active).cloned().collect())
    }

    /// One item of the responsibility list, retired or not.
    pub async fn enforcement_item(&self, code: &str) -> Result<Option<Item>, sqlx::Error> {
        Ok(self.items().await?.iter().find(|i| i.code == code).cloned())
    }

    /// The unit tree, in display order.
    pub async fn units(&self) -> Result<Vec<Unit>, sqlx::Error> {
        Ok(self.reference(|e| &mut e.units, async { self.load_units().await.map(Arc::new) }).await?.to_vec())
    }
}
