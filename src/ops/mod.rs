//! The operations of the system: open a case, take a step, issue a document, record an upload,
//! register a party and reveal its file.
//!
//! Every entry point calls these: the HTML and JSON handlers (`web`), the command line (`cli`),
//! the demo builder (`demo`) and the background jobs. Each takes an [`Actor`] (who asks, with
//! which roles and scope, from where) and typed input, reads what the domain needs from the
//! store, lets the domain decide, and writes the result with its audit record in one
//! transaction. It answers a typed result or an [`Error`] the caller renders in its own way.
//! Nothing here knows about HTTP: no request, no response, no status code.

pub mod accounts;
pub mod assessment;
pub mod attachments;
pub mod calendar;
pub mod cases;
pub mod counselling;
pub mod disclosure;
pub mod documents;
mod error;
pub mod evidence;
pub mod fieldwork;
pub mod intake;
pub mod joint;
pub mod legal_help;
pub mod new_sites;
pub mod open311;
pub mod org;
pub mod parties;
pub mod people;
pub mod portal;
pub mod publicity;
pub mod settings;
pub mod special_care;
pub mod stars;
pub mod supervision;
pub mod talks;
pub mod top_ten;
pub mod training;
pub mod vending;

pub use error::Error;

use crate::domain::access::{Action, RoleSet, Scope};
use crate::store::AuditCtx;
use crate::store::org::Visibility;

/// Who asks for an operation: the account, its roles and scope, and where the request came
/// from (the client's address, or `cli`, `demo`, `job`), for the audit record.
#[derive(Debug, Clone)]
pub struct Actor {
    pub account_id: String,
    pub username: String,
    pub roles: RoleSet,
    /// The person behind the account (staff accounts have one; administrators may not).
    pub person_id: Option<String>,
    /// The unit the account belongs to, which `Unit` and `Subtree` scopes start from.
    pub unit_id: Option<String>,
    /// The client's address or the name of the entry point.
    pub source: String,
    /// The request this operation serves, so that its audit records can be found together.
    pub request_id: String,
}

impl Actor {
    /// An account acting through an entry point that is not a request: the demo builder, a job,
    /// the command line (`source` names it).
    pub fn acting_as(account: crate::store::accounts::Account, source: &str) -> Actor {
        Actor {
            account_id: account.id,
            username: account.username,
            roles: account.roles,
            person_id: account.person_id,
            unit_id: account.unit_id,
            source: source.to_owned(),
            request_id: String::new(),
        }
    }

    /// Refuses unless one of the actor's roles may perform `action` at some scope: the check
    /// an operation makes itself, so that an entry point which forgets its route policy (a
    /// job, the CLI, a new screen) still cannot reach it.
    pub fn require(&self, action: Action) -> Result<(), Error> {
        if self.roles.scope(action).is_none() {
            return Err(Error::Forbidden);
        }
        Ok(())
    }

    /// Which records this actor may see or act on for `action`.
    pub fn visibility(&self, action: Action) -> Visibility {
        visibility(&self.roles, self.unit_id.as_deref(), self.person_id.as_deref(), action)
    }

    /// Who and where, for the audit record of what this actor does.
    pub fn audit_ctx(&self) -> AuditCtx {
        AuditCtx {
            actor: self.username.clone(),
            role: self.roles.codes(),
            source: self.source.clone(),
            request_id: self.request_id.clone(),
        }
    }

    /// The actor as the case engine sees it: a person with roles.
    pub fn engine(&self) -> crate::domain::case::Actor {
        crate::domain::case::Actor { person_id: self.person_id.clone(), roles: self.roles.clone() }
    }
}

/// Which records an account with `roles`, in `unit`, behind `person`, may see or act on for
/// `action`: the one reading of the scope table for every entry point.
pub fn visibility(roles: &RoleSet, unit: Option<&str>, person: Option<&str>, action: Action) -> Visibility {
    let owned = |id: Option<&str>| id.map(str::to_owned);
    match roles.scope(action) {
        None => Visibility::Nothing,
        Some(Scope::All) => Visibility::All,
        Some(Scope::Subtree) => owned(unit).map_or(Visibility::Nothing, Visibility::Subtree),
        Some(Scope::Unit) => owned(unit).map_or(Visibility::Nothing, Visibility::Unit),
        Some(Scope::Own) => owned(person).map_or(Visibility::Nothing, Visibility::Person),
    }
}
