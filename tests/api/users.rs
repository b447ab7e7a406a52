//! E4-E9: signup, me, profile updates, likes, points and account deletion.

use api_tests::{PASSWORD, PNG, Session, TestApp, spawn_app};
use futures_util::future::join_all;
use reqwest::multipart::{Form, Part};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signup_creates_a_green_buyer_with_the_default_image() {
    let app = spawn_app().await;
    let r = app
        .post("/api/users")
        .json(
            &json!({ "name": "  데모구매자 ", "email": " User@X.com ", "password": " pass word " }),
        )
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let mut keys: Vec<&String> = r.body.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "createdAt",
            "email",
            "grade",
            "id",
            "image",
            "name",
            "points",
            "type",
            "updatedAt"
        ]
    );
    assert_eq!(r.body["name"], "데모구매자");
    assert_eq!(r.body["email"], "user@x.com");
    assert_eq!(r.body["type"], "BUYER");
    assert_eq!(r.body["points"], 0);
    assert_eq!(r.body["grade"]["name"], "Green");
    assert_eq!(
        r.body["image"],
        format!(
            "http://localhost:{}/static/default-user.png",
            app.base.rsplit(':').next().unwrap()
        )
    );
    let created = r.body["createdAt"].as_str().unwrap();
    assert_eq!(created.len(), 24, "ISO-8601 with milliseconds: {created}");
    assert!(created.ends_with('Z'));
    assert!(r.set_cookies().is_empty(), "signup issues no token");
    // The password is kept as typed (not trimmed) and stored hashed.
    app.login("USER@x.com", " pass word ").await;
    let hash: String = app
        .scalar(
            "SELECT password_hash FROM users WHERE email = 'user@x.com'",
            &[],
        )
        .await;
    assert!(hash.starts_with("$2b$"));

    let seller = app
        .post("/api/users")
        .json(&json!({ "name": "판매자", "email": "s@x.com", "password": PASSWORD, "type": "seller" }))
        .send()
        .await;
    assert_eq!(seller.body["type"], "SELLER");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signup_validates_every_field() {
    let app = spawn_app().await;
    let cases = [
        (json!({ "email": "a@x.com", "password": PASSWORD }), "name"),
        (
            json!({ "name": "x".repeat(51), "email": "a@x.com", "password": PASSWORD }),
            "name",
        ),
        (
            json!({ "name": "   ", "email": "a@x.com", "password": PASSWORD }),
            "name",
        ),
        (
            json!({ "name": "n", "email": "a@", "password": PASSWORD }),
            "email",
        ),
        (
            json!({ "name": "n", "email": format!("{}@x.com", "a".repeat(250)), "password": PASSWORD }),
            "email",
        ),
        (
            json!({ "name": "n", "email": "a@x.com", "password": "short" }),
            "password",
        ),
        (
            json!({ "name": "n", "email": "a@x.com", "password": "p".repeat(65) }),
            "password",
        ),
        (
            json!({ "name": "n", "email": "a@x.com", "password": PASSWORD, "type": "ADMIN" }),
            "type",
        ),
        (
            json!({ "name": 42, "email": "a@x.com", "password": PASSWORD }),
            "name",
        ),
        (
            json!({ "name": "n", "email": "a@x.com", "password": true }),
            "password",
        ),
    ];
    for (body, field) in cases {
        let r = app.post("/api/users").json(&body).send().await;
        let message = r.error_message(400);
        assert!(
            message.contains(&format!("{field}:")),
            "{body} -> {message}"
        );
    }
    let several = app.post("/api/users").json(&json!({})).send().await;
    assert_eq!(several.error_message(400).matches("; ").count(), 2);
    let users: i64 = app.scalar("SELECT count(*) FROM users", &[]).await;
    assert_eq!(users, 0, "nothing half-written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_emails_conflict_also_when_concurrent() {
    let app = spawn_app().await;
    app.signup("dup@x.com", "BUYER").await;
    let again = app
        .post("/api/users")
        .json(&json!({ "name": "n", "email": "DUP@x.com", "password": PASSWORD }))
        .send()
        .await;
    assert_eq!(again.error_message(409), "이미 가입된 이메일입니다.");

    let body = json!({ "name": "n", "email": "race@x.com", "password": PASSWORD });
    let results = join_all((0..12).map(|_| app.post("/api/users").json(&body).send())).await;
    let created = results.iter().filter(|r| r.status == 201).count();
    let conflicts = results.iter().filter(|r| r.status == 409).count();
    assert_eq!((created, conflicts), (1, 11));
    let rows: i64 = app
        .scalar("SELECT count(*) FROM users WHERE email = 'race@x.com'", &[])
        .await;
    assert_eq!(rows, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sql_looking_input_is_stored_verbatim() {
    let app = spawn_app().await;
    let name = "Robert'); DROP TABLE users;--";
    let r = app
        .post("/api/users")
        .json(&json!({ "name": name, "email": "bobby@x.com", "password": PASSWORD }))
        .send()
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["name"], name);
    let login = app
        .post("/api/auth/login")
        .json(&json!({ "email": "x'--@x.com", "password": "' OR '1'='1" }))
        .send()
        .await;
    assert_eq!(login.status, 401);
    let users: i64 = app.scalar("SELECT count(*) FROM users", &[]).await;
    assert_eq!(users, 1);
}

async fn patch_me(app: &TestApp, s: &Session, body: serde_json::Value) -> api_tests::Resp {
    app.patch("/api/users/me")
        .as_user(s)
        .cookie(&s.refresh_token)
        .json(&body)
        .send()
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_update_requires_the_current_password() {
    let app = spawn_app().await;
    let s = app.buyer().await;
    let missing = patch_me(&app, &s, json!({ "name": "새이름" })).await;
    assert!(missing.error_message(400).starts_with("currentPassword:"));
    let wrong = patch_me(
        &app,
        &s,
        json!({ "currentPassword": "nope-nope", "name": "새이름" }),
    )
    .await;
    assert_eq!(
        wrong.error_message(400),
        "현재 비밀번호가 일치하지 않습니다."
    );
    let too_long = patch_me(
        &app,
        &s,
        json!({ "currentPassword": PASSWORD, "name": "x".repeat(51) }),
    )
    .await;
    assert!(too_long.error_message(400).starts_with("name:"));
    let name: String = app
        .scalar("SELECT name FROM users WHERE id = $1", &[&s.id])
        .await;
    assert_eq!(name, "테스트");

    let ok = patch_me(
        &app,
        &s,
        json!({ "currentPassword": PASSWORD, "name": " 새이름 " }),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.body["name"], "새이름");
    assert_eq!(ok.body["email"], s.user["email"]);
    assert_ne!(ok.body["updatedAt"], s.user["updatedAt"]);
    assert_eq!(ok.body["createdAt"], s.user["createdAt"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_change_revokes_every_other_session() {
    let app = spawn_app().await;
    let here = app.buyer().await;
    let elsewhere = app.login(&here.email, PASSWORD).await;
    let r = patch_me(
        &app,
        &here,
        json!({ "currentPassword": PASSWORD, "password": "brand-new-pass" }),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        app.post("/api/auth/refresh")
            .cookie(&here.refresh_token)
            .send()
            .await
            .status,
        200
    );
    assert_eq!(
        app.post("/api/auth/refresh")
            .cookie(&elsewhere.refresh_token)
            .send()
            .await
            .status,
        401
    );
    let old = app
        .post("/api/auth/login")
        .json(&json!({ "email": here.email, "password": PASSWORD }))
        .send()
        .await;
    assert_eq!(old.status, 401);
    app.login(&here.email, "brand-new-pass").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn profile_image_from_a_file_part_or_a_url() {
    let app = spawn_app().await;
    let s = app.seller().await;
    let form = Form::new()
        .text("currentPassword", PASSWORD)
        .text("name", "")
        .part(
            "image",
            Part::bytes(PNG.to_vec())
                .file_name("me.gif")
                .mime_str("image/gif")
                .unwrap(),
        );
    let r = app
        .patch("/api/users/me")
        .as_user(&s)
        .multipart(form)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body["name"], "테스트",
        "an empty multipart field counts as absent"
    );
    let url = r.body["image"].as_str().unwrap();
    let key = url
        .split("/uploads/")
        .nth(1)
        .expect("served under /uploads");
    assert!(key.starts_with("upload/") && key.ends_with(".png"), "{key}");
    let served = app
        .http
        .get(format!("{}/uploads/{key}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(served.bytes().await.unwrap().as_ref(), PNG);

    let by_url = patch_me(
        &app,
        &s,
        json!({ "currentPassword": PASSWORD, "image": "https://cdn.test/a.png" }),
    )
    .await;
    assert_eq!(by_url.body["image"], "https://cdn.test/a.png");
    let relative = patch_me(
        &app,
        &s,
        json!({ "currentPassword": PASSWORD, "image": "/a.png" }),
    )
    .await;
    assert!(relative.error_message(400).starts_with("image:"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disguised_non_image_changes_nothing() {
    let app = spawn_app().await;
    let s = app.buyer().await;
    let form = Form::new()
        .text("currentPassword", PASSWORD)
        .text("name", "바뀌면안됨")
        .part(
            "image",
            Part::bytes(b"<svg onload=alert(1)>".to_vec())
                .file_name("x.png")
                .mime_str("image/png")
                .unwrap(),
        );
    let r = app
        .patch("/api/users/me")
        .as_user(&s)
        .multipart(form)
        .send()
        .await;
    assert_eq!(r.error_message(400), "이미지 파일만 업로드할 수 있습니다.");
    let name: String = app
        .scalar("SELECT name FROM users WHERE id = $1", &[&s.id])
        .await;
    assert_eq!(name, "테스트");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn likes_are_an_empty_list_for_both_types() {
    let app = spawn_app().await;
    for s in [app.buyer().await, app.seller().await] {
        let r = app.get("/api/users/me/likes").as_user(&s).send().await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body, json!([]));
    }
    assert_eq!(app.get("/api/users/me/likes").send().await.status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn points_summary_points_to_the_next_grade() {
    let app = spawn_app().await;
    let s = app.buyer().await;
    let r = app.get("/api/users/me/points").as_user(&s).send().await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body,
        json!({
            "points": 0, "lifetimePurchase": 0,
            "grade": { "id": "grade_green", "name": "Green", "rate": 1, "minAmount": 0 },
            "nextGrade": { "id": "grade_orange", "name": "Orange", "rate": 2, "minAmount": 100000 },
            "needToNext": 100000
        })
    );
    app.db
        .execute(
            "UPDATE users SET points = 1200, cumulative_amount = 36000 WHERE id = $1",
            &[&s.id],
        )
        .await
        .unwrap();
    let r = app.get("/api/users/me/points").as_user(&s).send().await;
    assert_eq!(r.body["points"], 1200);
    assert_eq!(r.body["needToNext"], 64000);
    app.db
        .execute(
            "UPDATE users SET grade_id = 'grade_vip', cumulative_amount = 2000000 WHERE id = $1",
            &[&s.id],
        )
        .await
        .unwrap();
    let top = app.get("/api/users/me/points").as_user(&s).send().await;
    assert_eq!(top.body["grade"]["name"], "VIP");
    assert_eq!(top.body["nextGrade"], json!(null));
    assert_eq!(top.body["needToNext"], json!(null));
    let me = app.get("/api/users/me").as_user(&s).send().await;
    assert_eq!(me.body["grade"]["id"], "grade_vip");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_buyer_keeps_their_orders_and_ends_every_session() {
    let app = spawn_app().await;
    let s = app.buyer().await;
    app.db
        .execute(
            "INSERT INTO orders (id, buyer_id, name, phone_number, address, subtotal, total_quantity, status)
             VALUES ('order1', $1, '받는이', '010-1234-5678', '서울', 10000, 1, 'CompletedPayment')",
            &[&s.id],
        )
        .await
        .unwrap();
    let r = app
        .delete("/api/users/delete")
        .as_user(&s)
        .cookie(&s.refresh_token)
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body, json!({ "message": "회원 탈퇴가 완료되었습니다." }));
    assert!(r.set_cookies()[0].contains("Max-Age=0"));

    let me = app.get("/api/users/me").as_user(&s).send().await;
    assert_eq!(me.error_message(401), "유효하지 않거나 만료된 토큰입니다.");
    assert_eq!(
        app.post("/api/auth/refresh")
            .cookie(&s.refresh_token)
            .send()
            .await
            .status,
        401
    );
    let login = app
        .post("/api/auth/login")
        .json(&json!({ "email": s.email, "password": PASSWORD }))
        .send()
        .await;
    assert_eq!(login.status, 401);
    let kept: Option<String> = app
        .scalar("SELECT buyer_id FROM orders WHERE id = 'order1'", &[])
        .await;
    assert_eq!(kept, None, "the order stays, without its buyer");
    let sessions: i64 = app
        .scalar(
            "SELECT count(*) FROM refresh_tokens WHERE user_id = $1",
            &[&s.id],
        )
        .await;
    assert_eq!(sessions, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_seller_removes_their_store_and_products() {
    let app = spawn_app().await;
    let s = app.seller().await;
    app.db
        .batch_execute(&format!(
            "INSERT INTO stores (id, user_id, name, address, phone_number, content, image)
               VALUES ('store1', '{}', 'CODI-IT', '서울', '010-1234-5678', '소개', 'http://x/s.png');
             INSERT INTO products (id, store_id, category_id, name, image, price)
               VALUES ('product1', 'store1', 'cat_top', '가디건', 'http://x/p.png', 29900);
             INSERT INTO stocks (product_id, size_id, quantity) VALUES ('product1', 3, 5);",
            s.id
        ))
        .await
        .unwrap();
    let r = app.delete("/api/users/delete").as_user(&s).send().await;
    assert_eq!(r.status, 200);
    let left: i64 = app
        .scalar(
            "SELECT (SELECT count(*) FROM stores) + (SELECT count(*) FROM products) + (SELECT count(*) FROM stocks)",
            &[],
        )
        .await;
    assert_eq!(left, 0);
}
