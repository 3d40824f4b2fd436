//! The TikTok Business API: requests and their encoding ([`ApiRequest`]), the one HTTP path
//! (`transport`), the refusal policy (`refusal`) and the client that retries through the
//! request scheduler (`client`).

pub mod client;
pub mod refusal;
mod transport;

use serde_json::Value;

use crate::error::{Error, Result};
pub use client::{ApiClient, RetryPolicy};
pub use refusal::Scope;

/// One call to `/open_api/v1.3/<path>/`.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    /// Endpoint path without slashes around it, e.g. `campaign/get`.
    pub path: &'static str,
    pub query: Vec<(&'static str, String)>,
    /// A JSON body makes the request a POST (async report tasks).
    pub body: Option<Value>,
    /// The answer is a file (a CSV download), not the JSON envelope, when it succeeds.
    pub file_answer: bool,
    /// What kind of request this is, for the refusal policy.
    pub scope: Scope,
    /// The advertiser the request is for, so a refusal can say whom it concerns.
    pub advertiser: Option<String>,
}

impl ApiRequest {
    pub fn new(path: &'static str) -> Self {
        Self { path, query: Vec::new(), body: None, file_answer: false, scope: Scope::Plain, advertiser: None }
    }

    pub fn post(path: &'static str, body: Value) -> Self {
        Self { body: Some(body), ..Self::new(path) }
    }

    /// A GET for one advertiser: `advertiser_id` as the first parameter.
    pub fn for_advertiser(path: &'static str, advertiser: &str) -> Self {
        Self::new(path).concerning(advertiser).param("advertiser_id", advertiser)
    }

    /// Name the advertiser the request concerns, so a refusal can say whom it is about.
    pub fn concerning(mut self, advertiser: &str) -> Self {
        self.advertiser = Some(advertiser.to_string());
        self
    }

    pub fn param(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.query.push((key, value.into()));
        self
    }

    /// Arrays and objects travel as JSON text in one query value.
    pub fn json_param(self, key: &'static str, value: &Value) -> Self {
        self.param(key, value.to_string())
    }

    pub fn scoped(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }

    /// The same request for page `page`.
    pub fn page(&self, page: u64) -> Self {
        self.clone().param("page", page.to_string())
    }

    fn url(&self, base_url: &str) -> String {
        let mut url = format!("{base_url}/open_api/v1.3/{}/", self.path);
        for (i, (key, value)) in self.query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(key);
            url.push('=');
            percent_encode_into(&mut url, value);
        }
        url
    }
}

/// A successful answer, kept as the bytes that came (compact while it waits to be read), plus
/// the headers callers look at.
#[derive(Debug)]
pub struct ApiResponse {
    /// The JSON envelope (code 0), or the file itself for a download.
    pub body: Vec<u8>,
    pub is_file: bool,
    /// `X-Tt-Ads-Throttle`: the report was truncated to 20k ads.
    pub ads_throttle: Option<String>,
}

impl ApiResponse {
    /// The envelope's `data` (a downloaded file as a JSON string).
    pub fn into_data(self) -> Result<Value> {
        if self.is_file {
            return Ok(Value::String(String::from_utf8_lossy(&self.body).into_owned()));
        }
        match serde_json::from_slice::<Value>(&self.body) {
            Ok(Value::Object(mut envelope)) => Ok(envelope.remove("data").unwrap_or(Value::Null)),
            Ok(_) | Err(_) => Err(Error::transient("the API answer is not a JSON envelope")),
        }
    }

    /// [`total_pages`] of the answer's `data.page_info`, read without building the rest of it.
    pub fn total_pages(&self) -> u64 {
        #[derive(serde::Deserialize)]
        struct Envelope {
            data: Option<Data>,
        }
        #[derive(serde::Deserialize)]
        struct Data {
            page_info: Option<Value>,
        }
        let envelope = serde_json::from_slice::<Envelope>(&self.body).ok();
        total_pages(envelope.and_then(|e| e.data?.page_info).as_ref())
    }
}

/// RFC 3986 percent-encoding of a query value (space as %20, not '+').
fn percent_encode_into(out: &mut String, value: &str) {
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// The pages a paginated answer has, from its `page_info`; a missing or odd `total_page` means
/// "no more pages" (0). Every reader of `total_page` goes through here.
pub fn total_pages(page_info: Option<&Value>) -> u64 {
    page_info.and_then(|p| p.get("total_page")).and_then(Value::as_u64).unwrap_or(0)
}

/// The records of an answer's `data` under `list_key`.
pub fn list_of(answer: ApiResponse, list_key: &str) -> Result<Vec<Value>> {
    take_list(&mut answer.into_data()?, list_key)
}

/// The records of an answer under `list_key`; a missing or null list is an empty page.
pub fn take_list(data: &mut Value, list_key: &str) -> Result<Vec<Value>> {
    match data.get_mut(list_key).map(Value::take) {
        Some(Value::Array(items)) => Ok(items),
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(other) => {
            Err(Error::transient(format!("expected data.{list_key} to be a list, got {}", json_type(&other))))
        }
    }
}

pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_percent_encoded() {
        let mut s = String::new();
        percent_encode_into(&mut s, r#"["a","b c"]"#);
        assert_eq!(s, "%5B%22a%22%2C%22b%20c%22%5D");
        let url = ApiRequest::for_advertiser("campaign/get", "7").page(2).url("http://h");
        assert_eq!(url, "http://h/open_api/v1.3/campaign/get/?advertiser_id=7&page=2");
    }
}
