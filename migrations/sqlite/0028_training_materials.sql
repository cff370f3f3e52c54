-- 0028 a session's materials and its test (issue 15, scope 2): the files (courseware as PDF,
-- photos, recordings) kept in the blob store beside the evidence, whose sweeper keeps them; a
-- pass mark on a session with a test, each attendee's score, and when someone left early (早退).

CREATE TABLE training_materials (
    id          TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES training_sessions(id),
    title       TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    size        BIGINT NOT NULL,
    sha256      TEXT NOT NULL,
    sm3         TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX training_materials_session ON training_materials(session_id);
CREATE INDEX training_materials_sha256 ON training_materials(sha256);

ALTER TABLE training_sessions ADD COLUMN pass_mark BIGINT;
ALTER TABLE training_attendance ADD COLUMN score BIGINT CHECK (score BETWEEN 0 AND 100);
ALTER TABLE training_attendance ADD COLUMN left_early_at TEXT;

-- A session for named people (骨干培训 of squad leaders, 轮训 of auxiliaries …): when it lists
-- any, they are its participants; otherwise everyone of its unit and the units below.
CREATE TABLE training_participants (
    session_id  TEXT NOT NULL REFERENCES training_sessions(id),
    person_id   TEXT NOT NULL REFERENCES people(id),
    PRIMARY KEY (session_id, person_id)
);
