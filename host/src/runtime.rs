//! The sandbox: engine, compiled-component cache, store limits, and which hosts the component
//! may reach. The connector logic stays in the component; this module only decides what it may
//! touch and turns its output into protocol messages.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use wasmtime::{format_err, Result};
use wasmtime::component::{Component, HasSelf, Linker, ResourceTable};
use wasmtime::{Config, Engine, ResourceLimiter, Store};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpHooks, WasiHttpView};

use crate::protocol::{FailureType, ProtocolWriter};

wasmtime::component::bindgen!({
    world: "source",
    path: "../wit",
    exports: { default: async },
});

use tiktok::connector::types::{FailureKind, LogLevel, StreamStatus};

/// The component this binary was built with.
pub static EMBEDDED_COMPONENT: &[u8] = include_bytes!(env!("TIKTOK_CONNECTOR_WASM"));

/// TikTok's production and sandbox API hosts: the only ones reachable by default.
pub const TIKTOK_AUTHORITIES: &[&str] = &["business-api.tiktok.com:443", "sandbox-ads.tiktok.com:443"];

/// What the sandbox allows the component.
pub struct Limits {
    pub max_memory_bytes: usize,
    pub max_run_time: Duration,
    pub connect_timeout: Duration,
    /// Longest wait for the first byte of a response and between bytes of a body.
    pub response_timeout: Duration,
    /// Replaces the default allow-list when not empty.
    pub allowed_authorities: Vec<String>,
}

/// Outbound HTTP policy: exact authorities only, with timeouts filled in where the guest set
/// none (wasmtime's defaults are 600 s).
struct AllowList {
    authorities: Vec<String>,
    connect_timeout: Duration,
    response_timeout: Duration,
}

/// `host:port`, lowercase, with the scheme's default port made explicit.
fn normalized_authority(uri: &http::Uri) -> Option<String> {
    let host = uri.host()?.to_ascii_lowercase();
    let port = uri.port_u16().unwrap_or(if uri.scheme_str() == Some("http") { 80 } else { 443 });
    Some(format!("{host}:{port}"))
}

impl WasiHttpHooks for AllowList {
    fn send_request(
        &mut self,
        request: http::Request<wasmtime_wasi_http::WasiBody>,
        options: Option<wasmtime_wasi_http::RequestOptions>,
        fut: Box<dyn std::future::Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
    ) -> Box<
        dyn std::future::Future<
                Output = wasmtime_wasi_http::Result<(
                    http::Response<wasmtime_wasi_http::WasiBody>,
                    Box<dyn std::future::Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
                )>,
            > + Send,
    > {
        drop(fut);
        let allowed = normalized_authority(request.uri()).is_some_and(|a| self.authorities.contains(&a));
        if !allowed {
            return Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) });
        }
        let mut options = options.unwrap_or_default();
        options.connect_timeout.get_or_insert(self.connect_timeout);
        options.first_byte_timeout.get_or_insert(self.response_timeout);
        options.between_bytes_timeout.get_or_insert(self.response_timeout);
        Box::new(async move {
            use http_body_util::BodyExt;
            let (response, io) = wasmtime_wasi_http::default_send_request(request, Some(options)).await?;
            Ok((
                response.map(BodyExt::boxed_unsync),
                Box::new(io) as Box<dyn std::future::Future<Output = _> + Send>,
            ))
        })
    }
}

/// Caps guest memory and remembers whether the cap was what stopped it.
struct MemoryCap {
    max_bytes: usize,
    hit: Arc<AtomicBool>,
}

impl ResourceLimiter for MemoryCap {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> Result<bool> {
        let ok = desired <= self.max_bytes;
        if !ok {
            self.hit.store(true, Ordering::Relaxed);
        }
        Ok(ok)
    }
    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> Result<bool> {
        Ok(desired <= 1_000_000)
    }
}

/// Everything the component can reach through its imports.
pub struct HostState {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    hooks: AllowList,
    limiter: MemoryCap,
    out: ProtocolWriter,
    api_base_url: Option<String>,
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl WasiHttpView for HostState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: &mut self.hooks }
    }
}

impl tiktok::connector::types::Host for HostState {}

impl tiktok::connector::output::Host for HostState {
    fn emit_records(&mut self, stream_name: String, records: Vec<String>) {
        self.out.records(&stream_name, &records);
    }

    fn emit_state(&mut self, stream_name: String, state: String) {
        match serde_json::from_str(&state) {
            Ok(state) => self.out.state(&stream_name, state),
            Err(e) => self.out.log("ERROR", &format!("the connector emitted an unreadable state for {stream_name}: {e}")),
        }
    }

    fn emit_log(&mut self, level: LogLevel, message: String) {
        let level = match level {
            LogLevel::Debug => "DEBUG",
            LogLevel::Info => "INFO",
            LogLevel::Warn => "WARN",
            LogLevel::Error => "ERROR",
        };
        self.out.log(level, &message);
    }

    fn emit_stream_status(&mut self, stream_name: String, status: StreamStatus) {
        let status = match status {
            StreamStatus::Started => "STARTED",
            StreamStatus::Running => "RUNNING",
            StreamStatus::Complete => "COMPLETE",
            StreamStatus::Incomplete => "INCOMPLETE",
        };
        self.out.stream_status(&stream_name, status);
    }
}

impl tiktok::connector::environment::Host for HostState {
    fn api_base_url(&mut self) -> Option<String> {
        self.api_base_url.clone()
    }
}

/// A failure of one run, classified for the TRACE message.
pub struct RunFailure {
    pub failure: FailureType,
    pub message: String,
    pub stream: Option<String>,
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
        }
    }
}

/// A loaded component, ready to run one command.
pub struct Runtime {
    engine: Engine,
    component: Component,
    linker: Linker<HostState>,
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
            Some(p) => std::fs::read(p).map_err(|e| format_err!("cannot read the component {}: {e}", p.display()))?.into(),
            None => EMBEDDED_COMPONENT.into(),
        };
        let component = load_cached(&engine, &bytes, cache_dir)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        tiktok::connector::output::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |s| s)?;
        tiktok::connector::environment::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |s| s)?;
        tiktok::connector::types::add_to_linker::<HostState, HasSelf<HostState>>(&mut linker, |s| s)?;
        Ok(Runtime { engine, component, linker })
    }

    /// Run one export in a fresh sandboxed store. `call` gets the instance and the store.
    pub async fn run<T>(
        &self,
        out: ProtocolWriter,
        api_base_url: Option<String>,
        limits: &Limits,
        call: impl for<'a> FnOnce(&'a Source, &'a mut Store<HostState>) -> std::pin::Pin<Box<dyn std::future::Future<Output = wasmtime::Result<T>> + Send + 'a>>,
    ) -> (ProtocolWriter, std::result::Result<T, RunFailure>) {
        let mut authorities: Vec<String> = TIKTOK_AUTHORITIES.iter().map(|s| s.to_string()).collect();
        if !limits.allowed_authorities.is_empty() {
            authorities = limits.allowed_authorities.clone();
        } else if let Some(base) = &api_base_url {
            // With another API root, exactly that authority is reachable and nothing else.
            authorities = base.parse::<http::Uri>().ok().as_ref().and_then(normalized_authority).into_iter().collect();
        }
        let memory_hit = Arc::new(AtomicBool::new(false));
        // The guest's stderr (where a Rust panic message goes) is kept for the crash report.
        let guest_stderr = wasmtime_wasi::p2::pipe::MemoryOutputPipe::new(64 * 1024);
        let state = HostState {
            // No preopened directories, no environment, no arguments, no sockets.
            wasi: WasiCtx::builder()
                .stderr(guest_stderr.clone())
                .allow_tcp(false)
                .allow_udp(false)
                .allow_ip_name_lookup(false)
                .build(),
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
            hooks: AllowList {
                authorities,
                connect_timeout: limits.connect_timeout,
                response_timeout: limits.response_timeout,
            },
            limiter: MemoryCap { max_bytes: limits.max_memory_bytes, hit: memory_hit.clone() },
            out,
            api_base_url,
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limiter);
        store.epoch_deadline_async_yield_and_update(1);

        let ticker_engine = self.engine.clone();
        let stop_ticker = Arc::new(AtomicBool::new(false));
        let ticker_stop = stop_ticker.clone();
        let ticker = std::thread::spawn(move || {
            while !ticker_stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(50));
                ticker_engine.increment_epoch();
            }
        });

        let outcome = async {
            let instance = Source::instantiate_async(&mut store, &self.component, &self.linker).await?;
            call(&instance, &mut store).await
        };
        let result = match tokio::time::timeout(limits.max_run_time, outcome).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(trap)) => Err(RunFailure {
                failure: FailureType::System,
                message: if memory_hit.load(Ordering::Relaxed) {
                    format!(
                        "the connector ran out of memory: it reached the guest memory limit of {} MiB (--max-memory-mib)",
                        limits.max_memory_bytes >> 20
                    )
                } else {
                    crash_report(&trap, &guest_stderr.contents())
                },
                stream: None,
            }),
            Err(_) => Err(RunFailure {
                failure: FailureType::Transient,
                message: format!(
                    "the connector did not finish within the run-time limit of {} s (--max-run-seconds)",
                    limits.max_run_time.as_secs()
                ),
                stream: None,
            }),
        };
        stop_ticker.store(true, Ordering::Relaxed);
        let _ = ticker.join();
        (store.into_data().out, result)
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
    let compiled = engine.precompile_component(bytes).map_err(|e| format_err!("cannot compile the component: {e:#}"))?;
    // Caching is an optimisation: a read-only or missing cache directory only costs time.
    if std::fs::create_dir_all(dir).is_ok() {
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::write(&tmp, &compiled).is_ok() {
            let _ = std::fs::rename(&tmp, &path);
        }
    }
    // SAFETY: these bytes were produced by `precompile_component` on this engine just now.
    unsafe { Component::deserialize(engine, &compiled) }.map_err(|e| format_err!("cannot load the compiled component: {e:#}"))
}
