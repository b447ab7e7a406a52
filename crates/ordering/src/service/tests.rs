//! `PlaceOrder` / `CancelOrder` against an in-memory store whose transactions work on a copy
//! of the state: commit replaces it, rollback drops the copy.

use super::*;
use crate::request::{OrderRequest, RawOrder};
use catalog::pricing::Discount;
use kernel::testing::block_on;
use kernel::{DomainResult, Timestamp};
use loyalty::Grade;
use notifications::NewNotification;
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Clone, Default)]
struct State {
    points: HashMap<String, i64>,
    grade: HashMap<String, String>,
    cumulative: HashMap<String, i64>,
    stock: HashMap<(String, i32), i32>,
    sales: HashMap<String, i64>,
    orders: Vec<(NewOrder, OrderStatus)>,
    ledger: Vec<(String, String, i64, PointReason)>,
    keys: HashMap<(String, String), (String, Option<String>)>,
    cart: Vec<(String, String, i32)>,
    notifications: Vec<NewNotification>,
}

fn grades() -> Vec<Grade> {
    let g = |id: &str, name: &str, rate, min| Grade {
        id: id.into(),
        name: name.into(),
        rate,
        min_amount: min,
    };
    vec![
        g("grade_green", "Green", 1, 0),
        g("grade_orange", "Orange", 2, 100_000),
        g("grade_red", "Red", 3, 300_000),
        g("grade_black", "Black", 4, 500_000),
        g("grade_vip", "VIP", 5, 1_000_000),
    ]
}

#[derive(Clone, Default)]
struct Memory(Arc<Mutex<State>>);

struct Tx {
    store: Memory,
    state: State,
}

fn at() -> Timestamp {
    chrono::DateTime::from_timestamp(1_750_000_000, 0).unwrap()
}

impl OrderTx for Tx {
    async fn lock_buyer(&mut self, buyer: &str) -> DomainResult<(i64, Grade)> {
        let grade_id = self
            .state
            .grade
            .get(buyer)
            .cloned()
            .unwrap_or("grade_green".into());
        let grade = grades().into_iter().find(|g| g.id == grade_id).unwrap();
        Ok((*self.state.points.get(buyer).unwrap_or(&0), grade))
    }
    async fn claim_key(&mut self, buyer: &str, key: &str, hash: &str) -> DomainResult<Claim> {
        match self.state.keys.get(&(buyer.into(), key.into())) {
            Some((h, Some(body))) => Ok(Claim::Existing {
                request_hash: h.clone(),
                response_body: body.clone(),
            }),
            _ => {
                self.state
                    .keys
                    .insert((buyer.into(), key.into()), (hash.into(), None));
                Ok(Claim::Claimed)
            }
        }
    }
    async fn now(&mut self) -> DomainResult<Timestamp> {
        Ok(at())
    }
    async fn lines(&mut self, lines: &[(String, i32)]) -> DomainResult<Vec<Option<LineInfo>>> {
        Ok(lines
            .iter()
            .map(|(p, s)| {
                (p != "missing").then(|| LineInfo {
                    product_id: p.clone(),
                    product_name: format!("상품 {p}"),
                    product_image: "http://x/p.png".into(),
                    store_id: "store".into(),
                    seller_id: "seller".into(),
                    price: if p == "discounted" { 1000 } else { 10_000 },
                    discount: if p == "discounted" {
                        Discount {
                            rate: 7,
                            start: None,
                            end: None,
                        }
                    } else {
                        Discount::default()
                    },
                    size_id: *s,
                    size_name: "M".into(),
                    size_en: "M".into(),
                    size_ko: "미디엄".into(),
                    sold_in_size: self.state.stock.contains_key(&(p.clone(), *s)),
                })
            })
            .collect())
    }
    async fn take_stock(&mut self, p: &str, s: i32, n: i32) -> DomainResult<Option<i32>> {
        let q = self.state.stock.get_mut(&(p.into(), s)).unwrap();
        if *q >= n {
            *q -= n;
            Ok(Some(*q))
        } else {
            Ok(None)
        }
    }
    async fn insert_order(&mut self, order: &NewOrder) -> DomainResult<()> {
        self.state
            .orders
            .push((order.clone(), OrderStatus::CompletedPayment));
        Ok(())
    }
    async fn move_points(
        &mut self,
        buyer: &str,
        order: &str,
        delta: i64,
        reason: PointReason,
    ) -> DomainResult<()> {
        let p = self.state.points.entry(buyer.into()).or_default();
        *p += delta;
        assert!(*p >= 0, "the database forbids a negative balance");
        self.state
            .ledger
            .push((buyer.into(), order.into(), delta, reason));
        Ok(())
    }
    async fn clear_cart_lines(&mut self, buyer: &str, pairs: &[(String, i32)]) -> DomainResult<()> {
        self.state
            .cart
            .retain(|(b, p, s)| b != buyer || !pairs.contains(&(p.clone(), *s)));
        Ok(())
    }
    async fn add_sales(&mut self, p: &str, delta: i64) -> DomainResult<()> {
        let s = self.state.sales.entry(p.into()).or_default();
        *s = (*s + delta).max(0);
        Ok(())
    }
    async fn grade_basis(&mut self, buyer: &str) -> DomainResult<(i64, Vec<Grade>)> {
        let cumulative = self
            .state
            .orders
            .iter()
            .filter(|(o, st)| {
                o.buyer_id == buyer
                    && matches!(st, OrderStatus::CompletedPayment | OrderStatus::Shipped)
            })
            .map(|(o, _)| o.subtotal)
            .sum();
        Ok((cumulative, grades()))
    }
    async fn set_grade(&mut self, buyer: &str, cumulative: i64, grade: &str) -> DomainResult<()> {
        self.state.cumulative.insert(buyer.into(), cumulative);
        self.state.grade.insert(buyer.into(), grade.into());
        Ok(())
    }
    async fn cart_holders(&mut self, p: &str, s: i32, except: &str) -> DomainResult<Vec<String>> {
        Ok(self
            .state
            .cart
            .iter()
            .filter(|(b, pp, ss)| pp == p && *ss == s && b != except)
            .map(|(b, _, _)| b.clone())
            .collect())
    }
    async fn emit(&mut self, n: &NewNotification) -> DomainResult<bool> {
        self.state.notifications.push(n.clone());
        Ok(true)
    }
    async fn store_response(
        &mut self,
        buyer: &str,
        key: &str,
        _order: &str,
        body: &str,
    ) -> DomainResult<()> {
        self.state
            .keys
            .get_mut(&(buyer.into(), key.into()))
            .unwrap()
            .1 = Some(body.into());
        Ok(())
    }
    async fn lock_order(&mut self, id: &str) -> DomainResult<Option<LockedOrder>> {
        Ok(self
            .state
            .orders
            .iter()
            .find(|(o, _)| o.id == id)
            .map(|(o, st)| LockedOrder {
                id: o.id.clone(),
                buyer_id: Some(o.buyer_id.clone()),
                status: *st,
                use_point: o.use_point,
                earned_point: o.earned_point,
                items: o
                    .items
                    .iter()
                    .map(|i| (Some(i.product_id.clone()), i.size_id, i.quantity))
                    .collect(),
            }))
    }
    async fn restore_stocks(&mut self, lines: &[(String, i32, i32)], cap: i32) -> DomainResult<()> {
        for (p, s, n) in lines {
            let stock = self.state.stock.entry((p.clone(), *s)).or_default();
            *stock = (*stock + n).min(cap);
        }
        Ok(())
    }
    async fn delete_reviews(&mut self, _order: &str) -> DomainResult<()> {
        Ok(())
    }
    async fn mark_cancelled(&mut self, id: &str, _now: Timestamp) -> DomainResult<()> {
        self.state
            .orders
            .iter_mut()
            .find(|(o, _)| o.id == id)
            .unwrap()
            .1 = OrderStatus::Cancelled;
        Ok(())
    }
    async fn commit(self) -> DomainResult<()> {
        *self.store.0.lock().unwrap() = self.state;
        Ok(())
    }
    async fn rollback(self) -> DomainResult<()> {
        Ok(())
    }
}

impl OrderStore for Memory {
    type Tx = Tx;
    async fn begin(&self) -> DomainResult<Tx> {
        Ok(Tx {
            store: self.clone(),
            state: self.0.lock().unwrap().clone(),
        })
    }
    async fn order(&self, _: &str) -> DomainResult<Option<Order>> {
        Ok(None)
    }
    async fn orders_of(
        &self,
        _: &str,
        _: PageRequest,
        _: Option<Vec<OrderStatus>>,
    ) -> DomainResult<(Vec<Order>, i64)> {
        Ok((Vec::new(), 0))
    }
    async fn update_recipient(
        &self,
        _: &str,
        _: RecipientChanges,
        _: &[OrderStatus],
        _: Timestamp,
    ) -> DomainResult<bool> {
        Ok(true)
    }
}

impl Carts for Memory {
    async fn ensure(&self, _: &str, _: Timestamp) -> DomainResult<(CartSummary, bool)> {
        unreachable!()
    }
    async fn lines(&self, _: &str) -> DomainResult<Vec<CartLine>> {
        unreachable!()
    }
    async fn stock_of(&self, _: &str) -> DomainResult<Option<Vec<(i32, i32)>>> {
        unreachable!()
    }
    async fn set_lines(
        &self,
        _: &str,
        _: &str,
        _: &[(i32, i32)],
        _: Timestamp,
    ) -> DomainResult<Vec<CartLine>> {
        unreachable!()
    }
    async fn line(&self, _: &str) -> DomainResult<Option<(CartLine, CartSummary)>> {
        unreachable!()
    }
    async fn delete_line(&self, _: &CartLine, _: Timestamp) -> DomainResult<()> {
        unreachable!()
    }
}

impl Outbox for Memory {
    async fn emit(&self, n: Vec<NewNotification>) -> DomainResult<usize> {
        let written = n.len();
        self.0.lock().unwrap().notifications.extend(n);
        Ok(written)
    }
}

struct Fixed;
impl Clock for Fixed {
    fn now(&self) -> Timestamp {
        at()
    }
}

fn setup(stock: &[(&str, i32)], points: i64) -> (Ordering<Memory, Memory, Memory>, Memory) {
    let m = Memory::default();
    {
        let mut s = m.0.lock().unwrap();
        for (p, q) in stock {
            s.stock.insert(((*p).into(), 3), *q);
        }
        s.points.insert("buyer".into(), points);
    }
    (
        Ordering::new(m.clone(), m.clone(), m.clone(), Arc::new(Fixed)),
        m,
    )
}

fn request(lines: &[(&str, i64)], use_point: i64) -> OrderRequest {
    OrderRequest::parse(RawOrder {
        name: Some("김유저".into()),
        phone: Some("010-1234-5678".into()),
        address: Some("서울".into()),
        use_point: Some(use_point),
        lines: Some(
            lines
                .iter()
                .map(|(p, q)| (Some((*p).into()), Some(3), Some(*q)))
                .collect(),
        ),
    })
    .unwrap()
}

fn place(
    o: &Ordering<Memory, Memory, Memory>,
    lines: &[(&str, i64)],
    use_point: i64,
    key: Option<&str>,
) -> DomainResult<Placed> {
    block_on(o.place(
        "buyer",
        request(lines, use_point),
        key.map(Into::into),
        |order| format!("{}:{}", order.id, order.subtotal),
    ))
}

fn message(r: DomainResult<Placed>) -> String {
    match r {
        Ok(_) => "placed".into(),
        Err(e) => e.to_string(),
    }
}

#[test]
fn an_order_spends_earns_and_cleans_up() {
    let (o, m) = setup(&[("p1", 5)], 2000);
    m.0.lock()
        .unwrap()
        .cart
        .push(("buyer".into(), "p1".into(), 3));
    let placed = place(&o, &[("p1", 3)], 1000, None).unwrap();
    assert!(placed.body.ends_with(":30000"));
    let s = m.0.lock().unwrap();
    assert_eq!(
        s.points["buyer"],
        2000 - 1000 + 290,
        "floor((30000 − 1000) × 1%)"
    );
    assert_eq!(
        s.ledger.iter().map(|l| l.2).sum::<i64>(),
        2000 - 1000 + 290 - 2000
    );
    assert_eq!(s.stock[&("p1".into(), 3)], 2);
    assert_eq!(s.sales["p1"], 3);
    assert!(s.cart.is_empty());
    assert_eq!(s.cumulative["buyer"], 30_000);
}

#[test]
fn unit_prices_use_the_float_discount() {
    let (o, _) = setup(&[("discounted", 10)], 0);
    assert!(
        place(&o, &[("discounted", 1)], 0, None)
            .unwrap()
            .body
            .ends_with(":929")
    );
}

#[test]
fn grade_boundaries_and_the_pre_order_rate() {
    let (o, m) = setup(&[("p1", 100)], 0);
    // 9 × 10 000 = 90 000: still Green.
    place(&o, &[("p1", 9)], 0, None).unwrap();
    assert_eq!(m.0.lock().unwrap().grade["buyer"], "grade_green");
    // +10 000 = 100 000 exactly: Orange, but this order earns at Green's 1%.
    place(&o, &[("p1", 1)], 0, None).unwrap();
    {
        let s = m.0.lock().unwrap();
        assert_eq!(s.grade["buyer"], "grade_orange");
        assert_eq!(s.points["buyer"], 900 + 100);
    }
    // The next order earns 2%.
    place(&o, &[("p1", 1)], 0, None).unwrap();
    assert_eq!(m.0.lock().unwrap().points["buyer"], 1000 + 200);
}

#[test]
fn every_refusal_leaves_the_state_untouched() {
    let (o, m) = setup(&[("p1", 2), ("p2", 5)], 500);
    let before = m.0.lock().unwrap().clone();
    assert_eq!(
        message(place(&o, &[("missing", 1)], 0, None)),
        PRODUCT_NOT_FOUND
    );
    assert_eq!(message(place(&o, &[("nosize", 1)], 0, None)), SIZE_NOT_SOLD);
    assert_eq!(
        message(place(&o, &[("p1", 1)], 10_001, None)),
        POINTS_OVER_SUBTOTAL
    );
    assert_eq!(
        message(place(&o, &[("p1", 1)], 501, None)),
        POINTS_OVER_BALANCE
    );
    assert_eq!(
        message(place(&o, &[("p2", 1), ("p1", 3)], 0, None)),
        INSUFFICIENT_STOCK
    );
    let s = m.0.lock().unwrap();
    assert_eq!(
        s.stock, before.stock,
        "the p2 decrement rolled back with the failed p1 line"
    );
    assert_eq!(s.points, before.points);
    assert!(s.orders.is_empty());
    // N6 to the buyer and N7 to the seller, once per failing line, outside the rolled-back work.
    let kinds: Vec<(&str, &str)> = s
        .notifications
        .iter()
        .map(|n| (n.recipient.as_str(), n.kind.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("buyer", "OUT_OF_STOCK_ORDER"),
            ("seller", "OUT_OF_STOCK_ORDER")
        ]
    );
}

#[test]
fn sold_out_lines_notify_the_seller_and_other_cart_holders() {
    let (o, m) = setup(&[("p1", 2)], 0);
    {
        let mut s = m.0.lock().unwrap();
        s.cart.push(("buyer".into(), "p1".into(), 3));
        s.cart.push(("zed".into(), "p1".into(), 3));
        s.cart.push(("amy".into(), "p1".into(), 3));
    }
    place(&o, &[("p1", 2)], 0, None).unwrap();
    let s = m.0.lock().unwrap();
    let got: Vec<(&str, &str)> = s
        .notifications
        .iter()
        .map(|n| (n.recipient.as_str(), n.kind.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("amy", "OUT_OF_STOCK_CART"),
            ("seller", "OUT_OF_STOCK_SELLER"),
            ("zed", "OUT_OF_STOCK_CART")
        ],
        "recipients in one order; never the orderer"
    );
}

#[test]
fn an_idempotency_key_replays_or_conflicts() {
    let (o, m) = setup(&[("p1", 10)], 0);
    let first = place(&o, &[("p1", 1)], 0, Some("k1")).unwrap();
    assert!(!first.replayed);
    let again = place(&o, &[("p1", 1)], 0, Some("k1")).unwrap();
    assert!(again.replayed);
    assert_eq!(again.body, first.body);
    assert_eq!(message(place(&o, &[("p1", 2)], 0, Some("k1"))), KEY_REUSED);
    assert_eq!(m.0.lock().unwrap().orders.len(), 1);
    // A failed first attempt leaves no record.
    assert!(place(&o, &[("p1", 100)], 0, Some("k2")).is_err());
    assert!(!place(&o, &[("p1", 1)], 0, Some("k2")).unwrap().replayed);
}

#[test]
fn cancelling_reverses_points_stock_and_grade() {
    let (o, m) = setup(&[("p1", 20)], 1000);
    place(&o, &[("p1", 10)], 1000, None).unwrap();
    let id = m.0.lock().unwrap().orders[0].0.id.clone();
    assert_eq!(m.0.lock().unwrap().grade["buyer"], "grade_orange");
    block_on(o.cancel("buyer", &id)).unwrap();
    {
        let s = m.0.lock().unwrap();
        assert_eq!(s.points["buyer"], 1000);
        assert_eq!(s.stock[&("p1".into(), 3)], 20);
        assert_eq!(s.sales["p1"], 0);
        assert_eq!(s.grade["buyer"], "grade_green");
        let reasons: Vec<PointReason> = s.ledger.iter().map(|l| l.3).collect();
        assert_eq!(
            reasons,
            [
                PointReason::SpendOrder,
                PointReason::EarnPurchase,
                PointReason::RefundCancel,
                PointReason::RevertCancel
            ]
        );
    }
    let again = block_on(o.cancel("buyer", &id)).unwrap_err();
    assert_eq!(again.to_string(), NOT_CANCELLABLE);
    assert!(matches!(
        block_on(o.cancel("stranger", &id)),
        Err(DomainError::Forbidden(_))
    ));
    assert!(matches!(
        block_on(o.cancel("buyer", "unknown")),
        Err(DomainError::NotFound(_))
    ));
}

#[test]
fn a_cancel_needs_the_earned_points_back() {
    let (o, m) = setup(&[("p1", 20)], 0);
    place(&o, &[("p1", 10)], 0, None).unwrap(); // earns 1 000
    let id = m.0.lock().unwrap().orders[0].0.id.clone();
    place(&o, &[("p1", 1)], 1000, None).unwrap(); // spends them
    let err = block_on(o.cancel("buyer", &id)).unwrap_err();
    assert_eq!(err.to_string(), POINTS_ALREADY_SPENT);
    assert_eq!(
        m.0.lock().unwrap().stock[&("p1".into(), 3)],
        9,
        "nothing changed"
    );
}
