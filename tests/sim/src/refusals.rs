//! Every refusal the simulator gives, in one table: TikTok's code, its message, and when
//! (hold it against shared/docs/tiktok-api.md §6–§8, as the connector's `api/refusal.rs` is).
//! Parameter checks (40002) word their own message where the rule is checked; everything
//! else is a variant here.

use crate::config::TaskAccessRefusal;

/// A business error on the wire: HTTP 200 with a non-zero code.
#[derive(Debug)]
pub struct ApiError {
    pub code: i64,
    pub message: String,
}

impl ApiError {
    /// TikTok's internal timeout, which counts toward its timeout rules.
    pub fn is_timeout(&self) -> bool {
        self.code == SERVICE_TIMEOUT
    }
}

const SERVICE_TIMEOUT: i64 = 51001;

/// Why a request is refused.
#[derive(Debug)]
pub enum Refusal {
    // ── authentication and access (§7) ──
    /// No `Access-Token` header.
    MissingToken,
    /// A token the app revoked or that expired.
    ExpiredToken,
    /// A token TikTok never issued.
    InvalidToken,
    /// `app_id`/`secret` of another app than the token's.
    AppMismatch,
    /// An advertiser the token may not read.
    NoPermission {
        advertiser: String,
    },
    /// An advertiser that does not grant the app this endpoint.
    EndpointDenied {
        endpoint: String,
    },
    /// `oauth2/advertiser/get` with a sandbox token.
    SandboxUnsupported,
    /// A GMV Max endpoint with the sandbox token (gmv-max-smart-plus.md §1.9 AE sandbox, §1.10:
    /// GMV Max is not in the sandbox; 40014 is one of the two codes seen, open point 14).
    GmvSandboxUnsupported,
    /// A `/smart_plus/*` endpoint with the sandbox token: DOC-SANDBOX's list of about 21
    /// sandbox endpoints names none; treated as GMV Max is (open point 14, 40008 or 40014).
    SmartPlusSandboxUnsupported,
    /// A GMV Max report on a store the advertiser may not run GMV Max on (listed with
    /// `is_gmv_max_available` false, or not listed): this simulator's choice for open point 9.
    StoreNotAvailable {
        advertiser: String,
        store: String,
    },

    // ── parameters (§9) ──
    /// Any parameter TikTok refuses, worded as TikTok words it.
    Parameter(String),
    /// A pixel or task id the advertiser does not have.
    NotFound {
        what: &'static str,
        id: String,
    },

    // ── quotas and blocks (§6) ──
    /// The app's quota (per second or per minute), or the app restricted for minutes.
    AppRestricted {
        app_id: String,
    },
    /// The app's QPS lowered after many timeouts.
    LoweredQps {
        app_id: String,
        qps: usize,
    },
    /// The same request timed out three times within ten minutes.
    TimeoutBlock,
    /// `report/task/create/` more than once a second per app.
    TaskCreateQps {
        app_id: String,
    },
    /// More async tasks an hour than one advertiser may create.
    TaskQuota {
        advertiser: String,
        limit: usize,
    },
    /// More async tasks a day than the app may create.
    AppTaskQuota {
        app_id: String,
        limit: usize,
    },
    /// `/gmv_max/report/get/`'s own daily quota (gmv-max-smart-plus.md §1.8, DOC-RATE via AE).
    GmvReportDailyQuota {
        app_id: String,
        limit: usize,
    },
    /// The per-advertiser quota.
    AdvertiserQps {
        advertiser: String,
        count: usize,
        limit: usize,
    },

    // ── reports (§4, §5) ──
    /// A report query TikTok judges too large.
    QueryTooLarge,
    /// The app is not on the async-report allowlist (DOC-ASYNC; the code is tiktok-api.md §15
    /// R8's reading, every message invented).
    NoTaskAccess(TaskAccessRefusal),
    /// A task downloaded before it succeeded.
    TaskNotReady,

    // ── TikTok's own trouble (§8) ──
    /// A report query that takes too long, or an injected timeout.
    ServiceTimeout,
    SystemError(String),
    /// Injected: TikTok's "processing" error.
    ProcessingError,
    /// Injected: the throttle as older answers word it, without the app id.
    InjectedThrottle,
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> ApiError {
        use Refusal::*;
        let (code, message) = match refusal {
            MissingToken => (40104, "Access token is null, you should set it in http header with key Access-Token.".into()),
            ExpiredToken => (40102, "Access token has expired. Please re-authorize.".into()),
            InvalidToken => (40105, "Access token is incorrect or has been revoked.".into()),
            AppMismatch => (40000, "The app_id is inconsistent with the token's app information. Please retry after correcting it.".into()),
            NoPermission { advertiser } => (40001, format!("No permission to operate advertiser {advertiser}.")),
            EndpointDenied { endpoint } => (40001, format!("advertiser does not grant you /{endpoint}/:GET permission")),
            SandboxUnsupported => (40008, "This interface is not supported in the sandbox environment.".into()),
            // Invented wording: TikTok's material gives the code only.
            GmvSandboxUnsupported => (40014, "The sandbox does not support this endpoint.".into()),
            // Invented wording, as GMV Max's.
            SmartPlusSandboxUnsupported => (40014, "The sandbox does not support this endpoint.".into()),
            // Invented wording, in the style of NoPermission.
            StoreNotAvailable { advertiser, store } => (
                40001,
                format!("No permission to operate store {store}: it is not available for GMV Max under advertiser {advertiser}."),
            ),
            Parameter(message) => (40002, message),
            NotFound { what, id } => (40007, format!("The {what} {id} does not exist.")),
            AppRestricted { app_id } => (40100, format!("Due to too many requests, requests from App [{app_id}] are temporarily restricted.")),
            LoweredQps { app_id, qps } => (
                40100,
                format!("App [{app_id}] reaches the QPS limit {qps}, lowered for timing out too often; requests are temporarily restricted."),
            ),
            TimeoutBlock => (40100, "This request timed out repeatedly and is blocked for 10 minutes; reduce the query size.".into()),
            TaskCreateQps { app_id } => (
                40100,
                format!("App [{app_id}] reaches the QPS limit 1 for current path /report/task/create/, request is temporarily restricted."),
            ),
            TaskQuota { advertiser, limit } => (
                40100,
                format!("Advertiser {advertiser} reaches the limit of {limit} asynchronous report tasks per hour; please try again later."),
            ),
            AppTaskQuota { app_id, limit } => (
                40100,
                format!("App [{app_id}] reaches the limit of {limit} asynchronous report tasks per day; please try again tomorrow."),
            ),
            // Invented wording: AE gives the quota and the code, not the message.
            GmvReportDailyQuota { app_id, limit } => (
                40100,
                format!("App [{app_id}] reaches the daily limit {limit} of current path /gmv_max/report/get/, request is restricted until 00:00 UTC."),
            ),
            AdvertiserQps { advertiser, count, limit } => (
                40133,
                format!("Advertiser ({advertiser})'s QPS ({count}) reaches QPS limit {limit} for current path, request is temporarily restricted."),
            ),
            QueryTooLarge => (
                40067,
                "Your query is too large, please reduce the query size (e.g. fewer metrics or time range) and retry after a while.".into(),
            ),
            NoTaskAccess(TaskAccessRefusal::Code40118) => {
                (40118, "The app is not on the allowlist of asynchronous reports.".into())
            }
            NoTaskAccess(TaskAccessRefusal::Permission40001) => {
                (40001, "No permission to use the asynchronous report API.".into())
            }
            NoTaskAccess(TaskAccessRefusal::Parameter40002) => {
                (40002, "This feature is only available to allowlisted apps.".into())
            }
            TaskNotReady => (40201, "Task is not ready.".into()),
            ServiceTimeout => (SERVICE_TIMEOUT, "Internal service timeout. Please reduce the query size and retry later.".into()),
            SystemError(detail) => (50000, format!("System error. {detail}").trim_end().to_string()),
            ProcessingError => (50002, "Error processing request on TikTok side.".into()),
            InjectedThrottle => (40100, "Due to too many requests, requests from App are temporarily restricted.".into()),
        };
        ApiError { code, message }
    }
}

/// A parameter TikTok refuses (40002), worded where the rule is checked.
pub fn param_error(message: impl Into<String>) -> ApiError {
    Refusal::Parameter(message.into()).into()
}

/// Lets handlers write `Err(Refusal::X)?` and `return Err(Refusal::X.into())`.
pub fn refuse<T>(refusal: Refusal) -> Result<T, ApiError> {
    Err(refusal.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(refusal: Refusal) -> (i64, String) {
        let e = ApiError::from(refusal);
        (e.code, e.message)
    }

    /// The connector tells 40100s apart by their words (tiktok-api.md §6): a task-creation
    /// breach, an app restriction, a per-advertiser quota. The table must keep those words.
    #[test]
    fn the_quota_refusals_keep_the_words_that_tell_them_apart() {
        let app = || "7".to_string();
        let (code, message) = answer(Refusal::TaskCreateQps { app_id: app() });
        assert_eq!(code, 40100);
        assert!(message.contains("QPS limit 1 for current path /report/task/create/"), "{message}");
        let (code, message) = answer(Refusal::AppRestricted { app_id: app() });
        assert_eq!(code, 40100);
        assert!(message.starts_with("Due to too many requests, requests from App [7]"), "{message}");
        let (code, message) = answer(Refusal::AdvertiserQps { advertiser: "1".into(), count: 3, limit: 3 });
        assert_eq!((code, message.contains("QPS limit 3")), (40133, true));
    }

    #[test]
    fn each_refusal_has_its_documented_code() {
        let table = [
            (Refusal::MissingToken, 40104),
            (Refusal::ExpiredToken, 40102),
            (Refusal::InvalidToken, 40105),
            (Refusal::AppMismatch, 40000),
            (Refusal::NoPermission { advertiser: "1".into() }, 40001),
            (Refusal::SandboxUnsupported, 40008),
            (Refusal::GmvSandboxUnsupported, 40014),
            (Refusal::SmartPlusSandboxUnsupported, 40014),
            (Refusal::StoreNotAvailable { advertiser: "1".into(), store: "2".into() }, 40001),
            (Refusal::GmvReportDailyQuota { app_id: "7".into(), limit: 1 }, 40100),
            (Refusal::Parameter("x".into()), 40002),
            (Refusal::NotFound { what: "task", id: "1".into() }, 40007),
            (Refusal::QueryTooLarge, 40067),
            (Refusal::NoTaskAccess(TaskAccessRefusal::Code40118), 40118),
            (Refusal::NoTaskAccess(TaskAccessRefusal::Permission40001), 40001),
            (Refusal::NoTaskAccess(TaskAccessRefusal::Parameter40002), 40002),
            (Refusal::TaskNotReady, 40201),
            (Refusal::ServiceTimeout, 51001),
            (Refusal::SystemError(String::new()), 50000),
            (Refusal::ProcessingError, 50002),
        ];
        for (refusal, code) in table {
            let name = format!("{refusal:?}");
            assert_eq!(ApiError::from(refusal).code, code, "{name}");
        }
        assert!(ApiError::from(Refusal::ServiceTimeout).is_timeout());
        assert_eq!(answer(Refusal::SystemError(String::new())).1, "System error.");
    }
}
