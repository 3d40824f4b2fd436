//! The asset lists: audiences, images, videos, music, portfolios, TikTok posts, pixels.

use serde_json::Value;

use super::id_filter;
use crate::wire::{page_of, param_error, ApiError, Call, Served};

/// Page size (default, maximum) and list key of the asset list endpoints.
fn asset_list(endpoint: &str) -> Option<(u64, u64, &'static str)> {
    Some(match endpoint {
        "dmp/custom_audience/list" => (10, 100, "list"),
        "file/image/ad/search" => (20, 100, "list"),
        // The SDK documents 100, newer clients 1000; accept the larger.
        "file/video/ad/search" => (20, 1000, "list"),
        "file/music/get" => (1000, 1000, "musics"),
        "creative/portfolio/list" => (20, 100, "creative_portfolios"),
        "tt_video/list" => (20, 50, "list"),
        "pixel/list" => (10, 20, "pixels"),
        _ => return None,
    })
}

/// Id lists the asset lists take in `filtering`, each of at most 100 ids (tiktok-api.md
/// §3.9-3.12; video `material_ids`: 100 per the SDK, 20 per GO, so the larger).
const ASSET_ID_FILTERS: &[(&str, &[&str])] = &[
    ("file/image/ad/search", &["image_ids", "material_ids"]),
    ("file/video/ad/search", &["video_ids", "material_ids"]),
    ("file/music/get", &["music_ids", "material_ids"]),
    ("creative/portfolio/list", &["creative_portfolio_ids"]),
];

pub fn list(call: &Call) -> Result<Served, ApiError> {
    let Call { endpoint, query: q, account, .. } = *call;
    let (default_size, max_size, list_key) = asset_list(endpoint).expect("the route table sends only asset lists here");
    let advertiser = q.required("advertiser_id")?;
    let (page, size) = q.paging(default_size, max_size)?;
    if endpoint == "file/music/get" && page * size > 100_000 {
        return Err(param_error("page * page_size must not exceed 100000."));
    }
    let filtering = q.json_object("filtering")?.unwrap_or_default();
    for (_, keys) in ASSET_ID_FILTERS.iter().filter(|(e, _)| *e == endpoint) {
        for key in *keys {
            id_filter(&filtering, key)?;
        }
    }
    if endpoint == "dmp/custom_audience/list" {
        if let Some(ids) = q.strings("custom_audience_ids")? {
            if ids.is_empty() || ids.len() > 100 {
                return Err(param_error("custom_audience_ids: Length must be between 1 and 100."));
            }
        }
    }
    if endpoint == "tt_video/list" {
        if let Some(types) = q.strings("item_types")? {
            if types.iter().any(|t| t != "VIDEO" && t != "CAROUSEL") {
                return Err(param_error("item_types: Invalid enum value."));
            }
        }
    }
    let mut items: Vec<Value> = account.assets_of(endpoint, advertiser).into_iter().map(|a| a.fields.clone()).collect();
    if endpoint == "file/image/ad/search" {
        // Only the first 10,000 images are listed (DOC-IMG, tiktok-api.md §3.9): the list, and
        // page_info, end there.
        items.truncate(10_000);
    }
    Ok(page_of(&items, list_key, page, size).into())
}
