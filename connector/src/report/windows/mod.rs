//! One advertiser's part of a report stream over its date windows: only those that can hold
//! rows (`activity`), the attribution lookback re-read, each window read whole (`reader`) and
//! checkpointed once every record of it is out; lifetime reports in one query or summed windows.
//!
//! - `plan`: the windows worth asking for, and how far each moves the cursor;
//! - `reader`: one window read whole, and what became of it;
//! - `split`: a window read in halves.

pub mod plan;
pub mod reader;
mod split;

use std::rc::Rc;

use chrono::NaiveDate;
use serde_json::Value;

use crate::context::StreamRun;
use crate::error::Result;
use crate::fetch::ahead::FetchAhead;
use crate::report::activity::asks_late_results;
use crate::report::dates::{cursor_value, first_day, max_window_days, DateWindow};
use crate::report::rows::sum_records;
use crate::report::tasks::quotas;
use crate::report::{topview, ReportSync};
use crate::streams::{Granularity, ReportSpec};
use plan::{plan, PlannedWindow};
use reader::WindowReader;

/// Read `spec` for one advertiser of the sync.
pub async fn read_advertiser(
    run: &Rc<StreamRun>,
    reports: &Rc<ReportSync>,
    spec: &'static ReportSpec,
    advertiser: &str,
) -> Result<()> {
    let part = Part { run, reports, spec, advertiser };
    let topview = topview::needs_rows(&run.sync, reports, spec, advertiser).await?;
    if !spec.has_dates() {
        return part.read_lifetime(topview).await;
    }
    let end = reports.facts.last_report_day(&run.sync, advertiser).await;
    if spec.granularity == Granularity::Lifetime {
        return part.read_summed_windows(end, topview).await;
    }
    part.read_windows(end, topview).await
}

/// One advertiser's part of a report stream.
struct Part<'a> {
    run: &'a Rc<StreamRun>,
    reports: &'a Rc<ReportSync>,
    spec: &'static ReportSpec,
    advertiser: &'a str,
}

impl Part<'_> {
    /// Hand records to the host, but those the stream leaves out (`ReportSpec::leave_out`).
    fn emit(&self, mut records: Vec<String>) {
        if self.spec.leave_out.is_some() {
            records.retain(|text| !self.spec.leaves_out(text));
        }
        self.run.emit_texts(records)
    }

    fn reader(&self, last_day: Option<NaiveDate>, topview: bool) -> WindowReader<'_> {
        WindowReader::new(self.run, self.reports, self.spec, self.advertiser, last_day, topview)
    }

    /// A basic lifetime report (`query_lifetime`): one query, unless the advertiser never
    /// delivered (which the advertiser-level probe cannot tell of TopView objects).
    async fn read_lifetime(&self, topview: bool) -> Result<()> {
        let (sync, reports) = (&self.run.sync, self.reports);
        let last_day = reports.facts.last_report_day(sync, self.advertiser);
        if !topview
            && !reports.activity.lifetime_may_have_rows(&reports.facts, &sync.api, self.advertiser, last_day).await
        {
            reports.activity.spared(1);
            return Ok(());
        }
        let reader = self.reader(None, topview);
        reader.read(None, None, &mut |records| self.emit(records)).await?;
        Ok(())
    }

    /// Audience reports have no query_lifetime: sum windows of a year since start_date
    /// instead, unless the advertiser never delivered.
    async fn read_summed_windows(&self, end: NaiveDate, topview: bool) -> Result<()> {
        let (sync, reports) = (&self.run.sync, self.reports);
        let windows = DateWindow::cover(sync.config.start_date, end, max_window_days(self.spec.granularity));
        if !topview
            && !reports
                .activity
                .lifetime_may_have_rows(&reports.facts, &sync.api, self.advertiser, std::future::ready(end))
                .await
        {
            reports.activity.spared(windows.len());
            return Ok(());
        }
        let reader = self.reader(Some(end), topview);
        let mut records = Vec::new();
        for window in windows {
            let mut collect =
                |texts: Vec<String>| records.extend(texts.iter().filter_map(|t| serde_json::from_str::<Value>(t).ok()));
            reader.read(Some(window), None, &mut collect).await?;
        }
        self.run.emit(&sum_records(records));
        Ok(())
    }

    /// A daily or hourly report: the days since the cursor (less the attribution window) in
    /// windows, each checkpointed once every record of it is out.
    async fn read_windows(&self, end: NaiveDate, topview: bool) -> Result<()> {
        let (run, spec, advertiser) = (self.run, self.spec, self.advertiser);
        let config = &run.sync.config;
        // Re-read the attribution window before the cursor: late conversions restate it.
        let lookback = spec.lookback_days.unwrap_or(config.attribution_window);
        let start = first_day(run.cursor_of(advertiser).as_deref(), lookback, config.start_date);
        let width = match spec.granularity {
            Granularity::Daily => config.report_window_days.min(spec.daily_window_days()),
            _ => max_window_days(spec.granularity),
        };
        let planned = self.planned_windows(DateWindow { start, end }, width, topview).await;
        if planned.is_empty() && start <= end {
            // No day of the span can have rows: the cursor moves as if every window was read.
            run.checkpoint(advertiser, Some(&cursor_value(spec.granularity, end)));
            return Ok(());
        }
        // First pages of the windows travel ahead; records and states still leave window by
        // window, in order.
        let reader = self.reader(Some(end), topview);
        let firsts = planned.into_iter().map(|p| (p, reader.request(Some(p.window), None).page(1))).collect();
        let mut firsts = FetchAhead::new(&run.sync.api, firsts);
        let (mut truncated_windows, mut incomplete, mut task_quota_spent) = (Vec::new(), false, false);
        while let Some((planned, first)) = firsts.next().await {
            let outcome = reader.read(Some(planned.window), Some(first), &mut |records| self.emit(records)).await?;
            if outcome.truncated_queries > 0 {
                truncated_windows.push(planned.window);
            }
            incomplete |= outcome.incomplete();
            task_quota_spent |= outcome.task_quota_spent;
            // Every record up to the next window is out (the days between have none): the
            // cursor may move past them, unless a window so far ended with fewer rows than
            // TikTok has.
            if !incomplete {
                run.checkpoint(advertiser, Some(&cursor_value(spec.granularity, planned.through)));
            }
        }
        match truncated_windows.first() {
            Some(first) if task_quota_spent => {
                Err(quotas::backfill_error(run.def.name, advertiser, truncated_windows.len(), first.start))
            }
            _ => Ok(()),
        }
    }

    /// The windows of `span` worth asking for: those holding the days the advertiser may have
    /// delivered on (every day with `skip_inactive_days` off, or for TopView objects, whose
    /// delivery the advertiser-level probe does not show).
    async fn planned_windows(&self, span: DateWindow, width: u32, topview: bool) -> Vec<PlannedWindow> {
        if topview {
            return plan(span.start, span.end, width, |_| true);
        }
        let (sync, reports) = (&self.run.sync, self.reports);
        let late_results = asks_late_results(self.spec);
        let readable = reports
            .activity
            .days_to_read(&reports.facts, &sync.api, self.advertiser, span.end, span, late_results)
            .await;
        let planned = plan(span.start, span.end, width, |day| readable.contains(day));
        let every_window = DateWindow::cover(span.start, span.end, width).len();
        reports.activity.spared(every_window.saturating_sub(planned.len()));
        planned
    }
}
