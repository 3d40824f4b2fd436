//! Unit tests of the scheduler's arithmetic: room in flight, pacing, windows, quotas.

use super::*;

fn state(rate: f64, latency_ms: u64) -> State {
    let s = Scheduler::new(rate as u32);
    let mut state = Rc::try_unwrap(s.0).ok().unwrap().into_inner();
    state.latency = Duration::from_millis(latency_ms);
    state
}

#[test]
fn room_in_flight_follows_rate_times_latency() {
    assert_eq!(state(10.0, 100).in_flight_limit(), 4);
    assert_eq!(state(10.0, 500).in_flight_limit(), 10);
    assert_eq!(state(10.0, 2000).in_flight_limit(), 32);
    assert_eq!(state(50.0, 5000).in_flight_limit(), MAX_IN_FLIGHT);
}

#[test]
fn timeouts_shrink_the_room_to_one() {
    let mut s = state(10.0, 2000);
    for _ in 0..10 {
        s.timeout_share /= 2.0;
    }
    assert_eq!(s.in_flight_limit(), 1);
}

#[test]
fn slots_are_paced_evenly_within_the_budget() {
    let mut s = state(10.0, 100);
    let first = s.reserve_slot();
    let slots: Vec<Instant> = (0..20).map(|_| s.reserve_slot()).collect();
    // Any 11 consecutive slots span more than a second: at most 10 per second.
    assert!(slots[10].duration_since(first) > Duration::from_secs(1));
    assert!(slots[9].duration_since(first) < Duration::from_millis(1_100));
}

#[test]
fn task_creation_has_its_own_one_per_second_slots() {
    let mut s = state(50.0, 100);
    let interval = PATH_INTERVALS[0].1;
    let first = s.reserve_path_slot(0);
    let second = s.reserve_path_slot(0);
    let third = s.reserve_path_slot(0);
    assert_eq!(second - first, interval);
    assert_eq!(third - second, interval);
}

#[test]
fn task_quotas_are_counted_per_advertiser_hour_and_per_app_day() {
    let s = Scheduler::new(10);
    for _ in 0..TASKS_PER_ADVERTISER_HOUR {
        s.count_task("1").unwrap();
    }
    assert!(s.count_task("1").unwrap_err().contains("advertiser 1"));
    s.count_task("2").unwrap();
    let now = Instant::now();
    s.0.borrow_mut().tasks.extend((0..TASKS_PER_APP_DAY).map(|i| (now, format!("x{i}"))));
    assert!(s.count_task("3").unwrap_err().contains("a day"));
}

#[test]
fn a_late_request_waits_for_room_in_the_last_second() {
    let mut s = state(10.0, 100);
    let now = Instant::now();
    // Ten requests left within the last 300 ms (the eleventh woke late and would crowd them).
    s.recent_sends.extend((0..10).map(|i| now - Duration::from_millis(300 - i * 30)));
    let wait = s.window_wait();
    assert!(wait > Duration::from_millis(690) && wait <= Duration::from_millis(720), "{wait:?}");
    s.recent_sends.pop_front();
    assert_eq!(s.window_wait(), Duration::ZERO);
}

#[test]
fn throttling_halves_the_budget_and_a_clean_stretch_restores_it() {
    let s = Scheduler::new(10);
    s.throttled(Duration::from_millis(0));
    assert_eq!(s.rate(), 5.0);
    s.0.borrow_mut().last_change -= RECOVERY_INTERVAL;
    s.0.borrow_mut().recover();
    assert_eq!(s.rate(), 6.0);
}

#[test]
fn after_a_timeout_requests_out_and_recent_timeouts_stay_under_tiktoks_threshold() {
    let mut s = state(10.0, 2000);
    let now = Instant::now();
    // No timeout yet: the guard is off, however many are out.
    s.out = 30;
    assert_eq!(s.timeout_wait(now), Duration::ZERO);
    // One timeout: with 7 still out, the next must wait for one of them.
    s.recent_timeouts.push_back(now);
    s.last_timeout = Some(now);
    s.out = 7;
    assert_eq!(s.timeout_wait(now), TIMEOUT_GUARD_POLL);
    s.out = 6;
    assert_eq!(s.timeout_wait(now), Duration::ZERO);
    // Timeouts alone at the limit: wait until the oldest leaves TikTok's count.
    s.out = 0;
    for _ in 1..TIMEOUTS_TOLERATED {
        s.recent_timeouts.push_back(now);
    }
    assert_eq!(s.timeout_wait(now), TIMEOUT_SPAN);
    let later = now + TIMEOUT_SPAN;
    assert_eq!(s.timeout_wait(later), Duration::ZERO, "the old timeouts no longer count");
    // Long after the last timeout the guard is off again.
    s.recent_timeouts.extend(std::iter::repeat_n(later, TIMEOUTS_TOLERATED));
    s.out = 30;
    assert_eq!(s.timeout_wait(now + TIMEOUT_GUARD), Duration::ZERO);
}
