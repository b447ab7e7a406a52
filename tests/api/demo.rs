//! Demo data (spec §4.13): only with SEED_DEMO, once, through the API's own rules.

use api_tests::{spawn_app, spawn_app_on, spawn_app_with};
use serde_json::Value;
use std::collections::BTreeSet;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_catalogue_is_seeded_once_when_asked() {
    let app = spawn_app_with(|c| c.seed_demo = true).await;
    let r = app.get("/api/products?pageSize=100").send().await;
    assert_eq!(r.body["totalCount"], 12);
    let list = r.body["list"].as_array().unwrap().clone();

    let buyer = app.login("buyer@codiit.com", "test1234").await;
    assert_eq!(buyer.user["name"], "데모구매자");
    assert_eq!(buyer.user["type"], "BUYER");
    assert_eq!(buyer.user["points"], 0);
    let seller = app.login("seller@codiit.com", "test1234").await;
    assert_eq!(seller.user["name"], "데모판매자");
    let store = app
        .get("/api/stores/detail/my")
        .as_user(&seller)
        .send()
        .await;
    assert_eq!(store.body["name"], "코디잇 데모 스토어");
    assert!(store.body["content"].as_str().unwrap().chars().count() >= 10);
    assert_eq!(store.body["productCount"], 12);

    let mut categories = BTreeSet::new();
    let mut bands = BTreeSet::new();
    let mut with_zero = 0;
    let mut year_long = 0;
    for item in &list {
        let price = item["price"].as_i64().unwrap();
        assert!((9_900..=259_000).contains(&price));
        bands.insert(match price {
            ..20_000 => 0,
            20_000..50_000 => 1,
            50_000..100_000 => 2,
            100_000..200_000 => 3,
            _ => 4,
        });
        let detail = app
            .get(&format!("/api/products/{}", item["id"].as_str().unwrap()))
            .send()
            .await
            .body;
        categories.insert(detail["category"]["name"].as_str().unwrap().to_owned());
        let stocks = detail["stocks"].as_array().unwrap();
        assert!(stocks.len() >= 2, "{}", detail["name"]);
        if stocks.iter().any(|s| s["quantity"] == 0) {
            with_zero += 1;
        }
        if let (Value::String(start), Value::String(end)) =
            (&detail["discountStartTime"], &detail["discountEndTime"])
        {
            let start = chrono::DateTime::parse_from_rfc3339(start).unwrap();
            let end = chrono::DateTime::parse_from_rfc3339(end).unwrap();
            if (end - start).num_days() >= 364 {
                year_long += 1;
            }
        }
        let image = detail["image"].as_str().unwrap();
        assert!(image.contains("/static/demo/"), "{image}");
        let path = image.split_once("/static/").unwrap().1;
        let served = app
            .http
            .get(format!("{}/static/{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(served.status(), 200, "{image}");
    }
    assert_eq!(categories.len(), 7, "{categories:?}");
    assert_eq!(bands.len(), 5, "every price band");
    assert!(with_zero >= 1);
    assert_eq!(year_long, 1);
    let active = list
        .iter()
        .filter(|p| p["discountPrice"] != p["price"])
        .count();
    assert!(active >= 3, "{active} active discounts");

    // A restart on the same database seeds nothing more.
    let again = spawn_app_on(app.database_url.clone(), |c| c.seed_demo = true).await;
    let r = again.get("/api/products").send().await;
    assert_eq!(r.body["totalCount"], 12);
    let users: i64 = again.scalar("SELECT count(*) FROM users", &[]).await;
    assert_eq!(users, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_seeded_by_default() {
    let app = spawn_app().await;
    let users: i64 = app.scalar("SELECT count(*) FROM users", &[]).await;
    assert_eq!(users, 0);
    assert_eq!(app.get("/api/products").send().await.body["totalCount"], 0);
}
