//! The OpenAPI document: served, complete for the endpoints built so far, and equal to the
//! committed snapshot `docs/openapi.json` that client generation is checked against.

use api_tests::spawn_app;
use serde_json::Value;

const SNAPSHOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json");

const OPERATIONS: &[(&str, &str)] = &[
    ("/api/auth/login", "post"),
    ("/api/auth/refresh", "post"),
    ("/api/auth/logout", "post"),
    ("/api/users", "post"),
    ("/api/users/me", "get"),
    ("/api/users/me", "patch"),
    ("/api/users/me/likes", "get"),
    ("/api/users/me/points", "get"),
    ("/api/users/delete", "delete"),
    ("/api/metadata/grade", "get"),
    ("/api/metadata/size", "get"),
    ("/api/metadata/category/{name}", "get"),
    ("/api/s3/upload", "post"),
    ("/api/health", "get"),
    ("/api/products/{productId}", "get"),
    ("/api/inquiries/{id}/replies", "get"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_lists_every_operation_with_schemas() {
    let app = spawn_app().await;
    let r = app.get("/api/openapi.json").send().await;
    assert_eq!(r.status, 200);
    let doc = &r.body;
    assert_eq!(doc["openapi"], "3.0.0");
    for (path, method) in OPERATIONS {
        let op = &doc["paths"][path][method];
        assert!(op.is_object(), "{method} {path} is documented");
        let success = op["responses"]
            .as_object()
            .unwrap()
            .iter()
            .find(|(code, _)| code.starts_with('2'))
            .unwrap_or_else(|| panic!("{method} {path} has a success response"));
        assert!(
            success.1["content"]["application/json"]["schema"].is_object(),
            "{method} {path} success has a schema"
        );
        // Public and public+ endpoints never answer 401 (§0.3); login and refresh check
        // credentials.
        let anonymous_allowed = match op.get("security") {
            None => true,
            Some(options) => options
                .as_array()
                .is_some_and(|o| o.contains(&serde_json::json!({}))),
        };
        let public = anonymous_allowed && !matches!(*path, "/api/auth/login" | "/api/auth/refresh");
        assert_eq!(
            op["responses"].get("401").is_none(),
            public,
            "{method} {path}: 401 documented only where credentials are checked"
        );
        let failure = match *path {
            "/api/health" => "503",
            _ if public => "400",
            _ => "401",
        };
        assert!(
            op["responses"][failure]["content"]["application/json"]["schema"]["$ref"].is_string(),
            "{method} {path} documents its {failure} body"
        );
    }
    // E44 refuses a secret reply to a viewer who may not read it, anonymous or not.
    assert!(doc["paths"]["/api/inquiries/{id}/replies"]["get"]["responses"]["403"].is_object());
    for (path, method) in [
        ("/api/auth/login", "post"),
        ("/api/users", "post"),
        ("/api/users/me", "patch"),
    ] {
        assert!(
            doc["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
                .is_object(),
            "{method} {path} documents its body"
        );
    }
    assert!(
        doc["paths"]["/api/s3/upload"]["post"]["requestBody"]["content"]["multipart/form-data"]
            .is_object()
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["bearerAuth"]["scheme"],
        "bearer"
    );
    let item = &doc["components"]["schemas"]["ProductListResponse"]["properties"]["list"]["items"];
    assert_eq!(
        item["properties"]["discountEndTime"]["nullable"], true,
        "absent values are null"
    );
    let alarms = &doc["paths"]["/api/notifications"]["get"]["responses"]["200"]["content"];
    assert!(
        alarms["application/json"]["schema"]["oneOf"].is_array(),
        "E48's two forms"
    );
    assert!(doc["paths"]["/api/users/me"]["get"]["security"].is_array());

    let v2 = app.get("/api/openapi-v2.json").send().await;
    assert_eq!(v2.body["swagger"], "2.0");
    let docs = app.get("/api/docs").send().await;
    assert_eq!(docs.status, 308);
    let ui = app
        .get("/api/docs/index.html?url=/api/openapi.json")
        .send()
        .await;
    assert_eq!(ui.status, 200);
    assert!(ui.text.contains("swagger"));
    let unknown = app.get("/api/docs/../../etc/passwd.js").send().await;
    assert_eq!(unknown.status, 404);
    let missing = app.get("/api/docs/missing.js").send().await;
    assert_eq!(
        missing.error_message(404),
        "요청한 경로를 찾을 수 없습니다."
    );
    // The viewer keeps working after an unknown name (a panic would have killed the worker).
    assert_eq!(app.get("/api/docs/swagger-ui.css").send().await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_served_document_matches_the_committed_snapshot() {
    let app = spawn_app().await;
    let served = app.get("/api/openapi.json").send().await.body;
    if std::env::var_os("UPDATE_OPENAPI_SNAPSHOT").is_some() {
        let pretty = serde_json::to_string_pretty(&served).unwrap() + "\n";
        std::fs::write(SNAPSHOT, pretty).expect("write the snapshot");
        return;
    }
    let committed: Value = serde_json::from_str(
        &std::fs::read_to_string(SNAPSHOT).expect("docs/openapi.json is committed"),
    )
    .expect("the snapshot is JSON");
    assert!(
        served == committed,
        "the served OpenAPI document drifted from docs/openapi.json; review the change and \
         regenerate it with `make openapi`"
    );
}
