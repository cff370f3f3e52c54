-- 0037 三步走约谈 (issue 18 scope 8): a talk with a party before punishing, its steps and
-- re-inspections as an append-only list of events (`body`, one `domain::talks::TalkEvent` in
-- JSON), and the talk's row with the state folded from them, kept in the same transaction.

CREATE TABLE talks (
    id           TEXT PRIMARY KEY,
    party_id     TEXT NOT NULL REFERENCES parties(id),
    unit_id      TEXT NOT NULL REFERENCES units(id),
    subject      TEXT NOT NULL,
    opened_on    TEXT NOT NULL,
    state        TEXT NOT NULL,
    due_on       TEXT,
    case_id      TEXT REFERENCES cases(id),
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX talks_party ON talks(party_id);
CREATE INDEX talks_unit_state ON talks(unit_id, state);

CREATE TABLE talk_events (
    talk_id      TEXT NOT NULL REFERENCES talks(id),
    seq          BIGINT NOT NULL,
    body         TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    PRIMARY KEY (talk_id, seq)
);
CREATE FUNCTION talks_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER talk_events_no_change BEFORE UPDATE OR DELETE ON talk_events
FOR EACH ROW EXECUTE FUNCTION talks_append_only();
CREATE TRIGGER talks_no_delete BEFORE DELETE ON talks
FOR EACH ROW EXECUTE FUNCTION talks_append_only();
