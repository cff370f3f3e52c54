-- 0044 星级队员 (issue 16 scope 2): the year's rules (JSON, changed over the version read until
-- a month of the year is published), the office's recorded entries per person, the squad
-- leader's monthly score per person, the published months (frozen as JSON) and the appeals.
-- Entries, scores and publications are never changed; an appeal is answered once.

CREATE TABLE star_rules (
    year         BIGINT PRIMARY KEY,
    rules        TEXT NOT NULL,
    version      BIGINT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);

CREATE TABLE star_entries (
    id           TEXT PRIMARY KEY,
    person_id    TEXT NOT NULL REFERENCES people(id),
    factor       TEXT NOT NULL,
    on_day       TEXT NOT NULL,
    items        BIGINT NOT NULL CHECK (items > 0),
    basis        TEXT NOT NULL,
    note         TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX star_entries_day ON star_entries(on_day);

CREATE TABLE star_leader_scores (
    person_id    TEXT NOT NULL REFERENCES people(id),
    month        TEXT NOT NULL,
    score        BIGINT NOT NULL CHECK (score >= 0),
    note         TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    PRIMARY KEY (person_id, month)
);

CREATE TABLE star_publications (
    month         TEXT PRIMARY KEY,
    ratings       TEXT NOT NULL,
    published_by  TEXT NOT NULL,
    published_at  TEXT NOT NULL
);

CREATE TABLE star_appeals (
    id            TEXT PRIMARY KEY,
    person_id     TEXT NOT NULL REFERENCES people(id),
    month         TEXT NOT NULL,
    reason        TEXT NOT NULL,
    stars_before  BIGINT NOT NULL,
    filed_at      TEXT NOT NULL,
    outcome       TEXT,
    stars_after   BIGINT,
    answer        TEXT,
    answered_by   TEXT,
    answered_at   TEXT,
    UNIQUE (person_id, month)
);

CREATE FUNCTION star_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a star record is never changed';
END;
$$;
CREATE TRIGGER star_entries_fixed BEFORE UPDATE OR DELETE ON star_entries
FOR EACH ROW EXECUTE FUNCTION star_fixed();
CREATE TRIGGER star_leader_scores_fixed BEFORE UPDATE OR DELETE ON star_leader_scores
FOR EACH ROW EXECUTE FUNCTION star_fixed();
CREATE TRIGGER star_publications_fixed BEFORE UPDATE OR DELETE ON star_publications
FOR EACH ROW EXECUTE FUNCTION star_fixed();
CREATE FUNCTION star_appeal_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.outcome IS NULL
       AND (NEW.id, NEW.person_id, NEW.month, NEW.reason, NEW.stars_before, NEW.filed_at)
           IS NOT DISTINCT FROM (OLD.id, OLD.person_id, OLD.month, OLD.reason, OLD.stars_before, OLD.filed_at) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'an appeal is answered once and never changed';
END;
$$;
CREATE TRIGGER star_appeals_answered_once BEFORE UPDATE OR DELETE ON star_appeals
FOR EACH ROW EXECUTE FUNCTION star_appeal_once();
