//! The public's way in (issue 17): a report form anyone can fill on a phone, without an
//! account, and a lookup by number that shows only a matter's state and the notes the centre
//! wrote for the public — the same projection Open311 answers (`ops::open311`). Reports are
//! rate-limited per address.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;

use crate::app::AppState;
use crate::domain::fields::FieldErrors;
use crate::domain::intake::{Category, ReportInput, Source};
use crate::ops::intake::{Filer, file_matter};
use crate::ops::open311::{ServiceRequest, notice, public_classes, request};
use crate::web::error::{AppError, PageResult};
use crate::web::guard::RequestInfo;
use crate::web::pages::{Lang, render_status};

#[derive(Template)]
#[template(path = "public_report.html")]
struct ReportPage {
    l: Lang,
    categories: Vec<Category>,
    input: ReportInput,
    errors: FieldErrors,
    filed: Option<String>,
    notice: String,
    refused: Option<String>,
}

pub async fn report_page(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let page = ReportPage {
        l: Lang::from_headers(&headers),
        categories: public_classes(&state).await?,
        input: ReportInput::default(),
        errors: FieldErrors::default(),
        filed: None,
        notice: String::new(),
        refused: None,
    };
    render_status(&page, StatusCode::OK)
}

pub async fn report_form(
    State(state): State<AppState>,
    axum::Extension(info): axum::Extension<RequestInfo>,
    headers: HeaderMap,
    Form(input): Form<ReportInput>,
) -> PageResult {
    let l = Lang::from_headers(&headers);
    let categories = public_classes(&state).await?;
    let address: std::net::IpAddr = info.source.parse().unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]));
    let mut page = ReportPage {
        l,
        categories,
        input: ReportInput::default(),
        errors: FieldErrors::default(),
        filed: None,
        notice: String::new(),
        refused: None,
    };
    // The public fills in the class, the words and the place; urgency is the centre's call.
    let input = ReportInput {
        urgency: String::new(),
        lat: String::new(),
        long: String::new(),
        media_url: String::new(),
        ..input
    };
    if !state.public_limiter.allow(address, state.now()) {
        page.input = input;
        page.refused = Some(AppError::RateLimited.message_zh());
        return render_status(&page, StatusCode::TOO_MANY_REQUESTS);
    }
    let filer = Filer::Public {
        source: Source::WebForm,
        client: "",
        address: &info.source,
        request_id: &info.request_id,
    };
    match file_matter(&state, filer, &input).await {
        Ok(matter) => {
            page.notice = notice(page.categories.iter().find(|c| c.code == matter.category));
            page.filed = Some(matter.number);
            render_status(&page, StatusCode::OK)
        }
        Err(AppError::Invalid(errors)) => {
            page.input = input;
            page.errors = errors;
            render_status(&page, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(error) => Err(error.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LookupQuery {
    number: String,
}

#[derive(Template)]
#[template(path = "public_matter.html")]
struct LookupPage {
    l: Lang,
    number: String,
    found: Option<ServiceRequest>,
}

pub async fn lookup_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<LookupQuery>,
) -> PageResult {
    let number: String = query.number.trim().chars().take(20).collect();
    let found = if number.is_empty() { None } else { request(&state, &number).await.ok() };
    let status = if number.is_empty() || found.is_some() { StatusCode::OK } else { StatusCode::NOT_FOUND };
    render_status(&LookupPage { l: Lang::from_headers(&headers), number, found }, status)
}
