#!/usr/bin/env node
// A second host for the TikTok Marketing connector component: the command line of the native
// binary (host/src/main.rs) on Node.js, with the component transpiled by jco and WASI from
// @bytecodealliance/preview2-shim. The component runs in a worker thread (guest.mjs); this
// thread reads the inputs, sets the sandbox policy, and stops the guest at the host's limits.

import { readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import { Worker } from "node:worker_threads";

import { ProtocolWriter, perStream, sortedJson } from "./protocol.mjs";
import { sandboxPolicy } from "./sandbox.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const VERSION = JSON.parse(readFileSync(join(HERE, "package.json"), "utf8")).version;

const USAGE = `TikTok Marketing source connector speaking the Airbyte protocol on stdout (Node.js host)

Usage: node host-node/main.mjs [OPTIONS] <COMMAND>

Commands:
  spec      Print the configuration specification
  check     Validate the config and test that the credentials can read the account
  discover  Print the catalog of streams the config can read
  read      Read the streams of a configured catalog, resuming from a state

Command options:
  --config <FILE>    The connector config (JSON) [check, discover, read]
  --catalog <FILE>   Airbyte's configured catalog (JSON) [read]
  --state <FILE>     The last state messages (a JSON list of per-stream states, or the legacy map) [read]

Options:
  --component <DIR>              Run this jco transpilation of a component (host-node/build.sh makes them) instead of host-node/gen/connector
  --api-base-url <URL>           Send every API call to this root instead of TikTok's hosts; that authority becomes the only one the connector may reach [env: TIKTOK_API_BASE_URL=]
  --allowed-authority <HOST:PORT>  Replace the allow-list of authorities the connector may reach. Repeatable
  --max-memory-mib <MIB>         Most memory the connector may use [default: 2048]
  --max-run-seconds <SECONDS>    Stop a command that runs longer than this [default: 86400]
  --http-timeout-seconds <SECONDS>  Give up on an API response that sends nothing for this long [default: 120]
  --cache-dir <DIR>              Accepted for the native host's sake; unused (components are transpiled ahead of time) [env: SOURCE_TIKTOK_CACHE_DIR=]
  -h, --help                     Print help
  -V, --version                  Print version

Exit status: 0 on success, 1 when the command failed (the TRACE message on stdout says why and
whether it is a config, transient or system error), 2 on bad usage. A check that ran exits 0 and
says SUCCEEDED or FAILED in its CONNECTION_STATUS.
`;

const COMMANDS = { spec: [], check: ["config"], discover: ["config"], read: ["config", "catalog", "state"] };
const REQUIRED = { check: ["config"], discover: ["config"], read: ["config", "catalog"] };
const GLOBAL = ["component", "api-base-url", "allowed-authority", "max-memory-mib", "max-run-seconds", "http-timeout-seconds", "cache-dir"];
const NUMBERS = { "max-memory-mib": 2048, "max-run-seconds": 24 * 3600, "http-timeout-seconds": 120 };

const VALUE_NAMES = {
  config: "FILE",
  catalog: "FILE",
  state: "FILE",
  component: "DIR",
  "api-base-url": "URL",
  "allowed-authority": "HOST:PORT",
  "max-memory-mib": "MIB",
  "max-run-seconds": "SECONDS",
  "http-timeout-seconds": "SECONDS",
  "cache-dir": "DIR",
};

/** `--name <VALUE>`, as clap names an option in its errors. */
const option = (name) => `--${name} <${VALUE_NAMES[name]}>`;

/** Bad usage: a message on stderr and exit status 2, as clap does. */
function usageError(message) {
  process.stderr.write(`error: ${message}\n\nUsage: node host-node/main.mjs [OPTIONS] <COMMAND>\n\nFor more information, try '--help'.\n`);
  process.exit(2);
}

/** The command line, as the native binary's clap definition reads it. */
function parseArgs(argv, env) {
  let command = null;
  const values = new Map();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "-h" || arg === "--help" || (command === null && arg === "help")) return { help: true };
    if (arg === "-V" || arg === "--version") return { version: true };
    if (arg.startsWith("-") && !arg.startsWith("--")) usageError(`unexpected argument '${arg}' found`);
    if (!arg.startsWith("--")) {
      if (command !== null) usageError(`unexpected argument '${arg}' found`);
      if (arg === "sync") usageError("the Node.js host has no 'sync' command (it is the native host's)");
      if (!(arg in COMMANDS)) usageError(`unrecognized subcommand '${arg}'`);
      command = arg;
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const known = GLOBAL.includes(name) || (command !== null && COMMANDS[command].includes(name));
    if (!known) usageError(`unexpected argument '--${name}' found`);
    let value;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) value = argv[++i];
    else usageError(`a value is required for '${option(name)}' but none was supplied`);
    if (name === "allowed-authority") {
      values.set(name, [...(values.get(name) ?? []), value]);
    } else {
      if (values.has(name)) usageError(`the argument '${option(name)}' cannot be used multiple times`);
      values.set(name, value);
    }
  }
  // An empty variable counts as unset.
  const fromEnv = (name) => (env[name] ? env[name] : undefined);
  if (command === null) {
    // Help for a bare invocation; an error once any option was given (clap counts its
    // environment variables as given).
    if (argv.length > 0 || fromEnv("TIKTOK_API_BASE_URL") || fromEnv("SOURCE_TIKTOK_CACHE_DIR")) {
      usageError("a command is required but none was provided (spec, check, discover or read)");
    }
    process.stderr.write(USAGE);
    process.exit(2);
  }
  const missing = REQUIRED[command]?.filter((name) => !values.has(name)) ?? [];
  if (missing.length > 0) usageError(`the following required arguments were not provided: ${missing.map(option).join(" ")}`);
  const numbers = {};
  for (const [name, fallback] of Object.entries(NUMBERS)) {
    const text = values.get(name);
    if (text !== undefined && !/^\+?\d+$/.test(text)) usageError(`invalid value '${text}' for '${option(name)}': not a whole number`);
    numbers[name] = text === undefined ? fallback : Number(text);
  }
  return {
    command,
    config: values.get("config"),
    catalog: values.get("catalog"),
    state: values.get("state"),
    component: values.get("component") ?? join(HERE, "gen", "connector"),
    apiBaseUrl: values.get("api-base-url") ?? fromEnv("TIKTOK_API_BASE_URL"),
    allowedAuthorities: values.get("allowed-authority") ?? [],
    maxMemoryMib: numbers["max-memory-mib"],
    maxRunSeconds: numbers["max-run-seconds"],
    httpTimeoutSeconds: numbers["http-timeout-seconds"],
  };
}

// The operating system's words for the usual failures, as Rust's io::Error prints them.
const OS_ERRORS = {
  ENOENT: "No such file or directory (os error 2)",
  EACCES: "Permission denied (os error 13)",
  EISDIR: "Is a directory (os error 21)",
  ENOTDIR: "Not a directory (os error 20)",
};

/** A JSON input file: its text and value, or a message naming the file. */
function readJsonFile(path, what) {
  let text;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(readFileSync(path));
  } catch (e) {
    const why = OS_ERRORS[e.code] ?? (e.code ? e.message : "stream did not contain valid UTF-8");
    throw `cannot read the ${what} file ${path}: ${why}`;
  }
  try {
    return { text, value: JSON.parse(text) };
  } catch (e) {
    throw `the ${what} file ${path} is not valid JSON: ${e.message}`;
  }
}

/** Files first: a missing or malformed file is a config error, before any work. */
function loadInputs(cli) {
  const inputs = { config: null, catalog: null, state: null };
  if (cli.command === "spec") return inputs;
  inputs.config = readJsonFile(cli.config, "config").text;
  if (cli.command === "read") {
    inputs.catalog = readJsonFile(cli.catalog, "catalog").text;
    if (cli.state !== undefined) {
      const { value } = readJsonFile(cli.state, "state");
      try {
        inputs.state = sortedJson(perStream(value));
      } catch (why) {
        throw `the state file ${cli.state}: ${why}`;
      }
    }
  }
  return inputs;
}

function isDirectory(path) {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

// setTimeout's longest delay; longer limits are as good as none.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Run the command in a guest worker; resolves to the exit status. */
function runGuest(cli, inputs, policy, out) {
  const apiBaseUrl = cli.apiBaseUrl?.replace(/\/+$/, "") ?? null;
  const worker = new Worker(join(HERE, "guest.mjs"), {
    workerData: { componentDir: cli.component, command: cli.command, ...inputs, apiBaseUrl, policy },
    stdout: true,
    stderr: true,
  });
  // The guest's own stdout and stderr are kept from the protocol (guest.mjs keeps stderr).
  worker.stdout.resume();
  worker.stderr.resume();
  return new Promise((resolve) => {
    let settled = false;
    const timers = new Map();
    const finish = (status, failure) => {
      if (settled) return;
      settled = true;
      clearTimeout(runTimer);
      timers.forEach(clearTimeout);
      if (!failure) return resolve(status);
      // Ended from here: write the error once the guest can no longer write.
      worker.terminate().finally(() => {
        out.error(failure.type, failure.message);
        resolve(status);
      });
    };
    const runTimer = setTimeout(
      () =>
        finish(1, {
          type: "transient_error",
          message: `the connector did not finish within the run-time limit of ${cli.maxRunSeconds} s (--max-run-seconds)`,
        }),
      Math.min(cli.maxRunSeconds * 1000, MAX_TIMER_MS),
    );
    // The shim ends a silent or stalled request by the timeouts sandbox.mjs sets; a request it
    // leaves pending past them all stops the run instead of hanging it.
    const deadlineSeconds = policy.connectTimeoutSeconds + 2 * policy.responseTimeoutSeconds;
    worker.on("message", (message) => {
      if (message.type === "sent") {
        const stalled = () =>
          finish(1, {
            type: "transient_error",
            message: `a request to ${message.authority} got no answer within ${deadlineSeconds} s (--http-timeout-seconds); the host stopped the run`,
          });
        timers.set(message.id, setTimeout(stalled, Math.min(deadlineSeconds * 1000, MAX_TIMER_MS)));
      } else if (message.type === "answered") {
        clearTimeout(timers.get(message.id));
        timers.delete(message.id);
      } else if (message.type === "done") {
        finish(message.ok ? 0 : 1);
      }
    });
    worker.on("error", (e) => finish(1, { type: "system_error", message: `the connector crashed (${e?.message ?? e})` }));
    worker.on("exit", (code) => finish(1, { type: "system_error", message: `the connector crashed (it exited with status ${code})` }));
  });
}

async function main() {
  const cli = parseArgs(process.argv.slice(2), process.env);
  if (cli.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (cli.version) {
    process.stdout.write(`source-tiktok-marketing ${VERSION} (Node.js host)\n`);
    return 0;
  }
  const out = new ProtocolWriter(1);
  let inputs;
  try {
    inputs = loadInputs(cli);
  } catch (message) {
    out.error("config_error", String(message));
    return 1;
  }
  if (!isDirectory(cli.component)) {
    out.error(
      "system_error",
      `cannot load the connector component: ${cli.component} is not a jco transpilation of a component ` +
        `(host-node/build.sh makes them; a .wasm needs \`jco transpile X.wasm -o DIR --name connector --instantiation async\`)`,
    );
    return 1;
  }
  const policy = sandboxPolicy(cli);
  // Guest memory cap: V8 will not grow a wasm memory past this many 64 KiB pages.
  v8.setFlagsFromString(`--wasm-max-mem-pages=${Math.max(1, Math.min(65536, cli.maxMemoryMib * 16))}`);
  return runGuest(cli, inputs, policy, out);
}

process.exit(await main());
