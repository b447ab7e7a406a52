//! Cart and order shapes (spec §2.0.1, §2.6, §2.7).

use super::SizeResponse;
use super::catalog::StoreResponse;
use super::fields::Int;
use catalog::pricing::rating;
use catalog::{ProductDetail, Store};
use kernel::Timestamp;
use kernel::time::format_ts;
use ordering::{CartLine, CartSummary, Order};
use paperclip::actix::Apiv2Schema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct CartSummaryResponse {
    pub id: String,
    pub buyer_id: String,
    pub quantity: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<CartSummary> for CartSummaryResponse {
    fn from(c: CartSummary) -> Self {
        Self {
            created_at: format_ts(&c.created_at),
            updated_at: format_ts(&c.updated_at),
            id: c.id,
            buyer_id: c.buyer_id,
            quantity: c.quantity,
        }
    }
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct CartItemRowResponse {
    pub id: String,
    pub cart_id: String,
    pub product_id: String,
    pub size_id: i32,
    pub quantity: i32,
    pub created_at: String,
    pub updated_at: String,
}

impl From<CartLine> for CartItemRowResponse {
    fn from(l: CartLine) -> Self {
        Self {
            created_at: format_ts(&l.created_at),
            updated_at: format_ts(&l.updated_at),
            id: l.id,
            cart_id: l.cart_id,
            product_id: l.product_id,
            size_id: l.size_id,
            quantity: l.quantity,
        }
    }
}

#[derive(Debug, Clone, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct CartStockResponse {
    pub id: String,
    pub product_id: String,
    pub size_id: i32,
    pub quantity: i32,
    pub size: SizeResponse,
}

#[derive(Debug, Clone, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct CartProductResponse {
    pub id: String,
    pub store_id: String,
    pub name: String,
    pub image: String,
    pub content: String,
    pub price: i64,
    pub discount_price: i64,
    pub discount_rate: i32,
    pub discount_start_time: Option<String>,
    pub discount_end_time: Option<String>,
    pub is_sold_out: bool,
    pub reviews_rating: f64,
    pub reviews_count: i64,
    pub category_id: String,
    pub created_at: String,
    pub updated_at: String,
    pub store: StoreResponse,
    /// Ascending size id.
    pub stocks: Vec<CartStockResponse>,
}

impl CartProductResponse {
    pub fn new(d: ProductDetail, store: Store, sizes: &[catalog::Size], now: Timestamp) -> Self {
        let p = d.summary;
        Self {
            discount_price: p.discount.price_at(p.price, now),
            discount_rate: p.discount.rate,
            discount_start_time: p.discount.start.as_ref().map(format_ts),
            discount_end_time: p.discount.end.as_ref().map(format_ts),
            reviews_rating: rating(p.reviews.sum, p.reviews.count),
            reviews_count: p.reviews.count,
            category_id: d.category.id,
            created_at: format_ts(&p.created_at),
            updated_at: format_ts(&p.updated_at),
            store: store.into(),
            stocks: d
                .stocks
                .into_iter()
                .filter_map(|s| {
                    let size = sizes.iter().find(|z| z.id == s.size_id)?.clone();
                    Some(CartStockResponse {
                        id: s.id,
                        product_id: s.product_id,
                        size_id: s.size_id,
                        quantity: s.quantity,
                        size: size.into(),
                    })
                })
                .collect(),
            content: d.content,
            id: p.id,
            store_id: p.store_id,
            name: p.name,
            image: p.image,
            price: p.price,
            is_sold_out: p.is_sold_out,
        }
    }
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct CartItemResponse {
    #[serde(flatten)]
    pub line: CartItemRowResponse,
    pub product: CartProductResponse,
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct CartResponse {
    #[serde(flatten)]
    pub cart: CartSummaryResponse,
    /// Oldest first.
    pub items: Vec<CartItemResponse>,
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct CartItemDetailResponse {
    #[serde(flatten)]
    pub item: CartItemResponse,
    pub cart: CartSummaryResponse,
}

#[derive(Debug, Deserialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct CartSizeRequest {
    /// 1..6
    #[serde(default)]
    pub size_id: Int,
    /// At least 1; the absolute quantity of the line.
    #[serde(default)]
    pub quantity: Int,
}

/// E26 body.
#[derive(Debug, Deserialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct CartPatchRequest {
    pub product_id: Option<String>,
    pub sizes: Option<Vec<CartSizeRequest>>,
}

#[derive(Debug, Deserialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct OrderLineRequest {
    pub product_id: Option<String>,
    #[serde(default)]
    pub size_id: Int,
    #[serde(default)]
    pub quantity: Int,
}

/// E29 body. `phoneNumber` is an alias of `phone`; `phone` wins.
#[derive(Debug, Deserialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct OrderRequestBody {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub phone_number: Option<String>,
    pub address: Option<String>,
    #[serde(default)]
    pub use_point: Int,
    pub order_items: Option<Vec<OrderLineRequest>>,
}

/// E32 body.
#[derive(Debug, Deserialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct OrderPatchBody {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub phone_number: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct OrderReviewResponse {
    pub id: String,
    pub rating: i32,
    pub content: String,
    pub created_at: String,
}

#[derive(Debug, Serialize, Apiv2Schema)]
pub struct OrderProductResponse {
    pub id: Option<String>,
    pub name: String,
    pub image: String,
    /// The review of this order item, if any (0 or 1 entry).
    pub reviews: Vec<OrderReviewResponse>,
}

#[derive(Debug, Clone, Serialize, Apiv2Schema)]
pub struct SizeNamesRef {
    pub en: String,
    pub ko: String,
}

#[derive(Debug, Serialize, Apiv2Schema)]
pub struct OrderSizeResponse {
    pub id: i32,
    pub size: SizeNamesRef,
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct OrderItemResponse {
    pub id: String,
    pub price: i64,
    pub quantity: i32,
    pub product_id: Option<String>,
    pub is_reviewed: bool,
    pub product: OrderProductResponse,
    pub size: OrderSizeResponse,
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct PaymentResponse {
    pub id: String,
    pub price: i64,
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
    pub order_id: String,
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct OrderResponse {
    pub id: String,
    pub name: String,
    pub phone_number: String,
    pub address: String,
    pub subtotal: i64,
    pub total_quantity: i64,
    pub use_point: i64,
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
    /// In request order.
    pub order_items: Vec<OrderItemResponse>,
    pub payments: PaymentResponse,
}

impl From<Order> for OrderResponse {
    fn from(o: Order) -> Self {
        Self {
            payments: PaymentResponse {
                id: o.payment.id,
                price: o.payment.price,
                status: o.payment.status,
                created_at: format_ts(&o.payment.created_at),
                updated_at: format_ts(&o.payment.updated_at),
                order_id: o.id.clone(),
            },
            order_items: o
                .items
                .into_iter()
                .map(|i| OrderItemResponse {
                    product: OrderProductResponse {
                        id: i.product_id.clone(),
                        name: i.product_name,
                        image: i.product_image,
                        reviews: i
                            .review
                            .into_iter()
                            .map(|r| OrderReviewResponse {
                                id: r.id,
                                rating: r.rating,
                                content: r.content,
                                created_at: format_ts(&r.created_at),
                            })
                            .collect(),
                    },
                    size: OrderSizeResponse {
                        id: i.size_id,
                        size: SizeNamesRef {
                            en: i.size_en,
                            ko: i.size_ko,
                        },
                    },
                    id: i.id,
                    price: i.price,
                    quantity: i.quantity,
                    product_id: i.product_id,
                    is_reviewed: i.is_reviewed,
                })
                .collect(),
            status: o.status.as_str().to_owned(),
            created_at: format_ts(&o.created_at),
            updated_at: format_ts(&o.updated_at),
            id: o.id,
            name: o.name,
            phone_number: o.phone_number,
            address: o.address,
            subtotal: o.subtotal,
            total_quantity: o.total_quantity,
            use_point: o.use_point,
        }
    }
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct OrderListMeta {
    pub total: i64,
    pub page: i64,
    pub limit: i64,
    pub total_pages: i64,
}

#[derive(Debug, Serialize, Apiv2Schema)]
pub struct OrderListResponse {
    pub data: Vec<OrderResponse>,
    pub meta: OrderListMeta,
}

/// E30 query.
#[derive(Debug, Deserialize, Apiv2Schema)]
pub struct OrdersQuery {
    pub page: Option<String>,
    pub limit: Option<String>,
    /// WaitingPayment, CompletedPayment (paid, shipped included), Shipped or Cancelled.
    pub status: Option<String>,
}
