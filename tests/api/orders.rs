//! E29-E33: orders, with the concurrency guarantees of §4.4 and §4.5.

use api_tests::{Resp, Session, TestApp, keys, product_body, spawn_app};
use futures_util::future::join_all;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// A product with the given stock of size M (3); returns (seller, product id).
async fn product(app: &TestApp, name: &str, price: i64, stock: i64) -> (Session, String) {
    let (seller, _) = app.seller_with_store().await;
    let mut body = product_body(name, price, "top");
    body["stocks"] = json!([{ "sizeId": 3, "quantity": stock }]);
    let id = app.create_product(&seller, &body).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (seller, id)
}

fn order_body(lines: &[(&str, i64)], use_point: i64) -> Value {
    json!({
        "name": "김유저", "phone": "0101234-5678", "address": "서울 강남구 101호", "usePoint": use_point,
        "orderItems": lines.iter().map(|(p, q)| json!({ "productId": p, "sizeId": 3, "quantity": q })).collect::<Vec<_>>()
    })
}

async fn place(app: &TestApp, buyer: &Session, body: &Value) -> Resp {
    app.post("/api/orders")
        .as_user(buyer)
        .json(body)
        .send()
        .await
}

/// `n` buyers' paid orders of one unit of `product`: (buyer, order id).
async fn paid_orders(app: &TestApp, product: &str, n: usize) -> Vec<(Session, String)> {
    let mut placed = Vec::new();
    for _ in 0..n {
        let buyer = app.buyer().await;
        let r = place(app, &buyer, &order_body(&[(product, 1)], 0)).await;
        assert_eq!(r.status, 201, "{}", r.text);
        placed.push((buyer, r.body["id"].as_str().unwrap().to_owned()));
    }
    placed
}

/// E33's status.
async fn cancel(app: &TestApp, buyer: &Session, order_id: &str) -> u16 {
    app.delete(&format!("/api/orders/{order_id}"))
        .as_user(buyer)
        .send()
        .await
        .status
}

/// Every order cancelled at once.
async fn cancel_all(app: &TestApp, placed: &[(Session, String)]) -> Vec<u16> {
    join_all(placed.iter().map(|(buyer, id)| cancel(app, buyer, id))).await
}

/// Gives the buyer points, with the ledger row that keeps Σ ledger = balance.
async fn grant_points(app: &TestApp, buyer: &Session, points: i64) {
    app.db
        .execute(
            "UPDATE users SET points = points + $2 WHERE id = $1",
            &[&buyer.id, &points],
        )
        .await
        .unwrap();
    app.db
        .execute(
            "INSERT INTO point_transactions (user_id, delta, reason) VALUES ($1, $2, 'ADMIN_ADJUST')",
            &[&buyer.id, &points],
        )
        .await
        .unwrap();
}

async fn stock(app: &TestApp, product: &str) -> i32 {
    app.scalar(
        "SELECT quantity FROM stocks WHERE product_id = $1 AND size_id = 3",
        &[&product],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_charges_points_earns_points_and_clears_the_cart() {
    let app = spawn_app().await;
    let (seller, _) = app.seller_with_store().await;
    let mut body = product_body("가디건", 20000, "top");
    body["stocks"] = json!([{ "sizeId": 3, "quantity": 5 }]);
    body["discountRate"] = json!(10);
    let p = app.create_product(&seller, &body).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let buyer = app.buyer().await;
    grant_points(&app, &buyer, 2000).await;
    app.patch("/api/cart")
        .as_user(&buyer)
        .json(&json!({ "productId": p, "sizes": [{ "sizeId": 3, "quantity": 2 }] }))
        .send()
        .await;

    let mut order = order_body(&[(&p, 2)], 1000);
    order["phoneNumber"] = json!("ignored-when-phone-is-given");
    let r = place(&app, &buyer, &order).await;
    assert_eq!(r.status, 201, "{}", r.text);
    let o = &r.body;
    assert_eq!(
        keys(o),
        [
            "address",
            "createdAt",
            "id",
            "name",
            "orderItems",
            "payments",
            "phoneNumber",
            "status",
            "subtotal",
            "totalQuantity",
            "updatedAt",
            "usePoint"
        ]
    );
    assert_eq!(o["subtotal"], 36000);
    assert_eq!(o["totalQuantity"], 2);
    assert_eq!(o["usePoint"], 1000);
    assert_eq!(o["phoneNumber"], "0101234-5678");
    assert_eq!(o["status"], "CompletedPayment");
    assert_eq!(o["payments"]["price"], 35000);
    assert_eq!(o["payments"]["status"], "CompletedPayment");
    assert_eq!(o["payments"]["orderId"], o["id"]);
    let item = &o["orderItems"][0];
    assert_eq!(item["price"], 18000);
    assert_eq!(item["isReviewed"], false);
    assert_eq!(
        item["product"],
        json!({ "id": p, "name": "가디건", "image": item["product"]["image"], "reviews": [] })
    );
    assert_eq!(
        item["size"],
        json!({ "id": 3, "size": { "en": "M", "ko": "미디엄" } })
    );
    // The 201 body is built from what was written; reading the order back gives the same.
    let read = app
        .get(&format!("/api/orders/{}", o["id"].as_str().unwrap()))
        .as_user(&buyer)
        .send()
        .await;
    assert_eq!(read.status, 200, "{}", read.text);
    assert_eq!(read.body, r.body);

    // §4.2 example: 2000 − 1000 + floor(35000 × 1%) = 1350.
    let me = app
        .get("/api/users/me/points")
        .as_user(&buyer)
        .send()
        .await
        .body;
    assert_eq!(me["points"], 1350);
    assert_eq!(me["lifetimePurchase"], 36000);
    let ledger: i64 = app
        .scalar(
            "SELECT COALESCE(SUM(delta), 0)::bigint FROM point_transactions WHERE user_id = $1",
            &[&buyer.id],
        )
        .await;
    assert_eq!(ledger, 1350);
    assert_eq!(stock(&app, &p).await, 3);
    let sales: i64 = app
        .scalar("SELECT sales FROM products WHERE id = $1", &[&p])
        .await;
    assert_eq!(sales, 2);
    let cart = app.get("/api/cart").as_user(&buyer).send().await.body;
    assert_eq!(cart["items"], json!([]), "ordered cart lines are removed");
    assert_eq!(cart["quantity"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grades_follow_the_cumulative_amount_and_earning_uses_the_pre_order_grade() {
    let app = spawn_app().await;
    let (_, p) = product(&app, "코트", 60000, 10).await;
    let buyer = app.buyer().await;
    assert_eq!(
        place(&app, &buyer, &order_body(&[(&p, 1)], 0)).await.status,
        201
    );
    // 120000 more crosses Orange (100000) with this order, but earns at Green's 1%.
    let r = place(&app, &buyer, &order_body(&[(&p, 2)], 0)).await;
    assert_eq!(r.status, 201);
    let me = app
        .get("/api/users/me/points")
        .as_user(&buyer)
        .send()
        .await
        .body;
    assert_eq!(me["grade"]["name"], "Orange");
    assert_eq!(me["lifetimePurchase"], 180000);
    assert_eq!(me["points"], 600 + 1200);
    assert_eq!(me["needToNext"], 120000);
    // The next order earns 2%.
    place(&app, &buyer, &order_body(&[(&p, 1)], 0)).await;
    assert_eq!(
        app.get("/api/users/me").as_user(&buyer).send().await.body["points"],
        1800 + 1200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_come_in_the_specified_order() {
    let app = spawn_app().await;
    let (_, p) = product(&app, "셔츠", 10000, 2).await;
    let buyer = app.buyer().await;
    grant_points(&app, &buyer, 500).await;
    let dup = json!({ "name": "a", "phone": "010", "address": "x", "orderItems": [
        { "productId": p, "sizeId": 3, "quantity": 1 }, { "productId": p, "sizeId": 3, "quantity": 1 }] });
    assert_eq!(
        place(&app, &buyer, &dup).await.error_message(400),
        "주문 항목에 중복된 상품 사이즈가 있습니다."
    );
    for bad in [
        json!({ "phone": "010", "address": "x", "orderItems": [{ "productId": p, "sizeId": 3, "quantity": 1 }] }),
        json!({ "name": "a", "phone": "010-abc", "address": "x", "orderItems": [{ "productId": p, "sizeId": 3, "quantity": 1 }] }),
        json!({ "name": "a", "phone": "010", "address": "x", "orderItems": [] }),
        json!({ "name": "a", "phone": "010", "address": "x", "usePoint": -1, "orderItems": [{ "productId": p, "sizeId": 3, "quantity": 1 }] }),
    ] {
        assert_eq!(place(&app, &buyer, &bad).await.status, 400, "{bad}");
    }
    let r = place(&app, &buyer, &order_body(&[("nope", 1)], 0)).await;
    assert_eq!(r.error_message(404), "상품을 찾을 수 없습니다.");
    let mut wrong_size = order_body(&[(&p, 1)], 0);
    wrong_size["orderItems"][0]["sizeId"] = json!(1);
    assert_eq!(
        place(&app, &buyer, &wrong_size).await.error_message(400),
        "판매하지 않는 사이즈가 포함되어 있습니다."
    );
    assert_eq!(
        place(&app, &buyer, &order_body(&[(&p, 1)], 10001))
            .await
            .error_message(400),
        "사용 포인트는 주문 금액을 초과할 수 없습니다."
    );
    assert_eq!(
        place(&app, &buyer, &order_body(&[(&p, 1)], 501))
            .await
            .error_message(400),
        "보유 포인트를 초과할 수 없습니다."
    );
    assert_eq!(
        place(&app, &buyer, &order_body(&[(&p, 3)], 0))
            .await
            .error_message(400),
        "재고가 부족한 상품이 있어 주문할 수 없습니다."
    );
    let seller = app.seller().await;
    assert_eq!(
        place(&app, &seller, &order_body(&[(&p, 1)], 0))
            .await
            .error_message(403),
        "구매자만 이용할 수 있습니다."
    );
    let bad_key = app
        .post("/api/orders")
        .as_user(&buyer)
        .header("Idempotency-Key", "has space")
        .json(&order_body(&[(&p, 1)], 0))
        .send()
        .await;
    assert_eq!(bad_key.status, 400);
    // Nothing was written by any refusal.
    assert_eq!(stock(&app, &p).await, 2);
    let orders: i64 = app.scalar("SELECT count(*) FROM orders", &[]).await;
    assert_eq!(orders, 0);
    let points: i64 = app
        .scalar("SELECT points FROM users WHERE id = $1", &[&buyer.id])
        .await;
    assert_eq!(points, 500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stock_cannot_be_oversold_by_a_hundred_concurrent_orders() {
    let app = spawn_app_with_pool().await;
    let (_, p) = product(&app, "한정판", 10000, 10).await;
    let buyers = join_all((0..100).map(|_| app.buyer())).await;
    let body = order_body(&[(&p, 1)], 0);
    let results = join_all(buyers.iter().map(|b| place(&app, b, &body))).await;
    let ok = results.iter().filter(|r| r.status == 201).count();
    let refused = results.iter().filter(|r| r.status == 400).count();
    assert_eq!(
        (ok, refused),
        (10, 90),
        "{:?}",
        results.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    for r in results.iter().filter(|r| r.status == 400) {
        assert_eq!(
            r.body["message"],
            "재고가 부족한 상품이 있어 주문할 수 없습니다."
        );
    }
    assert_eq!(stock(&app, &p).await, 0);
    let orders: i64 = app.scalar("SELECT count(*) FROM orders", &[]).await;
    assert_eq!(orders, 10);
    let sales: i64 = app
        .scalar("SELECT sales FROM products WHERE id = $1", &[&p])
        .await;
    assert_eq!(sales, 10);
}

async fn spawn_app_with_pool() -> TestApp {
    api_tests::spawn_app_with(|c| c.db_pool_size = 16).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlapping_multi_line_orders_never_deadlock() {
    let app = spawn_app_with_pool().await;
    let (_, a) = product(&app, "A", 1000, 20).await;
    let (_, b) = product(&app, "B", 1000, 20).await;
    let buyers = join_all((0..40).map(|_| app.buyer())).await;
    let results = join_all(buyers.iter().enumerate().map(|(i, buyer)| {
        let lines = if i % 2 == 0 {
            [(a.as_str(), 1), (b.as_str(), 1)]
        } else {
            [(b.as_str(), 1), (a.as_str(), 1)]
        };
        let body = order_body(&lines, 0);
        let app = &app;
        async move { place(app, buyer, &body).await }
    }))
    .await;
    let statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        20,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 400).count(),
        20,
        "{statuses:?}"
    );
    assert_eq!((stock(&app, &a).await, stock(&app, &b).await), (0, 0));
    let items: i64 = app
        .scalar(
            "SELECT COALESCE(SUM(quantity), 0)::bigint FROM order_items",
            &[],
        )
        .await;
    assert_eq!(items, 40);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_orders_cannot_overspend_points() {
    let app = spawn_app_with_pool().await;
    let (_, p) = product(&app, "포인트", 1000, 100).await;
    let buyer = app.buyer().await;
    grant_points(&app, &buyer, 1000).await;
    let body = order_body(&[(&p, 1)], 300);
    let results = join_all((0..10).map(|_| place(&app, &buyer, &body))).await;
    let ok = results.iter().filter(|r| r.status == 201).count();
    assert!(ok >= 3, "{ok}");
    for r in results.iter().filter(|r| r.status != 201) {
        assert_eq!(r.error_message(400), "보유 포인트를 초과할 수 없습니다.");
    }
    let balance: i64 = app
        .scalar("SELECT points FROM users WHERE id = $1", &[&buyer.id])
        .await;
    assert!(balance >= 0);
    let ledger: i64 = app
        .scalar(
            "SELECT SUM(delta)::bigint FROM point_transactions WHERE user_id = $1",
            &[&buyer.id],
        )
        .await;
    assert_eq!(ledger, balance, "the ledger sums to the balance");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idempotency_key_places_one_order_even_under_concurrent_retries() {
    let app = spawn_app_with_pool().await;
    let (_, p) = product(&app, "멱등", 1000, 50).await;
    let buyer = app.buyer().await;
    let body = order_body(&[(&p, 2)], 0);
    let send = |key: &'static str, body: Value| {
        let app = &app;
        let buyer = &buyer;
        async move {
            app.post("/api/orders")
                .as_user(buyer)
                .header("Idempotency-Key", key)
                .json(&body)
                .send()
                .await
        }
    };
    let results = join_all((0..20).map(|_| send("7f3c2a9e-order-1", body.clone()))).await;
    assert!(
        results.iter().all(|r| r.status == 201),
        "{:?}",
        results.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert!(
        results.iter().all(|r| r.text == results[0].text),
        "identical bodies"
    );
    let replayed = results
        .iter()
        .filter(|r| r.header("idempotent-replayed").as_deref() == Some("true"))
        .count();
    assert_eq!(replayed, 19);
    let orders: i64 = app.scalar("SELECT count(*) FROM orders", &[]).await;
    assert_eq!(orders, 1);
    assert_eq!(stock(&app, &p).await, 48, "decremented once");
    let other = send("7f3c2a9e-order-1", order_body(&[(&p, 3)], 0)).await;
    assert_eq!(
        other.error_message(409),
        "이미 다른 요청에 사용된 Idempotency-Key입니다."
    );
    // A key whose first attempt failed can be retried.
    let failed = send("retry-me", order_body(&[(&p, 1000)], 0)).await;
    assert_eq!(failed.status, 400);
    assert_eq!(
        send("retry-me", order_body(&[(&p, 1)], 0)).await.status,
        201
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sold_out_and_failed_order_notifications_reach_the_right_people() {
    let app = spawn_app().await;
    let (seller, p) = product(&app, "마지막", 1000, 1).await;
    let orderer = app.buyer().await;
    let holder = app.buyer().await;
    app.patch("/api/cart")
        .as_user(&holder)
        .json(&json!({ "productId": p, "sizes": [{ "sizeId": 3, "quantity": 1 }] }))
        .send()
        .await;
    let mut seller_stream = app.stream(&seller, None).await;
    let mut holder_stream = app.stream(&holder, None).await;
    let mut orderer_stream = app.stream(&orderer, None).await;
    assert_eq!(
        place(&app, &orderer, &order_body(&[(&p, 1)], 0))
            .await
            .status,
        201
    );
    let (_, n3) = seller_stream
        .next_event(Duration::from_secs(2))
        .await
        .expect("N3");
    assert_eq!(
        n3["content"],
        "상품 \"마지막\"의 M 사이즈가 품절되었습니다."
    );
    let (_, n4) = holder_stream
        .next_event(Duration::from_secs(2))
        .await
        .expect("N4");
    assert_eq!(
        n4["content"],
        "장바구니에 담은 상품 \"마지막\"의 M 사이즈가 품절되었습니다."
    );
    assert_eq!(
        orderer_stream.next_event(Duration::from_millis(300)).await,
        None,
        "not the orderer"
    );

    // The holder's order fails: N6 to them and N7 to the seller, although the order rolled back.
    let r = place(&app, &holder, &order_body(&[(&p, 1)], 0)).await;
    assert_eq!(r.status, 400);
    let (_, n6) = holder_stream
        .next_event(Duration::from_secs(2))
        .await
        .expect("N6");
    assert_eq!(
        n6["content"],
        "재고가 부족하여 상품 \"마지막\"의 M 사이즈를 주문하지 못했습니다."
    );
    let (_, n7) = seller_stream
        .next_event(Duration::from_secs(2))
        .await
        .expect("N7");
    assert_eq!(
        n7["content"],
        "재고가 부족한 상품 \"마지막\"의 M 사이즈 주문이 시도되었습니다."
    );
    let orders: i64 = app.scalar("SELECT count(*) FROM orders", &[]).await;
    assert_eq!(orders, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abandoned_requests_leave_no_open_transaction() {
    let app = spawn_app_with_pool().await;
    let (_, p) = product(&app, "버려진", 1000, 100_000).await;
    let buyers = join_all((0..20).map(|_| app.buyer())).await;
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(3))
        .build()
        .unwrap();
    let body = order_body(&[(&p, 1)], 0);
    join_all((0..300).map(|i| {
        impatient
            .post(format!("{}/api/orders", app.base))
            .bearer_auth(&buyers[i % buyers.len()].access_token)
            .json(&body)
            .send()
    }))
    .await;
    let started = Instant::now();
    let r = place(&app, &buyers[0], &body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "an order right after completes promptly: {:?}",
        started.elapsed()
    );
    let name = app.database_url.rsplit('/').next().unwrap().to_owned();
    let mut idle = -1;
    for _ in 0..20 {
        idle = app
            .scalar::<i64>(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND state LIKE 'idle in transaction%'",
                &[&name],
            )
            .await;
        if idle == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(idle, 0, "no idle-in-transaction session of the app");
    let sold: i64 = app
        .scalar("SELECT sales FROM products WHERE id = $1", &[&p])
        .await;
    let left = stock(&app, &p).await as i64;
    assert_eq!(
        sold + left,
        100_000,
        "every decrement belongs to a committed order"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_restores_stock_points_and_grade_once() {
    let app = spawn_app_with_pool().await;
    let (_, p) = product(&app, "취소", 120000, 5).await;
    let buyer = app.buyer().await;
    grant_points(&app, &buyer, 1000).await;
    let order = place(&app, &buyer, &order_body(&[(&p, 1)], 1000))
        .await
        .body;
    let id = order["id"].as_str().unwrap().to_owned();
    let me = app
        .get("/api/users/me/points")
        .as_user(&buyer)
        .send()
        .await
        .body;
    assert_eq!(me["grade"]["name"], "Orange");
    assert_eq!(me["points"], 1190);
    let results = join_all((0..2).map(|_| {
        app.delete(&format!("/api/orders/{id}"))
            .as_user(&buyer)
            .send()
    }))
    .await;
    let statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
    assert!(
        statuses.contains(&200) && statuses.contains(&400),
        "{statuses:?}"
    );
    let ok = results.iter().find(|r| r.status == 200).unwrap();
    assert_eq!(
        ok.body,
        json!({ "message": "주문이 성공적으로 취소되고 포인트가 복구되었습니다." })
    );
    let refused = results.iter().find(|r| r.status == 400).unwrap();
    assert_eq!(
        refused.error_message(400),
        "취소할 수 없는 주문 상태입니다."
    );
    assert_eq!(stock(&app, &p).await, 5);
    let me = app
        .get("/api/users/me/points")
        .as_user(&buyer)
        .send()
        .await
        .body;
    assert_eq!(me["points"], 1000);
    assert_eq!(me["grade"]["name"], "Green", "grades can go down");
    assert_eq!(me["lifetimePurchase"], 0);
    let detail = app
        .get(&format!("/api/orders/{id}"))
        .as_user(&buyer)
        .send()
        .await
        .body;
    assert_eq!(detail["status"], "Cancelled");
    assert_eq!(detail["payments"]["status"], "CancelledPayment");
    let sales: i64 = app
        .scalar("SELECT sales FROM products WHERE id = $1", &[&p])
        .await;
    assert_eq!(sales, 0);
    let ledger: i64 = app
        .scalar(
            "SELECT SUM(delta)::bigint FROM point_transactions WHERE user_id = $1",
            &[&buyer.id],
        )
        .await;
    assert_eq!(ledger, 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancel_is_refused_when_the_earned_points_are_spent() {
    let app = spawn_app().await;
    let (_, p) = product(&app, "적립", 100000, 5).await;
    let buyer = app.buyer().await;
    let first = place(&app, &buyer, &order_body(&[(&p, 1)], 0)).await.body;
    assert_eq!(
        app.get("/api/users/me").as_user(&buyer).send().await.body["points"],
        1000
    );
    let (_, cheap) = product(&app, "싼것", 1000, 5).await;
    assert_eq!(
        place(&app, &buyer, &order_body(&[(&cheap, 1)], 1000))
            .await
            .status,
        201
    );
    let r = app
        .delete(&format!("/api/orders/{}", first["id"].as_str().unwrap()))
        .as_user(&buyer)
        .send()
        .await;
    assert_eq!(
        r.error_message(400),
        "적립된 포인트가 부족하여 주문을 취소할 수 없습니다."
    );
    assert_eq!(stock(&app, &p).await, 4, "nothing changes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_are_listed_read_and_edited_by_their_buyer_only() {
    let app = spawn_app().await;
    let (_, p) = product(&app, "목록", 1000, 50).await;
    let buyer = app.buyer().await;
    let mut ids = Vec::new();
    for _ in 0..4 {
        ids.push(
            place(&app, &buyer, &order_body(&[(&p, 1)], 0)).await.body["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    app.db
        .execute(
            "UPDATE orders SET status = 'Shipped' WHERE id = $1",
            &[&ids[0]],
        )
        .await
        .unwrap();
    cancel(&app, &buyer, &ids[1]).await;
    let r = app
        .get("/api/orders?status=CompletedPayment&limit=2&page=1")
        .as_user(&buyer)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body["meta"],
        json!({ "total": 3, "page": 1, "limit": 2, "totalPages": 2 }),
        "shipped included (C14)"
    );
    assert_eq!(r.body["data"][0]["id"], json!(ids[3]), "newest first");
    for (status, total) in [
        ("canceled", 1),
        ("CANCELLED", 1),
        ("shipped", 1),
        ("completed_payment", 3),
        ("", 4),
    ] {
        let r = app
            .get(&format!("/api/orders?status={status}"))
            .as_user(&buyer)
            .send()
            .await;
        assert_eq!(r.body["meta"]["total"], total, "{status}");
    }
    assert_eq!(
        app.get("/api/orders?status=paid")
            .as_user(&buyer)
            .send()
            .await
            .status,
        400
    );
    assert_eq!(
        app.get("/api/orders").as_user(&buyer).send().await.body["meta"]["limit"],
        3
    );

    let other = app.buyer().await;
    let r = app
        .get(&format!("/api/orders/{}", ids[2]))
        .as_user(&other)
        .send()
        .await;
    assert_eq!(r.error_message(403), "주문에 대한 권한이 없습니다.");
    let r = app.get("/api/orders/nope").as_user(&buyer).send().await;
    assert_eq!(r.error_message(404), "주문을 찾을 수 없습니다.");

    let edit = format!("/api/orders/{}", ids[2]);
    let r = app
        .patch(&edit)
        .as_user(&buyer)
        .json(&json!({ "phoneNumber": "010-9999-8888", "address": "부산" }))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["phoneNumber"], "010-9999-8888");
    assert_eq!(r.body["address"], "부산");
    assert_eq!(r.body["name"], "김유저");
    let r = app
        .patch(&edit)
        .as_user(&buyer)
        .json(&json!({ "usePoint": 5 }))
        .send()
        .await;
    assert_eq!(
        r.error_message(400),
        "수정할 필드를 최소 1개 이상 입력해주세요."
    );
    let r = app
        .patch(&format!("/api/orders/{}", ids[0]))
        .as_user(&buyer)
        .json(&json!({ "name": "x" }))
        .send()
        .await;
    assert_eq!(r.error_message(400), "수정할 수 없는 주문 상태입니다.");
    assert_eq!(
        app.patch(&edit)
            .as_user(&other)
            .json(&json!({ "name": "x" }))
            .send()
            .await
            .status,
        403
    );
    let r = app
        .delete(&format!("/api/orders/{}", ids[0]))
        .as_user(&buyer)
        .send()
        .await;
    assert_eq!(
        r.error_message(400),
        "취소할 수 없는 주문 상태입니다.",
        "shipped orders cannot be cancelled"
    );
}

/// Only the ordered lines leave the cart, and its total counts what stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_leaves_the_other_cart_lines_and_recounts_the_cart() {
    let app = spawn_app().await;
    let (_, ordered) = product(&app, "주문", 1000, 10).await;
    let (_, kept) = product(&app, "남김", 1000, 10).await;
    let buyer = app.buyer().await;
    for (p, quantity) in [(&ordered, 2), (&kept, 3)] {
        app.patch("/api/cart")
            .as_user(&buyer)
            .json(&json!({ "productId": p, "sizes": [{ "sizeId": 3, "quantity": quantity }] }))
            .send()
            .await;
    }
    assert_eq!(
        place(&app, &buyer, &order_body(&[(&ordered, 2)], 0))
            .await
            .status,
        201
    );
    let cart = app.get("/api/cart").as_user(&buyer).send().await.body;
    assert_eq!(cart["quantity"], 3, "{cart}");
    let items = cart["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{cart}");
    assert_eq!(items[0]["productId"], json!(kept), "{cart}");
}

/// An order of 35 lines: its unread writes (one sales update a line) go out in more than one
/// pipelined batch, and all of them land.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_of_many_lines_writes_every_line() {
    let app = spawn_app().await;
    let mut products = Vec::new();
    for n in 0..35 {
        products.push(product(&app, &format!("상품{n}"), 1000, 5).await.1);
    }
    let buyer = app.buyer().await;
    let lines: Vec<(&str, i64)> = products.iter().map(|p| (p.as_str(), 2)).collect();
    let r = place(&app, &buyer, &order_body(&lines, 0)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["orderItems"].as_array().map(Vec::len), Some(35));
    let row = app
        .db
        .query_one(
            "SELECT count(*) FILTER (WHERE p.sales = 2), count(*) FILTER (WHERE s.quantity = 3)
             FROM products p JOIN stocks s ON s.product_id = p.id WHERE p.id = ANY($1)",
            &[&products],
        )
        .await
        .unwrap();
    assert_eq!((row.get::<_, i64>(0), row.get::<_, i64>(1)), (35, 35));
    let stored: i64 = app
        .db
        .query_one(
            "SELECT count(*) FROM order_items WHERE order_id = $1",
            &[&r.body["id"].as_str().unwrap()],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(stored, 35);
}

/// Orders and cancellations on different sizes of the same products, listed in opposite
/// orders: the stock rows do not serialise them, so only a common lock order for the
/// products' rows keeps them from deadlocking (a deadlock is a 500).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_and_cancellations_on_other_sizes_of_the_same_products_never_deadlock() {
    let app = spawn_app_with_pool().await;
    let (seller, _) = app.seller_with_store().await;
    let mut ids = Vec::new();
    for name in ["A", "B"] {
        let mut body = product_body(name, 1000, "top");
        body["stocks"] = json!(
            (1..=6)
                .map(|size| json!({ "sizeId": size, "quantity": 1000 }))
                .collect::<Vec<_>>()
        );
        ids.push(
            app.create_product(&seller, &body).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let (a, b) = (ids[0].as_str(), ids[1].as_str());
    let body = |i: usize| {
        let first = json!({ "productId": a, "sizeId": 1 + i % 3, "quantity": 1 });
        let second = json!({ "productId": b, "sizeId": 4 + i % 3, "quantity": 2 });
        let lines = if i.is_multiple_of(2) {
            [first, second]
        } else {
            [second, first]
        };
        json!({
            "name": "김유저", "phone": "010-1234-5678", "address": "서울 강남구 101호",
            "usePoint": 0, "orderItems": lines
        })
    };
    let buyers = join_all((0..48).map(|_| app.buyer())).await;
    // The first half orders now and cancels below, while the second half orders.
    let mut placed = Vec::new();
    for (i, buyer) in buyers[..24].iter().enumerate() {
        let r = place(&app, buyer, &body(i)).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        placed.push(r.body["id"].as_str().unwrap().to_owned());
    }
    let cancels = buyers[..24]
        .iter()
        .zip(&placed)
        .map(|(buyer, id)| cancel(&app, buyer, id));
    let orders = buyers[24..].iter().enumerate().map(|(i, buyer)| {
        let (app, body) = (&app, body(i));
        async move { place(app, buyer, &body).await.status }
    });
    let (cancelled, ordered) = futures_util::join!(join_all(cancels), join_all(orders));
    assert!(cancelled.iter().all(|s| *s == 200), "{cancelled:?}");
    assert!(ordered.iter().all(|s| *s == 201), "{ordered:?}");
    // What is left: the second half's orders only.
    let sales: Vec<String> = app
        .column(&format!(
            "SELECT sales::text FROM products WHERE id IN ('{a}', '{b}') ORDER BY name"
        ))
        .await;
    assert_eq!(sales, ["24", "48"]);
    let stock: i64 = app
        .scalar(
            "SELECT SUM(quantity)::bigint FROM stocks WHERE product_id = ANY($1)",
            &[&vec![a.to_owned(), b.to_owned()]],
        )
        .await;
    assert_eq!(stock, 12_000 - 24 * 3);
}

/// A product deleted while buyers order it: each order either completes first or is refused
/// after (its stock is gone), never a deadlock's 500; the carts lose its lines either way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_product_deleted_while_it_is_ordered_never_deadlocks() {
    let app = spawn_app_with_pool().await;
    for round in 0..4 {
        let (seller, _) = app.seller_with_store().await;
        let mut body = product_body(&format!("삭제 {round}"), 1000, "top");
        body["stocks"] = json!(
            (1..=6)
                .map(|size| json!({ "sizeId": size, "quantity": 100 }))
                .collect::<Vec<_>>()
        );
        let product = app.create_product(&seller, &body).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let buyers = join_all((0..12).map(|_| app.buyer())).await;
        for buyer in &buyers {
            app.patch("/api/cart")
                .as_user(buyer)
                .json(&json!({ "productId": product, "sizes": [{ "sizeId": 2, "quantity": 1 }] }))
                .send()
                .await;
        }
        let orders = buyers.iter().enumerate().map(|(i, buyer)| {
            let body = json!({
                "name": "김유저", "phone": "010-1234-5678", "address": "서울 강남구 101호",
                "usePoint": 0, "orderItems": [
                    { "productId": product, "sizeId": 1 + i % 6, "quantity": 1 },
                    { "productId": product, "sizeId": 1 + (i + 3) % 6, "quantity": 1 }]
            });
            let app = &app;
            async move { place(app, buyer, &body).await.status }
        });
        let delete = app
            .delete(&format!("/api/products/{product}"))
            .as_user(&seller)
            .send();
        let (statuses, deleted) = futures_util::join!(join_all(orders), delete);
        assert_eq!(deleted.status, 204, "{}", deleted.text);
        assert!(
            statuses.iter().all(|s| [201, 400, 404].contains(s)),
            "{statuses:?}"
        );
        let quantities: Vec<String> = app
            .column_with(
                "SELECT quantity::text FROM carts WHERE buyer_id = ANY($1)",
                &[&buyers.iter().map(|b| b.id.clone()).collect::<Vec<_>>()],
            )
            .await;
        assert!(quantities.iter().all(|q| q == "0"), "{quantities:?}");
    }
}

/// §1.3 caps a size's stock at 1,000,000: a cancellation after the seller restocked to the cap
/// returns what fits, and succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancellation_returns_stock_up_to_the_cap() {
    let app = spawn_app().await;
    let (seller, p) = product(&app, "상한", 1000, 10).await;
    let buyer = app.buyer().await;
    let placed = place(&app, &buyer, &order_body(&[(&p, 5)], 0)).await;
    assert_eq!(placed.status, 201, "{}", placed.text);
    let restocked = app
        .patch(&format!("/api/products/{p}"))
        .as_user(&seller)
        .json(&json!({ "stocks": [{ "sizeId": 3, "quantity": 999_998 }] }))
        .send()
        .await;
    assert_eq!(restocked.status, 200, "{}", restocked.text);
    let id = placed.body["id"].as_str().unwrap();
    assert_eq!(cancel(&app, &buyer, id).await, 200);
    assert_eq!(stock(&app, &p).await, 1_000_000);
}

/// A flash sale where every buyer has the size in their cart: the order taking the last unit
/// notifies the other cart holders (N4) while their own orders, holding their buyer rows, wait
/// for the stock. Exactly the stock is sold, the rest get 400, and none deadlocks (a 500).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sell_out_notifying_buyers_whose_orders_wait_never_deadlocks() {
    let app = spawn_app_with_pool().await;
    let (_, p) = product(&app, "한정", 1000, 12).await;
    let buyers = join_all((0..36).map(|_| app.buyer())).await;
    for buyer in &buyers {
        let r = app
            .patch("/api/cart")
            .as_user(buyer)
            .json(&json!({ "productId": p, "sizes": [{ "sizeId": 3, "quantity": 1 }] }))
            .send()
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    let body = order_body(&[(&p, 1)], 0);
    let statuses: Vec<u16> = join_all(buyers.iter().map(|b| place(&app, b, &body)))
        .await
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        12,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 400).count(),
        24,
        "{statuses:?}"
    );
    assert_eq!(stock(&app, &p).await, 0);
}

/// Cancellations racing their product's deletion: the cancel succeeds, and the units of a
/// product that is gone are not restored (§4.5 step 4).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancellations_racing_the_products_deletion_succeed() {
    let app = spawn_app_with_pool().await;
    for round in 0..3 {
        let (seller, p) = product(&app, &format!("취소 {round}"), 1000, 100).await;
        let placed = paid_orders(&app, &p, 12).await;
        let cancels = cancel_all(&app, &placed);
        let delete = app
            .delete(&format!("/api/products/{p}"))
            .as_user(&seller)
            .send();
        let (statuses, deleted) = futures_util::join!(cancels, delete);
        assert_eq!(deleted.status, 204, "{}", deleted.text);
        assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
        let stocks: i64 = app
            .scalar("SELECT count(*) FROM stocks WHERE product_id = $1", &[&p])
            .await;
        assert_eq!(stocks, 0, "no stock row for a deleted product");
    }
}

/// A product edit that adds back a size while cancellations restore that size's stock: the
/// edit writes stock rows before the product row, as the cancellations do, so neither waits on
/// the other in a cycle (a 500).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_adding_back_a_size_while_it_is_restored_never_deadlocks() {
    let app = spawn_app_with_pool().await;
    for round in 0..3 {
        let (seller, p) = product(&app, &format!("복원 {round}"), 1000, 100).await;
        let placed = paid_orders(&app, &p, 10).await;
        let stocks = |sizes: &[i64]| json!({ "stocks": sizes.iter().map(|s| json!({ "sizeId": s, "quantity": 5 })).collect::<Vec<_>>() });
        let removed = app
            .patch(&format!("/api/products/{p}"))
            .as_user(&seller)
            .json(&stocks(&[1]))
            .send()
            .await;
        assert_eq!(removed.status, 200, "{}", removed.text);
        let cancels = cancel_all(&app, &placed);
        let edits = (0..4).map(|_| {
            let (app, seller, p, body) = (&app, &seller, &p, stocks(&[1, 3]));
            async move {
                app.patch(&format!("/api/products/{p}"))
                    .as_user(seller)
                    .json(&body)
                    .send()
                    .await
                    .status
            }
        });
        let (cancelled, edited) = futures_util::join!(cancels, join_all(edits));
        assert!(cancelled.iter().all(|s| *s == 200), "{cancelled:?}");
        assert!(edited.iter().all(|s| *s == 200), "{edited:?}");
    }
}

/// Orders racing their buyer's account deletion: each lands first or finds the account gone
/// (401, as for a token of a deleted user), never a 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_racing_the_buyers_account_deletion_are_placed_or_401() {
    let app = spawn_app_with_pool().await;
    let (_, p) = product(&app, "탈퇴", 1000, 1000).await;
    for _ in 0..4 {
        let buyer = app.buyer().await;
        let body = order_body(&[(&p, 1)], 0);
        let orders = (0..12).map(|_| place(&app, &buyer, &body));
        let delete = app.delete("/api/users/delete").as_user(&buyer).send();
        let (placed, deleted) = futures_util::join!(join_all(orders), delete);
        assert_eq!(deleted.status, 200, "{}", deleted.text);
        let statuses: Vec<u16> = placed.iter().map(|r| r.status).collect();
        assert!(
            statuses.iter().all(|s| [201, 401].contains(s)),
            "{statuses:?}"
        );
    }
}

/// One buyer's orders at once, each lifting the grade: an order that waited for the buyer's row
/// while another changed the grade still finds the buyer (no 401 or 500), and the grade is
/// computed on the final total.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buyers_concurrent_orders_crossing_grades_all_go_through() {
    let app = spawn_app_with_pool().await;
    let (_, p) = product(&app, "등급", 110_000, 100).await;
    let buyer = app.buyer().await;
    let body = order_body(&[(&p, 1)], 0);
    let statuses: Vec<u16> = join_all((0..6).map(|_| place(&app, &buyer, &body)))
        .await
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [201; 6]);
    let grade: String = app
        .scalar("SELECT grade_id FROM users WHERE id = $1", &[&buyer.id])
        .await;
    assert_eq!(grade, "grade_black", "6 × 110,000 = 660,000");
}
