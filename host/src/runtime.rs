//! The runtime: engine, compiled-component cache, and one call of one export in a fresh store
//! set up by the sandbox policy (`sandbox.rs`). What the component emits goes to the call's
//! [`Output`] (`imports.rs`).

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use wasmtime::component::{Component, ResourceTable};
use wasmtime::{format_err, Result};
use wasmtime::{Config, Engine, Store};
use wasmtime_wasi_http::WasiHttpCtx;

use crate::bindings;
use crate::imports::{self, HostState};
use crate::output::{FailureType, Output, OutputError};
use crate::sandbox::SandboxPolicy;

use bindings::tiktok::connector::types::FailureKind;
use bindings::{ConnectorError, Source};

/// The component this binary was built with.
pub static EMBEDDED_COMPONENT: &[u8] = include_bytes!(env!("TIKTOK_CONNECTOR_WASM"));

/// One export of the component, with its inputs.
pub enum Export {
    Spec,
    Check { config: String },
    Discover { config: String },
    Read { config: String, catalog: String, state: Option<String> },
}

/// What an export answered, when it succeeded.
pub enum Answer {
    Spec(String),
    /// What the credentials reach.
    Checked(String),
    Catalog(String),
    Read,
}

/// A failure of one run, classified for the TRACE message.
pub struct RunFailure {
    pub failure: FailureType,
    pub message: String,
    pub stream: Option<String>,
    pub cause: Cause,
}

/// What ended a failed run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// The connector answered with the failure (a command that ran): a failed `check` is then
    /// a FAILED status, not an error.
    Answered,
    /// The output stopped taking what the component emitted; it says why itself.
    Output(OutputError),
    /// The host stopped the guest: a trap, the memory cap, the run-time limit.
    Stopped,
}

impl From<ConnectorError> for RunFailure {
    fn from(e: ConnectorError) -> Self {
        RunFailure {
            failure: match e.kind {
                FailureKind::ConfigError => FailureType::Config,
                FailureKind::TransientError => FailureType::Transient,
                FailureKind::SystemError => FailureType::System,
            },
            message: e.message,
            stream: e.stream_name,
            cause: Cause::Answered,
        }
    }
}

/// A loaded component, ready to run one command.
pub struct Runtime {
    engine: Engine,
    component: Component,
}

fn engine() -> Result<Engine> {
    let mut config = Config::new();
    // Epochs let the host stop a guest that blocks or spins past the run-time limit.
    config.epoch_interruption(true);
    Engine::new(&config)
}

impl Runtime {
    /// Load `component_path`, or the embedded component, reusing a compiled artifact from
    /// `cache_dir` when one matches.
    pub fn load(component_path: Option<&Path>, cache_dir: Option<&Path>) -> Result<Runtime> {
        let engine = engine()?;
        let bytes: std::borrow::Cow<[u8]> = match component_path {
            Some(p) => {
                std::fs::read(p).map_err(|e| format_err!("cannot read the component {}: {e}", p.display()))?.into()
            }
            None => EMBEDDED_COMPONENT.into(),
        };
        let component = load_cached(&engine, &bytes, cache_dir)?;
        Ok(Runtime { engine, component })
    }

    /// Call one export in a fresh store confined by `policy`; the output comes back with
    /// everything the component emitted handed to it.
    pub async fn call<O: Output + 'static>(
        &self,
        export: Export,
        out: O,
        api_base_url: Option<String>,
        policy: &SandboxPolicy,
    ) -> (O, std::result::Result<Answer, RunFailure>) {
        // The guest's stderr (where a Rust panic message goes) is kept for the crash report.
        let guest_stderr = wasmtime_wasi::p2::pipe::MemoryOutputPipe::new(64 * 1024);
        let limiter = policy.memory_cap();
        let memory_hit = limiter.was_hit();
        let state = HostState {
            wasi: policy.wasi_ctx(guest_stderr.clone()),
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
            hooks: policy.http_hooks(),
            limiter,
            out,
            api_base_url,
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limiter);
        store.epoch_deadline_async_yield_and_update(1);
        let ticker = EpochTicker::start(&self.engine);
        let outcome = async {
            let linker = imports::linker::<O>(&self.engine)?;
            let instance = Source::instantiate_async(&mut store, &self.component, &linker).await?;
            call_export(&instance, &mut store, export).await
        };
        let result = match tokio::time::timeout(policy.max_run_time, outcome).await {
            Ok(Ok(answer)) => answer.map_err(RunFailure::from),
            Ok(Err(_)) if memory_hit.load(Ordering::Relaxed) => Err(RunFailure::stopped(
                FailureType::System,
                format!(
                    "the connector ran out of memory: it reached the guest memory limit of {} MiB (--max-memory-mib)",
                    policy.max_memory_bytes >> 20
                ),
            )),
            Ok(Err(trap)) => Err(RunFailure::trapped(&trap, &guest_stderr.contents())),
            Err(_) => Err(RunFailure::stopped(
                FailureType::Transient,
                format!(
                    "the connector did not finish within the run-time limit of {} s (--max-run-seconds)",
                    policy.max_run_time.as_secs()
                ),
            )),
        };
        drop(ticker);
        (store.into_data().out, result)
    }
}

impl RunFailure {
    fn stopped(failure: FailureType, message: String) -> Self {
        RunFailure { failure, message, stream: None, cause: Cause::Stopped }
    }

    /// A trap: the output's own typed error when it stopped the guest, else a crash.
    fn trapped(trap: &wasmtime::Error, guest_stderr: &[u8]) -> Self {
        let cause = trap.downcast_ref::<OutputError>().map_or(Cause::Stopped, |e| Cause::Output(*e));
        let message = match cause {
            Cause::Output(e) => e.to_string(),
            _ => crash_report(trap, guest_stderr),
        };
        RunFailure { failure: FailureType::System, message, stream: None, cause }
    }
}

async fn call_export(
    instance: &Source,
    store: &mut Store<HostState<impl Output + 'static>>,
    export: Export,
) -> wasmtime::Result<std::result::Result<Answer, ConnectorError>> {
    Ok(match export {
        Export::Spec => Ok(Answer::Spec(instance.call_spec(store).await?)),
        Export::Check { config } => instance.call_check(store, &config).await?.map(Answer::Checked),
        Export::Discover { config } => instance.call_discover(store, &config).await?.map(Answer::Catalog),
        Export::Read { config, catalog, state } => {
            instance.call_read(store, &config, &catalog, state.as_deref()).await?.map(|()| Answer::Read)
        }
    })
}

/// Advances the engine's epoch every 50 ms while it lives, so a guest that blocks or spins
/// yields to the run-time limit.
struct EpochTicker {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl EpochTicker {
    fn start(engine: &Engine) -> Self {
        let (engine, stop) = (engine.clone(), Arc::new(AtomicBool::new(false)));
        let stopped = stop.clone();
        let thread = std::thread::spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                // Parked rather than asleep, so stopping wakes it at once (a short command
                // does not wait out the tick).
                std::thread::park_timeout(Duration::from_millis(50));
                engine.increment_epoch();
            }
        });
        Self { stop, thread: Some(thread) }
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

/// The trap's reason and what the guest printed before it, without the wasm backtrace.
fn crash_report(trap: &wasmtime::Error, stderr: &[u8]) -> String {
    let full = format!("{trap:#}");
    let reason = full.lines().last().unwrap_or("").trim();
    let printed = String::from_utf8_lossy(stderr);
    let printed = printed.trim();
    if printed.is_empty() {
        format!("the connector crashed ({reason})")
    } else {
        format!("the connector crashed ({reason}): {printed}")
    }
}

/// Compile once per component build and wasmtime configuration; later runs deserialize the
/// native code in about a millisecond instead of compiling for a third of a second.
fn load_cached(engine: &Engine, bytes: &[u8], cache_dir: Option<&Path>) -> Result<Component> {
    let Some(dir) = cache_dir else {
        return Component::new(engine, bytes).map_err(|e| format_err!("cannot compile the component: {e:#}"));
    };
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    engine.precompile_compatibility_hash().hash(&mut hasher);
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    let path: PathBuf = dir.join(format!("connector-{:016x}.cwasm", hasher.finish()));
    if path.exists() {
        // SAFETY: the file was written by `precompile_component` of this same binary version
        // and engine configuration (both are in its name), and wasmtime checks its header.
        if let Ok(component) = unsafe { Component::deserialize_file(engine, &path) } {
            return Ok(component);
        }
    }
    let compiled =
        engine.precompile_component(bytes).map_err(|e| format_err!("cannot compile the component: {e:#}"))?;
    // Caching is an optimisation: a read-only or missing cache directory only costs time.
    if std::fs::create_dir_all(dir).is_ok() {
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::write(&tmp, &compiled).is_ok() {
            let _ = std::fs::rename(&tmp, &path);
        }
    }
    // SAFETY: these bytes were produced by `precompile_component` on this engine just now.
    unsafe { Component::deserialize(engine, &compiled) }
        .map_err(|e| format_err!("cannot load the compiled component: {e:#}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trap_from_the_output_is_its_typed_error() {
        // As the guest's call returns it: the host function's error, with wasm context added.
        let trap = wasmtime::Error::new(OutputError::WriterStopped).context("error while executing at wasm backtrace");
        let failure = RunFailure::trapped(&trap, b"");
        assert_eq!(failure.cause, Cause::Output(OutputError::WriterStopped));
        assert_eq!(failure.message, "the database writer stopped");

        let crash = RunFailure::trapped(&format_err!("wasm trap: unreachable"), b"panicked at lib.rs");
        assert_eq!(crash.cause, Cause::Stopped);
        assert_eq!(crash.message, "the connector crashed (wasm trap: unreachable): panicked at lib.rs");
    }
}
