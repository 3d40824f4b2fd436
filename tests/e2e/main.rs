//! The end-to-end suite, one test binary: each module starts the simulator on 127.0.0.1 and runs
//! the release host binary (with its embedded component) against it; the harness is this crate's
//! library (`harness/`).

mod assets;
mod commands;
mod custom_reports;
mod entities;
mod gmv_max;
mod image;
mod inactive_days;
mod metric_catalogue;
mod oci;
mod protocol;
mod rate_limits;
mod readings;
mod reliability;
mod report_days;
mod report_limits;
mod report_tasks;
mod reports;
mod safety;
mod simulator;
mod smart_plus;
mod sync;
