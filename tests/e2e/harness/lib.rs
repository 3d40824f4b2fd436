//! The end-to-end suite's harness: runs the real release host binary (with its embedded
//! component) against a simulator on loopback, and reads what it printed. `host.rs` builds host
//! runs, `run.rs` reads their output, `config.rs` builds connector configs, `rows.rs` compares
//! what a read gave with a clean read, `state.rs` reads the cursors of a state, `http.rs` asks
//! the simulator directly, `dates.rs` gives dates relative to today; `Harness` ties a simulator
//! to a scratch directory.

mod config;
mod dates;
mod host;
pub mod http;
mod resume;
mod rows;
mod run;
mod state;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;
use serde_json::{json, Value};
use tiktok_sim::{LoggedRequest, SimConfig, Simulator};

pub use config::{custom_report, ConfigBuilder};
pub use dates::{days_ago, today};
pub use host::{host_binary, run_host, workspace_root, Host};
pub use resume::{assert_resumes_with_no_gap, state_at};
pub use rows::{
    assert_same_keys, assert_same_rows, by_key, clean_read, clean_read_of, key_of, primary_keys, sorted_keys,
    sorted_records, unique_by_key, Keys,
};
pub use run::{parse_run, Run};
pub use state::{cursor_days, cursors, cursors_in, Cursor};

/// A change to a simulator's config: one case of a test that runs a simulator per case.
pub type SimSetup = Box<dyn Fn(&mut SimConfig)>;

/// A scratch directory per test.
pub fn scratch_dir(name: &str) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "tiktok-e2e-{}-{}-{}",
        name,
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Whether a report request is the connector's probe of conversion-time results (the ad group
/// level, those two metrics alone), not one of a stream's windows.
pub fn is_conversion_time_probe(request: &LoggedRequest) -> bool {
    request.query.get("metrics").is_some_and(|m| m == r#"["real_time_conversion","real_time_result"]"#)
}

/// A request for the ad list narrowing reads (not the list of Promote ads a task's rows are
/// checked against, tiktok-api.md §15 R6).
pub fn is_ad_list(request: &LoggedRequest) -> bool {
    request.endpoint() == "ad/get" && !request.query.get("filtering").is_some_and(|f| f.contains("PROMOTE"))
}

/// A simulator plus a scratch directory with config and catalog files for it.
pub struct Harness {
    pub sim: Simulator,
    pub dir: PathBuf,
}

impl Harness {
    pub fn new(name: &str, config: SimConfig) -> Harness {
        Harness { sim: Simulator::start(config), dir: scratch_dir(name) }
    }

    /// A production (OAuth) config for this simulator, to build on.
    pub fn config(&self) -> ConfigBuilder {
        let c = self.sim.config().credentials;
        ConfigBuilder::new(
            json!({"auth_type": "oauth2.0", "app_id": c.app_id, "secret": c.secret, "access_token": c.access_token}),
        )
    }

    /// A sandbox config for this simulator's first advertiser, to build on.
    pub fn sandbox(&self) -> ConfigBuilder {
        let c = self.sim.config().credentials;
        let advertiser = &self.sim.account().advertisers[0].id;
        ConfigBuilder::new(
            json!({"auth_type": "sandbox_access_token", "advertiser_id": advertiser, "access_token": c.sandbox_token}),
        )
    }

    /// The production config with the connector's defaults.
    pub fn oauth_config(&self) -> Value {
        self.config().build()
    }

    /// The sandbox config with the connector's defaults.
    pub fn sandbox_config(&self) -> Value {
        self.sandbox().build()
    }

    /// The requests the simulator logged for `endpoint` (e.g. `report/task/create`), in order.
    pub fn requests_to(&self, endpoint: &str) -> Vec<LoggedRequest> {
        self.sim.requests().into_iter().filter(|r| r.endpoint() == endpoint).collect()
    }

    pub fn write(&self, name: &str, value: &Value) -> String {
        let path = self.dir.join(name);
        std::fs::write(&path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
        path.to_str().unwrap().to_string()
    }

    /// A host command against this simulator. A run that hangs ends in the host's own run-time
    /// limit (10 minutes unless the test sets one), whose error names it.
    pub fn host<S: AsRef<str>>(&self, args: &[S]) -> Host {
        let args: Vec<&str> = args.iter().map(AsRef::as_ref).collect();
        let limit: &[&str] = if args.contains(&"--max-run-seconds") { &[] } else { &["--max-run-seconds", "600"] };
        Host::new(&self.dir).args(&args).args(["--api-base-url", &self.sim.base_url()]).args(limit)
    }

    pub fn run<S: AsRef<str>>(&self, args: &[S]) -> Run {
        self.host(args).run()
    }

    pub fn discover(&self, config: &Value) -> Value {
        let config_path = self.write("discover_config.json", config);
        let run = self.run(&["discover", "--config", &config_path]);
        run.assert_success();
        run.of_type("CATALOG")[0]["catalog"].clone()
    }

    /// A configured catalog of `streams` (all when empty), each in its most incremental mode,
    /// or in full refresh when `full`.
    pub fn configured_catalog(&self, config: &Value, streams: &[&str], full: bool) -> Value {
        let catalog = self.discover(config);
        let selected: Vec<Value> = catalog["streams"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| streams.is_empty() || streams.contains(&s["name"].as_str().unwrap()))
            .map(|s| {
                let incremental = !full && s["supported_sync_modes"].as_array().unwrap().iter().any(|m| m == "incremental");
                json!({"stream": s, "sync_mode": if incremental { "incremental" } else { "full_refresh" }, "destination_sync_mode": "append"})
            })
            .collect();
        assert!(
            streams.is_empty() || selected.len() == streams.len(),
            "not every stream of {streams:?} was discovered"
        );
        assert!(!selected.is_empty(), "no stream selected from {streams:?}");
        json!({ "streams": selected })
    }

    /// The arguments of a `read` of `streams` in `mode`, from `state` (its files written to the
    /// scratch directory), for `run` or for `host(..).spawn(..)`.
    pub fn read_args(&self, config: &Value, streams: &[&str], mode: Mode, state: Option<&Value>) -> Vec<String> {
        let catalog = self.configured_catalog(config, streams, mode == Mode::FullRefresh);
        let mut args = vec![
            "read".into(),
            "--config".into(),
            self.write("config.json", config),
            "--catalog".into(),
            self.write("catalog.json", &catalog),
        ];
        if let Some(state) = state {
            args.extend(["--state".into(), self.write("state.json", state)]);
        }
        args
    }

    /// Read `streams` in `mode`, from `state`.
    pub fn read(&self, config: &Value, streams: &[&str], mode: Mode, state: Option<&Value>) -> Run {
        self.run(&self.read_args(config, streams, mode, state))
    }

    /// `sync` of `streams` (comma-separated) into `db`, with `extra` flags.
    pub fn sync(&self, config: &Value, db: &str, streams: &str, extra: &[&str]) -> Run {
        self.run(&self.sync_args(config, db, streams, extra))
    }

    pub fn sync_args(&self, config: &Value, db: &str, streams: &str, extra: &[&str]) -> Vec<String> {
        let mut args = vec![
            "sync".to_string(),
            "--config".into(),
            self.write("sync_config.json", config),
            "--db".into(),
            db.into(),
            "--streams".into(),
            streams.into(),
        ];
        args.extend(extra.iter().map(|a| a.to_string()));
        args
    }
}

/// A date parameter of a logged request (`start_date`, `end_date`).
pub fn query_date(request: &LoggedRequest, name: &str) -> NaiveDate {
    NaiveDate::parse_from_str(&request.query[name], "%Y-%m-%d").unwrap()
}

/// How `Harness::read` reads its streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    FullRefresh,
    /// Each stream in its most incremental mode (full refresh where it has no cursor).
    Incremental,
}

/// Assert every record of `run` validates against the discovered schema of its stream.
pub fn assert_records_match_schemas(run: &Run, catalog: &Value) {
    let mut validators = BTreeMap::new();
    for s in catalog["streams"].as_array().unwrap() {
        let validator = jsonschema::validator_for(&s["json_schema"]).expect("a valid JSON schema");
        validators.insert(s["name"].as_str().unwrap().to_string(), validator);
    }
    for (stream, records) in run.records() {
        let validator = validators.get(&stream).unwrap_or_else(|| panic!("{stream} is not in the catalog"));
        for record in records {
            let errors: Vec<String> =
                validator.iter_errors(&record).map(|e| format!("{} at {}", e, e.instance_path)).collect();
            assert!(errors.is_empty(), "{stream} record does not match its schema: {errors:?}\n{record}");
        }
    }
}
