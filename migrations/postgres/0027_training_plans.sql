-- 0027 yearly training plans (issue 15, scope 1): per unit, year and month, how many sessions
-- of each kind are planned, so plan against actual can be shown. A withdrawn item is kept
-- with the day it was withdrawn, never deleted.

CREATE TABLE training_plan_items (
    id            TEXT PRIMARY KEY,
    unit_id       TEXT NOT NULL REFERENCES units(id),
    year          BIGINT NOT NULL,
    month         BIGINT NOT NULL CHECK (month BETWEEN 1 AND 12),
    kind          TEXT NOT NULL,
    sessions      BIGINT NOT NULL CHECK (sessions > 0),
    topic         TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    withdrawn_at  TEXT
);
CREATE INDEX training_plan_items_unit ON training_plan_items(unit_id, year);
