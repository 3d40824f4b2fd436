//! The host side of the WIT contract (`wit/connector.wit`), generated: the runtime links it,
//! the protocol writer implements its `output` import.

wasmtime::component::bindgen!({
    world: "source",
    path: "../wit",
    exports: { default: async },
    // A database write that failed stops the guest at once (sync).
    imports: {
        "tiktok:connector/output.emit-records": trappable,
        "tiktok:connector/output.emit-state": trappable,
        "tiktok:connector/output.emit-stream-status": trappable,
    },
});
