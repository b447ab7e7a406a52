//! Cross-cutting HTTP behaviour: CORS (spec §0.4) and the error body for every failure the
//! framework answers on its own (unknown routes, wrong methods, oversized bodies).

use crate::error::{default_message, error_response};
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpResponse, web};

/// Exact allowed origins, normalised at start-up.
#[derive(Debug, Clone)]
pub struct CorsOrigins(pub Vec<String>);

const ALLOW_METHODS: &str = "GET, HEAD, PUT, PATCH, POST, DELETE, OPTIONS";
const ALLOW_HEADERS: &str =
    "Authorization, Content-Type, X-Requested-With, Idempotency-Key, Last-Event-ID, Accept";

fn allowed_origin(req: &ServiceRequest) -> Option<HeaderValue> {
    let origins = req.app_data::<web::Data<CorsOrigins>>()?;
    let origin = req.headers().get(header::ORIGIN)?;
    let text = origin.to_str().ok()?;
    origins.0.iter().any(|o| o == text).then(|| origin.clone())
}

fn add_cors_headers(headers: &mut HeaderMap, origin: HeaderValue) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        HeaderValue::from_static("true"),
    );
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("Idempotent-Replayed"),
    );
}

fn add_vary_origin(headers: &mut HeaderMap) {
    headers.append(header::VARY, HeaderValue::from_static("Origin"));
}

pub async fn cors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let origin = allowed_origin(&req);
    let has_origin = req.headers().contains_key(header::ORIGIN);
    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    if preflight {
        // Preflights never need authentication; disallowed origins get a bare 204.
        let mut response = HttpResponse::NoContent().finish();
        if let Some(origin) = origin {
            let headers = response.headers_mut();
            add_cors_headers(headers, origin);
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static(ALLOW_METHODS),
            );
            headers.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static(ALLOW_HEADERS),
            );
            headers.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("600"),
            );
        }
        if has_origin {
            add_vary_origin(response.headers_mut());
        }
        return Ok(req.into_response(response));
    }
    let mut response = next.call(req).await?.map_into_boxed_body();
    if let Some(origin) = origin {
        add_cors_headers(response.headers_mut(), origin);
    }
    if has_origin {
        add_vary_origin(response.headers_mut());
    }
    Ok(response)
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// Gives every error response the contract's JSON body, whoever produced it.
pub async fn error_bodies(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let response = next.call(req).await?;
    let status = response.status();
    if status.as_u16() >= 400 && !is_json(response.headers()) {
        let (req, _) = response.into_parts();
        let mut body = error_response(status, default_message(status));
        if status == actix_web::http::StatusCode::METHOD_NOT_ALLOWED {
            // RFC 9110: a 405 lists the methods the resource supports.
            let allowed = req
                .app_data::<web::Data<crate::openapi::AllowedMethods>>()
                .zip(req.match_pattern())
                .and_then(|(allowed, pattern)| allowed.0.get(&pattern).cloned());
            if let Some(value) = allowed.and_then(|a| HeaderValue::from_str(&a).ok()) {
                body.headers_mut().insert(header::ALLOW, value);
            }
        }
        return Ok(ServiceResponse::new(req, body));
    }
    Ok(response.map_into_boxed_body())
}

/// The access token an SSE client sent as `?token=` (spec §0.3), taken out of the URI.
#[derive(Clone)]
pub struct QueryToken(pub String);

/// Moves a `token` query parameter out of the request URI into the request's extensions before
/// anything (the access log included) sees the URI, so tokens are never logged.
pub async fn hide_query_token(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if let Some(query) = req.uri().query().filter(|q| q.contains("token=")) {
        let mut token = None;
        let kept: Vec<&str> = query
            .split('&')
            .filter(|pair| match pair.strip_prefix("token=") {
                Some(value) => {
                    token = Some(value.to_owned());
                    false
                }
                None => true,
            })
            .collect();
        if let Some(token) = token {
            let path = req.uri().path().to_owned();
            let rebuilt = if kept.is_empty() {
                path
            } else {
                format!("{path}?{}", kept.join("&"))
            };
            if let Ok(uri) = rebuilt.parse() {
                req.head_mut().uri = uri;
                let token = percent_decode(&token);
                req.extensions_mut().insert(QueryToken(token));
            }
        }
    }
    next.call(req).await
}

fn percent_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = (bytes[i] == b'%' && i + 2 < bytes.len())
            .then(|| Some(hex(bytes[i + 1])? * 16 + hex(bytes[i + 2])?))
            .flatten();
        match decoded {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Files of the bundled Swagger UI. paperclip's viewer panics on any other name, so unknown
/// names are answered with 404 before they reach it.
const DOCS_FILES: &[&str] = &[
    "favicon-16x16.png",
    "favicon-32x32.png",
    "index.html",
    "oauth2-redirect.html",
    "swagger-ui-bundle.js",
    "swagger-ui-bundle.js.map",
    "swagger-ui-es-bundle-core.js",
    "swagger-ui-es-bundle-core.js.map",
    "swagger-ui-es-bundle.js",
    "swagger-ui-es-bundle.js.map",
    "swagger-ui-standalone-preset.js",
    "swagger-ui-standalone-preset.js.map",
    "swagger-ui.css",
    "swagger-ui.css.map",
    "swagger-ui.js",
    "swagger-ui.js.map",
];

pub async fn docs_guard(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let prefix = format!("{}/", crate::DOCS_PATH);
    let unknown_file = req
        .path()
        .strip_prefix(prefix.as_str())
        .is_some_and(|file| !DOCS_FILES.contains(&file));
    if unknown_file {
        let response = error_response(
            actix_web::http::StatusCode::NOT_FOUND,
            crate::error::UNKNOWN_ROUTE,
        );
        return Ok(req.into_response(response));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

#[cfg(test)]
mod tests {
    use super::percent_decode;

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("a%2Eb+c%zz%4"), "a.b c%zz%4");
        assert_eq!(percent_decode("eyJ0.eyJ-_x"), "eyJ0.eyJ-_x");
    }
}
