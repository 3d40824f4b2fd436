//! The request budget of one developer app, shared by every stream and advertiser of a sync,
//! so the connector never trips TikTok's per-second or per-minute quota by itself.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// TikTok counts requests as it receives them; a little margin keeps network jitter from
/// squeezing one request too many into its window.
const SECOND: Duration = Duration::from_millis(1_100);
const MINUTE: Duration = Duration::from_millis(61_000);

pub struct RateGovernor {
    per_second: usize,
    per_minute: usize,
    /// Send times of the requests of the last minute, oldest first.
    sent: VecDeque<Instant>,
    /// No request before this instant (set after TikTok said we were throttled).
    quiet_until: Option<Instant>,
}

impl RateGovernor {
    pub fn new(per_second: u32) -> Self {
        Self {
            per_second: per_second.max(1) as usize,
            per_minute: per_second.max(1) as usize * 60,
            sent: VecDeque::new(),
            quiet_until: None,
        }
    }

    /// Wait until one more request fits in the budget, then count it.
    pub fn acquire(&mut self) {
        loop {
            let now = Instant::now();
            if let Some(until) = self.quiet_until {
                if until > now {
                    sleep(until - now);
                    continue;
                }
                self.quiet_until = None;
            }
            while self.sent.front().is_some_and(|t| now.duration_since(*t) >= MINUTE) {
                self.sent.pop_front();
            }
            let wait_minute = (self.sent.len() >= self.per_minute).then(|| MINUTE - now.duration_since(self.sent[0]));
            let in_last_second = self.sent.iter().rev().take_while(|t| now.duration_since(**t) < SECOND).count();
            let wait_second = (in_last_second >= self.per_second).then(|| {
                let oldest_in_window = self.sent[self.sent.len() - in_last_second];
                SECOND - now.duration_since(oldest_in_window)
            });
            match wait_minute.into_iter().chain(wait_second).max() {
                Some(wait) => sleep(wait),
                None => {
                    self.sent.push_back(now);
                    return;
                }
            }
        }
    }

    /// TikTok throttled us: hold every request of the sync for `quiet`, and halve the budget,
    /// since the app's real quota (or its share left by other clients of the app) is lower
    /// than the one configured.
    pub fn throttled(&mut self, quiet: Duration) {
        let until = Instant::now() + quiet;
        self.quiet_until = Some(self.quiet_until.map_or(until, |t| t.max(until)));
        self.per_second = (self.per_second / 2).max(1);
        self.per_minute = self.per_second * 60;
    }

    pub fn per_second(&self) -> usize {
        self.per_second
    }
}

/// Sleep through a WASI monotonic-clock pollable: the host parks the guest, no busy loop.
pub fn sleep(duration: Duration) {
    if duration.is_zero() {
        return;
    }
    wasi::clocks::monotonic_clock::subscribe_duration(duration.as_nanos() as u64).block();
}
