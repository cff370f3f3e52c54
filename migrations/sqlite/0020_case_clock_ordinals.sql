-- 0020 a case may have several clocks of one kind: two seizures, two correction orders, two
-- deferrals each run their own term. `n` numbers the clocks of a kind in the order the engine
-- gives them (0, 1, …), and joins the key. SQLite cannot change a primary key in place: the
-- table is rebuilt, its rows kept.

CREATE TABLE case_clocks_new (
    case_id      TEXT NOT NULL REFERENCES cases(id),
    kind         TEXT NOT NULL,
    n            INTEGER NOT NULL DEFAULT 0,
    unit_id      TEXT NOT NULL,
    start_on     TEXT NOT NULL,
    due_on       TEXT NOT NULL,
    provisional  BOOLEAN NOT NULL,
    duty         BOOLEAN NOT NULL,
    met_on       TEXT,
    PRIMARY KEY (case_id, kind, n)
);
INSERT INTO case_clocks_new (case_id, kind, n, unit_id, start_on, due_on, provisional, duty, met_on)
    SELECT case_id, kind, 0, unit_id, start_on, due_on, provisional, duty, met_on FROM case_clocks;
DROP TABLE case_clocks;
ALTER TABLE case_clocks_new RENAME TO case_clocks;
CREATE INDEX case_clocks_open ON case_clocks(due_on) WHERE met_on IS NULL;
