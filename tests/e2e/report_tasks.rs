//! Asynchronous report tasks: where a truncated report goes through one, what a failed or
//! refused task or a spent task quota leaves, and task creation shared with the app's other syncs.

use harness::*;
use serde_json::Value;
use tiktok_sim::SimConfig;

#[test]
fn reports_truncated_to_the_newest_ads_go_through_async_tasks_where_these_lose_nothing_or_nothing_else_can() {
    // Reports a task gives whole (no reach metric with breakdowns, no deleted rows asked for)
    // go through tasks: fewer requests. So do those of the advertiser level, whose rows no id
    // filter splits.
    // (Task files write countries, genders, ages and platforms as labels: each is read back.)
    let streams = [
        "ads_reports_daily",
        "ads_reports_hourly",
        "advertisers_audience_reports_daily",
        "advertisers_audience_reports_by_country_daily",
        "advertisers_audience_reports_by_platform_daily",
    ];
    let start = days_ago(2);
    let (expected, keys) = clean_read("reports-20k-clean", &streams, |c| c.start(start).rps(200));

    let mut sim_config = SimConfig::default();
    // Every advertiser is over the limit: the synchronous report covers its 3 newest ads only.
    sim_config.limits.ads_throttle_threshold = 3;
    let h = Harness::new("reports-20k", sim_config);
    let run = h.read(&h.config().start(start).rps(200).build(), &streams, Mode::FullRefresh, None);
    run.assert_success();
    let warnings = run.warnings();
    assert!(warnings.iter().all(|w| !w.contains("truncated")), "rows were left out: {warnings:?}");
    for stream in streams {
        let (want, got) = (by_key(&expected, stream, &keys[stream]), unique_by_key(&run, stream, &keys[stream]));
        assert_same_keys(&got, &want, &format!("{stream}: the task gives the untruncated rows, each once"));
        let breakdowns = stream.contains("audience") || stream.contains("country");
        // DOC-TASK-CREATE's list of reach-type metrics a task refuses with breakdowns.
        let uv_metrics = [
            "average_video_play_per_user",
            "frequency",
            "cost_per_1000_reached",
            "real_time_result",
            "real_time_result_rate",
            "real_time_cost_per_result",
            "result",
            "result_rate",
            "cost_per_result",
            "reach",
            "live_play_count",
        ];
        let asks_uv = want.values().any(|r| uv_metrics.iter().any(|m| r["metrics"].get(m).is_some()));
        for (key, record) in &got {
            let mut record = record.clone();
            let mut wanted = want[key].clone();
            for uv in uv_metrics {
                if breakdowns && wanted["metrics"].get(uv).is_some() {
                    assert_eq!(record["metrics"][uv], Value::Null, "{stream}: {uv} from a task with breakdowns");
                    record["metrics"][uv] = Value::Null;
                    wanted["metrics"][uv] = Value::Null;
                }
            }
            assert_eq!(record, wanted, "{stream} {key}: the task row differs from the synchronous one");
        }
        let uv_warnings =
            warnings.iter().filter(|w| w.starts_with(&format!("{stream}:")) && w.contains("reach metrics")).count();
        assert_eq!(
            uv_warnings,
            usize::from(breakdowns && asks_uv),
            "{stream}: one warning about reach metrics per stream with breakdowns"
        );
    }
    let requests = h.sim.requests();
    assert!(requests.iter().all(|r| !is_ad_list(r)), "no narrowing needed, no ad list");
    let endpoints: Vec<String> = requests.iter().map(|r| r.endpoint().to_string()).collect();
    for endpoint in ["report/task/create", "report/task/check", "report/task/download"] {
        assert!(endpoints.iter().any(|e| e == endpoint), "{endpoint} not called");
    }
    // Task creation keeps to its own quota of one a second: never refused.
    let creates: Vec<_> = requests.into_iter().filter(|r| r.endpoint() == "report/task/create").collect();
    assert!(creates.len() >= 8, "{} tasks", creates.len());
    // An hourly report is read a day per request, but one task spans all three days.
    let hourly: Vec<_> = creates.iter().filter(|r| r.query["dimensions"].contains("stat_time_hour")).collect();
    assert_eq!(hourly.len(), h.sim.account().advertisers.len(), "one hourly task per advertiser");
    // (The last day is each advertiser's own today, which may be UTC's yesterday or tomorrow.)
    assert!(hourly
        .iter()
        .all(|r| r.query["start_date"] == start.to_string() && r.query["end_date"] >= days_ago(1).to_string()));
    assert!(
        creates.iter().all(|r| r.response_code == Some(0)),
        "a task creation was refused: {:?}",
        creates.iter().map(|r| (r.at, r.response_code)).collect::<Vec<_>>()
    );
    assert!(
        creates.windows(2).all(|w| w[1].at - w[0].at >= std::time::Duration::from_secs(1)),
        "two tasks created within a second"
    );
    for advertiser in h.sim.account().advertisers {
        let told = run.of_type("LOG").iter().any(|m| {
            let text = m["log"]["message"].as_str().unwrap();
            text.contains("truncated")
                && text.contains("async")
                && text.contains(&advertiser.id)
                && text.contains(&start.to_string())
        });
        assert!(told, "no log names advertiser {} and the window", advertiser.id);
    }
}

#[test]
fn where_no_id_filter_helps_a_failed_task_or_a_spent_task_quota_keeps_the_truncated_rows_with_a_warning() {
    // Advertiser-level rows sum every ad: no id filter splits them, only a task reads them
    // whole. A failing task on an hourly report; a quota of one task an hour on a daily report
    // long enough to need two tasks (one task spans at most 31 days).
    let cases: [(&str, &str, i64, SimSetup); 2] = [
        ("failed", "advertisers_reports_hourly", 2, Box::new(|c: &mut SimConfig| c.scenarios.fail_tasks = true)),
        (
            "quota",
            "advertisers_reports_daily",
            40,
            Box::new(|c: &mut SimConfig| c.limits.tasks_per_advertiser_hour = 1),
        ),
    ];
    for (name, stream, days, setup) in cases {
        let start = days_ago(days);
        let (full, keys) = clean_read(&format!("reports-tasks-clean-{name}"), &[stream], |c| c.start(start).rps(200));
        let everything = by_key(&full, stream, &keys[stream]);
        let mut sim_config = SimConfig::default();
        sim_config.limits.ads_throttle_threshold = 3;
        setup(&mut sim_config);
        let h = Harness::new(&format!("reports-tasks-{name}"), sim_config);
        // Incremental, so the states it gives can be checked below.
        let run = h.read(&h.config().start(start).rps(200).build(), &[stream], Mode::Incremental, None);
        let read = by_key(&run, stream, &keys[stream]);
        assert!(!read.is_empty() && read.keys().all(|k| everything.contains_key(k)), "{name}: rows that do not exist");
        assert!(
            read.iter().any(|(k, r)| everything[k] != *r),
            "{name}: the truncated windows cannot have every ad's numbers"
        );
        let warned = run.warnings();
        for advertiser in h.sim.account().advertisers {
            let told = warned.iter().any(|w| {
                w.starts_with(&format!("{stream}:"))
                    && w.contains(&advertiser.id)
                    && w.contains("no narrower query or async task")
            });
            assert!(told, "{name}: no warning names advertiser {}: {warned:?}", advertiser.id);
        }
        // The state never moves past a window that kept truncated rows: the next sync reads it
        // again (read incrementally: a full refresh gives no state, and the check could not fail).
        let cursors = cursors(&run.final_state(), stream);
        for advertiser in h.sim.account().advertisers {
            let marker = format!("advertiser {} ", advertiser.id);
            let first_truncated = warned
                .iter()
                .filter_map(|w| w.split_once(&marker))
                .map(|(_, rest)| rest[..10].to_string())
                .min()
                .unwrap();
            if let Some(cursor) = cursors.get(&advertiser.id) {
                let day = cursor.value[..10].to_string();
                assert!(
                    day < first_truncated,
                    "{name}: advertiser {} checkpointed at {day}, past its truncated window from {first_truncated}",
                    advertiser.id
                );
            }
        }
        let creates: Vec<_> = h.requests_to("report/task/create");
        let refused = creates.iter().filter(|r| r.response_code == Some(40100)).count();
        let advertisers = h.sim.account().advertisers.len();
        match name {
            // Per advertiser: the task for all three days, then for its first day (a task that
            // fails is asked again in halves); the failure is not asked again per window.
            "failed" => {
                run.assert_success();
                assert_eq!((creates.len(), refused), (2 * advertisers, 0));
            }
            // One task per advertiser went through; the second was given up, not retried, and the
            // sync ends as a transient error that says what is left and when the quota frees up.
            _ => {
                assert_eq!(creates.len() - refused, advertisers);
                assert!(refused >= 1 && refused <= 2 * advertisers, "{refused} refused creations: retried");
                let (kind, message) = run.failure();
                assert_eq!(kind, "transient_error", "{message}");
                assert!(
                    message.contains("window") && message.contains("quota is spent") && message.contains("UTC"),
                    "{message}"
                );
            }
        }
    }
}

#[test]
fn a_task_creation_throttled_by_the_apps_other_syncs_waits_and_is_not_given_up() {
    let streams = ["ads_reports_daily", "ads_reports_by_country_daily"];
    let start = days_ago(2);
    let (expected, keys) = clean_read("tasks-shared-clean", &streams, |c| c.start(start).rps(200));
    let mut sim_config = SimConfig::default();
    sim_config.limits.ads_throttle_threshold = 3;
    // Another sync of the app creates a task every 3 s: a third of the seconds are taken.
    sim_config.scenarios.other_task_creator_ms = Some(3_000);
    let h = Harness::new("tasks-shared", sim_config);
    let run = h.read(&h.config().start(start).rps(200).build(), &streams, Mode::FullRefresh, None);
    run.assert_success();
    let warnings = run.warnings();
    assert!(warnings.iter().all(|w| !w.contains("task failed")), "a task was given up: {warnings:?}");
    let creates: Vec<_> = h.requests_to("report/task/create");
    assert!(
        creates.iter().any(|r| r.response_code == Some(40100)),
        "no creation was throttled: the scenario tested nothing"
    );
    for stream in streams {
        let (want, got) = (by_key(&expected, stream, &keys[stream]), by_key(&run, stream, &keys[stream]));
        assert_same_keys(&got, &want, &format!("{stream}: every row, through the tasks"));
    }
}

#[test]
fn a_task_refused_for_its_span_is_asked_again_over_fewer_days_and_reads_every_row() {
    let stream = "ads_reports_hourly";
    let start = days_ago(3);
    let (expected, keys) = clean_read("task-span-clean", &[stream], |c| c.start(start).rps(200));
    let mut sim_config = SimConfig::default();
    sim_config.limits.ads_throttle_threshold = 3;
    // Tasks of more than one day are refused, as some of TikTok's documents say of hourly ones.
    sim_config.limits.task_span_days_max = Some(1);
    let h = Harness::new("task-span", sim_config);
    let run = h.read(&h.config().start(start).rps(200).build(), &[stream], Mode::FullRefresh, None);
    run.assert_success();
    assert_eq!(
        by_key(&run, stream, &keys[stream]),
        by_key(&expected, stream, &keys[stream]),
        "every row, through one-day tasks"
    );
    assert!(run.warnings().iter().all(|w| !w.contains("truncated")), "{:?}", run.warnings());
    let creates: Vec<_> = h.requests_to("report/task/create");
    let span = |r: &tiktok_sim::LoggedRequest| r.query["end_date"] != r.query["start_date"];
    assert!(
        creates.iter().any(|r| span(r) && r.response_code == Some(40002)),
        "no task was refused for its span: the test tests nothing"
    );
    assert!(creates.iter().filter(|r| r.response_code == Some(0)).all(|r| !span(r)), "only one-day tasks pass");
    assert!(h.sim.requests().iter().all(|r| !is_ad_list(r)), "no narrowing: the tasks gave every row");
}

#[test]
fn a_task_given_up_is_cancelled_and_its_window_read_another_way() {
    let stream = "ads_reports_daily";
    let (start, end) = (days_ago(2), days_ago(1));
    let (clean, keys) = clean_read("reports-tasks-cancel-clean", &[stream], |c| c.start(start).end(end).rps(200));
    let mut sim_config = SimConfig::default();
    sim_config.limits.ads_throttle_threshold = 3;
    sim_config.scenarios.task_check_fails = true;
    let h = Harness::new("reports-tasks-cancel", sim_config);
    let config = h.config().start(start).end(end).rps(200).retry_base_delay_ms(1).build();
    let run = h.read(&config, &[stream], Mode::Incremental, None);
    run.assert_success();
    let created = h.requests_to("report/task/create").into_iter().filter(|r| r.response_code == Some(0)).count();
    let cancels = h.requests_to("report/task/cancel");
    assert!(created > 0, "tasks were created");
    assert_eq!(cancels.len(), created, "every task given up is cancelled, once");
    assert!(cancels.iter().all(|r| r.response_code == Some(0)), "each cancelled while it still ran");
    assert_same_keys(
        &unique_by_key(&run, stream, &keys[stream]),
        &unique_by_key(&clean, stream, &keys[stream]),
        "read by narrowing instead",
    );
}
