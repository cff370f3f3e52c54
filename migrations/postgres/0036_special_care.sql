-- 0036 The special-care archive (issue 18 scope 7; 个人信息保护法 Arts. 28–29): the parties the
-- bureau cares for, the help given to each, and the grants that let an account read them.
-- Nothing here is deleted: an entry is closed with its reason, help is appended, a grant is
-- revoked (once) and never rewritten, so who could read what, and when, stays answerable.

CREATE TABLE care_entries (
    id            TEXT PRIMARY KEY,
    party_id      TEXT NOT NULL REFERENCES parties(id),
    unit_id       TEXT NOT NULL REFERENCES units(id),
    category      TEXT NOT NULL,
    circumstances TEXT NOT NULL,
    opened_on     TEXT NOT NULL,
    closed_on     TEXT,
    close_reason  TEXT NOT NULL DEFAULT '',
    recorded_by   TEXT NOT NULL,
    recorded_at   TEXT NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1
);
-- One open entry per party (一人一档): a second one would split the help between two files.
CREATE UNIQUE INDEX care_entries_open_party ON care_entries(party_id) WHERE closed_on IS NULL;
CREATE INDEX care_entries_unit ON care_entries(unit_id);

CREATE TABLE care_help (
    id           TEXT PRIMARY KEY,
    entry_id     TEXT NOT NULL REFERENCES care_entries(id),
    given_on     TEXT NOT NULL,
    kind         TEXT NOT NULL,
    description  TEXT NOT NULL,
    given_by     TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX care_help_entry ON care_help(entry_id);
CREATE INDEX care_help_given ON care_help(given_on);

CREATE TABLE care_grants (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts(id),
    purpose     TEXT NOT NULL,
    until       TEXT NOT NULL,
    granted_by  TEXT NOT NULL,
    granted_at  TEXT NOT NULL,
    revoked_at  TEXT,
    revoked_by  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX care_grants_account ON care_grants(account_id);

CREATE FUNCTION special_care_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '% rows are never deleted', TG_TABLE_NAME;
    END IF;
    IF TG_TABLE_NAME = 'care_help' THEN
        RAISE EXCEPTION 'care_help is append-only';
    END IF;
    -- A closing stands, and an entry keeps its party and its opening. The sealed category
    -- and circumstances may be rewritten under a new key (`chengguan keys rotate`, then reseal).
    -- Nested IFs: an expression naming another table's columns would fail on this row.
    IF TG_TABLE_NAME = 'care_entries' THEN
        IF (OLD.closed_on IS NOT NULL AND (NEW.closed_on IS DISTINCT FROM OLD.closed_on
                                          OR NEW.close_reason <> OLD.close_reason OR NEW.unit_id <> OLD.unit_id))
           OR NEW.party_id <> OLD.party_id OR NEW.opened_on <> OLD.opened_on
           OR NEW.recorded_by <> OLD.recorded_by OR NEW.recorded_at <> OLD.recorded_at THEN
            RAISE EXCEPTION 'a closed care entry, or its party, is never rewritten';
        END IF;
    END IF;
    IF TG_TABLE_NAME = 'care_grants' THEN
        IF OLD.revoked_at IS NOT NULL OR NEW.account_id <> OLD.account_id OR NEW.purpose <> OLD.purpose
           OR NEW.until <> OLD.until OR NEW.granted_by <> OLD.granted_by OR NEW.granted_at <> OLD.granted_at THEN
            RAISE EXCEPTION 'a care grant is only ever revoked, once';
        END IF;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER care_entries_guard BEFORE UPDATE OR DELETE ON care_entries
FOR EACH ROW EXECUTE FUNCTION special_care_guard();
CREATE TRIGGER care_help_guard BEFORE UPDATE OR DELETE ON care_help
FOR EACH ROW EXECUTE FUNCTION special_care_guard();
CREATE TRIGGER care_grants_guard BEFORE UPDATE OR DELETE ON care_grants
FOR EACH ROW EXECUTE FUNCTION special_care_guard();
