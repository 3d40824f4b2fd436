//! Fan-out streams: one unpaged call per advertiser and per combination of parameter values
//! (`pixel_instant_page_events`). TikTok refuses combinations it does not support; those are
//! skipped and counted, but an advertiser for which every combination is refused fails loudly:
//! that is a request TikTok never accepts, not data that does not exist.

use std::collections::BTreeMap;
use std::rc::Rc;

use serde_json::{json, Value};

use super::PartitionSource;
use crate::api::Scope;
use crate::api::{self, ApiRequest};
use crate::context::StreamRun;
use crate::error::Action;
use crate::error::{Error, Result};
use crate::fetch::ahead::FetchAhead;
use crate::output;
use crate::streams::FanoutSpec;

type Combination = Vec<(&'static str, &'static str)>;

impl PartitionSource for &'static FanoutSpec {
    async fn read_partition(self, run: Rc<StreamRun>, advertiser: String) -> Result<()> {
        let combinations = self.combinations();
        let total = combinations.len();
        let requests = combinations
            .into_iter()
            .map(|combination| {
                let request = combination
                    .iter()
                    .fold(ApiRequest::for_advertiser(self.endpoint, &advertiser), |r, (name, value)| {
                        r.param(name, *value)
                    });
                (combination, request.scoped(Scope::FanoutCombination))
            })
            .collect();
        let mut answers = FetchAhead::new(&run.sync.api, requests);
        // Refused combinations by TikTok code.
        let mut refused: BTreeMap<i64, usize> = BTreeMap::new();
        while let Some((combination, answer)) = answers.next().await {
            match answer {
                Ok(answer) => {
                    let mut records = api::list_of(answer, self.list_key)?;
                    for record in records.iter_mut() {
                        if let Value::Object(map) = record {
                            map.insert("advertiser_id".into(), json!(advertiser));
                            for (name, value) in &combination {
                                map.insert(name.to_string(), json!(value));
                            }
                        }
                    }
                    run.emit(&records);
                }
                Err(e) if e.decided() == Some(Action::SkipCombination) => {
                    *refused.entry(e.api_code().unwrap_or_default()).or_default() += 1;
                }
                Err(e) => return Err(e),
            }
        }
        let codes = refused.iter().map(|(code, n)| format!("{n} x {code}")).collect::<Vec<_>>().join(", ");
        let refused_count: usize = refused.values().sum();
        if refused_count == total && total > 0 {
            return Err(Error::system(format!(
                "TikTok refused every one of the {total} parameter combinations ({codes}); no combination could be read"
            )));
        }
        if refused_count > 0 {
            output::log_info(&format!(
                "{}: advertiser {advertiser}: TikTok refused {refused_count} of {total} parameter combinations as unsupported ({codes})",
                run.def.name
            ));
        }
        Ok(())
    }
}

impl FanoutSpec {
    /// Every combination of the parameters' values.
    fn combinations(&self) -> Vec<Combination> {
        self.params.iter().fold(vec![Vec::new()], |acc, (name, values)| {
            acc.iter()
                .flat_map(|prefix| {
                    values.iter().map(move |v| {
                        let mut next = prefix.clone();
                        next.push((*name, *v));
                        next
                    })
                })
                .collect()
        })
    }
}
