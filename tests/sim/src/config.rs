//! What one simulator instance is told, grouped by purpose: the account it serves, the
//! credentials it accepts, TikTok's limits it enforces, the faults it injects, and the
//! scenarios a test switches on.

use crate::data::{DataSize, Delivery};

#[derive(Debug, Clone, Default)]
pub struct SimConfig {
    pub account: AccountShape,
    pub credentials: Credentials,
    pub limits: Limits,
    pub faults: Faults,
    pub scenarios: Scenarios,
    pub readings: Readings,
}

/// The generated account.
#[derive(Debug, Clone)]
pub struct AccountShape {
    pub size: DataSize,
    pub seed: u64,
    /// Which advertisers deliver, and on which days (default: all of them, every day).
    pub delivery: Delivery,
    /// Spend and conversions of every report row are multiplied by this (1.0): a test raises
    /// it between syncs to restate numbers, as TikTok does when late conversions arrive.
    pub restatement: f64,
}

impl Default for AccountShape {
    fn default() -> Self {
        AccountShape { size: DataSize::default(), seed: 42, delivery: Delivery::default(), restatement: 1.0 }
    }
}

/// The app and the tokens the simulator knows.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub app_id: String,
    pub secret: String,
    /// The production token: reads every advertiser.
    pub access_token: String,
    /// The sandbox token: reads the first advertiser only, and cannot list advertisers.
    pub sandbox_token: String,
    /// Tokens answered with 40102 (expired).
    pub revoked_tokens: Vec<String>,
    /// (advertiser id, endpoint) pairs answered with 40001.
    pub permission_denied: Vec<(String, String)>,
}

impl Default for Credentials {
    fn default() -> Self {
        Credentials {
            app_id: "7000000000000000001".into(),
            secret: "sim-app-secret-0123456789".into(),
            access_token: "sim-access-token-abcdef0123456789".into(),
            sandbox_token: "sim-sandbox-token-9876543210fedcba".into(),
            revoked_tokens: vec!["sim-revoked-token-0000000000".into()],
            permission_denied: Vec::new(),
        }
    }
}

/// TikTok's quotas and limits, and its pace (enforced in `quotas.rs` and by the handlers).
#[derive(Debug, Clone)]
pub struct Limits {
    /// App quota; over it the answer is 40100.
    pub quota_per_second: Option<usize>,
    pub quota_per_minute: Option<usize>,
    /// Per-advertiser quota; over it the answer is 40133.
    pub advertiser_quota_per_second: Option<usize>,
    /// How long the app's QPS stays lowered after many timeouts (TikTok: 5 minutes).
    pub lowered_qps_seconds: u64,
    /// Async report tasks one advertiser may create an hour (TikTok: 500 per ad account and
    /// token user); over it, task creation answers 40100.
    pub tasks_per_advertiser_hour: usize,
    /// Async report tasks the app may create a day (TikTok: 4,500); over it, 40100.
    pub tasks_per_app_day: usize,
    /// A report query whose scope (the advertiser's ads, deleted ones included, within its id
    /// filters, its TopView choice and its origins: Promote ads count when the query would
    /// report them) holds at least this many ads is truncated to the newest this many, with
    /// the X-Tt-Ads-Throttle header (TikTok: 20,000). Under R1's whole-account reading the
    /// header counts every ad, TopView and Promote ones included.
    pub ads_throttle_threshold: usize,
    /// Report queries spanning more days than this get 40067 ("query too large").
    pub too_large_days: Option<u32>,
    /// Report queries spanning more days than this time out (51001), as heavy audience
    /// queries do at TikTok.
    pub timeout_days: Option<u32>,
    /// Report pages from this one on time out (51001) when the query spans more than a day: a
    /// heavy query that fails after its first pages (TikTok's timeouts follow its load, DOC-BP).
    pub timeout_pages_from: Option<u64>,
    /// Task creation refuses spans of more days than this (40002): TikTok's documents disagree
    /// on whether an hourly task may span several days.
    pub task_span_days_max: Option<u32>,
    /// Every answer leaves this long after its request arrived (and was counted against the
    /// quotas): TikTok's reports take 0.5–2 s.
    pub latency_ms: u64,
    /// `/gmv_max/report/get/` calls the app may make a UTC day, on its own quota besides the
    /// app's (gmv-max-smart-plus.md §1.8, DOC-RATE via AE: Basic 20,000 QPD); over it, 40100.
    pub gmv_report_quota_per_day: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            quota_per_second: None,
            quota_per_minute: None,
            advertiser_quota_per_second: None,
            lowered_qps_seconds: 300,
            tasks_per_advertiser_hour: 500,
            tasks_per_app_day: 4_500,
            ads_throttle_threshold: 20_000,
            too_large_days: None,
            timeout_days: None,
            timeout_pages_from: None,
            task_span_days_max: None,
            latency_ms: 0,
            gmv_report_quota_per_day: 20_000,
        }
    }
}

/// Injected trouble (`faults.rs`).
#[derive(Debug, Clone)]
pub struct Faults {
    /// Share of requests (0.0–1.0) that get one of `kinds`.
    pub rate: f64,
    pub kinds: Vec<Fault>,
    /// How late a `Fault::Slow` answer is.
    pub slow_response_ms: u64,
    /// Answer every successful call with a broken body instead.
    pub hostile_body: Option<HostileBody>,
    /// Every page says one more page follows (a list that never ends).
    pub endless_pages: bool,
}

impl Default for Faults {
    fn default() -> Self {
        Faults { rate: 0.0, kinds: Vec::new(), slow_response_ms: 300, hostile_body: None, endless_pages: false }
    }
}

/// Situations a test puts the app in.
#[derive(Debug, Clone)]
pub struct Scenarios {
    /// The app restricted for a while, as when another connection of the same app spent its
    /// quota: every request, on every endpoint, gets 40100 naming no quota.
    pub restriction: Option<AppRestriction>,
    /// Another sync of the same app creates an async report task every this many
    /// milliseconds, taking its share of the one-a-second creation quota.
    pub other_task_creator_ms: Option<u64>,
    /// Async report tasks end as FAILED instead of SUCCESS.
    pub fail_tasks: bool,
    /// `report/task/check/` answers TikTok's system error (50000) every time, as when its
    /// status service is down: a client gives the task up (and should cancel it).
    pub task_check_fails: bool,
    /// The app is on the async-report allowlist (DOC-ASYNC: an allowlist-only feature); off,
    /// task creation answers 40118.
    pub task_access: bool,
    /// Every `pixel/instant_page/event` call is refused with a parameter error (40002), as
    /// TikTok answers a request it never accepts.
    pub instant_page_parameter_error: bool,
}

impl Default for Scenarios {
    fn default() -> Self {
        Scenarios {
            restriction: None,
            other_task_creator_ms: None,
            fail_tasks: false,
            task_check_fails: false,
            task_access: true,
            instant_page_parameter_error: false,
        }
    }
}

/// Where TikTok's documents allow more than one reading (tiktok-api.md §15), which one this
/// simulator plays. The default is the first reading of each row there; a test plays the others
/// to show the connector is right under every one. Each field cites the row and its sources.
/// The `gmv_*` fields play the readings rows of gmv-max-smart-plus.md §1.
#[derive(Debug, Clone)]
pub struct Readings {
    /// R1 (DOC-SYNC "the number of ad ids of queried advertiser account", DOC-FAQ "ads under the
    /// current account"): whether `X-Tt-Ads-Throttle` follows the query's filtered scope or the
    /// whole account. Rows are truncated only when the filtered scope itself is over the limit.
    pub throttle_header: ThrottleHeader,
    /// R2 (TikTok's Go SDK `model/ad/get.go`: `ad/get` leaves out Product and LIVE GMV Max ads;
    /// DOC-PROMOTE: Promote objects are listed only when asked for): the newest campaign of each
    /// advertiser, with its ad groups and ads, is in no list but in every report.
    pub unlisted_campaign: bool,
    /// R3 (DOC-STATUS lists no `*_STATUS_ALL` secondary; DOC-ADG: `primary_status` defaults to
    /// `STATUS_NOT_DELETE`): whether a `*_STATUS_ALL` secondary status brings deleted objects,
    /// or only `primary_status` `STATUS_ALL` (or a delete status) does.
    pub deleted_only_by_primary_status: bool,
    /// R5 (DOC-USP-METRICS; TikTok's Go SDK metric comments: `real_time_*` counted by conversion
    /// time): on a day without delivery, ads that converted late have a row when the query asks
    /// for a conversion-time metric, every other metric zero.
    pub conversion_time_rows: bool,
    /// R8 (DOC-ASYNC says allowlist-only and documents no code): how task creation refuses an
    /// app outside the allowlist.
    pub task_access_refusal: TaskAccessRefusal,
    /// R10 (DOC-TASK-CREATE example files; synchronous audience rows carry `NONE`): audience rows
    /// have an unknown age and platform bucket (`NONE`), and task files write every unknown
    /// bucket this way.
    pub unknown_label: Option<UnknownLabel>,
    /// gmv-max-smart-plus.md §1.1, readings row of `/gmv_max/campaign/get/` (AB sends one
    /// promotion type per call, HG both in one call, 3P: the filter is required on every call).
    /// false (default): `filtering.gmv_max_promotion_types` is required with exactly one value
    /// (40002 otherwise); true: optional, and with none or both every campaign comes.
    pub gmv_campaign_type_optional: bool,
    /// gmv-max-smart-plus.md §1.4, readings row of the cap of 3 dimensions (SDK `maxItems` 3 vs
    /// DOC-NEW 2026-04-03's 4-dimension creative group). false (default): the 4-dimension
    /// group `[campaign_id, item_group_id, item_id, stat_time_day]` is accepted; true: more than
    /// 3 dimensions is 40002.
    pub gmv_three_dimensions_only: bool,
    /// gmv-max-smart-plus.md §1.3, readings row of the item-level `page_size` (SDK: 1,000; a
    /// production client measured 50): the largest `page_size` a report with an
    /// `item_group_id`, `item_id` or `room_id` dimension takes; over it, 40002 naming page_size.
    pub gmv_item_page_size_max: u32,
    /// gmv-max-smart-plus.md §2.1, readings row (3P, Opus Growth MCP: Smart+ objects are not in
    /// the standard lists at all). false (default): `campaign/get`, `adgroup/get` and `ad/get`
    /// list Smart+ campaigns, ad groups and (as their creatives) ads; true: they leave every
    /// Smart+ object out. Reports are the same under both.
    pub smart_plus_not_in_regular_lists: bool,
    /// gmv-max-smart-plus.md §2.4, readings row of the material reports' row key. false
    /// (default): each row keys its dimensions `dimensions`, as every other report; true:
    /// `info`, as GO's `model/report/smartplus/marterial_report.go` has it.
    pub smart_plus_material_row_key_info: bool,
    /// gmv-max-smart-plus.md §2.2, readings row of `/smart_plus/ad/get/`'s `page_size`: SDK 100
    /// (default), a GO comment 1,000. Over it, 40002 naming page_size.
    pub smart_plus_ad_page_size_max: u32,
}

impl Default for Readings {
    fn default() -> Self {
        Readings {
            throttle_header: ThrottleHeader::default(),
            unlisted_campaign: false,
            deleted_only_by_primary_status: false,
            conversion_time_rows: false,
            task_access_refusal: TaskAccessRefusal::default(),
            unknown_label: None,
            gmv_campaign_type_optional: false,
            gmv_three_dimensions_only: false,
            gmv_item_page_size_max: 1000,
            smart_plus_not_in_regular_lists: false,
            smart_plus_material_row_key_info: false,
            smart_plus_ad_page_size_max: 100,
        }
    }
}

/// R1's two readings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ThrottleHeader {
    /// The header follows the ads in the query's scope, after its id filters (and its TopView
    /// and Promote choices).
    #[default]
    FilteredScope,
    /// The header comes with every report query of an account holding the limit or more ads,
    /// filtered or not; a filtered scope under the limit is still answered whole.
    WholeAccount,
}

/// R8: the code of the refusal (each message is invented: TikTok documents none).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TaskAccessRefusal {
    /// 40118, the code the connector was first written against.
    #[default]
    Code40118,
    /// 40001, TikTok's permission code.
    Permission40001,
    /// 40002, TikTok's parameter code.
    Parameter40002,
}

/// R10: how a task file writes an unknown audience bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnknownLabel {
    /// `Unknown`.
    Word,
    /// `NONE`, as the synchronous rows write it.
    Code,
    /// An empty cell.
    Empty,
}

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
