//! Run the TikTok API simulator until killed. Prints `PORT=<port>` and the credentials a
//! connector config needs, one per line, then serves.

use std::io::Write;

use clap::Parser;
use tiktok_sim::{SimConfig, Simulator, ALL_FAULTS};

/// A TikTok Business API v1.3 simulator on 127.0.0.1, with generated data.
#[derive(Parser)]
#[command(version, about)]
struct Args {
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Advertisers the token may read.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1000))]
    advertisers: Option<u64>,
    /// Campaigns per advertiser.
    #[arg(long)]
    campaigns: Option<usize>,
    /// Ad groups per campaign.
    #[arg(long)]
    adgroups: Option<usize>,
    /// Ads per ad group.
    #[arg(long)]
    ads: Option<usize>,
    /// Upgraded Smart+ campaigns per advertiser (each one ad group of 2 ads of 3 creatives).
    #[arg(long, default_value_t = 1)]
    smart_plus_campaigns: usize,
    /// Seed of the generated data.
    #[arg(long)]
    seed: Option<u64>,
    /// Share of requests (0 to 1) answered with one of TikTok's passing faults.
    #[arg(long, value_parser = share)]
    fault_rate: Option<f64>,
    /// App quota per second; requests over it get code 40100.
    #[arg(long)]
    qps: Option<usize>,
    /// App quota per minute.
    #[arg(long)]
    qpm: Option<usize>,
    /// Milliseconds every answer takes (TikTok's reports take 500 to 2000).
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// The last N advertisers never deliver: no report rows at any level, ever.
    #[arg(long, default_value_t = 0)]
    idle_advertisers: usize,
    /// Share of days (0 to 1) the other advertisers deliver on; no report rows on the rest.
    #[arg(long, value_parser = share, default_value_t = 1.0)]
    active_day_share: f64,
}

fn share(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(f) if (0.0..=1.0).contains(&f) => Ok(f),
        _ => Err("a number from 0 to 1".into()),
    }
}

fn main() {
    let args = Args::parse();
    let mut config = SimConfig::default();
    let size = &mut config.account.size;
    size.advertisers = args.advertisers.map_or(size.advertisers, |n| n as usize);
    size.campaigns_per_advertiser = args.campaigns.unwrap_or(size.campaigns_per_advertiser);
    size.adgroups_per_campaign = args.adgroups.unwrap_or(size.adgroups_per_campaign);
    size.ads_per_adgroup = args.ads.unwrap_or(size.ads_per_adgroup);
    size.smart_plus_campaigns_per_advertiser = args.smart_plus_campaigns;
    config.account.seed = args.seed.unwrap_or(config.account.seed);
    config.limits.quota_per_second = args.qps;
    config.limits.quota_per_minute = args.qpm;
    config.limits.latency_ms = args.latency_ms;
    config.account.delivery =
        tiktok_sim::Delivery { idle_advertisers: args.idle_advertisers, active_day_share: args.active_day_share };
    if let Some(rate) = args.fault_rate {
        config.faults.rate = rate;
        config.faults.kinds = ALL_FAULTS.to_vec();
    }
    let sim = Simulator::start_on(config.clone(), args.port);
    let mut out = std::io::stdout();
    let _ = writeln!(out, "PORT={}", sim.port);
    let _ = writeln!(out, "APP_ID={}", config.credentials.app_id);
    let _ = writeln!(out, "SECRET={}", config.credentials.secret);
    let _ = writeln!(out, "ACCESS_TOKEN={}", config.credentials.access_token);
    let _ = writeln!(out, "SANDBOX_TOKEN={}", config.credentials.sandbox_token);
    let _ = writeln!(out, "SANDBOX_ADVERTISER_ID={}", sim.account().advertisers[0].id);
    let _ = out.flush();
    loop {
        std::thread::park();
    }
}
