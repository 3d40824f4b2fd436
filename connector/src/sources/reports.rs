//! Report streams: `report/integrated/get/` per advertiser over date windows (only those that
//! can hold rows: `report::activity`), the attribution lookback, and each window read whole by
//! `report_window` (split, narrowed, or through async tasks, as TikTok requires).

use std::rc::Rc;

use chrono::{Duration, NaiveDate};
use serde_json::Value;

use super::report_window::WindowReader;
use super::{topview, PartitionSource};
use crate::context::StreamRun;
use crate::error::{Error, Result};
use crate::fetch::ahead::FetchAhead;
use crate::report::{self, DateWindow, PlannedWindow};
use crate::state::parse_time;
use crate::streams::{DataLevel, Granularity, ReportSpec};

impl PartitionSource for ReportSpec {
    async fn read_partition(&'static self, run: Rc<StreamRun>, advertiser: String) -> Result<()> {
        // Rows of TopView objects come from a second query per window; the advertiser level's
        // one row a day cannot take them in (its AUCTION rows are all it reports).
        let topview =
            self.data_level != DataLevel::Advertiser && topview::advertiser_has_any(&run.sync, &advertiser).await?;
        if !self.has_dates() {
            return read_lifetime(&run, self, &advertiser, topview).await;
        }
        let end = run.sync.last_report_day(&advertiser).await;
        if self.granularity == Granularity::Lifetime {
            return read_summed_windows(&run, self, &advertiser, end, topview).await;
        }
        read_windows(&run, self, &advertiser, end, topview).await
    }
}

/// A basic lifetime report (`query_lifetime`): one query, unless the advertiser never delivered
/// (which the advertiser-level probe cannot tell of TopView objects).
async fn read_lifetime(run: &Rc<StreamRun>, spec: &'static ReportSpec, advertiser: &str, topview: bool) -> Result<()> {
    if !topview
        && !run
            .sync
            .activity
            .lifetime_may_have_rows(&run.sync.api, advertiser, run.sync.last_report_day(advertiser))
            .await
    {
        run.sync.activity.spared(1);
        return Ok(());
    }
    let window = WindowReader::new(run, spec, advertiser, None, topview);
    window.read(None, None, &mut |records| run.emit_texts(records)).await
}

/// Audience reports have no query_lifetime: sum windows of a year since start_date instead,
/// unless the advertiser never delivered.
async fn read_summed_windows(
    run: &Rc<StreamRun>,
    spec: &'static ReportSpec,
    advertiser: &str,
    end: NaiveDate,
    topview: bool,
) -> Result<()> {
    let windows = DateWindow::cover(run.sync.config.start_date, end, report::max_window_days(spec.granularity));
    if !topview && !run.sync.activity.lifetime_may_have_rows(&run.sync.api, advertiser, std::future::ready(end)).await {
        run.sync.activity.spared(windows.len());
        return Ok(());
    }
    let reader = WindowReader::new(run, spec, advertiser, Some(end), topview);
    let mut records = Vec::new();
    for window in windows {
        let mut collect =
            |texts: Vec<String>| records.extend(texts.iter().filter_map(|t| serde_json::from_str::<Value>(t).ok()));
        reader.read(Some(window), None, &mut collect).await?;
    }
    run.emit(&report::sum_records(records));
    Ok(())
}

/// A daily or hourly report: the days since the cursor (less the attribution window) in
/// windows, each checkpointed once every record of it is out.
async fn read_windows(
    run: &Rc<StreamRun>,
    spec: &'static ReportSpec,
    advertiser: &str,
    end: NaiveDate,
    topview: bool,
) -> Result<()> {
    let config = &run.sync.config;
    // Re-read the attribution window before the cursor: late conversions restate it.
    let since = run.cursor_of(advertiser).as_deref().and_then(parse_time).map(|t| t.date());
    let start = since.map_or(config.start_date, |day| {
        (day - Duration::days(spec.lookback_days.unwrap_or(config.attribution_window) as i64)).max(config.start_date)
    });
    let width = match spec.granularity {
        Granularity::Daily => config.report_window_days.min(spec.daily_window_days()),
        _ => report::max_window_days(spec.granularity),
    };
    let planned = planned_windows(run, advertiser, DateWindow { start, end }, width, topview).await;
    if planned.is_empty() && start <= end {
        // No day of the span can have rows: the cursor moves as if every window was read.
        run.checkpoint(advertiser, Some(&report::cursor_value(spec.granularity, end)));
        return Ok(());
    }
    // First pages of the windows travel ahead; records and states still leave window by
    // window, in order.
    let reader = WindowReader::new(run, spec, advertiser, Some(end), topview);
    let firsts = planned.into_iter().map(|p| (p, reader.request(Some(p.window), None).page(1))).collect();
    let mut firsts = FetchAhead::new(&run.sync.api, firsts);
    let mut truncated_windows: Vec<DateWindow> = Vec::new();
    while let Some((planned, first)) = firsts.next().await {
        let truncations = reader.truncations.get();
        reader.read(Some(planned.window), Some(first), &mut |records| run.emit_texts(records)).await?;
        if reader.truncations.get() > truncations {
            truncated_windows.push(planned.window);
        }
        // Every record up to the next window is out (the days between have none): the cursor
        // may move past them, unless a window so far ended with fewer rows than TikTok has.
        if !reader.incomplete.get() {
            run.checkpoint(advertiser, Some(&report::cursor_value(spec.granularity, planned.through)));
        }
    }
    match truncated_windows.first() {
        Some(first) if reader.task_quota_spent.get() => {
            Err(task_quota_spent(run.def.name, advertiser, truncated_windows.len(), first.start))
        }
        _ => Ok(()),
    }
}

/// A backfill needing more async tasks than TikTok's quotas allow: a transient error, once every
/// window has been read (the truncated ones with a warning each).
fn task_quota_spent(stream: &str, advertiser: &str, windows: usize, from: NaiveDate) -> Error {
    let hour_later = (chrono::Utc::now() + Duration::hours(1)).format("%H:%M");
    Error::transient(format!(
        "{stream}: advertiser {advertiser}: {windows} report window{} from {from} kept only TikTok's 20,000 newest ads because the async report task quota is spent \
         (500 tasks per advertiser an hour, 4,500 per app a day: the hourly quota frees up by about {hour_later} UTC, the daily one within 24 hours); \
         the state stays before them, so the next sync reads them again",
        if windows == 1 { "" } else { "s" }
    ))
}

/// The windows of `span` worth asking for: those holding the days the advertiser may have
/// delivered on (every day with `skip_inactive_days` off, or for TopView objects, whose
/// delivery the advertiser-level probe does not show).
async fn planned_windows(
    run: &Rc<StreamRun>,
    advertiser: &str,
    span: DateWindow,
    width: u32,
    topview: bool,
) -> Vec<PlannedWindow> {
    if topview {
        return report::plan(span.start, span.end, width, |_| true);
    }
    let readable = run.sync.activity.days_to_read(&run.sync.api, advertiser, span.end, span).await;
    let planned = report::plan(span.start, span.end, width, |day| readable.contains(day));
    let every_window = DateWindow::cover(span.start, span.end, width).len();
    run.sync.activity.spared(every_window.saturating_sub(planned.len()));
    planned
}
