//! End-to-end: where TikTok's documents allow more than one reading (tiktok-api.md §15), the
//! simulator plays each one, and the connector gives the same records, moves its cursor as far
//! and keeps its requests bounded under every one of them.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use harness::*;
use serde_json::Value;
use tiktok_sim::{Delivery, SimConfig, TaskAccessRefusal, ThrottleHeader, UnknownLabel};

fn config(h: &Harness, start: NaiveDate, skip_inactive_days: bool) -> Value {
    h.config().start(start).rps(200).skip_inactive_days(skip_inactive_days).build()
}

/// Every record of `streams`, sorted: the harness's rows oracle over the streams compared.
fn rows(run: &Run, streams: &[&str]) -> BTreeMap<String, Vec<String>> {
    let mut all = sorted_records(run);
    all.retain(|stream, _| streams.contains(&stream.as_str()));
    for stream in streams {
        assert!(all.get(*stream).is_some_and(|r| !r.is_empty()), "{stream} has no rows to compare");
    }
    all
}

/// Requests of `endpoint` the simulator received since the log was last cleared; clears it.
fn take_requests(h: &Harness, endpoint: &str) -> Vec<tiktok_sim::LoggedRequest> {
    let requests = h.requests_to(endpoint);
    h.sim.clear_requests();
    requests
}

/// Report streams below the advertiser level that narrowing reads when TikTok truncates: one
/// a task reads whole, one no task can (reach with a breakdown), hourly and by ad group.
const NARROWED: &[&str] =
    &["ads_reports_daily", "ad_groups_reports_by_country_daily", "campaigns_reports_hourly", "ad_groups_reports_daily"];

/// R1: DOC-SYNC and DOC-FAQ speak of the ads of "the account"; whether `X-Tt-Ads-Throttle`
/// still comes once id filters bring a query under the limit is not said. A scope the ad list
/// puts under the limit is complete either way: narrowing ends there, the window checkpoints.
#[test]
fn a_truncated_account_reads_whole_and_checkpoints_whether_the_throttle_header_follows_id_filters_or_the_account() {
    let start = days_ago(3);
    let clean = Harness::new("r1-clean", SimConfig::default());
    let expected = clean.read(&config(&clean, start, true), NARROWED, Mode::Incremental, None);
    expected.assert_success();
    let clean_reports = take_requests(&clean, "report/integrated/get").len();
    for reading in [ThrottleHeader::FilteredScope, ThrottleHeader::WholeAccount] {
        for task_access in [true, false] {
            let case = format!("{reading:?}, task access {task_access}");
            let mut sim = SimConfig::default();
            // A query over 5 ads is truncated: every advertiser's (12 ads) is, each campaign's
            // (4 ads) is not.
            sim.limits.ads_throttle_threshold = 5;
            sim.scenarios.task_access = task_access;
            sim.readings.throttle_header = reading;
            let h = Harness::new(&format!("r1-{reading:?}-{task_access}"), sim);
            let run = h.read(&config(&h, start, true), NARROWED, Mode::Incremental, None);
            run.assert_success();
            assert_same_rows(&rows(&run, NARROWED), &rows(&expected, NARROWED), &case);
            assert_eq!(run.stream_states(), expected.stream_states(), "{case}: the cursor did not move as far");
            let truncated = run.warnings().iter().filter(|w| w.contains("truncated")).count();
            assert_eq!(truncated, 0, "{case}: {:?}", run.warnings());
            // Narrowing stops at the scopes the ad list puts under the limit: per window, the
            // unfiltered query, one per campaign (3 each) and one for the campaigns no list
            // shows (R2), never single ad groups or ads.
            let reports = take_requests(&h, "report/integrated/get");
            assert!(
                reports.len() <= clean_reports * 5 + 5,
                "{case}: {} report requests for {clean_reports} untruncated",
                reports.len()
            );
            let too_narrow = reports
                .iter()
                .filter_map(|r| r.query.get("filtering"))
                .find(|f| f.contains("adgroup_ids") || f.contains("\"ad_ids"));
            assert!(too_narrow.is_none(), "{case}: narrowed past the campaigns: {too_narrow:?}");
        }
    }
}

/// An account delivering on about half the days, where idle days still count conversions of
/// earlier clicks when the simulator plays R5's second reading.
fn half_idle_account(late_rows: bool) -> SimConfig {
    let mut sim = SimConfig::default();
    sim.account.delivery = Delivery { idle_advertisers: 0, active_day_share: 0.5 };
    sim.readings.conversion_time_rows = late_rows;
    sim
}

/// R5: `real_time_*` metrics count conversions on the day they happen (DOC-USP-METRICS), so a
/// day without delivery can have rows for them. Skipping idle days must not lose those rows.
#[test]
fn days_with_only_conversion_time_rows_are_not_skipped_as_idle() {
    let streams = ["ads_reports_daily", "ad_groups_reports_daily", "advertisers_reports_daily"];
    let start = days_ago(20);
    for late_rows in [false, true] {
        let case = format!("conversion-time rows {late_rows}");
        let h = Harness::new(&format!("r5-{late_rows}"), half_idle_account(late_rows));
        let every_day = h.read(&config(&h, start, false), &streams, Mode::Incremental, None);
        every_day.assert_success();
        let all_requests = take_requests(&h, "report/integrated/get").len();
        let skipping = h.read(&config(&h, start, true), &streams, Mode::Incremental, None);
        skipping.assert_success();
        let skip_requests = take_requests(&h, "report/integrated/get").len();
        let late_only = every_day
            .records_of("ads_reports_daily")
            .iter()
            .filter(|r| r["metrics"]["spend"].as_f64() == Some(0.0))
            .count();
        assert_eq!(late_only > 0, late_rows, "{case}: rows of conversion-time metrics alone");
        assert_same_rows(&rows(&skipping, &streams), &rows(&every_day, &streams), &case);
        assert_eq!(skipping.stream_states(), every_day.stream_states(), "{case}");
        // Skipping costs at most one probe per advertiser per 30 days probed more than reading
        // every day: the 20 days, and the 28 before them whose clicks may convert in them.
        let advertisers = h.sim.account().advertisers.len();
        assert!(skip_requests <= all_requests + 2 * advertisers, "{case}: {skip_requests} vs {all_requests}");
    }
}

/// R8: DOC-ASYNC makes async reports allowlist-only but documents no code for the refusal. Any
/// refusal that means "no access" is asked once per sync; the truncated reports are then read
/// by narrowing, and nothing is skipped or failed.
#[test]
fn task_creation_refused_with_any_code_is_asked_no_more_and_the_reports_are_read_by_narrowing() {
    let start = days_ago(2);
    let streams = ["ads_reports_daily", "ad_groups_reports_daily", "campaigns_reports_daily"];
    let clean = Harness::new("r8-clean", SimConfig::default());
    let expected = clean.read(&config(&clean, start, true), &streams, Mode::FullRefresh, None);
    expected.assert_success();
    for refusal in [TaskAccessRefusal::Code40118, TaskAccessRefusal::Permission40001, TaskAccessRefusal::Parameter40002]
    {
        let case = format!("{refusal:?}");
        let mut sim = SimConfig::default();
        sim.limits.ads_throttle_threshold = 5;
        sim.scenarios.task_access = false;
        sim.readings.task_access_refusal = refusal;
        let h = Harness::new(&format!("r8-{refusal:?}"), sim);
        let run = h.read(&config(&h, start, true), &streams, Mode::FullRefresh, None);
        run.assert_success();
        assert_same_rows(&rows(&run, &streams), &rows(&expected, &streams), &case);
        let creates = take_requests(&h, "report/task/create");
        assert!(!creates.is_empty(), "{case}: no task was asked for");
        // Streams already waiting for their turn when the first answer came may ask once each.
        assert!(creates.len() <= streams.len(), "{case}: {} refused task creations", creates.len());
    }
}

/// R10: task files write an unknown audience bucket as `Unknown`, `NONE` or nothing (synchronous
/// rows say `NONE`). Each keeps its row: the task's rows have the synchronous read's keys. (A
/// task leaves out reach-type metrics with breakdowns, so keys are compared, not values.)
#[test]
fn unknown_audience_buckets_in_task_files_keep_their_rows_whatever_the_label() {
    let start = days_ago(2);
    // Advertiser-level audience reports: no id filter splits them, so a truncated one is read
    // through a task.
    let streams = ["advertisers_audience_reports_daily", "advertisers_audience_reports_by_platform_daily"];
    for label in [UnknownLabel::Word, UnknownLabel::Code, UnknownLabel::Empty] {
        let case = format!("{label:?}");
        let mut clean_sim = SimConfig::default();
        clean_sim.readings.unknown_label = Some(label);
        let (expected, keys) =
            clean_read_of(&format!("r10-clean-{label:?}"), clean_sim.clone(), &streams, |c| c.start(start).rps(200));
        let unknown = expected.records_of(streams[0]).iter().filter(|r| r["age"] == "NONE").count();
        assert!(unknown > 0, "{case}: no row of an unknown age to read back");
        let mut sim = clean_sim;
        sim.limits.ads_throttle_threshold = 5;
        let h = Harness::new(&format!("r10-{label:?}"), sim);
        let run = h.read(&h.config().start(start).rps(200).build(), &streams, Mode::FullRefresh, None);
        run.assert_success();
        assert!(!take_requests(&h, "report/task/create").is_empty(), "{case}: no task file was read");
        for stream in streams {
            let (want, got) = (by_key(&expected, stream, &keys[stream]), unique_by_key(&run, stream, &keys[stream]));
            assert_same_keys(&got, &want, &format!("{case}: {stream}"));
        }
    }
}

/// R3: DOC-STATUS lists no `*_STATUS_ALL` secondary status, and `primary_status` leaves deleted
/// objects out by default (DOC-ADG). With `include_deleted`, lists and the ad list narrowing
/// stands on bring deleted objects whether the secondary status brings them or not.
#[test]
fn deleted_objects_are_listed_whether_a_status_all_secondary_brings_them_or_only_the_primary_status() {
    let start = days_ago(2);
    let streams = ["campaigns", "ad_groups", "ads", "ads_reports_daily"];
    let options = |c: ConfigBuilder| c.start(start).rps(200).include_deleted(true);
    // The fourth campaign of each advertiser is deleted, with its ad groups and ads.
    let mut account = SimConfig::default();
    account.account.size.campaigns_per_advertiser = 4;
    let (expected, _) = clean_read_of("r3-clean", account.clone(), &streams, options);
    let (undeleted, _) = clean_read_of("r3-undeleted", account.clone(), &["ads"], |c| c.start(start).rps(200));
    assert!(expected.records_of("ads").len() > undeleted.records_of("ads").len(), "no deleted ad to list");
    for by_primary_only in [false, true] {
        let case = format!("deleted only by primary status: {by_primary_only}");
        let mut sim = account.clone();
        sim.readings.deleted_only_by_primary_status = by_primary_only;
        // Truncated: the ads report is narrowed over the ad list (a task takes no status filter).
        sim.limits.ads_throttle_threshold = 5;
        let h = Harness::new(&format!("r3-{by_primary_only}"), sim);
        let run = h.read(&options(h.config()).build(), &streams, Mode::FullRefresh, None);
        run.assert_success();
        assert_same_rows(&rows(&run, &streams), &rows(&expected, &streams), &case);
    }
}

/// R2: reports hold campaigns no list shows (GMV Max ads are not in `ad/get`, TikTok's Go SDK
/// `model/ad/get.go`; Promote objects are listed only when asked, DOC-PROMOTE). Narrowing by the
/// listed campaigns alone would drop their rows; a query excluding the listed ones reads them.
#[test]
fn rows_of_campaigns_no_list_shows_are_read_when_a_truncated_report_is_narrowed() {
    let start = days_ago(2);
    let streams = ["ads_reports_daily", "campaigns_reports_daily", "ad_groups_reports_by_country_daily"];
    for unlisted in [false, true] {
        let case = format!("a campaign no list shows: {unlisted}");
        let mut account = SimConfig::default();
        account.readings.unlisted_campaign = unlisted;
        let (expected, _) =
            clean_read_of(&format!("r2-clean-{unlisted}"), account.clone(), &streams, |c| c.start(start).rps(200));
        let mut sim = account;
        sim.limits.ads_throttle_threshold = 5;
        sim.scenarios.task_access = false;
        let h = Harness::new(&format!("r2-{unlisted}"), sim);
        let run = h.read(&h.config().start(start).rps(200).build(), &streams, Mode::FullRefresh, None);
        run.assert_success();
        assert_same_rows(&rows(&run, &streams), &rows(&expected, &streams), &case);
        let complements = take_requests(&h, "report/integrated/get")
            .iter()
            .filter(|r| r.query.get("filtering").is_some_and(|f| f.contains("NOT_IN")))
            .count();
        assert!(complements > 0, "{case}: no query for the campaigns no list shows");
    }
}

/// R6 (DOC-PROMOTE): synchronous reports leave Promote ads out, async tasks do not, and tasks
/// take no origin filter. A truncated account read through tasks gives the rows the untruncated
/// synchronous read gives, without Promote ads, at the ad and campaign levels; the Promote ads
/// are listed once per advertiser a task serves.
#[test]
fn a_report_read_through_a_task_leaves_out_the_promote_ads_a_synchronous_read_leaves_out() {
    let streams = ["ads_reports_daily", "campaigns_reports_daily"];
    let mut account = SimConfig::default();
    account.account.size.promote_campaigns_per_advertiser = 1;
    let start = days_ago(3);
    let options = |c: ConfigBuilder| c.start(start).end(days_ago(1)).rps(200);
    let (clean, keys) = clean_read_of("readings-promote-clean", account.clone(), &streams, options);
    let mut truncated = account;
    truncated.limits.ads_throttle_threshold = 3;
    let h = Harness::new("readings-promote", truncated);
    let run = h.read(&options(h.config()).build(), &streams, Mode::Incremental, None);
    run.assert_success();
    assert!(!h.requests_to("report/task/create").is_empty(), "the windows were read through tasks");
    assert_same_rows(&rows(&run, &streams), &rows(&clean, &streams), "the task path against the synchronous one");
    let promote: Vec<String> = h.sim.account().entities.iter().filter(|e| e.promote).map(|e| e.id.clone()).collect();
    assert!(!promote.is_empty(), "the account has Promote objects");
    for stream in streams {
        for (key, _) in unique_by_key(&run, stream, &keys[stream]) {
            assert!(!promote.iter().any(|id| key.starts_with(&format!("{id}|"))), "{stream}: a Promote row {key}");
        }
    }
    let listed = h
        .requests_to("ad/get")
        .iter()
        .filter(|r| r.query.get("filtering").is_some_and(|f| f.contains("PROMOTE")))
        .count();
    assert_eq!(listed, h.sim.account().advertisers.len(), "Promote ads listed once per advertiser");
}
