//! E24-E28: the cart.

use api_tests::{keys, product_body, spawn_app};
use serde_json::json;

/// E26 for `buyer`: sets `sizes` of `product` in the cart.
async fn set_cart(
    app: &api_tests::TestApp,
    buyer: &api_tests::Session,
    product: &str,
    sizes: serde_json::Value,
) -> api_tests::Resp {
    app.patch("/api/cart")
        .as_user(buyer)
        .json(&json!({ "productId": product, "sizes": sizes }))
        .send()
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cart_is_created_once_and_always_an_object() {
    let app = spawn_app().await;
    let buyer = app.buyer().await;
    let first = app
        .post("/api/cart")
        .as_user(&buyer)
        .json(&json!({}))
        .send()
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(
        keys(&first.body),
        ["buyerId", "createdAt", "id", "quantity", "updatedAt"]
    );
    assert_eq!(first.body["quantity"], 0);
    let again = app.post("/api/cart").as_user(&buyer).send().await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body["id"], first.body["id"]);
    let other = app.buyer().await;
    let cart = app.get("/api/cart").as_user(&other).send().await;
    assert_eq!(cart.status, 200);
    assert_eq!(cart.body["items"], json!([]), "created on first read");
    let seller = app.seller().await;
    let r = app.post("/api/cart").as_user(&seller).send().await;
    assert_eq!(r.error_message(403), "구매자만 이용할 수 있습니다.");
    assert_eq!(app.get("/api/cart").send().await.status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patch_sets_absolute_quantities_within_stock() {
    let app = spawn_app().await;
    let (seller, _) = app.seller_with_store().await;
    let mut body = product_body("가디건", 20000, "top");
    body["stocks"] = json!([{ "sizeId": 3, "quantity": 3 }, { "sizeId": 4, "quantity": 5 }]);
    body["discountRate"] = json!(10);
    let product = app.create_product(&seller, &body).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let buyer = app.buyer().await;
    let r = set_cart(
        &app,
        &buyer,
        &product,
        json!([{ "sizeId": 4, "quantity": 2 }, { "sizeId": 3, "quantity": "3" }]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let lines = r.body.as_array().expect("an array (C12)");
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["sizeId"], 4, "request order");
    assert_eq!(
        keys(&lines[0]),
        [
            "cartId",
            "createdAt",
            "id",
            "productId",
            "quantity",
            "sizeId",
            "updatedAt"
        ]
    );
    let again = set_cart(
        &app,
        &buyer,
        &product,
        json!([{ "sizeId": 4, "quantity": 5 }]),
    )
    .await;
    assert_eq!(again.body[0]["quantity"], 5, "absolute, not added");
    assert_eq!(again.body[0]["id"], lines[0]["id"]);

    let cart = app.get("/api/cart").as_user(&buyer).send().await;
    assert_eq!(cart.body["quantity"], 8);
    let items = cart.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(
        (items[0]["sizeId"].clone(), items[1]["sizeId"].clone()),
        (json!(4), json!(3)),
        "listed in the order the PATCH added them"
    );
    let p = &items[0]["product"];
    assert_eq!(p["discountPrice"], 18000);
    assert_eq!(p["store"]["id"], json!(p["storeId"]));
    assert_eq!(
        p["stocks"][0]["size"],
        json!({ "id": 3, "name": "M", "size": { "en": "M", "ko": "미디엄" } })
    );
    assert_eq!(p["categoryId"], "cat_top");

    for (sizes, message) in [
        (
            json!([{ "sizeId": 3, "quantity": 4 }]),
            "해당 사이즈의 재고가 더 이상 존재하지 않습니다.",
        ),
        (
            json!([{ "sizeId": 1, "quantity": 1 }]),
            "해당 사이즈의 재고가 더 이상 존재하지 않습니다.",
        ),
        (
            json!([{ "sizeId": 3, "quantity": 3_000_000_000_i64 }]),
            "해당 사이즈의 재고가 더 이상 존재하지 않습니다.",
        ),
    ] {
        let r = set_cart(&app, &buyer, &product, json!(sizes)).await;
        assert_eq!(r.error_message(400), message);
    }
    for bad in [
        json!({ "productId": product }),
        json!({ "productId": product, "sizes": [{ "sizeId": 7, "quantity": 1 }] }),
        json!({ "productId": product, "sizes": [{ "sizeId": 3, "quantity": -3_000_000_000_i64 }] }),
        json!({ "sizes": [] }),
    ] {
        assert_eq!(
            app.patch("/api/cart")
                .as_user(&buyer)
                .json(&bad)
                .send()
                .await
                .status,
            400,
            "{bad}"
        );
    }
    let r = set_cart(&app, &buyer, "nope", json!([])).await;
    assert_eq!(r.error_message(404), "상품을 찾을 수 없습니다.");
    let empty = set_cart(&app, &buyer, &product, json!([])).await;
    assert_eq!(empty.body, json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cart_items_belong_to_their_buyer() {
    let app = spawn_app().await;
    let (_, product) = app.seller_with_product("셔츠").await;
    let buyer = app.buyer().await;
    let lines = set_cart(
        &app,
        &buyer,
        &product,
        json!([{ "sizeId": 3, "quantity": 1 }]),
    )
    .await
    .body;
    let id = lines[0]["id"].as_str().unwrap();
    let r = app
        .get(&format!("/api/cart/{id}"))
        .as_user(&buyer)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["cart"]["buyerId"], json!(buyer.id));
    assert_eq!(r.body["product"]["id"], json!(product));
    let other = app.buyer().await;
    let r = app
        .get(&format!("/api/cart/{id}"))
        .as_user(&other)
        .send()
        .await;
    assert_eq!(
        r.error_message(403),
        "장바구니 아이템에 대한 권한이 없습니다."
    );
    assert_eq!(
        app.delete(&format!("/api/cart/{id}"))
            .as_user(&other)
            .send()
            .await
            .status,
        403
    );
    let gone = app
        .delete(&format!("/api/cart/{id}"))
        .as_user(&buyer)
        .send()
        .await;
    assert_eq!(gone.status, 204);
    let r = app
        .delete(&format!("/api/cart/{id}"))
        .as_user(&buyer)
        .send()
        .await;
    assert_eq!(r.error_message(404), "장바구니에 아이템이 없습니다.");
    let cart = app.get("/api/cart").as_user(&buyer).send().await;
    assert_eq!(cart.body["quantity"], 0);
}

/// §1.3, §1.4: `Cart.quantity` stays the Σ of the lines left when a product goes, whether its
/// seller deletes it or the seller's account (and store) goes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_product_leaves_the_cart_and_its_quantity() {
    let app = spawn_app().await;
    let mut products = Vec::new();
    let mut sellers = Vec::new();
    for name in ["가디건", "셔츠", "코트"] {
        let (seller, _) = app.seller_with_store().await;
        let mut body = product_body(name, 20000, "top");
        body["stocks"] = json!([{ "sizeId": 3, "quantity": 9 }, { "sizeId": 4, "quantity": 9 }]);
        products.push(
            app.create_product(&seller, &body).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        sellers.push(seller);
    }
    let buyers = [app.buyer().await, app.buyer().await];
    for buyer in &buyers {
        for (product, quantity) in products.iter().zip([2, 3, 4]) {
            let r = set_cart(
                &app,
                buyer,
                product,
                json!([
                    { "sizeId": 3, "quantity": quantity }, { "sizeId": 4, "quantity": 1 }]),
            )
            .await;
            assert_eq!(r.status, 200, "{}", r.text);
        }
    }
    let cart = |buyer| {
        let app = &app;
        async move {
            let cart = app.get("/api/cart").as_user(buyer).send().await.body;
            (
                cart["quantity"].clone(),
                cart["items"].as_array().unwrap().len(),
            )
        }
    };
    assert_eq!(cart(&buyers[0]).await, (json!(12), 6));
    let deleted = app
        .delete(&format!("/api/products/{}", products[0]))
        .as_user(&sellers[0])
        .send()
        .await;
    assert_eq!(deleted.status, 204);
    for buyer in &buyers {
        assert_eq!(cart(buyer).await, (json!(9), 4));
    }
    let gone = app
        .delete("/api/users/delete")
        .as_user(&sellers[1])
        .send()
        .await;
    assert_eq!(gone.status, 200);
    for buyer in &buyers {
        assert_eq!(cart(buyer).await, (json!(5), 2));
    }
}

/// Cart writes racing a product's deletion: each write lands first or finds the product gone
/// (404), never a 500, and every cart's quantity is still the sum of its lines.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cart_writes_racing_a_deletion_keep_the_quantity_exact() {
    use futures_util::future::join_all;
    let app = api_tests::spawn_app_with(|c| c.db_pool_size = 16).await;
    let mut products = Vec::new();
    let mut sellers = Vec::new();
    for name in ["가", "나"] {
        let (seller, _) = app.seller_with_store().await;
        let mut body = product_body(name, 1000, "top");
        body["stocks"] = json!(
            (1..=6)
                .map(|size| json!({ "sizeId": size, "quantity": 50 }))
                .collect::<Vec<_>>()
        );
        products.push(
            app.create_product(&seller, &body).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        sellers.push(seller);
    }
    let buyers = join_all((0..16).map(|_| app.buyer())).await;
    for buyer in &buyers {
        for product in &products {
            set_cart(
                &app,
                buyer,
                product,
                json!([{ "sizeId": 1, "quantity": 2 }]),
            )
            .await;
        }
    }
    // While the first product is deleted, each buyer sets both products' sizes (a new line or,
    // for a third of them, the existing one), and a third first removes its line of the first.
    let lines: Vec<String> = app
        .column_with(
            "SELECT i.id FROM cart_items i JOIN carts c ON c.id = i.cart_id
             WHERE i.product_id = $1 ORDER BY c.buyer_id",
            &[&products[0]],
        )
        .await;
    let mut by_buyer = buyers.iter().map(|b| b.id.clone()).collect::<Vec<_>>();
    by_buyer.sort();
    let writes = buyers.iter().enumerate().map(|(i, buyer)| {
        let (app, products) = (&app, &products);
        let line = lines[by_buyer.iter().position(|id| *id == buyer.id).unwrap()].clone();
        async move {
            let mut statuses = Vec::new();
            if i % 3 == 2 {
                let r = app
                    .delete(&format!("/api/cart/{line}"))
                    .as_user(buyer)
                    .send()
                    .await;
                assert!([204, 404].contains(&r.status), "{}", r.text);
            }
            for product in products {
                let size = if i % 3 == 1 { 1 } else { 2 + i % 5 };
                let r = set_cart(
                    app,
                    buyer,
                    product,
                    json!([{ "sizeId": size, "quantity": 3 }]),
                )
                .await;
                statuses.push(r.status);
            }
            statuses
        }
    });
    let delete = app
        .delete(&format!("/api/products/{}", products[0]))
        .as_user(&sellers[0])
        .send();
    let (statuses, deleted) = futures_util::join!(join_all(writes), delete);
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    for s in &statuses {
        assert!([200, 404].contains(&s[0]), "{statuses:?}");
        assert_eq!(s[1], 200, "{statuses:?}");
    }
    let drift: i64 = app
        .scalar(
            "SELECT count(*) FROM carts c WHERE c.quantity <>
               COALESCE((SELECT SUM(quantity) FROM cart_items i WHERE i.cart_id = c.id), 0)",
            &[],
        )
        .await;
    assert_eq!(drift, 0, "every cart's quantity is the sum of its lines");
}

/// The one-time recount of release 2026-12-02 heals a cart whose cached quantity drifted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_recount_migration_heals_drifted_cart_quantities() {
    let app = spawn_app().await;
    let (_, product) = app.seller_with_product("가디건").await;
    let buyer = app.buyer().await;
    let r = set_cart(
        &app,
        &buyer,
        &product,
        json!([{ "sizeId": 3, "quantity": 1 }]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let empty = app.buyer().await;
    app.get("/api/cart").as_user(&empty).send().await;
    app.db
        .batch_execute("UPDATE carts SET quantity = quantity + 7")
        .await
        .unwrap();
    app.db
        .batch_execute(include_str!(
            "../../migrations/2026-12-02-000002_carts_recount/up.sql"
        ))
        .await
        .unwrap();
    let quantities: Vec<String> = app
        .column_with(
            "SELECT quantity::text FROM carts WHERE buyer_id = ANY($1) ORDER BY quantity",
            &[&vec![buyer.id.clone(), empty.id.clone()]],
        )
        .await;
    assert_eq!(quantities, ["0", "1"]);
}

/// Cart writes racing their buyer's account deletion: each lands first or finds the account
/// gone (401), never a foreign-key 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cart_writes_racing_the_buyers_account_deletion_are_200_or_401() {
    use futures_util::future::join_all;
    let app = api_tests::spawn_app_with(|c| c.db_pool_size = 16).await;
    let (seller, _) = app.seller_with_store().await;
    let mut body = product_body("탈퇴 장바구니", 1000, "top");
    body["stocks"] = json!(
        (1..=6)
            .map(|size| json!({ "sizeId": size, "quantity": 50 }))
            .collect::<Vec<_>>()
    );
    let product = app.create_product(&seller, &body).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for _ in 0..4 {
        let buyer = app.buyer().await;
        let writes = (1..=6).map(|size| {
            set_cart(
                &app,
                &buyer,
                &product,
                json!([{ "sizeId": size, "quantity": 1 }]),
            )
        });
        let delete = app.delete("/api/users/delete").as_user(&buyer).send();
        let (written, deleted) = futures_util::join!(join_all(writes), delete);
        assert_eq!(deleted.status, 200, "{}", deleted.text);
        let statuses: Vec<u16> = written.iter().map(|r| r.status).collect();
        assert!(
            statuses.iter().all(|s| [200, 401].contains(s)),
            "{statuses:?}"
        );
    }
}

/// A cart write racing the order that sells out its size: the line is refused (400), or it
/// lands first and its buyer is among the sold-out size's cart holders (N4). Never a line on a
/// sold-out size whose buyer is not told.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cart_line_racing_a_sell_out_is_refused_or_notified() {
    use futures_util::future::join_all;
    let app = api_tests::spawn_app_with(|c| c.db_pool_size = 16).await;
    let (seller, _) = app.seller_with_store().await;
    let mut products = Vec::new();
    for n in 0..24 {
        let mut body = product_body(&format!("마지막 한 벌 {n}"), 1000, "top");
        body["stocks"] = json!([{ "sizeId": 3, "quantity": 1 }]);
        products.push(
            app.create_product(&seller, &body).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let orderers = join_all((0..products.len()).map(|_| app.buyer())).await;
    let holders = join_all((0..products.len()).map(|_| app.buyer())).await;
    let races = products.iter().enumerate().map(|(i, product)| {
        let (app, orderer, holder) = (&app, &orderers[i], &holders[i]);
        async move {
            let line = set_cart(
                app,
                holder,
                product,
                json!([{ "sizeId": 3, "quantity": 1 }]),
            );
            let order = app
                .post("/api/orders")
                .as_user(orderer)
                .json(&json!({
                    "name": "김유저", "phone": "010-1234-5678", "address": "서울 강남구 101호",
                    "usePoint": 0,
                    "orderItems": [{ "productId": product, "sizeId": 3, "quantity": 1 }]
                }))
                .send();
            let (line, order) = futures_util::join!(line, order);
            assert_eq!(order.status, 201, "{}", order.text);
            assert!([200, 400].contains(&line.status), "{}", line.text);
            line.status
        }
    });
    let statuses = join_all(races).await;
    for (i, product) in products.iter().enumerate() {
        let holder = &holders[i].id;
        let lines: i64 = app
            .scalar(
                "SELECT count(*) FROM cart_items i JOIN carts c ON c.id = i.cart_id
                 WHERE c.buyer_id = $1 AND i.product_id = $2",
                &[holder, product],
            )
            .await;
        let told: i64 = app
            .scalar(
                "SELECT count(*) FROM notifications WHERE user_id = $1 AND product_id = $2
                 AND size_id = 3 AND type = 'OUT_OF_STOCK_CART'",
                &[holder, product],
            )
            .await;
        assert_eq!(lines, i64::from(statuses[i] == 200), "product {i}");
        assert_eq!(
            told, lines,
            "product {i}: a cart line on a sold-out size, untold"
        );
    }
}
