-- 0010 the item a document is about (an act, an order, a seizure, an urging), so each item gets
-- its own 笔录 or notice once and the case page knows which still lack one. Empty for documents
-- about the whole case.

ALTER TABLE documents ADD COLUMN subject TEXT NOT NULL DEFAULT '';
