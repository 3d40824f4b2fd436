//! The generated GMV Max side of the account (gmv-max-smart-plus.md §1): TikTok Shop stores,
//! which advertisers list them and which one may run GMV Max on each (§1.2), and the PRODUCT
//! and LIVE campaigns of every available (advertiser, store) pair with their products, posts
//! and LIVE rooms. `values.rs` gives their report numbers. Everything derives from the seed.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use serde_json::{json, Value};

use super::{base_time, fmt_time, mix, Advertiser, DataSize};

mod values;

pub use values::GmvValues;

/// A campaign's `shopping_ads_type` (GO `campaign.go`): the report's promotion types `PRODUCT`
/// and `LIVE`, the campaign list's `PRODUCT_GMV_MAX` and `LIVE_GMV_MAX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShoppingAdsType {
    Product,
    Live,
}

impl ShoppingAdsType {
    /// The name in `shopping_ads_type` and in the report's `gmv_max_promotion_types`.
    pub fn name(self) -> &'static str {
        match self {
            ShoppingAdsType::Product => "PRODUCT",
            ShoppingAdsType::Live => "LIVE",
        }
    }
}

/// A TikTok Shop store.
#[derive(Debug, Clone)]
pub struct GmvStore {
    /// 19 digits, like TikTok Shop ids.
    pub id: String,
    pub name: String,
    /// `ACTIVE` or `NEW_CREATE`.
    pub status: &'static str,
    /// The advertiser holding the store's exclusive GMV Max authorization, if any (§1.2).
    pub holder: Option<String>,
    pub bc_id: String,
}

/// One row of an advertiser's store list.
#[derive(Debug, Clone)]
pub struct StoreListing {
    pub advertiser_id: String,
    pub store_id: String,
    /// `is_gmv_max_available`: reports may be asked for this (advertiser, store) pair.
    pub available: bool,
}

/// A product (SPU) of a PRODUCT campaign, with its posts.
#[derive(Debug, Clone)]
pub struct GmvProduct {
    pub item_group_id: String,
    pub name: String,
    pub item_ids: Vec<String>,
}

/// A LIVE room of a LIVE campaign.
#[derive(Debug, Clone)]
pub struct GmvRoom {
    pub room_id: String,
    pub name: String,
}

/// A GMV Max campaign. `fields` is the object `/gmv_max/campaign/get/` returns.
#[derive(Debug, Clone)]
pub struct GmvCampaign {
    pub id: String,
    pub advertiser_id: String,
    pub store_id: String,
    pub kind: ShoppingAdsType,
    /// Deleted: listed only under `primary_status` `STATUS_DELETE`, still in reports.
    pub deleted: bool,
    pub created: NaiveDateTime,
    /// The campaign of its store that is idle on about a third of the days.
    pub sometimes_idle: bool,
    pub products: Vec<GmvProduct>,
    pub rooms: Vec<GmvRoom>,
    pub fields: Value,
    /// Its position number, from which its draws derive.
    pub n: u64,
}

/// Every GMV Max object of the account.
#[derive(Debug, Clone, Default)]
pub struct GmvMax {
    pub seed: u64,
    pub stores: Vec<GmvStore>,
    pub listings: Vec<StoreListing>,
    pub campaigns: Vec<GmvCampaign>,
}

impl GmvMax {
    /// The store list rows of `advertiser`, in list order.
    pub fn listed_stores(&self, advertiser: &str) -> Vec<&StoreListing> {
        self.listings.iter().filter(|l| l.advertiser_id == advertiser).collect()
    }

    /// The stores `advertiser` may run GMV Max on (and ask reports for).
    pub fn available_stores(&self, advertiser: &str) -> Vec<&str> {
        self.listed_stores(advertiser).into_iter().filter(|l| l.available).map(|l| l.store_id.as_str()).collect()
    }

    pub fn store(&self, id: &str) -> Option<&GmvStore> {
        self.stores.iter().find(|s| s.id == id)
    }

    /// The campaigns (not deleted) of one type of an (advertiser, store) pair.
    pub fn campaigns_of(&self, advertiser: &str, store: &str, kind: ShoppingAdsType) -> Vec<&GmvCampaign> {
        self.campaigns
            .iter()
            .filter(|c| c.advertiser_id == advertiser && c.store_id == store && c.kind == kind && !c.deleted)
            .collect()
    }

    /// The deleted campaigns of `advertiser`.
    pub fn deleted_campaigns(&self, advertiser: &str) -> Vec<&GmvCampaign> {
        self.campaigns.iter().filter(|c| c.advertiser_id == advertiser && c.deleted).collect()
    }

    pub fn campaign(&self, id: &str) -> Option<&GmvCampaign> {
        self.campaigns.iter().find(|c| c.id == id)
    }

    pub fn campaign_mut(&mut self, id: &str) -> Option<&mut GmvCampaign> {
        self.campaigns.iter_mut().find(|c| c.id == id)
    }

    /// Stores, listings and campaigns for `advertisers` (§1.2: a store is shared by listing it
    /// under the next advertiser too, unavailable there; one new store is listed everywhere).
    pub fn generate(advertisers: &[Advertiser], size: &DataSize, seed: u64) -> GmvMax {
        let mut gmv = GmvMax { seed, ..GmvMax::default() };
        let per = size.gmv_max_stores_per_advertiser;
        if per == 0 || advertisers.is_empty() {
            return gmv;
        }
        for (a, adv) in advertisers.iter().enumerate() {
            for s in 0..per {
                gmv.stores.push(store(a * per + s, "ACTIVE", Some(adv.id.clone())));
            }
        }
        let new_store = store(advertisers.len() * per, "NEW_CREATE", None);
        let n = advertisers.len();
        for (a, adv) in advertisers.iter().enumerate() {
            let listing = |store: &GmvStore, available| StoreListing {
                advertiser_id: adv.id.clone(),
                store_id: store.id.clone(),
                available,
            };
            let own: Vec<StoreListing> = gmv.stores[a * per..(a + 1) * per].iter().map(|s| listing(s, true)).collect();
            gmv.listings.extend(own);
            if n >= 2 {
                let shared = listing(&gmv.stores[((a + 1) % n) * per], false);
                gmv.listings.push(shared);
            }
            gmv.listings.push(listing(&new_store, false));
        }
        gmv.stores.push(new_store);
        gmv.campaigns = campaigns(&gmv, advertisers, size, seed);
        gmv
    }
}

fn store(i: usize, status: &'static str, holder: Option<String>) -> GmvStore {
    GmvStore {
        id: (7_494_000_000_000_000_000u64 + i as u64).to_string(),
        name: format!("Sim Shop {}", i + 1),
        status,
        holder,
        bc_id: (7_310_000_000_000_000_000u64 + (i as u64 % 3)).to_string(),
    }
}

/// Every campaign: per available (advertiser, store), its PRODUCT then LIVE campaigns, and one
/// deleted PRODUCT campaign on the advertiser's first store.
fn campaigns(gmv: &GmvMax, advertisers: &[Advertiser], size: &DataSize, seed: u64) -> Vec<GmvCampaign> {
    let mut out = Vec::new();
    for adv in advertisers {
        for (s, store) in gmv.available_stores(&adv.id).into_iter().enumerate() {
            let mut kinds = vec![(ShoppingAdsType::Product, false); size.gmv_max_product_campaigns_per_store];
            kinds.extend(vec![(ShoppingAdsType::Live, false); size.gmv_max_live_campaigns_per_store]);
            if s == 0 {
                kinds.push((ShoppingAdsType::Product, true));
            }
            for (i, (kind, deleted)) in kinds.into_iter().enumerate() {
                let n = out.len() as u64;
                let shape = CampaignShape { kind, deleted, sometimes_idle: i == 0 && !deleted };
                out.push(campaign(adv, store, n, shape, size, seed));
            }
        }
    }
    out
}

struct CampaignShape {
    kind: ShoppingAdsType,
    deleted: bool,
    sometimes_idle: bool,
}

fn campaign(adv: &Advertiser, store: &str, n: u64, shape: CampaignShape, size: &DataSize, seed: u64) -> GmvCampaign {
    let (kind, deleted, sometimes_idle) = (shape.kind, shape.deleted, shape.sometimes_idle);
    let r = mix(seed ^ mix(n + 0x6d76));
    let id = (1_830_000_000_000_000u64 + n * 100).to_string();
    // Three hours apart and modified within two: every modify_time is distinct.
    let created =
        base_time() - Duration::days(120) + Duration::hours(3 * n as i64) + Duration::minutes((r % 60) as i64);
    let modified = created + Duration::minutes(((r >> 8) % 100) as i64 + 1);
    let products: Vec<GmvProduct> = match kind {
        ShoppingAdsType::Live => Vec::new(),
        ShoppingAdsType::Product => (0..size.gmv_max_products_per_campaign as u64)
            .map(|p| GmvProduct {
                item_group_id: (1_729_000_000_000_000_000u64 + n * 1000 + p).to_string(),
                name: format!("Sim Product {}-{}", n + 1, p + 1),
                item_ids: (0..size.gmv_max_items_per_product as u64)
                    .map(|i| (7_300_000_000_000_000_000u64 + n * 100_000 + p * 100 + i).to_string())
                    .collect(),
            })
            .collect(),
    };
    let rooms: Vec<GmvRoom> = match kind {
        ShoppingAdsType::Product => Vec::new(),
        ShoppingAdsType::Live => (0..size.gmv_max_rooms_per_live_campaign as u64)
            .map(|k| GmvRoom {
                room_id: (7_400_000_000_000_000_000u64 + n * 1000 + k).to_string(),
                name: format!("Sim LIVE {}-{}", n + 1, k + 1),
            })
            .collect(),
    };
    let fields = campaign_fields(adv, store, &id, &shape, (created, modified), &products, r);
    GmvCampaign {
        id,
        advertiser_id: adv.id.clone(),
        store_id: store.to_string(),
        kind,
        deleted,
        created,
        sometimes_idle,
        products,
        rooms,
        fields,
        n,
    }
}

/// The fields of GO `model/campaign/gmvmax/campaign.go`, every one (GO: no `fields`, all of them).
fn campaign_fields(
    adv: &Advertiser,
    store: &str,
    id: &str,
    shape: &CampaignShape,
    (created, modified): (NaiveDateTime, NaiveDateTime),
    products: &[GmvProduct],
    r: u64,
) -> Value {
    let (kind, deleted) = (shape.kind, shape.deleted);
    let product = kind == ShoppingAdsType::Product;
    let items: Vec<Value> = products
        .iter()
        .flat_map(|p| p.item_ids.iter())
        .map(|item| json!({"item_id": item, "identity_id": "7001", "identity_type": "TT_USER"}))
        .collect();
    json!({
        "advertiser_id": adv.id, "campaign_id": id,
        "campaign_name": format!("GMV Max {} {}", kind.name(), &id[id.len() - 4..]),
        "operation_status": if deleted { "DISABLE" } else { "ENABLE" },
        "objective_type": "PRODUCT_SALES",
        "secondary_status": if deleted { "CAMPAIGN_STATUS_DELETE" } else { "CAMPAIGN_STATUS_ENABLE" },
        "store_id": store, "store_authorized_bc_id": "7310000000000000000",
        "shopping_ads_type": kind.name(),
        "product_specific_type": if product { "CUSTOMIZED_PRODUCTS" } else { "UNSET" },
        "item_group_ids": products.iter().map(|p| p.item_group_id.clone()).collect::<Vec<_>>(),
        "optimization_goal": "VALUE",
        "roi_protection_enabled": r.is_multiple_of(2),
        "roi_protection_compensation_status": if r.is_multiple_of(2) { "IN_EFFECT" } else { "NOT_ELIGIBLE" },
        "deep_bid_type": "VO_MIN_ROAS",
        "roas_bid": 2.0 + ((r >> 16) % 30) as f64 / 10.0,
        "budget": 50.0 + ((r >> 24) % 40) as f64 * 5.0,
        "schedule_type": "SCHEDULE_FROM_NOW",
        "schedule_start_time": fmt_time(created), "schedule_end_time": fmt_time(created + Duration::days(3650)),
        "placements": if product { json!(["PLACEMENT_TIKTOK", "PLACEMENT_PANGLE"]) } else { json!(["PLACEMENT_TIKTOK"]) },
        "location_ids": ["6252001"], "age_groups": ["AGE_18_24", "AGE_25_34", "AGE_35_44"],
        "product_video_specific_type": if product { "AUTO_SELECTION" } else { "UNSET" },
        "identity_list": [{"identity_id": "7001", "identity_type": "TT_USER", "display_name": "Sim Shop Official"}],
        "affiliate_posts_enabled": product && r.is_multiple_of(3),
        "items": items,
        "create_time": fmt_time(created), "modify_time": fmt_time(modified),
    })
}

/// The first day GMV Max data exists (§1.10: AB clamps start dates to it).
pub fn gmv_max_data_start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, 9, 1).unwrap()
}
