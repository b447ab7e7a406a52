//! Files outside `/api` (spec §0.1): bundled default and demo images under `/static`, and uploads stored
//! on local disk under `/uploads`.

use crate::error::{UNKNOWN_ROUTE, error_response};
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use std::path::{Component, Path, PathBuf};

macro_rules! assets {
    ($($name:literal),+ $(,)?) => {
        &[$(($name, include_bytes!(concat!("../../assets/", $name)))),+]
    };
}

/// Bundled images: the default images (§0.11) and the demo catalogue's (§4.13).
const ASSETS: &[(&str, &[u8])] = assets!(
    "default-user.png",
    "default-store.png",
    "default-product.png",
    "demo/tshirt.png",
    "demo/shirt.png",
    "demo/denim.png",
    "demo/chino.png",
    "demo/floral-dress.png",
    "demo/knit-dress.png",
    "demo/wool-coat.png",
    "demo/padding.png",
    "demo/skirt.png",
    "demo/sneakers.png",
    "demo/boots.png",
    "demo/tote.png",
);

fn not_found() -> HttpResponse {
    error_response(StatusCode::NOT_FOUND, UNKNOWN_ROUTE)
}

fn content_type(name: &str) -> &'static str {
    match Path::new(name).extension().and_then(|e| e.to_str()) {
        Some("png") => "image/png",
        Some("jpg") | Some("jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        _ => "application/octet-stream",
    }
}

pub async fn asset(file: web::Path<String>) -> HttpResponse {
    match ASSETS.iter().find(|(name, _)| *name == file.as_str()) {
        Some((name, bytes)) => HttpResponse::Ok()
            .insert_header((CONTENT_TYPE, content_type(name)))
            .insert_header((CACHE_CONTROL, "public, max-age=86400"))
            .body(*bytes),
        None => not_found(),
    }
}

/// Where local uploads live; registered as app data when the local driver is used.
#[derive(Clone)]
pub struct UploadDir(pub PathBuf);

pub async fn upload(req: HttpRequest, key: web::Path<String>) -> HttpResponse {
    let Some(dir) = req.app_data::<web::Data<UploadDir>>() else {
        return not_found();
    };
    let relative = Path::new(key.as_str());
    if relative
        .components()
        .any(|c| !matches!(c, Component::Normal(_)))
    {
        return not_found();
    }
    match tokio::fs::read(dir.0.join(relative)).await {
        Ok(bytes) => HttpResponse::Ok()
            .insert_header((CONTENT_TYPE, content_type(key.as_str())))
            .insert_header((CACHE_CONTROL, "public, max-age=31536000, immutable"))
            .body(bytes),
        Err(_) => not_found(),
    }
}

/// Prometheus metrics: the recorder's counters and histograms, plus gauges read now.
pub async fn metrics(state: web::Data<crate::state::AppState>) -> HttpResponse {
    let (in_use, size) = state.db.pool_usage();
    metrics::gauge!("db_pool_connections_in_use").set(in_use as f64);
    metrics::gauge!("db_pool_connections_max").set(size as f64);
    metrics::gauge!("sse_open_streams").set(state.hub.open_streams() as f64);
    match crate::ops::prometheus() {
        Some(handle) => HttpResponse::Ok()
            .insert_header((CONTENT_TYPE, "text/plain; version=0.0.4"))
            .body(handle.render()),
        None => not_found(),
    }
}

/// The finished OpenAPI 3 document.
pub async fn openapi_document(doc: web::Data<crate::openapi::OpenApiDocument>) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "application/json"))
        .body(doc.0.clone())
}
