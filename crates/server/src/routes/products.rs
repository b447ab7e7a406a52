use crate::auth::{MaybeAuthUser, Seller};
use crate::dto::{
    ProductDetailResponse, ProductInquiryResponse, ProductListItem, ProductListQuery,
    ProductListResponse, ProductRequest,
};
use crate::error::ApiResult;
use crate::input::FormBody;
use crate::reply::{Created, Ok, created, ok};
use crate::state::AppState;
use catalog::ProductQuery;
use catalog::product::ProductInput;
use catalog::query::RawProductQuery;
use community::{InquirySort, ProductInquiryQuery};
use paperclip::actix::{NoContent, api_v2_operation, web};

fn product_input(mut body: FormBody<ProductRequest>) -> ProductInput {
    let url = body.fields.image.take();
    let image = body.image(url);
    let multipart = body.multipart;
    let f = body.fields;
    ProductInput {
        name: f.name,
        price: f.price.0,
        category_name: f.category_name,
        stocks: f.stocks.map(|s| s.0),
        content: f.content,
        discount_rate: f.discount_rate.0,
        discount_start_time: f.discount_start_time.0,
        discount_end_time: f.discount_end_time.0,
        image,
        multipart,
    }
}

/// List a product (E17)
///
/// JSON, or multipart exactly as the web client sends it: `stocks` as a JSON string and the
/// file part `image`.
#[api_v2_operation(tags(Products))]
pub async fn create(
    state: web::Data<AppState>,
    seller: Seller,
    body: FormBody<ProductRequest>,
) -> ApiResult<Created<ProductDetailResponse>> {
    let detail = state
        .catalog
        .create_product(&seller.0.id, product_input(body))
        .await?;
    let now = state.catalog.now();
    Result::Ok(created(ProductDetailResponse::new(detail, Vec::new(), now)))
}

/// Search products (E18)
///
/// Filters combine with AND; empty values mean "not given"; unknown sorts mean `recent`.
#[api_v2_operation(tags(Products))]
pub async fn list(
    state: web::Data<AppState>,
    query: crate::input::Query<ProductListQuery>,
) -> ApiResult<Ok<ProductListResponse>> {
    let q = query.into_inner();
    let query = ProductQuery::parse(&RawProductQuery {
        page: q.page,
        page_size: q.page_size,
        sort: q.sort,
        search: q.search,
        category_name: q.category_name,
        price_min: q.price_min,
        price_max: q.price_max,
        size: q.size,
        favorite_store: q.favorite_store,
    })?;
    let (list, total_count) = state.catalog.list_products(query).await?;
    let now = state.catalog.now();
    Result::Ok(ok(ProductListResponse {
        list: list
            .into_iter()
            .map(|p| ProductListItem::new(p, now))
            .collect(),
        total_count,
    }))
}

/// Every inquiry of the just-read product, newest first, masked for `viewer` (§4.10).
async fn inquiries(
    state: &AppState,
    product_id: &str,
    viewer: Option<&str>,
) -> ApiResult<Vec<ProductInquiryResponse>> {
    let all = ProductInquiryQuery {
        page: None,
        sort: InquirySort::Recent,
        status: None,
    };
    let (list, _) = state
        .community
        .of_loaded_product(product_id, all, viewer)
        .await?;
    Result::Ok(list.into_iter().map(Into::into).collect())
}

/// A product (E19)
///
/// Secret inquiries in `inquiries` are masked unless the viewer wrote them or sells the product.
#[api_v2_operation(tags(Products))]
pub async fn detail(
    state: web::Data<AppState>,
    viewer: MaybeAuthUser,
    product_id: web::Path<String>,
) -> ApiResult<Ok<ProductDetailResponse>> {
    let detail = state.catalog.product(&product_id).await?;
    let viewer = viewer.0.as_ref().map(|u| u.id.as_str());
    let inquiries = inquiries(&state, &detail.summary.id, viewer).await?;
    let now = state.catalog.now();
    Result::Ok(ok(ProductDetailResponse::new(detail, inquiries, now)))
}

/// Edit my product (E20)
///
/// A multipart edit without `discountRate` clears the discount; a JSON edit leaves absent
/// fields unchanged. `stocks` replaces the whole stock list.
#[api_v2_operation(tags(Products))]
pub async fn update(
    state: web::Data<AppState>,
    seller: Seller,
    product_id: web::Path<String>,
    body: FormBody<ProductRequest>,
) -> ApiResult<Ok<ProductDetailResponse>> {
    let detail = state
        .catalog
        .update_product(&seller.0.id, &product_id, product_input(body))
        .await?;
    let inquiries = inquiries(&state, &detail.summary.id, Some(&seller.0.id)).await?;
    let now = state.catalog.now();
    Result::Ok(ok(ProductDetailResponse::new(detail, inquiries, now)))
}

/// Delete my product (E21)
///
/// Order history and reviews keep their snapshots.
#[api_v2_operation(tags(Products))]
pub async fn delete(
    state: web::Data<AppState>,
    seller: Seller,
    product_id: web::Path<String>,
) -> ApiResult<NoContent> {
    state
        .catalog
        .delete_product(&seller.0.id, &product_id)
        .await?;
    Result::Ok(NoContent)
}
