//! What the component's imports reach: the store's state (WASI and wasi-http confined by the
//! sandbox policy, the run's [`Output`], the API root), and the `output` import handed to that
//! output. An output that stops taking items stops the guest with its typed error.

use wasmtime::component::{HasSelf, Linker, ResourceTable};
use wasmtime::Result;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use crate::bindings::tiktok::connector::{environment, output, types};
use crate::output::{LogLevel, Output, OutputError, RequestProgress, StreamStatus};
use crate::sandbox::{AllowList, MemoryCap};

/// Everything the component can reach through its imports during one call.
pub struct HostState<O> {
    pub wasi: WasiCtx,
    pub http: WasiHttpCtx,
    pub table: ResourceTable,
    pub hooks: AllowList,
    pub limiter: MemoryCap,
    pub out: O,
    pub api_base_url: Option<String>,
}

/// The linker of a store whose output is an `O`: WASI, wasi-http and the connector's
/// interfaces.
pub fn linker<O: Output + 'static>(engine: &wasmtime::Engine) -> Result<Linker<HostState<O>>> {
    let mut linker = Linker::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    output::add_to_linker::<HostState<O>, HasSelf<HostState<O>>>(&mut linker, |s| s)?;
    types::add_to_linker::<HostState<O>, HasSelf<HostState<O>>>(&mut linker, |s| s)?;
    environment::add_to_linker::<HostState<O>, HasSelf<HostState<O>>>(&mut linker, |s| s)?;
    Ok(linker)
}

impl<O: Send> WasiView for HostState<O> {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl<O: Send> WasiHttpView for HostState<O> {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: &mut self.hooks }
    }
}

impl<O> environment::Host for HostState<O> {
    fn api_base_url(&mut self) -> Option<String> {
        self.api_base_url.clone()
    }
}

/// The guest stops at once when the output stopped taking items (the database writer failed).
fn stopped(result: std::result::Result<(), OutputError>) -> Result<()> {
    result.map_err(wasmtime::Error::new)
}

/// What the component emits through its `output` import, handed to the run's output.
impl<O: Output> output::Host for HostState<O> {
    fn emit_records(&mut self, stream_name: String, records: Vec<String>) -> Result<()> {
        stopped(self.out.records(&stream_name, records))
    }

    fn emit_state(&mut self, stream_name: String, state: String) -> Result<()> {
        match serde_json::from_str(&state) {
            Ok(state) => stopped(self.out.state(&stream_name, state)),
            Err(e) => {
                self.out
                    .log(LogLevel::Error, &format!("the connector emitted an unreadable state for {stream_name}: {e}"));
                Ok(())
            }
        }
    }

    fn emit_log(&mut self, level: LogLevel, message: String) {
        self.out.log(level, &message);
    }

    fn emit_stream_status(&mut self, stream_name: String, status: StreamStatus) -> Result<()> {
        stopped(self.out.stream_status(&stream_name, status))
    }

    fn emit_progress(&mut self, progress: RequestProgress) {
        self.out.progress(&progress);
    }
}

impl<O> types::Host for HostState<O> {}
