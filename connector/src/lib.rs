//! TikTok Marketing source connector, as a WebAssembly component.
//!
//! `spec`, `check`, `discover` and `read` are the exports of the `tiktok:connector/source`
//! world (see `wit/`). All outbound HTTP goes through wasi:http; records, states and logs go
//! to the host through the `output` import.
//!
//! Modules are layered; each imports only from the layers below it (top first):
//!
//! 1. `read/`: `check` and the sync, every selected stream at once;
//! 2. `sources/`: one module per kind of stream (`reports.rs` hands reports to `report/`);
//! 3. `report/`: report streams by feature (windows, truncation, tasks, TopView, activity, and
//!    `facts`, what a sync learns once per advertiser);
//! 4. `context/`: what the streams of a sync share, and one stream's output and cursor;
//! 5. `fetch/`: answers fetched ahead, pages, values learned once (`OnceMap`);
//! 6. `api/`: requests, the client, the refusal policy;
//! 7. `output.rs`: everything said to the host; `scheduler/`: when requests may leave;
//! 8. `spec.rs`, `config/` (the config, custom reports, `additional_metrics`), `state.rs`;
//! 9. stream knowledge as data: `integer_ids.rs`, `streams/`, `fields.rs`, `metrics/`,
//!    `report_shape.rs`, `schema.rs`;
//! 10. `error.rs` (the error, what the API answered and what the policy decided), and
//!     `bindings.rs` (the WIT contract, generated).

#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

mod api;
// Generated code: clippy's lints are for the code we write.
#[allow(clippy::all)]
mod bindings;
mod config;
mod context;
mod error;
mod fetch;
mod fields;
#[cfg(test)]
mod fuzz;
mod integer_ids;
mod metrics;
mod output;
mod read;
mod report;
mod report_shape;
mod scheduler;
mod schema;
mod sources;
mod spec;
mod state;
mod streams;

use bindings::tiktok::connector::environment;
use bindings::tiktok::connector::types::{ConnectorError, FailureKind};
use config::Config;
use error::{Error, Kind};

struct Component;

impl bindings::Guest for Component {
    fn spec() -> String {
        spec::spec().to_string()
    }

    fn check(config: String) -> Result<String, ConnectorError> {
        let config = load_config(&config)?;
        let base = base_url(&config);
        wstd::runtime::block_on(read::check(config, &base)).map_err(to_wit)
    }

    fn discover(config: String) -> Result<String, ConnectorError> {
        let config = load_config(&config)?;
        let entry = |s: &streams::StreamDef| {
            let mut entry = s.catalog_entry();
            if config.integer_ids {
                integer_ids::retype_schema(s, &mut entry["json_schema"]);
            }
            entry
        };
        let entries: Vec<_> = config.streams().into_iter().map(entry).collect();
        Ok(serde_json::json!({ "streams": entries }).to_string())
    }

    fn read(config: String, catalog: String, state: Option<String>) -> Result<(), ConnectorError> {
        let config = load_config(&config)?;
        let base = base_url(&config);
        wstd::runtime::block_on(read::read(config, &base, &catalog, state.as_deref())).map_err(to_wit)
    }
}

fn load_config(text: &str) -> Result<Config, ConnectorError> {
    let config = Config::parse(text).map_err(to_wit)?;
    output::register_secrets(config.secrets());
    Ok(config)
}

fn base_url(config: &Config) -> String {
    environment::api_base_url().unwrap_or_else(|| config.default_base_url().to_string())
}

fn to_wit(e: Error) -> ConnectorError {
    ConnectorError {
        kind: match e.kind {
            Kind::Config => FailureKind::ConfigError,
            Kind::Transient => FailureKind::TransientError,
            Kind::System => FailureKind::SystemError,
        },
        message: output::mask(&e.message),
        stream_name: e.stream,
    }
}

// Native builds exist only for unit tests; the component's export names (`read`, `check`)
// would shadow libc's there.
#[cfg(target_arch = "wasm32")]
bindings::export!(Component with_types_in bindings);
