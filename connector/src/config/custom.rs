//! Custom reports (`custom_reports` in the config): the user's own report type, data level,
//! granularity, breakdowns, metrics and filters, each read as a stream of its own by the same
//! machinery as the built-in reports. A custom report becomes a `StreamDef` built by the same
//! `streams::report` the built-in table uses; only its parts come from the config (and live
//! for the rest of the command). Each field of an entry is read and checked in `form.rs`.

mod form;
mod gmv_max;

use serde_json::{json, Map, Value};

use super::list;
use crate::error::{Error, Result};
use crate::metrics::{self, rules::ReportShape, MAX_METRICS};
use crate::schema::FieldType;
use crate::streams::{self, DataLevel, Granularity, ReportFilter, ReportType, Source, StreamDef};
use form::{leak_strs, names, AUDIENCE_BREAKDOWNS, FILTER_FIELDS, MAX_FILTER_VALUES};

/// The `report_type` of a GMV Max custom report (`gmv_max/report/get/`).
const GMV_MAX: &str = "GMV_MAX";

/// A metric name TikTok could ship: what any of its names looks like.
pub const METRIC_NAME_PATTERN: &str = "^[a-z][a-z0-9_]{0,99}$";

/// The `custom_reports` part of the spec, so a UI can render the form.
pub fn spec() -> Value {
    json!({
        "title": "Custom Reports",
        "description": "Reports of your own, each read as a stream named by `name` (lowercase letters, digits and _, starting with a letter, not a built-in stream's name). Its key is the data level's id, the time dimension and the breakdowns; its cursor the time dimension.",
        "type": "array",
        "order": 8,
        "items": {
            "type": "object",
            "required": ["name", "report_type", "metrics"],
            "properties": {
                "name": {"title": "Stream Name", "type": "string", "pattern": "^[a-z][a-z0-9_]{0,62}$", "order": 0},
                "report_type": {"title": "Report Type", "description": "BASIC and AUDIENCE: report/integrated/get/ (data_level and granularity required). GMV_MAX: TikTok Shop's GMV Max report, read per store: dimensions name its ids and one time dimension, promotion_type PRODUCT or LIVE where TikTok needs it, filters on campaign_ids, item_group_ids, item_ids, room_ids.", "type": "string", "enum": names(&ReportType::ALL, ReportType::api_name).into_iter().chain([GMV_MAX]).collect::<Vec<_>>(), "order": 1},
                "promotion_type": {"title": "GMV Max Promotion Type", "type": "string", "enum": ["PRODUCT", "LIVE"], "order": 9},
                "data_level": {"title": "Data Level", "type": "string", "enum": names(&DataLevel::ALL, DataLevel::api_name), "order": 2},
                "granularity": {"title": "Granularity", "description": "HOURLY is for BASIC reports only; LIFETIME for BASIC reports without breakdowns.", "type": "string", "enum": names(&Granularity::ALL, Granularity::name), "order": 3},
                "dimensions": {
                    "title": "Breakdowns",
                    "description": "Besides the id and time dimensions: BASIC reports take country_code; AUDIENCE reports gender, age, country_code, province_id, platform, language, placement, ac. At AUCTION_AD, ad_id_v2 keys rows by the Smart+ ad instead of ad_id (its creatives), filtered by ad_ids_v2 rather than ad_ids. GMV_MAX reports name all their dimensions here.",
                    "type": "array", "uniqueItems": true, "items": {"type": "string", "enum": AUDIENCE_BREAKDOWNS.iter().chain(&["ad_id_v2"]).chain(crate::metrics::gmv_max::ID_DIMENSIONS).chain(gmv_max::TIME_DIMENSIONS).collect::<Vec<_>>()}, "order": 4
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
                        "field_name": {"type": "string", "enum": FILTER_FIELDS.iter().chain(gmv_max::FILTER_FIELDS.iter().filter(|f| !FILTER_FIELDS.contains(f))).collect::<Vec<_>>()},
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
    let mut defs: Vec<&'static StreamDef> = Vec::new();
    for (at, item) in list::entries(value, "custom_reports", "reports")? {
        let obj = item.as_object().ok_or_else(|| Error::config(format!("{at}: must be an object")))?;
        let def = parse_one(obj, &at)?;
        if defs.iter().any(|d| d.name == def.name) {
            return Err(Error::config(format!(
                "{at}.name: {:?} is the name of another custom report; names must be unique",
                def.name
            )));
        }
        defs.push(def);
    }
    Ok(defs)
}

fn leak<T>(value: T) -> &'static T {
    Box::leak(Box::new(value))
}

/// A custom report as its config entry describes it, every part checked.
struct CustomReport {
    name: String,
    shape: ReportShape,
    breakdowns: Vec<String>,
    metrics: Vec<String>,
    filters: &'static [ReportFilter],
    lookback_days: Option<u32>,
    /// Rows by the Smart+ ad (`ad_id_v2`) instead of `ad_id` (a creative of a Smart+ ad).
    by_smart_plus_ad: bool,
}

/// One entry of `custom_reports` as a report stream, checked part by part in the order the
/// form lists them; the first fault is the error.
fn parse_one(obj: &Map<String, Value>, at: &str) -> Result<&'static StreamDef> {
    if obj.get("report_type").and_then(Value::as_str) == Some(GMV_MAX) {
        return Ok(leak(gmv_max::parse_one(obj, at)?));
    }
    let name = form::stream_name(obj, at)?;
    let (report_type, level, granularity) = form::report_kind(obj, at)?;
    let (obj, by_smart_plus_ad) = &form::smart_plus_ad_dimension(obj, at, level)?;
    let breakdowns = form::breakdowns(obj, at, report_type, granularity)?;
    let shape = ReportShape { report_type, level, granularity, breakdowns: !breakdowns.is_empty() };
    let metrics = form::metric_names(obj, at, &shape)?;
    if *by_smart_plus_ad && metrics.iter().any(|m| m == "ad_id") {
        return Err(Error::config(format!(
            "{at}.metrics: TikTok refuses the ad_id attribute with ad_id_v2 (DOC-SYNC): rows by the Smart+ ad have no creative ad_id"
        )));
    }
    let report = CustomReport {
        metrics,
        filters: form::filters(obj, at, &breakdowns, *by_smart_plus_ad)?,
        by_smart_plus_ad: *by_smart_plus_ad,
        lookback_days: form::lookback_days(obj, at)?,
        name,
        shape,
        breakdowns,
    };
    Ok(leak(report.into_def()))
}

impl CustomReport {
    /// The report's stream, made by `streams::report` as the built-in ones are, with the
    /// report's filters and lookback.
    fn into_def(self) -> StreamDef {
        let ReportShape { report_type, level, granularity, .. } = self.shape;
        // The dimensions of the query: the level's id, the time, then the breakdowns.
        let id = if self.by_smart_plus_ad { "ad_id_v2" } else { level.id_dimension() };
        let mut dimensions = vec![id.to_string()];
        dimensions.extend(granularity.time_dimension().map(str::to_string));
        dimensions.extend(self.breakdowns);
        let dimensions = leak_strs(dimensions);
        let metric_set: &'static [&'static [&'static str]] =
            Box::leak(vec![leak_strs(self.metrics)].into_boxed_slice());
        let mut def = streams::report(
            Box::leak(self.name.into_boxed_str()),
            report_type,
            level,
            granularity,
            dimensions,
            metric_set,
            true,
        );
        if let Source::Report(spec) = &mut def.source {
            spec.filters = self.filters;
            spec.lookback_days = self.lookback_days;
        }
        // Breakdowns the built-in reports never use get a field of their own.
        let aliases: &[&'static str] = if self.by_smart_plus_ad { &["smart_plus_ad_id"] } else { &[] };
        let extra: Vec<(&'static str, FieldType)> = dimensions
            .iter()
            .chain(aliases)
            .filter(|d| !def.fields.iter().any(|(f, _)| f == *d))
            .map(|d| (*d, FieldType::Str))
            .collect();
        if !extra.is_empty() {
            def.fields = Box::leak(def.fields.iter().copied().chain(extra).collect::<Vec<_>>().into_boxed_slice());
        }
        def
    }
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
        let defs = parse(Some(&json!([report(
            json!({"report_type": "AUDIENCE", "dimensions": ["language"], "lookback_days": 7,
            "filters": [{"field_name": "campaign_ids", "filter_value": ["1", "2"]}]})
        )])))
        .unwrap();
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
            (json!({"data_level": "AUCTION_CAMPAIGN", "metrics": ["campaign_id"]}), "AUCTION_ADGROUP or AUCTION_AD only, not AUCTION_CAMPAIGN"),
            (json!({"report_type": "AUDIENCE", "dimensions": ["age"], "metrics": ["spend", "complete_payment"]}), "custom_reports[0].metrics: \"complete_payment\" is a website conversion metric: TikTok gives website and TikTok legs (and paid engaged views) in BASIC reports only, not AUDIENCE"),
            (json!({"data_level": "AUCTION_CAMPAIGN", "metrics": ["spend", "conversion_rate"]}), "custom_reports[0].metrics: \"conversion_rate\" is counted per optimisation goal, which the ad groups of a campaign can mix: TikTok gives it at data_level AUCTION_ADGROUP or AUCTION_AD only, not AUCTION_CAMPAIGN"),
            (json!({"granularity": "HOURLY", "metrics": ["total_purchase"]}), "not in HOURLY reports"),
            (json!({"name": "ads"}), "\"ads\" is a built-in stream"),
            (json!({"name": "My Report; drop"}), "is not a safe stream name"),
            (json!({"filters": [{"field_name": "ad_status", "filter_value": ["x"]}]}), "filters[0].field_name"),
            (json!({"filters": [{"field_name": "ad_ids", "filter_type": "NOT_IN", "filter_value": ["1"]}]}), "use IN"),
            (json!({"lookback_days": 400}), "lookback_days: must be a whole number from 0 to 364"),
            (json!({"data_level": "AUCTION_ADGROUP", "dimensions": ["ad_id_v2"]}), "ad_id_v2 is the Smart+ ad: an AUCTION_AD dimension"),
            (json!({"dimensions": ["ad_id_v2"], "filters": [{"field_name": "ad_ids", "filter_value": ["1"]}]}), "TikTok refuses ad_ids with ad_id_v2 (DOC-SYNC); filter on ad_ids_v2"),
            (json!({"filters": [{"field_name": "ad_ids_v2", "filter_value": ["1"]}]}), "ad_ids_v2 filters rows by the Smart+ ad: add \"ad_id_v2\" to dimensions"),
            (json!({"dimensions": ["ad_id_v2"], "metrics": ["spend", "ad_id"]}), "TikTok refuses the ad_id attribute with ad_id_v2"),
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
        let defs = parse(Some(&json!([
            report(json!({})),
            report(json!({"name": "b", "metrics": ["spend", "brand_new_metric"]}))
        ])))
        .unwrap();
        let unknown = unknown_metrics(&defs);
        assert_eq!(unknown.len(), 1);
        assert_eq!((unknown[0].0, unknown[0].2.clone()), (1, vec!["brand_new_metric"]));
        let schema = defs[1].json_schema();
        assert_eq!(
            schema["properties"]["metrics"]["properties"]["brand_new_metric"]["type"],
            json!(["null", "number"])
        );
    }

    #[test]
    fn the_spec_lists_what_is_allowed() {
        let spec = spec();
        assert_eq!(spec["items"]["properties"]["report_type"]["enum"], json!(["BASIC", "AUDIENCE", "GMV_MAX"]));
        assert_eq!(
            spec["items"]["properties"]["data_level"]["enum"],
            json!(["AUCTION_ADVERTISER", "AUCTION_CAMPAIGN", "AUCTION_ADGROUP", "AUCTION_AD"])
        );
        assert_eq!(spec["items"]["properties"]["granularity"]["enum"], json!(["DAILY", "HOURLY", "LIFETIME"]));
        assert_eq!(spec["items"]["properties"]["metrics"]["items"]["pattern"], json!(METRIC_NAME_PATTERN));
    }
}
