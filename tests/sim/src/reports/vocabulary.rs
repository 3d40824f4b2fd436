//! The names the simulator's report rows are made of: the reference's metrics by how their
//! values are made (counted, money, derived, always empty), and the buckets of each breakdown.

// The reference's metrics, with the values they always had; the metric table
// (`crate::metrics`) derives the others.

/// Counts: additive, rendered as integers.
pub(super) const COUNT_METRICS: &[&str] = &[
    "impressions",
    "clicks",
    "reach",
    "conversion",
    "real_time_conversion",
    "result",
    "real_time_result",
    "video_play_actions",
    "video_watched_2s",
    "video_watched_6s",
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
    "app_install",
    "purchase",
    "registration",
    "sales_lead",
    "total_app_event_add_to_cart",
    "total_pageview",
    "complete_payment",
    "onsite_shopping",
    "vta_purchase",
    "vta_conversion",
    "cta_purchase",
    "cta_conversion",
];

/// Money: additive, rendered with two decimals.
pub(super) const MONEY_METRICS: &[&str] =
    &["spend", "cash_spend", "voucher_spend", "total_purchase_value", "total_onsite_shopping_value"];

/// Derived from the additive ones (rates in percent units, costs per result).
pub(super) const RATIO_METRICS: &[&str] = &[
    "cpc",
    "cpm",
    "ctr",
    "cost_per_1000_reached",
    "frequency",
    "cost_per_conversion",
    "conversion_rate",
    "real_time_cost_per_conversion",
    "real_time_conversion_rate",
    "cost_per_result",
    "result_rate",
    "real_time_cost_per_result",
    "real_time_result_rate",
    "average_video_play",
    "average_video_play_per_user",
    "value_per_complete_payment",
    "total_complete_payment_rate",
    "profile_visits_rate",
    "purchase_rate",
    "registration_rate",
    "sales_lead_rate",
    "cost_per_app_install",
    "cost_per_purchase",
    "cost_per_registration",
    "cost_per_sales_lead",
    "cost_per_total_sales_lead",
    "cost_per_total_app_event_add_to_cart",
    "real_time_app_install_cost",
];

/// No secondary goal is set on generated ad groups, so these are always `-`.
pub(super) const EMPTY_METRICS: &[&str] =
    &["secondary_goal_result", "cost_per_secondary_goal_result", "secondary_goal_result_rate"];

pub(super) const AUDIENCE_DIMENSIONS: &[&str] =
    &["gender", "age", "country_code", "province_id", "platform", "language", "placement", "ac"];
pub(super) const GENDERS: &[&str] = &["MALE", "FEMALE", "NONE"];
pub(super) const AGES: &[&str] = &["AGE_13_17", "AGE_18_24", "AGE_25_34", "AGE_35_44", "AGE_45_54", "AGE_55_100"];
/// With an unknown bucket, as some synchronous rows have (tiktok-api.md §15 R10).
pub(super) const AGES_WITH_UNKNOWN: &[&str] =
    &["AGE_13_17", "AGE_18_24", "AGE_25_34", "AGE_35_44", "AGE_45_54", "AGE_55_100", "NONE"];
pub(super) const COUNTRIES: &[&str] = &["US", "GB", "DE", "FR", "JP"];
pub(super) const PLATFORMS: &[&str] = &["ANDROID", "IOS", "PC"];
pub(super) const PLATFORMS_WITH_UNKNOWN: &[&str] = &["ANDROID", "IOS", "PC", "NONE"];
pub(super) const PROVINCES: &[&str] = &["6254926", "5332921", "5128638", "4155751"];
