//! Quotas below the app's rate budget: endpoints that take at most one request per interval
//! (which endpoints, and how often, the scheduler is told: `Scheduler::pacing`).

use std::time::{Duration, Instant};

/// Endpoints with a quota of their own, below the app's: at most one request per interval,
/// and the next free slot of each.
#[derive(Default)]
pub struct EndpointQuotas {
    paced: Vec<(&'static str, Duration, Instant)>,
}

impl EndpointQuotas {
    /// At most one request to `path` per `interval`.
    pub fn pace(&mut self, path: &'static str, interval: Duration) {
        self.paced.push((path, interval, Instant::now()));
    }

    /// The next free slot of `path`, taken for the caller; `None` when it has no quota of its
    /// own.
    pub fn reserve(&mut self, path: &str) -> Option<Instant> {
        let (_, interval, next_slot) = self.paced.iter_mut().find(|(p, _, _)| *p == path)?;
        let at = (*next_slot).max(Instant::now());
        *next_slot = at + *interval;
        Some(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_creation_has_its_own_one_per_second_slots() {
        let mut quotas = EndpointQuotas::default();
        let interval = Duration::from_millis(1_050);
        quotas.pace("report/task/create", interval);
        let first = quotas.reserve("report/task/create").unwrap();
        let second = quotas.reserve("report/task/create").unwrap();
        let third = quotas.reserve("report/task/create").unwrap();
        assert_eq!(second - first, interval);
        assert_eq!(third - second, interval);
        assert_eq!(quotas.reserve("report/integrated/get"), None, "other endpoints only share the app's budget");
    }
}
