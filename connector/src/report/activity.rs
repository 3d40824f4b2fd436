//! Which days each advertiser delivered on, learned once per sync and shared by every report
//! stream. TikTok returns report rows only for objects with cost data (tiktok-api.md §4.7): on a
//! day an advertiser delivered nothing, no level has a row, so no report needs to ask for it.
//!
//! The cheapest query that shows a day's activity is the advertiser-level daily report (a
//! "probe"): one request per advertiser per 30 days, the windows counted back from the last day
//! of the sync so that an incremental sync needs one. Any row TikTok returns for a day makes the
//! day active, zeros included; a day whose probe failed, or came back truncated, is unknown and
//! read. With `include_deleted` the probe asks the campaign level with `STATUS_ALL`: the
//! advertiser level has no status filter, and may leave out what deleted ads delivered.

use std::cell::Cell;
use std::collections::BTreeSet;
use std::future::Future;
use std::rc::Rc;

use chrono::{Duration, NaiveDate};
use serde_json::Value;

use super::dates::{max_window_days, DateWindow};
use super::facts::{AdvertiserFacts, DeliveryDays};
use super::query::request;
use crate::api::{ApiClient, Scope};
use crate::config::Config;
use crate::fetch::paging::Pages;
use crate::fetch::shared::Shared;
use crate::metrics::MetricSet;
use crate::output;
use crate::streams::{DataLevel, Granularity, ReportSpec, ReportType, Source, StreamDef};

/// Days per probe: TikTok's limit for a daily report.
const PROBE_DAYS: i64 = 30;

/// Metrics that show any delivery: TikTok has a row for an object only when it had cost. Each
/// is given at every level (`conversion` is not, at the advertiser and campaign levels).
/// `real_time_app_install` counts installs on the day they happen (tiktok-api.md §15 R5), so a
/// day of late installs alone has its row here too.
const ACTIVITY_METRICS: MetricSet = &[&["spend", "impressions", "clicks", "app_install", "real_time_app_install"]];

/// Metrics counted by conversion time that no advertiser-level probe can ask (they are given
/// per ad group and ad only): a day without delivery can still have rows of them.
const LATE_RESULT_METRICS: &[&str] = &[
    "real_time_conversion",
    "real_time_cost_per_conversion",
    "real_time_conversion_rate",
    "real_time_result",
    "real_time_cost_per_result",
    "real_time_result_rate",
];

/// What the ad-group probe asks: the counts of `LATE_RESULT_METRICS`, so it has a row exactly
/// where they have values.
const LATE_RESULT_PROBE: MetricSet = &[&["real_time_conversion", "real_time_result"]];

/// Whether a report asks a conversion-time metric no advertiser-level probe sees
/// (tiktok-api.md §15 R5: a day with rows for any selected metric is never skipped).
pub fn asks_late_results(spec: &ReportSpec) -> bool {
    spec.metrics.iter().flat_map(|group| group.iter()).any(|m| LATE_RESULT_METRICS.contains(m))
}

const fn probe_spec(
    data_level: DataLevel,
    granularity: Granularity,
    dimensions: &'static [&'static str],
) -> ReportSpec {
    probe_of(data_level, granularity, dimensions, ACTIVITY_METRICS)
}

const fn probe_of(
    data_level: DataLevel,
    granularity: Granularity,
    dimensions: &'static [&'static str],
    metrics: MetricSet,
) -> ReportSpec {
    ReportSpec {
        report_type: ReportType::Basic,
        data_level,
        granularity,
        dimensions,
        metrics,
        filters: &[],
        lookback_days: None,
        leave_out: None,
    }
}

static ADVERTISER_DAYS: ReportSpec =
    probe_spec(DataLevel::Advertiser, Granularity::Daily, &["advertiser_id", "stat_time_day"]);
static CAMPAIGN_DAYS: ReportSpec =
    probe_spec(DataLevel::Campaign, Granularity::Daily, &["campaign_id", "stat_time_day"]);
static ADVERTISER_LIFETIME: ReportSpec = probe_spec(DataLevel::Advertiser, Granularity::Lifetime, &["advertiser_id"]);
static CAMPAIGN_LIFETIME: ReportSpec = probe_spec(DataLevel::Campaign, Granularity::Lifetime, &["campaign_id"]);
static AD_GROUP_LATE_RESULTS: ReportSpec =
    probe_of(DataLevel::AdGroup, Granularity::Daily, &["adgroup_id", "stat_time_day"], LATE_RESULT_PROBE);

/// Probed windows and the days each saw delivery on (`None`: the probe could not tell).
type Probed = Vec<(DateWindow, DeliveryDays)>;

/// Whether a probe saw `day`: true too when it could not tell, or no probe holds the day.
fn seen(probed: &Probed, day: NaiveDate) -> bool {
    match probed.iter().find(|(window, _)| window.contains(day)) {
        Some((_, Some(days))) => days.contains(&day),
        _ => true,
    }
}

/// The days of a span a report must ask for.
pub enum Readable {
    EveryDay,
    Only(BTreeSet<NaiveDate>),
}

impl Readable {
    pub fn contains(&self, day: NaiveDate) -> bool {
        match self {
            Readable::EveryDay => true,
            Readable::Only(days) => days.contains(&day),
        }
    }
}

/// How the sync probes its advertisers' delivery (what it learns is kept with the other
/// `facts`), and what it saved by it.
pub struct Activity {
    enabled: bool,
    include_deleted: bool,
    first_day: NaiveDate,
    /// The sync reads reports with dates, whose probes of the last 30 days come for free.
    reads_dated_reports: bool,
    /// About the requests the sync's lifetime reports send per advertiser: a lifetime probe
    /// costs one and spares them all for an advertiser that never delivered, so it pays only
    /// when they are two or more.
    lifetime_requests: usize,
    spared: Cell<u64>,
}

impl Activity {
    pub fn new(config: &Config, selected: &[&StreamDef]) -> Self {
        let reports: Vec<&ReportSpec> = selected
            .iter()
            .filter_map(|def| if let Source::Report(spec) = &def.source { Some(spec) } else { None })
            .collect();
        Self {
            // The sandbox has synthetic report data only, and no advertiser-level reports.
            enabled: config.skip_inactive_days && !config.is_sandbox(),
            include_deleted: config.include_deleted,
            first_day: config.start_date,
            reads_dated_reports: reports.iter().any(|r| r.has_dates()),
            lifetime_requests: reports.iter().map(|r| lifetime_requests(r, config)).sum(),
            spared: Cell::new(0),
        }
    }

    /// The days of `span` that may have report rows for `advertiser`: those it delivered on,
    /// and with `late_results` (`asks_late_results`) those its ad groups counted conversion-time
    /// results on; `last_day` is the last day of the sync's reports for it, where probe windows
    /// are counted from.
    pub async fn days_to_read(
        &self,
        facts: &AdvertiserFacts,
        api: &Rc<ApiClient>,
        advertiser: &str,
        last_day: NaiveDate,
        span: DateWindow,
        late_results: bool,
    ) -> Readable {
        if !self.enabled {
            return Readable::EveryDay;
        }
        let windows = self.probe_windows(last_day, span);
        let delivered = self.probed(windows.clone(), |window| self.probe(facts, api, advertiser, window)).await;
        let late = match late_results {
            true => self.probed(windows, |window| self.late_probe(facts, api, advertiser, window)).await,
            false => Vec::new(),
        };
        let may_have_rows = |day: NaiveDate| seen(&delivered, day) || (late_results && seen(&late, day));
        Readable::Only(span.each_day().filter(|day| may_have_rows(*day)).collect())
    }

    /// What the probes of `windows` saw, each sent once per sync.
    async fn probed(&self, windows: Vec<DateWindow>, probe: impl Fn(DateWindow) -> Shared<DeliveryDays>) -> Probed {
        let probes: Vec<(DateWindow, Shared<DeliveryDays>)> =
            windows.into_iter().map(|window| (window, probe(window))).collect();
        let mut probed = Vec::with_capacity(probes.len());
        for (window, probe) in probes {
            probed.push((window, probe.get().await));
        }
        probed
    }

    /// Whether a lifetime report of `advertiser` may have rows: false only when TikTok has no
    /// lifetime row of the advertiser's delivery at all. `last_day` (the advertiser's last report
    /// day) is awaited only when the dated reports' probes can settle it.
    pub async fn lifetime_may_have_rows(
        &self,
        facts: &AdvertiserFacts,
        api: &Rc<ApiClient>,
        advertiser: &str,
        last_day: impl Future<Output = NaiveDate>,
    ) -> bool {
        if !self.enabled || self.lifetime_requests < 2 {
            return true;
        }
        // Delivery in the last 30 days, which the dated reports probe anyway, settles it.
        if self.reads_dated_reports && self.delivered_recently(facts, api, advertiser, last_day.await).await {
            return true;
        }
        let query = self.probe_query(api, advertiser, self.spec(Granularity::Lifetime), None);
        facts.lifetime_delivery.learn(advertiser.to_string(), || ever_delivered(query)).get().await
    }

    /// Whether the advertiser may have delivered in the 30 days up to its last day.
    async fn delivered_recently(
        &self,
        facts: &AdvertiserFacts,
        api: &Rc<ApiClient>,
        advertiser: &str,
        last_day: NaiveDate,
    ) -> bool {
        let recent =
            DateWindow { start: (last_day - Duration::days(PROBE_DAYS - 1)).max(self.first_day), end: last_day };
        recent.start <= recent.end
            && match self.days_to_read(facts, api, advertiser, last_day, recent, false).await {
                Readable::EveryDay => true,
                Readable::Only(days) => !days.is_empty(),
            }
    }

    /// Report requests a stream did not send because no day of theirs could have rows.
    pub fn spared(&self, requests: usize) {
        self.spared.set(self.spared.get() + requests as u64);
    }

    /// One line for the end of the sync, when anything was probed.
    pub fn summary(&self, facts: &AdvertiserFacts) -> Option<String> {
        let probes =
            facts.delivery_days.learned() + facts.late_result_days.learned() + facts.lifetime_delivery.learned();
        let spared = self.spared.get();
        (probes > 0).then(|| {
            format!("inactive days: {probes} activity requests spared {spared} report requests for days without delivery (skip_inactive_days)")
        })
    }

    /// The probe windows holding `span`: 30 days each, counted back from `last_day`, none
    /// before the config's start_date.
    fn probe_windows(&self, last_day: NaiveDate, span: DateWindow) -> Vec<DateWindow> {
        let index = |day: NaiveDate| (last_day - day).num_days().max(0) / PROBE_DAYS;
        (index(span.end)..=index(span.start))
            .map(|k| {
                let end = last_day - Duration::days(k * PROBE_DAYS);
                DateWindow { start: (end - Duration::days(PROBE_DAYS - 1)).max(self.first_day), end }
            })
            .filter(|window| window.start <= window.end)
            .collect()
    }

    /// The probe of one window, sent once per sync whichever stream asks first.
    fn probe(
        &self,
        facts: &AdvertiserFacts,
        api: &Rc<ApiClient>,
        advertiser: &str,
        window: DateWindow,
    ) -> Shared<DeliveryDays> {
        let query = self.probe_query(api, advertiser, self.spec(Granularity::Daily), Some(window));
        facts.delivery_days.learn((advertiser.to_string(), window.start), || delivery_days(query))
    }

    /// The ad-group probe of one window: the days conversion-time results were counted on,
    /// delivery or not (tiktok-api.md §15 R5). Sent once per sync whichever stream asks first.
    fn late_probe(
        &self,
        facts: &AdvertiserFacts,
        api: &Rc<ApiClient>,
        advertiser: &str,
        window: DateWindow,
    ) -> Shared<DeliveryDays> {
        let query = self.probe_query(api, advertiser, &AD_GROUP_LATE_RESULTS, Some(window));
        facts.late_result_days.learn((advertiser.to_string(), window.start), || delivery_days(query))
    }

    /// The query of probe `spec` over `window` (`None`: lifetime), ready to be sent in the
    /// background.
    fn probe_query(
        &self,
        api: &Rc<ApiClient>,
        advertiser: &str,
        spec: &'static ReportSpec,
        window: Option<DateWindow>,
    ) -> ProbeQuery {
        let request = request(spec, advertiser, window, self.include_deleted, &[])
            .scoped(Scope::ReportWindow)
            .concerning(advertiser);
        let span = DateWindow::span_text(window);
        ProbeQuery { api: api.clone(), request, what: format!("advertiser {advertiser} {span}") }
    }

    fn spec(&self, granularity: Granularity) -> &'static ReportSpec {
        match (self.include_deleted, granularity) {
            (false, Granularity::Lifetime) => &ADVERTISER_LIFETIME,
            (true, Granularity::Lifetime) => &CAMPAIGN_LIFETIME,
            (false, _) => &ADVERTISER_DAYS,
            (true, _) => &CAMPAIGN_DAYS,
        }
    }
}

/// The requests a report without a time dimension sends per advertiser: one `query_lifetime`
/// query, or (audience reports) a window per year since start_date.
fn lifetime_requests(report: &ReportSpec, config: &Config) -> usize {
    match (report.granularity, report.has_dates()) {
        (Granularity::Lifetime, false) => 1,
        (Granularity::Lifetime, true) => {
            let end = config.end_date.unwrap_or_else(|| chrono::Utc::now().date_naive());
            DateWindow::cover(config.start_date, end, max_window_days(Granularity::Lifetime)).len()
        }
        _ => 0,
    }
}

/// One probe's request, with the client that sends it and what it is about (for the log).
struct ProbeQuery {
    api: Rc<ApiClient>,
    request: crate::api::ApiRequest,
    what: String,
}

/// The rows of a probe, every page; `None` (with a note) when TikTok did not answer them all
/// or truncated them.
async fn probe_rows(query: ProbeQuery) -> Option<Vec<Value>> {
    let mut pages = Pages::list(&query.api, query.request, "list");
    let mut rows = Vec::new();
    while let Some(page) = pages.next().await {
        match page {
            Ok(page) => rows.extend(page),
            Err(e) => {
                output::log_info(&format!("{}: delivery unknown ({}); every day is read", query.what, e.message));
                return None;
            }
        }
    }
    // Only the 20k newest ads: a day only older ads delivered on would look idle.
    (!pages.truncated).then_some(rows)
}

/// The days of the probed window the advertiser delivered on.
async fn delivery_days(query: ProbeQuery) -> DeliveryDays {
    let rows = probe_rows(query).await?;
    let day_of = |row: &Value| {
        let time = row["dimensions"]["stat_time_day"].as_str()?;
        NaiveDate::parse_from_str(time.get(..10)?, "%Y-%m-%d").ok()
    };
    // A row without a readable day leaves the whole window unknown.
    let days: Option<BTreeSet<NaiveDate>> = rows.iter().map(day_of).collect();
    days.map(Rc::new)
}

/// Whether the advertiser has any lifetime delivery (true when that is unknown).
async fn ever_delivered(query: ProbeQuery) -> bool {
    probe_rows(query).await.is_none_or(|rows| !rows.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::dates::test_day as d;

    fn activity(first_day: &str) -> Activity {
        let config = Config::parse(&format!(
            r#"{{"credentials":{{"auth_type":"oauth2.0","app_id":"1","secret":"s","access_token":"t"}},"start_date":"{first_day}"}}"#
        ))
        .unwrap();
        Activity::new(&config, &[])
    }

    #[test]
    fn probe_windows_count_back_from_the_last_day_and_stop_at_the_start_date() {
        let a = activity("2024-01-01");
        let last = d("2024-03-31");
        // An incremental sync's few days: the one window ending on the last day.
        assert_eq!(
            a.probe_windows(last, DateWindow { start: d("2024-03-25"), end: last }),
            vec![DateWindow { start: d("2024-03-02"), end: last }]
        );
        let all = a.probe_windows(last, DateWindow { start: d("2024-01-01"), end: last });
        assert_eq!(all.len(), 4);
        assert_eq!(all[3], DateWindow { start: d("2024-01-01"), end: d("2024-01-01") });
        assert!(all.iter().all(|w| w.days() <= PROBE_DAYS));
        assert_eq!(all.iter().map(DateWindow::days).sum::<i64>(), 91, "every day in exactly one window");
    }

    #[test]
    fn probes_ask_the_advertiser_level_or_with_deleted_objects_the_campaign_level_with_status_all() {
        let mut a = activity("2024-01-01");
        let window = Some(DateWindow { start: d("2024-01-01"), end: d("2024-01-30") });
        let query = |a: &Activity, granularity| request(a.spec(granularity), "7", window, a.include_deleted, &[]).query;
        let plain = query(&a, Granularity::Daily);
        assert!(plain.contains(&("data_level", "AUCTION_ADVERTISER".to_string())));
        assert!(plain.iter().all(|(k, _)| *k != "filtering"));
        a.include_deleted = true;
        let deleted = query(&a, Granularity::Daily);
        assert!(deleted.contains(&("data_level", "AUCTION_CAMPAIGN".to_string())));
        assert!(deleted
            .iter()
            .any(|(k, v)| *k == "filtering" && v.contains("campaign_status") && v.contains("STATUS_ALL")));
    }
}
