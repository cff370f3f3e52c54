-- 0003 party registry (当事人信息库, 一人一档): one row per person or organisation, unique by
-- document, so every new matter finds the same file.

CREATE TABLE parties (
    id                    TEXT PRIMARY KEY,
    kind                  TEXT NOT NULL CHECK (kind IN ('person', 'organisation')),
    name                  TEXT NOT NULL,
    document_type         TEXT NOT NULL,
    document_number       TEXT NOT NULL,
    birth_date            TEXT,
    sex                   TEXT,
    legal_representative  TEXT NOT NULL DEFAULT '',
    phone                 TEXT,
    address               TEXT NOT NULL DEFAULT '',
    version               INTEGER NOT NULL DEFAULT 1,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    UNIQUE (document_type, document_number)
);
CREATE INDEX parties_name ON parties(name);
