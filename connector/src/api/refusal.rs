//! The refusal policy: what a failed request means for the sync, whether TikTok refused it
//! (a non-zero envelope code), answered with an HTTP error, or did not answer at all.
//!
//! Every decision lives in [`decide`], one table a reader can check against `tiktok-api.md` §5
//! and §6; the client only carries decisions out and records the one it gave up on with the
//! error (`Error::decided`), and callers ask that, never looking at codes, statuses or message
//! text themselves, nor deciding again.

use std::time::Duration;

pub use crate::error::{Action, Outcome, Refusal};
use crate::error::{ApiFailure, Error, Kind};

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

/// After a per-minute quota breach TikTok wants about five minutes of quiet.
pub const MINUTE_QUOTA_QUIET: Duration = Duration::from_secs(300);
/// After a per-second breach, the next second at the earliest.
pub const SECOND_QUOTA_QUIET: Duration = Duration::from_secs(2);

/// TikTok blocks a report request that timed out three times within ten minutes
/// (tiktok-api.md §6): a timed-out report window is sent at most twice, then split.
pub const REPORT_WINDOW_TIMEOUTS: u32 = 2;

/// The policy: what to do about a failed request of this scope.
pub fn decide(outcome: &Outcome, scope: Scope) -> Action {
    match outcome {
        Outcome::Refused(refusal) => decide_refusal(refusal, scope),
        Outcome::Http { status: 404, .. } => Action::Fail(Kind::System),
        Outcome::Http { status: 429, .. } => Action::Throttle { quiet: SECOND_QUOTA_QUIET },
        // The gateway gave up waiting for TikTok.
        Outcome::Http { status: 504, .. } => timed_out(scope),
        Outcome::Http { status: 500.., .. } => Action::Retry,
        Outcome::Http { .. } => Action::Fail(Kind::System),
        Outcome::NoAnswer { timed_out: true, .. } => timed_out(scope),
        Outcome::NoAnswer { timed_out: false, .. } | Outcome::Unreadable(_) => Action::Retry,
    }
}

/// A timeout: a report window can be read in halves after a few; other requests are retried.
fn timed_out(scope: Scope) -> Action {
    let split_after = (scope == Scope::ReportWindow).then_some(REPORT_WINDOW_TIMEOUTS);
    Action::RetryTimedOut { split_after }
}

/// TikTok's refusals. Codes are TikTok's (tiktok-api.md §5); throttling messages name the quota
/// that was hit ("QPS", "QPM", "QPD").
fn decide_refusal(refusal: &Refusal, scope: Scope) -> Action {
    let message = refusal.message.to_ascii_lowercase();
    let names_advertiser = refusal.advertiser.as_deref().is_some_and(|id| refusal.message.contains(id));
    match (refusal.code, scope) {
        // "Due to too many requests, requests from App [id] are temporarily restricted": the
        // whole app, task creation included (tiktok-api.md §15 R9).
        (40100, _) if message.contains("due to too many requests") => Action::AppRefused,
        // A task refused for its days is asked again over fewer (tiktok-api.md §4.9).
        (40002, Scope::TaskCreate) if names_the_span(&message) => Action::Fail(Kind::Config),
        // "Asynchronous report is currently an allowlist-only feature" (DOC-ASYNC), in whichever
        // code TikTok refuses it: none is documented (tiktok-api.md §15 R8). Read as no access,
        // the reports are read by narrowing, whole all the same.
        (40001 | 40002 | 40118, Scope::TaskCreate) => Action::NoTaskAccess,
        // Task creation's one a second per app is shared with the app's other syncs: wait.
        (40100 | 40016, Scope::TaskCreate) if mentions_second_quota(&message) => {
            Action::Throttle { quiet: SECOND_QUOTA_QUIET }
        }
        // The task API's own quotas are hourly and daily: waiting would stall the sync.
        (40100 | 40016 | 40133 | 40132 | 61000, Scope::TaskCreate) => Action::TaskQuotaSpent,
        // Throttling: app QPS/QPM/QPD (40100), endpoint (40016), advertiser per path (40133),
        // field value (40132), blocklist (61000).
        (40100 | 40016 | 40133 | 40132 | 61000, _) if mentions_daily_quota(&message) => Action::DailyQuotaSpent,
        (40100 | 40016 | 40133 | 40132, _) if mentions_minute_quota(&message) => {
            Action::Throttle { quiet: MINUTE_QUOTA_QUIET }
        }
        (61000, _) => Action::Throttle { quiet: MINUTE_QUOTA_QUIET },
        (40100 | 40016 | 40133 | 40132, _) => Action::Throttle { quiet: SECOND_QUOTA_QUIET },
        // Internal service timeouts.
        (51001 | 51039, _) => timed_out(scope),
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

/// A parameter refusal about a query's dates.
fn names_the_span(message: &str) -> bool {
    ["start_date", "end_date", "time span", "days"].iter().any(|word| message.contains(word))
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

impl Outcome {
    /// The user-facing error for a request the client gave up on (`action` is what `decide`
    /// made of it), keeping the outcome and the decision for the callers to ask.
    pub fn into_error(self, action: Action) -> Error {
        let mut error = match &self {
            Outcome::Refused(refusal) => refusal.error(action),
            Outcome::Http { status, body } => {
                let what = format!("HTTP {status}: {body}");
                match action {
                    Action::Fail(_) if *status == 404 => Error::system(format!("{what} (endpoint not found)")),
                    Action::Fail(_) => Error::system(what),
                    Action::Retry | Action::RetryTimedOut { .. } => {
                        Error::transient(format!("{what} (retries exhausted)"))
                    }
                    _ => Error::transient(what),
                }
            }
            Outcome::NoAnswer { reason, .. } => Error::transient(format!("{reason} (retries exhausted)")),
            Outcome::Unreadable(what) => Error::transient(what.clone()),
        };
        error.api_failure = Some(Box::new(ApiFailure { outcome: self, action }));
        error
    }
}

impl Refusal {
    /// The error for a refusal the caller does not handle, saying what to fix where we know.
    fn error(&self, action: Action) -> Error {
        let (code, id) = (self.code, self.request_id.as_deref().unwrap_or("-"));
        let what = format!("{}/: TikTok error {code}: {} (request id {id})", self.path, self.message);
        match action {
            Action::Fail(Kind::Config) if matches!(code, 40000..=40001 | 40101..=40119) => Error::config(format!(
                "{what}; check the access token, app id, secret and the advertiser's permissions"
            )),
            Action::Fail(Kind::Config) => Error::config(what),
            Action::Fail(Kind::System) => Error::system(what),
            Action::DailyQuotaSpent => Error::transient(format!(
                "{what}: {} daily request quota is used up; it resets at 00:00 UTC, and the next sync resumes from the last state",
                // GMV Max reports have a quota of their own (gmv-max-smart-plus.md §1.8).
                if self.path == "gmv_max/report/get" { "this endpoint's own" } else { "the app's" }
            )),
            Action::Retry | Action::RetryTimedOut { .. } | Action::Throttle { .. } => Error::transient(format!("{what} (retries exhausted)")),
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
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;
    use Scope::{AdvertiserBatch, FanoutCombination, Plain, ReportWindow, TaskCreate};

    /// The error a caller that decided nothing else gets for `outcome`.
    fn error_of(outcome: Outcome, scope: Scope) -> Error {
        let action = decide(&outcome, scope);
        outcome.into_error(action)
    }

    fn refusal(code: i64, message: &str) -> Refusal {
        Refusal { code, message: message.into(), request_id: None, path: "campaign/get", advertiser: Some("77".into()) }
    }

    fn refused(code: i64, message: &str) -> Outcome {
        Outcome::Refused(refusal(code, message))
    }

    fn refused_without_advertiser(code: i64, message: &str) -> Outcome {
        Outcome::Refused(Refusal { advertiser: None, ..refusal(code, message) })
    }

    fn http(status: u16) -> Outcome {
        Outcome::Http { status, body: "<html>".into() }
    }

    fn no_answer(timed_out: bool) -> Outcome {
        Outcome::NoAnswer { reason: "no answer in time".into(), timed_out }
    }

    /// The whole policy, one row per case: what the API answered, for which kind of request,
    /// and what follows.
    #[test]
    fn every_outcome_has_its_decision() {
        let second = Throttle { quiet: SECOND_QUOTA_QUIET };
        let minute = Throttle { quiet: MINUTE_QUOTA_QUIET };
        let timed_out = RetryTimedOut { split_after: None };
        let window_timed_out = RetryTimedOut { split_after: Some(REPORT_WINDOW_TIMEOUTS) };
        let task_hourly = "Advertiser 77 reaches the limit of 500 asynchronous report tasks per hour";
        let task_second =
            "App [1] reaches the QPS limit 1 for current path /report/task/create/, request is temporarily restricted.";
        let table = [
            // Throttling waits as long as the quota named; none named: the scheduler decides.
            (refused(40100, "App [1] reaches the QPS limit 10, current QPS is 12"), Plain, second),
            (refused(40100, "App [1] reaches the QPM limit 600"), Plain, minute),
            (refused(40100, "App [1] reaches the QPD limit 864000"), Plain, DailyQuotaSpent),
            (
                refused(40100, "Due to too many requests, requests from App [1] are temporarily restricted."),
                Plain,
                AppRefused,
            ),
            (refused(61000, "blocklisted"), Plain, minute),
            // Async tasks: a spent quota is given up, the busy second waited out.
            (refused(40100, task_hourly), TaskCreate, TaskQuotaSpent),
            (refused(40100, task_hourly), Plain, second),
            (refused(40100, task_second), TaskCreate, second),
            (refused(40118, "The app is not on the allowlist of asynchronous reports."), TaskCreate, NoTaskAccess),
            // No code is documented for the allowlist's refusal: each that can mean it does.
            (refused(40001, "No permission to use the asynchronous report API."), TaskCreate, NoTaskAccess),
            (refused(40002, "This feature is only available to allowlisted apps."), TaskCreate, NoTaskAccess),
            (
                refused(40002, "The time span between start_date and end_date must not exceed 1 days for this task."),
                TaskCreate,
                Fail(Kind::Config),
            ),
            // The app restriction's words mean the app, on task creation too.
            (
                refused(40100, "Due to too many requests, requests from App [1] are temporarily restricted."),
                TaskCreate,
                AppRefused,
            ),
            // Passing trouble is retried; timeouts split a report window after a few.
            (refused(50000, ""), Plain, Retry),
            (refused(50002, ""), Plain, Retry),
            (refused(60001, ""), Plain, Retry),
            (refused(40201, ""), Plain, Retry),
            (refused(51001, "Internal service timeout"), Plain, timed_out),
            (refused(51001, "Internal service timeout"), ReportWindow, window_timed_out),
            // Too large splits only report windows.
            (refused(40067, "too large"), ReportWindow, SplitWindow),
            (refused(40067, "too large"), Plain, Fail(Kind::Transient)),
            // Denied advertisers are skipped; parameter errors are not.
            (refused(40001, "no permission"), Plain, SkipAdvertiser),
            (refused(40002, "advertiser 77 is not authorized"), Plain, SkipAdvertiser),
            (refused(40002, "metrics: invalid"), Plain, Fail(Kind::Config)),
            (refused(40002, "optimization_goal: invalid"), FanoutCombination, SkipCombination),
            (refused_without_advertiser(40001, "no permission"), Plain, Fail(Kind::Config)),
            (refused_without_advertiser(40001, "no permission"), AdvertiserBatch, SplitBatch),
            (refused(40104, "bad"), Plain, Fail(Kind::Config)),
            (refused(40105, "bad"), Plain, Fail(Kind::Config)),
            (refused(40102, "bad"), Plain, Fail(Kind::Config)),
            (refused(49999, ""), Plain, Fail(Kind::System)),
            // HTTP errors.
            (http(404), Plain, Fail(Kind::System)),
            (http(403), Plain, Fail(Kind::System)),
            (http(429), Plain, second),
            (http(500), Plain, Retry),
            (http(503), ReportWindow, Retry),
            (http(504), Plain, timed_out),
            (http(504), ReportWindow, window_timed_out),
            // No answer, or not TikTok's envelope.
            (no_answer(true), Plain, timed_out),
            (no_answer(true), ReportWindow, window_timed_out),
            (no_answer(false), ReportWindow, Retry),
            (Outcome::Unreadable("not the JSON envelope".into()), Plain, Retry),
        ];
        for (outcome, scope, action) in table {
            assert_eq!(decide(&outcome, scope), action, "{outcome:?} in {scope:?}");
        }
        assert!(window_timed_out.splits_window() && SplitWindow.splits_window() && !timed_out.splits_window());
    }

    #[test]
    fn errors_name_the_request_and_keep_what_was_answered() {
        let identified = Refusal { request_id: Some("2024X".into()), ..refusal(40105, "Access token is incorrect") };
        let e = error_of(Outcome::Refused(identified), Plain);
        assert_eq!(e.kind, Kind::Config);
        assert!(
            e.message.contains("campaign/get/") && e.message.contains("2024X") && e.message.contains("40105"),
            "{e}"
        );
        assert_eq!(e.api_code(), Some(40105));
        let daily = error_of(refused(40100, "App [1] reaches the QPD limit 864000"), Plain);
        assert_eq!(daily.kind, Kind::Transient);
        assert!(daily.message.contains("00:00 UTC"));
        let missing = error_of(http(404), Plain);
        assert_eq!((missing.kind, missing.message.as_str()), (Kind::System, "HTTP 404: <html> (endpoint not found)"));
        let gateway = error_of(http(504), ReportWindow);
        assert_eq!(gateway.kind, Kind::Transient);
        assert_eq!(gateway.decided(), Some(RetryTimedOut { split_after: Some(REPORT_WINDOW_TIMEOUTS) }));
    }
}
