use crate::auth::{AuthUser, MaybeAuthUser, Seller};
use crate::dto::{
    InquiryDetailResponse, InquiryRequest, InquiryResponse, MyInquiryListResponse,
    MyInquiryQueryParams, ProductInquiryListResponse, ProductInquiryQueryParams, ReplyRequest,
    ReplyResponse,
};
use crate::error::ApiResult;
use crate::input::JsonBody;
use crate::reply::{Created, Ok, created, ok};
use crate::state::AppState;
use community::service::Viewer;
use community::{InquiryStatus, ProductInquiryQuery};
use kernel::paging::PageRequest;
use paperclip::actix::{api_v2_operation, web};

/// Ask about a product (E22)
///
/// The product's seller is notified (N1).
#[api_v2_operation(tags(Inquiries))]
pub async fn ask(
    state: web::Data<AppState>,
    user: AuthUser,
    product_id: web::Path<String>,
    body: JsonBody<InquiryRequest>,
) -> ApiResult<Created<InquiryResponse>> {
    let JsonBody(body) = body;
    let inquiry = state
        .community
        .ask(
            &user.0.id,
            &product_id,
            body.title,
            body.content,
            body.is_secret.0,
        )
        .await?;
    Result::Ok(created(inquiry.into()))
}

/// A product's inquiries (E23)
///
/// All rows when neither `page` nor `pageSize` is given. Secret inquiries are listed for
/// everyone but masked for anyone other than their author and the product's seller.
#[api_v2_operation(tags(Inquiries))]
pub async fn of_product(
    state: web::Data<AppState>,
    viewer: MaybeAuthUser,
    product_id: web::Path<String>,
    query: crate::input::Query<ProductInquiryQueryParams>,
) -> ApiResult<Ok<ProductInquiryListResponse>> {
    let q = ProductInquiryQuery::parse(
        query.page.as_deref(),
        query.page_size.as_deref(),
        query.sort.as_deref(),
        query.status.as_deref(),
    )?;
    let viewer = viewer.0.as_ref().map(|u| u.id.as_str());
    let (list, total_count) = state.community.of_product(&product_id, q, viewer).await?;
    Result::Ok(ok(ProductInquiryListResponse {
        list: list.into_iter().map(Into::into).collect(),
        total_count,
    }))
}

/// My inquiries (E39)
///
/// A buyer's own inquiries, or those on a seller's store, newest first.
#[api_v2_operation(tags(Inquiries))]
pub async fn mine(
    state: web::Data<AppState>,
    user: AuthUser,
    query: crate::input::Query<MyInquiryQueryParams>,
) -> ApiResult<Ok<MyInquiryListResponse>> {
    let page = PageRequest::parse(
        query.page.as_deref(),
        query.page_size.as_deref(),
        16,
        "pageSize",
    )?;
    let status = InquiryStatus::parse_filter(query.status.as_deref())?;
    let viewer = Viewer {
        id: &user.0.id,
        user_type: user.0.user_type,
    };
    let (list, total_count) = state.community.mine(viewer, page, status).await?;
    Result::Ok(ok(MyInquiryListResponse {
        list: list.into_iter().map(Into::into).collect(),
        total_count,
    }))
}

/// An inquiry (E40)
#[api_v2_operation(tags(Inquiries))]
pub async fn detail(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<Ok<InquiryDetailResponse>> {
    let inquiry = state.community.detail(&user.0.id, &id).await?;
    Result::Ok(ok(inquiry.into()))
}

/// Edit my inquiry (E41)
///
/// Only while it has no reply.
#[api_v2_operation(tags(Inquiries))]
pub async fn edit(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
    body: JsonBody<InquiryRequest>,
) -> ApiResult<Ok<InquiryResponse>> {
    let JsonBody(body) = body;
    let inquiry = state
        .community
        .edit(&user.0.id, &id, body.title, body.content, body.is_secret.0)
        .await?;
    Result::Ok(ok(inquiry.into()))
}

/// Delete an inquiry (E42)
///
/// Its author or the product's seller; answers the inquiry as it was, reply included.
#[api_v2_operation(tags(Inquiries))]
pub async fn remove(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<String>,
) -> ApiResult<Ok<InquiryResponse>> {
    let inquiry = state.community.remove(&user.0.id, &id).await?;
    Result::Ok(ok(inquiry.into()))
}

/// Answer an inquiry (E43)
///
/// The path id is an inquiry id. The author is notified (N2).
#[api_v2_operation(tags(Inquiries))]
pub async fn reply(
    state: web::Data<AppState>,
    seller: Seller,
    id: web::Path<String>,
    body: JsonBody<ReplyRequest>,
) -> ApiResult<Created<ReplyResponse>> {
    let JsonBody(body) = body;
    let reply = state
        .community
        .reply(&seller.0.id, &id, body.content)
        .await?;
    Result::Ok(created(reply.into()))
}

/// A reply (E44)
///
/// The path id is a reply id, or else an inquiry id whose reply is meant.
#[api_v2_operation(tags(Inquiries))]
pub async fn get_reply(
    state: web::Data<AppState>,
    viewer: MaybeAuthUser,
    id: web::Path<String>,
) -> ApiResult<Ok<ReplyResponse>> {
    let viewer = viewer.0.as_ref().map(|u| u.id.as_str());
    let reply = state.community.reply_for(viewer, &id).await?;
    Result::Ok(ok(reply.into()))
}

/// Edit my reply (E45)
#[api_v2_operation(tags(Inquiries))]
pub async fn edit_reply(
    state: web::Data<AppState>,
    seller: Seller,
    id: web::Path<String>,
    body: JsonBody<ReplyRequest>,
) -> ApiResult<Ok<ReplyResponse>> {
    let JsonBody(body) = body;
    let reply = state
        .community
        .edit_reply(&seller.0.id, &id, body.content)
        .await?;
    Result::Ok(ok(reply.into()))
}

/// Delete my reply (E46)
///
/// The inquiry waits for an answer again.
#[api_v2_operation(tags(Inquiries))]
pub async fn remove_reply(
    state: web::Data<AppState>,
    seller: Seller,
    id: web::Path<String>,
) -> ApiResult<Ok<ReplyResponse>> {
    let reply = state.community.remove_reply(&seller.0.id, &id).await?;
    Result::Ok(ok(reply.into()))
}
