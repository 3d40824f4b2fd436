//! When TikTok restricts the whole app for minutes.
//!
//! "Due to too many requests, requests from App [id] are temporarily restricted." (40100) names
//! no quota: it answers a one-second breach and a restriction that lasts minutes alike (often
//! another connection of the same app spent the quota). Asking again every couple of seconds
//! through a restriction is what lengthens TikTok's lockouts, so the first refusal gets the
//! short quiet of a per-second breach, and a probe refused again after it means a restriction:
//! quiet periods grow from 30 s to 5 minutes, one request at a time, and the sync fails after
//! `GIVE_UP_AFTER` of it.

use std::time::{Duration, Instant};

/// The quiet after the first refused probe; each further refused probe doubles it.
pub const FIRST_QUIET: Duration = Duration::from_secs(30);
pub const LONGEST_QUIET: Duration = Duration::from_secs(300);
/// A restriction longer than this fails the sync (as transient: the next one resumes).
pub const GIVE_UP_AFTER: Duration = Duration::from_secs(15 * 60);

/// What a refusal of the app means now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Keep quiet this long (no more than the quiet already running, for a request that left
    /// before it started).
    Quiet(Duration),
    /// The app has been restricted for longer than `GIVE_UP_AFTER`.
    GiveUp(Duration),
}

/// The restriction in force, if any.
#[derive(Debug, Default)]
pub struct Restriction {
    /// When the quiet that a refusal last started began: requests sent before it were refused
    /// in the same breath and say nothing new.
    quiet_started: Option<Instant>,
    /// Refused probes in a row, and when the first of them was refused.
    streak: u32,
    since: Option<Instant>,
}

impl Restriction {
    /// A refusal of a request sent at `sent_at`, seen at `now`; `breach_quiet` is the quiet of a
    /// per-second breach.
    pub fn refused(&mut self, sent_at: Instant, now: Instant, breach_quiet: Duration) -> Verdict {
        let probe = self.quiet_started.is_some_and(|started| sent_at > started);
        if !probe && self.quiet_started.is_some() {
            return Verdict::Quiet(Duration::ZERO);
        }
        if probe {
            self.streak += 1;
        }
        let since = *self.since.get_or_insert(now);
        if now.duration_since(since) > GIVE_UP_AFTER {
            return Verdict::GiveUp(now.duration_since(since));
        }
        self.quiet_started = Some(now);
        Verdict::Quiet(match self.streak {
            0 => breach_quiet,
            n => FIRST_QUIET.saturating_mul(1 << (n - 1).min(8)).min(LONGEST_QUIET),
        })
    }

    /// A request went through: the app is free again. True when a restriction just lifted.
    pub fn lifted(&mut self) -> bool {
        let was_restricted = self.streak > 0;
        *self = Restriction::default();
        was_restricted
    }

    /// A restriction (not a passing breach) is in force.
    pub fn in_force(&self) -> bool {
        self.streak > 0
    }

    /// The app was refused and no answer came through since: one request at a time, so the
    /// first one out after the quiet probes alone.
    pub fn probing(&self) -> bool {
        self.quiet_started.is_some()
    }

    /// How long the app has been refused, for the log line.
    pub fn duration(&self, now: Instant) -> Duration {
        self.since.map_or(Duration::ZERO, |since| now.duration_since(since))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_breach_gets_a_short_quiet_and_refused_probes_a_growing_one() {
        let start = Instant::now();
        let at = |s: u64| start + Duration::from_secs(s);
        let breach = Duration::from_secs(2);
        let mut r = Restriction::default();
        assert_eq!(r.refused(at(0), at(0), breach), Verdict::Quiet(breach));
        assert!(!r.in_force() && r.probing());
        // Requests that were already out when the first refusal came add nothing.
        assert_eq!(r.refused(at(0), at(0), breach), Verdict::Quiet(Duration::ZERO));
        // The probe after the quiet is refused too: a restriction.
        assert_eq!(r.refused(at(2), at(2), breach), Verdict::Quiet(FIRST_QUIET));
        assert!(r.in_force());
        assert_eq!(r.refused(at(32), at(32), breach), Verdict::Quiet(FIRST_QUIET * 2));
        assert_eq!(r.refused(at(92), at(92), breach), Verdict::Quiet(FIRST_QUIET * 4));
        assert_eq!(r.refused(at(212), at(212), breach), Verdict::Quiet(FIRST_QUIET * 8));
        assert_eq!(r.refused(at(452), at(452), breach), Verdict::Quiet(LONGEST_QUIET));
        assert_eq!(r.refused(at(752), at(752), breach), Verdict::Quiet(LONGEST_QUIET));
        assert_eq!(r.refused(at(1052), at(1052), breach), Verdict::GiveUp(Duration::from_secs(1052)));
    }

    #[test]
    fn an_answer_lifts_it() {
        let now = Instant::now();
        let mut r = Restriction::default();
        r.refused(now, now, Duration::from_secs(2));
        assert!(!r.lifted(), "a passing breach is no restriction");
        r.refused(now, now, Duration::from_secs(2));
        r.refused(now + Duration::from_secs(2), now + Duration::from_secs(2), Duration::from_secs(2));
        assert!(r.lifted());
        assert!(!r.in_force() && !r.probing());
        assert_eq!(r.refused(now, now, Duration::from_secs(2)), Verdict::Quiet(Duration::from_secs(2)));
    }
}
