//! Narrowing a report TikTok truncated to its 20,000 newest ads (`X-Tt-Ads-Throttle`). TikTok's
//! remedy, open to every app (DOC-SYNC, DOC-FAQ; tiktok-api.md §4.7), is to filter the query by
//! `campaign_ids` / `adgroup_ids` until each query's scope holds fewer ads. The scopes here split
//! an advertiser's ads, as its ad list gives them, into disjoint id filters, so that every report
//! row comes from exactly one query.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::streams::DataLevel;

/// A query over this many ads or more is truncated (TikTok's limit), unless the header says
/// another.
pub const ADS_LIMIT: usize = 20_000;

/// What a truncated answer said: the limit its header states (`ads_limit`), and the pages the
/// truncated rows fill (to size an async task).
#[derive(Debug, Clone, Copy)]
pub struct TruncatedAnswer {
    pub limit: usize,
    pub pages: u64,
}

/// The limit `X-Tt-Ads-Throttle` states ("equal or more than 20k, only return the top 20k",
/// DOC-SYNC), or TikTok's documented 20,000 when its words carry no number.
pub fn ads_limit(header: &str) -> usize {
    let number = |word: &str| {
        let word = word.trim_matches(|c: char| !c.is_ascii_alphanumeric());
        let (digits, scale) = match word.strip_suffix(['k', 'K']) {
            Some(digits) => (digits, 1000),
            None => (word, 1),
        };
        digits.parse::<usize>().ok().filter(|n| *n > 0).map(|n| n * scale)
    };
    header.split_whitespace().find_map(number).unwrap_or(ADS_LIMIT)
}
/// Ids one report filter may carry (tiktok-api.md §4.1).
pub const MAX_IDS: usize = 100;
/// Campaign ids per query at ad level, as DOC-BP asks.
const MAX_CAMPAIGNS_AT_AD_LEVEL: usize = 30;

/// One ad and its parents, from the advertiser's ad list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdPlace {
    pub ad: String,
    pub adgroup: String,
    pub campaign: String,
}

/// An advertiser's ads, deleted ones included (TikTok counts them).
#[derive(Debug, Default)]
pub struct AdTree {
    ads: Vec<AdPlace>,
    /// Ads the list gave without their parents' ids: no filter is known to cover them.
    unplaced: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdField {
    Campaigns,
    AdGroups,
    Ads,
}

/// The scope of one query: the objects of one `IN` filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdFilter {
    pub field: IdField,
    pub ids: Vec<String>,
}

impl IdField {
    const ALL: [IdField; 3] = [IdField::Campaigns, IdField::AdGroups, IdField::Ads];

    fn name(self) -> &'static str {
        match self {
            IdField::Campaigns => "campaign_ids",
            IdField::AdGroups => "adgroup_ids",
            IdField::Ads => "ad_ids",
        }
    }

    /// The id field a report filter's `field_name` is, if it is one.
    pub fn named(field_name: &str) -> Option<IdField> {
        Self::ALL.into_iter().find(|field| field.name() == field_name)
    }
}

impl IdFilter {
    /// The report's `filtering` entry (v1.3: `filter_value` is a JSON array inside the JSON).
    pub fn filtering(&self) -> Value {
        json!({"field_name": self.field.name(), "filter_type": "IN", "filter_value": json!(self.ids).to_string()})
    }

    /// For logs: `campaign_ids 1, 2 and 3 more`.
    pub fn describe(&self) -> String {
        let shown: Vec<&str> = self.ids.iter().take(3).map(String::as_str).collect();
        let more = self.ids.len().saturating_sub(shown.len());
        let tail = if more > 0 { format!(" and {more} more") } else { String::new() };
        format!("{} {}{tail}", self.field.name(), shown.join(", "))
    }
}

impl AdTree {
    pub fn new(ads: Vec<AdPlace>, unplaced: usize) -> Self {
        Self { ads, unplaced }
    }

    pub fn len(&self) -> usize {
        self.ads.len()
    }

    /// Every campaign the list knows, in id order.
    pub fn campaigns(&self) -> Vec<String> {
        count_by(&self.ads, |a| &a.campaign).into_iter().map(|(id, _)| id).collect()
    }

    /// The ads of the list a scope holds.
    pub fn ads_in(&self, scope: &IdFilter) -> usize {
        let id_of = |ad: &'_ AdPlace| match scope.field {
            IdField::Campaigns => ad.campaign.clone(),
            IdField::AdGroups => ad.adgroup.clone(),
            IdField::Ads => ad.ad.clone(),
        };
        self.ads.iter().filter(|ad| scope.ids.contains(&id_of(ad))).count()
    }

    /// Scopes covering every ad once, each under `limit` ads where the level allows: campaigns
    /// packed together, a campaign over the limit by its ad groups (at ad group and ad level,
    /// where its rows are per ad group or ad). None at advertiser level, whose one row a day
    /// sums every ad, or when the list has no ads or some the scopes could not cover.
    pub fn scopes(&self, level: DataLevel, limit: usize) -> Option<Vec<IdFilter>> {
        if level == DataLevel::Advertiser || self.ads.is_empty() || self.unplaced > 0 {
            return None;
        }
        let max_campaigns = if level == DataLevel::Ad { MAX_CAMPAIGNS_AT_AD_LEVEL } else { MAX_IDS };
        let mut scopes = Vec::new();
        let mut campaigns = Vec::new();
        for (campaign, ads) in count_by(&self.ads, |a| &a.campaign) {
            if ads < limit || level == DataLevel::Campaign {
                campaigns.push((campaign, ads));
                continue;
            }
            let adgroups = count_by(self.ads.iter().filter(|a| a.campaign == campaign), |a| &a.adgroup);
            scopes.extend(pack(IdField::AdGroups, adgroups, limit, MAX_IDS));
        }
        scopes.extend(pack(IdField::Campaigns, campaigns, limit, max_campaigns));
        Some(scopes)
    }

    /// Finer scopes for one TikTok still truncated: its ids in halves; one campaign by its ad
    /// groups, one ad group by its ads, where the level's rows allow. None when the scope is a
    /// single object of the report's own level (or coarser): no filter makes it smaller.
    pub fn narrower(&self, scope: &IdFilter, level: DataLevel) -> Option<Vec<IdFilter>> {
        if scope.ids.len() > 1 {
            let (first, second) = scope.ids.split_at(scope.ids.len() / 2);
            return Some([first, second].map(|ids| IdFilter { field: scope.field, ids: ids.to_vec() }).to_vec());
        }
        let id = scope.ids.first()?;
        let (field, children): (IdField, Vec<&String>) = match (scope.field, level) {
            (IdField::Campaigns, DataLevel::AdGroup | DataLevel::Ad) => {
                (IdField::AdGroups, self.ads.iter().filter(|a| &a.campaign == id).map(|a| &a.adgroup).collect())
            }
            (IdField::AdGroups, DataLevel::Ad) => {
                (IdField::Ads, self.ads.iter().filter(|a| &a.adgroup == id).map(|a| &a.ad).collect())
            }
            _ => return None,
        };
        let mut ids: Vec<String> = children.into_iter().cloned().collect();
        ids.sort();
        ids.dedup();
        if ids.len() < 2 {
            return None;
        }
        Some(ids.chunks(MAX_IDS).map(|chunk| IdFilter { field, ids: chunk.to_vec() }).collect())
    }
}

/// Ads per parent, in id order (so scopes, and the order of records, are the same every sync).
fn count_by<'a>(
    ads: impl IntoIterator<Item = &'a AdPlace>,
    parent: impl Fn(&'a AdPlace) -> &'a String,
) -> Vec<(String, usize)> {
    let mut counts: BTreeMap<&String, usize> = BTreeMap::new();
    for ad in ads {
        *counts.entry(parent(ad)).or_default() += 1;
    }
    counts.into_iter().map(|(id, n)| (id.clone(), n)).collect()
}

/// Parents packed in order into filters of at most `max_ids` ids and fewer than `limit` ads (a
/// parent over the limit on its own gets a filter of its own).
fn pack(field: IdField, parents: Vec<(String, usize)>, limit: usize, max_ids: usize) -> Vec<IdFilter> {
    let mut filters: Vec<IdFilter> = Vec::new();
    let mut ads_in_last = 0;
    for (id, ads) in parents {
        match filters.last_mut() {
            Some(last) if last.ids.len() < max_ids && ads_in_last + ads < limit => {
                last.ids.push(id);
                ads_in_last += ads;
            }
            _ => {
                filters.push(IdFilter { field, ids: vec![id] });
                ads_in_last = ads;
            }
        }
    }
    filters
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `campaigns` campaigns of `groups` ad groups of `ads` ads each.
    fn tree(campaigns: usize, groups: usize, ads: usize) -> AdTree {
        let mut places = Vec::new();
        for c in 0..campaigns {
            for g in 0..groups {
                for a in 0..ads {
                    places.push(AdPlace {
                        ad: format!("a{c:03}{g:03}{a:03}"),
                        adgroup: format!("g{c:03}{g:03}"),
                        campaign: format!("c{c:03}"),
                    });
                }
            }
        }
        AdTree::new(places, 0)
    }

    /// Every ad in exactly one scope.
    fn covered_once(tree: &AdTree, scopes: &[IdFilter]) -> bool {
        tree.ads.iter().all(|ad| {
            let ids = |s: &IdFilter| match s.field {
                IdField::Campaigns => s.ids.contains(&ad.campaign),
                IdField::AdGroups => s.ids.contains(&ad.adgroup),
                IdField::Ads => s.ids.contains(&ad.ad),
            };
            scopes.iter().filter(|s| ids(s)).count() == 1
        })
    }

    #[test]
    fn campaigns_are_packed_under_the_limit_and_the_id_caps() {
        let t = tree(200, 2, 3);
        let ad_level = t.scopes(DataLevel::Ad, 20).unwrap();
        // 6 ads a campaign: three campaigns (18 ads) a scope, under 20; the last has the rest.
        let (last, full) = ad_level.split_last().unwrap();
        assert!(
            full.iter().all(|s| s.field == IdField::Campaigns && s.ids.len() == 3) && last.ids.len() == 2,
            "{ad_level:?}"
        );
        assert!(covered_once(&t, &ad_level));
        let big = t.scopes(DataLevel::AdGroup, ADS_LIMIT).unwrap();
        assert_eq!(big.iter().map(|s| s.ids.len()).collect::<Vec<_>>(), vec![100, 100], "at most 100 ids a filter");
        let ads = t.scopes(DataLevel::Ad, ADS_LIMIT).unwrap();
        assert!(ads.iter().all(|s| s.ids.len() <= 30), "at most 30 campaigns at ad level");
        assert!(covered_once(&t, &ads));
        assert_eq!(t.scopes(DataLevel::Advertiser, 20), None);
        assert_eq!(AdTree::default().scopes(DataLevel::Ad, 20), None);
        assert_eq!(AdTree::new(t.ads.clone(), 1).scopes(DataLevel::Ad, 20), None, "an ad no filter covers");
    }

    #[test]
    fn a_campaign_over_the_limit_is_split_by_ad_groups_where_rows_allow() {
        let t = tree(3, 4, 5);
        let scopes = t.scopes(DataLevel::Ad, 12).unwrap();
        // 20 ads a campaign: each by its ad groups, two of 5 ads a scope.
        assert!(scopes.iter().all(|s| s.field == IdField::AdGroups && s.ids.len() == 2), "{scopes:?}");
        assert!(covered_once(&t, &scopes));
        // Campaign rows sum their ad groups: a campaign is never split.
        let campaign_level = t.scopes(DataLevel::Campaign, 12).unwrap();
        assert!(campaign_level.iter().all(|s| s.field == IdField::Campaigns && s.ids.len() == 1));
    }

    #[test]
    fn a_scope_still_truncated_is_narrowed_down_to_one_object_of_the_level() {
        let t = tree(4, 2, 3);
        let all = IdFilter { field: IdField::Campaigns, ids: vec!["c000".into(), "c001".into(), "c002".into()] };
        let halves = t.narrower(&all, DataLevel::Ad).unwrap();
        assert_eq!(halves.iter().map(|s| s.ids.len()).collect::<Vec<_>>(), vec![1, 2]);
        let one = &halves[0];
        assert_eq!(
            t.narrower(one, DataLevel::Ad).unwrap(),
            vec![IdFilter { field: IdField::AdGroups, ids: vec!["g000000".into(), "g000001".into()] }]
        );
        let group = IdFilter { field: IdField::AdGroups, ids: vec!["g000000".into()] };
        assert_eq!(t.narrower(&group, DataLevel::Ad).unwrap()[0].ids.len(), 3);
        assert_eq!(t.narrower(&group, DataLevel::AdGroup), None, "an ad group's row cannot be split");
        assert_eq!(t.narrower(one, DataLevel::Campaign), None);
        let ad = IdFilter { field: IdField::Ads, ids: vec!["a000000000".into()] };
        assert_eq!(t.narrower(&ad, DataLevel::Ad), None);
    }

    #[test]
    fn the_limit_is_the_one_the_header_states_or_tiktoks_documented_one() {
        let words = |limit: &str| {
            format!("Number of ad ids is equal or more than {limit}, only return the top {limit} id's results, sorting by create time desc order.")
        };
        assert_eq!(ads_limit(&words("20k")), 20_000);
        assert_eq!(ads_limit(&words("5")), 5);
        assert_eq!(ads_limit("1"), 1);
        assert_eq!(ads_limit("truncated"), ADS_LIMIT);
        assert_eq!(ads_limit(""), ADS_LIMIT);
    }

    #[test]
    fn a_scope_counts_the_ads_of_its_objects() {
        let t = tree(3, 2, 4);
        let count =
            |field, ids: &[&str]| t.ads_in(&IdFilter { field, ids: ids.iter().map(|s| s.to_string()).collect() });
        assert_eq!(count(IdField::Campaigns, &["c000"]), 8);
        assert_eq!(count(IdField::Campaigns, &["c000", "c002"]), 16);
        assert_eq!(count(IdField::AdGroups, &["g001001"]), 4);
        assert_eq!(count(IdField::Ads, &["a001001003"]), 1);
        assert_eq!(count(IdField::Campaigns, &["c9"]), 0);
        assert_eq!(t.campaigns(), ["c000", "c001", "c002"], "each campaign once, in id order");
    }

    #[test]
    fn filters_are_tiktoks_v1_3_shape() {
        let f = IdFilter { field: IdField::AdGroups, ids: vec!["1".into(), "2".into()] };
        assert_eq!(
            f.filtering(),
            json!({"field_name": "adgroup_ids", "filter_type": "IN", "filter_value": "[\"1\",\"2\"]"})
        );
        assert_eq!(IdField::named("adgroup_ids"), Some(IdField::AdGroups));
        assert_eq!(IdField::named("country_code"), None);
        let many = IdFilter { field: IdField::Campaigns, ids: (1..=5).map(|i| i.to_string()).collect() };
        assert_eq!(many.describe(), "campaign_ids 1, 2, 3 and 2 more");
    }
}
