//! Record fields per stream, as `name:type` lists (see `schema.rs` for the type codes).
//! Names follow the reference connector; types follow what TikTok v1.3 returns (ids are strings).

pub const ADVERTISER_IDS: &str = "advertiser_id:s advertiser_name:s";

pub const ADVERTISERS: &str = "advertiser_id:s name:s address:s company:s contacter:s country:s currency:s description:s \
        email:s industry:s language:s license_no:s license_url:s cellphone_number:s promotion_area:s \
        rejection_reason:s role:s status:s timezone:s balance:n create_time:i telephone_number:s \
        display_timezone:s promotion_center_province:s advertiser_account_type:s license_city:s \
        brand:s license_province:s promotion_center_city:s";

pub const AUDIENCES: &str = "shared:b is_creator:b audience_id:s cover_num:i create_time:t is_valid:b is_expiring:b \
        expired_time:t name:s audience_type:s calculate_type:s";

pub const CREATIVE_ASSETS_MUSIC: &str = "music_id:s material_id:s sources:a author:s liked:b cover_url:s url:s duration:n style:s \
        signature:s name:s file_name:s copyright:s create_time:s modify_time:s";

pub const CREATIVE_ASSETS_PORTFOLIOS: &str = "creative_portfolio_id:s creative_portfolio_type:s creative_portfolio_preview_url:s";

pub const CAMPAIGNS: &str = "campaign_id:s campaign_name:s campaign_type:s advertiser_id:s budget:n budget_mode:s \
        secondary_status:s operation_status:s objective:s objective_type:s budget_optimize_on:b \
        bid_type:s deep_bid_type:s optimization_goal:s split_test_variable:s is_new_structure:b \
        create_time:t modify_time:t roas_bid:n is_smart_performance_campaign:b is_search_campaign:b \
        app_promotion_type:s rf_campaign_type:s";

pub const AD_GROUPS: &str = "adgroup_id:s campaign_id:s advertiser_id:s adgroup_name:s placement_type:s placements:a \
        inventory_filter_enabled:b comment_disabled:b app_id:s promotion_type:s app_download_url:s \
        package:s pixel_id:s optimization_event:s secondary_optimization_event:s \
        creative_material_mode:s modify_time:t create_time:t audience_ids:ids \
        excluded_audience_ids:ids audience_type:s location_ids:ids is_hfss:b interest_category_ids:ids \
        interest_keyword_ids:ids age_groups:a gender:s languages:a operating_systems:a \
        network_types:a device_price_ranges:a min_android_version:s ios14_targeting:s \
        device_model_ids:ids min_ios_version:s budget_mode:s budget:n schedule_type:s \
        schedule_start_time:t schedule_end_time:t dayparting:s optimization_goal:s \
        cpv_video_duration:s conversion_window:s pacing:s billing_event:s skip_learning_phase:x \
        bid_type:s bid_price:n conversion_bid_price:n deep_bid_type:s deep_cpa_bid:n \
        secondary_status:s operation_status:s frequency:i frequency_schedule:i statistic_type:s \
        carrier_ids:ids carriers:a video_download_disabled:b blocked_pangle_app_ids:ids \
        action_category_ids:ids action_days:i video_actions:a rf_purchased_type:s \
        purchased_impression:n purchased_reach:n rf_estimated_cpr:n rf_estimated_frequency:n \
        included_pangle_audience_package_ids:ids excluded_pangle_audience_package_ids:ids \
        is_new_structure:b is_smart_performance_campaign:b catalog_id:s product_set_id:s \
        catalog_authorized_bc_id:s audience_rule:o included_custom_actions:a \
        excluded_custom_actions:a shopping_ads_retargeting_type:s split_test_adgroup_ids:ids \
        brand_safety_type:s brand_safety_partner:s promotion_website_type:s ios_quota_type:s \
        roas_bid:n actions:a targeting_expansion:o schedule_infos:a share_disabled:b \
        auto_targeting_enabled:b ios14_quota_type:s campaign_name:s bid_display_mode:s \
        scheduled_budget:n adgroup_app_profile_page_state:s keywords:s next_day_retention:n \
        category_id:s search_result_enabled:b app_type:s feed_type:s delivery_mode:s \
        category_exclusion_ids:ids contextual_tag_ids:ids household_income:a isp_ids:ids \
        spending_power:s zipcode_ids:ids";

pub const ADS: &str = "advertiser_id:s campaign_id:s campaign_name:s adgroup_id:s adgroup_name:s ad_id:s ad_name:s \
        tracking_app_id:s tracking_offline_event_set_ids:ids call_to_action:s call_to_action_id:s \
        disclaimer_type:s disclaimer_text:o disclaimer_clickable_texts:o card_id:s \
        secondary_status:s operation_status:s is_aco:b image_ids:ids image_mode:s ad_format:s \
        ad_text:s ad_texts:a video_id:s tiktok_item_id:s premium_badge_id:s app_name:s \
        landing_page_url:s landing_page_urls:a display_name:s profile_image_url:s \
        impression_tracking_url:s click_tracking_url:s tracking_pixel_id:s deeplink:s \
        deeplink_type:s fallback_type:s playable_url:s vast_moat_enabled:b page_id:n \
        creative_authorized:b is_new_structure:b create_time:t modify_time:t \
        shopping_ads_fallback_type:s shopping_deeplink_type:s shopping_ads_video_package_id:s \
        promotional_music_disabled:b item_duet_status:s item_stitch_status:s avatar_icon_web_uri:s \
        brand_safety_postbid_partner:s brand_safety_vast_url:s creative_type:s identity_id:s \
        identity_type:s identity_authorized_bc_id:s phone_region_code:s phone_region_calling_code:s \
        optimization_event:s phone_number:s carousel_image_index:i viewability_postbid_partner:s \
        viewability_vast_url:s music_id:s utm_params:a shopping_ads_deeplink_type:s \
        dark_post_status:s branded_content_disabled:s product_specific_type:s catalog_id:s \
        item_group_ids:ids product_set_id:s sku_ids:ids dynamic_format:s vertical_video_strategy:s \
        dynamic_destination:s showcase_products:o tiktok_page_category:s";

pub const CREATIVE_ASSETS_IMAGES: &str = "image_id:s format:s image_url:s height:i width:i signature:s size:i material_id:s \
        is_carousel_usable:b file_name:s create_time:tz modify_time:tz displayable:b";

pub const CREATIVE_ASSETS_VIDEOS: &str = "video_id:s video_cover_url:s format:s preview_url:s preview_url_expire_time:t duration:n \
        height:i width:i bit_rate:n signature:s size:i material_id:s allowed_placements:a \
        allow_download:b file_name:s create_time:tz modify_time:tz displayable:b";

pub const SPARK_ADS: &str = "spark_ads_post_id:s user_info:o item_info:o auth_info:o video_info:o";

pub const PIXELS: &str = "pixel_id:s pixel_code:s pixel_name:s pixel_category:s pixel_script:s create_time:x \
        pixel_setup_mode:s partner_name:s advanced_matching_fields:o asset_ownership:o events:a";

pub const PIXEL_INSTANT_PAGE_EVENTS: &str = "advertiser_id:s objective_type:s optimization_goal:s business_type:s instant_page_events:o";

pub const PIXEL_EVENTS_STATISTICS: &str = "advertiser_id:s pixel_id:s statistics:a start_date:s end_date:s";
