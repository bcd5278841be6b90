//! Times are stored in UTC and shown in Asia/Shanghai. China has kept UTC+8 without
//! daylight saving since 1991, so a fixed offset is exact and needs no time-zone database.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};

pub const SHANGHAI: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// The local time in Ningbo.
pub fn local(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&SHANGHAI)
}

/// The local date in Ningbo.
pub fn local_date(at: DateTime<Utc>) -> NaiveDate {
    local(at).date_naive()
}

/// The instant `minute` minutes after local midnight of `day`.
pub fn at_local(day: NaiveDate, minute: i32) -> Option<DateTime<Utc>> {
    let midnight = day.and_hms_opt(0, 0, 0)?;
    let local = SHANGHAI.from_local_datetime(&midnight).single()?;
    Some((local + chrono::Duration::minutes(minute.into())).with_timezone(&Utc))
}

/// A day as a form's date field sends it ("2026-12-01"); None for anything else.
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// "2026-12-01 09:00", local.
pub fn format_local(at: DateTime<Utc>) -> String {
    local(at).format("%Y-%m-%d %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_midnight_is_sixteen_hundred_utc_the_day_before() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date");
        let at = at_local(day, 9 * 60).expect("a time");
        assert_eq!(at.to_rfc3339(), "2026-12-01T01:00:00+00:00");
        assert_eq!(format_local(at), "2026-12-01 09:00");
        assert_eq!(local_date(at_local(day, 0).expect("midnight")), day);
    }
}
