//! Store field rules (spec §1.3 Store, E10, E11).

use kernel::{Violations, text};
use media::ImageInput;

/// `^\d{2,3}-?\d{3,4}-?\d{4}$` with ASCII digits.
pub fn is_phone_number(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |from: usize, len: usize| {
        b.len() >= from + len && b[from..from + len].iter().all(u8::is_ascii_digit)
    };
    for first in 2..=3 {
        for dash1 in [false, true] {
            for second in 3..=4 {
                for dash2 in [false, true] {
                    let mut i = 0;
                    if !digits(i, first) {
                        continue;
                    }
                    i += first;
                    if dash1 {
                        if b.get(i) != Some(&b'-') {
                            continue;
                        }
                        i += 1;
                    }
                    if !digits(i, second) {
                        continue;
                    }
                    i += second;
                    if dash2 {
                        if b.get(i) != Some(&b'-') {
                            continue;
                        }
                        i += 1;
                    }
                    if digits(i, 4) && i + 4 == b.len() {
                        return true;
                    }
                }
            }
        }
    }
    false
}

/// A store form as it arrives (E10 all required but detailAddress and image; E11 all optional).
#[derive(Debug, Default)]
pub struct StoreInput {
    pub name: Option<String>,
    pub address: Option<String>,
    pub detail_address: Option<String>,
    pub phone_number: Option<String>,
    pub content: Option<String>,
    pub image: Option<ImageInput>,
    pub remove_image: Option<bool>,
}

/// Validated text fields of a store form; `None` where the field was not given.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct StoreFields {
    pub name: Option<String>,
    pub address: Option<String>,
    pub detail_address: Option<String>,
    pub phone_number: Option<String>,
    pub content: Option<String>,
}

/// Checks the given fields; with `create`, the required ones must be present.
pub fn validate(input: &StoreInput, create: bool) -> Result<StoreFields, kernel::DomainError> {
    let mut v = Violations::new();
    let mut field =
        |name: &str, value: &Option<String>, min: usize, max: usize, required: bool| match value {
            Some(value) => v.take(text::bounded(name, value, min, max)),
            None => {
                if required {
                    v.add(name, "is required");
                }
                None
            }
        };
    let name = field("name", &input.name, 1, 50, create);
    let address = field("address", &input.address, 1, 200, create);
    let detail_address = field("detailAddress", &input.detail_address, 0, 200, false);
    let content = field("content", &input.content, 1, 2000, create);
    let phone_number = match &input.phone_number {
        Some(p) if is_phone_number(p.trim()) => Some(p.trim().to_owned()),
        Some(_) => {
            v.add("phoneNumber", "must look like 010-1234-5678");
            None
        }
        None => {
            if create {
                v.add("phoneNumber", "is required");
            }
            None
        }
    };
    v.finish()?;
    Ok(StoreFields {
        name,
        address,
        detail_address,
        phone_number,
        content,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_follow_the_pattern() {
        for ok in [
            "010-1234-5678",
            "01012345678",
            "02-123-4567",
            "0101234-5678",
            "031-1234-5678",
        ] {
            assert!(is_phone_number(ok), "{ok}");
        }
        for bad in [
            "",
            "010-12-5678",
            "0101-1234-5678",
            "010--1234-5678",
            "010-1234-56789",
            "abc-defg-hijk",
            "010 1234 5678",
            "٠١٠-١٢٣٤-٥٦٧٨",
        ] {
            assert!(!is_phone_number(bad), "{bad}");
        }
    }

    #[test]
    fn create_requires_fields_and_update_does_not() {
        let err = validate(&StoreInput::default(), true)
            .unwrap_err()
            .to_string();
        for f in ["name:", "address:", "phoneNumber:", "content:"] {
            assert!(err.contains(f), "{err}");
        }
        assert_eq!(
            validate(&StoreInput::default(), false).unwrap(),
            StoreFields::default()
        );
        let input = StoreInput {
            detail_address: Some(String::new()),
            name: Some(" 가게 ".into()),
            ..Default::default()
        };
        let fields = validate(&input, false).unwrap();
        assert_eq!(fields.detail_address.as_deref(), Some(""));
        assert_eq!(fields.name.as_deref(), Some("가게"));
    }
}
