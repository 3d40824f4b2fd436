//! A sync cut off at a checkpoint, resumed: what the suite asks of every incremental stream.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::{key_of, primary_keys, Harness, Mode, Run};

/// The state a sync had given when it was cut off right after its `cut`-th STATE message: each
/// stream's latest state up to there.
pub fn state_at(whole: &Run, cut: usize) -> Vec<Value> {
    let mut last: BTreeMap<String, Value> = BTreeMap::new();
    for s in &whole.of_type("STATE")[..=cut] {
        last.insert(s["state"]["stream"]["stream_descriptor"]["name"].as_str().unwrap().into(), s["state"].clone());
    }
    last.into_values().collect()
}

/// Resume `whole` (an incremental read of `streams`) from each of the `cuts` (indexes of its
/// STATE messages): the records out before the cut and the resumed read's together hold every
/// key of `whole`, and a stream checkpointed before the cut is not read again whole.
pub fn assert_resumes_with_no_gap(h: &Harness, config: &Value, streams: &[&str], whole: &Run, cuts: &[usize]) {
    let keys = primary_keys(&h.discover(config));
    let states = whole.of_type("STATE");
    for &cut in cuts {
        let state = state_at(whole, cut);
        let at = whole.messages.iter().position(|m| std::ptr::eq(m, states[cut])).unwrap();
        let resumed = h.read(config, streams, Mode::Incremental, Some(&Value::Array(state.clone())));
        resumed.assert_success();
        for stream in streams {
            let key = &keys[*stream];
            let before: BTreeSet<String> = whole.messages[..at]
                .iter()
                .filter(|m| m["type"] == "RECORD" && m["record"]["stream"] == *stream)
                .map(|m| key_of(&m["record"]["data"], key))
                .collect();
            let after: BTreeSet<String> = resumed.records_of(stream).iter().map(|r| key_of(r, key)).collect();
            let all: BTreeSet<String> = whole.records_of(stream).iter().map(|r| key_of(r, key)).collect();
            assert_eq!(
                before.union(&after).cloned().collect::<BTreeSet<_>>(),
                all,
                "{stream}: cut after state {cut}: rows lost"
            );
            let checkpointed = state.iter().any(|s| s["stream"]["stream_descriptor"]["name"] == *stream);
            assert!(
                !checkpointed || after.len() < all.len(),
                "{stream}: resumed after state {cut}, it read everything again"
            );
        }
    }
}
