//! The user's configuration: the same fields the reference connector accepts, validated with
//! errors that name the field.

pub mod additional;
pub mod custom;
pub mod list;

use chrono::NaiveDate;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::integer_ids::id_text;
use crate::streams::StreamDef;

pub const PRODUCTION_BASE: &str = "https://business-api.tiktok.com";
pub const SANDBOX_BASE: &str = "https://sandbox-ads.tiktok.com";
const DEFAULT_START_DATE: &str = "2016-09-01";
/// TikTok Ads launched later than this; some report endpoints reject older dates.
const EARLIEST_DATE: &str = "2012-01-01";

#[derive(Debug, Clone, PartialEq)]
pub enum Credentials {
    OAuth { app_id: String, secret: String, access_token: String, advertiser_id: Option<String> },
    Sandbox { advertiser_id: String, access_token: String },
}

#[derive(Debug, Clone)]
pub struct Config {
    pub credentials: Credentials,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub attribution_window: u32,
    pub include_deleted: bool,
    /// Days per daily-report request (TikTok allows at most 30).
    pub report_window_days: u32,
    /// Request budget of the developer app (TikTok's basic tier is 10/s and 600/min).
    pub requests_per_second: u32,
    /// First retry delay; later ones double (with jitter).
    pub retry_base_delay_ms: u32,
    /// Ids typed as integers, as the reference connector types them (`integer_ids`).
    pub integer_ids: bool,
    /// The user's own report streams (`custom_reports`).
    pub custom_reports: Vec<&'static StreamDef>,
    /// Learn each advertiser's active days first and ask reports only for days that can have
    /// rows (`crate::report::activity`).
    pub skip_inactive_days: bool,
    /// Catalogue metrics added to the built-in report streams (`additional_metrics`).
    pub additional_metrics: additional::AdditionalMetrics,
}

impl Config {
    pub fn parse(text: &str) -> Result<Config> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| Error::config(format!("config is not valid JSON: {e}")))?;
        let obj = value.as_object().ok_or_else(|| Error::config("config must be a JSON object"))?;
        // Older reference versions called the credentials block `environment`.
        let creds = match obj.get("credentials").or_else(|| obj.get("environment")) {
            Some(Value::Object(c)) => c,
            Some(_) => return Err(Error::config("credentials: must be an object")),
            None => return Err(Error::config("credentials: is required")),
        };
        let credentials = parse_credentials(creds)?;
        let start_date = optional_date(obj, "start_date")?
            .unwrap_or_else(|| NaiveDate::parse_from_str(DEFAULT_START_DATE, "%Y-%m-%d").unwrap());
        let earliest = NaiveDate::parse_from_str(EARLIEST_DATE, "%Y-%m-%d").unwrap();
        if start_date < earliest {
            return Err(Error::config(format!("start_date: must be {EARLIEST_DATE} or later")));
        }
        let end_date = optional_date(obj, "end_date")?;
        if let Some(end) = end_date {
            if end < start_date {
                return Err(Error::config("end_date: must not be before start_date"));
            }
        }
        Ok(Config {
            credentials,
            start_date,
            end_date,
            attribution_window: optional_int(obj, "attribution_window", 0, 364)?.unwrap_or(3),
            include_deleted: optional_bool(obj, "include_deleted")?.unwrap_or(false),
            report_window_days: optional_int(obj, "report_window_days", 1, 30)?.unwrap_or(30),
            requests_per_second: optional_int(obj, "requests_per_second", 1, 1000)?.unwrap_or(10),
            retry_base_delay_ms: optional_int(obj, "retry_base_delay_ms", 1, 60_000)?.unwrap_or(500),
            integer_ids: optional_bool(obj, "integer_ids")?.unwrap_or(false),
            custom_reports: custom::parse(obj.get("custom_reports"))?,
            skip_inactive_days: optional_bool(obj, "skip_inactive_days")?.unwrap_or(true),
            additional_metrics: additional::AdditionalMetrics::parse(obj.get("additional_metrics"))?,
        })
    }

    pub fn is_sandbox(&self) -> bool {
        matches!(self.credentials, Credentials::Sandbox { .. })
    }

    pub fn access_token(&self) -> &str {
        match &self.credentials {
            Credentials::OAuth { access_token, .. } | Credentials::Sandbox { access_token, .. } => access_token,
        }
    }

    /// Strings that must never leave the component in a log line or an error.
    pub fn secrets(&self) -> Vec<String> {
        match &self.credentials {
            Credentials::OAuth { secret, access_token, .. } => vec![access_token.clone(), secret.clone()],
            Credentials::Sandbox { access_token, .. } => vec![access_token.clone()],
        }
    }

    pub fn default_base_url(&self) -> &'static str {
        if self.is_sandbox() {
            SANDBOX_BASE
        } else {
            PRODUCTION_BASE
        }
    }

    /// The streams this config may read: the built-in ones (sandbox configs see the sandbox
    /// subset only) with its `additional_metrics`, then its custom reports.
    pub fn streams(&self) -> Vec<&'static StreamDef> {
        let sandbox = self.is_sandbox();
        crate::streams::STREAMS
            .iter()
            .filter(|s| !sandbox || s.sandbox)
            .map(|s| self.additional_metrics.stream(s))
            .chain(self.custom_reports.iter().copied())
            .collect()
    }
}

fn parse_credentials(c: &Map<String, Value>) -> Result<Credentials> {
    let auth_type = match c.get("auth_type") {
        None => None,
        Some(Value::String(s)) => Some(s.as_str()),
        Some(_) => return Err(Error::config("credentials.auth_type: must be a string")),
    };
    let advertiser_id = optional_id(c, "advertiser_id")?;
    let access_token = required_string(c, "access_token")?;
    // A block without auth_type is told apart by its fields, as the reference does.
    let sandbox = match auth_type {
        Some("sandbox_access_token") => true,
        Some("oauth2.0") => false,
        None => !c.contains_key("app_id"),
        Some(other) => {
            return Err(Error::config(format!(
                "credentials.auth_type: must be \"oauth2.0\" or \"sandbox_access_token\", not {other:?}"
            )))
        }
    };
    if sandbox {
        let advertiser_id = advertiser_id.ok_or_else(|| {
            Error::config(
                "credentials.advertiser_id: is required for sandbox_access_token (the sandbox cannot list advertisers)",
            )
        })?;
        Ok(Credentials::Sandbox { advertiser_id, access_token })
    } else {
        Ok(Credentials::OAuth {
            app_id: required_id(c, "app_id")?,
            secret: required_string(c, "secret")?,
            access_token,
            advertiser_id,
        })
    }
}

fn required_string(c: &Map<String, Value>, key: &str) -> Result<String> {
    match c.get(key) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        Some(Value::String(_)) => Err(Error::config(format!("credentials.{key}: must not be empty"))),
        Some(_) => Err(Error::config(format!("credentials.{key}: must be a string"))),
        None => Err(Error::config(format!("credentials.{key}: is required"))),
    }
}

/// Ids are strings in v1.3; accept a JSON number too, since users' configs carry both.
fn optional_id(c: &Map<String, Value>, key: &str) -> Result<Option<String>> {
    let value = match c.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(s)) => Value::String(s.trim().to_string()),
        Some(other) => other.clone(),
    };
    match id_text(&value) {
        None if value == "" => Ok(None),
        Some(id) if id.chars().all(|ch| ch.is_ascii_digit()) => Ok(Some(id)),
        _ => Err(Error::config(format!("credentials.{key}: must be a numeric id"))),
    }
}

fn required_id(c: &Map<String, Value>, key: &str) -> Result<String> {
    optional_id(c, key)?.ok_or_else(|| Error::config(format!("credentials.{key}: is required")))
}

fn optional_date(obj: &Map<String, Value>, key: &str) -> Result<Option<NaiveDate>> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .filter(|_| s.len() == 10)
            .map(Some)
            .ok_or_else(|| Error::config(format!("{key}: {s:?} is not a date in YYYY-MM-DD form"))),
        Some(_) => Err(Error::config(format!("{key}: must be a string in YYYY-MM-DD form"))),
    }
}

fn optional_int(obj: &Map<String, Value>, key: &str, min: u32, max: u32) -> Result<Option<u32>> {
    let n = match obj.get(key) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.as_u64(),
        Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
        Some(_) => None,
    };
    match n {
        Some(n) if n >= min as u64 && n <= max as u64 => Ok(Some(n as u32)),
        _ => Err(Error::config(format!("{key}: must be a whole number from {min} to {max}"))),
    }
}

fn optional_bool(obj: &Map<String, Value>, key: &str) -> Result<Option<bool>> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(Error::config(format!("{key}: must be true or false"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oauth_config_with_defaults() {
        let c =
            Config::parse(r#"{"credentials":{"auth_type":"oauth2.0","app_id":"1","secret":"s","access_token":"t"}}"#)
                .unwrap();
        assert_eq!(c.start_date.to_string(), "2016-09-01");
        assert_eq!(c.attribution_window, 3);
        assert!(!c.include_deleted);
        assert!(c.skip_inactive_days);
        assert!(!c.is_sandbox());
    }

    #[test]
    fn errors_name_the_field() {
        let e = Config::parse(r#"{"credentials":{"auth_type":"oauth2.0","app_id":"1","secret":"s"}}"#).unwrap_err();
        assert!(e.message.contains("credentials.access_token"), "{}", e.message);
        let e = Config::parse(r#"{"credentials":{"auth_type":"sandbox_access_token","advertiser_id":"1","access_token":"t"},"start_date":"2020-13-01"}"#).unwrap_err();
        assert!(e.message.starts_with("start_date"), "{}", e.message);
        let e = Config::parse(r#"{"credentials":{"auth_type":"sandbox_access_token","advertiser_id":"1","access_token":"t"},"attribution_window":400}"#).unwrap_err();
        assert!(e.message.starts_with("attribution_window"), "{}", e.message);
        let e =
            Config::parse(r#"{"credentials":{"auth_type":"sandbox_access_token","access_token":"t"}}"#).unwrap_err();
        assert!(e.message.contains("advertiser_id"), "{}", e.message);
        let e = Config::parse(r#"{"credentials":{"auth_type":"sandbox_access_token","advertiser_id":"1","access_token":"t"},"skip_inactive_days":"no"}"#).unwrap_err();
        assert!(e.message.starts_with("skip_inactive_days: must be true or false"), "{}", e.message);
    }

    #[test]
    fn skipping_inactive_days_can_be_turned_off() {
        let c = Config::parse(r#"{"credentials":{"auth_type":"sandbox_access_token","advertiser_id":"1","access_token":"t"},"skip_inactive_days":false}"#).unwrap();
        assert!(!c.skip_inactive_days);
    }

    #[test]
    fn unknown_keys_are_ignored() {
        let c = Config::parse(r#"{"credentials":{"auth_type":"sandbox_access_token","advertiser_id":123,"access_token":"t"},"whatever":1}"#).unwrap();
        assert_eq!(c.credentials, Credentials::Sandbox { advertiser_id: "123".into(), access_token: "t".into() });
    }
}
