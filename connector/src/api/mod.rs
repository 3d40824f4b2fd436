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
    /// A JSON body makes the request a POST (async report tasks).
    pub body: Option<Value>,
    /// The answer is a file (a CSV download), not the JSON envelope, when it succeeds.
    pub file_answer: bool,
}

impl ApiRequest {
    pub fn new(path: &'static str) -> Self {
        Self { path, query: Vec::new(), body: None, file_answer: false }
    }

    pub fn post(path: &'static str, body: Value) -> Self {
        Self { path, query: Vec::new(), body: Some(body), file_answer: false }
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

/// TikTok's throttling messages name the quota that was hit ("QPM", "QPD", or words).
fn mentions_minute_quota(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("qpm") || m.contains("per minute")
}

fn mentions_daily_quota(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("qpd") || m.contains("per day") || m.contains("daily")
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
    pub fn send(&mut self, request: &ApiRequest) -> std::result::Result<ApiResponse, CallError> {
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
            // TikTok wants about five minutes of quiet after a per-minute quota breach.
            let delay = match throttled.then(|| mentions_minute_quota(&reason)) {
                Some(true) => Duration::from_secs(300).min(self.retry.max_throttle_delay),
                _ => self.backoff(attempt, throttled),
            };
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
        let client = waki::Client::new();
        let builder = match &request.body {
            Some(body) => client
                .post(&self.url(request))
                .header("Content-Type", "application/json")
                .body(body.to_string().into_bytes()),
            None => client.get(&self.url(request)),
        };
        let response = builder
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
        // A download is the file itself; its errors still come as the envelope.
        if request.file_answer && status == 200 && !body.starts_with(b"{") {
            return Ok(ApiResponse { data: Value::String(String::from_utf8_lossy(&body).into_owned()), ads_throttle });
        }
        interpret(status, ads_throttle, body)
    }

    /// Send several requests at once, each within the rate budget, and return their answers
    /// in order. Answers that fail in a way worth retrying are retried one by one through
    /// [`Self::send`]. waki is blocking, so the batch goes through wasi:http directly.
    pub fn get_many(&mut self, requests: &[ApiRequest]) -> Vec<std::result::Result<ApiResponse, CallError>> {
        let mut started = Vec::with_capacity(requests.len());
        for request in requests {
            self.governor.acquire();
            self.requests_sent += 1;
            started.push(concurrent::start(&self.url(request), &self.access_token, &self.base_url));
        }
        let answers = concurrent::finish(started, &self.base_url);
        answers
            .into_iter()
            .zip(requests)
            .map(|(answer, request)| match answer.and_then(|(status, throttle, body)| interpret(status, throttle, body)) {
                Ok(response) => Ok(response),
                Err(Attempt::Final(error)) => Err(error),
                Err(Attempt::Retry { .. }) => self.send(request),
            })
            .collect()
    }
}

/// Read an answer: HTTP status, TikTok's envelope, and whether a failure may pass.
fn interpret(status: u16, ads_throttle: Option<String>, body: Vec<u8>) -> std::result::Result<ApiResponse, Attempt> {
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
    if is_throttle_code(code) && mentions_daily_quota(&message) {
        // Waiting until 00:00 UTC is not a retry: report it and let the next sync resume.
        return Err(Attempt::Final(CallError::Other(
            Error::transient(format!(
                "TikTok code {code}: the app's daily request quota is used up ({message}); it resets at 00:00 UTC, and the next sync resumes from the last state"
            ))
            .with_api_code(code),
        )));
    }
    if is_retryable_code(code) {
        Err(Attempt::Retry { throttled: is_throttle_code(code), reason: format!("TikTok code {code} ({message})"), error })
    } else {
        Err(Attempt::Final(error))
    }
}

/// The outcome of one attempt that did not succeed.
enum Attempt {
    Retry { throttled: bool, reason: String, error: CallError },
    Final(CallError),
}

fn transport_error(e: anyhow::Error, base_url: &str) -> Attempt {
    match e.downcast_ref::<waki::ErrorCode>() {
        Some(waki::ErrorCode::HttpRequestDenied) => denied(base_url),
        _ => connection_failed(format!("connection failed: {e}")),
    }
}

fn denied(base_url: &str) -> Attempt {
    Attempt::Final(CallError::Other(Error::config(format!(
        "the host denied the request to {base_url}: it is not on the sandbox's allow-list of API hosts"
    ))))
}

fn connection_failed(message: String) -> Attempt {
    Attempt::Retry {
        throttled: false,
        reason: message.clone(),
        error: CallError::Other(Error::transient(format!("{message} (retries exhausted)"))),
    }
}

fn too_large() -> Attempt {
    Attempt::Final(CallError::Other(Error::transient(format!(
        "the API sent a body larger than {} MiB; refusing it",
        MAX_BODY_BYTES / (1024 * 1024)
    ))))
}

/// Several requests in flight at once through raw wasi:http (waki only blocks on one).
mod concurrent {
    use wasi::http::outgoing_handler;
    use wasi::http::types::{ErrorCode, Fields, FutureIncomingResponse, Method, OutgoingBody, OutgoingRequest, RequestOptions, Scheme};
    use wasi::io::streams::StreamError;

    use super::{connection_failed, denied, too_large, Attempt, CONNECT_TIMEOUT, MAX_BODY_BYTES};

    /// Status, `X-Tt-Ads-Throttle` and body of one answer.
    pub type Raw = (u16, Option<String>, Vec<u8>);

    fn failed(code: ErrorCode, base_url: &str) -> Attempt {
        match code {
            ErrorCode::HttpRequestDenied => denied(base_url),
            other => connection_failed(format!("connection failed: {other:?}")),
        }
    }

    /// Send one GET and return the pending answer.
    pub fn start(url: &str, token: &str, base_url: &str) -> Result<FutureIncomingResponse, Attempt> {
        let bad_url = || connection_failed(format!("cannot build a request for {base_url}"));
        let (scheme, rest) = url.split_once("://").ok_or_else(bad_url)?;
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let headers = Fields::from_list(&[("Access-Token".to_string(), token.as_bytes().to_vec())]).map_err(|_| bad_url())?;
        let request = OutgoingRequest::new(headers);
        let scheme = if scheme == "https" { Scheme::Https } else { Scheme::Http };
        request.set_method(&Method::Get).map_err(|_| bad_url())?;
        request.set_scheme(Some(&scheme)).map_err(|_| bad_url())?;
        request.set_authority(Some(authority)).map_err(|_| bad_url())?;
        request.set_path_with_query(Some(path)).map_err(|_| bad_url())?;
        let options = RequestOptions::new();
        let _ = options.set_connect_timeout(Some(CONNECT_TIMEOUT.as_nanos() as u64));
        let body = request.body().map_err(|_| bad_url())?;
        let pending = outgoing_handler::handle(request, Some(options)).map_err(|code| failed(code, base_url))?;
        OutgoingBody::finish(body, None).map_err(|code| failed(code, base_url))?;
        Ok(pending)
    }

    /// Wait for every started request, in any order, and return the answers in order.
    pub fn finish(started: Vec<Result<FutureIncomingResponse, Attempt>>, base_url: &str) -> Vec<Result<Raw, Attempt>> {
        let mut answers: Vec<Option<Result<Raw, Attempt>>> = Vec::with_capacity(started.len());
        let mut pending = Vec::new();
        for (i, start) in started.into_iter().enumerate() {
            match start {
                Ok(future) => {
                    answers.push(None);
                    pending.push((i, future));
                }
                Err(attempt) => answers.push(Some(Err(attempt))),
            }
        }
        while !pending.is_empty() {
            let ready = {
                // Pollables are children of their futures: dropped before the futures move.
                let pollables: Vec<_> = pending.iter().map(|(_, future)| future.subscribe()).collect();
                let refs: Vec<_> = pollables.iter().collect();
                let mut ready = wasi::io::poll::poll(&refs);
                ready.sort_unstable_by(|a, b| b.cmp(a));
                ready
            };
            for index in ready {
                let (i, future) = pending.remove(index as usize);
                answers[i] = Some(receive(future, base_url));
            }
        }
        answers.into_iter().map(|a| a.expect("every request answered")).collect()
    }

    fn receive(future: FutureIncomingResponse, base_url: &str) -> Result<Raw, Attempt> {
        let response = match future.get() {
            Some(Ok(Ok(response))) => response,
            Some(Ok(Err(code))) => return Err(failed(code, base_url)),
            _ => return Err(connection_failed("the response was lost".into())),
        };
        let status = response.status();
        let throttle = response.headers().get("x-tt-ads-throttle").first().map(|v| String::from_utf8_lossy(v).into_owned());
        let body = response.consume().map_err(|_| connection_failed("the response body was lost".into()))?;
        let stream = body.stream().map_err(|_| connection_failed("the response body was lost".into()))?;
        let mut bytes = Vec::new();
        let outcome = loop {
            match stream.blocking_read(1 << 20) {
                Ok(chunk) => bytes.extend_from_slice(&chunk),
                Err(StreamError::Closed) => break Ok(()),
                Err(e) => break Err(connection_failed(format!("reading the response failed: {e:?}"))),
            }
            if bytes.len() > MAX_BODY_BYTES {
                break Err(too_large());
            }
        };
        drop(stream);
        drop(body);
        outcome.map(|()| (status, throttle, bytes))
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
            return Err(too_large());
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
    fn quota_windows_are_read_from_the_message() {
        assert!(mentions_minute_quota("App [1] reaches the QPM limit 600"));
        assert!(!mentions_minute_quota("App [1] reaches the QPS limit 10, current QPS is 12"));
        assert!(mentions_daily_quota("App [1] reaches the QPD limit 864000"));
        let daily = interpret(200, None, br#"{"code":40100,"message":"App reaches the QPD limit","data":{}}"#.to_vec());
        assert!(matches!(daily, Err(Attempt::Final(CallError::Other(ref e))) if e.kind == crate::error::Kind::Transient && e.message.contains("00:00 UTC")));
        let second = interpret(200, None, br#"{"code":40100,"message":"App reaches the QPS limit 10","data":{}}"#.to_vec());
        assert!(matches!(second, Err(Attempt::Retry { throttled: true, .. })));
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
