//! `gmv_max/report/get`: the legal grains, each refusal, the readings, the answer's shape,
//! how grains relate, delivery, restatement and the endpoint's own quota.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::{campaigns, core, filtering, last_day, num, p, rows, total, Ask, Sim, REPORT};
use crate::data::ShoppingAdsType;

#[test]
fn each_legal_grain_answers_rows_keyed_by_the_dimensions_asked() {
    let sim = Sim::new(|_| {});
    let product = campaigns(&sim, 0, ShoppingAdsType::Product);
    let live = campaigns(&sim, 0, ShoppingAdsType::Live);
    let group = sim.account().gmv_max.campaign(&product[0]).unwrap().products[0].item_group_id.clone();
    let one = |ids: &[String]| filtering(json!({ "campaign_ids": ids }));
    let cases: Vec<(Value, Option<String>)> = vec![
        (json!(["stat_time_day", "advertiser_id"]), None),
        (json!(["advertiser_id", "stat_time_hour"]), None),
        (json!(["campaign_id", "stat_time_day"]), Some(filtering(json!({"gmv_max_promotion_types": ["PRODUCT"]})))),
        (json!(["campaign_id", "stat_time_hour"]), Some(filtering(json!({"gmv_max_promotion_types": ["LIVE"]})))),
        (json!(["item_group_id", "stat_time_day"]), Some(one(&product[..1]))),
        (json!(["campaign_id", "item_group_id", "stat_time_day"]), Some(one(&product))),
        (json!(["campaign_id", "item_group_id", "item_id", "stat_time_day"]), Some(one(&product))),
        (
            json!(["item_id", "stat_time_day"]),
            Some(filtering(json!({"campaign_ids": [product[0]], "item_group_ids": [group]}))),
        ),
        (json!(["room_id", "stat_time_day"]), Some(one(&live[..1]))),
        (json!(["campaign_id", "room_id", "stat_time_day"]), Some(one(&live))),
    ];
    for (dimensions, filter) in cases {
        let hourly = dimensions.as_array().unwrap().iter().any(|d| d == "stat_time_hour");
        let mut ask = Ask::new(&sim, 0, dimensions.clone(), core());
        if hourly {
            ask = ask.with("start_date", last_day()).with("end_date", last_day());
        }
        if let Some(f) = filter {
            ask = ask.with("filtering", f);
        }
        let got = rows(&sim, &ask);
        assert!(!got.is_empty(), "{dimensions}");
        let mut names: Vec<&str> = dimensions.as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
        names.sort_unstable();
        for row in &got {
            let mut keys: Vec<&str> = row["dimensions"].as_object().unwrap().keys().map(String::as_str).collect();
            keys.sort_unstable();
            assert_eq!(keys, names, "{dimensions}");
            assert!(row["dimensions"]
                .as_object()
                .unwrap()
                .values()
                .chain(row["metrics"].as_object().unwrap().values())
                .all(Value::is_string));
            let time = row["dimensions"].get("stat_time_day").or(row["dimensions"].get("stat_time_hour")).unwrap();
            assert!(time.as_str().unwrap().ends_with(if hourly { ":00:00" } else { " 00:00:00" }));
            assert!(num(row, "net_cost") <= num(row, "cost") && num(row, "cost") > 0.0);
        }
        if hourly {
            assert!(got.len() < 24 * 3, "only hours with cost: {}", got.len());
        }
    }
}

#[test]
fn a_store_not_available_to_the_advertiser_is_refused_without_rows() {
    let sim = Sim::new(|_| {});
    let other = sim.account().gmv_max.available_stores(&sim.advertiser(1))[0].to_string();
    let listed_under_0 = sim.account().gmv_max.listed_stores(&sim.advertiser(0)).iter().any(|l| l.store_id == other);
    assert!(listed_under_0);
    let ask = Ask::new(&sim, 0, json!(["advertiser_id", "stat_time_day"]), core()).with("store_ids", json!([other]));
    let (code, message) = sim.refused(REPORT, &ask.list());
    assert_eq!(code, 40001);
    assert!(message.contains(&other), "{message}");
}

#[test]
fn the_readings_switch_the_four_dimension_group_and_the_item_page_size() {
    let four = |sim: &Sim| {
        let ids = campaigns(sim, 0, ShoppingAdsType::Product);
        Ask::new(sim, 0, json!(["campaign_id", "item_group_id", "item_id", "stat_time_day"]), core())
            .with("filtering", json!({ "campaign_ids": ids }))
    };
    let default = Sim::new(|_| {});
    assert!(!rows(&default, &four(&default)).is_empty());
    let three = Sim::new(|c| c.readings.gmv_three_dimensions_only = true);
    let (code, message) = three.refused(REPORT, &four(&three).list());
    assert_eq!((code, message.as_str()), (40002, "dimensions: Length must be between 1 and 3."));

    let fifty = Sim::new(|c| c.readings.gmv_item_page_size_max = 50);
    let (code, message) = fifty.refused(REPORT, &four(&fifty).with("page_size", 51).list());
    assert_eq!(code, 40002);
    assert!(message.contains("page_size") && message.contains("50"), "{message}");
    assert!(!rows(&fifty, &four(&fifty).with("page_size", 50)).is_empty());
    let campaign_grain = Ask::new(&fifty, 0, json!(["advertiser_id", "stat_time_day"]), core()).with("page_size", 1000);
    assert!(!rows(&fifty, &campaign_grain).is_empty(), "only item-level reports are limited");
}

#[test]
fn an_empty_page_has_no_list_past_the_end_on_an_exact_multiple_and_without_rows() {
    let sim = Sim::new(|_| {});
    let ask = || Ask::new(&sim, 0, json!(["advertiser_id", "stat_time_day"]), core());
    let all = sim.ok(REPORT, &ask().list());
    let n = all["page_info"]["total_number"].as_u64().unwrap();
    assert_eq!(all["list"].as_array().unwrap().len() as u64, n);
    // Exactly n rows a page: one more page is counted, and it answers without `list`.
    let first = sim.ok(REPORT, &ask().with("page_size", n).list());
    assert_eq!(first["page_info"]["total_page"], 2);
    let extra = sim.ok(REPORT, &ask().with("page_size", n).with("page", 2).list());
    assert!(extra.get("list").is_none() && extra["page_info"]["total_number"] == n, "{extra}");
    // Not a multiple: the usual count; past the end, no list either.
    let size = n - 1;
    let paged = sim.ok(REPORT, &ask().with("page_size", size).list());
    assert_eq!(paged["page_info"]["total_page"].as_u64(), Some(n.div_ceil(size)));
    assert!(sim.ok(REPORT, &ask().with("page_size", size).with("page", 9).list()).get("list").is_none());
    // No rows at all (before 2023-09-01).
    let none = sim.ok(REPORT, &ask().with("start_date", "2023-08-01").with("end_date", "2023-08-30").list());
    assert!(none.get("list").is_none());
    assert_eq!(
        (none["page_info"]["total_number"].clone(), none["page_info"]["total_page"].clone()),
        (json!(0), json!(0))
    );
}

/// The cost of each (id, day) row of a grain, summed over the rows under the same `parent`.
fn costs_by(rows: &[Value], parent: &str) -> BTreeMap<(String, String), f64> {
    let mut out = BTreeMap::new();
    for r in rows {
        let key = (
            r["dimensions"][parent].as_str().unwrap_or("").to_string(),
            r["dimensions"]["stat_time_day"].as_str().unwrap().to_string(),
        );
        *out.entry(key).or_insert(0.0) += num(r, "cost");
    }
    out
}

#[test]
fn grains_do_not_sum_exactly_but_within_one_percent() {
    let sim = Sim::new(|_| {});
    // The deleted campaign spent before its deletion: it has rows like the others.
    let mut product = campaigns(&sim, 0, ShoppingAdsType::Product);
    product.extend(sim.account().gmv_max.deleted_campaigns(&sim.advertiser(0)).iter().map(|c| c.id.clone()));
    let live = campaigns(&sim, 0, ShoppingAdsType::Live);
    let by_campaign = |kind: &str| {
        let ask = Ask::new(&sim, 0, json!(["campaign_id", "stat_time_day"]), core())
            .with("filtering", json!({"gmv_max_promotion_types": [kind]}));
        costs_by(&rows(&sim, &ask), "campaign_id")
    };
    let item_level = |dims: Value, ids: &[String]| {
        let ask = Ask::new(&sim, 0, dims, core()).with("filtering", json!({ "campaign_ids": ids }));
        rows(&sim, &ask)
    };
    let products = item_level(json!(["campaign_id", "item_group_id", "stat_time_day"]), &product);
    let creatives = item_level(json!(["campaign_id", "item_group_id", "item_id", "stat_time_day"]), &product);
    let rooms = item_level(json!(["campaign_id", "room_id", "stat_time_day"]), &live);
    let close_below = |finer: &BTreeMap<(String, String), f64>, coarser: &BTreeMap<(String, String), f64>| {
        assert_eq!(finer.keys().collect::<Vec<_>>(), coarser.keys().collect::<Vec<_>>());
        let mut exact = 0;
        for (key, fine) in finer {
            let coarse = coarser[key];
            assert!(*fine < coarse && *fine > coarse * 0.99 - 0.02, "{key:?}: {fine} vs {coarse}");
            exact += usize::from((fine - coarse).abs() < 0.005);
        }
        assert_eq!(exact, 0);
    };
    close_below(&costs_by(&products, "campaign_id"), &by_campaign("PRODUCT"));
    close_below(&costs_by(&rooms, "campaign_id"), &by_campaign("LIVE"));
    // Creatives against their products.
    let key = |r: &Value| {
        (
            r["dimensions"]["item_group_id"].as_str().unwrap().to_string(),
            r["dimensions"]["stat_time_day"].as_str().unwrap().to_string(),
        )
    };
    let product_costs: BTreeMap<_, f64> = products.iter().map(|r| (key(r), num(r, "cost"))).collect();
    let mut creative_costs = BTreeMap::new();
    creatives.iter().for_each(|r| *creative_costs.entry(key(r)).or_insert(0.0) += num(r, "cost"));
    close_below(&creative_costs, &product_costs);
    // The advertiser is about the sum of its campaigns; hours about their day.
    let advertiser = rows(&sim, &Ask::new(&sim, 0, json!(["advertiser_id", "stat_time_day"]), core()));
    let campaigns_total: f64 = by_campaign("PRODUCT").values().chain(by_campaign("LIVE").values()).sum();
    assert!((total(&advertiser) - campaigns_total).abs() < 0.01 * campaigns_total);
    let day = last_day();
    let hourly = Ask::new(&sim, 0, json!(["advertiser_id", "stat_time_hour"]), core())
        .with("start_date", day)
        .with("end_date", day);
    let daily = Ask::new(&sim, 0, json!(["advertiser_id", "stat_time_day"]), core())
        .with("start_date", day)
        .with("end_date", day);
    let (h, d) = (total(&rows(&sim, &hourly)), total(&rows(&sim, &daily)));
    assert!((h - d).abs() <= 0.01 * d && d > 0.0, "{h} vs {d}");
}

#[test]
fn idle_campaigns_and_idle_advertisers_have_no_rows_on_their_days() {
    let sim = Sim::new(|c| c.account.delivery.idle_advertisers = 1);
    let account = sim.account();
    let product = campaigns(&sim, 0, ShoppingAdsType::Product);
    let idle = account.gmv_max.campaign(&product[0]).unwrap();
    assert!(idle.sometimes_idle);
    let ask = Ask::new(&sim, 0, json!(["campaign_id", "stat_time_day"]), core())
        .with("filtering", json!({"gmv_max_promotion_types": ["PRODUCT"]}));
    let got = costs_by(&rows(&sim, &ask), "campaign_id");
    let days = |id: &str| got.keys().filter(|(c, _)| c == id).count();
    let (idle_days, busy_days) = (days(&product[0]), days(&product[1]));
    assert_eq!(busy_days, 30);
    assert!((12..=26).contains(&idle_days), "idle on about a third of the days: {idle_days}");
    for (_, day) in got.keys().filter(|(c, _)| c == &product[0]) {
        let date = chrono::NaiveDate::parse_from_str(&day[..10], "%Y-%m-%d").unwrap();
        assert!(!account.gmv_max.idle_on(idle, date));
    }
    let products = Ask::new(&sim, 0, json!(["item_group_id", "stat_time_day"]), core())
        .with("filtering", json!({"campaign_ids": [product[0]]}));
    let product_days: std::collections::BTreeSet<String> =
        rows(&sim, &products).iter().map(|r| r["dimensions"]["stat_time_day"].as_str().unwrap().to_string()).collect();
    assert_eq!(product_days.len(), idle_days);
    let idle_advertiser = Ask::new(&sim, 1, json!(["advertiser_id", "stat_time_day"]), core());
    assert_eq!(sim.ok(REPORT, &idle_advertiser.list())["page_info"]["total_number"], 0);
}

#[test]
fn totals_restatement_and_values_follow_the_rows() {
    let sim = Sim::new(|_| {});
    let metrics = json!(["cost", "orders", "gross_revenue", "roi", "cost_per_order", "all_shops_orders"]);
    let ask = Ask::new(&sim, 0, json!(["advertiser_id", "stat_time_day"]), metrics)
        .with("enable_total_metrics", true)
        .with("page_size", 5);
    let all = rows(&sim, &ask.with("page_size", 1000));
    let ask = Ask::new(&sim, 0, json!(["advertiser_id", "stat_time_day"]), core())
        .with("enable_total_metrics", true)
        .with("page_size", 5);
    let data = sim.ok(REPORT, &ask.list());
    let totals: f64 = data["total_metrics"]["cost"].as_str().unwrap().parse().unwrap();
    assert!((totals - total(&all)).abs() < 0.01, "totals cover every page");
    for r in &all {
        let roi = num(r, "gross_revenue") / num(r, "cost");
        assert!((num(r, "roi") - roi).abs() < 0.01);
        assert!(r["metrics"]["orders"].as_str().unwrap().parse::<u64>().is_ok());
        assert!(num(r, "all_shops_orders") >= num(r, "orders"));
    }
    let restated = Sim::new(|c| c.account.restatement = 2.0);
    let again = rows(&restated, &Ask::new(&restated, 0, json!(["advertiser_id", "stat_time_day"]), core()));
    assert!((total(&again) / total(&all) - 2.0).abs() < 0.001);
}

#[test]
fn the_report_quota_is_its_own_and_other_endpoints_still_answer() {
    let sim = Sim::new(|c| c.limits.gmv_report_quota_per_day = 2);
    let ask = Ask::new(&sim, 0, json!(["advertiser_id", "stat_time_day"]), core());
    sim.ok(REPORT, &ask.list());
    sim.ok(REPORT, &ask.list());
    // The daily quota's wording is invented (refusals.rs): the code only.
    let (code, _) = sim.refused(REPORT, &ask.list());
    assert_eq!(code, 40100);
    sim.ok("gmv_max/store/list", &[p("advertiser_id", sim.advertiser(0))]);
}

#[test]
fn live_and_attribute_metrics_come_where_they_belong() {
    let sim = Sim::new(|_| {});
    let live = campaigns(&sim, 0, ShoppingAdsType::Live);
    let ask = Ask::new(
        &sim,
        0,
        json!(["campaign_id", "stat_time_day"]),
        json!(["cost", "cost_per_10_second_live_views", "live_views", "campaign_name"]),
    )
    .with("filtering", json!({"gmv_max_promotion_types": ["LIVE"]}));
    let got = rows(&sim, &ask);
    assert!(got.iter().all(|r| r["metrics"].get("cost_per_10_second_live_views").is_some()
        && r["metrics"]["campaign_name"].as_str().unwrap().contains("LIVE")));
    let rooms = Ask::new(&sim, 0, json!(["room_id", "stat_time_day"]), json!(["cost", "live_name", "live_follows"]))
        .with("filtering", json!({"campaign_ids": [live[0]]}));
    assert!(rows(&sim, &rooms).iter().all(|r| r["metrics"]["live_name"].as_str().unwrap().starts_with("Sim LIVE")));
    let sorted = Ask::new(&sim, 0, json!(["advertiser_id", "stat_time_day"]), core())
        .with("sort_field", "cost")
        .with("sort_type", "ASC");
    let costs: Vec<f64> = rows(&sim, &sorted).iter().map(|r| num(r, "cost")).collect();
    assert!(costs.windows(2).all(|w| w[0] <= w[1]));
}
