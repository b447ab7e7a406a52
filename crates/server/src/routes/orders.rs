use crate::auth::Buyer;
use crate::dto::{
    MessageResponse, OrderListMeta, OrderListResponse, OrderPatchBody, OrderRequestBody,
    OrderResponse, OrdersQuery,
};
use crate::error::{ApiError, ApiResult};
use crate::input::JsonBody;
use crate::reply::{Ok, ok, register_schema};
use crate::state::AppState;
use actix_web::body::BoxBody;
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{HttpRequest, HttpResponse, Responder};
use kernel::paging::PageRequest;
use ordering::messages::CANCELLED;
use ordering::request::{OrderRequest, RawOrder, idempotency_key};
use ordering::{OrderStatus, RecipientChanges};
use paperclip::actix::{OperationModifier, api_v2_operation, web};
use paperclip::v2::models::{DefaultOperationRaw, DefaultSchemaRaw, Either, Response};
use paperclip::v2::schema::Apiv2Schema;
use std::collections::BTreeMap;

/// E29's 201: the stored body, byte for byte on a replay, which also says so in a header.
pub struct OrderPlaced {
    body: String,
    replayed: bool,
}

impl Responder for OrderPlaced {
    type Body = BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        let mut response = HttpResponse::Created();
        response.insert_header((CONTENT_TYPE, "application/json"));
        if self.replayed {
            response.insert_header(("Idempotent-Replayed", "true"));
        }
        response.body(self.body)
    }
}

impl Apiv2Schema for OrderPlaced {}
impl OperationModifier for OrderPlaced {
    fn update_response(op: &mut DefaultOperationRaw) {
        op.responses.insert(
            "201".into(),
            Either::Right(Response {
                description: Some(
                    "Created; also an idempotent replay (header `Idempotent-Replayed: true`)"
                        .into(),
                ),
                schema: Some(OrderResponse::schema_with_ref()),
                ..Default::default()
            }),
        );
    }

    fn update_definitions(map: &mut BTreeMap<String, DefaultSchemaRaw>) {
        register_schema::<OrderResponse>(map);
    }
}

fn key_header(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let raw = match req.headers().get("idempotency-key") {
        None => None,
        Some(v) => Some(
            v.to_str()
                .map_err(|_| ApiError::bad_request("Idempotency-Key: must be visible ASCII"))?,
        ),
    };
    Result::Ok(idempotency_key(raw)?)
}

/// Place an order (E29)
///
/// Atomic: stock, points, cart, sales and grade change together or not at all. With
/// `Idempotency-Key`, a retry replays the first answer.
#[api_v2_operation(tags(Orders))]
pub async fn place(
    state: web::Data<AppState>,
    buyer: Buyer,
    req: HttpRequest,
    body: JsonBody<OrderRequestBody>,
) -> ApiResult<OrderPlaced> {
    let JsonBody(body) = body;
    let key = key_header(&req);
    let order = OrderRequest::parse(RawOrder {
        name: body.name,
        phone: body.phone.or(body.phone_number),
        address: body.address,
        use_point: body.use_point.0,
        lines: body.order_items.map(|lines| {
            lines
                .into_iter()
                .map(|l| (l.product_id, l.size_id.0, l.quantity.0))
                .collect()
        }),
    });
    let (order, key) = match (order, key) {
        (Result::Ok(o), Result::Ok(k)) => (o, k),
        (Err(a), Err(ApiError(b))) => {
            return Err(ApiError::bad_request(format!("{a}; {b}")));
        }
        (Err(e), _) => return Err(e.into()),
        (_, Err(e)) => return Err(e),
    };
    let placed = state
        .ordering
        .place(&buyer.0.id, order, key, |o| {
            serde_json::to_string(&OrderResponse::from(o.clone())).unwrap_or_default()
        })
        .await?;
    Result::Ok(OrderPlaced {
        body: placed.body,
        replayed: placed.replayed,
    })
}

/// My orders (E30)
///
/// Newest first. `status=CompletedPayment` includes shipped orders.
#[api_v2_operation(tags(Orders))]
pub async fn list(
    state: web::Data<AppState>,
    buyer: Buyer,
    query: crate::input::Query<OrdersQuery>,
) -> ApiResult<Ok<OrderListResponse>> {
    let page = PageRequest::parse(query.page.as_deref(), query.limit.as_deref(), 3, "limit")?;
    let statuses = OrderStatus::parse_filter(query.status.as_deref())?;
    let (orders, total) = state.ordering.orders(&buyer.0.id, page, statuses).await?;
    Result::Ok(ok(OrderListResponse {
        data: orders.into_iter().map(Into::into).collect(),
        meta: OrderListMeta {
            total,
            page: page.page,
            limit: page.size,
            total_pages: page.total_pages(total),
        },
    }))
}

/// An order of mine (E31)
#[api_v2_operation(tags(Orders))]
pub async fn detail(
    state: web::Data<AppState>,
    buyer: Buyer,
    id: web::Path<String>,
) -> ApiResult<Ok<OrderResponse>> {
    let order = state.ordering.order(&buyer.0.id, &id).await?;
    Result::Ok(ok(order.into()))
}

/// Change an order's recipient (E32)
#[api_v2_operation(tags(Orders))]
pub async fn update(
    state: web::Data<AppState>,
    buyer: Buyer,
    id: web::Path<String>,
    body: JsonBody<OrderPatchBody>,
) -> ApiResult<Ok<OrderResponse>> {
    use ordering::request::{address, name, phone};
    let JsonBody(body) = body;
    let mut v = kernel::Violations::new();
    let changes = RecipientChanges {
        name: body.name.and_then(|n| v.take(name(&n))),
        phone_number: body
            .phone
            .or(body.phone_number)
            .and_then(|p| v.take(phone(&p))),
        address: body.address.and_then(|a| v.take(address(&a))),
    };
    v.finish()?;
    let order = state
        .ordering
        .update_recipient(&buyer.0.id, &id, changes)
        .await?;
    Result::Ok(ok(order.into()))
}

/// Cancel an order (E33)
///
/// Restores stock, refunds spent points and takes back earned ones, re-grades.
#[api_v2_operation(tags(Orders))]
pub async fn cancel(
    state: web::Data<AppState>,
    buyer: Buyer,
    id: web::Path<String>,
) -> ApiResult<Ok<MessageResponse>> {
    state.ordering.cancel(&buyer.0.id, &id).await?;
    Result::Ok(ok(MessageResponse::new(CANCELLED)))
}
