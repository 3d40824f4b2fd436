//! The stream table: every stream the connector offers, as data; adding a stream of an existing
//! kind is one entry here (and its field list in `fields.rs`). What a stream is, and the
//! constructors the table is written with, are in `streams/def.rs`; what `discover` says of a
//! stream in `streams/discover.rs`. The mechanisms that read them live in `sources/` (one module
//! per kind of stream), `fetch/` (paging, answers fetched ahead) and `read/` (the sync).

mod def;
mod discover;
pub mod gmv_max;
#[cfg(test)]
mod tests;

use crate::fields;
use crate::metrics;
use crate::metrics::gmv_max::{Promotion, CAMPAIGN_ATTRIBUTES, CORE, LIVE, PRODUCT_BID};
pub use crate::report_shape::{is_breakdown, DataLevel, Granularity, ReportType};
use def::{entity_list, plain_list, smart_plus_list, smart_plus_report};
pub use def::{gmv_report, report, FanoutSpec, ListSpec, PixelStatsSpec, ReportFilter, ReportSpec, Source, StreamDef};
use gmv_max::{grain, GmvMaxSpec, GmvReport, Scope};

use DataLevel::{Ad, AdGroup, Advertiser, Campaign};
use Granularity::{Daily, Hourly, Lifetime};
use Promotion::{Live, Product};
use ReportType::{Audience, Basic};

/// `pixel/list/`: read by the `pixels` stream, and for the pixel ids of `pixel_events_statistics`.
const PIXEL_LIST: ListSpec = ListSpec::plain("pixel/list", "pixels", 20);

pub static STREAMS: &[StreamDef] = &[
    StreamDef {
        name: "advertiser_ids",
        source: Source::AdvertiserIds,
        primary_key: &["advertiser_id"],
        cursor: None,
        sandbox: false,
        fields: fields::ADVERTISER_IDS,
    },
    StreamDef {
        name: "advertisers",
        source: Source::AdvertiserInfo,
        primary_key: &["advertiser_id"],
        cursor: None,
        sandbox: true,
        fields: fields::ADVERTISERS,
    },
    StreamDef {
        name: "campaigns",
        source: entity_list("campaign/get", "CAMPAIGN_STATUS_ALL", false, 1000),
        primary_key: &["campaign_id"],
        cursor: Some("modify_time"),
        sandbox: true,
        fields: fields::CAMPAIGNS,
    },
    StreamDef {
        name: "ad_groups",
        source: entity_list("adgroup/get", "ADGROUP_STATUS_ALL", false, 100),
        primary_key: &["adgroup_id"],
        cursor: Some("modify_time"),
        sandbox: true,
        fields: fields::AD_GROUPS,
    },
    StreamDef {
        name: "ads",
        source: entity_list("ad/get", "AD_STATUS_ALL", true, 1000),
        primary_key: &["ad_id"],
        cursor: Some("modify_time"),
        sandbox: true,
        fields: fields::ADS,
    },
    StreamDef {
        name: "audiences",
        source: plain_list("dmp/custom_audience/list", "list", 100),
        primary_key: &["audience_id"],
        cursor: None,
        sandbox: true,
        fields: fields::AUDIENCES,
    },
    StreamDef {
        name: "creative_assets_images",
        // TikTok lists only an advertiser's first 10,000 images (DOC-IMG, tiktok-api.md §3.9).
        source: Source::List(ListSpec {
            reachable: Some(10_000),
            ..ListSpec::plain("file/image/ad/search", "list", 100)
        }),
        primary_key: &["image_id"],
        cursor: Some("modify_time"),
        sandbox: true,
        fields: fields::CREATIVE_ASSETS_IMAGES,
    },
    StreamDef {
        name: "creative_assets_videos",
        source: plain_list("file/video/ad/search", "list", 100),
        primary_key: &["video_id"],
        cursor: Some("modify_time"),
        sandbox: true,
        fields: fields::CREATIVE_ASSETS_VIDEOS,
    },
    StreamDef {
        name: "creative_assets_music",
        // TikTok's default and maximum page size here is 1000.
        source: Source::List(ListSpec {
            reachable: Some(100_000),
            ..ListSpec::plain("file/music/get", "musics", 1000)
        }),
        primary_key: &["music_id"],
        cursor: None,
        sandbox: true,
        fields: fields::CREATIVE_ASSETS_MUSIC,
    },
    StreamDef {
        name: "creative_assets_portfolios",
        source: plain_list("creative/portfolio/list", "creative_portfolios", 100),
        primary_key: &["creative_portfolio_id"],
        cursor: None,
        sandbox: true,
        fields: fields::CREATIVE_ASSETS_PORTFOLIOS,
    },
    StreamDef {
        name: "spark_ads",
        source: Source::List(ListSpec {
            lift: Some(("spark_ads_post_id", "/item_info/item_id")),
            ..ListSpec::plain("tt_video/list", "list", 50)
        }),
        primary_key: &["spark_ads_post_id"],
        cursor: None,
        sandbox: false,
        fields: fields::SPARK_ADS,
    },
    StreamDef {
        name: "pixels",
        source: Source::List(PIXEL_LIST),
        primary_key: &["pixel_id"],
        cursor: None,
        sandbox: false,
        fields: fields::PIXELS,
    },
    StreamDef {
        name: "pixel_instant_page_events",
        source: Source::Fanout(FanoutSpec {
            endpoint: "pixel/instant_page/event",
            list_key: "list",
            // The combinations the reference connector reads.
            params: &[
                (
                    "objective_type",
                    &[
                        "APP_PROMOTION",
                        "WEB_CONVERSIONS",
                        "REACH",
                        "TRAFFIC",
                        "VIDEO_VIEWS",
                        "PRODUCT_SALES",
                        "ENGAGEMENT",
                        "LEAD_GENERATION",
                        "RF_REACH",
                        "TOPVIEW_REACH",
                    ],
                ),
                (
                    "optimization_goal",
                    &[
                        "CLICK",
                        "CONVERT",
                        "INSTALL",
                        "IN_APP_EVENT",
                        "SHOW",
                        "REACH",
                        "LEAD_GENERATION",
                        "CONVERSATION",
                        "FOLLOWERS",
                        "PAGE_VISIT",
                        "VALUE",
                        "AUTOMATIC_VALUE_OPTIMIZATION",
                        "GMV",
                        "PURCHASES",
                        "INITIATE_CHECKOUTS",
                        "MT_LIVE_ROOM",
                        "PRODUCT_CLICK_IN_LIVE",
                        "ENGAGED_VIEW",
                        "ENGAGED_VIEW_FIFTEEN",
                        "TRAFFIC_LANDING_PAGE_VIEW",
                        "DESTINATION_VISIT",
                        "PREFERRED_LEAD",
                    ],
                ),
            ],
        }),
        // The reference has no key; the request parameters make one.
        primary_key: &["advertiser_id", "objective_type", "optimization_goal", "business_type"],
        cursor: None,
        sandbox: false,
        fields: fields::PIXEL_INSTANT_PAGE_EVENTS,
    },
    StreamDef {
        name: "pixel_events_statistics",
        source: Source::PixelStats(PixelStatsSpec { pixels: &PIXEL_LIST }),
        // The reference has no key; one row per pixel and sync (the last 30 days).
        primary_key: &["pixel_id"],
        cursor: None,
        sandbox: false,
        fields: fields::PIXEL_EVENTS_STATISTICS,
    },
    // Basic reports, daily.
    report("ads_reports_daily", Basic, Ad, Daily, &["ad_id", "stat_time_day"], metrics::AD, true),
    report(
        "ads_reports_by_country_daily",
        Basic,
        Ad,
        Daily,
        &["ad_id", "stat_time_day", "country_code"],
        metrics::AD_BY_COUNTRY,
        false,
    ),
    report("ad_groups_reports_daily", Basic, AdGroup, Daily, &["adgroup_id", "stat_time_day"], metrics::AD_GROUP, true),
    report(
        "ad_groups_reports_by_country_daily",
        Basic,
        AdGroup,
        Daily,
        &["adgroup_id", "stat_time_day", "country_code"],
        metrics::AD_GROUP,
        false,
    ),
    report(
        "advertisers_reports_daily",
        Basic,
        Advertiser,
        Daily,
        &["advertiser_id", "stat_time_day"],
        metrics::ADVERTISER_DAILY,
        false,
    ),
    report(
        "campaigns_reports_daily",
        Basic,
        Campaign,
        Daily,
        &["campaign_id", "stat_time_day"],
        metrics::CAMPAIGN,
        true,
    ),
    // Audience reports, daily.
    report(
        "campaigns_audience_reports_daily",
        Audience,
        Campaign,
        Daily,
        &["campaign_id", "stat_time_day", "gender", "age"],
        metrics::CAMPAIGN_AUDIENCE,
        true,
    ),
    report(
        "ad_group_audience_reports_daily",
        Audience,
        AdGroup,
        Daily,
        &["adgroup_id", "stat_time_day", "gender", "age"],
        metrics::AD_GROUP_AUDIENCE,
        true,
    ),
    report(
        "ads_audience_reports_daily",
        Audience,
        Ad,
        Daily,
        &["ad_id", "stat_time_day", "gender", "age"],
        metrics::AD_AUDIENCE,
        true,
    ),
    report(
        "advertisers_audience_reports_daily",
        Audience,
        Advertiser,
        Daily,
        &["advertiser_id", "stat_time_day", "gender", "age"],
        metrics::ADVERTISER_AUDIENCE,
        false,
    ),
    report(
        "campaigns_audience_reports_by_country_daily",
        Audience,
        Campaign,
        Daily,
        &["campaign_id", "stat_time_day", "country_code"],
        metrics::CAMPAIGN_AUDIENCE,
        true,
    ),
    report(
        "ad_group_audience_reports_by_country_daily",
        Audience,
        AdGroup,
        Daily,
        &["adgroup_id", "stat_time_day", "country_code"],
        metrics::AD_GROUP_AUDIENCE,
        true,
    ),
    report(
        "ads_audience_reports_by_country_daily",
        Audience,
        Ad,
        Daily,
        &["ad_id", "stat_time_day", "country_code"],
        metrics::AD_AUDIENCE,
        true,
    ),
    report(
        "advertisers_audience_reports_by_country_daily",
        Audience,
        Advertiser,
        Daily,
        &["advertiser_id", "stat_time_day", "country_code"],
        metrics::ADVERTISER_AUDIENCE,
        false,
    ),
    report(
        "campaigns_audience_reports_by_platform_daily",
        Audience,
        Campaign,
        Daily,
        &["campaign_id", "stat_time_day", "platform"],
        metrics::CAMPAIGN_AUDIENCE,
        true,
    ),
    report(
        "ad_group_audience_reports_by_platform_daily",
        Audience,
        AdGroup,
        Daily,
        &["adgroup_id", "stat_time_day", "platform"],
        metrics::AD_GROUP_AUDIENCE,
        true,
    ),
    report(
        "ads_audience_reports_by_platform_daily",
        Audience,
        Ad,
        Daily,
        &["ad_id", "stat_time_day", "platform"],
        metrics::AD_AUDIENCE,
        true,
    ),
    report(
        "advertisers_audience_reports_by_platform_daily",
        Audience,
        Advertiser,
        Daily,
        &["advertiser_id", "stat_time_day", "platform"],
        metrics::ADVERTISER_AUDIENCE,
        false,
    ),
    report(
        "ads_audience_reports_by_province_daily",
        Audience,
        Ad,
        Daily,
        &["ad_id", "stat_time_day", "province_id"],
        metrics::AD_AUDIENCE,
        true,
    ),
    // Basic reports, hourly.
    report("ads_reports_hourly", Basic, Ad, Hourly, &["ad_id", "stat_time_hour"], metrics::AD, true),
    report(
        "ads_reports_by_country_hourly",
        Basic,
        Ad,
        Hourly,
        &["ad_id", "stat_time_hour", "country_code"],
        metrics::AD_BY_COUNTRY,
        false,
    ),
    report(
        "advertisers_reports_hourly",
        Basic,
        Advertiser,
        Hourly,
        &["advertiser_id", "stat_time_hour"],
        metrics::ADVERTISER,
        false,
    ),
    report(
        "campaigns_reports_hourly",
        Basic,
        Campaign,
        Hourly,
        &["campaign_id", "stat_time_hour"],
        metrics::CAMPAIGN,
        true,
    ),
    report(
        "ad_groups_reports_hourly",
        Basic,
        AdGroup,
        Hourly,
        &["adgroup_id", "stat_time_hour"],
        metrics::AD_GROUP,
        true,
    ),
    report(
        "ad_groups_reports_by_country_hourly",
        Basic,
        AdGroup,
        Hourly,
        &["adgroup_id", "stat_time_hour", "country_code"],
        metrics::AD_GROUP,
        false,
    ),
    // Lifetime totals.
    report("ads_reports_lifetime", Basic, Ad, Lifetime, &["ad_id"], metrics::AD, true),
    report("advertisers_reports_lifetime", Basic, Advertiser, Lifetime, &["advertiser_id"], metrics::ADVERTISER, false),
    report("campaigns_reports_lifetime", Basic, Campaign, Lifetime, &["campaign_id"], metrics::CAMPAIGN, true),
    report("ad_groups_reports_lifetime", Basic, AdGroup, Lifetime, &["adgroup_id"], metrics::AD_GROUP, true),
    report(
        "advertisers_audience_reports_lifetime",
        Audience,
        Advertiser,
        Lifetime,
        &["advertiser_id", "gender", "age"],
        metrics::ADVERTISER_AUDIENCE,
        false,
    ),
    // Upgraded Smart+: its own lists; an ad's creatives are a stream of their own.
    StreamDef {
        name: "smart_plus_campaigns",
        source: Source::List(smart_plus_list("smart_plus/campaign/get", 1000, false)),
        primary_key: &["campaign_id"],
        cursor: Some("modify_time"),
        sandbox: false,
        fields: fields::SMART_PLUS_CAMPAIGNS,
    },
    StreamDef {
        name: "smart_plus_ad_groups",
        source: Source::List(smart_plus_list("smart_plus/adgroup/get", 1000, false)),
        primary_key: &["adgroup_id"],
        cursor: Some("modify_time"),
        sandbox: false,
        fields: fields::SMART_PLUS_AD_GROUPS,
    },
    StreamDef {
        name: "smart_plus_ads",
        // TikTok's SDK caps the ad list's page at 100 (its Go SDK says 1,000: 100 fits both).
        source: Source::List(smart_plus_list("smart_plus/ad/get", 100, true)),
        primary_key: &["smart_plus_ad_id"],
        cursor: Some("modify_time"),
        sandbox: false,
        fields: fields::SMART_PLUS_ADS,
    },
    StreamDef {
        name: "smart_plus_ad_creatives",
        source: Source::List(ListSpec {
            entries_of: Some(("creative_list", "smart_plus_ad_id")),
            ..smart_plus_list("smart_plus/ad/get", 100, true)
        }),
        primary_key: &["smart_plus_ad_id", "ad_material_id"],
        cursor: Some("modify_time"),
        sandbox: false,
        fields: fields::SMART_PLUS_AD_CREATIVES,
    },
    // Upgraded Smart+ ads by `ad_id_v2`, the Smart+ ad (`ad_id` rows are its creatives).
    smart_plus_report(
        "smart_plus_ads_reports_daily",
        Daily,
        &["ad_id_v2", "stat_time_day"],
        &["smart_plus_ad_id", "stat_time_day"],
        metrics::SMART_PLUS_AD,
    ),
    smart_plus_report(
        "smart_plus_ads_reports_hourly",
        Hourly,
        &["ad_id_v2", "stat_time_hour"],
        &["smart_plus_ad_id", "stat_time_hour"],
        metrics::SMART_PLUS_AD,
    ),
    smart_plus_report(
        "smart_plus_ads_reports_lifetime",
        Lifetime,
        &["ad_id_v2"],
        &["smart_plus_ad_id"],
        metrics::SMART_PLUS_AD,
    ),
    // Upgraded Smart+ material reports: which creative earned what.
    StreamDef {
        name: "smart_plus_material_reports_daily",
        source: Source::SmartPlusMaterial(Daily),
        primary_key: &["smart_plus_ad_id", "main_material_id", "stat_time_day"],
        cursor: Some("stat_time_day"),
        sandbox: false,
        fields: fields::SMART_PLUS_MATERIAL_REPORTS,
    },
    StreamDef {
        name: "smart_plus_material_reports_lifetime",
        source: Source::SmartPlusMaterial(Lifetime),
        primary_key: &["smart_plus_ad_id", "main_material_id"],
        cursor: None,
        sandbox: false,
        fields: fields::SMART_PLUS_MATERIAL_REPORTS,
    },
    // GMV Max (TikTok Shop): stores, campaigns, and each report grain per store.
    StreamDef {
        name: "gmv_max_stores",
        source: Source::GmvMax(GmvMaxSpec::Stores),
        primary_key: &["advertiser_id", "store_id"],
        cursor: None,
        sandbox: false,
        fields: fields::GMV_MAX_STORES,
    },
    StreamDef {
        name: "gmv_max_campaigns",
        source: Source::GmvMax(GmvMaxSpec::Campaigns),
        primary_key: &["campaign_id"],
        cursor: Some("modify_time"),
        sandbox: false,
        fields: fields::GMV_MAX_CAMPAIGNS,
    },
    StreamDef {
        name: "gmv_max_campaign_settings",
        source: Source::GmvMax(GmvMaxSpec::CampaignSettings),
        primary_key: &["campaign_id"],
        cursor: Some("modify_time"),
        sandbox: false,
        fields: fields::GMV_MAX_CAMPAIGN_SETTINGS,
    },
    gmv_report(
        "gmv_max_advertiser_reports_daily",
        &["advertiser_id", "store_id", "stat_time_day"],
        grain(&["advertiser_id", "stat_time_day"], None, Daily, &[CORE], Scope::Store),
    ),
    gmv_report(
        "gmv_max_advertiser_reports_hourly",
        &["advertiser_id", "store_id", "stat_time_hour"],
        grain(&["advertiser_id", "stat_time_hour"], None, Hourly, &[CORE], Scope::Store),
    ),
    gmv_report(
        "gmv_max_product_campaign_reports_daily",
        &["advertiser_id", "store_id", "campaign_id", "stat_time_day"],
        grain(
            &["campaign_id", "stat_time_day"],
            Some(Product),
            Daily,
            &[CORE, PRODUCT_BID, CAMPAIGN_ATTRIBUTES],
            Scope::Store,
        ),
    ),
    gmv_report(
        "gmv_max_product_campaign_reports_hourly",
        &["advertiser_id", "store_id", "campaign_id", "stat_time_hour"],
        grain(&["campaign_id", "stat_time_hour"], Some(Product), Hourly, &[CORE], Scope::Store),
    ),
    gmv_report(
        "gmv_max_live_campaign_reports_daily",
        &["advertiser_id", "store_id", "campaign_id", "stat_time_day"],
        grain(&["campaign_id", "stat_time_day"], Some(Live), Daily, &[CORE, LIVE, CAMPAIGN_ATTRIBUTES], Scope::Store),
    ),
    gmv_report(
        "gmv_max_live_campaign_reports_hourly",
        &["advertiser_id", "store_id", "campaign_id", "stat_time_hour"],
        grain(&["campaign_id", "stat_time_hour"], Some(Live), Hourly, &[CORE], Scope::Store),
    ),
    gmv_report(
        "gmv_max_product_reports_daily",
        &["advertiser_id", "store_id", "campaign_id", "item_group_id", "stat_time_day"],
        grain(
            &["campaign_id", "item_group_id", "stat_time_day"],
            Some(Product),
            Daily,
            &[CORE],
            Scope::ActiveCampaigns,
        ),
    ),
    gmv_report(
        "gmv_max_creative_reports_daily",
        &["advertiser_id", "store_id", "campaign_id", "item_group_id", "item_id", "stat_time_day"],
        GmvReport {
            fallback: Some(&["item_id", "stat_time_day"]),
            ..grain(
                &["campaign_id", "item_group_id", "item_id", "stat_time_day"],
                Some(Product),
                Daily,
                &[CORE],
                Scope::ActiveCampaigns,
            )
        },
    ),
    gmv_report(
        "gmv_max_live_room_reports_daily",
        &["advertiser_id", "store_id", "campaign_id", "room_id", "stat_time_day"],
        grain(&["campaign_id", "room_id", "stat_time_day"], Some(Live), Daily, &[CORE, LIVE], Scope::ActiveCampaigns),
    ),
];

/// The built-in stream of this name.
pub fn find(name: &str) -> Option<&'static StreamDef> {
    STREAMS.iter().find(|s| s.name == name)
}

/// The report spec of a report stream of the table (for tests).
#[cfg(test)]
pub fn report_spec(name: &str) -> &'static ReportSpec {
    match find(name).map(|d| &d.source) {
        Some(Source::Report(spec)) => spec,
        _ => panic!("{name} is not a report stream"),
    }
}
