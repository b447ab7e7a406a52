//! Reviews (spec §2.8, §4.7): one per order item, by its buyer, for paid or shipped orders.

use kernel::{DomainResult, Timestamp, Violations};

pub const REVIEW_ITEM_NOT_FOUND: &str = "주문 상품을 찾을 수 없습니다.";
pub const NOT_YOUR_PURCHASE: &str = "본인이 구매한 상품만 리뷰할 수 있습니다.";
pub const WRONG_PRODUCT: &str = "주문 상품과 리뷰 대상 상품이 일치하지 않습니다.";
pub const NOT_PAID: &str = "결제 완료된 주문만 리뷰할 수 있습니다.";
pub const ALREADY_REVIEWED: &str = "이미 리뷰를 작성했습니다.";
pub const REVIEW_NOT_FOUND: &str = "리뷰를 찾을 수 없습니다.";
pub const REVIEW_FORBIDDEN: &str = "리뷰에 대한 권한이 없습니다.";

/// §4.7: only the items of a paid (`CompletedPayment`) or `Shipped` order can be reviewed.
pub fn order_is_reviewable(order_status: &str) -> bool {
    matches!(order_status, "CompletedPayment" | "Shipped")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub id: String,
    pub user_id: String,
    pub user_name: String,
    pub product_id: Option<String>,
    pub order_item_id: String,
    pub rating: i32,
    pub content: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// E36's view: the review with its order item's snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewDetail {
    pub review: Review,
    pub product_name: String,
    pub size_en: String,
    pub size_ko: String,
    pub price: i64,
    pub quantity: i32,
    pub purchased_at: Timestamp,
}

/// What a review needs to know about the order item it is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewableItem {
    pub id: String,
    pub buyer_id: Option<String>,
    pub product_id: Option<String>,
    /// The order's status.
    pub order_status: String,
}

#[derive(Debug, Clone)]
pub struct NewReview {
    pub id: String,
    pub user_id: String,
    pub product_id: String,
    pub order_item_id: String,
    pub rating: i32,
    pub content: String,
    pub now: Timestamp,
}

/// Rating 1–5 and content 10–500 characters; `required` for a new review.
pub fn validate(
    rating: Option<i64>,
    content: Option<&str>,
    required: bool,
) -> DomainResult<(Option<i32>, Option<String>)> {
    let mut v = Violations::new();
    let rating = match rating {
        Some(r @ 1..=5) => Some(r as i32),
        Some(_) => {
            v.add("rating", "must be an integer 1-5");
            None
        }
        None => {
            if required {
                v.add("rating", "is required");
            }
            None
        }
    };
    let content = match content {
        Some(c) => v.take(kernel::text::bounded("content", c, 10, 500)),
        None => {
            if required {
                v.add("content", "is required");
            }
            None
        }
    };
    v.finish()?;
    Ok((rating, content))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_and_content_are_bounded() {
        assert_eq!(
            validate(Some(5), Some("아주 좋은 상품입니다"), true)
                .unwrap()
                .0,
            Some(5)
        );
        for (r, c) in [
            (Some(0), Some("열 글자 이상의 내용")),
            (Some(6), Some("열 글자 이상의 내용")),
            (Some(3), Some("짧음")),
            (None, None),
        ] {
            assert!(validate(r, c, true).is_err(), "{r:?} {c:?}");
        }
        assert_eq!(validate(None, None, false).unwrap(), (None, None));
        assert!(validate(None, Some(&"x".repeat(501)), false).is_err());
    }
}
