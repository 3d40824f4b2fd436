//! GMV Max report numbers. A campaign's cost is drawn hour by hour; every finer grain splits
//! its parent's day and keeps back 0.3–1% (gmv-max-smart-plus.md §1.10: item-level sums fell
//! 0.6% below campaign level), so grains answer their own numbers and never reconcile exactly.
//! Every other value derives from a row's cost at its campaign's rates.

use chrono::{Datelike, NaiveDate};

use super::{GmvCampaign, GmvMax, ShoppingAdsType};
use crate::data::mix;

/// The additive values of one report row (sums of rows are sums of these).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GmvValues {
    pub cost: f64,
    pub net_cost: f64,
    pub orders: f64,
    pub gross_revenue: f64,
    pub all_shops_orders: f64,
    pub all_shops_gross_revenue: f64,
    pub product_impressions: f64,
    pub product_clicks: f64,
    pub live_views: f64,
    pub ten_second_live_views: f64,
    pub live_follows: f64,
}

impl GmvValues {
    pub fn add(&mut self, o: &GmvValues) {
        self.cost += o.cost;
        self.net_cost += o.net_cost;
        self.orders += o.orders;
        self.gross_revenue += o.gross_revenue;
        self.all_shops_orders += o.all_shops_orders;
        self.all_shops_gross_revenue += o.all_shops_gross_revenue;
        self.product_impressions += o.product_impressions;
        self.product_clicks += o.product_clicks;
        self.live_views += o.live_views;
        self.ten_second_live_views += o.ten_second_live_views;
        self.live_follows += o.live_follows;
    }
}

fn cents(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn day_key(day: NaiveDate) -> u64 {
    (day.num_days_from_ce() as u64) << 8
}

impl GmvMax {
    /// Whether the campaign stays idle on `day` although its advertiser delivers: the one
    /// `sometimes_idle` campaign of each store, on about a third of the days.
    pub fn idle_on(&self, c: &GmvCampaign, day: NaiveDate) -> bool {
        c.sometimes_idle && mix(self.seed ^ mix(c.n + 0x1d1e) ^ day_key(day)).is_multiple_of(3)
    }

    /// The hours of `day` the campaign spends in, with their cost (before restatement): about
    /// half of the hours, fewer at night; none when it is idle or not yet created.
    pub fn campaign_hours(&self, c: &GmvCampaign, day: NaiveDate) -> Vec<(u32, f64)> {
        if day < c.created.date() || self.idle_on(c, day) {
            return Vec::new();
        }
        (0..24)
            .filter_map(|hour| {
                let key = mix(self.seed ^ mix(c.n + 0xc057) ^ day_key(day) ^ hour as u64);
                let off = key.is_multiple_of(3) || (hour < 7 && key.is_multiple_of(2));
                (!off).then(|| (hour, cents(0.5 + ((key >> 12) % 1950) as f64 / 100.0)))
            })
            .collect()
    }

    /// `total` split into `parts` rows that keep back 0.3–1% of it (drawn per `salt`).
    fn split(&self, total: f64, parts: usize, salt: u64) -> Vec<f64> {
        let draw = mix(self.seed ^ mix(salt));
        let kept = 1.0 - (0.003 + (draw % 700) as f64 / 100_000.0);
        let weights: Vec<f64> = (0..parts as u64).map(|i| 1.0 + (mix(draw ^ (i + 1)) % 9) as f64).collect();
        let sum: f64 = weights.iter().sum();
        weights.iter().map(|w| cents(total * kept * w / sum)).collect()
    }

    /// A campaign-day's cost split among its products, in product order.
    pub fn product_costs(&self, c: &GmvCampaign, day: NaiveDate, day_cost: f64) -> Vec<f64> {
        self.split(day_cost, c.products.len(), c.n ^ day_key(day) ^ 0x9e0d)
    }

    /// A product-day's cost split among the product's posts.
    pub fn item_costs(&self, c: &GmvCampaign, product: usize, day: NaiveDate, product_cost: f64) -> Vec<f64> {
        let posts = c.products.get(product).map_or(0, |p| p.item_ids.len());
        self.split(product_cost, posts, (c.n << 12) ^ product as u64 ^ day_key(day) ^ 0x17e4)
    }

    /// A LIVE campaign-day's cost split among its rooms.
    pub fn room_costs(&self, c: &GmvCampaign, day: NaiveDate, day_cost: f64) -> Vec<f64> {
        self.split(day_cost, c.rooms.len(), c.n ^ day_key(day) ^ 0x400e)
    }

    /// Every value of a row with this cost, at the campaign's rates.
    pub fn values(&self, c: &GmvCampaign, cost: f64) -> GmvValues {
        let r = mix(self.seed ^ mix(c.n + 0x4a7e));
        let per_order = 5.0 + (r % 25) as f64;
        let roi = 1.5 + ((r >> 8) % 350) as f64 / 100.0;
        let net_share = 0.85 + ((r >> 20) % 15) as f64 / 100.0;
        let orders = (cost / per_order).round();
        let gross_revenue = cents(cost * roi);
        let impressions = (cost * (80.0 + ((r >> 28) % 60) as f64)).round();
        let live = c.kind == ShoppingAdsType::Live;
        let live_views = if live { (cost * (10.0 + ((r >> 36) % 20) as f64)).round() } else { 0.0 };
        GmvValues {
            cost,
            net_cost: cents(cost * net_share),
            orders,
            gross_revenue,
            all_shops_orders: orders + (orders / 5.0).round(),
            all_shops_gross_revenue: cents(gross_revenue * 1.12),
            product_impressions: impressions,
            product_clicks: (impressions * (0.01 + ((r >> 44) % 40) as f64 / 1000.0)).round(),
            live_views,
            ten_second_live_views: (live_views * 0.35).round(),
            live_follows: (live_views * 0.02).round(),
        }
    }

    /// The share of a post's viewers (percent) who watch to each mark, per campaign: 2 s,
    /// 6 s, 25%, 50%, 75%, 100%.
    pub fn view_rates(&self, c: &GmvCampaign) -> [f64; 6] {
        let base = 30.0 + (mix(self.seed ^ mix(c.n + 0x7e3)) % 2000) as f64 / 100.0;
        [base, base * 0.6, base * 0.5, base * 0.3, base * 0.2, base * 0.1]
    }
}
