//! The timeout guard. TikTok lowers an app's QPS when 10 of its requests time out within 10 s
//! (tiktok-api.md §6, DOC-PERF). Once a timeout was seen, requests out plus timeouts of the
//! last `TIMEOUT_SPAN` stay below `TIMEOUTS_TOLERATED`, so even if every request out times
//! out, the count stays under TikTok's.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

pub const TIMEOUTS_TOLERATED: usize = 8;
/// TikTok's 10 s, and one more for the answers' travel.
pub const TIMEOUT_SPAN: Duration = Duration::from_secs(11);
/// How long after the last timeout the guard stays on.
const TIMEOUT_GUARD: Duration = Duration::from_secs(120);
/// How often a request held back looks again when only requests still out (not past
/// timeouts) hold it back.
pub const POLL: Duration = Duration::from_millis(100);

#[derive(Default)]
pub struct TimeoutGuard {
    /// When the timeouts of the last `TIMEOUT_SPAN` arrived, oldest first.
    recent: VecDeque<Instant>,
    last: Option<Instant>,
}

impl TimeoutGuard {
    /// A request timed out at `now`.
    pub fn timed_out(&mut self, now: Instant) {
        self.recent.push_back(now);
        self.last = Some(now);
    }

    /// How long a request must wait so that the `out` requests, should they all time out, and
    /// the recent timeouts stay under TikTok's threshold.
    pub fn wait(&mut self, now: Instant, out: usize) -> Duration {
        if self.last.is_none_or(|t| now.duration_since(t) >= TIMEOUT_GUARD) {
            return Duration::ZERO;
        }
        while self.recent.front().is_some_and(|t| now.duration_since(*t) >= TIMEOUT_SPAN) {
            self.recent.pop_front();
        }
        if self.recent.len() + out < TIMEOUTS_TOLERATED {
            return Duration::ZERO;
        }
        match self.recent.front() {
            Some(oldest) if self.recent.len() >= TIMEOUTS_TOLERATED => {
                TIMEOUT_SPAN.saturating_sub(now.duration_since(*oldest))
            }
            _ => POLL,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_a_timeout_requests_out_and_recent_timeouts_stay_under_tiktoks_threshold() {
        let mut guard = TimeoutGuard::default();
        let now = Instant::now();
        // No timeout yet: the guard is off, however many are out.
        assert_eq!(guard.wait(now, 30), Duration::ZERO);
        // One timeout: with 7 still out, the next must wait for one of them.
        guard.timed_out(now);
        assert_eq!(guard.wait(now, 7), POLL);
        assert_eq!(guard.wait(now, 6), Duration::ZERO);
        // Timeouts alone at the limit: wait until the oldest leaves TikTok's count.
        for _ in 1..TIMEOUTS_TOLERATED {
            guard.recent.push_back(now);
        }
        assert_eq!(guard.wait(now, 0), TIMEOUT_SPAN);
        let later = now + TIMEOUT_SPAN;
        assert_eq!(guard.wait(later, 0), Duration::ZERO, "the old timeouts no longer count");
        // Long after the last timeout the guard is off again.
        guard.recent.extend(std::iter::repeat_n(later, TIMEOUTS_TOLERATED));
        assert_eq!(guard.wait(now + TIMEOUT_GUARD, 30), Duration::ZERO);
    }
}
