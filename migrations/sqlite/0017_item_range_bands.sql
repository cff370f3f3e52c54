-- 0017 the discretion bands (裁量基准) of each recorded version of an item, beside the ranges
-- they narrow (行政处罚法 Art. 34: a benchmark refines the statutory range, so a band belongs to
-- the range of its version). A decision that applies an earlier version's range under
-- 从旧兼从轻 (Art. 37) is shown that version's bands. Until now only the item's current bands
-- were kept: they are recorded for its current version; earlier versions' bands were never
-- recorded and stay NULL, which the pages show as such rather than guess.

ALTER TABLE item_ranges ADD COLUMN bands TEXT;

UPDATE item_ranges SET bands = (
    SELECT e.discretion FROM enforcement_items e WHERE e.code = item_ranges.code
) WHERE version = (SELECT e.version FROM enforcement_items e WHERE e.code = item_ranges.code);
