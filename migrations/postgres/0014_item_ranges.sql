-- 0014 the statutory fine ranges of each responsibility item by version, with the day each took
-- effect, so that a decision applies the range in force when the act was committed unless the
-- one in force on the day of the decision is lighter (行政处罚法 Art. 37, 从旧兼从轻). The ranges
-- the list holds now are recorded as in force since before any act the system knows of.

CREATE TABLE item_ranges (
    code            TEXT NOT NULL REFERENCES enforcement_items(code),
    version         BIGINT NOT NULL,
    effective_from  TEXT NOT NULL,
    fine_min_person BIGINT,
    fine_max_person BIGINT,
    fine_min_org    BIGINT,
    fine_max_org    BIGINT,
    PRIMARY KEY (code, version)
);
CREATE INDEX item_ranges_effective ON item_ranges(code, effective_from);

INSERT INTO item_ranges (code, version, effective_from, fine_min_person, fine_max_person, fine_min_org, fine_max_org)
SELECT code, version, '0001-01-01', fine_min_person, fine_max_person, fine_min_org, fine_max_org FROM enforcement_items;
