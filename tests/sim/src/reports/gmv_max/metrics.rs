//! The metrics `/gmv_max/report/get/` knows (gmv-max-smart-plus.md §1.6), by family, which
//! dimensions each family goes with, and how a row's values are written (§1.7: every value a
//! string, `-` for none).

use serde_json::{Map, Value};

use crate::data::{fmt_time, GmvCampaign, GmvMax, GmvValues, ShoppingAdsType};
use crate::wire::{param_error, ApiError};

/// The row grain a dimension set reads.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Grain {
    Advertiser,
    Campaign,
    Product,
    Creative,
    Room,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Family {
    Core,
    AllShops,
    RoasBid,
    Funnel,
    Live,
    CampaignAttribute,
    ProductAttribute,
    CreativeAttribute,
    LiveAttribute,
}

use Family::*;

/// Every GMV Max metric and its family.
pub(super) const GMV_METRICS: &[(&str, Family)] = &[
    // Core, every grain: GO `report_get.go`; AB; HG.
    ("cost", Core),
    ("net_cost", Core),
    ("orders", Core),
    ("gross_revenue", Core),
    ("cost_per_order", Core),
    ("roi", Core),
    // All shops, advertiser and campaign grains (the grain is not documented): GO.
    ("all_shops_orders", AllShops),
    ("all_shops_gross_revenue", AllShops),
    ("all_shops_cost_per_order", AllShops),
    ("all_shops_roi", AllShops),
    // Target ROI, PRODUCT campaign grain: GO; HG.
    ("roas_bid", RoasBid),
    // Product/creative funnel, with item_group_id or item_id dimensions only: GO; AB.
    ("product_impressions", Funnel),
    ("product_clicks", Funnel),
    ("product_click_rate", Funnel),
    ("ad_click_rate", Funnel),
    ("ad_conversion_rate", Funnel),
    ("ad_video_view_rate_2s", Funnel),
    ("ad_video_view_rate_6s", Funnel),
    ("ad_video_view_rate_p25", Funnel),
    ("ad_video_view_rate_p50", Funnel),
    ("ad_video_view_rate_p75", Funnel),
    ("ad_video_view_rate_p100", Funnel),
    // LIVE, LIVE campaign or room grains: GO; AB; HG (GO spells the last cost `..._views`).
    ("live_views", Live),
    ("cost_per_live_view", Live),
    ("10_second_live_views", Live),
    ("cost_per_10_second_live_view", Live),
    ("cost_per_10_second_live_views", Live),
    ("live_follows", Live),
    // Campaign attributes, `campaign_id` the one id dimension: GO; HG.
    ("campaign_id", CampaignAttribute),
    ("campaign_name", CampaignAttribute),
    ("operation_status", CampaignAttribute),
    ("schedule_type", CampaignAttribute),
    ("schedule_start_time", CampaignAttribute),
    ("schedule_end_time", CampaignAttribute),
    ("target_roi_budget", CampaignAttribute),
    ("bid_type", CampaignAttribute),
    ("max_delivery_budget", CampaignAttribute),
    // Product attributes, `item_group_id` the one id dimension: GO.
    ("product_name", ProductAttribute),
    ("item_group_id", ProductAttribute),
    ("product_image_url", ProductAttribute),
    ("product_status", ProductAttribute),
    // Creative attributes, `item_id` the one id dimension: GO; DOC-NEW.
    ("title", CreativeAttribute),
    ("item_id", CreativeAttribute),
    ("tt_account_name", CreativeAttribute),
    ("tt_account_profile_image_url", CreativeAttribute),
    ("tt_account_authorization_type", CreativeAttribute),
    ("shop_content_type", CreativeAttribute),
    ("creative_delivery_status", CreativeAttribute),
    // LIVE attributes, `room_id` the one id dimension: GO; HG.
    ("identity_id", LiveAttribute),
    ("live_name", LiveAttribute),
    ("live_status", LiveAttribute),
    ("live_launched_time", LiveAttribute),
    ("live_duration", LiveAttribute),
];

pub(super) fn family(metric: &str) -> Option<Family> {
    GMV_METRICS.iter().find(|(m, _)| *m == metric).map(|(_, f)| *f)
}

/// What a metric's validity depends on.
pub(super) struct Shape<'a> {
    pub(super) grain: Grain,
    /// The id dimensions asked for.
    pub(super) ids: &'a [String],
    pub(super) hourly: bool,
    /// The one promotion type filtered on, if one.
    pub(super) kind: Option<ShoppingAdsType>,
}

/// Whether `family` goes with the query's dimensions (§1.4, §1.6). Attributes need their id
/// as the only id dimension (3P: refused with ≥2 id dimensions); hourly grains take core
/// metrics (§1.4: core only) and attributes.
fn allowed(family: Family, s: &Shape) -> bool {
    let only_id = |id: &str| s.ids.len() == 1 && s.ids[0] == id;
    let campaign = s.grain == Grain::Campaign;
    match family {
        Core => true,
        CampaignAttribute => only_id("campaign_id"),
        ProductAttribute => only_id("item_group_id"),
        CreativeAttribute => only_id("item_id"),
        LiveAttribute => only_id("room_id"),
        _ if s.hourly => false,
        AllShops => campaign || s.grain == Grain::Advertiser,
        RoasBid => campaign && s.kind == Some(ShoppingAdsType::Product),
        Funnel => s.ids.iter().any(|d| d == "item_group_id" || d == "item_id"),
        Live => (campaign && s.kind == Some(ShoppingAdsType::Live)) || s.grain == Grain::Room,
    }
}

/// `metrics`: unknown names (the regular report's `spend`, `impressions`, `clicks` among them,
/// 3P) and names the dimensions do not take are refused together, in AB's test wording.
pub(super) fn check(metrics: &[String], shape: &Shape) -> Result<(), ApiError> {
    let invalid: Vec<&str> =
        metrics.iter().filter(|m| family(m).is_none_or(|f| !allowed(f, shape))).map(String::as_str).collect();
    if invalid.is_empty() {
        return Ok(());
    }
    // AB test's wording ("Invalid metric(s): '[product_impressions]'. …"); names joined by ", ".
    Err(param_error(format!("Invalid metric(s): '[{}]'. Please remove those metrics and retry.", invalid.join(", "))))
}

/// What a row is about, for its attribute metrics and rates.
#[derive(Clone, Copy)]
pub(super) enum Subject<'a> {
    /// The advertiser, or totals: no attributes.
    Whole,
    Campaign(&'a GmvCampaign),
    /// A campaign's product, by index.
    Product(&'a GmvCampaign, usize),
    /// A product's post, by product and post index.
    Item(&'a GmvCampaign, usize, usize),
    /// A LIVE campaign's room, by index.
    Room(&'a GmvCampaign, usize),
}

impl<'a> Subject<'a> {
    fn campaign(&self) -> Option<&'a GmvCampaign> {
        match *self {
            Subject::Whole => None,
            Subject::Campaign(c) | Subject::Product(c, _) | Subject::Item(c, ..) | Subject::Room(c, _) => Some(c),
        }
    }
}

fn text(s: impl Into<String>) -> Value {
    Value::String(s.into())
}

fn money(v: f64) -> Value {
    text(format!("{v:.2}"))
}

fn count(v: f64) -> Value {
    text(format!("{}", v.max(0.0) as u64))
}

/// `-` where the denominator is zero (§1.7: no value).
fn ratio(numerator: f64, denominator: f64, scale: f64) -> Value {
    if denominator == 0.0 {
        text("-")
    } else {
        text(format!("{:.2}", numerator / denominator * scale))
    }
}

/// A row's metrics, each under the name asked.
pub(super) fn render(metrics: &[String], v: &GmvValues, subject: Subject, gmv: &GmvMax) -> Map<String, Value> {
    metrics.iter().filter_map(|m| value(m, v, subject, gmv).map(|value| (m.clone(), value))).collect()
}

/// One metric's value; None for one that has no total (rates of posts, settings, attributes).
fn value(m: &str, v: &GmvValues, subject: Subject, gmv: &GmvMax) -> Option<Value> {
    let view_rate = |i: usize| subject.campaign().map(|c| text(format!("{:.2}", gmv.view_rates(c)[i])));
    Some(match m {
        "cost" => money(v.cost),
        "net_cost" => money(v.net_cost),
        "orders" => count(v.orders),
        "gross_revenue" => money(v.gross_revenue),
        "cost_per_order" => ratio(v.cost, v.orders, 1.0),
        "roi" => ratio(v.gross_revenue, v.cost, 1.0),
        "all_shops_orders" => count(v.all_shops_orders),
        "all_shops_gross_revenue" => money(v.all_shops_gross_revenue),
        "all_shops_cost_per_order" => ratio(v.cost, v.all_shops_orders, 1.0),
        "all_shops_roi" => ratio(v.all_shops_gross_revenue, v.cost, 1.0),
        "product_impressions" => count(v.product_impressions),
        "product_clicks" => count(v.product_clicks),
        "product_click_rate" => ratio(v.product_clicks, v.product_impressions, 100.0),
        "ad_click_rate" => ratio(v.product_clicks * 0.8, v.product_impressions, 100.0),
        "ad_conversion_rate" => ratio(v.orders, v.product_clicks, 100.0),
        "ad_video_view_rate_2s" => view_rate(0)?,
        "ad_video_view_rate_6s" => view_rate(1)?,
        "ad_video_view_rate_p25" => view_rate(2)?,
        "ad_video_view_rate_p50" => view_rate(3)?,
        "ad_video_view_rate_p75" => view_rate(4)?,
        "ad_video_view_rate_p100" => view_rate(5)?,
        "live_views" => count(v.live_views),
        "cost_per_live_view" => ratio(v.cost, v.live_views, 1.0),
        "10_second_live_views" => count(v.ten_second_live_views),
        "cost_per_10_second_live_view" | "cost_per_10_second_live_views" => ratio(v.cost, v.ten_second_live_views, 1.0),
        "live_follows" => count(v.live_follows),
        _ => attribute(m, subject)?,
    })
}

/// An attribute of the row's subject. Values no source gives are invented.
fn attribute(m: &str, subject: Subject) -> Option<Value> {
    let c = subject.campaign()?;
    let field = |name: &str| match &c.fields[name] {
        Value::String(s) => text(s.clone()),
        Value::Number(n) => money(n.as_f64().unwrap_or(0.0)),
        other => text(other.to_string()),
    };
    let product = match subject {
        Subject::Product(_, p) | Subject::Item(_, p, _) => c.products.get(p),
        _ => None,
    };
    Some(match (m, subject) {
        ("roas_bid", _) => field("roas_bid"),
        ("campaign_id", _) => text(c.id.clone()),
        ("campaign_name" | "operation_status" | "schedule_type" | "schedule_start_time" | "schedule_end_time", _) => {
            field(m)
        }
        ("target_roi_budget", _) => field("budget"),
        ("bid_type", _) => text("CUSTOM"),
        ("max_delivery_budget", _) => text("-"),
        ("product_name", _) => text(product?.name.clone()),
        ("item_group_id", _) => text(product?.item_group_id.clone()),
        ("product_image_url", _) => text(format!("https://p16-oec.example.com/spu/{}.png", product?.item_group_id)),
        ("product_status", _) => text("AVAILABLE"),
        ("title", Subject::Item(_, _, i)) => text(format!("{} in action #{}", product?.name, i + 1)),
        ("item_id", Subject::Item(_, _, i)) => text(product?.item_ids.get(i)?.clone()),
        ("tt_account_name", _) => text("Sim Shop Official"),
        ("tt_account_profile_image_url", _) => text("https://p16-sign.example.com/avatar/7001.png"),
        ("tt_account_authorization_type", _) => text("TT_USER"),
        ("shop_content_type", _) => text("VIDEO"),
        ("creative_delivery_status", _) => text("DELIVERING"),
        ("identity_id", _) => text("7001"),
        ("live_name", Subject::Room(_, k)) => text(c.rooms.get(k)?.name.clone()),
        ("live_status", _) => text("END"),
        ("live_launched_time", Subject::Room(_, k)) => {
            text(fmt_time(c.created + chrono::Duration::hours(2 + k as i64)))
        }
        ("live_duration", _) => text("3600"),
        _ => return None,
    })
}
