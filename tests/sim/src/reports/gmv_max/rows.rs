//! The rows of a GMV Max report: for each campaign of the (advertiser, store) pair in the
//! query's filters, each day its advertiser delivers and it spends, the grain's rows (§1.7:
//! only rows with cost; none before 2023-09-01 or the campaign's creation).

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};

use super::metrics::Subject;
use super::request::{GmvFilter, GmvQuery, Grain};
use crate::config::SimConfig;
use crate::data::{gmv_max_data_start, Account, GmvCampaign, GmvMax, GmvValues};

/// One row: its dimension values in the request's order, its values, what it is about.
pub(super) struct GmvRow<'a> {
    pub(super) key: Vec<String>,
    pub(super) values: GmvValues,
    pub(super) subject: Subject<'a>,
}

fn cents(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn passes(c: &GmvCampaign, f: &GmvFilter) -> bool {
    let status = if c.deleted { "STATUS_DELETE" } else { "STATUS_DELIVERY_OK" };
    let name = c.fields["campaign_name"].as_str().unwrap_or("").to_lowercase();
    f.kinds.contains(&c.kind)
        && f.campaign_ids.as_ref().is_none_or(|ids| ids.contains(&c.id))
        && f.campaign_statuses.as_ref().is_none_or(|s| s.iter().any(|s| s == status))
        && f.campaign_name.as_ref().is_none_or(|n| name.contains(n))
}

fn kept(filter: &Option<Vec<String>>, id: &str) -> bool {
    filter.as_ref().is_none_or(|ids| ids.iter().any(|i| i == id))
}

/// The ids a row is keyed by besides its time.
#[derive(Default)]
struct Ids<'a> {
    campaign: &'a str,
    item_group: &'a str,
    item: &'a str,
    room: &'a str,
}

pub(super) fn compute<'a>(q: &GmvQuery, account: &'a Account, config: &SimConfig) -> Vec<GmvRow<'a>> {
    let gmv = &account.gmv_max;
    let Some(index) = account.advertisers.iter().position(|a| a.id == q.advertiser) else { return Vec::new() };
    let shape = &config.account;
    let delivers = |day| shape.delivery.delivers(index, account.advertisers.len(), day, shape.seed);
    let campaigns: Vec<&GmvCampaign> = gmv
        .campaigns
        .iter()
        .filter(|c| c.advertiser_id == q.advertiser && c.store_id == q.store && passes(c, &q.filter))
        .collect();
    let today = chrono::Utc::now().date_naive();
    let (first, last) = (q.dates.0.max(gmv_max_data_start()), q.dates.1.min(today));
    let mut rows: BTreeMap<Vec<String>, GmvRow<'a>> = BTreeMap::new();
    let mut day = first;
    while day <= last {
        if delivers(day) {
            for c in &campaigns {
                campaign_day(q, gmv, c, day, shape.restatement, &mut rows);
            }
        }
        day += Duration::days(1);
    }
    rows.into_values().collect()
}

/// The rows one campaign-day adds to.
fn campaign_day<'a>(
    q: &GmvQuery,
    gmv: &GmvMax,
    c: &'a GmvCampaign,
    day: NaiveDate,
    restatement: f64,
    rows: &mut BTreeMap<Vec<String>, GmvRow<'a>>,
) {
    // Late conversions restate cost and everything derived from it.
    let hours: Vec<(u32, f64)> =
        gmv.campaign_hours(c, day).into_iter().map(|(h, cost)| (h, cents(cost * restatement))).collect();
    let day_cost = cents(hours.iter().map(|(_, cost)| cost).sum());
    if day_cost <= 0.0 {
        return;
    }
    let hourly = q.dimensions.iter().any(|d| d == "stat_time_hour");
    let mut add = |ids: Ids<'a>, hour: Option<u32>, cost: f64, subject: Subject<'a>| {
        if cost <= 0.0 {
            return;
        }
        let key = key(q, &ids, day, hour);
        let values = gmv.values(c, cost);
        let subject = if q.grain == Grain::Advertiser { Subject::Whole } else { subject };
        let row = rows.entry(key.clone()).or_insert(GmvRow { key, values: GmvValues::default(), subject });
        row.values.add(&values);
    };
    let campaign = Ids { campaign: &c.id, ..Ids::default() };
    match q.grain {
        Grain::Advertiser | Grain::Campaign if hourly => {
            for (hour, cost) in hours {
                add(Ids { ..campaign }, Some(hour), cost, Subject::Campaign(c));
            }
        }
        Grain::Advertiser | Grain::Campaign => add(campaign, None, day_cost, Subject::Campaign(c)),
        Grain::Product | Grain::Creative => {
            for (p, (product, cost)) in c.products.iter().zip(gmv.product_costs(c, day, day_cost)).enumerate() {
                if !kept(&q.filter.item_group_ids, &product.item_group_id) {
                    continue;
                }
                let ids = Ids { campaign: &c.id, item_group: &product.item_group_id, ..Ids::default() };
                if q.grain == Grain::Product {
                    add(ids, None, cost, Subject::Product(c, p));
                    continue;
                }
                for (i, item_cost) in gmv.item_costs(c, p, day, cost).into_iter().enumerate() {
                    let item = &product.item_ids[i];
                    if kept(&q.filter.item_ids, item) {
                        add(Ids { item, ..ids }, None, item_cost, Subject::Item(c, p, i));
                    }
                }
            }
        }
        Grain::Room => {
            for (k, (room, cost)) in c.rooms.iter().zip(gmv.room_costs(c, day, day_cost)).enumerate() {
                if kept(&q.filter.room_ids, &room.room_id) {
                    add(Ids { room: &room.room_id, ..campaign }, None, cost, Subject::Room(c, k));
                }
            }
        }
    }
}

/// A row's dimension values, in the request's order (§1.7 time formats).
fn key(q: &GmvQuery, ids: &Ids, day: NaiveDate, hour: Option<u32>) -> Vec<String> {
    q.dimensions
        .iter()
        .map(|d| match d.as_str() {
            "advertiser_id" => q.advertiser.clone(),
            "campaign_id" => ids.campaign.to_string(),
            "item_group_id" => ids.item_group.to_string(),
            "item_id" => ids.item.to_string(),
            "room_id" => ids.room.to_string(),
            "stat_time_hour" => format!("{} {:02}:00:00", day.format("%Y-%m-%d"), hour.unwrap_or(0)),
            _ => format!("{} 00:00:00", day.format("%Y-%m-%d")),
        })
        .collect()
}
