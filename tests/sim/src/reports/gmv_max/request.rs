//! What `/gmv_max/report/get/` accepts (gmv-max-smart-plus.md §1.3–1.5): one store, a legal
//! dimension set, known metrics the dimensions take, a date span, a `filtering` object and
//! paging. Every refusal is 40002; wording not found in TikTok's material is marked invented.

use chrono::NaiveDate;
use serde_json::{Map, Value};

pub(super) use super::metrics::Grain;
use super::metrics::{check, Shape};
use crate::config::SimConfig;
use crate::data::ShoppingAdsType;
use crate::wire::{param_error, strings_in, ApiError, Query};

pub(super) struct GmvQuery {
    pub(super) advertiser: String,
    pub(super) store: String,
    pub(super) grain: Grain,
    /// The dimensions as asked, in the request's order (rows name them so).
    pub(super) dimensions: Vec<String>,
    pub(super) metrics: Vec<String>,
    pub(super) dates: (NaiveDate, NaiveDate),
    pub(super) filter: GmvFilter,
    pub(super) page: u64,
    pub(super) size: u64,
    pub(super) total_metrics: bool,
    /// The field to sort by and whether descending (`sort_type` DESC, the default).
    pub(super) sort: Option<(String, bool)>,
}

#[derive(Default)]
pub(super) struct GmvFilter {
    pub(super) kinds: Vec<ShoppingAdsType>,
    pub(super) campaign_ids: Option<Vec<String>>,
    pub(super) item_group_ids: Option<Vec<String>>,
    pub(super) item_ids: Option<Vec<String>>,
    pub(super) room_ids: Option<Vec<String>>,
    pub(super) campaign_statuses: Option<Vec<String>>,
    pub(super) campaign_name: Option<String>,
}

fn list_of(q: &Query, key: &str, max: usize) -> Result<Vec<String>, ApiError> {
    let items = q.strings(key)?.ok_or_else(|| param_error(format!("{key}: Missing data for required field.")))?;
    if items.is_empty() || items.len() > max {
        // Invented wording, in TikTok's "Length must be" style (SDK gives the bounds).
        return Err(param_error(format!("{key}: Length must be between 1 and {max}.")));
    }
    Ok(items)
}

pub(super) fn parse(q: &Query, config: &SimConfig) -> Result<GmvQuery, ApiError> {
    let advertiser = q.required("advertiser_id")?.to_string();
    // SDK `gmv_max_report_get.yml`: minItems = maxItems = 1; GO "max 1".
    let store = list_of(q, "store_ids", 1)?.remove(0);
    let dimensions = dimension_list(q, config)?;
    let (grain, ids, time) = grain_of(&dimensions)?;
    // SDK: ≤100; required (always sent, §1.3).
    let metrics = list_of(q, "metrics", 100)?;
    let dates = date_span(q, time)?;
    let filter = filtering(q)?;
    grain_needs(grain, &ids, &filter)?;
    let kind = match filter.kinds.as_slice() {
        [one] => Some(*one),
        _ => None,
    };
    check(&metrics, &Shape { grain, ids: &ids, hourly: time == Some("stat_time_hour"), kind })?;
    // SDK rule block: context_info is the gateway's. Invented wording.
    if q.get("context_info").is_some() {
        return Err(param_error("context_info: This field is filled by the gateway and must not be sent."));
    }
    // SDK: 1–1,000; at item level the readings row (§1.3) may lower it.
    let item_level = matches!(grain, Grain::Product | Grain::Creative | Grain::Room);
    let max = if item_level { config.readings.gmv_item_page_size_max.min(1000) as u64 } else { 1000 };
    let (page, size) = q.paging(10, max)?;
    let total_metrics = match q.get("enable_total_metrics") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(param_error("enable_total_metrics: Not a valid boolean.")),
    };
    let sort = sort(q, &dimensions, &metrics)?;
    Ok(GmvQuery { advertiser, store, grain, dimensions, metrics, dates, filter, page, size, total_metrics, sort })
}

/// `dimensions`: required, ≤3 (SDK `maxItems`) or 4 for DOC-NEW's creative group (the readings
/// row of §1.4), names from GO's list.
fn dimension_list(q: &Query, config: &SimConfig) -> Result<Vec<String>, ApiError> {
    let dims = q.strings("dimensions")?.ok_or_else(|| param_error("dimensions: Missing data for required field."))?;
    let max = if config.readings.gmv_three_dimensions_only { 3 } else { 4 };
    let four_ok = dims.len() == 4 && max == 4;
    if dims.is_empty() || (dims.len() > 3 && !four_ok) {
        // Invented wording; the SDK gives maxItems 3.
        return Err(param_error("dimensions: Length must be between 1 and 3."));
    }
    const KNOWN: &[&str] =
        &["advertiser_id", "campaign_id", "stat_time_day", "stat_time_hour", "item_group_id", "item_id", "room_id"];
    if let Some(unknown) = dims.iter().find(|d| !KNOWN.contains(&d.as_str())) {
        // Invented wording (GO's list also names `duration`, meaning unknown: refused here).
        return Err(param_error(format!("dimensions: Invalid dimension {unknown}.")));
    }
    Ok(dims)
}

/// The legal sets of §1.4 (AB, HG, 3P, DOC-NEW), in any order: the grain, the id dimensions
/// and the time dimension.
fn grain_of(dims: &[String]) -> Result<(Grain, Vec<String>, Option<&'static str>), ApiError> {
    let time = ["stat_time_day", "stat_time_hour"].into_iter().find(|t| dims.iter().any(|d| d == t));
    let ids: Vec<String> = dims.iter().filter(|d| !d.starts_with("stat_time_")).cloned().collect();
    let mut set: Vec<&str> = ids.iter().map(String::as_str).collect();
    set.sort_unstable();
    let times = dims.len() - ids.len();
    let grain = match (set.as_slice(), time) {
        _ if times != 1 => None,
        (["advertiser_id"], _) => Some(Grain::Advertiser),
        (["campaign_id"], _) => Some(Grain::Campaign),
        (["item_group_id"] | ["campaign_id", "item_group_id"], Some("stat_time_day")) => Some(Grain::Product),
        (["campaign_id", "item_group_id", "item_id"] | ["item_id"], Some("stat_time_day")) => Some(Grain::Creative),
        (["room_id"] | ["campaign_id", "room_id"], Some("stat_time_day")) => Some(Grain::Room),
        _ => None,
    };
    // Invented wording.
    let grain = grain
        .ok_or_else(|| param_error(format!("dimensions: The combination [{}] is not supported.", dims.join(", "))))?;
    Ok((grain, ids, time))
}

/// `start_date`, `end_date`: `YYYY-MM-DD`, in order, spanning ≤30 days with `stat_time_day`,
/// 1 with `stat_time_hour`, ≤365 without a time dimension (GO; SDK).
fn date_span(q: &Query, time: Option<&str>) -> Result<(NaiveDate, NaiveDate), ApiError> {
    let (start, end) = q.date_range()?;
    let max = match time {
        Some("stat_time_day") => 30,
        Some(_) => 1,
        None => 365,
    };
    if (end - start).num_days() + 1 > max {
        // Invented wording (open point 3: TikTok's text is not known).
        return Err(param_error(format!(
            "The time span between start_date and end_date must not exceed {max} day{} for these dimensions.",
            if max == 1 { "" } else { "s" }
        )));
    }
    Ok((start, end))
}

const FILTERS: &[&str] = &[
    "gmv_max_promotion_types",
    "campaign_ids",
    "item_group_ids",
    "item_ids",
    "room_ids",
    "campaign_name",
    "search_word",
    "campaign_statuses",
    "creative_types",
    "creative_delivery_statuses",
];

/// One list of `filtering`: an array of 1..=`max` strings, each of `allowed` when given. The
/// 3P wording for the count ("filtering: campaign_ids: maximum number of items is 100").
fn filter_list(
    filtering: &Map<String, Value>,
    key: &str,
    max: usize,
    allowed: Option<&[&str]>,
) -> Result<Option<Vec<String>>, ApiError> {
    let Some(value) = filtering.get(key) else { return Ok(None) };
    let Value::Array(items) = value else {
        return Err(param_error(format!("filtering: {key}: Field must be set to array")));
    };
    let items = strings_in(items, &format!("filtering: {key}"))?;
    if items.is_empty() {
        // Invented wording, mirroring 3P's maximum (§1.5: never send []).
        return Err(param_error(format!("filtering: {key}: minimum number of items is 1")));
    }
    if items.len() > max {
        return Err(param_error(format!("filtering: {key}: maximum number of items is {max}")));
    }
    if let Some(bad) = allowed.and_then(|a| items.iter().find(|v| !a.contains(&v.as_str()))) {
        // Invented wording.
        return Err(param_error(format!("filtering: {key}: Invalid enum value {bad}")));
    }
    Ok(Some(items))
}

/// `filtering`: a JSON object (SDK; 3P's words for an array), its keys known (§1.5).
fn filtering(q: &Query) -> Result<GmvFilter, ApiError> {
    let Some(raw) = q.get("filtering") else {
        return Ok(GmvFilter { kinds: vec![ShoppingAdsType::Product, ShoppingAdsType::Live], ..Default::default() });
    };
    let Ok(Value::Object(f)) = serde_json::from_str::<Value>(raw) else {
        return Err(param_error("filtering: Field must be set to object"));
    };
    if let Some(unknown) = f.keys().find(|k| !FILTERS.contains(&k.as_str())) {
        // Invented wording.
        return Err(param_error(format!("filtering: {unknown}: Unknown field.")));
    }
    // SDK; GO: ≤2 of PRODUCT, LIVE (the campaign list's names are refused).
    let kinds = filter_list(&f, "gmv_max_promotion_types", 2, Some(&["PRODUCT", "LIVE"]))?
        .map(|names| {
            let mut kinds = Vec::new();
            for (name, kind) in [("PRODUCT", ShoppingAdsType::Product), ("LIVE", ShoppingAdsType::Live)] {
                if names.iter().any(|n| n == name) {
                    kinds.push(kind);
                }
            }
            kinds
        })
        .unwrap_or_else(|| vec![ShoppingAdsType::Product, ShoppingAdsType::Live]);
    // SDK: the four statuses (GO's STATUS_ALL is not in the SDK enum).
    let statuses = ["STATUS_DELIVERY_OK", "STATUS_DISABLE", "STATUS_DELETE", "STATUS_NOT_DELIVERY"];
    // SDK; GO: creative filters, validated but not applied (§1.5 readings: do not filter on them).
    filter_list(&f, "creative_types", 1, Some(&["ADS_AND_ORGANIC", "ORGANIC", "REMOVED"]))?;
    filter_list(&f, "creative_delivery_statuses", 9, None)?;
    let text = |key: &str| match f.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.to_lowercase())),
        Some(_) => Err(param_error(format!("filtering: {key}: Not a valid string."))),
    };
    text("search_word")?;
    Ok(GmvFilter {
        kinds,
        // SDK; GO: ≤100 each.
        campaign_ids: filter_list(&f, "campaign_ids", 100, None)?,
        item_group_ids: filter_list(&f, "item_group_ids", 100, None)?,
        item_ids: filter_list(&f, "item_ids", 100, None)?,
        room_ids: filter_list(&f, "room_ids", 100, None)?,
        campaign_statuses: filter_list(&f, "campaign_statuses", 4, Some(&statuses))?,
        campaign_name: text("campaign_name")?,
    })
}

/// The filters a grain needs (§1.4): one promotion type at campaign grain (AB, HG); campaign
/// ids below it (3P), exactly one (and one product) when it is the only id dimension.
fn grain_needs(grain: Grain, ids: &[String], f: &GmvFilter) -> Result<(), ApiError> {
    let campaigns = f.campaign_ids.as_ref().map_or(0, Vec::len);
    let alone = ids.len() == 1;
    match grain {
        Grain::Advertiser => Ok(()),
        // Invented wording.
        Grain::Campaign if f.kinds.len() != 1 => Err(param_error(
            "filtering: gmv_max_promotion_types: a campaign level report must have exactly 1 promotion type (PRODUCT or LIVE).",
        )),
        Grain::Campaign => Ok(()),
        // 3P's wording.
        _ if campaigns == 0 => Err(param_error("Item level report must have at least 1 campaign ID")),
        // Invented wording.
        _ if alone && campaigns != 1 => Err(param_error(format!(
            "filtering: campaign_ids: exactly 1 campaign ID is required when {} is the only ID dimension",
            ids[0]
        ))),
        Grain::Creative if alone && f.item_group_ids.as_ref().map_or(0, Vec::len) != 1 => Err(param_error(
            // Invented wording.
            "filtering: item_group_ids: exactly 1 item group ID is required when item_id is the only ID dimension",
        )),
        _ => Ok(()),
    }
}

/// `sort_field` (a requested dimension or metric) and `sort_type` ASC/DESC, default DESC (SDK;
/// GO). Invented wording.
fn sort(q: &Query, dimensions: &[String], metrics: &[String]) -> Result<Option<(String, bool)>, ApiError> {
    let descending = match q.get("sort_type") {
        None | Some("DESC") => true,
        Some("ASC") => false,
        Some(other) => return Err(param_error(format!("sort_type: Invalid enum value {other}."))),
    };
    let Some(field) = q.get("sort_field") else { return Ok(None) };
    if !dimensions.iter().chain(metrics).any(|d| d == field) {
        return Err(param_error(format!("sort_field: {field} is not among the requested dimensions and metrics.")));
    }
    Ok(Some((field.to_string(), descending)))
}
