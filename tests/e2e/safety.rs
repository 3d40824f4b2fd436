//! End-to-end: bad input (configs, catalogs, states) is a config error that names the field,
//! secrets never reach any output, and the sandbox denies files, environment and other hosts
//! and caps memory and run time.

use harness::*;
use serde_json::json;
use tiktok_sim::{SimConfig, ALL_FAULTS};

#[test]
fn malformed_catalog_and_state_files_are_config_errors_naming_file_and_field() {
    let h = Harness::new("bad-files", SimConfig::default());
    let config = h.write("config.json", &h.config().days(20).rps(300).retry_base_delay_ms(20).build());
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
        let (kind, message) = run.failure();
        assert_eq!(kind, "config_error", "{what}: {message}");
        assert!(message.contains(needle), "{what}: {message:?} lacks {needle:?}");
    }
    std::fs::write(h.dir.join("broken_catalog.json"), "[").unwrap();
    let run = h.run(&["read", "--config", &config, "--catalog", "broken_catalog.json"]);
    assert!(run.failure().1.contains("broken_catalog.json"));
}

#[test]
fn secrets_never_appear_in_any_output_of_failing_runs() {
    let mut sim_config = SimConfig::default();
    sim_config.faults.rate = 0.3;
    sim_config.faults.kinds = ALL_FAULTS.to_vec();
    let h = Harness::new("secrets", sim_config);
    let sim = h.sim.config();
    // A wrong app secret fails advertiser listing; faults add retry logs on the way.
    let mut config = h.config().days(20).rps(300).retry_base_delay_ms(20).build();
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
    let (kind, message) = run.failure();
    assert_eq!(kind, "system_error");
    assert!(message.contains("memory limit of 64 MiB"), "{message}");

    let run = h.run(&["discover", "--config", &config, "--component", &probe, "--max-run-seconds", "2"]);
    let (kind, message) = run.failure();
    assert_eq!(kind, "transient_error");
    assert!(message.contains("run-time limit of 2 s"), "{message}");
}

#[test]
fn bad_configs_are_config_errors_that_name_the_field() {
    let h = Harness::new("bad-config", SimConfig::default());
    let cases = [
        (json!({"credentials": {"auth_type": "oauth2.0", "app_id": "1", "secret": "s"}}), "credentials.access_token"),
        (
            json!({"credentials": {"auth_type": "sandbox_access_token", "advertiser_id": "1", "access_token": "t"}, "start_date": "01/02/2024"}),
            "start_date",
        ),
        (
            json!({"credentials": {"auth_type": "sandbox_access_token", "advertiser_id": "1", "access_token": "t"}, "attribution_window": "many"}),
            "attribution_window",
        ),
        (json!({"credentials": {"auth_type": "sandbox_access_token", "access_token": "t"}}), "advertiser_id"),
    ];
    for (config, field) in cases {
        let path = h.write("bad.json", &config);
        for command in ["check", "discover"] {
            let run = h.run(&[command, "--config", &path]);
            let (kind, message) = run.failure();
            assert_eq!(kind, "config_error", "{command} {config}");
            assert!(message.contains(field), "{command}: {message}");
        }
    }
    // Files that are not JSON are named in the error.
    std::fs::write(h.dir.join("broken.json"), "{not json").unwrap();
    let run = h.run(&["discover", "--config", "broken.json"]);
    assert_eq!(run.exit_code, 1);
    assert!(run.errors()[0]["message"].as_str().unwrap().contains("broken.json"));
}

#[test]
fn a_wrong_token_fails_the_read_with_an_auth_error_and_no_secret_in_the_output() {
    let h = Harness::new("wrong-token", SimConfig::default());
    let mut config = h.oauth_config();
    config["credentials"]["access_token"] = json!("sim-revoked-token-0000000000");
    let run = h.read(&config, &["campaigns"], Mode::FullRefresh, None);
    assert_eq!(run.exit_code, 1);
    let error = run.errors()[0];
    assert_eq!(error["failure_type"], "config_error");
    assert!(error["message"].as_str().unwrap().contains("40102"), "{error}");
    let secret = h.sim.config().credentials.secret;
    for leaked in ["sim-revoked-token-0000000000", secret.as_str()] {
        assert!(!run.stdout.contains(leaked) && !run.stderr.contains(leaked), "{leaked} leaked");
    }
}

#[test]
fn requests_to_hosts_outside_the_allow_list_are_denied_and_named() {
    let h = Harness::new("denied", SimConfig::default());
    let config = h.write("config.json", &h.oauth_config());
    let base = h.sim.base_url();
    let run = run_host(
        &h.dir,
        &["check", "--config", &config, "--api-base-url", &base, "--allowed-authority", "business-api.tiktok.com:443"],
    );
    let (_, message) = run.failure();
    assert!(message.contains("denied") && message.contains(&base), "{message}");
    assert!(h.sim.requests().is_empty(), "a denied request reached the simulator");
}
