#!/usr/bin/env node
// `make bench`: the same read under the Node.js host and the native host against the
// simulator — the CPU-bound read of tests/e2e/bench.rs (bench 1: ads_reports_daily, 1000 ads
// x 30 days) — with wall time, CPU (user + sys of the host process) and peak RSS of each, and
// their ratios. Start-up (`spec`) too. Best of 3 runs after a warm-up; the machines are shared.

import { spawnSync } from "node:child_process";

import { CONNECTOR_WASM, NATIVE, NODE_MAIN, ROOT, daysAgo, runHost, scratchDir, startSim, writeJson } from "./harness.mjs";

const RUNS = 3;

/** One run of a host under /usr/bin/time: wall and CPU seconds, peak RSS, stdout lines. */
function measured(kind, args) {
  // The same component file under both hosts (gen/connector is its transpile).
  const command = kind === "native" ? [NATIVE, "--component", CONNECTOR_WASM, ...args] : [process.execPath, NODE_MAIN, ...args];
  const env = { ...process.env, SOURCE_TIKTOK_CACHE_DIR: `${ROOT}/target/component-cache` };
  delete env.TIKTOK_API_BASE_URL;
  const started = process.hrtime.bigint();
  const out = spawnSync("/usr/bin/time", ["-f", "TIME %U %S %M", ...command], { env, encoding: "utf8", maxBuffer: 1 << 30 });
  // Wall time from here: /usr/bin/time's is in hundredths, too coarse for `spec`.
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (out.error) throw new Error(`/usr/bin/time runs the hosts (apt-get install time): ${out.error.message}`);
  const line = out.stderr.split("\n").reverse().find((l) => l.startsWith("TIME "));
  if (!line) throw new Error(`${kind}: no timing in ${out.stderr.slice(0, 2000)}`);
  const [user, sys, rssKib] = line.slice(5).split(" ").map(Number);
  if (out.status !== 0) throw new Error(`${kind} exited ${out.status}: ${out.stdout.slice(-2000)}`);
  return { wall, cpu: user + sys, rssMib: rssKib / 1024, records: out.stdout.split("\n").filter((l) => l.startsWith('{"type":"RECORD"')).length };
}

/** Best of `RUNS` by CPU, after one warm-up run (the native host's compiled-code cache). */
function best(kind, args) {
  measured(kind, args);
  return Array.from({ length: RUNS }, () => measured(kind, args)).reduce((a, b) => (b.cpu < a.cpu ? b : a));
}

const sim = await startSim(["--advertisers", "1", "--campaigns", "5", "--adgroups", "10", "--ads", "20"]);
const NODE_CPU_TARGET = 3;
const NODE_WALL_TARGET = 1.5;

try {
  const dir = scratchDir("bench");
  const config = sim.oauthConfig({
    start_date: daysAgo(29),
    end_date: daysAgo(0),
    requests_per_second: 1000,
  });
  const configPath = writeJson(dir, "config.json", config);
  const discover = await runHost("native", ["discover", "--config", configPath, "--api-base-url", sim.baseUrl]);
  const stream = discover.ofType("CATALOG")[0].catalog.streams.find((s) => s.name === "ads_reports_daily");
  const catalogPath = writeJson(dir, "catalog.json", { streams: [{ stream, sync_mode: "full_refresh", destination_sync_mode: "append" }] });
  const read = ["read", "--config", configPath, "--catalog", catalogPath, "--api-base-url", sim.baseUrl];

  const native = best("native", read);
  const node = best("node", read);
  if (native.records !== node.records) throw new Error(`the hosts read ${native.records} and ${node.records} records`);
  const spec = { native: best("native", ["spec"]), node: best("node", ["spec"]) };

  const row = (name, m) =>
    `  ${name.padEnd(8)} ${m.wall.toFixed(3).padStart(7)}s ${m.cpu.toFixed(3).padStart(7)}s ${((m.cpu * 1e6) / m.records).toFixed(1).padStart(9)} us ${m.rssMib.toFixed(1).padStart(8)} MiB`;
  console.log(`node host bench: ads_reports_daily, 1 advertiser, 1000 ads x 30 days, ${native.records} records; best of ${RUNS} by CPU`);
  console.log("  host        wall     CPU   CPU/record    peak RSS");
  console.log(row("native", native));
  console.log(row("node", node));
  console.log(`  node / native: wall ${(node.wall / native.wall).toFixed(2)}x, CPU ${(node.cpu / native.cpu).toFixed(2)}x, peak RSS ${(node.rssMib / native.rssMib).toFixed(2)}x`);
  const ms = (m) => `${(m.wall * 1000).toFixed(0)} ms wall, ${(m.cpu * 1000).toFixed(0)} ms CPU, ${m.rssMib.toFixed(1)} MiB`;
  console.log(`  start-up (spec): native ${ms(spec.native)}; node ${ms(spec.node)}`);
  // Targets: the second host may cost more CPU than the native one (V8's WebAssembly tiers,
  // jco's glue), but not an order of magnitude, and it must not be slower on the wall clock
  // by more than half (requests, not CPU, bound a sync).
  const cpu = node.cpu / native.cpu;
  const wall = node.wall / native.wall;
  if (cpu > NODE_CPU_TARGET || wall > NODE_WALL_TARGET) {
    console.error(`target missed: node / native CPU ${cpu.toFixed(2)}x (target <= ${NODE_CPU_TARGET}x), wall ${wall.toFixed(2)}x (target <= ${NODE_WALL_TARGET}x)`);
    process.exitCode = 1;
  }
} finally {
  sim.stop();
}
