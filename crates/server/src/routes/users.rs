use crate::auth::AuthUser;
use crate::cookies::RefreshCookie;
use crate::dto::{
    FavoriteStoreResponse, MessageResponse, PointsResponse, ProfileRequest, SignupRequest,
    UserResponse,
};
use crate::error::ApiResult;
use crate::input::{FormBody, JsonBody};
use crate::reply::{Created, Ok, created, ok};
use crate::state::AppState;
use actix_web::HttpRequest;
use identity::messages::ACCOUNT_DELETED;
use identity::{ProfileInput, SignupInput};
use paperclip::actix::{api_v2_operation, web};

/// Sign up (E4)
///
/// Creates a BUYER (default) or SELLER account. No token is issued.
#[api_v2_operation(tags(Users))]
pub async fn signup(
    state: web::Data<AppState>,
    body: JsonBody<SignupRequest>,
) -> ApiResult<Created<UserResponse>> {
    let JsonBody(body) = body;
    let user = state
        .accounts
        .signup(SignupInput {
            name: body.name,
            email: body.email,
            password: body.password,
            user_type: body.user_type,
        })
        .await?;
    Result::Ok(created(user.into()))
}

/// My account (E5)
#[api_v2_operation(tags(Users))]
pub async fn me(user: AuthUser) -> ApiResult<Ok<UserResponse>> {
    Result::Ok(ok(user.0.into()))
}

/// Update my profile (E6)
///
/// JSON or multipart (file part `image`). `currentPassword` is required; a wrong one is a 400.
/// A new password revokes every other session.
#[api_v2_operation(tags(Users))]
pub async fn update_me(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    body: FormBody<ProfileRequest>,
) -> ApiResult<Ok<UserResponse>> {
    let mut body = body;
    let image_url = body.fields.image.take();
    let image = body.image(image_url);
    let fields = body.fields;
    let presented = RefreshCookie::read(&req);
    let updated = state
        .accounts
        .update_profile(
            &user.0,
            presented.as_deref(),
            ProfileInput {
                current_password: fields.current_password,
                name: fields.name,
                password: fields.password,
                image,
            },
        )
        .await?;
    Result::Ok(ok(updated.into()))
}

/// My favourite stores (E7)
///
/// Newest first. A SELLER always gets `[]`.
#[api_v2_operation(tags(Users))]
pub async fn likes(
    state: web::Data<AppState>,
    user: AuthUser,
) -> ApiResult<Ok<Vec<FavoriteStoreResponse>>> {
    let favorites = state
        .catalog
        .favorites(&user.0.id, user.0.user_type)
        .await?;
    Result::Ok(ok(favorites.into_iter().map(Into::into).collect()))
}

/// My points and grade (E8)
#[api_v2_operation(tags(Users))]
pub async fn points(state: web::Data<AppState>, user: AuthUser) -> ApiResult<Ok<PointsResponse>> {
    let user = user.0;
    let summary = state
        .loyalty
        .summary(user.points, user.cumulative_amount, user.grade)
        .await?;
    Result::Ok(ok(summary.into()))
}

/// Delete my account (E9)
///
/// Deletes the account with the effects of spec §1.4 and clears the refresh cookie.
#[api_v2_operation(tags(Users))]
pub async fn delete_me(
    state: web::Data<AppState>,
    user: AuthUser,
) -> ApiResult<Ok<MessageResponse>> {
    state.accounts.delete_account(&user.0).await?;
    Result::Ok(ok(MessageResponse::new(ACCOUNT_DELETED)).with_cookie(state.refresh_cookie.clear()))
}
