//! The simulator's metric table: every metric it serves, with its kind and where TikTok refuses
//! it (40002 "Invalid metric fields"). Built from TikTok's own material, not from the connector's
//! catalogue (a test compares the two through the spec, so a mistake on either side shows):
//!
//! - GO:n: `bububa/tiktok-business` `model/report/metrics.go` @ 051f6c0, line n: the metric's
//!   json tag, type (Int64 for our counts, Float64 for money and ratios) and TikTok's doc comment,
//!   which names the levels of attributes and the limits of cash spend and paid engaged views.
//! - SPP: `tiktok/tiktok-business-api-sdk` @ f809c39
//!   `yml_files/smart_plus_material_report_breakdown.yml`, the `SppReportMetrics` enum (TikTok's
//!   only metric enum in that SDK; `report_integrated_get.yml` takes metrics as free strings).
//! - AUD-DIM: DOC-AUD-DIM "Supported metrics for a dimension in audience reports" (doc
//!   1762404685488130): the metrics an AUDIENCE report takes with `country_code` (R11).
//! - DOC-PROMOTE ("Promote campaign", 1785880454546433): its metric table says, per metric,
//!   whether basic and audience reports support it (reach, engaged views and in-app purchase
//!   metrics not in audience reports; attributes in both).
//! - metrics.md / tiktok-api.md rows (shared/docs), for rules neither SDK states.
//!
//! Where a source is missing or conflicting, the comment says so and the stricter reading holds.
//! Values of the metrics the built-in streams never ask are derived here.

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

/// Where TikTok gives a metric. Data levels: 0 advertiser, 1 campaign, 2 ad group, 3 ad.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Where {
    /// BASIC and AUDIENCE reports, every level: DOC-AUD-DIM lists it.
    Anywhere,
    /// BASIC reports, every level: not in DOC-AUD-DIM's tables.
    Basic,
    /// BASIC and AUDIENCE reports, data levels from..=to.
    Levels(u8, u8),
    /// BASIC, advertiser level, `stat_time_day`, not lifetime.
    AdvertiserDaily,
    /// BASIC, one id dimension plus `stat_time_day` at most (no hours, no breakdowns).
    BasicIdAndDay,
}

use Kind::*;
use Where::*;

pub const METRICS: &[(&str, Kind, Where)] = &[
    // Delivery. Names: GO, SPP. AUDIENCE: DOC-AUD-DIM's country_code table lists all six.
    ("spend", M, Anywhere),       // GO:180, SPP, AUD-DIM
    ("cpc", R, Anywhere),         // GO:201, SPP, AUD-DIM
    ("cpm", R, Anywhere),         // GO:204, SPP, AUD-DIM
    ("impressions", C, Anywhere), // GO:207, SPP, AUD-DIM
    ("clicks", C, Anywhere),      // GO:213, SPP, AUD-DIM
    ("ctr", R, Anywhere),         // GO:216, SPP, AUD-DIM
    // Cash and voucher spend: "advertiser level and daily only, not lifetime, not hourly" (GO comments);
    // AB #11375 saw the 40002. Not in DOC-AUD-DIM, so BASIC only.
    ("cash_spend", M, AdvertiserDaily),    // GO:193
    ("voucher_spend", M, AdvertiserDaily), // GO:198
    // Reach (UV). Not in DOC-AUD-DIM's tables and "not supported in audience reports" (DOC-PROMOTE):
    // BASIC only. Levels: metrics.md's "reach only at campaign level" is the reference's stream design,
    // not TikTok's, and the reference asks reach at every level (streams.md): every level.
    ("reach", C, Basic),                 // GO:219
    ("cost_per_1000_reached", R, Basic), // GO:222
    ("frequency", R, Basic),             // GO:225
    // Video. GO, SPP; DOC-AUD-DIM lists all but the per-user average (UV, DOC-TASK-CREATE).
    ("video_play_actions", C, Anywhere),       // GO:297, SPP, AUD-DIM
    ("video_watched_2s", C, Anywhere),         // GO:302, SPP, AUD-DIM
    ("video_watched_6s", C, Anywhere),         // GO:305, SPP, AUD-DIM
    ("average_video_play", R, Anywhere),       // GO:320, SPP, AUD-DIM
    ("average_video_play_per_user", R, Basic), // GO:323
    ("video_views_p25", C, Anywhere),          // GO:308, SPP, AUD-DIM
    ("video_views_p50", C, Anywhere),          // GO:311, SPP, AUD-DIM
    ("video_views_p75", C, Anywhere),          // GO:314, SPP, AUD-DIM
    ("video_views_p100", C, Anywhere),         // GO:317, SPP, AUD-DIM
    // Engagement. GO, SPP; DOC-AUD-DIM's country_code table lists the paid social metrics, not
    // live views or engaged views (listed only for ad_type/hashtag/audience_tags/purchase_intention,
    // dimensions nobody here asks), so those are BASIC only. Paid engaged views: one id dimension
    // (+ stat_time_day) only (GO comments on paid_engaged_view*).
    ("profile_visits", C, Anywhere),             // GO:411, SPP, AUD-DIM
    ("profile_visits_rate", R, Anywhere),        // GO:414, SPP, AUD-DIM
    ("likes", C, Anywhere),                      // GO:402, SPP, AUD-DIM
    ("comments", C, Anywhere),                   // GO:405, SPP, AUD-DIM
    ("shares", C, Anywhere),                     // GO:408, SPP, AUD-DIM
    ("follows", C, Anywhere),                    // GO:399, SPP, AUD-DIM
    ("clicks_on_music_disc", C, Anywhere),       // GO:374, SPP, AUD-DIM
    ("live_play_count", C, Basic),               // DOC-TASK-CREATE's UV list (not in GO or SPP)
    ("engaged_view", C, Basic),                  // GO:326, SPP
    ("engaged_view_15s", C, Basic),              // GO:345, SPP
    ("paid_engaged_view", C, BasicIdAndDay),     // GO:334, SPP
    ("paid_engaged_view_15s", C, BasicIdAndDay), // GO:353, SPP
    // Attributes: "valid only with an id dimension", each at the levels its GO comment names
    // (e.g. campaign_id "ad group and ad level", adgroup_id "ad level only"). DOC-AUD-DIM's tables
    // list performance metrics only; DOC-PROMOTE's metric table marks the attributes "supported in
    // audience reports" and the reference asks them in its audience streams: AUDIENCE too.
    ("currency", T, Levels(0, 3)),                 // GO:168
    ("timezone", T, Levels(0, 3)), // DOC-SYNC: advertiser_ids adds it (tiktok-api.md 4.1; not in GO or SPP)
    ("advertiser_id", T, Levels(0, 3)), // GO:18
    ("advertiser_name", T, Levels(0, 3)), // GO:15
    ("campaign_name", T, Levels(1, 3)), // GO:30
    ("campaign_id", T, Levels(2, 3)), // GO:33
    ("objective_type", T, Levels(1, 3)), // GO:36
    ("adgroup_name", T, Levels(2, 3)), // GO:52
    ("adgroup_id", T, Levels(3, 3)), // GO:55
    ("placement_type", T, Levels(2, 3)), // GO:87
    ("tt_app_id", T, Levels(2, 3)), // GO:155
    ("tt_app_name", T, Levels(2, 3)), // GO:158
    ("mobile_app_id", T, Levels(2, 3)), // GO:162
    ("promotion_type", T, Levels(2, 3)), // GO:90
    ("dpa_target_audience_type", T, Levels(2, 3)), // GO:102
    ("ad_name", T, Levels(3, 3)),  // GO:131
    ("ad_id", T, Levels(3, 3)),    // GO:140 ("ad level"); never with ad_id_v2 (GO:133-136, DOC-SYNC)
    // GO:19-27 names no level; the stricter reading: ad group and ad (gmv-max-smart-plus.md §2.1).
    ("campaign_automation_type", T, Levels(2, 3)), // GO:27, enum/campaign_automation_type.go
    ("ad_text", T, Levels(3, 3)),                  // GO:143
    ("call_to_action", T, Levels(3, 3)),           // GO:146
    // Optimisation-goal results. conversion/cost_per_conversion/conversion_rate: not at campaign or
    // advertiser level (metrics.md row: TikTok's basic-report metrics doc; GO is silent). DOC-AUD-DIM
    // lists conversion, real-time conversion and the result family (sync; not async: UV); secondary
    // goals and VTA/CTA splits it does not list: BASIC only.
    ("conversion", C, Levels(2, 3)),                // GO:228, SPP
    ("cost_per_conversion", R, Levels(2, 3)),       // GO:231, SPP
    ("conversion_rate", R, Levels(2, 3)),           // GO:235
    ("real_time_conversion", C, Anywhere),          // GO:242, SPP, AUD-DIM
    ("real_time_cost_per_conversion", R, Anywhere), // GO:245, SPP, AUD-DIM
    ("real_time_conversion_rate", R, Anywhere),     // GO:249, AUD-DIM
    ("result", C, Anywhere),                        // GO:255, AUD-DIM
    ("cost_per_result", R, Anywhere),               // GO:258, AUD-DIM
    ("result_rate", R, Anywhere),                   // GO:261, AUD-DIM
    ("real_time_result", C, Anywhere),              // GO:264, AUD-DIM
    ("real_time_cost_per_result", R, Anywhere),     // GO:267, AUD-DIM
    ("real_time_result_rate", R, Anywhere),         // GO:270, AUD-DIM
    ("secondary_goal_result", C, Basic),            // GO:273
    ("cost_per_secondary_goal_result", R, Basic),   // GO:276
    ("secondary_goal_result_rate", R, Basic),       // GO:279
    ("vta_conversion", C, Basic),                   // GO:1974, SPP
    ("cta_conversion", C, Basic),                   // GO:1978, SPP
    // Conversion legs (metrics.md's table; names in GO and SPP unless the comment says otherwise).
    // None is in DOC-AUD-DIM's tables except total_landing_page_view: BASIC only. DOC-AUD-DIM has no
    // table for age, gender, platform, ... (source missing): the stricter reading applies the
    // country_code table to every audience dimension. Website and TikTok legs: BASIC only also by
    // metrics.md (AB PR #85820, live). DOC-PROMOTE's table agrees for the app purchase totals and
    // total_purchase_value (basic ✅, audience ❌).
    ("app_install", C, Basic),                    // GO:542, SPP
    ("real_time_app_install", C, Basic),          // GO:536, SPP
    ("cost_per_app_install", R, Basic),           // GO:545, SPP
    ("real_time_app_install_cost", R, Basic),     // GO:539, SPP
    ("download_start", C, Basic),                 // GO:1202, SPP
    ("cost_per_download_start", R, Basic),        // GO:1204, SPP
    ("download_start_rate", R, Basic),            // GO:1206, SPP
    ("onsite_download_start", C, Basic),          // GO:1450, SPP
    ("cost_per_onsite_download_start", R, Basic), // GO:1452, SPP
    ("onsite_download_start_rate", R, Basic),     // GO:1454, SPP
    ("skan_app_install", C, Basic),               // SPP
    ("purchase", C, Basic),                       // GO:563, SPP
    ("purchase_rate", R, Basic),                  // GO:569, SPP
    ("cost_per_purchase", R, Basic),              // GO:566, SPP
    // App purchase totals: one id dimension (+ stat_time_day) only (metrics.md row, DOC-USP-METRICS,
    // medium); `purchase` and `total_purchase_value`, which the reference asks hourly, are not.
    ("total_purchase", C, BasicIdAndDay),                       // GO:572, SPP
    ("total_purchase_value", M, Basic),                         // GO:581, SPP
    ("value_per_total_purchase", R, BasicIdAndDay),             // GO:578, SPP
    ("total_active_pay_roas", R, BasicIdAndDay),                // GO:584, SPP
    ("vta_purchase", C, Basic),                                 // GO:2010, SPP
    ("cta_purchase", C, Basic),                                 // GO:2014, SPP
    ("complete_payment", C, Basic),                             // GO:1024, SPP
    ("cost_per_complete_payment", R, Basic),                    // GO:1027, SPP
    ("complete_payment_rate", R, Basic),                        // GO:1030, SPP
    ("value_per_complete_payment", R, Basic),                   // GO:1033, SPP
    ("total_complete_payment_rate", R, Basic),                  // GO:1036, SPP
    ("complete_payment_roas", R, Basic),                        // GO:1021, SPP
    ("onsite_total_purchase", C, Basic),                        // GO:1276, SPP
    ("onsite_unique_purchase", C, Basic),                       // GO:1286, SPP
    ("onsite_total_purchase_value", M, Basic),                  // GO:1284, SPP
    ("onsite_value_per_purchase", R, Basic),                    // GO:1282, SPP
    ("onsite_purchases_roas", R, Basic),                        // GO:1274, SPP
    ("onsite_shopping", C, Basic),                              // GO:1926, SPP
    ("total_onsite_shopping_value", M, Basic),                  // GO:1934, SPP
    ("cost_per_onsite_shopping", R, Basic),                     // GO:1928, SPP
    ("onsite_shopping_rate", R, Basic),                         // GO:1930, SPP
    ("onsite_shopping_roas", R, Basic),                         // GO:1924, SPP
    ("skan_purchase", C, Basic),                                // SPP
    ("offline_shopping_events", C, Basic),                      // GO:1720, SPP
    ("offline_shopping_events_value", M, Basic),                // GO:1728, SPP
    ("offline_shopping_events_roas", R, Basic),                 // GO:1730, SPP
    ("app_event_add_to_cart", C, Basic),                        // GO:605, SPP
    ("total_app_event_add_to_cart", C, Basic),                  // GO:614, SPP
    ("total_app_event_add_to_cart_value", M, Basic),            // GO:623, SPP
    ("cost_per_app_event_add_to_cart", R, Basic),               // GO:608, SPP
    ("cost_per_total_app_event_add_to_cart", R, Basic),         // GO:617, SPP
    ("app_event_add_to_cart_rate", R, Basic),                   // GO:611, SPP
    ("web_event_add_to_cart", C, Basic),                        // GO:1123, SPP
    ("total_web_event_add_to_cart_value", M, Basic),            // GO:1135, SPP
    ("cost_per_web_event_add_to_cart", R, Basic),               // GO:1126, SPP
    ("web_event_add_to_cart_rate", R, Basic),                   // GO:1129, SPP
    ("onsite_total_add_to_cart", C, Basic),                     // GO:1328, SPP
    ("onsite_total_add_to_cart_value", M, Basic),               // GO:1336, SPP
    ("onsite_on_web_cart", C, Basic),                           // GO:1962, SPP
    ("total_onsite_on_web_cart_value", M, Basic),               // GO:1970, SPP
    ("cost_per_onsite_on_web_cart", R, Basic),                  // GO:1964, SPP
    ("onsite_on_web_cart_rate", R, Basic),                      // GO:1966, SPP
    ("view_content", C, Basic),                                 // GO:647, SPP
    ("total_view_content", C, Basic),                           // GO:656, SPP
    ("total_view_content_value", M, Basic),                     // GO:665, SPP
    ("cost_per_view_content", R, Basic),                        // GO:650, SPP
    ("view_content_rate", R, Basic),                            // GO:653, SPP
    ("page_content_view_events", C, Basic),                     // GO:1108, SPP
    ("total_page_view_content_events_value", M, Basic),         // GO:1120, SPP
    ("cost_per_page_content_view_event", R, Basic),             // GO:1111, SPP, singular in GO and SPP
    ("page_content_view_event_rate", R, Basic),                 // GO:1114, SPP, singular in GO and SPP
    ("onsite_total_product_details_page_view", C, Basic),       // GO:1342, SPP
    ("onsite_total_product_details_page_view_value", M, Basic), // GO:1350, SPP
    ("onsite_on_web_detail", C, Basic),                         // GO:1952, SPP
    ("total_onsite_on_web_detail_value", M, Basic),             // GO:1960, SPP
    ("cost_per_onsite_on_web_detail", R, Basic),                // GO:1954, SPP
    ("onsite_on_web_detail_rate", R, Basic),                    // GO:1956, SPP
    ("checkout", C, Basic),                                     // GO:626, SPP
    ("total_checkout", C, Basic),                               // GO:635, SPP
    ("total_checkout_value", M, Basic),                         // GO:644, SPP
    ("cost_per_checkout", R, Basic),                            // GO:629, SPP
    ("checkout_rate", R, Basic),                                // GO:632, SPP
    ("initiate_checkout", C, Basic),                            // GO:1153, SPP
    ("total_initiate_checkout_value", M, Basic),                // GO:1165, SPP
    ("cost_per_initiate_checkout", R, Basic),                   // GO:1156, SPP
    ("initiate_checkout_rate", R, Basic),                       // GO:1159, SPP
    ("onsite_total_checkout_initiation", C, Basic),             // GO:1314, SPP
    ("onsite_total_checkout_initiation_value", M, Basic),       // GO:1322, SPP
    ("onsite_initiate_checkout_count", C, Basic),               // GO:1942, SPP
    ("total_onsite_initiate_checkout_count_value", M, Basic),   // GO:1950, SPP
    ("cost_per_onsite_initiate_checkout_count", R, Basic),      // GO:1944, SPP
    ("onsite_initiate_checkout_count_rate", R, Basic),          // GO:1946, SPP
    ("on_web_order", C, Basic),                                 // GO:1138, SPP
    ("total_on_web_order_value", M, Basic),                     // GO:1150, SPP
    ("cost_per_on_web_order", R, Basic),                        // GO:1141, SPP
    ("on_web_order_rate", R, Basic),                            // GO:1144, SPP
    ("registration", C, Basic),                                 // GO:548, SPP
    ("total_registration", C, Basic),                           // GO:557, SPP
    ("registration_rate", R, Basic),                            // GO:554, SPP
    ("cost_per_registration", R, Basic),                        // GO:551, SPP
    ("cost_per_total_registration", R, Basic),                  // GO:560, SPP
    ("user_registration", C, Basic),                            // GO:1093, SPP
    ("total_user_registration_value", M, Basic),                // GO:1105, SPP
    ("cost_per_user_registration", R, Basic),                   // GO:1096, SPP
    ("user_registration_rate", R, Basic),                       // GO:1099, SPP
    ("onsite_total_registration", C, Basic),                    // GO:1376, SPP
    ("onsite_unique_registration", C, Basic),                   // GO:1370, SPP
    ("skan_registration", C, Basic),                            // SPP
    ("sales_lead", C, Basic),                                   // GO:845, SPP
    ("total_sales_lead", C, Basic),                             // GO:851, SPP
    ("total_sales_lead_value", M, Basic),                       // GO:857, SPP
    ("sales_lead_rate", R, Basic),                              // GO:849, SPP
    ("cost_per_sales_lead", R, Basic),                          // GO:847, SPP
    ("cost_per_total_sales_lead", R, Basic),                    // GO:853, SPP
    ("form", C, Basic),                                         // GO:1192, SPP
    ("total_form_value", M, Basic),                             // GO:1200, SPP
    ("cost_per_form", R, Basic),                                // GO:1194, SPP
    ("form_rate", R, Basic),                                    // GO:1196, SPP
    ("onsite_form", C, Basic),                                  // GO:1438, SPP
    ("total_onsite_form_value", M, Basic),                      // GO:1446, SPP
    ("cost_per_onsite_form", R, Basic),                         // GO:1440, SPP
    ("onsite_form_rate", R, Basic),                             // GO:1442, SPP
    ("offline_contact_events", C, Basic),                       // GO:1732, SPP
    ("add_payment_info", C, Basic),                             // GO:704, SPP
    ("total_add_payment_info", C, Basic),                       // GO:713, SPP
    ("cost_per_add_payment_info", R, Basic),                    // GO:707, SPP
    ("add_payment_info_rate", R, Basic),                        // GO:710, SPP
    ("add_billing", C, Basic),                                  // GO:1168, SPP
    ("total_add_billing_value", M, Basic),                      // GO:1180, SPP
    ("cost_per_add_billing", R, Basic),                         // GO:1171, SPP
    ("add_billing_rate", R, Basic),                             // GO:1174, SPP
    ("onsite_add_billing", C, Basic),                           // GO:1428, SPP
    ("total_onsite_add_billing_value", M, Basic),               // GO:1436, SPP
    ("cost_per_onsite_add_billing", R, Basic),                  // GO:1430, SPP
    ("onsite_add_billing_rate", R, Basic),                      // GO:1432, SPP
    ("add_to_wishlist", C, Basic),                              // GO:718, SPP
    ("total_add_to_wishlist", C, Basic),                        // GO:724, SPP
    ("total_add_to_wishlist_value", M, Basic),                  // GO:730, SPP
    ("cost_per_add_to_wishlist", R, Basic),                     // GO:720, SPP
    ("add_to_wishlist_rate", R, Basic),                         // GO:722, SPP
    ("on_web_add_to_wishlist", C, Basic),                       // GO:1212, SPP
    ("total_on_web_add_to_wishlist_value", M, Basic),           // GO:1220, SPP
    ("cost_per_on_web_add_to_wishlist", R, Basic),              // GO:1214, SPP
    ("on_web_add_to_wishlist_rate", R, Basic),                  // GO:1216
    ("onsite_add_to_wishlist", C, Basic),                       // GO:1418, SPP
    ("total_onsite_add_to_wishlist_value", M, Basic),           // GO:1426, SPP
    ("cost_per_onsite_add_to_wishlist", R, Basic),              // GO:1420, SPP
    ("onsite_add_to_wishlist_rate", R, Basic),                  // GO:1422, SPP
    ("search", C, Basic),                                       // GO:941, SPP
    ("total_search", C, Basic),                                 // GO:947, SPP
    ("cost_per_search", R, Basic),                              // GO:943, SPP
    ("search_rate", R, Basic),                                  // GO:945, SPP
    ("page_event_search", C, Basic),                            // GO:1182, SPP
    ("total_page_event_search_value", M, Basic),                // GO:1190, SPP
    ("cost_per_page_event_search", R, Basic),                   // GO:1184, SPP
    ("page_event_search_rate", R, Basic),                       // GO:1186, SPP
    ("subscribe", C, Basic),                                    // GO:961, SPP
    ("total_subscribe", C, Basic),                              // GO:967, SPP
    ("total_subscribe_value", M, Basic),                        // GO:973, SPP
    ("cost_per_subscribe", R, Basic),                           // GO:963, SPP
    ("subscribe_rate", R, Basic),                               // GO:965, SPP
    ("on_web_subscribe", C, Basic),                             // GO:1222, SPP
    ("total_on_web_subscribe_value", M, Basic),                 // GO:1230, SPP
    ("cost_per_on_web_subscribe", R, Basic),                    // GO:1224, SPP
    ("on_web_subscribe_rate", R, Basic),                        // GO:1226
    ("total_pageview", C, Basic),                               // GO:1048, SPP
    ("total_landing_page_view", C, Anywhere), // GO:1039, SPP, AUD-DIM (the one website metric it lists)
    ("ix_page_view_count", C, Basic),         // GO:1462, SPP
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
        Levels(from, to) => !(from..=to).contains(&q.rank),
        AdvertiserDaily => q.audience || !(q.rank == 0 && q.daily),
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
            // TikTok names some companions in the singular (`cost_per_page_content_view_event`).
            let event = |e: &str| count(e, conversions).or_else(|| count(&format!("{e}s"), conversions));
            if let Some(n) = m.strip_prefix("cost_per_").and_then(event) {
                two_decimals(spend, n, 1.0)
            } else if let Some(n) = m.strip_suffix("_rate").and_then(event) {
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

    #[test]
    fn the_rules_are_tiktoks() {
        let shape = |rank, audience, breakdowns| Shape { rank, daily: true, hourly: false, audience, breakdowns };
        // GO comments: campaign_id at ad group and ad level, adgroup_id at ad level only.
        assert!(refused("campaign_id", &shape(1, false, false)) && !refused("campaign_id", &shape(2, false, false)));
        assert!(refused("adgroup_id", &shape(2, false, false)) && !refused("adgroup_id", &shape(3, false, false)));
        // DOC-AUD-DIM: what an audience report takes, and nothing else.
        for m in ["spend", "conversion", "result", "likes", "total_landing_page_view", "campaign_name"] {
            assert!(!refused(m, &shape(2, true, true)), "{m}");
        }
        for m in
            ["reach", "frequency", "app_install", "purchase", "web_event_add_to_cart", "engaged_view", "cash_spend"]
        {
            assert!(refused(m, &shape(2, true, true)), "{m}");
        }
        // TikTok's names, singular where TikTok's are.
        assert!(
            find("cost_per_page_content_view_event").is_some() && find("cost_per_page_content_view_events").is_none()
        );
        assert!(find("page_content_view_event_rate").is_some() && find("page_content_view_events_rate").is_none());
    }

    #[test]
    fn every_row_names_its_source() {
        let source = include_str!("metrics.rs");
        let table = &source[source.find("pub const METRICS").unwrap()..source.find("\n];\n").unwrap()];
        let rows: Vec<&str> = table.lines().filter(|l| l.trim_start().starts_with("(\"")).collect();
        assert_eq!(rows.len(), METRICS.len());
        for row in rows {
            let comment = row.split_once("//").map(|(_, c)| c.trim()).unwrap_or("");
            assert!(!comment.is_empty(), "no source: {row}");
        }
    }
}
