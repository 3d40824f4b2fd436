//! The TikTok Business API client: URL and query encoding, the response envelope, error
//! classification, retries with backoff, and the request budget every call goes through.

use std::time::Duration;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::governor::{sleep, RateGovernor};

/// Bodies larger than this are not a TikTok answer we can use; stop reading instead of
/// exhausting guest memory.
const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);

/// One GET against `/open_api/v1.3/<path>/`.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    /// Endpoint path without slashes around it, e.g. `campaign/get`.
    pub path: &'static str,
    pub query: Vec<(&'static str, String)>,
}

impl ApiRequest {
    pub fn new(path: &'static str) -> Self {
        Self { path, query: Vec::new() }
    }
    pub fn param(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.query.push((key, value.into()));
        self
    }
    /// Arrays and objects travel as JSON text in one query value.
    pub fn json_param(self, key: &'static str, value: &Value) -> Self {
        self.param(key, value.to_string())
    }
}

/// What went wrong with one call, before the caller decides what it means for the sync.
#[derive(Debug, Clone)]
pub enum CallError {
    /// TikTok answered with a non-zero code that retrying cannot fix (or retries ran out).
    Api { code: i64, message: String },
    /// Everything else, already classified.
    Other(Error),
}

impl CallError {
    /// Turn into the user-facing error, saying what to fix where we know.
    pub fn into_error(self, path: &str) -> Error {
        match self {
            CallError::Other(e) => e.context(format!("{path}/")),
            CallError::Api { code, message } => {
                let what = format!("{path}/: TikTok error {code}: {message}");
                let error = match code {
                    40001 | 40102 | 40105 | 40106 | 40113 | 40119 | 40101 | 40104 | 40000 => Error::config(
                        format!("{what} (check the access token, app id, secret and the advertiser's permissions)"),
                    ),
                    _ if is_retryable_code(code) => Error::transient(format!("{what} (retries exhausted)")),
                    40002 | 40006 | 40007 | 40011 => Error::config(what),
                    _ => Error::system(what),
                };
                error.with_api_code(code)
            }
        }
    }
}

/// Codes TikTok documents as passing: throttling, task not ready, internal errors, maintenance.
pub fn is_retryable_code(code: i64) -> bool {
    matches!(code, 40016 | 40100 | 40132 | 40133 | 40201 | 40202 | 60001 | 61000)
        || (50000..=53999).contains(&code)
}

fn is_throttle_code(code: i64) -> bool {
    matches!(code, 40016 | 40100 | 40132 | 40133 | 61000)
}

/// A successful answer: the envelope's `data` plus the headers callers look at.
#[derive(Debug)]
pub struct ApiResponse {
    pub data: Value,
    /// `X-Tt-Ads-Throttle`: the report was truncated to 20k ads.
    pub ads_throttle: Option<String>,
}

pub struct RetryPolicy {
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// After repeated throttling TikTok wants minutes of quiet, not seconds.
    pub max_throttle_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 7,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_throttle_delay: Duration::from_secs(300),
        }
    }
}

pub struct ApiClient {
    base_url: String,
    access_token: String,
    governor: RateGovernor,
    retry: RetryPolicy,
    /// Requests sent, retries included.
    pub requests_sent: u64,
}

impl ApiClient {
    pub fn new(base_url: &str, access_token: &str, governor: RateGovernor, retry: RetryPolicy) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_string(),
            access_token: access_token.to_string(),
            governor,
            retry,
            requests_sent: 0,
        }
    }

    /// Send one request, retrying what TikTok says may pass.
    pub fn get(&mut self, request: &ApiRequest) -> std::result::Result<ApiResponse, CallError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.governor.acquire();
            self.requests_sent += 1;
            let (throttled, reason, error) = match self.send_once(request) {
                Ok(response) => return Ok(response),
                Err(Attempt::Final(error)) => return Err(error),
                Err(Attempt::Retry { throttled, reason, error }) => (throttled, reason, error),
            };
            if attempt >= self.retry.max_attempts {
                return Err(error);
            }
            let delay = self.backoff(attempt, throttled);
            crate::output::log_warn(&format!(
                "{}/: {reason}; retry {attempt} of {} in {:.1}s",
                request.path,
                self.retry.max_attempts - 1,
                delay.as_secs_f64()
            ));
            if throttled {
                self.governor.throttled(delay);
                crate::output::log_warn(&format!(
                    "throttled by TikTok: the connector now sends at most {} requests per second",
                    self.governor.per_second()
                ));
            } else {
                sleep(delay);
            }
        }
    }

    fn backoff(&self, attempt: u32, throttled: bool) -> Duration {
        let cap = if throttled { self.retry.max_throttle_delay } else { self.retry.max_delay };
        // A throttled app gets its budget back after the next second at the earliest.
        let base = if throttled { self.retry.base_delay.max(Duration::from_secs(2)) } else { self.retry.base_delay };
        let exp = base.saturating_mul(1u32 << (attempt - 1).min(16));
        let exp = exp.min(cap);
        // Full jitter on the upper half, so parallel syncs do not retry in lockstep.
        let half = exp / 2;
        let jitter_ms = wasi::random::random::get_random_u64() % (half.as_millis() as u64 + 1);
        half + Duration::from_millis(jitter_ms)
    }

    fn url(&self, request: &ApiRequest) -> String {
        let mut url = format!("{}/open_api/v1.3/{}/", self.base_url, request.path);
        for (i, (key, value)) in request.query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(key);
            url.push('=');
            percent_encode_into(&mut url, value);
        }
        url
    }

    fn send_once(&self, request: &ApiRequest) -> std::result::Result<ApiResponse, Attempt> {
        let response = waki::Client::new()
            .get(&self.url(request))
            .header("Access-Token", self.access_token.as_str())
            .connect_timeout(CONNECT_TIMEOUT)
            .send()
            .map_err(|e| transport_error(e, &self.base_url))?;
        let status = response.status_code();
        let ads_throttle = response
            .header("x-tt-ads-throttle")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = read_body(response, &self.base_url)?;
        if status != 200 {
            let reason = format!("HTTP {status}");
            let error = CallError::Other(if status == 404 {
                Error::system(format!("HTTP 404 (endpoint not found: {})", snippet(&body)))
            } else if status >= 500 || status == 429 {
                Error::transient(format!("HTTP {status} (retries exhausted): {}", snippet(&body)))
            } else {
                Error::system(format!("HTTP {status}: {}", snippet(&body)))
            });
            return if status >= 500 || status == 429 {
                Err(Attempt::Retry { throttled: status == 429, reason, error })
            } else {
                Err(Attempt::Final(error))
            };
        }
        let envelope: Value = serde_json::from_slice(&body).map_err(|e| Attempt::Retry {
            throttled: false,
            reason: format!("unreadable response ({e})"),
            error: CallError::Other(Error::transient(format!(
                "the API answered with a body that is not the JSON envelope ({e}): {}",
                snippet(&body)
            ))),
        })?;
        let code = match envelope.get("code").and_then(Value::as_i64) {
            Some(code) => code,
            None => {
                return Err(Attempt::Retry {
                    throttled: false,
                    reason: "response without a code".into(),
                    error: CallError::Other(Error::transient(format!(
                        "the API answered without an envelope code: {}",
                        snippet(&body)
                    ))),
                })
            }
        };
        let message = envelope.get("message").and_then(Value::as_str).unwrap_or("").to_string();
        if code == 0 {
            let data = match envelope {
                Value::Object(mut map) => map.remove("data").unwrap_or(Value::Null),
                _ => Value::Null,
            };
            return Ok(ApiResponse { data, ads_throttle });
        }
        let error = CallError::Api { code, message: message.clone() };
        if is_retryable_code(code) {
            Err(Attempt::Retry { throttled: is_throttle_code(code), reason: format!("TikTok code {code} ({message})"), error })
        } else {
            Err(Attempt::Final(error))
        }
    }
}

/// The outcome of one attempt that did not succeed.
enum Attempt {
    Retry { throttled: bool, reason: String, error: CallError },
    Final(CallError),
}

fn transport_error(e: anyhow::Error, base_url: &str) -> Attempt {
    if let Some(code) = e.downcast_ref::<waki::ErrorCode>() {
        if matches!(code, waki::ErrorCode::HttpRequestDenied) {
            return Attempt::Final(CallError::Other(Error::config(format!(
                "the host denied the request to {base_url}: it is not on the sandbox's allow-list of API hosts"
            ))));
        }
    }
    let message = format!("connection failed: {e}");
    Attempt::Retry {
        throttled: false,
        reason: message.clone(),
        error: CallError::Other(Error::transient(format!("{message} (retries exhausted)"))),
    }
}

fn read_body(response: waki::Response, base_url: &str) -> std::result::Result<Vec<u8>, Attempt> {
    let mut body = Vec::new();
    loop {
        match response.chunk(1024 * 1024) {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => return Ok(body),
            Err(e) => return Err(transport_error(e, base_url)),
        }
        if body.len() > MAX_BODY_BYTES {
            return Err(Attempt::Final(CallError::Other(Error::transient(format!(
                "the API sent a body larger than {} MiB; refusing it",
                MAX_BODY_BYTES / (1024 * 1024)
            )))));
        }
    }
}

/// The start of a body, for error messages.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(200)]);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// RFC 3986 percent-encoding of a query value (space as %20, not '+').
fn percent_encode_into(out: &mut String, value: &str) {
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// The `page_info` of a paginated answer; missing or odd values mean "no more pages".
pub fn total_pages(data: &Value) -> u64 {
    data.get("page_info").and_then(|p| p.get("total_page")).and_then(Value::as_u64).unwrap_or(0)
}

/// The records of an answer under `list_key`; a missing or null list is an empty page.
pub fn take_list(data: &mut Value, list_key: &str) -> Result<Vec<Value>> {
    match data.get_mut(list_key).map(Value::take) {
        Some(Value::Array(items)) => Ok(items),
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(other) => Err(Error::transient(format!(
            "expected data.{list_key} to be a list, got {}",
            json_type(&other)
        ))),
    }
}

pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_encoded() {
        let mut s = String::new();
        percent_encode_into(&mut s, r#"["a","b c"]"#);
        assert_eq!(s, "%5B%22a%22%2C%22b%20c%22%5D");
    }

    #[test]
    fn retryable_codes() {
        for code in [40100, 40133, 40016, 50000, 50002, 51001, 60001] {
            assert!(is_retryable_code(code), "{code}");
        }
        for code in [40001, 40002, 40104, 40105, 40067] {
            assert!(!is_retryable_code(code), "{code}");
        }
    }
}
