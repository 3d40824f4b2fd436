//! Report metrics: the sets each report stream requests (as the reference does) and how each
//! metric is typed. TikTok sends every metric as a string; we emit counts as JSON integers,
//! money and rates as JSON numbers with TikTok's exact decimals, `-` as null, and text as text.

use serde_json::{Number, Value};

/// Metrics that are names, labels or ids: kept as strings.
const TEXT: &[&str] = &[
    "campaign_name", "campaign_id", "adgroup_name", "adgroup_id", "ad_name", "ad_text", "placement_type",
    "tt_app_id", "tt_app_name", "mobile_app_id", "promotion_type", "dpa_target_audience_type", "currency",
    "timezone", "advertiser_id", "advertiser_name",
];

/// Metrics that count things: whole numbers.
const COUNTS: &[&str] = &[
    "impressions", "clicks", "reach", "conversion", "real_time_conversion", "result", "real_time_result",
    "secondary_goal_result", "video_play_actions", "video_watched_2s", "video_watched_6s", "video_views_p25",
    "video_views_p50", "video_views_p75", "video_views_p100", "profile_visits", "likes", "comments", "shares",
    "follows", "clicks_on_music_disc", "real_time_app_install", "app_install", "purchase", "registration",
    "sales_lead", "total_app_event_add_to_cart", "total_pageview", "complete_payment", "onsite_shopping",
    "vta_purchase", "vta_conversion", "cta_purchase", "cta_conversion",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricType {
    Text,
    Count,
    /// Money, rates (percent units, as TikTok sends them), averages and costs.
    Decimal,
}

pub fn metric_type(name: &str) -> MetricType {
    if TEXT.contains(&name) {
        MetricType::Text
    } else if COUNTS.contains(&name) {
        MetricType::Count
    } else {
        MetricType::Decimal
    }
}

pub fn schema_type(name: &str) -> &'static str {
    match metric_type(name) {
        MetricType::Text => "s",
        MetricType::Count => "i",
        MetricType::Decimal => "n",
    }
}

/// Convert one metric value as TikTok sent it. `Err` carries the unreadable text: the value
/// becomes null and the caller warns, rather than breaking the record's type.
pub fn convert(name: &str, value: Value) -> Result<Value, String> {
    let text = match value {
        Value::String(s) => s,
        Value::Null => return Ok(Value::Null),
        // A decoder tolerant of numbers: some endpoints send them unquoted.
        Value::Number(n) if metric_type(name) == MetricType::Decimal => return Ok(Value::Number(n)),
        Value::Number(n) if metric_type(name) == MetricType::Count => n.to_string(),
        other => other.to_string(),
    };
    let trimmed = text.trim();
    if trimmed == "-" || trimmed.is_empty() {
        return Ok(Value::Null);
    }
    match metric_type(name) {
        MetricType::Text => Ok(Value::String(text)),
        MetricType::Count => {
            let cleaned = trimmed.replace(',', "");
            if let Ok(n) = cleaned.parse::<i64>() {
                return Ok(Value::from(n));
            }
            // "12.00" is still a whole number.
            match cleaned.parse::<f64>() {
                Ok(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Value::from(f as i64)),
                _ => Err(text),
            }
        }
        MetricType::Decimal => {
            let cleaned = trimmed.trim_end_matches('%').replace(',', "");
            // Keep TikTok's exact decimal text ("20.00") as the JSON number.
            match cleaned.parse::<Number>() {
                Ok(n) if cleaned.parse::<f64>().is_ok_and(f64::is_finite) => Ok(Value::Number(n)),
                _ => Err(text),
            }
        }
    }
}

/// The metric sets of the reference connector's report streams.
pub const AD: &str = "campaign_name campaign_id adgroup_name placement_type tt_app_id tt_app_name mobile_app_id \
    promotion_type dpa_target_audience_type conversion cost_per_conversion conversion_rate real_time_conversion \
    real_time_cost_per_conversion real_time_conversion_rate result cost_per_result result_rate real_time_result \
    real_time_cost_per_result real_time_result_rate secondary_goal_result cost_per_secondary_goal_result \
    secondary_goal_result_rate adgroup_id ad_name ad_text total_purchase_value total_onsite_shopping_value \
    onsite_shopping vta_purchase vta_conversion cta_purchase cta_conversion total_pageview complete_payment \
    value_per_complete_payment total_complete_payment_rate profile_visits_rate purchase purchase_rate registration \
    registration_rate sales_lead sales_lead_rate cost_per_app_install cost_per_purchase cost_per_registration \
    cost_per_sales_lead cost_per_total_sales_lead cost_per_total_app_event_add_to_cart total_app_event_add_to_cart \
    spend cpc cpm impressions clicks ctr reach cost_per_1000_reached frequency video_play_actions video_watched_2s \
    video_watched_6s average_video_play average_video_play_per_user video_views_p25 video_views_p50 video_views_p75 \
    video_views_p100 profile_visits likes comments shares follows clicks_on_music_disc real_time_app_install \
    real_time_app_install_cost app_install";

/// `AD` without the purchase metrics, which TikTok does not break down by country.
pub const AD_BY_COUNTRY: &str = "campaign_name campaign_id adgroup_name placement_type tt_app_id tt_app_name \
    mobile_app_id promotion_type dpa_target_audience_type conversion cost_per_conversion conversion_rate \
    real_time_conversion real_time_cost_per_conversion real_time_conversion_rate result cost_per_result result_rate \
    real_time_result real_time_cost_per_result real_time_result_rate secondary_goal_result \
    cost_per_secondary_goal_result secondary_goal_result_rate adgroup_id ad_name ad_text total_purchase_value \
    total_onsite_shopping_value onsite_shopping vta_purchase vta_conversion cta_purchase cta_conversion \
    total_pageview complete_payment value_per_complete_payment total_complete_payment_rate profile_visits_rate \
    registration registration_rate sales_lead sales_lead_rate cost_per_app_install cost_per_registration \
    cost_per_sales_lead cost_per_total_sales_lead cost_per_total_app_event_add_to_cart total_app_event_add_to_cart \
    spend cpc cpm impressions clicks ctr reach cost_per_1000_reached frequency video_play_actions video_watched_2s \
    video_watched_6s average_video_play average_video_play_per_user video_views_p25 video_views_p50 video_views_p75 \
    video_views_p100 profile_visits likes comments shares follows clicks_on_music_disc real_time_app_install \
    real_time_app_install_cost app_install";

pub const AD_GROUP: &str = "campaign_name campaign_id adgroup_name placement_type tt_app_id tt_app_name \
    mobile_app_id promotion_type dpa_target_audience_type conversion cost_per_conversion conversion_rate \
    real_time_conversion real_time_cost_per_conversion real_time_conversion_rate result cost_per_result result_rate \
    real_time_result real_time_cost_per_result real_time_result_rate secondary_goal_result \
    cost_per_secondary_goal_result secondary_goal_result_rate spend cpc cpm impressions clicks ctr reach \
    cost_per_1000_reached frequency video_play_actions video_watched_2s video_watched_6s average_video_play \
    average_video_play_per_user video_views_p25 video_views_p50 video_views_p75 video_views_p100 profile_visits \
    likes comments shares follows clicks_on_music_disc real_time_app_install real_time_app_install_cost app_install";

pub const CAMPAIGN: &str = "campaign_name spend cpc cpm impressions clicks ctr reach cost_per_1000_reached frequency \
    video_play_actions video_watched_2s video_watched_6s average_video_play average_video_play_per_user \
    video_views_p25 video_views_p50 video_views_p75 video_views_p100 profile_visits likes comments shares follows \
    clicks_on_music_disc real_time_app_install real_time_app_install_cost app_install";

/// Advertiser level, hourly and lifetime (cash and voucher spend are daily-only).
pub const ADVERTISER: &str = "spend cpc cpm impressions clicks ctr reach cost_per_1000_reached frequency \
    video_play_actions video_watched_2s video_watched_6s average_video_play average_video_play_per_user \
    video_views_p25 video_views_p50 video_views_p75 video_views_p100 profile_visits likes comments shares follows \
    clicks_on_music_disc real_time_app_install real_time_app_install_cost app_install";

pub const ADVERTISER_DAILY: &str = "cash_spend voucher_spend spend cpc cpm impressions clicks ctr reach \
    cost_per_1000_reached frequency video_play_actions video_watched_2s video_watched_6s average_video_play \
    average_video_play_per_user video_views_p25 video_views_p50 video_views_p75 video_views_p100 profile_visits \
    likes comments shares follows clicks_on_music_disc real_time_app_install real_time_app_install_cost app_install";

pub const CAMPAIGN_AUDIENCE: &str = "campaign_name spend cpc cpm impressions clicks ctr";

pub const AD_GROUP_AUDIENCE: &str = "campaign_name campaign_id adgroup_name placement_type tt_app_id tt_app_name \
    mobile_app_id promotion_type dpa_target_audience_type conversion cost_per_conversion conversion_rate \
    real_time_conversion real_time_cost_per_conversion real_time_conversion_rate result cost_per_result result_rate \
    real_time_result real_time_cost_per_result real_time_result_rate spend cpc cpm impressions clicks ctr";

pub const AD_AUDIENCE: &str = "campaign_name campaign_id adgroup_name placement_type tt_app_id tt_app_name \
    mobile_app_id promotion_type dpa_target_audience_type conversion cost_per_conversion conversion_rate \
    real_time_conversion real_time_cost_per_conversion real_time_conversion_rate result cost_per_result result_rate \
    real_time_result real_time_cost_per_result real_time_result_rate adgroup_id ad_name ad_text spend cpc cpm \
    impressions clicks ctr";

pub const ADVERTISER_AUDIENCE: &str = "spend cpc cpm impressions clicks ctr";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn converts_by_type() {
        assert_eq!(convert("impressions", json!("5830")).unwrap(), json!(5830));
        assert_eq!(convert("spend", json!("20.00")).unwrap().to_string(), "20.00");
        assert_eq!(convert("ctr", json!("1.18%")).unwrap().to_string(), "1.18");
        assert_eq!(convert("secondary_goal_result", json!("-")).unwrap(), Value::Null);
        assert_eq!(convert("campaign_name", json!("Summer")).unwrap(), json!("Summer"));
        assert_eq!(convert("tt_app_id", json!("0")).unwrap(), json!("0"));
        assert!(convert("spend", json!("N/A")).is_err());
        assert!(convert("clicks", json!("1.5")).is_err());
    }

    #[test]
    fn every_metric_set_is_unique_names() {
        for set in [AD, AD_BY_COUNTRY, AD_GROUP, CAMPAIGN, ADVERTISER, ADVERTISER_DAILY, CAMPAIGN_AUDIENCE, AD_GROUP_AUDIENCE, AD_AUDIENCE, ADVERTISER_AUDIENCE] {
            let mut names: Vec<_> = set.split_whitespace().collect();
            let n = names.len();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), n);
        }
        assert_eq!(AD.split_whitespace().count(), 79);
        assert_eq!(AD_BY_COUNTRY.split_whitespace().count(), 76);
        assert_eq!(AD_GROUP.split_whitespace().count(), 51);
        assert_eq!(ADVERTISER_DAILY.split_whitespace().count(), 29);
    }
}
