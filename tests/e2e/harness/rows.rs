//! The rows oracle: what the connector read, compared with what a simulator without the
//! constraint under test answers (a clean read), by primary key or record for record.

use std::collections::BTreeMap;

use serde_json::Value;
use tiktok_sim::SimConfig;

use crate::config::ConfigBuilder;
use crate::{Harness, Mode, Run};

/// Each stream's primary key, as a discovered catalog defines it.
pub type Keys = BTreeMap<String, Vec<String>>;

/// The primary keys of every stream of a discovered catalog.
pub fn primary_keys(catalog: &Value) -> Keys {
    catalog["streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let key = s["source_defined_primary_key"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k[0].as_str().unwrap().to_string())
                .collect();
            (s["name"].as_str().unwrap().to_string(), key)
        })
        .collect()
}

/// The key of a record: its `key` fields, joined by `|`.
pub fn key_of<K: AsRef<str>>(record: &Value, key: &[K]) -> String {
    key.iter()
        .map(|k| {
            let k = k.as_ref();
            record[k].as_str().unwrap_or_else(|| panic!("key {k} missing in {record}")).to_string()
        })
        .collect::<Vec<_>>()
        .join("|")
}

/// A stream's records by their key.
pub fn by_key<K: AsRef<str>>(run: &Run, stream: &str, key: &[K]) -> BTreeMap<String, Value> {
    run.records_of(stream).into_iter().map(|r| (key_of(&r, key), r)).collect()
}

/// A stream's records by their key, asserting no key came twice.
pub fn unique_by_key<K: AsRef<str>>(run: &Run, stream: &str, key: &[K]) -> BTreeMap<String, Value> {
    let records = by_key(run, stream, key);
    assert_eq!(run.records_of(stream).len(), records.len(), "{stream}: a row twice");
    records
}

/// The same keys in `got` as in `want`, which has rows to compare.
pub fn assert_same_keys(got: &BTreeMap<String, Value>, want: &BTreeMap<String, Value>, what: &str) {
    assert!(!want.is_empty(), "{what}: no rows to compare");
    assert_eq!(got.keys().collect::<Vec<_>>(), want.keys().collect::<Vec<_>>(), "{what}");
}

/// The keys of a stream's records, sorted, each as often as it came.
pub fn sorted_keys<K: AsRef<str>>(run: &Run, stream: &str, key: &[K]) -> Vec<String> {
    let mut keys: Vec<String> = run.records_of(stream).iter().map(|r| key_of(r, key)).collect();
    keys.sort();
    keys
}

/// Every record of every stream as JSON text, sorted per stream: the same rows, whatever order
/// they came in.
pub fn sorted_records(run: &Run) -> BTreeMap<String, Vec<String>> {
    run.records()
        .into_iter()
        .map(|(stream, records)| {
            let mut texts: Vec<String> = records.iter().map(Value::to_string).collect();
            texts.sort();
            (stream, texts)
        })
        .collect()
}

/// The same rows in every stream (`sorted_records` of two reads); on a difference, say where
/// rather than print both reads.
pub fn assert_same_rows(got: &BTreeMap<String, Vec<String>>, want: &BTreeMap<String, Vec<String>>, what: &str) {
    for stream in got.keys().chain(want.keys()) {
        let (got, want) = (got.get(stream).cloned().unwrap_or_default(), want.get(stream).cloned().unwrap_or_default());
        let missing = want.iter().find(|r| !got.contains(r));
        let extra = got.iter().find(|r| !want.contains(r));
        assert!(
            got == want,
            "{what}: {stream}: {} rows vs {} expected; first missing {missing:?}; first extra {extra:?}",
            got.len(),
            want.len()
        );
    }
}

/// A full-refresh read of `streams` from a simulator without constraints, with the config
/// `options` make, and the catalog's primary keys: what a constrained read must give back.
pub fn clean_read(name: &str, streams: &[&str], options: impl FnOnce(ConfigBuilder) -> ConfigBuilder) -> (Run, Keys) {
    clean_read_of(name, SimConfig::default(), streams, options)
}

/// `clean_read` from a simulator of `sim_config` (its account, with no limit in the way).
pub fn clean_read_of(
    name: &str,
    sim_config: SimConfig,
    streams: &[&str],
    options: impl FnOnce(ConfigBuilder) -> ConfigBuilder,
) -> (Run, Keys) {
    let clean = Harness::new(name, sim_config);
    let config = options(clean.config()).build();
    let run = clean.read(&config, streams, Mode::FullRefresh, None);
    run.assert_success();
    (run, primary_keys(&clean.discover(&config)))
}
