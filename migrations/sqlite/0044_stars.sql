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

CREATE TRIGGER star_entries_fixed BEFORE UPDATE ON star_entries
BEGIN SELECT RAISE(ABORT, 'a star record is never changed'); END;
CREATE TRIGGER star_entries_kept BEFORE DELETE ON star_entries
BEGIN SELECT RAISE(ABORT, 'a star record is never changed'); END;
CREATE TRIGGER star_leader_scores_fixed BEFORE UPDATE ON star_leader_scores
BEGIN SELECT RAISE(ABORT, 'a star record is never changed'); END;
CREATE TRIGGER star_leader_scores_kept BEFORE DELETE ON star_leader_scores
BEGIN SELECT RAISE(ABORT, 'a star record is never changed'); END;
CREATE TRIGGER star_publications_fixed BEFORE UPDATE ON star_publications
BEGIN SELECT RAISE(ABORT, 'a star record is never changed'); END;
CREATE TRIGGER star_publications_kept BEFORE DELETE ON star_publications
BEGIN SELECT RAISE(ABORT, 'a star record is never changed'); END;
CREATE TRIGGER star_appeals_answered_once BEFORE UPDATE ON star_appeals
WHEN OLD.outcome IS NOT NULL OR NEW.id IS NOT OLD.id OR NEW.person_id IS NOT OLD.person_id
  OR NEW.month IS NOT OLD.month OR NEW.reason IS NOT OLD.reason OR NEW.stars_before IS NOT OLD.stars_before
  OR NEW.filed_at IS NOT OLD.filed_at
BEGIN SELECT RAISE(ABORT, 'an appeal is answered once and never changed'); END;
CREATE TRIGGER star_appeals_kept BEFORE DELETE ON star_appeals
BEGIN SELECT RAISE(ABORT, 'an appeal is answered once and never changed'); END;
