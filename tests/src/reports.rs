//! `report/integrated/get/`: synchronous reports computed from the generated ads, with TikTok's
//! validation rules (report types, data levels, dimension and metric combinations, date spans,
//! filtering) and row semantics (string values, `-` for empty metrics, no zero-spend rows,
//! deleted entities only with STATUS_ALL).

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use serde_json::{json, Map, Value};

use crate::data::{mix, Account, Entity, Level};
use crate::server::{api_error, page_of, param_error, ApiError, Query};
use crate::SimConfig;

// The reference's metrics, with the values they always had; the metric table
// (`crate::metrics`) derives the others.

/// Counts: additive, rendered as integers.
pub const COUNT_METRICS: &[&str] = &[
    "impressions", "clicks", "reach", "conversion", "real_time_conversion", "result", "real_time_result",
    "video_play_actions", "video_watched_2s", "video_watched_6s", "video_views_p25", "video_views_p50",
    "video_views_p75", "video_views_p100", "profile_visits", "likes", "comments", "shares", "follows",
    "clicks_on_music_disc", "real_time_app_install", "app_install", "purchase", "registration", "sales_lead",
    "total_app_event_add_to_cart", "total_pageview", "complete_payment", "onsite_shopping", "vta_purchase",
    "vta_conversion", "cta_purchase", "cta_conversion",
];

/// Money: additive, rendered with two decimals.
pub const MONEY_METRICS: &[&str] =
    &["spend", "cash_spend", "voucher_spend", "total_purchase_value", "total_onsite_shopping_value"];

/// Derived from the additive ones (rates in percent units, costs per result).
pub const RATIO_METRICS: &[&str] = &[
    "cpc", "cpm", "ctr", "cost_per_1000_reached", "frequency", "cost_per_conversion", "conversion_rate",
    "real_time_cost_per_conversion", "real_time_conversion_rate", "cost_per_result", "result_rate",
    "real_time_cost_per_result", "real_time_result_rate", "average_video_play", "average_video_play_per_user",
    "value_per_complete_payment", "total_complete_payment_rate", "profile_visits_rate", "purchase_rate",
    "registration_rate", "sales_lead_rate", "cost_per_app_install", "cost_per_purchase", "cost_per_registration",
    "cost_per_sales_lead", "cost_per_total_sales_lead", "cost_per_total_app_event_add_to_cart",
    "real_time_app_install_cost",
];

/// No secondary goal is set on generated ad groups, so these are always `-`.
pub const EMPTY_METRICS: &[&str] = &["secondary_goal_result", "cost_per_secondary_goal_result", "secondary_goal_result_rate"];

/// A data level's rank: 0 advertiser, 1 campaign, 2 ad group, 3 ad.
fn rank(level: Level, advertiser_level: bool) -> u8 {
    match (advertiser_level, level) {
        (true, _) => 0,
        (false, Level::Campaign) => 1,
        (false, Level::AdGroup) => 2,
        (false, Level::Ad) => 3,
    }
}

const AUDIENCE_DIMENSIONS: &[&str] = &["gender", "age", "country_code", "province_id", "platform", "language", "placement", "ac"];
const GENDERS: &[&str] = &["MALE", "FEMALE", "NONE"];
const AGES: &[&str] = &["AGE_13_17", "AGE_18_24", "AGE_25_34", "AGE_35_44", "AGE_45_54", "AGE_55_100"];
const COUNTRIES: &[&str] = &["US", "GB", "DE", "FR", "JP"];
const PLATFORMS: &[&str] = &["ANDROID", "IOS", "PC"];
const PROVINCES: &[&str] = &["6254926", "5332921", "5128638", "4155751"];

#[derive(Clone, Copy, PartialEq)]
enum Time {
    Day,
    Hour,
    None,
}

struct ReportQuery {
    level: Level,
    advertiser_level: bool,
    audience: bool,
    id_dimension: String,
    time: Time,
    breakdowns: Vec<String>,
    metrics: Vec<String>,
    /// Inclusive local dates; None for lifetime.
    dates: Option<(NaiveDate, NaiveDate)>,
    include_deleted: bool,
    /// Id and country filters: (field, whether the value must be in the list, the list).
    filters: Vec<(String, bool, Vec<String>)>,
}

impl ReportQuery {
    /// Whether an ad is within the query's id filters: the scope TikTok's 20k-ads limit counts.
    fn in_scope(&self, ad: &Entity) -> bool {
        let id_filters = self.filters.iter().filter(|(field, ..)| ["campaign_ids", "adgroup_ids", "ad_ids"].contains(&field.as_str()));
        ad.topview == self.topview() && id_filters.into_iter().all(|(field, inside, values)| {
            let value = match field.as_str() {
                "campaign_ids" => &ad.campaign_id,
                "adgroup_ids" => ad.adgroup_id.as_ref().unwrap_or(&ad.id),
                _ => &ad.id,
            };
            values.contains(value) == *inside
        })
    }

    /// Whether the query asks for TopView rows (which then are the only ones).
    fn topview(&self) -> bool {
        self.filters.iter().any(|(field, ..)| field == "buying_type")
    }

    /// Whether an ad-hour (its ad, and the country it fell in) passes the query's filters.
    fn passes(&self, ad: &Entity, country: impl Fn() -> &'static str) -> bool {
        self.filters.iter().all(|(field, inside, values)| {
            let value = match field.as_str() {
                "campaign_ids" => ad.campaign_id.clone(),
                "adgroup_ids" => ad.adgroup_id.clone().unwrap_or_default(),
                "ad_ids" => ad.id.clone(),
                "country_code" => country().to_string(),
                _ => return true,
            };
            values.contains(&value) == *inside
        })
    }
}

fn string_array(q: &Query, key: &str, required: bool) -> Result<Vec<String>, ApiError> {
    match q.json_array(key)? {
        None if required => Err(param_error(format!("{key}: Missing data for required field."))),
        None => Ok(Vec::new()),
        Some(items) => items
            .into_iter()
            .map(|v| v.as_str().map(str::to_string).ok_or_else(|| param_error(format!("{key}: Not a valid string."))))
            .collect(),
    }
}

fn conflict() -> ApiError {
    param_error("Conflict occurs. The input params including metrics and dimensions have no relation.")
}

/// `task`: an async report task, which has no date-span limit.
fn parse(q: &Query, config: &SimConfig, task: bool) -> Result<ReportQuery, ApiError> {
    let report_type = q.required("report_type")?;
    let audience = match report_type {
        "BASIC" => false,
        "AUDIENCE" => true,
        "PLAYABLE_MATERIAL" | "CATALOG" | "BC" | "TT_SHOP" => {
            return Err(api_error(40002, format!("report_type {report_type} is not available for this advertiser.")))
        }
        other => return Err(param_error(format!("report_type: Invalid enum value {other}."))),
    };
    if let Some(service) = q.get("service_type") {
        if service != "AUCTION" && service != "RESERVATION" {
            return Err(param_error(format!("service_type: Invalid enum value {service}.")));
        }
    }
    let data_level = q.required("data_level")?;
    let (level, advertiser_level, id_dimension) = match data_level {
        "AUCTION_ADVERTISER" => (Level::Campaign, true, "advertiser_id"),
        "AUCTION_CAMPAIGN" => (Level::Campaign, false, "campaign_id"),
        "AUCTION_ADGROUP" => (Level::AdGroup, false, "adgroup_id"),
        "AUCTION_AD" => (Level::Ad, false, "ad_id"),
        other => return Err(param_error(format!("data_level: Invalid enum value {other}."))),
    };
    let dimensions = string_array(q, "dimensions", true)?;
    let mut time = Time::None;
    let mut breakdowns = Vec::new();
    let mut id_seen = false;
    for d in &dimensions {
        match d.as_str() {
            "stat_time_day" | "stat_time_hour" if time != Time::None => return Err(conflict()),
            "stat_time_day" => time = Time::Day,
            "stat_time_hour" if audience => return Err(conflict()),
            "stat_time_hour" => time = Time::Hour,
            id if id == id_dimension => id_seen = true,
            "advertiser_id" | "campaign_id" | "adgroup_id" | "ad_id" => return Err(conflict()),
            "country_code" => breakdowns.push(d.clone()),
            b if audience && AUDIENCE_DIMENSIONS.contains(&b) => breakdowns.push(d.clone()),
            other => return Err(param_error(format!("dimensions: Invalid dimension {other}."))),
        }
    }
    if !id_seen {
        return Err(conflict());
    }
    // An AUDIENCE report breaks down by one audience dimension, or by age with gender.
    let age_with_gender = breakdowns.len() == 2 && breakdowns.iter().all(|d| d == "age" || d == "gender");
    if audience && breakdowns.len() > 1 && !age_with_gender {
        return Err(conflict());
    }
    let metrics = match q.json_array("metrics")? {
        None => vec!["spend".to_string(), "impressions".to_string()],
        Some(_) => string_array(q, "metrics", false)?,
    };
    let lifetime = match q.get("query_lifetime") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(param_error("query_lifetime: Not a valid boolean.")),
    };
    let shape = crate::metrics::Shape {
        rank: rank(level, advertiser_level),
        daily: time == Time::Day && !lifetime,
        hourly: time == Time::Hour,
        audience,
        breakdowns: !breakdowns.is_empty(),
    };
    // Unknown names, attributes above their level, cash and voucher spend outside advertiser
    // daily reports, `conversion` above the ad group, website and TikTok legs in audience reports.
    let invalid: Vec<&str> = metrics.iter().map(String::as_str).filter(|m| crate::metrics::refused(m, &shape)).collect();
    if !invalid.is_empty() {
        let list: Vec<String> = invalid.iter().map(|m| format!("'{m}'")).collect();
        return Err(param_error(format!(
            "Please correct the information in invalid metric fields and try again. Invalid metric fields: [{}].",
            list.join(", ")
        )));
    }
    if task {
        task_rules(q, &metrics, &breakdowns)?;
    }
    let dates = if lifetime {
        if audience {
            return Err(param_error("query_lifetime: Lifetime queries are only supported for BASIC reports."));
        }
        if time != Time::None || !breakdowns.is_empty() {
            return Err(conflict());
        }
        None
    } else {
        let date = |key: &str| -> Result<NaiveDate, ApiError> {
            let raw = q.required(key)?;
            NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .ok()
                .filter(|_| raw.len() == 10)
                .ok_or_else(|| param_error(format!("{key}: Not a valid date, use the format YYYY-MM-DD.")))
        };
        let (start, end) = (date("start_date")?, date("end_date")?);
        if end < start {
            return Err(param_error("end_date: end_date must be later than or equal to start_date."));
        }
        let days = (end - start).num_days() + 1;
        let max = match time {
            Time::Day => 30,
            Time::Hour => 1,
            Time::None => 365,
        };
        if days > max && !task {
            return Err(param_error(format!(
                "The time span between start_date and end_date must not exceed {max} day{} for this query.",
                if max == 1 { "" } else { "s" }
            )));
        }
        if let Some(limit) = config.timeout_days.filter(|_| !task) {
            if days > limit as i64 {
                return Err(api_error(51001, "Internal service timeout. Please reduce the query size and retry later."));
            }
        }
        if let Some(limit) = config.too_large_days.filter(|_| !task) {
            if days > limit as i64 {
                return Err(api_error(
                    40067,
                    "Your query is too large, please reduce the query size (e.g. fewer metrics or time range) and retry after a while.",
                ));
            }
        }
        Some((start, end))
    };
    let (include_deleted, filters) = parse_filtering(q, level)?;
    // A country filter needs the country breakdown.
    if filters.iter().any(|(field, ..)| field == "country_code") && !breakdowns.iter().any(|d| d == "country_code") {
        return Err(param_error("filtering.country_code: filtering by country_code requires the country_code dimension."));
    }
    Ok(ReportQuery {
        level,
        advertiser_level,
        audience,
        id_dimension: id_dimension.to_string(),
        time,
        breakdowns,
        metrics,
        dates,
        include_deleted,
        filters,
    })
}

/// Reach-type (UV) metrics: the task API refuses them with audience dimensions, `country_code`
/// included, exactly the list DOC-TASK-CREATE gives (tiktok-api.md §4.9).
const UV_METRICS: &[&str] = &[
    "average_video_play_per_user", "frequency", "cost_per_1000_reached", "real_time_result", "real_time_result_rate",
    "real_time_cost_per_result", "result", "result_rate", "cost_per_result", "reach", "live_play_count",
];

/// What `report/task/create/` refuses that `report/integrated/get/` takes: filters other than
/// ids and countries (DOC-TASK-CREATE, tiktok-api.md §4.9), and UV metrics with breakdowns.
fn task_rules(q: &Query, metrics: &[String], breakdowns: &[String]) -> Result<(), ApiError> {
    if let Some(raw) = q.get("filtering") {
        let filters: Vec<Value> = serde_json::from_str(raw).map_err(|_| param_error("filtering: Field must be set to array"))?;
        for f in &filters {
            let field = f["field_name"].as_str().unwrap_or("");
            if !["campaign_ids", "adgroup_ids", "ad_ids", "country_code"].contains(&field) {
                return Err(param_error(format!(
                    "filtering.field_name: {field} is not supported by asynchronous reports; use campaign_ids, adgroup_ids, ad_ids or country_code."
                )));
            }
        }
    }
    let uv: Vec<&str> = metrics.iter().map(String::as_str).filter(|m| UV_METRICS.contains(m)).collect();
    if !breakdowns.is_empty() && !uv.is_empty() {
        return Err(param_error(format!(
            "Reach metrics {uv:?} are not supported with audience dimensions {breakdowns:?} in asynchronous reports."
        )));
    }
    Ok(())
}

/// How a task file writes a dimension value: countries by name (TikTok's known bug), the
/// other breakdowns by their labels (`13-17`, `female`, `Android`), ids and provinces as they are.
fn task_label(dimension: &str, code: &str) -> String {
    let label = match (dimension, code) {
        ("country_code", "US") => "United States",
        ("country_code", "GB") => "United Kingdom",
        ("country_code", "DE") => "Germany",
        ("country_code", "FR") => "France",
        ("country_code", "JP") => "Japan",
        ("age", age) => return age.trim_start_matches("AGE_").replacen('_', "-", 1).replace("55-100", "55+"),
        ("gender", "NONE") => "unknown",
        ("gender", gender) => return gender.to_ascii_lowercase(),
        ("platform", "ANDROID") => "Android",
        ("platform", "IOS") => "iOS",
        ("platform", "PC") => "PC",
        ("language" | "placement" | "ac", "UNKNOWN") => "Unknown",
        (_, other) => other,
    };
    label.to_string()
}

/// The v1.3 `filtering` list; true when it asks for deleted objects (STATUS_ALL) at this level.
/// The v1.2 `filters` parameter is not read at all, as in v1.3.
fn parse_filtering(q: &Query, level: Level) -> Result<(bool, Vec<(String, bool, Vec<String>)>), ApiError> {
    let Some(raw) = q.get("filtering") else { return Ok((false, Vec::new())) };
    let mut applied = Vec::new();
    let filters: Vec<Value> = match serde_json::from_str(raw) {
        Ok(Value::Array(items)) => items,
        _ => return Err(param_error("filtering: Field must be set to array")),
    };
    let mut all = Vec::new();
    for f in filters {
        let field = f["field_name"].as_str().ok_or_else(|| param_error("filtering.field_name: Missing data for required field."))?;
        let filter_type = f["filter_type"].as_str().ok_or_else(|| param_error("filtering.filter_type: Missing data for required field."))?;
        if !["IN", "NOT_IN", "CONTAIN_ANY_OF", "MATCH", "GREATER_EQUAL", "GREATER_THAN", "LOWER_EQUAL", "LOWER_THAN", "BETWEEN"].contains(&filter_type) {
            return Err(param_error(format!("filtering.filter_type: Invalid enum value {filter_type}.")));
        }
        // filter_value is a JSON array serialized into a string for IN.
        let values: Vec<String> = match f.get("filter_value") {
            Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
                Ok(Value::Array(v)) => v.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
                _ if filter_type == "IN" || filter_type == "NOT_IN" => {
                    return Err(param_error("filtering.filter_value: Must be a JSON array string for IN and NOT_IN."))
                }
                _ => vec![s.clone()],
            },
            _ => return Err(param_error("filtering.filter_value: Not a valid string.")),
        };
        match field {
            "ad_status" | "adgroup_status" | "campaign_status" => {
                if values.iter().any(|v| v != "STATUS_ALL" && v != "STATUS_NOT_DELETE" && v != "STATUS_DELETE") {
                    return Err(param_error(format!("filtering.{field}: Invalid enum value.")));
                }
                if values.iter().any(|v| v == "STATUS_ALL") {
                    all.push(field.to_string());
                }
            }
            "campaign_ids" | "adgroup_ids" | "ad_ids" | "country_code" => match filter_type {
                "IN" | "NOT_IN" if values.len() <= 100 => applied.push((field.to_string(), filter_type == "IN", values)),
                "IN" | "NOT_IN" => return Err(param_error(format!("filtering.{field}: Length must be between 1 and 100."))),
                other => return Err(param_error(format!("filtering.filter_type: {other} is not supported for {field}."))),
            },
            // TopView rows come back only under this filter, and then only they.
            "buying_type" => match (filter_type, values.as_slice()) {
                ("IN", [only]) if only == "RESERVATION_TOP_VIEW" => applied.push((field.to_string(), true, values)),
                ("IN", [only]) if only == "AUCTION" || only == "RESERVATION_RF" => {}
                _ => return Err(param_error("filtering.buying_type: use IN with one of AUCTION, RESERVATION_RF, RESERVATION_TOP_VIEW.")),
            },
            "promotion_type" | "campaign_automation_type" => {}
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

/// The additive values of one ad in one local hour; zero outside its delivery.
fn hour_values(ad: &Entity, day: NaiveDate, hour: u32, seed: u64) -> Option<[f64; 4]> {
    let created = ad.fields["create_time"].as_str().and_then(|t| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S").ok())?;
    if day < created.date() {
        return None;
    }
    let key = mix(seed ^ mix(ad.id.parse::<u64>().unwrap_or(0)) ^ ((day.num_days_from_ce() as u64) << 8) ^ hour as u64);
    // Ads deliver in about two thirds of the hours, more by day than by night.
    if key % 3 == 0 || (hour < 6 && key % 2 == 0) {
        return None;
    }
    let impressions = 200.0 + (key % 1800) as f64;
    let clicks = (impressions * ((key >> 12) % 30) as f64 / 1000.0).round();
    let spend = ((impressions * (4.0 + ((key >> 20) % 60) as f64 / 10.0) / 1000.0) * 100.0).round() / 100.0;
    let conversions = (clicks * ((key >> 28) % 20) as f64 / 100.0).round();
    Some([impressions, clicks, spend, conversions])
}

fn breakdown_values(dimension: &str) -> &'static [&'static str] {
    match dimension {
        "gender" => GENDERS,
        "age" => AGES,
        "country_code" => COUNTRIES,
        "platform" => PLATFORMS,
        "province_id" => PROVINCES,
        _ => &["UNKNOWN"],
    }
}

/// Which bucket of a breakdown an ad-hour falls in (audience reports split each ad's delivery).
fn bucket(ad: &Entity, day: NaiveDate, hour: u32, dimension: &str, seed: u64) -> &'static str {
    let values = breakdown_values(dimension);
    let key = mix(seed ^ mix(ad.id.len() as u64 + ad.id.parse::<u64>().unwrap_or(0)) ^ day.num_days_from_ce() as u64 ^ ((hour as u64) << 40) ^ dimension.len() as u64);
    values[(key % values.len() as u64) as usize]
}

use chrono::Datelike;

fn fmt_count(v: f64) -> Value {
    Value::String(format!("{}", v as u64))
}

fn fmt_money(v: f64) -> Value {
    Value::String(format!("{v:.2}"))
}

fn ratio(numerator: f64, denominator: f64, scale: f64) -> Value {
    if denominator == 0.0 { Value::String("0.00".into()) } else { Value::String(format!("{:.2}", numerator / denominator * scale)) }
}

/// Render the requested metrics of one row from its additive totals.
fn metric_values(metrics: &[String], totals: &[f64; 4], sample: &Entity, _level: Level, _advertiser_level: bool, key: u64) -> Map<String, Value> {
    let [impressions, clicks, spend, conversions] = *totals;
    let mut out = Map::new();
    for m in metrics {
        let m = m.as_str();
        let v = match m {
            "impressions" => fmt_count(impressions),
            "clicks" => fmt_count(clicks),
            "reach" => fmt_count((impressions * 0.8).round()),
            "conversion" | "result" | "real_time_conversion" | "real_time_result" => fmt_count(conversions),
            "spend" => fmt_money(spend),
            "cash_spend" => fmt_money((spend * 0.9 * 100.0).round() / 100.0),
            "voucher_spend" => fmt_money(spend - (spend * 0.9 * 100.0).round() / 100.0),
            "cpc" => ratio(spend, clicks, 1.0),
            "cpm" => ratio(spend, impressions, 1000.0),
            "ctr" => ratio(clicks, impressions, 100.0),
            "cost_per_1000_reached" => ratio(spend, (impressions * 0.8).round(), 1000.0),
            "frequency" => ratio(impressions, (impressions * 0.8).round(), 1.0),
            "cost_per_conversion" | "cost_per_result" | "real_time_cost_per_conversion" | "real_time_cost_per_result" => ratio(spend, conversions, 1.0),
            "conversion_rate" | "result_rate" | "real_time_conversion_rate" | "real_time_result_rate" => ratio(conversions, clicks, 100.0),
            m if EMPTY_METRICS.contains(&m) => Value::String("-".into()),
            m if COUNT_METRICS.contains(&m) => fmt_count((clicks * ((mix(key ^ m.len() as u64) % 50) as f64) / 100.0).round()),
            m if MONEY_METRICS.contains(&m) => fmt_money(conversions * 12.5),
            m if RATIO_METRICS.contains(&m) => ratio(spend, conversions.max(1.0) * 3.0, 1.0),
            // `parse` refused attributes above the query's level.
            "campaign_name" | "campaign_id" | "adgroup_name" | "adgroup_id" | "ad_name" | "ad_text" => sample.fields[m].clone(),
            "placement_type" => Value::String("Select placement".into()),
            "promotion_type" => Value::String("Website".into()),
            "tt_app_id" | "mobile_app_id" | "tt_app_name" => Value::String("0".into()),
            "dpa_target_audience_type" => Value::String("-".into()),
            "currency" => Value::String("USD".into()),
            "advertiser_id" => Value::String(sample.advertiser_id.clone()),
            "objective_type" => Value::String("WEB_CONVERSIONS".into()),
            "call_to_action" => Value::String("SHOP_NOW".into()),
            m => crate::metrics::derived_value(m, totals).unwrap_or_else(|| Value::String("-".into())),
        };
        out.insert(m.to_string(), v);
    }
    out
}

/// What one simulator remembers between report requests.
#[derive(Default)]
pub struct ReportState {
    /// Rows of recent queries, so paging through a large report computes it once (keyed by
    /// the query without its paging, and the size of the account).
    rows: std::sync::Mutex<Vec<(String, std::sync::Arc<Vec<Value>>)>>,
    /// Async report tasks by id.
    tasks: std::sync::Mutex<Vec<(String, Task)>>,
}

pub fn serve(q: &Query, account: &Account, config: &SimConfig, state: &ReportState) -> Result<(Value, Vec<(String, String)>), ApiError> {
    let advertiser = q.required("advertiser_id")?.to_string();
    let (page, size) = q.paging(10, 1000)?;
    let rq = parse(q, config, false)?;
    // TikTok counts the ads in the query's scope: id filters below the limit mean no truncation.
    let ads_in_scope = account.entities.iter().filter(|e| e.level == Level::Ad && e.advertiser_id == advertiser && rq.in_scope(e)).count();
    let truncated = ads_in_scope >= config.ads_throttle_threshold;
    let mut headers = Vec::new();
    if truncated {
        headers.push((
            "X-Tt-Ads-Throttle".to_string(),
            "Number of ad ids is equal or more than 20k, only return the top 20k id's results, sorting by create time desc order.".to_string(),
        ));
    }
    let mut key_parts: Vec<String> = q.0.iter().filter(|(k, _)| k.as_str() != "page" && k.as_str() != "page_size").map(|(k, v)| format!("{k}={v}")).collect();
    key_parts.sort();
    let key = format!(
        "{}|{}|{:?}|{}|{}|{}",
        config.seed,
        config.restatement,
        config.delivery,
        account.entities.len(),
        chrono::Utc::now().date_naive(),
        key_parts.join("&")
    );
    let cached = state.rows.lock().unwrap().iter().find(|(k, _)| *k == key).map(|(_, rows)| rows.clone());
    let rows = match cached {
        Some(rows) => rows,
        None => {
            // Over the limit, the synchronous report covers only the newest ads (TikTok: 20k).
            let newest = truncated.then_some(config.ads_throttle_threshold);
            let rows = std::sync::Arc::new(compute_rows(&rq, &advertiser, account, config, newest));
            let mut cache = state.rows.lock().unwrap();
            if cache.len() >= 32 {
                cache.remove(0);
            }
            cache.push((key, rows.clone()));
            rows
        }
    };
    Ok((page_of(&rows, "list", page, size), headers))
}

/// The rows of a report; with `newest`, only of that many most recently created ads (the
/// synchronous API's truncation).
fn compute_rows(rq: &ReportQuery, advertiser: &str, account: &Account, config: &SimConfig, newest: Option<usize>) -> Vec<Value> {
    let advertiser = advertiser.to_string();
    let mut ads: Vec<&Entity> =
        account.entities.iter().filter(|e| e.level == Level::Ad && e.advertiser_id == advertiser && rq.in_scope(e)).collect();
    if let Some(n) = newest {
        ads.sort_by(|a, b| b.fields["create_time"].as_str().cmp(&a.fields["create_time"].as_str()).then(b.id.cmp(&a.id)));
        ads.truncate(n);
    }
    ads.retain(|e| rq.include_deleted || !e.deleted);
    let parents: BTreeMap<&str, &Entity> = account.entities.iter().map(|e| (e.id.as_str(), e)).collect();
    let today = chrono::Utc::now().date_naive();
    let (first, last) = match rq.dates {
        Some(range) => range,
        None => (today - Duration::days(400), today),
    };
    // (row key) -> (totals, a representative entity for attribute metrics)
    let mut rows: BTreeMap<Vec<String>, ([f64; 4], &Entity)> = BTreeMap::new();
    let index = account.advertisers.iter().position(|a| a.id == advertiser);
    let delivers = |day| index.is_some_and(|i| config.delivery.delivers(i, account.advertisers.len(), day, config.seed));
    let mut day = first;
    while day <= last.min(today) {
        // On a day the advertiser delivered nothing, no level has a row.
        if !delivers(day) {
            day += Duration::days(1);
            continue;
        }
        for ad in &ads {
            let group_key = match rq.id_dimension.as_str() {
                "ad_id" => ad.id.clone(),
                "adgroup_id" => ad.adgroup_id.clone().unwrap_or_default(),
                "campaign_id" => ad.campaign_id.clone(),
                _ => advertiser.clone(),
            };
            // A deleted parent hides its children unless deleted rows were asked for.
            let representative = match rq.level {
                Level::Ad if !rq.advertiser_level => *ad,
                Level::AdGroup => parents[ad.adgroup_id.as_deref().unwrap_or("")],
                _ => parents[ad.campaign_id.as_str()],
            };
            if representative.deleted && !rq.include_deleted {
                continue;
            }
            for hour in 0..24 {
                let Some(mut values) = hour_values(ad, day, hour, config.seed) else { continue };
                if !rq.passes(ad, || bucket(ad, day, hour, "country_code", config.seed)) {
                    continue;
                }
                // Late conversions restate spend (and conversions) without changing which rows exist.
                values[2] = (values[2] * config.restatement * 100.0).round() / 100.0;
                values[3] = (values[3] * config.restatement).round();
                let mut key = vec![group_key.clone()];
                match rq.time {
                    Time::Day => key.push(format!("{} 00:00:00", day.format("%Y-%m-%d"))),
                    Time::Hour => key.push(format!("{} {hour:02}:00:00", day.format("%Y-%m-%d"))),
                    Time::None => {}
                }
                for b in &rq.breakdowns {
                    key.push(bucket(ad, day, hour, b, config.seed).to_string());
                }
                let entry = rows.entry(key).or_insert(([0.0; 4], representative));
                for (total, v) in entry.0.iter_mut().zip(values) {
                    *total += v;
                }
            }
        }
        day += Duration::days(1);
    }
    let mut list: Vec<Value> = Vec::new();
    for (key, (totals, representative)) in rows {
        // Only objects with cost come back.
        if totals[2] <= 0.0 {
            continue;
        }
        let mut dimensions = Map::new();
        dimensions.insert(rq.id_dimension.clone(), json!(key[0]));
        let mut rest = key[1..].iter();
        match rq.time {
            Time::Day => {
                dimensions.insert("stat_time_day".into(), json!(rest.next().unwrap()));
            }
            Time::Hour => {
                dimensions.insert("stat_time_hour".into(), json!(rest.next().unwrap()));
            }
            Time::None => {}
        }
        for (b, v) in rq.breakdowns.iter().zip(rest) {
            dimensions.insert(b.clone(), json!(v));
        }
        let metrics = metric_values(&rq.metrics, &totals, representative, rq.level, rq.advertiser_level, mix(key.join("|").len() as u64));
        list.push(json!({"dimensions": dimensions, "metrics": metrics}));
    }
    let _ = rq.audience;
    list
}

/// Async report tasks: created by POST, QUEUING → PROCESSING → SUCCESS over checks, then
/// downloaded as a CSV file (no 20k-ads truncation).
struct Task {
    advertiser: String,
    query: Query,
    checks: u32,
    canceled: bool,
    created: std::time::Instant,
}

pub fn serve_task(endpoint: &str, q: &Query, account: &Account, config: &SimConfig, state: &ReportState) -> Result<crate::endpoints::Served, ApiError> {
    let advertiser = q.required("advertiser_id")?.to_string();
    let data = match endpoint {
        "report/task/create" => {
            if !config.task_access {
                return Err(api_error(40118, "The app is not on the allowlist of asynchronous reports."));
            }
            let rq = parse(q, config, true)?;
            let days = rq.dates.map_or(0, |(start, end)| (end - start).num_days() + 1);
            if let Some(max) = config.task_span_days_max.filter(|max| days > *max as i64) {
                return Err(param_error(format!("The time span between start_date and end_date must not exceed {max} days for this task.")));
            }
            match q.get("output_format").unwrap_or("CSV_STRING") {
                "CSV_STRING" | "CSV_DOWNLOAD" | "XLSX_DOWNLOAD" => {}
                other => return Err(param_error(format!("output_format: Invalid enum value {other}."))),
            }
            let mut tasks = state.tasks.lock().unwrap();
            let hour_ago = std::time::Instant::now() - std::time::Duration::from_secs(3600);
            let recent = tasks.iter().filter(|(_, t)| t.advertiser == advertiser && t.created > hour_ago).count();
            if recent >= config.tasks_per_advertiser_hour {
                return Err(api_error(40100, format!(
                    "Advertiser {advertiser} reaches the limit of {} asynchronous report tasks per hour; please try again later.",
                    config.tasks_per_advertiser_hour
                )));
            }
            let task_id = format!("{}", 7_800_000_000_000_000u64 + tasks.len() as u64 + mix(config.seed) % 1000 * 1000);
            tasks.push((task_id.clone(), Task { advertiser, query: Query(q.0.clone()), checks: 0, canceled: false, created: std::time::Instant::now() }));
            json!({"task_id": task_id})
        }
        "report/task/check" | "report/task/download" | "report/task/cancel" => {
            let task_id = q.required("task_id")?;
            let mut tasks = state.tasks.lock().unwrap();
            let Some((_, task)) = tasks.iter_mut().find(|(id, t)| id == task_id && t.advertiser == advertiser) else {
                return Err(api_error(40007, format!("The task {task_id} does not exist.")));
            };
            let done = if config.fail_tasks { "FAILED" } else { "SUCCESS" };
            let status = |t: &Task| if t.canceled { "CANCELED" } else { ["QUEUING", "PROCESSING"].get(t.checks as usize).copied().unwrap_or(done) };
            match endpoint {
                "report/task/check" => {
                    let now = status(task);
                    task.checks += 1;
                    let message = if now == "FAILED" { "The report could not be generated." } else { "" };
                    json!({"status": now, "message": message})
                }
                "report/task/cancel" => {
                    task.canceled = true;
                    json!({"status": "CANCELED"})
                }
                _ => {
                    if status(task) != "SUCCESS" {
                        return Err(api_error(40201, "Task is not ready."));
                    }
                    let rq = parse(&task.query, config, true)?;
                    let translate = task.query.get("enable_report_title_translation") != Some("false");
                    let rows = compute_rows(&rq, &advertiser, account, config, None);
                    let mut columns: Vec<String> = Vec::new();
                    if let Some(first) = rows.first() {
                        columns.extend(first["dimensions"].as_object().unwrap().keys().cloned());
                        columns.extend(first["metrics"].as_object().unwrap().keys().cloned());
                    }
                    let header: Vec<String> = columns.iter().map(|c| if translate { title_case(c) } else { c.clone() }).collect();
                    let cell = |row: &Value, c: &str| match row["dimensions"].get(c).and_then(Value::as_str) {
                        Some(value) => task_label(c, value),
                        None => row["metrics"].get(c).and_then(Value::as_str).unwrap_or("").to_string(),
                    };
                    // TikTok's files start with a UTF-8 byte order mark.
                    let mut csv = "\u{feff}".as_bytes().to_vec();
                    {
                        let mut writer = csv::Writer::from_writer(&mut csv);
                        let written = std::iter::once(header)
                            .chain(rows.iter().map(|row| columns.iter().map(|c| cell(row, c)).collect()))
                            .try_for_each(|record| writer.write_record(&record));
                        written.and_then(|()| writer.flush().map_err(csv::Error::from)).map_err(|e| api_error(50000, format!("System error: {e}")))?;
                    }
                    return Ok(crate::endpoints::Served { data: Value::Null, headers: Vec::new(), raw: Some(("text/csv", csv)) });
                }
            }
        }
        _ => return Err(api_error(40400, "Route not found")),
    };
    Ok(data.into())
}

fn title_case(name: &str) -> String {
    name.split('_')
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

