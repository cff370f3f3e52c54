-- 0008 evidence (证据): items with their digests and where they belong, and the custody record
-- of everything that happened to each. The bytes live in the blob store under their SHA-256.
-- An item's content columns never change; custody records are never changed or deleted; items
-- are never deleted (a deletion marks the item and removes its bytes, the record stays).

CREATE TABLE evidence_items (
    id                    TEXT PRIMARY KEY,
    sha256                TEXT NOT NULL,
    sm3                   TEXT NOT NULL,
    size                  BIGINT NOT NULL,
    media_type            TEXT NOT NULL,
    kind                  TEXT NOT NULL,
    description           TEXT NOT NULL,
    original_name         TEXT NOT NULL,
    unit_id               TEXT NOT NULL REFERENCES units(id),
    collected_by          TEXT NOT NULL,
    uploaded_by           TEXT NOT NULL,
    device_time           TEXT,
    received_at           TEXT NOT NULL,
    clock_skew            BOOLEAN NOT NULL,
    location              TEXT NOT NULL,
    device_no             TEXT NOT NULL,
    case_id               TEXT REFERENCES cases(id),
    act                   TEXT NOT NULL,
    legal_hold            BOOLEAN NOT NULL,
    deletion_requested_at TEXT,
    deletion_requested_by TEXT,
    deletion_reason       TEXT,
    deleted_at            TEXT,
    deleted_by            TEXT,
    version               BIGINT NOT NULL
);
CREATE INDEX evidence_items_sha256 ON evidence_items(sha256);
CREATE INDEX evidence_items_case ON evidence_items(case_id, received_at);
CREATE INDEX evidence_items_unit ON evidence_items(unit_id, received_at);
CREATE FUNCTION evidence_items_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'evidence items are never deleted';
    END IF;
    IF NEW.id <> OLD.id OR NEW.sha256 <> OLD.sha256 OR NEW.sm3 <> OLD.sm3 OR NEW.size <> OLD.size
       OR NEW.media_type <> OLD.media_type OR NEW.received_at <> OLD.received_at
       OR NEW.uploaded_by <> OLD.uploaded_by THEN
        RAISE EXCEPTION 'evidence content is immutable';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER evidence_items_guard BEFORE UPDATE OR DELETE ON evidence_items
FOR EACH ROW EXECUTE FUNCTION evidence_items_guard();

CREATE TABLE evidence_custody (
    seq      BIGSERIAL PRIMARY KEY,
    item_id  TEXT NOT NULL REFERENCES evidence_items(id),
    event    TEXT NOT NULL,
    actor    TEXT NOT NULL,
    at       TEXT NOT NULL,
    address  TEXT NOT NULL,
    sha256   TEXT NOT NULL,
    details  TEXT NOT NULL
);
CREATE INDEX evidence_custody_item ON evidence_custody(item_id, seq);
CREATE FUNCTION evidence_custody_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'custody records are append-only';
END;
$$;
CREATE TRIGGER evidence_custody_no_change BEFORE UPDATE OR DELETE ON evidence_custody
FOR EACH ROW EXECUTE FUNCTION evidence_custody_append_only();
