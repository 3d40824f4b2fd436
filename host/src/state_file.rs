//! The `--state` file in every form Airbyte has used, turned into one map of stream states.

use serde_json::{Map, Value};

/// `{"<stream>": <stream_state>}` from: a list of per-stream state messages (what Airbyte
/// passes today), a single such message, or the legacy map of stream name to state.
pub fn per_stream(value: Value) -> Result<Value, String> {
    let mut states = Map::new();
    match value {
        Value::Array(messages) => {
            for (i, message) in messages.into_iter().enumerate() {
                add_message(&mut states, message).map_err(|why| format!("entry {i}: {why}"))?;
            }
        }
        Value::Object(obj) if obj.contains_key("type") => add_message(&mut states, Value::Object(obj))?,
        Value::Object(obj) => {
            // The legacy form; `data` wrapped it in some versions.
            let obj = match obj.get("data") {
                Some(Value::Object(inner)) if obj.len() == 1 => inner.clone(),
                _ => obj,
            };
            states = obj;
        }
        Value::Null => {}
        _ => return Err("must be a list of state messages or an object".into()),
    }
    Ok(Value::Object(states))
}

fn add_message(states: &mut Map<String, Value>, message: Value) -> Result<(), String> {
    // Messages may be the bare state or wrapped as {"type": "STATE", "state": {...}}.
    let message = match message.get("state") {
        Some(inner) if message.get("type").and_then(Value::as_str) == Some("STATE") => inner.clone(),
        _ => message,
    };
    match message.get("type").and_then(Value::as_str) {
        Some("STREAM") => {
            let name = message
                .pointer("/stream/stream_descriptor/name")
                .and_then(Value::as_str)
                .ok_or("stream.stream_descriptor.name is missing")?;
            let state = message.pointer("/stream/stream_state").cloned().unwrap_or(Value::Null);
            states.insert(name.to_string(), state);
            Ok(())
        }
        Some("GLOBAL") => {
            let list = message
                .pointer("/global/stream_states")
                .and_then(Value::as_array)
                .ok_or("global.stream_states is missing")?;
            for entry in list {
                let name = entry
                    .pointer("/stream_descriptor/name")
                    .and_then(Value::as_str)
                    .ok_or("a global stream state has no stream_descriptor.name")?;
                states.insert(name.to_string(), entry.get("stream_state").cloned().unwrap_or(Value::Null));
            }
            Ok(())
        }
        Some("LEGACY") => match message.get("data") {
            Some(Value::Object(data)) => {
                states.extend(data.clone());
                Ok(())
            }
            _ => Err("a LEGACY state needs a data object".into()),
        },
        Some(other) => Err(format!("unknown state type {other:?}")),
        None => Err("a state message needs a type".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accepts_stream_messages_and_legacy_maps() {
        let list =
            json!([{"type": "STREAM", "stream": {"stream_descriptor": {"name": "ads"}, "stream_state": {"a": 1}}}]);
        assert_eq!(per_stream(list).unwrap(), json!({"ads": {"a": 1}}));
        assert_eq!(per_stream(json!({"ads": {"a": 1}})).unwrap(), json!({"ads": {"a": 1}}));
        assert!(per_stream(json!([{"type": "STREAM"}])).unwrap_err().contains("entry 0"));
        assert!(per_stream(json!(3)).is_err());
    }
}
