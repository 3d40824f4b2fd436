//! The generated Upgraded Smart+ side of the account (gmv-max-smart-plus.md §2): per advertiser,
//! Smart+ campaigns with one ad group each, their Smart+ ads and each ad's creatives. The
//! objects `/smart_plus/*/get/` lists live here; `regular.rs` turns them into the rows the
//! regular lists and the integrated report see (a Smart+ ad as its creatives, §2.1), and
//! `fields.rs` builds the objects. Everything derives from the seed.

use chrono::{Duration, NaiveDateTime};
use serde_json::Value;

use super::{base_time, fmt_time, mix, Advertiser, DataSize};

mod fields;
mod regular;

/// A Smart+ campaign (`campaign_automation_type` `UPGRADED_SMART_PLUS`), as
/// `/smart_plus/campaign/get/` lists it.
#[derive(Debug, Clone)]
pub struct SmartPlusCampaign {
    pub advertiser_id: String,
    pub campaign_id: String,
    pub fields: Value,
}

/// A Smart+ ad group, as `/smart_plus/adgroup/get/` lists it.
#[derive(Debug, Clone)]
pub struct SmartPlusAdGroup {
    pub advertiser_id: String,
    pub campaign_id: String,
    pub adgroup_id: String,
    pub fields: Value,
}

/// One creative of a Smart+ ad (§2.3 `creative_list[]`).
#[derive(Debug, Clone)]
pub struct SmartPlusCreative {
    /// Creative-level id: the `ad_id` of `/ad/get/` rows and of the integrated report.
    pub ad_id: String,
    /// Specific to this ad (not the library id).
    pub ad_material_id: String,
    /// The material reports' `main_material_id`: the creative's video id.
    pub main_material_id: String,
    /// `material_operation_status` ENABLE (true) or DISABLE.
    pub enabled: bool,
    /// The ad text (index into the ad's `ad_text_entity_ids`) its delivery is reported under.
    pub ad_text: usize,
}

/// A Smart+ ad (asset group), as `/smart_plus/ad/get/` lists it (`fields`, with its
/// `creative_list`).
#[derive(Debug, Clone)]
pub struct SmartPlusAd {
    pub advertiser_id: String,
    pub campaign_id: String,
    pub adgroup_id: String,
    /// The report's `ad_id_v2` (§2.3).
    pub smart_plus_ad_id: String,
    pub deleted: bool,
    pub creatives: Vec<SmartPlusCreative>,
    /// The material reports' `ad_text_entity_id`s (2 per ad) and `call_to_action_entity_id` (1).
    pub ad_text_entity_ids: Vec<String>,
    pub call_to_action_entity_id: String,
    pub fields: Value,
}

/// Every Smart+ object of the account.
#[derive(Debug, Clone, Default)]
pub struct SmartPlus {
    pub campaigns: Vec<SmartPlusCampaign>,
    pub adgroups: Vec<SmartPlusAdGroup>,
    pub ads: Vec<SmartPlusAd>,
}

/// Ids of the Smart+ side: a prefix per kind keeps them apart from each other and from every
/// other generated id (regular ones start 170–172).
fn id(prefix: u64, n: u64) -> String {
    format!("{}", prefix * 1_000_000_000_000 + n)
}

impl SmartPlus {
    pub fn generate(advertisers: &[Advertiser], size: &DataSize, seed: u64) -> SmartPlus {
        let mut all = SmartPlus::default();
        for (a, advertiser) in advertisers.iter().enumerate() {
            let campaigns = size.smart_plus_campaigns_per_advertiser;
            for c in 0..campaigns {
                let n = (a * 1000 + c) as u64;
                let r = mix(seed ^ n ^ 0x5a5a_0000);
                let created = base_time() - Duration::days(90) + Duration::minutes((r % 50_000) as i64);
                let campaign = fields::campaign(&advertiser.id, &id(1740, n * 1000), (a, c), created, r);
                let adgroup_id = id(1741, n * 1000);
                let adgroup = fields::adgroup(&campaign, &adgroup_id, created + Duration::minutes(5), r);
                for d in 0..size.smart_plus_ads_per_campaign {
                    // One deleted ad per advertiser: the last ad of its last Smart+ campaign.
                    let deleted = c + 1 == campaigns && d + 1 == size.smart_plus_ads_per_campaign;
                    let shape =
                        AdShape { n: n * 100 + d as u64, d, deleted, creatives: size.smart_plus_creatives_per_ad };
                    all.ads.push(ad(&adgroup, &shape, created + Duration::minutes(10 + d as i64), seed));
                }
                all.campaigns.push(campaign);
                all.adgroups.push(adgroup);
            }
        }
        all
    }

    pub fn ad(&self, smart_plus_ad_id: &str) -> Option<&SmartPlusAd> {
        self.ads.iter().find(|a| a.smart_plus_ad_id == smart_plus_ad_id)
    }

    /// The Smart+ ad a creative-level `ad_id` belongs to.
    pub fn ad_of_creative(&self, ad_id: &str) -> Option<&SmartPlusAd> {
        self.ads.iter().find(|a| a.creatives.iter().any(|c| c.ad_id == ad_id))
    }

    /// Sets `modify_time` of the Smart+ campaign, ad group or ad with this id; whether one has it.
    pub fn touch(&mut self, id: &str, time: &str) -> bool {
        let fields = self
            .campaigns
            .iter_mut()
            .filter(|c| c.campaign_id == id)
            .map(|c| &mut c.fields)
            .chain(self.adgroups.iter_mut().filter(|g| g.adgroup_id == id).map(|g| &mut g.fields))
            .chain(self.ads.iter_mut().filter(|a| a.smart_plus_ad_id == id).map(|a| &mut a.fields))
            .next();
        let Some(fields) = fields else { return false };
        fields["modify_time"] = Value::String(time.to_string());
        true
    }
}

/// Where an ad sits: its number, its place in its ad group, whether deleted, how many creatives.
struct AdShape {
    n: u64,
    d: usize,
    deleted: bool,
    creatives: usize,
}

/// Smart+ ad `shape` of `adgroup`: its first ad's last creative is DISABLE.
fn ad(adgroup: &SmartPlusAdGroup, shape: &AdShape, created: NaiveDateTime, seed: u64) -> SmartPlusAd {
    let r = mix(seed ^ (shape.n << 12) ^ 0xa5a5);
    let modified = created + Duration::minutes((r % 20_000) as i64 + 1);
    let creatives = (0..shape.creatives)
        .map(|k| {
            let cn = shape.n * 100 + k as u64;
            SmartPlusCreative {
                ad_id: id(1743, cn * 10),
                ad_material_id: id(1744, cn * 10),
                main_material_id: format!("v10033g50000spl{cn:010}"),
                enabled: !(shape.d == 0 && k + 1 == shape.creatives && shape.creatives > 1),
                ad_text: k % 2,
            }
        })
        .collect();
    let mut ad = SmartPlusAd {
        advertiser_id: adgroup.advertiser_id.clone(),
        campaign_id: adgroup.campaign_id.clone(),
        adgroup_id: adgroup.adgroup_id.clone(),
        smart_plus_ad_id: id(1742, shape.n * 10),
        deleted: shape.deleted,
        creatives,
        ad_text_entity_ids: (0..2).map(|t| id(1745, shape.n * 10 + t)).collect(),
        call_to_action_entity_id: id(1746, shape.n * 10),
        fields: Value::Null,
    };
    ad.fields = fields::ad(adgroup, &ad, shape.d, (fmt_time(created), fmt_time(modified)));
    ad
}
