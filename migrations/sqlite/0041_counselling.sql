-- 0041 心灵管理辅导 (issue 16 scope 5): each squad's 心灵驿站, the counselling centre's yearly
-- plan, and the sessions held with the people who took part. A session's notes are sealed like
-- personal numbers (`store::personal`, re-sealed on key rotation: the only change a session
-- ever takes); the rest of a session and its participants are never changed.

CREATE TABLE counselling_stations (
    id           TEXT PRIMARY KEY,
    unit_id      TEXT NOT NULL UNIQUE REFERENCES units(id),
    place        TEXT NOT NULL,
    opened_on    TEXT NOT NULL,
    note         TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);

CREATE TABLE counselling_plan (
    id           TEXT PRIMARY KEY,
    year         INTEGER NOT NULL,
    month        INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    topic        TEXT NOT NULL,
    audience     TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX counselling_plan_year ON counselling_plan(year, month);

CREATE TABLE counselling_sessions (
    id                  TEXT PRIMARY KEY,
    kind                TEXT NOT NULL,
    held_on             TEXT NOT NULL,
    unit_id             TEXT NOT NULL REFERENCES units(id),
    place               TEXT NOT NULL,
    topic               TEXT NOT NULL,
    notes               TEXT NOT NULL,
    counsellor_account  TEXT NOT NULL REFERENCES accounts(id),
    counsellor_name     TEXT NOT NULL,
    recorded_at         TEXT NOT NULL
);
CREATE INDEX counselling_sessions_day ON counselling_sessions(held_on);
CREATE INDEX counselling_sessions_counsellor ON counselling_sessions(counsellor_account);

CREATE TABLE counselling_participants (
    session_id  TEXT NOT NULL REFERENCES counselling_sessions(id),
    person_id   TEXT NOT NULL REFERENCES people(id),
    PRIMARY KEY (session_id, person_id)
);
CREATE INDEX counselling_participants_person ON counselling_participants(person_id);

CREATE TRIGGER counselling_sessions_fixed
BEFORE UPDATE OF id, kind, held_on, unit_id, place, topic, counsellor_account, counsellor_name, recorded_at
ON counselling_sessions
BEGIN SELECT RAISE(ABORT, 'a counselling session is never changed'); END;
CREATE TRIGGER counselling_sessions_no_delete BEFORE DELETE ON counselling_sessions
BEGIN SELECT RAISE(ABORT, 'a counselling session is never changed'); END;
CREATE TRIGGER counselling_participants_no_update BEFORE UPDATE ON counselling_participants
BEGIN SELECT RAISE(ABORT, 'a counselling session is never changed'); END;
CREATE TRIGGER counselling_participants_no_delete BEFORE DELETE ON counselling_participants
BEGIN SELECT RAISE(ABORT, 'a counselling session is never changed'); END;
