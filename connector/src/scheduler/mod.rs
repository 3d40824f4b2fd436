//! The request scheduler: one per sync, shared by every stream, advertiser, window and page.
//!
//! It decides two things for each request: *when* it may leave (the app's rate budget, paced
//! evenly, with quiet periods after TikTok throttles us) and *whether* there is room in flight
//! (enough requests to fill the budget at the latency we observe — Little's law: in flight =
//! rate × latency — and fewer after timeouts). TikTok limits rate, not concurrency; the
//! in-flight bound keeps sockets and buffered answers proportional to the budget.

mod restriction;

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use restriction::{Restriction, Verdict};
pub use restriction::{FIRST_QUIET as RESTRICTION_FIRST_QUIET, GIVE_UP_AFTER as RESTRICTION_LIMIT, LONGEST_QUIET as RESTRICTION_LONGEST_QUIET};

/// TikTok counts requests as they arrive; this margin on every second keeps network jitter
/// from squeezing one request too many into its window.
const SECOND_WITH_MARGIN: Duration = Duration::from_millis(1_050);
/// What the requests that really left may never exceed: the rate within this span. Narrower
/// than the pacing's margin, so a request that woke a few milliseconds late costs nothing, while
/// one that woke late enough to crowd the others waits.
const SENT_WINDOW: Duration = Duration::from_millis(1_020);
/// Room in flight beyond rate × latency, so the budget stays full while latency wobbles.
const IN_FLIGHT_HEADROOM: f64 = 1.5;
/// The most requests in flight at once, whatever the latency.
pub const MAX_IN_FLIGHT: usize = 64;
/// Before any answer arrived, assume TikTok's slow report latency: room in flight is only a
/// cap (the pacing decides the rate), and starting low would leave the budget unused while
/// the first answers are on their way.
const INITIAL_LATENCY: Duration = Duration::from_secs(2);
/// How long the budget must stay clean before it is raised again after throttling.
const RECOVERY_INTERVAL: Duration = Duration::from_secs(10);

/// TikTok lowers an app's QPS when 10 of its requests time out within 10 s (tiktok-api.md §6,
/// DOC-PERF). Once a timeout was seen, requests out plus timeouts of the last `TIMEOUT_SPAN`
/// stay below this, so even if every request out times out, the count stays under TikTok's.
const TIMEOUTS_TOLERATED: usize = 8;
/// TikTok's 10 s, and one more for the answers' travel.
const TIMEOUT_SPAN: Duration = Duration::from_secs(11);
/// How long after the last timeout that guard stays on.
const TIMEOUT_GUARD: Duration = Duration::from_secs(120);
/// How often a request held back by the timeout guard looks again when only requests still
/// out (not past timeouts) hold it back.
const TIMEOUT_GUARD_POLL: Duration = Duration::from_millis(100);

/// Endpoints with a quota of their own, below the app's: at most one request per interval.
/// `report/task/create/` takes one a second per app (tiktok-api.md §6).
const PATH_INTERVALS: &[(&str, Duration)] = &[("report/task/create", Duration::from_millis(1_050))];

/// Async report tasks TikTok lets one ad account create an hour, and one app a day
/// (tiktok-api.md §6: DOC-TASK-CREATE, DOC-BP, DOC-FAQ).
const TASKS_PER_ADVERTISER_HOUR: usize = 500;
const TASKS_PER_APP_DAY: usize = 4_500;

/// How one request ended, as far as pacing is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// An answer (of any code) arrived in time.
    Answered,
    /// TikTok or the gateway timed out (51001, 504, no answer in time).
    TimedOut,
}

#[derive(Clone)]
pub struct Scheduler(Rc<RefCell<State>>);

struct State {
    configured_rate: f64,
    /// Requests per second now allowed (lowered by throttling, raised again slowly).
    rate: f64,
    /// The earliest moment the next request may leave.
    next_slot: Instant,
    /// No request before this instant (TikTok asked for quiet).
    quiet_until: Instant,
    last_change: Instant,
    in_flight: usize,
    /// Requests sent and not answered yet (`in_flight` also counts those waiting to leave).
    out: usize,
    /// When the timeouts of the last `TIMEOUT_SPAN` arrived, oldest first.
    recent_timeouts: VecDeque<Instant>,
    last_timeout: Option<Instant>,
    /// Exponentially weighted mean time from send to full answer.
    latency: Duration,
    /// Halved on each timeout, restored step by step on answers in time.
    timeout_share: f64,
    /// Requests waiting for room in flight, first come first served.
    waiting: VecDeque<(u64, Waker)>,
    next_ticket: u64,
    /// Async report tasks created in the last day: when, and for which advertiser.
    tasks: VecDeque<(Instant, String)>,
    /// The earliest next request of each endpoint with a quota of its own.
    path_slots: Vec<Instant>,
    /// When the requests of the last `SENT_WINDOW` left, oldest first.
    recent_sends: VecDeque<Instant>,
    /// Answers fetched ahead that no reader consumed yet, sent or not.
    fetched_ahead: usize,
    /// TikTok refusing the app's requests, quota unnamed.
    restriction: Restriction,
    /// Statistics for the end-of-sync log line.
    pub sent: u64,
    throttled: u64,
    peak_in_flight: usize,
}

/// One answer fetched ahead and not consumed yet.
pub struct AheadMark(Scheduler);

impl Drop for AheadMark {
    fn drop(&mut self) {
        let mut s = self.0 .0.borrow_mut();
        s.fetched_ahead = s.fetched_ahead.saturating_sub(1);
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
        let ticket = self.ticket;
        let first_in_line = s.waiting.front().is_none_or(|(t, _)| *t == ticket);
        if first_in_line && s.in_flight < s.in_flight_limit() {
            s.waiting.retain(|(t, _)| *t != ticket);
            s.in_flight += 1;
            s.peak_in_flight = s.peak_in_flight.max(s.in_flight);
            s.wake_next();
            return Poll::Ready(Permit { scheduler: self.scheduler.clone(), sent_at: Instant::now(), sent: false });
        }
        match s.waiting.iter_mut().find(|(t, _)| *t == ticket) {
            Some((_, waker)) => waker.clone_from(cx.waker()),
            None => s.waiting.push_back((ticket, cx.waker().clone())),
        }
        Poll::Pending
    }
}

impl Drop for Room {
    fn drop(&mut self) {
        let mut s = self.scheduler.0.borrow_mut();
        let ticket = self.ticket;
        s.waiting.retain(|(t, _)| *t != ticket);
        s.wake_next();
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
        let now = Instant::now();
        let rate = requests_per_second.max(1) as f64;
        Self(Rc::new(RefCell::new(State {
            configured_rate: rate,
            rate,
            next_slot: now,
            quiet_until: now,
            last_change: now,
            in_flight: 0,
            out: 0,
            recent_timeouts: VecDeque::new(),
            last_timeout: None,
            latency: INITIAL_LATENCY,
            timeout_share: 1.0,
            waiting: VecDeque::new(),
            next_ticket: 0,
            fetched_ahead: 0,
            recent_sends: VecDeque::new(),
            path_slots: vec![now; PATH_INTERVALS.len()],
            tasks: VecDeque::new(),
            sent: 0,
            throttled: 0,
            peak_in_flight: 0,
            restriction: Restriction::default(),
        })))
    }

    /// Wait for room in flight and for the request's slot in the rate budget (and in its
    /// endpoint's own quota, if it has one). Dropping the future at any point gives back what
    /// it held.
    pub async fn permit(&self, path: &str) -> Permit {
        let mut permit = self.room().await;
        let slot = self.0.borrow_mut().reserve_slot();
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
        if let Some(index) = PATH_INTERVALS.iter().position(|(p, _)| *p == path) {
            let at = self.0.borrow_mut().reserve_path_slot(index);
            sleep_until(at).await;
        }
        let mut s = self.0.borrow_mut();
        let now = Instant::now();
        s.sent += 1;
        s.out += 1;
        s.recent_sends.push_back(now);
        permit.sent_at = now;
        permit.sent = true;
        permit
    }

    fn room(&self) -> Room {
        let mut s = self.0.borrow_mut();
        s.next_ticket += 1;
        Room { scheduler: self.clone(), ticket: s.next_ticket }
    }

    /// TikTok said the app (or an advertiser) sends too much: nothing leaves for `quiet`, and
    /// the budget is halved, since the real quota (or the share other clients of the app leave
    /// us) is lower than configured.
    pub fn throttled(&self, quiet: Duration) {
        let mut s = self.0.borrow_mut();
        let now = Instant::now();
        s.quiet_until = s.quiet_until.max(now + quiet);
        s.rate = (s.rate / 2.0).max(1.0);
        s.last_change = now;
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
                    self.throttled(quiet);
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

    /// Count one async report task for `advertiser`, or say which of TikTok's task quotas it
    /// would exceed (the caller then keeps what it has instead of waiting hours).
    pub fn count_task(&self, advertiser: &str) -> Result<(), String> {
        let mut s = self.0.borrow_mut();
        let now = Instant::now();
        let (hour, day) = (Duration::from_secs(3600), Duration::from_secs(24 * 3600));
        while s.tasks.front().is_some_and(|(t, _)| now.duration_since(*t) >= day) {
            s.tasks.pop_front();
        }
        if s.tasks.len() >= TASKS_PER_APP_DAY {
            return Err(format!("the app's quota of {TASKS_PER_APP_DAY} async report tasks a day is used up"));
        }
        let this_hour = s.tasks.iter().filter(|(t, a)| a == advertiser && now.duration_since(*t) < hour).count();
        if this_hour >= TASKS_PER_ADVERTISER_HOUR {
            return Err(format!("advertiser {advertiser} used its quota of {TASKS_PER_ADVERTISER_HOUR} async report tasks an hour"));
        }
        s.tasks.push_back((now, advertiser.to_string()));
        Ok(())
    }

    /// Requests per second the scheduler now sends at most.
    pub fn rate(&self) -> f64 {
        self.0.borrow().rate
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
        s.fetched_ahead < 2 * s.in_flight_limit()
    }

    /// Count one answer fetched ahead until the returned mark is dropped (when it is consumed).
    pub fn fetch_ahead(&self) -> AheadMark {
        self.0.borrow_mut().fetched_ahead += 1;
        AheadMark(self.clone())
    }

    /// Requests sent, retries included, and throttled answers.
    pub fn totals(&self) -> (u64, u64, usize) {
        let s = self.0.borrow();
        (s.sent, s.throttled, s.peak_in_flight)
    }
}

impl Permit {
    /// When the request left (or was let through, if it has not left yet).
    pub fn sent_at(&self) -> Instant {
        self.sent_at
    }

    /// The request ended: learn its latency (dropping the permit gives its place back).
    pub fn finish(self, outcome: Outcome) {
        let elapsed = self.sent_at.elapsed();
        let mut s = self.scheduler.0.borrow_mut();
        match outcome {
            Outcome::Answered => {
                s.latency = s.latency.mul_f64(0.7) + elapsed.mul_f64(0.3);
                s.timeout_share = (s.timeout_share * 1.1).min(1.0);
            }
            Outcome::TimedOut => {
                s.timeout_share /= 2.0;
                let now = Instant::now();
                s.recent_timeouts.push_back(now);
                s.last_timeout = Some(now);
            }
        }
        s.recover();
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut s = self.scheduler.0.borrow_mut();
        if self.sent {
            s.out = s.out.saturating_sub(1);
        }
        s.release();
    }
}

impl State {
    fn in_flight_limit(&self) -> usize {
        // After the app was refused, one probe at a time.
        if self.restriction.probing() {
            return 1;
        }
        let wanted = (self.rate * self.latency.as_secs_f64() * IN_FLIGHT_HEADROOM).ceil() as usize + 2;
        // Timeouts mean TikTok is struggling: fewer at once, down to one.
        ((wanted as f64 * self.timeout_share) as usize).clamp(1, MAX_IN_FLIGHT)
    }

    /// The next free slot of an endpoint with its own quota (by its place in
    /// `PATH_INTERVALS`), taken for the caller.
    fn reserve_path_slot(&mut self, index: usize) -> Instant {
        let at = self.path_slots[index].max(Instant::now());
        self.path_slots[index] = at + PATH_INTERVALS[index].1;
        at
    }

    /// The next free slot in an evenly paced budget, taken for the caller.
    fn reserve_slot(&mut self) -> Instant {
        let interval = SECOND_WITH_MARGIN.div_f64(self.rate);
        let at = self.next_slot.max(Instant::now()).max(self.quiet_until);
        self.next_slot = at + interval;
        at
    }

    /// How long a request ready to leave must still wait: until the quiet period ends, and
    /// until the last `SENT_WINDOW` has room, counting when requests really left.
    fn window_wait(&mut self) -> Duration {
        let now = Instant::now();
        while self.recent_sends.front().is_some_and(|t| now.duration_since(*t) >= SENT_WINDOW) {
            self.recent_sends.pop_front();
        }
        let quiet = self.quiet_until.saturating_duration_since(now);
        let full = self.recent_sends.len() >= self.rate.floor().max(1.0) as usize;
        let window = match (full, self.recent_sends.front()) {
            (true, Some(oldest)) => SENT_WINDOW.saturating_sub(now.duration_since(*oldest)),
            _ => Duration::ZERO,
        };
        // After the app was refused, a request leaves only when the last probe came back.
        let probe_out = if self.restriction.probing() && self.out > 0 { TIMEOUT_GUARD_POLL } else { Duration::ZERO };
        quiet.max(window).max(self.timeout_wait(now)).max(probe_out)
    }

    /// After a timeout, how long a request must wait so that the requests out, should they all
    /// time out, and the recent timeouts stay under TikTok's threshold.
    fn timeout_wait(&mut self, now: Instant) -> Duration {
        if self.last_timeout.is_none_or(|t| now.duration_since(t) >= TIMEOUT_GUARD) {
            return Duration::ZERO;
        }
        while self.recent_timeouts.front().is_some_and(|t| now.duration_since(*t) >= TIMEOUT_SPAN) {
            self.recent_timeouts.pop_front();
        }
        if self.recent_timeouts.len() + self.out < TIMEOUTS_TOLERATED {
            return Duration::ZERO;
        }
        match self.recent_timeouts.front() {
            Some(oldest) if self.recent_timeouts.len() >= TIMEOUTS_TOLERATED => TIMEOUT_SPAN.saturating_sub(now.duration_since(*oldest)),
            _ => TIMEOUT_GUARD_POLL,
        }
    }

    /// After a clean stretch, raise a lowered budget by a tenth of the configured one.
    fn recover(&mut self) {
        let now = Instant::now();
        if self.rate < self.configured_rate && now.duration_since(self.last_change) >= RECOVERY_INTERVAL {
            self.rate = (self.rate + self.configured_rate / 10.0).min(self.configured_rate);
            self.last_change = now;
        }
    }

    fn release(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(1);
        self.wake_next();
    }

    fn wake_next(&self) {
        if let Some((_, waker)) = self.waiting.front() {
            waker.wake_by_ref();
        }
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
mod tests;
