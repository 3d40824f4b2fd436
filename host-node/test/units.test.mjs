// The host's own rules, as the native host's unit tests state them (host/src/masking.rs,
// state_file.rs and sandbox.rs): secrets, state files, the allow-list, message bytes.

import assert from "node:assert/strict";
import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { ProtocolWriter, perStream, secretsOf, sortedJson } from "../protocol.mjs";
import { TIKTOK_AUTHORITIES, requestAuthority, sandboxPolicy, urlAuthority } from "../sandbox.mjs";

test("secrets are the config values the spec marks, at any depth", () => {
  const spec = {
    connectionSpecification: {
      properties: {
        credentials: {
          oneOf: [
            { properties: { app_id: { airbyte_secret: false }, secret: { airbyte_secret: true }, access_token: { airbyte_secret: true } } },
            { properties: { access_token: { airbyte_secret: true } } },
          ],
        },
        start_date: { type: "string" },
      },
    },
  };
  const config = {
    credentials: { app_id: "123", secret: "s3cret", access_token: "tok" },
    environment: { access_token: "legacy-tok" },
    start_date: "2024-01-01",
  };
  assert.deepEqual(secretsOf(spec, config).sort(), ["legacy-tok", "s3cret", "tok"]);
});

test("state files in every form Airbyte has used become one map of stream states", () => {
  const stream = (name, state) => ({ type: "STREAM", stream: { stream_descriptor: { name }, stream_state: state } });
  assert.deepEqual({ ...perStream([stream("ads", { a: 1 })]) }, { ads: { a: 1 } });
  assert.deepEqual({ ...perStream([{ type: "STATE", state: stream("ads", { a: 1 }) }]) }, { ads: { a: 1 } });
  assert.deepEqual({ ...perStream(stream("ads", { a: 1 })) }, { ads: { a: 1 } });
  assert.deepEqual(perStream({ ads: { a: 1 } }), { ads: { a: 1 } });
  assert.deepEqual(perStream({ data: { ads: { a: 1 } } }), { ads: { a: 1 } });
  const global = { type: "GLOBAL", global: { stream_states: [{ stream_descriptor: { name: "ads" }, stream_state: { a: 2 } }] } };
  assert.deepEqual({ ...perStream([global]) }, { ads: { a: 2 } });
  assert.deepEqual({ ...perStream([{ type: "LEGACY", data: { ads: { a: 3 } } }]) }, { ads: { a: 3 } });
  assert.deepEqual({ ...perStream(null) }, {});
  assert.throws(() => perStream([{ type: "STREAM" }]), /entry 0: stream.stream_descriptor.name is missing/);
  assert.throws(() => perStream(3), /must be a list of state messages or an object/);
  assert.throws(() => perStream([{ type: 7 }]), /a state message needs a type/);
});

test("by default only TikTok's hosts are reachable; an API root replaces the list with its authority", () => {
  const policy = (apiBaseUrl, allowedAuthorities = []) =>
    sandboxPolicy({ apiBaseUrl, allowedAuthorities, httpTimeoutSeconds: 120, maxMemoryMib: 64, maxRunSeconds: 10 });
  const request = (scheme, authority) => ({ scheme: () => scheme, authority: () => authority });
  const allows = (p, scheme, authority) => p.authorities.includes(requestAuthority(request(scheme, authority)));
  const https = { tag: "HTTPS" };
  const http = { tag: "HTTP" };

  assert.deepEqual(policy(null).authorities, TIKTOK_AUTHORITIES);
  assert.ok(allows(policy(null), https, "business-api.tiktok.com"));
  assert.ok(allows(policy(null), https, "SANDBOX-ADS.tiktok.com:443"));
  assert.ok(!allows(policy(null), http, "business-api.tiktok.com"), "port 80 is another authority");
  assert.ok(!allows(policy(null), https, "evil.example"));

  const local = policy("http://127.0.0.1:8080");
  assert.deepEqual(local.authorities, ["127.0.0.1:8080"]);
  assert.ok(allows(local, http, "127.0.0.1:8080"));
  assert.ok(!allows(local, http, "127.0.0.1:8081"));
  assert.ok(!allows(local, https, "business-api.tiktok.com"));
  assert.deepEqual(policy("http://127.0.0.1:8080", ["Business-API.tiktok.com:443"]).authorities, ["business-api.tiktok.com:443"], "an explicit list wins");
  assert.deepEqual(policy("not a url").authorities, [], "an unreadable root allows nothing");
  assert.equal(urlAuthority("http://Example.com"), "example.com:80");
  assert.equal(urlAuthority("https://example.com/"), "example.com:443");

  assert.equal(policy(null).connectTimeoutSeconds, 30);
  assert.equal(sandboxPolicy({ apiBaseUrl: null, allowedAuthorities: [], httpTimeoutSeconds: 5 }).connectTimeoutSeconds, 5);
});

test("messages are written with serde_json's sorted keys", () => {
  assert.equal(sortedJson({ type: "LOG", log: { message: "a\n\"b\"", level: "INFO" } }), '{"log":{"level":"INFO","message":"a\\n\\"b\\""},"type":"LOG"}');
  assert.equal(sortedJson([{ b: 1, a: [true, null] }]), '[{"a":[true,null],"b":1}]');
});

test("request progress is no protocol message: the writer takes it and writes nothing", () => {
  const file = join(mkdtempSync(join(tmpdir(), "host-node-progress-")), "out.jsonl");
  const fd = openSync(file, "w");
  const out = new ProtocolWriter(fd);
  out.progress({ sent: 3n, throttled: 1n, held: { reason: "quota", durationMs: 60000n } });
  out.log("WARN", "throttled by TikTok: the connector now sends at most 5 requests per second");
  closeSync(fd);
  const lines = readFileSync(file, "utf8").trim().split("\n");
  assert.deepEqual(lines.map((l) => JSON.parse(l).type), ["LOG"]);
});
