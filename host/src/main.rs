//! `source-tiktok-marketing`: the TikTok Marketing source connector with the command line of
//! the reference Airbyte connector (`spec`, `check`, `discover`, `read`). The connector logic
//! runs as a sandboxed WebAssembly component; this binary is its host.

mod bindings;
mod progress;
mod protocol;
mod runtime;
mod sandbox;
mod state_file;
mod sync;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use serde_json::{json, Value};

use protocol::{FailureType, ProtocolWriter};
use runtime::{Answer, Export, Runtime};
use sandbox::{SandboxOptions, SandboxPolicy};

#[derive(Parser)]
#[command(
    name = "source-tiktok-marketing",
    version,
    about = "TikTok Marketing source connector speaking the Airbyte protocol on stdout",
    after_help = "Exit status: 0 on success, 1 when the command failed (the TRACE message on stdout \
                  says why and whether it is a config, transient or system error), 2 on bad usage. \
                  A check that ran exits 0 and says SUCCEEDED or FAILED in its CONNECTION_STATUS."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,

    /// Run this connector component (.wasm) instead of the one built into the binary.
    #[arg(long, global = true, value_name = "PATH")]
    component: Option<PathBuf>,

    /// Send every API call to this root (e.g. http://127.0.0.1:8080) instead of TikTok's hosts;
    /// that authority becomes the only one the connector may reach.
    #[arg(long, global = true, env = "TIKTOK_API_BASE_URL", value_name = "URL")]
    api_base_url: Option<String>,

    /// Replace the allow-list of authorities (host:port) the connector may reach; by default
    /// TikTok's production and sandbox hosts, or the --api-base-url authority. Repeatable.
    #[arg(long = "allowed-authority", global = true, value_name = "HOST:PORT")]
    allowed_authorities: Vec<String>,

    /// Most memory the connector may use.
    #[arg(long, global = true, default_value_t = 2048, value_name = "MIB")]
    max_memory_mib: usize,

    /// Stop a command that runs longer than this.
    #[arg(long, global = true, default_value_t = 24 * 3600, value_name = "SECONDS")]
    max_run_seconds: u64,

    /// Give up on an API response that sends nothing for this long.
    #[arg(long, global = true, default_value_t = 120, value_name = "SECONDS")]
    http_timeout_seconds: u64,

    /// Where compiled connector code is cached between runs.
    #[arg(long, global = true, env = "SOURCE_TIKTOK_CACHE_DIR", value_name = "DIR")]
    cache_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Print the configuration specification.
    Spec,
    /// Validate the config and test that the credentials can read the account.
    Check {
        /// The connector config (JSON), as the reference connector takes it.
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
    },
    /// Print the catalog of streams the config can read.
    Discover {
        /// The connector config (JSON).
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
    },
    /// Read the streams of a configured catalog, resuming from a state.
    Read {
        /// The connector config (JSON).
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// Airbyte's configured catalog (JSON): the streams to read and their sync modes.
        #[arg(long, value_name = "FILE")]
        catalog: PathBuf,
        /// The last state messages (a JSON list of per-stream states, or the legacy map).
        #[arg(long, value_name = "FILE")]
        state: Option<PathBuf>,
    },
    /// Read streams into a database: one table per stream, upserted by key, the state saved
    /// with the rows, so the next sync is incremental by itself. Prints a table of streams.
    Sync {
        /// The connector config (JSON).
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// Only these streams (comma-separated); by default every stream the config can read.
        #[arg(long, value_name = "A,B,...")]
        streams: Option<String>,
        /// A SQLite file (created if missing), or a postgresql://user:password@host:port/db URL.
        #[arg(long, value_name = "PATH_OR_URL", default_value = "tiktok.sqlite")]
        db: String,
        /// Ignore the saved state: read everything again and replace each table atomically.
        #[arg(long)]
        full_refresh: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build();
    let runtime = match runtime {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("source-tiktok-marketing: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(run(cli))
}

fn default_cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("source-tiktok-marketing")
}

/// Read a JSON input file, naming the file in the error.
fn read_json_file(path: &Path, what: &str) -> Result<(String, Value), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read the {what} file {}: {e}", path.display()))?;
    let value = serde_json::from_str(&text).map_err(|e| format!("the {what} file {} is not valid JSON: {e}", path.display()))?;
    Ok((text, value))
}

async fn run(cli: Cli) -> ExitCode {
    // Files first: a missing or malformed file is a config error, before any work.
    let inputs = match load_inputs(&cli.command) {
        Ok(inputs) => inputs,
        Err(message) => {
            let mut out = ProtocolWriter::new(Vec::new());
            out.error(FailureType::Config, &message, None);
            out.flush();
            return ExitCode::FAILURE;
        }
    };
    let cache_dir = cli.cache_dir.clone().unwrap_or_else(default_cache_dir);
    let runtime = match Runtime::load(cli.component.as_deref(), Some(&cache_dir)) {
        Ok(rt) => rt,
        Err(e) => {
            let mut out = ProtocolWriter::new(Vec::new());
            out.error(FailureType::System, &format!("cannot load the connector component: {e:#}"), None);
            out.flush();
            return ExitCode::FAILURE;
        }
    };
    let base_url = cli.api_base_url.clone().map(|u| u.trim_end_matches('/').to_string());
    let policy = SandboxPolicy::new(SandboxOptions {
        api_base_url: base_url.as_deref(),
        allowed_authorities: &cli.allowed_authorities,
        http_timeout_seconds: cli.http_timeout_seconds,
        max_memory_mib: cli.max_memory_mib,
        max_run_seconds: cli.max_run_seconds,
    });
    // The spec says which config fields are secrets: their values are masked in every message.
    let (out, spec) = runtime.call(Export::Spec, ProtocolWriter::new(Vec::new()), base_url.clone(), &policy).await;
    let secrets = match (&spec, &inputs.config) {
        (Ok(Answer::Spec(spec)), Some((_, config))) => {
            serde_json::from_str(spec).map(|spec| protocol::secrets_of(&spec, config)).unwrap_or_default()
        }
        _ => Vec::new(),
    };
    let mut secrets = secrets;
    if let Command::Sync { db, .. } = &cli.command {
        secrets.extend(sync::url_password(db));
    }
    let out = out.with_secrets(secrets);
    let config = inputs.config.map(|(text, _)| text).unwrap_or_default();
    let (mut out, result) = match cli.command {
        Command::Spec => (out, spec),
        Command::Check { .. } => runtime.call(Export::Check { config }, out, base_url, &policy).await,
        Command::Discover { .. } => runtime.call(Export::Discover { config }, out, base_url, &policy).await,
        Command::Read { .. } => {
            let catalog = inputs.catalog.unwrap_or_default();
            let streams = serde_json::from_str::<Value>(&catalog).ok().and_then(|c| c["streams"].as_array().map(Vec::len)).unwrap_or(0);
            let out = out.with_progress(progress::Progress::start(streams));
            let export = Export::Read { config, catalog, state: inputs.state };
            let (mut out, result) = runtime.call(export, out, base_url, &policy).await;
            out.finish_progress();
            (out, result)
        }
        Command::Sync { ref streams, ref db, full_refresh, .. } => {
            let args = sync::SyncArgs { streams: streams.as_deref().map(sync::stream_list), db: db.clone(), full_refresh };
            let ok = sync::run(&runtime, &policy, base_url, config, out, &args).await;
            return if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE };
        }
    };
    let ok = match result {
        Ok(answer) => {
            answer_message(&mut out, answer);
            true
        }
        // Airbyte's convention (and the reference's): a check that ran and found the config or
        // the credentials wanting is a FAILED status with exit 0; non-zero is for a check that
        // could not run.
        Err(f) if f.answered && matches!(cli.command, Command::Check { .. }) => {
            out.log("ERROR", &format!("check failed ({}): {}", f.failure.as_str(), f.message));
            out.message(&json!({"type": "CONNECTION_STATUS", "connectionStatus": {"status": "FAILED", "message": out.mask(&f.message)}}));
            true
        }
        Err(f) => {
            out.error(f.failure, &f.message, f.stream.as_deref());
            false
        }
    };
    out.flush();
    if ok { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

/// The message a successful command prints.
fn answer_message(out: &mut ProtocolWriter, answer: Answer) {
    let parsed = |text: &str, what: &str| serde_json::from_str::<Value>(text).map_err(|e| format!("the connector returned an unreadable {what}: {e}"));
    let message = match answer {
        Answer::Spec(spec) => parsed(&spec, "spec").map(|spec| json!({"type": "SPEC", "spec": spec})),
        Answer::Catalog(catalog) => parsed(&catalog, "catalog").map(|catalog| json!({"type": "CATALOG", "catalog": catalog})),
        Answer::Checked(reached) => Ok(json!({"type": "CONNECTION_STATUS", "connectionStatus": {"status": "SUCCEEDED", "message": reached}})),
        Answer::Read => return,
    };
    match message {
        Ok(message) => out.message(&message),
        Err(e) => out.error(FailureType::System, &e, None),
    }
}

struct Inputs {
    config: Option<(String, Value)>,
    catalog: Option<String>,
    /// The state as the component takes it: `{"<stream>": <stream_state>, ...}`.
    state: Option<String>,
}

fn load_inputs(command: &Command) -> Result<Inputs, String> {
    let mut inputs = Inputs { config: None, catalog: None, state: None };
    match command {
        Command::Spec => {}
        Command::Check { config } | Command::Discover { config } | Command::Sync { config, .. } => {
            inputs.config = Some(read_json_file(config, "config")?);
        }
        Command::Read { config, catalog, state } => {
            inputs.config = Some(read_json_file(config, "config")?);
            inputs.catalog = Some(read_json_file(catalog, "catalog")?.0);
            if let Some(path) = state {
                let (_, value) = read_json_file(path, "state")?;
                let per_stream = state_file::per_stream(value)
                    .map_err(|why| format!("the state file {}: {why}", path.display()))?;
                inputs.state = Some(per_stream.to_string());
            }
        }
    }
    Ok(inputs)
}
