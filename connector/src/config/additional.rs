//! `additional_metrics`: catalogue metrics added to every built-in report stream where TikTok
//! gives them, so a user of `ads_reports_daily` gets the website leg next to the app one without
//! a custom report. A stream's schema lists exactly what it asks for; what a stream leaves out,
//! and why, is said by `check`.

use serde_json::{json, Value};

use super::list;
use crate::error::{Error, Result};
use crate::metrics::{self, rules, MAX_METRICS};
use crate::streams::{self, ReportSpec, Source, StreamDef};

#[derive(Debug, Clone, Default)]
pub struct AdditionalMetrics {
    pub names: Vec<&'static str>,
    /// The built-in report streams that ask for more than their own metrics.
    pub streams: Vec<&'static StreamDef>,
    /// A metric a built-in report stream leaves out: (stream, metric, why).
    pub left_out: Vec<(&'static str, &'static str, String)>,
}

/// The `additional_metrics` part of the spec: the catalogue's names.
pub fn spec() -> Value {
    json!({
        "title": "Additional Metrics",
        "description": "Metrics of the catalogue added to every built-in report stream where TikTok gives them (for example web_event_add_to_cart next to total_app_event_add_to_cart in ads_reports_daily). check says which streams leave which metric out, and why. Without it the built-in streams are the reference's, field for field.",
        "type": "array", "uniqueItems": true, "order": 11,
        "items": {"type": "string", "enum": metrics::known().collect::<Vec<_>>()}
    })
}

impl AdditionalMetrics {
    pub fn parse(value: Option<&Value>) -> Result<AdditionalMetrics> {
        let mut names: Vec<&'static str> = Vec::new();
        for (at, item) in list::entries(value, "additional_metrics", "metric names")? {
            let name = item.as_str().ok_or_else(|| Error::config(format!("{at}: must be a metric name")))?;
            let known = metrics::catalogue::find(name).ok_or_else(|| {
                Error::config(format!("{at}: {name:?} is not in the metric catalogue; ask for it in a custom report, which check asks TikTok about"))
            })?;
            if names.contains(&known.name) {
                return Err(Error::config(format!("{at}: {name:?} is listed twice")));
            }
            names.push(known.name);
        }
        let mut additional = AdditionalMetrics { names, ..Default::default() };
        for def in streams::STREAMS {
            if let Source::Report(spec) = &def.source {
                additional.add_to(def, spec);
            }
        }
        Ok(additional)
    }

    /// The stream with the metrics TikTok gives in it added (itself when none is).
    fn add_to(&mut self, def: &'static StreamDef, spec: &'static ReportSpec) {
        let own: Vec<&str> = metrics::names(spec.metrics).collect();
        let shape = spec.shape();
        let mut added: Vec<&'static str> = Vec::new();
        for &m in self.names.iter().filter(|m| !own.contains(m)) {
            let why = match rules::refusal(m, &shape) {
                Some(why) => why,
                None if own.len() + added.len() >= MAX_METRICS => {
                    format!(
                        "TikTok takes at most {MAX_METRICS} metrics in one request, and the stream asks for {} already",
                        own.len() + added.len()
                    )
                }
                None => {
                    added.push(m);
                    continue;
                }
            };
            self.left_out.push((def.name, m, why));
        }
        if added.is_empty() {
            return;
        }
        let groups: Vec<&'static [&'static str]> =
            spec.metrics.iter().copied().chain([&*Box::leak(added.into_boxed_slice())]).collect();
        let metrics: &'static [&'static [&'static str]] = Box::leak(groups.into_boxed_slice());
        // The same stream, its metrics extended.
        let extended = StreamDef { source: Source::Report(ReportSpec { metrics, ..spec.clone() }), ..*def };
        self.streams.push(Box::leak(Box::new(extended)));
    }

    /// A built-in stream as this config reads it.
    pub fn stream(&self, def: &'static StreamDef) -> &'static StreamDef {
        self.streams.iter().copied().find(|s| s.name == def.name).unwrap_or(def)
    }

    /// What `check` says about the streams that leave a metric out.
    pub fn summary(&self) -> Option<String> {
        if self.names.is_empty() {
            return None;
        }
        let mut lines = vec![format!(
            "additional_metrics: {} of {} built-in report streams ask for more",
            self.streams.len(),
            streams::STREAMS.iter().filter(|s| matches!(s.source, Source::Report(_))).count()
        )];
        lines.extend(self.left_out.iter().map(|(stream, m, why)| format!("{stream} leaves out {m}: {why}")));
        Some(lines.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(names: Value) -> Result<AdditionalMetrics> {
        AdditionalMetrics::parse(Some(&names))
    }

    fn metrics_of(a: &AdditionalMetrics, name: &str) -> Vec<&'static str> {
        let def = a.stream(streams::find(name).unwrap());
        let Source::Report(spec) = &def.source else { panic!() };
        metrics::names(spec.metrics).collect()
    }

    #[test]
    fn a_website_leg_reaches_every_basic_report_and_no_audience_report() {
        let a = parse(json!(["web_event_add_to_cart"])).unwrap();
        for def in streams::STREAMS {
            let Source::Report(spec) = &def.source else { continue };
            let asked = metrics_of(&a, def.name).contains(&"web_event_add_to_cart");
            assert_eq!(asked, spec.report_type == streams::ReportType::Basic, "{}", def.name);
            let schema = a.stream(def).json_schema();
            assert_eq!(
                schema["properties"]["metrics"]["properties"].get("web_event_add_to_cart").is_some(),
                asked,
                "{}",
                def.name
            );
        }
        assert!(a.summary().unwrap().contains("ads_audience_reports_daily leaves out web_event_add_to_cart: \"web_event_add_to_cart\" is a website conversion metric"));
    }

    #[test]
    fn without_it_every_stream_is_the_table_s_own() {
        let a = parse(json!([])).unwrap();
        assert!(a.streams.is_empty() && a.summary().is_none());
        let a = AdditionalMetrics::parse(None).unwrap();
        let def = streams::find("ads_reports_daily").unwrap();
        assert!(std::ptr::eq(a.stream(def), def));
    }

    #[test]
    fn levels_limits_and_names_are_respected() {
        let a = parse(json!(["conversion", "cash_spend", "spend", "total_purchase"])).unwrap();
        assert_eq!(metrics_of(&a, "campaigns_reports_daily").iter().filter(|m| **m == "conversion").count(), 0);
        assert!(!metrics_of(&a, "advertisers_reports_daily").contains(&"conversion"));
        assert!(!metrics_of(&a, "ads_reports_hourly").contains(&"total_purchase"));
        assert!(metrics_of(&a, "ads_reports_daily").contains(&"total_purchase"));
        assert_eq!(
            metrics_of(&a, "ads_reports_daily").iter().filter(|m| **m == "spend").count(),
            1,
            "a metric already asked is not asked twice"
        );
        assert!(parse(json!(["joy"]))
            .unwrap_err()
            .message
            .starts_with("additional_metrics[0]: \"joy\" is not in the metric catalogue"));
        assert!(parse(json!(["spend", "spend"])).unwrap_err().message.contains("listed twice"));
        // The ad stream asks 79 metrics: 21 more fit under TikTok's 100.
        let many: Vec<&str> = metrics::known()
            .filter(|m| metrics::catalogue::find(m).unwrap().leg == metrics::catalogue::Leg::App)
            .collect();
        let a = parse(json!(many)).unwrap();
        assert!(metrics_of(&a, "ads_reports_daily").len() <= MAX_METRICS);
        assert!(a.summary().unwrap().contains("at most 100 metrics"));
    }
}
