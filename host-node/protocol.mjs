// The Airbyte protocol on stdout: one JSON message a line, in the native host's byte shapes
// (host/src/airbyte.rs). That host serializes with serde_json's sorted maps, so every message
// it builds has its keys in sorted order; records are the component's own text, never re-parsed.

import { writeSync } from "node:fs";

/** Milliseconds since the epoch, as `emitted_at` takes them. */
export const nowMillis = () => Date.now();

/** JSON with every object's keys sorted, as serde_json writes a `Value`. */
export function sortedJson(value) {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${sortedJson(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

// A pause without a timer: the writer runs inside a blocked call from the component.
const pause = new Int32Array(new SharedArrayBuffer(4));

let readerGone = false;

/**
 * Write all of `text` to `fd`, synchronously (a pipe left non-blocking may say EAGAIN). Once
 * the reader went away (EPIPE) output is dropped and the run goes on, as natively.
 */
export function writeAll(fd, text) {
  const bytes = Buffer.from(text, "utf8");
  let offset = 0;
  while (offset < bytes.length && !readerGone) {
    try {
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (e) {
      if (e.code === "EPIPE") readerGone = true;
      else if (e.code === "EAGAIN") Atomics.wait(pause, 0, 0, 1);
      else throw e;
    }
  }
}

const FAILURE_TYPES = { "config-error": "config_error", "transient-error": "transient_error", "system-error": "system_error" };

/** Airbyte's `failure_type` for a WIT `failure-kind`. */
export const failureType = (kind) => FAILURE_TYPES[kind] ?? "system_error";

/**
 * Writes protocol messages to a file descriptor. Every call writes before it returns, so a state
 * never reaches the reader before the records it covers (the WIT's ordering promise).
 */
export class ProtocolWriter {
  #fd;
  #secrets = [];
  /** Records per stream since that stream's last state (`sourceStats.recordCount`). */
  #sinceState = new Map();

  constructor(fd = 1, secrets = []) {
    this.#fd = fd;
    this.withSecrets(secrets);
  }

  /** Mask `secrets` from now on; values shorter than 4 bytes are ignored, as natively. */
  withSecrets(secrets) {
    this.#secrets = secrets.filter((s) => Buffer.byteLength(s, "utf8") >= 4);
    return this;
  }

  mask(text) {
    return this.#secrets.reduce((acc, s) => acc.split(s).join("****"), text);
  }

  message(value) {
    writeAll(this.#fd, sortedJson(value) + "\n");
  }

  /** Records arrive as JSON object texts and are written without re-parsing. */
  records(stream, records) {
    const emittedAt = nowMillis();
    const streamJson = JSON.stringify(stream);
    let lines = "";
    for (const data of records) {
      lines += `{"type":"RECORD","record":{"stream":${streamJson},"data":${data},"emitted_at":${emittedAt}}}\n`;
    }
    writeAll(this.#fd, lines);
    this.#sinceState.set(stream, (this.#sinceState.get(stream) ?? 0) + records.length);
  }

  /** A checkpoint; `stateText` is the component's JSON text. */
  state(stream, stateText) {
    let state;
    try {
      state = JSON.parse(stateText);
    } catch (e) {
      this.log("ERROR", `the connector emitted an unreadable state for ${stream}: ${e.message}`);
      return;
    }
    const count = this.#sinceState.get(stream) ?? 0;
    this.#sinceState.set(stream, 0);
    // serde_json writes the f64 count with a fraction (`12.0`); the same bytes here.
    const descriptor = sortedJson({ name: stream });
    writeAll(
      this.#fd,
      `{"state":{"sourceStats":{"recordCount":${count}.0},"stream":{"stream_descriptor":${descriptor},` +
        `"stream_state":${sortedJson(state)}},"type":"STREAM"},"type":"STATE"}\n`,
    );
  }

  log(level, message) {
    this.message({ type: "LOG", log: { level, message: this.mask(message) } });
  }

  streamStatus(stream, status) {
    this.message({
      type: "TRACE",
      trace: {
        type: "STREAM_STATUS",
        emitted_at: nowMillis(),
        stream_status: { stream_descriptor: { name: stream }, status },
      },
    });
  }

  /**
   * The component's `request-progress` (requests sent and throttled, and whether TikTok holds
   * them back). The protocol has no message for it: the native host shows it in its progress
   * line on a terminal, and this host has no progress display, so nothing is written.
   */
  progress(_progress) {}

  /** A TRACE error; `failure` is Airbyte's `failure_type`. */
  error(failure, message, stream) {
    const masked = this.mask(message);
    const error = { message: masked, internal_message: masked, failure_type: failure };
    if (stream != null) error.stream_descriptor = { name: stream };
    this.message({ type: "TRACE", trace: { type: "ERROR", emitted_at: nowMillis(), error } });
  }
}

/**
 * The values to mask: every string in `config` under a property the spec marks
 * `airbyte_secret`, matched by name at any depth (as host/src/masking.rs `secrets_of`).
 */
export function secretsOf(spec, config) {
  const names = new Set();
  eachObject(spec, (object) => {
    const properties = object.properties;
    if (properties === null || typeof properties !== "object" || Array.isArray(properties)) return;
    for (const [name, property] of Object.entries(properties)) {
      if (property?.airbyte_secret === true) names.add(name);
    }
  });
  const found = [];
  eachObject(config, (object) => {
    for (const [key, value] of Object.entries(object)) {
      if (typeof value === "string" && names.has(key)) found.push(value);
    }
  });
  return found;
}

function eachObject(value, f) {
  if (Array.isArray(value)) {
    value.forEach((v) => eachObject(v, f));
  } else if (value !== null && typeof value === "object") {
    f(value);
    Object.values(value).forEach((v) => eachObject(v, f));
  }
}

/**
 * `{"<stream>": <stream_state>}` from a `--state` file in any form Airbyte has used: a list of
 * per-stream state messages, one such message, or the legacy map (host/src/state_file.rs).
 * Throws a message naming what is wrong.
 */
export function perStream(value) {
  const states = Object.create(null); // a stream may be called "__proto__"
  if (Array.isArray(value)) {
    value.forEach((message, i) => {
      try {
        addMessage(states, message);
      } catch (why) {
        throw `entry ${i}: ${why}`;
      }
    });
  } else if (isObject(value) && "type" in value) {
    addMessage(states, value);
  } else if (isObject(value)) {
    // The legacy form; `data` wrapped it in some versions.
    const keys = Object.keys(value);
    return keys.length === 1 && isObject(value.data) ? { ...value.data } : value;
  } else if (value !== null) {
    throw "must be a list of state messages or an object";
  }
  return states;
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const at = (value, ...path) => path.reduce((v, key) => (v == null ? undefined : v[key]), value);

function addMessage(states, message) {
  // Messages may be the bare state or wrapped as {"type": "STATE", "state": {...}}.
  if (message?.type === "STATE" && message.state !== undefined) message = message.state;
  const type = message?.type;
  if (type === "STREAM") {
    const name = at(message, "stream", "stream_descriptor", "name");
    if (typeof name !== "string") throw "stream.stream_descriptor.name is missing";
    states[name] = at(message, "stream", "stream_state") ?? null;
  } else if (type === "GLOBAL") {
    const list = at(message, "global", "stream_states");
    if (!Array.isArray(list)) throw "global.stream_states is missing";
    for (const entry of list) {
      const name = at(entry, "stream_descriptor", "name");
      if (typeof name !== "string") throw "a global stream state has no stream_descriptor.name";
      states[name] = entry.stream_state ?? null;
    }
  } else if (type === "LEGACY") {
    if (!isObject(message.data)) throw "a LEGACY state needs a data object";
    Object.assign(states, message.data);
  } else if (typeof type === "string") {
    throw `unknown state type ${JSON.stringify(type)}`;
  } else {
    throw "a state message needs a type";
  }
}
