//! Room in flight: enough requests at once to fill the rate budget at the latency we observe
//! (Little's law: in flight = rate × latency), fewer after timeouts, handed out first come first
//! served; and room ahead, for answers fetched before their reader wants them. TikTok limits
//! rate, not concurrency; these bounds keep sockets and buffered answers proportional to the
//! budget.

use std::collections::VecDeque;
use std::task::Waker;
use std::time::Duration;

/// Room in flight beyond rate × latency, so the budget stays full while latency wobbles.
const IN_FLIGHT_HEADROOM: f64 = 1.5;
/// The most requests in flight at once, whatever the latency.
const MAX_IN_FLIGHT: usize = 64;
/// Before any answer arrived, assume TikTok's slow report latency: room in flight is only a
/// cap (the pacing decides the rate), and starting low would leave the budget unused while
/// the first answers are on their way.
const INITIAL_LATENCY: Duration = Duration::from_secs(2);

pub struct Flight {
    /// Requests let through, waiting to leave or out.
    in_flight: usize,
    /// Requests sent and not answered yet.
    out: usize,
    /// Exponentially weighted mean time from send to full answer.
    latency: Duration,
    /// Halved on each timeout, restored step by step on answers in time.
    timeout_share: f64,
    /// Requests waiting for room, first come first served.
    waiting: VecDeque<(u64, Waker)>,
    next_ticket: u64,
    /// Answers fetched ahead that no reader consumed yet, sent or not.
    fetched_ahead: usize,
    pub peak: usize,
}

impl Default for Flight {
    fn default() -> Self {
        Self {
            in_flight: 0,
            out: 0,
            latency: INITIAL_LATENCY,
            timeout_share: 1.0,
            waiting: VecDeque::new(),
            next_ticket: 0,
            fetched_ahead: 0,
            peak: 0,
        }
    }
}

impl Flight {
    /// Requests allowed in flight at `rate`; one at a time while the app is being probed after
    /// TikTok refused it.
    pub fn limit(&self, rate: f64, probing: bool) -> usize {
        if probing {
            return 1;
        }
        let wanted = (rate * self.latency.as_secs_f64() * IN_FLIGHT_HEADROOM).ceil() as usize + 2;
        // Timeouts mean TikTok is struggling: fewer at once, down to one.
        ((wanted as f64 * self.timeout_share) as usize).clamp(1, MAX_IN_FLIGHT)
    }

    /// A place in the line for room.
    pub fn ticket(&mut self) -> u64 {
        self.next_ticket += 1;
        self.next_ticket
    }

    /// Let `ticket` in when it is first in line and there is room under `limit`; otherwise keep
    /// its place and wake it when it may be its turn.
    pub fn enter(&mut self, ticket: u64, limit: usize, waker: &Waker) -> bool {
        let first_in_line = self.waiting.front().is_none_or(|(t, _)| *t == ticket);
        if first_in_line && self.in_flight < limit {
            self.waiting.retain(|(t, _)| *t != ticket);
            self.in_flight += 1;
            self.peak = self.peak.max(self.in_flight);
            self.wake_next();
            return true;
        }
        match self.waiting.iter_mut().find(|(t, _)| *t == ticket) {
            Some((_, waiting)) => waiting.clone_from(waker),
            None => self.waiting.push_back((ticket, waker.clone())),
        }
        false
    }

    /// `ticket` left the line without entering.
    pub fn leave_line(&mut self, ticket: u64) {
        self.waiting.retain(|(t, _)| *t != ticket);
        self.wake_next();
    }

    /// A request let in leaves for TikTok.
    pub fn sent(&mut self) {
        self.out += 1;
    }

    /// Requests sent and not answered yet.
    pub fn out(&self) -> usize {
        self.out
    }

    /// A request let in gives its place back.
    pub fn release(&mut self, was_sent: bool) {
        if was_sent {
            self.out = self.out.saturating_sub(1);
        }
        self.in_flight = self.in_flight.saturating_sub(1);
        self.wake_next();
    }

    /// An answer arrived in time, `elapsed` after its request left.
    pub fn answered(&mut self, elapsed: Duration) {
        self.latency = self.latency.mul_f64(0.7) + elapsed.mul_f64(0.3);
        self.timeout_share = (self.timeout_share * 1.1).min(1.0);
    }

    pub fn timed_out(&mut self) {
        self.timeout_share /= 2.0;
    }

    /// Whether one more answer may be fetched ahead: all readers together keep at most twice
    /// `limit` (the rest are answers arrived while their reader waits for an earlier one).
    pub fn room_ahead(&self, limit: usize) -> bool {
        self.fetched_ahead < 2 * limit
    }

    pub fn fetched_ahead(&mut self) {
        self.fetched_ahead += 1;
    }

    pub fn consumed_ahead(&mut self) {
        self.fetched_ahead = self.fetched_ahead.saturating_sub(1);
    }

    fn wake_next(&self) {
        if let Some((_, waker)) = self.waiting.front() {
            waker.wake_by_ref();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flight(latency_ms: u64) -> Flight {
        Flight { latency: Duration::from_millis(latency_ms), ..Flight::default() }
    }

    #[test]
    fn room_in_flight_follows_rate_times_latency() {
        assert_eq!(flight(100).limit(10.0, false), 4);
        assert_eq!(flight(500).limit(10.0, false), 10);
        assert_eq!(flight(2000).limit(10.0, false), 32);
        assert_eq!(flight(5000).limit(50.0, false), MAX_IN_FLIGHT);
        assert_eq!(flight(2000).limit(10.0, true), 1, "one probe at a time after the app was refused");
    }

    #[test]
    fn timeouts_shrink_the_room_to_one() {
        let mut f = flight(2000);
        for _ in 0..10 {
            f.timed_out();
        }
        assert_eq!(f.limit(10.0, false), 1);
    }

    #[test]
    fn room_is_handed_out_first_come_first_served() {
        let mut f = flight(100);
        let waker = Waker::noop();
        let (first, second) = (f.ticket(), f.ticket());
        assert!(!f.enter(first, 0, waker), "no room yet");
        assert!(!f.enter(second, 1, waker), "room, but the first is ahead in line");
        assert!(f.enter(first, 1, waker));
        assert!(!f.enter(second, 1, waker), "the first took the only place");
        f.release(false);
        assert!(f.enter(second, 1, waker));
    }
}
