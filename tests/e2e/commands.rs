//! End-to-end: `spec` is a drop-in for the reference's, `check` names what it reached or what is
//! wrong, and `integer_ids` types ids as the reference does.

use harness::*;
use serde_json::{json, Value};
use tiktok_sim::SimConfig;

/// Every key the reference's spec sets (`tests/fixtures/reference-spec.json`, its descriptions
/// left out) is set to the same value in ours, so the platform can take ours for the reference's:
/// secrets stay in its secret store, the OAuth flow stays, saved configs stay valid. Ours may add
/// optional properties, never a required one.
fn assert_keeps_reference_spec(ours: &Value, reference: &Value, path: &str) {
    match reference {
        Value::Object(fields) => {
            for (key, expected) in fields {
                let here = format!("{path}.{key}");
                let actual = ours.get(key).unwrap_or_else(|| panic!("our spec lacks {here}"));
                if key == "required" {
                    assert_eq!(actual, expected, "{here}: a new required field breaks saved configs");
                } else {
                    assert_keeps_reference_spec(actual, expected, &here);
                }
            }
        }
        Value::Array(items) => {
            let actual = ours.as_array().unwrap_or_else(|| panic!("{path} is not a list in our spec"));
            assert_eq!(actual.len(), items.len(), "{path}");
            for (i, (a, e)) in actual.iter().zip(items).enumerate() {
                assert_keeps_reference_spec(a, e, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(ours, reference, "{path}"),
    }
}

#[test]
fn spec_is_a_drop_in_for_the_reference_spec_field_by_field() {
    let run = run_host(&scratch_dir("spec"), &["spec"]);
    run.assert_success();
    let ours = &run.of_type("SPEC")[0]["spec"];
    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string(workspace_root().join("tests/fixtures/reference-spec.json")).unwrap(),
    )
    .unwrap();
    assert_keeps_reference_spec(ours, &reference, "spec");
    // Our own options are optional, with defaults that behave as the reference does.
    let properties = &ours["connectionSpecification"]["properties"];
    for option in ["report_window_days", "requests_per_second", "integer_ids", "custom_reports"] {
        assert!(properties.get(option).is_some(), "spec lacks {option}");
    }
    assert_eq!(ours["connectionSpecification"].get("required"), None);
}

#[test]
fn check_succeeds_with_valid_credentials_and_names_a_wrong_token() {
    let h = Harness::new("check", SimConfig::default());
    let good = h.write("good.json", &h.oauth_config());
    let run = h.run(&["check", "--config", &good]);
    run.assert_success();
    let status = &run.of_type("CONNECTION_STATUS")[0]["connectionStatus"];
    assert_eq!(status["status"], "SUCCEEDED");
    // It says which advertisers the credentials reach.
    let reached = status["message"].as_str().unwrap();
    let advertisers = h.sim.account().advertisers;
    assert!(reached.contains(&format!("{} advertisers", advertisers.len())), "{reached}");
    assert!(advertisers.iter().all(|a| reached.contains(&a.id)), "{reached}");

    let mut config = h.oauth_config();
    config["credentials"]["access_token"] = json!("a-wrong-token-123456");
    let bad = h.write("bad.json", &config);
    let run = h.run(&["check", "--config", &bad]);
    // Airbyte's convention: a check that ran exits 0 with a FAILED status (and no error trace).
    let (kind, message) = run.failure();
    assert_eq!(kind, "config_error");
    assert!(message.contains("40105") && message.contains("access token"), "{message}");
    assert!(!run.stdout.contains("a-wrong-token-123456"), "the token leaked into stdout");
}

/// An id as the reference types it: the digits of a string id as a JSON integer.
fn to_integer(id: &mut Value) {
    if let Some(n) = id.as_str().and_then(|s| s.parse::<u64>().ok()) {
        *id = json!(n);
    }
}

#[test]
fn integer_ids_type_ids_as_the_reference_does_in_schemas_and_records() {
    let h = Harness::new("integer-ids", SimConfig::default());
    let strings = h.oauth_config();
    let mut integers = strings.clone();
    integers["integer_ids"] = json!(true);
    // The fields the reference's schemas declare as integers (shared/docs/streams.md).
    const REPORT: &[&str] = &["advertiser_id", "campaign_id", "adgroup_id", "ad_id"];
    let cases: [(&str, &[&str], &[&str]); 4] = [
        ("ads", &["advertiser_id", "campaign_id", "adgroup_id", "ad_id", "card_id", "tracking_pixel_id"], &[]),
        (
            "ad_groups",
            &[
                "adgroup_id",
                "campaign_id",
                "advertiser_id",
                "app_id",
                "pixel_id",
                "catalog_id",
                "product_set_id",
                "catalog_authorized_bc_id",
                "category_id",
            ],
            &[],
        ),
        ("ads_reports_daily", REPORT, &["campaign_id", "adgroup_id", "tt_app_id"]),
        ("campaigns_audience_reports_daily", REPORT, &["campaign_id", "adgroup_id"]),
    ];
    let catalog = h.discover(&integers);
    let schema_of = |name: &str| {
        catalog["streams"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap()["json_schema"].clone()
    };
    for (stream, top, in_metrics) in cases {
        let schema = schema_of(stream);
        let properties = &schema["properties"];
        let declared = top
            .iter()
            .map(|f| &properties[f])
            .chain(in_metrics.iter().map(|f| &properties["metrics"]["properties"][f]));
        for property in declared.filter(|p| p.is_object()) {
            assert_eq!(property["type"], json!(["null", "integer"]), "{stream}: {property}");
        }
        let key = catalog_key(&catalog, stream);
        assert_eq!(properties[&key]["type"], json!(["null", "integer"]), "{stream}.{key}");
    }
    let names: Vec<&str> = cases.iter().map(|c| c.0).collect();
    let as_strings = h.read(&strings, &names, Mode::FullRefresh, None);
    let as_integers = h.read(&integers, &names, Mode::FullRefresh, None);
    as_integers.assert_success();
    assert_records_match_schemas(&as_integers, &catalog);
    for (stream, top, in_metrics) in cases {
        let (before, after) = (as_strings.records_of(stream), as_integers.records_of(stream));
        assert!(!before.is_empty(), "{stream} has no records");
        assert_eq!(before.len(), after.len(), "{stream}");
        let key = catalog_key(&catalog, stream);
        assert!(after.iter().all(|r| r[&key].is_u64()), "{stream}: {key} is not an integer");
        let mut expected: Vec<String> = before
            .into_iter()
            .map(|mut record| {
                for field in top {
                    if let Some(id) = record.get_mut(*field) {
                        to_integer(id);
                    }
                }
                for field in in_metrics {
                    if let Some(id) = record["metrics"].get_mut(*field) {
                        to_integer(id);
                    }
                }
                record.to_string()
            })
            .collect();
        let mut actual: Vec<String> = after.iter().map(Value::to_string).collect();
        // Advertisers are read at once, so only each advertiser's order is fixed.
        expected.sort();
        actual.sort();
        assert_eq!(actual, expected, "{stream}");
    }
}

/// The first key field of a stream in a discovered catalog.
fn catalog_key(catalog: &Value, stream: &str) -> String {
    let entry = catalog["streams"].as_array().unwrap().iter().find(|s| s["name"] == stream).unwrap();
    entry["source_defined_primary_key"][0][0].as_str().unwrap().to_string()
}
