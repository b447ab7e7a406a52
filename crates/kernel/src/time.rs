use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use chrono_tz::Tz;

pub type Timestamp = DateTime<Utc>;

/// The source of "now"; injected so rules that depend on time (discounts, token expiry,
/// calendar windows) are testable.
pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Utc::now()
    }
}

/// ISO-8601 UTC with exactly three fractional digits (spec §0.8).
pub fn format_ts(ts: &Timestamp) -> String {
    ts.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A request timestamp (spec §0.8): RFC 3339 with any offset, or a local date-time without an
/// offset (`YYYY-MM-DDTHH:mm[:ss[.SSS]]`) read in the application time zone.
pub fn parse_instant(text: &str, zone: Tz) -> Option<Timestamp> {
    let text = text.trim();
    if let Ok(ts) = DateTime::parse_from_rfc3339(text) {
        return Some(ts.with_timezone(&Utc));
    }
    let local = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())?;
    // In a DST gap there is no such local time; in an overlap take the earlier instant.
    zone.from_local_datetime(&local)
        .earliest()
        .map(|ts| ts.with_timezone(&Utc))
}

/// 00:00 on the first day of `now`'s month in `zone`, as an instant.
pub fn month_start(now: Timestamp, zone: Tz) -> Timestamp {
    let local = now.with_timezone(&zone);
    let first = NaiveDate::from_ymd_opt(local.year(), local.month(), 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_else(|| local.naive_local());
    zone.from_local_datetime(&first)
        .earliest()
        .map_or(now, |ts| ts.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Seoul;

    #[test]
    fn parses_offsets_and_local_times() {
        let utc = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
        assert_eq!(parse_instant("2025-06-01T00:00:00.000Z", Seoul), Some(utc));
        assert_eq!(parse_instant("2025-06-01T09:00:00+09:00", Seoul), Some(utc));
        assert_eq!(parse_instant("2025-06-01T09:00", Seoul), Some(utc));
        assert_eq!(parse_instant("2025-06-01T09:00:00.000", Seoul), Some(utc));
        assert_eq!(parse_instant("2025-06-01", Seoul), None);
        assert_eq!(parse_instant("yesterday", Seoul), None);
    }

    #[test]
    fn month_start_is_local_midnight() {
        // 2025-06-30T16:00Z is already July 1st 01:00 in Seoul.
        let now = Utc.with_ymd_and_hms(2025, 6, 30, 16, 0, 0).unwrap();
        assert_eq!(
            month_start(now, Seoul),
            Utc.with_ymd_and_hms(2025, 6, 30, 15, 0, 0).unwrap()
        );
        let mid = Utc.with_ymd_and_hms(2025, 6, 15, 3, 0, 0).unwrap();
        assert_eq!(
            month_start(mid, Seoul),
            Utc.with_ymd_and_hms(2025, 5, 31, 15, 0, 0).unwrap()
        );
    }

    #[test]
    fn formats_with_millis_and_z() {
        let ts = Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap()
            + chrono::Duration::microseconds(123_456);
        assert_eq!(format_ts(&ts), "2025-06-01T12:00:00.123Z");
    }
}
