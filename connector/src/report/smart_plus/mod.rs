//! Upgraded Smart+ reports beside the integrated one: which creative earned what lives only in
//! the material reports (`smart_plus/material_report/*`, gmv-max-smart-plus.md §2.4). The
//! Smart+ ad grain itself is an integrated report by `ad_id_v2` (the stream table's
//! `smart_plus_ads_reports_*`, read by `report/windows/`).
//!
//! - `ads`: each advertiser's Smart+ ads, learned once;
//! - `material`: the daily breakdown per Smart+ ad that spent, and the lifetime overview.

pub mod ads;
pub mod material;

use std::rc::Rc;

use crate::error::Result;
use crate::fetch::shared::OnceMap;

/// What the Smart+ streams of one sync learn once.
#[derive(Default)]
pub struct SmartPlusSync {
    /// Each advertiser's Smart+ ad ids (deleted ones too with `include_deleted`).
    pub ads: OnceMap<String, Result<Rc<Vec<String>>>>,
}
