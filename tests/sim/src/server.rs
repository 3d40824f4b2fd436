//! The HTTP side of the simulator: a request goes through the route table, injected faults,
//! authentication, the quotas and the advertiser check, in TikTok's order, to its handler;
//! the answer goes back in TikTok's envelope, and into the request log.

use std::collections::HashMap;
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::config::SimConfig;
use crate::data::{mix, Account};
use crate::endpoints::accounts::authorize;
use crate::faults::{endless_page_info, endless_query, hostile_reply, FaultAction, FaultDraws};
use crate::memory::Memory;
use crate::quotas::Quotas;
use crate::refusals::{param_error, ApiError, Refusal};
use crate::routes::{self, Routed};
use crate::wire::{Call, Handler, Query, Reply, Served};

/// One request the simulator received, for tests to assert on.
#[derive(Debug, Clone)]
pub struct LoggedRequest {
    /// Time since the simulator started.
    pub at: Duration,
    pub path: String,
    pub query: HashMap<String, String>,
    /// The envelope code answered, when the answer was JSON.
    pub response_code: Option<i64>,
    /// How many items the answer's list held (`data.list`, `data.pixels`, …), when it had one:
    /// a request whose answer lists nothing brought nothing.
    pub listed: Option<usize>,
}

impl LoggedRequest {
    /// The endpoint, e.g. `campaign/get`.
    pub fn endpoint(&self) -> &str {
        self.path.trim_start_matches(routes::API_PREFIX).trim_end_matches('/')
    }
}

/// Shared state behind every worker thread.
pub struct Shared {
    pub config: Mutex<SimConfig>,
    pub account: Mutex<Account>,
    pub log: Mutex<Vec<LoggedRequest>>,
    pub started: Instant,
    quotas: Quotas,
    memory: Memory,
    faults: FaultDraws,
    request_counter: AtomicU64,
    /// Requests being served right now, and the most there ever were at once.
    in_progress: AtomicU64,
    pub peak_in_progress: AtomicU64,
}

impl Shared {
    pub fn new(config: SimConfig, account: Account) -> Shared {
        let started = Instant::now();
        Shared {
            config: Mutex::new(config),
            account: Mutex::new(account),
            log: Mutex::new(Vec::new()),
            started,
            quotas: Quotas::new(started),
            memory: Memory::default(),
            faults: FaultDraws::default(),
            request_counter: AtomicU64::new(0),
            in_progress: AtomicU64::new(0),
            peak_in_progress: AtomicU64::new(0),
        }
    }

    fn request_id(&self) -> String {
        let n = self.request_counter.fetch_add(1, Ordering::Relaxed);
        format!("{}{:020X}", chrono::Utc::now().format("%Y%m%d%H%M%S"), mix(n))
    }

    fn envelope(&self, result: Result<Value, ApiError>) -> Reply {
        Reply::json(&match result {
            Ok(data) => json!({"code": 0, "message": "OK", "request_id": self.request_id(), "data": data}),
            Err(e) => json!({"code": e.code, "message": e.message, "request_id": self.request_id(), "data": {}}),
        })
    }
}

pub fn handle(shared: &Shared, method: &str, url: &str, token: Option<&str>, body: &[u8]) -> Reply {
    let now_serving = shared.in_progress.fetch_add(1, Ordering::SeqCst) + 1;
    shared.peak_in_progress.fetch_max(now_serving, Ordering::SeqCst);
    let reply = handle_counted(shared, method, url, token, body);
    shared.in_progress.fetch_sub(1, Ordering::SeqCst);
    reply
}

fn handle_counted(shared: &Shared, method: &str, url: &str, token: Option<&str>, body: &[u8]) -> Reply {
    let (path, raw_query) = url.split_once('?').unwrap_or((url, ""));
    let mut logged = LoggedRequest {
        at: shared.started.elapsed(),
        path: path.to_string(),
        query: HashMap::new(),
        response_code: None,
        listed: None,
    };
    let reply = match read_query(method, raw_query, body) {
        Ok(query) => {
            logged.query = query.0.clone();
            route(shared, method, path, &query, token)
        }
        Err(e) => shared.envelope(Err(e)),
    };
    let latency = shared.config.lock().unwrap().limits.latency_ms;
    if latency > 0 {
        std::thread::sleep(Duration::from_millis(latency));
    }
    if reply.status == 200 && reply.content_type == "application/json" {
        let envelope = serde_json::from_slice::<Value>(&reply.body).ok();
        logged.response_code = envelope.as_ref().and_then(|v| v["code"].as_i64());
        logged.listed = envelope
            .as_ref()
            .and_then(|v| v["data"].as_object()?.values().find_map(|field| field.as_array().map(Vec::len)));
    }
    shared.log.lock().unwrap().push(logged);
    reply
}

/// The query string, and for POST endpoints the JSON body's fields read like query parameters.
fn read_query(method: &str, raw_query: &str, body: &[u8]) -> Result<Query, ApiError> {
    let mut query = Query::parse(raw_query);
    if method == "POST" {
        let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
            return Err(param_error("The request body must be a JSON object."));
        };
        for (k, v) in fields {
            let text = match v {
                Value::String(s) => s,
                other => other.to_string(),
            };
            query.0.insert(k, text);
        }
    }
    Ok(query)
}

fn route(shared: &Shared, method: &str, path: &str, query: &Query, token: Option<&str>) -> Reply {
    let route = match routes::find(method, path) {
        Routed::Found(route) => route,
        Routed::NotFound => return Reply::text(404, "404 page not found"),
        Routed::WrongMethod => return Reply::text(405, "405 method not allowed"),
    };
    // Drawn with the configuration's lock released before a slow answer sleeps: a held lock
    // would serve every other request after this one.
    let fault = shared.faults.draw(&shared.config.lock().unwrap());
    match fault {
        Some(FaultAction::Refuse(refusal)) => return shared.envelope(Err(refusal.into())),
        Some(FaultAction::Answer(reply)) => return reply,
        Some(FaultAction::Delay(delay)) => std::thread::sleep(delay),
        None => {}
    }
    let config = shared.config.lock().unwrap().clone();
    let requested_page = query.get("page").and_then(|p| p.parse::<u64>().ok()).unwrap_or(1);
    let endless;
    let query = if config.faults.endless_pages {
        endless = endless_query(query);
        &endless
    } else {
        query
    };
    match serve(shared, &config, route.endpoint, route.handler, query, token) {
        Ok(mut served) => {
            if config.faults.endless_pages {
                endless_page_info(&mut served.data, requested_page);
            }
            if let Some(hostile) = config.faults.hostile_body {
                return hostile_reply(hostile, &shared.request_id());
            }
            if let Some((content_type, body)) = served.raw {
                return Reply { status: 200, content_type, body, headers: served.headers };
            }
            let mut reply = shared.envelope(Ok(served.data));
            reply.headers = served.headers;
            reply
        }
        Err(e) => shared.envelope(Err(e)),
    }
}

/// Authentication, then the quotas (TikTok counts a request before it reads it), then the
/// advertiser check and the handler; the handler's own timeouts count toward TikTok's rules.
fn serve(
    shared: &Shared,
    config: &SimConfig,
    endpoint: &'static str,
    handler: Handler,
    query: &Query,
    token: Option<&str>,
) -> Result<Served, ApiError> {
    let sandbox = authenticate(config, token)?;
    // The same request (the same parameters) is one key for the timeout rule.
    let key = format!("{endpoint}?{}", query.canonical(&[]));
    shared.quotas.admit(config, endpoint, query.get("advertiser_id"), &key)?;
    let account = shared.account.lock().unwrap();
    let call =
        Call { endpoint, query, account: &account, config, sandbox, memory: &shared.memory, quotas: &shared.quotas };
    if let Some(advertiser) = query.get("advertiser_id") {
        authorize(advertiser, &call)?;
    }
    let served = handler(&call);
    if matches!(&served, Err(e) if e.is_timeout()) {
        shared.quotas.record_timeout(config, &key);
    }
    served
}

/// Which token is this: the production one (false), the sandbox one (true), or a bad one.
fn authenticate(config: &SimConfig, token: Option<&str>) -> Result<bool, Refusal> {
    let credentials = &config.credentials;
    match token {
        None | Some("") => Err(Refusal::MissingToken),
        Some(t) if t == credentials.access_token => Ok(false),
        Some(t) if t == credentials.sandbox_token => Ok(true),
        Some(t) if credentials.revoked_tokens.iter().any(|r| r == t) => Err(Refusal::ExpiredToken),
        Some(_) => Err(Refusal::InvalidToken),
    }
}

/// Serve requests from `server` until it is unblocked.
pub fn worker(server: Arc<tiny_http::Server>, shared: Arc<Shared>) {
    while let Ok(mut request) = server.recv() {
        let token =
            request.headers().iter().find(|h| h.field.equiv("Access-Token")).map(|h| h.value.as_str().to_string());
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
