//! The demo's publicity ledger: twelve months up to today of 《城管简报》 (each issue placed at
//! three pick-up points), WeChat and Weibo posts, portal items, newspaper, TV and national-site
//! reports, journal articles, two open days, themed outreach events and a promotional film,
//! credited to the office and the squads in turn. Through `ops::publicity` on a manual clock.

use std::sync::Arc;

use chrono::{Duration, NaiveDate};

use crate::app::AppState;
use crate::clock::ManualClock;
use crate::domain::org::UnitKind;
use crate::domain::publicity::{PickupInput, PublicityInput};
use crate::domain::time::{civil_date, start_of_civil_day};
use crate::domain::training::Month;
use crate::ops::publicity as ops;

const PICKUPS: [(&str, u32); 3] =
    [("区政务服务中心大厅", 300), ("各街道便民服务中心", 300), ("南大街步行街游客服务中心", 150)];

const POSTS: [&str; 6] = [
    "城管队员雨中疏导积水路段",
    "夜市规范经营，烟火气与秩序同在",
    "“721”工作法：七分服务、两分管理、一分执法",
    "便民疏导点开放，流动摊贩有了“新家”",
    "城管开放日：走进执法一线",
    "文明劝导，让城市更有温度",
];

const THEMES: [(&str, &str, &str); 6] = [
    ("hand_in_hand", "红梅实验小学", "大手拉小手·争做城市小管家"),
    ("elderly_home", "钟楼区社会福利院", "走进敬老院·送温暖"),
    ("community", "西林街道社区广场", "城管进社区·政策宣讲"),
    ("school", "新闸中学", "城管进学校·文明出行"),
    ("enterprise", "五星工业园", "城管进企业·户外广告设置规范"),
    ("children_welfare", "区儿童福利院", "走进儿童福利院·关爱行动"),
];

/// Builds the demo's ledger once (nothing when it has an entry in the twelve months). Answers
/// the entries recorded.
pub async fn seed_publicity(state: &AppState) -> anyhow::Result<usize> {
    let now = state.now();
    let today = civil_date(now);
    let year_ago = today - Duration::days(365);
    if !state.db.publicity_items(year_ago, today).await?.is_empty() {
        return Ok(0);
    }
    let office = super::demo_actor(&state.db, "office01").await?;
    let office_unit = office.unit_id.clone().unwrap_or_default();
    let squads: Vec<String> =
        state.db.units().await?.into_iter().filter(|u| u.kind == UnitKind::Squad).map(|u| u.id).collect();
    let clock = ManualClock::new(now);
    let mut past = state.clone();
    past.clock = Arc::new(clock.clone());
    let at = |day: NaiveDate| (start_of_civil_day(day) + Duration::hours(16)).min(now);
    let fail = |e: crate::ops::Error| anyhow::anyhow!("demo publicity: {}", e.message_zh());

    let this_month = Month::of(today);
    let first = (0..11).fold(this_month, |m, _| m.previous());
    let mut month = first;
    let mut count = 0;
    loop {
        let day = |d: u32| NaiveDate::from_ymd_opt(month.year, month.month, d).expect("a day").min(today);
        let squad = |n: usize| squads[(n + month.month as usize) % squads.len()].clone();
        let mut entries: Vec<PublicityInput> = Vec::new();
        let base = |channel: &str, unit: String, on: NaiveDate, title: String| PublicityInput {
            channel: channel.to_owned(),
            unit_id: unit,
            on: on.to_string(),
            title,
            ..PublicityInput::default()
        };
        entries.push(PublicityInput {
            issue_no: format!("{}年第{}期", month.year, month.month),
            copies: 800,
            ..base("briefing", office_unit.clone(), day(5), format!("城管简报·{}月工作动态", month.month))
        });
        for n in 0..3 {
            let title = POSTS[(n + month.month as usize) % POSTS.len()].to_owned();
            entries.push(PublicityInput {
                link: format!("https://mp.weixin.qq.com/s/zhonglou-cg-{}-{:02}-{n}", month.year, month.month),
                ..base("wechat", squad(n), day(8 + 7 * n as u32), title)
            });
        }
        entries.push(PublicityInput {
            link: format!("https://weibo.com/zhongloucg/{}{:02}", month.year, month.month),
            ..base("weibo", office_unit.clone(), day(12), "今日城管：早高峰路口秩序保障".to_owned())
        });
        if month.month % 2 == 0 {
            entries.push(PublicityInput {
                link: format!("https://www.zhonglou.gov.cn/cg/{}{:02}", month.year, month.month),
                ..base("portal", office_unit.clone(), day(18), "区城管局开展市容环境专项整治".to_owned())
            });
            entries.push(PublicityInput {
                outlet: "常州日报".to_owned(),
                link: format!("https://www.cz001.com.cn/demo/{}{:02}", month.year, month.month),
                ..base("newspaper", squad(1), day(20), "钟楼城管：便民疏导点让小摊贩安心经营".to_owned())
            });
        }
        if month.month % 3 == 0 {
            entries.push(PublicityInput {
                outlet: "常州电视台《新闻夜班车》".to_owned(),
                ..base("tv", squad(2), day(22), "城管队员深夜清理违规广告".to_owned())
            });
            entries.push(PublicityInput {
                place: THEMES[month.month as usize / 3 % THEMES.len()].1.to_owned(),
                theme: THEMES[month.month as usize / 3 % THEMES.len()].0.to_owned(),
                participants: 45 + month.month * 3,
                note: "学生、居民代表和志愿者".to_owned(),
                ..base(
                    "outreach",
                    squad(3),
                    day(16),
                    THEMES[month.month as usize / 3 % THEMES.len()].2.to_owned(),
                )
            });
        }
        if month.month == 5 || month.month == 9 {
            entries.push(PublicityInput {
                place: "区城管局指挥中心".to_owned(),
                participants: 60,
                note: "市民、学生、网民、管理相对人和记者代表".to_owned(),
                ..base(
                    "open_day",
                    office_unit.clone(),
                    day(20),
                    "城管开放日：走进数字城管指挥中心".to_owned(),
                )
            });
            entries.push(PublicityInput {
                outlet: "人民网江苏频道".to_owned(),
                link: format!("https://js.people.com.cn/demo/{}{:02}", month.year, month.month),
                ..base(
                    "national_site",
                    office_unit.clone(),
                    day(23),
                    "常州钟楼：城管开放日拉近与市民距离".to_owned(),
                )
            });
        }
        if month.month == 4 || month.month == 11 {
            entries.push(PublicityInput {
                outlet: "《城市管理与科技》".to_owned(),
                note: "投稿".to_owned(),
                ..base("journal", office_unit.clone(), day(10), "“721”工作法在基层执法中的实践".to_owned())
            });
        }
        if month == this_month.previous().previous() {
            entries.push(PublicityInput {
                link: "https://www.zhonglou.gov.cn/cg/film".to_owned(),
                note: "时长 6 分钟，在局官网、微信公众号和开放日播放".to_owned(),
                ..base("film", office_unit.clone(), day(26), "宣传片《城市守护者》".to_owned())
            });
        }
        for input in entries {
            let on: NaiveDate = input.on.parse().expect("a day");
            if on > today {
                continue;
            }
            clock.set(at(on));
            let briefing = input.channel == "briefing";
            let id = ops::record(&past, &office, &input).await.map_err(fail)?;
            count += 1;
            if briefing {
                for (n, (place, copies)) in PICKUPS.iter().enumerate() {
                    let placed_on = (on + Duration::days(1 + n as i64)).min(today);
                    clock.set(at(placed_on));
                    let pickup = PickupInput {
                        place: (*place).to_owned(),
                        copies: *copies,
                        placed_on: placed_on.to_string(),
                    };
                    ops::add_pickup(&past, &office, &id, &pickup).await.map_err(fail)?;
                }
            }
        }
        if month == this_month {
            break;
        }
        month = month.next();
    }
    Ok(count)
}
