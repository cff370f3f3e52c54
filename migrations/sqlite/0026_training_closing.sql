-- 0026 training months closed by the office, and the corrections made to them afterwards
-- (issue 15, scope 3: a month is frozen once closed; later edits need a reason and show as
-- corrections). The snapshot keeps each person's figures as they stood at closing, so a
-- changed figure is shown beside the one that was reported, never in its place.

CREATE TABLE training_closures (
    month       TEXT PRIMARY KEY,
    closed_at   TEXT NOT NULL,
    closed_by   TEXT NOT NULL,
    snapshot    TEXT NOT NULL
);

CREATE TABLE training_corrections (
    id          TEXT PRIMARY KEY,
    month       TEXT NOT NULL REFERENCES training_closures(month),
    session_id  TEXT NOT NULL REFERENCES training_sessions(id),
    person_id   TEXT REFERENCES people(id),
    what        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    by_name     TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX training_corrections_month ON training_corrections(month, at);
