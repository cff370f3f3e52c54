-- 0035 Circuit court sittings and legal consultations (issue 18 scope 9). Both are records of
-- what happened: never rewritten or deleted (a correction is a new record with a note).

CREATE TABLE court_sittings (
    id           TEXT PRIMARY KEY,
    held_on      TEXT NOT NULL,
    place        TEXT NOT NULL,
    court        TEXT NOT NULL,
    judge        TEXT NOT NULL,
    cases_heard  BIGINT NOT NULL,
    outcomes     TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX court_sittings_held ON court_sittings(held_on);

CREATE TABLE legal_consultations (
    id           TEXT PRIMARY KEY,
    given_on     TEXT NOT NULL,
    audience     TEXT NOT NULL,
    topic        TEXT NOT NULL,
    answer       TEXT NOT NULL,
    given_by     TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX legal_consultations_given ON legal_consultations(given_on);

CREATE FUNCTION legal_help_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER court_sittings_no_change BEFORE UPDATE OR DELETE ON court_sittings
FOR EACH ROW EXECUTE FUNCTION legal_help_append_only();
CREATE TRIGGER legal_consultations_no_change BEFORE UPDATE OR DELETE ON legal_consultations
FOR EACH ROW EXECUTE FUNCTION legal_help_append_only();
