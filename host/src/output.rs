//! Where a run's output goes: one [`Output`] trait for everything the component emits through
//! its `output` import and the failures the host adds. Implementations: the Airbyte protocol
//! on stdout (`airbyte.rs`), and for `sync` the database and text for people (`sync/output.rs`);
//! wrappers add to any of them: secrets masked (`masking.rs`), the live progress line
//! (`progress.rs`).

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

pub use crate::bindings::tiktok::connector::output::{HoldReason, RequestProgress};
pub use crate::bindings::tiktok::connector::types::{LogLevel, StreamStatus};

/// Everything a run writes out. Calls come in the order the component made them; each item is
/// handed on before the call returns.
pub trait Output: Send {
    /// A batch of records of one stream, each a JSON object text (Airbyte's `record.data`).
    fn records(&mut self, stream: &str, records: Vec<String>) -> Result<(), OutputError>;
    /// A checkpoint of one stream, covering every record of it handed on before.
    fn state(&mut self, stream: &str, state: Value) -> Result<(), OutputError>;
    fn stream_status(&mut self, stream: &str, status: StreamStatus) -> Result<(), OutputError>;
    fn log(&mut self, level: LogLevel, message: &str);
    /// How the component's API requests are going (sent, throttled, held back by TikTok).
    fn progress(&mut self, progress: &RequestProgress);
    /// A failure of the command, or of one stream.
    fn error(&mut self, failure: FailureType, message: &str, stream: Option<&str>);
    /// Nothing more comes: what is buffered is written out, a display is cleared, a database
    /// writer is handed its last item.
    fn finish(&mut self);
}

/// Why an output stopped taking what the component emits. The runtime stops the guest with it,
/// and the caller learns it by variant from the run's failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputError {
    /// The database writer stopped taking items; its own error says why.
    WriterStopped,
    /// Records, states or stream statuses came where nothing takes them (outside a `read`).
    NotReading,
}

impl std::fmt::Display for OutputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            OutputError::WriterStopped => "the database writer stopped",
            OutputError::NotReading => "the connector emitted records, states or stream statuses outside a read",
        })
    }
}

impl std::error::Error for OutputError {}

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

/// Airbyte's name of a log level.
pub fn level_name(level: LogLevel) -> &'static str {
    match level {
        LogLevel::Debug => "DEBUG",
        LogLevel::Info => "INFO",
        LogLevel::Warn => "WARN",
        LogLevel::Error => "ERROR",
    }
}

/// Airbyte's name of a stream status (`AirbyteStreamStatus`).
pub fn status_name(status: StreamStatus) -> &'static str {
    match status {
        StreamStatus::Started => "STARTED",
        StreamStatus::Running => "RUNNING",
        StreamStatus::Complete => "COMPLETE",
        StreamStatus::Incomplete => "INCOMPLETE",
    }
}

/// The stream ended, complete or not.
pub fn ended(status: StreamStatus) -> bool {
    matches!(status, StreamStatus::Complete | StreamStatus::Incomplete)
}

pub fn now_millis() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// An output that keeps what it is given, for the wrappers' tests.
#[cfg(test)]
pub mod recorded {
    use super::*;

    #[derive(Default)]
    pub struct Recorded {
        pub lines: Vec<String>,
        pub finished: bool,
    }

    impl Output for Recorded {
        fn records(&mut self, stream: &str, records: Vec<String>) -> Result<(), OutputError> {
            self.lines.push(format!("{} records of {stream}", records.len()));
            Ok(())
        }
        fn state(&mut self, stream: &str, state: Value) -> Result<(), OutputError> {
            self.lines.push(format!("state of {stream}: {state}"));
            Ok(())
        }
        fn stream_status(&mut self, stream: &str, status: StreamStatus) -> Result<(), OutputError> {
            self.lines.push(format!("{stream} {}", status_name(status)));
            Ok(())
        }
        fn log(&mut self, level: LogLevel, message: &str) {
            self.lines.push(format!("{}: {message}", level_name(level)));
        }
        fn progress(&mut self, progress: &RequestProgress) {
            self.lines.push(format!("{} requests", progress.sent));
        }
        fn error(&mut self, failure: FailureType, message: &str, _stream: Option<&str>) {
            self.lines.push(format!("{}: {message}", failure.as_str()));
        }
        fn finish(&mut self) {
            self.finished = true;
        }
    }
}
