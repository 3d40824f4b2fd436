//! `sync`: streams into SQLite and PostgreSQL tables, incremental by itself the second time,
//! restated rows replaced, and a sync killed at any point ends, once rerun, with the same
//! database as an uninterrupted one.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use harness::{days_ago, host_binary, Harness, Mode, Run};
use serde_json::Value;
use tiktok_sim::SimConfig;

const STREAMS: &str = "campaigns,ads,audiences,ads_reports_daily,advertisers_reports_hourly,campaigns_reports_lifetime";

fn sync(h: &Harness, config: &Value, db: &str, extra: &[&str]) -> Run {
    h.sync(config, db, STREAMS, extra)
}

/// Every row of a SQLite table as text, keyed by its key columns, without `_extracted_at`.
fn sqlite_rows(db: &Path, table: &str, key: &[&str]) -> BTreeMap<String, BTreeMap<String, String>> {
    let conn = rusqlite::Connection::open(db).unwrap();
    // A sync killed before it created the table left none.
    let Ok(mut statement) = conn.prepare(&format!("SELECT * FROM \"{table}\"")) else { return BTreeMap::new() };
    let names: Vec<String> = statement.column_names().map(|s| s.to_string()).collect();
    let mut rows = BTreeMap::new();
    let mut query = statement.query([]).unwrap();
    while let Some(row) = query.next().unwrap() {
        let mut values = BTreeMap::new();
        for (i, name) in names.iter().enumerate().filter(|(_, n)| *n != "_extracted_at") {
            let value: rusqlite::types::Value = row.get(i).unwrap();
            let text = match value {
                rusqlite::types::Value::Null => "NULL".to_string(),
                rusqlite::types::Value::Integer(n) => n.to_string(),
                rusqlite::types::Value::Real(f) => format!("{f}"),
                rusqlite::types::Value::Text(t) => t,
                rusqlite::types::Value::Blob(_) => "BLOB".to_string(),
            };
            values.insert(name.clone(), text);
        }
        rows.insert(key.iter().map(|k| values[*k].clone()).collect::<Vec<_>>().join("|"), values);
    }
    rows
}

fn count(db: &Path, table: &str) -> usize {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |r| r.get::<_, i64>(0))
        .unwrap() as usize
}

/// The key of a record of ads_reports_daily, as the table keys it.
fn report_key(record: &Value) -> String {
    format!("{}|{}", record["ad_id"].as_str().unwrap(), record["stat_time_day"].as_str().unwrap())
}

#[test]
fn a_second_sync_is_incremental_replaces_restated_rows_and_keeps_counts_stable() {
    let h = Harness::new("sync-sqlite", SimConfig::default());
    let config = h.config().days(10).attribution_window(3).build();
    let db = h.dir.join("tiktok.sqlite");
    let first = sync(&h, &config, db.to_str().unwrap(), &[]);
    assert_eq!(first.exit_code, 0, "{}\n{}", first.stdout, first.stderr);
    assert!(first.stdout.contains("first sync"), "{}", first.stdout);

    // The tables hold what a read gives: every record once, typed.
    let streams: Vec<&str> = STREAMS.split(',').collect();
    let read = h.read(&config, &streams, Mode::FullRefresh, None);
    read.assert_success();
    for stream in &streams {
        assert_eq!(count(&db, stream), read.records_of(stream).len(), "{stream}");
    }
    let rows = sqlite_rows(&db, "ads_reports_daily", &["ad_id", "stat_time_day"]);
    for record in read.records_of("ads_reports_daily") {
        let row = &rows[&report_key(&record)];
        let spend: f64 = record["metrics"]["spend"].as_f64().unwrap_or_default();
        assert!(
            (row["spend"].parse::<f64>().unwrap_or_default() - spend).abs() < 1e-9,
            "spend of {}",
            report_key(&record)
        );
        assert_eq!(row["advertiser_id"], record["advertiser_id"].as_str().unwrap());
    }
    let conn = rusqlite::Connection::open(&db).unwrap();
    let states: i64 = conn.query_row("SELECT count(*) FROM _tiktok_state WHERE NOT staged", [], |r| r.get(0)).unwrap();
    assert_eq!(states, 4, "a state per incremental stream (audiences and the lifetime report have none)");

    // TikTok restates spend; the second sync reads only the attribution window again.
    h.sim.update_config(|c| c.account.restatement = 2.0);
    h.sim.clear_requests();
    let second = sync(&h, &config, db.to_str().unwrap(), &[]);
    assert_eq!(second.exit_code, 0, "{}\n{}", second.stdout, second.stderr);
    assert!(second.stdout.contains("incremental, from the saved state"), "{}", second.stdout);
    let report_requests: Vec<_> = h
        .sim
        .requests()
        .into_iter()
        .filter(|r| r.endpoint() == "report/integrated/get" && r.query["data_level"] == "AUCTION_AD")
        .collect();
    assert!(!report_requests.is_empty());
    let earliest = days_ago(5).to_string();
    assert!(
        report_requests.iter().all(|r| r.query["start_date"] >= earliest),
        "the second sync read more than the attribution window"
    );
    for stream in &streams {
        assert_eq!(count(&db, stream), read.records_of(stream).len(), "{stream}: rows duplicated or lost");
    }
    let after = sqlite_rows(&db, "ads_reports_daily", &["ad_id", "stat_time_day"]);
    let (recent, old) = (format!("{} 00:00:00", days_ago(1)), format!("{} 00:00:00", days_ago(6)));
    let (mut restated, mut kept) = (0, 0);
    for (key, row) in &after {
        let (before, now) = (rows[key]["spend"].parse::<f64>().unwrap(), row["spend"].parse::<f64>().unwrap());
        if row["stat_time_day"] >= recent {
            assert!((now - 2.0 * before).abs() < 1e-6, "{key}: restated spend {now} is not twice {before}");
            restated += 1;
        } else if row["stat_time_day"] <= old {
            assert_eq!(now, before, "{key}: a row outside the attribution window changed");
            kept += 1;
        }
    }
    assert!(restated > 0 && kept > 0, "{restated} restated, {kept} kept");
}

/// Every table of `streams` in a SQLite file, as text.
fn dump(db: &Path) -> BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>> {
    let keys: &[(&str, &[&str])] = &[
        ("campaigns", &["campaign_id"]),
        ("ads", &["ad_id"]),
        ("audiences", &["audience_id"]),
        ("ads_reports_daily", &["ad_id", "stat_time_day"]),
        ("advertisers_reports_hourly", &["advertiser_id", "stat_time_hour"]),
        ("campaigns_reports_lifetime", &["campaign_id"]),
    ];
    keys.iter().map(|(table, key)| (table.to_string(), sqlite_rows(db, table, key))).collect()
}

#[test]
fn a_sync_killed_at_any_point_and_run_again_ends_with_the_same_database() {
    let mut sim_config = SimConfig::default();
    sim_config.limits.latency_ms = 40;
    let h = Harness::new("sync-kill", sim_config);
    // A fixed last day: both syncs see the same days whenever they run.
    let config = h.config().days(12).attribution_window(3).end(days_ago(1)).build();
    let whole = h.dir.join("whole.sqlite");
    let started = Instant::now();
    let run = sync(&h, &config, whole.to_str().unwrap(), &[]);
    let whole_time = started.elapsed();
    assert_eq!(run.exit_code, 0, "{}", run.stderr);
    let expected = dump(&whole);
    assert!(expected.values().all(|rows| !rows.is_empty()));

    // Killed at three points of an uninterrupted sync's time (so a busy machine moves them
    // too): soon, after the first commits, and later.
    let total: usize = expected.values().map(BTreeMap::len).sum();
    let mut partial = Vec::new();
    for (n, after) in [0.1, 0.4, 0.7].map(|share| whole_time.mul_f64(share)).into_iter().enumerate() {
        let db = h.dir.join(format!("killed-{n}.sqlite"));
        let mut child = h.host(&h.sync_args(&config, db.to_str().unwrap(), STREAMS, &[])).spawn(false);
        let started = Instant::now();
        while started.elapsed() < after && child.try_wait().unwrap().is_none() {
            std::thread::sleep(Duration::from_millis(20));
        }
        let finished_already = child.try_wait().unwrap().is_some();
        let _ = child.kill();
        let _ = child.wait();
        assert!(!finished_already, "the sync ended before it could be killed at {after:?}");
        if db.exists() {
            partial.push(dump(&db).values().map(BTreeMap::len).sum::<usize>());
        }
        let rerun = sync(&h, &config, db.to_str().unwrap(), &[]);
        assert_eq!(rerun.exit_code, 0, "{}", rerun.stderr);
        assert_eq!(dump(&db), expected, "killed after {after:?}: the database differs from an uninterrupted sync");
    }
    assert!(
        partial.iter().any(|rows| *rows > 0 && *rows < total),
        "no kill left a part of the rows to resume from: {partial:?} of {total}"
    );
}

/// A PostgreSQL server of the test's own, on a loopback port, stopped when dropped.
struct Postgres {
    bin: std::path::PathBuf,
    data: std::path::PathBuf,
    port: u16,
}

/// `initdb` and `pg_ctl`: on the PATH, or in Debian's versioned directory.
fn postgres_bin() -> std::path::PathBuf {
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .find(|d| d.join("initdb").exists());
    let debian = std::fs::read_dir("/usr/lib/postgresql")
        .ok()
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|d| d.join("initdb").exists())
        .max();
    on_path.or(debian).expect("PostgreSQL's initdb is not installed (.ci/run installs Debian's postgresql package)")
}

/// Run a PostgreSQL program; as root it runs as the `postgres` user, which PostgreSQL requires.
fn pg_command(bin: &Path, program: &str, args: &[&str]) -> std::process::Output {
    let root = Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0")).unwrap_or(false);
    let mut command = if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(program));
        c
    } else {
        Command::new(bin.join(program))
    };
    command.args(args).stdin(Stdio::null()).output().unwrap()
}

impl Postgres {
    fn start(dir: &Path) -> Postgres {
        let bin = postgres_bin();
        let data = dir.join("pgdata");
        std::fs::create_dir_all(&data).unwrap();
        // The server runs as `postgres` when the tests run as root: it must own its directory.
        let _ = Command::new("chown").args(["-R", "postgres", data.to_str().unwrap()]).status();
        let _ = Command::new("chmod").args(["o+rx", dir.to_str().unwrap()]).status();
        let init = pg_command(
            &bin,
            "initdb",
            &["-D", data.to_str().unwrap(), "-A", "trust", "-U", "tiktok", "-E", "UTF8", "--no-sync"],
        );
        assert!(init.status.success(), "initdb: {}", String::from_utf8_lossy(&init.stderr));
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let options = format!("-p {port} -c listen_addresses=127.0.0.1 -k {} -c fsync=off", data.display());
        let log = data.join("server.log");
        let started = pg_command(
            &bin,
            "pg_ctl",
            &["-D", data.to_str().unwrap(), "-l", log.to_str().unwrap(), "-o", &options, "-w", "start"],
        );
        assert!(
            started.status.success(),
            "pg_ctl start: {}{}",
            String::from_utf8_lossy(&started.stderr),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        Postgres { bin, data, port }
    }

    fn url(&self) -> String {
        format!("postgresql://tiktok@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        pg_command(&self.bin, "pg_ctl", &["-D", self.data.to_str().unwrap(), "-m", "immediate", "stop"]);
    }
}

#[test]
fn sync_into_postgresql_writes_typed_tables_equal_to_sqlites_and_resumes_by_itself() {
    let h = Harness::new("sync-postgres", SimConfig::default());
    let pg = Postgres::start(&h.dir);
    let config = h.config().days(10).attribution_window(3).build();
    let sqlite = h.dir.join("same.sqlite");
    assert_eq!(sync(&h, &config, sqlite.to_str().unwrap(), &[]).exit_code, 0);
    let first = sync(&h, &config, &pg.url(), &[]);
    assert_eq!(first.exit_code, 0, "{}\n{}", first.stdout, first.stderr);
    let mut client = postgres::Client::connect(&pg.url(), postgres::NoTls).unwrap();
    let counts = |client: &mut postgres::Client| -> BTreeMap<String, i64> {
        STREAMS
            .split(',')
            .map(|t| (t.to_string(), client.query_one(&format!("SELECT count(*) FROM \"{t}\""), &[]).unwrap().get(0)))
            .collect()
    };
    let before = counts(&mut client);
    for (table, n) in &before {
        assert_eq!(*n as usize, count(&sqlite, table), "{table}: PostgreSQL and SQLite differ");
        assert!(*n > 0, "{table} is empty");
    }
    // Typed columns: numeric metrics, timestamps, text ids, JSON for nested values.
    let types: BTreeMap<String, String> = client
        .query("SELECT column_name::text, data_type::text FROM information_schema.columns WHERE table_name = 'ads_reports_daily'", &[])
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(types["spend"], "numeric");
    assert_eq!(types["stat_time_day"], "timestamp without time zone");
    assert_eq!(types["ad_id"], "text");
    assert_eq!(types["dimensions"], "jsonb");
    let sqlite_spend = sqlite_rows(&sqlite, "ads_reports_daily", &["ad_id", "stat_time_day"]);
    for row in client
        .query("SELECT ad_id, to_char(stat_time_day, 'YYYY-MM-DD HH24:MI:SS'), spend::text FROM ads_reports_daily", &[])
        .unwrap()
    {
        let (ad, day, spend): (String, String, String) = (row.get(0), row.get(1), row.get(2));
        let expected: f64 = sqlite_spend[&format!("{ad}|{day}")]["spend"].parse().unwrap();
        assert!((spend.parse::<f64>().unwrap() - expected).abs() < 1e-9, "{ad} {day}: {spend} vs {expected}");
    }
    // The second sync resumes from the state saved in PostgreSQL, restated rows replaced.
    h.sim.update_config(|c| c.account.restatement = 2.0);
    let second = sync(&h, &config, &pg.url(), &[]);
    assert_eq!(second.exit_code, 0, "{}", second.stderr);
    assert!(second.stdout.contains("incremental, from the saved state"), "{}", second.stdout);
    assert_eq!(counts(&mut client), before, "rows duplicated or lost");
    let recent = format!("{} 00:00:00", days_ago(1));
    let doubled: i64 = client
        .query_one(&format!("SELECT count(*) FROM ads_reports_daily WHERE stat_time_day >= '{recent}'"), &[])
        .unwrap()
        .get(0);
    assert!(doubled > 0);
    for row in client.query(&format!("SELECT ad_id, to_char(stat_time_day, 'YYYY-MM-DD HH24:MI:SS'), spend::text FROM ads_reports_daily WHERE stat_time_day >= '{recent}'"), &[]).unwrap() {
        let (ad, day, spend): (String, String, String) = (row.get(0), row.get(1), row.get(2));
        let before: f64 = sqlite_spend[&format!("{ad}|{day}")]["spend"].parse().unwrap();
        assert!((spend.parse::<f64>().unwrap() - 2.0 * before).abs() < 1e-6, "{ad} {day}: {spend} is not restated");
    }
    // A full refresh replaces every table and keeps the counts.
    let full = sync(&h, &config, &pg.url(), &["--full-refresh"]);
    assert_eq!(full.exit_code, 0, "{}", full.stderr);
    assert_eq!(counts(&mut client), before);
    let staged: i64 = client.query_one("SELECT count(*) FROM _tiktok_state WHERE staged", &[]).unwrap().get(0);
    assert_eq!(staged, 0, "staged states left after the full refresh");
}

/// `script` gives the command a terminal for stderr, as a person running it would have.
#[test]
fn on_a_terminal_progress_goes_to_stderr_and_stdout_stays_pure_protocol() {
    let h = Harness::new("progress", SimConfig::default());
    let config = h.config().days(3).attribution_window(3).build();
    let catalog = h.write("catalog.json", &h.configured_catalog(&config, &["campaigns", "ads_reports_daily"], true));
    let config_path = h.write("config.json", &config);
    let stdout = h.dir.join("stdout.jsonl");
    let terminal = h.dir.join("terminal.txt");
    let command = format!(
        "{} read --config {config_path} --catalog {catalog} --api-base-url {} > {}",
        host_binary().display(),
        h.sim.base_url(),
        stdout.display()
    );
    let status = Command::new("script")
        .args(["-qefc", &command, terminal.to_str().unwrap()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let lines = std::fs::read_to_string(&stdout).unwrap();
    assert!(lines.lines().count() > 10);
    for line in lines.lines() {
        serde_json::from_str::<Value>(line)
            .unwrap_or_else(|e| panic!("not a protocol message on stdout ({e}): {line}"));
    }
    let shown = std::fs::read_to_string(&terminal).unwrap();
    assert!(shown.contains("streams") && shown.contains("records"), "no progress on the terminal: {shown:?}");
    // Without a terminal, nothing but the protocol: the harness's own runs have empty stderr.
    let quiet = h.read(&config, &["campaigns"], Mode::FullRefresh, None);
    quiet.assert_success();
    assert!(quiet.stderr.is_empty(), "stderr without a terminal: {}", quiet.stderr);
}
