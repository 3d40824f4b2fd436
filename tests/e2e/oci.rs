//! The image `make image` writes, run by a real OCI runtime: podman with runc (Debian's packages,
//! which `scripts/setup.sh test` installs) loads the archive into a store of the test's own and
//! runs `spec`, `check` and `read` as the image says (its entrypoint, user airbyte, environment),
//! against the simulator on the host's loopback. They print what the release binary prints.
//! Podman runs as root (through `sudo -n` when the suite is not root). When it cannot, the test
//! says why and is skipped; with `CI=true`, a runtime that cannot start a container fails it.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use harness::*;
use serde_json::json;
use tiktok_sim::SimConfig;

use crate::image::{comparable, image_archive, is_root, skip};

const TEST: &str = "the_image_run_by_podman_prints_what_the_release_binary_prints";
const TAG: &str = concat!("docker.io/airbyte/source-tiktok-marketing:", env!("CARGO_PKG_VERSION"));

/// Podman as root, with its store under `dir`, removed when dropped.
struct Podman {
    sudo: bool,
    dir: PathBuf,
}

fn on_path(tool: &str) -> bool {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).chain([PathBuf::from("/usr/sbin")]).any(|dir| dir.join(tool).exists())
}

impl Podman {
    /// Podman, or why it cannot run here.
    fn new(dir: PathBuf) -> Result<Podman, String> {
        for tool in ["podman", "runc"] {
            if !on_path(tool) {
                return Err(format!("{tool} is not installed (`bash scripts/setup.sh test` installs podman and runc)"));
            }
        }
        let sudo = !is_root();
        if sudo && !Command::new("sudo").args(["-n", "true"]).output().is_ok_and(|o| o.status.success()) {
            return Err("needs root: podman runs the image as root (rootless podman needs subordinate uids set \
                        up), and this user is not root and has no passwordless sudo (`sudo -n true` failed)"
                .into());
        }
        Ok(Podman { sudo, dir })
    }

    fn command(&self) -> Command {
        let mut command = if self.sudo { Command::new("sudo") } else { Command::new("podman") };
        if self.sudo {
            command.args(["-n", "podman"]);
        }
        // A store, run and temporary directories of the test's own, so that it finds nothing and
        // leaves nothing behind; vfs, as overlay keeps its store mounted after the run (nothing
        // to remove with `rm`) and cannot mount on every /tmp, and copying 44 MB is quick; no
        // event log; runc, since crun refuses hosts with cgroup v1 and v2 mounted together (this
        // one, so no `--cgroups=disabled`, which runc does not take).
        command
            .arg("--root")
            .arg(self.dir.join("root"))
            .arg("--runroot")
            .arg(self.dir.join("run"))
            .arg("--tmpdir")
            .arg(self.dir.join("tmp"))
            .args(["--storage-driver", "vfs", "--events-backend", "none", "--runtime", "runc"]);
        command
    }

    fn output(&self, command: &mut Command) -> Output {
        command.output().unwrap_or_else(|e| panic!("{command:?}: {e}"))
    }

    /// `podman run` of the image with `args`, the directory `source` at `/source`, and `env`.
    /// `--network host`: the simulator listens on the host's 127.0.0.1. `--ulimit`: podman's
    /// defaults for root (1,048,576 open files) exceed the hard limits of some hosts (20,000
    /// here), which root without CAP_SYS_RESOURCE cannot raise: the caller's own, and few
    /// processes. `--memory`: the container's cgroup is podman's, not the caller's, so bound it.
    fn run(&self, entrypoint: Option<&str>, args: &[&str], source: &Path, env: &[(&str, String)]) -> Output {
        let mut command = self.command();
        command
            .args(["run", "--rm", "--network", "host", "--memory", "2g", "--ulimit", "nproc=4096:4096"])
            .args(["--ulimit", &format!("nofile={}", open_files_limit())])
            .arg("--volume")
            .arg(format!("{}:/source:ro", source.display()));
        for (key, value) in env {
            command.args(["--env", &format!("{key}={value}")]);
        }
        if let Some(entrypoint) = entrypoint {
            command.args(["--entrypoint", entrypoint]);
        }
        command.arg(TAG).args(args);
        self.output(&mut command)
    }
}

impl Drop for Podman {
    fn drop(&mut self) {
        // vfs leaves no mount behind once `run --rm` ends: removing the files is enough.
        let mut rm = if self.sudo { Command::new("sudo") } else { Command::new("rm") };
        if self.sudo {
            rm.args(["-n", "rm"]);
        }
        let _ = rm.arg("-rf").arg(&self.dir).status();
    }
}

/// This process's `soft:hard` limit of open files, which the release binary runs with too.
fn open_files_limit() -> String {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
    let line = limits.lines().find(|l| l.starts_with("Max open files")).unwrap();
    let fields: Vec<&str> = line.split_whitespace().collect();
    format!("{}:{}", fields[3], fields[4])
}

#[test]
fn the_image_run_by_podman_prints_what_the_release_binary_prints() {
    let h = Harness::new("oci", SimConfig::default());
    let podman = match Podman::new(h.dir.join("podman")) {
        Ok(podman) => podman,
        Err(reason) => return skip(TEST, &reason),
    };
    let load = podman.output(podman.command().args(["load", "--quiet", "--input"]).arg(image_archive()));
    assert!(load.status.success(), "podman load failed: {}", String::from_utf8_lossy(&load.stderr));

    // Whether the runtime can start a container in this kernel at all.
    let source = h.dir.join("source");
    std::fs::create_dir_all(&source).unwrap();
    let probe = podman.run(Some("/bin/true"), &[], &source, &[]);
    if !probe.status.success() {
        let reason = format!(
            "runc cannot start a container here: {}",
            String::from_utf8_lossy(&probe.stderr).trim().replace('\n', " | ")
        );
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{reason}");
        return skip(TEST, &reason);
    }

    let mut config = h.oauth_config();
    config["start_date"] = json!(days_ago(10).to_string());
    let catalog = h.configured_catalog(&config, &["advertisers", "campaigns", "ads_reports_daily"], false);
    // Files the container's user (uid 1000) can read, in a directory it can enter, whatever the
    // caller's umask.
    std::fs::write(source.join("config.json"), config.to_string()).unwrap();
    std::fs::write(source.join("catalog.json"), catalog.to_string()).unwrap();
    for (path, mode) in [("", 0o755), ("config.json", 0o644), ("catalog.json", 0o644)] {
        std::fs::set_permissions(source.join(path), std::fs::Permissions::from_mode(mode)).unwrap();
    }
    let config_path = h.write("config.json", &config);
    let catalog_path = h.write("catalog.json", &catalog);
    let env = [("TIKTOK_API_BASE_URL", h.sim.base_url())];

    let operations: [(Vec<&str>, Vec<&str>); 3] = [
        (vec!["spec"], vec!["spec"]),
        (vec!["check", "--config", "/source/config.json"], vec!["check", "--config", &config_path]),
        (
            vec!["read", "--config", "/source/config.json", "--catalog", "/source/catalog.json"],
            vec!["read", "--config", &config_path, "--catalog", &catalog_path],
        ),
    ];
    for (in_image, native) in operations {
        let inside = parse_run(podman.run(None, &in_image, &source, &env));
        let outside = h.run(&native);
        assert_eq!(inside.exit_code, 0, "{in_image:?}: {}\n{}", inside.stderr, inside.stdout);
        outside.assert_success();
        assert!(!inside.messages.is_empty(), "{in_image:?} printed nothing");
        if in_image[0] == "read" {
            assert!(!inside.of_type("RECORD").is_empty(), "the read in the image gave no record");
        }
        let (inside, outside) = (comparable(&inside), comparable(&outside));
        assert!(
            inside == outside,
            "{in_image:?}: podman's run printed {} messages, the binary {}; they differ",
            inside.0.len(),
            outside.0.len()
        );
    }
}
