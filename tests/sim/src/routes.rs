//! The route table: every endpoint the simulator serves, its method and its handler. Anything
//! else is the gateway's plain 404; a known path with the other method, a 405.

use crate::endpoints::{accounts, assets, entities, gmv_max, pixels, smart_plus};
use crate::reports::{self, tasks};
use crate::wire::Handler;

pub const API_PREFIX: &str = "/open_api/v1.3/";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Method {
    Get,
    Post,
}

pub struct Route {
    /// The path under `API_PREFIX`, without the trailing slash.
    pub endpoint: &'static str,
    pub method: Method,
    pub handler: Handler,
}

const fn get(endpoint: &'static str, handler: Handler) -> Route {
    Route { endpoint, method: Method::Get, handler }
}

const fn post(endpoint: &'static str, handler: Handler) -> Route {
    Route { endpoint, method: Method::Post, handler }
}

pub const ROUTES: &[Route] = &[
    // accounts
    get("oauth2/advertiser/get", accounts::advertiser_get),
    get("advertiser/info", accounts::advertiser_info),
    // entities
    get("campaign/get", entities::campaigns),
    get("adgroup/get", entities::adgroups),
    get("ad/get", entities::ads),
    // reports
    get("report/integrated/get", reports::integrated),
    post("report/task/create", tasks::create),
    get("report/task/check", tasks::check),
    get("report/task/download", tasks::download),
    post("report/task/cancel", tasks::cancel),
    // GMV Max (gmv-max-smart-plus.md §1.1), production only
    get("gmv_max/store/list", gmv_max::store_list),
    get("gmv_max/campaign/get", gmv_max::campaign_get),
    get("campaign/gmv_max/info", gmv_max::campaign_info),
    get("gmv_max/report/get", reports::gmv_max::report),
    // Upgraded Smart+ (gmv-max-smart-plus.md §2.2, §2.4), production only
    get("smart_plus/campaign/get", smart_plus::campaign_get),
    get("smart_plus/adgroup/get", smart_plus::adgroup_get),
    get("smart_plus/ad/get", smart_plus::ad_get),
    get("smart_plus/material_report/overview", reports::smart_plus::overview),
    get("smart_plus/material_report/breakdown", reports::smart_plus::breakdown),
    // creative assets and audiences
    get("dmp/custom_audience/list", assets::list),
    get("file/image/ad/search", assets::list),
    get("file/video/ad/search", assets::list),
    get("file/music/get", assets::list),
    get("creative/portfolio/list", assets::list),
    get("tt_video/list", assets::list),
    // pixels
    get("pixel/list", assets::list),
    get("pixel/event/stats", pixels::event_stats),
    get("pixel/instant_page/event", pixels::instant_page_events),
];

/// Where a request goes: its endpoint's route, or the gateway's answer.
pub enum Routed {
    Found(&'static Route),
    NotFound,
    WrongMethod,
}

pub fn find(method: &str, path: &str) -> Routed {
    // Only /open_api/v1.3/<endpoint>/ exists.
    let Some(endpoint) = path.strip_prefix(API_PREFIX).and_then(|p| p.strip_suffix('/')) else {
        return Routed::NotFound;
    };
    let Some(route) = ROUTES.iter().find(|r| r.endpoint == endpoint) else { return Routed::NotFound };
    let method = match method {
        "GET" => Method::Get,
        "POST" => Method::Post,
        _ => return Routed::WrongMethod,
    };
    if route.method != method {
        return Routed::WrongMethod;
    }
    Routed::Found(route)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_endpoint_is_routed_once_and_only_with_its_method() {
        for route in ROUTES {
            assert_eq!(ROUTES.iter().filter(|r| r.endpoint == route.endpoint).count(), 1, "{}", route.endpoint);
            let path = format!("{API_PREFIX}{}/", route.endpoint);
            let (right, wrong) = match route.method {
                Method::Get => ("GET", "POST"),
                Method::Post => ("POST", "GET"),
            };
            assert!(matches!(find(right, &path), Routed::Found(r) if r.endpoint == route.endpoint));
            assert!(matches!(find(wrong, &path), Routed::WrongMethod));
        }
        assert!(matches!(find("GET", "/open_api/v1.3/campaign/get"), Routed::NotFound), "no trailing slash");
        assert!(matches!(find("GET", "/open_api/v1.2/campaign/get/"), Routed::NotFound));
    }
}
