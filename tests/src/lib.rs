//! Black-box test harness: the real server on an ephemeral port, against a fresh PostgreSQL
//! database cloned from a migrated template, with typed request helpers and user factories.

pub mod client;
pub mod database;
pub mod sse;

pub use client::{Resp, Session, product_body, store_body};

use server::config::{Config, StorageDriver};
use std::path::PathBuf;

pub const JWT_SECRET: &str = "test-secret-0123456789abcdef0123456789";
pub const PASSWORD: &str = "test1234";
/// The smallest bytes the server recognises as a PNG.
pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0";

/// The sorted keys of a JSON object, to assert a response's exact shape.
pub fn keys(value: &serde_json::Value) -> Vec<String> {
    let mut keys: Vec<String> = value
        .as_object()
        .expect("a JSON object")
        .keys()
        .cloned()
        .collect();
    keys.sort();
    keys
}

pub struct TestApp {
    /// `http://127.0.0.1:{port}`
    pub base: String,
    pub http: reqwest::Client,
    /// A connection to this test's own database, for asserting stored state.
    pub db: tokio_postgres::Client,
    pub database_url: String,
    pub upload_dir: PathBuf,
    /// The server's notification hub (to simulate a shutdown's stream closing).
    pub hub: std::sync::Arc<server::sse::Hub>,
}

/// Starts a server on its own fresh database. `tweak` adjusts the configuration first.
pub async fn spawn_app_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_on(database::fresh_database().await, tweak).await
}

/// Starts another server on an existing test database (several instances, restarts).
pub async fn spawn_app_on(database_url: String, tweak: impl FnOnce(&mut Config)) -> TestApp {
    let mut config = Config::for_database(&database_url, JWT_SECRET).expect("test configuration");
    config.host = "127.0.0.1".into();
    config.port = 0;
    config.bcrypt_cost = 4;
    config.db_pool_size = 8;
    config.shutdown_timeout_seconds = 1;
    // Tests log in many users from one address; the rate-limit test sets its own quotas.
    config.login_per_minute_per_address = 1_000_000;
    config.login_per_minute_per_account = 1_000_000;
    let upload_dir =
        std::env::temp_dir().join(format!("codiit-test-uploads-{}", kernel::id::new_id()));
    config.storage = StorageDriver::Local {
        upload_dir: upload_dir.clone(),
    };
    tweak(&mut config);
    let prepared = server::prepare(config, 2).await.expect("server starts");
    let base = format!("http://127.0.0.1:{}", prepared.port);
    let hub = prepared.hub.clone();
    tokio::spawn(prepared.server);
    let db = database::connect(&database_url).await;
    TestApp {
        base,
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client"),
        db,
        database_url,
        upload_dir,
        hub,
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}
