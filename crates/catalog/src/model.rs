//! What the catalog stores and shows.

use crate::pricing::Discount;
use kernel::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Store {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub address: String,
    pub detail_address: String,
    pub phone_number: String,
    pub content: String,
    pub image: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// The counts of `GET /api/stores/detail/my` (§4.11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StoreStats {
    pub product_count: i64,
    pub favorite_count: i64,
    pub month_favorite_count: i64,
    pub total_sold_count: i64,
}

#[derive(Debug, Clone)]
pub struct NewStore {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub address: String,
    pub detail_address: String,
    pub phone_number: String,
    pub content: String,
    pub image: String,
    pub now: Timestamp,
}

#[derive(Debug, Clone, Default)]
pub struct StoreChanges {
    pub name: Option<String>,
    pub address: Option<String>,
    pub detail_address: Option<String>,
    pub phone_number: Option<String>,
    pub content: Option<String>,
    pub image: Option<String>,
}

#[derive(Debug, Clone)]
pub struct FavoriteStore {
    pub user_id: String,
    pub created_at: Timestamp,
    pub store: Store,
}

/// A favourite call's answer: `{ type, store }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FavoriteChange {
    Register,
    Delete,
}

impl FavoriteChange {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::Delete => "delete",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StockLine {
    pub size_id: i32,
    pub quantity: i32,
}

/// A stock row with its size, as the product detail shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stock {
    pub id: String,
    pub product_id: String,
    pub size_id: i32,
    pub size_name: String,
    pub quantity: i32,
}

/// Review aggregates kept on the product row (§4.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReviewStats {
    pub count: i64,
    pub sum: i64,
    /// Reviews with rating 1..=5, in that order.
    pub by_rating: [i64; 5],
}

/// A product as stored, with its store name and review aggregates.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductSummary {
    pub id: String,
    pub store_id: String,
    pub store_name: String,
    pub name: String,
    pub image: String,
    pub price: i64,
    pub discount: Discount,
    pub sales: i64,
    pub reviews: ReviewStats,
    pub is_sold_out: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// Everything the product detail shows.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductDetail {
    pub summary: ProductSummary,
    pub owner_id: String,
    pub content: String,
    pub category: crate::Category,
    /// Ascending size id.
    pub stocks: Vec<Stock>,
}

#[derive(Debug, Clone)]
pub struct NewProduct {
    pub id: String,
    pub store_id: String,
    pub category_id: String,
    pub name: String,
    pub content: String,
    pub image: String,
    pub price: i64,
    pub discount: Discount,
    pub stocks: Vec<StockLine>,
    pub now: Timestamp,
}

#[derive(Debug, Clone, Default)]
pub struct ProductChanges {
    pub category_id: Option<String>,
    pub name: Option<String>,
    pub content: Option<String>,
    pub image: Option<String>,
    pub price: Option<i64>,
    /// The whole discount after merging (always written when the request touched it).
    pub discount: Option<Discount>,
    /// Replaces the stock list when given.
    pub stocks: Option<Vec<StockLine>>,
}

/// `SellerProductItem` (E14).
#[derive(Debug, Clone, PartialEq)]
pub struct SellerProduct {
    pub id: String,
    pub image: String,
    pub name: String,
    pub price: i64,
    pub stock: i64,
    pub discount: Discount,
    pub created_at: Timestamp,
}

/// A size that an edit took from > 0 to 0, with the buyers whose cart holds it (N5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoldOut {
    pub product_id: String,
    pub product_name: String,
    pub size_id: i32,
    pub size_name: String,
    pub cart_holders: Vec<String>,
}
