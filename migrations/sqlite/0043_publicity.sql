-- 0043 宣传 (issue 16 scope 6): the publicity ledger. An entry is one thing put out or taken part
-- in, on one channel, credited to one unit; a 《城管简报》 issue has the pick-up points it was
-- placed at, numbered per issue; copies of reports are `attachments` (owner `publicity_item`).
-- Nothing here is changed or deleted.

CREATE TABLE publicity_items (
    id            TEXT PRIMARY KEY,
    channel       TEXT NOT NULL,
    unit_id       TEXT NOT NULL REFERENCES units(id),
    on_day        TEXT NOT NULL,
    title         TEXT NOT NULL,
    outlet        TEXT NOT NULL,
    link          TEXT NOT NULL,
    issue_no      TEXT NOT NULL,
    copies        BIGINT NOT NULL,
    place         TEXT NOT NULL,
    theme         TEXT,
    participants  BIGINT NOT NULL,
    note          TEXT NOT NULL,
    recorded_by   TEXT NOT NULL,
    recorded_at   TEXT NOT NULL
);
CREATE INDEX publicity_items_day ON publicity_items(on_day, channel);

CREATE TABLE publicity_pickups (
    item_id      TEXT NOT NULL REFERENCES publicity_items(id),
    seq          BIGINT NOT NULL,
    place        TEXT NOT NULL,
    copies       BIGINT NOT NULL CHECK (copies > 0),
    placed_on    TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    PRIMARY KEY (item_id, seq)
);

CREATE TRIGGER publicity_items_fixed BEFORE UPDATE ON publicity_items
BEGIN SELECT RAISE(ABORT, 'a publicity record is never changed'); END;
CREATE TRIGGER publicity_items_kept BEFORE DELETE ON publicity_items
BEGIN SELECT RAISE(ABORT, 'a publicity record is never changed'); END;
CREATE TRIGGER publicity_pickups_fixed BEFORE UPDATE ON publicity_pickups
BEGIN SELECT RAISE(ABORT, 'a publicity record is never changed'); END;
CREATE TRIGGER publicity_pickups_kept BEFORE DELETE ON publicity_pickups
BEGIN SELECT RAISE(ABORT, 'a publicity record is never changed'); END;
