//! The image `make image` writes, run the way the Airbyte platform runs a connector, without a
//! container runtime: its layers unpacked into a root filesystem, the launcher's `sh -c` script
//! run in a chroot as uid 1000 with only the image's environment. What it prints equals what the
//! release binary prints. That run needs root (chroot, and files owned by uid 1000): not root,
//! it says so and is skipped. `oci.rs` runs the same image with a real runtime.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use harness::*;
use serde_json::{json, Value};
use tiktok_sim::SimConfig;

const ENTRYPOINT: &str = "/usr/local/bin/source-tiktok-marketing";
const CACHE: &str = "airbyte/component-cache";

struct Image {
    root: PathBuf,
    /// The layer tarballs, in order.
    layers: Vec<PathBuf>,
    /// The image config's `config` object (Env, Entrypoint, User, Labels, ...).
    config: Value,
    architecture: String,
}

fn sh(command: &mut Command) {
    let status = command.status().expect("run a command");
    assert!(status.success(), "{command:?} failed");
}

/// Whether this process is root (uid 0).
pub(crate) fn is_root() -> bool {
    let id = Command::new("id").arg("-u").output().expect("run id -u");
    String::from_utf8_lossy(&id.stdout).trim() == "0"
}

/// Say on the terminal (not in the captured output, which a passing test hides) that `test` is
/// skipped and why.
pub(crate) fn skip(test: &str, reason: &str) {
    let _ = writeln!(std::io::stderr(), "\nSKIPPED {test}: {reason}");
}

pub(crate) fn image_archive() -> PathBuf {
    let archive = workspace_root().join("target/image/source-tiktok-marketing.tar");
    assert!(archive.exists(), "{} is missing: run `make image`", archive.display());
    archive
}

/// Unpack the docker-archive's layers in order into a fresh root filesystem, with their owners
/// when root (not root, every file is the caller's).
fn unpack(dir: &Path) -> Image {
    let archive = image_archive();
    let (files, root) = (dir.join("archive"), dir.join("rootfs"));
    std::fs::create_dir_all(&files).unwrap();
    std::fs::create_dir_all(&root).unwrap();
    sh(Command::new("tar").arg("-xf").arg(&archive).arg("-C").arg(&files));
    let manifest: Value = serde_json::from_slice(&std::fs::read(files.join("manifest.json")).unwrap()).unwrap();
    let manifest = &manifest[0];
    // `docker load` names it so (docker.io is the default registry it leaves out).
    let tag = manifest["RepoTags"][0].as_str().unwrap();
    assert_eq!(
        tag.trim_start_matches("docker.io/"),
        format!("airbyte/source-tiktok-marketing:{}", env!("CARGO_PKG_VERSION"))
    );
    let layers: Vec<PathBuf> =
        manifest["Layers"].as_array().unwrap().iter().map(|l| files.join(l.as_str().unwrap())).collect();
    let owners: &[&str] = if is_root() { &["--same-owner"] } else { &[] };
    for layer in &layers {
        sh(Command::new("tar").args(owners).arg("-xpf").arg(layer).arg("-C").arg(&root));
    }
    let config: Value =
        serde_json::from_slice(&std::fs::read(files.join(manifest["Config"].as_str().unwrap())).unwrap()).unwrap();
    Image {
        root,
        layers,
        architecture: config["architecture"].as_str().unwrap().to_string(),
        config: config["config"].clone(),
    }
}

impl Image {
    fn env(&self) -> Vec<(String, String)> {
        let env = self.config["Env"].as_array().unwrap();
        env.iter()
            .map(|e| e.as_str().unwrap().split_once('=').unwrap())
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// Lay out `/source` as the platform does (config, catalog, state files owned by the job's
    /// user) and give the chroot the `/dev/null` a container runtime would.
    fn prepare_source(&self, files: &[(&str, &Value)]) {
        let source = self.root.join("source");
        let _ = std::fs::remove_dir_all(&source);
        std::fs::create_dir_all(&source).unwrap();
        for (name, value) in files {
            std::fs::write(source.join(name), value.to_string()).unwrap();
        }
        sh(Command::new("chown").args(["-R", "1000:1000"]).arg(&source));
        if !self.root.join("dev/null").exists() {
            std::fs::create_dir_all(self.root.join("dev")).unwrap();
            sh(Command::new("mknod").args(["-m", "666"]).arg(self.root.join("dev/null")).args(["c", "1", "3"]));
        }
    }

    /// The launcher's script, as uid 1000 in the image, with the image's environment plus
    /// `extra`: the entrypoint check, the command in the background with its output in files,
    /// polling with `sleep`, and the exit code moved into place with `mv`.
    fn platform_run(&self, env: &[(String, String)], operation: &str) -> Run {
        let script = format!(
            r#"if [ -z "$AIRBYTE_ENTRYPOINT" ]; then echo "Entrypoint was not set! AIRBYTE_ENTRYPOINT must be set in the container." >&2; exit 127; fi
cd /source
(eval "$AIRBYTE_ENTRYPOINT {operation}" > /source/stdout.jsonl 2> /source/stderr.txt; echo $? > /source/exit.tmp; mv /source/exit.tmp /source/exitCode.txt) &
while [ ! -f /source/exitCode.txt ]; do sleep 1; done
cat /source/stdout.jsonl
exit $(cat /source/exitCode.txt)"#
        );
        let _ = std::fs::remove_file(self.root.join("source/exitCode.txt"));
        // Found on this machine's PATH: the child's environment is the image's alone.
        let output = Command::new(on_path("chroot"))
            .arg("--userspec=1000:1000")
            .arg(&self.root)
            .args(["/bin/sh", "-c", &script])
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)))
            .output()
            .expect("chroot into the image");
        parse_run(output)
    }

    /// The uid and gid `path` (relative to `/`) has in the last layer that holds it, read from
    /// the layers' headers (so without root).
    fn owner(&self, path: &str) -> (u32, u32) {
        let mut owner = None;
        for layer in &self.layers {
            let list = Command::new("tar").args(["--numeric-owner", "-tvf"]).arg(layer).output().expect("list a layer");
            assert!(list.status.success(), "tar -tvf {} failed", layer.display());
            for line in String::from_utf8_lossy(&list.stdout).lines() {
                let fields: Vec<&str> = line.split_whitespace().collect();
                let name = fields.last().unwrap().trim_start_matches("./").trim_end_matches('/');
                if name == path {
                    let (uid, gid) = fields[1].split_once('/').unwrap();
                    owner = Some((uid.parse().unwrap(), gid.parse().unwrap()));
                }
            }
        }
        owner.unwrap_or_else(|| panic!("no layer holds /{path}"))
    }

    fn cached_components(&self) -> usize {
        std::fs::read_dir(self.root.join(CACHE)).map(|d| d.count()).unwrap_or(0)
    }
}

fn on_path(tool: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found =
        std::env::split_paths(&path).chain([PathBuf::from("/usr/sbin")]).map(|dir| dir.join(tool)).find(|p| p.exists());
    found.unwrap_or_else(|| panic!("{tool} is not installed"))
}

/// What a run said, comparable across two runs: every message but logs and states, without the
/// times they were written at, in a canonical order; and the last state of each stream (states
/// in between depend on how the advertisers' requests interleaved).
pub(crate) fn comparable(run: &Run) -> (Vec<String>, Vec<Value>) {
    let mut messages: Vec<String> = run
        .messages
        .iter()
        .filter(|m| m["type"] != "LOG" && m["type"] != "STATE")
        .map(|m| {
            let mut m = m.clone();
            if let Some(record) = m.get_mut("record") {
                record["emitted_at"] = json!(0);
            }
            if let Some(trace) = m.get_mut("trace") {
                trace["emitted_at"] = json!(0);
            }
            m.to_string()
        })
        .collect();
    messages.sort();
    let states = run.final_state().as_array().unwrap().iter().map(|s| s["stream"].clone()).collect();
    (messages, states)
}

#[test]
fn the_image_is_configured_as_the_airbyte_platform_requires() {
    let image = unpack(&scratch_dir("image-config"));
    let c = &image.config;
    assert_eq!(image.architecture, "amd64");
    assert_eq!(c["Entrypoint"], json!([ENTRYPOINT]));
    let env = image.env();
    let var = |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    assert_eq!(var("AIRBYTE_ENTRYPOINT").as_deref(), Some(ENTRYPOINT), "AIRBYTE_ENTRYPOINT must equal the entrypoint");
    assert!(var("PATH").is_some_and(|p| p.split(':').any(|d| d == "/bin")), "PATH must reach sh, sleep and mv");
    assert_eq!(var("SOURCE_TIKTOK_CACHE_DIR").as_deref(), Some(format!("/{CACHE}").as_str()));
    assert_eq!(c["User"], "airbyte");
    assert_eq!(c["Labels"]["io.airbyte.name"], "airbyte/source-tiktok-marketing");
    assert_eq!(c["Labels"]["io.airbyte.version"], env!("CARGO_PKG_VERSION"));

    let passwd = std::fs::read_to_string(image.root.join("etc/passwd")).unwrap();
    assert!(passwd.lines().any(|l| l.starts_with("airbyte:x:1000:1000:")), "{passwd}");
    let group = std::fs::read_to_string(image.root.join("etc/group")).unwrap();
    assert!(group.lines().any(|l| l.starts_with("airbyte:x:1000:")), "{group}");
    assert_eq!(image.owner("airbyte"), (1000, 1000), "/airbyte must belong to airbyte");
    assert_eq!(image.owner(CACHE), (1000, 1000), "the component cache must belong to airbyte");
    assert_eq!(image.cached_components(), 1, "the image holds the component compiled at build time");
    for tool in ["sh", "sleep", "mv"] {
        assert!(image.root.join("bin").join(tool).exists(), "the launcher needs /bin/{tool}");
    }

    // The registry metadata beside it names this image and the sandbox's hosts.
    let metadata = std::fs::read_to_string(workspace_root().join("metadata.yaml")).unwrap();
    let fields: Vec<&str> = metadata.lines().map(str::trim).collect();
    assert!(fields.contains(&format!("dockerImageTag: {}", env!("CARGO_PKG_VERSION")).as_str()));
    assert!(fields.contains(&"dockerRepository: airbyte/source-tiktok-marketing"));
    for required in [
        "definitionId:",
        "connectorType: source",
        "connectorSubtype: api",
        "license:",
        "documentationUrl:",
        "githubIssueLabel:",
        "releaseStage:",
        "metadataSpecVersion:",
    ] {
        assert!(fields.iter().any(|f| f.starts_with(required)), "metadata.yaml lacks {required}");
    }
    for host in ["- business-api.tiktok.com", "- sandbox-ads.tiktok.com"] {
        assert!(fields.contains(&host), "allowedHosts lacks {host}");
    }
}

#[test]
fn the_image_run_as_the_platform_runs_it_prints_what_the_release_binary_prints() {
    if !is_root() {
        let reason = "needs root: the image is unpacked with its files' owners (uid 1000) and run with \
                      `chroot` and `mknod`, which only root may do (make test as root, as CI, runs it)";
        return skip("the_image_run_as_the_platform_runs_it_prints_what_the_release_binary_prints", reason);
    }
    let h = Harness::new("image-run", SimConfig::default());
    let image = unpack(&h.dir.join("image"));
    let mut config = h.oauth_config();
    config["start_date"] = json!(days_ago(10).to_string());
    let catalog = h.configured_catalog(
        &config,
        &["advertisers", "campaigns", "ads_reports_daily", "ad_group_audience_reports_daily"],
        false,
    );
    image.prepare_source(&[("connectorConfig.json", &config), ("catalog.json", &catalog)]);
    let mut env = image.env();
    env.push(("TIKTOK_API_BASE_URL".into(), h.sim.base_url()));
    let config_path = h.write("connectorConfig.json", &config);
    let catalog_path = h.write("catalog.json", &catalog);

    let operations: [(&str, Vec<&str>); 4] = [
        ("spec", vec!["spec"]),
        ("check --config /source/connectorConfig.json", vec!["check", "--config", &config_path]),
        ("discover --config /source/connectorConfig.json", vec!["discover", "--config", &config_path]),
        (
            "read --config /source/connectorConfig.json --catalog /source/catalog.json",
            vec!["read", "--config", &config_path, "--catalog", &catalog_path],
        ),
    ];
    for (in_image, native) in operations {
        let inside = image.platform_run(&env, in_image);
        let outside = h.run(&native);
        assert_eq!(inside.exit_code, 0, "{in_image}: {}\n{}", inside.stderr, inside.stdout);
        outside.assert_success();
        assert!(!inside.messages.is_empty(), "{in_image} printed nothing");
        let (inside, outside) = (comparable(&inside), comparable(&outside));
        assert!(
            inside == outside,
            "{in_image}: the image printed {} messages, the binary {}; they differ",
            inside.0.len(),
            outside.0.len()
        );
    }
    assert_eq!(
        image.cached_components(),
        1,
        "a run in the image compiled the component again instead of using the cache"
    );

    // Without AIRBYTE_ENTRYPOINT the platform's launcher refuses to start.
    env.retain(|(k, _)| k != "AIRBYTE_ENTRYPOINT");
    let refused = image.platform_run(&env, "spec");
    assert_eq!(refused.exit_code, 127);
    assert!(refused.stderr.contains("Entrypoint was not set!"), "{}", refused.stderr);
    assert!(refused.messages.is_empty());
}
