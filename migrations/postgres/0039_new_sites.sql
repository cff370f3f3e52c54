-- 0039 管理重心前移 (issue 18 scope 5): new roads and estates, their shop fronts, and what
-- happened at each shop — the 提前告知书 served, the follow-up visits, the outcome — as an
-- append-only list of events (`body`, one `domain::new_sites::ShopEvent` in JSON), with the
-- shop's row holding the state folded from them, kept in the same transaction.

CREATE TABLE new_sites (
    id           TEXT PRIMARY KEY,
    kind         TEXT NOT NULL,
    name         TEXT NOT NULL,
    unit_id      TEXT NOT NULL REFERENCES units(id),
    location     TEXT NOT NULL,
    opens_on     TEXT NOT NULL,
    note         TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
CREATE INDEX new_sites_unit ON new_sites(unit_id);

CREATE TABLE site_shops (
    id           TEXT PRIMARY KEY,
    site_id      TEXT NOT NULL REFERENCES new_sites(id),
    label        TEXT NOT NULL,
    name         TEXT NOT NULL,
    trade        TEXT NOT NULL,
    party_id     TEXT REFERENCES parties(id),
    state        TEXT NOT NULL,
    due_on       TEXT,
    case_id      TEXT REFERENCES cases(id),
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    version      BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX site_shops_site ON site_shops(site_id);
CREATE UNIQUE INDEX site_shops_label ON site_shops(site_id, label);

CREATE TABLE shop_events (
    shop_id      TEXT NOT NULL REFERENCES site_shops(id),
    seq          BIGINT NOT NULL,
    body         TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    PRIMARY KEY (shop_id, seq)
);
CREATE FUNCTION new_sites_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER shop_events_no_change BEFORE UPDATE OR DELETE ON shop_events
FOR EACH ROW EXECUTE FUNCTION new_sites_append_only();
CREATE TRIGGER site_shops_no_delete BEFORE DELETE ON site_shops
FOR EACH ROW EXECUTE FUNCTION new_sites_append_only();
CREATE TRIGGER new_sites_no_change BEFORE UPDATE OR DELETE ON new_sites
FOR EACH ROW EXECUTE FUNCTION new_sites_append_only();
