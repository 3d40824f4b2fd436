//! Secrets masked in everything a run writes besides records and states: a wrapper around any
//! output, and which values are secrets (the config values the spec marks `airbyte_secret`).

use serde_json::Value;

use crate::output::{FailureType, LogLevel, Output, OutputError, RequestProgress, StreamStatus};

/// `inner`, with every secret in log lines and error messages replaced by `****`.
pub struct Masked<O> {
    inner: O,
    secrets: Vec<String>,
}

impl<O> Masked<O> {
    /// Values shorter than 4 bytes are not masked (they would mask ordinary text).
    pub fn new(inner: O, secrets: Vec<String>) -> Self {
        Self { inner, secrets: secrets.into_iter().filter(|s| s.len() >= 4).collect() }
    }

    pub fn mask(&self, text: &str) -> String {
        self.secrets.iter().fold(text.to_string(), |acc, s| acc.replace(s.as_str(), "****"))
    }

    /// The output within, for what holds no config value (a command's answer); mask the rest
    /// with [`Masked::mask`] first.
    pub fn inner(&mut self) -> &mut O {
        &mut self.inner
    }
}

impl<O: Output> Output for Masked<O> {
    fn records(&mut self, stream: &str, records: Vec<String>) -> Result<(), OutputError> {
        self.inner.records(stream, records)
    }

    fn state(&mut self, stream: &str, state: Value) -> Result<(), OutputError> {
        self.inner.state(stream, state)
    }

    fn stream_status(&mut self, stream: &str, status: StreamStatus) -> Result<(), OutputError> {
        self.inner.stream_status(stream, status)
    }

    fn log(&mut self, level: LogLevel, message: &str) {
        let message = self.mask(message);
        self.inner.log(level, &message);
    }

    fn progress(&mut self, progress: &RequestProgress) {
        self.inner.progress(progress);
    }

    fn error(&mut self, failure: FailureType, message: &str, stream: Option<&str>) {
        let message = self.mask(message);
        self.inner.error(failure, &message, stream);
    }

    fn finish(&mut self) {
        self.inner.finish();
    }
}

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
    use crate::output::recorded::Recorded;
    use serde_json::json;

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

    #[test]
    fn logs_and_errors_are_masked_records_pass_as_they_are() {
        let mut out = Masked::new(Recorded::default(), vec!["s3cret".into(), "tok".into()]);
        out.log(LogLevel::Warn, "token s3cret refused");
        out.error(FailureType::Config, "bad s3cret", None);
        out.records("ads", vec!["{\"s\":\"s3cret\"}".into()]).unwrap();
        out.finish();
        assert_eq!(out.mask("tok and s3cret"), "tok and ****", "values under 4 bytes are not masked");
        let inner = out.inner();
        assert_eq!(inner.lines, ["WARN: token **** refused", "config_error: bad ****", "1 records of ads"]);
        assert!(inner.finished);
    }
}
