//! E47-E49: notification list, check, and the event stream with replay, fan-out across
//! instances, listener outages and concurrency.

use api_tests::sse::{Frame, SseClient};
use api_tests::{Session, TestApp, keys, spawn_app, spawn_app_on, spawn_app_with};
use futures_util::future::join_all;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const SECOND: Duration = Duration::from_secs(1);

/// A seller with a product, and `n` notifications for that seller (N1 from inquiries).
async fn seller_with_alarms(app: &TestApp, n: usize) -> (Session, String) {
    let (seller, product) = app.seller_with_product("가디건").await;
    let buyer = app.buyer().await;
    for i in 0..n {
        app.ask(&buyer, &product, &format!("문의 {i}"), false).await;
    }
    (seller, product)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_has_a_bare_and_a_paged_form() {
    let app = spawn_app().await;
    let (seller, _) = seller_with_alarms(&app, 3).await;
    let bare = app.get("/api/notifications").as_user(&seller).send().await;
    assert_eq!(bare.status, 200, "{}", bare.text);
    let alarms = bare
        .body
        .as_array()
        .expect("a bare array without page parameters");
    assert_eq!(alarms.len(), 3);
    assert_eq!(
        keys(&alarms[0]),
        [
            "content",
            "createdAt",
            "id",
            "isChecked",
            "updatedAt",
            "userId"
        ]
    );
    assert_eq!(alarms[0]["isChecked"], false);

    let paged = app
        .get("/api/notifications?page=1&pageSize=2")
        .as_user(&seller)
        .send()
        .await;
    assert_eq!(paged.body["totalCount"], 3);
    assert_eq!(paged.body["list"].as_array().unwrap().len(), 2);
    let newest = paged.body["list"][0]["id"].clone();
    assert_eq!(newest, alarms[0]["id"], "recent first");
    let oldest = app
        .get("/api/notifications?pageSize=10&sort=OLDEST")
        .as_user(&seller)
        .send()
        .await;
    assert_eq!(oldest.body["list"][2]["id"], newest);

    let id = newest.as_str().unwrap();
    let checked = app
        .patch(&format!("/api/notifications/{id}/check"))
        .as_user(&seller)
        .json(&json!({}))
        .send()
        .await;
    assert_eq!(checked.status, 200, "{}", checked.text);
    assert_eq!(checked.body["isChecked"], true);
    let again = app
        .patch(&format!("/api/notifications/{id}/check"))
        .as_user(&seller)
        .send()
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(
        again.body["updatedAt"], checked.body["updatedAt"],
        "idempotent"
    );

    let unchecked = app
        .get("/api/notifications?page=1&filter=unChecked")
        .as_user(&seller)
        .send()
        .await;
    assert_eq!(unchecked.body["totalCount"], 2);
    let read = app
        .get("/api/notifications?page=1&filter=checked")
        .as_user(&seller)
        .send()
        .await;
    assert_eq!(read.body["totalCount"], 1);
    for bad in ["sort=new", "filter=read", "page=0"] {
        assert_eq!(
            app.get(&format!("/api/notifications?{bad}"))
                .as_user(&seller)
                .send()
                .await
                .status,
            400,
            "{bad}"
        );
    }

    let other = app.buyer().await;
    let r = app
        .patch(&format!("/api/notifications/{id}/check"))
        .as_user(&other)
        .send()
        .await;
    assert_eq!(
        r.error_message(404),
        "알림을 찾을 수 없습니다.",
        "another user's alarm does not leak"
    );
    let r = app
        .patch("/api/notifications/unknown/check")
        .as_user(&other)
        .send()
        .await;
    assert_eq!(r.error_message(404), "알림을 찾을 수 없습니다.");
    assert_eq!(
        app.get("/api/notifications")
            .as_user(&other)
            .send()
            .await
            .body,
        json!([])
    );
    assert_eq!(app.get("/api/notifications").send().await.status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_receives_n1_framed_as_specified() {
    let app = spawn_app().await;
    let (seller, product) = app.seller_with_product("니트").await;
    let mut stream = app.stream(&seller, None).await;
    assert_eq!(stream.headers["content-type"], "text/event-stream");
    assert_eq!(stream.headers["cache-control"], "no-cache");
    assert_eq!(stream.headers["x-accel-buffering"], "no");

    let buyer = app.buyer().await;
    let started = Instant::now();
    app.ask(&buyer, &product, "질문", false).await;
    let frame = stream.next(SECOND * 2).await.expect("an event");
    let elapsed = started.elapsed();
    let Frame::Event { id, data, lines } = frame else {
        panic!("expected an event, got {frame:?}");
    };
    assert!(elapsed < SECOND, "delivered in {elapsed:?}");
    assert_eq!(
        lines.len(),
        2,
        "exactly an id line and a data line: {lines:?}"
    );
    assert!(lines.iter().all(|l| !l.starts_with("event:")));
    assert_eq!(lines[0], format!("id: {id}"));
    assert_eq!(data["content"], "상품 \"니트\"에 새 문의가 도착했어요.");
    assert_eq!(data["userId"], json!(seller.id));
    assert_eq!(
        keys(&data),
        [
            "content",
            "createdAt",
            "id",
            "isChecked",
            "updatedAt",
            "userId"
        ]
    );
    let seq: i64 = app
        .scalar(
            "SELECT seq FROM notifications WHERE id = $1",
            &[&data["id"].as_str().unwrap()],
        )
        .await;
    assert_eq!(id, seq);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_authentication_by_header_or_query_token() {
    let app = spawn_app().await;
    let (seller, product) = app.seller_with_product("셔츠").await;
    let url = format!("{}/api/notifications/sse", app.base);
    let mut by_query =
        SseClient::connect(app.http.get(format!("{url}?token={}", seller.access_token))).await;
    assert_eq!(by_query.status, 200);
    assert_eq!(
        by_query.next(SECOND).await,
        Some(Frame::Comment("connected".into()))
    );
    let buyer = app.buyer().await;
    app.ask(&buyer, &product, "질문", false).await;
    assert!(by_query.next_event(SECOND * 2).await.is_some());

    let none = SseClient::connect(app.http.get(&url)).await;
    assert_eq!(none.status, 401);
    let body: Value = serde_json::from_str(&none.body_if_error).unwrap();
    assert_eq!(body["message"], "로그인이 필요합니다.");
    let bad = SseClient::connect(app.http.get(format!("{url}?token=garbage"))).await;
    assert_eq!(bad.status, 401);
    // The header wins over the query token.
    let header_wins = SseClient::connect(
        app.http
            .get(format!("{url}?token={}", seller.access_token))
            .bearer_auth("garbage"),
    )
    .await;
    assert_eq!(header_wins.status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heartbeats_keep_the_stream_alive() {
    let app = spawn_app_with(|c| c.sse_heartbeat_seconds = 1).await;
    let seller = app.seller().await;
    let mut stream = app.stream(&seller, None).await;
    assert_eq!(
        stream.next(SECOND * 3).await,
        Some(Frame::Comment("ping".into()))
    );
    assert_eq!(
        stream.next(SECOND * 3).await,
        Some(Frame::Comment("ping".into()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rolled_back_notification_is_never_delivered() {
    let app = spawn_app().await;
    let (seller, product) = app.seller_with_product("코트").await;
    let mut stream = app.stream(&seller, None).await;
    let mut conn = api_tests::database::connect(&app.database_url).await;
    let tx = conn.transaction().await.unwrap();
    tx.execute(
        "INSERT INTO notification_cursors (user_id, seq) VALUES ($1, 1)
         ON CONFLICT (user_id) DO UPDATE SET seq = notification_cursors.seq + 1",
        &[&seller.id],
    )
    .await
    .unwrap();
    tx.execute(
        "INSERT INTO notifications (user_id, seq, type, content, dedup_key)
         SELECT user_id, seq, 'NEW_INQUIRY', 'rolled back', 'x' FROM notification_cursors WHERE user_id = $1",
        &[&seller.id],
    )
    .await
    .unwrap();
    tx.execute(
        "SELECT pg_notify('codiit_notifications', $1)",
        &[&seller.id],
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(stream.next_event(Duration::from_millis(700)).await, None);

    let buyer = app.buyer().await;
    app.ask(&buyer, &product, "진짜", false).await;
    let (_, data) = stream
        .next_event(SECOND * 2)
        .await
        .expect("the committed one");
    assert_ne!(data["content"], "rolled back");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_on_one_instance_receives_what_another_instance_commits() {
    let a = spawn_app().await;
    let b = spawn_app_on(a.database_url.clone(), |_| {}).await;
    let (seller, product) = a.seller_with_product("원피스").await;
    let mut on_b = b.stream(&seller, None).await;
    let mut also_on_b = b.stream(&seller, None).await;
    let buyer = a.buyer().await;
    a.ask(&buyer, &product, "A에서", false).await;
    for stream in [&mut on_b, &mut also_on_b] {
        let (_, data) = stream
            .next_event(SECOND * 2)
            .await
            .expect("fan-out across instances and tabs");
        assert_eq!(data["content"], "상품 \"원피스\"에 새 문의가 도착했어요.");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnecting_with_a_cursor_replays_exactly_what_was_missed() {
    let app = spawn_app().await;
    let (seller, product) = app.seller_with_product("스커트").await;
    let buyer = app.buyer().await;
    let mut first = app.stream(&seller, None).await;
    app.ask(&buyer, &product, "하나", false).await;
    let (cursor, _) = first.next_event(SECOND * 2).await.unwrap();
    drop(first);
    for title in ["둘", "셋", "넷"] {
        app.ask(&buyer, &product, title, false).await;
    }

    let mut by_header = app.stream(&seller, Some(cursor)).await;
    let replayed = by_header.drain_events(Duration::from_millis(500)).await;
    let ids: Vec<i64> = replayed.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]) && ids[0] > cursor,
        "{ids:?}"
    );
    let url = format!("{}/api/notifications/sse?lastEventId={cursor}", app.base);
    let mut by_query =
        SseClient::connect(app.http.get(url).bearer_auth(&seller.access_token)).await;
    by_query.next(SECOND).await;
    let again: Vec<i64> = by_query
        .drain_events(Duration::from_millis(500))
        .await
        .iter()
        .map(|(id, _)| *id)
        .collect();
    assert_eq!(again, ids);

    // Live events continue after the replay, without repeating it.
    app.ask(&buyer, &product, "다섯", false).await;
    let live = by_header.drain_events(Duration::from_millis(500)).await;
    assert_eq!(live.len(), 1);
    assert!(live[0].0 > ids[2]);
    // Without a cursor, a stream gets only what comes after it connected.
    let mut fresh = app.stream(&seller, None).await;
    assert_eq!(fresh.next_event(Duration::from_millis(300)).await, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_catch_up_after_the_listener_loses_its_connection() {
    let app = spawn_app().await;
    let (seller, product) = app.seller_with_product("패딩").await;
    let buyer = app.buyer().await;
    let mut stream = app.stream(&seller, None).await;
    let name = app.database_url.rsplit('/').next().unwrap().to_owned();
    let admin = api_tests::database::connect(&api_tests::database::base_url()).await;
    let killed: i64 = admin
        .query_one(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
             WHERE datname = $1 AND query LIKE 'LISTEN%'",
            &[&name],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(killed, 1, "the instance's one listener connection");
    // During the outage and after it.
    for title in ["끊김 중 1", "끊김 중 2"] {
        app.ask(&buyer, &product, title, false).await;
    }
    tokio::time::sleep(Duration::from_millis(600)).await;
    app.ask(&buyer, &product, "복구 후", false).await;
    let events = stream.drain_events(SECOND * 2).await;
    let ids: Vec<i64> = events.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids.len(), 3, "all arrive, none twice: {ids:?}");
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
}

/// A listener connection that dies without a word (half-open TCP: packets stop, nothing
/// closes) is found by the probe and replaced: `Connected` again, and notifications flow.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listener_whose_connection_goes_silent_reconnects() {
    async fn next(events: &mut tokio::sync::mpsc::UnboundedReceiver<String>) -> Option<String> {
        tokio::time::timeout(SECOND * 10, events.recv())
            .await
            .ok()
            .flatten()
    }
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app().await;
    // A TCP proxy to PostgreSQL that can stop forwarding on the connections it holds, keeping
    // them open (new connections pass).
    let upstream = app
        .database_url
        .split('@')
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap()
        .to_owned();
    let proxy = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxied = app
        .database_url
        .replace(&upstream, &proxy.local_addr().unwrap().to_string());
    let generation = Arc::new(AtomicUsize::new(0));
    let frozen_below = generation.clone();
    tokio::spawn(async move {
        while let Ok((client, _)) = proxy.accept().await {
            let born = frozen_below.load(Ordering::SeqCst);
            let server = tokio::net::TcpStream::connect(&upstream).await.unwrap();
            let (cr, cw) = client.into_split();
            let (sr, sw) = server.into_split();
            for (mut from, mut to) in [
                (
                    Box::new(cr) as Box<dyn tokio::io::AsyncRead + Unpin + Send>,
                    Box::new(sw) as Box<dyn tokio::io::AsyncWrite + Unpin + Send>,
                ),
                (Box::new(sr), Box::new(cw)),
            ] {
                let frozen_below = frozen_below.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 16 * 1024];
                    loop {
                        let n = match from.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => n,
                        };
                        if frozen_below.load(Ordering::SeqCst) > born {
                            // Silent: hold both sockets open, forward nothing.
                            std::future::pending::<()>().await;
                        }
                        if to.write_all(&buf[..n]).await.is_err() {
                            return;
                        }
                    }
                });
            }
        }
    });
    let (tx, mut events) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(adapter_postgres::listen_probing(
        proxied,
        adapter_postgres::ListenerProbe {
            every: Duration::from_millis(300),
            timeout: Duration::from_secs(2),
        },
        move |e| {
            let _ = tx.send(match e {
                adapter_postgres::ListenerEvent::Connected => "connected".to_owned(),
                adapter_postgres::ListenerEvent::Notified(payload) => payload,
            });
        },
    ));
    assert_eq!(next(&mut events).await.as_deref(), Some("connected"));
    generation.fetch_add(1, Ordering::SeqCst);
    let notify = |payload: &'static str| {
        let app = &app;
        async move {
            let _: i32 = app
                .scalar(
                    "SELECT 1 FROM (SELECT pg_notify($1, $2)) sent",
                    &[&adapter_postgres::CHANNEL, &payload],
                )
                .await;
        }
    };
    notify("lost in the silence").await;
    assert_eq!(
        next(&mut events).await.as_deref(),
        Some("connected"),
        "the silent connection is replaced"
    );
    notify("after").await;
    // A probe slow to answer on a busy machine may replace the new connection too.
    let mut after = next(&mut events).await;
    while after.as_deref() == Some("connected") {
        after = next(&mut events).await;
    }
    assert_eq!(after.as_deref(), Some("after"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_notifications_arrive_in_cursor_order_and_duplicates_are_suppressed() {
    let app = spawn_app().await;
    let (seller, product) = app.seller_with_product("부츠").await;
    let buyers = join_all((0..20).map(|_| app.buyer())).await;
    let mut stream = app.stream(&seller, None).await;
    join_all(buyers.iter().enumerate().map(|(i, b)| {
        let product = product.clone();
        let app = &app;
        async move { app.ask(b, &product, &format!("동시 {i}"), false).await }
    }))
    .await;
    let events = stream.drain_events(SECOND).await;
    let ids: Vec<i64> = events.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids.len(), 20, "{ids:?}");
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "strictly increasing: {ids:?}"
    );
    let stored: i64 = app
        .scalar(
            "SELECT count(*) FROM notifications WHERE user_id = $1",
            &[&seller.id],
        )
        .await;
    assert_eq!(stored, 20);

    // Identical triggers in parallel: one unread row, one event.
    let db = adapter_postgres::Database::connect(
        &app.database_url,
        &adapter_postgres::PoolSettings::default(),
    )
    .unwrap();
    let about = notifications::About {
        product_id: &product,
        product_name: "부츠",
    };
    let n = notifications::sold_out_to_seller(&seller.id, about, 3, "M");
    let created =
        join_all((0..12).map(|_| notifications::Outbox::emit(&db, vec![n.clone()]))).await;
    assert_eq!(
        created.iter().filter(|r| matches!(r, Ok(1))).count(),
        1,
        "{created:?}"
    );
    assert!(
        created.iter().all(|r| matches!(r, Ok(0 | 1))),
        "{created:?}"
    );
    let events = stream.drain_events(Duration::from_millis(500)).await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0].1["content"],
        "상품 \"부츠\"의 M 사이즈가 품절되었습니다."
    );
    // Once read, the same event notifies again.
    let id = events[0].1["id"].as_str().unwrap().to_owned();
    app.patch(&format!("/api/notifications/{id}/check"))
        .as_user(&seller)
        .send()
        .await;
    assert!(matches!(
        notifications::Outbox::emit(&db, vec![n]).await,
        Ok(1)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stream_that_is_not_read_does_not_stall_the_others() {
    let app = spawn_app().await;
    let (seller, product) = app.seller_with_product("느린").await;
    let buyer = app.buyer().await;
    // This client connects and then never reads: its frames pile up in the socket and the
    // server's bounded buffer, and its task waits.
    let _stalled = app.stream(&seller, None).await;
    let mut reader = app.stream(&seller, None).await;
    for i in 0..60 {
        app.ask(&buyer, &product, &format!("많은 질문 {i}"), false)
            .await;
    }
    let events = reader.drain_events(Duration::from_millis(700)).await;
    assert_eq!(events.len(), 60, "the reading stream gets everything");
    let mut late = app.stream(&seller, Some(events[0].0)).await;
    assert_eq!(
        late.drain_events(Duration::from_millis(500)).await.len(),
        59
    );
}

/// A notification about a product deleted since its cause was seen (an order refused because
/// its product went) is still written, with the reference null as the deletion leaves it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notification_about_a_deleted_product_is_kept_without_the_reference() {
    let app = spawn_app().await;
    let buyer = app.buyer().await;
    let db = adapter_postgres::Database::connect(
        &app.database_url,
        &adapter_postgres::PoolSettings::default(),
    )
    .unwrap();
    let about = notifications::About {
        product_id: "deleted-product",
        product_name: "사라진",
    };
    let n = notifications::order_failed_to_buyer(&buyer.id, about, 3, "M");
    let written = notifications::Outbox::emit(&db, vec![n]).await;
    assert!(matches!(written, Ok(1)), "{written:?}");
    let refs: Vec<String> = app
        .column_with(
            "SELECT coalesce(product_id, 'null') FROM notifications WHERE user_id = $1",
            &[&buyer.id],
        )
        .await;
    assert_eq!(refs, ["null"]);
}
