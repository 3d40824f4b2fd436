//! The metric catalogue: every reporting metric TikTok documents that this connector can
//! source, as data. Each entry says what the value is (count, money, decimal, text), which
//! event family and conversion leg it belongs to, and where TikTok gives it (report types,
//! data levels, time dimensions, async tasks with breakdowns). The built-in streams' metric
//! groups, custom reports, `additional_metrics`, typing and schemas all read this table;
//! `rules.rs` turns its columns into TikTok's refusals.
//!
//! Names come from TikTok's "supported metrics" pages, the Go SDK's report model
//! (`bububa/tiktok-business`) and connectors run against the live API; see
//! `shared/docs/metrics.md` for each source and its confidence.

use super::MetricType::{self, Count, Money, Ratio, Text};
use crate::report_shape::DataLevel::{self, Ad, AdGroup, Advertiser, Campaign};

/// What kind of thing a metric measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Family {
    /// Spend, impressions, clicks and their rates.
    Delivery,
    /// Unique reach (UV) and frequency.
    Reach,
    Video,
    /// Likes, follows, profile visits, engaged views.
    Engagement,
    /// Names, ids and labels of the row's object: text, not numbers.
    Attribute,
    /// The ad group's optimisation goal: conversions, results, secondary goals, attribution splits.
    Result,
    Install,
    Purchase,
    AddToCart,
    ViewContent,
    Checkout,
    PlaceOrder,
    Registration,
    Lead,
    PaymentInfo,
    Wishlist,
    Search,
    Subscribe,
    PageView,
}

/// Where a conversion event happened: TikTok counts each place separately, so a total
/// across places is the sum of the legs asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Leg {
    /// Not a conversion event (delivery, video, attributes, the optimisation goal's result).
    None,
    /// App events from an MMP or the TikTok SDK.
    App,
    /// Pixel and Events API events on the advertiser's website.
    Website,
    /// On TikTok's own surfaces (instant pages, Shop, mini apps): `onsite_*`.
    TikTok,
    /// The older generation of TikTok Shop names (`onsite_shopping`, `onsite_on_web_*`).
    TikTokShop,
    /// Apple's SKAdNetwork postbacks.
    Skan,
    /// Offline events uploaded by the advertiser.
    Offline,
}

/// Which time dimensions TikTok gives a metric with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeLimit {
    Any,
    /// Only one id dimension, or one plus `stat_time_day`: no hourly rows, no breakdowns.
    IdAndDay,
    /// Daily rows only: no hourly, no lifetime.
    DailyOnly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metric {
    pub name: &'static str,
    pub kind: MetricType,
    pub family: Family,
    pub leg: Leg,
    /// AUDIENCE reports give it too (every metric is in BASIC reports): DOC-AUD-DIM lists it, or
    /// it is an attribute.
    pub audience: bool,
    /// The coarsest and the finest data level that have it.
    pub levels: (DataLevel, DataLevel),
    pub time: TimeLimit,
    /// Reach-type (UV): the async task API refuses it together with breakdowns.
    pub uv: bool,
    /// A count of unique users: counts of two windows do not add up to the count of both
    /// (tiktok-api.md R12), so summed windows cannot give it.
    pub unique: bool,
    /// Synchronous reports only: an async task cannot ask for it (metrics.md, from the Upgraded
    /// Smart+ metrics doc, medium).
    pub sync_only: bool,
}

impl Metric {
    /// A metric of BASIC reports at every level. AUDIENCE reports take only what DOC-AUD-DIM
    /// ("Supported metrics for a dimension in audience reports") lists ([`Metric::audience`]):
    /// it has a table for `country_code` and none for age, gender, platform and the others, so
    /// the stricter reading applies that table to every audience dimension (R11).
    const fn new(name: &'static str, kind: MetricType, family: Family, leg: Leg) -> Metric {
        Metric {
            name,
            kind,
            family,
            leg,
            audience: false,
            levels: (Advertiser, Ad),
            time: TimeLimit::Any,
            uv: false,
            unique: false,
            sync_only: false,
        }
    }

    /// DOC-AUD-DIM lists it: AUDIENCE reports take it.
    const fn audience(mut self) -> Metric {
        self.audience = true;
        self
    }

    const fn from(mut self, coarsest: DataLevel) -> Metric {
        self.levels.0 = coarsest;
        self
    }

    const fn only_at(mut self, level: DataLevel) -> Metric {
        self.levels = (level, level);
        self
    }

    const fn time(mut self, time: TimeLimit) -> Metric {
        self.time = time;
        self
    }

    /// Reach-type (UV, DOC-TASK-CREATE's list): refused by tasks with breakdowns, and unique.
    const fn uv(mut self) -> Metric {
        self.uv = true;
        self.unique = true;
        self
    }

    const fn sync_only(mut self) -> Metric {
        self.sync_only = true;
        self
    }

    /// Counts unique users (TikTok's "去重" / "unique" in the Go SDK's comments).
    const fn unique(mut self) -> Metric {
        self.unique = true;
        self
    }
}

use Family::*;
use Leg::{App, Offline, Skan, TikTok, TikTokShop, Website};

const fn plain(name: &'static str, kind: MetricType, family: Family) -> Metric {
    Metric::new(name, kind, family, Leg::None)
}
const fn app(name: &'static str, kind: MetricType, family: Family) -> Metric {
    Metric::new(name, kind, family, App)
}
const fn web(name: &'static str, kind: MetricType, family: Family) -> Metric {
    Metric::new(name, kind, family, Website)
}
const fn onsite(name: &'static str, kind: MetricType, family: Family) -> Metric {
    Metric::new(name, kind, family, TikTok)
}
const fn shop(name: &'static str, kind: MetricType, family: Family) -> Metric {
    Metric::new(name, kind, family, TikTokShop)
}
/// An attribute of the row's object, at the levels the Go SDK's comment names; attributes are
/// valid with any id dimension, so in AUDIENCE reports too (the reference asks them there).
const fn attribute(name: &'static str, coarsest: DataLevel) -> Metric {
    plain(name, Text, Attribute).from(coarsest).audience()
}

pub const CATALOGUE: &[Metric] = &[
    // Delivery: TikTok's basic-report metrics doc, DOC-AUD-DIM. Cash and voucher spend:
    // advertiser level, daily only (Go SDK comments; 40002 in AB #11375), not in DOC-AUD-DIM.
    plain("spend", Money, Delivery).audience(),
    plain("cpc", Ratio, Delivery).audience(),
    plain("cpm", Ratio, Delivery).audience(),
    plain("impressions", Count, Delivery).audience(),
    plain("clicks", Count, Delivery).audience(),
    plain("ctr", Ratio, Delivery).audience(),
    plain("cash_spend", Money, Delivery).only_at(Advertiser).time(TimeLimit::DailyOnly),
    plain("voucher_spend", Money, Delivery).only_at(Advertiser).time(TimeLimit::DailyOnly),
    // Reach: UV metrics, refused by tasks with breakdowns (DOC-TASK-CREATE's list); not in
    // DOC-AUD-DIM, "not supported in audience reports" (DOC-PROMOTE): BASIC only.
    plain("reach", Count, Reach).uv(),
    plain("cost_per_1000_reached", Ratio, Reach).uv(),
    plain("frequency", Ratio, Reach).uv(),
    // Video: the basic-report metrics doc.
    plain("video_play_actions", Count, Video).audience(),
    plain("video_watched_2s", Count, Video).audience(),
    plain("video_watched_6s", Count, Video).audience(),
    plain("average_video_play", Ratio, Video).audience(),
    plain("average_video_play_per_user", Ratio, Video).uv(),
    plain("video_views_p25", Count, Video).audience(),
    plain("video_views_p50", Count, Video).audience(),
    plain("video_views_p75", Count, Video).audience(),
    plain("video_views_p100", Count, Video).audience(),
    // Engagement: the basic-report metrics doc; DOC-AUD-DIM lists the paid social metrics, not
    // live views or engaged views. Paid engaged views are synchronous BASIC reports with one id
    // dimension (+ stat_time_day) only (Upgraded Smart+ metrics doc, Go SDK comments).
    plain("profile_visits", Count, Engagement).audience(),
    plain("profile_visits_rate", Ratio, Engagement).audience(),
    plain("likes", Count, Engagement).audience(),
    plain("comments", Count, Engagement).audience(),
    plain("shares", Count, Engagement).audience(),
    plain("follows", Count, Engagement).audience(),
    plain("clicks_on_music_disc", Count, Engagement).audience(),
    plain("live_play_count", Count, Engagement).uv(),
    plain("engaged_view", Count, Engagement),
    plain("engaged_view_15s", Count, Engagement),
    plain("paid_engaged_view", Count, Engagement).time(TimeLimit::IdAndDay).sync_only(),
    plain("paid_engaged_view_15s", Count, Engagement).time(TimeLimit::IdAndDay).sync_only(),
    // Attributes: the Go SDK's comments ("ad group and ad level" for campaign_id, "ad level
    // only" for adgroup_id); currency, timezone and the advertiser come with `advertiser_ids`
    // queries (tiktok-api.md §4.1).
    attribute("currency", Advertiser),
    attribute("timezone", Advertiser),
    attribute("advertiser_id", Advertiser),
    attribute("advertiser_name", Advertiser),
    attribute("campaign_name", Campaign),
    // MANUAL, SMART_PLUS, UPGRADED_SMART_PLUS (ad_id_v2 rows) or UPGRADED_SMART_PLUS_CREATIVE
    // (creative ad_id rows): the Go SDK's `enum/campaign_automation_type.go`, DOC-CAMP; at ad group
    // and ad level, the stricter reading where the Go SDK names no level.
    attribute("campaign_automation_type", AdGroup),
    attribute("campaign_id", AdGroup),
    attribute("objective_type", Campaign),
    attribute("adgroup_name", AdGroup),
    attribute("adgroup_id", Ad),
    // Ad level only (the Go SDK's comment); never with `ad_id_v2` (DOC-SYNC).
    attribute("ad_id", Ad),
    attribute("placement_type", AdGroup),
    attribute("tt_app_id", AdGroup),
    attribute("tt_app_name", AdGroup),
    attribute("mobile_app_id", AdGroup),
    attribute("promotion_type", AdGroup),
    attribute("dpa_target_audience_type", AdGroup),
    attribute("ad_name", Ad),
    attribute("ad_text", Ad),
    attribute("call_to_action", Ad),
    // The optimisation goal's result: `conversion` and its cost and rate are not given at
    // campaign or advertiser level, where goals mix (basic-report metrics doc). UV results:
    // DOC-TASK-CREATE's list. DOC-AUD-DIM lists conversions, real-time conversions and results
    // (results in synchronous reports only: the UV rule), not secondary goals or VTA/CTA.
    plain("conversion", Count, Result).from(AdGroup).audience(),
    plain("cost_per_conversion", Ratio, Result).from(AdGroup).audience(),
    plain("conversion_rate", Ratio, Result).from(AdGroup).audience(),
    plain("real_time_conversion", Count, Result).audience(),
    plain("real_time_cost_per_conversion", Ratio, Result).audience(),
    plain("real_time_conversion_rate", Ratio, Result).audience(),
    plain("result", Count, Result).uv().audience(),
    plain("cost_per_result", Ratio, Result).uv().audience(),
    plain("result_rate", Ratio, Result).uv().audience(),
    plain("real_time_result", Count, Result).uv().audience(),
    plain("real_time_cost_per_result", Ratio, Result).uv().audience(),
    plain("real_time_result_rate", Ratio, Result).uv().audience(),
    plain("secondary_goal_result", Count, Result),
    plain("cost_per_secondary_goal_result", Ratio, Result),
    plain("secondary_goal_result_rate", Ratio, Result),
    plain("vta_conversion", Count, Result),
    plain("cta_conversion", Count, Result),
    // Installs, every leg (metrics.md's table: SDK model and the supported-metrics pages).
    app("app_install", Count, Install),
    app("real_time_app_install", Count, Install),
    app("cost_per_app_install", Ratio, Install),
    app("real_time_app_install_cost", Ratio, Install),
    web("download_start", Count, Install),
    web("cost_per_download_start", Ratio, Install),
    web("download_start_rate", Ratio, Install),
    onsite("onsite_download_start", Count, Install),
    onsite("cost_per_onsite_download_start", Ratio, Install),
    onsite("onsite_download_start_rate", Ratio, Install),
    Metric::new("skan_app_install", Count, Install, Skan),
    // Purchases. App purchase totals are given with one id dimension (+ stat_time_day) only
    // (Upgraded Smart+ metrics doc); `purchase` and `total_purchase_value`, which the
    // reference asks hourly and TikTok answers, are not held to it.
    app("purchase", Count, Purchase).unique(),
    app("purchase_rate", Ratio, Purchase),
    app("cost_per_purchase", Ratio, Purchase),
    app("total_purchase", Count, Purchase).time(TimeLimit::IdAndDay),
    app("total_purchase_value", Money, Purchase),
    app("value_per_total_purchase", Ratio, Purchase).time(TimeLimit::IdAndDay),
    app("total_active_pay_roas", Ratio, Purchase).time(TimeLimit::IdAndDay),
    app("vta_purchase", Count, Purchase),
    app("cta_purchase", Count, Purchase),
    web("complete_payment", Count, Purchase),
    web("cost_per_complete_payment", Ratio, Purchase),
    web("complete_payment_rate", Ratio, Purchase),
    web("value_per_complete_payment", Ratio, Purchase),
    // A value despite its name (metrics.md); typed as the reference's decimals.
    web("total_complete_payment_rate", Ratio, Purchase),
    web("complete_payment_roas", Ratio, Purchase),
    onsite("onsite_total_purchase", Count, Purchase),
    onsite("onsite_unique_purchase", Count, Purchase).unique(),
    onsite("onsite_total_purchase_value", Money, Purchase),
    onsite("onsite_value_per_purchase", Ratio, Purchase),
    onsite("onsite_purchases_roas", Ratio, Purchase),
    shop("onsite_shopping", Count, Purchase),
    shop("total_onsite_shopping_value", Money, Purchase),
    shop("cost_per_onsite_shopping", Ratio, Purchase),
    shop("onsite_shopping_rate", Ratio, Purchase),
    shop("onsite_shopping_roas", Ratio, Purchase),
    Metric::new("skan_purchase", Count, Purchase, Skan),
    Metric::new("offline_shopping_events", Count, Purchase, Offline),
    Metric::new("offline_shopping_events_value", Money, Purchase, Offline),
    Metric::new("offline_shopping_events_roas", Ratio, Purchase, Offline),
    // Add to cart.
    app("app_event_add_to_cart", Count, AddToCart).unique(),
    app("total_app_event_add_to_cart", Count, AddToCart),
    app("total_app_event_add_to_cart_value", Money, AddToCart),
    app("cost_per_app_event_add_to_cart", Ratio, AddToCart),
    app("cost_per_total_app_event_add_to_cart", Ratio, AddToCart),
    app("app_event_add_to_cart_rate", Ratio, AddToCart),
    web("web_event_add_to_cart", Count, AddToCart),
    web("total_web_event_add_to_cart_value", Money, AddToCart),
    web("cost_per_web_event_add_to_cart", Ratio, AddToCart),
    web("web_event_add_to_cart_rate", Ratio, AddToCart),
    onsite("onsite_total_add_to_cart", Count, AddToCart),
    onsite("onsite_total_add_to_cart_value", Money, AddToCart),
    shop("onsite_on_web_cart", Count, AddToCart),
    shop("total_onsite_on_web_cart_value", Money, AddToCart),
    shop("cost_per_onsite_on_web_cart", Ratio, AddToCart),
    shop("onsite_on_web_cart_rate", Ratio, AddToCart),
    // View content.
    app("view_content", Count, ViewContent).unique(),
    app("total_view_content", Count, ViewContent),
    app("total_view_content_value", Money, ViewContent),
    app("cost_per_view_content", Ratio, ViewContent),
    app("view_content_rate", Ratio, ViewContent),
    web("page_content_view_events", Count, ViewContent),
    web("total_page_view_content_events_value", Money, ViewContent),
    // Singular, as TikTok names them (Go SDK model, Smart+ report enum).
    web("cost_per_page_content_view_event", Ratio, ViewContent),
    web("page_content_view_event_rate", Ratio, ViewContent),
    onsite("onsite_total_product_details_page_view", Count, ViewContent),
    onsite("onsite_total_product_details_page_view_value", Money, ViewContent),
    shop("onsite_on_web_detail", Count, ViewContent),
    shop("total_onsite_on_web_detail_value", Money, ViewContent),
    shop("cost_per_onsite_on_web_detail", Ratio, ViewContent),
    shop("onsite_on_web_detail_rate", Ratio, ViewContent),
    // Initiate checkout.
    app("checkout", Count, Checkout).unique(),
    app("total_checkout", Count, Checkout),
    app("total_checkout_value", Money, Checkout),
    app("cost_per_checkout", Ratio, Checkout),
    app("checkout_rate", Ratio, Checkout),
    web("initiate_checkout", Count, Checkout),
    web("total_initiate_checkout_value", Money, Checkout),
    web("cost_per_initiate_checkout", Ratio, Checkout),
    web("initiate_checkout_rate", Ratio, Checkout),
    onsite("onsite_total_checkout_initiation", Count, Checkout),
    onsite("onsite_total_checkout_initiation_value", Money, Checkout),
    shop("onsite_initiate_checkout_count", Count, Checkout),
    shop("total_onsite_initiate_checkout_count_value", Money, Checkout),
    shop("cost_per_onsite_initiate_checkout_count", Ratio, Checkout),
    shop("onsite_initiate_checkout_count_rate", Ratio, Checkout),
    // Place order: website only.
    web("on_web_order", Count, PlaceOrder),
    web("total_on_web_order_value", Money, PlaceOrder),
    web("cost_per_on_web_order", Ratio, PlaceOrder),
    web("on_web_order_rate", Ratio, PlaceOrder),
    // Registration.
    app("registration", Count, Registration).unique(),
    app("total_registration", Count, Registration),
    app("registration_rate", Ratio, Registration),
    app("cost_per_registration", Ratio, Registration),
    app("cost_per_total_registration", Ratio, Registration),
    web("user_registration", Count, Registration),
    web("total_user_registration_value", Money, Registration),
    web("cost_per_user_registration", Ratio, Registration),
    web("user_registration_rate", Ratio, Registration),
    onsite("onsite_total_registration", Count, Registration),
    onsite("onsite_unique_registration", Count, Registration).unique(),
    Metric::new("skan_registration", Count, Registration, Skan),
    // Leads and forms.
    app("sales_lead", Count, Lead).unique(),
    app("total_sales_lead", Count, Lead),
    app("total_sales_lead_value", Money, Lead),
    app("sales_lead_rate", Ratio, Lead),
    app("cost_per_sales_lead", Ratio, Lead),
    app("cost_per_total_sales_lead", Ratio, Lead),
    web("form", Count, Lead),
    web("total_form_value", Money, Lead),
    web("cost_per_form", Ratio, Lead),
    web("form_rate", Ratio, Lead),
    onsite("onsite_form", Count, Lead),
    onsite("total_onsite_form_value", Money, Lead),
    onsite("cost_per_onsite_form", Ratio, Lead),
    onsite("onsite_form_rate", Ratio, Lead),
    Metric::new("offline_contact_events", Count, Lead, Offline),
    // Add payment info.
    app("add_payment_info", Count, PaymentInfo).unique(),
    app("total_add_payment_info", Count, PaymentInfo),
    app("cost_per_add_payment_info", Ratio, PaymentInfo),
    app("add_payment_info_rate", Ratio, PaymentInfo),
    web("add_billing", Count, PaymentInfo),
    web("total_add_billing_value", Money, PaymentInfo),
    web("cost_per_add_billing", Ratio, PaymentInfo),
    web("add_billing_rate", Ratio, PaymentInfo),
    onsite("onsite_add_billing", Count, PaymentInfo),
    onsite("total_onsite_add_billing_value", Money, PaymentInfo),
    onsite("cost_per_onsite_add_billing", Ratio, PaymentInfo),
    onsite("onsite_add_billing_rate", Ratio, PaymentInfo),
    // Add to wishlist.
    app("add_to_wishlist", Count, Wishlist).unique(),
    app("total_add_to_wishlist", Count, Wishlist),
    app("total_add_to_wishlist_value", Money, Wishlist),
    app("cost_per_add_to_wishlist", Ratio, Wishlist),
    app("add_to_wishlist_rate", Ratio, Wishlist),
    web("on_web_add_to_wishlist", Count, Wishlist),
    web("total_on_web_add_to_wishlist_value", Money, Wishlist),
    web("cost_per_on_web_add_to_wishlist", Ratio, Wishlist),
    web("on_web_add_to_wishlist_rate", Ratio, Wishlist),
    onsite("onsite_add_to_wishlist", Count, Wishlist),
    onsite("total_onsite_add_to_wishlist_value", Money, Wishlist),
    onsite("cost_per_onsite_add_to_wishlist", Ratio, Wishlist),
    onsite("onsite_add_to_wishlist_rate", Ratio, Wishlist),
    // Search.
    app("search", Count, Search).unique(),
    app("total_search", Count, Search),
    app("cost_per_search", Ratio, Search),
    app("search_rate", Ratio, Search),
    web("page_event_search", Count, Search),
    web("total_page_event_search_value", Money, Search),
    web("cost_per_page_event_search", Ratio, Search),
    web("page_event_search_rate", Ratio, Search),
    // Subscribe.
    app("subscribe", Count, Subscribe).unique(),
    app("total_subscribe", Count, Subscribe),
    app("total_subscribe_value", Money, Subscribe),
    app("cost_per_subscribe", Ratio, Subscribe),
    app("subscribe_rate", Ratio, Subscribe),
    web("on_web_subscribe", Count, Subscribe),
    web("total_on_web_subscribe_value", Money, Subscribe),
    web("cost_per_on_web_subscribe", Ratio, Subscribe),
    web("on_web_subscribe_rate", Ratio, Subscribe),
    // Page views.
    web("total_pageview", Count, PageView),
    // The one website metric DOC-AUD-DIM lists for audience reports.
    web("total_landing_page_view", Count, PageView).audience(),
    onsite("ix_page_view_count", Count, PageView),
];

/// The catalogue entry of a name. Every metric value of every record is typed through this, so
/// it is a hash table built once (open addressing, at most half full): one hash and about one
/// comparison, where a binary search cost a fifth more CPU per record.
pub fn find(name: &str) -> Option<&'static Metric> {
    const SLOTS: usize = 512;
    const _: () = assert!(CATALOGUE.len() * 2 <= SLOTS && CATALOGUE.len() < u16::MAX as usize);
    static TABLE: std::sync::OnceLock<[u16; SLOTS]> = std::sync::OnceLock::new();
    let hash = |name: &str| name.bytes().fold(0x811c_9dc5u32, |h, b| (h ^ b as u32).wrapping_mul(0x0100_0193)) as usize;
    let table = TABLE.get_or_init(|| {
        let mut table = [0u16; SLOTS];
        for (i, m) in CATALOGUE.iter().enumerate() {
            let mut slot = hash(m.name) % SLOTS;
            while table[slot] != 0 {
                slot = (slot + 1) % SLOTS;
            }
            table[slot] = i as u16 + 1;
        }
        table
    });
    let mut slot = hash(name) % SLOTS;
    loop {
        let metric = &CATALOGUE[table[slot].checked_sub(1)? as usize];
        if metric.name == name {
            return Some(metric);
        }
        slot = (slot + 1) % SLOTS;
    }
}

/// String equality at compile time.
pub const fn same_text(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Whether the catalogue has `name`, at compile time (the stream table's groups are checked so).
pub const fn has(name: &str) -> bool {
    let mut i = 0;
    while i < CATALOGUE.len() {
        if same_text(CATALOGUE[i].name, name) {
            return true;
        }
        i += 1;
    }
    false
}
