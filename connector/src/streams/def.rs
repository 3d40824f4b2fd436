//! What a stream is: a [`StreamDef`], the [`Source`] of its records with the spec of each kind
//! of source, and the constructors the stream table (and custom reports) are written with.

use super::gmv_max::{GmvMaxSpec, GmvReport};
use crate::metrics::{catalogue::same_text, rules::ReportShape, MetricSet};
pub use crate::report_shape::ReportFilter;
use crate::report_shape::{is_breakdown, DataLevel, Granularity, ReportType};
use crate::schema::{FieldList, FieldType::*};

/// One stream: its name, where its records come from, its key and cursor, its fields.
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
    /// TikTok Shop's GMV Max: stores, campaigns and `gmv_max/report/get/` per store.
    GmvMax(GmvMaxSpec),
    /// Upgraded Smart+ material reports: the daily breakdown per Smart+ ad, or the lifetime
    /// overview.
    SmartPlusMaterial(Granularity),
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

#[derive(Debug, Clone)]
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
    /// Rows whose text metric says one of the values are left out here rather than filtered at
    /// TikTok, where the filter is not documented (manual ads among `ad_id_v2` rows); a row that
    /// does not say is kept, so no row is lost to an answer without the metric.
    pub leave_out: Option<(&'static str, &'static [&'static str])>,
}

impl ReportSpec {
    /// Every report but a basic lifetime one (`query_lifetime`) asks for dates.
    pub fn has_dates(&self) -> bool {
        !(self.granularity == Granularity::Lifetime && self.report_type == ReportType::Basic)
    }

    /// Whether a record (its JSON text) is one the stream leaves out (`leave_out`).
    pub fn leaves_out(&self, record: &str) -> bool {
        let Some((metric, values)) = self.leave_out else { return false };
        let record: serde_json::Value = serde_json::from_str(record).unwrap_or_default();
        record["metrics"][metric].as_str().is_some_and(|v| values.contains(&v))
    }

    /// The finest level id filters may narrow this report to: rows keyed by the Smart+ ad
    /// (`ad_id_v2`) stop at ad groups, since TikTok refuses `ad_ids` with `ad_id_v2` (DOC-SYNC).
    pub fn narrowing_level(&self) -> DataLevel {
        match self.dimensions.first() {
            Some(&"ad_id_v2") => DataLevel::AdGroup,
            _ => self.data_level,
        }
    }

    /// The dimension that names a row's object (first, as the table writes it).
    pub fn id_dimension(&self) -> &'static str {
        self.dimensions.first().copied().unwrap_or_else(|| self.data_level.id_dimension())
    }

    /// Whether the report breaks rows down by more than the object and the time.
    pub fn has_breakdowns(&self) -> bool {
        self.dimensions.iter().any(|d| is_breakdown(d))
    }

    /// The report as far as TikTok's metric rules go.
    pub fn shape(&self) -> ReportShape {
        ReportShape {
            report_type: self.report_type,
            level: self.data_level,
            granularity: self.granularity,
            breakdowns: self.has_breakdowns(),
        }
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
    /// Objects without the cursor field are listed again by their creation time on incremental
    /// reads (`ad/get/`'s Smart+ creative rows lack `modify_time`).
    pub creation_pass: bool,
    /// The records are the entries of this list field of each object (name, the object's id
    /// field copied onto each entry with the advertiser and the object's cursor value).
    pub entries_of: Option<(&'static str, &'static str)>,
}

impl ListSpec {
    /// A paged per-advertiser list without deleted filter, server-side cursor, lifted field,
    /// paging limit or TopView pass.
    pub const fn plain(endpoint: &'static str, list_key: &'static str, page_size: u32) -> ListSpec {
        ListSpec {
            endpoint,
            list_key,
            page_size,
            deleted_filter: None,
            modified_after_filter: false,
            lift: None,
            reachable: None,
            topview_page_size: None,
            creation_pass: false,
            entries_of: None,
        }
    }
}

/// A paged per-advertiser list without deleted filter or server-side cursor.
pub const fn plain_list(endpoint: &'static str, list_key: &'static str, page_size: u32) -> Source {
    Source::List(ListSpec::plain(endpoint, list_key, page_size))
}

/// Entity lists (campaigns, ad groups, ads) share paging, the deleted filter and the TopView pass.
pub const fn entity_list(
    endpoint: &'static str,
    deleted_status: &'static str,
    modified_after_filter: bool,
    topview_page_size: u32,
) -> Source {
    Source::List(ListSpec {
        deleted_filter: Some(("secondary_status", deleted_status)),
        modified_after_filter,
        creation_pass: modified_after_filter,
        topview_page_size: Some(topview_page_size),
        ..ListSpec::plain(endpoint, "list", 1000)
    })
}

/// Upgraded Smart+ lists (`smart_plus/*/get/`): deleted objects by their primary status, the
/// cursor on `modify_time` (the ad list filters on it at TikTok, `modified_after`).
pub const fn smart_plus_list(endpoint: &'static str, page_size: u32, modified_after_filter: bool) -> ListSpec {
    ListSpec {
        deleted_filter: Some(("primary_status", "STATUS_ALL")),
        modified_after_filter,
        ..ListSpec::plain(endpoint, "list", page_size)
    }
}

/// Top-level fields of report records: the dimensions lifted out of `dimensions`, the
/// advertiser, and the `metrics` and `dimensions` objects themselves.
const REPORT_FIELDS: FieldList = &[
    ("advertiser_id", Str),
    ("campaign_id", Str),
    ("adgroup_id", Str),
    ("ad_id", Str),
    ("stat_time_day", Time),
    ("stat_time_hour", Time),
    ("country_code", Str),
    ("platform", Str),
    ("gender", Str),
    ("age", Str),
    ("province_id", Str),
    ("dimensions", Obj),
    ("metrics", Obj),
];

/// Top-level fields of Smart+ ad report records: the Smart+ ad (`ad_id_v2`) besides the others.
const SMART_PLUS_REPORT_FIELDS: FieldList = &[
    ("advertiser_id", Str),
    ("smart_plus_ad_id", Str),
    ("ad_id_v2", Str),
    ("stat_time_day", Time),
    ("stat_time_hour", Time),
    ("dimensions", Obj),
    ("metrics", Obj),
];

/// A report of Upgraded Smart+ ads: `report/integrated/get/` at ad level by `ad_id_v2` (the
/// Smart+ ad; `ad_id` there is one of its creatives), keyed as `smart_plus_ad_id`.
pub const fn smart_plus_report(
    name: &'static str,
    granularity: Granularity,
    dimensions: &'static [&'static str],
    primary_key: &'static [&'static str],
    metrics: MetricSet,
) -> StreamDef {
    assert!(same_text(dimensions[0], "ad_id_v2"), "a Smart+ ad report is keyed by ad_id_v2");
    StreamDef {
        name,
        source: Source::Report(ReportSpec {
            report_type: ReportType::Basic,
            data_level: DataLevel::Ad,
            granularity,
            dimensions,
            metrics,
            filters: &[],
            lookback_days: None,
            // `ad_id_v2` rows are manual ads too (their `ad_id`), and Smart+ ads (DOC-SYNC).
            leave_out: Some(("campaign_automation_type", &["MANUAL"])),
        }),
        primary_key,
        cursor: granularity.time_dimension(),
        sandbox: false,
        fields: SMART_PLUS_REPORT_FIELDS,
    }
}

/// A report stream: the built-in ones of the table, custom reports from the config
/// (`custom.rs`) and the built-in ones with `additional_metrics` are made here alike.
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
    assert!(
        same_text(dimensions[0], data_level.id_dimension())
            || (same_text(dimensions[0], "ad_id_v2") && matches!(data_level, DataLevel::Ad)),
        "a report's first dimension must be its data level's id (at ad level, or the Smart+ ad's)"
    );
    StreamDef {
        name,
        source: Source::Report(ReportSpec {
            report_type,
            data_level,
            granularity,
            dimensions,
            metrics,
            filters: &[],
            lookback_days: None,
            leave_out: None,
        }),
        // The dimensions are the key of a row; the advertiser is implied by the id dimension.
        primary_key: dimensions,
        cursor: granularity.time_dimension(),
        sandbox,
        fields: REPORT_FIELDS,
    }
}

/// Top-level fields of GMV Max report records: the dimensions lifted out of `dimensions`, the
/// advertiser and the store of the request, and the `metrics` and `dimensions` objects.
const GMV_MAX_REPORT_FIELDS: FieldList = &[
    ("advertiser_id", Str),
    ("store_id", Str),
    ("campaign_id", Str),
    ("item_group_id", Str),
    ("item_id", Str),
    ("room_id", Str),
    ("stat_time_day", Time),
    ("stat_time_hour", Time),
    ("dimensions", Obj),
    ("metrics", Obj),
];

/// A GMV Max report stream; its key is the advertiser, the store and the dimensions.
pub const fn gmv_report(name: &'static str, primary_key: &'static [&'static str], spec: GmvReport) -> StreamDef {
    let cursor = spec.granularity.time_dimension();
    StreamDef {
        name,
        source: Source::GmvMax(GmvMaxSpec::Report(spec)),
        primary_key,
        cursor,
        // TikTok's sandbox has no GMV Max (gmv-max-smart-plus.md §1.10).
        sandbox: false,
        fields: GMV_MAX_REPORT_FIELDS,
    }
}
