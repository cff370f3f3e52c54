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
CREATE TRIGGER annual_figures_no_update BEFORE UPDATE ON annual_figures
BEGIN SELECT RAISE(ABORT, 'published figures are never rewritten'); END;
CREATE TRIGGER annual_figures_no_delete BEFORE DELETE ON annual_figures
BEGIN SELECT RAISE(ABORT, 'published figures are never deleted'); END;
