-- 0015 cases not yet in the text index. A case's write adds one row here (at the table's end:
-- cheap) instead of its twenty-odd index entries scattered over the index (which cut audited
-- case writes to a fifth at a million cases); the indexer moves cases from here into
-- `case_terms` in large batches, and a search reads this short tail directly, so a new case is
-- found from the moment it is committed.

CREATE TABLE case_terms_pending (
    created_at  TEXT NOT NULL,
    case_id     TEXT NOT NULL REFERENCES cases(id),
    PRIMARY KEY (created_at, case_id)
);
