//! A live progress line on stderr while `read` or `sync` runs, for people: streams done of
//! all, the current stream and advertiser, records and requests so far, and whether TikTok
//! holds the requests back (from the component's typed `emit-progress`, never from a log
//! line's words). A wrapper around any output: what it is given passes on unchanged. Drawn
//! only when stderr is a terminal; stdout is never touched.

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;

use crate::output::{ended, FailureType, HoldReason, LogLevel, Output, OutputError, RequestProgress, StreamStatus};

/// `inner`, with the progress line kept up to date from what passes through.
pub struct WithProgress<O> {
    inner: O,
    bar: ProgressBar,
    /// Whether the line is drawn at all: when not, nothing is tracked (no work per request or
    /// batch on the platform, where stderr is no terminal).
    drawn: bool,
    seen: Seen,
}

/// What the line shows.
#[derive(Default)]
struct Seen {
    ended: BTreeSet<String>,
    records: u64,
    stream: String,
    advertiser: String,
    requests: u64,
    held: Option<Held>,
}

/// Requests held back by TikTok: why, until when, and that moment as a person reads it.
struct Held {
    reason: HoldReason,
    until: Instant,
    shown_until: String,
}

impl<O> WithProgress<O> {
    /// A line for `streams` streams, drawn when stderr is a terminal (hidden otherwise).
    pub fn new(inner: O, streams: usize) -> Self {
        let drawn = std::io::stderr().is_terminal();
        let bar = if drawn { drawn_bar() } else { ProgressBar::hidden() };
        Self::with_bar(inner, bar, drawn, streams)
    }

    fn with_bar(inner: O, bar: ProgressBar, drawn: bool, streams: usize) -> Self {
        bar.set_length(streams as u64);
        Self { inner, bar, drawn, seen: Seen::default() }
    }

    /// The line cleared, the output within (not finished: the command's answer follows).
    pub fn into_inner(self) -> O {
        self.bar.finish_and_clear();
        self.inner
    }

    fn show(&self) {
        self.bar.set_message(self.seen.line(Instant::now()));
    }
}

fn drawn_bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    if let Ok(style) = ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:24} {pos}/{len} streams  {msg}")
    {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

impl Seen {
    fn line(&self, now: Instant) -> String {
        let waiting = match &self.held {
            Some(held) if held.until > now => match held.reason {
                HoldReason::Quota => format!("  waiting on TikTok's quota until {}", held.shown_until),
                HoldReason::Restriction => {
                    format!("  waiting on TikTok's restriction of the app until {}", held.shown_until)
                }
            },
            _ => String::new(),
        };
        let advertiser =
            if self.advertiser.is_empty() { String::new() } else { format!(" (advertiser {})", self.advertiser) };
        format!("{}{advertiser}  {} records  {} requests{waiting}", self.stream, self.records, self.requests)
    }
}

impl<O: Output> Output for WithProgress<O> {
    fn records(&mut self, stream: &str, records: Vec<String>) -> Result<(), OutputError> {
        if !self.drawn {
            return self.inner.records(stream, records);
        }
        self.seen.records += records.len() as u64;
        self.seen.stream = stream.to_string();
        self.show();
        self.inner.records(stream, records)
    }

    fn state(&mut self, stream: &str, state: Value) -> Result<(), OutputError> {
        self.inner.state(stream, state)
    }

    fn stream_status(&mut self, stream: &str, status: StreamStatus) -> Result<(), OutputError> {
        if !self.drawn {
            return self.inner.stream_status(stream, status);
        }
        if ended(status) {
            self.seen.ended.insert(stream.to_string());
            self.bar.set_position(self.seen.ended.len() as u64);
        }
        self.show();
        self.inner.stream_status(stream, status)
    }

    /// Lines for people go above the display, which is redrawn after them.
    fn log(&mut self, level: LogLevel, message: &str) {
        self.bar.suspend(|| self.inner.log(level, message));
    }

    fn progress(&mut self, progress: &RequestProgress) {
        if !self.drawn {
            return self.inner.progress(progress);
        }
        self.seen.requests = progress.sent;
        self.seen.advertiser = progress.advertiser.clone().unwrap_or_default();
        self.seen.held = progress.held.as_ref().map(|hold| {
            let left = Duration::from_millis(hold.duration_ms);
            let shown_until = (chrono::Local::now() + left).format("%H:%M:%S").to_string();
            Held { reason: hold.reason, until: Instant::now() + left, shown_until }
        });
        self.show();
        self.inner.progress(progress);
    }

    fn error(&mut self, failure: FailureType, message: &str, stream: Option<&str>) {
        self.bar.suspend(|| self.inner.error(failure, message, stream));
    }

    fn finish(&mut self) {
        self.bar.finish_and_clear();
        self.inner.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::tiktok::connector::output::Hold;
    use crate::output::recorded::Recorded;

    fn progress(sent: u64, held: Option<(HoldReason, u64)>) -> RequestProgress {
        let held = held.map(|(reason, duration_ms)| Hold { reason, duration_ms });
        RequestProgress { sent, throttled: 0, held, advertiser: None }
    }

    #[test]
    fn waiting_is_shown_from_the_typed_hold_and_not_from_log_words() {
        let mut out = WithProgress::with_bar(Recorded::default(), ProgressBar::hidden(), true, 2);
        out.log(LogLevel::Warn, "throttled by TikTok: the connector now sends at most 5 requests per second");
        assert!(!out.bar.message().contains("waiting"), "{}", out.bar.message());

        out.progress(&progress(7, Some((HoldReason::Quota, 60_000))));
        let line = out.bar.message();
        assert!(line.contains("7 requests") && line.contains("waiting on TikTok's quota until"), "{line}");

        out.progress(&progress(8, Some((HoldReason::Restriction, 120_000))));
        assert!(out.bar.message().contains("waiting on TikTok's restriction of the app"), "{}", out.bar.message());

        out.progress(&progress(9, None));
        let line = out.bar.message();
        assert!(line.contains("9 requests") && !line.contains("waiting"), "{line}");
    }

    #[test]
    fn a_hold_that_ran_out_is_no_longer_shown() {
        let mut out = WithProgress::with_bar(Recorded::default(), ProgressBar::hidden(), true, 1);
        out.progress(&progress(1, Some((HoldReason::Quota, 50))));
        let later = Instant::now() + Duration::from_millis(100);
        assert!(out.seen.line(Instant::now()).contains("waiting"));
        assert!(!out.seen.line(later).contains("waiting"));
    }

    #[test]
    fn records_and_statuses_move_the_line_and_pass_on_unchanged() {
        let mut out = WithProgress::with_bar(Recorded::default(), ProgressBar::hidden(), true, 2);
        out.records("ads", vec![r#"{"ad_id":"1","advertiser_id":"42"}"#.into(), r#"{"advertiser_id":"43"}"#.into()])
            .unwrap();
        out.stream_status("ads", StreamStatus::Complete).unwrap();
        out.stream_status("campaigns", StreamStatus::Running).unwrap();
        assert_eq!(out.bar.position(), 1);
        assert_eq!(out.bar.message(), "ads  2 records  0 requests");
        out.progress(&progress(3, None));
        out.finish();
        assert_eq!(out.inner.lines, ["2 records of ads", "ads COMPLETE", "campaigns RUNNING", "3 requests"]);
        assert!(out.inner.finished);
    }

    /// The advertiser comes from the request, typed: an integer id in the records (the
    /// `integer_ids` option) shows as well as a string one, and a request for no single
    /// advertiser clears it.
    #[test]
    fn the_advertiser_shown_is_the_latest_requests_whatever_type_records_give_ids() {
        let mut out = WithProgress::with_bar(Recorded::default(), ProgressBar::hidden(), true, 1);
        out.records("ads", vec![r#"{"ad_id":1,"advertiser_id":42}"#.into()]).unwrap();
        out.progress(&RequestProgress { advertiser: Some("42".into()), ..progress(1, None) });
        assert_eq!(out.bar.message(), "ads (advertiser 42)  1 records  1 requests");
        out.progress(&progress(2, None));
        assert_eq!(out.bar.message(), "ads  1 records  2 requests");
    }
}
