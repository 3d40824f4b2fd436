//! The stream table's own checks: keys in the schemas, metrics TikTok gives, unique names.

use super::*;

#[test]
fn every_stream_has_a_valid_schema_with_its_keys() {
    for s in STREAMS {
        let schema = s.json_schema();
        let props = schema["properties"].as_object().unwrap();
        for key in s.primary_key.iter().chain(s.cursor.iter()) {
            assert!(props.contains_key(*key), "{}: {key} missing from schema", s.name);
        }
    }
}

#[test]
fn no_built_in_report_asks_a_metric_tiktok_refuses_in_it() {
    for def in STREAMS {
        let Source::Report(spec) = &def.source else { continue };
        let shape = spec.shape();
        for m in metrics::names(spec.metrics) {
            assert_eq!(metrics::rules::refusal(m, &shape), None, "{}", def.name);
        }
    }
}

#[test]
fn names_are_unique() {
    let mut names: Vec<_> = STREAMS.iter().map(|s| s.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), STREAMS.len());
}

#[test]
fn smart_plus_ad_reports_leave_out_manual_ads_and_keep_a_row_that_does_not_say() {
    let spec = report_spec("smart_plus_ads_reports_daily");
    let row = |metrics: &str| format!(r#"{{"smart_plus_ad_id":"1","metrics":{metrics}}}"#);
    assert!(spec.leaves_out(&row(r#"{"campaign_automation_type":"MANUAL"}"#)));
    assert!(!spec.leaves_out(&row(r#"{"campaign_automation_type":"UPGRADED_SMART_PLUS"}"#)));
    assert!(!spec.leaves_out(&row(r#"{"campaign_automation_type":null}"#)), "an answer without the type loses no row");
    assert!(!spec.leaves_out(&row("{}")));
    assert!(!report_spec("ads_reports_daily").leaves_out(&row(r#"{"campaign_automation_type":"MANUAL"}"#)));
}
