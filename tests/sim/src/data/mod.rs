//! Deterministic generated account data: advertisers, campaigns, ad groups and ads with the
//! field names and JSON types TikTok v1.3 returns.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use serde_json::Value;

mod assets;
mod entities;
mod gmv_max;
mod smart_plus;

pub use gmv_max::{
    gmv_max_data_start, GmvCampaign, GmvMax, GmvProduct, GmvRoom, GmvStore, GmvValues, ShoppingAdsType, StoreListing,
};
pub use smart_plus::{SmartPlus, SmartPlusAd, SmartPlusAdGroup, SmartPlusCampaign, SmartPlusCreative};

/// How big the generated account is.
#[derive(Debug, Clone)]
pub struct DataSize {
    pub advertisers: usize,
    pub campaigns_per_advertiser: usize,
    pub adgroups_per_campaign: usize,
    pub ads_per_adgroup: usize,
    /// Audiences, videos, music, portfolios and Spark posts per advertiser (three times as many
    /// images; at most two pixels).
    pub assets_per_kind: usize,
    /// TopView (reservation) campaigns per advertiser, besides the others, each with their ad
    /// groups and ads: listed and reported only when asked for alone (DOC-CAMP).
    pub topview_campaigns_per_advertiser: usize,
    /// Promote campaigns (made in the TikTok app, `campaign_system_origin` PROMOTE) per
    /// delivering advertiser, each with 1 ad group of 2 ads: listed only when
    /// `campaign_system_origins` names PROMOTE (DOC-CAMP), left out of synchronous reports and
    /// kept in task files unless filtered (DOC-PROMOTE). 0 (the default): none.
    pub promote_campaigns_per_advertiser: usize,
    /// GMV Max stores each advertiser may run GMV Max on (gmv-max-smart-plus.md §1.2); 0: no
    /// advertiser lists any store.
    pub gmv_max_stores_per_advertiser: usize,
    /// PRODUCT and LIVE GMV Max campaigns per available (advertiser, store).
    pub gmv_max_product_campaigns_per_store: usize,
    pub gmv_max_live_campaigns_per_store: usize,
    /// Products (SPUs, `item_group_id`) per PRODUCT campaign, and posts (`item_id`) per product.
    pub gmv_max_products_per_campaign: usize,
    pub gmv_max_items_per_product: usize,
    /// LIVE rooms (`room_id`) per LIVE campaign.
    pub gmv_max_rooms_per_live_campaign: usize,
    /// Upgraded Smart+ campaigns per advertiser (gmv-max-smart-plus.md §2), each with one ad
    /// group; 0 (the default): none, and every list and report is as before.
    pub smart_plus_campaigns_per_advertiser: usize,
    /// Smart+ ads in each Smart+ campaign's ad group.
    pub smart_plus_ads_per_campaign: usize,
    /// Creatives per Smart+ ad (TikTok allows up to 50, §2.3 3P).
    pub smart_plus_creatives_per_ad: usize,
}

impl Default for DataSize {
    fn default() -> Self {
        Self {
            advertisers: 2,
            campaigns_per_advertiser: 3,
            adgroups_per_campaign: 2,
            ads_per_adgroup: 2,
            assets_per_kind: 4,
            topview_campaigns_per_advertiser: 0,
            promote_campaigns_per_advertiser: 0,
            gmv_max_stores_per_advertiser: 1,
            gmv_max_product_campaigns_per_store: 2,
            gmv_max_live_campaigns_per_store: 1,
            gmv_max_products_per_campaign: 3,
            gmv_max_items_per_product: 2,
            gmv_max_rooms_per_live_campaign: 2,
            smart_plus_campaigns_per_advertiser: 0,
            smart_plus_ads_per_campaign: 2,
            smart_plus_creatives_per_ad: 3,
        }
    }
}

/// Which advertisers deliver ads, and on which days. TikTok has report rows only for objects
/// with cost (tiktok-api.md §4.7): on a day an advertiser delivers nothing, no level has a row.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// The last this many advertisers of the account never deliver (agencies keep idle accounts).
    pub idle_advertisers: usize,
    /// The share of days (0.0–1.0) the other advertisers deliver on, drawn per advertiser and
    /// day from the seed; 1.0: every day their ads exist.
    pub active_day_share: f64,
}

impl Default for Delivery {
    fn default() -> Self {
        Self { idle_advertisers: 0, active_day_share: 1.0 }
    }
}

impl Delivery {
    /// Whether the advertiser at `index` of the account's `count` delivers on `day`.
    pub fn delivers(&self, index: usize, count: usize, day: NaiveDate, seed: u64) -> bool {
        if index + self.idle_advertisers >= count {
            return false;
        }
        if self.active_day_share >= 1.0 {
            return true;
        }
        let draw = mix(seed ^ mix(index as u64 + 1) ^ ((day.num_days_from_ce() as u64) << 24));
        ((draw % 10_000) as f64) < self.active_day_share * 10_000.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Campaign,
    AdGroup,
    Ad,
}

/// One campaign, ad group or ad. `fields` is the object as the API returns it.
#[derive(Debug, Clone)]
pub struct Entity {
    pub level: Level,
    pub id: String,
    pub advertiser_id: String,
    pub campaign_id: String,
    pub adgroup_id: Option<String>,
    pub deleted: bool,
    /// A TopView object (`RESERVATION_TOP_VIEW`).
    pub topview: bool,
    /// A Promote object: a campaign made in the TikTok app, its ad group or an ad of it
    /// (DOC-PROMOTE; `campaign_system_origin` PROMOTE, DOC-CAMP).
    pub promote: bool,
    pub fields: Value,
}

/// Which objects a list or report takes by where their campaign was made
/// (`campaign_system_origins`, DOC-CAMP; DOC-PROMOTE): Ads Manager and the API
/// (`TT_ADS_PLATFORM`), the TikTok app's Promote (`PROMOTE`), or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origins {
    pub ads_platform: bool,
    pub promote: bool,
}

impl Default for Origins {
    /// DOC-CAMP: `campaign_system_origins` defaults to `["TT_ADS_PLATFORM"]`.
    fn default() -> Self {
        Origins { ads_platform: true, promote: false }
    }
}

impl Origins {
    pub const BOTH: Origins = Origins { ads_platform: true, promote: true };

    pub fn admits(&self, e: &Entity) -> bool {
        if e.promote {
            self.promote
        } else {
            self.ads_platform
        }
    }
}

#[derive(Debug, Clone)]
pub struct Advertiser {
    pub id: String,
    pub name: String,
    pub display_timezone: &'static str,
    pub info: Value,
}

/// A creative asset, audience or pixel, listed by `endpoint` for its advertiser.
#[derive(Debug, Clone)]
pub struct Asset {
    pub endpoint: &'static str,
    pub advertiser_id: String,
    pub id: String,
    pub fields: Value,
}

#[derive(Debug, Clone)]
pub struct Account {
    pub advertisers: Vec<Advertiser>,
    pub entities: Vec<Entity>,
    pub assets: Vec<Asset>,
    /// GMV Max stores and campaigns (`gmv_max/`).
    pub gmv_max: GmvMax,
    /// Upgraded Smart+ campaigns, ad groups and ads (`smart_plus/`); their regular list rows
    /// (creatives for ads) are in `entities` too.
    pub smart_plus: SmartPlus,
}

impl Account {
    pub fn assets_of(&self, endpoint: &str, advertiser: &str) -> Vec<&Asset> {
        self.assets.iter().filter(|a| a.endpoint == endpoint && a.advertiser_id == advertiser).collect()
    }

    /// The advertiser's Promote campaigns (`Entity::promote`), oldest id first.
    pub fn promote_campaigns(&self, advertiser: &str) -> Vec<&Entity> {
        self.entities
            .iter()
            .filter(|e| e.level == Level::Campaign && e.promote && e.advertiser_id == advertiser)
            .collect()
    }
}

pub fn iso(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The generated history spans the four months before this instant: ten days before
/// today (UTC), so incremental reads meet recent cursors as they do in production.
pub fn base_time() -> NaiveDateTime {
    let today = chrono::Utc::now().date_naive();
    (today - Duration::days(10)).and_hms_opt(8, 0, 0).unwrap()
}

pub fn fmt_time(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// A small deterministic mixer, so data depends only on the seed and the position.
pub fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ceb9fe1a85ec53);
    x ^ (x >> 33)
}
