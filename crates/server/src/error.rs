//! The server's error type: every failure leaves as the contract's error body (spec §0.5).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use kernel::DomainError;
use paperclip::actix::Apiv2Schema;
use paperclip::v2::models::{DefaultOperationRaw, DefaultSchemaRaw, Either, Response};
use paperclip::v2::schema::{Apiv2Errors, Apiv2Schema as _};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

pub const MALFORMED_BODY: &str = "잘못된 요청 형식입니다.";
pub const UNKNOWN_ROUTE: &str = "요청한 경로를 찾을 수 없습니다.";
pub const METHOD_NOT_ALLOWED: &str = "허용되지 않은 메서드입니다.";
pub const BODY_TOO_LARGE: &str = "요청 본문이 너무 큽니다.";
pub const INTERNAL: &str = "서버 내부 오류가 발생했습니다.";
pub const UNAVAILABLE: &str = "서비스를 일시적으로 사용할 수 없습니다.";

/// `{ statusCode, message, error }`.
#[derive(Debug, Serialize, Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub status_code: u16,
    pub message: String,
    pub error: String,
}

pub fn reason_phrase(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        503 => "Service Unavailable",
        _ => status.canonical_reason().unwrap_or("Internal Server Error"),
    }
}

pub fn error_response(status: StatusCode, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(ErrorBody {
        status_code: status.as_u16(),
        message: message.to_owned(),
        error: reason_phrase(status).to_owned(),
    })
}

/// The default message for a status the framework produced on its own.
pub fn default_message(status: StatusCode) -> &'static str {
    match status.as_u16() {
        404 => UNKNOWN_ROUTE,
        405 => METHOD_NOT_ALLOWED,
        413 => BODY_TOO_LARGE,
        500 => INTERNAL,
        503 => UNAVAILABLE,
        _ => MALFORMED_BODY,
    }
}

#[derive(Debug)]
pub struct ApiError(pub DomainError);

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self(DomainError::Invalid(message.into()))
    }

    pub fn malformed() -> Self {
        Self::bad_request(MALFORMED_BODY)
    }

    pub fn too_large(message: &str) -> Self {
        Self(DomainError::TooLarge(message.to_owned()))
    }
}

/// actix's `Error` hides `source()`, so error reporters (Sentry) see this text alone: for faults
/// it spells out the whole cause chain. Clients never see it (see `error_response`).
impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            DomainError::Internal { .. } | DomainError::Unavailable { .. } => {
                f.write_str(&chain(&self.0))
            }
            other => other.fmt(f),
        }
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        Self(e)
    }
}

/// The full cause chain, for logs.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        out.push_str(": ");
        out.push_str(&s.to_string());
        cur = s.source();
    }
    out
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match &self.0 {
            DomainError::Invalid(_) => StatusCode::BAD_REQUEST,
            DomainError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            DomainError::Forbidden(_) => StatusCode::FORBIDDEN,
            DomainError::NotFound(_) => StatusCode::NOT_FOUND,
            DomainError::Conflict(_) => StatusCode::CONFLICT,
            DomainError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            DomainError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            DomainError::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let message = match &self.0 {
            DomainError::Internal { .. } => {
                tracing::error!(error = %chain(&self.0), "request failed");
                INTERNAL.to_owned()
            }
            DomainError::Unavailable { .. } => {
                tracing::warn!(error = %chain(&self.0), "dependency unavailable");
                UNAVAILABLE.to_owned()
            }
            other => other.to_string(),
        };
        error_response(status, &message)
    }
}

/// Documents the error statuses with the error body schema.
impl Apiv2Errors for ApiError {
    fn update_error_definitions(op: &mut DefaultOperationRaw) {
        let codes: &[(u16, &str)] = &[
            (400, "Malformed input or a violated business rule"),
            (401, "Missing, invalid or expired credentials"),
            (403, "Wrong user type, or not the owner"),
            (404, "Unknown resource"),
            (409, "Conflict"),
            (413, "Body or file too large"),
            (500, "Unexpected failure"),
            (503, "Database unavailable"),
        ];
        for (code, description) in codes {
            op.responses.entry(code.to_string()).or_insert_with(|| {
                Either::Right(Response {
                    description: Some((*description).to_owned()),
                    schema: Some(ErrorBody::schema_with_ref()),
                    ..Default::default()
                })
            });
        }
    }

    fn update_definitions(map: &mut BTreeMap<String, DefaultSchemaRaw>) {
        crate::reply::register_schema::<ErrorBody>(map);
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
