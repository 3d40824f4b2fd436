//! The advertisers of a sync, found once before any stream starts, and what the streams need
//! to know about them (their records, their local today).

use std::cell::OnceCell;
use std::collections::HashMap;
use std::rc::Rc;

use chrono::NaiveDate;
use serde_json::{json, Value};

use crate::api::Scope;
use crate::api::{self, ApiClient, ApiRequest};
use crate::config::{Config, Credentials};
use crate::error::Action;
use crate::error::{Error, Result};
use crate::fetch::ahead::Shared;
use crate::output;
use crate::report::local_day;
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
            time_zones: end_is_local_today && has(|s| matches!(s, Source::Report(r) if r.has_dates())),
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
    /// Each advertiser's local today, worked out once from `info`.
    todays: OnceCell<HashMap<String, NaiveDate>>,
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
        Ok(Self { ids, authorized, info, todays: OnceCell::new() })
    }

    /// `advertiser/info/` of every advertiser of the sync.
    pub async fn info(&self) -> Result<Vec<Value>> {
        match &self.info {
            Some(info) => info.get().await,
            None => Err(Error::system("advertiser/info was not read")),
        }
    }

    /// Today in the advertiser's time zone (report days are local; see `report::local_day`).
    /// Where no zone is known, or advertiser/info is out of reach (the sandbox), UTC's today
    /// stands in: the next sync re-reads the cursor day anyway.
    pub async fn local_today(&self, advertiser: &str) -> NaiveDate {
        if self.todays.get().is_none() {
            let info = self.info().await;
            // Every partition asks at once: the first one back works the days out (and says
            // once when it cannot).
            self.todays.get_or_init(|| match info {
                Ok(info) => local_todays(&info),
                Err(e) => {
                    output::log_info(&format!("advertiser time zones unavailable ({}); using UTC dates", e.message));
                    HashMap::new()
                }
            });
        }
        let todays = self.todays.get().expect("set above");
        todays.get(advertiser).copied().unwrap_or_else(|| chrono::Utc::now().date_naive())
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

fn local_todays(info: &[Value]) -> HashMap<String, NaiveDate> {
    let now = chrono::Utc::now();
    info.iter()
        .filter_map(|a| {
            let id = a.get("advertiser_id").and_then(crate::integer_ids::id_text)?;
            let zone = |field: &str| a.get(field).and_then(Value::as_str);
            Some((id, local_day(zone("timezone"), zone("display_timezone"), now)?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn todays_are_each_advertisers_own() {
        let todays = local_todays(&[
            json!({"advertiser_id": "1", "timezone": "Etc/GMT-14"}),
            json!({"advertiser_id": "2", "timezone": "Asia/Tokyo"}),
            json!({"advertiser_id": "3", "timezone": "Nowhere/Unknown"}),
        ]);
        let utc = chrono::Utc::now().naive_utc();
        assert_eq!(todays["1"], (utc + chrono::Duration::hours(14)).date());
        assert_eq!(todays["2"], (utc + chrono::Duration::hours(9)).date());
        assert!(!todays.contains_key("3"), "an unknown zone falls back to UTC");
    }
}
