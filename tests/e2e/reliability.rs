//! End-to-end: injected faults, kill-and-resume, hostile answers and answers that never come.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};

use harness::*;
use serde_json::Value;
use tiktok_sim::{Fault, HostileBody, SimConfig, ALL_FAULTS};

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
fn a_sync_through_ten_percent_faults_gives_exactly_the_clean_records() {
    let h = Harness::new("faults", SimConfig::default());
    let config = h.config().days(20).rps(200).retry_base_delay_ms(20).build();
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
    assert_same_rows(&sorted_records(&faulty), &sorted_records(&clean), "faults changed the data");
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

/// Run a read, SIGKILL the host right after it has printed `kill_after` states, and return
/// the complete lines printed before the kill.
fn read_until_killed(h: &Harness, config: &Value, streams: &[&str], state: Option<&Value>, kill_after: usize) -> Run {
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
    let status = child.wait().expect("wait for the host");
    Run { exit_code: status.code().unwrap_or(-1), messages: lines, stdout: String::new(), stderr: String::new() }
}

/// Every record of a run as stream|id|day.
fn record_keys(run: &Run) -> BTreeSet<String> {
    let key = |stream: &str, r: &Value| {
        let id = ["ad_id", "adgroup_id", "campaign_id"].iter().find_map(|k| r[*k].as_str()).unwrap();
        format!("{stream:?}|{id}|{}", r["stat_time_day"])
    };
    run.records()
        .into_iter()
        .flat_map(|(stream, records)| records.iter().map(|r| key(&stream, r)).collect::<Vec<_>>())
        .collect()
}

#[test]
fn a_sync_killed_at_any_checkpoint_resumes_to_the_full_data_with_no_gap() {
    let h = Harness::new("kill-resume", SimConfig::default());
    let config = h.config().days(30).rps(300).retry_base_delay_ms(20).report_window_days(5).build();
    let streams = ["campaigns", "ads", "ads_reports_daily"];
    let clean = read_until_killed(&h, &config, &streams, None, usize::MAX);
    let all = record_keys(&clean);
    let total_states = clean.of_type("STATE").len();
    assert!(total_states >= 10, "{total_states} checkpoints");
    for kill_after in [1, 3, total_states / 2, total_states - 1] {
        let before = read_until_killed(&h, &config, &streams, None, kill_after);
        let state = before.final_state();
        let after = read_until_killed(&h, &config, &streams, Some(&state), usize::MAX);
        for stream in streams {
            let last = after.stream_statuses(stream).pop();
            assert_eq!(
                last.as_deref(),
                Some("COMPLETE"),
                "killed after {kill_after}: {stream} did not complete on resume"
            );
        }
        let mut union = record_keys(&before);
        union.extend(record_keys(&after));
        assert_eq!(union, all, "killed after {kill_after} states: records missing after resume");
        // The resumed run did not start over: it re-read less than a full sync.
        let reread = record_keys(&after).len();
        assert!(reread < all.len(), "killed after {kill_after}: resume re-read everything ({reread})");
    }
}

#[test]
fn hostile_answers_get_classified_errors_and_never_hang() {
    let always = |fault: Fault| -> SimSetup {
        Box::new(move |c| {
            c.faults.rate = 1.0;
            c.faults.kinds = vec![fault];
        })
    };
    let cases: Vec<(&str, SimSetup, &str, &str)> = vec![
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
        ("always-504", always(Fault::GatewayTimeout), "transient_error", "HTTP 504"),
        ("always-50002", always(Fault::ProcessingError), "transient_error", "50002"),
    ];
    for (name, setup, failure, needle) in cases {
        let mut sim_config = SimConfig::default();
        setup(&mut sim_config);
        let h = Harness::new(name, sim_config);
        let advertiser = h.sim.account().advertisers[0].id.clone();
        let config = h.config().days(20).rps(300).retry_base_delay_ms(20).advertiser(&advertiser).build();
        let run = h.read(&config, &["campaigns"], Mode::FullRefresh, None);
        let (kind, message) = run.failure();
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
    let advertiser = h.sim.account().advertisers[0].id.clone();
    let config = h.config().days(20).rps(300).retry_base_delay_ms(20).advertiser(&advertiser).build();
    let config_path = h.write("config.json", &config);
    let run = h.run(&["check", "--config", &config_path, "--http-timeout-seconds", "1", "--max-run-seconds", "120"]);
    let (kind, message) = run.failure();
    assert_eq!(kind, "transient_error", "{message}");
    assert!(!message.contains("run-time limit") && message.contains("no answer in time"), "{message}");
    let retries = run.of_type("LOG").iter().filter(|m| m["log"]["message"].as_str().unwrap().contains("retry")).count();
    assert!(retries >= 3, "{retries} retries");
}
