//! A list in the config (`custom_reports`, `additional_metrics`, a report's `filters`): its
//! entries, each with its place for the errors that name it.

use serde_json::Value;

use crate::error::{Error, Result};

/// The entries of the list `value` at `at` (none when absent), each with its place
/// (`at[i]`); `what` says what the list holds when it is not a list.
pub fn entries<'a>(value: Option<&'a Value>, at: &str, what: &str) -> Result<Vec<(String, &'a Value)>> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => {
            Ok(items.iter().enumerate().map(|(i, item)| (format!("{at}[{i}]"), item)).collect())
        }
        Some(_) => Err(Error::config(format!("{at}: must be a list of {what}"))),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn entries_are_placed_and_an_absent_list_is_empty() {
        let list = json!(["a", 1]);
        let placed: Vec<_> =
            entries(Some(&list), "x.filters", "things").unwrap().into_iter().map(|(at, v)| (at, v.clone())).collect();
        assert_eq!(placed, [("x.filters[0]".to_string(), json!("a")), ("x.filters[1]".to_string(), json!(1))]);
        assert!(entries(None, "x", "things").unwrap().is_empty());
        assert!(entries(Some(&json!(null)), "x", "things").unwrap().is_empty());
        assert_eq!(entries(Some(&json!({})), "x", "things").unwrap_err().message, "x: must be a list of things");
    }
}
