//! The advertisers of a sync, found once before any stream starts, and what the streams need
//! to know about them (their records; `advertiser/info` read in the background when a stream
//! needs it).

use std::rc::Rc;

use serde_json::{json, Value};

use crate::api::Scope;
use crate::api::{self, ApiClient, ApiRequest};
use crate::config::{Config, Credentials};
use crate::error::Action;
use crate::error::{Error, Result};
use crate::fetch::shared::Shared;
use crate::output;
use crate::streams::{Source, StreamDef};

/// advertiser/info takes at most this many ids per call.
const ADVERTISER_INFO_BATCH: usize = 100;

/// What the selected streams need to know about the advertisers, so no request is made whose
/// answer cannot change anything.
#[derive(Debug, Clone, Copy, Default)]
pub struct Needs {
    /// `oauth2/advertiser/get`'s list itself (the `advertiser_ids` stream).
    authorized_list: bool,
    /// `advertiser/info` records (the `advertisers` stream).
    info: bool,
    /// Each advertiser's local today (report windows that end today).
    time_zones: bool,
}

impl Needs {
    pub fn ids_only() -> Self {
        Self::default()
    }

    pub fn of(selected: &[&StreamDef], config: &Config) -> Self {
        let has = |want: fn(&Source) -> bool| selected.iter().any(|def| want(&def.source));
        // A window ending before UTC yesterday ends before every advertiser's today as well.
        let utc_yesterday = chrono::Utc::now().date_naive() - chrono::Duration::days(1);
        let end_is_local_today = config.end_date.is_none_or(|end| end >= utc_yesterday);
        Self {
            authorized_list: has(|s| matches!(s, Source::AdvertiserIds)),
            info: has(|s| matches!(s, Source::AdvertiserInfo)),
            time_zones: end_is_local_today
                && has(|s| {
                    matches!(s, Source::Report(r) if r.has_dates())
                        || matches!(s, Source::GmvMax(crate::streams::gmv_max::GmvMaxSpec::Report(_)))
                        || matches!(s, Source::SmartPlusMaterial(crate::streams::Granularity::Daily))
                }),
        }
    }
}

/// The advertisers of the sync and what the streams need to know about them.
pub struct Advertisers {
    pub ids: Vec<String>,
    /// `oauth2/advertiser/get`'s records, when the sync reads them.
    pub authorized: Option<Vec<Value>>,
    /// `advertiser/info`'s records, or why they could not be read, when the sync needs them:
    /// read in the background while the streams that do not need them start.
    info: Option<Shared<Result<Vec<Value>>>>,
}

impl Advertisers {
    /// The one advertiser the config names, or every one the token may read.
    pub async fn discover(config: &Config, api: &Rc<ApiClient>, needs: Needs) -> Result<Self> {
        let configured = match &config.credentials {
            Credentials::OAuth { advertiser_id, .. } => advertiser_id.clone(),
            Credentials::Sandbox { advertiser_id, .. } => Some(advertiser_id.clone()),
        };
        let authorized = match (&configured, needs.authorized_list) {
            (Some(_), false) => None,
            _ => Some(authorized_advertisers(config, api).await?),
        };
        let ids = match configured {
            Some(id) => vec![id],
            None => {
                let listed = authorized.iter().flatten();
                let ids: Vec<String> =
                    listed.filter_map(|a| a.get("advertiser_id").and_then(crate::integer_ids::id_text)).collect();
                if ids.is_empty() {
                    return Err(Error::config("the access token is not authorized for any advertiser"));
                }
                ids
            }
        };
        let info = (needs.info || needs.time_zones).then(|| {
            let (api, ids) = (api.clone(), ids.clone());
            Shared::spawn(async move { advertiser_info(&api, &ids).await })
        });
        Ok(Self { ids, authorized, info })
    }

    /// `advertiser/info/` of every advertiser of the sync, awaited apart from `self` (what a
    /// sync learns of each advertiser awaits it in the background).
    pub fn info(&self) -> impl std::future::Future<Output = Result<Vec<Value>>> + 'static {
        let info = self.info.clone();
        async move {
            match info {
                Some(info) => info.get().await,
                None => Err(Error::system("advertiser/info was not read")),
            }
        }
    }
}

/// Advertisers the token may read, as `oauth2/advertiser/get/` lists them.
async fn authorized_advertisers(config: &Config, api: &ApiClient) -> Result<Vec<Value>> {
    let Credentials::OAuth { app_id, secret, .. } = &config.credentials else {
        return Err(Error::config("the sandbox cannot list advertisers; set credentials.advertiser_id"));
    };
    let request =
        ApiRequest::new("oauth2/advertiser/get").param("app_id", app_id.clone()).param("secret", secret.clone());
    api::list_of(api.send(&request).await?, "list")
}

/// `advertiser/info/` for every advertiser, ids batched. A batch with a denied advertiser is
/// asked again one advertiser at a time, so one denial skips one advertiser, not a hundred.
async fn advertiser_info(api: &ApiClient, ids: &[String]) -> Result<Vec<Value>> {
    let mut info = Vec::with_capacity(ids.len());
    for batch in ids.chunks(ADVERTISER_INFO_BATCH) {
        let request = ApiRequest::new("advertiser/info")
            .json_param("advertiser_ids", &json!(batch))
            .scoped(Scope::AdvertiserBatch);
        match api.send(&request).await {
            Ok(answer) => info.extend(api::list_of(answer, "list")?),
            Err(e) if e.decided() == Some(Action::SplitBatch) => {
                for id in batch {
                    let single =
                        ApiRequest::new("advertiser/info").json_param("advertiser_ids", &json!([id])).concerning(id);
                    match api.send(&single).await {
                        Ok(answer) => info.extend(api::list_of(answer, "list")?),
                        Err(e) if e.decided() == Some(Action::SkipAdvertiser) => {
                            output::log_warn(&format!("advertisers: skipping advertiser {id}: {}", e.message))
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
            Err(e) => return Err(e),
        }
    }
    Ok(info)
}
