#![recursion_limit = "256"]
//! A TikTok Business API v1.3 simulator for the connector's tests: real HTTP on 127.0.0.1,
//! generated deterministic data, TikTok's envelope and error codes, strict parameter checks,
//! pagination, quotas and injectable faults.

pub mod data;
pub mod endpoints;
pub mod metrics;
pub mod reports;
pub mod server;
pub mod wire;

use std::collections::HashMap;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

pub use data::{Account, DataSize, Delivery, Level};
pub use wire::Query;

/// A kind of failure the simulator can inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Code 40100: the app's quota is exhausted.
    AppThrottle,
    /// Code 50000.
    SystemError,
    /// Code 50002.
    ProcessingError,
    /// Code 51001.
    InternalTimeout,
    /// HTTP 504 with an HTML body.
    GatewayTimeout,
    /// HTTP 200 with a truncated JSON body.
    MalformedBody,
    /// A correct answer after `slow_response_ms`.
    Slow,
}

pub const ALL_FAULTS: &[Fault] = &[
    Fault::AppThrottle,
    Fault::SystemError,
    Fault::ProcessingError,
    Fault::InternalTimeout,
    Fault::GatewayTimeout,
    Fault::MalformedBody,
    Fault::Slow,
];

/// Knobs of one simulator instance.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub size: DataSize,
    pub seed: u64,
    /// Which advertisers deliver, and on which days (default: all of them, every day).
    pub delivery: Delivery,
    /// Spend and conversions of every report row are multiplied by this (1.0): a test raises
    /// it between syncs to restate numbers, as TikTok does when late conversions arrive.
    pub restatement: f64,
    pub app_id: String,
    pub secret: String,
    /// The production token: reads every advertiser.
    pub access_token: String,
    /// The sandbox token: reads the first advertiser only, and cannot list advertisers.
    pub sandbox_token: String,
    /// Tokens answered with 40102 (expired).
    pub revoked_tokens: Vec<String>,
    /// App quota; over it the answer is 40100.
    pub quota_per_second: Option<usize>,
    pub quota_per_minute: Option<usize>,
    /// Per-advertiser quota; over it the answer is 40133.
    pub advertiser_quota_per_second: Option<usize>,
    /// Share of requests (0.0–1.0) that get one of `faults`.
    pub fault_rate: f64,
    pub faults: Vec<Fault>,
    pub slow_response_ms: u64,
    /// Every answer leaves this long after its request arrived (and was counted against the
    /// quotas): TikTok's reports take 0.5–2 s.
    pub latency_ms: u64,
    /// (advertiser id, endpoint) pairs answered with 40001.
    pub permission_denied: Vec<(String, String)>,
    /// Report queries spanning more days than this get 40067 ("query too large").
    pub too_large_days: Option<u32>,
    /// Report queries spanning more days than this time out (51001), as heavy audience
    /// queries do at TikTok.
    pub timeout_days: Option<u32>,
    /// How long the app's QPS stays lowered after many timeouts (TikTok: 5 minutes).
    pub lowered_qps_seconds: u64,
    /// Another sync of the same app creates an async report task every this many
    /// milliseconds, taking its share of the one-a-second creation quota.
    pub other_task_creator_ms: Option<u64>,
    /// Async report tasks end as FAILED instead of SUCCESS.
    pub fail_tasks: bool,
    /// Task creation refuses spans of more days than this (40002): TikTok's documents disagree
    /// on whether an hourly task may span several days.
    pub task_span_days_max: Option<u32>,
    /// The app is on the async-report allowlist (DOC-ASYNC: an allowlist-only feature); off,
    /// task creation answers 40118.
    pub task_access: bool,
    /// Async report tasks one advertiser may create an hour (TikTok: 500 per ad account and
    /// token user); over it, task creation answers 40100.
    pub tasks_per_advertiser_hour: usize,
    /// A report query whose scope (the advertiser's ads, deleted ones included, within its id
    /// filters) holds at least this many ads is truncated to the newest this many, with the
    /// X-Tt-Ads-Throttle header (TikTok: 20,000).
    pub ads_throttle_threshold: usize,
    /// Every `pixel/instant_page/event` call is refused with a parameter error (40002), as
    /// TikTok answers a request it never accepts.
    pub instant_page_parameter_error: bool,
    /// Every page says one more page follows (a list that never ends).
    pub endless_pages: bool,
    /// Answer every successful call with a broken body instead.
    pub hostile_body: Option<HostileBody>,
    /// The app restricted for a while, as when another connection of the same app spent its
    /// quota: every request, on every endpoint, gets 40100 naming no quota.
    pub restriction: Option<AppRestriction>,
}

/// From the request after `after_requests` on, for `lasts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppRestriction {
    pub after_requests: u64,
    pub lasts: std::time::Duration,
}

/// Ways a successful-looking answer can be unusable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostileBody {
    /// `data.list` is a string, `page_info` numbers are strings.
    WrongTypes,
    /// A valid envelope this many bytes long.
    Huge(usize),
    /// An HTML error page with HTTP 200.
    Html,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            size: DataSize::default(),
            seed: 42,
            delivery: Delivery::default(),
            restatement: 1.0,
            app_id: "7000000000000000001".into(),
            secret: "sim-app-secret-0123456789".into(),
            access_token: "sim-access-token-abcdef0123456789".into(),
            sandbox_token: "sim-sandbox-token-9876543210fedcba".into(),
            revoked_tokens: vec!["sim-revoked-token-0000000000".into()],
            quota_per_second: None,
            quota_per_minute: None,
            advertiser_quota_per_second: None,
            fault_rate: 0.0,
            faults: Vec::new(),
            slow_response_ms: 300,
            latency_ms: 0,
            permission_denied: Vec::new(),
            too_large_days: None,
            timeout_days: None,
            lowered_qps_seconds: 300,
            other_task_creator_ms: None,
            fail_tasks: false,
            task_access: true,
            task_span_days_max: None,
            tasks_per_advertiser_hour: 500,
            ads_throttle_threshold: 20_000,
            instant_page_parameter_error: false,
            endless_pages: false,
            hostile_body: None,
            restriction: None,
        }
    }
}

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
        self.path.trim_start_matches(server::API_PREFIX).trim_end_matches('/')
    }
}

/// Requests the simulator serves at once.
pub const SIMULATOR_WORKERS: usize = 96;

/// A running simulator; stops when dropped.
pub struct Simulator {
    pub port: u16,
    shared: Arc<server::Shared>,
    server: Arc<tiny_http::Server>,
    workers: Vec<JoinHandle<()>>,
}

impl Simulator {
    pub fn start(config: SimConfig) -> Simulator {
        Self::start_on(config, 0)
    }

    pub fn start_on(config: SimConfig, port: u16) -> Simulator {
        let account = Account::generate(&config.size, config.seed);
        let server = Arc::new(tiny_http::Server::http(("127.0.0.1", port)).expect("bind the simulator on 127.0.0.1"));
        let port = server.server_addr().to_ip().expect("an IP listener").port();
        let shared = Arc::new(server::Shared::new(config, account));
        // Enough workers that slow answers do not queue behind each other: TikTok serves
        // every request in flight at once.
        let workers = (0..SIMULATOR_WORKERS)
            .map(|_| {
                let (server, shared) = (server.clone(), shared.clone());
                std::thread::spawn(move || server::worker(server, shared))
            })
            .collect();
        Simulator { port, shared, server, workers }
    }

    /// The API root to hand the connector, e.g. `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn config(&self) -> SimConfig {
        self.shared.config.lock().unwrap().clone()
    }

    pub fn update_config(&self, change: impl FnOnce(&mut SimConfig)) {
        change(&mut self.shared.config.lock().unwrap());
    }

    /// A copy of the generated data.
    pub fn account(&self) -> Account {
        self.shared.account.lock().unwrap().clone()
    }

    /// Change an entity or creative asset as a user would in Ads Manager: its modify_time
    /// becomes now (in the time format of its endpoint). Returns the new value.
    pub fn touch(&self, id: &str) -> String {
        let mut account = self.shared.account.lock().unwrap();
        let now = chrono::Utc::now().naive_utc();
        let (fields, value) = if let Some(entity) = account.entities.iter_mut().find(|e| e.id == id) {
            (&mut entity.fields, data::fmt_time(now))
        } else {
            let asset = account.assets.iter_mut().find(|a| a.id == id).expect("no entity or asset with that id");
            (&mut asset.fields, data::iso(now))
        };
        fields["modify_time"] = serde_json::Value::String(value.clone());
        value
    }

    /// A new Smart+ ad (no modify_time) of `advertiser`, created now; its id.
    pub fn add_smart_plus_ad(&self, advertiser: &str) -> String {
        let mut account = self.shared.account.lock().unwrap();
        let model = account.entities.iter().find(|e| e.level == Level::Ad && e.advertiser_id == advertiser && !e.deleted).expect("the advertiser has an ad");
        let mut ad = model.clone();
        let newest = account.entities.iter().filter(|e| e.level == Level::Ad).filter_map(|e| e.id.parse::<u64>().ok()).max().unwrap_or(0);
        ad.id = (newest + 10).to_string();
        ad.fields["ad_id"] = serde_json::Value::String(ad.id.clone());
        ad.fields["create_time"] = serde_json::Value::String(data::fmt_time(chrono::Utc::now().naive_utc()));
        ad.fields.as_object_mut().unwrap().remove("modify_time");
        let id = ad.id.clone();
        account.entities.push(ad);
        id
    }

    /// The most requests the simulator was serving at once.
    pub fn peak_concurrency(&self) -> u64 {
        self.shared.peak_in_progress.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.shared.log.lock().unwrap().clone()
    }

    pub fn clear_requests(&self) {
        self.shared.log.lock().unwrap().clear();
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.server.unblock();
        for _ in 0..self.workers.len() {
            self.server.unblock();
        }
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}
