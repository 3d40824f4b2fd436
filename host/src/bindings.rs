//! The host side of the WIT contract (`wit/connector.wit`), generated: `imports.rs` links it
//! and hands its `output` import to the run's output.

wasmtime::component::bindgen!({
    world: "source",
    path: "../wit",
    exports: { default: async },
    // An output that stopped taking items (a database write failed) stops the guest at once.
    imports: {
        "tiktok:connector/output.emit-records": trappable,
        "tiktok:connector/output.emit-state": trappable,
        "tiktok:connector/output.emit-stream-status": trappable,
    },
});
