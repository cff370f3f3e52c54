//! chengguan (城管执法规范化管理平台): the system an urban-management law-enforcement bureau
//! runs its enforcement work and its team on. Modules in reading order:

// Money is counted in fen and written `yuan_fen` (`3_000_00` is 3,000 yuan), which this lint
// would regroup into an unreadable `300_000`.
#![allow(clippy::inconsistent_digit_grouping)]

/// The audit chain's signed checkpoints in the object store, and verification against them.
pub mod anchor;
/// Application state and the server loop.
pub mod app;
/// Password hashing and secret tokens.
pub mod auth;
/// Backup and restore: a consistent copy while serving, returned only if it verifies.
pub mod backup;
/// Write-once evidence bytes: local folder or S3, staged, digested, content-addressed.
pub mod blobs;
/// The command line.
pub mod cli;
/// The only reader of the time; tests use a manual clock.
pub mod clock;
/// Configuration layers: defaults, file, `CHENGGUAN_*` environment, flags.
pub mod config;
/// The demo district that `serve --demo` builds.
pub mod demo;
/// The bureau's rules as pure data and functions: no I/O, no clock.
pub mod domain;
/// Evidence work that needs database and blob store together: verify, export packages.
pub mod evidence;
/// The bureau's keys, from a file outside the database: HMAC-SM3 for audit checkpoints and
/// export packages.
pub mod keys;
/// The operations every entry point calls: open a case, take a step, issue a document, record
/// an upload; an actor and typed input in, a typed result or a refusal out.
pub mod ops;
/// The scenario simulator: a case's steps on chosen dates, run against the engine, nothing written.
pub mod simulate;
/// All SQL, for SQLite and PostgreSQL, with the audit chain written in the same transaction.
pub mod store;
/// HTTP: route table, guard, pages, JSON API.
pub mod web;
