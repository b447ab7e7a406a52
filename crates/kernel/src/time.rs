use chrono::{DateTime, SecondsFormat, Utc};

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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn formats_with_millis_and_z() {
        let ts = Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap()
            + chrono::Duration::microseconds(123_456);
        assert_eq!(format_ts(&ts), "2025-06-01T12:00:00.123Z");
    }
}
