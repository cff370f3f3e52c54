-- 0025 training (教育培训, the plan's first measure): sessions with attendance, long absences
-- that excuse a month, each year's compliance rules, and on the person the service dates and
-- the day 岗前培训 was completed (the onboarding gate of the case engine).

ALTER TABLE people ADD COLUMN joined_on TEXT;
ALTER TABLE people ADD COLUMN left_on TEXT;
ALTER TABLE people ADD COLUMN onboarded_on TEXT;
-- Everyone already on the register worked before the gate existed: they count as onboarded
-- and in service from the day they were registered. New people onboard through 岗前培训.
UPDATE people SET onboarded_on = substr(created_at, 1, 10), joined_on = substr(created_at, 1, 10);

CREATE TABLE training_rules (
    year        INTEGER PRIMARY KEY,
    body        TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    updated_at  TEXT NOT NULL
);

CREATE TABLE training_sessions (
    id            TEXT PRIMARY KEY,
    unit_id       TEXT NOT NULL REFERENCES units(id),
    kind          TEXT NOT NULL,
    topic         TEXT NOT NULL,
    categories    TEXT NOT NULL DEFAULT '',
    starts_at     TEXT NOT NULL,
    ends_at       TEXT NOT NULL,
    place         TEXT NOT NULL DEFAULT '',
    organiser_id  TEXT REFERENCES people(id),
    teacher       TEXT NOT NULL DEFAULT '',
    makes_up_for  TEXT REFERENCES training_sessions(id),
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL
);
CREATE INDEX training_sessions_unit ON training_sessions(unit_id, starts_at);
CREATE INDEX training_sessions_start ON training_sessions(starts_at);

CREATE TABLE training_attendance (
    session_id  TEXT NOT NULL REFERENCES training_sessions(id),
    person_id   TEXT NOT NULL REFERENCES people(id),
    status      TEXT NOT NULL CHECK (status IN ('present', 'late', 'leave')),
    how         TEXT NOT NULL CHECK (how IN ('code', 'recorded')),
    at          TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (session_id, person_id)
);
CREATE INDEX training_attendance_person ON training_attendance(person_id);

CREATE TABLE person_absences (
    id          TEXT PRIMARY KEY,
    person_id   TEXT NOT NULL REFERENCES people(id),
    kind        TEXT NOT NULL,
    from_on     TEXT NOT NULL,
    to_on       TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX person_absences_person ON person_absences(person_id);
