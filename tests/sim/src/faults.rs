//! Injected trouble: faults drawn at a configured rate (deterministic from the seed), broken
//! bodies in place of good answers, and lists that never end.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::{json, Value};

use crate::config::{Fault, HostileBody, SimConfig};
use crate::data::mix;
use crate::refusals::Refusal;
use crate::wire::Reply;

/// What an injected fault does to a request.
pub enum FaultAction {
    /// Answer with this refusal instead of the real answer.
    Refuse(Refusal),
    /// Answer with this (not an envelope) instead of the real answer.
    Answer(Reply),
    /// Answer correctly, but only after this long.
    Delay(Duration),
}

/// Draws of the fault injector, separate from request ids so rates stay exact.
#[derive(Default)]
pub struct FaultDraws(AtomicU64);

impl FaultDraws {
    /// Draw a fault for this request, if the configuration asks for them.
    pub fn draw(&self, config: &SimConfig) -> Option<FaultAction> {
        let faults = &config.faults;
        if faults.rate <= 0.0 || faults.kinds.is_empty() {
            return None;
        }
        let n = self.0.fetch_add(1, Ordering::Relaxed);
        let r = mix(mix(config.account.seed) ^ n);
        if (r % 10_000) as f64 / 10_000.0 >= faults.rate {
            return None;
        }
        let fault = faults.kinds[(mix(r) % faults.kinds.len() as u64) as usize];
        Some(match fault {
            Fault::AppThrottle => FaultAction::Refuse(Refusal::InjectedThrottle),
            Fault::SystemError => FaultAction::Refuse(Refusal::SystemError(String::new())),
            Fault::ProcessingError => FaultAction::Refuse(Refusal::ProcessingError),
            Fault::InternalTimeout => FaultAction::Refuse(Refusal::ServiceTimeout),
            Fault::GatewayTimeout => FaultAction::Answer(Reply::raw(
                504,
                "text/html",
                b"<html><body><h1>504 Gateway Time-out</h1></body></html>",
            )),
            Fault::MalformedBody => FaultAction::Answer(Reply::raw(
                200,
                "application/json",
                b"{\"code\": 0, \"message\": \"OK\", \"data\": {\"list\": [{\"advert",
            )),
            Fault::Slow => FaultAction::Delay(Duration::from_millis(faults.slow_response_ms)),
        })
    }
}

/// A broken body in place of a successful answer.
pub fn hostile_reply(hostile: HostileBody, request_id: &str) -> Reply {
    match hostile {
        HostileBody::WrongTypes => Reply::json(&json!({
            "code": 0, "message": "OK", "request_id": request_id,
            "data": {"list": "not a list", "page_info": {"page": "1", "total_page": "many"}},
        })),
        HostileBody::Huge(bytes) => {
            let filler = "x".repeat(bytes);
            Reply::json(
                &json!({"code": 0, "message": "OK", "request_id": request_id, "data": {"list": [], "filler": filler}}),
            )
        }
        HostileBody::Html => {
            Reply::raw(200, "text/html", b"<!DOCTYPE html><html><body>Service temporarily unavailable</body></html>")
        }
    }
}

/// A list that never ends: every page is computed as the first page, and announces one more
/// than the page asked for.
pub fn endless_query(query: &crate::wire::Query) -> crate::wire::Query {
    let mut q = query.0.clone();
    q.insert("page".into(), "1".into());
    crate::wire::Query(q)
}

pub fn endless_page_info(data: &mut Value, requested_page: u64) {
    if data.get("page_info").is_some() {
        data["page_info"]["page"] = json!(requested_page);
        data["page_info"]["total_page"] = json!(requested_page + 1);
    }
}
