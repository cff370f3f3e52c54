-- 0021 the generation of the reference data every instance keeps in memory (the calendar, the
-- case rules, the responsibility list, the security policy, the unit tree). Any change to
-- those tables bumps it, by trigger, in the changing transaction; an instance compares it at
-- most every 500 ms (and after each of its own writes) and reloads what it holds when it moved.

CREATE TABLE reference_generation (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    generation  BIGINT NOT NULL
);
INSERT INTO reference_generation (id, generation) VALUES (1, 0);

CREATE TRIGGER calendar_years_insert_reference AFTER INSERT ON calendar_years
BEGIN
    UPDATE reference_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER calendar_years_update_reference AFTER UPDATE ON calendar_years
BEGIN
    UPDATE reference_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER calendar_years_delete_reference AFTER DELETE ON calendar_years
BEGIN
    UPDATE reference_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER calendar_days_insert_reference AFTER INSERT ON calendar_days
BEGIN
    UPDATE reference_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER calendar_days_update_reference AFTER UPDATE ON calendar_days
BEGIN
    UPDATE reference_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER calendar_days_delete_reference AFTER DELETE ON calendar_days
BEGIN
    UPDATE reference_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER case_rules_insert_reference AFTER INSERT ON case_rules
BEGIN
    UPDATE reference_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER case_rules_update_reference AFTER UPDATE ON case_rules
BEGIN
    UPDATE reference_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER case_rules_delete_reference AFTER DELETE ON case_rules
BEGIN
    UPDATE reference_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER security_policy_insert_reference AFTER INSERT ON security_policy
BEGIN
    UPDATE reference_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER security_policy_update_reference AFTER UPDATE ON security_policy
BEGIN
    UPDATE reference_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER security_policy_delete_reference AFTER DELETE ON security_policy
BEGIN
    UPDATE reference_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER case_categories_insert_reference AFTER INSERT ON case_categories
BEGIN
    UPDATE reference_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER case_categories_update_reference AFTER UPDATE ON case_categories
BEGIN
    UPDATE reference_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER case_categories_delete_reference AFTER DELETE ON case_categories
BEGIN
    UPDATE reference_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER enforcement_items_insert_reference AFTER INSERT ON enforcement_items
BEGIN
    UPDATE reference_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER enforcement_items_update_reference AFTER UPDATE ON enforcement_items
BEGIN
    UPDATE reference_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER enforcement_items_delete_reference AFTER DELETE ON enforcement_items
BEGIN
    UPDATE reference_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER item_ranges_insert_reference AFTER INSERT ON item_ranges
BEGIN
    UPDATE reference_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER item_ranges_update_reference AFTER UPDATE ON item_ranges
BEGIN
    UPDATE reference_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER item_ranges_delete_reference AFTER DELETE ON item_ranges
BEGIN
    UPDATE reference_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER units_insert_reference AFTER INSERT ON units
BEGIN
    UPDATE reference_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER units_update_reference AFTER UPDATE ON units
BEGIN
    UPDATE reference_generation SET generation = generation + 1 WHERE id = 1;
END;

CREATE TRIGGER units_delete_reference AFTER DELETE ON units
BEGIN
    UPDATE reference_generation SET generation = generation + 1 WHERE id = 1;
END;
