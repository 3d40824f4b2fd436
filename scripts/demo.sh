#!/usr/bin/env bash
# Sync every stream from a local TikTok API simulator and summarise what was read.
set -euo pipefail
out=${1:-out}
mkdir -p "$out"
host=target/release/source-tiktok-marketing
sim=target/release/tiktok-sim

"$sim" > "$out/simulator.txt" &
sim_pid=$!
trap 'kill $sim_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q '^PORT=' "$out/simulator.txt" 2>/dev/null && break; sleep 0.1; done
# shellcheck disable=SC1090
source <(sed 's/^/export SIM_/' "$out/simulator.txt")
base="http://127.0.0.1:$SIM_PORT"

cat > "$out/config.json" <<JSON
{"credentials": {"auth_type": "oauth2.0", "app_id": "$SIM_APP_ID", "secret": "$SIM_SECRET",
 "access_token": "$SIM_ACCESS_TOKEN"}, "start_date": "$(date -u -d "-7 days" +%F)", "requests_per_second": 50}
JSON
"$host" discover --config "$out/config.json" --api-base-url "$base" > "$out/catalog_message.json"
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
catalog = json.load(open(f"{out}/catalog_message.json"))["catalog"]
configured = {"streams": [{
    "stream": s,
    "sync_mode": "incremental" if "incremental" in s["supported_sync_modes"] else "full_refresh",
    "destination_sync_mode": "append",
} for s in catalog["streams"]]}
json.dump(configured, open(f"{out}/configured_catalog.json", "w"))
PY
start=$(date +%s.%N)
"$host" read --config "$out/config.json" --catalog "$out/configured_catalog.json" --api-base-url "$base" > "$out/messages.jsonl"
end=$(date +%s.%N)
python3 - "$out" "$start" "$end" <<'PY'
import collections, json, sys
out, start, end = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
records, states, errors = collections.Counter(), collections.Counter(), []
for line in open(f"{out}/messages.jsonl"):
    m = json.loads(line)
    if m["type"] == "RECORD": records[m["record"]["stream"]] += 1
    elif m["type"] == "STATE": states[m["state"]["stream"]["stream_descriptor"]["name"]] += 1
    elif m["type"] == "TRACE" and m["trace"]["type"] == "ERROR": errors.append(m["trace"]["error"]["message"])
print(f"{'stream':<48} {'records':>8} {'states':>7}")
for stream in sorted(records.keys() | states.keys()):
    print(f"{stream:<48} {records[stream]:>8} {states[stream]:>7}")
print(f"{'total':<48} {sum(records.values()):>8} {sum(states.values()):>7}")
print(f"read took {end - start:.2f}s; messages in {out}/messages.jsonl")
for e in errors: print("ERROR:", e)
sys.exit(1 if errors else 0)
PY
