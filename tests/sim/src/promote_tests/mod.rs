//! Promote campaigns (made in the TikTok app, DOC-PROMOTE) through the whole request path,
//! without sockets: the lists here, the synchronous report and tasks in `report.rs`.

use serde_json::{json, Value};

use crate::config::SimConfig;
use crate::data::{Account, Level};
use crate::server::{handle, Shared};

mod report;

/// A simulator whose advertisers have 2 Promote campaigns each (1 ad group, 2 ads apiece).
pub(super) struct Sim {
    pub(super) shared: Shared,
}

impl Sim {
    pub(super) fn new(change: impl FnOnce(&mut SimConfig)) -> Sim {
        let mut config = SimConfig::default();
        config.account.size.promote_campaigns_per_advertiser = 2;
        change(&mut config);
        let account = Account::generate(&config.account.size, config.account.seed);
        Sim { shared: Shared::new(config, account) }
    }

    pub(super) fn account(&self) -> Account {
        self.shared.account.lock().unwrap().clone()
    }

    pub(super) fn advertiser(&self) -> String {
        self.account().advertisers[0].id.clone()
    }

    /// The reply to a GET with these parameters, or to a POST of them as a JSON body.
    pub(super) fn send(&self, method: &str, endpoint: &str, params: &[(&str, String)]) -> crate::wire::Reply {
        let token = self.shared.config.lock().unwrap().credentials.access_token.clone();
        let url = format!("/open_api/v1.3/{endpoint}/");
        if method == "POST" {
            let body: serde_json::Map<String, Value> =
                params.iter().map(|(k, v)| (k.to_string(), Value::String(v.clone()))).collect();
            return handle(&self.shared, "POST", &url, Some(&token), Value::Object(body).to_string().as_bytes());
        }
        let query: String = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(params).finish();
        handle(&self.shared, "GET", &format!("{url}?{query}"), Some(&token), b"")
    }

    pub(super) fn envelope(&self, method: &str, endpoint: &str, params: &[(&str, String)]) -> Value {
        serde_json::from_slice(&self.send(method, endpoint, params).body).unwrap()
    }

    /// `data` of a successful GET.
    pub(super) fn ok(&self, endpoint: &str, params: &[(&str, String)]) -> Value {
        let answer = self.envelope("GET", endpoint, params);
        assert_eq!(answer["code"], 0, "{endpoint} {params:?}: {answer}");
        answer["data"].clone()
    }

    /// Every id a list endpoint gives for the first advertiser with this `filtering`.
    fn listed(&self, endpoint: &str, key: &str, filtering: Option<Value>) -> Vec<String> {
        let mut params = vec![p("advertiser_id", self.advertiser()), p("page", 1), p("page_size", 1000)];
        params.extend(filtering.map(|f| p("filtering", f)));
        let mut ids = ids(&self.ok(endpoint, &params)["list"], key);
        ids.sort();
        ids
    }
}

pub(super) fn p(key: &'static str, value: impl ToString) -> (&'static str, String) {
    (key, value.to_string())
}

fn ids(list: &Value, key: &str) -> Vec<String> {
    list.as_array().unwrap().iter().map(|r| r[key].as_str().unwrap().to_string()).collect()
}

/// The first advertiser's ids at `level`, Promote ones or the others (deleted ones left out).
pub(super) fn ids_of(account: &Account, advertiser: &str, level: Level, promote: bool) -> Vec<String> {
    let mut ids: Vec<String> = account
        .entities
        .iter()
        .filter(|e| e.level == level && e.advertiser_id == advertiser && e.promote == promote && !e.deleted)
        .map(|e| e.id.clone())
        .collect();
    ids.sort();
    ids
}

#[test]
fn lists_leave_promote_objects_out_unless_campaign_system_origins_names_promote() {
    let sim = Sim::new(|_| {});
    let account = sim.account();
    let adv = sim.advertiser();
    let campaigns = account.promote_campaigns(&adv);
    assert_eq!(campaigns.len(), 2);
    assert!(campaigns.iter().all(|c| c.promote && c.fields["campaign_system_origin"] == "PROMOTE"));
    for (endpoint, key, level, count) in [
        ("campaign/get", "campaign_id", Level::Campaign, 2),
        ("adgroup/get", "adgroup_id", Level::AdGroup, 2),
        ("ad/get", "ad_id", Level::Ad, 4),
    ] {
        let promote = ids_of(&account, &adv, level, true);
        let others = ids_of(&account, &adv, level, false);
        assert_eq!(promote.len(), count, "{endpoint}");
        assert!(promote.iter().all(|id| !others.contains(id)), "{endpoint}: ids apart");
        // DOC-CAMP: the default is ["TT_ADS_PLATFORM"].
        assert_eq!(sim.listed(endpoint, key, None), others, "{endpoint}");
        let platform = json!({"campaign_system_origins": ["TT_ADS_PLATFORM"]});
        assert_eq!(sim.listed(endpoint, key, Some(platform)), others, "{endpoint}");
        let only = json!({"campaign_system_origins": ["PROMOTE"]});
        assert_eq!(sim.listed(endpoint, key, Some(only)), promote, "{endpoint}");
        let both = json!({"campaign_system_origins": ["TT_ADS_PLATFORM", "PROMOTE"]});
        let mut all = [others.clone(), promote.clone()].concat();
        all.sort();
        assert_eq!(sim.listed(endpoint, key, Some(both)), all, "{endpoint}");
    }
}

#[test]
fn a_promote_campaign_answers_only_its_six_fields_and_its_origin() {
    let sim = Sim::new(|_| {});
    let params = [
        p("advertiser_id", sim.advertiser()),
        p("page", 1),
        p("page_size", 100),
        p("filtering", json!({"campaign_system_origins": ["PROMOTE"]})),
    ];
    let list = sim.ok("campaign/get", &params)["list"].as_array().unwrap().clone();
    assert_eq!(list.len(), 2);
    for campaign in list {
        let mut keys: Vec<&str> = campaign.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "advertiser_id",
                "campaign_id",
                "campaign_name",
                "campaign_system_origin",
                "create_time",
                "operation_status",
                "secondary_status"
            ]
        );
        assert_eq!(campaign["campaign_system_origin"], "PROMOTE");
    }
}

#[test]
fn an_unknown_or_malformed_origin_is_refused_with_40002() {
    let sim = Sim::new(|_| {});
    for endpoint in ["campaign/get", "adgroup/get", "ad/get"] {
        for filtering in
            [json!({"campaign_system_origins": ["ORGANIC"]}), json!({"campaign_system_origins": "PROMOTE"})]
        {
            let params = [p("advertiser_id", sim.advertiser()), p("filtering", filtering)];
            assert_eq!(sim.envelope("GET", endpoint, &params)["code"], 40002, "{endpoint}");
        }
    }
}

#[test]
fn without_promote_campaigns_the_account_is_what_it_was() {
    let with = Sim::new(|_| {}).account();
    let without = Sim::new(|c| c.account.size.promote_campaigns_per_advertiser = 0).account();
    let regular: Vec<(String, Value)> =
        with.entities.iter().filter(|e| !e.promote).map(|e| (e.id.clone(), e.fields.clone())).collect();
    let before: Vec<(String, Value)> = without.entities.iter().map(|e| (e.id.clone(), e.fields.clone())).collect();
    assert_eq!(regular, before);
    assert!(without.promote_campaigns(&without.advertisers[0].id).is_empty());
}
