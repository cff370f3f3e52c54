-- 0023 行政机关负责人 on the person (行政处罚法 Art. 57 ¶2): the bureau's head and deputy heads,
-- who alone may sit in a 集体讨论. The case engine refuses minutes that name anyone else, so the
-- register, not a free-text list, says who attended.

ALTER TABLE people ADD COLUMN agency_leader BOOLEAN NOT NULL DEFAULT FALSE;
