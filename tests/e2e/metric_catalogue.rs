//! The metric catalogue end to end: custom reports with every conversion leg equal the
//! simulator's own numbers, `additional_metrics` reaches the built-in reports where TikTok gives
//! it and only there, TikTok's metric rules are refused at `check` before any request, and a
//! name the catalogue does not know is asked of TikTok.

use std::collections::BTreeMap;

use harness::{custom_report, days_ago, Harness, Mode, Run};
use serde_json::{json, Value};
use tiktok_sim::{SimConfig, Simulator};

/// A report straight from the simulator: `data` of its answer.
fn sim_report(sim: &Simulator, query: &[(&str, String)]) -> Value {
    harness::http::get(sim, "report/integrated/get", query).json()
}

/// A metric as the connector must type it: `-` null, counts integers, the rest exact decimals.
fn typed(raw: &Value) -> Value {
    let text = raw.as_str().unwrap();
    match text {
        "-" => Value::Null,
        t if !t.contains('.') => json!(t.parse::<i64>().unwrap()),
        t => serde_json::from_str(t).unwrap(),
    }
}

fn check_message(run: &Run) -> String {
    run.of_type("CONNECTION_STATUS")[0]["connectionStatus"]["message"].as_str().unwrap().to_string()
}

#[test]
fn a_custom_report_with_every_leg_at_campaign_level_equals_the_simulators_numbers() {
    let h = Harness::new("catalogue-legs", SimConfig::default());
    let legs = [
        "spend",
        "app_event_add_to_cart",
        "total_app_event_add_to_cart",
        "total_app_event_add_to_cart_value",
        "web_event_add_to_cart",
        "total_web_event_add_to_cart_value",
        "cost_per_web_event_add_to_cart",
        "onsite_total_add_to_cart",
        "onsite_total_add_to_cart_value",
        "onsite_on_web_cart",
        "skan_purchase",
        "offline_shopping_events_value",
        "total_purchase",
        "complete_payment_roas",
        "secondary_goal_result",
    ];
    let report = custom_report("cart_legs", "BASIC", "AUCTION_CAMPAIGN", "DAILY", &[], &legs);
    let config = h.config().days(3).rps(200).custom_reports(&[report]).build();
    let run = h.read(&config, &["cart_legs"], Mode::FullRefresh, None);
    run.assert_success();
    harness::assert_records_match_schemas(&run, &h.discover(&config));
    let records = run.records_of("cart_legs");
    assert!(!records.is_empty());
    let start = days_ago(3);
    let mut compared = 0;
    for advertiser in &h.sim.account().advertisers {
        let mine: BTreeMap<(String, String), &Value> = records
            .iter()
            .filter(|r| r["advertiser_id"] == json!(advertiser.id))
            .map(|r| {
                ((r["campaign_id"].as_str().unwrap().to_string(), r["stat_time_day"].as_str().unwrap().to_string()), r)
            })
            .collect();
        let Some(last) = mine.keys().map(|(_, day)| day.clone()).max() else { continue };
        let data = sim_report(
            &h.sim,
            &[
                ("advertiser_id", advertiser.id.clone()),
                ("report_type", "BASIC".into()),
                ("data_level", "AUCTION_CAMPAIGN".into()),
                ("dimensions", json!(["campaign_id", "stat_time_day"]).to_string()),
                ("metrics", json!(legs).to_string()),
                ("start_date", start.to_string()),
                ("end_date", last[..10].to_string()),
                ("page_size", "1000".into()),
            ],
        );
        let theirs = data["data"]["list"].as_array().unwrap_or_else(|| panic!("{data}"));
        assert_eq!(theirs.len(), mine.len(), "advertiser {}: other rows", advertiser.id);
        for row in theirs {
            let key = (
                row["dimensions"]["campaign_id"].as_str().unwrap().to_string(),
                row["dimensions"]["stat_time_day"].as_str().unwrap().to_string(),
            );
            let record = mine.get(&key).unwrap_or_else(|| panic!("no record for {key:?}"));
            for m in legs {
                assert_eq!(record["metrics"][m], typed(&row["metrics"][m]), "{key:?} {m}");
            }
            compared += 1;
        }
    }
    assert_eq!(compared, records.len());
    // Counts are integers and `-` is null, never 0.
    assert!(records
        .iter()
        .all(|r| r["metrics"]["web_event_add_to_cart"].is_i64() && r["metrics"]["secondary_goal_result"].is_null()));
}

#[test]
fn additional_metrics_reach_every_basic_report_where_tiktok_gives_them_and_only_there() {
    let h = Harness::new("catalogue-additional", SimConfig::default());
    let plain = h.config().days(2).rps(200).build();
    let config = h.config().days(2).rps(200).additional_metrics(&["web_event_add_to_cart", "conversion"]).build();
    let catalog = h.discover(&config);
    let without = h.discover(&plain);
    let reports: Vec<&Value> = catalog["streams"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["json_schema"]["properties"].get("metrics").is_some())
        // The reference's report streams: GMV Max and Smart+ material reports have metric
        // tables of their own, Smart+ ad reports are checked in `smart_plus.rs`.
        .filter(|s| !["gmv_max_", "smart_plus_"].iter().any(|p| s["name"].as_str().unwrap().starts_with(p)))
        .collect();
    assert_eq!(reports.len(), 30);
    for stream in &reports {
        let name = stream["name"].as_str().unwrap();
        let metrics = &stream["json_schema"]["properties"]["metrics"]["properties"];
        let before = without["streams"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap();
        let before = &before["json_schema"]["properties"]["metrics"]["properties"];
        let audience = name.contains("audience");
        assert_eq!(metrics.get("web_event_add_to_cart").is_some(), !audience, "{name}");
        let level_has_conversion = name.starts_with("ads_") || name.starts_with("ad_group");
        assert_eq!(metrics.get("conversion").is_some(), level_has_conversion, "{name}");
        // Everything else as before.
        assert!(before.as_object().unwrap().keys().all(|k| metrics.get(k.as_str()).is_some()), "{name}");
        let added: Vec<&String> =
            metrics.as_object().unwrap().keys().filter(|k| before.get(k.as_str()).is_none()).collect();
        assert!(added.iter().all(|k| *k == "web_event_add_to_cart" || *k == "conversion"), "{name}: {added:?}");
    }
    let streams = ["ads_reports_daily", "campaigns_reports_daily", "campaigns_audience_reports_daily"];
    let run = h.read(&config, &streams, Mode::FullRefresh, None);
    run.assert_success();
    harness::assert_records_match_schemas(&run, &catalog);
    assert!(run.records_of("ads_reports_daily").iter().all(|r| r["metrics"]["web_event_add_to_cart"].is_i64()));
    assert!(run
        .records_of("campaigns_audience_reports_daily")
        .iter()
        .all(|r| r["metrics"].get("web_event_add_to_cart").is_none()));
    // No audience request asked for it, and no campaign request for conversion.
    for r in h.sim.requests().iter().filter(|r| r.endpoint() == "report/integrated/get") {
        let metrics = r.query.get("metrics").cloned().unwrap_or_default();
        if r.query["report_type"] == "AUDIENCE" {
            assert!(!metrics.contains("web_event_add_to_cart"), "{metrics}");
        }
        if r.query["data_level"] == "AUCTION_CAMPAIGN" || r.query["data_level"] == "AUCTION_ADVERTISER" {
            assert!(!metrics.contains("\"conversion\""), "{metrics}");
        }
    }
    // The other metrics are the built-in stream's own, value for value.
    let before = h.read(&plain, &["ads_reports_daily"], Mode::FullRefresh, None);
    before.assert_success();
    let strip = |r: &Value| {
        let mut r = r.clone();
        r["metrics"].as_object_mut().unwrap().remove("web_event_add_to_cart");
        r.as_object_mut().unwrap().remove("_extracted_at");
        r
    };
    let key = |r: &Value| format!("{}|{}", r["ad_id"], r["stat_time_day"]);
    let mut a: Vec<Value> = run.records_of("ads_reports_daily").iter().map(strip).collect();
    let mut b: Vec<Value> = before.records_of("ads_reports_daily");
    a.sort_by_key(key);
    b.sort_by_key(key);
    assert_eq!(a, b);
    // check says which streams leave which metric out, and why.
    let check = h.run(&["check", "--config", &h.write("check.json", &config)]);
    let said = check_message(&check);
    assert!(said.contains("ads_audience_reports_daily leaves out web_event_add_to_cart: \"web_event_add_to_cart\" is a website conversion metric"), "{said}");
    assert!(
        said.contains("campaigns_reports_daily leaves out conversion: \"conversion\" is counted per optimisation goal"),
        "{said}"
    );
}

#[test]
fn each_metric_rule_is_refused_at_check_with_its_own_message_and_no_request() {
    let h = Harness::new("catalogue-rules", SimConfig::default());
    let mut country_filter = custom_report("a", "BASIC", "AUCTION_AD", "DAILY", &[], &["spend"]);
    country_filter["filters"] = json!([{"field_name": "country_code", "filter_value": ["US"]}]);
    let cases = [
        (custom_report("a", "AUDIENCE", "AUCTION_AD", "DAILY", &["age"], &["spend", "web_event_add_to_cart"]), "custom_reports[0].metrics: \"web_event_add_to_cart\" is a website conversion metric: TikTok gives website and TikTok legs (and paid engaged views) in BASIC reports only, not AUDIENCE"),
        (custom_report("a", "AUDIENCE", "AUCTION_AD", "DAILY", &["gender"], &["onsite_total_purchase"]), "\"onsite_total_purchase\" is a TikTok conversion metric"),
        (custom_report("a", "BASIC", "AUCTION_CAMPAIGN", "DAILY", &[], &["conversion"]), "custom_reports[0].metrics: \"conversion\" is counted per optimisation goal, which the ad groups of a campaign can mix: TikTok gives it at data_level AUCTION_ADGROUP or AUCTION_AD only, not AUCTION_CAMPAIGN"),
        (custom_report("a", "BASIC", "AUCTION_ADVERTISER", "DAILY", &[], &["cost_per_conversion"]), "not AUCTION_ADVERTISER"),
        (custom_report("a", "BASIC", "AUCTION_CAMPAIGN", "DAILY", &[], &["ad_name"]), "custom_reports[0].metrics: \"ad_name\" is an attribute of ads: TikTok gives it at data_level AUCTION_AD only, not AUCTION_CAMPAIGN"),
        // Go SDK comments: campaign_id at ad group and ad level, adgroup_id at ad level only.
        (custom_report("a", "BASIC", "AUCTION_CAMPAIGN", "DAILY", &[], &["spend", "campaign_id"]), "custom_reports[0].metrics: \"campaign_id\" is an attribute of ad groups: TikTok gives it at data_level AUCTION_ADGROUP or AUCTION_AD only, not AUCTION_CAMPAIGN"),
        (custom_report("a", "BASIC", "AUCTION_ADGROUP", "DAILY", &[], &["adgroup_id"]), "TikTok gives it at data_level AUCTION_AD only, not AUCTION_ADGROUP"),
        // DOC-AUD-DIM (R11): only the metrics it lists, with country_code and (the stricter
        // reading, no table for them) every other audience dimension.
        (custom_report("a", "AUDIENCE", "AUCTION_AD", "DAILY", &["country_code"], &["spend", "reach"]), "custom_reports[0].metrics: \"reach\" is not among the metrics TikTok lists for AUDIENCE reports (\"Supported metrics for a dimension in audience reports\"): BASIC reports only"),
        (custom_report("a", "AUDIENCE", "AUCTION_ADGROUP", "DAILY", &["age"], &["app_install"]), "\"app_install\" is not among the metrics TikTok lists for AUDIENCE reports"),
        (custom_report("a", "BASIC", "AUCTION_ADVERTISER", "LIFETIME", &[], &["cash_spend"]), "custom_reports[0].metrics: TikTok gives cash_spend for AUCTION_ADVERTISER DAILY reports only (not HOURLY, not LIFETIME)"),
        (custom_report("a", "BASIC", "AUCTION_AD", "HOURLY", &[], &["total_purchase"]), "with one id dimension and at most stat_time_day (DAILY or LIFETIME, no breakdowns), not in HOURLY reports"),
        (custom_report("a", "AUDIENCE", "AUCTION_AD", "DAILY", &["platform", "age"], &["spend"]), "custom_reports[0].dimensions: TikTok's AUDIENCE reports break rows down by one audience dimension, or by age with gender, not by platform and age"),
        (country_filter, "custom_reports[0].filters[0]: TikTok filters on country_code only in reports broken down by it; add \"country_code\" to dimensions"),
    ];
    for (report, why) in cases {
        let config = h.config().days(2).rps(200).custom_reports(&[report]).build();
        for command in ["check", "discover"] {
            let (kind, message) = h.run(&[command, "--config", &h.write("bad.json", &config)]).failure();
            assert_eq!(kind, "config_error");
            assert!(message.contains(why), "{command}: {message}");
        }
    }
    let config = h.config().days(2).rps(200).additional_metrics(&["spend", "joy"]).build();
    let (_, message) = h.run(&["check", "--config", &h.write("bad.json", &config)]).failure();
    assert!(message.starts_with("additional_metrics[1]: \"joy\" is not in the metric catalogue"), "{message}");
    assert!(h.sim.requests().is_empty(), "a request was sent for a config TikTok would refuse");
}

#[test]
fn a_name_the_catalogue_does_not_know_is_asked_of_tiktok_at_check() {
    let h = Harness::new("catalogue-unknown", SimConfig::default());
    let unknown = custom_report("a", "BASIC", "AUCTION_AD", "DAILY", &[], &["spend", "shipped_tomorrow"]);
    let mut config = h.config().days(2).rps(200).custom_reports(&[unknown]).build();
    let (kind, message) = h.run(&["check", "--config", &h.write("unknown.json", &config)]).failure();
    assert_eq!(kind, "config_error");
    assert!(message.starts_with("custom_reports[0].metrics: TikTok refuses the report with shipped_tomorrow: report/integrated/get/: TikTok error 40002: Please correct the information in invalid metric fields and try again. Invalid metric fields: ['shipped_tomorrow']."), "{message}");
    let asked = h.requests_to("report/integrated/get");
    assert_eq!(asked.len(), 1, "one query");
    assert_eq!(asked[0].query["start_date"], asked[0].query["end_date"], "of one day");
    // discover takes it, typed as a decimal until the catalogue knows it.
    let catalog = h.discover(&config);
    let stream = catalog["streams"].as_array().unwrap().iter().find(|s| s["name"] == "a").unwrap();
    assert_eq!(
        stream["json_schema"]["properties"]["metrics"]["properties"]["shipped_tomorrow"]["type"],
        json!(["null", "number"])
    );
    // A known custom report makes check ask nothing more than before.
    config["custom_reports"] =
        json!([custom_report("a", "BASIC", "AUCTION_AD", "DAILY", &[], &["spend", "web_event_add_to_cart"])]);
    h.sim.clear_requests();
    h.run(&["check", "--config", &h.write("known.json", &config)]).assert_success();
    assert!(h.sim.requests().iter().all(|r| r.endpoint() != "report/integrated/get"));
}

#[test]
fn the_simulator_knows_the_catalogue_and_refuses_where_tiktok_does() {
    let h = Harness::new("catalogue-sim", SimConfig::default());
    let spec = h.run(&["spec"]);
    let listed = &spec.of_type("SPEC")[0]["spec"]["connectionSpecification"]["properties"]["additional_metrics"]
        ["items"]["enum"];
    let mut ours: Vec<&str> = listed.as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    let mut sims: Vec<&str> = tiktok_sim::metrics::METRICS.iter().map(|(m, ..)| *m).collect();
    ours.sort_unstable();
    sims.sort_unstable();
    assert_eq!(ours, sims, "the connector's catalogue and the simulator's table name the same metrics");
    let advertiser = h.sim.account().advertisers[0].id.clone();
    let day = days_ago(1).to_string();
    let ask = |report_type: &str, level: &str, dimensions: Value, metrics: Value| {
        sim_report(
            &h.sim,
            &[
                ("advertiser_id", advertiser.clone()),
                ("report_type", report_type.into()),
                ("data_level", level.into()),
                ("dimensions", dimensions.to_string()),
                ("metrics", metrics.to_string()),
                ("start_date", day.clone()),
                ("end_date", day.clone()),
            ],
        )
    };
    let refused = ask(
        "AUDIENCE",
        "AUCTION_AD",
        json!(["ad_id", "stat_time_day", "age"]),
        json!(["spend", "web_event_add_to_cart", "onsite_form"]),
    );
    assert_eq!(refused["code"], 40002);
    assert_eq!(refused["message"], "Please correct the information in invalid metric fields and try again. Invalid metric fields: ['web_event_add_to_cart', 'onsite_form'].");
    let refused = ask(
        "BASIC",
        "AUCTION_CAMPAIGN",
        json!(["campaign_id", "stat_time_day"]),
        json!(["conversion", "conversion_rate"]),
    );
    assert_eq!(refused["message"], "Please correct the information in invalid metric fields and try again. Invalid metric fields: ['conversion', 'conversion_rate'].");
    // DOC-AUD-DIM: an audience report takes what it lists (and attributes), and nothing else.
    let listed = json!(["spend", "conversion", "result", "likes", "total_landing_page_view", "campaign_name"]);
    for breakdown in ["country_code", "age"] {
        let answer = ask("AUDIENCE", "AUCTION_AD", json!(["ad_id", "stat_time_day", breakdown]), listed.clone());
        assert_eq!(answer["code"], 0, "{breakdown}: {answer}");
        let refused = ask(
            "AUDIENCE",
            "AUCTION_AD",
            json!(["ad_id", "stat_time_day", breakdown]),
            json!(["spend", "reach", "frequency", "app_install", "engaged_view"]),
        );
        assert_eq!(refused["message"], "Please correct the information in invalid metric fields and try again. Invalid metric fields: ['reach', 'frequency', 'app_install', 'engaged_view'].");
    }
    // Go SDK comments: campaign_id from the ad group down, adgroup_id at the ad only.
    let refused = ask("BASIC", "AUCTION_CAMPAIGN", json!(["campaign_id", "stat_time_day"]), json!(["campaign_id"]));
    assert_eq!(refused["code"], 40002);
    let refused = ask("BASIC", "AUCTION_ADGROUP", json!(["adgroup_id", "stat_time_day"]), json!(["adgroup_id"]));
    assert_eq!(refused["code"], 40002);
    let conflict =
        ask("AUDIENCE", "AUCTION_AD", json!(["ad_id", "stat_time_day", "platform", "age"]), json!(["spend"]));
    assert_eq!(conflict["code"], 40002);
    let every: Vec<&str> = tiktok_sim::metrics::METRICS
        .iter()
        .map(|(m, ..)| *m)
        .filter(|m| !["cash_spend", "voucher_spend"].contains(m))
        .collect();
    for chunk in every.chunks(100) {
        let answer = ask("BASIC", "AUCTION_AD", json!(["ad_id", "stat_time_day"]), json!(chunk));
        assert_eq!(answer["code"], 0, "{answer}");
        let row = &answer["data"]["list"][0]["metrics"];
        assert!(chunk.iter().all(|m| row[*m].is_string()), "a value for every metric: {row}");
    }
}

#[test]
fn audience_streams_leave_out_what_doc_aud_dim_does_not_list_and_unique_counts_where_windows_are_summed() {
    let h = Harness::new("catalogue-audience", SimConfig::default());
    let config = h.config().days(2).rps(200).additional_metrics(&["reach", "result"]).build();
    let check = h.run(&["check", "--config", &h.write("check.json", &config)]);
    let said = check_message(&check);
    // R11: reach is not in DOC-AUD-DIM's tables; results are (synchronous reports).
    assert!(said.contains("ads_audience_reports_daily leaves out reach: \"reach\" is not among the metrics TikTok lists for AUDIENCE reports"), "{said}");
    assert!(!said.contains("ads_audience_reports_daily leaves out result"), "{said}");
    // R12: a lifetime audience report is summed from year windows, where unique counts do not add up.
    assert!(
        said.contains("advertisers_audience_reports_lifetime leaves out result: \"result\" counts unique users"),
        "{said}"
    );
    let catalog = h.discover(&config);
    let metrics_of = |name: &str| {
        let stream = catalog["streams"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap();
        stream["json_schema"]["properties"]["metrics"]["properties"].clone()
    };
    assert!(metrics_of("ads_audience_reports_daily").get("result").is_some());
    assert!(metrics_of("ads_audience_reports_daily").get("reach").is_none());
    assert!(metrics_of("advertisers_audience_reports_lifetime").get("result").is_none());
    assert!(metrics_of("advertisers_reports_lifetime").get("result").is_some(), "one lifetime query: no sum");
}
