//! End-to-end: audiences, creative assets, Spark Ads and pixels.

use std::collections::BTreeSet;

use harness::*;
use serde_json::{json, Value};
use tiktok_sim::SimConfig;

/// (stream, endpoint, key field, page size the connector must ask for)
const ASSET_STREAMS: &[(&str, &str, &str, &str)] = &[
    ("audiences", "dmp/custom_audience/list", "audience_id", "100"),
    ("creative_assets_images", "file/image/ad/search", "image_id", "100"),
    ("creative_assets_videos", "file/video/ad/search", "video_id", "100"),
    ("creative_assets_music", "file/music/get", "music_id", "1000"),
    ("creative_assets_portfolios", "creative/portfolio/list", "creative_portfolio_id", "100"),
    ("spark_ads", "tt_video/list", "spark_ads_post_id", "50"),
    ("pixels", "pixel/list", "pixel_id", "20"),
];

/// A simulator config in which the token may not call `endpoint` for the advertiser at
/// `index`, and that advertiser's id.
fn denying(mut sim_config: SimConfig, index: usize, endpoint: &str) -> (SimConfig, String) {
    let account = tiktok_sim::Account::generate(&sim_config.account.size, sim_config.account.seed);
    let denied = account.advertisers[index].id.clone();
    sim_config.credentials.permission_denied = vec![(denied.clone(), endpoint.into())];
    (sim_config, denied)
}

fn keys(records: &[Value], key: &str) -> BTreeSet<(String, String)> {
    records
        .iter()
        .map(|r| (r["advertiser_id"].as_str().unwrap().to_string(), r[key].as_str().unwrap().to_string()))
        .collect()
}

fn expected(h: &Harness, endpoint: &str) -> BTreeSet<(String, String)> {
    h.sim
        .account()
        .assets
        .iter()
        .filter(|a| a.endpoint == endpoint)
        .map(|a| (a.advertiser_id.clone(), a.id.clone()))
        .collect()
}

#[test]
fn discover_lists_the_44_reference_streams_12_gmv_max_and_9_smart_plus_ones_and_the_28_sandbox_ones() {
    let h = Harness::new("assets-discover", SimConfig::default());
    let prod = h.discover(&h.oauth_config());
    let all: Vec<&str> = prod["streams"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(all.len(), 65, "{all:?}");
    assert_eq!(all.iter().filter(|n| n.starts_with("gmv_max_")).count(), 12, "{all:?}");
    assert_eq!(all.iter().filter(|n| n.starts_with("smart_plus_")).count(), 9, "{all:?}");
    let sandbox = h.discover(&h.sandbox_config());
    let names: Vec<&str> = sandbox["streams"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 28, "{names:?}");
    for hidden in ["spark_ads", "pixels", "pixel_events_statistics", "pixel_instant_page_events", "advertiser_ids"] {
        assert!(!names.contains(&hidden), "{hidden}");
    }
    let find = |name: &str| prod["streams"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap().clone();
    assert_eq!(find("pixel_events_statistics")["source_defined_primary_key"], json!([["pixel_id"]]));
    assert!(find("pixel_instant_page_events")["json_schema"]["description"].as_str().unwrap().contains("natural key"));
    assert_eq!(find("creative_assets_images")["default_cursor_field"], json!(["modify_time"]));
}

#[test]
fn every_asset_stream_reads_every_record_of_every_advertiser_at_its_page_size() {
    let mut sim_config = SimConfig::default();
    sim_config.account.size.assets_per_kind = 45; // 135 images: two pages of 100
    let h = Harness::new("assets-full", sim_config);
    let config = h.config().rps(300).build();
    let names: Vec<&str> = ASSET_STREAMS.iter().map(|s| s.0).collect();
    let run = h.read(&config, &names, Mode::FullRefresh, None);
    run.assert_success();
    assert_records_match_schemas(&run, &h.discover(&config));
    for (stream, endpoint, key, page_size) in ASSET_STREAMS {
        let records = run.records_of(stream);
        assert_eq!(keys(&records, key), expected(&h, endpoint), "{stream}");
        assert_eq!(records.len(), expected(&h, endpoint).len(), "{stream} has duplicates");
        let requests: Vec<_> = h.requests_to(endpoint);
        assert!(requests.iter().all(|r| r.query["page_size"] == *page_size), "{stream}: page_size");
    }
    for r in run.records_of("spark_ads") {
        assert_eq!(r["spark_ads_post_id"], r["item_info"]["item_id"]);
    }
    let image_pages = h.sim.requests().iter().filter(|r| r.endpoint() == "file/image/ad/search").count();
    assert_eq!(image_pages, 2 * h.sim.account().advertisers.len());
}

#[test]
fn images_and_videos_are_incremental_on_their_iso_modify_time() {
    let h = Harness::new("assets-incremental", SimConfig::default());
    let config = h.config().rps(300).build();
    let streams = ["creative_assets_images", "creative_assets_videos"];
    let first = h.read(&config, &streams, Mode::Incremental, None);
    first.assert_success();
    let second = h.read(&config, &streams, Mode::Incremental, Some(&first.final_state()));
    second.assert_success();
    // Exactly the records at each advertiser's cursor come back (the newest modify_time, which
    // another asset may share).
    for (stream, endpoint, key) in [
        ("creative_assets_images", "file/image/ad/search", "image_id"),
        ("creative_assets_videos", "file/video/ad/search", "video_id"),
    ] {
        let assets: Vec<_> = h.sim.account().assets.into_iter().filter(|a| a.endpoint == endpoint).collect();
        let newest = |advertiser: &str| {
            assets
                .iter()
                .filter(|a| a.advertiser_id == advertiser)
                .map(|a| a.fields["modify_time"].as_str().unwrap().to_string())
                .max()
        };
        let at_cursor: BTreeSet<(String, String)> = assets
            .iter()
            .filter(|a| Some(a.fields["modify_time"].as_str().unwrap().to_string()) == newest(&a.advertiser_id))
            .map(|a| (a.advertiser_id.clone(), a.id.clone()))
            .collect();
        assert!(!at_cursor.is_empty());
        assert_eq!(keys(&second.records_of(stream), key), at_cursor, "{stream}");
    }
    let image = h.sim.account().assets.iter().find(|a| a.endpoint == "file/image/ad/search").unwrap().id.clone();
    let touched = h.sim.touch(&image);
    let third = h.read(&config, &streams, Mode::Incremental, Some(&second.final_state()));
    third.assert_success();
    let images = third.records_of("creative_assets_images");
    let changed: Vec<_> = images.iter().filter(|r| r["image_id"] == json!(image)).collect();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0]["modify_time"], json!(touched));
    assert!(touched.ends_with('Z'));
}

#[test]
fn a_missing_creative_permission_skips_only_that_advertisers_images() {
    let (sim_config, denied) = denying(SimConfig::default(), 0, "file/image/ad/search");
    let h = Harness::new("assets-40001", sim_config);
    let config = h.config().rps(300).build();
    let run =
        h.read(&config, &["creative_assets_images", "creative_assets_videos", "campaigns"], Mode::FullRefresh, None);
    run.assert_success();
    let images = run.records_of("creative_assets_images");
    assert!(!images.is_empty());
    assert!(images.iter().all(|r| r["advertiser_id"] != json!(denied)), "images of the denied advertiser");
    let other = h.sim.account().advertisers[1].id.clone();
    let expected_other: BTreeSet<_> =
        expected(&h, "file/image/ad/search").into_iter().filter(|(a, _)| *a == other).collect();
    assert_eq!(keys(&images, "image_id"), expected_other);
    assert_eq!(keys(&run.records_of("creative_assets_videos"), "video_id"), expected(&h, "file/video/ad/search"));
    assert!(!run.records_of("campaigns").is_empty());
    let warned = run.of_type("LOG").iter().any(|m| {
        let text = m["log"]["message"].as_str().unwrap();
        m["log"]["level"] == "WARN"
            && text.contains(&denied)
            && text.contains("40001")
            && text.contains("creative_assets_images")
    });
    assert!(warned, "no warning names the advertiser and the permission error");
    assert_eq!(run.stream_statuses("creative_assets_images").last().unwrap(), "COMPLETE");
}

#[test]
fn pixel_statistics_send_json_arrays_of_at_most_ten_pixels_and_a_valid_30_day_range() {
    let mut sim_config = SimConfig::default();
    sim_config.account.size.assets_per_kind = 2;
    let h = Harness::new("assets-pixel-stats", sim_config);
    let run = h.read(&h.config().rps(300).build(), &["pixel_events_statistics"], Mode::FullRefresh, None);
    run.assert_success();
    let records = run.records_of("pixel_events_statistics");
    assert_eq!(keys(&records, "pixel_id"), expected(&h, "pixel/list"));
    for r in &records {
        assert!(r["statistics"].as_array().is_some_and(|s| !s.is_empty()));
    }
    for r in h.sim.requests().iter().filter(|r| r.endpoint() == "pixel/event/stats") {
        let ids: Value = serde_json::from_str(&r.query["pixel_ids"]).expect("pixel_ids is JSON");
        assert!(ids.as_array().is_some_and(|a| (1..=10).contains(&a.len())));
        let range: Value = serde_json::from_str(&r.query["date_range"]).expect("date_range is JSON");
        assert!(range["start_date"].is_string() && range["end_date"].is_string());
        assert_eq!(r.response_code, Some(0));
    }
}

#[test]
fn instant_page_events_cover_every_objective_and_goal_and_skip_unsupported_pairs() {
    let h = Harness::new("assets-instant-page", SimConfig::default());
    let run = h.read(&h.config().rps(300).build(), &["pixel_instant_page_events"], Mode::FullRefresh, None);
    run.assert_success();
    let advertisers = h.sim.account().advertisers.len();
    let requests: Vec<_> = h.requests_to("pixel/instant_page/event");
    assert_eq!(requests.len(), 220 * advertisers, "10 objectives x 22 goals per advertiser");
    let supported = requests.iter().filter(|r| r.response_code == Some(0)).count();
    let records = run.records_of("pixel_instant_page_events");
    assert_eq!(records.len(), supported);
    let unique: BTreeSet<String> = records
        .iter()
        .map(|r| {
            format!("{}|{}|{}|{}", r["advertiser_id"], r["objective_type"], r["optimization_goal"], r["business_type"])
        })
        .collect();
    assert_eq!(unique.len(), records.len());
}

#[test]
fn instant_page_events_refused_for_every_combination_fail_the_stream_loudly() {
    let mut sim_config = SimConfig::default();
    sim_config.scenarios.instant_page_parameter_error = true;
    let h = Harness::new("assets-instant-page-refused", sim_config);
    let run = h.read(&h.config().rps(300).build(), &["pixel_instant_page_events", "pixels"], Mode::FullRefresh, None);
    assert_eq!(run.exit_code, 1, "a stream TikTok never answers must not end COMPLETE");
    assert_eq!(run.stream_statuses("pixel_instant_page_events").last().unwrap(), "INCOMPLETE");
    assert_eq!(run.stream_statuses("pixels").last().unwrap(), "COMPLETE", "the other stream is read");
    let error = run.errors()[0];
    assert_eq!(error["stream_descriptor"]["name"], "pixel_instant_page_events");
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("refused every one of the 220") && message.contains("220 x 40002"), "{message}");
}

#[test]
fn a_denied_advertiser_is_skipped_in_pixel_statistics_and_the_others_are_read() {
    let (sim_config, denied) = denying(SimConfig::default(), 0, "pixel/event/stats");
    let h = Harness::new("assets-pixel-stats-denied", sim_config);
    let run = h.read(&h.config().rps(300).build(), &["pixel_events_statistics"], Mode::FullRefresh, None);
    run.assert_success();
    let read = keys(&run.records_of("pixel_events_statistics"), "pixel_id");
    let others: BTreeSet<_> = expected(&h, "pixel/list").into_iter().filter(|(a, _)| *a != denied).collect();
    assert!(!others.is_empty());
    assert_eq!(read, others, "every pixel of the other advertisers, none of the denied one");
    let warned = run.of_type("LOG").iter().any(|m| {
        let text = m["log"]["message"].as_str().unwrap();
        m["log"]["level"] == "WARN" && text.contains(&denied) && text.contains("40001")
    });
    assert!(warned, "no warning names the skipped advertiser");
}

#[test]
fn a_denied_advertiser_in_an_advertiser_info_batch_skips_only_that_advertiser() {
    let mut three = SimConfig::default();
    three.account.size.advertisers = 3;
    let (sim_config, denied) = denying(three, 1, "advertiser/info");
    let h = Harness::new("advertisers-denied", sim_config);
    let run = h.read(&h.config().rps(300).build(), &["advertisers"], Mode::FullRefresh, None);
    run.assert_success();
    let read: BTreeSet<String> =
        run.records_of("advertisers").iter().map(|r| r["advertiser_id"].as_str().unwrap().to_string()).collect();
    let others: BTreeSet<String> =
        h.sim.account().advertisers.iter().map(|a| a.id.clone()).filter(|id| *id != denied).collect();
    assert_eq!(read, others);
    assert!(run
        .of_type("LOG")
        .iter()
        .any(|m| m["log"]["level"] == "WARN" && m["log"]["message"].as_str().unwrap().contains(&denied)));
}

#[test]
fn images_past_the_10000_tiktok_lists_are_named_in_a_warning() {
    let mut sim_config = SimConfig::default();
    sim_config.account.size.advertisers = 1;
    sim_config.account.size.assets_per_kind = 3_400; // 10,200 images
    let h = Harness::new("assets-image-cap", sim_config);
    let run = h.read(&h.config().rps(300).build(), &["creative_assets_images"], Mode::FullRefresh, None);
    run.assert_success();
    assert_eq!(run.records_of("creative_assets_images").len(), 10_000);
    let requests: Vec<_> = h.requests_to("file/image/ad/search");
    assert_eq!(requests.len(), 100, "100 pages of 100, none past the cap");
    assert!(requests.iter().all(|r| r.response_code == Some(0)));
    let advertiser = h.sim.account().advertisers[0].id.clone();
    let warned = run.of_type("LOG").iter().any(|m| {
        let text = m["log"]["message"].as_str().unwrap();
        m["log"]["level"] == "WARN"
            && text.contains("creative_assets_images")
            && text.contains(&advertiser)
            && text.contains("first 10000 records of file/image/ad/search/")
            && text.contains("left out")
    });
    assert!(warned, "no warning names the stream, the advertiser and the images left out");
}
