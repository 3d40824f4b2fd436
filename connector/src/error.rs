//! One error type for the whole component, classified the way the user must react to it.

use std::fmt;

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
    /// What the API (or the way to it) answered the last attempt, when it failed there: what
    /// the refusal policy (`api::refusal::decide`) decides from.
    pub outcome: Option<Box<Outcome>>,
    /// The stream the failure belongs to.
    pub stream: Option<String>,
}

pub type Result<T> = std::result::Result<T, Error>;

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
        Self { kind, message, outcome: None, stream: None }
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
    /// TikTok's refusal, when the API itself said no.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self.outcome.as_deref() {
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
