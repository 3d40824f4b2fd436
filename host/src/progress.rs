//! A live progress line on stderr while `read` or `sync` runs, for people: streams done of
//! all, the current stream and advertiser, records and requests so far, and whether TikTok's
//! quota holds the sync back. Only when stderr is a terminal; stdout is never touched.

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::sandbox::REQUESTS_SENT;

pub struct Progress {
    bar: ProgressBar,
    state: Mutex<Seen>,
}

#[derive(Default)]
struct Seen {
    ended: BTreeSet<String>,
    records: u64,
    stream: String,
    advertiser: String,
    waiting: bool,
}

impl Progress {
    /// A display for `streams` streams, or None when stderr is not a terminal.
    pub fn start(streams: usize) -> Option<Progress> {
        if !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = ProgressBar::new(streams as u64);
        let style = ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:24} {pos}/{len} streams  {msg}").ok()?;
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(200));
        Some(Progress { bar, state: Mutex::new(Seen::default()) })
    }

    pub fn records(&self, stream: &str, records: &[String]) {
        let mut seen = self.state.lock().unwrap_or_else(|e| e.into_inner());
        seen.records += records.len() as u64;
        seen.stream = stream.to_string();
        seen.waiting = false;
        if let Some(advertiser) = records.last().and_then(|r| advertiser_of(r)) {
            seen.advertiser = advertiser.to_string();
        }
        self.show(&seen);
    }

    pub fn status(&self, stream: &str, status: &str) {
        let mut seen = self.state.lock().unwrap_or_else(|e| e.into_inner());
        if matches!(status, "COMPLETE" | "INCOMPLETE") {
            seen.ended.insert(stream.to_string());
            self.bar.set_position(seen.ended.len() as u64);
        }
        self.show(&seen);
    }

    /// Log lines tell when TikTok throttles the sync.
    pub fn log(&self, level: &str, message: &str) {
        if level == "WARN" && message.contains("throttled") {
            let mut seen = self.state.lock().unwrap_or_else(|e| e.into_inner());
            seen.waiting = true;
            self.show(&seen);
        }
    }

    fn show(&self, seen: &Seen) {
        let requests = REQUESTS_SENT.load(Ordering::Relaxed);
        let waiting = if seen.waiting { "  waiting on TikTok's quota" } else { "" };
        let advertiser = if seen.advertiser.is_empty() { String::new() } else { format!(" (advertiser {})", seen.advertiser) };
        self.bar.set_message(format!("{}{advertiser}  {} records  {requests} requests{waiting}", seen.stream, seen.records));
    }

    pub fn println(&self, line: &str) {
        self.bar.println(line);
    }

    pub fn finish(self) {
        self.bar.finish_and_clear();
    }
}

/// The `advertiser_id` of a record text, without parsing the record.
fn advertiser_of(record: &str) -> Option<&str> {
    let at = record.find("\"advertiser_id\":\"")? + "\"advertiser_id\":\"".len();
    let rest = &record[at..];
    Some(&rest[..rest.find('"')?])
}
