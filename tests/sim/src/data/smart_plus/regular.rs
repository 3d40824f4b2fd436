//! The Smart+ objects as the regular lists and the integrated report see them
//! (gmv-max-smart-plus.md §2.1): campaigns and ad groups with `campaign_automation_type`
//! `UPGRADED_SMART_PLUS` (DOC-CAMP; DOC-ADG), and each Smart+ ad as its creatives, one
//! `Level::Ad` entity per creative keyed by the creative-level `ad_id`, with `smart_plus_ad_id`,
//! `campaign_automation_type` `UPGRADED_SMART_PLUS_CREATIVE`, an empty `ad_text` (3P) and, on
//! every second creative, no `modify_time` (DOC-USP-DATA; DOC-USP-COMPAT; 3P).

use serde_json::{json, Map, Value};

use super::{SmartPlus, SmartPlusAd};
use crate::data::{Entity, Level};

/// The keys a regular list row takes over from the `/smart_plus/*` object.
const CAMPAIGN_KEYS: &[&str] = &[
    "advertiser_id",
    "campaign_id",
    "campaign_name",
    "campaign_type",
    "objective_type",
    "budget",
    "budget_mode",
    "budget_optimize_on",
    "operation_status",
    "secondary_status",
    "create_time",
    "modify_time",
];
const ADGROUP_KEYS: &[&str] = &[
    "advertiser_id",
    "campaign_id",
    "campaign_name",
    "adgroup_id",
    "adgroup_name",
    "placement_type",
    "placements",
    "promotion_type",
    "optimization_goal",
    "optimization_event",
    "billing_event",
    "bid_type",
    "budget",
    "budget_mode",
    "pacing",
    "operation_status",
    "secondary_status",
    "create_time",
    "modify_time",
];

fn take(fields: &Value, keys: &[&str], automation: &str) -> Value {
    let mut map: Map<String, Value> = keys.iter().map(|k| (k.to_string(), fields[*k].clone())).collect();
    map.insert("campaign_automation_type".into(), json!(automation));
    map.insert("is_new_structure".into(), json!(true));
    Value::Object(map)
}

impl SmartPlus {
    /// The regular list rows (and report entities) of every Smart+ object.
    pub fn entities(&self) -> Vec<Entity> {
        let mut out = Vec::new();
        for c in &self.campaigns {
            out.push(Entity {
                level: Level::Campaign,
                id: c.campaign_id.clone(),
                advertiser_id: c.advertiser_id.clone(),
                campaign_id: c.campaign_id.clone(),
                adgroup_id: None,
                deleted: false,
                topview: false,
                promote: false,
                fields: take(&c.fields, CAMPAIGN_KEYS, "UPGRADED_SMART_PLUS"),
            });
        }
        for g in &self.adgroups {
            out.push(Entity {
                level: Level::AdGroup,
                id: g.adgroup_id.clone(),
                advertiser_id: g.advertiser_id.clone(),
                campaign_id: g.campaign_id.clone(),
                adgroup_id: Some(g.adgroup_id.clone()),
                deleted: false,
                topview: false,
                promote: false,
                fields: take(&g.fields, ADGROUP_KEYS, "UPGRADED_SMART_PLUS"),
            });
        }
        out.extend(self.ads.iter().flat_map(creative_rows));
        out
    }
}

/// A Smart+ ad as `/ad/get/` lists it: one row per creative.
fn creative_rows(ad: &SmartPlusAd) -> Vec<Entity> {
    let f = &ad.fields;
    ad.creatives
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let status = if ad.deleted || !c.enabled { "DISABLE" } else { "ENABLE" };
            let mut fields = json!({
                "advertiser_id": ad.advertiser_id, "campaign_id": ad.campaign_id, "campaign_name": f["campaign_name"],
                "adgroup_id": ad.adgroup_id, "adgroup_name": f["adgroup_name"], "ad_id": c.ad_id,
                "smart_plus_ad_id": ad.smart_plus_ad_id, "campaign_automation_type": "UPGRADED_SMART_PLUS_CREATIVE",
                "ad_name": f["ad_name"], "ad_text": "", "ad_format": "SINGLE_VIDEO", "video_id": c.main_material_id,
                "image_ids": [], "identity_id": "7001", "identity_type": "CUSTOMIZED_USER",
                "landing_page_url": f["landing_page_url_list"][0]["landing_page_url"], "call_to_action": "SHOP_NOW",
                "is_aco": false, "is_new_structure": true,
                "secondary_status": if ad.deleted { "AD_STATUS_DELETE" } else { "AD_STATUS_DELIVERY_OK" },
                "operation_status": status, "create_time": f["create_time"], "modify_time": f["modify_time"],
            });
            // DOC-USP-COMPAT; 3P: some creative rows come without modify_time.
            if k % 2 == 1 {
                fields.as_object_mut().unwrap().remove("modify_time");
            }
            Entity {
                level: Level::Ad,
                id: c.ad_id.clone(),
                advertiser_id: ad.advertiser_id.clone(),
                campaign_id: ad.campaign_id.clone(),
                adgroup_id: Some(ad.adgroup_id.clone()),
                deleted: ad.deleted,
                topview: false,
                promote: false,
                fields,
            }
        })
        .collect()
}
