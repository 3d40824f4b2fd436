//! The async-task side of a window reader: one task serves the truncated window and the days
//! after it; a failed task is asked again over fewer days.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use chrono::{Duration, NaiveDate};
use serde_json::Value;

use super::{promote, TaskFailure};
use crate::output;
use crate::report::dates::DateWindow;
use crate::report::query::task_metrics;
use crate::report::rows::to_record;
use crate::report::windows::reader::{Sink, TaskRows, WindowOutcome, WindowReader};
use crate::streams::{DataLevel, ReportSpec};

/// An async task may span any number of days (tiktok-api.md §4.9) while synchronous windows
/// are short (hourly reports: one day), so one task serves the truncated windows that follow,
/// sparing TikTok's hourly task quota (`quotas`). The span is chosen for about this
/// many rows, since a task answers with one CSV file held whole (64 MiB at most; a task whose
/// download fails is asked again in halves of its days).
const TASK_ROWS_TARGET: u64 = 50_000;
/// And never more days than this.
const MAX_TASK_DAYS: i64 = 31;
/// Rows per page of the synchronous report, to estimate a task's rows from its page count.
const SYNC_PAGE_ROWS: u64 = 1_000;

impl WindowReader<'_> {
    /// TikTok cut the report to its 20k newest ads: read the window from an async task instead,
    /// which is not truncated (one task may serve the windows that follow). False when the app
    /// may not create tasks, the task fails or a quota is spent (the caller reads the window
    /// another way, or warns that it stays truncated; a spent quota is in `outcome`).
    pub(in crate::report) async fn read_task(
        &self,
        window: Option<DateWindow>,
        sync_pages: u64,
        span: &str,
        sink: Sink<'_>,
        outcome: &mut WindowOutcome,
    ) -> bool {
        let (name, advertiser) = (self.run.def.name, self.advertiser);
        if self.reports.facts.task_access.refused() {
            return false;
        }
        let rows = match self.task_rows_for(window, sync_pages).await {
            Ok(rows) => rows,
            Err(failure) => {
                outcome.task_quota_spent |= matches!(failure, TaskFailure::QuotaSpent(_));
                output::log_info(&format!(
                    "{name}: advertiser {advertiser} {span}: no async report task ({})",
                    failure.why()
                ));
                return false;
            }
        };
        let rows = self.without_promote(rows).await;
        let (_, left_out) = task_metrics(self.spec);
        if !left_out.is_empty() {
            self.run.warn_once("task-uv", &format!(
                "{name}: TikTok's async report tasks refuse reach metrics with audience dimensions; rows read through a task have {} as null",
                left_out.join(", ")
            ));
        }
        if self.run.sync.config.include_deleted && self.spec.data_level.status_field().is_some() {
            self.run.warn_once("task-deleted", &format!(
                "{name}: TikTok's async report tasks take no status filter; rows read through a task leave out deleted objects"
            ));
        }
        output::log_info(&format!(
            "{name}: advertiser {advertiser} {span}: the synchronous report was truncated to 20,000 ads; read {} rows from an async report task instead",
            rows.len()
        ));
        let mut unreadable = BTreeMap::new();
        let records = rows.into_iter().map(|row| {
            let mut record = to_record(row, advertiser, &mut unreadable);
            for metric in &left_out {
                record["metrics"][*metric] = Value::Null;
            }
            record.to_string()
        });
        sink(records.collect());
        self.warn_unreadable(span, &unreadable);
        true
    }

    /// The task's rows without those of Promote objects, which the synchronous report of the same
    /// window leaves out (`promote`); where they cannot be told apart (advertiser-level rows), or
    /// the Promote list cannot be read, kept and said once.
    async fn without_promote(&self, rows: Vec<Value>) -> Vec<Value> {
        let (name, advertiser) = (self.run.def.name, self.advertiser);
        match promote::objects(&self.run.sync, self.reports, advertiser).await {
            Ok(objects) if objects.is_empty() => rows,
            Ok(_) if self.spec.data_level == DataLevel::Advertiser => {
                self.run.warn_once("task-promote-advertiser", &format!(
                    "{name}: advertiser {advertiser} has Promote ads; rows read through an async task include their delivery (DOC-PROMOTE), which synchronous advertiser rows leave out, and no filter tells them apart"
                ));
                rows
            }
            Ok(objects) => {
                let (kept, dropped) = objects.drop_from(rows, self.spec);
                if dropped > 0 {
                    output::log_info(&format!(
                        "{name}: advertiser {advertiser}: {dropped} task rows of Promote ads left out, as synchronous reports leave them out (DOC-PROMOTE)"
                    ));
                }
                kept
            }
            Err(e) => {
                self.run.warn_once("task-promote-unknown", &format!(
                    "{name}: advertiser {advertiser}: the Promote ads could not be listed ({}); rows read through an async task may include Promote ads, which synchronous reports leave out",
                    e.message
                ));
                rows
            }
        }
    }

    /// The task rows of `window`: from the task an earlier window created, or from a new task
    /// spanning this window and the days after it.
    async fn task_rows_for(
        &self,
        window: Option<DateWindow>,
        sync_pages: u64,
    ) -> std::result::Result<Vec<Value>, TaskFailure> {
        let Some(window) = window else {
            return super::read(&self.run.sync, self.reports, self.spec, self.advertiser, None).await;
        };
        let covered = |rows: &Option<TaskRows>| {
            rows.as_ref().is_some_and(|r| r.span.start <= window.start && window.end <= r.span.end)
        };
        if !covered(&self.task_rows.borrow()) {
            let span = self.task_span(window, sync_pages);
            let rows = self.task_rows_in_halves(span).await;
            if let Ok(rows) = &rows {
                self.task_rows_per_day.set(Some((rows.len() as u64).div_ceil(span.days() as u64)));
            }
            // The windows after this one in the task's span fail alike, without a new task.
            let by_day = rows
                .map(|rows| group_by_day(rows, self.spec, window.start))
                .map_err(|e| e.context(&format!("the task for {}..{}", span.start, span.end)));
            *self.task_rows.borrow_mut() = Some(TaskRows { span, by_day });
        }
        let mut cached = self.task_rows.borrow_mut();
        let by_day = match cached.as_mut().map(|rows| &mut rows.by_day) {
            Some(Ok(by_day)) => by_day,
            Some(Err(failure)) => return Err(failure.clone()),
            None => return Err(TaskFailure::Failed("no async report task covers these days".to_string())),
        };
        let mut rows = Vec::new();
        let mut day = window.start;
        while day <= window.end {
            rows.extend(by_day.remove(&day).unwrap_or_default());
            day += Duration::days(1);
        }
        Ok(rows)
    }

    /// The rows of a task for `span`. A task that fails over several days is asked again in
    /// halves, down to single days: TikTok's documents disagree on the span an hourly task may
    /// have, and a long span of a large account may fail or outgrow its download.
    fn task_rows_in_halves(
        &self,
        span: DateWindow,
    ) -> Pin<Box<dyn Future<Output = std::result::Result<Vec<Value>, TaskFailure>> + '_>> {
        Box::pin(async move {
            match super::read(&self.run.sync, self.reports, self.spec, self.advertiser, Some(span)).await {
                Err(TaskFailure::Failed(why)) if span.days() > 1 && !self.reports.facts.task_access.refused() => {
                    output::log_info(&format!(
                        "{}: advertiser {} {}..{}: the async report task failed ({why}); asking for its days in halves",
                        self.run.def.name, self.advertiser, span.start, span.end
                    ));
                    let (first, second) = span.split();
                    let mut rows = self.task_rows_in_halves(first).await?;
                    rows.extend(self.task_rows_in_halves(second).await?);
                    Ok(rows)
                }
                answer => answer,
            }
        })
    }

    /// The days one task covers, from `window` on: about `TASK_ROWS_TARGET` rows, estimated
    /// from the window's synchronous page count (which the truncation understates) or from the
    /// rows per day of this report's last task, whichever is more. Reports without a time
    /// dimension (summed lifetime windows) keep their window.
    fn task_span(&self, window: DateWindow, sync_pages: u64) -> DateWindow {
        let (Some(last_day), Some(_)) = (self.last_day, self.spec.granularity.time_dimension()) else { return window };
        let estimated = (sync_pages.max(1) * SYNC_PAGE_ROWS).div_ceil(window.days() as u64);
        let rows_per_day = estimated.max(self.task_rows_per_day.get().unwrap_or(0));
        let days = ((TASK_ROWS_TARGET / rows_per_day) as i64).clamp(window.days(), MAX_TASK_DAYS.max(window.days()));
        DateWindow { start: window.start, end: (window.start + Duration::days(days - 1)).min(last_day).max(window.end) }
    }
}

/// A task's rows by the day of their time dimension (`YYYY-MM-DD HH:MM:SS`); a row without a
/// readable day goes with `first_day`, the window being read, so it is not lost.
fn group_by_day(rows: Vec<Value>, spec: &ReportSpec, first_day: NaiveDate) -> BTreeMap<NaiveDate, Vec<Value>> {
    let time = spec.granularity.time_dimension().unwrap_or_default();
    let mut by_day: BTreeMap<NaiveDate, Vec<Value>> = BTreeMap::new();
    for row in rows {
        let day =
            row["dimensions"][time].as_str().and_then(|t| NaiveDate::parse_from_str(t.get(..10)?, "%Y-%m-%d").ok());
        by_day.entry(day.unwrap_or(first_day)).or_default().push(row);
    }
    by_day
}
