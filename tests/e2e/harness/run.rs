//! What one run of the host printed, and questions tests ask of it.

use std::collections::BTreeMap;

use serde_json::Value;

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
            by_stream
                .entry(m["record"]["stream"].as_str().unwrap().to_string())
                .or_default()
                .push(m["record"]["data"].clone());
        }
        by_stream
    }

    pub fn records_of(&self, stream: &str) -> Vec<Value> {
        self.records().remove(stream).unwrap_or_default()
    }

    pub fn errors(&self) -> Vec<&Value> {
        self.of_type("TRACE")
            .into_iter()
            .filter(|m| m["trace"]["type"] == "ERROR")
            .map(|m| &m["trace"]["error"])
            .collect()
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

    /// The last `stream_state` of each stream: what the next sync starts from (`sourceStats`
    /// counts the records since the state before, which depends on where the checkpoints fell).
    pub fn stream_states(&self) -> BTreeMap<String, Value> {
        let states = self.final_state();
        let named = |s: &Value| s["stream"]["stream_descriptor"]["name"].as_str().unwrap().to_string();
        states.as_array().unwrap().iter().map(|s| (named(s), s["stream"]["stream_state"].clone())).collect()
    }

    pub fn stream_statuses(&self, stream: &str) -> Vec<String> {
        self.of_type("TRACE")
            .into_iter()
            .filter(|m| {
                m["trace"]["type"] == "STREAM_STATUS"
                    && m["trace"]["stream_status"]["stream_descriptor"]["name"] == stream
            })
            .map(|m| m["trace"]["stream_status"]["status"].as_str().unwrap().to_string())
            .collect()
    }

    /// How the command failed: (failure type, message). A `check` that ran says so in a FAILED
    /// status with exit 0 (its log line names the failure type); any other failure is an error
    /// TRACE with exit 1.
    pub fn failure(&self) -> (String, String) {
        let failed_check = self
            .of_type("CONNECTION_STATUS")
            .into_iter()
            .map(|m| &m["connectionStatus"])
            .find(|s| s["status"] == "FAILED");
        if let Some(status) = failed_check {
            assert_eq!(self.exit_code, 0, "a check that ran exits 0; stderr: {}", self.stderr);
            assert!(self.errors().is_empty(), "a failed check is a status, not an error trace: {:?}", self.errors());
            let logs = self.of_type("LOG");
            let log =
                logs.iter().filter_map(|m| m["log"]["message"].as_str()).find_map(|m| m.strip_prefix("check failed ("));
            let kind = log.expect("the failed check's log line").split(')').next().unwrap();
            return (kind.to_string(), status["message"].as_str().unwrap().to_string());
        }
        assert_eq!(
            self.exit_code,
            1,
            "expected a failure; stdout: {}",
            self.stdout.chars().take(2000).collect::<String>()
        );
        let e = self.errors()[0];
        (e["failure_type"].as_str().unwrap().to_string(), e["message"].as_str().unwrap().to_string())
    }

    /// The messages of the run's WARN log lines.
    pub fn warnings(&self) -> Vec<String> {
        self.of_type("LOG")
            .iter()
            .filter(|m| m["log"]["level"] == "WARN")
            .map(|m| m["log"]["message"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    pub fn assert_success(&self) {
        assert_eq!(self.exit_code, 0, "host failed: {:?}\nstderr: {}", self.errors(), self.stderr);
        assert!(self.errors().is_empty(), "errors: {:?}", self.errors());
    }
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
