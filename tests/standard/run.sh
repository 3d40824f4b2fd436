#!/usr/bin/env bash
# Airbyte's standard connector tests (airbyte-cdk's `standard_tests`) against the release binary
# and a local TikTok API simulator. Needs python3 with venv, the two release binaries (make build),
# and PyPI the first time. Exits non-zero on any failure.
set -euo pipefail
[[ -z ${CONNECTOR_BINARY:-} ]] || CONNECTOR_BINARY=$(realpath "$CONNECTOR_BINARY")  # another build
cd "$(dirname "$0")/../.."
root=$PWD
here=$root/tests/standard
bin=${CONNECTOR_BINARY:-$root/target/release/source-tiktok-marketing}
sim=$root/target/release/tiktok-sim
venv=$root/target/standard-venv
run=$root/target/standard-run

for b in "$bin" "$sim"; do
  [[ -x $b ]] || { echo "run.sh: $b is missing; build it first (make build)" >&2; exit 1; }
done

# The venv is made once and kept while requirements.txt is unchanged; the stamp is written last,
# so a half-made venv (PyPI unreachable, interrupted) is made again next time, never used.
want=$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)
if [[ $(cat "$venv/.stamp" 2>/dev/null) != "$want" ]] || ! "$venv/bin/python" -c '' 2>/dev/null; then
  echo "run.sh: making $venv (pinned airbyte-cdk and pytest from PyPI)"
  rm -rf "$venv"
  python3 -m venv "$venv"
  if ! "$venv/bin/pip" install --disable-pip-version-check -q -r "$here/requirements.txt"; then
    echo "run.sh: FAILED to install the standard tests' packages from PyPI (see above)" >&2
    exit 1
  fi
  echo "$want" > "$venv/.stamp"
fi

rm -rf "$run" "$here/secrets"
mkdir -p "$run/tmp" "$here/secrets"
"$sim" --port 0 > "$run/simulator.txt" 2> "$run/simulator.log" &
sim_pid=$!
# Files the suite writes (configs with secrets, catalogs) go to $run/tmp, gone with the run.
trap 'kill $sim_pid 2>/dev/null || true; rm -rf "$run/tmp" "$here/secrets"' EXIT
for _ in $(seq 100); do
  grep -q '^ACCESS_TOKEN=' "$run/simulator.txt" && break
  kill -0 $sim_pid 2>/dev/null || { echo "run.sh: the simulator died:" >&2; cat "$run/simulator.log" >&2; exit 1; }
  sleep 0.1
done
# shellcheck disable=SC1091
source <(grep -E '^(PORT|APP_ID|SECRET|ACCESS_TOKEN)=' "$run/simulator.txt" | sed 's/^/export SIM_/')
[[ -n ${SIM_PORT:-} ]] || { echo "run.sh: the simulator printed no PORT" >&2; exit 1; }

# The configs the suite's scenarios name (acceptance-test-config.yml): the simulator's app, and a
# start date 10 days back so report streams have a few days to read.
"$venv/bin/python" - "$here/secrets" <<'PY'
import datetime, json, os, sys
start = datetime.date.today() - datetime.timedelta(days=10)
config = {"credentials": {"auth_type": "oauth2.0", "app_id": os.environ["SIM_APP_ID"],
                          "secret": os.environ["SIM_SECRET"],
                          "access_token": os.environ["SIM_ACCESS_TOKEN"]},
          "start_date": start.isoformat()}
for name in ("config.json", "config_some_streams.json"):
    open(f"{sys.argv[1]}/{name}", "w").write(json.dumps(config))
PY

export TIKTOK_API_BASE_URL=http://127.0.0.1:$SIM_PORT CONNECTOR_BINARY=$bin
export TMPDIR=$run/tmp PYTHONDONTWRITEBYTECODE=1
"$venv/bin/python" -m pytest "$here" -p no:cacheprovider "$@"
