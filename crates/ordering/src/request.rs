//! Order request rules (spec E29, E32): field validation, line rules, the `Idempotency-Key`
//! syntax and the request hash.

use crate::messages::DUPLICATE_LINE;
use kernel::{DomainError, DomainResult, Violations, text};
use sha2::{Digest, Sha256};

pub const MAX_LINES: usize = 100;
pub const MAX_QUANTITY: i64 = 1_000_000;
/// §1.3: a size's stock is at most this; a cancellation returns units up to it.
pub const STOCK_CAP: i32 = 1_000_000;
/// Keeps every money figure far below 2^53 (§0.9).
pub const MAX_SUBTOTAL: i64 = 1_000_000_000_000;

/// An order line as the request carries it: (productId, sizeId, quantity).
pub type RawLine = (Option<String>, Option<i64>, Option<i64>);

/// An order as the request carries it, before validation.
#[derive(Debug, Default, Clone)]
pub struct RawOrder {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub use_point: Option<i64>,
    /// (productId, sizeId, quantity)
    pub lines: Option<Vec<RawLine>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub product_id: String,
    pub size_id: i32,
    pub quantity: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRequest {
    pub name: String,
    pub phone: String,
    pub address: String,
    pub use_point: i64,
    /// In request order.
    pub lines: Vec<Line>,
}

pub fn name(value: &str) -> Result<String, (String, String)> {
    text::bounded("name", value, 1, 50)
}

pub fn phone(value: &str) -> Result<String, (String, String)> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > 20 || !v.chars().all(|c| c.is_ascii_digit() || c == '-')
    {
        return Err(("phone".into(), "must be 1-20 digits or '-'".into()));
    }
    Ok(v.to_owned())
}

pub fn address(value: &str) -> Result<String, (String, String)> {
    text::bounded("address", value, 1, 200)
}

impl OrderRequest {
    pub fn parse(raw: RawOrder) -> DomainResult<Self> {
        let mut v = Violations::new();
        let mut required =
            |field: &str,
             value: Option<String>,
             check: fn(&str) -> Result<String, (String, String)>| match value {
                Some(s) => v.take(check(&s)),
                None => {
                    v.add(field, "is required");
                    None
                }
            };
        let name = required("name", raw.name, name);
        let phone = required("phone", raw.phone, phone);
        let address = required("address", raw.address, address);
        let use_point = match raw.use_point {
            None => 0,
            Some(p) if p >= 0 => p,
            Some(_) => {
                v.add("usePoint", "must not be negative");
                0
            }
        };
        let mut lines = Vec::new();
        match raw.lines {
            None => v.add("orderItems", "is required"),
            Some(raw_lines) if raw_lines.is_empty() || raw_lines.len() > MAX_LINES => {
                v.add("orderItems", format!("must have 1-{MAX_LINES} entries"))
            }
            Some(raw_lines) => {
                for (i, (product, size, quantity)) in raw_lines.into_iter().enumerate() {
                    let product = product
                        .map(|p| p.trim().to_owned())
                        .filter(|p| !p.is_empty());
                    match (product, size, quantity) {
                        (Some(product_id), Some(size @ 1..=6), Some(q))
                            if (1..=MAX_QUANTITY).contains(&q) =>
                        {
                            lines.push(Line {
                                product_id,
                                size_id: size as i32,
                                quantity: q as i32,
                            })
                        }
                        _ => v.add(
                            &format!("orderItems[{i}]"),
                            "needs productId, sizeId 1-6 and quantity 1-1000000",
                        ),
                    }
                }
            }
        }
        v.finish()?;
        let mut seen = std::collections::HashSet::new();
        if !lines
            .iter()
            .all(|l| seen.insert((l.product_id.clone(), l.size_id)))
        {
            return Err(DomainError::invalid(DUPLICATE_LINE));
        }
        Ok(Self {
            name: name.unwrap_or_default(),
            phone: phone.unwrap_or_default(),
            address: address.unwrap_or_default(),
            use_point,
            lines,
        })
    }

    /// SHA-256 over the parsed body, so field order, whitespace and the phone alias used do
    /// not matter (§4.4 step 3).
    pub fn hash(&self) -> String {
        let lines: Vec<_> = self
            .lines
            .iter()
            .map(|l| serde_json::json!([l.product_id, l.size_id, l.quantity]))
            .collect();
        let canonical =
            serde_json::json!([self.name, self.phone, self.address, self.use_point, lines]);
        Sha256::digest(canonical.to_string().as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The lines in the canonical lock order: ascending (productId, sizeId).
    pub fn lock_order(&self) -> Vec<&Line> {
        let mut sorted: Vec<&Line> = self.lines.iter().collect();
        sorted.sort_by(|a, b| (&a.product_id, a.size_id).cmp(&(&b.product_id, b.size_id)));
        sorted
    }
}

/// 1–255 visible ASCII characters (0x21–0x7E).
pub fn idempotency_key(value: Option<&str>) -> DomainResult<Option<String>> {
    match value {
        None => Ok(None),
        Some(k)
            if !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| (0x21..=0x7E).contains(&b)) =>
        {
            Ok(Some(k.to_owned()))
        }
        Some(_) => Err(DomainError::invalid(
            "Idempotency-Key: must be 1-255 visible ASCII characters",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(lines: Vec<(&str, i64, i64)>) -> RawOrder {
        RawOrder {
            name: Some(" 김유저 ".into()),
            phone: Some("0101234-5678".into()),
            address: Some("서울 강남구 101호".into()),
            use_point: Some(1000),
            lines: Some(
                lines
                    .into_iter()
                    .map(|(p, s, q)| (Some(p.into()), Some(s), Some(q)))
                    .collect(),
            ),
        }
    }

    #[test]
    fn a_valid_order_parses_and_sorts_for_locking() {
        let order =
            OrderRequest::parse(raw(vec![("p2", 3, 1), ("p1", 4, 2), ("p1", 2, 1)])).unwrap();
        assert_eq!(order.name, "김유저");
        let locked: Vec<(&str, i32)> = order
            .lock_order()
            .iter()
            .map(|l| (l.product_id.as_str(), l.size_id))
            .collect();
        assert_eq!(locked, [("p1", 2), ("p1", 4), ("p2", 3)]);
        assert_eq!(order.lines[0].product_id, "p2", "request order is kept");
    }

    #[test]
    fn line_rules() {
        let dup = OrderRequest::parse(raw(vec![("p1", 3, 1), ("p1", 3, 2)])).unwrap_err();
        assert_eq!(dup.to_string(), DUPLICATE_LINE);
        for bad in [
            vec![],
            vec![("p1", 7, 1)],
            vec![("p1", 3, 0)],
            vec![("", 3, 1)],
            vec![("p1", 1, 1_000_001)],
        ] {
            assert!(OrderRequest::parse(raw(bad.clone())).is_err(), "{bad:?}");
        }
        let many: Vec<(&str, i64, i64)> = (0..101).map(|_| ("p", 1, 1)).collect();
        assert!(OrderRequest::parse(raw(many)).is_err());
        let mut r = raw(vec![("p1", 3, 1)]);
        r.phone = Some("010-1234-5678x".into());
        r.use_point = Some(-1);
        let err = OrderRequest::parse(r).unwrap_err().to_string();
        assert!(err.contains("phone:") && err.contains("usePoint:"), "{err}");
    }

    #[test]
    fn the_hash_ignores_spelling_but_not_content() {
        let a = OrderRequest::parse(raw(vec![("p1", 3, 1)])).unwrap();
        let mut spaced = raw(vec![("p1", 3, 1)]);
        spaced.name = Some("김유저".into());
        assert_eq!(a.hash(), OrderRequest::parse(spaced).unwrap().hash());
        assert_ne!(
            a.hash(),
            OrderRequest::parse(raw(vec![("p1", 3, 2)])).unwrap().hash()
        );
        assert_eq!(a.hash().len(), 64);
    }

    #[test]
    fn idempotency_keys_are_visible_ascii() {
        assert_eq!(
            idempotency_key(Some("7f3c2a9e-order-1"))
                .unwrap()
                .as_deref(),
            Some("7f3c2a9e-order-1")
        );
        assert_eq!(idempotency_key(None).unwrap(), None);
        for bad in ["", "has space", "한글", &"k".repeat(256)] {
            assert!(idempotency_key(Some(bad)).is_err(), "{bad}");
        }
    }
}
