//! Report streams: each advertiser's part read by `report/`, which holds everything reports do.

use std::rc::Rc;

use super::PartitionSource;
use crate::context::StreamRun;
use crate::error::Result;
use crate::report::{windows, ReportSync};
use crate::streams::ReportSpec;

/// A report stream of the sync, with what the sync's report streams share.
#[derive(Clone)]
pub struct ReportSource {
    pub spec: &'static ReportSpec,
    pub reports: Rc<ReportSync>,
}

impl PartitionSource for ReportSource {
    async fn read_partition(self, run: Rc<StreamRun>, advertiser: String) -> Result<()> {
        windows::read_advertiser(&run, &self.reports, self.spec, &advertiser).await
    }
}
