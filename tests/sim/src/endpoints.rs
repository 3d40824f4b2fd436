//! The v1.3 endpoints the simulator serves, each as strict as the real API about its
//! parameters (see shared/docs/tiktok-api.md §9).

use chrono::NaiveDateTime;
use serde_json::{json, Map, Value};

use crate::data::{Account, Entity, Level};
use crate::wire::{api_error, page_of, param_error, ApiError, Query, Served};
use crate::SimConfig;

pub fn is_post(endpoint: &str) -> bool {
    matches!(endpoint, "report/task/create" | "report/task/cancel")
}

const ENDPOINTS: &[&str] = &[
    "oauth2/advertiser/get", "advertiser/info", "campaign/get", "adgroup/get", "ad/get", "report/integrated/get",
    "dmp/custom_audience/list", "file/image/ad/search", "file/video/ad/search", "file/music/get",
    "creative/portfolio/list", "tt_video/list", "pixel/list", "pixel/event/stats", "pixel/instant_page/event",
    "report/task/create", "report/task/check", "report/task/download", "report/task/cancel",
];

pub fn exists(endpoint: &str) -> bool {
    ENDPOINTS.contains(&endpoint)
}

pub fn serve(endpoint: &str, q: &Query, account: &Account, config: &SimConfig, sandbox: bool, reports: &crate::reports::ReportState) -> Result<Served, ApiError> {
    if let Some(adv) = q.get("advertiser_id") {
        authorize(adv, endpoint, account, config, sandbox)?;
    }
    if endpoint == "report/integrated/get" {
        let (data, headers) = crate::reports::serve(q, account, config, reports)?;
        return Ok(Served { data, headers, raw: None });
    }
    if endpoint.starts_with("report/task/") {
        return crate::reports::serve_task(endpoint, q, account, config, reports);
    }
    match endpoint {
        "oauth2/advertiser/get" => advertiser_get(q, account, config, sandbox),
        "advertiser/info" => advertiser_info(q, account, config, sandbox),
        "campaign/get" => entity_get(q, account, Level::Campaign),
        "adgroup/get" => entity_get(q, account, Level::AdGroup),
        "ad/get" => entity_get(q, account, Level::Ad),
        "pixel/event/stats" => pixel_event_stats(q, account),
        "pixel/instant_page/event" => instant_page_events(q, config),
        e if asset_list(e).is_some() => asset_get(e, q, account),
        _ => Err(api_error(40400, "Route not found")),
    }
    .map(Served::from)
}

/// The advertisers a token may read: all of them, or the sandbox's single one.
fn authorized_ids(account: &Account, sandbox: bool) -> Vec<&str> {
    let ids = account.advertisers.iter().map(|a| a.id.as_str());
    if sandbox { ids.take(1).collect() } else { ids.collect() }
}

fn authorize(adv: &str, endpoint: &str, account: &Account, config: &SimConfig, sandbox: bool) -> Result<(), ApiError> {
    if adv.is_empty() || !adv.chars().all(|c| c.is_ascii_digit()) {
        return Err(param_error("advertiser_id: Not a valid int."));
    }
    if !authorized_ids(account, sandbox).contains(&adv) {
        return Err(api_error(40001, format!("No permission to operate advertiser {adv}.")));
    }
    if config.permission_denied.iter().any(|(a, e)| a == adv && e == endpoint) {
        return Err(api_error(40001, format!("advertiser does not grant you /{endpoint}/:GET permission")));
    }
    Ok(())
}

fn advertiser_get(q: &Query, account: &Account, config: &SimConfig, sandbox: bool) -> Result<Value, ApiError> {
    let app_id = q.required("app_id")?;
    let secret = q.required("secret")?;
    if sandbox {
        return Err(api_error(40008, "This interface is not supported in the sandbox environment."));
    }
    if app_id != config.app_id || secret != config.secret {
        return Err(api_error(
            40000,
            "The app_id is inconsistent with the token's app information. Please retry after correcting it.",
        ));
    }
    let list: Vec<Value> = account
        .advertisers
        .iter()
        .map(|a| json!({"advertiser_id": a.id, "advertiser_name": a.name}))
        .collect();
    Ok(json!({ "list": list }))
}

fn advertiser_info(q: &Query, account: &Account, config: &SimConfig, sandbox: bool) -> Result<Value, ApiError> {
    let ids = q.json_array("advertiser_ids")?.ok_or_else(|| param_error("advertiser_ids: Missing data for required field."))?;
    if ids.is_empty() || ids.len() > 100 {
        return Err(param_error("advertiser_ids: Length must be between 1 and 100."));
    }
    let fields = string_list(q, "fields")?;
    let authorized = authorized_ids(account, sandbox);
    let mut list = Vec::new();
    for id in &ids {
        let id = id.as_str().ok_or_else(|| param_error("advertiser_ids: Not a valid string."))?;
        // One advertiser the token may not read fails the whole batch.
        let denied = config.permission_denied.iter().any(|(a, e)| a == id && e == "advertiser/info");
        if !authorized.contains(&id) || denied {
            return Err(api_error(40001, format!("No permission to operate advertiser {id}.")));
        }
        let adv = account.advertisers.iter().find(|a| a.id == id).expect("authorized ids exist");
        list.push(project(&adv.info, fields.as_deref(), false));
    }
    Ok(json!({ "list": list }))
}

fn string_list(q: &Query, key: &str) -> Result<Option<Vec<String>>, ApiError> {
    match q.json_array(key)? {
        None => Ok(None),
        Some(items) => items
            .into_iter()
            .map(|v| v.as_str().map(str::to_string).ok_or_else(|| param_error(format!("{key}: Not a valid string."))))
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
    }
}

/// `fields` projection and `exclude_field_types_in_response=["NULL_FIELD"]`.
fn project(object: &Value, fields: Option<&[String]>, drop_nulls: bool) -> Value {
    let Value::Object(map) = object else { return object.clone() };
    let kept: Map<String, Value> = map
        .iter()
        .filter(|(k, _)| fields.is_none_or(|f| f.iter().any(|name| name == *k)))
        .filter(|(_, v)| !(drop_nulls && v.is_null()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Value::Object(kept)
}

fn level_prefix(level: Level) -> &'static str {
    match level {
        Level::Campaign => "CAMPAIGN",
        Level::AdGroup => "ADGROUP",
        Level::Ad => "AD",
    }
}

fn allowed_filters(level: Level) -> &'static [&'static str] {
    const COMMON: &[&str] = &[
        "campaign_ids", "campaign_name", "campaign_system_origins", "primary_status", "secondary_status",
        "objective_type", "buying_types", "optimization_goal", "creation_filter_start_time",
        "creation_filter_end_time", "split_test_enabled", "campaign_automation_type",
        "is_smart_performance_campaign", "sales_destination", "campaign_type", "campaign_product_source",
        "creative_campaign_type",
    ];
    const ADGROUP: &[&str] = &[
        "campaign_ids", "adgroup_ids", "adgroup_name", "campaign_system_origins", "primary_status",
        "secondary_status", "objective_type", "buying_types", "optimization_goal", "promotion_type",
        "bid_strategy", "creative_material_mode", "billing_events", "creation_filter_start_time",
        "creation_filter_end_time", "split_test_enabled", "campaign_automation_type",
    ];
    const AD: &[&str] = &[
        "campaign_ids", "adgroup_ids", "ad_ids", "ad_name", "campaign_system_origins", "primary_status",
        "secondary_status", "objective_type", "buying_types", "optimization_goal", "creative_material_mode",
        "destination", "creation_filter_start_time", "creation_filter_end_time", "modified_after",
        "campaign_automation_type",
    ];
    match level {
        Level::Campaign => COMMON,
        Level::AdGroup => ADGROUP,
        Level::Ad => AD,
    }
}

/// Which deleted-ness a filter asks for: not deleted (the default), deleted only, or all.
#[derive(Clone, Copy, PartialEq)]
enum Deleted {
    Exclude,
    Only,
    Include,
}

fn parse_time(key: &str, v: &Value) -> Result<NaiveDateTime, ApiError> {
    v.as_str()
        .and_then(|s| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").ok())
        .ok_or_else(|| param_error(format!("{key}: Not a valid datetime, use the format YYYY-MM-DD HH:MM:SS.")))
}

fn time_of(fields: &Value, key: &str) -> Option<NaiveDateTime> {
    fields[key].as_str().and_then(|t| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S").ok())
}

/// `creation_filter_start_time` / `creation_filter_end_time`: both or neither, the start not
/// after the end, and (DOC-CAMP: "keep the range within 6 months") at most 180 days apart.
fn creation_range(filtering: &Map<String, Value>) -> Result<Option<(NaiveDateTime, NaiveDateTime)>, ApiError> {
    let start = filtering.get("creation_filter_start_time").map(|v| parse_time("filtering.creation_filter_start_time", v)).transpose()?;
    let end = filtering.get("creation_filter_end_time").map(|v| parse_time("filtering.creation_filter_end_time", v)).transpose()?;
    match (start, end) {
        (None, None) => Ok(None),
        (Some(start), Some(end)) if start > end => Err(param_error("filtering.creation_filter_start_time: must not be later than creation_filter_end_time.")),
        (Some(start), Some(end)) if end - start > chrono::Duration::days(180) => {
            Err(param_error("filtering: the creation time range must be within 6 months."))
        }
        (Some(start), Some(end)) => Ok(Some((start, end))),
        _ => Err(param_error("filtering: creation_filter_start_time and creation_filter_end_time must be set together.")),
    }
}

fn id_filter(filtering: &Map<String, Value>, key: &str) -> Result<Option<Vec<String>>, ApiError> {
    match filtering.get(key) {
        None => Ok(None),
        Some(Value::Array(items)) if items.len() <= 100 => items
            .iter()
            .map(|v| v.as_str().map(str::to_string).ok_or_else(|| param_error(format!("filtering.{key}: Not a valid string."))))
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(Value::Array(_)) => Err(param_error(format!("filtering.{key}: Length must be between 0 and 100."))),
        Some(_) => Err(param_error(format!("filtering.{key}: Field must be set to array"))),
    }
}

/// `buying_types`: by default `["AUCTION", "RESERVATION_RF"]`, which leaves TopView objects
/// out; `["RESERVATION_TOP_VIEW"]`, alone, lists them and only them (DOC-CAMP).
fn topview_filter(filtering: &Map<String, Value>) -> Result<bool, ApiError> {
    let Some(value) = filtering.get("buying_types") else { return Ok(false) };
    let types: Vec<&str> = match value.as_array() {
        Some(items) => items.iter().map(|v| v.as_str().unwrap_or("")).collect(),
        None => return Err(param_error("filtering.buying_types: Field must be set to array")),
    };
    if let Some(bad) = types.iter().find(|t| !["AUCTION", "RESERVATION_RF", "RESERVATION_TOP_VIEW"].contains(t)) {
        return Err(param_error(format!("filtering.buying_types: Invalid enum value {bad}.")));
    }
    let topview = types.contains(&"RESERVATION_TOP_VIEW");
    if topview && types.len() > 1 {
        return Err(param_error("filtering.buying_types: RESERVATION_TOP_VIEW cannot be combined with other buying types."));
    }
    Ok(topview)
}

fn entity_get(q: &Query, account: &Account, level: Level) -> Result<Value, ApiError> {
    let advertiser = q.required("advertiser_id")?;
    let (page, size) = q.paging(10, 1000)?;
    let fields = string_list(q, "fields")?;
    let drop_nulls = match string_list(q, "exclude_field_types_in_response")? {
        None => false,
        Some(types) if types.iter().all(|t| t == "NULL_FIELD") => true,
        Some(_) => return Err(param_error("exclude_field_types_in_response: Must be one of: NULL_FIELD.")),
    };
    let filtering = q.json_object("filtering")?.unwrap_or_default();
    let allowed = allowed_filters(level);
    if let Some(unknown) = filtering.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(param_error(format!("filtering.{unknown}: Unknown field.")));
    }
    let prefix = level_prefix(level);
    let mut deleted = Deleted::Exclude;
    let mut secondary: Option<String> = None;
    if let Some(v) = filtering.get("primary_status") {
        deleted = match v.as_str() {
            Some("STATUS_ALL") => Deleted::Include,
            Some("STATUS_DELETE") => Deleted::Only,
            Some("STATUS_NOT_DELETE") | Some("STATUS_DELIVERY_OK") | Some("STATUS_DISABLE") => Deleted::Exclude,
            _ => return Err(param_error("filtering.primary_status: Invalid enum value.")),
        };
    }
    if let Some(v) = filtering.get("secondary_status") {
        let s = v.as_str().ok_or_else(|| param_error("filtering.secondary_status: Not a valid string."))?;
        if !s.starts_with(&format!("{prefix}_STATUS_")) && !(level != Level::Campaign && s.starts_with("ADGROUP_STATUS_")) {
            return Err(param_error(format!("filtering.secondary_status: Invalid enum value {s}.")));
        }
        if s == format!("{prefix}_STATUS_ALL") {
            deleted = Deleted::Include;
        } else if s == format!("{prefix}_STATUS_DELETE") {
            deleted = Deleted::Only;
        } else if s != format!("{prefix}_STATUS_NOT_DELETE") {
            secondary = Some(s.to_string());
        }
    }
    let modified_after = filtering.get("modified_after").map(|v| parse_time("filtering.modified_after", v)).transpose()?;
    let created = creation_range(&filtering)?;
    let campaign_ids = id_filter(&filtering, "campaign_ids")?;
    let adgroup_ids = id_filter(&filtering, "adgroup_ids")?;
    let ad_ids = id_filter(&filtering, "ad_ids")?;
    let topview = topview_filter(&filtering)?;
    if topview && level == Level::AdGroup && size > 100 {
        return Err(param_error("page_size: page_size must be between 1 and 100 when buying_types is RESERVATION_TOP_VIEW."));
    }

    let mut matching: Vec<&Entity> = account
        .entities
        .iter()
        .filter(|e| e.level == level && e.advertiser_id == advertiser && e.topview == topview)
        .filter(|e| match deleted {
            Deleted::Exclude => !e.deleted,
            Deleted::Only => e.deleted,
            Deleted::Include => true,
        })
        .filter(|e| secondary.as_ref().is_none_or(|s| e.fields["secondary_status"].as_str() == Some(s)))
        .filter(|e| campaign_ids.as_ref().is_none_or(|ids| ids.contains(&e.campaign_id)))
        .filter(|e| adgroup_ids.as_ref().is_none_or(|ids| e.adgroup_id.as_ref().is_some_and(|g| ids.contains(g))))
        .filter(|e| ad_ids.as_ref().is_none_or(|ids| level == Level::Ad && ids.contains(&e.id)))
        // An object without modify_time (Smart+ ads) never passes modified_after.
        .filter(|e| modified_after.is_none_or(|after| time_of(&e.fields, "modify_time").is_some_and(|t| t > after)))
        .filter(|e| created.is_none_or(|(start, end)| time_of(&e.fields, "create_time").is_some_and(|t| start <= t && t <= end)))
        .collect();
    // TikTok lists newest ids first.
    matching.sort_by(|a, b| b.id.len().cmp(&a.id.len()).then_with(|| b.id.cmp(&a.id)));
    let items: Vec<Value> = matching.into_iter().map(|e| project(&e.fields, fields.as_deref(), drop_nulls)).collect();
    Ok(page_of(&items, "list", page, size))
}

/// Page size (default, maximum) and list key of the asset list endpoints.
fn asset_list(endpoint: &str) -> Option<(u64, u64, &'static str)> {
    Some(match endpoint {
        "dmp/custom_audience/list" => (10, 100, "list"),
        "file/image/ad/search" => (20, 100, "list"),
        // The SDK documents 100, newer clients 1000; accept the larger.
        "file/video/ad/search" => (20, 1000, "list"),
        "file/music/get" => (1000, 1000, "musics"),
        "creative/portfolio/list" => (20, 100, "creative_portfolios"),
        "tt_video/list" => (20, 50, "list"),
        "pixel/list" => (10, 20, "pixels"),
        _ => return None,
    })
}

/// Id lists the asset lists take in `filtering`, each of at most 100 ids (tiktok-api.md
/// §3.9-3.12; video `material_ids`: 100 per the SDK, 20 per GO, so the larger).
const ASSET_ID_FILTERS: &[(&str, &[&str])] = &[
    ("file/image/ad/search", &["image_ids", "material_ids"]),
    ("file/video/ad/search", &["video_ids", "material_ids"]),
    ("file/music/get", &["music_ids", "material_ids"]),
    ("creative/portfolio/list", &["creative_portfolio_ids"]),
];

pub fn asset_get(endpoint: &str, q: &Query, account: &Account) -> Result<Value, ApiError> {
    let (default_size, max_size, list_key) = asset_list(endpoint).expect("routed asset endpoints");
    let advertiser = q.required("advertiser_id")?;
    let (page, size) = q.paging(default_size, max_size)?;
    if endpoint == "file/music/get" && page * size > 100_000 {
        return Err(param_error("page * page_size must not exceed 100000."));
    }
    let filtering = q.json_object("filtering")?.unwrap_or_default();
    for (_, keys) in ASSET_ID_FILTERS.iter().filter(|(e, _)| *e == endpoint) {
        for key in *keys {
            id_filter(&filtering, key)?;
        }
    }
    if endpoint == "dmp/custom_audience/list" {
        if let Some(ids) = string_list(q, "custom_audience_ids")? {
            if ids.is_empty() || ids.len() > 100 {
                return Err(param_error("custom_audience_ids: Length must be between 1 and 100."));
            }
        }
    }
    if endpoint == "tt_video/list" {
        if let Some(types) = string_list(q, "item_types")? {
            if types.iter().any(|t| t != "VIDEO" && t != "CAROUSEL") {
                return Err(param_error("item_types: Invalid enum value."));
            }
        }
    }
    let mut items: Vec<Value> = account.assets_of(endpoint, advertiser).into_iter().map(|a| a.fields.clone()).collect();
    if endpoint == "file/image/ad/search" {
        // Only the first 10,000 images are listed (DOC-IMG, tiktok-api.md §3.9): the list, and
        // page_info, end there.
        items.truncate(10_000);
    }
    Ok(page_of(&items, list_key, page, size))
}

pub fn pixel_event_stats(q: &Query, account: &Account) -> Result<Value, ApiError> {
    let advertiser = q.required("advertiser_id")?;
    let ids = string_list(q, "pixel_ids")?.ok_or_else(|| param_error("pixel_ids: Missing data for required field."))?;
    if ids.is_empty() || ids.len() > 10 {
        return Err(param_error("pixel_ids: Length must be between 1 and 10."));
    }
    let range = q.json_object("date_range")?.ok_or_else(|| param_error("date_range: Missing data for required field."))?;
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
            return Err(api_error(40007, format!("The pixel {id} does not exist.")));
        }
        let n = crate::data::mix(id.parse::<u64>().unwrap_or(0) ^ start.to_string().len() as u64) % 500;
        list.push(json!({"pixel_id": id, "statistics": [{
            "pixel_event_type": "COMPLETE_PAYMENT", "attributed_count": n / 2, "preview_count": 0,
            "total_count": n, "browser_event_total_count": n - n / 3, "server_event_total_count": n / 3,
        }]}));
    }
    Ok(json!({ "list": list }))
}

/// Objective types with the optimization goals an Instant Page supports for them.
const INSTANT_PAGE_GOALS: &[(&str, &[&str])] = &[
    ("WEB_CONVERSIONS", &["CONVERT", "VALUE", "CLICK", "TRAFFIC_LANDING_PAGE_VIEW"]),
    ("TRAFFIC", &["CLICK", "TRAFFIC_LANDING_PAGE_VIEW", "PAGE_VISIT"]),
    ("LEAD_GENERATION", &["LEAD_GENERATION", "PREFERRED_LEAD", "CLICK"]),
    ("ENGAGEMENT", &["FOLLOWERS", "PAGE_VISIT"]),
];
const OBJECTIVE_TYPES: &[&str] = &[
    "APP_PROMOTION", "WEB_CONVERSIONS", "REACH", "TRAFFIC", "VIDEO_VIEWS", "PRODUCT_SALES", "ENGAGEMENT",
    "LEAD_GENERATION", "RF_REACH", "TOPVIEW_REACH",
];

pub fn instant_page_events(q: &Query, config: &SimConfig) -> Result<Value, ApiError> {
    q.required("advertiser_id")?;
    if config.instant_page_parameter_error {
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
    let supported = INSTANT_PAGE_GOALS.iter().find(|(o, _)| *o == objective).is_some_and(|(_, goals)| goals.contains(&goal));
    if !supported {
        return Err(param_error(format!("optimization_goal {goal} is not supported for objective_type {objective}.")));
    }
    Ok(json!({"list": [{
        "business_type": "TIKTOK_INSTANT_PAGE",
        "instant_page_events": {"objective_types": [{"objective_type": objective, "optimization_goals": [
            {"optimization_goal": goal, "optimization_events": ["BUTTON", "PAGE_VIEW"]}
        ]}]},
    }]}))
}
