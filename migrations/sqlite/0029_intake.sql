-- 0029 intake (issue 17): the matters (事项) the bureau accepts from every source and the loop
-- they run (受理 → 派遣 → 处置 → 核查/返工 → 结案 → 回访), the catalogue of classes with their
-- handling limits, the partner departments matters are referred to, and the reporters.

-- The catalogue (事件/部件 小类 in the manner of GB/T 30428.2). The limits are the city's 处置时限
-- table ([M]: GB/T 30428.8 leaves the values to the city): `wh:N` working hours, `wd:N` working
-- days, `h:N` clock hours. `public`: offered on the public form and through Open311.
CREATE TABLE matter_categories (
    code           TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('event', 'component')),
    group_name     TEXT NOT NULL,
    public         BOOLEAN NOT NULL,
    handle_normal  TEXT NOT NULL,
    handle_urgent  TEXT NOT NULL,
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    version        BIGINT NOT NULL DEFAULT 1
);

INSERT INTO matter_categories (code, name, kind, group_name, public, handle_normal, handle_urgent) VALUES
    ('SJ0101', '暴露垃圾', 'event', '市容环境', 1, 'wh:4', 'h:2'),
    ('SJ0102', '积存垃圾渣土', 'event', '市容环境', 1, 'wh:8', 'wh:4'),
    ('SJ0103', '道路不洁', 'event', '市容环境', 1, 'wh:4', 'h:2'),
    ('SJ0104', '露天焚烧', 'event', '市容环境', 1, 'wh:2', 'h:1'),
    ('SJ0201', '非法小广告', 'event', '宣传广告', 1, 'wd:1', 'wh:4'),
    ('SJ0202', '违规户外广告', 'event', '宣传广告', 1, 'wd:3', 'wd:1'),
    ('SJ0203', '占道广告牌', 'event', '宣传广告', 1, 'wd:1', 'wh:4'),
    ('SJ0301', '施工扰民', 'event', '施工管理', 1, 'wh:8', 'wh:2'),
    ('SJ0302', '工地扬尘', 'event', '施工管理', 1, 'wh:4', 'h:2'),
    ('SJ0303', '渣土车辆撒漏', 'event', '施工管理', 1, 'wh:4', 'h:2'),
    ('SJ0401', '无照经营游商', 'event', '街面秩序', 1, 'wh:4', 'h:2'),
    ('SJ0402', '店外经营', 'event', '街面秩序', 1, 'wh:4', 'h:2'),
    ('SJ0403', '占道经营', 'event', '街面秩序', 1, 'wh:4', 'h:2'),
    ('SJ0404', '违法建设', 'event', '街面秩序', 1, 'wd:5', 'wd:2'),
    ('SJ0405', '露天烧烤', 'event', '街面秩序', 1, 'wh:4', 'h:2'),
    ('SJ0406', '非机动车乱停放', 'event', '街面秩序', 1, 'wh:4', 'h:2'),
    ('SJ0501', '路面塌陷', 'event', '突发事件', 1, 'h:4', 'h:1'),
    ('SJ0601', '重点时段巡查', 'event', '其他事件', 0, 'wd:1', 'wh:4'),
    ('BJ0101', '井盖破损', 'component', '公用设施', 1, 'wd:1', 'h:2'),
    ('BJ0102', '路灯损坏', 'component', '公用设施', 1, 'wd:2', 'wd:1'),
    ('BJ0201', '护栏损坏', 'component', '道路交通', 1, 'wd:2', 'wd:1'),
    ('BJ0301', '垃圾箱破损', 'component', '市容环境', 1, 'wd:2', 'wd:1'),
    ('BJ0401', '绿地毁损', 'component', '园林绿化', 1, 'wd:3', 'wd:1');

-- Partner departments a matter outside the bureau's remit is referred to (转办/移送).
CREATE TABLE partner_departments (
    id      TEXT PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE,
    active  BOOLEAN NOT NULL DEFAULT TRUE
);
INSERT INTO partner_departments (id, name) VALUES
    ('market', '市场监督管理局'),
    ('housing', '住房和城乡建设局'),
    ('emergency', '应急管理局'),
    ('planning', '自然资源和规划局'),
    ('petition', '信访局'),
    ('police', '公安分局'),
    ('environment', '生态环境局');

-- One row per matter: listing columns for lists, overdue scans and the indicators, and the
-- whole domain state as JSON in `body` (domain::intake::Matter).
CREATE TABLE matters (
    id                TEXT PRIMARY KEY,
    number            TEXT NOT NULL UNIQUE,
    source            TEXT NOT NULL,
    category          TEXT NOT NULL REFERENCES matter_categories(code),
    urgency           TEXT NOT NULL,
    status            TEXT NOT NULL,
    title             TEXT NOT NULL,
    address           TEXT NOT NULL,
    lat               REAL,
    long              REAL,
    unit_id           TEXT REFERENCES units(id),
    reported_at       TEXT NOT NULL,
    due_at            TEXT,
    handle_due_at     TEXT,
    close_due_at      TEXT,
    accepted_at       TEXT,
    dispatched_at     TEXT,
    handled_at        TEXT,
    closed_at         TEXT,
    handled_on_time   BOOLEAN,
    rework_count      BIGINT NOT NULL DEFAULT 0,
    return_count      BIGINT NOT NULL DEFAULT 0,
    extension_count   BIGINT NOT NULL DEFAULT 0,
    defer_count       BIGINT NOT NULL DEFAULT 0,
    resolution        TEXT,
    satisfaction      TEXT,
    case_id           TEXT REFERENCES cases(id),
    merged_into       TEXT REFERENCES matters(id),
    referral_department TEXT,
    referral_due_at   TEXT,
    referral_answered_at TEXT,
    body              TEXT NOT NULL,
    version           BIGINT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX matters_status_due ON matters(status, due_at);
CREATE INDEX matters_unit_status ON matters(unit_id, status);
CREATE INDEX matters_reported ON matters(reported_at);
CREATE INDEX matters_category_status ON matters(category, status);
CREATE INDEX matters_case ON matters(case_id);
-- The monthly indicators count matters by the month of each step.
CREATE INDEX matters_accepted ON matters(accepted_at);
CREATE INDEX matters_dispatched ON matters(dispatched_at);
CREATE INDEX matters_handled ON matters(handled_at);
CREATE INDEX matters_closed ON matters(closed_at);
CREATE INDEX matters_referral_answered ON matters(referral_answered_at);

-- A matter's timeline, append-only like the case timeline.
CREATE TABLE matter_events (
    matter_id  TEXT NOT NULL REFERENCES matters(id),
    seq        BIGINT NOT NULL,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    code       TEXT NOT NULL,
    summary    TEXT NOT NULL,
    details    TEXT NOT NULL,
    PRIMARY KEY (matter_id, seq)
);
CREATE TRIGGER matter_events_no_update BEFORE UPDATE ON matter_events
BEGIN SELECT RAISE(ABORT, 'matter_events is append-only'); END;
CREATE TRIGGER matter_events_no_delete BEFORE DELETE ON matter_events
BEGIN SELECT RAISE(ABORT, 'matter_events is append-only'); END;

-- Who reported a matter (personal data, kept apart from the matter and sealed like every
-- phone): the first reporter, and those of the duplicates merged into it.
CREATE TABLE matter_reporters (
    matter_id   TEXT NOT NULL REFERENCES matters(id),
    seq         BIGINT NOT NULL,
    name        TEXT NOT NULL,
    phone       TEXT NOT NULL,
    from_matter TEXT NOT NULL REFERENCES matters(id),
    added_at    TEXT NOT NULL,
    PRIMARY KEY (matter_id, seq)
);
