-- 0011 the case list's whole order (newest first, then id) as one index, so the first page of a
-- million cases is read from the index in order instead of sorting the rows that share a time.

DROP INDEX cases_created;
CREATE INDEX cases_created_id ON cases(created_at, id);
