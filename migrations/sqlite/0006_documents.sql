-- 0006 official documents (执法文书) as issued: the data they were typeset from, their text, the
-- PDF and its SHA-256. Never changed or deleted: a correction is a new document.

CREATE TABLE documents (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases(id),
    kind       TEXT NOT NULL,
    number     TEXT NOT NULL,
    data       TEXT NOT NULL,
    text       TEXT NOT NULL,
    pdf        BLOB NOT NULL,
    sha256     TEXT NOT NULL,
    issued_by  TEXT NOT NULL,
    issued_at  TEXT NOT NULL,
    UNIQUE (kind, number)
);
CREATE INDEX documents_case ON documents(case_id, issued_at);
CREATE TRIGGER documents_no_update BEFORE UPDATE ON documents
BEGIN SELECT RAISE(ABORT, 'issued documents are immutable'); END;
CREATE TRIGGER documents_no_delete BEFORE DELETE ON documents
BEGIN SELECT RAISE(ABORT, 'issued documents are immutable'); END;
