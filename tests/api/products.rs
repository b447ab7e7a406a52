//! E17, E19-E21: product create, detail, edit and delete.

use api_tests::{PNG, keys, product_body, spawn_app, store_body};
use reqwest::multipart::{Form, Part};
use serde_json::json;

const NOT_FOUND: &str = "상품을 찾을 수 없습니다.";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_created_product_answers_with_its_full_detail() {
    let app = spawn_app().await;
    let (seller, store_id) = app.seller_with_store().await;
    let r = app
        .post("/api/products")
        .as_user(&seller)
        .json(&json!({
            "name": " 가디건 ", "price": "20000", "categoryName": "TOP",
            "stocks": [{ "sizeId": 6, "quantity": 0 }, { "sizeId": 3, "quantity": 3 }],
            "content": "  <p>부드러운</p> ", "discountRate": 10
        }))
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let p = &r.body;
    assert_eq!(
        keys(p),
        [
            "category",
            "content",
            "createdAt",
            "discountEndTime",
            "discountPrice",
            "discountRate",
            "discountStartTime",
            "id",
            "image",
            "inquiries",
            "isSoldOut",
            "name",
            "price",
            "reviews",
            "reviewsCount",
            "reviewsRating",
            "sales",
            "stocks",
            "storeId",
            "storeName",
            "updatedAt"
        ]
    );
    assert_eq!(p["name"], "가디건");
    assert_eq!(
        p["content"], "  <p>부드러운</p> ",
        "content is stored unchanged"
    );
    assert_eq!(p["price"], 20000);
    assert_eq!(p["discountPrice"], 18000);
    assert_eq!(p["discountRate"], 10);
    assert_eq!(p["discountStartTime"], json!(null));
    assert_eq!(p["category"], json!({ "id": "cat_top", "name": "top" }));
    assert_eq!(p["storeId"], json!(store_id));
    assert_eq!(p["sales"], 0);
    assert_eq!(p["isSoldOut"], false);
    assert_eq!(p["inquiries"], json!([]));
    assert_eq!(p["reviewsRating"], 0.0);
    assert_eq!(
        p["reviews"],
        json!({ "rate1Length": 0, "rate2Length": 0, "rate3Length": 0, "rate4Length": 0, "rate5Length": 0, "sumScore": 0.0 })
    );
    let stocks = p["stocks"].as_array().unwrap();
    assert_eq!(stocks.len(), 2);
    assert_eq!(stocks[0]["size"], json!({ "id": 3, "name": "M" }));
    assert_eq!(stocks[0]["quantity"], 3);
    assert_eq!(stocks[1]["size"], json!({ "id": 6, "name": "FREE" }));
    assert_eq!(stocks[1]["productId"], p["id"]);
    assert!(
        p["image"]
            .as_str()
            .unwrap()
            .ends_with("/static/default-product.png")
    );

    let detail = app
        .get(&format!("/api/products/{}", p["id"].as_str().unwrap()))
        .bearer("expired")
        .send()
        .await;
    assert_eq!(detail.status, 200);
    assert_eq!(detail.body, r.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_clients_multipart_form_creates_a_product() {
    let app = spawn_app().await;
    let (seller, _) = app.seller_with_store().await;
    let form = Form::new()
        .text("name", "니트 조끼")
        .text("price", "30000")
        .text("content", "<p>니트</p>")
        .text("categoryName", "top")
        .text(
            "stocks",
            r#"[{"sizeId":1,"quantity":5},{"sizeId":2,"quantity":0}]"#,
        )
        .text("discountRate", "33")
        .text("discountStartTime", "2025-06-01T00:00:00.000Z")
        .text("discountEndTime", "2099-06-10T09:00")
        .part(
            "image",
            Part::bytes(PNG.to_vec())
                .file_name("knit.png")
                .mime_str("image/png")
                .unwrap(),
        );
    let r = app
        .post("/api/products")
        .as_user(&seller)
        .multipart(form)
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        r.body["discountPrice"], 20099,
        "floor(30000 × (1 − 0.33)) in binary64"
    );
    assert_eq!(r.body["discountStartTime"], "2025-06-01T00:00:00.000Z");
    assert_eq!(
        r.body["discountEndTime"], "2099-06-10T00:00:00.000Z",
        "local time read in Asia/Seoul"
    );
    assert!(
        r.body["image"]
            .as_str()
            .unwrap()
            .contains("/uploads/upload/")
    );
    assert_eq!(r.body["stocks"].as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discount_prices_use_the_float_formula_and_the_period() {
    let app = spawn_app().await;
    let (seller, _) = app.seller_with_store().await;
    let mut body = product_body("소품", 1000, "acc");
    body["discountRate"] = json!(7);
    assert_eq!(
        app.create_product(&seller, &body).await["discountPrice"],
        929
    );
    body["discountStartTime"] = json!("2099-01-01T00:00:00Z");
    let scheduled = app.create_product(&seller, &body).await;
    assert_eq!(scheduled["discountPrice"], 1000);
    assert_eq!(
        scheduled["discountRate"], 7,
        "the stored rate is shown even when inactive"
    );
    let mut no_rate = product_body("무할인", 5000, "acc");
    no_rate["discountStartTime"] = json!("2025-01-02T00:00:00Z");
    no_rate["discountEndTime"] = json!("2025-01-01T00:00:00Z");
    let plain = app.create_product(&seller, &no_rate).await;
    assert_eq!(
        plain["discountStartTime"],
        json!(null),
        "ignored without a rate"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_product_forms_are_400_and_write_nothing() {
    let app = spawn_app().await;
    let (seller, _) = app.seller_with_store().await;
    let base = product_body("상품", 10000, "top");
    let with = |key: &str, value: serde_json::Value| {
        let mut b = base.clone();
        b[key] = value;
        b
    };
    let cases = [
        (with("price", json!("만원")), "price:"),
        (with("price", json!(-1)), "price:"),
        (with("price", json!(1_000_000_001)), "price:"),
        (with("stocks", json!("[{not json")), "stocks:"),
        (
            with("stocks", json!([{ "sizeId": 7, "quantity": 1 }])),
            "stocks:",
        ),
        (
            with("stocks", json!([{ "sizeId": 1, "quantity": -3 }])),
            "stocks:",
        ),
        (with("stocks", json!([])), "stocks:"),
        (with("discountRate", json!(101)), "discountRate:"),
        (with("name", json!("")), "name:"),
    ];
    for (body, field) in cases {
        let r = app
            .post("/api/products")
            .as_user(&seller)
            .json(&body)
            .send()
            .await;
        assert!(r.error_message(400).contains(field), "{body}: {}", r.text);
    }
    let mut backwards = with("discountRate", json!(10));
    backwards["discountStartTime"] = json!("2025-06-10T00:00:00Z");
    backwards["discountEndTime"] = json!("2025-06-01T00:00:00Z");
    let r = app
        .post("/api/products")
        .as_user(&seller)
        .json(&backwards)
        .send()
        .await;
    assert!(r.error_message(400).contains("discountEndTime"));
    let r = app
        .post("/api/products")
        .as_user(&seller)
        .json(&with("categoryName", json!("hats")))
        .send()
        .await;
    assert_eq!(r.error_message(400), "존재하지 않는 카테고리입니다.");

    let r = app
        .post("/api/products")
        .as_user(&seller)
        .multipart(fake_image_form("가짜 사진"))
        .send()
        .await;
    assert_eq!(r.error_message(400), "이미지 파일만 업로드할 수 있습니다.");

    let rows: i64 = app
        .scalar(
            "SELECT (SELECT count(*) FROM products) + (SELECT count(*) FROM stocks)",
            &[],
        )
        .await;
    assert_eq!(rows, 0, "nothing half-written");
    assert_eq!(
        std::fs::read_dir(&app.upload_dir)
            .map(|d| d.count())
            .unwrap_or(0),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn product_creation_needs_a_seller_with_a_store() {
    let app = spawn_app().await;
    let storeless = app.seller().await;
    let r = app
        .post("/api/products")
        .as_user(&storeless)
        .json(&product_body("x", 1, "top"))
        .send()
        .await;
    assert_eq!(r.error_message(404), "스토어를 찾을 수 없습니다.");
    let buyer = app.buyer().await;
    let r = app
        .post("/api/products")
        .as_user(&buyer)
        .json(&product_body("x", 1, "top"))
        .send()
        .await;
    assert_eq!(r.error_message(403), "판매자만 접근 가능합니다.");
    assert_eq!(
        app.post("/api/products")
            .json(&product_body("x", 1, "top"))
            .send()
            .await
            .status,
        401
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_products_are_404() {
    let app = spawn_app().await;
    for id in [
        "nope",
        "%27%20OR%201%3D1",
        "0193a9c2d4e57f00b1234567890abcde",
    ] {
        let r = app.get(&format!("/api/products/{id}")).send().await;
        assert_eq!(r.error_message(404), NOT_FOUND, "{id}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_edits_change_only_what_they_name() {
    let app = spawn_app().await;
    let (seller, _) = app.seller_with_store().await;
    let mut body = product_body("원래", 20000, "top");
    body["discountRate"] = json!(10);
    body["discountEndTime"] = json!("2099-01-01T00:00:00Z");
    let id = app.create_product(&seller, &body).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/products/{id}");

    let r = app
        .patch(&path)
        .as_user(&seller)
        .json(&json!({ "name": "바뀜", "price": 30000 }))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["name"], "바뀜");
    assert_eq!(r.body["discountRate"], 10, "absent discount fields stay");
    assert_eq!(r.body["discountPrice"], 27000);
    assert_eq!(r.body["discountEndTime"], "2099-01-01T00:00:00.000Z");

    let r = app
        .patch(&path)
        .as_user(&seller)
        .json(&json!({ "discountEndTime": null }))
        .send()
        .await;
    assert_eq!(r.body["discountEndTime"], json!(null));
    assert_eq!(r.body["discountRate"], 10);
    let r = app
        .patch(&path)
        .as_user(&seller)
        .json(&json!({ "discountRate": null }))
        .send()
        .await;
    assert_eq!(r.body["discountRate"], 0);
    assert_eq!(r.body["discountPrice"], 30000);

    let r = app
        .patch(&path)
        .as_user(&seller)
        .json(&json!({ "stocks": [{ "sizeId": 1, "quantity": 4 }, { "sizeId": 3, "quantity": 0 }], "categoryName": "Dress" }))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["category"]["name"], "dress");
    let sizes: Vec<i64> = r.body["stocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["size"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!(sizes, [1, 3], "the stock list is replaced");
    assert_eq!(r.body["stocks"][1]["quantity"], 0);
    let rows: i64 = app
        .scalar("SELECT count(*) FROM stocks WHERE product_id = $1", &[&id])
        .await;
    assert_eq!(rows, 2);

    let bad = app
        .patch(&path)
        .as_user(&seller)
        .json(&json!({ "categoryName": "hats" }))
        .send()
        .await;
    assert_eq!(bad.error_message(400), "존재하지 않는 카테고리입니다.");
    let bad = app
        .patch(&path)
        .as_user(&seller)
        .json(&json!({ "stocks": "nope" }))
        .send()
        .await;
    assert!(bad.error_message(400).starts_with("stocks:"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_multipart_edit_without_a_rate_clears_the_discount() {
    let app = spawn_app().await;
    let (seller, _) = app.seller_with_store().await;
    let mut body = product_body("할인상품", 10000, "top");
    body["discountRate"] = json!(20);
    body["discountStartTime"] = json!("2025-01-01T00:00:00Z");
    let id = app.create_product(&seller, &body).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The edit form with its discount toggle off: no discount fields at all.
    let form = Form::new()
        .text("name", "할인 끝")
        .text("price", "10000")
        .text("discountRate", "");
    let r = app
        .patch(&format!("/api/products/{id}"))
        .as_user(&seller)
        .multipart(form)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["discountRate"], 0);
    assert_eq!(r.body["discountStartTime"], json!(null));
    assert_eq!(r.body["discountPrice"], 10000);
    let form = Form::new()
        .text("discountRate", "15")
        .text("discountEndTime", "2099-01-01T00:00:00Z");
    let r = app
        .patch(&format!("/api/products/{id}"))
        .as_user(&seller)
        .multipart(form)
        .send()
        .await;
    assert_eq!(r.body["discountRate"], 15);
    assert_eq!(r.body["discountStartTime"], json!(null));
    assert_eq!(r.body["discountPrice"], 8500);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_owner_edits_or_deletes() {
    let app = spawn_app().await;
    let (owner, _) = app.seller_with_store().await;
    let id = app
        .create_product(&owner, &product_body("내것", 1000, "top"))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/products/{id}");
    let (other, _) = app.seller_with_store().await;
    let r = app
        .patch(&path)
        .as_user(&other)
        .json(&json!({ "name": "x" }))
        .send()
        .await;
    assert_eq!(r.error_message(403), "이 상품을 수정할 권한이 없습니다.");
    let r = app.delete(&path).as_user(&other).send().await;
    assert_eq!(r.error_message(403), "이 상품을 삭제할 권한이 없습니다.");
    let buyer = app.buyer().await;
    let r = app.delete(&path).as_user(&buyer).send().await;
    assert_eq!(r.error_message(403), "판매자만 접근 가능합니다.");
    let r = app
        .patch("/api/products/nope")
        .as_user(&owner)
        .json(&json!({ "name": "x" }))
        .send()
        .await;
    assert_eq!(r.error_message(404), NOT_FOUND);
    let name: String = app
        .scalar("SELECT name FROM products WHERE id = $1", &[&id])
        .await;
    assert_eq!(name, "내것");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_product_keeps_order_history() {
    let app = spawn_app().await;
    let (seller, store_id) = app.seller_with_store().await;
    let id = app
        .create_product(&seller, &product_body("지울것", 1000, "top"))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let buyer = app.buyer().await;
    app.db
        .batch_execute(&format!(
            "INSERT INTO orders (id, buyer_id, name, phone_number, address, subtotal, total_quantity, status)
               VALUES ('o1', '{}', 'a', '010', 'x', 1000, 1, 'CompletedPayment');
             INSERT INTO order_items (id, order_id, product_id, store_id, product_name, product_image, size_id, quantity, price, position)
               VALUES ('oi1', 'o1', '{id}', '{store_id}', '지울것', 'http://x/p.png', 3, 1, 1000, 0);
             INSERT INTO reviews (user_id, product_id, order_item_id, rating, content)
               VALUES ('{}', '{id}', 'oi1', 5, '아주 좋은 상품입니다');",
            buyer.id, buyer.id
        ))
        .await
        .unwrap();
    let r = app
        .delete(&format!("/api/products/{id}"))
        .as_user(&seller)
        .send()
        .await;
    assert_eq!(r.status, 204);
    assert!(r.text.is_empty());
    let snapshot: (Option<String>, String) = {
        let row = app
            .db
            .query_one(
                "SELECT product_id, product_name FROM order_items WHERE id = 'oi1'",
                &[],
            )
            .await
            .unwrap();
        (row.get(0), row.get(1))
    };
    assert_eq!(snapshot, (None, "지울것".to_owned()));
    let review_product: Option<String> = app.scalar("SELECT product_id FROM reviews", &[]).await;
    assert_eq!(review_product, None);
    let stocks: i64 = app.scalar("SELECT count(*) FROM stocks", &[]).await;
    assert_eq!(stocks, 0);
    let again = app
        .delete(&format!("/api/products/{id}"))
        .as_user(&seller)
        .send()
        .await;
    assert_eq!(again.error_message(404), NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_that_sells_out_a_size_notifies_cart_holders() {
    let app = spawn_app().await;
    let (seller, _) = app.seller_with_store().await;
    let mut body = product_body("청바지", 30000, "bottom");
    body["stocks"] = json!([{ "sizeId": 3, "quantity": 5 }, { "sizeId": 4, "quantity": 0 }]);
    let id = app.create_product(&seller, &body).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let holders = [app.buyer().await, app.buyer().await];
    let bystander = app.buyer().await;
    for (buyer, size) in [(&holders[0], 3), (&holders[1], 3), (&bystander, 4)] {
        app.db
            .execute(
                "WITH c AS (INSERT INTO carts (buyer_id) VALUES ($1) RETURNING id)
                 INSERT INTO cart_items (cart_id, product_id, size_id, quantity) SELECT id, $2, $3, 1 FROM c",
                &[&buyer.id, &id, &size],
            )
            .await
            .unwrap();
    }
    let mut stream = app.stream(&holders[0], None).await;
    let r = app
        .patch(&format!("/api/products/{id}"))
        .as_user(&seller)
        .json(&json!({ "name": "새 청바지", "stocks": [{ "sizeId": 3, "quantity": 0 }, { "sizeId": 4, "quantity": 0 }] }))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let (_, data) = stream
        .next_event(std::time::Duration::from_secs(2))
        .await
        .expect("N5 on the stream");
    assert_eq!(
        data["content"],
        "장바구니에 담은 상품 \"새 청바지\"의 M 사이즈가 품절되었습니다."
    );
    let rows = app
        .db
        .query(
            "SELECT user_id, type, size_id FROM notifications ORDER BY user_id",
            &[],
        )
        .await
        .unwrap();
    let mut got: Vec<(String, String, i32)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    got.sort();
    let mut want: Vec<(String, String, i32)> = holders
        .iter()
        .map(|h| (h.id.clone(), "OUT_OF_STOCK_CART".to_owned(), 3))
        .collect();
    want.sort();
    assert_eq!(
        got, want,
        "only holders of the size that went from > 0 to 0"
    );
    // 0 → 0 is not a sold-out event.
    app.patch(&format!("/api/products/{id}"))
        .as_user(&seller)
        .json(&json!({ "stocks": [{ "sizeId": 3, "quantity": 0 }] }))
        .send()
        .await;
    let count: i64 = app.scalar("SELECT count(*) FROM notifications", &[]).await;
    assert_eq!(count, 2);
}

fn with_image(mut body: serde_json::Value, image: &str) -> serde_json::Value {
    body["image"] = json!(image);
    body
}

fn fake_image_form(name: &str) -> Form {
    Form::new()
        .text("name", name.to_owned())
        .text("price", "1000")
        .text("categoryName", "top")
        .text("stocks", r#"[{"sizeId":1,"quantity":1}]"#)
        .part(
            "image",
            Part::bytes(b"MZ\x90\0 executable".to_vec())
                .file_name("photo.jpg")
                .mime_str("image/jpeg")
                .unwrap(),
        )
}

/// §0.6: a bad image or an unknown category (400) comes before the seller's missing store
/// (404), another seller's product (403) and a second store (409).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_checks_come_before_lookups_ownership_and_conflicts() {
    let app = spawn_app().await;
    let storeless = app.seller().await;
    let r = app
        .post("/api/products")
        .as_user(&storeless)
        .json(
            &json!({ "name": "모자", "price": 1000, "categoryName": "hats",
                       "stocks": [{ "sizeId": 1, "quantity": 1 }] }),
        )
        .send()
        .await;
    assert_eq!(r.error_message(400), "존재하지 않는 카테고리입니다.");
    let r = app
        .post("/api/products")
        .as_user(&storeless)
        .multipart(fake_image_form("가짜"))
        .send()
        .await;
    assert_eq!(r.error_message(400), "이미지 파일만 업로드할 수 있습니다.");

    let (owner, product) = app.seller_with_product("가디건").await;
    let (other, _) = app.seller_with_store().await;
    let r = app
        .patch(&format!("/api/products/{product}"))
        .as_user(&other)
        .multipart(fake_image_form("남의 것"))
        .send()
        .await;
    assert_eq!(r.error_message(400), "이미지 파일만 업로드할 수 있습니다.");
    let r = app
        .patch(&format!("/api/products/{product}"))
        .as_user(&other)
        .json(&json!({ "categoryName": "hats" }))
        .send()
        .await;
    assert_eq!(r.error_message(400), "존재하지 않는 카테고리입니다.");
    let r = app
        .patch("/api/products/no-such-product")
        .as_user(&owner)
        .json(&json!({ "categoryName": "hats" }))
        .send()
        .await;
    assert_eq!(r.error_message(400), "존재하지 않는 카테고리입니다.");

    let r = app
        .post("/api/stores")
        .as_user(&owner)
        .json(&with_image(store_body("두 번째"), "not a url"))
        .send()
        .await;
    assert!(r.error_message(400).starts_with("image:"), "{}", r.text);
    let store = app
        .column_with("SELECT id FROM stores WHERE user_id = $1", &[&owner.id])
        .await
        .pop()
        .unwrap();
    let r = app
        .patch(&format!("/api/stores/{store}"))
        .as_user(&other)
        .json(&json!({ "image": "ftp://example.com/x.png" }))
        .send()
        .await;
    assert!(r.error_message(400).starts_with("image:"), "{}", r.text);
    assert_eq!(
        std::fs::read_dir(&app.upload_dir)
            .map(|d| d.count())
            .unwrap_or(0),
        0,
        "nothing stored"
    );
}

/// Products moved between two categories in both directions at once: the shared per-category
/// counters are locked in one order, so no edit deadlocks (a 500), and they stay exact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opposite_recategorisations_never_deadlock_and_keep_the_counts() {
    use futures_util::future::join_all;
    let app = api_tests::spawn_app_with(|c| c.db_pool_size = 16).await;
    let (seller, _) = app.seller_with_store().await;
    let mut moves = Vec::new();
    for i in 0..24 {
        let (from, to) = if i % 2 == 0 {
            ("top", "bottom")
        } else {
            ("bottom", "top")
        };
        let id = app
            .create_product(&seller, &product_body(&format!("이동 {i}"), 1000, from))
            .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        moves.push((id, to));
    }
    for _ in 0..2 {
        let edits = moves.iter_mut().map(|(id, to)| {
            let (app, seller) = (&app, &seller);
            let target = *to;
            *to = if target == "top" { "bottom" } else { "top" };
            async move {
                app.patch(&format!("/api/products/{id}"))
                    .as_user(seller)
                    .json(&json!({ "categoryName": target }))
                    .send()
                    .await
                    .status
            }
        });
        let statuses = join_all(edits).await;
        assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    }
    let wrong: i64 = app
        .scalar(
            "SELECT count(*) FROM product_counts pc WHERE pc.products <>
               (SELECT count(*) FROM products p WHERE p.category_id = pc.category_id)",
            &[],
        )
        .await;
    assert_eq!(wrong, 0);
}
