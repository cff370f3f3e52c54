-- 0006 official documents (执法文书) as issued: the data they were typeset from, their text, the
-- PDF and its SHA-256. Never changed or deleted: a correction is a new document.

CREATE TABLE documents (
    id         TEXT PRIMARY KEY,
    case_id    TEXT NOT NULL REFERENCES cases(id),
    kind       TEXT NOT NULL,
    number     TEXT NOT NULL,
    data       TEXT NOT NULL,
    text       TEXT NOT NULL,
    pdf        BYTEA NOT NULL,
    sha256     TEXT NOT NULL,
    issued_by  TEXT NOT NULL,
    issued_at  TEXT NOT NULL,
    UNIQUE (kind, number)
);
CREATE INDEX documents_case ON documents(case_id, issued_at);
CREATE FUNCTION documents_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'issued documents are immutable';
END;
$$;
CREATE TRIGGER documents_no_change BEFORE UPDATE OR DELETE ON documents
FOR EACH ROW EXECUTE FUNCTION documents_immutable();
