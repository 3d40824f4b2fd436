// The Node.js host and the native host, given the same inputs against the same simulator, say
// the same things: the same spec, catalog and check status byte for byte, and for a mixed
// catalog the same records, stream statuses and final states, first and incremental.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { canonical, daysAgo, runBoth, scratchDir, startSim, writeJson } from "../harness.mjs";

// Entity lists, a daily, an hourly and an audience report: every kind of stream the catalog has.
const STREAMS = ["advertisers", "campaigns", "ads", "ads_reports_daily", "campaigns_reports_hourly", "advertisers_audience_reports_daily"];

let sim;
let dir;
let configPath;
let base;

before(async () => {
  sim = await startSim();
  dir = scratchDir("parity");
  // Fixed past dates, chosen once: both hosts read the same days whenever they run.
  configPath = writeJson(dir, "config.json", sim.oauthConfig({ start_date: daysAgo(6), end_date: daysAgo(2) }));
  base = ["--api-base-url", sim.baseUrl];
});

after(() => sim?.stop());

/** Lines with what legitimately differs between two runs made the same. */
const normalized = (run) =>
  run.lines.map((line) =>
    line
      .replace(/"emitted_at":\d+/g, '"emitted_at":0')
      .replace(/request id \w+/g, "request id X")
      .replace(/at most \d+ in flight/g, "at most N in flight"),
  );

function assertSucceeded(run) {
  assert.equal(run.exitCode, 0, run.describe());
  assert.deepEqual(run.errors(), [], run.describe());
}

test("spec, discover and check print the same bytes under both hosts", async () => {
  const mainArgs = [["spec"], ["discover", "--config", configPath, ...base], ["check", "--config", configPath, ...base]];
  const bad = writeJson(dir, "bad.json", { ...sim.oauthConfig(), credentials: { ...sim.oauthConfig().credentials, access_token: "a-wrong-token-123456" } });
  for (const args of [...mainArgs, ["check", "--config", bad, ...base]]) {
    const { native, node } = await runBoth(args);
    assert.equal(node.exitCode, native.exitCode, `${args[0]}: ${node.describe()}`);
    assert.ok(native.lines.length > 0, native.describe());
    assert.deepEqual(normalized(node), normalized(native), args.join(" "));
  }
});

/** A configured catalog of `STREAMS`, each in its most incremental mode. */
async function configuredCatalog() {
  const { native } = await runBoth(["discover", "--config", configPath, ...base]);
  const streams = native.ofType("CATALOG")[0].catalog.streams.filter((s) => STREAMS.includes(s.name));
  assert.equal(streams.length, STREAMS.length, `not every stream of ${STREAMS} was discovered`);
  return {
    streams: streams.map((stream) => ({
      stream,
      sync_mode: stream.supported_sync_modes.includes("incremental") ? "incremental" : "full_refresh",
      destination_sync_mode: "append",
    })),
  };
}

/** The two runs read the same: records, statuses, final states and message shapes. */
function assertSameRead(native, node) {
  assertSucceeded(native);
  assertSucceeded(node);
  const [nativeRecords, nodeRecords] = [native.records(), node.records()];
  assert.deepEqual(Object.keys(nodeRecords).sort(), Object.keys(nativeRecords).sort());
  for (const stream of Object.keys(nativeRecords)) {
    assert.equal(nodeRecords[stream].length, nativeRecords[stream].length, `${stream}: record count`);
    assert.deepEqual(nodeRecords[stream], nativeRecords[stream], `${stream}: records`);
  }
  assert.deepEqual(node.streamStatuses(), native.streamStatuses());
  assert.equal(canonical(node.finalState()), canonical(native.finalState()), "final states");
  // Every message has the native host's shape: the same lines once records, emitted_at and
  // the per-run numbers are set aside (the order across streams is the scheduler's).
  const withoutRecords = (run) => normalized(run).filter((l) => !l.startsWith('{"type":"RECORD"')).sort();
  assert.deepEqual(withoutRecords(node), withoutRecords(native));
  for (const m of node.ofType("RECORD")) assert.ok(Number.isInteger(m.record.emitted_at), "a record without emitted_at");
}

test("a mixed catalog reads the same records and states, first and incremental, under both hosts", async () => {
  const catalogPath = writeJson(dir, "catalog.json", await configuredCatalog());
  const read = ["read", "--config", configPath, "--catalog", catalogPath, ...base];

  const first = await runBoth(read);
  assertSameRead(first.native, first.node);
  for (const stream of STREAMS) {
    assert.ok(first.native.records()[stream]?.length > 0, `${stream}: the fixture must have records`);
  }

  // Incremental from the first read's state: both hosts hand the component the same state.
  const state = first.native.finalState();
  assert.ok(state.length >= 4, `states of the incremental streams: ${canonical(state)}`);
  const statePath = writeJson(dir, "state.json", state);
  const second = await runBoth([...read, "--state", statePath]);
  assertSameRead(second.native, second.node);
  const count = (run, stream) => run.records()[stream]?.length ?? 0;
  assert.ok(
    count(second.node, "campaigns_reports_hourly") < count(first.node, "campaigns_reports_hourly"),
    "the incremental read started from the state",
  );
});
