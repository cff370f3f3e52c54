//! The demo's matters: a year of them, up to today, from every source, through every path of
//! the loop — rework, extensions and deferrals, referrals answered and overdue, merged
//! duplicates, refusals — and the last days' still open, some past due. Each squad has its own
//! 721 mix. Every matter goes through `ops::intake` at the moment it happened (a manual clock),
//! so the timeline, the deadlines and the audit log are what the loop itself wrote.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::app::AppState;
use crate::clock::ManualClock;
use crate::domain::intake::flow::StepInput;
use crate::domain::intake::{Category, ReportInput, Source};
use crate::domain::time::{beijing, start_of_civil_day};
use crate::ops::Actor;
use crate::ops::intake::{Filer, file_matter, take_step};
use crate::store::intake::MatterFilter;
use crate::store::org::Visibility;

/// Places in the demo district, by squad (the squad's street first).
const PLACES: [&str; 8] = [
    "南大街与西直街交叉口",
    "荷花池农贸市场东门",
    "五星公园北侧人行道",
    "永红街道勤业新村",
    "北港街道邮电路",
    "西林街道怀德桥",
    "新闸街道新闸老街",
    "邹区灯具城南门",
];

/// How many days of matters the demo holds.
const DAYS: i64 = 365;

/// The demo's deterministic generator (the demo is the same on every start of the same day),
/// with the draws this module makes.
struct Dice(super::Sequence);

impl Dice {
    /// 0..n
    fn below(&mut self, n: u64) -> u64 {
        self.0.next() % n
    }
    /// true with `percent` per cent.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

struct Demo {
    state: AppState,
    clock: ManualClock,
    centre: Actor,
    /// Each squad with its members who handle matters (its leader first, then its officers).
    squads: Vec<(String, Vec<Actor>)>,
    classes: Vec<Category>,
    dice: Dice,
    made: usize,
}

fn input(pairs: &[(&str, &str)]) -> StepInput {
    let object: serde_json::Map<String, serde_json::Value> =
        pairs.iter().map(|(k, v)| ((*k).to_owned(), serde_json::Value::String((*v).to_owned()))).collect();
    serde_json::from_value(serde_json::Value::Object(object)).expect("a step input from text fields")
}

impl Demo {
    fn at(&self, t: DateTime<Utc>) {
        self.clock.set(t);
    }

    async fn step(&self, actor: &Actor, id: &str, pairs: &[(&str, &str)]) -> anyhow::Result<()> {
        let matter = self
            .state
            .db
            .matter(&Visibility::All, id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("demo matter {id}"))?;
        take_step(&self.state, actor, id, matter.version, &input(pairs))
            .await
            .map_err(|e| anyhow::anyhow!("demo matter step {pairs:?}: {}", e.message_zh()))?;
        Ok(())
    }

    /// A photo of the squad's work on the matter (处置反馈), taken now on the demo's clock and
    /// stored as evidence of the matter through the upload operation.
    async fn photo(&mut self, actor: &Actor, id: &str) -> anyhow::Result<()> {
        let shade = self.dice.below(80) as u8;
        let png = super::demo_png(320, 200, [90 + shade, 140, 120 + shade / 2]);
        let mut ingest = self.state.blobs.stage().await?;
        ingest.push(bytes::Bytes::from(png)).await?;
        let ingested = ingest.finish().await?;
        let meta = crate::ops::evidence::UploadMeta {
            matter_id: Some(id.to_owned()),
            description: "处置后现场".to_owned(),
            ..Default::default()
        };
        crate::ops::evidence::record_upload(&self.state, actor, meta, ingested, "IMG_handled.png")
            .await
            .map_err(|e| anyhow::anyhow!("demo matter photo: {}", e.message_zh()))?;
        Ok(())
    }

    /// Files one matter at `t` and takes it as far as `now` allows along a path chosen by dice.
    // The step macro counts down `left` after the last step too.
    #[allow(unused_assignments)]
    async fn matter(&mut self, t: DateTime<Utc>, now: DateTime<Utc>) -> anyhow::Result<()> {
        let roll = self.dice.below(100);
        let source = match roll {
            0..45 => Source::Hotline,
            45..75 => Source::Patrol,
            75..80 => Source::Supervisor,
            80..85 => Source::Media,
            85..95 => Source::WebForm,
            _ => Source::Open311,
        };
        let public = matches!(source, Source::WebForm | Source::Open311);
        let classes: Vec<&Category> =
            self.classes.iter().filter(|c| c.active && (c.public || !public)).collect();
        let class = classes[self.dice.below(classes.len() as u64) as usize].clone();
        let squad = self.dice.below(self.squads.len() as u64) as usize;
        let place = format!("{}{}号附近", PLACES[squad % PLACES.len()], 1 + self.dice.below(200));
        let phone = format!("139{:08}", self.dice.below(100_000_000));
        let contact = source != Source::Patrol && self.dice.chance(80);
        let report = ReportInput {
            category: class.code.clone(),
            urgency: if self.dice.chance(8) { "urgent".into() } else { String::new() },
            description: format!("{}：{}，请尽快处理。", class.name, place),
            address: place,
            reporter_name: if contact {
                ["王女士", "李先生", "张先生", "陈女士"][self.dice.below(4) as usize].into()
            } else {
                String::new()
            },
            reporter_phone: if contact { phone } else { String::new() },
            ..ReportInput::default()
        };
        self.at(t);
        let matter = if public {
            let filer = Filer::Public {
                source,
                client: if source == Source::Open311 { "demo-app" } else { "" },
                address: "demo",
                request_id: "",
            };
            file_matter(&self.state, filer, &report).await
        } else {
            file_matter(&self.state, Filer::Staff(&self.centre, source), &report).await
        }
        .map_err(|e| anyhow::anyhow!("demo matter: {}", e.message_zh()))?;
        self.made += 1;
        let id = matter.id.clone();
        let centre = self.centre.clone();
        let (squad_id, members) = self.squads[squad].clone();
        let squad_actor = members[self.dice.below(members.len() as u64) as usize].clone();
        let minutes = |n: u64| Duration::minutes(n as i64);
        // A duplicate now and then: the same report again a little later, merged into this one.
        if self.dice.chance(2) && t + minutes(30) < now {
            self.at(t + minutes(20));
            let filer = Filer::Staff(&centre, Source::Hotline);
            let dup = file_matter(&self.state, filer, &report)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.message_zh()))?;
            self.made += 1;
            self.at(t + minutes(25));
            self.step(&centre, &dup.id, &[("action", "merge"), ("into", &id)]).await?;
        }
        // The last days' matters stop somewhere on the way, so every state shows (some of them
        // past due); older ones run to the end.
        let mut left = if now - t < Duration::days(6) { self.dice.below(8) } else { u64::MAX };
        // Each step happens some minutes after the one before, unless that is still to come.
        let mut t = t + minutes(30 + self.dice.below(50));
        macro_rules! next {
            ($actor:expr, $pairs:expr, $after:expr) => {{
                if t > now || left == 0 {
                    return Ok(());
                }
                left -= 1;
                self.at(t);
                self.step($actor, &id, $pairs).await?;
                t += $after;
            }};
        }
        let path = self.dice.below(100);
        if path < 3 {
            next!(
                &centre,
                &[("action", "reject"), ("reason", "不属于城市管理执法职责，已告知反映人向相关部门反映")],
                minutes(0)
            );
            return Ok(());
        }
        if path < 7 {
            let due = (t + Duration::days(5)).with_timezone(&beijing()).date_naive().to_string();
            let department =
                ["市场监督管理局", "住房和城乡建设局", "生态环境局", "公安分局"][self.dice.below(4) as usize];
            next!(
                &centre,
                &[
                    ("action", "refer"),
                    ("department", department),
                    ("due_on", &due),
                    ("reference", "钟城转〔2026〕")
                ],
                Duration::days(self.dice.below(8) as i64)
            );
            next!(&centre, &[("action", "answer_referral"), ("answer", "已由本部门依法处理")], minutes(30));
            next!(
                &centre,
                &[("action", "close"), ("public_note", "已转相关部门办理并答复")],
                Duration::hours(20)
            );
            if contact {
                next!(&centre, &[("action", "visit"), ("satisfaction", "fair")], minutes(0));
            }
            return Ok(());
        }
        next!(&centre, &[("action", "accept")], minutes(10 + self.dice.below(40)));
        next!(&centre, &[("action", "dispatch"), ("unit_id", &squad_id)], minutes(60 + self.dice.below(150)));
        if path < 12 {
            let kind = if self.dice.chance(70) { "extend" } else { "defer" };
            let until =
                (t + Duration::days(12)).with_timezone(&beijing()).format("%Y-%m-%d 17:30").to_string();
            next!(
                &squad_actor,
                &[
                    ("action", "request_time"),
                    ("kind", kind),
                    ("until", &until),
                    ("reason", "当事人外出，需另行约谈")
                ],
                minutes(40)
            );
            next!(&centre, &[("action", "decide_time"), ("approve", "true")], Duration::days(2));
        }
        // A squad late now and then: its handling lands two days later.
        if self.dice.chance(12) {
            t += Duration::days(2);
        }
        // The last two months' handling comes with a photo now and then.
        if t <= now && left > 0 && now - t < Duration::days(60) && self.dice.chance(35) {
            self.at(t);
            self.photo(&squad_actor, &id).await?;
        }
        let mix = self.mix(squad);
        let (measures, result) = match mix {
            0 => ("guidance,help", "已宣传引导，帮助当事人移至便民疏导点经营"),
            1 => ("coordination", "已协调责任单位清理完毕"),
            2 => ("persuasion,guidance", "已现场劝导，当事人自行整改"),
            3 => ("order,persuasion", "已责令限期改正，复查已改正"),
            _ => ("compulsory,persuasion", "当事人拒不改正，依法暂扣经营工具并立案查处"),
        };
        next!(
            &squad_actor,
            &[("action", "handle"), ("measures", measures), ("result", result)],
            minutes(30 + self.dice.below(120))
        );
        if self.dice.chance(8) {
            next!(
                &centre,
                &[("action", "check"), ("passed", "false"), ("reason", "现场复核仍有问题，请返工")],
                minutes(90 + self.dice.below(120))
            );
            next!(
                &squad_actor,
                &[("action", "handle"), ("measures", measures), ("result", "返工后已整改到位")],
                minutes(30 + self.dice.below(60))
            );
        }
        next!(&centre, &[("action", "check"), ("passed", "true")], minutes(10 + self.dice.below(50)));
        next!(&centre, &[("action", "close"), ("public_note", result)], Duration::hours(18));
        if contact {
            let satisfaction = match self.dice.below(100) {
                0..80 => "satisfied",
                80..94 => "fair",
                94..97 => "dissatisfied",
                _ => "unreachable",
            };
            next!(&centre, &[("action", "visit"), ("satisfaction", satisfaction)], minutes(0));
        }
        Ok(())
    }

    /// The squad's way of resolving: 0–1 service, 2–3 management, 4 enforcement. The first
    /// squads are near the plan's 7:2:1; the later ones lean on enforcement, so the 721 page has
    /// something to show.
    fn mix(&mut self, squad: usize) -> u64 {
        let service = 75 - 5 * squad as u64;
        let management = 18 + 2 * squad as u64;
        match self.dice.below(100) {
            r if r < service => self.dice.below(2),
            r if r < service + management => 2 + self.dice.below(2),
            _ => 4,
        }
    }
}

/// Adds the demo's matters to a demo bureau that has none; answers how many it filed.
pub async fn seed_matters(state: &AppState) -> anyhow::Result<usize> {
    let filter = MatterFilter { limit: 1, ..MatterFilter::default() };
    if state.db.matters(&Visibility::All, &filter).await?.1 > 0 {
        return Ok(0);
    }
    let now = state.now();
    let as_user = |name: &'static str| super::demo_actor(&state.db, name);
    let centre = as_user("center01").await?;
    let mut squads = Vec::new();
    for name in [
        "squadlead01",
        "squadlead02",
        "squadlead03",
        "squadlead04",
        "squadlead05",
        "squadlead06",
        "squadlead07",
        "squadlead08",
    ] {
        let actor = as_user(name).await?;
        if let Some(unit) = actor.unit_id.clone() {
            squads.push((unit, vec![actor]));
        }
    }
    // The officers' accounts handle their squad's matters too, so the 处置人 rows differ.
    for n in 1..=8 {
        let officer = super::demo_actor(&state.db, &format!("officer{n:02}")).await?;
        if let Some((_, members)) = squads.iter_mut().find(|(unit, _)| Some(unit) == officer.unit_id.as_ref())
        {
            members.push(officer);
        }
    }
    anyhow::ensure!(!squads.is_empty(), "the demo bureau has no squad leaders");
    let clock = ManualClock::new(now);
    let mut past = state.clone();
    past.clock = Arc::new(clock.clone());
    let today = now.with_timezone(&beijing()).date_naive();
    let mut demo = Demo {
        classes: state.db.matter_categories().await?,
        state: past,
        clock,
        centre,
        squads,
        dice: Dice(super::Sequence(u64::from(today.to_string().bytes().map(u32::from).sum::<u32>()))),
        made: 0,
    };
    for back in (0..DAYS).rev() {
        let day = today - Duration::days(back);
        let start = start_of_civil_day(day);
        // Two or three a day, more on working days; filed between 07:00 and 21:00.
        let count = if chrono::Datelike::weekday(&day).number_from_monday() <= 5 {
            2 + demo.dice.below(2)
        } else {
            1
        };
        for _ in 0..count {
            let t = start + Duration::minutes((7 * 60 + demo.dice.below(14 * 60)) as i64);
            if t > now {
                continue;
            }
            demo.matter(t, now).await?;
        }
    }
    Ok(demo.made)
}

/// A demo meeting: its topic, the departments, and the tasks agreed (task, owner).
type DemoMeeting = (&'static str, &'static str, [(&'static str, &'static str); 3]);

/// Topics of the demo's 联席会议.
const MEETINGS: [DemoMeeting; 4] = [
    (
        "夜市周边占道经营联合整治",
        "市场监督管理局、公安分局",
        [
            ("设置便民疏导点两处", "区城管局"),
            ("无照经营联合查处", "市场监督管理局"),
            ("夜间联合巡查", "公安分局"),
        ],
    ),
    (
        "建筑工地渣土运输联合执法",
        "住房和城乡建设局、公安分局",
        [
            ("工地出入口冲洗设施检查", "住房和城乡建设局"),
            ("渣土车辆夜间查验", "公安分局"),
            ("违规工地名单通报", "区城管局"),
        ],
    ),
    (
        "餐饮油烟与噪声投诉协调",
        "生态环境局、市场监督管理局",
        [
            ("油烟净化设施抽查", "生态环境局"),
            ("重复投诉点位约谈", "区城管局"),
            ("证照信息共享", "市场监督管理局"),
        ],
    ),
    (
        "信访转办事项会商",
        "信访局、住房和城乡建设局",
        [
            ("积案逐件会商", "信访局"),
            ("物业管理类事项转办规则", "住房和城乡建设局"),
            ("答复口径统一", "区城管局"),
        ],
    ),
];

/// A year of 联席会议 up to today, one about every six weeks, each recorded the day after it was
/// held through `ops::joint` on a manual clock; older tasks done (a few late), the latest meeting's
/// still running and one of them overdue. Answers how many meetings it recorded.
pub async fn seed_joint(state: &AppState) -> anyhow::Result<usize> {
    let now = state.now();
    let today = now.with_timezone(&beijing()).date_naive();
    if !state.db.joint_meetings(today - Duration::days(400), today).await?.is_empty() {
        return Ok(0);
    }
    let centre = super::demo_actor(&state.db, "center01").await?;
    let clock = ManualClock::new(now);
    let mut past = state.clone();
    past.clock = Arc::new(clock.clone());
    let at = |day: chrono::NaiveDate, hour: i64| start_of_civil_day(day) + Duration::hours(hour);
    let mut made = 0;
    for k in (0..8i64).rev() {
        let held = today - Duration::days(45 * k + 9);
        let (topic, departments, tasks) = MEETINGS[(k % 4) as usize];
        let meeting = crate::domain::intake::joint::MeetingInput {
            held_on: held.to_string(),
            topic: topic.to_owned(),
            place: "区城管局三楼会议室".to_owned(),
            departments: departments.to_owned(),
            attendees: "区城管局分管副局长、受理中心主任及各协作部门联络员".to_owned(),
            minutes: format!(
                "会议通报了近期“{topic}”相关事项的受理与办理情况，议定事项如下，由各责任部门按期落实并反馈受理中心。"
            ),
        };
        let agreed: Vec<crate::domain::intake::joint::TaskInput> = tasks
            .iter()
            .enumerate()
            .map(|(i, (task, owner))| crate::domain::intake::joint::TaskInput {
                task: (*task).to_owned(),
                owner: (*owner).to_owned(),
                due_on: (held + Duration::days(7 + 7 * i as i64)).to_string(),
            })
            .collect();
        clock.set(at(held + Duration::days(1), 10).min(now));
        let id = crate::ops::joint::record_meeting(&past, &centre, &meeting, &agreed)
            .await
            .map_err(|e| anyhow::anyhow!("demo meeting: {}", e.message_zh()))?;
        made += 1;
        for (i, task) in state.db.joint_tasks(&[id]).await?.into_iter().enumerate() {
            // Done by its day (every fifth a few days late); the latest meeting's first task is
            // left overdue and its later ones still running.
            let late = (k as usize * 3 + i) % 5 == 4;
            let done = if late { task.due_on + Duration::days(3) } else { task.due_on - Duration::days(1) };
            if done >= today || (k == 0 && i == 0) {
                continue;
            }
            clock.set(at(done, 16));
            let input = crate::domain::intake::joint::DoneInput {
                done_on: done.to_string(),
                outcome: "已按会议议定落实，并书面反馈受理中心".to_owned(),
            };
            crate::ops::joint::complete_task(&past, &centre, &task.id, task.version, &input)
                .await
                .map_err(|e| anyhow::anyhow!("demo task: {}", e.message_zh()))?;
        }
    }
    Ok(made)
}

/// The demo's Open311 client and its key, printed at start beside the demo accounts (a demo
/// district only: `serve --demo` refuses a database with anyone else's data).
pub const DEMO_OPEN311_CLIENT: &str = "demo-app";
pub const DEMO_OPEN311_KEY: &str = "demo-open311-key-zhonglou-2026";

/// Registers the demo's Open311 client once.
pub async fn seed_open311(state: &AppState) -> anyhow::Result<()> {
    if state.db.open311_clients().await?.iter().any(|c| c.name == DEMO_OPEN311_CLIENT) {
        return Ok(());
    }
    let ctx = crate::store::AuditCtx::cli("demo");
    crate::ops::open311::register_key(&state.db, &ctx, state.now(), DEMO_OPEN311_CLIENT, DEMO_OPEN311_KEY)
        .await
        .map_err(|e| anyhow::anyhow!("demo Open311 client: {}", e.message_zh()))
}
