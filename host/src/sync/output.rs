//! The outputs of `sync`: records, states and stream ends go to the database writer; logs and
//! errors are text for people on stderr (stdout holds the closing table).

use serde_json::Value;

use super::loader::{Emitted, Rows};
use crate::output::{
    ended, level_name, now_millis, FailureType, LogLevel, Output, OutputError, RequestProgress, StreamStatus,
};

/// Logs (but debug ones) and errors as text on stderr. It takes no records: outside a `read`
/// (`sync`'s discover) there are none.
pub struct Console;

impl Output for Console {
    fn records(&mut self, _stream: &str, _records: Vec<String>) -> Result<(), OutputError> {
        Err(OutputError::NotReading)
    }

    fn state(&mut self, _stream: &str, _state: Value) -> Result<(), OutputError> {
        Err(OutputError::NotReading)
    }

    fn stream_status(&mut self, _stream: &str, _status: StreamStatus) -> Result<(), OutputError> {
        Err(OutputError::NotReading)
    }

    fn log(&mut self, level: LogLevel, message: &str) {
        if level != LogLevel::Debug {
            eprintln!("{}: {message}", level_name(level));
        }
    }

    /// The progress line (a wrapper) shows it.
    fn progress(&mut self, _progress: &RequestProgress) {}

    fn error(&mut self, failure: FailureType, message: &str, stream: Option<&str>) {
        let stream = stream.map(|s| format!(" (stream {s})")).unwrap_or_default();
        eprintln!("ERROR{stream}: {message} [{}]", failure.as_str());
    }

    fn finish(&mut self) {}
}

/// A `read` into the database: each item to the writer thread, which fails the run with
/// [`OutputError::WriterStopped`] once it stopped; logs and errors to the [`Console`].
pub struct Database {
    /// None once finished, so the writer sees the end.
    rows: Option<Rows>,
}

impl Database {
    pub fn new(rows: Rows) -> Self {
        Self { rows: Some(rows) }
    }

    fn send(&self, item: Emitted) -> Result<(), OutputError> {
        self.rows.as_ref().map_or(Err(OutputError::WriterStopped), |rows| rows.send(item))
    }
}

impl Output for Database {
    fn records(&mut self, stream: &str, records: Vec<String>) -> Result<(), OutputError> {
        self.send(Emitted::Records { stream: stream.to_string(), records, emitted_at: now_millis() })
    }

    fn state(&mut self, stream: &str, state: Value) -> Result<(), OutputError> {
        self.send(Emitted::State { stream: stream.to_string(), state })
    }

    /// A stream's end decides whether a replaced table goes live; the other statuses are not
    /// written.
    fn stream_status(&mut self, stream: &str, status: StreamStatus) -> Result<(), OutputError> {
        if !ended(status) {
            return Ok(());
        }
        self.send(Emitted::Ended { stream: stream.to_string(), complete: status == StreamStatus::Complete })
    }

    fn log(&mut self, level: LogLevel, message: &str) {
        Console.log(level, message);
    }

    fn progress(&mut self, progress: &RequestProgress) {
        Console.progress(progress);
    }

    fn error(&mut self, failure: FailureType, message: &str, stream: Option<&str>) {
        Console.error(failure, message, stream);
    }

    /// The writer is told nothing more comes; `Loader::finish` waits for it.
    fn finish(&mut self) {
        self.rows = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::loader::Loader;
    use crate::sync::tables::Table;
    use serde_json::json;

    #[test]
    fn a_writer_that_stopped_is_a_typed_error() {
        let stream = json!({"name": "ads", "source_defined_primary_key": [["ad_id"]],
            "json_schema": {"properties": {"ad_id": {"type": "string"}}}});
        let table = Table::from_stream(&stream, false).unwrap();
        let path = std::env::temp_dir().join(format!("tiktok-stopped-{}.sqlite", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let open_path = path.clone();
        let (loader, rows, _) = Loader::start(
            Box::new(move || {
                Ok(Box::new(crate::sync::sqlite::Sqlite::open(&open_path)?) as Box<dyn crate::sync::database::Database>)
            }),
            vec![table],
        )
        .unwrap();
        let mut out = Database::new(rows);
        // A stream the catalog does not have stops the writer.
        out.records("campaigns", vec!["{}".into()]).unwrap();
        let error = loop {
            match out.records("campaigns", vec!["{}".into()]) {
                Ok(()) => std::thread::sleep(std::time::Duration::from_millis(10)),
                Err(e) => break e,
            }
        };
        assert_eq!(error, OutputError::WriterStopped);
        assert_eq!(out.state("ads", json!({})), Err(OutputError::WriterStopped));
        out.finish();
        let why = loader.finish().unwrap_err().to_string();
        assert!(why.contains("campaigns, which is not in the catalog"), "{why}");
        assert_eq!(out.records("ads", vec![]), Err(OutputError::WriterStopped), "nothing is taken after finish");
        let _ = std::fs::remove_file(&path);
    }

    #[test]
    fn outside_a_read_records_are_refused() {
        assert_eq!(Console.records("ads", vec!["{}".into()]), Err(OutputError::NotReading));
        assert_eq!(Console.stream_status("ads", StreamStatus::Started), Err(OutputError::NotReading));
    }
}
