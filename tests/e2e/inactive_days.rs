//! End-to-end: `skip_inactive_days` asks TikTok only for the days an advertiser delivered on,
//! and gives exactly the records and states of a read that asks for every day.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use harness::*;
use serde_json::Value;
use tiktok_sim::{Account, Delivery, Level, SimConfig};

/// Daily, audience, hourly and lifetime reports (two lifetime ones, so the lifetime probe pays).
const STREAMS: &[&str] = &[
    "ads_reports_daily",
    "campaigns_audience_reports_daily",
    "campaigns_reports_hourly",
    "advertisers_reports_hourly",
    "ads_reports_lifetime",
    "advertisers_audience_reports_lifetime",
];

/// Four advertisers, the last two idle, the others delivering on about half the days.
fn agency_account() -> SimConfig {
    let mut sim = SimConfig::default();
    sim.account.size.advertisers = 4;
    sim.account.delivery = Delivery { idle_advertisers: 2, active_day_share: 0.5 };
    sim
}

const SKIPPING: &str = "skipping inactive days vs reading every day";

/// Report requests the simulator received since it was last cleared, and how many of them
/// asked for an hour of the idle advertisers.
fn report_requests(h: &Harness) -> (usize, usize) {
    let idle: Vec<String> = h.sim.account().advertisers.iter().rev().take(2).map(|a| a.id.clone()).collect();
    let reports: Vec<_> = h.requests_to("report/integrated/get");
    let idle_hours = reports
        .iter()
        .filter(|r| idle.contains(&r.query["advertiser_id"]) && r.query["dimensions"].contains("stat_time_hour"))
        .count();
    h.sim.clear_requests();
    (reports.len(), idle_hours)
}

/// Read with and without skipping; both must succeed.
fn read_both(
    h: &Harness,
    start: NaiveDate,
    mode: Mode,
    state: Option<&Value>,
) -> ((Run, usize, usize), (Run, usize, usize)) {
    h.sim.clear_requests();
    let config = |skip| h.config().start(start).rps(200).attribution_window(5).skip_inactive_days(skip).build();
    let skipping = h.read(&config(true), STREAMS, mode, state);
    skipping.assert_success();
    let (skip_requests, skip_idle_hours) = report_requests(h);
    let every_day = h.read(&config(false), STREAMS, mode, state);
    every_day.assert_success();
    let (all_requests, all_idle_hours) = report_requests(h);
    ((skipping, skip_requests, skip_idle_hours), (every_day, all_requests, all_idle_hours))
}

#[test]
fn a_full_refresh_that_skips_inactive_days_gives_every_row_for_far_fewer_requests() {
    let h = Harness::new("inactive-full", agency_account());
    let ((skipping, skip_requests, skip_idle_hours), (every_day, all_requests, all_idle_hours)) =
        read_both(&h, days_ago(40), Mode::FullRefresh, None);
    let (with, without) = (sorted_records(&skipping), sorted_records(&every_day));
    for stream in STREAMS {
        assert!(!without.get(*stream).is_none_or(Vec::is_empty), "{stream}: the account has rows to compare");
    }
    assert_same_rows(&with, &without, SKIPPING);
    // The idle advertisers have no rows at any level; no hour of theirs is asked for.
    let idle: Vec<String> = h.sim.account().advertisers.iter().rev().take(2).map(|a| a.id.clone()).collect();
    assert!(every_day
        .records()
        .values()
        .flatten()
        .all(|r| !idle.contains(&r["advertiser_id"].as_str().unwrap().to_string())));
    assert_eq!(skip_idle_hours, 0, "hours of idle advertisers were asked for");
    assert!(all_idle_hours >= 2 * 2 * 40, "the plain read asks every day: {all_idle_hours}");
    assert!(
        skip_requests * 100 <= all_requests * 40,
        "{skip_requests} report requests skipping vs {all_requests} without"
    );
}

#[test]
fn an_incremental_sync_that_restates_the_lookback_gives_the_same_rows_and_states() {
    let h = Harness::new("inactive-incremental", agency_account());
    let start = days_ago(40);
    let ((first_skipping, _, _), (first_every_day, _, _)) = read_both(&h, start, Mode::Incremental, None);
    assert_same_rows(&sorted_records(&first_skipping), &sorted_records(&first_every_day), SKIPPING);
    assert_eq!(
        first_skipping.stream_states(),
        first_every_day.stream_states(),
        "the first syncs end in different states"
    );
    assert_eq!(first_every_day.stream_states().len(), 4, "every dated stream has a state");
    let state = first_every_day.final_state();

    // Late conversions restate the lookback days; the second sync reads them again.
    h.sim.update_config(|c| c.account.restatement = 1.5);
    let ((second_skipping, skip_requests, _), (second_every_day, all_requests, _)) =
        read_both(&h, start, Mode::Incremental, Some(&state));
    assert_same_rows(&sorted_records(&second_skipping), &sorted_records(&second_every_day), SKIPPING);
    assert_eq!(
        second_skipping.stream_states(),
        second_every_day.stream_states(),
        "the second syncs end in different states"
    );
    assert!(skip_requests < all_requests, "{skip_requests} report requests skipping vs {all_requests} without");
    let restated = second_skipping.records_of("ads_reports_daily");
    assert!(!restated.is_empty(), "the lookback days were not read again");
    let first_spend: BTreeMap<String, f64> = first_skipping
        .records_of("ads_reports_daily")
        .iter()
        .map(|r| (format!("{}|{}", r["ad_id"], r["stat_time_day"]), r["metrics"]["spend"].as_f64().unwrap()))
        .collect();
    for r in &restated {
        let key = format!("{}|{}", r["ad_id"], r["stat_time_day"]);
        let before = first_spend.get(&key).copied().unwrap_or_else(|| panic!("{key} is new in the restated days"));
        assert!(r["metrics"]["spend"].as_f64().unwrap() > before, "{key} was not restated");
    }
}

/// The day the first ad of the first advertiser was created, among deleted ads or the others.
fn first_ad_day(account: &Account, deleted: bool) -> Option<NaiveDate> {
    let advertiser = &account.advertisers[0].id;
    account
        .entities
        .iter()
        .filter(|e| e.level == Level::Ad && e.advertiser_id == *advertiser && e.deleted == deleted)
        .filter_map(|e| NaiveDate::parse_from_str(e.fields["create_time"].as_str()?.get(..10)?, "%Y-%m-%d").ok())
        .min()
}

#[test]
fn with_deleted_objects_the_skipping_read_still_brings_every_deleted_row() {
    let mut sim = agency_account();
    // The fourth campaign of each advertiser is deleted, with its ad groups and ads. A seed where
    // the first advertiser's deleted ads deliver for days before any other ad exists: on those
    // days only a read that asks for deleted objects has rows, at every level.
    sim.account.size.campaigns_per_advertiser = 4;
    sim.account.seed = (1..1000)
        .find(|seed| {
            let account = Account::generate(&sim.account.size, *seed);
            matches!((first_ad_day(&account, true), first_ad_day(&account, false)), (Some(deleted), Some(other)) if other - deleted >= Duration::days(10))
        })
        .expect("a seed whose deleted ads deliver first");
    let h = Harness::new("inactive-deleted", sim);
    let streams = [
        "ads_reports_daily",
        "campaigns_reports_hourly",
        "ads_reports_lifetime",
        "advertisers_audience_reports_lifetime",
    ];
    let read = |skip: bool| {
        let config = h.config().days(130).rps(200).attribution_window(5).skip_inactive_days(skip).include_deleted(true);
        let run = h.read(&config.build(), &streams, Mode::FullRefresh, None);
        run.assert_success();
        sorted_records(&run)
    };
    let (with, without) = (read(true), read(false));
    let other_ads_from = first_ad_day(&h.sim.account(), false).unwrap().to_string();
    let deleted_only_rows = without["ads_reports_daily"].iter().filter(|r| {
        r.contains("stat_time_day") && {
            let record: Value = serde_json::from_str(r).unwrap();
            record["stat_time_day"].as_str().unwrap() < other_ads_from.as_str()
        }
    });
    assert!(deleted_only_rows.count() > 0, "no day where only deleted ads delivered");
    assert_same_rows(&with, &without, SKIPPING);
}
