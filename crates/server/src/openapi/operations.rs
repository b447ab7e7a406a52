//! Per-operation facts of the contract that paperclip cannot derive from the handlers: which
//! request fields an operation requires when one body struct serves its POST and its PATCH,
//! the multipart form of the image endpoints, the optional token of the public+ endpoints,
//! and the headers and query parameters read outside the extractors.

use serde_json::{Value, json};

/// An operation's own copy of a shared body schema, so that a generated client neither forces
/// a partial edit to resend a field nor lets a creation omit one.
struct OwnBody {
    path: &'static str,
    method: &'static str,
    /// The copy's schema name.
    name: &'static str,
    required: &'static [&'static str],
    /// Fields of the shared schema this operation does not take.
    dropped: &'static [&'static str],
}

const OWN_BODIES: &[OwnBody] = &[
    OwnBody {
        path: "/api/stores",
        method: "post",
        name: "StoreCreateRequest",
        required: &["name", "address", "phoneNumber", "content"],
        dropped: &["removeImage"],
    },
    OwnBody {
        path: "/api/products",
        method: "post",
        name: "ProductCreateRequest",
        required: &["name", "price", "categoryName", "stocks"],
        dropped: &[],
    },
    OwnBody {
        path: "/api/products/{productId}/inquiries",
        method: "post",
        name: "InquiryCreateRequest",
        required: &["title", "content"],
        dropped: &[],
    },
    OwnBody {
        path: "/api/review/{reviewId}",
        method: "patch",
        name: "ReviewPatchRequest",
        required: &[],
        dropped: &["orderItemId"],
    },
];

/// Shared body schemas as their edits (PATCH) use them: nothing required.
const EDIT_BODIES: &[&str] = &["StoreRequest", "ProductRequest", "InquiryRequest"];

/// The endpoints that take `multipart/form-data` as well as JSON (spec §0.7).
const MULTIPART: &[(&str, &str)] = &[
    ("/api/users/me", "patch"),
    ("/api/stores", "post"),
    ("/api/stores/{storeId}", "patch"),
    ("/api/products", "post"),
    ("/api/products/{productId}", "patch"),
];

/// The public+ endpoints (spec §0.3): a valid token identifies the viewer (secret inquiries).
const PUBLIC_PLUS: &[(&str, &str)] = &[
    ("/api/products/{productId}", "get"),
    ("/api/products/{productId}/inquiries", "get"),
    ("/api/inquiries/{id}/replies", "get"),
];

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn operation<'a>(spec: &'a mut Value, path: &str, method: &str) -> Option<&'a mut Value> {
    spec.get_mut("paths")?.get_mut(path)?.get_mut(method)
}

fn json_body_schema<'a>(spec: &'a mut Value, path: &str, method: &str) -> Option<&'a mut Value> {
    operation(spec, path, method)?.pointer_mut("/requestBody/content/application~1json/schema")
}

/// The component schema an operation's JSON body refers to.
fn json_body_component<'a>(spec: &'a Value, path: &str, method: &str) -> Option<&'a Value> {
    let reference = spec
        .get("paths")?
        .get(path)?
        .get(method)?
        .pointer("/requestBody/content/application~1json/schema/$ref")?
        .as_str()?;
    spec.pointer(&format!(
        "/components/schemas/{}",
        reference.strip_prefix("#/components/schemas/")?
    ))
}

/// Gives the operations of `OWN_BODIES` their own body schema; runs before `required` is read
/// to mark the other fields nullable.
pub fn own_bodies(spec: &mut Value) {
    for OwnBody {
        path,
        method,
        name,
        required,
        dropped,
    } in OWN_BODIES
    {
        let Some(mut own) = json_body_component(spec, path, method).cloned() else {
            continue;
        };
        if let Some(Value::Object(props)) = own.get_mut("properties") {
            props.retain(|k, _| !dropped.contains(&k.as_str()));
        }
        if let Value::Object(o) = &mut own {
            // OpenAPI 3.0 allows no empty `required`.
            o.remove("required");
            if !required.is_empty() {
                o.insert("required".into(), json!(required));
            }
            o.insert(
                "description".into(),
                json!(format!("{} {path} body.", method.to_uppercase())),
            );
        }
        if let Some(Value::Object(schemas)) = spec.pointer_mut("/components/schemas") {
            schemas.insert((*name).into(), own);
        }
        if let Some(schema) = json_body_schema(spec, path, method) {
            *schema = schema_ref(name);
        }
    }
    for name in EDIT_BODIES {
        if let Some(Value::Object(schema)) =
            spec.pointer_mut(&format!("/components/schemas/{name}"))
        {
            schema.remove("required");
        }
    }
}

/// The multipart form of an image endpoint's body: the JSON fields as text parts, the file
/// part `image`, and (products) `stocks` as a JSON string. Runs after the nullable marking:
/// a form part is present or absent, never null.
pub fn multipart_bodies(spec: &mut Value) {
    for (path, method) in MULTIPART {
        let Some(json_schema) = json_body_component(spec, path, method) else {
            continue;
        };
        let mut form = json!({ "type": "object", "properties": {} });
        if let Some(required) = json_schema.get("required") {
            form["required"] = required.clone();
        }
        if let Some(Value::Object(props)) = json_schema.get("properties") {
            for (field, prop) in props {
                let mut part = prop.clone();
                if let Value::Object(p) = &mut part {
                    p.remove("nullable");
                }
                let part = match field.as_str() {
                    "image" => json!({
                        "type": "string", "format": "binary",
                        "description": "The image file (JPEG, PNG, GIF or WebP), or an absolute URL as a text part"
                    }),
                    "stocks" => json!({
                        "type": "string",
                        "description": "The stock list as a JSON string: [{\"sizeId\": 1, \"quantity\": 10}, …]"
                    }),
                    _ => part,
                };
                form["properties"][field] = part;
            }
        }
        if let Some(Value::Object(content)) =
            operation(spec, path, method).and_then(|op| op.pointer_mut("/requestBody/content"))
        {
            content.insert(
                "multipart/form-data".into(),
                json!({ "schema": form, "encoding": { "image": { "contentType": "image/jpeg, image/png, image/gif, image/webp, text/plain" } } }),
            );
        }
    }
}

/// Security alternatives, headers and query parameters the handlers read themselves.
pub fn authentication_and_headers(spec: &mut Value) {
    for (path, method) in PUBLIC_PLUS {
        if let Some(op) = operation(spec, path, method) {
            // Anonymous, or a bearer token that identifies the viewer.
            op["security"] = json!([{}, { "bearerAuth": [] }]);
        }
    }
    if let Some(Value::Object(schemes)) = spec.pointer_mut("/components/securitySchemes") {
        // EventSource cannot send headers: E47 also takes the access token as `?token=`.
        schemes.insert(
            "queryToken".into(),
            json!({ "type": "apiKey", "in": "query", "name": "token" }),
        );
    }
    if let Some(Value::Object(schemes)) = spec.pointer_mut("/components/securitySchemes") {
        // E2 authenticates with the refresh cookie alone (spec §0.3).
        schemes.insert(
            "refreshCookie".into(),
            json!({ "type": "apiKey", "in": "cookie", "name": "refreshToken" }),
        );
    }
    if let Some(op) = operation(spec, "/api/auth/refresh", "post") {
        op["security"] = json!([{ "refreshCookie": [] }]);
    }
    // The refresh cookie is set (login, refresh) or cleared (logout, account deletion, a
    // refused refresh) by these answers.
    for (path, method, code, what) in [
        ("/api/auth/login", "post", "201", "sets"),
        ("/api/auth/refresh", "post", "200", "sets the successor in"),
        ("/api/auth/refresh", "post", "401", "may clear"),
        ("/api/auth/logout", "post", "200", "clears"),
        ("/api/users/delete", "delete", "200", "clears"),
    ] {
        if let Some(response) = operation(spec, path, method)
            .and_then(|op| op.pointer_mut(&format!("/responses/{code}")))
        {
            response["headers"] = json!({ "Set-Cookie": {
                "description": format!("{what} the HttpOnly `refreshToken` cookie"),
                "schema": { "type": "string" } } });
        }
    }
    if let Some(op) = operation(spec, "/api/notifications/sse", "get") {
        op["security"] = json!([{ "bearerAuth": [] }, { "queryToken": [] }]);
        push_parameters(
            op,
            [
                // Strings: a value that is not a cursor is ignored (a fresh start), not refused.
                json!({ "name": "Last-Event-ID", "in": "header", "required": false,
                        "description": "The `id` of the last event received (a non-negative integer): the stream resumes after it",
                        "schema": { "type": "string" } }),
                json!({ "name": "lastEventId", "in": "query", "required": false,
                        "description": "`Last-Event-ID` for clients that cannot send headers (the header wins)",
                        "schema": { "type": "string" } }),
            ],
        );
    }
    if let Some(op) = operation(spec, "/api/orders", "post") {
        push_parameters(
            op,
            [
                json!({ "name": "Idempotency-Key", "in": "header", "required": false,
                     "description": "Retries with the same key place one order and get its response again",
                     "schema": { "type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7E]+$" } }),
            ],
        );
        if let Some(created) = op.pointer_mut("/responses/201") {
            created["headers"] = json!({ "Idempotent-Replayed": {
                "description": "`true` when this is the stored response of an earlier request with the same key",
                "schema": { "type": "string", "enum": ["true"] } } });
        }
    }
}

fn push_parameters(op: &mut Value, params: impl IntoIterator<Item = Value>) {
    if !op["parameters"].is_array() {
        op["parameters"] = json!([]);
    }
    if let Value::Array(list) = &mut op["parameters"] {
        list.extend(params);
    }
}

/// Drops the error statuses an operation cannot answer from the shared list (`ApiError`): a
/// public endpoint never answers 401 or 403, a public+ one never 401 (spec §0.3: a token there
/// is ignored or counts as anonymous), login never 404 (E1), and a GET takes no body (413) and
/// changes nothing that could conflict (409).
pub fn trim_error_statuses(spec: &mut Value) {
    let Some(Value::Object(paths)) = spec.get_mut("paths") else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let Some(ops) = item.as_object_mut() else {
            continue;
        };
        for (method, op) in ops.iter_mut() {
            // Public+ (anonymous allowed) may still refuse a viewer a secret (E44's 403).
            let (public, public_plus) = match op.get("security") {
                None => (true, false),
                Some(Value::Array(options)) => (false, options.iter().any(|o| o == &json!({}))),
                Some(_) => (false, false),
            };
            // The cookie-authenticated refresh and the credential check of login answer 401.
            let cookie_or_login = matches!(path.as_str(), "/api/auth/refresh" | "/api/auth/login");
            let mut dropped: Vec<&str> = Vec::new();
            if public && !cookie_or_login {
                dropped.extend(["401", "403"]);
            }
            if cookie_or_login {
                // Credentials are checked, but no role or ownership.
                dropped.push("403");
            }
            if public_plus {
                dropped.push("401");
            }
            if path == "/api/auth/login" {
                dropped.push("404");
            }
            if method == "get" {
                dropped.extend(["409", "413"]);
            }
            if let Some(Value::Object(responses)) = op.get_mut("responses") {
                responses.retain(|code, _| !dropped.contains(&code.as_str()));
            }
        }
    }
}
