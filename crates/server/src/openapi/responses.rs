//! Response schemas as the server writes them: every field present (a `|null` field as `null`,
//! spec §2.0.1), timestamps as date-times, and the contract's string unions as enums.

use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The component schemas that `value` names, directly.
fn references(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(obj) => {
            if let Some(Value::String(r)) = obj.get("$ref")
                && let Some(name) = r.strip_prefix("#/components/schemas/")
            {
                out.insert(name.to_owned());
            }
            obj.values().for_each(|v| references(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, out)),
        _ => {}
    }
}

/// The schemas reachable from `roots` through the component schemas.
fn reachable(spec: &Value, roots: &[&Value]) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    roots.iter().for_each(|r| references(r, &mut found));
    let mut todo: Vec<String> = found.iter().cloned().collect();
    while let Some(name) = todo.pop() {
        let mut next = BTreeSet::new();
        if let Some(schema) = spec.pointer(&format!("/components/schemas/{name}")) {
            references(schema, &mut next);
        }
        for n in next {
            if found.insert(n.clone()) {
                todo.push(n);
            }
        }
    }
    found
}

/// The request bodies and the response bodies of every operation.
fn bodies(spec: &Value) -> (Vec<&Value>, Vec<&Value>) {
    let (mut requests, mut responses) = (Vec::new(), Vec::new());
    for item in spec["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        for op in item.as_object().into_iter().flat_map(|o| o.values()) {
            if let Some(body) = op.get("requestBody") {
                requests.push(body);
            }
            if let Some(Value::Object(codes)) = op.get("responses") {
                responses.extend(codes.values());
            }
        }
    }
    (requests, responses)
}

/// The string unions of the contract (spec §2.0.1), by schema (`root`), the field holding the
/// object (`holder`, for inline objects) and the field.
fn words(root: &str, holder: &str, field: &str) -> Option<Value> {
    Some(match (root, holder, field) {
        (_, "payments", "status") => {
            json!(["WaitingPayment", "CompletedPayment", "CancelledPayment"])
        }
        ("UserResponse", _, "type") => json!(["BUYER", "SELLER"]),
        (r, _, "status") if r.contains("Inquir") => json!(["WaitingAnswer", "CompletedAnswer"]),
        (r, _, "status") if r.starts_with("Order") => {
            json!(["WaitingPayment", "CompletedPayment", "Shipped", "Cancelled"])
        }
        ("FavoriteResponse", _, "type") => json!(["register", "delete"]),
        _ => return None,
    })
}

/// Every property required, timestamps typed, unions enumerated. `root` names the component
/// schema, `holder` the field holding this object (empty at the top).
fn as_written(root: &str, holder: &str, schema: &mut Value) {
    let Value::Object(obj) = schema else { return };
    if let Some(Value::Object(props)) = obj.get_mut("properties") {
        let all: Vec<String> = props.keys().cloned().collect();
        for (field, prop) in props.iter_mut() {
            let is_text = prop["type"] == "string";
            if is_text && (field.ends_with("At") || field.ends_with("Time")) {
                prop["format"] = json!("date-time");
            }
            if is_text && let Some(enumeration) = words(root, holder, field) {
                prop["enum"] = enumeration;
            }
            as_written(root, field, prop);
        }
        obj.insert("required".into(), json!(all));
    }
    for key in ["items", "allOf", "oneOf", "anyOf"] {
        match obj.get_mut(key) {
            Some(Value::Array(list)) => list.iter_mut().for_each(|s| as_written(root, holder, s)),
            Some(single @ Value::Object(_)) => as_written(root, holder, single),
            _ => {}
        }
    }
}

/// Applies `as_written` to the schemas only responses use (a schema a request also uses keeps
/// its optional fields), and to the responses' inline schemas.
pub fn as_written_by_the_server(spec: &mut Value) {
    let (requests, responses) = bodies(spec);
    let in_requests = reachable(spec, &requests);
    let in_responses = reachable(spec, &responses);
    for name in in_responses.difference(&in_requests) {
        if let Some(schema) = spec.pointer_mut(&format!("/components/schemas/{name}")) {
            as_written(name, "", schema);
        }
    }
    let Some(Value::Object(paths)) = spec.get_mut("paths") else {
        return;
    };
    for item in paths.values_mut() {
        for op in item
            .as_object_mut()
            .into_iter()
            .flat_map(|o| o.values_mut())
        {
            let Some(Value::Object(codes)) = op.get_mut("responses") else {
                continue;
            };
            for response in codes.values_mut() {
                if let Some(Value::Object(content)) = response.get_mut("content") {
                    for media in content.values_mut() {
                        if let Some(schema) = media.get_mut("schema") {
                            as_written("", "", schema);
                        }
                    }
                }
            }
        }
    }
}
