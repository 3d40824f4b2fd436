//! GMV Max through the whole request path (routes, authentication, quotas, handlers), without
//! sockets: the store list, the campaign list and info here, the report in `report.rs`.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use serde_json::{json, Value};

use crate::config::SimConfig;
use crate::data::{Account, ShoppingAdsType};
use crate::server::{handle, Shared};

mod refusals;
mod report;

pub(super) struct Sim {
    pub(super) shared: Shared,
}

impl Sim {
    pub(super) fn new(change: impl FnOnce(&mut SimConfig)) -> Sim {
        let mut config = SimConfig::default();
        change(&mut config);
        let account = Account::generate(&config.account.size, config.account.seed);
        Sim { shared: Shared::new(config, account) }
    }

    pub(super) fn account(&self) -> Account {
        self.shared.account.lock().unwrap().clone()
    }

    pub(super) fn advertiser(&self, index: usize) -> String {
        self.account().advertisers[index].id.clone()
    }

    /// The envelope of a GET with these parameters (values sent as given).
    pub(super) fn call_as(&self, token: &str, endpoint: &str, params: &[(&str, String)]) -> Value {
        let query: String = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
        let reply = handle(&self.shared, "GET", &format!("/open_api/v1.3/{endpoint}/?{query}"), Some(token), b"");
        assert_eq!(reply.status, 200);
        serde_json::from_slice(&reply.body).unwrap()
    }

    pub(super) fn call(&self, endpoint: &str, params: &[(&str, String)]) -> Value {
        let token = self.shared.config.lock().unwrap().credentials.access_token.clone();
        self.call_as(&token, endpoint, params)
    }

    /// `data` of a successful call.
    pub(super) fn ok(&self, endpoint: &str, params: &[(&str, String)]) -> Value {
        let answer = self.call(endpoint, params);
        assert_eq!(answer["code"], 0, "{endpoint} {params:?}: {answer}");
        answer["data"].clone()
    }

    /// The code and message of a refused call.
    pub(super) fn refused(&self, endpoint: &str, params: &[(&str, String)]) -> (i64, String) {
        let answer = self.call(endpoint, params);
        assert_ne!(answer["code"], 0, "{endpoint} {params:?} was answered");
        (answer["code"].as_i64().unwrap(), answer["message"].as_str().unwrap().to_string())
    }
}

pub(super) fn p(key: &'static str, value: impl ToString) -> (&'static str, String) {
    (key, value.to_string())
}

/// The last day of the test windows: the generated history reaches it.
pub(super) fn last_day() -> NaiveDate {
    chrono::Utc::now().date_naive() - Duration::days(2)
}

fn campaign_list(sim: &Sim, advertiser: &str, extra: &[(&'static str, String)]) -> Vec<Value> {
    let mut params = vec![p("advertiser_id", advertiser), p("page_size", 100)];
    params.extend_from_slice(extra);
    sim.ok("gmv_max/campaign/get", &params)["list"].as_array().unwrap().clone()
}

#[test]
fn a_store_is_listed_under_two_advertisers_and_available_under_one() {
    let sim = Sim::new(|_| {});
    let (a0, a1) = (sim.advertiser(0), sim.advertiser(1));
    let list = |adv: &str| sim.ok("gmv_max/store/list", &[p("advertiser_id", adv)])["store_list"].clone();
    let shared = sim.account().gmv_max.available_stores(&a1)[0].to_string();
    let row = |list: &Value, id: &str| list.as_array().unwrap().iter().find(|s| s["store_id"] == id).cloned();
    let under_a0 = row(&list(&a0), &shared).expect("a1's store listed under a0");
    let under_a1 = row(&list(&a1), &shared).expect("a1's store listed under a1");
    assert_eq!(
        (under_a0["is_gmv_max_available"].clone(), under_a1["is_gmv_max_available"].clone()),
        (json!(false), json!(true))
    );
    assert_eq!(under_a0["exclusive_authorized_advertiser_info"]["advertiser_id"], json!(a1));
    for adv in [&a0, &a1] {
        let stores = list(adv);
        let new: Vec<&Value> =
            stores.as_array().unwrap().iter().filter(|s| s["store_status"] == "NEW_CREATE").collect();
        assert_eq!(new.len(), 1);
        assert_eq!(new[0]["is_gmv_max_available"], json!(false));
        assert!(new[0].get("exclusive_authorized_advertiser_info").is_none());
        for field in [
            "store_name",
            "store_code",
            "thumbnail_url",
            "store_authorized_bc_info",
            "targeting_region_codes",
            "store_role",
        ] {
            assert!(new[0].get(field).is_some(), "{field}");
        }
        let available = stores.as_array().unwrap().iter().filter(|s| s["is_gmv_max_available"] == true).count();
        assert_eq!(available, 1);
    }
    let none = Sim::new(|c| c.account.size.gmv_max_stores_per_advertiser = 0);
    let empty = none.ok("gmv_max/store/list", &[p("advertiser_id", none.advertiser(0))]);
    assert_eq!(empty["store_list"], json!([]));
}

#[test]
fn the_campaign_list_wants_one_promotion_type_unless_the_reading_makes_it_optional() {
    let sim = Sim::new(|_| {});
    let adv = sim.advertiser(0);
    let types = |t: &str| p("filtering", json!({ "gmv_max_promotion_types": [t] }));
    for bad in [
        vec![],
        vec![p("filtering", json!({"gmv_max_promotion_types": ["PRODUCT_GMV_MAX", "LIVE_GMV_MAX"]}))],
        vec![types("PRODUCT")],
    ] {
        let mut params = vec![p("advertiser_id", &adv)];
        params.extend(bad);
        assert_eq!(sim.refused("gmv_max/campaign/get", &params).0, 40002, "{params:?}");
    }
    let product = campaign_list(&sim, &adv, &[types("PRODUCT_GMV_MAX")]);
    let live = campaign_list(&sim, &adv, &[types("LIVE_GMV_MAX")]);
    assert_eq!((product.len(), live.len()), (2, 1));
    assert!(product.iter().all(|c| c["shopping_ads_type"] == "PRODUCT" && c["objective_type"] == "PRODUCT_SALES"));
    assert!(live.iter().all(|c| c["shopping_ads_type"] == "LIVE"));
    let optional = Sim::new(|c| c.readings.gmv_campaign_type_optional = true);
    let both = json!({"gmv_max_promotion_types": ["PRODUCT_GMV_MAX", "LIVE_GMV_MAX"]});
    assert_eq!(campaign_list(&optional, &adv, &[]).len(), 3);
    assert_eq!(campaign_list(&optional, &adv, &[p("filtering", both)]).len(), 3);
    let (code, _) =
        sim.refused("gmv_max/campaign/get", &[p("advertiser_id", &adv), types("LIVE_GMV_MAX"), p("page_size", 101)]);
    assert_eq!(code, 40002);
    let only = campaign_list(&sim, &adv, &[types("LIVE_GMV_MAX"), p("fields", json!(["campaign_id", "modify_time"]))]);
    assert_eq!(only[0].as_object().unwrap().len(), 2);
}

#[test]
fn a_deleted_campaign_is_listed_only_under_status_delete_and_touch_moves_modify_time() {
    let sim = Sim::new(|_| {});
    let adv = sim.advertiser(0);
    let product = |status: Option<&str>| {
        let mut filtering = json!({"gmv_max_promotion_types": ["PRODUCT_GMV_MAX"]});
        if let Some(s) = status {
            filtering["primary_status"] = json!(s);
        }
        campaign_list(&sim, &adv, &[p("filtering", filtering)])
    };
    let deleted = sim.account().gmv_max.deleted_campaigns(&adv)[0].id.clone();
    assert!(product(None).iter().all(|c| c["campaign_id"] != deleted.as_str()));
    let only = product(Some("STATUS_DELETE"));
    assert_eq!(only.len(), 1);
    assert_eq!(
        (only[0]["campaign_id"].clone(), only[0]["operation_status"].clone()),
        (json!(deleted), json!("DISABLE"))
    );
    let times: std::collections::BTreeSet<String> =
        sim.account().gmv_max.campaigns.iter().map(|c| c.fields["modify_time"].as_str().unwrap().to_string()).collect();
    assert_eq!(times.len(), sim.account().gmv_max.campaigns.len(), "distinct modify times");
    let simulator = crate::Simulator::start(SimConfig::default());
    let before = simulator.account().gmv_max.campaign(&deleted).unwrap().fields["modify_time"].clone();
    let now = simulator.touch(&deleted);
    let after = simulator.account().gmv_max.campaign(&deleted).unwrap().fields["modify_time"].clone();
    assert_eq!(after, json!(now));
    assert_ne!(after, before);
}

#[test]
fn campaign_info_answers_one_object_and_refuses_another_advertisers_campaign() {
    let sim = Sim::new(|_| {});
    let (a0, a1) = (sim.advertiser(0), sim.advertiser(1));
    let account = sim.account();
    let store = account.gmv_max.available_stores(&a0)[0].to_string();
    let product = account.gmv_max.campaigns_of(&a0, &store, ShoppingAdsType::Product)[0].id.clone();
    let info = sim.ok("campaign/gmv_max/info", &[p("advertiser_id", &a0), p("campaign_id", &product)]);
    assert!(info.is_object() && info.get("list").is_none());
    assert_eq!(info["campaign_id"], json!(product));
    assert_eq!(info["item_list"].as_array().unwrap().len(), 3 * 2);
    for field in [
        "store_authorized_bc_id",
        "auto_budget_enabled",
        "promotion_days",
        "accelerate_testing_for_new_videos",
        "custom_anchor_video_list",
    ] {
        assert!(info.get(field).is_some(), "{field}");
    }
    let deleted = account.gmv_max.deleted_campaigns(&a0)[0].id.clone();
    sim.ok("campaign/gmv_max/info", &[p("advertiser_id", &a0), p("campaign_id", &deleted)]);
    let (code, message) = sim.refused("campaign/gmv_max/info", &[p("advertiser_id", &a1), p("campaign_id", &product)]);
    assert_eq!(code, 40002);
    assert!(message.contains("campaign_id"), "{message}");
}

#[test]
fn every_gmv_max_endpoint_refuses_the_sandbox_token() {
    let sim = Sim::new(|_| {});
    let adv = sim.advertiser(0);
    let sandbox = sim.shared.config.lock().unwrap().credentials.sandbox_token.clone();
    for endpoint in ["gmv_max/store/list", "gmv_max/campaign/get", "campaign/gmv_max/info", "gmv_max/report/get"] {
        let answer = sim.call_as(&sandbox, endpoint, &[p("advertiser_id", &adv)]);
        // The message is the Return codes appendix's description, not an observed answer: the code only.
        assert_eq!(answer["code"], 40014, "{endpoint}");
    }
    let unknown = sim.call("gmv_max/store/list", &[p("advertiser_id", "123")]);
    assert_eq!(unknown["code"], 40001);
    let logged = sim.shared.log.lock().unwrap().iter().filter(|r| r.endpoint().starts_with("gmv_max/")).count();
    assert_eq!(logged, 4);
}

pub(super) const REPORT: &str = "gmv_max/report/get";

/// A report query on advertiser `a`'s first available store, over the 30 days to `last_day`.
pub(super) struct Ask {
    params: BTreeMap<&'static str, String>,
}

impl Ask {
    pub(super) fn new(sim: &Sim, a: usize, dimensions: Value, metrics: Value) -> Ask {
        let adv = sim.advertiser(a);
        let store = sim.account().gmv_max.available_stores(&adv)[0].to_string();
        let end = last_day();
        let params = BTreeMap::from([
            p("advertiser_id", adv),
            p("store_ids", json!([store])),
            p("dimensions", dimensions),
            p("metrics", metrics),
            p("start_date", end - Duration::days(29)),
            p("end_date", end),
            p("page_size", 1000),
        ]);
        Ask { params }
    }

    pub(super) fn with(mut self, key: &'static str, value: impl ToString) -> Ask {
        self.params.insert(key, value.to_string());
        self
    }

    pub(super) fn without(mut self, key: &'static str) -> Ask {
        self.params.remove(key);
        self
    }

    pub(super) fn list(&self) -> Vec<(&'static str, String)> {
        self.params.iter().map(|(k, v)| (*k, v.clone())).collect()
    }
}

pub(super) fn rows(sim: &Sim, ask: &Ask) -> Vec<Value> {
    sim.ok(REPORT, &ask.list()).get("list").and_then(Value::as_array).cloned().unwrap_or_default()
}

pub(super) fn campaigns(sim: &Sim, a: usize, kind: ShoppingAdsType) -> Vec<String> {
    let account = sim.account();
    let adv = sim.advertiser(a);
    let store = account.gmv_max.available_stores(&adv)[0].to_string();
    account.gmv_max.campaigns_of(&adv, &store, kind).iter().map(|c| c.id.clone()).collect()
}

pub(super) fn core() -> Value {
    json!(["cost", "net_cost", "orders", "gross_revenue", "cost_per_order", "roi"])
}

pub(super) fn num(row: &Value, metric: &str) -> f64 {
    row["metrics"][metric].as_str().unwrap().parse().unwrap()
}

pub(super) fn total(rows: &[Value]) -> f64 {
    rows.iter().map(|r| num(r, "cost")).sum()
}

pub(super) fn filtering(f: Value) -> String {
    f.to_string()
}
