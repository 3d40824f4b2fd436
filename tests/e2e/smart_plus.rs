//! End-to-end: Upgraded Smart+ through the real host, component and simulator: every Smart+
//! stream equal record for record to the simulator's answers (its lists, creatives, `ad_id_v2`
//! rows, material rows), the built-in `ads` joining them by `smart_plus_ad_id`, incremental
//! reads that send `modified_after`, a sync cut off that resumes with no gap, truncated reports
//! narrowed without `ad_ids`, and both readings of the Smart+ ambiguities.

use std::collections::{BTreeMap, BTreeSet};

use harness::http::get;
use harness::*;
use serde_json::{json, Value};
use tiktok_sim::SimConfig;

const LISTS: [&str; 4] = ["smart_plus_campaigns", "smart_plus_ad_groups", "smart_plus_ads", "smart_plus_ad_creatives"];
const REPORTS: [&str; 5] = [
    "smart_plus_ads_reports_daily",
    "smart_plus_ads_reports_hourly",
    "smart_plus_ads_reports_lifetime",
    "smart_plus_material_reports_daily",
    "smart_plus_material_reports_lifetime",
];

/// An account with Smart+ campaigns (two ads of three creatives each per campaign).
fn smart_plus_account() -> SimConfig {
    let mut sim = SimConfig::default();
    sim.account.size.smart_plus_campaigns_per_advertiser = 1;
    sim
}

fn data(h: &Harness, endpoint: &str, params: &[(&str, String)]) -> Value {
    let answer = get(&h.sim, endpoint, params).json();
    assert_eq!(answer["code"], 0, "{endpoint} {params:?}: {answer}");
    answer["data"].clone()
}

fn advertisers(h: &Harness) -> Vec<String> {
    h.sim.account().advertisers.iter().map(|a| a.id.clone()).collect()
}

/// Every object a Smart+ list holds for the account, deleted ones too, as the simulator lists them.
fn sim_list(h: &Harness, endpoint: &str, page_size: u32) -> Vec<Value> {
    let mut all = Vec::new();
    for advertiser in advertisers(h) {
        let mut page = 1;
        loop {
            let params = [
                ("advertiser_id", advertiser.clone()),
                ("filtering", json!({"primary_status": "STATUS_ALL"}).to_string()),
                ("page", page.to_string()),
                ("page_size", page_size.to_string()),
            ];
            let answer = data(h, endpoint, &params);
            all.extend(answer["list"].as_array().cloned().unwrap_or_default());
            if page >= answer["page_info"]["total_page"].as_u64().unwrap_or(0) {
                break;
            }
            page += 1;
        }
    }
    all
}

fn ids(records: &[Value], field: &str) -> BTreeSet<String> {
    records.iter().map(|r| r[field].as_str().unwrap_or_else(|| panic!("{field} in {r}")).to_string()).collect()
}

/// The simulator's `ad_id_v2` rows of the Smart+ ads over the days, as (ad|day, spend).
fn sim_ad_rows(h: &Harness, smart_plus_ads: &BTreeSet<String>, days: i64) -> BTreeMap<String, f64> {
    let mut rows = BTreeMap::new();
    for advertiser in advertisers(h) {
        let params = [
            ("advertiser_id", advertiser.clone()),
            ("service_type", "AUCTION".to_string()),
            ("report_type", "BASIC".to_string()),
            ("data_level", "AUCTION_AD".to_string()),
            ("dimensions", json!(["ad_id_v2", "stat_time_day"]).to_string()),
            ("metrics", json!(["spend"]).to_string()),
            // Deleted ads too, as with include_deleted.
            (
                "filtering",
                json!([{"field_name": "ad_status", "filter_type": "IN", "filter_value": "[\"STATUS_ALL\"]"}])
                    .to_string(),
            ),
            ("start_date", days_ago(days).to_string()),
            ("end_date", days_ago(1).to_string()),
            ("page_size", "1000".to_string()),
        ];
        let answer = data(h, "report/integrated/get", &params);
        assert!(answer["page_info"]["total_page"].as_u64().unwrap_or(0) <= 1);
        for row in answer["list"].as_array().unwrap() {
            let ad = row["dimensions"]["ad_id_v2"].as_str().unwrap();
            if smart_plus_ads.contains(ad) {
                let day = row["dimensions"]["stat_time_day"].as_str().unwrap();
                rows.insert(format!("{ad}|{day}"), row["metrics"]["spend"].as_str().unwrap().parse::<f64>().unwrap());
            }
        }
    }
    rows
}

fn spend(record: &Value) -> f64 {
    record["metrics"]["spend"].as_f64().unwrap_or_else(|| panic!("spend in {record}"))
}

#[test]
fn every_smart_plus_stream_equals_what_the_simulator_answers() {
    let h = Harness::new("smart-plus-all", smart_plus_account());
    let config = h.config().start(days_ago(4)).end(days_ago(1)).rps(200).include_deleted(true).build();
    let catalog = h.discover(&config);
    let keys = primary_keys(&catalog);
    let streams: Vec<&str> = LISTS.iter().chain(REPORTS.iter()).copied().chain(["ads"]).collect();
    let run = h.read(&config, &streams, Mode::Incremental, None);
    run.assert_success();
    assert_records_match_schemas(&run, &catalog);
    let full = h.read(&config, &streams, Mode::FullRefresh, None);
    full.assert_success();
    assert_same_rows(&sorted_records(&full), &sorted_records(&run), "full refresh against incremental");
    // Lists: every object once, as the simulator lists them.
    let sim_ads = sim_list(&h, "smart_plus/ad/get", 100);
    assert!(sim_ads.len() >= 4, "{} Smart+ ads", sim_ads.len());
    for (stream, endpoint, id) in [
        ("smart_plus_campaigns", "smart_plus/campaign/get", "campaign_id"),
        ("smart_plus_ad_groups", "smart_plus/adgroup/get", "adgroup_id"),
        ("smart_plus_ads", "smart_plus/ad/get", "smart_plus_ad_id"),
    ] {
        let got = unique_by_key(&run, stream, &keys[stream]);
        let want = ids(&sim_list(&h, endpoint, 100), id);
        assert_eq!(got.keys().cloned().collect::<BTreeSet<_>>(), want, "{stream}");
    }
    // Creatives: one record per entry of each ad's creative list, keyed by the ad and its own id.
    let creatives = unique_by_key(&run, "smart_plus_ad_creatives", &keys["smart_plus_ad_creatives"]);
    let want: BTreeSet<String> = sim_ads
        .iter()
        .flat_map(|ad| {
            let id = ad["smart_plus_ad_id"].as_str().unwrap().to_string();
            ad["creative_list"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |c| format!("{id}|{}", c["ad_material_id"].as_str().unwrap()))
        })
        .collect();
    assert_eq!(creatives.keys().cloned().collect::<BTreeSet<_>>(), want);
    // The built-in `ads` keep creative-level ad_id and join the Smart+ ad by smart_plus_ad_id.
    let smart_plus_ads = ids(&sim_ads, "smart_plus_ad_id");
    let creative_rows: Vec<Value> = run
        .records_of("ads")
        .into_iter()
        .filter(|a| a.get("smart_plus_ad_id").is_some_and(|v| v.is_string()))
        .collect();
    assert!(!creative_rows.is_empty(), "Smart+ creatives in ads");
    for row in &creative_rows {
        assert!(smart_plus_ads.contains(row["smart_plus_ad_id"].as_str().unwrap()), "{row}");
        assert_eq!(row["campaign_automation_type"], "UPGRADED_SMART_PLUS_CREATIVE", "{row}");
    }
    // ad_id_v2 rows: only Smart+ ads, each equal to the simulator's.
    let want = sim_ad_rows(&h, &smart_plus_ads, 4);
    assert!(!want.is_empty());
    let got: BTreeMap<String, f64> = run
        .records_of("smart_plus_ads_reports_daily")
        .iter()
        .map(|r| {
            (format!("{}|{}", r["smart_plus_ad_id"].as_str().unwrap(), r["stat_time_day"].as_str().unwrap()), spend(r))
        })
        .collect();
    assert_eq!(got.len(), run.records_of("smart_plus_ads_reports_daily").len(), "a row twice");
    assert_eq!(got, want, "smart_plus_ads_reports_daily against the simulator's ad_id_v2 rows");
    for r in run.records_of("smart_plus_ads_reports_daily") {
        assert_eq!(r["smart_plus_ad_id"], r["dimensions"]["ad_id_v2"], "{r}");
    }
    // Material rows of an ad and day add up to its ad_id_v2 row exactly.
    let mut by_ad_day: BTreeMap<String, f64> = BTreeMap::new();
    for r in run.records_of("smart_plus_material_reports_daily") {
        let key = format!("{}|{}", r["smart_plus_ad_id"].as_str().unwrap(), r["stat_time_day"].as_str().unwrap());
        *by_ad_day.entry(key).or_default() += spend(&r);
    }
    unique_by_key(&run, "smart_plus_material_reports_daily", &keys["smart_plus_material_reports_daily"]);
    let spent: BTreeMap<String, f64> = want.iter().filter(|(_, s)| **s > 0.0).map(|(k, s)| (k.clone(), *s)).collect();
    assert_eq!(by_ad_day.keys().collect::<Vec<_>>(), spent.keys().collect::<Vec<_>>());
    for (key, total) in &by_ad_day {
        assert!((total - spent[key]).abs() < 0.005, "{key}: materials {total} vs the ad's {}", spent[key]);
    }
    // Lifetime: a row per (ad, material), and per ad per Smart+ ad; hourly rows of Smart+ ads only.
    let lifetime =
        unique_by_key(&run, "smart_plus_material_reports_lifetime", &keys["smart_plus_material_reports_lifetime"]);
    assert!(!lifetime.is_empty());
    let daily_materials: BTreeSet<String> = run
        .records_of("smart_plus_material_reports_daily")
        .iter()
        .map(|r| format!("{}|{}", r["smart_plus_ad_id"].as_str().unwrap(), r["main_material_id"].as_str().unwrap()))
        .collect();
    assert!(daily_materials.iter().all(|k| lifetime.contains_key(k)), "every material read by day has a lifetime row");
    assert!(ids(&run.records_of("smart_plus_ads_reports_lifetime"), "smart_plus_ad_id").is_subset(&smart_plus_ads));
    assert!(ids(&run.records_of("smart_plus_ads_reports_hourly"), "smart_plus_ad_id").is_subset(&smart_plus_ads));
    // The breakdown is asked per Smart+ ad, never with an id dimension; no refused request.
    for r in h.requests_to("smart_plus/material_report/breakdown") {
        let filtering: Value = serde_json::from_str(&r.query["filtering"]).unwrap();
        assert_eq!(filtering["smart_plus_ad_ids"].as_array().map(Vec::len), Some(1), "{filtering}");
    }
    let refused: Vec<_> = h.sim.requests().into_iter().filter(|r| r.response_code.is_some_and(|c| c != 0)).collect();
    assert!(refused.is_empty(), "{:?}", refused.iter().map(|r| (&r.path, r.response_code)).collect::<Vec<_>>());
}

#[test]
fn an_incremental_read_sends_modified_after_and_reads_only_the_changed_smart_plus_ads() {
    let mut sim = smart_plus_account();
    sim.account.size.smart_plus_ads_per_campaign = 4;
    let h = Harness::new("smart-plus-incremental", sim);
    let config = h.config().days(3).rps(200).build();
    let streams = ["smart_plus_ads", "smart_plus_ad_creatives"];
    let first = h.read(&config, &streams, Mode::Incremental, None);
    first.assert_success();
    let ads = first.records_of("smart_plus_ads");
    let touched = ads[0]["smart_plus_ad_id"].as_str().unwrap().to_string();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    h.sim.touch(&touched);
    let before = h.requests_to("smart_plus/ad/get").len();
    let second = h.read(&config, &streams, Mode::Incremental, Some(&first.final_state()));
    second.assert_success();
    let requests = h.requests_to("smart_plus/ad/get");
    assert!(requests[before..].iter().all(|r| r.query.get("filtering").is_some_and(|f| f.contains("modified_after"))));
    let read = ids(&second.records_of("smart_plus_ads"), "smart_plus_ad_id");
    assert!(read.contains(&touched), "{read:?}");
    assert!(read.len() < ads.len(), "only the changed ad (and those at the cursor): {} of {}", read.len(), ads.len());
    let creatives = ids(&second.records_of("smart_plus_ad_creatives"), "smart_plus_ad_id");
    assert_eq!(creatives, read, "an ad's creatives come with it");
}

#[test]
fn a_material_sync_cut_off_after_any_window_resumes_with_no_gap() {
    let h = Harness::new("smart-plus-resume", smart_plus_account());
    let config = h.config().start(days_ago(75)).end(days_ago(1)).rps(200).attribution_window(0).build();
    let streams = ["smart_plus_material_reports_daily", "smart_plus_ads_reports_daily"];
    let whole = h.read(&config, &streams, Mode::Incremental, None);
    whole.assert_success();
    let states = whole.of_type("STATE").len();
    assert!(states >= 4, "{states} states");
    assert_resumes_with_no_gap(&h, &config, &streams, &whole, &[0, states / 2, states - 2]);
}

#[test]
fn a_truncated_smart_plus_report_is_read_whole_narrowed_by_ad_groups_never_by_ad_ids_or_by_a_task() {
    let streams = ["smart_plus_ads_reports_daily"];
    let (clean, keys) = clean_read_of("smart-plus-truncated-clean", smart_plus_account(), &streams, |c| {
        c.start(days_ago(3)).end(days_ago(1)).rps(200)
    });
    for task_access in [false, true] {
        let mut sim = smart_plus_account();
        sim.limits.ads_throttle_threshold = 8;
        sim.scenarios.task_access = task_access;
        let h = Harness::new("smart-plus-truncated", sim);
        let run =
            h.read(&h.config().start(days_ago(3)).end(days_ago(1)).rps(200).build(), &streams, Mode::Incremental, None);
        run.assert_success();
        assert_same_keys(
            &unique_by_key(&run, streams[0], &keys[streams[0]]),
            &unique_by_key(&clean, streams[0], &keys[streams[0]]),
            &format!("truncated against clean, task access {task_access}"),
        );
        let reports = h.requests_to("report/integrated/get");
        let narrowed = reports.iter().filter(|r| r.query.get("filtering").is_some_and(|f| f.contains("_ids"))).count();
        match task_access {
            false => assert!(narrowed > 0, "the report was narrowed"),
            true => assert!(!h.requests_to("report/task/create").is_empty(), "a task read the window"),
        }
        for r in &reports {
            let filtering = r.query.get("filtering").cloned().unwrap_or_default();
            assert!(!filtering.contains("\"ad_ids\""), "ad_ids with ad_id_v2: {filtering}");
        }
        // Without task access, the one task creation TikTok refuses is how the connector learns it.
        let refused: Vec<_> =
            h.sim.requests().into_iter().filter(|r| r.response_code.is_some_and(|c| c != 0)).collect();
        assert!(
            refused.iter().all(|r| !task_access && r.endpoint() == "report/task/create"),
            "refused: {:?}",
            refused.iter().map(|r| (&r.path, r.response_code)).collect::<Vec<_>>()
        );
        assert!(refused.len() <= 1);
    }
}

/// The other reading of each Smart+ ambiguity, one simulator each: the Smart+ streams' records
/// are the same.
#[test]
fn both_readings_of_the_smart_plus_ambiguities_give_the_same_records() {
    let streams = [
        "smart_plus_ads",
        "smart_plus_ad_creatives",
        "smart_plus_material_reports_daily",
        "smart_plus_ads_reports_daily",
    ];
    let options = |c: ConfigBuilder| c.start(days_ago(3)).end(days_ago(1)).rps(200);
    let (clean, _) = clean_read_of("smart-plus-readings-clean", smart_plus_account(), &streams, options);
    let readings: [(&str, SimSetup); 3] = [
        ("Smart+ objects not in the regular lists", Box::new(|s| s.readings.smart_plus_not_in_regular_lists = true)),
        ("material rows keyed info", Box::new(|s| s.readings.smart_plus_material_row_key_info = true)),
        ("ad pages of 1000", Box::new(|s| s.readings.smart_plus_ad_page_size_max = 1000)),
    ];
    for (what, setup) in readings {
        let mut sim = smart_plus_account();
        setup(&mut sim);
        let h = Harness::new("smart-plus-reading", sim);
        let run = h.read(&options(h.config()).build(), &streams, Mode::FullRefresh, None);
        run.assert_success();
        assert_same_rows(&sorted_records(&run), &sorted_records(&clean), what);
    }
}

/// The question of which Smart+ ads spent is an integrated report: TikTok may truncate it to its
/// newest ads (`X-Tt-Ads-Throttle`). A truncated answer cannot say an ad did not spend, so the
/// material rows are the same as on an account that is not truncated.
#[test]
fn material_rows_are_whole_when_the_question_of_which_ads_spent_is_truncated() {
    let streams = ["smart_plus_material_reports_daily"];
    let options = |c: ConfigBuilder| c.start(days_ago(3)).end(days_ago(1)).rps(200);
    // Four ads (three not deleted) of three creatives: nine creatives, over a limit of three.
    let mut account = smart_plus_account();
    account.account.size.smart_plus_ads_per_campaign = 4;
    let (clean, _) = clean_read_of("smart-plus-material-clean", account.clone(), &streams, options);
    let mut sim = account;
    sim.limits.ads_throttle_threshold = 3;
    let h = Harness::new("smart-plus-material-truncated", sim);
    let run = h.read(&options(h.config()).build(), &streams, Mode::Incremental, None);
    run.assert_success();
    assert_same_rows(&sorted_records(&run), &sorted_records(&clean), "a truncated spend question against a whole one");
}
