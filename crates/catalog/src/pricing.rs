//! Prices, discounts and rating aggregates (spec §4.3, §4.7).

use kernel::Timestamp;

/// A stored discount: the rate and its optional period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Discount {
    pub rate: i32,
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
}

impl Discount {
    /// Active at `t` ⇔ rate > 0 and t is within the (inclusive, open-ended) period.
    pub fn is_active(&self, t: Timestamp) -> bool {
        self.rate > 0
            && self.start.is_none_or(|start| t >= start)
            && self.end.is_none_or(|end| t <= end)
    }

    /// The price charged at `t`: the web client's floating-point expression, exactly.
    pub fn price_at(&self, price: i64, t: Timestamp) -> i64 {
        if self.is_active(t) {
            discount_price(price, self.rate)
        } else {
            price
        }
    }
}

/// `floor(price × (1 − rate / 100))` evaluated in IEEE-754 binary64 in this order; integer
/// shortcuts give different results (1000 at 7% is 929, not 930).
pub fn discount_price(price: i64, rate: i32) -> i64 {
    let r = f64::from(rate) / 100.0;
    let m = 1.0 - r;
    let p = price as f64 * m;
    p.floor() as i64
}

/// The mean rating rounded half-up to one decimal, times ten:
/// `floor((20 × Σrating + n) / (2 × n))`; 0 without reviews.
pub fn rating_x10(sum: i64, count: i64) -> i64 {
    if count <= 0 {
        0
    } else {
        (20 * sum + count) / (2 * count)
    }
}

/// `reviewsRating` / `sumScore` as a JSON number with at most one decimal.
pub fn rating(sum: i64, count: i64) -> f64 {
    rating_x10(sum, count) as f64 / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, Utc};

    #[test]
    fn discount_prices_follow_the_float_formula() {
        let table = [
            (20_000, 10, 18_000),
            (10_000, 7, 9_300),
            (1_000, 7, 929),
            (30_000, 33, 20_099),
            (5_000, 80, 999),
            (12_345, 12, 10_863),
            (77_777, 100, 0),
            (0, 50, 0),
            (1_000_000_000, 1, 990_000_000),
        ];
        for (price, rate, expected) in table {
            assert_eq!(discount_price(price, rate), expected, "{price} at {rate}%");
        }
    }

    #[test]
    fn activity_depends_on_rate_and_inclusive_period() {
        let now = Utc::now();
        let d = |rate, start: Option<i64>, end: Option<i64>| Discount {
            rate,
            start: start.map(|s| now + Duration::seconds(s)),
            end: end.map(|e| now + Duration::seconds(e)),
        };
        assert!(d(10, None, None).is_active(now));
        assert!(!d(0, None, None).is_active(now));
        assert!(
            d(10, Some(0), Some(0)).is_active(now),
            "bounds are inclusive"
        );
        assert!(!d(10, Some(1), None).is_active(now), "scheduled");
        assert!(!d(10, None, Some(-1)).is_active(now), "expired");
        assert_eq!(d(33, None, Some(-1)).price_at(30_000, now), 30_000);
        assert_eq!(d(33, Some(-10), Some(10)).price_at(30_000, now), 20_099);
    }

    #[test]
    fn ratings_round_half_up_to_one_decimal() {
        assert_eq!(rating(23, 5), 4.6);
        assert_eq!(rating(9, 2), 4.5);
        assert_eq!(rating(0, 0), 0.0);
        assert_eq!(rating(13, 3), 4.3); // 4.333…
        assert_eq!(rating(14, 3), 4.7); // 4.666…
        assert_eq!(rating_x10(29, 8), 36); // 3.625 → 3.6
        assert_eq!(rating_x10(3, 4), 8); // 0.75 → 0.8 (half-up)
        assert_eq!(rating(5, 1), 5.0);
    }
}
