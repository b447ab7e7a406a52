//! Operations: Prometheus metrics, request ids propagated from `X-Request-Id`, and login rate
//! limiting per client address and per account.

use crate::error::error_response;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpRequest, HttpResponse};
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use std::num::NonZeroU32;
use std::sync::OnceLock;
use std::time::Instant;
use tracing::Instrument;

static PROMETHEUS: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process-wide Prometheus recorder (installed once; several servers in one test process
/// share it).
pub fn prometheus() -> Option<&'static PrometheusHandle> {
    PROMETHEUS
        .get_or_init(|| PrometheusBuilder::new().install_recorder().ok())
        .as_ref()
}

/// Counts requests and their latency per route pattern (never per raw path, which would
/// explode the label set).
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let response = next.call(req).await?;
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".into());
    let status = response.status().as_u16().to_string();
    let labels = [("method", method), ("route", route), ("status", status)];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    Ok(response)
}

/// The id of this request: the caller's `X-Request-Id` when it is sane, else a new one.
#[derive(Clone)]
pub struct RequestId(pub String);

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

fn incoming_id(req: &ServiceRequest) -> String {
    req.headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| (0x21..=0x7E).contains(&b))
        })
        .map(str::to_owned)
        .unwrap_or_else(kernel::id::new_id)
}

/// Puts the request id on the request (for the log span) and on the response.
pub async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = incoming_id(&req);
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut response = next.call(req).await?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    Ok(response)
}

/// Serves the request inside its span, so every line logged meanwhile carries its
/// `request_id`, then writes its access-log line: one event (target `access`) with the method,
/// the route pattern, the target (tokens already moved out by `hide_query_token`), the status and
/// the milliseconds until the response head was ready. One event per request, not a span's close
/// with its busy and idle timings, which cost a fifth of a list page's CPU in the API; a stream
/// (SSE) is logged when it starts.
pub async fn access_log(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let id = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let method = req.method().clone();
    let target = req.uri().clone();
    let span = tracing::info_span!("request", request_id = %id);
    let result = next.call(req).instrument(span).await;
    let (status, route) = match &result {
        Ok(response) => (response.status(), response.request().match_pattern()),
        Err(error) => (error.as_response_error().status_code(), None),
    };
    tracing::info!(
        target: "access",
        request_id = %id,
        http.method = %method,
        http.route = route.as_deref().unwrap_or_default(),
        http.target = %target,
        http.status_code = status.as_u16(),
        elapsed_ms = started.elapsed().as_micros() as f64 / 1e3,
        "request"
    );
    result
}

pub const TOO_MANY_LOGINS: &str = "로그인 시도가 너무 많습니다. 잠시 후 다시 시도해주세요.";

/// Login attempts per client address and per account (normalised email).
pub struct LoginLimiter {
    by_address: DefaultKeyedRateLimiter<String>,
    by_account: DefaultKeyedRateLimiter<String>,
    trust_proxy: bool,
}

impl LoginLimiter {
    pub fn new(per_address: u32, per_account: u32, trust_proxy: bool) -> Self {
        let quota = |n: u32| Quota::per_minute(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN));
        Self {
            by_address: RateLimiter::keyed(quota(per_address)),
            by_account: RateLimiter::keyed(quota(per_account)),
            trust_proxy,
        }
    }

    fn address(&self, req: &HttpRequest) -> String {
        let info = req.connection_info();
        let addr = if self.trust_proxy {
            info.realip_remote_addr()
        } else {
            info.peer_addr()
        };
        addr.unwrap_or("unknown").to_owned()
    }

    /// `Err(seconds to wait)` when this address or account is over its quota.
    pub fn check(&self, req: &HttpRequest, email: Option<&str>) -> Result<(), u64> {
        let now = DefaultClock::default().now();
        let address = self.address(req);
        let mut wait = None;
        if let Err(not_until) = self.by_address.check_key(&address) {
            wait = Some(not_until.wait_time_from(now));
        }
        if let Some(email) = email
            .map(|e| e.trim().to_lowercase())
            .filter(|e| !e.is_empty())
            && let Err(not_until) = self.by_account.check_key(&email)
        {
            let w = not_until.wait_time_from(now);
            wait = Some(wait.map_or(w, |x: std::time::Duration| x.max(w)));
        }
        match wait {
            None => Ok(()),
            Some(wait) => Err((wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)),
        }
    }
}

/// The 429 of a rate-limited login, with `Retry-After`.
pub fn too_many_logins(retry_after_seconds: u64) -> HttpResponse {
    let mut response = error_response(StatusCode::TOO_MANY_REQUESTS, TOO_MANY_LOGINS);
    if let Ok(value) = HeaderValue::from_str(&retry_after_seconds.to_string()) {
        response
            .headers_mut()
            .insert(actix_web::http::header::RETRY_AFTER, value);
    }
    response
}
