// The Node.js host's command line ends as the native host's does: the same exit status for
// each outcome (0 done, 1 failed with a TRACE saying why, 2 bad usage), and the same config
// error TRACE for inputs that cannot be read.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import { runBoth, scratchDir, writeJson } from "../harness.mjs";

const dir = scratchDir("cli");
const config = writeJson(dir, "config.json", { credentials: { auth_type: "sandbox_access_token", advertiser_id: "1", access_token: "tok-123456" } });
const catalog = writeJson(dir, "catalog.json", { streams: [] });
writeFileSync(join(dir, "broken.json"), "{not json");
const badState = writeJson(dir, "bad_state.json", [{ type: "STREAM" }]);
const numberState = writeJson(dir, "number_state.json", 3);
const unknownState = writeJson(dir, "unknown_state.json", { type: "SHARED" });

const USAGE = [
  [],
  ["bogus"],
  ["spec", "spec"],
  ["check"],
  ["check", "--config"],
  ["check", "--config", config, "--config", config],
  ["spec", "--config", config],
  ["read", "--config", config],
  ["spec", "--max-run-seconds", "soon"],
  ["discover", "--config", config, "--no-such-flag", "1"],
  ["-x"],
  ["check", "--config", "--catalog", catalog],
];

test("bad usage exits 2 under both hosts, with the error on stderr and nothing on stdout", async () => {
  for (const args of USAGE) {
    const { native, node } = await runBoth(args, { cwd: dir });
    assert.equal(native.exitCode, 2, `native ${args}: ${native.describe()}`);
    assert.equal(node.exitCode, native.exitCode, `node ${args}: ${node.describe()}`);
    assert.equal(node.stdout, "", `node ${args}`);
    // clap's first line, where there is one ("error: ..."); help when no command was given.
    assert.equal(node.stderr.split("\n")[0].startsWith("error:"), native.stderr.split("\n")[0].startsWith("error:"), `${args}: ${node.stderr}`);
  }
});

test("help and version exit 0", async () => {
  for (const args of [["--help"], ["-V"], ["help"]]) {
    const { native, node } = await runBoth(args, { cwd: dir });
    assert.equal(native.exitCode, 0, `native ${args}`);
    assert.equal(node.exitCode, 0, `node ${args}`);
  }
});

const FILE_ERRORS = [
  // [arguments, what the message must say in full, or up to the parser's own words]
  [["check", "--config", "missing.json"], "cannot read the config file missing.json: No such file or directory (os error 2)"],
  [["discover", "--config", dir], `cannot read the config file ${dir}: Is a directory (os error 21)`],
  [["discover", "--config", "broken.json"], "the config file broken.json is not valid JSON: "],
  [["read", "--config", config, "--catalog", "broken.json"], "the catalog file broken.json is not valid JSON: "],
  [["read", "--config", config, "--catalog", catalog, "--state", badState], `the state file ${badState}: entry 0: stream.stream_descriptor.name is missing`],
  [["read", "--config", config, "--catalog", catalog, "--state", numberState], `the state file ${numberState}: must be a list of state messages or an object`],
  [["read", "--config", config, "--catalog", catalog, "--state", unknownState], `the state file ${unknownState}: unknown state type "SHARED"`],
];

test("inputs that cannot be read are the same config error TRACE, exit 1, under both hosts", async () => {
  for (const [args, expected] of FILE_ERRORS) {
    const { native, node } = await runBoth(args, { cwd: dir });
    for (const run of [native, node]) {
      assert.equal(run.exitCode, 1, `${args}: ${run.describe()}`);
      assert.equal(run.messages.length, 1, `${args}: ${run.stdout}`);
      const error = run.errors()[0];
      assert.equal(error.failure_type, "config_error", `${run.kind} ${args}`);
      assert.equal(error.internal_message, error.message);
      assert.ok(error.message.startsWith(expected), `${run.kind} ${args}: ${error.message}`);
    }
    // JSON parsers word their complaints their own way; every other message is the same.
    if (!expected.endsWith(": ")) assert.equal(node.errors()[0].message, native.errors()[0].message);
    assert.deepEqual(Object.keys(node.messages[0].trace).sort(), Object.keys(native.messages[0].trace).sort());
  }
});

test("a config the connector rejects is the same outcome under both hosts", async () => {
  // No API is reachable (port 9 refuses); the config is wrong before any request.
  const bad = writeJson(dir, "bad_date.json", { credentials: { auth_type: "sandbox_access_token", advertiser_id: "1", access_token: "tok-123456" }, start_date: "01/02/2024" });
  const base = ["--api-base-url", "http://127.0.0.1:9"];
  for (const command of ["check", "discover"]) {
    const { native, node } = await runBoth([command, "--config", bad, ...base], { cwd: dir });
    assert.equal(node.exitCode, native.exitCode, `${command}: ${node.describe()}`);
    const strip = (run) => run.lines.map((l) => l.replace(/"emitted_at":\d+/, ""));
    assert.deepEqual(strip(node), strip(native), command);
  }
});
