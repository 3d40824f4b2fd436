//! The simulator itself: its command line, and state that belongs to one instance.

use std::process::Command;

use chrono::{Duration, NaiveDate};
use harness::{days_ago, http, today, workspace_root};
use serde_json::{json, Value};
use tiktok_sim::{SimConfig, Simulator};

fn sim_binary() -> std::path::PathBuf {
    workspace_root().join("target/release/tiktok-sim")
}

/// One exchange with a simulator: (status line, body).
fn call(sim: &Simulator, method: &str, path_and_query: &str, body: &str) -> (String, Vec<u8>) {
    let answer = http::call(sim, method, path_and_query, body);
    (answer.status_line, answer.body)
}

/// TikTok's answer to a synchronous report of the first advertiser: `report_type` rows at
/// `data_level` by `dimensions`, with `more` parameters (dates, metrics, filtering).
fn report(sim: &Simulator, report_type: &str, data_level: &str, dimensions: &[&str], more: &[(&str, String)]) -> Value {
    let mut params = vec![
        ("advertiser_id", sim.account().advertisers[0].id.clone()),
        ("report_type", report_type.to_string()),
        ("data_level", data_level.to_string()),
        ("dimensions", json!(dimensions).to_string()),
    ];
    params.extend_from_slice(more);
    http::get(sim, "report/integrated/get", &params).json()
}

/// The `start_date` and `end_date` parameters of a report.
fn dates(start: NaiveDate, end: NaiveDate) -> [(&'static str, String); 2] {
    [("start_date", start.to_string()), ("end_date", end.to_string())]
}

#[test]
fn the_command_line_validates_its_numbers_and_help_succeeds() {
    let bad = Command::new(sim_binary()).args(["--port", "70000"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("70000"), "the error names the bad value");
    let bad = Command::new(sim_binary()).args(["--fault-rate", "1.5"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let help = Command::new(sim_binary()).arg("--help").output().unwrap();
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("--latency-ms"));
}

#[test]
fn report_tasks_belong_to_the_simulator_that_created_them_and_download_as_csv_with_a_bom() {
    let a = Simulator::start(SimConfig::default());
    let b = Simulator::start(SimConfig::default());
    let advertiser = a.account().advertisers[0].id.clone();
    let today = today();
    let body = json!({
        "advertiser_id": advertiser, "report_type": "BASIC", "data_level": "AUCTION_AD",
        "dimensions": ["ad_id", "stat_time_day"], "metrics": ["spend", "ad_text"],
        "start_date": (today - Duration::days(3)).to_string(), "end_date": today.to_string(),
        "enable_report_title_translation": false,
    });
    let (_, created) = call(&a, "POST", "report/task/create/", &body.to_string());
    let created: Value = serde_json::from_slice(&created).unwrap();
    let task_id = created["data"]["task_id"].as_str().expect("a task id").to_string();
    let query = format!("advertiser_id={advertiser}&task_id={task_id}");
    let (_, unknown) = call(&b, "GET", &format!("report/task/check/?{query}"), "");
    assert_eq!(serde_json::from_slice::<Value>(&unknown).unwrap()["code"], 40007, "another simulator saw the task");
    for _ in 0..3 {
        call(&a, "GET", &format!("report/task/check/?{query}"), "");
    }
    let (status, csv) = call(&a, "GET", &format!("report/task/download/?{query}"), "");
    assert!(status.contains("200"), "{status}");
    assert!(csv.starts_with("\u{feff}".as_bytes()), "no byte order mark");
    let mut reader = csv::Reader::from_reader(&csv[3..]);
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), ["ad_id", "stat_time_day", "ad_text", "spend"]);
    let texts: Vec<String> = reader.records().map(|r| r.unwrap()[2].to_string()).collect();
    assert!(
        texts.iter().any(|t| t.contains(',') && t.contains('"') && t.contains('\n')),
        "no cell needs quoting: {texts:?}"
    );
}

#[test]
fn a_request_that_timed_out_three_times_is_blocked_and_the_task_api_is_strict() {
    let mut config = SimConfig::default();
    config.limits.timeout_days = Some(1);
    let sim = Simulator::start(config);
    let advertiser = sim.account().advertisers[0].id.clone();
    let today = today();
    let ads = || {
        report(&sim, "BASIC", "AUCTION_AD", &["ad_id", "stat_time_day"], &dates(today - Duration::days(2), today))
            ["code"]
            .clone()
    };
    for _ in 0..3 {
        assert_eq!(ads(), 51001);
    }
    assert_eq!(ads(), 40100, "the fourth try is blocked");
    let code = |sim: &Simulator, method: &str, path: &str, body: &str| {
        serde_json::from_slice::<Value>(&call(sim, method, path, body).1).unwrap()["code"].clone()
    };
    // The task API takes no status filter, and no reach metrics with audience dimensions.
    let task = |extra: Value| {
        let mut body = json!({"advertiser_id": advertiser, "report_type": "AUDIENCE", "data_level": "AUCTION_AD",
            "dimensions": ["ad_id", "stat_time_day", "gender"], "metrics": ["spend"],
            "start_date": today.to_string(), "end_date": today.to_string()});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        std::thread::sleep(std::time::Duration::from_millis(1100)); // one creation a second
        code(&sim, "POST", "report/task/create/", &body.to_string())
    };
    assert_eq!(task(json!({})), 0);
    assert_eq!(
        task(
            json!({"filtering": [{"field_name": "ad_status", "filter_type": "IN", "filter_value": "[\"STATUS_ALL\"]"}]})
        ),
        40002
    );
    assert_eq!(task(json!({"metrics": ["spend", "reach"]})), 40002);
}

#[test]
fn only_a_queuing_or_processing_task_can_be_canceled_and_report_id_filters_hold_one_to_100_string_ids() {
    let sim = Simulator::start(SimConfig::default());
    let advertiser = sim.account().advertisers[0].id.clone();
    let today = today();
    let answer = |method: &str, path: &str, body: &str| {
        serde_json::from_slice::<Value>(&call(&sim, method, path, body).1).unwrap()
    };
    let create = || {
        std::thread::sleep(std::time::Duration::from_millis(1100)); // one creation a second
        let body = json!({"advertiser_id": advertiser, "report_type": "BASIC", "data_level": "AUCTION_AD",
            "dimensions": ["ad_id", "stat_time_day"], "metrics": ["spend"], "start_date": today.to_string(), "end_date": today.to_string()});
        answer("POST", "report/task/create/", &body.to_string())["data"]["task_id"].as_str().unwrap().to_string()
    };
    let cancel = |task: &str| {
        answer("POST", "report/task/cancel/", &json!({"advertiser_id": advertiser, "task_id": task}).to_string())
    };
    let queued = create();
    assert_eq!(cancel(&queued)["data"]["status"], "CANCELED");
    assert_eq!(cancel(&queued)["code"], 40002, "a canceled task canceled again");
    let finished = create();
    for _ in 0..3 {
        answer("GET", &format!("report/task/check/?advertiser_id={advertiser}&task_id={finished}"), "");
    }
    assert_eq!(cancel(&finished)["code"], 40002, "a finished task canceled");

    let filtered = |filter_value: &str| {
        let filtering =
            json!([{"field_name": "campaign_ids", "filter_type": "IN", "filter_value": filter_value}]).to_string();
        let [start, end] = dates(today, today);
        report(&sim, "BASIC", "AUCTION_AD", &["ad_id", "stat_time_day"], &[start, end, ("filtering", filtering)])
            ["code"]
            .clone()
    };
    let campaign = sim
        .account()
        .entities
        .iter()
        .find(|e| e.level == tiktok_sim::Level::Campaign && e.advertiser_id == advertiser)
        .unwrap()
        .id
        .clone();
    assert_eq!(filtered(&format!("[\"{campaign}\"]")), 0);
    assert_eq!(filtered("[]"), 40002, "an empty id list");
    assert_eq!(filtered(&format!("[\"{campaign}\", 17]")), 40002, "an id that is not a string");
}

#[test]
fn many_timeouts_in_ten_seconds_lower_the_apps_qps_for_a_while() {
    let mut config = SimConfig::default();
    config.limits.timeout_days = Some(1);
    config.limits.lowered_qps_seconds = 2;
    let sim = Simulator::start(config);
    let today = today();
    let ads = |start, end| {
        report(&sim, "BASIC", "AUCTION_AD", &["ad_id", "stat_time_day"], &dates(start, end))["code"].clone()
    };
    let one_day = |n: i64| ads(today - Duration::days(n), today - Duration::days(n));
    // Nine different timing-out queries: nothing lowered yet.
    for n in 0..9 {
        assert_eq!(ads(today - Duration::days(n + 2), today - Duration::days(n)), 51001);
    }
    assert!((0..8).all(|n| one_day(n) == 0), "lowered after nine timeouts");
    // The tenth lowers the app to 5 requests a second.
    assert_eq!(ads(today - Duration::days(20), today - Duration::days(18)), 51001);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let codes: Vec<Value> = (0..8).map(one_day).collect();
    assert_eq!(codes.iter().filter(|c| **c == 0).count(), 5, "{codes:?}");
    assert!(codes.iter().all(|c| *c == 0 || *c == 40100), "{codes:?}");
    // Until the penalty ends.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    assert!((0..8).all(|n| one_day(n) == 0), "still lowered after the penalty");
}

#[test]
fn an_audience_report_breaks_down_by_one_audience_dimension_or_by_age_with_gender() {
    let sim = Simulator::start(SimConfig::default());
    let day = days_ago(1);
    let code =
        |dimensions: &[&str]| report(&sim, "AUDIENCE", "AUCTION_AD", dimensions, &dates(day, day))["code"].clone();
    assert_eq!(code(&["ad_id", "stat_time_day", "gender"]), 0);
    assert_eq!(code(&["ad_id", "stat_time_day", "age", "gender"]), 0);
    assert_eq!(code(&["ad_id", "stat_time_day", "gender", "country_code"]), 40002);
    assert_eq!(code(&["ad_id", "stat_time_day", "platform", "language"]), 40002);
}

#[test]
fn a_country_filter_needs_the_country_dimension() {
    let sim = Simulator::start(SimConfig::default());
    let [start, end] = dates(days_ago(1), days_ago(1));
    let filtering = json!([{"field_name": "country_code", "filter_type": "IN", "filter_value": "[\"US\"]"}]);
    let more = [start, end, ("filtering", filtering.to_string())];
    let code = |dimensions: &[&str]| report(&sim, "BASIC", "AUCTION_AD", dimensions, &more)["code"].clone();
    assert_eq!(code(&["ad_id", "stat_time_day", "country_code"]), 0);
    assert_eq!(code(&["ad_id", "stat_time_day"]), 40002);
}

/// The code and message of a synchronous report asking `metrics` at `data_level`, daily unless
/// `time` says otherwise ("stat_time_hour", "lifetime" or "" for period totals).
fn metric_refusal(sim: &Simulator, data_level: &str, time: &str, metrics: &[&str]) -> (Value, String) {
    let day = days_ago(1);
    let id = match data_level {
        "AUCTION_ADVERTISER" => "advertiser_id",
        "AUCTION_CAMPAIGN" => "campaign_id",
        "AUCTION_ADGROUP" => "adgroup_id",
        _ => "ad_id",
    };
    let dimensions: &[&str] = match time {
        "stat_time_day" | "stat_time_hour" => &[id, time],
        _ => &[id],
    };
    let mut more = vec![("metrics", json!(metrics).to_string())];
    match time {
        "lifetime" => more.push(("query_lifetime", "true".into())),
        _ => more.extend(dates(day, day)),
    }
    let answer = report(sim, "BASIC", data_level, dimensions, &more);
    (answer["code"].clone(), answer["message"].as_str().unwrap_or_default().to_string())
}

const INVALID_METRICS: &str =
    "Please correct the information in invalid metric fields and try again. Invalid metric fields: ";

#[test]
fn cash_and_voucher_spend_are_advertiser_level_and_daily_only() {
    let sim = Simulator::start(SimConfig::default());
    let both = ["spend", "voucher_spend", "cash_spend"];
    assert_eq!(metric_refusal(&sim, "AUCTION_ADVERTISER", "stat_time_day", &both).0, 0);
    let refused = (json!(40002), format!("{INVALID_METRICS}['voucher_spend', 'cash_spend']."));
    for (level, time) in [
        ("AUCTION_ADVERTISER", "stat_time_hour"),
        ("AUCTION_ADVERTISER", "lifetime"),
        ("AUCTION_ADVERTISER", ""),
        ("AUCTION_CAMPAIGN", "stat_time_day"),
        ("AUCTION_AD", "stat_time_day"),
    ] {
        assert_eq!(metric_refusal(&sim, level, time, &both), refused, "{level} {time}");
    }
    assert_eq!(
        metric_refusal(&sim, "AUCTION_ADVERTISER", "stat_time_hour", &["cash_spend"]).1,
        format!("{INVALID_METRICS}['cash_spend'].")
    );
}

#[test]
fn an_attribute_metric_above_its_level_is_refused_not_answered_with_a_dash() {
    let sim = Simulator::start(SimConfig::default());
    // (data level, attributes refused there, attributes it has)
    let cases: &[(&str, &[&str], &[&str])] = &[
        ("AUCTION_ADVERTISER", &["campaign_name", "campaign_id", "adgroup_name", "ad_name"], &["currency"]),
        (
            "AUCTION_CAMPAIGN",
            &["campaign_id", "adgroup_name", "adgroup_id", "placement_type", "promotion_type", "ad_text"],
            &["campaign_name", "objective_type"],
        ),
        (
            "AUCTION_ADGROUP",
            &["adgroup_id", "ad_name", "ad_text"],
            &["campaign_name", "campaign_id", "adgroup_name", "placement_type", "tt_app_id"],
        ),
        ("AUCTION_AD", &[], &["campaign_id", "adgroup_id", "ad_name", "ad_text", "dpa_target_audience_type"]),
    ];
    for (level, refused, allowed) in cases {
        assert_eq!(metric_refusal(&sim, level, "stat_time_day", allowed).0, 0, "{level}: {allowed:?}");
        for time in ["stat_time_day", "stat_time_hour", "lifetime"] {
            for m in *refused {
                let expected = (json!(40002), format!("{INVALID_METRICS}['{m}']."));
                assert_eq!(metric_refusal(&sim, level, time, &["spend", m]), expected, "{level} {time}");
            }
        }
    }
    // Every offending name is listed, in the order asked.
    let (code, message) =
        metric_refusal(&sim, "AUCTION_CAMPAIGN", "stat_time_day", &["ad_name", "spend", "adgroup_id", "cash_spend"]);
    assert_eq!((code, message), (json!(40002), format!("{INVALID_METRICS}['ad_name', 'adgroup_id', 'cash_spend'].")));
}

#[test]
fn creative_asset_lists_refuse_past_tiktoks_caps_and_list_only_the_first_10000_images() {
    let mut config = SimConfig::default();
    config.account.size.advertisers = 1;
    config.account.size.assets_per_kind = 3_400; // 10,200 images
    let sim = Simulator::start(config);
    let advertiser = sim.account().advertisers[0].id.clone();
    let get = |path: &str| -> Value {
        let sep = if path.contains('?') { '&' } else { '?' };
        serde_json::from_slice(&call(&sim, "GET", &format!("{path}{sep}advertiser_id={advertiser}"), "").1).unwrap()
    };
    let refused = |path: &str, message: &str| {
        let answer = get(path);
        assert_eq!((answer["code"].clone(), answer["message"].as_str().unwrap()), (json!(40002), message), "{path}");
    };
    // Page sizes (tiktok-api.md §2): images 100, videos 1000 (the SDK says 100; see §12).
    refused(
        "file/image/ad/search/?page_size=101",
        "page_size: Must be greater than or equal to 1 and less than or equal to 100.",
    );
    assert_eq!(get("file/video/ad/search/?page_size=1000")["code"], 0);
    refused(
        "file/video/ad/search/?page_size=1001",
        "page_size: Must be greater than or equal to 1 and less than or equal to 1000.",
    );
    // Id lists in filtering: at most 100 (§3.8-3.12).
    let ids = |n: usize| json!((0..n).map(|i| i.to_string()).collect::<Vec<_>>());
    for (endpoint, key) in [
        ("file/image/ad/search", "image_ids"),
        ("file/image/ad/search", "material_ids"),
        ("file/video/ad/search", "video_ids"),
        ("file/music/get", "music_ids"),
        ("creative/portfolio/list", "creative_portfolio_ids"),
    ] {
        let filtering = |n: usize| http::encode(&json!({key: ids(n)}).to_string());
        assert_eq!(get(&format!("{endpoint}/?filtering={}", filtering(100)))["code"], 0, "{endpoint} {key}");
        refused(
            &format!("{endpoint}/?filtering={}", filtering(101)),
            &format!("filtering.{key}: Length must be between 0 and 100."),
        );
    }
    refused(
        &format!("dmp/custom_audience/list/?custom_audience_ids={}", http::encode(&ids(101).to_string())),
        "custom_audience_ids: Length must be between 1 and 100.",
    );
    // Images: the list and its page_info end at the first 10,000.
    let last = get("file/image/ad/search/?page_size=100&page=100");
    assert_eq!(last["data"]["list"].as_array().unwrap().len(), 100);
    assert_eq!(last["data"]["page_info"]["total_number"], 10_000);
    assert!(get("file/image/ad/search/?page_size=100&page=101")["data"]["list"].as_array().unwrap().is_empty());
}
