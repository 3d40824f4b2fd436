//! The connector specification: the reference connector's config fields plus our options.

use serde_json::{json, Value};

pub fn spec() -> Value {
    json!({
        "documentationUrl": "https://docs.airbyte.com/integrations/sources/tiktok-marketing",
        "supportsIncremental": true,
        "supported_destination_sync_modes": ["overwrite", "append", "append_dedup"],
        "connectionSpecification": {
            "$schema": "http://json-schema.org/draft-07/schema#",
            "title": "TikTok Marketing Source Spec",
            "type": "object",
            "additionalProperties": true,
            "properties": properties()
        },
        "advanced_auth": advanced_auth()
    })
}

/// Dates of report data, as the reference's config writes them.
const DATE_PATTERN: &str = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$";

/// The config's fields: the reference connector's (`credentials` to `include_deleted`) with its
/// types, defaults and order, then the options it lacks.
fn properties() -> Value {
    json!({
        "credentials": credentials(),
        "start_date": {
            "title": "Replication Start Date",
            "description": "First day of report data to read (YYYY-MM-DD, advertiser time zone). Entity streams always read every object.",
            "type": "string", "default": "2016-09-01", "pattern": DATE_PATTERN, "format": "date", "order": 1
        },
        "end_date": {
            "title": "End Date",
            "description": "Last day of report data to read (YYYY-MM-DD). Today when empty.",
            "type": "string", "pattern": DATE_PATTERN, "format": "date", "order": 2
        },
        "attribution_window": integer(
            "Attribution Window",
            "Days before the cursor that every incremental report sync reads again, so late conversions are restated.",
            3, (0, 364), 3,
        ),
        "include_deleted": boolean(
            "Include Deleted Data in Reports and Entities",
            "Also read deleted campaigns, ad groups and ads, and their report rows.",
            false, 4,
        ),
        "report_window_days": integer(
            "Days per Daily Report Request",
            "Width of the date window of one daily report request (TikTok allows at most 30). Lower it for very large accounts.",
            30, (1, 30), 5,
        ),
        "requests_per_second": integer(
            "Requests per Second",
            "The developer app's rate limit tier (basic 10, advanced 20, premium 30, ultimate 50). The connector also keeps under 60 times this per minute.",
            10, (1, 1000), 6,
        ),
        "retry_base_delay_ms": integer(
            "First Retry Delay (ms)",
            "Wait before the first retry of a failed call; each further retry waits about twice as long. Throttled calls back off up to 5 minutes.",
            500, (1, 60000), 7,
        ),
        "custom_reports": crate::config::custom::spec(),
        "skip_inactive_days": boolean(
            "Skip Inactive Days",
            "Learn each advertiser's active days once per sync (one advertiser-level request per 30 days) and ask report streams only for days TikTok can have rows for. Turn off to ask for every day.",
            true, 9,
        ),
        "integer_ids": boolean(
            "Integer Ids (Reference-Compatible)",
            "Type the id fields the reference connector declares as integers (campaign_id, adgroup_id, ad_id, advertiser_id, ...) as integers in schemas and records, for tables, views and models built on the reference connector. Off: ids are strings, exact in every language (19-digit ids lose digits as JavaScript or float numbers).",
            false, 10,
        ),
        "additional_metrics": crate::config::additional::spec()
    })
}

/// `credentials`: an app's OAuth token, or a sandbox advertiser's token.
fn credentials() -> Value {
    json!({
        "title": "Authentication Method",
        "description": "Authentication method",
        "default": {},
        "type": "object",
        "order": 0,
        "oneOf": [
            {
                "title": "OAuth2.0",
                "type": "object",
                "required": ["app_id", "secret", "access_token"],
                "properties": {
                    "auth_type": {"title": "Auth Type", "type": "string", "const": "oauth2.0", "order": 0},
                    "app_id": {"title": "App ID", "description": "The developer application ID.", "type": "string", "airbyte_secret": true},
                    "secret": {"title": "Secret", "description": "The developer application secret.", "type": "string", "airbyte_secret": true},
                    "access_token": {"title": "Access Token", "description": "Long-term authorized access token.", "type": "string", "airbyte_secret": true},
                    "advertiser_id": {"title": "Advertiser ID", "description": "Read only this advertiser (all authorized advertisers when empty).", "type": "string"}
                }
            },
            {
                "title": "Sandbox Access Token",
                "type": "object",
                "required": ["advertiser_id", "access_token"],
                "properties": {
                    "auth_type": {"title": "Auth Type", "type": "string", "const": "sandbox_access_token", "order": 0},
                    "advertiser_id": {"title": "Advertiser ID", "description": "The sandbox advertiser ID (the sandbox cannot list advertisers).", "type": "string"},
                    "access_token": {"title": "Access Token", "description": "The sandbox access token.", "type": "string", "airbyte_secret": true}
                }
            }
        ]
    })
}

/// An integer field with its default and inclusive range.
fn integer(title: &str, description: &str, default: u64, (minimum, maximum): (u64, u64), order: u32) -> Value {
    json!({"title": title, "description": description, "type": "integer", "default": default, "minimum": minimum, "maximum": maximum, "order": order})
}

fn boolean(title: &str, description: &str, default: bool, order: u32) -> Value {
    json!({"title": title, "description": description, "type": "boolean", "default": default, "order": order})
}

/// The platform's "authenticate with TikTok" flow, as the reference declares it: the OAuth
/// server takes the app id and secret and fills in the access token.
fn advanced_auth() -> Value {
    let string_at =
        |title: &str, path: &[&str]| json!({"title": title, "type": "string", "path_in_connector_config": path});
    json!({
        "auth_flow_type": "oauth2.0",
        "predicate_key": ["credentials", "auth_type"],
        "predicate_value": "oauth2.0",
        "oauth_config_specification": {
            "complete_oauth_output_specification": {
                "title": "CompleteOauthOutputSpecification",
                "type": "object",
                "properties": {"access_token": string_at("Access Token", &["credentials", "access_token"])},
                "required": ["access_token"]
            },
            "complete_oauth_server_input_specification": {
                "title": "CompleteOauthServerInputSpecification",
                "type": "object",
                "properties": {"app_id": {"title": "App Id", "type": "string"}, "secret": {"title": "Secret", "type": "string"}},
                "required": ["app_id", "secret"]
            },
            "complete_oauth_server_output_specification": {
                "title": "CompleteOauthServerOutputSpecification",
                "type": "object",
                "properties": {
                    "app_id": string_at("App Id", &["credentials", "app_id"]),
                    "secret": string_at("Secret", &["credentials", "secret"])
                },
                "required": ["app_id", "secret"]
            }
        }
    })
}
