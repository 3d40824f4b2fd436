//! The API client: every request of the sync goes through [`ApiClient::send`], which waits for
//! the scheduler, reads TikTok's envelope, and carries out what the refusal policy decides about
//! each failed attempt (retry, wait, give up).
//! A request behaves the same whether it travels alone or with many others.

use std::time::Duration;

use serde_json::Value;

use super::refusal::{decide, Action, Outcome, Refusal, SECOND_QUOTA_QUIET};
use super::transport::{self, Failed, RawAnswer};
use super::{ApiRequest, ApiResponse};
use crate::error::{Error, Result};
use crate::output;
use crate::scheduler::{
    sleep, Ended, Scheduler, RESTRICTION_FIRST_QUIET, RESTRICTION_LIMIT, RESTRICTION_LONGEST_QUIET,
};

pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { max_attempts: 7, base_delay: Duration::from_millis(500), max_delay: Duration::from_secs(30) }
    }
}

pub struct ApiClient {
    base_url: String,
    access_token: String,
    pub scheduler: Scheduler,
    retry: RetryPolicy,
}

/// Why an attempt brought no response.
enum Unanswered {
    /// The API failed it: the refusal policy decides what follows.
    Api(Outcome),
    /// It could not be sent or read at all (the sandbox, a body too large): no attempt helps.
    Local(Error),
}

impl ApiClient {
    pub fn new(base_url: &str, access_token: &str, scheduler: Scheduler, retry: RetryPolicy) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_string(),
            access_token: access_token.to_string(),
            scheduler,
            retry,
        }
    }

    /// Send one request, doing what the refusal policy decides about each failed attempt.
    pub async fn send(&self, request: &ApiRequest) -> Result<ApiResponse> {
        let url = request.url(&self.base_url);
        let body = request.body.as_ref().map(|b| b.to_string().into_bytes());
        let (mut attempt, mut timeouts) = (0, 0);
        loop {
            attempt += 1;
            let permit = self.scheduler.permit(request.path).await;
            output::progress(&self.scheduler.pace(), request.advertiser.as_deref());
            let sent_at = permit.sent_at();
            let answer = transport::exchange(&url, &self.access_token, body.as_deref()).await;
            let (outcome, action) = match read_answer(answer, request) {
                Ok(response) => {
                    permit.finish(Ended::Answered);
                    if let Some(refused_for) = self.scheduler.app_answered() {
                        output::log_info(&format!(
                            "TikTok lifted the restriction on the app's requests after {} s",
                            refused_for.as_secs()
                        ));
                    }
                    return Ok(response);
                }
                Err(Unanswered::Local(error)) => {
                    permit.finish(Ended::Answered);
                    return Err(located(error, request));
                }
                Err(Unanswered::Api(outcome)) => {
                    let action = decide(&outcome, request.scope);
                    permit.finish(if action.is_timeout() { Ended::TimedOut } else { Ended::Answered });
                    (outcome, action)
                }
            };
            let error = outcome.into_error(action);
            let quiet = match action {
                Action::Retry | Action::RetryTimedOut { .. } => None,
                Action::Throttle { quiet } => Some(quiet),
                Action::AppRefused => {
                    // Bounded by the restriction's own limit, not by the attempts.
                    attempt -= 1;
                    self.app_refused(sent_at, error, request)?;
                    continue;
                }
                _ => return Err(located(error, request)),
            };
            timeouts += u32::from(action.is_timeout());
            let timeouts_exhausted =
                matches!(action, Action::RetryTimedOut { split_after: Some(limit) } if timeouts >= limit);
            if attempt >= self.retry.max_attempts || timeouts_exhausted {
                return Err(located(error, request));
            }
            let delay = quiet.unwrap_or_else(|| self.backoff(attempt));
            output::log_warn(&format!(
                "{}/: {}; retry {attempt} of {} in {:.1}s",
                request.path,
                error.message,
                self.retry.max_attempts - 1,
                delay.as_secs_f64()
            ));
            match quiet {
                Some(quiet) => {
                    self.scheduler.throttled(quiet, sent_at);
                    output::progress(&self.scheduler.pace(), request.advertiser.as_deref());
                    output::log_warn(&format!(
                        "throttled by TikTok: the connector now sends at most {} requests per second",
                        self.scheduler.rate()
                    ));
                }
                None => sleep(delay).await,
            }
        }
    }

    /// TikTok refused the app with no quota named: wait as the scheduler says (a short quiet
    /// for a breach, growing ones through a restriction), saying so once per restriction; fail
    /// as transient once the restriction outlasts its limit.
    fn app_refused(&self, sent_at: std::time::Instant, error: Error, request: &ApiRequest) -> Result<()> {
        let was_restricted = self.scheduler.restricted();
        let verdict = self.scheduler.app_refused(sent_at, SECOND_QUOTA_QUIET);
        output::progress(&self.scheduler.pace(), request.advertiser.as_deref());
        match verdict {
            Ok(true) if !was_restricted => output::log_warn(&format!(
                "throttled by TikTok: the app's requests are restricted ({}); waiting {} s, then one request at a time with pauses growing to {} s; the sync fails after {} minutes of it",
                error.message,
                RESTRICTION_FIRST_QUIET.as_secs(),
                RESTRICTION_LONGEST_QUIET.as_secs(),
                RESTRICTION_LIMIT.as_secs() / 60
            )),
            Ok(_) => {}
            Err(refused_for) => {
                return Err(Error::transient(format!(
                    "TikTok has restricted the app's requests for {} minutes ({}); the next sync resumes from the last state",
                    refused_for.as_secs() / 60,
                    error.message
                )))
            }
        }
        Ok(())
    }

    /// Exponential backoff with full jitter on the upper half, so parallel syncs do not retry
    /// in lockstep.
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self.retry.base_delay.saturating_mul(1u32 << (attempt - 1).min(16)).min(self.retry.max_delay);
        let half = exp / 2;
        let mut random = [0u8; 8];
        wstd::rand::get_insecure_random_bytes(&mut random);
        half + Duration::from_millis(u64::from_le_bytes(random) % (half.as_millis() as u64 + 1))
    }
}

/// What the client reads of every envelope; `data` is skipped over, not built.
#[derive(serde::Deserialize)]
struct EnvelopeHead {
    code: Option<i64>,
    message: Option<Value>,
    request_id: Option<Value>,
}

/// Read an answer: HTTP status, then TikTok's envelope; what failed is left to the policy.
fn read_answer(
    answer: std::result::Result<RawAnswer, Failed>,
    request: &ApiRequest,
) -> std::result::Result<ApiResponse, Unanswered> {
    let RawAnswer { status, ads_throttle, body } = match answer {
        Ok(answer) => answer,
        Err(Failed::Final(error)) => return Err(Unanswered::Local(error)),
        Err(Failed::Passing { reason, timed_out }) => {
            return Err(Unanswered::Api(Outcome::NoAnswer { reason, timed_out }))
        }
    };
    if status != 200 {
        return Err(Unanswered::Api(Outcome::Http { status, body: snippet(&body) }));
    }
    // A download is the file itself; its errors still come as the envelope.
    if request.file_answer && !body.starts_with(b"{") {
        return Ok(ApiResponse { body, is_file: true, ads_throttle });
    }
    // Only the envelope's head is read here: `data` stays as bytes until its reader parses it.
    let unreadable = |what: String| Err(Unanswered::Api(Outcome::Unreadable(what)));
    let head: EnvelopeHead = match serde_json::from_slice(&body) {
        Ok(head) => head,
        Err(e) => {
            return unreadable(format!(
                "the API answered with a body that is not the JSON envelope ({e}): {}",
                snippet(&body)
            ))
        }
    };
    let Some(code) = head.code else {
        return unreadable(format!("the API answered without an envelope code: {}", snippet(&body)));
    };
    if code == 0 {
        return Ok(ApiResponse { body, is_file: false, ads_throttle });
    }
    let text = |v: Option<Value>| v.map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string));
    Err(Unanswered::Api(Outcome::Refused(Refusal {
        code,
        message: text(head.message).unwrap_or_default(),
        request_id: text(head.request_id),
        path: request.path,
        advertiser: request.advertiser.clone(),
    })))
}

/// Name the endpoint in an error, unless TikTok's refusal already does.
fn located(error: Error, request: &ApiRequest) -> Error {
    if error.refusal().is_some() {
        error
    } else {
        error.context(format!("{}/", request.path))
    }
}

/// The start of a body, for error messages.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(200)]);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> std::result::Result<RawAnswer, Failed> {
        Ok(RawAnswer { status, ads_throttle: None, body: body.as_bytes().to_vec() })
    }

    /// What the policy decides about an answer, or `None` when it is a response.
    fn decided(status: u16, body: &str, request: &ApiRequest) -> Option<Action> {
        match read_answer(answer(status, body), request) {
            Ok(_) => None,
            Err(Unanswered::Api(outcome)) => Some(decide(&outcome, request.scope)),
            Err(Unanswered::Local(e)) => panic!("local failure: {e}"),
        }
    }

    #[test]
    fn envelopes_are_read_into_data_or_refusals() {
        let request = ApiRequest::for_advertiser("campaign/get", "7");
        let Ok(ok) = read_answer(answer(200, r#"{"code":0,"data":{"list":[]}}"#), &request) else { panic!("not done") };
        assert!(ok.into_data().unwrap()["list"].is_array());
        let throttled = decided(200, r#"{"code":40100,"message":"App reaches the QPS limit 10","data":{}}"#, &request);
        assert!(matches!(throttled, Some(Action::Throttle { .. })));
        let denied = decided(200, r#"{"code":40001,"message":"no permission","request_id":"r1","data":{}}"#, &request);
        assert_eq!(denied, Some(Action::SkipAdvertiser));
    }

    #[test]
    fn gateway_failures_and_broken_bodies_pass_again() {
        let request = ApiRequest::new("campaign/get");
        assert!(decided(504, "<html>", &request).is_some_and(Action::is_timeout));
        assert_eq!(decided(200, "{\"code\": 0, \"da", &request), Some(Action::Retry));
        assert_eq!(decided(200, "<html>", &request), Some(Action::Retry));
        assert!(matches!(decided(404, "404 page not found", &request), Some(Action::Fail(_))));
    }
}
