//! Custom reports (`custom_reports` in the config): the user's own report type, data level,
//! granularity, breakdowns, metrics and filters, each read as a stream of its own by the same
//! machinery as the built-in reports. A custom report becomes a `StreamDef` built by the same
//! `streams::report` the built-in table uses; only its parts come from the config (and live
//! for the rest of the command).

use serde_json::{json, Map, Value};

use crate::error::{Error, Result};
use crate::metrics::{self, rules::{self, ReportShape}, MAX_METRICS};
use crate::schema::FieldType;
use crate::streams::{self, DataLevel, Granularity, ReportFilter, ReportType, Source, StreamDef};

/// Breakdowns TikTok documents per report type (tiktok-api.md §4.3): basic reports break down
/// by country only; audience reports by these.
const BASIC_BREAKDOWNS: &[&str] = &["country_code"];
const AUDIENCE_BREAKDOWNS: &[&str] = &["gender", "age", "country_code", "province_id", "platform", "language", "placement", "ac"];
/// Filters the synchronous report and the async task both take (tiktok-api.md §4.9), so a
/// truncated window read through a task still has the user's filter.
const FILTER_FIELDS: &[&str] = &["campaign_ids", "adgroup_ids", "ad_ids", "country_code"];
/// TikTok takes at most 100 values in an id filter.
const MAX_FILTER_VALUES: usize = 100;
/// A metric name TikTok could ship: what any of its names looks like.
pub const METRIC_NAME_PATTERN: &str = "^[a-z][a-z0-9_]{0,99}$";

const REPORT_TYPES: &[&str] = &["BASIC", "AUDIENCE"];
const DATA_LEVELS: &[&str] = &["AUCTION_ADVERTISER", "AUCTION_CAMPAIGN", "AUCTION_ADGROUP", "AUCTION_AD"];
const GRANULARITIES: &[&str] = &["DAILY", "HOURLY", "LIFETIME"];

/// The `custom_reports` part of the spec, so a UI can render the form.
pub fn spec() -> Value {
    json!({
        "title": "Custom Reports",
        "description": "Reports of your own, each read as a stream named by `name` (lowercase letters, digits and _, starting with a letter, not a built-in stream's name). Its key is the data level's id, the time dimension and the breakdowns; its cursor the time dimension.",
        "type": "array",
        "order": 8,
        "items": {
            "type": "object",
            "required": ["name", "report_type", "data_level", "granularity", "metrics"],
            "properties": {
                "name": {"title": "Stream Name", "type": "string", "pattern": "^[a-z][a-z0-9_]{0,62}$", "order": 0},
                "report_type": {"title": "Report Type", "type": "string", "enum": REPORT_TYPES, "order": 1},
                "data_level": {"title": "Data Level", "type": "string", "enum": DATA_LEVELS, "order": 2},
                "granularity": {"title": "Granularity", "description": "HOURLY is for BASIC reports only; LIFETIME for BASIC reports without breakdowns.", "type": "string", "enum": GRANULARITIES, "order": 3},
                "dimensions": {
                    "title": "Breakdowns",
                    "description": "Besides the id and time dimensions: BASIC reports take country_code; AUDIENCE reports gender, age, country_code, province_id, platform, language, placement, ac.",
                    "type": "array", "uniqueItems": true, "items": {"type": "string", "enum": AUDIENCE_BREAKDOWNS}, "order": 4
                },
                "metrics": {
                    "title": "Metrics",
                    "description": format!("At most {MAX_METRICS}, by TikTok's names: every metric of the catalogue (see additional_metrics for the list) where TikTok gives it, checked before any request; a name the catalogue does not know is asked of TikTok by check and typed as a decimal."),
                    "type": "array", "minItems": 1, "maxItems": MAX_METRICS, "uniqueItems": true,
                    "items": {"type": "string", "pattern": METRIC_NAME_PATTERN}, "order": 5
                },
                "filters": {
                    "title": "Filters",
                    "description": "Rows whose field is one of the values (filter_type IN). Fields: campaign_ids, adgroup_ids, ad_ids, country_code.",
                    "type": "array", "order": 6,
                    "items": {"type": "object", "required": ["field_name", "filter_value"], "properties": {
                        "field_name": {"type": "string", "enum": FILTER_FIELDS},
                        "filter_type": {"type": "string", "enum": ["IN"], "default": "IN"},
                        "filter_value": {"type": "array", "minItems": 1, "maxItems": MAX_FILTER_VALUES, "items": {"type": "string"}}
                    }}
                },
                "lookback_days": {"title": "Lookback Days", "description": "Overrides attribution_window for this report.", "type": "integer", "minimum": 0, "maximum": 364, "order": 7}
            }
        }
    })
}

/// The custom report streams of a config's `custom_reports` (absent: none).
pub fn parse(value: Option<&Value>) -> Result<Vec<&'static StreamDef>> {
    let items = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(Error::config("custom_reports: must be a list of reports")),
    };
    let mut defs: Vec<&'static StreamDef> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("custom_reports[{i}]");
        let obj = item.as_object().ok_or_else(|| Error::config(format!("{at}: must be an object")))?;
        let def = parse_one(obj, &at)?;
        if defs.iter().any(|d| d.name == def.name) {
            return Err(Error::config(format!("{at}.name: {:?} is the name of another custom report; names must be unique", def.name)));
        }
        defs.push(def);
    }
    Ok(defs)
}

/// The allowed value `obj[key]` names.
fn choice(obj: &Map<String, Value>, at: &str, key: &str, allowed: &'static [&'static str]) -> Result<&'static str> {
    match obj.get(key) {
        Some(Value::String(s)) => allowed
            .iter()
            .copied()
            .find(|a| a == s)
            .ok_or_else(|| Error::config(format!("{at}.{key}: {s:?} is not one of {}", allowed.join(", ")))),
        Some(_) => Err(Error::config(format!("{at}.{key}: must be one of {}", allowed.join(", ")))),
        None => Err(Error::config(format!("{at}.{key}: is required (one of {})", allowed.join(", ")))),
    }
}

/// A list of strings under `key` ([] when absent unless `required`).
fn strings(obj: &Map<String, Value>, at: &str, key: &str, required: bool) -> Result<Vec<String>> {
    match obj.get(key) {
        None | Some(Value::Null) if !required => Ok(Vec::new()),
        None | Some(Value::Null) => Err(Error::config(format!("{at}.{key}: is required"))),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string).ok_or_else(|| Error::config(format!("{at}.{key}: must be a list of strings"))))
            .collect(),
        Some(_) => Err(Error::config(format!("{at}.{key}: must be a list of strings"))),
    }
}

fn first_duplicate(items: &[String]) -> Option<&String> {
    items.iter().enumerate().find(|(i, item)| items[..*i].contains(item)).map(|(_, item)| item)
}

fn leak<T>(value: T) -> &'static T {
    Box::leak(Box::new(value))
}

fn leak_strs(items: Vec<String>) -> &'static [&'static str] {
    let strs: Vec<&'static str> = items.into_iter().map(|s| &*Box::leak(s.into_boxed_str())).collect();
    Box::leak(strs.into_boxed_slice())
}

fn is_safe_name(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= 63
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn parse_one(obj: &Map<String, Value>, at: &str) -> Result<&'static StreamDef> {
    let name = match obj.get("name") {
        Some(Value::String(s)) if !is_safe_name(s) => {
            return Err(Error::config(format!(
                "{at}.name: {s:?} is not a safe stream name: use 1 to 63 lowercase letters, digits and _, starting with a letter"
            )))
        }
        Some(Value::String(s)) if streams::find(s).is_some() => {
            return Err(Error::config(format!("{at}.name: {s:?} is a built-in stream; give the custom report another name")))
        }
        Some(Value::String(s)) => s.clone(),
        _ => return Err(Error::config(format!("{at}.name: is required (a stream name)"))),
    };
    let report_type = match choice(obj, at, "report_type", REPORT_TYPES)? {
        "BASIC" => ReportType::Basic,
        _ => ReportType::Audience,
    };
    let data_level = match choice(obj, at, "data_level", DATA_LEVELS)? {
        "AUCTION_ADVERTISER" => DataLevel::Advertiser,
        "AUCTION_CAMPAIGN" => DataLevel::Campaign,
        "AUCTION_ADGROUP" => DataLevel::AdGroup,
        _ => DataLevel::Ad,
    };
    let granularity = match choice(obj, at, "granularity", GRANULARITIES)? {
        "DAILY" => Granularity::Daily,
        "HOURLY" => Granularity::Hourly,
        _ => Granularity::Lifetime,
    };
    let audience = report_type == ReportType::Audience;
    if audience && granularity == Granularity::Hourly {
        return Err(Error::config(format!("{at}.granularity: TikTok has no HOURLY AUDIENCE reports (stat_time_hour is not an audience dimension); use DAILY")));
    }
    if audience && granularity == Granularity::Lifetime {
        return Err(Error::config(format!("{at}.granularity: TikTok has no LIFETIME AUDIENCE reports (query_lifetime is for BASIC reports); use DAILY")));
    }
    // Breakdowns.
    let breakdowns = strings(obj, at, "dimensions", false)?;
    let allowed = if audience { AUDIENCE_BREAKDOWNS } else { BASIC_BREAKDOWNS };
    let type_name = if audience { "AUDIENCE" } else { "BASIC" };
    for d in &breakdowns {
        if !streams::is_breakdown(d) {
            return Err(Error::config(format!("{at}.dimensions: {d:?} follows from data_level and granularity; list only breakdowns ({})", allowed.join(", "))));
        }
        if !allowed.contains(&d.as_str()) {
            let known = AUDIENCE_BREAKDOWNS.contains(&d.as_str()) || BASIC_BREAKDOWNS.contains(&d.as_str());
            let what = if known { format!("is not a breakdown of {type_name} reports") } else { "is not a dimension TikTok documents".to_string() };
            return Err(Error::config(format!("{at}.dimensions: {d:?} {what}; {type_name} reports take {}", allowed.join(", "))));
        }
    }
    if let Some(d) = first_duplicate(&breakdowns) {
        return Err(Error::config(format!("{at}.dimensions: {d:?} is listed twice")));
    }
    if granularity == Granularity::Lifetime && !breakdowns.is_empty() {
        return Err(Error::config(format!("{at}.dimensions: TikTok's LIFETIME reports take no breakdown; use DAILY for {}", breakdowns.join(", "))));
    }
    let age_with_gender = breakdowns.len() == 2 && breakdowns.iter().all(|d| d == "age" || d == "gender");
    if audience && breakdowns.len() > 1 && !age_with_gender {
        return Err(Error::config(format!(
            "{at}.dimensions: TikTok's AUDIENCE reports break rows down by one audience dimension, or by age with gender, not by {}; make one report per dimension",
            breakdowns.join(" and ")
        )));
    }
    // Metrics.
    let metric_names = strings(obj, at, "metrics", true)?;
    if metric_names.is_empty() {
        return Err(Error::config(format!("{at}.metrics: must name at least one metric")));
    }
    if metric_names.len() > MAX_METRICS {
        return Err(Error::config(format!("{at}.metrics: {} metrics, TikTok takes at most {MAX_METRICS} in one request", metric_names.len())));
    }
    if let Some(m) = metric_names.iter().find(|m| !is_metric_name(m)) {
        return Err(Error::config(format!("{at}.metrics: {m:?} is not a metric name (lowercase letters, digits and _, as TikTok names them)")));
    }
    if let Some(m) = first_duplicate(&metric_names) {
        return Err(Error::config(format!("{at}.metrics: {m:?} is listed twice")));
    }
    let shape = ReportShape { report_type, level: data_level, granularity, breakdowns: !breakdowns.is_empty() };
    if let Some(why) = metric_names.iter().find_map(|m| rules::refusal(m, &shape)) {
        return Err(Error::config(format!("{at}.metrics: {why}")));
    }
    let filters = parse_filters(obj, at)?;
    if let Some(j) = filters.iter().position(|f| f.field == "country_code").filter(|_| !breakdowns.iter().any(|d| d == "country_code")) {
        return Err(Error::config(format!("{at}.filters[{j}]: TikTok filters on country_code only in reports broken down by it; add \"country_code\" to dimensions")));
    }
    let lookback_days = match obj.get("lookback_days") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_u64() {
            Some(n) if n <= 364 => Some(n as u32),
            _ => return Err(Error::config(format!("{at}.lookback_days: must be a whole number from 0 to 364"))),
        },
    };
    // The dimensions of the query: the level's id, the time, then the breakdowns.
    let mut dimensions = vec![data_level.id_dimension().to_string()];
    dimensions.extend(granularity.time_dimension().map(str::to_string));
    dimensions.extend(breakdowns);
    let dimensions = leak_strs(dimensions);
    let metric_set: &'static [&'static [&'static str]] = Box::leak(vec![leak_strs(metric_names)].into_boxed_slice());
    let mut def = streams::report(Box::leak(name.into_boxed_str()), report_type, data_level, granularity, dimensions, metric_set, true);
    if let Source::Report(spec) = &mut def.source {
        spec.filters = filters;
        spec.lookback_days = lookback_days;
    }
    // Breakdowns the built-in reports never use get a field of their own.
    let extra: Vec<(&'static str, FieldType)> =
        dimensions.iter().filter(|d| !def.fields.iter().any(|(f, _)| f == *d)).map(|d| (*d, FieldType::Str)).collect();
    if !extra.is_empty() {
        def.fields = Box::leak(def.fields.iter().copied().chain(extra).collect::<Vec<_>>().into_boxed_slice());
    }
    Ok(leak(def))
}

fn is_metric_name(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= 100
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The metrics of custom reports the catalogue does not know, with the report that asks for
/// them: `check` asks TikTok about each.
pub fn unknown_metrics(defs: &[&'static StreamDef]) -> Vec<(usize, &'static StreamDef, Vec<&'static str>)> {
    defs.iter()
        .enumerate()
        .filter_map(|(i, def)| {
            let Source::Report(spec) = &def.source else { return None };
            let unknown: Vec<&str> = metrics::names(spec.metrics).filter(|m| !metrics::is_known(m)).collect();
            (!unknown.is_empty()).then_some((i, *def, unknown))
        })
        .collect()
}

fn parse_filters(obj: &Map<String, Value>, at: &str) -> Result<&'static [ReportFilter]> {
    let items = match obj.get("filters") {
        None | Some(Value::Null) => return Ok(&[]),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(Error::config(format!("{at}.filters: must be a list of {{field_name, filter_value}} objects"))),
    };
    let mut filters = Vec::new();
    for (j, item) in items.iter().enumerate() {
        let at = format!("{at}.filters[{j}]");
        let obj = item.as_object().ok_or_else(|| Error::config(format!("{at}: must be an object")))?;
        let field = choice(obj, &at, "field_name", FILTER_FIELDS)?;
        if let Some(t) = obj.get("filter_type").filter(|t| t.as_str() != Some("IN") && !t.is_null()) {
            return Err(Error::config(format!("{at}.filter_type: {t} is not supported; use IN (the only type the async task API takes too)")));
        }
        let values = strings(obj, &at, "filter_value", true)?;
        if values.is_empty() || values.len() > MAX_FILTER_VALUES {
            return Err(Error::config(format!("{at}.filter_value: must list 1 to {MAX_FILTER_VALUES} values")));
        }
        filters.push(ReportFilter { field, values: leak_strs(values) });
    }
    Ok(Box::leak(filters.into_boxed_slice()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(extra: Value) -> Value {
        let mut r = json!({"name": "my_report", "report_type": "BASIC", "data_level": "AUCTION_AD", "granularity": "DAILY", "metrics": ["spend", "clicks"]});
        r.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        r
    }

    fn error_of(reports: Value) -> String {
        parse(Some(&reports)).unwrap_err().message
    }

    #[test]
    fn a_custom_report_is_a_report_stream_keyed_by_id_time_and_breakdowns() {
        let defs = parse(Some(&json!([report(json!({"report_type": "AUDIENCE", "dimensions": ["language"], "lookback_days": 7,
            "filters": [{"field_name": "campaign_ids", "filter_value": ["1", "2"]}]}))]))).unwrap();
        let def = defs[0];
        assert_eq!(def.name, "my_report");
        assert_eq!(def.primary_key, ["ad_id", "stat_time_day", "language"]);
        assert_eq!(def.cursor, Some("stat_time_day"));
        let Source::Report(spec) = &def.source else { panic!("not a report") };
        assert_eq!(spec.lookback_days, Some(7));
        assert_eq!((spec.filters[0].field, spec.filters[0].values), ("campaign_ids", &["1", "2"][..]));
        let schema = def.json_schema();
        assert_eq!(schema["properties"]["language"]["type"], json!(["null", "string"]), "a new breakdown has a field");
        assert_eq!(schema["properties"]["metrics"]["properties"]["clicks"]["type"], json!(["null", "integer"]));
        assert_eq!(schema["properties"]["metrics"]["properties"]["spend"]["type"], json!(["null", "number"]));
    }

    #[test]
    fn each_invalid_form_is_its_own_config_error() {
        let cases = [
            (json!({"report_type": "BASICS"}), "custom_reports[0].report_type: \"BASICS\" is not one of BASIC, AUDIENCE"),
            (json!({"data_level": "AD"}), "custom_reports[0].data_level: \"AD\" is not one of"),
            (json!({"granularity": "WEEKLY"}), "custom_reports[0].granularity: \"WEEKLY\" is not one of"),
            (json!({"dimensions": ["gender"]}), "\"gender\" is not a breakdown of BASIC reports"),
            (json!({"dimensions": ["colour"]}), "\"colour\" is not a dimension TikTok documents"),
            (json!({"report_type": "AUDIENCE", "granularity": "HOURLY"}), "no HOURLY AUDIENCE reports"),
            (json!({"report_type": "AUDIENCE", "granularity": "LIFETIME"}), "no LIFETIME AUDIENCE reports"),
            (json!({"granularity": "LIFETIME", "dimensions": ["country_code"]}), "LIFETIME reports take no breakdown"),
            (json!({"report_type": "AUDIENCE", "dimensions": ["gender", "language"]}), "one audience dimension, or by age with gender"),
            (json!({"filters": [{"field_name": "country_code", "filter_value": ["US"]}]}), "custom_reports[0].filters[0]: TikTok filters on country_code only in reports broken down by it"),
            (json!({"metrics": ["spend", "Happiness!"]}), "\"Happiness!\" is not a metric name"),
            (json!({"metrics": []}), "at least one metric"),
            (json!({"metrics": vec!["spend"; 101]}), "TikTok takes at most 100"),
            (json!({"metrics": ["cash_spend"]}), "custom_reports[0].metrics: TikTok gives cash_spend for AUCTION_ADVERTISER DAILY reports only"),
            (json!({"data_level": "AUCTION_ADVERTISER", "granularity": "HOURLY", "metrics": ["voucher_spend"]}), "voucher_spend for AUCTION_ADVERTISER DAILY"),
            (json!({"data_level": "AUCTION_CAMPAIGN", "metrics": ["spend", "adgroup_name"]}), "custom_reports[0].metrics: \"adgroup_name\" is an attribute of ad groups: TikTok gives it at data_level AUCTION_ADGROUP or AUCTION_AD only, not AUCTION_CAMPAIGN"),
            (json!({"data_level": "AUCTION_ADGROUP", "metrics": ["ad_text"]}), "at data_level AUCTION_AD only, not AUCTION_ADGROUP"),
            (json!({"data_level": "AUCTION_ADVERTISER", "metrics": ["campaign_id"]}), "AUCTION_CAMPAIGN or AUCTION_ADGROUP or AUCTION_AD only, not AUCTION_ADVERTISER"),
            (json!({"report_type": "AUDIENCE", "dimensions": ["age"], "metrics": ["spend", "complete_payment"]}), "custom_reports[0].metrics: \"complete_payment\" is a website conversion metric: TikTok gives website and TikTok legs (and paid engaged views) in BASIC reports only, not AUDIENCE"),
            (json!({"data_level": "AUCTION_CAMPAIGN", "metrics": ["spend", "conversion_rate"]}), "custom_reports[0].metrics: \"conversion_rate\" is counted per optimisation goal, which the ad groups of a campaign can mix: TikTok gives it at data_level AUCTION_ADGROUP or AUCTION_AD only, not AUCTION_CAMPAIGN"),
            (json!({"granularity": "HOURLY", "metrics": ["total_purchase"]}), "not in HOURLY reports"),
            (json!({"name": "ads"}), "\"ads\" is a built-in stream"),
            (json!({"name": "My Report; drop"}), "is not a safe stream name"),
            (json!({"filters": [{"field_name": "ad_status", "filter_value": ["x"]}]}), "filters[0].field_name"),
            (json!({"filters": [{"field_name": "ad_ids", "filter_type": "NOT_IN", "filter_value": ["1"]}]}), "use IN"),
            (json!({"lookback_days": 400}), "lookback_days: must be a whole number from 0 to 364"),
        ];
        for (change, expected) in cases {
            let e = error_of(json!([report(change.clone())]));
            assert!(e.contains(expected), "{change}: {e}");
        }
        let e = error_of(json!([report(json!({})), report(json!({}))]));
        assert!(e.starts_with("custom_reports[1].name") && e.contains("unique"), "{e}");
        assert!(error_of(json!({"name": "x"})).contains("must be a list"));
    }

    #[test]
    fn a_name_the_catalogue_does_not_know_is_left_for_check_to_ask() {
        let defs = parse(Some(&json!([report(json!({})), report(json!({"name": "b", "metrics": ["spend", "brand_new_metric"]}))]))).unwrap();
        let unknown = unknown_metrics(&defs);
        assert_eq!(unknown.len(), 1);
        assert_eq!((unknown[0].0, unknown[0].2.clone()), (1, vec!["brand_new_metric"]));
        let schema = defs[1].json_schema();
        assert_eq!(schema["properties"]["metrics"]["properties"]["brand_new_metric"]["type"], json!(["null", "number"]));
    }

    #[test]
    fn the_spec_lists_what_is_allowed() {
        let spec = spec();
        assert_eq!(spec["items"]["properties"]["granularity"]["enum"], json!(GRANULARITIES));
        assert_eq!(spec["items"]["properties"]["metrics"]["items"]["pattern"], json!(METRIC_NAME_PATTERN));
    }
}
