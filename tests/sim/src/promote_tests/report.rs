//! Promote rows in reports (tiktok-api.md §15 R6): the synchronous report leaves them out
//! unless `campaign_system_origins` names PROMOTE; a task file holds them, and a task refuses
//! the filter (§4.9).

use std::collections::BTreeMap;

use chrono::Duration;
use serde_json::{json, Value};

use super::{ids_of, p, Sim};
use crate::config::ThrottleHeader;
use crate::data::Level;

/// A row's key (id, day) and its spend in cents.
type Rows = BTreeMap<(String, String), i64>;

fn cents(spend: &str) -> i64 {
    (spend.parse::<f64>().unwrap() * 100.0).round() as i64
}

fn origins_filter(origins: &[&str]) -> Value {
    let value = serde_json::to_string(origins).unwrap();
    json!([{"field_name": "campaign_system_origins", "filter_type": "IN", "filter_value": value}])
}

/// The days of every report here: a week ending two days ago.
fn window() -> (String, String) {
    let today = chrono::Utc::now().date_naive();
    ((today - Duration::days(8)).to_string(), (today - Duration::days(2)).to_string())
}

fn report_params(sim: &Sim, data_level: &str, id: &str, filtering: Option<Value>) -> Vec<(&'static str, String)> {
    let (start, end) = window();
    let mut params = vec![
        p("advertiser_id", sim.advertiser()),
        p("report_type", "BASIC"),
        p("data_level", data_level),
        p("dimensions", json!([id, "stat_time_day"])),
        p("metrics", json!(["spend"])),
        p("start_date", start),
        p("end_date", end),
        p("page", 1),
        p("page_size", 1000),
    ];
    params.extend(filtering.map(|f| p("filtering", f)));
    params
}

/// A synchronous report's rows, with the `X-Tt-Ads-Throttle` header if one came.
fn sync_rows(sim: &Sim, data_level: &str, id: &str, filtering: Option<Value>) -> (Rows, Option<String>) {
    let reply = sim.send("GET", "report/integrated/get", &report_params(sim, data_level, id, filtering));
    let answer: Value = serde_json::from_slice(&reply.body).unwrap();
    assert_eq!(answer["code"], 0, "{answer}");
    assert_eq!(answer["data"]["page_info"]["total_page"], 1);
    let rows = answer["data"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let key = (r["dimensions"][id].as_str().unwrap().to_string(), r["dimensions"]["stat_time_day"].to_string());
            (key, cents(r["metrics"]["spend"].as_str().unwrap()))
        })
        .collect();
    let header = reply.headers.iter().find(|(k, _)| k == "X-Tt-Ads-Throttle").map(|(_, v)| v.clone());
    (rows, header)
}

/// A task's file, created, checked to SUCCESS and downloaded, as rows.
fn task_rows(sim: &Sim, data_level: &str, id: &str) -> Rows {
    let adv = sim.advertiser();
    let mut params = report_params(sim, data_level, id, None);
    params.retain(|(k, _)| *k != "page" && *k != "page_size");
    params.push(p("enable_report_title_translation", false));
    let created = sim.envelope("POST", "report/task/create", &params);
    assert_eq!(created["code"], 0, "{created}");
    let task = p("task_id", created["data"]["task_id"].as_str().unwrap());
    for _ in 0..2 {
        sim.envelope("GET", "report/task/check", &[p("advertiser_id", &adv), task.clone()]);
    }
    let file = sim.send("GET", "report/task/download", &[p("advertiser_id", &adv), task]).body;
    let text = String::from_utf8(file).unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (i, day, spend) = (column(id), column("stat_time_day"), column("spend"));
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            ((r[i].to_string(), json!(r[day]).to_string()), cents(&r[spend]))
        })
        .collect()
}

fn of_ids(rows: &Rows, ids: &[String]) -> Rows {
    rows.iter().filter(|((id, _), _)| ids.contains(id)).map(|(k, v)| (k.clone(), *v)).collect()
}

const LEVELS: [(&str, &str, Level); 3] = [
    ("AUCTION_CAMPAIGN", "campaign_id", Level::Campaign),
    ("AUCTION_ADGROUP", "adgroup_id", Level::AdGroup),
    ("AUCTION_AD", "ad_id", Level::Ad),
];

#[test]
fn synchronous_rows_leave_promote_out_unless_the_filter_names_it() {
    let sim = Sim::new(|_| {});
    let (account, adv) = (sim.account(), sim.advertiser());
    for (data_level, id, level) in LEVELS {
        let promote = ids_of(&account, &adv, level, true);
        let (default, _) = sync_rows(&sim, data_level, id, None);
        let (platform, _) = sync_rows(&sim, data_level, id, Some(origins_filter(&["TT_ADS_PLATFORM"])));
        let (only, _) = sync_rows(&sim, data_level, id, Some(origins_filter(&["PROMOTE"])));
        let (both, _) = sync_rows(&sim, data_level, id, Some(origins_filter(&["TT_ADS_PLATFORM", "PROMOTE"])));
        assert!(!default.is_empty() && of_ids(&default, &promote).is_empty(), "{data_level}");
        assert_eq!(platform, default, "{data_level}");
        // Every Promote object delivers in the window.
        let delivering: std::collections::BTreeSet<&String> = only.keys().map(|(id, _)| id).collect();
        assert_eq!(delivering.len(), promote.len(), "{data_level}");
        assert_eq!(of_ids(&only, &promote), only, "{data_level}: only Promote rows");
        let mut expected = default.clone();
        expected.extend(only.clone());
        assert_eq!(both, expected, "{data_level}");
    }
}

#[test]
fn advertiser_totals_differ_by_exactly_the_promote_rows() {
    let sim = Sim::new(|_| {});
    let (default, _) = sync_rows(&sim, "AUCTION_ADVERTISER", "advertiser_id", None);
    let (both, _) =
        sync_rows(&sim, "AUCTION_ADVERTISER", "advertiser_id", Some(origins_filter(&["TT_ADS_PLATFORM", "PROMOTE"])));
    let (promote_campaigns, _) = sync_rows(&sim, "AUCTION_CAMPAIGN", "campaign_id", Some(origins_filter(&["PROMOTE"])));
    assert_eq!(default.len(), 7);
    assert_eq!(both.keys().collect::<Vec<_>>(), default.keys().collect::<Vec<_>>());
    for ((adv, day), spend) in &default {
        let promote: i64 = promote_campaigns.iter().filter(|((_, d), _)| d == day).map(|(_, s)| s).sum();
        assert!(promote > 0, "{day}");
        assert_eq!(both[&(adv.clone(), day.clone())] - spend, promote, "{day}");
    }
    // By default the advertiser's rows are those of an account without Promote campaigns.
    let without = Sim::new(|c| c.account.size.promote_campaigns_per_advertiser = 0);
    assert_eq!(sync_rows(&without, "AUCTION_ADVERTISER", "advertiser_id", None).0, default);
}

#[test]
fn task_files_hold_promote_rows_at_every_level_as_the_filtered_synchronous_report_does() {
    let sim = Sim::new(|_| {});
    let (account, adv) = (sim.account(), sim.advertiser());
    let both = || Some(origins_filter(&["TT_ADS_PLATFORM", "PROMOTE"]));
    let mut levels = vec![("AUCTION_ADVERTISER", "advertiser_id", None)];
    levels.extend(LEVELS.map(|(data_level, id, level)| (data_level, id, Some(level))));
    for (k, (data_level, id, level)) in levels.into_iter().enumerate() {
        if k > 0 {
            // TikTok takes one task creation a second per app (§6).
            std::thread::sleep(std::time::Duration::from_millis(1100));
        }
        let task = task_rows(&sim, data_level, id);
        assert_eq!(task, sync_rows(&sim, data_level, id, both()).0, "{data_level}");
        assert_ne!(task, sync_rows(&sim, data_level, id, None).0, "{data_level}");
        if let Some(level) = level {
            let promote = ids_of(&account, &adv, level, true);
            assert!(!of_ids(&task, &promote).is_empty(), "{data_level}");
        }
    }
}

#[test]
fn a_task_with_a_campaign_system_origins_filter_is_refused_with_40002() {
    for origins in [&["PROMOTE"][..], &["TT_ADS_PLATFORM"], &["TT_ADS_PLATFORM", "PROMOTE"]] {
        // A simulator each: a refused creation still counts toward the one a second (§6).
        let sim = Sim::new(|_| {});
        let mut params = report_params(&sim, "AUCTION_AD", "ad_id", Some(origins_filter(origins)));
        params.retain(|(k, _)| *k != "page" && *k != "page_size");
        let answer = sim.envelope("POST", "report/task/create", &params);
        assert_eq!(answer["code"], 40002, "{origins:?}: {answer}");
    }
    // The synchronous report takes it, and refuses an unknown origin or another filter type.
    let sim = Sim::new(|_| {});
    for (filter_type, origin) in [("IN", "ORGANIC"), ("NOT_IN", "PROMOTE")] {
        let filtering = json!([{"field_name": "campaign_system_origins", "filter_type": filter_type,
            "filter_value": json!([origin]).to_string()}]);
        let params = report_params(&sim, "AUCTION_AD", "ad_id", Some(filtering));
        assert_eq!(sim.envelope("GET", "report/integrated/get", &params)["code"], 40002, "{filter_type} {origin}");
    }
}

#[test]
fn promote_ads_count_toward_truncation_when_the_query_reports_them() {
    // The first advertiser: 3 campaigns × 2 ad groups × 2 ads = 12 regular ads, 4 Promote ones.
    for reading in [ThrottleHeader::FilteredScope, ThrottleHeader::WholeAccount] {
        let sim = Sim::new(|c| {
            c.limits.ads_throttle_threshold = 14;
            c.readings.throttle_header = reading;
        });
        let (default, header) = sync_rows(&sim, "AUCTION_AD", "ad_id", None);
        // The whole account holds 16 ads: under that reading the header comes, rows whole.
        assert_eq!(header.is_some(), reading == ThrottleHeader::WholeAccount, "{reading:?}");
        let (with_promote, header) =
            sync_rows(&sim, "AUCTION_AD", "ad_id", Some(origins_filter(&["TT_ADS_PLATFORM", "PROMOTE"])));
        assert!(header.is_some(), "{reading:?}: 16 ads in scope");
        let ads = |rows: &Rows| rows.keys().map(|(id, _)| id.clone()).collect::<std::collections::BTreeSet<_>>();
        let regular = ads(&default).len();
        // Truncated to the 14 newest (deleted ones among them are then left out): fewer ads than
        // the default scope's plus the 4 Promote ones.
        assert!(ads(&with_promote).len() < regular + 4, "{reading:?}");
        let (_, header) = sync_rows(&sim, "AUCTION_AD", "ad_id", Some(origins_filter(&["PROMOTE"])));
        assert_eq!(header.is_some(), reading == ThrottleHeader::WholeAccount, "{reading:?}: 4 ads in scope");
    }
}
