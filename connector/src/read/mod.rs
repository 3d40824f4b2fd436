//! `check`, and the sync: every selected stream read at once, each stream's advertisers at
//! once, all requests through one scheduler. Records of one advertiser's part of a stream leave
//! in a deterministic order, and a state leaves only after every record it covers.
//!
//! - `catalog`: which streams, in which mode;
//! - `crate::context`: what the streams of the sync share;
//! - `crate::sources`: what each kind of stream does with its advertisers.

pub mod catalog;

use std::rc::Rc;

use serde_json::{Map, Value};

use crate::api::{ApiClient, ApiRequest, RetryPolicy};
use crate::bindings::tiktok::connector::types::StreamStatus;
use crate::config::Config;
use crate::context::advertisers::{Advertisers, Needs};
use crate::context::{StreamRun, SyncContext};
use crate::error::{Error, Result};
use crate::output;
use crate::report::dates::DateWindow;
use crate::report::gmv_max;
use crate::report::query;
use crate::report::tasks::{quotas::CREATION_INTERVAL, CREATE_PATH};
use crate::report::ReportSync;
use crate::scheduler::Scheduler;
use crate::state::PartitionedCursor;
use catalog::SyncMode;

fn client(config: &Config, base_url: &str) -> Rc<ApiClient> {
    let retry = RetryPolicy {
        base_delay: std::time::Duration::from_millis(config.retry_base_delay_ms as u64),
        ..Default::default()
    };
    let scheduler = Scheduler::new(config.requests_per_second)
        .pacing(CREATE_PATH, CREATION_INTERVAL)
        .pacing(gmv_max::REPORT_PATH, gmv_max::REPORT_INTERVAL);
    Rc::new(ApiClient::new(base_url, config.access_token(), scheduler, retry))
}

/// Prove the credentials read the account (find the advertisers, read one campaign of the
/// first); ask TikTok about metric names the catalogue does not know; say which streams leave
/// which additional metric out.
pub async fn check(config: Config, base_url: &str) -> Result<String> {
    let api = client(&config, base_url);
    let advertisers = Advertisers::discover(&config, &api, Needs::ids_only()).await?;
    let first = advertisers
        .ids
        .first()
        .ok_or_else(|| Error::config("the access token is not authorized for any advertiser"))?;
    api.send(&ApiRequest::for_advertiser("campaign/get", first).param("page_size", "1")).await?;
    const SHOWN: usize = 20;
    let mut ids = advertisers.ids.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if advertisers.ids.len() > SHOWN {
        ids.push_str(&format!(" and {} more", advertisers.ids.len() - SHOWN));
    }
    let n = advertisers.ids.len();
    let mut said = vec![format!("the credentials reach {n} advertiser{}: {ids}", if n == 1 { "" } else { "s" })];
    if !config.is_sandbox() {
        said.push(gmv_max::stores::reach(&api, &advertisers.ids[..n.min(SHOWN)]).await);
    }
    said.extend(ask_about_unknown_metrics(&config, &api, first).await?);
    said.extend(config.additional_metrics.summary());
    Ok(said.join("; "))
}

/// A custom report's metrics the catalogue does not know are TikTok's to judge: a one-day
/// query of the report for one advertiser, TikTok's refusal said word for word.
async fn ask_about_unknown_metrics(config: &Config, api: &ApiClient, advertiser: &str) -> Result<Vec<String>> {
    let mut said = Vec::new();
    for (i, def, unknown) in crate::config::custom::unknown_metrics(&config.custom_reports) {
        let crate::streams::Source::Report(spec) = &def.source else { continue };
        let yesterday = chrono::Utc::now().date_naive() - chrono::Duration::days(1);
        let window = spec.has_dates().then_some(DateWindow { start: yesterday, end: yesterday });
        let names = unknown.join(", ");
        match api.send(&query::request(spec, advertiser, window, false, &[])).await {
            Ok(_) => said.push(format!(
                "custom_reports[{i}].metrics: TikTok accepts {names}, which the catalogue does not know (typed as decimals)"
            )),
            // A refusal is the user's to fix; a failure to ask keeps its own kind.
            Err(e) => {
                let message = format!("custom_reports[{i}].metrics: TikTok refuses the report with {names}: {}", e.message);
                return Err(Error { message, ..e });
            }
        }
    }
    Ok(said)
}

/// Read every selected stream; a failing stream does not stop the others.
pub async fn read(config: Config, base_url: &str, catalog: &str, state: Option<&str>) -> Result<()> {
    let selected = catalog::parse(catalog, &config)?;
    let state = parse_state(state)?;
    // Every cursor is read before the first request, so a bad state fails at once.
    let mut cursors = Vec::with_capacity(selected.len());
    for stream in &selected {
        cursors.push(match (stream.mode, stream.def.cursor) {
            (SyncMode::Incremental, Some(field)) => {
                Some(PartitionedCursor::parse(stream.def.name, field, state.get(stream.def.name))?)
            }
            _ => None,
        });
    }
    let api = client(&config, base_url);
    let defs: Vec<_> = selected.iter().map(|stream| stream.def).collect();
    let needs = Needs::of(&defs, &config);
    let advertisers = Advertisers::discover(&config, &api, needs).await?;
    let reports = Rc::new(ReportSync::new(&config, &defs));
    let sync = Rc::new(SyncContext { config, api, advertisers });
    let tasks: Vec<_> = selected
        .iter()
        .zip(cursors)
        .map(|(stream, cursor)| {
            let run = Rc::new(StreamRun::new(sync.clone(), stream.def, cursor));
            wstd::runtime::spawn(read_stream(run, reports.clone()))
        })
        .collect();
    let mut failures = Vec::new();
    for task in tasks {
        if let Err(e) = task.await {
            failures.push(e);
        }
    }
    if let Some(summary) = reports.summary() {
        output::log_info(&summary);
    }
    let (sent, throttled, peak) = sync.api.scheduler.totals();
    output::log_info(&format!(
        "sync finished: {sent} API requests, {throttled} throttled answers, at most {peak} in flight"
    ));
    crate::error::first_failure(failures, "failed streams")
}

async fn read_stream(run: Rc<StreamRun>, reports: Rc<ReportSync>) -> Result<()> {
    let name = run.def.name;
    output::status(name, StreamStatus::Started);
    match crate::sources::read(&run, &reports).await {
        Ok(()) => {
            output::status(name, StreamStatus::Complete);
            Ok(())
        }
        Err(e) => {
            output::status(name, StreamStatus::Incomplete);
            output::log_warn(&format!("stream {name} failed: {}", e.message));
            let mut error = e.context(format!("stream {name}"));
            error.stream = Some(name.to_string());
            Err(error)
        }
    }
}

fn parse_state(state: Option<&str>) -> Result<Map<String, Value>> {
    match state {
        None => Ok(Map::new()),
        Some(text) => match serde_json::from_str(text) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(Error::config("state must be a JSON object keyed by stream name")),
            Err(e) => Err(Error::config(format!("state is not valid JSON: {e}"))),
        },
    }
}
