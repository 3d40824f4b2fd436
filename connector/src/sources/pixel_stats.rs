//! `pixel_events_statistics`: statistics of the last 30 days (UTC dates, as the endpoint counts
//! them) for every pixel of an advertiser, read from the `pixels` stream's list, ten pixels a call.

use std::rc::Rc;

use serde_json::{json, Value};

use super::lists::Since;
use super::PartitionSource;
use crate::api::{self, ApiRequest};
use crate::context::StreamRun;
use crate::error::Result;
use crate::fetch::ahead::FetchAhead;
use crate::integer_ids::id_text;
use crate::streams::PixelStatsSpec;

/// `pixel/event/stats/` takes at most this many pixel ids.
const PIXELS_PER_CALL: usize = 10;

impl PartitionSource for &'static PixelStatsSpec {
    async fn read_partition(self, run: Rc<StreamRun>, advertiser: String) -> Result<()> {
        let end = chrono::Utc::now().date_naive();
        let start = end - chrono::Duration::days(29);
        let date_range = json!({"start_date": start.to_string(), "end_date": end.to_string()});
        let mut pixels = self.pixels.pages(&run.sync, &advertiser, Since::Everything);
        let mut pixel_ids = Vec::new();
        while let Some(page) = pixels.next().await {
            pixel_ids.extend(page?.iter().filter_map(|p| p.get("pixel_id").and_then(id_text)));
        }
        let requests = pixel_ids
            .chunks(PIXELS_PER_CALL)
            .map(|batch| {
                let request = ApiRequest::for_advertiser("pixel/event/stats", &advertiser)
                    .json_param("pixel_ids", &json!(batch))
                    .json_param("date_range", &date_range);
                ((), request)
            })
            .collect();
        let mut answers = FetchAhead::new(&run.sync.api, requests);
        while let Some(((), answer)) = answers.next().await {
            let mut records = api::list_of(answer?, "list")?;
            for record in records.iter_mut() {
                if let Value::Object(map) = record {
                    map.insert("advertiser_id".into(), json!(advertiser));
                    map.insert("start_date".into(), json!(start.to_string()));
                    map.insert("end_date".into(), json!(end.to_string()));
                }
            }
            run.emit(&records);
        }
        Ok(())
    }
}
