//! Request bodies (spec §0.2, §0.11): JSON, or multipart where the contract allows it, parsed
//! into one typed struct so both encodings share every rule.

use crate::auth::AuthFirst;
use crate::error::{ApiError, BODY_TOO_LARGE, MALFORMED_BODY};
use actix_multipart::Multipart;
use actix_web::dev::Payload;
use actix_web::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::{FromRequest, HttpRequest};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use media::{IMAGE_TOO_LARGE, ImageInput, MAX_IMAGE_BYTES};
use paperclip::actix::OperationModifier;
use paperclip::v2::models::{
    DataType, DataTypeFormat, DefaultOperationRaw, DefaultSchemaRaw, Either, Parameter, ParameterIn,
};
use paperclip::v2::schema::Apiv2Schema;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

pub const JSON_LIMIT: usize = 5 * 1024 * 1024;
pub const MULTIPART_LIMIT: usize = 12 * 1024 * 1024;
/// The one multipart text field where `""` is a value rather than "absent" (§0.11).
const EMPTY_IS_VALUE: &[&str] = &["detailAddress"];

enum Encoding {
    Json,
    Multipart,
}

fn encoding(req: &HttpRequest) -> Option<Encoding> {
    let ct = req.headers().get(CONTENT_TYPE)?.to_str().ok()?;
    let essence = ct.split(';').next()?.trim().to_ascii_lowercase();
    match essence.as_str() {
        "application/json" => Some(Encoding::Json),
        "multipart/form-data" => Some(Encoding::Multipart),
        _ => None,
    }
}

fn declared_length(req: &HttpRequest) -> Option<usize> {
    req.headers()
        .get(CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

async fn read_limited(mut payload: Payload, limit: usize) -> Result<Vec<u8>, ApiError> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| ApiError::malformed())?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::too_large(BODY_TOO_LARGE));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The first field holding a string with a NUL character, which PostgreSQL cannot store.
fn field_with_nul(object: &Map<String, Value>) -> Option<&str> {
    fn holds_nul(value: &Value) -> bool {
        match value {
            Value::String(s) => s.contains('\0'),
            Value::Array(items) => items.iter().any(holds_nul),
            Value::Object(fields) => fields.iter().any(|(k, v)| k.contains('\0') || holds_nul(v)),
            _ => false,
        }
    }
    object
        .iter()
        .find(|(key, value)| key.contains('\0') || holds_nul(value))
        .map(|(key, _)| key.as_str())
}

/// Deserialises an object into `T`; a wrong field type names the field (`"email: invalid type…"`).
fn from_object<T: DeserializeOwned>(object: Map<String, Value>) -> Result<T, ApiError> {
    if let Some(field) = field_with_nul(&object) {
        let field = field.replace('\0', "\\0");
        return Err(ApiError::bad_request(format!(
            "{field}: must not contain the NUL character"
        )));
    }
    serde_path_to_error::deserialize(Value::Object(object)).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path.is_empty() || path == "." {
            ApiError::bad_request(inner.to_string())
        } else {
            ApiError::bad_request(format!("{path}: {inner}"))
        }
    })
}

fn parse_json_object(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(ApiError::malformed()),
    }
}

/// A typed query string: `web::Query` behind the same gate as the bodies, so a malformed one (a
/// repeated key) is a 400 only once authentication and user type have answered (§0.6).
pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parsed = actix_web::web::Query::<T>::from_query(req.query_string())
            .map(|q| Query(q.into_inner()))
            .map_err(|_| ApiError::malformed());
        let auth = AuthFirst::of(req);
        Box::pin(async move { auth.then(parsed).await })
    }
}

impl<T: Apiv2Schema> Apiv2Schema for Query<T> {}

/// Documented exactly as `web::Query`: one query parameter per field of `T`.
impl<T: Apiv2Schema> OperationModifier for Query<T> {
    fn update_parameter(op: &mut DefaultOperationRaw) {
        <paperclip::actix::web::Query<T> as OperationModifier>::update_parameter(op)
    }

    fn update_definitions(_map: &mut BTreeMap<String, DefaultSchemaRaw>) {}
}

/// A JSON-only body.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let enc = encoding(req);
        let too_large = declared_length(req).is_some_and(|n| n > JSON_LIMIT);
        let payload = payload.take();
        let auth = AuthFirst::of(req);
        let body = async move {
            if !matches!(enc, Some(Encoding::Json)) {
                return Err(ApiError::bad_request(MALFORMED_BODY));
            }
            if too_large {
                return Err(ApiError::too_large(BODY_TOO_LARGE));
            }
            let bytes = read_limited(payload, JSON_LIMIT).await?;
            Ok(JsonBody(from_object(parse_json_object(&bytes)?)?))
        };
        Box::pin(async move { auth.then(body.await).await })
    }
}

/// A body that may be JSON or multipart, with an optional `image` file part.
pub struct FormBody<T> {
    pub fields: T,
    pub image_file: Option<Vec<u8>>,
    /// Multipart and JSON edits differ where the contract says so (E20's discount).
    pub multipart: bool,
}

impl<T> FormBody<T> {
    /// The image the request carries: the file part wins over a URL (§0.11).
    pub fn image(&mut self, url: Option<String>) -> Option<ImageInput> {
        match self.image_file.take() {
            Some(bytes) => Some(ImageInput::File(bytes)),
            None => url.map(ImageInput::Url),
        }
    }
}

struct MultipartParts {
    text: Map<String, Value>,
    image: Option<Vec<u8>>,
}

async fn read_multipart(req: HttpRequest, payload: Payload) -> Result<MultipartParts, ApiError> {
    let mut multipart = Multipart::new(req.headers(), payload);
    let mut total = 0usize;
    let mut text = Map::new();
    let mut image = None;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(|_| ApiError::malformed())?;
        let name = field.name().unwrap_or_default().to_owned();
        let is_file = field
            .content_disposition()
            .is_some_and(|cd| cd.get_filename().is_some());
        let keep_file = is_file && name == "image" && image.is_none();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| match e {
                actix_multipart::MultipartError::Payload(_) => ApiError::malformed(),
                _ => ApiError::malformed(),
            })?;
            total += chunk.len();
            if total > MULTIPART_LIMIT {
                return Err(ApiError::too_large(BODY_TOO_LARGE));
            }
            if is_file && !keep_file {
                continue; // extra file parts are ignored
            }
            if keep_file && bytes.len() + chunk.len() > MAX_IMAGE_BYTES {
                return Err(ApiError::too_large(IMAGE_TOO_LARGE));
            }
            bytes.extend_from_slice(&chunk);
        }
        if keep_file {
            image = Some(bytes);
        } else if !is_file {
            let value = String::from_utf8(bytes).map_err(|_| ApiError::malformed())?;
            if !value.is_empty() || EMPTY_IS_VALUE.contains(&name.as_str()) {
                text.insert(name, Value::String(value));
            }
        }
    }
    Ok(MultipartParts { text, image })
}

impl<T: DeserializeOwned + 'static> FromRequest for FormBody<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let enc = encoding(req);
        let declared = declared_length(req);
        let req = req.clone();
        let payload = payload.take();
        let auth = AuthFirst::of(&req);
        let body = async move {
            match enc {
                Some(Encoding::Json) => {
                    if declared.is_some_and(|n| n > JSON_LIMIT) {
                        return Err(ApiError::too_large(BODY_TOO_LARGE));
                    }
                    let bytes = read_limited(payload, JSON_LIMIT).await?;
                    Ok(FormBody {
                        fields: from_object(parse_json_object(&bytes)?)?,
                        image_file: None,
                        multipart: false,
                    })
                }
                Some(Encoding::Multipart) => {
                    if declared.is_some_and(|n| n > MULTIPART_LIMIT) {
                        return Err(ApiError::too_large(BODY_TOO_LARGE));
                    }
                    let mut parts = read_multipart(req, payload).await?;
                    if parts.image.is_some() {
                        parts.text.remove("image");
                    }
                    Ok(FormBody {
                        fields: from_object(parts.text)?,
                        image_file: parts.image,
                        multipart: true,
                    })
                }
                None => Err(ApiError::bad_request(MALFORMED_BODY)),
            }
        };
        Box::pin(async move { auth.then(body.await).await })
    }
}

/// A multipart-only upload: the `image` file part, if any.
pub struct ImageUpload {
    pub image: Option<Vec<u8>>,
}

impl FromRequest for ImageUpload {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let enc = encoding(req);
        let declared = declared_length(req);
        let req = req.clone();
        let payload = payload.take();
        let auth = AuthFirst::of(&req);
        let body = async move {
            if !matches!(enc, Some(Encoding::Multipart)) {
                return Err(ApiError::bad_request(MALFORMED_BODY));
            }
            if declared.is_some_and(|n| n > MULTIPART_LIMIT) {
                return Err(ApiError::too_large(BODY_TOO_LARGE));
            }
            let parts = read_multipart(req, payload).await?;
            Ok(ImageUpload { image: parts.image })
        };
        Box::pin(async move { auth.then(body.await).await })
    }
}

// --- OpenAPI: bodies are documented with the JSON schema of `T` ---------------------------------

fn body_parameter<T: Apiv2Schema>(op: &mut DefaultOperationRaw) {
    op.parameters.push(Either::Right(Parameter {
        in_: ParameterIn::Body,
        name: "body".into(),
        required: true,
        schema: Some({
            let mut def = T::schema_with_ref();
            def.retain_ref();
            def
        }),
        ..Default::default()
    }));
}

impl<T: Apiv2Schema> Apiv2Schema for JsonBody<T> {}
impl<T: Apiv2Schema> OperationModifier for JsonBody<T> {
    fn update_parameter(op: &mut DefaultOperationRaw) {
        body_parameter::<T>(op);
    }
    fn update_definitions(map: &mut BTreeMap<String, DefaultSchemaRaw>) {
        crate::reply::register_schema::<T>(map);
    }
}

impl<T: Apiv2Schema> Apiv2Schema for FormBody<T> {}
impl<T: Apiv2Schema> OperationModifier for FormBody<T> {
    fn update_parameter(op: &mut DefaultOperationRaw) {
        body_parameter::<T>(op);
    }
    fn update_definitions(map: &mut BTreeMap<String, DefaultSchemaRaw>) {
        crate::reply::register_schema::<T>(map);
    }
}

impl Apiv2Schema for ImageUpload {}
impl OperationModifier for ImageUpload {
    fn update_parameter(op: &mut DefaultOperationRaw) {
        op.parameters.push(Either::Right(Parameter {
            description: Some("The image file (JPEG, PNG, GIF or WebP, at most 10 MiB)".into()),
            in_: ParameterIn::FormData,
            name: "image".into(),
            required: true,
            data_type: Some(DataType::File),
            format: Some(DataTypeFormat::Binary),
            ..Default::default()
        }));
        op.consumes = Some(
            [paperclip::v2::models::MediaRange(mime::MULTIPART_FORM_DATA)]
                .into_iter()
                .collect(),
        );
    }
}

/// Lenient scalar inputs (§0.2) for serde: `#[serde(default, deserialize_with = …)]`.
pub mod lenient {
    use kernel::Patch;
    use serde::{Deserialize, Deserializer, de::Error};
    use serde_json::Value;

    pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        let value = Option::<Value>::deserialize(d)?.unwrap_or(Value::Null);
        kernel::lenient::integer(&value).map_err(D::Error::custom)
    }

    pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        let value = Option::<Value>::deserialize(d)?.unwrap_or(Value::Null);
        kernel::lenient::boolean(&value).map_err(D::Error::custom)
    }

    /// Absent (via `#[serde(default)]`), null, or an integer.
    pub fn patch_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Patch<i64>, D::Error> {
        let value = Value::deserialize(d)?;
        Ok(
            match kernel::lenient::integer(&value).map_err(D::Error::custom)? {
                Some(i) => Patch::Value(i),
                None => Patch::Null,
            },
        )
    }

    /// Absent (via `#[serde(default)]`), null, or a string.
    pub fn patch_string<'de, D: Deserializer<'de>>(d: D) -> Result<Patch<String>, D::Error> {
        Ok(match Option::<String>::deserialize(d)? {
            Some(s) => Patch::Value(s),
            None => Patch::Null,
        })
    }
}
