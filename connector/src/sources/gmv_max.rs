//! GMV Max streams: each advertiser's part read by `report/gmv_max/`.

use std::rc::Rc;

use super::PartitionSource;
use crate::context::StreamRun;
use crate::error::Result;
use crate::report::{gmv_max, ReportSync};
use crate::streams::gmv_max::GmvMaxSpec;

/// A GMV Max stream of the sync, with what the sync's report streams share.
#[derive(Clone)]
pub struct GmvMaxSource {
    pub spec: &'static GmvMaxSpec,
    pub reports: Rc<ReportSync>,
}

impl PartitionSource for GmvMaxSource {
    async fn read_partition(self, run: Rc<StreamRun>, advertiser: String) -> Result<()> {
        gmv_max::read(&run, &self.reports, self.spec, &advertiser).await
    }
}
