//! `pixel/event/stats` and `pixel/instant_page/event`.

use serde_json::{json, Value};

use crate::refusals::{refuse, Refusal};
use crate::wire::{param_error, ApiError, Call, Served};

pub fn event_stats(call: &Call) -> Result<Served, ApiError> {
    let Call { query: q, account, .. } = *call;
    let advertiser = q.required("advertiser_id")?;
    let ids = q.strings("pixel_ids")?.ok_or_else(|| param_error("pixel_ids: Missing data for required field."))?;
    if ids.is_empty() || ids.len() > 10 {
        return Err(param_error("pixel_ids: Length must be between 1 and 10."));
    }
    let range =
        q.json_object("date_range")?.ok_or_else(|| param_error("date_range: Missing data for required field."))?;
    let day = |key: &str| {
        range
            .get(key)
            .and_then(Value::as_str)
            .and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
            .ok_or_else(|| param_error(format!("date_range.{key}: Not a valid date.")))
    };
    let (start, end) = (day("start_date")?, day("end_date")?);
    if end < start || (end - start).num_days() >= 30 {
        return Err(param_error("date_range: The time span must be between 1 and 30 days."));
    }
    let pixels = account.assets_of("pixel/list", advertiser);
    let mut list = Vec::new();
    for id in ids {
        if !pixels.iter().any(|p| p.id == id) {
            return refuse(Refusal::NotFound { what: "pixel", id });
        }
        let n = crate::data::mix(id.parse::<u64>().unwrap_or(0) ^ start.to_string().len() as u64) % 500;
        list.push(json!({"pixel_id": id, "statistics": [{
            "pixel_event_type": "COMPLETE_PAYMENT", "attributed_count": n / 2, "preview_count": 0,
            "total_count": n, "browser_event_total_count": n - n / 3, "server_event_total_count": n / 3,
        }]}));
    }
    Ok(json!({ "list": list }).into())
}

/// Objective types with the optimization goals an Instant Page supports for them.
const INSTANT_PAGE_GOALS: &[(&str, &[&str])] = &[
    ("WEB_CONVERSIONS", &["CONVERT", "VALUE", "CLICK", "TRAFFIC_LANDING_PAGE_VIEW"]),
    ("TRAFFIC", &["CLICK", "TRAFFIC_LANDING_PAGE_VIEW", "PAGE_VISIT"]),
    ("LEAD_GENERATION", &["LEAD_GENERATION", "PREFERRED_LEAD", "CLICK"]),
    ("ENGAGEMENT", &["FOLLOWERS", "PAGE_VISIT"]),
];
const OBJECTIVE_TYPES: &[&str] = &[
    "APP_PROMOTION",
    "WEB_CONVERSIONS",
    "REACH",
    "TRAFFIC",
    "VIDEO_VIEWS",
    "PRODUCT_SALES",
    "ENGAGEMENT",
    "LEAD_GENERATION",
    "RF_REACH",
    "TOPVIEW_REACH",
];

pub fn instant_page_events(call: &Call) -> Result<Served, ApiError> {
    let Call { query: q, config, .. } = *call;
    q.required("advertiser_id")?;
    if config.scenarios.instant_page_parameter_error {
        return Err(param_error("is_retargeting: Missing data for required field."));
    }
    let objective = q.required("objective_type")?;
    let goal = q.required("optimization_goal")?;
    if !OBJECTIVE_TYPES.contains(&objective) {
        return Err(param_error(format!("objective_type: Invalid enum value {objective}.")));
    }
    if let Some(r) = q.get("is_retargeting") {
        if r != "true" && r != "false" {
            return Err(param_error("is_retargeting: Not a valid boolean."));
        }
    }
    let supported =
        INSTANT_PAGE_GOALS.iter().find(|(o, _)| *o == objective).is_some_and(|(_, goals)| goals.contains(&goal));
    if !supported {
        return Err(param_error(format!("optimization_goal {goal} is not supported for objective_type {objective}.")));
    }
    Ok(json!({"list": [{
        "business_type": "TIKTOK_INSTANT_PAGE",
        "instant_page_events": {"objective_types": [{"objective_type": objective, "optimization_goals": [
            {"optimization_goal": goal, "optimization_events": ["BUTTON", "PAGE_VIEW"]}
        ]}]},
    }]})
    .into())
}
