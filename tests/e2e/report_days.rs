//! Which days a report asks for: windows of at most the configured days, the attribution
//! window re-read, and each advertiser's own today (and its time zone only when needed).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Duration, NaiveDate, Utc};
use harness::*;
use serde_json::{json, Value};
use tiktok_sim::SimConfig;

#[test]
fn daily_windows_span_at_most_the_configured_days_and_cover_every_day_once() {
    let h = Harness::new("reports-windows", SimConfig::default());
    let config = h.config().days(75).rps(200).report_window_days(20).build();
    let run = h.read(&config, &["campaigns_reports_daily"], Mode::FullRefresh, None);
    run.assert_success();
    let advertisers = h.sim.account().advertisers.len();
    let mut covered: BTreeMap<String, BTreeSet<NaiveDate>> = BTreeMap::new();
    // The stream's own requests (not the advertiser-level probes of skip_inactive_days).
    for r in h.requests_to("report/integrated/get").iter().filter(|r| r.query["data_level"] == "AUCTION_CAMPAIGN") {
        let (start, end) = (query_date(r, "start_date"), query_date(r, "end_date"));
        assert!((end - start).num_days() < 20, "window {start}..{end} is wider than 20 days");
        let days = covered.entry(r.query["advertiser_id"].clone()).or_default();
        let mut d = start;
        while d <= end {
            assert!(days.insert(d), "{d} requested twice");
            d += Duration::days(1);
        }
    }
    assert_eq!(covered.len(), advertisers);
    for days in covered.values() {
        assert_eq!(days.first(), Some(&days_ago(75)));
        assert!(days.last().unwrap() >= &days_ago(1));
        assert_eq!(days.len() as i64, (*days.last().unwrap() - days_ago(75)).num_days() + 1, "a day is missing");
    }
}

#[test]
fn a_second_incremental_read_rereads_exactly_the_attribution_window() {
    let h = Harness::new("reports-lookback", SimConfig::default());
    let config = h.config().days(40).rps(200).attribution_window(5).build();
    let first = h.read(&config, &["ad_groups_reports_daily"], Mode::Incremental, None);
    first.assert_success();
    let state = first.final_state();
    // Each advertiser has its own cursor: the simulated advertisers sit in different time
    // zones, so their local "today" (and cursor day) differ at some hours of the UTC day.
    let cursor_days = cursor_days(&state, "ad_groups_reports_daily");
    assert_eq!(cursor_days.len(), h.sim.account().advertisers.len());
    let lookback_start = |advertiser: &str| (cursor_days[advertiser] - Duration::days(5)).to_string();
    h.sim.clear_requests();
    let second = h.read(&config, &["ad_groups_reports_daily"], Mode::Incremental, Some(&state));
    second.assert_success();
    let mut requests = h.requests_to("report/integrated/get");
    requests.retain(|r| r.query["data_level"] == "AUCTION_ADGROUP" && !is_conversion_time_probe(r));
    for r in &requests {
        let advertiser = r.query["advertiser_id"].as_str();
        assert_eq!(r.query["start_date"], lookback_start(advertiser), "lookback start of advertiser {advertiser}");
    }
    let asked: BTreeSet<&str> = requests.iter().map(|r| r.query["advertiser_id"].as_str()).collect();
    assert_eq!(requests.len(), cursor_days.len(), "one window per advertiser");
    assert_eq!(asked.len(), cursor_days.len(), "every advertiser re-read");
    // The re-read rows are exactly the first read's rows of those days, advertiser by advertiser.
    let tail = |run: &Run| -> BTreeSet<String> {
        run.records_of("ad_groups_reports_daily")
            .iter()
            .filter(|r| {
                let advertiser = r["advertiser_id"].as_str().unwrap();
                r["stat_time_day"].as_str().unwrap() >= lookback_start(advertiser).as_str()
            })
            .map(|r| format!("{}|{}|{}", r["advertiser_id"], r["adgroup_id"], r["stat_time_day"]))
            .collect()
    };
    assert!(!tail(&first).is_empty(), "the lookback days have rows to compare");
    assert_eq!(tail(&second), tail(&first));
    assert_eq!(second.records_of("ad_groups_reports_daily").len(), tail(&second).len());
}

#[test]
fn advertiser_time_zones_are_asked_for_only_when_a_window_ends_today() {
    let h = Harness::new("reports-no-needless-info", SimConfig::default());
    let info_requests = |h: &Harness| h.requests_to("advertiser/info").len();
    // Entities need no time zone, and neither does a report whose end_date lies in the past.
    let mut config = h.config().days(10).rps(200).build();
    h.sim.clear_requests();
    h.read(&config, &["campaigns", "ads"], Mode::FullRefresh, None).assert_success();
    assert_eq!(info_requests(&h), 0, "advertiser/info for entity streams");
    config["end_date"] = json!(days_ago(3).to_string());
    h.sim.clear_requests();
    let past = h.read(&config, &["campaigns_reports_daily"], Mode::FullRefresh, None);
    past.assert_success();
    assert_eq!(info_requests(&h), 0, "advertiser/info for a window that ends in the past");
    assert!(past
        .records_of("campaigns_reports_daily")
        .iter()
        .all(|r| r["stat_time_day"].as_str().unwrap() <= format!("{} 00:00:00", days_ago(3)).as_str()));
    // A window that ends today needs each advertiser's today: one batch for all of them.
    config.as_object_mut().unwrap().remove("end_date");
    h.sim.clear_requests();
    h.read(&config, &["campaigns_reports_daily", "ads_reports_daily"], Mode::FullRefresh, None).assert_success();
    assert_eq!(info_requests(&h), 1, "one advertiser/info batch for the whole sync");
}

/// Today in the zone TikTok reports an advertiser's days in: its `Etc/GMT±N` timezone, or the
/// named zone where it has none.
fn advertisers_today(info: &Value) -> String {
    let timezone = info["timezone"].as_str().unwrap();
    let name = if timezone.starts_with("Etc/") { timezone } else { info["display_timezone"].as_str().unwrap() };
    let zone: chrono_tz::Tz = name.parse().unwrap();
    Utc::now().with_timezone(&zone).date_naive().to_string()
}

#[test]
fn report_days_end_on_each_advertisers_own_today_half_hour_zones_included() {
    let mut sim_config = SimConfig::default();
    sim_config.account.size.advertisers = 4;
    let h = Harness::new("local-today", sim_config);
    let advertisers = h.sim.account().advertisers;
    assert!(advertisers.iter().any(|a| a.info["timezone"] == "Asia/Kolkata"), "the simulator has a half-hour zone");
    let before: Vec<String> = advertisers.iter().map(|a| advertisers_today(&a.info)).collect();
    // Every day read, so the last one asked for is the advertiser's today whatever it delivered.
    let config = h.config().days(3).rps(200).skip_inactive_days(false).build();
    let run = h.read(&config, &["advertisers_reports_daily", "advertisers_reports_hourly"], Mode::FullRefresh, None);
    run.assert_success();
    let after: Vec<String> = advertisers.iter().map(|a| advertisers_today(&a.info)).collect();
    let requests = h.sim.requests();
    for (i, advertiser) in advertisers.iter().enumerate() {
        let asked = |time: &str| {
            let of_this = requests.iter().filter(|r| {
                r.endpoint() == "report/integrated/get" && r.query.get("advertiser_id") == Some(&advertiser.id)
            });
            of_this.filter(|r| r.query["dimensions"].contains(time)).map(|r| r.query["end_date"].clone()).max().unwrap()
        };
        // A zone's midnight may pass during the read: its today before or after it.
        for time in ["stat_time_day", "stat_time_hour"] {
            let last = asked(time);
            assert!(
                last == before[i] || last == after[i],
                "{} ({}): {time} reports end on {last}, not on its today {}",
                advertiser.id,
                advertiser.info["timezone"],
                after[i]
            );
        }
    }
}
