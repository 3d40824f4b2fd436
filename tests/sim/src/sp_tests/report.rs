//! The integrated report's `ad_id_v2` and the Smart+ material reports (gmv-max-smart-plus.md
//! §2.1, §2.4).

use std::collections::BTreeMap;

use chrono::Duration;
use serde_json::{json, Value};

use super::{p, Sp};

const INTEGRATED: &str = "report/integrated/get";
const OVERVIEW: &str = "smart_plus/material_report/overview";
const BREAKDOWN: &str = "smart_plus/material_report/breakdown";

/// A window the Smart+ ads delivered in throughout (they were created 65–100 days back).
fn window() -> (String, String) {
    let today = chrono::Utc::now().date_naive();
    ((today - Duration::days(40)).to_string(), (today - Duration::days(12)).to_string())
}

fn integrated(sp: &Sp, dimensions: Value, metrics: Value, extra: &[(&'static str, String)]) -> Vec<(i64, String)> {
    let (start, end) = window();
    let mut params = vec![
        p("advertiser_id", sp.advertiser()),
        p("report_type", "BASIC"),
        p("data_level", "AUCTION_AD"),
        p("dimensions", dimensions),
        p("metrics", metrics),
        p("start_date", start),
        p("end_date", end),
        p("page_size", 1000),
    ];
    params.extend_from_slice(extra);
    let data = sp.ok(INTEGRATED, &params);
    assert!(data["page_info"]["total_page"].as_u64().unwrap() <= 1);
    data["list"].as_array().unwrap().iter().map(|r| (cents(&r["metrics"]["spend"]), r.to_string())).collect()
}

fn cents(v: &Value) -> i64 {
    (v.as_str().unwrap().parse::<f64>().unwrap() * 100.0).round() as i64
}

fn rows_of(raw: &[(i64, String)]) -> Vec<Value> {
    raw.iter().map(|(_, r)| serde_json::from_str(r).unwrap()).collect()
}

#[test]
fn ad_id_v2_rows_equal_the_sum_of_their_creative_rows_exactly() {
    let sp = Sp::new(|_| {});
    let account = sp.sim.account();
    let metrics = json!(["spend", "impressions", "campaign_automation_type"]);
    let by_creative = rows_of(&integrated(&sp, json!(["ad_id", "stat_time_day"]), metrics.clone(), &[]));
    let by_v2 = rows_of(&integrated(&sp, json!(["ad_id_v2", "stat_time_day"]), metrics, &[]));
    let mut summed: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
    for r in &by_creative {
        let id = r["dimensions"]["ad_id"].as_str().unwrap();
        let v2 = account.smart_plus.ad_of_creative(id).map_or(id.to_string(), |a| a.smart_plus_ad_id.clone());
        let kind = r["metrics"]["campaign_automation_type"].as_str().unwrap();
        assert_eq!(kind == "UPGRADED_SMART_PLUS_CREATIVE", v2 != id, "{r}");
        let e = summed.entry((v2, r["dimensions"]["stat_time_day"].as_str().unwrap().to_string())).or_default();
        e.0 += cents(&r["metrics"]["spend"]);
        e.1 += r["metrics"]["impressions"].as_str().unwrap().parse::<i64>().unwrap();
    }
    assert_eq!(by_v2.len(), summed.len());
    let mut smart = 0;
    for r in &by_v2 {
        let key = (
            r["dimensions"]["ad_id_v2"].as_str().unwrap().to_string(),
            r["dimensions"]["stat_time_day"].as_str().unwrap().to_string(),
        );
        let impressions = r["metrics"]["impressions"].as_str().unwrap().parse::<i64>().unwrap();
        assert_eq!(summed[&key], (cents(&r["metrics"]["spend"]), impressions), "{key:?}");
        if account.smart_plus.ad(&key.0).is_some() {
            smart += 1;
            assert_eq!(r["metrics"]["campaign_automation_type"], "UPGRADED_SMART_PLUS");
        } else {
            assert_eq!(r["metrics"]["campaign_automation_type"], "MANUAL");
        }
    }
    assert!(smart > 0, "Smart+ ads delivered in the window");
    // ad_ids_v2 narrows to one Smart+ ad.
    let ad = account.smart_plus.ads.iter().find(|a| a.advertiser_id == sp.advertiser() && !a.deleted).unwrap();
    let filter = json!([{"field_name": "ad_ids_v2", "filter_type": "IN", "filter_value": json!([ad.smart_plus_ad_id]).to_string()}]);
    let one = rows_of(&integrated(&sp, json!(["ad_id_v2"]), json!(["spend"]), &[p("filtering", filter)]));
    assert_eq!(one.len(), 1);
    assert_eq!(one[0]["dimensions"]["ad_id_v2"], ad.smart_plus_ad_id.as_str());
}

#[test]
fn each_ad_id_v2_refusal() {
    let sp = Sp::new(|_| {});
    let (start, end) = window();
    let base = |level: &str, dims: Value, metrics: Value, filtering: Option<Value>| {
        let mut params = vec![
            p("advertiser_id", sp.advertiser()),
            p("report_type", "BASIC"),
            p("data_level", level),
            p("dimensions", dims),
            p("metrics", metrics),
            p("start_date", &start),
            p("end_date", &end),
        ];
        if let Some(f) = filtering {
            params.push(p("filtering", f));
        }
        sp.refused(INTEGRATED, &params)
    };
    let ad_ids = json!([{"field_name": "ad_ids", "filter_type": "IN", "filter_value": "[\"1\"]"}]);
    let cases = [
        (
            base("AUCTION_AD", json!(["ad_id_v2", "ad_id"]), json!(["spend"]), None),
            "dimensions: ad_id_v2 cannot be used together with ad_id.",
        ),
        (
            base("AUCTION_AD", json!(["ad_id_v2"]), json!(["spend"]), Some(ad_ids)),
            "filtering: ad_ids cannot be used with the ad_id_v2 dimension; use ad_ids_v2.",
        ),
        (
            base("AUCTION_AD", json!(["ad_id_v2"]), json!(["spend", "ad_id"]), None),
            "metrics: the ad_id metric cannot be used with the ad_id_v2 dimension.",
        ),
        (
            base("AUCTION_ADGROUP", json!(["adgroup_id", "ad_id_v2"]), json!(["spend"]), None),
            "dimensions: ad_id_v2 is only supported when data_level is AUCTION_AD.",
        ),
    ];
    for ((code, message), expected) in cases {
        assert_eq!((code, message.as_str()), (40002, expected));
    }
    let creative = json!([{"field_name": "campaign_automation_type", "filter_type": "IN", "filter_value": "[\"UPGRADED_SMART_PLUS_CREATIVE\"]"}]);
    assert_eq!(base("AUCTION_AD", json!(["ad_id_v2"]), json!(["spend"]), Some(creative)).0, 40002);
}

fn material(sp: &Sp, endpoint: &str, dims: Value, extra: &[(&'static str, String)]) -> Value {
    let mut params = vec![
        p("advertiser_id", sp.advertiser()),
        p("dimensions", dims),
        p("metrics", json!(["spend", "impressions"])),
        p("page_size", 100),
    ];
    params.extend_from_slice(extra);
    sp.ok(endpoint, &params)
}

#[test]
fn material_rows_of_an_ad_sum_exactly_to_its_ad_id_v2_spend_over_the_same_days() {
    let sp = Sp::new(|_| {});
    let (start, end) = window();
    let dates = [p("start_date", &start), p("end_date", &end)];
    let v2 = rows_of(&integrated(&sp, json!(["ad_id_v2"]), json!(["spend"]), &[]));
    let account = sp.sim.account();
    let mine = account.smart_plus.ads.iter().filter(|a| a.advertiser_id == sp.advertiser() && !a.deleted);
    let mut checked = 0;
    for ad in mine {
        let filter = p("filtering", json!({"smart_plus_ad_ids": [ad.smart_plus_ad_id]}));
        let data = material(
            &sp,
            BREAKDOWN,
            json!(["main_material_id", "stat_time_day"]),
            &[dates[0].clone(), dates[1].clone(), filter],
        );
        assert!(data["page_info"]["total_number"].as_u64().unwrap() <= 100);
        let rows = data["list"].as_array().unwrap();
        assert!(rows.iter().all(|r| r["dimensions"]["main_material_type"] == "VIDEO_NON_SPARK_ADS"));
        let materials: std::collections::BTreeSet<&str> =
            rows.iter().map(|r| r["dimensions"]["main_material_id"].as_str().unwrap()).collect();
        assert_eq!(materials.len(), ad.creatives.len());
        let sum: i64 = rows.iter().map(|r| cents(&r["metrics"]["spend"])).sum();
        let row = v2.iter().find(|r| r["dimensions"]["ad_id_v2"] == ad.smart_plus_ad_id.as_str()).unwrap();
        assert_eq!(sum, cents(&row["metrics"]["spend"]), "{}", ad.smart_plus_ad_id);
        checked += 1;
    }
    assert!(checked > 0);
    // The overview by ad over the same dates: the same totals.
    let overview = material(&sp, OVERVIEW, json!(["advertiser_id", "smart_plus_ad_id"]), &dates);
    for r in overview["list"].as_array().unwrap() {
        let id = r["dimensions"]["smart_plus_ad_id"].as_str().unwrap();
        if let Some(row) = v2.iter().find(|v| v["dimensions"]["ad_id_v2"] == id) {
            assert_eq!(cents(&r["metrics"]["spend"]), cents(&row["metrics"]["spend"]), "{id}");
        }
    }
}

#[test]
fn overview_takes_exactly_two_dimensions_and_the_breakdown_refuses_id_dimensions() {
    let sp = Sp::new(|_| {});
    let (start, end) = window();
    let ask = |endpoint: &str, dims: Value| {
        let params = [
            p("advertiser_id", sp.advertiser()),
            p("dimensions", dims),
            p("metrics", json!(["spend"])),
            p("start_date", &start),
            p("end_date", &end),
        ];
        sp.call_as(false, endpoint, &params)
    };
    for dims in [json!(["smart_plus_ad_id"]), json!(["advertiser_id", "smart_plus_ad_id", "main_material_id"])] {
        assert_eq!(ask(OVERVIEW, dims)["message"], "dimensions: Length must be between 2 and 2.");
    }
    assert_eq!(
        ask(OVERVIEW, json!(["advertiser_id", "stat_time_day"]))["message"],
        "dimensions: Invalid enum value stat_time_day."
    );
    assert_eq!(ask(OVERVIEW, json!(["campaign_id", "main_material_id"]))["code"], 0);
    for id in ["advertiser_id", "campaign_id", "adgroup_id", "ad_id", "smart_plus_ad_id"] {
        let answer = ask(BREAKDOWN, json!(["main_material_id", id]));
        assert_eq!(
            (answer["code"].as_i64(), answer["message"].as_str()),
            (Some(40002), Some(format!("dimensions: Invalid enum value {id}.").as_str()))
        );
    }
    assert_eq!(ask(BREAKDOWN, json!(["main_material_id", "stat_time_day"]))["code"], 0);
    let status = [
        p("advertiser_id", sp.advertiser()),
        p("dimensions", json!(["main_material_id"])),
        p("metrics", json!(["spend", "material_primary_status"])),
        p("start_date", &start),
        p("end_date", &end),
    ];
    assert_eq!(sp.refused(BREAKDOWN, &status).1, "Please correct the information in invalid metric fields and try again. Invalid metric fields: ['material_primary_status'].");
    let lifetime =
        [p("advertiser_id", sp.advertiser()), p("dimensions", json!(["main_material_id"])), p("query_lifetime", true)];
    assert_eq!(sp.refused(BREAKDOWN, &lifetime).0, 40002);
    let hours = [
        p("advertiser_id", sp.advertiser()),
        p("dimensions", json!(["stat_time_hour"])),
        p("start_date", &start),
        p("end_date", &end),
    ];
    assert_eq!(
        sp.refused(BREAKDOWN, &hours).1,
        "The time span between start_date and end_date must not exceed 1 day for this query."
    );
}

#[test]
fn the_scope_filters_are_mutually_exclusive_and_never_empty() {
    let sp = Sp::new(|_| {});
    let ad = sp.sim.account().smart_plus.ads[0].clone();
    let ask = |filtering: Value| {
        let params = [
            p("advertiser_id", sp.advertiser()),
            p("dimensions", json!(["advertiser_id", "main_material_id"])),
            p("query_lifetime", true),
            p("filtering", filtering),
        ];
        sp.call_as(false, OVERVIEW, &params)
    };
    let two = ask(json!({"campaign_ids": [ad.campaign_id], "smart_plus_ad_ids": [ad.smart_plus_ad_id]}));
    assert_eq!(
        (two["code"].as_i64(), two["message"].as_str()),
        (Some(40002), Some("filtering: campaign_ids and smart_plus_ad_ids cannot be used together."))
    );
    let empty = ask(json!({"adgroup_ids": []}));
    assert_eq!(
        (empty["code"].as_i64(), empty["message"].as_str()),
        (Some(40002), Some("filtering.adgroup_ids: Length must be at least 1."))
    );
    let many: Vec<String> = (0..201).map(|i| i.to_string()).collect();
    assert_eq!(ask(json!({"campaign_ids": many}))["code"], 40002);
    let one = ask(json!({"adgroup_ids": [ad.adgroup_id]}));
    assert_eq!(one["code"], 0);
    assert!(!one["data"]["list"].as_array().unwrap().is_empty());
}

#[test]
fn material_rows_key_their_dimensions_per_the_reading() {
    for (info, key, other) in [(false, "dimensions", "info"), (true, "info", "dimensions")] {
        let sp = Sp::new(|c| c.readings.smart_plus_material_row_key_info = info);
        let data = material(
            &sp,
            OVERVIEW,
            json!(["smart_plus_ad_id", "interactive_add_on_entity_id"]),
            &[p("query_lifetime", true)],
        );
        let rows = data["list"].as_array().unwrap();
        assert!(!rows.is_empty());
        for r in rows {
            assert!(r[key]["smart_plus_ad_id"].is_string() && r.get(other).is_none(), "{r}");
            assert!(r[key].as_object().unwrap().contains_key("interactive_add_on_entity_id"), "nulls kept: {r}");
        }
    }
}
