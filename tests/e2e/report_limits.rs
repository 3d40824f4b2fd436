//! TikTok's limits on a report query: too large (40067), timing out (51001), truncated to the
//! newest ads; each gives back, row for row, what a read without the limit gives.

use std::collections::BTreeMap;

use harness::*;
use serde_json::Value;
use tiktok_sim::SimConfig;

#[test]
fn a_query_too_large_is_split_and_every_day_still_arrives_once() {
    let start = days_ago(45);
    let (expected, _) = clean_read("reports-40067-clean", &["ads_reports_daily"], |c| c.start(start).rps(200));

    let mut sim_config = SimConfig::default();
    sim_config.limits.too_large_days = Some(4);
    let h = Harness::new("reports-40067", sim_config);
    let run = h.read(&h.config().start(start).rps(200).build(), &["ads_reports_daily"], Mode::FullRefresh, None);
    run.assert_success();
    let keys = |run: &Run| sorted_keys(run, "ads_reports_daily", &["ad_id", "stat_time_day"]);
    assert_eq!(keys(&run), keys(&expected), "the split read must give the clean read's rows, each once");
    let too_large = h.sim.requests().iter().filter(|r| r.response_code == Some(40067)).count();
    assert!(too_large > 0, "the simulator never said 40067");
}

#[test]
fn a_page_after_the_first_that_keeps_timing_out_is_read_again_in_halves_each_row_once() {
    // 60 ads over 30 days: two pages of 1,000 rows a window, the second of which times out.
    let mut sim_config = SimConfig::default();
    sim_config.account.size.ads_per_adgroup = 10;
    let start = days_ago(30);
    let end = days_ago(1);
    let (expected, _) = clean_read_of("reports-page-timeout-clean", sim_config.clone(), &["ads_reports_daily"], |c| {
        c.start(start).end(end).rps(200)
    });
    sim_config.limits.timeout_pages_from = Some(2);
    let h = Harness::new("reports-page-timeout", sim_config);
    let run =
        h.read(&h.config().start(start).end(end).rps(200).build(), &["ads_reports_daily"], Mode::Incremental, None);
    run.assert_success();
    let keys = |run: &Run| sorted_keys(run, "ads_reports_daily", &["ad_id", "stat_time_day"]);
    assert_eq!(keys(&run), keys(&expected), "the clean read's rows, each once");
    let timed_out: Vec<_> = h.sim.requests().into_iter().filter(|r| r.response_code == Some(51001)).collect();
    assert!(!timed_out.is_empty(), "no page timed out");
    assert!(timed_out.iter().all(|r| r.query.get("page").is_some_and(|p| p != "1")), "only later pages time out");
    assert!(timed_out.len() <= 2 * 2, "a timed-out page is sent at most twice per advertiser: {}", timed_out.len());
    assert!(run.stream_statuses("ads_reports_daily").last().is_some_and(|s| s == "COMPLETE"));
}

#[test]
fn a_single_day_still_too_large_fails_the_stream_as_transient_and_keeps_the_other_streams() {
    let mut sim_config = SimConfig::default();
    sim_config.limits.too_large_days = Some(0);
    let h = Harness::new("reports-40067-day", sim_config);
    let run =
        h.read(&h.config().days(3).rps(200).build(), &["campaigns", "ads_reports_daily"], Mode::Incremental, None);
    assert_eq!(run.exit_code, 1);
    let error = run.errors()[0];
    assert_eq!(error["failure_type"], "transient_error");
    assert!(error["message"].as_str().unwrap().contains("single day"), "{error}");
    assert!(!run.records_of("campaigns").is_empty());
    assert_eq!(run.stream_statuses("campaigns").last().unwrap(), "COMPLETE");
    assert_eq!(run.stream_statuses("ads_reports_daily").last().unwrap(), "INCOMPLETE");
}

#[test]
fn an_ad_level_audience_report_that_keeps_timing_out_completes_through_smaller_windows() {
    let start = days_ago(9);
    let (expected, keys) =
        clean_read("reports-timeout-clean", &["ads_audience_reports_daily"], |c| c.start(start).rps(200));
    let mut sim_config = SimConfig::default();
    sim_config.limits.timeout_days = Some(2);
    let h = Harness::new("reports-timeout", sim_config);
    let run =
        h.read(&h.config().start(start).rps(200).build(), &["ads_audience_reports_daily"], Mode::FullRefresh, None);
    run.assert_success();
    let stream = "ads_audience_reports_daily";
    assert_eq!(sorted_keys(&run, stream, &keys[stream]), sorted_keys(&expected, stream, &keys[stream]), "a row twice");
    // The default window of this report is 7 days, and no timing-out query was sent more than twice.
    let requests = h.requests_to("report/integrated/get");
    let mut sent: BTreeMap<String, usize> = BTreeMap::new();
    for r in &requests {
        let span = (query_date(r, "end_date") - query_date(r, "start_date")).num_days() + 1;
        // The stream's windows; the 30-day probes of active days time out too, and leave every day to read.
        assert!(span <= 7 || r.query["report_type"] == "BASIC", "a {span}-day window");
        if r.response_code == Some(51001) {
            *sent
                .entry(format!(
                    "{}|{}|{}|{}|{:?}",
                    r.query["data_level"],
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
fn records_by_key(run: &Run, streams: &[&str], keys: &Keys) -> BTreeMap<String, BTreeMap<String, Value>> {
    streams.iter().map(|stream| (stream.to_string(), unique_by_key(run, stream, &keys[*stream]))).collect()
}

#[test]
fn a_truncated_account_reads_row_for_row_like_the_untruncated_one_with_or_without_task_access_and_deleted_rows() {
    let start = days_ago(2);
    for include_deleted in [false, true] {
        let (expected, keys) = clean_read(&format!("narrow-clean-{include_deleted}"), NARROWABLE_STREAMS, |c| {
            c.start(start).rps(200).include_deleted(include_deleted)
        });
        let expected = records_by_key(&expected, NARROWABLE_STREAMS, &keys);
        for task_access in [true, false] {
            let case = format!("include_deleted {include_deleted}, task access {task_access}");
            let mut sim_config = SimConfig::default();
            // A query over 5 ads is truncated: every advertiser's (12 ads) is, each campaign's
            // (4 ads) is not.
            sim_config.limits.ads_throttle_threshold = 5;
            sim_config.scenarios.task_access = task_access;
            let h = Harness::new(&format!("narrow-{include_deleted}-{task_access}"), sim_config);
            let config = h.config().start(start).rps(200).include_deleted(include_deleted).build();
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
            let lists = requests.iter().filter(|r| is_ad_list(r)).count();
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
