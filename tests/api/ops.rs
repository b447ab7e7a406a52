//! Operations: request ids, metrics, login rate limiting, liveness, closing streams at shutdown.

use api_tests::sse::Frame;
use api_tests::{PASSWORD, spawn_app, spawn_app_with};
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_ids_are_propagated_or_made() {
    let app = spawn_app().await;
    let r = app
        .get("/api/health")
        .header("X-Request-Id", "trace-abc-123")
        .send()
        .await;
    assert_eq!(r.header("x-request-id").as_deref(), Some("trace-abc-123"));
    let r = app.get("/api/health").send().await;
    let made = r.header("x-request-id").expect("a request id is made");
    assert_eq!(made.len(), 32);
    let r = app
        .get("/api/health")
        .header("X-Request-Id", "has space")
        .send()
        .await;
    assert_ne!(
        r.header("x-request-id").as_deref(),
        Some("has space"),
        "insane ids are replaced"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prometheus_metrics_are_served() {
    let app = spawn_app().await;
    app.get("/api/metadata/grade").send().await;
    let seller = app.seller().await;
    let _stream = app.stream(&seller, None).await;
    let r = app.get("/metrics").send().await;
    assert_eq!(r.status, 200);
    for name in [
        "http_requests_total",
        "http_request_duration_seconds",
        "db_pool_connections_in_use",
        "sse_open_streams",
    ] {
        assert!(r.text.contains(name), "{name} missing:\n{}", r.text);
    }
    assert!(
        r.text.contains(r#"route="/api/metadata/grade""#),
        "per route pattern"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logins_are_rate_limited_per_account_and_per_address() {
    let app = spawn_app_with(|c| {
        c.login_per_minute_per_account = 3;
        c.login_per_minute_per_address = 5;
    })
    .await;
    let user = app.buyer().await; // one login so far
    let attempt = |email: String| {
        let app = &app;
        async move {
            app.post("/api/auth/login")
                .json(&json!({ "email": email, "password": PASSWORD }))
                .send()
                .await
        }
    };
    assert_eq!(attempt(user.email.clone()).await.status, 201);
    assert_eq!(attempt(user.email.clone()).await.status, 201);
    let limited = attempt(user.email.to_uppercase()).await;
    assert_eq!(
        limited.error_message(429),
        "로그인 시도가 너무 많습니다. 잠시 후 다시 시도해주세요."
    );
    assert_eq!(limited.body["error"], "Too Many Requests");
    let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    // Other accounts from the same address run into the address quota (five a minute).
    assert_eq!(
        attempt("someone@codiit.test".into()).await.status,
        401,
        "the fifth attempt"
    );
    let other = attempt("someone-else@codiit.test".into()).await;
    assert_eq!(other.status, 429, "the address has used its five attempts");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn liveness_does_not_depend_on_the_database() {
    let app = spawn_app().await;
    let r = app.get("/api/health/live").send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["status"], "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutting_down_closes_notification_streams() {
    let app = spawn_app().await;
    let seller = app.seller().await;
    let mut stream = app.stream(&seller, None).await;
    app.hub.close_all();
    let next = stream.next(Duration::from_secs(2)).await;
    assert_eq!(
        next, None,
        "the stream ends, so the client reconnects elsewhere"
    );
    let _: Option<Frame> = next;
}
