//! Test harness: runs the real release host binary (with its embedded component) against a
//! simulator on loopback, and parses what it prints.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{json, Value};
use tiktok_sim::{SimConfig, Simulator};

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The release host (`make build` makes it); a debug host would JIT the component 25× slower.
pub fn host_binary() -> PathBuf {
    let path = std::env::var_os("SOURCE_TIKTOK_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/release/source-tiktok-marketing"));
    assert!(path.exists(), "{} is missing: run `make build` first", path.display());
    path
}

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

/// What one run of the host printed.
#[derive(Debug)]
pub struct Run {
    pub exit_code: i32,
    pub messages: Vec<Value>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn of_type(&self, t: &str) -> Vec<&Value> {
        self.messages.iter().filter(|m| m["type"] == t).collect()
    }

    /// Records per stream, in order.
    pub fn records(&self) -> BTreeMap<String, Vec<Value>> {
        let mut by_stream: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for m in self.of_type("RECORD") {
            by_stream.entry(m["record"]["stream"].as_str().unwrap().to_string()).or_default().push(m["record"]["data"].clone());
        }
        by_stream
    }

    pub fn records_of(&self, stream: &str) -> Vec<Value> {
        self.records().remove(stream).unwrap_or_default()
    }

    pub fn errors(&self) -> Vec<&Value> {
        self.of_type("TRACE").into_iter().filter(|m| m["trace"]["type"] == "ERROR").map(|m| &m["trace"]["error"]).collect()
    }

    /// The last state emitted per stream, in the shape `--state` takes back.
    pub fn final_state(&self) -> Value {
        let mut last: BTreeMap<String, Value> = BTreeMap::new();
        for m in self.of_type("STATE") {
            let name = m["state"]["stream"]["stream_descriptor"]["name"].as_str().unwrap().to_string();
            last.insert(name, m["state"].clone());
        }
        Value::Array(last.into_values().collect())
    }

    pub fn stream_statuses(&self, stream: &str) -> Vec<String> {
        self.of_type("TRACE")
            .into_iter()
            .filter(|m| m["trace"]["type"] == "STREAM_STATUS" && m["trace"]["stream_status"]["stream_descriptor"]["name"] == stream)
            .map(|m| m["trace"]["stream_status"]["status"].as_str().unwrap().to_string())
            .collect()
    }

    /// How the command failed: (failure type, message). A `check` that ran says so in a FAILED
    /// status with exit 0 (its log line names the failure type); any other failure is an error
    /// TRACE with exit 1.
    pub fn failure(&self) -> (String, String) {
        let failed_check = self.of_type("CONNECTION_STATUS").into_iter().map(|m| &m["connectionStatus"]).find(|s| s["status"] == "FAILED");
        if let Some(status) = failed_check {
            assert_eq!(self.exit_code, 0, "a check that ran exits 0; stderr: {}", self.stderr);
            assert!(self.errors().is_empty(), "a failed check is a status, not an error trace: {:?}", self.errors());
            let logs = self.of_type("LOG");
            let log = logs.iter().filter_map(|m| m["log"]["message"].as_str()).find_map(|m| m.strip_prefix("check failed ("));
            let kind = log.expect("the failed check's log line").split(')').next().unwrap();
            return (kind.to_string(), status["message"].as_str().unwrap().to_string());
        }
        assert_eq!(self.exit_code, 1, "expected a failure; stdout: {}", self.stdout.chars().take(2000).collect::<String>());
        let e = self.errors()[0];
        (e["failure_type"].as_str().unwrap().to_string(), e["message"].as_str().unwrap().to_string())
    }

    /// The messages of the run's WARN log lines.
    pub fn warnings(&self) -> Vec<String> {
        self.of_type("LOG").iter().filter(|m| m["log"]["level"] == "WARN").map(|m| m["log"]["message"].as_str().unwrap_or_default().to_string()).collect()
    }

    pub fn assert_success(&self) {
        assert_eq!(self.exit_code, 0, "host failed: {:?}\nstderr: {}", self.errors(), self.stderr);
        assert!(self.errors().is_empty(), "errors: {:?}", self.errors());
    }
}

/// Run the host with `args`, from `dir`, and parse every stdout line as a protocol message.
pub fn run_host(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(host_binary())
        .args(args)
        .current_dir(dir)
        .env("SOURCE_TIKTOK_CACHE_DIR", workspace_root().join("target/component-cache"))
        .env_remove("TIKTOK_API_BASE_URL")
        .output()
        .expect("run the host");
    parse_run(output)
}

pub fn parse_run(output: std::process::Output) -> Run {
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    // `sync` prints a table for people; every other command speaks the protocol.
    let for_people = stdout.starts_with("stream ");
    let messages = stdout
        .lines()
        .filter(|_| !for_people)
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}")))
        .collect();
    Run {
        exit_code: output.status.code().unwrap_or(-1),
        messages,
        stdout,
        stderr: String::from_utf8_lossy(&output.stderr).to_string(),
    }
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

    pub fn oauth_config(&self) -> Value {
        let c = self.sim.config();
        json!({
            "credentials": {"auth_type": "oauth2.0", "app_id": c.app_id, "secret": c.secret, "access_token": c.access_token},
            "start_date": "2024-01-01",
        })
    }

    pub fn sandbox_config(&self) -> Value {
        let c = self.sim.config();
        json!({
            "credentials": {"auth_type": "sandbox_access_token", "advertiser_id": self.sim.account().advertisers[0].id, "access_token": c.sandbox_token},
            "start_date": "2024-01-01",
        })
    }

    pub fn write(&self, name: &str, value: &Value) -> String {
        let path = self.dir.join(name);
        std::fs::write(&path, serde_json::to_vec_pretty(value).unwrap()).unwrap();
        path.to_str().unwrap().to_string()
    }

    /// Run a host command against this simulator. A run that hangs ends in the host's own
    /// run-time limit (10 minutes unless the test sets one), whose error names it.
    pub fn run(&self, args: &[&str]) -> Run {
        let base = self.sim.base_url();
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--api-base-url", base.as_str()]);
        if !args.contains(&"--max-run-seconds") {
            all.extend(["--max-run-seconds", "600"]);
        }
        run_host(&self.dir, &all)
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
        assert!(streams.is_empty() || selected.len() == streams.len(), "not every stream of {streams:?} was discovered");
        assert!(!selected.is_empty(), "no stream selected from {streams:?}");
        json!({ "streams": selected })
    }

    /// Read `streams` in `mode`, from `state`.
    pub fn read(&self, config: &Value, streams: &[&str], mode: Mode, state: Option<&Value>) -> Run {
        let catalog = self.configured_catalog(config, streams, mode == Mode::FullRefresh);
        let config_path = self.write("config.json", config);
        let catalog_path = self.write("catalog.json", &catalog);
        let mut args = vec!["read", "--config", config_path.as_str(), "--catalog", catalog_path.as_str()];
        let state_path;
        if let Some(state) = state {
            state_path = self.write("state.json", state);
            args.extend(["--state", state_path.as_str()]);
        }
        self.run(&args)
    }
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
            let errors: Vec<String> = validator.iter_errors(&record).map(|e| format!("{} at {}", e, e.instance_path)).collect();
            assert!(errors.is_empty(), "{stream} record does not match its schema: {errors:?}\n{record}");
        }
    }
}

/// The UTC date `n` days before today.
pub fn days_ago(n: i64) -> chrono::NaiveDate {
    chrono::Utc::now().date_naive() - chrono::Duration::days(n)
}
