//! `gmv_max/report/get`'s refusals: each a 40002 with its message.

use chrono::Duration;
use serde_json::json;

use super::{campaigns, core, last_day, Ask, Sim, REPORT};
use crate::data::ShoppingAdsType;

#[test]
fn each_parameter_refusal_answers_40002_with_its_message() {
    let sim = Sim::new(|_| {});
    let base = || Ask::new(&sim, 0, json!(["advertiser_id", "stat_time_day"]), core());
    let store = sim.account().gmv_max.available_stores(&sim.advertiser(0))[0].to_string();
    let cases: Vec<(Ask, &str)> = vec![
        (base().with("store_ids", json!([store, store])), "store_ids: Length must be between 1 and 1."),
        (base().without("store_ids"), "store_ids: Missing data for required field."),
        (base().without("dimensions"), "dimensions: Missing data for required field."),
        (
            base().with("dimensions", json!(["campaign_id", "advertiser_id", "stat_time_day"])),
            "dimensions: The combination",
        ),
        (base().with("dimensions", json!(["advertiser_id", "duration"])), "dimensions: Invalid dimension duration."),
        (base().with("dimensions", json!(["campaign_id", "stat_time_day"])), "exactly 1 promotion type"),
        (base().without("metrics"), "metrics: Missing data for required field."),
        (
            base().with("metrics", json!(["cost", "spend"])),
            "Invalid metric(s): '[spend]'. Please remove those metrics and retry.",
        ),
        (base().with("metrics", json!(["impressions", "clicks"])), "Invalid metric(s): '[impressions, clicks]'."),
        (base().with("metrics", json!(["product_impressions"])), "Invalid metric(s): '[product_impressions]'."),
        (base().with("metrics", json!(["campaign_name"])), "Invalid metric(s): '[campaign_name]'."),
        (base().with("metrics", json!(["live_views"])), "Invalid metric(s): '[live_views]'."),
        (base().with("start_date", last_day() - Duration::days(30)), "must not exceed 30 days"),
        (
            base().with("start_date", last_day() + Duration::days(1)),
            "end_date: end_date must be later than or equal to start_date.",
        ),
        (base().with("end_date", "2024/01/01"), "end_date: Not a valid date"),
        (base().with("dimensions", json!(["advertiser_id", "stat_time_hour"])), "must not exceed 1 day "),
    ];
    expect_all(&sim, cases);
}

#[test]
fn each_filtering_and_paging_refusal_answers_40002_with_its_message() {
    let sim = Sim::new(|_| {});
    let product = campaigns(&sim, 0, ShoppingAdsType::Product);
    let base = || Ask::new(&sim, 0, json!(["advertiser_id", "stat_time_day"]), core());
    let many: Vec<String> = (0..101).map(|i| i.to_string()).collect();
    let cases: Vec<(Ask, &str)> = vec![
        (base().with("filtering", json!([])), "filtering: Field must be set to object"),
        (
            base().with("filtering", json!({"campaign_ids": many})),
            "filtering: campaign_ids: maximum number of items is 100",
        ),
        (
            base().with("filtering", json!({"campaign_ids": []})),
            "filtering: campaign_ids: minimum number of items is 1",
        ),
        (
            base().with("filtering", json!({"gmv_max_promotion_types": ["PRODUCT_GMV_MAX"]})),
            "Invalid enum value PRODUCT_GMV_MAX",
        ),
        (base().with("filtering", json!({"campaign_statuses": ["STATUS_ALL"]})), "Invalid enum value STATUS_ALL"),
        (base().with("filtering", json!({"ad_ids": ["1"]})), "filtering: ad_ids: Unknown field."),
        (
            base().with("dimensions", json!(["campaign_id", "item_group_id", "stat_time_day"])),
            "Item level report must have at least 1 campaign ID",
        ),
        (
            base()
                .with("dimensions", json!(["item_group_id", "stat_time_day"]))
                .with("filtering", json!({"campaign_ids": product})),
            "exactly 1 campaign ID",
        ),
        (
            base()
                .with("dimensions", json!(["item_id", "stat_time_day"]))
                .with("filtering", json!({"campaign_ids": [product[0]]})),
            "exactly 1 item group ID",
        ),
        (
            base()
                .with("dimensions", json!(["campaign_id", "item_group_id", "stat_time_day"]))
                .with("filtering", json!({"campaign_ids": [product[0]]}))
                .with("metrics", json!(["cost", "campaign_name"])),
            "Invalid metric(s): '[campaign_name]'.",
        ),
        (base().with("context_info", "{}"), "context_info"),
        (
            base().with("page_size", 1001),
            "page_size: Must be greater than or equal to 1 and less than or equal to 1000.",
        ),
        (base().with("page", 0), "page: Must be greater than or equal to 1."),
        (base().with("sort_field", "spend"), "sort_field"),
        (base().with("enable_total_metrics", "yes"), "enable_total_metrics"),
    ];
    expect_all(&sim, cases);
}

/// Each query is refused with 40002 and a message holding its text.
fn expect_all(sim: &Sim, cases: Vec<(Ask, &str)>) {
    for (ask, expected) in cases {
        let (code, message) = sim.refused(REPORT, &ask.list());
        assert_eq!(code, 40002, "{expected}: {message}");
        assert!(message.contains(expected), "expected {expected:?} in {message:?}");
    }
}
