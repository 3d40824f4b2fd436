//! The Upgraded Smart+ material reports (gmv-max-smart-plus.md §2.4):
//! `smart_plus/material_report/overview` and `smart_plus/material_report/breakdown`. Each
//! creative has one main material (its video), so a main material's rows over an ad are that
//! creative's integrated-report values, hour by hour: the material rows of a Smart+ ad sum
//! exactly to its `ad_id_v2` row over the same days (open point 10). Production only.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};
use serde_json::{json, Map, Value};

use super::rows::{hour_values, metric_values, Values};
use crate::data::{Account, Entity, SmartPlusAd, SmartPlusCreative};
use crate::refusals::{refuse, Refusal};
use crate::wire::{page_of, ApiError, Call, Served};

mod request;

use request::{parse, MaterialQuery, LABEL_ATTRIBUTES, STATUS_ATTRIBUTES};

pub fn overview(call: &Call) -> Result<Served, ApiError> {
    report(call, true)
}

pub fn breakdown(call: &Call) -> Result<Served, ApiError> {
    report(call, false)
}

fn report(call: &Call, overview: bool) -> Result<Served, ApiError> {
    if call.sandbox {
        return refuse(Refusal::SmartPlusSandboxUnsupported);
    }
    let mq = parse(call.query, overview)?;
    let advertiser = call.query.required("advertiser_id")?;
    let mut rows = compute(&mq, advertiser, call);
    rows.sort_by(|a, b| {
        let order = a.0.partial_cmp(&b.0).unwrap_or(std::cmp::Ordering::Equal);
        if mq.descending { order.reverse() } else { order }.then_with(|| a.1.cmp(&b.1))
    });
    let list: Vec<Value> = rows.into_iter().map(|(_, _, row)| row).collect();
    let (page, size) = mq.page;
    Ok(page_of(&list, "list", page, size).into())
}

/// One creative of an ad, with the entity the integrated report reads its values from.
struct Unit<'a> {
    ad: &'a SmartPlusAd,
    creative: &'a SmartPlusCreative,
    entity: &'a Entity,
}

/// A row's additive totals and the creatives in it.
type Grouped<'a> = BTreeMap<Vec<String>, (Values, Vec<&'a SmartPlusCreative>, &'a Unit<'a>)>;

/// Rows as (sort value, key, row).
fn compute(mq: &MaterialQuery, advertiser: &str, call: &Call) -> Vec<(f64, Vec<String>, Value)> {
    let Call { account, config, .. } = *call;
    let units = units(mq, advertiser, account);
    let seed = config.account.seed;
    let index = account.advertisers.iter().position(|a| a.id == advertiser);
    let today = chrono::Utc::now().date_naive();
    let (first, last) = mq.dates.unwrap_or((today - Duration::days(400), today));
    let mut grouped = Grouped::new();
    let mut day = first;
    while day <= last.min(today) {
        if index.is_some_and(|i| config.account.delivery.delivers(i, account.advertisers.len(), day, seed)) {
            for unit in &units {
                for hour in 0..24 {
                    let Some([impressions, clicks, spend, conversions]) = hour_values(unit.entity, day, hour, seed)
                    else {
                        continue;
                    };
                    // As the integrated report restates them (`rows.rs`).
                    let spend = (spend * config.account.restatement * 100.0).round() / 100.0;
                    let conversions = (conversions * config.account.restatement).round();
                    let key = key(mq, unit, day, hour);
                    let entry = grouped.entry(key).or_insert(([0.0; 5], Vec::new(), unit));
                    for (total, v) in entry.0.iter_mut().zip([impressions, clicks, spend, conversions, conversions]) {
                        *total += v;
                    }
                    if !entry.1.iter().any(|c| c.ad_id == unit.creative.ad_id) {
                        entry.1.push(unit.creative);
                    }
                }
            }
        }
        day += Duration::days(1);
    }
    let row_key = if config.readings.smart_plus_material_row_key_info { "info" } else { "dimensions" };
    grouped
        .into_iter()
        .filter(|(_, (totals, ..))| totals[2] > 0.0)
        .map(|(key, (totals, creatives, unit))| {
            let metrics = metrics(mq, &totals, &creatives, unit);
            let sort = metric_values(std::slice::from_ref(&mq.sort_field), &totals, unit.entity, 0)
                .values()
                .next()
                .and_then(|v| v.as_str().and_then(|s| s.parse::<f64>().ok()))
                .unwrap_or(0.0);
            let row = json!({ row_key: dimensions(mq, &key), "metrics": metrics });
            (sort, key, row)
        })
        .collect()
}

/// The advertiser's Smart+ creatives within the query's filters.
fn units<'a>(mq: &MaterialQuery, advertiser: &str, account: &'a Account) -> Vec<Unit<'a>> {
    let entities: BTreeMap<&str, &Entity> = account.entities.iter().map(|e| (e.id.as_str(), e)).collect();
    let mut units = Vec::new();
    for ad in account.smart_plus.ads.iter().filter(|a| a.advertiser_id == advertiser) {
        let in_scope = mq.scope.as_ref().is_none_or(|(key, ids)| {
            let id = match key.as_str() {
                "campaign_ids" => &ad.campaign_id,
                "adgroup_ids" => &ad.adgroup_id,
                _ => &ad.smart_plus_ad_id,
            };
            ids.contains(id)
        });
        if !in_scope {
            continue;
        }
        for creative in &ad.creatives {
            let passes = mq.entities.iter().all(|(key, ids)| match key.as_str() {
                "main_material_ids" => ids.contains(&creative.main_material_id),
                "ad_text_entity_ids" => ids.contains(&ad.ad_text_entity_ids[creative.ad_text]),
                "call_to_action_entity_ids" => ids.contains(&ad.call_to_action_entity_id),
                _ => false, // no interactive add-ons
            });
            if let (true, Some(entity)) = (passes, entities.get(creative.ad_id.as_str())) {
                units.push(Unit { ad, creative, entity });
            }
        }
    }
    units
}

/// A creative-hour's value of each dimension ("" for none: no interactive add-on).
fn key(mq: &MaterialQuery, unit: &Unit, day: NaiveDate, hour: u32) -> Vec<String> {
    let (ad, creative) = (unit.ad, unit.creative);
    mq.dimensions
        .iter()
        .map(|d| match d.as_str() {
            "advertiser_id" => ad.advertiser_id.clone(),
            "campaign_id" => ad.campaign_id.clone(),
            "adgroup_id" => ad.adgroup_id.clone(),
            "smart_plus_ad_id" => ad.smart_plus_ad_id.clone(),
            "main_material_id" => creative.main_material_id.clone(),
            "ad_text_entity_id" => ad.ad_text_entity_ids[creative.ad_text].clone(),
            "call_to_action_entity_id" => ad.call_to_action_entity_id.clone(),
            "stat_time_day" => format!("{day} 00:00:00"),
            "stat_time_hour" => format!("{day} {hour:02}:00:00"),
            "stat_time_week" => {
                format!("{} 00:00:00", day - Duration::days(day.weekday().num_days_from_monday() as i64))
            }
            "stat_time_month" => format!("{} 00:00:00", day.with_day(1).unwrap()),
            _ => String::new(),
        })
        .collect()
}

/// The row's dimensions, with their `*_type` companions (GO); nulls kept (SDK
/// `pop_resp_nullvalue: false`).
fn dimensions(mq: &MaterialQuery, key: &[String]) -> Map<String, Value> {
    let mut out = Map::new();
    for (d, v) in mq.dimensions.iter().zip(key) {
        out.insert(d.clone(), if v.is_empty() { Value::Null } else { json!(v) });
        let companion = match d.as_str() {
            "main_material_id" => Some(("main_material_type", json!("VIDEO_NON_SPARK_ADS"))),
            "interactive_add_on_entity_id" => Some(("interactive_add_on_type", Value::Null)),
            _ => None,
        };
        if let Some((name, value)) = companion {
            out.insert(name.into(), value);
        }
    }
    out
}

/// The requested metrics: the integrated report's values, and the attributes (GO).
fn metrics(mq: &MaterialQuery, totals: &Values, creatives: &[&SmartPlusCreative], unit: &Unit) -> Map<String, Value> {
    let plain: Vec<String> = mq
        .metrics
        .iter()
        .filter(|m| !STATUS_ATTRIBUTES.contains(&m.as_str()) && !LABEL_ATTRIBUTES.contains(&m.as_str()))
        .cloned()
        .collect();
    let mut out = metric_values(&plain, totals, unit.entity, 0);
    let has = |d: &str| mq.dimensions.iter().any(|x| x == d);
    let one = creatives.len() == 1;
    let ad_fields = &unit.ad.fields;
    for m in &mq.metrics {
        let v = match m.as_str() {
            "ad_material_id" => json!(creatives.iter().map(|c| c.ad_material_id.clone()).collect::<Vec<_>>()),
            // GO: the statuses come only with a smart_plus_ad_id dimension.
            "material_primary_status" if has("smart_plus_ad_id") => json!("STATUS_DELIVERY_OK"),
            "material_second_status_list" if has("smart_plus_ad_id") => json!(["AD_STATUS_DELIVERY_OK"]),
            "operation_status" if has("smart_plus_ad_id") => ad_fields["operation_status"].clone(),
            "main_material_name" | "multi_name" if has("main_material_id") && one => {
                json!(format!("sp_{}.mp4", creatives[0].main_material_id))
            }
            "ad_text" if has("ad_text_entity_id") => {
                ad_fields["ad_text_list"][unit.creative.ad_text]["ad_text"].clone()
            }
            "call_to_action" if has("call_to_action_entity_id") => {
                ad_fields["call_to_action_list"][0]["call_to_action"].clone()
            }
            m if STATUS_ATTRIBUTES.contains(&m) || LABEL_ATTRIBUTES.contains(&m) => Value::Null,
            _ => continue,
        };
        out.insert(m.clone(), v);
    }
    out
}
