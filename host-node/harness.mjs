// Test harness: the simulator binary, the native host binary and the Node.js host, run as
// child processes on loopback (as tests/e2e/harness/ runs the native host).

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const HOST_NODE = dirname(fileURLToPath(import.meta.url));
export const ROOT = dirname(HOST_NODE);
export const NATIVE = join(ROOT, "target/release/source-tiktok-marketing");
export const SIM = join(ROOT, "target/release/tiktok-sim");
export const NODE_MAIN = join(HOST_NODE, "main.mjs");
export const PROBE = join(HOST_NODE, "gen/probe");
export const PROBE_WASM = join(ROOT, "target/wasm32-wasip2/release/sandbox_probe.wasm");
export const CONNECTOR_WASM = join(ROOT, "target/wasm32-wasip2/release/tiktok_connector.wasm");

for (const [path, how] of [
  [NATIVE, "make build"],
  [SIM, "make build"],
  [join(HOST_NODE, "gen/connector/connector.js"), "host-node/build.sh"],
  [join(PROBE, "connector.js"), "host-node/build.sh"],
]) {
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`${how}\` first`);
}
// A transpile older than its component would compare an old build with a new one.
for (const [wasm, transpiled] of [
  [CONNECTOR_WASM, join(HOST_NODE, "gen/connector/connector.js")],
  [PROBE_WASM, join(PROBE, "connector.js")],
]) {
  if (statSync(wasm).mtimeMs > statSync(transpiled).mtimeMs) throw new Error(`${transpiled} is older than ${wasm}: run host-node/build.sh`);
}

/** A scratch directory per test. */
export function scratchDir(name) {
  return mkdtempSync(join(tmpdir(), `tiktok-node-${name}-`));
}

/** Write `value` as JSON into `dir`; the path. */
export function writeJson(dir, name, value) {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value, null, 2));
  return path;
}

/** A simulator on 127.0.0.1 (any free port) with the credentials it printed. */
export async function startSim(args = []) {
  const child = spawn(SIM, ["--port", "0", ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const facts = {};
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    const [key, value] = line.split("=");
    facts[key] = value;
    if (key === "SANDBOX_ADVERTISER_ID") break;
  }
  if (!facts.PORT) throw new Error("the simulator printed no PORT");
  return {
    baseUrl: `http://127.0.0.1:${facts.PORT}`,
    appId: facts.APP_ID,
    secret: facts.SECRET,
    accessToken: facts.ACCESS_TOKEN,
    stop: () => child.kill(),
    oauthConfig(extra = {}) {
      return {
        credentials: { auth_type: "oauth2.0", app_id: facts.APP_ID, secret: facts.SECRET, access_token: facts.ACCESS_TOKEN },
        start_date: "2024-01-01",
        ...extra,
      };
    },
  };
}

/**
 * Run a host (`"native"` or `"node"`) with `args`; every stdout line parsed as a protocol
 * message. Both run the same component file: the native host is given the release .wasm that
 * host-node/gen/connector was transpiled from (not the copy built into it), so the tests
 * compare hosts, not builds. `timeoutMs` kills a run that hangs, so a hang fails the test
 * instead of stalling it.
 */
export function runHost(kind, args, { cwd = tmpdir(), timeoutMs = 300_000 } = {}) {
  const component = args.includes("--component") || !args.length || args[0].startsWith("-") ? [] : ["--component", CONNECTOR_WASM];
  const [command, prefix] = kind === "native" ? [NATIVE, component] : [process.execPath, [NODE_MAIN]];
  const env = { ...process.env, SOURCE_TIKTOK_CACHE_DIR: join(ROOT, "target/component-cache") };
  delete env.TIKTOK_API_BASE_URL;
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...prefix, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const stdout = [];
    const stderr = [];
    child.stdout.on("data", (d) => stdout.push(d));
    child.stderr.on("data", (d) => stderr.push(d));
    const started = process.hrtime.bigint();
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const text = Buffer.concat(stdout).toString("utf8");
      resolve(
        new Run({
          kind,
          exitCode: signal ? `killed by ${signal}` : code,
          stdout: text,
          stderr: Buffer.concat(stderr).toString("utf8"),
          lines: text.split("\n").filter((l) => l !== ""),
          seconds: Number(process.hrtime.bigint() - started) / 1e9,
        }),
      );
    });
  });
}

/** Run both hosts with the same arguments, one after the other. */
export async function runBoth(args, options) {
  return { native: await runHost("native", args, options), node: await runHost("node", args, options) };
}

/** What one run of a host printed. */
export class Run {
  constructor(fields) {
    Object.assign(this, fields);
  }

  /** Every stdout line as a protocol message; a line that is not JSON fails the test. */
  get messages() {
    this.parsed ??= this.lines.map((line) => {
      try {
        return JSON.parse(line);
      } catch (e) {
        throw new Error(`${this.kind}: a stdout line is not JSON (${e.message}): ${line.slice(0, 300)}`);
      }
    });
    return this.parsed;
  }

  ofType(type) {
    return this.messages.filter((m) => m.type === type);
  }

  errors() {
    return this.ofType("TRACE").filter((m) => m.trace.type === "ERROR").map((m) => m.trace.error);
  }

  logs() {
    return this.ofType("LOG").map((m) => m.log.message);
  }

  /** Records per stream, each as canonical JSON text, sorted: order across pages is the API's. */
  records() {
    const byStream = {};
    for (const m of this.ofType("RECORD")) {
      (byStream[m.record.stream] ??= []).push(canonical(m.record.data));
    }
    for (const list of Object.values(byStream)) list.sort();
    return byStream;
  }

  /** The last state emitted per stream, in the shape `--state` takes back. */
  finalState() {
    const last = new Map();
    for (const m of this.ofType("STATE")) last.set(m.state.stream.stream_descriptor.name, m.state);
    return [...last.keys()].sort().map((k) => last.get(k));
  }

  streamStatuses() {
    const byStream = {};
    for (const m of this.ofType("TRACE").filter((m) => m.trace.type === "STREAM_STATUS")) {
      (byStream[m.trace.stream_status.stream_descriptor.name] ??= []).push(m.trace.stream_status.status);
    }
    return byStream;
  }

  /** A one-line account of a failed run for assertion messages. */
  describe() {
    return `${this.kind} exited ${this.exitCode}; errors: ${JSON.stringify(this.errors())}; stderr: ${this.stderr.slice(0, 1000)}`;
  }
}

/** JSON text with sorted keys: equal values, equal texts. */
export function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The UTC date `n` days before today, as the config takes dates. */
export function daysAgo(n) {
  return new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
}
