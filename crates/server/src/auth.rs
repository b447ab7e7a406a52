//! Authentication extractors (spec §0.3): `AuthUser` (user class), `Buyer`/`Seller` (type
//! classes) and `MaybeAuthUser` (public+). A body's errors wait for their answer (`AuthFirst`),
//! so 401 and 403 win over 400 and 413 as §0.6 orders them.

use crate::error::ApiError;
use crate::middleware::QueryToken;
use crate::state::AppState;
use actix_web::HttpMessage;
use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use identity::User;
use identity::messages::{BUYERS_ONLY, INVALID_ACCESS_TOKEN, LOGIN_REQUIRED, SELLERS_ONLY};
use kernel::{DomainError, UserType};
use paperclip::actix::OperationModifier;
use paperclip::v2::models::{DefaultSchemaRaw, SecurityScheme};
use paperclip::v2::schema::Apiv2Schema;
use std::collections::BTreeMap;
use tokio::sync::oneshot;

/// In a request's extensions while its authentication check is running; closed when it ends.
struct AuthPending(oneshot::Receiver<()>);

/// Marks the request's authentication as running until the returned guard is dropped, which the
/// check's future does when it finishes (or is dropped).
fn auth_pending(req: &HttpRequest) -> oneshot::Sender<()> {
    let (running, pending) = oneshot::channel();
    req.extensions_mut().insert(AuthPending(pending));
    running
}

/// Holds a body's rejection back until the request's authentication and user-type check has
/// answered. Actix polls a handler's extractors together and returns the first error that is
/// ready: a body refused on sight (its content type, its size) would otherwise answer 400 or
/// 413 while the user is still being looked up, where §0.6 puts 401 and 403 first. Handlers
/// take their auth extractor before their body, so its mark is in place when the body's
/// extractor looks for it.
pub(crate) struct AuthFirst(Option<oneshot::Receiver<()>>);

impl AuthFirst {
    pub(crate) fn of(req: &HttpRequest) -> Self {
        Self(req.extensions_mut().remove::<AuthPending>().map(|p| p.0))
    }

    /// `body`'s outcome, an error only once the authentication has succeeded (had it failed,
    /// actix has already answered with its error and dropped this).
    pub(crate) async fn then<T>(self, body: Result<T, ApiError>) -> Result<T, ApiError> {
        if body.is_err()
            && let Some(pending) = self.0
        {
            // Closed, never sent on: either way the check is over.
            let _ = pending.await;
        }
        body
    }
}

enum Presented {
    Missing,
    Malformed,
    Token(String),
}

/// `Authorization: Bearer <token>`, scheme case-insensitive; optionally the `token` query
/// parameter (only the SSE endpoint allows that).
fn presented(req: &HttpRequest, allow_query: bool) -> Presented {
    if let Some(value) = req.headers().get(AUTHORIZATION) {
        let Ok(value) = value.to_str() else {
            return Presented::Malformed;
        };
        let mut parts = value.trim().splitn(2, ' ');
        let scheme = parts.next().unwrap_or_default();
        let token = parts.next().unwrap_or_default().trim();
        if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
            return Presented::Malformed;
        }
        return Presented::Token(token.to_owned());
    }
    if allow_query {
        // `hide_query_token` moved it out of the URI before logging.
        let token = req
            .extensions()
            .get::<QueryToken>()
            .map(|t| t.0.clone())
            .filter(|t| !t.is_empty());
        if let Some(token) = token {
            return Presented::Token(token);
        }
    }
    Presented::Missing
}

async fn authenticate(state: web::Data<AppState>, presented: Presented) -> Result<User, ApiError> {
    match presented {
        Presented::Missing => Err(DomainError::Unauthenticated(LOGIN_REQUIRED.into()).into()),
        Presented::Malformed => {
            Err(DomainError::Unauthenticated(INVALID_ACCESS_TOKEN.into()).into())
        }
        Presented::Token(token) => Ok(state.accounts.authenticate(&token).await?),
    }
}

fn state(req: &HttpRequest) -> web::Data<AppState> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .expect("AppState is registered at start-up")
}

/// Any authenticated user.
pub struct AuthUser(pub User);

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let (state, presented, running) = (state(req), presented(req, false), auth_pending(req));
        Box::pin(async move {
            let _running = running;
            authenticate(state, presented).await.map(AuthUser)
        })
    }
}

/// Any authenticated user, also accepting `?token=` (E47 only: browsers' EventSource cannot
/// set headers).
pub struct StreamUser(pub User);

impl FromRequest for StreamUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let (state, presented) = (state(req), presented(req, true));
        Box::pin(async move { authenticate(state, presented).await.map(StreamUser) })
    }
}

fn of_type(user: User, wanted: UserType) -> Result<User, ApiError> {
    if user.user_type == wanted {
        Ok(user)
    } else {
        let message = match wanted {
            UserType::Buyer => BUYERS_ONLY,
            UserType::Seller => SELLERS_ONLY,
        };
        Err(DomainError::Forbidden(message.into()).into())
    }
}

/// An authenticated BUYER (403 for a SELLER).
pub struct Buyer(pub User);

impl FromRequest for Buyer {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let (state, presented, running) = (state(req), presented(req, false), auth_pending(req));
        Box::pin(async move {
            let _running = running;
            of_type(authenticate(state, presented).await?, UserType::Buyer).map(Buyer)
        })
    }
}

/// An authenticated SELLER (403 for a BUYER).
pub struct Seller(pub User);

impl FromRequest for Seller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let (state, presented, running) = (state(req), presented(req, false), auth_pending(req));
        Box::pin(async move {
            let _running = running;
            of_type(authenticate(state, presented).await?, UserType::Seller).map(Seller)
        })
    }
}

/// public+: a valid token identifies the viewer; anything else is anonymous, never 401.
pub struct MaybeAuthUser(pub Option<User>);

impl FromRequest for MaybeAuthUser {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let (state, presented) = (state(req), presented(req, false));
        Box::pin(async move {
            match presented {
                Presented::Token(token) => match state.accounts.authenticate(&token).await {
                    Ok(user) => Ok(MaybeAuthUser(Some(user))),
                    Err(DomainError::Unauthenticated(_)) => Ok(MaybeAuthUser(None)),
                    Err(other) => Err(other.into()),
                },
                _ => Ok(MaybeAuthUser(None)),
            }
        })
    }
}

// --- OpenAPI: the bearer token, as v2's apiKey in the Authorization header --------------------

pub const SECURITY_SCHEME: &str = "bearerAuth";

fn scheme() -> SecurityScheme {
    SecurityScheme {
        name: Some("Authorization".into()),
        type_: "apiKey".into(),
        in_: Some("header".into()),
        flow: None,
        auth_url: None,
        token_url: None,
        scopes: BTreeMap::new(),
        description: Some("`Bearer <accessToken>` from POST /api/auth/login".into()),
    }
}

macro_rules! secured {
    ($($ty:ty),+) => {$(
        impl Apiv2Schema for $ty {
            fn name() -> Option<String> {
                Some(SECURITY_SCHEME.into())
            }
            fn security_scheme() -> Option<SecurityScheme> {
                Some(scheme())
            }
        }
        impl OperationModifier for $ty {
            fn update_definitions(_: &mut BTreeMap<String, DefaultSchemaRaw>) {}
        }
    )+};
}

secured!(AuthUser, StreamUser, Buyer, Seller);

impl Apiv2Schema for MaybeAuthUser {}
impl OperationModifier for MaybeAuthUser {
    fn update_definitions(_: &mut BTreeMap<String, DefaultSchemaRaw>) {}
}
