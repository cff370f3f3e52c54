//! 宣传 (issue 16 scope 6; plan §三（五）强化宣传导向): the publicity ledger. One entry per thing the
//! bureau put out or took part in — an issue of 《城管简报》 with the pick-up points it was placed
//! at, a post on the bureau's WeChat account, Weibo or a local portal, a report in a newspaper,
//! on radio, TV or a national site, an article sent to a professional journal, an open day or a
//! themed outreach event (大手拉小手, 走进敬老院, 儿童福利院, 进学校/企业/社区) with who took part,
//! a promotional film — credited to the unit that did the work, and counted per channel, unit and
//! month.
//!
//! What each channel must record is decided here ([`PublicityInput::parse`]), whatever the entry point:
//! a briefing its issue number and print run, a post its link, a media report its outlet, an
//! event its place and participants.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::domain::fields::{FieldErrors, date, line, text};
use crate::domain::intake::coded;

/// The most copies of one briefing issue (a typo guard).
pub const MAX_COPIES: u32 = 100_000;

/// The most people one event records.
pub const MAX_PARTICIPANTS: u32 = 100_000;

coded! {
    /// Where the publicity went out.
    Channel {
        /// 《城管简报》: an issue, with pick-up points (取阅点).
        Briefing = "briefing", "城管简报",
        /// The bureau's WeChat official account.
        Wechat = "wechat", "微信公众号",
        Weibo = "weibo", "微博",
        /// A local portal (本地门户网站).
        Portal = "portal", "门户网站",
        Newspaper = "newspaper", "报纸",
        Radio = "radio", "广播",
        Tv = "tv", "电视",
        /// A national site (人民网、新华网…).
        NationalSite = "national_site", "全国性网站",
        /// An article sent to a professional journal.
        Journal = "journal", "专业期刊",
        /// 城管开放日: citizens, students, netizens, parties and reporters visit the bureau.
        OpenDay = "open_day", "城管开放日",
        /// A themed outreach event ([`Theme`]).
        Outreach = "outreach", "主题宣传活动",
        /// A promotional film (宣传片).
        Film = "film", "宣传片",
    }
}

/// What a channel asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Briefing,
    /// Own accounts: a link.
    Post,
    /// Someone else's outlet: its name, and a copy where there is one.
    Report,
    /// People took part somewhere.
    Event,
    Film,
}

impl Channel {
    pub fn shape(self) -> Shape {
        match self {
            Channel::Briefing => Shape::Briefing,
            Channel::Wechat | Channel::Weibo | Channel::Portal => Shape::Post,
            Channel::Newspaper | Channel::Radio | Channel::Tv | Channel::NationalSite | Channel::Journal => {
                Shape::Report
            }
            Channel::OpenDay | Channel::Outreach => Shape::Event,
            Channel::Film => Shape::Film,
        }
    }
}

coded! {
    /// The plan's outreach themes (§三（五）3).
    Theme {
        HandInHand = "hand_in_hand", "大手拉小手",
        ElderlyHome = "elderly_home", "走进敬老院",
        ChildrenWelfare = "children_welfare", "走进儿童福利院",
        School = "school", "进学校",
        Enterprise = "enterprise", "进企业",
        Community = "community", "进社区",
        Other = "other", "其他主题",
    }
}

/// An entry as typed. Which fields are required depends on the channel.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct PublicityInput {
    /// `briefing`, `wechat`, `weibo`, `portal`, `newspaper`, `radio`, `tv`, `national_site`,
    /// `journal`, `open_day`, `outreach` or `film`.
    #[schema(example = "wechat")]
    pub channel: String,
    /// The unit credited with the work.
    pub unit_id: String,
    /// `YYYY-MM-DD`: published, broadcast, held or sent; not after today.
    #[schema(value_type = String, format = Date)]
    pub on: String,
    #[schema(max_length = 200, pattern = "\\S")]
    pub title: String,
    /// The newspaper, station, site or journal (a report); empty otherwise.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub outlet: String,
    /// `http(s)://…`: required for a post.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub link: String,
    /// 期号 of a briefing (`2026年第11期`).
    #[serde(default)]
    #[schema(max_length = 30)]
    pub issue_no: String,
    /// Copies printed (a briefing).
    #[serde(default)]
    pub copies: u32,
    /// Where an event was held.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub place: String,
    /// An outreach event's theme: `hand_in_hand`, `elderly_home`, `children_welfare`, `school`,
    /// `enterprise`, `community` or `other`.
    #[serde(default)]
    pub theme: String,
    /// How many took part in an event.
    #[serde(default)]
    pub participants: u32,
    /// Who took part (市民、学生、网民、管理相对人、记者…), or any other note.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub note: String,
}

/// An entry parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PublicityItem {
    #[schema(value_type = String)]
    pub channel: Channel,
    pub unit_id: String,
    pub on: NaiveDate,
    pub title: String,
    pub outlet: String,
    pub link: String,
    pub issue_no: String,
    pub copies: u32,
    pub place: String,
    #[schema(value_type = Option<String>)]
    pub theme: Option<Theme>,
    pub participants: u32,
    pub note: String,
}

fn is_link(raw: &str) -> bool {
    let rest = raw.strip_prefix("https://").or_else(|| raw.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.contains(char::is_whitespace))
}

impl PublicityInput {
    pub fn parse(&self, today: NaiveDate) -> Result<PublicityItem, FieldErrors> {
        let mut errors = FieldErrors::default();
        let channel = Channel::parse(&self.channel);
        if channel.is_none() {
            errors.add("channel", "invalid_value", "请选择宣传渠道");
        }
        if self.unit_id.trim().is_empty() {
            errors.add("unit_id", "invalid_value", "请选择单位");
        }
        let on = date(&mut errors, "on", &self.on, "日期");
        if on.is_some_and(|d| d > today) {
            errors.add("on", "in_future", "日期不能晚于今天");
        }
        let title = line(&mut errors, "title", &self.title, 200, "请填写标题");
        let outlet = text(&mut errors, "outlet", &self.outlet, 100);
        let link = text(&mut errors, "link", &self.link, 500);
        if !link.is_empty() && !is_link(&link) {
            errors.add("link", "invalid_link", "链接须以 http:// 或 https:// 开头");
        }
        let issue_no = text(&mut errors, "issue_no", &self.issue_no, 30);
        let place = text(&mut errors, "place", &self.place, 100);
        let note = text(&mut errors, "note", &self.note, 500);
        let theme = match self.theme.trim() {
            "" => None,
            raw => {
                let theme = Theme::parse(raw);
                if theme.is_none() {
                    errors.add("theme", "invalid_value", "请选择活动主题");
                }
                theme
            }
        };
        match channel.map(Channel::shape) {
            Some(Shape::Briefing) => {
                if issue_no.is_empty() {
                    errors.add("issue_no", "required", "请填写简报期号");
                }
                if self.copies == 0 || self.copies > MAX_COPIES {
                    errors.add("copies", "out_of_range", format!("印数为 1–{MAX_COPIES} 份"));
                }
            }
            Some(Shape::Post) if link.is_empty() => {
                errors.add("link", "required", "请填写发布链接");
            }
            Some(Shape::Report) if outlet.is_empty() => {
                errors.add("outlet", "required", "请填写媒体或期刊名称");
            }
            Some(Shape::Event) => {
                if place.is_empty() {
                    errors.add("place", "required", "请填写活动地点");
                }
                if self.participants == 0 || self.participants > MAX_PARTICIPANTS {
                    errors.add("participants", "out_of_range", "请填写参加人数");
                }
                if channel == Some(Channel::Outreach) && theme.is_none() {
                    errors.add("theme", "required", "请选择活动主题");
                }
            }
            _ => {}
        }
        errors.into_result()?;
        let channel = channel.expect("checked");
        let event = channel.shape() == Shape::Event;
        Ok(PublicityItem {
            channel,
            unit_id: self.unit_id.trim().to_owned(),
            on: on.expect("checked"),
            title,
            outlet,
            link,
            issue_no,
            copies: if channel == Channel::Briefing { self.copies } else { 0 },
            place,
            theme: if channel == Channel::Outreach { theme } else { None },
            participants: if event { self.participants } else { 0 },
            note,
        })
    }
}

/// A briefing issue placed at a pick-up point, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct PickupInput {
    /// 取阅点: a service hall, a community centre, a squad's station.
    #[schema(max_length = 100, pattern = "\\S")]
    pub place: String,
    pub copies: u32,
    /// `YYYY-MM-DD`: on or after the issue's day, not after today.
    #[schema(value_type = String, format = Date)]
    pub placed_on: String,
}

/// A pick-up point parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Pickup {
    pub place: String,
    pub copies: u32,
    pub placed_on: NaiveDate,
}

impl PickupInput {
    /// `issue` is the briefing's day and print run, `placed` the copies already placed.
    pub fn parse(
        &self,
        issue: (NaiveDate, u32),
        placed: u32,
        today: NaiveDate,
    ) -> Result<Pickup, FieldErrors> {
        let mut errors = FieldErrors::default();
        let place = line(&mut errors, "place", &self.place, 100, "请填写取阅点");
        let placed_on = date(&mut errors, "placed_on", &self.placed_on, "投放日期");
        if placed_on.is_some_and(|d| d < issue.0 || d > today) {
            errors.add("placed_on", "out_of_range", format!("投放日期须在 {} 至今天之间", issue.0));
        }
        if self.copies == 0 {
            errors.add("copies", "out_of_range", "请填写投放份数");
        } else if placed + self.copies > issue.1 {
            errors.add(
                "copies",
                "pickups_exceed_print_run",
                format!(
                    "本期印数 {} 份，已投放 {placed} 份，最多还可投放 {} 份",
                    issue.1,
                    issue.1 - placed.min(issue.1)
                ),
            );
        }
        errors.into_result()?;
        Ok(Pickup { place, copies: self.copies, placed_on: placed_on.expect("checked") })
    }
}

/// How many entries a unit has on a channel in a month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PublicityCount {
    pub unit_id: String,
    #[schema(value_type = String)]
    pub channel: Channel,
    pub month: u32,
    pub items: u32,
}

/// Counts entries `(unit, channel, day)` of one year per unit, channel and month, in that order.
pub fn counts(year: i32, items: &[(String, Channel, NaiveDate)]) -> Vec<PublicityCount> {
    let mut out: Vec<PublicityCount> = Vec::new();
    for (unit, channel, day) in items.iter().filter(|i| i.2.year() == year) {
        let month = day.month();
        match out.iter_mut().find(|c| c.unit_id == *unit && c.channel == *channel && c.month == month) {
            Some(c) => c.items += 1,
            None => out.push(PublicityCount { unit_id: unit.clone(), channel: *channel, month, items: 1 }),
        }
    }
    let rank = |c: Channel| Channel::ALL.iter().position(|x| *x == c);
    out.sort_by(|a, b| {
        a.unit_id.cmp(&b.unit_id).then(rank(a.channel).cmp(&rank(b.channel))).then(a.month.cmp(&b.month))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn input(channel: &str) -> PublicityInput {
        PublicityInput {
            channel: channel.into(),
            unit_id: "u1".into(),
            on: "2026-03-01".into(),
            title: "城管开放日走进南大街中队".into(),
            ..PublicityInput::default()
        }
    }

    fn codes(e: FieldErrors) -> Vec<&'static str> {
        e.iter().map(|e| e.code).collect()
    }

    #[test]
    fn each_channel_records_what_it_needs() {
        let today = day("2026-03-02");
        assert_eq!(codes(input("briefing").parse(today).unwrap_err()), ["required", "out_of_range"]);
        assert!(
            PublicityInput { issue_no: "2026年第3期".into(), copies: 500, ..input("briefing") }
                .parse(today)
                .is_ok()
        );
        assert_eq!(codes(input("wechat").parse(today).unwrap_err()), ["required"]);
        let bad_link = PublicityInput { link: "javascript:alert(1)".into(), ..input("wechat") };
        assert_eq!(codes(bad_link.parse(today).unwrap_err()), ["invalid_link"]);
        assert!(
            PublicityInput { link: "https://mp.weixin.qq.com/s/abc".into(), ..input("wechat") }
                .parse(today)
                .is_ok()
        );
        assert_eq!(codes(input("newspaper").parse(today).unwrap_err()), ["required"]);
        assert_eq!(
            codes(input("outreach").parse(today).unwrap_err()),
            ["required", "out_of_range", "required"]
        );
        let event = PublicityInput {
            place: "红梅小学".into(),
            participants: 60,
            theme: "school".into(),
            ..input("outreach")
        };
        let parsed = event.parse(today).unwrap();
        assert_eq!((parsed.theme, parsed.copies), (Some(Theme::School), 0));
        assert!(input("film").parse(today).is_ok());
        assert_eq!(codes(input("film").parse(day("2026-02-28")).unwrap_err()), ["in_future"]);
    }

    #[test]
    fn pickups_never_place_more_than_the_print_run() {
        let issue = (day("2026-03-01"), 500);
        let pickup = |copies: u32, on: &str| PickupInput {
            place: "区政务服务中心".into(),
            copies,
            placed_on: on.into(),
        };
        assert!(pickup(300, "2026-03-02").parse(issue, 0, day("2026-03-02")).is_ok());
        let over = pickup(201, "2026-03-02").parse(issue, 300, day("2026-03-02")).unwrap_err();
        assert_eq!(codes(over), ["pickups_exceed_print_run"]);
        assert_eq!(
            codes(pickup(10, "2026-02-28").parse(issue, 0, day("2026-03-02")).unwrap_err()),
            ["out_of_range"]
        );
    }

    #[test]
    fn counts_are_per_unit_channel_and_month() {
        let items = [
            ("u1".to_owned(), Channel::Wechat, day("2026-03-01")),
            ("u1".to_owned(), Channel::Wechat, day("2026-03-20")),
            ("u1".to_owned(), Channel::Briefing, day("2026-03-20")),
            ("u2".to_owned(), Channel::Wechat, day("2026-04-01")),
            ("u1".to_owned(), Channel::Wechat, day("2025-03-01")),
        ];
        let c = counts(2026, &items);
        assert_eq!(c.len(), 3);
        assert_eq!((c[0].channel, c[0].items), (Channel::Briefing, 1));
        assert_eq!((c[1].channel, c[1].items), (Channel::Wechat, 2));
    }
}
