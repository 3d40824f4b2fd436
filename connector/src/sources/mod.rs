//! The kinds of stream source, one module each. Account-level sources (the advertiser lists)
//! read once per sync; every other kind reads one advertiser's part through
//! [`PartitionSource`], and `read::partitions::for_each` runs it for every advertiser.
//!
//! A new kind of stream goes here: a module with a spec type (in `streams.rs`) that
//! implements [`PartitionSource`], and one arm below.

mod ad_tree;
mod advertisers;
mod fanout;
mod lists;
mod pixel_stats;
mod report_tasks;
mod report_window;
mod reports;
mod topview;

use std::rc::Rc;

use crate::error::Result;
use crate::read::partitions::for_each;
pub use crate::read::partitions::PartitionSource;
use crate::read::StreamRun;
use crate::streams::Source;

/// Read one stream of the sync.
pub async fn read(run: &Rc<StreamRun>) -> Result<()> {
    match &run.def.source {
        Source::AdvertiserIds => advertisers::read_ids(run),
        Source::AdvertiserInfo => advertisers::read_info(run).await,
        Source::List(spec) => for_each(run, spec).await,
        Source::Report(spec) => for_each(run, spec).await,
        Source::Fanout(spec) => for_each(run, spec).await,
        Source::PixelStats(spec) => for_each(run, spec).await,
    }
}
