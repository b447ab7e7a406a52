//! Conventions of spec §0: routing, error bodies, body limits, CORS, health.

use api_tests::{spawn_app, spawn_app_with};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_routes_and_wrong_methods_use_the_error_body() {
    let app = spawn_app().await;
    let unknown = app.get("/api/nothing/here").send().await;
    assert_eq!(
        unknown.error_message(404),
        "요청한 경로를 찾을 수 없습니다."
    );
    assert_eq!(unknown.body["error"], "Not Found");
    let outside = app.get("/elsewhere").send().await;
    assert_eq!(
        outside.error_message(404),
        "요청한 경로를 찾을 수 없습니다."
    );
    let wrong = app.delete("/api/metadata/grade").send().await;
    assert_eq!(wrong.error_message(405), "허용되지 않은 메서드입니다.");
    assert_eq!(wrong.header("allow").as_deref(), Some("GET, HEAD, OPTIONS"));
    let cart = app.request(reqwest::Method::PUT, "/api/cart").send().await;
    assert_eq!(
        cart.header("allow").as_deref(),
        Some("GET, PATCH, POST, HEAD, OPTIONS")
    );
    assert_eq!(wrong.body["error"], "Method Not Allowed");
    // Path matching is case-sensitive.
    assert_eq!(app.get("/api/Metadata/grade").send().await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_single_trailing_slash_is_ignored() {
    let app = spawn_app().await;
    assert_eq!(app.get("/api/metadata/grade/").send().await.status, 200);
    let s = app.buyer().await;
    assert_eq!(
        app.get("/api/users/me/").as_user(&s).send().await.status,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_five_mebibytes_are_413() {
    let app = spawn_app().await;
    let huge = format!("{{\"name\":\"{}\"}}", "x".repeat(5 * 1024 * 1024));
    let r = app
        .post("/api/users")
        .raw("application/json", huge)
        .send()
        .await;
    assert_eq!(r.error_message(413), "요청 본문이 너무 큽니다.");
    assert_eq!(r.body["error"], "Payload Too Large");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_endpoints_ignore_any_authorization_header() {
    let app = spawn_app().await;
    for path in ["/api/metadata/grade", "/api/metadata/size", "/api/health"] {
        let r = app.get(path).bearer("expired.or.garbage").send().await;
        assert_eq!(r.status, 200, "{path}");
    }
    let login = app
        .post("/api/auth/login")
        .bearer("garbage")
        .json(&json!({ "email": "x@x.com", "password": "whatever1" }))
        .send()
        .await;
    assert_eq!(
        login.error_message(401),
        "이메일 또는 비밀번호가 올바르지 않습니다."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_allows_configured_origins_only() {
    let app = spawn_app().await;
    let allowed = app
        .get("/api/metadata/size")
        .header("Origin", "http://localhost:3001")
        .send()
        .await;
    assert_eq!(
        allowed.header("access-control-allow-origin").as_deref(),
        Some("http://localhost:3001")
    );
    assert_eq!(
        allowed
            .header("access-control-allow-credentials")
            .as_deref(),
        Some("true")
    );
    assert_eq!(
        allowed.header("access-control-expose-headers").as_deref(),
        Some("Idempotent-Replayed")
    );
    assert_eq!(allowed.header("vary").as_deref(), Some("Origin"));

    let preflight = app
        .request(reqwest::Method::OPTIONS, "/api/users/me")
        .header("Origin", "http://localhost:3000")
        .header("Access-Control-Request-Method", "PATCH")
        .header(
            "Access-Control-Request-Headers",
            "authorization,content-type",
        )
        .send()
        .await;
    assert_eq!(preflight.status, 204);
    assert_eq!(
        preflight.header("access-control-allow-origin").as_deref(),
        Some("http://localhost:3000")
    );
    assert_eq!(
        preflight.header("access-control-allow-methods").as_deref(),
        Some("GET, HEAD, PUT, PATCH, POST, DELETE, OPTIONS")
    );
    assert_eq!(
        preflight.header("access-control-allow-headers").as_deref(),
        Some(
            "Authorization, Content-Type, X-Requested-With, Idempotency-Key, Last-Event-ID, Accept"
        )
    );
    assert_eq!(
        preflight.header("access-control-max-age").as_deref(),
        Some("600")
    );

    let foreign = app
        .request(reqwest::Method::OPTIONS, "/api/users/me")
        .header("Origin", "https://evil.test")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await;
    assert_eq!(foreign.status, 204);
    assert!(
        foreign
            .headers
            .keys()
            .all(|k| !k.as_str().starts_with("access-control-"))
    );
    let simple = app
        .get("/api/metadata/size")
        .header("Origin", "https://evil.test")
        .send()
        .await;
    assert_eq!(simple.status, 200);
    assert!(simple.header("access-control-allow-origin").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_origins_come_from_configuration() {
    let app = spawn_app_with(|c| c.cors_origins = vec!["https://shop.test".into()]).await;
    let r = app
        .get("/api/health")
        .header("Origin", "https://shop.test")
        .send()
        .await;
    assert_eq!(
        r.header("access-control-allow-origin").as_deref(),
        Some("https://shop.test")
    );
    let r = app
        .get("/api/health")
        .header("Origin", "http://localhost:3000")
        .send()
        .await;
    assert!(r.header("access-control-allow-origin").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_reports_the_database() {
    let app = spawn_app().await;
    let r = app.get("/api/health").send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["status"], "ok");
    assert!(r.body["timestamp"].as_str().unwrap().ends_with('Z'));

    app.cut_off_database().await;
    let started = std::time::Instant::now();
    let down = app.get("/api/health").send().await;
    assert_eq!(down.status, 503, "{}", down.text);
    assert_eq!(down.body["status"], "unavailable");
    assert!(down.body["timestamp"].is_string());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "answers, never hangs"
    );

    app.reconnect_database().await;
    let mut recovered = false;
    for _ in 0..50 {
        if app.get("/api/health").send().await.status == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(recovered, "the pool recovers by itself");
}

/// §0.6: authentication (401) and user type (403) come before the body's own 400 and 413, even
/// when the body can be refused on sight while the user is still being looked up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authentication_and_user_type_win_over_a_bad_body() {
    use reqwest::Method;
    let app = spawn_app().await;
    let seller = app.seller().await;
    let buyer = app.buyer().await;
    let gone = app.buyer().await;
    let deleted = app.delete("/api/users/delete").as_user(&gone).send().await;
    assert_eq!(deleted.status, 200);
    let oversized = format!("{{\"name\":\"{}\"}}", "x".repeat(5 * 1024 * 1024));
    let cases = [
        // (who, method, path, content type, body, status, message)
        (
            &seller,
            Method::POST,
            "/api/orders",
            "text/plain",
            "hello".to_owned(),
            403,
            "구매자만 이용할 수 있습니다.",
        ),
        (
            &seller,
            Method::PATCH,
            "/api/cart",
            "application/json",
            "{".to_owned(),
            403,
            "구매자만 이용할 수 있습니다.",
        ),
        (
            &buyer,
            Method::POST,
            "/api/stores",
            "application/json",
            r#"{"name":5}"#.to_owned(),
            403,
            "판매자만 접근 가능합니다.",
        ),
        (
            &buyer,
            Method::POST,
            "/api/stores",
            "application/json",
            oversized,
            403,
            "판매자만 접근 가능합니다.",
        ),
        // A token still signed but whose user is gone.
        (
            &gone,
            Method::POST,
            "/api/orders",
            "text/plain",
            "hello".to_owned(),
            401,
            "유효하지 않거나 만료된 토큰입니다.",
        ),
        // With the right user, the body's own error is the answer.
        (
            &seller,
            Method::POST,
            "/api/s3/upload",
            "text/plain",
            "not a form".to_owned(),
            400,
            "잘못된 요청 형식입니다.",
        ),
        (
            &buyer,
            Method::POST,
            "/api/orders",
            "text/plain",
            "hello".to_owned(),
            400,
            "잘못된 요청 형식입니다.",
        ),
    ];
    // Many times each: the order must not depend on which check happens to answer first.
    for _ in 0..10 {
        for (who, method, path, content_type, body, status, message) in &cases {
            let r = app
                .request(method.clone(), path)
                .as_user(who)
                .raw(content_type, body.clone())
                .send()
                .await;
            assert_eq!(r.error_message(*status), *message, "{method} {path}");
        }
        // A malformed query string (a repeated key) waits for the same checks.
        let r = app
            .get("/api/orders?page=1&page=2")
            .as_user(&seller)
            .send()
            .await;
        assert_eq!(r.error_message(403), "구매자만 이용할 수 있습니다.");
        let r = app
            .get("/api/orders?page=1&page=2")
            .as_user(&buyer)
            .send()
            .await;
        assert_eq!(r.error_message(400), "잘못된 요청 형식입니다.");
    }
}

/// PostgreSQL cannot store a NUL character: a body holding one is a 400 naming the field, and
/// a list filter holding one matches nothing, never a 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nul_character_is_a_400_in_a_body_and_matches_nothing_in_a_filter() {
    let app = spawn_app().await;
    let r = app
        .post("/api/users")
        .json(&json!({ "name": "a\u{0}b", "email": "nul@codiit.com", "password": "password1", "type": "BUYER" }))
        .send()
        .await;
    assert_eq!(
        r.error_message(400),
        "name: must not contain the NUL character"
    );
    let (seller, _) = app.seller_with_store().await;
    let form = reqwest::multipart::Form::new()
        .text("name", "널")
        .text("price", "1000")
        .text("categoryName", "top")
        .text("content", "line\u{0}break")
        .text("stocks", r#"[{"sizeId":1,"quantity":1}]"#);
    let r = app
        .post("/api/products")
        .as_user(&seller)
        .multipart(form)
        .send()
        .await;
    assert_eq!(
        r.error_message(400),
        "content: must not contain the NUL character"
    );
    for filter in ["search", "categoryName", "favoriteStore"] {
        let r = app
            .get(&format!("/api/products?{filter}=a%00b"))
            .send()
            .await;
        assert_eq!(r.status, 200, "{filter}: {}", r.text);
        assert_eq!(r.body["totalCount"], 0, "{filter}");
    }
}
