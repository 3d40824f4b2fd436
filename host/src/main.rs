//! `source-tiktok-marketing`: the TikTok Marketing source connector with the command line of
//! the reference Airbyte connector (`spec`, `check`, `discover`, `read`). The connector logic
//! runs as a sandboxed WebAssembly component; this binary is its host.

mod airbyte;
mod bindings;
mod imports;
mod inputs;
mod masking;
mod output;
mod progress;
mod runtime;
mod sandbox;
mod state_file;
mod sync;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use serde_json::{json, Value};

use airbyte::Airbyte;
use masking::Masked;
use output::{FailureType, LogLevel, Output};
use progress::WithProgress;
use runtime::{Answer, Cause, Export, RunFailure, Runtime};
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

impl Command {
    /// The files the command names: config, catalog, state.
    fn files(&self) -> (Option<&PathBuf>, Option<&PathBuf>, Option<&PathBuf>) {
        match self {
            Command::Spec => (None, None, None),
            Command::Check { config } | Command::Discover { config } | Command::Sync { config, .. } => {
                (Some(config), None, None)
            }
            Command::Read { config, catalog, state } => (Some(config), Some(catalog), state.as_ref()),
        }
    }
}

/// What every command has before its own work: its inputs, the component, the sandbox, the
/// spec's answer, and the values to mask (the config's `airbyte_secret` fields, the database
/// password).
struct Ready {
    inputs: inputs::Inputs,
    runtime: Runtime,
    policy: SandboxPolicy,
    base_url: Option<String>,
    spec: Result<Answer, RunFailure>,
    secrets: Vec<String>,
    out: Airbyte,
}

async fn run(cli: Cli) -> ExitCode {
    let Some(ready) = get_ready(&cli).await else { return ExitCode::FAILURE };
    let Ready { inputs, runtime, policy, base_url, spec, secrets, out } = ready;
    let config = inputs.config.map(|(text, _)| text).unwrap_or_default();
    let out = Masked::new(out, secrets.clone());
    let ok = match cli.command {
        Command::Spec => answer(out, spec, false),
        Command::Check { .. } => {
            let (out, result) = runtime.call(Export::Check { config }, out, base_url, &policy).await;
            answer(out, result, true)
        }
        Command::Discover { .. } => {
            let (out, result) = runtime.call(Export::Discover { config }, out, base_url, &policy).await;
            answer(out, result, false)
        }
        Command::Read { .. } => {
            let catalog = inputs.catalog.unwrap_or_default();
            let streams = serde_json::from_str::<Value>(&catalog)
                .ok()
                .and_then(|c| c["streams"].as_array().map(Vec::len))
                .unwrap_or(0);
            let export = Export::Read { config, catalog, state: inputs.state };
            let (out, result) = runtime.call(export, WithProgress::new(out, streams), base_url, &policy).await;
            answer(out.into_inner(), result, false)
        }
        Command::Sync { streams, db, full_refresh, .. } => {
            let args = sync::SyncArgs { streams: streams.as_deref().map(sync::stream_list), db, full_refresh };
            sync::run(&runtime, &policy, base_url, config, secrets, &args).await
        }
    };
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Read the input files, load the component, set the sandbox and ask the spec. Whatever fails
/// is written as a TRACE error; None then.
async fn get_ready(cli: &Cli) -> Option<Ready> {
    let mut out = Airbyte::stdout();
    // Files first: a missing or malformed file is a config error, before any work.
    let (config, catalog, state) = cli.command.files();
    let inputs =
        match inputs::load(config.map(PathBuf::as_path), catalog.map(PathBuf::as_path), state.map(PathBuf::as_path)) {
            Ok(inputs) => inputs,
            Err(message) => {
                out.error(FailureType::Config, &message, None);
                return None;
            }
        };
    let cache_dir = cli.cache_dir.clone().unwrap_or_else(default_cache_dir);
    let runtime = match Runtime::load(cli.component.as_deref(), Some(&cache_dir)) {
        Ok(rt) => rt,
        Err(e) => {
            out.error(FailureType::System, &format!("cannot load the connector component: {e:#}"), None);
            return None;
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
    let (out, spec) = runtime.call(Export::Spec, out, base_url.clone(), &policy).await;
    let mut secrets = match (&spec, &inputs.config) {
        (Ok(Answer::Spec(spec)), Some((_, config))) => {
            serde_json::from_str(spec).map(|spec| masking::secrets_of(&spec, config)).unwrap_or_default()
        }
        _ => Vec::new(),
    };
    if let Command::Sync { db, .. } = &cli.command {
        secrets.extend(sync::url_password(db));
    }
    Some(Ready { inputs, runtime, policy, base_url, spec, secrets, out })
}

/// Write what an Airbyte command answered; true when it succeeded. `check`: Airbyte's
/// convention (and the reference's) is that a check that ran and found the config or the
/// credentials wanting is a FAILED status with exit 0; non-zero is for a check that could
/// not run.
fn answer(mut out: Masked<Airbyte>, result: Result<Answer, RunFailure>, check: bool) -> bool {
    let ok = match result {
        Ok(answer) => {
            answer_message(&mut out, answer);
            true
        }
        Err(f) if check && f.cause == Cause::Answered => {
            out.log(LogLevel::Error, &format!("check failed ({}): {}", f.failure.as_str(), f.message));
            let message = out.mask(&f.message);
            out.inner().message(
                &json!({"type": "CONNECTION_STATUS", "connectionStatus": {"status": "FAILED", "message": message}}),
            );
            true
        }
        Err(f) => {
            out.error(f.failure, &f.message, f.stream.as_deref());
            false
        }
    };
    out.finish();
    ok
}

/// The message a successful command prints.
fn answer_message(out: &mut Masked<Airbyte>, answer: Answer) {
    let parsed = |text: &str, what: &str| {
        serde_json::from_str::<Value>(text).map_err(|e| format!("the connector returned an unreadable {what}: {e}"))
    };
    let message = match answer {
        Answer::Spec(spec) => parsed(&spec, "spec").map(|spec| json!({"type": "SPEC", "spec": spec})),
        Answer::Catalog(catalog) => {
            parsed(&catalog, "catalog").map(|catalog| json!({"type": "CATALOG", "catalog": catalog}))
        }
        Answer::Checked(reached) => Ok(
            json!({"type": "CONNECTION_STATUS", "connectionStatus": {"status": "SUCCEEDED", "message": out.mask(&reached)}}),
        ),
        Answer::Read => return,
    };
    match message {
        Ok(message) => out.inner().message(&message),
        Err(e) => out.error(FailureType::System, &e, None),
    }
}
