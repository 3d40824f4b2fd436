//! Report metrics: the sets each report stream requests (as the reference does), selected from
//! the catalogue (`catalogue.rs`), and how each metric is typed (`values.rs` types one value).
//! `rules.rs` says where TikTok gives each metric.

pub mod catalogue;
pub mod gmv_max;
pub mod rules;
mod values;

pub use values::{convert, type_value, Raw, Typed};

/// TikTok's advice: at most 100 metrics in one request (DOC-BP).
pub const MAX_METRICS: usize = 100;

/// The metrics of a report: named groups, composed per stream as the reference manifest does.
pub type MetricSet = &'static [&'static [&'static str]];

/// Delivery: what every report has.
const DELIVERY: &[&str] = &["spend", "cpc", "cpm", "impressions", "clicks", "ctr"];
/// Reach-type (UV) metrics.
const REACH: &[&str] = &["reach", "cost_per_1000_reached", "frequency"];
const ENGAGEMENT: &[&str] = &[
    "video_play_actions",
    "video_watched_2s",
    "video_watched_6s",
    "average_video_play",
    "average_video_play_per_user",
    "video_views_p25",
    "video_views_p50",
    "video_views_p75",
    "video_views_p100",
    "profile_visits",
    "likes",
    "comments",
    "shares",
    "follows",
    "clicks_on_music_disc",
    "real_time_app_install",
    "real_time_app_install_cost",
    "app_install",
];
const CAMPAIGN_NAME: &[&str] = &["campaign_name"];
/// Attributes of the campaign and ad group a row belongs to.
const AD_GROUP_ATTRIBUTES: &[&str] = &[
    "campaign_name",
    "campaign_id",
    "adgroup_name",
    "placement_type",
    "tt_app_id",
    "tt_app_name",
    "mobile_app_id",
    "promotion_type",
    "dpa_target_audience_type",
];
const AD_ATTRIBUTES: &[&str] = &["adgroup_id", "ad_name", "ad_text"];
const CONVERSIONS: &[&str] = &[
    "conversion",
    "cost_per_conversion",
    "conversion_rate",
    "real_time_conversion",
    "real_time_cost_per_conversion",
    "real_time_conversion_rate",
    "result",
    "cost_per_result",
    "result_rate",
    "real_time_result",
    "real_time_cost_per_result",
    "real_time_result_rate",
];
const SECONDARY_GOAL: &[&str] =
    &["secondary_goal_result", "cost_per_secondary_goal_result", "secondary_goal_result_rate"];
const SHOPPING: &[&str] = &[
    "total_purchase_value",
    "total_onsite_shopping_value",
    "onsite_shopping",
    "vta_purchase",
    "vta_conversion",
    "cta_purchase",
    "cta_conversion",
    "total_pageview",
    "complete_payment",
    "value_per_complete_payment",
    "total_complete_payment_rate",
    "profile_visits_rate",
];
/// Purchases, which TikTok does not break down by country.
const PURCHASES: &[&str] = &["purchase", "purchase_rate", "cost_per_purchase"];
const LEADS_AND_EVENTS: &[&str] = &[
    "registration",
    "registration_rate",
    "sales_lead",
    "sales_lead_rate",
    "cost_per_app_install",
    "cost_per_registration",
    "cost_per_sales_lead",
    "cost_per_total_sales_lead",
    "cost_per_total_app_event_add_to_cart",
    "total_app_event_add_to_cart",
];
/// Advertiser level, daily only.
const CASH: &[&str] = &["cash_spend", "voucher_spend"];

/// The metric sets of the reference connector's report streams.
pub const AD: MetricSet = &[
    AD_GROUP_ATTRIBUTES,
    CONVERSIONS,
    SECONDARY_GOAL,
    AD_ATTRIBUTES,
    SHOPPING,
    PURCHASES,
    LEADS_AND_EVENTS,
    DELIVERY,
    REACH,
    ENGAGEMENT,
];
pub const AD_BY_COUNTRY: MetricSet = &[
    AD_GROUP_ATTRIBUTES,
    CONVERSIONS,
    SECONDARY_GOAL,
    AD_ATTRIBUTES,
    SHOPPING,
    LEADS_AND_EVENTS,
    DELIVERY,
    REACH,
    ENGAGEMENT,
];
pub const AD_GROUP: MetricSet = &[AD_GROUP_ATTRIBUTES, CONVERSIONS, SECONDARY_GOAL, DELIVERY, REACH, ENGAGEMENT];
pub const CAMPAIGN: MetricSet = &[CAMPAIGN_NAME, DELIVERY, REACH, ENGAGEMENT];
/// Advertiser level, hourly and lifetime.
pub const ADVERTISER: MetricSet = &[DELIVERY, REACH, ENGAGEMENT];
pub const ADVERTISER_DAILY: MetricSet = &[CASH, DELIVERY, REACH, ENGAGEMENT];
pub const CAMPAIGN_AUDIENCE: MetricSet = &[CAMPAIGN_NAME, DELIVERY];
pub const AD_GROUP_AUDIENCE: MetricSet = &[AD_GROUP_ATTRIBUTES, CONVERSIONS, DELIVERY];
pub const AD_AUDIENCE: MetricSet = &[AD_GROUP_ATTRIBUTES, CONVERSIONS, AD_ATTRIBUTES, DELIVERY];
pub const ADVERTISER_AUDIENCE: MetricSet = &[DELIVERY];
/// Upgraded Smart+ ads (`ad_id_v2` rows): the ad level's, without what is per creative (its
/// name and text; TikTok refuses the `ad_id` attribute with `ad_id_v2`), with the automation type.
const SMART_PLUS_ATTRIBUTES: &[&str] = &["adgroup_id", "campaign_automation_type"];
pub const SMART_PLUS_AD: MetricSet =
    &[AD_GROUP_ATTRIBUTES, SMART_PLUS_ATTRIBUTES, CONVERSIONS, SECONDARY_GOAL, DELIVERY, REACH, ENGAGEMENT];

/// Smart+ material reports (`smart_plus/material_report/*`): the basic report's delivery, video
/// and conversion counts, which they take (DOC-USP-METRICS).
pub const SMART_PLUS_MATERIAL: &[&str] = &[
    "spend",
    "impressions",
    "clicks",
    "ctr",
    "cpc",
    "cpm",
    "conversion",
    "cost_per_conversion",
    "conversion_rate",
    "video_play_actions",
    "video_watched_2s",
    "video_watched_6s",
    "video_views_p100",
    "likes",
    "comments",
    "shares",
    "follows",
];

/// Whether every name of a set is in the catalogue, so the compiler refuses a stream that asks
/// for a metric the catalogue cannot type.
const fn in_catalogue(set: MetricSet) -> bool {
    let mut i = 0;
    while i < set.len() {
        let mut j = 0;
        while j < set[i].len() {
            if !catalogue::has(set[i][j]) {
                return false;
            }
            j += 1;
        }
        i += 1;
    }
    true
}

const _: () = assert!(
    in_catalogue(&[
        DELIVERY,
        REACH,
        ENGAGEMENT,
        CAMPAIGN_NAME,
        AD_GROUP_ATTRIBUTES,
        AD_ATTRIBUTES,
        CONVERSIONS,
        SECONDARY_GOAL,
        SHOPPING,
        PURCHASES,
        LEADS_AND_EVENTS,
        CASH,
        SMART_PLUS_ATTRIBUTES,
        SMART_PLUS_MATERIAL
    ]),
    "a metric group names a metric the catalogue lacks"
);

/// Every metric of the catalogue, in its order.
pub fn known() -> impl Iterator<Item = &'static str> {
    catalogue::CATALOGUE.iter().map(|m| m.name)
}

pub fn is_known(name: &str) -> bool {
    catalogue::find(name).is_some()
}

/// Whether a metric counts unique users (reach, results, the app legs' unique counts): its
/// values of two windows do not add up to the value of both (tiktok-api.md R12), so a record
/// summed from several windows cannot carry it (null, or read in one query).
pub fn is_unique(name: &str) -> bool {
    catalogue::find(name).is_some_and(|m| m.unique)
}

/// Every metric name of a set, in request order.
pub fn names(set: MetricSet) -> impl Iterator<Item = &'static str> {
    set.iter().flat_map(|group| group.iter().copied())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricType {
    /// Names, labels and ids: kept as strings.
    Text,
    /// Whole numbers of things: additive.
    Count,
    /// Amounts of the account's currency: additive, kept with TikTok's exact decimals.
    Money,
    /// Rates (percent units, as TikTok sends them), averages and costs per unit: not additive.
    Ratio,
}

/// How a metric's values are typed: the catalogue's kind (the integrated report's, else GMV
/// Max's); a name neither knows (a metric TikTok shipped since) as a decimal.
pub fn metric_type(name: &str) -> MetricType {
    catalogue::find(name).map(|m| m.kind).or_else(|| gmv_max::metric_type(name)).unwrap_or(MetricType::Ratio)
}

pub fn schema_type(name: &str) -> crate::schema::FieldType {
    use crate::schema::FieldType;
    match metric_type(name) {
        MetricType::Text => FieldType::Str,
        MetricType::Count => FieldType::Int,
        MetricType::Money | MetricType::Ratio => FieldType::Num,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_types_the_reference_metrics_as_before() {
        let text = "campaign_name campaign_id adgroup_name adgroup_id ad_name ad_text placement_type tt_app_id tt_app_name mobile_app_id promotion_type dpa_target_audience_type currency timezone advertiser_id advertiser_name";
        let counts = "impressions clicks reach conversion real_time_conversion result real_time_result secondary_goal_result video_play_actions video_watched_2s video_watched_6s video_views_p25 video_views_p50 video_views_p75 video_views_p100 profile_visits likes comments shares follows clicks_on_music_disc real_time_app_install app_install purchase registration sales_lead total_app_event_add_to_cart total_pageview complete_payment onsite_shopping vta_purchase vta_conversion cta_purchase cta_conversion";
        let money = "spend cash_spend voucher_spend total_purchase_value total_onsite_shopping_value";
        for (names, kind) in [(text, MetricType::Text), (counts, MetricType::Count), (money, MetricType::Money)] {
            for m in names.split(' ') {
                assert_eq!(metric_type(m), kind, "{m}");
            }
        }
        for m in names(AD).chain(names(ADVERTISER_DAILY)) {
            let before = if [text, counts, money].iter().any(|l| l.split(' ').any(|n| n == m)) {
                metric_type(m)
            } else {
                MetricType::Ratio
            };
            assert_eq!(metric_type(m), before, "{m}");
        }
        let mut all: Vec<_> = known().collect();
        all.sort_unstable();
        let n = all.len();
        all.dedup();
        assert_eq!(all.len(), n, "a name twice in the catalogue");
        assert_eq!(metric_type("a_metric_tiktok_ships_tomorrow"), MetricType::Ratio);
    }

    #[test]
    fn unique_counts_are_marked() {
        for m in [
            "reach",
            "result",
            "real_time_result",
            "live_play_count",
            "purchase",
            "registration",
            "onsite_unique_purchase",
        ] {
            assert!(is_unique(m), "{m}");
        }
        for m in ["spend", "impressions", "conversion", "total_purchase", "complete_payment", "new_metric"] {
            assert!(!is_unique(m), "{m}");
        }
    }

    #[test]
    fn every_metric_set_is_unique_names() {
        for set in [
            AD,
            AD_BY_COUNTRY,
            AD_GROUP,
            CAMPAIGN,
            ADVERTISER,
            ADVERTISER_DAILY,
            CAMPAIGN_AUDIENCE,
            AD_GROUP_AUDIENCE,
            AD_AUDIENCE,
            ADVERTISER_AUDIENCE,
        ] {
            let mut names: Vec<_> = super::names(set).collect();
            let n = names.len();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), n);
        }
        assert_eq!(super::names(AD).count(), 79);
        assert_eq!(super::names(AD_BY_COUNTRY).count(), 76);
        assert_eq!(super::names(AD_GROUP).count(), 51);
        assert_eq!(super::names(ADVERTISER_DAILY).count(), 29);
        // The by-country set is the ad set without purchases.
        let by_country: Vec<_> = super::names(AD_BY_COUNTRY).collect();
        let missing: Vec<_> = super::names(AD).filter(|m| !by_country.contains(m)).collect();
        assert_eq!(missing, ["purchase", "purchase_rate", "cost_per_purchase"]);
    }
}
