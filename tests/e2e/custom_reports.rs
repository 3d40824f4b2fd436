//! Custom reports: the user's own report definitions, read as streams by the same machinery
//! as the built-in reports, and equal to them where they ask for the same thing.

use std::collections::BTreeSet;

use harness::*;
use serde_json::json;
use tiktok_sim::SimConfig;

/// Every custom report's key, dimensions and chosen metrics equal the built-in stream's.
fn assert_same_as_built_in(run: &Run, custom: &str, built_in: &str, key: &[&str], metrics: &[&str]) {
    let (mine, theirs) = (unique_by_key(run, custom, key), by_key(run, built_in, key));
    assert!(!mine.is_empty(), "{custom} is empty");
    assert_eq!(
        mine.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>(),
        "{custom} and {built_in} have other rows"
    );
    for (k, record) in &mine {
        assert_eq!(record["dimensions"], theirs[k]["dimensions"], "{custom} {k}");
        for m in metrics {
            assert_eq!(record["metrics"][*m], theirs[k]["metrics"][*m], "{custom} {k}: {m}");
        }
        assert_eq!(
            record["metrics"].as_object().unwrap().len(),
            metrics.len(),
            "{custom} {k}: other metrics than asked for"
        );
    }
}

#[test]
fn a_custom_report_per_granularity_reads_the_rows_of_the_equivalent_built_in_stream() {
    let h = Harness::new("custom-equal", SimConfig::default());
    let campaign = h
        .sim
        .account()
        .entities
        .iter()
        .find(|e| e.level == tiktok_sim::Level::Campaign && !e.deleted)
        .unwrap()
        .id
        .clone();
    let daily = ["spend", "impressions", "clicks", "ctr", "campaign_name", "conversion"];
    let hourly = ["spend", "impressions", "cpc"];
    let lifetime = ["spend", "clicks", "adgroup_name"];
    let audience = ["spend", "impressions", "cpm"];
    let mut one_campaign =
        custom_report("one_campaign_ads", "BASIC", "AUCTION_AD", "DAILY", &[], &["spend", "campaign_id"]);
    one_campaign["filters"] = json!([{"field_name": "campaign_ids", "filter_type": "IN", "filter_value": [campaign]}]);
    let reports = vec![
        custom_report("my_ads_daily", "BASIC", "AUCTION_AD", "DAILY", &[], &daily),
        custom_report("my_campaigns_hourly", "BASIC", "AUCTION_CAMPAIGN", "HOURLY", &[], &hourly),
        custom_report("my_ad_groups_lifetime", "BASIC", "AUCTION_ADGROUP", "LIFETIME", &[], &lifetime),
        custom_report("my_ad_group_audience", "AUDIENCE", "AUCTION_ADGROUP", "DAILY", &["gender", "age"], &audience),
        custom_report("my_ads_by_country", "BASIC", "AUCTION_AD", "DAILY", &["country_code"], &["spend", "clicks"]),
        one_campaign,
    ];
    let config = h.config().days(2).rps(200).custom_reports(&reports).build();
    let streams = [
        "my_ads_daily",
        "ads_reports_daily",
        "my_campaigns_hourly",
        "campaigns_reports_hourly",
        "my_ad_groups_lifetime",
        "ad_groups_reports_lifetime",
        "my_ad_group_audience",
        "ad_group_audience_reports_daily",
        "my_ads_by_country",
        "ads_reports_by_country_daily",
        "one_campaign_ads",
    ];
    let run = h.read(&config, &streams, Mode::FullRefresh, None);
    run.assert_success();
    harness::assert_records_match_schemas(&run, &h.discover(&config));
    assert_same_as_built_in(&run, "my_ads_daily", "ads_reports_daily", &["ad_id", "stat_time_day"], &daily);
    assert_same_as_built_in(
        &run,
        "my_campaigns_hourly",
        "campaigns_reports_hourly",
        &["campaign_id", "stat_time_hour"],
        &hourly,
    );
    assert_same_as_built_in(&run, "my_ad_groups_lifetime", "ad_groups_reports_lifetime", &["adgroup_id"], &lifetime);
    assert_same_as_built_in(
        &run,
        "my_ad_group_audience",
        "ad_group_audience_reports_daily",
        &["adgroup_id", "stat_time_day", "gender", "age"],
        &audience,
    );
    assert_same_as_built_in(
        &run,
        "my_ads_by_country",
        "ads_reports_by_country_daily",
        &["ad_id", "stat_time_day", "country_code"],
        &["spend", "clicks"],
    );
    // The filter keeps exactly that campaign's rows, with the same numbers.
    let filtered = by_key(&run, "one_campaign_ads", &["ad_id", "stat_time_day"]);
    let all = by_key(&run, "ads_reports_daily", &["ad_id", "stat_time_day"]);
    let of_campaign: BTreeSet<&String> =
        all.iter().filter(|(_, r)| r["metrics"]["campaign_id"] == json!(campaign)).map(|(k, _)| k).collect();
    assert!(!of_campaign.is_empty() && of_campaign.len() < all.len());
    assert_eq!(filtered.keys().collect::<BTreeSet<_>>(), of_campaign);
    assert!(filtered.iter().all(|(k, r)| r["metrics"]["spend"] == all[k]["metrics"]["spend"]));
    // The filter went to TikTok (not applied after the fact).
    let sent = h
        .sim
        .requests()
        .into_iter()
        .filter(|r| r.query.get("filtering").is_some_and(|f| f.contains(&campaign)))
        .count();
    assert!(sent > 0, "no request carried the filter");

    // discover: each custom report with its key, cursor and typed metrics.
    let catalog = h.discover(&config);
    let entry =
        catalog["streams"].as_array().unwrap().iter().find(|s| s["name"] == "my_ad_group_audience").unwrap().clone();
    assert_eq!(entry["source_defined_primary_key"], json!([["adgroup_id"], ["stat_time_day"], ["gender"], ["age"]]));
    assert_eq!(entry["default_cursor_field"], json!(["stat_time_day"]));
    assert_eq!(
        entry["json_schema"]["properties"]["metrics"]["properties"]["impressions"]["type"],
        json!(["null", "integer"])
    );
    let lifetime_entry =
        catalog["streams"].as_array().unwrap().iter().find(|s| s["name"] == "my_ad_groups_lifetime").unwrap().clone();
    assert_eq!(lifetime_entry["supported_sync_modes"], json!(["full_refresh"]));
}

#[test]
fn invalid_custom_reports_are_config_errors_that_say_what_is_allowed() {
    let h = Harness::new("custom-invalid", SimConfig::default());
    let cases = [
        (custom_report("a", "AUDIENCE", "AUCTION_AD", "HOURLY", &[], &["spend"]), "custom_reports[0].granularity", "no HOURLY AUDIENCE"),
        (custom_report("a", "BASIC", "AUCTION_AD", "DAILY", &["gender"], &["spend"]), "custom_reports[0].dimensions", "BASIC reports take country_code"),
        (custom_report("a", "BASIC", "AUCTION_AD", "DAILY", &[], &["spend", "Joy!"]), "custom_reports[0].metrics", "\"Joy!\" is not a metric name"),
        (custom_report("ads_reports_daily", "BASIC", "AUCTION_AD", "DAILY", &[], &["spend"]), "custom_reports[0].name", "built-in"),
        (custom_report("a", "BASIC", "AUCTION_AD", "LIFETIME", &[], &["cash_spend"]), "custom_reports[0].metrics", "AUCTION_ADVERTISER"),
        // cash and voucher spend: advertiser level, daily only (not hourly, not lifetime).
        (
            custom_report("a", "BASIC", "AUCTION_ADVERTISER", "HOURLY", &[], &["spend", "voucher_spend"]),
            "custom_reports[0].metrics",
            "TikTok gives voucher_spend for AUCTION_ADVERTISER DAILY reports only (not HOURLY, not LIFETIME)",
        ),
        // An attribute only at its own level or below.
        (
            custom_report("a", "BASIC", "AUCTION_CAMPAIGN", "DAILY", &[], &["spend", "adgroup_name"]),
            "custom_reports[0].metrics",
            "\"adgroup_name\" is an attribute of ad groups: TikTok gives it at data_level AUCTION_ADGROUP or AUCTION_AD only, not AUCTION_CAMPAIGN",
        ),
        (
            custom_report("a", "AUDIENCE", "AUCTION_ADGROUP", "DAILY", &["gender"], &["ad_name"]),
            "custom_reports[0].metrics",
            "\"ad_name\" is an attribute of ads: TikTok gives it at data_level AUCTION_AD only, not AUCTION_ADGROUP",
        ),
        (
            custom_report("a", "BASIC", "AUCTION_ADVERTISER", "LIFETIME", &[], &["campaign_name"]),
            "custom_reports[0].metrics",
            "not AUCTION_ADVERTISER",
        ),
        (custom_report("a", "AUDIENCE", "AUCTION_AD", "DAILY", &["gender", "country_code"], &["spend"]), "custom_reports[0].dimensions", "or by age with gender"),
    ];
    for (report, path, why) in cases {
        let config = h.config().days(2).rps(200).custom_reports(&[report]).build();
        for command in ["check", "discover"] {
            let run = h.run(&[command, "--config", &h.write("bad.json", &config)]);
            let (kind, message) = run.failure();
            assert_eq!(kind, "config_error", "{command} {path}");
            assert!(message.starts_with(path) && message.contains(why), "{command}: {message}");
        }
    }
    // No request was made for a config that cannot be right.
    assert!(h.sim.requests().is_empty());
}

#[test]
fn an_incremental_custom_report_restates_its_own_lookback() {
    let h = Harness::new("custom-lookback", SimConfig::default());
    let mut report = custom_report("my_daily", "BASIC", "AUCTION_CAMPAIGN", "DAILY", &[], &["spend", "clicks"]);
    report["lookback_days"] = json!(1);
    let config = h.config().days(10).rps(200).custom_reports(&[report]).build();
    let first = h.read(&config, &["my_daily"], Mode::Incremental, None);
    first.assert_success();
    let state = first.final_state();
    let cursors = cursor_days(&state, "my_daily");
    assert_eq!(cursors.len(), h.sim.account().advertisers.len());
    h.sim.clear_requests();
    let second = h.read(&config, &["my_daily"], Mode::Incremental, Some(&state));
    second.assert_success();
    for (advertiser, cursor) in &cursors {
        let starts: Vec<String> = h
            .sim
            .requests()
            .into_iter()
            // The report's own requests, not the advertiser-level probes of active days.
            .filter(|r| {
                r.endpoint() == "report/integrated/get"
                    && r.query["advertiser_id"] == *advertiser
                    && r.query["data_level"] == "AUCTION_CAMPAIGN"
            })
            .map(|r| r.query["start_date"].clone())
            .collect();
        assert_eq!(
            starts.iter().min(),
            Some(&(*cursor - chrono::Duration::days(1)).to_string()),
            "advertiser {advertiser}: the lookback is 1 day"
        );
    }
    // The restated days come again, each row once.
    unique_by_key(&second, "my_daily", &["campaign_id", "stat_time_day"]);
    assert!(second.records_of("my_daily").len() < first.records_of("my_daily").len());
}

#[test]
fn a_truncated_custom_report_completes_through_the_task_api() {
    let report =
        custom_report("my_audience", "AUDIENCE", "AUCTION_AD", "DAILY", &["gender"], &["spend", "clicks", "ad_name"]);
    let reports = [report];
    let (expected, _) =
        clean_read("custom-tasks-clean", &["my_audience"], |c| c.days(2).rps(200).custom_reports(&reports));
    let mut sim_config = SimConfig::default();
    sim_config.limits.ads_throttle_threshold = 3;
    let h = Harness::new("custom-tasks", sim_config);
    let run = h.read(
        &h.config().days(2).rps(200).custom_reports(&reports).build(),
        &["my_audience"],
        Mode::FullRefresh,
        None,
    );
    run.assert_success();
    let key = ["ad_id", "stat_time_day", "gender"];
    assert_eq!(
        by_key(&run, "my_audience", &key),
        by_key(&expected, "my_audience", &key),
        "the task gives every row, with the same values"
    );
    assert_eq!(run.records_of("my_audience").len(), expected.records_of("my_audience").len());
    assert!(h.sim.requests().iter().any(|r| r.endpoint() == "report/task/create"), "no task was created");
}
