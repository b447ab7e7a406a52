//! Product field rules (spec §1.3 Product, E17, E20, §4.12): validation, the stock list, and the
//! discount merge rules that differ between multipart and JSON edits.

use crate::model::StockLine;
use crate::pricing::Discount;
use chrono_tz::Tz;
use kernel::time::parse_instant;
use kernel::{DomainError, Patch, Timestamp, Violations, lenient, text};
use media::ImageInput;
use serde_json::Value;

pub const MAX_PRICE: i64 = 1_000_000_000;
pub const MAX_QUANTITY: i64 = 1_000_000;
pub const MAX_CONTENT_CHARS: usize = 100_000;

/// A product form as it arrives (E17: name, price, categoryName and stocks required; E20: all
/// optional).
#[derive(Debug, Default)]
pub struct ProductInput {
    pub name: Option<String>,
    pub price: Option<i64>,
    pub category_name: Option<String>,
    /// A JSON array, or (multipart) a string holding one.
    pub stocks: Option<Value>,
    pub content: Option<String>,
    pub discount_rate: Patch<i64>,
    pub discount_start_time: Patch<String>,
    pub discount_end_time: Patch<String>,
    pub image: Option<ImageInput>,
    /// Multipart edits take the discount fields as sent (absent = cleared), JSON edits leave
    /// absent fields unchanged (§2.4 E20).
    pub multipart: bool,
}

/// Validated fields; `None` where not given.
#[derive(Debug, Default, PartialEq)]
pub struct ProductFields {
    pub name: Option<String>,
    pub price: Option<i64>,
    /// Lower-cased.
    pub category_name: Option<String>,
    pub stocks: Option<Vec<StockLine>>,
    pub content: Option<String>,
}

pub fn validate(input: &ProductInput, create: bool) -> Result<ProductFields, DomainError> {
    let mut v = Violations::new();
    let name = match &input.name {
        Some(n) => v.take(text::bounded("name", n, 1, 100)),
        None => {
            if create {
                v.add("name", "is required");
            }
            None
        }
    };
    let price = match input.price {
        Some(p) if (0..=MAX_PRICE).contains(&p) => Some(p),
        Some(_) => {
            v.add("price", format!("must be between 0 and {MAX_PRICE}"));
            None
        }
        None => {
            if create {
                v.add("price", "is required");
            }
            None
        }
    };
    let category_name = match input.category_name.as_deref().map(str::trim) {
        Some(c) if !c.is_empty() => Some(c.to_lowercase()),
        _ => {
            if create {
                v.add("categoryName", "is required");
            }
            None
        }
    };
    let stocks = match &input.stocks {
        Some(value) => match parse_stocks(value) {
            Ok(lines) => Some(lines),
            Err(problem) => {
                v.add("stocks", problem);
                None
            }
        },
        None => {
            if create {
                v.add("stocks", "is required");
            }
            None
        }
    };
    let content = match &input.content {
        Some(c) if text::char_len(c) > MAX_CONTENT_CHARS => {
            v.add(
                "content",
                format!("must be at most {MAX_CONTENT_CHARS} characters"),
            );
            None
        }
        other => other.clone(),
    };
    v.finish()?;
    Ok(ProductFields {
        name,
        price,
        category_name,
        stocks,
        content,
    })
}

/// `[{ sizeId: 1..6, quantity: 0..1 000 000 }]`, 1–6 entries, no repeated size.
pub fn parse_stocks(value: &Value) -> Result<Vec<StockLine>, String> {
    let shape = || "must be a JSON array of { sizeId, quantity }".to_owned();
    let parsed;
    let array = match value {
        Value::Array(a) => a,
        Value::String(s) => {
            parsed = serde_json::from_str::<Value>(s).map_err(|_| shape())?;
            parsed.as_array().ok_or_else(shape)?
        }
        _ => return Err(shape()),
    };
    if array.is_empty() || array.len() > 6 {
        return Err("must have 1-6 entries".into());
    }
    let mut lines: Vec<StockLine> = Vec::with_capacity(array.len());
    for entry in array {
        let obj = entry.as_object().ok_or_else(shape)?;
        let int = |key: &str| -> Result<i64, String> {
            let v = obj.get(key).unwrap_or(&Value::Null);
            lenient::integer(v)
                .map_err(|p| format!("{key} {p}"))?
                .ok_or_else(|| format!("{key} is required"))
        };
        let size_id = int("sizeId")?;
        let quantity = int("quantity")?;
        if !(1..=6).contains(&size_id) {
            return Err("sizeId must be 1-6".into());
        }
        if !(0..=MAX_QUANTITY).contains(&quantity) {
            return Err(format!("quantity must be between 0 and {MAX_QUANTITY}"));
        }
        if lines.iter().any(|l| i64::from(l.size_id) == size_id) {
            return Err("sizeId must not repeat".into());
        }
        lines.push(StockLine {
            size_id: size_id as i32,
            quantity: quantity as i32,
        });
    }
    lines.sort_by_key(|l| l.size_id);
    Ok(lines)
}

fn instant(field: &str, text: String, zone: Tz, v: &mut Violations) -> Option<Timestamp> {
    let parsed = parse_instant(&text, zone);
    if parsed.is_none() {
        v.add(field, "must be an ISO-8601 date-time");
    }
    parsed
}

/// Validates the rate and orders the period; a zero rate has no period.
fn finish(
    rate: i64,
    start: Option<Timestamp>,
    end: Option<Timestamp>,
    v: &mut Violations,
) -> Discount {
    if !(0..=100).contains(&rate) {
        v.add("discountRate", "must be between 0 and 100");
    }
    if rate == 0 {
        return Discount::default();
    }
    if let (Some(s), Some(e)) = (start, end)
        && s >= e
    {
        v.add("discountEndTime", "must be after discountStartTime");
    }
    Discount {
        rate: rate.clamp(0, 100) as i32,
        start,
        end,
    }
}

/// The discount of a new product (E17). The period is ignored when the rate is 0.
pub fn discount_for_create(input: &ProductInput, zone: Tz) -> Result<Discount, DomainError> {
    let mut v = Violations::new();
    let rate = input.discount_rate.clone().into_option().unwrap_or(0);
    let (start, end) = if rate == 0 {
        (None, None)
    } else {
        (
            input
                .discount_start_time
                .clone()
                .into_option()
                .and_then(|t| instant("discountStartTime", t, zone, &mut v)),
            input
                .discount_end_time
                .clone()
                .into_option()
                .and_then(|t| instant("discountEndTime", t, zone, &mut v)),
        )
    };
    let discount = finish(rate, start, end, &mut v);
    v.finish()?;
    Ok(discount)
}

/// The discount after an edit (E20), or `None` when the edit leaves it untouched.
pub fn discount_for_update(
    input: &ProductInput,
    current: Discount,
    zone: Tz,
) -> Result<Option<Discount>, DomainError> {
    let mut v = Violations::new();
    let bound = |patch: &Patch<String>,
                 field: &str,
                 current: Option<Timestamp>,
                 v: &mut Violations|
     -> Option<Timestamp> {
        match patch.clone() {
            Patch::Value(t) => instant(field, t, zone, v),
            Patch::Null => None,
            Patch::Absent if input.multipart => None,
            Patch::Absent => current,
        }
    };
    if !input.multipart
        && input.discount_rate.is_absent()
        && input.discount_start_time.is_absent()
        && input.discount_end_time.is_absent()
    {
        return Ok(None);
    }
    let rate = match input.discount_rate {
        Patch::Value(r) => r,
        Patch::Null => 0,
        // Multipart: the edit form omits the rate when its discount toggle is off (C11).
        Patch::Absent if input.multipart => 0,
        Patch::Absent => i64::from(current.rate),
    };
    // As on create, the period is ignored (not even parsed) when the rate comes out as 0.
    let (start, end) = if rate == 0 {
        (None, None)
    } else {
        (
            bound(
                &input.discount_start_time,
                "discountStartTime",
                current.start,
                &mut v,
            ),
            bound(
                &input.discount_end_time,
                "discountEndTime",
                current.end,
                &mut v,
            ),
        )
    };
    let discount = finish(rate, start, end, &mut v);
    v.finish()?;
    Ok(Some(discount))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use chrono_tz::Asia::Seoul;
    use serde_json::json;

    fn ts(h: u32) -> Timestamp {
        Utc.with_ymd_and_hms(2025, 6, 1, h, 0, 0).unwrap()
    }

    #[test]
    fn stocks_parse_from_arrays_and_strings() {
        let lines = parse_stocks(&json!(
            "[{\"sizeId\":\"3\",\"quantity\":5},{\"sizeId\":1,\"quantity\":0}]"
        ))
        .unwrap();
        assert_eq!(
            lines,
            [
                StockLine {
                    size_id: 1,
                    quantity: 0
                },
                StockLine {
                    size_id: 3,
                    quantity: 5
                }
            ]
        );
        assert!(parse_stocks(&json!([{ "sizeId": 6, "quantity": 1_000_000 }])).is_ok());
        for bad in [
            json!("not json"),
            json!("{}"),
            json!([]),
            json!(42),
            json!([{ "sizeId": 7, "quantity": 1 }]),
            json!([{ "sizeId": 0, "quantity": 1 }]),
            json!([{ "sizeId": 1, "quantity": -1 }]),
            json!([{ "sizeId": 1, "quantity": 1_000_001 }]),
            json!([{ "sizeId": 1, "quantity": 1 }, { "sizeId": 1, "quantity": 2 }]),
            json!([{ "sizeId": 1 }]),
            json!([{ "sizeId": 1.5, "quantity": 1 }]),
            json!([1, 2]),
            json!(
                (1..=7)
                    .map(|i| json!({ "sizeId": i, "quantity": 1 }))
                    .collect::<Vec<_>>()
            ),
        ] {
            assert!(parse_stocks(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn create_validation_reports_every_missing_field() {
        let err = validate(&ProductInput::default(), true)
            .unwrap_err()
            .to_string();
        for f in ["name:", "price:", "categoryName:", "stocks:"] {
            assert!(err.contains(f), "{err}");
        }
        let bad = ProductInput {
            price: Some(MAX_PRICE + 1),
            ..Default::default()
        };
        assert!(
            validate(&bad, false)
                .unwrap_err()
                .to_string()
                .contains("price:")
        );
        let fine = ProductInput {
            category_name: Some(" TOP ".into()),
            content: Some("  <p>kept as is</p> ".into()),
            ..Default::default()
        };
        let fields = validate(&fine, false).unwrap();
        assert_eq!(fields.category_name.as_deref(), Some("top"));
        assert_eq!(fields.content.as_deref(), Some("  <p>kept as is</p> "));
    }

    #[test]
    fn create_ignores_the_period_without_a_rate() {
        let input = ProductInput {
            discount_start_time: Patch::Value("2025-06-01T10:00:00Z".into()),
            discount_end_time: Patch::Value("garbage".into()),
            ..Default::default()
        };
        assert_eq!(
            discount_for_create(&input, Seoul).unwrap(),
            Discount::default()
        );
        let input = ProductInput {
            discount_rate: Patch::Value(10),
            discount_start_time: Patch::Value("2025-06-01T10:00:00Z".into()),
            discount_end_time: Patch::Value("2025-06-01T09:00:00Z".into()),
            ..Default::default()
        };
        assert!(
            discount_for_create(&input, Seoul)
                .unwrap_err()
                .to_string()
                .contains("discountEndTime")
        );
        let input = ProductInput {
            discount_rate: Patch::Value(101),
            ..Default::default()
        };
        assert!(discount_for_create(&input, Seoul).is_err());
    }

    #[test]
    fn multipart_edits_take_the_discount_as_sent() {
        let current = Discount {
            rate: 20,
            start: Some(ts(1)),
            end: Some(ts(5)),
        };
        // The form leaves the rate out when the discount is off; its period fields are ignored.
        let cleared = ProductInput {
            multipart: true,
            discount_end_time: Patch::Value("not a time".into()),
            ..Default::default()
        };
        assert_eq!(
            discount_for_update(&cleared, current, Seoul).unwrap(),
            Some(Discount::default())
        );
        let rate_only = ProductInput {
            multipart: true,
            discount_rate: Patch::Value(30),
            ..Default::default()
        };
        assert_eq!(
            discount_for_update(&rate_only, current, Seoul).unwrap(),
            Some(Discount {
                rate: 30,
                start: None,
                end: None
            })
        );
    }

    #[test]
    fn json_edits_leave_absent_fields_and_clear_nulls() {
        let current = Discount {
            rate: 20,
            start: Some(ts(1)),
            end: Some(ts(5)),
        };
        let untouched = ProductInput::default();
        assert_eq!(
            discount_for_update(&untouched, current, Seoul).unwrap(),
            None
        );
        let new_end = ProductInput {
            discount_end_time: Patch::Value("2025-06-01T15:00:00+09:00".into()),
            ..Default::default()
        };
        assert_eq!(
            discount_for_update(&new_end, current, Seoul).unwrap(),
            Some(Discount {
                rate: 20,
                start: Some(ts(1)),
                end: Some(ts(6))
            })
        );
        let null_start = ProductInput {
            discount_start_time: Patch::Null,
            ..Default::default()
        };
        assert_eq!(
            discount_for_update(&null_start, current, Seoul)
                .unwrap()
                .unwrap()
                .start,
            None
        );
        for rate in [Patch::Null, Patch::Value(0)] {
            let clear = ProductInput {
                discount_rate: rate,
                discount_start_time: Patch::Value("not a time".into()),
                ..Default::default()
            };
            assert_eq!(
                discount_for_update(&clear, current, Seoul).unwrap(),
                Some(Discount::default())
            );
        }
        let backwards = ProductInput {
            discount_start_time: Patch::Value("2025-06-01T07:00:00Z".into()),
            ..Default::default()
        };
        assert!(
            discount_for_update(&backwards, current, Seoul).is_err(),
            "merged period is validated"
        );
    }
}
