//! What the simulator remembers between requests, besides the account and the quotas: the
//! rows of recent report queries (so paging through a large report computes it once) and the
//! async report tasks it created.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;

#[derive(Default)]
pub struct Memory {
    /// Rows of recent report queries, keyed by the query without its paging (and what the
    /// rows depend on).
    pub report_rows: Mutex<Vec<(String, Arc<Vec<Value>>)>>,
    /// Async report tasks, oldest first.
    pub tasks: Mutex<Vec<Task>>,
}

/// One async report task: QUEUING → PROCESSING → SUCCESS (or FAILED) over checks.
pub struct Task {
    pub id: String,
    pub advertiser: String,
    /// The parameters it was created with.
    pub query: HashMap<String, String>,
    pub checks: u32,
    pub canceled: bool,
}

/// Report queries whose rows are kept.
const KEPT_REPORTS: usize = 32;

impl Memory {
    pub fn cached_rows(&self, key: &str) -> Option<Arc<Vec<Value>>> {
        self.report_rows.lock().unwrap().iter().find(|(k, _)| k == key).map(|(_, rows)| rows.clone())
    }

    pub fn keep_rows(&self, key: String, rows: Arc<Vec<Value>>) {
        let mut cache = self.report_rows.lock().unwrap();
        if cache.len() >= KEPT_REPORTS {
            cache.remove(0);
        }
        cache.push((key, rows));
    }
}
