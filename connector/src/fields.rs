//! Record fields per stream, as typed lists (see `schema.rs` for what each type becomes).
//! Names follow the reference connector; types follow what TikTok v1.3 returns (ids are strings).

use crate::schema::FieldList;
use crate::schema::FieldType::*;

pub const ADVERTISER_IDS: FieldList = &[("advertiser_id", Str), ("advertiser_name", Str)];

pub const ADVERTISERS: FieldList = &[
    ("advertiser_id", Str), ("name", Str), ("address", Str), ("company", Str), ("contacter", Str),
    ("country", Str), ("currency", Str), ("description", Str), ("email", Str), ("industry", Str),
    ("language", Str), ("license_no", Str), ("license_url", Str), ("cellphone_number", Str),
    ("promotion_area", Str), ("rejection_reason", Str), ("role", Str), ("status", Str), ("timezone", Str),
    ("balance", Num), ("create_time", Int), ("telephone_number", Str), ("display_timezone", Str),
    ("promotion_center_province", Str), ("advertiser_account_type", Str), ("license_city", Str),
    ("brand", Str), ("license_province", Str), ("promotion_center_city", Str)
];

pub const AUDIENCES: FieldList = &[
    ("shared", Bool), ("is_creator", Bool), ("audience_id", Str), ("cover_num", Int), ("create_time", Time),
    ("is_valid", Bool), ("is_expiring", Bool), ("expired_time", Time), ("name", Str), ("audience_type", Str),
    ("calculate_type", Str)
];

pub const CREATIVE_ASSETS_MUSIC: FieldList = &[
    ("music_id", Str), ("material_id", Str), ("sources", List), ("author", Str), ("liked", Bool),
    ("cover_url", Str), ("url", Str), ("duration", Num), ("style", Str), ("signature", Str), ("name", Str),
    ("file_name", Str), ("copyright", Str), ("create_time", Str), ("modify_time", Str)
];

pub const CREATIVE_ASSETS_PORTFOLIOS: FieldList = &[
    ("creative_portfolio_id", Str), ("creative_portfolio_type", Str), ("creative_portfolio_preview_url", Str)
];

pub const CAMPAIGNS: FieldList = &[
    ("campaign_id", Str), ("campaign_name", Str), ("campaign_type", Str), ("advertiser_id", Str),
    ("budget", Num), ("budget_mode", Str), ("secondary_status", Str), ("operation_status", Str),
    ("objective", Str), ("objective_type", Str), ("budget_optimize_on", Bool), ("bid_type", Str),
    ("deep_bid_type", Str), ("optimization_goal", Str), ("split_test_variable", Str),
    ("is_new_structure", Bool), ("create_time", Time), ("modify_time", Time), ("roas_bid", Num),
    ("is_smart_performance_campaign", Bool), ("is_search_campaign", Bool), ("app_promotion_type", Str),
    ("rf_campaign_type", Str)
];

pub const AD_GROUPS: FieldList = &[
    ("adgroup_id", Str), ("campaign_id", Str), ("advertiser_id", Str), ("adgroup_name", Str),
    ("placement_type", Str), ("placements", List), ("inventory_filter_enabled", Bool),
    ("comment_disabled", Bool), ("app_id", Str), ("promotion_type", Str), ("app_download_url", Str),
    ("package", Str), ("pixel_id", Str), ("optimization_event", Str), ("secondary_optimization_event", Str),
    ("creative_material_mode", Str), ("modify_time", Time), ("create_time", Time), ("audience_ids", Ids),
    ("excluded_audience_ids", Ids), ("audience_type", Str), ("location_ids", Ids), ("is_hfss", Bool),
    ("interest_category_ids", Ids), ("interest_keyword_ids", Ids), ("age_groups", List), ("gender", Str),
    ("languages", List), ("operating_systems", List), ("network_types", List), ("device_price_ranges", List),
    ("min_android_version", Str), ("ios14_targeting", Str), ("device_model_ids", Ids),
    ("min_ios_version", Str), ("budget_mode", Str), ("budget", Num), ("schedule_type", Str),
    ("schedule_start_time", Time), ("schedule_end_time", Time), ("dayparting", Str),
    ("optimization_goal", Str), ("cpv_video_duration", Str), ("conversion_window", Str), ("pacing", Str),
    ("billing_event", Str), ("skip_learning_phase", Any), ("bid_type", Str), ("bid_price", Num),
    ("conversion_bid_price", Num), ("deep_bid_type", Str), ("deep_cpa_bid", Num), ("secondary_status", Str),
    ("operation_status", Str), ("frequency", Int), ("frequency_schedule", Int), ("statistic_type", Str),
    ("carrier_ids", Ids), ("carriers", List), ("video_download_disabled", Bool),
    ("blocked_pangle_app_ids", Ids), ("action_category_ids", Ids), ("action_days", Int),
    ("video_actions", List), ("rf_purchased_type", Str), ("purchased_impression", Num),
    ("purchased_reach", Num), ("rf_estimated_cpr", Num), ("rf_estimated_frequency", Num),
    ("included_pangle_audience_package_ids", Ids), ("excluded_pangle_audience_package_ids", Ids),
    ("is_new_structure", Bool), ("is_smart_performance_campaign", Bool), ("catalog_id", Str),
    ("product_set_id", Str), ("catalog_authorized_bc_id", Str), ("audience_rule", Obj),
    ("included_custom_actions", List), ("excluded_custom_actions", List),
    ("shopping_ads_retargeting_type", Str), ("split_test_adgroup_ids", Ids), ("brand_safety_type", Str),
    ("brand_safety_partner", Str), ("promotion_website_type", Str), ("ios_quota_type", Str), ("roas_bid", Num),
    ("actions", List), ("targeting_expansion", Obj), ("schedule_infos", List), ("share_disabled", Bool),
    ("auto_targeting_enabled", Bool), ("ios14_quota_type", Str), ("campaign_name", Str),
    ("bid_display_mode", Str), ("scheduled_budget", Num), ("adgroup_app_profile_page_state", Str),
    ("keywords", Str), ("next_day_retention", Num), ("category_id", Str), ("search_result_enabled", Bool),
    ("app_type", Str), ("feed_type", Str), ("delivery_mode", Str), ("category_exclusion_ids", Ids),
    ("contextual_tag_ids", Ids), ("household_income", List), ("isp_ids", Ids), ("spending_power", Str),
    ("zipcode_ids", Ids)
];

pub const ADS: FieldList = &[
    ("advertiser_id", Str), ("campaign_id", Str), ("campaign_name", Str), ("adgroup_id", Str),
    ("adgroup_name", Str), ("ad_id", Str), ("ad_name", Str), ("tracking_app_id", Str),
    ("tracking_offline_event_set_ids", Ids), ("call_to_action", Str), ("call_to_action_id", Str),
    ("disclaimer_type", Str), ("disclaimer_text", Obj), ("disclaimer_clickable_texts", Obj), ("card_id", Str),
    ("secondary_status", Str), ("operation_status", Str), ("is_aco", Bool), ("image_ids", Ids),
    ("image_mode", Str), ("ad_format", Str), ("ad_text", Str), ("ad_texts", List), ("video_id", Str),
    ("tiktok_item_id", Str), ("premium_badge_id", Str), ("app_name", Str), ("landing_page_url", Str),
    ("landing_page_urls", List), ("display_name", Str), ("profile_image_url", Str),
    ("impression_tracking_url", Str), ("click_tracking_url", Str), ("tracking_pixel_id", Str),
    ("deeplink", Str), ("deeplink_type", Str), ("fallback_type", Str), ("playable_url", Str),
    ("vast_moat_enabled", Bool), ("page_id", Num), ("creative_authorized", Bool), ("is_new_structure", Bool),
    ("create_time", Time), ("modify_time", Time), ("shopping_ads_fallback_type", Str),
    ("shopping_deeplink_type", Str), ("shopping_ads_video_package_id", Str),
    ("promotional_music_disabled", Bool), ("item_duet_status", Str), ("item_stitch_status", Str),
    ("avatar_icon_web_uri", Str), ("brand_safety_postbid_partner", Str), ("brand_safety_vast_url", Str),
    ("creative_type", Str), ("identity_id", Str), ("identity_type", Str), ("identity_authorized_bc_id", Str),
    ("phone_region_code", Str), ("phone_region_calling_code", Str), ("optimization_event", Str),
    ("phone_number", Str), ("carousel_image_index", Int), ("viewability_postbid_partner", Str),
    ("viewability_vast_url", Str), ("music_id", Str), ("utm_params", List),
    ("shopping_ads_deeplink_type", Str), ("dark_post_status", Str), ("branded_content_disabled", Str),
    ("product_specific_type", Str), ("catalog_id", Str), ("item_group_ids", Ids), ("product_set_id", Str),
    ("sku_ids", Ids), ("dynamic_format", Str), ("vertical_video_strategy", Str), ("dynamic_destination", Str),
    ("showcase_products", Obj), ("tiktok_page_category", Str)
];

pub const CREATIVE_ASSETS_IMAGES: FieldList = &[
    ("image_id", Str), ("format", Str), ("image_url", Str), ("height", Int), ("width", Int),
    ("signature", Str), ("size", Int), ("material_id", Str), ("is_carousel_usable", Bool), ("file_name", Str),
    ("create_time", IsoTime), ("modify_time", IsoTime), ("displayable", Bool)
];

pub const CREATIVE_ASSETS_VIDEOS: FieldList = &[
    ("video_id", Str), ("video_cover_url", Str), ("format", Str), ("preview_url", Str),
    ("preview_url_expire_time", Time), ("duration", Num), ("height", Int), ("width", Int), ("bit_rate", Num),
    ("signature", Str), ("size", Int), ("material_id", Str), ("allowed_placements", List),
    ("allow_download", Bool), ("file_name", Str), ("create_time", IsoTime), ("modify_time", IsoTime),
    ("displayable", Bool)
];

pub const SPARK_ADS: FieldList = &[
    ("spark_ads_post_id", Str), ("user_info", Obj), ("item_info", Obj), ("auth_info", Obj),
    ("video_info", Obj)
];

pub const PIXELS: FieldList = &[
    ("pixel_id", Str), ("pixel_code", Str), ("pixel_name", Str), ("pixel_category", Str),
    ("pixel_script", Str), ("create_time", Any), ("pixel_setup_mode", Str), ("partner_name", Str),
    ("advanced_matching_fields", Obj), ("asset_ownership", Obj), ("events", List)
];

pub const PIXEL_INSTANT_PAGE_EVENTS: FieldList = &[
    ("advertiser_id", Str), ("objective_type", Str), ("optimization_goal", Str), ("business_type", Str),
    ("instant_page_events", Obj)
];

pub const PIXEL_EVENTS_STATISTICS: FieldList = &[
    ("advertiser_id", Str), ("pixel_id", Str), ("statistics", List), ("start_date", Str), ("end_date", Str)
];
