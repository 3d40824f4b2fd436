//! The Smart+ objects as `/smart_plus/*/get/` returns them: the fields of gmv-max-smart-plus.md
//! §2.3 (SDK `smart_plus_{campaign,adgroup,ad}_get.yml`; GO `model/ad/smartplus/{ad,creative}.go`).
//! Null values are kept here; the endpoints drop them (`pop_resp_nullvalue: true`).

use chrono::{Duration, NaiveDateTime};
use serde_json::{json, Value};

use super::{SmartPlusAd, SmartPlusAdGroup, SmartPlusCampaign};
use crate::data::fmt_time;

/// Smart+ campaign `(a, c)`: WEB_CONVERSIONS, never deleted.
pub(super) fn campaign(
    adv_id: &str,
    campaign_id: &str,
    (a, c): (usize, usize),
    created: NaiveDateTime,
    r: u64,
) -> SmartPlusCampaign {
    let modified = created + Duration::minutes((r % 5_000) as i64 + 1);
    let fields = json!({
        "advertiser_id": adv_id, "campaign_id": campaign_id,
        "campaign_name": format!("Smart+ campaign {}-{}", a + 1, c + 1),
        "objective_type": "WEB_CONVERSIONS", "budget": 200 + (r % 30) as i64 * 10,
        "budget_mode": "BUDGET_MODE_DAY", "budget_optimize_on": true, "operation_status": "ENABLE",
        "secondary_status": "CAMPAIGN_STATUS_ENABLE", "smart_plus_adgroup_mode": "SINGLE",
        "is_promotional_campaign": false, "sales_destination": "WEBSITE", "campaign_type": "REGULAR_CAMPAIGN",
        "app_id": null, "app_promotion_type": null, "catalog_enabled": false, "catalog_type": null,
        "special_industries": [], "postback_window_mode": null, "disable_skan_campaign": null,
        "bid_align_type": null, "po_number": null,
        "create_time": fmt_time(created), "modify_time": fmt_time(modified),
    });
    SmartPlusCampaign { advertiser_id: adv_id.to_string(), campaign_id: campaign_id.to_string(), fields }
}

/// The one ad group of `campaign`.
pub(super) fn adgroup(
    campaign: &SmartPlusCampaign,
    adgroup_id: &str,
    created: NaiveDateTime,
    r: u64,
) -> SmartPlusAdGroup {
    let modified = created + Duration::minutes((r % 7_000) as i64 + 1);
    let name = campaign.fields["campaign_name"].as_str().unwrap_or_default().replace("campaign", "ad group");
    let fields = json!({
        "advertiser_id": campaign.advertiser_id, "campaign_id": campaign.campaign_id,
        "campaign_name": campaign.fields["campaign_name"], "adgroup_id": adgroup_id, "adgroup_name": name,
        "budget": 100 + (r % 20) as i64 * 5, "budget_mode": "BUDGET_MODE_DAY", "bid_type": "BID_TYPE_NO_BID",
        "bid_price": 0, "conversion_bid_price": 0, "roas_bid": null, "optimization_goal": "CONVERT",
        "optimization_event": "COMPLETE_PAYMENT", "billing_event": "OCPM", "promotion_type": "WEBSITE",
        "placement_type": "PLACEMENT_TYPE_AUTOMATIC", "placements": ["PLACEMENT_TIKTOK"],
        "targeting_spec": {"location_ids": ["6252001"], "age_groups": null, "gender": "GENDER_UNLIMITED"},
        "schedule_type": "SCHEDULE_FROM_NOW", "schedule_start_time": fmt_time(created),
        "schedule_end_time": null, "pacing": "PACING_MODE_SMOOTH",
        "click_attribution_window": "SEVEN_DAYS", "view_attribution_window": "ONE_DAY",
        "operation_status": "ENABLE", "secondary_status": "ADGROUP_STATUS_DELIVERY_OK",
        "create_time": fmt_time(created), "modify_time": fmt_time(modified),
    });
    SmartPlusAdGroup {
        advertiser_id: campaign.advertiser_id.clone(),
        campaign_id: campaign.campaign_id.clone(),
        adgroup_id: adgroup_id.to_string(),
        fields,
    }
}

/// The `/smart_plus/ad/get/` object of `ad` (its ids and creatives already set): two ad
/// texts, one call to action, one landing page.
pub(super) fn ad(
    adgroup: &SmartPlusAdGroup,
    ad: &SmartPlusAd,
    d: usize,
    (created, modified): (String, String),
) -> Value {
    let g = &adgroup.fields;
    let creative_list: Vec<Value> = ad
        .creatives
        .iter()
        .enumerate()
        .map(|(k, c)| {
            json!({
                "ad_material_id": c.ad_material_id,
                "material_operation_status": if c.enabled { "ENABLE" } else { "DISABLE" },
                "creative_info": {
                    "ad_format": "SINGLE_VIDEO", "material_name": format!("Smart+ video {}", k + 1),
                    "video_info": {"video_id": c.main_material_id, "file_name": format!("sp_{}.mp4", c.main_material_id)},
                    "image_info": [], "music_info": {"music_id": null}, "tiktok_item_id": null,
                    "identity_type": "CUSTOMIZED_USER", "identity_id": "7001",
                    "identity_authorized_bc_id": null, "aigc_disclosure_type": null,
                },
            })
        })
        .collect();
    json!({
        "smart_plus_ad_id": ad.smart_plus_ad_id, "advertiser_id": ad.advertiser_id,
        "ad_name": format!("{} ad {}", g["adgroup_name"].as_str().unwrap_or_default(), d + 1),
        "campaign_id": ad.campaign_id, "campaign_name": g["campaign_name"],
        "adgroup_id": ad.adgroup_id, "adgroup_name": g["adgroup_name"],
        "operation_status": if ad.deleted { "DISABLE" } else { "ENABLE" },
        "secondary_status": if ad.deleted { "AD_STATUS_DELETE" } else { "AD_STATUS_DELIVERY_OK" },
        "create_time": created, "modify_time": modified,
        "ad_text_list": [{"ad_text": "Shop smarter, \"today\""}, {"ad_text": "New season, new you"}],
        "call_to_action_list": [{"call_to_action": "SHOP_NOW"}],
        "landing_page_url_list": [{"landing_page_url": format!("https://example.com/sp/{}", ad.smart_plus_ad_id)}],
        "deeplink_list": null, "page_list": null, "interactive_add_on_list": null, "auto_message_list": null,
        "ad_configuration": {
            "identity_type": "CUSTOMIZED_USER", "identity_id": "7001",
            "tracking_info": {"tracking_pixel_id": null, "impression_tracking_url": null, "click_tracking_url": null},
            "utm_params": [], "product_specific_type": null,
        },
        "creative_list": creative_list,
    })
}
