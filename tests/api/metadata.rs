//! E51-E53.

use api_tests::spawn_app;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grades_come_from_the_database_in_order() {
    let app = spawn_app().await;
    let r = app.get("/api/metadata/grade").send().await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body,
        json!([
            { "id": "grade_green", "name": "Green", "rate": 1, "minAmount": 0 },
            { "id": "grade_orange", "name": "Orange", "rate": 2, "minAmount": 100000 },
            { "id": "grade_red", "name": "Red", "rate": 3, "minAmount": 300000 },
            { "id": "grade_black", "name": "Black", "rate": 4, "minAmount": 500000 },
            { "id": "grade_vip", "name": "VIP", "rate": 5, "minAmount": 1000000 }
        ])
    );
    // A changed row changes the answer without a redeploy.
    app.db
        .execute("UPDATE grades SET rate = 7 WHERE id = 'grade_vip'", &[])
        .await
        .unwrap();
    let r = app.get("/api/metadata/grade").send().await;
    assert_eq!(r.body[4]["rate"], 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sizes_are_the_six_fixed_ones() {
    let app = spawn_app().await;
    let r = app.get("/api/metadata/size/").send().await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body,
        json!([
            { "id": 1, "name": "XS", "size": { "en": "XS", "ko": "엑스스몰" } },
            { "id": 2, "name": "S", "size": { "en": "S", "ko": "스몰" } },
            { "id": 3, "name": "M", "size": { "en": "M", "ko": "미디엄" } },
            { "id": 4, "name": "L", "size": { "en": "L", "ko": "라지" } },
            { "id": 5, "name": "XL", "size": { "en": "XL", "ko": "엑스라지" } },
            { "id": 6, "name": "FREE", "size": { "en": "FREE", "ko": "프리" } }
        ])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn categories_match_case_insensitively() {
    let app = spawn_app().await;
    for name in ["top", "TOP", "Top"] {
        let r = app
            .get(&format!("/api/metadata/category/{name}"))
            .send()
            .await;
        assert_eq!(r.body, json!({ "id": "cat_top", "name": "top" }), "{name}");
    }
    let acc = app.get("/api/metadata/category/ACC").send().await;
    assert_eq!(acc.body, json!({ "id": "cat_acc", "name": "acc" }));
    let unknown = app.get("/api/metadata/category/hats").send().await;
    assert_eq!(unknown.error_message(404), "존재하지 않는 카테고리입니다.");
    let injected = app
        .get("/api/metadata/category/top'%20OR%20'1'='1")
        .send()
        .await;
    assert_eq!(injected.status, 404);
}
