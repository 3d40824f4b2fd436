//! GMV Max streams as data: the store list, the campaign list and settings, and each report
//! grain (its dimensions, promotion type, metrics and how it is asked). What reads them lives
//! in `report/gmv_max/`; the streams' constructor is `def::gmv_report`.

use crate::metrics::gmv_max::Promotion;
use crate::metrics::MetricSet;
use crate::report_shape::{Granularity, ReportFilter};

#[derive(Debug)]
pub enum GmvMaxSpec {
    /// `gmv_max/store/list/`: every store listed for each advertiser.
    Stores,
    /// `gmv_max/campaign/get/`, one promotion type per call.
    Campaigns,
    /// `campaign/gmv_max/info/` of each campaign whose `modify_time` moved.
    CampaignSettings,
    Report(GmvReport),
}

/// How a grain finer than the campaign is asked: for the campaigns that had cost or orders in
/// the window (read from the campaign grain), in `campaign_ids` batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The whole store (advertiser and campaign grains).
    Store,
    /// The campaigns with cost or orders in the window, their attributes joined on.
    ActiveCampaigns,
}

/// One grain of `gmv_max/report/get/`, for one store per request.
#[derive(Debug)]
pub struct GmvReport {
    /// As asked of TikTok, the time dimension last.
    pub dimensions: &'static [&'static str],
    pub promotion: Option<Promotion>,
    pub granularity: Granularity,
    pub metrics: MetricSet,
    pub scope: Scope,
    /// Dimensions to ask instead when TikTok refuses `dimensions` (its cap of three against the
    /// four-dimension creative group, gmv-max-smart-plus.md §1.4 readings): asked per (campaign,
    /// product) pair, those two taken from the filter.
    pub fallback: Option<&'static [&'static str]>,
    /// The user's id filters (custom reports): `field` is a key of TikTok's `filtering` object.
    pub filters: &'static [ReportFilter],
    /// Days re-read before the cursor, instead of the config's `attribution_window`.
    pub lookback_days: Option<u32>,
}

/// A grain asked of the whole store or of its active campaigns, without fallback.
pub const fn grain(
    dimensions: &'static [&'static str],
    promotion: Option<Promotion>,
    granularity: Granularity,
    metrics: MetricSet,
    scope: Scope,
) -> GmvReport {
    GmvReport { dimensions, promotion, granularity, metrics, scope, fallback: None, filters: &[], lookback_days: None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::gmv_max::refusal;
    use crate::streams::Source;

    #[test]
    fn every_grain_asks_only_what_tiktok_gives_at_it() {
        for def in crate::streams::STREAMS {
            let Source::GmvMax(GmvMaxSpec::Report(spec)) = &def.source else { continue };
            for name in crate::metrics::names(spec.metrics) {
                assert_eq!(refusal(name, spec.dimensions, spec.promotion), None, "{}: {name}", def.name);
            }
            assert_eq!(def.cursor, spec.dimensions.last().copied(), "{}: the time dimension last", def.name);
            assert!(spec.dimensions.len() <= 4 && spec.fallback.is_none_or(|f| f.len() <= 3));
        }
    }
}
