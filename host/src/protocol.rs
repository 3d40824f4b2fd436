//! The Airbyte protocol on stdout: one JSON message a line.

use std::collections::HashMap;
use std::io::{self, Write};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

/// How the user should read a failure (Airbyte's `failure_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureType {
    Config,
    Transient,
    System,
}

impl FailureType {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureType::Config => "config_error",
            FailureType::Transient => "transient_error",
            FailureType::System => "system_error",
        }
    }
}

pub fn now_millis() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// Writes protocol messages to stdout. Records are buffered; every other message flushes, so a
/// state line never reaches the reader before the records it covers, and never after a crash
/// that lost them.
pub struct ProtocolWriter {
    out: io::BufWriter<io::Stdout>,
    /// Records per stream since that stream's last state (`sourceStats.recordCount`).
    since_state: HashMap<String, u64>,
    /// Records per stream in this run.
    pub totals: HashMap<String, u64>,
    /// Values masked in every message the host writes besides records.
    secrets: Vec<String>,
}

impl ProtocolWriter {
    pub fn new(secrets: Vec<String>) -> Self {
        Self {
            out: io::BufWriter::with_capacity(1 << 20, io::stdout()),
            since_state: HashMap::new(),
            totals: HashMap::new(),
            secrets: secrets.into_iter().filter(|s| s.len() >= 4).collect(),
        }
    }

    pub fn mask(&self, text: &str) -> String {
        self.secrets.iter().fold(text.to_string(), |acc, s| acc.replace(s.as_str(), "****"))
    }

    fn line(&mut self, message: &Value, flush: bool) {
        // A closed stdout (the reader went away) ends the run through the next flush error.
        let _ = serde_json::to_writer(&mut self.out, message);
        let _ = self.out.write_all(b"\n");
        if flush {
            let _ = self.out.flush();
        }
    }

    /// Records arrive as JSON object texts from the component and are written without
    /// re-parsing.
    pub fn records(&mut self, stream: &str, records: &[String]) {
        let emitted_at = now_millis();
        let stream_json = Value::String(stream.to_string()).to_string();
        for data in records {
            let _ = write!(
                self.out,
                "{{\"type\":\"RECORD\",\"record\":{{\"stream\":{stream_json},\"data\":{data},\"emitted_at\":{emitted_at}}}}}\n"
            );
        }
        *self.since_state.entry(stream.to_string()).or_default() += records.len() as u64;
        *self.totals.entry(stream.to_string()).or_default() += records.len() as u64;
    }

    pub fn state(&mut self, stream: &str, state: Value) {
        let count = self.since_state.insert(stream.to_string(), 0).unwrap_or(0);
        self.line(
            &json!({"type": "STATE", "state": {
                "type": "STREAM",
                "stream": {"stream_descriptor": {"name": stream}, "stream_state": state},
                "sourceStats": {"recordCount": count as f64},
            }}),
            true,
        );
    }

    pub fn log(&mut self, level: &str, message: &str) {
        let message = self.mask(message);
        self.line(&json!({"type": "LOG", "log": {"level": level, "message": message}}), true);
    }

    pub fn stream_status(&mut self, stream: &str, status: &str) {
        self.line(
            &json!({"type": "TRACE", "trace": {
                "type": "STREAM_STATUS",
                "emitted_at": now_millis(),
                "stream_status": {"stream_descriptor": {"name": stream}, "status": status},
            }}),
            true,
        );
    }

    pub fn error(&mut self, failure: FailureType, message: &str, stream: Option<&str>) {
        let message = self.mask(message);
        let mut error = json!({
            "message": message,
            "internal_message": message,
            "failure_type": failure.as_str(),
        });
        if let Some(stream) = stream {
            error["stream_descriptor"] = json!({"name": stream});
        }
        self.line(&json!({"type": "TRACE", "trace": {"type": "ERROR", "emitted_at": now_millis(), "error": error}}), true);
    }

    pub fn message(&mut self, message: &Value) {
        self.line(message, true);
    }

    pub fn flush(&mut self) {
        let _ = self.out.flush();
    }
}
