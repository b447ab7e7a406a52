//! The product list query (spec §5).

use kernel::paging::PageRequest;
use kernel::{DomainResult, Violations};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProductSort {
    #[default]
    Recent,
    LowPrice,
    HighPrice,
    MostReviewed,
    HighRating,
    SalesRanking,
}

impl ProductSort {
    /// Absent, empty or unknown values mean `recent`, never an error.
    pub fn parse(value: Option<&str>) -> Self {
        match value.map(str::trim) {
            Some("lowPrice") => Self::LowPrice,
            Some("highPrice") => Self::HighPrice,
            Some("mostReviewed") => Self::MostReviewed,
            Some("highRating") => Self::HighRating,
            Some("salesRanking") => Self::SalesRanking,
            _ => Self::Recent,
        }
    }
}

/// The raw query parameters, as strings.
#[derive(Debug, Default, Clone)]
pub struct RawProductQuery {
    pub page: Option<String>,
    pub page_size: Option<String>,
    pub sort: Option<String>,
    pub search: Option<String>,
    pub category_name: Option<String>,
    pub price_min: Option<String>,
    pub price_max: Option<String>,
    pub size: Option<String>,
    pub favorite_store: Option<String>,
}

/// A validated product query; empty values are already "not given".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductQuery {
    pub page: PageRequest,
    pub sort: ProductSort,
    pub search: Option<String>,
    /// Lower-cased.
    pub category_name: Option<String>,
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
    /// A size name, upper-cased.
    pub size: Option<String>,
    pub store_id: Option<String>,
}

fn given(value: &Option<String>) -> Option<String> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

impl ProductQuery {
    pub fn parse(raw: &RawProductQuery) -> DomainResult<Self> {
        let page = PageRequest::parse(
            raw.page.as_deref(),
            raw.page_size.as_deref(),
            16,
            "pageSize",
        );
        let mut v = Violations::new();
        let mut bound = |field: &str, raw: &Option<String>| match given(raw) {
            None => None,
            Some(text) => match text.parse::<i64>() {
                // 0 means "no bound" (C5).
                Ok(0) => None,
                Ok(n) if n > 0 => Some(n),
                Ok(_) => {
                    v.add(field, "must not be negative");
                    None
                }
                Err(_) => {
                    v.add(field, "must be an integer");
                    None
                }
            },
        };
        let price_min = bound("priceMin", &raw.price_min);
        let price_max = bound("priceMax", &raw.price_max);
        let page = match (page, v.finish()) {
            (Ok(page), Ok(())) => page,
            (Err(a), Err(b)) => return Err(kernel::DomainError::Invalid(format!("{a}; {b}"))),
            (Err(e), _) | (_, Err(e)) => return Err(e),
        };
        Ok(Self {
            page,
            sort: ProductSort::parse(raw.sort.as_deref()),
            search: given(&raw.search),
            category_name: given(&raw.category_name).map(|c| c.to_lowercase()),
            price_min,
            price_max,
            size: given(&raw.size).map(|s| s.to_uppercase()),
            store_id: given(&raw.favorite_store),
        })
    }
}

/// The query the store answers: sizes resolved to ids.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductSearch {
    pub page: PageRequest,
    pub sort: ProductSort,
    pub search: Option<String>,
    /// A lower-case category name; the store resolves it in the same statement as the page
    /// (one round trip fewer), and an unknown name matches nothing.
    pub category_name: Option<String>,
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
    pub size_id: Option<i32>,
    pub store_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(pairs: &[(&str, &str)]) -> RawProductQuery {
        let mut r = RawProductQuery::default();
        for (k, v) in pairs {
            let v = Some((*v).to_owned());
            match *k {
                "page" => r.page = v,
                "pageSize" => r.page_size = v,
                "sort" => r.sort = v,
                "search" => r.search = v,
                "categoryName" => r.category_name = v,
                "priceMin" => r.price_min = v,
                "priceMax" => r.price_max = v,
                "size" => r.size = v,
                "favoriteStore" => r.favorite_store = v,
                _ => unreachable!(),
            }
        }
        r
    }

    #[test]
    fn empty_values_are_not_filters() {
        let q = ProductQuery::parse(&raw(&[
            ("search", ""),
            ("priceMin", "0"),
            ("size", ""),
            ("favoriteStore", ""),
            ("categoryName", ""),
            ("sort", ""),
        ]))
        .unwrap();
        assert_eq!(q.search, None);
        assert_eq!(q.price_min, None);
        assert_eq!(q.size, None);
        assert_eq!(q.store_id, None);
        assert_eq!(q.category_name, None);
        assert_eq!(q.sort, ProductSort::Recent);
        assert_eq!(q.page, PageRequest::new(1, 16));
    }

    #[test]
    fn values_are_normalised_and_bad_numbers_refused() {
        let q = ProductQuery::parse(&raw(&[
            ("search", "  니트 "),
            ("categoryName", "TOP"),
            ("size", "Free"),
            ("sort", "bogus"),
            ("priceMax", "50000"),
        ]))
        .unwrap();
        assert_eq!(q.search.as_deref(), Some("니트"));
        assert_eq!(q.category_name.as_deref(), Some("top"));
        assert_eq!(q.size.as_deref(), Some("FREE"));
        assert_eq!(q.sort, ProductSort::Recent);
        assert_eq!(q.price_max, Some(50_000));
        for bad in [
            ("priceMin", "-1"),
            ("priceMax", "abc"),
            ("page", "0"),
            ("pageSize", "x"),
        ] {
            assert!(ProductQuery::parse(&raw(&[bad])).is_err(), "{bad:?}");
        }
        assert_eq!(
            ProductSort::parse(Some("highRating")),
            ProductSort::HighRating
        );
    }
}
