use crate::model::*;
use kernel::paging::PageRequest;
use kernel::{DomainResult, Timestamp};
use loyalty::Grade;
use notifications::NewNotification;
use std::future::Future;

pub trait Carts: Send + Sync {
    /// The buyer's cart, created if missing; `true` when it was created now.
    fn ensure(
        &self,
        buyer_id: &str,
        now: Timestamp,
    ) -> impl Future<Output = DomainResult<(CartSummary, bool)>> + Send;
    /// The cart's lines, oldest first.
    fn lines(&self, cart_id: &str) -> impl Future<Output = DomainResult<Vec<CartLine>>> + Send;
    /// The product's stock as (sizeId, quantity); `None` when the product does not exist.
    fn stock_of(
        &self,
        product_id: &str,
    ) -> impl Future<Output = DomainResult<Option<Vec<(i32, i32)>>>> + Send;
    /// Sets the quantities of the product's lines (creating them), and the cart's total,
    /// atomically; the lines in the given order. The stock rule (`cart::check_stock`) is
    /// applied again to the sizes' stock rows locked in the same transaction, so that no line
    /// commits on a size sold out before it (its buyer would never get N4/N5).
    fn set_lines(
        &self,
        cart_id: &str,
        product_id: &str,
        sizes: &[(i32, i32)],
        now: Timestamp,
    ) -> impl Future<Output = DomainResult<Vec<CartLine>>> + Send;
    /// A line and its cart.
    fn line(
        &self,
        id: &str,
    ) -> impl Future<Output = DomainResult<Option<(CartLine, CartSummary)>>> + Send;
    /// Deletes the line and updates the cart's total.
    fn delete_line(
        &self,
        line: &CartLine,
        now: Timestamp,
    ) -> impl Future<Output = DomainResult<()>> + Send;
}

pub enum Claim {
    /// This request holds the key now.
    Claimed,
    /// A committed order used the key.
    Existing {
        request_hash: String,
        response_body: String,
    },
}

/// One database transaction of an order or a cancellation. Every method runs inside it.
/// Implementations roll back when dropped unfinished (a cancelled request, a panic).
pub trait OrderTx: Send {
    /// Locks the buyer's row (serialising their point operations); their points and the
    /// grade stored on them.
    fn lock_buyer(
        &mut self,
        buyer_id: &str,
    ) -> impl Future<Output = DomainResult<(i64, Grade)>> + Send;
    /// Records (buyer, key, hash); waits for a concurrent holder of the same key to finish.
    fn claim_key(
        &mut self,
        buyer_id: &str,
        key: &str,
        hash: &str,
    ) -> impl Future<Output = DomainResult<Claim>> + Send;
    /// The transaction's timestamp (constant for the whole transaction).
    fn now(&mut self) -> impl Future<Output = DomainResult<Timestamp>> + Send;
    /// For each (productId, sizeId), the product and stock facts, `None` for a missing product.
    fn lines(
        &mut self,
        lines: &[(String, i32)],
    ) -> impl Future<Output = DomainResult<Vec<Option<LineInfo>>>> + Send;
    /// `quantity -= n WHERE quantity >= n`; the quantity left, or `None` when short.
    fn take_stock(
        &mut self,
        product_id: &str,
        size_id: i32,
        n: i32,
    ) -> impl Future<Output = DomainResult<Option<i32>>> + Send;
    /// Writes the order with its items and its payment.
    fn insert_order(&mut self, order: &NewOrder) -> impl Future<Output = DomainResult<()>> + Send;
    /// Changes the buyer's balance and writes the ledger row.
    fn move_points(
        &mut self,
        buyer_id: &str,
        order_id: &str,
        delta: i64,
        reason: PointReason,
    ) -> impl Future<Output = DomainResult<()>> + Send;
    /// Removes the buyer's cart lines for these (productId, sizeId) pairs.
    fn clear_cart_lines(
        &mut self,
        buyer_id: &str,
        pairs: &[(String, i32)],
    ) -> impl Future<Output = DomainResult<()>> + Send;
    /// `sales += delta`, never below 0.
    fn add_sales(
        &mut self,
        product_id: &str,
        delta: i64,
    ) -> impl Future<Output = DomainResult<()>> + Send;
    /// What a grade is decided from, read live: Σ subtotal of the buyer's paid or shipped
    /// orders, and the grade table.
    fn grade_basis(
        &mut self,
        buyer_id: &str,
    ) -> impl Future<Output = DomainResult<(i64, Vec<Grade>)>> + Send;
    fn set_grade(
        &mut self,
        buyer_id: &str,
        cumulative: i64,
        grade_id: &str,
    ) -> impl Future<Output = DomainResult<()>> + Send;
    /// Buyers other than `except` whose cart holds (product, size).
    fn cart_holders(
        &mut self,
        product_id: &str,
        size_id: i32,
        except: &str,
    ) -> impl Future<Output = DomainResult<Vec<String>>> + Send;
    /// Writes a notification with this transaction (announced on commit only).
    fn emit(
        &mut self,
        notification: &NewNotification,
    ) -> impl Future<Output = DomainResult<bool>> + Send;
    fn store_response(
        &mut self,
        buyer_id: &str,
        key: &str,
        order_id: &str,
        body: &str,
    ) -> impl Future<Output = DomainResult<()>> + Send;
    /// Locks the order row.
    fn lock_order(
        &mut self,
        order_id: &str,
    ) -> impl Future<Output = DomainResult<Option<LockedOrder>>> + Send;
    /// Adds each (product, size, quantity) back, re-creating a stock row an edit removed, up
    /// to `cap`; nothing for a product deleted meanwhile (§4.5 step 4). The lines are sorted
    /// and distinct; their stock rows are locked in that order before any product row.
    fn restore_stocks(
        &mut self,
        lines: &[(String, i32, i32)],
        cap: i32,
    ) -> impl Future<Output = DomainResult<()>> + Send;
    /// Deletes the reviews of the order's items and refreshes the products' aggregates.
    fn delete_reviews(&mut self, order_id: &str) -> impl Future<Output = DomainResult<()>> + Send;
    fn mark_cancelled(
        &mut self,
        order_id: &str,
        now: Timestamp,
    ) -> impl Future<Output = DomainResult<()>> + Send;
    fn commit(self) -> impl Future<Output = DomainResult<()>> + Send;
    fn rollback(self) -> impl Future<Output = DomainResult<()>> + Send;
}

pub trait OrderStore: Send + Sync {
    type Tx: OrderTx;
    fn begin(&self) -> impl Future<Output = DomainResult<Self::Tx>> + Send;
    fn order(&self, id: &str) -> impl Future<Output = DomainResult<Option<Order>>> + Send;
    fn orders_of(
        &self,
        buyer_id: &str,
        page: PageRequest,
        statuses: Option<Vec<OrderStatus>>,
    ) -> impl Future<Output = DomainResult<(Vec<Order>, i64)>> + Send;
    /// Updates the recipient only while the status is one of `editable`; `false` otherwise.
    fn update_recipient(
        &self,
        id: &str,
        changes: RecipientChanges,
        editable: &[OrderStatus],
        now: Timestamp,
    ) -> impl Future<Output = DomainResult<bool>> + Send;
}
