//! Lenient scalar input (spec §0.2): integers as integral JSON numbers or strings of an optional
//! `-` and decimal digits; booleans as `true`/`false` or those words in any case.

use serde_json::Value;

pub const NOT_AN_INTEGER: &str = "must be an integer";
pub const NOT_A_BOOLEAN: &str = "must be true or false";

/// `Ok(None)` for null.
pub fn integer(value: &Value) -> Result<Option<i64>, &'static str> {
    match value {
        Value::Null => Ok(None),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Ok(Some(i)),
            None => match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Some(f as i64)),
                _ => Err(NOT_AN_INTEGER),
            },
        },
        Value::String(s) => {
            let t = s.trim();
            let digits = t.strip_prefix('-').unwrap_or(t);
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                t.parse().map(Some).map_err(|_| "is out of range")
            } else {
                Err(NOT_AN_INTEGER)
            }
        }
        _ => Err(NOT_AN_INTEGER),
    }
}

/// `Ok(None)` for null.
pub fn boolean(value: &Value) -> Result<Option<bool>, &'static str> {
    match value {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Ok(Some(true)),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Ok(Some(false)),
        _ => Err(NOT_A_BOOLEAN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn integers() {
        assert_eq!(integer(&json!(3)), Ok(Some(3)));
        assert_eq!(integer(&json!(3.0)), Ok(Some(3)));
        assert_eq!(integer(&json!("-12")), Ok(Some(-12)));
        assert_eq!(integer(&json!(null)), Ok(None));
        for bad in [
            json!(3.5),
            json!("3a"),
            json!(true),
            json!("1e3"),
            json!(""),
            json!([1]),
        ] {
            assert!(integer(&bad).is_err(), "{bad}");
        }
        assert!(integer(&json!("99999999999999999999")).is_err());
    }

    #[test]
    fn booleans() {
        assert_eq!(boolean(&json!("TRUE")), Ok(Some(true)));
        assert_eq!(boolean(&json!(false)), Ok(Some(false)));
        assert!(boolean(&json!("yes")).is_err());
        assert!(boolean(&json!(1)).is_err());
    }
}
