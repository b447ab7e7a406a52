use crate::auth::AuthUser;
use crate::cookies::RefreshCookie;
use crate::dto::{AccessTokenResponse, LoginRequest, LoginResponse, MessageResponse};
use crate::error::{ApiError, ApiResult};
use crate::input::JsonBody;
use crate::reply::{Created, Ok, created, ok};
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use identity::messages::LOGGED_OUT;
use kernel::DomainError;
use paperclip::actix::{api_v2_operation, web};

/// Log in (E1)
///
/// Answers 201 with the user and an access token, and sets the `refreshToken` cookie. An unknown
/// email and a wrong password get the same 401.
#[api_v2_operation(tags(Auth))]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: JsonBody<LoginRequest>,
) -> Result<Created<LoginResponse>, LoginError> {
    let JsonBody(body) = body;
    // Bounded per client address and per account; answered before any hashing work.
    state
        .login_limiter
        .check(&req, body.email.as_deref())
        .map_err(LoginError::Limited)?;
    let outcome = state
        .accounts
        .login(body.email, body.password)
        .await
        .map_err(|e| LoginError::Api(e.into()))?;
    Result::Ok(
        created(LoginResponse {
            user: outcome.user.into(),
            access_token: outcome.access_token,
        })
        .with_cookie(state.refresh_cookie.set(&outcome.refresh_token)),
    )
}

/// A failed login: the usual errors, or 429 with `Retry-After` when rate limited.
pub enum LoginError {
    Api(ApiError),
    /// Seconds until another attempt is allowed.
    Limited(u64),
}

impl std::fmt::Debug for LoginError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Api(e) => e.fmt(f),
            Self::Limited(_) => f.write_str("login rate limited"),
        }
    }
}

impl std::fmt::Display for LoginError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self, f)
    }
}

impl ResponseError for LoginError {
    fn status_code(&self) -> actix_web::http::StatusCode {
        match self {
            Self::Api(e) => e.status_code(),
            Self::Limited(_) => actix_web::http::StatusCode::TOO_MANY_REQUESTS,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Api(e) => e.error_response(),
            Self::Limited(seconds) => crate::ops::too_many_logins(*seconds),
        }
    }
}

impl paperclip::v2::schema::Apiv2Errors for LoginError {
    fn update_error_definitions(op: &mut paperclip::v2::models::DefaultOperationRaw) {
        ApiError::update_error_definitions(op);
        op.responses.insert(
            "429".into(),
            paperclip::v2::models::Either::Right(paperclip::v2::models::Response {
                description: Some("Too many login attempts; see Retry-After".into()),
                schema: Some(<crate::error::ErrorBody as paperclip::v2::schema::Apiv2Schema>::schema_with_ref()),
                ..Default::default()
            }),
        );
    }
    fn update_definitions(
        map: &mut std::collections::BTreeMap<String, paperclip::v2::models::DefaultSchemaRaw>,
    ) {
        ApiError::update_definitions(map);
    }
}

/// A failed refresh also clears the cookie (§2.1 E2).
pub struct RefreshError {
    inner: ApiError,
    clear_cookie: Option<String>,
}

impl std::fmt::Debug for RefreshError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.fmt(f)
    }
}

impl std::fmt::Display for RefreshError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.fmt(f)
    }
}

impl ResponseError for RefreshError {
    fn status_code(&self) -> actix_web::http::StatusCode {
        self.inner.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = self.inner.error_response();
        if let Some(cookie) = &self.clear_cookie {
            crate::cookies::append(&mut response, cookie);
        }
        response
    }
}

impl paperclip::v2::schema::Apiv2Errors for RefreshError {
    fn update_error_definitions(op: &mut paperclip::v2::models::DefaultOperationRaw) {
        ApiError::update_error_definitions(op);
    }
    fn update_definitions(
        map: &mut std::collections::BTreeMap<String, paperclip::v2::models::DefaultSchemaRaw>,
    ) {
        ApiError::update_definitions(map);
    }
}

/// Refresh the access token (E2)
///
/// Authenticates with the `refreshToken` cookie alone; rotates it (parallel refreshes within
/// 10 seconds share one successor).
#[api_v2_operation(tags(Auth))]
pub async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<Ok<AccessTokenResponse>, RefreshError> {
    let presented = RefreshCookie::read(&req);
    match state.accounts.refresh(presented.as_deref()).await {
        Result::Ok(outcome) => Result::Ok(
            ok(AccessTokenResponse {
                access_token: outcome.access_token,
            })
            .with_cookie(state.refresh_cookie.set(&outcome.refresh_token)),
        ),
        Err(e) => {
            let clear = matches!(e, DomainError::Unauthenticated(_) if presented.is_some())
                .then(|| state.refresh_cookie.clear());
            Err(RefreshError {
                inner: e.into(),
                clear_cookie: clear,
            })
        }
    }
}

/// Log out (E3)
///
/// Revokes every refresh token of the user and clears the cookie.
#[api_v2_operation(tags(Auth))]
pub async fn logout(state: web::Data<AppState>, user: AuthUser) -> ApiResult<Ok<MessageResponse>> {
    state.accounts.logout(&user.0).await?;
    Result::Ok(ok(MessageResponse::new(LOGGED_OUT)).with_cookie(state.refresh_cookie.clear()))
}
