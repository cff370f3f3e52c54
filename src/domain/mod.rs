//! The bureau's rules, as pure data and functions.
//!
//! Nothing here does I/O or reads the clock: a rule that depends on the time takes `now` as an
//! argument. Untrusted input becomes a domain type here, once (parse, don't validate).

pub mod access;
pub mod assessment;
pub mod audit;
pub mod calendar;
pub mod case;
pub mod counselling;
pub mod disclosure;
pub mod evidence;
pub mod fields;
pub mod fieldwork;
pub mod intake;
pub mod legal_help;
pub mod new_sites;
pub mod org;
pub mod party;
pub mod publicity;
pub mod security;
pub mod special_care;
pub mod stars;
pub mod supervision;
pub mod talks;
pub mod time;
pub mod top_ten;
pub mod training;
pub mod vending;
pub mod worktime;
