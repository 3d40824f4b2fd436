//! One error type for the whole component, classified the way the user must react to it.

use std::fmt;
use std::time::Duration;

/// Who has to act: the user (config), nobody yet (transient), or us (system).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Config,
    Transient,
    System,
}

#[derive(Debug, Clone)]
pub struct Error {
    pub kind: Kind,
    pub message: String,
    /// When the API (or the way to it) failed the request: what it answered the last attempt,
    /// and what the refusal policy decided about it.
    pub api_failure: Option<Box<ApiFailure>>,
    /// The stream the failure belongs to.
    pub stream: Option<String>,
}

pub type Result<T> = std::result::Result<T, Error>;

/// A request the API failed and the client gave up on: the last answer, and the decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiFailure {
    pub outcome: Outcome,
    pub action: Action,
}

/// How a request failed at the API: kept with the error, so the refusal policy decides from
/// what was answered, not from the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// TikTok's envelope said no.
    Refused(Refusal),
    /// An HTTP status other than 200, with the start of the body.
    Http { status: u16, body: String },
    /// No answer: none in time, or the connection failed (`reason` says which).
    NoAnswer { reason: String, timed_out: bool },
    /// An answer that is not TikTok's envelope (the text says how).
    Unreadable(String),
}

/// What the refusal policy (`api::refusal::decide`) decided about a failed request: the
/// vocabulary of the policy, kept on the error so callers ask it instead of deciding again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Passing trouble: send the same request again after a backoff.
    Retry,
    /// TikTok, or the way to it, timed out: send again (the scheduler counts it as a timeout).
    /// With `split_after`, give up after that many timed-out sends, and read the window in
    /// halves instead.
    RetryTimedOut { split_after: Option<u32> },
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

impl Action {
    /// The request timed out (TikTok's 51001, HTTP 504, no answer in time).
    pub fn is_timeout(self) -> bool {
        matches!(self, Action::RetryTimedOut { .. })
    }

    /// The report window is to be read in halves: too large, or it keeps timing out.
    pub fn splits_window(self) -> bool {
        matches!(self, Action::SplitWindow | Action::RetryTimedOut { split_after: Some(_) })
    }

    /// Why a report window is read in halves, as a warning says it; `None` when it is not.
    pub fn window_split_reason(self) -> Option<&'static str> {
        match self {
            Action::SplitWindow => Some("is too large for TikTok (40067)"),
            Action::RetryTimedOut { split_after: Some(_) } => Some("keeps timing out"),
            _ => None,
        }
    }
}

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

impl Error {
    fn new(kind: Kind, message: String) -> Self {
        Self { kind, message, api_failure: None, stream: None }
    }
    pub fn config(message: impl Into<String>) -> Self {
        Self::new(Kind::Config, message.into())
    }
    pub fn transient(message: impl Into<String>) -> Self {
        Self::new(Kind::Transient, message.into())
    }
    pub fn system(message: impl Into<String>) -> Self {
        Self::new(Kind::System, message.into())
    }
    /// What the refusal policy decided when the client gave up on the request; `None` for
    /// failures of our own (a bad config, the sandbox, an answer we could not read).
    pub fn decided(&self) -> Option<Action> {
        self.api_failure.as_ref().map(|failure| failure.action)
    }
    /// TikTok's refusal, when the API itself said no.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self.api_failure.as_deref().map(|failure| &failure.outcome) {
            Some(Outcome::Refused(refusal)) => Some(refusal),
            _ => None,
        }
    }
    /// TikTok's envelope code, when the API itself refused.
    pub fn api_code(&self) -> Option<i64> {
        self.refusal().map(|r| r.code)
    }
    /// Prefix the message with where it happened, keeping the classification.
    pub fn context(mut self, what: impl fmt::Display) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }
}

/// The outcome of several parts read side by side: the first failure, saying how many more
/// `parts` (e.g. "failed streams") there were.
pub fn first_failure(failures: Vec<Error>, parts: &str) -> Result<()> {
    let count = failures.len();
    let Some(mut error) = failures.into_iter().next() else { return Ok(()) };
    if count > 1 {
        error.message.push_str(&format!(" (and {} more {parts})", count - 1));
    }
    Err(error)
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
