//! TikTok's quotas on async report tasks (tiktok-api.md §6: DOC-TASK-CREATE, DOC-BP, DOC-FAQ),
//! each number written here once: one creation a second per app (paced by the scheduler, which
//! is told the interval), 500 tasks per advertiser an hour and 4,500 per app a day (counted
//! here, so a spent quota gives the task up instead of waiting hours).

use std::collections::VecDeque;
use std::fmt;
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use crate::error::Error;

/// One task creation a second per app; a little more, so a creation never lands in the same
/// second at TikTok as the one before.
pub const CREATION_INTERVAL: Duration = Duration::from_millis(1_050);
/// Async report tasks TikTok lets one ad account create an hour, and one app a day.
const TASKS_PER_ADVERTISER_HOUR: usize = 500;
const TASKS_PER_APP_DAY: usize = 4_500;

/// Which of TikTok's task quotas one more task would exceed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskQuotaSpent {
    AdvertiserHour { advertiser: String },
    AppDay,
}

impl fmt::Display for TaskQuotaSpent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TaskQuotaSpent::AppDay => {
                write!(f, "the app's quota of {TASKS_PER_APP_DAY} async report tasks a day is used up")
            }
            TaskQuotaSpent::AdvertiserHour { advertiser } => write!(
                f,
                "advertiser {advertiser} used its quota of {TASKS_PER_ADVERTISER_HOUR} async report tasks an hour"
            ),
        }
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
    pub fn count(&mut self, advertiser: &str) -> Result<(), TaskQuotaSpent> {
        let now = Instant::now();
        let (hour, day) = (Duration::from_secs(3600), Duration::from_secs(24 * 3600));
        while self.created.front().is_some_and(|(t, _)| now.duration_since(*t) >= day) {
            self.created.pop_front();
        }
        if self.created.len() >= TASKS_PER_APP_DAY {
            return Err(TaskQuotaSpent::AppDay);
        }
        let this_hour = self.created.iter().filter(|(t, a)| a == advertiser && now.duration_since(*t) < hour).count();
        if this_hour >= TASKS_PER_ADVERTISER_HOUR {
            return Err(TaskQuotaSpent::AdvertiserHour { advertiser: advertiser.to_string() });
        }
        self.created.push_back((now, advertiser.to_string()));
        Ok(())
    }
}

/// A backfill needing more async tasks than TikTok's quotas allow: a transient error, once every
/// window has been read (the truncated ones with a warning each).
pub fn backfill_error(stream: &str, advertiser: &str, windows: usize, from: NaiveDate) -> Error {
    let hour_later = (chrono::Utc::now() + chrono::Duration::hours(1)).format("%H:%M");
    Error::transient(format!(
        "{stream}: advertiser {advertiser}: {windows} report window{} from {from} kept only TikTok's 20,000 newest ads because the async report task quota is spent \
         ({TASKS_PER_ADVERTISER_HOUR} tasks per advertiser an hour, {} per app a day: the hourly quota frees up by about {hour_later} UTC, the daily one within 24 hours); \
         the state stays before them, so the next sync reads them again",
        if windows == 1 { "" } else { "s" },
        thousands(TASKS_PER_APP_DAY)
    ))
}

/// A count as the messages write it: 4,500.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_quotas_are_counted_per_advertiser_hour_and_per_app_day() {
        let mut tasks = TaskQuotas::default();
        for _ in 0..TASKS_PER_ADVERTISER_HOUR {
            tasks.count("1").unwrap();
        }
        assert_eq!(tasks.count("1"), Err(TaskQuotaSpent::AdvertiserHour { advertiser: "1".into() }));
        assert!(tasks.count("1").unwrap_err().to_string().contains("advertiser 1"));
        tasks.count("2").unwrap();
        let now = Instant::now();
        tasks.created.extend((0..TASKS_PER_APP_DAY).map(|i| (now, format!("x{i}"))));
        assert_eq!(tasks.count("3"), Err(TaskQuotaSpent::AppDay));
        assert!(tasks.count("3").unwrap_err().to_string().contains("a day"));
    }

    #[test]
    fn the_backfill_error_names_the_quotas() {
        let e = backfill_error("ads_reports_hourly", "7", 2, NaiveDate::from_ymd_opt(2024, 1, 1).unwrap());
        assert!(e.message.contains("(500 tasks per advertiser an hour, 4,500 per app a day:"), "{e}");
        assert!(e.message.contains("2 report windows from 2024-01-01"), "{e}");
        assert_eq!(
            (thousands(500), thousands(4_500), thousands(1_234_567)),
            ("500".into(), "4,500".into(), "1,234,567".into())
        );
    }
}
