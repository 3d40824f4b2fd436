//! The request scheduler: one per sync, shared by every stream, advertiser, window and page.
//!
//! It decides two things for each request: *when* it may leave and *whether* there is room in
//! flight. Each rule is a part of its own, and this module only composes them:
//!
//! - `rate`: the app's rate budget, paced evenly, with quiet periods after TikTok throttles us;
//! - `flight`: room in flight (rate × latency, fewer after timeouts) and room ahead;
//! - `timeouts`: the guard that keeps timeouts under the count at which TikTok lowers the app;
//! - `quotas`: endpoints with a quota of their own (one request per interval);
//! - `restriction`: an app TikTok restricts for minutes.

mod flight;
mod quotas;
mod rate;
mod restriction;
mod timeouts;

use std::cell::RefCell;
use std::rc::Rc;
use std::task::Poll;
use std::time::{Duration, Instant};

use flight::Flight;
use quotas::EndpointQuotas;
use rate::RateBudget;
use restriction::{Restriction, Verdict};
pub use restriction::{
    FIRST_QUIET as RESTRICTION_FIRST_QUIET, GIVE_UP_AFTER as RESTRICTION_LIMIT,
    LONGEST_QUIET as RESTRICTION_LONGEST_QUIET,
};
use timeouts::TimeoutGuard;

/// How one request ended, as far as pacing is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// An answer (of any code) arrived in time.
    Answered,
    /// TikTok or the gateway timed out (51001, 504, no answer in time).
    TimedOut,
}

/// Where the requests of the sync stand, for the host's progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    /// Requests sent, retries included.
    pub sent: u64,
    /// Answers in which TikTok throttled or restricted us.
    pub throttled: u64,
    /// Requests held back now on TikTok's word, if they are.
    pub held: Option<Hold>,
}

/// Requests held back: for a restriction of the app (else for a quota), and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hold {
    pub restriction: bool,
    pub left: Duration,
}

#[derive(Clone)]
pub struct Scheduler(Rc<RefCell<State>>);

struct State {
    budget: RateBudget,
    flight: Flight,
    timeouts: TimeoutGuard,
    endpoints: EndpointQuotas,
    /// TikTok refusing the app's requests, quota unnamed.
    restriction: Restriction,
    /// Statistics for the end-of-sync log line.
    sent: u64,
    throttled: u64,
}

/// One answer fetched ahead and not consumed yet.
pub struct AheadMark(Scheduler);

impl Drop for AheadMark {
    fn drop(&mut self) {
        self.0 .0.borrow_mut().flight.consumed_ahead();
    }
}

/// A request waiting in line for room in flight; leaving the line (drop) lets the next one on.
struct Room {
    scheduler: Scheduler,
    ticket: u64,
}

impl std::future::Future for Room {
    type Output = Permit;

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<Permit> {
        let mut s = self.scheduler.0.borrow_mut();
        let limit = s.in_flight_limit();
        if s.flight.enter(self.ticket, limit, cx.waker()) {
            return Poll::Ready(Permit { scheduler: self.scheduler.clone(), sent_at: Instant::now(), sent: false });
        }
        Poll::Pending
    }
}

impl Drop for Room {
    fn drop(&mut self) {
        self.scheduler.0.borrow_mut().flight.leave_line(self.ticket);
    }
}

/// A place in flight; dropping it gives the place back.
pub struct Permit {
    scheduler: Scheduler,
    sent_at: Instant,
    sent: bool,
}

impl Scheduler {
    pub fn new(requests_per_second: u32) -> Self {
        Self(Rc::new(RefCell::new(State {
            budget: RateBudget::new(requests_per_second),
            flight: Flight::default(),
            timeouts: TimeoutGuard::default(),
            endpoints: EndpointQuotas::default(),
            restriction: Restriction::default(),
            sent: 0,
            throttled: 0,
        })))
    }

    /// At most one request to `path` per `interval`, whatever the budget (an endpoint with a
    /// quota of its own below the app's).
    pub fn pacing(self, path: &'static str, interval: Duration) -> Self {
        self.0.borrow_mut().endpoints.pace(path, interval);
        self
    }

    /// Wait for room in flight and for the request's slot in the rate budget (and in its
    /// endpoint's own quota, if it has one). Dropping the future at any point gives back what
    /// it held.
    pub async fn permit(&self, path: &str) -> Permit {
        let mut permit = self.room().await;
        let slot = self.0.borrow_mut().budget.reserve_slot();
        sleep_until(slot).await;
        // A throttle answer that arrived while we slept moves the quiet period; a request that
        // woke late (the guest was busy) must not crowd the ones sent on time.
        loop {
            let wait = self.0.borrow_mut().window_wait();
            if wait.is_zero() {
                break;
            }
            sleep(wait).await;
        }
        // An endpoint's own quota is the last wait, so its requests leave at least its interval
        // apart whatever each waited for before.
        let endpoint_slot = self.0.borrow_mut().endpoints.reserve(path);
        if let Some(at) = endpoint_slot {
            sleep_until(at).await;
        }
        let mut s = self.0.borrow_mut();
        let now = Instant::now();
        s.sent += 1;
        s.flight.sent();
        s.budget.sent(now);
        permit.sent_at = now;
        permit.sent = true;
        permit
    }

    fn room(&self) -> Room {
        let ticket = self.0.borrow_mut().flight.ticket();
        Room { scheduler: self.clone(), ticket }
    }

    /// TikTok said the app (or an advertiser) sends too much: nothing leaves for `quiet`, and
    /// the budget is halved, since the real quota (or the share other clients of the app leave
    /// us) is lower than configured.
    pub fn throttled(&self, quiet: Duration, sent_at: Instant) {
        let mut s = self.0.borrow_mut();
        s.budget.throttled(quiet, sent_at);
        s.throttled += 1;
    }

    /// TikTok refused the app's request sent at `sent_at`, naming no quota (`breach_quiet` is
    /// the quiet a one-second breach wants). Ok with whether a restriction (not a passing
    /// breach) is now in force; Err with how long the app has been refused, once that passes
    /// `RESTRICTION_LIMIT`.
    pub fn app_refused(&self, sent_at: Instant, breach_quiet: Duration) -> Result<bool, Duration> {
        let verdict = self.0.borrow_mut().restriction.refused(sent_at, Instant::now(), breach_quiet);
        match verdict {
            Verdict::GiveUp(refused_for) => Err(refused_for),
            Verdict::Quiet(quiet) => {
                if !quiet.is_zero() {
                    self.throttled(quiet, sent_at);
                }
                Ok(self.restricted())
            }
        }
    }

    /// A restriction of the app (not a passing breach) is in force.
    pub fn restricted(&self) -> bool {
        self.0.borrow().restriction.in_force()
    }

    /// An answer came through: how long the app had been restricted, if it was.
    pub fn app_answered(&self) -> Option<Duration> {
        let mut s = self.0.borrow_mut();
        let refused_for = s.restriction.duration(Instant::now());
        s.restriction.lifted().then_some(refused_for)
    }

    /// Requests per second the scheduler now sends at most.
    pub fn rate(&self) -> f64 {
        self.0.borrow().budget.rate()
    }

    /// How many answers a reader may usefully fetch ahead of the one it consumes.
    pub fn look_ahead(&self) -> usize {
        self.0.borrow().in_flight_limit()
    }

    /// Whether one more answer may be fetched ahead: all readers together keep at most twice
    /// what fits in flight (the rest are answers arrived while their reader waits for an
    /// earlier one), so memory follows the budget, not the size of the account. A reader's
    /// next answer is never held back by this.
    pub fn room_ahead(&self) -> bool {
        let s = self.0.borrow();
        s.flight.room_ahead(s.in_flight_limit())
    }

    /// Count one answer fetched ahead until the returned mark is dropped (when it is consumed).
    pub fn fetch_ahead(&self) -> AheadMark {
        self.0.borrow_mut().flight.fetched_ahead();
        AheadMark(self.clone())
    }

    /// Requests sent and throttled so far, and the hold TikTok's refusals put on them now.
    pub fn pace(&self) -> Pace {
        let s = self.0.borrow();
        let left = s.budget.quiet_left(Instant::now());
        let held = (!left.is_zero()).then(|| Hold { restriction: s.restriction.in_force(), left });
        Pace { sent: s.sent, throttled: s.throttled, held }
    }

    /// Requests sent, retries included, and throttled answers.
    pub fn totals(&self) -> (u64, u64, usize) {
        let s = self.0.borrow();
        (s.sent, s.throttled, s.flight.peak)
    }
}

impl Permit {
    /// When the request left (or was let through, if it has not left yet).
    pub fn sent_at(&self) -> Instant {
        self.sent_at
    }

    /// The request ended: learn its latency (dropping the permit gives its place back).
    pub fn finish(self, ended: Ended) {
        let elapsed = self.sent_at.elapsed();
        let mut s = self.scheduler.0.borrow_mut();
        match ended {
            Ended::Answered => s.flight.answered(elapsed),
            Ended::TimedOut => {
                s.flight.timed_out();
                s.timeouts.timed_out(Instant::now());
            }
        }
        s.budget.recover();
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.scheduler.0.borrow_mut().flight.release(self.sent);
    }
}

impl State {
    fn in_flight_limit(&self) -> usize {
        self.flight.limit(self.budget.rate(), self.restriction.probing())
    }

    /// How long a request ready to leave must still wait: for the rate budget, for the timeout
    /// guard, and, after the app was refused, for the last probe to come back.
    fn window_wait(&mut self) -> Duration {
        let now = Instant::now();
        let probe_out =
            if self.restriction.probing() && self.flight.out() > 0 { timeouts::POLL } else { Duration::ZERO };
        self.budget.wait(now).max(self.timeouts.wait(now, self.flight.out())).max(probe_out)
    }
}

/// Sleep without blocking the other requests of the sync.
pub async fn sleep(duration: Duration) {
    if !duration.is_zero() {
        wstd::task::sleep(duration.into()).await;
    }
}

pub async fn sleep_until(at: Instant) {
    sleep(at.saturating_duration_since(Instant::now())).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pace_says_why_and_how_long_requests_are_held() {
        let scheduler = Scheduler::new(10);
        assert_eq!(scheduler.pace(), Pace { sent: 0, throttled: 0, held: None });
        scheduler.throttled(Duration::from_secs(60), Instant::now());
        let pace = scheduler.pace();
        assert_eq!(pace.throttled, 1);
        let held = pace.held.expect("requests are held after throttling");
        assert!(!held.restriction && held.left > Duration::from_secs(59), "{held:?}");

        // A refusal that names no quota, then the probe after it refused too: a restriction.
        let scheduler = Scheduler::new(10);
        let first = Instant::now();
        assert_eq!(scheduler.app_refused(first, Duration::from_secs(2)), Ok(false));
        assert!(!scheduler.pace().held.expect("a breach holds requests").restriction);
        assert_eq!(scheduler.app_refused(first + Duration::from_millis(1), Duration::from_secs(2)), Ok(true));
        let held = scheduler.pace().held.expect("a restriction holds requests");
        assert!(held.restriction && held.left > RESTRICTION_FIRST_QUIET - Duration::from_secs(1), "{held:?}");
        assert_eq!(scheduler.pace().throttled, 2);
    }
}
