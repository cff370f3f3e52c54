-- 0009 field work: the body-camera register, patrols and operations with their members, the
-- links from evidence to the act it records, and the configurable list of acts that must be
-- filmed (执法全过程记录; law-and-standards §1.3(b)).

CREATE TABLE devices (
    id          TEXT PRIMARY KEY,
    device_no   TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    unit_id     TEXT NOT NULL REFERENCES units(id),
    person_id   TEXT REFERENCES people(id),
    status      TEXT NOT NULL,
    version     BIGINT NOT NULL,
    created_at  TEXT NOT NULL
);

-- 巡查 (patrol), 专项整治 (operation) and 联合执法 with the police (joint).
CREATE TABLE patrols (
    id                TEXT PRIMARY KEY,
    kind              TEXT NOT NULL,
    title             TEXT NOT NULL,
    area              TEXT NOT NULL,
    unit_id           TEXT NOT NULL REFERENCES units(id),
    started_at        TEXT NOT NULL,
    ended_at          TEXT NOT NULL,
    partner_unit      TEXT NOT NULL,
    partner_officers  TEXT NOT NULL,
    findings          TEXT NOT NULL,
    created_by        TEXT NOT NULL,
    created_at        TEXT NOT NULL
);
CREATE INDEX patrols_unit ON patrols(unit_id, started_at);
CREATE TABLE patrol_members (
    patrol_id  TEXT NOT NULL REFERENCES patrols(id),
    person_id  TEXT NOT NULL REFERENCES people(id),
    PRIMARY KEY (patrol_id, person_id)
);

ALTER TABLE evidence_items ADD COLUMN patrol_id TEXT REFERENCES patrols(id);
ALTER TABLE evidence_items ADD COLUMN case_event_seq BIGINT;
ALTER TABLE evidence_items ADD COLUMN recording_started_at TEXT;
ALTER TABLE evidence_items ADD COLUMN recording_ended_at TEXT;
CREATE INDEX evidence_items_patrol ON evidence_items(patrol_id);
CREATE INDEX evidence_items_case_event ON evidence_items(case_id, case_event_seq);

-- A case event needs a recording when its code is event_code and its details contain
-- detail_match (empty: any). Every patrol and operation needs one too.
CREATE TABLE recording_rules (
    code          TEXT PRIMARY KEY,
    name_zh       TEXT NOT NULL,
    event_code    TEXT NOT NULL,
    detail_match  TEXT NOT NULL,
    basis         TEXT NOT NULL,
    enabled       BOOLEAN NOT NULL
);
INSERT INTO recording_rules (code, name_zh, event_code, detail_match, basis, enabled) VALUES
('spot_decision', '现场执法（当场处罚）', 'open_simple', '', '国办发〔2018〕118号 执法全过程记录：现场执法', TRUE),
('inspection', '现场检查（勘验）', 'record_act', '"inspection"', '国办发〔2018〕118号：调查取证', TRUE),
('interview', '调查询问', 'record_act', '"interview"', '国办发〔2018〕118号：调查取证', TRUE),
('sampling', '抽样取证', 'record_act', '"sampling"', '国办发〔2018〕118号：调查取证', TRUE),
('preservation', '先行登记保存', 'record_act', '"preservation"', '地方音像记录事项清单（吴中区）', TRUE),
('hearing', '举行听证', 'hold_hearing', '', '国办发〔2018〕118号：举行听证', TRUE),
('lodged_service', '留置送达', 'serve', '留置', '国办发〔2018〕118号：留置送达', TRUE),
('public_service', '公告送达', 'serve', '公告', '国办发〔2018〕118号：公告送达', TRUE),
('seizure', '查封扣押', 'seize', '', '涉及重大财产权益的现场执法：全程音像记录', TRUE),
('demolition', '强制拆除', 'demolish', '', '涉及重大财产权益的现场执法：全程音像记录', TRUE);

-- An item shared with another unit (a squad working the same street, the legal section): that
-- unit sees it until the share is revoked. Each share and revocation is a custody record.
CREATE TABLE evidence_shares (
    item_id     TEXT NOT NULL REFERENCES evidence_items(id),
    unit_id     TEXT NOT NULL REFERENCES units(id),
    shared_by   TEXT NOT NULL,
    shared_at   TEXT NOT NULL,
    reason      TEXT NOT NULL,
    revoked_at  TEXT,
    PRIMARY KEY (item_id, unit_id, shared_at)
);
CREATE INDEX evidence_shares_unit ON evidence_shares(unit_id);
