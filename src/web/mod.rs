//! Everything HTTP: the route table, the guard every request passes, pages and the JSON API.
//!
//! [`routes`] is the one list of endpoints. Each names the [`Access`] it needs; the guard
//! middleware looks the matched route up in that list and denies anything the permission table
//! does not allow, so a route without a policy cannot exist. Handlers live in one file per
//! resource, HTML and JSON side by side, sharing the lines that do the work.

pub mod accounts;
pub mod api_docs;
pub mod assessment;
pub mod assets;
pub mod audit;
pub mod body;
pub mod calendar;
pub mod case_rules;
pub mod cases;
pub mod common;
pub mod counselling;
pub mod disclosure;
pub mod error;
pub mod evidence;
pub mod fieldwork;
pub mod guard;
pub mod home;
pub mod intake;
pub mod items;
pub mod joint;
pub mod legal_help;
pub mod login;
pub mod matter_indicators;
pub mod new_sites;
pub mod open311;
pub mod pages;
pub mod parties;
pub mod people;
pub mod portal;
pub mod public_intake;
pub mod publicity;
pub mod schema;
pub mod security;
pub mod simulator;
pub mod special_care;
pub mod stars;
pub mod supervision;
pub mod talks;
pub mod top_ten;
pub mod training;
pub mod training_plan;
pub mod training_report;
pub mod vending;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, Method, header};
use axum::routing::{MethodRouter, delete, get, post, put};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::app::AppState;
use crate::domain::access::Action;

pub use guard::Principal;

/// Whether a path is the JSON API, answered in the error model, rather than a page. The Swagger
/// UI sits under `/api/` by its address only: it is a page for people.
pub fn is_api_path(path: &str) -> bool {
    path.starts_with("/api/") && !path.starts_with("/api/docs")
}

/// What a route needs from the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// A session whose password was accepted but whose second factor is still due.
    SecondFactor,
    /// A signed-in user whose roles allow the action.
    Allowed(Action),
}

/// One endpoint: method, path, what it needs, and its handler.
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub handler: MethodRouter<AppState>,
}

fn route(method: Method, path: &'static str, access: Access, handler: MethodRouter<AppState>) -> RouteSpec {
    RouteSpec { method, path, access, handler }
}

/// Every endpoint of the application, with the evidence upload routes limited to the default
/// size (the server passes the configured one to [`routes_with`]).
pub fn routes() -> Vec<RouteSpec> {
    routes_with(crate::config::Config::default().evidence_max_bytes)
}

/// Every endpoint, the upload routes taking bodies up to `upload_limit` bytes.
pub fn routes_with(upload_limit: u64) -> Vec<RouteSpec> {
    use Access::{Allowed as A, Public, SecondFactor};
    use Action as X;
    let g = Method::GET;
    let p = Method::POST;
    vec![
        route(g.clone(), "/healthz", Public, get(home::healthz)),
        route(g.clone(), "/static/{*path}", Public, get(assets::serve)),
        route(g.clone(), "/readyz", Public, get(home::readyz)),
        route(g.clone(), "/lang/{lang}", Public, get(home::switch_language)),
        route(g.clone(), "/public/report", Public, get(public_intake::report_page)),
        route(p.clone(), "/public/report", Public, post(public_intake::report_form)),
        route(g.clone(), "/public/matters", Public, get(public_intake::lookup_page)),
        route(g.clone(), "/public", Public, get(portal::index)),
        route(g.clone(), "/public/items", Public, get(portal::items)),
        route(g.clone(), "/public/items/{code}", Public, get(portal::item)),
        route(g.clone(), "/public/procedures", Public, get(portal::procedures)),
        route(g.clone(), "/public/officers", Public, get(portal::officers)),
        route(g.clone(), "/public/decisions", Public, get(portal::decisions)),
        route(g.clone(), "/public/decisions/{id}", Public, get(portal::decision)),
        route(g.clone(), "/public/figures", Public, get(portal::figures)),
        route(g.clone(), "/public/notice.pdf", Public, get(portal::notice)),
        route(g.clone(), "/public/vending-points", Public, get(portal::vending_points)),
        route(g.clone(), "/public/top-ten", Public, get(portal::top_ten)),
        route(g.clone(), "/public/top-ten/{year}/notice.pdf", Public, get(portal::top_ten_notice)),
        route(g.clone(), "/disclosures", A(X::DisclosureView), get(disclosure::register_page)),
        route(g.clone(), "/disclosures/figures", A(X::DisclosureView), get(disclosure::figures_page)),
        route(
            p.clone(),
            "/disclosures/figures/{year}/publish",
            A(X::DisclosurePublish),
            post(disclosure::publish_figures_form),
        ),
        route(g.clone(), "/api/v1/annual-figures", A(X::DisclosureView), get(disclosure::api_figures)),
        route(
            p.clone(),
            "/api/v1/annual-figures/{year}/publish",
            A(X::DisclosurePublish),
            post(disclosure::api_publish_figures),
        ),
        route(g.clone(), "/disclosures/{id}", A(X::DisclosureView), get(disclosure::entry_page)),
        route(
            p.clone(),
            "/disclosures/{id}/publish",
            A(X::DisclosurePublish),
            post(disclosure::publish_form),
        ),
        route(
            p.clone(),
            "/disclosures/{id}/withhold",
            A(X::DisclosurePublish),
            post(disclosure::withhold_form),
        ),
        route(p.clone(), "/disclosures/{id}/ruling", A(X::DisclosurePublish), post(disclosure::ruling_form)),
        route(
            p.clone(),
            "/disclosures/{id}/withdraw",
            A(X::DisclosurePublish),
            post(disclosure::withdraw_form),
        ),
        route(g.clone(), "/assessment", A(X::AssessmentView), get(assessment::ranking_page)),
        route(g.clone(), "/assessment/export", A(X::AssessmentView), get(assessment::export)),
        route(p.clone(), "/assessment/publish", A(X::AssessmentManage), post(assessment::publish_form)),
        route(g.clone(), "/assessment/squads/{id}", A(X::AssessmentView), get(assessment::squad_page)),
        route(p.clone(), "/assessment/entries", A(X::AssessmentManage), post(assessment::entry_form)),
        route(
            p.clone(),
            "/assessment/corrections",
            A(X::AssessmentManage),
            post(assessment::correction_form),
        ),
        route(g.clone(), "/assessment/schemes/{year}", A(X::AssessmentView), get(assessment::scheme_page)),
        route(p.clone(), "/assessment/schemes/{year}", A(X::AssessmentManage), post(assessment::total_form)),
        route(
            p.clone(),
            "/assessment/schemes/{year}/indicators",
            A(X::AssessmentManage),
            post(assessment::indicator_form),
        ),
        route(
            p.clone(),
            "/assessment/schemes/{year}/indicators/{id}/remove",
            A(X::AssessmentManage),
            post(assessment::remove_form),
        ),
        route(
            p.clone(),
            "/assessment/schemes/{year}/adopt",
            A(X::AssessmentManage),
            post(assessment::adopt_form),
        ),
        route(g.clone(), "/api/v1/assessment/results", A(X::AssessmentView), get(assessment::api_results)),
        route(
            g.clone(),
            "/api/v1/assessment/schemes/{year}",
            A(X::AssessmentView),
            get(assessment::api_scheme),
        ),
        route(
            Method::PUT,
            "/api/v1/assessment/schemes/{year}",
            A(X::AssessmentManage),
            put(assessment::api_save_scheme),
        ),
        route(
            p.clone(),
            "/api/v1/assessment/schemes/{year}/indicators",
            A(X::AssessmentManage),
            post(assessment::api_add_indicator),
        ),
        route(
            Method::DELETE,
            "/api/v1/assessment/schemes/{year}/indicators/{id}",
            A(X::AssessmentManage),
            delete(assessment::api_remove_indicator),
        ),
        route(
            p.clone(),
            "/api/v1/assessment/schemes/{year}/adopt",
            A(X::AssessmentManage),
            post(assessment::api_adopt),
        ),
        route(g.clone(), "/api/v1/assessment/entries", A(X::AssessmentView), get(assessment::api_entries)),
        route(
            p.clone(),
            "/api/v1/assessment/entries",
            A(X::AssessmentManage),
            post(assessment::api_record_entry),
        ),
        route(
            p.clone(),
            "/api/v1/assessment/publications",
            A(X::AssessmentManage),
            post(assessment::api_publish),
        ),
        route(
            p.clone(),
            "/api/v1/assessment/corrections",
            A(X::AssessmentManage),
            post(assessment::api_correct),
        ),
        route(g.clone(), "/counselling", A(X::CounsellingCounts), get(counselling::counts_page)),
        route(g.clone(), "/counselling/export", A(X::CounsellingCounts), get(counselling::export)),
        route(g.clone(), "/counselling/mine", A(X::SelfService), get(counselling::mine_page)),
        route(g.clone(), "/counselling/sessions/{id}", A(X::SelfService), get(counselling::session_page)),
        route(p.clone(), "/counselling/sessions", A(X::CounsellingRecord), post(counselling::session_form)),
        route(p.clone(), "/counselling/stations", A(X::CounsellingRecord), post(counselling::station_form)),
        route(p.clone(), "/counselling/plan", A(X::CounsellingRecord), post(counselling::plan_form)),
        route(g.clone(), "/api/v1/counselling/counts", A(X::CounsellingCounts), get(counselling::api_counts)),
        route(g.clone(), "/api/v1/counselling/sessions", A(X::SelfService), get(counselling::api_mine)),
        route(
            p.clone(),
            "/api/v1/counselling/sessions",
            A(X::CounsellingRecord),
            post(counselling::api_record),
        ),
        route(
            g.clone(),
            "/api/v1/counselling/sessions/{id}",
            A(X::SelfService),
            get(counselling::api_session),
        ),
        route(
            g.clone(),
            "/api/v1/counselling/stations",
            A(X::CounsellingCounts),
            get(counselling::api_stations),
        ),
        route(
            p.clone(),
            "/api/v1/counselling/stations",
            A(X::CounsellingRecord),
            post(counselling::api_add_station),
        ),
        route(g.clone(), "/stars", A(X::StarView), get(stars::ratings_page)),
        route(g.clone(), "/stars/export", A(X::StarView), get(stars::export)),
        route(g.clone(), "/stars/mine", A(X::SelfService), get(stars::mine_page)),
        route(g.clone(), "/stars/people/{id}", A(X::StarView), get(stars::person_page)),
        route(g.clone(), "/stars/rules/{year}", A(X::StarView), get(stars::rules_page)),
        route(p.clone(), "/stars/rules/{year}", A(X::StarManage), post(stars::rules_form)),
        route(p.clone(), "/stars/entries", A(X::StarManage), post(stars::entry_form)),
        route(p.clone(), "/stars/leader-scores", A(X::StarLeaderScore), post(stars::score_form)),
        route(p.clone(), "/stars/publish", A(X::StarManage), post(stars::publish_form)),
        route(p.clone(), "/stars/appeals", A(X::SelfService), post(stars::appeal_form)),
        route(p.clone(), "/stars/appeals/{id}/answer", A(X::StarManage), post(stars::answer_form)),
        route(g.clone(), "/api/v1/stars/ratings", A(X::StarView), get(stars::api_ratings)),
        route(g.clone(), "/api/v1/stars/mine", A(X::SelfService), get(stars::api_mine)),
        route(g.clone(), "/api/v1/stars/rules/{year}", A(X::StarView), get(stars::api_rules)),
        route(Method::PUT, "/api/v1/stars/rules/{year}", A(X::StarManage), put(stars::api_save_rules)),
        route(p.clone(), "/api/v1/stars/entries", A(X::StarManage), post(stars::api_record_entry)),
        route(p.clone(), "/api/v1/stars/leader-scores", A(X::StarLeaderScore), post(stars::api_leader_score)),
        route(p.clone(), "/api/v1/stars/publications", A(X::StarManage), post(stars::api_publish)),
        route(g.clone(), "/api/v1/stars/appeals", A(X::StarManage), get(stars::api_appeals)),
        route(p.clone(), "/api/v1/stars/appeals", A(X::SelfService), post(stars::api_appeal)),
        route(p.clone(), "/api/v1/stars/appeals/{id}/answer", A(X::StarManage), post(stars::api_answer)),
        route(g.clone(), "/top-ten", A(X::TopTenView), get(top_ten::round_page)),
        route(g.clone(), "/top-ten/{year}/export", A(X::TopTenView), get(top_ten::export)),
        route(g.clone(), "/top-ten/{year}/settings", A(X::TopTenManage), get(top_ten::settings_page)),
        route(p.clone(), "/top-ten/{year}/settings", A(X::TopTenManage), post(top_ten::settings_form)),
        route(g.clone(), "/top-ten/{year}/candidates", A(X::TopTenNominate), get(top_ten::candidates_page)),
        route(p.clone(), "/top-ten/{year}/nominations", A(X::TopTenNominate), post(top_ten::nominate_form)),
        route(p.clone(), "/top-ten/{year}/scores", A(X::TopTenScore), post(top_ten::score_form)),
        route(p.clone(), "/top-ten/{year}/steps", A(X::TopTenManage), post(top_ten::step_form)),
        route(g.clone(), "/api/v1/top-ten", A(X::TopTenView), get(top_ten::api_rounds)),
        route(g.clone(), "/api/v1/top-ten/{year}", A(X::TopTenView), get(top_ten::api_round)),
        route(
            Method::PUT,
            "/api/v1/top-ten/{year}/settings",
            A(X::TopTenManage),
            put(top_ten::api_save_settings),
        ),
        route(
            g.clone(),
            "/api/v1/top-ten/{year}/candidates",
            A(X::TopTenNominate),
            get(top_ten::api_candidates),
        ),
        route(
            p.clone(),
            "/api/v1/top-ten/{year}/nominations",
            A(X::TopTenNominate),
            post(top_ten::api_nominate),
        ),
        route(p.clone(), "/api/v1/top-ten/{year}/scores", A(X::TopTenScore), post(top_ten::api_score)),
        route(p.clone(), "/api/v1/top-ten/{year}/steps", A(X::TopTenManage), post(top_ten::api_step)),
        route(g.clone(), "/publicity", A(X::PublicityView), get(publicity::ledger_page)),
        route(g.clone(), "/publicity/export", A(X::PublicityView), get(publicity::export)),
        route(p.clone(), "/publicity/items", A(X::PublicityRecord), post(publicity::record_form)),
        route(g.clone(), "/publicity/items/{id}", A(X::PublicityView), get(publicity::item_page)),
        route(
            p.clone(),
            "/publicity/items/{id}/pickups",
            A(X::PublicityRecord),
            post(publicity::pickup_form),
        ),
        route(
            p.clone(),
            "/publicity/items/{id}/files",
            A(X::PublicityRecord),
            upload_route(publicity::file_upload, publicity::FILE_MAX_BYTES),
        ),
        route(g.clone(), "/publicity/files/{id}", A(X::PublicityView), get(publicity::file_download)),
        route(g.clone(), "/api/v1/publicity/items", A(X::PublicityView), get(publicity::api_items)),
        route(p.clone(), "/api/v1/publicity/items", A(X::PublicityRecord), post(publicity::api_record)),
        route(g.clone(), "/api/v1/publicity/items/{id}", A(X::PublicityView), get(publicity::api_item)),
        route(
            p.clone(),
            "/api/v1/publicity/items/{id}/pickups",
            A(X::PublicityRecord),
            post(publicity::api_add_pickup),
        ),
        route(g.clone(), "/api/v1/publicity/counts", A(X::PublicityView), get(publicity::api_counts)),
        route(g.clone(), "/supervision", A(X::SupervisionView), get(supervision::overview)),
        route(g.clone(), "/supervision/export", A(X::SupervisionView), get(supervision::export)),
        route(p.clone(), "/supervision/targets", A(X::SupervisionManage), post(supervision::target_form)),
        route(p.clone(), "/supervision/opinions", A(X::SupervisionManage), post(supervision::raise_form)),
        route(g.clone(), "/supervision/opinions/{id}", A(X::SupervisionView), get(supervision::opinion_page)),
        route(
            p.clone(),
            "/supervision/opinions/{id}/{step}",
            A(X::SupervisionView),
            post(supervision::step_form),
        ),
        route(g.clone(), "/supervision/supervisors", A(X::SupervisionView), get(supervision::register_page)),
        route(
            p.clone(),
            "/supervision/supervisors",
            A(X::SupervisionManage),
            post(supervision::supervisor_form),
        ),
        route(
            p.clone(),
            "/supervision/supervisors/{id}/reveal",
            A(X::SupervisionManage),
            post(supervision::reveal_form),
        ),
        route(g.clone(), "/supervision/meetings", A(X::SupervisionView), get(supervision::meetings_page)),
        route(p.clone(), "/supervision/meetings", A(X::SupervisionManage), post(supervision::meeting_form)),
        route(g.clone(), "/supervision/meetings/{id}", A(X::SupervisionView), get(supervision::meeting_page)),
        route(
            p.clone(),
            "/supervision/meetings/{id}/files",
            A(X::SupervisionManage),
            upload_route(supervision::file_upload, supervision::FILE_MAX_BYTES),
        ),
        route(g.clone(), "/supervision/files/{id}", A(X::SupervisionView), get(supervision::file_download)),
        route(g.clone(), "/supervision/mine", A(X::SupervisionOwn), get(supervision::mine_page)),
        route(p.clone(), "/supervision/mine", A(X::SupervisionOwn), post(supervision::mine_form)),
        route(
            g.clone(),
            "/api/v1/supervision/supervisors",
            A(X::SupervisionView),
            get(supervision::api_register),
        ),
        route(
            p.clone(),
            "/api/v1/supervision/supervisors",
            A(X::SupervisionManage),
            post(supervision::api_add_supervisor),
        ),
        route(
            Method::PUT,
            "/api/v1/supervision/supervisors/{id}",
            A(X::SupervisionManage),
            put(supervision::api_save_supervisor),
        ),
        route(
            g.clone(),
            "/api/v1/supervision/progress",
            A(X::SupervisionView),
            get(supervision::api_progress),
        ),
        route(
            Method::PUT,
            "/api/v1/supervision/targets/{year}",
            A(X::SupervisionManage),
            put(supervision::api_set_target),
        ),
        route(
            g.clone(),
            "/api/v1/supervision/meetings",
            A(X::SupervisionView),
            get(supervision::api_meetings),
        ),
        route(
            p.clone(),
            "/api/v1/supervision/meetings",
            A(X::SupervisionManage),
            post(supervision::api_record_meeting),
        ),
        route(
            g.clone(),
            "/api/v1/supervision/meetings/{id}",
            A(X::SupervisionView),
            get(supervision::api_meeting),
        ),
        route(
            g.clone(),
            "/api/v1/supervision/opinions",
            A(X::SupervisionView),
            get(supervision::api_opinions),
        ),
        route(
            p.clone(),
            "/api/v1/supervision/opinions",
            A(X::SupervisionManage),
            post(supervision::api_raise),
        ),
        route(
            g.clone(),
            "/api/v1/supervision/opinions/{id}",
            A(X::SupervisionView),
            get(supervision::api_opinion),
        ),
        route(
            p.clone(),
            "/api/v1/supervision/opinions/{id}/assign",
            A(X::SupervisionManage),
            post(supervision::api_assign),
        ),
        route(
            p.clone(),
            "/api/v1/supervision/opinions/{id}/answer",
            A(X::SupervisionAnswer),
            post(supervision::api_answer),
        ),
        route(
            p.clone(),
            "/api/v1/supervision/opinions/{id}/review",
            A(X::SupervisionManage),
            post(supervision::api_review),
        ),
        route(g.clone(), "/api/v1/supervision/mine", A(X::SupervisionOwn), get(supervision::api_mine)),
        route(p.clone(), "/api/v1/supervision/mine", A(X::SupervisionOwn), post(supervision::api_raise_own)),
        route(g.clone(), "/api/v1/counselling/plan", A(X::CounsellingCounts), get(counselling::api_plan)),
        route(
            p.clone(),
            "/api/v1/counselling/plan",
            A(X::CounsellingRecord),
            post(counselling::api_add_plan_item),
        ),
        route(g.clone(), "/legal-help", A(X::LegalHelpView), get(legal_help::year_page)),
        route(g.clone(), "/legal-help/export", A(X::LegalHelpView), get(legal_help::export)),
        route(p.clone(), "/legal-help/sittings", A(X::LegalHelpRecord), post(legal_help::sitting_form)),
        route(
            p.clone(),
            "/legal-help/consultations",
            A(X::LegalHelpRecord),
            post(legal_help::consultation_form),
        ),
        route(g.clone(), "/api/v1/legal-help", A(X::LegalHelpView), get(legal_help::api_year)),
        route(g.clone(), "/talks", A(X::TalkView), get(talks::list_page)),
        route(p.clone(), "/talks", A(X::TalkRecord), post(talks::open_form)),
        route(g.clone(), "/talks/{id}", A(X::TalkView), get(talks::talk_page)),
        route(p.clone(), "/talks/{id}/interview", A(X::TalkRecord), post(talks::interview_form)),
        route(p.clone(), "/talks/{id}/reinspection", A(X::TalkRecord), post(talks::reinspection_form)),
        route(p.clone(), "/talks/{id}/case", A(X::TalkRecord), post(talks::case_form)),
        route(g.clone(), "/api/v1/talks", A(X::TalkView), get(talks::api_list)),
        route(p.clone(), "/api/v1/talks", A(X::TalkRecord), post(talks::api_open)),
        route(g.clone(), "/api/v1/talks/{id}", A(X::TalkView), get(talks::api_get)),
        route(p.clone(), "/api/v1/talks/{id}/interview", A(X::TalkRecord), post(talks::api_interview)),
        route(p.clone(), "/api/v1/talks/{id}/reinspection", A(X::TalkRecord), post(talks::api_reinspection)),
        route(p.clone(), "/api/v1/talks/{id}/case", A(X::TalkRecord), post(talks::api_case)),
        route(g.clone(), "/new-sites", A(X::NewSiteView), get(new_sites::list_page)),
        route(p.clone(), "/new-sites", A(X::NewSiteRecord), post(new_sites::create_form)),
        route(g.clone(), "/new-sites/export", A(X::NewSiteView), get(new_sites::export)),
        route(g.clone(), "/new-sites/{id}", A(X::NewSiteView), get(new_sites::site_page)),
        route(p.clone(), "/new-sites/{id}/shops", A(X::NewSiteRecord), post(new_sites::shop_form)),
        route(g.clone(), "/new-sites/shops/{id}", A(X::NewSiteView), get(new_sites::shop_page)),
        route(g.clone(), "/new-sites/shops/{id}/notice.pdf", A(X::NewSiteView), get(new_sites::notice_pdf)),
        route(p.clone(), "/new-sites/shops/{id}/notice", A(X::NewSiteRecord), post(new_sites::notice_form)),
        route(p.clone(), "/new-sites/shops/{id}/visits", A(X::NewSiteRecord), post(new_sites::visit_form)),
        route(p.clone(), "/new-sites/shops/{id}/outcome", A(X::NewSiteRecord), post(new_sites::outcome_form)),
        route(g.clone(), "/api/v1/new-sites", A(X::NewSiteView), get(new_sites::api_list)),
        route(p.clone(), "/api/v1/new-sites", A(X::NewSiteRecord), post(new_sites::api_create)),
        route(g.clone(), "/api/v1/new-sites/{id}", A(X::NewSiteView), get(new_sites::api_get)),
        route(p.clone(), "/api/v1/new-sites/{id}/shops", A(X::NewSiteRecord), post(new_sites::api_add_shop)),
        route(g.clone(), "/api/v1/site-shops/{id}", A(X::NewSiteView), get(new_sites::api_shop)),
        route(p.clone(), "/api/v1/site-shops/{id}/notice", A(X::NewSiteRecord), post(new_sites::api_notice)),
        route(p.clone(), "/api/v1/site-shops/{id}/visits", A(X::NewSiteRecord), post(new_sites::api_visit)),
        route(
            p.clone(),
            "/api/v1/site-shops/{id}/outcome",
            A(X::NewSiteRecord),
            post(new_sites::api_outcome),
        ),
        route(g.clone(), "/vending-points", A(X::VendingView), get(vending::list_page)),
        route(p.clone(), "/vending-points", A(X::VendingManage), post(vending::create_form)),
        route(g.clone(), "/vending-points/export", A(X::VendingView), get(vending::export)),
        route(g.clone(), "/vending-points/{id}", A(X::VendingView), get(vending::point_page)),
        route(p.clone(), "/vending-points/{id}", A(X::VendingManage), post(vending::update_form)),
        route(p.clone(), "/vending-points/{id}/admissions", A(X::VendingManage), post(vending::admit_form)),
        route(
            p.clone(),
            "/vending-points/{id}/inspections",
            A(X::VendingInspect),
            post(vending::inspect_form),
        ),
        route(p.clone(), "/vending-points/admissions/{id}/end", A(X::VendingManage), post(vending::end_form)),
        route(g.clone(), "/api/v1/vending-points", A(X::VendingView), get(vending::api_list)),
        route(p.clone(), "/api/v1/vending-points", A(X::VendingManage), post(vending::api_create)),
        route(g.clone(), "/api/v1/vending-points/{id}", A(X::VendingView), get(vending::api_get)),
        route(Method::PUT, "/api/v1/vending-points/{id}", A(X::VendingManage), put(vending::api_update)),
        route(
            p.clone(),
            "/api/v1/vending-points/{id}/admissions",
            A(X::VendingManage),
            post(vending::api_admit),
        ),
        route(
            p.clone(),
            "/api/v1/vending-points/{id}/inspections",
            A(X::VendingInspect),
            post(vending::api_inspect),
        ),
        route(
            p.clone(),
            "/api/v1/vending-admissions/{id}/end",
            A(X::VendingManage),
            post(vending::api_end_admission),
        ),
        route(g.clone(), "/care/counts", A(X::SpecialCareCounts), get(special_care::counts_page)),
        route(g.clone(), "/care/counts/export", A(X::SpecialCareCounts), get(special_care::export)),
        route(g.clone(), "/care/entries", A(X::SpecialCare), get(special_care::entries_page)),
        route(p.clone(), "/care/entries", A(X::SpecialCare), post(special_care::open_form)),
        route(g.clone(), "/care/entries/{id}", A(X::SpecialCare), get(special_care::entry_page)),
        route(p.clone(), "/care/entries/{id}/help", A(X::SpecialCare), post(special_care::help_form)),
        route(p.clone(), "/care/entries/{id}/close", A(X::SpecialCare), post(special_care::close_form)),
        route(g.clone(), "/care/grants", A(X::SpecialCareGrant), get(special_care::grants_page)),
        route(p.clone(), "/care/grants", A(X::SpecialCareGrant), post(special_care::grant_form)),
        route(p.clone(), "/care/grants/{id}/revoke", A(X::SpecialCareGrant), post(special_care::revoke_form)),
        route(
            g.clone(),
            "/api/v1/special-care/counts",
            A(X::SpecialCareCounts),
            get(special_care::api_counts),
        ),
        route(g.clone(), "/api/v1/special-care", A(X::SpecialCare), get(special_care::api_list)),
        route(p.clone(), "/api/v1/special-care", A(X::SpecialCare), post(special_care::api_open)),
        route(g.clone(), "/api/v1/special-care/{id}", A(X::SpecialCare), get(special_care::api_entry)),
        route(p.clone(), "/api/v1/special-care/{id}/help", A(X::SpecialCare), post(special_care::api_help)),
        route(p.clone(), "/api/v1/special-care/{id}/close", A(X::SpecialCare), post(special_care::api_close)),
        route(
            g.clone(),
            "/api/v1/special-care-grants",
            A(X::SpecialCareGrant),
            get(special_care::api_grants),
        ),
        route(
            p.clone(),
            "/api/v1/special-care-grants",
            A(X::SpecialCareGrant),
            post(special_care::api_grant),
        ),
        route(
            p.clone(),
            "/api/v1/special-care-grants/{id}/revoke",
            A(X::SpecialCareGrant),
            post(special_care::api_revoke),
        ),
        route(p.clone(), "/api/v1/court-sittings", A(X::LegalHelpRecord), post(legal_help::api_sitting)),
        route(
            p.clone(),
            "/api/v1/legal-consultations",
            A(X::LegalHelpRecord),
            post(legal_help::api_consultation),
        ),
        route(g.clone(), "/api/v1/disclosures", A(X::DisclosureView), get(disclosure::api_register)),
        route(g.clone(), "/api/v1/disclosures/{id}", A(X::DisclosureView), get(disclosure::api_entry)),
        route(
            p.clone(),
            "/api/v1/disclosures/{id}/publish",
            A(X::DisclosurePublish),
            post(disclosure::api_publish),
        ),
        route(
            p.clone(),
            "/api/v1/disclosures/{id}/withhold",
            A(X::DisclosurePublish),
            post(disclosure::api_withhold),
        ),
        route(
            p.clone(),
            "/api/v1/disclosures/{id}/ruling",
            A(X::DisclosurePublish),
            post(disclosure::api_ruling),
        ),
        route(
            p.clone(),
            "/api/v1/disclosures/{id}/withdraw",
            A(X::DisclosurePublish),
            post(disclosure::api_withdraw),
        ),
        route(g.clone(), "/open311/v2/discovery.json", Public, get(open311::root)),
        route(g.clone(), "/open311/v2/discovery.xml", Public, get(open311::root)),
        route(g.clone(), "/open311/v2/services.json", Public, get(open311::root)),
        route(g.clone(), "/open311/v2/services.xml", Public, get(open311::root)),
        route(g.clone(), "/open311/v2/requests.json", Public, get(open311::root)),
        route(g.clone(), "/open311/v2/requests.xml", Public, get(open311::root)),
        route(p.clone(), "/open311/v2/requests.json", Public, post(open311::post)),
        route(p.clone(), "/open311/v2/requests.xml", Public, post(open311::post)),
        route(g.clone(), "/open311/v2/services/{file}", Public, get(open311::service_definition)),
        route(g.clone(), "/open311/v2/requests/{file}", Public, get(open311::request)),
        route(g.clone(), "/login", Public, get(login::form)),
        route(p.clone(), "/login", Public, post(login::submit)),
        route(g.clone(), "/login/mfa", SecondFactor, get(login::mfa_form)),
        route(p.clone(), "/login/mfa", SecondFactor, post(login::mfa_submit)),
        route(p.clone(), "/logout", A(X::SelfService), post(login::logout)),
        route(g.clone(), "/", A(X::SelfService), get(home::home)),
        route(g.clone(), "/account/password", A(X::SelfService), get(login::password_form)),
        route(p.clone(), "/account/password", A(X::SelfService), post(login::password_submit)),
        route(g.clone(), "/account/mfa", A(X::SelfService), get(login::mfa_enrol_form)),
        route(p.clone(), "/account/mfa", A(X::SelfService), post(login::mfa_enrol_submit)),
        route(g.clone(), "/org", A(X::OrgView), get(home::org)),
        route(p.clone(), "/org/units", A(X::OrgEdit), post(home::add_unit_form)),
        route(p.clone(), "/org/leadership", A(X::OrgEdit), post(home::add_member_form)),
        route(g.clone(), "/people", A(X::PersonView), get(people::list_page)),
        route(g.clone(), "/people/export", A(X::PersonExport), get(people::export)),
        route(g.clone(), "/people/new", A(X::PersonEdit), get(people::new_page)),
        route(p.clone(), "/people", A(X::PersonEdit), post(people::create_form)),
        route(g.clone(), "/people/{id}", A(X::PersonView), get(people::detail_page)),
        route(g.clone(), "/people/{id}/edit", A(X::PersonEdit), get(people::edit_page)),
        route(p.clone(), "/people/{id}", A(X::PersonEdit), post(people::update_form)),
        route(p.clone(), "/people/{id}/certificates", A(X::PersonEdit), post(people::add_certificate_form)),
        route(
            p.clone(),
            "/people/{id}/legal-qualification",
            A(X::PersonEdit),
            post(people::legal_qualification_form),
        ),
        route(
            p.clone(),
            "/people/{id}/certificates/{certificate_id}/status",
            A(X::PersonEdit),
            post(people::certificate_status_form),
        ),
        route(p.clone(), "/people/{id}/service", A(X::PersonEdit), post(people::service_form)),
        route(p.clone(), "/people/{id}/absences", A(X::PersonEdit), post(people::absence_form)),
        route(
            p.clone(),
            "/people/{id}/reveal-phone",
            A(X::PersonReveal),
            post(people::reveal_phone_fragment),
        ),
        route(g.clone(), "/calendar", A(X::SelfService), get(calendar::calendar_page)),
        route(p.clone(), "/calendar/years", A(X::CalendarEdit), post(calendar::year_form)),
        route(g.clone(), "/matters", A(X::MatterView), get(intake::list_page)),
        route(g.clone(), "/matters/new", A(X::MatterFile), get(intake::new_page)),
        route(g.clone(), "/matters/indicators", A(X::MatterView), get(matter_indicators::page)),
        route(g.clone(), "/matters/indicators.xlsx", A(X::MatterView), get(matter_indicators::xlsx)),
        route(
            g.clone(),
            "/matters/indicators/matters",
            A(X::MatterView),
            get(matter_indicators::behind_page),
        ),
        route(p.clone(), "/matters", A(X::MatterFile), post(intake::file_form)),
        route(g.clone(), "/matters/meetings", A(X::MatterView), get(joint::meetings_page)),
        route(p.clone(), "/matters/meetings", A(X::JointWork), post(joint::record_form)),
        route(g.clone(), "/matters/meetings/{id}", A(X::MatterView), get(joint::meeting_page)),
        route(p.clone(), "/matters/meetings/{id}/tasks", A(X::JointWork), post(joint::add_task_form)),
        route(p.clone(), "/matters/tasks/{id}/done", A(X::JointWork), post(joint::done_form)),
        route(g.clone(), "/matters/catalogue", A(X::MatterView), get(joint::catalogue_page)),
        route(p.clone(), "/matters/catalogue/classes", A(X::MatterCatalogueEdit), post(joint::class_form)),
        route(
            p.clone(),
            "/matters/catalogue/departments",
            A(X::MatterCatalogueEdit),
            post(joint::department_form),
        ),
        route(g.clone(), "/matters/{id}", A(X::MatterView), get(intake::detail_page)),
        route(p.clone(), "/matters/{id}/steps", A(X::MatterAct), post(intake::step_form)),
        route(g.clone(), "/matters/{id}/photos/{photo_id}", A(X::MatterView), get(intake::photo)),
        route(
            p.clone(),
            "/matters/{id}/reporters/reveal",
            A(X::MatterReporterReveal),
            post(intake::reveal_form),
        ),
        route(g.clone(), "/cases", A(X::CaseView), get(cases::list_page)),
        route(g.clone(), "/cases/new", A(X::CaseOpen), get(cases::new_page)),
        route(p.clone(), "/cases", A(X::CaseOpen), post(cases::create_form)),
        route(g.clone(), "/cases/deadlines", A(X::CaseView), get(cases::deadlines_page)),
        route(g.clone(), "/cases/{id}", A(X::CaseView), get(cases::detail_page)),
        route(p.clone(), "/cases/{id}/steps", A(X::CaseAct), post(cases::step_form)),
        route(p.clone(), "/cases/{id}/documents", A(X::CaseAct), post(cases::documents::issue_form)),
        route(g.clone(), "/documents/{id}/pdf", A(X::CaseView), get(cases::documents::pdf_page)),
        route(g.clone(), "/responsibility-list", A(X::CaseView), get(cases::items_page)),
        route(g.clone(), "/case-rules", A(X::CaseRulesEdit), get(case_rules::edit_page)),
        route(g.clone(), "/simulator", A(X::CaseSimulate), get(simulator::simulator_page)),
        route(p.clone(), "/simulator", A(X::CaseSimulate), post(simulator::run_form)),
        route(g.clone(), "/responsibility-list/new", A(X::CaseRulesEdit), get(items::new_page)),
        route(p.clone(), "/responsibility-list/new", A(X::CaseRulesEdit), post(items::create_form)),
        route(g.clone(), "/responsibility-list/{code}/edit", A(X::CaseRulesEdit), get(items::edit_page)),
        route(p.clone(), "/responsibility-list/{code}/edit", A(X::CaseRulesEdit), post(items::update_form)),
        route(p.clone(), "/case-rules", A(X::CaseRulesEdit), post(case_rules::save_form)),
        route(g.clone(), "/evidence", A(X::EvidenceView), get(evidence::list_page)),
        route(
            p.clone(),
            "/evidence",
            A(X::EvidenceUpload),
            upload_route(evidence::upload_form, upload_limit),
        ),
        route(p.clone(), "/evidence/export", A(X::EvidenceExport), post(evidence::export_form)),
        route(g.clone(), "/evidence/deletions", A(X::EvidenceDeleteApprove), get(evidence::deletions_page)),
        route(g.clone(), "/evidence/recording", A(X::EvidenceView), get(fieldwork::compliance_page)),
        route(p.clone(), "/recording-rules/{code}", A(X::RecordingRulesEdit), post(fieldwork::rule_form)),
        route(g.clone(), "/training", A(X::TrainingView), get(training::list_page)),
        route(p.clone(), "/training", A(X::TrainingManage), post(training::create_form)),
        route(g.clone(), "/training/compliance", A(X::TrainingView), get(training_report::compliance_page)),
        route(
            g.clone(),
            "/training/compliance.xlsx",
            A(X::TrainingView),
            get(training_report::compliance_xlsx),
        ),
        route(
            p.clone(),
            "/training/compliance/close",
            A(X::TrainingManage),
            post(training_report::close_form),
        ),
        route(p.clone(), "/training/rules", A(X::TrainingManage), post(training_report::rules_form)),
        route(g.clone(), "/training/year.xlsx", A(X::TrainingView), get(training_report::year_xlsx)),
        route(g.clone(), "/training/people/{id}", A(X::TrainingView), get(training_report::year_page)),
        route(
            p.clone(),
            "/training/sessions/{id}/materials",
            A(X::TrainingManage),
            upload_route(training::material_upload, training::MATERIAL_MAX_BYTES),
        ),
        route(g.clone(), "/training/materials/{id}", A(X::TrainingView), get(training::material_download)),
        route(p.clone(), "/training/sessions/{id}/scores", A(X::TrainingManage), post(training::score_form)),
        route(
            p.clone(),
            "/training/sessions/{id}/early-leave",
            A(X::TrainingManage),
            post(training::early_leave_form),
        ),
        route(g.clone(), "/training/plan", A(X::TrainingView), get(training_plan::page)),
        route(p.clone(), "/training/plan", A(X::TrainingManage), post(training_plan::add_form)),
        route(p.clone(), "/training/plan/fill", A(X::TrainingManage), post(training_plan::fill_form)),
        route(
            p.clone(),
            "/training/plan/items/{id}/withdraw",
            A(X::TrainingManage),
            post(training_plan::withdraw_form),
        ),
        route(g.clone(), "/training/sessions/{id}", A(X::TrainingView), get(training::detail_page)),
        route(p.clone(), "/training/sessions/{id}/sign-in", A(X::TrainingView), post(training::sign_in_form)),
        route(
            p.clone(),
            "/training/sessions/{id}/attendance",
            A(X::TrainingManage),
            post(training::attendance_form),
        ),
        route(g.clone(), "/patrols", A(X::EvidenceView), get(fieldwork::patrols_page)),
        route(p.clone(), "/patrols", A(X::FieldWork), post(fieldwork::patrol_form)),
        route(g.clone(), "/patrols/{id}", A(X::EvidenceView), get(fieldwork::patrol_page)),
        route(g.clone(), "/devices", A(X::EvidenceView), get(fieldwork::devices_page)),
        route(p.clone(), "/devices", A(X::DeviceAdmin), post(fieldwork::device_form)),
        route(g.clone(), "/evidence/{id}", A(X::EvidenceView), get(evidence::item_page)),
        route(g.clone(), "/evidence/{id}/stream", A(X::EvidenceView), get(evidence::stream_page)),
        route(g.clone(), "/evidence/{id}/download", A(X::EvidenceExport), get(evidence::download_page)),
        route(p.clone(), "/evidence/{id}/retention", A(X::EvidenceManage), post(evidence::retention_form)),
        route(
            p.clone(),
            "/evidence/{id}/deletion",
            A(X::EvidenceDeleteApprove),
            post(evidence::deletion_form),
        ),
        route(p.clone(), "/evidence/{id}/shares", A(X::EvidenceManage), post(evidence::share_form)),
        route(
            p.clone(),
            "/evidence/{id}/shares/{unit_id}/revoke",
            A(X::EvidenceManage),
            post(evidence::revoke_share_form),
        ),
        route(g.clone(), "/parties", A(X::PartyView), get(parties::list_page)),
        route(g.clone(), "/parties/new", A(X::PartyEdit), get(parties::new_page)),
        route(p.clone(), "/parties", A(X::PartyEdit), post(parties::create_form)),
        route(g.clone(), "/parties/{id}", A(X::PartyView), get(parties::detail_page)),
        route(g.clone(), "/parties/{id}/edit", A(X::PartyEdit), get(parties::edit_page)),
        route(p.clone(), "/parties/{id}/edit", A(X::PartyEdit), post(parties::update_form)),
        route(p.clone(), "/parties/{id}/reveal", A(X::PartyReveal), post(parties::reveal_fragment)),
        route(g.clone(), "/admin/accounts", A(X::AccountAdmin), get(accounts::list_page)),
        route(g.clone(), "/admin/accounts/new", A(X::AccountAdmin), get(accounts::new_page)),
        route(p.clone(), "/admin/accounts", A(X::AccountAdmin), post(accounts::create_form)),
        route(p.clone(), "/admin/accounts/{id}/disable", A(X::AccountAdmin), post(accounts::disable_form)),
        route(p.clone(), "/admin/accounts/{id}/enable", A(X::AccountAdmin), post(accounts::enable_form)),
        route(g.clone(), "/admin/account-grants", A(X::AccountGrant), get(accounts::grants_page)),
        route(p.clone(), "/admin/account-grants/{id}/grant", A(X::AccountGrant), post(accounts::grant_form)),
        route(
            p.clone(),
            "/admin/account-grants/{id}/decline",
            A(X::AccountGrant),
            post(accounts::decline_form),
        ),
        route(
            p.clone(),
            "/admin/accounts/{id}/reset-password",
            A(X::AccountAdmin),
            post(accounts::reset_form),
        ),
        route(g.clone(), "/security/policy", A(X::SecurityPolicy), get(security::page)),
        route(p.clone(), "/security/policy", A(X::SecurityPolicy), post(security::submit)),
        route(g.clone(), "/audit", A(X::AuditRead), get(audit::page)),
        route(p.clone(), "/audit/verify", A(X::AuditRead), post(audit::verify_fragment)),
        route(g.clone(), "/api/openapi.json", Public, get(api_docs::openapi_json)),
        route(g.clone(), "/api/v1/me", A(X::SelfService), get(home::api_me)),
        route(g.clone(), "/api/v1/calendar/workday", A(X::SelfService), get(calendar::api_workday)),
        route(g.clone(), "/api/v1/calendar/add-workdays", A(X::SelfService), get(calendar::api_add_workdays)),
        route(g.clone(), "/api/v1/calendar/period-end", A(X::SelfService), get(calendar::api_period_end)),
        route(g.clone(), "/api/v1/calendar/years", A(X::SelfService), get(calendar::api_years)),
        route(Method::PUT, "/api/v1/calendar/years/{year}", A(X::CalendarEdit), put(calendar::api_set_year)),
        route(g.clone(), "/api/v1/units", A(X::OrgView), get(home::api_units)),
        route(p.clone(), "/api/v1/units", A(X::OrgEdit), post(home::api_create_unit)),
        route(p.clone(), "/api/v1/leadership", A(X::OrgEdit), post(home::api_add_member)),
        route(g.clone(), "/api/v1/leadership", A(X::OrgView), get(home::api_leadership)),
        route(g.clone(), "/api/v1/people", A(X::PersonView), get(people::api_list)),
        route(p.clone(), "/api/v1/people", A(X::PersonEdit), post(people::api_create)),
        route(g.clone(), "/api/v1/people/{id}", A(X::PersonView), get(people::api_get)),
        route(Method::PUT, "/api/v1/people/{id}", A(X::PersonEdit), put(people::api_update)),
        route(g.clone(), "/api/v1/people/{id}/certificates", A(X::PersonView), get(people::api_certificates)),
        route(
            p.clone(),
            "/api/v1/people/{id}/certificates",
            A(X::PersonEdit),
            post(people::api_add_certificate),
        ),
        route(
            Method::PUT,
            "/api/v1/people/{id}/certificates/{certificate_id}",
            A(X::PersonEdit),
            put(people::api_set_certificate_status),
        ),
        route(p.clone(), "/api/v1/people/{id}/reveal", A(X::PersonReveal), post(people::api_reveal)),
        route(
            Method::PUT,
            "/api/v1/people/{id}/legal-qualification",
            A(X::PersonEdit),
            put(people::api_set_legal_qualification),
        ),
        route(g.clone(), "/api/v1/parties", A(X::PartyView), get(parties::api_list)),
        route(p.clone(), "/api/v1/parties", A(X::PartyEdit), post(parties::api_create)),
        route(g.clone(), "/api/v1/parties/{id}", A(X::PartyView), get(parties::api_get)),
        route(Method::PUT, "/api/v1/parties/{id}", A(X::PartyEdit), put(parties::api_update)),
        route(p.clone(), "/api/v1/parties/{id}/reveal", A(X::PartyReveal), post(parties::api_reveal)),
        route(g.clone(), "/api/v1/cases", A(X::CaseView), get(cases::api_list)),
        route(p.clone(), "/api/v1/cases", A(X::CaseOpen), post(cases::api_create)),
        route(g.clone(), "/api/v1/cases/{id}", A(X::CaseView), get(cases::api_get)),
        route(p.clone(), "/api/v1/cases/{id}/steps", A(X::CaseAct), post(cases::api_step)),
        route(p.clone(), "/api/v1/cases/{id}/documents", A(X::CaseAct), post(cases::documents::api_issue)),
        route(g.clone(), "/api/v1/cases/{id}/documents", A(X::CaseView), get(cases::documents::api_list)),
        route(g.clone(), "/api/v1/documents/{id}/pdf", A(X::CaseView), get(cases::documents::api_pdf)),
        route(g.clone(), "/api/v1/evidence", A(X::EvidenceView), get(evidence::api_list)),
        route(
            p.clone(),
            "/api/v1/evidence",
            A(X::EvidenceUpload),
            upload_route(evidence::api_upload, upload_limit),
        ),
        route(p.clone(), "/api/v1/evidence/export", A(X::EvidenceExport), post(evidence::api_export)),
        route(g.clone(), "/api/v1/evidence/{id}", A(X::EvidenceView), get(evidence::api_get)),
        route(g.clone(), "/api/v1/evidence/{id}/content", A(X::EvidenceExport), get(evidence::api_content)),
        route(
            p.clone(),
            "/api/v1/evidence/{id}/retention",
            A(X::EvidenceManage),
            post(evidence::api_retention),
        ),
        route(p.clone(), "/api/v1/evidence/{id}/shares", A(X::EvidenceManage), post(evidence::api_share)),
        route(
            p.clone(),
            "/api/v1/evidence/{id}/shares/{unit_id}/revoke",
            A(X::EvidenceManage),
            post(evidence::api_revoke_share),
        ),
        route(
            p.clone(),
            "/api/v1/evidence/{id}/deletion",
            A(X::EvidenceDeleteApprove),
            post(evidence::api_deletion),
        ),
        route(g.clone(), "/api/v1/matters", A(X::MatterView), get(intake::api_list)),
        route(p.clone(), "/api/v1/matters", A(X::MatterFile), post(intake::api_file)),
        route(g.clone(), "/api/v1/matters/{id}", A(X::MatterView), get(intake::api_detail)),
        route(p.clone(), "/api/v1/matters/{id}/steps", A(X::MatterAct), post(intake::api_step)),
        route(p.clone(), "/api/v1/matters/{id}/case", A(X::MatterAct), post(intake::api_open_case)),
        route(g.clone(), "/api/v1/joint-meetings", A(X::MatterView), get(joint::api_meetings)),
        route(p.clone(), "/api/v1/joint-meetings", A(X::JointWork), post(joint::api_record)),
        route(g.clone(), "/api/v1/joint-meetings/{id}", A(X::MatterView), get(joint::api_meeting)),
        route(p.clone(), "/api/v1/joint-meetings/{id}/tasks", A(X::JointWork), post(joint::api_add_task)),
        route(p.clone(), "/api/v1/joint-tasks/{id}/done", A(X::JointWork), post(joint::api_done)),
        route(g.clone(), "/api/v1/partner-departments", A(X::MatterView), get(joint::api_departments)),
        route(
            p.clone(),
            "/api/v1/partner-departments",
            A(X::MatterCatalogueEdit),
            post(joint::api_save_department),
        ),
        route(
            p.clone(),
            "/api/v1/matters/{id}/reporters/reveal",
            A(X::MatterReporterReveal),
            post(intake::api_reveal),
        ),
        route(g.clone(), "/api/v1/matter-categories", A(X::MatterView), get(intake::api_categories)),
        route(
            g.clone(),
            "/api/v1/matter-indicators",
            A(X::MatterView),
            get(matter_indicators::api_indicators),
        ),
        route(
            g.clone(),
            "/api/v1/matter-indicators/matters",
            A(X::MatterView),
            get(matter_indicators::api_behind),
        ),
        route(
            p.clone(),
            "/api/v1/matter-categories",
            A(X::MatterCatalogueEdit),
            post(intake::api_save_category),
        ),
        route(g.clone(), "/api/v1/patrols", A(X::EvidenceView), get(fieldwork::api_patrols)),
        route(p.clone(), "/api/v1/patrols", A(X::FieldWork), post(fieldwork::api_create_patrol)),
        route(g.clone(), "/api/v1/patrols/{id}", A(X::EvidenceView), get(fieldwork::api_patrol)),
        route(g.clone(), "/api/v1/devices", A(X::EvidenceView), get(fieldwork::api_devices)),
        route(p.clone(), "/api/v1/devices", A(X::DeviceAdmin), post(fieldwork::api_create_device)),
        route(g.clone(), "/api/v1/recording-compliance", A(X::EvidenceView), get(fieldwork::api_compliance)),
        route(g.clone(), "/api/v1/training/sessions", A(X::TrainingView), get(training::api_sessions)),
        route(p.clone(), "/api/v1/training/sessions", A(X::TrainingManage), post(training::api_create)),
        route(
            p.clone(),
            "/api/v1/training/sessions/{id}/sign-in",
            A(X::TrainingView),
            post(training::api_sign_in),
        ),
        route(
            g.clone(),
            "/api/v1/training/compliance",
            A(X::TrainingView),
            get(training_report::api_compliance),
        ),
        route(
            p.clone(),
            "/api/v1/training/months/{month}/close",
            A(X::TrainingManage),
            post(training_report::api_close),
        ),
        route(
            g.clone(),
            "/api/v1/training/people/{id}/year",
            A(X::TrainingView),
            get(training_report::api_year),
        ),
        route(g.clone(), "/api/v1/training/plan", A(X::TrainingView), get(training_plan::api_plan)),
        route(
            g.clone(),
            "/api/v1/training/rules/{year}",
            A(X::TrainingView),
            get(training_report::api_rules),
        ),
        route(
            Method::PUT,
            "/api/v1/training/rules/{year}",
            A(X::TrainingManage),
            put(training_report::api_set_rules),
        ),
        route(p.clone(), "/api/v1/training/plan/items", A(X::TrainingManage), post(training_plan::api_add)),
        route(
            p.clone(),
            "/api/v1/training/plan/items/{id}/withdraw",
            A(X::TrainingManage),
            post(training_plan::api_withdraw),
        ),
        route(g.clone(), "/api/v1/recording-rules", A(X::EvidenceView), get(fieldwork::api_rules)),
        route(
            Method::PUT,
            "/api/v1/recording-rules/{code}",
            A(X::RecordingRulesEdit),
            put(fieldwork::api_set_rule),
        ),
        route(
            g.clone(),
            "/api/v1/evidence-deletions",
            A(X::EvidenceDeleteApprove),
            get(evidence::api_deletions),
        ),
        route(g.clone(), "/api/v1/case-deadlines", A(X::CaseView), get(cases::api_deadlines)),
        route(g.clone(), "/api/v1/responsibility-items", A(X::CaseView), get(cases::api_items)),
        route(p.clone(), "/api/v1/responsibility-items", A(X::CaseRulesEdit), post(items::api_create)),
        route(g.clone(), "/api/v1/responsibility-items/{code}", A(X::CaseView), get(items::api_get)),
        route(
            g.clone(),
            "/api/v1/responsibility-items/{code}/ranges",
            A(X::CaseView),
            get(items::api_ranges),
        ),
        route(Method::PUT, "/api/v1/responsibility-items/{code}", A(X::CaseRulesEdit), put(items::api_put)),
        route(g.clone(), "/api/v1/case-rules", A(X::CaseView), get(cases::api_rules)),
        route(Method::PUT, "/api/v1/case-rules", A(X::CaseRulesEdit), put(case_rules::api_put)),
        route(g.clone(), "/api/v1/accounts", A(X::AccountAdmin), get(accounts::api_list)),
        route(p.clone(), "/api/v1/accounts", A(X::AccountAdmin), post(accounts::api_create)),
        route(p.clone(), "/api/v1/accounts/{id}/disable", A(X::AccountAdmin), post(accounts::api_disable)),
        route(p.clone(), "/api/v1/accounts/{id}/enable", A(X::AccountAdmin), post(accounts::api_enable)),
        route(
            p.clone(),
            "/api/v1/accounts/{id}/reset-password",
            A(X::AccountAdmin),
            post(accounts::api_reset),
        ),
        route(g.clone(), "/api/v1/account-grants", A(X::AccountGrant), get(accounts::api_pending)),
        route(p.clone(), "/api/v1/account-grants/{id}/grant", A(X::AccountGrant), post(accounts::api_grant)),
        route(
            p.clone(),
            "/api/v1/account-grants/{id}/decline",
            A(X::AccountGrant),
            post(accounts::api_decline),
        ),
        route(g.clone(), "/api/v1/security-policy", A(X::SecurityPolicy), get(security::api_get)),
        route(Method::PUT, "/api/v1/security-policy", A(X::SecurityPolicy), put(security::api_put)),
        route(g.clone(), "/api/v1/audit", A(X::AuditRead), get(audit::api_list)),
        route(p, "/api/v1/audit/verify", A(X::AuditRead), post(audit::api_verify)),
    ]
}

/// An upload route: the 2 MB default body limit is lifted here only and replaced by the
/// evidence limit, which answers 413 from `Content-Length` before any of the body is read and
/// stops a chunked body as soon as it passes the limit. Multipart framing adds a little, so
/// the limit allows 1 MiB over the largest file.
fn upload_route<H, T>(handler: H, limit: u64) -> MethodRouter<AppState>
where
    H: axum::handler::Handler<T, AppState>,
    T: 'static,
{
    let limit = usize::try_from(limit.saturating_add(1 << 20)).unwrap_or(usize::MAX);
    post(handler)
        .layer::<_, std::convert::Infallible>(axum::middleware::map_request(paced_body))
        .layer::<_, std::convert::Infallible>(tower_http::limit::RequestBodyLimitLayer::new(limit))
        .layer::<_, std::convert::Infallible>(axum::extract::DefaultBodyLimit::disable())
}

/// How much of an upload body the multipart parser may take in one go.
pub const PACE_BYTES: usize = 256 * 1024;

/// The multipart parser reads from the body for as long as data is ready, before it looks
/// for the end of the part it is in; a client that sends fast enough could so make it hold a
/// whole "description" of gigabytes before the length check ever runs. Pausing the body every
/// [`PACE_BYTES`] hands control back to the parser, whose callers then stop at their bounds.
async fn paced_body(request: axum::extract::Request) -> axum::extract::Request {
    use futures_util::StreamExt;
    use std::task::Poll;
    let (parts, body) = request.into_parts();
    let mut inner = body.into_data_stream();
    let mut since_pause = 0usize;
    let paced = futures_util::stream::poll_fn(move |cx| {
        if since_pause >= PACE_BYTES {
            since_pause = 0;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let next = inner.poll_next_unpin(cx);
        if let Poll::Ready(Some(Ok(bytes))) = &next {
            since_pause += bytes.len();
        }
        next
    });
    axum::extract::Request::from_parts(parts, axum::body::Body::from_stream(paced))
}

/// The route table as the guard reads it.
pub type Policies = Arc<HashMap<(Method, &'static str), Access>>;

pub fn router(state: AppState) -> Router {
    let mut specs = routes_with(state.config.evidence_max_bytes);
    // The OpenAPI document maps every route for whoever reads it: outside demo mode only the
    // bureau's own signed-in users get it and its Swagger UI, unless the operator publishes
    // them on purpose.
    let docs = if state.config.api_docs_public || state.demo {
        Access::Public
    } else {
        Access::Allowed(Action::SelfService)
    };
    for spec in specs.iter_mut().filter(|s| s.path == "/api/openapi.json") {
        spec.access = docs;
    }
    let mut policies: HashMap<(Method, &'static str), Access> =
        specs.iter().map(|s| ((s.method.clone(), s.path), s.access)).collect();
    for path in api_docs::SWAGGER_PATHS {
        policies.insert((Method::GET, path), docs);
    }
    let policies: Policies = Arc::new(policies);
    let mut app = Router::new();
    for spec in specs {
        app = app.route(spec.path, spec.handler);
    }
    app = app.merge(api_docs::swagger());
    let csp = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
               object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    // HSTS: browsers keep to HTTPS for this host once they have seen it over HTTPS (they ignore
    // it over plain HTTP, so the demo on 127.0.0.1 is unaffected).
    let hsts = (state.config.hsts_seconds > 0).then(|| {
        let value = format!("max-age={}; includeSubDomains", state.config.hsts_seconds);
        SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_str(&value).expect("digits and ASCII"),
        )
    });
    app.route_layer(axum::middleware::from_fn_with_state((state.clone(), policies), guard::guard))
        .fallback(home::not_found)
        .with_state(state)
        .layer(axum::middleware::from_fn(error::uniform_errors))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(csp),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(tower::util::option_layer(hsts))
        .layer(PropagateRequestIdLayer::x_request_id())
        // Only the method and the path are logged, never the query string or body,
        // so no personal data reaches the log.
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
            let path = request.uri().path().to_owned();
            let request_id =
                request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
            tracing::info_span!("request", method = %request.method(), path, request_id)
        }))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}
