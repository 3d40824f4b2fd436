//! Each advertiser's GMV Max stores (`gmv_max/store/list/`, no paging). The list also names
//! stores the advertiser cannot run GMV Max on: a store can be listed under several advertisers
//! and be available under one (gmv-max-smart-plus.md §1.2). Reports are read only for the
//! stores available to the advertiser, as every peer does.

use std::collections::HashSet;
use std::rc::Rc;

use serde_json::{json, Value};

use super::ReportSync;
use crate::api::{self, ApiClient, ApiRequest};
use crate::context::{StreamRun, SyncContext};
use crate::error::Result;
use crate::fetch::ahead::FetchAhead;
use crate::integer_ids::id_text;

const PATH: &str = "gmv_max/store/list";

/// The advertiser's store list, each store named once, with the advertiser it was listed for.
pub async fn list(sync: &SyncContext, reports: &ReportSync, advertiser: &str) -> Result<Rc<Vec<Value>>> {
    let (api, id) = (sync.api.clone(), advertiser.to_string());
    let learn = || async move {
        let answer = api.send(&ApiRequest::for_advertiser(PATH, &id)).await?;
        let mut seen = HashSet::new();
        // Duplicate rows inside one answer have been seen (§1.2): one per store.
        let stores = api::list_of(answer, "store_list")?
            .into_iter()
            .filter(|store| store.get("store_id").and_then(id_text).is_none_or(|s| seen.insert(s)))
            .map(|mut store| {
                if let Value::Object(map) = &mut store {
                    map.insert("advertiser_id".into(), json!(id));
                }
                store
            })
            .collect();
        Ok(Rc::new(stores))
    };
    reports.gmv_max.stores.learn(advertiser.to_string(), learn).get().await
}

/// The stores GMV Max reports are read for: those available to the advertiser.
pub fn available(stores: &[Value]) -> Vec<String> {
    let is_available = |store: &Value| match store.get("is_gmv_max_available") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    };
    stores.iter().filter(|s| is_available(s)).filter_map(|s| s.get("store_id").and_then(id_text)).collect()
}

/// What `check` says of GMV Max: how many stores the first advertisers can read GMV Max
/// reports of. A refusal is said, not failed: the other streams do not need GMV Max.
pub async fn reach(api: &Rc<ApiClient>, advertisers: &[String]) -> String {
    let requests = advertisers.iter().map(|id| (id.clone(), ApiRequest::for_advertiser(PATH, id))).collect();
    let mut answers = FetchAhead::new(api, requests);
    let (mut stores, mut with_stores, mut refused) = (0, 0, Vec::new());
    while let Some((advertiser, answer)) = answers.next().await {
        match answer.and_then(|a| api::list_of(a, "store_list")) {
            Ok(list) => {
                let n = available(&list).len();
                stores += n;
                with_stores += usize::from(n > 0);
            }
            Err(e) => refused.push(format!("advertiser {advertiser}: {}", e.message)),
        }
    }
    let checked = advertisers.len();
    let mut said = match stores {
        0 => format!("GMV Max: none of the {checked} advertisers checked has a store available for GMV Max (the gmv_max_* report streams will be empty)"),
        _ => format!("GMV Max: {stores} stores available to {with_stores} of the {checked} advertisers checked"),
    };
    if !refused.is_empty() {
        said.push_str(&format!("; TikTok refused the store list of {} ({})", refused.len(), refused.join("; ")));
    }
    said
}

/// `gmv_max_stores`: every store listed for the advertiser, available or not.
pub async fn read(run: &Rc<StreamRun>, reports: &Rc<ReportSync>, advertiser: &str) -> Result<()> {
    run.emit(&list(&run.sync, reports, advertiser).await?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_stores_available_to_the_advertiser_are_read() {
        let stores = [
            json!({"store_id": "1", "is_gmv_max_available": true}),
            json!({"store_id": "2", "is_gmv_max_available": false}),
            json!({"store_id": "3", "is_gmv_max_available": "true"}),
            json!({"store_id": "4"}),
        ];
        assert_eq!(available(&stores), ["1", "3"]);
    }
}
