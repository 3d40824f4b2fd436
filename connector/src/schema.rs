//! JSON schemas built from the compact field lists of the stream table.
//!
//! A field list is `name:type` pairs separated by spaces. Types: `s` string, `i` integer,
//! `n` number, `b` boolean, `a` array, `ids` array of id strings, `o` object, `t` timestamp
//! string (`YYYY-MM-DD HH:MM:SS`, UTC), `tz` ISO-8601 UTC timestamp, `x` any (sources disagree on the type).
//! Every field is nullable: TikTok leaves fields out or null depending on the object's kind.

use serde_json::{json, Map, Value};

pub fn field_schema(type_code: &str) -> Value {
    match type_code {
        "s" => json!({"type": ["null", "string"]}),
        "i" => json!({"type": ["null", "integer"]}),
        "n" => json!({"type": ["null", "number"]}),
        "b" => json!({"type": ["null", "boolean"]}),
        "a" => json!({"type": ["null", "array"]}),
        "ids" => json!({"type": ["null", "array"], "items": {"type": ["null", "string"]}}),
        "o" => json!({"type": ["null", "object"]}),
        // TikTok's entity times are not RFC 3339 (no `T`, no zone), so no `format: date-time`,
        // which strict validators would reject; the pattern documents the form instead.
        "t" => json!({"type": ["null", "string"], "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"}),
        // Creative-library times are ISO 8601 UTC (`2020-06-10T07:39:14Z`).
        "tz" => json!({"type": ["null", "string"], "format": "date-time"}),
        "x" => json!({}),
        other => panic!("unknown field type code {other:?} in the stream table"),
    }
}

/// `name:type` pairs of a field list.
pub fn fields(list: &'static str) -> impl Iterator<Item = (&'static str, &'static str)> {
    list.split_whitespace().map(|pair| pair.split_once(':').expect("field list entries are name:type"))
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

pub fn from_field_list(list: &'static str) -> Value {
    object_schema(fields(list).map(|(name, code)| (name.to_string(), field_schema(code))).collect())
}
