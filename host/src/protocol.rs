//! The Airbyte protocol on stdout: one JSON message a line.

use std::collections::HashMap;
use std::io::{self, Write};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use crate::progress::Progress;
use crate::bindings::tiktok::connector::{output, types};
use crate::sync::loader::{Emitted, Loader};
use types::{LogLevel, StreamStatus};

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
/// that lost them. For `sync`, records and states go to a database loader instead, and logs
/// to stderr as text.
pub struct ProtocolWriter {
    out: io::BufWriter<io::Stdout>,
    /// Records per stream since that stream's last state (`sourceStats.recordCount`).
    since_state: HashMap<String, u64>,
    /// Values masked in every message the host writes besides records.
    secrets: Vec<String>,
    /// Logs and errors as text on stderr instead of protocol messages (`sync`).
    human: bool,
    loader: Option<Loader>,
    progress: Option<Progress>,
}

impl ProtocolWriter {
    pub fn new(secrets: Vec<String>) -> Self {
        Self {
            out: io::BufWriter::with_capacity(1 << 20, io::stdout()),
            since_state: HashMap::new(),
            secrets: secrets.into_iter().filter(|s| s.len() >= 4).collect(),
            human: false,
            loader: None,
            progress: None,
        }
    }

    /// Logs and errors as text on stderr from now on.
    pub fn for_people(mut self) -> Self {
        self.human = true;
        self
    }

    /// Records and states go to `loader` from now on; logs and errors to stderr.
    pub fn into_database(mut self, loader: Loader) -> Self {
        self.loader = Some(loader);
        self
    }

    /// Show live progress on stderr (only when it is a terminal).
    pub fn with_progress(mut self, progress: Option<Progress>) -> Self {
        self.progress = progress;
        self
    }

    /// Clear the progress display, if there is one.
    pub fn finish_progress(&mut self) {
        if let Some(progress) = self.progress.take() {
            progress.finish();
        }
    }

    /// The loader, to finish it (the progress display is cleared first).
    pub fn take_loader(&mut self) -> Option<Loader> {
        self.finish_progress();
        self.loader.take()
    }

    /// A line for a person: above the progress display, on stderr.
    fn say(&mut self, text: &str) {
        match &self.progress {
            Some(progress) => progress.println(text),
            None => eprintln!("{text}"),
        }
    }

    /// The same writer, masking `secrets` from now on.
    pub fn with_secrets(mut self, secrets: Vec<String>) -> Self {
        self.secrets = secrets.into_iter().filter(|s| s.len() >= 4).collect();
        self
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
    /// re-parsing. False when the database loader stopped.
    pub fn records(&mut self, stream: &str, records: Vec<String>) -> bool {
        let emitted_at = now_millis();
        if let Some(progress) = &self.progress {
            progress.records(stream, &records);
        }
        if let Some(loader) = &self.loader {
            return loader.send(Emitted::Records { stream: stream.to_string(), records, emitted_at });
        }
        let stream_json = Value::String(stream.to_string()).to_string();
        for data in &records {
            let _ = write!(
                self.out,
                "{{\"type\":\"RECORD\",\"record\":{{\"stream\":{stream_json},\"data\":{data},\"emitted_at\":{emitted_at}}}}}\n"
            );
        }
        *self.since_state.entry(stream.to_string()).or_default() += records.len() as u64;
        true
    }

    /// False when the database loader stopped.
    pub fn state(&mut self, stream: &str, state: Value) -> bool {
        if let Some(loader) = &self.loader {
            return loader.send(Emitted::State { stream: stream.to_string(), state });
        }
        let count = self.since_state.insert(stream.to_string(), 0).unwrap_or(0);
        self.line(
            &json!({"type": "STATE", "state": {
                "type": "STREAM",
                "stream": {"stream_descriptor": {"name": stream}, "stream_state": state},
                "sourceStats": {"recordCount": count as f64},
            }}),
            true,
        );
        true
    }

    pub fn log(&mut self, level: &str, message: &str) {
        let message = self.mask(message);
        if let Some(progress) = &self.progress {
            progress.log(level, &message);
        }
        if self.human {
            if level != "DEBUG" {
                self.say(&format!("{level}: {message}"));
            }
            return;
        }
        self.line(&json!({"type": "LOG", "log": {"level": level, "message": message}}), true);
    }

    /// False when the database loader stopped.
    pub fn stream_status(&mut self, stream: &str, status: &str) -> bool {
        if let Some(progress) = &self.progress {
            progress.status(stream, status);
        }
        if let Some(loader) = &self.loader {
            return match status {
                "COMPLETE" | "INCOMPLETE" => loader.send(Emitted::Ended { stream: stream.to_string(), complete: status == "COMPLETE" }),
                _ => true,
            };
        }
        self.line(
            &json!({"type": "TRACE", "trace": {
                "type": "STREAM_STATUS",
                "emitted_at": now_millis(),
                "stream_status": {"stream_descriptor": {"name": stream}, "status": status},
            }}),
            true,
        );
        true
    }

    pub fn error(&mut self, failure: FailureType, message: &str, stream: Option<&str>) {
        let message = self.mask(message);
        if self.human {
            let stream = stream.map(|s| format!(" (stream {s})")).unwrap_or_default();
            self.say(&format!("ERROR{stream}: {message} [{}]", failure.as_str()));
            return;
        }
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

/// The guest stops at once when the database it is read into stopped taking writes; the
/// loader's own error says why.
fn loader_stopped() -> wasmtime::Error {
    wasmtime::format_err!("{LOADER_STOPPED}")
}

pub const LOADER_STOPPED: &str = "the database writer stopped";

/// What the component emits through its `output` import, written as Airbyte messages.
impl output::Host for ProtocolWriter {
    fn emit_records(&mut self, stream_name: String, records: Vec<String>) -> wasmtime::Result<()> {
        if self.records(&stream_name, records) { Ok(()) } else { Err(loader_stopped()) }
    }

    fn emit_state(&mut self, stream_name: String, state: String) -> wasmtime::Result<()> {
        let ok = match serde_json::from_str(&state) {
            Ok(state) => self.state(&stream_name, state),
            Err(e) => {
                self.log("ERROR", &format!("the connector emitted an unreadable state for {stream_name}: {e}"));
                true
            }
        };
        if ok { Ok(()) } else { Err(loader_stopped()) }
    }

    fn emit_log(&mut self, level: LogLevel, message: String) {
        let level = match level { LogLevel::Debug => "DEBUG", LogLevel::Info => "INFO", LogLevel::Warn => "WARN", LogLevel::Error => "ERROR" };
        self.log(level, &message);
    }

    fn emit_stream_status(&mut self, stream_name: String, status: StreamStatus) -> wasmtime::Result<()> {
        let status = match status {
            StreamStatus::Started => "STARTED",
            StreamStatus::Running => "RUNNING",
            StreamStatus::Complete => "COMPLETE",
            StreamStatus::Incomplete => "INCOMPLETE",
        };
        // Airbyte's AirbyteStreamStatus names.
        if self.stream_status(&stream_name, status) { Ok(()) } else { Err(loader_stopped()) }
    }
}

impl types::Host for ProtocolWriter {}

/// The values to mask in everything the host writes: every string in `config` under a property
/// the spec marks `airbyte_secret` (matched by name at any depth, so a legacy block holding the
/// same fields is covered too).
pub fn secrets_of(spec: &Value, config: &Value) -> Vec<String> {
    let mut names = Vec::new();
    secret_names(spec, &mut names);
    let mut found = Vec::new();
    secret_values(config, &names, &mut found);
    found
}

fn secret_names(spec: &Value, names: &mut Vec<String>) {
    each_object(spec, &mut |map| {
        let Some(Value::Object(properties)) = map.get("properties") else { return };
        for (name, property) in properties {
            if property.get("airbyte_secret") == Some(&Value::Bool(true)) && !names.contains(name) {
                names.push(name.clone());
            }
        }
    });
}

fn secret_values(config: &Value, names: &[String], found: &mut Vec<String>) {
    each_object(config, &mut |map| {
        for (key, value) in map {
            if let (Value::String(s), true) = (value, names.contains(key)) {
                found.push(s.clone());
            }
        }
    });
}

/// Call `f` on every object in `value`, at any depth.
fn each_object(value: &Value, f: &mut impl FnMut(&serde_json::Map<String, Value>)) {
    match value {
        Value::Object(map) => {
            f(map);
            map.values().for_each(|v| each_object(v, f));
        }
        Value::Array(items) => items.iter().for_each(|v| each_object(v, f)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_the_config_values_the_spec_marks() {
        let spec = json!({"connectionSpecification": {"properties": {"credentials": {"oneOf": [
            {"properties": {"app_id": {"airbyte_secret": false}, "secret": {"airbyte_secret": true}, "access_token": {"airbyte_secret": true}}},
            {"properties": {"access_token": {"airbyte_secret": true}}}
        ]}, "start_date": {"type": "string"}}}});
        let config = json!({"credentials": {"app_id": "123", "secret": "s3cret", "access_token": "tok"},
                            "environment": {"access_token": "legacy-tok"}, "start_date": "2024-01-01"});
        let mut secrets = secrets_of(&spec, &config);
        secrets.sort();
        assert_eq!(secrets, ["legacy-tok", "s3cret", "tok"]);
    }
}
