-- 0045 十佳评比 (issue 16 scope 4): a round per year (settings as JSON, changed over the version
-- read while nominating; its state moves one way; the result list frozen as JSON when closed;
-- the notice, its number also in a column of its own, when published), the nominations with
-- the figures frozen at nomination, and the panel's scores (one per member and nomination).
-- Nominations and scores are never changed; a published round never changes again.

CREATE TABLE top_ten_rounds (
    year           BIGINT PRIMARY KEY,
    settings       TEXT NOT NULL,
    state          TEXT NOT NULL,
    version        BIGINT NOT NULL,
    results        TEXT,
    close_note     TEXT,
    notice_number  TEXT,
    notice         TEXT,
    opened_by      TEXT NOT NULL,
    opened_at      TEXT NOT NULL,
    closed_at      TEXT,
    published_by   TEXT,
    published_at   TEXT
);

CREATE TABLE top_ten_nominations (
    id            TEXT PRIMARY KEY,
    year          BIGINT NOT NULL REFERENCES top_ten_rounds(year),
    category      TEXT NOT NULL,
    subject       TEXT NOT NULL,
    squad_id      TEXT NOT NULL REFERENCES units(id),
    name          TEXT NOT NULL,
    deeds         TEXT NOT NULL,
    figures       TEXT NOT NULL,
    nominated_by  TEXT NOT NULL,
    nominated_at  TEXT NOT NULL,
    UNIQUE (year, category, subject)
);

CREATE TABLE top_ten_scores (
    nomination_id  TEXT NOT NULL REFERENCES top_ten_nominations(id),
    scorer         TEXT NOT NULL,
    score          BIGINT NOT NULL CHECK (score >= 0),
    note           TEXT NOT NULL,
    scored_at      TEXT NOT NULL,
    PRIMARY KEY (nomination_id, scorer)
);

CREATE FUNCTION top_ten_round_kept() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.state <> 'published' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'a published 十佳 round never changes, and no round is removed';
END;
$$;
CREATE TRIGGER top_ten_rounds_kept BEFORE UPDATE OR DELETE ON top_ten_rounds
FOR EACH ROW EXECUTE FUNCTION top_ten_round_kept();
CREATE FUNCTION top_ten_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a 十佳 nomination or score is never changed';
END;
$$;
CREATE TRIGGER top_ten_nominations_fixed BEFORE UPDATE OR DELETE ON top_ten_nominations
FOR EACH ROW EXECUTE FUNCTION top_ten_fixed();
CREATE TRIGGER top_ten_scores_fixed BEFORE UPDATE OR DELETE ON top_ten_scores
FOR EACH ROW EXECUTE FUNCTION top_ten_fixed();
