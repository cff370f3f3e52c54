-- 0007 warnings raised by the background job, and the lease that makes one instance its runner.

-- One row per overdue duty clock and end date: raised once, kept as the record that the
-- bureau was warned (possible inaction, 行政处罚法 Art. 76).
CREATE TABLE alerts (
    case_id    TEXT NOT NULL REFERENCES cases(id),
    clock      TEXT NOT NULL,
    due_on     TEXT NOT NULL,
    unit_id    TEXT NOT NULL,
    raised_at  TEXT NOT NULL,
    PRIMARY KEY (case_id, clock, due_on)
);
CREATE INDEX alerts_unit ON alerts(unit_id, raised_at);

-- Leader election for periodic jobs: the instance holding an unexpired lease runs the job.
CREATE TABLE job_leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);

-- The unfiltered case list pages by creation time.
CREATE INDEX cases_created ON cases(created_at);
