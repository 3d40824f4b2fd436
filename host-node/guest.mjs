// The worker thread the component runs in. The shim's WASI calls block this thread (the shim
// waits on its own I/O worker), so the main thread stays free to enforce the run-time limit
// and the host's per-request deadline, and can end this thread when either is crossed.
//
// One command, as host/src/main.rs `run` does it: `spec` first (its `airbyte_secret` fields
// say what to mask), then the command's export in a fresh instance; every message is written
// to stdout before the import call that produced it returns.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parentPort, workerData } from "node:worker_threads";

import { http } from "@bytecodealliance/preview2-shim";
import { WASIShim } from "@bytecodealliance/preview2-shim/instantiation";

import { ProtocolWriter, failureType, secretsOf } from "./protocol.mjs";
import { allowListHandler, emptyEnvironment } from "./sandbox.mjs";

const { componentDir, command, config, catalog, state, apiBaseUrl, policy } = workerData;

// What the guest prints on WASI stdout goes nowhere (stdout is the protocol's); its stderr,
// where a Rust panic message goes, is kept for the crash report. The shim writes both
// through these streams of this thread.
let guestStderr = "";
process.stdout.write = () => true;
process.stderr.write = (chunk) => {
  const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
  guestStderr = (guestStderr + text).slice(-64 * 1024);
  return true;
};

/** Tells the main thread of each request sent and answered, for the host's own deadline. */
const watch = (() => {
  const ids = new WeakMap();
  let next = 0;
  const { FutureIncomingResponse } = http.types;
  const dispose = Symbol.dispose || Symbol.for("dispose");
  const answered = (future) => {
    const id = ids.get(future);
    if (id !== undefined) {
      ids.delete(future);
      parentPort.postMessage({ type: "answered", id });
    }
  };
  // The shim's class is shared by every future; a future is answered once `get` returns a
  // value, or done with once the guest drops it.
  const { get, [dispose]: drop } = FutureIncomingResponse.prototype;
  FutureIncomingResponse.prototype.get = function () {
    const value = get.call(this);
    if (value !== undefined) answered(this);
    return value;
  };
  FutureIncomingResponse.prototype[dispose] = function () {
    answered(this);
    return drop?.call(this);
  };
  return {
    sent(future, authority) {
      ids.set(future, ++next);
      parentPort.postMessage({ type: "sent", id: next, authority });
    },
  };
})();

const LEVELS = { debug: "DEBUG", info: "INFO", warn: "WARN", error: "ERROR" };
const STATUSES = { started: "STARTED", running: "RUNNING", complete: "COMPLETE", incomplete: "INCOMPLETE" };

/** The import object of one instance: the connector's two interfaces plus a confined WASI. */
function imports(out) {
  const wasi = new WASIShim({ sandbox: { preopens: {}, env: {}, args: [], enableNetwork: false } }).getImportObject();
  return {
    ...wasi,
    "wasi:cli/environment": emptyEnvironment,
    "wasi:http/outgoing-handler": allowListHandler(policy, http, watch),
    "tiktok:connector/types": {},
    "tiktok:connector/output": {
      emitRecords: (stream, records) => out.records(stream, records),
      emitState: (stream, stateText) => out.state(stream, stateText),
      emitLog: (level, message) => out.log(LEVELS[level], message),
      emitStreamStatus: (stream, status) => out.streamStatus(stream, STATUSES[status]),
      emitProgress: (progress) => out.progress(progress),
    },
    "tiktok:connector/environment": { apiBaseUrl: () => apiBaseUrl ?? undefined },
  };
}

/** The transpiled component: its module, compiled core modules, and the memories it made. */
async function load(dir) {
  const { instantiate } = await import(pathToFileURL(join(dir, "connector.js")).href);
  const modules = new Map();
  const coreModule = (name) => {
    if (!modules.has(name)) modules.set(name, WebAssembly.compile(readFileSync(join(dir, name))));
    return modules.get(name);
  };
  const memories = [];
  const instantiateCore = async (module, coreImports) => {
    const instance = await WebAssembly.instantiate(module, coreImports);
    if (instance.exports.memory instanceof WebAssembly.Memory) memories.push(instance.exports.memory);
    return instance;
  };
  return { instantiate: (out) => instantiate(coreModule, imports(out), instantiateCore), memories };
}

/**
 * Call one export in a fresh instance. Resolves to `{ ok: value }` or `{ failure, message,
 * stream, answered }`, as host/src/runtime.rs `call` does: `answered` when the connector
 * returned the failure, rather than trapping.
 */
async function call(component, out, name, ...args) {
  try {
    const instance = await component.instantiate(out);
    return { ok: instance[name](...args) };
  } catch (e) {
    if (e?.payload?.kind !== undefined) {
      const { kind, message, streamName } = e.payload;
      return { failure: failureType(kind), message, stream: streamName ?? null, answered: true };
    }
    return { failure: "system_error", message: crashReport(e, component.memories), stream: null, answered: false };
  }
}

/** Why the guest stopped, and what it printed before, in the native host's words. */
function crashReport(e, memories) {
  const printed = guestStderr.trim();
  // Rust says so on stderr when an allocation fails; the cap was the cause if it would have
  // taken the guest past the limit.
  const failed = /memory allocation of (\d+) bytes failed/.exec(printed);
  const capBytes = policy.maxMemoryMib * 2 ** 20;
  const used = Math.max(0, ...memories.map((m) => m.buffer.byteLength));
  if (failed && used + Number(failed[1]) > capBytes) {
    return `the connector ran out of memory: it reached the guest memory limit of ${policy.maxMemoryMib} MiB (--max-memory-mib)`;
  }
  const reason = e instanceof Error ? e.message : String(e);
  return printed ? `the connector crashed (${reason}): ${printed}` : `the connector crashed (${reason})`;
}

/** The message a successful command prints (host/src/main.rs `answer_message`). */
function answerMessage(out, answer) {
  const parsed = (text, what) => {
    try {
      return JSON.parse(text);
    } catch (e) {
      out.error("system_error", `the connector returned an unreadable ${what}: ${e.message}`);
      return undefined;
    }
  };
  if (command === "spec") {
    const spec = parsed(answer, "spec");
    if (spec !== undefined) out.message({ type: "SPEC", spec });
  } else if (command === "discover") {
    const catalog = parsed(answer, "catalog");
    if (catalog !== undefined) out.message({ type: "CATALOG", catalog });
  } else if (command === "check") {
    out.message({ type: "CONNECTION_STATUS", connectionStatus: { status: "SUCCEEDED", message: answer } });
  }
}

async function run() {
  const out = new ProtocolWriter(1);
  let component;
  try {
    component = await load(componentDir);
  } catch (e) {
    out.error("system_error", `cannot load the connector component: ${e.message}`);
    return false;
  }
  const spec = await call(component, out, "spec");
  if (config !== null && "ok" in spec) {
    try {
      out.withSecrets(secretsOf(JSON.parse(spec.ok), JSON.parse(config)));
    } catch {
      // An unreadable spec masks nothing, as natively; `spec` itself reports it.
    }
  }
  let result;
  if (command === "spec") result = spec;
  else if (command === "check") result = await call(component, out, "check", config);
  else if (command === "discover") result = await call(component, out, "discover", config);
  else result = await call(component, out, "read", config, catalog, state ?? undefined);
  if ("ok" in result) {
    answerMessage(out, result.ok);
    return true;
  }
  // Airbyte's convention: a check that ran and found the config or the credentials wanting
  // is a FAILED status with exit 0; non-zero is for a check that could not run.
  if (command === "check" && result.answered) {
    out.log("ERROR", `check failed (${result.failure}): ${result.message}`);
    out.message({ type: "CONNECTION_STATUS", connectionStatus: { status: "FAILED", message: out.mask(result.message) } });
    return true;
  }
  out.error(result.failure, result.message, result.stream);
  return false;
}

parentPort.postMessage({ type: "done", ok: await run() });
