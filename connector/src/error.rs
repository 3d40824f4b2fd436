//! One error type for the whole component, classified the way the user must react to it.

use std::fmt;

use crate::api::refusal::Refusal;

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
    /// TikTok's refusal, when the API itself said no: what the refusal policy decides from.
    pub refusal: Option<Box<Refusal>>,
    /// The last attempt timed out (51001, HTTP 504, no answer in time).
    pub timed_out: bool,
    /// The stream the failure belongs to.
    pub stream: Option<String>,
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    fn new(kind: Kind, message: String) -> Self {
        Self { kind, message, refusal: None, timed_out: false, stream: None }
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
    /// TikTok's envelope code, when the API itself refused.
    pub fn api_code(&self) -> Option<i64> {
        self.refusal.as_ref().map(|r| r.code)
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
