//! GMV Max report metrics (`gmv_max/report/get/`): TikTok Shop's own report has its own names
//! (`cost`, `orders`, `gross_revenue`, not `spend`), each family valid at some grains only.
//! Source of every row: `shared/docs/gmv-max-smart-plus.md` §1.6 (TikTok's Go SDK model
//! `report_get.go`, Airbyte's and hotglue's GMV Max streams), and the refusals of §1.9.

use super::MetricType::{self, Count, Money, Ratio, Text};

/// What kind of thing a GMV Max metric is, which decides the grains TikTok gives it at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GmvFamily {
    /// Spend, orders, revenue and ROI: every grain, both promotion types.
    Core,
    /// The same across every shop of the advertiser: advertiser and campaign grains.
    AllShops,
    /// The Product campaign's target ROI: campaign grain, PRODUCT only.
    ProductBid,
    /// Product and creative funnel: with an `item_group_id` or `item_id` dimension only (40002
    /// at campaign grain, §1.6).
    Funnel,
    /// LIVE views and follows: LIVE campaign grain or room grains.
    Live,
    /// Attributes of the one id dimension of the query (refused with two or more, §1.4).
    Attribute(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GmvMetric {
    pub name: &'static str,
    pub kind: MetricType,
    pub family: GmvFamily,
}

const fn m(name: &'static str, kind: MetricType, family: GmvFamily) -> GmvMetric {
    GmvMetric { name, kind, family }
}

use GmvFamily::{AllShops, Attribute, Core, Funnel, Live, ProductBid};

pub const CATALOGUE: &[GmvMetric] = &[
    // Core (GO `report_get.go`; AB; HG): the first four add up, the last two are ratios.
    m("cost", Money, Core),
    m("net_cost", Money, Core),
    m("orders", Count, Core),
    m("gross_revenue", Money, Core),
    m("cost_per_order", Ratio, Core),
    m("roi", Ratio, Core),
    // All shops (GO).
    m("all_shops_orders", Count, AllShops),
    m("all_shops_gross_revenue", Money, AllShops),
    m("all_shops_cost_per_order", Ratio, AllShops),
    m("all_shops_roi", Ratio, AllShops),
    // Product bid (GO; HG).
    m("roas_bid", Ratio, ProductBid),
    // Product and creative funnel (GO; AB's 40002 test at campaign grain).
    m("product_impressions", Count, Funnel),
    m("product_clicks", Count, Funnel),
    m("product_click_rate", Ratio, Funnel),
    m("ad_click_rate", Ratio, Funnel),
    m("ad_conversion_rate", Ratio, Funnel),
    m("ad_video_view_rate_2s", Ratio, Funnel),
    m("ad_video_view_rate_6s", Ratio, Funnel),
    m("ad_video_view_rate_p25", Ratio, Funnel),
    m("ad_video_view_rate_p50", Ratio, Funnel),
    m("ad_video_view_rate_p75", Ratio, Funnel),
    m("ad_video_view_rate_p100", Ratio, Funnel),
    // LIVE (GO; AB; HG): AB and HG spell the cost per 10-second view in the singular, GO in
    // the plural; both are TikTok's to accept, the peers' is asked.
    m("live_views", Count, Live),
    m("cost_per_live_view", Ratio, Live),
    m("10_second_live_views", Count, Live),
    m("cost_per_10_second_live_view", Ratio, Live),
    m("cost_per_10_second_live_views", Ratio, Live),
    m("live_follows", Count, Live),
    // Campaign attributes (GO; HG asks them at campaign × day).
    m("campaign_id", Text, Attribute("campaign_id")),
    m("campaign_name", Text, Attribute("campaign_id")),
    m("operation_status", Text, Attribute("campaign_id")),
    m("schedule_type", Text, Attribute("campaign_id")),
    m("schedule_start_time", Text, Attribute("campaign_id")),
    m("schedule_end_time", Text, Attribute("campaign_id")),
    m("target_roi_budget", Ratio, Attribute("campaign_id")),
    m("bid_type", Text, Attribute("campaign_id")),
    m("max_delivery_budget", Ratio, Attribute("campaign_id")),
    // Product attributes (GO).
    m("product_name", Text, Attribute("item_group_id")),
    m("item_group_id", Text, Attribute("item_group_id")),
    m("product_image_url", Text, Attribute("item_group_id")),
    m("product_status", Text, Attribute("item_group_id")),
    // Creative attributes (GO).
    m("title", Text, Attribute("item_id")),
    m("item_id", Text, Attribute("item_id")),
    m("tt_account_name", Text, Attribute("item_id")),
    m("tt_account_profile_image_url", Text, Attribute("item_id")),
    m("tt_account_authorization_type", Text, Attribute("item_id")),
    m("shop_content_type", Text, Attribute("item_id")),
    m("creative_delivery_status", Text, Attribute("item_id")),
    // LIVE attributes (GO; HG).
    m("identity_id", Text, Attribute("room_id")),
    m("live_name", Text, Attribute("room_id")),
    m("live_status", Text, Attribute("room_id")),
    m("live_launched_time", Text, Attribute("room_id")),
    m("live_duration", Text, Attribute("room_id")),
];

/// The metric groups of the built-in GMV Max streams.
pub const CORE: &[&str] = &["cost", "net_cost", "orders", "gross_revenue", "cost_per_order", "roi"];
pub const CAMPAIGN_ATTRIBUTES: &[&str] = &[
    "campaign_name",
    "operation_status",
    "schedule_type",
    "schedule_start_time",
    "schedule_end_time",
    "bid_type",
    "target_roi_budget",
    "max_delivery_budget",
];
pub const LIVE: &[&str] =
    &["live_views", "cost_per_live_view", "10_second_live_views", "cost_per_10_second_live_view", "live_follows"];
pub const PRODUCT_BID: &[&str] = &["roas_bid"];

pub fn find(name: &str) -> Option<&'static GmvMetric> {
    CATALOGUE.iter().find(|m| m.name == name)
}

/// Which promotion type a GMV Max query is about (`gmv_max_promotion_types`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Promotion {
    Product,
    Live,
}

impl Promotion {
    /// The report's filter value (the campaign list names them `*_GMV_MAX`).
    pub const fn report_name(self) -> &'static str {
        match self {
            Promotion::Product => "PRODUCT",
            Promotion::Live => "LIVE",
        }
    }

    /// The campaign list's filter value (`gmv_max/campaign/get/`).
    pub const fn list_name(self) -> &'static str {
        match self {
            Promotion::Product => "PRODUCT_GMV_MAX",
            Promotion::Live => "LIVE_GMV_MAX",
        }
    }
}

/// The id dimensions of GMV Max reports, coarsest first.
pub const ID_DIMENSIONS: &[&str] = &["advertiser_id", "campaign_id", "item_group_id", "item_id", "room_id"];

/// A set of dimensions TikTok answers, besides the time, and the id filters it needs (§1.4;
/// the 3P rows are one production client's, the four-dimension creative group DOC-NEW's).
#[derive(Debug)]
pub struct Combination {
    pub ids: &'static [&'static str],
    /// It takes `stat_time_hour` as well as `stat_time_day`.
    pub hourly: bool,
    /// `gmv_max_promotion_types` must name one type.
    pub one_promotion: bool,
    /// How many `campaign_ids` and `item_group_ids` it needs (at least, at most).
    pub campaign_ids: (usize, usize),
    pub item_group_ids: (usize, usize),
}

const fn combination(
    ids: &'static [&'static str],
    hourly: bool,
    one_promotion: bool,
    campaign_ids: (usize, usize),
    item_group_ids: (usize, usize),
) -> Combination {
    Combination { ids, hourly, one_promotion, campaign_ids, item_group_ids }
}

pub const COMBINATIONS: &[Combination] = &[
    combination(&["advertiser_id"], true, false, (0, 100), (0, 0)),
    combination(&["campaign_id"], true, true, (0, 100), (0, 0)),
    combination(&["item_group_id"], false, false, (1, 1), (0, 100)),
    combination(&["campaign_id", "item_group_id"], false, false, (1, 100), (0, 100)),
    combination(&["campaign_id", "item_group_id", "item_id"], false, false, (1, 100), (0, 100)),
    combination(&["item_id"], false, false, (1, 1), (1, 1)),
    combination(&["room_id"], false, false, (1, 1), (0, 0)),
    combination(&["campaign_id", "room_id"], false, false, (1, 100), (0, 0)),
];

/// The combination of these id dimensions, in any order.
pub fn combination_of(ids: &[&str]) -> Option<&'static Combination> {
    COMBINATIONS.iter().find(|c| c.ids.len() == ids.len() && c.ids.iter().all(|d| ids.contains(d)))
}

/// Why TikTok refuses `metric` in a query with these dimensions and promotion type, or `None`
/// when it gives it (§1.4, §1.6).
pub fn refusal(metric: &str, dimensions: &[&str], promotion: Option<Promotion>) -> Option<String> {
    let Some(found) = find(metric) else {
        return Some(format!("{metric} is not a GMV Max metric"));
    };
    let has = |d: &str| dimensions.contains(&d);
    let ids: Vec<&str> = dimensions.iter().copied().filter(|d| ID_DIMENSIONS.contains(d)).collect();
    let finer = has("item_group_id") || has("item_id") || has("room_id");
    let ok = match found.family {
        Core => true,
        AllShops => !finer,
        ProductBid => promotion == Some(Promotion::Product) && ids == ["campaign_id"],
        Funnel => has("item_group_id") || has("item_id"),
        Live => has("room_id") || (promotion == Some(Promotion::Live) && ids == ["campaign_id"]),
        Attribute(of) => ids == [of],
    };
    (!ok).then(|| match found.family {
        Attribute(of) => format!("{metric} is an attribute of {of}, given only with {of} as the one id dimension"),
        family => format!("{metric} ({family:?}) is not given with dimensions {dimensions:?}"),
    })
}

/// How a GMV Max metric is typed, where the catalogue knows it.
pub fn metric_type(name: &str) -> Option<MetricType> {
    find(name).map(|m| m.kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grain_rules_follow_tiktoks_refusals() {
        let campaign = ["campaign_id", "stat_time_day"];
        let product = ["campaign_id", "item_group_id", "stat_time_day"];
        assert_eq!(refusal("cost", &product, None), None);
        assert!(refusal("product_impressions", &campaign, Some(Promotion::Product)).is_some(), "40002 in AB's test");
        assert_eq!(refusal("product_impressions", &product, None), None);
        assert!(refusal("campaign_name", &product, None).is_some(), "attributes need one id dimension");
        assert_eq!(refusal("campaign_name", &campaign, Some(Promotion::Live)), None);
        assert_eq!(refusal("live_views", &campaign, Some(Promotion::Live)), None);
        assert!(refusal("live_views", &campaign, Some(Promotion::Product)).is_some());
        assert!(refusal("spend", &campaign, None).is_some(), "the regular report's names are refused");
        assert_eq!(metric_type("orders"), Some(Count));
        assert_eq!(metric_type("gross_revenue"), Some(Money));
    }
}
