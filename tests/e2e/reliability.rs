//! End-to-end: rate limits, injected faults, kill-and-resume, hostile answers and input, the
//! sandbox's limits, and secrets.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use harness::*;
use serde_json::{json, Value};
use tiktok_sim::{AppRestriction, Fault, HostileBody, SimConfig, ALL_FAULTS};

fn config(h: &Harness, rps: u32) -> Value {
    let mut c = h.oauth_config();
    c["start_date"] = json!(days_ago(20).to_string());
    c["requests_per_second"] = json!(rps);
    c["retry_base_delay_ms"] = json!(20);
    c
}

/// Every record of a run as (stream, JSON text), sorted: equal multisets mean equal data.
fn record_texts(run: &Run) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> =
        run.records().into_iter().flat_map(|(s, rs)| rs.into_iter().map(move |r| (s.clone(), r.to_string()))).collect();
    all.sort();
    all
}

const SYNC_STREAMS: &[&str] = &[
    "campaigns",
    "ad_groups",
    "ads",
    "audiences",
    "creative_assets_images",
    "ads_reports_daily",
    "campaigns_reports_hourly",
];

#[test]
fn the_schedulers_rate_budget_keeps_under_the_apps_quota_without_a_single_40100() {
    let mut sim_config = SimConfig::default();
    sim_config.limits.quota_per_second = Some(5);
    sim_config.limits.quota_per_minute = Some(300);
    let h = Harness::new("rate_budget", sim_config);
    let mut config = config(&h, 5);
    config["start_date"] = json!(days_ago(6).to_string());
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
fn a_sync_through_ten_percent_faults_gives_exactly_the_clean_records() {
    let h = Harness::new("faults", SimConfig::default());
    let config = config(&h, 200);
    let clean = h.read(&config, SYNC_STREAMS, Mode::FullRefresh, None);
    clean.assert_success();
    let clean_requests = h.sim.requests().len();

    h.sim.clear_requests();
    h.sim.update_config(|c| {
        c.faults.rate = 0.10;
        c.faults.kinds = ALL_FAULTS.to_vec();
        c.faults.slow_response_ms = 200;
    });
    let faulty = h.read(&config, SYNC_STREAMS, Mode::FullRefresh, None);
    faulty.assert_success();
    assert_eq!(record_texts(&faulty), record_texts(&clean), "faults changed the data");
    let requests = h.sim.requests();
    let failed = requests.iter().filter(|r| r.response_code.is_none_or(|c| c != 0)).count();
    assert!(failed > 0, "no fault was injected: {:?}", requests.iter().map(|r| r.response_code).collect::<Vec<_>>());
    println!(
        "faults: clean sync {clean_requests} requests; at 10% faults {} requests ({} answered with a fault or error); extra {}",
        requests.len(),
        failed,
        requests.len() - clean_requests
    );
}

#[test]
fn throttling_answers_are_waited_out_and_retried() {
    let mut sim_config = SimConfig::default();
    sim_config.limits.quota_per_second = Some(3);
    sim_config.limits.advertiser_quota_per_second = Some(2);
    let h = Harness::new("throttle", sim_config);
    // A connector told the app has a higher tier than it has: TikTok answers 40100/40133.
    let run = h.read(&config(&h, 50), &["campaigns", "ads", "ad_groups", "audiences"], Mode::FullRefresh, None);
    run.assert_success();
    let codes: BTreeSet<i64> = h.sim.requests().iter().filter_map(|r| r.response_code).collect();
    assert!(codes.contains(&40100) || codes.contains(&40133), "no throttling happened: {codes:?}");
    let expected: usize =
        h.sim.account().entities.iter().filter(|e| e.level == tiktok_sim::Level::Ad && !e.deleted).count();
    assert_eq!(run.records_of("ads").len(), expected);
}

/// Run a read, SIGKILL the host right after it has printed `kill_after` states, and return
/// the complete lines printed before the kill.
fn read_until_killed(
    h: &Harness,
    config: &Value,
    streams: &[&str],
    state: Option<&Value>,
    kill_after: usize,
) -> Vec<Value> {
    let mut child = h.host(&h.read_args(config, streams, Mode::Incremental, state)).spawn(true);
    let mut lines = Vec::new();
    let mut states = 0;
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let Ok(line) = line else { break };
        let Ok(message) = serde_json::from_str::<Value>(&line) else { break };
        let is_state = message["type"] == "STATE";
        lines.push(message);
        if is_state {
            states += 1;
            if states == kill_after {
                child.kill().unwrap();
                break;
            }
        }
    }
    let _ = child.wait();
    lines
}

fn last_states(messages: &[Value]) -> Value {
    let mut last: BTreeMap<String, Value> = BTreeMap::new();
    for m in messages.iter().filter(|m| m["type"] == "STATE") {
        last.insert(m["state"]["stream"]["stream_descriptor"]["name"].as_str().unwrap().into(), m["state"].clone());
    }
    Value::Array(last.into_values().collect())
}

fn record_keys(messages: &[Value]) -> BTreeSet<String> {
    messages
        .iter()
        .filter(|m| m["type"] == "RECORD")
        .map(|m| {
            let r = &m["record"]["data"];
            let id = ["ad_id", "adgroup_id", "campaign_id"].iter().find_map(|k| r[*k].as_str()).unwrap();
            format!("{}|{}|{}", m["record"]["stream"], id, r["stat_time_day"])
        })
        .collect()
}

#[test]
fn a_sync_killed_at_any_checkpoint_resumes_to_the_full_data_with_no_gap() {
    let h = Harness::new("kill-resume", SimConfig::default());
    let mut config = config(&h, 300);
    config["start_date"] = json!(days_ago(30).to_string());
    config["report_window_days"] = json!(5);
    let streams = ["campaigns", "ads", "ads_reports_daily"];
    let clean = read_until_killed(&h, &config, &streams, None, usize::MAX);
    let all = record_keys(&clean);
    let total_states = clean.iter().filter(|m| m["type"] == "STATE").count();
    assert!(total_states >= 10, "{total_states} checkpoints");
    for kill_after in [1, 3, total_states / 2, total_states - 1] {
        let before = read_until_killed(&h, &config, &streams, None, kill_after);
        let state = last_states(&before);
        let after = read_until_killed(&h, &config, &streams, Some(&state), usize::MAX);
        for stream in streams {
            let last = after
                .iter()
                .filter(|m| m["type"] == "TRACE" && m["trace"]["stream_status"]["stream_descriptor"]["name"] == stream)
                .last()
                .map(|m| m["trace"]["stream_status"]["status"].clone());
            assert_eq!(last, Some(json!("COMPLETE")), "killed after {kill_after}: {stream} did not complete on resume");
        }
        let mut union = record_keys(&before);
        union.extend(record_keys(&after));
        assert_eq!(union, all, "killed after {kill_after} states: records missing after resume");
        // The resumed run did not start over: it re-read less than a full sync.
        let reread = record_keys(&after).len();
        assert!(reread < all.len(), "killed after {kill_after}: resume re-read everything ({reread})");
    }
}

fn error_of(run: &Run) -> (String, String) {
    run.failure()
}

#[test]
fn hostile_answers_get_classified_errors_and_never_hang() {
    let cases: Vec<(&str, Box<dyn Fn(&mut SimConfig)>, &str, &str)> = vec![
        (
            "wrong-types",
            Box::new(|c| c.faults.hostile_body = Some(HostileBody::WrongTypes)),
            "transient_error",
            "data.list",
        ),
        (
            "html",
            Box::new(|c| c.faults.hostile_body = Some(HostileBody::Html)),
            "transient_error",
            "not the JSON envelope",
        ),
        (
            "huge",
            Box::new(|c| c.faults.hostile_body = Some(HostileBody::Huge(70 << 20))),
            "transient_error",
            "larger than 64 MiB",
        ),
        ("endless", Box::new(|c| c.faults.endless_pages = true), "transient_error", "does not end"),
        (
            "always-504",
            Box::new(|c| {
                c.faults.rate = 1.0;
                c.faults.kinds = vec![Fault::GatewayTimeout];
            }),
            "transient_error",
            "HTTP 504",
        ),
        (
            "always-50002",
            Box::new(|c| {
                c.faults.rate = 1.0;
                c.faults.kinds = vec![Fault::ProcessingError];
            }),
            "transient_error",
            "50002",
        ),
    ];
    for (name, setup, failure, needle) in cases {
        let mut sim_config = SimConfig::default();
        setup(&mut sim_config);
        let h = Harness::new(name, sim_config);
        let mut config = config(&h, 300);
        config["credentials"]["advertiser_id"] = json!(h.sim.account().advertisers[0].id);
        let run = h.read(&config, &["campaigns"], Mode::FullRefresh, None);
        let (kind, message) = error_of(&run);
        // A hang would end in the host's run-time limit, whose message names it.
        assert!(!message.contains("run-time limit"), "{name} hung: {message}");
        assert_eq!(kind, failure, "{name}: {message}");
        assert!(message.contains(needle), "{name}: {message}");
    }
}

#[test]
fn a_response_that_never_arrives_times_out_and_is_retried_then_reported() {
    let mut sim_config = SimConfig::default();
    sim_config.faults.rate = 1.0;
    sim_config.faults.kinds = vec![Fault::Slow];
    sim_config.faults.slow_response_ms = 4_000;
    let h = Harness::new("timeout", sim_config);
    let mut config = config(&h, 300);
    config["credentials"]["advertiser_id"] = json!(h.sim.account().advertisers[0].id);
    let config_path = h.write("config.json", &config);
    let run = h.run(&["check", "--config", &config_path, "--http-timeout-seconds", "1", "--max-run-seconds", "120"]);
    let (kind, message) = error_of(&run);
    assert_eq!(kind, "transient_error", "{message}");
    assert!(!message.contains("run-time limit") && message.contains("no answer in time"), "{message}");
    let retries = run.of_type("LOG").iter().filter(|m| m["log"]["message"].as_str().unwrap().contains("retry")).count();
    assert!(retries >= 3, "{retries} retries");
}

#[test]
fn malformed_catalog_and_state_files_are_config_errors_naming_file_and_field() {
    let h = Harness::new("bad-files", SimConfig::default());
    let config = h.write("config.json", &config(&h, 300));
    let good_catalog = json!({"streams": [{"stream": {"name": "campaigns"}, "sync_mode": "incremental", "destination_sync_mode": "append"}]});
    let cases = [
        (
            "catalog",
            json!({"streams": [{"stream": {"name": "no_such_stream"}, "sync_mode": "full_refresh"}]}),
            None,
            "no_such_stream",
        ),
        ("catalog", json!({"streams": "all"}), None, "streams"),
        (
            "catalog",
            json!({"streams": [{"stream": {"name": "advertisers"}, "sync_mode": "incremental"}]}),
            None,
            "full_refresh only",
        ),
        (
            "state",
            good_catalog.clone(),
            Some(
                json!([{"type": "STREAM", "stream": {"stream_descriptor": {"name": "campaigns"}, "stream_state": {"modify_time": "yesterday"}}}]),
            ),
            "stream campaigns",
        ),
        ("state", good_catalog.clone(), Some(json!([{"type": "STREAM", "stream": {}}])), "stream_descriptor.name"),
        ("state", good_catalog.clone(), Some(json!(42)), "state file"),
    ];
    for (what, catalog, state, needle) in cases {
        let catalog_path = h.write("catalog.json", &catalog);
        let mut args = vec!["read", "--config", config.as_str(), "--catalog", catalog_path.as_str()];
        let state_path;
        if let Some(state) = &state {
            state_path = h.write("state.json", state);
            args.extend(["--state", state_path.as_str()]);
        }
        let run = h.run(&args);
        let (kind, message) = error_of(&run);
        assert_eq!(kind, "config_error", "{what}: {message}");
        assert!(message.contains(needle), "{what}: {message:?} lacks {needle:?}");
    }
    std::fs::write(h.dir.join("broken_catalog.json"), "[").unwrap();
    let run = h.run(&["read", "--config", &config, "--catalog", "broken_catalog.json"]);
    assert!(error_of(&run).1.contains("broken_catalog.json"));
}

#[test]
fn secrets_never_appear_in_any_output_of_failing_runs() {
    let mut sim_config = SimConfig::default();
    sim_config.faults.rate = 0.3;
    sim_config.faults.kinds = ALL_FAULTS.to_vec();
    let h = Harness::new("secrets", sim_config);
    let sim = h.sim.config();
    // A wrong app secret fails advertiser listing; faults add retry logs on the way.
    let mut config = config(&h, 300);
    config["credentials"]["secret"] = json!("a-wrong-app-secret-5555");
    let run = h.read(&config, &["campaigns"], Mode::FullRefresh, None);
    assert_eq!(run.exit_code, 1);
    let mut bad_token = config.clone();
    bad_token["credentials"]["access_token"] = json!("a-wrong-access-token-7777");
    let run2 = h.read(&bad_token, &["campaigns"], Mode::FullRefresh, None);
    assert_eq!(run2.exit_code, 1);
    for leaked in ["a-wrong-app-secret-5555", sim.credentials.access_token.as_str(), "a-wrong-access-token-7777"] {
        for out in [&run.stdout, &run.stderr, &run2.stdout, &run2.stderr] {
            assert!(!out.contains(leaked), "{leaked} leaked");
        }
    }
}

fn probe() -> String {
    let path = workspace_root().join("target/wasm32-wasip2/release/sandbox_probe.wasm");
    assert!(path.exists(), "build the probe first (make build)");
    path.to_str().unwrap().to_string()
}

#[test]
fn the_component_cannot_read_files_or_environment_or_reach_other_hosts() {
    let h = Harness::new("probe", SimConfig::default());
    let allowed = format!("{}/open_api/v1.3/campaign/get/", h.sim.base_url());
    let other_sim = tiktok_sim::Simulator::start(SimConfig::default());
    let forbidden = format!("{}/open_api/v1.3/campaign/get/", other_sim.base_url());
    let config = h.write("probe_config.json", &json!({"urls": [allowed, forbidden, "https://example.com/"]}));
    let catalog = h.write("probe_catalog.json", &json!({"streams": []}));
    let probe = probe();
    let run = h.run(&["read", "--config", &config, "--catalog", &catalog, "--component", &probe]);
    run.assert_success();
    let logs: Vec<String> =
        run.of_type("LOG").iter().map(|m| m["log"]["message"].as_str().unwrap().to_string()).collect();
    let find = |what: &str| {
        logs.iter()
            .find(|l| l.starts_with(&format!("probe {what}")))
            .unwrap_or_else(|| panic!("no report for {what}: {logs:?}"))
            .clone()
    };
    assert!(find("read_dir /").contains("denied"), "{logs:?}");
    assert!(find("read /etc/passwd").contains("denied"));
    assert!(find("env vars").contains("0 visible"));
    assert!(find("env HOME").contains("denied"));
    assert!(find(&format!("http {allowed}")).contains("ALLOWED"));
    assert!(find(&format!("http {forbidden}")).contains("denied"));
    assert!(find("http https://example.com/").contains("denied"));
    assert!(other_sim.requests().is_empty(), "a forbidden request reached its host");
}

#[test]
fn guest_memory_and_run_time_are_capped_with_clear_errors() {
    let h = Harness::new("probe-limits", SimConfig::default());
    let config = h.write("probe_config.json", &json!({}));
    let probe = probe();
    let run = h.run(&["check", "--config", &config, "--component", &probe, "--max-memory-mib", "64"]);
    let (kind, message) = error_of(&run);
    assert_eq!(kind, "system_error");
    assert!(message.contains("memory limit of 64 MiB"), "{message}");

    let run = h.run(&["discover", "--config", &config, "--component", &probe, "--max-run-seconds", "2"]);
    let (kind, message) = error_of(&run);
    assert_eq!(kind, "transient_error");
    assert!(message.contains("run-time limit of 2 s"), "{message}");
}

#[test]
fn report_windows_overlap_in_flight_within_the_rate_budget() {
    let mut sim_config = SimConfig::default();
    sim_config.limits.latency_ms = 400;
    sim_config.limits.quota_per_second = Some(10);
    let h = Harness::new("in-flight", sim_config);
    let mut config = config(&h, 10);
    config["start_date"] = json!(days_ago(15).to_string());
    config["credentials"]["advertiser_id"] = json!(h.sim.account().advertisers[0].id);
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
    let mut config = config(&h, 50);
    config["start_date"] = json!(days_ago(14).to_string());
    config["report_window_days"] = json!(3);
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
                for p in m["state"]["stream"]["stream_state"]["states"].as_array().unwrap() {
                    let Some(cursor) = p["cursor"]["stat_time_day"].as_str() else { continue };
                    let advertiser = p["partition"]["advertiser_id"].as_str().unwrap();
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
    let clean = Harness::new("restricted-clean", SimConfig::default());
    let expected = clean.read(&config(&clean, 200), &streams, Mode::FullRefresh, None);
    expected.assert_success();

    let mut sim_config = SimConfig::default();
    sim_config.scenarios.restriction = Some(AppRestriction { after_requests: 6, lasts: Duration::from_secs(20) });
    let h = Harness::new("restricted", sim_config);
    let run = h.read(&config(&h, 200), &streams, Mode::FullRefresh, None);
    run.assert_success();
    for stream in streams {
        let sorted = |run: &Run| {
            let mut records: Vec<String> = run.records_of(stream).iter().map(Value::to_string).collect();
            records.sort();
            records
        };
        assert_eq!(sorted(&run), sorted(&expected), "{stream}: every record, after the restriction");
    }
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
