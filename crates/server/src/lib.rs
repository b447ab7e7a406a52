//! The CodiIt HTTP server: configuration, wiring of use cases to adapters, routes with their
//! OpenAPI document, and the HTTP conventions of the contract. No business rules live here.

pub mod auth;
pub mod config;
pub mod cookies;
pub mod dto;
pub mod error;
pub mod input;
pub mod middleware;
pub mod openapi;
pub mod ops;
pub mod reply;
pub mod routes;
pub mod seed;
pub mod sse;
pub mod state;
pub mod telemetry;

use crate::config::{Config, StorageDriver};
use crate::cookies::RefreshCookie;
use crate::middleware::CorsOrigins;
use crate::routes::statics::{self, UploadDir};
use crate::state::AppState;
use actix_web::middleware::{NormalizePath, TrailingSlash, from_fn};
use actix_web::{HttpServer, web};
use adapter_auth::{BcryptHasher, JwtAccessTokens, OpaqueRefreshTokens};
use adapter_local_media::LocalMediaStore;
use adapter_postgres::{Database, PoolSettings};
use adapter_s3::{S3MediaStore, S3Settings};
use catalog::{Catalog, CatalogSettings, Reference};
use identity::{AccountSettings, Accounts};
use kernel::{Clock, SystemClock};
use loyalty::Loyalty;
use media::{Images, MediaStore};
use paperclip::actix::OpenApiExt;
use paperclip::v2::models::{DefaultApiRaw, Info};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

pub type StartError = Box<dyn std::error::Error + Send + Sync>;

/// Where the OpenAPI documents and their viewer are served.
pub const OPENAPI_V3_PATH: &str = "/api/openapi.json";
pub const OPENAPI_V2_PATH: &str = "/api/openapi-v2.json";
pub const DOCS_PATH: &str = "/api/docs";

/// A server bound to its port, not yet serving.
pub struct Prepared {
    pub port: u16,
    pub base_url: String,
    pub server: actix_web::dev::Server,
    /// Closes the notification streams at shutdown, so clients reconnect elsewhere.
    pub hub: Arc<sse::Hub>,
    /// The listening socket (a second handle to the one the server accepts on).
    listener: TcpListener,
}

/// How long accepted connections get to reach a worker between closing the listener and
/// stopping the workers.
const HANDOVER: Duration = Duration::from_millis(200);

impl Prepared {
    /// Serves until SIGTERM or SIGINT, then stops accepting, closes the notification streams,
    /// lets in-flight requests finish (bounded by the shutdown timeout) and returns.
    pub async fn serve_until_signalled(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        let hub = self.hub.clone();
        let listener = self.listener;
        tokio::spawn(async move {
            shutdown_signal().await;
            tracing::info!("shutting down: closing notification streams and draining requests");
            hub.close_all();
            // actix stops the acceptor and the workers at once, and a stopping worker drops the
            // connections accepted for it but not yet started: a request sent at that moment
            // would be reset after it was sent, which a proxy may not retry (POST). So the
            // listener is shut first (new connections are refused, which a proxy retries
            // elsewhere), the connections already accepted reach their workers, and only then
            // do the workers stop, finishing every request they hold.
            handle.pause().await;
            if let Err(e) = socket2::SockRef::from(&listener).shutdown(std::net::Shutdown::Both) {
                tracing::warn!(error = %e, "could not shut the listener; stopping anyway");
            }
            tokio::time::sleep(HANDOVER).await;
            handle.stop(true).await;
        });
        self.server.await
    }
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

/// Applies the embedded migrations to the database at `url`.
pub async fn migrate(url: &str) -> Result<Vec<String>, StartError> {
    adapter_postgres::run_migrations(url).await
}

/// Migrates the database, wires every use case and binds the listener.
pub async fn prepare(config: Config, workers: usize) -> Result<Prepared, StartError> {
    let applied = adapter_postgres::run_migrations(&config.database_url).await?;
    if !applied.is_empty() {
        tracing::info!(migrations = ?applied, "applied database migrations");
    }
    let db = Database::connect(
        &config.database_url,
        &PoolSettings {
            max_size: config.db_pool_size,
            lanes: workers,
            ..PoolSettings::default()
        },
    )?;

    let listener = TcpListener::bind((config.host.as_str(), config.port))?;
    let port = listener.local_addr()?.port();
    let base_url = config
        .public_base_url
        .clone()
        .unwrap_or_else(|| format!("http://localhost:{port}"));

    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let (store, upload_dir): (Arc<dyn MediaStore>, Option<UploadDir>) = match &config.storage {
        StorageDriver::Local { upload_dir } => {
            std::fs::create_dir_all(upload_dir)?;
            (
                Arc::new(LocalMediaStore::new(
                    upload_dir.clone(),
                    format!("{base_url}/uploads"),
                )),
                Some(UploadDir(upload_dir.clone())),
            )
        }
        StorageDriver::S3 {
            bucket,
            region,
            access_key_id,
            secret_access_key,
            endpoint,
            public_base_url,
            timeout_seconds,
        } => (
            Arc::new(
                S3MediaStore::new(S3Settings {
                    bucket: bucket.clone(),
                    region: region.clone(),
                    access_key_id: access_key_id.clone(),
                    secret_access_key: secret_access_key.clone(),
                    endpoint: endpoint.clone(),
                    public_base_url: public_base_url.clone(),
                    timeout: std::time::Duration::from_secs(*timeout_seconds),
                })
                .await,
            ),
            None,
        ),
    };
    let images = Images::new(store, clock.clone());

    let static_image = |configured: &Option<String>, file: &str| {
        configured
            .clone()
            .unwrap_or_else(|| format!("{base_url}/static/{file}"))
    };
    let catalog = Catalog::new(
        db.clone(),
        db.clone(),
        db.clone(),
        images.clone(),
        clock.clone(),
        CatalogSettings {
            zone: config.app_timezone,
            default_store_image: static_image(&config.default_store_image_url, "default-store.png"),
            default_product_image: static_image(
                &config.default_product_image_url,
                "default-product.png",
            ),
        },
    );
    let accounts = Accounts::new(
        db.clone(),
        db.clone(),
        BcryptHasher::new(config.bcrypt_cost)?,
        JwtAccessTokens::new(&config.jwt_secret, config.access_token_ttl_seconds)?,
        OpaqueRefreshTokens::new(&config.jwt_secret),
        images.clone(),
        clock.clone(),
        AccountSettings {
            refresh_ttl: chrono::Duration::days(config.refresh_token_ttl_days),
            default_user_image: static_image(&config.default_user_image_url, "default-user.png"),
        },
    );
    let hub = Arc::new(sse::Hub::default());
    {
        let hub = hub.clone();
        tokio::spawn(adapter_postgres::listen(
            config.database_url.clone(),
            move |event| hub.handle(event),
        ));
    }
    let state = web::Data::new(AppState {
        db: db.clone(),
        accounts,
        loyalty: Loyalty::new(db.clone()),
        reference: Reference::new(db.clone()),
        catalog,
        images,
        refresh_cookie: RefreshCookie {
            max_age_seconds: config.refresh_token_ttl_days * 86_400,
            same_site: config.cookie_same_site,
            secure: config.cookie_secure,
        },
        community: community::Community::new(db.clone(), clock.clone()),
        ordering: ordering::Ordering::new(db.clone(), db.clone(), db.clone(), clock.clone()),
        reviews: community::service::ReviewBook::new(db.clone(), clock.clone()),
        insights: insights::Insights::new(
            db.clone(),
            db.clone(),
            clock.clone(),
            config.app_timezone,
        ),
        notifications: notifications::Notifications::new(db.clone(), clock.clone()),
        hub: hub.clone(),
        login_limiter: ops::LoginLimiter::new(
            config.login_per_minute_per_address,
            config.login_per_minute_per_account,
            config.trust_proxy,
        ),
        sse: state::SseSettings {
            heartbeat_seconds: config.sse_heartbeat_seconds,
            replay_limit: config.sse_replay_limit,
        },
    });
    if config.seed_demo && seed::seed_demo(&state, &base_url).await? {
        tracing::info!(
            "inserted the demo data (seller@codiit.com / buyer@codiit.com, password test1234)"
        );
    }
    let cors = web::Data::new(CorsOrigins(config.cors_origins.clone()));
    let metrics_path = config.metrics_path.clone();
    ops::prometheus();
    let upload_dir = upload_dir.map(web::Data::new);
    // Innermost, so it sees the handler's own error (and its cause chain) on a 5xx response.
    let report_errors = config.sentry.is_some();

    // Each worker thread builds its own App, on that thread: it takes the next lane of the pool,
    // so the connections it opens (and their protocol tasks) stay on it.
    let next_lane = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let server = HttpServer::new(move || {
        Database::enter_lane(next_lane.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        let mut app = actix_web::App::new()
            .app_data(state.clone())
            .app_data(cors.clone())
            .app_data(actix_web::web::PayloadConfig::new(
                crate::input::MULTIPART_LIMIT,
            ))
            .wrap(actix_web::middleware::Condition::new(
                report_errors,
                telemetry::error_reporting(),
            ))
            .wrap(from_fn(middleware::docs_guard))
            .wrap(from_fn(middleware::error_bodies))
            .wrap(from_fn(middleware::cors))
            .wrap(from_fn(ops::track))
            .wrap(NormalizePath::new(TrailingSlash::Trim))
            .wrap(from_fn(ops::access_log))
            .wrap(from_fn(ops::request_id))
            .wrap(from_fn(middleware::hide_query_token))
            .route(&metrics_path, web::get().to(statics::metrics))
            .route(OPENAPI_V3_PATH, web::get().to(statics::openapi_document))
            .route("/static/{file:.*}", web::get().to(statics::asset))
            .route("/uploads/{key:.*}", web::get().to(statics::upload))
            .default_service(web::to(|| async {
                error::error_response(actix_web::http::StatusCode::NOT_FOUND, error::UNKNOWN_ROUTE)
            }));
        if let Some(dir) = &upload_dir {
            app = app.app_data(dir.clone());
        }
        // The documents and their viewer are mounted before the `/api` scope: a scope answers
        // every path under its prefix, so later `/api/...` services would never be reached.
        // The v3 document is served by our own route with paperclip's conversion finished.
        app.wrap_api_with_spec(api_document())
            .with_json_spec_at(OPENAPI_V2_PATH)
            .with_swagger_ui_at(DOCS_PATH)
            .service(routes::api())
            .with_raw_json_spec(|app, v2| {
                app.app_data(web::Data::new(openapi::AllowedMethods::from_spec(&v2)))
            })
            .with_raw_json_spec_v3(|app, v3| {
                let finished = openapi::finish(v3);
                app.app_data(web::Data::new(openapi::OpenApiDocument(
                    finished.to_string(),
                )))
            })
            .build()
    })
    .workers(workers)
    .disable_signals()
    .shutdown_timeout(config.shutdown_timeout_seconds)
    .listen(listener.try_clone()?)?
    .run();

    Ok(Prepared {
        port,
        base_url,
        server,
        hub,
        listener,
    })
}

fn api_document() -> DefaultApiRaw {
    DefaultApiRaw {
        info: Info {
            title: "CodiIt API".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: Some(
                "The CodiIt fashion marketplace API. Authenticated operations take \
                 `Authorization: Bearer <accessToken>`."
                    .into(),
            ),
            ..Default::default()
        },
        ..Default::default()
    }
}
