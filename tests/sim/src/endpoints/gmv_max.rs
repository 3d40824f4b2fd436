//! The GMV Max list endpoints (gmv-max-smart-plus.md §1.1): `gmv_max/store/list`,
//! `gmv_max/campaign/get` and `campaign/gmv_max/info`. None is in the sandbox (§1.10).

use serde_json::{json, Map, Value};

use super::entities::creation_range;
use super::{id_filter, project};
use crate::data::{Account, GmvCampaign, GmvMax, ShoppingAdsType, StoreListing};
use crate::refusals::{refuse, Refusal};
use crate::wire::{page_of, param_error, ApiError, Call, Served};

/// GMV Max is production only (§1.9 AE sandbox, §1.10).
fn production_only(call: &Call) -> Result<(), ApiError> {
    if call.sandbox {
        return refuse(Refusal::GmvSandboxUnsupported);
    }
    Ok(())
}

/// `gmv_max/store/list`: `advertiser_id` only, no paging (DOC-GMV-STORE; SDK
/// `gmv_max_store_list.yml`; GO `store_list.go`).
pub fn store_list(call: &Call) -> Result<Served, ApiError> {
    production_only(call)?;
    let advertiser = call.query.required("advertiser_id")?;
    let gmv = &call.account.gmv_max;
    let list: Vec<Value> = gmv.listed_stores(advertiser).into_iter().map(|l| store_row(call.account, l)).collect();
    Ok(json!({ "store_list": list }).into())
}

/// One store list row, with the fields of §1.1 (SDK, GO `store_list.go`, HG).
fn store_row(account: &Account, listing: &StoreListing) -> Value {
    let store = account.gmv_max.store(&listing.store_id).expect("listed stores exist");
    let own = store.holder.as_deref() == Some(listing.advertiser_id.as_str());
    let mut row = json!({
        "store_id": store.id, "store_name": store.name,
        "store_code": format!("SIM{}", &store.id[store.id.len() - 6..]),
        "thumbnail_url": format!("https://p16-oec.example.com/shop/{}.png", store.id),
        "store_status": store.status, "is_gmv_max_available": listing.available,
        "store_authorized_bc_id": store.bc_id,
        // GO: false means a partner BC, as for a store another advertiser holds.
        "is_owner_bc": own || store.holder.is_none(),
        "store_authorized_bc_info": {
            "bc_id": store.bc_id, "bc_name": format!("Sim BC {}", &store.bc_id[store.bc_id.len() - 1..]),
            "bc_profile_image": "https://p16-bc.example.com/bc.png",
            "user_role": if own { "ADMIN" } else { "STANDARD" },
        },
        "targeting_region_codes": ["US"],
        // Invented value: HG reads store_role, no source gives its values.
        "store_role": if own { "AD_PROMOTION" } else { "NONE" },
    });
    // GO, 3P: absent when no advertiser holds the exclusive authorization.
    if let Some(holder) = store.holder.as_deref().and_then(|h| account.advertisers.iter().find(|a| a.id == h)) {
        row["exclusive_authorized_advertiser_info"] =
            json!({"advertiser_id": holder.id, "advertiser_name": holder.name});
    }
    row
}

const CAMPAIGN_FILTERS: &[&str] = &[
    "gmv_max_promotion_types",
    "store_ids",
    "campaign_ids",
    "campaign_name",
    "primary_status",
    "creation_filter_start_time",
    "creation_filter_end_time",
];

/// `gmv_max/campaign/get` (GO `get.go`, `campaign.go`; HG; §1.1): one promotion type per call
/// unless the readings switch says otherwise; deleted campaigns only under `STATUS_DELETE`
/// (3P); `page_size` 1–100 (GO).
pub fn campaign_get(call: &Call) -> Result<Served, ApiError> {
    production_only(call)?;
    let Call { query: q, account, config, .. } = *call;
    let advertiser = q.required("advertiser_id")?;
    let (page, size) = q.paging(10, 100)?;
    let fields = q.strings("fields")?;
    let filtering = q.json_object("filtering")?.unwrap_or_default();
    if let Some(unknown) = filtering.keys().find(|k| !CAMPAIGN_FILTERS.contains(&k.as_str())) {
        return Err(param_error(format!("filtering.{unknown}: Unknown field.")));
    }
    let kinds = promotion_types(&filtering, config.readings.gmv_campaign_type_optional)?;
    let stores = id_filter(&filtering, "store_ids")?;
    if stores.as_ref().is_some_and(|s| s.len() > 10) {
        // GO: store_ids ≤10; wording in the style of id_filter's.
        return Err(param_error("filtering.store_ids: Length must be between 0 and 10."));
    }
    let ids = id_filter(&filtering, "campaign_ids")?;
    let name = match filtering.get("campaign_name") {
        None => None,
        Some(Value::String(s)) => Some(s.to_lowercase()),
        Some(_) => return Err(param_error("filtering.campaign_name: Not a valid string.")),
    };
    let deleted = match filtering.get("primary_status").map(|v| v.as_str()) {
        None | Some(Some("STATUS_DELIVERY_OK")) | Some(Some("STATUS_DISABLE")) => false,
        Some(Some("STATUS_DELETE")) => true,
        _ => return Err(param_error("filtering.primary_status: Invalid enum value.")),
    };
    let disabled_only = filtering.get("primary_status").and_then(Value::as_str) == Some("STATUS_DISABLE");
    let created = creation_range(&filtering)?;
    let mut matching: Vec<&GmvCampaign> = account
        .gmv_max
        .campaigns
        .iter()
        .filter(|c| c.advertiser_id == advertiser && c.deleted == deleted && kinds.contains(&c.kind))
        .filter(|c| !disabled_only || c.fields["operation_status"] == "DISABLE")
        .filter(|c| stores.as_ref().is_none_or(|s| s.contains(&c.store_id)))
        .filter(|c| ids.as_ref().is_none_or(|s| s.contains(&c.id)))
        .filter(|c| {
            name.as_ref().is_none_or(|n| c.fields["campaign_name"].as_str().unwrap_or("").to_lowercase().contains(n))
        })
        .filter(|c| created.is_none_or(|(start, end)| start <= c.created && c.created <= end))
        .collect();
    // Newest first, as the other lists.
    matching.sort_by(|a, b| b.id.len().cmp(&a.id.len()).then_with(|| b.id.cmp(&a.id)));
    let items: Vec<Value> = matching.into_iter().map(|c| project(&c.fields, fields.as_deref(), false)).collect();
    Ok(page_of(&items, "list", page, size).into())
}

/// `filtering.gmv_max_promotion_types` of the campaign list: `PRODUCT_GMV_MAX`/`LIVE_GMV_MAX`
/// (GO `get.go`). Required with one value (3P), or optional (the readings switch).
fn promotion_types(filtering: &Map<String, Value>, optional: bool) -> Result<Vec<ShoppingAdsType>, ApiError> {
    let all = vec![ShoppingAdsType::Product, ShoppingAdsType::Live];
    let values = match filtering.get("gmv_max_promotion_types") {
        None if optional => return Ok(all),
        // Invented wording, in TikTok's "Missing data" style.
        None => return Err(param_error("filtering.gmv_max_promotion_types: Missing data for required field.")),
        Some(Value::Array(items)) => items.clone(),
        Some(_) => return Err(param_error("filtering.gmv_max_promotion_types: Field must be set to array")),
    };
    let mut kinds = Vec::new();
    for v in &values {
        kinds.push(match v.as_str() {
            Some("PRODUCT_GMV_MAX") => ShoppingAdsType::Product,
            Some("LIVE_GMV_MAX") => ShoppingAdsType::Live,
            // The report's names are refused here (§1.5: do not mix them up).
            _ => {
                return Err(param_error(format!(
                    "filtering.gmv_max_promotion_types: Invalid enum value {}.",
                    v.as_str().map_or_else(|| v.to_string(), str::to_string)
                )))
            }
        });
    }
    if !optional && kinds.len() != 1 {
        // Invented wording.
        return Err(param_error("filtering.gmv_max_promotion_types: Length must be 1."));
    }
    Ok(if kinds.is_empty() { all } else { kinds })
}

/// `campaign/gmv_max/info`: one campaign of the advertiser, deleted or not; `data` is the
/// object itself (DOC-GMV-INFO; SDK `campaign_gmv_max_info.yml`; GO `info.go`; DOC-NEW).
pub fn campaign_info(call: &Call) -> Result<Served, ApiError> {
    production_only(call)?;
    let advertiser = call.query.required("advertiser_id")?;
    let id = call.query.required("campaign_id")?;
    let gmv = &call.account.gmv_max;
    let Some(campaign) = gmv.campaign(id).filter(|c| c.advertiser_id == advertiser) else {
        // Invented wording.
        return Err(param_error(format!(
            "campaign_id: The campaign {id} does not exist or does not belong to advertiser {advertiser}."
        )));
    };
    Ok(info(gmv, campaign).into())
}

/// The info object of §1.1's row, from the campaign's fields.
fn info(gmv: &GmvMax, c: &GmvCampaign) -> Value {
    const FROM_LIST: &[&str] = &[
        "advertiser_id",
        "campaign_id",
        "campaign_name",
        "store_id",
        "store_authorized_bc_id",
        "shopping_ads_type",
        "product_specific_type",
        "item_group_ids",
        "product_video_specific_type",
        "optimization_goal",
        "deep_bid_type",
        "roas_bid",
        "budget",
        "roi_protection_enabled",
        "schedule_type",
        "schedule_start_time",
        "schedule_end_time",
        "placements",
        "location_ids",
        "age_groups",
        "identity_list",
        "affiliate_posts_enabled",
    ];
    let mut object = project(&c.fields, Some(&FROM_LIST.iter().map(|s| s.to_string()).collect::<Vec<_>>()), false);
    let item_list: Vec<Value> = c
        .products
        .iter()
        .flat_map(|p| p.item_ids.iter().map(move |item| (p, item)))
        .map(|(p, item)| {
            json!({
                "item_id": item, "text": format!("{} in action", p.name), "spu_id_list": [p.item_group_id],
                "identity_info": {"identity_id": "7001", "identity_type": "TT_USER", "display_name": "Sim Shop Official"},
                "video_info": {"video_id": format!("v09044g40000{item}"), "duration": 15.0, "width": 720, "height": 1280},
            })
        })
        .collect();
    let object_map = object.as_object_mut().expect("campaign fields are an object");
    object_map.insert("auto_budget_enabled".into(), json!(false));
    object_map.insert("item_list".into(), json!(item_list));
    object_map.insert("custom_anchor_video_list".into(), json!([]));
    // Invented content: §1.1 names promotion_days without its fields.
    object_map.insert("promotion_days".into(), json!({"is_enabled": false}));
    object_map.insert("accelerate_testing_for_new_videos".into(), json!(gmv.seed.is_multiple_of(2)));
    object
}
