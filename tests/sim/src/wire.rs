//! What every endpoint handler takes and gives: TikTok's query parameters as it reads them, one
//! page of a list, a served answer, and the reply on the wire. Below the HTTP server and the
//! handlers, so both import it and neither imports the other.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use crate::config::SimConfig;
use crate::data::Account;
use crate::memory::Memory;
use crate::quotas::Quotas;
pub use crate::refusals::{param_error, ApiError};

/// What a handler is given: the request, and what the simulator holds.
#[derive(Clone, Copy)]
pub struct Call<'a> {
    /// The endpoint, e.g. `campaign/get`.
    pub endpoint: &'a str,
    pub query: &'a Query,
    pub account: &'a Account,
    pub config: &'a SimConfig,
    /// The token is the sandbox one.
    pub sandbox: bool,
    pub memory: &'a Memory,
    pub quotas: &'a Quotas,
}

/// Every endpoint's handler has this shape (see `routes.rs`).
pub type Handler = fn(&Call) -> Result<Served, ApiError>;

/// Query parameters as TikTok reads them.
pub struct Query(pub HashMap<String, String>);

impl Query {
    pub fn parse(raw: &str) -> Query {
        Query(url::form_urlencoded::parse(raw.as_bytes()).into_owned().collect())
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    pub fn required(&self, key: &str) -> Result<&str, ApiError> {
        match self.get(key) {
            Some(v) if !v.is_empty() => Ok(v),
            // invented wording: marshmallow's "Missing data for required field." after TikTok's "field: " prefix.
            _ => Err(param_error(format!("{key}: Missing data for required field."))),
        }
    }

    /// `start_date` and `end_date`: both `YYYY-MM-DD`, in order (every report's rule).
    pub fn date_range(&self) -> Result<(chrono::NaiveDate, chrono::NaiveDate), ApiError> {
        let date = |key: &str| -> Result<chrono::NaiveDate, ApiError> {
            let raw = self.required(key)?;
            chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                .ok()
                .filter(|_| raw.len() == 10)
                // invented wording
                .ok_or_else(|| param_error(format!("{key}: Not a valid date, use the format YYYY-MM-DD.")))
        };
        let (start, end) = (date("start_date")?, date("end_date")?);
        if end < start {
            // invented wording
            return Err(param_error("end_date: end_date must be later than or equal to start_date."));
        }
        Ok((start, end))
    }

    /// A JSON-encoded array parameter; anything else is TikTok's 40002.
    pub fn json_array(&self, key: &str) -> Result<Option<Vec<Value>>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(raw) => match serde_json::from_str::<Value>(raw) {
                Ok(Value::Array(items)) => Ok(Some(items)),
                // source: observed for pixel_ids, "pixel_ids: Field must be set to array" (AB PR #70241).
                _ => Err(param_error(format!("{key}: Field must be set to array"))),
            },
        }
    }

    /// A JSON-encoded array of strings.
    pub fn strings(&self, key: &str) -> Result<Option<Vec<String>>, ApiError> {
        self.json_array(key)?.map(|items| strings_in(&items, key)).transpose()
    }

    /// The parameters in a canonical order, without `skipped`: the same request, the same text.
    pub fn canonical(&self, skipped: &[&str]) -> String {
        let mut parts: Vec<String> =
            self.0.iter().filter(|(k, _)| !skipped.contains(&k.as_str())).map(|(k, v)| format!("{k}={v}")).collect();
        parts.sort();
        parts.join("&")
    }

    /// A JSON-encoded object parameter.
    pub fn json_object(&self, key: &str) -> Result<Option<Map<String, Value>>, ApiError> {
        match self.get(key) {
            None => Ok(None),
            Some(raw) => match serde_json::from_str::<Value>(raw) {
                Ok(Value::Object(obj)) => Ok(Some(obj)),
                _ => Err(param_error(format!("{key}: Not a valid mapping type."))),
            },
        }
    }

    /// `page` and `page_size` (numbers, possibly sent as strings), checked against the
    /// endpoint's maximum.
    pub fn paging(&self, default_size: u64, max_size: u64) -> Result<(u64, u64), ApiError> {
        let number = |key: &str, default: u64| -> Result<u64, ApiError> {
            match self.get(key) {
                None => Ok(default),
                Some(v) => v.trim().parse::<u64>().map_err(|_| param_error(format!("{key}: Not a valid integer."))),
            }
        };
        let page = number("page", 1)?;
        if page < 1 {
            // invented wording, as page_size's below (marshmallow's Range shape)
            return Err(param_error("page: Must be greater than or equal to 1."));
        }
        let size = number("page_size", default_size)?;
        if size < 1 || size > max_size {
            // invented wording: the bounds are the SDK's and GO's; no page_size message was found.
            return Err(param_error(format!(
                "page_size: Must be greater than or equal to 1 and less than or equal to {max_size}."
            )));
        }
        Ok((page, size))
    }
}

/// The items of a JSON array, each a string, or TikTok's 40002 naming `name`.
pub fn strings_in(items: &[Value], name: &str) -> Result<Vec<String>, ApiError> {
    items
        .iter()
        .map(|v| v.as_str().map(str::to_string).ok_or_else(|| param_error(format!("{name}: Not a valid string."))))
        .collect()
}

/// One page of `items` with TikTok's page_info.
pub fn page_of(items: &[Value], list_key: &str, page: u64, size: u64) -> Value {
    let total = items.len() as u64;
    let total_pages = total.div_ceil(size);
    let start = ((page - 1) * size) as usize;
    let list: Vec<Value> = items.iter().skip(start).take(size as usize).cloned().collect();
    json!({
        list_key: list,
        "page_info": {"page": page, "page_size": size, "total_number": total, "total_page": total_pages},
    })
}

/// A successful answer: `data` plus any extra response headers, or a raw body (a CSV
/// download) instead of the envelope.
pub struct Served {
    pub data: Value,
    pub headers: Vec<(String, String)>,
    pub raw: Option<(&'static str, Vec<u8>)>,
}

impl From<Value> for Served {
    fn from(data: Value) -> Self {
        Served { data, headers: Vec::new(), raw: None }
    }
}

/// What goes back on the wire.
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub headers: Vec<(String, String)>,
}

impl Reply {
    pub fn raw(status: u16, content_type: &'static str, body: &[u8]) -> Reply {
        Reply { status, content_type, body: body.to_vec(), headers: vec![] }
    }

    pub fn text(status: u16, body: &str) -> Reply {
        Reply::raw(status, "text/plain; charset=utf-8", body.as_bytes())
    }

    pub fn json(value: &Value) -> Reply {
        Reply { status: 200, content_type: "application/json", body: value.to_string().into_bytes(), headers: vec![] }
    }
}
