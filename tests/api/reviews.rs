//! E34-E38 and the rating aggregates of §4.7.

use api_tests::{Session, TestApp, keys, product_body, spawn_app};
use serde_json::{Value, json};

/// A buyer's paid order of `product` (size M); returns (buyer, order id, order item id).
async fn bought(app: &TestApp, product: &str) -> (Session, String, String) {
    let buyer = app.buyer().await;
    let order = app
        .post("/api/orders")
        .as_user(&buyer)
        .json(&json!({ "name": "a", "phone": "010", "address": "x",
                       "orderItems": [{ "productId": product, "sizeId": 3, "quantity": 1 }] }))
        .send()
        .await;
    assert_eq!(order.status, 201, "{}", order.text);
    let id = order.body["id"].as_str().unwrap().to_owned();
    let item = order.body["orderItems"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (buyer, id, item)
}

async fn review(
    app: &TestApp,
    buyer: &Session,
    product: &str,
    item: &str,
    rating: i64,
) -> api_tests::Resp {
    app.post(&format!("/api/product/{product}/reviews"))
        .as_user(buyer)
        .json(&json!({ "orderItemId": item, "rating": rating, "content": "아주 마음에 드는 상품입니다" }))
        .send()
        .await
}

async fn product_with_stock(app: &TestApp) -> (Session, String) {
    let (seller, _) = app.seller_with_store().await;
    let mut body = product_body("가디건", 20000, "top");
    body["stocks"] = json!([{ "sizeId": 3, "quantity": 100 }]);
    let id = app.create_product(&seller, &body).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (seller, id)
}

async fn aggregates(app: &TestApp, product: &str) -> (Value, Value) {
    let d = app
        .get(&format!("/api/products/{product}"))
        .send()
        .await
        .body;
    (d["reviews"].clone(), d["reviewsRating"].clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_buyer_reviews_a_paid_item_once_and_aggregates_follow() {
    let app = spawn_app().await;
    let (_, p) = product_with_stock(&app).await;
    let mut reviewers = Vec::new();
    for rating in [5, 5, 5, 5, 3] {
        let (buyer, _, item) = bought(&app, &p).await;
        let r = review(&app, &buyer, &p, &item, rating).await;
        assert_eq!(r.status, 201, "{}", r.text);
        reviewers.push((buyer, item, r.body["id"].as_str().unwrap().to_owned()));
    }
    let r = review(&app, &reviewers[0].0, &p, &reviewers[0].1, 4).await;
    assert_eq!(r.error_message(409), "이미 리뷰를 작성했습니다.");
    let (reviews, rating) = aggregates(&app, &p).await;
    assert_eq!(rating, 4.6, "floor((460 + 5) / 10) / 10");
    assert_eq!(
        reviews,
        json!({ "rate1Length": 0, "rate2Length": 0, "rate3Length": 1, "rate4Length": 0, "rate5Length": 4, "sumScore": 4.6 })
    );
    let list_item = app.get("/api/products?sort=highRating").send().await.body["list"][0].clone();
    assert_eq!(list_item["reviewsCount"], 5);

    // The order list shows the review on its item.
    let orders = app
        .get("/api/orders")
        .as_user(&reviewers[4].0)
        .send()
        .await
        .body;
    let item = &orders["data"][0]["orderItems"][0];
    assert_eq!(item["isReviewed"], true);
    assert_eq!(item["product"]["reviews"][0]["rating"], 3);

    let first = app
        .get(&format!("/api/review/{}", reviewers[0].2))
        .send()
        .await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(
        keys(&first.body),
        [
            "content",
            "price",
            "productName",
            "purchasedAt",
            "quantity",
            "rating",
            "reviewCreatedAt",
            "reviewId",
            "reviewer",
            "size"
        ]
    );
    assert_eq!(first.body["productName"], "가디건");
    assert_eq!(first.body["size"], json!({ "en": "M", "ko": "미디엄" }));
    assert_eq!(first.body["price"], 20000);
    assert_eq!(first.body["reviewer"], "테스트");
    assert_eq!(
        app.get("/api/review/nope").send().await.error_message(404),
        "리뷰를 찾을 수 없습니다."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_refusals_in_the_specified_order() {
    let app = spawn_app().await;
    let (seller, p) = product_with_stock(&app).await;
    let (_, other) = product_with_stock(&app).await;
    let (buyer, order, item) = bought(&app, &p).await;
    let stranger = app.buyer().await;
    let bad = app
        .post(&format!("/api/product/{p}/reviews"))
        .as_user(&buyer)
        .json(&json!({ "orderItemId": item, "rating": 6, "content": "짧음" }))
        .send()
        .await;
    let m = bad.error_message(400);
    assert!(m.contains("rating:") && m.contains("content:"), "{m}");
    assert_eq!(
        review(&app, &buyer, "nope", &item, 5)
            .await
            .error_message(404),
        "상품을 찾을 수 없습니다."
    );
    assert_eq!(
        review(&app, &buyer, &p, "nope", 5).await.error_message(404),
        "주문 상품을 찾을 수 없습니다."
    );
    assert_eq!(
        review(&app, &stranger, &p, &item, 5)
            .await
            .error_message(403),
        "본인이 구매한 상품만 리뷰할 수 있습니다."
    );
    assert_eq!(
        review(&app, &buyer, &other, &item, 5)
            .await
            .error_message(400),
        "주문 상품과 리뷰 대상 상품이 일치하지 않습니다."
    );
    assert_eq!(
        review(&app, &seller, &p, &item, 5).await.error_message(403),
        "구매자만 이용할 수 있습니다."
    );
    app.delete(&format!("/api/orders/{order}"))
        .as_user(&buyer)
        .send()
        .await;
    assert_eq!(
        review(&app, &buyer, &p, &item, 5).await.error_message(400),
        "결제 완료된 주문만 리뷰할 수 있습니다."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_and_deletions_keep_aggregates_exact() {
    let app = spawn_app().await;
    let (_, p) = product_with_stock(&app).await;
    let (buyer, _, item) = bought(&app, &p).await;
    let id = review(&app, &buyer, &p, &item, 5).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/review/{id}");
    let r = app
        .patch(&path)
        .as_user(&buyer)
        .json(&json!({ "rating": 2 }))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["rating"], 2);
    assert_eq!(r.body["content"], "아주 마음에 드는 상품입니다");
    let (reviews, rating) = aggregates(&app, &p).await;
    assert_eq!(
        (
            reviews["rate5Length"].clone(),
            reviews["rate2Length"].clone(),
            rating
        ),
        (json!(0), json!(1), json!(2.0))
    );
    assert_eq!(
        app.patch(&path)
            .as_user(&buyer)
            .json(&json!({}))
            .send()
            .await
            .error_message(400),
        "수정할 필드를 최소 1개 이상 입력해주세요."
    );
    let stranger = app.buyer().await;
    assert_eq!(
        app.patch(&path)
            .as_user(&stranger)
            .json(&json!({ "rating": 1 }))
            .send()
            .await
            .error_message(403),
        "리뷰에 대한 권한이 없습니다."
    );
    assert_eq!(
        app.delete(&path).as_user(&stranger).send().await.status,
        403
    );

    let list = app
        .get(&format!("/api/product/{p}/reviews"))
        .send()
        .await
        .body;
    assert_eq!(
        list["meta"],
        json!({ "total": 1, "page": 1, "limit": 5, "hasNextPage": false })
    );
    assert_eq!(list["items"][0]["user"]["id"], json!(buyer.id));

    assert_eq!(app.delete(&path).as_user(&buyer).send().await.status, 204);
    let (reviews, rating) = aggregates(&app, &p).await;
    assert_eq!(
        (reviews["rate2Length"].clone(), rating),
        (json!(0), json!(0.0))
    );
    let is_reviewed: bool = app
        .scalar(
            "SELECT is_reviewed FROM order_items WHERE id = $1",
            &[&item],
        )
        .await;
    assert!(!is_reviewed);
    assert_eq!(
        review(&app, &buyer, &p, &item, 4).await.status,
        201,
        "reviewable again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancellation_and_account_deletion_take_reviews_out_of_the_aggregates() {
    let app = spawn_app().await;
    let (_, p) = product_with_stock(&app).await;
    let (a, order_a, item_a) = bought(&app, &p).await;
    let (b, _, item_b) = bought(&app, &p).await;
    review(&app, &a, &p, &item_a, 1).await;
    review(&app, &b, &p, &item_b, 5).await;
    assert_eq!(aggregates(&app, &p).await.1, 3.0);
    assert_eq!(
        app.delete(&format!("/api/orders/{order_a}"))
            .as_user(&a)
            .send()
            .await
            .status,
        200
    );
    assert_eq!(aggregates(&app, &p).await.1, 5.0);
    assert_eq!(
        app.delete("/api/users/delete")
            .as_user(&b)
            .send()
            .await
            .status,
        200
    );
    let (reviews, rating) = aggregates(&app, &p).await;
    assert_eq!(
        (reviews["rate5Length"].clone(), rating),
        (json!(0), json!(0.0))
    );
    let list = app
        .get(&format!("/api/product/{p}/reviews?limit=1"))
        .send()
        .await
        .body;
    assert_eq!(list["meta"]["total"], 0);
}

/// Reviews written, edited and deleted while their orders are cancelled: a review either is
/// refused or goes with its order, the aggregates count exactly the reviews left, and the two
/// never deadlock (a 500).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reviews_racing_their_orders_cancellation_never_outlive_it() {
    use futures_util::future::join_all;
    let app = api_tests::spawn_app_with(|c| c.db_pool_size = 16).await;
    let (_, p) = product_with_stock(&app).await;
    let mut orders = Vec::new();
    for i in 0..30 {
        let (buyer, order, item) = bought(&app, &p).await;
        // A third races a new review, a third an edit, a third a deletion.
        let review_id = if i % 3 == 0 {
            None
        } else {
            let r = review(&app, &buyer, &p, &item, 2).await;
            assert_eq!(r.status, 201, "{}", r.text);
            Some(r.body["id"].as_str().unwrap().to_owned())
        };
        orders.push((i, buyer, order, item, review_id));
    }
    let races = orders.iter().map(|(i, buyer, order, item, review_id)| {
        let (app, p) = (&app, &p);
        async move {
            let write = async {
                match review_id {
                    None => {
                        let r = review(app, buyer, p, item, 5).await;
                        (r.status, r.body["message"].clone())
                    }
                    Some(id) if i % 3 == 1 => {
                        let r = app
                            .patch(&format!("/api/review/{id}"))
                            .as_user(buyer)
                            .json(&json!({ "rating": 4 }))
                            .send()
                            .await;
                        (r.status, r.body["message"].clone())
                    }
                    Some(id) => {
                        let r = app
                            .delete(&format!("/api/review/{id}"))
                            .as_user(buyer)
                            .send()
                            .await;
                        (r.status, r.body["message"].clone())
                    }
                }
            };
            let cancel = app
                .delete(&format!("/api/orders/{order}"))
                .as_user(buyer)
                .send();
            let ((status, message), cancelled) = futures_util::join!(write, cancel);
            (*i, status, message, cancelled.status)
        }
    });
    for (i, status, message, cancelled) in join_all(races).await {
        assert_eq!(cancelled, 200, "cancellation {i}");
        let allowed: &[u16] = match i % 3 {
            0 => &[201, 400],
            1 => &[200, 404],
            _ => &[204, 404],
        };
        assert!(allowed.contains(&status), "write {i}: {status} {message}");
        if i % 3 == 0 && status == 400 {
            assert_eq!(message, "결제 완료된 주문만 리뷰할 수 있습니다.");
        }
    }
    let left: i64 = app
        .scalar(
            "SELECT count(*) FROM reviews rv JOIN order_items oi ON oi.id = rv.order_item_id
             JOIN orders o ON o.id = oi.order_id WHERE o.status = 'Cancelled'",
            &[],
        )
        .await;
    assert_eq!(left, 0, "no review outlives its cancelled order");
    let reviewed: i64 = app
        .scalar("SELECT count(*) FROM order_items WHERE is_reviewed", &[])
        .await;
    assert_eq!(reviewed, 0);
    let counts: Vec<String> = app
        .column_with(
            "SELECT concat_ws(',', reviews_count, reviews_sum, rate1_count, rate2_count,
                    rate3_count, rate4_count, rate5_count) FROM products WHERE id = $1",
            &[&p],
        )
        .await;
    assert_eq!(counts, ["0,0,0,0,0,0,0"]);
}

/// Review edits and deletions racing their product's deletion: each lands first or finds the
/// review gone (404), never a deadlock's 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_writes_racing_the_products_deletion_never_deadlock() {
    use futures_util::future::join_all;
    let app = api_tests::spawn_app_with(|c| c.db_pool_size = 16).await;
    let (seller, p) = product_with_stock(&app).await;
    let mut written = Vec::new();
    for i in 0..16 {
        let (buyer, _, item) = bought(&app, &p).await;
        let r = review(&app, &buyer, &p, &item, 1 + i % 5).await;
        assert_eq!(r.status, 201, "{}", r.text);
        written.push((buyer, r.body["id"].as_str().unwrap().to_owned()));
    }
    let writes = written.iter().enumerate().map(|(i, (buyer, id))| {
        let app = &app;
        async move {
            if i % 2 == 0 {
                app.patch(&format!("/api/review/{id}"))
                    .as_user(buyer)
                    .json(&json!({ "rating": 5 - i as i64 % 5 }))
                    .send()
                    .await
                    .status
            } else {
                app.delete(&format!("/api/review/{id}"))
                    .as_user(buyer)
                    .send()
                    .await
                    .status
            }
        }
    });
    let delete = app
        .delete(&format!("/api/products/{p}"))
        .as_user(&seller)
        .send();
    let (statuses, deleted) = futures_util::join!(join_all(writes), delete);
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    assert!(
        statuses.iter().all(|s| [200, 204, 404].contains(s)),
        "{statuses:?}"
    );
}
