//! The read engine: advertiser partitions, paging, cursors and checkpoints, shared by every
//! stream of the table.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Duration, NaiveDate};

use serde_json::{json, Map, Value};

use crate::api::{self, ApiClient, ApiRequest};
use crate::bindings::tiktok::connector::types::StreamStatus;
use crate::config::{Config, Credentials};
use crate::error::{Error, Result};
use crate::governor::RateGovernor;
use crate::output;
use crate::state::{parse_time, PartitionedCursor};
use crate::reports::{self, DateWindow};
use crate::streams::{self, FanoutSpec, Granularity, ListSpec, ReportSpec, ReportType, Source, StreamDef};

/// Requests of one advertiser in flight at once (TikTok advises at most two).
const IN_FLIGHT_PER_ADVERTISER: usize = 2;
/// advertiser/info takes at most this many ids per call.
const ADVERTISER_INFO_BATCH: usize = 100;
/// TikTok asks to keep `modified_after` within six months.
const MODIFIED_AFTER_MAX_DAYS: i64 = 180;
/// A list may grow while it is read, but not without end: past this many pages beyond what
/// its first page announced, stop rather than loop forever.
const MAX_EXTRA_PAGES: u64 = 100;

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
    /// `advertiser/info/` answers, fetched once per sync.
    advertiser_info: Option<Vec<Value>>,
    /// Each advertiser's local date, worked out once per sync.
    local_todays: Option<HashMap<String, NaiveDate>>,
}

impl Reader {
    pub fn new(config: Config, base_url: &str) -> Self {
        let governor = RateGovernor::new(config.requests_per_second);
        let retry = api::RetryPolicy { base_delay: std::time::Duration::from_millis(config.retry_base_delay_ms as u64), ..Default::default() };
        let api = ApiClient::new(base_url, config.access_token(), governor, retry);
        Self { config, api, authorized: None, advertiser_info: None, local_todays: None }
    }

    fn call(&mut self, request: &ApiRequest) -> Result<api::ApiResponse> {
        self.api.send(request).map_err(|e| e.into_error(request.path))
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
        let cursor = match (stream.mode, def.cursor) {
            (SyncMode::Incremental, Some(field)) => Some(PartitionedCursor::parse(def.name, field, state)?),
            _ => None,
        };
        match &def.source {
            Source::AdvertiserIds => {
                let list = self.authorized_advertisers()?;
                writer.records(&list);
                Ok(())
            }
            Source::AdvertiserInfo => self.read_advertiser_info(&mut writer),
            Source::List(spec) => self.read_list(def, spec, cursor, &mut writer),
            Source::Fanout(spec) => self.read_fanout(def, spec, &mut writer),
            Source::PixelStats => self.read_pixel_stats(def, &mut writer),
            Source::Report(spec) => self.read_report(def, spec, cursor, &mut writer),
        }
    }

    /// `advertiser/info/` for every advertiser of the sync, ids batched.
    fn advertiser_info(&mut self) -> Result<Vec<Value>> {
        if let Some(info) = &self.advertiser_info {
            return Ok(info.clone());
        }
        let mut info = Vec::new();
        for batch in self.advertiser_ids()?.chunks(ADVERTISER_INFO_BATCH) {
            let request = ApiRequest::new("advertiser/info").json_param("advertiser_ids", &json!(batch));
            let mut data = self.call(&request)?.data;
            info.extend(api::take_list(&mut data, "list")?);
        }
        self.advertiser_info = Some(info.clone());
        Ok(info)
    }

    fn read_advertiser_info(&mut self, writer: &mut StreamWriter) -> Result<()> {
        let info = self.advertiser_info()?;
        writer.records(&info);
        Ok(())
    }

    /// Today in each advertiser's time zone (report days are local). Where TikTok's
    /// `timezone` is not an `Etc/GMT±N` offset, or advertiser/info is out of reach (the
    /// sandbox), UTC's today stands in: the next sync re-reads the cursor day anyway.
    fn local_todays(&mut self) -> HashMap<String, NaiveDate> {
        if let Some(todays) = &self.local_todays {
            return todays.clone();
        }
        let now = chrono::Utc::now().naive_utc();
        let info = match self.advertiser_info() {
            Ok(info) => info,
            Err(e) => {
                output::log_info(&format!("advertiser time zones unavailable ({}); using UTC dates", e.message));
                Vec::new()
            }
        };
        let todays: HashMap<String, NaiveDate> = info
            .iter()
            .filter_map(|a| {
                let id = a.get("advertiser_id").and_then(id_string)?;
                let offset = a.get("timezone").and_then(Value::as_str).and_then(reports::utc_offset_hours)?;
                Some((id, (now + Duration::hours(offset)).date()))
            })
            .collect();
        self.local_todays = Some(todays.clone());
        todays
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
            let outcome = self.paginate(&request, spec.list_key, None, |page| {
                // Records at the cursor itself are kept: another object may share that second.
                page.retain(|record| match (since_time, record.get(cursor_field).and_then(Value::as_str)) {
                    (Some(since), Some(value)) => parse_time(value).is_none_or(|t| t >= since),
                    // Objects without a cursor value (Smart+ ads lack modify_time) are always kept.
                    _ => true,
                });
                for record in page.iter_mut() {
                    shape_list_record(record, spec, &advertiser);
                }
                if cursor.is_some() {
                    for value in page.iter().filter_map(|r| r.get(cursor_field).and_then(Value::as_str)) {
                        if newest.as_deref().and_then(parse_time) < parse_time(value) {
                            newest = Some(value.to_string());
                        }
                    }
                }
                writer.records(page);
            });
            if advertiser_outcome(def.name, &advertiser, outcome)?.is_none() {
                continue;
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

    fn read_report(
        &mut self,
        def: &StreamDef,
        spec: &ReportSpec,
        mut cursor: Option<PartitionedCursor>,
        writer: &mut StreamWriter,
    ) -> Result<()> {
        let query_lifetime = spec.granularity == Granularity::Lifetime && spec.report_type == ReportType::Basic;
        // Lifetime queries take no dates, so they need no time zones.
        let todays = if query_lifetime { HashMap::new() } else { self.local_todays() };
        let utc_today = chrono::Utc::now().date_naive();
        for advertiser in self.advertiser_ids()? {
            let today = todays.get(&advertiser).copied().unwrap_or(utc_today);
            let end = self.config.end_date.map_or(today, |e| e.min(today));
            let outcome = if query_lifetime {
                self.read_report_window(def, spec, &advertiser, None, writer, None, None)
            } else if spec.granularity == Granularity::Lifetime {
                // Audience reports have no query_lifetime: sum windows of a year instead.
                let windows = DateWindow::cover(self.config.start_date, end, reports::max_window_days(spec.granularity));
                let mut rows = Vec::new();
                let outcome = windows.into_iter().try_for_each(|window| {
                    self.read_report_window(def, spec, &advertiser, Some(window), writer, Some(&mut rows), None)
                });
                if outcome.is_ok() {
                    writer.records(&reports::sum_rows(rows));
                }
                outcome
            } else {
                // Re-read the attribution window before the cursor: late conversions restate it.
                let since = cursor.as_ref().and_then(|c| c.get(&advertiser)).and_then(parse_time).map(|t| t.date());
                let start = since.map_or(self.config.start_date, |day| {
                    (day - Duration::days(self.config.attribution_window as i64)).max(self.config.start_date)
                });
                let width = match spec.granularity {
                    Granularity::Daily => self.config.report_window_days,
                    _ => reports::max_window_days(spec.granularity),
                };
                let mut outcome = Ok(());
                let windows = DateWindow::cover(start, end, width);
                'windows: for batch in windows.chunks(IN_FLIGHT_PER_ADVERTISER) {
                    // The first pages of a few windows travel together; records and states
                    // still go out window by window, in order.
                    let requests: Vec<ApiRequest> = batch
                        .iter()
                        .map(|w| reports::request(spec, &advertiser, Some(*w), self.config.include_deleted))
                        .collect();
                    let firsts = self.prefetch_first_pages(&requests);
                    for (window, first) in batch.iter().zip(firsts) {
                        outcome = self.read_report_window(def, spec, &advertiser, Some(*window), writer, None, Some(first));
                        if outcome.is_err() {
                            break 'windows;
                        }
                        // Every record of the window is out: the cursor may move past it.
                        if let Some(cursor) = cursor.as_mut() {
                            cursor.advance(&advertiser, &reports::cursor_value(spec.granularity, window.end));
                            writer.state(&cursor.to_json());
                        }
                    }
                }
                outcome
            };
            advertiser_outcome(def.name, &advertiser, outcome)?;
        }
        Ok(())
    }

    /// Read one window of a report (the whole lifetime when `window` is None). A window TikTok
    /// calls too large (40067) is split in halves, down to single days. Records go to the
    /// writer, or into `collect` when the caller still has to combine them.
    fn read_report_window(
        &mut self,
        def: &StreamDef,
        spec: &ReportSpec,
        advertiser: &str,
        window: Option<DateWindow>,
        writer: &mut StreamWriter,
        mut collect: Option<&mut Vec<Value>>,
        first: Option<Result<api::ApiResponse>>,
    ) -> Result<()> {
        let request = reports::request(spec, advertiser, window, self.config.include_deleted);
        let first = match first {
            Some(first) => first,
            None => self.call(&paged_request(&request, 1)),
        };
        // TikTok cut the report to its 20k newest ads: read the window as an async task
        // instead, which is not truncated.
        let truncated = matches!(&first, Ok(response) if response.ads_throttle.is_some());
        let span = window.map_or("lifetime".to_string(), |w| format!("{}..{}", w.start, w.end));
        if truncated {
            match self.read_report_task(spec, advertiser, window) {
                Ok(rows) => {
                    output::log_info(&format!(
                        "{}: advertiser {advertiser} {span}: the synchronous report was truncated to 20,000 ads; read {} rows from an async report task instead",
                        def.name,
                        rows.len()
                    ));
                    let mut unreadable = BTreeMap::new();
                    let records: Vec<Value> = rows.into_iter().map(|row| reports::to_record(row, advertiser, &mut unreadable)).collect();
                    match collect {
                        Some(all) => all.extend(records),
                        None => writer.records(&records),
                    }
                    return Ok(());
                }
                Err(e) => output::log_warn(&format!(
                    "{}: advertiser {advertiser} {span}: the async report task failed ({}); keeping the truncated synchronous report",
                    def.name, e.message
                )),
            }
        }
        let first = Some(first);
        let mut unreadable = BTreeMap::new();
        let outcome = self.paginate(&request, "list", first, |page| {
            let records: Vec<Value> =
                page.drain(..).map(|row| reports::to_record(row, advertiser, &mut unreadable)).collect();
            match collect.as_deref_mut() {
                Some(rows) => rows.extend(records),
                None => writer.records(&records),
            }
        });
        for (metric, text) in &unreadable {
            output::log_warn(&format!("{}: advertiser {advertiser} {span}: metric {metric} had an unreadable value {text:?}; emitted as null", def.name));
        }
        match outcome {
            Ok(truncated) => {
                if truncated {
                    output::log_warn(&format!(
                        "{}: advertiser {advertiser} {span}: TikTok truncated the report to the 20,000 most recently created ads (X-Tt-Ads-Throttle)",
                        def.name
                    ));
                }
                Ok(())
            }
            Err(e) if e.api_code == Some(40067) => match window {
                Some(w) if w.days() > 1 => {
                    let (first, second) = w.split();
                    output::log_info(&format!("{}: advertiser {advertiser} {span} is too large for TikTok; reading it in halves", def.name));
                    self.read_report_window(def, spec, advertiser, Some(first), writer, collect.as_deref_mut(), None)?;
                    self.read_report_window(def, spec, advertiser, Some(second), writer, collect, None)
                }
                _ => Err(Error::transient(format!(
                    "TikTok says the report for advertiser {advertiser} {span} is too large even for a single day (40067); \
                     lower the number of metrics or try again later"
                ))),
            },
            Err(e) => Err(e),
        }
    }

    fn read_fanout(&mut self, def: &StreamDef, spec: &FanoutSpec, writer: &mut StreamWriter) -> Result<()> {
        let combos = combinations(spec.params);
        for advertiser in self.advertiser_ids()? {
            let mut rejected = 0;
            'combos: for batch in combos.chunks(IN_FLIGHT_PER_ADVERTISER) {
                let requests: Vec<ApiRequest> = batch
                    .iter()
                    .map(|combo| {
                        combo.iter().fold(ApiRequest::new(spec.endpoint).param("advertiser_id", advertiser.clone()), |r, (name, value)| r.param(name, *value))
                    })
                    .collect();
                let answers = self.fetch_concurrently(&requests);
                for (combo, answer) in batch.iter().zip(answers) {
                    match answer {
                        Ok(response) => {
                            let mut data = response.data;
                            let mut records = api::take_list(&mut data, spec.list_key)?;
                            for record in records.iter_mut() {
                                if let Value::Object(map) = record {
                                    map.insert("advertiser_id".into(), json!(advertiser));
                                    for (name, value) in combo {
                                        map.insert(name.to_string(), json!(value));
                                    }
                                }
                            }
                            writer.records(&records);
                        }
                        // A combination TikTok does not support (a parameter error about it) is not
                        // an error of the stream.
                        Err(e) if matches!(e.api_code, Some(40002 | 40006 | 40007)) && !e.message.contains(&advertiser) => {
                            rejected += 1
                        }
                        Err(e) => {
                            advertiser_outcome(def.name, &advertiser, Err::<(), _>(e))?;
                            break 'combos;
                        }
                    }
                }
            }
            if rejected > 0 {
                output::log_info(&format!(
                    "{}: advertiser {advertiser}: TikTok rejected {rejected} of {} parameter combinations as invalid",
                    def.name,
                    combos.len()
                ));
            }
        }
        Ok(())
    }

    /// Statistics of the last 30 days (UTC dates, as the endpoint counts them) for every pixel,
    /// ten pixels per call.
    fn read_pixel_stats(&mut self, def: &StreamDef, writer: &mut StreamWriter) -> Result<()> {
        const PIXELS_PER_CALL: usize = 10;
        let end = chrono::Utc::now().date_naive();
        let start = end - Duration::days(29);
        let date_range = json!({"start_date": start.to_string(), "end_date": end.to_string()});
        for advertiser in self.advertiser_ids()? {
            let list = ApiRequest::new("pixel/list").param("advertiser_id", advertiser.clone()).param("page_size", "20");
            let mut pixel_ids = Vec::new();
            let listed = self.paginate(&list, "pixels", None, |page| {
                pixel_ids.extend(page.iter().filter_map(|p| p.get("pixel_id").and_then(id_string)));
            });
            if advertiser_outcome(def.name, &advertiser, listed)?.is_none() {
                continue;
            }
            for batch in pixel_ids.chunks(PIXELS_PER_CALL) {
                let request = ApiRequest::new("pixel/event/stats")
                    .param("advertiser_id", advertiser.clone())
                    .json_param("pixel_ids", &json!(batch))
                    .json_param("date_range", &date_range);
                let mut data = self.call(&request).map_err(|e| e.context(format!("advertiser {advertiser}")))?.data;
                let mut records = api::take_list(&mut data, "list")?;
                for record in records.iter_mut() {
                    if let Value::Object(map) = record {
                        map.insert("advertiser_id".into(), json!(advertiser));
                        map.insert("start_date".into(), json!(start.to_string()));
                        map.insert("end_date".into(), json!(end.to_string()));
                    }
                }
                writer.records(&records);
            }
        }
        Ok(())
    }

    /// One report window through TikTok's async task API: create, poll (at most one check a
    /// second, as TikTok asks), download the CSV.
    fn read_report_task(&mut self, spec: &ReportSpec, advertiser: &str, window: Option<DateWindow>) -> Result<Vec<Value>> {
        const MAX_CHECKS: u32 = 600;
        let body = reports::task_body(spec, advertiser, window, self.config.include_deleted);
        let created = self.call(&ApiRequest::post("report/task/create", body))?.data;
        let task_id = created.get("task_id").and_then(id_string).ok_or_else(|| Error::transient("report/task/create/ answered without a task_id"))?;
        for _ in 0..MAX_CHECKS {
            let check = ApiRequest::new("report/task/check").param("advertiser_id", advertiser).param("task_id", task_id.clone());
            let status = self.call(&check)?.data;
            match status.get("status").and_then(Value::as_str) {
                Some("SUCCESS") => {
                    let mut download = ApiRequest::new("report/task/download")
                        .param("advertiser_id", advertiser)
                        .param("task_id", task_id.clone());
                    download.file_answer = true;
                    let csv = self.call(&download)?.data;
                    let csv = csv.as_str().ok_or_else(|| Error::transient("report/task/download/ did not answer with a CSV file"))?;
                    return reports::rows_from_csv(csv, spec).map_err(|why| Error::transient(format!("report/task/download/: {why}")));
                }
                Some("FAILED") | Some("CANCELED") => {
                    return Err(Error::transient(format!("report task {task_id} ended as {status}")));
                }
                _ => crate::governor::sleep(std::time::Duration::from_secs(1)),
            }
        }
        Err(Error::transient(format!("report task {task_id} was not ready after {MAX_CHECKS} checks")))
    }

    /// Page 1 of each request, fetched concurrently.
    fn prefetch_first_pages(&mut self, requests: &[ApiRequest]) -> Vec<Result<api::ApiResponse>> {
        let paged: Vec<ApiRequest> = requests.iter().map(|r| paged_request(r, 1)).collect();
        self.fetch_concurrently(&paged)
    }

    fn fetch_concurrently(&mut self, requests: &[ApiRequest]) -> Vec<Result<api::ApiResponse>> {
        self.api
            .get_many(requests)
            .into_iter()
            .zip(requests)
            .map(|(answer, request)| answer.map_err(|e| e.into_error(request.path)))
            .collect()
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
    /// Returns whether TikTok flagged the answer as truncated to 20k ads (`X-Tt-Ads-Throttle`).
    /// `first` is page 1 when it was already fetched (see [`Self::prefetch_first_pages`]).
    fn paginate(
        &mut self,
        request: &ApiRequest,
        list_key: &str,
        mut first: Option<Result<api::ApiResponse>>,
        mut on_page: impl FnMut(&mut Vec<Value>),
    ) -> Result<bool> {
        let mut page = 1u64;
        let mut truncated = false;
        let mut announced: Option<u64> = None;
        let mut latest_total = 0u64;
        // Pages fetched ahead, in order: the pages after the first travel two at a time.
        let mut ahead: std::collections::VecDeque<Result<api::ApiResponse>> = std::collections::VecDeque::new();
        loop {
            let response = match first.take().or_else(|| ahead.pop_front()) {
                Some(fetched) => fetched?,
                None => {
                    let last = (page + IN_FLIGHT_PER_ADVERTISER as u64 - 1).min(latest_total.max(page));
                    if last == page {
                        self.call(&paged_request(request, page))?
                    } else {
                        let requests: Vec<ApiRequest> = (page..=last).map(|p| paged_request(request, p)).collect();
                        ahead.extend(self.fetch_concurrently(&requests));
                        ahead.pop_front().expect("at least one page was fetched")?
                    }
                }
            };
            truncated |= response.ads_throttle.is_some();
            let mut data = response.data;
            let mut records = api::take_list(&mut data, list_key)?;
            let total_pages = api::total_pages(&data);
            latest_total = total_pages;
            let first_total = *announced.get_or_insert(total_pages);
            let empty = records.is_empty();
            on_page(&mut records);
            if empty || page >= total_pages {
                return Ok(truncated);
            }
            page += 1;
            if page > first_total + MAX_EXTRA_PAGES {
                return Err(Error::transient(format!(
                    "{}/: the list does not end: its first page announced {first_total} pages, and page {page} still says there are more",
                    request.path
                )));
            }
        }
    }
}

/// Lift nested keys and name the advertiser on records that do not carry it (creative assets,
/// audiences, pixels), so rows of several advertisers stay apart.
fn shape_list_record(record: &mut Value, spec: &ListSpec, advertiser: &str) {
    let Value::Object(map) = record else { return };
    if let Some((field, pointer)) = spec.lift {
        let value = Value::Object(map.clone()).pointer(pointer).cloned().unwrap_or(Value::Null);
        map.insert(field.to_string(), value);
    }
    map.entry("advertiser_id").or_insert_with(|| json!(advertiser));
}

/// Every combination of the fan-out's parameter values.
fn combinations(params: &[(&'static str, &'static [&'static str])]) -> Vec<Vec<(&'static str, &'static str)>> {
    params.iter().fold(vec![Vec::new()], |acc, (name, values)| {
        acc.iter()
            .flat_map(|prefix| values.iter().map(move |v| {
                let mut next = prefix.clone();
                next.push((*name, *v));
                next
            }))
            .collect()
    })
}

fn paged_request(request: &ApiRequest, page: u64) -> ApiRequest {
    request.clone().param("page", page.to_string())
}

/// One advertiser's part of a stream: its value, or None when TikTok denies the token that
/// advertiser (40001, or a 40002 about that advertiser: no longer authorized, or no
/// permission for this endpoint), which skips the advertiser with a warning instead of failing
/// the stream. Other 40002s are parameter errors and fail the stream: skipping them would
/// hide lost data behind a warning.
fn advertiser_outcome<T>(stream: &str, advertiser: &str, outcome: Result<T>) -> Result<Option<T>> {
    let denied = |e: &Error| match e.api_code {
        Some(40001) => true,
        Some(40002) => e.message.contains(advertiser),
        _ => false,
    };
    match outcome {
        Ok(value) => Ok(Some(value)),
        Err(e) if denied(&e) => {
            output::log_warn(&format!("{stream}: skipping advertiser {advertiser}: {}", e.message));
            Ok(None)
        }
        Err(e) => Err(e.context(format!("advertiser {advertiser}"))),
    }
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
