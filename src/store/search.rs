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
//!
//! Digits get longer pieces as well. Ten digits make only a hundred bigrams, each under most
//! cases' numbers, so a number fragment (`000123`) would still read the whole list; every run of
//! three to [`DIGIT_PIECE_MAX`] digits inside a field's runs of digits is therefore indexed too,
//! and a query's own run of digits is looked up whole (or in windows of that length).

use std::collections::BTreeSet;

use crate::store::{AuditedTx, Db, on_tx};

/// Characters of a field as the index sees them: no spaces, ASCII letters in lower case (a
/// number typed as `g000` finds `G000`; SQLite's `LIKE` ignores ASCII case as well).
fn normalised(text: &str) -> Vec<char> {
    text.chars().filter(|c| !c.is_whitespace()).map(|c| c.to_ascii_lowercase()).collect()
}

/// Shortest run of digits indexed beside the bigrams: a two-digit piece is a bigram already.
pub const DIGIT_PIECE_MIN: usize = 3;

/// Longest run of digits indexed whole: a case number's serial (`2026-000123`) has six, and
/// every piece of three to six digits of a six-digit run is ten entries; a longer run is indexed
/// in pieces up to this length and looked up by them.
pub const DIGIT_PIECE_MAX: usize = 6;

/// The two-character pieces of a normalised field, in order (repeats included).
fn bigrams(chars: &[char]) -> impl Iterator<Item = String> + '_ {
    chars.windows(2).map(|pair| pair.iter().collect())
}

/// The runs of ASCII digits of a normalised field, at least [`DIGIT_PIECE_MIN`] long.
fn digit_runs(chars: &[char]) -> impl Iterator<Item = &[char]> {
    chars.split(|c| !c.is_ascii_digit()).filter(|run| run.len() >= DIGIT_PIECE_MIN)
}

/// The distinct index entries of each field: its bigrams, and every piece of
/// [`DIGIT_PIECE_MIN`] to [`DIGIT_PIECE_MAX`] digits inside its runs of digits. Fields are split
/// separately, so no entry spans the end of a title and the start of a name.
pub fn terms<'a>(fields: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for field in fields {
        let chars = normalised(field);
        out.extend(bigrams(&chars));
        for run in digit_runs(&chars) {
            for len in DIGIT_PIECE_MIN..=DIGIT_PIECE_MAX.min(run.len()) {
                for piece in run.windows(len) {
                    out.insert(piece.iter().collect());
                }
            }
        }
    }
    out
}

/// The entries a case matching `query` must have, the most telling first: each run of digits
/// of the query (whole, or its windows of [`DIGIT_PIECE_MAX`] when longer), longest first, then
/// the bigrams. None when the query is shorter than two characters (it is then matched by
/// reading the list).
///
/// A run of digits of the query lies inside a run of digits of any field containing the query,
/// so the field has it among its pieces (or has each of its windows).
pub fn query_terms(query: &str) -> Vec<String> {
    let chars = normalised(query);
    let mut digits: Vec<String> = Vec::new();
    for run in digit_runs(&chars) {
        for piece in run.windows(DIGIT_PIECE_MAX.min(run.len())) {
            let piece: String = piece.iter().collect();
            if !digits.contains(&piece) {
                digits.push(piece);
            }
        }
    }
    digits.sort_by_key(|piece| std::cmp::Reverse(piece.len()));
    let distinct: BTreeSet<String> = bigrams(&chars).collect();
    digits.into_iter().chain(distinct).collect()
}

/// How many of the query's entries (its runs of digits first, then its bigrams) a search looks
/// up to find the rarest two: a long query's later entries add little, and each lookup is one
/// more index probe.
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
    // A case indexed twice (by the indexer and by a name correction racing it) keeps one entry.
    insert.push(" ON CONFLICT DO NOTHING");
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
    /// Queues a new case for the text index: one row at the end of `case_terms_pending`, found
    /// by searches at once and indexed by [`Db::index_pending_terms`] in a later batch.
    pub(crate) async fn queue_case_terms(
        &mut self,
        case_id: &str,
        created_at: &str,
    ) -> Result<(), sqlx::Error> {
        on_tx!(&mut self.tx, |conn| {
            sqlx::query("INSERT INTO case_terms_pending (created_at, case_id) VALUES ($1, $2)")
                .bind(created_at)
                .bind(case_id)
                .execute(conn)
                .await?;
        });
        Ok(())
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
            // The party's cases still queued are indexed here, under the new name, and leave the
            // queue: an indexer batch that read the old name then deletes fewer queued rows
            // than it took and rolls back (`index_pending_terms`).
            let queued: std::collections::HashSet<String> = sqlx::query_scalar(
                "SELECT q.case_id FROM case_terms_pending q JOIN cases c ON c.id = q.case_id WHERE c.party_id = $1",
            )
            .bind(party_id)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();
            for (id, created_at, number, title) in &cases {
                if queued.contains(id) {
                    let rows: Vec<(String, &str, &str)> = terms([number.as_str(), title.as_str(), new_name])
                        .into_iter()
                        .map(|t| (t, created_at.as_str(), id.as_str()))
                        .collect();
                    if !rows.is_empty() {
                        insert_terms(&rows).build().execute(&mut *conn).await?;
                    }
                    sqlx::query("DELETE FROM case_terms_pending WHERE created_at = $1 AND case_id = $2")
                        .bind(created_at)
                        .bind(id)
                        .execute(&mut *conn)
                        .await?;
                    continue;
                }
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

/// Moves up to `batch` queued cases into the index in transaction `$tx`, and ends it: reads
/// their number, title and party name, writes their entries, deletes their queue rows. Batches
/// are what make the index cheap to keep: a thousand cases share the index pages their common
/// bigrams touch, where one case at a time rewrote twenty-odd scattered pages per write. Gives
/// how many cases it indexed (`Some(0)`: nothing was queued), or `None` when a party's name
/// correction took some of them meanwhile: the batch rolled back, the next run takes the rest.
macro_rules! index_batch {
    ($tx:expr, $batch:expr) => {{
        let queued: Vec<(String, String, String, String, String)> = sqlx::query_as(
            "SELECT q.created_at, q.case_id, c.number, c.title, p.name FROM case_terms_pending q \
             JOIN cases c ON c.id = q.case_id JOIN parties p ON p.id = c.party_id \
             ORDER BY q.created_at, q.case_id LIMIT $1",
        )
        .bind($batch)
        .fetch_all(&mut *$tx)
        .await?;
        let mut rows: Vec<(String, &str, &str)> = Vec::new();
        for (created_at, id, number, title, name) in &queued {
            for term in terms([number.as_str(), title.as_str(), name.as_str()]) {
                rows.push((term, created_at.as_str(), id.as_str()));
            }
        }
        for chunk in rows.chunks(ROWS_PER_INSERT) {
            insert_terms(chunk).build().execute(&mut *$tx).await?;
        }
        // Each case has one queue row, under its own creation time, so the pairs of the two
        // lists name exactly the rows taken, and nothing queued meanwhile.
        let mut deleted = 0;
        for chunk in queued.chunks(ROWS_PER_INSERT) {
            let mut delete = sqlx::QueryBuilder::new("DELETE FROM case_terms_pending WHERE created_at IN (");
            let mut list = delete.separated(", ");
            for (created_at, ..) in chunk {
                list.push_bind(created_at.as_str());
            }
            delete.push(") AND case_id IN (");
            let mut list = delete.separated(", ");
            for (_, id, ..) in chunk {
                list.push_bind(id.as_str());
            }
            delete.push(")");
            deleted += delete.build().execute(&mut *$tx).await?.rows_affected();
        }
        if deleted == queued.len() as u64 {
            $tx.commit().await?;
            Some(queued.len())
        } else {
            $tx.rollback().await?;
            None
        }
    }};
}

/// Cases the indexer takes in one transaction: large enough to share index pages, small enough
/// to hold the write lock for well under a second.
pub const INDEX_BATCH: i64 = 2_000;

impl Db {
    /// Indexes queued cases, a batch at a time, until the queue is empty or `max` cases are done;
    /// returns how many it indexed. Not audited: the index is derived from audited records and
    /// changes no state anyone decided.
    pub async fn index_pending_terms(&self, max: usize) -> Result<usize, sqlx::Error> {
        let mut done = 0;
        while done < max {
            let batch = INDEX_BATCH.min(i64::try_from(max - done).unwrap_or(i64::MAX));
            let taken: Option<usize> = match &self.pool {
                super::Pool::Sqlite(pool) => {
                    let _writer = self.writer().lock.clone().lock_owned().await;
                    let mut tx = super::sqlite_write_pool(pool).begin_with("BEGIN IMMEDIATE").await?;
                    index_batch!(tx, batch)
                }
                super::Pool::Postgres(pool) => {
                    let mut tx = pool.begin().await?;
                    index_batch!(tx, batch)
                }
            };
            match taken {
                Some(0) | None => break,
                Some(n) => done += n,
            }
        }
        Ok(done)
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
    fn digit_runs_add_pieces_of_three_to_six_digits() {
        let got = terms(["2026-000123"]);
        for piece in [
            "202", "026", "2026", "000", "001", "012", "123", "0001", "0012", "0123", "00012", "00123",
            "000123",
        ] {
            assert!(got.contains(piece), "{piece} missing from {got:?}");
        }
        assert!(!got.contains("6-0"), "a piece spans a non-digit: {got:?}");
        assert!(!terms(["第12号"]).iter().any(|t| t.chars().count() > 2), "two digits make no piece");
        // A query's run of digits is looked up whole, longest first; a long run by its windows.
        assert_eq!(&query_terms("2026-000123")[..2], ["000123".to_owned(), "2026".to_owned()]);
        assert_eq!(&query_terms("1234567")[..2], ["123456".to_owned(), "234567".to_owned()]);
    }

    #[test]
    fn a_single_character_query_has_no_terms() {
        assert!(query_terms("张").is_empty());
        assert!(query_terms(" 张 ").is_empty());
        assert_eq!(query_terms("张 伟"), vec!["张伟".to_owned()]);
    }

    /// The property the search rests on: whenever a field contains the query (as the `LIKE`
    /// that decides reads it), every entry the query is looked up by is among the field's terms.
    #[test]
    fn every_substring_of_a_field_finds_it() {
        let fields = [
            "钟楼城管罚〔2026〕第0123号",
            "擅自占用城市道路设摊经营",
            "常州市钟楼区张伟餐饮店",
            "2026-000123",
            "凭证 20260001234567 号",
        ];
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
