//! Windows summed into one record per dimension key: audience reports have no lifetime query,
//! so their lifetime is the sum of windows of a year.

use std::collections::BTreeMap;

use serde_json::{json, Map, Number, Value};

use crate::metrics::{self, MetricType};

/// Sum the records of several windows into one per dimension key. Counts and money add up
/// exactly; cpc, cpm and ctr are recomputed from the sums; other ratios cannot be rebuilt and
/// become null, and so do unique counts (reach, unique app events) of a key seen in several
/// windows: a person counted in two windows is one person (tiktok-api.md §15 R12).
pub fn sum_records(records: Vec<Value>) -> Vec<Value> {
    let mut by_key: BTreeMap<String, Value> = BTreeMap::new();
    for record in records {
        let key = record["dimensions"].to_string();
        let Some(total) = by_key.get_mut(&key) else {
            by_key.insert(key, record);
            continue;
        };
        let (Some(sum), Some(add)) = (total["metrics"].as_object_mut(), record["metrics"].as_object()) else {
            continue;
        };
        for (name, value) in add {
            if metrics::is_unique(name) {
                sum.insert(name.clone(), Value::Null);
            } else if matches!(metrics::metric_type(name), MetricType::Count | MetricType::Money) {
                let summed = Decimal::of(sum.get(name)).add(Decimal::of(Some(value)));
                sum.insert(name.clone(), summed.to_json());
            }
        }
    }
    by_key.into_values().map(recompute_ratios).collect()
}

fn recompute_ratios(mut record: Value) -> Value {
    let Some(m) = record["metrics"].as_object_mut() else { return record };
    let get = |m: &Map<String, Value>, k: &str| m.get(k).and_then(Value::as_f64);
    let (spend, clicks, impressions) = (get(m, "spend"), get(m, "clicks"), get(m, "impressions"));
    let ratio = |n: Option<f64>, d: Option<f64>, scale: f64| match (n, d) {
        (Some(n), Some(d)) if d > 0.0 => json!((n / d * scale * 100.0).round() / 100.0),
        _ => Value::Null,
    };
    let names: Vec<String> = m.keys().cloned().collect();
    for name in names {
        let value = match name.as_str() {
            "cpc" => ratio(spend, clicks, 1.0),
            "cpm" => ratio(spend, impressions, 1000.0),
            "ctr" => ratio(clicks, impressions, 100.0),
            n if metrics::metric_type(n) == MetricType::Ratio => Value::Null,
            _ => continue,
        };
        m.insert(name, value);
    }
    record
}

/// An exact decimal (units × 10^-scale), so money sums never round through binary floats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Decimal {
    units: i128,
    scale: u32,
}

impl Decimal {
    /// A metric value (null and unreadable values count as zero).
    fn of(value: Option<&Value>) -> Decimal {
        let text = match value {
            Some(Value::Number(n)) => n.to_string(),
            _ => return Decimal { units: 0, scale: 0 },
        };
        let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
        match format!("{int}{frac}").parse::<i128>() {
            Ok(units) => Decimal { units, scale: frac.len() as u32 },
            // Exponent forms are not TikTok's; keep them as close as a float allows.
            Err(_) => Decimal { units: (text.parse::<f64>().unwrap_or(0.0) * 100.0).round() as i128, scale: 2 },
        }
    }

    fn add(self, other: Decimal) -> Decimal {
        let scale = self.scale.max(other.scale);
        let widen = |d: Decimal| d.units * 10i128.pow(scale - d.scale);
        Decimal { units: widen(self) + widen(other), scale }
    }

    fn to_json(self) -> Value {
        if self.scale == 0 {
            return Value::from(self.units as i64);
        }
        let digits = format!("{:0width$}", self.units.abs(), width = self.scale as usize + 1);
        let (int, frac) = digits.split_at(digits.len() - self.scale as usize);
        let sign = if self.units < 0 { "-" } else { "" };
        format!("{sign}{int}.{frac}").parse::<Number>().map(Value::Number).unwrap_or(Value::Null)
    }
}

#[cfg(test)]
mod tests {
    use super::super::to_record;
    use super::*;

    #[test]
    fn summed_windows_recompute_ratios() {
        let row = |spend: &str, clicks: &str, imps: &str| {
            to_record(
                json!({"dimensions": {"advertiser_id": "7", "gender": "MALE"},
                "metrics": {"spend": spend, "clicks": clicks, "impressions": imps, "ctr": "9.99", "cpc": "9.99"}}),
                "7",
                &mut BTreeMap::new(),
            )
        };
        let summed = sum_records(vec![row("10.00", "10", "1000"), row("30.00", "10", "1000")]);
        assert_eq!(summed.len(), 1);
        let m = &summed[0]["metrics"];
        assert_eq!(m["clicks"], 20);
        assert_eq!(m["spend"].to_string(), "40.00", "money keeps its two decimals");
        assert_eq!(m["cpc"].as_f64(), Some(2.0));
        assert_eq!(m["ctr"].as_f64(), Some(1.0));
    }

    #[test]
    fn unique_counts_are_never_summed_but_a_key_of_one_window_keeps_its_own() {
        let row = |gender: &str, reach: &str| {
            to_record(
                json!({"dimensions": {"gender": gender}, "metrics": {"reach": reach, "impressions": "10"}}),
                "7",
                &mut BTreeMap::new(),
            )
        };
        let summed = sum_records(vec![row("MALE", "5"), row("MALE", "6"), row("FEMALE", "4")]);
        let by_gender = |g: &str| summed.iter().find(|r| r["dimensions"]["gender"] == g).unwrap()["metrics"].clone();
        assert_eq!(by_gender("MALE")["reach"], Value::Null, "people reached in two windows may be the same");
        assert_eq!(by_gender("MALE")["impressions"], 20);
        assert_eq!(by_gender("FEMALE")["reach"], 4);
    }

    #[test]
    fn money_sums_are_exact() {
        let row = |spend: &str| {
            to_record(
                json!({"dimensions": {"gender": "MALE"}, "metrics": {"spend": spend, "clicks": "1"}}),
                "7",
                &mut BTreeMap::new(),
            )
        };
        let summed = sum_records(vec![row("0.10"), row("0.20"), row("1234567890123.45")]);
        assert_eq!(summed[0]["metrics"]["spend"].to_string(), "1234567890123.75");
        let summed = sum_records(vec![row("-1.5"), row("0.25")]);
        assert_eq!(summed[0]["metrics"]["spend"].to_string(), "-1.25");
    }
}
