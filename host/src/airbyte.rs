//! The Airbyte protocol on stdout: one JSON message a line.

use std::collections::HashMap;
use std::io::{self, Write};

use serde_json::{json, Value};

use crate::output::{
    level_name, now_millis, status_name, FailureType, LogLevel, Output, OutputError, RequestProgress, StreamStatus,
};

/// Writes protocol messages to stdout. Records are buffered; every other message flushes, so a
/// state line never reaches the reader before the records it covers, and never after a crash
/// that lost them.
pub struct Airbyte {
    out: io::BufWriter<io::Stdout>,
    /// Records per stream since that stream's last state (`sourceStats.recordCount`).
    since_state: HashMap<String, u64>,
}

impl Airbyte {
    pub fn stdout() -> Self {
        Self { out: io::BufWriter::with_capacity(1 << 20, io::stdout()), since_state: HashMap::new() }
    }

    /// One message, flushed: a command's answer (SPEC, CATALOG, CONNECTION_STATUS) or any other.
    pub fn message(&mut self, message: &Value) {
        // A closed stdout (the reader went away) ends the run through the next flush error.
        let _ = serde_json::to_writer(&mut self.out, message);
        let _ = self.out.write_all(b"\n");
        let _ = self.out.flush();
    }
}

impl Output for Airbyte {
    /// Records arrive as JSON object texts from the component and are written without
    /// re-parsing.
    fn records(&mut self, stream: &str, records: Vec<String>) -> Result<(), OutputError> {
        let emitted_at = now_millis();
        let stream_json = Value::String(stream.to_string()).to_string();
        for data in &records {
            let _ = writeln!(
                self.out,
                "{{\"type\":\"RECORD\",\"record\":{{\"stream\":{stream_json},\"data\":{data},\"emitted_at\":{emitted_at}}}}}"
            );
        }
        *self.since_state.entry(stream.to_string()).or_default() += records.len() as u64;
        Ok(())
    }

    fn state(&mut self, stream: &str, state: Value) -> Result<(), OutputError> {
        let count = self.since_state.insert(stream.to_string(), 0).unwrap_or(0);
        self.message(&json!({"type": "STATE", "state": {
            "type": "STREAM",
            "stream": {"stream_descriptor": {"name": stream}, "stream_state": state},
            "sourceStats": {"recordCount": count as f64},
        }}));
        Ok(())
    }

    fn stream_status(&mut self, stream: &str, status: StreamStatus) -> Result<(), OutputError> {
        self.message(&json!({"type": "TRACE", "trace": {
            "type": "STREAM_STATUS",
            "emitted_at": now_millis(),
            "stream_status": {"stream_descriptor": {"name": stream}, "status": status_name(status)},
        }}));
        Ok(())
    }

    fn log(&mut self, level: LogLevel, message: &str) {
        self.message(&json!({"type": "LOG", "log": {"level": level_name(level), "message": message}}));
    }

    /// The protocol has no message for it: the progress line (a wrapper) shows it on a terminal.
    fn progress(&mut self, _progress: &RequestProgress) {}

    fn error(&mut self, failure: FailureType, message: &str, stream: Option<&str>) {
        let mut error = json!({
            "message": message,
            "internal_message": message,
            "failure_type": failure.as_str(),
        });
        if let Some(stream) = stream {
            error["stream_descriptor"] = json!({"name": stream});
        }
        self.message(&json!({"type": "TRACE", "trace": {"type": "ERROR", "emitted_at": now_millis(), "error": error}}));
    }

    fn finish(&mut self) {
        let _ = self.out.flush();
    }
}
