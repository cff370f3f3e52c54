//! The demo district that `serve --demo` builds: a bureau modelled on the 2017 plan's
//! organisation (one brigade with its dispatched squads, the acceptance center, the leadership
//! group and its office at the brigade), with fictional people.
//!
//! Deterministic: the same names, units and accounts every time (a fixed pseudo-random
//! sequence), with certificate dates placed relative to the day it is built so that some are
//! always expiring or expired. Idempotent: a database that already has the demo bureau is left
//! as it is.

mod assessment;
mod counselling;
mod disclosure;
mod intake;
mod legal_help;
mod new_sites;
mod publicity;
mod special_care;
mod stars;
mod supervision;
mod talks;
mod top_ten;
mod vending;
pub use assessment::seed_assessment;
pub use counselling::seed_counselling;
pub use disclosure::seed_disclosure;
pub use intake::{DEMO_OPEN311_CLIENT, DEMO_OPEN311_KEY, seed_joint, seed_matters, seed_open311};
pub use legal_help::seed_legal_help;
pub use new_sites::seed_new_sites;
pub use publicity::seed_publicity;
pub use special_care::seed_special_care;
pub use stars::seed_stars;
pub use supervision::seed_supervision;
pub use talks::seed_talks;
pub use top_ten::seed_top_ten;
pub use vending::seed_vending;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use sha2::{Digest, Sha256};

use crate::auth::{HashCost, hash_password};
use crate::domain::access::{Role, RoleSet};
use crate::domain::org::{
    CertificateDraft, CertificateStatus, Employment, Gender, GroupRole, PersonDraft, Phone, UnitKind,
};
use crate::domain::time::civil_date;
use crate::store::accounts::NewAccount;
use crate::store::{AuditCtx, Db};

/// The demo district's 行政复议机关: the district people's government (行政复议法 Art. 24).
pub const DEMO_RECONSIDERATION_BODY: &str = "常州市钟楼区人民政府";
/// Where the demo bureau receives complaints in person (an invented address).
pub const DEMO_COMPLAINT_ADDRESS: &str = "常州市钟楼区城管局督察室（演示地址）";

/// The password of every demo account. It passes the level-3 policy.
pub const DEMO_PASSWORD: &str = "Zhonglou@Demo2026";

/// The demo logins the login page lists, in order.
pub const LISTED_LOGINS: [&str; 13] = [
    "leader01",
    "office01",
    "squadlead01",
    "squadlead02",
    "officer01",
    "officer02",
    "aux01",
    "legal01",
    "center01",
    "supervisor01",
    "sysadmin",
    "secadmin",
    "auditadmin",
];

const BUREAU_CODE: &str = "ZL";

/// Whether `username` is one of the accounts the demo makes.
fn is_demo_username(username: &str) -> bool {
    let numbered = |prefix: &str, max: u32| {
        username
            .strip_prefix(prefix)
            .filter(|n| n.len() == 2)
            .and_then(|n| n.parse::<u32>().ok())
            .is_some_and(|n| (1..=max).contains(&n))
    };
    matches!(username, "sysadmin" | "secadmin" | "auditadmin" | "supervisor01" | "office01" | "center01")
        || numbered("leader", 3)
        || numbered("legal", 2)
        || numbered("squadlead", SQUADS.len() as u32)
        || numbered("officer", 8)
        || numbered("aux", 2)
}

/// Whether the database holds nothing but the demo district (or nothing at all): every unit
/// the demo's and every account one of its accounts. `serve --demo` refuses any other
/// database, and the login page shows the administrators' codes only while this holds — a
/// bureau that started from the demo and added its own people must not have their second
/// factor printed on the door.
pub async fn holds_only_demo_data(db: &Db) -> anyhow::Result<bool> {
    let units_are_demo = db.units().await?.iter().all(|u| u.code.starts_with(BUREAU_CODE));
    let accounts_are_demo = db.accounts().await?.iter().all(|a| is_demo_username(&a.username));
    Ok(units_are_demo && accounts_are_demo)
}

/// The eight street-level areas of the district, one dispatched squad each.
const SQUADS: [&str; 8] = ["南大街", "荷花池", "五星", "永红", "北港", "西林", "新闸", "邹区"];

const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";
const GIVEN_MALE: &str = "伟强磊军洋勇杰涛明超平刚华建国志东鹏飞宇浩凯健俊峰斌文博远泽晨阳波辉亮成";
const GIVEN_FEMALE: &str = "芳娜秀英敏静丽艳娟霞桂兰燕红梅丹玲雪琴慧颖欣怡涵婷莉萍洁";

/// A small deterministic generator (SplitMix64), so the demo needs no random-number crate
/// state and is identical on every machine.
struct Sequence(u64);

impl Sequence {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn name(&mut self, gender: Gender) -> String {
        let surnames: Vec<char> = SURNAMES.chars().collect();
        let given: Vec<char> = match gender {
            Gender::Male => GIVEN_MALE.chars().collect(),
            Gender::Female => GIVEN_FEMALE.chars().collect(),
        };
        let mut name = String::new();
        name.push(surnames[self.below(surnames.len())]);
        name.push(given[self.below(given.len())]);
        if self.below(3) > 0 {
            name.push(given[self.below(given.len())]);
        }
        name
    }
    fn phone(&mut self) -> Phone {
        const PREFIXES: [&str; 8] = ["139", "138", "137", "136", "135", "150", "151", "188"];
        let prefix = PREFIXES[self.below(PREFIXES.len())];
        let rest = self.next() % 100_000_000;
        Phone::parse(&format!("{prefix}{rest:08}")).expect("generated numbers are well formed")
    }
}

/// What was built, for the start-up message.
#[derive(Debug, Clone)]
pub struct Summary {
    pub bureau: String,
    pub units: usize,
    pub people: usize,
    pub logins: Vec<(String, String)>,
}

/// The demo administrators' TOTP secrets are derived from their names, so the login page can
/// show the current code in demo mode. Never used outside the demo.
pub fn demo_totp_secret(username: &str) -> Vec<u8> {
    Sha256::digest(format!("chengguan demo totp {username}").as_bytes())[..20].to_vec()
}

pub async fn seed(
    db: &Db,
    cost: HashCost,
    now: DateTime<Utc>,
    keys: &crate::keys::Keyring,
) -> anyhow::Result<Summary> {
    let bureau_name = "常州市钟楼区城市管理行政执法局（演示）";
    // The demo's people and parties are sealed like anyone's (`store::personal`).
    db.use_keys(std::sync::Arc::new(keys.clone()), None);
    let existing = db.units().await?;
    if existing.iter().any(|u| u.code == BUREAU_CODE) {
        let people = db.unit_head_counts().await?.iter().map(|(_, o, a)| (o + a) as usize).sum();
        return Ok(Summary {
            bureau: bureau_name.to_owned(),
            units: existing.len(),
            people,
            logins: listed_logins(),
        });
    }
    let today = civil_date(now);
    let mut seq = Sequence(20_170_214);
    let ctx = AuditCtx::cli("demo");
    let mut tx = db.begin(&ctx, now).await?;

    let bureau = tx.insert_unit(None, UnitKind::Bureau, bureau_name, BUREAU_CODE, 0).await?;
    let legal = tx.insert_unit(Some(&bureau), UnitKind::Section, "法制科", "ZL-FZ", 1).await?;
    let brigade =
        tx.insert_unit(Some(&bureau), UnitKind::Brigade, "钟楼城管行政执法大队", "ZL-DD", 2).await?;
    let office = tx
        .insert_unit(Some(&brigade), UnitKind::Office, "“强转树”专项行动领导小组办公室", "ZL-DD-BGS", 3)
        .await?;
    let center = tx.insert_unit(Some(&bureau), UnitKind::AcceptanceCenter, "受理中心", "ZL-SL", 20).await?;
    let mut squads = Vec::new();
    for (i, street) in SQUADS.iter().enumerate() {
        let id = tx
            .insert_unit(
                Some(&brigade),
                UnitKind::Squad,
                &format!("{street}中队"),
                &format!("ZL-DD-{:02}", i + 1),
                10 + i as i64,
            )
            .await?;
        squads.push(id);
    }
    let units = 5 + squads.len();

    let mut people = 0usize;
    let mut certificate_no = 0u32;
    let mut add_person = async |tx: &mut crate::store::AuditedTx,
                                seq: &mut Sequence,
                                unit: &str,
                                position: &str,
                                employment: Employment|
           -> anyhow::Result<(String, String)> {
        let gender = if seq.below(5) == 0 { Gender::Female } else { Gender::Male };
        let draft = PersonDraft {
            name: seq.name(gender),
            gender,
            unit_id: unit.to_owned(),
            position: position.to_owned(),
            phone: Some(seq.phone()),
            employment,
            // 局长 and 副局长 are the bureau's 负责人, who alone sit in a 集体讨论.
            agency_leader: matches!(position, "局长" | "副局长"),
        };
        let id = tx.insert_person(&draft).await?;
        // In service for years and through 岗前培训 long ago (the onboarding gate of the case
        // engine); the new auxiliary below is the exception.
        // Spread by the count, not drawn from `seq`, so the names and numbers drawn after stay
        // what the document snapshots expect.
        let joined = NaiveDate::from_ymd_opt(2012 + (people % 10) as i32, 1 + (people * 7 % 12) as u32, 1)
            .expect("a first of the month");
        tx.set_service(&id, Some(joined), None).await?;
        tx.set_onboarded(&id, joined + Duration::days(14)).await?;
        let draft_name = draft.name.clone();
        people += 1;
        if employment == Employment::Officer {
            certificate_no += 1;
            // Certificates run five years. Spread the end dates so that about one in twelve
            // expires within the warning window and one in twenty has lapsed.
            let bucket = seq.below(20);
            let valid_to = match bucket {
                0 => today - Duration::days(10 + seq.below(200) as i64),
                1 | 2 => today + Duration::days(3 + seq.below(55) as i64),
                _ => today + Duration::days(90 + seq.below(1500) as i64),
            };
            let valid_from =
                NaiveDate::from_ymd_opt(valid_to.year() - 5, valid_to.month(), 1).unwrap_or(valid_to);
            let draft = CertificateDraft {
                number: format!("32040{:02}{:05}", 17 + (certificate_no % 9), 10_000 + certificate_no),
                kind: "江苏省行政执法证".to_owned(),
                issuer: "江苏省人民政府".to_owned(),
                valid_from,
                valid_to,
                status: CertificateStatus::Valid,
            };
            tx.insert_certificate(&id, &draft).await?;
        }
        Ok((id, draft_name))
    };

    // Leaders and the leadership group (组长, 副组长; members are the squad leaders and the
    // acceptance center's head, as the plan lays out).
    let mut leaders = Vec::new();
    for (i, position) in ["局长", "副局长", "副局长", "大队长"].iter().enumerate() {
        let unit = if i < 3 { &bureau } else { &brigade };
        leaders.push(add_person(&mut tx, &mut seq, unit, position, Employment::Officer).await?);
    }
    let mut legal_people = Vec::new();
    for position in ["法制科长", "法制审核员", "法制审核员", "法制员"] {
        legal_people.push(add_person(&mut tx, &mut seq, &legal, position, Employment::Officer).await?);
    }
    // 法制审核资格 (行政处罚法 Art. 58 ¶2): the head of section has reviewed since before the
    // revised law; the two reviewers hold a 法律职业资格; the clerk (法制员) has neither, and a
    // review by them would be refused.
    for (i, (certificate, since)) in
        [("", "2016-03-01"), ("A20190320417", "2021-09-01"), ("A20200815233", "2022-03-01")]
            .iter()
            .enumerate()
    {
        let qualification = crate::domain::org::LegalQualification {
            certificate: (*certificate).to_owned(),
            since: NaiveDate::parse_from_str(since, "%Y-%m-%d").expect("a demo date"),
        };
        tx.set_legal_qualification(&legal_people[i].0, 1, &qualification).await?;
    }
    let mut office_people = Vec::new();
    for position in ["办公室主任", "综合文员", "考核专员"] {
        office_people.push(add_person(&mut tx, &mut seq, &office, position, Employment::Officer).await?);
    }
    for position in ["大队副大队长", "督察员", "督察员", "驾驶员"] {
        add_person(&mut tx, &mut seq, &brigade, position, Employment::Officer).await?;
    }
    let mut center_people = Vec::new();
    for position in ["受理中心主任", "受理员", "受理员", "受理员", "派遣员", "回访员"] {
        let employment =
            if position == "受理中心主任" { Employment::Officer } else { Employment::Auxiliary };
        center_people.push(add_person(&mut tx, &mut seq, &center, position, employment).await?);
    }
    let mut squad_leaders = Vec::new();
    let mut squad_officers: Vec<Vec<(String, String)>> = Vec::new();
    let mut squad_auxiliaries: Vec<Vec<(String, String)>> = Vec::new();
    for squad in &squads {
        squad_leaders.push(add_person(&mut tx, &mut seq, squad, "中队长", Employment::Officer).await?);
        add_person(&mut tx, &mut seq, squad, "副中队长", Employment::Officer).await?;
        let mut officers = Vec::new();
        for _ in 0..(8 + seq.below(4)) {
            officers.push(add_person(&mut tx, &mut seq, squad, "执法队员", Employment::Officer).await?);
        }
        let mut auxiliaries = Vec::new();
        for _ in 0..(15 + seq.below(5)) {
            auxiliaries.push(add_person(&mut tx, &mut seq, squad, "协管员", Employment::Auxiliary).await?);
        }
        squad_officers.push(officers);
        squad_auxiliaries.push(auxiliaries);
    }
    // A new auxiliary of the first squad, joined last week: not yet through 岗前培训, so the
    // case engine will not count them among the officers of anything.
    {
        let draft = PersonDraft {
            name: seq.name(Gender::Male),
            gender: Gender::Male,
            unit_id: squads[0].clone(),
            position: "协管员（新入职）".to_owned(),
            phone: Some(seq.phone()),
            employment: Employment::Auxiliary,
            agency_leader: false,
        };
        let id = tx.insert_person(&draft).await?;
        tx.set_service(&id, Some(today - Duration::days(7)), None).await?;
        people += 1;
    }
    tx.set_leadership_member(&leaders[0].0, GroupRole::Head.code(), "全面负责", 0).await?;
    for (i, deputy) in leaders[1..].iter().enumerate() {
        let duty = ["分管队伍建设与培训", "分管执法制度与法制审核", "分管大队日常执法与考核"][i];
        tx.set_leadership_member(&deputy.0, GroupRole::Deputy.code(), duty, 1 + i as i64).await?;
    }
    for (i, leader) in squad_leaders.iter().enumerate() {
        tx.set_leadership_member(&leader.0, GroupRole::Member.code(), "派驻中队中队长", 10 + i as i64)
            .await?;
    }
    tx.set_leadership_member(&center_people[0].0, GroupRole::Member.code(), "受理中心负责人", 30).await?;

    // Accounts. Those of people carry the person's name; the supervisor and the three
    // administrators are accounts without a person in the bureau's establishment.
    let hash = |_: &str| hash_password(cost, DEMO_PASSWORD);
    let linked = |username: &str, person: &(String, String), role: Role| {
        (username.to_owned(), person.1.clone(), Some(person.0.clone()), vec![role])
    };
    let mut accounts: Vec<(String, String, Option<String>, Vec<Role>)> = vec![
        linked("leader01", &leaders[0], Role::Leader),
        linked("leader02", &leaders[1], Role::Leader),
        linked("leader03", &leaders[2], Role::Leader),
        linked("office01", &office_people[0], Role::Office),
        linked("legal01", &legal_people[1], Role::LegalReviewer),
        linked("legal02", &legal_people[2], Role::LegalReviewer),
        linked("center01", &center_people[0], Role::Intake),
        ("supervisor01".into(), "行风监督员（演示）".into(), None, vec![Role::Supervisor]),
        ("sysadmin".into(), "系统管理员".into(), None, vec![Role::SysAdmin]),
        ("secadmin".into(), "安全管理员".into(), None, vec![Role::SecAdmin]),
        ("auditadmin".into(), "审计管理员".into(), None, vec![Role::AuditAdmin]),
    ];
    for (i, leader) in squad_leaders.iter().enumerate() {
        accounts.push(linked(&format!("squadlead{:02}", i + 1), leader, Role::SquadLeader));
    }
    // Officers 01–04 are in the first squad, 05–08 in the second, so isolation can be seen.
    for (i, officer) in squad_officers[0].iter().take(4).chain(squad_officers[1].iter().take(4)).enumerate() {
        accounts.push(linked(&format!("officer{:02}", i + 1), officer, Role::Officer));
    }
    for (i, aux) in squad_auxiliaries[0].iter().take(2).enumerate() {
        accounts.push(linked(&format!("aux{:02}", i + 1), aux, Role::Auxiliary));
    }
    for (username, display, person, roles) in &accounts {
        let roles = RoleSet::new(roles.clone()).map_err(|e| anyhow::anyhow!("{e}"))?;
        let totp =
            roles.is_admin().then(|| crate::keys::seal_totp(keys, &demo_totp_secret(username), username));
        tx.insert_account(&NewAccount {
            username,
            display_name: display,
            person_id: person.as_deref(),
            roles: &roles,
            password_hash: &hash(username),
            must_change_password: false,
            totp_secret: totp.as_deref(),
            requested_by: None,
        })
        .await?;
    }
    tx.commit().await?;
    Ok(Summary { bureau: bureau_name.to_owned(), units, people, logins: listed_logins() })
}

fn listed_logins() -> Vec<(String, String)> {
    let role = |u: &str| match u {
        "leader01" => "局领导 leader",
        "office01" => "领导小组办公室 office",
        u if u.starts_with("squadlead") => "中队长 squad leader",
        u if u.starts_with("officer") => "执法队员 officer",
        u if u.starts_with("aux") => "协管员 auxiliary",
        u if u.starts_with("legal") => "法制审核员 legal reviewer",
        "center01" => "受理中心 intake",
        "supervisor01" => "监督员 supervisor",
        "sysadmin" => "系统管理员 system admin (TOTP)",
        "secadmin" => "安全管理员 security admin (TOTP)",
        _ => "审计管理员 audit admin (TOTP)",
    };
    LISTED_LOGINS.iter().map(|u| (u.to_string(), role(u).to_owned())).collect()
}

/// A handful of cases in every stage, dated back from today, so that the case list, the
/// deadline lists and the documents have something to show. They go through the same
/// operations as a user's steps (`ops::cases`), under the demo accounts. Only `serve --demo`
/// adds them, once; a case the rules refuse (for instance when today's year has no holiday
/// arrangement loaded yet) is skipped with a warning rather than stopping the server.
/// A demo account acting through the demo builder.
async fn demo_actor(db: &Db, name: &str) -> anyhow::Result<crate::ops::Actor> {
    let account =
        db.account_by_username(name).await?.ok_or_else(|| anyhow::anyhow!("demo account {name}"))?;
    Ok(crate::ops::Actor::acting_as(account, "demo"))
}

pub async fn seed_cases(state: &crate::app::AppState) -> anyhow::Result<usize> {
    use crate::ops::Actor;
    use crate::ops::cases::{OpenInput, open_case, take_step};

    let db = &state.db;
    if db
        .cases(
            &crate::store::org::Visibility::All,
            &crate::store::cases::CaseFilter { page: 1, page_size: 1, ..Default::default() },
        )
        .await?
        .1
        > 0
    {
        return Ok(0);
    }
    let today = civil_date(state.now());
    let day = |back: i64| (today - Duration::days(back)).to_string();
    let as_user = |name: &'static str| demo_actor(db, name);
    let squad = as_user("squadlead01").await?;
    let leader = as_user("leader01").await?;
    let legal = as_user("legal01").await?;
    let unit = squad.unit_id.clone().unwrap_or_default();
    // Two officers of the squad whose certificates are valid today.
    let filter = crate::store::org::PeopleFilter {
        unit_id: unit.clone(),
        employment: "officer".into(),
        certificate: "valid".into(),
        page: 1,
        page_size: 20,
        ..Default::default()
    };
    let officers: Vec<String> = db
        .people(&crate::store::org::Visibility::All, &filter, today)
        .await?
        .rows
        .into_iter()
        .map(|p| p.id)
        .take(2)
        .collect();
    anyhow::ensure!(officers.len() == 2, "the demo squad has no two certified officers");
    // The bureau's 负责人 from the register: the attendees of every 集体讨论 below.
    let heads: Vec<String> = db.agency_leaders().await?.into_iter().map(|(id, _, _)| id).take(3).collect();
    anyhow::ensure!(heads.len() == 3, "the demo bureau has no three registered heads");
    let clear = |measure: &str, back: i64, conclusion: &str, opinion: &str| {
        [
            serde_json::json!({"action": "review_compulsory", "on": day(back), "measure": measure,
                "passed": true, "opinion": opinion}),
            serde_json::json!({"action": "discuss_compulsory", "on": day(back), "measure": measure,
                "attendees": heads, "conclusion": conclusion}),
        ]
    };
    let [seizure_review, seizure_discussion] = clear(
        "seizure",
        10,
        "同意扣押涉案经营工具",
        "当事人拒不停止违法行为，扣押涉案工具有法定依据，程序合法，同意扣押。",
    );
    let [substitute_review, substitute_discussion] = clear(
        "substitute",
        10,
        "同意代履行拆除",
        "责令改正逾期未履行，广告牌危及通行安全，符合代履行条件，预算合理。",
    );

    let mut parties = Vec::new();
    for (i, (name, address)) in [
        ("王某某", "常州市钟楼区南大街88号"),
        ("李某某", "常州市钟楼区荷花池街道12号"),
        ("赵某某", "常州市钟楼区西林街道5号"),
        ("陈某某", "常州市钟楼区五星街道301号"),
        ("周某某", "常州市钟楼区邹区镇18号"),
    ]
    .into_iter()
    .enumerate()
    {
        let body: Vec<char> =
            format!("32040419{:02}0{}0{}12{}", 80 + i, 1 + i % 9, 1 + i, i).chars().take(17).collect();
        let number: String =
            body.iter().collect::<String>() + &crate::domain::party::id_check_char(&body).to_string();
        let input = crate::domain::party::PartyInput {
            kind: "person".into(),
            name: name.into(),
            document_type: "resident_id".into(),
            document_number: number,
            address: address.into(),
            ..Default::default()
        };
        let draft = input.parse().map_err(|e| anyhow::anyhow!("demo party: {e}"))?;
        let mut tx = db.begin(&AuditCtx::cli("demo"), state.now()).await?;
        parties.push(tx.insert_party(&draft).await?);
        tx.commit().await?;
    }

    let open = |party: &str, category: &str, item: &str, title: &str, clue_back: i64| OpenInput {
        procedure: "general".into(),
        party_id: party.to_owned(),
        category: category.into(),
        item_code: item.into(),
        unit_id: unit.clone(),
        title: title.into(),
        location: "南大街步行街".into(),
        source: "patrol".into(),
        clue_on: day(clue_back),
        act_on: day(clue_back + 1),
        ..Default::default()
    };
    let file = |back: i64| serde_json::json!({"action": "file", "on": day(back), "officers": officers});
    let act = |back: i64| {
        serde_json::json!({"action": "record_act", "kind": "inspection", "on": day(back),
        "officers": officers, "summary": "现场检查，拍摄照片，制作现场检查（勘验）笔录"})
    };
    let propose = |yuan: i64| {
        serde_json::json!({"action": "propose",
        "penalty": {"kinds": ["fine"], "fine_fen": yuan * 100, "confiscation_fen": 0}, "complex": false, "public_interest": false,
        "findings": {"facts": "当事人在南大街步行街人行道上擅自设摊经营，占用城市道路约6平方米，经劝导后仍未改正。",
                     "evidence": "1.《现场检查（勘验）笔录》一份；2.现场照片六张；3.《询问笔录》一份；4.当事人身份证明材料一份。",
                     "discretion": "依据本局裁量基准“一般”档处罚。"}})
    };
    let review = serde_json::json!({"action": "review", "on": day(6), "checklist": [true, true, true, true, true, true, true, true],
        "opinion": "主体合法，程序合法，事实清楚，证据确凿，适用法律正确，裁量适当。"});

    // Each case: how it opens, then (who, step) in order.
    let plans: Vec<(OpenInput, Vec<(&Actor, serde_json::Value)>)> = vec![
        // A lead found 20 days ago and never filed: the lead check is overdue (possible inaction).
        (open(&parties[0], "city_appearance", "ZL-SR-001", "在行道树上张贴小广告", 20), vec![]),
        // A fresh lead.
        (open(&parties[1], "construction_waste", "ZL-ZT-001", "随意倾倒建筑垃圾", 2), vec![]),
        // Filed and under investigation.
        (
            open(&parties[2], "street_vending", "ZL-ZD-001", "擅自占用城市道路设摊经营", 12),
            vec![
                (&leader, file(11)),
                (&squad, act(10)),
                (&legal, seizure_review),
                (&leader, seizure_discussion),
                (
                    &leader,
                    serde_json::json!({"action": "seize", "on": day(10), "officers": officers,
                     "items": ["三轮车一辆（蓝色，无牌）", "遮阳伞一把", "水果约40公斤"],
                     "reason": "当事人拒不停止占道经营，扣押涉案经营工具（《江苏省城市市容和环境卫生管理条例》）",
                     "emergency": false}),
                ),
            ],
        ),
        // An unauthorised billboard: ordered removed, still up at the re-inspection and loose on its
        // frame; the head decided 代履行 and the party was urged.
        (
            open(&parties[1], "outdoor_ads", "ZL-GG-001", "擅自设置大型户外广告", 25),
            vec![
                (&leader, file(24)),
                (&squad, act(24)),
                (
                    &squad,
                    serde_json::json!({"action": "order_correction", "on": day(24), "deadline": day(17),
                     "requirement": "自行拆除擅自设置的户外广告牌及支架", "officers": officers}),
                ),
                (
                    &squad,
                    serde_json::json!({"action": "reinspect", "on": day(16), "officers": officers,
                     "corrected": false, "summary": "广告牌仍未拆除，支架锈蚀松动，临街一侧有坠落危险"}),
                ),
                (&legal, substitute_review),
                (&leader, substitute_discussion),
                (
                    &leader,
                    serde_json::json!({"action": "decide_substitute", "on": day(10), "ground": "traffic",
                     "reason": "广告牌支架松动，已危及行人和车辆通行安全；当事人经责令逾期未拆除",
                     "obligation": "拆除户外广告牌一块（约12平方米）及其钢支架",
                     "performer": "常州市钟楼区市政设施养护所", "budget_fen": 450_000, "planned_on": day(-3)}),
                ),
                (&squad, serde_json::json!({"action": "urge_substitute", "on": day(8)})),
            ],
        ),
        // An illegal rooftop structure ordered demolished last spring: announced, urged, past both
        // appeal windows; the head's written 强制执行决定 (Art. 37) is the next step.
        (
            open(&parties[0], "illegal_building", "ZL-WJ-001", "屋顶违法搭建彩钢板房", 280),
            vec![
                (&leader, file(279)),
                (&squad, act(278)),
                (
                    &squad,
                    serde_json::json!({"action": "propose",
                     "penalty": {"kinds": ["demolition"], "fine_fen": 0, "confiscation_fen": 0}, "complex": false, "public_interest": false,
                     "findings": {"facts": "当事人未取得建设工程规划许可证，在南大街88号屋顶搭建彩钢板房约30平方米，无法采取改正措施消除影响。",
                                  "evidence": "1.《现场检查（勘验）笔录》一份；2.现场照片八张；3.规划部门复函一份。",
                                  "discretion": "违法建设无法改正，依法限期拆除。"}}),
                ),
                (&squad, serde_json::json!({"action": "notify", "on": day(272)})),
                (&squad, serde_json::json!({"action": "waive", "on": day(271)})),
                (
                    &legal,
                    serde_json::json!({"action": "review", "on": day(270), "checklist": [true, true, true, true, true, true, true, true],
                     "opinion": "主体合法，程序合法，事实清楚，证据确凿，适用《城乡规划法》第六十四条正确。"}),
                ),
                (
                    &leader,
                    serde_json::json!({"action": "discuss", "on": day(269), "attendees": heads,
                     "conclusion": "同意责令限期拆除"}),
                ),
                (
                    &leader,
                    serde_json::json!({"action": "decide", "on": day(268), "outcome": "penalty",
                     "penalty": {"kinds": ["demolition"], "fine_fen": 0, "confiscation_fen": 0}, "note": ""}),
                ),
                (&squad, serde_json::json!({"action": "serve", "on": day(267), "method": "直接送达"})),
                (
                    &squad,
                    serde_json::json!({"action": "announce_demolition", "on": day(266), "deadline": day(236)}),
                ),
                (
                    &squad,
                    serde_json::json!({"action": "urge_demolition", "on": day(230), "deadline": day(220)}),
                ),
            ],
        ),
        // A major case (6,000 yuan ≥ the bureau's threshold), notified, waiting for legal review and discussion.
        (
            open(&parties[3], "street_vending", "ZL-ZD-001", "擅自占用城市道路设摊经营（多次）", 40),
            vec![
                (&leader, file(39)),
                (&squad, act(38)),
                (&squad, propose(6_000)),
                (&squad, serde_json::json!({"action": "notify", "on": day(20)})),
                (&squad, serde_json::json!({"action": "waive", "on": day(19)})),
            ],
        ),
        // Decided twelve days ago and not yet served: service is overdue.
        (
            open(&parties[4], "street_vending", "ZL-ZD-001", "擅自占用城市道路设摊经营", 45),
            vec![
                (&leader, file(44)),
                (&squad, act(43)),
                (&squad, propose(300)),
                (&squad, serde_json::json!({"action": "notify", "on": day(30)})),
                (&legal, review.clone()),
                (
                    &leader,
                    serde_json::json!({"action": "decide", "on": day(12), "outcome": "penalty",
                     "penalty": {"kinds": ["fine"], "fine_fen": 30_000, "confiscation_fen": 0}, "note": ""}),
                ),
            ],
        ),
        // A case run to the end.
        (
            open(&parties[2], "street_vending", "ZL-ZD-001", "擅自占用城市道路设摊经营（已结案）", 60),
            vec![
                (&leader, file(59)),
                (&squad, act(58)),
                (&squad, propose(200)),
                (&squad, serde_json::json!({"action": "notify", "on": day(50)})),
                (
                    &leader,
                    serde_json::json!({"action": "decide", "on": day(40), "outcome": "penalty",
                     "penalty": {"kinds": ["fine"], "fine_fen": 20_000, "confiscation_fen": 0}, "note": ""}),
                ),
                (&squad, serde_json::json!({"action": "serve", "on": day(39), "method": "直接送达"})),
                (&squad, serde_json::json!({"action": "pay", "on": day(35), "amount_fen": 20_000})),
                (
                    &leader,
                    serde_json::json!({"action": "close", "on": day(30), "summary": "罚款已缴清，经复查已改正。"}),
                ),
            ],
        ),
    ];
    // A year of decided penalties, one a month, for the publication register (the 7 working days
    // of 国办发〔2018〕118号): the latest decided 12 days ago and never published, the others
    // published by `seed_disclosure`.
    let mut plans = plans;
    for k in (0..12i64).rev() {
        let back = if k == 0 { 12 } else { 30 * k + 5 };
        let yuan = [200, 300, 500][(k % 3) as usize];
        // Served the next day; the older ones paid and closed, the latest still within its
        // 15 days to pay.
        let mut after =
            vec![(&squad, serde_json::json!({"action": "serve", "on": day(back - 1), "method": "直接送达"}))];
        if k > 0 {
            after.push((
                &squad,
                serde_json::json!({"action": "pay", "on": day(back - 5), "amount_fen": yuan * 100}),
            ));
            after.push((
                &leader,
                serde_json::json!({"action": "close", "on": day(back - 8), "summary": "罚款已缴清，经复查已改正。"}),
            ));
        }
        plans.push((
            open(&parties[(k % 5) as usize], "street_vending", "ZL-ZD-001", "擅自占用城市道路设摊经营", back + 16),
            vec![
                (&leader, file(back + 15)),
                (&squad, act(back + 14)),
                (&squad, propose(yuan)),
                (&squad, serde_json::json!({"action": "notify", "on": day(back + 12)})),
                (
                    &leader,
                    serde_json::json!({"action": "decide", "on": day(back), "outcome": "penalty",
                     "penalty": {"kinds": ["fine"], "fine_fen": yuan * 100, "confiscation_fen": 0}, "note": ""}),
                ),
            ]
            .into_iter()
            .chain(after)
            .collect(),
        ));
    }
    let mut made = 0;
    for (input, steps) in plans {
        let opened = match open_case(state, &squad, &input).await.map(|o| o.id) {
            Ok(id) => id,
            Err(error) => {
                tracing::warn!(title = %input.title, error = ?error, "demo case skipped");
                continue;
            }
        };
        let mut version = 1;
        for (who, step) in steps {
            // The demo writes its steps as an API client would, through the one parser of a
            // step: a misspelt action or field stops the demo with the field's name.
            let command = match crate::domain::case::Command::from_json(step) {
                Ok(command) => command,
                Err(errors) => anyhow::bail!("demo step: {errors}"),
            };
            match take_step(state, who, &opened, version, command).await {
                Ok(v) => version = v,
                Err(error) => {
                    tracing::warn!(title = %input.title, error = ?error, "demo step skipped");
                    break;
                }
            }
        }
        made += 1;
    }
    // One on-the-spot decision today.
    let spot = OpenInput {
        procedure: "simple".into(),
        party_id: parties[1].clone(),
        category: "illegal_parking".into(),
        item_code: "ZL-TC-001".into(),
        unit_id: unit.clone(),
        title: "在人行道违法停放机动车".into(),
        location: "南大街与延陵西路交叉口".into(),
        clue_on: day(0),
        act_on: day(0),
        officer1: officers[0].clone(),
        officer2: officers[1].clone(),
        fine: "100".into(),
        ..Default::default()
    };
    if open_case(state, &squad, &spot).await.is_ok() {
        made += 1;
    }
    Ok(made)
}

/// Twelve months of training up to this month, relative to today (so last month is always
/// complete): each squad's fixed study days (one political, two business studies a month) with
/// attendance, leave and make-ups; the brigade's spring training and two special trainings a
/// year; one squad that held only one business study last month, a few people short; and a
/// business study in the first squad today, open for signing in. Idempotent: nothing is added
/// once any session exists. Returns the sessions added.
pub async fn seed_training(db: &Db, now: DateTime<Utc>) -> anyhow::Result<usize> {
    use crate::domain::training::{Category, Month, SessionKind};
    use crate::store::training::{AttendanceStatus, NewSession};
    use chrono::TimeZone;
    let today = civil_date(now);
    if !db.training_sessions(today - Duration::days(400), today + Duration::days(60)).await?.is_empty() {
        return Ok(0);
    }
    let units = db.units().await?;
    let brigade = units.iter().find(|u| u.kind == UnitKind::Brigade).map(|u| u.id.clone());
    let squads: Vec<String> =
        units.iter().filter(|u| u.kind == UnitKind::Squad).map(|u| u.id.clone()).collect();
    let (Some(brigade), false) = (brigade, squads.is_empty()) else { return Ok(0) };
    let members = |unit: String| async move {
        let filter = crate::store::org::PeopleFilter { page: 1, page_size: 500, ..Default::default() };
        let page = db.people(&crate::store::org::Visibility::Unit(unit), &filter, today).await?;
        // The new auxiliary joined last week: not expected at last year's sessions.
        anyhow::Ok(
            page.rows
                .into_iter()
                .filter(|p| !p.position.contains("新入职"))
                .map(|p| p.id)
                .collect::<Vec<_>>(),
        )
    };
    let mut seq = Sequence(0x7121_2026);
    let at = |day: NaiveDate, hour: u32| {
        crate::domain::time::beijing()
            .from_local_datetime(&day.and_hms_opt(hour, 0, 0).expect("an hour"))
            .single()
            .expect("Beijing has no gaps")
            .with_timezone(&Utc)
    };
    // A weekday on or after the `n`-th of the month.
    let weekday = |month: Month, n: u32| {
        let mut day = month.first_day() + Duration::days(i64::from(n) - 1);
        while matches!(day.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun) {
            day += Duration::days(1);
        }
        day
    };
    let session = |unit: &str,
                   kind: SessionKind,
                   topic: &str,
                   categories: Vec<Category>,
                   day: NaiveDate,
                   makes_up_for: Option<String>| NewSession {
        unit_id: unit.to_owned(),
        kind,
        topic: topic.to_owned(),
        categories,
        starts_at: at(day, 15),
        ends_at: at(day, 17),
        place: "中队会议室".to_owned(),
        organiser_id: None,
        teacher: String::new(),
        makes_up_for,
        pass_mark: None,
        participants: Vec::new(),
    };
    let this_month = Month::of(today);
    let mut month = this_month;
    for _ in 0..12 {
        month = month.previous();
    }
    let mut added = 0usize;
    let mut tx = db.begin(&AuditCtx::cli("demo"), now).await?;
    let political = [
        "学习贯彻党的二十届四中全会精神",
        "党风廉政建设警示教育",
        "学习《中国共产党纪律处分条例》",
        "学习习近平法治思想",
    ];
    let business = [
        "《行政处罚法》程序规定解读",
        "违法建设查处实务",
        "户外广告设置审批与查处",
        "执法文书制作规范",
        "执法记录仪使用与音像记录",
        "占道经营劝导与疏导",
        "建筑渣土运输管理",
        "餐厨废弃物收运监管",
    ];
    // Every unit holds its own fixed study days: the squads, the brigade's staff, the sections,
    // the office, the acceptance center and the bureau's leadership.
    let short_squad = squads.last().cloned().unwrap_or_default();
    // Three months back one officer's attendance went unrecorded (out on a case); the office
    // enters it after closing that month, as a correction.
    let corrected_month = this_month.previous().previous().previous();
    let mut unrecorded: Option<(String, String)> = None;
    let study_units: Vec<String> = units.iter().map(|u| u.id.clone()).collect();
    while month <= this_month {
        let last_month = month == this_month.previous();
        for (si, squad) in study_units.iter().enumerate() {
            let people = members(squad.clone()).await?;
            if people.is_empty() {
                continue;
            }
            let days = [weekday(month, 3), weekday(month, 10), weekday(month, 20)];
            for (k, day) in days.into_iter().enumerate() {
                // The last squad held only one business study last month: everyone there is short.
                if day > today || (last_month && *squad == short_squad && k == 2) {
                    continue;
                }
                let (kind, topic, categories) = if k == 0 {
                    (
                        SessionKind::Political,
                        political[(month.month as usize + si) % political.len()],
                        vec![Category::Ideology, Category::Integrity],
                    )
                } else {
                    (
                        SessionKind::Business,
                        business[(month.month as usize * 2 + k + si) % business.len()],
                        vec![Category::Law, Category::Practice],
                    )
                };
                let id =
                    tx.insert_training_session(&session(squad, kind, topic, categories, day, None)).await?;
                added += 1;
                let mut missed = Vec::new();
                for person in &people {
                    if month == corrected_month && *squad == squads[0] && k == 1 && unrecorded.is_none() {
                        unrecorded = Some((id.clone(), person.clone()));
                        continue;
                    }
                    match seq.below(100) {
                        0..=3 => {
                            tx.record_attendance(&id, person, AttendanceStatus::Leave, false, "执勤任务请假")
                                .await?;
                            missed.push(person.clone());
                        }
                        4 => {}
                        5..=8 => {
                            tx.record_attendance(&id, person, AttendanceStatus::Late, true, "").await?;
                        }
                        _ => {
                            tx.record_attendance(&id, person, AttendanceStatus::Present, true, "").await?;
                        }
                    }
                }
                // Those on leave make it up early next month (补学), if that day has come.
                let makeup_day = weekday(month.next(), 6);
                if !missed.is_empty() && makeup_day < today {
                    let makeup = tx
                        .insert_training_session(&session(
                            squad,
                            kind,
                            &format!("补学：{topic}"),
                            vec![],
                            makeup_day,
                            Some(id.clone()),
                        ))
                        .await?;
                    added += 1;
                    for person in &missed {
                        tx.record_attendance(&makeup, person, AttendanceStatus::Present, true, "").await?;
                    }
                }
            }
        }
        // The brigade's spring training in March and its special trainings in May and September.
        let everyone = || async {
            let mut all = Vec::new();
            for squad in &squads {
                all.extend(members(squad.clone()).await?);
            }
            anyhow::Ok(all)
        };
        let brigade_session = match month.month {
            3 => Some((SessionKind::Spring, "春训：法律法规、执法实务、队列训练与警示教育")),
            5 => Some((SessionKind::Special, "专题培训：违法建设查处")),
            9 => Some((SessionKind::Special, "专题培训：户外广告与店招标牌管理")),
            _ => None,
        };
        if let Some((kind, topic)) = brigade_session {
            let day = weekday(month, 15);
            if day < today {
                let mut new =
                    session(&brigade, kind, topic, vec![Category::Law, Category::Practice], day, None);
                new.place = "大队培训中心".to_owned();
                new.starts_at = at(day, 9);
                // The spring training ends with a test (pass mark 60).
                let tested = kind == SessionKind::Spring;
                if tested {
                    new.pass_mark = Some(60);
                }
                let id = tx.insert_training_session(&new).await?;
                added += 1;
                for person in everyone().await? {
                    if seq.below(100) >= 3 {
                        tx.record_attendance(&id, &person, AttendanceStatus::Present, true, "").await?;
                        if tested {
                            tx.record_score(&id, &person, 52 + seq.below(49) as u32).await?;
                        }
                    }
                }
            }
        }
        month = month.next();
    }
    // Today's business study in the first squad, open for signing in from the phone.
    let mut open = session(
        &squads[0],
        SessionKind::Business,
        "执法全过程记录制度学习",
        vec![Category::Law],
        today,
        None,
    );
    // Planned to the minute, like any session.
    let minute = DateTime::from_timestamp(now.timestamp() - now.timestamp() % 60, 0).unwrap_or(now);
    open.starts_at = minute - Duration::minutes(20);
    open.ends_at = minute + Duration::hours(2);
    tx.insert_training_session(&open).await?;
    added += 1;
    // Each squad's and the brigade's yearly plans, last year's and this year's, as the plan
    // has them (the last squad's plan thus shows last month's missing business study).
    let rules = crate::domain::training::ComplianceRules::plan_default();
    for year in [this_month.year - 1, this_month.year] {
        for unit in squads.iter().chain(std::iter::once(&brigade)) {
            for item in crate::domain::training::plan_defaults(*unit == brigade, &rules) {
                tx.insert_plan_item(unit, year, &item).await?;
            }
        }
    }
    // Last week the first squad's leader held a study whose attendance sheet is not yet
    // entered: their 工作台 asks for it.
    let leader = db.account_by_username("squadlead01").await?.and_then(|a| a.person_id);
    let last_week = today - Duration::days(7);
    if leader.is_some() {
        let mut unrecorded = session(
            &squads[0],
            SessionKind::Expert,
            "专家授课：城市管理领域法律适用",
            vec![Category::Law],
            last_week,
            None,
        );
        unrecorded.organiser_id = leader;
        unrecorded.teacher = "市司法局法律顾问".to_owned();
        tx.insert_training_session(&unrecorded).await?;
        added += 1;
    }
    tx.commit().await?;
    // The office closed every month but the last two (the one before last still takes
    // make-ups), and corrected one of them afterwards.
    let mut month = this_month;
    for _ in 0..12 {
        month = month.previous();
    }
    while month < this_month.previous().previous() {
        let snapshot =
            crate::ops::training::figures(db, month).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let mut tx = db.begin(&AuditCtx::cli("demo"), now).await?;
        tx.close_training_month(month, "局办公室", &snapshot).await?;
        if month == corrected_month
            && let Some((session, person)) = &unrecorded
        {
            let reason = "当日外出办案未能签到，经中队长核实补登";
            tx.record_attendance(session, person, AttendanceStatus::Present, false, reason).await?;
            tx.insert_training_correction(month, session, Some(person), "补登出勤", reason, "局办公室")
                .await?;
        }
        tx.commit().await?;
        month = month.next();
    }
    Ok(added)
}

/// A photo of the latest spring training kept with it as its material, through the same path
/// as an upload (`ops::training::add_material`, by the office). Returns how many were added.
pub async fn seed_training_materials(state: &crate::app::AppState) -> anyhow::Result<usize> {
    use crate::domain::training::SessionKind;
    let today = civil_date(state.now());
    let sessions = state.db.training_sessions(today - Duration::days(400), today).await?;
    let Some(spring) = sessions.iter().rev().find(|s| s.kind == SessionKind::Spring) else { return Ok(0) };
    if !state.db.training_materials(&spring.id).await?.is_empty() {
        return Ok(0);
    }
    let account = state
        .db
        .account_by_username("office01")
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo office account"))?;
    let actor = crate::ops::Actor::acting_as(account, "demo");
    let mut ingest = state.blobs.stage().await?;
    ingest.push(bytes::Bytes::from(demo_png(480, 270, [180, 60, 60]))).await?;
    let ingested = ingest.finish().await?;
    crate::ops::training::add_material(
        state,
        &actor,
        &spring.id,
        "春训开班现场照片",
        "春训现场.png",
        ingested,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    Ok(1)
}

/// Sample evidence for `serve --demo`: scene photos (drawn here, so the item page has a picture
/// to show) on the first case and one patrol photo of the squad, stored through the blob store
/// with their custody records. Returns how many items were added (none if some exist).
pub async fn seed_evidence(state: &crate::app::AppState) -> anyhow::Result<usize> {
    use crate::domain::evidence::{EvidenceKind, MediaType};
    use crate::store::evidence::{EvidenceFilter, NewEvidence};
    let db = &state.db;
    let all = crate::store::org::Visibility::All;
    if !db.evidence_items(&all, &EvidenceFilter::default(), 1, 0).await?.is_empty() {
        return Ok(0);
    }
    let account =
        db.account_by_username("squadlead01").await?.ok_or_else(|| anyhow::anyhow!("demo squad leader"))?;
    let unit = account.unit_id.clone().unwrap_or_default();
    let filter = crate::store::cases::CaseFilter { page: 1, page_size: 1, ..Default::default() };
    let case = db.cases(&all, &filter).await?.0.into_iter().next();
    let now = state.now();
    let items: [(&str, [u8; 3], bool); 3] = [
        ("占道经营现场全景照片", [70, 130, 180], true),
        ("违法摊点近景照片", [200, 120, 60], true),
        ("日常巡查：南大街人行道整洁", [90, 160, 90], false),
    ];
    let mut made = 0;
    for (description, colour, on_case) in items {
        let png = demo_png(320, 200, colour);
        let mut ingest = state.blobs.stage().await?;
        ingest.push(bytes::Bytes::from(png)).await?;
        let ingested = ingest.finish().await?;
        let (sha256, sm3, size) = (ingested.sha256.clone(), ingested.sm3.clone(), ingested.size);
        state.blobs.commit(ingested).await?;
        let case_id = case.as_ref().filter(|_| on_case).map(|c| c.id.clone());
        let unit_id = case.as_ref().filter(|_| on_case).map_or(unit.clone(), |c| c.unit_id.clone());
        let mut tx = db.begin(&AuditCtx::cli("demo"), now).await?;
        tx.insert_evidence(
            &NewEvidence {
                sha256: &sha256,
                sm3: &sm3,
                size,
                media: MediaType::Png,
                kind: EvidenceKind::Physical,
                description,
                original_name: "IMG_demo.png",
                unit_id: &unit_id,
                collected_by: account.person_id.as_deref().unwrap_or(&account.username),
                device_time: Some(now - Duration::minutes(40)),
                clock_skew: false,
                location: "南大街88号",
                device_no: "DSJ-0031",
                case_id: case_id.as_deref(),
                act: if on_case { "现场检查" } else { "日常巡查" },
                patrol_id: None,
                case_event_seq: None,
                recording_started_at: None,
                recording_ended_at: None,
                matter_id: None,
            },
            "demo",
        )
        .await?;
        tx.commit().await?;
        made += 1;
    }
    // Last night's joint operation with the police, whose body-camera video is still missing,
    // so the recording report has something to show.
    let filter = crate::store::org::PeopleFilter {
        unit_id: unit.clone(),
        employment: "officer".into(),
        certificate: "valid".into(),
        page: 1,
        page_size: 3,
        ..Default::default()
    };
    let members: Vec<String> =
        db.people(&all, &filter, civil_date(now)).await?.rows.into_iter().map(|p| p.id).collect();
    let input = crate::domain::fieldwork::PatrolInput {
        kind: "joint".into(),
        title: "南大街夜间占道经营联合整治".into(),
        area: "南大街、延陵西路沿线".into(),
        started_at: crate::store::ts(now - Duration::hours(14)),
        ended_at: crate::store::ts(now - Duration::hours(11)),
        members,
        partner_unit: "钟楼公安分局特警大队".into(),
        partner_officers: "特警二名".into(),
        findings: "劝离流动摊贩6处，登记线索1条".into(),
    };
    if let Ok(draft) = input.parse() {
        let mut tx = db.begin(&AuditCtx::cli("demo"), now).await?;
        tx.insert_patrol(&draft, &unit).await?;
        tx.commit().await?;
    }
    let mut tx = db.begin(&AuditCtx::cli("demo"), now).await?;
    tx.insert_device("DSJ-0031", "body_camera", &unit, account.person_id.as_deref()).await?;
    tx.commit().await?;
    Ok(made)
}

/// A small picture (a sky-and-street scene in one colour family) as an uncompressed PNG, so the
/// demo needs no image files or encoder.
fn demo_png(width: u32, height: u32, colour: [u8; 3]) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc32(&body).to_be_bytes());
    }
    let mut raw = Vec::with_capacity(((width * 3 + 1) * height) as usize);
    for y in 0..height {
        raw.push(0); // no filter
        for x in 0..width {
            let ground = y > height * 3 / 5;
            let shade = if ground { 60 + (x * 40 / width) as u8 } else { 255 - (y * 120 / height) as u8 };
            let [r, g, b] = colour;
            let mix = |c: u8| ((u16::from(c) + u16::from(shade)) / 2) as u8;
            raw.extend_from_slice(&[mix(r), mix(g), mix(b)]);
        }
    }
    // zlib with stored (uncompressed) deflate blocks.
    let mut zlib = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        zlib.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        zlib.extend_from_slice(&len.to_le_bytes());
        zlib.extend_from_slice(&(!len).to_le_bytes());
        zlib.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    zlib.extend_from_slice(&((b << 16) | a).to_be_bytes());
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &header);
    chunk(&mut png, b"IDAT", &zlib);
    chunk(&mut png, b"IEND", &[]);
    png
}
