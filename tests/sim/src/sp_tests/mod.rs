//! Upgraded Smart+ through the whole request path (gmv-max-smart-plus.md §2): the lists here,
//! the integrated report's `ad_id_v2` and the material reports in `report.rs`.

use serde_json::{json, Value};

use crate::config::SimConfig;
use crate::server::handle;
use crate::Simulator;

mod report;

/// A simulator with one Smart+ campaign per advertiser (2 ads of 3 creatives), read without
/// sockets.
pub(super) struct Sp {
    pub(super) sim: Simulator,
}

impl Sp {
    pub(super) fn new(change: impl FnOnce(&mut SimConfig)) -> Sp {
        let mut config = SimConfig::default();
        config.account.size.smart_plus_campaigns_per_advertiser = 1;
        change(&mut config);
        Sp { sim: Simulator::start(config) }
    }

    pub(super) fn advertiser(&self) -> String {
        self.sim.account().advertisers[0].id.clone()
    }

    pub(super) fn call_as(&self, sandbox: bool, endpoint: &str, params: &[(&str, String)]) -> Value {
        let credentials = self.sim.config().credentials;
        let token = if sandbox { credentials.sandbox_token } else { credentials.access_token };
        let query: String = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
        let reply = handle(&self.sim.shared, "GET", &format!("/open_api/v1.3/{endpoint}/?{query}"), Some(&token), b"");
        serde_json::from_slice(&reply.body).unwrap()
    }

    pub(super) fn ok(&self, endpoint: &str, params: &[(&str, String)]) -> Value {
        let answer = self.call_as(false, endpoint, params);
        assert_eq!(answer["code"], 0, "{endpoint} {params:?}: {answer}");
        answer["data"].clone()
    }

    pub(super) fn refused(&self, endpoint: &str, params: &[(&str, String)]) -> (i64, String) {
        let answer = self.call_as(false, endpoint, params);
        assert_ne!(answer["code"], 0, "{endpoint} {params:?} was answered");
        (answer["code"].as_i64().unwrap(), answer["message"].as_str().unwrap().to_string())
    }

    /// Every item of a list endpoint (page size 100).
    pub(super) fn list(&self, endpoint: &str, extra: &[(&'static str, String)]) -> Vec<Value> {
        let mut params = vec![p("advertiser_id", self.advertiser()), p("page", 1), p("page_size", 100)];
        params.extend_from_slice(extra);
        self.ok(endpoint, &params)["list"].as_array().unwrap().clone()
    }
}

pub(super) fn p(key: &'static str, value: impl ToString) -> (&'static str, String) {
    (key, value.to_string())
}

fn ids(rows: &[Value], key: &str) -> Vec<String> {
    rows.iter().map(|r| r[key].as_str().unwrap().to_string()).collect()
}

#[test]
fn by_default_no_list_holds_a_smart_plus_object() {
    let sp = Sp::new(|c| c.account.size.smart_plus_campaigns_per_advertiser = 0);
    assert!(sp.sim.account().smart_plus.ads.is_empty());
    for endpoint in ["campaign/get", "adgroup/get", "ad/get"] {
        let rows = sp.list(endpoint, &[p("filtering", json!({"primary_status": "STATUS_ALL"}))]);
        assert!(!rows.is_empty());
        assert!(rows.iter().all(|r| r.get("smart_plus_ad_id").is_none()), "{endpoint}");
        let manual = |r: &Value| r["campaign_automation_type"] == "MANUAL";
        assert!(endpoint == "ad/get" || rows.iter().all(manual), "{endpoint}");
    }
    assert!(sp.list("smart_plus/ad/get", &[]).is_empty());
}

#[test]
fn a_smart_plus_ad_is_listed_once_with_its_creatives_and_as_its_creatives_in_ad_get() {
    for hidden in [false, true] {
        let sp = Sp::new(|c| c.readings.smart_plus_not_in_regular_lists = hidden);
        let account = sp.sim.account();
        let ad = &account.smart_plus.ads[0];
        let listed = sp.list("smart_plus/ad/get", &[]);
        assert_eq!(ids(&listed, "smart_plus_ad_id").iter().filter(|i| **i == ad.smart_plus_ad_id).count(), 1);
        let row = listed.iter().find(|r| r["smart_plus_ad_id"] == ad.smart_plus_ad_id.as_str()).unwrap();
        let creatives = row["creative_list"].as_array().unwrap();
        assert_eq!(creatives.len(), 3);
        assert_eq!(
            ids(creatives, "ad_material_id"),
            ad.creatives.iter().map(|c| c.ad_material_id.clone()).collect::<Vec<_>>()
        );
        assert_eq!(row["ad_text_list"].as_array().unwrap().len(), 2);
        assert_eq!(row["call_to_action_list"][0]["call_to_action"], "SHOP_NOW");
        assert_eq!(creatives[2]["material_operation_status"], "DISABLE");
        assert!(row["creative_list"][0]["creative_info"]["music_info"].get("music_id").is_none(), "nulls dropped");

        let regular = sp.list("ad/get", &[]);
        let of_ad: Vec<&Value> =
            regular.iter().filter(|r| r["smart_plus_ad_id"] == ad.smart_plus_ad_id.as_str()).collect();
        let campaigns = sp.list("campaign/get", &[]);
        let smart_campaigns =
            campaigns.iter().filter(|c| c["campaign_automation_type"] == "UPGRADED_SMART_PLUS").count();
        if hidden {
            assert!(of_ad.is_empty() && smart_campaigns == 0);
            continue;
        }
        assert_eq!(smart_campaigns, 1);
        let creative_ids: Vec<String> = ad.creatives.iter().map(|c| c.ad_id.clone()).collect();
        let mut listed_ids: Vec<String> = of_ad.iter().map(|r| r["ad_id"].as_str().unwrap().to_string()).collect();
        listed_ids.sort();
        assert_eq!(listed_ids, creative_ids);
        assert!(of_ad
            .iter()
            .all(|r| r["campaign_automation_type"] == "UPGRADED_SMART_PLUS_CREATIVE" && r["ad_text"] == ""));
        assert!(
            of_ad.iter().any(|r| r.get("modify_time").is_none())
                && of_ad.iter().any(|r| r.get("modify_time").is_some())
        );
    }
}

#[test]
fn page_and_page_size_are_required_and_the_ad_page_size_follows_the_reading() {
    for (max, refused_at) in [(100, 101), (1000, 1001)] {
        let sp = Sp::new(|c| c.readings.smart_plus_ad_page_size_max = max);
        let adv = sp.advertiser();
        for endpoint in ["smart_plus/campaign/get", "smart_plus/adgroup/get", "smart_plus/ad/get"] {
            let (code, message) = sp.refused(endpoint, &[p("advertiser_id", &adv), p("page_size", 10)]);
            assert_eq!((code, message.as_str()), (40002, "page: Missing data for required field."));
            let (code, message) = sp.refused(endpoint, &[p("advertiser_id", &adv), p("page", 1)]);
            assert_eq!((code, message.as_str()), (40002, "page_size: Missing data for required field."));
            sp.ok(endpoint, &[p("advertiser_id", &adv), p("page", 1), p("page_size", 1000.min(max))]);
        }
        let ask = |size: u32| [p("advertiser_id", &adv), p("page", 1), p("page_size", size)];
        sp.ok("smart_plus/ad/get", &ask(max));
        assert_eq!(sp.refused("smart_plus/ad/get", &ask(refused_at)).0, 40002);
        sp.ok("smart_plus/campaign/get", &ask(1000));
        let (code, _) = sp.refused(
            "smart_plus/ad/get",
            &[p("advertiser_id", &adv), p("page", 1), p("page_size", 10), p("filtering", json!({"ad_ids": ["1"]}))],
        );
        assert_eq!(code, 40002, "unknown filtering key");
    }
}

#[test]
fn modified_after_returns_only_the_touched_ad_and_the_deleted_ad_comes_only_with_status_all() {
    let sp = Sp::new(|_| {});
    let account = sp.sim.account();
    let mine: Vec<_> = account.smart_plus.ads.iter().filter(|a| a.advertiser_id == sp.advertiser()).collect();
    let deleted = mine.iter().find(|a| a.deleted).unwrap();
    let live = mine.iter().find(|a| !a.deleted).unwrap();
    let listed = ids(&sp.list("smart_plus/ad/get", &[]), "smart_plus_ad_id");
    assert!(listed.contains(&live.smart_plus_ad_id) && !listed.contains(&deleted.smart_plus_ad_id));
    let all = ids(
        &sp.list("smart_plus/ad/get", &[p("filtering", json!({"primary_status": "STATUS_ALL"}))]),
        "smart_plus_ad_id",
    );
    assert_eq!(all.len(), listed.len() + 1);
    assert!(all.contains(&deleted.smart_plus_ad_id));

    let before = chrono::Utc::now().naive_utc() - chrono::Duration::seconds(1);
    let since = json!({"modified_after": crate::data::fmt_time(before)});
    assert!(sp.list("smart_plus/ad/get", &[p("filtering", &since)]).is_empty());
    let stamp = sp.sim.touch(&live.smart_plus_ad_id);
    let changed = sp.list("smart_plus/ad/get", &[p("filtering", &since)]);
    assert_eq!(ids(&changed, "smart_plus_ad_id"), vec![live.smart_plus_ad_id.clone()]);
    assert_eq!(changed[0]["modify_time"], stamp.as_str());
    // At or after: the stamp itself still matches.
    let at = sp.list("smart_plus/ad/get", &[p("filtering", json!({"modified_after": stamp}))]);
    assert_eq!(at.len(), 1);
    let old = json!({"modified_after": "2020-01-01 00:00:00"});
    let (code, message) = sp.refused(
        "smart_plus/ad/get",
        &[p("advertiser_id", sp.advertiser()), p("page", 1), p("page_size", 10), p("filtering", old)],
    );
    assert_eq!((code, message.as_str()), (40002, "filtering.modified_after: must be within the last 6 months."));
}

#[test]
fn every_smart_plus_endpoint_refuses_the_sandbox_token() {
    let sp = Sp::new(|_| {});
    let params = [p("advertiser_id", sp.advertiser()), p("page", 1), p("page_size", 10)];
    for endpoint in [
        "smart_plus/campaign/get",
        "smart_plus/adgroup/get",
        "smart_plus/ad/get",
        "smart_plus/material_report/overview",
    ] {
        assert_eq!(sp.call_as(true, endpoint, &params)["code"], 40014, "{endpoint}");
    }
}
