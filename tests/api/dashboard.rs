//! E50: the seller dashboard against orders placed at controlled times (written through the
//! database, so no test sleeps).

use api_tests::{TestApp, spawn_app};
use chrono::{Duration, Utc};
use insights::Window;
use serde_json::{Value, json};

struct Line {
    order: &'static str,
    at: chrono::DateTime<Utc>,
    status: &'static str,
    store: String,
    price: i64,
    quantity: i32,
}

fn inside(w: &Window, at: chrono::DateTime<Utc>) -> bool {
    at >= w.from
        && if w.to_inclusive {
            at <= w.to
        } else {
            at < w.to
        }
}

/// Expected (orders, sales) of one window, computed here from the lines themselves.
fn expected(lines: &[Line], store: &str, w: &Window) -> (i64, i64) {
    let scoped: Vec<&Line> = lines
        .iter()
        .filter(|l| l.store == store && l.status != "Cancelled" && inside(w, l.at))
        .collect();
    let mut orders: Vec<&str> = scoped.iter().map(|l| l.order).collect();
    orders.sort();
    orders.dedup();
    (
        orders.len() as i64,
        scoped.iter().map(|l| l.price * i64::from(l.quantity)).sum(),
    )
}

async fn insert(app: &TestApp, lines: &[Line]) {
    for l in lines {
        app.db
            .execute(
                "INSERT INTO orders (id, name, phone_number, address, subtotal, total_quantity, status, created_at)
                 VALUES ($1, 'a', '010', 'x', 0, 1, $2, $3::text::timestamptz) ON CONFLICT (id) DO NOTHING",
                &[&l.order, &l.status, &l.at.to_rfc3339()],
            )
            .await
            .map_err(|e| panic!("{e}"))
            .ok();
        let position: i64 = app
            .scalar(
                "SELECT count(*) FROM order_items WHERE order_id = $1",
                &[&l.order],
            )
            .await;
        app.db
            .execute(
                "INSERT INTO order_items (order_id, store_id, product_name, product_image, size_id, quantity, price, position)
                 VALUES ($1, $2, 'x', 'x', 3, $3, $4, $5)",
                &[&l.order, &l.store, &l.quantity, &l.price, &(position as i32)],
            )
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_counts_this_stores_paid_lines_per_calendar_window() {
    let app = spawn_app().await;
    let (seller, store) = app.seller_with_store().await;
    let (_, other_store) = app.seller_with_store().await;
    let now = Utc::now();
    let w = insights::windows(now, chrono_tz::Asia::Seoul);
    let today_mid = w.today.current.from + (now - w.today.current.from) / 2;
    let at = |d: Duration| now - d;
    let s = || store.clone();
    let lines = vec![
        Line {
            order: "o1",
            at: today_mid,
            status: "CompletedPayment",
            store: s(),
            price: 15000,
            quantity: 2,
        },
        Line {
            order: "o1",
            at: today_mid,
            status: "CompletedPayment",
            store: other_store.clone(),
            price: 99000,
            quantity: 5,
        },
        Line {
            order: "o1",
            at: today_mid,
            status: "CompletedPayment",
            store: s(),
            price: 30000,
            quantity: 1,
        },
        Line {
            order: "o2",
            at: w.today.current.from - Duration::hours(1),
            status: "CompletedPayment",
            store: s(),
            price: 30000,
            quantity: 1,
        },
        Line {
            order: "o3",
            at: at(Duration::days(8)),
            status: "CompletedPayment",
            store: s(),
            price: 120000,
            quantity: 1,
        },
        Line {
            order: "o4",
            at: at(Duration::days(40)),
            status: "Shipped",
            store: s(),
            price: 250000,
            quantity: 1,
        },
        Line {
            order: "o5",
            at: at(Duration::days(400)),
            status: "CompletedPayment",
            store: s(),
            price: 15000,
            quantity: 3,
        },
        Line {
            order: "o6",
            at: today_mid,
            status: "Cancelled",
            store: s(),
            price: 15000,
            quantity: 10,
        },
        Line {
            order: "o7",
            at: at(Duration::days(2)),
            status: "Shipped",
            store: s(),
            price: 30000,
            quantity: 2,
        },
    ];
    insert(&app, &lines).await;

    let r = app.get("/api/dashboard/").as_user(&seller).send().await;
    assert_eq!(r.status, 200, "{}", r.text);
    for (name, period) in [
        ("today", w.today),
        ("week", w.week),
        ("month", w.month),
        ("year", w.year),
    ] {
        let p = &r.body[name];
        let current = expected(&lines, &store, &period.current);
        let previous = expected(&lines, &store, &period.previous);
        assert_eq!(
            p["current"],
            json!({ "totalOrders": current.0, "totalSales": current.1 }),
            "{name}"
        );
        assert_eq!(
            p["previous"],
            json!({ "totalOrders": previous.0, "totalSales": previous.1 }),
            "{name}"
        );
        let rate = |c: i64, p: i64| insights::change_rate(c, p);
        assert_eq!(
            p["changeRate"],
            json!({ "totalOrders": rate(current.0, previous.0), "totalSales": rate(current.1, previous.1) }),
            "{name}"
        );
        assert_eq!(p["chageRate"], p["changeRate"], "C1");
    }
    // Today is certain whatever the clock: o1's two lines of this store, o6 cancelled.
    assert_eq!(
        r.body["today"]["current"],
        json!({ "totalOrders": 1, "totalSales": 60000 })
    );

    let buckets: Vec<(String, i64)> = r.body["priceRange"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["priceRange"].as_str().unwrap().to_owned(),
                b["totalSales"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        buckets,
        [
            ("~20,000 원".to_owned(), 75000),
            ("~50,000 원".to_owned(), 120000),
            ("~100,000 원".to_owned(), 0),
            ("~200,000 원".to_owned(), 120000),
            ("200,000원 이상".to_owned(), 250000),
        ]
    );
    let percentages: Vec<Value> = r.body["priceRange"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["percentage"].clone())
        .collect();
    assert_eq!(
        percentages,
        [
            json!(13.3),
            json!(21.2),
            json!(0.0),
            json!(21.2),
            json!(44.2)
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn top_sales_are_the_stores_best_sellers_with_both_spellings() {
    let app = spawn_app().await;
    let (seller, _) = app.seller_with_store().await;
    let mut ids = Vec::new();
    for (name, sales) in [
        ("b", 5),
        ("a", 5),
        ("c", 9),
        ("d", 1),
        ("e", 2),
        ("f", 3),
        ("z", 0),
    ] {
        let id = app
            .create_product(&seller, &api_tests::product_body(name, 1000, "top"))
            .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        app.db
            .execute(
                "UPDATE products SET sales = $2 WHERE id = $1",
                &[&id, &(sales as i64)],
            )
            .await
            .unwrap();
        ids.push(id);
    }
    let r = app.get("/api/dashboard").as_user(&seller).send().await;
    let top = r.body["topSales"].as_array().unwrap();
    let names: Vec<&str> = top
        .iter()
        .map(|t| t["product"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["c", "a", "b", "f", "e"], "sales desc, then name");
    assert_eq!(top[0]["totalOrders"], 9);
    assert_eq!(top[0]["prodcuts"], top[0]["product"], "C1");
    assert_eq!(
        top[0]["product"],
        json!({ "id": ids[2], "name": "c", "price": 1000 })
    );
    assert_eq!(
        r.body["priceRange"].as_array().unwrap().len(),
        5,
        "always five buckets"
    );
    assert!(
        r.body["priceRange"]
            .as_array()
            .unwrap()
            .iter()
            .all(|b| b["percentage"] == json!(0.0))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_needs_a_seller_with_a_store() {
    let app = spawn_app().await;
    let storeless = app.seller().await;
    let r = app.get("/api/dashboard").as_user(&storeless).send().await;
    assert_eq!(r.error_message(404), "스토어를 찾을 수 없습니다.");
    let buyer = app.buyer().await;
    assert_eq!(
        app.get("/api/dashboard")
            .as_user(&buyer)
            .send()
            .await
            .error_message(403),
        "판매자만 접근 가능합니다."
    );
}
