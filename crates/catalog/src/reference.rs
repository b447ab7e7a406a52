use kernel::{DomainError, DomainResult};
use serde::Serialize;
use std::future::Future;

pub const CATEGORY_NOT_FOUND: &str = "존재하지 않는 카테고리입니다.";

/// `SizeFull` of the contract: `{ id, name, size: { en, ko } }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Size {
    pub id: i32,
    pub name: String,
    pub size: SizeLabel,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SizeLabel {
    pub en: String,
    pub ko: String,
}

/// `{ id, name }` with the name lower-case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Category {
    pub id: String,
    pub name: String,
}

/// Read access to the seeded size and category tables.
pub trait ReferenceData: Send + Sync {
    /// All sizes, ascending id.
    fn sizes(&self) -> impl Future<Output = DomainResult<Vec<Size>>> + Send;
    /// The category whose name equals `lower_name` (already lower-cased).
    fn category_by_name(
        &self,
        lower_name: &str,
    ) -> impl Future<Output = DomainResult<Option<Category>>> + Send;
}

/// Use cases behind E52 and E53.
pub struct Reference<R> {
    data: R,
}

impl<R: ReferenceData> Reference<R> {
    pub fn new(data: R) -> Self {
        Self { data }
    }

    pub async fn sizes(&self) -> DomainResult<Vec<Size>> {
        self.data.sizes().await
    }

    /// Names are matched case-insensitively (§1.2).
    pub async fn category(&self, name: &str) -> DomainResult<Category> {
        let wanted = name.trim().to_lowercase();
        self.data
            .category_by_name(&wanted)
            .await?
            .ok_or_else(|| DomainError::NotFound(CATEGORY_NOT_FOUND.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernel::testing::block_on;

    struct Fixed;

    impl ReferenceData for Fixed {
        async fn sizes(&self) -> DomainResult<Vec<Size>> {
            Ok(vec![])
        }
        async fn category_by_name(&self, lower: &str) -> DomainResult<Option<Category>> {
            Ok((lower == "top").then(|| Category {
                id: "cat_top".into(),
                name: "top".into(),
            }))
        }
    }

    #[test]
    fn category_lookup_ignores_case() {
        let r = Reference::new(Fixed);
        assert_eq!(block_on(r.category("TOP")).unwrap().id, "cat_top");
        assert!(matches!(
            block_on(r.category("hats")),
            Err(DomainError::NotFound(m)) if m == CATEGORY_NOT_FOUND
        ));
    }
}
