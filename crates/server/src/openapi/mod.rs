//! The served OpenAPI 3 document: paperclip's conversion, finished where Swagger 2.0 cannot
//! say what the contract means (nullable fields, the bearer scheme, E48's two forms, the
//! stream's JSON errors), plus the allowed methods per path for `Allow` headers.

mod operations;
mod responses;

use serde_json::{Value, json};
use std::collections::HashMap;

/// The finished document, served at `/api/openapi.json`.
pub struct OpenApiDocument(pub String);

/// Methods per route pattern, for the `Allow` header of a 405.
#[derive(Default)]
pub struct AllowedMethods(pub HashMap<String, String>);

impl AllowedMethods {
    pub fn from_spec(spec: &Value) -> Self {
        let mut map = HashMap::new();
        if let Some(paths) = spec["paths"].as_object() {
            for (path, item) in paths {
                let mut methods: Vec<String> = item
                    .as_object()
                    .map(|ops| {
                        ops.keys()
                            .filter(|m| {
                                matches!(m.as_str(), "get" | "post" | "put" | "patch" | "delete")
                            })
                            .map(|m| m.to_uppercase())
                            .collect()
                    })
                    .unwrap_or_default();
                methods.sort();
                if methods.iter().any(|m| m == "GET") {
                    methods.push("HEAD".into());
                }
                methods.push("OPTIONS".into());
                map.insert(path.clone(), methods.join(", "));
            }
        }
        Self(map)
    }
}

/// Fields that may be absent are `null` in this API's JSON: in every object schema, each
/// property outside `required` becomes nullable.
fn nullable_optionals(schema: &mut Value) {
    match schema {
        Value::Object(obj) => {
            let required: Vec<String> = obj
                .get("required")
                .and_then(Value::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            if let Some(Value::Object(props)) = obj.get_mut("properties") {
                for (name, prop) in props.iter_mut() {
                    if !required.contains(name) {
                        make_nullable(prop);
                    }
                }
            }
            for value in obj.values_mut() {
                nullable_optionals(value);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(nullable_optionals),
        _ => {}
    }
}

fn make_nullable(prop: &mut Value) {
    let Value::Object(obj) = prop else { return };
    if let Some(reference) = obj.remove("$ref") {
        // A `$ref` ignores its siblings in OpenAPI 3.0: wrap it.
        obj.insert("allOf".into(), json!([{ "$ref": reference }]));
    }
    obj.insert("nullable".into(), Value::Bool(true));
}

/// Request fields the contract requires. The request structs keep them optional so that one
/// 400 can name every missing field; the document states the requirement.
const REQUIRED: &[(&str, &[&str])] = &[
    ("LoginRequest", &["email", "password"]),
    ("SignupRequest", &["name", "email", "password"]),
    ("ProfileRequest", &["currentPassword"]),
    ("CartPatchRequest", &["productId", "sizes"]),
    (
        "OrderRequestBody",
        &["name", "phone", "address", "orderItems"],
    ),
    ("ReviewRequest", &["orderItemId", "rating", "content"]),
    ("ReplyRequest", &["content"]),
];

/// Query parameters that are integers (page numbers and sizes at least 1, prices at least 0)
/// or one of a few words.
fn query_schema(name: &str) -> Option<Value> {
    match name {
        "page" | "pageSize" | "limit" => Some(json!({ "type": "integer", "minimum": 1 })),
        "priceMin" | "priceMax" => Some(json!({ "type": "integer", "minimum": 0 })),
        _ => None,
    }
}

/// The words some query parameters accept (others answer 400).
fn query_words(path: &str, name: &str) -> Option<&'static [&'static str]> {
    const ORDER: &[&str] = &["recent", "oldest"];
    const INQUIRY: &[&str] = &["WaitingAnswer", "CompletedAnswer"];
    match (path, name) {
        (_, "filter") => Some(&["all", "unChecked", "checked"]),
        ("/api/products/{productId}/inquiries" | "/api/notifications", "sort") => Some(ORDER),
        ("/api/products/{productId}/inquiries" | "/api/inquiries", "status") => Some(INQUIRY),
        ("/api/orders", "status") => {
            Some(&["WaitingPayment", "CompletedPayment", "Shipped", "Cancelled"])
        }
        _ => None,
    }
}

/// What the server takes for an absent query parameter (spec §0.10, §5, E48). E23 and E48 have
/// none for paging: without `page` and `pageSize` they answer every row (C2, C3).
fn query_default(path: &str, name: &str) -> Option<Value> {
    let all_rows = matches!(
        path,
        "/api/products/{productId}/inquiries" | "/api/notifications"
    );
    Some(match (path, name) {
        (_, "page") if !all_rows => json!(1),
        ("/api/products" | "/api/inquiries", "pageSize") => json!(16),
        ("/api/stores/detail/my/product", "pageSize") => json!(10),
        ("/api/orders", "limit") => json!(3),
        ("/api/product/{productId}/reviews", "limit") => json!(5),
        ("/api/notifications" | "/api/products/{productId}/inquiries", "sort") => json!("recent"),
        ("/api/notifications", "filter") => json!("all"),
        _ => return None,
    })
}

fn type_query_parameters(paths: &mut Value) {
    let Some(paths) = paths.as_object_mut() else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(ops) = item.as_object_mut() else {
            continue;
        };
        for op in ops.values_mut() {
            let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
                continue;
            };
            for param in params {
                if param["in"] != "query" {
                    continue;
                }
                // Spec §0: an empty value (`size=`) counts as not given, for every query parameter.
                if param["required"] != true {
                    param["allowEmptyValue"] = json!(true);
                }
                let name = param["name"].as_str().unwrap_or_default().to_owned();
                if let Some(schema) = query_schema(&name) {
                    param["schema"] = schema;
                } else if let Some(words) = query_words(path, &name) {
                    param["schema"] = json!({ "type": "string", "enum": words });
                }
                if let Some(default) = query_default(path, &name)
                    && param["schema"].is_object()
                {
                    param["schema"]["default"] = default;
                }
            }
        }
    }
}

/// Applies the finishing touches to paperclip's v3 conversion.
pub fn finish(mut spec: Value) -> Value {
    for (schema, fields) in REQUIRED {
        if let Some(Value::Object(obj)) = spec.pointer_mut(&format!("/components/schemas/{schema}"))
        {
            obj.insert("required".into(), json!(fields));
            // An order's phone may come as `phoneNumber` instead (C8).
            if *schema == "OrderRequestBody"
                && let Some(Value::Array(required)) = obj.get_mut("required")
            {
                required.retain(|f| f != "phone");
            }
        }
    }
    if let Some(Value::Array(required)) = spec
        .pointer_mut("/components/schemas/OrderRequestBody/properties/orderItems/items/required")
    {
        // Each line names its product (the struct keeps it optional for one 400 naming all).
        if !required.contains(&json!("productId")) {
            required.push(json!("productId"));
        }
    }
    operations::own_bodies(&mut spec);
    if let Some(schemas) = spec.pointer_mut("/components/schemas") {
        nullable_optionals(schemas);
    }
    if let Some(paths) = spec.get_mut("paths") {
        type_query_parameters(paths);
    }
    if let Some(paths) = spec.get_mut("paths") {
        nullable_optionals(paths);
    }
    if let Some(order) = spec.pointer_mut("/components/schemas/OrderRequestBody") {
        // The phone under either name (C8): one of the two is required.
        order["anyOf"] = json!([{ "required": ["phone"] }, { "required": ["phoneNumber"] }]);
    }
    responses::as_written_by_the_server(&mut spec);
    operations::multipart_bodies(&mut spec);
    operations::authentication_and_headers(&mut spec);
    operations::trim_error_statuses(&mut spec);
    // The access token is a bearer JWT (Swagger 2.0 can only say "apiKey").
    if let Some(schemes) = spec.pointer_mut("/components/securitySchemes") {
        *schemes =
            json!({ "bearerAuth": { "type": "http", "scheme": "bearer", "bearerFormat": "JWT" } });
    }
    // E48: a bare array without page parameters (C2), `{ list, totalCount }` with them.
    if let Some(ok) = spec.pointer_mut(
        "/paths/~1api~1notifications/get/responses/200/content/application~1json/schema",
    ) {
        let paged = ok.clone();
        *ok = json!({ "oneOf": [paged, { "type": "array", "items": { "$ref": "#/components/schemas/AlarmResponse" } }] });
    }
    // E47 answers its errors as JSON, like every other endpoint; only the 200 is a stream.
    if let Some(Value::Object(responses)) =
        spec.pointer_mut("/paths/~1api~1notifications~1sse/get/responses")
    {
        for (code, response) in responses.iter_mut() {
            if code == "200" {
                continue;
            }
            if let Some(Value::Object(content)) = response.get_mut("content")
                && let Some(media) = content.remove("text/event-stream")
            {
                content.insert("application/json".into(), media);
            }
        }
    }
    spec
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_properties_become_nullable() {
        let spec = finish(json!({
            "components": { "schemas": { "A": {
                "type": "object", "required": ["id"],
                "properties": { "id": { "type": "string" }, "end": { "type": "string" },
                                "reply": { "$ref": "#/components/schemas/R" } } } } },
            "paths": {}
        }));
        let a = &spec["components"]["schemas"]["A"]["properties"];
        assert_eq!(a["id"].get("nullable"), None);
        assert_eq!(a["end"]["nullable"], true);
        assert_eq!(
            a["reply"],
            json!({ "allOf": [{ "$ref": "#/components/schemas/R" }], "nullable": true })
        );
    }

    #[test]
    fn responses_have_every_field_and_requests_keep_their_optional_ones() {
        let body = |name: &str| json!({ "$ref": format!("#/components/schemas/{name}") });
        let spec = finish(json!({
            "components": { "schemas": {
                "UserResponse": { "type": "object", "required": ["id"], "properties": {
                    "id": { "type": "string" }, "type": { "type": "string" },
                    "createdAt": { "type": "string" }, "image": { "type": "string" } } },
                "ReviewRequest": { "type": "object", "properties": {
                    "orderItemId": { "type": "string" }, "rating": { "type": "integer" },
                    "content": { "type": "string" } } } },
              "securitySchemes": {} },
            "paths": {
                "/api/users/me": { "get": { "responses": { "200": {
                    "content": { "application/json": { "schema": body("UserResponse") } } } } } },
                "/api/review/{reviewId}": { "patch": {
                    "requestBody": { "content": { "application/json": { "schema": body("ReviewRequest") } } },
                    "responses": {} } },
                "/api/product/{productId}/reviews": { "post": {
                    "requestBody": { "content": { "application/json": { "schema": body("ReviewRequest") } } },
                    "responses": {} } },
                "/api/products/{productId}": { "get": { "responses": {} } } }
        }));
        let user = &spec["components"]["schemas"]["UserResponse"];
        assert_eq!(
            user["required"],
            json!(["createdAt", "id", "image", "type"])
        );
        assert_eq!(user["properties"]["image"]["nullable"], true);
        assert_eq!(
            user["properties"]["type"]["enum"],
            json!(["BUYER", "SELLER"])
        );
        assert_eq!(user["properties"]["createdAt"]["format"], "date-time");
        // E36 creates with every field; E37 edits with any of rating and content.
        let schemas = &spec["components"]["schemas"];
        assert_eq!(
            schemas["ReviewRequest"]["required"],
            json!(["orderItemId", "rating", "content"])
        );
        assert_eq!(schemas["ReviewPatchRequest"].get("required"), None);
        assert!(schemas["ReviewPatchRequest"]["properties"]["orderItemId"].is_null());
        assert_eq!(
            spec.pointer("/paths/~1api~1review~1{reviewId}/patch/requestBody/content/application~1json/schema"),
            Some(&body("ReviewPatchRequest"))
        );
        // Public+: anonymous, or a token naming the viewer.
        assert_eq!(
            spec["paths"]["/api/products/{productId}"]["get"]["security"],
            json!([{}, { "bearerAuth": [] }])
        );
    }

    #[test]
    fn allowed_methods_per_path() {
        let allowed = AllowedMethods::from_spec(
            &json!({ "paths": { "/api/cart": { "get": {}, "patch": {}, "post": {} } } }),
        );
        assert_eq!(allowed.0["/api/cart"], "GET, PATCH, POST, HEAD, OPTIONS");
    }
}
