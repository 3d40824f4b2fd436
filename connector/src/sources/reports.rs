//! Report streams: `report/integrated/get/` per advertiser over date windows, the attribution
//! lookback, window splitting when TikTok says a query is too large or times out, and the async
//! task API when TikTok truncates a report to 20k ads.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use chrono::Duration;
use serde_json::Value;

use super::{report_tasks, PartitionSource};
use crate::api::refusal::{Action, Scope};
use crate::api::ApiResponse;
use crate::error::{Error, Result};
use crate::output;
use crate::read::ahead::FetchAhead;
use crate::read::paging::{Page, Pages};
use crate::read::StreamRun;
use crate::report::{self, DateWindow};
use crate::state::parse_time;
use crate::streams::{Granularity, ReportSpec};

impl PartitionSource for ReportSpec {
    async fn read_partition(&'static self, run: Rc<StreamRun>, advertiser: String) -> Result<()> {
        let window = WindowReader { run: &run, spec: self, advertiser: &advertiser };
        if !self.has_dates() {
            return window.read(None, None, &mut |records| run.emit_texts(records)).await;
        }
        let config = &run.sync.config;
        let today = run.sync.advertisers.local_today(&advertiser).await;
        let end = config.end_date.map_or(today, |e| e.min(today));
        if self.granularity == Granularity::Lifetime {
            // Audience reports have no query_lifetime: sum windows of a year instead.
            let mut records = Vec::new();
            for window_days in DateWindow::cover(config.start_date, end, report::max_window_days(self.granularity)) {
                let mut collect = |texts: Vec<String>| records.extend(texts.iter().filter_map(|t| serde_json::from_str::<Value>(t).ok()));
                window.read(Some(window_days), None, &mut collect).await?;
            }
            run.emit(&report::sum_records(records));
            return Ok(());
        }
        // Re-read the attribution window before the cursor: late conversions restate it.
        let since = run.cursor_of(&advertiser).as_deref().and_then(parse_time).map(|t| t.date());
        let start = since.map_or(config.start_date, |day| {
            (day - Duration::days(config.attribution_window as i64)).max(config.start_date)
        });
        let width = match self.granularity {
            Granularity::Daily => config.report_window_days.min(self.daily_window_days()),
            _ => report::max_window_days(self.granularity),
        };
        // First pages of the windows travel ahead; records and states still leave window by
        // window, in order.
        let firsts = DateWindow::cover(start, end, width).into_iter().map(|w| (w, window.request(Some(w)).page(1))).collect();
        let mut firsts = FetchAhead::new(&run.sync, firsts);
        while let Some((days, first)) = firsts.next().await {
            window.read(Some(days), Some(first), &mut |records| run.emit_texts(records)).await?;
            // Every record of the window is out: the cursor may move past it.
            run.checkpoint(&advertiser, Some(&report::cursor_value(self.granularity, days.end)));
        }
        Ok(())
    }
}

/// Reads windows of one advertiser's report.
struct WindowReader<'a> {
    run: &'a Rc<StreamRun>,
    spec: &'static ReportSpec,
    advertiser: &'a str,
}

/// Where a window's record texts go: out to the host, or into a sum.
type Sink<'s> = &'s mut dyn FnMut(Vec<String>);

impl WindowReader<'_> {
    fn request(&self, window: Option<DateWindow>) -> crate::api::ApiRequest {
        report::request(self.spec, self.advertiser, window, self.run.sync.config.include_deleted)
            .scoped(Scope::ReportWindow)
            .concerning(self.advertiser)
    }

    /// Read one window (the whole lifetime when `window` is None) into `sink`. A window TikTok
    /// calls too large (40067), or that keeps timing out, is read in halves down to single
    /// days, as long as none of its records went out yet.
    fn read<'s>(&'s self, window: Option<DateWindow>, first: Option<Result<ApiResponse>>, sink: Sink<'s>) -> Pin<Box<dyn Future<Output = Result<()>> + 's>> {
        Box::pin(async move {
            let span = window.map_or("lifetime".to_string(), |w| format!("{}..{}", w.start, w.end));
            let first = match first {
                Some(first) => first,
                None => self.run.sync.call(&self.request(window).page(1)).await,
            };
            if matches!(&first, Ok(answer) if answer.ads_throttle.is_some()) && self.read_task(window, &span, sink).await {
                return Ok(());
            }
            let advertiser = self.advertiser.to_string();
            let decode = move |answer: ApiResponse| {
                let page = report::page_records(&answer.body, &advertiser).map_err(Error::transient)?;
                Ok(Page { is_empty: page.records.is_empty(), total_pages: page.total_pages, items: (page.records, page.unreadable) })
            };
            let mut pages = Pages::decoded(&self.run.sync, self.request(window), Some(first), Box::new(decode));
            let mut unreadable = BTreeMap::new();
            let mut emitted = false;
            while let Some(page) = pages.next().await {
                match page {
                    Ok((records, page_unreadable)) => {
                        emitted = true;
                        unreadable.extend(page_unreadable);
                        sink(records);
                    }
                    Err(e) if !emitted && self.should_split(&e) => return self.read_halves(window, &span, e, sink).await,
                    Err(e) => return Err(e.context(span)),
                }
            }
            for (metric, text) in &unreadable {
                output::log_warn(&format!(
                    "{}: advertiser {} {span}: metric {metric} had an unreadable value {text:?}; emitted as null",
                    self.run.def.name, self.advertiser
                ));
            }
            if pages.truncated {
                output::log_warn(&format!(
                    "{}: advertiser {} {span}: TikTok truncated the report to the 20,000 most recently created ads (X-Tt-Ads-Throttle)",
                    self.run.def.name, self.advertiser
                ));
            }
            Ok(())
        })
    }

    fn should_split(&self, e: &Error) -> bool {
        e.timed_out || e.action(Scope::ReportWindow) == Some(Action::SplitWindow)
    }

    async fn read_halves(&self, window: Option<DateWindow>, span: &str, e: Error, sink: Sink<'_>) -> Result<()> {
        let why = if e.timed_out { "keeps timing out" } else { "is too large for TikTok (40067)" };
        match window {
            Some(w) if w.days() > 1 => {
                output::log_info(&format!("{}: advertiser {} {span} {why}; reading it in halves", self.run.def.name, self.advertiser));
                let (first, second) = w.split();
                self.read(Some(first), None, sink).await?;
                self.read(Some(second), None, sink).await
            }
            _ => {
                let mut error = Error::transient(format!(
                    "TikTok: the report for advertiser {} {span} {why} even for a single day; lower the number of metrics or try again later ({})",
                    self.advertiser, e.message
                ));
                error.refusal = e.refusal;
                Err(error)
            }
        }
    }

    /// TikTok cut the report to its 20k newest ads: read the window as an async task instead,
    /// which is not truncated. False (with a warning) when the task fails.
    async fn read_task(&self, window: Option<DateWindow>, span: &str, sink: Sink<'_>) -> bool {
        let (name, advertiser) = (self.run.def.name, self.advertiser);
        let (_, left_out) = report::task_metrics(self.spec);
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
        match report_tasks::read(&self.run.sync, self.spec, advertiser, window).await {
            Ok(rows) => {
                output::log_info(&format!(
                    "{name}: advertiser {advertiser} {span}: the synchronous report was truncated to 20,000 ads; read {} rows from an async report task instead",
                    rows.len()
                ));
                let mut unreadable = BTreeMap::new();
                let records = rows.into_iter().map(|row| {
                    let mut record = report::to_record(row, advertiser, &mut unreadable);
                    for metric in &left_out {
                        record["metrics"][*metric] = Value::Null;
                    }
                    record.to_string()
                });
                sink(records.collect());
                true
            }
            Err(e) => {
                output::log_warn(&format!(
                    "{name}: advertiser {advertiser} {span}: the async report task failed ({}); keeping the truncated synchronous report",
                    e.message
                ));
                false
            }
        }
    }
}
