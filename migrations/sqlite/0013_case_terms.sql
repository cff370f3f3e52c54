-- 0013 the case list's text index: every two-character piece (bigram) of a case's number, title
-- and party name, kept in the case list's own order (newest first) so that a search reads the
-- newest matches of its rarest piece from the index instead of every case. Written by the
-- indexer from the queue of 0015 and when a party's name is corrected; filled for existing
-- cases by the migration's Rust step in the same transaction.

CREATE TABLE case_terms (
    term        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    case_id     TEXT NOT NULL REFERENCES cases(id),
    PRIMARY KEY (term, created_at, case_id)
) WITHOUT ROWID;
