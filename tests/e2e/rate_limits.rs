//! End-to-end: the app's quotas and the connector's own request budget: no 40100 within budget,
//! throttling waited out, requests in flight within the budget with records and states in
//! order, and an app restricted for a while.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use harness::*;
use serde_json::Value;
use tiktok_sim::{AppRestriction, SimConfig};

#[test]
fn the_schedulers_rate_budget_keeps_under_the_apps_quota_without_a_single_40100() {
    let mut sim_config = SimConfig::default();
    sim_config.limits.quota_per_second = Some(5);
    sim_config.limits.quota_per_minute = Some(300);
    let h = Harness::new("rate_budget", sim_config);
    let config = h.config().days(6).rps(5).retry_base_delay_ms(20).build();
    let started = Instant::now();
    let run = h.read(&config, &["campaigns_reports_hourly", "ad_groups_reports_hourly"], Mode::FullRefresh, None);
    let elapsed = started.elapsed();
    run.assert_success();
    let requests = h.sim.requests();
    assert!(requests.len() >= 25, "too few requests to measure: {}", requests.len());
    assert_eq!(
        requests.iter().filter(|r| r.response_code == Some(40100)).count(),
        0,
        "the connector tripped the quota"
    );
    let times: Vec<Duration> = requests.iter().map(|r| r.at).collect();
    let busiest = times
        .iter()
        .map(|t| times.iter().filter(|u| **u >= *t && **u < *t + Duration::from_secs(1)).count())
        .max()
        .unwrap();
    assert!(busiest <= 5, "{busiest} requests within one second");
    let span = (*times.last().unwrap() - times[0]).as_secs_f64();
    println!(
        "rate budget: {} requests in {:.2}s = {:.2} req/s against a quota of 5/s (busiest second: {busiest}); wall {:.2}s",
        requests.len(),
        span,
        (requests.len() - 1) as f64 / span,
        elapsed.as_secs_f64()
    );
}

#[test]
fn throttling_answers_are_waited_out_and_retried() {
    let mut sim_config = SimConfig::default();
    sim_config.limits.quota_per_second = Some(3);
    sim_config.limits.advertiser_quota_per_second = Some(2);
    let h = Harness::new("throttle", sim_config);
    // A connector told the app has a higher tier than it has: TikTok answers 40100/40133.
    let run = h.read(
        &h.config().days(20).rps(50).retry_base_delay_ms(20).build(),
        &["campaigns", "ads", "ad_groups", "audiences"],
        Mode::FullRefresh,
        None,
    );
    run.assert_success();
    let codes: BTreeSet<i64> = h.sim.requests().iter().filter_map(|r| r.response_code).collect();
    assert!(codes.contains(&40100) || codes.contains(&40133), "no throttling happened: {codes:?}");
    let expected: usize =
        h.sim.account().entities.iter().filter(|e| e.level == tiktok_sim::Level::Ad && !e.deleted).count();
    assert_eq!(run.records_of("ads").len(), expected);
}

#[test]
fn report_windows_overlap_in_flight_within_the_rate_budget() {
    let mut sim_config = SimConfig::default();
    sim_config.limits.latency_ms = 400;
    sim_config.limits.quota_per_second = Some(10);
    let h = Harness::new("in-flight", sim_config);
    let advertiser = h.sim.account().advertisers[0].id.clone();
    let config = h.config().days(15).rps(10).retry_base_delay_ms(20).advertiser(&advertiser).build();
    let run = h.read(&config, &["campaigns_reports_hourly"], Mode::FullRefresh, None);
    run.assert_success();
    let requests = h.sim.requests();
    // The stream's own requests (the advertiser-level probe of active days goes first).
    let mut times: Vec<Duration> = requests
        .iter()
        .filter(|r| r.endpoint() == "report/integrated/get" && r.query["data_level"] == "AUCTION_CAMPAIGN")
        .map(|r| r.at)
        .collect();
    times.sort();
    // One request per day up to the advertiser's local today (its zone is an Etc/GMT offset).
    let timezone = h.sim.account().advertisers[0].info["timezone"].as_str().unwrap().to_string();
    let east_hours = -timezone.trim_start_matches("Etc/GMT").parse::<i64>().unwrap_or(0);
    let local_today = (chrono::Utc::now() + chrono::Duration::hours(east_hours)).date_naive();
    let days = (local_today - days_ago(15)).num_days() + 1;
    assert_eq!(times.len() as i64, days, "one request per day");
    assert!(days >= 15);
    // Each answer takes 400 ms; at 10 per second about four are in flight at any moment,
    // where one-at-a-time reading would have none overlap.
    let overlapping = times.windows(4).filter(|w| w[3] - w[0] < Duration::from_millis(400)).count();
    assert!(overlapping >= 8, "requests did not overlap: {times:?}");
    // Never more than the budget: any eleven arrivals span more than a second.
    assert!(times.windows(11).all(|w| w[10] - w[0] >= Duration::from_secs(1)), "over 10 per second: {times:?}");
    assert!(
        requests.iter().all(|r| r.response_code == Some(0)),
        "throttled answers: {:?}",
        requests.iter().filter(|r| r.response_code != Some(0)).count()
    );
    // Records still leave day by day, in order.
    let hours: Vec<String> = run
        .records_of("campaigns_reports_hourly")
        .iter()
        .map(|r| r["stat_time_hour"].as_str().unwrap()[..10].to_string())
        .collect();
    assert!(hours.windows(2).all(|w| w[0] <= w[1]), "days out of order");
}

#[test]
fn with_many_requests_in_flight_each_advertisers_records_and_states_stay_in_order() {
    let mut sim_config = SimConfig::default();
    sim_config.limits.latency_ms = 150;
    let h = Harness::new("in-flight-order", sim_config);
    let config = h.config().days(14).rps(50).retry_base_delay_ms(20).report_window_days(3).build();
    let streams = ["ads_reports_daily", "campaigns_reports_daily", "ad_groups"];
    let run = h.read(&config, &streams, Mode::Incremental, None);
    run.assert_success();
    assert!(h.sim.peak_concurrency() > 2, "at most {} requests were in flight", h.sim.peak_concurrency());
    // (stream, advertiser) -> the days of its records, in the order they left.
    let mut days: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for m in &run.messages {
        match m["type"].as_str().unwrap() {
            "RECORD" => {
                let (stream, r) = (m["record"]["stream"].as_str().unwrap().to_string(), &m["record"]["data"]);
                if let Some(day) = r["stat_time_day"].as_str() {
                    days.entry((stream, r["advertiser_id"].as_str().unwrap().to_string()))
                        .or_default()
                        .push(day.to_string());
                }
            }
            "STATE" => {
                // Every record a state covers has already left.
                let stream = m["state"]["stream"]["stream_descriptor"]["name"].as_str().unwrap();
                for (advertiser, cursor) in cursors_in(&m["state"]) {
                    if cursor.field != "stat_time_day" {
                        continue;
                    }
                    let cursor = cursor.value.as_str();
                    let covered =
                        |r: &Value| r["advertiser_id"] == advertiser && r["stat_time_day"].as_str().unwrap() <= cursor;
                    let before = days
                        .get(&(stream.to_string(), advertiser.to_string()))
                        .map_or(0, |d| d.iter().filter(|day| day.as_str() <= cursor).count());
                    let all = run.records_of(stream).iter().filter(|r| covered(r)).count();
                    assert_eq!(
                        before, all,
                        "{stream}: a state for {advertiser} up to {cursor} left before its records"
                    );
                }
            }
            _ => {}
        }
    }
    // Windows leave in order (TikTok orders rows within a window its own way).
    let start = days_ago(14);
    let window_of =
        |day: &str| (chrono::NaiveDate::parse_from_str(&day[..10], "%Y-%m-%d").unwrap() - start).num_days() / 3;
    for ((stream, advertiser), days) in &days {
        assert!(
            days.windows(2).all(|w| window_of(&w[0]) <= window_of(&w[1])),
            "{stream}/{advertiser}: windows out of order"
        );
    }
    assert_eq!(days.len(), 2 * h.sim.account().advertisers.len(), "both report streams for every advertiser");
    // The streams were read at once: requests of every stream were sent before the first
    // stream's last request.
    let requests = h.sim.requests();
    let last_of_first =
        requests.iter().rposition(|r| r.query.get("data_level").map(String::as_str) == Some("AUCTION_AD")).unwrap();
    assert!(
        requests[..last_of_first].iter().any(|r| r.endpoint() == "adgroup/get"),
        "ad_groups waited for ads_reports_daily"
    );
}

#[test]
fn an_app_restricted_for_a_while_is_waited_out_quietly_one_probe_at_a_time() {
    let streams = ["campaigns", "ads", "ads_reports_daily"];
    let (expected, _) = clean_read("restricted-clean", &streams, |c| c.days(20).rps(200).retry_base_delay_ms(20));

    let mut sim_config = SimConfig::default();
    sim_config.scenarios.restriction = Some(AppRestriction { after_requests: 6, lasts: Duration::from_secs(20) });
    let h = Harness::new("restricted", sim_config);
    let run = h.read(&h.config().days(20).rps(200).retry_base_delay_ms(20).build(), &streams, Mode::FullRefresh, None);
    run.assert_success();
    assert_same_rows(&sorted_records(&run), &sorted_records(&expected), "every record, after the restriction");
    // The requests out when it began are refused together; then a probe after a breach's short
    // quiet, and the next only after 30 s, which is past the restriction. Retrying every couple
    // of seconds would have been refused about ten times.
    let refused: Vec<_> = h.sim.requests().into_iter().filter(|r| r.response_code == Some(40100)).collect();
    assert!(!refused.is_empty(), "the scenario restricted nothing");
    let first = refused[0].at;
    let probes = refused.iter().filter(|r| r.at > first + Duration::from_secs(1)).count();
    let offsets: Vec<String> = refused.iter().map(|r| format!("{:.1}", (r.at - first).as_secs_f64())).collect();
    assert!(probes <= 1, "{probes} requests refused after the first second of the restriction (at {offsets:?} s)");
    let logs: Vec<String> =
        run.of_type("LOG").iter().map(|m| m["log"]["message"].as_str().unwrap().to_string()).collect();
    let said = logs.iter().filter(|l| l.contains("restricted") && l.contains("one request at a time")).count();
    assert_eq!(said, 1, "one warning per restriction: {logs:?}");
    assert!(logs.iter().any(|l| l.contains("lifted the restriction")), "{logs:?}");
}
