//! Property tests: whatever JSON (or bytes) arrives as config, state, catalog or API answer,
//! parsing returns a value or a classified error, and never panics.

use proptest::prelude::*;
use serde_json::Value;

use crate::config::Config;
use crate::state::PartitionedCursor;

/// Arbitrary JSON, biased toward the shapes the parsers look at.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        "[ -~]{0,12}".prop_map(Value::from),
        prop_oneof![
            Just("2024-01-01 00:00:00"),
            Just("2024-02-30"),
            Just("-"),
            Just("20.00"),
            Just("oauth2.0"),
            Just("sandbox_access_token")
        ]
        .prop_map(Value::from),
    ];
    let keys = prop_oneof![
        Just("credentials".to_string()),
        Just("auth_type".to_string()),
        Just("access_token".to_string()),
        Just("advertiser_id".to_string()),
        Just("app_id".to_string()),
        Just("secret".to_string()),
        Just("start_date".to_string()),
        Just("states".to_string()),
        Just("partition".to_string()),
        Just("cursor".to_string()),
        Just("modify_time".to_string()),
        Just("list".to_string()),
        Just("page_info".to_string()),
        Just("total_page".to_string()),
        Just("dimensions".to_string()),
        Just("metrics".to_string()),
        "[a-z_]{1,8}",
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(keys.clone(), inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn config_parsing_never_panics(value in any_json()) {
        match Config::parse(&value.to_string()) {
            Ok(config) => prop_assert!(!config.access_token().is_empty()),
            Err(e) => prop_assert_eq!(e.kind, crate::error::Kind::Config),
        }
    }

    #[test]
    fn config_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = Config::parse(&text);
    }

    #[test]
    fn state_parsing_never_panics(value in any_json()) {
        if let Err(e) = PartitionedCursor::parse("ads", "modify_time", Some(&value)) {
            prop_assert_eq!(e.kind, crate::error::Kind::Config);
            prop_assert!(e.message.contains("stream ads"));
        }
    }

    #[test]
    fn api_answers_never_panic(mut data in any_json()) {
        let _ = crate::api::total_pages(data.get("page_info"));
        let _ = crate::api::take_list(&mut data.clone(), "list");
        let mut unreadable = std::collections::BTreeMap::new();
        let record = crate::report::rows::to_record(data.take(), "7", &mut unreadable);
        prop_assert!(record["advertiser_id"].as_str().is_some_and(|id| !id.is_empty()), "{}", record);
        prop_assert!(record["metrics"].is_object() && record.get("dimensions").is_some());
        let _ = crate::report::rows::sum_records(vec![record.clone(), record]);
    }

    #[test]
    fn metric_values_are_typed_or_reported(name in prop_oneof![Just("spend"), Just("clicks"), Just("ctr"), Just("ad_name")], value in any_json()) {
        if let Ok(v) = crate::metrics::convert(name, value) {
            match crate::metrics::metric_type(name) {
                crate::metrics::MetricType::Count => prop_assert!(v.is_null() || v.is_i64() || v.is_u64()),
                crate::metrics::MetricType::Money | crate::metrics::MetricType::Ratio => prop_assert!(v.is_null() || v.is_number()),
                crate::metrics::MetricType::Text => prop_assert!(v.is_null() || v.is_string()),
            }
        }
    }
}
