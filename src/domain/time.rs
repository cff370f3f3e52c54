//! Civil time in China: a fixed +08:00 offset (Asia/Shanghai has had no daylight saving time
//! since 1991), and the display formats of ux-and-documents §2.6.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// UTC+8, 北京时间.
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset")
}

/// The civil date in China at an instant.
pub fn civil_date(instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&beijing()).date_naive()
}

/// The instant a civil day begins in China (its midnight, Beijing time).
pub fn start_of_civil_day(day: NaiveDate) -> DateTime<Utc> {
    (day.and_time(chrono::NaiveTime::MIN) - chrono::Duration::hours(8)).and_utc()
}

/// `2026-04-08 09:30:00`, Beijing time, for lists and pages.
/// The first and last day of a year, for the by-year lists (none outside chrono's range).
pub fn year_days(year: i32) -> Option<(NaiveDate, NaiveDate)> {
    Some((NaiveDate::from_ymd_opt(year, 1, 1)?, NaiveDate::from_ymd_opt(year, 12, 31)?))
}

pub fn display(instant: DateTime<Utc>) -> String {
    instant.with_timezone(&beijing()).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// `2026年4月8日 星期三`, for the top bar.
pub fn display_date_long(date: NaiveDate) -> String {
    use chrono::Datelike;
    const WEEKDAYS: [&str; 7] = ["星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日"];
    format!(
        "{}年{}月{}日 {}",
        date.year(),
        date.month(),
        date.day(),
        WEEKDAYS[date.weekday().num_days_from_monday() as usize]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn late_utc_evening_is_the_next_day_in_beijing() {
        let instant = Utc.with_ymd_and_hms(2026, 4, 7, 17, 30, 0).unwrap();
        assert_eq!(civil_date(instant).to_string(), "2026-04-08");
        assert_eq!(display(instant), "2026-04-08 01:30:00");
        assert_eq!(display_date_long(civil_date(instant)), "2026年4月8日 星期三");
    }

    #[test]
    fn a_civil_day_begins_at_sixteen_hundred_utc_the_day_before() {
        let day = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap();
        let start = start_of_civil_day(day);
        assert_eq!(start, Utc.with_ymd_and_hms(2026, 3, 31, 16, 0, 0).unwrap());
        assert_eq!(civil_date(start), day);
        assert_eq!(civil_date(start - chrono::Duration::seconds(1)), day.pred_opt().unwrap());
    }
}
