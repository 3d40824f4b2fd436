//! Where TikTok gives each metric, from the catalogue's columns: the reasons TikTok answers a
//! query with 40002 "Invalid metric fields", said before any request, with what is allowed.

use super::catalogue::{self, Leg, Metric, TimeLimit};
use crate::report_shape::{DataLevel, Granularity, ReportType};

/// A report query as far as the metric rules go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportShape {
    pub report_type: ReportType,
    pub level: DataLevel,
    pub granularity: Granularity,
    /// Rows are broken down beyond their object and time (audience dimensions, `country_code`).
    pub breakdowns: bool,
}

/// Why TikTok refuses metric `name` in a report of this shape, if it does (or why no report of
/// this shape can give it right); a name the catalogue does not know is for TikTok to judge
/// (`check` asks it).
pub fn refusal(name: &str, shape: &ReportShape) -> Option<String> {
    let m = catalogue::find(name)?;
    let (coarsest, finest) = m.levels;
    let at_level = coarsest <= shape.level && shape.level <= finest;
    let levels = || {
        DataLevel::ALL
            .iter()
            .filter(|l| (coarsest..=finest).contains(l))
            .map(|l| l.api_name())
            .collect::<Vec<_>>()
            .join(" or ")
    };
    if m.time == TimeLimit::DailyOnly && (!at_level || shape.granularity != Granularity::Daily) {
        return Some(format!("TikTok gives {name} for {} DAILY reports only (not HOURLY, not LIFETIME)", levels()));
    }
    if !at_level {
        let why = level_reason(m);
        return Some(format!(
            "{name:?} {why}: TikTok gives it at data_level {} only, not {}",
            levels(),
            shape.level.api_name()
        ));
    }
    if shape.report_type == ReportType::Audience && !m.audience {
        return Some(match m.leg {
            Leg::Website | Leg::TikTok | Leg::TikTokShop => format!(
                "{name:?} is a {} conversion metric: TikTok gives website and TikTok legs (and paid engaged views) in BASIC reports only, not AUDIENCE",
                leg_name(m.leg)
            ),
            _ => format!(
                "{name:?} is not among the metrics TikTok lists for AUDIENCE reports (\"Supported metrics for a dimension in audience reports\"): BASIC reports only"
            ),
        });
    }
    // TikTok has no lifetime AUDIENCE query: its lifetime is summed from windows of a year, and
    // unique counts do not add up across windows (tiktok-api.md R12).
    if shape.report_type == ReportType::Audience && shape.granularity == Granularity::Lifetime && super::is_unique(name)
    {
        return Some(format!("{name:?} counts unique users, which do not add up across the year windows a LIFETIME AUDIENCE report is summed from"));
    }
    if m.time == TimeLimit::IdAndDay && (shape.granularity == Granularity::Hourly || shape.breakdowns) {
        let not = if shape.breakdowns { "with breakdowns" } else { "in HOURLY reports" };
        return Some(format!("TikTok gives {name:?} with one id dimension and at most stat_time_day (DAILY or LIFETIME, no breakdowns), not {not}"));
    }
    None
}

/// Why a metric has the levels it has, in the words of its rule.
fn level_reason(m: &Metric) -> String {
    let objects = |level: DataLevel| match level {
        DataLevel::Advertiser => "advertisers",
        DataLevel::Campaign => "campaigns",
        DataLevel::AdGroup => "ad groups",
        DataLevel::Ad => "ads",
    };
    match m.family {
        catalogue::Family::Attribute => format!("is an attribute of {}", objects(m.levels.0)),
        catalogue::Family::Result => {
            "is counted per optimisation goal, which the ad groups of a campaign can mix".to_string()
        }
        _ => format!("is a metric of {}", objects(m.levels.0)),
    }
}

pub fn leg_name(leg: Leg) -> &'static str {
    match leg {
        Leg::None => "no",
        Leg::App => "app",
        Leg::Website => "website",
        Leg::TikTok => "TikTok",
        Leg::TikTokShop => "TikTok Shop",
        Leg::Skan => "SKAN",
        Leg::Offline => "offline",
    }
}

/// Whether TikTok's task API takes the metric in this report (UV metrics not with breakdowns,
/// synchronous-only metrics never).
pub fn in_task(name: &str, breakdowns: bool) -> bool {
    catalogue::find(name).is_none_or(|m| !(m.sync_only || breakdowns && m.uv))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(report_type: ReportType, level: DataLevel, granularity: Granularity, breakdowns: bool) -> ReportShape {
        ReportShape { report_type, level, granularity, breakdowns }
    }

    #[test]
    fn each_rule_has_its_own_reason() {
        use DataLevel::*;
        use Granularity::*;
        use ReportType::*;
        let why = |m, s: ReportShape| refusal(m, &s).unwrap_or_default();
        assert!(
            why("web_event_add_to_cart", shape(Audience, Ad, Daily, true)).contains("is a website conversion metric")
        );
        assert!(
            why("onsite_total_purchase", shape(Audience, Ad, Daily, true)).contains("is a TikTok conversion metric")
        );
        for m in ["reach", "app_event_add_to_cart", "secondary_goal_result", "engaged_view", "total_purchase"] {
            assert!(
                why(m, shape(Audience, Ad, Daily, true)).contains("is not among the metrics TikTok lists for AUDIENCE"),
                "{m}"
            );
        }
        assert!(why("campaign_id", shape(Basic, Campaign, Daily, false))
            .contains("TikTok gives it at data_level AUCTION_ADGROUP or AUCTION_AD only, not AUCTION_CAMPAIGN"));
        assert!(why("adgroup_id", shape(Basic, AdGroup, Daily, false))
            .contains("is an attribute of ads: TikTok gives it at data_level AUCTION_AD only"));
        assert!(why("conversion", shape(Basic, Campaign, Daily, false)).contains("optimisation goal"));
        assert!(why("cost_per_conversion", shape(Basic, Advertiser, Daily, false))
            .contains("AUCTION_ADGROUP or AUCTION_AD only, not AUCTION_ADVERTISER"));
        assert!(why("ad_name", shape(Basic, AdGroup, Daily, false)).contains("attribute of ads"));
        assert!(why("cash_spend", shape(Basic, Advertiser, Hourly, false))
            .contains("AUCTION_ADVERTISER DAILY reports only"));
        assert!(why("total_purchase", shape(Basic, Ad, Hourly, false)).contains("not in HOURLY reports"));
        assert!(why("result", shape(Audience, Advertiser, Lifetime, true)).contains("counts unique users"));
        assert_eq!(refusal("result", &shape(Audience, Advertiser, Daily, true)), None);
        assert_eq!(refusal("result", &shape(Basic, Advertiser, Lifetime, false)), None);
        assert!(why("total_purchase", shape(Basic, Ad, Daily, true)).contains("not with breakdowns"));
        for (m, s) in [
            ("web_event_add_to_cart", shape(Basic, Campaign, Hourly, true)),
            ("app_event_add_to_cart", shape(Basic, Advertiser, Daily, true)),
            ("conversion", shape(Audience, Ad, Daily, true)),
            ("result", shape(Audience, Advertiser, Daily, true)),
            ("total_landing_page_view", shape(Audience, Ad, Daily, true)),
            ("campaign_id", shape(Audience, AdGroup, Daily, true)),
            ("conversion", shape(Audience, AdGroup, Daily, true)),
            ("cash_spend", shape(Basic, Advertiser, Daily, false)),
            ("total_purchase", shape(Basic, Ad, Lifetime, false)),
            ("a_metric_tiktok_ships_tomorrow", shape(Audience, Advertiser, Hourly, true)),
        ] {
            assert_eq!(refusal(m, &s), None, "{m}");
        }
    }

    #[test]
    fn tasks_leave_out_uv_metrics_with_breakdowns_only() {
        assert!(
            !in_task("reach", true) && in_task("reach", false) && in_task("spend", true) && in_task("new_metric", true)
        );
        assert!(!in_task("paid_engaged_view", false) && !in_task("paid_engaged_view_15s", false));
    }
}
