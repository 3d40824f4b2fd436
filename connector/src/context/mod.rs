//! What the streams of one sync share ([`SyncContext`]: the config, the API client, the
//! advertisers) and one stream being read ([`StreamRun`]: its cursor and its output). Below
//! `report/` and `sources/`, above `fetch/`: nothing here knows a kind of stream.
//!
//! - `advertisers`: the advertisers of the sync, found once before any stream starts.

pub mod advertisers;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use serde_json::Value;

use crate::api::{ApiClient, ApiRequest, ApiResponse};
use crate::bindings::tiktok::connector::types::StreamStatus;
use crate::config::Config;
use crate::error::Result;
use crate::output;
use crate::state::{Partition, PartitionedCursor};
use crate::streams::StreamDef;
use advertisers::Advertisers;

/// What every stream of one sync shares: the config, the API client with its scheduler, and
/// the advertisers.
pub struct SyncContext {
    pub config: Config,
    pub api: Rc<ApiClient>,
    pub advertisers: Advertisers,
}

impl SyncContext {
    pub async fn call(&self, request: &ApiRequest) -> Result<ApiResponse> {
        self.api.send(request).await
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
        self.cursor_in(&Partition::advertiser(advertiser))
    }

    /// A partition's cursor value from the last sync (an advertiser's store, for GMV Max).
    pub fn cursor_in(&self, partition: &Partition) -> Option<String> {
        self.cursor.as_ref().and_then(|c| c.borrow().get(partition).map(str::to_string))
    }

    /// Every record of `advertiser` up to `value` is out: move its cursor and checkpoint the
    /// stream (other advertisers' entries only ever cover what they emitted).
    pub fn checkpoint(&self, advertiser: &str, value: Option<&str>) {
        self.checkpoint_in(&Partition::advertiser(advertiser), value)
    }

    /// The same for any partition.
    pub fn checkpoint_in(&self, partition: &Partition, value: Option<&str>) {
        let Some(cursor) = &self.cursor else { return };
        let mut cursor = cursor.borrow_mut();
        if let Some(value) = value {
            cursor.advance(partition, value);
        }
        output::state(self.def.name, &cursor.to_json());
    }
}
