-- 0038 便民服务点 and 疏导点 (issue 18 scope 6): the points (corrected over a version, never
-- deleted: a point given up is closed), the vendors admitted to their stalls (an admission is
-- ended once, never rewritten), and the inspections (append-only).

CREATE TABLE vending_points (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    unit_id      TEXT NOT NULL REFERENCES units(id),
    address      TEXT NOT NULL,
    longitude    TEXT NOT NULL,
    latitude     TEXT NOT NULL,
    hours        TEXT NOT NULL,
    capacity     BIGINT NOT NULL,
    goods        TEXT NOT NULL,
    status       TEXT NOT NULL,
    note         TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX vending_points_unit ON vending_points(unit_id);

CREATE TABLE vending_admissions (
    id           TEXT PRIMARY KEY,
    point_id     TEXT NOT NULL REFERENCES vending_points(id),
    party_id     TEXT NOT NULL REFERENCES parties(id),
    stall        TEXT NOT NULL,
    goods        TEXT NOT NULL,
    admitted_on  TEXT NOT NULL,
    until        TEXT NOT NULL,
    ended_on     TEXT,
    end_reason   TEXT,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX vending_admissions_point ON vending_admissions(point_id);
CREATE INDEX vending_admissions_party ON vending_admissions(party_id);

CREATE TABLE vending_inspections (
    id            TEXT PRIMARY KEY,
    point_id      TEXT NOT NULL REFERENCES vending_points(id),
    inspected_on  TEXT NOT NULL,
    inspected_by  TEXT NOT NULL,
    result        TEXT NOT NULL,
    findings      TEXT NOT NULL,
    recorded_by   TEXT NOT NULL,
    recorded_at   TEXT NOT NULL
);
CREATE INDEX vending_inspections_point ON vending_inspections(point_id, inspected_on);

CREATE FUNCTION vending_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '% rows are never deleted', TG_TABLE_NAME;
    END IF;
    IF TG_TABLE_NAME = 'vending_inspections' THEN
        RAISE EXCEPTION 'vending_inspections is append-only';
    END IF;
    -- vending_admissions: only ended, once (nested: plpgsql does not short-circuit).
    IF OLD.ended_on IS NOT NULL OR NEW.ended_on IS NULL
       OR NEW.point_id IS DISTINCT FROM OLD.point_id OR NEW.party_id IS DISTINCT FROM OLD.party_id
       OR NEW.stall IS DISTINCT FROM OLD.stall OR NEW.goods IS DISTINCT FROM OLD.goods
       OR NEW.admitted_on IS DISTINCT FROM OLD.admitted_on OR NEW.until IS DISTINCT FROM OLD.until THEN
        RAISE EXCEPTION 'an admission is only ended, once';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER vending_points_no_delete BEFORE DELETE ON vending_points
FOR EACH ROW EXECUTE FUNCTION vending_guard();
CREATE TRIGGER vending_admissions_end_once BEFORE UPDATE OR DELETE ON vending_admissions
FOR EACH ROW EXECUTE FUNCTION vending_guard();
CREATE TRIGGER vending_inspections_no_change BEFORE UPDATE OR DELETE ON vending_inspections
FOR EACH ROW EXECUTE FUNCTION vending_guard();
