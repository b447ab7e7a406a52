//! Text field rules shared by every entity (spec §0.2): trimmed, lengths in characters.

/// Number of Unicode scalar values, the unit of every length limit in the contract.
pub fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// A query value as the contract reads it: trimmed, and empty means "not given" (§0.2).
pub fn given(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// Trims and checks a required text field against `min..=max` characters.
pub fn bounded(
    field: &str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<String, (String, String)> {
    let trimmed = value.trim();
    let len = char_len(trimmed);
    if len < min || len > max {
        let problem = if min == 0 {
            format!("must be at most {max} characters")
        } else if min == max {
            format!("must be {min} characters")
        } else {
            format!("must be {min}-{max} characters")
        };
        return Err((field.to_owned(), problem));
    }
    Ok(trimmed.to_owned())
}

/// Whether `url` is an absolute http(s) URL of at most 2048 characters (spec §0.11).
pub fn is_absolute_http_url(url: &str) -> bool {
    if url.len() > 2048 || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(rest) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty() && !host.starts_with(':') && !host.contains('@')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_characters_not_bytes() {
        assert_eq!(char_len("데모구매자"), 5);
        assert!(bounded("name", "  가나  ", 1, 2).is_ok());
        assert_eq!(bounded("name", "   ", 1, 50).unwrap_err().0, "name");
        assert!(bounded("name", &"가".repeat(51), 1, 50).is_err());
    }

    #[test]
    fn absolute_urls_only() {
        assert!(is_absolute_http_url("https://cdn.example.com/a.png"));
        assert!(is_absolute_http_url(
            "http://localhost:3000/uploads/upload/1-abc.png"
        ));
        assert!(!is_absolute_http_url("/uploads/x.png"));
        assert!(!is_absolute_http_url("javascript:alert(1)"));
        assert!(!is_absolute_http_url("https://"));
        assert!(!is_absolute_http_url("https://a b"));
        assert!(!is_absolute_http_url(&format!(
            "https://x/{}",
            "a".repeat(2048)
        )));
    }
}
