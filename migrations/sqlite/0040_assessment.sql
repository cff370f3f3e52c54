-- 0040 派驻中队目标考核 (issue 16 scope 1): each year's scheme (declared total, adopted once)
-- and its indicators, frozen when the scheme is adopted; the assessors' recorded deductions and
-- awards, append-only; each published period's results as the frozen JSON of
-- `domain::assessment::SquadResult`s, and the corrections made after publication with their
-- reasons, both append-only. case_events gains an index by step and time for the monthly scans.

CREATE TABLE assessment_schemes (
    year        INTEGER PRIMARY KEY,
    total_cp    INTEGER NOT NULL,
    adopted_at  TEXT,
    adopted_by  TEXT,
    version     INTEGER NOT NULL DEFAULT 1,
    updated_at  TEXT NOT NULL
);

CREATE TABLE assessment_indicators (
    id          TEXT PRIMARY KEY,
    year        INTEGER NOT NULL REFERENCES assessment_schemes(year),
    position    INTEGER NOT NULL,
    name        TEXT NOT NULL,
    source      TEXT NOT NULL,
    metric      TEXT,
    rule        TEXT NOT NULL,
    weight_cp   INTEGER NOT NULL,
    per_cp      INTEGER NOT NULL,
    note        TEXT NOT NULL
);
CREATE UNIQUE INDEX assessment_indicators_name ON assessment_indicators(year, name);

CREATE TABLE assessment_entries (
    id            TEXT PRIMARY KEY,
    indicator_id  TEXT NOT NULL REFERENCES assessment_indicators(id),
    unit_id       TEXT NOT NULL REFERENCES units(id),
    on_day        TEXT NOT NULL,
    points_cp     INTEGER NOT NULL,
    note          TEXT NOT NULL,
    basis         TEXT NOT NULL,
    recorded_by   TEXT NOT NULL,
    recorded_at   TEXT NOT NULL
);
CREATE INDEX assessment_entries_day ON assessment_entries(on_day);

CREATE TABLE assessment_publications (
    period        TEXT PRIMARY KEY,
    results       TEXT NOT NULL,
    published_by  TEXT NOT NULL,
    published_at  TEXT NOT NULL
);

CREATE TABLE assessment_corrections (
    id            TEXT PRIMARY KEY,
    period        TEXT NOT NULL REFERENCES assessment_publications(period),
    unit_id       TEXT NOT NULL REFERENCES units(id),
    indicator_id  TEXT NOT NULL REFERENCES assessment_indicators(id),
    points_cp     INTEGER NOT NULL,
    reason        TEXT NOT NULL,
    corrected_by  TEXT NOT NULL,
    corrected_at  TEXT NOT NULL
);
CREATE INDEX assessment_corrections_period ON assessment_corrections(period);

CREATE INDEX case_events_code_at ON case_events(code, at);

CREATE TRIGGER assessment_schemes_frozen BEFORE UPDATE ON assessment_schemes
WHEN OLD.adopted_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'an adopted scheme is frozen'); END;
CREATE TRIGGER assessment_schemes_no_delete BEFORE DELETE ON assessment_schemes
BEGIN SELECT RAISE(ABORT, 'schemes are never deleted'); END;
CREATE TRIGGER assessment_indicators_no_insert BEFORE INSERT ON assessment_indicators
WHEN (SELECT adopted_at FROM assessment_schemes WHERE year = NEW.year) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'an adopted scheme is frozen'); END;
CREATE TRIGGER assessment_indicators_no_update BEFORE UPDATE ON assessment_indicators
BEGIN SELECT RAISE(ABORT, 'indicators are replaced, not changed'); END;
CREATE TRIGGER assessment_indicators_no_delete BEFORE DELETE ON assessment_indicators
WHEN (SELECT adopted_at FROM assessment_schemes WHERE year = OLD.year) IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'an adopted scheme is frozen'); END;
CREATE TRIGGER assessment_entries_no_update BEFORE UPDATE ON assessment_entries
BEGIN SELECT RAISE(ABORT, 'assessment_entries is append-only'); END;
CREATE TRIGGER assessment_entries_no_delete BEFORE DELETE ON assessment_entries
BEGIN SELECT RAISE(ABORT, 'assessment_entries is append-only'); END;
CREATE TRIGGER assessment_publications_no_update BEFORE UPDATE ON assessment_publications
BEGIN SELECT RAISE(ABORT, 'assessment_publications is append-only'); END;
CREATE TRIGGER assessment_publications_no_delete BEFORE DELETE ON assessment_publications
BEGIN SELECT RAISE(ABORT, 'assessment_publications is append-only'); END;
CREATE TRIGGER assessment_corrections_no_update BEFORE UPDATE ON assessment_corrections
BEGIN SELECT RAISE(ABORT, 'assessment_corrections is append-only'); END;
CREATE TRIGGER assessment_corrections_no_delete BEFORE DELETE ON assessment_corrections
BEGIN SELECT RAISE(ABORT, 'assessment_corrections is append-only'); END;
