use crate::auth::{Buyer, Seller};
use crate::dto::{
    FavoriteResponse, MyStoreResponse, PageQuery, PublicStoreResponse, SellerProductListResponse,
    SellerProductResponse, StoreRequest, StoreResponse,
};
use crate::error::ApiResult;
use crate::input::FormBody;
use crate::reply::{Created, Ok, created, ok};
use crate::state::AppState;
use catalog::FavoriteChange;
use catalog::store::StoreInput;
use kernel::paging::PageRequest;
use paperclip::actix::{api_v2_operation, web};

fn store_input(mut body: FormBody<StoreRequest>) -> StoreInput {
    let url = body.fields.image.take();
    let image = body.image(url);
    let f = body.fields;
    StoreInput {
        name: f.name,
        address: f.address,
        detail_address: f.detail_address,
        phone_number: f.phone_number,
        content: f.content,
        image,
        remove_image: f.remove_image.0,
    }
}

/// Open my store (E10)
///
/// One store per seller: a second one is a 409, also under concurrent requests.
#[api_v2_operation(tags(Stores))]
pub async fn create(
    state: web::Data<AppState>,
    seller: Seller,
    body: FormBody<StoreRequest>,
) -> ApiResult<Created<StoreResponse>> {
    let store = state
        .catalog
        .create_store(&seller.0.id, store_input(body))
        .await?;
    Result::Ok(created(store.into()))
}

/// Edit my store (E11)
#[api_v2_operation(tags(Stores))]
pub async fn update(
    state: web::Data<AppState>,
    seller: Seller,
    store_id: web::Path<String>,
    body: FormBody<StoreRequest>,
) -> ApiResult<Ok<StoreResponse>> {
    let store = state
        .catalog
        .update_store(&seller.0.id, &store_id, store_input(body))
        .await?;
    Result::Ok(ok(store.into()))
}

/// A store (E12)
#[api_v2_operation(tags(Stores))]
pub async fn detail(
    state: web::Data<AppState>,
    store_id: web::Path<String>,
) -> ApiResult<Ok<PublicStoreResponse>> {
    let (store, favorite_count) = state.catalog.public_store(&store_id).await?;
    Result::Ok(ok(PublicStoreResponse {
        store: store.into(),
        favorite_count,
    }))
}

/// My store with its counts (E13)
///
/// 404 when the seller has no store yet.
#[api_v2_operation(tags(Stores))]
pub async fn mine(state: web::Data<AppState>, seller: Seller) -> ApiResult<Ok<MyStoreResponse>> {
    let (store, stats) = state.catalog.my_store(&seller.0.id).await?;
    Result::Ok(ok(MyStoreResponse::new(store, stats)))
}

/// My store's products (E14)
#[api_v2_operation(tags(Stores))]
pub async fn my_products(
    state: web::Data<AppState>,
    seller: Seller,
    query: crate::input::Query<PageQuery>,
) -> ApiResult<Ok<SellerProductListResponse>> {
    let page = PageRequest::parse(
        query.page.as_deref(),
        query.page_size.as_deref(),
        10,
        "pageSize",
    )?;
    let (list, total_count) = state.catalog.my_products(&seller.0.id, page).await?;
    let now = state.catalog.now();
    Result::Ok(ok(SellerProductListResponse {
        list: list
            .into_iter()
            .map(|p| SellerProductResponse::new(p, now))
            .collect(),
        total_count,
    }))
}

/// Favourite a store (E15)
///
/// Idempotent: favouriting again answers the same 201.
#[api_v2_operation(tags(Stores))]
pub async fn favorite(
    state: web::Data<AppState>,
    buyer: Buyer,
    store_id: web::Path<String>,
) -> ApiResult<Created<FavoriteResponse>> {
    let store = state
        .catalog
        .set_favorite(&buyer.0.id, &store_id, FavoriteChange::Register)
        .await?;
    Result::Ok(created(FavoriteResponse {
        change: FavoriteChange::Register.as_str().into(),
        store: store.into(),
    }))
}

/// Unfavourite a store (E16)
///
/// Idempotent: removing a favourite that does not exist is still 200.
#[api_v2_operation(tags(Stores))]
pub async fn unfavorite(
    state: web::Data<AppState>,
    buyer: Buyer,
    store_id: web::Path<String>,
) -> ApiResult<Ok<FavoriteResponse>> {
    let store = state
        .catalog
        .set_favorite(&buyer.0.id, &store_id, FavoriteChange::Delete)
        .await?;
    Result::Ok(ok(FavoriteResponse {
        change: FavoriteChange::Delete.as_str().into(),
        store: store.into(),
    }))
}
