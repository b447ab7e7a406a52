//! Success responses with their status in the type, so the OpenAPI document states it.

use actix_web::body::BoxBody;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, Responder};
use paperclip::actix::OperationModifier;
use paperclip::v2::models::{DefaultOperationRaw, DefaultSchemaRaw, Either, Response};
use paperclip::v2::schema::Apiv2Schema;
use serde::Serialize;
use std::collections::BTreeMap;

/// A JSON body answered with status `CODE`, optionally setting a cookie.
pub struct Reply<T, const CODE: u16> {
    body: T,
    cookie: Option<String>,
}

/// 200 with a JSON body.
pub type Ok<T> = Reply<T, 200>;
/// 201 with a JSON body.
pub type Created<T> = Reply<T, 201>;

impl<T, const CODE: u16> Reply<T, CODE> {
    pub fn new(body: T) -> Self {
        Self { body, cookie: None }
    }

    /// Adds a `Set-Cookie` header with this exact value.
    pub fn with_cookie(mut self, cookie: String) -> Self {
        self.cookie = Some(cookie);
        self
    }
}

pub fn ok<T>(body: T) -> Ok<T> {
    Reply::new(body)
}

pub fn created<T>(body: T) -> Created<T> {
    Reply::new(body)
}

impl<T: Serialize, const CODE: u16> Responder for Reply<T, CODE> {
    type Body = BoxBody;

    fn respond_to(self, _req: &HttpRequest) -> HttpResponse {
        let status = StatusCode::from_u16(CODE).unwrap_or(StatusCode::OK);
        let mut response = HttpResponse::build(status).json(&self.body);
        if let Some(cookie) = &self.cookie {
            crate::cookies::append(&mut response, cookie);
        }
        response
    }
}

impl<T: Apiv2Schema, const CODE: u16> Apiv2Schema for Reply<T, CODE> {}

impl<T: Apiv2Schema, const CODE: u16> OperationModifier for Reply<T, CODE> {
    fn update_parameter(_op: &mut DefaultOperationRaw) {}

    fn update_response(op: &mut DefaultOperationRaw) {
        let description = match CODE {
            201 => "Created",
            _ => "OK",
        };
        op.responses.insert(
            CODE.to_string(),
            Either::Right(Response {
                description: Some(description.into()),
                schema: Some({
                    let mut def = T::schema_with_ref();
                    def.retain_ref();
                    def
                }),
                ..Default::default()
            }),
        );
    }

    fn update_definitions(map: &mut BTreeMap<String, DefaultSchemaRaw>) {
        register_schema::<T>(map);
    }
}

/// Adds `T`'s named schema (or that of its items) to the definitions, as paperclip's own
/// extractors do.
pub fn register_schema<T: Apiv2Schema>(map: &mut BTreeMap<String, DefaultSchemaRaw>) {
    let mut schema = T::schema_with_ref();
    loop {
        if let Some(items) = schema.items {
            schema = *items;
            continue;
        } else if let Some(Either::Right(extra)) = schema.extra_props {
            schema = *extra;
            continue;
        } else if let Some(name) = schema.name.take() {
            schema.remove_refs();
            map.insert(name, schema);
        }
        break;
    }
}
