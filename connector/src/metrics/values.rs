//! One metric value typed: TikTok sends every metric as a string; counts become JSON integers,
//! money and rates JSON numbers with TikTok's exact decimals, `-` null, and text stays text.

use serde_json::{Number, Value};

use super::{metric_type, MetricType};

/// A metric value as TikTok sent it, before typing.
#[derive(Debug, Clone, Copy)]
pub enum Raw<'a> {
    Null,
    /// The content of a JSON string.
    Text(&'a str),
    /// The text of a JSON number.
    Number(&'a str),
}

/// A typed metric value, ready to be written as JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed<'a> {
    Null,
    Integer(i64),
    /// A JSON number in TikTok's exact text ("20.00").
    Exact(std::borrow::Cow<'a, str>),
    Text(&'a str),
}

/// Type one metric value. `Err` means the text cannot be read as the metric's type: the value
/// becomes null and the caller warns, rather than breaking the record's type.
pub fn type_value<'a>(name: &str, raw: Raw<'a>) -> Result<Typed<'a>, ()> {
    let kind = metric_type(name);
    let text = match raw {
        Raw::Null => return Ok(Typed::Null),
        // A decoder tolerant of numbers: some endpoints send them unquoted.
        Raw::Number(n) if matches!(kind, MetricType::Money | MetricType::Ratio) => return Ok(Typed::Exact(n.into())),
        Raw::Number(n) | Raw::Text(n) => n,
    };
    let trimmed = text.trim();
    if trimmed == "-" || trimmed.is_empty() {
        return Ok(Typed::Null);
    }
    let cleaned = |s: &'a str| {
        if s.contains(',') {
            std::borrow::Cow::Owned(s.replace(',', ""))
        } else {
            std::borrow::Cow::Borrowed(s)
        }
    };
    match kind {
        MetricType::Text => Ok(Typed::Text(text)),
        MetricType::Count => {
            let digits = cleaned(trimmed);
            if let Ok(n) = digits.parse::<i64>() {
                return Ok(Typed::Integer(n));
            }
            // "12.00" is still a whole number.
            match digits.parse::<f64>() {
                Ok(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Typed::Integer(f as i64)),
                _ => Err(()),
            }
        }
        MetricType::Money | MetricType::Ratio => {
            let number = cleaned(trimmed.trim_end_matches('%'));
            if is_json_number(&number) && number.parse::<f64>().is_ok_and(f64::is_finite) {
                Ok(Typed::Exact(number))
            } else {
                Err(())
            }
        }
    }
}

/// RFC 8259's number grammar: `-? int frac? exp?`.
fn is_json_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > start
    };
    let int_start = i;
    if !digits(&mut i) || (b[int_start] == b'0' && i - int_start > 1) {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if i < b.len() && (b[i] | 0x20) == b'e' {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}

/// Convert one metric value held as JSON. `Err` carries the unreadable text.
pub fn convert(name: &str, value: Value) -> Result<Value, String> {
    let other;
    let raw = match &value {
        Value::Null => Raw::Null,
        Value::String(s) => Raw::Text(s),
        Value::Number(n) => {
            other = n.to_string();
            Raw::Number(&other)
        }
        v => {
            other = v.to_string();
            Raw::Text(&other)
        }
    };
    let unreadable = || match &value {
        Value::String(s) => s.clone(),
        v => v.to_string(),
    };
    Ok(match type_value(name, raw).map_err(|()| unreadable())? {
        Typed::Null => Value::Null,
        Typed::Integer(n) => Value::from(n),
        Typed::Exact(text) => Value::Number(text.parse::<Number>().map_err(|_| unreadable())?),
        Typed::Text(text) => Value::String(text.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn converts_by_type() {
        assert_eq!(convert("impressions", json!("5830")).unwrap(), json!(5830));
        assert_eq!(convert("spend", json!("20.00")).unwrap().to_string(), "20.00");
        assert_eq!(convert("ctr", json!("1.18%")).unwrap().to_string(), "1.18");
        assert_eq!(convert("secondary_goal_result", json!("-")).unwrap(), Value::Null);
        assert_eq!(convert("campaign_name", json!("Summer")).unwrap(), json!("Summer"));
        assert_eq!(convert("tt_app_id", json!("0")).unwrap(), json!("0"));
        assert!(convert("spend", json!("N/A")).is_err());
        assert!(convert("clicks", json!("1.5")).is_err());
        assert_eq!(convert("clicks", json!("1,204")).unwrap(), json!(1204));
        assert!(convert("spend", json!("1e400")).is_err());
        assert!(convert("spend", json!("0x10")).is_err());
        assert_eq!(metric_type("spend"), MetricType::Money);
        assert_eq!(metric_type("cost_per_conversion"), MetricType::Ratio);
    }
}
