//! End-to-end: GMV Max (TikTok Shop ads) through the real host, component and simulator: every
//! stream equal record for record to what the simulator answers at each grain, stores shared
//! between advertisers, cursors per (advertiser, store) that resume with no gap, the requests a
//! backfill spends, both readings of the GMV Max ambiguities, the report's own quota, custom
//! GMV Max reports, and the tables `sync` writes.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate};
use harness::http::get;
use harness::*;
use serde_json::{json, Value};
use tiktok_sim::SimConfig;

const REPORTS: [&str; 9] = [
    "gmv_max_advertiser_reports_daily",
    "gmv_max_advertiser_reports_hourly",
    "gmv_max_product_campaign_reports_daily",
    "gmv_max_product_campaign_reports_hourly",
    "gmv_max_live_campaign_reports_daily",
    "gmv_max_live_campaign_reports_hourly",
    "gmv_max_product_reports_daily",
    "gmv_max_creative_reports_daily",
    "gmv_max_live_room_reports_daily",
];
const LISTS: [&str; 3] = ["gmv_max_stores", "gmv_max_campaigns", "gmv_max_campaign_settings"];

/// A grain as the oracle asks it: dimensions, promotion type, and whether it needs the store's
/// campaign ids (TikTok's item-level rule).
fn grain(stream: &str) -> (&'static [&'static str], Option<&'static str>, bool) {
    match stream {
        "gmv_max_advertiser_reports_daily" => (&["advertiser_id", "stat_time_day"], None, false),
        "gmv_max_advertiser_reports_hourly" => (&["advertiser_id", "stat_time_hour"], None, false),
        "gmv_max_product_campaign_reports_daily" => (&["campaign_id", "stat_time_day"], Some("PRODUCT"), false),
        "gmv_max_product_campaign_reports_hourly" => (&["campaign_id", "stat_time_hour"], Some("PRODUCT"), false),
        "gmv_max_live_campaign_reports_daily" => (&["campaign_id", "stat_time_day"], Some("LIVE"), false),
        "gmv_max_live_campaign_reports_hourly" => (&["campaign_id", "stat_time_hour"], Some("LIVE"), false),
        "gmv_max_product_reports_daily" => (&["campaign_id", "item_group_id", "stat_time_day"], Some("PRODUCT"), true),
        "gmv_max_creative_reports_daily" => {
            (&["campaign_id", "item_group_id", "item_id", "stat_time_day"], Some("PRODUCT"), true)
        }
        "gmv_max_live_room_reports_daily" => (&["campaign_id", "room_id", "stat_time_day"], Some("LIVE"), true),
        other => panic!("{other} is not a GMV Max report"),
    }
}

/// The simulator's answer to one GET, asserting TikTok accepted it.
fn data(h: &Harness, endpoint: &str, params: &[(&str, String)]) -> Value {
    let answer = get(&h.sim, endpoint, params).json();
    assert_eq!(answer["code"], 0, "{endpoint} {params:?}: {answer}");
    answer["data"].clone()
}

/// Each advertiser's stores available for GMV Max, as the simulator lists them.
fn available_stores(h: &Harness) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for advertiser in h.sim.account().advertisers.iter().map(|a| a.id.clone()) {
        let stores = data(h, "gmv_max/store/list", &[("advertiser_id", advertiser.clone())]);
        for store in stores["store_list"].as_array().unwrap() {
            if store["is_gmv_max_available"] == true {
                pairs.push((advertiser.clone(), store["store_id"].as_str().unwrap().to_string()));
            }
        }
    }
    pairs
}

/// Every campaign id of an advertiser's store, deleted ones too, as the simulator lists them.
fn campaign_ids(h: &Harness, advertiser: &str, store: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for kind in ["PRODUCT_GMV_MAX", "LIVE_GMV_MAX"] {
        for status in [None, Some("STATUS_DELETE")] {
            let mut filtering = json!({"gmv_max_promotion_types": [kind], "store_ids": [store]});
            if let Some(status) = status {
                filtering["primary_status"] = json!(status);
            }
            let params = [
                ("advertiser_id", advertiser.to_string()),
                ("filtering", filtering.to_string()),
                ("page_size", "100".to_string()),
            ];
            let list = data(h, "gmv_max/campaign/get", &params);
            ids.extend(list["list"].as_array().unwrap().iter().map(|c| c["campaign_id"].as_str().unwrap().to_string()));
        }
    }
    ids
}

/// Every row the simulator answers for one grain of one store over `start..=end` (hourly grains
/// day by day), as (key, cost, orders): the oracle a stream is compared with.
fn sim_rows(
    h: &Harness,
    stream: &str,
    advertiser: &str,
    store: &str,
    start: NaiveDate,
    end: NaiveDate,
) -> Vec<(String, String)> {
    let (dimensions, promotion, by_campaign) = grain(stream);
    let hourly = dimensions.contains(&"stat_time_hour");
    let campaigns = if by_campaign { campaign_ids(h, advertiser, store) } else { Vec::new() };
    let mut rows = Vec::new();
    let mut day = start;
    while day <= end {
        let last = if hourly { day } else { (day + Duration::days(29)).min(end) };
        let mut filtering = json!({});
        if let Some(promotion) = promotion {
            filtering["gmv_max_promotion_types"] = json!([promotion]);
        }
        for batch in campaigns.chunks(100).map(Some).chain(campaigns.is_empty().then_some(None)) {
            if let Some(batch) = batch {
                filtering["campaign_ids"] = json!(batch);
            }
            let mut page = 1;
            loop {
                let mut params = vec![
                    ("advertiser_id", advertiser.to_string()),
                    ("store_ids", json!([store]).to_string()),
                    ("dimensions", json!(dimensions).to_string()),
                    ("metrics", json!(["cost", "orders"]).to_string()),
                    ("start_date", day.to_string()),
                    ("end_date", last.to_string()),
                    ("page", page.to_string()),
                    ("page_size", "1000".to_string()),
                ];
                if filtering.as_object().is_some_and(|f| !f.is_empty()) {
                    params.push(("filtering", filtering.to_string()));
                }
                let answer = data(h, "gmv_max/report/get", &params);
                for row in answer["list"].as_array().into_iter().flatten() {
                    let mut key = vec![advertiser.to_string(), store.to_string()];
                    key.extend(
                        dimensions
                            .iter()
                            .filter(|d| **d != "advertiser_id")
                            .map(|d| row["dimensions"][*d].as_str().unwrap().to_string()),
                    );
                    let number = |name: &str| row["metrics"][name].as_str().unwrap().parse::<f64>().unwrap();
                    let values = format!("{} {}", number("cost"), number("orders"));
                    rows.push((key.join("|"), values));
                }
                if page >= answer["page_info"]["total_page"].as_u64().unwrap_or(0) {
                    break;
                }
                page += 1;
            }
        }
        day = last + Duration::days(1);
    }
    rows
}

/// A record as (key, cost and orders as TikTok wrote them).
fn record_row(record: &Value, key: &[String]) -> (String, String) {
    let metric = |name: &str| match &record["metrics"][name] {
        Value::Number(n) => n.as_f64().unwrap().to_string(),
        other => panic!("{name} is not a number in {other}"),
    };
    (key_of(record, key), format!("{} {}", metric("cost"), metric("orders")))
}

fn sorted(mut rows: Vec<(String, String)>) -> Vec<(String, String)> {
    rows.sort();
    rows
}

/// A config reading the last `days` whole days (today is left out: the advertisers' today).
fn gmv_config(h: &Harness, days: i64) -> ConfigBuilder {
    h.config().start(days_ago(days)).end(days_ago(1)).rps(200)
}

#[test]
fn every_gmv_max_stream_equals_what_the_simulator_answers_at_each_grain() {
    let h = Harness::new("gmv-all", SimConfig::default());
    let config = gmv_config(&h, 5).include_deleted(true).build();
    let catalog = h.discover(&config);
    let keys = primary_keys(&catalog);
    let streams: Vec<&str> = LISTS.iter().chain(REPORTS.iter()).copied().collect();
    let run = h.read(&config, &streams, Mode::Incremental, None);
    run.assert_success();
    assert_records_match_schemas(&run, &catalog);
    let full = h.read(&config, &streams, Mode::FullRefresh, None);
    full.assert_success();
    assert_same_rows(&sorted_records(&full), &sorted_records(&run), "full refresh against incremental");
    let stores = available_stores(&h);
    assert!(stores.len() >= 2, "the account has a store per advertiser: {stores:?}");
    let (start, end) = (days_ago(5), days_ago(1));
    for stream in REPORTS {
        let want: Vec<_> = stores.iter().flat_map(|(a, s)| sim_rows(&h, stream, a, s, start, end)).collect();
        let got: Vec<_> = run.records_of(stream).iter().map(|r| record_row(r, &keys[stream])).collect();
        assert!(!want.is_empty(), "{stream}: the simulator has rows to compare");
        assert_eq!(sorted(got), sorted(want), "{stream}: the connector's records against the simulator's answers");
    }
    // Names and statuses of the campaign ride on every finer row, from the campaign grain.
    for record in run.records_of("gmv_max_product_reports_daily") {
        assert!(record["metrics"]["campaign_name"].is_string(), "{record}");
    }
    // 0 refused requests, and none to the regular lists or reports.
    let refused: Vec<_> = h.sim.requests().into_iter().filter(|r| r.response_code.is_some_and(|c| c != 0)).collect();
    assert!(
        refused.is_empty(),
        "refused: {:?}",
        refused.iter().map(|r| (&r.path, r.response_code)).collect::<Vec<_>>()
    );
    // Each campaign once, its settings once, each store listed under each advertiser.
    let campaigns = unique_by_key(&run, "gmv_max_campaigns", &keys["gmv_max_campaigns"]);
    let settings = unique_by_key(&run, "gmv_max_campaign_settings", &keys["gmv_max_campaign_settings"]);
    assert_eq!(campaigns.keys().collect::<Vec<_>>(), settings.keys().collect::<Vec<_>>());
    let listed: BTreeSet<String> = stores.iter().flat_map(|(a, s)| campaign_ids(&h, a, s)).collect();
    assert_eq!(
        campaigns.keys().cloned().collect::<BTreeSet<_>>(),
        listed,
        "every campaign, deleted ones with include_deleted"
    );
    for state in run.of_type("STATE") {
        let name = state["state"]["stream"]["stream_descriptor"]["name"].as_str().unwrap();
        if REPORTS.contains(&name) {
            let partitions = state["state"]["stream"]["stream_state"]["states"].as_array().unwrap();
            assert!(
                partitions.iter().all(|p| p["partition"]["store_id"].is_string()),
                "{name}: a cursor per store: {state}"
            );
        }
    }
}

#[test]
fn a_store_listed_under_two_advertisers_is_read_only_where_it_is_available() {
    let h = Harness::new("gmv-shared-store", SimConfig::default());
    let config = gmv_config(&h, 3).build();
    let run = h.read(&config, &["gmv_max_stores", "gmv_max_advertiser_reports_daily"], Mode::FullRefresh, None);
    run.assert_success();
    let stores = run.records_of("gmv_max_stores");
    let mut advertisers_of: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for store in &stores {
        advertisers_of
            .entry(store["store_id"].as_str().unwrap().into())
            .or_default()
            .insert(store["advertiser_id"].as_str().unwrap().into());
    }
    let shared: Vec<_> = advertisers_of.iter().filter(|(_, a)| a.len() > 1).collect();
    assert!(!shared.is_empty(), "a store under two advertisers: {advertisers_of:?}");
    let available: BTreeSet<(String, String)> = available_stores(&h).into_iter().collect();
    let read: BTreeSet<(String, String)> = run
        .records_of("gmv_max_advertiser_reports_daily")
        .iter()
        .map(|r| (r["advertiser_id"].as_str().unwrap().into(), r["store_id"].as_str().unwrap().into()))
        .collect();
    assert_eq!(read, available, "reports come only from the (advertiser, store) pairs GMV Max is available to");
    let asked: BTreeSet<(String, String)> = h
        .requests_to("gmv_max/report/get")
        .iter()
        .map(|r| {
            let stores: Vec<String> = serde_json::from_str(&r.query["store_ids"]).unwrap();
            assert_eq!(stores.len(), 1, "one store per request");
            (r.query["advertiser_id"].clone(), stores[0].clone())
        })
        .collect();
    assert_eq!(asked, available);
}

#[test]
fn an_incremental_sync_cut_off_after_any_window_resumes_per_store_with_no_gap() {
    let h = Harness::new("gmv-resume", SimConfig::default());
    let config = gmv_config(&h, 70).attribution_window(0).build();
    let streams = ["gmv_max_product_campaign_reports_daily", "gmv_max_product_reports_daily"];
    let whole = h.read(&config, &streams, Mode::Incremental, None);
    whole.assert_success();
    // Each STATE is a point the sync could have been cut off at.
    let states = whole.of_type("STATE").len();
    assert!(states >= 6, "a checkpoint per store and window: {states}");
    assert_resumes_with_no_gap(&h, &config, &streams, &whole, &[1, states / 2, states - 2]);
}

#[test]
fn finer_grains_ask_only_campaigns_that_spent_and_idle_days_are_not_asked() {
    let mut sim = SimConfig::default();
    sim.account.delivery.active_day_share = 0.5;
    let h = Harness::new("gmv-economy", sim);
    let config = gmv_config(&h, 20).build();
    let run = h.read(
        &config,
        &["gmv_max_advertiser_reports_hourly", "gmv_max_product_reports_daily"],
        Mode::FullRefresh,
        None,
    );
    run.assert_success();
    let active_days: BTreeSet<String> = available_stores(&h)
        .iter()
        .flat_map(|(a, s)| sim_rows(&h, "gmv_max_advertiser_reports_daily", a, s, days_ago(20), days_ago(1)))
        .map(|(key, _)| key)
        .collect();
    let requests = h.requests_to("gmv_max/report/get");
    let hourly = requests.iter().filter(|r| r.query["dimensions"].contains("stat_time_hour")).count();
    assert_eq!(hourly, active_days.len(), "one hourly request per store and day with delivery, none for idle days");
    for request in requests.iter().filter(|r| r.query["dimensions"].contains("item_group_id")) {
        let filtering: Value = serde_json::from_str(&request.query["filtering"]).unwrap();
        let asked: Vec<String> = serde_json::from_value(filtering["campaign_ids"].clone()).unwrap();
        assert!(!asked.is_empty() && asked.len() <= 100, "{filtering}");
        let start = query_date(request, "start_date");
        let end = query_date(request, "end_date");
        let advertiser = &request.query["advertiser_id"];
        let store: Vec<String> = serde_json::from_str(&request.query["store_ids"]).unwrap();
        let spent: BTreeSet<String> =
            sim_rows(&h, "gmv_max_product_campaign_reports_daily", advertiser, &store[0], start, end)
                .into_iter()
                .filter(|(_, values)| values.split(' ').any(|v| v.parse::<f64>().unwrap_or(0.0) > 0.0))
                .map(|(key, _)| key.split('|').nth(2).unwrap().to_string())
                .collect();
        assert_eq!(asked.iter().cloned().collect::<BTreeSet<_>>(), spent, "only campaigns with cost or orders");
    }
}

/// The other reading of each GMV Max ambiguity, one simulator each: the records are the same.
#[test]
fn both_readings_of_the_gmv_max_ambiguities_give_the_same_records() {
    let streams = ["gmv_max_campaigns", "gmv_max_creative_reports_daily", "gmv_max_product_reports_daily"];
    let (clean, _) = clean_read("gmv-readings-clean", &streams, |c| c.start(days_ago(4)).end(days_ago(1)).rps(200));
    let readings: [(&str, SimSetup); 3] = [
        ("three dimensions at most", Box::new(|s| s.readings.gmv_three_dimensions_only = true)),
        ("item pages of 50", Box::new(|s| s.readings.gmv_item_page_size_max = 50)),
        ("promotion type optional", Box::new(|s| s.readings.gmv_campaign_type_optional = true)),
    ];
    for (what, setup) in readings {
        let mut sim = SimConfig::default();
        setup(&mut sim);
        let h = Harness::new("gmv-reading", sim);
        let run = h.read(&gmv_config(&h, 4).build(), &streams, Mode::FullRefresh, None);
        run.assert_success();
        assert_same_rows(&sorted_records(&run), &sorted_records(&clean), what);
    }
}

#[test]
fn a_spent_report_quota_ends_the_stream_as_transient_and_the_cursor_stays_before_the_missing_windows() {
    let mut sim = SimConfig::default();
    sim.limits.gmv_report_quota_per_day = 3;
    let h = Harness::new("gmv-quota", sim);
    let config = gmv_config(&h, 100).build();
    let run = h.read(&config, &["gmv_max_advertiser_reports_daily"], Mode::Incremental, None);
    let (kind, message) = run.failure();
    assert_eq!(kind, "transient_error", "{message}");
    assert!(message.contains("00:00 UTC") && message.contains("own"), "{message}");
    let answered: Vec<_> =
        h.requests_to("gmv_max/report/get").into_iter().filter(|r| r.response_code == Some(0)).collect();
    assert_eq!(answered.len(), 3);
    let last_read = answered.iter().map(|r| query_date(r, "end_date")).max().unwrap();
    for cursor in cursors(&run.final_state(), "gmv_max_advertiser_reports_daily").values() {
        assert!(cursor.day() <= last_read, "the cursor {} moved past the last window read ({last_read})", cursor.value);
    }
    // Other endpoints still answer: the quota is the report's own.
    let lists = h.read(&config, &["gmv_max_stores"], Mode::FullRefresh, None);
    lists.assert_success();
}

#[test]
fn a_gmv_max_custom_report_reads_what_tiktok_answers_and_check_catches_what_tiktok_refuses() {
    let h = Harness::new("gmv-custom", SimConfig::default());
    let report = json!({"name": "shop_live_rooms", "report_type": "GMV_MAX", "dimensions": ["campaign_id", "stat_time_day"],
        "promotion_type": "LIVE", "metrics": ["cost", "orders", "live_views", "campaign_name"]});
    let config = gmv_config(&h, 4).custom_reports(std::slice::from_ref(&report)).build();
    let run = h.read(&config, &["shop_live_rooms"], Mode::FullRefresh, None);
    run.assert_success();
    let keys = primary_keys(&h.discover(&config));
    let got: Vec<_> =
        run.records_of("shop_live_rooms").iter().map(|r| record_row(r, &keys["shop_live_rooms"])).collect();
    let want: Vec<_> = available_stores(&h)
        .iter()
        .flat_map(|(a, s)| sim_rows(&h, "gmv_max_live_campaign_reports_daily", a, s, days_ago(4), days_ago(1)))
        .collect();
    assert!(!want.is_empty());
    assert_eq!(sorted(got), sorted(want));
    for (change, expected) in [
        (json!({"promotion_type": null}), "for one promotion type"),
        (json!({"metrics": ["cost", "product_impressions"]}), "product_impressions"),
        (json!({"dimensions": ["campaign_id", "item_group_id", "stat_time_day"]}), "campaign_ids"),
    ] {
        let mut bad = report.clone();
        bad.as_object_mut().unwrap().extend(change.as_object().unwrap().clone());
        let config = gmv_config(&h, 4).custom_reports(&[bad]).build();
        let check = h.run(&["check", "--config", &h.write("bad.json", &config)]);
        let (kind, message) = check.failure();
        assert_eq!(kind, "config_error", "{message}");
        assert!(message.contains(expected), "{message}");
    }
    assert!(h.requests_to("gmv_max/report/get").iter().all(|r| r.response_code == Some(0)), "no refused request");
}

#[test]
fn sandbox_configs_do_not_offer_gmv_max_and_check_says_whether_a_store_is_reachable() {
    let h = Harness::new("gmv-sandbox", SimConfig::default());
    let sandbox = h.discover(&h.sandbox_config());
    let names: Vec<&str> = sandbox["streams"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert!(names.iter().all(|n| !n.starts_with("gmv_max")), "{names:?}");
    let check = h.run(&["check", "--config", &h.write("c.json", &h.oauth_config())]);
    check.assert_success();
    let status = &check.of_type("CONNECTION_STATUS")[0]["connectionStatus"];
    assert_eq!(status["status"], "SUCCEEDED", "{status}");
    assert!(status["message"].as_str().unwrap().contains("GMV Max: 2 stores available to 2"), "{status}");
    let mut none = SimConfig::default();
    none.account.size.gmv_max_stores_per_advertiser = 0;
    let h = Harness::new("gmv-no-store", none);
    let check = h.run(&["check", "--config", &h.write("c.json", &h.oauth_config())]);
    let message = check.of_type("CONNECTION_STATUS")[0]["connectionStatus"]["message"].as_str().unwrap().to_string();
    assert!(
        message.contains("has a store available for GMV Max (the gmv_max_* report streams will be empty)"),
        "{message}"
    );
}

#[test]
fn campaign_settings_are_read_again_only_for_campaigns_that_changed() {
    let h = Harness::new("gmv-settings", SimConfig::default());
    let config = gmv_config(&h, 2).build();
    let streams = ["gmv_max_campaigns", "gmv_max_campaign_settings"];
    let first = h.read(&config, &streams, Mode::Incremental, None);
    first.assert_success();
    let campaigns = first.records_of("gmv_max_campaigns");
    let touched = campaigns[0]["campaign_id"].as_str().unwrap().to_string();
    h.sim.touch(&touched);
    let before = h.requests_to("campaign/gmv_max/info").len();
    let second = h.read(&config, &streams, Mode::Incremental, Some(&first.final_state()));
    second.assert_success();
    let read: Vec<String> = second
        .records_of("gmv_max_campaign_settings")
        .iter()
        .map(|r| r["campaign_id"].as_str().unwrap().to_string())
        .collect();
    assert!(read.contains(&touched), "{read:?}");
    assert!(read.len() < campaigns.len(), "only changed campaigns: {} of {}", read.len(), campaigns.len());
    assert_eq!(h.requests_to("campaign/gmv_max/info").len() - before, read.len(), "one info call per changed campaign");
}

#[test]
fn sync_writes_gmv_max_tables() {
    let h = Harness::new("gmv-sync", SimConfig::default());
    let db = h.dir.join("shop.db");
    let config = gmv_config(&h, 3).build();
    let run = h.sync(&config, db.to_str().unwrap(), "gmv_max_stores,gmv_max_product_campaign_reports_daily", &[]);
    run.assert_success();
    let read = h.read(&config, &["gmv_max_product_campaign_reports_daily"], Mode::FullRefresh, None);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let rows: i64 =
        conn.query_row("SELECT COUNT(*) FROM gmv_max_product_campaign_reports_daily", [], |r| r.get(0)).unwrap();
    assert_eq!(rows as usize, read.records_of("gmv_max_product_campaign_reports_daily").len());
    assert!(rows > 0);
}
