use crate::auth::{AuthUser, StreamUser};
use crate::dto::AlarmQueryParams;
use crate::error::{ApiError, ApiResult};
use crate::reply::{Ok, ok, register_schema};
use crate::sse::{self, AlarmResponse};
use crate::state::AppState;
use actix_web::body::BoxBody;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, Responder};
use futures_util::stream;
use notifications::AlarmQuery;
use paperclip::actix::{OperationModifier, api_v2_operation, web};
use paperclip::v2::models::{DefaultOperationRaw, DefaultSchemaRaw, Either, MediaRange, Response};
use paperclip::v2::schema::Apiv2Schema;
use serde::Serialize;
use std::collections::BTreeMap;
use std::convert::Infallible;

/// The open event stream (E47).
pub struct EventStream(HttpResponse);

impl Responder for EventStream {
    type Body = BoxBody;

    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        self.0
    }
}

impl Apiv2Schema for EventStream {}
impl OperationModifier for EventStream {
    fn update_response(op: &mut DefaultOperationRaw) {
        op.produces = Some(
            [MediaRange(
                "text/event-stream".parse().expect("a media type"),
            )]
            .into_iter()
            .collect(),
        );
        op.responses.insert(
            "200".into(),
            Either::Right(Response {
                description: Some(
                    "`text/event-stream`: `: connected`, then one unnamed event per notification \
                     (`id:` its cursor, `data:` an Alarm), and `: ping` every 20 s"
                        .into(),
                ),
                schema: Some(AlarmResponse::schema_with_ref()),
                ..Default::default()
            }),
        );
    }

    fn update_definitions(map: &mut BTreeMap<String, DefaultSchemaRaw>) {
        register_schema::<AlarmResponse>(map);
    }
}

/// The cursor a reconnecting client sends: `Last-Event-ID`, or `lastEventId` (the polyfill's).
fn last_event_id(req: &HttpRequest) -> Option<i64> {
    let header = req
        .headers()
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let query = || {
        actix_web::web::Query::<BTreeMap<String, String>>::from_query(req.query_string())
            .ok()
            .and_then(|q| q.get("lastEventId").cloned())
    };
    header
        .or_else(query)
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|c| *c >= 0)
}

/// Notification stream (E47)
///
/// Server-Sent Events. Authenticate with `Authorization: Bearer …` or `?token=`; resume with
/// `Last-Event-ID` or `?lastEventId=`.
#[api_v2_operation(tags(Notifications))]
pub async fn stream(
    state: web::Data<AppState>,
    user: StreamUser,
    req: HttpRequest,
) -> Result<EventStream, ApiError> {
    let cursor = last_event_id(&req);
    let rx = sse::open(state.into_inner().into(), user.0.id, cursor).await?;
    let body = stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|frame| (Result::<_, Infallible>::Ok(frame), rx))
    });
    // No `Connection` header: actix-web drops one set here and writes it only where it changes
    // the protocol's default (persistent on HTTP/1.1); see README, "SSE `Connection` header".
    Result::Ok(EventStream(
        HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "text/event-stream"))
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .insert_header(("X-Accel-Buffering", "no"))
            .streaming(body),
    ))
}

/// `{ list, totalCount }`, or (C2) a bare array when neither `page` nor `pageSize` is given.
#[derive(Serialize)]
#[serde(untagged)]
pub enum AlarmList {
    Bare(Vec<AlarmResponse>),
    Paged {
        list: Vec<AlarmResponse>,
        #[serde(rename = "totalCount")]
        total_count: i64,
    },
}

#[derive(Serialize, paperclip::actix::Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct AlarmPage {
    pub list: Vec<AlarmResponse>,
    pub total_count: i64,
}

impl Apiv2Schema for AlarmList {
    fn name() -> Option<String> {
        AlarmPage::name()
    }
    fn raw_schema() -> DefaultSchemaRaw {
        AlarmPage::raw_schema()
    }
}

/// My notifications (E48)
///
/// With `page` or `pageSize`: `{ list, totalCount }`. With neither: a bare array of at most
/// 100 alarms (older web clients).
#[api_v2_operation(tags(Notifications))]
pub async fn list(
    state: web::Data<AppState>,
    user: AuthUser,
    query: crate::input::Query<AlarmQueryParams>,
) -> ApiResult<Ok<AlarmList>> {
    let q = AlarmQuery::parse(
        query.page.as_deref(),
        query.page_size.as_deref(),
        query.sort.as_deref(),
        query.filter.as_deref(),
    )?;
    let (alarms, total_count) = state.notifications.list(&user.0.id, q).await?;
    let list = alarms.into_iter().map(Into::into).collect();
    Result::Ok(ok(match q.page {
        None => AlarmList::Bare(list),
        Some(_) => AlarmList::Paged { list, total_count },
    }))
}

/// Mark a notification read (E49)
///
/// Idempotent. Another user's alarm is a 404.
#[api_v2_operation(tags(Notifications))]
pub async fn check(
    state: web::Data<AppState>,
    user: AuthUser,
    alarm_id: web::Path<String>,
) -> ApiResult<Ok<AlarmResponse>> {
    let alarm = state.notifications.check(&user.0.id, &alarm_id).await?;
    Result::Ok(ok(alarm.into()))
}
