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
