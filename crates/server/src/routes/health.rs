use crate::dto::HealthResponse;
use crate::reply::{Ok, ok};
use crate::state::AppState;
use actix_web::{HttpResponse, ResponseError, http::StatusCode};
use kernel::time::format_ts;
use paperclip::actix::{api_v2_operation, web};
use paperclip::v2::models::{DefaultOperationRaw, DefaultSchemaRaw, Either, Response};
use paperclip::v2::schema::{Apiv2Errors, Apiv2Schema};
use std::collections::BTreeMap;
use std::time::Duration;

/// The one non-2xx answer whose body is not the error body (E55).
#[derive(Debug)]
pub struct Unavailable(String);

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("database unavailable")
    }
}

impl ResponseError for Unavailable {
    fn status_code(&self) -> StatusCode {
        StatusCode::SERVICE_UNAVAILABLE
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::ServiceUnavailable().json(HealthResponse {
            status: "unavailable".into(),
            timestamp: self.0.clone(),
        })
    }
}

impl Apiv2Errors for Unavailable {
    fn update_error_definitions(op: &mut DefaultOperationRaw) {
        op.responses.insert(
            "503".into(),
            Either::Right(Response {
                description: Some("The database does not answer within 2 seconds".into()),
                schema: Some(HealthResponse::schema_with_ref()),
                ..Default::default()
            }),
        );
    }

    fn update_definitions(map: &mut BTreeMap<String, DefaultSchemaRaw>) {
        crate::reply::register_schema::<HealthResponse>(map);
    }
}

/// Health (E55)
///
/// 200 when the database answers a trivial query within 2 seconds, 503 otherwise.
#[api_v2_operation(tags(Health))]
pub async fn health(state: web::Data<AppState>) -> Result<Ok<HealthResponse>, Unavailable> {
    let answered = tokio::time::timeout(Duration::from_secs(2), state.db.ping()).await;
    let timestamp = format_ts(&chrono::Utc::now());
    match answered {
        Result::Ok(Result::Ok(())) => Result::Ok(ok(HealthResponse {
            status: "ok".into(),
            timestamp,
        })),
        Result::Ok(Err(e)) => {
            tracing::warn!(error = %e, "health check: database query failed");
            Err(Unavailable(timestamp))
        }
        Err(_) => {
            tracing::warn!("health check: database did not answer within 2 s");
            Err(Unavailable(timestamp))
        }
    }
}

/// Liveness
///
/// 200 while the process serves requests, whatever the database's state (use `/api/health`
/// for readiness).
#[api_v2_operation(tags(Health))]
pub async fn live() -> Ok<HealthResponse> {
    ok(HealthResponse {
        status: "ok".into(),
        timestamp: format_ts(&chrono::Utc::now()),
    })
}
