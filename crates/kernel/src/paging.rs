//! Page parameters (spec §0.10): 1-based pages, sizes clamped to 100.

pub const MAX_PAGE_SIZE: i64 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: i64,
    pub size: i64,
}

impl PageRequest {
    /// Builds a page from already-validated positive integers, clamping the size.
    pub fn new(page: i64, size: i64) -> Self {
        Self {
            page: page.max(1),
            size: size.clamp(1, MAX_PAGE_SIZE),
        }
    }

    /// Parses the query values (§0.10): integers ≥ 1; an empty value means the default; a size
    /// above 100 is clamped. `size_field` names the size parameter in messages.
    pub fn parse(
        page: Option<&str>,
        size: Option<&str>,
        default_size: i64,
        size_field: &str,
    ) -> Result<Self, crate::DomainError> {
        let mut v = crate::Violations::new();
        let mut positive = |field: &str, raw: Option<&str>, default: i64| match raw.map(str::trim) {
            None | Some("") => default,
            Some(text) => match text.parse::<i64>() {
                Ok(n) if n >= 1 => n,
                Ok(_) => {
                    v.add(field, "must be at least 1");
                    default
                }
                Err(_) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => i64::MAX,
                Err(_) => {
                    v.add(field, "must be an integer");
                    default
                }
            },
        };
        let page = positive("page", page, 1);
        let size = positive(size_field, size, default_size);
        v.finish()?;
        Ok(Self::new(page, size))
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1).saturating_mul(self.size)
    }

    pub fn total_pages(&self, total: i64) -> i64 {
        if total <= 0 {
            0
        } else {
            (total + self.size - 1) / self.size
        }
    }

    pub fn has_next(&self, total: i64) -> bool {
        self.page.saturating_mul(self.size) < total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_query_values() {
        assert_eq!(
            PageRequest::parse(None, Some(""), 16, "pageSize").unwrap(),
            PageRequest::new(1, 16)
        );
        assert_eq!(
            PageRequest::parse(Some("2"), Some("500"), 16, "pageSize").unwrap(),
            PageRequest::new(2, 100)
        );
        for (page, size) in [
            (Some("0"), None),
            (Some("x"), None),
            (None, Some("-1")),
            (None, Some("1.5")),
        ] {
            assert!(
                PageRequest::parse(page, size, 10, "limit").is_err(),
                "{page:?} {size:?}"
            );
        }
        let absurd =
            PageRequest::parse(Some("99999999999999999999999"), None, 10, "limit").unwrap();
        assert_eq!(absurd.page, i64::MAX);
        assert!(absurd.offset() > 0);
    }

    #[test]
    fn clamps_and_computes() {
        let p = PageRequest::new(3, 500);
        assert_eq!(p.size, 100);
        assert_eq!(p.offset(), 200);
        assert_eq!(PageRequest::new(1, 3).total_pages(7), 3);
        assert_eq!(PageRequest::new(1, 3).total_pages(0), 0);
        assert!(PageRequest::new(2, 5).has_next(11));
        assert!(!PageRequest::new(3, 5).has_next(15));
    }
}
