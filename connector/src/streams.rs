//! The stream table: every stream the connector offers, as data. The mechanisms that read
//! them live in `sources/` (one module per kind of stream), `fetch/` (paging, answers fetched
//! ahead) and `read/` (the sync); adding a stream of an existing kind is one entry here.

use serde_json::{json, Value};

use crate::fields;
use crate::metrics::{self, catalogue::same_text, MetricSet};
use crate::schema::{self, FieldList, FieldType::*};
pub use crate::report_shape::{is_breakdown, DataLevel, Granularity, ReportType};

/// Where a stream's records come from.
#[derive(Debug)]
pub enum Source {
    /// `oauth2/advertiser/get/`: the advertisers the token may read (app id and secret).
    AdvertiserIds,
    /// `advertiser/info/` for every advertiser, ids batched per call.
    AdvertiserInfo,
    /// A paged list read once per advertiser.
    List(ListSpec),
    /// `report/integrated/get/` per advertiser, over date windows.
    Report(ReportSpec),
    /// One unpaged call per advertiser and per combination of parameter values.
    Fanout(FanoutSpec),
    /// `pixel/event/stats/` for every pixel of every advertiser (ids from the pixel list).
    PixelStats(PixelStatsSpec),
}

#[derive(Debug)]
pub struct PixelStatsSpec {
    /// Where the pixel ids come from: the `pixels` stream's list.
    pub pixels: &'static ListSpec,
}

#[derive(Debug)]
pub struct FanoutSpec {
    pub endpoint: &'static str,
    pub list_key: &'static str,
    /// Each parameter with the values to try; every combination is one call, and the
    /// parameters are added to the records it returns.
    pub params: &'static [(&'static str, &'static [&'static str])],
}

#[derive(Debug)]
pub struct ReportSpec {
    pub report_type: ReportType,
    pub data_level: DataLevel,
    pub granularity: Granularity,
    /// Every dimension, time dimension included.
    pub dimensions: &'static [&'static str],
    pub metrics: MetricSet,
    /// Rows whose field is one of the values (custom reports).
    pub filters: &'static [ReportFilter],
    /// Days re-read before the cursor, instead of the config's `attribution_window`.
    pub lookback_days: Option<u32>,
}

/// `filtering` of a report: the field is one of the values (TikTok's `IN`).
#[derive(Debug)]
pub struct ReportFilter {
    pub field: &'static str,
    pub values: &'static [&'static str],
}

impl ReportSpec {
    /// Every report but a basic lifetime one (`query_lifetime`) asks for dates.
    pub fn has_dates(&self) -> bool {
        !(self.granularity == Granularity::Lifetime && self.report_type == ReportType::Basic)
    }

    /// Whether the report breaks rows down by more than the object and the time.
    pub fn has_breakdowns(&self) -> bool {
        self.dimensions.iter().any(|d| is_breakdown(d))
    }

    /// The most days a daily window of this report spans. TikTok advises at most 7 days for
    /// heavy audience queries, with ad-level audience reports over 30 days as its example of a
    /// query that times out (DOC-BP, tiktok-api.md §4.4).
    pub fn daily_window_days(&self) -> u32 {
        match (self.report_type, self.data_level) {
            (ReportType::Audience, DataLevel::Ad) => 7,
            _ => 30,
        }
    }
}

#[derive(Debug)]
pub struct ListSpec {
    /// Endpoint path under `/open_api/v1.3/`, without slashes around it.
    pub endpoint: &'static str,
    /// Key of the record list inside `data`.
    pub list_key: &'static str,
    /// The endpoint's maximum page size.
    pub page_size: u32,
    /// `filtering` entry that asks for deleted objects too (`include_deleted`).
    pub deleted_filter: Option<(&'static str, &'static str)>,
    /// The endpoint filters on `modified_after` itself, so incremental reads fetch less.
    pub modified_after_filter: bool,
    /// A top-level field copied from inside the record (name, JSON pointer), e.g. a key
    /// TikTok nests.
    pub lift: Option<(&'static str, &'static str)>,
    /// The most records paging can reach (`file/music/get` allows page × page_size ≤ 100,000;
    /// `file/image/ad/search` lists only the first 10,000 images).
    pub reachable: Option<u64>,
    /// TikTok leaves TopView objects out unless `buying_types` is `["RESERVATION_TOP_VIEW"]`
    /// alone (DOC-CAMP): a second pass asks for them, at this page size (ad groups: 100).
    pub topview_page_size: Option<u32>,
}

/// A paged per-advertiser list without deleted filter or server-side cursor.
const fn plain_list(endpoint: &'static str, list_key: &'static str, page_size: u32) -> Source {
    Source::List(ListSpec { endpoint, list_key, page_size, deleted_filter: None, modified_after_filter: false, lift: None, reachable: None, topview_page_size: None })
}

#[derive(Debug)]
pub struct StreamDef {
    pub name: &'static str,
    pub source: Source,
    pub primary_key: &'static [&'static str],
    /// Incremental streams name their cursor field; the others are full refresh only.
    pub cursor: Option<&'static str>,
    /// Offered to sandbox (`sandbox_access_token`) configs.
    pub sandbox: bool,
    /// Record fields, see `schema.rs`.
    pub fields: FieldList,
}

/// `pixel/list/`: read by the `pixels` stream, and for the pixel ids of `pixel_events_statistics`.
const PIXEL_LIST: ListSpec =
    ListSpec { endpoint: "pixel/list", list_key: "pixels", page_size: 20, deleted_filter: None, modified_after_filter: false, lift: None, reachable: None, topview_page_size: None };

/// Entity lists (campaigns, ad groups, ads) share paging, the deleted filter and the TopView pass.
const fn entity_list(endpoint: &'static str, deleted_status: &'static str, modified_after_filter: bool, topview_page_size: u32) -> Source {
    Source::List(ListSpec {
        endpoint,
        list_key: "list",
        page_size: 1000,
        deleted_filter: Some(("secondary_status", deleted_status)),
        modified_after_filter,
        lift: None,
        reachable: None,
        topview_page_size: Some(topview_page_size),
    })
}

/// Top-level fields of report records: the dimensions lifted out of `dimensions`, the
/// advertiser, and the `metrics` and `dimensions` objects themselves.
const REPORT_FIELDS: FieldList = &[
    ("advertiser_id", Str), ("campaign_id", Str), ("adgroup_id", Str), ("ad_id", Str), ("stat_time_day", Time),
    ("stat_time_hour", Time), ("country_code", Str), ("platform", Str), ("gender", Str), ("age", Str),
    ("province_id", Str), ("dimensions", Obj), ("metrics", Obj)
];

/// A report stream: the built-in ones below, and custom reports from the config
/// (`custom.rs`), are made here alike.
pub const fn report(
    name: &'static str,
    report_type: ReportType,
    data_level: DataLevel,
    granularity: Granularity,
    dimensions: &'static [&'static str],
    metrics: MetricSet,
    sandbox: bool,
) -> StreamDef {
    // Checked when the table is compiled: a row is keyed by its level's id dimension first.
    assert!(same_text(dimensions[0], data_level.id_dimension()), "a report's first dimension must be its data level's id");
    StreamDef {
        name,
        source: Source::Report(ReportSpec { report_type, data_level, granularity, dimensions, metrics, filters: &[], lookback_days: None }),
        // The dimensions are the key of a row; the advertiser is implied by the id dimension.
        primary_key: dimensions,
        cursor: granularity.time_dimension(),
        sandbox,
        fields: REPORT_FIELDS,
    }
}

use DataLevel::{Ad, AdGroup, Advertiser, Campaign};
use Granularity::{Daily, Hourly, Lifetime};
use ReportType::{Audience, Basic};

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
            endpoint: "file/image/ad/search",
            list_key: "list",
            page_size: 100,
            deleted_filter: None,
            modified_after_filter: false,
            lift: None,
            reachable: Some(10_000),
            topview_page_size: None,
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
            endpoint: "file/music/get",
            list_key: "musics",
            page_size: 1000,
            deleted_filter: None,
            modified_after_filter: false,
            lift: None,
            reachable: Some(100_000),
            topview_page_size: None,
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
            endpoint: "tt_video/list",
            list_key: "list",
            page_size: 50,
            deleted_filter: None,
            modified_after_filter: false,
            lift: Some(("spark_ads_post_id", "/item_info/item_id")),
            reachable: None,
            topview_page_size: None,
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
                ("objective_type", &[
                    "APP_PROMOTION", "WEB_CONVERSIONS", "REACH", "TRAFFIC", "VIDEO_VIEWS", "PRODUCT_SALES",
                    "ENGAGEMENT", "LEAD_GENERATION", "RF_REACH", "TOPVIEW_REACH",
                ]),
                ("optimization_goal", &[
                    "CLICK", "CONVERT", "INSTALL", "IN_APP_EVENT", "SHOW", "REACH", "LEAD_GENERATION", "CONVERSATION",
                    "FOLLOWERS", "PAGE_VISIT", "VALUE", "AUTOMATIC_VALUE_OPTIMIZATION", "GMV", "PURCHASES",
                    "INITIATE_CHECKOUTS", "MT_LIVE_ROOM", "PRODUCT_CLICK_IN_LIVE", "ENGAGED_VIEW",
                    "ENGAGED_VIEW_FIFTEEN", "TRAFFIC_LANDING_PAGE_VIEW", "DESTINATION_VISIT", "PREFERRED_LEAD",
                ]),
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
    report("ads_reports_by_country_daily", Basic, Ad, Daily, &["ad_id", "stat_time_day", "country_code"], metrics::AD_BY_COUNTRY, false),
    report("ad_groups_reports_daily", Basic, AdGroup, Daily, &["adgroup_id", "stat_time_day"], metrics::AD_GROUP, true),
    report("ad_groups_reports_by_country_daily", Basic, AdGroup, Daily, &["adgroup_id", "stat_time_day", "country_code"], metrics::AD_GROUP, false),
    report("advertisers_reports_daily", Basic, Advertiser, Daily, &["advertiser_id", "stat_time_day"], metrics::ADVERTISER_DAILY, false),
    report("campaigns_reports_daily", Basic, Campaign, Daily, &["campaign_id", "stat_time_day"], metrics::CAMPAIGN, true),
    // Audience reports, daily.
    report("campaigns_audience_reports_daily", Audience, Campaign, Daily, &["campaign_id", "stat_time_day", "gender", "age"], metrics::CAMPAIGN_AUDIENCE, true),
    report("ad_group_audience_reports_daily", Audience, AdGroup, Daily, &["adgroup_id", "stat_time_day", "gender", "age"], metrics::AD_GROUP_AUDIENCE, true),
    report("ads_audience_reports_daily", Audience, Ad, Daily, &["ad_id", "stat_time_day", "gender", "age"], metrics::AD_AUDIENCE, true),
    report("advertisers_audience_reports_daily", Audience, Advertiser, Daily, &["advertiser_id", "stat_time_day", "gender", "age"], metrics::ADVERTISER_AUDIENCE, false),
    report("campaigns_audience_reports_by_country_daily", Audience, Campaign, Daily, &["campaign_id", "stat_time_day", "country_code"], metrics::CAMPAIGN_AUDIENCE, true),
    report("ad_group_audience_reports_by_country_daily", Audience, AdGroup, Daily, &["adgroup_id", "stat_time_day", "country_code"], metrics::AD_GROUP_AUDIENCE, true),
    report("ads_audience_reports_by_country_daily", Audience, Ad, Daily, &["ad_id", "stat_time_day", "country_code"], metrics::AD_AUDIENCE, true),
    report("advertisers_audience_reports_by_country_daily", Audience, Advertiser, Daily, &["advertiser_id", "stat_time_day", "country_code"], metrics::ADVERTISER_AUDIENCE, false),
    report("campaigns_audience_reports_by_platform_daily", Audience, Campaign, Daily, &["campaign_id", "stat_time_day", "platform"], metrics::CAMPAIGN_AUDIENCE, true),
    report("ad_group_audience_reports_by_platform_daily", Audience, AdGroup, Daily, &["adgroup_id", "stat_time_day", "platform"], metrics::AD_GROUP_AUDIENCE, true),
    report("ads_audience_reports_by_platform_daily", Audience, Ad, Daily, &["ad_id", "stat_time_day", "platform"], metrics::AD_AUDIENCE, true),
    report("advertisers_audience_reports_by_platform_daily", Audience, Advertiser, Daily, &["advertiser_id", "stat_time_day", "platform"], metrics::ADVERTISER_AUDIENCE, false),
    report("ads_audience_reports_by_province_daily", Audience, Ad, Daily, &["ad_id", "stat_time_day", "province_id"], metrics::AD_AUDIENCE, true),
    // Basic reports, hourly.
    report("ads_reports_hourly", Basic, Ad, Hourly, &["ad_id", "stat_time_hour"], metrics::AD, true),
    report("ads_reports_by_country_hourly", Basic, Ad, Hourly, &["ad_id", "stat_time_hour", "country_code"], metrics::AD_BY_COUNTRY, false),
    report("advertisers_reports_hourly", Basic, Advertiser, Hourly, &["advertiser_id", "stat_time_hour"], metrics::ADVERTISER, false),
    report("campaigns_reports_hourly", Basic, Campaign, Hourly, &["campaign_id", "stat_time_hour"], metrics::CAMPAIGN, true),
    report("ad_groups_reports_hourly", Basic, AdGroup, Hourly, &["adgroup_id", "stat_time_hour"], metrics::AD_GROUP, true),
    report("ad_groups_reports_by_country_hourly", Basic, AdGroup, Hourly, &["adgroup_id", "stat_time_hour", "country_code"], metrics::AD_GROUP, false),
    // Lifetime totals.
    report("ads_reports_lifetime", Basic, Ad, Lifetime, &["ad_id"], metrics::AD, true),
    report("advertisers_reports_lifetime", Basic, Advertiser, Lifetime, &["advertiser_id"], metrics::ADVERTISER, false),
    report("campaigns_reports_lifetime", Basic, Campaign, Lifetime, &["campaign_id"], metrics::CAMPAIGN, true),
    report("ad_groups_reports_lifetime", Basic, AdGroup, Lifetime, &["adgroup_id"], metrics::AD_GROUP, true),
    report("advertisers_audience_reports_lifetime", Audience, Advertiser, Lifetime, &["advertiser_id", "gender", "age"], metrics::ADVERTISER_AUDIENCE, false),
];

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

impl StreamDef {
    pub fn json_schema(&self) -> Value {
        let mut schema = schema::from_field_list(self.fields);
        if let Source::Report(spec) = &self.source {
            let metrics = metrics::names(spec.metrics)
                .map(|m| (m.to_string(), schema::field_schema(metrics::schema_type(m))))
                .collect();
            let mut metrics_schema = schema::object_schema(metrics);
            metrics_schema["type"] = json!(["null", "object"]);
            metrics_schema.as_object_mut().unwrap().remove("$schema");
            schema["properties"]["metrics"] = metrics_schema;
        }
        if matches!(self.source, Source::Fanout(_) | Source::PixelStats(_)) {
            schema["description"] = json!(format!(
                "Primary key {:?}: the reference connector declares none; this one is the natural key of the data.",
                self.primary_key
            ));
        }
        schema
    }

    /// The stream as an Airbyte catalog entry.
    pub fn catalog_entry(&self) -> Value {
        let mut entry = json!({
            "name": self.name,
            "json_schema": self.json_schema(),
            "supported_sync_modes": if self.cursor.is_some() { json!(["full_refresh", "incremental"]) } else { json!(["full_refresh"]) },
            "source_defined_primary_key": self.primary_key.iter().map(|k| json!([k])).collect::<Vec<_>>(),
        });
        if let Some(cursor) = self.cursor {
            entry["source_defined_cursor"] = json!(true);
            entry["default_cursor_field"] = json!([cursor]);
        }
        // A read resumes from the per-advertiser state of streams with a cursor.
        entry["is_resumable"] = json!(self.cursor.is_some());
        entry
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stream_has_a_valid_schema_with_its_keys() {
        for s in STREAMS {
            let schema = s.json_schema();
            let props = schema["properties"].as_object().unwrap();
            for key in s.primary_key.iter().chain(s.cursor.iter()) {
                assert!(props.contains_key(*key), "{}: {key} missing from schema", s.name);
            }
        }
    }

    #[test]
    fn no_built_in_report_asks_a_metric_tiktok_refuses_in_it() {
        for def in STREAMS {
            let Source::Report(spec) = &def.source else { continue };
            let shape = metrics::rules::ReportShape {
                report_type: spec.report_type,
                level: spec.data_level,
                granularity: spec.granularity,
                breakdowns: spec.has_breakdowns(),
            };
            for m in metrics::names(spec.metrics) {
                assert_eq!(metrics::rules::refusal(m, &shape), None, "{}", def.name);
            }
        }
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<_> = STREAMS.iter().map(|s| s.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), STREAMS.len());
    }
}
