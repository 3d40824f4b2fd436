//! The generated entity tree: advertisers, and under each its campaigns (TopView ones, then
//! Promote ones last), their ad groups and their ads, with the fields and JSON types TikTok
//! v1.3 returns. Every value depends only on the seed and the object's position.

use chrono::{Duration, NaiveDateTime};
use serde_json::json;

use super::assets::generate_assets;
use super::{base_time, fmt_time, mix, Account, Advertiser, DataSize, Entity, GmvMax, Level, SmartPlus};

/// Advertisers' `timezone` and `display_timezone`, in turn. Most zones have an `Etc/GMT±N`
/// form; a half-hour zone has none, so TikTok names it (the fourth advertiser on).
const TIMEZONES: &[(&str, &str)] = &[
    ("Etc/GMT+8", "America/Los_Angeles"),
    ("Etc/GMT", "Europe/London"),
    ("Etc/GMT-8", "Asia/Shanghai"),
    ("Asia/Kolkata", "Asia/Kolkata"),
];
const OBJECTIVES: &[&str] = &["TRAFFIC", "CONVERSIONS", "APP_PROMOTION", "REACH", "VIDEO_VIEWS"];

impl Account {
    pub fn generate(size: &DataSize, seed: u64) -> Account {
        let mut account = Account {
            advertisers: Vec::new(),
            entities: Vec::new(),
            assets: Vec::new(),
            gmv_max: Default::default(),
            smart_plus: Default::default(),
        };
        for a in 0..size.advertisers {
            let advertiser = advertiser(a);
            account.assets.extend(generate_assets(a, &advertiser.id, size.assets_per_kind, seed));
            for c in 0..size.campaigns_per_advertiser + size.topview_campaigns_per_advertiser {
                let topview = c >= size.campaigns_per_advertiser;
                let campaign = campaign(&advertiser.id, a, c, topview, seed);
                account.entities.push(campaign.entity.clone());
                for g in 0..size.adgroups_per_campaign {
                    let adgroup = adgroup(&campaign, a, c, g, seed);
                    account.entities.push(adgroup.entity.clone());
                    for d in 0..size.ads_per_adgroup {
                        account.entities.push(ad(&campaign, &adgroup, (a, c, g, d), seed));
                    }
                }
            }
            // Promote campaigns: 1 ad group of 2 ads each, none deleted, so they deliver on the
            // advertiser's delivering days as the others do.
            for c in 0..size.promote_campaigns_per_advertiser {
                let campaign = promote_campaign(&advertiser.id, a, c, seed);
                let adgroup = adgroup(&campaign, a, c, 0, seed);
                account.entities.push(campaign.entity.clone());
                account.entities.push(adgroup.entity.clone());
                for d in 0..2 {
                    account.entities.push(ad(&campaign, &adgroup, (a, c, 0, d), seed));
                }
            }
            account.advertisers.push(advertiser);
        }
        account.gmv_max = GmvMax::generate(&account.advertisers, size, seed);
        account.smart_plus = SmartPlus::generate(&account.advertisers, size, seed);
        account.entities.extend(account.smart_plus.entities());
        account
    }
}

/// An entity being generated, with what its children inherit.
struct Parent {
    entity: Entity,
    /// Its position number, from which its children's ids and draws derive.
    n: u64,
    name: String,
    created: NaiveDateTime,
}

/// The advertiser at `a`.
fn advertiser(a: usize) -> Advertiser {
    let adv_id = format!("{}", 7_002_238_017_842_757_000u64 + a as u64 * 11);
    let (timezone, display_timezone) = TIMEZONES[a % TIMEZONES.len()];
    let name = format!("Sim Advertiser {}", a + 1);
    let info = json!({
        "advertiser_id": adv_id, "name": name, "company": format!("Sim Company {}", a + 1),
        "status": "STATUS_ENABLE", "role": "ROLE_ADVERTISER", "rejection_reason": "",
        "timezone": timezone, "display_timezone": display_timezone, "currency": "USD",
        "country": "US", "industry": "291905", "language": "en", "balance": 5325.43 + a as f64,
        "create_time": 1_630_335_591i64 + a as i64 * 86_400, "advertiser_account_type": "AUCTION",
        "description": "", "address": "1 Sim Street", "license_no": "", "license_url": null,
        "email": "si***@example.com", "contacter": "Si***im", "cellphone_number": "+1802****63",
        "telephone_number": "+1802****64", "promotion_area": "0", "promotion_center_province": null,
        "promotion_center_city": null, "license_province": null, "license_city": null, "brand": null,
    });
    Advertiser { id: adv_id, name, display_timezone, info }
}

/// Campaign `c` of advertiser `a`: every fourth one deleted.
fn campaign(adv_id: &str, a: usize, c: usize, topview: bool, seed: u64) -> Parent {
    let campaign_n = (a * 1000 + c) as u64;
    let campaign_id = format!("{}", 1_700_000_000_000_000u64 + campaign_n * 1000);
    let r = mix(seed ^ campaign_n);
    let created = base_time() - Duration::days(120) + Duration::minutes((r % 100_000) as i64);
    let modified = created + Duration::minutes((r % 7_000) as i64 + 1);
    let deleted = c % 4 == 3;
    let objective = OBJECTIVES[(r % OBJECTIVES.len() as u64) as usize];
    let campaign_name = format!("Campaign {}-{}", a + 1, c + 1);
    let entity = Entity {
        level: Level::Campaign,
        id: campaign_id.clone(),
        advertiser_id: adv_id.to_string(),
        campaign_id: campaign_id.clone(),
        adgroup_id: None,
        deleted,
        topview,
        promote: false,
        fields: json!({
            "advertiser_id": adv_id, "campaign_id": campaign_id, "campaign_name": campaign_name,
            "campaign_type": "REGULAR_CAMPAIGN", "objective_type": objective, "objective": "LANDING_PAGE",
            "budget": 100 + (r % 50) as i64 * 10, "budget_mode": "BUDGET_MODE_DAY",
            "operation_status": if deleted { "DISABLE" } else { "ENABLE" },
            "secondary_status": if deleted { "CAMPAIGN_STATUS_DELETE" } else { "CAMPAIGN_STATUS_ENABLE" },
            "is_new_structure": true, "is_smart_performance_campaign": false, "is_search_campaign": false,
            "budget_optimize_on": false, "bid_type": "BID_TYPE_NO_BID", "deep_bid_type": null,
            "roas_bid": 0, "optimization_goal": "CLICK", "app_promotion_type": "UNSET",
            "rf_campaign_type": "STANDARD", "split_test_variable": null,
            // DOC-CAMP: MANUAL / SMART_PLUS / UPGRADED_SMART_PLUS.
            "campaign_automation_type": "MANUAL",
            "create_time": fmt_time(created), "modify_time": fmt_time(modified),
        }),
    };
    Parent { entity, n: campaign_n, name: campaign_name, created }
}

/// Ad group `g` of `campaign`: deleted with it, and every fifth one.
fn adgroup(campaign: &Parent, a: usize, c: usize, g: usize, seed: u64) -> Parent {
    let (adv_id, campaign_id, campaign_name) = (&campaign.entity.advertiser_id, &campaign.entity.id, &campaign.name);
    let group_n = campaign.n * 100 + g as u64;
    let base = if campaign.entity.promote { 1_751_000_000_000_000u64 } else { 1_710_000_000_000_000 };
    let adgroup_id = format!("{}", base + group_n * 100);
    let r = mix(seed ^ (group_n << 8));
    let g_created = campaign.created + Duration::minutes((r % 3_000) as i64);
    let g_modified = g_created + Duration::minutes((r % 9_000) as i64 + 1);
    let g_deleted = campaign.entity.deleted || g % 5 == 4;
    let kind = if campaign.entity.promote { "Promote ad group" } else { "Ad group" };
    let adgroup_name = format!("{kind} {}-{}-{}", a + 1, c + 1, g + 1);
    let entity = Entity {
        level: Level::AdGroup,
        id: adgroup_id.clone(),
        advertiser_id: adv_id.clone(),
        campaign_id: campaign_id.clone(),
        adgroup_id: Some(adgroup_id.clone()),
        deleted: g_deleted,
        topview: campaign.entity.topview,
        promote: campaign.entity.promote,
        fields: json!({
            "advertiser_id": adv_id, "campaign_id": campaign_id, "campaign_name": campaign_name,
            "adgroup_id": adgroup_id, "adgroup_name": adgroup_name,
            "placement_type": "PLACEMENT_TYPE_NORMAL", "placements": ["PLACEMENT_TIKTOK"],
            "promotion_type": "WEBSITE", "optimization_goal": "CLICK", "optimization_event": null,
            "billing_event": "CPC", "bid_type": "BID_TYPE_NO_BID", "bid_price": 0, "conversion_bid_price": 0,
            "deep_cpa_bid": 0, "budget": 50 + (r % 20) as i64 * 5, "budget_mode": "BUDGET_MODE_DAY",
            "schedule_type": "SCHEDULE_FROM_NOW", "schedule_start_time": fmt_time(g_created),
            "schedule_end_time": fmt_time(g_created + Duration::days(3650)),
            "dayparting": "1".repeat(336), "pacing": "PACING_MODE_SMOOTH",
            "location_ids": ["6252001"], "audience_ids": [], "excluded_audience_ids": [],
            "interest_category_ids": [], "interest_keyword_ids": [], "age_groups": ["AGE_25_34", "AGE_35_44"],
            "gender": "GENDER_UNLIMITED", "languages": ["en"], "operating_systems": [],
            "network_types": [], "device_model_ids": [], "device_price_ranges": [],
            "comment_disabled": false, "share_disabled": false, "video_download_disabled": false,
            "is_hfss": false, "is_new_structure": true, "auto_targeting_enabled": false,
            "inventory_filter_enabled": false, "search_result_enabled": false, "skip_learning_phase": false,
            "secondary_status": if g_deleted { "ADGROUP_STATUS_DELETE" } else { "ADGROUP_STATUS_DELIVERY_OK" },
            "operation_status": if g_deleted { "DISABLE" } else { "ENABLE" },
            "pixel_id": null, "app_id": null, "frequency": null, "frequency_schedule": null,
            "campaign_automation_type": "MANUAL", // DOC-ADG
            "create_time": fmt_time(g_created), "modify_time": fmt_time(g_modified),
        }),
    };
    Parent { entity, n: group_n, name: adgroup_name, created: g_created }
}

/// Ad `d` of `adgroup`: deleted with it, and every sixth one; every seventh a Smart+ ad without
/// `modify_time`.
fn ad(campaign: &Parent, adgroup: &Parent, (a, c, g, d): (usize, usize, usize, usize), seed: u64) -> Entity {
    let (adv_id, campaign_id, campaign_name) = (&campaign.entity.advertiser_id, &campaign.entity.id, &campaign.name);
    let (adgroup_id, adgroup_name, group_n) = (&adgroup.entity.id, &adgroup.name, adgroup.n);
    let (g_created, g_deleted, topview) = (adgroup.created, adgroup.entity.deleted, adgroup.entity.topview);
    let promote = adgroup.entity.promote;
    let ad_n = group_n * 100 + d as u64;
    let base = if promote { 1_752_000_000_000_000u64 } else { 1_720_000_000_000_000 };
    let ad_id = format!("{}", base + ad_n * 10);
    let r = mix(seed ^ (ad_n << 16));
    let ad_created = g_created + Duration::minutes((r % 2_000) as i64);
    let ad_modified = ad_created + Duration::minutes((r % 20_000) as i64 + 1);
    let ad_deleted = g_deleted || d % 6 == 5;
    // Some Smart+ ads come back without modify_time.
    let smart_plus = ad_n % 7 == 3;
    let mut fields = json!({
        "advertiser_id": adv_id, "campaign_id": campaign_id, "campaign_name": campaign_name,
        "adgroup_id": adgroup_id, "adgroup_name": adgroup_name, "ad_id": ad_id,
        "ad_name": format!("{} {}-{}-{}-{}", if promote { "Promote ad" } else { "Ad" }, a + 1, c + 1, g + 1, d + 1),
        // Some texts need CSV quoting: a comma, quotes and a line break.
        "ad_text": if d % 3 == 1 { "Try it, \"today\"\nwhile it lasts" } else { "Try it today" }, "ad_texts": null, "ad_format": "SINGLE_VIDEO",
        "video_id": format!("v10033g50000c5nsqcbc77ubdn{:06}", ad_n % 1_000_000), "image_ids": [],
        "identity_id": "7001", "identity_type": "CUSTOMIZED_USER", "display_name": "Sim",
        "landing_page_url": format!("https://example.com/p/{ad_n}"), "landing_page_urls": null,
        "call_to_action": "LEARN_MORE", "call_to_action_id": null, "deeplink": "",
        "deeplink_type": "NORMAL", "fallback_type": "UNSET", "is_aco": false, "is_new_structure": true,
        "creative_authorized": false, "vast_moat_enabled": false,
        "viewability_postbid_partner": "UNSET", "brand_safety_postbid_partner": "UNSET",
        "impression_tracking_url": null, "click_tracking_url": null, "tracking_pixel_id": null,
        "playable_url": "", "page_id": null, "card_id": null, "music_id": null,
        "creative_type": null, "utm_params": [], "tiktok_item_id": null, "dark_post_status": "ON",
        "secondary_status": if ad_deleted { "AD_STATUS_DELETE" } else { "AD_STATUS_DELIVERY_OK" },
        "operation_status": if ad_deleted { "DISABLE" } else { "ENABLE" },
        "create_time": fmt_time(ad_created), "modify_time": fmt_time(ad_modified),
    });
    if smart_plus {
        fields.as_object_mut().unwrap().remove("modify_time");
    }
    Entity {
        level: Level::Ad,
        id: ad_id,
        advertiser_id: adv_id.clone(),
        campaign_id: campaign_id.clone(),
        adgroup_id: Some(adgroup_id.clone()),
        deleted: ad_deleted,
        topview,
        promote,
        fields,
    }
}

/// Promote campaign `c` of advertiser `a` (made in the TikTok app, DOC-PROMOTE): its fields are
/// the ones DOC-CAMP says a Promote campaign returns (advertiser_id, campaign_id, create_time,
/// campaign_name, operation_status, secondary_status) and `campaign_system_origin`, with the
/// objective it was made for kept beside them (the list leaves it out). Ids 1750…, apart from
/// every other generated id (regular 170–172, Smart+ 1740–1746).
fn promote_campaign(adv_id: &str, a: usize, c: usize, seed: u64) -> Parent {
    let campaign_n = (a * 1000 + c) as u64;
    let campaign_id = format!("{}", 1_750_000_000_000_000u64 + campaign_n * 1000);
    let r = mix(seed ^ campaign_n ^ 0x9e0_0000);
    let created = base_time() - Duration::days(60) + Duration::minutes((r % 50_000) as i64);
    let campaign_name = format!("Promote {}-{}", a + 1, c + 1);
    let entity = Entity {
        level: Level::Campaign,
        id: campaign_id.clone(),
        advertiser_id: adv_id.to_string(),
        campaign_id: campaign_id.clone(),
        adgroup_id: None,
        deleted: false,
        topview: false,
        promote: true,
        fields: json!({
            "advertiser_id": adv_id, "campaign_id": campaign_id, "campaign_name": campaign_name,
            "create_time": fmt_time(created), "operation_status": "ENABLE",
            "secondary_status": "CAMPAIGN_STATUS_ENABLE", "campaign_system_origin": "PROMOTE",
            "objective_type": "VIDEO_VIEWS",
        }),
    };
    Parent { entity, n: campaign_n, name: campaign_name, created }
}
