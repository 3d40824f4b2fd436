//! `sync`: discover, read the chosen streams and write them into a database (an embedded
//! SQLite file by default, or PostgreSQL), one table per stream, upserted by key, with the
//! Airbyte state committed in the same transaction as the rows it covers. The next `sync`
//! resumes from that state by itself.

pub mod database;
pub mod loader;
mod output;
mod postgres;
mod sqlite;
pub mod tables;

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{bail, Result};
use serde_json::{json, Value};

use crate::masking::Masked;
use crate::output::{FailureType, Output, OutputError};
use crate::progress::WithProgress;
use crate::runtime::{Answer, Cause, Export, RunFailure, Runtime};
use crate::sandbox::SandboxPolicy;
use loader::{Loader, Opener, Rows, Written};
use output::{Console, Database};
use tables::Table;

/// What `sync` was asked to do.
pub struct SyncArgs {
    pub streams: Option<Vec<String>>,
    /// A SQLite file path, or a `postgres://` / `postgresql://` URL.
    pub db: String,
    pub full_refresh: bool,
}

pub fn is_postgres(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// The password of a database URL, to mask it in everything printed.
pub fn url_password(db: &str) -> Option<String> {
    let rest = db.split_once("://")?.1;
    let userinfo = rest.split_once('@')?.0;
    let password = userinfo.split_once(':')?.1;
    (!password.is_empty()).then(|| password.to_string())
}

fn opener(db: &str) -> Opener {
    let db = db.to_string();
    Box::new(move || -> Result<Box<dyn database::Database>> {
        if is_postgres(&db) {
            Ok(Box::new(postgres::Postgres::connect(&db)?))
        } else {
            Ok(Box::new(sqlite::Sqlite::open(std::path::Path::new(&db))?))
        }
    })
}

/// The discovered streams to sync: the chosen ones (all by default); unknown names are a
/// config error that lists the valid ones.
fn chosen_streams(catalog: &Value, wanted: Option<&[String]>) -> Result<Vec<Value>> {
    let streams: Vec<Value> = catalog["streams"].as_array().cloned().unwrap_or_default();
    let Some(wanted) = wanted else { return Ok(streams) };
    let names: Vec<&str> = streams.iter().filter_map(|s| s["name"].as_str()).collect();
    let unknown: Vec<&String> = wanted.iter().filter(|w| !names.contains(&w.as_str())).collect();
    if !unknown.is_empty() {
        bail!(
            "--streams: {} not a stream this config can read; the streams are: {}",
            unknown.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
            names.join(", ")
        );
    }
    Ok(streams.into_iter().filter(|s| wanted.iter().any(|w| s["name"] == json!(w))).collect())
}

fn supports_incremental(stream: &Value) -> bool {
    stream["supported_sync_modes"].as_array().is_some_and(|m| m.iter().any(|m| m == "incremental"))
}

/// Run `sync`. Errors are printed to stderr for people; true when every stream was read and
/// written.
pub async fn run(
    runtime: &Runtime,
    policy: &SandboxPolicy,
    base_url: Option<String>,
    config: String,
    secrets: Vec<String>,
    args: &SyncArgs,
) -> bool {
    // Messages are for people from the first one on: text on stderr.
    let console = Masked::new(Console, secrets.clone());
    let (mut console, discovered) =
        runtime.call(Export::Discover { config: config.clone() }, console, base_url.clone(), policy).await;
    let plan = match discovered.map_err(|f| (f.failure, f.message)).and_then(|answer| Plan::new(answer, args)) {
        Ok(plan) => plan,
        Err((failure, message)) => {
            console.error(failure, &message, None);
            return false;
        }
    };
    let Plan { tables, loader, rows, catalog, state } = plan;
    let resumed = state.is_some();
    let out = WithProgress::new(Masked::new(Database::new(rows), secrets), tables.len());
    let started = std::time::Instant::now();
    let (mut out, result) = runtime.call(Export::Read { config, catalog, state }, out, base_url, policy).await;
    out.finish();
    let mut ok = match result {
        Ok(_) => true,
        // The writer stopped: its own error is printed below.
        Err(RunFailure { cause: Cause::Output(OutputError::WriterStopped), .. }) => false,
        Err(f) => {
            out.error(f.failure, &f.message, f.stream.as_deref());
            false
        }
    };
    match loader.finish() {
        Ok(written) => print_summary(&tables, &written, started.elapsed(), &args.db, resumed),
        Err(e) => {
            out.error(FailureType::System, &format!("writing to {} failed: {e:#}", shown_db(&args.db)), None);
            ok = false;
        }
    }
    ok
}

/// What a read into the database needs, from the discovered catalog: the tables, the writer
/// (ready, the tables prepared), the catalog to read and the state to resume from.
struct Plan {
    tables: Vec<Table>,
    loader: Loader,
    rows: Rows,
    catalog: String,
    state: Option<String>,
}

impl Plan {
    fn new(discovered: Answer, args: &SyncArgs) -> Result<Plan, (FailureType, String)> {
        let Answer::Catalog(text) = discovered else {
            return Err((FailureType::System, "discover answered something else than a catalog".into()));
        };
        let catalog = serde_json::from_str::<Value>(&text)
            .map_err(|e| (FailureType::System, format!("the connector returned an unreadable catalog: {e}")))?;
        let streams =
            chosen_streams(&catalog, args.streams.as_deref()).map_err(|e| (FailureType::Config, format!("{e:#}")))?;
        let tables = streams
            .iter()
            .map(|s| Table::from_stream(s, args.full_refresh || !supports_incremental(s)))
            .collect::<Result<Vec<Table>>>()
            .map_err(|e| (FailureType::System, format!("{e:#}")))?;
        let (loader, rows, saved) = Loader::start(opener(&args.db), tables.clone())
            .map_err(|e| (FailureType::Config, format!("the database {}: {e:#}", shown_db(&args.db))))?;
        // Every stream reads incrementally where it can: a full refresh is an incremental read
        // with no state, into a table that replaces the old one at the end.
        let configured = json!({"streams": streams.iter().map(|s| json!({
            "stream": s,
            "sync_mode": if supports_incremental(s) { "incremental" } else { "full_refresh" },
            "destination_sync_mode": if supports_incremental(s) { "append_dedup" } else { "overwrite" },
        })).collect::<Vec<_>>()});
        let state: BTreeMap<&String, &Value> = if args.full_refresh {
            BTreeMap::new()
        } else {
            saved.iter().filter(|(stream, _)| tables.iter().any(|t| t.stream == **stream && !t.replaced)).collect()
        };
        let state = (!state.is_empty()).then(|| json!(state).to_string());
        Ok(Plan { tables, loader, rows, catalog: configured.to_string(), state })
    }
}

/// A database named without its password.
fn shown_db(db: &str) -> String {
    match url_password(db) {
        Some(password) => db.replace(&format!(":{password}@"), ":****@"),
        None => db.to_string(),
    }
}

/// The closing table: per stream, rows written now, rows in the table, and time taken.
fn print_summary(tables: &[Table], written: &BTreeMap<String, Written>, took: Duration, db: &str, resumed: bool) {
    let width = tables.iter().map(|t| t.stream.len()).max().unwrap_or(6).max(6);
    println!("{:<width$}  {:>10}  {:>10}  {:>8}  status", "stream", "written", "in table", "seconds");
    let (mut all_written, mut all_rows) = (0, 0);
    for table in tables {
        let stats = written.get(&table.stream).cloned().unwrap_or_default();
        let seconds = match (stats.first, stats.last) {
            (Some(first), Some(last)) => last.duration_since(first).as_secs_f64(),
            _ => 0.0,
        };
        let status = if stats.complete { "complete" } else { "INCOMPLETE" };
        println!("{:<width$}  {:>10}  {:>10}  {:>8.1}  {status}", table.stream, stats.rows, stats.total, seconds);
        all_written += stats.rows;
        all_rows += stats.total;
    }
    println!("{:<width$}  {:>10}  {:>10}  {:>8.1}", "total", all_written, all_rows, took.as_secs_f64());
    let how = if resumed { "incremental, from the saved state" } else { "first sync or full refresh" };
    println!("{} streams into {} ({how})", tables.len(), shown_db(db));
}

/// Parse `--streams a,b,c`.
pub fn stream_list(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_passwords_are_found_and_hidden() {
        assert_eq!(url_password("postgresql://u:s3cret@127.0.0.1:5432/db").as_deref(), Some("s3cret"));
        assert_eq!(url_password("postgresql://u@127.0.0.1/db"), None);
        assert_eq!(shown_db("postgres://u:s3cret@h/db"), "postgres://u:****@h/db");
        assert!(is_postgres("postgresql://h/db") && !is_postgres("out/tiktok.sqlite"));
    }

    #[test]
    fn unknown_streams_are_named_with_the_valid_ones() {
        let catalog = json!({"streams": [{"name": "ads"}, {"name": "campaigns"}]});
        let chosen = chosen_streams(&catalog, Some(&stream_list("ads, campaigns"))).unwrap();
        assert_eq!(chosen.len(), 2);
        let e = chosen_streams(&catalog, Some(&stream_list("ads,adz"))).unwrap_err().to_string();
        assert!(e.contains("adz") && e.contains("ads, campaigns"), "{e}");
    }
}
