-- 0040 派驻中队目标考核 (issue 16 scope 1): each year's scheme (declared total, adopted once)
-- and its indicators, frozen when the scheme is adopted; the assessors' recorded deductions and
-- awards, append-only; each published period's results as the frozen JSON of
-- `domain::assessment::SquadResult`s, and the corrections made after publication with their
-- reasons, both append-only. case_events gains an index by step and time for the monthly scans.

CREATE TABLE assessment_schemes (
    year        BIGINT PRIMARY KEY,
    total_cp    BIGINT NOT NULL,
    adopted_at  TEXT,
    adopted_by  TEXT,
    version     BIGINT NOT NULL DEFAULT 1,
    updated_at  TEXT NOT NULL
);

CREATE TABLE assessment_indicators (
    id          TEXT PRIMARY KEY,
    year        BIGINT NOT NULL REFERENCES assessment_schemes(year),
    position    BIGINT NOT NULL,
    name        TEXT NOT NULL,
    source      TEXT NOT NULL,
    metric      TEXT,
    rule        TEXT NOT NULL,
    weight_cp   BIGINT NOT NULL,
    per_cp      BIGINT NOT NULL,
    note        TEXT NOT NULL
);
CREATE UNIQUE INDEX assessment_indicators_name ON assessment_indicators(year, name);

CREATE TABLE assessment_entries (
    id            TEXT PRIMARY KEY,
    indicator_id  TEXT NOT NULL REFERENCES assessment_indicators(id),
    unit_id       TEXT NOT NULL REFERENCES units(id),
    on_day        TEXT NOT NULL,
    points_cp     BIGINT NOT NULL,
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
    points_cp     BIGINT NOT NULL,
    reason        TEXT NOT NULL,
    corrected_by  TEXT NOT NULL,
    corrected_at  TEXT NOT NULL
);
CREATE INDEX assessment_corrections_period ON assessment_corrections(period);

CREATE INDEX case_events_code_at ON case_events(code, at);

CREATE FUNCTION assessment_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
-- An adopted scheme and its indicators are frozen: the year's results were computed under them.
CREATE FUNCTION assessment_scheme_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    scheme_year BIGINT;
BEGIN
    IF TG_TABLE_NAME = 'assessment_schemes' THEN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'schemes are never deleted';
        END IF;
        IF OLD.adopted_at IS NOT NULL THEN
            RAISE EXCEPTION 'an adopted scheme is frozen';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'indicators are replaced, not changed';
    END IF;
    IF TG_OP = 'INSERT' THEN
        scheme_year := NEW.year;
    ELSE
        scheme_year := OLD.year;
    END IF;
    IF EXISTS (SELECT 1 FROM assessment_schemes WHERE year = scheme_year AND adopted_at IS NOT NULL) THEN
        RAISE EXCEPTION 'an adopted scheme is frozen';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER assessment_schemes_frozen BEFORE UPDATE OR DELETE ON assessment_schemes
FOR EACH ROW EXECUTE FUNCTION assessment_scheme_frozen();
CREATE TRIGGER assessment_indicators_frozen BEFORE INSERT OR UPDATE OR DELETE ON assessment_indicators
FOR EACH ROW EXECUTE FUNCTION assessment_scheme_frozen();
CREATE TRIGGER assessment_entries_no_change BEFORE UPDATE OR DELETE ON assessment_entries
FOR EACH ROW EXECUTE FUNCTION assessment_append_only();
CREATE TRIGGER assessment_publications_no_change BEFORE UPDATE OR DELETE ON assessment_publications
FOR EACH ROW EXECUTE FUNCTION assessment_append_only();
CREATE TRIGGER assessment_corrections_no_change BEFORE UPDATE OR DELETE ON assessment_corrections
FOR EACH ROW EXECUTE FUNCTION assessment_append_only();
