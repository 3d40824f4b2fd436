//! JSON schemas built from the typed field lists of the stream table.
//! Every field is nullable: TikTok leaves fields out or null depending on the object's kind.

use serde_json::{json, Map, Value};

/// What a record field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Str,
    Int,
    Num,
    Bool,
    List,
    /// An array of id strings.
    Ids,
    Obj,
    /// `YYYY-MM-DD HH:MM:SS`, UTC (entity times).
    Time,
    /// ISO 8601 UTC, `2020-06-10T07:39:14Z` (creative-library times).
    IsoTime,
    /// Any JSON (sources disagree on the type).
    Any,
}

/// A stream's record fields, in the reference connector's names.
pub type FieldList = &'static [(&'static str, FieldType)];

pub fn field_schema(field_type: FieldType) -> Value {
    match field_type {
        FieldType::Str => json!({"type": ["null", "string"]}),
        FieldType::Int => json!({"type": ["null", "integer"]}),
        FieldType::Num => json!({"type": ["null", "number"]}),
        FieldType::Bool => json!({"type": ["null", "boolean"]}),
        FieldType::List => json!({"type": ["null", "array"]}),
        FieldType::Ids => json!({"type": ["null", "array"], "items": {"type": ["null", "string"]}}),
        FieldType::Obj => json!({"type": ["null", "object"]}),
        // TikTok's entity times are not RFC 3339 (no `T`, no zone), so no `format: date-time`,
        // which strict validators would reject; the pattern documents the form instead.
        FieldType::Time => {
            json!({"type": ["null", "string"], "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"})
        }
        FieldType::IsoTime => json!({"type": ["null", "string"], "format": "date-time"}),
        FieldType::Any => json!({}),
    }
}

/// An object schema with the given properties; other properties are allowed through, since
/// TikTok adds fields over time and dropping them would lose data.
pub fn object_schema(properties: Map<String, Value>) -> Value {
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "additionalProperties": true,
        "properties": properties,
    })
}

pub fn from_field_list(list: FieldList) -> Value {
    object_schema(list.iter().map(|(name, field_type)| (name.to_string(), field_schema(*field_type))).collect())
}
