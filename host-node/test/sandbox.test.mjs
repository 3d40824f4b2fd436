// The sandbox promise under the Node.js host: the hostile probe component (tests/probe) is
// denied other hosts, files and environment, its memory and run time are capped, a silent API
// is given up on at the host's own timeout (and a trickling one at its deadline), and secrets
// never reach the output. The probe's reports are compared with the native host's
// (tests/e2e/reliability.rs asserts those).

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer as createHttpServer } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { createInterface } from "node:readline";
import { test } from "node:test";

import { NODE_MAIN, PROBE, PROBE_WASM, runHost, scratchDir, startSim, writeJson } from "../harness.mjs";

/** A server on 127.0.0.1 (any free port); `url` once listening. */
async function listen(server) {
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

/** The component to run under each host: the native one takes the .wasm, ours its transpile. */
const probeArgs = { native: ["--component", PROBE_WASM], node: ["--component", PROBE] };

const error = (run) => {
  assert.equal(run.exitCode, 1, run.describe());
  return run.errors()[0];
};

test("the probe cannot read files or environment or reach other hosts", async (t) => {
  const sim = await startSim();
  t.after(sim.stop);
  // Another host that counts what reaches it: nothing may.
  let reached = 0;
  const other = await listen(createHttpServer((_, res) => (reached++, res.end("{}"))));
  t.after(other.close);
  const allowed = `${sim.baseUrl}/open_api/v1.3/campaign/get/`;
  const forbidden = `${other.url}/open_api/v1.3/campaign/get/`;
  const dir = scratchDir("probe");
  const config = writeJson(dir, "probe_config.json", { urls: [allowed, forbidden, "https://example.com/"] });
  const catalog = writeJson(dir, "probe_catalog.json", { streams: [] });
  const reports = {};
  for (const kind of ["native", "node"]) {
    const run = await runHost(kind, ["read", "--config", config, "--catalog", catalog, "--api-base-url", sim.baseUrl, ...probeArgs[kind]], {
      cwd: dir,
    });
    assert.equal(run.exitCode, 0, run.describe());
    reports[kind] = run.logs().filter((l) => l.startsWith("probe "));
  }
  const find = (what) => reports.node.find((l) => l.startsWith(`probe ${what}`)) ?? assert.fail(`no report for ${what}: ${reports.node}`);
  assert.match(find("read_dir /"), /denied/);
  assert.match(find("read /etc/passwd"), /denied/);
  assert.match(find("env vars"), /0 visible/);
  assert.match(find("env HOME"), /denied/);
  assert.match(find(`http ${allowed}`), /ALLOWED \(HTTP 200\)/);
  assert.match(find(`http ${forbidden}`), /denied \(ErrorCode::HttpRequestDenied\)/);
  assert.match(find("http https://example.com/"), /denied \(ErrorCode::HttpRequestDenied\)/);
  assert.equal(reached, 0, "a forbidden request reached its host");
  assert.deepEqual(reports.node, reports.native, "the probe saw the same sandbox under both hosts");
});

test("guest memory and run time are capped with the native host's errors", async () => {
  const dir = scratchDir("probe-limits");
  const config = writeJson(dir, "probe_config.json", {});
  for (const kind of ["native", "node"]) {
    const memory = error(await runHost(kind, ["check", "--config", config, "--max-memory-mib", "64", ...probeArgs[kind]]));
    assert.equal(memory.failure_type, "system_error", kind);
    assert.match(memory.message, /memory limit of 64 MiB/, kind);

    const time = error(await runHost(kind, ["discover", "--config", config, "--max-run-seconds", "2", ...probeArgs[kind]], { timeoutMs: 30_000 }));
    assert.equal(time.failure_type, "transient_error", kind);
    assert.match(time.message, /run-time limit of 2 s/, kind);
  }
});

test("an API that never answers is given up on at the host's timeout, not the guest's", async (t) => {
  // Accepts connections and says nothing.
  const silent = await listen(createTcpServer((socket) => socket.on("error", () => {})));
  t.after(silent.close);
  const dir = scratchDir("silent");
  const config = writeJson(dir, "config.json", {
    credentials: { auth_type: "oauth2.0", app_id: "1", secret: "an-app-secret-4321", access_token: "an-access-token-8765" },
  });
  // The component asks for 15 s to connect; the host's 1 s is what must end the request.
  const child = spawn(process.execPath, [NODE_MAIN, "check", "--config", config, "--api-base-url", silent.url, "--http-timeout-seconds", "1"], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  const started = Date.now();
  const guard = setTimeout(() => child.kill(), 20_000);
  let warning;
  for await (const line of createInterface({ input: child.stdout })) {
    const message = JSON.parse(line);
    if (message.type === "LOG" && /no answer in time/.test(message.log.message)) {
      warning = message.log.message;
      break;
    }
  }
  const seconds = (Date.now() - started) / 1000;
  clearTimeout(guard);
  child.kill();
  assert.ok(warning, "the silent request was never given up on");
  assert.ok(seconds < 10, `the first timeout took ${seconds} s`);
});

test("a request the shim would leave pending stops the run at the host's deadline instead of hanging", async (t) => {
  // Starts an answer and never finishes its headers, one byte at a time: no idle timeout fires.
  const trickle = await listen(
    createTcpServer((socket) => {
      socket.on("error", () => {});
      socket.once("data", () => {
        socket.write("HTTP/1.1 200 OK\r\n");
        const timer = setInterval(() => socket.write("X-Slow: a\r\n"), 300);
        socket.on("close", () => clearInterval(timer));
      });
    }),
  );
  t.after(trickle.close);
  const dir = scratchDir("trickle");
  const config = writeJson(dir, "config.json", {
    credentials: { auth_type: "oauth2.0", app_id: "1", secret: "an-app-secret-4321", access_token: "an-access-token-8765" },
  });
  const run = await runHost("node", ["check", "--config", config, "--api-base-url", trickle.url, "--http-timeout-seconds", "1"], { timeoutMs: 30_000 });
  const stopped = error(run);
  assert.equal(stopped.failure_type, "transient_error");
  // The deadline: the connect timeout (1 s) plus twice the response timeout.
  assert.match(stopped.message, new RegExp(`a request to ${trickle.url.slice(7)} got no answer within 3 s`));
  assert.ok(run.seconds < 15, `stopped after ${run.seconds} s`);
});

test("secrets never reach the output, and the spec's secret fields are masked", async (t) => {
  const sim = await startSim();
  t.after(sim.stop);
  const dir = scratchDir("secrets");
  const base = ["--api-base-url", sim.baseUrl];
  // The connector quotes a bad start_date; here it is also the access token, so it is masked.
  const quoted = writeJson(dir, "quoted.json", {
    credentials: { auth_type: "oauth2.0", app_id: sim.appId, secret: sim.secret, access_token: "sekret-value-9999" },
    start_date: "sekret-value-9999",
  });
  const wrong = writeJson(dir, "wrong.json", {
    credentials: { auth_type: "oauth2.0", app_id: sim.appId, secret: "a-wrong-app-secret-5555", access_token: "a-wrong-access-token-7777" },
    start_date: "2024-01-01",
  });
  const runs = [
    await runHost("node", ["check", "--config", quoted, ...base]),
    await runHost("node", ["discover", "--config", quoted, ...base]),
    await runHost("node", ["check", "--config", wrong, ...base]),
    await runHost("node", ["discover", "--config", wrong, ...base]),
  ];
  assert.match(runs[0].ofType("CONNECTION_STATUS")[0].connectionStatus.message, /start_date: "\*\*\*\*"/);
  assert.match(error(runs[1]).message, /start_date: "\*\*\*\*"/);
  for (const run of runs) {
    for (const secret of ["sekret-value-9999", sim.secret, "a-wrong-app-secret-5555", "a-wrong-access-token-7777"]) {
      assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret), `${secret} leaked: ${run.stdout}`);
    }
  }
});
