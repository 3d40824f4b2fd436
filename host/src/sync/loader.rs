//! The writer thread of `sync`: records and states arrive from the component through a
//! bounded channel (so a slow database slows the read instead of filling memory) and are
//! written in batches, each state in the same transaction as the records it covers.

use std::collections::{BTreeMap, HashMap};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde_json::Value;

use super::database::Database;
use super::tables::{SqlValue, Table};
use crate::output::OutputError;

/// What the component emitted, on its way to the database.
pub enum Emitted {
    Records {
        stream: String,
        records: Vec<String>,
        emitted_at: u64,
    },
    State {
        stream: String,
        state: Value,
    },
    /// The stream ended: COMPLETE (a replaced table may go live) or not.
    Ended {
        stream: String,
        complete: bool,
    },
}

/// Rows kept before they are written; a commit follows at most this long after a state.
const BATCH_ROWS: usize = 5_000;
const COMMIT_INTERVAL: Duration = Duration::from_millis(500);
/// Batches of records the channel holds while the database catches up.
const CHANNEL_BATCHES: usize = 256;

/// Per stream: rows written, and from the first to the last.
#[derive(Debug, Default, Clone)]
pub struct Written {
    pub rows: u64,
    /// Rows in the table after the sync.
    pub total: u64,
    pub first: Option<Instant>,
    pub last: Option<Instant>,
    pub complete: bool,
}

/// The writer thread.
pub struct Loader {
    thread: JoinHandle<Result<BTreeMap<String, Written>>>,
}

/// The way into the writer thread. Dropping it tells the writer that nothing more comes.
pub struct Rows {
    sender: SyncSender<Emitted>,
}

impl Rows {
    /// Hand one item to the writer; `WriterStopped` when it stopped (its error comes with
    /// [`Loader::finish`]).
    pub fn send(&self, item: Emitted) -> Result<(), OutputError> {
        self.sender.send(item).map_err(|_| OutputError::WriterStopped)
    }
}

/// Opens the database, on the writer's own thread (the PostgreSQL client blocks on a runtime
/// of its own, which may not run inside the host's).
pub type Opener = Box<dyn FnOnce() -> Result<Box<dyn Database>> + Send>;

impl Loader {
    /// Open the database and prepare `tables` on a writer thread; the loader, the way into it,
    /// and the saved state of every stream.
    pub fn start(open: Opener, tables: Vec<Table>) -> Result<(Loader, Rows, BTreeMap<String, Value>)> {
        let (sender, receiver) = sync_channel(CHANNEL_BATCHES);
        let (ready, states) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let prepared = open().and_then(|mut db| {
                db.prepare(&tables)?;
                let states = db.states()?;
                Ok((db, states))
            });
            let mut db = match prepared {
                Ok((db, states)) => {
                    let _ = ready.send(Ok(states));
                    db
                }
                Err(e) => {
                    let _ = ready.send(Err(e));
                    return Ok(BTreeMap::new());
                }
            };
            write_all(db.as_mut(), tables, receiver)
        });
        let states = states.recv().context("the database writer stopped before it was ready")??;
        Ok((Loader { thread }, Rows { sender }, states))
    }

    /// Wait for the writer to write and commit everything (every [`Rows`] must be dropped
    /// first); what it wrote, or why it stopped.
    pub fn finish(self) -> Result<BTreeMap<String, Written>> {
        match self.thread.join() {
            Ok(result) => result,
            Err(_) => anyhow::bail!("the database writer crashed"),
        }
    }
}

struct Pending {
    /// Per stream, batches of record texts and when they were read: rows are built from
    /// them, borrowing their text, when they are written.
    records: HashMap<String, Vec<(Vec<String>, String)>>,
    count: usize,
    /// States waiting for their records to be written, in arrival order.
    states: Vec<(String, Value)>,
    since_commit: Instant,
}

fn write_all(
    db: &mut dyn Database,
    tables: Vec<Table>,
    receiver: Receiver<Emitted>,
) -> Result<BTreeMap<String, Written>> {
    let tables: HashMap<String, Table> = tables.into_iter().map(|t| (t.stream.clone(), t)).collect();
    let mut written: BTreeMap<String, Written> = BTreeMap::new();
    let mut pending = Pending { records: HashMap::new(), count: 0, states: Vec::new(), since_commit: Instant::now() };
    let table_of = |stream: &str| {
        tables
            .get(stream)
            .with_context(|| format!("the connector emitted stream {stream}, which is not in the catalog"))
    };
    for item in receiver {
        match item {
            Emitted::Records { stream, records, emitted_at } => {
                table_of(&stream)?;
                let at = chrono::DateTime::from_timestamp_millis(emitted_at as i64)
                    .unwrap_or_default()
                    .format("%Y-%m-%d %H:%M:%S%.3f")
                    .to_string();
                let stats = written.entry(stream.clone()).or_default();
                stats.rows += records.len() as u64;
                pending.count += records.len();
                pending.records.entry(stream).or_default().push((records, at));
                stats.first.get_or_insert_with(Instant::now);
                stats.last = Some(Instant::now());
                if pending.count >= BATCH_ROWS {
                    flush(db, &tables, &mut pending)?;
                }
            }
            Emitted::State { stream, state } => {
                table_of(&stream)?;
                pending.states.push((stream, state));
                if pending.since_commit.elapsed() >= COMMIT_INTERVAL {
                    flush(db, &tables, &mut pending)?;
                    db.commit()?;
                    pending.since_commit = Instant::now();
                }
            }
            Emitted::Ended { stream, complete } => {
                let table = table_of(&stream)?;
                let stats = written.entry(stream).or_default();
                stats.complete = complete;
                stats.last = Some(Instant::now());
                if complete && table.replaced {
                    flush(db, &tables, &mut pending)?;
                    db.swap_in(table)?;
                }
            }
        }
    }
    flush(db, &tables, &mut pending)?;
    db.commit()?;
    for (stream, stats) in written.iter_mut() {
        stats.total = db.count(&tables[stream])?;
    }
    Ok(written)
}

/// Write the rows kept so far, then the states that came after them.
fn flush(db: &mut dyn Database, tables: &HashMap<String, Table>, pending: &mut Pending) -> Result<()> {
    for (stream, batches) in pending.records.drain() {
        let table = &tables[&stream];
        let mut rows: Vec<Vec<SqlValue>> = Vec::with_capacity(batches.iter().map(|(r, _)| r.len()).sum());
        for (records, at) in &batches {
            for record in records {
                rows.push(table.row(record, at).with_context(|| format!("stream {stream}"))?);
            }
        }
        db.upsert(table, &rows).with_context(|| format!("writing rows of {stream}"))?;
    }
    pending.count = 0;
    for (stream, state) in pending.states.drain(..) {
        db.save_state(&tables[&stream], &state)?;
    }
    Ok(())
}

#[cfg(test)]
mod bench {
    use super::*;
    use crate::sync::sqlite::Sqlite;
    use serde_json::json;

    /// `make bench`: rows a second through the whole writer (parsing each record text,
    /// typing its values, upserting in batches, committing states) into SQLite, against the
    /// floor measured in the same run: the same rows, typed beforehand, upserted by the same
    /// statement in one transaction. Target: the writer within 2.5× of the floor.
    #[test]
    #[ignore]
    fn sqlite_rows_per_second() {
        let metrics: Vec<String> = (0..79).map(|i| format!("metric_{i}")).collect();
        let mut properties = serde_json::Map::new();
        for m in &metrics {
            properties.insert(m.clone(), json!({"type": ["null", "number"]}));
        }
        let stream = json!({"name": "ads_reports_daily", "source_defined_primary_key": [["ad_id"], ["stat_time_day"]],
            "json_schema": {"properties": {"ad_id": {"type": "string"}, "advertiser_id": {"type": "string"},
                "stat_time_day": {"type": "string", "pattern": "[0-9]{2}:[0-9]{2}:[0-9]{2}"},
                "dimensions": {"type": "object"}, "metrics": {"type": "object", "properties": properties}}}});
        let table = Table::from_stream(&stream, false).unwrap();
        let rows = 200_000;
        let batches: Vec<Vec<String>> = (0..rows / 1000)
            .map(|b| {
                (0..1000)
                    .map(|i| {
                        let n = b * 1000 + i;
                        let values: Vec<String> = metrics.iter().enumerate().map(|(k, m)| format!("\"{m}\":{}.{:02}", n % 997 + k, n % 100)).collect();
                        format!(
                            "{{\"ad_id\":\"{}\",\"advertiser_id\":\"7\",\"stat_time_day\":\"2024-01-{:02} 00:00:00\",\"dimensions\":{{}},\"metrics\":{{{}}}}}",
                            1_700_000_000 + n / 28,
                            n % 28 + 1,
                            values.join(",")
                        )
                    })
                    .collect()
            })
            .collect();
        let scratch = |name: &str| {
            let path = std::env::temp_dir().join(format!("tiktok-bench-{name}-{}.sqlite", std::process::id()));
            let _ = std::fs::remove_file(&path);
            path
        };

        // The floor: SQLite's own work for these rows, at its best (one transaction, one state).
        let floor_path = scratch("floor");
        let mut db = Sqlite::open(&floor_path).unwrap();
        db.prepare(std::slice::from_ref(&table)).unwrap();
        let typed: Vec<Vec<Vec<SqlValue>>> = batches
            .iter()
            .map(|b| b.iter().map(|r| table.row(r, "2024-01-01 00:00:00.000").unwrap()).collect())
            .collect();
        let started = Instant::now();
        for rows in &typed {
            db.upsert(&table, rows).unwrap();
        }
        db.save_state(&table, &json!({"batch": 0})).unwrap();
        db.commit().unwrap();
        let floor = started.elapsed();
        assert_eq!(db.count(&table).unwrap(), rows as u64);
        drop((db, typed));

        let path = scratch("writer");
        let open_path = path.clone();
        let (loader, rows_in, _) =
            Loader::start(Box::new(move || Ok(Box::new(Sqlite::open(&open_path)?) as Box<dyn Database>)), vec![table])
                .unwrap();
        let started = Instant::now();
        for (b, records) in batches.into_iter().enumerate() {
            rows_in.send(Emitted::Records { stream: "ads_reports_daily".into(), records, emitted_at: 0 }).unwrap();
            rows_in.send(Emitted::State { stream: "ads_reports_daily".into(), state: json!({"batch": b}) }).unwrap();
        }
        drop(rows_in);
        let written = loader.finish().unwrap();
        let took = started.elapsed();
        assert_eq!(written["ads_reports_daily"].total, rows as u64);
        let ratio = took.as_secs_f64() / floor.as_secs_f64();
        println!(
            "sync writer into SQLite: {rows} rows of 79 metrics in {:.2}s = {:.0} rows/s; typed rows upserted alone {:.2}s = {:.0} rows/s; writer / floor {ratio:.2}x (target <= {WRITER_OVER_FLOOR_TARGET}x)",
            took.as_secs_f64(),
            rows as f64 / took.as_secs_f64(),
            floor.as_secs_f64(),
            rows as f64 / floor.as_secs_f64(),
        );
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_file(&floor_path);
        assert!(ratio <= WRITER_OVER_FLOOR_TARGET, "the writer took {ratio:.2}x the time SQLite alone takes for these rows (target <= {WRITER_OVER_FLOOR_TARGET}x)");
    }

    /// Reading each record text, typing its values and handing rows over between threads may
    /// cost at most one and a half times SQLite's own work.
    const WRITER_OVER_FLOOR_TARGET: f64 = 2.5;
}
