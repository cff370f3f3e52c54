-- 0031 A squad's work on a matter (issue 17 scopes 2 and 5): who reported the handling
-- (处置人), so the indicators count per person as well as per squad and class, and the photos
-- taken at 处置反馈, kept as evidence items of the matter (the same intake checks, custody and
-- retention as any evidence).

-- Set by the loop's 处置 step from the acting account's person; empty for accounts without one.
ALTER TABLE matters ADD COLUMN handler_id TEXT;
CREATE INDEX matters_handler ON matters(handler_id, handled_at);

ALTER TABLE evidence_items ADD COLUMN matter_id TEXT REFERENCES matters(id);
CREATE INDEX evidence_items_matter ON evidence_items(matter_id, received_at);
