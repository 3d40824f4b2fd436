//! Run the TikTok API simulator until killed. Prints `PORT=<port>` and the credentials a
//! connector config needs, one per line, then serves.
//!
//! Usage: tiktok-sim [--port N] [--advertisers N] [--campaigns N] [--adgroups N] [--ads N]
//!                   [--seed N] [--fault-rate F] [--qps N] [--qpm N]

use std::io::Write;

use tiktok_sim::{SimConfig, Simulator, ALL_FAULTS};

fn main() {
    let mut config = SimConfig::default();
    let mut port = 0u16;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        let number = || value.parse::<u64>().unwrap_or_else(|_| usage(&format!("{} needs a number", args[i])));
        match args[i].as_str() {
            "--port" => port = number() as u16,
            "--advertisers" => config.size.advertisers = number() as usize,
            "--campaigns" => config.size.campaigns_per_advertiser = number() as usize,
            "--adgroups" => config.size.adgroups_per_campaign = number() as usize,
            "--ads" => config.size.ads_per_adgroup = number() as usize,
            "--seed" => config.seed = number(),
            "--qps" => config.quota_per_second = Some(number() as usize),
            "--qpm" => config.quota_per_minute = Some(number() as usize),
            "--fault-rate" => {
                config.fault_rate = value.parse().unwrap_or_else(|_| usage("--fault-rate needs a number from 0 to 1"));
                config.faults = ALL_FAULTS.to_vec();
            }
            "-h" | "--help" => usage(""),
            other => usage(&format!("unknown option {other}")),
        }
        i += 2;
    }
    let sim = Simulator::start_on(config.clone(), port);
    let mut out = std::io::stdout();
    let _ = writeln!(out, "PORT={}", sim.port);
    let _ = writeln!(out, "APP_ID={}", config.app_id);
    let _ = writeln!(out, "SECRET={}", config.secret);
    let _ = writeln!(out, "ACCESS_TOKEN={}", config.access_token);
    let _ = writeln!(out, "SANDBOX_TOKEN={}", config.sandbox_token);
    let _ = writeln!(out, "SANDBOX_ADVERTISER_ID={}", sim.account().advertisers[0].id);
    let _ = out.flush();
    loop {
        std::thread::park();
    }
}

fn usage(problem: &str) -> ! {
    if !problem.is_empty() {
        eprintln!("tiktok-sim: {problem}");
    }
    eprintln!("usage: tiktok-sim [--port N] [--advertisers N] [--campaigns N] [--adgroups N] [--ads N] [--seed N] [--fault-rate F] [--qps N] [--qpm N]");
    std::process::exit(2);
}
