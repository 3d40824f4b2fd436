//! The HTTP side of the simulator: routing, TikTok's envelope and error codes, strict parameter
//! checks, pagination, rate limits and injected faults.

use std::collections::HashMap;
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::data::{mix, Account};
use crate::wire::{api_error, param_error, ApiError, ApiResult, Query};
use crate::{Fault, LoggedRequest, SimConfig};

pub const API_PREFIX: &str = "/open_api/v1.3/";

/// What goes back on the wire.
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub headers: Vec<(String, String)>,
}

impl Reply {
    fn text(status: u16, body: &str) -> Reply {
        Reply { status, content_type: "text/plain; charset=utf-8", body: body.as_bytes().to_vec(), headers: vec![] }
    }
    fn json(value: &Value) -> Reply {
        Reply { status: 200, content_type: "application/json", body: value.to_string().into_bytes(), headers: vec![] }
    }
}

/// Shared state behind every worker thread.
pub struct Shared {
    pub config: Mutex<SimConfig>,
    pub account: Mutex<Account>,
    pub log: Mutex<Vec<LoggedRequest>>,
    pub started: Instant,
    request_counter: AtomicU64,
    /// Draws of the fault injector, separate from request ids so rates stay exact.
    fault_counter: AtomicU64,
    /// Send times of accepted requests, for the app quota.
    recent: Mutex<Vec<Instant>>,
    /// Per advertiser, send times of recent requests, for the 40133 quota.
    recent_by_advertiser: Mutex<HashMap<String, Vec<Instant>>>,
    /// Cached report rows and async tasks of this simulator.
    pub reports: crate::reports::ReportState,
    /// Requests answered with a timeout (51001), for the repeated-timeout block.
    timeouts: Mutex<Vec<(String, Instant)>>,
    /// The app's QPS lowered after many timeouts: until when, and to what.
    lowered_qps: Mutex<Option<(Instant, usize)>>,
    /// Requests counted toward the app restriction scenario, and when it began.
    restriction: Mutex<(u64, Option<Instant>)>,
    /// When the last async report task was created, for its 1-per-second quota.
    last_task_create: Mutex<Option<Instant>>,
    /// Requests being served right now, and the most there ever were at once.
    in_progress: AtomicU64,
    pub peak_in_progress: AtomicU64,
}

impl Shared {
    pub fn new(config: SimConfig, account: Account) -> Shared {
        Shared {
            config: Mutex::new(config),
            account: Mutex::new(account),
            log: Mutex::new(Vec::new()),
            started: Instant::now(),
            request_counter: AtomicU64::new(0),
            fault_counter: AtomicU64::new(0),
            recent: Mutex::new(Vec::new()),
            recent_by_advertiser: Mutex::new(HashMap::new()),
            reports: Default::default(),
            last_task_create: Mutex::new(None),
            restriction: Mutex::new((0, None)),
            timeouts: Mutex::new(Vec::new()),
            lowered_qps: Mutex::new(None),
            in_progress: AtomicU64::new(0),
            peak_in_progress: AtomicU64::new(0),
        }
    }

    fn request_id(&self) -> String {
        let n = self.request_counter.fetch_add(1, Ordering::Relaxed);
        format!("{}{:020X}", chrono::Utc::now().format("%Y%m%d%H%M%S"), mix(n))
    }

    fn envelope(&self, result: ApiResult) -> Value {
        match result {
            Ok(data) => json!({"code": 0, "message": "OK", "request_id": self.request_id(), "data": data}),
            Err(e) => json!({"code": e.code, "message": e.message, "request_id": self.request_id(), "data": {}}),
        }
    }
}


pub fn handle(shared: &Arc<Shared>, method: &str, url: &str, token: Option<&str>, body: &[u8]) -> Reply {
    let now_serving = shared.in_progress.fetch_add(1, Ordering::SeqCst) + 1;
    shared.peak_in_progress.fetch_max(now_serving, Ordering::SeqCst);
    let reply = handle_counted(shared, method, url, token, body);
    shared.in_progress.fetch_sub(1, Ordering::SeqCst);
    reply
}

fn handle_counted(shared: &Arc<Shared>, method: &str, url: &str, token: Option<&str>, body: &[u8]) -> Reply {
    let (path, raw_query) = url.split_once('?').unwrap_or((url, ""));
    let mut query = Query::parse(raw_query);
    // POST endpoints take a JSON body; its fields are read like query parameters.
    if method == "POST" {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(fields)) => {
                for (k, v) in fields {
                    let text = match v {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    query.0.insert(k, text);
                }
            }
            _ => {
                let reply = Reply::json(&shared.envelope(Err(param_error("The request body must be a JSON object."))));
                return reply;
            }
        }
    }
    let logged = LoggedRequest {
        at: shared.started.elapsed(),
        path: path.to_string(),
        query: query.0.clone(),
        response_code: None,
        listed: None,
    };
    let reply = route(shared, method, path, &query, token);
    let latency = shared.config.lock().unwrap().latency_ms;
    if latency > 0 {
        std::thread::sleep(Duration::from_millis(latency));
    }
    let mut logged = logged;
    if reply.status == 200 && reply.content_type == "application/json" {
        let envelope = serde_json::from_slice::<Value>(&reply.body).ok();
        logged.response_code = envelope.as_ref().and_then(|v| v["code"].as_i64());
        logged.listed = envelope.as_ref().and_then(|v| v["data"].as_object()?.values().find_map(|field| field.as_array().map(Vec::len)));
    }
    shared.log.lock().unwrap().push(logged);
    reply
}

fn route(shared: &Arc<Shared>, method: &str, path: &str, query: &Query, token: Option<&str>) -> Reply {
    // Only /open_api/v1.3/<endpoint>/ exists; anything else is the gateway's plain 404.
    let Some(endpoint) = path.strip_prefix(API_PREFIX).and_then(|p| p.strip_suffix('/')) else {
        return Reply::text(404, "404 page not found");
    };
    if !crate::endpoints::exists(endpoint) {
        return Reply::text(404, "404 page not found");
    }
    let expected_method = if crate::endpoints::is_post(endpoint) { "POST" } else { "GET" };
    if method != expected_method {
        return Reply::text(405, "405 method not allowed");
    }
    match injected_fault(shared) {
        Some(FaultAction::Answer(reply)) => return reply,
        Some(FaultAction::Delay(delay)) => std::thread::sleep(delay),
        None => {}
    }
    let config = shared.config.lock().unwrap().clone();
    // A list that never ends: every page is the first page, and announces one more.
    let requested_page = query.get("page").and_then(|p| p.parse::<u64>().ok()).unwrap_or(1);
    let endless_query;
    let query = if config.endless_pages {
        let mut q = query.0.clone();
        q.insert("page".into(), "1".into());
        endless_query = Query(q);
        &endless_query
    } else {
        query
    };
    // The same request (parameters, paging aside from nothing) is one key for the timeout rule.
    let request_key = {
        let mut parts: Vec<String> = query.0.iter().map(|(k, v)| format!("{k}={v}")).collect();
        parts.sort();
        format!("{endpoint}?{}", parts.join("&"))
    };
    let served = authenticate(shared, token).and_then(|sandbox| {
        not_restricted(shared)?;
        throttle(shared, query.get("advertiser_id"))?;
        if endpoint == "report/task/create" {
            task_create_quota(shared)?;
        }
        not_blocked_for_timeouts(shared, &request_key)?;
        let account = shared.account.lock().unwrap();
        let served = crate::endpoints::serve(endpoint, query, &account, &config, sandbox, &shared.reports);
        if matches!(&served, Err(e) if e.code == 51001) {
            record_timeout(shared, &request_key);
        }
        served
    });
    match served {
        Ok(mut served) => {
            if config.endless_pages && served.data.get("page_info").is_some() {
                served.data["page_info"]["page"] = json!(requested_page);
                served.data["page_info"]["total_page"] = json!(requested_page + 1);
            }
            if let Some(hostile) = config.hostile_body {
                return hostile_reply(hostile, &shared.request_id());
            }
            if let Some((content_type, body)) = served.raw {
                return Reply { status: 200, content_type, body, headers: served.headers };
            }
            let mut reply = Reply::json(&shared.envelope(Ok(served.data)));
            reply.headers = served.headers;
            reply
        }
        Err(e) => Reply::json(&shared.envelope(Err(e))),
    }
}

fn hostile_reply(hostile: crate::HostileBody, request_id: &str) -> Reply {
    match hostile {
        crate::HostileBody::WrongTypes => Reply::json(&json!({
            "code": 0, "message": "OK", "request_id": request_id,
            "data": {"list": "not a list", "page_info": {"page": "1", "total_page": "many"}},
        })),
        crate::HostileBody::Huge(bytes) => {
            let filler = "x".repeat(bytes);
            Reply::json(&json!({"code": 0, "message": "OK", "request_id": request_id, "data": {"list": [], "filler": filler}}))
        }
        crate::HostileBody::Html => Reply {
            status: 200,
            content_type: "text/html",
            body: b"<!DOCTYPE html><html><body>Service temporarily unavailable</body></html>".to_vec(),
            headers: vec![],
        },
    }
}

/// Which token is this: the production one, the sandbox one, or a bad one.
fn authenticate(shared: &Shared, token: Option<&str>) -> Result<bool, ApiError> {
    let config = shared.config.lock().unwrap();
    match token {
        None | Some("") => Err(api_error(
            40104,
            "Access token is null, you should set it in http header with key Access-Token.",
        )),
        Some(t) if t == config.access_token => Ok(false),
        Some(t) if t == config.sandbox_token => Ok(true),
        Some(t) if config.revoked_tokens.iter().any(|r| r == t) => {
            Err(api_error(40102, "Access token has expired. Please re-authorize."))
        }
        Some(_) => Err(api_error(40105, "Access token is incorrect or has been revoked.")),
    }
}

/// TikTok blocks a request that timed out three times within ten minutes, for ten minutes
/// (tiktok-api.md §6, DOC-PERF).
fn not_blocked_for_timeouts(shared: &Shared, key: &str) -> Result<(), ApiError> {
    let mut timeouts = shared.timeouts.lock().unwrap();
    let now = Instant::now();
    timeouts.retain(|(_, t)| now.duration_since(*t) < Duration::from_secs(600));
    if timeouts.iter().filter(|(k, _)| k == key).count() >= 3 {
        return Err(api_error(40100, "This request timed out repeatedly and is blocked for 10 minutes; reduce the query size."));
    }
    Ok(())
}

/// Many timeouts in a short time lower the app's QPS (tiktok-api.md §6, DOC-PERF): 10, 20 or 30
/// timeouts within 10 s lower it to 5, 1 or 0 requests a second for 5 minutes. Only the
/// simulator's own timeouts (`timeout_days`) count; injected faults stand for trouble outside
/// the API's logic.
fn record_timeout(shared: &Shared, key: &str) {
    let now = Instant::now();
    let mut timeouts = shared.timeouts.lock().unwrap();
    timeouts.push((key.to_string(), now));
    let last_10s = timeouts.iter().filter(|(_, t)| now.duration_since(*t) < Duration::from_secs(10)).count();
    let qps = match last_10s {
        30.. => 0,
        20.. => 1,
        10.. => 5,
        _ => return,
    };
    let penalty = Duration::from_secs(shared.config.lock().unwrap().lowered_qps_seconds);
    let mut lowered = shared.lowered_qps.lock().unwrap();
    let qps = lowered.filter(|(until, _)| *until > now).map_or(qps, |(_, q)| q.min(qps));
    *lowered = Some((now + penalty, qps));
}

/// `report/task/create/` takes at most one request a second per app (tiktok-api.md §6: DOC-BP,
/// DOC-FAQ, DOC-TASK-CREATE).
fn task_create_quota(shared: &Shared) -> Result<(), ApiError> {
    let mut last = shared.last_task_create.lock().unwrap();
    let now = Instant::now();
    // The other sync's latest creation, if one shares the app.
    let other = shared.config.lock().unwrap().other_task_creator_ms.map(|every| {
        let elapsed = now.duration_since(shared.started).as_millis() as u64;
        shared.started + Duration::from_millis(elapsed / every * every)
    });
    if last.into_iter().chain(other).any(|t| now.duration_since(t) < Duration::from_secs(1)) {
        let app_id = shared.config.lock().unwrap().app_id.clone();
        return Err(api_error(40100, format!("App [{app_id}] reaches the QPS limit 1 for current path /report/task/create/, request is temporarily restricted.")));
    }
    *last = Some(now);
    Ok(())
}

/// The restriction scenario: TikTok refuses every request of the app for minutes, with the
/// same words as a one-second breach (Airbyte #70992).
fn not_restricted(shared: &Shared) -> Result<(), ApiError> {
    let Some(restriction) = shared.config.lock().unwrap().restriction else { return Ok(()) };
    let mut state = shared.restriction.lock().unwrap();
    state.0 += 1;
    if state.0 <= restriction.after_requests {
        return Ok(());
    }
    let began = *state.1.get_or_insert_with(Instant::now);
    if began.elapsed() < restriction.lasts {
        let app_id = shared.config.lock().unwrap().app_id.clone();
        return Err(api_error(40100, format!("Due to too many requests, requests from App [{app_id}] are temporarily restricted.")));
    }
    Ok(())
}

/// The app quota (40100) and the per-advertiser quota (40133), over sliding windows.
fn throttle(shared: &Shared, advertiser: Option<&str>) -> Result<(), ApiError> {
    let (per_second, per_minute, advertiser_per_second, app_id) = {
        let c = shared.config.lock().unwrap();
        (c.quota_per_second, c.quota_per_minute, c.advertiser_quota_per_second, c.app_id.clone())
    };
    let now = Instant::now();
    let lowered = shared.lowered_qps.lock().unwrap().filter(|(until, _)| *until > now).map(|(_, qps)| qps);
    {
        let mut recent = shared.recent.lock().unwrap();
        recent.retain(|t| now.duration_since(*t) < Duration::from_secs(60));
        let last_second = recent.iter().filter(|t| now.duration_since(**t) < Duration::from_secs(1)).count();
        if let Some(qps) = lowered.filter(|qps| last_second >= *qps) {
            return Err(api_error(
                40100,
                format!("App [{app_id}] reaches the QPS limit {qps}, lowered for timing out too often; requests are temporarily restricted."),
            ));
        }
        if per_second.is_some_and(|q| last_second >= q) || per_minute.is_some_and(|q| recent.len() >= q) {
            return Err(api_error(
                40100,
                format!("Due to too many requests, requests from App [{app_id}] are temporarily restricted."),
            ));
        }
        recent.push(now);
    }
    if let (Some(limit), Some(adv)) = (advertiser_per_second, advertiser) {
        let mut by_adv = shared.recent_by_advertiser.lock().unwrap();
        let times = by_adv.entry(adv.to_string()).or_default();
        times.retain(|t| now.duration_since(*t) < Duration::from_secs(1));
        if times.len() >= limit {
            return Err(api_error(
                40133,
                format!("Advertiser ({adv})'s QPS ({}) reaches QPS limit {limit} for current path, request is temporarily restricted.", times.len()),
            ));
        }
        times.push(now);
    }
    Ok(())
}

/// What an injected fault does to a request.
enum FaultAction {
    /// Answer with this instead of the real answer.
    Answer(Reply),
    /// Answer correctly, but only after this long.
    Delay(Duration),
}

/// Draw a fault for this request, if the configuration asks for them.
fn injected_fault(shared: &Shared) -> Option<FaultAction> {
    let config = shared.config.lock().unwrap();
    if config.fault_rate <= 0.0 || config.faults.is_empty() {
        return None;
    }
    let n = shared.fault_counter.fetch_add(1, Ordering::Relaxed);
    let r = mix(mix(config.seed) ^ n);
    if (r % 10_000) as f64 / 10_000.0 >= config.fault_rate {
        return None;
    }
    let fault = config.faults[(mix(r) % config.faults.len() as u64) as usize];
    let envelope = |code: i64, message: &str| {
        Reply::json(&json!({"code": code, "message": message, "request_id": shared.request_id(), "data": {}}))
    };
    let answer = match fault {
        Fault::AppThrottle => envelope(40100, "Due to too many requests, requests from App are temporarily restricted."),
        Fault::SystemError => envelope(50000, "System error."),
        Fault::ProcessingError => envelope(50002, "Error processing request on TikTok side."),
        Fault::InternalTimeout => envelope(51001, "Internal service timeout."),
        Fault::GatewayTimeout => Reply {
            status: 504,
            content_type: "text/html",
            body: b"<html><body><h1>504 Gateway Time-out</h1></body></html>".to_vec(),
            headers: vec![],
        },
        Fault::MalformedBody => Reply {
            status: 200,
            content_type: "application/json",
            body: b"{\"code\": 0, \"message\": \"OK\", \"data\": {\"list\": [{\"advert".to_vec(),
            headers: vec![],
        },
        Fault::Slow => return Some(FaultAction::Delay(Duration::from_millis(config.slow_response_ms))),
    };
    Some(FaultAction::Answer(answer))
}

/// Serve requests from `server` until it is unblocked.
pub fn worker(server: Arc<tiny_http::Server>, shared: Arc<Shared>) {
    while let Ok(mut request) = server.recv() {
        let token = request
            .headers()
            .iter()
            .find(|h| h.field.equiv("Access-Token"))
            .map(|h| h.value.as_str().to_string());
        // GET bodies are tolerated (TikTok's own examples send `{}`) and ignored.
        let mut body = Vec::new();
        let _ = request.as_reader().take(1 << 20).read_to_end(&mut body);
        let method = request.method().as_str().to_string();
        let url = request.url().to_string();
        let reply = handle(&shared, &method, &url, token.as_deref(), &body);
        let mut response = tiny_http::Response::from_data(reply.body).with_status_code(reply.status);
        response.add_header(tiny_http::Header::from_bytes("Content-Type", reply.content_type).unwrap());
        for (k, v) in reply.headers {
            response.add_header(tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).unwrap());
        }
        let _ = request.respond(response);
    }
}

