//! `make bench`: throughput, start-up and memory of the real host + component against the
//! simulator, reported as ratios measured in the same run (the machines are shared and noisy).
//! Ignored by `cargo test`; run with `--ignored`.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Instant;

use common::*;
use serde_json::{json, Value};
use tiktok_sim::{DataSize, SimConfig};

/// The same pages fetched and turned into records natively: one HTTP/1.0 GET per page.
fn native_fetch(base: &str, token: &str, advertiser: &str, start: &str, end: &str, metrics: &Value) -> (usize, usize) {
    let host = base.trim_start_matches("http://");
    let (mut records, mut bytes, mut page) = (0, 0, 1);
    loop {
        let dims = json!(["ad_id", "stat_time_day"]).to_string();
        let query = format!(
            "advertiser_id={advertiser}&service_type=AUCTION&report_type=BASIC&data_level=AUCTION_AD&dimensions={}&metrics={}&start_date={start}&end_date={end}&page_size=1000&page={page}",
            url_encode(&dims),
            url_encode(&metrics.to_string())
        );
        let mut stream = TcpStream::connect(host).unwrap();
        write!(stream, "GET /open_api/v1.3/report/integrated/get/?{query} HTTP/1.0\r\nHost: {host}\r\nAccess-Token: {token}\r\nConnection: close\r\n\r\n").unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).unwrap();
        let body_at = response.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        let mut envelope: Value = serde_json::from_slice(&response[body_at..]).unwrap();
        let total_pages = envelope["data"]["page_info"]["total_page"].as_u64().unwrap();
        for mut row in envelope["data"]["list"].as_array_mut().unwrap().drain(..) {
            let dims = row["dimensions"].clone();
            row["ad_id"] = dims["ad_id"].clone();
            row["stat_time_day"] = dims["stat_time_day"].clone();
            bytes += row.to_string().len();
            records += 1;
        }
        if page >= total_pages {
            return (records, bytes);
        }
        page += 1;
    }
}

fn url_encode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

fn peak_rss_kib(dir: &std::path::Path, args: &[&str]) -> (u64, f64) {
    let started = Instant::now();
    let output = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg(host_binary())
        .args(args)
        .current_dir(dir)
        .env("SOURCE_TIKTOK_CACHE_DIR", workspace_root().join("target/component-cache"))
        .output()
        .unwrap();
    let elapsed = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    (stderr.trim().lines().last().unwrap().trim().parse().unwrap(), elapsed)
}

#[test]
#[ignore]
fn bench() {
    let mut sim_config = SimConfig::default();
    sim_config.size = DataSize { advertisers: 1, campaigns_per_advertiser: 5, adgroups_per_campaign: 10, ads_per_adgroup: 20, assets_per_kind: 4 };
    let h = Harness::new("bench", sim_config);
    let start = (chrono::Utc::now().date_naive() - chrono::Duration::days(29)).to_string();
    let end = chrono::Utc::now().date_naive().to_string();
    let mut config = h.oauth_config();
    config["start_date"] = json!(start);
    config["requests_per_second"] = json!(1000);
    let advertiser = h.sim.account().advertisers[0].id.clone();
    config["credentials"]["advertiser_id"] = json!(advertiser);

    // Throughput: one 30-day window of the 79-metric ad report.
    let catalog = h.discover(&config);
    let stream = catalog["streams"].as_array().unwrap().iter().find(|s| s["name"] == "ads_reports_daily").unwrap().clone();
    let config_path = h.write("config.json", &config);
    let catalog_path = h.write("catalog.json", &json!({"streams": [{"stream": stream, "sync_mode": "full_refresh", "destination_sync_mode": "overwrite"}]}));
    let base = h.sim.base_url();
    let args = ["read", "--config", config_path.as_str(), "--catalog", catalog_path.as_str(), "--api-base-url", base.as_str()];
    let _warm = run_host(&h.dir, &args);
    let started = Instant::now();
    let run = run_host(&h.dir, &args);
    let connector_secs = started.elapsed().as_secs_f64();
    run.assert_success();
    let records = run.records_of("ads_reports_daily").len();
    let out_bytes = run.stdout.len();

    let metrics: Value = stream["json_schema"]["properties"]["metrics"]["properties"].as_object().unwrap().keys().cloned().collect::<Vec<_>>().into();
    let started = Instant::now();
    let (native_records, native_bytes) = native_fetch(&base, &h.sim.config().access_token, &advertiser, &start, &end, &metrics);
    let native_secs = started.elapsed().as_secs_f64();
    assert_eq!(native_records, records);

    // Start-up: a cold run compiles the component; later runs load the cached native code.
    let cold_cache = scratch_dir("bench-cold-cache");
    let started = Instant::now();
    let cold = Command::new(host_binary()).arg("spec").env("SOURCE_TIKTOK_CACHE_DIR", &cold_cache).output().unwrap();
    let cold_secs = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let warm = Command::new(host_binary()).arg("spec").env("SOURCE_TIKTOK_CACHE_DIR", &cold_cache).output().unwrap();
    let warm_secs = started.elapsed().as_secs_f64();
    assert!(cold.status.success() && warm.status.success());

    let (read_rss, _) = peak_rss_kib(&h.dir, &args);
    let (spec_rss, _) = peak_rss_kib(&h.dir, &["spec"]);

    println!("bench: ads_reports_daily, 30 days, 1000 ads, 79 metrics");
    println!("  records                      {records} ({:.1} MB of protocol output; native records {:.1} MB)", out_bytes as f64 / 1e6, native_bytes as f64 / 1e6);
    println!("  connector (host+component)   {connector_secs:.3}s = {:.0} records/s", records as f64 / connector_secs);
    println!("  native fetch+parse baseline  {native_secs:.3}s = {:.0} records/s", records as f64 / native_secs);
    println!("  connector / native time      {:.2}x", connector_secs / native_secs);
    println!("  start-up cold / cached       {cold_secs:.3}s / {warm_secs:.3}s = {:.1}x", cold_secs / warm_secs);
    println!("  peak RSS: read {:.1} MiB, spec {:.1} MiB; read / output size {:.2}", read_rss as f64 / 1024.0, spec_rss as f64 / 1024.0, read_rss as f64 * 1024.0 / out_bytes as f64);
}
