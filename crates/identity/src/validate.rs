//! Field rules of accounts (spec §1.3 User, E4, E6).

use kernel::text;

pub fn name(value: &str) -> Result<String, (String, String)> {
    text::bounded("name", value, 1, 50)
}

/// Trimmed, lower-cased, syntactically valid, at most 254 characters.
pub fn email(value: &str) -> Result<String, (String, String)> {
    let normalised = value.trim().to_lowercase();
    let invalid = || {
        Err((
            "email".to_owned(),
            "must be a valid email address".to_owned(),
        ))
    };
    if normalised.is_empty() || text::char_len(&normalised) > 254 {
        return invalid();
    }
    let Some((local, domain)) = normalised.split_once('@') else {
        return invalid();
    };
    let labels_ok = domain.split('.').count() >= 2
        && domain
            .split('.')
            .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'));
    let chars_ok = |s: &str| {
        s.chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"<>()[]\\,;:\"@".contains(c))
    };
    if local.is_empty() || local.len() > 64 || !labels_ok || !chars_ok(local) || !chars_ok(domain) {
        return invalid();
    }
    Ok(normalised)
}

/// Passwords are not trimmed; 8–64 characters.
pub fn new_password(field: &str, value: &str) -> Result<String, (String, String)> {
    let len = text::char_len(value);
    if !(8..=64).contains(&len) {
        return Err((field.to_owned(), "must be 8-64 characters".to_owned()));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(email(" User@X.com ").unwrap(), "user@x.com");
        for bad in [
            "",
            "plain",
            "a@b",
            "@x.com",
            "a@.com",
            "a b@x.com",
            "a@x..com",
            "a@@x.com",
        ] {
            assert!(email(bad).is_err(), "{bad} accepted");
        }
        assert!(email(&format!("{}@x.com", "a".repeat(250))).is_err());
    }

    #[test]
    fn passwords_keep_spaces_and_count_characters() {
        assert_eq!(new_password("password", " 1234567").unwrap(), " 1234567");
        assert!(new_password("password", "1234567").is_err());
        assert!(new_password("password", &"가".repeat(64)).is_ok());
        assert!(new_password("password", &"a".repeat(65)).is_err());
    }
}
