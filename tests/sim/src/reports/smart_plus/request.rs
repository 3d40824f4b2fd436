//! What a Smart+ material report may ask (gmv-max-smart-plus.md §2.4; SDK
//! `smart_plus_material_report_{overview,breakdown}.yml`; GO `model/report/smartplus/marterial_report.go`).

use chrono::NaiveDate;
use serde_json::{Map, Value};

use crate::wire::{param_error, strings_in, ApiError, Query};

/// Overview dimensions: exactly 2, no time (SDK `minItems`/`maxItems` 2; GO).
const OVERVIEW_DIMENSIONS: &[&str] = &[
    "advertiser_id",
    "campaign_id",
    "adgroup_id",
    "smart_plus_ad_id",
    "main_material_id",
    "ad_text_entity_id",
    "call_to_action_entity_id",
    "interactive_add_on_entity_id",
];
/// Breakdown dimensions: 1–5 (SDK; GO). The SDK enum flags the id dimensions invalid.
const BREAKDOWN_DIMENSIONS: &[&str] = &[
    "main_material_id",
    "ad_text_entity_id",
    "call_to_action_entity_id",
    "interactive_add_on_entity_id",
    "stat_time_day",
    "stat_time_hour",
    "stat_time_week",
    "stat_time_month",
];
pub(super) const TIME_DIMENSIONS: &[&str] = &["stat_time_day", "stat_time_hour", "stat_time_week", "stat_time_month"];
/// Status attributes: the breakdown's SDK enum flags them invalid (§2.4).
pub(super) const STATUS_ATTRIBUTES: &[&str] =
    &["ad_material_id", "material_primary_status", "material_second_status_list", "operation_status"];
/// Other attribute metrics (GO): text labels of the row's dimensions.
pub(super) const LABEL_ATTRIBUTES: &[&str] = &[
    "multi_name",
    "main_material_name",
    "ad_text",
    "call_to_action",
    "interactive_add_on_name",
    "interactive_add_on_id",
];
/// The id filters, ≤200 each and mutually exclusive (SDK `maxItems` 200; GO).
const SCOPE_FILTERS: &[&str] = &["campaign_ids", "adgroup_ids", "smart_plus_ad_ids"];
/// The entity filters, ≤400 together (SDK; GO).
pub(super) const ENTITY_FILTERS: &[&str] =
    &["main_material_ids", "ad_text_entity_ids", "call_to_action_entity_ids", "interactive_add_on_entity_ids"];

pub(super) struct MaterialQuery {
    pub(super) dimensions: Vec<String>,
    pub(super) metrics: Vec<String>,
    /// Inclusive dates; None for lifetime.
    pub(super) dates: Option<(NaiveDate, NaiveDate)>,
    /// (filter, ids) of the one scope filter, if any.
    pub(super) scope: Option<(String, Vec<String>)>,
    /// (filter, ids) of each entity filter.
    pub(super) entities: Vec<(String, Vec<String>)>,
    pub(super) page: (u64, u64),
    pub(super) sort_field: String,
    pub(super) descending: bool,
}

pub(super) fn parse(q: &Query, overview: bool) -> Result<MaterialQuery, ApiError> {
    q.required("advertiser_id")?;
    let dimensions = dimensions(q, overview)?;
    let metrics = q.strings("metrics")?.unwrap_or_else(|| vec!["spend".into(), "impressions".into()]);
    for m in &metrics {
        let status = STATUS_ATTRIBUTES.contains(&m.as_str());
        let basic = crate::metrics::find(m).is_some_and(|(kind, at)| {
            kind != crate::metrics::Kind::T
                && !matches!(at, crate::metrics::Where::AdvertiserDaily | crate::metrics::Where::BasicIdAndDay)
        });
        // SDK `SppReportMetrics`: basic-report metrics; statuses flagged invalid on the breakdown.
        if !(basic || LABEL_ATTRIBUTES.contains(&m.as_str()) || (status && overview)) {
            return Err(param_error(format!(
                "Please correct the information in invalid metric fields and try again. Invalid metric fields: ['{m}']."
            )));
        }
    }
    let dates = dates(q, overview, &dimensions)?;
    let (scope, entities) = filtering(q)?;
    let page = q.paging(10, 100)?; // SDK: page ≥1, page_size 1–100 (default 10)
    let sort_field = q.get("sort_field").unwrap_or("spend").to_string();
    let descending = match q.get("sort_type") {
        None | Some("DESC") => true,
        Some("ASC") => false,
        Some(other) => return Err(param_error(format!("sort_type: Invalid enum value {other}."))),
    };
    Ok(MaterialQuery { dimensions, metrics, dates, scope, entities, page, sort_field, descending })
}

fn dimensions(q: &Query, overview: bool) -> Result<Vec<String>, ApiError> {
    let dims = q.strings("dimensions")?.ok_or_else(|| param_error("dimensions: Missing data for required field."))?;
    let allowed = if overview { OVERVIEW_DIMENSIONS } else { BREAKDOWN_DIMENSIONS };
    if let Some(bad) = dims.iter().find(|d| !allowed.contains(&d.as_str())) {
        return Err(param_error(format!("dimensions: Invalid enum value {bad}.")));
    }
    let (low, high) = if overview { (2, 2) } else { (1, 5) };
    if dims.len() < low || dims.len() > high {
        return Err(param_error(format!("dimensions: Length must be between {low} and {high}.")));
    }
    if (1..dims.len()).any(|i| dims[..i].contains(&dims[i])) {
        return Err(param_error("dimensions: Duplicate values are not allowed."));
        // invented wording
    }
    if dims.iter().filter(|d| TIME_DIMENSIONS.contains(&d.as_str())).count() > 1 {
        return Err(param_error("dimensions: Only one time dimension is allowed."));
        // invented wording
    }
    Ok(dims)
}

/// `query_lifetime` (overview only) or `start_date`/`end_date`, ≤365 days (GO); an hourly
/// breakdown ≤1 day (this simulator's choice: no source states it, open point 11).
fn dates(q: &Query, overview: bool, dims: &[String]) -> Result<Option<(NaiveDate, NaiveDate)>, ApiError> {
    match q.get("query_lifetime") {
        None | Some("false") => {}
        Some("true") if overview => return Ok(None),
        Some("true") => {
            return Err(param_error("query_lifetime: Lifetime queries are not supported by the breakdown report."))
        } // invented wording
        Some(_) => return Err(param_error("query_lifetime: Not a valid boolean.")),
    }
    let (start, end) = q.date_range()?;
    let max = if dims.iter().any(|d| d == "stat_time_hour") { 1 } else { 365 };
    if (end - start).num_days() + 1 > max {
        return Err(param_error(format!(
            "The time span between start_date and end_date must not exceed {max} day{} for this query.",
            if max == 1 { "" } else { "s" }
        )));
    }
    Ok(Some((start, end)))
}

type Filtering = (Option<(String, Vec<String>)>, Vec<(String, Vec<String>)>);

/// `filtering`: one scope filter at most, every list non-empty (SDK `minItems` 1).
fn filtering(q: &Query) -> Result<Filtering, ApiError> {
    let filtering: Map<String, Value> = q.json_object("filtering")?.unwrap_or_default();
    let mut scope = None;
    let mut entities = Vec::new();
    let mut entity_count = 0;
    for (key, value) in &filtering {
        let items =
            value.as_array().ok_or_else(|| param_error(format!("filtering.{key}: Field must be set to array")))?;
        let ids = strings_in(items, &format!("filtering.{key}"))?;
        if ids.is_empty() {
            return Err(param_error(format!("filtering.{key}: Length must be at least 1.")));
            // invented wording
        }
        if SCOPE_FILTERS.contains(&key.as_str()) {
            if ids.len() > 200 {
                return Err(param_error(format!("filtering.{key}: Length must be between 1 and 200.")));
            }
            if let Some((other, _)) = &scope {
                // GO; SDK: the three are mutually exclusive. invented wording
                return Err(param_error(format!("filtering: {other} and {key} cannot be used together.")));
            }
            scope = Some((key.clone(), ids));
        } else if ENTITY_FILTERS.contains(&key.as_str()) {
            entity_count += ids.len();
            entities.push((key.clone(), ids));
        } else if key != "main_material_types" {
            return Err(param_error(format!("filtering.{key}: Unknown field.")));
        } else if ids.len() > 9 {
            return Err(param_error("filtering.main_material_types: Length must be between 1 and 9."));
        }
    }
    if entity_count > 400 {
        // SDK; GO: the entity filters together ≤400. invented wording
        return Err(param_error("filtering: main_material_ids, ad_text_entity_ids, call_to_action_entity_ids and interactive_add_on_entity_ids together must not exceed 400 ids."));
    }
    let types = filtering.get("main_material_types").and_then(Value::as_array).map_or(0, Vec::len);
    if filtering.contains_key("main_material_ids") && types != 1 {
        // GO: main_material_ids needs exactly one main_material_types value. invented wording
        return Err(param_error(
            "filtering.main_material_types: exactly one value is required with main_material_ids.",
        ));
    }
    Ok((scope, entities))
}
