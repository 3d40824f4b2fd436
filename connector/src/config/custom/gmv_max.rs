//! A `custom_reports` entry with `"report_type": "GMV_MAX"`: the user's own grain of
//! `gmv_max/report/get/` (dimensions, promotion type, metrics, id filters), read per store as
//! the built-in GMV Max grains are, and checked against TikTok's GMV Max rules before any
//! request (gmv-max-smart-plus.md §1.3–1.6): a dimension set TikTok answers, the time it
//! takes, the promotion type it needs, the id filters and their sizes, where each metric is given.

use serde_json::{Map, Value};

use super::form::{checked_metric_names, filters_of, leak_strs, lookback_days, stream_name, strings};
use crate::error::{Error, Result};
use crate::metrics::gmv_max::{combination_of, refusal, Combination, Promotion, ID_DIMENSIONS};
use crate::streams::gmv_max::{GmvReport, Scope};
use crate::streams::gmv_report;
use crate::streams::{Granularity, ReportFilter, StreamDef};

/// The `filtering` keys of a GMV Max report a custom report may set (§1.5); the promotion type
/// has its own field.
pub const FILTER_FIELDS: &[&str] = &["campaign_ids", "item_group_ids", "item_ids", "room_ids"];
pub const TIME_DIMENSIONS: &[&str] = &["stat_time_day", "stat_time_hour"];

/// The entry as a GMV Max report stream, keyed by the advertiser, the store and its dimensions.
pub fn parse_one(obj: &Map<String, Value>, at: &str) -> Result<StreamDef> {
    let name = stream_name(obj, at)?;
    let dimensions = strings(obj, at, "dimensions", true)?;
    let (combination, granularity) = dimension_set(&dimensions, at)?;
    let promotion = promotion(obj, at, combination)?;
    let filters = filters_of(obj, at, FILTER_FIELDS)?;
    check_id_filters(filters, combination, at)?;
    // The time dimension last, as the stream table writes them.
    let mut ordered: Vec<String> =
        dimensions.iter().filter(|d| !TIME_DIMENSIONS.contains(&d.as_str())).cloned().collect();
    ordered.extend(granularity.time_dimension().map(str::to_string));
    let dimensions = leak_strs(ordered);
    let metrics = checked_metric_names(obj, at, |m| refusal(m, dimensions, promotion))?;
    let mut key = vec!["advertiser_id".to_string(), "store_id".to_string()];
    key.extend(dimensions.iter().filter(|d| **d != "advertiser_id").map(|d| d.to_string()));
    let spec = GmvReport {
        dimensions,
        promotion,
        granularity,
        metrics: Box::leak(vec![leak_strs(metrics)].into_boxed_slice()),
        scope: Scope::Store,
        fallback: None,
        filters,
        lookback_days: lookback_days(obj, at)?,
    };
    Ok(gmv_report(Box::leak(name.into_boxed_str()), leak_strs(key), spec))
}

/// The dimensions: one set TikTok answers and one time dimension it takes with that set.
fn dimension_set(dimensions: &[String], at: &str) -> Result<(&'static Combination, Granularity)> {
    let at = format!("{at}.dimensions");
    if let Some(d) =
        dimensions.iter().find(|d| !ID_DIMENSIONS.contains(&d.as_str()) && !TIME_DIMENSIONS.contains(&d.as_str()))
    {
        return Err(Error::config(format!(
            "{at}: {d:?} is not a GMV Max dimension (ids: {}; time: {})",
            ID_DIMENSIONS.join(", "),
            TIME_DIMENSIONS.join(", ")
        )));
    }
    let times: Vec<&str> = dimensions.iter().map(String::as_str).filter(|d| TIME_DIMENSIONS.contains(d)).collect();
    let granularity = match times[..] {
        ["stat_time_day"] => Granularity::Daily,
        ["stat_time_hour"] => Granularity::Hourly,
        _ => {
            return Err(Error::config(format!(
                "{at}: name one time dimension, stat_time_day or stat_time_hour (TikTok's spans: 30 days, 1 day)"
            )))
        }
    };
    let ids: Vec<&str> = dimensions.iter().map(String::as_str).filter(|d| ID_DIMENSIONS.contains(d)).collect();
    let combination = combination_of(&ids).ok_or_else(|| {
        let sets: Vec<String> = crate::metrics::gmv_max::COMBINATIONS.iter().map(|c| format!("{:?}", c.ids)).collect();
        Error::config(format!(
            "{at}: TikTok has no GMV Max report by {ids:?}; its id dimension sets are {}",
            sets.join(", ")
        ))
    })?;
    if granularity == Granularity::Hourly && !combination.hourly {
        return Err(Error::config(format!("{at}: TikTok gives {ids:?} by day only; use stat_time_day")));
    }
    Ok((combination, granularity))
}

/// `promotion_type`: PRODUCT or LIVE; required where TikTok needs one type (the campaign grain).
fn promotion(obj: &Map<String, Value>, at: &str, combination: &Combination) -> Result<Option<Promotion>> {
    let promotion = match obj.get("promotion_type") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s == "PRODUCT" => Some(Promotion::Product),
        Some(Value::String(s)) if s == "LIVE" => Some(Promotion::Live),
        Some(other) => {
            return Err(Error::config(format!("{at}.promotion_type: {other} is not PRODUCT or LIVE (the report's names; the campaign list's PRODUCT_GMV_MAX is not taken here)")))
        }
    };
    if combination.one_promotion && promotion.is_none() {
        return Err(Error::config(format!(
            "{at}.promotion_type: TikTok reports by {:?} for one promotion type: PRODUCT or LIVE",
            combination.ids
        )));
    }
    Ok(promotion)
}

/// The id filters the dimension set needs, within TikTok's sizes.
fn check_id_filters(filters: &[ReportFilter], combination: &Combination, at: &str) -> Result<()> {
    let count = |field: &str| filters.iter().find(|f| f.field == field).map_or(0, |f| f.values.len());
    for (field, (least, most)) in
        [("campaign_ids", combination.campaign_ids), ("item_group_ids", combination.item_group_ids)]
    {
        let n = count(field);
        if n < least || n > most {
            let wanted = match (least, most) {
                (0, 0) => "none".to_string(),
                (l, m) if l == m => format!("exactly {l}"),
                (l, m) => format!("{l} to {m}"),
            };
            return Err(Error::config(format!(
                "{at}.filters: TikTok's GMV Max report by {:?} takes {wanted} {field}, not {n}",
                combination.ids
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(extra: Value) -> Map<String, Value> {
        let mut e = json!({"name": "shop", "report_type": "GMV_MAX", "dimensions": ["campaign_id", "stat_time_day"],
            "promotion_type": "PRODUCT", "metrics": ["cost", "orders"]});
        e.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        e.as_object().unwrap().clone()
    }

    #[test]
    fn a_gmv_max_custom_report_is_keyed_by_advertiser_store_and_dimensions() {
        let def = parse_one(&entry(json!({"dimensions": ["stat_time_day", "campaign_id"]})), "r").unwrap();
        assert_eq!(def.primary_key, ["advertiser_id", "store_id", "campaign_id", "stat_time_day"]);
        assert_eq!(def.cursor, Some("stat_time_day"));
        let schema = def.json_schema();
        assert_eq!(schema["properties"]["metrics"]["properties"]["orders"]["type"], json!(["null", "integer"]));
    }

    #[test]
    fn each_rule_tiktok_refuses_is_caught() {
        let cases = [
            (
                json!({"dimensions": ["campaign_id", "stat_time_day", "gender"]}),
                "\"gender\" is not a GMV Max dimension",
            ),
            (json!({"dimensions": ["campaign_id"]}), "name one time dimension"),
            (json!({"dimensions": ["advertiser_id", "item_id", "stat_time_day"]}), "no GMV Max report by"),
            (json!({"dimensions": ["campaign_id", "item_group_id", "stat_time_hour"]}), "by day only"),
            (json!({"promotion_type": null}), "for one promotion type"),
            (json!({"promotion_type": "PRODUCT_GMV_MAX"}), "is not PRODUCT or LIVE"),
            (
                json!({"dimensions": ["campaign_id", "item_group_id", "stat_time_day"]}),
                "takes 1 to 100 campaign_ids, not 0",
            ),
            (
                json!({"dimensions": ["item_id", "stat_time_day"], "filters": [{"field_name": "campaign_ids", "filter_value": ["1"]}]}),
                "exactly 1 item_group_ids",
            ),
            (json!({"filters": [{"field_name": "campaign_ids", "filter_value": vec!["1"; 101]}]}), "1 to 100 values"),
            (json!({"filters": [{"field_name": "store_ids", "filter_value": ["1"]}]}), "field_name"),
            (json!({"metrics": ["spend"]}), "spend is not a GMV Max metric"),
            (json!({"metrics": ["cost", "product_impressions"]}), "product_impressions (Funnel)"),
            (
                json!({"dimensions": ["campaign_id", "item_group_id", "stat_time_day"], "promotion_type": null,
                "filters": [{"field_name": "campaign_ids", "filter_value": ["1"]}], "metrics": ["cost", "campaign_name"]}),
                "campaign_name is an attribute of campaign_id",
            ),
            (json!({"promotion_type": "LIVE", "metrics": ["roas_bid"]}), "roas_bid"),
        ];
        for (change, expected) in cases {
            let e = parse_one(&entry(change.clone()), "custom_reports[0]").unwrap_err();
            assert!(e.message.contains(expected), "{change}: {}", e.message);
            assert_eq!(e.kind, crate::error::Kind::Config);
        }
    }
}
