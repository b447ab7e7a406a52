//! Review and dashboard shapes (spec §2.8, §2.11).

use super::catalog::UserRef;
use super::fields::Int;
use super::ordering::SizeNamesRef;
use community::{Review, ReviewDetail};
use insights::{Dashboard, Period};
use kernel::time::format_ts;
use paperclip::actix::Apiv2Schema;
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct ReviewResponse {
    pub id: String,
    pub user_id: String,
    pub product_id: Option<String>,
    pub order_item_id: String,
    pub rating: i32,
    pub content: String,
    pub created_at: String,
    pub updated_at: String,
}

impl From<Review> for ReviewResponse {
    fn from(r: Review) -> Self {
        Self {
            created_at: format_ts(&r.created_at),
            updated_at: format_ts(&r.updated_at),
            id: r.id,
            user_id: r.user_id,
            product_id: r.product_id,
            order_item_id: r.order_item_id,
            rating: r.rating,
            content: r.content,
        }
    }
}

#[derive(Debug, Serialize, Apiv2Schema)]
pub struct ReviewListItem {
    #[serde(flatten)]
    pub review: ReviewResponse,
    pub user: UserRef,
}

impl From<Review> for ReviewListItem {
    fn from(r: Review) -> Self {
        Self {
            user: UserRef {
                id: r.user_id.clone(),
                name: r.user_name.clone(),
            },
            review: r.into(),
        }
    }
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct ReviewListMeta {
    pub total: i64,
    pub page: i64,
    pub limit: i64,
    pub has_next_page: bool,
}

#[derive(Debug, Serialize, Apiv2Schema)]
pub struct ReviewListResponse {
    pub items: Vec<ReviewListItem>,
    pub meta: ReviewListMeta,
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct ReviewDetailResponse {
    pub review_id: String,
    pub product_name: String,
    pub size: SizeNamesRef,
    pub price: i64,
    pub quantity: i32,
    pub rating: i32,
    pub content: String,
    /// The author's name.
    pub reviewer: String,
    pub review_created_at: String,
    /// The order's creation time.
    pub purchased_at: String,
}

impl From<ReviewDetail> for ReviewDetailResponse {
    fn from(d: ReviewDetail) -> Self {
        Self {
            review_id: d.review.id,
            product_name: d.product_name,
            size: SizeNamesRef {
                en: d.size_en,
                ko: d.size_ko,
            },
            price: d.price,
            quantity: d.quantity,
            rating: d.review.rating,
            content: d.review.content,
            reviewer: d.review.user_name,
            review_created_at: format_ts(&d.review.created_at),
            purchased_at: format_ts(&d.purchased_at),
        }
    }
}

/// E34 body.
#[derive(Debug, Deserialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct ReviewRequest {
    pub order_item_id: Option<String>,
    /// 1..5
    #[serde(default)]
    pub rating: Int,
    /// 10-500 characters.
    pub content: Option<String>,
}

/// E35 query.
#[derive(Debug, Deserialize, Apiv2Schema)]
pub struct ReviewQuery {
    pub page: Option<String>,
    pub limit: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct Figures {
    pub total_orders: i64,
    pub total_sales: i64,
}

#[derive(Debug, Clone, Copy, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct Rates {
    pub total_orders: f64,
    pub total_sales: f64,
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct PeriodResponse {
    pub current: Figures,
    pub previous: Figures,
    pub change_rate: Rates,
    /// Identical to `changeRate`, for older web clients (C1).
    pub chage_rate: Rates,
}

impl From<Period> for PeriodResponse {
    fn from(p: Period) -> Self {
        let rates = Rates {
            total_orders: p.orders_rate,
            total_sales: p.sales_rate,
        };
        Self {
            current: Figures {
                total_orders: p.current.orders,
                total_sales: p.current.sales,
            },
            previous: Figures {
                total_orders: p.previous.orders,
                total_sales: p.previous.sales,
            },
            change_rate: rates,
            chage_rate: rates,
        }
    }
}

#[derive(Debug, Clone, Serialize, Apiv2Schema)]
pub struct TopProductRef {
    pub id: String,
    pub name: String,
    pub price: i64,
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct TopSale {
    /// Units sold.
    pub total_orders: i64,
    pub product: TopProductRef,
    /// Identical to `product`, for older web clients (C1).
    pub prodcuts: TopProductRef,
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct PriceRange {
    pub price_range: String,
    pub total_sales: i64,
    pub percentage: f64,
}

#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct DashboardResponse {
    pub today: PeriodResponse,
    pub week: PeriodResponse,
    pub month: PeriodResponse,
    pub year: PeriodResponse,
    pub top_sales: Vec<TopSale>,
    pub price_range: Vec<PriceRange>,
}

impl From<Dashboard> for DashboardResponse {
    fn from(d: Dashboard) -> Self {
        Self {
            today: d.today.into(),
            week: d.week.into(),
            month: d.month.into(),
            year: d.year.into(),
            top_sales: d
                .top
                .into_iter()
                .map(|t| {
                    let product = TopProductRef {
                        id: t.id,
                        name: t.name,
                        price: t.price,
                    };
                    TopSale {
                        total_orders: t.sales,
                        prodcuts: product.clone(),
                        product,
                    }
                })
                .collect(),
            price_range: d
                .buckets
                .into_iter()
                .map(|(label, sales, pct)| PriceRange {
                    price_range: label.into(),
                    total_sales: sales,
                    percentage: pct,
                })
                .collect(),
        }
    }
}
