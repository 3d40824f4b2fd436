//! The stream table: every stream the connector offers, as data. The mechanisms that read
//! them (advertiser partitions, paging, cursors) live in `read.rs`; adding a stream of an
//! existing kind is one entry here.

use serde_json::{json, Value};

use crate::fields;
use crate::schema;

/// Where a stream's records come from.
#[derive(Debug)]
pub enum Source {
    /// `oauth2/advertiser/get/`: the advertisers the token may read (app id and secret).
    AdvertiserIds,
    /// `advertiser/info/` for every advertiser, ids batched per call.
    AdvertiserInfo,
    /// A paged list read once per advertiser.
    List(ListSpec),
}

#[derive(Debug)]
pub struct ListSpec {
    /// Endpoint path under `/open_api/v1.3/`, without slashes around it.
    pub endpoint: &'static str,
    /// Key of the record list inside `data`.
    pub list_key: &'static str,
    /// The endpoint's maximum page size.
    pub page_size: u32,
    /// `filtering` entry that asks for deleted objects too (`include_deleted`).
    pub deleted_filter: Option<(&'static str, &'static str)>,
    /// The endpoint filters on `modified_after` itself, so incremental reads fetch less.
    pub modified_after_filter: bool,
}

#[derive(Debug)]
pub struct StreamDef {
    pub name: &'static str,
    pub source: Source,
    pub primary_key: &'static [&'static str],
    /// Incremental streams name their cursor field; the others are full refresh only.
    pub cursor: Option<&'static str>,
    /// Offered to sandbox (`sandbox_access_token`) configs.
    pub sandbox: bool,
    /// Record fields, see `schema.rs`.
    pub fields: &'static str,
}

/// Entity lists (campaigns, ad groups, ads) share paging and the deleted filter.
const fn entity_list(endpoint: &'static str, deleted_status: &'static str, modified_after_filter: bool) -> Source {
    Source::List(ListSpec {
        endpoint,
        list_key: "list",
        page_size: 1000,
        deleted_filter: Some(("secondary_status", deleted_status)),
        modified_after_filter,
    })
}

pub static STREAMS: &[StreamDef] = &[
    StreamDef {
        name: "advertiser_ids",
        source: Source::AdvertiserIds,
        primary_key: &["advertiser_id"],
        cursor: None,
        sandbox: false,
        fields: fields::ADVERTISER_IDS,
    },
    StreamDef {
        name: "advertisers",
        source: Source::AdvertiserInfo,
        primary_key: &["advertiser_id"],
        cursor: None,
        sandbox: true,
        fields: fields::ADVERTISERS,
    },
    StreamDef {
        name: "campaigns",
        source: entity_list("campaign/get", "CAMPAIGN_STATUS_ALL", false),
        primary_key: &["campaign_id"],
        cursor: Some("modify_time"),
        sandbox: true,
        fields: fields::CAMPAIGNS,
    },
    StreamDef {
        name: "ad_groups",
        source: entity_list("adgroup/get", "ADGROUP_STATUS_ALL", false),
        primary_key: &["adgroup_id"],
        cursor: Some("modify_time"),
        sandbox: true,
        fields: fields::AD_GROUPS,
    },
    StreamDef {
        name: "ads",
        source: entity_list("ad/get", "AD_STATUS_ALL", true),
        primary_key: &["ad_id"],
        cursor: Some("modify_time"),
        sandbox: true,
        fields: fields::ADS,
    },
];

pub fn find(name: &str) -> Option<&'static StreamDef> {
    STREAMS.iter().find(|s| s.name == name)
}

/// The streams a config may read: sandbox configs see the sandbox subset only.
pub fn available(sandbox: bool) -> impl Iterator<Item = &'static StreamDef> {
    STREAMS.iter().filter(move |s| !sandbox || s.sandbox)
}

impl StreamDef {
    pub fn json_schema(&self) -> Value {
        schema::from_field_list(self.fields)
    }

    /// The stream as an Airbyte catalog entry.
    pub fn catalog_entry(&self) -> Value {
        let mut entry = json!({
            "name": self.name,
            "json_schema": self.json_schema(),
            "supported_sync_modes": if self.cursor.is_some() { json!(["full_refresh", "incremental"]) } else { json!(["full_refresh"]) },
            "source_defined_primary_key": self.primary_key.iter().map(|k| json!([k])).collect::<Vec<_>>(),
        });
        if let Some(cursor) = self.cursor {
            entry["source_defined_cursor"] = json!(true);
            entry["default_cursor_field"] = json!([cursor]);
        }
        entry
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stream_has_a_valid_schema_with_its_keys() {
        for s in STREAMS {
            let schema = s.json_schema();
            let props = schema["properties"].as_object().unwrap();
            for key in s.primary_key.iter().chain(s.cursor.iter()) {
                assert!(props.contains_key(*key), "{}: {key} missing from schema", s.name);
            }
        }
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<_> = STREAMS.iter().map(|s| s.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), STREAMS.len());
    }
}
