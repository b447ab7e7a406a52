use crate::auth::{AuthUser, Buyer, Seller};
use crate::dto::{
    DashboardResponse, ReviewDetailResponse, ReviewListMeta, ReviewListResponse, ReviewQuery,
    ReviewRequest, ReviewResponse,
};
use crate::error::ApiResult;
use crate::input::JsonBody;
use crate::reply::{Created, Ok, created, ok};
use crate::state::AppState;
use kernel::paging::PageRequest;
use paperclip::actix::{NoContent, api_v2_operation, web};

/// Review a purchase (E34)
///
/// One review per order item, by its buyer, for paid or shipped orders.
#[api_v2_operation(tags(Reviews))]
pub async fn write(
    state: web::Data<AppState>,
    buyer: Buyer,
    product_id: web::Path<String>,
    body: JsonBody<ReviewRequest>,
) -> ApiResult<Created<ReviewResponse>> {
    let JsonBody(body) = body;
    let review = state
        .reviews
        .write(
            &buyer.0.id,
            &product_id,
            body.order_item_id,
            body.rating.0,
            body.content,
        )
        .await?;
    Result::Ok(created(review.into()))
}

/// A product's reviews (E35)
#[api_v2_operation(tags(Reviews))]
pub async fn list(
    state: web::Data<AppState>,
    product_id: web::Path<String>,
    query: crate::input::Query<ReviewQuery>,
) -> ApiResult<Ok<ReviewListResponse>> {
    let page = PageRequest::parse(query.page.as_deref(), query.limit.as_deref(), 5, "limit")?;
    let (reviews, total) = state.reviews.of_product(&product_id, page).await?;
    Result::Ok(ok(ReviewListResponse {
        items: reviews.into_iter().map(Into::into).collect(),
        meta: ReviewListMeta {
            total,
            page: page.page,
            limit: page.size,
            has_next_page: page.has_next(total),
        },
    }))
}

/// A review (E36)
#[api_v2_operation(tags(Reviews))]
pub async fn detail(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> ApiResult<Ok<ReviewDetailResponse>> {
    Result::Ok(ok(state.reviews.detail(&id).await?.into()))
}

/// Edit my review (E37)
#[api_v2_operation(tags(Reviews))]
pub async fn edit(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: JsonBody<ReviewRequest>,
) -> ApiResult<Ok<ReviewResponse>> {
    let JsonBody(body) = body;
    let review = state
        .reviews
        .edit(&user.0.id, &id, body.rating.0, body.content)
        .await?;
    Result::Ok(ok(review.into()))
}

/// Delete my review (E38)
#[api_v2_operation(tags(Reviews))]
pub async fn remove(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<NoContent> {
    state.reviews.remove(&user.0.id, &id).await?;
    Result::Ok(NoContent)
}

/// Sales dashboard (E50)
///
/// Today, this week, month and year against the previous ones, in the application time zone.
#[api_v2_operation(tags(Dashboard))]
pub async fn dashboard(
    state: web::Data<AppState>,
    seller: Seller,
) -> ApiResult<Ok<DashboardResponse>> {
    Result::Ok(ok(state.insights.dashboard(&seller.0.id).await?.into()))
}
