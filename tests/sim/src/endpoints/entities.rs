//! `campaign/get`, `adgroup/get`, `ad/get`: the entity lists, with TikTok's filters.

use std::borrow::Cow;

use chrono::NaiveDateTime;
use serde_json::{Map, Value};

use super::{id_filter, project};
use crate::data::{Account, Entity, Level, Origins};
use crate::wire::{page_of, param_error, ApiError, Call, Served};

pub fn campaigns(call: &Call) -> Result<Served, ApiError> {
    entity_get(call, Level::Campaign)
}

pub fn adgroups(call: &Call) -> Result<Served, ApiError> {
    entity_get(call, Level::AdGroup)
}

pub fn ads(call: &Call) -> Result<Served, ApiError> {
    entity_get(call, Level::Ad)
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
        "campaign_ids",
        "campaign_name",
        "campaign_system_origins",
        "primary_status",
        "secondary_status",
        "objective_type",
        "buying_types",
        "optimization_goal",
        "creation_filter_start_time",
        "creation_filter_end_time",
        "split_test_enabled",
        "campaign_automation_type",
        "is_smart_performance_campaign",
        "sales_destination",
        "campaign_type",
        "campaign_product_source",
        "creative_campaign_type",
    ];
    const ADGROUP: &[&str] = &[
        "campaign_ids",
        "adgroup_ids",
        "adgroup_name",
        "campaign_system_origins",
        "primary_status",
        "secondary_status",
        "objective_type",
        "buying_types",
        "optimization_goal",
        "promotion_type",
        "bid_strategy",
        "creative_material_mode",
        "billing_events",
        "creation_filter_start_time",
        "creation_filter_end_time",
        "split_test_enabled",
        "campaign_automation_type",
    ];
    const AD: &[&str] = &[
        "campaign_ids",
        "adgroup_ids",
        "ad_ids",
        "ad_name",
        "campaign_system_origins",
        "primary_status",
        "secondary_status",
        "objective_type",
        "buying_types",
        "optimization_goal",
        "creative_material_mode",
        "destination",
        "creation_filter_start_time",
        "creation_filter_end_time",
        "modified_after",
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
pub(super) fn creation_range(
    filtering: &Map<String, Value>,
) -> Result<Option<(NaiveDateTime, NaiveDateTime)>, ApiError> {
    let start = filtering
        .get("creation_filter_start_time")
        .map(|v| parse_time("filtering.creation_filter_start_time", v))
        .transpose()?;
    let end = filtering
        .get("creation_filter_end_time")
        .map(|v| parse_time("filtering.creation_filter_end_time", v))
        .transpose()?;
    match (start, end) {
        (None, None) => Ok(None),
        (Some(start), Some(end)) if start > end => {
            Err(param_error("filtering.creation_filter_start_time: must not be later than creation_filter_end_time."))
        }
        (Some(start), Some(end)) if end - start > chrono::Duration::days(180) => {
            Err(param_error("filtering: the creation time range must be within 6 months."))
        }
        (Some(start), Some(end)) => Ok(Some((start, end))),
        _ => {
            Err(param_error("filtering: creation_filter_start_time and creation_filter_end_time must be set together."))
        }
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
        return Err(param_error(
            "filtering.buying_types: RESERVATION_TOP_VIEW cannot be combined with other buying types.",
        ));
    }
    Ok(topview)
}

fn entity_get(call: &Call, level: Level) -> Result<Served, ApiError> {
    let Call { query: q, account, config, .. } = *call;
    let advertiser = q.required("advertiser_id")?;
    let (page, size) = q.paging(10, 1000)?;
    let fields = q.strings("fields")?;
    let drop_nulls = match q.strings("exclude_field_types_in_response")? {
        None => false,
        Some(types) if types.iter().all(|t| t == "NULL_FIELD") => true,
        Some(_) => return Err(param_error("exclude_field_types_in_response: Must be one of: NULL_FIELD.")),
    };
    let filtering = q.json_object("filtering")?.unwrap_or_default();
    let allowed = allowed_filters(level);
    if let Some(unknown) = filtering.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(param_error(format!("filtering.{unknown}: Unknown field.")));
    }
    let (deleted, secondary) = status_filter(&filtering, level, config)?;
    let modified_after =
        filtering.get("modified_after").map(|v| parse_time("filtering.modified_after", v)).transpose()?;
    let created = creation_range(&filtering)?;
    let campaign_ids = id_filter(&filtering, "campaign_ids")?;
    let adgroup_ids = id_filter(&filtering, "adgroup_ids")?;
    let ad_ids = id_filter(&filtering, "ad_ids")?;
    let topview = topview_filter(&filtering)?;
    let origins = origins_filter(&filtering)?;
    let automation = automation_filter(&filtering)?;
    if topview && level == Level::AdGroup && size > 100 {
        return Err(param_error(
            "page_size: page_size must be between 1 and 100 when buying_types is RESERVATION_TOP_VIEW.",
        ));
    }

    let unlisted = config.readings.unlisted_campaign.then(|| unlisted_campaign(account, advertiser)).flatten();
    let mut matching: Vec<&Entity> = account
        .entities
        .iter()
        .filter(|e| e.level == level && e.advertiser_id == advertiser && e.topview == topview)
        .filter(|e| origins.admits(e))
        .filter(|e| unlisted.is_none_or(|id| e.campaign_id != id))
        // §2.1 readings row (3P): under the other reading no Smart+ object is listed at all.
        .filter(|e| !(config.readings.smart_plus_not_in_regular_lists && is_smart_plus(e)))
        .filter(|e| automation.as_ref().is_none_or(|t| automation_type(e).trim_end_matches("_CREATIVE") == t))
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
        .filter(|e| {
            created.is_none_or(|(start, end)| time_of(&e.fields, "create_time").is_some_and(|t| start <= t && t <= end))
        })
        .collect();
    // TikTok lists newest ids first.
    matching.sort_by(|a, b| b.id.len().cmp(&a.id.len()).then_with(|| b.id.cmp(&a.id)));
    let items: Vec<Value> =
        matching.into_iter().map(|e| project(&listed_fields(e), fields.as_deref(), drop_nulls)).collect();
    Ok(page_of(&items, "list", page, size).into())
}

/// `campaign_system_origins` (DOC-CAMP; DOC-ADG; the SDK's `FilteringAdGet` for ads): by
/// default `["TT_ADS_PLATFORM"]`, which leaves Promote objects out; `PROMOTE` lists them, alone
/// or beside TT_ADS_PLATFORM (tiktok-api.md §3.3–§3.5; §15 R2, DOC-PROMOTE).
fn origins_filter(filtering: &Map<String, Value>) -> Result<Origins, ApiError> {
    let Some(value) = filtering.get("campaign_system_origins") else { return Ok(Origins::default()) };
    let Some(items) = value.as_array() else {
        // source: the shape of "pixel_ids: Field must be set to array" (observed, AB PR #70241).
        return Err(param_error("filtering.campaign_system_origins: Field must be set to array"));
    };
    let origins: Vec<&str> = items.iter().map(|v| v.as_str().unwrap_or("")).collect();
    if let Some(bad) = origins.iter().find(|o| !["TT_ADS_PLATFORM", "PROMOTE"].contains(o)) {
        // invented wording, as buying_types' "Invalid enum value" above
        return Err(param_error(format!("filtering.campaign_system_origins: Invalid enum value {bad}.")));
    }
    if origins.is_empty() {
        // An empty list is read as the default (this simulator's choice; no source says).
        return Ok(Origins::default());
    }
    Ok(Origins { ads_platform: origins.contains(&"TT_ADS_PLATFORM"), promote: origins.contains(&"PROMOTE") })
}

/// What a list answers for an object: a Promote campaign only the fields DOC-CAMP names for it
/// (tiktok-api.md §3.3) and its `campaign_system_origin`; any other object all its fields.
fn listed_fields(e: &Entity) -> Cow<'_, Value> {
    const PROMOTE_CAMPAIGN: &[&str] = &[
        "advertiser_id",
        "campaign_id",
        "create_time",
        "campaign_name",
        "operation_status",
        "secondary_status",
        "campaign_system_origin",
    ];
    if !(e.promote && e.level == Level::Campaign) {
        return Cow::Borrowed(&e.fields);
    }
    let owned: Vec<String> = PROMOTE_CAMPAIGN.iter().map(|k| k.to_string()).collect();
    Cow::Owned(project(&e.fields, Some(&owned), false))
}

/// An Upgraded Smart+ campaign, ad group or creative row (gmv-max-smart-plus.md §2.1).
pub(crate) fn is_smart_plus(e: &Entity) -> bool {
    e.fields["campaign_automation_type"].as_str().is_some_and(|t| t.starts_with("UPGRADED_SMART_PLUS"))
}

/// An object's `campaign_automation_type`: MANUAL where the row has none (manual ads).
fn automation_type(e: &Entity) -> &str {
    e.fields["campaign_automation_type"].as_str().unwrap_or("MANUAL")
}

/// `filtering.campaign_automation_type` (DOC-CAMP; DOC-ADG): one of MANUAL, SMART_PLUS,
/// UPGRADED_SMART_PLUS, UPGRADED_SMART_PLUS_CREATIVE (GO `enum/campaign_automation_type.go`).
fn automation_filter(filtering: &Map<String, Value>) -> Result<Option<String>, ApiError> {
    let Some(v) = filtering.get("campaign_automation_type") else { return Ok(None) };
    match v.as_str() {
        Some(t @ ("MANUAL" | "SMART_PLUS" | "UPGRADED_SMART_PLUS" | "UPGRADED_SMART_PLUS_CREATIVE")) => {
            // A Smart+ ad's rows in /ad/get/ are its creatives: UPGRADED_SMART_PLUS finds them.
            Ok(Some(if t == "UPGRADED_SMART_PLUS_CREATIVE" { "UPGRADED_SMART_PLUS" } else { t }.to_string()))
        }
        _ => Err(param_error("filtering.campaign_automation_type: Invalid enum value.")), // invented wording
    }
}

/// The campaign no list shows when the simulator plays R2's second reading (tiktok-api.md §15):
/// the advertiser's newest one that is not deleted and not TopView.
fn unlisted_campaign<'a>(account: &'a Account, advertiser: &str) -> Option<&'a str> {
    account
        .entities
        .iter()
        .filter(|e| e.level == Level::Campaign && e.advertiser_id == advertiser && !e.deleted && !e.topview)
        .filter(|e| !e.promote)
        .filter(|e| !is_smart_plus(e))
        .map(|e| e.id.as_str())
        .max_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)))
}

/// What `primary_status` and `secondary_status` ask: deleted objects or not, and one secondary
/// status to keep.
fn status_filter(
    filtering: &Map<String, Value>,
    level: Level,
    config: &crate::config::SimConfig,
) -> Result<(Deleted, Option<String>), ApiError> {
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
        let own_level = s.starts_with(&format!("{prefix}_STATUS_"));
        let ad_group_below_campaigns = level != Level::Campaign && s.starts_with("ADGROUP_STATUS_");
        if !(own_level || ad_group_below_campaigns) {
            return Err(param_error(format!("filtering.secondary_status: Invalid enum value {s}.")));
        }
        if s == format!("{prefix}_STATUS_ALL") {
            // Every secondary status; whether deleted objects are among them is §15 R3.
            if !config.readings.deleted_only_by_primary_status {
                deleted = Deleted::Include;
            }
        } else if s == format!("{prefix}_STATUS_DELETE") {
            deleted = Deleted::Only;
        } else if s != format!("{prefix}_STATUS_NOT_DELETE") {
            secondary = Some(s.to_string());
        }
    }
    Ok((deleted, secondary))
}
