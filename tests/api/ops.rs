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

/// Log lines written to memory instead of stdout.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    /// The JSON lines that mention `needle`.
    fn lines_with(&self, needle: &str) -> Vec<serde_json::Value> {
        let bytes = self.0.lock().unwrap().clone();
        String::from_utf8(bytes)
            .unwrap()
            .lines()
            .filter(|l| l.contains(needle))
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

/// Each request writes one access-log line (target `access`) with its id, method, route
/// pattern, target without a `token`, status and time taken; lines logged while it is served
/// carry its `request_id` from the request's span.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_request_writes_one_access_log_line() {
    let captured = Captured::default();
    let sink = captured.clone();
    server::telemetry::init_with_writer(server::config::LogFormat::Json, move || sink.clone());
    let app = spawn_app().await;
    let r = app
        .get("/api/products?page=1&token=secret-token-value")
        .header("X-Request-Id", "access-log-list")
        .send()
        .await;
    assert_eq!(r.status, 200);
    let r = app
        .get("/api/products/no-such-product")
        .header("X-Request-Id", "access-log-missing")
        .send()
        .await;
    assert_eq!(r.status, 404);
    let buyer = app.buyer().await;
    let r = app
        .post("/api/auth/login")
        .header("X-Request-Id", "access-log-login")
        .json(&json!({ "email": buyer.email, "password": "wrong password 1!" }))
        .send()
        .await;
    assert_eq!(r.status, 401);
    // Cut off from its database, the server answers 503 and logs why, inside the request's span.
    app.cut_off_database().await;
    let r = app
        .get("/api/products")
        .header("X-Request-Id", "access-log-down")
        .send()
        .await;
    assert_eq!(r.status, 503, "{}", r.text);
    app.reconnect_database().await;
    let cause = captured.lines_with("access-log-down");
    assert!(
        cause
            .iter()
            .any(|l| l["level"] == "WARN" && l["span"]["request_id"] == "access-log-down"),
        "{cause:#?}"
    );

    for (id, route, target, status) in [
        (
            "access-log-list",
            "/api/products",
            "/api/products?page=1",
            200,
        ),
        (
            "access-log-missing",
            "/api/products/{productId}",
            "/api/products/no-such-product",
            404,
        ),
        (
            "access-log-login",
            "/api/auth/login",
            "/api/auth/login",
            401,
        ),
        ("access-log-down", "/api/products", "/api/products", 503),
    ] {
        let lines = captured.lines_with(id);
        let access: Vec<_> = lines.iter().filter(|l| l["target"] == "access").collect();
        assert_eq!(access.len(), 1, "{id}: {lines:#?}");
        let fields = &access[0]["fields"];
        assert_eq!(fields["request_id"], id, "{fields}");
        assert_eq!(fields["http.route"], route, "{fields}");
        assert_eq!(fields["http.target"], target, "{fields}");
        assert_eq!(fields["http.status_code"], status, "{fields}");
        assert!(fields["elapsed_ms"].as_f64().unwrap() > 0.0, "{fields}");
        // Any other line of the request was logged inside its span.
        for line in lines.iter().filter(|l| l["target"] != "access") {
            assert_eq!(line["span"]["request_id"], id, "{line}");
        }
    }
    assert!(
        captured.lines_with("secret-token-value").is_empty(),
        "a token in the URL is never logged"
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

/// A stand-in for Sentry's ingest endpoint: every envelope body posted to it, in order.
async fn fake_sentry() -> (String, tokio::sync::mpsc::UnboundedReceiver<String>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let dsn = format!(
        "http://public0key@{}/42",
        listener.local_addr().expect("address")
    );
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                let (head_end, length) = loop {
                    let n = socket.read(&mut chunk).await.expect("read");
                    assert!(n > 0, "the client hung up mid-request");
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&buf[..i]).to_ascii_lowercase();
                        let length = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .expect("envelopes are sent with a content length");
                        break (i + 4, length);
                    }
                };
                while buf.len() < head_end + length {
                    let n = socket.read(&mut chunk).await.expect("read");
                    assert!(n > 0, "the client hung up mid-body");
                    buf.extend_from_slice(&chunk[..n]);
                }
                let body = String::from_utf8_lossy(&buf[head_end..head_end + length]).into_owned();
                let _ = tx.send(body);
                let _ = socket
                    .write_all(
                        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\n{}",
                    )
                    .await;
            });
        }
    });
    (dsn, rx)
}

/// The event envelopes received (sessions and client reports are not events).
async fn next_event(rx: &mut tokio::sync::mpsc::UnboundedReceiver<String>) -> String {
    loop {
        let body = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("an event reaches Sentry within 10 s")
            .expect("the fake Sentry runs");
        if body.contains("\"type\":\"event\"") {
            return body;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_and_panics_are_reported_to_sentry() {
    let (dsn, mut envelopes) = fake_sentry().await;
    let sentry = server::config::SentryConfig {
        dsn: dsn.parse().expect("a DSN"),
        environment: Some("test".into()),
    };
    let _guard = server::telemetry::init_sentry(Some(&sentry));
    let app = spawn_app_with(|c| c.sentry = Some(sentry.clone())).await;

    // Client errors are the client's business: not reported.
    assert_eq!(app.get("/api/no-such-route").send().await.status, 404);
    assert_eq!(app.get("/api/products?page=zero").send().await.status, 400);

    // A genuine server fault: the table the product list reads from is gone.
    app.db
        .batch_execute("ALTER TABLE products RENAME TO products_gone")
        .await
        .expect("rename");
    let r = app.get("/api/products").send().await;
    assert_eq!(r.status, 500);
    assert_eq!(
        r.body,
        json!({"message": "서버 내부 오류가 발생했습니다.", "statusCode": 500, "error": "Internal Server Error"}),
        "clients still get the spec's error body, not the cause"
    );
    let event = next_event(&mut envelopes).await;
    assert!(
        event.contains("internal failure: database") && event.contains("does not exist"),
        "the event carries the cause chain down to PostgreSQL's message: {event}"
    );
    assert!(event.contains("\"environment\":\"test\""), "{event}");
    assert!(
        !event.contains("no-such-route") && !event.contains("page=zero"),
        "the earlier 4xx responses were not reported: {event}"
    );

    // Panics anywhere in the process are reported too.
    let _ = std::thread::spawn(|| panic!("sentry check: deliberate panic")).join();
    let event = next_event(&mut envelopes).await;
    assert!(
        event.contains("sentry check: deliberate panic"),
        "the panic is reported: {event}"
    );
}
