//! The kinds of stream source, one module each. Account-level sources (the advertiser lists)
//! read once per sync; every other kind reads one advertiser's part through
//! [`PartitionSource`], and [`for_each`] runs it for every advertiser, applying the refusal
//! policy to each part.
//!
//! A new kind of stream goes here: a module with a spec type (a `Source` variant, in
//! `streams/def.rs`) that implements [`PartitionSource`], and one arm below.

mod advertisers;
mod fanout;
mod lists;
mod other_reports;
mod pixel_stats;
mod reports;

use std::rc::Rc;

use crate::context::StreamRun;
use crate::error::Action;
use crate::error::Result;
use crate::output;
use crate::report::ReportSync;
use crate::streams::Source;
use reports::ReportSource;

/// Read one stream of the sync; `reports` is what its report streams share.
pub async fn read(run: &Rc<StreamRun>, reports: &Rc<ReportSync>) -> Result<()> {
    match &run.def.source {
        Source::AdvertiserIds => advertisers::read_ids(run),
        Source::AdvertiserInfo => advertisers::read_info(run).await,
        Source::List(spec) => for_each(run, spec).await,
        Source::Report(spec) => for_each(run, ReportSource { spec, reports: reports.clone() }).await,
        Source::Fanout(spec) => for_each(run, spec).await,
        Source::PixelStats(spec) => for_each(run, spec).await,
        Source::GmvMax(spec) => for_each(run, other_reports::GmvMaxSource { spec, reports: reports.clone() }).await,
        Source::SmartPlusMaterial(granularity) => {
            for_each(
                run,
                other_reports::SmartPlusMaterialSource { granularity: *granularity, reports: reports.clone() },
            )
            .await
        }
    }
}

/// A kind of stream that reads one advertiser's part of a stream: a spec, with whatever its
/// streams share, handed to each advertiser's part.
// Every part runs on the one-threaded wasi runtime: no Send bound is wanted on the futures.
#[allow(async_fn_in_trait)]
pub trait PartitionSource: Clone + 'static {
    async fn read_partition(self, run: Rc<StreamRun>, advertiser: String) -> Result<()>;
}

/// Read `source` for every advertiser of the sync, all at once. An advertiser the token may
/// not read is skipped with a warning; any other failure fails the stream after the other
/// advertisers finished.
pub async fn for_each(run: &Rc<StreamRun>, source: impl PartitionSource) -> Result<()> {
    let parts: Vec<_> = run
        .sync
        .advertisers
        .ids
        .iter()
        .map(|id| (id.clone(), wstd::runtime::spawn(source.clone().read_partition(run.clone(), id.clone()))))
        .collect();
    let mut failures = Vec::new();
    for (advertiser, part) in parts {
        match part.await {
            Ok(()) => {}
            Err(e) if e.decided() == Some(Action::SkipAdvertiser) => {
                output::log_warn(&format!("{}: skipping advertiser {advertiser}: {}", run.def.name, e.message))
            }
            Err(e) => failures.push(e.context(format!("advertiser {advertiser}"))),
        }
    }
    crate::error::first_failure(failures, "failed advertisers")
}
