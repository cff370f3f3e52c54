-- 0034 The year's enforcement figures as published (issue 18 scope 3; 国办发〔2018〕118号: by
-- 31 January of the next year). One row per year, written once when the office publishes it:
-- the figures are a snapshot of what the records said that day, never recomputed or rewritten.

CREATE TABLE annual_figures (
    year          INTEGER PRIMARY KEY,
    figures       TEXT NOT NULL,
    published_on  TEXT NOT NULL,
    published_by  TEXT NOT NULL,
    published_at  TEXT NOT NULL
);
CREATE FUNCTION annual_figures_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'published figures are never rewritten or deleted';
END;
$$;
CREATE TRIGGER annual_figures_fixed BEFORE UPDATE OR DELETE ON annual_figures
FOR EACH ROW EXECUTE FUNCTION annual_figures_fixed();
