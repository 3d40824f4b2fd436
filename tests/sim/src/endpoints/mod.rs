//! The endpoints other than reports, by family: `accounts.rs` (who the token may read),
//! `entities.rs` (campaigns, ad groups, ads), `assets.rs` (creative assets, audiences, pixel
//! lists), `pixels.rs` (pixel statistics and Instant Page events), `smart_plus.rs` (the
//! Upgraded Smart+ lists). Each handler is as strict as
//! the real API about its parameters (see shared/docs/tiktok-api.md §9); `routes.rs` says
//! which path reaches which handler. Here: parameter readers several families share.

use serde_json::{Map, Value};

use crate::wire::{param_error, strings_in, ApiError};

pub mod accounts;
pub mod assets;
pub mod entities;
pub mod gmv_max;
pub mod pixels;
pub mod smart_plus;

/// `fields` projection and `exclude_field_types_in_response=["NULL_FIELD"]`.
pub fn project(object: &Value, fields: Option<&[String]>, drop_nulls: bool) -> Value {
    let Value::Object(map) = object else { return object.clone() };
    let kept: Map<String, Value> = map
        .iter()
        .filter(|(k, _)| fields.is_none_or(|f| f.iter().any(|name| name == *k)))
        .filter(|(_, v)| !(drop_nulls && v.is_null()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Value::Object(kept)
}

pub fn id_filter(filtering: &Map<String, Value>, key: &str) -> Result<Option<Vec<String>>, ApiError> {
    match filtering.get(key) {
        None => Ok(None),
        Some(Value::Array(items)) if items.len() <= 100 => strings_in(items, &format!("filtering.{key}")).map(Some),
        Some(Value::Array(_)) => Err(param_error(format!("filtering.{key}: Length must be between 0 and 100."))),
        Some(_) => Err(param_error(format!("filtering.{key}: Field must be set to array"))),
    }
}
