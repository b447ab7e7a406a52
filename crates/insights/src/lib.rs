//! The seller dashboard (spec §2.11, §4.9): calendar windows in the application time zone,
//! change rates, top products and price buckets. The arithmetic is pure; the figures come
//! from aggregate queries behind the `SalesFigures` port.

use catalog::Stores;
use chrono::{Datelike, Days, NaiveDate, TimeZone};
use chrono_tz::Tz;
use kernel::{Clock, DomainError, DomainResult, Timestamp};
use std::future::Future;
use std::sync::Arc;

/// A half-open or closed interval of order times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: Timestamp,
    pub to: Timestamp,
    /// `true`: `to` is included (a current period ends now); `false`: excluded.
    pub to_inclusive: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodWindows {
    pub current: Window,
    pub previous: Window,
}

/// Today, this week (from Monday), this month and this year, each with the one before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    pub today: PeriodWindows,
    pub week: PeriodWindows,
    pub month: PeriodWindows,
    pub year: PeriodWindows,
}

fn midnight(zone: Tz, date: NaiveDate) -> Timestamp {
    let local = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    zone.from_local_datetime(&local)
        .earliest()
        .unwrap_or_else(|| zone.from_utc_datetime(&local))
        .with_timezone(&chrono::Utc)
}

fn period(zone: Tz, start: NaiveDate, previous_start: NaiveDate, now: Timestamp) -> PeriodWindows {
    let start = midnight(zone, start);
    PeriodWindows {
        current: Window {
            from: start,
            to: now,
            to_inclusive: true,
        },
        previous: Window {
            from: midnight(zone, previous_start),
            to: start,
            to_inclusive: false,
        },
    }
}

/// The calendar windows of §4.9 at `now` in `zone`.
pub fn windows(now: Timestamp, zone: Tz) -> Windows {
    let today = now.with_timezone(&zone).date_naive();
    let yesterday = today - Days::new(1);
    let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
    let last_monday = monday - Days::new(7);
    let first = today.with_day(1).unwrap_or(today);
    let first_of_last = (first - Days::new(1)).with_day(1).unwrap_or(first);
    let jan1 = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let last_jan1 = NaiveDate::from_ymd_opt(today.year() - 1, 1, 1).unwrap_or(jan1);
    Windows {
        today: period(zone, today, yesterday, now),
        week: period(zone, monday, last_monday, now),
        month: period(zone, first, first_of_last, now),
        year: period(zone, jan1, last_jan1, now),
    }
}

/// `x / y × 1000`, rounded half away from zero, as an integer.
fn per_mille(x: i64, y: i64) -> i64 {
    let (num, den) = (i128::from(x) * 1000, i128::from(y));
    let (q, r) = (num / den, num % den);
    let rounded = if 2 * r.abs() >= den.abs() {
        q + num.signum() * den.signum()
    } else {
        q
    };
    rounded as i64
}

/// `changeRate`: 0 or 100 when there was nothing before; otherwise the exact percentage,
/// rounded half away from zero to one decimal.
pub fn change_rate(current: i64, previous: i64) -> f64 {
    if previous == 0 {
        return if current == 0 { 0.0 } else { 100.0 };
    }
    per_mille(current - previous, previous) as f64 / 10.0
}

/// A bucket's share of the total, to one decimal; 0 when the total is 0.
pub fn percentage(part: i64, total: i64) -> f64 {
    if total == 0 {
        0.0
    } else {
        per_mille(part, total) as f64 / 10.0
    }
}

pub const PRICE_BUCKETS: [&str; 5] = [
    "~20,000 원",
    "~50,000 원",
    "~100,000 원",
    "~200,000 원",
    "200,000원 이상",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    pub orders: i64,
    pub sales: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopProduct {
    pub id: String,
    pub name: String,
    pub price: i64,
    pub sales: i64,
}

pub trait SalesFigures: Send + Sync {
    /// Distinct orders and Σ price × quantity of the store's paid or shipped lines per window.
    fn totals(
        &self,
        store_id: &str,
        windows: &[Window],
    ) -> impl Future<Output = DomainResult<Vec<Totals>>> + Send;
    /// At most 5 existing products with sales, by sales desc, name asc, id asc.
    fn top_products(
        &self,
        store_id: &str,
    ) -> impl Future<Output = DomainResult<Vec<TopProduct>>> + Send;
    /// Σ price × quantity of all the store's paid or shipped lines, by unit-price bucket.
    fn price_buckets(&self, store_id: &str) -> impl Future<Output = DomainResult<[i64; 5]>> + Send;
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Period {
    pub current: Totals,
    pub previous: Totals,
    pub orders_rate: f64,
    pub sales_rate: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub today: Period,
    pub week: Period,
    pub month: Period,
    pub year: Period,
    pub top: Vec<TopProduct>,
    /// (label, totalSales, percentage), always the five buckets in order.
    pub buckets: Vec<(&'static str, i64, f64)>,
}

pub struct Insights<S, F> {
    stores: S,
    figures: F,
    clock: Arc<dyn Clock>,
    zone: Tz,
}

impl<S: Stores, F: SalesFigures> Insights<S, F> {
    pub fn new(stores: S, figures: F, clock: Arc<dyn Clock>, zone: Tz) -> Self {
        Self {
            stores,
            figures,
            clock,
            zone,
        }
    }

    /// E50 for the seller's store (404 without one).
    pub async fn dashboard(&self, seller_id: &str) -> DomainResult<Dashboard> {
        let store = self
            .stores
            .by_owner(seller_id)
            .await?
            .ok_or_else(|| DomainError::NotFound(catalog::messages::STORE_NOT_FOUND.into()))?;
        let w = windows(self.clock.now(), self.zone);
        let all = [w.today, w.week, w.month, w.year];
        let flat: Vec<Window> = all.iter().flat_map(|p| [p.current, p.previous]).collect();
        let totals = self.figures.totals(&store.id, &flat).await?;
        let period = |i: usize| {
            let (current, previous) = (totals[2 * i], totals[2 * i + 1]);
            Period {
                current,
                previous,
                orders_rate: change_rate(current.orders, previous.orders),
                sales_rate: change_rate(current.sales, previous.sales),
            }
        };
        if totals.len() != 8 {
            return Err(DomainError::internal(
                "dashboard",
                "one total per window expected",
            ));
        }
        let buckets = self.figures.price_buckets(&store.id).await?;
        let sum: i64 = buckets.iter().sum();
        Ok(Dashboard {
            today: period(0),
            week: period(1),
            month: period(2),
            year: period(3),
            top: self.figures.top_products(&store.id).await?,
            buckets: PRICE_BUCKETS
                .iter()
                .zip(buckets)
                .map(|(label, sales)| (*label, sales, percentage(sales, sum)))
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use chrono_tz::Asia::Seoul;

    fn utc(y: i32, m: u32, d: u32, h: u32) -> Timestamp {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    #[test]
    fn the_zone_not_utc_decides_the_day() {
        // 2025-03-31T16:00Z is already 1 April 01:00 in Seoul.
        let w = windows(utc(2025, 3, 31, 16), Seoul);
        assert_eq!(w.today.current.from, utc(2025, 3, 31, 15));
        assert_eq!(w.today.previous.from, utc(2025, 3, 30, 15));
        assert_eq!(w.month.current.from, utc(2025, 3, 31, 15), "April in Seoul");
        assert_eq!(
            w.month.previous.from,
            utc(2025, 2, 28, 15),
            "March in Seoul"
        );
        assert!(w.today.current.to_inclusive && !w.today.previous.to_inclusive);
        assert_eq!(w.today.previous.to, w.today.current.from);
    }

    #[test]
    fn weeks_start_on_monday_and_may_span_two_months() {
        // Wednesday 2025-10-01 in Seoul: the week began Monday 2025-09-29.
        let w = windows(utc(2025, 10, 1, 3), Seoul);
        assert_eq!(w.week.current.from, utc(2025, 9, 28, 15));
        assert_eq!(w.week.previous.from, utc(2025, 9, 21, 15));
    }

    #[test]
    fn month_and_year_boundaries_and_leap_years() {
        // 1 March 2024 (leap year) in Seoul: last month is February with 29 days.
        let w = windows(utc(2024, 3, 1, 0), Seoul);
        assert_eq!(w.month.current.from, utc(2024, 2, 29, 15));
        assert_eq!(w.month.previous.from, utc(2024, 1, 31, 15));
        // 1 January 2025 in Seoul: this year began at 2024-12-31T15:00Z, the last one a year earlier.
        let w = windows(utc(2024, 12, 31, 16), Seoul);
        assert_eq!(w.year.current.from, utc(2024, 12, 31, 15));
        assert_eq!(w.year.previous.from, utc(2023, 12, 31, 15));
        assert_eq!(
            w.month.previous.from,
            utc(2024, 11, 30, 15),
            "December 2024"
        );
    }

    #[test]
    fn change_rates_round_half_away_from_zero() {
        assert_eq!(change_rate(0, 0), 0.0);
        assert_eq!(change_rate(5, 0), 100.0);
        assert_eq!(change_rate(150, 100), 50.0);
        assert_eq!(change_rate(2, 3), -33.3);
        assert_eq!(change_rate(1, 3), -66.7);
        assert_eq!(change_rate(4, 3), 33.3);
        assert_eq!(change_rate(2001, 2000), 0.1, "0.05 rounds up");
        assert_eq!(change_rate(1999, 2000), -0.1, "−0.05 rounds away from zero");
        assert_eq!(change_rate(0, 7), -100.0);
    }

    #[test]
    fn percentages_of_the_buckets() {
        assert_eq!(percentage(1, 3), 33.3);
        assert_eq!(percentage(2, 3), 66.7);
        assert_eq!(percentage(0, 0), 0.0);
        assert_eq!(percentage(1, 8), 12.5);
        assert_eq!(percentage(1, 16), 6.3);
    }
}
