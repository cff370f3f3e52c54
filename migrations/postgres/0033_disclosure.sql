-- 0033 The publication register of penalty decisions (issue 18 scope 2; 行政处罚法 Art. 48,
-- 国办发〔2018〕118号): one entry per decision the rule selects, written in the transaction that
-- records the decision, then published (the redacted text), withheld (with its basis), and,
-- when a ruling changes, revokes or voids the decision, withdrawn. An entry is never deleted and
-- a published text never rewritten: a withdrawal keeps what was published beside its reason.

CREATE TABLE decision_disclosures (
    id               TEXT PRIMARY KEY,
    case_id          TEXT NOT NULL UNIQUE REFERENCES cases(id),
    unit_id          TEXT NOT NULL REFERENCES units(id),
    case_number      TEXT NOT NULL,
    decision_number  TEXT NOT NULL,
    procedure        TEXT NOT NULL,
    decided_on       TEXT NOT NULL,
    state            TEXT NOT NULL,
    title            TEXT NOT NULL DEFAULT '',
    text             TEXT NOT NULL DEFAULT '',
    removals         TEXT NOT NULL DEFAULT '[]',
    document_id      TEXT REFERENCES documents(id),
    published_on     TEXT,
    published_by     TEXT,
    withhold_basis   TEXT,
    withhold_reason  TEXT,
    ruling_ground    TEXT,
    ruling_body      TEXT,
    ruling_on        TEXT,
    withdrawn_on     TEXT,
    withdraw_note    TEXT,
    version          BIGINT NOT NULL DEFAULT 1,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX decision_disclosures_state ON decision_disclosures(state, decided_on);
CREATE INDEX decision_disclosures_published ON decision_disclosures(published_on);
CREATE FUNCTION decision_disclosures_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'decision_disclosures are never deleted';
    END IF;
    IF OLD.published_on IS NOT NULL AND (NEW.text IS DISTINCT FROM OLD.text
        OR NEW.title IS DISTINCT FROM OLD.title OR NEW.published_on IS DISTINCT FROM OLD.published_on) THEN
        RAISE EXCEPTION 'a published text is never rewritten';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER decision_disclosures_guard BEFORE UPDATE OR DELETE ON decision_disclosures
FOR EACH ROW EXECUTE FUNCTION decision_disclosures_guard();

-- Decisions recorded before this register: general-procedure penalties wait to be published
-- (or withheld) like new ones, so that none is left out silently.
INSERT INTO decision_disclosures (id, case_id, unit_id, case_number, decision_number, procedure, decided_on,
    state, created_at, updated_at)
SELECT 'dd-' || id, id, unit_id, number, COALESCE(body::jsonb #>> '{decision,number}', ''), procedure,
    body::jsonb #>> '{decision,on}', 'pending', updated_at, updated_at
FROM cases
WHERE procedure = 'general' AND body::jsonb #>> '{decision,outcome}' = 'penalty';
