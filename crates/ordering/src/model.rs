use catalog::pricing::Discount;
use kernel::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartSummary {
    pub id: String,
    pub buyer_id: String,
    pub quantity: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartLine {
    pub id: String,
    pub cart_id: String,
    pub product_id: String,
    pub size_id: i32,
    pub quantity: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderStatus {
    WaitingPayment,
    CompletedPayment,
    Shipped,
    Cancelled,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WaitingPayment => "WaitingPayment",
            Self::CompletedPayment => "CompletedPayment",
            Self::Shipped => "Shipped",
            Self::Cancelled => "Cancelled",
        }
    }

    pub fn parse_stored(s: &str) -> Option<Self> {
        [
            Self::WaitingPayment,
            Self::CompletedPayment,
            Self::Shipped,
            Self::Cancelled,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }

    /// E30's filter: case-insensitive, `_` ignored; `CompletedPayment` also matches shipped
    /// orders (C14). `Ok(None)` means any status.
    pub fn parse_filter(value: Option<&str>) -> kernel::DomainResult<Option<Vec<Self>>> {
        let Some(v) = kernel::text::given(value) else {
            return Ok(None);
        };
        let key: String = v
            .chars()
            .filter(|c| *c != '_')
            .collect::<String>()
            .to_ascii_lowercase();
        Ok(Some(match key.as_str() {
            "waitingpayment" => vec![Self::WaitingPayment],
            "completedpayment" => vec![Self::CompletedPayment, Self::Shipped],
            "shipped" => vec![Self::Shipped],
            "cancelled" | "canceled" => vec![Self::Cancelled],
            _ => {
                return Err(kernel::DomainError::invalid(
                    "status: must be WaitingPayment, CompletedPayment, Shipped or Cancelled",
                ));
            }
        }))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointReason {
    SpendOrder,
    EarnPurchase,
    RefundCancel,
    RevertCancel,
}

impl PointReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SpendOrder => "SPEND_ORDER",
            Self::EarnPurchase => "EARN_PURCHASE",
            Self::RefundCancel => "REFUND_CANCEL",
            Self::RevertCancel => "REVERT_CANCEL",
        }
    }
}

/// The review written for an order item, as the order list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewBrief {
    pub id: String,
    pub rating: i32,
    pub content: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderItem {
    pub id: String,
    pub price: i64,
    pub quantity: i32,
    pub product_id: Option<String>,
    pub product_name: String,
    pub product_image: String,
    pub is_reviewed: bool,
    pub size_id: i32,
    pub size_en: String,
    pub size_ko: String,
    pub review: Option<ReviewBrief>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub id: String,
    pub price: i64,
    pub status: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub id: String,
    pub buyer_id: Option<String>,
    pub name: String,
    pub phone_number: String,
    pub address: String,
    pub subtotal: i64,
    pub total_quantity: i64,
    pub use_point: i64,
    pub earned_point: i64,
    pub status: OrderStatus,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// In request order.
    pub items: Vec<OrderItem>,
    pub payment: Payment,
}

/// What an order line needs from its product and stock row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineInfo {
    pub product_id: String,
    pub product_name: String,
    pub product_image: String,
    pub store_id: String,
    pub seller_id: String,
    pub price: i64,
    pub discount: Discount,
    pub size_id: i32,
    pub size_name: String,
    pub size_en: String,
    pub size_ko: String,
    /// Whether the product has a stock row for this size.
    pub sold_in_size: bool,
}

#[derive(Debug, Clone)]
pub struct NewOrderItem {
    pub id: String,
    pub product_id: String,
    pub store_id: String,
    pub product_name: String,
    pub product_image: String,
    pub size_id: i32,
    pub size_en: String,
    pub size_ko: String,
    pub quantity: i32,
    pub price: i64,
    pub position: i32,
}

#[derive(Debug, Clone)]
pub struct NewOrder {
    pub id: String,
    pub buyer_id: String,
    pub name: String,
    pub phone_number: String,
    pub address: String,
    pub subtotal: i64,
    pub total_quantity: i64,
    pub use_point: i64,
    pub earned_point: i64,
    pub items: Vec<NewOrderItem>,
    pub payment_id: String,
    pub now: Timestamp,
}

/// The status of a new order and of its payment.
pub const PLACED: OrderStatus = OrderStatus::CompletedPayment;

impl NewOrder {
    /// The order as written: what reading it back would give, without the read (a new order
    /// has no review yet).
    pub fn placed(&self) -> Order {
        Order {
            id: self.id.clone(),
            buyer_id: Some(self.buyer_id.clone()),
            name: self.name.clone(),
            phone_number: self.phone_number.clone(),
            address: self.address.clone(),
            subtotal: self.subtotal,
            total_quantity: self.total_quantity,
            use_point: self.use_point,
            earned_point: self.earned_point,
            status: PLACED,
            created_at: self.now,
            updated_at: self.now,
            items: self
                .items
                .iter()
                .map(|i| OrderItem {
                    id: i.id.clone(),
                    price: i.price,
                    quantity: i.quantity,
                    product_id: Some(i.product_id.clone()),
                    product_name: i.product_name.clone(),
                    product_image: i.product_image.clone(),
                    is_reviewed: false,
                    size_id: i.size_id,
                    size_en: i.size_en.clone(),
                    size_ko: i.size_ko.clone(),
                    review: None,
                })
                .collect(),
            payment: Payment {
                id: self.payment_id.clone(),
                price: self.paid(),
                status: PLACED.as_str().to_owned(),
                created_at: self.now,
                updated_at: self.now,
            },
        }
    }

    /// What the payment charges: the subtotal less the points used.
    pub fn paid(&self) -> i64 {
        self.subtotal - self.use_point
    }
}

/// The order row a cancellation locks.
#[derive(Debug, Clone)]
pub struct LockedOrder {
    pub id: String,
    pub buyer_id: Option<String>,
    pub status: OrderStatus,
    pub use_point: i64,
    pub earned_point: i64,
    /// (productId if the product still exists, sizeId, quantity)
    pub items: Vec<(Option<String>, i32, i32)>,
}

#[derive(Debug, Clone, Default)]
pub struct RecipientChanges {
    pub name: Option<String>,
    pub phone_number: Option<String>,
    pub address: Option<String>,
}
