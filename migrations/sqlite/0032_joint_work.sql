-- 0032 Joint work with other departments (issue 17 scope 4): the partner departments list
-- becomes editable over versions, and the 联席会议 are recorded with the tasks agreed, each
-- tracked to done. A meeting's record is never deleted or rewritten (a correction is a new
-- meeting record); a task changes once, when it is reported done.

ALTER TABLE partner_departments ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

CREATE TABLE joint_meetings (
    id           TEXT PRIMARY KEY,
    held_on      TEXT NOT NULL,
    topic        TEXT NOT NULL,
    place        TEXT NOT NULL,
    departments  TEXT NOT NULL,
    attendees    TEXT NOT NULL,
    minutes      TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX joint_meetings_held ON joint_meetings(held_on);
CREATE TRIGGER joint_meetings_no_update BEFORE UPDATE ON joint_meetings
BEGIN SELECT RAISE(ABORT, 'joint_meetings is append-only'); END;
CREATE TRIGGER joint_meetings_no_delete BEFORE DELETE ON joint_meetings
BEGIN SELECT RAISE(ABORT, 'joint_meetings is append-only'); END;

CREATE TABLE joint_tasks (
    id          TEXT PRIMARY KEY,
    meeting_id  TEXT NOT NULL REFERENCES joint_meetings(id),
    task        TEXT NOT NULL,
    owner       TEXT NOT NULL,
    due_on      TEXT NOT NULL,
    done_on     TEXT,
    outcome     TEXT NOT NULL,
    added_at    TEXT NOT NULL,
    version     INTEGER NOT NULL
);
CREATE INDEX joint_tasks_meeting ON joint_tasks(meeting_id);
CREATE INDEX joint_tasks_open ON joint_tasks(done_on, due_on);
CREATE TRIGGER joint_tasks_no_delete BEFORE DELETE ON joint_tasks
BEGIN SELECT RAISE(ABORT, 'joint_tasks are never deleted'); END;
