//! The case list's text index: the two-character pieces (bigrams) of a case's number, title and
//! party name, stored in `case_terms` beside the case's place in the list.
//!
//! Why bigrams rather than words: Chinese has no spaces, and the things staff type into the
//! search box — a party's name (often two characters: 张伟), part of a title (占道), the serial
//! of a number (0123) — are short runs of characters. Every run of two or more characters
//! contains at least one bigram, and a case containing the run contains all of them, so the
//! index can only narrow the list, never hide a match; the `LIKE` on the real text then decides.
//! (A trigram index, as FTS5's trigram tokenizer or `pg_trgm` builds, would miss two-character
//! names.) A one-character query has no bigram and falls back to reading the list.

use std::collections::BTreeSet;

use crate::store::{AuditedTx, on_tx};

/// Characters of a field as the index sees them: no spaces, ASCII letters in lower case (a
/// number typed as `g000` finds `G000`; SQLite's `LIKE` ignores ASCII case as well).
fn normalised(text: &str) -> Vec<char> {
    text.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_lowercase()).collect()
}

/// The distinct bigrams of each field, in order. Fields are split separately, so no bigram
/// spans the end of a title and the start of a name.
pub fn terms<'a>(fields: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for field in fields {
        let chars = normalised(field);
        for pair in chars.windows(2) {
            out.insert(pair.iter().collect());
        }
    }
    out
}

/// The bigrams a search for `query` must find, or none when the query is shorter than two
/// characters (it is then matched by reading the list).
pub fn query_terms(query: &str) -> Vec<String> {
    terms([query]).into_iter().collect()
}

/// How many of the query's bigrams a search looks up to find the rarest two: a long query's
/// later bigrams add little, and each lookup is one more index probe.
pub const MAX_PROBED_TERMS: usize = 8;

/// Rows of `case_terms` one INSERT carries: three binds each, well under SQLite's limit of
/// 32,766 parameters a statement.
pub(crate) const ROWS_PER_INSERT: usize = 5_000;

/// One INSERT of index rows `(term, created_at, case_id)`.
pub(crate) fn insert_terms<DB>(rows: &[(String, &str, &str)]) -> sqlx::QueryBuilder<DB>
where
    DB: sqlx::Database,
    for<'x> &'x str: sqlx::Encode<'x, DB> + sqlx::Type<DB>,
{
    let mut insert = sqlx::QueryBuilder::new("INSERT INTO case_terms (term, created_at, case_id) ");
    insert.push_values(rows, |mut row, (term, created_at, case_id)| {
        row.push_bind(term.as_str()).push_bind(*created_at).push_bind(*case_id);
    });
    insert
}

/// The index rows of every case, for filling the index where cases exist before it: runs in
/// the migration's transaction, so the index is whole or absent.
macro_rules! backfill_case_terms {
    ($conn:expr) => {{
        let cases: Vec<(String, String, String, String, String)> = sqlx::query_as(
            "SELECT c.id, c.created_at, c.number, c.title, p.name FROM cases c JOIN parties p ON p.id = c.party_id",
        )
        .fetch_all(&mut *$conn)
        .await?;
        let mut rows: Vec<(String, &str, &str)> = Vec::new();
        for (id, created_at, number, title, name) in &cases {
            for term in $crate::store::search::terms([number.as_str(), title.as_str(), name.as_str()]) {
                rows.push((term, created_at.as_str(), id.as_str()));
            }
        }
        for chunk in rows.chunks($crate::store::search::ROWS_PER_INSERT) {
            $crate::store::search::insert_terms(chunk).build().execute(&mut *$conn).await?;
        }
    }};
}
pub(crate) use backfill_case_terms;

impl AuditedTx {
    /// Indexes a new case under its number, title and party name. The name is read here, in
    /// the case's own transaction, so a correction of the name committed before it is seen.
    pub(crate) async fn index_case_terms(
        &mut self,
        case_id: &str,
        created_at: &str,
        number: &str,
        title: &str,
        party_id: &str,
    ) -> Result<(), sqlx::Error> {
        on_tx!(&mut self.tx, |conn| {
            // Taking the party's row for update (a write that changes nothing) orders this
            // against a concurrent correction of the name on PostgreSQL, whose reads do not
            // wait for writers: either the correction sees this case, or this sees the new name.
            let name: String =
                sqlx::query_scalar("UPDATE parties SET version = version WHERE id = $1 RETURNING name")
                    .bind(party_id)
                    .fetch_one(&mut *conn)
                    .await?;
            let rows: Vec<(String, &str, &str)> =
                terms([number, title, name.as_str()]).into_iter().map(|t| (t, created_at, case_id)).collect();
            if !rows.is_empty() {
                insert_terms(&rows).build().execute(&mut *conn).await?;
            }
            Ok(())
        })
    }

    /// Re-indexes a party's cases after its name changed: the bigrams only the old name had go,
    /// those only the new name has come; the number's and title's stay.
    pub(crate) async fn reindex_party_terms(
        &mut self,
        party_id: &str,
        old_name: &str,
        new_name: &str,
    ) -> Result<(), sqlx::Error> {
        if old_name == new_name {
            return Ok(());
        }
        on_tx!(&mut self.tx, |conn| {
            let cases: Vec<(String, String, String, String)> =
                sqlx::query_as("SELECT id, created_at, number, title FROM cases WHERE party_id = $1")
                    .bind(party_id)
                    .fetch_all(&mut *conn)
                    .await?;
            for (id, created_at, number, title) in &cases {
                let before = terms([number.as_str(), title.as_str(), old_name]);
                let after = terms([number.as_str(), title.as_str(), new_name]);
                let gone: Vec<&String> = before.difference(&after).collect();
                if !gone.is_empty() {
                    let mut delete = sqlx::QueryBuilder::new("DELETE FROM case_terms WHERE case_id = ");
                    delete.push_bind(id.as_str()).push(" AND created_at = ").push_bind(created_at.as_str());
                    delete.push(" AND term IN (");
                    let mut list = delete.separated(", ");
                    for term in gone {
                        list.push_bind(term.as_str());
                    }
                    delete.push(")");
                    delete.build().execute(&mut *conn).await?;
                }
                let new: Vec<(String, &str, &str)> = after
                    .difference(&before)
                    .map(|t| (t.clone(), created_at.as_str(), id.as_str()))
                    .collect();
                if !new.is_empty() {
                    insert_terms(&new).build().execute(&mut *conn).await?;
                }
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_split_into_distinct_bigrams_without_crossing_fields() {
        let got = terms(["张伟", "占道 经营", "G01"]);
        let want: BTreeSet<String> =
            ["张伟", "占道", "道经", "经营", "g0", "01"].into_iter().map(String::from).collect();
        assert_eq!(got, want);
        assert!(!got.contains("伟占"), "a bigram spans two fields: {got:?}");
    }

    #[test]
    fn a_single_character_query_has_no_terms() {
        assert!(query_terms("张").is_empty());
        assert!(query_terms(" 张 ").is_empty());
        assert_eq!(query_terms("张 伟"), vec!["张伟".to_owned()]);
    }

    /// The property the search rests on: whenever a field contains the query (as the `LIKE`
    /// that decides reads it), every bigram of the query is among the field's terms.
    #[test]
    fn every_substring_of_a_field_finds_it() {
        let fields = ["钟楼城管罚〔2026〕第0123号", "擅自占用城市道路设摊经营", "常州市钟楼区张伟餐饮店"];
        let indexed = terms(fields);
        for field in fields {
            let chars: Vec<char> = field.chars().collect();
            for start in 0..chars.len() {
                for end in start + 2..=chars.len() {
                    let query: String = chars[start..end].iter().collect();
                    for term in query_terms(&query) {
                        assert!(indexed.contains(&term), "{query} needs {term}, not indexed");
                    }
                }
            }
        }
    }
}
