//! Connector configs for a test's simulator, built up from named options:
//! `h.config().start(days_ago(3)).rps(200).build()`. Options left out keep the connector's
//! defaults; the start date is 2024-01-01 unless set.

use chrono::NaiveDate;
use serde_json::{json, Value};

use crate::days_ago;

/// A connector config being built.
#[must_use = "a config is used once built"]
pub struct ConfigBuilder(Value);

impl ConfigBuilder {
    pub(crate) fn new(credentials: Value) -> ConfigBuilder {
        ConfigBuilder(json!({"credentials": credentials, "start_date": "2024-01-01"}))
    }

    fn set(mut self, option: &str, value: Value) -> ConfigBuilder {
        self.0[option] = value;
        self
    }

    /// The first day read (`start_date`).
    pub fn start(self, day: NaiveDate) -> ConfigBuilder {
        self.set("start_date", json!(day.to_string()))
    }

    /// From `n` days before today.
    pub fn days(self, n: i64) -> ConfigBuilder {
        self.start(days_ago(n))
    }

    /// The last day read (`end_date`).
    pub fn end(self, day: NaiveDate) -> ConfigBuilder {
        self.set("end_date", json!(day.to_string()))
    }

    /// The request budget (`requests_per_second`).
    pub fn rps(self, n: u32) -> ConfigBuilder {
        self.set("requests_per_second", json!(n))
    }

    pub fn retry_base_delay_ms(self, ms: u64) -> ConfigBuilder {
        self.set("retry_base_delay_ms", json!(ms))
    }

    pub fn attribution_window(self, days: u32) -> ConfigBuilder {
        self.set("attribution_window", json!(days))
    }

    pub fn report_window_days(self, days: u32) -> ConfigBuilder {
        self.set("report_window_days", json!(days))
    }

    pub fn skip_inactive_days(self, skip: bool) -> ConfigBuilder {
        self.set("skip_inactive_days", json!(skip))
    }

    pub fn include_deleted(self, include: bool) -> ConfigBuilder {
        self.set("include_deleted", json!(include))
    }

    pub fn custom_reports(self, reports: &[Value]) -> ConfigBuilder {
        self.set("custom_reports", json!(reports))
    }

    pub fn additional_metrics(self, metrics: &[&str]) -> ConfigBuilder {
        self.set("additional_metrics", json!(metrics))
    }

    /// Only this advertiser (`credentials.advertiser_id`).
    pub fn advertiser(mut self, id: &str) -> ConfigBuilder {
        self.0["credentials"]["advertiser_id"] = json!(id);
        self
    }

    pub fn build(self) -> Value {
        self.0
    }
}

/// One entry of `custom_reports`.
pub fn custom_report(
    name: &str,
    report_type: &str,
    level: &str,
    granularity: &str,
    dimensions: &[&str],
    metrics: &[&str],
) -> Value {
    json!({"name": name, "report_type": report_type, "data_level": level, "granularity": granularity, "dimensions": dimensions, "metrics": metrics})
}
