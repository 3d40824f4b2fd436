//! The refusal policy: what a TikTok answer with a non-zero code means for the sync.
//!
//! Every decision from a TikTok code lives in [`decide`], one table a reader can check against
//! `tiktok-api.md` §5 and §6; callers never look at codes or message text themselves.

use std::time::Duration;

use crate::error::{Error, Kind};

/// TikTok said no: the code and message of its envelope, and which request it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: i64,
    pub message: String,
    pub request_id: Option<String>,
    /// Endpoint path, e.g. `report/integrated/get`.
    pub path: &'static str,
    /// The advertiser the request was for, when it was for one.
    pub advertiser: Option<String>,
}

/// What kind of request was refused; some codes mean different things for different kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    #[default]
    Plain,
    /// A synchronous report window, which can be split into smaller windows.
    ReportWindow,
    /// One parameter combination of a fan-out stream, which TikTok may not support.
    FanoutCombination,
    /// One call for a batch of advertisers (`advertiser/info`), which can be asked one by one.
    AdvertiserBatch,
    /// Creating an async report task, which has quotas of its own (per hour and per day).
    TaskCreate,
}

/// The decision for one refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Passing trouble: send the same request again after a backoff.
    Retry,
    /// TikTok timed out: retry (at most once for a report window), then split it.
    RetryTimedOut,
    /// The app is over its quota: nothing leaves for `quiet`, the budget is lowered, retry.
    Throttle { quiet: Duration },
    /// The app's requests are refused, quota unnamed: a passing breach or a restriction of
    /// minutes (`scheduler::restriction` tells them apart and decides the quiet).
    AppRefused,
    /// The daily quota is spent until 00:00 UTC: fail as transient; the next sync resumes.
    DailyQuotaSpent,
    /// The report query is too large: read the window in halves.
    SplitWindow,
    /// The token may not read this advertiser (any more): skip it with a warning.
    SkipAdvertiser,
    /// TikTok does not support this parameter combination: skip it, count it.
    SkipCombination,
    /// Some advertiser of the batch is denied: ask for each advertiser on its own.
    SplitBatch,
    /// A quota of async report tasks is spent (hourly or daily): give the task up, and read
    /// the window another way.
    TaskQuotaSpent,
    /// The app may not create async report tasks (not on TikTok's allowlist): ask no more this
    /// sync, and read truncated reports another way.
    NoTaskAccess,
    /// Stop with this classification.
    Fail(Kind),
}

/// After a per-minute quota breach TikTok wants about five minutes of quiet.
pub const MINUTE_QUOTA_QUIET: Duration = Duration::from_secs(300);
/// After a per-second breach, the next second at the earliest.
pub const SECOND_QUOTA_QUIET: Duration = Duration::from_secs(2);

/// The refusal policy. Codes are TikTok's (tiktok-api.md §5); throttling messages name the
/// quota that was hit ("QPS", "QPM", "QPD").
pub fn decide(refusal: &Refusal, scope: Scope) -> Action {
    let message = refusal.message.to_ascii_lowercase();
    let names_advertiser = refusal.advertiser.as_deref().is_some_and(|id| refusal.message.contains(id));
    match (refusal.code, scope) {
        // "Asynchronous report is currently an allowlist-only feature" (DOC-ASYNC).
        (40118, Scope::TaskCreate) => Action::NoTaskAccess,
        // Task creation's one a second per app is shared with the app's other syncs: wait.
        (40100 | 40016, Scope::TaskCreate) if mentions_second_quota(&message) => Action::Throttle { quiet: SECOND_QUOTA_QUIET },
        // The task API's own quotas are hourly and daily: waiting would stall the sync.
        (40100 | 40016 | 40133 | 40132 | 61000, Scope::TaskCreate) => Action::TaskQuotaSpent,
        // Throttling: app QPS/QPM/QPD (40100), endpoint (40016), advertiser per path (40133),
        // field value (40132), blocklist (61000).
        (40100 | 40016 | 40133 | 40132 | 61000, _) if mentions_daily_quota(&message) => Action::DailyQuotaSpent,
        (40100 | 40016 | 40133 | 40132, _) if mentions_minute_quota(&message) => Action::Throttle { quiet: MINUTE_QUOTA_QUIET },
        // "Due to too many requests, requests from App [id] are temporarily restricted."
        (40100, _) if message.contains("due to too many requests") => Action::AppRefused,
        (61000, _) => Action::Throttle { quiet: MINUTE_QUOTA_QUIET },
        (40100 | 40016 | 40133 | 40132, _) => Action::Throttle { quiet: SECOND_QUOTA_QUIET },
        // Internal service timeouts.
        (51001 | 51039, _) => Action::RetryTimedOut,
        // System errors, maintenance, task not ready, write conflicts.
        (50000..=53999 | 60001 | 40200 | 40201 | 40202, _) => Action::Retry,
        (40067, Scope::ReportWindow) => Action::SplitWindow,
        (40067, _) => Action::Fail(Kind::Transient),
        // No permission for this advertiser, or a parameter error about the advertiser itself.
        (40001 | 40002, Scope::AdvertiserBatch) => Action::SplitBatch,
        (40001, _) if refusal.advertiser.is_some() => Action::SkipAdvertiser,
        (40002 | 40007, _) if names_advertiser => Action::SkipAdvertiser,
        (40002 | 40006 | 40007, Scope::FanoutCombination) => Action::SkipCombination,
        // Credentials: token empty, expired, invalid; app and token or advertiser mismatch.
        (40000 | 40001 | 40101 | 40102 | 40104 | 40105 | 40106 | 40113 | 40119, _) => Action::Fail(Kind::Config),
        // Parameters, version, missing objects, too many ids: the query cannot pass as is.
        (40002 | 40006 | 40007 | 40011, _) => Action::Fail(Kind::Config),
        _ => Action::Fail(Kind::System),
    }
}

fn mentions_second_quota(message: &str) -> bool {
    message.contains("qps") || message.contains("per second")
}

fn mentions_minute_quota(message: &str) -> bool {
    message.contains("qpm") || message.contains("per minute")
}

fn mentions_daily_quota(message: &str) -> bool {
    message.contains("qpd") || message.contains("per day") || message.contains("daily")
}

impl Refusal {
    /// The user-facing error for a refusal the caller does not handle, saying what to fix
    /// where we know.
    pub fn into_error(self, scope: Scope) -> Error {
        let (code, id) = (self.code, self.request_id.as_deref().unwrap_or("-"));
        let what = format!("{}/: TikTok error {code}: {} (request id {id})", self.path, self.message);
        let action = decide(&self, scope);
        let mut error = match action {
            Action::Fail(Kind::Config) if matches!(code, 40000..=40001 | 40101..=40119) => Error::config(format!(
                "{what}; check the access token, app id, secret and the advertiser's permissions"
            )),
            Action::Fail(Kind::Config) => Error::config(what),
            Action::Fail(Kind::System) => Error::system(what),
            Action::DailyQuotaSpent => Error::transient(format!(
                "{what}: the app's daily request quota is used up; it resets at 00:00 UTC, and the next sync resumes from the last state"
            )),
            Action::Retry | Action::RetryTimedOut | Action::Throttle { .. } => Error::transient(format!("{what} (retries exhausted)")),
            Action::Fail(Kind::Transient)
            | Action::AppRefused
            | Action::SplitWindow
            | Action::SkipAdvertiser
            | Action::SkipCombination
            | Action::SplitBatch
            | Action::NoTaskAccess
            | Action::TaskQuotaSpent => {
                Error::transient(what)
            }
        };
        error.timed_out = action == Action::RetryTimedOut;
        error.refusal = Some(Box::new(self));
        error
    }
}

impl Error {
    /// The policy's decision for this error, when TikTok refused; `None` for other failures.
    pub fn action(&self, scope: Scope) -> Option<Action> {
        self.refusal.as_ref().map(|r| decide(r, scope))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(code: i64, message: &str) -> Refusal {
        Refusal { code, message: message.into(), request_id: None, path: "campaign/get", advertiser: Some("77".into()) }
    }

    #[test]
    fn throttling_waits_as_long_as_the_quota_named() {
        let second = refusal(40100, "App [1] reaches the QPS limit 10, current QPS is 12");
        assert_eq!(decide(&second, Scope::Plain), Action::Throttle { quiet: SECOND_QUOTA_QUIET });
        let minute = refusal(40100, "App [1] reaches the QPM limit 600");
        assert_eq!(decide(&minute, Scope::Plain), Action::Throttle { quiet: MINUTE_QUOTA_QUIET });
        let daily = refusal(40100, "App [1] reaches the QPD limit 864000");
        assert_eq!(decide(&daily, Scope::Plain), Action::DailyQuotaSpent);
        // No quota named: a breach or a restriction of minutes, which the scheduler tells apart.
        let unnamed = refusal(40100, "Due to too many requests, requests from App [1] are temporarily restricted.");
        assert_eq!(decide(&unnamed, Scope::Plain), Action::AppRefused);
        let error = daily.into_error(Scope::Plain);
        assert_eq!(error.kind, Kind::Transient);
        assert!(error.message.contains("00:00 UTC"));
    }

    #[test]
    fn passing_trouble_is_retried_and_validation_is_not() {
        for code in [50000, 50002, 60001, 40201] {
            assert_eq!(decide(&refusal(code, ""), Scope::Plain), Action::Retry, "{code}");
        }
        assert_eq!(decide(&refusal(51001, "Internal service timeout"), Scope::ReportWindow), Action::RetryTimedOut);
        for code in [40002, 40104, 40105, 40102] {
            assert!(matches!(decide(&refusal(code, "bad"), Scope::Plain), Action::Fail(Kind::Config)), "{code}");
        }
        assert_eq!(decide(&refusal(49999, ""), Scope::Plain), Action::Fail(Kind::System));
    }

    #[test]
    fn a_spent_task_quota_is_given_up_and_a_busy_second_waited_out() {
        let r = refusal(40100, "Advertiser 77 reaches the limit of 500 asynchronous report tasks per hour");
        assert_eq!(decide(&r, Scope::TaskCreate), Action::TaskQuotaSpent);
        assert!(matches!(decide(&r, Scope::Plain), Action::Throttle { .. }));
        // The one-a-second creation quota is shared with the app's other syncs.
        let r = refusal(40100, "App [1] reaches the QPS limit 1 for current path /report/task/create/, request is temporarily restricted.");
        assert_eq!(decide(&r, Scope::TaskCreate), Action::Throttle { quiet: SECOND_QUOTA_QUIET });
        let r = refusal(40118, "The app is not on the allowlist of asynchronous reports.");
        assert_eq!(decide(&r, Scope::TaskCreate), Action::NoTaskAccess);
    }

    #[test]
    fn too_large_splits_only_report_windows() {
        assert_eq!(decide(&refusal(40067, "too large"), Scope::ReportWindow), Action::SplitWindow);
        assert_eq!(decide(&refusal(40067, "too large"), Scope::Plain), Action::Fail(Kind::Transient));
    }

    #[test]
    fn denied_advertisers_are_skipped_and_parameter_errors_are_not() {
        assert_eq!(decide(&refusal(40001, "no permission"), Scope::Plain), Action::SkipAdvertiser);
        assert_eq!(decide(&refusal(40002, "advertiser 77 is not authorized"), Scope::Plain), Action::SkipAdvertiser);
        assert!(matches!(decide(&refusal(40002, "metrics: invalid"), Scope::Plain), Action::Fail(Kind::Config)));
        assert_eq!(decide(&refusal(40002, "optimization_goal: invalid"), Scope::FanoutCombination), Action::SkipCombination);
        let mut no_advertiser = refusal(40001, "no permission");
        no_advertiser.advertiser = None;
        assert_eq!(decide(&no_advertiser, Scope::Plain), Action::Fail(Kind::Config));
        assert_eq!(decide(&no_advertiser, Scope::AdvertiserBatch), Action::SplitBatch);
    }

    #[test]
    fn errors_name_the_request_and_keep_the_refusal() {
        let mut r = refusal(40105, "Access token is incorrect");
        r.request_id = Some("2024X".into());
        let e = r.into_error(Scope::Plain);
        assert_eq!(e.kind, Kind::Config);
        assert!(e.message.contains("campaign/get/") && e.message.contains("2024X") && e.message.contains("40105"), "{e}");
        assert_eq!(e.api_code(), Some(40105));
    }
}
