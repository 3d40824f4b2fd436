//! Report streams, by feature: everything one advertiser's part of a report stream does, from
//! the windows worth asking for to the records out. A new report kind is a folder here and rows
//! in the stream table.
//!
//! - `windows`: an advertiser's windows (planned in `plan`), each read whole (`reader`), split
//!   when TikTok calls it too large or it keeps timing out (`split`);
//! - `truncation`: a window TikTok truncated to its 20k newest ads, read in narrower queries
//!   (`narrow`, over the advertiser's `ad_tree`) or through an async task;
//! - `tasks`: TikTok's async report tasks (the API, `quotas`, `access`, the task file in
//!   `task_csv`, one task serving several `window`s);
//! - `topview`: TopView objects' rows, which need a query of their own;
//! - `activity`: the days an advertiser delivered on, so idle days are not asked for;
//! - `facts`: what the sync learns once of each advertiser (the home of all of the above's);
//! - `query`, `rows`, `dates`: the query, its answer into records, report days;
//! - `gmv_max`: TikTok Shop's GMV Max stores, campaigns and reports, a report API of its own;
//! - `smart_plus`: Upgraded Smart+ material reports; `tree_rows`: both APIs' answers as records.

pub mod activity;
pub mod dates;
pub mod facts;
pub mod gmv_max;
pub mod query;
pub mod rows;
pub mod smart_plus;
pub mod tasks;
pub mod topview;
pub mod tree_rows;
pub mod truncation;
pub mod windows;

use std::cell::{Cell, RefCell};

use activity::Activity;
use facts::AdvertiserFacts;
use tasks::quotas::TaskQuotas;

use crate::config::Config;
use crate::streams::StreamDef;

/// What the report streams of one sync share: what they learn once of each advertiser, the
/// activity probes' settings and savings, and the async task quotas they spend together.
pub struct ReportSync {
    pub facts: AdvertiserFacts,
    pub activity: Activity,
    pub task_quotas: RefCell<TaskQuotas>,
    /// TikTok was seen flagging a query truncated that id filters had brought under the limit
    /// (tiktok-api.md §15 R1), and the log said so.
    pub header_for_account: Cell<bool>,
    /// The log said once that an advertiser has too many campaigns for the query of campaigns
    /// no list shows (tiktok-api.md §15 R2).
    pub said_unlisted_unchecked: Cell<bool>,
    /// What the GMV Max streams learn once (stores, campaigns, shared grains).
    pub gmv_max: gmv_max::GmvMaxSync,
    /// What the Smart+ material reports learn once (each advertiser's Smart+ ads).
    pub smart_plus: smart_plus::SmartPlusSync,
}

impl ReportSync {
    pub fn new(config: &Config, selected: &[&StreamDef]) -> Self {
        Self {
            facts: AdvertiserFacts::default(),
            activity: Activity::new(config, selected),
            task_quotas: RefCell::new(TaskQuotas::default()),
            header_for_account: Cell::new(false),
            said_unlisted_unchecked: Cell::new(false),
            gmv_max: gmv_max::GmvMaxSync::default(),
            smart_plus: smart_plus::SmartPlusSync::default(),
        }
    }

    /// One line for the end of the sync, when anything was probed.
    pub fn summary(&self) -> Option<String> {
        self.activity.summary(&self.facts)
    }
}
