//! E10-E16 and E7: stores, the seller's view, favourites.

use api_tests::{PNG, Session, TestApp, keys, spawn_app, store_body};
use futures_util::future::join_all;
use reqwest::multipart::{Form, Part};
use serde_json::json;

const STORE_NOT_FOUND: &str = "스토어를 찾을 수 없습니다.";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seller_opens_one_store() {
    let app = spawn_app().await;
    let seller = app.seller().await;
    let r = app
        .post("/api/stores")
        .as_user(&seller)
        .json(&json!({
            "name": " CODI-IT ", "address": "서울", "phoneNumber": "02-123-4567",
            "content": "저희는 CODI-IT 입니다."
        }))
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        keys(&r.body),
        [
            "address",
            "content",
            "createdAt",
            "detailAddress",
            "id",
            "image",
            "name",
            "phoneNumber",
            "updatedAt",
            "userId"
        ]
    );
    assert_eq!(r.body["name"], "CODI-IT");
    assert_eq!(r.body["detailAddress"], "");
    assert_eq!(r.body["userId"], json!(seller.id));
    assert!(
        r.body["image"]
            .as_str()
            .unwrap()
            .ends_with("/static/default-store.png")
    );

    let second = app
        .post("/api/stores")
        .as_user(&seller)
        .json(&store_body("또"))
        .send()
        .await;
    assert_eq!(second.error_message(409), "이미 등록된 스토어가 있습니다.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_store_creation_yields_one_store() {
    let app = spawn_app().await;
    let seller = app.seller().await;
    let body = store_body("동시");
    let results =
        join_all((0..8).map(|_| app.post("/api/stores").as_user(&seller).json(&body).send())).await;
    let statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        7,
        "{statuses:?}"
    );
    let stores: i64 = app.scalar("SELECT count(*) FROM stores", &[]).await;
    assert_eq!(stores, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_creation_checks_role_and_fields() {
    let app = spawn_app().await;
    let buyer = app.buyer().await;
    let r = app
        .post("/api/stores")
        .as_user(&buyer)
        .json(&store_body("x"))
        .send()
        .await;
    assert_eq!(r.error_message(403), "판매자만 접근 가능합니다.");
    assert_eq!(
        app.post("/api/stores")
            .json(&store_body("x"))
            .send()
            .await
            .status,
        401
    );

    let seller = app.seller().await;
    let cases = [
        (
            json!({ "address": "a", "phoneNumber": "010-1234-5678", "content": "c" }),
            "name:",
        ),
        (
            json!({ "name": "n", "address": "a", "phoneNumber": "1234", "content": "c" }),
            "phoneNumber:",
        ),
        (
            json!({ "name": "n", "address": "a", "phoneNumber": "010-1234-5678", "content": "" }),
            "content:",
        ),
        (
            json!({ "name": "x".repeat(51), "address": "a", "phoneNumber": "010-1234-5678", "content": "c" }),
            "name:",
        ),
        (
            json!({ "name": "n", "address": "a", "detailAddress": "d".repeat(201), "phoneNumber": "010-1234-5678", "content": "c" }),
            "detailAddress:",
        ),
        (
            json!({ "name": "n", "address": "a", "phoneNumber": 1012345678, "content": "c" }),
            "phoneNumber:",
        ),
    ];
    for (body, field) in cases {
        let r = app
            .post("/api/stores")
            .as_user(&seller)
            .json(&body)
            .send()
            .await;
        assert!(r.error_message(400).contains(field), "{body}: {}", r.text);
    }
    let stores: i64 = app.scalar("SELECT count(*) FROM stores", &[]).await;
    assert_eq!(stores, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_can_be_opened_with_a_multipart_form_and_image() {
    let app = spawn_app().await;
    let seller = app.seller().await;
    let form = Form::new()
        .text("name", "사진가게")
        .text("address", "서울")
        .text("detailAddress", "")
        .text("phoneNumber", "01012345678")
        .text("content", "사진이 있는 가게입니다")
        .part(
            "image",
            Part::bytes(PNG.to_vec())
                .file_name("store.png")
                .mime_str("image/png")
                .unwrap(),
        );
    let r = app
        .post("/api/stores")
        .as_user(&seller)
        .multipart(form)
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["detailAddress"], "");
    assert!(
        r.body["image"]
            .as_str()
            .unwrap()
            .contains("/uploads/upload/")
    );

    let other = app.seller().await;
    let form = Form::new()
        .text("name", "가게")
        .text("address", "서울")
        .text("phoneNumber", "010-1234-5678")
        .text("content", "내용")
        .part(
            "image",
            Part::bytes(b"GIF but not really".to_vec()).file_name("x.gif"),
        );
    let r = app
        .post("/api/stores")
        .as_user(&other)
        .multipart(form)
        .send()
        .await;
    assert_eq!(r.error_message(400), "이미지 파일만 업로드할 수 있습니다.");
    let stores: i64 = app
        .scalar(
            "SELECT count(*) FROM stores WHERE user_id = $1",
            &[&other.id],
        )
        .await;
    assert_eq!(stores, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_edits_belong_to_the_owner() {
    let app = spawn_app().await;
    let (owner, store_id) = app.seller_with_store().await;
    let path = format!("/api/stores/{store_id}");
    let r = app
        .patch(&path)
        .as_user(&owner)
        .json(&json!({ "name": "새 이름", "image": "https://cdn.test/s.png" }))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["name"], "새 이름");
    assert_eq!(r.body["address"], "서울특별시 강남구 테헤란로 123");
    assert_eq!(r.body["image"], "https://cdn.test/s.png");

    let reset = app
        .patch(&path)
        .as_user(&owner)
        .json(&json!({ "removeImage": "true" }))
        .send()
        .await;
    assert!(
        reset.body["image"]
            .as_str()
            .unwrap()
            .ends_with("/static/default-store.png")
    );

    let (intruder, _) = app.seller_with_store().await;
    let forbidden = app
        .patch(&path)
        .as_user(&intruder)
        .json(&json!({ "name": "x" }))
        .send()
        .await;
    assert_eq!(
        forbidden.error_message(403),
        "스토어에 대한 권한이 없습니다."
    );
    let missing = app
        .patch("/api/stores/nope")
        .as_user(&owner)
        .json(&json!({ "name": "x" }))
        .send()
        .await;
    assert_eq!(missing.error_message(404), STORE_NOT_FOUND);
    let invalid = app
        .patch(&path)
        .as_user(&owner)
        .json(&json!({ "phoneNumber": "x" }))
        .send()
        .await;
    assert!(invalid.error_message(400).starts_with("phoneNumber:"));
    let buyer = app.buyer().await;
    assert_eq!(
        app.patch(&path)
            .as_user(&buyer)
            .json(&json!({}))
            .send()
            .await
            .status,
        403
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_store_page_counts_favourites() {
    let app = spawn_app().await;
    let (_, store_id) = app.seller_with_store().await;
    for _ in 0..2 {
        let buyer = app.buyer().await;
        let r = app
            .post(&format!("/api/stores/{store_id}/favorite"))
            .as_user(&buyer)
            .send()
            .await;
        assert_eq!(r.status, 201);
    }
    let r = app
        .get(&format!("/api/stores/{store_id}"))
        .bearer("garbage")
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["favoriteCount"], 2);
    assert_eq!(r.body["id"], json!(store_id));
    for id in ["unknown", "x'or'1'='1", "detail"] {
        let r = app.get(&format!("/api/stores/{id}")).send().await;
        assert_eq!(r.error_message(404), STORE_NOT_FOUND, "{id}");
    }
}

async fn add_product(
    app: &TestApp,
    seller: &Session,
    name: &str,
    stocks: serde_json::Value,
    discount: serde_json::Value,
) -> String {
    let mut body = json!({ "name": name, "price": 10000, "categoryName": "top", "stocks": stocks });
    if let Some(obj) = discount.as_object() {
        for (k, v) in obj {
            body[k] = v.clone();
        }
    }
    app.create_product(seller, &body).await["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_store_shows_its_counts() {
    let app = spawn_app().await;
    let seller = app.seller().await;
    let none = app
        .get("/api/stores/detail/my")
        .as_user(&seller)
        .send()
        .await;
    assert_eq!(none.error_message(404), STORE_NOT_FOUND);
    let no_products = app
        .get("/api/stores/detail/my/product")
        .as_user(&seller)
        .send()
        .await;
    assert_eq!(no_products.error_message(404), STORE_NOT_FOUND);

    let (seller, store_id) = app.seller_with_store().await;
    let p1 = add_product(
        &app,
        &seller,
        "셔츠",
        json!([{ "sizeId": 3, "quantity": 2 }]),
        json!({}),
    )
    .await;
    add_product(
        &app,
        &seller,
        "바지",
        json!([{ "sizeId": 3, "quantity": 0 }]),
        json!({}),
    )
    .await;
    let buyer = app.buyer().await;
    app.post(&format!("/api/stores/{store_id}/favorite"))
        .as_user(&buyer)
        .send()
        .await;
    let old_fan = app.buyer().await;
    app.post(&format!("/api/stores/{store_id}/favorite"))
        .as_user(&old_fan)
        .send()
        .await;
    app.db
        .execute(
            "UPDATE favorite_stores SET created_at = now() - interval '40 days' WHERE user_id = $1",
            &[&old_fan.id],
        )
        .await
        .unwrap();
    app.db
        .batch_execute(&format!(
            "INSERT INTO orders (id, name, phone_number, address, subtotal, total_quantity, status) VALUES
               ('o1', 'a', '010', 'x', 1, 3, 'CompletedPayment'), ('o2', 'a', '010', 'x', 1, 4, 'Shipped'),
               ('o3', 'a', '010', 'x', 1, 5, 'Cancelled');
             INSERT INTO order_items (order_id, product_id, store_id, product_name, product_image, size_id, quantity, price, position) VALUES
               ('o1', '{p1}', '{store_id}', '셔츠', 'x', 3, 3, 1, 0), ('o2', NULL, '{store_id}', '삭제됨', 'x', 3, 4, 1, 0),
               ('o3', '{p1}', '{store_id}', '셔츠', 'x', 3, 5, 1, 0), ('o1', NULL, 'another-store', 'x', 'x', 3, 9, 1, 1);"
        ))
        .await
        .unwrap();
    let r = app
        .get("/api/stores/detail/my")
        .as_user(&seller)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["id"], json!(store_id));
    assert_eq!(r.body["productCount"], 2);
    assert_eq!(r.body["favoriteCount"], 2);
    assert_eq!(r.body["monthFavoriteCount"], 1);
    assert_eq!(
        r.body["totalSoldCount"], 7,
        "paid and shipped lines only, deleted products included"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_products_are_paged_newest_first_with_stock_totals() {
    let app = spawn_app().await;
    let (seller, _) = app.seller_with_store().await;
    let sold_out = add_product(
        &app,
        &seller,
        "품절",
        json!([{ "sizeId": 1, "quantity": 0 }, { "sizeId": 2, "quantity": 0 }]),
        json!({}),
    )
    .await;
    let discounted = add_product(
        &app,
        &seller,
        "할인",
        json!([{ "sizeId": 1, "quantity": 2 }, { "sizeId": 6, "quantity": 3 }]),
        json!({ "discountRate": 10 }),
    )
    .await;
    let scheduled = add_product(
        &app,
        &seller,
        "예정",
        json!([{ "sizeId": 3, "quantity": 1 }]),
        json!({ "discountRate": 10, "discountStartTime": "2099-01-01T00:00:00Z" }),
    )
    .await;
    let r = app
        .get("/api/stores/detail/my/product?page=1&pageSize=2")
        .as_user(&seller)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["totalCount"], 3);
    let list = r.body["list"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["id"], json!(scheduled));
    assert_eq!(list[0]["isDiscount"], false);
    assert_eq!(list[1]["id"], json!(discounted));
    assert_eq!(list[1]["stock"], 5);
    assert_eq!(list[1]["isDiscount"], true);
    assert_eq!(
        keys(&list[1]),
        [
            "createdAt",
            "id",
            "image",
            "isDiscount",
            "isSoldOut",
            "name",
            "price",
            "stock"
        ]
    );
    let page2 = app
        .get("/api/stores/detail/my/product?page=2&pageSize=2")
        .as_user(&seller)
        .send()
        .await;
    assert_eq!(page2.body["list"][0]["id"], json!(sold_out));
    assert_eq!(page2.body["list"][0]["stock"], 0);
    assert_eq!(page2.body["list"][0]["isSoldOut"], true);
    let past = app
        .get("/api/stores/detail/my/product?page=9")
        .as_user(&seller)
        .send()
        .await;
    assert_eq!(past.body, json!({ "list": [], "totalCount": 3 }));
    let bad = app
        .get("/api/stores/detail/my/product?page=0")
        .as_user(&seller)
        .send()
        .await;
    assert!(bad.error_message(400).starts_with("page:"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn favourites_are_idempotent_and_for_buyers_only() {
    let app = spawn_app().await;
    let (seller, store_id) = app.seller_with_store().await;
    let (_, second_store) = app.seller_with_store().await;
    let buyer = app.buyer().await;
    let path = format!("/api/stores/{store_id}/favorite");
    for _ in 0..2 {
        let r = app
            .post(&path)
            .as_user(&buyer)
            .json(&json!({}))
            .send()
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.body["type"], "register");
        assert_eq!(r.body["store"]["id"], json!(store_id));
    }
    let rows: i64 = app
        .scalar("SELECT count(*) FROM favorite_stores", &[])
        .await;
    assert_eq!(rows, 1);
    app.post(&format!("/api/stores/{second_store}/favorite"))
        .as_user(&buyer)
        .send()
        .await;

    let likes = app.get("/api/users/me/likes").as_user(&buyer).send().await;
    assert_eq!(likes.status, 200);
    let list = likes.body.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["storeId"], json!(second_store), "newest first");
    assert_eq!(list[1]["store"]["id"], json!(store_id));
    assert_eq!(list[1]["userId"], json!(buyer.id));
    assert_eq!(keys(&list[1]), ["createdAt", "store", "storeId", "userId"]);

    for _ in 0..2 {
        let r = app.delete(&path).as_user(&buyer).send().await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["type"], "delete");
    }
    let likes = app.get("/api/users/me/likes").as_user(&buyer).send().await;
    assert_eq!(likes.body.as_array().unwrap().len(), 1);

    let r = app.post(&path).as_user(&seller).send().await;
    assert_eq!(r.error_message(403), "구매자만 이용할 수 있습니다.");
    let r = app.delete(&path).as_user(&seller).send().await;
    assert_eq!(r.status, 403);
    let r = app
        .post("/api/stores/nope/favorite")
        .as_user(&buyer)
        .send()
        .await;
    assert_eq!(r.error_message(404), STORE_NOT_FOUND);
    assert_eq!(
        app.get("/api/users/me/likes")
            .as_user(&seller)
            .send()
            .await
            .body,
        json!([])
    );
}

/// Favourites racing the deletion of the store's seller: each lands first or finds the store
/// gone (404), never a foreign-key 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn favourites_racing_the_sellers_deletion_find_the_store_gone() {
    let app = api_tests::spawn_app_with(|c| c.db_pool_size = 16).await;
    for _ in 0..3 {
        let (seller, store_id) = app.seller_with_store().await;
        let buyers = join_all((0..16).map(|_| app.buyer())).await;
        let favourites = buyers.iter().map(|buyer| {
            let (app, store_id) = (&app, &store_id);
            async move {
                app.post(&format!("/api/stores/{store_id}/favorite"))
                    .as_user(buyer)
                    .send()
                    .await
                    .status
            }
        });
        let delete = app.delete("/api/users/delete").as_user(&seller).send();
        let (statuses, deleted) = futures_util::join!(join_all(favourites), delete);
        assert_eq!(deleted.status, 200);
        assert!(
            statuses.iter().all(|s| [201, 404].contains(s)),
            "{statuses:?}"
        );
    }
}
