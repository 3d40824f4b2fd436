//! The read engine: advertiser partitions, paging, cursors and checkpoints, shared by every
//! stream of the table.

use std::collections::HashSet;

use serde_json::{json, Map, Value};

use crate::api::{self, ApiClient, ApiRequest};
use crate::bindings::tiktok::connector::types::StreamStatus;
use crate::config::{Config, Credentials};
use crate::error::{Error, Result};
use crate::governor::RateGovernor;
use crate::output;
use crate::state::{parse_time, PartitionedCursor};
use crate::streams::{self, ListSpec, Source, StreamDef};

/// advertiser/info takes at most this many ids per call.
const ADVERTISER_INFO_BATCH: usize = 100;
/// TikTok asks to keep `modified_after` within six months.
const MODIFIED_AFTER_MAX_DAYS: i64 = 180;
/// A list that still has pages after this many is not ending; stop rather than loop forever.
const MAX_PAGES: u64 = 100_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncMode {
    FullRefresh,
    Incremental,
}

/// One stream of the configured catalog.
pub struct SelectedStream {
    pub def: &'static StreamDef,
    pub mode: SyncMode,
}

/// Parse Airbyte's configured catalog, keeping only what this connector can serve.
pub fn parse_catalog(text: &str, config: &Config) -> Result<Vec<SelectedStream>> {
    let catalog: Value =
        serde_json::from_str(text).map_err(|e| Error::config(format!("catalog is not valid JSON: {e}")))?;
    let entries = catalog
        .get("streams")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::config("catalog: \"streams\" must be a list"))?;
    let mut selected = Vec::new();
    let mut seen = HashSet::new();
    for (i, entry) in entries.iter().enumerate() {
        let name = entry
            .pointer("/stream/name")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::config(format!("catalog: streams[{i}].stream.name is missing")))?;
        let def = streams::available(config.is_sandbox()).find(|d| d.name == name).ok_or_else(|| {
            let why = if streams::find(name).is_some() { "is not available to sandbox configs" } else { "is not a stream of this connector" };
            Error::config(format!("catalog: stream {name:?} {why}"))
        })?;
        let mode = match entry.get("sync_mode").and_then(Value::as_str) {
            Some("incremental") if def.cursor.is_some() => SyncMode::Incremental,
            Some("incremental") => {
                return Err(Error::config(format!("catalog: stream {name:?} supports full_refresh only")))
            }
            Some("full_refresh") | None => SyncMode::FullRefresh,
            Some(other) => return Err(Error::config(format!("catalog: streams[{i}].sync_mode {other:?} is unknown"))),
        };
        if seen.insert(name) {
            selected.push(SelectedStream { def, mode });
        }
    }
    Ok(selected)
}

/// Writes one stream's output: records in page batches, RUNNING before the first of them,
/// and states only after the records they cover.
struct StreamWriter {
    name: &'static str,
    running: bool,
}

impl StreamWriter {
    fn records(&mut self, records: &[Value]) {
        if records.is_empty() {
            return;
        }
        if !self.running {
            output::status(self.name, StreamStatus::Running);
            self.running = true;
        }
        let texts: Vec<String> = records.iter().map(Value::to_string).collect();
        output::records(self.name, &texts);
    }

    fn state(&self, state: &Value) {
        output::state(self.name, state);
    }
}

pub struct Reader {
    config: Config,
    api: ApiClient,
    /// `oauth2/advertiser/get/` answer, fetched once per sync.
    authorized: Option<Vec<Value>>,
}

impl Reader {
    pub fn new(config: Config, base_url: &str) -> Self {
        let governor = RateGovernor::new(config.requests_per_second);
        let api = ApiClient::new(base_url, config.access_token(), governor);
        Self { config, api, authorized: None }
    }

    fn call(&mut self, request: &ApiRequest) -> Result<api::ApiResponse> {
        self.api.get(request).map_err(|e| e.into_error(request.path))
    }

    /// Advertisers the token may read, as `oauth2/advertiser/get/` lists them.
    fn authorized_advertisers(&mut self) -> Result<Vec<Value>> {
        if let Some(list) = &self.authorized {
            return Ok(list.clone());
        }
        let Credentials::OAuth { app_id, secret, .. } = &self.config.credentials else {
            return Err(Error::config("the sandbox cannot list advertisers; set credentials.advertiser_id"));
        };
        let request = ApiRequest::new("oauth2/advertiser/get").param("app_id", app_id.clone()).param("secret", secret.clone());
        let mut data = self.call(&request)?.data;
        let list = api::take_list(&mut data, "list")?;
        self.authorized = Some(list.clone());
        Ok(list)
    }

    /// The advertiser partitions of this sync: the one the config names, or every one the
    /// token may read.
    pub fn advertiser_ids(&mut self) -> Result<Vec<String>> {
        let configured = match &self.config.credentials {
            Credentials::OAuth { advertiser_id, .. } => advertiser_id.clone(),
            Credentials::Sandbox { advertiser_id, .. } => Some(advertiser_id.clone()),
        };
        if let Some(id) = configured {
            return Ok(vec![id]);
        }
        let ids: Vec<String> =
            self.authorized_advertisers()?.iter().filter_map(|a| a.get("advertiser_id").and_then(id_string)).collect();
        if ids.is_empty() {
            return Err(Error::config("the access token is not authorized for any advertiser"));
        }
        Ok(ids)
    }

    /// Prove the credentials work: list advertisers and read one page of campaigns.
    pub fn check(&mut self) -> Result<()> {
        let ids = self.advertiser_ids()?;
        let request = ApiRequest::new("campaign/get").param("advertiser_id", ids[0].clone()).param("page_size", "1");
        self.call(&request)?;
        Ok(())
    }

    pub fn read_stream(&mut self, stream: &SelectedStream, state: Option<&Value>) -> Result<()> {
        let def = stream.def;
        let mut writer = StreamWriter { name: def.name, running: false };
        match &def.source {
            Source::AdvertiserIds => {
                let list = self.authorized_advertisers()?;
                writer.records(&list);
                Ok(())
            }
            Source::AdvertiserInfo => self.read_advertiser_info(&mut writer),
            Source::List(spec) => {
                let cursor = match (stream.mode, def.cursor) {
                    (SyncMode::Incremental, Some(field)) => Some(PartitionedCursor::parse(def.name, field, state)?),
                    _ => None,
                };
                self.read_list(def, spec, cursor, &mut writer)
            }
        }
    }

    fn read_advertiser_info(&mut self, writer: &mut StreamWriter) -> Result<()> {
        let ids = self.advertiser_ids()?;
        for batch in ids.chunks(ADVERTISER_INFO_BATCH) {
            let request = ApiRequest::new("advertiser/info").json_param("advertiser_ids", &json!(batch));
            let mut data = self.call(&request)?.data;
            writer.records(&api::take_list(&mut data, "list")?);
        }
        Ok(())
    }

    fn read_list(
        &mut self,
        def: &StreamDef,
        spec: &ListSpec,
        mut cursor: Option<PartitionedCursor>,
        writer: &mut StreamWriter,
    ) -> Result<()> {
        let cursor_field = def.cursor.unwrap_or_default();
        for advertiser in self.advertiser_ids()? {
            let since = cursor.as_ref().and_then(|c| c.get(&advertiser)).map(str::to_string);
            let since_time = since.as_deref().and_then(parse_time);
            let mut newest: Option<String> = None;
            let request = self.list_request(spec, &advertiser, since_time);
            let outcome = self.paginate(&request, spec.list_key, |page| {
                // Records at the cursor itself are kept: another object may share that second.
                page.retain(|record| match (since_time, record.get(cursor_field).and_then(Value::as_str)) {
                    (Some(since), Some(value)) => parse_time(value).is_none_or(|t| t >= since),
                    // Objects without a cursor value (Smart+ ads lack modify_time) are always kept.
                    _ => true,
                });
                if cursor.is_some() {
                    for value in page.iter().filter_map(|r| r.get(cursor_field).and_then(Value::as_str)) {
                        if newest.as_deref().and_then(parse_time) < parse_time(value) {
                            newest = Some(value.to_string());
                        }
                    }
                }
                writer.records(page);
            });
            match outcome {
                Ok(()) => {}
                Err(e) if is_per_advertiser_denial(&e) => {
                    output::log_warn(&format!("{}: skipping advertiser {advertiser}: {}", def.name, e.message));
                    continue;
                }
                Err(e) => return Err(e.context(format!("advertiser {advertiser}"))),
            }
            // Every record of this advertiser is out: its cursor may move.
            if let Some(cursor) = cursor.as_mut() {
                if let Some(newest) = newest {
                    cursor.advance(&advertiser, &newest);
                }
                writer.state(&cursor.to_json());
            }
        }
        Ok(())
    }

    fn list_request(&self, spec: &ListSpec, advertiser: &str, since: Option<chrono::NaiveDateTime>) -> ApiRequest {
        let mut filtering = Map::new();
        if self.config.include_deleted {
            if let Some((key, value)) = spec.deleted_filter {
                filtering.insert(key.into(), json!(value));
            }
        }
        if let (true, Some(since)) = (spec.modified_after_filter, since) {
            let age = chrono::Utc::now().naive_utc() - since;
            if age.num_days() < MODIFIED_AFTER_MAX_DAYS {
                // One second earlier, so objects modified at the cursor itself come back
                // whether the server's comparison is strict or not.
                let after = since - chrono::Duration::seconds(1);
                filtering.insert("modified_after".into(), json!(after.format("%Y-%m-%d %H:%M:%S").to_string()));
            }
        }
        let mut request = ApiRequest::new(spec.endpoint)
            .param("advertiser_id", advertiser)
            .param("page_size", spec.page_size.to_string());
        if !filtering.is_empty() {
            request = request.json_param("filtering", &Value::Object(filtering));
        }
        request
    }

    /// Fetch every page of a list, handing each page's records to `on_page` in order.
    fn paginate(
        &mut self,
        request: &ApiRequest,
        list_key: &str,
        mut on_page: impl FnMut(&mut Vec<Value>),
    ) -> Result<()> {
        let mut page = 1u64;
        loop {
            let paged = request.clone().param("page", page.to_string());
            let mut data = self.call(&paged)?.data;
            let mut records = api::take_list(&mut data, list_key)?;
            let total_pages = api::total_pages(&data);
            let empty = records.is_empty();
            on_page(&mut records);
            if empty || page >= total_pages {
                return Ok(());
            }
            page += 1;
            if page > MAX_PAGES {
                return Err(Error::transient(format!(
                    "{}/: the list did not end after {MAX_PAGES} pages",
                    request.path
                )));
            }
        }
    }
}

/// TikTok answers 40001/40002 for one advertiser the token can no longer read.
fn is_per_advertiser_denial(e: &Error) -> bool {
    matches!(e.api_code, Some(40001 | 40002))
}

fn id_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Read every selected stream; a failing stream does not stop the others.
pub fn read(config: Config, base_url: &str, catalog: &str, state: Option<&str>) -> Result<()> {
    let selected = parse_catalog(catalog, &config)?;
    let state: Map<String, Value> = match state {
        None => Map::new(),
        Some(text) => match serde_json::from_str(text) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return Err(Error::config("state must be a JSON object keyed by stream name")),
            Err(e) => return Err(Error::config(format!("state is not valid JSON: {e}"))),
        },
    };
    let mut reader = Reader::new(config, base_url);
    let mut failures: Vec<(&str, Error)> = Vec::new();
    for stream in &selected {
        let name = stream.def.name;
        output::status(name, StreamStatus::Started);
        match reader.read_stream(stream, state.get(name)) {
            Ok(()) => output::status(name, StreamStatus::Complete),
            Err(e) => {
                output::status(name, StreamStatus::Incomplete);
                output::log_warn(&format!("stream {name} failed: {}", e.message));
                failures.push((name, e));
            }
        }
    }
    output::log_info(&format!("sync finished: {} API requests", reader.api.requests_sent));
    match failures.len() {
        0 => Ok(()),
        n => {
            let (name, first) = failures.swap_remove(0);
            let mut error = first.context(format!("stream {name}"));
            error.stream = Some(name.to_string());
            if n > 1 {
                error.message.push_str(&format!(" (and {} more failed streams)", n - 1));
            }
            Err(error)
        }
    }
}
