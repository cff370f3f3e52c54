-- 0042 督察 (issue 16 scope 3): the register of outside supervisors, the year's meeting targets,
-- the meetings with their attendees, the opinions supervisors raise and the steps each opinion
-- goes through; and `attachments`, the files kept with a record that is not evidence (a
-- meeting's minutes and photos; later the publicity ledger's copies), in the blob store beside
-- the evidence.
--
-- A supervisor's phone is sealed like staff phones (`store::personal`). Meetings, attendees,
-- opinions, their steps and attachments are never changed or deleted: an opinion's history is
-- its steps, numbered per opinion, so two offices acting on one opinion at once collide on the
-- step number instead of overwriting each other.

CREATE TABLE supervisors (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    name         TEXT NOT NULL,
    affiliation  TEXT NOT NULL,
    phone        TEXT,
    term_from    TEXT NOT NULL,
    term_to      TEXT NOT NULL,
    account_id   TEXT UNIQUE REFERENCES accounts(id),
    version      BIGINT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX supervisors_kind ON supervisors(kind, term_to);

CREATE TABLE supervision_targets (
    year         BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    meetings     BIGINT NOT NULL CHECK (meetings >= 0),
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    PRIMARY KEY (year, kind)
);

CREATE TABLE supervision_meetings (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    held_on      TEXT NOT NULL,
    place        TEXT NOT NULL,
    agenda       TEXT NOT NULL,
    minutes      TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX supervision_meetings_day ON supervision_meetings(held_on);

CREATE TABLE supervision_attendees (
    meeting_id     TEXT NOT NULL REFERENCES supervision_meetings(id),
    supervisor_id  TEXT NOT NULL REFERENCES supervisors(id),
    PRIMARY KEY (meeting_id, supervisor_id)
);

CREATE TABLE supervision_opinions (
    id             TEXT PRIMARY KEY,
    supervisor_id  TEXT NOT NULL REFERENCES supervisors(id),
    meeting_id     TEXT REFERENCES supervision_meetings(id),
    kind           TEXT NOT NULL,
    received_on    TEXT NOT NULL,
    content        TEXT NOT NULL,
    recorded_by    TEXT NOT NULL,
    recorded_at    TEXT NOT NULL
);
CREATE INDEX supervision_opinions_supervisor ON supervision_opinions(supervisor_id);
CREATE INDEX supervision_opinions_day ON supervision_opinions(received_on);

CREATE TABLE supervision_steps (
    opinion_id  TEXT NOT NULL REFERENCES supervision_opinions(id),
    seq         BIGINT NOT NULL,
    kind        TEXT NOT NULL,
    unit_id     TEXT REFERENCES units(id),
    due_on      TEXT,
    body        TEXT NOT NULL,
    actor       TEXT NOT NULL,
    at          TEXT NOT NULL,
    on_day      TEXT NOT NULL,
    PRIMARY KEY (opinion_id, seq)
);
CREATE INDEX supervision_steps_unit ON supervision_steps(unit_id);

CREATE TABLE attachments (
    id          TEXT PRIMARY KEY,
    owner_kind  TEXT NOT NULL,
    owner_id    TEXT NOT NULL,
    title       TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    size        BIGINT NOT NULL,
    sha256      TEXT NOT NULL,
    sm3         TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX attachments_owner ON attachments(owner_kind, owner_id);
CREATE INDEX attachments_sha256 ON attachments(sha256);

CREATE FUNCTION supervision_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a supervision record is never changed';
END;
$$;
CREATE TRIGGER supervision_meetings_fixed BEFORE UPDATE OR DELETE ON supervision_meetings
FOR EACH ROW EXECUTE FUNCTION supervision_fixed();
CREATE TRIGGER supervision_attendees_fixed BEFORE UPDATE OR DELETE ON supervision_attendees
FOR EACH ROW EXECUTE FUNCTION supervision_fixed();
CREATE TRIGGER supervision_opinions_fixed BEFORE UPDATE OR DELETE ON supervision_opinions
FOR EACH ROW EXECUTE FUNCTION supervision_fixed();
CREATE TRIGGER supervision_steps_fixed BEFORE UPDATE OR DELETE ON supervision_steps
FOR EACH ROW EXECUTE FUNCTION supervision_fixed();
CREATE TRIGGER attachments_fixed BEFORE UPDATE OR DELETE ON attachments
FOR EACH ROW EXECUTE FUNCTION supervision_fixed();
