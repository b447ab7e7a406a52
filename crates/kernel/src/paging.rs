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
