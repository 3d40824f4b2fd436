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
            "properties": {
                "credentials": {
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
                },
                "start_date": {
                    "title": "Replication Start Date",
                    "description": "First day of report data to read (YYYY-MM-DD, advertiser time zone). Entity streams always read every object.",
                    "type": "string", "default": "2016-09-01", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "format": "date", "order": 1
                },
                "end_date": {
                    "title": "End Date",
                    "description": "Last day of report data to read (YYYY-MM-DD). Today when empty.",
                    "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "format": "date", "order": 2
                },
                "attribution_window": {
                    "title": "Attribution Window",
                    "description": "Days before the cursor that every incremental report sync reads again, so late conversions are restated.",
                    "type": "integer", "default": 3, "minimum": 0, "maximum": 364, "order": 3
                },
                "include_deleted": {
                    "title": "Include Deleted Data in Reports and Entities",
                    "description": "Also read deleted campaigns, ad groups and ads, and their report rows.",
                    "type": "boolean", "default": false, "order": 4
                },
                "report_window_days": {
                    "title": "Days per Daily Report Request",
                    "description": "Width of the date window of one daily report request (TikTok allows at most 30). Lower it for very large accounts.",
                    "type": "integer", "default": 30, "minimum": 1, "maximum": 30, "order": 5
                },
                "requests_per_second": {
                    "title": "Requests per Second",
                    "description": "The developer app's rate limit tier (basic 10, advanced 20, premium 30, ultimate 50). The connector also keeps under 60 times this per minute.",
                    "type": "integer", "default": 10, "minimum": 1, "maximum": 1000, "order": 6
                },
                "skip_inactive_days": {
                    "title": "Skip Inactive Days",
                    "description": "Learn each advertiser's active days once per sync (one advertiser-level request per 30 days) and ask report streams only for days TikTok can have rows for. Turn off to ask for every day.",
                    "type": "boolean", "default": true, "order": 9
                },
                "custom_reports": crate::custom::spec(),
                "additional_metrics": crate::additional::spec(),
                "integer_ids": {
                    "title": "Integer Ids (Reference-Compatible)",
                    "description": "Type the id fields the reference connector declares as integers (campaign_id, adgroup_id, ad_id, advertiser_id, ...) as integers in schemas and records, for tables, views and models built on the reference connector. Off: ids are strings, exact in every language (19-digit ids lose digits as JavaScript or float numbers).",
                    "type": "boolean", "default": false, "order": 10
                },
                "retry_base_delay_ms": {
                    "title": "First Retry Delay (ms)",
                    "description": "Wait before the first retry of a failed call; each further retry waits about twice as long. Throttled calls back off up to 5 minutes.",
                    "type": "integer", "default": 500, "minimum": 1, "maximum": 60000, "order": 7
                }
            }
        },
        "advanced_auth": advanced_auth()
    })
}

/// The platform's "authenticate with TikTok" flow, as the reference declares it: the OAuth
/// server takes the app id and secret and fills in the access token.
fn advanced_auth() -> Value {
    let string_at = |title: &str, path: &[&str]| json!({"title": title, "type": "string", "path_in_connector_config": path});
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
