//! End-to-end: the entity streams (advertisers, campaigns, ad groups, ads): discover's keys and
//! cursors, full refresh, paging, deleted entities, incremental state, sandbox configs and one
//! configured advertiser.

use std::collections::BTreeSet;

use harness::*;
use serde_json::{json, Value};
use tiktok_sim::{Level, SimConfig};

/// The streams of this suite (reports and assets have suites of their own).
const FOUNDATION_STREAMS: &[&str] = &["advertiser_ids", "advertisers", "campaigns", "ad_groups", "ads"];

const ENTITY_STREAMS: &[(&str, Level, &str)] = &[
    ("campaigns", Level::Campaign, "campaign_id"),
    ("ad_groups", Level::AdGroup, "adgroup_id"),
    ("ads", Level::Ad, "ad_id"),
];

fn ids(records: &[Value], key: &str) -> BTreeSet<String> {
    records
        .iter()
        .map(|r| r[key].as_str().unwrap_or_else(|| panic!("{key} is not a string in {r}")).to_string())
        .collect()
}

fn expected_ids(h: &Harness, level: Level, include_deleted: bool) -> BTreeSet<String> {
    h.sim
        .account()
        .entities
        .iter()
        .filter(|e| e.level == level && (include_deleted || !e.deleted))
        .map(|e| e.id.clone())
        .collect()
}

#[test]
fn discover_lists_streams_with_keys_cursors_and_modes() {
    let h = Harness::new("discover", SimConfig::default());
    let catalog = h.discover(&h.oauth_config());
    let streams = catalog["streams"].as_array().unwrap();
    let find = |name: &str| streams.iter().find(|s| s["name"] == name).unwrap_or_else(|| panic!("{name} missing"));
    for (name, _, key) in ENTITY_STREAMS {
        let s = find(name);
        assert_eq!(s["source_defined_primary_key"], json!([[key]]));
        assert_eq!(s["default_cursor_field"], json!(["modify_time"]));
        assert_eq!(s["supported_sync_modes"], json!(["full_refresh", "incremental"]));
        assert!(s["json_schema"]["properties"][key].is_object());
    }
    assert_eq!(find("advertisers")["supported_sync_modes"], json!(["full_refresh"]));
    assert_eq!(find("advertiser_ids")["source_defined_primary_key"], json!([["advertiser_id"]]));
    // A read resumes from state exactly where a stream has a cursor.
    for s in streams {
        assert_eq!(s["is_resumable"], json!(s.get("default_cursor_field").is_some()), "{}", s["name"]);
    }

    let sandbox = h.discover(&h.sandbox_config());
    let names: Vec<&str> = sandbox["streams"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert!(!names.contains(&"advertiser_ids"), "the sandbox cannot list advertisers: {names:?}");
    assert!(names.contains(&"ads"));
}

#[test]
fn full_refresh_reads_every_entity_however_old_with_string_ids() {
    let h = Harness::new("full", SimConfig::default());
    // A start date after every generated entity: entities are dimensions, all must come.
    let config = h.config().start(chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()).build();
    let run = h.read(&config, FOUNDATION_STREAMS, Mode::FullRefresh, None);
    run.assert_success();
    assert_records_match_schemas(&run, &h.discover(&config));
    for (stream, level, key) in ENTITY_STREAMS {
        let records = run.records_of(stream);
        assert_eq!(ids(&records, key), expected_ids(&h, *level, false), "{stream}");
        assert_eq!(records.len(), expected_ids(&h, *level, false).len(), "{stream} has duplicates");
        assert_eq!(run.stream_statuses(stream), ["STARTED", "RUNNING", "COMPLETE"]);
    }
    // Smart+ ads without modify_time are kept.
    assert!(run.records_of("ads").iter().any(|r| r.get("modify_time").is_none()));
    let advertisers: Vec<String> = h.sim.account().advertisers.iter().map(|a| a.id.clone()).collect();
    assert_eq!(ids(&run.records_of("advertisers"), "advertiser_id"), advertisers.iter().cloned().collect());
    assert_eq!(ids(&run.records_of("advertiser_ids"), "advertiser_id"), advertisers.into_iter().collect());
    // Full refresh keeps no state.
    assert!(run.of_type("STATE").is_empty());
    // Every record line carries emitted_at.
    assert!(run.of_type("RECORD").iter().all(|m| m["record"]["emitted_at"].as_u64().is_some()));
}

#[test]
fn paging_walks_every_page_at_the_maximum_page_size() {
    let mut config = SimConfig::default();
    config.account.size = tiktok_sim::DataSize {
        advertisers: 1,
        campaigns_per_advertiser: 3,
        adgroups_per_campaign: 20,
        ads_per_adgroup: 25,
        ..Default::default()
    };
    let h = Harness::new("paging", config);
    let run = h.read(&h.oauth_config(), &["ads"], Mode::FullRefresh, None);
    run.assert_success();
    let expected = expected_ids(&h, Level::Ad, false);
    assert!(expected.len() > 1000, "the fixture must need two pages, has {}", expected.len());
    assert_eq!(ids(&run.records_of("ads"), "ad_id"), expected);
    let (topview, pages): (Vec<_>, Vec<_>) = h
        .sim
        .requests()
        .into_iter()
        .filter(|r| r.endpoint() == "ad/get")
        .partition(|r| r.query.get("filtering").is_some_and(|f| f.contains("RESERVATION_TOP_VIEW")));
    assert_eq!(pages.len(), 2);
    assert_eq!(topview.len(), 1, "one page of TopView ads (the account has none)");
    assert!(pages.iter().chain(&topview).all(|r| r.query["page_size"] == "1000"));
}

#[test]
fn include_deleted_reads_deleted_entities_too() {
    let mut sim_config = SimConfig::default();
    sim_config.account.size.campaigns_per_advertiser = 4;
    let h = Harness::new("deleted", sim_config);
    let config = h.config().include_deleted(true).build();
    let run = h.read(&config, &["campaigns", "ad_groups", "ads"], Mode::FullRefresh, None);
    run.assert_success();
    for (stream, level, key) in ENTITY_STREAMS {
        let all = expected_ids(&h, *level, true);
        assert!(all.len() > expected_ids(&h, *level, false).len(), "{stream}: fixture has no deleted entity");
        assert_eq!(ids(&run.records_of(stream), key), all, "{stream}");
    }
}

#[test]
fn incremental_reads_only_what_changed_and_never_loses_the_cursor_records() {
    let h = Harness::new("incremental", SimConfig::default());
    let config = h.oauth_config();
    let streams = ["campaigns", "ad_groups", "ads"];
    let first = h.read(&config, &streams, Mode::Incremental, None);
    first.assert_success();
    for (stream, level, key) in ENTITY_STREAMS {
        assert_eq!(
            ids(&first.records_of(stream), key),
            expected_ids(&h, *level, false),
            "{stream}: first incremental read"
        );
    }
    let state = first.final_state();

    // Nothing changed: only records at each advertiser's cursor itself (and Smart+ ads, which
    // have no cursor value) come back.
    let second = h.read(&config, &streams, Mode::Incremental, Some(&state));
    second.assert_success();
    for (stream, _, _) in ENTITY_STREAMS {
        let cursors: BTreeSet<String> = state
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["stream"]["stream_descriptor"]["name"] == *stream)
            .flat_map(|s| {
                s["stream"]["stream_state"]["states"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["cursor"]["modify_time"].as_str().unwrap().to_string())
            })
            .collect();
        for record in second.records_of(stream) {
            match record.get("modify_time").and_then(Value::as_str) {
                Some(t) => assert!(cursors.contains(t), "{stream}: {t} is not at a cursor {cursors:?}"),
                None => assert_eq!(*stream, "ads", "only Smart+ ads lack modify_time"),
            }
        }
        assert!(!second.records_of(stream).is_empty(), "{stream}: the records at the cursor must be re-read");
    }

    // A campaign and an ad change: exactly those come back beyond the cursor records.
    let account = h.sim.account();
    let campaign = account.entities.iter().find(|e| e.level == Level::Campaign && !e.deleted).unwrap().id.clone();
    let ad = account
        .entities
        .iter()
        .find(|e| e.level == Level::Ad && !e.deleted && e.fields.get("modify_time").is_some())
        .unwrap()
        .id
        .clone();
    let touched_at = h.sim.touch(&campaign);
    h.sim.touch(&ad);
    h.sim.clear_requests();
    let third = h.read(&config, &streams, Mode::Incremental, Some(&second.final_state()));
    third.assert_success();
    // Beyond the records at the previous cursors, exactly the changed entities come back.
    let beyond_cursor = |stream: &str, key: &str| -> BTreeSet<String> {
        let previous: BTreeSet<String> = ids(&second.records_of(stream), key);
        ids(&third.records_of(stream), key).difference(&previous).cloned().collect()
    };
    assert_eq!(beyond_cursor("campaigns", "campaign_id"), BTreeSet::from([campaign.clone()]));
    assert_eq!(beyond_cursor("ads", "ad_id"), BTreeSet::from([ad.clone()]));
    assert!(beyond_cursor("ad_groups", "adgroup_id").is_empty(), "no ad group changed");
    let changed = third.records_of("campaigns").into_iter().find(|r| r["campaign_id"] == json!(campaign)).unwrap();
    assert_eq!(changed["modify_time"], json!(touched_at));
    // ads use the server-side modified_after filter (and a creation-time pass for Smart+ ads);
    // campaigns have none.
    let ad_requests: Vec<_> = h.requests_to("ad/get");
    assert!(ad_requests.iter().any(|r| r.query.get("filtering").is_some_and(|f| f.contains("modified_after"))));
    assert!(ad_requests.iter().all(|r| r
        .query
        .get("filtering")
        .is_some_and(|f| f.contains("modified_after") || f.contains("creation_filter_start_time"))));
}

#[test]
fn a_smart_plus_ad_created_after_a_sync_comes_with_the_next_incremental_read() {
    let h = Harness::new("smart-plus", SimConfig::default());
    let config = h.oauth_config();
    let first = h.read(&config, &["ads"], Mode::Incremental, None);
    first.assert_success();
    let advertiser = h.sim.account().advertisers[0].id.clone();
    // Created after the first sync: `modified_after` never returns it (no modify_time).
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let new_ad = h.sim.add_smart_plus_ad(&advertiser);
    let second = h.read(&config, &["ads"], Mode::Incremental, Some(&first.final_state()));
    second.assert_success();
    let ads = second.records_of("ads");
    let found: Vec<_> = ads.iter().filter(|r| r["ad_id"] == json!(new_ad)).collect();
    assert_eq!(found.len(), 1, "the new Smart+ ad comes exactly once");
    assert!(found[0].get("modify_time").is_none());
    // Only the new ad and the records at the cursors come back, not every Smart+ ad again.
    let smart_plus_before = first.records_of("ads").iter().filter(|r| r.get("modify_time").is_none()).count();
    let smart_plus_now = ads.iter().filter(|r| r.get("modify_time").is_none()).count();
    assert!(smart_plus_now < smart_plus_before, "{smart_plus_now} of {smart_plus_before} Smart+ ads re-read");
    // A third read from the second's state re-reads at most the Smart+ ad at each cursor.
    let third = h.read(&config, &["ads"], Mode::Incremental, Some(&second.final_state()));
    third.assert_success();
    let advertisers = h.sim.account().advertisers.len();
    assert!(third.records_of("ads").iter().filter(|r| r.get("modify_time").is_none()).count() <= advertisers);
}

#[test]
fn states_come_after_the_records_they_cover() {
    let h = Harness::new("order", SimConfig::default());
    let run = h.read(&h.oauth_config(), &["campaigns"], Mode::Incremental, None);
    run.assert_success();
    // Replaying the output: every advertiser's cursor in a state must be covered by a record
    // already seen, with that modify_time.
    let mut seen: Vec<(String, String)> = Vec::new();
    let mut states = 0;
    for m in &run.messages {
        match m["type"].as_str().unwrap() {
            "RECORD" => {
                let r = &m["record"]["data"];
                seen.push((r["advertiser_id"].as_str().unwrap().into(), r["modify_time"].as_str().unwrap().into()));
            }
            "STATE" => {
                states += 1;
                for p in m["state"]["stream"]["stream_state"]["states"].as_array().unwrap() {
                    let pair = (
                        p["partition"]["advertiser_id"].as_str().unwrap().to_string(),
                        p["cursor"]["modify_time"].as_str().unwrap().to_string(),
                    );
                    assert!(seen.contains(&pair), "state {pair:?} was emitted before its record");
                }
            }
            _ => {}
        }
    }
    assert_eq!(states, h.sim.account().advertisers.len(), "one checkpoint per advertiser");
}

#[test]
fn sandbox_configs_read_the_configured_advertiser_without_listing_advertisers() {
    let h = Harness::new("sandbox", SimConfig::default());
    let config = h.sandbox_config();
    let run = h.read(&config, &["advertisers", "campaigns", "ad_groups", "ads"], Mode::FullRefresh, None);
    run.assert_success();
    let advertiser = h.sim.account().advertisers[0].id.clone();
    for (stream, _, _) in ENTITY_STREAMS {
        let records = run.records_of(stream);
        assert!(!records.is_empty(), "{stream}");
        assert!(records.iter().all(|r| r["advertiser_id"] == json!(advertiser)));
    }
    assert!(!run.records().contains_key("advertiser_ids"));
    assert!(h.sim.requests().iter().all(|r| r.endpoint() != "oauth2/advertiser/get"));
}

#[test]
fn configured_advertiser_id_limits_the_sync_to_that_advertiser() {
    let h = Harness::new("one-advertiser", SimConfig::default());
    let second = h.sim.account().advertisers[1].id.clone();
    let config = h.config().advertiser(&second).build();
    let run = h.read(&config, &["campaigns", "advertisers"], Mode::FullRefresh, None);
    run.assert_success();
    assert!(run.records_of("campaigns").iter().all(|r| r["advertiser_id"] == json!(second)));
    assert_eq!(run.records_of("advertisers").len(), 1);
}
