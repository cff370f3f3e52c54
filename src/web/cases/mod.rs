//! Cases: the list, opening a lead or an on-the-spot decision, the case page with its clocks
//! and timeline, each step of the procedure, the deadline lists, and the responsibility list.
//!
//! Opening a case and every step go through `ops::cases` ([`open_case`], [`take_step`]); this
//! module parses the forms and bodies into their input and renders the answers. One file per
//! screen (`list`, `new`, `detail`, `deadlines`, `responsibility`, `documents`), the step form's
//! reshaping (`form`) and the JSON side (`api`); what several of them use is here.

mod api;
mod deadlines;
mod detail;
pub mod documents;
mod form;
mod list;
mod new;
mod responsibility;

pub use api::*;
pub use deadlines::*;
pub use detail::*;
pub use form::StepForm;
pub use list::*;
pub use new::*;
pub use responsibility::*;

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::app::AppState;
use crate::domain::access::Action;
use crate::domain::case::clocks::{Clock, ClockKind, ClockStatus, Due, clocks};
use crate::domain::case::items::ApplicableRange;
use crate::domain::case::rules::{CaseRules, yuan};
use crate::domain::case::{
    Case, CommandKind, CompulsoryMeasure, Hearing, Procedure, REVIEW_CHECKLIST, Stage, command_name_zh,
    offered_steps,
};
use crate::domain::fields::FieldErrors;
use crate::domain::time::civil_date;
use crate::ops::cases::{
    OpenInput, SOURCES, applicable_fine, open_case, source_name, take_step, unit_in_scope,
};
use crate::store::cases::{CaseFilter, CaseRecord, Category, DueClock, Item, TimelineEntry};
use crate::store::org::{PeopleFilter, Visibility};
use crate::web::error::{AppError, PageResult};
use crate::web::guard::{Caller, Principal};
use crate::web::pages::{Chrome, Lang, Pager, page_number, page_size, render, render_status};

/// A clock as shown.
pub struct ClockView {
    pub name: &'static str,
    pub basis: &'static str,
    pub start: NaiveDate,
    pub due: String,
    pub note: String,
    pub status: ClockStatus,
    pub duty: bool,
}

impl ClockView {
    fn new(clock: &Clock, today: NaiveDate) -> ClockView {
        let (due, note) = match clock.due {
            Due::Known { on } => (on.to_string(), String::new()),
            Due::Provisional { not_before, year } => (
                format!("≥ {not_before}"),
                format!("{year} 年节假日安排未录入，暂按最早可能日期提醒；录入后自动重算"),
            ),
        };
        ClockView {
            name: clock.kind.name_zh(),
            basis: clock.kind.basis(),
            start: clock.start,
            due,
            note,
            status: clock.status(today),
            duty: clock.kind.is_duty(),
        }
    }
}

fn category_name(categories: &[Category], code: &str) -> String {
    categories.iter().find(|c| c.code == code).map_or_else(|| code.to_owned(), |c| c.name.clone())
}

fn visibility(principal: &Principal) -> Visibility {
    principal.visibility(Action::CaseView)
}

/// Officers with a valid certificate today, as (id, "name · unit") for selects.
async fn officer_options(state: &AppState) -> Result<Vec<(String, String)>, AppError> {
    let filter = PeopleFilter {
        employment: "officer".into(),
        certificate: "valid".into(),
        page: 1,
        page_size: 500,
        ..Default::default()
    };
    let page = state.db.people(&Visibility::All, &filter, civil_date(state.now())).await?;
    Ok(page.rows.into_iter().map(|p| (p.id, format!("{} · {}", p.name, p.unit_name))).collect())
}
