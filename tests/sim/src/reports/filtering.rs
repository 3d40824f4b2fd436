//! The integrated report's v1.3 `filtering` list: id, country, status, TopView, `ad_ids_v2`,
//! `campaign_automation_type` and `campaign_system_origins` entries, as TikTok reads them
//! (split from `query.rs`).

use serde_json::Value;

use crate::data::{Level, Origins};
use crate::wire::{param_error, strings_in, ApiError, Query};

/// An id or country filter of `filtering`: its field, IN (true) or NOT_IN (false), its values.
pub(super) type Filter = (String, bool, Vec<String>);

/// The v1.3 `filtering` list; true when it asks for deleted objects (STATUS_ALL) at this level.
/// The v1.2 `filters` parameter is not read at all, as in v1.3.
pub(super) fn parse_filtering(q: &Query, level: Level) -> Result<(bool, Vec<Filter>), ApiError> {
    let Some(raw) = q.get("filtering") else { return Ok((false, Vec::new())) };
    let mut applied = Vec::new();
    let filters: Vec<Value> = match serde_json::from_str(raw) {
        Ok(Value::Array(items)) => items,
        // source: the shape of "pixel_ids: Field must be set to array" (observed, AB PR #70241).
        _ => return Err(param_error("filtering: Field must be set to array")),
    };
    let mut all = Vec::new();
    for f in &filters {
        let (field, filter_type, values) = filter_parts(f)?;
        match field {
            "ad_status" | "adgroup_status" | "campaign_status" => {
                if values.iter().any(|v| v != "STATUS_ALL" && v != "STATUS_NOT_DELETE" && v != "STATUS_DELETE") {
                    // invented wording, as every "Invalid enum value" below
                    return Err(param_error(format!("filtering.{field}: Invalid enum value.")));
                }
                if values.iter().any(|v| v == "STATUS_ALL") {
                    all.push(field.to_string());
                }
            }
            "campaign_ids" | "adgroup_ids" | "ad_ids" | "country_code" => match filter_type {
                "IN" | "NOT_IN" if (1..=100).contains(&values.len()) => {
                    applied.push((field.to_string(), filter_type == "IN", values))
                }
                "IN" | "NOT_IN" => {
                    // invented wording, as every "Length must be" below (marshmallow's shape)
                    return Err(param_error(format!("filtering.{field}: Length must be between 1 and 100.")));
                }
                other => {
                    return Err(param_error(format!("filtering.filter_type: {other} is not supported for {field}.")))
                }
            },
            // TopView rows come back only under this filter, and then only they.
            "buying_type" => match (filter_type, values.as_slice()) {
                ("IN", [only]) if only == "RESERVATION_TOP_VIEW" => applied.push((field.to_string(), true, values)),
                ("IN", [only]) if only == "AUCTION" || only == "RESERVATION_RF" => {}
                _ => {
                    // invented wording
                    return Err(param_error(
                        "filtering.buying_type: use IN with one of AUCTION, RESERVATION_RF, RESERVATION_TOP_VIEW.",
                    ));
                }
            },
            // DOC-SYNC; GO `report/metrics.go`: ad_id_v2's own filter, IN only, ≤100 as ad_ids.
            "ad_ids_v2" => match filter_type {
                "IN" if (1..=100).contains(&values.len()) => applied.push((field.to_string(), true, values)),
                "IN" => return Err(param_error("filtering.ad_ids_v2: Length must be between 1 and 100.")),
                other => {
                    return Err(param_error(format!("filtering.filter_type: {other} is not supported for {field}.")))
                }
            },
            // §2.1 (GO enum; 3P): as a filter only the campaign types work; `_CREATIVE` is 40002.
            "campaign_automation_type" => {
                if let Some(bad) =
                    values.iter().find(|v| !["MANUAL", "SMART_PLUS", "UPGRADED_SMART_PLUS"].contains(&v.as_str()))
                {
                    return Err(param_error(format!("filtering.campaign_automation_type: Invalid enum value {bad}.")));
                }
                applied.push((field.to_string(), filter_type != "NOT_IN", values));
            }
            // DOC-PROMOTE: synchronous BASIC and AUDIENCE reports leave Promote rows out unless
            // this filter names PROMOTE (tiktok-api.md §15 R6); read by `origins` below.
            "campaign_system_origins" => match filter_type {
                "IN" if !values.is_empty() && values.iter().all(|v| v == "PROMOTE" || v == "TT_ADS_PLATFORM") => {
                    applied.push((field.to_string(), true, values))
                }
                _ => {
                    // invented wording
                    return Err(param_error(
                        "filtering.campaign_system_origins: use IN with PROMOTE and/or TT_ADS_PLATFORM.",
                    ));
                }
            },
            "promotion_type" => {}
            // invented wording
            other => return Err(param_error(format!("filtering.field_name: Invalid field {other}."))),
        }
    }
    // Deleted objects come back when the filter of their own level (or a coarser one) says ALL.
    let wanted = match level {
        Level::Ad => "ad_status",
        Level::AdGroup => "adgroup_status",
        Level::Campaign => "campaign_status",
    };
    Ok((all.iter().any(|f| f == wanted) || all.len() == 3, applied))
}

/// Whose rows a report holds by where their campaign was made. DOC-PROMOTE: synchronous basic
/// and audience reports filter Promote out by default (`campaign_system_origins`
/// TT_ADS_PLATFORM); "in asynchronous basic reports and asynchronous audience reports, the
/// reporting data for Promote ads is NOT filtered out by default" (tiktok-api.md §15 R6), and a
/// task takes no such filter (§4.9: ids and countries only; `task_rules` refuses it).
pub(super) fn origins(filters: &[Filter], task: bool) -> Origins {
    if task {
        return Origins::BOTH;
    }
    match filters.iter().find(|(field, ..)| field == "campaign_system_origins") {
        None => Origins::default(),
        Some((_, _, values)) => Origins {
            ads_platform: values.iter().any(|v| v == "TT_ADS_PLATFORM"),
            promote: values.iter().any(|v| v == "PROMOTE"),
        },
    }
}

/// One entry of `filtering`: its field, its filter type (one TikTok knows) and its values (for
/// IN and NOT_IN a JSON array serialized into a string, DOC-SYNC).
fn filter_parts(f: &Value) -> Result<(&str, &str, Vec<String>), ApiError> {
    let field = f["field_name"]
        .as_str()
        // invented wording: marshmallow's "Missing data for required field." after TikTok's "field: " prefix.
        .ok_or_else(|| param_error("filtering.field_name: Missing data for required field."))?;
    let filter_type = f["filter_type"]
        .as_str()
        .ok_or_else(|| param_error("filtering.filter_type: Missing data for required field."))?;
    if ![
        "IN",
        "NOT_IN",
        "CONTAIN_ANY_OF",
        "MATCH",
        "GREATER_EQUAL",
        "GREATER_THAN",
        "LOWER_EQUAL",
        "LOWER_THAN",
        "BETWEEN",
    ]
    .contains(&filter_type)
    {
        return Err(param_error(format!("filtering.filter_type: Invalid enum value {filter_type}.")));
    }
    // filter_value is a JSON array serialized into a string for IN.
    let values: Vec<String> = match f.get("filter_value") {
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(Value::Array(v)) => strings_in(&v, "filtering.filter_value")?,
            _ if filter_type == "IN" || filter_type == "NOT_IN" => {
                // invented wording
                return Err(param_error("filtering.filter_value: Must be a JSON array string for IN and NOT_IN."));
            }
            _ => vec![s.clone()],
        },
        _ => return Err(param_error("filtering.filter_value: Not a valid string.")),
    };
    Ok((field, filter_type, values))
}
