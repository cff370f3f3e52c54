-- 0021 the generation of the reference data every instance keeps in memory (the calendar, the
-- case rules, the responsibility list, the security policy, the unit tree). Any change to
-- those tables bumps it, by trigger, in the changing transaction; an instance compares it at
-- most every 500 ms (and after each of its own writes) and reloads what it holds when it moved.

CREATE TABLE reference_generation (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    generation  BIGINT NOT NULL
);
INSERT INTO reference_generation (id, generation) VALUES (1, 0);

CREATE FUNCTION bump_reference_generation() RETURNS trigger AS $$
BEGIN
    UPDATE reference_generation SET generation = generation + 1 WHERE id = 1;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER calendar_years_reference AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON calendar_years
    FOR EACH STATEMENT EXECUTE FUNCTION bump_reference_generation();

CREATE TRIGGER calendar_days_reference AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON calendar_days
    FOR EACH STATEMENT EXECUTE FUNCTION bump_reference_generation();

CREATE TRIGGER case_rules_reference AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON case_rules
    FOR EACH STATEMENT EXECUTE FUNCTION bump_reference_generation();

CREATE TRIGGER security_policy_reference AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON security_policy
    FOR EACH STATEMENT EXECUTE FUNCTION bump_reference_generation();

CREATE TRIGGER case_categories_reference AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON case_categories
    FOR EACH STATEMENT EXECUTE FUNCTION bump_reference_generation();

CREATE TRIGGER enforcement_items_reference AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON enforcement_items
    FOR EACH STATEMENT EXECUTE FUNCTION bump_reference_generation();

CREATE TRIGGER item_ranges_reference AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON item_ranges
    FOR EACH STATEMENT EXECUTE FUNCTION bump_reference_generation();

CREATE TRIGGER units_reference AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON units
    FOR EACH STATEMENT EXECUTE FUNCTION bump_reference_generation();
