//! Runs of the real release host binary, built up the same way everywhere: from a scratch
//! directory, with the shared component cache and nothing from the caller's environment that
//! points it elsewhere; then waited for (`run`), or spawned for a test that kills it.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::run::{parse_run, Run};

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The release host (`make build` makes it); a debug host would JIT the component 25× slower.
pub fn host_binary() -> PathBuf {
    let path = std::env::var_os("SOURCE_TIKTOK_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/release/source-tiktok-marketing"));
    assert!(path.exists(), "{} is missing: run `make build` first", path.display());
    path
}

/// One host command, being built.
pub struct Host {
    command: Command,
}

impl Host {
    /// The host, run from `dir`, with the suite's component cache.
    pub fn new(dir: &Path) -> Host {
        Host::with_cache(dir, &workspace_root().join("target/component-cache"))
    }

    /// The host with a component cache of its own (start-up measurements).
    pub fn with_cache(dir: &Path, cache: &Path) -> Host {
        Host::wrapped(dir, cache, &[])
    }

    /// The host run under `wrapper` (e.g. `/usr/bin/time -f …`).
    pub fn wrapped(dir: &Path, cache: &Path, wrapper: &[&str]) -> Host {
        let mut command = match wrapper.split_first() {
            Some((program, args)) => {
                let mut c = Command::new(program);
                c.args(args).arg(host_binary());
                c
            }
            None => Command::new(host_binary()),
        };
        command
            .current_dir(dir)
            .env("SOURCE_TIKTOK_CACHE_DIR", cache)
            .env_remove("TIKTOK_API_BASE_URL")
            .stdin(Stdio::null());
        Host { command }
    }

    pub fn args<S: AsRef<std::ffi::OsStr>>(mut self, args: impl IntoIterator<Item = S>) -> Host {
        self.command.args(args);
        self
    }

    /// Run to the end and parse what it printed.
    pub fn run(mut self) -> Run {
        parse_run(self.command.output().expect("run the host"))
    }

    /// Start it with stdout piped (for a test that reads it and kills the host) or discarded;
    /// stderr is discarded.
    pub fn spawn(mut self, read_stdout: bool) -> Child {
        let stdout = if read_stdout { Stdio::piped() } else { Stdio::null() };
        self.command.stdout(stdout).stderr(Stdio::null()).spawn().expect("start the host")
    }
}

/// Run the host with `args`, from `dir`, and parse every stdout line as a protocol message.
pub fn run_host(dir: &Path, args: &[&str]) -> Run {
    Host::new(dir).args(args).run()
}
