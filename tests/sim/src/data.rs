//! Deterministic generated account data: advertisers, campaigns, ad groups and ads with the
//! field names and JSON types TikTok v1.3 returns.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use serde_json::{json, Value};

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
}

impl Default for DataSize {
    fn default() -> Self {
        Self { advertisers: 2, campaigns_per_advertiser: 3, adgroups_per_campaign: 2, ads_per_adgroup: 2, assets_per_kind: 4, topview_campaigns_per_advertiser: 0 }
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
    pub fields: Value,
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
}

impl Account {
    pub fn assets_of(&self, endpoint: &str, advertiser: &str) -> Vec<&Asset> {
        self.assets.iter().filter(|a| a.endpoint == endpoint && a.advertiser_id == advertiser).collect()
    }
}

pub fn iso(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The assets of one advertiser: `n` of each kind (a few more images, to need pages).
fn generate_assets(adv_index: usize, adv_id: &str, n: usize, seed: u64) -> Vec<Asset> {
    let mut assets = Vec::new();
    let base = base_time();
    let mut push = |endpoint: &'static str, id: String, fields: Value| {
        assets.push(Asset { endpoint, advertiser_id: adv_id.to_string(), id, fields })
    };
    for i in 0..n {
        let k = (adv_index * 1000 + i) as u64;
        let r = mix(seed ^ (k << 24) ^ 0xa55e7);
        let created = base - Duration::days(60) + Duration::minutes((r % 50_000) as i64);
        let modified = created + Duration::minutes((r % 9_000) as i64 + 1);
        let audience_id = format!("{}", 6_900_000_000_000_000u64 + k);
        push("dmp/custom_audience/list", audience_id.clone(), json!({
            "audience_id": audience_id, "name": format!("Audience {}-{}", adv_index + 1, i + 1),
            "audience_type": (["Customer File Audience", "Lookalike Audience", "Engagement Audience"][i % 3]),
            "audience_sub_type": "NORMAL", "calculate_type": "NORMAL", "cover_num": (r % 900_000) as i64,
            "shared": false, "is_creator": true, "is_valid": true, "is_expiring": false, "is_auto_refresh": false,
            "owner_id": adv_id, "create_time": fmt_time(created), "expired_time": fmt_time(created + Duration::days(365)),
        }));
        for j in 0..3 {
            let image_id = format!("ad-site-i18n-sg/{:016x}", mix(k * 3 + j));
            push("file/image/ad/search", image_id.clone(), json!({
                "image_id": image_id, "material_id": format!("{}", 7_100_000_000_000_000u64 + k * 3 + j),
                "is_carousel_usable": true, "width": 1080, "height": 1920, "format": "jpeg",
                "image_url": format!("https://p16.example.com/{image_id}.jpeg"), "signature": format!("{:032x}", mix(r ^ j) as u128 * 7),
                "size": 100_000 + (r % 50_000) as i64, "file_name": format!("image_{k}_{j}.jpg"),
                "create_time": iso(created), "modify_time": iso(modified + Duration::minutes(j as i64)), "displayable": true,
            }));
        }
        let video_id = format!("v10033g50000{:020x}", mix(k ^ 0x77));
        push("file/video/ad/search", video_id.clone(), json!({
            "video_id": video_id, "material_id": format!("{}", 7_200_000_000_000_000u64 + k),
            "file_name": format!("video_{k}.mp4"), "format": "mp4", "duration": 15.5 + (r % 30) as f64,
            "width": 720, "height": 1280, "bit_rate": 2_000_000, "size": 5_000_000 + (r % 1_000_000) as i64,
            "signature": format!("{:016x}", mix(r)), "video_cover_url": format!("https://p16.example.com/{video_id}.jpg"),
            "preview_url": format!("https://v16.example.com/{video_id}.mp4"),
            "preview_url_expire_time": fmt_time(chrono::Utc::now().naive_utc() + Duration::hours(6)),
            "allowed_placements": ["PLACEMENT_TIKTOK", "PLACEMENT_PANGLE"], "allow_download": true, "displayable": true,
            "create_time": iso(created), "modify_time": iso(modified),
        }));
        let music_id = format!("{}", 7_300_000_000_000_000u64 + k);
        push("file/music/get", music_id.clone(), json!({
            "music_id": music_id, "material_id": format!("{}", 7_310_000_000_000_000u64 + k), "sources": ["USER"],
            "author": "Sim Artist", "liked": false, "cover_url": null, "url": format!("https://m.example.com/{music_id}.mp3"),
            "duration": 30.0, "style": null, "signature": format!("{:016x}", mix(r ^ 9)), "file_name": format!("track_{k}.mp3"),
            "copyright": "MUSIC_FORBID_VIDEO_ALLOW", "create_time": iso(created), "modify_time": iso(modified),
        }));
        let portfolio_id = format!("{}", 7_400_000_000_000_000u64 + k);
        push("creative/portfolio/list", portfolio_id.clone(), json!({
            "creative_portfolio_id": portfolio_id, "creative_portfolio_type": (["CARD", "GESTURE", "PREMIUM_BADGE"][i % 3]),
            "creative_portfolio_preview_url": format!("https://p16.example.com/portfolio/{portfolio_id}.png"),
        }));
        let item_id = format!("{}", 7_500_000_000_000_000_000u64 + k);
        push("tt_video/list", item_id.clone(), json!({
            "item_info": {"item_id": item_id, "item_type": "VIDEO", "text": "Spark post", "status": "AVAILABLE",
                          "auth_code": format!("#{:012x}", mix(k)), "anchor_list": []},
            "user_info": {"tiktok_name": "simbrand", "identity_id": format!("{}", 7_600_000_000u64 + k), "identity_type": "AUTH_CODE"},
            "video_info": {"video_id": format!("v0{k:018}"), "duration": 12.0, "bit_rate": 1_500_000, "size": 3_000_000,
                           "width": 720, "height": 1280, "poster_url": "https://p16.example.com/poster.jpg",
                           "preview_url": "https://v16.example.com/preview.mp4", "signature": "abc", "format": "mp4", "file_name": "post.mp4"},
            "auth_info": {"ad_auth_status": "AUTHORIZED", "auth_start_time": fmt_time(created),
                          "auth_end_time": fmt_time(created + Duration::days(365)), "invite_start_time": fmt_time(created)},
        }));
        if i < 2 {
            let pixel_id = format!("{}", 7_700_000_000_000_000u64 + k);
            push("pixel/list", pixel_id.clone(), json!({
                "pixel_id": pixel_id, "pixel_code": format!("C{:019X}", mix(k) >> 4), "pixel_name": format!("Pixel {}-{}", adv_index + 1, i + 1),
                "pixel_category": "ONLINE", "pixel_script": "<script>/* pixel */</script>",
                "create_time": (created.and_utc().timestamp_millis()), "pixel_setup_mode": "STANDARD", "partner_name": "",
                "advanced_matching_fields": {"phone_number": false, "email": true},
                "asset_ownership": {"asset_relation_status": null, "ownership_status": true, "owner_bc_id": null},
                "events": [{"name": "Complete Payment", "event_id": format!("{}", k * 10 + 1), "event_code": "CompletePayment",
                            "event_type": "COMPLETE_PAYMENT", "optimization_event": "SHOPPING", "custom_event_type": "COMPLETE_PAYMENT",
                            "currency_value": "", "currency": "USD", "deprecated": false, "statistic_type": "EVERY_TIME", "rules": []}],
            }));
        }
    }
    assets
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

/// Advertisers' `timezone` and `display_timezone`, in turn. Most zones have an `Etc/GMT±N`
/// form; a half-hour zone has none, so TikTok names it (the fourth advertiser on).
const TIMEZONES: &[(&str, &str)] = &[
    ("Etc/GMT+8", "America/Los_Angeles"),
    ("Etc/GMT", "Europe/London"),
    ("Etc/GMT-8", "Asia/Shanghai"),
    ("Asia/Kolkata", "Asia/Kolkata"),
];
const OBJECTIVES: &[&str] = &["TRAFFIC", "CONVERSIONS", "APP_PROMOTION", "REACH", "VIDEO_VIEWS"];

/// A small deterministic mixer, so data depends only on the seed and the position.
pub fn mix(mut x: u64) -> u64 {
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51afd7ed558ccd);
    x ^= x >> 33;
    x = x.wrapping_mul(0xc4ceb9fe1a85ec53);
    x ^ (x >> 33)
}

impl Account {
    pub fn generate(size: &DataSize, seed: u64) -> Account {
        let mut advertisers = Vec::new();
        let mut entities = Vec::new();
        let mut assets = Vec::new();
        for a in 0..size.advertisers {
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
            advertisers.push(Advertiser { id: adv_id.clone(), name, display_timezone, info });
            assets.extend(generate_assets(a, &adv_id, size.assets_per_kind, seed));
            for c in 0..size.campaigns_per_advertiser + size.topview_campaigns_per_advertiser {
                let topview = c >= size.campaigns_per_advertiser;
                let campaign_n = (a * 1000 + c) as u64;
                let campaign_id = format!("{}", 1_700_000_000_000_000u64 + campaign_n * 1000);
                let r = mix(seed ^ campaign_n);
                let created = base_time() - Duration::days(120) + Duration::minutes((r % 100_000) as i64);
                let modified = created + Duration::minutes((r % 7_000) as i64 + 1);
                let deleted = c % 4 == 3;
                let objective = OBJECTIVES[(r % OBJECTIVES.len() as u64) as usize];
                let campaign_name = format!("Campaign {}-{}", a + 1, c + 1);
                entities.push(Entity {
                    level: Level::Campaign,
                    id: campaign_id.clone(),
                    advertiser_id: adv_id.clone(),
                    campaign_id: campaign_id.clone(),
                    adgroup_id: None,
                    deleted,
                    topview,
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
                        "create_time": fmt_time(created), "modify_time": fmt_time(modified),
                    }),
                });
                for g in 0..size.adgroups_per_campaign {
                    let group_n = campaign_n * 100 + g as u64;
                    let adgroup_id = format!("{}", 1_710_000_000_000_000u64 + group_n * 100);
                    let r = mix(seed ^ (group_n << 8));
                    let g_created = created + Duration::minutes((r % 3_000) as i64);
                    let g_modified = g_created + Duration::minutes((r % 9_000) as i64 + 1);
                    let g_deleted = deleted || g % 5 == 4;
                    let adgroup_name = format!("Ad group {}-{}-{}", a + 1, c + 1, g + 1);
                    entities.push(Entity {
                        level: Level::AdGroup,
                        id: adgroup_id.clone(),
                        advertiser_id: adv_id.clone(),
                        campaign_id: campaign_id.clone(),
                        adgroup_id: Some(adgroup_id.clone()),
                        deleted: g_deleted,
                        topview,
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
                            "create_time": fmt_time(g_created), "modify_time": fmt_time(g_modified),
                        }),
                    });
                    for d in 0..size.ads_per_adgroup {
                        let ad_n = group_n * 100 + d as u64;
                        let ad_id = format!("{}", 1_720_000_000_000_000u64 + ad_n * 10);
                        let r = mix(seed ^ (ad_n << 16));
                        let ad_created = g_created + Duration::minutes((r % 2_000) as i64);
                        let ad_modified = ad_created + Duration::minutes((r % 20_000) as i64 + 1);
                        let ad_deleted = g_deleted || d % 6 == 5;
                        // Some Smart+ ads come back without modify_time.
                        let smart_plus = ad_n % 7 == 3;
                        let mut fields = json!({
                            "advertiser_id": adv_id, "campaign_id": campaign_id, "campaign_name": campaign_name,
                            "adgroup_id": adgroup_id, "adgroup_name": adgroup_name, "ad_id": ad_id,
                            "ad_name": format!("Ad {}-{}-{}-{}", a + 1, c + 1, g + 1, d + 1),
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
                        entities.push(Entity {
                            level: Level::Ad,
                            id: ad_id,
                            advertiser_id: adv_id.clone(),
                            campaign_id: campaign_id.clone(),
                            adgroup_id: Some(adgroup_id.clone()),
                            deleted: ad_deleted,
                            topview,
                            fields,
                        });
                    }
                }
            }
        }
        Account { advertisers, entities, assets }
    }
}
