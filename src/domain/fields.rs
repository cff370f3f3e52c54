//! Field-level validation errors: a stable code for the API, a Chinese message for the UI.

use chrono::NaiveDate;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub code: &'static str,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FieldErrors(Vec<FieldError>);

/// The field code of a taken unique value.
pub const DUPLICATE: &str = "duplicate";

impl FieldErrors {
    pub fn single(field: &'static str, code: &'static str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::default();
        errors.add(field, code, message);
        errors
    }
    pub fn add(&mut self, field: &'static str, code: &'static str, message: impl Into<String>) {
        self.0.push(FieldError { field, code, message: message.into() });
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = &FieldError> {
        self.0.iter()
    }
    /// The message for one field, for re-rendering a form.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|e| e.field == field).map(|e| e.message.as_str())
    }
    /// A value that must be unique and is already taken (a code, a number, a share): the input
    /// is well formed but conflicts with what is stored, so the API answers 409 `duplicate`.
    pub fn duplicate(field: &'static str, message: impl Into<String>) -> Self {
        FieldErrors::single(field, DUPLICATE, message)
    }
    /// Whether every error is a taken unique value ([`FieldErrors::duplicate`]).
    pub fn only_duplicates(&self) -> bool {
        !self.0.is_empty() && self.0.iter().all(|e| e.code == DUPLICATE)
    }
    pub fn into_result(self) -> Result<(), FieldErrors> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
        f.write_str(&parts.join("; "))
    }
}

// The field readers the domain's inputs share: each adds its error and answers what it read,
// so that a form reports every bad field at once.

/// A required line of text of at most `max` characters, without control characters.
pub fn line(errors: &mut FieldErrors, field: &'static str, raw: &str, max: usize, message: &str) -> String {
    let text = raw.trim();
    if text.is_empty() || text.chars().count() > max || text.chars().any(char::is_control) {
        errors.add(field, "invalid_value", format!("{message}（{max} 字以内）"));
    }
    text.to_owned()
}

/// An optional text of at most `max` characters (line breaks allowed).
pub fn text(errors: &mut FieldErrors, field: &'static str, raw: &str, max: usize) -> String {
    let text = raw.trim();
    if text.chars().count() > max || text.chars().any(|c| c.is_control() && c != '\n' && c != '\r') {
        errors.add(field, "too_long", format!("不能超过 {max} 个字"));
    }
    text.to_owned()
}

pub fn date(errors: &mut FieldErrors, field: &'static str, raw: &str, label: &str) -> Option<NaiveDate> {
    let parsed = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok();
    if parsed.is_none() {
        errors.add(field, "invalid_value", format!("请填写{label}（年-月-日）"));
    }
    parsed
}
