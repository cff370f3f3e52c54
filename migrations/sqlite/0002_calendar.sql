-- 0002 working-day calendar: the State Council holiday arrangements per year, with their
-- make-up working days. A year without a row in calendar_years is not covered.

CREATE TABLE calendar_years (
    year        INTEGER PRIMARY KEY,
    notice      TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    updated_at  TEXT NOT NULL
);

CREATE TABLE calendar_days (
    date        TEXT PRIMARY KEY,
    year        INTEGER NOT NULL REFERENCES calendar_years(year),
    kind        TEXT NOT NULL CHECK (kind IN ('rest', 'work')),
    festival    TEXT NOT NULL
);
CREATE INDEX calendar_days_year ON calendar_days(year);
