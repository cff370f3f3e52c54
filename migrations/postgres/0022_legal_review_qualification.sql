-- 0022 法制审核资格 on the person (行政处罚法 Art. 58 ¶2): the number of the 法律职业资格证书,
-- if any, and the day the person first did legal review. Someone who first did it on or after
-- 2021-07-15 (the revised law in force) must hold the qualification; the case engine refuses
-- a review by anyone who qualifies neither way.

ALTER TABLE people ADD COLUMN legal_qualification TEXT NOT NULL DEFAULT '';
ALTER TABLE people ADD COLUMN legal_review_since TEXT;
