// Every message the Node.js host prints for spec, check, discover and read validates against
// Airbyte's own protocol models, with the same pinned models, virtual environment and
// validation script as the native host's test (tests/e2e/protocol.rs).

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { ROOT, daysAgo, runHost, scratchDir, startSim, writeJson } from "../harness.mjs";

/** The models pin and the validation script, read from the native host's test itself. */
function nativeValidation() {
  const source = readFileSync(join(ROOT, "tests/e2e/protocol.rs"), "utf8");
  const models = /const MODELS: &str = "([^"]+)";/.exec(source)?.[1];
  const script = /const VALIDATE: &str = r#"([\s\S]*?)"#;/.exec(source)?.[1];
  assert.ok(models && script, "tests/e2e/protocol.rs no longer has MODELS and VALIDATE: update this test with it");
  return { models, script };
}

/** A Python with the models installed, or null when PyPI cannot be reached. */
function pythonWithModels(models) {
  const venv = join(ROOT, "target/protocol-venv");
  const python = join(venv, "bin/python");
  const ready = () => existsSync(python) && spawnSync(python, ["-c", "import airbyte_protocol.models"]).status === 0;
  if (ready()) return python;
  const made = spawnSync("python3", ["-m", "venv", venv], { stdio: "inherit" });
  assert.equal(made.status, 0, "python3 -m venv failed (scripts/setup.sh installs python3-venv)");
  const install = spawnSync(join(venv, "bin/pip"), ["install", "--quiet", "--disable-pip-version-check", models], { encoding: "utf8" });
  if (install.status !== 0) {
    const offline = ["NewConnectionError", "Temporary failure in name resolution", "Network is unreachable", "Max retries exceeded"];
    assert.ok(offline.some((o) => install.stderr.includes(o)), `pip install ${models} failed: ${install.stderr}`);
    return null;
  }
  return python;
}

test("every message of every command validates against Airbyte's protocol models", async (t) => {
  const { models, script } = nativeValidation();
  const python = pythonWithModels(models);
  if (python === null) return t.skip("PyPI is unreachable, so the Airbyte protocol models cannot be installed");

  // Some retried faults: warnings and logs among the records.
  const sim = await startSim(["--fault-rate", "0.05"]);
  t.after(sim.stop);
  const dir = scratchDir("protocol");
  const base = ["--api-base-url", sim.baseUrl];
  const config = sim.oauthConfig({ start_date: daysAgo(3) });
  const configPath = writeJson(dir, "config.json", config);
  const badPath = writeJson(dir, "bad.json", { ...config, credentials: { ...config.credentials, access_token: "wrong-token-123456" } });

  const discover = await runHost("node", ["discover", "--config", configPath, ...base]);
  const wanted = ["campaigns", "ads", "audiences", "ads_reports_daily", "advertisers_audience_reports_lifetime"];
  const streams = discover.ofType("CATALOG")[0].catalog.streams.filter((s) => wanted.includes(s.name));
  const catalogPath = writeJson(dir, "catalog.json", {
    streams: streams.map((stream) => ({
      stream,
      sync_mode: stream.supported_sync_modes.includes("incremental") ? "incremental" : "full_refresh",
      destination_sync_mode: "append",
    })),
  });
  const runs = [
    await runHost("node", ["spec"]),
    await runHost("node", ["check", "--config", configPath, ...base]),
    await runHost("node", ["check", "--config", badPath, ...base]),
    discover,
    await runHost("node", ["read", "--config", configPath, "--catalog", catalogPath, ...base]),
    await runHost("node", ["read", "--config", badPath, "--catalog", catalogPath, ...base]),
    await runHost("node", ["discover", "--config", join(dir, "missing.json")]),
  ];
  const file = join(dir, "messages.jsonl");
  writeFileSync(file, runs.map((r) => r.stdout).join(""));
  const scriptPath = join(dir, "validate.py");
  writeFileSync(scriptPath, script);
  const out = spawnSync(python, [scriptPath, file], { encoding: "utf8" });
  assert.equal(out.status, 0, `messages that are not valid Airbyte messages:\n${out.stdout}${out.stderr}`);
  // Every kind of message was among them.
  for (const kind of ["SPEC", "CONNECTION_STATUS", "CATALOG", "RECORD", "STATE", "LOG", "TRACE"]) {
    assert.ok(out.stdout.includes(`${kind}=`), `no ${kind} message was validated: ${out.stdout}`);
  }
  // The lines were the Node.js host's, and there were many.
  assert.ok(runs[4].ofType("RECORD").length > 100, runs[4].describe());
});
