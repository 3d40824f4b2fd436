//! The simulator's metric table: every metric it serves, with its kind and where TikTok refuses
//! it (40002 "Invalid metric fields"). The same names as the connector's catalogue (a test
//! compares them through the spec), kept apart so the simulator judges the connector
//! independently; values of the metrics the built-in streams never ask are derived here.

use serde_json::Value;

/// What a value is: counts additive integers, money additive with 2 decimals, ratios derived,
/// text labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    C,
    M,
    R,
    T,
}

/// Where TikTok gives a metric (metrics.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Where {
    Anywhere,
    /// Website and TikTok conversion legs: BASIC reports only.
    Basic,
    /// From this data level down (0 advertiser, 1 campaign, 2 ad group, 3 ad).
    From(u8),
    /// Advertiser level, `stat_time_day`, not lifetime.
    AdvertiserDaily,
    /// One id dimension, plus `stat_time_day` at most.
    IdAndDay,
    /// Both of the above.
    BasicIdAndDay,
}

use Kind::*;
use Where::*;

pub const METRICS: &[(&str, Kind, Where)] = &[
    ("spend", M, Anywhere),
    ("cpc", R, Anywhere),
    ("cpm", R, Anywhere),
    ("impressions", C, Anywhere),
    ("clicks", C, Anywhere),
    ("ctr", R, Anywhere),
    ("cash_spend", M, AdvertiserDaily),
    ("voucher_spend", M, AdvertiserDaily),
    ("reach", C, Anywhere),
    ("cost_per_1000_reached", R, Anywhere),
    ("frequency", R, Anywhere),
    ("video_play_actions", C, Anywhere),
    ("video_watched_2s", C, Anywhere),
    ("video_watched_6s", C, Anywhere),
    ("average_video_play", R, Anywhere),
    ("average_video_play_per_user", R, Anywhere),
    ("video_views_p25", C, Anywhere),
    ("video_views_p50", C, Anywhere),
    ("video_views_p75", C, Anywhere),
    ("video_views_p100", C, Anywhere),
    ("profile_visits", C, Anywhere),
    ("profile_visits_rate", R, Anywhere),
    ("likes", C, Anywhere),
    ("comments", C, Anywhere),
    ("shares", C, Anywhere),
    ("follows", C, Anywhere),
    ("clicks_on_music_disc", C, Anywhere),
    ("live_play_count", C, Anywhere),
    ("engaged_view", C, Anywhere),
    ("engaged_view_15s", C, Anywhere),
    ("paid_engaged_view", C, BasicIdAndDay),
    ("paid_engaged_view_15s", C, BasicIdAndDay),
    ("currency", T, Anywhere),
    ("timezone", T, Anywhere),
    ("advertiser_id", T, Anywhere),
    ("advertiser_name", T, Anywhere),
    ("campaign_name", T, From(1)),
    ("campaign_id", T, From(1)),
    ("objective_type", T, From(1)),
    ("adgroup_name", T, From(2)),
    ("adgroup_id", T, From(2)),
    ("placement_type", T, From(2)),
    ("tt_app_id", T, From(2)),
    ("tt_app_name", T, From(2)),
    ("mobile_app_id", T, From(2)),
    ("promotion_type", T, From(2)),
    ("dpa_target_audience_type", T, From(2)),
    ("ad_name", T, From(3)),
    ("ad_text", T, From(3)),
    ("call_to_action", T, From(3)),
    ("conversion", C, From(2)),
    ("cost_per_conversion", R, From(2)),
    ("conversion_rate", R, From(2)),
    ("real_time_conversion", C, Anywhere),
    ("real_time_cost_per_conversion", R, Anywhere),
    ("real_time_conversion_rate", R, Anywhere),
    ("result", C, Anywhere),
    ("cost_per_result", R, Anywhere),
    ("result_rate", R, Anywhere),
    ("real_time_result", C, Anywhere),
    ("real_time_cost_per_result", R, Anywhere),
    ("real_time_result_rate", R, Anywhere),
    ("secondary_goal_result", C, Anywhere),
    ("cost_per_secondary_goal_result", R, Anywhere),
    ("secondary_goal_result_rate", R, Anywhere),
    ("vta_conversion", C, Anywhere),
    ("cta_conversion", C, Anywhere),
    ("app_install", C, Anywhere),
    ("real_time_app_install", C, Anywhere),
    ("cost_per_app_install", R, Anywhere),
    ("real_time_app_install_cost", R, Anywhere),
    ("download_start", C, Basic),
    ("cost_per_download_start", R, Basic),
    ("download_start_rate", R, Basic),
    ("onsite_download_start", C, Basic),
    ("cost_per_onsite_download_start", R, Basic),
    ("onsite_download_start_rate", R, Basic),
    ("skan_app_install", C, Anywhere),
    ("purchase", C, Anywhere),
    ("purchase_rate", R, Anywhere),
    ("cost_per_purchase", R, Anywhere),
    ("total_purchase", C, IdAndDay),
    ("total_purchase_value", M, Anywhere),
    ("value_per_total_purchase", R, IdAndDay),
    ("total_active_pay_roas", R, IdAndDay),
    ("vta_purchase", C, Anywhere),
    ("cta_purchase", C, Anywhere),
    ("complete_payment", C, Basic),
    ("cost_per_complete_payment", R, Basic),
    ("complete_payment_rate", R, Basic),
    ("value_per_complete_payment", R, Basic),
    ("total_complete_payment_rate", R, Basic),
    ("complete_payment_roas", R, Basic),
    ("onsite_total_purchase", C, Basic),
    ("onsite_unique_purchase", C, Basic),
    ("onsite_total_purchase_value", M, Basic),
    ("onsite_value_per_purchase", R, Basic),
    ("onsite_purchases_roas", R, Basic),
    ("onsite_shopping", C, Basic),
    ("total_onsite_shopping_value", M, Basic),
    ("cost_per_onsite_shopping", R, Basic),
    ("onsite_shopping_rate", R, Basic),
    ("onsite_shopping_roas", R, Basic),
    ("skan_purchase", C, Anywhere),
    ("offline_shopping_events", C, Anywhere),
    ("offline_shopping_events_value", M, Anywhere),
    ("offline_shopping_events_roas", R, Anywhere),
    ("app_event_add_to_cart", C, Anywhere),
    ("total_app_event_add_to_cart", C, Anywhere),
    ("total_app_event_add_to_cart_value", M, Anywhere),
    ("cost_per_app_event_add_to_cart", R, Anywhere),
    ("cost_per_total_app_event_add_to_cart", R, Anywhere),
    ("app_event_add_to_cart_rate", R, Anywhere),
    ("web_event_add_to_cart", C, Basic),
    ("total_web_event_add_to_cart_value", M, Basic),
    ("cost_per_web_event_add_to_cart", R, Basic),
    ("web_event_add_to_cart_rate", R, Basic),
    ("onsite_total_add_to_cart", C, Basic),
    ("onsite_total_add_to_cart_value", M, Basic),
    ("onsite_on_web_cart", C, Basic),
    ("total_onsite_on_web_cart_value", M, Basic),
    ("cost_per_onsite_on_web_cart", R, Basic),
    ("onsite_on_web_cart_rate", R, Basic),
    ("view_content", C, Anywhere),
    ("total_view_content", C, Anywhere),
    ("total_view_content_value", M, Anywhere),
    ("cost_per_view_content", R, Anywhere),
    ("view_content_rate", R, Anywhere),
    ("page_content_view_events", C, Basic),
    ("total_page_view_content_events_value", M, Basic),
    ("cost_per_page_content_view_events", R, Basic),
    ("page_content_view_events_rate", R, Basic),
    ("onsite_total_product_details_page_view", C, Basic),
    ("onsite_total_product_details_page_view_value", M, Basic),
    ("onsite_on_web_detail", C, Basic),
    ("total_onsite_on_web_detail_value", M, Basic),
    ("cost_per_onsite_on_web_detail", R, Basic),
    ("onsite_on_web_detail_rate", R, Basic),
    ("checkout", C, Anywhere),
    ("total_checkout", C, Anywhere),
    ("total_checkout_value", M, Anywhere),
    ("cost_per_checkout", R, Anywhere),
    ("checkout_rate", R, Anywhere),
    ("initiate_checkout", C, Basic),
    ("total_initiate_checkout_value", M, Basic),
    ("cost_per_initiate_checkout", R, Basic),
    ("initiate_checkout_rate", R, Basic),
    ("onsite_total_checkout_initiation", C, Basic),
    ("onsite_total_checkout_initiation_value", M, Basic),
    ("onsite_initiate_checkout_count", C, Basic),
    ("total_onsite_initiate_checkout_count_value", M, Basic),
    ("cost_per_onsite_initiate_checkout_count", R, Basic),
    ("onsite_initiate_checkout_count_rate", R, Basic),
    ("on_web_order", C, Basic),
    ("total_on_web_order_value", M, Basic),
    ("cost_per_on_web_order", R, Basic),
    ("on_web_order_rate", R, Basic),
    ("registration", C, Anywhere),
    ("total_registration", C, Anywhere),
    ("registration_rate", R, Anywhere),
    ("cost_per_registration", R, Anywhere),
    ("cost_per_total_registration", R, Anywhere),
    ("user_registration", C, Basic),
    ("total_user_registration_value", M, Basic),
    ("cost_per_user_registration", R, Basic),
    ("user_registration_rate", R, Basic),
    ("onsite_total_registration", C, Basic),
    ("onsite_unique_registration", C, Basic),
    ("skan_registration", C, Anywhere),
    ("sales_lead", C, Anywhere),
    ("total_sales_lead", C, Anywhere),
    ("total_sales_lead_value", M, Anywhere),
    ("sales_lead_rate", R, Anywhere),
    ("cost_per_sales_lead", R, Anywhere),
    ("cost_per_total_sales_lead", R, Anywhere),
    ("form", C, Basic),
    ("total_form_value", M, Basic),
    ("cost_per_form", R, Basic),
    ("form_rate", R, Basic),
    ("onsite_form", C, Basic),
    ("total_onsite_form_value", M, Basic),
    ("cost_per_onsite_form", R, Basic),
    ("onsite_form_rate", R, Basic),
    ("offline_contact_events", C, Anywhere),
    ("add_payment_info", C, Anywhere),
    ("total_add_payment_info", C, Anywhere),
    ("cost_per_add_payment_info", R, Anywhere),
    ("add_payment_info_rate", R, Anywhere),
    ("add_billing", C, Basic),
    ("total_add_billing_value", M, Basic),
    ("cost_per_add_billing", R, Basic),
    ("add_billing_rate", R, Basic),
    ("onsite_add_billing", C, Basic),
    ("total_onsite_add_billing_value", M, Basic),
    ("cost_per_onsite_add_billing", R, Basic),
    ("onsite_add_billing_rate", R, Basic),
    ("add_to_wishlist", C, Anywhere),
    ("total_add_to_wishlist", C, Anywhere),
    ("total_add_to_wishlist_value", M, Anywhere),
    ("cost_per_add_to_wishlist", R, Anywhere),
    ("add_to_wishlist_rate", R, Anywhere),
    ("on_web_add_to_wishlist", C, Basic),
    ("total_on_web_add_to_wishlist_value", M, Basic),
    ("cost_per_on_web_add_to_wishlist", R, Basic),
    ("on_web_add_to_wishlist_rate", R, Basic),
    ("onsite_add_to_wishlist", C, Basic),
    ("total_onsite_add_to_wishlist_value", M, Basic),
    ("cost_per_onsite_add_to_wishlist", R, Basic),
    ("onsite_add_to_wishlist_rate", R, Basic),
    ("search", C, Anywhere),
    ("total_search", C, Anywhere),
    ("cost_per_search", R, Anywhere),
    ("search_rate", R, Anywhere),
    ("page_event_search", C, Basic),
    ("total_page_event_search_value", M, Basic),
    ("cost_per_page_event_search", R, Basic),
    ("page_event_search_rate", R, Basic),
    ("subscribe", C, Anywhere),
    ("total_subscribe", C, Anywhere),
    ("total_subscribe_value", M, Anywhere),
    ("cost_per_subscribe", R, Anywhere),
    ("subscribe_rate", R, Anywhere),
    ("on_web_subscribe", C, Basic),
    ("total_on_web_subscribe_value", M, Basic),
    ("cost_per_on_web_subscribe", R, Basic),
    ("on_web_subscribe_rate", R, Basic),
    ("total_pageview", C, Basic),
    ("total_landing_page_view", C, Basic),
    ("ix_page_view_count", C, Basic),
];

/// What a report query is, as far as metric refusals go.
pub struct Shape {
    /// 0 advertiser, 1 campaign, 2 ad group, 3 ad.
    pub rank: u8,
    /// `stat_time_day`, not a lifetime query.
    pub daily: bool,
    pub hourly: bool,
    pub audience: bool,
    pub breakdowns: bool,
}

pub fn find(name: &str) -> Option<(Kind, Where)> {
    METRICS.iter().find(|(n, ..)| *n == name).map(|(_, kind, at)| (*kind, *at))
}

/// Whether TikTok refuses metric `m` in a query of this shape (unknown names included).
pub fn refused(m: &str, q: &Shape) -> bool {
    let Some((_, at)) = find(m) else { return true };
    match at {
        Anywhere => false,
        Basic => q.audience,
        From(rank) => q.rank < rank,
        AdvertiserDaily => !(q.rank == 0 && q.daily),
        IdAndDay => q.hourly || q.breakdowns,
        BasicIdAndDay => q.audience || q.hourly || q.breakdowns,
    }
}

/// A small number per name, so each metric has its own values.
fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100_0000_01b3))
}

/// A count of `name` from the row's conversions: an integer multiple, so rows add up.
fn count(name: &str, conversions: f64) -> Option<f64> {
    matches!(find(name), Some((C, _))).then(|| conversions * (1 + name_hash(name) % 3) as f64)
}

/// A value in money: conversions times a price in quarters, exact in two decimals and additive.
fn money(name: &str, conversions: f64) -> f64 {
    conversions * (5.0 + (name_hash(name) % 40) as f64 * 0.25)
}

fn two_decimals(numerator: f64, denominator: f64, scale: f64) -> Value {
    Value::String(if denominator == 0.0 { "0.00".into() } else { format!("{:.2}", numerator / denominator * scale) })
}

/// The value of a metric the built-in streams never ask, from the row's additive totals
/// (impressions, clicks, spend, conversions); None for a name outside the table.
pub fn derived_value(m: &str, totals: &[f64; 4]) -> Option<Value> {
    let [_, clicks, spend, conversions] = *totals;
    let (kind, _) = find(m)?;
    Some(match kind {
        C => Value::String(format!("{}", count(m, conversions)? as u64)),
        M => Value::String(format!("{:.2}", money(m, conversions))),
        T => Value::String("-".into()),
        R => {
            // Costs per event and rates per click of the event they name; values per spend.
            if let Some(n) = m.strip_prefix("cost_per_").and_then(|e| count(e, conversions)) {
                two_decimals(spend, n, 1.0)
            } else if let Some(n) = m.strip_suffix("_rate").and_then(|e| count(e, conversions)) {
                two_decimals(n, clicks, 100.0)
            } else {
                two_decimals(money(m, conversions), spend, 1.0)
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_counts_and_money_add_up_across_rows() {
        let (a, b) = ([100.0, 10.0, 2.5, 3.0], [50.0, 4.0, 1.25, 2.0]);
        let sum = [150.0, 14.0, 3.75, 5.0];
        for m in ["web_event_add_to_cart", "total_web_event_add_to_cart_value", "skan_purchase"] {
            let v = |t: &[f64; 4]| derived_value(m, t).unwrap().as_str().unwrap().parse::<f64>().unwrap();
            assert_eq!(v(&a) + v(&b), v(&sum), "{m}");
        }
        assert_eq!(
            derived_value("cost_per_web_event_add_to_cart", &sum).unwrap(),
            Value::String(format!("{:.2}", 3.75 / count("web_event_add_to_cart", 5.0).unwrap()))
        );
        assert!(METRICS.iter().all(|(m, ..)| derived_value(m, &sum).is_some()));
    }
}
