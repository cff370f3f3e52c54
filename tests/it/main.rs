//! The one integration-test binary. Every test runs against SQLite; with `TEST_DATABASE_URL`
//! set to a PostgreSQL server, the same tests run against a fresh PostgreSQL database each.

mod access;
mod api_contract;
mod assessment;
mod audit;
mod backup;
mod calendar;
mod cases;
mod cli;
mod counselling;
mod crash;
mod direct;
mod disclosure;
mod documents;
mod evidence;
mod intake;
mod jobs;
mod joint;
mod login;
mod new_sites;
mod open311;
mod org;
mod parties;
mod personal;
mod publicity;
mod reference;
mod security;
mod special_care;
mod stars;
mod supervision;
mod support;
mod talks;
mod tidy;
mod top_ten;
mod training;
mod vending;
