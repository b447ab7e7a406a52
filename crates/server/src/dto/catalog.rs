//! Store and product shapes (spec §2.0.1, §2.3, §2.4).

use super::fields::{Bool, Int, PatchInt, PatchText, StocksField};
use catalog::pricing::{Discount, rating};
use catalog::{FavoriteStore, ProductDetail, ProductSummary, SellerProduct, Store, StoreStats};
use kernel::Timestamp;
use kernel::time::format_ts;
use paperclip::actix::Apiv2Schema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct StoreResponse {
    pub id: String,
    pub name: String,
    pub user_id: String,
    pub address: String,
    pub detail_address: String,
    pub phone_number: String,
    pub content: String,
    pub image: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<Store> for StoreResponse {
    fn from(s: Store) -> Self {
        Self {
            id: s.id,
            name: s.name,
            user_id: s.user_id,
            address: s.address,
            detail_address: s.detail_address,
            phone_number: s.phone_number,
            content: s.content,
            image: s.image,
            created_at: format_ts(&s.created_at),
            updated_at: format_ts(&s.updated_at),
        }
    }
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct PublicStoreResponse {
    #[serde(flatten)]
    pub store: StoreResponse,
    pub favorite_count: i64,
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct MyStoreResponse {
    #[serde(flatten)]
    pub store: StoreResponse,
    pub product_count: i64,
    pub favorite_count: i64,
    pub month_favorite_count: i64,
    pub total_sold_count: i64,
}

impl MyStoreResponse {
    pub fn new(store: Store, stats: StoreStats) -> Self {
        Self {
            store: store.into(),
            product_count: stats.product_count,
            favorite_count: stats.favorite_count,
            month_favorite_count: stats.month_favorite_count,
            total_sold_count: stats.total_sold_count,
        }
    }
}

#[derive(Debug, Serialize, Apiv2Schema)]
pub struct FavoriteResponse {
    /// `register` or `delete`.
    #[serde(rename = "type")]
    pub change: String,
    pub store: StoreResponse,
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct FavoriteStoreResponse {
    pub store_id: String,
    pub user_id: String,
    pub created_at: String,
    pub store: StoreResponse,
}

impl From<FavoriteStore> for FavoriteStoreResponse {
    fn from(f: FavoriteStore) -> Self {
        Self {
            store_id: f.store.id.clone(),
            user_id: f.user_id,
            created_at: format_ts(&f.created_at),
            store: f.store.into(),
        }
    }
}

/// E10 / E11 body (JSON, or multipart with the file part `image`).
#[derive(Debug, Deserialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct StoreRequest {
    pub name: Option<String>,
    pub address: Option<String>,
    pub detail_address: Option<String>,
    /// Like `010-1234-5678`.
    pub phone_number: Option<String>,
    pub content: Option<String>,
    /// An absolute image URL (or, in multipart, a file part).
    pub image: Option<String>,
    /// E11: reset the image to the default when no new image is given.
    #[serde(default)]
    pub remove_image: Bool,
}

/// E17 / E20 body (JSON, or multipart with the file part `image` and `stocks` as a JSON string).
#[derive(Debug, Deserialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct ProductRequest {
    pub name: Option<String>,
    #[serde(default)]
    pub price: Int,
    /// One of the seven category names, case-insensitive.
    pub category_name: Option<String>,
    pub stocks: Option<StocksField>,
    /// HTML, stored as sent.
    pub content: Option<String>,
    /// 0..100.
    #[serde(default)]
    pub discount_rate: PatchInt,
    #[serde(default)]
    pub discount_start_time: PatchText,
    #[serde(default)]
    pub discount_end_time: PatchText,
    /// An absolute image URL (or, in multipart, a file part).
    pub image: Option<String>,
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct ProductListItem {
    pub id: String,
    pub store_id: String,
    pub store_name: String,
    pub name: String,
    pub image: String,
    pub price: i64,
    pub discount_price: i64,
    pub discount_rate: i32,
    pub discount_start_time: Option<String>,
    pub discount_end_time: Option<String>,
    pub reviews_count: i64,
    pub reviews_rating: f64,
    pub created_at: String,
    pub updated_at: String,
    pub sales: i64,
    pub is_sold_out: bool,
}

fn bound(t: &Option<Timestamp>) -> Option<String> {
    t.as_ref().map(format_ts)
}

impl ProductListItem {
    pub fn new(p: ProductSummary, now: Timestamp) -> Self {
        Self {
            discount_price: p.discount.price_at(p.price, now),
            discount_rate: p.discount.rate,
            discount_start_time: bound(&p.discount.start),
            discount_end_time: bound(&p.discount.end),
            reviews_count: p.reviews.count,
            reviews_rating: rating(p.reviews.sum, p.reviews.count),
            created_at: format_ts(&p.created_at),
            updated_at: format_ts(&p.updated_at),
            id: p.id,
            store_id: p.store_id,
            store_name: p.store_name,
            name: p.name,
            image: p.image,
            price: p.price,
            sales: p.sales,
            is_sold_out: p.is_sold_out,
        }
    }
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct ProductListResponse {
    pub list: Vec<ProductListItem>,
    pub total_count: i64,
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct ReviewSummary {
    pub rate1_length: i64,
    pub rate2_length: i64,
    pub rate3_length: i64,
    pub rate4_length: i64,
    pub rate5_length: i64,
    /// The average rating (not a sum), as `reviewsRating`.
    pub sum_score: f64,
}

#[derive(Debug, Serialize, Apiv2Schema)]
pub struct CategoryRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize, Apiv2Schema)]
pub struct SizeRef {
    pub id: i32,
    pub name: String,
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct ProductStock {
    pub id: String,
    pub product_id: String,
    pub quantity: i32,
    pub size: SizeRef,
}

#[derive(Debug, Serialize, Apiv2Schema)]
pub struct UserRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct InquiryReplyResponse {
    pub id: String,
    pub content: String,
    pub created_at: String,
    pub updated_at: String,
    pub user: UserRef,
}

/// An inquiry as the product detail and E23 show it, masked per viewer.
#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct ProductInquiryResponse {
    pub id: String,
    pub user_id: String,
    pub product_id: String,
    pub title: String,
    pub content: String,
    /// `WaitingAnswer` or `CompletedAnswer`.
    pub status: String,
    pub is_secret: bool,
    pub created_at: String,
    pub updated_at: String,
    pub user: UserRef,
    pub reply: Option<InquiryReplyResponse>,
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct ProductDetailResponse {
    pub id: String,
    pub name: String,
    pub image: String,
    pub content: String,
    pub created_at: String,
    pub updated_at: String,
    pub store_id: String,
    pub store_name: String,
    pub price: i64,
    pub discount_price: i64,
    pub discount_rate: i32,
    pub discount_start_time: Option<String>,
    pub discount_end_time: Option<String>,
    pub reviews_rating: f64,
    pub reviews_count: i64,
    pub reviews: ReviewSummary,
    /// All inquiries, newest first, secret ones masked for this viewer.
    pub inquiries: Vec<ProductInquiryResponse>,
    pub category: CategoryRef,
    /// Ascending size id.
    pub stocks: Vec<ProductStock>,
    pub sales: i64,
    pub is_sold_out: bool,
}

impl ProductDetailResponse {
    pub fn new(d: ProductDetail, inquiries: Vec<ProductInquiryResponse>, now: Timestamp) -> Self {
        let p = d.summary;
        let rating = rating(p.reviews.sum, p.reviews.count);
        let [r1, r2, r3, r4, r5] = p.reviews.by_rating;
        Self {
            discount_price: p.discount.price_at(p.price, now),
            discount_rate: p.discount.rate,
            discount_start_time: bound(&p.discount.start),
            discount_end_time: bound(&p.discount.end),
            reviews_rating: rating,
            reviews_count: p.reviews.count,
            reviews: ReviewSummary {
                rate1_length: r1,
                rate2_length: r2,
                rate3_length: r3,
                rate4_length: r4,
                rate5_length: r5,
                sum_score: rating,
            },
            inquiries,
            category: CategoryRef {
                id: d.category.id,
                name: d.category.name,
            },
            stocks: d
                .stocks
                .into_iter()
                .map(|s| ProductStock {
                    id: s.id,
                    product_id: s.product_id,
                    quantity: s.quantity,
                    size: SizeRef {
                        id: s.size_id,
                        name: s.size_name,
                    },
                })
                .collect(),
            created_at: format_ts(&p.created_at),
            updated_at: format_ts(&p.updated_at),
            content: d.content,
            id: p.id,
            name: p.name,
            image: p.image,
            store_id: p.store_id,
            store_name: p.store_name,
            price: p.price,
            sales: p.sales,
            is_sold_out: p.is_sold_out,
        }
    }
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct SellerProductResponse {
    pub id: String,
    pub image: String,
    pub name: String,
    pub price: i64,
    /// Σ quantity over all sizes.
    pub stock: i64,
    /// Whether the discount is active now.
    pub is_discount: bool,
    pub created_at: String,
    pub is_sold_out: bool,
}

impl SellerProductResponse {
    pub fn new(p: SellerProduct, now: Timestamp) -> Self {
        Self {
            is_discount: Discount::is_active(&p.discount, now),
            is_sold_out: p.stock == 0,
            created_at: format_ts(&p.created_at),
            id: p.id,
            image: p.image,
            name: p.name,
            price: p.price,
            stock: p.stock,
        }
    }
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct SellerProductListResponse {
    pub list: Vec<SellerProductResponse>,
    pub total_count: i64,
}

/// E18 query parameters. Empty values mean "not given".
#[derive(Debug, Deserialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct ProductListQuery {
    pub page: Option<String>,
    pub page_size: Option<String>,
    /// recent (default), lowPrice, highPrice, mostReviewed, highRating, salesRanking
    pub sort: Option<String>,
    pub search: Option<String>,
    pub category_name: Option<String>,
    pub price_min: Option<String>,
    pub price_max: Option<String>,
    /// A size name such as `M` or `Free`.
    pub size: Option<String>,
    /// A store id.
    pub favorite_store: Option<String>,
}

/// `page` and `pageSize`.
#[derive(Debug, Deserialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct PageQuery {
    pub page: Option<String>,
    pub page_size: Option<String>,
}
