-- 0016 the text index gains pieces of three to six digits beside its bigrams (a number fragment
-- such as 000123 was made only of common bigrams and read the whole list). Every case already
-- indexed is queued again: the indexer writes its entries anew, the bigrams it has already are
-- kept once (ON CONFLICT DO NOTHING), and until then a search finds it through the queue.

INSERT INTO case_terms_pending (created_at, case_id)
SELECT c.created_at, c.id FROM cases c
WHERE NOT EXISTS (SELECT 1 FROM case_terms_pending q WHERE q.created_at = c.created_at AND q.case_id = c.id);
