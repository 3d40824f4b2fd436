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

/// What the component emitted, on its way to the database.
pub enum Emitted {
    Records { stream: String, records: Vec<String>, emitted_at: u64 },
    State { stream: String, state: Value },
    /// The stream ended: COMPLETE (a replaced table may go live) or not.
    Ended { stream: String, complete: bool },
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

pub struct Loader {
    sender: Option<SyncSender<Emitted>>,
    thread: Option<JoinHandle<Result<BTreeMap<String, Written>>>>,
}

/// Opens the database, on the writer's own thread (the PostgreSQL client blocks on a runtime
/// of its own, which may not run inside the host's).
pub type Opener = Box<dyn FnOnce() -> Result<Box<dyn Database>> + Send>;

impl Loader {
    /// Open the database and prepare `tables` on a writer thread; the loader, and the saved
    /// state of every stream.
    pub fn start(open: Opener, tables: Vec<Table>) -> Result<(Loader, BTreeMap<String, Value>)> {
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
        Ok((Loader { sender: Some(sender), thread: Some(thread) }, states))
    }

    /// Hand one item to the writer; false when the writer stopped (its error comes with
    /// `finish`).
    pub fn send(&self, item: Emitted) -> bool {
        self.sender.as_ref().is_some_and(|s| s.send(item).is_ok())
    }

    /// Wait for the writer to write and commit everything; what it wrote, or why it stopped.
    pub fn finish(mut self) -> Result<BTreeMap<String, Written>> {
        drop(self.sender.take());
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => anyhow::bail!("the database writer crashed"),
            None => anyhow::bail!("the database writer was not started"),
        }
    }
}

struct Pending {
    rows: HashMap<String, Vec<Vec<SqlValue>>>,
    count: usize,
    /// States waiting for their records to be written, in arrival order.
    states: Vec<(String, Value)>,
    since_commit: Instant,
}

fn write_all(db: &mut dyn Database, tables: Vec<Table>, receiver: Receiver<Emitted>) -> Result<BTreeMap<String, Written>> {
    let tables: HashMap<String, Table> = tables.into_iter().map(|t| (t.stream.clone(), t)).collect();
    let mut written: BTreeMap<String, Written> = BTreeMap::new();
    let mut pending = Pending { rows: HashMap::new(), count: 0, states: Vec::new(), since_commit: Instant::now() };
    let table_of = |stream: &str| tables.get(stream).with_context(|| format!("the connector emitted stream {stream}, which is not in the catalog"));
    for item in receiver {
        match item {
            Emitted::Records { stream, records, emitted_at } => {
                let table = table_of(&stream)?;
                let at = chrono::DateTime::from_timestamp_millis(emitted_at as i64).unwrap_or_default().format("%Y-%m-%d %H:%M:%S%.3f").to_string();
                let rows = pending.rows.entry(stream.clone()).or_default();
                for record in &records {
                    rows.push(table.row(record, &at).with_context(|| format!("stream {stream}"))?);
                }
                pending.count += records.len();
                let stats = written.entry(stream).or_default();
                stats.rows += records.len() as u64;
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
    for (stream, rows) in pending.rows.drain() {
        db.upsert(&tables[&stream], &rows).with_context(|| format!("writing rows of {stream}"))?;
    }
    pending.count = 0;
    for (stream, state) in pending.states.drain(..) {
        db.save_state(&tables[&stream], &state)?;
    }
    Ok(())
}
