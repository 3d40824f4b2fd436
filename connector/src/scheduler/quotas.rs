//! Quotas below the app's rate budget: endpoints that take at most one request per interval,
//! and the async report tasks an advertiser may create an hour and the app a day.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Endpoints with a quota of their own, below the app's: at most one request per interval.
/// `report/task/create/` takes one a second per app (tiktok-api.md §6).
const PATH_INTERVALS: &[(&str, Duration)] = &[("report/task/create", Duration::from_millis(1_050))];

/// Async report tasks TikTok lets one ad account create an hour, and one app a day
/// (tiktok-api.md §6: DOC-TASK-CREATE, DOC-BP, DOC-FAQ).
const TASKS_PER_ADVERTISER_HOUR: usize = 500;
const TASKS_PER_APP_DAY: usize = 4_500;

/// The next free slot of each endpoint with a quota of its own.
pub struct EndpointQuotas {
    /// By place in `PATH_INTERVALS`.
    next_slots: Vec<Instant>,
}

impl Default for EndpointQuotas {
    fn default() -> Self {
        Self { next_slots: vec![Instant::now(); PATH_INTERVALS.len()] }
    }
}

impl EndpointQuotas {
    /// The next free slot of `path`, taken for the caller; `None` when it has no quota of its
    /// own.
    pub fn reserve(&mut self, path: &str) -> Option<Instant> {
        let index = PATH_INTERVALS.iter().position(|(p, _)| *p == path)?;
        let at = self.next_slots[index].max(Instant::now());
        self.next_slots[index] = at + PATH_INTERVALS[index].1;
        Some(at)
    }
}

/// Async report tasks created in the last day: when, and for which advertiser.
#[derive(Default)]
pub struct TaskQuotas {
    created: VecDeque<(Instant, String)>,
}

impl TaskQuotas {
    /// Count one async report task for `advertiser`, or say which of TikTok's task quotas it
    /// would exceed.
    pub fn count(&mut self, advertiser: &str) -> Result<(), String> {
        let now = Instant::now();
        let (hour, day) = (Duration::from_secs(3600), Duration::from_secs(24 * 3600));
        while self.created.front().is_some_and(|(t, _)| now.duration_since(*t) >= day) {
            self.created.pop_front();
        }
        if self.created.len() >= TASKS_PER_APP_DAY {
            return Err(format!("the app's quota of {TASKS_PER_APP_DAY} async report tasks a day is used up"));
        }
        let this_hour = self.created.iter().filter(|(t, a)| a == advertiser && now.duration_since(*t) < hour).count();
        if this_hour >= TASKS_PER_ADVERTISER_HOUR {
            return Err(format!(
                "advertiser {advertiser} used its quota of {TASKS_PER_ADVERTISER_HOUR} async report tasks an hour"
            ));
        }
        self.created.push_back((now, advertiser.to_string()));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_creation_has_its_own_one_per_second_slots() {
        let mut quotas = EndpointQuotas::default();
        let interval = PATH_INTERVALS[0].1;
        let first = quotas.reserve("report/task/create").unwrap();
        let second = quotas.reserve("report/task/create").unwrap();
        let third = quotas.reserve("report/task/create").unwrap();
        assert_eq!(second - first, interval);
        assert_eq!(third - second, interval);
        assert_eq!(quotas.reserve("report/integrated/get"), None, "other endpoints only share the app's budget");
    }

    #[test]
    fn task_quotas_are_counted_per_advertiser_hour_and_per_app_day() {
        let mut tasks = TaskQuotas::default();
        for _ in 0..TASKS_PER_ADVERTISER_HOUR {
            tasks.count("1").unwrap();
        }
        assert!(tasks.count("1").unwrap_err().contains("advertiser 1"));
        tasks.count("2").unwrap();
        let now = Instant::now();
        tasks.created.extend((0..TASKS_PER_APP_DAY).map(|i| (now, format!("x{i}"))));
        assert!(tasks.count("3").unwrap_err().contains("a day"));
    }
}
