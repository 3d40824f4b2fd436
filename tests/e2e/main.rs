//! The end-to-end suite, one test binary: each module starts the simulator on 127.0.0.1 and runs
//! the release host binary (with its embedded component) against it; the harness is this crate's
//! library (`harness/`).

mod assets;
mod custom_reports;
mod foundation;
mod image;
mod inactive_days;
mod metric_catalogue;
mod oci;
mod protocol;
mod reliability;
mod reports;
mod simulator;
mod sync;
