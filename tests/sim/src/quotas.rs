//! Every quota and block TikTok applies (tiktok-api.md §6), under one lock: the app's quota
//! per second and minute, the per-advertiser quota, the app restricted for minutes, the QPS
//! lowered after many timeouts, the block of a request that timed out repeatedly, the
//! one-a-second task creation and the tasks an advertiser may create an hour.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::SimConfig;
use crate::refusals::Refusal;

pub struct Quotas {
    started: Instant,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Send times of accepted requests, for the app quota.
    recent: Vec<Instant>,
    /// Per advertiser, send times of recent requests, for the 40133 quota.
    recent_by_advertiser: HashMap<String, Vec<Instant>>,
    /// Requests answered with a timeout (51001), for the repeated-timeout block.
    timeouts: Vec<(String, Instant)>,
    /// The app's QPS lowered after many timeouts: until when, and to what.
    lowered_qps: Option<(Instant, usize)>,
    /// Requests counted toward the restriction scenario, and when it began.
    restriction_count: u64,
    restriction_began: Option<Instant>,
    /// When the last async report task was created, for its 1-per-second quota.
    last_task_create: Option<Instant>,
    /// The async report tasks of the last day: for which advertiser, and when.
    tasks_created: Vec<(String, Instant)>,
    /// `/gmv_max/report/get/` calls admitted on a UTC day.
    gmv_reports: Option<(chrono::NaiveDate, usize)>,
}

impl Quotas {
    pub fn new(started: Instant) -> Quotas {
        Quotas { started, state: Mutex::new(State::default()) }
    }

    /// Whether TikTok lets a request to `endpoint` (for `advertiser`, with `key` naming the same
    /// request every time) through at all, checked in TikTok's order; an admitted request
    /// counts against the quotas.
    pub fn admit(
        &self,
        config: &SimConfig,
        endpoint: &str,
        advertiser: Option<&str>,
        key: &str,
    ) -> Result<(), Refusal> {
        let mut state = self.state.lock().unwrap();
        // Read under the lock, so instants are stored in the order they are compared.
        let now = Instant::now();
        state.not_restricted(config, now)?;
        state.app_quota(config, now)?;
        if let Some(advertiser) = advertiser {
            state.advertiser_quota(config, advertiser, now)?;
        }
        if endpoint == "report/task/create" {
            state.task_create_quota(config, self.started, now)?;
        }
        if endpoint == "gmv_max/report/get" {
            state.gmv_report_quota(config)?;
        }
        state.not_blocked_for_timeouts(key, now)
    }

    /// Many timeouts in a short time lower the app's QPS (tiktok-api.md §6, DOC-PERF): 10, 20
    /// or 30 timeouts within 10 s lower it to 5, 1 or 0 requests a second for 5 minutes. Only
    /// the simulator's own timeouts (`timeout_days`) count; injected faults stand for trouble
    /// outside the API's logic.
    pub fn record_timeout(&self, config: &SimConfig, key: &str) {
        let mut state = self.state.lock().unwrap();
        let now = Instant::now();
        state.timeouts.push((key.to_string(), now));
        let last_10s = state.timeouts.iter().filter(|(_, t)| now.duration_since(*t) < Duration::from_secs(10)).count();
        let qps = match last_10s {
            30.. => 0,
            20.. => 1,
            10.. => 5,
            _ => return,
        };
        let penalty = Duration::from_secs(config.limits.lowered_qps_seconds);
        let qps = state.lowered_qps.filter(|(until, _)| *until > now).map_or(qps, |(_, q)| q.min(qps));
        state.lowered_qps = Some((now + penalty, qps));
    }

    /// An advertiser may create `tasks_per_advertiser_hour` async tasks an hour (TikTok: 500),
    /// the app `tasks_per_app_day` a day (TikTok: 4,500); a task admitted here counts.
    pub fn admit_task(&self, config: &SimConfig, advertiser: &str) -> Result<(), Refusal> {
        let limits = &config.limits;
        let mut state = self.state.lock().unwrap();
        let now = Instant::now();
        let created = &mut state.tasks_created;
        created.retain(|(_, t)| now.duration_since(*t) < Duration::from_secs(24 * 3600));
        if created.len() >= limits.tasks_per_app_day {
            return Err(Refusal::AppTaskQuota {
                app_id: config.credentials.app_id.clone(),
                limit: limits.tasks_per_app_day,
            });
        }
        let last_hour = created
            .iter()
            .filter(|(a, t)| a == advertiser && now.duration_since(*t) < Duration::from_secs(3600))
            .count();
        if last_hour >= limits.tasks_per_advertiser_hour {
            return Err(Refusal::TaskQuota {
                advertiser: advertiser.to_string(),
                limit: limits.tasks_per_advertiser_hour,
            });
        }
        created.push((advertiser.to_string(), now));
        Ok(())
    }
}

impl State {
    /// The restriction scenario: TikTok refuses every request of the app for minutes, with
    /// the same words as a one-second breach (Airbyte #70992).
    fn not_restricted(&mut self, config: &SimConfig, now: Instant) -> Result<(), Refusal> {
        let Some(restriction) = config.scenarios.restriction else { return Ok(()) };
        self.restriction_count += 1;
        if self.restriction_count <= restriction.after_requests {
            return Ok(());
        }
        let began = *self.restriction_began.get_or_insert(now);
        if now.duration_since(began) < restriction.lasts {
            return Err(Refusal::AppRestricted { app_id: config.credentials.app_id.clone() });
        }
        Ok(())
    }

    /// The app quota (40100) over sliding windows, and the QPS lowered after timeouts.
    fn app_quota(&mut self, config: &SimConfig, now: Instant) -> Result<(), Refusal> {
        let limits = &config.limits;
        let app_id = || config.credentials.app_id.clone();
        self.recent.retain(|t| now.duration_since(*t) < Duration::from_secs(60));
        let last_second = self.recent.iter().filter(|t| now.duration_since(**t) < Duration::from_secs(1)).count();
        let lowered = self.lowered_qps.filter(|(until, _)| *until > now).map(|(_, qps)| qps);
        if let Some(qps) = lowered.filter(|qps| last_second >= *qps) {
            return Err(Refusal::LoweredQps { app_id: app_id(), qps });
        }
        let over_second = limits.quota_per_second.is_some_and(|q| last_second >= q);
        let over_minute = limits.quota_per_minute.is_some_and(|q| self.recent.len() >= q);
        if over_second || over_minute {
            return Err(Refusal::AppRestricted { app_id: app_id() });
        }
        self.recent.push(now);
        Ok(())
    }

    /// The per-advertiser quota (40133), per second.
    fn advertiser_quota(&mut self, config: &SimConfig, advertiser: &str, now: Instant) -> Result<(), Refusal> {
        let Some(limit) = config.limits.advertiser_quota_per_second else { return Ok(()) };
        let times = self.recent_by_advertiser.entry(advertiser.to_string()).or_default();
        times.retain(|t| now.duration_since(*t) < Duration::from_secs(1));
        if times.len() >= limit {
            return Err(Refusal::AdvertiserQps { advertiser: advertiser.to_string(), count: times.len(), limit });
        }
        times.push(now);
        Ok(())
    }

    /// `report/task/create/` takes at most one request a second per app (tiktok-api.md §6:
    /// DOC-BP, DOC-FAQ, DOC-TASK-CREATE), shared with the app's other syncs.
    fn task_create_quota(&mut self, config: &SimConfig, started: Instant, now: Instant) -> Result<(), Refusal> {
        // The other sync's latest creation, if one shares the app.
        let other = config.scenarios.other_task_creator_ms.map(|every| {
            let elapsed = now.duration_since(started).as_millis() as u64;
            started + Duration::from_millis(elapsed / every * every)
        });
        if self.last_task_create.into_iter().chain(other).any(|t| now.duration_since(t) < Duration::from_secs(1)) {
            return Err(Refusal::TaskCreateQps { app_id: config.credentials.app_id.clone() });
        }
        self.last_task_create = Some(now);
        Ok(())
    }

    /// `/gmv_max/report/get/` has its own daily quota per app, beside the app's general one
    /// (gmv-max-smart-plus.md §1.8, DOC-RATE via AE: Basic 20,000 QPD, reset at 00:00 UTC).
    fn gmv_report_quota(&mut self, config: &SimConfig) -> Result<(), Refusal> {
        let today = chrono::Utc::now().date_naive();
        let count = match self.gmv_reports {
            Some((day, count)) if day == today => count,
            _ => 0,
        };
        let limit = config.limits.gmv_report_quota_per_day;
        if count >= limit {
            return Err(Refusal::GmvReportDailyQuota { app_id: config.credentials.app_id.clone(), limit });
        }
        self.gmv_reports = Some((today, count + 1));
        Ok(())
    }

    /// TikTok blocks a request that timed out three times within ten minutes, for ten minutes
    /// (tiktok-api.md §6, DOC-PERF).
    fn not_blocked_for_timeouts(&mut self, key: &str, now: Instant) -> Result<(), Refusal> {
        self.timeouts.retain(|(_, t)| now.duration_since(*t) < Duration::from_secs(600));
        if self.timeouts.iter().filter(|(k, _)| k == key).count() >= 3 {
            return Err(Refusal::TimeoutBlock);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admit(quotas: &Quotas, config: &SimConfig, endpoint: &str) -> Result<(), Refusal> {
        quotas.admit(config, endpoint, Some("1"), endpoint)
    }

    #[test]
    fn the_app_quota_refuses_the_request_over_it_and_counts_only_admitted_ones() {
        let mut config = SimConfig::default();
        config.limits.quota_per_second = Some(2);
        let quotas = Quotas::new(Instant::now());
        assert!(admit(&quotas, &config, "campaign/get").is_ok());
        assert!(admit(&quotas, &config, "campaign/get").is_ok());
        assert!(matches!(admit(&quotas, &config, "campaign/get"), Err(Refusal::AppRestricted { .. })));
        assert_eq!(quotas.state.lock().unwrap().recent.len(), 2);
    }

    #[test]
    fn a_second_task_creation_within_a_second_is_refused_but_other_endpoints_pass() {
        let config = SimConfig::default();
        let quotas = Quotas::new(Instant::now());
        assert!(admit(&quotas, &config, "report/task/create").is_ok());
        assert!(matches!(admit(&quotas, &config, "report/task/create"), Err(Refusal::TaskCreateQps { .. })));
        assert!(admit(&quotas, &config, "report/task/check").is_ok());
    }

    #[test]
    fn a_request_that_timed_out_three_times_is_blocked_and_ten_timeouts_lower_the_qps() {
        let config = SimConfig::default();
        let quotas = Quotas::new(Instant::now());
        for _ in 0..3 {
            quotas.record_timeout(&config, "slow");
        }
        assert!(matches!(admit(&quotas, &config, "slow"), Err(Refusal::TimeoutBlock)));
        for _ in 0..7 {
            quotas.record_timeout(&config, "other");
        }
        assert_eq!(quotas.state.lock().unwrap().lowered_qps.map(|(_, qps)| qps), Some(5));
    }

    #[test]
    fn the_gmv_report_quota_refuses_that_endpoint_only() {
        let mut config = SimConfig::default();
        config.limits.gmv_report_quota_per_day = 2;
        let quotas = Quotas::new(Instant::now());
        assert!(admit(&quotas, &config, "gmv_max/report/get").is_ok());
        assert!(admit(&quotas, &config, "gmv_max/report/get").is_ok());
        assert!(matches!(
            admit(&quotas, &config, "gmv_max/report/get"),
            Err(Refusal::GmvReportDailyQuota { limit: 2, .. })
        ));
        assert!(admit(&quotas, &config, "gmv_max/campaign/get").is_ok());
    }

    #[test]
    fn an_advertiser_over_its_hourly_tasks_is_refused_and_others_are_not() {
        let mut config = SimConfig::default();
        config.limits.tasks_per_advertiser_hour = 1;
        let quotas = Quotas::new(Instant::now());
        assert!(quotas.admit_task(&config, "1").is_ok());
        assert!(matches!(quotas.admit_task(&config, "1"), Err(Refusal::TaskQuota { limit: 1, .. })));
        assert!(quotas.admit_task(&config, "2").is_ok());
    }

    #[test]
    fn the_app_over_its_daily_tasks_is_refused_whatever_the_advertiser() {
        let mut config = SimConfig::default();
        config.limits.tasks_per_app_day = 2;
        let quotas = Quotas::new(Instant::now());
        assert!(quotas.admit_task(&config, "1").is_ok());
        assert!(quotas.admit_task(&config, "2").is_ok());
        assert!(matches!(quotas.admit_task(&config, "3"), Err(Refusal::AppTaskQuota { limit: 2, .. })));
    }
}
