//! The report APIs beside the integrated one: GMV Max streams and Smart+ material reports, each
//! advertiser's part read by `report/gmv_max/` and `report/smart_plus/`.

use std::rc::Rc;

use super::PartitionSource;
use crate::context::StreamRun;
use crate::error::Result;
use crate::report::{gmv_max, smart_plus, ReportSync};
use crate::streams::gmv_max::GmvMaxSpec;
use crate::streams::Granularity;

/// A GMV Max stream of the sync, with what the sync's report streams share.
#[derive(Clone)]
pub struct GmvMaxSource {
    pub spec: &'static GmvMaxSpec,
    pub reports: Rc<ReportSync>,
}

/// A Smart+ material report stream of the sync.
#[derive(Clone)]
pub struct SmartPlusMaterialSource {
    pub granularity: Granularity,
    pub reports: Rc<ReportSync>,
}

impl PartitionSource for SmartPlusMaterialSource {
    async fn read_partition(self, run: Rc<StreamRun>, advertiser: String) -> Result<()> {
        smart_plus::material::read_advertiser(&run, &self.reports, self.granularity, &advertiser).await
    }
}

impl PartitionSource for GmvMaxSource {
    async fn read_partition(self, run: Rc<StreamRun>, advertiser: String) -> Result<()> {
        gmv_max::read(&run, &self.reports, self.spec, &advertiser).await
    }
}
