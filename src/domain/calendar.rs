//! The working-day calendar: the official holiday arrangements with their 调休 make-up working
//! days, and the two ways the law counts periods.
//!
//! - Working-day periods (行政处罚法 Art. 85: 期限中的"二日""三日""五日""七日"的规定是指工作日；
//!   行政强制法 Art. 69; 行政复议法 Art. 88): count working days only. [`WorkCalendar::add_workdays`]
//!   does not count the starting day, so a 5-working-day period that starts on service day D
//!   ends on `add_workdays(D, 5)`.
//! - Calendar-day periods (15, 30, 60, 90 days): 民法典 Art. 201 — the starting day is not
//!   counted; Art. 203 — if the last day is a 法定休假日 the period ends on the first day after
//!   it. [`WorkCalendar::calendar_period_end`] applies both.
//!
//! A date in a year without loaded arrangements is an error, never a guess from weekends.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// Whether a weekend day at the end of a calendar-day period also moves the end to the next
/// working day. 民法典 Art. 203 speaks of 法定休假日; court practice treats Saturdays and Sundays
/// as such (law-and-standards §1.7, marked [M]: to be confirmed against local practice), so it
/// is a parameter of the calendar, on by default.
pub const WEEKENDS_EXTEND_CALENDAR_PERIODS: bool = true;

/// What a date is in the official arrangement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    /// A day off of a holiday arrangement (a weekend day inside it included).
    Rest,
    /// A 调休 make-up working day, usually a Saturday or Sunday.
    Work,
}

impl DayKind {
    pub fn code(self) -> &'static str {
        match self {
            DayKind::Rest => "rest",
            DayKind::Work => "work",
        }
    }
    pub fn parse(s: &str) -> Option<DayKind> {
        match s {
            "rest" => Some(DayKind::Rest),
            "work" => Some(DayKind::Work),
            _ => None,
        }
    }
}

/// One special day with the festival it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecialDay {
    pub date: NaiveDate,
    pub kind: DayKind,
    pub festival: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error(
        "no holiday arrangement is loaded for {0}; an administrator must enter that year's State Council notice first"
    )]
    YearNotCovered(i32),
    #[error("a period must be at least one day")]
    EmptyPeriod,
}

impl CalendarError {
    pub fn code(&self) -> &'static str {
        match self {
            CalendarError::YearNotCovered(_) => "calendar_year_not_covered",
            CalendarError::EmptyPeriod => "empty_period",
        }
    }
}

/// The calendar of the years whose arrangements are known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkCalendar {
    years: BTreeSet<i32>,
    days: BTreeMap<NaiveDate, DayKind>,
    weekends_extend_calendar_periods: bool,
}

impl WorkCalendar {
    pub fn new(
        years: impl IntoIterator<Item = i32>,
        days: impl IntoIterator<Item = (NaiveDate, DayKind)>,
    ) -> Self {
        WorkCalendar {
            years: years.into_iter().collect(),
            days: days.into_iter().collect(),
            weekends_extend_calendar_periods: WEEKENDS_EXTEND_CALENDAR_PERIODS,
        }
    }

    /// This calendar with `year`'s arrangement replaced by `days` (a year entered or
    /// corrected), for recomputing the clocks it moves before the change commits.
    pub fn with_year(&self, year: i32, days: impl IntoIterator<Item = (NaiveDate, DayKind)>) -> WorkCalendar {
        use chrono::Datelike;
        let mut next = self.clone();
        next.years.insert(year);
        next.days.retain(|date, _| date.year() != year);
        next.days.extend(days);
        next
    }

    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.iter().copied()
    }

    fn covered(&self, date: NaiveDate) -> Result<(), CalendarError> {
        if self.years.contains(&date.year()) {
            Ok(())
        } else {
            Err(CalendarError::YearNotCovered(date.year()))
        }
    }

    pub fn is_workday(&self, date: NaiveDate) -> Result<bool, CalendarError> {
        self.covered(date)?;
        Ok(match self.days.get(&date) {
            Some(DayKind::Rest) => false,
            Some(DayKind::Work) => true,
            None => !matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
        })
    }

    /// The `n`-th working day after `start` (the start itself is not counted).
    pub fn add_workdays(&self, start: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        if n == 0 {
            return Err(CalendarError::EmptyPeriod);
        }
        let mut date = start;
        let mut left = n;
        while left > 0 {
            date += Duration::days(1);
            if self.is_workday(date)? {
                left -= 1;
            }
        }
        Ok(date)
    }

    /// The last day of a period of `days` calendar days starting on `start`: 民法典 Art. 201
    /// (start not counted) and Art. 203 (a last day that is a day off moves to the next working
    /// day).
    pub fn calendar_period_end(&self, start: NaiveDate, days: u32) -> Result<NaiveDate, CalendarError> {
        if days == 0 {
            return Err(CalendarError::EmptyPeriod);
        }
        self.off_rest(start + Duration::days(i64::from(days)))
    }

    /// The last day of a period of `months` months from `start` (the starting day not counted):
    /// the same day of the month `months` later (or the month's last day), moved off rest days
    /// like every period (民法典 Arts. 201, 203) — a 6-month 诉讼 window and the 3 months to
    /// apply to the court are such periods.
    pub fn months_period_end(&self, start: NaiveDate, months: u32) -> Result<NaiveDate, CalendarError> {
        if months == 0 {
            return Err(CalendarError::EmptyPeriod);
        }
        let end = start.checked_add_months(chrono::Months::new(months)).unwrap_or(NaiveDate::MAX);
        self.off_rest(end)
    }

    /// `end`, or the first day after it that is not a rest day.
    fn off_rest(&self, mut end: NaiveDate) -> Result<NaiveDate, CalendarError> {
        loop {
            let official_rest = self.days.get(&end) == Some(&DayKind::Rest);
            let weekend_rest = self.weekends_extend_calendar_periods && !self.is_workday(end)?;
            if !(official_rest || weekend_rest) {
                return Ok(end);
            }
            end += Duration::days(1);
        }
    }
}

impl WorkCalendar {
    /// Whether `on` is within the `n`-working-day period from `start` (on or before its last
    /// day). Answered without the calendar when the answer cannot depend on it: `n` working days
    /// take at least `n` calendar days, so a day no later than `start + n` is always within, and
    /// a December question stays answerable before next year's arrangement is published.
    pub fn within_workdays(&self, start: NaiveDate, n: u32, on: NaiveDate) -> Result<bool, CalendarError> {
        if on <= start + Duration::days(i64::from(n)) {
            return Ok(true);
        }
        Ok(on <= self.add_workdays(start, n)?)
    }

    /// Whether `on` is within the calendar-day period of `days` from `start` (民法典 Arts.
    /// 201, 203). A period's end can only move later than `start + days`, so anything up to that
    /// day is within without asking the calendar.
    pub fn within_calendar_period(
        &self,
        start: NaiveDate,
        days: u32,
        on: NaiveDate,
    ) -> Result<bool, CalendarError> {
        if on <= start + Duration::days(i64::from(days)) {
            return Ok(true);
        }
        Ok(on <= self.calendar_period_end(start, days)?)
    }
}

/// The contents of an arrangements file: each year with its notice title, and the special days.
pub type Arrangements = (Vec<(i32, String)>, Vec<SpecialDay>);

/// Parses the shipped arrangements file (`data/holidays.tsv`): `year`, `rest` and `work` lines.
pub fn parse_arrangements(text: &str) -> Result<Arrangements, String> {
    let mut years = Vec::new();
    let mut days = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        let bad = || format!("line {}: {line:?}", index + 1);
        match fields.as_slice() {
            ["year", year, notice] => years.push((year.parse().map_err(|_| bad())?, (*notice).to_owned())),
            [kind, date, festival] => days.push(SpecialDay {
                date: NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| bad())?,
                kind: DayKind::parse(kind).ok_or_else(bad)?,
                festival: (*festival).to_owned(),
            }),
            _ => return Err(bad()),
        }
    }
    Ok((years, days))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> WorkCalendar {
        let (years, days) = parse_arrangements(include_str!("../../data/holidays.tsv")).unwrap();
        WorkCalendar::new(years.into_iter().map(|(y, _)| y), days.into_iter().map(|d| (d.date, d.kind)))
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn periods_are_answered_early_without_next_years_arrangement() {
        let cal = WorkCalendar::new([2026], []);
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // A 90-day period from 2026-11-23 ends in 2027, whose arrangement is not loaded: a day
        // before the nominal end is still known to be within it; a day after is not known.
        assert_eq!(cal.within_calendar_period(d("2026-11-23"), 90, d("2026-12-20")), Ok(true));
        assert_eq!(
            cal.within_calendar_period(d("2026-11-23"), 90, d("2027-03-01")),
            Err(CalendarError::YearNotCovered(2027))
        );
        assert_eq!(cal.within_workdays(d("2026-12-28"), 5, d("2026-12-31")), Ok(true));
        assert!(cal.within_workdays(d("2026-12-28"), 5, d("2027-01-08")).is_err());
        assert_eq!(cal.within_workdays(d("2026-12-01"), 5, d("2026-12-09")), Ok(false));
    }

    #[test]
    fn working_days_across_holidays_and_make_up_days() {
        let calendar = shipped();
        // (date, workday?)
        let cases = [
            ("2017-01-22", true),  // Sunday, 春节 make-up day
            ("2017-01-27", false), // 除夕
            ("2019-02-02", true),  // Saturday make-up
            ("2020-01-31", false), // 2020 Spring Festival extended
            ("2024-02-18", true),  // Sunday make-up
            ("2025-10-08", false),
            ("2025-10-11", true),  // Saturday make-up
            ("2026-01-04", true),  // Sunday make-up
            ("2026-02-23", false), // last of the nine-day Spring Festival
            ("2026-02-24", true),
            ("2026-02-28", true),  // Saturday make-up
            ("2026-03-01", false), // an ordinary Sunday
            ("2026-03-02", true),  // an ordinary Monday
        ];
        for (date, expected) in cases {
            assert_eq!(calendar.is_workday(d(date)), Ok(expected), "{date}");
        }
    }

    #[test]
    fn adding_working_days_skips_rest_and_counts_make_up_days() {
        let calendar = shipped();
        let cases = [
            // A 5-working-day hearing-request period served on Friday 2026-02-13: Saturday
            // 2-14 is a make-up working day, then nine days off.
            ("2026-02-13", 5, "2026-02-27"),
            ("2026-02-13", 1, "2026-02-14"),
            // 10-01 to 10-07 off, then Thursday 10-08, Friday 10-09 and the make-up Saturday 10-10.
            ("2026-09-30", 3, "2026-10-10"),
            ("2026-03-02", 5, "2026-03-09"),
            ("2025-09-26", 2, "2025-09-29"),
        ];
        for (start, n, end) in cases {
            assert_eq!(calendar.add_workdays(d(start), n), Ok(d(end)), "{start} + {n}");
        }
    }

    #[test]
    fn a_calendar_period_ending_on_a_day_off_ends_on_the_next_working_day() {
        let calendar = shipped();
        // 15 days from 2026-09-16 would end on 10-01 (国庆): the period runs to 10-08.
        assert_eq!(calendar.calendar_period_end(d("2026-09-16"), 15), Ok(d("2026-10-08")));
        // Ending on an ordinary Saturday: moves to Monday.
        assert_eq!(calendar.calendar_period_end(d("2026-03-06"), 15), Ok(d("2026-03-23")));
        // Ending on a make-up Saturday: that day is a working day, the period ends there.
        assert_eq!(calendar.calendar_period_end(d("2026-02-13"), 15), Ok(d("2026-02-28")));
        assert_eq!(calendar.calendar_period_end(d("2026-03-02"), 90), Ok(d("2026-06-01")));
    }

    #[test]
    fn a_year_without_an_arrangement_is_an_error_not_a_guess() {
        let calendar = shipped();
        assert_eq!(calendar.is_workday(d("2027-03-01")), Err(CalendarError::YearNotCovered(2027)));
        assert_eq!(calendar.add_workdays(d("2026-12-28"), 5), Err(CalendarError::YearNotCovered(2027)));
        assert_eq!(calendar.is_workday(d("2016-12-30")), Err(CalendarError::YearNotCovered(2016)));
    }

    proptest::proptest! {
        #[test]
        fn the_nth_working_day_is_a_working_day_with_n_working_days_before_it(offset in 0i64..3000, n in 1u32..40) {
            let calendar = shipped();
            let start = d("2017-01-01") + Duration::days(offset);
            if let Ok(end) = calendar.add_workdays(start, n) {
                proptest::prop_assert!(calendar.is_workday(end).unwrap());
                let mut count = 0;
                let mut day = start + Duration::days(1);
                while day <= end {
                    if calendar.is_workday(day).unwrap() { count += 1; }
                    day += Duration::days(1);
                }
                proptest::prop_assert_eq!(count, n);
            }
        }

        #[test]
        fn a_calendar_period_never_ends_on_a_day_off_or_early(offset in 0i64..3000, days in 1u32..120) {
            let calendar = shipped();
            let start = d("2017-01-01") + Duration::days(offset);
            if let Ok(end) = calendar.calendar_period_end(start, days) {
                proptest::prop_assert!(calendar.is_workday(end).unwrap());
                proptest::prop_assert!(end >= start + Duration::days(i64::from(days)));
            }
        }
    }
}
