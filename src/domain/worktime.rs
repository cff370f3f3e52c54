//! Working time (工作时): the time limits of the digital-urban-management loop — accept, dispatch,
//! handle, check — are set per class and urgency in working hours or working days (GB/T 30428.8's
//! 处置时限 tables; the city's own table is configuration, [M]). A working hour is an hour of the
//! bureau's office hours on a working day of the [`WorkCalendar`] (holidays and 调休 included),
//! so a matter reported on Friday at 17:00 with a two-hour limit is due on Monday morning.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

use crate::domain::calendar::{CalendarError, WorkCalendar};

/// The bureau's office hours on a working day: one or more spans, in order, not overlapping
/// (a morning and an afternoon, as Chinese offices keep them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficeHours {
    spans: Vec<(NaiveTime, NaiveTime)>,
}

/// Why a list of spans is not office hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OfficeHoursError {
    #[error("office hours need at least one span")]
    Empty,
    #[error("a span of office hours must end after it starts, and after the span before it")]
    OutOfOrder,
}

impl OfficeHours {
    /// Spans in the order of the day, each ending after it starts and after the one before.
    pub fn new(spans: Vec<(NaiveTime, NaiveTime)>) -> Result<OfficeHours, OfficeHoursError> {
        if spans.is_empty() {
            return Err(OfficeHoursError::Empty);
        }
        let ordered =
            spans.iter().all(|(from, to)| from < to) && spans.windows(2).all(|pair| pair[0].1 <= pair[1].0);
        if !ordered {
            return Err(OfficeHoursError::OutOfOrder);
        }
        Ok(OfficeHours { spans })
    }

    /// 08:30–12:00 and 13:30–17:30: the common office hours of a district bureau, until the
    /// bureau records its own ([M]).
    pub fn standard() -> OfficeHours {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("a valid time");
        OfficeHours { spans: vec![(t(8, 30), t(12, 0)), (t(13, 30), t(17, 30))] }
    }

    /// Working minutes in one working day.
    pub fn minutes_per_day(&self) -> i64 {
        self.spans.iter().map(|(from, to)| (*to - *from).num_minutes()).sum()
    }

    /// The end of the last span: when a working day's time runs out.
    fn closing(&self) -> NaiveTime {
        self.spans.last().map(|(_, to)| *to).expect("office hours have a span")
    }
}

/// The largest number a limit may state: a class's limit runs to weeks at most, and a typo of
/// a year would hide every overdue matter of that class.
pub const MAX_LIMIT: u32 = 500;

/// A time limit of the loop, as a class's table states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeLimit {
    /// 工作时: hours of office time on working days.
    WorkingHours(u32),
    /// 工作日: to the close of the `n`-th working day after the start's day (the start's day is
    /// not counted, as in every period of the law).
    WorkingDays(u32),
    /// Clock hours, day and night (an urgent class: a collapsed manhole, a burst main).
    Hours(u32),
}

impl TimeLimit {
    /// The stored spelling: `wh:4` (working hours), `wd:3` (working days), `h:2` (clock hours).
    pub fn code(self) -> String {
        match self {
            TimeLimit::WorkingHours(n) => format!("wh:{n}"),
            TimeLimit::WorkingDays(n) => format!("wd:{n}"),
            TimeLimit::Hours(n) => format!("h:{n}"),
        }
    }

    /// Reads [`TimeLimit::code`] back; a limit of zero or over [`MAX_LIMIT`] is not one.
    pub fn parse(code: &str) -> Option<TimeLimit> {
        let (unit, n) = code.trim().split_once(':')?;
        let n: u32 = n.trim().parse().ok().filter(|n| (1..=MAX_LIMIT).contains(n))?;
        match unit.trim() {
            "wh" => Some(TimeLimit::WorkingHours(n)),
            "wd" => Some(TimeLimit::WorkingDays(n)),
            "h" => Some(TimeLimit::Hours(n)),
            _ => None,
        }
    }

    /// `4个工作时`, `3个工作日`, `2小时`.
    pub fn label_zh(self) -> String {
        match self {
            TimeLimit::WorkingHours(n) => format!("{n}个工作时"),
            TimeLimit::WorkingDays(n) => format!("{n}个工作日"),
            TimeLimit::Hours(n) => format!("{n}小时"),
        }
    }

    /// When a step started at `start` (Beijing time) is due under this limit.
    pub fn due(
        self,
        start: NaiveDateTime,
        hours: &OfficeHours,
        calendar: &WorkCalendar,
    ) -> Result<NaiveDateTime, CalendarError> {
        match self {
            TimeLimit::WorkingHours(n) => add_working_minutes(start, i64::from(n) * 60, hours, calendar),
            TimeLimit::WorkingDays(n) => {
                Ok(calendar.add_workdays(start.date(), n)?.and_time(hours.closing()))
            }
            TimeLimit::Hours(n) => Ok(start + Duration::hours(i64::from(n))),
        }
    }
}

/// The moment `minutes` of office time after `start`. Time outside office hours does not count:
/// a start in the evening, on a weekend or a holiday counts from the next span's opening.
pub fn add_working_minutes(
    start: NaiveDateTime,
    minutes: i64,
    hours: &OfficeHours,
    calendar: &WorkCalendar,
) -> Result<NaiveDateTime, CalendarError> {
    add_minutes_on(start, minutes, hours, |day| calendar.is_workday(day))
}

fn add_minutes_on(
    start: NaiveDateTime,
    minutes: i64,
    hours: &OfficeHours,
    is_workday: impl Fn(NaiveDate) -> Result<bool, CalendarError>,
) -> Result<NaiveDateTime, CalendarError> {
    if minutes <= 0 {
        return Ok(start);
    }
    let mut left = minutes;
    let mut day: NaiveDate = start.date();
    loop {
        // The calendar answers for every day of a loaded year and refuses the others, so the
        // walk ends at the latest where the loaded years do.
        if is_workday(day)? {
            for (from, to) in &hours.spans {
                let opens = if day == start.date() { (*from).max(start.time()) } else { *from };
                if opens >= *to {
                    continue;
                }
                let available = (*to - opens).num_minutes();
                if left <= available {
                    return Ok(day.and_time(opens) + Duration::minutes(left));
                }
                left -= available;
            }
        }
        day = day.succ_opt().ok_or(CalendarError::EmptyPeriod)?;
    }
}

/// A deadline, or the earliest it can be when it falls in a year whose holiday arrangement is
/// not loaded yet (as the case clocks do: warnings come early rather than late).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkDue {
    pub at: NaiveDateTime,
    /// `at` is the earliest possible moment: every day of the missing year counted as working.
    pub provisional: bool,
}

impl TimeLimit {
    /// [`TimeLimit::due`], or when the calendar does not know a year on the way, the earliest
    /// moment the limit can end: no day of an unknown year is taken for a rest day.
    pub fn due_or_earliest(
        self,
        start: NaiveDateTime,
        hours: &OfficeHours,
        calendar: &WorkCalendar,
    ) -> WorkDue {
        match self.due(start, hours, calendar) {
            Ok(at) => WorkDue { at, provisional: false },
            Err(_) => {
                let every_day = |day: NaiveDate| Ok(calendar.is_workday(day).unwrap_or(true));
                let at = match self {
                    TimeLimit::WorkingHours(n) => add_minutes_on(start, i64::from(n) * 60, hours, every_day),
                    TimeLimit::WorkingDays(n) => {
                        Ok((start.date() + Duration::days(i64::from(n))).and_time(hours.closing()))
                    }
                    TimeLimit::Hours(n) => Ok(start + Duration::hours(i64::from(n))),
                };
                WorkDue { at: at.unwrap_or(start), provisional: true }
            }
        }
    }
}

/// Office minutes between two moments (0 when `to` is not after `from`): how long a step took,
/// for the indicators' mean durations and the overdue time.
pub fn working_minutes_between(
    from: NaiveDateTime,
    to: NaiveDateTime,
    hours: &OfficeHours,
    calendar: &WorkCalendar,
) -> Result<i64, CalendarError> {
    let mut total = 0;
    let mut day = from.date();
    while day <= to.date() {
        if calendar.is_workday(day)? {
            for (open, close) in &hours.spans {
                let start = if day == from.date() { (*open).max(from.time()) } else { *open };
                let end = if day == to.date() { (*close).min(to.time()) } else { *close };
                if start < end {
                    total += (end - start).num_minutes();
                }
            }
        }
        day = day.succ_opt().ok_or(CalendarError::EmptyPeriod)?;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::calendar::parse_arrangements;

    fn calendar() -> WorkCalendar {
        let (years, days) = parse_arrangements(include_str!("../../data/holidays.tsv")).unwrap();
        WorkCalendar::new(years.into_iter().map(|(y, _)| y), days.into_iter().map(|s| (s.date, s.kind)))
    }

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn working_hours_count_office_time_on_working_days_only() {
        let (hours, cal) = (OfficeHours::standard(), calendar());
        let two = TimeLimit::WorkingHours(2);
        // Within the morning.
        assert_eq!(two.due(at("2026-11-12 09:00"), &hours, &cal).unwrap(), at("2026-11-12 11:00"));
        // Across lunch: 11:00 → 12:00 is one hour, the second from 13:30.
        assert_eq!(two.due(at("2026-11-12 11:00"), &hours, &cal).unwrap(), at("2026-11-12 14:30"));
        // Friday 17:00: half an hour left, the rest on Monday morning.
        assert_eq!(two.due(at("2026-11-13 17:00"), &hours, &cal).unwrap(), at("2026-11-16 10:00"));
        // Reported on Saturday night: counted from Monday's opening.
        assert_eq!(two.due(at("2026-11-14 22:00"), &hours, &cal).unwrap(), at("2026-11-16 10:30"));
        // The National Day holiday does not count (1–7 October 2026 are rest days).
        let due = two.due(at("2026-09-30 17:00"), &hours, &cal).unwrap();
        assert!(due.date() > NaiveDate::from_ymd_opt(2026, 10, 7).unwrap(), "{due}");
        assert!(cal.is_workday(due.date()).unwrap());
    }

    #[test]
    fn working_days_end_at_closing_and_clock_hours_run_day_and_night() {
        let (hours, cal) = (OfficeHours::standard(), calendar());
        // Thursday: the third working day after is Tuesday, due at its close.
        let due = TimeLimit::WorkingDays(3).due(at("2026-11-12 10:00"), &hours, &cal).unwrap();
        assert_eq!(due, at("2026-11-17 17:30"));
        let urgent = TimeLimit::Hours(2).due(at("2026-11-14 23:00"), &hours, &cal).unwrap();
        assert_eq!(urgent, at("2026-11-15 01:00"));
    }

    #[test]
    fn the_time_between_two_moments_is_counted_the_same_way() {
        let (hours, cal) = (OfficeHours::standard(), calendar());
        for (start, minutes) in
            [("2026-11-12 09:00", 120), ("2026-11-13 17:00", 120), ("2026-11-14 22:00", 600)]
        {
            let due = add_working_minutes(at(start), minutes, &hours, &cal).unwrap();
            assert_eq!(working_minutes_between(at(start), due, &hours, &cal).unwrap(), minutes, "{start}");
        }
        assert_eq!(
            working_minutes_between(at("2026-11-13 12:00"), at("2026-11-12 09:00"), &hours, &cal).unwrap(),
            0
        );
        assert_eq!(hours.minutes_per_day(), 450);
    }

    proptest::proptest! {
        /// Adding office time and measuring it back agree, from any moment of 2026.
        #[test]
        fn adding_and_measuring_working_time_agree(start_minute in 0i64..(364 * 24 * 60), minutes in 1i64..(20 * 450)) {
            let (hours, cal) = (OfficeHours::standard(), calendar());
            let start = at("2026-01-01 00:00") + Duration::minutes(start_minute);
            let due = add_working_minutes(start, minutes, &hours, &cal);
            // Past the loaded years the calendar refuses rather than guess.
            if let Ok(due) = due {
                proptest::prop_assert_eq!(working_minutes_between(start, due, &hours, &cal).unwrap(), minutes);
            }
        }
    }

    #[test]
    fn a_limit_into_an_unknown_year_is_its_earliest_end() {
        let (hours, cal) = (OfficeHours::standard(), calendar());
        // 2027's arrangement is not loaded: from Wednesday 30 December 2026 15:30, four working
        // hours end on the 31st at 10:30 (that day is known), and five working days run
        // through the weekend of the unknown year, counted as working days.
        let known = TimeLimit::WorkingHours(4).due_or_earliest(at("2026-12-30 15:30"), &hours, &cal);
        assert_eq!(known, WorkDue { at: at("2026-12-31 10:30"), provisional: false });
        let days = TimeLimit::WorkingDays(5).due_or_earliest(at("2026-12-30 15:30"), &hours, &cal);
        assert_eq!(days, WorkDue { at: at("2027-01-04 17:30"), provisional: true });
        let hours_into = TimeLimit::WorkingHours(12).due_or_earliest(at("2026-12-31 09:00"), &hours, &cal);
        assert!(hours_into.provisional);
        assert_eq!(hours_into.at, at("2027-01-01 13:30") + Duration::minutes(90));
    }

    #[test]
    fn a_limit_reads_back_its_own_code() {
        for limit in [TimeLimit::WorkingHours(4), TimeLimit::WorkingDays(3), TimeLimit::Hours(2)] {
            assert_eq!(TimeLimit::parse(&limit.code()), Some(limit));
        }
        for bad in ["", "wh", "wh:0", "wd:-1", "d:3", "h:501", "wh:x"] {
            assert_eq!(TimeLimit::parse(bad), None, "{bad}");
        }
        assert_eq!(TimeLimit::WorkingDays(3).label_zh(), "3个工作日");
    }

    #[test]
    fn office_hours_are_spans_in_order() {
        let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
        assert_eq!(OfficeHours::new(vec![]), Err(OfficeHoursError::Empty));
        assert_eq!(OfficeHours::new(vec![(t(12), t(9))]), Err(OfficeHoursError::OutOfOrder));
        assert_eq!(OfficeHours::new(vec![(t(8), t(12)), (t(11), t(17))]), Err(OfficeHoursError::OutOfOrder));
        assert!(OfficeHours::new(vec![(t(9), t(17))]).is_ok());
    }
}
