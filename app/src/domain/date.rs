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

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

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
