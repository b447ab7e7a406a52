use crate::auth::Buyer;
use crate::dto::{
    CartItemDetailResponse, CartItemResponse, CartItemRowResponse, CartPatchRequest,
    CartProductResponse, CartResponse, CartSummaryResponse,
};
use crate::error::ApiResult;
use crate::input::JsonBody;
use crate::reply::{Ok, ok, register_schema};
use crate::state::AppState;
use actix_web::body::BoxBody;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, Responder};
use ordering::CartLine;
use paperclip::actix::{NoContent, OperationModifier, api_v2_operation, web};
use paperclip::v2::models::{DefaultOperationRaw, DefaultSchemaRaw, Either, Response};
use paperclip::v2::schema::Apiv2Schema;
use std::collections::BTreeMap;

/// E24's answer: 201 when the cart was created now, 200 when it existed.
pub struct CartEnsured {
    cart: CartSummaryResponse,
    created: bool,
}

impl Responder for CartEnsured {
    type Body = BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        let status = if self.created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        HttpResponse::build(status).json(self.cart)
    }
}

impl Apiv2Schema for CartEnsured {}
impl OperationModifier for CartEnsured {
    fn update_response(op: &mut DefaultOperationRaw) {
        for (code, description) in [("201", "Created"), ("200", "The cart already existed")] {
            op.responses.insert(
                code.into(),
                Either::Right(Response {
                    description: Some(description.into()),
                    schema: Some(CartSummaryResponse::schema_with_ref()),
                    ..Default::default()
                }),
            );
        }
    }

    fn update_definitions(map: &mut BTreeMap<String, DefaultSchemaRaw>) {
        register_schema::<CartSummaryResponse>(map);
    }
}

/// Create my cart (E24)
///
/// 201 when created, 200 when it already existed; safe to call repeatedly.
#[api_v2_operation(tags(Cart))]
pub async fn ensure(state: web::Data<AppState>, buyer: Buyer) -> ApiResult<CartEnsured> {
    let (cart, created) = state.ordering.ensure_cart(&buyer.0.id).await?;
    Result::Ok(CartEnsured {
        cart: cart.into(),
        created,
    })
}

/// The cart lines with their products (one product lookup per distinct product).
async fn with_products(state: &AppState, lines: Vec<CartLine>) -> ApiResult<Vec<CartItemResponse>> {
    let sizes = state.reference.sizes().await?;
    let now = state.catalog.now();
    let mut products: BTreeMap<String, CartProductResponse> = BTreeMap::new();
    let mut items = Vec::with_capacity(lines.len());
    for line in lines {
        let product = match products.get(&line.product_id) {
            Some(p) => p.clone(),
            None => {
                let detail = state.catalog.product(&line.product_id).await?;
                let (store, _) = state.catalog.public_store(&detail.summary.store_id).await?;
                let p = CartProductResponse::new(detail, store, &sizes, now);
                products.insert(line.product_id.clone(), p.clone());
                p
            }
        };
        items.push(CartItemResponse {
            line: line.into(),
            product,
        });
    }
    Result::Ok(items)
}

/// My cart (E25)
///
/// Created first if missing; never 404.
#[api_v2_operation(tags(Cart))]
pub async fn get(state: web::Data<AppState>, buyer: Buyer) -> ApiResult<Ok<CartResponse>> {
    let (cart, lines) = state.ordering.cart(&buyer.0.id).await?;
    let items = with_products(&state, lines).await?;
    Result::Ok(ok(CartResponse {
        cart: cart.into(),
        items,
    }))
}

/// Set quantities in my cart (E26)
///
/// Each entry sets the absolute quantity of a (product, size) line. Answers the upserted lines
/// in request order; 400 when a size is not sold or the quantity exceeds the stock.
#[api_v2_operation(tags(Cart))]
pub async fn set(
    state: web::Data<AppState>,
    buyer: Buyer,
    body: JsonBody<CartPatchRequest>,
) -> ApiResult<Ok<Vec<CartItemRowResponse>>> {
    let JsonBody(body) = body;
    let mut v = kernel::Violations::new();
    let product_id = kernel::text::given(body.product_id.as_deref()).map(str::to_owned);
    if product_id.is_none() {
        v.add("productId", "is required");
    }
    let mut sizes = Vec::new();
    match body.sizes {
        None => v.add("sizes", "is required"),
        Some(entries) => {
            for e in entries {
                match (e.size_id.0, e.quantity.0) {
                    // A quantity past i32 exceeds any stock: saturated, it gets the stock's 400.
                    (Some(s), Some(q)) if i32::try_from(s).is_ok() => sizes.push((
                        s as i32,
                        q.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32,
                    )),
                    _ => v.add("sizes", "each entry needs an integer sizeId and quantity"),
                }
            }
        }
    }
    v.finish()?;
    let lines = state
        .ordering
        .set_cart_quantities(&buyer.0.id, &product_id.unwrap_or_default(), sizes)
        .await?;
    Result::Ok(ok(lines.into_iter().map(Into::into).collect()))
}

/// A line of my cart (E27)
#[api_v2_operation(tags(Cart))]
pub async fn item(
    state: web::Data<AppState>,
    buyer: Buyer,
    id: web::Path<String>,
) -> ApiResult<Ok<CartItemDetailResponse>> {
    let (line, cart) = state.ordering.cart_line(&buyer.0.id, &id).await?;
    let mut items = with_products(&state, vec![line]).await?;
    let item = items.pop().ok_or_else(|| {
        crate::error::ApiError(kernel::DomainError::internal("cart item", "line vanished"))
    })?;
    Result::Ok(ok(CartItemDetailResponse {
        item,
        cart: cart.into(),
    }))
}

/// Remove a line from my cart (E28)
#[api_v2_operation(tags(Cart))]
pub async fn remove(
    state: web::Data<AppState>,
    buyer: Buyer,
    id: web::Path<String>,
) -> ApiResult<NoContent> {
    state.ordering.remove_cart_line(&buyer.0.id, &id).await?;
    Result::Ok(NoContent)
}
