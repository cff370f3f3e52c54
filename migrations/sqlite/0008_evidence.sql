-- 0008 evidence (证据): items with their digests and where they belong, and the custody record
-- of everything that happened to each. The bytes live in the blob store under their SHA-256.
-- An item's content columns never change; custody records are never changed or deleted; items
-- are never deleted (a deletion marks the item and removes its bytes, the record stays).

CREATE TABLE evidence_items (
    id                    TEXT PRIMARY KEY,
    sha256                TEXT NOT NULL,
    sm3                   TEXT NOT NULL,
    size                  INTEGER NOT NULL,
    media_type            TEXT NOT NULL,
    kind                  TEXT NOT NULL,
    description           TEXT NOT NULL,
    original_name         TEXT NOT NULL,
    unit_id               TEXT NOT NULL REFERENCES units(id),
    collected_by          TEXT NOT NULL,
    uploaded_by           TEXT NOT NULL,
    device_time           TEXT,
    received_at           TEXT NOT NULL,
    clock_skew            INTEGER NOT NULL,
    location              TEXT NOT NULL,
    device_no             TEXT NOT NULL,
    case_id               TEXT REFERENCES cases(id),
    act                   TEXT NOT NULL,
    legal_hold            INTEGER NOT NULL,
    deletion_requested_at TEXT,
    deletion_requested_by TEXT,
    deletion_reason       TEXT,
    deleted_at            TEXT,
    deleted_by            TEXT,
    version               INTEGER NOT NULL
);
CREATE INDEX evidence_items_sha256 ON evidence_items(sha256);
CREATE INDEX evidence_items_case ON evidence_items(case_id, received_at);
CREATE INDEX evidence_items_unit ON evidence_items(unit_id, received_at);
CREATE TRIGGER evidence_items_content_fixed
BEFORE UPDATE OF id, sha256, sm3, size, media_type, received_at, uploaded_by ON evidence_items
BEGIN SELECT RAISE(ABORT, 'evidence content is immutable'); END;
CREATE TRIGGER evidence_items_no_delete BEFORE DELETE ON evidence_items
BEGIN SELECT RAISE(ABORT, 'evidence items are never deleted'); END;

CREATE TABLE evidence_custody (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id  TEXT NOT NULL REFERENCES evidence_items(id),
    event    TEXT NOT NULL,
    actor    TEXT NOT NULL,
    at       TEXT NOT NULL,
    address  TEXT NOT NULL,
    sha256   TEXT NOT NULL,
    details  TEXT NOT NULL
);
CREATE INDEX evidence_custody_item ON evidence_custody(item_id, seq);
CREATE TRIGGER evidence_custody_no_update BEFORE UPDATE ON evidence_custody
BEGIN SELECT RAISE(ABORT, 'custody records are append-only'); END;
CREATE TRIGGER evidence_custody_no_delete BEFORE DELETE ON evidence_custody
BEGIN SELECT RAISE(ABORT, 'custody records are append-only'); END;
