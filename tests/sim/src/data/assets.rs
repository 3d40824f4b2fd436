//! The generated creative assets, audiences and pixels of an advertiser.

use chrono::Duration;
use serde_json::{json, Value};

use super::{base_time, fmt_time, iso, mix, Asset};

/// The assets of one advertiser: `n` of each kind (a few more images, to need pages).
pub(super) fn generate_assets(adv_index: usize, adv_id: &str, n: usize, seed: u64) -> Vec<Asset> {
    let mut assets = Vec::new();
    let base = base_time();
    for i in 0..n {
        let k = (adv_index * 1000 + i) as u64;
        let r = mix(seed ^ (k << 24) ^ 0xa55e7);
        let created = base - Duration::days(60) + Duration::minutes((r % 50_000) as i64);
        let modified = created + Duration::minutes((r % 9_000) as i64 + 1);
        let one = One { adv_index, adv_id, i, k, r, created, modified };
        let kinds: [fn(&One) -> Listed; 7] = [audience, images, video, music, portfolio, spark_post, pixel];
        for (endpoint, id, fields) in kinds.iter().flat_map(|kind| kind(&one)) {
            assets.push(Asset { endpoint, advertiser_id: adv_id.to_string(), id, fields });
        }
    }
    assets
}

/// Assets of one kind as an endpoint lists them: endpoint, id, fields.
type Listed = Vec<(&'static str, String, Value)>;

/// The `i`th asset of each kind of one advertiser: its number across the account `k`, a random
/// `r`, and its times.
struct One<'a> {
    adv_index: usize,
    adv_id: &'a str,
    i: usize,
    k: u64,
    r: u64,
    created: chrono::NaiveDateTime,
    modified: chrono::NaiveDateTime,
}

fn audience(one: &One) -> Listed {
    let One { adv_index, adv_id, i, k, r, created, .. } = *one;
    let audience_id = format!("{}", 6_900_000_000_000_000u64 + k);
    let fields = json!({
        "audience_id": audience_id, "name": format!("Audience {}-{}", adv_index + 1, i + 1),
        "audience_type": (["Customer File Audience", "Lookalike Audience", "Engagement Audience"][i % 3]),
        "audience_sub_type": "NORMAL", "calculate_type": "NORMAL", "cover_num": (r % 900_000) as i64,
        "shared": false, "is_creator": true, "is_valid": true, "is_expiring": false, "is_auto_refresh": false,
        "owner_id": adv_id, "create_time": fmt_time(created), "expired_time": fmt_time(created + Duration::days(365)),
    });
    vec![("dmp/custom_audience/list", audience_id, fields)]
}

fn images(one: &One) -> Listed {
    let One { k, r, created, modified, .. } = *one;
    (0..3)
        .map(|j| {
            let image_id = format!("ad-site-i18n-sg/{:016x}", mix(k * 3 + j));
            let fields = json!({
                    "image_id": image_id, "material_id": format!("{}", 7_100_000_000_000_000u64 + k * 3 + j),
                    "is_carousel_usable": true, "width": 1080, "height": 1920, "format": "jpeg",
                    "image_url": format!("https://p16.example.com/{image_id}.jpeg"), "signature": format!("{:032x}", mix(r ^ j) as u128 * 7),
                    "size": 100_000 + (r % 50_000) as i64, "file_name": format!("image_{k}_{j}.jpg"),
                    "create_time": iso(created), "modify_time": iso(modified + Duration::minutes(j as i64)), "displayable": true,
                });
            ("file/image/ad/search", image_id, fields)
        })
        .collect()
}

fn video(one: &One) -> Listed {
    let One { k, r, created, modified, .. } = *one;
    let video_id = format!("v10033g50000{:020x}", mix(k ^ 0x77));
    let fields = json!({
        "video_id": video_id, "material_id": format!("{}", 7_200_000_000_000_000u64 + k),
        "file_name": format!("video_{k}.mp4"), "format": "mp4", "duration": 15.5 + (r % 30) as f64,
        "width": 720, "height": 1280, "bit_rate": 2_000_000, "size": 5_000_000 + (r % 1_000_000) as i64,
        "signature": format!("{:016x}", mix(r)), "video_cover_url": format!("https://p16.example.com/{video_id}.jpg"),
        "preview_url": format!("https://v16.example.com/{video_id}.mp4"),
        "preview_url_expire_time": fmt_time(chrono::Utc::now().naive_utc() + Duration::hours(6)),
        "allowed_placements": ["PLACEMENT_TIKTOK", "PLACEMENT_PANGLE"], "allow_download": true, "displayable": true,
        "create_time": iso(created), "modify_time": iso(modified),
    });
    vec![("file/video/ad/search", video_id, fields)]
}

fn music(one: &One) -> Listed {
    let One { k, r, created, modified, .. } = *one;
    let music_id = format!("{}", 7_300_000_000_000_000u64 + k);
    let fields = json!({
        "music_id": music_id, "material_id": format!("{}", 7_310_000_000_000_000u64 + k), "sources": ["USER"],
        "author": "Sim Artist", "liked": false, "cover_url": null, "url": format!("https://m.example.com/{music_id}.mp3"),
        "duration": 30.0, "style": null, "signature": format!("{:016x}", mix(r ^ 9)), "file_name": format!("track_{k}.mp3"),
        "copyright": "MUSIC_FORBID_VIDEO_ALLOW", "create_time": iso(created), "modify_time": iso(modified),
    });
    vec![("file/music/get", music_id, fields)]
}

fn portfolio(one: &One) -> Listed {
    let One { i, k, .. } = *one;
    let portfolio_id = format!("{}", 7_400_000_000_000_000u64 + k);
    let fields = json!({
        "creative_portfolio_id": portfolio_id, "creative_portfolio_type": (["CARD", "GESTURE", "PREMIUM_BADGE"][i % 3]),
        "creative_portfolio_preview_url": format!("https://p16.example.com/portfolio/{portfolio_id}.png"),
    });
    vec![("creative/portfolio/list", portfolio_id, fields)]
}

fn spark_post(one: &One) -> Listed {
    let One { k, created, .. } = *one;
    let item_id = format!("{}", 7_500_000_000_000_000_000u64 + k);
    let fields = json!({
        "item_info": {"item_id": item_id, "item_type": "VIDEO", "text": "Spark post", "status": "AVAILABLE",
                      "auth_code": format!("#{:012x}", mix(k)), "anchor_list": []},
        "user_info": {"tiktok_name": "simbrand", "identity_id": format!("{}", 7_600_000_000u64 + k), "identity_type": "AUTH_CODE"},
        "video_info": {"video_id": format!("v0{k:018}"), "duration": 12.0, "bit_rate": 1_500_000, "size": 3_000_000,
                       "width": 720, "height": 1280, "poster_url": "https://p16.example.com/poster.jpg",
                       "preview_url": "https://v16.example.com/preview.mp4", "signature": "abc", "format": "mp4", "file_name": "post.mp4"},
        "auth_info": {"ad_auth_status": "AUTHORIZED", "auth_start_time": fmt_time(created),
                      "auth_end_time": fmt_time(created + Duration::days(365)), "invite_start_time": fmt_time(created)},
    });
    vec![("tt_video/list", item_id, fields)]
}

fn pixel(one: &One) -> Listed {
    let One { adv_index, i, k, created, .. } = *one;
    if i >= 2 {
        return Vec::new();
    }
    let pixel_id = format!("{}", 7_700_000_000_000_000u64 + k);
    let fields = json!({
        "pixel_id": pixel_id, "pixel_code": format!("C{:019X}", mix(k) >> 4), "pixel_name": format!("Pixel {}-{}", adv_index + 1, i + 1),
        "pixel_category": "ONLINE", "pixel_script": "<script>/* pixel */</script>",
        "create_time": (created.and_utc().timestamp_millis()), "pixel_setup_mode": "STANDARD", "partner_name": "",
        "advanced_matching_fields": {"phone_number": false, "email": true},
        "asset_ownership": {"asset_relation_status": null, "ownership_status": true, "owner_bc_id": null},
        "events": [{"name": "Complete Payment", "event_id": format!("{}", k * 10 + 1), "event_code": "CompletePayment",
                    "event_type": "COMPLETE_PAYMENT", "optimization_event": "SHOPPING", "custom_event_type": "COMPLETE_PAYMENT",
                    "currency_value": "", "currency": "USD", "deprecated": false, "statistic_type": "EVERY_TIME", "rules": []}],
    });
    vec![("pixel/list", pixel_id, fields)]
}
