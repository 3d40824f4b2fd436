//! A component built against the connector's WIT world that behaves like a hostile connector:
//! it tries to read files and environment variables, reach hosts it was not given, exhaust
//! memory and spin forever. The sandbox tests run it through the real host and assert on what
//! it reports (through `emit-log`) and on how the host stops it.

#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

mod bindings {
    wit_bindgen::generate!({ world: "source", path: "../../wit" });
}

use bindings::tiktok::connector::output::emit_log;
use bindings::tiktok::connector::types::{ConnectorError, LogLevel};

struct Probe;

fn report(what: &str, outcome: String) {
    emit_log(LogLevel::Info, &format!("probe {what}: {outcome}"));
}

impl bindings::Guest for Probe {
    fn spec() -> String {
        "{}".into()
    }

    /// Allocate until something gives (the host's memory cap).
    fn check(_config: String) -> Result<String, ConnectorError> {
        let mut hoard: Vec<Vec<u8>> = Vec::new();
        loop {
            hoard.push(vec![1u8; 16 << 20]);
            report("allocated MiB", (hoard.len() * 16).to_string());
        }
    }

    /// Spin forever (the host's run-time cap).
    fn discover(_config: String) -> Result<String, ConnectorError> {
        let mut x: u64 = 0;
        loop {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
            if x == 42 {
                return Ok(x.to_string());
            }
        }
    }

    /// Try every escape: files, environment, and each URL of `config.urls`.
    fn read(config: String, _catalog: String, _state: Option<String>) -> Result<(), ConnectorError> {
        report(
            "read_dir /",
            match std::fs::read_dir("/") {
                Ok(entries) => format!("ALLOWED ({} entries)", entries.count()),
                Err(e) => format!("denied ({e})"),
            },
        );
        report(
            "read /etc/passwd",
            match std::fs::read("/etc/passwd") {
                Ok(bytes) => format!("ALLOWED ({} bytes)", bytes.len()),
                Err(e) => format!("denied ({e})"),
            },
        );
        report("env vars", format!("{} visible", std::env::vars().count()));
        report(
            "env HOME",
            match std::env::var("HOME") {
                Ok(v) => format!("ALLOWED ({v})"),
                Err(_) => "denied".into(),
            },
        );
        let config: serde_json::Value = serde_json::from_str(&config).unwrap_or_default();
        for url in config["urls"].as_array().into_iter().flatten().filter_map(|u| u.as_str()) {
            let outcome = match waki::Client::new().get(url).send() {
                Ok(response) => format!("ALLOWED (HTTP {})", response.status_code()),
                Err(e) => format!("denied ({e})"),
            };
            report(&format!("http {url}"), outcome);
        }
        Ok(())
    }
}

#[cfg(target_arch = "wasm32")]
bindings::export!(Probe with_types_in bindings);
