-- 0012 the responsibility list names the unit responsible for each item (责任主体 / 承办机构), which
-- the legal office fills in on the item's edit page; existing items start blank and say so.

ALTER TABLE enforcement_items ADD COLUMN responsible_unit TEXT NOT NULL DEFAULT '';
