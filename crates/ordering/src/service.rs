//! The cart and order use cases behind E24–E33.

use crate::messages::*;
use crate::model::*;
use crate::ports::{Carts, Claim, OrderStore, OrderTx};
use crate::request::{MAX_SUBTOTAL, OrderRequest};
use kernel::id::{is_well_formed, new_id};
use kernel::paging::PageRequest;
use kernel::{Clock, DomainError, DomainResult};
use loyalty::{GradePolicy, earned_points};
use notifications::{About, Outbox};
use std::sync::Arc;

pub struct Ordering<S, C, O> {
    store: S,
    carts: C,
    outbox: O,
    clock: Arc<dyn Clock>,
}

/// A placed order and its 201 body; `replayed` when an earlier request with the same
/// `Idempotency-Key` placed it.
pub struct Placed {
    pub body: String,
    pub replayed: bool,
}

enum Outcome {
    Placed(String),
    Replay(String),
    /// Lines short of stock: (line info, quantity asked).
    Short(Vec<LineInfo>),
}

fn not_found() -> DomainError {
    DomainError::NotFound(ORDER_NOT_FOUND.into())
}

impl<S: OrderStore, C: Carts, O: Outbox> Ordering<S, C, O> {
    pub fn new(store: S, carts: C, outbox: O, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            carts,
            outbox,
            clock,
        }
    }

    // --- cart ---------------------------------------------------------------------------------

    /// E24: `true` when the cart was created now.
    pub async fn ensure_cart(&self, buyer_id: &str) -> DomainResult<(CartSummary, bool)> {
        self.carts.ensure(buyer_id, self.clock.now()).await
    }

    /// E25.
    pub async fn cart(&self, buyer_id: &str) -> DomainResult<(CartSummary, Vec<CartLine>)> {
        let (cart, _) = self.ensure_cart(buyer_id).await?;
        let lines = self.carts.lines(&cart.id).await?;
        Ok((cart, lines))
    }

    /// E26: sets absolute quantities; each must be sold in that size and not exceed the stock.
    pub async fn set_cart_quantities(
        &self,
        buyer_id: &str,
        product_id: &str,
        sizes: Vec<(i32, i32)>,
    ) -> DomainResult<Vec<CartLine>> {
        crate::cart::validate_sizes(&sizes)?;
        let stock = match is_well_formed(product_id) {
            true => self.carts.stock_of(product_id).await?,
            false => None,
        }
        .ok_or_else(|| DomainError::NotFound(PRODUCT_NOT_FOUND.into()))?;
        crate::cart::check_stock(&sizes, &stock)?;
        let (cart, _) = self.ensure_cart(buyer_id).await?;
        if sizes.is_empty() {
            return Ok(Vec::new());
        }
        self.carts
            .set_lines(&cart.id, product_id, &sizes, self.clock.now())
            .await
    }

    async fn own_line(&self, buyer_id: &str, id: &str) -> DomainResult<(CartLine, CartSummary)> {
        let missing = || DomainError::NotFound(CART_ITEM_NOT_FOUND.into());
        if !is_well_formed(id) {
            return Err(missing());
        }
        let (line, cart) = self.carts.line(id).await?.ok_or_else(missing)?;
        if cart.buyer_id != buyer_id {
            return Err(DomainError::Forbidden(CART_ITEM_FORBIDDEN.into()));
        }
        Ok((line, cart))
    }

    /// E27.
    pub async fn cart_line(
        &self,
        buyer_id: &str,
        id: &str,
    ) -> DomainResult<(CartLine, CartSummary)> {
        self.own_line(buyer_id, id).await
    }

    /// E28.
    pub async fn remove_cart_line(&self, buyer_id: &str, id: &str) -> DomainResult<()> {
        let (line, _) = self.own_line(buyer_id, id).await?;
        self.carts.delete_line(&line, self.clock.now()).await
    }

    // --- orders -------------------------------------------------------------------------------

    /// E29, §4.4 step by step. `render` turns the placed order into its 201 body, which an
    /// idempotent replay answers byte for byte.
    pub async fn place(
        &self,
        buyer_id: &str,
        order: OrderRequest,
        key: Option<String>,
        render: impl Fn(&Order) -> String + Send + Sync,
    ) -> DomainResult<Placed> {
        let mut tx = self.store.begin().await?;
        let outcome = self
            .place_in(&mut tx, buyer_id, &order, key.as_deref(), &render)
            .await;
        match outcome {
            Ok(Outcome::Placed(body)) => {
                tx.commit().await?;
                Ok(Placed {
                    body,
                    replayed: false,
                })
            }
            Ok(Outcome::Replay(body)) => {
                tx.rollback().await?;
                Ok(Placed {
                    body,
                    replayed: true,
                })
            }
            Ok(Outcome::Short(lines)) => {
                tx.rollback().await?;
                // F: failure notifications, written together in a transaction of their own
                // after the rollback. A failure to write them is the request's error: they
                // must not be lost behind a 400.
                let mut failed = Vec::new();
                for line in &lines {
                    let about = About {
                        product_id: &line.product_id,
                        product_name: &line.product_name,
                    };
                    failed.push(notifications::order_failed_to_buyer(
                        buyer_id,
                        about,
                        line.size_id,
                        &line.size_name,
                    ));
                    failed.push(notifications::order_failed_to_seller(
                        &line.seller_id,
                        about,
                        line.size_id,
                        &line.size_name,
                    ));
                }
                self.outbox.emit(failed).await?;
                Err(DomainError::invalid(INSUFFICIENT_STOCK))
            }
            Err(e) => {
                tx.rollback().await?;
                Err(e)
            }
        }
    }

    async fn place_in(
        &self,
        tx: &mut S::Tx,
        buyer_id: &str,
        order: &OrderRequest,
        key: Option<&str>,
        render: &(impl Fn(&Order) -> String + Send + Sync),
    ) -> DomainResult<Outcome> {
        // 2. The buyer's row serialises their point operations.
        let (balance, grade) = tx.lock_buyer(buyer_id).await?;
        // 3. Idempotency.
        let hash = order.hash();
        if let Some(key) = key
            && let Claim::Existing {
                request_hash,
                response_body,
            } = tx.claim_key(buyer_id, key, &hash).await?
        {
            return if request_hash == hash {
                Ok(Outcome::Replay(response_body))
            } else {
                Err(DomainError::Conflict(KEY_REUSED.into()))
            };
        }
        // 4. Products and their sizes.
        let pairs: Vec<(String, i32)> = order
            .lines
            .iter()
            .map(|l| (l.product_id.clone(), l.size_id))
            .collect();
        let infos = tx.lines(&pairs).await?;
        let mut lines = Vec::with_capacity(infos.len());
        for info in infos {
            lines.push(info.ok_or_else(|| DomainError::NotFound(PRODUCT_NOT_FOUND.into()))?);
        }
        if lines.iter().any(|l| !l.sold_in_size) {
            return Err(DomainError::invalid(SIZE_NOT_SOLD));
        }
        // 5. Prices as of the transaction's time.
        let now = tx.now().await?;
        let unit_prices: Vec<i64> = lines
            .iter()
            .map(|l| l.discount.price_at(l.price, now))
            .collect();
        let mut subtotal: i64 = 0;
        for (line, price) in order.lines.iter().zip(&unit_prices) {
            subtotal = subtotal.saturating_add(price.saturating_mul(i64::from(line.quantity)));
        }
        if subtotal > MAX_SUBTOTAL {
            return Err(DomainError::invalid(format!(
                "orderItems: the subtotal may not exceed {MAX_SUBTOTAL}"
            )));
        }
        let total_quantity: i64 = order.lines.iter().map(|l| i64::from(l.quantity)).sum();
        // 6. Points.
        if order.use_point > subtotal {
            return Err(DomainError::invalid(POINTS_OVER_SUBTOTAL));
        }
        if order.use_point > balance {
            return Err(DomainError::invalid(POINTS_OVER_BALANCE));
        }
        // 7. Stock, in the canonical lock order so concurrent orders never deadlock.
        let mut short = Vec::new();
        let mut sold_out = Vec::new();
        for line in order.lock_order() {
            let info = lines
                .iter()
                .find(|i| i.product_id == line.product_id && i.size_id == line.size_id)
                .ok_or_else(|| DomainError::internal("place order", "line info missing"))?;
            match tx
                .take_stock(&line.product_id, line.size_id, line.quantity)
                .await?
            {
                Some(0) => sold_out.push(info.clone()),
                Some(_) => {}
                None => short.push(info.clone()),
            }
        }
        if !short.is_empty() {
            return Ok(Outcome::Short(short));
        }
        // 8. The order, its items and its payment; points are earned at the pre-order grade's
        // rate.
        let order_id = new_id();
        let new = NewOrder {
            id: order_id.clone(),
            buyer_id: buyer_id.to_owned(),
            name: order.name.clone(),
            phone_number: order.phone.clone(),
            address: order.address.clone(),
            subtotal,
            total_quantity,
            use_point: order.use_point,
            earned_point: earned_points(subtotal, order.use_point, grade.rate),
            items: order
                .lines
                .iter()
                .zip(lines.iter().zip(&unit_prices))
                .enumerate()
                .map(|(position, (line, (info, price)))| NewOrderItem {
                    id: new_id(),
                    product_id: line.product_id.clone(),
                    store_id: info.store_id.clone(),
                    product_name: info.product_name.clone(),
                    product_image: info.product_image.clone(),
                    size_id: line.size_id,
                    size_en: info.size_en.clone(),
                    size_ko: info.size_ko.clone(),
                    quantity: line.quantity,
                    price: *price,
                    position: position as i32,
                })
                .collect(),
            payment_id: new_id(),
            now,
        };
        tx.insert_order(&new).await?;
        // 9. Points.
        if order.use_point > 0 {
            tx.move_points(
                buyer_id,
                &order_id,
                -order.use_point,
                PointReason::SpendOrder,
            )
            .await?;
        }
        if new.earned_point > 0 {
            tx.move_points(
                buyer_id,
                &order_id,
                new.earned_point,
                PointReason::EarnPurchase,
            )
            .await?;
        }
        // 10. Cart lines that were ordered.
        tx.clear_cart_lines(buyer_id, &pairs).await?;
        // 11. Sales, after every stock row and by product id (see `sales_by_product`).
        let sold = order
            .lines
            .iter()
            .map(|l| (l.product_id.as_str(), i64::from(l.quantity)));
        for (product_id, quantity) in sales_by_product(sold) {
            tx.add_sales(product_id, quantity).await?;
        }
        // 12. Grade.
        regrade(tx, buyer_id).await?;
        // 13. Sold-out notifications, committed or rolled back with the order; recipients in
        // one order for every writer.
        let mut outbox = Vec::new();
        for info in &sold_out {
            let about = About {
                product_id: &info.product_id,
                product_name: &info.product_name,
            };
            outbox.push(notifications::sold_out_to_seller(
                &info.seller_id,
                about,
                info.size_id,
                &info.size_name,
            ));
            for holder in tx
                .cart_holders(&info.product_id, info.size_id, buyer_id)
                .await?
            {
                outbox.push(notifications::sold_out_in_cart(
                    &holder,
                    about,
                    info.size_id,
                    &info.size_name,
                ));
            }
        }
        outbox.sort_by(|a, b| a.recipient.cmp(&b.recipient));
        for n in &outbox {
            tx.emit(n).await?;
        }
        // 14. The response, kept for replays.
        let body = render(&new.placed());
        if let Some(key) = key {
            tx.store_response(buyer_id, key, &order_id, &body).await?;
        }
        Ok(Outcome::Placed(body))
    }

    /// E30.
    pub async fn orders(
        &self,
        buyer_id: &str,
        page: PageRequest,
        statuses: Option<Vec<OrderStatus>>,
    ) -> DomainResult<(Vec<Order>, i64)> {
        self.store.orders_of(buyer_id, page, statuses).await
    }

    async fn own_order(&self, buyer_id: &str, id: &str) -> DomainResult<Order> {
        if !is_well_formed(id) {
            return Err(not_found());
        }
        let order = self.store.order(id).await?.ok_or_else(not_found)?;
        if order.buyer_id.as_deref() != Some(buyer_id) {
            return Err(DomainError::Forbidden(ORDER_FORBIDDEN.into()));
        }
        Ok(order)
    }

    /// E31.
    pub async fn order(&self, buyer_id: &str, id: &str) -> DomainResult<Order> {
        self.own_order(buyer_id, id).await
    }

    /// E32: the recipient only, while unpaid or paid.
    pub async fn update_recipient(
        &self,
        buyer_id: &str,
        id: &str,
        changes: RecipientChanges,
    ) -> DomainResult<Order> {
        if changes.name.is_none() && changes.phone_number.is_none() && changes.address.is_none() {
            return Err(DomainError::invalid(NOTHING_TO_UPDATE));
        }
        let order = self.own_order(buyer_id, id).await?;
        let editable = [OrderStatus::WaitingPayment, OrderStatus::CompletedPayment];
        if !self
            .store
            .update_recipient(&order.id, changes, &editable, self.clock.now())
            .await?
        {
            return Err(DomainError::invalid(NOT_EDITABLE));
        }
        self.own_order(buyer_id, id).await
    }

    /// E33, §4.5 step by step.
    pub async fn cancel(&self, buyer_id: &str, id: &str) -> DomainResult<()> {
        if !is_well_formed(id) {
            return Err(not_found());
        }
        let mut tx = self.store.begin().await?;
        match self.cancel_in(&mut tx, buyer_id, id).await {
            Ok(()) => tx.commit().await,
            Err(e) => {
                tx.rollback().await?;
                Err(e)
            }
        }
    }

    async fn cancel_in(&self, tx: &mut S::Tx, buyer_id: &str, id: &str) -> DomainResult<()> {
        // 1. The buyer row, then the order row, the order every writer takes them in (placing,
        // an account's deletion); the status is re-checked under the lock.
        let (balance, _) = tx.lock_buyer(buyer_id).await?;
        let order = tx.lock_order(id).await?.ok_or_else(not_found)?;
        if order.buyer_id.as_deref() != Some(buyer_id) {
            return Err(DomainError::Forbidden(ORDER_FORBIDDEN.into()));
        }
        if order.status != OrderStatus::CompletedPayment {
            return Err(DomainError::invalid(NOT_CANCELLABLE));
        }
        // 2. The earned points must still be there to take back.
        if balance + order.use_point < order.earned_point {
            return Err(DomainError::invalid(POINTS_ALREADY_SPENT));
        }
        // 3. Points.
        if order.use_point > 0 {
            tx.move_points(
                buyer_id,
                &order.id,
                order.use_point,
                PointReason::RefundCancel,
            )
            .await?;
        }
        if order.earned_point > 0 {
            tx.move_points(
                buyer_id,
                &order.id,
                -order.earned_point,
                PointReason::RevertCancel,
            )
            .await?;
        }
        // 4. Stock and sales, in the canonical order.
        let mut items: Vec<(String, i32, i32)> = order
            .items
            .iter()
            .filter_map(|(p, s, q)| p.clone().map(|p| (p, *s, *q)))
            .collect();
        items.sort();
        // Up to the cap: the seller may have restocked to it since.
        tx.restore_stocks(&items, crate::request::STOCK_CAP).await?;
        let returned = items.iter().map(|(p, _, q)| (p.as_str(), -i64::from(*q)));
        for (product_id, quantity) in sales_by_product(returned) {
            tx.add_sales(product_id, quantity).await?;
        }
        // 5. Reviews of a cancelled order go.
        tx.delete_reviews(&order.id).await?;
        // 6. Statuses.
        let now = tx.now().await?;
        tx.mark_cancelled(&order.id, now).await?;
        // 7. Grade.
        regrade(tx, buyer_id).await
    }
}

/// One sales change a product, in product-id order. Placing and cancelling lock every stock row
/// (sorted) before any product row, and the product rows sorted too: two orders on different
/// sizes of the same products share no stock row, so only this common order keeps their
/// product locks from deadlocking.
fn sales_by_product<'a>(
    lines: impl Iterator<Item = (&'a str, i64)>,
) -> std::collections::BTreeMap<&'a str, i64> {
    let mut sales = std::collections::BTreeMap::new();
    for (product_id, quantity) in lines {
        *sales.entry(product_id).or_insert(0) += quantity;
    }
    sales
}

/// §4.2: the cumulative amount and the grade, recomputed inside the transaction.
async fn regrade(tx: &mut impl OrderTx, buyer_id: &str) -> DomainResult<()> {
    let (cumulative, grades) = tx.grade_basis(buyer_id).await?;
    let policy = GradePolicy::new(grades);
    let grade = policy
        .grade_for(cumulative)
        .ok_or_else(|| DomainError::internal("regrade", "the grade table is empty"))?;
    let grade_id = grade.id.clone();
    tx.set_grade(buyer_id, cumulative, &grade_id).await
}

#[cfg(test)]
mod tests;
