-- 0020 a case may have several clocks of one kind: two seizures, two correction orders, two
-- deferrals each run their own term. `n` numbers the clocks of a kind in the order the engine
-- gives them (0, 1, …), and joins the key.

ALTER TABLE case_clocks ADD COLUMN n BIGINT NOT NULL DEFAULT 0;
ALTER TABLE case_clocks DROP CONSTRAINT case_clocks_pkey;
ALTER TABLE case_clocks ADD PRIMARY KEY (case_id, kind, n);
