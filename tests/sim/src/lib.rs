#![recursion_limit = "256"]
//! A TikTok Business API v1.3 simulator for the connector's tests: real HTTP on 127.0.0.1,
//! generated deterministic data, TikTok's envelope and error codes, strict parameter checks,
//! pagination, quotas and injectable faults.
//!
//! Laid out by job: `server` takes a request through `routes` (path, method, handler), `faults`,
//! authentication and `quotas` (every quota and block, one lock) to a handler in `endpoints/` or
//! `reports/`; handlers take and give what `wire` defines, refuse with a `refusals` variant (one
//! table of codes and messages), and read the generated account in `data/`. `config` groups the
//! knobs by purpose; `memory` keeps report rows and tasks between requests.

mod config;
mod data;
mod endpoints;
mod faults;
#[cfg(test)]
mod gmv_tests;
mod memory;
pub mod metrics;
#[cfg(test)]
mod promote_tests;
mod quotas;
mod refusals;
mod reports;
mod routes;
mod server;
#[cfg(test)]
mod sp_tests;
mod wire;

use std::sync::Arc;
use std::thread::JoinHandle;

pub use config::{
    AccountShape, AppRestriction, Credentials, Fault, Faults, HostileBody, Limits, Readings, Scenarios, SimConfig,
    TaskAccessRefusal, ThrottleHeader, UnknownLabel, ALL_FAULTS,
};
pub use data::{
    Account, DataSize, Delivery, GmvCampaign, GmvMax, GmvProduct, GmvRoom, GmvStore, GmvValues, Level, ShoppingAdsType,
    SmartPlus, SmartPlusAd, SmartPlusAdGroup, SmartPlusCampaign, SmartPlusCreative, StoreListing,
};
pub use server::LoggedRequest;

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
        let account = Account::generate(&config.account.size, config.account.seed);
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

    /// Change an entity, Smart+ campaign, ad group or ad (`smart_plus_ad_id`), GMV Max campaign or
    /// creative asset as a user would in Ads Manager: its
    /// modify_time becomes now (in the time format of its endpoint). Returns the new value.
    pub fn touch(&self, id: &str) -> String {
        let mut account = self.shared.account.lock().unwrap();
        let now = chrono::Utc::now().naive_utc();
        let account = &mut *account;
        // A Smart+ object: its `/smart_plus/*` object and its regular rows (a Smart+ ad's
        // creative rows that carry modify_time) change together.
        let time = data::fmt_time(now);
        let mut smart_plus = account.smart_plus.touch(id, &time);
        for entity in account.entities.iter_mut().filter(|e| e.fields["smart_plus_ad_id"].as_str() == Some(id)) {
            if entity.fields.get("modify_time").is_some() {
                entity.fields["modify_time"] = serde_json::Value::String(time.clone());
            }
            smart_plus = true;
        }
        if smart_plus {
            if let Some(entity) = account.entities.iter_mut().find(|e| e.id == id) {
                entity.fields["modify_time"] = serde_json::Value::String(time.clone());
            }
            return time;
        }
        let (fields, value) = if let Some(entity) = account.entities.iter_mut().find(|e| e.id == id) {
            (&mut entity.fields, data::fmt_time(now))
        } else if let Some(campaign) = account.gmv_max.campaign_mut(id) {
            (&mut campaign.fields, data::fmt_time(now))
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
        let model = account
            .entities
            .iter()
            .find(|e| e.level == Level::Ad && e.advertiser_id == advertiser && !e.deleted)
            .expect("the advertiser has an ad");
        let mut ad = model.clone();
        let newest = account
            .entities
            .iter()
            .filter(|e| e.level == Level::Ad)
            .filter_map(|e| e.id.parse::<u64>().ok())
            .max()
            .unwrap_or(0);
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
