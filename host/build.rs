//! Embeds the connector component in the host binary. The component is built first, for the
//! wasm32-wasip2 target (`make build` does both in order).

use std::path::PathBuf;

fn main() {
    let path = match std::env::var("TIKTOK_CONNECTOR_WASM") {
        Ok(p) => PathBuf::from(p),
        Err(_) => {
            let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
            manifest.join("../target/wasm32-wasip2/release/tiktok_connector.wasm")
        }
    };
    println!("cargo:rerun-if-env-changed=TIKTOK_CONNECTOR_WASM");
    println!("cargo:rerun-if-changed={}", path.display());
    if !path.exists() {
        panic!(
            "the connector component {} does not exist: build it first with \
             `cargo build --release --target wasm32-wasip2 -p tiktok-connector` (or `make build`)",
            path.display()
        );
    }
    let path = path.canonicalize().unwrap();
    println!("cargo:rustc-env=TIKTOK_CONNECTOR_WASM={}", path.display());
}
