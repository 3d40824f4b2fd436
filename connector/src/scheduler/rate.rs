//! The app's rate budget: requests paced evenly within the configured requests per second,
//! quiet periods after TikTok throttles us, the budget halved then and raised again slowly, and
//! never more requests in the last second than the budget, counted as they really left.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// TikTok counts requests as they arrive; this margin on every second keeps network jitter
/// from squeezing one request too many into its window.
const SECOND_WITH_MARGIN: Duration = Duration::from_millis(1_050);
/// What the requests that really left may never exceed: the rate within this span. Narrower
/// than the pacing's margin, so a request that woke a few milliseconds late costs nothing, while
/// one that woke late enough to crowd the others waits.
const SENT_WINDOW: Duration = Duration::from_millis(1_020);
/// How long the budget must stay clean before it is raised again after throttling.
const RECOVERY_INTERVAL: Duration = Duration::from_secs(10);

/// A throttle TikTok names no unit for is waited out longer each time it repeats: from this,
/// doubling, up to the longest (tiktok-api.md §5: "start ≥1 s and escalate to 5 min on repeats
/// (QPM)"), so a per-minute quota is right whatever words its message has.
const FIRST_REPEAT_QUIET: Duration = Duration::from_secs(2);
const LONGEST_REPEAT_QUIET: Duration = Duration::from_secs(300);

pub struct RateBudget {
    configured_rate: f64,
    /// Requests per second now allowed (lowered by throttling, raised again slowly).
    rate: f64,
    /// The earliest moment the next request may leave.
    next_slot: Instant,
    /// No request before this instant (TikTok asked for quiet).
    quiet_until: Instant,
    last_change: Instant,
    /// When the requests of the last `SENT_WINDOW` left, oldest first.
    recent_sends: VecDeque<Instant>,
    /// Throttles in a row, each of a request sent after the quiet the one before asked for (the
    /// requests in flight during one breach are one throttle); a clean stretch ends the row.
    streak: u32,
    /// When the quiet of the latest throttle of the row ends.
    streak_quiet_end: Instant,
}

impl RateBudget {
    pub fn new(requests_per_second: u32) -> Self {
        let now = Instant::now();
        let rate = requests_per_second.max(1) as f64;
        Self {
            configured_rate: rate,
            rate,
            next_slot: now,
            quiet_until: now,
            last_change: now,
            recent_sends: VecDeque::new(),
            streak: 0,
            streak_quiet_end: now,
        }
    }

    /// Requests per second now allowed.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// The next free slot in an evenly paced budget, taken for the caller.
    pub fn reserve_slot(&mut self) -> Instant {
        let interval = SECOND_WITH_MARGIN.div_f64(self.rate);
        let at = self.next_slot.max(Instant::now()).max(self.quiet_until);
        self.next_slot = at + interval;
        at
    }

    /// How long a request ready to leave must still wait: until the quiet period ends, and
    /// until the last `SENT_WINDOW` has room, counting when requests really left.
    pub fn wait(&mut self, now: Instant) -> Duration {
        while self.recent_sends.front().is_some_and(|t| now.duration_since(*t) >= SENT_WINDOW) {
            self.recent_sends.pop_front();
        }
        let quiet = self.quiet_left(now);
        let full = self.recent_sends.len() >= self.rate.floor().max(1.0) as usize;
        let window = match (full, self.recent_sends.front()) {
            (true, Some(oldest)) => SENT_WINDOW.saturating_sub(now.duration_since(*oldest)),
            _ => Duration::ZERO,
        };
        quiet.max(window)
    }

    /// What is left at `now` of the quiet period TikTok asked for.
    pub fn quiet_left(&self, now: Instant) -> Duration {
        self.quiet_until.saturating_duration_since(now)
    }

    /// A request left at `now`.
    pub fn sent(&mut self, now: Instant) {
        self.recent_sends.push_back(now);
    }

    /// TikTok said the app (or an advertiser) sends too much: nothing leaves for `quiet`, and
    /// the budget is halved, since the real quota (or the share other clients of the app leave
    /// us) is lower than configured.
    pub fn throttled(&mut self, quiet: Duration, sent_at: Instant) {
        let now = Instant::now();
        if sent_at >= self.streak_quiet_end {
            self.streak += 1;
        }
        let repeat =
            FIRST_REPEAT_QUIET.saturating_mul(1 << self.streak.saturating_sub(1).min(10)).min(LONGEST_REPEAT_QUIET);
        let quiet = if self.streak > 1 { quiet.max(repeat) } else { quiet };
        self.quiet_until = self.quiet_until.max(now + quiet);
        self.streak_quiet_end = self.quiet_until;
        self.rate = (self.rate / 2.0).max(1.0);
        self.last_change = now;
    }

    /// After a clean stretch, raise a lowered budget by a tenth of the configured one.
    pub fn recover(&mut self) {
        let now = Instant::now();
        if now.duration_since(self.last_change) >= RECOVERY_INTERVAL {
            self.streak = 0;
        }
        if self.rate < self.configured_rate && now.duration_since(self.last_change) >= RECOVERY_INTERVAL {
            self.rate = (self.rate + self.configured_rate / 10.0).min(self.configured_rate);
            self.last_change = now;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_paced_evenly_within_the_budget() {
        let mut budget = RateBudget::new(10);
        let first = budget.reserve_slot();
        let slots: Vec<Instant> = (0..20).map(|_| budget.reserve_slot()).collect();
        // Any 11 consecutive slots span more than a second: at most 10 per second.
        assert!(slots[10].duration_since(first) > Duration::from_secs(1));
        assert!(slots[9].duration_since(first) < Duration::from_millis(1_100));
    }

    #[test]
    fn a_late_request_waits_for_room_in_the_last_second() {
        let mut budget = RateBudget::new(10);
        let now = Instant::now();
        // Ten requests left within the last 300 ms (the eleventh woke late and would crowd them).
        budget.recent_sends.extend((0..10).map(|i| now - Duration::from_millis(300 - i * 30)));
        let wait = budget.wait(Instant::now());
        assert!(wait > Duration::from_millis(690) && wait <= Duration::from_millis(720), "{wait:?}");
        budget.recent_sends.pop_front();
        assert_eq!(budget.wait(Instant::now()), Duration::ZERO);
    }

    #[test]
    fn throttling_halves_the_budget_and_a_clean_stretch_restores_it() {
        let mut budget = RateBudget::new(10);
        budget.throttled(Duration::from_millis(0), Instant::now());
        assert_eq!(budget.rate(), 5.0);
        budget.last_change -= RECOVERY_INTERVAL;
        budget.recover();
        assert_eq!(budget.rate(), 6.0);
    }

    #[test]
    fn a_quiet_period_holds_every_request_back() {
        let mut budget = RateBudget::new(10);
        budget.throttled(Duration::from_secs(2), Instant::now());
        let now = Instant::now();
        assert!(budget.wait(now) > Duration::from_millis(1_900));
        assert!(budget.quiet_left(now) > Duration::from_millis(1_900));
        assert_eq!(budget.quiet_left(now + Duration::from_secs(3)), Duration::ZERO);
        assert!(budget.reserve_slot() >= now + Duration::from_millis(1_900));
    }

    #[test]
    fn a_throttle_that_repeats_is_waited_out_longer_each_time_up_to_five_minutes() {
        let mut budget = RateBudget::new(10);
        let quiet_after = |budget: &RateBudget| budget.quiet_left(Instant::now()).as_secs_f64();
        let before = Instant::now();
        budget.throttled(Duration::from_secs(2), before);
        assert!(quiet_after(&budget) <= 2.0);
        // Requests in flight during the same breach: no longer quiet.
        budget.throttled(Duration::from_secs(2), before);
        assert!(quiet_after(&budget) <= 2.0, "the same breach twice");
        let mut last: f64 = 2.0;
        for _ in 0..12 {
            let after_quiet = budget.streak_quiet_end;
            budget.throttled(Duration::from_secs(2), after_quiet);
            let quiet = quiet_after(&budget);
            assert!(quiet >= last.min(299.0) && quiet <= 300.0, "{quiet} after {last}");
            last = quiet;
        }
        assert!(last > 299.0, "escalates to five minutes: {last}");
        budget.last_change -= RECOVERY_INTERVAL;
        budget.recover();
        assert_eq!(budget.streak, 0, "a clean stretch ends the row");
    }
}
