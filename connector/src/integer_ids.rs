//! Ids: read from JSON one way ([`id_text`]), and with `integer_ids` typed as the reference
//! connector's integers, for users moving tables, views and models built on it. TikTok sends ids
//! as strings and so do we by default (a 19-digit id loses digits as a JavaScript or float
//! number); the reference declares the fields below as integers and casts them (its schemas,
//! listed in `shared/docs/streams.md`).

use serde_json::{json, Value};

use crate::streams::gmv_max::GmvMaxSpec;
use crate::streams::{ReportType, Source, StreamDef};

/// An id as TikTok, a state or a config gives it: a non-empty string, or a whole number (older
/// answers, hand-written JSON).
pub fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) if n.is_u64() => Some(n.to_string()),
        _ => None,
    }
}

/// Top-level id fields of every report row, in the reference's report schemas.
const REPORT_IDS: &[&str] = &["advertiser_id", "campaign_id", "adgroup_id", "ad_id"];

/// Top-level id fields of GMV Max report rows (no reference schema: the same rule as reports).
const GMV_MAX_REPORT_IDS: &[&str] =
    &["advertiser_id", "store_id", "campaign_id", "item_group_id", "item_id", "room_id"];

/// The id fields the reference declares as integers: (top-level fields, fields of `metrics`).
fn integer_fields(def: &StreamDef) -> (&'static [&'static str], &'static [&'static str]) {
    match (&def.source, def.name) {
        (Source::Report(spec), _) if spec.report_type == ReportType::Audience => {
            (REPORT_IDS, &["campaign_id", "adgroup_id"])
        }
        (Source::Report(_), _) => (REPORT_IDS, &["campaign_id", "adgroup_id", "tt_app_id"]),
        (Source::GmvMax(GmvMaxSpec::Report(_)), _) => (GMV_MAX_REPORT_IDS, &[]),
        (Source::GmvMax(GmvMaxSpec::Stores), _) => (&["advertiser_id", "store_id"], &[]),
        (Source::GmvMax(_), _) => (&["advertiser_id", "campaign_id", "store_id"], &[]),
        (_, "advertisers") => (&["advertiser_id"], &[]),
        (_, "campaigns") => (&["campaign_id", "advertiser_id"], &[]),
        (_, "ad_groups") => (
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
        (_, "ads") => (&["advertiser_id", "campaign_id", "adgroup_id", "ad_id", "card_id", "tracking_pixel_id"], &[]),
        _ => (&[], &[]),
    }
}

/// The stream's schema with its integer ids declared as integers.
pub fn retype_schema(def: &StreamDef, schema: &mut Value) {
    let (top, in_metrics) = integer_fields(def);
    for (fields, at) in [(top, "/properties"), (in_metrics, "/properties/metrics/properties")] {
        let Some(properties) = schema.pointer_mut(at) else { continue };
        for field in fields {
            if let Some(property) = properties.get_mut(*field) {
                *property = json!({"type": ["null", "integer"]});
            }
        }
    }
}

/// Records (JSON object texts) with their integer ids as JSON integers. A value that is not a
/// whole number (empty, `-`) is left as it is, as the reference's type casting does.
pub fn retype_records(def: &StreamDef, records: Vec<String>) -> Vec<String> {
    let (top, in_metrics) = integer_fields(def);
    if top.is_empty() && in_metrics.is_empty() {
        return records;
    }
    records
        .into_iter()
        .map(|text| match serde_json::from_str::<Value>(&text) {
            Ok(mut record) => {
                retype(&mut record, top);
                if let Some(metrics) = record.get_mut("metrics") {
                    retype(metrics, in_metrics);
                }
                record.to_string()
            }
            Err(_) => text,
        })
        .collect()
}

fn retype(object: &mut Value, fields: &[&str]) {
    let Value::Object(map) = object else { return };
    for field in fields {
        if let Some(value) = map.get_mut(*field) {
            if let Some(id) = value.as_str().and_then(|s| s.parse::<u64>().ok()) {
                *value = Value::from(id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::streams::find as by_name;

    #[test]
    fn report_and_entity_ids_become_integers_and_other_values_stay() {
        let ads = by_name("ads").unwrap();
        let out = retype_records(ads, vec![r#"{"ad_id":"1800000000000000001","ad_name":"7","card_id":""}"#.into()]);
        let record: Value = serde_json::from_str(&out[0]).unwrap();
        assert_eq!(record["ad_id"], json!(1_800_000_000_000_000_001u64));
        assert_eq!(record["ad_name"], "7");
        assert_eq!(record["card_id"], "");
        assert!(record.get("metrics").is_none(), "no field is added");

        let report = by_name("ads_reports_daily").unwrap();
        let out = retype_records(
            report,
            vec![r#"{"ad_id":"12","metrics":{"campaign_id":"34","tt_app_id":"56","spend":"1.5"}}"#.into()],
        );
        let record: Value = serde_json::from_str(&out[0]).unwrap();
        assert_eq!(record, json!({"ad_id": 12, "metrics": {"campaign_id": 34, "spend": "1.5", "tt_app_id": 56}}));
    }

    #[test]
    fn schemas_declare_the_same_fields_as_integers() {
        let report = by_name("ads_audience_reports_daily").unwrap();
        let mut schema = report.json_schema();
        retype_schema(report, &mut schema);
        assert_eq!(schema["properties"]["ad_id"]["type"], json!(["null", "integer"]));
        assert_eq!(schema["properties"]["metrics"]["properties"]["campaign_id"]["type"], json!(["null", "integer"]));
        // The reference's audience reports keep tt_app_id a string.
        assert_ne!(schema["properties"]["metrics"]["properties"]["tt_app_id"]["type"], json!(["null", "integer"]));
    }
}
