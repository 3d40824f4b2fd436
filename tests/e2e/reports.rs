//! End-to-end: every report stream through the real host, component and simulator.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate, Utc};
use harness::*;
use serde_json::{json, Value};
use tiktok_sim::SimConfig;

/// A production config reading `days` days of reports, fast enough for tests.
fn config(h: &Harness, start: NaiveDate) -> Value {
    let mut c = h.oauth_config();
    c["start_date"] = json!(start.to_string());
    c["requests_per_second"] = json!(200);
    c
}

/// A full-refresh read of `streams` from a simulator without constraints, and the catalog's
/// primary keys: what a constrained read must give back.
fn clean_read(name: &str, start: NaiveDate, streams: &[&str]) -> (Run, BTreeMap<String, Vec<String>>) {
    let clean = Harness::new(name, SimConfig::default());
    let config = config(&clean, start);
    let run = clean.read(&config, streams, Mode::FullRefresh, None);
    run.assert_success();
    (run, primary_keys(&clean.discover(&config)))
}

fn report_streams(catalog: &Value) -> Vec<String> {
    catalog["streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .filter(|n| n.contains("report"))
        .collect()
}

/// The primary key of a record, as the catalog defines it.
fn key_of(record: &Value, key: &[String]) -> String {
    key.iter()
        .map(|k| record[k].as_str().unwrap_or_else(|| panic!("key {k} missing in {record}")).to_string())
        .collect::<Vec<_>>()
        .join("|")
}

fn primary_keys(catalog: &Value) -> BTreeMap<String, Vec<String>> {
    catalog["streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let key = s["source_defined_primary_key"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k[0].as_str().unwrap().to_string())
                .collect();
            (s["name"].as_str().unwrap().to_string(), key)
        })
        .collect()
}

#[test]
fn every_report_stream_reads_in_full_refresh_and_incremental_with_valid_typed_records() {
    let h = Harness::new("reports-all", SimConfig::default());
    let config = config(&h, days_ago(4));
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
    let run = h.read(&config(&h, days_ago(2)), &["ads_reports_daily"], Mode::FullRefresh, None);
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
fn daily_windows_span_at_most_the_configured_days_and_cover_every_day_once() {
    let h = Harness::new("reports-windows", SimConfig::default());
    let mut config = config(&h, days_ago(75));
    config["report_window_days"] = json!(20);
    let run = h.read(&config, &["campaigns_reports_daily"], Mode::FullRefresh, None);
    run.assert_success();
    let advertisers = h.sim.account().advertisers.len();
    let mut covered: BTreeMap<String, BTreeSet<NaiveDate>> = BTreeMap::new();
    // The stream's own requests (not the advertiser-level probes of skip_inactive_days).
    for r in h
        .sim
        .requests()
        .iter()
        .filter(|r| r.endpoint() == "report/integrated/get" && r.query["data_level"] == "AUCTION_CAMPAIGN")
    {
        let start = NaiveDate::parse_from_str(&r.query["start_date"], "%Y-%m-%d").unwrap();
        let end = NaiveDate::parse_from_str(&r.query["end_date"], "%Y-%m-%d").unwrap();
        assert!((end - start).num_days() < 20, "window {start}..{end} is wider than 20 days");
        let days = covered.entry(r.query["advertiser_id"].clone()).or_default();
        let mut d = start;
        while d <= end {
            assert!(days.insert(d), "{d} requested twice");
            d += Duration::days(1);
        }
    }
    assert_eq!(covered.len(), advertisers);
    for days in covered.values() {
        assert_eq!(days.first(), Some(&days_ago(75)));
        assert!(days.last().unwrap() >= &days_ago(1));
        assert_eq!(days.len() as i64, (*days.last().unwrap() - days_ago(75)).num_days() + 1, "a day is missing");
    }
}

#[test]
fn a_second_incremental_read_rereads_exactly_the_attribution_window() {
    let h = Harness::new("reports-lookback", SimConfig::default());
    let mut config = config(&h, days_ago(40));
    config["attribution_window"] = json!(5);
    let first = h.read(&config, &["ad_groups_reports_daily"], Mode::Incremental, None);
    first.assert_success();
    let state = first.final_state();
    // Each advertiser has its own cursor: the simulated advertisers sit in different time
    // zones, so their local "today" (and cursor day) differ at some hours of the UTC day.
    let cursor_days: BTreeMap<String, NaiveDate> = state[0]["stream"]["stream_state"]["states"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let advertiser = p["partition"]["advertiser_id"].as_str().unwrap().to_string();
            let day = &p["cursor"]["stat_time_day"].as_str().unwrap()[..10];
            (advertiser, NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap())
        })
        .collect();
    assert_eq!(cursor_days.len(), h.sim.account().advertisers.len());
    let lookback_start = |advertiser: &str| (cursor_days[advertiser] - Duration::days(5)).to_string();
    h.sim.clear_requests();
    let second = h.read(&config, &["ad_groups_reports_daily"], Mode::Incremental, Some(&state));
    second.assert_success();
    let requests: Vec<_> = h
        .sim
        .requests()
        .into_iter()
        .filter(|r| r.endpoint() == "report/integrated/get" && r.query["data_level"] == "AUCTION_ADGROUP")
        .collect();
    for r in &requests {
        let advertiser = r.query["advertiser_id"].as_str();
        assert_eq!(r.query["start_date"], lookback_start(advertiser), "lookback start of advertiser {advertiser}");
    }
    let asked: BTreeSet<&str> = requests.iter().map(|r| r.query["advertiser_id"].as_str()).collect();
    assert_eq!(requests.len(), cursor_days.len(), "one window per advertiser");
    assert_eq!(asked.len(), cursor_days.len(), "every advertiser re-read");
    // The re-read rows are exactly the first read's rows of those days, advertiser by advertiser.
    let tail = |run: &Run| -> BTreeSet<String> {
        run.records_of("ad_groups_reports_daily")
            .iter()
            .filter(|r| {
                let advertiser = r["advertiser_id"].as_str().unwrap();
                r["stat_time_day"].as_str().unwrap() >= lookback_start(advertiser).as_str()
            })
            .map(|r| format!("{}|{}|{}", r["advertiser_id"], r["adgroup_id"], r["stat_time_day"]))
            .collect()
    };
    assert!(!tail(&first).is_empty(), "the lookback days have rows to compare");
    assert_eq!(tail(&second), tail(&first));
    assert_eq!(second.records_of("ad_groups_reports_daily").len(), tail(&second).len());
}

#[test]
fn a_query_too_large_is_split_and_every_day_still_arrives_once() {
    let clean = Harness::new("reports-40067-clean", SimConfig::default());
    let start = days_ago(45);
    let expected = clean.read(&config(&clean, start), &["ads_reports_daily"], Mode::FullRefresh, None);
    expected.assert_success();

    let mut sim_config = SimConfig::default();
    sim_config.limits.too_large_days = Some(4);
    let h = Harness::new("reports-40067", sim_config);
    let run = h.read(&config(&h, start), &["ads_reports_daily"], Mode::FullRefresh, None);
    run.assert_success();
    let keys = |run: &Run| -> Vec<String> {
        let mut k: Vec<String> = run
            .records_of("ads_reports_daily")
            .iter()
            .map(|r| format!("{}|{}", r["ad_id"], r["stat_time_day"]))
            .collect();
        k.sort();
        k
    };
    assert_eq!(keys(&run), keys(&expected), "the split read must give the clean read's rows, each once");
    let too_large = h.sim.requests().iter().filter(|r| r.response_code == Some(40067)).count();
    assert!(too_large > 0, "the simulator never said 40067");
}

#[test]
fn a_single_day_still_too_large_fails_the_stream_as_transient_and_keeps_the_other_streams() {
    let mut sim_config = SimConfig::default();
    sim_config.limits.too_large_days = Some(0);
    let h = Harness::new("reports-40067-day", sim_config);
    let run = h.read(&config(&h, days_ago(3)), &["campaigns", "ads_reports_daily"], Mode::Incremental, None);
    assert_eq!(run.exit_code, 1);
    let error = run.errors()[0];
    assert_eq!(error["failure_type"], "transient_error");
    assert!(error["message"].as_str().unwrap().contains("single day"), "{error}");
    assert!(!run.records_of("campaigns").is_empty());
    assert_eq!(run.stream_statuses("campaigns").last().unwrap(), "COMPLETE");
    assert_eq!(run.stream_statuses("ads_reports_daily").last().unwrap(), "INCOMPLETE");
}

#[test]
fn hourly_reads_return_every_hour_of_every_day() {
    let h = Harness::new("reports-hourly", SimConfig::default());
    let config = config(&h, days_ago(3));
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
    let mut config = config(&h, days_ago(20));
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
    let requests: Vec<_> = h.sim.requests().into_iter().filter(|r| r.endpoint() == "report/integrated/get").collect();
    assert!(!requests.is_empty());
    for r in &requests {
        assert!(r.query.get("filters").is_none() && r.query.get("lifetime").is_none(), "v1.2 parameters sent");
        // The advertiser level has no status to filter on: the reference sends none there.
        if r.query["data_level"] == "AUCTION_ADVERTISER" {
            assert!(r.query.get("filtering").is_none(), "a status filter at advertiser level");
            continue;
        }
        // The level's own status: ads for the streams, campaigns for the probes of active days.
        let status = if r.query["data_level"] == "AUCTION_CAMPAIGN" { "\"campaign_status\"" } else { "\"ad_status\"" };
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
    let config = config(&h, days_ago(500));
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
    assert!(basic.iter().all(|r| r.query["query_lifetime"] == "true" && r.query.get("start_date").is_none()));
    let audience: Vec<_> =
        requests.iter().filter(|r| r.query.get("report_type").map(String::as_str) == Some("AUDIENCE")).collect();
    for r in &audience {
        let start = NaiveDate::parse_from_str(&r.query["start_date"], "%Y-%m-%d").unwrap();
        let end = NaiveDate::parse_from_str(&r.query["end_date"], "%Y-%m-%d").unwrap();
        assert!((end - start).num_days() < 365);
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
    let mut config = h.sandbox_config();
    config["start_date"] = json!(days_ago(2).to_string());
    config["requests_per_second"] = json!(200);
    let run = h.read(&config, &["ads_reports_daily", "campaigns_reports_hourly"], Mode::Incremental, None);
    run.assert_success();
    assert!(!run.records_of("ads_reports_daily").is_empty());
}

/// Records by key, for comparing two reads of a report.
fn by_key(run: &Run, stream: &str, keys: &[String]) -> BTreeMap<String, Value> {
    run.records_of(stream).into_iter().map(|r| (key_of(&r, keys), r)).collect()
}

/// Every report stream below the advertiser level (23): campaigns, ad groups and ads, by
/// country, platform and province, hourly and lifetime.
const NARROWABLE_STREAMS: &[&str] = &[
    "campaigns_reports_daily",
    "campaigns_reports_hourly",
    "campaigns_reports_lifetime",
    "campaigns_audience_reports_daily",
    "campaigns_audience_reports_by_country_daily",
    "campaigns_audience_reports_by_platform_daily",
    "ad_groups_reports_daily",
    "ad_groups_reports_hourly",
    "ad_groups_reports_lifetime",
    "ad_groups_reports_by_country_daily",
    "ad_groups_reports_by_country_hourly",
    "ads_reports_daily",
    "ads_reports_hourly",
    "ads_reports_lifetime",
    "ads_reports_by_country_daily",
    "ads_reports_by_country_hourly",
    "ads_audience_reports_daily",
    "ads_audience_reports_by_country_daily",
    "ads_audience_reports_by_platform_daily",
    "ads_audience_reports_by_province_daily",
    "ad_group_audience_reports_daily",
    "ad_group_audience_reports_by_country_daily",
    "ad_group_audience_reports_by_platform_daily",
];

/// The records of every stream of `run` by primary key, asserting no key came twice.
fn records_by_key(
    run: &Run,
    streams: &[&str],
    keys: &BTreeMap<String, Vec<String>>,
) -> BTreeMap<String, BTreeMap<String, Value>> {
    streams
        .iter()
        .map(|stream| {
            let records = by_key(run, stream, &keys[*stream]);
            assert_eq!(records.len(), run.records_of(stream).len(), "{stream}: a row twice");
            (stream.to_string(), records)
        })
        .collect()
}

#[test]
fn a_truncated_account_reads_row_for_row_like_the_untruncated_one_with_or_without_task_access_and_deleted_rows() {
    let start = days_ago(2);
    for include_deleted in [false, true] {
        let clean = Harness::new(&format!("narrow-clean-{include_deleted}"), SimConfig::default());
        let mut clean_config = config(&clean, start);
        clean_config["include_deleted"] = json!(include_deleted);
        let keys = primary_keys(&clean.discover(&clean_config));
        let expected = clean.read(&clean_config, NARROWABLE_STREAMS, Mode::FullRefresh, None);
        expected.assert_success();
        let expected = records_by_key(&expected, NARROWABLE_STREAMS, &keys);
        for task_access in [true, false] {
            let case = format!("include_deleted {include_deleted}, task access {task_access}");
            let mut sim_config = SimConfig::default();
            // A query over 5 ads is truncated: every advertiser's (12 ads) is, each campaign's
            // (4 ads) is not.
            sim_config.limits.ads_throttle_threshold = 5;
            sim_config.scenarios.task_access = task_access;
            let h = Harness::new(&format!("narrow-{include_deleted}-{task_access}"), sim_config);
            let mut config = config(&h, start);
            config["include_deleted"] = json!(include_deleted);
            let run = h.read(&config, NARROWABLE_STREAMS, Mode::FullRefresh, None);
            run.assert_success();
            let got = records_by_key(&run, NARROWABLE_STREAMS, &keys);
            for stream in NARROWABLE_STREAMS {
                assert!(!expected[*stream].is_empty(), "{stream}: nothing to compare");
                assert_eq!(got[*stream], expected[*stream], "{case}: {stream} differs from the untruncated read");
            }
            assert!(run.warnings().iter().all(|w| !w.contains("truncated")), "{case}: {:?}", run.warnings());
            let requests = h.sim.requests();
            let truncated_then_narrowed = requests.iter().any(|r| {
                r.endpoint() == "report/integrated/get"
                    && r.query.get("filtering").is_some_and(|f| f.contains("campaign_ids"))
            });
            assert!(truncated_then_narrowed, "{case}: no query was narrowed by campaign ids");
            let creates: Vec<_> = requests.iter().filter(|r| r.endpoint() == "report/task/create").collect();
            let lists = requests.iter().filter(|r| r.endpoint() == "ad/get").count();
            assert_eq!(
                lists,
                h.sim.account().advertisers.len(),
                "{case}: one ad list per advertiser for the whole sync"
            );
            match (task_access, include_deleted) {
                // Tasks take no status filter: deleted rows are read through narrower queries.
                (true, true) => assert!(creates.is_empty(), "{case}: a task would leave deleted rows out"),
                // Reports a task reads whole went through tasks, the rest (reach metrics with
                // breakdowns) through narrower queries.
                (true, false) => {
                    assert!(!creates.is_empty() && creates.iter().all(|r| r.response_code == Some(0)), "{case}")
                }
                // A refusal is remembered: not one per window (one per stream at most, those
                // already waiting for their turn when the first answer came).
                (false, _) => {
                    assert!(creates.iter().all(|r| r.response_code == Some(40118)), "{case}");
                    assert!(
                        creates.len() <= NARROWABLE_STREAMS.len(),
                        "{case}: {} refused tasks asked again",
                        creates.len()
                    );
                }
            }
        }
    }
}

#[test]
fn reports_truncated_to_the_newest_ads_go_through_async_tasks_where_these_lose_nothing_or_nothing_else_can() {
    // Reports a task gives whole (no reach metric with breakdowns, no deleted rows asked for)
    // go through tasks: fewer requests. So do those of the advertiser level, whose rows no id
    // filter splits.
    // (Task files write countries, genders, ages and platforms as labels: each is read back.)
    let streams = [
        "ads_reports_daily",
        "ads_reports_hourly",
        "advertisers_audience_reports_daily",
        "advertisers_audience_reports_by_country_daily",
        "advertisers_audience_reports_by_platform_daily",
    ];
    let start = days_ago(2);
    let (expected, keys) = clean_read("reports-20k-clean", start, &streams);

    let mut sim_config = SimConfig::default();
    // Every advertiser is over the limit: the synchronous report covers its 3 newest ads only.
    sim_config.limits.ads_throttle_threshold = 3;
    let h = Harness::new("reports-20k", sim_config);
    let run = h.read(&config(&h, start), &streams, Mode::FullRefresh, None);
    run.assert_success();
    let warnings = run.warnings();
    assert!(warnings.iter().all(|w| !w.contains("truncated")), "rows were left out: {warnings:?}");
    for stream in streams {
        let (want, got) = (by_key(&expected, stream, &keys[stream]), by_key(&run, stream, &keys[stream]));
        assert!(!want.is_empty());
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>(),
            "{stream}: the task gives the untruncated rows, each once"
        );
        assert_eq!(run.records_of(stream).len(), got.len(), "{stream}: a row twice");
        let breakdowns = stream.contains("audience") || stream.contains("country");
        // DOC-TASK-CREATE's list of reach-type metrics a task refuses with breakdowns.
        let uv_metrics = [
            "average_video_play_per_user",
            "frequency",
            "cost_per_1000_reached",
            "real_time_result",
            "real_time_result_rate",
            "real_time_cost_per_result",
            "result",
            "result_rate",
            "cost_per_result",
            "reach",
            "live_play_count",
        ];
        let asks_uv = want.values().any(|r| uv_metrics.iter().any(|m| r["metrics"].get(m).is_some()));
        for (key, record) in &got {
            let mut record = record.clone();
            let mut wanted = want[key].clone();
            for uv in uv_metrics {
                if breakdowns && wanted["metrics"].get(uv).is_some() {
                    assert_eq!(record["metrics"][uv], Value::Null, "{stream}: {uv} from a task with breakdowns");
                    record["metrics"][uv] = Value::Null;
                    wanted["metrics"][uv] = Value::Null;
                }
            }
            assert_eq!(record, wanted, "{stream} {key}: the task row differs from the synchronous one");
        }
        let uv_warnings =
            warnings.iter().filter(|w| w.starts_with(&format!("{stream}:")) && w.contains("reach metrics")).count();
        assert_eq!(
            uv_warnings,
            usize::from(breakdowns && asks_uv),
            "{stream}: one warning about reach metrics per stream with breakdowns"
        );
    }
    let requests = h.sim.requests();
    assert!(requests.iter().all(|r| r.endpoint() != "ad/get"), "no narrowing needed, no ad list");
    let endpoints: Vec<String> = requests.iter().map(|r| r.endpoint().to_string()).collect();
    for endpoint in ["report/task/create", "report/task/check", "report/task/download"] {
        assert!(endpoints.iter().any(|e| e == endpoint), "{endpoint} not called");
    }
    // Task creation keeps to its own quota of one a second: never refused.
    let creates: Vec<_> = requests.into_iter().filter(|r| r.endpoint() == "report/task/create").collect();
    assert!(creates.len() >= 8, "{} tasks", creates.len());
    // An hourly report is read a day per request, but one task spans all three days.
    let hourly: Vec<_> = creates.iter().filter(|r| r.query["dimensions"].contains("stat_time_hour")).collect();
    assert_eq!(hourly.len(), h.sim.account().advertisers.len(), "one hourly task per advertiser");
    // (The last day is each advertiser's own today, which may be UTC's yesterday or tomorrow.)
    assert!(hourly
        .iter()
        .all(|r| r.query["start_date"] == start.to_string() && r.query["end_date"] >= days_ago(1).to_string()));
    assert!(
        creates.iter().all(|r| r.response_code == Some(0)),
        "a task creation was refused: {:?}",
        creates.iter().map(|r| (r.at, r.response_code)).collect::<Vec<_>>()
    );
    assert!(
        creates.windows(2).all(|w| w[1].at - w[0].at >= std::time::Duration::from_secs(1)),
        "two tasks created within a second"
    );
    for advertiser in h.sim.account().advertisers {
        let told = run.of_type("LOG").iter().any(|m| {
            let text = m["log"]["message"].as_str().unwrap();
            text.contains("truncated")
                && text.contains("async")
                && text.contains(&advertiser.id)
                && text.contains(&start.to_string())
        });
        assert!(told, "no log names advertiser {} and the window", advertiser.id);
    }
}

#[test]
fn advertiser_time_zones_are_asked_for_only_when_a_window_ends_today() {
    let h = Harness::new("reports-no-needless-info", SimConfig::default());
    let info_requests = |h: &Harness| h.sim.requests().iter().filter(|r| r.endpoint() == "advertiser/info").count();
    // Entities need no time zone, and neither does a report whose end_date lies in the past.
    let mut config = config(&h, days_ago(10));
    h.sim.clear_requests();
    h.read(&config, &["campaigns", "ads"], Mode::FullRefresh, None).assert_success();
    assert_eq!(info_requests(&h), 0, "advertiser/info for entity streams");
    config["end_date"] = json!(days_ago(3).to_string());
    h.sim.clear_requests();
    let past = h.read(&config, &["campaigns_reports_daily"], Mode::FullRefresh, None);
    past.assert_success();
    assert_eq!(info_requests(&h), 0, "advertiser/info for a window that ends in the past");
    assert!(past
        .records_of("campaigns_reports_daily")
        .iter()
        .all(|r| r["stat_time_day"].as_str().unwrap() <= format!("{} 00:00:00", days_ago(3)).as_str()));
    // A window that ends today needs each advertiser's today: one batch for all of them.
    config.as_object_mut().unwrap().remove("end_date");
    h.sim.clear_requests();
    h.read(&config, &["campaigns_reports_daily", "ads_reports_daily"], Mode::FullRefresh, None).assert_success();
    assert_eq!(info_requests(&h), 1, "one advertiser/info batch for the whole sync");
}

/// The (stream, key) pairs of a run's records.
fn record_keys(run: &Run, stream: &str, keys: &[String]) -> BTreeSet<String> {
    run.records_of(stream).iter().map(|r| key_of(r, keys)).collect()
}

#[test]
fn where_no_id_filter_helps_a_failed_task_or_a_spent_task_quota_keeps_the_truncated_rows_with_a_warning() {
    // Advertiser-level rows sum every ad: no id filter splits them, only a task reads them
    // whole. A failing task on an hourly report; a quota of one task an hour on a daily report
    // long enough to need two tasks (one task spans at most 31 days).
    type Setup = Box<dyn Fn(&mut SimConfig)>;
    let cases: [(&str, &str, i64, Setup); 2] = [
        ("failed", "advertisers_reports_hourly", 2, Box::new(|c: &mut SimConfig| c.scenarios.fail_tasks = true)),
        (
            "quota",
            "advertisers_reports_daily",
            40,
            Box::new(|c: &mut SimConfig| c.limits.tasks_per_advertiser_hour = 1),
        ),
    ];
    for (name, stream, days, setup) in cases {
        let start = days_ago(days);
        let (full, keys) = clean_read(&format!("reports-tasks-clean-{name}"), start, &[stream]);
        let everything = by_key(&full, stream, &keys[stream]);
        let mut sim_config = SimConfig::default();
        sim_config.limits.ads_throttle_threshold = 3;
        setup(&mut sim_config);
        let h = Harness::new(&format!("reports-tasks-{name}"), sim_config);
        let run = h.read(&config(&h, start), &[stream], Mode::FullRefresh, None);
        let read = by_key(&run, stream, &keys[stream]);
        assert!(!read.is_empty() && read.keys().all(|k| everything.contains_key(k)), "{name}: rows that do not exist");
        assert!(
            read.iter().any(|(k, r)| everything[k] != *r),
            "{name}: the truncated windows cannot have every ad's numbers"
        );
        let warned = run.warnings();
        for advertiser in h.sim.account().advertisers {
            let told = warned.iter().any(|w| {
                w.starts_with(&format!("{stream}:"))
                    && w.contains(&advertiser.id)
                    && w.contains("no narrower query or async task")
            });
            assert!(told, "{name}: no warning names advertiser {}: {warned:?}", advertiser.id);
        }
        // The state never moves past a window that kept truncated rows: the next sync reads it
        // again.
        let states = run.final_state();
        for advertiser in h.sim.account().advertisers {
            let marker = format!("advertiser {} ", advertiser.id);
            let first_truncated = warned
                .iter()
                .filter_map(|w| w.split_once(&marker))
                .map(|(_, rest)| rest[..10].to_string())
                .min()
                .unwrap();
            let cursor = states
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| s["stream"]["stream_descriptor"]["name"] == stream)
                .flat_map(|s| {
                    let partitions = s["stream"]["stream_state"]["states"].as_array().cloned().unwrap_or_default();
                    partitions.into_iter().filter(|p| p["partition"]["advertiser_id"] == advertiser.id.as_str())
                });
            for partition in cursor {
                let day = partition["cursor"].as_object().unwrap().values().next().unwrap().as_str().unwrap()[..10]
                    .to_string();
                assert!(
                    day < first_truncated,
                    "{name}: advertiser {} checkpointed at {day}, past its truncated window from {first_truncated}",
                    advertiser.id
                );
            }
        }
        let creates: Vec<_> = h.sim.requests().into_iter().filter(|r| r.endpoint() == "report/task/create").collect();
        let refused = creates.iter().filter(|r| r.response_code == Some(40100)).count();
        let advertisers = h.sim.account().advertisers.len();
        match name {
            // Per advertiser: the task for all three days, then for its first day (a task that
            // fails is asked again in halves); the failure is not asked again per window.
            "failed" => {
                run.assert_success();
                assert_eq!((creates.len(), refused), (2 * advertisers, 0));
            }
            // One task per advertiser went through; the second was given up, not retried, and the
            // sync ends as a transient error that says what is left and when the quota frees up.
            _ => {
                assert_eq!(creates.len() - refused, advertisers);
                assert!(refused >= 1 && refused <= 2 * advertisers, "{refused} refused creations: retried");
                let (kind, message) = run.failure();
                assert_eq!(kind, "transient_error", "{message}");
                assert!(
                    message.contains("window") && message.contains("quota is spent") && message.contains("UTC"),
                    "{message}"
                );
            }
        }
    }
}

#[test]
fn an_ad_level_audience_report_that_keeps_timing_out_completes_through_smaller_windows() {
    let start = days_ago(9);
    let (expected, keys) = clean_read("reports-timeout-clean", start, &["ads_audience_reports_daily"]);
    let mut sim_config = SimConfig::default();
    sim_config.limits.timeout_days = Some(2);
    let h = Harness::new("reports-timeout", sim_config);
    let run = h.read(&config(&h, start), &["ads_audience_reports_daily"], Mode::FullRefresh, None);
    run.assert_success();
    let stream = "ads_audience_reports_daily";
    assert_eq!(record_keys(&run, stream, &keys[stream]), record_keys(&expected, stream, &keys[stream]));
    assert_eq!(run.records_of(stream).len(), expected.records_of(stream).len(), "a row twice");
    // The default window of this report is 7 days, and no timing-out query was sent more than twice.
    let requests: Vec<_> = h.sim.requests().into_iter().filter(|r| r.endpoint() == "report/integrated/get").collect();
    let mut sent: BTreeMap<String, usize> = BTreeMap::new();
    for r in &requests {
        let span = (NaiveDate::parse_from_str(&r.query["end_date"], "%Y-%m-%d").unwrap()
            - NaiveDate::parse_from_str(&r.query["start_date"], "%Y-%m-%d").unwrap())
        .num_days()
            + 1;
        // The stream's windows; the 30-day probes of active days time out too, and leave every day to read.
        assert!(span <= 7 || r.query["report_type"] == "BASIC", "a {span}-day window");
        if r.response_code == Some(51001) {
            *sent
                .entry(format!(
                    "{}|{}|{}|{:?}",
                    r.query["advertiser_id"],
                    r.query["start_date"],
                    r.query["end_date"],
                    r.query.get("page")
                ))
                .or_default() += 1;
        }
    }
    // More timeouts than TikTok tolerates within 10 s, yet never that many at once: no request
    // was blocked and the app's QPS was never lowered (either would answer 40100).
    assert!(sent.values().sum::<usize>() >= 10, "too few timeouts to test the guard: {sent:?}");
    assert!(
        requests.iter().all(|r| r.response_code != Some(40100)),
        "TikTok blocked a request or lowered the app's QPS"
    );
    assert!(sent.values().all(|n| *n <= 2), "a timing-out query sent more than twice: {sent:?}");
}

/// Today in the zone TikTok reports an advertiser's days in: its `Etc/GMT±N` timezone, or the
/// named zone where it has none.
fn advertisers_today(info: &Value) -> String {
    let timezone = info["timezone"].as_str().unwrap();
    let name = if timezone.starts_with("Etc/") { timezone } else { info["display_timezone"].as_str().unwrap() };
    let zone: chrono_tz::Tz = name.parse().unwrap();
    Utc::now().with_timezone(&zone).date_naive().to_string()
}

#[test]
fn report_days_end_on_each_advertisers_own_today_half_hour_zones_included() {
    let mut sim_config = SimConfig::default();
    sim_config.account.size.advertisers = 4;
    let h = Harness::new("local-today", sim_config);
    let advertisers = h.sim.account().advertisers;
    assert!(advertisers.iter().any(|a| a.info["timezone"] == "Asia/Kolkata"), "the simulator has a half-hour zone");
    let before: Vec<String> = advertisers.iter().map(|a| advertisers_today(&a.info)).collect();
    // Every day read, so the last one asked for is the advertiser's today whatever it delivered.
    let mut config = config(&h, days_ago(3));
    config["skip_inactive_days"] = json!(false);
    let run = h.read(&config, &["advertisers_reports_daily", "advertisers_reports_hourly"], Mode::FullRefresh, None);
    run.assert_success();
    let after: Vec<String> = advertisers.iter().map(|a| advertisers_today(&a.info)).collect();
    let requests = h.sim.requests();
    for (i, advertiser) in advertisers.iter().enumerate() {
        let asked = |time: &str| {
            let of_this = requests.iter().filter(|r| {
                r.endpoint() == "report/integrated/get" && r.query.get("advertiser_id") == Some(&advertiser.id)
            });
            of_this.filter(|r| r.query["dimensions"].contains(time)).map(|r| r.query["end_date"].clone()).max().unwrap()
        };
        // A zone's midnight may pass during the read: its today before or after it.
        for time in ["stat_time_day", "stat_time_hour"] {
            let last = asked(time);
            assert!(
                last == before[i] || last == after[i],
                "{} ({}): {time} reports end on {last}, not on its today {}",
                advertiser.id,
                advertiser.info["timezone"],
                after[i]
            );
        }
    }
}

#[test]
fn a_task_creation_throttled_by_the_apps_other_syncs_waits_and_is_not_given_up() {
    let streams = ["ads_reports_daily", "ads_reports_by_country_daily"];
    let start = days_ago(2);
    let (expected, keys) = clean_read("tasks-shared-clean", start, &streams);
    let mut sim_config = SimConfig::default();
    sim_config.limits.ads_throttle_threshold = 3;
    // Another sync of the app creates a task every 3 s: a third of the seconds are taken.
    sim_config.scenarios.other_task_creator_ms = Some(3_000);
    let h = Harness::new("tasks-shared", sim_config);
    let run = h.read(&config(&h, start), &streams, Mode::FullRefresh, None);
    run.assert_success();
    let warnings = run.warnings();
    assert!(warnings.iter().all(|w| !w.contains("task failed")), "a task was given up: {warnings:?}");
    let creates: Vec<_> = h.sim.requests().into_iter().filter(|r| r.endpoint() == "report/task/create").collect();
    assert!(
        creates.iter().any(|r| r.response_code == Some(40100)),
        "no creation was throttled: the scenario tested nothing"
    );
    for stream in streams {
        let (want, got) = (by_key(&expected, stream, &keys[stream]), by_key(&run, stream, &keys[stream]));
        assert!(!want.is_empty());
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>(),
            "{stream}: every row, through the tasks"
        );
    }
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
        let clean = Harness::new(&format!("topview-ordinary-{include_deleted}"), ordinary);
        let mut clean_config = config(&clean, start);
        clean_config["include_deleted"] = json!(include_deleted);
        let keys = primary_keys(&clean.discover(&clean_config));
        let expected = clean.read(&clean_config, &streams, Mode::FullRefresh, None);
        expected.assert_success();

        let mut topview = SimConfig::default();
        topview.account.size = size(3, 2);
        let h = Harness::new(&format!("topview-{include_deleted}"), topview);
        let mut config = config(&h, start);
        config["include_deleted"] = json!(include_deleted);
        let run = h.read(&config, &streams, Mode::FullRefresh, None);
        run.assert_success();
        let topview_ids: BTreeSet<String> =
            h.sim.account().entities.iter().filter(|e| e.topview && !e.deleted).map(|e| e.id.clone()).collect();
        // The advertiser-level rows stay TikTok's AUCTION rows: TopView delivery is not in them.
        for stream in &streams[..7] {
            let (got, want) = (by_key(&run, stream, &keys[*stream]), by_key(&expected, stream, &keys[*stream]));
            assert_eq!(run.records_of(stream).len(), got.len(), "{stream}: a row twice");
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

#[test]
fn a_task_refused_for_its_span_is_asked_again_over_fewer_days_and_reads_every_row() {
    let stream = "ads_reports_hourly";
    let start = days_ago(3);
    let (expected, keys) = clean_read("task-span-clean", start, &[stream]);
    let mut sim_config = SimConfig::default();
    sim_config.limits.ads_throttle_threshold = 3;
    // Tasks of more than one day are refused, as some of TikTok's documents say of hourly ones.
    sim_config.limits.task_span_days_max = Some(1);
    let h = Harness::new("task-span", sim_config);
    let run = h.read(&config(&h, start), &[stream], Mode::FullRefresh, None);
    run.assert_success();
    assert_eq!(
        by_key(&run, stream, &keys[stream]),
        by_key(&expected, stream, &keys[stream]),
        "every row, through one-day tasks"
    );
    assert!(run.warnings().iter().all(|w| !w.contains("truncated")), "{:?}", run.warnings());
    let creates: Vec<_> = h.sim.requests().into_iter().filter(|r| r.endpoint() == "report/task/create").collect();
    let span = |r: &tiktok_sim::LoggedRequest| r.query["end_date"] != r.query["start_date"];
    assert!(
        creates.iter().any(|r| span(r) && r.response_code == Some(40002)),
        "no task was refused for its span: the test tests nothing"
    );
    assert!(creates.iter().filter(|r| r.response_code == Some(0)).all(|r| !span(r)), "only one-day tasks pass");
    assert!(h.sim.requests().iter().all(|r| r.endpoint() != "ad/get"), "no narrowing: the tasks gave every row");
}
