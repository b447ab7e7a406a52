//! Notifications (spec §4.8, §2.10): the kinds N1–N7 with their recipients' texts and
//! references, the de-duplication key, the per-user cursor, and the list/check use cases.
//!
//! A notification is written by the use case that causes it, inside that use case's own
//! transaction (the storage adapter's `emit`), and is delivered only after that commit.

use kernel::paging::PageRequest;
use kernel::{DomainError, DomainResult, Timestamp};
use std::future::Future;

pub const ALARM_NOT_FOUND: &str = "알림을 찾을 수 없습니다.";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    NewInquiry,
    InquiryAnswered,
    OutOfStockSeller,
    OutOfStockCart,
    OutOfStockOrder,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NewInquiry => "NEW_INQUIRY",
            Self::InquiryAnswered => "INQUIRY_ANSWERED",
            Self::OutOfStockSeller => "OUT_OF_STOCK_SELLER",
            Self::OutOfStockCart => "OUT_OF_STOCK_CART",
            Self::OutOfStockOrder => "OUT_OF_STOCK_ORDER",
        }
    }
}

/// A notification to write, with the references §4.8 stores for its kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    pub recipient: String,
    pub kind: Kind,
    pub content: String,
    pub product_id: Option<String>,
    pub size_id: Option<i32>,
    pub inquiry_id: Option<String>,
}

impl NewNotification {
    /// No new row while the recipient has an unread one with the same type and references.
    pub fn dedup_key(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.kind.as_str(),
            self.product_id.as_deref().unwrap_or(""),
            self.size_id.map(|s| s.to_string()).unwrap_or_default(),
            self.inquiry_id.as_deref().unwrap_or("")
        )
    }

    fn about_inquiry(
        recipient: &str,
        kind: Kind,
        content: String,
        product_id: &str,
        inquiry_id: &str,
    ) -> Self {
        Self {
            recipient: recipient.to_owned(),
            kind,
            content,
            product_id: Some(product_id.to_owned()),
            size_id: None,
            inquiry_id: Some(inquiry_id.to_owned()),
        }
    }

    fn about_stock(
        recipient: &str,
        kind: Kind,
        content: String,
        product_id: &str,
        size_id: i32,
    ) -> Self {
        Self {
            recipient: recipient.to_owned(),
            kind,
            content,
            product_id: Some(product_id.to_owned()),
            size_id: Some(size_id),
            inquiry_id: None,
        }
    }
}

/// What a notification is about: the product (current name) and, for stock events, the size.
#[derive(Debug, Clone, Copy)]
pub struct About<'a> {
    pub product_id: &'a str,
    pub product_name: &'a str,
}

/// N1: a new inquiry, to the product's seller unless the seller asked it.
pub fn new_inquiry(
    seller_id: &str,
    author_id: &str,
    about: About<'_>,
    inquiry_id: &str,
) -> Option<NewNotification> {
    (seller_id != author_id).then(|| {
        NewNotification::about_inquiry(
            seller_id,
            Kind::NewInquiry,
            format!("상품 \"{}\"에 새 문의가 도착했어요.", about.product_name),
            about.product_id,
            inquiry_id,
        )
    })
}

/// N2: a reply, to the inquiry's author unless the author replied.
pub fn inquiry_answered(
    author_id: &str,
    replier_id: &str,
    about: About<'_>,
    inquiry_id: &str,
) -> Option<NewNotification> {
    (author_id != replier_id).then(|| {
        NewNotification::about_inquiry(
            author_id,
            Kind::InquiryAnswered,
            format!("상품 \"{}\"의 문의에 답변이 달렸어요.", about.product_name),
            about.product_id,
            inquiry_id,
        )
    })
}

/// N3: an order sold out a size, to the product's seller.
pub fn sold_out_to_seller(
    seller_id: &str,
    about: About<'_>,
    size_id: i32,
    size_name: &str,
) -> NewNotification {
    NewNotification::about_stock(
        seller_id,
        Kind::OutOfStockSeller,
        format!(
            "상품 \"{}\"의 {size_name} 사이즈가 품절되었습니다.",
            about.product_name
        ),
        about.product_id,
        size_id,
    )
}

/// N4 / N5: a size in a buyer's cart sold out.
pub fn sold_out_in_cart(
    buyer_id: &str,
    about: About<'_>,
    size_id: i32,
    size_name: &str,
) -> NewNotification {
    NewNotification::about_stock(
        buyer_id,
        Kind::OutOfStockCart,
        format!(
            "장바구니에 담은 상품 \"{}\"의 {size_name} 사이즈가 품절되었습니다.",
            about.product_name
        ),
        about.product_id,
        size_id,
    )
}

/// N6: an order line failed for lack of stock, to the buyer.
pub fn order_failed_to_buyer(
    buyer_id: &str,
    about: About<'_>,
    size_id: i32,
    size_name: &str,
) -> NewNotification {
    NewNotification::about_stock(
        buyer_id,
        Kind::OutOfStockOrder,
        format!(
            "재고가 부족하여 상품 \"{}\"의 {size_name} 사이즈를 주문하지 못했습니다.",
            about.product_name
        ),
        about.product_id,
        size_id,
    )
}

/// N7: the same event, to the product's seller.
pub fn order_failed_to_seller(
    seller_id: &str,
    about: About<'_>,
    size_id: i32,
    size_name: &str,
) -> NewNotification {
    NewNotification::about_stock(
        seller_id,
        Kind::OutOfStockOrder,
        format!(
            "재고가 부족한 상품 \"{}\"의 {size_name} 사이즈 주문이 시도되었습니다.",
            about.product_name
        ),
        about.product_id,
        size_id,
    )
}

/// A stored notification: the `Alarm` of the contract plus its cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alarm {
    pub id: String,
    pub user_id: String,
    /// The per-recipient SSE cursor.
    pub seq: i64,
    pub content: String,
    pub is_checked: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    #[default]
    Recent,
    Oldest,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Filter {
    #[default]
    All,
    Unchecked,
    Checked,
}

/// E48's query; `page` is `None` for the bare-array form (C2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlarmQuery {
    pub page: Option<PageRequest>,
    pub sort: Sort,
    pub filter: Filter,
}

/// The most rows the bare-array form and a replay return.
pub const LIST_LIMIT: i64 = 100;

impl AlarmQuery {
    pub fn parse(
        page: Option<&str>,
        page_size: Option<&str>,
        sort: Option<&str>,
        filter: Option<&str>,
    ) -> DomainResult<Self> {
        use kernel::text::given;
        let mut v = kernel::Violations::new();
        let sort = match given(sort).map(str::to_ascii_lowercase).as_deref() {
            None | Some("recent") => Sort::Recent,
            Some("oldest") => Sort::Oldest,
            Some(_) => {
                v.add("sort", "must be recent or oldest");
                Sort::Recent
            }
        };
        let filter = match given(filter).map(str::to_ascii_lowercase).as_deref() {
            None | Some("all") => Filter::All,
            Some("unchecked") => Filter::Unchecked,
            Some("checked") => Filter::Checked,
            Some(_) => {
                v.add("filter", "must be all, unChecked or checked");
                Filter::All
            }
        };
        v.finish()?;
        let page = if given(page).is_none() && given(page_size).is_none() {
            None
        } else {
            Some(PageRequest::parse(page, page_size, 10, "pageSize")?)
        };
        Ok(Self { page, sort, filter })
    }
}

pub trait Alarms: Send + Sync {
    /// Matching alarms of the user and their total count.
    fn list(
        &self,
        user_id: &str,
        query: AlarmQuery,
    ) -> impl Future<Output = DomainResult<(Vec<Alarm>, i64)>> + Send;
    /// Marks the alarm checked if it is the user's; `None` when it is not theirs or unknown.
    fn check(
        &self,
        user_id: &str,
        alarm_id: &str,
        now: Timestamp,
    ) -> impl Future<Output = DomainResult<Option<Alarm>>> + Send;
    /// The user's alarms with a cursor above `after`, ascending: the oldest `limit` of them, or
    /// with `newest`, the most recent `limit` (a replay skips what is older).
    fn after(
        &self,
        user_id: &str,
        after: i64,
        limit: i64,
        newest: bool,
    ) -> impl Future<Output = DomainResult<Vec<Alarm>>> + Send;
    /// The user's highest committed cursor.
    fn latest_cursor(&self, user_id: &str) -> impl Future<Output = DomainResult<i64>> + Send;
}

/// Writes notifications in a transaction of their own, for the ones §4.8 sends after a
/// rollback (N6, N7). Notifications caused by a change are written by that change's own
/// transaction instead.
pub trait Outbox: Send + Sync {
    /// Writes them all in one transaction, in recipient order (the order every writer takes
    /// the recipients' cursors in); the number written, less the de-duplicated ones and those
    /// whose recipient is gone.
    fn emit(
        &self,
        notifications: Vec<NewNotification>,
    ) -> impl Future<Output = DomainResult<usize>> + Send;
}

/// Use cases behind E47–E49.
pub struct Notifications<A> {
    alarms: A,
    clock: std::sync::Arc<dyn kernel::Clock>,
}

impl<A: Alarms> Notifications<A> {
    pub fn new(alarms: A, clock: std::sync::Arc<dyn kernel::Clock>) -> Self {
        Self { alarms, clock }
    }

    pub async fn list(&self, user_id: &str, query: AlarmQuery) -> DomainResult<(Vec<Alarm>, i64)> {
        self.alarms.list(user_id, query).await
    }

    /// E49: idempotent; another user's alarm is a 404, so alarm ids do not leak.
    pub async fn check(&self, user_id: &str, alarm_id: &str) -> DomainResult<Alarm> {
        if !kernel::id::is_well_formed(alarm_id) {
            return Err(DomainError::NotFound(ALARM_NOT_FOUND.into()));
        }
        self.alarms
            .check(user_id, alarm_id, self.clock.now())
            .await?
            .ok_or_else(|| DomainError::NotFound(ALARM_NOT_FOUND.into()))
    }

    /// The next alarms after `cursor`, oldest first.
    pub async fn after(&self, user_id: &str, cursor: i64, limit: i64) -> DomainResult<Vec<Alarm>> {
        self.alarms.after(user_id, cursor, limit, false).await
    }

    /// What a reconnecting stream missed: at most the `limit` most recent, in cursor order.
    pub async fn replay(&self, user_id: &str, cursor: i64, limit: i64) -> DomainResult<Vec<Alarm>> {
        self.alarms.after(user_id, cursor, limit, true).await
    }

    pub async fn latest_cursor(&self, user_id: &str) -> DomainResult<i64> {
        self.alarms.latest_cursor(user_id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABOUT: About<'static> = About {
        product_id: "p1",
        product_name: "가디건",
    };

    #[test]
    fn texts_and_recipients_follow_the_table() {
        let n1 = new_inquiry("seller", "buyer", ABOUT, "i1").unwrap();
        assert_eq!(n1.recipient, "seller");
        assert_eq!(n1.content, "상품 \"가디건\"에 새 문의가 도착했어요.");
        assert_eq!(n1.kind.as_str(), "NEW_INQUIRY");
        assert!(
            new_inquiry("seller", "seller", ABOUT, "i1").is_none(),
            "no N1 to oneself"
        );
        let n2 = inquiry_answered("buyer", "seller", ABOUT, "i1").unwrap();
        assert_eq!(n2.content, "상품 \"가디건\"의 문의에 답변이 달렸어요.");
        assert!(inquiry_answered("seller", "seller", ABOUT, "i1").is_none());
        assert_eq!(
            sold_out_to_seller("s", ABOUT, 3, "M").content,
            "상품 \"가디건\"의 M 사이즈가 품절되었습니다."
        );
        assert_eq!(
            sold_out_in_cart("b", ABOUT, 3, "M").content,
            "장바구니에 담은 상품 \"가디건\"의 M 사이즈가 품절되었습니다."
        );
        assert_eq!(
            order_failed_to_buyer("b", ABOUT, 6, "FREE").content,
            "재고가 부족하여 상품 \"가디건\"의 FREE 사이즈를 주문하지 못했습니다."
        );
        assert_eq!(
            order_failed_to_seller("s", ABOUT, 6, "FREE").content,
            "재고가 부족한 상품 \"가디건\"의 FREE 사이즈 주문이 시도되었습니다."
        );
    }

    #[test]
    fn dedup_keys_cover_type_and_references() {
        let a = sold_out_in_cart("b", ABOUT, 3, "M");
        let b = sold_out_in_cart("b", ABOUT, 4, "L");
        let c = sold_out_to_seller("b", ABOUT, 3, "M");
        assert_ne!(a.dedup_key(), b.dedup_key());
        assert_ne!(a.dedup_key(), c.dedup_key());
        assert_eq!(
            a.dedup_key(),
            sold_out_in_cart("b", ABOUT, 3, "M").dedup_key()
        );
    }

    #[test]
    fn list_queries_parse_the_compatibility_forms() {
        let bare = AlarmQuery::parse(None, Some(""), None, None).unwrap();
        assert_eq!(bare.page, None);
        let paged = AlarmQuery::parse(Some("2"), None, Some("OLDEST"), Some("unChecked")).unwrap();
        assert_eq!(paged.page, Some(PageRequest::new(2, 10)));
        assert_eq!(paged.sort, Sort::Oldest);
        assert_eq!(paged.filter, Filter::Unchecked);
        assert!(AlarmQuery::parse(None, None, Some("newest"), None).is_err());
        assert!(AlarmQuery::parse(None, None, None, Some("read")).is_err());
    }
}
