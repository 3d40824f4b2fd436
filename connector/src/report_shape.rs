//! What kind of report a query is: its type, data level and granularity. The stream table,
//! the metric catalogue and the report machinery all speak of reports in these terms.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportType {
    Basic,
    Audience,
}

impl ReportType {
    pub const ALL: [ReportType; 2] = [ReportType::Basic, ReportType::Audience];

    /// `report_type` as the API (and a custom report) names it.
    pub const fn api_name(self) -> &'static str {
        match self {
            ReportType::Basic => "BASIC",
            ReportType::Audience => "AUDIENCE",
        }
    }
}

/// How a report's rows are cut in time, which decides its date windows and cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Granularity {
    /// `stat_time_day`: windows of up to 30 days.
    Daily,
    /// `stat_time_hour`: one day per request.
    Hourly,
    /// No time dimension: totals since `start_date`.
    Lifetime,
}

impl Granularity {
    pub const ALL: [Granularity; 3] = [Granularity::Daily, Granularity::Hourly, Granularity::Lifetime];

    /// The granularity as a custom report names it.
    pub const fn name(self) -> &'static str {
        match self {
            Granularity::Daily => "DAILY",
            Granularity::Hourly => "HOURLY",
            Granularity::Lifetime => "LIFETIME",
        }
    }

    /// The dimension that cuts rows in time (the report's cursor); lifetime totals have none.
    pub const fn time_dimension(self) -> Option<&'static str> {
        match self {
            Granularity::Daily => Some("stat_time_day"),
            Granularity::Hourly => Some("stat_time_hour"),
            Granularity::Lifetime => None,
        }
    }
}

/// Whether a report dimension breaks rows down beyond their object and time.
pub fn is_breakdown(dimension: &str) -> bool {
    !matches!(
        dimension,
        "advertiser_id" | "campaign_id" | "adgroup_id" | "ad_id" | "ad_id_v2" | "stat_time_day" | "stat_time_hour"
    )
}

/// The level of the objects a report row describes, coarsest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DataLevel {
    Advertiser,
    Campaign,
    AdGroup,
    Ad,
}

impl DataLevel {
    /// Every level, coarsest first.
    pub const ALL: [DataLevel; 4] = [DataLevel::Advertiser, DataLevel::Campaign, DataLevel::AdGroup, DataLevel::Ad];

    /// `data_level` as the API (and a custom report) names it.
    pub const fn api_name(self) -> &'static str {
        match self {
            DataLevel::Advertiser => "AUCTION_ADVERTISER",
            DataLevel::Campaign => "AUCTION_CAMPAIGN",
            DataLevel::AdGroup => "AUCTION_ADGROUP",
            DataLevel::Ad => "AUCTION_AD",
        }
    }

    /// The dimension that identifies a row's object.
    pub const fn id_dimension(self) -> &'static str {
        match self {
            DataLevel::Advertiser => "advertiser_id",
            DataLevel::Campaign => "campaign_id",
            DataLevel::AdGroup => "adgroup_id",
            DataLevel::Ad => "ad_id",
        }
    }

    /// The report filter on the objects' status (`include_deleted`); the advertiser level has
    /// none (the reference sends none there, and TikTok documents none).
    pub fn status_field(self) -> Option<&'static str> {
        match self {
            DataLevel::Advertiser => None,
            DataLevel::Campaign => Some("campaign_status"),
            DataLevel::AdGroup => Some("adgroup_status"),
            DataLevel::Ad => Some("ad_status"),
        }
    }
}

/// `filtering` of a report: the field is one of the values (TikTok's `IN`).
#[derive(Debug, Clone)]
pub struct ReportFilter {
    pub field: &'static str,
    pub values: &'static [&'static str],
}
