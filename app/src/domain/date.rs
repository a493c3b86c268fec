//! Calendar dates as people in China read them (Asia/Shanghai, UTC+8, no
//! daylight saving). Storage keeps UTC instants; this is for "today".

use time::{Date, OffsetDateTime, UtcOffset};

const SHANGHAI: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(offset) => offset,
    Err(_) => panic!("valid offset"),
};

pub fn today_in_shanghai() -> Date {
    date_in_shanghai(OffsetDateTime::now_utc())
}

pub fn date_in_shanghai(instant: OffsetDateTime) -> Date {
    instant.to_offset(SHANGHAI).date()
}

/// An instant (Unix seconds, UTC) as a Shanghai wall clock: "14:05" when it
/// falls on `today`, "11月28日 14:05" on any other day.
pub fn clock_in_shanghai(unix: i64, today: Date) -> String {
    let Ok(instant) = OffsetDateTime::from_unix_timestamp(unix) else {
        return String::new();
    };
    let local = instant.to_offset(SHANGHAI);
    let clock = format!("{:02}:{:02}", local.hour(), local.minute());
    if local.date() == today {
        clock
    } else {
        format!("{}月{}日 {clock}", local.month() as u8, local.day())
    }
}

/// `d` moved by whole months, the day clamped to the target month's length
/// (2024-02-29 − 12 months = 2023-02-28; 2025-03-31 − 1 month = 2025-02-28).
/// Saturates at the limits of `time::Date`.
pub fn add_months(d: Date, months: i32) -> Date {
    let total = i64::from(d.year()) * 12 + i64::from(d.month() as u8 - 1) + i64::from(months);
    let limit = if months < 0 { Date::MIN } else { Date::MAX };
    let Ok(year) = i32::try_from(total.div_euclid(12)) else {
        return limit;
    };
    // rem_euclid(12) is in 0..12, so the cast is lossless.
    let month = time::Month::January.nth_next(total.rem_euclid(12) as u8);
    let day = d.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(limit)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn months_clamp_to_the_end_of_shorter_months() {
        use time::macros::date;
        assert_eq!(add_months(date!(2026 - 01 - 31), 1), date!(2026 - 02 - 28));
        assert_eq!(add_months(date!(2024 - 02 - 29), 12), date!(2025 - 02 - 28));
        assert_eq!(
            add_months(date!(2024 - 02 - 29), -12),
            date!(2023 - 02 - 28)
        );
        assert_eq!(add_months(date!(2026 - 12 - 15), 1), date!(2027 - 01 - 15));
        assert_eq!(add_months(date!(2026 - 01 - 15), -1), date!(2025 - 12 - 15));
    }

    #[test]
    fn clock_times_are_shanghai_and_name_the_day_when_not_today() {
        use time::macros::date;
        // 2026-11-28 06:05 UTC is 14:05 in Shanghai.
        let unix = datetime!(2026-11-28 06:05 UTC).unix_timestamp();
        assert_eq!(clock_in_shanghai(unix, date!(2026 - 11 - 28)), "14:05");
        assert_eq!(
            clock_in_shanghai(unix, date!(2026 - 11 - 29)),
            "11月28日 14:05"
        );
        // 16:30 UTC on the 28th is already the 29th in Shanghai.
        let late = datetime!(2026-11-28 16:30 UTC).unix_timestamp();
        assert_eq!(clock_in_shanghai(late, date!(2026 - 11 - 29)), "00:30");
    }

    #[test]
    fn late_utc_evening_is_next_day_in_shanghai() {
        assert_eq!(
            date_in_shanghai(datetime!(2026-12-31 16:00 UTC)).to_string(),
            "2027-01-01"
        );
        assert_eq!(
            date_in_shanghai(datetime!(2026-12-31 15:59 UTC)).to_string(),
            "2026-12-31"
        );
    }
}
