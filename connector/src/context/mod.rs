//! What the streams of one sync share ([`SyncContext`]: the config, the API client, the
//! advertisers and what the sync learns of them once) and one stream being read
//! ([`StreamRun`]: its cursor and its output). Below `sources`, above `report/` and `fetch/`:
//! nothing here knows a kind of stream.
//!
//! - `advertisers`: the advertisers of the sync, found once before any stream starts;
//! - `task_access`: whether the app may create async report tasks, asked once.

pub mod advertisers;
pub mod task_access;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use chrono::NaiveDate;
use serde_json::Value;

use crate::api::{ApiClient, ApiRequest, ApiResponse};
use crate::bindings::tiktok::connector::types::StreamStatus;
use crate::config::Config;
use crate::error::Result;
use crate::fetch::ahead::Shared;
use crate::output;
use crate::report::activity::Activity;
use crate::report::narrow::AdTree;
use crate::state::PartitionedCursor;
use crate::streams::StreamDef;
use advertisers::Advertisers;
use task_access::TaskAccess;

/// What every stream of one sync shares: the config, the API client with its scheduler, the
/// advertisers and the days they delivered on.
pub struct SyncContext {
    pub config: Config,
    pub api: Rc<ApiClient>,
    pub advertisers: Advertisers,
    pub activity: Activity,
    /// Advertisers' ad trees, for reports TikTok truncated (`sources::ad_tree`).
    pub ad_trees: RefCell<HashMap<String, Shared<Result<Rc<AdTree>>>>>,
    /// Whether each advertiser has TopView campaigns (`sources::topview`).
    pub topview_advertisers: RefCell<HashMap<String, Shared<Result<bool>>>>,
    /// Whether TikTok lets this app create async report tasks.
    pub task_access: TaskAccess,
}

impl SyncContext {
    pub async fn call(&self, request: &ApiRequest) -> Result<ApiResponse> {
        self.api.send(request).await
    }

    /// The last day report windows reach for `advertiser`: its local today, or the config's
    /// end_date when that is earlier.
    pub async fn last_report_day(&self, advertiser: &str) -> NaiveDate {
        let today = self.advertisers.local_today(advertiser).await;
        self.config.end_date.map_or(today, |end| end.min(today))
    }
}

/// One stream being read: its definition, its cursor, and its output.
pub struct StreamRun {
    pub sync: Rc<SyncContext>,
    pub def: &'static StreamDef,
    /// Per-advertiser cursor, for incremental reads.
    cursor: Option<RefCell<PartitionedCursor>>,
    running: Cell<bool>,
    /// Warnings already given for this stream (those that hold for every advertiser).
    warned: RefCell<Vec<&'static str>>,
}

impl StreamRun {
    pub fn new(sync: Rc<SyncContext>, def: &'static StreamDef, cursor: Option<PartitionedCursor>) -> Self {
        Self {
            sync,
            def,
            cursor: cursor.map(RefCell::new),
            running: Cell::new(false),
            warned: RefCell::new(Vec::new()),
        }
    }

    /// Hand a batch of records (typically one page) to the host; RUNNING goes before the first.
    pub fn emit(&self, records: &[Value]) {
        self.emit_texts(records.iter().map(Value::to_string).collect());
    }

    /// The same for records already written as JSON object texts.
    pub fn emit_texts(&self, records: Vec<String>) {
        if records.is_empty() {
            return;
        }
        if !self.running.replace(true) {
            output::status(self.def.name, StreamStatus::Running);
        }
        let records =
            if self.sync.config.integer_ids { crate::integer_ids::retype_records(self.def, records) } else { records };
        output::records(self.def.name, &records);
    }

    /// Warn once per stream about something that holds for all of its advertisers.
    pub fn warn_once(&self, what: &'static str, message: &str) {
        if !self.warned.borrow().contains(&what) {
            self.warned.borrow_mut().push(what);
            output::log_warn(message);
        }
    }

    pub fn is_incremental(&self) -> bool {
        self.cursor.is_some()
    }

    /// The advertiser's cursor value from the last sync, for incremental reads.
    pub fn cursor_of(&self, advertiser: &str) -> Option<String> {
        self.cursor.as_ref().and_then(|c| c.borrow().get(advertiser).map(str::to_string))
    }

    /// Every record of `advertiser` up to `value` is out: move its cursor and checkpoint the
    /// stream (other advertisers' entries only ever cover what they emitted).
    pub fn checkpoint(&self, advertiser: &str, value: Option<&str>) {
        let Some(cursor) = &self.cursor else { return };
        let mut cursor = cursor.borrow_mut();
        if let Some(value) = value {
            cursor.advance(advertiser, value);
        }
        output::state(self.def.name, &cursor.to_json());
    }
}
