//! Request field types with lenient parsing (spec §0.2) and their OpenAPI schemas.

use kernel::Patch;
use paperclip::v2::models::{DataType, DataTypeFormat, DefaultSchemaRaw};
use paperclip::v2::schema::{Apiv2Schema, TypedData};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

fn primitive(data_type: DataType, format: Option<DataTypeFormat>) -> DefaultSchemaRaw {
    DefaultSchemaRaw {
        data_type: Some(data_type),
        format,
        ..Default::default()
    }
}

/// An integer given as a number or a digit string.
#[derive(Debug, Clone, Copy, Default)]
pub struct Int(pub Option<i64>);

impl<'de> Deserialize<'de> for Int {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::input::lenient::opt_i64(d).map(Int)
    }
}

impl Apiv2Schema for Int {
    fn raw_schema() -> DefaultSchemaRaw {
        primitive(i64::data_type(), i64::format())
    }
}

/// `true`/`false`, also as strings in any case.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bool(pub Option<bool>);

impl<'de> Deserialize<'de> for Bool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::input::lenient::opt_bool(d).map(Bool)
    }
}

impl Apiv2Schema for Bool {
    /// Absent is a value of its own (false, or unchanged): never a required property.
    fn required() -> bool {
        false
    }

    fn raw_schema() -> DefaultSchemaRaw {
        primitive(DataType::Boolean, None)
    }
}

/// A PATCH integer: absent, `null` (clear) or a value. Use with `#[serde(default)]`.
#[derive(Debug, Clone, Default)]
pub struct PatchInt(pub Patch<i64>);

impl<'de> Deserialize<'de> for PatchInt {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::input::lenient::patch_i64(d).map(PatchInt)
    }
}

impl Apiv2Schema for PatchInt {
    /// Absent is a value of its own (false, or unchanged): never a required property.
    fn required() -> bool {
        false
    }

    fn raw_schema() -> DefaultSchemaRaw {
        primitive(i64::data_type(), i64::format())
    }
}

/// A PATCH string: absent, `null` (clear) or a value. Use with `#[serde(default)]`.
#[derive(Debug, Clone, Default)]
pub struct PatchText(pub Patch<String>);

impl<'de> Deserialize<'de> for PatchText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::input::lenient::patch_string(d).map(PatchText)
    }
}

impl Apiv2Schema for PatchText {
    /// Absent is a value of its own (false, or unchanged): never a required property.
    fn required() -> bool {
        false
    }

    fn raw_schema() -> DefaultSchemaRaw {
        primitive(DataType::String, Some(DataTypeFormat::DateTime))
    }
}

/// The stock list: a JSON array, or (multipart) a string holding one.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct StocksField(pub Value);

#[derive(Debug, Deserialize, paperclip::actix::Apiv2Schema)]
#[serde(rename_all = "camelCase")]
pub struct StockLineRequest {
    /// 1..6
    pub size_id: i64,
    /// 0..1 000 000
    pub quantity: i64,
}

impl Apiv2Schema for StocksField {
    fn raw_schema() -> DefaultSchemaRaw {
        let mut items = StockLineRequest::raw_schema();
        items.name = None;
        DefaultSchemaRaw {
            data_type: Some(DataType::Array),
            items: Some(Box::new(items)),
            description: Some(
                "`[{ sizeId, quantity }]`; in multipart, the same array as a JSON string".into(),
            ),
            ..Default::default()
        }
    }
}
