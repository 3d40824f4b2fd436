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
            "properties": {
                "credentials": {
                    "title": "Authentication Method",
                    "type": "object",
                    "order": 0,
                    "oneOf": [
                        {
                            "title": "OAuth2.0",
                            "type": "object",
                            "required": ["app_id", "secret", "access_token"],
                            "properties": {
                                "auth_type": {"type": "string", "const": "oauth2.0", "order": 0},
                                "app_id": {"title": "App ID", "description": "The developer application ID.", "type": "string", "airbyte_secret": false},
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
                                "auth_type": {"type": "string", "const": "sandbox_access_token", "order": 0},
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
                "retry_base_delay_ms": {
                    "title": "First Retry Delay (ms)",
                    "description": "Wait before the first retry of a failed call; each further retry waits about twice as long. Throttled calls back off up to 5 minutes.",
                    "type": "integer", "default": 500, "minimum": 1, "maximum": 60000, "order": 7
                }
            }
        }
    })
}
