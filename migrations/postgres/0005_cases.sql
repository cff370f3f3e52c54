-- 0005 case engine: responsibility list, case rules, cases with their timeline and clocks.
-- Case categories with the bureau's handling time limit (办结时限, filing to closing, calendar
-- days). Bureau targets inside the statutory 90 days of 行政处罚法 Art. 60; editable.
CREATE TABLE case_categories (
    code           TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    handling_days  BIGINT NOT NULL,
    sort_order     BIGINT NOT NULL DEFAULT 0
);
INSERT INTO case_categories (code, name, handling_days, sort_order) VALUES
    ('city_appearance', '市容环境', 30, 1),
    ('outdoor_ads', '户外广告', 30, 2),
    ('construction_waste', '建筑渣土', 30, 3),
    ('illegal_building', '违法建设', 90, 4),
    ('kitchen_waste', '餐厨废弃物', 30, 5),
    ('street_vending', '占道经营', 15, 6),
    ('illegal_parking', '违法停车', 15, 7);

-- The responsibility list (权责清单): each enforcement item with its legal basis, its statutory
-- fine range per kind of party (NULL where the amount is set by provincial rules not yet
-- entered, or is a share of a construction cost), the discretion benchmark, and the status of
-- the citation ('verified' against the statute text, or 'to_verify').
CREATE TABLE enforcement_items (
    code            TEXT PRIMARY KEY,
    category        TEXT NOT NULL REFERENCES case_categories(code),
    name            TEXT NOT NULL,
    violated        TEXT NOT NULL,
    penalty_basis   TEXT NOT NULL,
    fine_min_person BIGINT,
    fine_max_person BIGINT,
    fine_min_org    BIGINT,
    fine_max_org    BIGINT,
    discretion      TEXT NOT NULL DEFAULT '[]',
    status          TEXT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    version         BIGINT NOT NULL DEFAULT 1
);
INSERT INTO enforcement_items (code, category, name, violated, penalty_basis, fine_min_person, fine_max_person, fine_min_org, fine_max_org, discretion, status, note) VALUES
    ('ZL-SR-001', 'city_appearance', '在建筑物、设施、树木上涂写、刻画或未经批准张挂、张贴宣传品',
     '《城市市容和环境卫生管理条例》第十七条', '《城市市容和环境卫生管理条例》第三十四条第（二）项：责令纠正违法行为、采取补救措施，可以并处警告、罚款',
     NULL, NULL, NULL, NULL, '[]', 'to_verify', '罚款数额由省级规定，待法制科录入江苏省标准'),
    ('ZL-SR-002', 'city_appearance', '运输液体、散装货物未密封、包扎、覆盖，造成泄漏、遗撒',
     '《城市市容和环境卫生管理条例》第十五条', '《城市市容和环境卫生管理条例》第三十四条第（六）项：责令纠正违法行为、采取补救措施，可以并处警告、罚款',
     NULL, NULL, NULL, NULL, '[]', 'to_verify', '罚款数额由省级规定，待法制科录入江苏省标准'),
    ('ZL-GG-001', 'outdoor_ads', '未经同意擅自设置大型户外广告，影响市容',
     '《城市市容和环境卫生管理条例》第十一条', '《城市市容和环境卫生管理条例》第三十六条第（一）项：责令停止违法行为，限期清理、拆除或者采取其他补救措施，并可处以罚款',
     NULL, NULL, NULL, NULL, '[]', 'to_verify', '罚款数额由省级规定；逾期不拆除的可依行政强制法第五十条代履行'),
    ('ZL-ZT-001', 'construction_waste', '随意倾倒、抛撒或者堆放建筑垃圾',
     '《城市建筑垃圾管理规定》（建设部令第139号）第十五条', '《城市建筑垃圾管理规定》第二十六条：责令限期改正，给予警告，对单位处5000元以上5万元以下罚款，对个人处200元以下罚款',
     1, 20000, 500000, 5000000,
     '[{"level":"较轻","condition":"首次、数量少、及时清理","person":[1,5000],"org":[500000,1500000]},{"level":"一般","condition":"未及时清理或数量较大","person":[5001,15000],"org":[1500001,3500000]},{"level":"严重","condition":"多次、拒不清理或影响交通","person":[15001,20000],"org":[3500001,5000000]}]',
     'to_verify', '裁量档次为本局示例，待法制科按江苏省裁量基准核定'),
    ('ZL-CC-001', 'kitchen_waste', '产生、收集厨余垃圾的单位未交由具备资质的单位无害化处理',
     '《中华人民共和国固体废物污染环境防治法》第四十九条', '《固体废物污染环境防治法》第一百一十一条第一款第（五）项：责令改正，没收违法所得；单位处十万元以上一百万元以下罚款，个人处一百元以上五百元以下罚款',
     10000, 50000, 10000000, 100000000, '[]', 'to_verify', ''),
    ('ZL-WJ-001', 'illegal_building', '未取得建设工程规划许可证或未按许可进行建设',
     '《中华人民共和国城乡规划法》第四十条', '《城乡规划法》第六十四条：责令停止建设；尚可改正的，限期改正，处建设工程造价5%以上10%以下罚款；无法改正的，限期拆除，不能拆除的没收实物或违法收入，可并处建设工程造价10%以下罚款',
     NULL, NULL, NULL, NULL, '[]', 'verified', '罚款按工程造价比例计算，不设固定幅度；限期拆除适用行政强制法第四十四条'),
    ('ZL-ZD-001', 'street_vending', '擅自占用城市道路设摊经营',
     '《城市道路管理条例》第二十七条、第三十一条', '《城市道路管理条例》第四十二条：责令限期改正，可以处2万元以下的罚款',
     1, 2000000, 1, 2000000,
     '[{"level":"轻微","condition":"首次违法、当场改正、无危害后果","person":[0,0],"org":[0,0]},{"level":"一般","condition":"经劝导后改正","person":[1,20000],"org":[1,100000]},{"level":"较重","condition":"拒不改正或多次违法","person":[20001,2000000],"org":[100001,2000000]}]',
     'to_verify', '轻微档适用行政处罚法第三十三条不予处罚并教育'),
    ('ZL-TC-001', 'illegal_parking', '在人行道等禁止停车地点违法停放机动车',
     '《中华人民共和国道路交通安全法》第五十六条', '《道路交通安全法》第九十三条：指出违法行为并予以口头警告，令其立即驶离；拒不驶离或不在现场的，处二十元以上二百元以下罚款',
     2000, 20000, 2000, 20000, '[]', 'to_verify', '仅限依相对集中行政处罚权划归城管的区域');

-- The values the law leaves to each province or bureau (see domain::case::rules::CaseRules);
-- one active row.
CREATE TABLE case_rules (
    province    TEXT PRIMARY KEY,
    active      BOOLEAN NOT NULL DEFAULT FALSE,
    body        TEXT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    updated_at  TEXT NOT NULL
);

-- One row per case: the columns lists and scans filter on, and the whole state as JSON (the
-- domain's Case), written together with the version check.
CREATE TABLE cases (
    id          TEXT PRIMARY KEY,
    number      TEXT NOT NULL UNIQUE,
    procedure   TEXT NOT NULL,
    stage       TEXT NOT NULL,
    category    TEXT NOT NULL REFERENCES case_categories(code),
    item_code   TEXT REFERENCES enforcement_items(code),
    party_id    TEXT NOT NULL REFERENCES parties(id),
    unit_id     TEXT NOT NULL REFERENCES units(id),
    handler_id  TEXT REFERENCES people(id),
    title       TEXT NOT NULL,
    location    TEXT NOT NULL DEFAULT '',
    source      TEXT NOT NULL,
    major       BOOLEAN NOT NULL DEFAULT FALSE,
    body        TEXT NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX cases_unit_stage ON cases(unit_id, stage, created_at);
CREATE INDEX cases_stage ON cases(stage, created_at);
CREATE INDEX cases_party ON cases(party_id);

-- Who is on a case, for "my cases".
CREATE TABLE case_officers (
    case_id    TEXT NOT NULL REFERENCES cases(id),
    person_id  TEXT NOT NULL REFERENCES people(id),
    PRIMARY KEY (case_id, person_id)
);
CREATE INDEX case_officers_person ON case_officers(person_id);

-- The case timeline: one row per step, never changed (triggers below).
CREATE TABLE case_events (
    case_id     TEXT NOT NULL REFERENCES cases(id),
    seq         BIGINT NOT NULL,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    code        TEXT NOT NULL,
    summary     TEXT NOT NULL,
    details     TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);

-- The clocks of every case as last computed, for due-soon and overdue scans. due_on is the
-- end, or its earliest possible day when provisional.
CREATE TABLE case_clocks (
    case_id      TEXT NOT NULL REFERENCES cases(id),
    kind         TEXT NOT NULL,
    unit_id      TEXT NOT NULL,
    start_on     TEXT NOT NULL,
    due_on       TEXT NOT NULL,
    provisional  BOOLEAN NOT NULL,
    duty         BOOLEAN NOT NULL,
    met_on       TEXT,
    PRIMARY KEY (case_id, kind)
);
CREATE INDEX case_clocks_open ON case_clocks(due_on) WHERE met_on IS NULL;

-- Document numbers (文号) per type and year: the counter row is taken inside the writing
-- transaction, so numbers have no gaps or duplicates.
CREATE TABLE doc_counters (
    doc_type  TEXT NOT NULL,
    year      BIGINT NOT NULL,
    last      BIGINT NOT NULL,
    PRIMARY KEY (doc_type, year)
);
CREATE FUNCTION case_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'case_events is append-only';
END;
$$;
CREATE TRIGGER case_events_no_change BEFORE UPDATE OR DELETE ON case_events
FOR EACH ROW EXECUTE FUNCTION case_events_append_only();
