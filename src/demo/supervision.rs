//! The demo's 督察: a register of fifteen supervisors of every kind (the 行风监督员 张卫民 is the
//! `supervisor01` login), twelve months of meetings — the 行风监督员 on their target, the 社会化
//! 督察员 one meeting behind it — and opinions in every state: waiting to be assigned, assigned,
//! overdue, answered, returned and accepted, some raised at a meeting. Through
//! `ops::supervision` on a manual clock, relative to today.

use std::sync::Arc;

use chrono::{Datelike, Duration, NaiveDate};

use crate::app::AppState;
use crate::clock::ManualClock;
use crate::domain::supervision::{
    AnswerInput, AssignInput, OpinionInput, ReviewInput, SupervisorInput, SupervisorMeetingInput,
};
use crate::domain::time::{civil_date, start_of_civil_day};
use crate::ops::supervision as ops;

/// (kind, name, affiliation, phone).
const REGISTER: [(&str, &str, &str, &str); 15] = [
    ("conduct", "张卫民", "退休教师，荷花池街道居民", "13861200101"),
    ("conduct", "李秀珍", "五星街道社区居委会主任", "13861200102"),
    ("conduct", "周国庆", "个体工商户代表", "13861200103"),
    ("conduct", "孙丽华", "区妇联干部", "13861200104"),
    ("social", "王建平", "南大街商户联合会", "13961200201"),
    ("social", "赵明", "永红街道志愿者", "13961200202"),
    ("social", "陈晓燕", "北港社区网格员", "13961200203"),
    ("social", "刘志强", "西林物业公司经理", "13961200204"),
    ("social", "黄敏", "新闸中学教师", "13961200205"),
    ("netizen", "吴浩", "本地论坛版主", "15061200301"),
    ("netizen", "徐婷", "微博城市话题博主", "15061200302"),
    ("npc_deputy", "马国华", "区人大代表", "18961200401"),
    ("npc_deputy", "朱建英", "区人大代表", "18961200402"),
    ("cppcc_member", "胡文斌", "区政协委员", "18961200501"),
    ("cppcc_member", "郭红梅", "区政协委员（任期已满）", "18961200502"),
];

/// What the supervisors raised: (supervisor index, kind, content, squad (1-based), how it ends).
#[derive(Clone, Copy)]
enum End {
    Received,
    Assigned,
    Overdue,
    Answered,
    Returned,
    Accepted,
    AcceptedLate,
}

const OPINIONS: [(usize, &str, &str, usize, End); 12] = [
    (0, "opinion", "南大街夜市收摊后地面油污清理不及时，建议明确商户责任。", 1, End::Accepted),
    (4, "complaint", "荷花池菜场门口占道经营反复出现，巡查频次不够。", 2, End::Accepted),
    (5, "opinion", "建议在永红街道设置便民疏导点，引导流动摊贩入点经营。", 4, End::AcceptedLate),
    (1, "opinion", "五星公园周边共享单车乱停放，影响盲道通行。", 3, End::Accepted),
    (9, "complaint", "网民反映北港路段渣土车夜间抛洒，查处不到位。", 5, End::Returned),
    (6, "opinion", "西林街道户外广告牌老化，存在安全隐患，建议排查。", 6, End::Answered),
    (11, "opinion", "建议新闸片区执法人员执法时主动出示证件、全程记录。", 7, End::Overdue),
    (7, "opinion", "邹区集镇早市时段交通拥堵，建议错时管理。", 8, End::Assigned),
    (0, "opinion", "荷花池片区违规张贴小广告增多，建议加大清理力度。", 2, End::Received),
    (12, "opinion", "南大街步行街节假日人流大，建议增加执法力量和志愿者。", 1, End::Accepted),
    (8, "complaint", "五星街道一餐饮店油烟扰民，多次反映未解决。", 3, End::Accepted),
    (13, "opinion", "建议定期开展城管开放日，邀请居民体验执法工作。", 1, End::Accepted),
];

/// Builds the demo's supervision once (nothing when the register has anyone). Answers the
/// opinions.
pub async fn seed_supervision(state: &AppState) -> anyhow::Result<usize> {
    if !state.db.supervisors().await?.is_empty() {
        return Ok(0);
    }
    let now = state.now();
    let today = civil_date(now);
    let office = super::demo_actor(&state.db, "office01").await?;
    let clock = ManualClock::new(now);
    let mut past = state.clone();
    past.clock = Arc::new(clock.clone());
    let at = |day: NaiveDate, hour: i64| (start_of_civil_day(day) + Duration::hours(hour)).min(now);
    let fail = |e: crate::ops::Error| anyhow::anyhow!("demo supervision: {}", e.message_zh());
    let year_ago = today - Duration::days(365);

    // The register, recorded a year and a half ago; the last 政协委员's term has ended.
    clock.set(at(year_ago - Duration::days(180), 9));
    let mut ids = Vec::new();
    for (i, (kind, name, affiliation, phone)) in REGISTER.iter().enumerate() {
        let ended = i == REGISTER.len() - 1;
        let input = SupervisorInput {
            kind: (*kind).to_owned(),
            name: (*name).to_owned(),
            affiliation: (*affiliation).to_owned(),
            phone: (*phone).to_owned(),
            term_from: (year_ago - Duration::days(180)).to_string(),
            term_to: if ended {
                (today - Duration::days(40)).to_string()
            } else {
                (today + Duration::days(900)).to_string()
            },
        };
        let account = if i == 0 { "supervisor01" } else { "" };
        let (id, _) = ops::save_supervisor(&past, &office, None, &input, account, 0).await.map_err(fail)?;
        ids.push(id);
    }

    // Meetings: this year the 行风监督员 in March and September, the 社会化督察员 quarterly but
    // for the latest quarter due (so that kind is behind); last year's inside the twelve months.
    let mut meetings: Vec<(NaiveDate, &str)> = Vec::new();
    let this_year = today.year();
    for (year, conduct, social) in
        [(this_year - 1, [4u32, 10], vec![3u32, 6, 9, 12]), (this_year, [3, 9], vec![2, 5, 8, 11])]
    {
        for m in conduct {
            meetings.push((NaiveDate::from_ymd_opt(year, m, 10).expect("a day"), "conduct"));
        }
        let mut held: Vec<NaiveDate> = social
            .into_iter()
            .map(|m| NaiveDate::from_ymd_opt(year, m, 15).expect("a day"))
            .filter(|d| *d <= today)
            .collect();
        if year == this_year {
            held.pop();
        }
        meetings.extend(held.into_iter().map(|d| (d, "social")));
    }
    meetings.retain(|(d, _)| *d >= year_ago && *d <= today);
    meetings.sort();
    let mut meeting_ids: Vec<(NaiveDate, String)> = Vec::new();
    for (k, (day, kind)) in meetings.iter().enumerate() {
        clock.set(at(*day, 17));
        let attendees: Vec<String> = REGISTER
            .iter()
            .zip(&ids)
            .take(REGISTER.len() - 1)
            .filter(|((k2, ..), _)| k2 == kind)
            .map(|(_, id)| id.clone())
            .collect();
        let input = SupervisorMeetingInput {
            kind: (*kind).to_owned(),
            held_on: day.to_string(),
            place: "区城管局三楼会议室".to_owned(),
            agenda: if *kind == "conduct" {
                "通报近期执法工作和队伍作风建设情况；听取行风监督员意见建议".to_owned()
            } else {
                "通报社会化督察发现问题的整改情况；部署下一阶段督察重点".to_owned()
            },
            minutes: format!(
                "会议由局办公室主持，出席监督员 {} 人。局领导通报了{}以来的执法工作情况，监督员围绕市容秩序、执法规范提出意见建议，办公室逐条登记并交办相关中队限期答复。",
                attendees.len(),
                if k == 0 { "上次会议" } else { "上季度" }
            ),
            attendees,
        };
        let id = ops::record_meeting(&past, &office, &input).await.map_err(fail)?;
        meeting_ids.push((*day, id));
    }

    // Opinions, oldest first, spread over the year; the ones raised at a meeting take its day.
    let calendar = state.db.work_calendar().await?;
    let mut count = 0;
    for (n, (who, kind, content, squad, end)) in OPINIONS.iter().enumerate() {
        let span = OPINIONS.len() as i64;
        let mut received = today - Duration::days(330 - 330 * n as i64 / span);
        let mut meeting_id = String::new();
        if n % 3 == 0
            && let Some((day, id)) = meeting_ids.iter().rev().find(|(d, _)| *d <= received)
        {
            received = *day;
            meeting_id.clone_from(id);
        }
        let (received, due_days) = match end {
            End::Received => (today - Duration::days(2), 0),
            End::Assigned => (today - Duration::days(5), 0),
            End::Overdue => (today - Duration::days(40), 15),
            End::Answered | End::Returned => (today - Duration::days(20), 0),
            _ => (received, 15),
        };
        if !matches!(end, End::Accepted | End::AcceptedLate) {
            meeting_id.clear();
        }
        clock.set(at(received, 10));
        let input = OpinionInput {
            supervisor_id: ids[*who].clone(),
            meeting_id,
            kind: (*kind).to_owned(),
            received_on: received.to_string(),
            content: (*content).to_owned(),
        };
        let id = ops::raise(&past, &office, &input).await.map_err(fail)?;
        count += 1;
        if matches!(end, End::Received) {
            continue;
        }
        let squad_lead = super::demo_actor(&state.db, &format!("squadlead{squad:02}")).await?;
        let unit_id = squad_lead.unit_id.clone().unwrap_or_default();
        let assigned_on = calendar.add_workdays(received, 1).unwrap_or(received).min(today);
        clock.set(at(assigned_on, 9));
        let due = if due_days > 0 { calendar.add_workdays(assigned_on, due_days).ok() } else { None };
        let assign = AssignInput {
            unit_id,
            due_on: due.map(|d| d.to_string()).unwrap_or_default(),
            seen_steps: Some(0),
        };
        ops::assign(&past, &office, &id, &assign).await.map_err(fail)?;
        if matches!(end, End::Assigned | End::Overdue) {
            continue;
        }
        let due = due.unwrap_or_else(|| {
            calendar
                .add_workdays(assigned_on, crate::domain::supervision::DEFAULT_ANSWER_WORKING_DAYS)
                .unwrap_or(today)
        });
        let answered_on = match end {
            End::AcceptedLate => calendar.add_workdays(due, 3).unwrap_or(due),
            _ => calendar.add_workdays(assigned_on, 6).unwrap_or(assigned_on),
        }
        .min(today);
        clock.set(at(answered_on, 15));
        let reply = AnswerInput {
            answer: "已组织中队专项整治：现场督促整改到位，明确责任人并纳入日常巡查，后续每周复查一次。"
                .to_owned(),
            seen_steps: Some(1),
        };
        ops::answer(&past, &squad_lead, &id, &reply).await.map_err(fail)?;
        match end {
            End::Answered => {}
            End::Returned => {
                clock.set(at(answered_on.min(today), 16));
                let back = ReviewInput {
                    accept: false,
                    reason: "答复未说明查处结果和长效措施，请补充后重新答复。".to_owned(),
                    seen_steps: Some(2),
                };
                ops::review(&past, &office, &id, &back).await.map_err(fail)?;
            }
            _ => {
                clock.set(at((answered_on + Duration::days(1)).min(today), 10));
                let accept = ReviewInput { accept: true, reason: String::new(), seen_steps: Some(2) };
                ops::review(&past, &office, &id, &accept).await.map_err(fail)?;
            }
        }
    }
    Ok(count)
}
