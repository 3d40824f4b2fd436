//! The rows of a report: computed from the generated ads hour by hour, summed by the query's
//! keys, with string values and no zero-spend rows.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use serde_json::{json, Map, Value};

use super::query::*;
use super::vocabulary::*;
use crate::config::SimConfig;
use crate::data::{mix, Account, Entity, Level};

/// The additive values of one ad in one local hour; zero outside its delivery.
pub(super) fn hour_values(ad: &Entity, day: NaiveDate, hour: u32, seed: u64) -> Option<[f64; 4]> {
    let created = ad.fields["create_time"]
        .as_str()
        .and_then(|t| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S").ok())?;
    if day < created.date() {
        return None;
    }
    let key = mix(seed ^ mix(ad.id.parse::<u64>().unwrap_or(0)) ^ ((day.num_days_from_ce() as u64) << 8) ^ hour as u64);
    // Ads deliver in about two thirds of the hours, more by day than by night.
    if key.is_multiple_of(3) || (hour < 6 && key.is_multiple_of(2)) {
        return None;
    }
    let impressions = 200.0 + (key % 1800) as f64;
    let clicks = (impressions * ((key >> 12) % 30) as f64 / 1000.0).round();
    let spend = ((impressions * (4.0 + ((key >> 20) % 60) as f64 / 10.0) / 1000.0) * 100.0).round() / 100.0;
    let conversions = (clicks * ((key >> 28) % 20) as f64 / 100.0).round();
    Some([impressions, clicks, spend, conversions])
}

/// A breakdown's buckets; with `unknown` (tiktok-api.md §15 R10), ages and platforms have
/// an unknown one too, as genders always do.
pub(super) fn breakdown_values(dimension: &str, unknown: bool) -> &'static [&'static str] {
    match (dimension, unknown) {
        ("gender", _) => GENDERS,
        ("age", false) => AGES,
        ("age", true) => AGES_WITH_UNKNOWN,
        ("country_code", _) => COUNTRIES,
        ("platform", false) => PLATFORMS,
        ("platform", true) => PLATFORMS_WITH_UNKNOWN,
        ("province_id", _) => PROVINCES,
        _ => &["UNKNOWN"],
    }
}

/// Which bucket of a breakdown an ad-hour falls in (audience reports split each ad's delivery).
pub(super) fn bucket(ad: &Entity, day: NaiveDate, hour: u32, dimension: &str, config: &SimConfig) -> &'static str {
    let values = breakdown_values(dimension, config.readings.unknown_label.is_some());
    let seed = config.account.seed;
    let key = mix(seed
        ^ mix(ad.id.len() as u64 + ad.id.parse::<u64>().unwrap_or(0))
        ^ day.num_days_from_ce() as u64
        ^ ((hour as u64) << 40)
        ^ dimension.len() as u64);
    values[(key % values.len() as u64) as usize]
}

use chrono::Datelike;

pub(super) fn fmt_count(v: f64) -> Value {
    Value::String(format!("{}", v as u64))
}

pub(super) fn fmt_money(v: f64) -> Value {
    Value::String(format!("{v:.2}"))
}

pub(super) fn ratio(numerator: f64, denominator: f64, scale: f64) -> Value {
    if denominator == 0.0 {
        Value::String("0.00".into())
    } else {
        Value::String(format!("{:.2}", numerator / denominator * scale))
    }
}

/// Render the requested metrics of one row from its additive totals.
pub(super) fn metric_values(metrics: &[String], totals: &Values, sample: &Entity, key: u64) -> Map<String, Value> {
    let [impressions, clicks, spend, conversions, late] = *totals;
    let mut out = Map::new();
    for m in metrics {
        let m = m.as_str();
        let v = match m {
            "impressions" => fmt_count(impressions),
            "clicks" => fmt_count(clicks),
            "reach" => fmt_count((impressions * 0.8).round()),
            "conversion" | "result" => fmt_count(conversions),
            "real_time_conversion" | "real_time_result" => fmt_count(late),
            // A row of late conversions alone (no impression that day): installs among them.
            "real_time_app_install" if impressions == 0.0 => fmt_count(late),
            "spend" => fmt_money(spend),
            "cash_spend" => fmt_money((spend * 0.9 * 100.0).round() / 100.0),
            "voucher_spend" => fmt_money(spend - (spend * 0.9 * 100.0).round() / 100.0),
            "cpc" => ratio(spend, clicks, 1.0),
            "cpm" => ratio(spend, impressions, 1000.0),
            "ctr" => ratio(clicks, impressions, 100.0),
            "cost_per_1000_reached" => ratio(spend, (impressions * 0.8).round(), 1000.0),
            "frequency" => ratio(impressions, (impressions * 0.8).round(), 1.0),
            "cost_per_conversion" | "cost_per_result" => ratio(spend, conversions, 1.0),
            "real_time_cost_per_conversion" | "real_time_cost_per_result" => ratio(spend, late, 1.0),
            "conversion_rate" | "result_rate" => ratio(conversions, clicks, 100.0),
            "real_time_conversion_rate" | "real_time_result_rate" => ratio(late, clicks, 100.0),
            m if EMPTY_METRICS.contains(&m) => Value::String("-".into()),
            m if COUNT_METRICS.contains(&m) => {
                fmt_count((clicks * ((mix(key ^ m.len() as u64) % 50) as f64) / 100.0).round())
            }
            m if MONEY_METRICS.contains(&m) => fmt_money(conversions * 12.5),
            m if RATIO_METRICS.contains(&m) => ratio(spend, conversions.max(1.0) * 3.0, 1.0),
            // `parse` refused attributes above the query's level.
            "campaign_name" | "campaign_id" | "adgroup_name" | "adgroup_id" | "ad_id" | "ad_name" | "ad_text" => {
                sample.fields[m].clone()
            }
            // GO `report/metrics.go`: MANUAL unless the object is a Smart+ one (`row` turns a
            // creative's value into its ad's on ad_id_v2 rows).
            "campaign_automation_type" => Value::String(sample.fields[m].as_str().unwrap_or("MANUAL").to_string()),
            "placement_type" => Value::String("Select placement".into()),
            "promotion_type" => Value::String("Website".into()),
            "tt_app_id" | "mobile_app_id" | "tt_app_name" => Value::String("0".into()),
            "dpa_target_audience_type" => Value::String("-".into()),
            "currency" => Value::String("USD".into()),
            "advertiser_id" => Value::String(sample.advertiser_id.clone()),
            "objective_type" => Value::String("WEB_CONVERSIONS".into()),
            "call_to_action" => Value::String("SHOP_NOW".into()),
            m => crate::metrics::derived_value(m, &[impressions, clicks, spend, conversions])
                .unwrap_or_else(|| Value::String("-".into())),
        };
        out.insert(m.to_string(), v);
    }
    out
}

/// The rows of a report; with `newest`, only of that many most recently created ads (the
/// synchronous API's truncation).
pub(super) fn compute_rows(
    rq: &ReportQuery,
    advertiser: &str,
    account: &Account,
    config: &SimConfig,
    newest: Option<usize>,
) -> Vec<Value> {
    let ads = ads_in_query(rq, advertiser, account, newest);
    totals(rq, advertiser, &ads, account, config)
        .into_iter()
        // Only objects with cost come back, or with conversions counted by conversion time
        // (which the query asked for, or they would not be there).
        .filter(|(_, (totals, _))| totals[2] > 0.0 || totals[4] > 0.0)
        .map(|(key, (totals, representative))| row(rq, &key, &totals, representative))
        .collect()
}

/// The advertiser's ads in the query's scope: the newest `newest` of them when TikTok
/// truncates, deleted ones only when asked for.
fn ads_in_query<'a>(
    rq: &ReportQuery,
    advertiser: &str,
    account: &'a Account,
    newest: Option<usize>,
) -> Vec<&'a Entity> {
    let mut ads: Vec<&Entity> = account
        .entities
        .iter()
        .filter(|e| e.level == Level::Ad && e.advertiser_id == advertiser && rq.in_scope(e))
        .collect();
    if let Some(n) = newest {
        ads.sort_by(|a, b| {
            b.fields["create_time"].as_str().cmp(&a.fields["create_time"].as_str()).then(b.id.cmp(&a.id))
        });
        ads.truncate(n);
    }
    ads.retain(|e| rq.include_deleted || !e.deleted);
    ads
}

/// The additive values of a row: impressions, clicks, spend, conversions (by impression time)
/// and conversions by conversion time (`real_time_*`).
pub(super) type Values = [f64; 5];

/// A row's key (its id, time and breakdown values) and its totals, with a representative
/// entity for attribute metrics.
type Totals<'a> = BTreeMap<Vec<String>, (Values, &'a Entity)>;

/// Every ad-hour of the query's days, summed into the rows it falls in.
fn totals<'a>(
    rq: &ReportQuery,
    advertiser: &str,
    ads: &[&'a Entity],
    account: &'a Account,
    config: &SimConfig,
) -> Totals<'a> {
    let parents: BTreeMap<&str, &Entity> = account.entities.iter().map(|e| (e.id.as_str(), e)).collect();
    let today = chrono::Utc::now().date_naive();
    let (first, last) = rq.dates.unwrap_or((today - Duration::days(400), today));
    let seed = config.account.seed;
    let mut rows = Totals::new();
    let index = account.advertisers.iter().position(|a| a.id == advertiser);
    let delivers =
        |day| index.is_some_and(|i| config.account.delivery.delivers(i, account.advertisers.len(), day, seed));
    let late_rows = config.readings.conversion_time_rows && rq.metrics.iter().any(|m| m.starts_with("real_time_"));
    let mut add = |ad: &'a Entity, day: NaiveDate, hour: u32, values: Values| {
        let group_key = match rq.id_dimension.as_str() {
            "ad_id" => ad.id.clone(),
            "ad_id_v2" => ad_id_v2(ad),
            "adgroup_id" => ad.adgroup_id.clone().unwrap_or_default(),
            "campaign_id" => ad.campaign_id.clone(),
            _ => advertiser.to_string(),
        };
        // A deleted parent hides its children unless deleted rows were asked for.
        let representative = match rq.level {
            Level::Ad if !rq.advertiser_level => ad,
            Level::AdGroup => parents[ad.adgroup_id.as_deref().unwrap_or("")],
            _ => parents[ad.campaign_id.as_str()],
        };
        if representative.deleted && !rq.include_deleted {
            return;
        }
        if !rq.passes(ad, || bucket(ad, day, hour, "country_code", config)) {
            return;
        }
        let mut key = vec![group_key];
        match rq.time {
            Time::Day => key.push(format!("{} 00:00:00", day.format("%Y-%m-%d"))),
            Time::Hour => key.push(format!("{} {hour:02}:00:00", day.format("%Y-%m-%d"))),
            Time::None => {}
        }
        key.extend(rq.breakdowns.iter().map(|b| bucket(ad, day, hour, b, config).to_string()));
        let entry = rows.entry(key).or_insert(([0.0; 5], representative));
        for (total, v) in entry.0.iter_mut().zip(values) {
            *total += v;
        }
    };
    let mut day = first;
    while day <= last.min(today) {
        if !delivers(day) {
            // No impression, so no level has a row; conversions of clicks within TikTok's longest
            // attribution window (28 days) may still be counted on the day they happen
            // (tiktok-api.md §15 R5).
            if late_rows && (1..=28).any(|k| delivers(day - Duration::days(k))) {
                for ad in ads {
                    if let Some((hour, late)) = late_conversions(ad, day, seed) {
                        add(ad, day, hour, [0.0, 0.0, 0.0, 0.0, late]);
                    }
                }
            }
            day += Duration::days(1);
            continue;
        }
        for ad in ads {
            for hour in 0..24 {
                let Some([impressions, clicks, spend, conversions]) = hour_values(ad, day, hour, seed) else {
                    continue;
                };
                // Late conversions restate spend (and conversions) without changing which rows exist.
                let spend = (spend * config.account.restatement * 100.0).round() / 100.0;
                let conversions = (conversions * config.account.restatement).round();
                add(ad, day, hour, [impressions, clicks, spend, conversions, conversions]);
            }
        }
        day += Duration::days(1);
    }
    rows
}

/// Conversions of an ad counted on a day it did not deliver (by conversion time), and the hour
/// they fall in: about a quarter of the ads that existed then have some.
fn late_conversions(ad: &Entity, day: NaiveDate, seed: u64) -> Option<(u32, f64)> {
    let created = ad.fields["create_time"].as_str()?;
    if day.format("%Y-%m-%d").to_string().as_str() < &created[..10.min(created.len())] {
        return None;
    }
    let key = mix(seed ^ mix(ad.id.parse::<u64>().unwrap_or(0)) ^ ((day.num_days_from_ce() as u64) << 8) ^ 0xC0);
    key.is_multiple_of(4).then(|| (((key >> 8) % 24) as u32, (1 + (key >> 16) % 3) as f64))
}

/// One row as TikTok answers it: `dimensions` from its key, `metrics` from its totals.
fn row(rq: &ReportQuery, key: &[String], totals: &Values, representative: &Entity) -> Value {
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
    let mut metrics = metric_values(&rq.metrics, totals, representative, mix(key.join("|").len() as u64));
    // GO `enum/campaign_automation_type.go`: an ad_id_v2 row of a Smart+ ad is UPGRADED_SMART_PLUS.
    if let Some(t) = metrics.get_mut("campaign_automation_type").filter(|_| rq.id_dimension == "ad_id_v2") {
        if t == "UPGRADED_SMART_PLUS_CREATIVE" {
            *t = Value::String("UPGRADED_SMART_PLUS".into());
        }
    }
    json!({"dimensions": dimensions, "metrics": metrics})
}
