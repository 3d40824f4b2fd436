//! The fields of one `custom_reports` entry, each read and checked: what the form allows, and
//! what to fix when an entry asks for something TikTok has not got.

use serde_json::{Map, Value};

use crate::config::list;
use crate::error::{Error, Result};
use crate::metrics::{
    rules::{self, ReportShape},
    MAX_METRICS,
};
use crate::streams::{self, DataLevel, Granularity, ReportFilter, ReportType};

/// Breakdowns TikTok documents per report type (tiktok-api.md §4.3): basic reports break down
/// by country only; audience reports by these.
pub const BASIC_BREAKDOWNS: &[&str] = &["country_code"];
pub const AUDIENCE_BREAKDOWNS: &[&str] =
    &["gender", "age", "country_code", "province_id", "platform", "language", "placement", "ac"];
/// Filters the synchronous report and the async task both take (tiktok-api.md §4.9), so a
/// truncated window read through a task still has the user's filter.
pub const FILTER_FIELDS: &[&str] = &["campaign_ids", "adgroup_ids", "ad_ids", "ad_ids_v2", "country_code"];
/// TikTok takes at most 100 values in an id filter.
pub const MAX_FILTER_VALUES: usize = 100;
/// The longest custom report (stream) name and metric name, as the patterns of the spec say.
const MAX_STREAM_NAME: usize = 63;
const MAX_METRIC_NAME: usize = 100;

/// The names of `all`, in order: what the spec lists and [`choice`] accepts.
pub fn names<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|&item| name(item)).collect()
}

/// The one of `allowed` that `obj[key]` names.
fn choice<T: Copy>(
    obj: &Map<String, Value>,
    at: &str,
    key: &str,
    allowed: &[T],
    name: fn(T) -> &'static str,
) -> Result<T> {
    let one_of = || names(allowed, name).join(", ");
    match obj.get(key) {
        Some(Value::String(s)) => allowed
            .iter()
            .copied()
            .find(|&a| name(a) == s)
            .ok_or_else(|| Error::config(format!("{at}.{key}: {s:?} is not one of {}", one_of()))),
        Some(_) => Err(Error::config(format!("{at}.{key}: must be one of {}", one_of()))),
        None => Err(Error::config(format!("{at}.{key}: is required (one of {})", one_of()))),
    }
}

/// A list of strings under `key` ([] when absent unless `required`).
pub fn strings(obj: &Map<String, Value>, at: &str, key: &str, required: bool) -> Result<Vec<String>> {
    match obj.get(key) {
        None | Some(Value::Null) if !required => Ok(Vec::new()),
        None | Some(Value::Null) => Err(Error::config(format!("{at}.{key}: is required"))),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| Error::config(format!("{at}.{key}: must be a list of strings")))
            })
            .collect(),
        Some(_) => Err(Error::config(format!("{at}.{key}: must be a list of strings"))),
    }
}

fn first_duplicate(items: &[String]) -> Option<&String> {
    items.iter().enumerate().find(|(i, item)| items[..*i].contains(item)).map(|(_, item)| item)
}

pub fn leak_strs(items: Vec<String>) -> &'static [&'static str] {
    let strs: Vec<&'static str> = items.into_iter().map(|s| &*Box::leak(s.into_boxed_str())).collect();
    Box::leak(strs.into_boxed_slice())
}

/// 1 to `max_len` lowercase letters, digits and _, starting with a letter: a safe stream name,
/// and what any of TikTok's metric names looks like.
fn is_snake_name(name: &str, max_len: usize) -> bool {
    let mut chars = name.chars();
    name.len() <= max_len
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// `name`: a safe stream name that no built-in stream has.
pub fn stream_name(obj: &Map<String, Value>, at: &str) -> Result<String> {
    match obj.get("name") {
        Some(Value::String(s)) if !is_snake_name(s, MAX_STREAM_NAME) => Err(Error::config(format!(
            "{at}.name: {s:?} is not a safe stream name: use 1 to 63 lowercase letters, digits and _, starting with a letter"
        ))),
        Some(Value::String(s)) if streams::find(s).is_some() => {
            Err(Error::config(format!("{at}.name: {s:?} is a built-in stream; give the custom report another name")))
        }
        Some(Value::String(s)) => Ok(s.clone()),
        _ => Err(Error::config(format!("{at}.name: is required (a stream name)"))),
    }
}

/// `report_type`, `data_level` and `granularity`, in a combination TikTok has.
pub fn report_kind(obj: &Map<String, Value>, at: &str) -> Result<(ReportType, DataLevel, Granularity)> {
    let report_type = choice(obj, at, "report_type", &ReportType::ALL, ReportType::api_name)?;
    let level = choice(obj, at, "data_level", &DataLevel::ALL, DataLevel::api_name)?;
    let granularity = choice(obj, at, "granularity", &Granularity::ALL, Granularity::name)?;
    if report_type == ReportType::Audience {
        match granularity {
            Granularity::Hourly => return Err(Error::config(format!("{at}.granularity: TikTok has no HOURLY AUDIENCE reports (stat_time_hour is not an audience dimension); use DAILY"))),
            Granularity::Lifetime => return Err(Error::config(format!("{at}.granularity: TikTok has no LIFETIME AUDIENCE reports (query_lifetime is for BASIC reports); use DAILY"))),
            Granularity::Daily => {}
        }
    }
    Ok((report_type, level, granularity))
}

/// The breakdowns TikTok documents for the report type.
/// `ad_id_v2` among `dimensions`: rows by the Smart+ ad (DOC-SYNC: `ad_id` is then one of its
/// creatives), at ad level only. The entry without it, and whether it was there.
pub fn smart_plus_ad_dimension(
    obj: &Map<String, Value>,
    at: &str,
    level: DataLevel,
) -> Result<(Map<String, Value>, bool)> {
    let mut rest = obj.clone();
    let Some(Value::Array(dimensions)) = rest.get_mut("dimensions") else { return Ok((rest, false)) };
    let before = dimensions.len();
    dimensions.retain(|d| d != "ad_id_v2");
    let by_smart_plus_ad = dimensions.len() < before;
    if by_smart_plus_ad && level != DataLevel::Ad {
        return Err(Error::config(format!(
            "{at}.dimensions: ad_id_v2 is the Smart+ ad: an AUCTION_AD dimension, not {}",
            level.api_name()
        )));
    }
    Ok((rest, by_smart_plus_ad))
}

fn breakdowns_of(report_type: ReportType) -> &'static [&'static str] {
    match report_type {
        ReportType::Basic => BASIC_BREAKDOWNS,
        ReportType::Audience => AUDIENCE_BREAKDOWNS,
    }
}

/// `dimensions`: breakdowns of the report type, each once, none in a lifetime report, and in
/// an audience report one dimension (or age with gender).
pub fn breakdowns(
    obj: &Map<String, Value>,
    at: &str,
    report_type: ReportType,
    granularity: Granularity,
) -> Result<Vec<String>> {
    let breakdowns = strings(obj, at, "dimensions", false)?;
    for d in &breakdowns {
        check_breakdown(d, at, report_type)?;
    }
    if let Some(d) = first_duplicate(&breakdowns) {
        return Err(Error::config(format!("{at}.dimensions: {d:?} is listed twice")));
    }
    if granularity == Granularity::Lifetime && !breakdowns.is_empty() {
        return Err(Error::config(format!(
            "{at}.dimensions: TikTok's LIFETIME reports take no breakdown; use DAILY for {}",
            breakdowns.join(", ")
        )));
    }
    let age_with_gender = breakdowns.len() == 2 && breakdowns.iter().all(|d| d == "age" || d == "gender");
    if report_type == ReportType::Audience && breakdowns.len() > 1 && !age_with_gender {
        return Err(Error::config(format!(
            "{at}.dimensions: TikTok's AUDIENCE reports break rows down by one audience dimension, or by age with gender, not by {}; make one report per dimension",
            breakdowns.join(" and ")
        )));
    }
    Ok(breakdowns)
}

/// One listed dimension: a breakdown (not the id or time, which follow from the report) that
/// the report type takes.
fn check_breakdown(d: &str, at: &str, report_type: ReportType) -> Result<()> {
    let allowed = breakdowns_of(report_type);
    let type_name = report_type.api_name();
    if !streams::is_breakdown(d) {
        return Err(Error::config(format!(
            "{at}.dimensions: {d:?} follows from data_level and granularity; list only breakdowns ({})",
            allowed.join(", ")
        )));
    }
    if !allowed.contains(&d) {
        let known = AUDIENCE_BREAKDOWNS.contains(&d) || BASIC_BREAKDOWNS.contains(&d);
        let what = if known {
            format!("is not a breakdown of {type_name} reports")
        } else {
            "is not a dimension TikTok documents".to_string()
        };
        return Err(Error::config(format!(
            "{at}.dimensions: {d:?} {what}; {type_name} reports take {}",
            allowed.join(", ")
        )));
    }
    Ok(())
}

/// `metrics`: 1 to MAX_METRICS metric names, each once, none that TikTok refuses in a report of
/// this shape.
pub fn metric_names(obj: &Map<String, Value>, at: &str, shape: &ReportShape) -> Result<Vec<String>> {
    checked_metric_names(obj, at, |m| rules::refusal(m, shape))
}

/// `metrics`: 1 to MAX_METRICS names, each once, none that `refusal` says TikTok refuses.
pub fn checked_metric_names(
    obj: &Map<String, Value>,
    at: &str,
    refusal: impl Fn(&str) -> Option<String>,
) -> Result<Vec<String>> {
    let names = strings(obj, at, "metrics", true)?;
    if names.is_empty() {
        return Err(Error::config(format!("{at}.metrics: must name at least one metric")));
    }
    if names.len() > MAX_METRICS {
        return Err(Error::config(format!(
            "{at}.metrics: {} metrics, TikTok takes at most {MAX_METRICS} in one request",
            names.len()
        )));
    }
    if let Some(m) = names.iter().find(|m| !is_snake_name(m, MAX_METRIC_NAME)) {
        return Err(Error::config(format!(
            "{at}.metrics: {m:?} is not a metric name (lowercase letters, digits and _, as TikTok names them)"
        )));
    }
    if let Some(m) = first_duplicate(&names) {
        return Err(Error::config(format!("{at}.metrics: {m:?} is listed twice")));
    }
    if let Some(why) = names.iter().find_map(|m| refusal(m)) {
        return Err(Error::config(format!("{at}.metrics: {why}")));
    }
    Ok(names)
}

/// `filters`: fields both report paths filter on, with IN and 1 to MAX_FILTER_VALUES values; a
/// country filter only in a report broken down by country.
pub fn filters(
    obj: &Map<String, Value>,
    at: &str,
    breakdowns: &[String],
    by_smart_plus_ad: bool,
) -> Result<&'static [ReportFilter]> {
    let filters = filters_of(obj, at, FILTER_FIELDS)?;
    for (j, filter) in filters.iter().enumerate() {
        match (filter.field, by_smart_plus_ad) {
            ("ad_ids", true) => {
                return Err(Error::config(format!(
                    "{at}.filters[{j}]: TikTok refuses ad_ids with ad_id_v2 (DOC-SYNC); filter on ad_ids_v2"
                )))
            }
            ("ad_ids_v2", false) => {
                return Err(Error::config(format!(
                    "{at}.filters[{j}]: ad_ids_v2 filters rows by the Smart+ ad: add \"ad_id_v2\" to dimensions"
                )))
            }
            _ => {}
        }
    }
    if let Some(j) = filters
        .iter()
        .position(|f| f.field == "country_code")
        .filter(|_| !breakdowns.iter().any(|d| d == "country_code"))
    {
        return Err(Error::config(format!("{at}.filters[{j}]: TikTok filters on country_code only in reports broken down by it; add \"country_code\" to dimensions")));
    }
    Ok(filters)
}

/// `filters` on `fields`, each with IN and 1 to MAX_FILTER_VALUES values, each field once.
pub fn filters_of(obj: &Map<String, Value>, at: &str, fields: &[&'static str]) -> Result<&'static [ReportFilter]> {
    let mut filters: Vec<ReportFilter> = Vec::new();
    for (at, item) in list::entries(obj.get("filters"), &format!("{at}.filters"), "{field_name, filter_value} objects")?
    {
        let obj = item.as_object().ok_or_else(|| Error::config(format!("{at}: must be an object")))?;
        let field = choice(obj, &at, "field_name", fields, |field| field)?;
        if filters.iter().any(|f| f.field == field) {
            return Err(Error::config(format!("{at}.field_name: {field} is filtered on twice; list its values once")));
        }
        if let Some(t) = obj.get("filter_type").filter(|t| t.as_str() != Some("IN") && !t.is_null()) {
            return Err(Error::config(format!(
                "{at}.filter_type: {t} is not supported; use IN (the only type the async task API takes too)"
            )));
        }
        let values = strings(obj, &at, "filter_value", true)?;
        if values.is_empty() || values.len() > MAX_FILTER_VALUES {
            return Err(Error::config(format!("{at}.filter_value: must list 1 to {MAX_FILTER_VALUES} values")));
        }
        filters.push(ReportFilter { field, values: leak_strs(values) });
    }
    Ok(Box::leak(filters.into_boxed_slice()))
}

/// `lookback_days`: 0 to 364, or the config's `attribution_window` when absent.
pub fn lookback_days(obj: &Map<String, Value>, at: &str) -> Result<Option<u32>> {
    match obj.get("lookback_days") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_u64() {
            Some(n) if n <= 364 => Ok(Some(n as u32)),
            _ => Err(Error::config(format!("{at}.lookback_days: must be a whole number from 0 to 364"))),
        },
    }
}
