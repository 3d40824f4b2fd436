//! `oauth2/advertiser/get`, `advertiser/info`, and who may read which advertiser.

use serde_json::{json, Value};

use super::project;
use crate::data::Account;
use crate::refusals::{refuse, Refusal};
use crate::wire::{param_error, ApiError, Call, Served};

/// The advertisers a token may read: all of them, or the sandbox's single one.
fn authorized_ids(account: &Account, sandbox: bool) -> Vec<&str> {
    let ids = account.advertisers.iter().map(|a| a.id.as_str());
    if sandbox {
        ids.take(1).collect()
    } else {
        ids.collect()
    }
}

/// The advertiser a request names must be one the token may read, and grant the endpoint.
pub fn authorize(adv: &str, call: &Call) -> Result<(), ApiError> {
    let Call { endpoint, account, config, sandbox, .. } = *call;
    if adv.is_empty() || !adv.chars().all(|c| c.is_ascii_digit()) {
        return Err(param_error("advertiser_id: Not a valid int."));
    }
    if !authorized_ids(account, sandbox).contains(&adv) {
        return refuse(Refusal::NoPermission { advertiser: adv.into() });
    }
    if config.credentials.permission_denied.iter().any(|(a, e)| a == adv && e == endpoint) {
        return refuse(Refusal::EndpointDenied { endpoint: endpoint.into() });
    }
    Ok(())
}

pub fn advertiser_get(call: &Call) -> Result<Served, ApiError> {
    let Call { query: q, account, config, sandbox, .. } = *call;
    let app_id = q.required("app_id")?;
    let secret = q.required("secret")?;
    if sandbox {
        return refuse(Refusal::SandboxUnsupported);
    }
    if app_id != config.credentials.app_id || secret != config.credentials.secret {
        return refuse(Refusal::AppMismatch);
    }
    let list: Vec<Value> =
        account.advertisers.iter().map(|a| json!({"advertiser_id": a.id, "advertiser_name": a.name})).collect();
    Ok(json!({ "list": list }).into())
}

pub fn advertiser_info(call: &Call) -> Result<Served, ApiError> {
    let Call { query: q, account, config, sandbox, .. } = *call;
    let ids = q
        .json_array("advertiser_ids")?
        .ok_or_else(|| param_error("advertiser_ids: Missing data for required field."))?;
    if ids.is_empty() || ids.len() > 100 {
        return Err(param_error("advertiser_ids: Length must be between 1 and 100."));
    }
    let fields = q.strings("fields")?;
    let authorized = authorized_ids(account, sandbox);
    let mut list = Vec::new();
    for id in &ids {
        let id = id.as_str().ok_or_else(|| param_error("advertiser_ids: Not a valid string."))?;
        // One advertiser the token may not read fails the whole batch.
        let denied = config.credentials.permission_denied.iter().any(|(a, e)| a == id && e == "advertiser/info");
        if !authorized.contains(&id) || denied {
            return refuse(Refusal::NoPermission { advertiser: id.into() });
        }
        let adv = account.advertisers.iter().find(|a| a.id == id).expect("authorized ids exist");
        list.push(project(&adv.info, fields.as_deref(), false));
    }
    Ok(json!({ "list": list }).into())
}
