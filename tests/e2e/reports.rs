//! End-to-end: every report stream through the real host, component and simulator: records,
//! types, hourly and lifetime reports, deleted and TopView objects, sandbox streams.

use std::collections::{BTreeMap, BTreeSet};

use harness::*;
use serde_json::{json, Value};
use tiktok_sim::SimConfig;

fn report_streams(catalog: &Value) -> Vec<String> {
    catalog["streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        // The reference's report streams (GMV Max and Smart+ have modules of their own).
        .filter(|n| n.contains("report") && !n.starts_with("gmv_max_") && !n.starts_with("smart_plus_"))
        .collect()
}

#[test]
fn every_report_stream_reads_in_full_refresh_and_incremental_with_valid_typed_records() {
    let h = Harness::new("reports-all", SimConfig::default());
    let config = h.config().days(4).rps(200).build();
    let catalog = h.discover(&config);
    let streams = report_streams(&catalog);
    assert_eq!(streams.len(), 30, "{streams:?}");
    let names: Vec<&str> = streams.iter().map(String::as_str).collect();
    let keys = primary_keys(&catalog);
    for mode in [Mode::FullRefresh, Mode::Incremental] {
        let run = h.read(&config, &names, mode, None);
        run.assert_success();
        assert_records_match_schemas(&run, &catalog);
        for stream in &streams {
            let records = run.records_of(stream);
            assert!(!records.is_empty(), "{stream} read nothing ({mode:?})");
            let unique: BTreeSet<String> = records.iter().map(|r| key_of(r, &keys[stream])).collect();
            assert_eq!(unique.len(), records.len(), "{stream} has duplicate keys ({mode:?})");
            for r in &records {
                assert!(r["advertiser_id"].is_string(), "{stream}: no advertiser_id in {r}");
                assert!(r["metrics"]["spend"].is_number(), "{stream}: spend is not a number in {r}");
                assert!(r["dimensions"].is_object());
            }
            let has_state =
                !run.of_type("STATE").iter().all(|m| m["state"]["stream"]["stream_descriptor"]["name"] != *stream);
            let incremental = !stream.contains("lifetime");
            assert_eq!(has_state, mode == Mode::Incremental && incremental, "{stream}: states in {mode:?}");
        }
    }
}

#[test]
fn empty_metrics_become_null_and_counts_integers() {
    let h = Harness::new("reports-types", SimConfig::default());
    let run = h.read(&h.config().days(2).rps(200).build(), &["ads_reports_daily"], Mode::FullRefresh, None);
    run.assert_success();
    let records = run.records_of("ads_reports_daily");
    assert!(!records.is_empty());
    for r in &records {
        let m = &r["metrics"];
        assert_eq!(m["secondary_goal_result"], Value::Null, "{m}");
        assert!(m["impressions"].is_u64() && m["clicks"].is_u64(), "{m}");
        assert!(m["spend"].is_f64() || m["spend"].is_u64(), "{m}");
        assert!(m["ad_name"].is_string() && m["campaign_id"].is_string(), "{m}");
        assert_eq!(r["ad_id"], r["dimensions"]["ad_id"]);
        assert!(r["stat_time_day"].as_str().unwrap().ends_with(" 00:00:00"));
    }
    // Money keeps TikTok's two decimals exactly, as a JSON number: "20.00" becomes 20.00.
    let mut checked = 0;
    for line in run.stdout.lines().filter(|l| l.contains("\"RECORD\"")) {
        let at = line.find("\"spend\":").expect("spend in every record") + "\"spend\":".len();
        let text: String = line[at..].chars().take_while(|c| !matches!(c, ',' | '}')).collect();
        let (int, frac) = text.split_once('.').unwrap_or_else(|| panic!("spend {text} has no decimals"));
        assert!(!int.is_empty() && int.chars().all(|c| c.is_ascii_digit()), "spend {text} is not a plain number");
        assert!(
            frac.len() == 2 && frac.chars().all(|c| c.is_ascii_digit()),
            "spend {text} does not have exactly two decimals"
        );
        checked += 1;
    }
    assert_eq!(checked, records.len());
}

#[test]
fn hourly_reads_return_every_hour_of_every_day() {
    let h = Harness::new("reports-hourly", SimConfig::default());
    let config = h.config().days(3).rps(200).build();
    let run = h.read(&config, &["ads_reports_hourly", "ads_reports_daily"], Mode::FullRefresh, None);
    run.assert_success();
    // Every hour arrived: the hours of each ad-day add up to that day's daily impressions.
    let mut hourly: BTreeMap<(String, String), (u64, usize)> = BTreeMap::new();
    for r in run.records_of("ads_reports_hourly") {
        let day = r["stat_time_hour"].as_str().unwrap()[..10].to_string();
        let e = hourly.entry((r["ad_id"].as_str().unwrap().into(), day)).or_default();
        e.0 += r["metrics"]["impressions"].as_u64().unwrap();
        e.1 += 1;
    }
    let daily = run.records_of("ads_reports_daily");
    assert!(!daily.is_empty());
    for r in daily {
        let key = (r["ad_id"].as_str().unwrap().to_string(), r["stat_time_day"].as_str().unwrap()[..10].to_string());
        let (impressions, hours) = hourly.get(&key).copied().unwrap_or_default();
        assert_eq!(impressions, r["metrics"]["impressions"].as_u64().unwrap(), "{key:?}");
        assert!(hours > 1, "{key:?} has only {hours} hour(s)");
    }
    // One day per hourly request.
    for r in h.sim.requests().iter().filter(|r| r.query.get("dimensions").is_some_and(|d| d.contains("stat_time_hour")))
    {
        assert_eq!(r.query["start_date"], r.query["end_date"]);
    }
}

#[test]
fn include_deleted_sends_status_all_at_levels_with_a_status_and_brings_deleted_rows() {
    let mut sim_config = SimConfig::default();
    sim_config.account.size.campaigns_per_advertiser = 4;
    let h = Harness::new("reports-deleted", sim_config);
    let mut config = h.config().days(20).rps(200).build();
    let streams = [
        "ads_reports_daily",
        "ads_audience_reports_daily",
        "ads_reports_lifetime",
        "advertisers_audience_reports_lifetime",
    ];
    let without = h.read(&config, &streams, Mode::FullRefresh, None);
    without.assert_success();
    config["include_deleted"] = json!(true);
    h.sim.clear_requests();
    let with = h.read(&config, &streams, Mode::FullRefresh, None);
    with.assert_success();
    let requests = h.requests_to("report/integrated/get");
    assert!(!requests.is_empty());
    for r in &requests {
        assert!(!r.query.contains_key("filters") && !r.query.contains_key("lifetime"), "v1.2 parameters sent");
        // The advertiser level has no status to filter on: the reference sends none there.
        if r.query["data_level"] == "AUCTION_ADVERTISER" {
            assert!(!r.query.contains_key("filtering"), "a status filter at advertiser level");
            continue;
        }
        // The level's own status: ads for the streams, campaigns for the probes of active days,
        // ad groups for the probe of conversion-time results.
        let status = match r.query["data_level"].as_str() {
            "AUCTION_CAMPAIGN" => "\"campaign_status\"",
            "AUCTION_ADGROUP" => "\"adgroup_status\"",
            _ => "\"ad_status\"",
        };
        let filtering: Value = serde_json::from_str(
            r.query.get("filtering").expect("filtering on every report request below the advertiser level"),
        )
        .unwrap();
        assert!(filtering.to_string().contains(status) && filtering.to_string().contains("STATUS_ALL"), "{filtering}");
    }
    assert!(requests.iter().any(|r| r.query["data_level"] == "AUCTION_ADVERTISER"));
    let deleted: BTreeSet<String> =
        h.sim.account().entities.iter().filter(|e| e.deleted).map(|e| e.id.clone()).collect();
    for stream in ["ads_reports_daily", "ads_audience_reports_daily", "ads_reports_lifetime"] {
        assert!(without.records_of(stream).iter().all(|r| !deleted.contains(r["ad_id"].as_str().unwrap())), "{stream}");
        assert!(
            with.records_of(stream).iter().any(|r| deleted.contains(r["ad_id"].as_str().unwrap())),
            "{stream}: no deleted ad"
        );
    }
}

#[test]
fn lifetime_reports_use_query_lifetime_and_the_audience_one_sums_year_windows() {
    let h = Harness::new("reports-lifetime", SimConfig::default());
    let config = h.config().days(500).rps(200).build();
    let run = h.read(
        &config,
        &["campaigns_reports_lifetime", "advertisers_audience_reports_lifetime"],
        Mode::FullRefresh,
        None,
    );
    run.assert_success();
    let requests = h.sim.requests();
    let basic: Vec<_> =
        requests.iter().filter(|r| r.query.get("data_level").map(String::as_str) == Some("AUCTION_CAMPAIGN")).collect();
    assert!(basic.iter().all(|r| r.query["query_lifetime"] == "true" && !r.query.contains_key("start_date")));
    let audience: Vec<_> =
        requests.iter().filter(|r| r.query.get("report_type").map(String::as_str) == Some("AUDIENCE")).collect();
    for r in &audience {
        assert!((query_date(r, "end_date") - query_date(r, "start_date")).num_days() < 365);
    }
    assert_eq!(audience.len(), 2 * h.sim.account().advertisers.len(), "500 days are two windows per advertiser");
    // One row per advertiser, gender and age, with consistent ratios.
    let rows = run.records_of("advertisers_audience_reports_lifetime");
    let keys: BTreeSet<String> =
        rows.iter().map(|r| format!("{}|{}|{}", r["advertiser_id"], r["gender"], r["age"])).collect();
    assert_eq!(keys.len(), rows.len());
    for r in rows {
        let m = &r["metrics"];
        let expected_ctr = m["clicks"].as_f64().unwrap() / m["impressions"].as_f64().unwrap() * 100.0;
        assert!((m["ctr"].as_f64().unwrap() - expected_ctr).abs() < 0.01, "{m}");
    }
}

#[test]
fn sandbox_configs_see_only_the_sandbox_report_streams() {
    let h = Harness::new("reports-sandbox", SimConfig::default());
    let prod = report_streams(&h.discover(&h.oauth_config()));
    let sandbox = report_streams(&h.discover(&h.sandbox_config()));
    assert_eq!(sandbox.len(), 19, "{sandbox:?}");
    for name in [
        "advertisers_reports_daily",
        "ads_reports_by_country_daily",
        "advertisers_audience_reports_lifetime",
        "ads_reports_by_country_hourly",
    ] {
        assert!(prod.contains(&name.to_string()) && !sandbox.contains(&name.to_string()), "{name}");
    }
    let config = h.sandbox().days(2).rps(200).build();
    let run = h.read(&config, &["ads_reports_daily", "campaigns_reports_hourly"], Mode::Incremental, None);
    run.assert_success();
    assert!(!run.records_of("ads_reports_daily").is_empty());
}

#[test]
fn topview_objects_are_listed_and_reported_through_their_own_filter_each_once() {
    // The same account twice: its last two campaigns (one of them deleted) as TopView objects,
    // which TikTok lists and reports only when asked for alone, and as ordinary ones.
    let streams = [
        "campaigns",
        "ad_groups",
        "ads",
        "ads_reports_daily",
        "ad_groups_reports_hourly",
        "campaigns_reports_lifetime",
        "ads_audience_reports_by_country_daily",
        "advertisers_reports_daily",
    ];
    let size = |campaigns, topview| tiktok_sim::DataSize {
        campaigns_per_advertiser: campaigns,
        topview_campaigns_per_advertiser: topview,
        ..Default::default()
    };
    let start = days_ago(2);
    for include_deleted in [false, true] {
        let mut ordinary = SimConfig::default();
        ordinary.account.size = size(5, 0);
        let (expected, keys) = clean_read_of(&format!("topview-ordinary-{include_deleted}"), ordinary, &streams, |c| {
            c.start(start).rps(200).include_deleted(include_deleted)
        });

        let mut topview = SimConfig::default();
        topview.account.size = size(3, 2);
        let h = Harness::new(&format!("topview-{include_deleted}"), topview);
        let config = h.config().start(start).rps(200).include_deleted(include_deleted).build();
        let run = h.read(&config, &streams, Mode::FullRefresh, None);
        run.assert_success();
        let topview_ids: BTreeSet<String> =
            h.sim.account().entities.iter().filter(|e| e.topview && !e.deleted).map(|e| e.id.clone()).collect();
        // The advertiser-level rows stay TikTok's AUCTION rows: TopView delivery is not in them.
        for stream in &streams[..7] {
            let (got, want) = (unique_by_key(&run, stream, &keys[*stream]), by_key(&expected, stream, &keys[*stream]));
            assert_eq!(
                got, want,
                "include_deleted {include_deleted}: {stream} differs from the same objects read as ordinary ones"
            );
            let id = &keys[*stream][0];
            let of_topview = got.values().filter(|r| r[id].as_str().is_some_and(|id| topview_ids.contains(id))).count();
            assert!(of_topview > 0, "{stream}: no TopView row: the test tests nothing");
        }
        let requests = h.sim.requests();
        let topview_lists: Vec<_> = requests
            .iter()
            .filter(|r| {
                r.query.get("filtering").is_some_and(|f| f.contains("RESERVATION_TOP_VIEW"))
                    && r.endpoint().ends_with("/get")
                    && !r.endpoint().starts_with("report")
            })
            .collect();
        assert!(topview_lists.iter().all(|r| r.response_code == Some(0)), "a TopView list was refused");
        assert!(
            topview_lists.iter().any(|r| r.endpoint() == "adgroup/get" && r.query["page_size"] == "100"),
            "ad groups: 100 a page with TopView"
        );
        let advertiser_level_topview = requests.iter().any(|r| {
            r.query.get("data_level").is_some_and(|l| l == "AUCTION_ADVERTISER")
                && r.query.get("filtering").is_some_and(|f| f.contains("buying_type"))
        });
        assert!(!advertiser_level_topview, "an advertiser-level TopView query");
    }
}
