//! Entity ids: opaque, URL-safe, at most 64 characters (spec §0.7).

/// A new entity id: a UUIDv7 in simple form, so ids sort roughly by creation time.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

/// Whether a path id could be one of ours. Malformed ids are answered with 404, like unknown ones,
/// so this only lets callers skip a database round trip.
pub fn is_well_formed(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// `n` random characters from `[a-z0-9]`.
pub fn random_suffix(n: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(n);
    while out.len() < n {
        for b in uuid::Uuid::new_v4().as_bytes() {
            // 252 = 7 * 36: reject the tail so every character is equally likely.
            if *b < 252 && out.len() < n {
                out.push(ALPHABET[(*b % 36) as usize] as char);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_url_safe_and_short() {
        let id = new_id();
        assert!(is_well_formed(&id));
        assert_eq!(id.len(), 32);
        assert_ne!(id, new_id());
    }

    #[test]
    fn malformed_ids_are_recognised() {
        assert!(!is_well_formed(""));
        assert!(!is_well_formed("a/b"));
        assert!(!is_well_formed("' OR 1=1 --"));
        assert!(!is_well_formed(&"a".repeat(65)));
        assert!(is_well_formed("grade_green"));
    }

    #[test]
    fn suffix_has_requested_length_and_alphabet() {
        let s = random_suffix(8);
        assert_eq!(s.len(), 8);
        assert!(
            s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        );
    }
}
