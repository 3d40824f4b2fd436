//! Everything the component says to the host goes through here, so secrets are masked in one
//! place and records always leave in batches.

use std::cell::RefCell;

use crate::bindings::tiktok::connector::output as host;
use crate::bindings::tiktok::connector::types::{LogLevel, StreamStatus};
use crate::scheduler::Pace;
use host::{Hold, HoldReason, RequestProgress};

thread_local! {
    /// Values (token, app secret) replaced by `****` in every log line and error message.
    static SECRETS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

pub fn register_secrets(secrets: Vec<String>) {
    SECRETS.with(|s| *s.borrow_mut() = secrets.into_iter().filter(|v| v.len() >= 4).collect());
}

/// Replace every registered secret in `text`.
pub fn mask(text: &str) -> String {
    SECRETS.with(|s| s.borrow().iter().fold(text.to_string(), |acc, secret| acc.replace(secret.as_str(), "****")))
}

pub fn records(stream: &str, records: &[String]) {
    if !records.is_empty() {
        host::emit_records(stream, records);
    }
}

pub fn state(stream: &str, state: &serde_json::Value) {
    host::emit_state(stream, &state.to_string());
}

pub fn status(stream: &str, status: StreamStatus) {
    host::emit_stream_status(stream, status);
}

pub fn log_info(message: &str) {
    host::emit_log(LogLevel::Info, &mask(message));
}

pub fn log_warn(message: &str) {
    host::emit_log(LogLevel::Warn, &mask(message));
}

/// Requests sent and throttled, whether TikTok holds them back, and the advertiser the latest
/// request was for: what the host's progress display shows (typed, so no host reads it from a
/// log line's wording or a record's text).
pub fn progress(pace: &Pace, advertiser: Option<&str>) {
    let held = pace.held.map(|held| Hold {
        reason: if held.restriction { HoldReason::Restriction } else { HoldReason::Quota },
        duration_ms: held.left.as_millis().try_into().unwrap_or(u64::MAX),
    });
    host::emit_progress(&RequestProgress {
        sent: pace.sent,
        throttled: pace.throttled,
        held,
        advertiser: advertiser.map(str::to_string),
    });
}
